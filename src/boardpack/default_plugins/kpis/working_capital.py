"""Working-capital KPIs: the cycle (DPO, DIO, rotation des stocks, CCC), BFR growth against
revenue growth, and the non-recurring items of the result."""

from __future__ import annotations

from decimal import Decimal

from boardpack.api import KPI, KPIContext, Thresholds, Unavailable, hookimpl
from boardpack.api.accounting import cents_to_euros
from boardpack.api.periods import Month, Window

from .cash import flows
from .finance import BFR, DSO

__all__ = ["CCC", "DIO", "DPO", "CroissanceBFRvsCA", "ElementsNonRecurrents", "RotationStocks"]

_BANK = ("daf", "banquier")


def _ltm(ctx: KPIContext, month: Month) -> Window:
    return ctx.window("ltm", month)


_SUPPLIERS = ("401", "403", "408")
_FIXED_ASSET_SUPPLIERS = ("4084",)


class DPO(KPI):
    """Days payables outstanding."""

    id = "dpo"
    label = {"fr": "DPO (délai fournisseurs)", "en": "DPO (days payables outstanding)"}
    formula = {
        "fr": "dettes fournisseurs TTC en fin de période (soldes créditeurs 401, 403, 408 hors "
        "4084) / achats TTC facturés sur la période (crédits des mêmes comptes, hors "
        "à-nouveaux) × nombre de jours de la période",
        "en": "trade payables incl. VAT at period end (credit balances of 401, 403, 408 except "
        "4084) / purchases invoiced incl. VAT over the period (credits on the same accounts) "
        "× days in the period",
    }
    unit = "days"
    needs = ("entries",)
    direction = None
    audiences = ("daf",)
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Payables over the period's invoiced purchases, in days."""
        ledger = ctx.ledger
        ledger.require(window)
        invoiced = ledger.flows(_SUPPLIERS, window, "credit")
        purchases = cents_to_euros(invoiced - ledger.flows(_FIXED_ASSET_SUPPLIERS, window, "credit"))
        if purchases <= 0:
            raise Unavailable("aucun achat facturé (crédits 401, 403, 408) sur la période")
        payables = ctx.split_balance(_SUPPLIERS, window.end, "credit") - ctx.split_balance(
            _FIXED_ASSET_SUPPLIERS, window.end, "credit"
        )
        return payables / purchases * window.days


class DIO(KPI):
    """Days inventory outstanding."""

    id = "dio"
    label = {"fr": "DIO (durée de stockage)", "en": "DIO (days inventory outstanding)"}
    formula = {
        "fr": "stocks nets en fin de période / coût des ventes de la période (achats consommés "
        "± variation de stocks − production stockée) × nombre de jours de la période",
        "en": "net inventories at period end / cost of sales over the period × days in the period",
    }
    unit = "days"
    needs = ("entries",)
    direction = "down"
    audiences = ("daf", "operations")
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Inventories over cost of sales, in days."""
        _require_stock(ctx, window)
        cost = ctx.pl("cout_des_ventes", window)
        if cost <= 0:
            raise Unavailable("coût des ventes négatif ou nul sur la période")
        return ctx.bilan("stocks", window.end) / cost * window.days


def _bilan_before(ctx: KPIContext, line: str, window: Window) -> Decimal:
    """A bilan line at the end of the month before ``window`` (the opening bilan if need be)."""
    month = window.start.shift(-1)
    bilan = ctx.statements.bilan
    if month not in bilan.index:
        raise Unavailable(f"bilan non disponible à fin {month}")
    return cents_to_euros(bilan.loc[month, line])


def _require_stock(ctx: KPIContext, window: Window) -> None:
    """Refuse a stock figure for a company that holds no stock (no 3x balance at either end)."""
    if ctx.bilan("stocks", window.end) == 0 and _bilan_before(ctx, "stocks", window) == 0:
        raise Unavailable("aucun stock au bilan (comptes 3x) au début ni en fin de période : "
                          "la durée de stockage n'a pas de sens")


class RotationStocks(KPI):
    """Inventory turnover."""

    id = "rotation_stocks"
    label = {"fr": "Rotation des stocks", "en": "Inventory turnover"}
    formula = {
        "fr": "coût des ventes de la période / stock moyen ((stock au début + stock en fin de "
        "période) / 2) × 12 / nombre de mois de la période : en nombre de fois par an (un mois "
        "est annualisé, les 12 derniers mois et l'exercice ne changent pas)",
        "en": "cost of sales over the period / average inventory ((opening + closing) / 2) "
        "× 12 / months in the period: in times a year (a month is annualised, the last 12 "
        "months and the fiscal year are unchanged)",
    }
    unit = "ratio"
    needs = ("entries",)
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Cost of sales over average inventory, annualised (times a year)."""
        cost = ctx.pl("cout_des_ventes", window)
        average = (_bilan_before(ctx, "stocks", window) + ctx.bilan("stocks", window.end)) / 2
        if average <= 0:
            raise Unavailable("aucun stock sur la période (stock moyen nul)")
        if cost < 0:
            raise Unavailable("coût des ventes négatif sur la période")
        return cost / average * 12 / len(window.months)


