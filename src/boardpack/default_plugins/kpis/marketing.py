"""Acquisition and retention KPIs: CAC, LTV, cost per lead, campaign ROI, churn, lead conversion.

A window missing a month of the marketing data is unavailable rather than read as zero; sale
invoices, customers and data coverage follow the conventions of
:mod:`boardpack.default_plugins._commercial_data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Mapping
from decimal import Decimal

from boardpack.api import hookimpl
from boardpack.api import KPI, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Month, Window
from boardpack.api.commercial import (
    crm_deals,
    customer_of,
    euros,
    euros_by,
    largest_first,
    plain,
    require_filled,
    require_invoices,
    sale_invoices,
    within,
    won_in,
)

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["CAC", "LTV", "LTVCAC", "CoutParLead", "ROICampagnes", "Churn", "ConversionLeads"]


# ---------------------------------------------------------------- helpers


def _marketing(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """The marketing rows of the window; unavailable if a month of it has none."""
    frame = plain(ctx.dataset("marketing"))
    months = [str(month) for month in window.months]
    present = set(frame["period"])
    missing = [month for month in months if month not in present]
    if missing:
        raise Unavailable(f"données marketing absentes pour {missing[0]}")
    return frame[frame["period"].isin(months)]


def _last_12(window: Window) -> Window:
    return Window("ltm", window.end.shift(-11), window.end)


def _gross_margin_rate(ctx: KPIContext, window: Window) -> Decimal:
    """Marge brute / CA of the ledger over ``window`` (a fraction)."""
    revenue = ctx.pl("chiffre_affaires", window)
    if revenue == 0:
        raise Unavailable("CA nul sur la période : pas de taux de marge brute")
    return ctx.pl("marge_brute", window) / revenue


def _invoiced_customers(sales: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Positive sale invoices of ``window`` with their customer (unidentified ones left out)."""
    rows = sales[within(sales["issue_date"], window) & (sales["amount_excl_tax"] > 0)]
    rows = rows.assign(customer=customer_of(rows))
    return rows[rows["customer"] != ""]


def _churn(ctx: KPIContext, end: Month) -> tuple[Decimal, dict[str, Decimal]]:
    """Churn in % at ``end`` and the lost customers with their revenue of the previous 12 months
    (computed once per ``end``: the churn, the LTV and the LTV/CAC of every window ask for it)."""
    churn, revenue = ctx.memo(("marketing.churn", end), lambda: _churn_at(ctx, end))
    return churn, dict(revenue)


def _churn_at(ctx: KPIContext, end: Month) -> tuple[Decimal, dict[str, Decimal]]:
    sales = sale_invoices(ctx)
    require_invoices(sales, end.shift(-23), end)
    before = _invoiced_customers(sales, Window("ltm", end.shift(-23), end.shift(-12)))
    recent = set(_invoiced_customers(sales, Window("ltm", end.shift(-11), end))["customer"])
    customers = set(before["customer"])
    if not customers:
        raise Unavailable(f"aucun client facturé de {end.shift(-23)} à {end.shift(-12)}")
    lost = before[~before["customer"].isin(recent)]
    revenue = euros_by(lost["customer"], lost["amount_excl_tax"])
    return Decimal(len(revenue)) / Decimal(len(customers)) * 100, revenue


def _cac(ctx: KPIContext, window: Window) -> Decimal:
    rows = _marketing(ctx, window)
    new = int(rows["new_customers"].sum())
    if new == 0:
        raise Unavailable("aucun nouveau client sur la période")
    return euros(rows["spend"].sum()) / new


def _ltv(ctx: KPIContext, window: Window) -> Decimal:
    churn, _ = _churn(ctx, window.end)
    if churn == 0:
        raise Unavailable("aucun client perdu sur 12 mois : durée de vie non mesurable")
    year = _last_12(window)
    sales = sale_invoices(ctx)
    revenue = euros(sales[within(sales["issue_date"], year)]["amount_excl_tax"].sum())
    customers = _invoiced_customers(sales, year)["customer"].nunique()
    if customers == 0:
        raise Unavailable(f"aucun client facturé de {year.start} à {year.end}")
    margin_per_customer = revenue * _gross_margin_rate(ctx, year) / customers
    return margin_per_customer * 100 / churn


