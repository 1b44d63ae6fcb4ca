"""Themes: a folder with ``theme.toml``, CSS, optional templates, a logo and a chart style.

``theme.toml`` holds ``name``, optional ``parent``, ``[colours]`` (``primary``, ``accent``,
``text``, ``muted``, ``ok``, ``warn``, ``alert``, ``palette``), ``[fonts]`` (``body``,
``heading``) and ``[assets]`` (``logo``, ``css`` list, ``mplstyle``). A theme inherits
everything it does not set from its parent; its CSS comes after the parent's, its
templates before the parent's.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .api.themes import THEME_FILE, THEME_KEYS
from .errors import ConfigError
from .paths import inside

__all__ = ["Theme", "load_theme", "resolve_chain"]

_KEYS = set(THEME_KEYS)


@dataclass(frozen=True)
class Theme:
    """A theme as declared by its folder (not yet merged with its parents)."""

    name: str
    path: Path
    parent: str | None
    colours: Mapping[str, Any]
    fonts: Mapping[str, str]
    logo: Path | None
    css: tuple[Path, ...]
    mplstyle: Path | None
    description: str = ""

    @property
    def templates(self) -> Path | None:
        """The theme's ``templates/`` folder, if it has one."""
        folder = self.path / "templates"
        return folder if folder.is_dir() else None


def load_theme(folder: Path) -> Theme:
    """Read ``folder/theme.toml``.

    :raises ConfigError: naming the file and key when it is missing or malformed.
    """
    manifest = folder / THEME_FILE
    if not manifest.exists() and not manifest.is_symlink():
        raise ConfigError(f"{manifest} : fichier de thème introuvable")
    try:
        data = tomllib.loads(inside(manifest, folder, "fichier de thème").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{manifest} : fichier de thème illisible ({exc.__class__.__name__} ; UTF-8 attendu)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{manifest} : TOML invalide ({exc})") from None
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{manifest} : clé inconnue « {sorted(unknown)[0]} »")
    if not isinstance(data.get("name"), str):
        raise ConfigError(f"{manifest} : clé « name » obligatoire")
    assets = data.get("assets", {})
    for table, allowed in (("assets", {"logo", "css", "mplstyle"}), ("fonts", {"body", "heading"})):
        for key in data.get(table, {}):
            if key not in allowed:
                raise ConfigError(
                    f"{manifest} : clé inconnue « {table}.{key} » (admises : {', '.join(sorted(allowed))})"
                )

    def asset(key: str, value: str) -> Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{manifest} : clé « assets.{key} » : un chemin de fichier est attendu")
        return inside(folder / value, folder, f"fichier de la clé « assets.{key} » du thème")

    return Theme(
        name=data["name"],
        path=folder.resolve(),
        parent=data.get("parent") or None,
        colours=dict(data.get("colours", {})),
        fonts=dict(data.get("fonts", {})),
        logo=asset("logo", assets["logo"]) if assets.get("logo") else None,
        css=tuple(asset("css", c) for c in assets.get("css", [])),
        mplstyle=asset("mplstyle", assets["mplstyle"]) if assets.get("mplstyle") else None,
        description=str(data.get("description", "")),
    )


def resolve_chain(name: str, themes: Mapping[str, Theme], where: str) -> list[Theme]:
    """The theme called ``name`` followed by its ancestors.

    :raises ConfigError: on an unknown theme or a parent loop; ``where`` names the config key.
    """
    chain: list[Theme] = []
    current: str | None = name
    while current is not None:
        if current not in themes:
            known = ", ".join(sorted(themes))
            raise ConfigError(f"{where} : thème inconnu « {current} » (thèmes : {known})")
        theme = themes[current]
        if theme in chain:
            raise ConfigError(f"{where} : le thème « {current} » est son propre parent")
        chain.append(theme)
        current = theme.parent
    return chain
