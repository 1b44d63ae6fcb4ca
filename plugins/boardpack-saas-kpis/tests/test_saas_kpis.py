"""SaaS KPIs against values worked out by hand on six customers, January 2025 – February 2026.

MRR in euros (no row = not a customer that month):

* A « Pro »: 1 000 every month, 1 500 from 2026-01 (upgrade).
* B « Essentiel »: 500 from 2025-01 to 2025-12, gone in 2026-01.
* C « Entreprise »: 2 000, 1 600 in 2026-02 (downgrade).
* D « Essentiel »: new in 2025-06 at 800, acquisition cost 6 400.
* E « Essentiel »: new in 2026-02 at 300, acquisition cost 4 500.
* F « Essentiel »: 200 in 2025-01 and 2025-02, gone in 2025-03.

MRR: 2025-12 = A 1 000 + B 500 + C 2 000 + D 800 = 4 300; 2026-01 = 1 500 + 2 000 + 800 = 4 300;
2026-02 = 1 500 + 1 600 + 800 + 300 = 4 200, ARR 50 400.
NRR at 2026-02: cohort of 2025-02 = A, B, C, F (1 000 + 500 + 2 000 + 200 = 3 700), now
1 500 + 0 + 1 600 + 0 = 3 100 → 3 100 / 3 700 = 83,7838 %.
Gross revenue churn: 2026-01 B's 500 lost / 4 300 = 11,6279 %; 2026-02 C's 400 / 4 300 = 9,3023 %;
January–February 900 / 8 600 = 10,4651 %.
Logo churn: 2026-01 B among A, B, C, D = 25 %; 2026-02 none of A, C, D = 0 %; January–February
1 / 7 = 14,2857 %; 2025-03 F among A, B, C, F = 25 %.
CAC payback: 2026-02 E 4 500 / 300 = 15 months; LTM to 2026-02 (D and E)
(6 400 + 4 500) / (800 + 300) = 9,9091 months.
"""

from __future__ import annotations

from decimal import Decimal

import boardpack_saas_kpis.plugin as plugin
import pandas as pd
import pytest
from boardpack_saas_kpis import SUBSCRIPTIONS
from boardpack_saas_kpis.kpis import Mrr

from boardpack.api.errors import DataError
from boardpack.api import Unavailable
from boardpack.api.periods import Month, Window
from boardpack.testing import build_pack, compute_kpi, kpi_context, load_source, make_config, registered

Q = Decimal("0.0001")
SAAS_KPIS = ["mrr", "arr", "retention_nette_revenu", "attrition_revenu_brute", "attrition_clients", "recuperation_cac"]
MONTHS_2025 = [f"2025-{m:02d}" for m in range(1, 13)]


def _rows() -> list[str]:
    rows = ["customer;period;mrr;plan;acquisition_cost"]
    for period in MONTHS_2025 + ["2026-01", "2026-02"]:
        rows.append(f"A;{period};{'1 500,00' if period >= '2026-01' else '1 000,00'};Pro;")
        if period <= "2025-12":
            rows.append(f"B;{period};500,00;Essentiel;")
        rows.append(f"C;{period};{'1 600,00' if period == '2026-02' else '2 000,00'};Entreprise;")
        if period >= "2025-06":
            rows.append(f"D;{period};800,00;Essentiel;{'6 400,00' if period == '2025-06' else ''}")
        if period <= "2025-02":
            rows.append(f"F;{period};200,00;Essentiel;")
    rows.append("E;2026-02;300,00;Essentiel;4 500,00")
    return rows


def subscriptions(rows: list[str] | None = None) -> pd.DataFrame:
    """The fixture as the csv source would coerce it."""
    lines = rows or _rows()
    header, *body = lines
    raw = pd.DataFrame([r.split(";") for r in body], columns=header.split(";"), dtype=object)
    return SUBSCRIPTIONS.coerce(raw, "subscriptions.csv")


@pytest.fixture
def data() -> dict[str, pd.DataFrame]:
    """The six customers."""
    return {"subscriptions": subscriptions()}


