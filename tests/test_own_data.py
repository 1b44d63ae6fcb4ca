"""A user's own data: each bad input gets one sentence and its exit code; partial data gives honest packs.

Hand-made data is the small company of conftest.py (CSV) written in other encodings, date
orders, workbooks and charts of accounts; the FEC samples are tests/data/fec/ (MIT).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from boardpack.build import load_inputs
from boardpack.cli import cli
from boardpack.cli.app import PackBars
from boardpack.config import load_config
from boardpack.periods import Month
from boardpack.testing import build_pack

from conftest import SMALL_CONFIG, small_files, write_small_company

DATA = Path(__file__).resolve().parent / "data" / "fec"


def run(*args: str) -> Result:
    """The CLI in-process."""
    return CliRunner().invoke(cli, list(args))


def error_line(result: Result, code: int) -> str:
    """The one « Erreur : » line of a user error with exit ``code``, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Erreur :")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def company(tmp_path: Path, **files: str | bytes) -> Path:
    """The small company with some of its files replaced (``None`` content removes one); the config."""
    written = write_small_company(tmp_path / "societe")
    for name, content in files.items():
        target = written.data / name.replace("__", ".")
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return written.config


# ---------------------------------------------------------------- encodings


def test_utf16_csv_from_excel_is_read(tmp_path: Path) -> None:
    """entries.csv saved by Excel as « texte Unicode » (UTF-16 with BOM) loads like the UTF-8 one."""
    text = small_files()["entries.csv"]
    config = company(tmp_path, entries__csv=text.encode("utf-16"))
    entries = load_inputs(load_config(config)).datasets["entries"]
    assert len(entries) == len(text.strip().splitlines()) - 1


