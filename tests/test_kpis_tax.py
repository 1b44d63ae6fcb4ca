"""The estimated net result of a period inside an unclosed fiscal year (issue 13), by hand.

FY 2025: sales 1 000, corporate tax 250 booked in December (effective rate 25 %). FY 2026, open:
sales 400 in March 2026, no tax booked; the ledger ends in March 2026.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pytest

from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.default_plugins.kpis import finance, tax
from boardpack.periods import Month

from conftest import SMALL_COMPANY

KPIS = {kpi.id: kpi for kpi in [*finance.register_kpis(), *tax.register_kpis()]}
MAR_2026 = Month(2026, 3)
ROWS = [
    ("01/01/2025", "AN", "0", "512000", "", "5000", "0"),
    ("01/01/2025", "AN", "0", "101300", "", "0", "5000"),
    ("10/01/2025", "VE", "1", "512000", "", "1000", "0"),
    ("10/01/2025", "VE", "1", "706000", "", "0", "1000"),
    ("31/12/2025", "OD", "2", "695000", "", "250", "0"),
    ("31/12/2025", "OD", "2", "444000", "", "0", "250"),
    ("10/03/2026", "VE", "3", "512000", "", "400", "0"),
    ("10/03/2026", "VE", "3", "706000", "", "0", "400"),
]


@pytest.fixture
def engine_with(make_entries: Callable[..., pd.DataFrame]) -> Callable[[dict[str, object]], KPIEngine]:
    """An engine over the ledger above with a ``[corporate_tax]`` table."""
    def make(settings: dict[str, object]) -> KPIEngine:
        ctx = CompanyData({"entries": make_entries(ROWS)}, SMALL_COMPANY, tables={"corporate_tax": settings})
        return KPIEngine(KPIS, ctx)
    return make


def test_effective_rate_of_the_last_closed_year(engine_with: Callable[[dict[str, object]], KPIEngine]) -> None:
    """March 2026: pre-tax 400, tax at 250 / 1 000 = 25 % → 100, estimated net 300; the booked
    « résultat net » stays 400 (pre-tax)."""
    engine = engine_with({})
    result = engine.result(KPIS["resultat_net_estime"], MAR_2026, "month")
    assert result.value == Decimal(300)
    assert result.estimate is not None and "taux effectif de l'exercice 2025" in result.estimate["fr"]
    assert engine.result(KPIS["resultat_net"], MAR_2026, "month").value == Decimal(400)


def test_legal_rates(engine_with: Callable[[dict[str, object]], KPIEngine]) -> None:
    """At the legal rates the month's 400 falls under the prorated 42 500 / 12 ceiling: 15 % → 60,
    estimated net 340."""
    engine = engine_with({"method": "legal"})
    result = engine.result(KPIS["resultat_net_estime"], MAR_2026, "month")
    assert result.value == Decimal(340)
    assert "taux légaux" in result.estimate["fr"]


def test_legal_rates_above_the_ceiling(engine_with: Callable[[dict[str, object]], KPIEngine]) -> None:
    """With a 1 200 € yearly ceiling (100 a month): 15 % × 100 + 25 % × 300 = 90 → 310."""
    engine = engine_with({"method": "legal", "reduced_ceiling": Decimal(1200)})
    assert engine.result(KPIS["resultat_net_estime"], MAR_2026, "month").value == Decimal(310)


def test_closed_year_is_the_booked_result(engine_with: Callable[[dict[str, object]], KPIEngine]) -> None:
    """FY 2025 (tax booked): the estimated net result is the booked one, 1 000 − 250, no estimate."""
    result = engine_with({}).result(KPIS["resultat_net_estime"], Month(2025, 12), "fy")
    assert result.value == Decimal(750) and result.estimate is None


def test_unknown_method_is_unavailable_with_its_reason(engine_with: Callable[[dict[str, object]], KPIEngine]) -> None:
    """[corporate_tax] method = "moyen" is refused in words."""
    result = engine_with({"method": "moyen"}).result(KPIS["resultat_net_estime"], MAR_2026, "month")
    assert result.value is None and "« effective » ou « legal »" in str(result.reason)


def test_a_window_of_a_closed_year_before_its_closing_uses_that_years_rate(
        engine_with: Callable[[dict[str, object]], KPIEngine]) -> None:
    """January 2025 (the N-1 of January 2026): pre-tax 1 000, no tax booked in it, 2025's own
    effective rate 25 % → 750, so a year to date compares with its N-1 like with like."""
    result = engine_with({}).result(KPIS["resultat_net_estime"], Month(2025, 1), "month")
    assert result.value == Decimal(750)
    assert "exercice 2025" in result.estimate["fr"]
