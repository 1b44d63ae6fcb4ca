"""The plugin object of the ``concentration`` entry point: the section and its chart."""

from __future__ import annotations

from boardpack.api import Chart, Section, hookimpl

from .chart import ParetoChart
from .section import ConcentrationSection

__all__ = ["register_charts", "register_sections"]


@hookimpl
def register_sections() -> list[Section]:
    """Register the ``concentration_clients`` section."""
    return [ConcentrationSection()]


@hookimpl
def register_charts() -> list[Chart]:
    """Register the ``pareto`` chart."""
    return [ParetoChart()]
