"""docs/tutorial.md works: its files are written and its commands run, in order, in a scratch folder.

Convention of the tutorial: a fenced block whose info string has ``title="path"`` is a file
to write at that path; in a ``console`` block, each line starting with ``$ `` is a command.
``boardpack …`` runs in-process (boardpack.testing.run_cli), ``pytest …`` in a subprocess
with every ``*/src`` folder on PYTHONPATH; ``pip …`` is skipped (nothing is installed).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from boardpack.testing import run_cli

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def steps() -> list[tuple[str, str, str]]:
    """(``file``, path, content) or (``run``, command, "") in the order of the tutorial."""
    out: list[tuple[str, str, str]] = []
    for language, info, body in FENCE.findall(TUTORIAL.read_text(encoding="utf-8")):
        title = re.search(r'title="([^"]+)"', info)
        if title:
            out.append(("file", title.group(1), body))
        elif language == "console":
            out.extend(("run", line[2:].strip(), "") for line in body.splitlines() if line.startswith("$ "))
    return out


def run_pytest(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """pytest in a fresh interpreter, every package's src/ importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in sorted(cwd.glob("*/src")))
    env["BOARDPACK_LOAD_PLUGINS"] = ""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
               "-W", "ignore:HarfBuzz-Subset:DeprecationWarning", *arguments]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_tutorial_has_files_and_commands() -> None:
    """The tutorial scaffolds, writes the plugin and its test, runs them and tries the CLI."""
    kinds = [(kind, target.split()[0]) for kind, target, _ in steps()]
    assert kinds[0] == ("run", "boardpack")
    assert ("file", "boardpack-top3/src/boardpack_top3/plugin.py") in kinds
    assert ("run", "pytest") in kinds


def test_tutorial_steps_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step succeeds: files written over the scaffold, generated-then-edited tests pass, the CLI sees the KPI."""
    monkeypatch.chdir(tmp_path)
    outputs: list[str] = []
    for kind, target, content in steps():
        if kind == "file":
            path = tmp_path / target
            assert path.parent.is_dir(), f"{target} : le dossier n'existe pas à cette étape"
            path.write_text(content, encoding="utf-8")
            continue
        words = shlex.split(target)
        if words[0] == "pip":
            continue
        if words[0] == "boardpack":
            if words[1:2] == ["plugins"]:
                continue  # needs the installed entry point (step 5)
            result = run_cli(*words[1:])
            assert result.exit_code == 0, (target, result.output)
            outputs.append(result.stdout)
        elif words[0] == "pytest":
            completed = run_pytest(words[1:], tmp_path)
            assert completed.returncode == 0, (target, completed.stdout[-3000:], completed.stderr[-3000:])
            assert "3 passed" in completed.stdout, completed.stdout
        else:
            pytest.fail(f"commande inattendue dans le tutoriel : {target}")
    assert any("part_top3" in text and "Part des trois premiers clients" in text for text in outputs)
