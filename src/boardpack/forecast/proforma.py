"""The pro-forma debt service of a loan request and its coverage, both ways the banks read it::

    DSCR (EBE) = (EBE − impôt sur les bénéfices) / service de la dette
    DSCR (FTE) = (flux de trésorerie d'exploitation + intérêts payés) / service de la dette

over a period: the service is the principal and interest due in it on the loans in place and
on the loan asked for; the numerators are the two DSCR KPIs' (``dscr``, ``dscr_flux``), those of
the last twelve months, held constant and scaled to the period's length (the caller passes them). The repayment capacity after the loan is
(dettes financières + montant demandé) / CAF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..periods import Month
from .loans import Instalment

__all__ = ["ProForma", "pro_forma", "repayment_capacity"]


@dataclass(frozen=True)
class ProForma:
    """One period of the pro-forma: service (cents) on the existing loans and on the new one,
    the numerators (euros) and the two ratios (``None`` without debt service)."""

    months: int
    existing: int
    new: int
    ebe: Decimal
    fte: Decimal

    @property
    def service(self) -> int:
        """Principal and interest due in the period on all loans."""
        return self.existing + self.new

    def _ratio(self, numerator: Decimal) -> Decimal | None:
        return None if self.service <= 0 else numerator / (Decimal(self.service) / 100)

    @property
    def dscr_ebe(self) -> Decimal | None:
        """(EBE − impôt) / service de la dette."""
        return self._ratio(self.ebe)

    @property
    def dscr_fte(self) -> Decimal | None:
        """(Flux de trésorerie d'exploitation + intérêts) / service de la dette."""
        return self._ratio(self.fte)


def pro_forma(months: Sequence[Month], existing: int, new_loan: Sequence[Instalment], ebe_ltm: Decimal,
              fte_ltm: Decimal) -> ProForma:
    """The pro-forma of ``months``: ``existing`` service (cents) and the new loan's instalments
    falling in them, with the twelve-month EBE and operating cash flow scaled to their length."""
    wanted = set(months)
    new = sum(step.payment for step in new_loan if step.month in wanted)
    scale = Decimal(len(months)) / 12
    return ProForma(len(months), existing, new, ebe_ltm * scale, fte_ltm * scale)


def repayment_capacity(debt: Decimal, caf: Decimal) -> Decimal | None:
    """Dettes financières / CAF, in years (``None`` when the CAF is not positive)."""
    return debt / caf if caf > 0 else None
