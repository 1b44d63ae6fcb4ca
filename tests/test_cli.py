"""The command line: kpis, check, build, plugins, init, and how user errors are reported."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import boardpack.build.run
from boardpack.cli import cli
from boardpack.errors import RenderError

from boardpack.default_plugins import DEFAULT_PLUGINS

from conftest import ENTRY_HEADER, SmallCompany, builtin_kpis, small_files

FAKE_PDF = b"%PDF-1.7\n% fake pack for CLI tests\n%%EOF\n"


def fake_pdf(html: str, *args: Any, **kwargs: Any) -> bytes:
    """Stands for the PDF engine (WeasyPrint is exercised once, in test_pdf.py)."""
    assert "<html" in html
    return FAKE_PDF


def run(*args: str) -> Result:
    """Invoke the CLI in-process, stderr kept apart from stdout."""
    return CliRunner().invoke(cli, list(args))


def assert_user_error(result: Result, exit_code: int) -> str:
    """A user error: the given exit code, one « Erreur : » line on stderr, no traceback; returns that line."""
    assert result.exit_code == exit_code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Erreur :")]
    assert len(errors) == 1, lines
    return errors[0]


def pdf_files(folder: Path) -> list[str]:
    """Names of PDF and temporary (.part) files in ``folder`` (hidden ones included)."""
    if not folder.exists():
        return []
    return sorted(n for n in os.listdir(folder) if n.endswith((".pdf", ".part")))


# ---------------------------------------------------------------- kpis


@pytest.fixture
def kpis_json(small_company: SmallCompany) -> dict[str, dict[str, Any]]:
    """`boardpack kpis CONFIG --format json` on the small company, by KPI id."""
    result = run("kpis", str(small_company.config), "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert isinstance(payload, list)
    return {item["id"]: item for item in payload}


def test_kpis_json_has_one_object_per_kpi(kpis_json: dict[str, dict[str, Any]]) -> None:
    """Every KPI appears once with id, label, period, value, unit, status and comparisons."""
    assert set(kpis_json) == set(builtin_kpis())
    for item in kpis_json.values():
        assert {"id", "label", "period", "value", "unit", "status", "comparisons"} <= set(item)
        assert item["period"] == "2026-02"  # the last month of the ledger
        assert set(item["comparisons"]) == {"previous", "n1", "budget"}


def test_kpis_json_values(kpis_json: dict[str, dict[str, Any]]) -> None:
    """Headline values match the hand computation (February 2026)."""
    revenue = kpis_json["chiffre_affaires"]
    assert Decimal(revenue["value"]) == Decimal(11000)
    assert revenue["unit"] == "money"
    assert revenue["label"] == "Chiffre d'affaires"
    assert Decimal(revenue["comparisons"]["n1"]["value"]) == Decimal(10000)
    assert Decimal(revenue["comparisons"]["n1"]["delta"]) == Decimal(1000)
    assert Decimal(revenue["comparisons"]["budget"]["value"]) == Decimal(10500)
    # DSCR headline is LTM: (38 600 − 4 000) / 21 600
    dscr = kpis_json["dscr"]
    assert dscr["window"] == "ltm"
    assert dscr["window_period"] == "2025-03..2026-02"
    assert Decimal(dscr["value"]) == (Decimal(34600) / Decimal(21600)).quantize(Decimal("0.0001"))
    assert dscr["status"] == "ok"
    assert Decimal(kpis_json["tresorerie_nette"]["value"]) == Decimal(86000)
    assert Decimal(kpis_json["bfr"]["value"]) == Decimal(-1000)
    assert kpis_json["delai_livraison_jours"]["status"] == "warn"  # 25,1 days > 22


def test_kpis_json_unavailable_has_reason(kpis_json: dict[str, dict[str, Any]]) -> None:
    """An unavailable KPI has value null and a reason."""
    item = kpis_json["taux_retour"]
    assert item["value"] is None
    assert "taux_retour" in item["reason"]


def test_kpis_period_option(small_company: SmallCompany) -> None:
    """--period 2025-10 computes October 2025 (CA 10 000, net cash 72 200)."""
    result = run("kpis", str(small_company.config), "--format", "json", "--period", "2025-10")
    assert result.exit_code == 0, result.output
    items = {i["id"]: i for i in json.loads(result.stdout)}
    assert Decimal(items["chiffre_affaires"]["value"]) == Decimal(10000)
    assert Decimal(items["tresorerie_nette"]["value"]) == Decimal(72200)


def test_kpis_table_output(small_company: SmallCompany) -> None:
    """The table format names the company and the month in French."""
    result = run("kpis", str(small_company.config))
    assert result.exit_code == 0, result.output
    assert "Atelier Lyonnais de Test" in result.stdout
    assert "février 2026" in result.stdout
    assert "Chiffre d'affaires" in result.stdout


def test_bad_period_is_a_clear_error(small_company: SmallCompany) -> None:
    """--period 2026-13 exits 2 with one sentence naming the option and the value."""
    line = assert_user_error(run("kpis", str(small_company.config), "--period", "2026-13"), 2)
    assert "--period" in line and "2026-13" in line


# ---------------------------------------------------------------- check


def test_check_ok_with_row_counts(small_company: SmallCompany) -> None:
    """check exits 0 and reports each dataset's row count and the balanced bilan."""
    result = run("check", str(small_company.config))
    assert result.exit_code == 0, result.output
    out = result.stdout
    counts = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()
              if line.strip().endswith("(source compta)")}
    assert counts == {"budget": 28, "deals": 6, "entries": 315, "invoices": 3, "loans": 14, "ops_metrics": 6}
    assert "2025-01 à 2026-02" in out
    assert "bilan équilibré" in out


