"""boardpack batch: portfolio file, one failure kept to its company, incremental runs, local pool, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from boardpack.batch import EXIT_ALL, EXIT_NONE, EXIT_SOME, LocalExecutor, load_portfolio, run_batch
from boardpack.cli import cli
from boardpack.errors import ConfigError

from batch_helpers import FEC_DIR, FECS, InProcess, write_portfolio
from conftest import SmallCompany


def _portfolio_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_portfolio(path)
    return str(caught.value)


def test_portfolio_errors_name_file_and_key(tmp_path: Path) -> None:
    """A mistake in the portfolio is one sentence naming the file and the key."""
    (tmp_path / "m.toml").write_text("", encoding="utf-8")
    (tmp_path / "a.txt").write_text("", encoding="utf-8")
    assert "p.toml, clé « portfolio.tempalte »" in _portfolio_error(tmp_path, "[portfolio]\ntempalte = 'm.toml'\n")
    assert "« template »" in _portfolio_error(tmp_path, "[portfolio]\ntempalte = 'm.toml'\n")
    message = _portfolio_error(tmp_path, "[portfolio]\ntemplate = 'm.toml'\n[companies.a]\nfec = 'a.txt'\ncsv = '.'\n")
    assert "clé « companies.a »" in message and "une seule" in message
    message = _portfolio_error(tmp_path, "[portfolio]\ntemplate = 'm.toml'\n[companies.a]\nfec = 'absent.txt'\n")
    assert "clé « companies.a.fec »" in message and "introuvable" in message
    message = _portfolio_error(tmp_path, "[companies.a]\nfec = 'a.txt'\n")
    assert "companies.a.fec" in message and "modèle" in message
    assert "companies" in _portfolio_error(tmp_path, "[portfolio]\nname = 'x'\n")
    assert "p.toml : TOML invalide" in _portfolio_error(tmp_path, "[portfolio\n")
    message = _portfolio_error(tmp_path, "[portfolio]\ntemplate = 'm.toml'\n[companies.a]\nxlsx = 'a.txt'\n")
    assert "companies.a.xlsx" in message


def test_only_unknown_company_is_refused(tmp_path: Path) -> None:
    """--only naming a company the portfolio does not list is refused with the known ones."""
    portfolio = load_portfolio(write_portfolio(tmp_path))
    with pytest.raises(ConfigError, match="« gamma ».*alpha, beta, casse"):
        portfolio.select(["gamma"])


def test_failing_company_does_not_stop_the_others(tmp_path: Path) -> None:
    """The broken FEC fails with its own message; alpha and beta get their packs; exit code « some »."""
    portfolio = load_portfolio(write_portfolio(tmp_path))
    report = run_batch(portfolio, InProcess())
    status = {line.id: line.status for line in report.lines}
    assert status == {"alpha": "ok", "beta": "ok", "casse": "failed"}
    casse = report.lines[2]
    assert "999999999FEC20231231.txt, ligne 1" in casse.first_error_line and not casse.packs
    assert (tmp_path / "dossiers" / "alpha" / "dirigeant_2023-06.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "dossiers" / "beta" / "dirigeant_2023-07.pdf").is_file()
    assert not (tmp_path / "dossiers" / "casse").exists()
    assert report.exit_code == EXIT_SOME
    alpha = report.lines[0]
    assert alpha.name == "Société 000000000"  # from the FEC's file name, as boardpack init does
    assert alpha.figures["values"]["chiffre_affaires"] is not None


def test_unchanged_company_is_skipped_changed_one_rebuilt(tmp_path: Path) -> None:
    """A rerun skips what did not change, rebuilds the company whose FEC changed, and --force rebuilds all."""
    portfolio = load_portfolio(write_portfolio(tmp_path, broken=False))
    first = InProcess()
    assert run_batch(portfolio, first).exit_code == EXIT_ALL and first.ran == ["alpha", "beta"]
    again = InProcess()
    report = run_batch(portfolio, again)
    assert again.ran == [] and [line.status for line in report.lines] == ["unchanged", "unchanged"]
    assert report.lines[0].packs == ["dirigeant_2023-06.pdf"] and report.lines[0].figures
    fec = tmp_path / "clients" / FECS["beta"]
    fec.write_bytes(fec.read_bytes() + b"\n")  # the data changed (a byte)
    changed = InProcess()
    run_batch(portfolio, changed)
    assert changed.ran == ["beta"]
    (tmp_path / "modele.toml").write_text((tmp_path / "modele.toml").read_text() + "\n# retouche\n")
    template = InProcess()
    run_batch(portfolio, template)
    assert template.ran == ["alpha", "beta"]  # the template is part of every company's hash
    forced = InProcess()
    run_batch(portfolio, forced, force=True, only=["alpha"])
    assert forced.ran == ["alpha"]
    (tmp_path / "dossiers" / "alpha" / "dirigeant_2023-06.pdf").unlink()
    missing = InProcess()
    run_batch(portfolio, missing)
    assert missing.ran == ["alpha"]  # a pack removed by hand is built again
    state = json.loads((tmp_path / "dossiers" / ".boardpack-batch.json").read_text())
    assert sorted(state["companies"]) == ["alpha", "beta"] and len(state["companies"]["alpha"]["hash"]) == 64


def test_rerun_after_failure_redoes_only_what_failed(tmp_path: Path) -> None:
    """Once the broken FEC is replaced, a rerun builds casse only."""
    portfolio = load_portfolio(write_portfolio(tmp_path))
    run_batch(portfolio, InProcess())
    (tmp_path / "clients" / "999999999FEC20231231.txt").write_bytes((FEC_DIR / FECS["alpha"]).read_bytes())
    rerun = InProcess()
    report = run_batch(portfolio, rerun)
    assert rerun.ran == ["casse"] and report.exit_code == EXIT_ALL
    assert report.lines[2].name == "Casse SAS"


def test_no_company_succeeds_exit_code(tmp_path: Path) -> None:
    """Only failures: exit code « none »."""
    portfolio = load_portfolio(write_portfolio(tmp_path))
    assert run_batch(portfolio, InProcess(), only=["casse"]).exit_code == EXIT_NONE


def test_company_with_bad_own_config_fails_alone(tmp_path: Path) -> None:
    """A company whose own config is wrong fails with the config's message; the others are built."""
    (tmp_path / "own.toml").write_text("[company]\nnom = 'x'\n", encoding="utf-8")
    path = write_portfolio(tmp_path, broken=False, extra="\n[companies.propre]\nconfig = \"own.toml\"\n")
    report = run_batch(load_portfolio(path), InProcess(), only=["alpha", "propre"])
    line = report.lines[1]
    assert line.status == "failed" and "own.toml, clé « company.nom »" in line.error
    assert report.lines[0].status == "ok"


