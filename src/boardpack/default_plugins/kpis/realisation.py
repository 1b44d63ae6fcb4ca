"""Realisation KPIs: discounts granted off the list price, share of the invoiced revenue cashed.

Sale invoices, customers and data coverage follow the conventions of
:mod:`boardpack.default_plugins._commercial_data`.
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
    euros,
    issued_in,
    largest_first,
    require_filled,
    sale_invoices,
    window_bounds,
)

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["Remises", "RentabiliteEncaissee"]


# ---------------------------------------------------------------- realisation


class Remises(KPI):
    """Discounts granted as a share of list price."""

    id = "remises"
    label = {"fr": "Remises accordées", "en": "Discounts granted"}
    formula = {
        "fr": "Σ remises HT / Σ prix catalogue HT (montant HT + remise) des factures de vente "
        "émises sur la période × 100 ; une remise non renseignée sur une facture compte pour 0",
        "en": "Σ discounts / Σ list price (amount excl. VAT + discount) of sale invoices issued in "
        "the period × 100; an empty discount cell counts as 0",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Discount over list price, in %."""
        require_filled(
            sale_invoices(ctx), "discount", "les factures n'indiquent pas les remises (colonne « discount »)"
        )
        issued = issued_in(ctx, window)
        discount = euros(issued["discount"].fillna(0).sum())
        listed = euros(issued["amount_excl_tax"].sum()) + discount
        if listed <= 0:
            raise Unavailable("CA facturé nul sur la période")
        return discount / listed * 100


class RentabiliteEncaissee(KPI):
    """Share of the revenue invoiced in the window already cashed at its end."""

    id = "rentabilite_encaissee"
    label = {
        "fr": "Rentabilité encaissée (part du CA facturé encaissée)",
        "en": "Cashed share of invoiced revenue",
    }
    formula = {
        "fr": "Σ HT des factures de vente émises sur la période et encaissées au plus tard en fin "
        "de période / Σ HT des factures de vente émises sur la période × 100 ; à taux de marge "
        "égal, c'est aussi la part de la marge facturée réellement encaissée ; ventilation par segment",
        "en": "Σ excl. VAT of sale invoices issued in the period and paid by its end / Σ excl. VAT "
        "of sale invoices issued in the period × 100; at an even margin rate, also the share of "
        "invoiced margin actually cashed; split by segment",
    }
    unit = "percent"
    needs = ("invoices",)
    audiences = ("dirigeant", "daf")
    headline = "ltm"

    @staticmethod
    def _share(issued: pd.DataFrame, end: pd.Timestamp) -> Decimal | None:
        invoiced = euros(issued["amount_excl_tax"].sum())
        if invoiced <= 0:
            return None
        cashed = issued[issued["paid_date"] <= end]
        return euros(cashed["amount_excl_tax"].sum()) / invoiced * 100

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Cashed share of the window's invoiced revenue, in %."""
        share = self._share(issued_in(ctx, window), window_bounds(window)[1])
        if share is None:
            raise Unavailable("CA facturé nul sur la période")
        return share

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The cashed share segment by segment (segments with no revenue left out)."""
        require_filled(sale_invoices(ctx), "segment", "les factures n'indiquent pas de segment")
        issued = issued_in(ctx, window)
        end = window_bounds(window)[1]
        shares = {}
        for segment, group in issued.groupby(breakdown_labels(issued["segment"])):
            share = self._share(group, end)
            if share is not None:
                shares[str(segment)] = share
        if not shares:
            raise Unavailable("CA facturé nul sur la période")
        return largest_first(shares)


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the discount and cashed-revenue KPIs."""
    return [Remises(), RentabiliteEncaissee()]
