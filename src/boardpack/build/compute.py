"""Compute: the data-quality gates, the KPI engine, the reporting month and its alerts.

:func:`compute` turns loaded :class:`~.inputs.Inputs` into one immutable :class:`Computed`:
everything the packs of one run share, resolved once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..api.records import Alert, Issue
from ..errors import DataError
from ..periods import Month
from .engine import KPIEngine
from .facts import FactTable
from .gates import blocking, run_alerts, run_quality, source_issues
from .inputs import Inputs
from .period import resolve_period

__all__ = ["Computed", "compute", "make_engine"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Computed:
    """One run's figures: the inputs, the engine (with the quality issues), the month, the alerts,
    and the fact table every pack of the run quotes."""

    inputs: Inputs
    engine: KPIEngine
    period: Month
    alerts: tuple[Alert, ...]
    #: the build's facts, computed on first request and shared by every pack
    facts: FactTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", FactTable(self.engine, self.period))

    @property
    def issues(self) -> tuple[Issue, ...]:
        """The data-quality issues found before the figures were computed."""
        return tuple(self.engine.issues)


def make_engine(inputs: Inputs, strict: bool = False) -> KPIEngine:
    """The KPI engine over the loaded data, restricted to the config's selection, with the
    data-quality issues found on it (the sources' own warnings first).

    :raises DataError: with ``strict``, on the first blocking quality issue.
    """
    config, registry = inputs.config, inputs.registry
    ctx = inputs.context()
    issues = source_issues(inputs.findings) + run_quality(ctx, registry, config.quality)
    stopping = blocking(issues)
    if strict and stopping:
        more = len(stopping) - 1
        raise DataError(
            f"{stopping[0].message['fr']} (--strict : problème bloquant" + (f", {more} autre(s))" if more else ")")
        )
    selected = config.kpi_select or tuple(registry.kpis)
    return KPIEngine({k: registry.kpis[k] for k in selected}, ctx, config.thresholds, issues)


def compute(inputs: Inputs, strict: bool = False, engine: KPIEngine | None = None) -> Computed:
    """Every KPI over every window for the reporting month, and the month's alerts.

    :param engine: an engine already made by :func:`make_engine` over ``inputs`` (else one is made).
    """
    engine = engine or make_engine(inputs, strict)
    period = resolve_period(inputs.request, engine.ctx)
    engine.results(period)
    alerts = run_alerts(engine, inputs.registry, period, inputs.config.alerts)
    return Computed(inputs, engine, period, tuple(alerts))
