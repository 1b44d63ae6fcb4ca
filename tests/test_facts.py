"""The fact table: facts computed once per build, with hand-checked values and their definitions,
shared by every pack, quoted by the sections (never recomputed from the ledger), written in the
companion workbook."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DEMO_CONFIG, facts_of

from boardpack.build import build
from boardpack.build.context import CompanyData
from boardpack.config import load_config
from boardpack.periods import Month, Window

FEB_2026 = Month(2026, 2)
SECTIONS = Path(__file__).resolve().parent.parent / "src" / "boardpack" / "default_plugins" / "sections"


def test_statement_facts_of_the_small_company(small_ctx: CompanyData) -> None:
    """Hand-computed from the small company's entries (see conftest): CA 11 000 € a month in 2026,
    10 000 € in 2025; net cash 78 800 € at the end of 2025, +3 000 € in January 2026 (+12 000
    collected − 3 000 suppliers − 1 200 URSSAF − 3 000 net pay − 1 800 loan); financial debt
    90 000 − 14 × 1 500 repaid + 1 500 overdraft on bank B (the June 2025 transfer)."""
    facts = facts_of(small_ctx, FEB_2026)
    ytd = facts.window("ytd")
    assert ytd == Window("ytd", Month(2026, 1), FEB_2026)
    revenue = facts.line("chiffre_affaires", ytd)
    assert revenue.id == "chiffre_affaires[ytd 2026-01..2026-02]"
    assert revenue.value == Decimal("22000.00") and revenue.unit == "money" and revenue.kind == "pl"
    n1 = facts.line("chiffre_affaires", ytd, "n1")
    assert n1.id == "chiffre_affaires[ytd 2026-01..2026-02]@n1" and n1.of == revenue.id
    assert n1.value == Decimal("20000.00") and n1.window == Window("ytd", Month(2025, 1), Month(2025, 2))
    assert facts.line("chiffre_affaires", ytd, "budget").value == Decimal("21000.00")
    assert facts.balance("tresorerie_nette", Month(2025, 12)).value == Decimal("78800.00")
    assert facts.balance("tresorerie_nette", Month(2026, 1)).value == Decimal("81800.00")
    debt = facts.balance("dettes_financieres", FEB_2026)
    assert debt.id == "bilan:dettes_financieres[2026-02]" and debt.value == Decimal("70500.00")
    # the year to date's cash: +7 200 €, of which 2 × 1 500 € repaid (FTF); nothing invested
    flows = facts.flows(ytd)
    assert flows["variation"].value == Decimal("7200.00")
    assert flows["ftf"].value == Decimal("-3000.00") and flows["fti"].value == Decimal(0)
    assert flows["fte"].value == Decimal("10200.00") and flows["ecart"].value == Decimal(0)
    # CAF = résultat net (22 000 − 6 000 − 8 400 − 600 interest − 2 000 depreciation) + 2 000
    assert facts.flow("caf", ytd).value == Decimal("7000.00") == facts.flow("caf_soustractive", ytd).value


def test_a_sig_budget_is_rebuilt_and_says_what_it_counts_as_zero(small_ctx: CompanyData) -> None:
    """The budget holds CA (10 500 €/month) and achats consommés (3 200 €/month): the EBE budget
    of January–February 2026 is 21 000 − 6 400 = 14 600 €, staff costs counting as zero."""
    facts = facts_of(small_ctx, FEB_2026)
    budget = facts.line("ebe", facts.window("ytd"), "budget")
    assert budget.value == Decimal("14600.00") and budget.kind == "comparison" and budget.comparison == "budget"
    assert set(budget.counted_zero) == {"salaires", "charges_sociales"}
    assert "comptées pour zéro" in budget.definition["fr"] and "Salaires" in budget.definition["fr"]


def test_definitions_follow_the_pcg_mapping_of_the_year(small_ctx: CompanyData) -> None:
    """A line's definition is its accounts under the mapping of its fiscal year (649 is a social
    charge from 2025 on); a SIG subtotal's is its formula; a total's, the lines it adds."""
    facts = facts_of(small_ctx, FEB_2026)
    wages_2026 = facts.line("salaires", facts.window("ytd"))
    assert "64 hors 645, 646, 647, 649" in wages_2026.definition["fr"]
    wages_2024 = facts.line("salaires", Window("ytd", Month(2024, 1), Month(2024, 2)))
    assert "64 hors 645, 646, 647 :" in wages_2024.definition["fr"]
    assert wages_2024.value is None and "écritures disponibles" in (wages_2024.reason or "")
    with pytest.raises(Exception, match="écritures disponibles"):
        wages_2024.require()
    assert facts.line("chiffre_affaires", facts.window("ytd")).definition == {
        "fr": "Ventes de marchandises + Production vendue", "en": "Sales of goods for resale + Sales of own production"}
    assert facts.balance("dettes_financieres", FEB_2026).definition["fr"].startswith("Emprunts et dettes auprès")


def test_a_fact_is_computed_once_and_quoted_in_order(small_ctx: CompanyData) -> None:
    """Asking twice gives the same object; the pack's fact table lists each fact once, in order."""
    facts = facts_of(small_ctx, FEB_2026)
    ytd = facts.window("ytd")
    first = facts.line("ebe", ytd)
    facts.balance("stocks", FEB_2026)
    assert facts.line("ebe", ytd) is first
    assert [f.id for f in facts.quoted()] == ["ebe[ytd 2026-01..2026-02]", "bilan:stocks[2026-02]"]
    assert facts.get("bilan:stocks[2026-02]").value == Decimal("23000.00")  # 20 000 opening + 3 000 (Dec. 2025)
    # the February invoice (13 200 € incl. VAT) is unpaid; C002's 600 € advance is a credit balance
    owed = facts.accounts(("411",), FEB_2026, "debit")
    assert owed.id == "bilan:soldes_debiteurs_411[2026-02]" and owed.value == Decimal("13200.00")
    assert facts.accounts(("411",), FEB_2026, "credit").value == Decimal("600.00")
    with pytest.raises(ValueError, match="inconnue"):
        facts.line("chiffre_dafaires", ytd)


