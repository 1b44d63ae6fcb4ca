"""The 12-month cash plan on a small hand-computed company: lines, closing cash, lowest point,
minimum crossed, and the two stresses; drivers without data say so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from boardpack.api.forecast import cash_plans
from boardpack.build.context import CompanyData
from boardpack.default_plugins.sources.datasets import INVOICES, LOANS
from boardpack.periods import Month
from conftest import SMALL_COMPANY

DRIVERS = ("creances_clients", "ventes_futures", "salaires", "tva", "emprunts")
AS_OF = Month(2025, 12)


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _company(make_entries, tables: dict | None = None, invoices: bool = True) -> CompanyData:
    """2025: 10 000 € opening cash; each month a 1 000 € sale (+ 200 € VAT) on the 15th paid 30 days
    later (December's still open); gross pay 500 € (net 400 € paid in the month, 100 € + 200 € of
    contributions paid the next month); the month's 200 € of VAT paid the next month."""
    rows = [("01/01/2025", "AN", "0", "512000", "", "10000", "0"), ("01/01/2025", "AN", "0", "101300", "", "0", "10000")]
    invoice_rows = []
    for m in range(1, 13):
        month = Month(2025, m)
        issue = dt.date(2025, m, 15)
        paid = issue + dt.timedelta(days=30)
        e = f"{m:02d}"
        rows += [(_fr(issue), "VE", f"V{e}", "411000", "C1", "1200", "0"), (_fr(issue), "VE", f"V{e}", "706000", "", "0", "1000"),
                 (_fr(issue), "VE", f"V{e}", "445710", "", "0", "200"),
                 (_fr(month.last_day), "OD", f"P{e}", "641000", "", "500", "0"),
                 (_fr(month.last_day), "OD", f"P{e}", "421000", "", "0", "400"),
                 (_fr(month.last_day), "OD", f"P{e}", "431000", "", "0", "100"),
                 (_fr(month.last_day), "OD", f"P{e}", "645000", "", "200", "0"),
                 (_fr(month.last_day), "OD", f"P{e}", "431000", "", "0", "200"),
                 (_fr(month.last_day), "BQ", f"N{e}", "421000", "", "400", "0"),
                 (_fr(month.last_day), "BQ", f"N{e}", "512000", "", "0", "400")]
        if m < 12:
            rows += [(_fr(paid), "BQ", f"R{e}", "512000", "", "1200", "0"), (_fr(paid), "BQ", f"R{e}", "411000", "C1", "0", "1200")]
            pay_day = _fr(dt.date(2025, m + 1, 20))
            rows += [(pay_day, "BQ", f"S{e}", "431000", "", "300", "0"), (pay_day, "BQ", f"S{e}", "512000", "", "0", "300"),
                     (pay_day, "BQ", f"T{e}", "445710", "", "200", "0"), (pay_day, "BQ", f"T{e}", "512000", "", "0", "200")]
        invoice_rows.append({"kind": "sale", "number": f"F{e}", "counterparty": "Client 1", "issue_date": _fr(issue),
                             "due_date": _fr(paid), "paid_date": _fr(paid) if m < 12 else "",
                             "amount_excl_tax": "1000", "amount_incl_tax": "1200"})
    datasets = {"entries": make_entries(rows)}
    if invoices:
        datasets["invoices"] = INVOICES.coerce(pd.DataFrame(invoice_rows, dtype=object), "test")
    datasets["loans"] = LOANS.coerce(pd.DataFrame(
        [{"loan": "L1", "lender": "Banque", "period": str(Month(2026, m)), "principal_due": "100", "interest_due": "10",
          "outstanding": str(1200 - 100 * m)} for m in range(1, 13)], dtype=object), "test")
    options = {"drivers": DRIVERS, "vat_regime": "mensuel", "months": 12, "minimum_cash": Decimal(13100)}
    return CompanyData(datasets, SMALL_COMPANY, tables={"forecast": options, **(tables or {})})


