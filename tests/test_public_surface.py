"""The public plugin contract holds: plugins import boardpack.api only, and boardpack has no import cycle.

Read from the source files (``ast``), so a plugin reaching into a private module fails here even
when the import happens inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import boardpack
from boardpack import api

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "boardpack"
BUILT_IN = SRC / "default_plugins"
EXAMPLES = ROOT / "plugins"


def _imports(path: Path) -> Iterator[tuple[int, str, int, tuple[str, ...]]]:
    """(line, module, level, names) of every import statement of ``path``, wherever it stands."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, 0, ()
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, node.module or "", node.level, tuple(alias.name for alias in node.names)


def _offences(path: Path, allowed: tuple[str, ...]) -> list[str]:
    """Imports of ``path`` outside ``allowed`` boardpack modules, reaching up a folder, or private."""
    found = []
    for line, module, level, names in _imports(path):
        where = f"{path.relative_to(ROOT)}:{line}"
        if level > 1:
            found.append(f"{where}: relative import out of the plugin's folder ({'.' * level}{module})")
        if level == 1 and any(part.startswith("_") for part in module.split(".")):
            found.append(f"{where}: private module .{module}")
        if level == 0 and (module == "boardpack" or module.startswith("boardpack.")):
            public = module == "boardpack" or any(module == a or module.startswith(a + ".") for a in allowed)
            if not public:
                found.append(f"{where}: {module} is not part of the public surface")
        if (level or module.startswith("boardpack")) and any(n.startswith("_") for n in names):
            found.append(f"{where}: private name imported from {module or '.'}: {names}")
    return found


def _python_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_built_in_plugins_import_only_the_public_surface() -> None:
    """Every built-in plugin module imports boardpack.api (and modules of its own folder) only."""
    offences = [o for path in _python_files(BUILT_IN) for o in _offences(path, ("boardpack.api",))]
    assert offences == []


def test_example_plugins_import_only_the_public_surface() -> None:
    """The four example plugins import boardpack.api only; their tests add boardpack.testing."""
    sources = _python_files(*EXAMPLES.glob("*/src"), *EXAMPLES.glob("*/examples"))
    offences = [o for path in sources for o in _offences(path, ("boardpack.api", "boardpack.testing"))
                if "examples" in path.parts or "boardpack.testing" not in o]
    tests = _python_files(*EXAMPLES.glob("*/tests"))
    offences += [o for path in tests for o in _offences(path, ("boardpack.api", "boardpack.testing"))]
    assert offences == []


def test_the_checker_catches_a_private_import(tmp_path: Path) -> None:
    """A plugin importing the engine, a private name or a module above its folder is reported."""
    plugin = tmp_path / "plugin.py"
    plugin.write_text("from boardpack.build.engine import KPIEngine\nfrom boardpack.api import _HOME\n"
                      "from ..sections import helpers\nfrom ._shared import x\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        offences = _offences(plugin, ("boardpack.api",))
    finally:
        ROOT = saved
    assert len(offences) == 4


def test_testing_kit_uses_public_build_steps() -> None:
    """boardpack.testing imports no private name from the rest of boardpack."""
    private = [(path.name, line, module, names) for path in _python_files(SRC / "testing")
               for line, module, level, names in _imports(path)
               if (level or module.startswith("boardpack")) and any(n.startswith("_") for n in names)]
    assert private == []


def test_every_public_name_loads() -> None:
    """Each name of boardpack.api.__all__ resolves, and the boardpack shortcuts are the same objects."""
    for name in api.__all__:
        assert getattr(api, name) is not None
    assert boardpack.KPI is api.KPI and boardpack.hookimpl is api.hookimpl


# ---------------------------------------------------------------- import cycles


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, name: str) -> set[str]:
    """The boardpack modules ``path`` imports when it is imported (not in functions, not for typing)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ([node] if isinstance(node, (ast.Import, ast.ImportFrom)) else []):
            if isinstance(sub, ast.Import):
                found.update(a.name for a in sub.names if a.name.startswith("boardpack"))
            elif sub.level:
                base = package.rsplit(".", sub.level - 1)[0] if sub.level > 1 else package
                target = f"{base}.{sub.module}" if sub.module else base
                found.add(target)
                found.update(f"{target}.{a.name}" for a in sub.names)
            elif sub.module and sub.module.startswith("boardpack"):
                found.add(sub.module)
                found.update(f"{sub.module}.{a.name}" for a in sub.names)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in _python_files(SRC)}
    return {name: {m for m in _top_level_imports(path, name) if m in files and m != name}
            for name, path in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_boardpack_has_no_import_cycle() -> None:
    """No two boardpack modules import each other, directly or through others, when loaded."""
    assert _cycles(_graph()) == []


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_finder(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    """The cycle finder finds a two-module cycle and nothing in a chain."""
    assert _cycles(graph) == expected
