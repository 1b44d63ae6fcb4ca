"""Balance-sheet and banker KPIs: ROE, gearing, autonomy, liquidity, debt ratios, provisions.

Every figure is read on the bilan at the window's last month (these KPIs are ``stock``
figures); the flows they are compared with (net result, CAF, EBE) are those of the twelve
months ending there, whatever the window, except for charges financières / EBE, which is a
ratio of two flows of the window itself.

Net debt counts the bank overdrafts once: dettes financières (which include the concours
bancaires courants, credit balances of 51) minus the gross cash (debit balances of 51, 53,
54, 58), i.e. dettes financières hors concours − trésorerie nette.
"""

from __future__ import annotations

from decimal import Decimal

from boardpack.api.accounting import caf_additive
from boardpack.api.accounting import cents_to_euros
from boardpack.api import hookimpl
from boardpack.api import KPI, Thresholds, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Month, Window
from .finance import EBE

__all__ = [
    "ROE", "Gearing", "AutonomieFinanciere", "LiquiditeGenerale", "CapaciteRemboursement",
    "DetteNetteEBE", "ChargesFinancieresEBE", "ProvisionsCreancesDouteuses", "dette_nette",
    "CASH_ACCOUNTS",
]

#: Accounts whose debit balances are cash (as in the trésorerie nette KPI).
CASH_ACCOUNTS = ("51", "53", "54", "58")

_BANK = ("daf", "banquier")


def dette_nette(ctx: KPIContext, month: Month) -> Decimal:
    """Dettes financières − disponibilités (debit balances of 51, 53, 54, 58) at ``month`` end."""
    return ctx.bilan("dettes_financieres", month) - ctx.split_balance(CASH_ACCOUNTS, month, "debit")


def _equity(ctx: KPIContext, month: Month) -> Decimal:
    equity = ctx.bilan("capitaux_propres", month)
    if equity <= 0:
        raise Unavailable(f"capitaux propres négatifs ou nuls à fin {month}")
    return equity


class ROE(KPI):
    """Return on equity."""

    id = "roe"
    label = {"fr": "Rentabilité des capitaux propres (ROE)", "en": "Return on equity (ROE)"}
    formula = {
        "fr": "résultat net des 12 derniers mois / capitaux propres en fin de période × 100 "
        "(capitaux propres y compris le résultat de l'exercice en cours)",
        "en": "net result of the last 12 months / equity at period end × 100 (equity "
        "including the current year's result)",
    }
    unit = "percent"
    needs = ("entries",)
    audiences = _BANK
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """LTM net result over equity at the window's end, in %."""
        result = ctx.pl("resultat_net", ctx.window("ltm", window.end))
        return result / _equity(ctx, window.end) * 100


class Gearing(KPI):
    """Debt to equity."""

    id = "gearing"
    label = {"fr": "Ratio d'endettement (gearing)", "en": "Gearing (debt to equity)"}
    formula = {
        "fr": "dettes financières (emprunts 16–17, comptes courants 455, concours bancaires "
        "courants) / capitaux propres, en fin de période",
        "en": "financial debt (borrowings 16–17, shareholder loans 455, bank overdrafts) / "
        "equity, at period end",
    }
    unit = "ratio"
    needs = ("entries",)
    direction = "down"
    thresholds = Thresholds(alert=Decimal(1))
    audiences = _BANK
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Financial debt over equity at the window's end."""
        return ctx.bilan("dettes_financieres", window.end) / _equity(ctx, window.end)


class AutonomieFinanciere(KPI):
    """Equity ratio."""

    id = "autonomie_financiere"
    label = {"fr": "Autonomie financière", "en": "Equity ratio"}
    formula = {
        "fr": "capitaux propres / total du bilan × 100, en fin de période",
        "en": "equity / total balance sheet × 100, at period end",
    }
    unit = "percent"
    needs = ("entries",)
    thresholds = Thresholds(warn=Decimal(25), alert=Decimal(20))
    audiences = _BANK
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Equity over total passif, in % (negative when equity is negative)."""
        total = ctx.bilan("total_passif", window.end)
        if total <= 0:
            raise Unavailable(f"total du bilan nul à fin {window.end}")
        return ctx.bilan("capitaux_propres", window.end) / total * 100


#: Bilan lines of the passif circulant (the overdrafts are added from the 51 accounts).
PASSIF_CIRCULANT = (
    "dettes_exploitation", "dettes_immobilisations", "autres_dettes", "produits_constates_avance",
)


class LiquiditeGenerale(KPI):
    """Current ratio."""

    id = "liquidite_generale"
    label = {"fr": "Ratio de liquidité générale", "en": "Current ratio"}
    formula = {
        "fr": "actif circulant (stocks, créances, VMP, disponibilités, charges constatées "
        "d'avance) / passif circulant (dettes d'exploitation + dettes sur immobilisations + "
        "autres dettes + concours bancaires courants, soldes créditeurs 51 + produits "
        "constatés d'avance), en fin de période ; les échéances à moins d'un an des emprunts "
        "n'y sont pas",
        "en": "current assets (inventories, receivables, short-term investments, cash, prepaid) "
        "/ current liabilities (operating liabilities + fixed-asset payables + other "
        "liabilities + bank overdrafts, credit balances of 51 + deferred income), at period "
        "end; the current portion of long-term loans is not included",
    }
    unit = "ratio"
    needs = ("entries",)
    thresholds = Thresholds(alert=Decimal("1.5"))
    audiences = _BANK
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Actif circulant over passif circulant at the window's end."""
        month = window.end
        current_assets = ctx.bilan("actif_circulant", month)
        current_liabilities = sum(
            (ctx.bilan(line, month) for line in PASSIF_CIRCULANT), Decimal(0)
        ) + ctx.split_balance(("51",), month, "credit")
        if current_liabilities <= 0:
            raise Unavailable(f"aucune dette à court terme à fin {month}")
        return current_assets / current_liabilities


