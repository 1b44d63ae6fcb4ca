"""Loan schedules (constant annuity or constant principal, with a deferral) and the debt ahead.

All amounts are integer cents; each instalment's interest is the outstanding capital times
the monthly rate (annual rate / 12, the proportional rate French banks quote), rounded half
up to the cent. The last instalment repays whatever capital remains, so the principal always
sums to the amount borrowed exactly.

Constant annuity, over the ``n`` amortising months after a deferral::

    échéance = C × t / (1 − (1 + t)^−n)        t = taux annuel / 12

Constant principal: ``C / n`` each month, interest on the capital still due. During a
deferral (différé partiel) only the interest is paid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from ..periods import Month

__all__ = ["AMORTISATIONS", "Amortisation", "Instalment", "LoanTerms", "Maturities", "annuity_payment", "by_month",
           "maturities",
           "schedule"]

Amortisation = Literal["annuite_constante", "amortissement_constant"]
#: accepted amortisation kinds, with their French label
AMORTISATIONS: dict[str, str] = {"annuite_constante": "annuités constantes",
                                 "amortissement_constant": "amortissement constant du capital"}


def _cents(value: Decimal) -> int:
    """Euros → cents, rounded half up."""
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LoanTerms:
    """A loan's terms: ``amount`` borrowed (euros), ``annual_rate`` (0.042 for 4,2 %),
    ``months`` in all (deferral included), the ``first`` instalment's month, ``deferral`` months
    of interest only and the amortisation kind."""

    loan: str
    lender: str
    amount: Decimal
    annual_rate: Decimal
    months: int
    first: Month
    amortisation: Amortisation = "annuite_constante"
    deferral: int = 0

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("le montant doit être positif")
        if self.months < 1:
            raise ValueError("la durée doit être d'au moins un mois")
        if not 0 <= self.deferral < self.months:
            raise ValueError("le différé doit être positif et plus court que la durée")
        if self.annual_rate < 0:
            raise ValueError("le taux ne peut pas être négatif")
        if self.amortisation not in AMORTISATIONS:
            raise ValueError(f"amortissement « {self.amortisation} » inconnu")

    @property
    def monthly_rate(self) -> Decimal:
        """The proportional monthly rate."""
        return self.annual_rate / 12


@dataclass(frozen=True)
class Instalment:
    """One monthly instalment: principal and interest paid in ``month`` (cents) and the capital
    still due after it."""

    loan: str
    lender: str
    month: Month
    principal: int
    interest: int
    outstanding: int

    @property
    def payment(self) -> int:
        """Principal plus interest."""
        return self.principal + self.interest


def annuity_payment(amount: Decimal, monthly_rate: Decimal, months: int) -> int:
    """The constant instalment (cents) repaying ``amount`` euros over ``months`` at ``monthly_rate``."""
    if monthly_rate == 0:
        return _cents(amount / months)
    return _cents(amount * monthly_rate / (1 - (1 + monthly_rate) ** -months))


def schedule(terms: LoanTerms) -> list[Instalment]:
    """The whole schedule of ``terms``, one instalment a month from ``terms.first``."""
    rate = terms.monthly_rate
    outstanding = _cents(terms.amount)
    amortising = terms.months - terms.deferral
    payment = annuity_payment(terms.amount, rate, amortising)
    constant = _cents(terms.amount / amortising)
    out = []
    for index in range(terms.months):
        interest = _cents(Decimal(outstanding) / 100 * rate)
        if index < terms.deferral:
            principal = 0
        elif index == terms.months - 1:
            principal = outstanding
        elif terms.amortisation == "annuite_constante":
            principal = min(payment - interest, outstanding)
        else:
            principal = min(constant, outstanding)
        outstanding -= principal
        out.append(Instalment(terms.loan, terms.lender, terms.first.shift(index), principal, interest, outstanding))
    return out


@dataclass(frozen=True)
class Maturities:
    """Capital outstanding at a date split by when it falls due (cents): within a year, in one
    to five years, beyond five years, and what no schedule places (``unplaced``)."""

    under_1: int
    one_to_5: int
    over_5: int
    unplaced: int = 0

    @property
    def total(self) -> int:
        """All the capital outstanding."""
        return self.under_1 + self.one_to_5 + self.over_5 + self.unplaced


def maturities(instalments: Iterable[Instalment], as_of: Month, outstanding: int | None = None) -> Maturities:
    """Split the principal due after ``as_of`` into < 1 an, 1–5 ans, > 5 ans.

    :param outstanding: the capital due at ``as_of`` when known otherwise (the schedule's own
        figure); what the future instalments do not repay is ``unplaced``.
    """
    buckets = [0, 0, 0]
    for step in instalments:
        ahead = step.month - as_of
        if ahead <= 0:
            continue
        buckets[0 if ahead <= 12 else 1 if ahead <= 60 else 2] += step.principal
    unplaced = 0 if outstanding is None else max(outstanding - sum(buckets), 0)
    return Maturities(buckets[0], buckets[1], buckets[2], unplaced)


def by_month(instalments: Sequence[Instalment]) -> dict[Month, tuple[int, int]]:
    """Principal and interest of ``instalments`` summed by month."""
    out: dict[Month, tuple[int, int]] = {}
    for step in instalments:
        principal, interest = out.get(step.month, (0, 0))
        out[step.month] = (principal + step.principal, interest + step.interest)
    return out
