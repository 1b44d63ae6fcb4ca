"""`boardpack new plugin`: a package per kind whose generated tests pass as written, without pip install."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from boardpack.errors import ConfigError
from boardpack.scaffold import KINDS, names, scaffold_plugin
from boardpack.testing import run_cli


def run_generated_tests(packages: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """pytest over the packages' tests in a fresh interpreter, each package's src on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p / "src") for p in packages)
    env["BOARDPACK_LOAD_PLUGINS"] = ""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
               "-W", "ignore:HarfBuzz-Subset:DeprecationWarning", *(str(p / "tests") for p in packages)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_every_kind_scaffolds_a_passing_package(tmp_path: Path) -> None:
    """One package per kind; one pytest run over all their generated tests passes."""
    packages = [scaffold_plugin(f"essai-{kind}", kind, tmp_path / f"boardpack-essai-{kind}") for kind in KINDS]
    result = run_generated_tests(packages, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_package_layout_and_entry_point(tmp_path: Path, kind: str) -> None:
    """src layout, README, tests, and the `boardpack` entry point pointing at the plugin module."""
    folder = scaffold_plugin("mon-plugin", kind, tmp_path / "pkg")
    pyproject = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "boardpack-mon-plugin"
    assert pyproject["project"]["entry-points"]["boardpack"] == {"mon-plugin": "boardpack_mon_plugin.plugin"}
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"
    assert (folder / "src" / "boardpack_mon_plugin" / "plugin.py").is_file()
    assert (folder / "src" / "boardpack_mon_plugin" / "__init__.py").is_file()
    assert (folder / "tests" / "test_mon_plugin.py").is_file()
    assert "boardpack-mon-plugin" in (folder / "README.md").read_text(encoding="utf-8")
    plugin = (folder / "src" / "boardpack_mon_plugin" / "plugin.py").read_text(encoding="utf-8")
    assert plugin.startswith('"""') and "@hookimpl" in plugin and "$" not in plugin


def test_cli_writes_the_package_and_refuses_to_overwrite(tmp_path: Path) -> None:
    """`new plugin top3 --kind kpi --dir X` writes X; a second run refuses and changes nothing."""
    target = tmp_path / "top3"
    first = run_cli("new", "plugin", "top3", "--kind", "kpi", "--dir", target)
    assert first.exit_code == 0, first.output
    assert (target / "src" / "boardpack_top3" / "plugin.py").is_file()
    (target / "README.md").write_text("# à moi\n", encoding="utf-8")
    second = run_cli("new", "plugin", "top3", "--kind", "kpi", "--dir", target)
    assert second.exit_code == 2
    assert "existe déjà" in second.stderr
    assert (target / "README.md").read_text(encoding="utf-8") == "# à moi\n"


def test_cli_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --dir the package goes to ./boardpack-NAME."""
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "plugin", "budget-excel", "--kind", "source")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "boardpack-budget-excel" / "src" / "boardpack_budget_excel" / "plugin.py").is_file()


@pytest.mark.parametrize("bad", ["3d", "Top3", "mon plugin", "class", "é", "a.b", ""])
def test_invalid_names_are_refused(bad: str) -> None:
    """A name that does not make a Python package name (after - → _) is a ConfigError."""
    with pytest.raises(ConfigError, match="nom de plugin invalide"):
        names(bad)


def test_names() -> None:
    """Distribution, package, item id and class prefix of a hyphenated name."""
    assert names("budget-excel") == {
        "name": "budget-excel", "ident": "budget_excel", "dist": "boardpack-budget-excel",
        "package": "boardpack_budget_excel", "cls": "BudgetExcel",
    }


def test_name_taken_by_a_builtin_is_refused(tmp_path: Path) -> None:
    """A section called « bilan » would clash with the built-in one: refused, naming its provider."""
    with pytest.raises(ConfigError, match="« bilan » est déjà fourni par boardpack.default_plugins"):
        scaffold_plugin("bilan", "section", tmp_path / "bilan")
    assert not (tmp_path / "bilan").exists()


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    """--kind outside the list is refused by the CLI (click's choice) and by scaffold_plugin."""
    assert run_cli("new", "plugin", "x", "--kind", "widget", "--dir", tmp_path / "x").exit_code == 2
    with pytest.raises(ConfigError, match="type de plugin inconnu"):
        scaffold_plugin("x", "widget", tmp_path / "y")
    assert not (tmp_path / "y").exists()


def test_kind_labels_come_from_the_registry_kinds(tmp_path: Path) -> None:
    """Every kind has the label the registry's providers use: a built-in KPI or channel name is refused too."""
    from boardpack.plugins import _KINDS
    from boardpack.scaffold import _KIND_LABELS

    assert set(_KIND_LABELS) == set(KINDS)
    assert set(_KIND_LABELS.values()) <= {label for _, _, label, _ in _KINDS}
    with pytest.raises(ConfigError, match="« ebe » est déjà fourni par boardpack.default_plugins"):
        scaffold_plugin("ebe", "kpi", tmp_path / "ebe")
    with pytest.raises(ConfigError, match="« folder » est déjà fourni par boardpack.default_plugins.channels.folder"):
        scaffold_plugin("folder", "channel", tmp_path / "folder")


def test_test_extra_is_boardpack_test_only(tmp_path: Path) -> None:
    """The generated test extra is boardpack[test] (which brings pytest), nothing pinned beside it."""
    folder = scaffold_plugin("mon-plugin", "kpi", tmp_path / "pkg")
    pyproject = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["optional-dependencies"]["test"] == ["boardpack[test]"]


def test_channel_template_is_not_the_folder_channel(tmp_path: Path) -> None:
    """The channel skeleton writes a JSON receipt (a different, minimal example) and points to the built-in folder channel."""
    folder = scaffold_plugin("journal", "channel", tmp_path / "pkg")
    plugin = (folder / "src" / "boardpack_journal" / "plugin.py").read_text(encoding="utf-8")
    assert "shutil" not in plugin and "json.dumps" in plugin
    assert "use the built-in ``folder`` channel" in " ".join(plugin.split())
