"""Operational KPIs read from the ``ops_metrics`` series (délais, volumes, coûts, qualité).

Each KPI reads one standard metric name. A volume (``sum``) adds its dimensions and its
months; a rate or a lead time (``mean``) averages its dimensions within a month, then its
monthly values. Every month of the window
must be present, or the KPI is unavailable naming the first missing month.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from boardpack.api import hookimpl
from boardpack.api import KPI, Thresholds, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Window

__all__ = ["OpsMetricKPI", "OPS_KPIS"]


class OpsMetricKPI(KPI):
    """A KPI that aggregates one metric of ``ops_metrics`` over the window."""

    needs = ("ops_metrics",)
    audiences = ("operations",)

    def __init__(
        self,
        metric: str,
        label: Mapping[str, str],
        unit: str,
        aggregation: Literal["sum", "mean"],
        direction: Literal["up", "down"] | None,
        thresholds: Thresholds | None = None,
        flow: str = "",
    ) -> None:
        self.id = metric  # type: ignore[misc]
        self.metric = metric
        self.label = label  # type: ignore[misc]
        self.unit = unit  # type: ignore[misc]
        self.aggregation = aggregation
        self.direction = direction  # type: ignore[misc]
        self.thresholds = thresholds  # type: ignore[misc]
        self.flow = flow
        self.group = flow  # type: ignore[misc]
        how = {"sum": ("somme des valeurs mensuelles", "sum of monthly values"),
               "mean": ("moyenne des valeurs mensuelles", "mean of monthly values")}[aggregation]
        self.formula = {  # type: ignore[misc]
            "fr": f"{how[0]} de la série « {metric} » (ops_metrics)",
            "en": f"{how[1]} of the « {metric} » series (ops_metrics)",
        }

    def _monthly(self, ctx: KPIContext) -> dict[str, Decimal]:
        """The metric's value per month (AAAA-MM), over every dimension."""
        frame = ctx.dataset("ops_metrics")
        rows = frame[frame["metric"] == self.metric]
        if rows.empty:
            raise Unavailable(f"la série « {self.metric} » est absente de ops_metrics")
        grouped = rows.groupby("period")["value"]
        # volumes add up across dimensions (sites, lines); rates and lead times average
        by_month = grouped.sum() if self.aggregation == "sum" else grouped.mean()
        return {str(month): Decimal(str(value)) for month, value in by_month.items()}

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Sum or mean of the metric's monthly values over the window."""
        by_month = ctx.memo(("ops_metric", self.metric, self.aggregation), lambda: self._monthly(ctx))
        values = []
        for month in window.months:
            if str(month) not in by_month:
                raise Unavailable(f"série « {self.metric} » absente pour {month}")
            values.append(by_month[str(month)])
        total = sum(values, Decimal(0))
        return total if self.aggregation == "sum" else total / len(values)


OPS_KPIS = (
    OpsMetricKPI("unites_produites", {"fr": "Unités produites", "en": "Units produced"},
                 "count", "sum", "up", flow="volumes"),
    OpsMetricKPI("commandes_livrees", {"fr": "Commandes livrées", "en": "Orders delivered"},
                 "count", "sum", "up", flow="volumes"),
    OpsMetricKPI("delai_livraison_jours", {"fr": "Délai de livraison", "en": "Delivery lead time"},
                 "days", "mean", "down", Thresholds(warn=Decimal(22), alert=Decimal(28)), flow="delais"),
    OpsMetricKPI("delai_devis_jours", {"fr": "Délai de devis", "en": "Quotation lead time"},
                 "days", "mean", "down", Thresholds(warn=Decimal(8), alert=Decimal(12)), flow="delais"),
    OpsMetricKPI("taux_livraison_a_temps", {"fr": "Livraisons à l'heure", "en": "On-time delivery"},
                 "percent", "mean", "up", Thresholds(warn=Decimal(93), alert=Decimal(88)), flow="delais"),
    OpsMetricKPI("taux_conformite", {"fr": "Taux de conformité", "en": "Conformity rate"},
                 "percent", "mean", "up", Thresholds(warn=Decimal("98.5"), alert=Decimal(97)), flow="qualite"),
    OpsMetricKPI("taux_retour", {"fr": "Taux de retour", "en": "Return rate"},
                 "percent", "mean", "down", Thresholds(warn=Decimal("1.5"), alert=Decimal(2)), flow="qualite"),
    OpsMetricKPI("cout_unitaire", {"fr": "Coût unitaire de production", "en": "Unit production cost"},
                 "money", "mean", "down", flow="couts"),
)


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the operational KPIs."""
    return list(OPS_KPIS)