def test_utf16_fec_is_read(tmp_path: Path) -> None:
    """A FEC in UTF-16 with BOM gives the same statements as its UTF-8 original."""
    name = "123456789FEC20500930.txt"
    (tmp_path / name).write_bytes((DATA / name).read_text(encoding="utf-8").encode("utf-16"))
    result = run("statements", str(tmp_path / name), "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.output == run("statements", str(DATA / name), "--format", "json").output
    assert "\"chiffre_affaires_net\": 1212843.9" in result.output  # 1 212 844 € in the table


# ---------------------------------------------------------------- day/month order


def _invoices(dates: list[tuple[str, str]]) -> str:
    rows = ["kind;number;counterparty;issue_date;due_date;paid_date;amount_excl_tax;amount_incl_tax;status"]
    for n, (issued, due) in enumerate(dates, start=1):
        rows.append(f"sale;FA-{n};Client Un;{issued};{due};;1 000,00;1 200,00;issued")
    return "\n".join(rows) + "\n"


def test_month_first_dates_are_read_month_first(tmp_path: Path) -> None:
    """A file whose dates are MM/JJ/AAAA (01/02 first, 01/25 later) is read month first throughout."""
    config = company(tmp_path, invoices__csv=_invoices([("01/02/2026", "02/01/2026"), ("01/25/2026", "02/24/2026")]))
    invoices = load_inputs(load_config(config)).datasets["invoices"]
    assert [d.strftime("%Y-%m-%d") for d in invoices["issue_date"]] == ["2026-01-02", "2026-01-25"]


def test_ambiguous_dates_are_refused_unless_date_order_says(tmp_path: Path) -> None:
    """Every date with day and month ≤ 12: refused (exit 3), naming the option; date_order settles it."""
    config = company(tmp_path, invoices__csv=_invoices([("01/02/2026", "02/03/2026")]))
    line = error_line(run("check", str(config)), 3)
    assert "invoices.csv" in line and "l'ordre jour/mois des dates ne peut pas être déduit" in line
    assert 'date_order = "jj/mm"' in line
    config.write_text(SMALL_CONFIG.replace('path = "donnees"', 'path = "donnees"\ndate_order = "jj/mm"'),
                      encoding="utf-8")
    invoices = load_inputs(load_config(config)).datasets["invoices"]
    assert invoices["issue_date"].iloc[0].strftime("%Y-%m-%d") == "2026-02-01"


def test_a_file_mixing_both_orders_is_refused(tmp_path: Path) -> None:
    """25/01/2026 and 01/25/2026 in one file: refused naming both lines."""
    config = company(tmp_path, invoices__csv=_invoices([("25/01/2026", "25/02/2026"), ("01/25/2026", "02/25/2026")]))
    line = error_line(run("check", str(config)), 3)
    assert "ligne 2" in line and "ligne 3" in line and "JJ/MM/AAAA" in line and "MM/JJ/AAAA" in line


# ---------------------------------------------------------------- period, quality


def test_period_outside_the_data_is_refused_with_the_range(tmp_path: Path) -> None:
    """--period 2019-01 on entries of January 2025 – February 2026: exit 3, the covered range, no PDF."""
    config = company(tmp_path)
    line = error_line(run("build", str(config), "--period", "2019-01", "--out", str(tmp_path / "out")), 3)
    assert "2019-01" in line and "janvier 2025 à février 2026" in line
    assert not (tmp_path / "out").exists()


def test_blocking_issue_is_printed_by_build_and_strict_stops(tmp_path: Path) -> None:
    """A duplicated invoice: build says so on stderr (and still builds); --strict refuses (exit 3)."""
    invoices = small_files()["invoices.csv"]
    duplicated = invoices + invoices.splitlines()[1] + "\n"
    config = company(tmp_path, invoices__csv=duplicated)
    out = tmp_path / "out"
    result = run("build", str(config), "--audience", "daf", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert "qualité (bloquant)" in result.stderr and "FA-2026-01" in result.stderr
    line = error_line(run("build", str(config), "--strict", "--audience", "daf", "--out", str(tmp_path / "o2")), 3)
    assert "--strict" in line


# ---------------------------------------------------------------- workbooks, folders


def test_budget_xlsx_in_the_csv_folder_is_read_and_errors_name_sheet_and_cell(tmp_path: Path) -> None:
    """budget.xlsx beside the CSV files is the budget; a bad amount names the sheet and the cell."""
    config = company(tmp_path)
    data = config.parent / "donnees"
    budget = pd.read_csv(data / "budget.csv", sep=";", dtype=str)
    (data / "budget.csv").unlink()
    with pd.ExcelWriter(data / "budget.xlsx") as writer:
        budget.to_excel(writer, sheet_name="Budget 2025", index=False)
    loaded = load_inputs(load_config(config))
    assert len(loaded.datasets["budget"]) == len(budget)
    budget.loc[3, "amount"] = "beaucoup"
    with pd.ExcelWriter(data / "budget.xlsx") as writer:
        budget.to_excel(writer, sheet_name="Budget 2025", index=False)
    line = error_line(run("check", str(config)), 3)
    assert "budget.xlsx, feuille « Budget 2025 », ligne 5, colonne « amount » (cellule C5)" in line


def test_trailing_empty_rows_of_a_workbook_are_ignored(tmp_path: Path) -> None:
    """Rows Excel leaves empty under the table are not rows (no « valeur manquante »)."""
    config = company(tmp_path)
    data = config.parent / "donnees"
    loans = pd.read_csv(data / "loans.csv", sep=";", dtype=str)
    (data / "loans.csv").unlink()
    padded = pd.concat([loans, pd.DataFrame([[""] * len(loans.columns)] * 5, columns=loans.columns)])
    padded.to_excel(data / "loans.xlsx", index=False)
    assert len(load_inputs(load_config(config)).datasets["loans"]) == len(loans)


def test_a_file_of_unknown_kind_is_a_warning(tmp_path: Path) -> None:
    """notes.pdf in the CSV folder: check says it was left aside, never silence."""
    config = company(tmp_path, notes__pdf=b"%PDF-1.4")
    result = run("check", str(config))
    assert result.exit_code == 0, result.output
    assert "fichier notes.pdf ignoré (type inconnu" in result.output


# ---------------------------------------------------------------- mappings


def test_own_chart_of_accounts_and_budget_names_through_a_mapping_file(tmp_path: Path) -> None:
    """BNQPRINC → 512000 and « Ventes France » → chiffre_affaires: loaded; the same numbers as before."""
    files = small_files()
    config = company(
        tmp_path,
        entries__csv=files["entries.csv"].replace(";512000;", ";BNQPRINC;"),
        budget__csv=files["budget.csv"].replace(";chiffre_affaires;", ";Ventes France;"),
        correspondances__csv="type;source;cible\ncompte;BNQPRINC;512000\nbudget;Ventes France;chiffre_affaires\n",
    )
    config.write_text(SMALL_CONFIG.replace('path = "donnees"', 'path = "donnees"\nmapping = "donnees/correspondances.csv"'),
                      encoding="utf-8")
    datasets = load_inputs(load_config(config)).datasets
    assert (datasets["entries"]["account"] == "512000").sum() > 0
    assert set(datasets["entries"].loc[datasets["entries"]["account"] == "512000", "source_account"]) == {"BNQPRINC"}
    assert "chiffre_affaires" in set(datasets["budget"]["line"])


def test_unmapped_account_and_unknown_budget_line_name_the_closest(tmp_path: Path) -> None:
    """An account missing from the mapping, a budget line naming no statement line: exit 3, closest names."""
    files = small_files()
    config = company(
        tmp_path,
        entries__csv=files["entries.csv"].replace(";512000;", ";BNQPRINC;"),
        correspondances__csv="type;source;cible\ncompte;BNQPRIN;512000\n",
    )
    config.write_text(SMALL_CONFIG.replace('path = "donnees"', 'path = "donnees"\nmapping = "donnees/correspondances.csv"'),
                      encoding="utf-8")
    line = error_line(run("check", str(config)), 3)
    assert "compte « BNQPRINC » absent du fichier de correspondances" in line and "« BNQPRIN »" in line
    config = company(tmp_path / "b", budget__csv=files["budget.csv"].replace(";chiffre_affaires;", ";Chiffre d'affaire;"))
    line = error_line(run("check", str(config)), 3)
    assert "ligne budgétaire « Chiffre d'affaire » inconnue" in line and "« chiffre_affaires »" in line


# ---------------------------------------------------------------- partial data in the packs


def test_absent_data_is_left_out_and_listed_on_the_closing_page() -> None:
    """Without deals, the pipeline section is not in the pack nor its contents; the closing page says how."""
    from boardpack.testing import demo_datasets

    datasets = {k: v for k, v in demo_datasets().items() if k != "deals"}
    pack = build_pack(datasets, sections=["pipeline", "kpi_table"], audience="operations")
    assert 'id="sec-pipeline"' not in pack.html and "Section non disponible" not in pack.html
    assert "Ce que ce dossier ne couvre pas" in pack.html
    closing = pack.html.split('id="sec-non_couvert"', 1)[1]
    assert "Pipeline commercial" in closing or "pipeline" in closing.lower()
    assert "deals.csv" in closing and "hubspot" in closing
    assert "Pipeline pondéré" in closing  # a KPI left out for want of deals


def test_dso_is_unavailable_when_sales_skip_the_customer_accounts(tmp_path: Path) -> None:
    """123456789FEC20500930 books its sales without 411: DSO says why instead of 365 days."""
    shutil.copy(DATA / "123456789FEC20500930.txt", tmp_path)
    (tmp_path / "c.toml").write_text('[company]\nname = "T"\n[sources.f]\ntype = "fec"\npath = "123456789FEC20500930.txt"\n'
                                     '[audiences.daf]\ntitle = "DAF"\nsections = ["kpi_table"]\n', encoding="utf-8")
    from boardpack.build.compute import compute

    engine = compute(load_inputs(load_config(tmp_path / "c.toml"))).engine
    result = engine.result(engine.kpis["dso"], Month(2023, 4), "ltm")
    assert result.value is None and "les ventes ne passent pas par les comptes clients" in result.reason


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a terminal each pack's steps are timed lines; quiet says nothing."""
    bars = PackBars(["daf"], terminal=False)
    bars.step("daf", "html")
    bars.step("daf", "pdf")
    bars.close()
    err = capsys.readouterr().err
    assert "daf : mise en page" in err and "daf : PDF prêt" in err
    quiet = PackBars(["daf"], quiet=True, terminal=False)
    quiet.step("daf", "pdf")
    assert capsys.readouterr().err == ""


def test_init_fec_writes_no_demo_leftover(tmp_path: Path) -> None:
    """init --fec: the FEC's SIREN, journals and year; only sections its data fills; what to add next."""
    shutil.copy(DATA / "123456789FEC20500930.txt", tmp_path)
    target = tmp_path / "boardpack.toml"
    result = run("init", str(target), "--fec", str(tmp_path / "123456789FEC20500930.txt"))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert 'siren = "123456789"' in text and 'opening_journals = ["ANO"]' in text
    assert "avril 2022 – avril 2023 (13 mois)" in text
    for leftover in ("Mécanique", "investments", "pipeline_pondere", "[kpis", "echeancier", "flux_operationnels"):
        assert leftover not in text, leftover
    assert "Échéancier des emprunts (loans)" in result.output and "Affaires du CRM (deals)" in result.output
    again = run("init", str(target), "--fec", str(tmp_path / "123456789FEC20500930.txt"))
    assert "existe déjà" in error_line(again, 2)
    assert "introuvable" in error_line(run("init", str(tmp_path / "x.toml"), "--fec", "absent.txt"), 2)
