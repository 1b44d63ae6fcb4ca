"""Theme plugins: a theme is a folder, registered by its path (``register_themes``).

The folder holds ``theme.toml``: ``name``, optional ``parent`` (``"default"``),
``description``, ``[colours]`` (``primary``, ``accent``, ``text``, ``muted``, ``ok``, ``warn``,
``alert``, ``palette``…), ``[fonts]`` (``body``, ``heading``) and ``[assets]`` (``logo``,
``css`` = list, ``mplstyle``), every asset inside the folder. A ``templates/`` folder overrides
templates; ``{% extends "default:pack.html" %}`` extends the original. A theme inherits what it
does not set from its parent; its CSS comes after the parent's.
"""

from __future__ import annotations

__all__ = ["THEME_FILE", "THEME_KEYS"]

#: The file that makes a folder a theme.
THEME_FILE = "theme.toml"
#: The top-level keys ``theme.toml`` accepts.
THEME_KEYS = ("name", "parent", "description", "colours", "fonts", "assets")
