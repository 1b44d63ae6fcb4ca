"""Loading plugins and gathering what they register.

Built-in plugins (:data:`boardpack.default_plugins.DEFAULT_PLUGINS`) are registered first,
then the ``boardpack`` entry points of installed packages, then loose ``*.py`` files from
``--plugins-dir``. ``BOARDPACK_LOAD_PLUGINS`` (comma-separated entry-point names) limits the
entry points loaded; set and empty, it loads none. Loading is lazy (nothing happens at
import time) and idempotent.

An installed or ``--plugins-dir`` plugin that cannot be imported, implements a hook that does
not exist (a misspelling) or whose hook fails is *broken*: it is set aside with its reason
(:attr:`Registry.broken`), the CLI warns once, and the build goes on unless the config needs
something that plugin would have provided (the error then names it). A built-in plugin, or one
registered by :func:`isolated` (tests), that is broken stops the program. Two plugins
registering the same name fail naming both: a duplicate is ambiguous, never skipped.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy

from . import hookspecs
from .api.alerts import AlertRule
from .api.channels import Channel
from .api.charts import Chart
from .api.checks import QualityCheck
from .api.forecast import ForecastDriver
from .api.kpis import KPI
from .api.sections import Section
from .api.settings import Setting, SettingsTable
from .api.sources import DataSource
from .default_plugins import DEFAULT_PLUGINS
from .errors import PluginError
from .schema import DatasetSchema
from .theme import Theme, load_theme

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOST_SETTINGS",
    "Registry",
    "describe_plugins",
    "get_plugin_manager",
    "get_registry",
    "isolated",
    "reset",
    "settings_tables",
]

ENTRY_POINT_GROUP = "boardpack"
_state: dict[str, Any] = {}
#: what the next load registers besides the built-ins (set by :func:`isolated`, kept by :func:`reset`);
#: ``isolated`` is true inside an :func:`isolated` block
_settings: dict[str, Any] = {"extra": (), "entry_points": True, "isolated": False}


def get_plugin_manager(plugins_dirs: Iterable[Path] = ()) -> pluggy.PluginManager:
    """The process's plugin manager, loading plugins on first call.

    :param plugins_dirs: folders of loose plugin files, honoured on the first call only
        (call :func:`reset` to load again with others).
    :raises PluginError: on a built-in plugin that is broken, or two plugins of one name;
        a broken third-party plugin is set aside (see :attr:`Registry.broken`).
    """
    if "pm" in _state:
        return _state["pm"]
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    broken: dict[str, str] = {}
    versions: dict[str, tuple[str, str]] = {}
    for module_name in DEFAULT_PLUGINS:
        _register(pm, importlib.import_module(module_name), module_name)
    for name, plugin in _settings["extra"]:
        _register(pm, plugin, name)
    if _settings["entry_points"]:
        _load_entry_points(pm, broken, versions)
    for folder in plugins_dirs:
        _load_folder(pm, Path(folder), broken)
    _check_pending(pm, broken)
    _state["pm"] = pm
    _state["broken"] = broken
    _state["versions"] = versions
    return pm


def reset() -> None:
    """Forget the loaded plugins and registry (tests, or a new ``--plugins-dir``)."""
    _state.clear()


@contextmanager
def isolated(extra: Sequence[tuple[str, object]] = (), entry_points: bool = False) -> Iterator[None]:
    """Load plugins afresh for the length of a with-block, then restore what was loaded before.

    Inside, the plugins are the built-ins plus ``extra`` (``(name, plugin)`` pairs, strict:
    a broken one raises) and, if ``entry_points``, the installed ones. Used by
    :mod:`boardpack.testing`.
    """
    saved_state, saved_settings = dict(_state), dict(_settings)
    _state.clear()
    _settings.update(extra=tuple(extra), entry_points=entry_points, isolated=True)
    try:
        yield
    finally:
        _state.clear()
        _state.update(saved_state)
        _settings.clear()
        _settings.update(saved_settings)


def _strict() -> set[str]:
    """Plugins that may not be set aside when broken: the built-ins and :func:`isolated`'s."""
    return set(DEFAULT_PLUGINS) | {name for name, _ in _settings["extra"]}


