"""Generated commentary (traceable to its figures) and the DAF's Markdown commentary."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from boardpack.build import build
from boardpack.build.commentary import human_commentary
from boardpack.default_plugins.sections.commentary_text import generate
from boardpack.config import load_config
from boardpack.formatting import Formatter
from boardpack.build.context import CompanyData
from boardpack.periods import Month

from conftest import facts_of

FEB_2026 = Month(2026, 2)
FR = Formatter("fr")


def test_revenue_sentence_quotes_its_figures(small_ctx: CompanyData) -> None:
    """February 2026: CA 11 000 € against 10 000 € a year earlier (+10,0 %); YTD 22 000 € (+10,0 %)."""
    sentences, _ = generate(facts_of(small_ctx, FEB_2026), FR)
    revenue = next(s for s in sentences if s.topic == "chiffre_affaires")
    assert revenue.sources["chiffre_affaires[month 2026-02]"] == Decimal("11000.00")
    assert revenue.sources["chiffre_affaires[month 2026-02]@n1"] == Decimal("10000.00")
    assert revenue.sources["chiffre_affaires[ytd 2026-01..2026-02]"] == Decimal("22000.00")
    # amounts of 10 000 € and more are shown in whole k€
    assert "février 2026 : 11\u00a0k€, +10,0\u00a0% sur un an" in revenue.text
    assert "22\u00a0k€, +10,0\u00a0% sur un an" in revenue.text


def test_margin_driver_is_the_charge_that_moved_most(small_ctx: CompanyData) -> None:
    """Staff costs fell from 42,0 % to 38,2 % of CA (materials only 30,0 → 27,3 %): they drive EBE up."""
    # YTD 2026: CA 22 000, staff 8 400 (38,2 %), materials 6 000 (27,3 %), EBE 7 600 (34,5 %)
    # YTD 2025: CA 20 000, staff 8 400 (42,0 %), materials 6 000 (30,0 %), EBE 5 600 (28,0 %)
    sentences, _ = generate(facts_of(small_ctx, FEB_2026), FR)
    margin = next(s for s in sentences if s.topic == "marge")
    assert "34,5\u00a0% du CA" in margin.text and "contre 28,0\u00a0%" in margin.text
    assert "charges de personnel : 38,2\u00a0% du CA contre 42,0\u00a0%" in margin.text
    assert margin.sources["charges_personnel[ytd 2026-01..2026-02]"] == Decimal("8400.00")


def test_cash_bridge_reconciles(small_ctx: CompanyData) -> None:
    """Net cash 78 800 € at the end of 2025, 86 000 € at the end of February 2026 (+7 200 €)."""
    sentences, _ = generate(facts_of(small_ctx, FEB_2026), FR)
    cash = next(s for s in sentences if s.topic == "tresorerie")
    sources = {k.split("[")[0]: v for k, v in cash.sources.items()}
    assert sources["flux:tresorerie_debut"] == Decimal("78800.00")
    assert sources["flux:tresorerie_fin"] == Decimal("86000.00")
    assert sources["flux:variation"] == sources["flux:fte"] + sources["flux:fti"] + sources["flux:ftf"]
    assert "passe de 79\u00a0k€ à 86\u00a0k€" in cash.text and "(+7,2\u00a0k€)" in cash.text


def test_english_commentary(small_ctx: CompanyData) -> None:
    """The same sentences exist in English with English number formats."""
    sentences, _ = generate(facts_of(small_ctx, FEB_2026), Formatter("en"))
    assert sentences[0].text.startswith("Revenue — February 2026: €11k, +10.0% year on year")


def test_missing_data_gives_reasons_not_sentences(small_ctx: CompanyData) -> None:
    """Before the ledger starts, no sentence is invented; each missing one says why."""
    sentences, missing = generate(facts_of(small_ctx, Month(2023, 5)), FR)
    assert sentences == []
    assert len(missing) == 3 and all("écritures disponibles" in reason for reason in missing)


def test_audience_file_wins_and_html_is_not_rendered(tmp_path: Path) -> None:
    """AAAA-MM-<audience>.md beats AAAA-MM.md; raw HTML in Markdown is escaped, not rendered."""
    (tmp_path / "2026-10.md").write_text("Pour **tous**", encoding="utf-8")
    (tmp_path / "2026-10-daf.md").write_text("Pour le DAF <script>x()</script>", encoding="utf-8")
    found = human_commentary(tmp_path, Month(2026, 10), "daf")
    assert found is not None
    html, name = found.html, found.source
    assert name == "2026-10-daf.md"
    assert "<script>" not in html and "&lt;script&gt;" in html
    found = human_commentary(tmp_path, Month(2026, 10), "banquier")
    assert found is not None and "<strong>tous</strong>" in found.html
    assert human_commentary(tmp_path, Month(2026, 9), "daf") is None
    assert human_commentary(None, Month(2026, 10), "daf") is None


def test_demo_pack_places_the_daf_commentary() -> None:
    """The demo's dirigeant pack shows the DAF's October text and the generated analysis."""
    config = load_config(Path(__file__).resolve().parent.parent / "src" / "boardpack" / "demo" / "config.toml")
    html = build(config, audiences=["dirigeant"], write=False).html["dirigeant"]
    assert "Le mot de la direction financière" in html
    assert "<strong>Groupe Autoliance</strong>" in html
    # October 2026 revenue computed independently from the shipped entries.csv
    data = Path(__file__).resolve().parent.parent / "src" / "boardpack" / "demo" / "data" / "entries.csv"
    revenue = Decimal(0)
    with data.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream, delimiter=";"):
            if row["account"].startswith("70") and row["date"].endswith("/10/2026"):
                revenue += Decimal(row["credit"].replace(",", ".")) - Decimal(row["debit"].replace(",", "."))
    assert f'data-sources="chiffre_affaires[month 2026-10]={revenue}' in html
