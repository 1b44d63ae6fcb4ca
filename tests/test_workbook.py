"""The companion workbook (``build --xlsx``, issue 13 item 8): every table of a pack as numbers.

The demo's DAF and banker packs are built once with ``--xlsx`` through the CLI; the workbooks
are opened with openpyxl and their values compared with the KPI engine's and the ledger's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from boardpack import plugins
from boardpack.accounting.cashflow import cash_flow
from boardpack.api import Table, TableColumn
from boardpack.build import load_inputs, make_engine
from boardpack.build.engine import KPIEngine
from boardpack.cli import cli
from boardpack.config import load_config
from boardpack.periods import Month, Window
from boardpack.render.workbook import SHEET_NAME_LENGTH, number_format, sheet_names, workbook_bytes

from conftest import DEMO_CONFIG

OCTOBER = Month(2026, 10)
HEADER = 4  # the header row of every sheet (title, section, blank line above it)


@dataclass
class Built:
    """The CLI's output folder and stdout."""

    out: Path
    stdout: str

    def sheet(self, key: str, name: str) -> Worksheet:
        """Sheet ``name`` of the ``key`` pack's workbook."""
        return load_workbook(self.out / f"{key}_2026-10.xlsx")[name]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """``boardpack demo --xlsx --audience daf --audience banquier``, run once."""
    out = tmp_path_factory.mktemp("xlsx")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            result = CliRunner().invoke(cli, ["demo", "--xlsx", "--audience", "daf", "--audience", "banquier",
                                              "--out", str(out), "--quiet"])
        finally:
            plugins.reset()
    assert result.exit_code == 0, (result.output, result.exception)
    yield Built(out, result.stdout)


@functools.cache
def engine() -> KPIEngine:
    """The KPI engine over the demo data."""
    return make_engine(load_inputs(load_config(DEMO_CONFIG)))


def rows(sheet: Worksheet) -> dict[str, list[Any]]:
    """The sheet's rows below the header, by their first cell."""
    return {str(row[0].value): row for row in sheet.iter_rows(min_row=HEADER + 1) if row[0].value is not None}


def header(sheet: Worksheet) -> list[Any]:
    """The header row's labels."""
    return [cell.value for cell in sheet[HEADER]]


def test_cli_writes_a_workbook_beside_each_pdf(built: Built) -> None:
    """One .xlsx per pack beside its PDF, listed on stdout; no temporary file left."""
    assert sorted(p.name for p in built.out.iterdir()) == [
        "banquier_2026-10.pdf", "banquier_2026-10.xlsx", "daf_2026-10.pdf", "daf_2026-10.xlsx"]
    assert f"daf\t{built.out / 'daf_2026-10.xlsx'}" in built.stdout.splitlines()


def test_a_sheet_per_table_with_valid_unique_names(built: Built) -> None:
    """The DAF's workbook has a sheet per table of its sections, names ≤ 31 characters and unique."""
    names = load_workbook(built.out / "daf_2026-10.xlsx").sheetnames
    assert names[:8] == ["Indicateurs", "Compte de résultat (SIG)", "Compte de résultat mensuel", "Bilan actif",
                         "Bilan passif", "Composantes du BFR", "Tableau de flux", "Cascade de trésorerie"]
    assert {"Clients par ancienneté", "Clients factures ouvertes", "Fournisseurs par ancienneté"} <= set(names)
    assert all(len(name) <= SHEET_NAME_LENGTH for name in names)
    assert len({name.casefold() for name in names}) == len(names)


def test_kpi_values_are_the_engines_as_numbers(built: Built) -> None:
    """Indicateurs: the month's revenue and gross-margin rate are the engine's, as numbers in French formats."""
    sheet = built.sheet("daf", "Indicateurs")
    assert header(sheet)[:2] == ["Indicateur", "octobre 2026"]
    table = rows(sheet)
    ebe = engine().kpis
    revenue = table["Chiffre d'affaires"][1]
    expected = engine().result(ebe["chiffre_affaires"], OCTOBER, "month").value
    assert isinstance(revenue.value, (int, float)) and Decimal(str(revenue.value)) == expected
    assert revenue.number_format == '#,##0 "€";-#,##0 "€"'  # « 827 325 € » in a French spreadsheet
    rate = table["Taux de marge brute"][1]
    percent = engine().result(ebe["taux_marge_brute"], OCTOBER, "month").value
    assert percent is not None and rate.value == pytest.approx(float(percent) / 100)
    assert rate.number_format == "0.0\\ %"  # « 64,5 % »
    dso = table["DSO (délai clients)"]
    assert dso[1].number_format == '#,##0\\ "j"'


