"""Schedules: cron in an IANA time zone as UTC instants (DST weekends of 2026), periods, config checks.

Expected instants are worked out by hand: Europe/Paris is UTC+1 (CET) until Sunday
29 March 2026 02:00, then UTC+2 (CEST) until Sunday 25 October 2026 03:00, then UTC+1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from boardpack.config import ScheduleConfig, parse_config
from boardpack.delivery import schedule as schedule_module
from boardpack.delivery.schedule import next_runs, occurrences, period_for
from boardpack.errors import ConfigError
from boardpack.periods import Month

UTC = dt.UTC
MONTHLY = ScheduleConfig(id="mensuel", cron="0 7 5 * *", timezone="Europe/Paris")
SUNDAY_NIGHT = ScheduleConfig(id="dimanche", cron="30 2 * * 0", timezone="Europe/Paris")


def utc(*parts: int) -> dt.datetime:
    """An aware UTC datetime."""
    return dt.datetime(*parts, tzinfo=UTC)


def test_monthly_at_seven_paris_time_across_both_changes() -> None:
    """`0 7 5 * *`: 06:00 UTC in winter, 05:00 UTC in summer, on the 5th at 07:00 Paris time."""
    runs = occurrences(MONTHLY, utc(2026, 2, 1), utc(2026, 12, 1))
    assert runs == [
        utc(2026, 2, 5, 6), utc(2026, 3, 5, 6),                      # CET
        utc(2026, 4, 5, 5), utc(2026, 5, 5, 5), utc(2026, 6, 5, 5),  # CEST
        utc(2026, 7, 5, 5), utc(2026, 8, 5, 5), utc(2026, 9, 5, 5),
        utc(2026, 10, 5, 5),
        utc(2026, 11, 5, 6),                                          # CET again
    ]


def test_spring_forward_sunday_runs_once_after_the_gap() -> None:
    """29 March 2026: 02:30 does not exist in Paris; the run happens once, at 03:30 CEST (01:30 UTC)."""
    runs = occurrences(SUNDAY_NIGHT, utc(2026, 3, 20), utc(2026, 4, 6))
    assert runs == [utc(2026, 3, 22, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 4, 5, 0, 30)]


def test_fall_back_sunday_runs_once_at_the_first_half_past_two() -> None:
    """25 October 2026: 02:30 happens twice in Paris; the run happens once, at the first (00:30 UTC)."""
    runs = occurrences(SUNDAY_NIGHT, utc(2026, 10, 17), utc(2026, 11, 2))
    assert runs == [utc(2026, 10, 18, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 1, 30)]


def test_hourly_schedule_never_repeats_an_instant_over_the_changes() -> None:
    """Every half hour on both change nights: each instant once, in order.

    In March the missing local hour (02:00-03:00) lands on the instants of 03:00-04:00
    CEST, which run once: every half hour in UTC. In October the repeated hour runs at
    its first pass only (CEST): 01:00 and 01:30 UTC (02:00 and 02:30 CET) are not runs.
    """
    every = ScheduleConfig(id="x", cron="*/30 * * * *", timezone="Europe/Paris")
    spring = utc(2026, 3, 28, 22)
    assert occurrences(every, spring, spring + dt.timedelta(hours=6)) == [
        spring + dt.timedelta(minutes=30 * step) for step in range(1, 13)]
    autumn = utc(2026, 10, 24, 22)
    assert occurrences(every, autumn, autumn + dt.timedelta(hours=6)) == [
        utc(2026, 10, 24, 22, 30), utc(2026, 10, 24, 23), utc(2026, 10, 24, 23, 30),  # 00:30-01:30 CEST
        utc(2026, 10, 25, 0), utc(2026, 10, 25, 0, 30),                               # 02:00, 02:30 CEST
        utc(2026, 10, 25, 2), utc(2026, 10, 25, 2, 30), utc(2026, 10, 25, 3),          # 03:00-04:00 CET
        utc(2026, 10, 25, 3, 30), utc(2026, 10, 25, 4),
    ]


def test_interval_is_open_on_the_left_closed_on_the_right() -> None:
    """An occurrence equal to ``after`` is excluded, one equal to ``until`` included."""
    assert occurrences(MONTHLY, utc(2026, 10, 5, 5), utc(2026, 11, 5, 6)) == [utc(2026, 11, 5, 6)]


def test_other_time_zone() -> None:
    """`0 7 5 * *` in America/New_York: 11:00 UTC in summer (EDT), 12:00 UTC in winter (EST)."""
    new_york = ScheduleConfig(id="ny", cron="0 7 5 * *", timezone="America/New_York")
    assert occurrences(new_york, utc(2026, 10, 1), utc(2026, 12, 1)) == [utc(2026, 10, 5, 11), utc(2026, 11, 5, 12)]


def test_next_runs_and_impossible_dates() -> None:
    """The next three runs from a given instant; an expression that never matches gives none."""
    assert next_runs(MONTHLY, utc(2026, 10, 5, 5)) == [utc(2026, 11, 5, 6), utc(2026, 12, 5, 6), utc(2027, 1, 5, 6)]
    assert next_runs(ScheduleConfig(id="x", cron="0 0 30 2 *"), utc(2026, 1, 1)) == []


def test_next_runs_walks_only_as_far_as_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    """`*/5`: the next run is found from a few cron steps, not by walking a year of them."""
    steps: list[int] = []

    class Counting(schedule_module.croniter):  # type: ignore[misc,name-defined]
        def get_next(self, *args: Any, **kwargs: Any) -> Any:
            steps.append(1)
            return super().get_next(*args, **kwargs)

    monkeypatch.setattr(schedule_module, "croniter", Counting)
    every = ScheduleConfig(id="x", cron="*/5 * * * *", timezone="Europe/Paris")
    assert next_runs(every, utc(2026, 11, 5, 6, 2), 2) == [utc(2026, 11, 5, 6, 5), utc(2026, 11, 5, 6, 10)]
    assert len(steps) < 60  # the 3-hour margin before ``now`` plus the two runs


def test_period_built_by_a_run() -> None:
    """``previous`` is the month before the run's local date, ``current`` its month, ``latest`` left to the ledger."""
    new_year = utc(2026, 12, 31, 23, 30)  # 1 January 2027 00:30 in Paris
    assert period_for(MONTHLY, new_year) == Month(2026, 12)
    assert period_for(ScheduleConfig(id="x", cron="0 7 5 * *", period="current"), new_year) == Month(2027, 1)
    assert period_for(ScheduleConfig(id="x", cron="0 7 5 * *", period="latest"), new_year) is None


