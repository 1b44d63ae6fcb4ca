"""Registering plugins for the length of a test, and running the command line in memory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import plugins
from ..errors import PluginError
from ..plugins import Registry

if TYPE_CHECKING:
    from click.testing import Result

__all__ = ["PluginRegistry", "plugin_registry", "registered", "run_cli"]


def _plugin_name(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return getattr(plugin, "__name__", type(plugin).__name__)


@contextmanager
def registered(*plugin_objects: object, name: str | None = None, entry_points: bool = False) -> Iterator[Registry]:
    """Register plugins for the length of a ``with`` block and yield the resulting registry.

    The plugin manager is made afresh: the built-in plugins, then ``plugin_objects`` (modules,
    classes or instances with ``@hookimpl`` functions), then the installed plugins if
    ``entry_points``. What was loaded before is restored on leaving the block.

    :param name: the plugin's name (default: the module's ``__name__``); with several
        plugins, the first one's name (the others keep theirs).
    :raises PluginError: if a plugin under test is broken (unknown hook, failing hook,
        a name another plugin already registers) — a test wants to know.
    """
    extra = tuple(
        (name if index == 0 and name else _plugin_name(plugin), plugin)
        for index, plugin in enumerate(plugin_objects)
    )
    with plugins.isolated(extra, entry_points):
        yield plugins.get_registry()


class PluginRegistry:
    """What the :func:`plugin_registry` fixture gives: call it to register plugins until the test ends."""

    def __init__(self) -> None:
        self._stack: list[Any] = []

    def __call__(self, *plugin_objects: object, name: str | None = None, entry_points: bool = False) -> Registry:
        """Register ``plugin_objects`` (see :func:`registered`) and return the registry."""
        manager = registered(*plugin_objects, name=name, entry_points=entry_points)
        registry = manager.__enter__()
        self._stack.append(manager)
        return registry

    @property
    def registry(self) -> Registry:
        """The current registry (the built-ins only, if nothing was registered)."""
        return plugins.get_registry()

    def close(self) -> None:
        """Undo every registration, innermost first."""
        while self._stack:
            self._stack.pop().__exit__(None, None, None)


try:
    import pytest
except ImportError:  # pragma: no cover - pytest comes with the test extra
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def plugin_registry() -> Iterator[PluginRegistry]:
        """A fresh plugin state for the test; ``plugin_registry(my_plugin)`` registers one.

        ``plugin_registry.registry`` is the current registry. Everything is undone after the test.
        """
        registrar = PluginRegistry()
        with plugins.isolated((), False):
            try:
                yield registrar
            finally:
                registrar.close()

else:  # pragma: no cover

    def plugin_registry() -> Iterator[PluginRegistry]:
        """Needs pytest (``pip install boardpack[test]``)."""
        raise PluginError("boardpack.testing.plugin_registry : pytest est nécessaire (pip install boardpack[test])")
        yield


def run_cli(*args: str | Path, env: Mapping[str, str] | None = None, entry_points: bool = False) -> Result:
    """Run ``boardpack ARGS…`` in-process and return the ``click.testing.Result``.

    Plugins are loaded afresh for the run (the built-ins, the plugins of the enclosing
    :func:`registered` block, ``--plugins-dir`` if given) and the previous state restored
    after. Exceptions other than boardpack's user errors propagate (``catch_exceptions=False``);
    ``result.stdout`` and ``result.stderr`` are kept apart.
    """
    from click.testing import CliRunner

    from ..cli import cli

    # inside registered() (or the fixture), the plugins of that block; else the built-ins only
    settings = plugins._settings
    extra, with_entry_points = (settings["extra"], settings["entry_points"]) if settings["isolated"] else ((), False)
    with plugins.isolated(extra, with_entry_points or entry_points):
        return CliRunner().invoke(cli, [str(a) for a in args], env=dict(env or {}), catch_exceptions=False)