def test_income_statement_and_balance_sheet_match_the_ledger(built: Built) -> None:
    """SIG: October's production vendue and the YTD EBE as the ledger gives them; bilan actif = passif."""
    statements = engine().ctx
    sig = rows(built.sheet("daf", "Compte de résultat (SIG)"))
    label = next(name for name in sig if name.startswith("Excédent brut"))
    ytd = Window("ytd", Month(2026, 1), OCTOBER)
    assert Decimal(str(sig[label][3].value)) == statements.pl("ebe", ytd)
    assert header(built.sheet("daf", "Compte de résultat (SIG)"))[1:4] == [
        "octobre 2026", "octobre 2025", "Cumul janv.–octobre 2026"]
    actif = rows(built.sheet("daf", "Bilan actif"))
    passif = rows(built.sheet("daf", "Bilan passif"))
    assert list(actif.values())[-1][1].value == pytest.approx(list(passif.values())[-1][1].value)
    assert Decimal(str(list(actif.values())[-1][1].value)) == statements.bilan("total_actif", OCTOBER)


def test_dates_are_dates(built: Built) -> None:
    """Open invoices carry their issue and due dates as dates; days past due as numbers of days."""
    sheet = built.sheet("daf", "Clients factures ouvertes")
    first = next(sheet.iter_rows(min_row=HEADER + 1, max_row=HEADER + 1))
    issued, due, late, amount = first[2], first[3], first[4], first[5]
    assert isinstance(issued.value, dt.datetime) and issued.number_format == "dd/mm/yyyy"
    assert isinstance(due.value, dt.datetime) and late.value == (dt.datetime(2026, 10, 31) - due.value).days
    assert amount.value > 0 and amount.number_format == '#,##0 "€";-#,##0 "€"'
    debt = built.sheet("banquier", "Capital restant dû")
    assert all(row[2].value == dt.datetime(2026, 10, 31) for row in debt.iter_rows(min_row=HEADER + 1))


def test_banker_ratios_keep_each_ratios_unit(built: Built) -> None:
    """Ratios bancaires: each row in its KPI's unit (a ratio with two decimals, a percentage in %)."""
    table = rows(built.sheet("banquier", "Ratios bancaires"))
    formats = {name: row[2].number_format for name, row in table.items()}
    assert formats["Autonomie financière"] == "0.0\\ %"
    assert formats[next(name for name in table if name.startswith("DSCR"))] == "0.00"


@functools.cache
def forecast() -> dict[str, Any]:
    """What the forecast engine computes on the demo, with the built-in plugins only (as the CLI run)."""
    from boardpack.api.forecast import banker_ratios, cash_plans, financing_request, forecast_backtest, schedule

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            data = engine().ctx
            financing = financing_request(data, OCTOBER)
            assert financing is not None
            return {"plans": cash_plans(data, OCTOBER), "backtest": forecast_backtest(data, OCTOBER),
                    "schedule": schedule(financing.terms), "ratios": banker_ratios(data, OCTOBER)}
        finally:
            plugins.reset()


def euros(cell: Any) -> Decimal:
    """A money cell's value, in euros to the cent."""
    return Decimal(str(cell.value)).quantize(Decimal("0.01"))


def cents(amount: int) -> Decimal:
    """Cents as euros."""
    return Decimal(amount).scaleb(-2)