# ---------------------------------------------------------------- acquisition


class CAC(KPI):
    """Customer acquisition cost."""

    id = "cac"
    label = {"fr": "Coût d'acquisition client (CAC)", "en": "Customer acquisition cost (CAC)"}
    formula = {
        "fr": "dépenses marketing / nouveaux clients sur la période (jeu « marketing ») ; les "
        "dépenses commerciales (force de vente) ne sont pas dans les données : CAC = dépenses "
        "marketing / nouveaux clients",
        "en": "marketing spend / new customers over the period (marketing dataset); sales-force "
        "costs are not in the data: CAC = marketing spend / new customers",
    }
    unit = "money"
    needs = ("marketing",)
    direction = "down"
    audiences = ("dirigeant",)
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ spend / Σ new_customers over the window."""
        return _cac(ctx, window)


class LTV(KPI):
    """Customer lifetime value."""

    id = "ltv"
    label = {"fr": "Valeur vie client (LTV)", "en": "Customer lifetime value (LTV)"}
    formula = {
        "fr": "marge brute annuelle moyenne par client × durée de vie moyenne, sur les 12 mois "
        "finissant en fin de période ; marge annuelle par client = CA facturé des 12 mois × taux "
        "de marge brute du grand livre sur ces 12 mois (marge brute / CA) / clients facturés sur "
        "ces 12 mois ; durée de vie (années) = 1 / churn annuel",
        "en": "average yearly gross margin per customer × average lifetime, over the 12 months "
        "ending at period end; margin per customer = 12-month invoiced revenue × the ledger's "
        "gross margin rate over those months / customers invoiced in them; lifetime (years) = "
        "1 / yearly churn",
    }
    unit = "money"
    needs = ("invoices", "entries")
    audiences = ("dirigeant",)
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Yearly margin per customer divided by the churn rate."""
        return _ltv(ctx, window)


class LTVCAC(KPI):
    """Lifetime value over acquisition cost."""

    id = "ltv_cac"
    label = {"fr": "LTV / CAC", "en": "LTV / CAC"}
    formula = {
        "fr": "LTV / CAC, l'un et l'autre sur les 12 mois finissant en fin de période",
        "en": "LTV / CAC, both over the 12 months ending at period end",
    }
    unit = "ratio"
    needs = ("invoices", "entries", "marketing")
    audiences = ("dirigeant",)
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """LTV over the CAC of the last 12 months."""
        cac = _cac(ctx, _last_12(window))
        if cac == 0:
            raise Unavailable("CAC nul sur 12 mois (aucune dépense marketing)")
        return _ltv(ctx, window) / cac


class CoutParLead(KPI):
    """Marketing cost per lead."""

    id = "cout_par_lead"
    label = {"fr": "Coût par lead", "en": "Cost per lead"}
    formula = {
        "fr": "dépenses marketing / leads générés sur la période ; ventilation par canal (canaux "
        "sans lead exclus)",
        "en": "marketing spend / leads generated in the period; split by channel (channels "
        "without leads left out)",
    }
    unit = "money"
    needs = ("marketing",)
    direction = "down"
    audiences = ("operations",)
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ spend / Σ leads over the window."""
        rows = _marketing(ctx, window)
        leads = int(rows["leads"].sum())
        if leads == 0:
            raise Unavailable("aucun lead sur la période")
        return euros(rows["spend"].sum()) / leads

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Cost per lead of each channel that brought leads."""
        rows = _marketing(ctx, window)
        totals = rows.groupby("channel")[["spend", "leads"]].sum()
        costs = {str(channel): euros(row["spend"]) / int(row["leads"])
                 for channel, row in totals.iterrows() if int(row["leads"]) > 0}
        if not costs:
            raise Unavailable("aucun lead sur la période")
        return largest_first(costs)