def _one_line(exc: BaseException) -> str:
    """An exception's text on one line (pluggy's messages span several)."""
    return " ".join(str(exc).split())


def _register(pm: pluggy.PluginManager, plugin: object, name: str, broken: dict[str, str] | None = None) -> None:
    if name in dict(pm.list_name_plugin()):  # same plugin name twice: ambiguous, never skipped
        raise PluginError(f"plugin « {name} » : un autre plugin porte déjà ce nom ; renommez l'un des deux")
    if pm.is_registered(plugin):
        raise PluginError(
            f"plugin « {name} » : ce plugin est déjà enregistré sous le nom « {pm.get_name(plugin)} » ; "
            "ne l'enregistrez qu'une fois"
        )
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        if pm.is_registered(plugin):  # pluggy < 1.6 registers part of the plugin before validating
            pm.unregister(plugin)
        if broken is None:
            raise PluginError(f"plugin « {name} » : {_one_line(exc)}") from None
        broken[name] = f"hook invalide ({_one_line(exc)})"


def _check_pending(pm: pluggy.PluginManager, broken: dict[str, str]) -> None:
    """Set aside each third-party plugin implementing an unknown hook (a built-in one is fatal)."""
    while True:
        try:
            pm.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin) if exc.plugin is not None else None
            reason = _unknown_hook(pm, exc)
            if name is None or name in _strict():
                raise PluginError(f"plugin « {name or '?'} » : {reason}") from None
            pm.unregister(exc.plugin)
            broken[name] = " ".join(reason.split())


def _unknown_hook(pm: pluggy.PluginManager, exc: pluggy.PluginValidationError) -> str:
    known = sorted(n for n in dir(hookspecs) if n.startswith("register_"))
    unknown = [
        attr for attr in dir(exc.plugin)
        if attr not in known and pm.parse_hookimpl_opts(exc.plugin, attr) is not None
    ]
    if not unknown:
        return f"{exc} (hooks connus : {', '.join(known)})"
    close = difflib.get_close_matches(unknown[0], known, n=1)
    hint = f"vouliez-vous dire « {close[0]} » ? " if close else ""
    return f"hook inconnu « {unknown[0]} » ({hint}hooks connus : {', '.join(known)})"


