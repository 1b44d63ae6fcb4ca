"""The built-in ``default`` theme, shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from boardpack.api import hookimpl

__all__ = ["DEFAULT_THEME"]

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"


@hookimpl
def register_themes() -> list[Path]:
    """Register the default theme folder."""
    return [DEFAULT_THEME]
