"""The README's « Cabinet comptable » section: its files and commands, run as written on real FEC samples.

The FECs are real samples of tests/data/fec/ (MIT, see its README).
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from boardpack.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def section() -> str:
    """The text of « Cabinet comptable »."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Cabinet comptable", 1)[1].split("\n## ", 1)[0]


def test_readme_portfolio_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The template and portfolio of the section build both companies, then skip, then rebuild with --force."""
    template, portfolio = re.findall(r"```toml\n(.*?)```", section(), re.S)
    (tmp_path / "modele.toml").write_text(template, encoding="utf-8")
    (tmp_path / "portefeuille.toml").write_text(portfolio, encoding="utf-8")
    (tmp_path / "clients").mkdir()
    for name in re.findall(r'fec = "clients/(.*?)"', portfolio):
        shutil.copy(ROOT / "tests" / "data" / "fec" / name, tmp_path / "clients" / name)
    commands = [shlex.split(line)[1:] for block in re.findall(r"```console\n(.*?)```", section(), re.S)
                for line in block.splitlines() if line.startswith("boardpack ")]
    assert [c[:2] for c in commands] == [["batch", "portefeuille.toml"]] * 3
    monkeypatch.chdir(tmp_path)
    outputs = []
    for args in commands:
        result = CliRunner().invoke(cli, [*args, "--jobs", "1"] if "--jobs" not in args else args)
        assert result.exit_code == 0, (args, result.output)
        outputs.append({row.split()[0]: row.split()[1:3] for row in result.stdout.splitlines()[1:]
                        if not row.startswith("synthèse")})
    assert outputs == [{"durand": ["1", "construite"], "leroy": ["1", "construite"]},
                       {"durand": ["1", "inchangée"]}, {"durand": ["1", "construite"]}]
    written = sorted(str(p.relative_to(tmp_path / "dossiers")) for p in (tmp_path / "dossiers").rglob("*.pdf"))
    assert written == ["durand/dirigeant_2023-04.pdf", "leroy/dirigeant_2023-06.pdf", "portefeuille.pdf"]
