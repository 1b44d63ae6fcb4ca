"""The small defects a reader frowned at in the demo packs of October 2026 (issue 13), each pinned."""

from __future__ import annotations

import html as html_lib
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO_CONFIG, SMALL_COMPANY, facts_of

from boardpack.api.formatting import Formatter
from boardpack.build.consistency import check_text
from boardpack.build.context import CompanyData
from boardpack.default_plugins.sections.commentary_text import generate
from boardpack.periods import Month
from boardpack.plugins import get_registry
from boardpack.testing import build_pack, render_section

NB = "\u00a0"


def text_of(markup: str) -> str:
    """The visible text of some HTML, on one line."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_french_month_after_de_is_elided() -> None:
    """« Analyse des chiffres d'octobre 2026 » and « Les évolutions les plus marquées d'octobre 2026 »."""
    assert "Analyse des chiffres d'octobre 2026" in text_of(render_section("commentaire"))
    assert "Les évolutions les plus marquées d'octobre 2026" in text_of(render_section("faits_marquants"))
    assert "de octobre" not in text_of(render_section("commentaire") + render_section("faits_marquants"))


def test_no_comparison_sign_before_a_missing_threshold() -> None:
    """The ratio table writes « — » alone where a KPI has no such threshold, never « ≤ — »."""
    markup = render_section("ratios_bancaires")
    assert not re.search(r"[≤≥]\s*—", markup)
    assert f"≤{NB}75{NB}j" in markup  # DSO's alert threshold, with its sign


def test_quarter_ends_are_quarter_ends_oldest_first() -> None:
    """« Fins de trimestre » lists March, June, September, December, oldest first, then the period."""
    markup = render_section("rotation_stocks")
    table = markup[markup.index("Fins de trimestre"):]
    months = re.findall(r"<td>([a-zéû]+ \d{4})</td>", table)
    assert months == ["décembre 2024", "mars 2025", "juin 2025", "septembre 2025", "décembre 2025",
                      "mars 2026", "juin 2026", "septembre 2026", "octobre 2026"]


def test_large_percentages_fit_their_column() -> None:
    """The campaigns' ROI (992–5 009 %) drops its decimal from 1 000 % on, and so do changes of 100
    points or more: « 4 595 % », « −1 821 pts » instead of « 4 594,6 % », « −1 820,5 pts »."""
    fr = Formatter("fr")
    assert fr.percent(Decimal("4594.6")) == f"4\u202f595{NB}%"
    assert fr.percent(Decimal("992.3")) == f"992,3{NB}%"
    assert fr.delta(Decimal("-1820.5"), "percent") == f"\u22121\u202f821{NB}pts"
    assert fr.delta(Decimal("-2.04"), "percent") == f"\u22122,0{NB}pts"


def test_revenue_mix_promises_no_margin_and_keeps_its_note_with_it() -> None:
    """The section no longer promises margins by product, and its reconciliation note sits under the
    lead (it used to fall alone on a page after the customer table)."""
    markup = render_section("marges_produits_clients")
    title = text_of(re.search(r"<h1[^>]*>(.*?)</h1>", markup, re.S).group(1))
    assert title == "Chiffre d'affaires par produit et par client"
    assert markup.index("CA comptable") < markup.index("<table")


def test_quality_page_names_checks_in_the_readers_language() -> None:
    """The data-quality page describes each check in French, without its English identifier."""
    text = text_of(render_section("qualite_donnees"))
    assert "Factures en double" in text
    for check in get_registry().quality_checks:
        name = getattr(check, "name", str(check))
        assert name not in text, name


def test_commentary_gaps_are_worded_for_the_reader(make_entries: Callable[..., pd.DataFrame]) -> None:
    """A sentence the data cannot support is listed under its topic in the pack's language, never
    under the code's English docstring; in English, with the reason from the catalogue."""
    entries = make_entries([
        ("01/01/2025", "AN", "0", "512000", "", "1000", "0"),
        ("01/01/2025", "AN", "0", "101300", "", "0", "1000"),
        ("10/03/2025", "VE", "1", "512000", "", "100", "0"),
        ("10/03/2025", "VE", "1", "706000", "", "0", "100"),
    ])
    ctx = CompanyData({"entries": entries}, SMALL_COMPANY)
    _, missing_fr = generate(facts_of(ctx, Month(2025, 3)), Formatter("fr"))
    _, missing_en = generate(facts_of(ctx, Month(2025, 3)), Formatter("en"))
    assert missing_fr and all(m.split(" : ")[0] in ("Chiffre d'affaires", "Marge", "Trésorerie") for m in missing_fr)
    assert not any("The " in m for m in missing_fr)
    assert missing_en and all(m.split(": ")[0] in ("Revenue", "Margin", "Cash") for m in missing_en)
    assert not any("écritures" in m for m in missing_en), missing_en


