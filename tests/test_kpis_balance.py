"""Balance-sheet and banker KPIs against hand-computed values on the small company (conftest.py).

Bilan of the small company at the end of February 2026 (worked out from the journal):

* actif: matériel 120 000 − amortissements 14 × 1 000 = 106 000; stock 23 000; client C001
  13 200 (the February invoice); bank A 87 500. Actif circulant 123 700, total 229 700.
* passif: capital 100 000 + report à nouveau 17 000 (2025 result) + 2026 result 2 × 2 500 =
  capitaux propres 122 000; loan 90 000 − 14 × 1 500 = 69 000 + bank B overdraft 1 500 =
  dettes financières 70 500; advance from C002 600, supplier F001 3 000, VAT collected
  12 × 2 000 + 2 × 2 200 = 28 400, URSSAF 1 200, income tax 4 000 → dettes d'exploitation
  37 200. Total 229 700.
* last twelve months (March 2025 – February 2026): RN 19 000, dotations 12 000, CAF 31 000,
  EBE 38 600, charges financières 3 600.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pandas as pd
import pytest

from boardpack.default_plugins.kpis import balance as kpis_balance
from boardpack.api import KPI
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month

from conftest import SMALL_COMPANY
from kpi_helpers import engine_over, four, kpi_reason, kpi_value

FEB_2026 = Month(2026, 2)
DEC_2025 = Month(2025, 12)
KPIS: dict[str, KPI] = {kpi.id: kpi for kpi in kpis_balance.register_kpis()}
value = partial(kpi_value, KPIS)
reason = partial(kpi_reason, KPIS)
engine_for = partial(engine_over, KPIS)


@pytest.fixture
def engine(small_ctx: CompanyData) -> KPIEngine:
    """An engine with the balance KPIs over the small company."""
    return KPIEngine(KPIS, small_ctx)


@pytest.fixture
def losses(make_entries: Callable[..., pd.DataFrame]) -> KPIEngine:
    """2025: capital 1 000, fees 5 000 unpaid in January, 100 paid in December: equity −4 100."""
    return engine_for(make_entries([
        ("01/01/2025", "AN", "0", "512000", "", "1000", "0"),
        ("01/01/2025", "AN", "0", "101300", "", "0", "1000"),
        ("15/01/2025", "AC", "1", "622600", "", "5000", "0"),
        ("15/01/2025", "AC", "1", "401000", "F1", "0", "5000"),
        ("15/12/2025", "BQ", "2", "627000", "", "100", "0"),
        ("15/12/2025", "BQ", "2", "512000", "", "0", "100"),
    ]))


# ---------------------------------------------------------------- metadata


def test_metadata_is_complete() -> None:
    """The balance KPIs (id, label, formula, audiences: test_kpis.test_every_kpi_describes_itself)."""
    assert set(KPIS) == {
        "roe", "gearing", "autonomie_financiere", "liquidite_generale", "capacite_remboursement",
        "dette_nette_ebe", "charges_financieres_ebe", "provisions_creances_douteuses",
    }
    assert all(KPIS[k].nature == "stock" for k in set(KPIS) - {"charges_financieres_ebe"})


# ---------------------------------------------------------------- ROE, gearing, autonomy


def test_roe_by_hand(engine: KPIEngine) -> None:
    """ROE = LTM RN 19 000 / capitaux propres 122 000, the same whatever the window kind."""
    for kind in ("month", "ytd", "ltm"):
        assert value(engine, "roe", kind) == four(19000, 122000, 100)
    # December 2025: RN 2025 17 000 / (100 000 + 17 000)
    assert value(engine, "roe", "month", DEC_2025) == four(17000, 117000, 100)


def test_roe_needs_twelve_months(engine: KPIEngine) -> None:
    """In November 2025 the last twelve months start before the ledger: the reason names that window."""
    assert "2024-12..2025-11" in reason(engine, "roe", "month", Month(2025, 11))


def test_roe_negative_equity(losses: KPIEngine) -> None:
    """Negative equity makes the ROE unavailable rather than a meaningless sign."""
    assert "capitaux propres négatifs ou nuls à fin 2025-12" in reason(losses, "roe", "month", DEC_2025)


def test_gearing_by_hand(engine: KPIEngine) -> None:
    """Gearing = dettes financières 70 500 (loan 69 000 + overdraft 1 500) / capitaux propres 122 000."""
    assert value(engine, "gearing", "month") == four(70500, 122000)
    # December 2025: loan 90 000 − 12 × 1 500 = 72 000 + overdraft 1 500, over 117 000
    assert value(engine, "gearing", "month", DEC_2025) == four(73500, 117000)
    assert engine.result(KPIS["gearing"], FEB_2026, "month").status == "ok"


def test_gearing_negative_equity(losses: KPIEngine) -> None:
    """Negative equity: gearing unavailable with « capitaux propres négatifs ou nuls »."""
    assert "capitaux propres négatifs ou nuls" in reason(losses, "gearing", "month", DEC_2025)


def test_autonomie_financiere_by_hand(engine: KPIEngine) -> None:
    """Autonomie financière = 122 000 / total bilan 229 700 × 100 ≈ 53,11 %, status ok."""
    assert value(engine, "autonomie_financiere", "month") == four(122000, 229700, 100)
    assert engine.result(KPIS["autonomie_financiere"], FEB_2026, "month").status == "ok"


def test_autonomie_financiere_negative_equity_is_an_alert(losses: KPIEngine) -> None:
    """Equity −4 100 over a total bilan of 900 (bank 900 = supplier 5 000 − 4 100): −455,56 %, an alert."""
    result = losses.result(KPIS["autonomie_financiere"], DEC_2025, "month")
    assert result.value == four(-4100, 900, 100)
    assert result.status == "alert"


def test_autonomie_financiere_unavailable(engine: KPIEngine, make_entries: Callable[..., pd.DataFrame]) -> None:
    """After the ledger's last month, and on an empty bilan, the autonomy is unavailable with a reason."""
    assert "pas à fin 2026-03" in reason(engine, "autonomie_financiere", "month", Month(2026, 3))
    empty = engine_for(make_entries([
        ("10/03/2025", "BQ", "1", "512000", "", "100", "0"),
        ("10/03/2025", "BQ", "1", "512000", "", "0", "100"),
    ]))
    assert "total du bilan nul" in reason(empty, "autonomie_financiere", "month", Month(2025, 3))


