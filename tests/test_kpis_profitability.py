"""Profitability KPIs (SIG lines, margin rates, break-even point) against hand-computed values.

The small company is described in conftest.py. At February 2026: month = Feb 2026,
ytd = Jan–Feb 2026, ltm = Mar 2025 – Feb 2026 (9 ordinary months of 2025, December, Jan and
Feb 2026). LTM figures: CA 10 × 10 000 + 2 × 11 000 = 122 000; coût des ventes 9 × 3 000 +
0 (December: 3 000 − 3 000 of stock) + 2 × 3 000 = 33 000; salaires 12 × 3 000 = 36 000;
charges sociales 12 × 1 200 = 14 400; dotations 12 × 1 000 = 12 000; charges financières
12 × 300 = 3 600; EBE 9 × 2 800 + 5 800 + 2 × 3 800 = 38 600; RN 9 × 1 500 + 500 + 2 × 2 500
= 19 000.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pandas as pd
import pytest

from boardpack.default_plugins.kpis import profitability as kpis_profitability
from boardpack.api import KPI
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month

from conftest import SMALL_COMPANY
from kpi_helpers import Q, engine_over, four, kpi_reason, kpi_value

FEB_2026 = Month(2026, 2)
DEC_2025 = Month(2025, 12)
KPIS: dict[str, KPI] = {kpi.id: kpi for kpi in kpis_profitability.register_kpis()}
value = partial(kpi_value, KPIS)
reason = partial(kpi_reason, KPIS)
engine_for = partial(engine_over, KPIS)


@pytest.fixture
def engine(small_ctx: CompanyData) -> KPIEngine:
    """An engine with the profitability KPIs over the small company."""
    return KPIEngine(KPIS, small_ctx)


@pytest.fixture
def no_revenue(make_entries: Callable[..., pd.DataFrame]) -> KPIEngine:
    """March 2025: a purchase of 100 and no sale at all."""
    return engine_for(make_entries([
        ("10/03/2025", "AC", "1", "601000", "", "100", "0"),
        ("10/03/2025", "AC", "1", "401000", "F1", "0", "100"),
    ]))


@pytest.fixture
def negative_margin(make_entries: Callable[..., pd.DataFrame]) -> KPIEngine:
    """March 2025: sales 1 000, materials 1 500, rent 200: the margin on variable costs is −500."""
    return engine_for(make_entries([
        ("10/03/2025", "VE", "1", "411000", "C1", "1000", "0"),
        ("10/03/2025", "VE", "1", "701000", "", "0", "1000"),
        ("12/03/2025", "AC", "2", "601000", "", "1500", "0"),
        ("12/03/2025", "AC", "2", "613200", "", "200", "0"),
        ("12/03/2025", "AC", "2", "401000", "F1", "0", "1700"),
    ]))


# ---------------------------------------------------------------- metadata


def test_metadata_is_complete() -> None:
    """The profitability KPIs, all read from the ledger (test_kpis.test_every_kpi_describes_itself checks the rest)."""
    assert set(KPIS) == {
        "marge_commerciale", "valeur_ajoutee", "resultat_exploitation", "rcai", "taux_ebe",
        "marge_nette", "seuil_rentabilite", "seuil_rentabilite_jours",
    }
    assert all(kpi.needs == ("entries",) for kpi in KPIS.values())


# ---------------------------------------------------------------- SIG lines


def test_marge_commerciale_by_hand(small_datasets: dict[str, pd.DataFrame],
                                   make_entries: Callable[..., pd.DataFrame]) -> None:
    """Small company + goods sold 5 000 HT bought 2 000 in February 2026: marge commerciale 3 000."""
    extra = make_entries([
        ("16/02/2026", "VE", "X1", "411000", "C001", "6000", "0"),
        ("16/02/2026", "VE", "X1", "707000", "", "0", "5000"),
        ("16/02/2026", "VE", "X1", "445710", "", "0", "1000"),
        ("17/02/2026", "AC", "X2", "607000", "", "2000", "0"),
        ("17/02/2026", "AC", "X2", "401000", "F001", "0", "2000"),
    ])
    entries = pd.concat([small_datasets["entries"], extra], ignore_index=True)
    engine = KPIEngine(KPIS, CompanyData(dict(small_datasets, entries=entries), SMALL_COMPANY))
    # 5 000 − 2 000, the only trading of the ledger, in every window containing February 2026
    assert value(engine, "marge_commerciale", "month") == Decimal(3000)
    assert value(engine, "marge_commerciale", "ltm") == Decimal(3000)
    # the value added takes it in: 8 000 (production − materials) + 3 000
    assert value(engine, "valeur_ajoutee", "month") == Decimal(11000)


def test_marge_commerciale_without_trading(engine: KPIEngine) -> None:
    """The small company sells its own production only: no 707 nor 607, hence no trading margin."""
    assert "aucune vente ni aucun achat de marchandises" in reason(engine, "marge_commerciale", "ltm")


def test_valeur_ajoutee_by_hand(engine: KPIEngine) -> None:
    """VA = CA − achats consommés: Feb 11 000 − 3 000; YTD 2 × 8 000; LTM 122 000 − 33 000; FY 2025 87 000."""
    assert value(engine, "valeur_ajoutee", "month") == Decimal(8000)
    assert value(engine, "valeur_ajoutee", "ytd") == Decimal(16000)
    assert value(engine, "valeur_ajoutee", "ltm") == Decimal(89000)
    # 2025: 120 000 − (12 × 3 000 − 3 000 of stock variation)
    assert value(engine, "valeur_ajoutee", "fy", DEC_2025) == Decimal(87000)


def test_valeur_ajoutee_outside_ledger(engine: KPIEngine) -> None:
    """The fiscal year 2026 is not covered by the ledger: the reason names the ledger range and the window."""
    text = reason(engine, "valeur_ajoutee", "fy")
    assert "2025-01" in text and "2026-02" in text and "2026-01..2026-12" in text


def test_resultat_exploitation_by_hand(engine: KPIEngine) -> None:
    """REX = EBE − dotations: Feb 3 800 − 1 000; LTM 38 600 − 12 000; FY 2025 36 600 − 12 000."""
    assert value(engine, "resultat_exploitation", "month") == Decimal(2800)
    assert value(engine, "resultat_exploitation", "ltm") == Decimal(26600)
    assert value(engine, "resultat_exploitation", "fy", DEC_2025) == Decimal(24600)


def test_resultat_exploitation_budget_lacks_lines(engine: KPIEngine) -> None:
    """The small budget has no external-charges line, so the REX budget is unavailable and says which."""
    budget = engine.result(KPIS["resultat_exploitation"], FEB_2026, "month").comparisons["budget"]
    assert budget.value is None
    assert "« autres_achats_charges_externes »" in (budget.reason or "")


def test_resultat_exploitation_budget_by_hand(small_datasets: dict[str, pd.DataFrame]) -> None:
    """With every budget line: 10 500 − 3 200 − 1 000 − 100 − 3 000 − 1 200 − dotations 900 = 1 100."""
    rows = [("2026-02", line, amount) for line, amount in (
        ("chiffre_affaires", 1_050_000), ("achats_consommes", 320_000),
        ("autres_achats_charges_externes", 100_000), ("impots_taxes", 10_000),
        ("salaires", 300_000), ("charges_sociales", 120_000), ("dotations_exploitation", 90_000),
        ("charges_financieres", 30_000),
    )]
    budget = pd.DataFrame(rows, columns=["period", "line", "amount"])
    engine = KPIEngine(KPIS, CompanyData(dict(small_datasets, budget=budget), SMALL_COMPANY))
    result = engine.result(KPIS["resultat_exploitation"], FEB_2026, "month")
    # EBE budget 10 500 − 3 200 − 1 000 − 100 − 3 000 − 1 200 = 2 000; − dotations 900
    assert result.comparisons["budget"].value == Decimal(1100)
    # RCAI budget: 1 100 − charges financières 300
    assert engine.result(KPIS["rcai"], FEB_2026, "month").comparisons["budget"].value == Decimal(800)
    # VA budget: 10 500 − 3 200 − 1 000
    assert engine.result(KPIS["valeur_ajoutee"], FEB_2026, "month").comparisons["budget"].value == Decimal(6300)
    # taux d'EBE budget: 2 000 / 10 500
    assert engine.result(KPIS["taux_ebe"], FEB_2026, "month").comparisons["budget"].value == four(2000, 10500, 100)


def test_rcai_by_hand(engine: KPIEngine) -> None:
    """RCAI = REX − charges financières: Feb 2 800 − 300; LTM 26 600 − 3 600; FY 2025 24 600 − 3 600."""
    assert value(engine, "rcai", "month") == Decimal(2500)
    assert value(engine, "rcai", "ltm") == Decimal(23000)
    assert value(engine, "rcai", "fy", DEC_2025) == Decimal(21000)


def test_rcai_outside_ledger(engine: KPIEngine) -> None:
    """December 2024 precedes the first entries: the RCAI is unavailable with the ledger range."""
    assert "écritures disponibles de 2025-01 à 2026-02" in reason(engine, "rcai", "month", Month(2024, 12))


# ---------------------------------------------------------------- rates


def test_taux_ebe_by_hand(engine: KPIEngine) -> None:
    """Taux d'EBE: Feb 3 800 / 11 000; LTM 38 600 / 122 000; December 2025 5 800 / 10 000 = 58 %."""
    assert value(engine, "taux_ebe", "month") == four(3800, 11000, 100)
    assert value(engine, "taux_ebe", "ltm") == four(38600, 122000, 100)
    assert value(engine, "taux_ebe", "month", DEC_2025) == Decimal(58)
    assert KPIS["taux_ebe"].headline == "ltm"