class CCC(KPI):
    """Cash conversion cycle."""

    id = "ccc"
    label = {"fr": "Cycle de conversion du cash", "en": "Cash conversion cycle"}
    formula = {
        "fr": "DSO + DIO − DPO sur la période, chacun selon sa propre formule",
        "en": "DSO + DIO − DPO over the period, each by its own formula",
    }
    unit = "days"
    needs = ("entries",)
    direction = "down"
    audiences = _BANK
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """DSO plus DIO minus DPO."""
        return DSO().compute(ctx, window) + DIO().compute(ctx, window) - DPO().compute(ctx, window)


class CroissanceBFRvsCA(KPI):
    """Whether working capital grows faster than revenue."""

    id = "croissance_bfr_vs_ca"
    label = {
        "fr": "Croissance du BFR vs croissance du CA",
        "en": "Working capital growth vs revenue growth",
    }
    formula = {
        "fr": "croissance du BFR sur 12 mois (BFR en fin de période / BFR 12 mois plus tôt − 1, "
        "en %) − croissance du CA des 12 derniers mois (vs les 12 mois précédents, en %), en "
        "points ; positif = le BFR croît plus vite que le CA (la croissance brûle du cash)",
        "en": "12-month growth of working capital (in %) − growth of LTM revenue over the "
        "previous 12 months (in %), in points; positive = working capital grows faster",
    }
    unit = "percent"
    needs = ("entries",)
    direction = "down"
    thresholds = Thresholds(alert=Decimal(0))
    audiences = ("dirigeant", "daf")
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """BFR growth minus LTM revenue growth, in points."""
        end = window.end
        before = end.shift(-12)
        revenue = ctx.pl("chiffre_affaires", _ltm(ctx, end))
        revenue_before = ctx.pl("chiffre_affaires", _ltm(ctx, before))
        if revenue_before <= 0:
            raise Unavailable("CA des 12 mois précédents négatif ou nul")
        bfr = BFR().compute(ctx, Window("month", end, end))
        bfr_before = BFR().compute(ctx, Window("month", before, before))
        if bfr_before <= 0:
            raise Unavailable(
                f"BFR négatif ou nul à fin {before} : sa croissance en % n'a pas de sens"
            )
        return ((bfr - bfr_before) / bfr_before - (revenue - revenue_before) / revenue_before) * 100


#: Non-recurring items restated out of the FTE: produits (771) and charges (671)
#: exceptionnels sur opérations de gestion.
NON_RECURRING_INCOME = ("771",)
NON_RECURRING_CHARGES = ("671",)


class ElementsNonRecurrents(KPI):
    """Operating cash flow restated for non-recurring items."""

    id = "elements_non_recurrents"
    label = {
        "fr": "FTE hors éléments non récurrents",
        "en": "Operating cash flow excluding non-recurring items",
    }
    formula = {
        "fr": "FTE − (produits exceptionnels sur opérations de gestion 771 − charges "
        "exceptionnelles sur opérations de gestion 671) sur la période",
        "en": "operating cash flow − (exceptional income on operations 771 − exceptional "
        "charges on operations 671) over the period",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("daf",)

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """FTE minus the net non-recurring items."""
        fte = flows(ctx, window).fte
        moves = ctx.ledger.movements(window)
        accounts = moves.index.astype(str)
        income = -int(moves[accounts.str.startswith(NON_RECURRING_INCOME)].sum())
        charges = int(moves[accounts.str.startswith(NON_RECURRING_CHARGES)].sum())
        return cents_to_euros(fte - (income - charges))


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the working-capital KPIs."""
    return [DPO(), DIO(), RotationStocks(), CCC(), CroissanceBFRvsCA(), ElementsNonRecurrents()]
