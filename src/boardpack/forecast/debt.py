"""The debt ahead: each loan's instalments after a month, from the ``loans`` schedule or from
the loan's terms, and the capital outstanding split by maturity.

A loan of the ``loans`` dataset is read as the bank gives it (its rows after the month are its
future instalments). A ``[debt.<id>]`` table of the config gives a loan by its terms (amount,
rate, duration, first instalment, amortisation, deferral): its schedule is computed
(:func:`boardpack.forecast.loans.schedule`); a loan in both is read from the dataset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Unavailable
from ..periods import Month
from .loans import Instalment, LoanTerms, Maturities, maturities, schedule

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DebtPosition", "LoanPosition", "debt_position", "instalments_of"]


def instalments_of(loans: pd.DataFrame) -> list[Instalment]:
    """Every row of a ``loans`` dataset as an :class:`Instalment` (cents), by loan and month."""
    out = []
    for row in loans.sort_values(["loan", "period"]).itertuples(index=False):
        out.append(Instalment(str(row.loan), str(row.lender), Month.parse(str(row.period)), int(row.principal_due),
                              int(row.interest_due), int(row.outstanding)))
    return out


@dataclass(frozen=True)
class LoanPosition:
    """One loan seen from a month: capital due after that month's instalment, the instalments
    ahead, and where they come from (``dataset`` or ``terms``)."""

    loan: str
    lender: str
    outstanding: int
    ahead: tuple[Instalment, ...]
    origin: str
    #: the capital the instalments ahead do not repay (a schedule that stops early)
    unplaced: int = 0

    @property
    def last_month(self) -> Month | None:
        """The month of the last known instalment."""
        return self.ahead[-1].month if self.ahead else None


@dataclass(frozen=True)
class DebtPosition:
    """Every loan at ``as_of``: positions, maturities and the monthly service ahead."""

    as_of: Month
    loans: tuple[LoanPosition, ...]
    maturities: Maturities
    notes: tuple[str, ...] = field(default=())

    @property
    def outstanding(self) -> int:
        """Capital due on all loans (cents)."""
        return sum(loan.outstanding for loan in self.loans)

    def service(self, months: Sequence[Month]) -> tuple[int, int]:
        """Principal and interest due over ``months`` on all loans (cents)."""
        wanted = set(months)
        steps = [s for loan in self.loans for s in loan.ahead if s.month in wanted]
        return sum(s.principal for s in steps), sum(s.interest for s in steps)

    def covers(self, months: Sequence[Month]) -> bool:
        """Whether every loan still owing has a schedule running to the last of ``months``."""
        last = max(months)
        return all(loan.outstanding == 0 or (loan.last_month is not None and loan.last_month >= last)
                   or loan.unplaced == 0 for loan in self.loans)


def _from_rows(steps: Sequence[Instalment], as_of: Month, origin: str) -> LoanPosition | None:
    past = [s for s in steps if s.month <= as_of]
    ahead = tuple(s for s in steps if s.month > as_of)
    if past:
        outstanding = past[-1].outstanding
    elif ahead:
        outstanding = ahead[0].outstanding + ahead[0].principal
    else:
        return None
    if outstanding == 0 and not ahead:
        return None
    unplaced = max(outstanding - sum(s.principal for s in ahead), 0)
    first = steps[0]
    return LoanPosition(first.loan, first.lender, outstanding, ahead, origin, unplaced)


def debt_position(datasets: Mapping[str, pd.DataFrame], terms: Sequence[LoanTerms], as_of: Month,
                  instalments: Sequence[Instalment] | None = None) -> DebtPosition:
    """The loans at the end of ``as_of``, from the ``loans`` dataset and the loans given by terms.

    :param instalments: :func:`instalments_of` the ``loans`` dataset when already read (the same
        for every month: the cash plan and its backtest read it once).
    :raises Unavailable: when neither gives any loan.
    """
    frame = datasets.get("loans")
    by_loan: dict[str, list[Instalment]] = {}
    if frame is not None and not frame.empty:
        for step in instalments if instalments is not None else instalments_of(frame):
            by_loan.setdefault(step.loan, []).append(step)
    origins = dict.fromkeys(by_loan, "dataset")
    for loan in terms:
        if loan.loan not in by_loan:
            by_loan[loan.loan] = schedule(loan)
            origins[loan.loan] = "terms"
    if not by_loan:
        raise Unavailable("ni échéancier « loans » ni emprunt décrit par ses conditions ([debt.<id>])",
                          needs="loans")
    positions = [p for key in sorted(by_loan) if (p := _from_rows(by_loan[key], as_of, origins[key])) is not None]
    notes = tuple(f"{p.loan} : l'échéancier s'arrête en {p.last_month or as_of} avec "
                  f"{p.unplaced / 100:.2f} € de capital non placé" for p in positions if p.unplaced)
    all_steps = [s for p in positions for s in p.ahead]
    split = maturities(all_steps, as_of, sum(p.outstanding for p in positions))
    return DebtPosition(as_of, tuple(positions), split, notes)

