"""The delivery log: one SQLite row per (schedule, period, audience, channel, recipient).

It is what makes delivery exactly-once. A row goes ``pending`` → ``sending`` →
``sent`` | ``failed`` | ``unknown`` (``held`` when the data had blocking issues). Before
sending, a process *claims* the row in a ``BEGIN IMMEDIATE`` transaction: of two
processes, only the one that turns it to ``sending`` sends. A row left in ``sending`` by a
process that died may or may not have gone out: it becomes ``unknown`` and is never sent
again without ``force``.

A second table keeps the schedule runs (one row per occurrence: ``running``, ``done``,
``held``, ``failed``, or the ``baseline`` recorded the first time a schedule is seen) so
that missed runs can be found and a run interrupted by a crash resumed. A ``failed`` run
counts its attempts and, when trying again may help, the instant it may be resumed
(``retry_at``); without one it waits for the schedule's next occurrence.

Each row records its owner (``host:pid:token``): a claim is stale when that process is
gone (same host) or when it is older than :data:`LEASE`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ..errors import DeliveryError

__all__ = ["INTERRUPTED", "LEASE", "STATES", "Claim", "DeliveryKey", "DeliveryLog", "Entry", "Run", "new_owner", "owner_alive"]

#: The states of a delivery, in the order of its life.
STATES = ("pending", "sending", "sent", "failed", "unknown", "held")
#: After this long, a claim is stale even if its process seems alive (pid reused, other host).
LEASE = dt.timedelta(hours=2)
#: The detail of a delivery left in ``sending`` by a process that is gone.
INTERRUPTED = "envoi interrompu (processus arrêté) : le message a pu partir"
#: States a delivery can be (re)claimed from without ``force``.
_CLAIMABLE = ("pending", "failed", "held")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    schedule TEXT NOT NULL, period TEXT NOT NULL, audience TEXT NOT NULL, channel TEXT NOT NULL,
    kind TEXT NOT NULL, recipient TEXT NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL, updated TEXT NOT NULL,
    PRIMARY KEY (schedule, period, audience, channel, kind, recipient)
);
CREATE TABLE IF NOT EXISTS runs (
    schedule TEXT NOT NULL, occurrence TEXT NOT NULL, state TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '', started TEXT NOT NULL, finished TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, retry_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule, occurrence)
);
"""


def _stamp(moment: dt.datetime) -> str:
    """``2026-10-05T05:00:00Z``: sorts as text in time order."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def new_owner() -> str:
    """This process's claim token: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_alive(owner: str, since: dt.datetime, now: dt.datetime) -> bool:
    """Whether the process that made a claim at ``since`` may still be working on it."""
    if now - since > LEASE:
        return False
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: trust the lease
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


@dataclass(frozen=True)
class DeliveryKey:
    """What is delivered once: a period's pack of one schedule, to one recipient of one channel.

    ``kind`` is ``pack`` for a pack, ``notice`` for the owner's notice of a held pack
    (``audience`` ``*``).
    """

    schedule: str
    period: str
    audience: str
    channel: str
    recipient: str
    kind: str = "pack"


@dataclass(frozen=True)
class Entry:
    """One row of the log."""

    key: DeliveryKey
    state: str
    attempts: int
    detail: str
    created: str
    updated: str


@dataclass(frozen=True)
class Claim:
    """What :meth:`DeliveryLog.claim` did: true when this process may send.

    ``state`` is the row's state after the call (``sending`` when claimed);
    ``interrupted`` says the row was left in ``sending`` by a process that is gone and
    has just been turned ``unknown`` (it may have gone out).
    """

    taken: bool
    state: str
    interrupted: bool = False

    def __bool__(self) -> bool:
        return self.taken


@dataclass(frozen=True)
class Run:
    """One schedule occurrence handled (or being handled).

    ``attempts`` counts the times it was claimed; ``retry_at`` is when a ``failed`` run may
    be resumed (``None``: not before the schedule's next occurrence).
    """

    schedule: str
    occurrence: dt.datetime
    state: str
    detail: str
    attempts: int = 0
    retry_at: dt.datetime | None = None


