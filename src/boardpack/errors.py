"""The error hierarchy: every failure the user can cause is one of these.

The CLI turns a :class:`BoardpackError` into one sentence on stderr and a non-zero exit
code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

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


class BoardpackError(Exception):
    """Base class of the errors meant for the user: ``str(error)`` is the whole message."""

    exit_code = 1


class ConfigError(BoardpackError):
    """The configuration file is missing, malformed or names something unknown."""

    exit_code = 2


class DataError(BoardpackError):
    """A dataset does not follow its schema (the message names file, row and column)."""

    exit_code = 3


class SourceError(BoardpackError):
    """A data source could not be read (missing folder, unreadable file, API failure)."""

    exit_code = 4


class PluginError(BoardpackError):
    """A plugin could not be loaded, or two plugins claim the same name."""

    exit_code = 5


class RenderError(BoardpackError):
    """A template, a chart or the PDF could not be produced."""

    exit_code = 6


class DeliveryError(BoardpackError):
    """A delivery channel could not deliver a pack."""

    exit_code = 7


class Unavailable(Exception):
    """Raised by anything that computes a figure (a KPI, a section, a chart, a check) and cannot.

    The message is the reason shown to the reader beside « non disponible »: say what is
    missing and, when you can, which dataset or option brings it. Not a
    :class:`BoardpackError`: an unavailable figure is a normal outcome, never a failure.

    ``needs`` names what is *absent* when that is the reason: a dataset (``"invoices"``) or a
    config table (``"[investments]"``). A KPI or a section unavailable for want of it is left
    out of the pack and listed on its closing page « Ce que ce dossier ne couvre pas », with
    how to bring it; without ``needs`` it is shown « non disponible » with the message.
    """

    def __init__(self, *args: object, needs: str | None = None) -> None:
        super().__init__(*args)
        #: the dataset or config table whose absence is the reason, if that is the reason
        self.needs = needs
