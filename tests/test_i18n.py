"""The message catalogue (issue 13): every built-in template string and the common reasons have
an English entry, read through Babel; the templates' ``_()`` reads the pack's language."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from boardpack.i18n import CATALOGUES, UNTRANSLATED, gettext, translate
from boardpack.render.templates import BUILTIN_TEMPLATES, make_environment
from boardpack.formatting import Formatter

PO = CATALOGUES / "en" / "LC_MESSAGES" / "boardpack.po"


def catalogue() -> dict[str, str]:
    """msgid → msgstr of the English catalogue."""
    with PO.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle, locale="en") if m.id}


def test_every_template_string_has_an_english_entry() -> None:
    """Each ``_("…")`` of the built-in templates is in the English catalogue, translated."""
    entries = catalogue()
    used = set()
    for path in Path(BUILTIN_TEMPLATES).rglob("*.html"):
        used |= set(re.findall(r'_\("([^"]*)"\)', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"_\('([^']*)'\)", path.read_text(encoding="utf-8")))
    assert len(used) > 150
    missing = sorted(text for text in used if not entries.get(text))
    assert missing == []


def test_the_catalogue_ships_inside_the_package() -> None:
    """The .po sits under src/boardpack/locale (package data, built into the wheel like the templates)."""
    assert PO.is_file() and "boardpack" in PO.parts


def test_gettext_and_translate() -> None:
    """French stays French; English reads the catalogue, placeholders carried over; a reason the
    catalogue lacks is never shown in French in an English pack."""
    assert gettext("Indicateur", "fr") == "Indicateur"
    assert gettext("Indicateur", "en") == "Indicator"
    assert translate("aucune créance client ouverte à fin 2026-10", "en") == "no open customer receivable at the end of 2026-10"
    assert translate("une raison inconnue du catalogue", "en") == UNTRANSLATED


def test_underscore_global_follows_the_pack_language() -> None:
    """``{{ _("Indicateur") }}`` renders « Indicateur » in French, « Indicator » in English."""
    for language, expected in (("fr", "Indicateur"), ("en", "Indicator")):
        env = make_environment([], Formatter(language))
        assert env.from_string('{{ _("Indicateur") }}').render() == expected


def test_spaces_around_a_template_string_are_kept() -> None:
    """« (hors taxes, avoirs déduits). » follows a value: its leading space survives the lookup."""
    assert gettext(" (hors taxes, avoirs déduits).", "en") == " (excluding VAT, net of credit notes)."


def test_built_in_templates_write_literal_text_once() -> None:
    """No built-in template gives its text as ``pack.t("fr", "en")`` with two literal strings: the
    French goes through ``_()`` and the English lives in the catalogue (text built from values may
    still use ``pack.t``)."""
    literal_pair = re.compile(r'''pack\.t\(\s*("[^"]*"|'[^']*')\s*,\s*("[^"]*"|'[^']*')\s*\)''')
    found = [path.name for path in Path(BUILTIN_TEMPLATES).rglob("*.html")
             if "email" not in path.parts and literal_pair.search(path.read_text(encoding="utf-8"))]
    assert found == []
