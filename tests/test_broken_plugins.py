"""Broken plugins: set aside with their reason, the build goes on unless it needs them; duplicates stay fatal.

The fixture plugins are in ``tests/plugins_broken/`` (see its README).
"""

from __future__ import annotations

import json
import shutil
import types
from pathlib import Path
from typing import Any

import pytest
from conftest import SmallCompany, builtin_kpis

from boardpack import plugins
from boardpack.build import load_inputs, validate
from boardpack.config import load_config
from boardpack.errors import ConfigError, PluginError
from boardpack.testing import registered, run_cli

BROKEN = Path(__file__).resolve().parent / "plugins_broken"

GOOD_PLUGIN = '''
from decimal import Decimal
from boardpack import KPI, hookimpl


class Fixe(KPI):
    id = "fixe"
    label = {"fr": "Fixe", "en": "Fixed"}
    formula = {"fr": "42", "en": "42"}
    unit = "count"

    def compute(self, ctx, window):
        return Decimal(42)


@hookimpl
def register_kpis():
    return [Fixe()]
'''


def folder_with(tmp_path: Path, *broken: str, good: bool = False) -> Path:
    """A --plugins-dir « mes_plugins » holding the named fixture plugins (and a good one)."""
    folder = tmp_path / "mes_plugins"
    folder.mkdir()
    for name in broken:
        for file in (BROKEN / name).glob("*.py"):
            shutil.copy(file, folder / file.name)
    if good:
        (folder / "fixe.py").write_text(GOOD_PLUGIN, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def no_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed third-party plugins must not leak into these tests."""
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])


# ---------------------------------------------------------------- loading


def test_syntax_error_is_set_aside(tmp_path: Path) -> None:
    """A file that does not parse is broken, named with the SyntaxError; the other plugins load."""
    registry = plugins.get_registry([folder_with(tmp_path, "syntax_error", good=True)])
    reason = registry.broken["mes_plugins/casse.py"]
    assert "SyntaxError" in reason and "casse.py" in reason
    assert "fixe" in registry.kpis
    assert set(builtin_kpis()) <= set(registry.kpis)


def test_import_error_is_set_aside(tmp_path: Path) -> None:
    """A plugin whose import fails is broken, the missing module named."""
    registry = plugins.get_registry([folder_with(tmp_path, "import_error", good=True)])
    reason = registry.broken["mes_plugins/dependance.py"]
    assert "ModuleNotFoundError" in reason and "boardpack_module_absent_pour_test" in reason
    assert "fixe" in registry.kpis


def test_misspelled_hook_sets_the_whole_plugin_aside(tmp_path: Path) -> None:
    """register_kpi (no s) breaks the plugin: its valid section is not registered; the right hook is suggested."""
    registry = plugins.get_registry([folder_with(tmp_path, "misspelled_hook", good=True)])
    reason = registry.broken["mes_plugins/faute.py"]
    assert "« register_kpi »" in reason and "vouliez-vous dire « register_kpis »" in reason
    assert "section_de_faute" not in registry.sections
    assert "fixe" in registry.kpis
    names = {name for name, _ in plugins.get_plugin_manager().list_name_plugin()}
    assert "mes_plugins/faute.py" not in names


def test_failing_hook_forgets_what_the_plugin_registered(tmp_path: Path) -> None:
    """A hook that raises sets its plugin aside and drops the KPI it registered in an earlier hook."""
    registry = plugins.get_registry([folder_with(tmp_path, "failing_hook")])
    reason = registry.broken["mes_plugins/boom.py"]
    assert "register_sections" in reason and "base de référence indisponible" in reason
    assert "kpi_boom" not in registry.kpis
    assert not [key for key, provider in registry.providers.items() if provider == "mes_plugins/boom.py"]


def test_duplicate_name_is_fatal_naming_both(tmp_path: Path) -> None:
    """A plugin re-registering chiffre_affaires stops the program naming both plugins (never skipped)."""
    with pytest.raises(PluginError) as info:
        plugins.get_registry([folder_with(tmp_path, "duplicate_name", "syntax_error")])
    message = str(info.value)
    assert "chiffre_affaires" in message
    assert "boardpack.default_plugins.kpis.finance" in message and "mes_plugins/doublon.py" in message


class FakeEntryPoint:
    """An installed package's ``boardpack`` entry point."""

    def __init__(self, name: str, plugin: Any) -> None:
        self.name, self.value, self.group, self._plugin = name, f"{name}_pkg.plugin", "boardpack", plugin

    def load(self) -> Any:
        if isinstance(self._plugin, Exception):
            raise self._plugin
        return self._plugin


def test_entry_points_broken_are_set_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed plugin failing to import, and one with a misspelled hook, are both set aside by name."""
    typo = types.ModuleType("typo_pkg.plugin")
    exec("from boardpack import hookimpl\n@hookimpl\ndef register_chart():\n    return []\n", typo.__dict__)  # noqa: S102
    eps = [FakeEntryPoint("absent", ImportError("No module named 'openpyxl'")), FakeEntryPoint("typo", typo)]
    monkeypatch.setattr(plugins, "entry_points", lambda group: eps)
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    registry = plugins.get_registry()
    assert "absent_pkg.plugin" in registry.broken["absent"] and "openpyxl" in registry.broken["absent"]
    assert "« register_chart »" in registry.broken["typo"] and "register_charts" in registry.broken["typo"]
    described = {p["name"]: p for p in plugins.describe_plugins(False)}
    assert described["absent"]["error"] == registry.broken["absent"]
    assert described["typo"]["provides"] == {}


def test_plugin_under_test_is_strict() -> None:
    """registered() raises on a misspelled hook: a plugin author wants to know, not a warning."""
    typo = types.ModuleType("faute_sous_test")
    exec("from boardpack import hookimpl\n@hookimpl\ndef register_kpi():\n    return []\n", typo.__dict__)  # noqa: S102
    with pytest.raises(PluginError, match="faute_sous_test.*register_kpi"), registered(typo):
        pass
    assert "faute_sous_test" not in {n for n, _ in plugins.get_plugin_manager().list_name_plugin()}


# ---------------------------------------------------------------- the build goes on, or says why not


def test_unknown_section_names_the_broken_plugin(tmp_path: Path, small_company: SmallCompany) -> None:
    """A config asking for a section while a plugin is broken: the error names the section and the plugin."""
    text = small_company.config.read_text(encoding="utf-8").replace('"alertes"]', '"ventes_excel"]')
    small_company.config.write_text(text, encoding="utf-8")
    registry = plugins.get_registry([folder_with(tmp_path, "import_error")])
    with pytest.raises(ConfigError) as info:
        validate(load_config(small_company.config, registry), registry)
    message = str(info.value)
    assert "section inconnue « ventes_excel »" in message
    assert "le plugin « mes_plugins/dependance.py » n'a pas pu être chargé : " in message
    assert "boardpack_module_absent_pour_test" in message


def test_unknown_source_type_names_the_broken_plugin(tmp_path: Path, small_company: SmallCompany) -> None:
    """An unknown [sources.x] type while a plugin is broken: the error says which plugin failed and why."""
    text = small_company.config.read_text(encoding="utf-8").replace('type = "csv"', 'type = "sage"')
    small_company.config.write_text(text, encoding="utf-8")
    registry = plugins.get_registry([folder_with(tmp_path, "syntax_error")])
    with pytest.raises(ConfigError) as info:
        load_inputs(load_config(small_company.config, registry), registry)
    message = str(info.value)
    assert "type de source inconnu « sage »" in message and "« mes_plugins/casse.py »" in message
    assert message.count("n'a pas pu être chargé") == 1  # the hint is not given twice


def test_unknown_dataset_of_a_source_names_the_broken_plugin(tmp_path: Path, small_company: SmallCompany) -> None:
    """A source refusing a dataset nobody registered while a plugin is broken: the error names both."""
    text = small_company.config.read_text(encoding="utf-8").replace(
        'path = "donnees"', 'path = "donnees"\ndatasets = ["entries", "subscriptions"]')
    small_company.config.write_text(text, encoding="utf-8")
    registry = plugins.get_registry([folder_with(tmp_path, "import_error")])
    with pytest.raises(ConfigError) as info:
        load_inputs(load_config(small_company.config, registry), registry)
    message = str(info.value)
    assert "sources.compta.datasets » : jeu de données inconnu « subscriptions »" in message
    assert message.count("le plugin « mes_plugins/dependance.py » n'a pas pu être chargé") == 1
    assert "boardpack_module_absent_pour_test" in message


def test_known_names_need_no_hint(small_company: SmallCompany) -> None:
    """Without broken plugins an unknown name's message is unchanged (no « n'a pas pu être chargé »)."""
    text = small_company.config.read_text(encoding="utf-8").replace('"alertes"]', '"ventes_excel"]')
    small_company.config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        validate(load_config(small_company.config), plugins.get_registry())
    assert "n'a pas pu être chargé" not in str(info.value)


def test_cli_warns_once_and_goes_on(tmp_path: Path, small_company: SmallCompany) -> None:
    """check with a broken plugin not needed by the config: exit 0, one warning line per broken plugin."""
    folder = folder_with(tmp_path, "syntax_error", "misspelled_hook")
    result = run_cli("--plugins-dir", folder, "check", small_company.config)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "ignoré" in line]
    assert len(warnings) == 2
    assert warnings[0].startswith("plugin « mes_plugins/casse.py » ignoré : ")
    assert warnings[1].startswith("plugin « mes_plugins/faute.py » ignoré : hook inconnu « register_kpi »")
    assert "Configuration" in result.stdout


def test_cli_error_when_the_broken_plugin_is_needed(tmp_path: Path, small_company: SmallCompany) -> None:
    """check on a config needing what the broken plugin would provide: exit 2, one line naming both."""
    text = small_company.config.read_text(encoding="utf-8").replace('"alertes"]', '"ventes_excel"]')
    small_company.config.write_text(text, encoding="utf-8")
    result = run_cli("--plugins-dir", folder_with(tmp_path, "import_error"), "check", small_company.config)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Erreur :")]
    assert len(errors) == 1 and "ventes_excel" in errors[0] and "mes_plugins/dependance.py" in errors[0]
    assert "Traceback" not in result.output


def test_cli_plugins_lists_broken_with_reason(tmp_path: Path) -> None:
    """`boardpack plugins` lists the good plugin with what it provides and the broken one with its reason."""
    result = run_cli("--plugins-dir", folder_with(tmp_path, "syntax_error", good=True), "plugins")
    assert result.exit_code == 0, result.output
    described = {p["name"]: p for p in json.loads(result.stdout)}
    assert described["mes_plugins/fixe.py"]["provides"] == {"KPI": ["fixe"]}
    assert described["mes_plugins/fixe.py"]["error"] is None
    assert "SyntaxError" in described["mes_plugins/casse.py"]["error"]


def test_cli_duplicate_is_one_error_line(tmp_path: Path, small_company: SmallCompany) -> None:
    """A duplicate name exits 5 with one « Erreur : » line naming both plugins."""
    result = run_cli("--plugins-dir", folder_with(tmp_path, "duplicate_name"), "check", small_company.config)
    assert result.exit_code == 5
    assert "mes_plugins/doublon.py" in result.stderr and "kpis.finance" in result.stderr
