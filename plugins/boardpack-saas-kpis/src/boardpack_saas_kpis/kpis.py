"""SaaS KPIs over the ``subscriptions`` dataset: MRR, ARR, NRR, revenue and logo churn, CAC payback.

MRR, ARR and net revenue retention are read at the end of the window (stocks). The two
churn rates are monthly: over a longer window they are the losses of its months over the
sum of their opening figures (a mean of the monthly rates weighted by the opening MRR or
customer count). CAC payback is computed on the customers won in the window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from boardpack.api import KPI, Thresholds, hookimpl
from boardpack.api import Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Window

from .mrr import MrrTable, euros

__all__ = [
    "Arr",
    "AttritionClients",
    "AttritionRevenu",
    "Mrr",
    "RecuperationCac",
    "RetentionNette",
    "register_kpis",
]

_AUDIENCES = ("dirigeant", "daf")


class _SaasKPI(KPI):
    """A KPI over the subscriptions dataset."""

    needs = ("subscriptions",)
    audiences = _AUDIENCES

    @staticmethod
    def mrr(ctx: KPIContext) -> MrrTable:
        """The MRR table of the context's ``subscriptions`` dataset (built once per context:
        the engine computes each KPI over many windows and months)."""
        return ctx.memo("saas_kpis.mrr", lambda: MrrTable(ctx.dataset("subscriptions")))


class Mrr(_SaasKPI):
    """Monthly recurring revenue at the end of the window."""

    id = "mrr"
    label = {"fr": "MRR (revenu récurrent mensuel)", "en": "MRR (monthly recurring revenue)"}
    formula = {
        "fr": "Σ MRR HT des clients abonnés à la fin du dernier mois de la période",
        "en": "Σ MRR (excl. VAT) of the customers subscribed at the end of the period's last month",
    }
    unit = "money"
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ MRR at ``window.end``."""
        return euros(self.mrr(ctx).total(window.end))

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """MRR by plan at ``window.end``, largest first."""
        table = self.mrr(ctx)
        at = table.at(window.end)
        frame = table.frame[table.frame["period"] == str(window.end)]
        plans = frame.set_index("customer")["plan"].reindex(at.index).fillna("").replace("", "(sans offre)")
        by_plan = at.groupby(plans).sum()
        by_plan = by_plan[by_plan > 0].sort_values(ascending=False)
        return {str(plan): euros(int(cents)) for plan, cents in by_plan.items()}


class Arr(_SaasKPI):
    """Annual recurring revenue: the MRR of the window's last month × 12."""

    id = "arr"
    label = {"fr": "ARR (revenu récurrent annuel)", "en": "ARR (annual recurring revenue)"}
    formula = {
        "fr": "MRR à la fin du dernier mois de la période × 12",
        "en": "MRR at the end of the period's last month × 12",
    }
    unit = "money"
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """12 × MRR at ``window.end``."""
        return euros(self.mrr(ctx).total(window.end) * 12)


