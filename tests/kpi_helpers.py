"""Helpers shared by the KPI test files: read a KPI's value or reason from an engine."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pandas as pd

from boardpack.api import KPI
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month
from conftest import SMALL_COMPANY

FEB_2026 = Month(2026, 2)
Q = Decimal("0.0001")


def four(numerator: int | str, denominator: int | str, times: int = 1) -> Decimal:
    """numerator × times / denominator, rounded to 4 decimals as the engine does."""
    return (Decimal(numerator) * times / Decimal(denominator)).quantize(Q)


def kpi_value(kpis: Mapping[str, KPI], engine: KPIEngine, kpi_id: str, kind: str, end: Month = FEB_2026) -> Decimal | None:
    """The value of a KPI over the ``kind`` window ending at ``end``."""
    return engine.result(kpis[kpi_id], end, kind).value  # type: ignore[arg-type]


def kpi_reason(kpis: Mapping[str, KPI], engine: KPIEngine, kpi_id: str, kind: str, end: Month = FEB_2026) -> str:
    """The reason a KPI is unavailable (fails if it is available)."""
    result = engine.result(kpis[kpi_id], end, kind)  # type: ignore[arg-type]
    assert result.value is None, f"{kpi_id} {kind} unexpectedly = {result.value}"
    assert result.reason
    return result.reason


def engine_over(kpis: Mapping[str, KPI], entries: pd.DataFrame) -> KPIEngine:
    """An engine with ``kpis`` over an in-memory ledger."""
    return KPIEngine(dict(kpis), CompanyData({"entries": entries}, SMALL_COMPANY))
