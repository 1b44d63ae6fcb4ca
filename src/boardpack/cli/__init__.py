"""The ``boardpack`` command line: one module per family of commands.

:mod:`.app` holds the command group and what the commands share; importing the other
modules registers their commands on it.
"""

from . import batch, delivery, packs, plugins, sources, starter  # noqa: F401  (register the commands)
from .app import DEMO_CONFIG, cli, main

__all__ = ["DEMO_CONFIG", "cli", "main"]
