"""Built-in KPIs against hand-computed values on the small company (see conftest.py for the ledger)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from boardpack.build import load_inputs, make_engine
from boardpack.config import load_config
from boardpack.default_plugins.sources.datasets import OPS_METRICS
from boardpack.api import KPI, Thresholds
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import WINDOW_KINDS, Month, Window

from conftest import SMALL_COMPANY, SMALL_CONFIG, SmallCompany, builtin_kpis

AUDIENCES = {"dirigeant", "daf", "operations", "banquier"}

FEB_2026 = Month(2026, 2)
KPIS = builtin_kpis()
Q = Decimal("0.0001")


def four(numerator: int | str, denominator: int | str, times: int = 1) -> Decimal:
    """numerator / denominator × times, rounded to 4 decimals like the engine does for long results."""
    return (Decimal(numerator) / Decimal(denominator) * times).quantize(Q)


def value(engine: KPIEngine, kpi_id: str, kind: str, end: Month = FEB_2026) -> Decimal | None:
    """The engine's value of a KPI over the ``kind`` window ending at ``end``."""
    return engine.result(KPIS[kpi_id], end, kind).value  # type: ignore[arg-type]


def reason(engine: KPIEngine, kpi_id: str, kind: str, end: Month = FEB_2026) -> str:
    """The reason a KPI is unavailable (fails if it is available)."""
    result = engine.result(KPIS[kpi_id], end, kind)  # type: ignore[arg-type]
    assert result.value is None, f"{kpi_id} {kind} unexpectedly = {result.value}"
    assert result.reason
    return result.reason


# ---------------------------------------------------------------- values at February 2026

EXPECTED = {
    # month = Feb 2026; ytd = Jan–Feb 2026; ltm = Mar 2025 – Feb 2026 (9 ordinary months of 2025, December, 2 of 2026)
    "chiffre_affaires": ("11000", "22000", str(10 * 10000 + 2 * 11000)),
    # LTM achats consommés: 9 × 3 000 + 0 (December) + 2 × 3 000 = 33 000
    "marge_brute": ("8000", "16000", str(122000 - 33000)),
    "taux_marge_brute": (four(8000, 11000, 100), four(16000, 22000, 100), four(89000, 122000, 100)),
    "ebe": ("3800", "7600", str(9 * 2800 + 5800 + 2 * 3800)),
    "resultat_net": ("2500", "5000", str(9 * 1500 + 500 + 2 * 2500)),
    # bank A 87 500 − bank B overdraft 1 500, at the end of every window
    "tresorerie_nette": ("86000", "86000", "86000"),
    # stocks 23 000 + receivables 13 200 − advances 600 − suppliers 3 000 − tax/social 33 600
    "bfr": ("-1000", "-1000", "-1000"),
    # receivables 13 200 / invoiced TTC × days: Feb 13 200 over 28 days; Jan–Feb 26 400 over 59; LTM 146 400 over 365
    "dso": ("28", four(13200 * 59, 26400), four(13200 * 365, 10 * 12000 + 2 * 13200)),
    # (EBE − IS) / (principal + interest): 3 800 / 1 800; 7 600 / 3 600; (38 600 − 4 000) / (12 × 1 800)
    "dscr": (four(3800, 1800), four(7600, 3600), four(38600 - 4000, 12 * 1800)),
    # open deals: 10 000 × 0,5 + 4 000 × 0,25
    "pipeline_pondere": ("6000", "6000", "6000"),
    # Feb: D1 won, D2 lost; Jan–Feb: + D3 won; LTM: + D6 lost
    "taux_transformation": ("50", four(2, 3, 100), "50"),
    # ops: sum of 140 (Feb) and 120 (Jan)
    "unites_produites": ("140", "260", None),
    # ops: mean of 25,1 (Feb) and 21,5 (Jan)
    "delai_livraison_jours": ("25.1", "23.3", None),
}


@pytest.mark.parametrize("kpi_id", sorted(EXPECTED))
def test_kpi_values_february_2026(small_engine: KPIEngine, kpi_id: str) -> None:
    """Each KPI over the month, YTD and LTM windows ending February 2026 matches the hand computation."""
    for kind, expected in zip(("month", "ytd", "ltm"), EXPECTED[kpi_id], strict=True):
        if expected is None:
            continue
        got = value(small_engine, kpi_id, kind)
        assert got == Decimal(expected), (kpi_id, kind, got)