def test_cash_plan_sheets_are_the_forecasts(built: Built) -> None:
    """Plan de trésorerie: opening cash, every line × month adding up to the closing cash, the
    scenarios' lowest points and the backtest's mean error are the forecast engine's."""
    plans = forecast()["plans"]
    base = plans[0]
    sheet = built.sheet("daf", "Plan de trésorerie (base)")
    assert header(sheet)[:3] == ["Poste", "Sens", "novembre 2026"] and len(header(sheet)) == 2 + len(base.months)
    table = rows(sheet)
    assert euros(table["Trésorerie d'ouverture"][2]) == cents(base.opening)
    assert [euros(c) for c in table["Trésorerie de clôture"][2:]] == [cents(c) for _, c in base.closings()]
    lines = [row for row in table.values() if row[1].value in ("Encaissement", "Décaissement")]
    assert len(lines) == sum(1 for line in base.lines if line.amounts)
    first = base.months[0]
    assert sum(euros(row[2]) for row in lines) == cents(base.flow(first)) == euros(table["Flux net du mois"][2])
    scenarios = rows(built.sheet("daf", "Scénarios de trésorerie"))
    assert list(scenarios)[:len(plans)] == [plan.scenario.title("fr") for plan in plans]
    for plan, row in zip(plans, scenarios.values()):
        month, cash = plan.lowest
        assert euros(row[4]) == cents(cash) and row[5].value == dt.datetime(month.year, month.month, 1)
    test = forecast()["backtest"]
    accuracy = rows(built.sheet("daf", "Fiabilité du plan par horizon"))
    assert euros(accuracy["1"][2]) == cents(test.mean_absolute_error(1))
    assert accuracy["1"][1].value == len(test.at(1))


def test_loan_request_and_analysis_sheets_are_the_engines(built: Built) -> None:
    """Demande de financement: the monthly schedule of the loan asked for and the pro-forma DSCR;
    Analyse financière: the functional balance sheet, the ratios in their units and their inputs."""
    steps = forecast()["schedule"]
    sheet = built.sheet("banquier", "Échéancier de l'emprunt demandé")
    first = next(sheet.iter_rows(min_row=HEADER + 1, max_row=HEADER + 1))
    assert first[0].value == dt.datetime(steps[0].month.year, steps[0].month.month, 1)
    assert [euros(c) for c in first[1:]] == [cents(steps[0].principal), cents(steps[0].interest),
                                             cents(steps[0].payment), cents(steps[0].outstanding)]
    assert sheet.max_row - HEADER == len(steps)
    pro_forma = rows(built.sheet("banquier", "DSCR pro forma"))["12 prochains mois"]
    service, ebe = euros(pro_forma[4]), euros(pro_forma[5])
    assert pro_forma[7].value == pytest.approx(float(ebe / service), rel=1e-6)
    assert pro_forma[7].number_format == "0.00"
    # the pro-forma's numerators are the DSCR KPIs' (issue 13: one definition per figure), over the last 12 months
    data = engine().ctx
    ltm = data.window("ltm", OCTOBER)
    assert ebe == (data.pl("ebe", ltm) - data.pl("impot_benefices", ltm)).quantize(Decimal("0.01"))
    interest = data.ledger.flows(("6611",), ltm, "debit") - data.ledger.flows(("6611",), ltm, "credit")
    assert euros(pro_forma[6]) == cents(cash_flow(data.statements, ltm).fte + interest)
    fb, ratios = forecast()["ratios"]
    balance = rows(built.sheet("banquier", "Bilan fonctionnel"))
    assert euros(balance["FRNG"][1]) == cents(fb.frng)
    assert euros(balance["Trésorerie nette = FRNG − BFR"][1]) == cents(forecast()["plans"][0].opening)
    analysis = rows(built.sheet("banquier", "Ratios d'analyse financière"))
    gearing = next(r for r in ratios if r.key == "gearing")
    row = next(row for name, row in analysis.items() if "gearing" in name)
    assert row[1].value == pytest.approx(float(gearing.value)) and row[1].number_format == "0.00"
    margin = next(r for r in ratios if r.unit == "percent" and r.value is not None)
    row = next(row for name, row in analysis.items() if name == margin.label["fr"])
    assert row[1].value == pytest.approx(float(margin.value) / 100) and row[1].number_format == "0.0\\ %"
    inputs = [row for row in built.sheet("banquier", "Données des ratios").iter_rows(min_row=HEADER + 1)
              if row[0].value == gearing.label["fr"]]
    assert [(r[1].value, euros(r[2])) for r in inputs] == [(name["fr"], value.quantize(Decimal("0.01")))
                                                           for name, value in gearing.inputs]