def test_taux_ebe_without_revenue(no_revenue: KPIEngine) -> None:
    """A month without revenue gives « CA négatif ou nul », not a division error."""
    assert "CA négatif ou nul" in reason(no_revenue, "taux_ebe", "month", Month(2025, 3))


def test_marge_nette_by_hand(engine: KPIEngine) -> None:
    """Marge nette: LTM 19 000 / 122 000; Feb 2 500 / 11 000; December 2025 500 / 10 000 = 5 %."""
    assert value(engine, "marge_nette", "ltm") == four(19000, 122000, 100)
    assert value(engine, "marge_nette", "month") == four(2500, 11000, 100)
    assert value(engine, "marge_nette", "month", DEC_2025) == Decimal(5)


def test_marge_nette_without_revenue(no_revenue: KPIEngine) -> None:
    """A month without revenue leaves the net margin unavailable with the reason."""
    assert "CA négatif ou nul" in reason(no_revenue, "marge_nette", "month", Month(2025, 3))


# ---------------------------------------------------------------- break-even point


def test_seuil_rentabilite_by_hand(engine: KPIEngine) -> None:
    """LTM: fixed 36 000 + 14 400 + 12 000 + 3 600 = 66 000; margin 122 000 − 33 000 = 89 000."""
    # SR = 66 000 / (89 000 / 122 000) = 66 000 × 122 000 / 89 000 ≈ 90 471,91
    assert value(engine, "seuil_rentabilite", "ltm") == four(66000 * 122000, 89000)
    # February: fixed 3 000 + 1 200 + 1 000 + 300 = 5 500; margin 11 000 − 3 000 = 8 000
    assert value(engine, "seuil_rentabilite", "month") == Decimal("7562.5")  # 5 500 × 11 000 / 8 000


