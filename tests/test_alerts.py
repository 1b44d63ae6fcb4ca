"""Alert rules on crafted data and on the demo company's story (period 2026-10).

Crafted KPIs return fixed values so that each rule's decision and wording can be checked
against figures worked out by hand; budgets and invoices are added to the small company.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from boardpack import plugins
from boardpack.build import compute, gates, load_inputs
from boardpack.config import load_config
from boardpack.default_plugins.alerts import rules as alerts
from boardpack.default_plugins.sources.datasets import BUDGET, INVOICES
from boardpack.api import KPI, Alert, Issue, Thresholds, Unavailable
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month, Window
from boardpack.plugins import get_registry

from conftest import DEMO_CONFIG, SMALL_COMPANY, builtin_kpis

NNBSP, NBSP = "\u202f", "\u00a0"
FEB_2026 = Month(2026, 2)
DEFAULTS: Mapping[str, Any] = gates.with_defaults(get_registry(), "alerts", {})


class Fixed(KPI):
    """A KPI whose value is given per month (the end of the window); other months are unavailable."""

    label = {"fr": "Indicateur", "en": "Indicator"}
    formula = {"fr": "", "en": ""}

    def __init__(self, kpi_id: str, values: Mapping[Month, str], unit: str = "days", direction: str | None = "down",
                 thresholds: Thresholds | None = None, audiences: tuple[str, ...] = ("daf",),
                 headline: str = "month", label: str = "") -> None:
        self.id = kpi_id  # type: ignore[misc]
        self.values = {m: Decimal(v) for m, v in values.items()}
        self.unit = unit  # type: ignore[misc]
        self.direction = direction  # type: ignore[misc]
        self.thresholds = thresholds  # type: ignore[misc]
        self.audiences = audiences  # type: ignore[misc]
        self.headline = headline  # type: ignore[misc]
        if label:
            self.label = {"fr": label, "en": label}  # type: ignore[misc]

    def compute(self, ctx: CompanyData, window: Window) -> Decimal:
        """The value given for the window's last month."""
        if window.end not in self.values:
            raise Unavailable("pas de valeur")
        return self.values[window.end]


def engine_of(*kpis: KPI, datasets: Mapping[str, pd.DataFrame] | None = None,
              thresholds: Mapping[str, Thresholds] | None = None, issues: list[Issue] | None = None) -> KPIEngine:
    """An engine over ``kpis`` and ``datasets`` (none by default), with the quality ``issues`` the host
    found (by default, those the registered checks find on ``datasets``, as the host does)."""
    ctx = CompanyData(dict(datasets or {}), SMALL_COMPANY)
    found = gates.run_quality(ctx, get_registry(), {}) if issues is None else issues
    return KPIEngine({k.id: k for k in kpis}, ctx, thresholds, found)


LIMITS = Thresholds(warn=Decimal(60), alert=Decimal(75))


# ---------------------------------------------------------------- threshold_crossed


def test_threshold_crossed_warning_and_critical() -> None:
    """70 days (past 60) is a warning to the KPI's readers; 80 days (past 75) is critical, dirigeant added; 50 is ok."""
    watch = Fixed("a", {FEB_2026: "70"}, thresholds=LIMITS, label="Délai A")
    bad = Fixed("b", {FEB_2026: "80"}, thresholds=LIMITS, label="Délai B", audiences=("daf", "operations"))
    fine = Fixed("c", {FEB_2026: "50"}, thresholds=LIMITS)
    found = alerts.ThresholdCrossed().evaluate(engine_of(watch, bad, fine), FEB_2026, DEFAULTS)
    assert [(a.kpis, a.severity, a.audiences) for a in found] == [
        (("a",), "warning", ("daf",)),
        (("b",), "critical", ("daf", "operations", "dirigeant")),
    ]
    critical = found[1]
    assert critical.figures["value"] == f"80{NBSP}j" and critical.figures["threshold"] == f"75{NBSP}j"
    assert critical.message["fr"] == (
        f"Délai B sur le mois à fin février 2026 : 80{NBSP}j, au-dessus du seuil d'alerte de 75{NBSP}j."
    )
    assert f"80{NBSP}days, above the alert threshold of 75{NBSP}days" in critical.message["en"]
    assert found[0].title["fr"] == "Délai A : à surveiller"


