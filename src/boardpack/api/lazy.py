"""Heavy libraries imported on first use, so that loading a plugin stays cheap.

Every ``boardpack`` command loads the registered plugins, including those that need no data
(``boardpack kpis --list``, ``boardpack plugins``): a plugin module that imports pandas,
numpy, pyarrow, matplotlib, WeasyPrint or httpx at its top makes each of them pay for it
(pandas alone is about half a second). **The rule**, for ``boardpack.cli``, everything it
imports, and every plugin module (built-in or third-party): no such library imported at the top
of a module. Import it inside the function that needs it, or bind its name with
:func:`lazy_module`, which imports the library the first time an attribute is read::

    from typing import TYPE_CHECKING

    from boardpack.api.lazy import lazy_module

    if TYPE_CHECKING:  # type checkers see the real module
        import pandas as pd
    else:
        pd = lazy_module("pandas")

    def revenue(entries: pd.DataFrame) -> pd.Series:   # annotations are not evaluated
        return entries.groupby("month")["amount"].sum()  # pandas is imported here, once

``tests/test_startup.py`` checks it: ``import boardpack.cli`` and the commands that need no data
leave those libraries out of ``sys.modules``.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any

__all__ = ["HEAVY_MODULES", "LazyModule", "lazy_module"]

#: The libraries no module may import at its top on the way to a command that needs no data.
HEAVY_MODULES = ("pandas", "numpy", "pyarrow", "matplotlib", "weasyprint", "httpx")

_lock = threading.Lock()


class LazyModule:
    """Stands for module ``name`` until an attribute is read, then imports it and copies its
    namespace, so later reads cost what a module attribute costs. Not put in ``sys.modules``."""

    def __init__(self, name: str) -> None:
        self.__dict__["_lazy_name"] = name
        self.__dict__["_lazy_module"] = None

    def _load(self) -> ModuleType:
        module: ModuleType | None = self.__dict__["_lazy_module"]
        if module is None:
            with _lock:
                module = importlib.import_module(self.__dict__["_lazy_name"])
                self.__dict__.update(vars(module))
                self.__dict__["_lazy_module"] = module
        return module

    def __getattr__(self, attribute: str) -> Any:
        # Only called for names not (yet) copied: before the import, or a name the module
        # makes on demand (its own module-level ``__getattr__``).
        if attribute.startswith("_lazy_"):
            raise AttributeError(attribute)
        return getattr(self._load(), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        setattr(self._load(), attribute, value)
        self.__dict__[attribute] = value

    def __repr__(self) -> str:
        state = "imported" if self.__dict__["_lazy_module"] is not None else "not imported yet"
        return f"<lazy module {self.__dict__['_lazy_name']!r} ({state})>"


def lazy_module(name: str) -> Any:
    """Module ``name`` (``"pandas"``, ``"pyarrow.compute"``), imported the first time one of its
    attributes is read: bind it at the top of a module instead of ``import name``."""
    return LazyModule(name)