def test_every_builtin_kpi_is_covered() -> None:
    """Every built-in KPI id is quoted in a KPI test file (ops KPIs share one class, tested here)."""
    ops = {k for k, kpi in KPIS.items() if kpi.needs == ("ops_metrics",)}
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_kpis*.py"))
    untested = sorted(k for k in set(KPIS) - ops if f'"{k}"' not in sources)
    assert not untested


def test_every_kpi_describes_itself() -> None:
    """Every built-in KPI has a snake_case id, fr+en labels and formulas, known audiences,
    a nature and a headline window."""
    for kpi in KPIS.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", kpi.id), kpi.id
        assert kpi.label["fr"] and kpi.label["en"] and kpi.formula["fr"] and kpi.formula["en"], kpi.id
        assert kpi.audiences and set(kpi.audiences) <= AUDIENCES, kpi.id
        assert kpi.nature in ("flow", "stock") and kpi.headline in WINDOW_KINDS, kpi.id


def test_kpi_values_are_decimals(small_engine: KPIEngine) -> None:
    """Every available value is a Decimal (never a float)."""
    for by_kind in small_engine.results(FEB_2026).values():
        for result in by_kind.values():
            assert result.value is None or isinstance(result.value, Decimal)


def test_values_in_october_2025(small_engine: KPIEngine) -> None:
    """October 2025: net cash 72 200 (bank A 45 200 + 8 × 3 000 + 1 500 transfer − overdraft 1 500); DSO 31."""
    oct_2025 = Month(2025, 10)
    assert value(small_engine, "tresorerie_nette", "month", oct_2025) == Decimal(72200)
    assert value(small_engine, "dso", "month", oct_2025) == Decimal(31)
    assert value(small_engine, "chiffre_affaires", "ytd", oct_2025) == Decimal(100000)
    # December 2025: (EBE 5 800 − IS 4 000) / 1 800 = 1
    assert value(small_engine, "dscr", "month", Month(2025, 12)) == Decimal(1)


def test_fy_2025_seen_from_december(small_engine: KPIEngine) -> None:
    """The fiscal year 2025 seen at December 2025: CA 120 000, RN 17 000, margin rate 87 000 / 120 000."""
    dec = Month(2025, 12)
    assert value(small_engine, "chiffre_affaires", "fy", dec) == Decimal(120000)
    assert value(small_engine, "resultat_net", "fy", dec) == Decimal(17000)
    assert value(small_engine, "taux_marge_brute", "fy", dec) == Decimal("72.5")


def test_ops_mean_over_three_months(small_ctx: CompanyData) -> None:
    """A mean KPI averages its monthly values; a sum KPI adds them (December 2025 – February 2026)."""
    window = Window("ltm", Month(2025, 12), FEB_2026)
    assert KPIS["unites_produites"].compute(small_ctx, window) == Decimal(100 + 120 + 140)
    assert KPIS["delai_livraison_jours"].compute(small_ctx, window) == Decimal("76.6") / 3  # (30 + 21,5 + 25,1) / 3


def test_ops_rate_with_dimensions_is_not_summed() -> None:
    """A rate given per site for one month averages the sites, it does not add them."""
    raw = pd.DataFrame(
        [["2026-02", "taux_livraison_a_temps", "95", "%", "Site A"],
         ["2026-02", "taux_livraison_a_temps", "90", "%", "Site B"]],
        columns=["period", "metric", "value", "unit", "dimension"], dtype=object,
    )
    ctx = CompanyData({"ops_metrics": OPS_METRICS.coerce(raw, "ops_metrics.csv")}, SMALL_COMPANY)
    window = Window("month", FEB_2026, FEB_2026)
    assert KPIS["taux_livraison_a_temps"].compute(ctx, window) == Decimal("92.5")


# ---------------------------------------------------------------- « non disponible »


def test_window_outside_ledger_names_the_months(small_engine: KPIEngine) -> None:
    """The fiscal year 2026 is not covered: the reason gives the ledger range and the window."""
    text = reason(small_engine, "chiffre_affaires", "fy")
    assert "2025-01" in text and "2026-02" in text and "2026-01..2026-12" in text


def test_n1_before_ledger_is_unavailable_with_reason(small_engine: KPIEngine) -> None:
    """The LTM N-1 comparison (March 2024 – February 2025) is unavailable, naming that window."""
    n1 = small_engine.result(KPIS["chiffre_affaires"], FEB_2026, "ltm").comparisons["n1"]
    assert n1.value is None
    assert "2024-03..2025-02" in (n1.reason or "")


