"""The forecast sections: the 12-month cash plan with its scenarios, and its backtest.

They quote what :mod:`boardpack.api.forecast` computes once per build; amounts of the monthly
table in thousands of euros, the rest to the euro.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boardpack.api import PackContext, Section, Table, TableColumn, Unavailable, hookimpl
from boardpack.api.forecast import (
    DEBT, FINANCING, FORECAST, SCENARIOS, Backtest, CashPlan, backtest_csv, cash_plans, forecast_backtest, plan_csv,
)
from boardpack.api.periods import Month

from .helpers import thousands

__all__ = ["BacktestSection", "CashPlanSection"]


def _euros(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _k(pack: PackContext, cents: int) -> str:
    return thousands(pack, _euros(cents))


def _plan_rows(pack: PackContext, plan: CashPlan) -> list[dict[str, Any]]:
    months = plan.months
    rows: list[dict[str, Any]] = [{"label": pack.t("Trésorerie d'ouverture", "Opening cash"), "style": "total",
                                   "values": [_k(pack, plan.opening)] + [""] * (len(months) - 1)}]
    for title, sign in ((pack.t("Encaissements", "Cash in"), 1), (pack.t("Décaissements", "Cash out"), -1)):
        rows.append({"label": title, "style": "heading", "values": [""] * len(months)})
        for line in plan.lines:
            total = line.total()
            if (total > 0) != (sign > 0) or total == 0:
                continue
            rows.append({"label": pack.label(line.label), "style": "",
                         "values": [_k(pack, line.amounts[m]) if line.amounts.get(m) else "—" for m in months]})
    rows.append({"label": pack.t("Flux net du mois", "Net cash flow"), "style": "subtotal",
                 "values": [thousands(pack, _euros(plan.flow(m)), signed=True) for m in months]})
    closings = dict(plan.closings())
    rows.append({"label": pack.t("Trésorerie de clôture", "Closing cash"), "style": "total",
                 "values": [_k(pack, closings[m]) for m in months],
                 "flags": [closings[m] < plan.minimum for m in months]})
    rows.append({"label": pack.t("Trésorerie minimale", "Minimum cash"), "style": "minimum",
                 "values": [_k(pack, plan.minimum)] * len(months)})
    return rows


def _scenario_label(pack: PackContext, plan: CashPlan) -> str:
    return plan.scenario.title(pack.language)


def _describe_plan(pack: PackContext, plans: list[CashPlan]) -> None:
    """The workbook's sheets: the base plan line by line and month by month (euros), each
    scenario's stress and lowest point, and every scenario's month-end cash."""
    base = plans[0]
    months = base.months
    month_columns = tuple(TableColumn(pack.fmt.month(m), "money") for m in months)
    cash_in, cash_out = pack.t("Encaissement", "Cash in"), pack.t("Décaissement", "Cash out")
    rows: list[tuple[Any, ...]] = [(pack.t("Trésorerie d'ouverture", "Opening cash"), "",
                                    _euros(base.opening), *[None] * (len(months) - 1))]
    for inflow in (True, False):
        for line in base.lines:
            if not line.amounts or (line.total() >= 0) != inflow:
                continue
            rows.append((pack.label(line.label), cash_in if inflow else cash_out,
                         *[_euros(line.amounts.get(m, 0)) for m in months]))
    rows.append((pack.t("Flux net du mois", "Net cash flow"), "", *[_euros(base.flow(m)) for m in months]))
    rows.append((pack.t("Trésorerie de clôture", "Closing cash"), "", *[_euros(c) for _, c in base.closings()]))
    rows.append((pack.t("Trésorerie minimale", "Minimum cash"), "", *[_euros(base.minimum)] * len(months)))
    pack.table(Table(pack.t("Plan de trésorerie (base)", "Cash plan (base)"), (
        TableColumn(pack.t("Poste", "Line")), TableColumn(pack.t("Sens", "Direction")), *month_columns,
    ), rows, note=pack.t(f"En euros ; encaissements positifs, décaissements négatifs. Trésorerie d'ouverture au "
                         f"{pack.fmt.date(base.as_of.last_day)}. Trésorerie minimale : {pack.label(base.minimum_basis)}.",
                         f"In euros; cash in positive, cash out negative. Opening cash at "
                         f"{pack.fmt.date(base.as_of.last_day)}. Minimum cash: {pack.label(base.minimum_basis)}.")))
    pack.table(Table(pack.t("Scénarios de trésorerie", "Cash scenarios"), (
        TableColumn(pack.t("Scénario", "Scenario")), TableColumn(pack.t("Ventes", "Sales"), "percent"),
        TableColumn(pack.t("Retard de paiement clients", "Customer payment delay"), "days"),
        TableColumn(pack.t("Charges", "Costs"), "percent"), TableColumn(pack.t("Point bas", "Lowest cash"), "money"),
        TableColumn(pack.t("Mois du point bas", "Month of the lowest cash"), "month"),
        TableColumn(pack.t("Sous le minimum dès", "Below the minimum from"), "month"),
        TableColumn(pack.t("Trésorerie à 12 mois", "Cash in 12 months"), "money"),
    ), [(_scenario_label(pack, p), p.scenario.sales_pct, p.scenario.delay_days, p.scenario.costs_pct,
         _euros(p.lowest[1]), p.lowest[0], p.crossing, _euros(p.closings()[-1][1])) for p in plans],
        note=pack.t("« Sous le minimum dès » vide : la trésorerie reste au-dessus du minimum sur les 12 mois.",
                    "« Below the minimum from » empty: cash stays above the minimum over the 12 months.")))
    pack.table(Table(pack.t("Trésorerie par scénario", "Cash by scenario"), (
        TableColumn(pack.t("Scénario", "Scenario")), *month_columns,
    ), [(_scenario_label(pack, p), *[_euros(c) for _, c in p.closings()]) for p in plans],
        note=pack.t("Trésorerie de fin de mois, en euros.", "Month-end cash, in euros.")))


def _describe_backtest(pack: PackContext, test: Backtest, horizons: tuple[int, ...],
                       gaps: list[tuple[str, str]]) -> None:
    """The workbook's sheets: the errors by horizon, and every plan against the cash that followed."""
    summary = []
    for horizon in horizons:
        points = test.at(horizon)
        if not points:
            continue
        worst = test.largest_error(horizon)
        mae, bias = test.mean_absolute_error(horizon), test.bias(horizon)
        summary.append((horizon, len(points), None if mae is None else _euros(mae), None if bias is None else _euros(bias),
                        None if worst is None else _euros(worst.error), None if worst is None else worst.target))
    months = pack.t("mois", "month(s)")
    pack.table(Table(pack.t("Fiabilité du plan par horizon", "Plan accuracy by horizon"), (
        TableColumn(pack.t("Horizon (mois)", "Horizon (months)"), "count"), TableColumn(pack.t("Plans", "Plans"), "count"),
        TableColumn(pack.t("Écart absolu moyen", "Mean absolute error"), "money"),
        TableColumn(pack.t("Biais moyen", "Mean bias"), "money"),
        TableColumn(pack.t("Plus grand écart", "Largest error"), "money"),
        TableColumn(pack.t("Mois du plus grand écart", "Month of the largest error"), "month"),
    ), summary, note=pack.t("Écart = prévu − constaté, en euros : positif, le plan était optimiste.",
                            "Error = forecast − actual, in euros: positive, the plan was optimistic.")))
    by_month: dict[Month, dict[int, Any]] = {}
    for point in test.points:
        by_month.setdefault(point.as_of, {})[point.horizon] = point
    columns = [TableColumn(pack.t("Plan fait fin", "Plan made at"), "month")]
    for horizon in horizons:
        columns += [TableColumn(pack.t(f"Prévu à {horizon} {months}", f"Forecast at {horizon} {months}"), "money"),
                    TableColumn(pack.t(f"Constaté à {horizon} {months}", f"Actual at {horizon} {months}"), "money"),
                    TableColumn(pack.t(f"Écart à {horizon} {months}", f"Error at {horizon} {months}"), "money")]
    rows = []
    for as_of in sorted(by_month):
        row: list[Any] = [as_of]
        for horizon in horizons:
            point = by_month[as_of].get(horizon)
            row += [None] * 3 if point is None else [_euros(point.forecast), _euros(point.actual), _euros(point.error)]
        rows.append(tuple(row))
    said = " ; ".join(f"{months_said} : {reason}" for months_said, reason in gaps)
    pack.table(Table(pack.t("Fiabilité du plan par mois", "Plan accuracy by month"), tuple(columns), rows,
                     note=pack.t("En euros ; vide : mois visé pas encore clos.", "In euros; empty: target month not closed yet.")
                     + (pack.t(" Pas de plan possible : ", " No plan possible: ") + said + "." if said else "")))


