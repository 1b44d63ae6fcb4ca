"""Operations sections: the four operational flows, the sales pipeline, the quote-to-cash
delays and inventory turnover."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boardpack.api import KPI, PackContext, Section, Table, TableColumn, Unavailable, hookimpl
from boardpack.api.commercial import (
    days_between,
    invoices_of,
    latest_crm_month,
    mean,
    median,
    require_invoices,
    within,
)
from boardpack.api.periods import Month, Window

from .helpers import bilan_value, kpi_row, kpi_trend, series_data, variation
from .layouts import line_label

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = [
    "CYCLE_STEPS", "CycleDelaysSection", "InventorySection", "OpsFlowsSection", "PipelineSection", "cycle_steps",
]

_FLOWS = (
    ("delais", "Délais", "Lead times"),
    ("volumes", "Volumes", "Volumes"),
    ("couts", "Coûts", "Costs"),
    ("qualite", "Qualité", "Quality"),
)


class OpsFlowsSection(Section):
    """Délais, volumes, coûts, qualité: each metric's month, N-1, LTM, target, and trends."""

    name = "flux_operationnels"
    title = {"fr": "Flux opérationnels", "en": "Operational flows"}
    template = "sections/ops_flows.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Groups of KPI rows by flow, and a 24-month chart per flow."""
        groups, described, units = [], [], []
        absent = None
        for flow, fr, en in _FLOWS:
            kpis = [k for k in pack.engine.kpis.values() if k.group == flow]
            absent = absent or next((pack.result(k.id).needs for k in kpis if pack.result(k.id).needs), None)
            kpis = [k for k in kpis if pack.result(k.id).needs is None]  # data absent: left out
            if not kpis:
                continue
            rows = []
            for kpi in kpis:
                row = kpi_row(pack, pack.result(kpi.id, "month"))
                row["ltm"] = pack.value(pack.result(kpi.id, "ltm"))
                limits = pack.engine.thresholds(kpi)
                row["target"] = "—" if limits is None or limits.warn is None else (
                    ("≥ " if kpi.direction == "up" else "≤ ") + pack.fmt.value(limits.warn, kpi.unit))
                rows.append(row)
                month = pack.result(kpi.id, "month")
                described.append((pack.label(kpi.label), pack.t(fr, en), month.value, month.comparisons["n1"].value,
                                  pack.result(kpi.id, "ltm").value, None if limits is None else limits.warn))
                units.append(kpi.unit)
            main = kpis[0]
            chart = kpi_trend(pack, main.id, 8.4, 5.2, title=pack.label(main.label))
            groups.append({"title": pack.t(fr, en), "rows": rows, "chart": chart})
        if not groups:
            if absent:
                raise Unavailable(f"aucune source ne fournit le jeu de données « {absent} »", needs=absent)
            raise Unavailable(pack.t("aucun indicateur opérationnel", "no operational KPI"))
        pack.table(Table(pack.t("Flux opérationnels", "Operational flows"), (
            TableColumn(pack.t("Indicateur", "KPI")), TableColumn(pack.t("Flux", "Flow")),
            TableColumn(pack.fmt.month(pack.period), "row"), TableColumn(pack.t("Mois N-1", "Month N-1"), "row"),
            TableColumn(pack.t("12 mois glissants", "Last 12 months"), "row"),
            TableColumn(pack.t("Seuil de vigilance", "Watch level"), "row"),
        ), described, row_units=units))
        return {"groups": groups}