class DeliveryLog:
    """The log at ``path`` (created if missing); close it, or use it as a context manager.

    :param owner: this process's claim token (default :func:`new_owner`).
    :param clock: returns the current aware datetime (tests freeze it).
    :param alive: tells whether a claim's owner may still be working (tests simulate crashes).
    """

    def __init__(self, path: Path, owner: str | None = None,
                 clock: Callable[[], dt.datetime] | None = None,
                 alive: Callable[[str, dt.datetime, dt.datetime], bool] = owner_alive) -> None:
        self.path = path
        self.owner = owner or new_owner()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.alive = alive
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DeliveryError(f"journal des envois {path} : ouverture impossible ({exc}) ; "
                                "vérifiez la clé [delivery] log") from None
        try:
            with self._transaction() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
        except DeliveryError:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: one writer at a time, across processes."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise DeliveryError(f"journal des envois {self.path} : verrouillage impossible ({exc})") from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _now(self) -> str:
        return _stamp(self.clock())

    # ------------------------------------------------------------ runs

    def last_occurrence(self, schedule: str) -> dt.datetime | None:
        """The latest occurrence recorded for ``schedule`` (baseline included), if any."""
        row = self._db.execute("SELECT max(occurrence) FROM runs WHERE schedule = ?", (schedule,)).fetchone()
        return _parse(row[0]) if row[0] else None

    def set_baseline(self, schedule: str, at: dt.datetime) -> bool:
        """Record that ``schedule`` was first seen at ``at`` (runs before it are not caught up).

        Returns ``False`` when the schedule already had a history.
        """
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM runs WHERE schedule = ?", (schedule,)).fetchone():
                return False
            db.execute("INSERT INTO runs (schedule, occurrence, state, owner, started, finished) "
                       "VALUES (?, ?, 'baseline', ?, ?, ?)",
                       (schedule, _stamp(at), self.owner, self._now(), self._now()))
        return True

    def claim_run(self, schedule: str, occurrence: dt.datetime) -> Run | None:
        """Take the run of ``schedule`` at ``occurrence`` and count the attempt; ``None`` if it is
        done or another live process has it (a ``failed`` run, or one whose process is gone,
        is taken over)."""
        stamp = _stamp(occurrence)
        with self._transaction() as db:
            row = db.execute("SELECT state, owner, started, attempts FROM runs WHERE schedule = ? AND occurrence = ?",
                             (schedule, stamp)).fetchone()
            if row is not None and (row[0] not in ("running", "failed") or (
                    row[0] == "running" and self.alive(row[1], _parse(row[2]), self.clock()))):
                return None
            attempts = (row[3] if row is not None else 0) + 1
            db.execute("INSERT OR REPLACE INTO runs (schedule, occurrence, state, owner, started, attempts) "
                       "VALUES (?, ?, 'running', ?, ?, ?)", (schedule, stamp, self.owner, self._now(), attempts))
        return Run(schedule, occurrence, "running", "", attempts)

    def finish_run(self, schedule: str, occurrence: dt.datetime, state: str, detail: str = "",
                   retry_at: dt.datetime | None = None) -> None:
        """Close a run claimed by :meth:`claim_run` (``done``, ``held`` or ``failed``).

        :param retry_at: when a ``failed`` run may be resumed by :meth:`resumable`
            (``None``: it waits for the schedule's next occurrence).
        """
        with self._transaction() as db:
            db.execute("UPDATE runs SET state = ?, detail = ?, finished = ?, retry_at = ? "
                       "WHERE schedule = ? AND occurrence = ?",
                       (state, detail, self._now(), _stamp(retry_at) if retry_at else "", schedule,
                        _stamp(occurrence)))

    def resumable(self, schedule: str, now: dt.datetime | None = None) -> Run | None:
        """The latest run of ``schedule`` if it must be run again at ``now`` (default: the
        log's clock): ``failed`` with a ``retry_at`` that has come, or ``running`` in a
        process that is gone."""
        row = self._db.execute(f"SELECT {_RUN_COLUMNS}, owner, started FROM runs "
                               "WHERE schedule = ? ORDER BY occurrence DESC LIMIT 1", (schedule,)).fetchone()
        if row is None:
            return None
        run = _run(schedule, row)
        if run.state == "failed" and run.retry_at is not None and run.retry_at <= (now or self.clock()):
            return run
        if run.state == "running" and not self.alive(row[5], _parse(row[6]), self.clock()):
            return run
        return None

    def runs(self, schedule: str) -> list[Run]:
        """Every recorded run of ``schedule``, oldest first."""
        rows = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE schedule = ? ORDER BY occurrence",
                                (schedule,))
        return [_run(schedule, r) for r in rows.fetchall()]

    # ------------------------------------------------------------ deliveries

    def add(self, key: DeliveryKey) -> None:
        """Record a delivery to make (``pending``) unless it is already in the log."""
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO deliveries (schedule, period, audience, channel, kind, recipient, "
                       "state, created, updated) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                       (*_columns(key), self._now(), self._now()))

    def claim(self, key: DeliveryKey, force: bool = False) -> Claim:
        """Turn the delivery to ``sending`` for this process; false when it must not be sent.

        ``pending``, ``failed`` and ``held`` deliveries are claimed; ``sent`` and
        ``unknown`` ones only with ``force``; a ``sending`` one whose process is gone
        becomes ``unknown`` (it may have gone out: :attr:`Claim.interrupted`).
        """
        interrupted = False
        with self._transaction() as db:
            row = db.execute(f"SELECT state, owner, updated FROM deliveries WHERE {_WHERE}", _columns(key)).fetchone()
            if row is None:
                db.execute("INSERT INTO deliveries (schedule, period, audience, channel, kind, recipient, state, "
                           "owner, created, updated) VALUES (?, ?, ?, ?, ?, ?, 'sending', ?, ?, ?)",
                           (*_columns(key), self.owner, self._now(), self._now()))
                return Claim(True, "sending")
            state, owner, updated = row
            if state == "sending":
                if self.alive(owner, _parse(updated), self.clock()):
                    return Claim(False, state)
                db.execute(f"UPDATE deliveries SET state = 'unknown', detail = ?, updated = ? WHERE {_WHERE}",
                           (INTERRUPTED, self._now(), *_columns(key)))
                state, interrupted = "unknown", True
            if state not in _CLAIMABLE and not force:
                return Claim(False, state, interrupted)
            db.execute(f"UPDATE deliveries SET state = 'sending', owner = ?, updated = ? WHERE {_WHERE}",
                       (self.owner, self._now(), *_columns(key)))
        return Claim(True, "sending", interrupted)

    def hold(self, key: DeliveryKey, detail: str) -> str:
        """Mark the delivery ``held`` unless it already went or is going; return its state after.

        Only a ``pending``, ``failed`` or ``held`` delivery (or one not in the log yet) is
        held, in one transaction: a delivery another process has just sent stays ``sent``.
        """
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO deliveries (schedule, period, audience, channel, kind, recipient, "
                       "state, created, updated) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                       (*_columns(key), self._now(), self._now()))
            db.execute(f"UPDATE deliveries SET state = 'held', detail = ?, owner = ?, updated = ? "
                       f"WHERE {_WHERE} AND state IN ({', '.join('?' * len(_CLAIMABLE))})",
                       (detail, self.owner, self._now(), *_columns(key), *_CLAIMABLE))
            row = db.execute(f"SELECT state FROM deliveries WHERE {_WHERE}", _columns(key)).fetchone()
        return str(row[0])

    def record(self, key: DeliveryKey, state: str, detail: str = "", attempts: int = 0) -> None:
        """Set a delivery's outcome (``sent``, ``failed``, ``unknown``, ``held``), adding ``attempts``."""
        if state not in STATES:
            raise ValueError(state)
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO deliveries (schedule, period, audience, channel, kind, recipient, "
                       "state, created, updated) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                       (*_columns(key), self._now(), self._now()))
            db.execute(f"UPDATE deliveries SET state = ?, detail = ?, attempts = attempts + ?, owner = ?, "
                       f"updated = ? WHERE {_WHERE}",
                       (state, detail, attempts, self.owner, self._now(), *_columns(key)))

    def entry(self, key: DeliveryKey) -> Entry | None:
        """The log row of ``key``, if any."""
        rows = self._select(f"WHERE {_WHERE}", _columns(key))
        return rows[0] if rows else None

    def entries(self, schedule: str | None = None, period: str | None = None) -> list[Entry]:
        """The log rows, optionally of one schedule and/or period, oldest first."""
        clauses, values = [], []
        for column, value in (("schedule", schedule), ("period", period)):
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._select(where, tuple(values))

    def _select(self, where: str, values: tuple[str, ...]) -> list[Entry]:
        rows = self._db.execute(
            "SELECT schedule, period, audience, channel, recipient, kind, state, attempts, detail, created, "
            f"updated FROM deliveries {where} ORDER BY created, schedule, period, audience, channel, recipient",
            values,
        ).fetchall()
        return [Entry(DeliveryKey(r[0], r[1], r[2], r[3], r[4], r[5]), r[6], r[7], r[8], r[9], r[10]) for r in rows]


_WHERE = "schedule = ? AND period = ? AND audience = ? AND channel = ? AND kind = ? AND recipient = ?"
_RUN_COLUMNS = "occurrence, state, detail, attempts, retry_at"


def _run(schedule: str, row: Sequence[Any]) -> Run:
    """A :class:`Run` from the columns :data:`_RUN_COLUMNS`."""
    return Run(schedule, _parse(row[0]), row[1], row[2], row[3], _parse(row[4]) if row[4] else None)


def _columns(key: DeliveryKey) -> tuple[str, ...]:
    return key.schedule, key.period, key.audience, key.channel, key.kind, key.recipient
