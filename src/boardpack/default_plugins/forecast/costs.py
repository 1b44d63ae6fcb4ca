"""Cash out for the running costs: supplier debts at the month-end, purchases and external
charges (budget, else the same month a year before) paid at the observed supplier delay, taxes,
and the payroll (net pay in the month, social charges the month after)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from boardpack.api import Unavailable, hookimpl
from boardpack.api.commercial import customer_of, selected_invoices
from boardpack.api.forecast import CashLine, ForecastDriver, ForecastInput
from boardpack.api.lazy import lazy_module
from boardpack.api.periods import Month

from .common import add, cents, eur, flows, label, ltm_days, month_amount, observed_rate, pct, spread, weekly, where_from
from .sales import IMPLAUSIBLE_DAYS, LEGAL_DAYS

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["CurrentCosts", "Payroll"]

_PAYABLES = ("401", "403", "408")
_PURCHASES = ("60", "61", "62")


def supplier_delay(inputs: ForecastInput) -> float:
    """Days of purchases the supplier debts stand for (DPO): payables / purchases incl. VAT × days."""
    def compute() -> float:
        bought = flows(inputs, ("401",), "credit")
        if bought <= 0:
            raise Unavailable("aucun achat au crédit des comptes fournisseurs 401 sur 12 mois")
        payables = cents(inputs.data.split_balance(_PAYABLES, inputs.as_of, "credit"))
        days = payables / bought * ltm_days(inputs)
        return days if days <= IMPLAUSIBLE_DAYS else float(LEGAL_DAYS)  # payments outside 401: the legal term

    return inputs.data.memo(("forecast.dpo", inputs.as_of), compute)


def open_purchases(inputs: ForecastInput, amounts: dict[Month, int]) -> tuple[dict[str, str], float] | None:
    """The purchase invoices open at ``as_of``, each paid at its supplier's mean delay over the
    two years before (an overdue one within the month), and that mean delay overall; ``None``
    without purchase invoices."""
    if "invoices" not in inputs.data.datasets:
        return None
    frame = selected_invoices(inputs.data, "purchase")
    stamp = pd.Timestamp(inputs.as_of.last_day)
    known = frame[frame["issue_date"] <= stamp]
    paid = known[known["paid_date"].notna() & (known["paid_date"] <= stamp)
                 & (known["issue_date"] > stamp - pd.Timedelta(days=730)) & (known["amount_incl_tax"] > 0)]
    if paid.empty:
        return None
    delays = (paid["paid_date"] - paid["issue_date"]).dt.days.astype(float)
    by_supplier = delays.groupby(customer_of(paid)).mean().to_dict()
    overall = float(delays.mean())
    open_ = known[known["paid_date"].isna() | (known["paid_date"] > stamp)]
    for supplier, issued, amount in zip(customer_of(open_), open_["issue_date"], open_["amount_incl_tax"]):
        expected = issued.date() + dt.timedelta(days=round(by_supplier.get(supplier, overall)))
        if expected <= inputs.as_of.last_day:
            expected = inputs.as_of.last_day + dt.timedelta(days=30)
        add(amounts, Month.of(expected), -int(amount))
    total = int(open_["amount_incl_tax"].sum())
    return label(f"{len(open_)} factures d'achat ouvertes ({eur(total)}) au délai moyen de chaque fournisseur",
                 f"{len(open_)} open purchase invoices at each supplier's mean delay"), overall


class CurrentCosts(ForecastDriver):
    """Supplier debts at ``as_of`` and the purchases, external charges and taxes of each month."""

    name = "charges_courantes"
    label = label("Achats, charges externes et taxes", "Purchases, external charges and taxes")
    description = "dettes fournisseurs, puis achats et charges externes du budget (à défaut N-1) au délai fournisseurs"
    order = 40
    needs = ("entries",)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """Three lines: supplier debts, purchases and external charges, taxes."""
        dpo = supplier_delay(inputs)
        scenario = inputs.scenario
        vat, observed = observed_rate(flows(inputs, ("44566",), "debit"), flows(inputs, _PURCHASES, "debit"), "0.20")
        day = inputs.as_of.last_day
        payables: dict[Month, int] = {}
        debt = cents(inputs.data.split_balance(_PAYABLES, inputs.as_of, "credit"))
        from_invoices = open_purchases(inputs, payables)
        if from_invoices is None:
            spread(payables, day, int(dpo), -debt)
            payables_basis = label(f"solde fournisseurs {eur(debt)} payé sur {dpo:.0f} jours (délai observé)",
                                   f"supplier balance paid over {dpo:.0f} days")
        else:
            payables_basis, dpo = from_invoices  # new purchases too: at the invoices' mean delay
        bought: dict[Month, int] = {}
        taxes: dict[Month, int] = {}
        vats: dict[Month, int] = {}
        sources: set[str] = set()
        for month in inputs.months:
            materials, source = month_amount(inputs, "achats_consommes", month)
            external, _ = month_amount(inputs, "autres_achats_charges_externes", month)
            tax, _ = month_amount(inputs, "impots_taxes", month)
            sources.add(source)
            total = int(materials * scenario.sales_factor * scenario.costs_factor) + int(external * scenario.costs_factor)
            vats[month] = -int(total * vat)
            weekly(bought, month, dpo, -int(total * (1 + vat)))
            add(taxes, month, -int(tax * scenario.costs_factor))
        where = where_from(sources)
        return [
            CashLine("dettes_fournisseurs", label("Dettes fournisseurs à la clôture du mois", "Supplier debts at month end"),
                     payables, payables_basis),
            CashLine("achats_charges_externes", label("Achats et charges externes", "Purchases and external charges"),
                     bought, label(f"{where['fr']} ; achats au rythme des ventes ; TVA déductible "
                                   f"{pct(vat)}{'' if observed else ' (par défaut)'} ; payés à {dpo:.0f} j",
                                   f"{where['en']}; purchases follow sales; paid after {dpo:.0f} days"), vats),
            CashLine("impots_taxes", label("Impôts et taxes", "Taxes"), taxes,
                     label(f"{where['fr']}, payés dans le mois", f"{where['en']}, paid in the month")),
        ]


class Payroll(ForecastDriver):
    """Salaries and social charges: net pay in the month, contributions the month after."""

    name = "salaires"
    label = label("Salaires et charges sociales", "Payroll and social charges")
    description = "salaires nets dans le mois, cotisations le mois suivant (budget, à défaut N-1)"
    order = 50
    needs = ("entries",)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """Two lines: net pay, social contributions (those owed at ``as_of`` first)."""
        factor = inputs.scenario.costs_factor
        ratio, observed = observed_rate(flows(inputs, ("421",), "credit"), flows(inputs, ("641",), "debit"), "0.78")
        ratio = min(ratio, 1)
        net: dict[Month, int] = {}
        social: dict[Month, int] = {}
        owed = cents(inputs.data.split_balance(("431", "437"), inputs.as_of, "credit"))
        add(social, inputs.months[0], -owed)
        sources: set[str] = set()
        for month in inputs.months:
            salaries, source = month_amount(inputs, "salaires", month)
            sources.add(source)
            charges, _ = month_amount(inputs, "charges_sociales", month)
            salaries, charges = int(salaries * factor), int(charges * factor)
            add(net, month, -int(salaries * ratio))
            add(social, month.shift(1), -(salaries - int(salaries * ratio)) - charges)
        share = f"{ratio * 100:.0f} %{'' if observed else ' (par défaut)'}"
        where = where_from(sources)
        return [
            CashLine("salaires_nets", label("Salaires nets", "Net pay"), net,
                     label(f"{where['fr']} ; net = {share} du brut (421 / 641 sur 12 mois), payé dans le mois",
                           f"{where['en']}; net pay = {share} of gross, paid in the month")),
            CashLine("charges_sociales", label("Cotisations sociales", "Social contributions"), social,
                     label(f"cotisations dues à fin {inputs.as_of} ({eur(owed)}), puis part salariale et "
                           "charges patronales payées le mois suivant",
                           "contributions owed at month end, then employee and employer contributions the month after")),
        ]


@hookimpl
def register_forecast_drivers() -> list[ForecastDriver]:
    """Register the running-costs drivers."""
    return [CurrentCosts(), Payroll()]
