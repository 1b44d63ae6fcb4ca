"""Profitability KPIs: the SIG lines below the EBE, margin rates and the break-even point.

Each formula is stated in ``formula`` (shown in the packs and the docs) and computed from
the statement lines of :mod:`boardpack.accounting.pcg`. Budgets are rebuilt from budget
lines the same way as :mod:`boardpack.default_plugins.kpis_finance` does for the EBE.

Break-even point (seuil de rentabilité): variable costs are the cost of sales of the
existing « marge brute » KPI (achats consommés − production stockée), so that the margin on
variable costs is the gross margin shown in the pack; fixed costs are every other operating
charge plus the financial charges. Other income (subventions, autres produits, reprises,
produits financiers) is not netted against the fixed costs.
"""

from __future__ import annotations

from decimal import Decimal

from boardpack.api import hookimpl
from boardpack.api import KPI, Unavailable
from boardpack.api import KPIContext
from boardpack.api.periods import Window
from .finance import EBE, ResultatNet

__all__ = [
    "MargeCommerciale", "ValeurAjoutee", "ResultatExploitation", "RCAI", "TauxEBE",
    "MargeNette", "SeuilRentabilite", "SeuilRentabiliteJours", "FIXED_COST_LINES",
]

#: Charges counted as fixed in the break-even point (operating charges other than the cost
#: of sales, plus financial charges).
FIXED_COST_LINES = (
    "autres_achats_charges_externes", "impots_taxes", "salaires", "charges_sociales",
    "dotations_exploitation", "autres_charges", "charges_financieres",
)


def _rate(numerator: Decimal, revenue: Decimal, what: str = "CA") -> Decimal:
    """``numerator / revenue × 100``; unavailable when the revenue is not positive."""
    if revenue <= 0:
        raise Unavailable(f"{what} négatif ou nul sur la période")
    return numerator / revenue * 100


