"""Loading plugins and gathering what they register.

Built-in plugins (:data:`boardpack.default_plugins.DEFAULT_PLUGINS`) are registered first,
then the ``boardpack`` entry points of installed packages, then loose ``*.py`` files from
``--plugins-dir``. ``BOARDPACK_LOAD_PLUGINS`` (comma-separated entry-point names) limits the
entry points loaded; set and empty, it loads none. Loading is lazy (nothing happens at
import time) and idempotent. A decorated function whose name is not a hook stops the
program at start-up, and two plugins registering the same name fail naming both.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy

from . import hookspecs
from .default_plugins import DEFAULT_PLUGINS
from .errors import PluginError
from .interfaces import KPI, AlertRule, Channel, Chart, DataSource, QualityCheck, Section
from .schema import DatasetSchema
from .theme import Theme, load_theme

__all__ = ["ENTRY_POINT_GROUP", "Registry", "get_plugin_manager", "get_registry", "reset"]

ENTRY_POINT_GROUP = "boardpack"
_state: dict[str, Any] = {}


def get_plugin_manager(plugins_dirs: Iterable[Path] = ()) -> pluggy.PluginManager:
    """The process's plugin manager, loading plugins on first call.

    :param plugins_dirs: folders of loose plugin files, honoured on the first call only
        (call :func:`reset` to load again with others).
    :raises PluginError: on a plugin that cannot be imported or implements an unknown hook.
    """
    if "pm" in _state:
        return _state["pm"]
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        _register(pm, importlib.import_module(module_name), module_name)
    _load_entry_points(pm)
    for folder in plugins_dirs:
        _load_folder(pm, Path(folder))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(_unknown_hook(pm, exc)) from None
    _state["pm"] = pm
    return pm


def reset() -> None:
    """Forget the loaded plugins and registry (tests, or a new ``--plugins-dir``)."""
    _state.clear()


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin « {name} » : {exc}") from None
    except ValueError as exc:  # same plugin name registered twice
        raise PluginError(f"plugin « {name} » : {exc}") from None


def _unknown_hook(pm: pluggy.PluginManager, exc: pluggy.PluginValidationError) -> str:
    known = sorted(n for n in dir(hookspecs) if n.startswith("register_"))
    plugin_name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
    return f"plugin « {plugin_name} » : {exc} (hooks connus : {', '.join(known)})"


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    allow = os.environ.get("BOARDPACK_LOAD_PLUGINS")
    allowed = None if allow is None else {n.strip() for n in allow.split(",") if n.strip()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # any import-time failure of third-party code
            raise PluginError(
                f"plugin « {ep.name} » ({ep.value}) ne peut pas être chargé : "
                f"{exc.__class__.__name__}: {exc}"
            ) from None
        _register(pm, plugin, ep.name)


def _load_folder(pm: pluggy.PluginManager, folder: Path) -> None:
    if not folder.is_dir():
        raise PluginError(f"--plugins-dir : dossier introuvable : {folder}")
    for path in sorted(folder.glob("*.py")):
        name = f"{folder.name}/{path.name}"
        spec = importlib.util.spec_from_file_location(f"boardpack_local_{path.stem}", path)
        if spec is None or spec.loader is None:  # pragma: no cover - .py files always have one
            raise PluginError(f"plugin « {name} » ne peut pas être chargé")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise PluginError(
                f"plugin « {name} » ne peut pas être chargé : {exc.__class__.__name__}: {exc}"
            ) from None
        sys.modules[spec.name] = module
        _register(pm, module, name)


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
    providers: dict[tuple[str, str], str] = field(default_factory=dict)

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
)


def get_registry(plugins_dirs: Iterable[Path] = ()) -> Registry:
    """Call every registration hook once and return the gathered :class:`Registry`.

    :raises PluginError: when two plugins register the same name for one kind.
    """
    if "registry" in _state:
        return _state["registry"]
    pm = get_plugin_manager(plugins_dirs)
    registry = Registry()
    for hook_name, attribute, kind, key in _KINDS:
        table: dict[str, Any] = getattr(registry, attribute)
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            try:
                items = impl.function() or []
            except Exception as exc:
                raise PluginError(
                    f"plugin « {impl.plugin_name} » : le hook {hook_name} a échoué "
                    f"({exc.__class__.__name__}: {exc})"
                ) from None
            for item in items:
                if hook_name == "register_themes":
                    item = load_theme(Path(item))
                name = key(item)
                if name in table:
                    first = registry.providers[(kind, name)]
                    raise PluginError(
                        f"{kind} '{name}' is defined by both {first} and {impl.plugin_name}"
                    )
                table[name] = item
                registry.providers[(kind, name)] = impl.plugin_name
    _state["registry"] = registry
    return registry


def describe_plugins(include_defaults: bool) -> list[dict[str, Any]]:
    """Name, version, hooks and registered names of each plugin (for ``boardpack plugins``)."""
    pm = get_plugin_manager()
    registry = get_registry()
    versions = {ep.name: dist.version for dist, ep in _entry_point_dists()}
    from . import __version__

    out = []
    for name, plugin in pm.list_name_plugin():
        default = name in DEFAULT_PLUGINS
        if default and not include_defaults:
            continue
        provides: dict[str, list[str]] = {}
        for (kind, item), provider in sorted(registry.providers.items()):
            if provider == name:
                provides.setdefault(kind, []).append(item)
        out.append({
            "name": name,
            "version": __version__ if default else versions.get(name),
            "hooks": sorted(hook.name for hook in pm.get_hookcallers(plugin) or []),
            "provides": provides,
        })
    return out


def _entry_point_dists() -> Iterable[tuple[Any, Any]]:
    from importlib.metadata import distributions

    for dist in distributions():
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP:
                yield dist, ep