def value(kpi: str, data: dict[str, pd.DataFrame], period: str = "2026-02", window: str = "month") -> Decimal:
    """A KPI's value, failing if unavailable."""
    with registered(plugin):
        result = compute_kpi(kpi, data, period=period, window=window)
    assert not isinstance(result, Unavailable), f"{kpi}: {result}"
    return result


def reason(kpi: str, data: dict[str, pd.DataFrame], period: str = "2026-02", window: str = "month") -> str:
    """Why a KPI is « non disponible »."""
    with registered(plugin):
        result = compute_kpi(kpi, data, period=period, window=window)
    assert isinstance(result, Unavailable), f"{kpi} unexpectedly = {result}"
    return str(result)


def test_mrr_and_arr(data: dict[str, pd.DataFrame]) -> None:
    """MRR and ARR at the end of the window (stocks)."""
    assert value("mrr", data) == Decimal("4200.00")
    assert value("mrr", data, "2026-01") == Decimal("4300.00")
    assert value("mrr", data, "2025-12") == Decimal("4300.00")
    assert value("mrr", data, window="ytd") == Decimal("4200.00")
    assert value("arr", data) == Decimal("50400.00")


def test_mrr_breakdown_by_plan(data: dict[str, pd.DataFrame]) -> None:
    """2026-02: Entreprise 1 600, Pro 1 500, Essentiel 800 + 300."""
    ctx = kpi_context(data)
    month = Month(2026, 2)
    split = Mrr().breakdown(ctx, Window("month", month, month))
    assert list(split.items()) == [
        ("Entreprise", Decimal("1600.00")), ("Pro", Decimal("1500.00")), ("Essentiel", Decimal("1100.00")),
    ]


def test_net_revenue_retention(data: dict[str, pd.DataFrame]) -> None:
    """3 100 / 3 700; unavailable without the month twelve months back."""
    assert value("retention_nette_revenu", data) == (Decimal(3100) / Decimal(3700) * 100).quantize(Q)
    assert value("retention_nette_revenu", data) == Decimal("83.7838")
    assert reason("retention_nette_revenu", data, "2025-12") == (
        "pas de données d'abonnement pour 2024-12 (le jeu « subscriptions » couvre 2025-01 à 2026-02)"
    )


def test_gross_revenue_churn(data: dict[str, pd.DataFrame]) -> None:
    """Departures and downgrades over opening MRR, month by month and over January–February."""
    # January: B's 500 lost / 4 300; A's upgrade (+500) is not netted against B's departure.
    assert value("attrition_revenu_brute", data, "2026-01") == Decimal("11.6279")
    assert value("attrition_revenu_brute", data) == Decimal("9.3023")
    assert value("attrition_revenu_brute", data, window="ytd") == Decimal("10.4651")
    # December 2025: nobody left and nobody downgraded.
    assert value("attrition_revenu_brute", data, "2025-12") == Decimal("0")


def test_logo_churn(data: dict[str, pd.DataFrame]) -> None:
    """Customers lost over customers at the start of the month."""
    assert value("attrition_clients", data, "2026-01") == Decimal("25")
    assert value("attrition_clients", data) == Decimal("0")
    assert value("attrition_clients", data, window="ytd") == Decimal("14.2857")
    assert value("attrition_clients", data, "2025-03") == Decimal("25")
    assert reason("attrition_clients", data, "2025-01") == (
        "pas de données d'abonnement pour 2024-12 (le jeu « subscriptions » couvre 2025-01 à 2026-02)"
    )


def test_cac_payback(data: dict[str, pd.DataFrame]) -> None:
    """Acquisition cost of the new customers over their first MRR, in months."""
    assert value("recuperation_cac", data) == Decimal("15")
    assert value("recuperation_cac", data, window="ltm") == Decimal("9.9091")
    assert reason("recuperation_cac", data, "2026-01") == "aucun nouveau client sur la période"
    assert reason("recuperation_cac", data, "2025-06", window="ytd") == (
        "les nouveaux clients de 2025-01, premier mois des données, ne se distinguent pas des clients existants"
    )


