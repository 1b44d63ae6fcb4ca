"""VAN, TRI and payback KPIs over the config's [investments] projects."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boardpack.config import load_config
from boardpack.default_plugins.kpis import investment as kpis_investment
from boardpack.default_plugins.kpis.investment import Investment
from boardpack.api import Unavailable
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month, Window

from conftest import SMALL_COMPANY, SMALL_CONFIG, SmallCompany

KPIS = {kpi.id: kpi for kpi in kpis_investment.register_kpis()}
CENT = Decimal("0.01")
MONTH = Window("month", Month(2026, 2), Month(2026, 2))
FY = Window("fy", Month(2025, 1), Month(2025, 12))

# −1 000 then 500 × 3 at 10 %: VAN 243,43, TRI 23,38 %, payback 2 years (textbook)
MACHINE = Investment("machine", "Centre d'usinage", Decimal("0.10"), Decimal(1000), (Decimal(500),) * 3)
# −1 000 then 600 × 2 at 5 %: VAN 600/1,05 + 600/1,1025 − 1 000 = 571,43 + 544,22 − 1 000 = 115,65;
# TRI 13,07 % (600x² + 600x = 1 000); payback 1 + 400/600 = 1,6667 years
ROBOT = Investment("robot", "Robot", Decimal("0.05"), Decimal(1000), (Decimal(600),) * 2)
# −1 000 then 100 × 2 at 5 %: never repaid; TRI −62,98 %
STAND = Investment("salon", "Stand", Decimal("0.05"), Decimal(1000), (Decimal(100),) * 2)


def ctx(*projects: Investment) -> CompanyData:
    """A context holding only investment projects."""
    return CompanyData({}, SMALL_COMPANY, tables={"investments": {p.key: {"label": p.label, "rate": p.rate, "outlay": p.outlay,
                                                               "cash_flows": p.cash_flows, "main": p.main}
                                                       for p in projects}})


def figure(context: CompanyData, kpi_id: str, window: Window = MONTH) -> Decimal:
    """The KPI's value rounded to the cent (fails if unavailable)."""
    value, why = KPIEngine(KPIS, context).value(KPIS[kpi_id], window)
    assert value is not None, why
    return value.quantize(CENT)


def reason(context: CompanyData, kpi_id: str) -> str:
    """Why the KPI is unavailable."""
    value, why = KPIEngine(KPIS, context).value(KPIS[kpi_id], MONTH)
    assert value is None and why
    return why


def test_single_project_textbook() -> None:
    """The only project is the one shown: VAN 243,43 €, TRI 23,38 %, payback 2 years."""
    only = ctx(MACHINE)
    assert figure(only, "van") == Decimal("243.43")
    assert figure(only, "tri") == Decimal("23.38")
    assert figure(only, "delai_recuperation") == Decimal(2)


def test_value_does_not_depend_on_the_window() -> None:
    """The month of February 2026 and the fiscal year 2025 give the same VAN."""
    assert figure(ctx(MACHINE), "van", MONTH) == figure(ctx(MACHINE), "van", FY) == Decimal("243.43")


def test_main_project_among_several() -> None:
    """With the robot marked main, its figures are shown: 115,65 €, 13,07 %, 1,67 years."""
    main_robot = Investment(**{**ROBOT.__dict__, "main": True})
    several = ctx(MACHINE, main_robot)
    assert figure(several, "van") == Decimal("115.65")
    assert figure(several, "tri") == Decimal("13.07")
    assert figure(several, "delai_recuperation") == Decimal("1.67")


def test_several_projects_without_main() -> None:
    """Two projects and none marked main: unavailable, the breakdown gives each one by label."""
    several = ctx(MACHINE, ROBOT)
    for kpi_id in KPIS:
        assert reason(several, kpi_id) == "plusieurs projets : voir le détail par projet"
    van = KPIS["van"].breakdown(several, MONTH)
    assert list(van) == ["Centre d'usinage", "Robot"]  # largest first
    assert van == {"Centre d'usinage": Decimal("243.43"), "Robot": Decimal("115.65")}
    payback = KPIS["delai_recuperation"].breakdown(several, MONTH)
    assert {k: v.quantize(CENT) for k, v in payback.items()} == {"Robot": Decimal("1.67"), "Centre d'usinage": 2}


def test_two_main_projects() -> None:
    """Two projects marked main is ambiguous: unavailable, naming them."""
    both = ctx(Investment(**{**MACHINE.__dict__, "main": True}), Investment(**{**ROBOT.__dict__, "main": True}))
    assert "Centre d'usinage, Robot" in reason(both, "van")


def test_no_project() -> None:
    """Without [investments] every investment KPI says so."""
    for kpi_id in KPIS:
        assert "aucun projet d'investissement" in reason(ctx(), kpi_id)
    with pytest.raises(Unavailable, match="aucun projet"):
        KPIS["van"].breakdown(ctx(), MONTH)


def test_project_never_repaid() -> None:
    """A project whose flows never cover the outlay has no payback; the breakdown leaves it out."""
    assert "ne couvrent jamais" in reason(ctx(STAND), "delai_recuperation")
    assert figure(ctx(STAND), "tri") == Decimal("-62.98")  # a TRI exists, negative
    assert set(KPIS["delai_recuperation"].breakdown(ctx(MACHINE, STAND), MONTH)) == {"Centre d'usinage"}
    with pytest.raises(Unavailable, match="Stand"):
        KPIS["delai_recuperation"].breakdown(ctx(STAND), MONTH)


def test_project_without_irr() -> None:
    """Flows that never come back give « pas de TRI »."""
    lost = Investment("perte", "Perte", Decimal("0.05"), Decimal(1000), (Decimal(0), Decimal(-100)))
    assert "pas de TRI" in reason(ctx(lost), "tri")
    assert figure(ctx(lost), "van") < 0


def test_duplicate_labels_are_told_apart() -> None:
    """Two projects with the same label are keyed « label (id) » in the breakdown."""
    twin = Investment("machine2", "Centre d'usinage", Decimal("0.10"), Decimal(1000), (Decimal(600),) * 2)
    assert set(KPIS["van"].breakdown(ctx(MACHINE, twin), MONTH)) == {
        "Centre d'usinage (machine)", "Centre d'usinage (machine2)"}


def test_config_projects_reach_the_kpis(small_company: SmallCompany) -> None:
    """[investments.machine] in the config gives the textbook VAN through a build session."""
    from boardpack.build import load_inputs, make_engine

    small_company.config.write_text(
        SMALL_CONFIG + "\n[investments.machine]\nlabel = \"Centre d'usinage\"\nrate = 0.10\n"
        "outlay = 1000\ncash_flows = [500, 500, 500]\n", encoding="utf-8")
    engine = make_engine(load_inputs(load_config(small_company.config)))
    result = engine.result(engine.kpis["van"], Month(2026, 2), "month")
    assert result.value is not None and result.value.quantize(CENT) == Decimal("243.43")
