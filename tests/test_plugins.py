"""Plugin loading: built-ins through the hooks, loose plugin files, entry points, errors."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

from boardpack import plugins
from boardpack.default_plugins import DEFAULT_PLUGINS
from boardpack.errors import PluginError
from conftest import builtin_kpis

#: KPIs the packs cannot do without; the full list comes from the default plugin modules.
CORE_KPIS = {
    "chiffre_affaires", "marge_brute", "taux_marge_brute", "ebe", "resultat_net", "tresorerie_nette",
    "bfr", "dso", "dscr", "pipeline_pondere", "taux_transformation", "unites_produites",
    "commandes_livrees", "delai_livraison_jours", "delai_devis_jours", "taux_livraison_a_temps",
    "taux_conformite", "taux_retour", "cout_unitaire",
}
BUILTIN_SECTIONS = {
    "kpi_tiles", "faits_marquants", "tendances", "alertes", "kpi_table", "compte_resultat", "bilan",
    "tresorerie_bfr", "tableau_flux", "commentaire", "qualite_donnees", "compte_resultat_mensuel",
    "cascade_tresorerie", "marges_produits_clients", "clients_fournisseurs", "balance_agee", "delais_cycle",
    "rotation_stocks", "note_de_synthese", "presentation", "etats_3_exercices", "ratios_bancaires", "echeancier",
    "flux_operationnels", "pipeline", "plan_tresorerie", "backtest_tresorerie", "analyse_financiere",
    "demande_financement",
}

KPI_PLUGIN = '''
from decimal import Decimal
from boardpack import KPI, hookimpl


class Panier(KPI):
    id = "panier_moyen"
    label = {"fr": "Panier moyen", "en": "Average basket"}
    formula = {"fr": "CA / commandes", "en": "revenue / orders"}
    unit = "money"

    def compute(self, ctx, window):
        return Decimal("42")


@hookimpl
def register_kpis():
    return [Panier()]
'''


def plugin_dir(tmp_path: Path, files: dict[str, str], name: str = "plugins") -> Path:
    """A --plugins-dir folder with the given files."""
    folder = tmp_path / name
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def no_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed third-party plugins must not leak into these tests."""
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])


def test_builtin_plugins_register_everything_through_hooks(no_entry_points: None) -> None:
    """The registry holds the 7 datasets, the file and API sources, the KPIs, charts, sections, theme and channels."""
    registry = plugins.get_registry()
    assert set(registry.datasets) == {"entries", "invoices", "deals", "ops_metrics", "budget", "loans", "marketing"}
    assert set(registry.sources) == {"csv", "demo", "fec", "pennylane", "quickbooks", "hubspot"}
    assert set(registry.kpis) == set(builtin_kpis()) >= CORE_KPIS
    assert set(registry.sections) == BUILTIN_SECTIONS
    assert registry.charts  # at least one chart type
    assert "trend" in registry.charts
    assert set(registry.themes) == {"default"}
    assert set(registry.channels) == {"folder", "email"}


def test_providers_name_the_builtin_modules(no_entry_points: None) -> None:
    """Each registered item records which built-in plugin module provided it."""
    registry = plugins.get_registry()
    assert registry.providers[("KPI", "dscr")] == "boardpack.default_plugins.kpis.debt_service"
    assert registry.providers[("dataset", "entries")] == "boardpack.default_plugins.sources.datasets"
    assert registry.providers[("source", "csv")] == "boardpack.default_plugins.sources.csv"
    assert registry.providers[("channel", "folder")] == "boardpack.default_plugins.channels.folder"
    assert set(registry.providers.values()) <= set(DEFAULT_PLUGINS)


def test_every_builtin_module_is_a_registered_plugin(no_entry_points: None) -> None:
    """All DEFAULT_PLUGINS modules are registered with the plugin manager under their names."""
    pm = plugins.get_plugin_manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert set(DEFAULT_PLUGINS) <= names


def test_registry_is_cached_until_reset(no_entry_points: None) -> None:
    """get_registry returns the same object until reset()."""
    first = plugins.get_registry()
    assert plugins.get_registry() is first
    plugins.reset()
    assert plugins.get_registry() is not first


