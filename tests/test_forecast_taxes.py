"""The VAT calendar per regime and the corporate-tax instalments, against hand-computed payments."""

from __future__ import annotations

from boardpack.forecast.taxes import corporate_tax_payments, vat_payments
from boardpack.periods import FiscalCalendar, Month


def _months(first: Month, count: int) -> list[Month]:
    return [first.shift(i) for i in range(count)]


ACCRUED = {Month(2026, m): 1000_00 * m for m in range(1, 13)}  # 1 000 € in January … 12 000 € in December


def test_monthly_ca3_pays_the_month_before() -> None:
    """CA3 mensuelle: October's 10 000 € paid in November, November's in December."""
    paid = vat_payments(ACCRUED, "mensuel", _months(Month(2026, 11), 3))
    assert paid == {Month(2026, 11): 10000_00, Month(2026, 12): 11000_00, Month(2027, 1): 12000_00}


def test_monthly_credit_is_carried_forward() -> None:
    """A month with more deductible than collected VAT pays nothing and lowers the next return."""
    paid = vat_payments({Month(2027, 1): -3000_00, Month(2027, 2): 5000_00, Month(2027, 3): 1000_00},
                        "mensuel", _months(Month(2027, 2), 3))
    assert paid == {Month(2027, 2): 0, Month(2027, 3): 2000_00, Month(2027, 4): 1000_00}


def test_quarterly_ca3_pays_after_each_quarter() -> None:
    """CA3 trimestrielle: Q4 2026 (10 + 11 + 12 000 €) paid in January 2027, nothing in between."""
    paid = vat_payments(ACCRUED, "trimestriel", _months(Month(2026, 10), 4))
    assert paid == {Month(2026, 10): 7000_00 + 8000_00 + 9000_00, Month(2026, 11): 0, Month(2026, 12): 0,
                    Month(2027, 1): 33000_00}


def test_annual_ca12_instalments_and_balance() -> None:
    """CA12: 2026's VAT is 78 000 €; July 2027 pays 55 % (42 900 €), December 40 % (31 200 €), and
    May 2027 the 2026 balance: 78 000 − 55 % and 40 % of 2025's 24 000 € (13 200 + 9 600) = 55 200 €."""
    accrued = dict(ACCRUED)
    accrued.update({Month(2025, m): 2000_00 for m in range(1, 13)})
    paid = vat_payments(accrued, "annuel", _months(Month(2027, 1), 12))
    assert paid[Month(2027, 5)] == 78000_00 - 13200_00 - 9600_00
    assert paid[Month(2027, 7)] == 42900_00
    assert paid[Month(2027, 12)] == 31200_00
    assert sum(paid.values()) == paid[Month(2027, 5)] + 42900_00 + 31200_00


def test_annual_ca12_small_taxpayer_pays_no_instalment() -> None:
    """Under 1 000 € of VAT the year before, no instalment: the whole year is paid with the CA12."""
    accrued = {Month(2026, m): 50_00 for m in range(1, 13)}
    paid = vat_payments(accrued, "annuel", _months(Month(2027, 1), 12))
    assert paid[Month(2027, 7)] == paid[Month(2027, 12)] == 0
    assert paid[Month(2027, 5)] == 600_00


def test_corporate_tax_calendar_year() -> None:
    """IS: 2025's 40 000 € gives 10 000 € on 15 March, June, September and December 2026; 2026's
    estimated 48 000 € gives a balance of 8 000 € in May 2027 and instalments of 12 000 €."""
    taxes = {2024: 20000_00, 2025: 40000_00, 2026: 48000_00, 2027: None}
    paid = corporate_tax_payments(_months(Month(2026, 1), 24), FiscalCalendar(1),
                                  lambda year: taxes.get(year[0].year))
    assert [paid[Month(2026, m)] for m in (3, 6, 9, 12)] == [10000_00] * 4
    assert paid[Month(2026, 5)] == 40000_00 - 4 * 5000_00
    assert paid[Month(2027, 5)] == 48000_00 - 4 * 10000_00
    assert [paid[Month(2027, m)] for m in (3, 6, 9, 12)] == [12000_00] * 4
    assert paid[Month(2026, 1)] == paid[Month(2026, 4)] == 0


def test_corporate_tax_july_june_year_and_small_tax() -> None:
    """A July–June year pays in September, December, March, June and its balance in October; under
    3 000 € of tax the year before, no instalment."""
    calendar = FiscalCalendar(7)
    paid = corporate_tax_payments(_months(Month(2026, 7), 12), calendar,
                                  lambda year: {2025: 2000_00, 2026: 20000_00}.get(year[0].year))
    assert paid[Month(2026, 9)] == paid[Month(2026, 12)] == 0  # 2025-26's tax (2 000 €) is under 3 000 €
    assert paid[Month(2026, 10)] == 2000_00  # balance of the year to June 2026: no instalment paid
    assert paid[Month(2027, 3)] == 0
