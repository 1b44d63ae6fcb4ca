"""Cash KPIs: CAF, the tableau de flux (FTE, FTI, FTF), free cash flow, cash ratios and the
working-capital cycle (DPO, DIO, rotation des stocks, CCC, BFR growth vs revenue growth).

The flows come from :func:`boardpack.accounting.cashflow.cash_flow` (indirect method), whose
module docstring gives every formula; they are computed once per window and ledger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar
from weakref import WeakKeyDictionary

from boardpack.api import Statements
from boardpack.api.accounting import CashFlow, cash_flow
from boardpack.api.accounting import cents_to_euros
from boardpack.api import hookimpl
from boardpack.api import KPI, Thresholds, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Month, Window
from .balance import dette_nette
from .finance import BFR, DSO, ResultatNet

__all__ = [
    "CAF", "VariationTresorerie", "FTE", "FTI", "FTF", "FreeCashFlow", "MargeCashFlow",
    "CouvertureDetteFCF", "DPO", "DIO", "RotationStocks", "CCC", "CroissanceBFRvsCA",
    "ElementsNonRecurrents", "flows",
]

_BANK = ("daf", "banquier")

_CACHE: WeakKeyDictionary[Statements, dict[Window, CashFlow]] = WeakKeyDictionary()


def flows(ctx: KPIContext, window: Window) -> CashFlow:
    """The tableau de flux of ``window`` (cached per statements object)."""
    statements = ctx.statements
    by_window = _CACHE.setdefault(statements, {})
    if window not in by_window:
        by_window[window] = cash_flow(statements, window)
    return by_window[window]


def _euros(cents: int) -> Decimal:
    return cents_to_euros(cents)


def _ltm(ctx: KPIContext, month: Month) -> Window:
    return ctx.window("ltm", month)


class _FlowLine(KPI):
    """A KPI that is one line of the tableau de flux (:class:`CashFlow` field ``line``)."""

    line: ClassVar[str]

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The ``line`` of the window's tableau de flux, in euros."""
        return _euros(getattr(flows(ctx, window), self.line))


