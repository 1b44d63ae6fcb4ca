"""Summary sections: KPI tiles, what changed, trend charts, alerts, the KPI table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boardpack.api import hookimpl
from boardpack.api import Section, Table, TableColumn, Unavailable
from boardpack.api import KPIResult
from boardpack.api import PackContext
from boardpack.api.periods import Window
from .helpers import closed_years, compared, fy_label, kpi_row, kpi_trend, series_data, variation

__all__ = ["AlertsSection", "ChangesSection", "KpiTableSection", "KpiTilesSection", "TrendsSection"]

class KpiTilesSection(Section):
    """One page of tiles: value, variation on N-1, sparkline and status of each KPI."""

    name = "kpi_tiles"
    title = {"fr": "Indicateurs clés", "en": "Key indicators"}
    template = "sections/kpi_tiles.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Tiles for the audience's KPIs (at most 12)."""
        tiles = []
        for kpi in pack.kpis_for_audience()[:12]:
            result = pack.result(kpi.id)
            n1 = pack.facts.kpi(kpi.id, result.window, "n1")
            history = pack.series(kpi.id, 24, kpi.headline)
            tiles.append({
                "label": pack.label(kpi.label),
                "window": pack.fmt.window_kind(result.window),
                "value": pack.value(result, short=True),
                "reason": pack.reason(result),
                "status": result.status,
                "n1": variation(pack, result.value, n1.value, kpi.unit),
                "n1_value": "—" if n1.value is None else pack.fmt.value(n1.value, kpi.unit, short=True),
                "sparkline": pack.chart(
                    "sparkline", {"series": [{"label": "", "values": [v for _, v in history]}], "unit": kpi.unit,
                                  "periods": [pack.fmt.month(m) for m, _ in history]},
                    5.2, 1.1, alt=f"{pack.label(kpi.label)} — {pack.fmt.window_kind(result.window)}",
                ) if result.value is not None else None,
            })
        if not tiles:
            raise Unavailable(pack.t("aucun indicateur pour cette audience", "no KPI for this audience"))
        shown = pack.kpis_for_audience()[:12]
        pack.table(Table(pack.t("Indicateurs clés", "Key indicators"), (
            TableColumn(pack.t("Indicateur", "KPI")), TableColumn(pack.t("Fenêtre", "Window")),
            TableColumn(pack.t("Valeur", "Value"), "row"), TableColumn("N-1", "row"),
            TableColumn(pack.t("Statut", "Status")),
        ), [_tile_values(pack, kpi.id) for kpi in shown], row_units=[kpi.unit for kpi in shown]))
        return {"tiles": tiles, "period": pack.fmt.month(pack.period), **_key_figures(pack)}


def _key_figures(pack: PackContext) -> dict[str, Any]:
    """Under the tiles, the amounts that add up over time (revenue, EBE, net result…) over the
    last closed fiscal year, the year to date against N-1 and the budget, and the last 12 months:
    the reader sees where the year stands, not only the month."""
    kpis = [k for k in pack.kpis_for_audience()[:12] if k.unit == "money" and k.nature == "flow"][:4]
    if not kpis:
        return {"key_figures": []}
    try:
        closed = closed_years(pack, 1)[-1]
    except Unavailable:
        closed = None
    rows = []
    for kpi in kpis:
        ytd, ltm = pack.result(kpi.id, "ytd"), pack.result(kpi.id, "ltm")
        year_value = pack.facts.kpi(kpi.id, closed).value if closed is not None else None
        rows.append({
            "label": pack.label(kpi.label),
            "year": "—" if year_value is None else pack.fmt.money_short(year_value),
            "ytd": pack.value(ytd, short=True),
            "ytd_n1": variation(pack, ytd.value, compared(pack, ytd, "n1"), "money"),
            "ytd_budget": variation(pack, ytd.value, compared(pack, ytd, "budget"), "money"),
            "ltm": pack.value(ltm, short=True),
        })
    ytd_window = pack.facts.window("ytd")
    return {"key_figures": rows, "year_label": fy_label(pack, closed) if closed else pack.t("Exercice clos", "Closed year"),
            "ytd_label": pack.t("Cumul ", "YTD ") + pack.fmt.window(ytd_window)}