# ---------------------------------------------------------------- config

BASE: dict[str, Any] = {
    "company": {"name": "Test"},
    "sources": {"compta": {"type": "csv", "path": "donnees"}},
    "audiences": {"dirigeant": {"sections": ["kpi_tiles"]}, "daf": {"sections": ["bilan"]}},
    "channels": {"mail": {"type": "email"}},
}


def config_with(**tables: Any) -> Any:
    """A parsed config: BASE plus ``tables``."""
    return parse_config({**BASE, **tables}, Path("/tmp/boardpack.toml"))


def test_schedules_and_delivery_tables_are_read() -> None:
    """`[[schedules]]` and `[delivery]` become typed settings, paths relative to the config."""
    config = config_with(
        schedules=[{"id": "mensuel", "cron": "0 7 5 * *", "timezone": "Europe/Paris", "audiences": ["daf"],
                    "channels": ["mail"]}],
        delivery={"owner": "daf@example.fr", "publish_dir": "partage", "max_attachment_mb": 5, "retries": 2},
    )
    [schedule] = config.schedules
    assert (schedule.id, schedule.cron, schedule.period, schedule.audiences) == ("mensuel", "0 7 5 * *", "previous",
                                                                                ("daf",))
    assert config.delivery.owner == "daf@example.fr"
    assert config.delivery.log == Path("/tmp/deliveries.sqlite3")
    assert config.delivery.publish_dir == Path("/tmp/partage")
    assert config.delivery.retries == 2


@pytest.mark.parametrize(("schedule", "key", "words"), [
    ({"cron": "0 7 5 * *"}, "schedules[0].id", "obligatoire"),
    ({"id": "m", "cron": "0 7 35 * *"}, "schedules[0].cron", "expression cron invalide"),
    ({"id": "m", "cron": "0 7 5 * * *"}, "schedules[0].cron", "5 champs"),
    ({"id": "m", "cron": "0 7 5 * *", "timezone": "Europe/Lyon"}, "schedules[0].timezone", "inconnu"),
    ({"id": "m", "cron": "0 7 5 * *", "period": "last"}, "schedules[0].period", "previous, current ou latest"),
    ({"id": "m", "cron": "0 7 5 * *", "audiences": ["pdg"]}, "schedules[0].audiences[0]", "« pdg » inconnu"),
    ({"id": "m", "cron": "0 7 5 * *", "channels": ["courriel"]}, "schedules[0].channels[0]", "inconnu"),
    ({"id": "m", "cron": "0 7 5 * *", "hour": 7}, "schedules[0].hour", "clé inconnue"),
])
def test_schedule_mistakes_name_their_key(schedule: dict[str, Any], key: str, words: str) -> None:
    """Each mistake in a `[[schedules]]` entry is a ConfigError naming its key path."""
    with pytest.raises(ConfigError) as error:
        config_with(schedules=[schedule])
    assert f"« {key} »" in str(error.value) and words in str(error.value)


def test_duplicate_schedule_ids_are_refused() -> None:
    """Two schedules may not share an id (it keys the delivery log)."""
    with pytest.raises(ConfigError, match=r"schedules\[1\]\.id"):
        config_with(schedules=[{"id": "m", "cron": "0 7 5 * *"}, {"id": "m", "cron": "0 8 5 * *"}])


@pytest.mark.parametrize(("delivery", "key"), [
    ({"owner": "pas une adresse"}, "delivery.owner"),
    ({"max_attachment_mb": 0}, "delivery.max_attachment_mb"),
    ({"retries": 1.5}, "delivery.retries"),
    ({"backoff": -1}, "delivery.backoff"),
    ({"publish": "x"}, "delivery.publish"),
])
def test_delivery_mistakes_name_their_key(delivery: dict[str, Any], key: str) -> None:
    """Each mistake in `[delivery]` is a ConfigError naming its key."""
    with pytest.raises(ConfigError) as error:
        config_with(delivery=delivery)
    assert f"« {key} »" in str(error.value)