def test_bad_config_is_one_line_error(tmp_path: Path) -> None:
    """A misspelled key exits 2 with one « Erreur : » line naming the key path and no traceback."""
    config = tmp_path / "boardpack.toml"
    config.write_text('[company]\nname = "X"\nnmae = "Y"\n', encoding="utf-8")
    line = assert_user_error(run("check", str(config)), 2)
    assert "boardpack.toml" in line and "« company.nmae »" in line


def test_missing_config_file(tmp_path: Path) -> None:
    """A missing config file is a one-line error."""
    assert "introuvable" in assert_user_error(run("check", str(tmp_path / "absent.toml")), 2)


def test_bad_data_names_file_line_and_column(small_company: SmallCompany) -> None:
    """A non-numeric amount in entries.csv exits 3 naming the file, line 3 and column « debit »."""
    entries = small_files()["entries.csv"].splitlines()
    assert "120 000,00" in entries[2]  # second data row: 215400 debit
    entries[2] = entries[2].replace("120 000,00", "120k")
    small_company.write("entries.csv", "\n".join(entries) + "\n")
    line = assert_user_error(run("check", str(small_company.config)), 3)
    assert str(small_company.data / "entries.csv") in line
    assert "ligne 3" in line
    assert "« debit »" in line
    assert "120k" in line


def test_unbalanced_entry_is_reported(small_company: SmallCompany) -> None:
    """An unbalanced entry exits 3 naming the entry."""
    small_company.write("entries.csv", ENTRY_HEADER + "\n"
                        "01/01/2025;AN;AN1;512000;Banque;;x;10,00;0,00\n"
                        "01/01/2025;AN;AN1;101300;Capital;;x;0,00;9,00\n")
    line = assert_user_error(run("check", str(small_company.config)), 3)
    assert "AN AN1" in line


def test_missing_data_folder_is_a_source_error(small_company: SmallCompany) -> None:
    """A source folder that does not exist exits 4."""
    text = small_company.config.read_text(encoding="utf-8").replace('path = "donnees"', 'path = "absent"')
    small_company.config.write_text(text, encoding="utf-8")
    assert "introuvable" in assert_user_error(run("check", str(small_company.config)), 4)


def test_check_with_only_opening_entries_is_a_user_error(small_company: SmallCompany) -> None:
    """check on a ledger with only AN entries gives one « Erreur : » line, not a traceback."""
    small_company.write("entries.csv", ENTRY_HEADER + "\n"
                        "01/01/2025;AN;AN1;512000;Banque;;x;10,00;0,00\n"
                        "01/01/2025;AN;AN1;101300;Capital;;x;0,00;10,00\n")
    result = run("check", str(small_company.config))
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert any(line.startswith("Erreur :") for line in result.stderr.splitlines())


def test_kpis_with_only_opening_entries_asks_for_a_period(small_company: SmallCompany) -> None:
    """kpis on a ledger with only AN entries cannot choose a period and says so in one line."""
    small_company.write("entries.csv", ENTRY_HEADER + "\n"
                        "01/01/2025;AN;AN1;512000;Banque;;x;10,00;0,00\n"
                        "01/01/2025;AN;AN1;101300;Capital;;x;0,00;10,00\n")
    line = assert_user_error(run("kpis", str(small_company.config)), 3)
    assert "--period" in line


# ---------------------------------------------------------------- build


def test_build_unknown_audience(small_company: SmallCompany) -> None:
    """build --audience x exits 2 naming the audience and listing the known ones."""
    line = assert_user_error(run("build", str(small_company.config), "--audience", "conseil", "--quiet"), 2)
    assert "« conseil »" in line
    assert "dirigeant" in line and "daf" in line


