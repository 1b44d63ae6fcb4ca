"""The Jinja environment of a pack: template resolution chain and formatting filters.

Templates are looked up in the user's folder, then the theme, its parents, the plugins'
template folders and finally the built-in templates. ``default:NAME`` always names the
built-in template, so an override can ``{% extends "default:pack.html" %}`` and change one
block. Autoescape is on and undefined variables are errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import jinja2

from ..formatting import Formatter
from ..api.kpis import STATUS_LABELS

__all__ = ["BUILTIN_TEMPLATES", "make_environment"]

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def make_environment(search_path: Iterable[Path], fmt: Formatter) -> jinja2.Environment:
    """An environment resolving templates through ``search_path`` then the built-ins."""
    folders = [str(p) for p in search_path] + [str(BUILTIN_TEMPLATES)]
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES))}, delimiter=":"),
        jinja2.FileSystemLoader(folders),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    language_index = 0 if fmt.language == "fr" else 1
    env.filters.update(
        money=fmt.money,
        money_short=fmt.money_short,
        percent=fmt.percent,
        number=fmt.number,
        value=fmt.value,
        delta=fmt.delta,
        month=fmt.month,
        month_short=fmt.month_short,
        date=fmt.date,
        status_label=lambda status: STATUS_LABELS[status][language_index] if status else "",
    )
    return env