def test_seuil_rentabilite_means_zero_rcai(engine: KPIEngine, small_ctx: CompanyData) -> None:
    """At the break-even revenue the RCAI would be nil: SR × margin rate = fixed costs (no other income here)."""
    window = small_ctx.window("ltm", FEB_2026)
    seuil = KPIS["seuil_rentabilite"].compute(small_ctx, window)
    fixed = Decimal(66000)
    assert (seuil * Decimal(89000) / Decimal(122000)).quantize(Q) == fixed
    assert value(engine, "rcai", "ltm") == Decimal(89000) - fixed


def test_seuil_rentabilite_negative_margin(negative_margin: KPIEngine) -> None:
    """Materials above sales: the margin on variable costs is ≤ 0 and the break-even point is never reached."""
    text = reason(negative_margin, "seuil_rentabilite", "month", Month(2025, 3))
    assert "marge sur coûts variables négative ou nulle" in text


def test_seuil_rentabilite_without_revenue(no_revenue: KPIEngine) -> None:
    """No revenue at all: « CA négatif ou nul »."""
    assert "CA négatif ou nul" in reason(no_revenue, "seuil_rentabilite", "month", Month(2025, 3))


def test_seuil_rentabilite_jours_by_hand(engine: KPIEngine) -> None:
    """Point mort in days: LTM 66 000 / 89 000 × 365; February 5 500 / 8 000 × 28 = 19,25."""
    assert value(engine, "seuil_rentabilite_jours", "ltm") == four(66000 * 365, 89000)
    assert value(engine, "seuil_rentabilite_jours", "month") == Decimal("19.25")
    # YTD: fixed 2 × 5 500 over margin 2 × 8 000 × 59 days (January 31 + February 28)
    assert value(engine, "seuil_rentabilite_jours", "ytd") == four(11000 * 59, 16000)


def test_seuil_rentabilite_jours_negative_margin(negative_margin: KPIEngine) -> None:
    """The point mort in days is unavailable when the margin on variable costs is negative."""
    text = reason(negative_margin, "seuil_rentabilite_jours", "month", Month(2025, 3))
    assert "le point mort n'est jamais atteint" in text