@pytest.fixture(scope="module")
def demo_packs() -> dict:
    """The demo's four packs rendered to HTML once, with their workbooks (nothing written)."""
    config = load_config(DEMO_CONFIG)
    return build(config, write=False).packs


def test_two_packs_of_a_build_quote_the_same_fact(demo_packs: dict) -> None:
    """The dirigeant's and the DAF's packs share the build's fact table: a fact both quote is one object."""
    dirigeant, daf = demo_packs["dirigeant"], demo_packs["daf"]
    shared = {f.id for f in dirigeant.facts.quoted()} & {f.id for f in daf.facts.quoted()}
    assert "chiffre_affaires[ytd 2026-01..2026-10]" in shared
    for fact_id in shared:
        assert dirigeant.facts.get(fact_id) is daf.facts.get(fact_id)
    assert dirigeant.facts.table is daf.facts.table


def test_commentary_sources_are_facts_of_the_pack(demo_packs: dict) -> None:
    """Every source of a generated sentence is a fact id of the pack's fact table, with its value."""
    pack = demo_packs["dirigeant"]
    html = build(load_config(DEMO_CONFIG), audiences=["dirigeant"], write=False).html["dirigeant"]
    sources = re.findall(r'data-sources="([^"]*)"', html)
    assert len(sources) >= 3
    quoted = {f.id: f for f in pack.facts.quoted()}
    for listing in sources:
        for item in listing.split("; "):
            fact_id, value = item.rsplit("=", 1)
            assert fact_id in quoted, fact_id
            assert Decimal(value) == quoted[fact_id].value


def test_the_workbook_has_the_facts_quoted_sheet(demo_packs: dict) -> None:
    """The companion workbook ends with « Faits cités »: id, label, window, value as a number, unit, definition."""
    from openpyxl import load_workbook

    from boardpack.render.workbook import workbook_bytes

    pack = demo_packs["daf"]
    title, table = pack.tables[-1]
    assert title == "Faits cités" and table.title == "Faits cités"
    book = load_workbook(io.BytesIO(workbook_bytes(pack.tables, "DAF", "fr")))
    sheet = book["Faits cités"]
    header = [cell.value for cell in sheet[4]]
    assert header[:6] == ["Id", "Libellé", "Fenêtre", "Valeur", "Unité", "Définition"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True) if row[1]}  # the note: no label
    revenue = pack.facts.get("chiffre_affaires[ytd 2026-01..2026-10]")
    row = rows[revenue.id]
    assert isinstance(row[3], (int, float)) and Decimal(str(row[3])) == revenue.value
    assert row[5] == "Ventes de marchandises + Production vendue"
    assert len(rows) == len(pack.facts.quoted())


#: Section modules still reading figures from the ledger themselves, shrinking: the interest paid
#: and loans repaid read from 66x/16x for the financing request (financing).
STILL_COMPUTING = {"financing.py"}
_RECOMPUTING = re.compile(r"\.(pl|bilan|budget|split_balance|debits)\(|\.statements\b|ledger\.(flows|balances|movements)\("
                          r"|\bcash_flow\(|\bnet_cash\(|\bcaf_additive\(|\bcaf_subtractive\(|engine\.value\(")


def test_converted_sections_quote_facts_instead_of_recomputing() -> None:
    """The converted section modules never read a statement line, a budget or a flow themselves."""
    offenders = []
    for path in sorted(SECTIONS.glob("*.py")):
        if path.name in STILL_COMPUTING:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _RECOMPUTING.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []
    still = {p.name for p in SECTIONS.glob("*.py") if _RECOMPUTING.search(p.read_text(encoding="utf-8"))}
    assert still <= STILL_COMPUTING, "a module was converted: remove it from STILL_COMPUTING"
    assert still == STILL_COMPUTING, "shrink STILL_COMPUTING to the modules still computing"
