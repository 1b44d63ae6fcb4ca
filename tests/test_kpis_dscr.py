"""The two DSCR definitions side by side (issue 13), against hand-computed values on the small
company of conftest.py: loan EMP-1 due 1 500 principal + 300 interest a month; EBE February 2026
3 800, LTM 38 600 with 4 000 of income tax; FTE February 5 700, LTM 55 800 (test_kpis_cash.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd

from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.default_plugins.kpis import debt_service
from boardpack.periods import Month

from conftest import SMALL_COMPANY
from kpi_helpers import FEB_2026, four

KPIS = {kpi.id: kpi for kpi in debt_service.register_kpis()}


def test_both_definitions_are_registered_with_their_formula() -> None:
    """dscr (on EBE) and dscr_flux (on operating cash flow) share the covenant thresholds."""
    assert list(KPIS) == ["dscr", "dscr_flux"]
    assert "EBE" in KPIS["dscr"].formula["fr"]
    assert "flux de trésorerie d'exploitation + intérêts payés" in KPIS["dscr_flux"].formula["fr"]
    assert KPIS["dscr"].thresholds == KPIS["dscr_flux"].thresholds


def test_dscr_on_operating_cash_flow_by_hand(small_ctx: CompanyData) -> None:
    """(FTE + interest) / (principal + interest): February (5 700 + 300) / 1 800; LTM
    (55 800 + 12 × 300) / (12 × 1 800); beside the EBE-based (38 600 − 4 000) / 21 600."""
    engine = KPIEngine(KPIS, small_ctx)
    assert engine.result(KPIS["dscr_flux"], FEB_2026, "month").value == four(6000, 1800)
    assert engine.result(KPIS["dscr_flux"], FEB_2026, "ltm").value == four(55800 + 3600, 21600)
    assert engine.result(KPIS["dscr"], FEB_2026, "ltm").value == four(38600 - 4000, 21600)


def test_dscr_flux_estimated_without_a_schedule(small_datasets: dict[str, pd.DataFrame]) -> None:
    """Without « loans », both ratios are estimates from the 164/6611 movements, saying so."""
    datasets = {k: v for k, v in small_datasets.items() if k != "loans"}
    engine = KPIEngine(KPIS, CompanyData(datasets, SMALL_COMPANY))
    for kpi_id in ("dscr", "dscr_flux"):
        result = engine.result(KPIS[kpi_id], FEB_2026, "ltm")
        assert result.value is not None and result.estimate is not None, kpi_id
        assert "164" in result.estimate["fr"]


def test_dscr_flux_without_debt(make_entries: Callable[..., pd.DataFrame]) -> None:
    """A company with no loan and no interest has no DSCR of either kind: the reason says why."""
    entries = make_entries([
        ("01/01/2025", "AN", "0", "512000", "", "1000", "0"),
        ("01/01/2025", "AN", "0", "101300", "", "0", "1000"),
        ("10/03/2025", "VE", "1", "512000", "", "100", "0"),
        ("10/03/2025", "VE", "1", "706000", "", "0", "100"),
    ])
    engine = KPIEngine(KPIS, CompanyData({"entries": entries}, SMALL_COMPANY))
    result = engine.result(KPIS["dscr_flux"], Month(2025, 3), "month")
    assert result.value is None and "aucun remboursement d'emprunt" in str(result.reason)
    assert result.value is None or result.value == Decimal(0)


def test_loan_service_read_from_the_entries_by_hand(make_entries: Callable[..., pd.DataFrame]) -> None:
    """``loan_service``, the one reading of the debt service without a schedule (DSCR, loan
    request, cash plan): principal = debits of 164/167/168 less those of the accrued interest 1688;
    interest = 6611 debits less its credits. March: 1 000 + 200 repaid on 164 and 168 (150 of it
    on 1688, interest), interest 80 − 5 credited back."""
    from boardpack.api.accounting import loan_service

    entries = make_entries([
        ("01/01/2025", "AN", "0", "512000", "", "5000", "0"),
        ("01/01/2025", "AN", "0", "164000", "", "0", "5000"),
        ("10/03/2025", "BQ", "1", "164000", "", "1000", "0"),
        ("10/03/2025", "BQ", "1", "168800", "", "150", "0"),
        ("10/03/2025", "BQ", "1", "168100", "", "50", "0"),
        ("10/03/2025", "BQ", "1", "661100", "", "80", "0"),
        ("10/03/2025", "BQ", "1", "512000", "", "0", "1280"),
        ("20/03/2025", "OD", "2", "512000", "", "5", "0"),
        ("20/03/2025", "OD", "2", "661100", "", "0", "5"),
    ])
    data = CompanyData({"entries": entries}, SMALL_COMPANY)
    service = loan_service(data.statements, data.window("month", Month(2025, 3)))
    assert (service.principal, service.interest, service.total) == (105000, 7500, 112500)  # cents
