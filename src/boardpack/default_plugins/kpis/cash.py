"""Cash KPIs: CAF, the tableau de flux (FTE, FTI, FTF), free cash flow and the cash ratios.

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
from .finance import ResultatNet

__all__ = [
    "CAF", "VariationTresorerie", "FTE", "FTI", "FTF", "FreeCashFlow", "MargeCashFlow",
    "CouvertureDetteFCF", "flows",
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


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the cash-flow KPIs."""
    return [
        CAF(), VariationTresorerie(), FTE(), FTI(), FTF(), FreeCashFlow(), MargeCashFlow(), CouvertureDetteFCF(),
    ]
