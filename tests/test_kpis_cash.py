"""Cash KPIs (CAF, tableau de flux, FCF, cash ratios, working-capital cycle) against hand-computed
values on the small company of conftest.py and on tiny ledgers.

Figures of the small company used below (see conftest.py and test_kpis_balance.py):

* net cash: end Feb 2025 48 200 (bank A 45 200 + 3 000); end Jan 2026 81 800 (83 300 − bank B
  overdraft 1 500); end Feb 2026 86 000 (87 500 − 1 500).
* gross BFR (stocks + clients − avances − fournisseurs − dettes fiscales et sociales):
  end Feb 2025 20 000 + 12 000 − 3 000 − 1 200 − VAT 4 000 = 23 800;
  end Jan 2026 23 000 + 13 200 − 600 − 3 000 − 1 200 − VAT 26 200 − IS 4 000 = 1 200;
  end Feb 2026 23 000 + 13 200 − 600 − 3 000 − 1 200 − VAT 28 400 − IS 4 000 = −1 000.
* CAF = RN + dotations: Feb 2026 2 500 + 1 000 = 3 500; LTM 19 000 + 12 000 = 31 000.
* loan repaid 1 500 a month (FTF); no fixed asset bought (FTI 0).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pandas as pd
import pytest

from boardpack.default_plugins.kpis import cash as kpis_cash
from boardpack.default_plugins.kpis import working_capital
from boardpack.default_plugins.kpis.finance import DSO
from boardpack.api import KPI
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month, Window

from conftest import SMALL_COMPANY
from kpi_helpers import Q, engine_over, four, kpi_reason, kpi_value

FEB_2026 = Month(2026, 2)
DEC_2025 = Month(2025, 12)
KPIS: dict[str, KPI] = {kpi.id: kpi for kpi in [*kpis_cash.register_kpis(), *working_capital.register_kpis()]}
value = partial(kpi_value, KPIS)
reason = partial(kpi_reason, KPIS)
engine_for = partial(engine_over, KPIS)


@pytest.fixture
def engine(small_ctx: CompanyData) -> KPIEngine:
    """An engine with the cash KPIs over the small company."""
    return KPIEngine(KPIS, small_ctx)


@pytest.fixture
def small_plus(small_datasets: dict[str, pd.DataFrame],
               make_entries: Callable[..., pd.DataFrame]) -> Callable[[list[tuple[str, ...]]], KPIEngine]:
    """An engine over the small company with a few more journal lines."""

    def build(rows: list[tuple[str, ...]]) -> KPIEngine:
        entries = pd.concat([small_datasets["entries"], make_entries(rows)], ignore_index=True)
        return KPIEngine(KPIS, CompanyData(dict(small_datasets, entries=entries), SMALL_COMPANY))

    return build


#: A machine of 60 000 bought on 16/02/2026 and paid in full on 17/02/2026.
CAPEX = [
    ("16/02/2026", "OD", "IMMO1", "215400", "", "60000", "0"),
    ("16/02/2026", "OD", "IMMO1", "404000", "", "0", "60000"),
    ("17/02/2026", "BQ", "IMMO2", "404000", "", "60000", "0"),
    ("17/02/2026", "BQ", "IMMO2", "512000", "", "0", "60000"),
]

#: The same machine with 15 000 of it still owed to the supplier at the end of February.
CAPEX_ON_CREDIT = [
    ("16/02/2026", "OD", "IMMO1", "215400", "", "60000", "0"),
    ("16/02/2026", "OD", "IMMO1", "404000", "", "0", "60000"),
    ("17/02/2026", "BQ", "IMMO2", "404000", "", "45000", "0"),
    ("17/02/2026", "BQ", "IMMO2", "512000", "", "0", "45000"),
]


@pytest.fixture
def capex(small_plus: Callable[[list[tuple[str, ...]]], KPIEngine]) -> KPIEngine:
    """The small company with the machine of CAPEX."""
    return small_plus(CAPEX)


@pytest.fixture
def sale_only(make_entries: Callable[..., pd.DataFrame]) -> KPIEngine:
    """March 2025: a cash sale of 100 and nothing else (no purchase, no stock)."""
    return engine_for(make_entries([
        ("01/01/2025", "AN", "0", "512000", "", "1000", "0"),
        ("01/01/2025", "AN", "0", "101300", "", "0", "1000"),
        ("10/03/2025", "VE", "1", "512000", "", "100", "0"),
        ("10/03/2025", "VE", "1", "706000", "", "0", "100"),
    ]))


# ---------------------------------------------------------------- metadata


def test_metadata_is_complete() -> None:
    """The cash KPIs (id, label, formula, audiences: test_kpis.test_every_kpi_describes_itself)."""
    assert set(KPIS) == {
        "caf", "variation_tresorerie", "fte", "fti", "ftf", "free_cash_flow", "marge_cash_flow",
        "couverture_dette_fcf", "dpo", "dio", "rotation_stocks", "ccc", "croissance_bfr_vs_ca",
        "elements_non_recurrents",
    }
    assert all(kpi.needs == ("entries",) for kpi in KPIS.values())


@pytest.mark.parametrize("kpi_id", sorted(KPIS))
def test_every_cash_kpi_outside_the_ledger(engine: KPIEngine, kpi_id: str) -> None:
    """Each cash KPI over the fiscal year 2026 (not covered) is unavailable with the ledger's range."""
    text = reason(engine, kpi_id, "fy")
    assert "2025-01 à 2026-02" in text


