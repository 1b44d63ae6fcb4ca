"""Operations sections: the four operational flows and the sales pipeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from ..hookspecs import hookimpl
from ..interfaces import Section, Unavailable
from ..pack import PackContext
from ._section_helpers import kpi_row, kpi_trend
from .kpis_ops import OpsMetricKPI
from .kpis_sales import latest_month

__all__ = ["OpsFlowsSection", "PipelineSection"]

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
        groups = []
        for flow, fr, en in _FLOWS:
            kpis = [k for k in pack.engine.kpis.values() if isinstance(k, OpsMetricKPI) and k.flow == flow]
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
            main = kpis[0]
            chart = kpi_trend(pack, main.id, 8.4, 5.2, title=pack.label(main.label))
            groups.append({"title": pack.t(fr, en), "rows": rows, "chart": chart})
        if not groups:
            raise Unavailable(pack.t("aucun indicateur opérationnel", "no operational KPI"))
        return {"groups": groups}


class PipelineSection(Section):
    """Open pipeline by stage, and conversion by segment and channel over 12 months."""

    name = "pipeline"
    title = {"fr": "Pipeline commercial", "en": "Sales pipeline"}
    template = "sections/pipeline.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Stage table and chart, conversion tables."""
        deals = pack.data.dataset("deals")
        last = latest_month(deals)
        open_deals = deals[deals["status"] == "open"]
        stages = (
            open_deals.groupby(["stage", "stage_probability"])["amount"].agg(["count", "sum"])
            .reset_index().sort_values("stage_probability")
        )
        stage_rows = []
        for _, row in stages.iterrows():
            amount = Decimal(int(row["sum"])).scaleb(-2)
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
                })
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


@hookimpl
def register_sections() -> list[Section]:
    """Register the operations sections."""
    return [OpsFlowsSection(), PipelineSection()]