def _sentence(pack: PackContext, result: KPIResult) -> str | None:
    """One sentence on a KPI: value, change on N-1 and gap to budget, or None."""
    if result.value is None:
        return None
    kpi, unit = result.kpi, result.kpi.unit
    parts = [
        pack.t(
            f"{pack.label(kpi.label)} ({pack.fmt.window_kind(result.window)}) : {pack.fmt.value(result.value, unit)}",
            f"{pack.label(kpi.label)} ({pack.fmt.window_kind(result.window)}): {pack.fmt.value(result.value, unit)}",
        )
    ]
    n1 = compared(pack, result, "n1")
    if n1 is not None:
        parts.append(pack.t(
            f"{variation(pack, result.value, n1, unit)} sur un an ({pack.fmt.value(n1, unit)} en N-1)",
            f"{variation(pack, result.value, n1, unit)} year on year ({pack.fmt.value(n1, unit)} a year earlier)",
        ))
    budget = compared(pack, result, "budget")
    if budget is not None:
        parts.append(pack.t(
            f"{variation(pack, result.value, budget, unit)} par rapport au budget ({pack.fmt.value(budget, unit)})",
            f"{variation(pack, result.value, budget, unit)} against budget ({pack.fmt.value(budget, unit)})",
        ))
    return ", ".join(parts) + "."


class ChangesSection(Section):
    """What changed: generated sentences on the main KPIs, largest moves first."""

    name = "faits_marquants"
    title = {"fr": "Ce qui a changé", "en": "What changed"}
    template = "sections/changes.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Sentences for the audience's KPIs over the month and the year to date."""
        items = []
        for kpi in pack.kpis_for_audience():
            for kind in ("month", "ytd") if kpi.nature == "flow" else ("month",):
                result = pack.result(kpi.id, kind)
                sentence = _sentence(pack, result)
                if sentence is None:
                    continue
                n1 = result.comparisons["n1"]
                change = n1.delta_pct(result.value) if kpi.unit != "percent" else n1.delta(result.value)
                items.append({
                    "text": sentence, "status": result.status, "kpis": [kpi.id],
                    "weight": abs(change) if change is not None else Decimal(0),
                })
        items.sort(key=lambda item: item["weight"], reverse=True)
        if not items:
            raise Unavailable(pack.t("aucun indicateur calculable", "no computable KPI"))
        return {"items": items[:10], "period": pack.fmt.month(pack.period)}


class TrendsSection(Section):
    """Four charts: revenue against N-1 and budget, EBE, net cash and BFR over 24 months."""

    name = "tendances"
    title = {"fr": "Tendances", "en": "Trends"}
    template = "sections/trends.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Chart markup for the four trends."""
        fy = pack.facts.window("fy")
        months = fy.months
        ca = pack.kpi("chiffre_affaires")
        def values(kpi_id: str, comparison: str | None = None) -> list[Decimal | None]:
            """The KPI's fact (or its comparison's) for each month of the fiscal year."""
            return [pack.facts.kpi(kpi_id, Window("month", m, m), comparison).value for m in months]
        actual = [v if m <= pack.period else None for v, m in zip(values("chiffre_affaires"), months)]
        charts = [
            pack.chart("bars", series_data(pack, months, [
                (pack.t("Réel", "Actual"), actual, "bar"),
                ("N-1", values("chiffre_affaires", "n1"), "bar"),
                ("Budget", values("chiffre_affaires", "budget"), "dashed"),
            ], "money") | {"title": pack.label(ca.label) + pack.t(" mensuel", " by month")}, 8.6, 9.5,
                alt=pack.label(ca.label)),
        ]
        for kpi_id in ("ebe", "tresorerie_nette", "bfr"):
            title = pack.label(pack.kpi(kpi_id).label) + pack.t(" — 24 mois", " — 24 months")
            charts.append(kpi_trend(pack, kpi_id, 8.6, 9.5, title=title))
        return {"charts": charts}


