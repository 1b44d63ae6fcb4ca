"""Cash out for the running costs: supplier debts at the month-end, purchases and external
charges (budget, else the same month a year before) paid at the observed supplier delay, taxes,
and the payroll (net pay in the month, social charges the month after)."""

from __future__ import annotations

from collections.abc import Sequence

from boardpack.api import Unavailable, hookimpl
from boardpack.api.forecast import CashLine, ForecastDriver, ForecastInput
from boardpack.api.periods import Month

from .common import eur, pct, BUDGET_OR_N1, add, cents, flows, label, ltm_days, month_amount, observed_rate, spread, weekly

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
        return payables / bought * ltm_days(inputs)

    return inputs.data.memo(("forecast.dpo", inputs.as_of), compute)


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
        spread(payables, day, int(dpo), -debt)
        bought: dict[Month, int] = {}
        taxes: dict[Month, int] = {}
        vats: dict[Month, int] = {}
        for month in inputs.months:
            materials, _ = month_amount(inputs, "achats_consommes", month)
            external, _ = month_amount(inputs, "autres_achats_charges_externes", month)
            tax, _ = month_amount(inputs, "impots_taxes", month)
            total = int(materials * scenario.sales_factor * scenario.costs_factor) + int(external * scenario.costs_factor)
            vats[month] = -int(total * vat)
            weekly(bought, month, dpo, -int(total * (1 + vat)))
            add(taxes, month, -int(tax * scenario.costs_factor))
        return [
            CashLine("dettes_fournisseurs", label("Dettes fournisseurs à la clôture du mois", "Supplier debts at month end"),
                     payables, label(f"solde fournisseurs {eur(debt)} payé sur {dpo:.0f} jours (délai observé)"
                                     , f"supplier balance paid over {dpo:.0f} days")),
            CashLine("achats_charges_externes", label("Achats et charges externes", "Purchases and external charges"),
                     bought, label(f"{BUDGET_OR_N1['fr']} ; achats au rythme des ventes ; TVA déductible "
                                   f"{pct(vat)}{'' if observed else ' (par défaut)'} ; payés à {dpo:.0f} j",
                                   f"{BUDGET_OR_N1['en']}; purchases follow sales; paid after {dpo:.0f} days"), vats),
            CashLine("impots_taxes", label("Impôts et taxes", "Taxes"), taxes,
                     label(f"{BUDGET_OR_N1['fr']}, payés dans le mois", f"{BUDGET_OR_N1['en']}, paid in the month")),
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
        for month in inputs.months:
            salaries, _ = month_amount(inputs, "salaires", month)
            charges, _ = month_amount(inputs, "charges_sociales", month)
            salaries, charges = int(salaries * factor), int(charges * factor)
            add(net, month, -int(salaries * ratio))
            add(social, month.shift(1), -(salaries - int(salaries * ratio)) - charges)
        share = f"{ratio * 100:.0f} %{'' if observed else ' (par défaut)'}"
        return [
            CashLine("salaires_nets", label("Salaires nets", "Net pay"), net,
                     label(f"{BUDGET_OR_N1['fr']} ; net = {share} du brut (421 / 641 sur 12 mois), payé dans le mois",
                           f"{BUDGET_OR_N1['en']}; net pay = {share} of gross, paid in the month")),
            CashLine("charges_sociales", label("Cotisations sociales", "Social contributions"), social,
                     label(f"cotisations dues à fin {inputs.as_of} ({eur(owed)}), puis part salariale et "
                           "charges patronales payées le mois suivant",
                           "contributions owed at month end, then employee and employer contributions the month after")),
        ]


@hookimpl
def register_forecast_drivers() -> list[ForecastDriver]:
    """Register the running-costs drivers."""
    return [CurrentCosts(), Payroll()]