class PipelineSection(Section):
    """Open pipeline by stage, and conversion by segment and channel over 12 months."""

    name = "pipeline"
    title = {"fr": "Pipeline commercial", "en": "Sales pipeline"}
    template = "sections/pipeline.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Stage table and chart, conversion tables."""
        deals = pack.data.dataset("deals")
        last = latest_crm_month(deals)
        open_deals = deals[deals["status"] == "open"]
        stages = (
            open_deals.groupby(["stage", "stage_probability"])["amount"].agg(["count", "sum"])
            .reset_index().sort_values("stage_probability")
        )
        stage_rows, described = [], []
        for _, row in stages.iterrows():
            amount = Decimal(int(row["sum"])).scaleb(-2)
            described.append((str(row["stage"]), Decimal(str(row["stage_probability"])) * 100, int(row["count"]),
                               amount, amount * Decimal(str(row["stage_probability"]))))
            stage_rows.append({
                "stage": row["stage"], "probability": pack.fmt.percent(row["stage_probability"] * 100, 0),
                "count": int(row["count"]), "amount": pack.fmt.money(amount),
                "weighted": pack.fmt.money(amount * Decimal(str(row["stage_probability"]))),
            })
        chart = pack.chart("hbars", {
            "x": list(stages["stage"]),
            "series": [{"label": "", "values": [Decimal(int(v)).scaleb(-2) for v in stages["sum"]]}],
            "unit": "money",
        }, 8.4, 4.5, alt=pack.t("Pipeline par étape", "Pipeline by stage")) if len(stages) else None
        pack.table(Table(pack.t("Pipeline par étape", "Pipeline by stage"), (
            TableColumn(pack.t("Étape", "Stage")), TableColumn(pack.t("Probabilité", "Probability"), "percent"),
            TableColumn(pack.t("Affaires", "Deals"), "count"), TableColumn(pack.t("Montant", "Amount"), "money"),
            TableColumn(pack.t("Montant pondéré", "Weighted amount"), "money"),
        ), described))
        window = pack.data.window("ltm", pack.period)
        start, end = pd.Timestamp(window.start.first_day), pd.Timestamp(window.end.last_day)
        closed = deals[(deals["status"] != "open") & (deals["close_date"] >= start) & (deals["close_date"] <= end)]

        def conversion(column: str) -> list[dict[str, Any]]:
            out = []
            for key, group in closed.groupby(column, sort=True):
                won = group[group["status"] == "won"]
                out.append({
                    "key": key or pack.t("(non renseigné)", "(not set)"), "closed": len(group), "won": len(won),
                    "rate": pack.fmt.percent(Decimal(len(won)) / Decimal(len(group)) * 100),
                    "won_amount": pack.fmt.money(Decimal(int(won["amount"].sum())).scaleb(-2)),
                    "raw": (Decimal(len(won)) / Decimal(len(group)) * 100, Decimal(int(won["amount"].sum())).scaleb(-2)),
                })
            title, first = {"segment": (pack.t("Transformation par segment", "Conversion by segment"), "Segment"),
                            "channel": (pack.t("Transformation par canal", "Conversion by channel"),
                                        pack.t("Canal", "Channel"))}[column]
            pack.table(Table(title, (
                TableColumn(first), TableColumn(pack.t("Affaires conclues", "Closed deals"), "count"),
                TableColumn(pack.t("Gagnées", "Won"), "count"), TableColumn(pack.t("Taux", "Rate"), "percent"),
                TableColumn(pack.t("Montant gagné", "Amount won"), "money"),
            ), [(row["key"], row["closed"], row["won"], *row["raw"]) for row in out],
                note=f"{pack.fmt.month(window.start)} – {pack.fmt.month(window.end)}"))
            return out

        return {
            "as_of": pack.fmt.month(last),
            "stale": last != pack.period,
            "stages": stage_rows,
            "chart": chart,
            "weighted": pack.value(pack.result("pipeline_pondere", "month")),
            "rate": pack.value(pack.result("taux_transformation", "ltm")),
            "by_segment": conversion("segment"),
            "by_channel": conversion("channel"),
            "window": f"{pack.fmt.month(window.start)} – {pack.fmt.month(window.end)}",
        }


#: The steps of the cycle: key, label fr, label en.
CYCLE_STEPS = (
    ("devis_signature", "Devis → signature", "Quote → signature"),
    ("signature_facture", "Signature → facture", "Signature → invoice"),
    ("facture_encaissement", "Facture → encaissement", "Invoice → cash"),
    ("cycle_complet", "Devis → dernier encaissement", "Quote → last cash-in"),
)


def cycle_steps(deals: pd.DataFrame, sales: pd.DataFrame, window: Window,
                not_given: str) -> dict[str, list[tuple[str, Decimal]]]:
    """(segment, days) of each step whose second date falls in ``window``.

    * devis → signature: won deals with a quote date, close date − quote date;
    * signature → facture: won deals, first linked invoice (``deal_id``) − close date;
    * facture → encaissement: linked invoices of positive amount, paid date − issue date;
    * cycle complet: won deals with a quote date whose linked invoices are all paid,
      last paid date − quote date.

    The segment is the deal's (« non renseigné » when empty).
    """
    won = deals[(deals["status"] == "won") & deals["close_date"].notna()].drop_duplicates("deal_id", keep="last")
    segment_of = won.set_index("deal_id")["segment"].where(lambda s: s != "", not_given)
    out: dict[str, list[tuple[str, Decimal]]] = {key: [] for key, _, _ in CYCLE_STEPS}
    quoted = won[won["quote_date"].notna() & within(won["close_date"], window)]
    out["devis_signature"] = list(zip(segment_of[quoted["deal_id"]].tolist(),
                                      days_between(quoted["close_date"], quoted["quote_date"])))
    linked = sales[sales["deal_id"].isin(set(won["deal_id"]))]
    if not linked.empty:
        first = linked.groupby("deal_id")["issue_date"].min()
        steps = won.join(first.rename("first_invoice"), on="deal_id", how="inner")
        steps = steps[within(steps["first_invoice"], window)]
        out["signature_facture"] = list(zip(segment_of[steps["deal_id"]].tolist(),
                                            days_between(steps["first_invoice"], steps["close_date"])))
        paid = linked[(linked["amount_excl_tax"] > 0) & within(linked["paid_date"], window)]
        out["facture_encaissement"] = list(zip(segment_of[paid["deal_id"]].tolist(),
                                               days_between(paid["paid_date"], paid["issue_date"])))
        groups = linked.groupby("deal_id")
        settled = groups["paid_date"].apply(lambda d: d.notna().all())
        last_paid = groups["paid_date"].max()
        full = won[won["quote_date"].notna()].join(last_paid.rename("last_paid"), on="deal_id", how="inner")
        full = full[full["deal_id"].map(settled).astype(bool) & within(full["last_paid"], window)]
        out["cycle_complet"] = list(zip(segment_of[full["deal_id"]].tolist(),
                                        days_between(full["last_paid"], full["quote_date"])))
    return out


