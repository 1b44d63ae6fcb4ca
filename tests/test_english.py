"""English packs: the same demo in English, with English labels and number formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from boardpack.build import build
from boardpack.config import load_config

DEMO = Path(__file__).resolve().parent.parent / "src" / "boardpack" / "demo" / "config.toml"


@pytest.fixture(scope="module")
def english_html(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo's four packs rendered with language = "en" (HTML only)."""
    folder = tmp_path_factory.mktemp("en")
    text = DEMO.read_text(encoding="utf-8").replace('language = "fr"', 'language = "en"')
    text = text.replace('dir = "commentaires"', f'dir = "{(DEMO.parent / "commentaires").as_posix()}"')
    for key in ("daf", "operations", "banquier"):
        text = text.replace(f"[audiences.{key}]\n", f'[audiences.{key}]\nlanguage = "en"\n')
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return build(load_config(folder / "config.toml"), write=False).html


def test_english_section_titles(english_html: dict[str, str]) -> None:
    """Section titles, the contents page and tiles are in English."""
    assert "<h1>Key indicators</h1>" in english_html["dirigeant"]
    assert "<h1>Balance sheet</h1>" in english_html["daf"]
    assert "<h1>Banking ratios</h1>" in english_html["banquier"]
    assert ">Contents<" in english_html["daf"]
    assert 'lang="en"' in english_html["operations"]


def test_english_number_formats(english_html: dict[str, str]) -> None:
    """Amounts read €1,234,567 and dates October 2026, never the French forms."""
    daf = english_html["daf"]
    assert re.search(r"€\d{1,3}(,\d{3})+", daf)
    assert "October 2026" in daf
    # « ≈ €36,846 (estimate) »: the no-break space after ≈ is not a French amount
    assert "\u00a0€" not in re.sub(r"<[^>]+>", "", daf.split("<body>", 1)[1]).replace("≈\u00a0", "≈ ")


def test_no_section_unavailable_in_english(english_html: dict[str, str]) -> None:
    """Every section of the four English packs renders."""
    for html in english_html.values():
        assert "Section not available" not in html