def test_dscr_without_loans_is_estimated_from_the_16x_movements(small_datasets: dict[str, pd.DataFrame]) -> None:
    """Without a loans dataset DSCR is estimated from the ledger's repayments, and says so."""
    datasets = {k: v for k, v in small_datasets.items() if k != "loans"}
    engine = KPIEngine(KPIS, CompanyData(datasets, SMALL_COMPANY))
    # LTM 2025-03..2026-02: 12 instalments in the ledger, 164000 D 1 500 + 661100 D 300 = 21 600 ;
    # (EBE 38 600 − IS 4 000) / 21 600 = 1,60185… → 1,6019 (4 decimals)
    result = engine.result(KPIS["dscr"], Month(2026, 2), "ltm")
    assert result.value == Decimal("1.6019")
    assert result.estimate is not None and "164, 167 et 168" in result.estimate["fr"]
    assert value(engine, "ebe", "ltm") == Decimal(38600)  # other KPIs still computed
    # with the schedule, no estimate
    assert KPIEngine(KPIS, CompanyData(small_datasets, SMALL_COMPANY)).result(
        KPIS["dscr"], Month(2026, 2), "ltm").estimate is None


def test_dscr_without_instalment(small_engine: KPIEngine) -> None:
    """A window without any instalment (December 2024) makes DSCR unavailable, not infinite."""
    assert "aucune échéance" in reason(small_engine, "dscr", "month", Month(2024, 12))


def test_margin_rate_with_zero_revenue(make_entries: Callable[..., pd.DataFrame]) -> None:
    """A month without revenue gives « CA nul » for the margin rate, not a division error."""
    entries = make_entries([
        ("10/03/2025", "AC", "1", "601000", "", "100", "0"),
        ("10/03/2025", "AC", "1", "401000", "F1", "0", "100"),
    ])
    engine = KPIEngine(KPIS, CompanyData({"entries": entries}, SMALL_COMPANY))
    assert "CA nul" in reason(engine, "taux_marge_brute", "month", Month(2025, 3))
    assert value(engine, "chiffre_affaires", "month", Month(2025, 3)) == 0
    assert "montant facturé nul" in reason(engine, "dso", "month", Month(2025, 3))


def test_missing_entries_names_the_dataset() -> None:
    """Without entries, financial KPIs name the « entries » dataset."""
    engine = KPIEngine(KPIS, CompanyData({}, SMALL_COMPANY))
    assert "« entries »" in reason(engine, "chiffre_affaires", "month")


def test_empty_dataset_is_unavailable(small_datasets: dict[str, pd.DataFrame]) -> None:
    """An empty deals dataset is reported as empty."""
    datasets = dict(small_datasets, deals=small_datasets["deals"].iloc[0:0])
    engine = KPIEngine(KPIS, CompanyData(datasets, SMALL_COMPANY))
    assert "« deals » est vide" in reason(engine, "pipeline_pondere", "month")


def test_pipeline_only_at_last_crm_month(small_engine: KPIEngine) -> None:
    """The weighted pipeline in January 2026 is unavailable: the CRM only knows current stages (2026-02)."""
    text = reason(small_engine, "pipeline_pondere", "month", Month(2026, 1))
    assert "2026-02" in text


def test_win_rate_reasons(small_engine: KPIEngine) -> None:
    """No closed deal in November 2025, and no CRM data after February 2026, each give a reason."""
    assert "aucune affaire clôturée" in reason(small_engine, "taux_transformation", "month", Month(2025, 11))
    assert "2026-02" in reason(small_engine, "taux_transformation", "month", Month(2026, 3))
    assert value(small_engine, "taux_transformation", "month", Month(2026, 1)) == Decimal(100)  # D3 won


def test_ops_reasons(small_engine: KPIEngine, small_datasets: dict[str, pd.DataFrame]) -> None:
    """Ops KPIs name the first missing month, a missing series, or the missing dataset."""
    assert reason(small_engine, "unites_produites", "ltm") == "série « unites_produites » absente pour 2025-03"
    assert "« taux_retour »" in reason(small_engine, "taux_retour", "month")
    datasets = {k: v for k, v in small_datasets.items() if k != "ops_metrics"}
    engine = KPIEngine(KPIS, CompanyData(datasets, SMALL_COMPANY))
    assert "« ops_metrics »" in reason(engine, "unites_produites", "month")


# ---------------------------------------------------------------- comparisons