# ---------------------------------------------------------------- the brief's worked example


def test_brief_example_caf_100k_bfr_up_130k_gives_fte_minus_30k(make_entries: Callable[..., pd.DataFrame]) -> None:
    """CAF 100 000 € with a BFR increase of 130 000 € (stock +80 000, clients +50 000) gives an FTE of −30 000 €."""
    engine = engine_for(make_entries([
        ("01/01/2025", "AN", "0", "512000", "", "200000", "0"),
        ("01/01/2025", "AN", "0", "215400", "", "100000", "0"),
        ("01/01/2025", "AN", "0", "101300", "", "0", "300000"),
        ("15/01/2025", "VE", "1", "411000", "C1", "400000", "0"),  # wine sold 400 000
        ("15/01/2025", "VE", "1", "707000", "", "0", "400000"),
        ("20/01/2025", "AC", "2", "607000", "", "380000", "0"),  # bottles bought 380 000
        ("20/01/2025", "AC", "2", "401000", "F1", "0", "380000"),
        ("15/06/2025", "BQ", "3", "512000", "", "350000", "0"),  # customers pay 350 000 only
        ("15/06/2025", "BQ", "3", "411000", "C1", "0", "350000"),
        ("20/06/2025", "BQ", "4", "401000", "F1", "380000", "0"),  # supplier paid in full
        ("20/06/2025", "BQ", "4", "512000", "", "0", "380000"),
        ("31/12/2025", "OD", "5", "370000", "", "80000", "0"),  # 80 000 of bottles in stock
        ("31/12/2025", "OD", "5", "603700", "", "0", "80000"),
        ("31/12/2025", "OD", "6", "681120", "", "20000", "0"),  # depreciation 20 000
        ("31/12/2025", "OD", "6", "281540", "", "0", "20000"),
    ]))
    # RN = 400 000 − (380 000 − 80 000) − 20 000 = 80 000; CAF = 80 000 + 20 000 = 100 000
    assert value(engine, "caf", "fy", DEC_2025) == Decimal(100000)
    # Δ BFR = stock +80 000 + clients +50 000 = +130 000 → FTE = 100 000 − 130 000
    assert value(engine, "fte", "fy", DEC_2025) == Decimal(-30000)
    # bank: 200 000 + 350 000 − 380 000 = 170 000, i.e. −30 000 over the year
    assert value(engine, "variation_tresorerie", "fy", DEC_2025) == Decimal(-30000)
    assert value(engine, "marge_cash_flow", "fy", DEC_2025) == four(-30000, 400000, 100)
    assert engine.result(KPIS["marge_cash_flow"], DEC_2025, "fy").status == "alert"


