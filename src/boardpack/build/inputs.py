"""Load: every source of a config read once, into one immutable :class:`Inputs`.

Remote sources (``DataSource.remote``) are replayed from the latest snapshot (see
:mod:`.snapshots`); local ones are read as they are. Two sources may not provide the same
dataset. What a source learns while reading (warnings, fiscal years, opening journals) comes
back in its :class:`~boardpack.api.sources.Loaded` and is gathered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.sources import DataSource, Loaded, LoadRequest
from ..config import CompanyConfig, Config, PluginConfig
from ..errors import ConfigError, DataError, Unavailable
from ..periods import FiscalCalendar, Month
from .configured import instantiate
from .context import CompanyData
from .period import SourcedSpan, load_request, resolve_calendar
from .remote import snapshot_sources
from .snapshots import Snapshot

if TYPE_CHECKING:
    import pandas as pd

    from ..accounting import Statements
    from ..plugins import Registry

__all__ = ["Inputs", "given_inputs", "load_inputs", "load_statements"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Inputs:
    """One config's data, read: the datasets and what the sources said about them."""

    config: Config
    registry: Registry
    #: what the sources were asked (the period asked, the month remote sources read up to)
    request: LoadRequest
    datasets: Mapping[str, pd.DataFrame]
    #: dataset name → the ``[sources.<id>]`` that provided it
    providers: Mapping[str, str] = field(default_factory=dict)
    #: warnings the sources reported (shown by ``check``; errors with ``strict``)
    findings: tuple[Any, ...] = ()
    fiscal_years: tuple[tuple[Month, Month], ...] = ()
    opening_journals: tuple[str, ...] = ()
    #: the snapshot the remote sources were read from, and a line saying so
    snapshot: Snapshot | None = None
    snapshot_note: str = ""
    #: the fiscal years, resolved once from the data and the config (:func:`.period.resolve_calendar`)
    calendar: FiscalCalendar | None = None

    def context(self) -> CompanyData:
        """The data as KPIs, checks and sections read it (a new context: its caches start empty)."""
        return CompanyData(self.datasets, self.config.company, self.fiscal_years, self.opening_journals,
                           self.config.tables, self.calendar)


def load_inputs(config: Config, registry: Registry | None = None, period: Month | None = None,
                refresh: bool = False, strict: bool = False, say: Progress | None = None) -> Inputs:
    """Read every source of ``config``.

    :param period: the month asked (``--period``); ``None``: ``[build] period``, else the latest.
    :param refresh: read the remote sources live and write a new snapshot.
    :param strict: a source's warning stops here as a :class:`DataError`.
    :raises BoardpackError: on a bad source table, unreadable data or two sources of one dataset.
    """
    if registry is None:
        from ..plugins import get_registry

        registry = get_registry()
    say = say or (lambda message: None)
    request = load_request(config, registry.datasets, period)
    replay = snapshot_sources(config, registry, request, refresh, say)
    datasets: dict[str, pd.DataFrame] = {}
    providers: dict[str, str] = {}
    findings: list[Any] = []
    fiscal_years: list[SourcedSpan] = []
    journals: list[str] = []
    for table in config.sources:
        loaded = _load_one(config, registry, table, replay.sources.get(table.key), request)
        if strict and loaded.findings:
            more = len(loaded.findings) - 1
            raise DataError(
                f"{loaded.findings[0]} (--strict" + (f" ; {more} autre(s) avertissement(s))" if more else ")")
            )
        findings.extend(loaded.findings)
        fiscal_years.extend((table.key, span) for span in loaded.fiscal_years)
        journals.extend(loaded.opening_journals)
        for name, frame in loaded.items():
            if name in datasets:
                raise ConfigError(
                    f"{config.path.name} : le jeu « {name} » est fourni à la fois par "
                    f"[sources.{providers[name]}] et [sources.{table.key}]"
                )
            datasets[name] = frame
            providers[name] = table.key
    calendar = resolve_calendar(config, fiscal_years, datasets.get("entries"), journals)
    return Inputs(config, registry, request, datasets, providers, tuple(findings),
                  tuple(span for _, span in fiscal_years), tuple(journals), replay.snapshot, replay.note,
                  calendar)


def _load_one(config: Config, registry: Registry, table: PluginConfig, replayed: DataSource | None,
              request: LoadRequest) -> Loaded:
    try:
        source: DataSource = replayed or instantiate(config, registry, table, "source")
        return Loaded.of(source.load(request))
    except ConfigError as exc:
        # a name the source does not know (a dataset…) may be one a broken plugin provides
        hint = registry.broken_hint()
        if not hint or hint in str(exc):
            raise
        raise ConfigError(f"{exc}{hint}") from None


def given_inputs(config: Config, registry: Registry, datasets: Mapping[str, pd.DataFrame],
                 period: Month | None = None) -> Inputs:
    """Inputs made of datasets already in memory (:mod:`boardpack.testing`); their provider is ``test``."""
    calendar = resolve_calendar(config, (), datasets.get("entries"))
    return Inputs(config, registry, load_request(config, registry.datasets, period), dict(datasets),
                  dict.fromkeys(datasets, "test"), calendar=calendar)


def load_statements(source: Path, strict: bool = False) -> Statements:
    """The statements of a FEC file or of a configuration's ``entries`` dataset.

    :raises BoardpackError: on an unreadable source or a ledger without movements.
    """
    from ..config import load_config

    if source.suffix.lower() == ".toml":
        config = load_config(source)
    else:
        config = Config(
            path=source.resolve().parent / "fec.toml",
            company=CompanyConfig(name=source.name, opening_journals=()),
            sources=(PluginConfig("fec", "fec", {"path": source.name}, "sources.fec"),),
            audiences=(),
        )
    try:
        return load_inputs(config, strict=strict).context().statements
    except Unavailable as exc:
        raise DataError(f"{source} : {exc}") from None
