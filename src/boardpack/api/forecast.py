"""Forecast drivers and what the forecast sections read: the cash plan, the loan schedules, the
debt ahead, the loan asked for, the functional balance sheet and the backtest.

A **forecast driver** is one line (or a few) of the 12-month cash plan: the receivables
collected, the weighted pipeline, the payroll, the VAT… A plugin returns
:class:`ForecastDriver` instances from ``register_forecast_drivers``; the host runs them in
``order`` for each scenario and adds their :class:`CashLine`\\ s to the opening cash. A driver
reads only what was known at ``inputs.as_of`` (the backtest replays the plan from earlier
month-ends) and raises :class:`~boardpack.api.Unavailable` when its data is missing: the plan
then says which driver has no data, and why, instead of counting it as zero.

The functions below compute once per build (memoised on the data) what the sections show.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..forecast.backtest import Backtest, backtest
from ..forecast.debt import DebtPosition, LoanPosition, debt_position, instalments_of
from ..forecast.export import backtest_csv, plan_csv, ratios_csv, schedules_csv
from ..forecast.functional import FunctionalBalance, Ratio, functional_balance
from ..forecast.ratios import banker_ratios, customer_concentration
from ..forecast.loans import AMORTISATIONS, Instalment, LoanTerms, Maturities, annuity_payment, schedule
from ..forecast.plan import CashLine, CashPlan, DriverGap, ForecastInput
from ..forecast.proforma import ProForma, pro_forma, repayment_capacity
from ..forecast.settings import (
    BASE, DEBT, FINANCING, FORECAST, SCENARIOS, VAT_REGIMES, Financing, Scenario, debt_terms, financing_of,
    forecast_options, scenarios_of,
)
from ..forecast.taxes import corporate_tax_payments, vat_payments
from ..periods import Month
from .settings import SettingsTable

if TYPE_CHECKING:
    from .kpis import KPIContext

__all__ = [
    "AMORTISATIONS", "BASE", "DEBT", "FINANCING", "FORECAST", "SCENARIOS", "VAT_REGIMES", "Backtest", "CashLine",
    "CashPlan", "DebtPosition", "DriverGap", "Financing", "ForecastDriver", "ForecastInput", "FunctionalBalance",
    "Instalment", "LoanPosition", "LoanTerms", "Maturities", "ProForma", "Ratio", "Scenario", "annuity_payment",
    "backtest_csv", "banker_ratios", "cash_plans", "customer_concentration", "plan_csv", "pro_forma", "ratios_csv",
    "repayment_capacity", "schedules_csv", "corporate_tax_payments", "debt_of", "debt_position", "financing_request",
    "forecast_backtest", "functional_balance", "schedule", "vat_payments",
]


class ForecastDriver(ABC):
    """One source of cash in or out of the 12-month plan.

    ``needs`` lists the datasets it reads; when one is missing the host lists the driver as
    without data, unless ``fallback`` is true (the driver then works from what there is, the
    ledger's balances for instance, and says so in its lines' ``basis``). ``order`` places it
    among the others: a driver sees the lines of the drivers of lower order (the VAT driver,
    70, reads the VAT of the sales and costs).
    """

    name: ClassVar[str]
    label: ClassVar[Mapping[str, str]]
    description: ClassVar[str] = ""
    order: ClassVar[int] = 100
    needs: ClassVar[tuple[str, ...]] = ()
    fallback: ClassVar[bool] = False
    settings: ClassVar[tuple[SettingsTable, ...]] = ()

    @abstractmethod
    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """The driver's lines over ``inputs.months``; raise :class:`~boardpack.api.Unavailable` without data."""


def _drivers() -> list[ForecastDriver]:
    from ..plugins import get_registry

    return list(get_registry().forecast_drivers.values())


def _tables(data: KPIContext) -> dict[str, Mapping[str, Any]]:
    return {name: data.settings(name) for name in ("forecast", "forecast_scenarios", "financing", "debt")}


def cash_plans(data: KPIContext, as_of: Month) -> list[CashPlan]:
    """The plan from the end of ``as_of`` for the base scenario and each stress, in that order.

    :raises Unavailable: when the ledger does not give the opening cash.
    """
    def compute() -> list[CashPlan]:
        from ..forecast.plan import run_plan

        tables = _tables(data)
        options = forecast_options(tables)
        financing = financing_of(tables, as_of)
        terms = debt_terms(tables)
        drivers = _drivers()
        return [run_plan(data, as_of, scenario, drivers, options, financing, terms) for scenario in scenarios_of(tables)]

    return data.memo(("forecast.cash_plans", as_of), compute)


def debt_of(data: KPIContext, as_of: Month) -> DebtPosition:
    """The loans at the end of ``as_of`` (the ``loans`` dataset, then ``[debt.<id>]``)."""
    def instalments() -> list[Instalment] | None:
        loans = data.datasets.get("loans")
        return None if loans is None or loans.empty else instalments_of(loans)

    return data.memo(("forecast.debt", as_of), lambda: debt_position(
        data.datasets, debt_terms(_tables(data)), as_of, data.memo("forecast.instalments", instalments)))


def financing_request(data: KPIContext, as_of: Month) -> Financing | None:
    """The loan asked for (``[financing]``), ``None`` when the config has none."""
    return financing_of(_tables(data), as_of)


def forecast_backtest(data: KPIContext, period: Month, count: int = 12) -> Backtest:
    """The base plan replayed from each of the ``count`` month-ends before ``period``, against the
    cash that followed; without the loan asked for, which no past month-end knew of."""
    def base_plan(as_of: Month) -> CashPlan:
        from ..forecast.plan import run_plan

        tables = _tables(data)
        return run_plan(data, as_of, BASE, _drivers(), forecast_options(tables), None, debt_terms(tables))

    return data.memo(("forecast.backtest", period, count), lambda: backtest(base_plan, data, period, count))