def test_revenue_comparisons_month(small_engine: KPIEngine) -> None:
    """February 2026 revenue vs January 2026 (11 000), February 2025 (10 000) and budget (10 500)."""
    result = small_engine.result(KPIS["chiffre_affaires"], FEB_2026, "month")
    previous, n1, budget = (result.comparisons[k] for k in ("previous", "n1", "budget"))
    assert (previous.window.start, previous.value) == (Month(2026, 1), Decimal(11000))
    assert (n1.window.start, n1.value) == (Month(2025, 2), Decimal(10000))
    assert budget.value == Decimal(10500)
    assert n1.delta(result.value) == Decimal(1000)
    assert n1.delta_pct(result.value) == Decimal(10)
    assert budget.delta(result.value) == Decimal(500)
    assert previous.delta(result.value) == 0


def test_revenue_comparisons_ytd_and_ltm(small_engine: KPIEngine) -> None:
    """YTD: previous = January (11 000), N-1 = Jan–Feb 2025 (20 000), budget 2 × 10 500; LTM budget 12 × 10 500."""
    ytd = small_engine.result(KPIS["chiffre_affaires"], FEB_2026, "ytd")
    assert ytd.comparisons["previous"].value == Decimal(11000)
    assert ytd.comparisons["n1"].value == Decimal(20000)
    assert ytd.comparisons["budget"].value == Decimal(21000)
    ltm = small_engine.result(KPIS["chiffre_affaires"], FEB_2026, "ltm")
    assert ltm.comparisons["previous"].value == Decimal(11 * 10000 + 11000)  # Feb 2025 – Jan 2026
    assert ltm.comparisons["budget"].value == Decimal(12 * 10500)


def test_previous_ytd_in_january_is_last_year(small_engine: KPIEngine) -> None:
    """In January 2026 the previous YTD is the whole of 2025 (120 000)."""
    result = small_engine.result(KPIS["chiffre_affaires"], Month(2026, 1), "ytd")
    assert result.comparisons["previous"].value == Decimal(120000)


def test_budget_comparisons_and_reasons(small_engine: KPIEngine) -> None:
    """Margin budget = 10 500 − 3 200; EBE lacks budget lines; a stock KPI has none; FY budget misses March."""
    assert small_engine.result(KPIS["marge_brute"], FEB_2026, "month").comparisons["budget"].value == Decimal(7300)
    rate = small_engine.result(KPIS["taux_marge_brute"], FEB_2026, "month").comparisons["budget"]
    assert rate.value == four(7300, 10500, 100)
    ebe = small_engine.result(KPIS["ebe"], FEB_2026, "month").comparisons["budget"]
    assert ebe.value is None and "« autres_achats_charges_externes »" in (ebe.reason or "")
    cash = small_engine.result(KPIS["tresorerie_nette"], FEB_2026, "month").comparisons["budget"]
    assert cash.value is None and "pas de ligne budgétaire" in (cash.reason or "")
    fy = small_engine.result(KPIS["chiffre_affaires"], FEB_2026, "fy").comparisons["budget"]
    assert fy.value is None and "2026-03" in (fy.reason or "")


def test_history_has_none_before_the_ledger(small_engine: KPIEngine) -> None:
    """24 months of revenue up to February 2026: 10 unknown months, 12 × 10 000, 2 × 11 000."""
    history = small_engine.history(KPIS["chiffre_affaires"], FEB_2026)
    assert [m for m, _ in history][0] == Month(2024, 3)
    assert [v for _, v in history] == [None] * 10 + [Decimal(10000)] * 12 + [Decimal(11000)] * 2


def test_as_dict_keeps_exact_numbers(small_engine: KPIEngine) -> None:
    """as_dict gives numbers as exact strings and every comparison with its period."""
    data = small_engine.result(KPIS["dscr"], FEB_2026, "ltm").as_dict()
    assert data["value"] == "1.6019"
    assert data["period"] == "2025-03..2026-02"
    assert data["comparisons"]["previous"]["period"] == "2025-02..2026-01"
    assert set(data["comparisons"]) == {"previous", "n1", "budget"}


# ---------------------------------------------------------------- status


def test_status_up_direction(small_engine: KPIEngine) -> None:
    """DSCR (higher is better, warn 1,5, alert 1,25): 1 is an alert, 1,6019 and 2,11 are ok."""
    assert small_engine.result(KPIS["dscr"], Month(2025, 12), "month").status == "alert"
    assert small_engine.result(KPIS["dscr"], FEB_2026, "ltm").status == "ok"
    assert small_engine.result(KPIS["dscr"], FEB_2026, "month").status == "ok"


