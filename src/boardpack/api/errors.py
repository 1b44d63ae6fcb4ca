"""The errors a plugin raises: one sentence for the user, naming what is wrong and where.

Raise :class:`ConfigError` for a bad option (name the key path), :class:`DataError` for a
value that breaks its schema (name file, line, column), :class:`SourceError` when a source
cannot be read at all, :class:`RenderError` when something cannot be drawn,
:class:`DeliveryError` when a pack cannot be delivered. :class:`Unavailable` is not an error:
it says a figure cannot be computed from the data, with the reason shown to the reader.
"""

from __future__ import annotations

from ..errors import (
    BoardpackError,
    ConfigError,
    DataError,
    DeliveryError,
    PluginError,
    RenderError,
    SourceError,
    Unavailable,
)

__all__ = [
    "BoardpackError",
    "ConfigError",
    "DataError",
    "DeliveryError",
    "PluginError",
    "RenderError",
    "SourceError",
    "Unavailable",
]