def test_threshold_crossed_money_below_threshold_and_config_override() -> None:
    """Cash of 1 234 567 € under a 2 M€ alert floor is critical; the config's lower floor makes it ok."""
    cash = Fixed("cash", {FEB_2026: "1234567"}, unit="money", direction="up",
                 thresholds=Thresholds(alert=Decimal(2_000_000)), label="Trésorerie")
    found = alerts.ThresholdCrossed().evaluate(engine_of(cash), FEB_2026, DEFAULTS)
    assert found[0].message["fr"] == (
        f"Trésorerie sur le mois à fin février 2026 : 1{NNBSP}234{NNBSP}567{NBSP}€, "
        f"en dessous du seuil d'alerte de 2{NNBSP}000{NNBSP}000{NBSP}€."
    )
    assert "€1,234,567, below the alert threshold of €2,000,000" in found[0].message["en"]
    relaxed = engine_of(cash, thresholds={"cash": Thresholds(alert=Decimal(1_000_000))})
    assert alerts.ThresholdCrossed().evaluate(relaxed, FEB_2026, DEFAULTS) == []


def test_threshold_crossed_uses_the_headline_window() -> None:
    """A KPI whose headline is LTM is judged on its LTM value (the window ending at the period)."""
    ltm = Fixed("l", {FEB_2026: "90"}, thresholds=LIMITS, headline="ltm")
    found = alerts.ThresholdCrossed().evaluate(engine_of(ltm), FEB_2026, DEFAULTS)
    assert found[0].severity == "critical" and found[0].figures["window"] == "ltm"
    assert "sur 12 mois glissants" in found[0].message["fr"]


# ---------------------------------------------------------------- covenant


def dscr(value: str) -> Fixed:
    """A DSCR of ``value`` with the 1.5 / 1.25 thresholds of the demo's bank."""
    return Fixed("dscr", {FEB_2026: value}, unit="ratio", direction="up", label="DSCR",
                 thresholds=Thresholds(warn=Decimal("1.5"), alert=Decimal("1.25")), audiences=("daf", "banquier"))


def test_covenant_below_alert_threshold_is_critical_for_the_banker() -> None:
    """DSCR 1,10 < 1,25: one critical covenant alert, and threshold_crossed leaves it to covenant."""
    engine = engine_of(dscr("1.10"))
    found = alerts.Covenant().evaluate(engine, FEB_2026, DEFAULTS)
    assert [(a.severity, a.audiences, a.kpis) for a in found] == [
        ("critical", ("banquier", "daf", "dirigeant"), ("dscr",)),
    ]
    assert found[0].figures == {"value": "1,10", "threshold": "1,25", "window": "month"}
    assert alerts.ThresholdCrossed().evaluate(engine, FEB_2026, DEFAULTS) == []


def test_covenant_ignored_hands_dscr_back_to_threshold_crossed() -> None:
    """With covenant ignored, the DSCR in alert is a critical threshold_crossed alert."""
    found = alerts.ThresholdCrossed().evaluate(engine_of(dscr("1.10")), FEB_2026, {"ignore": ["covenant"]})
    assert [(a.rule, a.severity) for a in found] == [("threshold_crossed", "critical")]


def test_covenant_quiet_between_watch_and_alert_and_for_liquidity() -> None:
    """DSCR 1,40 (watch zone) is no covenant breach; liquidité générale 1,2 < 1,5 is one."""
    liquidity = Fixed("liquidite_generale", {FEB_2026: "1.2"}, unit="ratio", direction="up",
                      thresholds=Thresholds(alert=Decimal("1.5")), label="Liquidité générale")
    found = alerts.Covenant().evaluate(engine_of(dscr("1.40"), liquidity), FEB_2026, DEFAULTS)
    assert [a.kpis for a in found] == [("liquidite_generale",)]
    assert "1,20, sous le seuil d'alerte de 1,50" in found[0].message["fr"]


# ---------------------------------------------------------------- budget_overrun


def small_with_budget(small_datasets: dict[str, pd.DataFrame], revenue: str, purchases: str) -> KPIEngine:
    """The small company with a budget of ``revenue`` CA and ``purchases`` achats consommés a month in 2026."""
    rows = [(f"2026-0{m}", line, amount) for m in (1, 2)
            for line, amount in (("chiffre_affaires", revenue), ("achats_consommes", purchases),
                                 ("immobilisations_corporelles", "1"))]
    budget = BUDGET.coerce(pd.DataFrame(rows, columns=["period", "line", "amount"], dtype=object), "test")
    return KPIEngine(builtin_kpis(), CompanyData({**small_datasets, "budget": budget}, SMALL_COMPANY))


