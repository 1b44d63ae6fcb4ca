"""The SQLite delivery log: claims are exclusive across connections, threads and processes; states; runs."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import socket
import threading
from pathlib import Path

import pytest

from boardpack.delivery.log import LEASE, Claim, DeliveryKey, DeliveryLog, owner_alive
from boardpack.errors import DeliveryError

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 5, 6, 0, tzinfo=UTC)
KEY = DeliveryKey("mensuel", "2026-10", "dirigeant", "mail", "pdg@example.fr")
#: An owner whose process cannot exist (above Linux's largest pid): a crashed process.
DEAD = f"{socket.gethostname()}:4194305:dead"


def log_at(path: Path, owner: str | None = None) -> DeliveryLog:
    """A log with a frozen clock."""
    return DeliveryLog(path, owner=owner, clock=lambda: NOW)


def test_a_delivery_is_claimed_once(tmp_path: Path) -> None:
    """Two connections (two processes' logs): only the first claim succeeds; the second sees it taken."""
    with log_at(tmp_path / "log.sqlite3") as first, log_at(tmp_path / "log.sqlite3") as second:
        first.add(KEY)
        assert first.claim(KEY)
        assert not second.claim(KEY)
        first.record(KEY, "sent", "ok", attempts=1)
        assert not second.claim(KEY)
        entry = second.entry(KEY)
        assert entry is not None and (entry.state, entry.attempts, entry.detail) == ("sent", 1, "ok")


def test_states_that_may_be_sent_again(tmp_path: Path) -> None:
    """failed and held are claimed again; sent and unknown only with force."""
    with log_at(tmp_path / "log.sqlite3") as log:
        for state, plain in (("failed", True), ("held", True), ("sent", False), ("unknown", False)):
            log.record(KEY, state)
            assert bool(log.claim(KEY)) is plain, state
            log.record(KEY, state)
            assert log.claim(KEY, force=True), state


def test_sending_left_by_a_dead_process_becomes_unknown(tmp_path: Path) -> None:
    """A crash while sending: the next claim marks it unknown (it may have gone out) and does not send."""
    path = tmp_path / "log.sqlite3"
    with log_at(path, owner=DEAD) as crashed:
        assert crashed.claim(KEY)  # then the process died
    with log_at(path) as restarted:
        assert not restarted.claim(KEY)
        entry = restarted.entry(KEY)
        assert entry is not None and entry.state == "unknown" and "a pu partir" in entry.detail
        assert restarted.claim(KEY, force=True)


def test_sending_by_a_live_process_is_left_alone(tmp_path: Path) -> None:
    """A claim held by a process still running is neither taken nor turned unknown."""
    with log_at(tmp_path / "l.sqlite3") as working, log_at(tmp_path / "l.sqlite3") as other:
        assert working.claim(KEY)
        assert not other.claim(KEY, force=True)
        entry = other.entry(KEY)
        assert entry is not None and entry.state == "sending"


def test_concurrent_threads_claim_each_delivery_once(tmp_path: Path) -> None:
    """Eight threads, each with its own connection, race for twenty deliveries: each is claimed once."""
    keys = [DeliveryKey("mensuel", "2026-10", "daf", "mail", f"r{i}@example.fr") for i in range(20)]
    won: list[DeliveryKey] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def race() -> None:
        with DeliveryLog(tmp_path / "log.sqlite3") as log:
            start.wait()
            for key in keys:
                if log.claim(key):
                    with lock:
                        won.append(key)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won, key=str) == sorted(keys, key=str)


def _claim_all(path: str, count: int, queue: multiprocessing.Queue[int]) -> None:  # type: ignore[type-arg]
    with DeliveryLog(Path(path)) as log:
        queue.put(sum(bool(log.claim(DeliveryKey("m", "2026-10", "daf", "mail", f"r{i}"))) for i in range(count)))


