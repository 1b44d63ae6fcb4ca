"""Invoiced-revenue KPIs: CA facturé with its split by segment, customer and offer concentration.

Sale invoices, customers and data coverage follow the conventions of
:mod:`boardpack.default_plugins._commercial_data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from boardpack.api import Formatter
from boardpack.api import hookimpl
from boardpack.api import KPI, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Window
from boardpack.api.commercial import customer_of, euros, euros_by, issued_in, require_filled, sale_invoices

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["CAFactures", "CAParClient", "CAParOffre"]

_FR = Formatter("fr")


# ---------------------------------------------------------------- helpers


def _check_detail(issued: pd.DataFrame) -> None:
    """Where quantity and unit price are given, quantity × unit price − discount = amount HT."""
    if "quantity" not in issued or "unit_price" not in issued:
        return
    detail = issued[issued["quantity"].notna() & issued["unit_price"].notna()]
    for number, quantity, price, discount, amount in zip(
        detail["number"], detail["quantity"], detail["unit_price"], detail["discount"],
        detail["amount_excl_tax"], strict=True,
    ):
        gross = (Decimal(repr(float(quantity))) * int(price)).quantize(Decimal(1), ROUND_HALF_UP)
        computed = gross - (0 if pd.isna(discount) else int(discount))
        if computed != int(amount):
            detailed, declared = _FR.number(euros(computed), 2), _FR.number(euros(amount), 2)
            raise Unavailable(
                f"facture {number} : quantité × prix unitaire − remise = {detailed} € "
                f"≠ montant HT {declared} €"
            )


def _share_of_first(split: Mapping[str, Decimal]) -> Decimal:
    total = sum(split.values(), Decimal(0))
    if total <= 0:
        raise Unavailable("CA facturé nul ou négatif sur la période")
    return max(split.values()) / total * 100


# ---------------------------------------------------------------- revenue


class CAFactures(KPI):
    """Revenue from the sale invoices."""

    id = "ca_factures"
    label = {"fr": "CA facturé", "en": "Invoiced revenue"}
    formula = {
        "fr": "Σ montants HT des factures de vente émises sur la période (avoirs en négatif, "
        "brouillons et factures annulées exclus) ; où quantité et prix unitaire sont donnés, "
        "quantité × prix unitaire − remise doit égaler le montant HT ; ventilation par segment",
        "en": "Σ amounts excl. VAT of sale invoices issued in the period (credit notes negative, "
        "drafts and cancelled invoices left out); where quantity and unit price are given, "
        "quantity × unit price − discount must equal the amount; split by segment",
    }
    unit = "money"
    needs = ("invoices",)
    audiences = ("dirigeant", "daf", "operations")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ amount_excl_tax of the window's sale invoices, once their detail is checked."""
        issued = issued_in(ctx, window)
        _check_detail(issued)
        return euros(issued["amount_excl_tax"].sum())

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Invoiced revenue by customer segment."""
        require_filled(sale_invoices(ctx), "segment", "les factures n'indiquent pas de segment")
        issued = issued_in(ctx, window)
        if issued.empty:
            raise Unavailable("aucune facture de vente sur la période")
        return euros_by(issued["segment"], issued["amount_excl_tax"])


class CAParClient(KPI):
    """Customer concentration: the top customer's share of invoiced revenue."""

    id = "ca_par_client"
    label = {
        "fr": "CA par client (part du premier client)",
        "en": "Revenue by customer (top customer's share)",
    }
    formula = {
        "fr": "CA HT facturé au premier client / CA HT facturé de la période × 100 ; ventilation : "
        "CA HT facturé par client",
        "en": "revenue invoiced to the top customer / revenue invoiced in the period × 100; split: "
        "invoiced revenue by customer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Share of the customer with the largest invoiced revenue, in %."""
        return _share_of_first(self.breakdown(ctx, window))

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Invoiced revenue by customer, largest first."""
        sales = sale_invoices(ctx)
        if (customer_of(sales) == "").all():
            raise Unavailable("les factures n'indiquent pas de client")
        issued = issued_in(ctx, window)
        if issued.empty:
            raise Unavailable("aucune facture de vente sur la période")
        return euros_by(customer_of(issued), issued["amount_excl_tax"])


class CAParOffre(KPI):
    """Offer mix: the main offer's share of invoiced revenue."""

    id = "ca_par_offre"
    label = {"fr": "CA par offre (part de la première offre)", "en": "Revenue by offer (top offer's share)"}
    formula = {
        "fr": "CA HT facturé de l'offre (colonne product) la plus vendue / CA HT facturé de la "
        "période × 100 ; ventilation : CA HT facturé par offre",
        "en": "revenue invoiced on the best-selling offer (product column) / revenue invoiced in "
        "the period × 100; split: invoiced revenue by offer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = None
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Share of the offer with the largest invoiced revenue, in %."""
        return _share_of_first(self.breakdown(ctx, window))

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Invoiced revenue by offer (product), largest first."""
        require_filled(
            sale_invoices(ctx), "product", "les factures n'indiquent pas d'offre (colonne « product »)"
        )
        issued = issued_in(ctx, window)
        if issued.empty:
            raise Unavailable("aucune facture de vente sur la période")
        return euros_by(issued["product"], issued["amount_excl_tax"])


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the invoiced-revenue KPIs."""
    return [CAFactures(), CAParClient(), CAParOffre()]