def test_budget_overrun_flags_charges_above_and_revenue_below(small_datasets: dict[str, pd.DataFrame]) -> None:
    """YTD Feb 2026: CA 22 000 vs 24 000 budgeted (−8,3 %), achats 6 000 vs 5 600 (+7,1 %): two warnings."""
    engine = small_with_budget(small_datasets, "12000", "2800")
    found = alerts.BudgetOverrun().evaluate(engine, FEB_2026, DEFAULTS)
    assert [(a.figures["line"], a.severity, a.audiences) for a in found] == [
        ("chiffre_affaires", "warning", ("daf", "dirigeant")),
        ("achats_consommes", "warning", ("daf", "dirigeant")),
    ]
    revenue, purchases = found
    assert revenue.kpis == ("chiffre_affaires",)
    assert revenue.figures["gap"] == f"−2{NNBSP}000{NBSP}€" and revenue.figures["gap_pct"] == f"−8,3{NBSP}%"
    assert purchases.message["fr"] == (
        f"Achats consommés de janvier 2026 à février 2026 : 6{NNBSP}000{NBSP}€ pour un budget de "
        f"5{NNBSP}600{NBSP}€, soit 400{NBSP}€ de plus (+7,1{NBSP}%)."
    )
    assert purchases.title == {"fr": "Dépassement du budget : Achats consommés", "en": "Over budget: Materials consumed"}
    assert "€400 over (+7.1%)" in purchases.message["en"]


def test_budget_overrun_within_tolerance_or_favourable_is_quiet(small_datasets: dict[str, pd.DataFrame]) -> None:
    """At 10 % tolerance −8,3 % and +7,1 % pass; the real budget (CA above, achats below) never alerts."""
    engine = small_with_budget(small_datasets, "12000", "2800")
    assert alerts.BudgetOverrun().evaluate(engine, FEB_2026, {**DEFAULTS, "budget_overrun_pct": 10}) == []
    favourable = small_with_budget(small_datasets, "10500", "3200")
    assert alerts.BudgetOverrun().evaluate(favourable, FEB_2026, DEFAULTS) == []


# ---------------------------------------------------------------- late_payers


#: Open sale invoices at 28/02/2026: 1 200 + 2 400 + 600 + 15 800 = 20 000 € TTC.
#: Lateness is counted from the due date (issue 13): Client Un: 1 200 due 14/11/2025, 106 days
#: past due (16 + 31 + 31 + 28), and 2 400 due 14/02/2026 (14 days). Client Deux: 600 issued
#: and due 01/11/2025 (119 days past due), paid only in March.
#: Client Trois paid in time; Client Quatre owes 15 800 from February; a purchase and a
#: cancelled invoice do not count.
RECEIVABLES = [
    ("sale", "FA-1", "Client Un", "15/10/2025", "14/11/2025", "", "1000", "1200", "issued"),
    ("sale", "FA-2", "Client Un", "15/01/2026", "14/02/2026", "", "2000", "2400", "issued"),
    ("sale", "FA-3", "Client Deux", "01/11/2025", "01/11/2025", "10/03/2026", "500", "600", "paid"),
    ("sale", "FA-4", "Client Trois", "01/09/2025", "01/10/2025", "01/12/2025", "5000", "6000", "paid"),
    ("sale", "FA-5", "Client Quatre", "10/02/2026", "12/03/2026", "", "13000", "15800", "issued"),
    ("purchase", "FF-1", "Fournisseur", "01/06/2025", "01/07/2025", "", "9000", "9000", "issued"),
    ("sale", "FA-6", "Client Cinq", "01/06/2025", "01/07/2025", "", "9000", "9000", "cancelled"),
]


