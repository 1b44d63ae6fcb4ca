"""Debt service coverage, in its two definitions side by side.

* ``dscr`` — on EBE: (EBE − impôt sur les bénéfices) / service de la dette. What most French
  loan covenants write; it ignores the working capital.
* ``dscr_flux`` — on operating cash flow: (flux de trésorerie d'exploitation + intérêts payés) /
  service de la dette. The cash actually generated before paying the lenders: when the BFR
  drifts (customers paying late), it falls while the EBE-based ratio holds.

Both share one debt service (:func:`debt_service`): principal repaid + interest paid over the
window, from the ``loans`` schedule, or estimated from the ledger without one. Other plugins (a
cash plan, a loan request) reuse these two KPIs rather than define their own.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from decimal import Decimal

from boardpack.api import KPI, KPIContext, Thresholds, Unavailable, hookimpl
from boardpack.api.accounting import cents_to_euros, loan_service
from boardpack.api.kpis import Estimated
from boardpack.api.periods import Window

from .cash import flows

__all__ = ["DSCR", "DSCRFlux", "debt_service"]

#: Without a ``loans`` schedule, the debt service is estimated from the ledger
#: (:func:`boardpack.api.accounting.loan_service`: principal repaid = debits of 164, 167, 168
#: except the accrued interest 1688; interest = net charge on 6611).
_ESTIMATE_BASIS = {
    "fr": "sans échéancier « loans » : service de la dette estimé d'après les remboursements des comptes "
    "164, 167 et 168 (hors 1688) et les intérêts 6611 des écritures",
    "en": "no « loans » schedule: debt service estimated from the repayments on accounts 164, 167 and 168 "
    "(except 1688) and the interest on 6611 in the ledger",
}
_THRESHOLDS = Thresholds(warn=Decimal("1.5"), alert=Decimal("1.25"))


def debt_service(ctx: KPIContext, window: Window) -> tuple[Decimal, Decimal, Mapping[str, str] | None]:
    """Principal and interest due over ``window`` (euros) and, when estimated from the ledger for
    want of a ``loans`` schedule, the basis of that estimate (``None`` from the schedule)."""
    if "loans" in ctx.datasets:
        loans = ctx.dataset("loans")
        months = {str(m) for m in window.months}
        due = loans[loans["period"].isin(months)]
        principal = Decimal(int(due["principal_due"].sum())).scaleb(-2)
        interest = Decimal(int(due["interest_due"].sum())).scaleb(-2)
        if principal + interest == 0:
            raise Unavailable("aucune échéance d'emprunt sur la période")
        return principal, interest, None
    paid = loan_service(ctx.statements, window)
    principal, interest = cents_to_euros(paid.principal), cents_to_euros(paid.interest)
    if principal + interest <= 0:
        raise Unavailable("aucun remboursement d'emprunt (débits 164, 167, 168) ni intérêt (6611) dans "
                          "les écritures de la période, et pas d'échéancier « loans »")
    return principal, interest, _ESTIMATE_BASIS


class _Coverage(KPI):
    """What both DSCR definitions share: the unit, the covenant thresholds, the audiences, the
    last-twelve-months headline, and the debt service they divide by (:func:`debt_service`)."""

    unit = "ratio"
    needs = ("entries",)
    thresholds = _THRESHOLDS
    audiences = ("daf", "banquier")
    headline = "ltm"

    @abstractmethod
    def available(self, ctx: KPIContext, window: Window, interest: Decimal) -> Decimal:
        """What covers the debt service over ``window`` (euros); ``interest`` is the interest paid."""

    def compute(self, ctx: KPIContext, window: Window) -> Decimal | Estimated:
        """``available`` over principal + interest (estimated without a schedule)."""
        principal, interest, basis = debt_service(ctx, window)
        ratio = self.available(ctx, window, interest) / (principal + interest)
        return ratio if basis is None else Estimated(ratio, basis)


class DSCR(_Coverage):
    """Debt service coverage ratio on EBE."""

    id = "dscr"
    label = {"fr": "DSCR (couverture du service de la dette)", "en": "DSCR (debt service coverage)"}
    formula = {
        "fr": "(EBE − impôt sur les bénéfices) / (capital remboursé + intérêts payés) sur la "
        "période, échéances tirées du jeu « loans » ; sans lui, estimé d'après les remboursements "
        "des comptes 164, 167, 168 (hors 1688) et les intérêts 6611 des écritures",
        "en": "(EBITDA − income tax) / (principal repaid + interest paid) over the period, "
        "from the loans schedule; without it, estimated from the repayments on 164, 167, 168 "
        "(except 1688) and the interest on 6611",
    }

    def available(self, ctx: KPIContext, window: Window, interest: Decimal) -> Decimal:
        """EBE less income tax."""
        return ctx.pl("ebe", window) - ctx.pl("impot_benefices", window)


class DSCRFlux(_Coverage):
    """Debt service coverage ratio on operating cash flow."""

    id = "dscr_flux"
    label = {"fr": "DSCR sur flux de trésorerie d'exploitation",
             "en": "DSCR on operating cash flow"}
    formula = {
        "fr": "(flux de trésorerie d'exploitation + intérêts payés) / (capital remboursé + intérêts "
        "payés) sur la période ; flux d'exploitation = CAF − variation du BFR ; service de la dette "
        "comme pour le DSCR sur EBE",
        "en": "(operating cash flow + interest paid) / (principal repaid + interest paid) over the "
        "period; operating cash flow = CAF − change in working capital; debt service as for the "
        "EBITDA-based DSCR",
    }

    def available(self, ctx: KPIContext, window: Window, interest: Decimal) -> Decimal:
        """Operating cash flow plus the interest paid."""
        return cents_to_euros(flows(ctx, window).fte) + interest


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the two DSCR KPIs."""
    return [DSCR(), DSCRFlux()]