class CycleDelaysSection(Section):
    """Quote → signature → invoice → cash: median and mean days per step, by segment, 12 months."""

    name = "delais_cycle"
    title = {"fr": "Délais du cycle commercial", "en": "Quote-to-cash cycle"}
    template = "sections/cycle_delays.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One row per segment and one for all deals; a chart of the overall medians."""
        window = pack.data.window("ltm", pack.period)
        deals = pack.data.dataset("deals")
        last = latest_crm_month(deals)
        if window.end > last:
            raise Unavailable(pack.t(f"pas de données CRM après {last}", f"no CRM data after {last}"))
        sales = invoices_of(pack.data, "sale", pack.language)
        require_invoices(sales, window.end, window.end, pack.language, ("factures", "invoice"))
        not_given = pack.t("(non renseigné)", "(not given)")
        steps = cycle_steps(deals, sales, window, not_given)
        if not any(steps.values()):
            raise Unavailable(pack.t("aucune affaire gagnée ni facture reliée sur les 12 derniers mois",
                                     "no won deal nor linked invoice in the last 12 months"))
        segments = sorted({segment for values in steps.values() for segment, _ in values})

        def cells(chosen: str | None) -> list[dict[str, Any]]:
            out = []
            for key, _, _ in CYCLE_STEPS:
                days = [d for segment, d in steps[key] if chosen is None or segment == chosen]
                out.append({
                    "median": pack.fmt.value(median(days), "days") if days else "—",
                    "mean": pack.fmt.value(mean(days), "days") if days else "—",
                    "count": pack.fmt.number(len(days)),
                    "raw": {"median": median(days) if days else None, "mean": mean(days) if days else None,
                            "count": len(days)},
                })
            return out

        rows = [{"label": segment, "style": "base", "steps": cells(segment)} for segment in segments]
        rows.append({"label": pack.t("Ensemble", "All segments"), "style": "total", "steps": cells(None)})
        pack.table(Table(pack.t("Délais du cycle commercial", "Sales cycle"), (
            TableColumn(pack.t("Segment", "Segment")),
            *(TableColumn(f"{pack.t(fr, en)} {what}", unit) for _, fr, en in CYCLE_STEPS
              for what, unit in ((pack.t("médiane", "median"), "days"), (pack.t("moyenne", "mean"), "days"),
                                 (pack.t("nombre", "count"), "count"))),
        ), [(row["label"], *(cell["raw"][key] for cell in row["steps"] for key in ("median", "mean", "count")))
            for row in rows]))
        overall = rows[-1]["steps"]
        chart = pack.chart("hbars", {
            "x": [pack.t(fr, en) for _, fr, en in CYCLE_STEPS],
            "series": [{"label": "", "values": [c["raw"]["median"] for c in overall]}],
            "unit": "days",
        }, 17, 4.6, alt=pack.t("Délais médians par étape", "Median time per step"))
        return {
            "rows": rows,
            "steps": [pack.t(fr, en) for _, fr, en in CYCLE_STEPS],
            "chart": chart,
            "window": pack.fmt.window(window),
        }


def _kpi_or_reason(pack: PackContext, kpi_id: str) -> tuple[KPI | None, str | None]:
    try:
        return pack.kpi(kpi_id), None
    except Unavailable as exc:
        return None, str(exc)


