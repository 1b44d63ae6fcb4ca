"""The ``boardpack`` command line: one module per family of commands.

:mod:`.app` holds the command group and what the commands share; importing the other
modules registers their commands on it.

Start-up stays light: no module of ``boardpack.cli``, nor anything it imports (the build, the
delivery runner, the plugins), imports pandas, numpy, pyarrow, matplotlib, WeasyPrint or httpx
at its top — import them inside the function that needs them, or bind them with
:func:`boardpack.api.lazy.lazy_module`. ``boardpack --help``, ``kpis --list`` and ``plugins``
then start in a few tenths of a second; ``tests/test_startup.py`` checks every module
``import boardpack.cli`` loads, including commands added later.
"""

from . import batch, delivery, forecast, packs, plugins, sources, starter  # noqa: F401  (register the commands)
from .app import DEMO_CONFIG, cli, main

__all__ = ["DEMO_CONFIG", "cli", "main"]