def _line(plan, key: str) -> list[int]:
    line = next(line for line in plan.lines if line.key == key)
    return [line.amounts.get(month, 0) // 100 for month in plan.months]


def test_base_plan_by_hand(make_entries) -> None:
    """Opening 12 900 € (10 000 + 11 × 1 200 − 12 × 400 − 11 × 300 − 11 × 200); each month +190 €:
    1 200 collected, −400 net pay, −300 contributions, −200 VAT, −110 loan."""
    base = cash_plans(_company(make_entries), AS_OF)[0]
    assert base.opening == 1290000
    assert _line(base, "creances_clients") == [1200] + [0] * 11  # December's invoice, at the customer's 30 days
    assert _line(base, "ventes_futures") == [0] + [1200] * 11  # N-1's 1 000 € + 20 % VAT, 30 days later
    assert _line(base, "salaires_nets") == [-400] * 12
    assert _line(base, "charges_sociales") == [-300] * 12  # December's owed at the close, then each month's
    assert _line(base, "tva") == [-200] * 12
    assert _line(base, "emprunts") == [-110] * 12
    assert [cash // 100 for _, cash in base.closings()] == [12900 + 190 * k for k in range(1, 13)]
    assert base.lowest == (Month(2026, 1), 1309000)
    assert base.minimum == 1310000 and base.crossing == Month(2026, 1)
    assert {gap.driver for gap in base.gaps} == set()


def test_stresses_by_hand(make_entries) -> None:
    """Sales −15 %: 1 020 € collected and 170 € of VAT from February (+40 € a month), lowest in
    January; +15 days: January's invoicing half in February, half in March: lowest 12 680 € in February."""
    plans = {plan.scenario.key: plan for plan in cash_plans(_company(make_entries), AS_OF)}
    assert list(plans) == ["base", "ventes_moins_15", "retard_15_jours"]
    sales = plans["ventes_moins_15"]
    assert _line(sales, "ventes_futures") == [0] + [1020] * 11
    assert _line(sales, "tva") == [-200] + [-170] * 11
    assert sales.closing(Month(2026, 12)) == 1290000 + 19000 + 11 * 4000
    assert sales.lowest == (Month(2026, 1), 1309000)
    late = plans["retard_15_jours"]
    assert _line(late, "ventes_futures") == [0, 600] + [1200] * 10
    assert late.lowest == (Month(2026, 2), 1268000)


def test_configured_stress(make_entries) -> None:
    """A [forecast_scenarios.<id>] table replaces the default stresses."""
    tables = {"forecast_scenarios": {"choc": {"label": "Choc", "sales_pct": Decimal(-50), "delay_days": 0,
                                              "costs_pct": Decimal(10)}}}
    plans = cash_plans(_company(make_entries, tables), AS_OF)
    assert [plan.scenario.key for plan in plans] == ["base", "choc"]
    assert _line(plans[1], "salaires_nets") == [-440] * 12


def test_drivers_without_data_say_so(make_entries) -> None:
    """Without invoices the receivables come from the ledger's DSO; a driver without its data is listed, not zero."""
    data = _company(make_entries, invoices=False)
    data.datasets.pop("loans")
    base = cash_plans(data, AS_OF)[0]
    line = next(line for line in base.lines if line.key == "creances_clients")
    assert "DSO" in line.basis["fr"]
    assert sum(line.amounts.values()) == 120000
    gaps = {gap.driver: gap.reason for gap in base.gaps}
    assert "emprunts" in gaps and "remboursement" in gaps["emprunts"]


def test_vat_regime_quarterly(make_entries) -> None:
    """In quarterly CA3 the plan pays the quarter's VAT in January, April, July and October."""
    data = _company(make_entries)
    data._tables["forecast"] = {**data._tables["forecast"], "vat_regime": "trimestriel"}
    base = cash_plans(data, AS_OF)[0]
    assert _line(base, "tva") == [-600, 0, 0, -600, 0, 0, -600, 0, 0, -600, 0, 0]


@pytest.mark.parametrize("as_of", [Month(2026, 1)])
def test_no_opening_cash_without_ledger(make_entries, as_of: Month) -> None:
    """A month the ledger does not reach has no opening cash: the plan is unavailable, with the reason."""
    from boardpack.errors import Unavailable

    with pytest.raises(Unavailable, match="écritures"):
        cash_plans(_company(make_entries), as_of)


def test_loan_given_by_its_terms(make_entries) -> None:
    """Without a loans schedule, a [debt.<id>] table gives the loan's terms: 12 000 € at 0 % over
    12 months from January 2026 → −1 000 € a month in the plan, and in the debt by maturity."""
    from boardpack.api.forecast import debt_of

    tables = {"debt": {"bpi": {"lender": "Bpifrance", "amount": Decimal(12000), "rate": Decimal(0), "duration": 12,
                               "start": "2026-01", "deferral": 0, "amortisation": "annuite_constante"}}}
    data = _company(make_entries, tables)
    data.datasets.pop("loans")
    base = cash_plans(data, AS_OF)[0]
    assert _line(base, "emprunts") == [-1000] * 12
    debt = debt_of(data, AS_OF)
    assert [(loan.loan, loan.origin, loan.outstanding) for loan in debt.loans] == [("bpi", "terms", 1200000)]
    assert debt.maturities.under_1 == 1200000


def test_debt_table_needs_its_start(make_entries) -> None:
    """A [debt.<id>] table without its first instalment's month is refused, naming the key."""
    from boardpack.errors import ConfigError
    from boardpack.forecast.settings import check_tables

    with pytest.raises(ConfigError, match="clé « debt.bpi.start »"):
        check_tables({"debt": {"bpi": {"amount": Decimal(1000), "rate": Decimal(0), "duration": 12}}}, "b.toml")


def test_a_scenario_without_label_is_named_from_its_stresses_in_the_pack_language() -> None:
    """A stress with no ``label`` is written from what it changes, in French or English; a given
    label is the user's and kept as is (issue 13: no French template text in an English pack)."""
    from boardpack.forecast.settings import BASE, scenarios_of

    default = scenarios_of({})
    assert [s.title("fr") for s in default] == ["Base", "Ventes −15 %", "Retard de paiement +15 jours"]
    assert [s.title("en") for s in default] == ["Base case", "Sales −15%", "Payment delay +15 days"]
    mixed = scenarios_of({"forecast_scenarios": {"choc": {"sales_pct": -7.5, "costs_pct": 5}}})[1]
    assert (mixed.title("fr"), mixed.title("en")) == ("Ventes −7,5 %, Charges +5 %", "Sales −7.5%, Costs +5%")
    named = scenarios_of({"forecast_scenarios": {"perte": {"label": "Perte du client Alpha", "sales_pct": -30}}})[1]
    assert named.title("en") == "Perte du client Alpha"
    assert BASE.title("fr") == "Base"