def _summary(pack: PackContext, plan: CashPlan) -> dict[str, Any]:
    month, cash = plan.lowest
    crossing = plan.crossing
    return {
        "label": plan.scenario.title(pack.language),
        "lowest": pack.fmt.money(_euros(cash)), "lowest_month": pack.fmt.month(month),
        "closing": pack.fmt.money(_euros(plan.closings()[-1][1])),
        "crossing": pack.fmt.month(crossing) if crossing else pack.t("jamais", "never"),
        "status": "alert" if cash < 0 else "warn" if crossing else "ok",
    }


def _stress(pack: PackContext, plan: CashPlan) -> str:
    """« Ventes −15 % : ventes −15 %, retard de paiement +15 jours », only what the stress changes."""
    scenario, fmt = plan.scenario, pack.fmt
    parts = []
    if scenario.sales_pct:
        parts.append(pack.t("ventes ", "sales ") + fmt.signed(fmt.percent(scenario.sales_pct, 0), scenario.sales_pct))
    if scenario.delay_days:
        parts.append(pack.t(f"clients payant {scenario.delay_days} jours plus tard",
                            f"customers paying {scenario.delay_days} days later"))
    if scenario.costs_pct:
        parts.append(pack.t("charges ", "costs ") + fmt.signed(fmt.percent(scenario.costs_pct, 0), scenario.costs_pct))
    return f"{scenario.title(pack.language)} ({', '.join(parts) or pack.t('sans changement', 'no change')})"