# ---------------------------------------------------------------- CAF and the tableau de flux


def test_caf_by_hand(engine: KPIEngine) -> None:
    """CAF = RN + dotations: Feb 3 500; YTD 7 000; LTM 31 000; FY 2025 17 000 + 12 000 = 29 000."""
    assert value(engine, "caf", "month") == Decimal(3500)
    assert value(engine, "caf", "ytd") == Decimal(7000)
    assert value(engine, "caf", "ltm") == Decimal(31000)
    assert value(engine, "caf", "fy", DEC_2025) == Decimal(29000)


def test_caf_budget(engine: KPIEngine, small_datasets: dict[str, pd.DataFrame]) -> None:
    """The small budget lacks lines (reason names one); with all lines: RN budget 700 + dotations 900 = 1 600."""
    budget = engine.result(KPIS["caf"], FEB_2026, "month").comparisons["budget"]
    assert budget.value is None and "« autres_achats_charges_externes »" in (budget.reason or "")
    rows = [("2026-02", line, amount) for line, amount in (
        ("chiffre_affaires", 1_050_000), ("achats_consommes", 320_000),
        ("autres_achats_charges_externes", 100_000), ("impots_taxes", 10_000),
        ("salaires", 300_000), ("charges_sociales", 120_000), ("dotations_exploitation", 90_000),
        ("charges_financieres", 30_000), ("impot_benefices", 10_000),
    )]
    datasets = dict(small_datasets, budget=pd.DataFrame(rows, columns=["period", "line", "amount"]))
    full = KPIEngine(KPIS, CompanyData(datasets, SMALL_COMPANY))
    # EBE 10 500 − 3 200 − 1 000 − 100 − 3 000 − 1 200 = 2 000; RN 2 000 − 900 − 300 − 100 = 700
    assert full.result(KPIS["caf"], FEB_2026, "month").comparisons["budget"].value == Decimal(1600)


def test_variation_tresorerie_by_hand(engine: KPIEngine) -> None:
    """Net cash 86 000 − 81 800 in February; 86 000 − 48 200 over the last twelve months."""
    assert value(engine, "variation_tresorerie", "month") == Decimal(4200)
    assert value(engine, "variation_tresorerie", "ltm") == Decimal(37800)
    # 2025: 78 800 at the end − 50 000 of à-nouveaux
    assert value(engine, "variation_tresorerie", "fy", DEC_2025) == Decimal(28800)


def test_fte_by_hand(engine: KPIEngine) -> None:
    """FTE = CAF − Δ BFR: Feb 3 500 − (−1 000 − 1 200) = 5 700; LTM 31 000 − (−1 000 − 23 800) = 55 800."""
    assert value(engine, "fte", "month") == Decimal(5700)
    assert value(engine, "fte", "ltm") == Decimal(55800)


def test_fti_and_ftf_by_hand(engine: KPIEngine, capex: KPIEngine) -> None:
    """FTF is the loan repaid (−1 500 a month); FTI is the machine paid, −60 000."""
    assert value(engine, "ftf", "month") == Decimal(-1500)
    assert value(engine, "ftf", "ltm") == Decimal(-18000)
    assert value(engine, "fti", "ltm") == Decimal(0)
    assert value(capex, "fti", "month") == Decimal(-60000)
    assert value(capex, "fte", "month") == Decimal(5700)  # the purchase is no operating flow
    # the three flows explain the change in cash: 5 700 − 60 000 − 1 500
    assert value(capex, "variation_tresorerie", "month") == Decimal(-55800)


