"""CAF by both methods and the tableau de flux, on the small company (figures in conftest)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from boardpack.accounting import Ledger, Statements
from boardpack.accounting.cashflow import caf_additive, caf_subtractive, cash_flow, net_cash
from boardpack.accounting.report import fiscal_years, year_report
from boardpack.build.context import CompanyData
from boardpack.periods import Month, Window

YEAR_2025 = Window("fy", Month(2025, 1), Month(2025, 12))


@pytest.fixture
def statements(small_ctx: CompanyData) -> Statements:
    """The small company's statements."""
    return small_ctx.statements


def test_caf_additive_by_hand(statements: Statements) -> None:
    """2025: résultat net 17 000 + dotations 12 × 1 000 = CAF 29 000 €."""
    parts = caf_additive(statements, YEAR_2025)
    assert parts["resultat_net"] == 1_700_000
    assert parts["dotations"] == 1_200_000
    assert parts["caf"] == 2_900_000


def test_caf_subtractive_agrees(statements: Statements) -> None:
    """From EBE 36 600 − charges financières 3 600 − IS 4 000 = 29 000 €, as the additive method."""
    parts = caf_subtractive(statements, YEAR_2025)
    assert parts["ebe"] == 3_660_000
    assert parts["charges_financieres"] == -360_000
    assert parts["impot"] == -400_000
    assert parts["caf"] == caf_additive(statements, YEAR_2025)["caf"] == 2_900_000


def test_net_cash_opening_and_closing(statements: Statements) -> None:
    """Net cash: 50 000 at the opening; 80 300 − 1 500 (bank B overdrawn) = 78 800 at end 2025."""
    assert net_cash(statements, Month(2024, 12)) == 5_000_000
    assert net_cash(statements, Month(2025, 12)) == 7_880_000


def test_cash_flow_2025_by_hand(statements: Statements) -> None:
    """Gross BFR goes from 20 000 (stock) to 2 200; FTE 46 800, FTI 0, FTF −18 000; gap 0."""
    # end 2025: stock 23 000 + customer 12 000 − advance 600 − supplier 3 000 − URSSAF 1 200
    #           − VAT collected 24 000 − income tax 4 000 = 2 200
    flows = cash_flow(statements, YEAR_2025)
    assert flows.caf == 2_900_000
    assert flows.delta_bfr == 220_000 - 2_000_000
    assert flows.fte == 4_680_000
    assert flows.fti == 0
    assert flows.emprunts == -1_800_000
    assert flows.ftf == -1_800_000
    assert flows.variation == 2_880_000
    assert flows.ecart == 0


def test_unexplained_movement_shows_as_gap() -> None:
    """A cash movement against an account no flow category covers is reported as a gap, not hidden."""
    rows = [
        ("2025-01-01", "AN", "1", "512000", 100_000, 0), ("2025-01-01", "AN", "1", "101300", 0, 100_000),
        ("2025-03-10", "BQ", "2", "512000", 5_000, 0), ("2025-03-10", "BQ", "2", "467000", 0, 5_000),
        ("2025-03-20", "VE", "3", "411000", 1_000, 0), ("2025-03-20", "VE", "3", "706000", 0, 1_000),
    ]
    frame = pd.DataFrame(rows, columns=["date", "journal", "entry_id", "account", "debit", "credit"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["aux_account"] = ""
    frame["account_label"] = ""
    statements = Statements(Ledger(frame))
    flows = cash_flow(statements, Window("month", Month(2025, 3), Month(2025, 3)))
    assert flows.variation == 5_000
    # 467 (autres dettes) is in the BFR, so the 5 000 is explained; the sale is unpaid
    assert flows.fte == 1_000 - (1_000 - 5_000)
    assert flows.ecart == 0
    frame.loc[3, "account"] = "280000"  # now the cash came from an amortisation account
    statements = Statements(Ledger(frame))
    flows = cash_flow(statements, Window("month", Month(2025, 3), Month(2025, 3)))
    assert flows.ecart == 5_000


def test_year_report_keys_and_totals(statements: Statements) -> None:
    """The statements JSON carries the documented keys with the hand-computed 2025 figures."""
    year = next(y for y in fiscal_years(statements) if y.start == Month(2025, 1))
    report = year_report(statements, year)
    assert report["complet"] is True
    assert report["compte_de_resultat"]["chiffre_affaires_net"] == Decimal("120000.00")
    assert report["sig"]["ebe"] == Decimal("36600.00")
    assert report["sig"]["resultat_exploitation"] == Decimal("24600.00")
    assert report["sig"]["resultat_net"] == Decimal("17000.00")
    assert report["caf"]["caf"] == Decimal("29000.00")
    assert report["caf"]["concordance"] is True
    assert report["bilan"]["total_bilan"] == report["bilan"]["total_actif"] == report["bilan"]["total_passif"]
    assert report["flux"]["ecart"] == Decimal("0.00")
    assert report["bfr"]["total"] == Decimal("23000.00") + Decimal("12000.00") - Decimal("600.00") - Decimal(
        "3000.00"
    ) - Decimal("1200.00") - Decimal("24000.00") - Decimal("4000.00")


def test_incomplete_year_is_flagged(statements: Statements) -> None:
    """2026 has data to February only: the report says so."""
    year = fiscal_years(statements)[-1]
    report = year_report(statements, year)
    assert report["complet"] is False
    assert report["donnees_jusqu_a"] == "2026-02"