def test_concurrent_processes_claim_each_delivery_once(tmp_path: Path) -> None:
    """Two processes claiming the same ten deliveries win ten claims between them."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    DeliveryLog(tmp_path / "log.sqlite3").close()  # schema created once
    workers = [context.Process(target=_claim_all, args=(str(tmp_path / "log.sqlite3"), 10, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    wins = [queue.get(timeout=5), queue.get(timeout=5)]
    queue.close()
    queue.join_thread()
    assert sum(wins) == 10


def test_runs_baseline_claim_and_resume(tmp_path: Path) -> None:
    """First sight records a baseline; a run is claimed once; a failed run, or a dead one, can be resumed."""
    occurrence = dt.datetime(2026, 11, 5, 6, tzinfo=UTC)
    path = tmp_path / "log.sqlite3"
    with log_at(path) as log:
        assert log.last_occurrence("mensuel") is None
        assert log.set_baseline("mensuel", NOW - dt.timedelta(days=40))
        assert not log.set_baseline("mensuel", NOW)
        assert log.claim_run("mensuel", occurrence)
        assert not log.claim_run("mensuel", occurrence)
        assert log.resumable("mensuel") is None  # still running here
        log.finish_run("mensuel", occurrence, "failed", "serveur injoignable", retry_at=NOW)
        run = log.resumable("mensuel")
        assert run is not None and (run.occurrence, run.attempts, run.retry_at) == (occurrence, 1, NOW)
        run = log.claim_run("mensuel", occurrence)
        assert run is not None and run.attempts == 2
        log.finish_run("mensuel", occurrence, "done")
        assert log.resumable("mensuel") is None
        assert log.last_occurrence("mensuel") == occurrence
    with log_at(path, owner=DEAD) as crashed:
        later = occurrence + dt.timedelta(days=30)
        assert crashed.claim_run("mensuel", later)
    with log_at(path) as restarted:
        run = restarted.resumable("mensuel")
        assert run is not None and run.occurrence == later


def test_failed_run_waits_for_its_retry_time(tmp_path: Path) -> None:
    """A failed run is resumable once its retry time has come; without one (permanent error) never."""
    occurrence = dt.datetime(2026, 11, 5, 6, tzinfo=UTC)
    with log_at(tmp_path / "log.sqlite3") as log:
        assert log.claim_run("mensuel", occurrence)
        log.finish_run("mensuel", occurrence, "failed", "serveur injoignable", retry_at=NOW + dt.timedelta(minutes=10))
        assert log.resumable("mensuel") is None  # not yet
        log.clock = lambda: NOW + dt.timedelta(minutes=10)
        assert log.resumable("mensuel") is not None
        assert log.claim_run("mensuel", occurrence)
        log.finish_run("mensuel", occurrence, "failed", "configuration invalide")  # permanent: no retry time
        log.clock = lambda: NOW + dt.timedelta(days=20)
        assert log.resumable("mensuel") is None
        [run] = log.runs("mensuel")
        assert (run.state, run.attempts, run.retry_at, run.detail) == ("failed", 2, None, "configuration invalide")


def test_claim_says_what_it_found(tmp_path: Path) -> None:
    """The claim tells the state it left the row in, and whether it found a dead process's send."""
    path = tmp_path / "log.sqlite3"
    with log_at(path, owner=DEAD) as crashed:
        assert crashed.claim(KEY) == Claim(True, "sending")
    with log_at(path) as restarted:
        assert restarted.claim(KEY) == Claim(False, "unknown", interrupted=True)
        assert restarted.claim(KEY) == Claim(False, "unknown")
        restarted.record(KEY, "sent")
        assert restarted.claim(KEY) == Claim(False, "sent")


def test_hold_never_overwrites_a_delivery_that_went(tmp_path: Path) -> None:
    """hold() marks pending, failed and held deliveries held in one step, and leaves sent, unknown, sending alone."""
    with log_at(tmp_path / "log.sqlite3") as log:
        assert log.hold(KEY, "données bloquantes") == "held"  # not in the log yet
        for state in ("failed", "held"):
            log.record(KEY, state)
            assert log.hold(KEY, "données bloquantes") == "held"
        for state in ("sent", "unknown"):
            log.record(KEY, state, "reçu")
            assert log.hold(KEY, "données bloquantes") == state
            entry = log.entry(KEY)
            assert entry is not None and (entry.state, entry.detail) == (state, "reçu")
        other = DeliveryKey("mensuel", "2026-10", "daf", "mail", "daf@example.fr")
        assert log.claim(other)
        assert log.hold(other, "données bloquantes") == "sending"


def test_owner_alive() -> None:
    """This process is alive, a pid that cannot exist is not, an old claim is stale, another host is trusted."""
    me = f"{socket.gethostname()}:{os.getpid()}:x"
    assert owner_alive(me, NOW, NOW)
    assert not owner_alive(DEAD, NOW, NOW)
    assert not owner_alive(me, NOW - LEASE - dt.timedelta(seconds=1), NOW)
    assert owner_alive("autre-machine:1:x", NOW, NOW)


def test_entries_filter_and_order(tmp_path: Path) -> None:
    """entries() lists every row, or one schedule's or period's."""
    with log_at(tmp_path / "log.sqlite3") as log:
        log.add(KEY)
        log.add(DeliveryKey("hebdo", "2026-11", "daf", "mail", "daf@example.fr"))
        assert len(log.entries()) == 2
        assert [e.key.schedule for e in log.entries(schedule="hebdo")] == ["hebdo"]
        assert [e.key.period for e in log.entries(period="2026-10")] == ["2026-10"]
        with pytest.raises(ValueError):
            log.record(KEY, "envoyé")


def test_unusable_log_path_is_a_delivery_error(tmp_path: Path) -> None:
    """A log that cannot be opened says which file and which key to check."""
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    with pytest.raises(DeliveryError, match=r"\[delivery\] log"):
        DeliveryLog(blocker / "log.sqlite3")
