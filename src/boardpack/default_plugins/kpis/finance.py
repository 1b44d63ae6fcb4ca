"""Financial KPIs from the ledger: revenue, margins, EBE, net result, cash, BFR, DSO (the DSCR
KPIs are in :mod:`.debt_service`).

Each formula is stated in ``formula`` (shown in the packs and the docs) and computed from
the statement lines of :mod:`boardpack.accounting.pcg`.
"""

from __future__ import annotations

from decimal import Decimal

from boardpack.api import hookimpl
from boardpack.api import KPI, Thresholds, Unavailable
from boardpack.api import KPIContext
from boardpack.api.accounting import cents_to_euros
from boardpack.api.periods import Month, Window

__all__ = [
    "ChiffreAffaires", "MargeBrute", "TauxMargeBrute", "EBE", "ResultatNet",
    "TresorerieNette", "BFR", "DSO", "sales_incl_tax",
]

_ALL = ("dirigeant", "daf", "operations", "banquier")


def _ratio(numerator: Decimal, denominator: Decimal, what: str) -> Decimal:
    if denominator == 0:
        raise Unavailable(f"{what} nul sur la période")
    return numerator / denominator


class ChiffreAffaires(KPI):
    """Net revenue."""

    id = "chiffre_affaires"
    label = {"fr": "Chiffre d'affaires", "en": "Revenue"}
    formula = {
        "fr": "Σ comptes 70 nets des rabais (709), hors taxes",
        "en": "Sum of accounts 70 net of rebates (709), excluding VAT",
    }
    unit = "money"
    needs = ("entries",)
    audiences = _ALL
    budget_line = "chiffre_affaires"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """CA net (liasse line FL)."""
        return ctx.pl("chiffre_affaires", window)


