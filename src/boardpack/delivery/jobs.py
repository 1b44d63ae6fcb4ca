"""The records of a delivery run: the jobs to run, what happened to each delivery, the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..config import ScheduleConfig
from ..errors import BoardpackError, DeliveryError
from ..periods import Month
from .log import DeliveryKey

__all__ = ["Job", "Outcome", "Report", "local_time"]


@dataclass(frozen=True)
class Job:
    """One schedule to run for one period: due at ``occurrence`` (``None`` when by hand)."""

    schedule: ScheduleConfig
    period: Month | None
    occurrence: dt.datetime | None = None
    #: earlier occurrences missed and not caught up
    missed: int = 0
    #: resuming a run that failed or whose process died
    resumed: bool = False


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery.

    ``state`` is ``sent``, ``failed``, ``unknown``, ``sending`` (another process is sending
    it), ``held``, ``skipped``, or for a dry run ``planned`` (would be sent) and ``unresolved``
    (the period is not known before building). ``transient`` marks a failure that may go away (retries exhausted).
    """

    key: DeliveryKey
    state: str
    detail: str = ""
    transient: bool = False


@dataclass
class Report:
    """One job's outcomes, notes for the user, and the error that stopped it, if any."""

    job: Job
    period: str
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: BoardpackError | None = None

    @property
    def failed(self) -> list[Outcome]:
        """The deliveries that did not go (``failed``) or may not have (``unknown``)."""
        return [o for o in self.outcomes if o.state in ("failed", "unknown")]

    @property
    def transient(self) -> bool:
        """Whether running the job again soon may succeed: a delivery failed on a transient
        error, or the job stopped on a delivery error (the log busy, a publication…).

        Configuration, data, source, template and plugin errors wait for a fix: running
        again every few minutes would only rebuild the same failure.
        """
        if self.error is not None:
            return isinstance(self.error, DeliveryError) and getattr(self.error, "outcome", "transient") == "transient"
        return any(o.transient for o in self.failed)


def local_time(moment: dt.datetime, schedule: ScheduleConfig) -> str:
    """``2026-11-05 07:00 Europe/Paris``: an instant in the schedule's time zone."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(schedule.timezone)).strftime(f"%Y-%m-%d %H:%M {schedule.timezone}")
