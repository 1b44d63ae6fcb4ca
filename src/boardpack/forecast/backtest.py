"""The cash plan's track record: the base plan made at each of the last month-ends, against the
cash the ledger then shows at 1, 3 and 6 months.

The plan is replayed from each month-end with only what was known then (the drivers read
nothing after ``as_of``); what it cannot know stays as it is today: the budget, and the CRM's
stage probabilities. The error is forecast − actual month-end net cash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import Unavailable
from ..periods import Month

if TYPE_CHECKING:
    from ..api.kpis import KPIContext
    from .plan import CashPlan

__all__ = ["HORIZONS", "Backtest", "BacktestPoint", "backtest"]

#: months ahead at which the plan is checked
HORIZONS = (1, 3, 6)


@dataclass(frozen=True)
class BacktestPoint:
    """The cash a plan made at the end of ``as_of`` forecast for ``as_of + horizon`` and the cash
    there was (cents)."""

    as_of: Month
    horizon: int
    forecast: int
    actual: int

    @property
    def target(self) -> Month:
        """The month forecast."""
        return self.as_of.shift(self.horizon)

    @property
    def error(self) -> int:
        """Forecast − actual."""
        return self.forecast - self.actual


@dataclass(frozen=True)
class Backtest:
    """Every point of the backtest, and the month-ends from which no plan could be made (why)."""

    period: Month
    points: tuple[BacktestPoint, ...]
    gaps: tuple[tuple[Month, str], ...] = ()

    def at(self, horizon: int) -> list[BacktestPoint]:
        """The points ``horizon`` months ahead."""
        return [p for p in self.points if p.horizon == horizon]

    def mean_absolute_error(self, horizon: int) -> int | None:
        """Mean of |forecast − actual| at ``horizon`` (cents), ``None`` without points."""
        points = self.at(horizon)
        return sum(abs(p.error) for p in points) // len(points) if points else None

    def bias(self, horizon: int) -> int | None:
        """Mean of forecast − actual at ``horizon`` (positive: the plan was optimistic)."""
        points = self.at(horizon)
        return sum(p.error for p in points) // len(points) if points else None

    def largest_error(self, horizon: int) -> BacktestPoint | None:
        """The point with the largest |error| at ``horizon``."""
        return max(self.at(horizon), key=lambda p: (abs(p.error), p.as_of), default=None)


def backtest(plan_at: Callable[[Month], CashPlan], data: KPIContext, period: Month, count: int = 12,
             horizons: Sequence[int] = HORIZONS) -> Backtest:
    """Replay ``plan_at`` from each of the ``count`` month-ends before ``period``.

    :raises Unavailable: when no plan could be made from any of them.
    """
    from ..accounting.cashflow import net_cash

    points, gaps = [], []
    for back in range(count, 0, -1):
        as_of = period.shift(-back)
        if as_of < data.ledger.first:
            gaps.append((as_of, f"avant le début des écritures ({data.ledger.first})"))
            continue
        try:
            plan = plan_at(as_of)
        except Unavailable as exc:
            gaps.append((as_of, str(exc)))
            continue
        for horizon in horizons:
            target = as_of.shift(horizon)
            if target <= period and target in plan.months:
                points.append(BacktestPoint(as_of, horizon, plan.closing(target), net_cash(data.statements, target)))
    if not points:
        reason = gaps[0][1] if gaps else "aucun mois de recul"
        raise Unavailable(f"aucun plan rejouable sur les {count} derniers mois ({reason})")
    return Backtest(period, tuple(points), tuple(gaps))