class MargeBrute(KPI):
    """Gross margin in euros."""

    id = "marge_brute"
    label = {"fr": "Marge brute", "en": "Gross margin"}
    formula = {
        "fr": "CA − coût des ventes ; coût des ventes = achats consommés (60x matières et "
        "marchandises ± variation de stocks 603) − production stockée (71)",
        "en": "Revenue − cost of sales; cost of sales = materials and goods consumed "
        "(60x ± stock change 603) − change in finished goods (71)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("dirigeant", "daf")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """CA minus cost of sales."""
        return ctx.pl("marge_brute", window)

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budgeted CA minus budgeted achats consommés."""
        return ctx.budget("chiffre_affaires", window) - ctx.budget("achats_consommes", window)


class TauxMargeBrute(KPI):
    """Gross margin rate."""

    id = "taux_marge_brute"
    label = {"fr": "Taux de marge brute", "en": "Gross margin rate"}
    formula = {"fr": "marge brute / CA × 100", "en": "gross margin / revenue × 100"}
    unit = "percent"
    needs = ("entries",)
    audiences = ("dirigeant", "daf")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Marge brute over CA, in %."""
        return _ratio(ctx.pl("marge_brute", window), ctx.pl("chiffre_affaires", window), "CA") * 100

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budgeted margin over budgeted CA, in %."""
        revenue = ctx.budget("chiffre_affaires", window)
        return _ratio(revenue - ctx.budget("achats_consommes", window), revenue, "CA budgété") * 100


def _budget_ebe(ctx: KPIContext, window: Window) -> Decimal:
    return ctx.budget("chiffre_affaires", window) - sum(
        (ctx.budget(line, window) for line in (
            "achats_consommes", "autres_achats_charges_externes", "impots_taxes",
            "salaires", "charges_sociales",
        )),
        Decimal(0),
    )


class EBE(KPI):
    """Excédent brut d'exploitation."""

    id = "ebe"
    label = {"fr": "EBE", "en": "EBITDA (EBE)"}
    formula = {
        "fr": "valeur ajoutée + subventions d'exploitation (74) − impôts et taxes (63) − "
        "charges de personnel (64)",
        "en": "value added + operating grants (74) − taxes (63) − staff costs (64)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = _ALL

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The SIG line EBE."""
        return ctx.pl("ebe", window)

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budget: CA − achats consommés − charges externes − impôts − salaires − charges sociales."""
        return _budget_ebe(ctx, window)


class ResultatNet(KPI):
    """Net result."""

    id = "resultat_net"
    label = {"fr": "Résultat net", "en": "Net result"}
    formula = {
        "fr": "produits (classe 7) − charges (classe 6) ; = RCAI + résultat exceptionnel − "
        "participation − impôt sur les bénéfices",
        "en": "income (class 7) − charges (class 6)",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("dirigeant", "daf", "banquier")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The SIG line résultat net (liasse HN)."""
        return ctx.pl("resultat_net", window)

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Budget: EBE − dotations − charges financières − impôt sur les bénéfices."""
        return _budget_ebe(ctx, window) - sum(
            (ctx.budget(line, window) for line in (
                "dotations_exploitation", "charges_financieres", "impot_benefices",
            )),
            Decimal(0),
        )


class TresorerieNette(KPI):
    """Net cash at the end of the window."""

    id = "tresorerie_nette"
    label = {"fr": "Trésorerie nette", "en": "Net cash"}
    formula = {
        "fr": "soldes débiteurs des comptes 51, 53, 54, 58 − soldes créditeurs des comptes 51 "
        "(concours bancaires courants), en fin de période",
        "en": "debit balances of 51, 53, 54, 58 − credit balances of 51 (overdrafts), at period end",
    }
    unit = "money"
    needs = ("entries",)
    audiences = _ALL
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Cash minus bank overdrafts at the window's last month end."""
        cash = ctx.split_balance(("51", "53", "54", "58"), window.end, "debit")
        overdraft = ctx.split_balance(("51",), window.end, "credit")
        return cash - overdraft


class BFR(KPI):
    """Working capital requirement at the end of the window."""

    id = "bfr"
    label = {"fr": "BFR", "en": "Working capital (BFR)"}
    formula = {
        "fr": "stocks + créances clients + autres créances + charges constatées d'avance − "
        "avances reçues − dettes fournisseurs − dettes fiscales et sociales − produits "
        "constatés d'avance (bilan, fin de période)",
        "en": "inventories + receivables + other receivables + prepaid − advances − payables "
        "− tax and social liabilities − deferred income (balance sheet, period end)",
    }
    unit = "money"
    needs = ("entries",)
    direction = "down"
    audiences = ("dirigeant", "daf", "banquier")
    nature = "stock"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """From the bilan lines at the window's end."""
        month = window.end
        plus = ("stocks", "creances_clients", "autres_creances", "charges_constatees_avance")
        minus = ("avances_clients", "dettes_fournisseurs", "dettes_fiscales_sociales", "produits_constates_avance")
        return sum((ctx.bilan(line, month) for line in plus), Decimal(0)) - sum(
            (ctx.bilan(line, month) for line in minus), Decimal(0)
        )


_RECEIVABLES = ("411", "413", "416", "418")
#: Revenue accounts whose presence in an entry makes it a sale (or, debited, a credit note).
_SALES = ("70",)


def _sales_by_month(ctx: KPIContext) -> dict[Month, int]:
    """Sales incl. VAT by month in cents: in every entry (journal + number, à-nouveaux excluded)
    holding a line on a 70 account, the debits minus the credits of its 411, 413, 416, 418 lines.

    A credit note (70 debited, customer credited) thus counts negative, and an entry moving an
    amount between customer accounts (411 → 416 client douteux, an effect 413) or a payment (512
    → 411) counts nothing: neither touches a 70 account.
    """
    def compute() -> dict[Month, int]:
        entries = ctx.dataset("entries")
        journals = {j.upper() for j in ctx.opening_journals}
        moving = entries[~entries["journal"].astype(str).str.upper().isin(journals)]
        accounts = moving["account"].astype(str)
        keys = [moving["journal"], moving["entry_id"]]
        is_sale_line = accounts.str.startswith(_SALES)
        sale_entry = is_sale_line.groupby(keys, sort=False).transform("any").to_numpy(dtype=bool)
        customer = accounts.str.startswith(_RECEIVABLES).to_numpy(dtype=bool)
        chosen = moving[sale_entry & customer]
        net = chosen["debit"].astype("int64") - chosen["credit"].astype("int64")
        months = chosen["date"].dt.year * 12 + chosen["date"].dt.month - 1
        summed = net.groupby(months).sum()
        return {Month(int(m) // 12, int(m) % 12 + 1): int(v) for m, v in summed.items()}

    return ctx.memo(("dso_sales_by_month",), compute)


def sales_incl_tax(ctx: KPIContext, window: Window) -> Decimal:
    """Sales invoiced incl. VAT over ``window``, net of credit notes, in euros (see
    :func:`_sales_by_month`); the DSO's denominator."""
    ctx.ledger.require(window)
    by_month = _sales_by_month(ctx)
    return cents_to_euros(sum(by_month.get(month, 0) for month in window.months))


def require_sales_through_receivables(ctx: KPIContext, window: Window) -> None:
    """Refuse a DSO for a company whose sales do not go through its customer accounts (sales
    booked straight to the bank): sales incl. VAT on 411, 413, 416, 418 under half the revenue."""
    revenue = ctx.pl("chiffre_affaires", window)
    invoiced = sales_incl_tax(ctx, window)
    if revenue > 0 and invoiced * 2 < revenue:
        share = max(int(invoiced / revenue * 100), 0)
        raise Unavailable(
            f"les ventes ne passent pas par les comptes clients : {share}\u00a0% seulement du CA est débité "
            "aux comptes 411, 413, 416, 418 sur la période (ventes encaissées directement) ; le délai "
            "clients n'a pas de sens"
        )


class DSO(KPI):
    """Days sales outstanding."""

    id = "dso"
    label = {"fr": "DSO (délai clients)", "en": "DSO (days sales outstanding)"}
    formula = {
        "fr": "créances clients TTC en fin de période (soldes débiteurs 411, 413, 416, 418) / ventes "
        "TTC de la période × jours de la période ; ventes TTC = débits − crédits 41x des écritures "
        "qui mouvementent un compte 70 (hors à-nouveaux) : avoirs déduits, virements entre comptes "
        "41 (client douteux) et règlements exclus",
        "en": "trade receivables incl. VAT at period end (debit balances of 411, 413, 416, 418) / "
        "sales incl. VAT over the period × days in the period; sales incl. VAT = debits − credits "
        "on 41x of the entries moving a 70 account (opening entries excluded): credit notes "
        "deducted, moves between 41 accounts (doubtful) and payments excluded",
    }
    unit = "days"
    needs = ("entries",)
    direction = "down"
    thresholds = Thresholds(warn=Decimal(60), alert=Decimal(75))
    audiences = ("daf", "operations", "banquier")
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Receivables over the period's sales incl. VAT, in days."""
        require_sales_through_receivables(ctx, window)
        receivables = ctx.split_balance(_RECEIVABLES, window.end, "debit")
        invoiced = sales_incl_tax(ctx, window)
        if invoiced <= 0:
            raise Unavailable("montant facturé nul ou négatif sur la période (avoirs compris)")
        return receivables / invoiced * window.days


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the financial KPIs."""
    return [
        ChiffreAffaires(), MargeBrute(), TauxMargeBrute(), EBE(), ResultatNet(),
        TresorerieNette(), BFR(), DSO(),
    ]
