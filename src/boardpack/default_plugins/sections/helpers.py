"""Helpers shared by the built-in sections: rows of tables, series for charts, amounts in
thousands, the counterparty of an invoice, the closed fiscal years."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from collections.abc import Mapping
from decimal import ROUND_HALF_UP

from boardpack.api import KPIResult, PackContext, Unavailable
from boardpack.api.periods import Month, Window

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = [
    "bilan_value", "closed_years", "compared", "counterparty", "fy_label", "invoices_cover", "kpi_row", "kpi_trend", "money", "quote", "threshold_side",
    "others_label", "outstanding_by_loan", "pl_value", "ranked", "series_data", "share", "thousands", "variation",
]


def variation(pack: PackContext, current: Decimal | None, reference: Decimal | None, unit: str) -> str:
    """A variation for a table cell (:meth:`Formatter.change`): relative % for positive amounts,
    points for rates, the difference in amount for signed flows, '—' if undefined."""
    return pack.fmt.change(current, reference, unit)


def quote(pack: PackContext, result: KPIResult) -> str:
    """A KPI figure quoted in running text, always with its window: « DSO (délai clients)
    (12 mois glissants) : 76 j » — the form every sentence uses, and the consistency checker reads."""
    label = pack.label(result.kpi.label)
    window = pack.fmt.window_kind(result.window)
    return pack.t(f"{label} ({window}) : {pack.value(result)}", f"{label} ({window}): {pack.value(result)}")


def threshold_side(pack: PackContext, result: KPIResult) -> str:
    """Where a KPI's value stands against the threshold its status rests on: « au-dessus du seuil
    d'alerte de 75 j » for an alert, the watch threshold for « à surveiller », and for « ok » the
    watch threshold it stays within (the alert one when it has no other); "" without thresholds."""
    limits, kpi = result.thresholds, result.kpi
    if limits is None or result.status is None or kpi.direction is None:
        return ""
    alert = result.status == "alert" or limits.warn is None
    level = limits.alert if alert else limits.warn
    if level is None:
        return ""
    worse = result.status != "ok"
    above = (kpi.direction == "down") == worse
    side_fr = "au-dessus du" if above else "sous le"
    side_en = "above the" if above else "below the"
    kind_fr, kind_en = ("d'alerte", "alert") if alert else ("de vigilance", "watch")
    seuil = pack.fmt.value(level, kpi.unit)
    return pack.t(f"{side_fr} seuil {kind_fr} de {seuil}", f"{side_en} {kind_en} threshold of {seuil}")


def compared(pack: PackContext, result: KPIResult, comparison: str) -> Decimal | None:
    """The fact of a KPI result's ``comparison`` (``n1``, ``budget``, ``previous``), quoted: its
    value, ``None`` when it has none."""
    return pack.facts.kpi(result.kpi.id, result.window, comparison).value


def kpi_row(pack: PackContext, result: KPIResult) -> dict[str, Any]:
    """Cells of a KPI table row for ``result`` (value, N-1, variation, budget, status)."""
    unit = result.kpi.unit
    n1 = pack.facts.kpi(result.kpi.id, result.window, "n1")
    budget = pack.facts.kpi(result.kpi.id, result.window, "budget")
    return {
        "id": result.kpi.id,
        "label": pack.label(result.kpi.label),
        "formula": pack.label(result.kpi.formula),
        "value": pack.value(result),
        "reason": pack.reason(result),
        "n1": "—" if n1.value is None else pack.fmt.value(n1.value, unit),
        "n1_delta": variation(pack, result.value, n1.value, unit),
        "budget": "—" if budget.value is None else pack.fmt.value(budget.value, unit),
        "budget_delta": variation(pack, result.value, budget.value, unit),
        "status": result.status,
    }


def pl_value(pack: PackContext, line: str, window: Window, comparison: str | None = None) -> Decimal | None:
    """The fact of a P&L line over a window (or its ``comparison``: ``n1``, ``budget``), quoted;
    ``None`` when it is unavailable (the ledger does not cover the window)."""
    return pack.facts.line(line, window, comparison).value


def series_data(
    pack: PackContext, months: list[Month], series: list[tuple[str, list[Any], str]], unit: str
) -> dict[str, Any]:
    """Chart data for monthly ``series`` given as (label, values, kind); ``periods`` holds the
    months in full for the charts' text alternatives."""
    return {
        "x": [pack.fmt.month_short(m) for m in months],
        "periods": [pack.fmt.month(m) for m in months],
        "series": [{"label": label, "values": values, "kind": kind} for label, values, kind in series],
        "unit": unit,
    }


