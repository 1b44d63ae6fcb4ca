"""The DAF detail, operations and banker sections (statements, commercial, ops, synthesis) and the waterfall chart.

The modules are not in DEFAULT_PLUGINS yet: each test registers them by patching the list.

Figures come from two places, never from the sections' output:

* the small company of conftest, with the invoices, deals and loans below, worked out by hand;
* the demo CSV files, recomputed here with the csv module.

Crafted invoices (period 2026-02, end 28/02/2026, fiscal year = calendar year):

====  =====  ========  ==========  ==========  ==========  ======  ======  ====  ========
no.   kind   party     issued      due         paid        HT      TTC     deal  status
====  =====  ========  ==========  ==========  ==========  ======  ======  ====  ========
S0    sale   Alpha     20/01/2025  19/02/2025  10/03/2025   4 000   4 800        paid
S1    sale   Alpha     15/11/2025  15/12/2025               5 000   6 000  D1    issued
S2    sale   Alpha     10/01/2026  09/02/2026  04/02/2026   1 000   1 200  D2    paid
S3    sale   Alpha     01/02/2026  03/03/2026               2 000   2 400  D2    issued
S4    sale   Beta      20/01/2026  31/01/2026  19/02/2026     500     600  D3    paid
S5    sale   Beta      10/02/2026  10/02/2026                −100    −120        issued
S6    sale   (C3)      05/01/2026  04/02/2026  03/03/2026     300     360        paid
S7    sale   Gamma     12/02/2026  14/03/2026                 700     840        draft
S8    sale   Gamma     01/12/2025  31/12/2025                 900   1 080        paid
S9    sale   Alpha     15/09/2025  15/10/2025               1 500   1 800        issued
P1    purch  Four. Un  20/01/2026  20/02/2026  25/02/2026   3 000   3 600        paid
P2    purch  Four. Un  20/02/2026  20/03/2026               3 000   3 600        issued
P3    purch  Four. 2   10/12/2025  09/01/2026                 800     960        issued
P4    purch  Four. 2   05/02/2026  05/02/2026  15/02/2026     200     240        paid
P5    purch  Four. 3   02/01/2026  01/02/2026                 400     480        cancelled
====  =====  ========  ==========  ==========  ==========  ======  ======  ====  ========

Open at 28/02/2026 (days past due): S1 6 000 (75 → 61–90), S3 2 400 (−3 → not due),
S5 −120 (18 → 1–30), S6 360 (paid after the end; 24 → 1–30), S9 1 800 (136 → over 90);
S8 is « paid » without a date, so closed. Receivables by bucket: 2 400 / 240 / 0 / 6 000 /
1 800, total 10 440. Payables: P2 3 600 not due, P3 960 (50 → 31–60), total 4 560.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib.colors
import pytest
from matplotlib.figure import Figure

from boardpack import plugins
from boardpack.build import build, prepare
from boardpack.config import Config, load_config
from boardpack.formatting import Formatter
from boardpack.api import Unavailable
from boardpack.build.pack import Pack as PackContext
from boardpack.periods import Month, Window
from boardpack.plugins import Registry
from boardpack.render.charts import ChartRenderer
from boardpack.api import ChartStyle

from conftest import DEMO_CONFIG, SMALL_CONFIG, write_small_company

MINE = (
    "boardpack.default_plugins.charts.waterfall",
    "boardpack.default_plugins.sections.statements",
    "boardpack.default_plugins.sections.commercial",
    "boardpack.default_plugins.sections.ops",
    "boardpack.default_plugins.sections.synthesis",
)
SECTIONS = {
    "compte_resultat_mensuel": "daf", "cascade_tresorerie": "daf", "marges_produits_clients": "daf",
    "clients_fournisseurs": "daf", "balance_agee": "daf", "delais_cycle": "operations",
    "rotation_stocks": "operations", "note_de_synthese": "banquier",
}
DEMO_DATA = DEMO_CONFIG.parent / "data"
FR = Formatter("fr")

CRAFTED_INVOICES = """\
kind;number;counterparty;counterparty_id;segment;product;issue_date;due_date;paid_date;amount_excl_tax;amount_incl_tax;discount;deal_id;status
sale;S0;Alpha;C1;Industrie;Pièces;20/01/2025;19/02/2025;10/03/2025;4 000,00;4 800,00;0,00;;paid
sale;S1;Alpha;C1;Industrie;Pièces;15/11/2025;15/12/2025;;5 000,00;6 000,00;0,00;D1;issued
sale;S2;Alpha;C1;Industrie;Pièces;10/01/2026;09/02/2026;04/02/2026;1 000,00;1 200,00;100,00;D2;paid
sale;S3;Alpha;C1;Industrie;Outillage;01/02/2026;03/03/2026;;2 000,00;2 400,00;0,00;D2;issued
sale;S4;Beta;C2;Services;Outillage;20/01/2026;31/01/2026;19/02/2026;500,00;600,00;50,00;D3;paid
sale;S5;Beta;C2;Services;Outillage;10/02/2026;10/02/2026;;-100,00;-120,00;0,00;;issued
sale;S6;;C3;;;05/01/2026;04/02/2026;03/03/2026;300,00;360,00;;;paid
sale;S7;Gamma;C4;Industrie;Pièces;12/02/2026;14/03/2026;;700,00;840,00;0,00;;draft
sale;S8;Gamma;C4;Industrie;Pièces;01/12/2025;31/12/2025;;900,00;1 080,00;0,00;;paid
sale;S9;Alpha;C1;Industrie;Pièces;15/09/2025;15/10/2025;;1 500,00;1 800,00;0,00;;issued
purchase;P1;Fournisseur Un;F1;;;20/01/2026;20/02/2026;25/02/2026;3 000,00;3 600,00;;;paid
purchase;P2;Fournisseur Un;F1;;;20/02/2026;20/03/2026;;3 000,00;3 600,00;;;issued
purchase;P3;Fournisseur Deux;F2;;;10/12/2025;09/01/2026;;800,00;960,00;;;issued
purchase;P4;Fournisseur Deux;F2;;;05/02/2026;05/02/2026;15/02/2026;200,00;240,00;;;paid
purchase;P5;Fournisseur Trois;F3;;;02/01/2026;01/02/2026;;400,00;480,00;;;cancelled
"""

# Won deals: D1 quote 10/09/2025, signed 01/10/2025 (21 days), first invoice S1 15/11/2025 (45 days);
# D2 quote 05/12/2025, signed 04/01/2026 (30), first invoice S2 10/01/2026 (6), S2 paid after 25 days;
# D3 quote 02/01/2026, signed 15/01/2026 (13), invoice S4 20/01/2026 (5), paid after 30 days, all its
# invoices paid: quote → last cash-in 48 days. D5 was signed before the window; D4 is lost; D6 is open
# (created 10/02/2026: the CRM reaches 2026-02).
CRAFTED_DEALS = """\
deal_id;pipeline;stage;stage_probability;amount;created_date;quote_date;close_date;status;segment
D1;Ventes;Gagné;1,00;5 000,00;01/09/2025;10/09/2025;01/10/2025;won;Industrie
D2;Ventes;Gagné;1,00;3 000,00;01/12/2025;05/12/2025;04/01/2026;won;Industrie
D3;Ventes;Gagné;1,00;500,00;01/01/2026;02/01/2026;15/01/2026;won;Services
D4;Ventes;Perdu;0,00;1 000,00;01/06/2025;05/06/2025;30/06/2025;lost;Services
D5;Ventes;Gagné;1,00;800,00;01/01/2025;10/01/2025;20/02/2025;won;Services
D6;Ventes;Qualification;0,10;2 000,00;10/02/2026;;;open;Industrie
"""


def _fr(amount: int) -> str:
    return f"{amount},00"


def crafted_loans() -> str:
    """EMP-1: 1 500 + 300 a month from 2025-01 to 2027-06; EMP-2: 1 000 + 100 from 2026-01 to 2026-08,
    10 000 borrowed, so 2 000 still due after its last row (an incomplete schedule)."""
    rows = ["loan;lender;period;principal_due;interest_due;outstanding"]
    month = Month(2025, 1)
    for k in range(1, 31):
        rows.append(f"EMP-1;Banque Test;{month};1500,00;300,00;{_fr(90000 - 1500 * k)}")
        month = month.shift(1)
    month = Month(2026, 1)
    for k in range(1, 9):
        rows.append(f"EMP-2;Banque Deux;{month};1000,00;100,00;{_fr(10000 - 1000 * k)}")
        month = month.shift(1)
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- plumbing


def _registry() -> Registry:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            return plugins.get_registry()
        finally:
            plugins.reset()


def make_pack(config: Config, registry: Registry, audience: str = "daf") -> PackContext:
    """A pack context for ``audience`` over ``config``'s data, as the build makes it."""
    computed = prepare(config, registry=registry)
    engine = computed.engine
    chosen = next(a for a in config.audiences if a.key == audience)
    fmt = Formatter(chosen.language, config.company.currency)
    style = ChartStyle(
        colours={"primary": "#1f3a5f", "ok": "#2e7d32", "alert": "#c62828", "text": "#1d2330"},
        palette=("#1f3a5f", "#9aaac0"), font="DejaVu Sans", language=chosen.language,
        money=fmt.money_short, number=fmt.number, month=fmt.month_short,
    )
    renderer = ChartRenderer(registry.charts, style, [])
    return PackContext(config, chosen, computed.period, fmt, engine, renderer)


