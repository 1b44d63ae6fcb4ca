"""Sales-steering KPIs from the CRM ``deals`` dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from decimal import Decimal

from boardpack.api import hookimpl
from boardpack.api.commercial import latest_crm_month
from boardpack.api import KPI, Thresholds, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Window

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["PipelinePondere", "TauxTransformation"]


class PipelinePondere(KPI):
    """Weighted open pipeline at the end of the window."""

    id = "pipeline_pondere"
    label = {"fr": "Pipeline pondéré", "en": "Weighted pipeline"}
    formula = {
        "fr": "Σ montant × probabilité de l'étape des affaires ouvertes en fin de période",
        "en": "Σ amount × stage probability of deals open at period end",
    }
    unit = "money"
    needs = ("deals",)
    audiences = ("dirigeant", "operations")
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Only at the CRM's last month: the stage a deal had in the past is not in the data."""
        deals = ctx.dataset("deals")
        last = latest_crm_month(deals)
        if window.end != last:
            raise Unavailable(
                "les données CRM donnent l'étape actuelle des affaires, pas leur historique : "
                f"pipeline pondéré calculable à fin {last} seulement"
            )
        open_deals = deals[deals["status"] == "open"]
        cents = sum(
            Decimal(int(amount)) * Decimal(str(probability))
            for amount, probability in zip(open_deals["amount"], open_deals["stage_probability"])
        )
        return Decimal(cents).scaleb(-2).quantize(Decimal("0.01"))


class TauxTransformation(KPI):
    """Win rate of deals closed in the window."""

    id = "taux_transformation"
    label = {"fr": "Taux de transformation", "en": "Win rate"}
    formula = {
        "fr": "affaires gagnées / (gagnées + perdues), parmi les affaires clôturées sur la période × 100",
        "en": "won / (won + lost) among deals closed in the period × 100",
    }
    unit = "percent"
    needs = ("deals",)
    thresholds = Thresholds(warn=Decimal(35), alert=Decimal(25))
    audiences = ("dirigeant", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Won share of deals closed between the window's first and last day."""
        deals = ctx.dataset("deals")
        if window.end > latest_crm_month(deals):
            raise Unavailable(f"pas de données CRM après {latest_crm_month(deals)}")
        start = pd.Timestamp(window.start.first_day)
        end = pd.Timestamp(window.end.last_day)
        closed = deals[(deals["status"] != "open") & (deals["close_date"] >= start) & (deals["close_date"] <= end)]
        if closed.empty:
            raise Unavailable("aucune affaire clôturée sur la période")
        won = int((closed["status"] == "won").sum())
        return Decimal(won) / Decimal(len(closed)) * 100


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the sales KPIs."""
    return [PipelinePondere(), TauxTransformation()]
