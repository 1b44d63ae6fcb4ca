"""Remote data sources' shared plumbing: the HTTP layer (:mod:`boardpack.connectors.http`),
option reading (:mod:`~boardpack.connectors.options`), today's month, the default span and
money (:mod:`~boardpack.connectors.common`).

``ApiClient``, ``ApiError`` and ``Provider`` are importable from here; they are loaded on
first use, so importing a submodule that does not need HTTP does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .http import ApiClient, ApiError, Provider

__all__ = ["ApiClient", "ApiError", "Provider"]


def __getattr__(name: str) -> Any:
    """``ApiClient``, ``ApiError``, ``Provider``: from :mod:`.http`, imported on first use."""
    if name in __all__:
        from . import http

        return getattr(http, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