class ROICampagnes(KPI):
    """Return on marketing spend, from the margin of the deals each channel won."""

    id = "roi_campagnes"
    label = {"fr": "ROI des campagnes", "en": "Campaign ROI"}
    formula = {
        "fr": "(Σ montants HT des affaires gagnées sur la période dont le canal figure au jeu "
        "« marketing » × taux de marge brute de la période (marge brute / CA du grand livre) − "
        "dépenses marketing) / dépenses marketing × 100 ; ventilation par canal (canaux sans "
        "dépense exclus)",
        "en": "(Σ amounts of deals won in the period whose channel is in the marketing dataset × "
        "gross margin rate of the period (ledger gross margin / revenue) − marketing spend) / "
        "marketing spend × 100; split by channel (channels without spend left out)",
    }
    unit = "percent"
    needs = ("deals", "marketing", "entries")
    audiences = ("dirigeant", "operations")
    headline = "ltm"

    def _by_channel(self, ctx: KPIContext, window: Window) -> pd.DataFrame:
        rows = _marketing(ctx, window)
        deals = crm_deals(ctx, window)
        require_filled(deals, "channel", "les affaires n'indiquent pas de canal d'acquisition")
        rate = _gross_margin_rate(ctx, window)
        won = won_in(deals, window).groupby("channel")["amount"].sum()
        spend = rows.groupby("channel")["spend"].sum()
        return pd.DataFrame({
            "spend": [euros(cents) for cents in spend],
            "margin": [euros(won.get(channel, 0)) * rate for channel in spend.index],
        }, index=spend.index)

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """(Margin won through the marketing channels − their spend) / spend, in %."""
        channels = self._by_channel(ctx, window)
        spend = sum(channels["spend"], Decimal(0))
        if spend == 0:
            raise Unavailable("aucune dépense marketing sur la période")
        return (sum(channels["margin"], Decimal(0)) - spend) / spend * 100

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """ROI of each channel with spend, in %."""
        channels = self._by_channel(ctx, window)
        rois = {str(channel): (row["margin"] - row["spend"]) / row["spend"] * 100
                for channel, row in channels.iterrows() if row["spend"] > 0}
        if not rois:
            raise Unavailable("aucune dépense marketing sur la période")
        return largest_first(rois)


class Churn(KPI):
    """Customers lost over the last twelve months."""

    id = "churn"
    label = {"fr": "Churn clients", "en": "Customer churn"}
    formula = {
        "fr": "clients facturés sur les 12 mois précédents (M−23 à M−12) et plus facturés sur les "
        "12 derniers mois (M−11 à M) / clients facturés sur les 12 mois précédents × 100, M étant "
        "le dernier mois de la période ; ventilation : CA HT des 12 mois précédents de chaque "
        "client perdu",
        "en": "customers invoiced in the previous 12 months (M−23 to M−12) but not in the last 12 "
        "(M−11 to M) / customers invoiced in the previous 12 months × 100, M being the period's "
        "last month; split: previous-12-month revenue of each lost customer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    audiences = ("dirigeant", "operations")
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Lost customers over customers of the previous twelve months, in %."""
        return _churn(ctx, window.end)[0]

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The lost customers with the revenue they brought in the previous twelve months."""
        lost = _churn(ctx, window.end)[1]
        if not lost:
            raise Unavailable("aucun client perdu sur les 12 derniers mois")
        return lost


class ConversionLeads(KPI):
    """Leads turned into customers."""

    id = "conversion_leads"
    label = {"fr": "Conversion leads → clients", "en": "Lead-to-customer conversion"}
    formula = {
        "fr": "nouveaux clients / leads générés sur la période × 100 (jeu « marketing »)",
        "en": "new customers / leads generated in the period × 100 (marketing dataset)",
    }
    unit = "percent"
    needs = ("marketing",)
    audiences = ("operations",)
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ new_customers / Σ leads over the window, in %."""
        rows = _marketing(ctx, window)
        leads = int(rows["leads"].sum())
        if leads == 0:
            raise Unavailable("aucun lead sur la période")
        return Decimal(int(rows["new_customers"].sum())) / leads * 100


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the acquisition and retention KPIs."""
    return [CAC(), LTV(), LTVCAC(), CoutParLead(), ROICampagnes(), Churn(), ConversionLeads()]
