"""Receivables KPIs: invoice-to-cash time and customer receivables more than 90 days past due.

Sale invoices, customers and data coverage follow the conventions of
:mod:`boardpack.default_plugins._commercial_data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Mapping
from decimal import Decimal

from boardpack.api import hookimpl
from boardpack.api import KPI, Thresholds, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Window
from boardpack.api.commercial import (
    customer_of,
    days_between,
    days_past_due,
    euros,
    euros_by,
    median,
    medians_by,
    require_filled,
    require_invoices,
    sale_invoices,
    within,
)

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["DelaiEncaissement", "ClientsPlus90j"]


# ---------------------------------------------------------------- cash


class DelaiEncaissement(KPI):
    """Median days from invoice to payment."""

    id = "delai_encaissement"
    label = {"fr": "Délai facture → encaissement", "en": "Invoice-to-cash time"}
    formula = {
        "fr": "médiane des jours entre émission et encaissement des factures de vente (montant "
        "positif) encaissées sur la période ; ventilation par segment",
        "en": "median days from issue to payment of sale invoices (positive amount) paid in the "
        "period; split by segment",
    }
    unit = "days"
    needs = ("invoices",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def _delays(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, list[Decimal]]:
        sales = sale_invoices(ctx)
        require_invoices(sales, window.start, window.end)
        paid = sales[(sales["amount_excl_tax"] > 0) & within(sales["paid_date"], window)]
        if paid.empty:
            raise Unavailable("aucune facture de vente encaissée sur la période")
        return paid, days_between(paid["paid_date"], paid["issue_date"])

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Median of paid_date − issue_date over invoices paid in the window."""
        return median(self._delays(ctx, window)[1])

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The median by segment."""
        require_filled(sale_invoices(ctx), "segment", "les factures n'indiquent pas de segment")
        paid, days = self._delays(ctx, window)
        return medians_by(paid["segment"], days)


class ClientsPlus90j(KPI):
    """Share of open receivables more than 90 days past their due date at the window's end."""

    id = "clients_plus_90j"
    label = {"fr": "Créances clients échues à plus de 90 jours", "en": "Receivables over 90 days past due"}
    formula = {
        "fr": "créances TTC ouvertes en fin de période échues depuis plus de 90 jours (comptés depuis "
        "l'échéance, à défaut l'émission) / créances TTC ouvertes × 100 ; ouverte = facture de vente "
        "émise au plus tard en fin de période, non encaissée à cette date (avoirs en négatif) ; "
        "ventilation par client",
        "en": "open receivables incl. VAT at period end more than 90 days past due (counted from the "
        "due date, else the issue date) / open receivables incl. VAT × 100; open = sale invoice "
        "issued by period end, unpaid at that date (credit notes negative); split by customer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    thresholds = Thresholds(warn=Decimal(5), alert=Decimal(10))
    audiences = ("daf", "banquier")
    nature = "stock"

    def _open(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, pd.Series]:
        sales = sale_invoices(ctx)
        require_invoices(sales, window.end, window.end)
        end = pd.Timestamp(window.end.last_day)
        issued = sales[sales["issue_date"] <= end]
        unpaid = (issued["paid_date"].isna() & (issued["status"] != "paid")) | (issued["paid_date"] > end)
        open_items = issued[unpaid]
        if open_items["amount_incl_tax"].sum() <= 0:
            raise Unavailable(f"aucune créance client ouverte à fin {window.end}")
        return open_items, days_past_due(open_items, end) > 90

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Over-90-day share of the open receivables at the window's end, in %."""
        open_items, late = self._open(ctx, window)
        total = euros(open_items["amount_incl_tax"].sum())
        return euros(open_items[late]["amount_incl_tax"].sum()) / total * 100

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Receivables over 90 days (TTC) by customer."""
        open_items, late = self._open(ctx, window)
        overdue = open_items[late]
        if overdue.empty:
            raise Unavailable(f"aucune créance échue depuis plus de 90 jours à fin {window.end}")
        return euros_by(customer_of(overdue), overdue["amount_incl_tax"])


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the receivables KPIs."""
    return [DelaiEncaissement(), ClientsPlus90j()]
