"""The English wording of boardpack's built-in French text, from the message catalogue
``boardpack/locale/<language>/LC_MESSAGES/boardpack.po`` (read with Babel).

Built-in templates write ``{{ _("Texte français") }}`` and code writes French (the reasons a
figure is unavailable, « historique insuffisant »); a pack in another language shows the
catalogue's wording. A msgid may hold ``{name}`` placeholders standing
for a value (a month, a dataset name) carried over into the msgstr. See docs/translating.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

__all__ = ["CATALOGUES", "UNTRANSLATED", "gettext", "translate", "translate_or_none"]

#: Folder of the message catalogues shipped with boardpack.
CATALOGUES = Path(__file__).resolve().parent / "locale"

#: What an English pack shows for a French reason the catalogue lacks (never the French text).
UNTRANSLATED = "reason worded in French only (see the French edition of this pack)"


@lru_cache(maxsize=4)
def _messages(language: str) -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Exact msgid → msgstr, and (pattern, msgstr) for the msgids with placeholders."""
    from babel.messages.pofile import read_po

    path = CATALOGUES / language / "LC_MESSAGES" / "boardpack.po"
    if not path.is_file():
        return {}, ()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    exact: dict[str, str] = {}
    patterns = []
    for message in catalog:
        if not message.id or not message.string or not isinstance(message.id, str):
            continue
        text = str(message.string)
        if "{" in message.id:
            parts = re.split(r"\{(\w+)\}", message.id)
            regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
            patterns.append((re.compile(f"^{regex}$", re.S), text))
        else:
            exact[message.id] = text
    return exact, tuple(patterns)


def translate_or_none(text: str, language: str) -> str | None:
    """``text`` (French) in ``language`` from the catalogue, or ``None`` when it has no entry."""
    if language == "fr":
        return text
    exact, patterns = _messages(language)
    if text in exact:
        return exact[text]
    flat = " ".join(text.split())
    if flat in exact:
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        return lead + exact[flat].strip() + trail
    for pattern, wording in patterns:
        match = pattern.match(flat)
        if match:
            return wording.format(**match.groupdict())
    return None


def gettext(text: str, language: str) -> str:
    """A built-in template string (French) in ``language``: the ``_()`` of the pack templates. The
    French text itself when the catalogue lacks it (a test checks that none is missing)."""
    found = translate_or_none(text, language)
    return text if found is None else found


def translate(text: str, language: str) -> str:
    """``text`` (French) in ``language``; :data:`UNTRANSLATED` when the catalogue lacks it."""
    found = translate_or_none(text, language)
    return UNTRANSLATED if found is None else found