def invoices(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    """A coerced ``invoices`` frame (first row = line 2)."""
    columns = ["kind", "number", "counterparty", "issue_date", "due_date", "paid_date",
               "amount_excl_tax", "amount_incl_tax", "status"]
    return INVOICES.coerce(pd.DataFrame(rows, columns=columns, dtype=object), "test")


def receivables() -> pd.DataFrame:
    """The invoices of RECEIVABLES."""
    return invoices(RECEIVABLES)


def test_late_payers_critical_above_share_and_warning_below() -> None:
    """Client Un: 1 200 € over 90 days = 6 % of 20 000 € > 5 %: critical; Client Deux: 600 € = 3 %: warning."""
    engine = engine_of(datasets={"invoices": receivables()})
    found = alerts.LatePayers().evaluate(engine, FEB_2026, DEFAULTS)
    assert [(a.figures["customer"], a.severity) for a in found] == [("Client Un", "critical"), ("Client Deux", "warning")]
    first = found[0]
    assert first.audiences == ("daf", "banquier", "dirigeant")
    assert first.figures["amount"] == f"1{NNBSP}200{NBSP}€" and first.figures["share"] == f"6,0{NBSP}%"
    assert first.figures["oldest_days"] == "106 j" and first.figures["open_receivables"] == f"20{NNBSP}000{NBSP}€"
    assert first.message["fr"].startswith(
        f"Client Un : 1{NNBSP}200{NBSP}€ TTC échus depuis plus de 30 jours à fin février 2026 (1 facture, "
        "la plus ancienne échue depuis 106 jours)"
    )


def test_late_payers_grouped_when_several_are_below_the_share() -> None:
    """At a 10 % share both are warnings, grouped in one alert with figures per customer (1 800 € = 9 %)."""
    engine = engine_of(datasets={"invoices": receivables()})
    found = alerts.LatePayers().evaluate(engine, FEB_2026, {**DEFAULTS, "late_payment_share_pct": 10})
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].figures == {
        "Client Un": f"1{NNBSP}200{NBSP}€ (1 facture, 6,0{NBSP}%)",
        "Client Deux": f"600{NBSP}€ (1 facture, 3,0{NBSP}%)",
    }
    assert f"2 clients ont 1{NNBSP}800{NBSP}€ TTC échus" in found[0].message["fr"]
    assert f"9,0{NBSP}%" in found[0].message["fr"]


def test_late_payers_delay_setting() -> None:
    """At 110 days only Client Deux's invoice, 119 days past due, is late (Client Un's is 106 days past
    due although issued 136 days before: lateness runs from the due date)."""
    engine = engine_of(datasets={"invoices": receivables()})
    found = alerts.LatePayers().evaluate(engine, FEB_2026, {**DEFAULTS, "late_payment_days": 110})
    assert [a.figures["customer"] for a in found] == ["Client Deux"]


# ---------------------------------------------------------------- bfr_vs_revenue

FEB_2025 = Month(2025, 2)


def bfr_engine(bfr_then: str, bfr_now: str, ca_then: str, ca_now: str, *extra: KPI) -> KPIEngine:
    """An engine whose BFR (month end) and CA (LTM) are given for February 2025 and February 2026."""
    bfr = Fixed("bfr", {FEB_2025: bfr_then, FEB_2026: bfr_now}, unit="money")
    revenue = Fixed("chiffre_affaires", {FEB_2025: ca_then, FEB_2026: ca_now}, unit="money", direction="up")
    return engine_of(bfr, revenue, *extra)


def test_bfr_growing_faster_than_revenue_is_a_warning() -> None:
    """BFR 100 000 → 120 000 € (+20 %) while LTM revenue 1 000 000 → 1 100 000 € (+10 %)."""
    found = alerts.BfrVsRevenue().evaluate(bfr_engine("100000", "120000", "1000000", "1100000"), FEB_2026, DEFAULTS)
    assert [(a.severity, a.audiences, a.kpis) for a in found] == [
        ("warning", ("dirigeant", "daf"), ("bfr", "chiffre_affaires")),
    ]
    assert found[0].figures["bfr_growth_pct"] == f"+20,0{NBSP}%"
    assert found[0].figures["revenue_growth_pct"] == f"+10,0{NBSP}%"
    # never « la croissance consomme de la trésorerie »: revenue growth does not explain the BFR (issue 13)
    assert "le BFR absorbe de la trésorerie au-delà de l'activité" in found[0].message["fr"]
    assert "croissance consomme" not in found[0].message["fr"]


def test_bfr_growing_slower_than_revenue_is_quiet() -> None:
    """BFR +20 % while revenue +25 % (1 000 000 → 1 250 000 €): no alert; unknown BFR: no alert."""
    assert alerts.BfrVsRevenue().evaluate(bfr_engine("100000", "120000", "1000000", "1250000"), FEB_2026, DEFAULTS) == []
    assert alerts.BfrVsRevenue().evaluate(engine_of(), FEB_2026, DEFAULTS) == []


