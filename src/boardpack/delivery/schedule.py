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
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from ..config import ScheduleConfig
from ..periods import Month

__all__ = ["next_runs", "occurrences", "period_for", "to_utc"]

#: How far outside the asked interval local times are looked at (covers any UTC offset jump).
_MARGIN = dt.timedelta(hours=3)


def to_utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a naive wall-clock time in ``zone`` (the first one when it happens twice)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def occurrences(schedule: ScheduleConfig, after: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """The UTC instants the schedule runs at in ``(after, until]``, in order.

    :param after: an aware datetime (excluded).
    :param until: an aware datetime (included).
    """
    zone = ZoneInfo(schedule.timezone)
    start = (after.astimezone(zone) - _MARGIN).replace(tzinfo=None)
    stop = (until.astimezone(zone) + _MARGIN).replace(tzinfo=None)
    walker = croniter(schedule.cron, start)
    found: set[dt.datetime] = set()
    while True:
        try:
            local = walker.get_next(dt.datetime)
        except CroniterBadDateError:  # a date that never comes (30 February)
            break
        if local > stop:
            break
        instant = to_utc(local, zone)
        if after < instant <= until:
            found.add(instant)
    return sorted(found)


def next_runs(schedule: ScheduleConfig, now: dt.datetime, count: int = 3) -> list[dt.datetime]:
    """The next ``count`` UTC instants after ``now``."""
    runs: list[dt.datetime] = []
    horizon = now
    while len(runs) < count:
        window = occurrences(schedule, horizon, horizon + dt.timedelta(days=400))
        if not window:
            break  # an expression that never matches (30 February)
        runs.extend(window[: count - len(runs)])
        horizon = runs[-1]
    return runs


def period_for(schedule: ScheduleConfig, occurrence: dt.datetime) -> Month | None:
    """The month a run at ``occurrence`` builds (``None``: the last month of the ledger)."""
    if schedule.period == "latest":
        return None
    local = occurrence.astimezone(ZoneInfo(schedule.timezone))
    month = Month(local.year, local.month)
    return month if schedule.period == "current" else month.shift(-1)
