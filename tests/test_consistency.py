"""The consistency checker (issue 13): packs made to contradict themselves are caught, the demo
packs are not (one value and one status per KPI × window, sentences agreeing with their
figures, no text of the other language)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from boardpack.build.consistency import check_pdf, check_text, language_markers, pdf_text
from boardpack.cli import cli
from boardpack.plugins import get_registry

from conftest import DemoBuild

NB, NNB = "\u00a0", "\u202f"
LABELS = {"DSO (délai clients)": "ltm", "BFR": "month", "Chiffre d'affaires": "month", "EBE": "month",
          "Dette nette / EBE": "month"}
EN_LABELS = {"DSO (days sales outstanding)": "ltm", "Revenue": "month"}


def kinds(text: str, language: str = "fr") -> list[str]:
    """The kinds of the findings in ``text``."""
    return [f.kind for f in check_text(text, language, LABELS if language == "fr" else EN_LABELS)]


def test_one_kpi_and_window_with_two_values() -> None:
    """« DSO (12 mois glissants) : 76 j » on one page and « … : 66 j » on another is a contradiction."""
    text = (f"DSO (délai clients) (12 mois glissants) : 76{NB}j, au-dessus du seuil d'alerte de 75{NB}j.\n"
            f"Plus loin\nDSO (délai clients) (12 mois glissants) : 66{NB}j.")
    assert kinds(text) == ["two_values"]


def test_same_figure_at_two_precisions_agrees() -> None:
    """« 1,82 M€ » on a tile and « 1 815 598 € » in a sentence are one value; another window is another fact."""
    text = (f"BFR\nmois\n1,82{NB}M€\n+8,6{NB}% vs N-1\n"
            f"BFR (mois) : 1{NNB}815{NNB}598{NB}€, +8,6{NB}% sur un an (1{NNB}672{NNB}403{NB}€ en N-1).\n"
            f"BFR (cumul exercice) : 1{NNB}700{NNB}000{NB}€.")
    assert kinds(text) == []


def test_two_statuses_for_one_kpi_and_window() -> None:
    """A tile « 12 derniers mois alerte » and a sentence « … à surveiller » on the same window."""
    text = (f"DSO (délai clients)\n12 derniers mois alerte\n76{NB}j\n"
            f"à surveiller DSO (délai clients) : à surveiller DSO (délai clients) sur 12 mois glissants à fin "
            f"octobre 2026 : 76{NB}j, au-dessus du seuil d'alerte de 75{NB}j.")
    assert "two_statuses" in kinds(text)


def test_a_sentence_contradicting_its_figures() -> None:
    """A change whose sign contradicts the values quoted; a value on the wrong side of its threshold;
    a status naming the other threshold (« alerte … seuil de vigilance »)."""
    assert kinds(f"EBE (mois) : 80{NNB}057{NB}€, +7,3{NB}% sur un an (86{NNB}342{NB}€ en N-1).") == ["direction"]
    assert kinds(f"DSO (délai clients) (mois) : 58{NB}j, au-dessus du seuil de vigilance de 60{NB}j.") == ["direction"]
    assert kinds(f"alerte DSO (délai clients) de 76{NB}j, au-dessus du seuil de vigilance de 60{NB}j") == ["direction"]
    # the same sentences told right are fine
    assert kinds(f"EBE (mois) : 80{NNB}057{NB}€, −7,3{NB}% sur un an (86{NNB}342{NB}€ en N-1).") == []
    assert kinds(f"alerte DSO (délai clients) de 76{NB}j, au-dessus du seuil d'alerte de 75{NB}j") == []


def test_a_longer_label_holding_a_shorter_one_is_read_once() -> None:
    """« Dette nette / EBE (mois) : 0,96 » is not a value of « EBE »."""
    assert kinds(f"EBE (mois) : 80{NNB}057{NB}€.\nDette nette / EBE (mois) : 0,96.") == []


def test_text_of_the_other_language() -> None:
    """French template text in an English pack (a section title, a reason), and the reverse."""
    assert "Balance âgée clients et fournisseurs" in language_markers("en")
    assert kinds("Aged receivables\nBalance âgée clients et fournisseurs", "en") == ["language"]
    assert kinds("Revenue: historique insuffisant", "en") == ["language"]
    assert kinds("Balance âgée clients et fournisseurs\nAged receivables and payables", "fr") == ["language"]
    assert kinds("Balance âgée clients et fournisseurs", "fr") == []


@pytest.fixture(scope="module")
def contradicting_pdf(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's DAF pack with one more paragraph quoting the LTM DSO with another value, and an
    English title."""
    from weasyprint import HTML

    html = demo_build.html["daf"].replace(
        "</body>",
        f"<section><p>DSO (délai clients) (12 mois glissants) : 12{NB}j.</p><h2>Aged receivables and payables</h2>"
        "</section></body>")
    path = tmp_path_factory.mktemp("contradicting") / "daf_2026-10.pdf"
    HTML(string=html, base_url=str(demo_build.out)).write_pdf(path)
    return path


def test_a_pack_made_to_contradict_itself(contradicting_pdf: Path) -> None:
    """The checker reads the PDF back and finds the second DSO and the English title."""
    found = check_pdf(contradicting_pdf, "fr", get_registry().kpis.values())
    assert {f.kind for f in found} == {"two_values", "language"}, found
    assert any("DSO (délai clients) (ltm)" in f.message for f in found)


def test_boardpack_check_packs_fails_on_a_contradicting_pack(contradicting_pdf: Path) -> None:
    """``boardpack check CONFIG --packs DIR`` lists the contradictions and exits non-zero."""
    from conftest import DEMO_CONFIG

    result = CliRunner().invoke(cli, ["check", str(DEMO_CONFIG), "--packs", str(contradicting_pdf.parent)])
    assert result.exit_code != 0
    assert "incohérence (two_values)" in result.output


@pytest.mark.parametrize("audience", ["dirigeant", "daf", "operations", "banquier"])
def test_demo_packs_agree_with_themselves(demo_build: DemoBuild, audience: str) -> None:
    """Each demo pack, read back, has no contradiction."""
    found = check_pdf(demo_build.paths[audience], "fr", get_registry().kpis.values())
    assert found == [], [f.message for f in found]


def test_pdf_text_reads_every_page(demo_build: DemoBuild) -> None:
    """The text read back holds the cover and the last page."""
    text = pdf_text(demo_build.paths["dirigeant"])
    assert "Synthèse dirigeant" in text and "Page 2" in text


def test_a_count_of_ratios_that_the_ratio_page_contradicts() -> None:
    """« Ratios bancaires dans leurs seuils : 5 sur 5 » while the ratio page shows one alert."""
    page = (f"DSO (délai clients) nov. 25 – oct. 26 76{NB}j ≤{NB}75{NB}j ≤{NB}60{NB}j −1{NB}j alerte "
            f"Dette nette / EBE octobre 2026 0,96 ≤{NB}3,00 — 2,04 ok ")
    assert kinds(page + "Ratios bancaires dans leurs seuils : 2 sur 2") == ["count"]
    assert kinds(page + "Ratios dans leurs seuils : 1 sur 2 (page « Ratios bancaires »)") == []