def _load_entry_points(pm: pluggy.PluginManager, broken: dict[str, str],
                       versions: dict[str, tuple[str, str]]) -> None:
    """Register the allowed entry points, recording each one's distribution (name, version) in ``versions``.

    An entry point whose plugin object is already registered (the plugin under test of
    :func:`isolated`, also installed) is skipped: it is the same plugin.
    """
    allow = os.environ.get("BOARDPACK_LOAD_PLUGINS")
    allowed = None if allow is None else {n.strip() for n in allow.split(",") if n.strip()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        dist = getattr(ep, "dist", None)
        if dist is not None:
            versions[ep.name] = (getattr(dist, "name", None) or ep.name, dist.version)
        try:
            plugin = ep.load()
        except Exception as exc:  # any import-time failure of third-party code
            broken[ep.name] = f"import impossible de {ep.value} ({exc.__class__.__name__}: {_one_line(exc)})"
            continue
        if pm.is_registered(plugin):
            continue
        _register(pm, plugin, ep.name, broken)


def _load_folder(pm: pluggy.PluginManager, folder: Path, broken: dict[str, str]) -> None:
    if not folder.is_dir():
        raise PluginError(f"--plugins-dir : dossier introuvable : {folder}")
    for path in sorted(folder.glob("*.py")):
        name = f"{folder.name}/{path.name}"
        spec = importlib.util.spec_from_file_location(f"boardpack_local_{path.stem}", path)
        if spec is None or spec.loader is None:  # pragma: no cover - .py files always have one
            raise PluginError(f"plugin « {name} » ne peut pas être chargé")
        module = importlib.util.module_from_spec(spec)
        # In sys.modules while it runs, as an import would: dataclasses and typing look the
        # module up there (``from __future__ import annotations`` + ``@dataclass``).
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # SyntaxError included: any failure of the plugin's own code
            sys.modules.pop(spec.name, None)
            broken[name] = f"import impossible de {path} ({exc.__class__.__name__}: {_one_line(exc)})"
            continue
        _register(pm, module, name, broken)


@dataclass
class Registry:
    """Everything the plugins registered, by name, with who provided it."""

    datasets: dict[str, DatasetSchema] = field(default_factory=dict)
    sources: dict[str, type[DataSource]] = field(default_factory=dict)
    kpis: dict[str, KPI] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    channels: dict[str, type[Channel]] = field(default_factory=dict)
    quality_checks: dict[str, QualityCheck] = field(default_factory=dict)
    alert_rules: dict[str, AlertRule] = field(default_factory=dict)
    forecast_drivers: dict[str, ForecastDriver] = field(default_factory=dict)
    providers: dict[tuple[str, str], str] = field(default_factory=dict)
    #: plugins set aside because they are broken: name → reason
    broken: dict[str, str] = field(default_factory=dict)
    #: the config tables the plugins own, merged from every declaration (see :func:`settings_tables`)
    settings_tables: dict[str, SettingsTable] = field(default_factory=dict)

    def broken_hint(self) -> str:
        """`` ; le plugin « x » n'a pas pu être chargé : <raison>`` for each broken plugin, or ``""``.

        Appended to an « unknown name » error: the name may be one the broken plugin provides.
        """
        return "".join(f" ; le plugin « {name} » n'a pas pu être chargé : {reason}"
                       for name, reason in self.broken.items())

    def set_aside(self, plugin: str, reason: str) -> None:
        """Forget everything ``plugin`` registered and record it as broken."""
        for (kind, name), provider in list(self.providers.items()):
            if provider == plugin:
                attribute = next(a for _, a, k, _ in _KINDS if k == kind)
                getattr(self, attribute).pop(name, None)
                del self.providers[(kind, name)]
        self.broken[plugin] = reason

    def with_theme_dirs(self, folders: Iterable[Path]) -> dict[str, Theme]:
        """Registered themes plus those found in ``folders`` (a folder's themes win)."""
        themes = dict(self.themes)
        for folder in folders:
            for theme_toml in sorted(Path(folder).glob("*/theme.toml")):
                theme = load_theme(theme_toml.parent)
                themes[theme.name] = theme
        return themes


_KINDS: tuple[tuple[str, str, str, Callable[[Any], str]], ...] = (
    ("register_datasets", "datasets", "dataset", lambda o: o.name),
    ("register_sources", "sources", "source", lambda o: o.name),
    ("register_kpis", "kpis", "KPI", lambda o: o.id),
    ("register_charts", "charts", "chart", lambda o: o.name),
    ("register_sections", "sections", "section", lambda o: o.name),
    ("register_themes", "themes", "theme", lambda o: o.name),
    ("register_channels", "channels", "channel", lambda o: o.name),
    ("register_quality_checks", "quality_checks", "quality check", lambda o: o.name),
    ("register_alert_rules", "alert_rules", "alert rule", lambda o: o.name),
    ("register_forecast_drivers", "forecast_drivers", "forecast driver", lambda o: o.name),
)


def get_registry(plugins_dirs: Iterable[Path] = ()) -> Registry:
    """Call every registration hook once and return the gathered :class:`Registry`.

    A third-party hook that raises (or returns something without a name) sets its plugin
    aside, with everything it registered.

    :raises PluginError: when two plugins register the same name for one kind, or a
        built-in hook fails.
    """
    if "registry" in _state:
        return _state["registry"]
    pm = get_plugin_manager(plugins_dirs)
    registry = Registry(broken=dict(_state.get("broken", {})))
    for hook_name, attribute, kind, key in _KINDS:
        table: dict[str, Any] = getattr(registry, attribute)
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name in registry.broken:
                continue
            try:
                items = [load_theme(Path(i)) if hook_name == "register_themes" else i
                         for i in impl.function() or []]
                named = [(key(item), item) for item in items]
            except Exception as exc:
                reason = f"le hook {hook_name} a échoué ({exc.__class__.__name__}: {_one_line(exc)})"
                if impl.plugin_name in _strict():
                    raise PluginError(f"plugin « {impl.plugin_name} » : {reason}") from None
                registry.set_aside(impl.plugin_name, reason)
                pm.unregister(name=impl.plugin_name)  # as for an unknown hook: set aside = not loaded
                continue
            for name, item in named:
                if name in table:
                    first = registry.providers[(kind, name)]
                    raise PluginError(
                        f"{kind} '{name}' is defined by both {first} and {impl.plugin_name}"
                    )
                table[name] = item
                registry.providers[(kind, name)] = impl.plugin_name
    registry.settings_tables = settings_tables(registry)
    _state["registry"] = registry
    return registry


#: Keys the host itself reads in plugin-owned tables: the names of checks and rules to skip.
HOST_SETTINGS = {
    "quality": (Setting("ignore", "texts", [], "contrôles de qualité à ne pas exécuter"),),
    "alerts": (Setting("ignore", "texts", [], "règles d'alerte à ne pas évaluer"),),
}


def settings_tables(registry: Registry) -> dict[str, SettingsTable]:
    """Every config table the registered plugins declare, each key once with who declared it.

    The ``settings`` of KPIs, sections, quality checks, alert rules and forecast drivers are merged by table
    name (``quality`` and ``alerts`` always exist, with the host's ``ignore`` key).

    :raises PluginError: when two plugins declare one key differently (kind or default), or
        one table both as a single table and as a table of entries, naming both.
    """
    merged: dict[str, dict[str, tuple[Setting, str]]] = {
        name: {s.name: (s, "boardpack") for s in host} for name, host in HOST_SETTINGS.items()}
    shapes: dict[str, tuple[bool, str]] = {name: (False, "boardpack") for name in HOST_SETTINGS}
    for kind, attribute in (("KPI", "kpis"), ("section", "sections"), ("quality check", "quality_checks"),
                            ("alert rule", "alert_rules"), ("forecast driver", "forecast_drivers")):
        for item_name, item in getattr(registry, attribute).items():
            who = f"{registry.providers[(kind, item_name)]} ({kind} {item_name})"
            for table in getattr(item, "settings", ()):
                entries, first = shapes.setdefault(table.name, (table.entries, who))
                if entries != table.entries:
                    raise PluginError(f"table [{table.name}] déclarée différemment par {first} et {who}")
                keys = merged.setdefault(table.name, {})
                for setting in table.settings:
                    known = keys.get(setting.name)
                    if known is None:
                        keys[setting.name] = (setting, who)
                    elif (known[0].kind, known[0].default) != (setting.kind, setting.default):
                        raise PluginError(f"clé « {table.name}.{setting.name} » déclarée différemment par "
                                          f"{known[1]} et {who}")
    return {name: SettingsTable(name, tuple(s for s, _ in keys.values()), shapes[name][0])
            for name, keys in merged.items()}


def describe_plugins(include_defaults: bool) -> list[dict[str, Any]]:
    """Name, version, hooks and registered names of each plugin (for ``boardpack plugins``).

    A broken plugin comes last, with ``error`` (the reason) and nothing it provides; the
    others have ``error: None``.
    """
    pm = get_plugin_manager()
    registry = get_registry()
    versions: dict[str, tuple[str, str]] = _state.get("versions", {})
    from . import __version__

    out = []
    for name, plugin in pm.list_name_plugin():
        default = name in DEFAULT_PLUGINS
        if (default and not include_defaults) or name in registry.broken:
            continue
        provides: dict[str, list[str]] = {}
        for (kind, item), provider in sorted(registry.providers.items()):
            if provider == name:
                provides.setdefault(kind, []).append(item)
        distribution, version = ("boardpack", __version__) if default else versions.get(name, (None, None))
        out.append({
            "name": name,
            "distribution": distribution,
            "version": version,
            "hooks": sorted(hook.name for hook in pm.get_hookcallers(plugin) or []),
            "provides": provides,
            "error": None,
        })
    for name, reason in registry.broken.items():
        distribution, version = versions.get(name, (None, None))
        out.append({"name": name, "distribution": distribution, "version": version, "hooks": [],
                    "provides": {}, "error": reason})
    return out
