"""Data-source plugins: the :class:`DataSource` interface, what it is asked and what it returns.

A source plugin returns :class:`DataSource` subclasses from ``register_sources``; the config
selects one per ``[sources.<id>]`` table with ``type = "<name>"``. The host builds the
instance (options checked, secrets resolved), then calls :meth:`DataSource.load` once with a
:class:`LoadRequest` and reads everything the source has to say from the :class:`Loaded` it
returns. Sources meet KPIs on canonical datasets (:mod:`boardpack.api.datasets`): a source
coerces what it reads with ``request.schemas[name].coerce(raw, origin)``, so errors name the
file, line and column.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..periods import Month
from .settings import Configurable

if TYPE_CHECKING:
    import pandas as pd

    from ..schema import DatasetSchema

__all__ = ["Configurable", "DataSource", "LoadRequest", "Loaded"]


@dataclass(frozen=True)
class LoadRequest:
    """What the host asks a source for: every registered schema, and which months matter.

    ``period`` is the pack's month when the user named one (``--period``, ``[build] period``),
    ``None`` for « the latest the data has ». ``until`` is the last month a *remote* source
    reads up to: ``period``, else the current month; a local file is read whole.
    """

    schemas: Mapping[str, DatasetSchema]
    period: Month | None = None
    until: Month | None = None


@dataclass(frozen=True)
class Loaded(Mapping[str, "pd.DataFrame"]):
    """What a source returns: its datasets (a mapping by name) and what it learnt reading them.

    ``findings`` are warnings shown by ``boardpack check`` and in the data-quality section
    (errors with ``--strict``); ``fiscal_years`` are spans the data itself defines (a FEC's
    year: first and last month); ``opening_journals`` maps the journal codes holding
    à-nouveaux to their labels. A source with nothing to say may return a plain ``dict`` of
    datasets instead.
    """

    datasets: Mapping[str, pd.DataFrame]
    findings: Sequence[Any] = ()
    fiscal_years: Sequence[tuple[Month, Month]] = ()
    opening_journals: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.datasets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.datasets)

    def __len__(self) -> int:
        return len(self.datasets)

    @classmethod
    def of(cls, returned: Mapping[str, pd.DataFrame]) -> Loaded:
        """``returned`` as a :class:`Loaded` (a plain mapping says nothing more than its datasets)."""
        return returned if isinstance(returned, Loaded) else cls(dict(returned))


class DataSource(Configurable):
    """Reads data from somewhere and returns canonical datasets."""

    #: ``True`` for a source that reads a remote API (Pennylane, QuickBooks, HubSpot…):
    #: ``boardpack fetch`` copies what it returns into a local snapshot and ``build`` reads
    #: that snapshot (offline, reproducible) unless ``--refresh``. Local file sources (csv,
    #: fec, demo) stay ``False``: their files are already local and are read as they are.
    remote: ClassVar[bool] = False

    def check(self) -> str:
        """Test the connection (or that the file is there) and say what was found, in one line.

        Used by ``boardpack sources check``. The default reads nothing and says so; remote
        sources make one cheap authenticated call.

        :raises boardpack.api.SourceError: with one sentence saying what is wrong.
        """
        return "aucun contrôle de connexion pour ce type de source"

    @abstractmethod
    def load(self, request: LoadRequest) -> Loaded | Mapping[str, pd.DataFrame]:
        """Return the datasets this source holds, each coerced by its schema.

        :raises boardpack.api.SourceError: when the data cannot be read at all.
        :raises boardpack.api.DataError: when a value breaks its schema.
        """
