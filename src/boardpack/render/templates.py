"""The Jinja environment of a pack: template resolution chain and formatting filters.

Templates are looked up in the user's folder, then the theme, its parents, the plugins'
template folders and finally the built-in templates. ``default:NAME`` always names the
built-in template, so an override can ``{% extends "default:pack.html" %}`` and change one
block. Autoescape is on and undefined variables are errors. A template that resolves outside
its folder (a symbolic link to ``/etc/passwd``) is refused, never rendered.

Each pack gets its own environment, but a template is compiled once per process for each
language and currency, not once per pack: the environments of one :class:`Formatter` share
a cache of compiled code (:func:`compiled_templates`). Code is not shared across formatters
because Jinja folds a filter applied to a constant into the code (``{{ "ok"|status_label }}``
is compiled to the label of the pack's language). Entries are keyed by the template's name
and file and checked against the source's checksum, so an edited template is compiled again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from ..errors import RenderError
from ..formatting import Formatter, de
from ..i18n import gettext
from ..api.kpis import STATUS_LABELS
from .columns import ENTRY_GAP_MM, second_column_start

__all__ = ["BUILTIN_TEMPLATES", "CompiledTemplates", "ConfinedLoader", "compiled_templates",
           "make_environment"]

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates' compiled code kept in memory, shared by the environments of one formatter.

    Jinja asks it by a key made of the template's name and file; an entry is used only if
    the source's checksum is the same as when it was compiled.
    """

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, CodeType]] = {}
        self._lock = threading.Lock()
        #: how many templates were compiled and how many were found here (for tests)
        self.compiled = self.reused = 0

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Give ``bucket`` the code compiled earlier from the same source, if any."""
        with self._lock:
            found = self._codes.get(bucket.key)
            if found is not None and found[0] == bucket.checksum:
                bucket.code = found[1]
                self.reused += 1

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the code Jinja has just compiled into ``bucket``."""
        if bucket.code is not None:
            with self._lock:
                self._codes[bucket.key] = (bucket.checksum, bucket.code)
                self.compiled += 1


_COMPILED: dict[Formatter, CompiledTemplates] = {}
_COMPILED_LOCK = threading.Lock()


def compiled_templates(fmt: Formatter) -> CompiledTemplates:
    """The compiled-code cache of the environments that format with ``fmt``."""
    with _COMPILED_LOCK:
        return _COMPILED.setdefault(fmt, CompiledTemplates())


class ConfinedLoader(jinja2.FileSystemLoader):
    """A :class:`jinja2.FileSystemLoader` that reads a template only if it resolves inside the
    folder it was found in (links followed).

    :raises RenderError: naming the template and where it leads.
    """

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The template's source, after checking where the file really is."""
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = os.path.join(folder, *pieces)
            if os.path.isfile(candidate):
                real, root = os.path.realpath(candidate), os.path.realpath(folder)
                if os.path.commonpath([real, root]) != root:
                    raise RenderError(f"{candidate} : gabarit refusé : ce lien symbolique mène hors du dossier "
                                      f"{folder} ({real})")
                break
        return super().get_source(environment, template)


def make_environment(search_path: Iterable[Path], fmt: Formatter) -> jinja2.Environment:
    """An environment resolving templates through ``search_path`` then the built-ins."""
    folders = [str(p) for p in search_path] + [str(BUILTIN_TEMPLATES)]
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"default": ConfinedLoader(str(BUILTIN_TEMPLATES))}, delimiter=":"),
        ConfinedLoader(folders),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=compiled_templates(fmt),
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
        # « de » elided before a vowel: {{ "octobre 2026"|de }} → « d'octobre 2026 »
        de=de,
    )

    def second_column(entries: Iterable[Any], term: str, definition: str, font: str,
                      gap_mm: float = ENTRY_GAP_MM) -> int | None:
        """Index of the entry that starts the second column of a short ``dl.formulas``, or
        ``None``: the ``term`` and ``definition`` attributes of ``entries`` as printed."""
        pairs = [(str(env.getattr(entry, term)), str(env.getattr(entry, definition))) for entry in entries]
        return second_column_start(pairs, font, gap_mm)

    env.globals["second_column"] = second_column
    # {{ _("Texte français") }}: the built-in template strings, from the message catalogue
    env.globals["_"] = lambda text: gettext(text, fmt.language)
    return env