def bilan_value(pack: PackContext, line: str, month: Month) -> Decimal | None:
    """The fact of a bilan line at a month end, quoted; ``None`` when the ledger does not cover it."""
    return pack.facts.balance(line, month).value


def kpi_trend(pack: PackContext, kpi_id: str, width_cm: float, height_cm: float, title: str = "") -> Markup:
    """A 24-month trend chart of a KPI's monthly values."""
    kpi = pack.kpi(kpi_id)
    history = pack.series(kpi_id, 24)
    label = pack.label(kpi.label)
    data = series_data(pack, [m for m, _ in history], [(label, [v for _, v in history], "line")], kpi.unit)
    if title:
        data["title"] = title
    return pack.chart("trend", data, width_cm, height_cm, alt=label)


def outstanding_by_loan(pack: PackContext) -> list[dict[str, Any]]:
    """Each loan's lender and capital outstanding after its last instalment up to the period
    (``outstanding`` formatted, ``amount`` the Decimal)."""
    loans = pack.data.dataset("loans")
    out = []
    for loan, group in loans.groupby("loan", sort=True):
        upto = group[group["period"] <= str(pack.period)].sort_values("period")
        if upto.empty:
            continue
        last = upto.iloc[-1]
        amount = Decimal(int(last["outstanding"])).scaleb(-2)
        out.append({"loan": str(loan), "lender": str(last["lender"]), "outstanding": pack.fmt.money(amount),
                    "amount": amount})
    return out


def thousands(pack: PackContext, value: Decimal | None, signed: bool = False) -> str:
    """An amount in thousands of euros, no decimal (``1 235``), « — » when unknown."""
    if value is None:
        return "—"
    rounded = (value / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) + 0  # + 0: no « −0 »
    text = pack.fmt.number(rounded)
    return pack.fmt.signed(text, rounded) if signed else text


def money(pack: PackContext, value: Decimal | None) -> str:
    """An amount to the euro, « — » when unknown."""
    return "—" if value is None else pack.fmt.money(value)


def share(pack: PackContext, part: Decimal, whole: Decimal) -> str:
    """``part`` as a percentage of ``whole``, « — » when the whole is not positive."""
    return "—" if whole <= 0 else pack.fmt.percent(part / whole * 100)


def counterparty(pack: PackContext, frame: pd.DataFrame) -> pd.Series:
    """The counterparty of each invoice: its name, else its id, else « non renseigné »."""
    names = frame["counterparty"].where(frame["counterparty"] != "", frame["counterparty_id"])
    return names.where(names != "", pack.t("(non renseigné)", "(not given)"))


def ranked(totals: Mapping[str, Decimal], count: int) -> tuple[list[str], list[str]]:
    """The ``count`` largest keys (ties by name) and the others."""
    order = sorted(totals, key=lambda key: (-totals[key], key))
    return order[:count], order[count:]


def others_label(pack: PackContext, count: int, fr: str, en: str) -> str:
    """« Autres clients (12) »: the row gathering the others."""
    return pack.t(f"Autres {fr} ({count})", f"Other {en} ({count})")


def invoices_cover(frame: pd.DataFrame, window: Window) -> bool:
    """Whether the invoices of ``frame`` were issued from the window's first month to its last."""
    first, last = Month.of(frame["issue_date"].min()), Month.of(frame["issue_date"].max())
    return first <= window.start and window.end <= last


def closed_years(pack: PackContext, count: int = 3) -> list[Window]:
    """The last ``count`` fiscal years fully covered by the ledger, oldest first."""
    ledger = pack.data.ledger
    fy = pack.data.window("fy", pack.period)
    years = []
    candidate = fy if fy.end <= pack.period else fy.shift_years(1)
    while len(years) < count and ledger.covers(candidate):
        years.append(candidate)
        candidate = candidate.shift_years(1)
    if not years:
        raise Unavailable(pack.t("aucun exercice complet dans les écritures", "no complete fiscal year in the ledger"))
    return years[::-1]


def fy_label(pack: PackContext, window: Window) -> str:
    """« Exercice 2025 » for a calendar year, else « juil. 24 – juin 25 », with its length when it
    is not twelve months (« avr. 22 – avr. 23 (13 mois) »)."""
    months = window.end - window.start + 1
    if window.start.month == 1 and months == 12:
        return pack.t(f"Exercice {window.start.year}", f"FY {window.start.year}")
    label = f"{pack.fmt.month_short(window.start)} – {pack.fmt.month_short(window.end)}"
    return label if months == 12 else label + pack.t(f" ({months}\u00a0mois)", f" ({months} months)")