class MargeCommerciale(KPI):
    """Trading margin (SIG)."""

    id = "marge_commerciale"
    label = {"fr": "Marge commerciale", "en": "Trading margin"}
    formula = {
        "fr": "ventes de marchandises (707, 7097) − coût d'achat des marchandises vendues "
        "(607, 6087, 6097 ± variation de stock 6037) ; non disponible sans aucune vente ni "
        "achat de marchandises sur la période",
        "en": "sales of goods for resale (707, 7097) − cost of goods sold (607, 6087, 6097 "
        "± stock change 6037); unavailable when the period has no trading at all",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("daf",)

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The SIG line marge commerciale, if the company trades goods at all."""
        sales = ctx.pl("ventes_marchandises", window)
        cost = ctx.pl("cout_achat_marchandises_vendues", window)
        if sales == 0 and cost == 0:
            raise Unavailable(
                "aucune vente ni aucun achat de marchandises (707, 607) sur la période"
            )
        return sales - cost


class ValeurAjoutee(KPI):
    """Value added (SIG)."""

    id = "valeur_ajoutee"
    label = {"fr": "Valeur ajoutée", "en": "Value added"}
    formula = {
        "fr": "marge commerciale + production de l'exercice (production vendue, stockée, "
        "immobilisée) − consommations en provenance de tiers (matières 601, 602 ± 603, autres "
        "achats et charges externes 604–62)",
        "en": "trading margin + production of the year (sold, stored, capitalised) − bought-in "
        "goods and services (materials 601, 602 ± 603, external charges 604–62)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("daf", "banquier")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The SIG line valeur ajoutée."""
        return ctx.pl("valeur_ajoutee", window)

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budget: CA − achats consommés − autres achats et charges externes."""
        return (
            ctx.budget("chiffre_affaires", window)
            - ctx.budget("achats_consommes", window)
            - ctx.budget("autres_achats_charges_externes", window)
        )


class ResultatExploitation(KPI):
    """Operating result (SIG)."""

    id = "resultat_exploitation"
    label = {"fr": "Résultat d'exploitation", "en": "Operating result"}
    formula = {
        "fr": "EBE + reprises et transferts de charges (78, 79) + autres produits (75) − "
        "autres charges (65) − dotations d'exploitation (681)",
        "en": "EBITDA + write-backs (78, 79) + other operating income (75) − other operating "
        "charges (65) − depreciation and provisions (681)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("daf", "banquier")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The SIG line résultat d'exploitation (liasse GG)."""
        return ctx.pl("resultat_exploitation", window)

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budget: budgeted EBE − dotations d'exploitation."""
        return EBE().compute_budget(ctx, window) - ctx.budget("dotations_exploitation", window)


class RCAI(KPI):
    """Result before tax and exceptional items (SIG)."""

    id = "rcai"
    label = {
        "fr": "Résultat courant avant impôts (RCAI)",
        "en": "Result before tax and exceptional items",
    }
    formula = {
        "fr": "résultat d'exploitation ± quotes-parts de résultat sur opérations en commun "
        "(755 − 655) + produits financiers (76, 786, 796) − charges financières (66, 686)",
        "en": "operating result ± share of joint operations (755 − 655) + financial income "
        "(76, 786, 796) − financial charges (66, 686)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("daf", "banquier")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The SIG line RCAI (liasse GW)."""
        return ctx.pl("rcai", window)

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budget: budgeted EBE − dotations d'exploitation − charges financières."""
        return (
            EBE().compute_budget(ctx, window)
            - ctx.budget("dotations_exploitation", window)
            - ctx.budget("charges_financieres", window)
        )


class TauxEBE(KPI):
    """EBITDA margin."""

    id = "taux_ebe"
    label = {"fr": "Taux d'EBE (marge d'EBE)", "en": "EBITDA margin"}
    formula = {"fr": "EBE / CA × 100", "en": "EBITDA / revenue × 100"}
    unit = "percent"
    needs = ("entries",)
    audiences = ("dirigeant", "daf", "banquier")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """EBE over CA, in %."""
        return _rate(ctx.pl("ebe", window), ctx.pl("chiffre_affaires", window))

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budgeted EBE (as for the EBE KPI) over budgeted CA, in %."""
        revenue = ctx.budget("chiffre_affaires", window)
        return _rate(EBE().compute_budget(ctx, window), revenue, "CA budgété")


class MargeNette(KPI):
    """Net margin."""

    id = "marge_nette"
    label = {"fr": "Marge nette", "en": "Net margin"}
    formula = {"fr": "résultat net / CA × 100", "en": "net result / revenue × 100"}
    unit = "percent"
    needs = ("entries",)
    audiences = ("dirigeant", "daf")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Résultat net over CA, in %."""
        return _rate(ctx.pl("resultat_net", window), ctx.pl("chiffre_affaires", window))

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budgeted net result (as for the résultat net KPI) over budgeted CA, in %."""
        revenue = ctx.budget("chiffre_affaires", window)
        return _rate(ResultatNet().compute_budget(ctx, window), revenue, "CA budgété")


def break_even(ctx: KPIContext, window: Window) -> tuple[Decimal, Decimal, Decimal]:
    """``(CA, marge sur coûts variables, coûts fixes)`` over ``window``.

    Unavailable when the CA or the margin on variable costs is not positive: the
    break-even point is then never reached.
    """
    revenue = ctx.pl("chiffre_affaires", window)
    if revenue <= 0:
        raise Unavailable("CA négatif ou nul sur la période")
    margin = revenue - ctx.pl("cout_des_ventes", window)
    if margin <= 0:
        raise Unavailable(
            "marge sur coûts variables négative ou nulle : le point mort n'est jamais atteint"
        )
    fixed = sum((ctx.pl(line, window) for line in FIXED_COST_LINES), Decimal(0))
    return revenue, margin, fixed


_FIXED_FR = (
    "coûts fixes = autres achats et charges externes (604–62) + impôts et taxes (63) + "
    "charges de personnel (64) + dotations d'exploitation (681) + autres charges (65) + "
    "charges financières (66, 686) ; coûts variables = coût des ventes = achats consommés "
    "(601, 602, 607 ± 603) − production stockée (71)"
)
_FIXED_EN = (
    "fixed costs = external charges (604–62) + taxes (63) + staff costs (64) + depreciation "
    "(681) + other operating charges (65) + financial charges (66, 686); variable costs = "
    "cost of sales = materials and goods consumed (601, 602, 607 ± 603) − change in finished "
    "goods (71)"
)


class SeuilRentabilite(KPI):
    """Break-even revenue over the window."""

    id = "seuil_rentabilite"
    label = {"fr": "Seuil de rentabilité (point mort)", "en": "Break-even revenue"}
    formula = {
        "fr": "coûts fixes / taux de marge sur coûts variables, taux = (CA − coûts variables) "
        f"/ CA ; {_FIXED_FR} ; non disponible si la marge sur coûts variables est ≤ 0",
        "en": "fixed costs / contribution margin rate, rate = (revenue − variable costs) / "
        f"revenue; {_FIXED_EN}; unavailable when the contribution margin is ≤ 0",
    }
    unit = "money"
    needs = ("entries",)
    direction = "down"
    audiences = ("dirigeant", "daf")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Fixed costs × CA / margin on variable costs."""
        revenue, margin, fixed = break_even(ctx, window)
        return fixed * revenue / margin


class SeuilRentabiliteJours(KPI):
    """Break-even point in days of the window."""

    id = "seuil_rentabilite_jours"
    label = {"fr": "Point mort en jours", "en": "Break-even point in days"}
    formula = {
        "fr": "seuil de rentabilité / CA × nombre de jours de la période (= coûts fixes / marge "
        f"sur coûts variables × jours) ; {_FIXED_FR}",
        "en": "break-even revenue / revenue × days in the period (= fixed costs / contribution "
        f"margin × days); {_FIXED_EN}",
    }
    unit = "days"
    needs = ("entries",)
    direction = "down"
    audiences = ("dirigeant", "daf")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Days of the window needed for the margin to cover the fixed costs."""
        _, margin, fixed = break_even(ctx, window)
        return fixed / margin * window.days


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the profitability KPIs."""
    return [
        MargeCommerciale(), ValeurAjoutee(), ResultatExploitation(), RCAI(), TauxEBE(),
        MargeNette(), SeuilRentabilite(), SeuilRentabiliteJours(),
    ]
