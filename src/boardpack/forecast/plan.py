"""The 12-month cash plan: the drivers' lines month by month from the opening cash, the lowest
point and the month the minimum cash is crossed, for the base scenario and each stress.

The host runs every registered :class:`~boardpack.api.forecast.ForecastDriver` in ``order``; each
returns :class:`CashLine`\\ s (signed cents: + cash in, − cash out) or raises
:class:`~boardpack.errors.Unavailable`, which the plan lists as a driver without data (never as
zero). A driver sees the lines of those run before it (the VAT driver reads the VAT of the
sales and costs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import Unavailable
from ..periods import Month
from .loans import LoanTerms
from .settings import Financing, Scenario

if TYPE_CHECKING:
    from ..api.forecast import ForecastDriver
    from ..api.kpis import KPIContext

__all__ = ["CashLine", "CashPlan", "DriverGap", "ForecastInput", "run_plan"]


@dataclass(frozen=True)
class CashLine:
    """One line of the plan: signed ``amounts`` by month (cents; + cash in, − cash out).

    ``vat`` is the VAT this line's operations accrue in each month (+ collected, − deductible),
    read by the VAT driver; ``invoiced`` the sales excl. VAT it invoices in each month (the
    pipeline's, which the run-rate sales driver does not count twice); ``basis`` says how the
    line is computed, in French and English.
    """

    key: str
    label: Mapping[str, str]
    amounts: Mapping[Month, int]
    basis: Mapping[str, str] = field(default_factory=dict)
    vat: Mapping[Month, int] = field(default_factory=dict)
    invoiced: Mapping[Month, int] = field(default_factory=dict)
    driver: str = ""

    def total(self) -> int:
        """The line's sum over the plan."""
        return sum(self.amounts.values())


@dataclass(frozen=True)
class DriverGap:
    """A driver that produced nothing: its name, label and why."""

    driver: str
    label: Mapping[str, str]
    reason: str


@dataclass(frozen=True)
class ForecastInput:
    """What a driver is given: the data, the month-end the plan starts from (``as_of``: the
    reporting month, or an earlier one for the backtest — read nothing after it), the plan's
    months, the scenario, the ``[forecast]`` options, the loan asked for and the loans given by
    their terms, and the lines of the drivers run before."""

    data: KPIContext
    as_of: Month
    months: tuple[Month, ...]
    scenario: Scenario
    options: Mapping[str, Any]
    financing: Financing | None = None
    debt_terms: tuple[LoanTerms, ...] = ()
    previous: tuple[CashLine, ...] = ()

    def settings(self, table: str) -> Mapping[str, Any]:
        """A plugin-owned config table (``[investments]``…)."""
        return self.data.settings(table)


@dataclass(frozen=True)
class CashPlan:
    """A scenario's plan: opening cash at the end of ``as_of``, the lines, the drivers without data."""

    as_of: Month
    months: tuple[Month, ...]
    scenario: Scenario
    opening: int
    lines: tuple[CashLine, ...]
    gaps: tuple[DriverGap, ...]
    minimum: int
    minimum_basis: Mapping[str, str]

    def flow(self, month: Month) -> int:
        """Net cash movement of ``month``."""
        return sum(line.amounts.get(month, 0) for line in self.lines)

    def inflows(self, month: Month) -> int:
        """Cash in of ``month``."""
        return sum(max(line.amounts.get(month, 0), 0) for line in self.lines)

    def outflows(self, month: Month) -> int:
        """Cash out of ``month`` (negative)."""
        return sum(min(line.amounts.get(month, 0), 0) for line in self.lines)

    def closings(self) -> list[tuple[Month, int]]:
        """Cash at the end of each month."""
        cash, out = self.opening, []
        for month in self.months:
            cash += self.flow(month)
            out.append((month, cash))
        return out

    def closing(self, month: Month) -> int:
        """Cash at the end of ``month``."""
        return dict(self.closings())[month]

    @property
    def lowest(self) -> tuple[Month, int]:
        """The month with the lowest closing cash (the first such month) and that cash."""
        return min(self.closings(), key=lambda item: (item[1], item[0]))

    @property
    def crossing(self) -> Month | None:
        """The first month whose closing cash is under the minimum, ``None`` if none is."""
        return next((month for month, cash in self.closings() if cash < self.minimum), None)


def _minimum(options: Mapping[str, Any]) -> tuple[int, dict[str, str]]:
    if options.get("minimum_cash") is not None:
        amount = int(options["minimum_cash"] * 100)
        return amount, {"fr": "seuil fixé dans [forecast] minimum_cash", "en": "threshold set in [forecast] minimum_cash"}
    return 0, {"fr": "pas de seuil fixé ([forecast] minimum_cash) : 0 €, le découvert",
               "en": "no threshold set ([forecast] minimum_cash): 0 €, the overdraft"}


def run_plan(data: KPIContext, as_of: Month, scenario: Scenario, drivers: Sequence[ForecastDriver],
             options: Mapping[str, Any], financing: Financing | None = None,
             debt_terms: Sequence[LoanTerms] = ()) -> CashPlan:
    """Run ``drivers`` for ``scenario`` from the end of ``as_of``.

    :raises Unavailable: when the opening cash is not known (no ledger at ``as_of``).
    """
    from ..accounting.cashflow import net_cash

    data.ledger.require(data.window("month", as_of))
    opening = net_cash(data.statements, as_of)
    months = tuple(as_of.shift(i) for i in range(1, int(options.get("months") or 12) + 1))
    chosen = set(options.get("drivers") or ())
    lines: list[CashLine] = []
    gaps: list[DriverGap] = []
    for driver in sorted(drivers, key=lambda d: (d.order, d.name)):
        if chosen and driver.name not in chosen:
            continue
        missing = [name for name in driver.needs if name not in data.datasets]
        inputs = ForecastInput(data, as_of, months, scenario, options, financing, tuple(debt_terms), tuple(lines))
        try:
            if missing and not driver.fallback:
                raise Unavailable(f"jeu de données « {missing[0]} » absent", needs=missing[0])
            produced = driver.project(inputs)
        except Unavailable as exc:
            gaps.append(DriverGap(driver.name, driver.label, str(exc)))
            continue
        for line in produced:
            kept = {m: int(v) for m, v in line.amounts.items() if m in months and v}
            lines.append(CashLine(line.key, line.label, kept, line.basis, dict(line.vat), dict(line.invoiced),
                                  driver.name))
    minimum, basis = _minimum(options)
    return CashPlan(as_of, months, scenario, opening, tuple(lines), tuple(gaps), minimum, basis)
