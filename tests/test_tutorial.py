"""docs/tutorial.md works: its files are written and its commands run, in order, in a scratch folder.

Convention of the tutorial: a fenced block whose info string has ``title="path"`` is a file
to write at that path; in a ``console`` block, each line starting with ``$ `` is a command.
``boardpack …`` runs in-process (boardpack.testing.run_cli; ``boardpack plugins`` with the
installed plugins, as the real command), ``pytest …`` in a subprocess with every ``*/src``
folder on PYTHONPATH; ``pip install -e X`` is emulated without pip: ``X/src`` goes on
sys.path and a ``dist-info`` folder declares the entry points of ``X/pyproject.toml``, which
is what an editable install leaves for ``importlib.metadata``. The ``json`` block after
``boardpack plugins`` is its expected output.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from boardpack.testing import run_cli

if TYPE_CHECKING:
    from collections.abc import Iterator

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


def shown_json() -> list[object]:
    """The tutorial's ``json`` block: what ``boardpack plugins`` prints once the plugin is installed."""
    (body,) = [body for language, _, body in FENCE.findall(TUTORIAL.read_text(encoding="utf-8")) if language == "json"]
    return json.loads(body)


def install_editable(package: Path, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``pip install -e package`` leaves behind: its ``src`` importable, its metadata and entry points."""
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8")
    lines = []
    for group, points in project.get("entry-points", {}).items():
        lines += [f"[{group}]", *(f"{name} = {target}" for name, target in points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(package / "src"))
    monkeypatch.syspath_prepend(str(site))


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


@pytest.fixture
def forget_top3() -> Iterator[None]:
    """The tutorial's package is imported by step 5: forget it afterwards."""
    yield
    for name in [n for n in sys.modules if n == "boardpack_top3" or n.startswith("boardpack_top3.")]:
        del sys.modules[name]


def test_tutorial_steps_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forget_top3: None) -> None:
    """Every step succeeds: files written over the scaffold, generated-then-edited tests pass, the CLI sees
    the KPI, and once installed ``boardpack plugins`` prints what the tutorial shows."""
    monkeypatch.chdir(tmp_path)
    outputs: list[str] = []
    listed = False
    for kind, target, content in steps():
        if kind == "file":
            path = tmp_path / target
            assert path.parent.is_dir(), f"{target} : le dossier n'existe pas à cette étape"
            path.write_text(content, encoding="utf-8")
            continue
        words = shlex.split(target)
        if words[0] == "pip":
            assert words[1:3] == ["install", "-e"] and len(words) == 4, f"commande pip inattendue : {target}"
            install_editable(tmp_path / words[3], tmp_path / "site-packages", monkeypatch)
            continue
        if words[0] == "boardpack":
            if words[1:2] == ["plugins"]:
                # the real command loads the installed plugins; only the tutorial's one here
                result = run_cli(*words[1:], entry_points=True, env={"BOARDPACK_LOAD_PLUGINS": "top3"})
                assert result.exit_code == 0, (target, result.output)
                assert json.loads(result.stdout) == shown_json()
                listed = True
                continue
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
    assert listed, "le tutoriel ne lance plus « boardpack plugins »"
