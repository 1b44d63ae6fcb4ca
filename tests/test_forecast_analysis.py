"""Banque de France-style analysis on a hand-computed balance sheet, the backtest on a small
company, and the forecast sections on the demo."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boardpack.api.forecast import banker_ratios, forecast_backtest, functional_balance
from boardpack.build.context import CompanyData
from boardpack.forecast.functional import group_of
from boardpack.periods import Month
from conftest import SMALL_COMPANY
from test_forecast_plan import AS_OF, _company

MARCH = Month(2025, 3)


def _ledger(make_entries) -> CompanyData:
    """Opening: capital 60 000, loan 60 000, machine 120 000 (depreciated 30 000), stock 20 000,
    customers 36 000, suppliers 24 000, VAT due 6 000, IS due 4 000, bank 18 000 and overdraft 10 000.
    In March: sales 30 000 (+ 6 000 VAT) on credit, wages 12 000 paid, 1 000 of loan interest paid."""
    rows = [
        ("01/01/2025", "AN", "0", "101300", "", "0", "60000"), ("01/01/2025", "AN", "0", "164000", "", "0", "60000"),
        ("01/01/2025", "AN", "0", "215400", "", "120000", "0"), ("01/01/2025", "AN", "0", "281540", "", "0", "30000"),
        ("01/01/2025", "AN", "0", "310000", "", "20000", "0"), ("01/01/2025", "AN", "0", "411000", "C1", "36000", "0"),
        ("01/01/2025", "AN", "0", "401000", "F1", "0", "24000"), ("01/01/2025", "AN", "0", "445510", "", "0", "6000"),
        ("01/01/2025", "AN", "0", "444000", "", "0", "4000"), ("01/01/2025", "AN", "0", "512000", "", "18000", "0"),
        ("01/01/2025", "AN", "0", "519000", "", "0", "10000"),
        ("15/03/2025", "VE", "1", "411000", "C1", "36000", "0"), ("15/03/2025", "VE", "1", "706000", "", "0", "30000"),
        ("15/03/2025", "VE", "1", "445710", "", "0", "6000"),
        ("31/03/2025", "BQ", "2", "641000", "", "12000", "0"), ("31/03/2025", "BQ", "2", "512000", "", "0", "12000"),
        ("31/03/2025", "BQ", "3", "661100", "", "1000", "0"), ("31/03/2025", "BQ", "3", "512000", "", "0", "1000"),
    ]
    return CompanyData({"entries": make_entries(rows)}, SMALL_COMPANY)


def test_account_groups() -> None:
    """Each class lands in its group: 404 is outside the operating cycle, 409 with the customers, 519 in cash."""
    assert [group_of(a) for a in ("101300", "281540", "164000", "215400", "310000", "411000", "409100", "401000",
                                  "404000", "431000", "445710", "444000", "512000", "519000", "706000", "801000")] == [
        "capitaux_propres", "amortissements", "dettes_financieres", "emplois_stables", "stocks", "clients", "clients",
        "fournisseurs", "hors_exploitation", "fiscal_social", "fiscal_social", "hors_exploitation", "tresorerie",
        "tresorerie", "capitaux_propres", None]


def test_functional_balance_by_hand(make_entries) -> None:
    """At the end of March: resources 60 000 + 17 000 (result: 30 000 − 12 000 − 1 000) + 30 000 + 60 000
    = 167 000; uses 120 000; FRNG 47 000; BFRE 20 000 + 72 000 − 24 000 − 12 000 = 56 000; BFRHE −4 000;
    cash 18 000 − 13 000 − 10 000 = −5 000 = FRNG − BFR."""
    data = _ledger(make_entries)
    fb = functional_balance(data.statements, MARCH)
    assert fb.ressources_stables == 167000 * 100
    assert fb.emplois_stables == 120000 * 100
    assert fb.frng == 47000 * 100
    assert fb.bfre == 56000 * 100
    assert fb.bfrhe == -4000 * 100
    assert fb.tresorerie == -5000 * 100 == fb.frng - fb.bfr
    assert fb.gap == 0


def test_ratios_by_hand(make_entries) -> None:
    """Ratios over the months known, each with its inputs: EBE 18 000 / VA 30 000 = 60 %; wages / VA 40 %;
    financial charges / EBE 5,56 %; vétusté 30 000 / 120 000 = 25 %; gearing 60 000 / 77 000."""
    data = _ledger(make_entries)
    data.calendar = type(data.calendar)(1, (), MARCH)  # a young company: its first month of movements
    fb, ratios = banker_ratios(data, MARCH)
    by_key = {r.key: r for r in ratios}
    assert by_key["ebe_va"].value == Decimal(60)
    assert by_key["personnel_va"].value == Decimal(40)
    assert by_key["frais_financiers_ebe"].value.quantize(Decimal("0.01")) == Decimal("5.56")
    assert by_key["taux_vetuste"].value == Decimal(25)
    assert by_key["gearing"].value == Decimal(60000) / Decimal(77000)
    assert by_key["taux_vetuste"].status == "ok" and by_key["ebe_va"].status == "ok"
    assert [name["fr"] for name, _ in by_key["ebe_va"].inputs] == ["EBE", "Valeur ajoutée"]
    assert by_key["concentration_client"].value is None and "invoices" in by_key["concentration_client"].reason


def test_backtest_on_the_small_company(make_entries) -> None:
    """Plans made at the ends of September, October and November 2025, checked at 1 and 3 months
    against the ledger's cash; the drivers only read what was known then."""
    data = _company(make_entries)
    test = forecast_backtest(data, AS_OF, count=3)
    assert sorted({(p.as_of, p.horizon) for p in test.points}) == [
        (Month(2025, 9), 1), (Month(2025, 9), 3), (Month(2025, 10), 1), (Month(2025, 11), 1)]
    from boardpack.api.accounting import net_cash

    for point in test.points:
        assert point.actual == net_cash(data.statements, point.target)
        assert point.error == point.forecast - point.actual
    assert test.mean_absolute_error(1) == sum(abs(p.error) for p in test.at(1)) // 3
    assert test.mean_absolute_error(6) is None


@pytest.mark.parametrize("name", ["plan_tresorerie", "demande_financement", "analyse_financiere", "backtest_tresorerie"])
def test_forecast_sections_render_on_the_demo(name: str) -> None:
    """Each forecast section renders on the demo data (the demo config's tables are not read here,
    so the loan request says what is missing)."""
    from boardpack.testing import render_section

    html = render_section(name)
    if name == "demande_financement":
        assert "[financing]" in html
    else:
        assert "non disponible" not in html
