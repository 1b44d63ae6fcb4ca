"""The French tax calendar of a cash plan: when VAT and corporate tax (IS) are paid.

VAT (TVA), by regime, from the net VAT of each month (collected − deductible, in the month the
invoice is made):

* ``mensuel`` — CA3 return each month: a month's VAT is paid the next month; a credit is
  carried forward to the following returns (crédit de TVA reporté).
* ``trimestriel`` — CA3 each quarter (calendar quarters): the quarter's VAT is paid in the month
  after the quarter (avril, juillet, octobre, janvier).
* ``annuel`` — régime simplifié, CA12 for the year: two instalments, 55 % in July and 40 % in
  December of the previous year's VAT (none when it was under 1 000 €), and the balance with
  the CA12 in May of the next year (for a year that is the calendar year).

Corporate tax (impôt sur les sociétés): four instalments, on the 15th of the 3rd, 6th, 9th
and 12th months of the fiscal year, each 25 % of the last closed year's tax (none when that tax
was under 3 000 €); the balance (the year's tax − its instalments) on the 15th of the 4th month
after the year's close, 15 May for a year closed on 31 December.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from ..periods import FiscalCalendar, Month

__all__ = ["CA12_BALANCE_MONTH", "IS_INSTALMENT_MINIMUM", "VAT_INSTALMENT_MINIMUM", "corporate_tax_payments",
           "vat_payments"]

#: CA12 instalments are not due when the previous year's VAT was under 1 000 €
VAT_INSTALMENT_MINIMUM = 100000
#: IS instalments are not due when the last closed year's tax was under 3 000 €
IS_INSTALMENT_MINIMUM = 300000
#: the month the CA12 balance is paid (May of the next year)
CA12_BALANCE_MONTH = 5


def _share(amount: int, percent: int) -> int:
    return int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_payments(accrued: Mapping[Month, int], regime: str, months: Sequence[Month]) -> dict[Month, int]:
    """VAT paid in each of ``months`` (cents, positive = paid to the State).

    :param accrued: net VAT of each month (collected − deductible), past months included: the
        payments of the first months settle what was accrued before them (a quarter begun, last
        year's CA12 balance).
    """
    wanted = list(months)
    if not wanted:
        return {}
    first = min(min(accrued, default=wanted[0]), wanted[0].shift(-24))
    span = [first.shift(i) for i in range(wanted[-1] - first + 1)]
    paid: dict[Month, int] = {}
    if regime == "mensuel":
        credit = 0
        for month in span:
            due = accrued.get(month.shift(-1), 0) + credit
            credit = min(due, 0)
            paid[month] = max(due, 0)
    elif regime == "trimestriel":
        credit = 0
        for month in span:
            if month.month in (1, 4, 7, 10):
                due = sum(accrued.get(month.shift(-k), 0) for k in (1, 2, 3)) + credit
                credit = min(due, 0)
                paid[month] = max(due, 0)
            else:
                paid[month] = 0
    elif regime == "annuel":
        def year_total(year: int) -> int:
            return sum(accrued.get(Month(year, m), 0) for m in range(1, 13))

        for month in span:
            base = year_total(month.year - 1)
            if month.month in (7, 12):
                paid[month] = _share(base, 55 if month.month == 7 else 40) if base >= VAT_INSTALMENT_MINIMUM else 0
            elif month.month == CA12_BALANCE_MONTH:
                before = year_total(month.year - 2)
                instalments = _share(before, 55) + _share(before, 40) if before >= VAT_INSTALMENT_MINIMUM else 0
                paid[month] = base - instalments  # negative: a refund asked with the CA12
            else:
                paid[month] = 0
    else:
        raise ValueError(f"régime de TVA inconnu : {regime}")
    return {month: paid[month] for month in wanted}


def corporate_tax_payments(months: Sequence[Month], calendar: FiscalCalendar,
                           tax_of: Callable[[tuple[Month, Month]], int | None]) -> dict[Month, int]:
    """Corporate tax paid in each of ``months`` (cents).

    :param tax_of: the tax of a fiscal year (first and last month): booked for a closed year,
        estimated for the current one, ``None`` when unknown (no instalment, no balance).
    """
    out = dict.fromkeys(months, 0)
    if not out:
        return out
    years = calendar.spans(min(months).shift(-16), max(months))
    for index, year in enumerate(years):
        before = tax_of(years[index - 1]) if index else None
        instalment = _share(before, 25) if before is not None and before >= IS_INSTALMENT_MINIMUM else 0
        start, end = year
        for offset in (2, 5, 8, 11):
            month = start.shift(offset)
            if month in out and month <= end:
                out[month] += instalment
        balance_month = end.shift(5 if end.month == 12 else 4)  # 15 May for a 31 December close
        if balance_month in out:
            tax = tax_of(year)
            if tax is not None:
                paid = sum(instalment for offset in (2, 5, 8, 11) if start.shift(offset) <= end)
                out[balance_month] += tax - paid
    return out