def test_build_writes_one_file_per_audience(small_company: SmallCompany, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """build writes <audience>_<period>.pdf for each audience and prints their paths (PDF engine stubbed)."""
    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", fake_pdf)
    out = tmp_path / "sortie"
    result = run("build", str(small_company.config), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert pdf_files(out) == ["daf_2026-02.pdf", "dirigeant_2026-02.pdf"]
    assert (out / "daf_2026-02.pdf").read_bytes() == FAKE_PDF
    assert f"dirigeant\t{out / 'dirigeant_2026-02.pdf'}" in result.stdout


def test_failing_build_leaves_no_pdf(small_company: SmallCompany, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """When the PDF cannot be made, the build exits 6 and leaves no .pdf nor .part file."""

    def fail(html: str, *args: Any, **kwargs: Any) -> bytes:
        raise RenderError("mise en page PDF impossible : police absente")

    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", fail)
    out = tmp_path / "sortie"
    line = assert_user_error(run("build", str(small_company.config), "--out", str(out), "--quiet"), 6)
    assert "police absente" in line
    assert pdf_files(out) == []


def test_build_failing_on_second_audience_leaves_no_pdf(small_company: SmallCompany, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails on its second pack leaves no PDF at all (no partial set of packs)."""
    calls: list[int] = []

    def fail_second(html: str, *args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        if len(calls) == 2:
            raise RenderError("mise en page PDF impossible")
        return FAKE_PDF

    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", fail_second)
    out = tmp_path / "sortie"
    assert_user_error(run("build", str(small_company.config), "--out", str(out), "--quiet"), 6)
    assert pdf_files(out) == []


def test_build_progress_goes_to_stderr(small_company: SmallCompany, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --quiet, progress lines go to stderr and stdout only lists the files."""
    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", fake_pdf)
    result = run("build", str(small_company.config), "--out", str(tmp_path / "o"), "--audience", "daf")
    assert result.exit_code == 0, result.output
    assert "chargement des données" in result.stderr
    assert result.stdout.strip().splitlines() == [f"daf\t{tmp_path / 'o' / 'daf_2026-02.pdf'}"]


# ---------------------------------------------------------------- plugins, init, version


def test_plugins_all_lists_builtins_with_hooks() -> None:
    """plugins --all prints JSON with every built-in plugin, its hooks and what it provides."""
    result = run("plugins", "--all")
    assert result.exit_code == 0, result.output
    described = {p["name"]: p for p in json.loads(result.stdout)}
    assert "boardpack.default_plugins.sources.datasets" in described
    assert described["boardpack.default_plugins.sources.datasets"]["hooks"] == ["register_datasets"]
    assert described["boardpack.default_plugins.sources.csv"]["provides"]["source"] == ["csv", "demo"]
    assert described["boardpack.default_plugins.themes.builtin"]["hooks"] == ["register_themes"]
    assert set(described) == set(DEFAULT_PLUGINS)


def test_plugins_without_all_hides_builtins() -> None:
    """plugins without --all lists only third-party plugins (none here)."""
    result = run("plugins")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_plugins_dir_option_adds_a_kpi(small_company: SmallCompany, tmp_path: Path) -> None:
    """--plugins-dir loads a loose plugin whose KPI then appears in `kpis --format json`."""
    folder = tmp_path / "mes_plugins"
    folder.mkdir()
    (folder / "fixe.py").write_text(
        "from decimal import Decimal\nfrom boardpack import KPI, hookimpl\n\n"
        "class Fixe(KPI):\n    id = 'fixe'\n    label = {'fr': 'Fixe'}\n    formula = {'fr': '42'}\n"
        "    unit = 'count'\n\n    def compute(self, ctx, window):\n        return Decimal(42)\n\n"
        "@hookimpl\ndef register_kpis():\n    return [Fixe()]\n",
        encoding="utf-8",
    )
    result = run("--plugins-dir", str(folder), "kpis", str(small_company.config), "--format", "json")
    assert result.exit_code == 0, result.output
    items = {i["id"]: i for i in json.loads(result.stdout)}
    assert items["fixe"]["value"] == "42"


def test_broken_plugin_is_one_line_and_the_rest_goes_on(tmp_path: Path, small_company: SmallCompany) -> None:
    """A plugin file with a syntax error is named in one warning line; a config not needing it still checks."""
    folder = tmp_path / "mes_plugins"
    folder.mkdir()
    (folder / "casse.py").write_text("def (:\n", encoding="utf-8")
    result = run("--plugins-dir", str(folder), "check", str(small_company.config))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "mes_plugins/casse.py" in line]
    assert len(warnings) == 1 and "ignoré" in warnings[0] and "Traceback" not in result.stderr


def test_init_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    """init writes a starter config that loads; a second init refuses and leaves the file alone."""
    target = tmp_path / "boardpack.toml"
    first = run("init", str(target))
    assert first.exit_code == 0, first.output
    assert "[company]" in target.read_text(encoding="utf-8")
    target.write_text("# mine\n", encoding="utf-8")
    line = assert_user_error(run("init", str(target)), 2)
    assert "existe déjà" in line
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_init_config_is_valid(tmp_path: Path) -> None:
    """The config written by init passes load_config (it builds the demo)."""
    from boardpack.config import load_config

    target = tmp_path / "boardpack.toml"
    assert run("init", str(target)).exit_code == 0
    config = load_config(target)
    assert [s.type for s in config.sources] == ["demo"]


def test_version() -> None:
    """--version prints the package version."""
    result = run("--version")
    assert result.exit_code == 0
    assert "0.1.0" in result.stdout
