"""boardpack: branded PDF board packs for French SMEs from accounting, CRM and operations data.

Plugins import from :mod:`boardpack.api` (the public surface). The few names below are
shortcuts to the same objects, kept so that ``from boardpack import hookimpl, KPI`` works.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_SHORTCUTS = (
    "KPI", "BoardpackError", "Channel", "Chart", "ConfigError", "DataError", "DataSource", "Delivery",
    "DeliveryError", "PluginError", "RenderError", "Section", "SourceError", "Thresholds", "Unavailable",
    "hookimpl",
)

__all__ = [*_SHORTCUTS, "__version__"]


def __getattr__(name: str) -> Any:
    """The shortcuts load :mod:`boardpack.api` on first use (PEP 562), keeping ``import boardpack`` cheap."""
    if name in _SHORTCUTS:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