def test_plugins_dir_registers_a_kpi(tmp_path: Path, no_entry_points: None) -> None:
    """A loose *.py file in --plugins-dir adds its KPI, provided by « <folder>/<file> »."""
    folder = plugin_dir(tmp_path, {"panier.py": KPI_PLUGIN})
    registry = plugins.get_registry([folder])
    assert "panier_moyen" in registry.kpis
    assert registry.providers[("KPI", "panier_moyen")] == "plugins/panier.py"
    assert set(builtin_kpis()) <= set(registry.kpis)


def test_plugins_dir_missing_folder(tmp_path: Path, no_entry_points: None) -> None:
    """A --plugins-dir that does not exist is a PluginError naming it."""
    with pytest.raises(PluginError, match="introuvable"):
        plugins.get_registry([tmp_path / "absent"])


def test_misspelled_hook_names_the_plugin(tmp_path: Path, no_entry_points: None) -> None:
    """@hookimpl on register_kpi (no s) sets the plugin aside, the reason naming the hook and the known ones."""
    folder = plugin_dir(tmp_path, {"typo.py": (
        "from boardpack import hookimpl\n\n@hookimpl\ndef register_kpi():\n    return []\n"
    )})
    registry = plugins.get_registry([folder])
    message = registry.broken["plugins/typo.py"]
    assert "register_kpi" in message
    assert "register_kpis" in message  # the known hooks are listed


def test_duplicate_kpi_id_names_both_providers(tmp_path: Path, no_entry_points: None) -> None:
    """A plugin redefining chiffre_affaires fails: « is defined by both » with both plugin names."""
    folder = plugin_dir(tmp_path, {"dup.py": KPI_PLUGIN.replace('"panier_moyen"', '"chiffre_affaires"')})
    with pytest.raises(PluginError) as info:
        plugins.get_registry([folder])
    message = str(info.value)
    assert "is defined by both" in message
    assert "boardpack.default_plugins.kpis.finance" in message
    assert "plugins/dup.py" in message
    assert "chiffre_affaires" in message


def test_syntax_error_names_the_file(tmp_path: Path, no_entry_points: None) -> None:
    """A plugin file that does not parse is set aside as broken, its reason naming the file and the SyntaxError."""
    folder = plugin_dir(tmp_path, {"casse.py": "def register_kpis(:\n    pass\n"})
    registry = plugins.get_registry([folder])
    assert "casse.py" in registry.broken["plugins/casse.py"]
    assert "SyntaxError" in registry.broken["plugins/casse.py"]


def test_failing_hook_names_plugin_and_hook(tmp_path: Path, no_entry_points: None) -> None:
    """A hook that raises sets its plugin aside, the reason naming the hook and the error."""
    folder = plugin_dir(tmp_path, {"boom.py": (
        "from boardpack import hookimpl\n\n@hookimpl\ndef register_kpis():\n    raise RuntimeError('oups')\n"
    )})
    message = plugins.get_registry([folder]).broken["plugins/boom.py"]
    assert "register_kpis" in message and "oups" in message


# ---------------------------------------------------------------- entry points


class FakeEntryPoint:
    """Stands for an installed package's ``boardpack`` entry point."""

    def __init__(self, name: str, plugin: Any) -> None:
        self.name = name
        self.value = f"fake_{name}:plugin"
        self.group = plugins.ENTRY_POINT_GROUP
        self._plugin = plugin
        self.loaded = 0

    def load(self) -> Any:
        self.loaded += 1
        if isinstance(self._plugin, Exception):
            raise self._plugin
        return self._plugin


def fake_plugin(kpi_id: str) -> types.ModuleType:
    """A module object registering one KPI ``kpi_id``."""
    module = types.ModuleType(f"fake_{kpi_id}")
    exec(KPI_PLUGIN.replace("panier_moyen", kpi_id), module.__dict__)  # noqa: S102 - test fixture code
    return module


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeEntryPoint]:
    """Two fake installed plugins, « alpha » and « beta », each registering one KPI."""
    eps = {
        "alpha": FakeEntryPoint("alpha", fake_plugin("kpi_alpha")),
        "beta": FakeEntryPoint("beta", fake_plugin("kpi_beta")),
    }

    def entry_points(group: str) -> list[FakeEntryPoint]:
        assert group == "boardpack"
        return list(eps.values())

    monkeypatch.setattr(plugins, "entry_points", entry_points)
    return eps