def test_status_down_direction(small_engine: KPIEngine) -> None:
    """Delivery lead time (lower is better, warn 22, alert 28): 30 alert, 25,1 warn, 21,5 ok."""
    assert small_engine.result(KPIS["delai_livraison_jours"], Month(2025, 12), "month").status == "alert"
    assert small_engine.result(KPIS["delai_livraison_jours"], FEB_2026, "month").status == "warn"
    assert small_engine.result(KPIS["delai_livraison_jours"], Month(2026, 1), "month").status == "ok"


def test_no_status_without_thresholds_or_value(small_engine: KPIEngine) -> None:
    """Revenue has no thresholds and an unavailable value has no status."""
    assert small_engine.result(KPIS["chiffre_affaires"], FEB_2026, "month").status is None
    assert small_engine.result(KPIS["dscr"], FEB_2026, "fy").status is None


def test_threshold_overrides(small_ctx: CompanyData) -> None:
    """Overrides replace the KPI defaults; a value equal to a bound is not beyond it."""
    engine = KPIEngine(KPIS, small_ctx, {
        "dso": Thresholds(warn=Decimal(20), alert=Decimal(25)),  # DSO 28 → alert
        "dscr": Thresholds(warn=Decimal(2), alert=Decimal("1.5")),  # 1,6019 → warn
        "delai_livraison_jours": Thresholds(warn=Decimal("25.1"), alert=None),  # 25,1 = bound → ok
    })
    assert engine.result(KPIS["dso"], FEB_2026, "month").status == "alert"
    assert engine.result(KPIS["dscr"], FEB_2026, "ltm").status == "warn"
    assert engine.result(KPIS["delai_livraison_jours"], FEB_2026, "month").status == "ok"
    assert engine.result(KPIS["dso"], FEB_2026, "month").thresholds == Thresholds(Decimal(20), Decimal(25))


def test_headroom(small_engine: KPIEngine) -> None:
    """Headroom is the distance to the alert bound, positive on the safe side for both directions."""
    dscr = small_engine.result(KPIS["dscr"], FEB_2026, "ltm")
    assert dscr.headroom() == four(34600, 21600) - Decimal("1.25")
    dso = small_engine.result(KPIS["dso"], FEB_2026, "month")
    assert dso.headroom() == Decimal(75 - 28)


def test_config_thresholds_reach_the_engine(small_company: SmallCompany) -> None:
    """[kpis.thresholds.dso] in the config turns DSO 28 days into an alert."""
    small_company.config.write_text(SMALL_CONFIG + "\n[kpis.thresholds.dso]\nwarn = 20\nalert = 25\n", encoding="utf-8")
    engine = make_engine(load_inputs(load_config(small_company.config)))
    result = engine.result(engine.kpis["dso"], FEB_2026, "month")
    assert result.value == Decimal(28)
    assert result.status == "alert"


def test_status_without_direction() -> None:
    """A KPI with direction None never gets a status, even with thresholds."""

    class Neutral(KPI):
        id = "neutre"
        label = {"fr": "Neutre"}
        formula = {"fr": "-"}
        unit = "count"
        direction = None
        thresholds = Thresholds(warn=Decimal(1), alert=Decimal(2))

        def compute(self, ctx: CompanyData, window: Window) -> Decimal:
            return Decimal(5)

    engine = KPIEngine({"neutre": Neutral()}, CompanyData({}, SMALL_COMPANY))
    assert engine.result(Neutral(), FEB_2026, "month").status is None


# ---------------------------------------------------------------- exactness


def test_ten_thousand_ten_cent_sales_make_exactly_1000_euros(make_entries: Callable[..., pd.DataFrame]) -> None:
    """10 000 credits of 0,10 € on 701 give a revenue of exactly 1 000,00 (float addition would drift)."""
    assert sum([0.1] * 10000) != 1000.0  # the drift a float implementation would show
    rows = [("15/03/2025", "VE", "1", "411000", "C1", "1 000,00", "0")]
    rows += [("15/03/2025", "VE", "1", "701000", "", "0", "0,10")] * 10000
    engine = KPIEngine(KPIS, CompanyData({"entries": make_entries(rows)}, SMALL_COMPANY))
    revenue = value(engine, "chiffre_affaires", "month", Month(2025, 3))
    assert isinstance(revenue, Decimal)
    assert str(revenue) == "1000.00"