def _ltm_caf(ctx: KPIContext, month: Month) -> Decimal:
    """CAF (additive method) of the twelve months ending at ``month``."""
    return cents_to_euros(caf_additive(ctx.statements, ctx.window("ltm", month))["caf"])


class CapaciteRemboursement(KPI):
    """Years of CAF needed to repay the financial debt."""

    id = "capacite_remboursement"
    label = {"fr": "Capacité de remboursement", "en": "Debt repayment capacity"}
    formula = {
        "fr": "dettes financières en fin de période / CAF des 12 derniers mois (méthode "
        "additive), en années",
        "en": "financial debt at period end / CAF of the last 12 months (additive method), "
        "in years",
    }
    unit = "years"
    needs = ("entries",)
    direction = "down"
    thresholds = Thresholds(warn=Decimal(3), alert=Decimal(4))
    audiences = _BANK
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Financial debt over LTM CAF."""
        caf = _ltm_caf(ctx, window.end)
        if caf <= 0:
            raise Unavailable(
                "CAF des 12 derniers mois négative ou nulle : la dette ne peut être "
                "remboursée par l'autofinancement"
            )
        return ctx.bilan("dettes_financieres", window.end) / caf


class DetteNetteEBE(KPI):
    """Net debt to EBITDA (leverage)."""

    id = "dette_nette_ebe"
    label = {"fr": "Dette nette / EBE", "en": "Net debt / EBITDA"}
    formula = {
        "fr": "(dettes financières − disponibilités, soldes débiteurs 51, 53, 54, 58) en fin de "
        "période / EBE des 12 derniers mois ; négatif quand la trésorerie dépasse les dettes",
        "en": "(financial debt − cash, debit balances of 51, 53, 54, 58) at period end / EBITDA "
        "of the last 12 months; negative when cash exceeds debt",
    }
    unit = "ratio"
    needs = ("entries",)
    direction = "down"
    thresholds = Thresholds(alert=Decimal(3))
    audiences = _BANK
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Net debt over LTM EBE."""
        ebe = ctx.pl("ebe", ctx.window("ltm", window.end))
        if ebe <= 0:
            raise Unavailable("EBE des 12 derniers mois négatif ou nul")
        return dette_nette(ctx, window.end) / ebe


class ChargesFinancieresEBE(KPI):
    """Financial charges as a share of EBITDA."""

    id = "charges_financieres_ebe"
    label = {"fr": "Charges financières / EBE", "en": "Financial charges / EBITDA"}
    formula = {
        "fr": "charges financières (66, 686) / EBE × 100 sur la période",
        "en": "financial charges (66, 686) / EBITDA × 100 over the period",
    }
    unit = "percent"
    needs = ("entries",)
    direction = "down"
    thresholds = Thresholds(alert=Decimal(30))
    audiences = _BANK
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Charges financières over EBE, in %."""
        ebe = ctx.pl("ebe", window)
        if ebe <= 0:
            raise Unavailable("EBE négatif ou nul sur la période")
        return ctx.pl("charges_financieres", window) / ebe * 100

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budgeted charges financières over the budgeted EBE, in %."""
        ebe = EBE().compute_budget(ctx, window)
        if ebe <= 0:
            raise Unavailable("EBE budgété négatif ou nul sur la période")
        return ctx.budget("charges_financieres", window) / ebe * 100


class ProvisionsCreancesDouteuses(KPI):
    """Write-downs of doubtful receivables."""

    id = "provisions_creances_douteuses"
    label = {"fr": "Provisions pour créances douteuses", "en": "Allowance for doubtful receivables"}
    formula = {
        "fr": "solde créditeur des dépréciations des comptes clients (491) en fin de période ; "
        "sa tendance (dotations 6817, reprises 7817) est un signal faible",
        "en": "credit balance of the allowance on trade receivables (491) at period end; its "
        "trend (charges 6817, write-backs 7817) is a weak signal",
    }
    unit = "money"
    needs = ("entries",)
    direction = "down"
    audiences = ("daf",)
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Net credit balance of 491 at the window's end."""
        month = window.end
        ctx.bilan("creances_clients", month)  # availability check: the month is in the ledger
        credit = ctx.split_balance(("491",), month, "credit")
        return credit - ctx.split_balance(("491",), month, "debit")


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the balance-sheet and banker KPIs."""
    return [
        ROE(), Gearing(), AutonomieFinanciere(), LiquiditeGenerale(), CapaciteRemboursement(),
        DetteNetteEBE(), ChargesFinancieresEBE(), ProvisionsCreancesDouteuses(),
    ]