def test_free_cash_flow_by_hand(engine: KPIEngine, capex: KPIEngine) -> None:
    """FCF = FTE − acquisitions paid: 5 700 without capex; 5 700 − 60 000 = −54 300 with the machine."""
    assert value(engine, "free_cash_flow", "month") == Decimal(5700)
    assert value(engine, "free_cash_flow", "ltm") == Decimal(55800)
    assert value(capex, "free_cash_flow", "month") == Decimal(-54300)
    assert value(capex, "free_cash_flow", "ltm") == Decimal(55800 - 60000)


def test_free_cash_flow_machine_bought_on_credit(small_plus: Callable[[list[tuple[str, ...]]], KPIEngine]) -> None:
    """Machine 60 000 with 15 000 still owed: FTE 5 700, FTI −45 000, FCF 5 700 − 45 000 = −39 300."""
    engine = small_plus(CAPEX_ON_CREDIT)
    assert value(engine, "fti", "month") == Decimal(-45000)
    assert value(engine, "variation_tresorerie", "month") == Decimal(-40800)  # 4 200 − 45 000
    assert value(engine, "fte", "month") == Decimal(5700)
    assert value(engine, "free_cash_flow", "month") == Decimal(-39300)


def test_marge_cash_flow_by_hand(engine: KPIEngine) -> None:
    """Marge de cash-flow = FTE / CA: 5 700 / 11 000 in February; 55 800 / 122 000 over twelve months."""
    assert value(engine, "marge_cash_flow", "month") == four(5700, 11000, 100)
    assert value(engine, "marge_cash_flow", "ltm") == four(55800, 122000, 100)
    assert engine.result(KPIS["marge_cash_flow"], FEB_2026, "ltm").status == "ok"


def test_marge_cash_flow_without_revenue(sale_only: KPIEngine, make_entries: Callable[..., pd.DataFrame]) -> None:
    """A month without revenue leaves the cash-flow margin unavailable with « CA négatif ou nul »."""
    engine = engine_for(make_entries([
        ("10/03/2025", "AC", "1", "601000", "", "100", "0"),
        ("10/03/2025", "AC", "1", "401000", "F1", "0", "100"),
    ]))
    assert "CA négatif ou nul" in reason(engine, "marge_cash_flow", "month", Month(2025, 3))


def test_couverture_dette_fcf_by_hand(capex: KPIEngine) -> None:
    """With the machine: FCF LTM 55 800 − 60 000 = −4 200 over net debt 70 500 − (87 500 − 60 000) = 43 000."""
    result = capex.result(KPIS["couverture_dette_fcf"], FEB_2026, "month")
    assert result.value == four(-4200, 43000, 100)  # ≈ −9,77 %
    assert result.status == "alert"  # below 20 %
    assert value(capex, "couverture_dette_fcf", "ltm") == result.value  # any window: LTM at its end


def test_couverture_dette_fcf_with_net_cash(engine: KPIEngine) -> None:
    """The small company's cash 87 500 exceeds its debt 70 500: no net debt, the ratio says so."""
    text = reason(engine, "couverture_dette_fcf", "ltm")
    assert "pas de dette nette" in text and "trésorerie nette positive" in text


def test_elements_non_recurrents_by_hand(small_plus: Callable[[list[tuple[str, ...]]], KPIEngine]) -> None:
    """An indemnity of 2 000 (771) and a fine of 500 (671) lift the FTE to 7 200; restated it is 5 700 again."""
    engine = small_plus([
        ("15/02/2026", "BQ", "NR1", "512000", "", "2000", "0"),
        ("15/02/2026", "BQ", "NR1", "771800", "", "0", "2000"),
        ("20/02/2026", "BQ", "NR2", "671200", "", "500", "0"),
        ("20/02/2026", "BQ", "NR2", "512000", "", "0", "500"),
    ])
    assert value(engine, "fte", "month") == Decimal(7200)  # 5 700 + 2 000 − 500
    assert value(engine, "elements_non_recurrents", "month") == Decimal(5700)
    assert value(engine, "elements_non_recurrents", "ltm") == Decimal(55800)


