"""CRM deal KPIs: deal values, win rate by segment, quote → signature → invoice delays.

Delays count in the window where their second step happens; sale invoices and data coverage
follow the conventions of :mod:`boardpack.default_plugins._commercial_data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Mapping
from decimal import Decimal

from boardpack.api import hookimpl
from boardpack.api import KPI, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Window
from boardpack.api.commercial import (
    breakdown_labels,
    crm_deals,
    days_between,
    euros,
    largest_first,
    median,
    medians_by,
    require_filled,
    require_invoices,
    sale_invoices,
    within,
    won_in,
)
from .sales import TauxTransformation

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = [
    "ValeurMoyenneGagnee", "ValeurMoyenneProposee", "TauxTransformationSegment",
    "DelaiDevisSignature", "DelaiSignatureFacture",
]


# ---------------------------------------------------------------- CRM


class ValeurMoyenneGagnee(KPI):
    """Mean amount of the deals won in the window."""

    id = "valeur_moyenne_gagnee"
    label = {"fr": "Valeur moyenne des affaires gagnées", "en": "Average won deal value"}
    formula = {
        "fr": "Σ montants HT des affaires gagnées clôturées sur la période / nombre de ces affaires",
        "en": "Σ amounts excl. VAT of deals won (closed) in the period / number of those deals",
    }
    unit = "money"
    needs = ("deals",)
    audiences = ("dirigeant", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Mean amount of won deals closed between the window's first and last day."""
        won = won_in(crm_deals(ctx, window), window)
        if won.empty:
            raise Unavailable("aucune affaire gagnée sur la période")
        return euros(won["amount"].sum()) / len(won)


class ValeurMoyenneProposee(KPI):
    """Mean amount of the deals quoted in the window."""

    id = "valeur_moyenne_proposee"
    label = {"fr": "Valeur moyenne des affaires proposées", "en": "Average quoted deal value"}
    formula = {
        "fr": "Σ montants HT des affaires dont le devis est daté de la période / nombre de ces "
        "affaires ; une affaire gagnée ou perdue sans date de devis compte à sa date de clôture",
        "en": "Σ amounts excl. VAT of deals quoted in the period / number of those deals; a won or "
        "lost deal without a quote date counts at its close date",
    }
    unit = "money"
    needs = ("deals",)
    direction = None
    audiences = ("dirigeant", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Mean amount of deals quoted (or, without a quote date, closed) in the window."""
        deals = crm_deals(ctx, window)
        quoted = deals["quote_date"].notna()
        closed = deals["status"].isin(("won", "lost")) & deals["close_date"].notna()
        when = deals["quote_date"].where(quoted, deals["close_date"].where(closed))
        proposed = deals[within(when, window)]
        if proposed.empty:
            raise Unavailable("aucune affaire proposée sur la période")
        return euros(proposed["amount"].sum()) / len(proposed)


class TauxTransformationSegment(TauxTransformation):
    """Win rate with its split by segment."""

    id = "taux_transformation_segment"
    label = {"fr": "Taux de transformation par segment", "en": "Win rate by segment"}
    formula = {
        "fr": "affaires gagnées / (gagnées + perdues), parmi les affaires clôturées sur la période "
        "× 100 ; ventilation : le même taux dans chaque segment",
        "en": "won / (won + lost) among deals closed in the period × 100; split: the same rate "
        "within each segment",
    }
    thresholds = None

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Win rate of the deals closed in the window, segment by segment."""
        deals = crm_deals(ctx, window)
        require_filled(deals, "segment", "les affaires n'indiquent pas de segment")
        closed = deals[(deals["status"] != "open") & within(deals["close_date"], window)]
        if closed.empty:
            raise Unavailable("aucune affaire clôturée sur la période")
        rates = {}
        for segment, group in closed.groupby(breakdown_labels(closed["segment"])):
            rates[str(segment)] = Decimal(int((group["status"] == "won").sum())) / Decimal(len(group)) * 100
        return largest_first(rates)


class DelaiDevisSignature(KPI):
    """Median days from quote to signature."""

    id = "delai_devis_signature"
    label = {"fr": "Délai devis → signature", "en": "Quote-to-signature time"}
    formula = {
        "fr": "médiane des jours entre la date de devis et la date de signature des affaires "
        "gagnées clôturées sur la période ; ventilation par segment",
        "en": "median days from quote date to close date of deals won in the period; split by segment",
    }
    unit = "days"
    needs = ("deals",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def _delays(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, list[Decimal]]:
        deals = crm_deals(ctx, window)
        if deals["quote_date"].isna().all():
            raise Unavailable("les affaires n'ont pas de date de devis")
        won = won_in(deals, window)
        won = won[won["quote_date"].notna()]
        if won.empty:
            raise Unavailable("aucune affaire gagnée avec un devis daté sur la période")
        return won, days_between(won["close_date"], won["quote_date"])

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Median of close_date − quote_date over won deals closed in the window."""
        return median(self._delays(ctx, window)[1])

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The median by segment."""
        won, days = self._delays(ctx, window)
        return medians_by(won["segment"], days)


def _first_invoices(deals: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    """The won deals with a close date and the issue date of their first linked invoice
    (``first_invoice``); the same for every window, so computed once per company."""
    linked = sales[sales["deal_id"] != ""] if "deal_id" in sales else sales.iloc[0:0]
    if linked.empty:
        raise Unavailable("les factures ne sont pas reliées aux affaires (colonne « deal_id » vide)")
    first = linked.groupby("deal_id")["issue_date"].min().rename("first_invoice")
    won = deals[(deals["status"] == "won") & deals["close_date"].notna()]
    return won.join(first, on="deal_id", how="inner")


class DelaiSignatureFacture(KPI):
    """Median days from signature to the first invoice of the deal."""

    id = "delai_signature_facture"
    label = {"fr": "Délai signature → facture", "en": "Signature-to-invoice time"}
    formula = {
        "fr": "médiane des jours entre la signature d'une affaire gagnée et l'émission de sa "
        "première facture (factures reliées par deal_id), pour les affaires dont la première "
        "facture est émise sur la période ; ventilation par segment de l'affaire",
        "en": "median days from a won deal's close date to the issue of its first invoice "
        "(invoices linked by deal_id), for deals first invoiced in the period; split by segment",
    }
    unit = "days"
    needs = ("deals", "invoices")
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def _delays(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, list[Decimal]]:
        deals = crm_deals(ctx, window)
        sales = sale_invoices(ctx)
        require_invoices(sales, window.start, window.end)
        steps = ctx.memo("deals.first_invoice", lambda: _first_invoices(deals, sales))
        steps = steps[within(steps["first_invoice"], window)]
        if steps.empty:
            raise Unavailable("aucune affaire gagnée facturée pour la première fois sur la période")
        return steps, days_between(steps["first_invoice"], steps["close_date"])

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Median of first linked invoice date − close_date."""
        return median(self._delays(ctx, window)[1])

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The median by the deals' segment."""
        steps, days = self._delays(ctx, window)
        return medians_by(steps["segment"], days)


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the CRM deal KPIs."""
    return [
        ValeurMoyenneGagnee(), ValeurMoyenneProposee(), TauxTransformationSegment(),
        DelaiDevisSignature(), DelaiSignatureFacture(),
    ]