class RetentionNette(_SaasKPI):
    """Net revenue retention over twelve months, at the end of the window."""

    id = "retention_nette_revenu"
    label = {"fr": "Rétention nette du revenu (NRR, 12 mois)", "en": "Net revenue retention (NRR, 12 months)"}
    formula = {
        "fr": "MRR à fin M des clients déjà abonnés à fin M−12 (hausses et baisses comprises, clients partis "
        "comptés à 0) / leur MRR à fin M−12 × 100 ; M = dernier mois de la période",
        "en": "MRR at the end of M of the customers already subscribed at the end of M−12 (expansion and "
        "contraction included, lost customers at 0) / their MRR at the end of M−12 × 100; M = period's last month",
    }
    unit = "percent"
    nature = "stock"
    thresholds = Thresholds(warn=Decimal(100), alert=Decimal(90))

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Cohort of ``window.end − 12``, its MRR then and now."""
        table = self.mrr(ctx)
        start = window.end.shift(-12)
        before, now = table.at(start), table.at(window.end)
        cohort = before[before > 0].index
        if len(cohort) == 0:
            raise Unavailable(f"aucun client abonné à fin {start}")
        return Decimal(int(now[cohort].sum())) / Decimal(int(before[cohort].sum())) * 100


class AttritionRevenu(_SaasKPI):
    """Gross revenue churn per month: MRR lost to departures and contractions."""

    id = "attrition_revenu_brute"
    label = {"fr": "Attrition brute du revenu (mensuelle)", "en": "Gross revenue churn (monthly)"}
    formula = {
        "fr": "Σ MRR perdu dans le mois (clients partis, baisses d'abonnement ; hausses non déduites) / MRR "
        "de début de mois × 100 ; sur plusieurs mois : Σ pertes / Σ MRR de début de mois",
        "en": "Σ MRR lost in the month (lost customers, downgrades; expansion not netted) / opening MRR × 100; "
        "over several months: Σ losses / Σ opening MRR",
    }
    unit = "percent"
    direction = "down"
    thresholds = Thresholds(warn=Decimal(2), alert=Decimal(3))

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Losses of each month of the window over the MRR at the end of the month before."""
        return _monthly_loss_rate(
            self.mrr(ctx), window,
            lost=lambda before, now: (before - now).clip(lower=0).sum(),
            base=lambda before: before.sum(),
            empty="aucun MRR en début de mois sur la période",
        )


class AttritionClients(_SaasKPI):
    """Logo churn per month: the share of customers lost."""

    id = "attrition_clients"
    label = {"fr": "Attrition clients (logo churn, mensuelle)", "en": "Logo churn (monthly)"}
    formula = {
        "fr": "clients partis dans le mois / clients abonnés en début de mois × 100 ; sur plusieurs mois : "
        "Σ départs / Σ clients de début de mois",
        "en": "customers lost in the month / customers at the start of the month × 100; over several months: "
        "Σ lost / Σ opening customers",
    }
    unit = "percent"
    direction = "down"
    thresholds = Thresholds(warn=Decimal(2), alert=Decimal(3))

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Customers with an MRR at the end of the month before and none at the end of the month."""
        return _monthly_loss_rate(
            self.mrr(ctx), window,
            lost=lambda before, now: ((before > 0) & (now == 0)).sum(),
            base=lambda before: (before > 0).sum(),
            empty="aucun client en début de mois sur la période",
        )


def _monthly_loss_rate(table: MrrTable, window: Window, lost: Callable[[Any, Any], Any],
                       base: Callable[[Any], Any], empty: str) -> Decimal:
    """Σ ``lost(before, now)`` / Σ ``base(before)`` × 100 over the window's months, where
    ``before`` and ``now`` are the customers' MRR at the end of the previous and the month."""
    total = opening = 0
    for month in window.months:
        before, now = table.at(month.shift(-1)), table.at(month)
        total += int(lost(before, now))
        opening += int(base(before))
    if opening == 0:
        raise Unavailable(empty)
    return Decimal(total) / Decimal(opening) * 100


class RecuperationCac(_SaasKPI):
    """CAC payback: months of the new customers' first MRR needed to repay what winning them cost."""

    id = "recuperation_cac"
    label = {"fr": "Délai de récupération du CAC", "en": "CAC payback"}
    formula = {
        "fr": "Σ coûts d'acquisition des clients gagnés sur la période / Σ MRR de leur premier mois, en mois "
        "(sur le revenu, marge brute non déduite)",
        "en": "Σ acquisition costs of the customers won in the period / Σ MRR of their first month, in months "
        "(on revenue, gross margin not deducted)",
    }
    unit = "mois"
    direction = "down"
    thresholds = Thresholds(warn=Decimal(12), alert=Decimal(18))
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Cost of the window's new customers over their first-month MRR."""
        table = self.mrr(ctx)
        customers = table.new_customers(window.months)
        if not customers:
            raise Unavailable("aucun nouveau client sur la période")
        first_months = table.first_months()
        first_mrr = sum(int(table.table.at[c, first_months[c]]) for c in customers)
        return Decimal(table.acquisition_cost(customers)) / Decimal(first_mrr)


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the six SaaS KPIs."""
    return [Mrr(), Arr(), RetentionNette(), AttritionRevenu(), AttritionClients(), RecuperationCac()]