class AlertsSection(Section):
    """The period's alerts for this audience (critical first), and its KPIs that could not be computed."""

    name = "alertes"
    title = {"fr": "Alertes et points d'attention", "en": "Alerts"}
    template = "sections/alerts.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Alert cards with their figures, then the unavailable KPIs with their reasons."""
        labels = {"critical": ("alerte", "alert"), "warning": ("à surveiller", "watch"), "info": ("info", "info")}
        alerts = [
            {
                "severity": alert.severity,
                "status": {"critical": "alert", "warning": "warn"}.get(alert.severity, "ok"),
                "label": labels[alert.severity][0 if pack.language == "fr" else 1],
                "title": pack.label(alert.title),
                "message": pack.label(alert.message),
                "rule": alert.rule,
            }
            for alert in pack.alerts_for_audience()
        ]
        unavailable = []
        for kpi in pack.kpis_for_audience():
            result = pack.result(kpi.id)
            if result.value is None:
                unavailable.append({"label": pack.label(kpi.label), "reason": pack.reason(result)})
        return {"alerts": alerts, "unavailable": unavailable}


class KpiTableSection(Section):
    """All the audience's KPIs: month, year to date, N-1, budget and LTM."""

    name = "kpi_table"
    title = {"fr": "Tableau de bord des indicateurs", "en": "KPI dashboard"}
    template = "sections/kpi_table.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One row per KPI and window; the status is the one of the KPI's headline window (the
        window its tile and alerts show), shown beside that window's value."""
        rows, described, units = [], [], []
        for kpi in pack.kpis_for_audience():
            row = kpi_row(pack, pack.result(kpi.id, "month"))
            ytd = kpi_row(pack, pack.result(kpi.id, "ytd"))
            ltm = pack.result(kpi.id, "ltm")
            headline = pack.result(kpi.id)
            status_at = headline.window.kind if headline.window.kind in ("month", "ytd", "ltm") else None
            described.append(_kpi_values(pack, kpi.id))
            units.append(kpi.unit)
            row.update(ytd_value=ytd["value"], ytd_n1_delta=ytd["n1_delta"], ytd_budget=ytd["budget"],
                       ytd_budget_delta=ytd["budget_delta"], ltm=pack.value(ltm), ytd_reason=ytd["reason"],
                       status=headline.status if status_at else None, status_at=status_at)
            rows.append(row)
        if not rows:
            raise Unavailable(pack.t("aucun indicateur pour cette audience", "no KPI for this audience"))
        pack.table(Table(pack.t("Indicateurs", "KPIs"), (
            TableColumn(pack.t("Indicateur", "KPI")), TableColumn(pack.fmt.month(pack.period), "row"),
            TableColumn(pack.t("Mois N-1", "Month N-1"), "row"), TableColumn(pack.t("Budget du mois", "Month budget"), "row"),
            TableColumn(pack.t("Cumul", "YTD"), "row"), TableColumn(pack.t("Cumul N-1", "YTD N-1"), "row"),
            TableColumn(pack.t("Budget cumulé", "YTD budget"), "row"),
            TableColumn(pack.t("12 mois glissants", "Last 12 months"), "row"), TableColumn(pack.t("Statut", "Status")),
            TableColumn(pack.t("Formule", "Formula")),
        ), described, row_units=units))
        return {"rows": rows, "month": pack.fmt.month(pack.period)}


def _status(pack: PackContext, status: str | None) -> str:
    return {"ok": "ok", "warn": pack.t("à surveiller", "watch"), "alert": pack.t("alerte", "alert")}.get(status or "", "")


def _tile_values(pack: PackContext, kpi_id: str) -> tuple[Any, ...]:
    """A tile's row of the workbook: KPI, window, value, N-1, status."""
    result = pack.result(kpi_id)
    return (pack.label(result.kpi.label), pack.fmt.window_kind(result.window), result.value,
            result.comparisons["n1"].value, _status(pack, result.status))


def _kpi_values(pack: PackContext, kpi_id: str) -> tuple[Any, ...]:
    """A KPI's row of the workbook: month, N-1, budget, YTD, N-1, budget, LTM, status, formula."""
    kpi = pack.kpi(kpi_id)
    month, ytd, ltm = (pack.result(kpi_id, kind) for kind in ("month", "ytd", "ltm"))
    status = _status(pack, month.status)
    return (pack.label(kpi.label), month.value, month.comparisons["n1"].value, month.comparisons["budget"].value,
            ytd.value, ytd.comparisons["n1"].value, ytd.comparisons["budget"].value, ltm.value, status,
            pack.label(kpi.formula))


@hookimpl
def register_sections() -> list[Section]:
    """Register the summary sections."""
    return [KpiTilesSection(), ChangesSection(), TrendsSection(), AlertsSection(), KpiTableSection()]
