"""The README's « Vos propres données » walkthrough: its commands, run as written, on real and hand-made data.

The FEC is a real sample of tests/data/fec/ (MIT, see its README); the CSV folder and the
workbook are the small company of conftest.py.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from boardpack.cli import cli

from conftest import small_files

ROOT = Path(__file__).resolve().parents[1]
FEC = ROOT / "tests" / "data" / "fec" / "123456789FEC20500930.txt"


def walkthrough() -> list[list[str]]:
    """The ``boardpack …`` lines of the section's console blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Vos propres données", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, re.S)
    return [shlex.split(line)[1:] for block in blocks for line in block.splitlines() if line.startswith("boardpack ")]


def write_data(folder: Path) -> None:
    """The files the walkthrough names: the FEC, donnees/ (CSV + budget.xlsx), classeur.xlsx."""
    shutil.copy(FEC, folder / FEC.name)
    files = small_files()
    data = folder / "donnees"
    data.mkdir()
    (data / "entries.csv").write_text(files["entries.csv"], encoding="utf-8")
    budget = pd.read_csv(pd.io.common.StringIO(files["budget.csv"]), sep=";", dtype=str)
    budget.to_excel(data / "budget.xlsx", sheet_name="budget", index=False)
    entries = pd.read_csv(pd.io.common.StringIO(files["entries.csv"]), sep=";", dtype=str, keep_default_na=False)
    with pd.ExcelWriter(folder / "classeur.xlsx") as writer:
        entries.to_excel(writer, sheet_name="entries", index=False)
        budget.to_excel(writer, sheet_name="budget", index=False)


def test_readme_walkthrough_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command of « Vos propres données » succeeds; init then build writes the packs it names."""
    commands = walkthrough()
    assert [c[:2] for c in commands] == [["init", "--fec"], ["build", "boardpack.toml"], ["check", "boardpack.toml"],
                                         ["init", "--csv"], ["build", "societe.toml"], ["init", "--xlsx"],
                                         ["build", "classeur.toml"]]
    write_data(tmp_path)
    monkeypatch.chdir(tmp_path)
    for args in commands:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    written = sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
    assert written == ["banquier_2023-04.pdf", "daf_2023-04.pdf", "daf_2026-02.pdf", "dirigeant_2023-04.pdf",
                       "dirigeant_2026-02.pdf", "operations_2023-04.pdf"]
    config = (tmp_path / "boardpack.toml").read_text(encoding="utf-8")
    assert 'siren = "123456789"' in config and 'opening_journals = ["ANO"]' in config
    assert "avril 2022 – avril 2023" in config and "investments" not in config
