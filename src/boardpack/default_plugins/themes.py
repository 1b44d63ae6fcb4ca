"""The built-in ``default`` theme, shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from ..hookspecs import hookimpl

__all__ = ["DEFAULT_THEME"]

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


@hookimpl
def register_themes() -> list[Path]:
    """Register the default theme folder."""
    return [DEFAULT_THEME]
