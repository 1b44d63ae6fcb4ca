"""Helpers shared by the built-in sections (rows of tables, series for charts)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from markupsafe import Markup

from ..interfaces import Unavailable
from ..kpi_engine import KPIResult
from ..pack import PackContext
from ..periods import Month, Window

__all__ = ["window_label", "bilan_value", "kpi_row", "kpi_trend", "outstanding_by_loan", "pl_value", "series_data", "variation"]


def variation(pack: PackContext, current: Decimal | None, reference: Decimal | None, unit: str) -> str:
    """A variation for a table cell: relative % for amounts, points for rates, '—' if undefined."""
    if current is None or reference is None:
        return "—"
    if unit == "percent":
        return pack.fmt.delta(current - reference, "percent")
    if reference == 0:
        return "—"
    change = (current - reference) / abs(reference) * 100
    return pack.fmt.signed(pack.fmt.percent(change), change)


def kpi_row(pack: PackContext, result: KPIResult) -> dict[str, Any]:
    """Cells of a KPI table row for ``result`` (value, N-1, variation, budget, status)."""
    unit = result.kpi.unit
    n1 = result.comparisons["n1"]
    budget = result.comparisons["budget"]
    return {
        "id": result.kpi.id,
        "label": pack.label(result.kpi.label),
        "formula": pack.label(result.kpi.formula),
        "value": pack.value(result),
        "reason": result.reason,
        "n1": "—" if n1.value is None else pack.fmt.value(n1.value, unit),
        "n1_delta": variation(pack, result.value, n1.value, unit),
        "budget": "—" if budget.value is None else pack.fmt.value(budget.value, unit),
        "budget_delta": variation(pack, result.value, budget.value, unit),
        "status": result.status,
    }


def pl_value(pack: PackContext, line: str, window: Window) -> Decimal | None:
    """A P&L line over a window, ``None`` when the ledger does not cover it."""
    try:
        return pack.data.pl(line, window)
    except Unavailable:
        return None


def series_data(
    pack: PackContext, months: list[Month], series: list[tuple[str, list[Any], str]], unit: str
) -> dict[str, Any]:
    """Chart data for monthly ``series`` given as (label, values, kind)."""
    return {
        "x": [pack.fmt.month_short(m) for m in months],
        "series": [{"label": label, "values": values, "kind": kind} for label, values, kind in series],
        "unit": unit,
    }


def bilan_value(pack: PackContext, line: str, month: Month) -> Decimal | None:
    """A bilan line at a month end, ``None`` when the ledger does not cover it."""
    try:
        return pack.data.bilan(line, month)
    except Unavailable:
        return None


def kpi_trend(pack: PackContext, kpi_id: str, width_cm: float, height_cm: float, title: str = "") -> Markup:
    """A 24-month trend chart of a KPI's monthly values."""
    kpi = pack.kpi(kpi_id)
    history = pack.series(kpi_id, 24)
    label = pack.label(kpi.label)
    data = series_data(pack, [m for m, _ in history], [(label, [v for _, v in history], "line")], kpi.unit)
    if title:
        data["title"] = title
    return pack.chart("trend", data, width_cm, height_cm, alt=label)


def outstanding_by_loan(pack: PackContext) -> list[dict[str, str]]:
    """Each loan's lender and capital outstanding after its last instalment up to the period."""
    loans = pack.data.dataset("loans")
    out = []
    for loan, group in loans.groupby("loan", sort=True):
        upto = group[group["period"] <= str(pack.period)].sort_values("period")
        if upto.empty:
            continue
        last = upto.iloc[-1]
        out.append({
            "loan": str(loan), "lender": str(last["lender"]),
            "outstanding": pack.fmt.money(Decimal(int(last["outstanding"])).scaleb(-2)),
        })
    return out


def window_label(pack: PackContext, window: Window) -> str:
    """A window for the reader: « octobre 2026 », « janv.–oct. 2026 », « nov. 2025 – oct. 2026 »."""
    fmt = pack.fmt
    if window.start == window.end:
        return fmt.month(window.start)
    if window.start.year == window.end.year:
        start = fmt.month_short(window.start).rsplit(" ", 1)[0]
        return f"{start}–{fmt.month(window.end)}"
    return f"{fmt.month_short(window.start)} – {fmt.month_short(window.end)}"
