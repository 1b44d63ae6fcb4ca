"""When a schedule runs: its cron expression read in its IANA time zone, as UTC instants.

The cron expression is walked in local wall-clock time, then each local time is placed
on the UTC time line with :mod:`zoneinfo` (``fold=0``). That fixes what happens at a
daylight-saving change, where cron implementations disagree:

* a wall-clock time that does not exist (Europe/Paris, last Sunday of March, 02:00 →
  03:00) runs one hour later in wall-clock terms: ``30 2 * * 0`` runs at 03:30 CEST
  (01:30 UTC) that day;
* a wall-clock time that happens twice (last Sunday of October, 03:00 → 02:00) runs
  once, at the first of the two (02:30 CEST, 00:30 UTC).

Two local times that land on the same instant count once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from ..config import ScheduleConfig
from ..periods import Month

__all__ = ["instants", "next_runs", "occurrences", "period_for", "to_utc"]

#: How far outside the asked interval local times are looked at (covers any UTC offset jump).
_MARGIN = dt.timedelta(hours=3)


def to_utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a naive wall-clock time in ``zone`` (the first one when it happens twice)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def instants(schedule: ScheduleConfig, after: dt.datetime) -> Iterator[dt.datetime]:
    """The UTC instants the schedule runs at after ``after`` (an aware datetime), in order, lazily.

    Local times are walked from a little before ``after`` (:data:`_MARGIN`); an instant
    already given (two local times landing on it at a daylight-saving change) is not given
    again. Stops only when the expression has no further date (30 February).
    """
    zone = ZoneInfo(schedule.timezone)
    start = (after.astimezone(zone) - _MARGIN).replace(tzinfo=None)
    walker = croniter(schedule.cron, start)
    last = after
    while True:
        try:
            local = walker.get_next(dt.datetime)
        except CroniterBadDateError:  # a date that never comes (30 February)
            return
        instant = to_utc(local, zone)
        if instant > last:  # in a gap, a local time lands on a later local time's instant: same run
            last = instant
            yield instant


def occurrences(schedule: ScheduleConfig, after: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """The UTC instants the schedule runs at in ``(after, until]``, in order.

    :param after: an aware datetime (excluded).
    :param until: an aware datetime (included).
    """
    return list(itertools.takewhile(lambda instant: instant <= until, instants(schedule, after)))


def next_runs(schedule: ScheduleConfig, now: dt.datetime, count: int = 3) -> list[dt.datetime]:
    """The next ``count`` UTC instants after ``now`` (fewer when the expression runs out of dates)."""
    return list(itertools.islice(instants(schedule, now), count))


def period_for(schedule: ScheduleConfig, occurrence: dt.datetime) -> Month | None:
    """The month a run at ``occurrence`` builds (``None``: the last month of the ledger)."""
    if schedule.period == "latest":
        return None
    local = occurrence.astimezone(ZoneInfo(schedule.timezone))
    month = Month(local.year, local.month)
    return month if schedule.period == "current" else month.shift(-1)