def test_elements_non_recurrents_without_any(engine: KPIEngine) -> None:
    """Without 771 nor 671 the restated FTE is the FTE (5 700 in February); unavailable before the ledger."""
    assert value(engine, "elements_non_recurrents", "month") == Decimal(5700)
    assert "écritures disponibles" in reason(engine, "elements_non_recurrents", "month", Month(2024, 12))


# ---------------------------------------------------------------- working-capital cycle


def test_dpo_by_hand(engine: KPIEngine) -> None:
    """Supplier F001 owes 3 000 at the end of February: 3 000 / 3 000 × 28; YTD / 6 000 × 59; LTM / 36 000 × 365."""
    assert value(engine, "dpo", "month") == Decimal(28)
    assert value(engine, "dpo", "ytd") == Decimal("29.5")
    assert value(engine, "dpo", "ltm") == four(3000 * 365, 36000)


def test_dpo_leaves_out_fixed_asset_suppliers(make_entries: Callable[..., pd.DataFrame]) -> None:
    """A fixed-asset invoice to come (4084) counts neither as payable nor as purchase: 600 / 1 200 × 31."""
    engine = engine_for(make_entries([
        ("05/03/2025", "AC", "1", "601000", "", "1000", "0"),
        ("05/03/2025", "AC", "1", "445660", "", "200", "0"),
        ("05/03/2025", "AC", "1", "401000", "F1", "0", "1200"),
        ("20/03/2025", "OD", "2", "218300", "", "5000", "0"),
        ("20/03/2025", "OD", "2", "408400", "", "0", "5000"),
        ("25/03/2025", "BQ", "3", "401000", "F1", "600", "0"),
        ("25/03/2025", "BQ", "3", "512000", "", "0", "600"),
    ]))
    assert value(engine, "dpo", "month", Month(2025, 3)) == Decimal("15.5")


def test_dpo_without_purchases(sale_only: KPIEngine) -> None:
    """No purchase invoiced in the month: the DPO is unavailable, not zero."""
    assert "aucun achat facturé" in reason(sale_only, "dpo", "month", Month(2025, 3))


def test_dio_by_hand(engine: KPIEngine) -> None:
    """Stock 23 000 / coût des ventes: 3 000 × 28 days in February; 33 000 × 365 over twelve months."""
    assert value(engine, "dio", "month") == four(23000 * 28, 3000)
    assert value(engine, "dio", "ltm") == four(23000 * 365, 33000)


def test_dio_without_cost_of_sales(engine: KPIEngine) -> None:
    """December 2025: purchases 3 000 − stock increase 3 000 = coût des ventes 0: DIO unavailable."""
    assert "coût des ventes négatif ou nul" in reason(engine, "dio", "month", DEC_2025)


def test_rotation_stocks_by_hand(engine: KPIEngine) -> None:
    """Coût des ventes / stock moyen, a year's worth: LTM 33 000 / ((20 000 + 23 000) / 2);
    February 3 000 / 23 000 × 12 (annualised, issue 13)."""
    assert value(engine, "rotation_stocks", "ltm") == four(33000 * 2, 43000)
    assert value(engine, "rotation_stocks", "month") == four(3000 * 12, 23000)
    # FY 2025 starts from the à-nouveaux stock 20 000 (the bilan before the first month)
    assert value(engine, "rotation_stocks", "fy", DEC_2025) == four(33000 * 2, 43000)


def test_rotation_stocks_without_stock(sale_only: KPIEngine) -> None:
    """A company without any stock has no rotation: « aucun stock »."""
    assert "aucun stock" in reason(sale_only, "rotation_stocks", "month", Month(2025, 3))


