"""Commands that need no data start without the heavy libraries (see :mod:`boardpack.api.lazy`).

Each check runs in a fresh interpreter and looks at ``sys.modules``: whatever module a
command reaches (``boardpack.cli`` and everything it imports, the built-in plugins, the
installed example plugins) must not import pandas, numpy, pyarrow, matplotlib, WeasyPrint or
httpx at its top. A new command or plugin that does fails here, naming the first culprit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from boardpack.api.lazy import HEAVY_MODULES, lazy_module

# Runs a snippet, then prints the heavy top-level packages loaded and, for the first of them,
# the boardpack-side module that imported it (from -X importtime's tree).
_PROBE = textwrap.dedent("""
    import json, sys
    {code}
    heavy = {heavy!r}
    print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}} & set(heavy))))
""")


def _loaded(code: str) -> tuple[list[str], str]:
    """The heavy packages left in ``sys.modules`` after ``code``, and who imported the first one."""
    probe = _PROBE.format(code=code, heavy=HEAVY_MODULES)
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], capture_output=True,
                          text=True, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded, _importer(done.stderr, loaded)


def _importer(importtime: str, loaded: list[str]) -> str:
    """« pandas imported by boardpack.build.context »: the chain above the first heavy import."""
    rows = []
    for line in importtime.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1]
            rows.append((len(name) - len(name.lstrip()), name.strip()))
    for index, (depth, name) in enumerate(rows):
        if name.split(".")[0] in loaded:
            chain = [name]
            for parent_depth, parent in rows[index + 1:]:  # -X importtime lists a module's imports first
                if parent_depth < depth:
                    chain.append(parent)
                    depth = parent_depth
            while len(chain) > 1 and chain[1].split(".")[0] in loaded:  # from the outermost heavy one
                chain.pop(0)
            return " ← ".join(chain)
    return ""


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    """``import boardpack.cli`` (every command module and what it imports) stays light."""
    loaded, chain = _loaded("import boardpack.cli")
    assert loaded == [], f"imported at start-up: {chain}"


def test_loading_every_plugin_loads_no_heavy_library() -> None:
    """Registering the built-in and the installed plugins (what every command does) stays light."""
    loaded, chain = _loaded("from boardpack.plugins import get_registry; get_registry()")
    assert loaded == [], f"imported when the plugins are registered: {chain}"


@pytest.mark.parametrize("arguments", [
    ["--help"], ["kpis", "--list"], ["kpis", "--list", "--format", "json"], ["plugins"], ["plugins", "--all"],
    ["init", "--help"], ["new", "plugin", "--help"], ["build", "--help"],
])
def test_commands_that_need_no_data_load_no_heavy_library(arguments: list[str]) -> None:
    """The commands that need no data run without importing the heavy libraries."""
    code = (f"import sys; sys.argv = ['boardpack', *{arguments!r}]\n"
            "from boardpack.cli import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n")
    loaded, chain = _loaded(code)
    assert loaded == [], f"boardpack {' '.join(arguments)} imported: {chain}"


def test_new_plugin_loads_no_heavy_library(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Scaffolding a plugin writes files only."""
    target = tmp_path / "boardpack-x"
    code = (f"import sys; sys.argv = ['boardpack', 'new', 'plugin', 'x', '--kind', 'kpi', '--dir', {str(target)!r}]\n"
            "from boardpack.cli import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n")
    loaded, chain = _loaded(code)
    assert (target / "pyproject.toml").is_file()
    assert loaded == [], f"boardpack new plugin imported: {chain}"


def test_lazy_module_imports_on_first_attribute() -> None:
    """A lazy module is the real one once an attribute is read; nothing before."""
    code = ("from boardpack.api.lazy import lazy_module\n"
            "colorsys = lazy_module('colorsys')\n"
            "assert 'colorsys' not in sys.modules\n"
            "assert colorsys.rgb_to_hsv(1, 0, 0)[0] == 0\n"
            "assert 'colorsys' in sys.modules\n")
    _loaded(code)  # raises on a failed assertion
    wave = lazy_module("wave")
    assert wave.Error is __import__("wave").Error
    assert "imported" in repr(wave)