def test_cac_payback_without_acquisition_cost() -> None:
    """A new customer without its acquisition cost makes the payback unavailable, naming it."""
    rows = [r for r in _rows() if not r.startswith("E;")] + ["E;2026-02;300,00;Essentiel;"]
    assert reason("recuperation_cac", {"subscriptions": subscriptions(rows)}) == (
        "coût d'acquisition non renseigné pour 1 nouveau(x) client(s) de la période (dont « E ») : "
        "colonne acquisition_cost, ligne de son premier mois"
    )


def test_unavailable_without_data(data: dict[str, pd.DataFrame]) -> None:
    """No subscriptions dataset, or a month past the data: « non disponible » with the reason."""
    assert reason("mrr", {}) == "aucune source ne fournit le jeu de données « subscriptions »"
    assert reason("mrr", data, "2026-03") == (
        "pas de données d'abonnement pour 2026-03 (le jeu « subscriptions » couvre 2025-01 à 2026-02)"
    )
    gap = {"subscriptions": subscriptions([r for r in _rows() if ";2025-07;" not in r])}
    assert reason("mrr", gap, "2025-07") == "aucune ligne d'abonnement pour 2025-07 dans le jeu « subscriptions »"


def test_schema_refuses_duplicates_and_negative_mrr() -> None:
    """One row per customer and month; an MRR is never negative."""
    with pytest.raises(DataError, match=r"^subscriptions.csv, ligne 4 : le client « A » a déjà une ligne pour "
                                        r"2025-01 \(ligne 2\) ; une seule ligne par client et par mois"):
        subscriptions(["customer;period;mrr", "A;2025-01;10", "B;2025-01;10", "A;2025-01;5"])
    with pytest.raises(DataError, match=r"^subscriptions.csv, ligne 3, colonne « mrr » : montant négatif"):
        subscriptions(["customer;period;mrr", "A;2025-01;10", "A;2025-02;-10"])


def test_kpis_in_a_pack_with_thresholds(data: dict[str, pd.DataFrame]) -> None:
    """Registered through the plugin: labels in the KPI table, statuses from the thresholds."""
    with registered(plugin) as registry:
        assert registry.datasets["subscriptions"] is SUBSCRIPTIONS
        assert registry.providers[("KPI", "mrr")] == "boardpack_saas_kpis.plugin"
        config = make_config(
            kpis={"select": SAAS_KPIS},
            audiences={"test": {"title": "Test", "sections": ["kpi_table"]}},
        )
        pack = build_pack(data, config=config, period="2026-02")
    assert pack.kpis["retention_nette_revenu"].status == "alert"  # 83,8 % < 90 %
    assert pack.kpis["attrition_revenu_brute"].status == "alert"  # 9,3 % > 3 %
    assert pack.kpis["recuperation_cac"].status == "ok"  # LTM 9,9 months < 12
    assert "Rétention nette du revenu (NRR, 12 mois)" in pack.html
    assert "83,8\u00a0%" in pack.html


def test_sample_subscriptions_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/data/subscriptions.csv is what make_subscriptions.py writes, and every KPI is computable on it."""
    import importlib.util
    import sys
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    spec = importlib.util.spec_from_file_location("make_subscriptions_example", examples / "make_subscriptions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    lines = ["customer;period;mrr;plan;acquisition_cost"]
    lines += [f"{c};{p};{module.french(m)};{plan};{module.french(cost)}" for c, p, m, plan, cost in module.generate()]
    assert (examples / "data" / "subscriptions.csv").read_text(encoding="utf-8") == "\n".join(lines) + "\n"
    config = make_config(examples / "boardpack.toml", sources={"abonnements": {"type": "csv", "path": "data"}})
    with registered(plugin):
        data = load_source(config, "sources.abonnements")
    # 63 customers in October 2026 (the module docstring of make_subscriptions.py tells the story).
    assert int((data["subscriptions"]["period"] == "2026-10").sum()) == 63
    assert value("mrr", data, "2026-10") == Decimal("64742.00")
    for kpi in SAAS_KPIS:
        value(kpi, data, "2026-10", "ltm")