def test_bfr_growth_kpi_sets_severity_and_is_not_repeated() -> None:
    """With the BFR-vs-CA KPI in alert the alert is critical, and threshold_crossed does not repeat it."""
    growth = Fixed(alerts.BFR_GROWTH_KPI, {FEB_2026: "10"}, unit="percent", thresholds=Thresholds(alert=Decimal(0)))
    engine = bfr_engine("100000", "120000", "1000000", "1100000", growth)
    found = alerts.BfrVsRevenue().evaluate(engine, FEB_2026, DEFAULTS)
    assert [a.severity for a in found] == ["critical"]
    assert alerts.ThresholdCrossed().evaluate(engine, FEB_2026, DEFAULTS) == []


# ---------------------------------------------------------------- data_gaps and the host


def test_data_gaps_turns_blocking_issues_into_alerts_for_the_daf() -> None:
    """One blocking and one warning issue handed over by the host: one critical alert for daf."""
    stop = Issue("duplicate_invoice", "blocking", {"fr": "Facture en double", "en": "Duplicate invoice"},
                 "invoices", (2, 4))
    watch = Issue("duplicate_entry", "warning", {"fr": "x", "en": "x"}, "entries")
    found = gates.run_alerts(engine_of(issues=[stop, watch]), get_registry(), FEB_2026, {})
    assert [(a.rule, a.severity, a.audiences) for a in found] == [("data_gaps", "critical", ("daf",))]
    assert found[0].message == {"fr": "Facture en double", "en": "Duplicate invoice"}
    assert found[0].figures == {"check": "duplicate_invoice", "dataset": "invoices", "lines": "2, 4"}


def test_data_gaps_reports_what_the_checks_found() -> None:
    """The checks the host runs on a doubled invoice find it (lines 2 and 3); data_gaps reports it."""
    doubled = invoices([RECEIVABLES[0], RECEIVABLES[0]])
    found = alerts.DataGaps().evaluate(engine_of(datasets={"invoices": doubled}), FEB_2026, DEFAULTS)
    assert [a.figures.get("lines") for a in found] == ["2, 3"]


def test_run_alerts_sorts_critical_first_and_honours_ignore() -> None:
    """A warning KPI, a critical KPI and a late payer: critical ones first; ignored rules are skipped."""
    watch = Fixed("a", {FEB_2026: "70"}, thresholds=LIMITS)
    bad = Fixed("b", {FEB_2026: "80"}, thresholds=LIMITS)
    engine = engine_of(watch, bad, datasets={"invoices": receivables()}, issues=[])
    found = gates.run_alerts(engine, get_registry(), FEB_2026, {})
    assert [a.severity for a in found] == ["critical", "critical", "warning", "warning"]
    assert {a.rule for a in found} == {"threshold_crossed", "late_payers"}
    quiet = gates.run_alerts(engine, get_registry(), FEB_2026, {"ignore": ["late_payers"]})
    assert {a.rule for a in quiet} == {"threshold_crossed"}


# ---------------------------------------------------------------- the demo story


@pytest.fixture(scope="module")
def demo_alerts() -> Iterator[list[Alert]]:
    """The demo company's alerts for October 2026, computed once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            inputs = load_inputs(load_config(DEMO_CONFIG))
            yield list(compute(inputs).alerts)
        finally:
            plugins.reset()


def test_demo_late_payer_is_groupe_autoliance(demo_alerts: list[Alert]) -> None:
    """The demo's story: Groupe Autoliance pays late from 2026 and weighs more than 5 % of receivables."""
    late = [a for a in demo_alerts if a.rule == "late_payers"]
    assert [(a.figures["customer"], a.severity) for a in late] == [("Groupe Autoliance", "critical")]


def test_demo_raw_materials_over_budget(demo_alerts: list[Alert]) -> None:
    """Raw-material prices rising since mid-2025 put achats consommés over budget year to date."""
    over = [a.figures["line"] for a in demo_alerts if a.rule == "budget_overrun"]
    assert "achats_consommes" in over


def test_demo_dso_crosses_its_threshold(demo_alerts: list[Alert]) -> None:
    """The late payer pushes the DSO past its threshold."""
    assert any(a.rule == "threshold_crossed" and a.kpis == ("dso",) for a in demo_alerts)


def test_the_six_rules_are_registered_through_the_hook() -> None:
    """The built-in plugin registers every rule of the brief, each described in both languages."""
    rules = get_registry().alert_rules
    assert set(rules) == {"threshold_crossed", "budget_overrun", "late_payers", "bfr_vs_revenue", "covenant", "data_gaps"}
    assert all(set(r.description) == {"fr", "en"} for r in rules.values())