class CashPlanSection(Section):
    """The month-by-month cash plan of the base scenario, the stresses' lowest points, the chart."""

    name = "plan_tresorerie"
    title = {"fr": "Plan de trésorerie à 12 mois", "en": "12-month cash plan"}
    template = "sections/cash_plan.html"
    page = "landscape"
    settings = (FORECAST, SCENARIOS, FINANCING, DEBT)

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Rows of the base plan, one summary per scenario, the drivers' bases and gaps."""
        plans = cash_plans(pack.data, pack.period)
        base = plans[0]
        months = base.months
        series = [{"label": p.scenario.title(pack.language),
                   "values": [float(_euros(c)) for _, c in p.closings()],
                   "kind": "line" if p.scenario.key == "base" else "dashed"} for p in plans]
        chart = pack.chart("trend", {
            "x": [pack.fmt.month_short(m) for m in months], "series": series, "unit": "money",
            "thresholds": [{"value": float(_euros(base.minimum)), "colour": "alert"}],
        }, 25, 5.6, alt=pack.t("Trésorerie de fin de mois par scénario", "Month-end cash by scenario"))
        month, cash = base.lowest
        _describe_plan(pack, plans)
        return {
            "months": [pack.fmt.month_short(m) for m in months],
            "rows": _plan_rows(pack, base),
            "scenarios": [_summary(pack, p) for p in plans],
            "stresses": [_stress(pack, p) for p in plans[1:]],
            "lowest": pack.fmt.money(_euros(cash)), "lowest_month": pack.fmt.month(month),
            "crossing": pack.fmt.month(base.crossing) if base.crossing else None,
            "minimum": pack.fmt.money(_euros(base.minimum)), "minimum_basis": pack.label(base.minimum_basis),
            "opening_date": pack.fmt.date(base.as_of.last_day),
            "bases": [(pack.label(line.label), pack.label(line.basis)) for line in base.lines if line.basis],
            "gaps": [(pack.label(gap.label), gap.reason) for gap in base.gaps],
            "chart": chart,
        }

    def attachments(self, pack: PackContext) -> list[tuple[str, bytes, str]]:
        """``plan_tresorerie.csv``: every scenario's plan, line by line."""
        return [("plan_tresorerie.csv", plan_csv(cash_plans(pack.data, pack.period), pack.language),
                 "Plan de trésorerie à 12 mois, par scénario et par ligne")]