def test_failed_build_leaves_no_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook that cannot be made stops the build before anything is written: no PDF, no .xlsx."""
    import boardpack.build.run as run

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disque plein")

    monkeypatch.setattr(run, "workbook_bytes", broken)
    monkeypatch.setenv("BOARDPACK_LOAD_PLUGINS", "")
    plugins.reset()
    try:
        with pytest.raises(RuntimeError):
            run.build(load_config(DEMO_CONFIG), audiences=["banquier"], out_dir=tmp_path / "out", xlsx=True,
                      parallel=False)
    finally:
        plugins.reset()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# ------------------------------------------------------------------ the writer alone


def test_sheet_names_are_valid_short_and_unique() -> None:
    """Forbidden characters dropped, at most 31 characters (cut after a word), repeats numbered."""
    names = sheet_names(["Compte de résultat par soldes intermédiaires de gestion", "a/b:c*d?e[f]g", "Bilan",
                         "bilan", "A" * 40, "A" * 40])
    assert names == ["Compte de résultat par soldes", "a b c d e f g", "Bilan", "bilan (2)", "A" * 31,
                     "A" * 27 + " (2)"]


def test_number_formats_by_unit_and_language() -> None:
    """French formats for a French pack, English ones for an English pack."""
    assert number_format("money", "fr") == '#,##0 "€";-#,##0 "€"'
    assert number_format("money", "en") == '"€"#,##0;-"€"#,##0'
    assert number_format("percent", "fr") == "0.0\\ %"
    assert number_format("date", "fr") == "dd/mm/yyyy"
    assert number_format("text", "fr") == "General"


def test_table_refuses_rows_that_do_not_fit() -> None:
    """A row of the wrong length, or text in a money column, is refused at once, naming the table."""
    columns = (TableColumn("Poste"), TableColumn("Montant", "money"))
    with pytest.raises(ValueError, match="Essai.*ligne 1"):
        Table("Essai", columns, [("CA",)])
    with pytest.raises(ValueError, match="Montant"):
        Table("Essai", columns, [("CA", "12 €")])
    with pytest.raises(ValueError, match="unité inconnue"):
        TableColumn("x", "euros")


def test_workbook_writes_exact_amounts_and_percentages(tmp_path: Path) -> None:
    """Decimal amounts written exactly, percentages divided by 100, months as their first day."""
    table = Table("Essai", (TableColumn("Poste"), TableColumn("Montant", "money"), TableColumn("Taux", "percent"),
                            TableColumn("Mois", "month")),
                  [("CA", Decimal("1234567.89"), Decimal("12.5"), Month(2026, 10)), ("Vide", None, None, None)])
    path = tmp_path / "essai.xlsx"
    path.write_bytes(workbook_bytes([("Section", table)], "Titre"))
    sheet = load_workbook(path)["Essai"]
    assert [c.value for c in sheet[HEADER + 1]] == [
        "CA", pytest.approx(1234567.89), pytest.approx(0.125), dt.datetime(2026, 10, 1)]
    assert sheet.cell(HEADER + 1, 4).number_format == "mmmm yyyy"
    assert [c.value for c in sheet[HEADER + 2]] == ["Vide", None, None, None]
    assert (sheet["A1"].value, sheet["A2"].value) == ("Essai", "Section")


def test_a_table_named_as_its_section_is_titled_once(tmp_path: Path) -> None:
    """« Indicateurs clés » over « Indicateurs clés » reads as a stutter: the section line is left empty."""
    table = Table("Indicateurs clés", (TableColumn("Poste"),), [("CA",)])
    path = tmp_path / "essai.xlsx"
    path.write_bytes(workbook_bytes([("Indicateurs clés", table)], "Titre"))
    sheet = load_workbook(path)["Indicateurs clés"]
    assert (sheet["A1"].value, sheet["A2"].value) == ("Indicateurs clés", None)


#: Built-in sections whose tables are not in the workbook yet, and why.
NOT_DESCRIBED: dict[str, str] = {}


def test_every_builtin_section_with_a_table_describes_it() -> None:
    """A demo section whose HTML holds a <table> described at least one table for the workbook."""
    import html as markup
    import re

    from boardpack.build import build

    plugins.reset()
    try:
        result = build(load_config(DEMO_CONFIG), write=False)
    finally:
        plugins.reset()
    missing = []
    for key, page in result.html.items():
        described = {section for section, _ in result.packs[key].tables}
        for chunk in page.split('<section class="section')[1:]:
            found = re.match(r'[^"]*" id="sec-([^"]+)">\s*<h1>(.*?)</h1>', chunk, re.S)
            assert found, chunk[:200]
            name, title = found[1], markup.unescape(found[2])
            if "<table" in chunk and name not in NOT_DESCRIBED and title not in described:
                missing.append((key, name))
    assert not missing
