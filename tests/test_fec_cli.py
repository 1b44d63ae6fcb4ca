"""The FEC source through the command line: check, --strict, statements and a pack build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from boardpack.build import build
from boardpack.cli import cli
from boardpack.config import load_config

SAMPLES = Path(__file__).resolve().parent / "data" / "fec"
SAMPLE_3 = "111111111FEC20221231.TXT"  # file name says 2022, every line is in 2023
SAMPLE_1 = "0000000001FEC20220831.txt"


def _config(folder: Path, sample: str, start: int) -> Path:
    shutil.copy(SAMPLES / sample, folder / sample)
    config = folder / "boardpack.toml"
    config.write_text(
        f'[company]\nname = "Test"\nfiscal_year_start = {start}\n'
        f'[sources.compta]\ntype = "fec"\npath = "{sample}"\n'
        '[audiences.daf]\nsections = ["compte_resultat", "bilan", "tableau_flux"]\n',
        encoding="utf-8",
    )
    return config


def test_check_lists_fec_warnings(tmp_path: Path) -> None:
    """check succeeds on a FEC with warnings and prints each with its file and line."""
    result = CliRunner().invoke(cli, ["check", str(_config(tmp_path, SAMPLE_3, 1))])
    assert result.exit_code == 0, result.output
    assert f"avertissement : {SAMPLE_3}, ligne" in result.output
    assert "déduit du nom du fichier" in result.output


def test_check_strict_refuses_warnings(tmp_path: Path) -> None:
    """check --strict turns the first warning into a one-line error and a non-zero exit."""
    result = CliRunner().invoke(cli, ["check", str(_config(tmp_path, SAMPLE_3, 1)), "--strict"])
    assert result.exit_code == 3
    assert result.output.startswith(f"Erreur : {SAMPLE_3}, ligne")
    assert "--strict" in result.output
    assert "Traceback" not in result.output


def test_statements_of_a_fec_file_is_one_fiscal_year() -> None:
    """statements FILE gives the file's own fiscal year (September to August for sample 1)."""
    result = CliRunner().invoke(cli, ["statements", str(SAMPLES / SAMPLE_1), "--format", "json"])
    assert result.exit_code == 0, result.output
    years = json.loads(result.output)
    assert [(y["debut"], y["fin"], y["complet"]) for y in years] == [("2021-09-01", "2022-08-31", True)]


def test_statements_table_shows_every_statement() -> None:
    """The text output has the compte de résultat, SIG, bilan, CAF, flux and BFR blocks."""
    result = CliRunner().invoke(cli, ["statements", str(SAMPLES / SAMPLE_1)])
    assert result.exit_code == 0, result.output
    for title in ("Compte de résultat", "Soldes intermédiaires de gestion", "Bilan",
                  "CAF (méthodes additive et soustractive concordantes)", "Tableau de flux de trésorerie",
                  "Écart de rapprochement", "BFR en jours"):
        assert title in result.output


def test_statements_unknown_year_is_a_clear_error() -> None:
    """--fiscal-year with no such year names the source and the year."""
    result = CliRunner().invoke(cli, ["statements", str(SAMPLES / SAMPLE_1), "--fiscal-year", "2030"])
    assert result.exit_code == 3
    assert "aucun exercice clos en 2030" in result.output


def test_pack_from_a_fec(tmp_path: Path) -> None:
    """A DAF pack renders from a FEC alone; KPIs needing other datasets say why they are missing."""
    config = load_config(_config(tmp_path, SAMPLE_1, 9))
    result = build(config, write=False)
    html = result.html["daf"]
    assert str(result.period) == "2022-08"
    assert 'id="sec-compte_resultat"' in html and 'id="sec-tableau_flux"' in html
    assert "Section non disponible" not in html