class BacktestSection(Section):
    """The plan's track record: made at each of the last 12 month-ends, against the cash that followed."""

    name = "backtest_tresorerie"
    title = {"fr": "Fiabilité du plan de trésorerie", "en": "Cash plan track record"}
    template = "sections/cash_backtest.html"
    settings = (FORECAST, SCENARIOS, FINANCING, DEBT)

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Mean absolute error and bias at 1, 3 and 6 months, and every point."""
        test = forecast_backtest(pack.data, pack.period)
        horizons = (1, 3, 6)
        summary = []
        for horizon in horizons:
            points = test.at(horizon)
            if not points:
                continue
            worst = test.largest_error(horizon)
            summary.append({
                "horizon": horizon, "count": len(points),
                "mae": pack.fmt.money(_euros(test.mean_absolute_error(horizon) or 0)),
                "bias": pack.fmt.signed(pack.fmt.money(_euros(test.bias(horizon) or 0)), test.bias(horizon) or 0),
                "worst": f"{pack.fmt.money(_euros(worst.error))} ({pack.fmt.month_short(worst.target)})" if worst else "—",
            })
        by_month: dict[Month, dict[int, Any]] = {}
        for point in test.points:
            by_month.setdefault(point.as_of, {})[point.horizon] = point
        rows = []
        for as_of in sorted(by_month):
            cells = []
            for horizon in horizons:
                point = by_month[as_of].get(horizon)
                cells.append(None if point is None else {
                    "forecast": _k(pack, point.forecast), "actual": _k(pack, point.actual),
                    "error": thousands(pack, _euros(point.error), signed=True)})
            rows.append({"as_of": pack.fmt.month_short(as_of), "cells": cells})
        if not summary:
            raise Unavailable(pack.t("pas assez de recul pour mesurer le plan", "not enough history to test the plan"))
        gaps: list[list[Any]] = []  # consecutive months with one reason, said once
        for month, reason in test.gaps:
            if gaps and gaps[-1][2] == reason and gaps[-1][1].shift(1) == month:
                gaps[-1][1] = month
            else:
                gaps.append([month, month, reason])
        said = [(pack.fmt.month(first) if first == last else f"{pack.fmt.month(first)} – {pack.fmt.month(last)}", reason)
                for first, last, reason in gaps]
        _describe_backtest(pack, test, horizons, said)
        return {"summary": summary, "rows": rows, "horizons": horizons, "gaps": said}

    def attachments(self, pack: PackContext) -> list[tuple[str, bytes, str]]:
        """``backtest_tresorerie.csv``: every plan replayed and the cash that followed."""
        return [("backtest_tresorerie.csv", backtest_csv(forecast_backtest(pack.data, pack.period)),
                 "Backtest du plan de trésorerie : prévu et constaté à 1, 3 et 6 mois")]


@hookimpl
def register_sections() -> list[Section]:
    """Register the forecast sections."""
    return [CashPlanSection(), BacktestSection()]
