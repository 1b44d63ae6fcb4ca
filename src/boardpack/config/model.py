"""The checked configuration, as the rest of boardpack reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..api.records import Audience, Company, Thresholds
from ..periods import Month

__all__ = ["AudienceConfig", "CompanyConfig", "Config", "DeliveryConfig", "PluginConfig", "ScheduleConfig"]

#: The ``[company]`` table (the :class:`~boardpack.api.records.Company` plugins receive).
CompanyConfig = Company
#: An ``[audiences.<id>]`` table (the :class:`~boardpack.api.records.Audience` plugins receive).
AudienceConfig = Audience


@dataclass(frozen=True)
class PluginConfig:
    """A ``[sources.<id>]`` or ``[channels.<id>]`` table: its id, type and other options."""

    key: str
    type: str
    options: Mapping[str, Any]
    path: str



@dataclass(frozen=True)
class ScheduleConfig:
    """A ``[[schedules]]`` entry: when (cron in a time zone), which period, to whom, how.

    ``period`` is ``previous`` (the month before the run's local date), ``current`` (its
    month) or ``latest`` (the last month of the ledger). Empty ``audiences`` / ``channels``
    mean all of them.
    """

    id: str
    cron: str
    timezone: str = "Europe/Paris"
    period: str = "previous"
    audiences: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryConfig:
    """The ``[delivery]`` table: who is told when a pack is held, where the log is, size limits.

    ``log`` is always set by :func:`parse_config` (default ``<config dir>/deliveries.sqlite3``;
    the class default, relative to the working folder, only serves hand-built configs). A PDF over
    ``max_attachment_mb`` is copied into ``publish_dir`` and linked
    (``publish_url`` + file name, else the file's path) instead of attached; without
    ``publish_dir`` its delivery fails with a clear error. Transient failures are retried
    ``retries`` times, waiting ``backoff`` seconds, then twice as long each time.
    """

    owner: str = ""
    log: Path = Path("deliveries.sqlite3")
    publish_dir: Path | None = None
    publish_url: str = ""
    max_attachment_mb: Decimal = Decimal(10)
    retries: int = 3
    backoff: Decimal = Decimal(30)


@dataclass(frozen=True)
class Config:
    """A whole, checked configuration."""

    path: Path
    company: Company
    sources: tuple[PluginConfig, ...]
    audiences: tuple[Audience, ...]
    channels: tuple[PluginConfig, ...] = ()
    kpi_select: tuple[str, ...] = ()
    thresholds: Mapping[str, Thresholds] = field(default_factory=dict)
    theme_dirs: tuple[Path, ...] = ()
    period: Month | None = None
    out: Path | None = None
    #: ``[build] snapshots``: where ``boardpack fetch`` keeps the remote sources' snapshots
    #: (default ``snapshots`` beside the config)
    snapshots: Path | None = None
    #: the plugin-owned tables (``[quality]``, ``[alerts]``, ``[investments]``…), checked
    #: against what the registered plugins declare and completed with their defaults
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    commentary_dir: Path | None = None
    schedules: tuple[ScheduleConfig, ...] = ()
    delivery: DeliveryConfig = field(default_factory=lambda: DeliveryConfig())
    #: whether ``[company] fiscal_year_start`` is written in the file (then the fiscal years the
    #: data defines must agree with it); unwritten, it is only the fallback
    fiscal_year_given: bool = False

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the config are resolved from."""
        return self.path.parent

    @property
    def quality(self) -> Mapping[str, Any]:
        """The ``[quality]`` table with the declared defaults (read by the data-quality checks)."""
        return self.tables.get("quality", {})

    @property
    def alerts(self) -> Mapping[str, Any]:
        """The ``[alerts]`` table with the declared defaults (read by the alert rules)."""
        return self.tables.get("alerts", {})

    def where(self, key: str) -> str:
        """``file, [key]`` prefix for messages."""
        return f"{self.path.name} : [{key}]"