def test_local_pool_builds_in_spawned_workers(tmp_path: Path) -> None:
    """The local pool builds each company in a worker process and reports its peak memory."""
    import os

    portfolio = load_portfolio(write_portfolio(tmp_path))
    report = run_batch(portfolio, LocalExecutor(2))
    assert [line.status for line in report.lines] == ["ok", "ok", "failed"]
    assert report.memory and os.getpid() not in report.memory
    assert all(peak > 50 * 2**20 for peak in report.memory.values())


def test_batch_command_table_and_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """boardpack batch prints one line per company, writes the overview, exits 8 when some failed, 0 on an unchanged rerun."""
    path = write_portfolio(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["batch", path.name, "--jobs", "1", "--quiet"])
    assert result.exit_code == EXIT_SOME, result.output
    assert f"synthèse\t{tmp_path / 'dossiers' / 'portefeuille.pdf'}" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines() if not line.startswith("synthèse")]
    assert rows[0][:4] == ["société", "dossiers", "statut", "durée"]
    assert rows[1][:3] == ["alpha", "1", "construite"] and rows[3][:3] == ["casse", "0", "échec"]
    assert "ligne 1" in result.stdout.splitlines()[3]
    again = CliRunner().invoke(cli, ["batch", path.name, "--only", "alpha", "--no-overview", "--quiet"])
    assert again.exit_code == EXIT_ALL and "inchangée" in again.stdout
    bad = CliRunner().invoke(cli, ["batch", path.name, "--executor", "ftp://x"])
    assert bad.exit_code == 2 and "Erreur : --executor" in bad.output


def test_worker_killed_mid_build_company_retried_alone(tmp_path: Path) -> None:
    """A worker dies building alpha: alpha and the companies the broken pool held are built again; a
    company that kills its worker every time fails alone, with why."""
    from batch_helpers import crash_on_alpha

    portfolio = load_portfolio(write_portfolio(tmp_path, broken=False))
    report = run_batch(portfolio, LocalExecutor(1, crash_on_alpha))
    assert [line.status for line in report.lines] == ["ok", "ok"]
    (tmp_path / "clients" / "always").touch()
    report = run_batch(portfolio, LocalExecutor(1, crash_on_alpha), force=True)
    assert [line.status for line in report.lines] == ["failed", "ok"]
    assert "arrêté brutalement" in report.lines[0].error and report.exit_code == EXIT_SOME


def test_own_config_hash_covers_its_files_and_not_remote_sources(small_company: SmallCompany) -> None:
    """A company's own config: a CSV file changed changes its hash; a remote source gives no hash (always rebuilt)."""
    from boardpack.batch import CompanyEntry
    from boardpack.batch.state import company_hash
    from boardpack.config import load_config

    entry = CompanyEntry("petite", config=small_company.config)
    before = company_hash(entry, load_config(small_company.config), None)
    assert before == company_hash(entry, load_config(small_company.config), None)
    assert before != company_hash(entry, load_config(small_company.config), "2026-02")
    name = sorted(p.name for p in small_company.data.iterdir())[0]
    small_company.write(name, (small_company.data / name).read_text(encoding="utf-8") + "\n")
    assert company_hash(entry, load_config(small_company.config), None) != before
    text = small_company.config.read_text(encoding="utf-8") + '\n[sources.pl]\ntype = "pennylane"\n'
    small_company.config.write_text(text, encoding="utf-8")
    assert company_hash(entry, load_config(small_company.config), None) is None