@pytest.mark.parametrize("section", ["kpi_tiles", "kpi_table", "alertes", "qualite_donnees", "commentaire",
                                     "ratios_bancaires", "note_de_synthese"])
def test_english_sections_hold_no_french_template_text(section: str) -> None:
    """An English section shows no French template text nor a French reason (« historique
    insuffisant » reads « not enough history »)."""
    pack = build_pack(sections=[section], language="en")
    labels = {kpi.label["en"]: kpi.headline for kpi in pack.engine.kpis.values()}
    found = [f for f in check_text(text_of(pack.html), "en", labels, section) if f.kind == "language"]
    assert found == [], [f.message for f in found]
    assert "historique insuffisant" not in pack.html


def test_bfr_alert_names_its_driver_not_growth() -> None:
    """Revenue +1,3 % while the BFR grows 8,6 %: the alert says the BFR absorbs cash beyond activity,
    first through customer receivables (late payers), never « la croissance consomme de la trésorerie »."""
    pack = build_pack(sections=["alertes"])
    [alert] = [a for a in pack.alerts if a.rule == "bfr_vs_revenue"]
    assert "d'abord par les créances clients" in alert.message["fr"]
    assert "croissance consomme" not in alert.message["fr"]


def test_banker_synthesis_is_current_and_counts_like_the_ratio_page() -> None:
    """The note de synthèse shows the last closed year, the year to date against N-1 and budget and
    the last 12 months; its count of ratios within thresholds is the ratio page's; the year to
    date's falls are among its points of attention."""
    pack = build_pack(sections=["note_de_synthese", "ratios_bancaires"], audience="banquier")
    text = text_of(pack.html)
    assert "Dernier exercice clos" in text and "Cumul janv.–octobre 2026" in text and "12 mois glissants" in text
    ratio_page = text_of(pack.html.split('id="sec-ratios_bancaires"', 1)[1])
    statuses = re.findall(r" (ok|à surveiller|alerte) ", ratio_page.split("Marge :")[0] + " ")
    within = re.search(r"Ratios dans leurs seuils : (\d+) sur (\d+)", text)
    assert within and (int(within.group(1)), int(within.group(2))) == (statuses.count("ok"), len(statuses))
    assert "EBE (cumul exercice) : 544 k€, −33,7 % sur N-1" in text.replace("\u202f", " ")


def test_dirigeant_first_page_shows_the_year_not_only_the_month() -> None:
    """Under the tiles: the last closed year, the year to date against N-1 and the budget, and the
    last 12 months of the money flows (revenue, EBE…)."""
    text = text_of(render_section("kpi_tiles"))
    assert "Où en est l'année" in text and "Exercice 2025" in text
    assert "Cumul janv.–octobre 2026" in text and "12 mois glissants" in text


def test_contents_page_keeps_its_reading_conventions(tmp_path: Path) -> None:
    """A long contents (here 19 sections) is set tighter, so the reading conventions stay on its
    page instead of spilling onto the next one as a page holding one legend line."""
    from pypdf import PdfReader

    from boardpack.build import build
    from boardpack.config import load_config

    text = DEMO_CONFIG.read_text(encoding="utf-8")
    text = text.replace('sections = ["commentaire", "kpi_table",',
                        'sections = ["kpi_tiles", "tendances", "faits_marquants", "commentaire", "kpi_table",', 1)
    shutil.copytree(DEMO_CONFIG.parent / "commentaires", tmp_path / "commentaires")
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    result = build(load_config(tmp_path / "config.toml"), audiences=["daf"], out_dir=tmp_path / "out")
    pages = PdfReader(result.paths["daf"]).pages
    contents, following = pages[1].extract_text(), pages[2].extract_text()
    assert contents.count("\n") > 19 and "Conventions de lecture" in contents
    assert "par rapport aux seuils de vigilance" in contents
    assert "par rapport aux seuils de vigilance" not in following


def test_a_ratio_without_value_says_why_under_its_name_with_a_french_month(small_datasets: dict[str, pd.DataFrame]) -> None:
    """The small company holds more cash than debt: the FCF coverage has no value. Its reason sits
    under the ratio's name (a reason in the narrow status column ran off the page) and its month
    reads « février 2026 », never « 2026-02 »."""
    pack = build_pack(small_datasets, sections=["ratios_bancaires"], audience="banquier", period="2026-02")
    html = pack.section("ratios_bancaires")
    assert '<span class="reason">pas de dette nette à fin février 2026 :' in html
    assert "2026-02" not in text_of(html)
