"""What the built-in forecast drivers share: a month's amount from the budget or from the same
month a year before, observed delays, VAT rates, and spreading cash over the days it falls in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from boardpack.api import Unavailable
from boardpack.api.forecast import ForecastInput
from boardpack.api.periods import Month, Window

__all__ = ["add", "budget_drift", "cents", "eur", "flows", "history", "label", "ltm_days", "month_amount",
           "observed_rate", "pct", "spread", "weekly", "where_from"]

def cents(value: Decimal | float | int) -> int:
    """Euros → cents, rounded half up."""
    return int((Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def add(target: dict[Month, int], month: Month, amount: int) -> None:
    """Add ``amount`` to ``target[month]``."""
    target[month] = target.get(month, 0) + amount


def history(inputs: ForecastInput) -> Window:
    """The twelve months to ``as_of``, cut to the ledger's first month (a young company's months)."""
    data = inputs.data
    window = data.window("ltm", inputs.as_of)
    first = data.ledger.first
    if window.start < first <= inputs.as_of:
        window = Window("ltm", first, inputs.as_of, data.calendar)
    data.ledger.require(window)
    return window


def month_amount(inputs: ForecastInput, line: str, month: Month) -> tuple[int, str]:
    """A P&L line's amount for a month of the plan (cents) and where it comes from: the budget
    times its recent drift (``budget``, see :func:`budget_drift`), else the same month a year before in the ledger (``n1``), else the monthly
    mean of the months the ledger has (``mean``: less than a year, no seasonality)."""
    data = inputs.data
    window = data.window("month", month)
    if "budget" in data.datasets:
        try:
            return cents(data.budget(line, window) * budget_drift(inputs, line)), "budget"
        except Unavailable:
            pass
    before = data.window("month", month.shift(-12))
    if before.end <= inputs.as_of and data.ledger.covers(before):
        return cents(data.pl(line, before)), "n1"
    known = history(inputs)
    return cents(data.pl(line, known) / known.length), "mean"


def budget_drift(inputs: ForecastInput, line: str) -> Decimal:
    """Actual / budget of ``line`` over the three months to ``as_of`` (1 when either is missing,
    kept within 0,5–1,5): the budget is re-forecast by the gap it has shown lately."""
    def compute() -> Decimal:
        data = inputs.data
        recent = Window("ltm", inputs.as_of.shift(-2), inputs.as_of, data.calendar)
        try:
            data.ledger.require(recent)
            planned = data.budget(line, recent)
            actual = data.pl(line, recent)
        except Unavailable:
            return Decimal(1)
        if planned <= 0 or actual <= 0:
            return Decimal(1)
        return min(max(actual / planned, Decimal("0.5")), Decimal("1.5"))

    return inputs.data.memo(("forecast.drift", line, inputs.as_of), compute)


def where_from(sources: set[str]) -> Mapping[str, str]:
    """Where a line's monthly amounts come from, said in both languages."""
    fr = {"budget": "budget recalé sur l'écart réel / budget des 3 derniers mois", "n1": "même mois un an plus tôt", "mean": "moyenne mensuelle des mois connus (moins d'un an "
          "d'écritures, sans saisonnalité)"}
    en = {"budget": "budget adjusted by the last 3 months' actual / budget gap", "n1": "same month a year earlier", "mean": "monthly mean of the known months"}
    order = [key for key in ("budget", "n1", "mean") if key in sources]
    return {"fr": ", puis ".join(fr[k] for k in order), "en": ", then ".join(en[k] for k in order)}


def flows(inputs: ForecastInput, prefixes: tuple[str, ...], side: str) -> int:
    """Debit or credit movements of ``prefixes`` over the twelve months to ``as_of`` (cents)."""
    return inputs.data.ledger.flows(prefixes, history(inputs), side)


def ltm_days(inputs: ForecastInput) -> int:
    """Days of the twelve months to ``as_of`` (of the months known, for a young ledger)."""
    return history(inputs).days


def observed_rate(top: int, bottom: int, default: str) -> tuple[Decimal, bool]:
    """``top / bottom`` when both are positive, else ``default``; and whether it was observed.

    A ``top`` of nothing over twelve months (no VAT collected on sales, no net pay for the
    salaries) means the ledger does not carry that flow (monthly net movements of an account
    settled within the month), not a rate of 0: the default is used and said to be one.
    """
    if bottom > 0 and top > 0:
        return Decimal(top) / Decimal(bottom), True
    return Decimal(default), False


def spread(amounts: dict[Month, int], start: dt.date, days: int, amount: int) -> None:
    """Add ``amount`` evenly over the ``days`` days after ``start`` (one share per week)."""
    days = max(int(days), 1)
    weeks = max(days // 7, 1)
    share, rest = divmod(amount, weeks)
    for week in range(weeks):
        day = start + dt.timedelta(days=round((week + 1) * days / weeks))
        add(amounts, Month.of(day), share + (rest if week == weeks - 1 else 0))


def weekly(amounts: dict[Month, int], month: Month, delay: float, amount: int) -> None:
    """A month's invoicing (four weekly shares, days 4, 11, 18, 25) collected ``delay`` days later."""
    share, rest = divmod(amount, 4)
    for index, day in enumerate((4, 11, 18, 25)):
        when = dt.date(month.year, month.month, day) + dt.timedelta(days=round(delay))
        add(amounts, Month.of(when), share + (rest if index == 3 else 0))


def eur(amount: int) -> str:
    """Cents as whole euros for a line's basis: ``1 234 567 €`` (narrow no-break spaces)."""
    return f"{round(amount / 100):,} €".replace(",", "\u202f").replace("-", "−")


def pct(rate: Decimal) -> str:
    """A rate as a percentage with a decimal comma: ``19,5 %``."""
    return f"{float(rate) * 100:.1f}".replace(".", ",") + "\u00a0%"


def label(fr: str, en: str) -> Mapping[str, str]:
    """A bilingual label."""
    return {"fr": fr, "en": en}
