"""Cash for the balance sheet: the existing loans' instalments, the loan asked for (paid out,
then its instalments) and the investments of ``[investments.<id>]`` placed in a month."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from boardpack.api import Unavailable, hookimpl
from boardpack.api.forecast import CashLine, ForecastDriver, ForecastInput, debt_of, schedule
from boardpack.api.accounting import loan_service
from boardpack.api.periods import Month
from boardpack.api.settings import Setting, SettingsTable

from .common import eur, add, cents, history, label

__all__ = ["Dividends", "ExistingLoans", "Investments", "RequestedLoan"]

#: the month an investment project is paid (added to the ``[investments.<id>]`` tables)
INVESTMENT_MONTH = SettingsTable("investments", (
    Setting("month", "text", None, "mois du décaissement AAAA-MM (plan de trésorerie)"),
), entries=True)
#: VAT on equipment, deductible the month it is paid
EQUIPMENT_VAT = Decimal("0.20")


class ExistingLoans(ForecastDriver):
    """Principal and interest of the loans in place, from their schedules; without one, the
    ledger's last twelve months of repayments (164, 167, 168) and interest (6611) continued."""

    name = "emprunts"
    label = label("Échéances des emprunts en cours", "Existing loan instalments")
    description = "capital et intérêts des échéanciers (jeu loans ou [debt.<id>])"
    order = 80
    needs = ("loans",)
    fallback = True

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line: the instalments."""
        try:
            debt = debt_of(inputs.data, inputs.as_of)
        except Unavailable:
            monthly = loan_service(inputs.data.statements, history(inputs)).total // 12
            if monthly <= 0:
                raise Unavailable("aucun échéancier ni remboursement d'emprunt dans les écritures") from None
            basis = label(f"sans échéancier : remboursements et intérêts des 12 derniers mois, {eur(monthly)} "
                          "par mois (estimation)",
                          "no schedule: the last twelve months' repayments and interest continued (estimate)")
            return [CashLine("emprunts", self.label, dict.fromkeys(inputs.months, -monthly), basis)]
        amounts = {}
        for month in inputs.months:
            principal, interest = debt.service([month])
            amounts[month] = -(principal + interest)
        names = ", ".join(loan.loan for loan in debt.loans)
        basis = label(f"échéanciers : {names}", f"schedules: {names}")
        return [CashLine("emprunts", self.label, amounts, basis)]


class Dividends(ForecastDriver):
    """The dividends paid in the twelve months to ``as_of`` (debits of 457), paid again in the
    same month a year later: a plan that forgets them is optimistic by that much."""

    name = "dividendes"
    label = label("Dividendes", "Dividends")
    description = "dividendes versés sur 12 mois (débits 457), reconduits au même mois"
    order = 88
    needs = ("entries",)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line: last year's dividend payments, a year later."""
        data = inputs.data
        amounts = {}
        for month in inputs.months:
            before = data.window("month", month.shift(-12))
            if before.end <= inputs.as_of and data.ledger.covers(before):
                paid = data.ledger.flows(("457",), before, "debit")
                if paid:
                    amounts[month] = -paid
        if not amounts:
            raise Unavailable("aucun dividende versé (débits 457) sur les 12 derniers mois")
        basis = label("dividendes versés un an plus tôt (débits 457), reconduits au même mois",
                      "dividends paid a year earlier (457 debits), paid again the same month")
        return [CashLine("dividendes", self.label, amounts, basis)]


class RequestedLoan(ForecastDriver):
    """The loan of ``[financing]`` (when ``in_plan``): paid out, then its schedule."""

    name = "financement_demande"
    label = label("Financement demandé", "Loan requested")
    description = "déblocage puis échéances de l'emprunt demandé ([financing])"
    order = 85

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """Two lines: the payout, the instalments."""
        financing = inputs.financing
        if financing is None:
            raise Unavailable("pas de table [financing] dans la configuration")
        if not financing.in_plan:
            raise Unavailable("[financing] in_plan = false : l'emprunt demandé n'est pas dans le plan")
        payout = {financing.disbursement: cents(financing.terms.amount)}
        instalments: dict[Month, int] = {}
        for step in schedule(financing.terms):
            add(instalments, step.month, -step.payment)
        return [CashLine("financement_deblocage", label("Déblocage de l'emprunt demandé", "Requested loan paid out"),
                         payout, label(f"[financing] : {financing.purpose or 'objet non précisé'}",
                                       f"[financing]: {financing.purpose or 'no purpose given'}")),
                CashLine("financement_echeances", label("Échéances de l'emprunt demandé", "Requested loan instalments"),
                         instalments, label("échéancier calculé des conditions demandées", "schedule of the terms asked"))]


class Investments(ForecastDriver):
    """The outlay of each ``[investments.<id>]`` project with a ``month``, VAT included (20 %,
    deductible the same month)."""

    name = "investissements"
    label = label("Investissements", "Capital expenditure")
    description = "décaissement des projets [investments.<id>] au mois indiqué (month)"
    order = 60  # before the VAT driver, which reads its VAT
    settings = (INVESTMENT_MONTH,)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line per project paid within the plan."""
        projects = inputs.settings("investments")
        if not projects:
            raise Unavailable("aucun projet [investments.<id>] dans la configuration")
        lines = []
        for key, values in projects.items():
            if not values.get("month"):
                continue
            month = Month.parse(values["month"])
            if month not in inputs.months:
                continue
            outlay = cents(values["outlay"])
            name = values.get("label") or key
            lines.append(CashLine(f"investissement_{key}", label(f"Investissement : {name}", f"Investment: {name}"),
                                  {month: -int(outlay * (1 + EQUIPMENT_VAT))},
                                  label("[investments] outlay + TVA 20 % (déductible le mois même)",
                                        "[investments] outlay + 20 % VAT (deductible the same month)"),
                                  {month: -int(outlay * EQUIPMENT_VAT)}))
        if not lines:
            raise Unavailable("aucun projet [investments.<id>] avec un mois (month) dans les 12 mois du plan")
        return lines


@hookimpl
def register_forecast_drivers() -> list[ForecastDriver]:
    """Register the financing and investment drivers."""
    return [ExistingLoans(), Dividends(), RequestedLoan(), Investments()]