# ---------------------------------------------------------------- liquidity and debt


def test_liquidite_generale_by_hand(engine: KPIEngine) -> None:
    """Actif circulant 23 000 + 13 200 + 87 500 = 123 700 / passif circulant 37 200 + overdraft 1 500."""
    assert value(engine, "liquidite_generale", "month") == four(123700, 38700)
    assert engine.result(KPIS["liquidite_generale"], FEB_2026, "month").status == "ok"


def test_liquidite_generale_without_short_term_debt(make_entries: Callable[..., pd.DataFrame]) -> None:
    """A company with cash and equity only has no passif circulant: the ratio is unavailable."""
    engine = engine_for(make_entries([
        ("01/01/2025", "AN", "0", "512000", "", "1000", "0"),
        ("01/01/2025", "AN", "0", "101300", "", "0", "1000"),
        ("10/03/2025", "VE", "1", "512000", "", "100", "0"),
        ("10/03/2025", "VE", "1", "706000", "", "0", "100"),
    ]))
    assert "aucune dette à court terme à fin 2025-03" in reason(engine, "liquidite_generale", "month", Month(2025, 3))


def test_capacite_remboursement_by_hand(engine: KPIEngine) -> None:
    """Dettes financières 70 500 / CAF LTM (19 000 + 12 000 = 31 000) ≈ 2,27 years: ok (warn 3, alert 4)."""
    assert value(engine, "capacite_remboursement", "month") == four(70500, 31000)
    assert engine.result(KPIS["capacite_remboursement"], FEB_2026, "ltm").status == "ok"
    # December 2025: 73 500 / CAF 2025 29 000
    assert value(engine, "capacite_remboursement", "month", DEC_2025) == four(73500, 29000)


def test_capacite_remboursement_negative_caf(losses: KPIEngine) -> None:
    """A 2025 loss of 5 100 without depreciation gives a negative CAF: repayment capacity unavailable."""
    assert "CAF des 12 derniers mois négative ou nulle" in reason(losses, "capacite_remboursement", "month", DEC_2025)


def test_dette_nette_ebe_by_hand(engine: KPIEngine) -> None:
    """(70 500 − bank A 87 500) / EBE LTM 38 600: negative, the company has net cash (overdraft counted once)."""
    assert value(engine, "dette_nette_ebe", "ltm") == four(-17000, 38600)
    assert engine.result(KPIS["dette_nette_ebe"], FEB_2026, "ltm").status == "ok"


def test_dette_nette_ebe_negative_ebe(losses: KPIEngine) -> None:
    """A negative LTM EBE (−5 100) makes net debt / EBE unavailable."""
    assert "EBE des 12 derniers mois négatif ou nul" in reason(losses, "dette_nette_ebe", "month", DEC_2025)


def test_charges_financieres_ebe_by_hand(engine: KPIEngine) -> None:
    """Interest 300 / EBE 3 800 in February; 3 600 / 38 600 over the last twelve months."""
    assert value(engine, "charges_financieres_ebe", "month") == four(300, 3800, 100)
    assert value(engine, "charges_financieres_ebe", "ltm") == four(3600, 38600, 100)
    assert engine.result(KPIS["charges_financieres_ebe"], FEB_2026, "ltm").status == "ok"


def test_charges_financieres_ebe_negative_ebe(losses: KPIEngine) -> None:
    """January 2025 EBE −5 000: the ratio is unavailable, not negative."""
    assert "EBE négatif ou nul sur la période" in reason(losses, "charges_financieres_ebe", "month", Month(2025, 1))


# ---------------------------------------------------------------- doubtful receivables


def test_provisions_creances_douteuses_by_hand(small_datasets: dict[str, pd.DataFrame],
                                               make_entries: Callable[..., pd.DataFrame]) -> None:
    """Small company + 4 000 provided on 491 at the end of February 2026: 0, 0 then 4 000."""
    extra = make_entries([
        ("28/02/2026", "OD", "DEP1", "681740", "", "4000", "0"),
        ("28/02/2026", "OD", "DEP1", "491000", "", "0", "4000"),
    ])
    entries = pd.concat([small_datasets["entries"], extra], ignore_index=True)
    ctx = CompanyData(dict(small_datasets, entries=entries), SMALL_COMPANY)
    engine = KPIEngine(KPIS, ctx)
    history = engine.history(KPIS["provisions_creances_douteuses"], FEB_2026, months=3)
    assert [v for _, v in history] == [Decimal(0), Decimal(0), Decimal(4000)]
    # the receivables on the bilan are net of it: 13 200 − 4 000
    assert ctx.bilan("creances_clients", FEB_2026) == Decimal(9200)


def test_provisions_creances_douteuses_none_booked(engine: KPIEngine) -> None:
    """The small company books no 491: a true nil, while after the ledger it is unavailable."""
    assert value(engine, "provisions_creances_douteuses", "month") == Decimal(0)
    assert "pas à fin 2026-03" in reason(engine, "provisions_creances_douteuses", "month", Month(2026, 3))