def test_ccc_by_hand(engine: KPIEngine, small_ctx: CompanyData) -> None:
    """CCC = DSO + DIO − DPO: February 28 + 214,67 − 28; LTM 13 200 × 365 / 146 400 + 23 000 × 365 / 33 000 − 3 000 × 365 / 36 000."""
    assert value(engine, "ccc", "month") == four(23000 * 28, 3000)
    ltm = (Decimal(13200 * 365) / 146400 + Decimal(23000 * 365) / 33000 - Decimal(3000 * 365) / 36000).quantize(Q)
    assert value(engine, "ccc", "ltm") == ltm
    # the DSO part is the finance module's own KPI
    window = small_ctx.window("ltm", FEB_2026)
    assert DSO().compute(small_ctx, window) == Decimal(13200 * 365) / 146400


def test_ccc_without_cost_of_sales(engine: KPIEngine) -> None:
    """December 2025 has no cost of sales, so the DIO and the CCC are unavailable with that reason."""
    assert "coût des ventes négatif ou nul" in reason(engine, "ccc", "month", DEC_2025)


def growth_ledger(make_entries: Callable[..., pd.DataFrame], december_2024_paid: bool) -> pd.DataFrame:
    """Sales of 1 000 a month in 2024 and 1 200 in 2025, paid in the month except the last ones."""
    rows: list[tuple[str, ...]] = []
    for year, amount in ((2024, "1000"), (2025, "1200")):
        for month in range(1, 13):
            tag = f"{year}{month:02d}"
            rows += [(f"15/{month:02d}/{year}", "VE", f"V{tag}", "411000", "C1", amount, "0"),
                     (f"15/{month:02d}/{year}", "VE", f"V{tag}", "706000", "", "0", amount)]
            unpaid = (year == 2025 and month >= 11) or (year, month) == (2024, 12) and not december_2024_paid
            if not unpaid:
                rows += [(f"25/{month:02d}/{year}", "BQ", f"R{tag}", "512000", "", amount, "0"),
                         (f"25/{month:02d}/{year}", "BQ", f"R{tag}", "411000", "C1", "0", amount)]
    if not december_2024_paid:
        rows += [("10/01/2025", "BQ", "R2412", "512000", "", "1000", "0"),
                 ("10/01/2025", "BQ", "R2412", "411000", "C1", "0", "1000")]
    return make_entries(rows)


def test_croissance_bfr_vs_ca_by_hand(make_entries: Callable[..., pd.DataFrame]) -> None:
    """BFR 1 000 → 2 400 (+140 %) while LTM CA 12 000 → 14 400 (+20 %): +120 points, an alert."""
    engine = engine_for(growth_ledger(make_entries, december_2024_paid=False))
    result = engine.result(KPIS["croissance_bfr_vs_ca"], DEC_2025, "ltm")
    assert result.value == Decimal(120)
    assert result.status == "alert"
    assert value(engine, "croissance_bfr_vs_ca", "month", DEC_2025) == Decimal(120)  # any window: at its end


def test_croissance_bfr_vs_ca_unavailable(engine: KPIEngine, make_entries: Callable[..., pd.DataFrame]) -> None:
    """The small company lacks the twelve months before its LTM; a nil BFR a year earlier has no growth rate."""
    assert "2024-03..2025-02" in reason(engine, "croissance_bfr_vs_ca", "ltm")
    paid = engine_for(growth_ledger(make_entries, december_2024_paid=True))
    assert "BFR négatif ou nul à fin 2024-12" in reason(paid, "croissance_bfr_vs_ca", "ltm", DEC_2025)


def test_flows_are_cached_per_window(small_ctx: CompanyData) -> None:
    """The tableau de flux is computed once per window and ledger, and every flow KPI reads the same one."""
    window = Window("month", FEB_2026, FEB_2026)
    assert kpis_cash.flows(small_ctx, window) is kpis_cash.flows(small_ctx, window)
    found = kpis_cash.flows(small_ctx, window)
    assert found.variation == found.fte + found.fti + found.ftf  # no reconciliation gap here