@pytest.fixture(scope="module")
def registry() -> Registry:
    """The built-in plugins plus the three new modules."""
    return _registry()


@pytest.fixture(scope="module")
def demo(registry: Registry) -> PackContext:
    """The demo company's DAF pack context (period 2026-10)."""
    return make_pack(load_config(DEMO_CONFIG), registry)


@pytest.fixture(scope="module")
def demo_contexts(registry: Registry, demo: PackContext) -> Iterator[dict[str, dict[str, Any]]]:
    """Each section's context on the demo, computed once."""
    cache: dict[str, dict[str, Any]] = {}

    class Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> dict[str, Any]:
            cache[name] = registry.sections[name].context(demo)
            return cache[name]

    yield Lazy()


@pytest.fixture(scope="module")
def small(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> PackContext:
    """The small company (period 2026-02) with the crafted invoices, deals and loans."""
    company = write_small_company(tmp_path_factory.mktemp("detail") / "societe")
    company.write("invoices.csv", CRAFTED_INVOICES)
    company.write("deals.csv", CRAFTED_DEALS)
    company.write("loans.csv", crafted_loans())
    return make_pack(load_config(company.config), registry)


def context(registry: Registry, pack: PackContext, name: str) -> dict[str, Any]:
    return registry.sections[name].context(pack)


# ---------------------------------------------------------------- the demo CSVs, read independently


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", ".") or "0")


def _date(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def demo_rows(name: str) -> list[dict[str, str]]:
    with (DEMO_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def demo_entries() -> list[tuple[dt.date, str, str, Decimal]]:
    """(date, account, aux account, debit − credit) of every demo journal line."""
    return [(_date(r["date"]), r["account"], r["aux_account"], _amount(r["debit"]) - _amount(r["credit"]))
            for r in demo_rows("entries.csv")]


def revenue(entries: list[tuple[dt.date, str, str, Decimal]], start: dt.date, end: dt.date) -> Decimal:
    """Chiffre d'affaires: credits − debits of the 70 accounts between two dates (no opening journal there)."""
    return -sum((m for day, account, _, m in entries if account.startswith("70") and start <= day <= end), Decimal(0))


def net_cash(entries: list[tuple[dt.date, str, str, Decimal]], end: dt.date) -> Decimal:
    """Debit balances of 51, 53, 54, 58 minus credit balances of 51, per account and aux, at ``end``."""
    balances: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for day, account, aux, movement in entries:
        if day <= end and account.startswith(("51", "53", "54", "58")):
            balances[(account, aux)] += movement
    return sum((b for b in balances.values() if b > 0), Decimal(0)) + sum(
        (b for (account, _), b in balances.items() if b < 0 and account.startswith("51")), Decimal(0))


# ---------------------------------------------------------------- registration


def test_modules_register_eight_sections_and_the_waterfall(registry: Registry) -> None:
    """The new modules add the eight sections and the waterfall chart next to the built-ins."""
    assert set(SECTIONS) <= set(registry.sections)
    assert "waterfall" in registry.charts
    providers = {registry.providers[("section", name)] for name in SECTIONS}
    assert providers == set(MINE[1:])
    assert {registry.sections[n].page for n in ("compte_resultat_mensuel", "balance_agee")} == {"landscape"}


# ---------------------------------------------------------------- 1. monthly P&L


def test_monthly_pl_total_column_is_the_ytd_pl_on_the_demo(demo: PackContext, demo_contexts: dict) -> None:
    """Every row's months add up to its cumul, which is the YTD P&L; CA per month matches the entries."""
    ctx = demo_contexts["compte_resultat_mensuel"]
    ytd = Window("ytd", Month(2026, 1), Month(2026, 10))
    assert demo.period == Month(2026, 10)
    assert len(ctx["months"]) == 10 and ctx["months"][0] == "janv."
    for row in ctx["rows"]:
        raw = row["raw"]
        assert sum(raw["months"], Decimal(0)) == raw["ytd"] == demo.data.pl(row["id"], ytd)
    entries = demo_entries()
    ca = next(r for r in ctx["rows"] if r["id"] == "chiffre_affaires")
    assert ca["raw"]["months"][2] == revenue(entries, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert ca["raw"]["ytd"] == revenue(entries, dt.date(2026, 1, 1), dt.date(2026, 10, 31))
    assert ca["raw"]["ytd_n1"] == revenue(entries, dt.date(2025, 1, 1), dt.date(2025, 10, 31))


def test_monthly_pl_budget_of_subtotals_from_the_budget_file(demo_contexts: dict) -> None:
    """CA is read from the budget; EBE is rebuilt from its budgeted lines; unbudgeted lines are « — »."""
    budget: dict[str, Decimal] = defaultdict(Decimal)
    for r in demo_rows("budget.csv"):
        if "2026-01" <= r["period"] <= "2026-10":
            budget[r["line"]] += _amount(r["amount"])
    rows = {r["id"]: r for r in demo_contexts["compte_resultat_mensuel"]["rows"]}
    assert rows["chiffre_affaires"]["raw"]["budget"] == budget["chiffre_affaires"]
    expected_ebe = budget["chiffre_affaires"] - sum(budget[line] for line in (
        "achats_consommes", "autres_achats_charges_externes", "impots_taxes", "salaires", "charges_sociales"))
    assert rows["ebe"]["raw"]["budget"] == expected_ebe
    assert rows["achats_matieres"]["budget"] == "—"  # the budget has achats_consommes only
    assert "Production stockée" in demo_contexts["compte_resultat_mensuel"]["zeroed"]


def test_monthly_pl_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """Jan–Feb 2026: CA 11 000 a month, budget 2 × 10 500, N-1 2 × 10 000; EBE 3 800 a month, budget 14 600."""
    ctx = context(registry, small, "compte_resultat_mensuel")
    rows = {r["id"]: r for r in ctx["rows"]}
    ca = rows["chiffre_affaires"]["raw"]
    assert ca == {"months": [Decimal(11000), Decimal(11000)], "ytd": Decimal(22000),
                  "ytd_n1": Decimal(20000), "budget": Decimal(21000)}
    assert rows["chiffre_affaires"]["budget_delta"] == "+1"  # k€
    ebe = rows["ebe"]["raw"]
    assert ebe["months"] == [Decimal(3800), Decimal(3800)] and ebe["ytd"] == Decimal(7600)
    assert ebe["budget"] == Decimal(21000) - Decimal(6400)  # CA − achats consommés 2 × 3 200
    # The budget holds CA and achats consommés only: the subtotals count the other lines with
    # actual amounts as zero, and say so.
    assert ctx["zeroed"] == ["Salaires et traitements", "Charges sociales", "Dotations d'exploitation",
                             "Charges financières"]
    assert rows["resultat_net"]["raw"]["budget"] == Decimal(14600)
    assert rows["salaires"]["budget"] == "—"
    assert ctx["months"] == ["janv.", "févr."]


def test_budget_of_a_subtotal_without_any_budgeted_line_is_unknown(small: PackContext) -> None:
    """Résultat exceptionnel: no line of the budget makes it up, so no budget rather than 0."""
    from boardpack.default_plugins.sections.layouts import budget_of

    ytd = Window("ytd", Month(2026, 1), Month(2026, 2))
    assert budget_of(small, "resultat_exceptionnel", ytd) == (None, [])
    assert budget_of(small, "valeur_ajoutee", ytd) == (Decimal(14600), [])
    assert budget_of(small, "chiffre_affaires", Window("ytd", Month(2027, 1), Month(2027, 2))) == (None, [])


# ---------------------------------------------------------------- 2. cash bridge


def test_cash_bridge_closing_is_opening_plus_flows_on_the_demo(demo_contexts: dict) -> None:
    """The waterfall ends where the steps lead; opening and closing are the net cash of the entries."""
    ctx = demo_contexts["cascade_tresorerie"]
    steps = {s["key"]: s["cents"] for s in ctx["steps"]}
    deltas = [s["cents"] for s in ctx["steps"] if s["kind"] == "delta"]
    assert steps["tresorerie_fin"] == steps["tresorerie_debut"] + sum(deltas)
    entries = demo_entries()
    assert Decimal(steps["tresorerie_debut"]) / 100 == net_cash(entries, dt.date(2025, 12, 31))
    assert Decimal(steps["tresorerie_fin"]) / 100 == net_cash(entries, dt.date(2026, 10, 31))
    assert [s["key"] for s in ctx["steps"]] == ["tresorerie_debut", "caf", "delta_bfr", "fti", "ftf", "tresorerie_fin"]
    assert 'src="data:image/svg+xml;base64,' in ctx["chart"]


def test_cash_bridge_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """Net cash 78 800 at end 2025 (80 300 − 1 500 overdraft), 86 000 at end Feb 2026; CAF 5 000 + 2 000."""
    steps = {s["key"]: s["cents"] for s in context(registry, small, "cascade_tresorerie")["steps"]}
    assert steps["tresorerie_debut"] == 7_880_000
    assert steps["tresorerie_fin"] == 8_600_000
    assert steps["caf"] == 700_000
    assert steps["tresorerie_fin"] - steps["tresorerie_debut"] == sum(
        steps[k] for k in ("caf", "delta_bfr", "fti", "ftf"))


def test_waterfall_bars_and_colours(registry: Registry) -> None:
    """Totals stand on zero, steps float on the running total; rises green, falls red, totals primary."""
    from boardpack.default_plugins.charts.waterfall import waterfall_bars

    assert waterfall_bars([100, 50, -30, 120], ["total", "delta", "delta", "total"]) == [
        (0.0, 100), (100, 150), (150, 120), (0.0, 120)]
    fmt = Formatter("fr")
    style = ChartStyle(colours={"primary": "#1f3a5f", "ok": "#2e7d32", "alert": "#c62828"}, palette=("#000000",),
                       font="DejaVu Sans", language="fr", money=fmt.money_short, number=fmt.number,
                       month=fmt.month_short)
    figure = Figure()
    registry.charts["waterfall"].draw(figure, {"x": ["Ouverture", "CAF", "BFR", "Clôture"],
                                               "series": [{"label": "", "values": [100, 50, -30, 120]}],
                                               "unit": "money"}, style)
    ax = figure.axes[0]
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == ["#1f3a5f", "#2e7d32", "#c62828", "#1f3a5f"]
    assert [t.get_text() for t in ax.texts] == ["100\u00a0€", "+50\u00a0€", "\u221230\u00a0€", "120\u00a0€"]
    with pytest.raises(Unavailable):
        registry.charts["waterfall"].draw(Figure(), {"x": ["a", "b"], "series": [{"values": [1, None]}]}, style)


# ---------------------------------------------------------------- 3. revenue by product and customer


def test_revenue_mix_on_the_demo_matches_the_invoices(demo_contexts: dict) -> None:
    """Totals by product and the top customer equal the sums of the demo's sale invoices, Jan–Oct 2026."""
    by_product: dict[str, Decimal] = defaultdict(Decimal)
    by_customer: dict[str, Decimal] = defaultdict(Decimal)
    discounts: dict[str, Decimal] = defaultdict(Decimal)
    for r in demo_rows("invoices.csv"):
        issued = _date(r["issue_date"])
        if r["kind"] == "sale" and r["status"] not in ("draft", "cancelled") and \
                dt.date(2026, 1, 1) <= issued <= dt.date(2026, 10, 31):
            by_product[r["product"]] += _amount(r["amount_excl_tax"])
            by_customer[r["counterparty"]] += _amount(r["amount_excl_tax"])
            discounts[r["product"]] += _amount(r["discount"])
    ctx = demo_contexts["marges_produits_clients"]
    assert ctx["raw"]["total"] == sum(by_product.values())
    products = {row["label"]: row for row in ctx["products"]}
    for product, amount in by_product.items():
        assert products[product]["raw"] == amount
        assert products[product]["discount"] == FR.money(discounts[product])
    first = max(by_customer, key=lambda k: by_customer[k])
    assert ctx["customers"][0]["label"] == first and ctx["customers"][0]["raw"] == by_customer[first]
    assert len(ctx["customers"]) == 12  # ten, the others, the total
    assert sum(row["raw"] for row in ctx["customers"][:-1]) == ctx["customers"][-1]["raw"]


def test_revenue_mix_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """Outillage 2 400 (2 000 + 500 − 100), Pièces 1 000, not given 300; discounts 50 and 100; Alpha down 25 %."""
    ctx = context(registry, small, "marges_produits_clients")
    assert [(r["label"], r["raw"]) for r in ctx["products"]] == [
        ("Outillage", Decimal(2400)), ("Pièces", Decimal(1000)), ("(non renseigné)", Decimal(300)),
        ("Total", Decimal(3700))]
    outillage, pieces = ctx["products"][0], ctx["products"][1]
    assert (outillage["discount"], pieces["discount"]) == (FR.money(50), FR.money(100))
    assert pieces["discount_rate"] == FR.percent(Decimal(100) / 1100 * 100)  # 100 / (1 000 + 100)
    assert pieces["n1"] == FR.money(4000) and outillage["n1"] == FR.money(0)
    assert [(r["label"], r["raw"], r["n1_delta"]) for r in ctx["customers"]] == [
        # new customers: no %, the amount gained (issue 13)
        ("Alpha", Decimal(3000), FR.percent(-25)), ("Beta", Decimal(400), "+400\u00a0€"), ("C3", Decimal(300), "+300\u00a0€"),
        ("Total", Decimal(3700), FR.percent(Decimal("-7.5")))]
    assert ctx["ledger_revenue"] == FR.money(22000)


# ---------------------------------------------------------------- 4. top customers and suppliers


def test_top_parties_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """Invoiced Jan–Feb 2026, open and overdue at 28/02/2026, mean days to payment of invoices paid then."""
    ctx = context(registry, small, "clients_fournisseurs")
    sales, purchases = ctx["tables"]
    assert [(r["label"], r["raw"]["invoiced"], r["raw"]["open"], r["raw"]["overdue"], r["raw"]["delay"])
            for r in sales["rows"]] == [
        ("Alpha", Decimal(3000), Decimal(10200), Decimal(7800), Decimal(25)),
        ("Beta", Decimal(400), Decimal(-120), Decimal(-120), Decimal(30)),
        ("C3", Decimal(300), Decimal(360), Decimal(360), None),
        ("Total", Decimal(3700), Decimal(10440), Decimal(8040), Decimal("27.5")),
    ]
    assert sales["rows"][2]["delay"] == "—" and sales["rows"][3]["delay"] == FR.value(28, "days")
    assert [(r["label"], r["raw"]["invoiced"], r["raw"]["open"], r["raw"]["delay"]) for r in purchases["rows"]] == [
        ("Fournisseur Un", Decimal(6000), Decimal(3600), Decimal(36)),
        ("Fournisseur Deux", Decimal(200), Decimal(960), Decimal(10)),
        ("Total", Decimal(6200), Decimal(4560), Decimal(23)),
    ]


def test_top_parties_on_the_demo_rank_ten_and_group_the_rest(demo_contexts: dict) -> None:
    """Ten customers, the others, the total; the rows add up to the total invoiced."""
    for table in demo_contexts["clients_fournisseurs"]["tables"]:
        rows = table["rows"]
        assert len(rows) == 12 and rows[-1]["style"] == "total"
        assert sum(r["raw"]["invoiced"] for r in rows[:-1]) == rows[-1]["raw"]["invoiced"]
        assert sum(r["raw"]["open"] for r in rows[:-1]) == rows[-1]["raw"]["open"]


# ---------------------------------------------------------------- 5. aged balance


def _bucket_totals(table: dict[str, Any]) -> list[Decimal]:
    return [Decimal(c) / 100 for c in table["total"]["cents"]]


def test_aged_balance_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """Receivables 2 400 / 240 / 0 / 6 000 / 1 800 by days past due; payables 3 600 / 0 / 960 / 0 / 0."""
    ctx = context(registry, small, "balance_agee")
    receivables, payables = ctx["tables"]
    assert _bucket_totals(receivables) == [Decimal(v) for v in (2400, 240, 0, 6000, 1800)]
    assert receivables["total"]["total"] == FR.money(10440)
    assert [r["label"] for r in receivables["rows"]] == ["Alpha", "C3", "Beta"]
    assert receivables["rows"][0]["cents"] == [240000, 0, 0, 600000, 180000]
    assert _bucket_totals(payables) == [Decimal(v) for v in (3600, 0, 960, 0, 0)]
    assert receivables["count"] == 5 and payables["count"] == 2


def test_aged_balance_on_the_demo_is_the_sum_of_open_invoices(demo_contexts: dict) -> None:
    """Each bucket's total is the sum, recomputed from invoices.csv, of the invoices open at 31/10/2026."""
    end = dt.date(2026, 10, 31)
    expected = {"sale": [Decimal(0)] * 5, "purchase": [Decimal(0)] * 5}
    for r in demo_rows("invoices.csv"):
        issued, paid, due = _date(r["issue_date"]), _date(r["paid_date"]), _date(r["due_date"])
        if r["status"] in ("draft", "cancelled") or issued > end:
            continue
        if (paid is None and r["status"] == "paid") or (paid is not None and paid <= end):
            continue
        late = (end - due).days
        index = 0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4
        expected[r["kind"]][index] += _amount(r["amount_incl_tax"])
    tables = {t["kind"]: t for t in demo_contexts["balance_agee"]["tables"]}
    for kind in ("sale", "purchase"):
        assert _bucket_totals(tables[kind]) == expected[kind]
        rows = tables[kind]["rows"]
        assert len(rows) <= 16
        assert [sum(r["cents"][i] for r in rows) for i in range(5)] == tables[kind]["total"]["cents"]


# ---------------------------------------------------------------- 6. cycle delays


def test_cycle_delays_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """Medians and means per step and segment over Mar 2025 – Feb 2026 (see CRAFTED_DEALS)."""
    rows = {r["label"]: [c["raw"] for c in r["steps"]] for r in context(registry, small, "delais_cycle")["rows"]}

    def step(median: Any, mean: Any, count: int) -> dict[str, Any]:
        return {"median": None if median is None else Decimal(median),
                "mean": None if mean is None else Decimal(mean), "count": count}

    assert rows["Industrie"] == [step("25.5", "25.5", 2), step("25.5", "25.5", 2), step(25, 25, 1), step(None, None, 0)]
    assert rows["Services"] == [step(13, 13, 1), step(5, 5, 1), step(30, 30, 1), step(48, 48, 1)]
    overall = rows["Ensemble"]
    assert [s["median"] for s in overall] == [Decimal(21), Decimal(6), Decimal("27.5"), Decimal(48)]
    assert overall[0]["mean"] == Decimal(64) / 3 and overall[1]["mean"] == Decimal(56) / 3
    assert [s["count"] for s in overall] == [3, 3, 2, 1]


def test_cycle_delays_need_crm_data_up_to_the_period(registry: Registry, tmp_path: Path) -> None:
    """A CRM stopping before the period makes the section unavailable, with the reason."""
    company = write_small_company(tmp_path / "societe")
    company.write("invoices.csv", CRAFTED_INVOICES)
    company.write("deals.csv", "\n".join(CRAFTED_DEALS.splitlines()[:-1]) + "\n")  # last activity: 01/2026
    pack = make_pack(load_config(company.config), registry)
    with pytest.raises(Unavailable, match="pas de données CRM après 2026-01"):
        context(registry, pack, "delais_cycle")


# ---------------------------------------------------------------- 7. inventory


def test_inventory_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """Stock 20 000 then 23 000 from Dec 2025; LTM cost of sales 33 000: DIO 23 000 / 33 000 × 365, turnover 33 000 / 21 500."""
    ctx = context(registry, small, "rotation_stocks")
    raw = ctx["raw"]
    assert raw["stocks"][Month(2026, 2)] == Decimal(23000)
    assert raw["stocks"][Month(2025, 11)] == Decimal(20000)
    assert raw["stocks"][Month(2024, 12)] is None  # before the ledger: unknown, not 0
    assert abs(raw["dio"][Month(2026, 2)] - Decimal(23000 * 365) / 33000) < Decimal("0.0001")
    assert abs(raw["rotation"][Month(2026, 2)] - Decimal(33000) / 21500) < Decimal("0.0001")
    assert ctx["figures"][0]["value"] == FR.money(23000)
    # quarter ends (March… December) over two years, oldest first, then the period (issue 13)
    assert [r["month"] for r in ctx["rows"]] == ["mars 2024", "juin 2024", "septembre 2024", "décembre 2024",
                                               "mars 2025", "juin 2025", "septembre 2025", "décembre 2025",
                                               "février 2026"]
    assert len(ctx["charts"]) == 2


def test_inventory_without_the_dio_kpi_says_so(registry: Registry, tmp_path: Path) -> None:
    """With DIO and turnover left out of the KPI selection, their cells are « — » and the reason is given."""
    company = write_small_company(tmp_path / "societe")
    text = company.config.read_text(encoding="utf-8").replace(
        "[kpis.thresholds.dscr]", '[kpis]\nselect = ["chiffre_affaires", "dscr"]\n\n[kpis.thresholds.dscr]')
    company.config.write_text(text, encoding="utf-8")
    pack = make_pack(load_config(company.config), registry)
    ctx = context(registry, pack, "rotation_stocks")
    assert ctx["figures"][2]["value"] == "—" and ctx["figures"][3]["value"] == "—"
    assert any("dio" in reason for reason in ctx["reasons"])
    assert len(ctx["charts"]) == 1


# ---------------------------------------------------------------- 8. credit-committee summary


def test_credit_summary_small_company_by_hand(registry: Registry, small: PackContext) -> None:
    """FY 2025 alone is closed: CA 120 000, EBE 36 600, RN 17 000, CAF 29 000; next 12 months' service 28 200."""
    ctx = context(registry, small, "note_de_synthese")
    raw = ctx["raw"]
    assert raw["chiffre_affaires"] == (Decimal(120000), None)
    assert raw["ebe"] == (Decimal(36600), None)
    assert raw["resultat_net"] == (Decimal(17000), None)
    assert raw["caf"] == (Decimal(29000), None)  # RN + 12 × 1 000 depreciation
    assert raw["capitaux_propres"] == (Decimal(117000), None)
    assert raw["tresorerie_nette"] == (Decimal(78800), None)
    assert ctx["previous_label"] == "—" and ctx["figures"][0]["delta"] == "—"
    debt = ctx["debt"]
    # EMP-1: 12 × (1 500 + 300); EMP-2: Mar–Aug 2026, 6 × (1 000 + 100), ends with 2 000 still due.
    assert debt["raw"] == {"principal": Decimal(24000), "interest": Decimal(4200)}
    assert debt["service"] == FR.money(28200)
    assert debt["incomplete"] == ["EMP-2 (2026-08)"]
    texts = [c["text"] for c in ctx["concerns"]]
    # Alpha: 5 000 + 1 000 + 2 000 + 1 500 of 11 100 invoiced from Mar 2025 to Feb 2026.
    assert f"Dépendance commerciale : Alpha représente {FR.percent(Decimal(9500) / 11100 * 100)} du CA facturé sur 12 mois" in texts
    assert any(s["text"].startswith(f"Trésorerie nette ({FR.money(86000)}) supérieure aux dettes financières")
               for s in ctx["strengths"])


def test_credit_summary_on_the_demo(registry: Registry, demo: PackContext) -> None:
    """The CA change of FY 2025 on FY 2024 from the entries; the next 12 months' debt service is the
    sum of loans.csv's rows from 2026-11 to 2027-10 (the demo's schedules run to their end)."""
    entries = demo_entries()
    ca_2025 = revenue(entries, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    ca_2024 = revenue(entries, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    change = (ca_2025 - ca_2024) / ca_2024 * 100
    ctx = context(registry, demo, "note_de_synthese")
    assert ctx["raw"]["chiffre_affaires"] == (ca_2025, ca_2024)
    assert ctx["strengths"][0]["text"].startswith(
        f"Chiffre d'affaires en hausse de {FR.percent(change)}")
    import csv

    from boardpack.demo.generate import DATA_DIR

    with (DATA_DIR / "loans.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter=";") if "2026-11" <= r["period"] <= "2027-10"]
    principal = sum(Decimal(r["principal_due"].replace(",", ".")) for r in rows)
    interest = sum(Decimal(r["interest_due"].replace(",", ".")) for r in rows)
    assert ctx["debt"]["available"] is True and ctx["debt"]["incomplete"] == []
    assert ctx["debt"]["raw"] == {"principal": principal, "interest": interest}
    assert [r["id"] for r in ctx["ratios"]] == [
        "dscr", "dscr_flux", "liquidite_generale", "autonomie_financiere", "capacite_remboursement", "dette_nette_ebe"]
    assert all(r["status"] for r in ctx["ratios"])


# ---------------------------------------------------------------- rendering


def test_every_section_renders_in_a_demo_pack() -> None:
    """Built in the demo's packs (HTML only), none of the eight sections is « non disponible »."""
    result = build(load_config(DEMO_CONFIG), audiences=["daf", "operations", "banquier"], write=False)
    for name, audience in SECTIONS.items():
        html = result.html[audience]
        assert f'id="sec-{name}"' in html
        body = html.split(f'id="sec-{name}"', 1)[1].split("</section>", 1)[0]
        assert "Section non disponible" not in body, name
        assert "chart-unavailable" not in body, name
    assert 'src="data:image/svg+xml;base64,' in result.html["daf"]


def test_sections_render_in_english(registry: Registry, tmp_path: Path) -> None:
    """An English pack gets English headings and labels (the small company, DAF audience in English)."""
    from boardpack.render.templates import make_environment

    config_text = SMALL_CONFIG.replace('title = "Détail DAF"', 'title = "Détail DAF"\nlanguage = "en"')
    company = write_small_company(tmp_path / "societe", config_text)
    company.write("invoices.csv", CRAFTED_INVOICES)
    company.write("deals.csv", CRAFTED_DEALS)
    company.write("loans.csv", crafted_loans())
    pack = make_pack(load_config(company.config), registry)
    assert pack.language == "en"
    env = make_environment([], pack.fmt)
    for name in SECTIONS:
        section = registry.sections[name]
        html = env.get_template(section.template).render(pack=pack, **section.context(pack))
        for french in ("En euros", "Non échu", "Médiane", "Points forts", "non renseigné", "Cumul", "Encours"):
            assert french not in html, (name, french)
