"""``boardpack sources check``: one line per source, ✓ or ✗ with one sentence, exit 4 on a failure."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import test_snapshots
from click.testing import CliRunner
from test_snapshots import TOKEN, CrmEmulator, remote_config

from boardpack.cli import cli

# the CRM emulator, the fake remote source and the recorded waits, shared with test_snapshots
crm = test_snapshots.crm
no_pause = test_snapshots.no_pause
remote_plugin = test_snapshots.remote_plugin

FEC = Path(__file__).parent / "data" / "fec" / "000000000FEC20231231.txt"


def sources_check(config: Path) -> Any:
    """Run ``boardpack sources check CONFIG``."""
    return CliRunner().invoke(cli, ["sources", "check", str(config)])


def test_file_sources_say_what_is_there(small_company: Any) -> None:
    """csv: how many CSV files in which folder; fec: the file and its lines; exit 0."""
    shutil.copy(FEC, small_company.config.parent / FEC.name)
    small_company.config.write_text(small_company.config.read_text(encoding="utf-8") + f"""
[sources.grand_livre]
type = "fec"
path = "{FEC.name}"
""", encoding="utf-8")
    (small_company.data / "entries.csv").unlink()
    lines = [line for line in FEC.read_text(encoding="utf-8").split("\n") if line.strip()]
    result = sources_check(small_company.config)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "✓ compta (csv) : 5 fichiers CSV dans donnees/",
        f"✓ grand_livre (fec) : FEC {FEC.name}, " + f"{len(lines) - 1:,} lignes".replace(",", " "),
    ]


def test_demo_source() -> None:
    """The demo config's source names its packaged files."""
    demo = Path(__file__).parent.parent / "src" / "boardpack" / "demo" / "config.toml"
    result = sources_check(demo)
    assert result.exit_code == 0
    assert result.output == "✓ demo (demo) : 7 fichiers CSV de démonstration\n"


def test_remote_source_makes_one_cheap_call(crm: CrmEmulator, tmp_path: Path) -> None:
    """A reachable API with a good token: ✓ with what the source found, one request."""
    result = sources_check(remote_config(tmp_path, crm.base_url))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "✓ compta (csv) : 6 fichiers CSV dans donnees/ (jeux retenus : entries, invoices, ops_metrics, budget, loans)",
        f"✓ crm (crm_test) : connexion ok, {len(crm.rows)} affaires",
    ]
    assert len(crm.requests) == 1 and crm.requests[0].arg("limit") == "1"
    assert not (tmp_path / "snapshots").exists()


def test_refused_token_is_one_line_and_exit_4(crm: CrmEmulator, tmp_path: Path, monkeypatch: Any) -> None:
    """401: ✗ with provider, endpoint, status, message and what to do; the token is never shown."""
    monkeypatch.setenv("CRM_TEST_TOKEN", "wrong-token-9876543210")
    result = sources_check(remote_config(tmp_path, crm.base_url))
    assert result.exit_code == 4
    assert result.output.splitlines()[1] == (
        "✗ crm (crm_test) : CRM test : GET /deals a répondu 401 (authentification refusée : "
        "Authentication credentials not found) ; vérifiez le jeton d'accès dans la configuration"
    )
    assert "wrong-token" not in result.output and TOKEN not in result.output
    assert len(crm.requests) == 1


def test_missing_secret_and_unreachable_api(remote_plugin: None, no_pause: list[float], tmp_path: Path,
                                            monkeypatch: Any) -> None:
    """An unset token variable and an API nobody answers: each its own ✗ line; others still checked."""
    with CrmEmulator() as stopped:
        base_url = stopped.base_url
    monkeypatch.delenv("CRM_TEST_TOKEN", raising=False)
    config = remote_config(tmp_path, base_url)
    result = sources_check(config)
    assert result.exit_code == 4
    assert result.output.splitlines()[0].startswith("✓ compta (csv) : ")
    assert result.output.splitlines()[1] == (
        "✗ crm (crm_test) : clé « sources.crm.token » : la variable d'environnement CRM_TEST_TOKEN "
        "n'est pas définie"
    )
    monkeypatch.setenv("CRM_TEST_TOKEN", TOKEN)
    result = sources_check(config)
    assert result.exit_code == 4
    assert result.output.splitlines()[1] == (
        "✗ crm (crm_test) : CRM test : GET /deals est injoignable après 3 tentatives (ConnectError) ; "
        "vérifiez base_url et la connexion réseau, puis réessayez"
    )


def test_missing_folder_and_unknown_type(small_company: Any) -> None:
    """A csv folder that is not there, a source type nobody registered: ✗ lines, exit 4."""
    shutil.rmtree(small_company.data)
    small_company.config.write_text(small_company.config.read_text(encoding="utf-8") + """
[sources.paie]
type = "silae"
""", encoding="utf-8")
    result = sources_check(small_company.config)
    assert result.exit_code == 4
    lines = result.output.splitlines()
    assert lines[0] == f"✗ compta (csv) : source « compta » : dossier introuvable : {small_company.data}"
    assert lines[1].startswith("✗ paie (silae) : boardpack.toml, clé « sources.paie.type » : type de source inconnu « silae »")