def test_entry_points_loaded_when_variable_unset(
    fake_entry_points: dict[str, FakeEntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without BOARDPACK_LOAD_PLUGINS every installed plugin is loaded."""
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    registry = plugins.get_registry()
    assert {"kpi_alpha", "kpi_beta"} <= set(registry.kpis)
    assert registry.providers[("KPI", "kpi_alpha")] == "alpha"


def test_empty_load_plugins_loads_no_entry_point(
    fake_entry_points: dict[str, FakeEntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    """BOARDPACK_LOAD_PLUGINS="" loads none of them (not even imported)."""
    monkeypatch.setenv("BOARDPACK_LOAD_PLUGINS", "")
    registry = plugins.get_registry()
    assert "kpi_alpha" not in registry.kpis and "kpi_beta" not in registry.kpis
    assert fake_entry_points["alpha"].loaded == 0 and fake_entry_points["beta"].loaded == 0
    assert set(builtin_kpis()) <= set(registry.kpis)  # built-ins are not entry points


def test_allow_list_loads_only_named_entry_points(
    fake_entry_points: dict[str, FakeEntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    """BOARDPACK_LOAD_PLUGINS="beta" loads beta only; spaces around names are ignored."""
    monkeypatch.setenv("BOARDPACK_LOAD_PLUGINS", " beta , gamma")
    registry = plugins.get_registry()
    assert "kpi_beta" in registry.kpis
    assert "kpi_alpha" not in registry.kpis
    assert fake_entry_points["alpha"].loaded == 0
    assert fake_entry_points["beta"].loaded == 1


def test_entry_point_import_error_names_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed plugin that fails to import is set aside as broken, its reason naming its target."""
    broken = FakeEntryPoint("cassé", ImportError("No module named 'requests'"))
    monkeypatch.setattr(plugins, "entry_points", lambda group: [broken])
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    message = plugins.get_registry().broken["cassé"]
    assert "fake_cassé:plugin" in message and "requests" in message
    assert set(builtin_kpis()) <= set(plugins.get_registry().kpis)


def test_describe_plugins_lists_hooks(no_entry_points: None) -> None:
    """describe_plugins(True) gives name, version, hooks and provided names of each built-in."""
    described = {p["name"]: p for p in plugins.describe_plugins(True)}
    finance = described["boardpack.default_plugins.kpis.finance"]
    assert finance["hooks"] == ["register_kpis"]
    assert "dso" in finance["provides"]["KPI"]
    assert finance["version"]
    assert plugins.describe_plugins(False) == []


# ---------------------------------------------------------------- loading details (review fixes)


DATACLASS_PLUGIN = '''
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from boardpack import KPI, hookimpl


@dataclass
class Seuil:
    valeur: Decimal


class Constant(KPI):
    id = "constante_dataclass"
    label = {"fr": "Constante", "en": "Constant"}
    formula = {"fr": "7", "en": "7"}
    unit = "count"

    def compute(self, ctx, window):
        return Seuil(Decimal(7)).valeur


@hookimpl
def register_kpis():
    return [Constant()]
'''


def test_plugins_dir_file_with_future_annotations_and_dataclass(tmp_path: Path, no_entry_points: None) -> None:
    """A loose file using ``from __future__ import annotations`` and ``@dataclass`` loads (it is in
    sys.modules while it runs, as an imported module is); a failing file is not left there."""
    import sys

    folder = plugin_dir(tmp_path, {"seuil.py": DATACLASS_PLUGIN, "casse.py": "raise RuntimeError('non')\n"})
    registry = plugins.get_registry([folder])
    assert "plugins/seuil.py" not in registry.broken
    assert "constante_dataclass" in registry.kpis
    assert "boardpack_local_seuil" in sys.modules
    assert "plugins/casse.py" in registry.broken
    assert "boardpack_local_casse" not in sys.modules


def test_broken_reasons_are_one_line(tmp_path: Path, no_entry_points: None) -> None:
    """Reasons spanning lines (pluggy's, an exception's) are put on one line."""
    folder = plugin_dir(tmp_path, {
        "args.py": "from boardpack import hookimpl\n\n@hookimpl\ndef register_kpis(inconnu):\n    return []\n",
        "multi.py": ("from boardpack import hookimpl\n\n@hookimpl\ndef register_kpis():\n"
                     "    raise RuntimeError('ligne un\\n  ligne deux')\n"),
    })
    registry = plugins.get_registry([folder])
    assert "register_kpis" in registry.broken["plugins/args.py"]
    assert "ligne un ligne deux" in registry.broken["plugins/multi.py"]
    for reason in registry.broken.values():
        assert "\n" not in reason and "  " not in reason


def test_set_aside_plugins_are_unregistered(tmp_path: Path, no_entry_points: None) -> None:
    """A plugin set aside is no longer registered with the plugin manager, whichever way it broke."""
    folder = plugin_dir(tmp_path, {
        "args.py": "from boardpack import hookimpl\n\n@hookimpl\ndef register_kpis(inconnu):\n    return []\n",
        "boom.py": "from boardpack import hookimpl\n\n@hookimpl\ndef register_kpis():\n    raise RuntimeError('oups')\n",
    })
    registry = plugins.get_registry([folder])
    assert {"plugins/args.py", "plugins/boom.py"} <= set(registry.broken)
    names = {name for name, _ in plugins.get_plugin_manager().list_name_plugin()}
    assert "plugins/args.py" not in names and "plugins/boom.py" not in names


def test_partial_registration_of_older_pluggy_is_undone(
    tmp_path: Path, no_entry_points: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pluggy < 1.6 registers a plugin's name before validating its hooks: the invalid plugin is unregistered."""
    import pluggy

    original = pluggy.PluginManager.register

    def register_like_pluggy_1_5(self: pluggy.PluginManager, plugin: Any, name: str | None = None) -> Any:
        try:
            return original(self, plugin, name)
        except pluggy.PluginValidationError:
            self._name2plugin[name] = plugin  # what pluggy 1.5 left behind
            raise

    monkeypatch.setattr(pluggy.PluginManager, "register", register_like_pluggy_1_5)
    folder = plugin_dir(tmp_path, {
        "args.py": "from boardpack import hookimpl\n\n@hookimpl\ndef register_kpis(inconnu):\n    return []\n",
    })
    registry = plugins.get_registry([folder])
    assert "plugins/args.py" in registry.broken
    names = {name for name, _ in plugins.get_plugin_manager().list_name_plugin()}
    assert "plugins/args.py" not in names
    assert "plugins/args.py" not in {p["name"] for p in plugins.describe_plugins(False) if p["error"] is None}


def test_same_plugin_name_twice_is_one_short_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two entry points of one name: one sentence naming it, without pluggy's table of plugins."""
    eps = [FakeEntryPoint("alpha", fake_plugin("kpi_a1")), FakeEntryPoint("alpha", fake_plugin("kpi_a2"))]
    monkeypatch.setattr(plugins, "entry_points", lambda group: eps)
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    with pytest.raises(PluginError) as info:
        plugins.get_registry()
    message = str(info.value)
    assert "\n" not in message and "{" not in message
    assert message.startswith("plugin « alpha » : ") and "renommez l'un des deux" in message


def test_entry_point_of_an_already_registered_plugin_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin under test also installed: its entry point loads the same module, which is not registered twice."""
    module = fake_plugin("kpi_installe")
    monkeypatch.setattr(plugins, "entry_points", lambda group: [FakeEntryPoint("installe", module)])
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    with plugins.isolated([("sous_test", module)], entry_points=True):
        registry = plugins.get_registry()
        assert registry.providers[("KPI", "kpi_installe")] == "sous_test"
        assert not registry.broken


def test_describe_plugins_version_from_the_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """The version shown is the one of the distribution the entry point was loaded from, broken or not."""
    good = FakeEntryPoint("alpha", fake_plugin("kpi_alpha"))
    bad = FakeEntryPoint("cassé", ImportError("No module named 'requests'"))
    good.dist = types.SimpleNamespace(version="1.2.3")  # type: ignore[attr-defined]
    bad.dist = types.SimpleNamespace(version="0.9")  # type: ignore[attr-defined]
    monkeypatch.setattr(plugins, "entry_points", lambda group: [good, bad])
    monkeypatch.delenv("BOARDPACK_LOAD_PLUGINS", raising=False)
    described = {p["name"]: p for p in plugins.describe_plugins(False)}
    assert described["alpha"]["version"] == "1.2.3"
    assert described["cassé"]["version"] == "0.9" and described["cassé"]["error"]