class InventorySection(Section):
    """Net inventories over 24 months, with turnover and days of inventory (12 months)."""

    name = "rotation_stocks"
    title = {"fr": "Stocks et rotation", "en": "Inventories and turnover"}
    template = "sections/inventory.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Key figures against N-1, quarter ends over two years, stock and DIO charts."""
        months = [pack.period.shift(-i) for i in range(23, -1, -1)]
        stocks = [bilan_value(pack, "stocks", m) for m in months]
        if not any(stocks):
            raise Unavailable(pack.t("aucun stock au bilan sur les 24 derniers mois",
                                     "no inventory on the balance sheet in the last 24 months"))
        dio, dio_reason = _kpi_or_reason(pack, "dio")
        rotation, rotation_reason = _kpi_or_reason(pack, "rotation_stocks")

        def history(kpi: KPI | None) -> dict[Month, Decimal | None]:
            if kpi is None:
                return dict.fromkeys(months)
            return dict(pack.series(kpi.id, 24, "ltm"))

        dio_by_month, rotation_by_month = history(dio), history(rotation)
        stock_by_month = dict(zip(months, stocks))
        cost = {}
        for month in (pack.period, pack.period.shift(-12)):
            cost[month] = pack.facts.line("cout_des_ventes", pack.data.window("ltm", month)).value
        now, before = pack.period, pack.period.shift(-12)

        def figure(label: str, values: tuple[Any, Any], unit: str) -> dict[str, Any]:
            current, previous = values
            return {"label": label,
                    "value": "—" if current is None else pack.fmt.value(current, unit),
                    "n1": "—" if previous is None else pack.fmt.value(previous, unit),
                    "delta": variation(pack, current, previous, unit)}

        figures = [
            figure(line_label(pack, "stocks"), (stock_by_month[now], stock_by_month[before]), "money"),
            figure(pack.t("Coût des ventes (12 mois)", "Cost of sales (12 months)"), (cost[now], cost[before]), "money"),
            figure(pack.t("Durée de stockage (DIO, 12 mois)", "Days inventory outstanding (12 months)"),
                   (dio_by_month[now], dio_by_month[before]), "days"),
            figure(pack.t("Rotation des stocks (12 mois, en fois)", "Inventory turnover (12 months, times)"),
                   (rotation_by_month[now], rotation_by_month[before]), "ratio"),
        ]
        # the fiscal quarters' last months (March, June… for a year opening in January), oldest
        # first, then the period itself when it ends no quarter
        start = pack.data.calendar.start_month
        quarters = [m for m in months if (m.month - start + 1) % 3 == 0]
        if pack.period not in quarters:
            quarters.append(pack.period)
        pack.table(Table(pack.t("Stocks et rotation", "Inventories"), (
            TableColumn(pack.t("Mois", "Month"), "month"), TableColumn(line_label(pack, "stocks"), "money"),
            TableColumn(pack.t("DIO (12 mois)", "DIO (12 months)"), "days"),
            TableColumn(pack.t("Rotation (12 mois)", "Turnover (12 months)"), "ratio"),
        ), [(m, stock_by_month[m], dio_by_month[m], rotation_by_month[m]) for m in quarters]))
        rows = [{
            "month": pack.fmt.month(m),
            "stock": "—" if stock_by_month[m] is None else pack.fmt.money(stock_by_month[m]),
            "dio": "—" if dio_by_month[m] is None else pack.fmt.value(dio_by_month[m], "days"),
            "rotation": "—" if rotation_by_month[m] is None else pack.fmt.value(rotation_by_month[m], "ratio"),
        } for m in quarters]
        charts = [{
            "title": line_label(pack, "stocks"),
            "chart": pack.chart("trend", series_data(pack, months, [(line_label(pack, "stocks"), stocks, "line")], "money"),
                                8.4, 5.2, alt=line_label(pack, "stocks")),
        }]
        if dio is not None:
            charts.append({
                "title": pack.t("DIO sur 12 mois glissants", "DIO over the last 12 months"),
                "chart": pack.chart("trend", series_data(
                    pack, months, [(pack.label(dio.label), [dio_by_month[m] for m in months], "line")], "days"),
                    8.4, 5.2, alt=pack.label(dio.label)),
            })
        return {
            "figures": figures,
            "rows": rows,
            "charts": charts,
            "date": pack.fmt.date(now.last_day),
            "date_n1": pack.fmt.date(before.last_day),
            "reasons": [r for r in (dio_reason, rotation_reason) if r],
            "formulas": [pack.label(k.formula) for k in (dio, rotation) if k is not None],
            "raw": {"stocks": stock_by_month, "dio": dio_by_month, "rotation": rotation_by_month},
        }


@hookimpl
def register_sections() -> list[Section]:
    """Register the operations sections."""
    return [OpsFlowsSection(), PipelineSection(), CycleDelaysSection(), InventorySection()]