class CAF(_FlowLine):
    """Capacité d'autofinancement."""

    id = "caf"
    label = {"fr": "Capacité d'autofinancement (CAF)", "en": "Self-financing capacity (CAF)"}
    formula = {
        "fr": "résultat net + dotations (68) − reprises (78) + valeur comptable des actifs "
        "cédés (675) − produits de cession (775) − quote-part des subventions d'investissement "
        "virée au résultat (777) (méthode additive)",
        "en": "net result + depreciation and provisions (68) − write-backs (78) + book value of "
        "assets sold (675) − disposal proceeds (775) − investment grants released (777)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = _BANK

    line = "caf"

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budget: budgeted net result (as for résultat net) + dotations d'exploitation."""
        result = ResultatNet().compute_budget(ctx, window)
        return result + ctx.budget("dotations_exploitation", window)


class VariationTresorerie(_FlowLine):
    """Change in net cash over the window."""

    id = "variation_tresorerie"
    label = {"fr": "Variation de trésorerie", "en": "Change in net cash"}
    formula = {
        "fr": "trésorerie nette en fin de période − trésorerie nette à la fin du mois précédant "
        "la période ; = FTE + FTI + FTF + écart de rapprochement (montré au tableau de flux)",
        "en": "net cash at period end − net cash at the end of the month before the period; "
        "= operating + investing + financing cash flows + reconciliation gap (shown in the "
        "cash-flow table)",
    }
    unit = "money"
    needs = ("entries",)
    direction = None
    audiences = _BANK

    line = "variation"


class FTE(_FlowLine):
    """Operating cash flow."""

    id = "fte"
    label = {"fr": "Flux de trésorerie d'exploitation (FTE)", "en": "Operating cash flow"}
    formula = {
        "fr": "CAF − variation du BFR sur la période (méthode indirecte ; BFR brut des "
        "dépréciations 39, 49, sans les comptes courants 455, les dividendes à payer 457 ni "
        "les fournisseurs d'immobilisations 404, 405, 4084)",
        "en": "CAF − change in working capital over the period (indirect method; working "
        "capital before write-downs 39, 49, without shareholder accounts 455, dividends "
        "payable 457 and fixed-asset suppliers 404, 405, 4084)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = _BANK

    line = "fte"


class FTI(_FlowLine):
    """Investing cash flow."""

    id = "fti"
    label = {"fr": "Flux de trésorerie d'investissement (FTI)", "en": "Investing cash flow"}
    formula = {
        "fr": "− acquisitions d'immobilisations (variation des valeurs brutes 20 à 27 + "
        "amortissements soldés, débits 28 + valeur comptable des actifs cédés 675) + produits "
        "de cession (775) − variation des placements (50) + variation des dettes sur "
        "immobilisations (404, 405, 4084, 269, 279)",
        "en": "− fixed-asset acquisitions (change in gross values 20 to 27 + depreciation "
        "written off, debits on 28 + book value of assets sold 675) + disposal proceeds (775) "
        "− change in short-term investments (50) + change in fixed-asset payables (404, 405, "
        "4084, 269, 279)",
    }
    unit = "money"
    needs = ("entries",)
    direction = None
    audiences = _BANK

    line = "fti"


class FTF(_FlowLine):
    """Financing cash flow."""

    id = "ftf"
    label = {"fr": "Flux de trésorerie de financement (FTF)", "en": "Financing cash flow"}
    formula = {
        "fr": "opérations sur fonds propres (variation des capitaux propres 10 à 13 hors "
        "résultat + quote-part de subventions virée au résultat 777 + dividendes décidés, "
        "crédits 457) + variation des emprunts (16, 17) + variation des comptes courants "
        "d'associés (455) − dividendes versés (débits 457)",
        "en": "equity transactions (change in equity 10 to 13 excluding the result + "
        "investment grants released 777 + dividends declared, credits on 457) + change in "
        "borrowings (16, 17) + change in shareholder loans (455) − dividends paid (debits on 457)",
    }
    unit = "money"
    needs = ("entries",)
    direction = None
    audiences = _BANK

    line = "ftf"


def free_cash_flow(ctx: KPIContext, window: Window) -> Decimal:
    """FTE − acquisitions d'immobilisations paid over ``window``, in euros.

    Acquisitions paid = the tableau de flux's acquisitions − the increase of the dettes sur
    immobilisations (an asset bought on credit is not yet cash out); disposals are not netted.
    """
    found = flows(ctx, window)
    return _euros(found.fte - (found.acquisitions - found.delta_dettes_immobilisations))


class FreeCashFlow(KPI):
    """Free cash flow."""

    id = "free_cash_flow"
    label = {"fr": "Free cash flow", "en": "Free cash flow"}
    formula = {
        "fr": "FTE − acquisitions d'immobilisations décaissées sur la période (acquisitions du "
        "tableau de flux − augmentation des dettes sur immobilisations 404, 405, 4084, 269, "
        "279) ; les produits de cession n'en sont pas déduits",
        "en": "operating cash flow − fixed-asset acquisitions paid over the period "
        "(acquisitions of the cash-flow table − increase in fixed-asset payables 404, 405, "
        "4084, 269, 279); disposal proceeds are not netted",
    }
    unit = "money"
    needs = ("entries",)
    audiences = _BANK

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """FTE minus capex."""
        return free_cash_flow(ctx, window)


class MargeCashFlow(KPI):
    """Operating cash flow as a share of revenue."""

    id = "marge_cash_flow"
    label = {"fr": "Marge de cash-flow", "en": "Cash flow margin"}
    formula = {
        "fr": "FTE / CA × 100 sur la période",
        "en": "operating cash flow / revenue × 100 over the period",
    }
    unit = "percent"
    needs = ("entries",)
    thresholds = Thresholds(alert=Decimal(10))
    audiences = _BANK
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """FTE over CA, in %."""
        revenue = ctx.pl("chiffre_affaires", window)
        if revenue <= 0:
            raise Unavailable("CA négatif ou nul sur la période")
        return _euros(flows(ctx, window).fte) / revenue * 100


class CouvertureDetteFCF(KPI):
    """Net debt coverage by free cash flow."""

    id = "couverture_dette_fcf"
    label = {"fr": "Couverture de la dette par le FCF", "en": "Net debt coverage by free cash flow"}
    formula = {
        "fr": "free cash flow des 12 derniers mois / dette nette en fin de période × 100 ; "
        "dette nette = dettes financières − disponibilités (soldes débiteurs 51, 53, 54, 58) ; "
        "non disponible sans dette nette",
        "en": "free cash flow of the last 12 months / net debt at period end × 100; net debt = "
        "financial debt − cash (debit balances of 51, 53, 54, 58); unavailable without net debt",
    }
    unit = "percent"
    needs = ("entries",)
    thresholds = Thresholds(alert=Decimal(20))
    audiences = _BANK
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """LTM FCF over net debt, in %."""
        debt = dette_nette(ctx, window.end)
        if debt <= 0:
            raise Unavailable(
                f"pas de dette nette à fin {window.end} : la trésorerie couvre les dettes "
                "financières (trésorerie nette positive)"
            )
        return free_cash_flow(ctx, _ltm(ctx, window.end)) / debt * 100


#: Trade payables for DPO: suppliers, bills payable and invoices to come, without 4084
#: (fixed-asset invoices to come).
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
        purchases = _euros(invoiced - ledger.flows(_FIXED_ASSET_SUPPLIERS, window, "credit"))
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


class RotationStocks(KPI):
    """Inventory turnover."""

    id = "rotation_stocks"
    label = {"fr": "Rotation des stocks", "en": "Inventory turnover"}
    formula = {
        "fr": "coût des ventes de la période / stock moyen ((stock au début + stock en fin de "
        "période) / 2), en nombre de fois",
        "en": "cost of sales over the period / average inventory ((opening + closing) / 2), "
        "in times",
    }
    unit = "ratio"
    needs = ("entries",)
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Cost of sales over average inventory."""
        cost = ctx.pl("cout_des_ventes", window)
        average = (_bilan_before(ctx, "stocks", window) + ctx.bilan("stocks", window.end)) / 2
        if average <= 0:
            raise Unavailable("aucun stock sur la période (stock moyen nul)")
        if cost < 0:
            raise Unavailable("coût des ventes négatif sur la période")
        return cost / average


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
        return _euros(fte - (income - charges))


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the cash KPIs."""
    return [
        CAF(), VariationTresorerie(), FTE(), FTI(), FTF(), FreeCashFlow(), MargeCashFlow(),
        CouvertureDetteFCF(), DPO(), DIO(), RotationStocks(), CCC(), CroissanceBFRvsCA(),
        ElementsNonRecurrents(),
    ]
