"""The delivery runner against a real SMTP server: exactly once, catch-up, retries, hold, size limit.

Packs come from a fake builder writing small files (building real PDFs is tested in
test_email_channel.py and test_deliver_cli.py); sleeps are recorded, never waited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from test_email_server import SmtpServer, free_port, smtp_server  # noqa: F401  (fixture)

from boardpack.config import Config, parse_config
from boardpack.default_plugins.channels.email import EmailChannel
from boardpack.delivery import Built, DeliveryKey, DeliveryLog, Pack, Runner
from boardpack.delivery.log import INTERRUPTED, Claim
from boardpack.delivery.runner import RUN_RETRY
from boardpack.errors import ConfigError, DataError, RenderError
from boardpack.periods import Month

UTC = dt.UTC
DEAD = f"{socket.gethostname()}:4194305:dead"
RECIPIENTS = {"dirigeant": ["pdg@example.fr"], "daf": ["daf@example.fr", "compta@example.fr"]}


def make_config(folder: Path, port: int, delivery: dict[str, Any] | None = None, *,
                mail: dict[str, Any] | None = None, company: dict[str, Any] | None = None,
                sources: dict[str, Any] | None = None, **schedule: Any) -> Config:
    """Two audiences, one email channel to 127.0.0.1:port, one monthly schedule (5th, 07:00 Paris).

    ``mail``, ``company`` and ``sources`` add to (or replace) the channel's options, the
    company table and the sources.
    """
    data = {
        "company": {"name": "Atelier Lyonnais de Test", **(company or {})},
        "sources": sources or {"compta": {"type": "csv", "path": "donnees"}},
        "audiences": {"dirigeant": {"title": "Synthèse dirigeant", "sections": ["kpi_tiles"]},
                      "daf": {"title": "Détail DAF", "sections": ["bilan"]}},
        "channels": {"mail": {"type": "email", "host": "127.0.0.1", "port": port, "tls": "none",
                              "from": "packs@atelier.example.fr", "timeout": 5,
                              "audiences": {"dirigeant": {"to": RECIPIENTS["dirigeant"]},
                                            "daf": {"to": RECIPIENTS["daf"][:1], "cc": RECIPIENTS["daf"][1:]}},
                              **(mail or {})}},
        "schedules": [{"id": "mensuel", "cron": "0 7 5 * *", "timezone": "Europe/Paris", **schedule}],
        "delivery": {"owner": "patron@example.fr", "backoff": 10, "retries": 2, **(delivery or {})},
    }
    return parse_config(data, folder / "boardpack.toml")


class FakeBuilder:
    """Writes one small « PDF » per audience; ``blocking`` stands for blocking data issues
    (a French sentence, or ``{"fr": …, "en": …}``); ``error`` is raised instead of building."""

    def __init__(self, blocking: Sequence[str | Mapping[str, str]] = (), size: int = 0,
                 gate: threading.Barrier | None = None, until: threading.Event | None = None,
                 error: Exception | None = None) -> None:
        self.blocking = [{"fr": b} if isinstance(b, str) else b for b in blocking]
        self.error = error
        self.size = size
        self.gate = gate
        self.until = until
        self.calls: list[tuple[Month | None, tuple[str, ...]]] = []

    def __call__(self, config: Config, period: Month | None, audiences: Sequence[str], out: Path) -> Built:
        self.calls.append((period, tuple(audiences)))
        if self.error is not None:
            raise self.error
        if self.gate is not None:
            self.gate.wait(10)
        if self.until is not None:
            assert self.until.wait(10)
        month = period or Month(2026, 10)
        out.mkdir(parents=True, exist_ok=True)
        built = Built(month, blocking=list(self.blocking))
        for audience in audiences:
            path = out / f"{audience}_{month}.pdf"
            path.write_bytes(b"%PDF-1.7 " + audience.encode() + b"\n" + b"0" * self.size)
            kpis = ({"label": "Chiffre d'affaires", "value": "11 000 €", "window": "mois", "status": ""},)
            built.packs[audience] = Pack(audience, audience.upper(), "fr", "octobre 2026",
                                         None if self.blocking else path, kpis)
        return built


class Sleeps(list[float]):
    """Records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def runner(config: Config, log: DeliveryLog, builder: FakeBuilder, now: dt.datetime, sleeps: Sleeps | None = None,
           ) -> Runner:
    """A runner with a frozen clock and recorded sleeps."""
    return Runner(config, log, builder=builder, sleep=sleeps if sleeps is not None else Sleeps(), clock=lambda: now)


def rcpts(server: SmtpServer) -> list[str]:
    """Every envelope recipient the server accepted, in order."""
    return [r for message in server.received for r in message.rcpt_tos]


def states(log: DeliveryLog) -> dict[tuple[str, str], str]:
    """(audience, recipient) → state of every pack delivery in the log."""
    return {(e.key.audience, e.key.recipient): e.state for e in log.entries() if e.key.kind == "pack"}


NOV_5 = dt.datetime(2026, 11, 5, 6, 0, tzinfo=UTC)  # 07:00 in Paris


# ---------------------------------------------------------------- exactly once


def test_manual_delivery_sends_each_recipient_once(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """deliver --period: one message per recipient; a second run sends nothing and does not rebuild."""
    config = make_config(tmp_path, smtp_server.port)
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, builder, NOV_5).deliver(Month(2026, 10))
        assert [o.state for o in report.outcomes] == ["sent"] * 3
        assert sorted(rcpts(smtp_server)) == ["compta@example.fr", "daf@example.fr", "pdg@example.fr"]
        [again] = runner(config, log, builder, NOV_5).deliver(Month(2026, 10))
    assert [o.state for o in again.outcomes] == ["skipped"] * 3
    assert len(smtp_server.received) == 3
    assert builder.calls == [(Month(2026, 10), ("dirigeant", "daf"))]
    daf = next(m for m in smtp_server.received if m.rcpt_tos == ["daf@example.fr"])
    assert daf.attachments() == {"daf_2026-10.pdf": (tmp_path / "out" / "daf_2026-10.pdf").read_bytes()}
    assert "Chiffre d'affaires (mois) : 11 000 €" in daf.text()


def test_two_concurrent_due_runs_send_once(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """Two processes running --due at the same time: one builds and sends, the other finds the run taken."""
    config = make_config(tmp_path, smtp_server.port)
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        log.set_baseline("mensuel", NOV_5 - dt.timedelta(days=20))
    other_finished = threading.Event()  # the builder of the first process waits for the second one to finish
    builders = [FakeBuilder(until=other_finished), FakeBuilder(until=other_finished)]
    results: list[Any] = []

    def run(builder: FakeBuilder) -> None:
        with DeliveryLog(tmp_path / "log.sqlite3") as own_log:
            results.append(runner(config, own_log, builder, NOV_5 + dt.timedelta(minutes=1)).run_due())
        other_finished.set()

    threads = [threading.Thread(target=run, args=(b,)) for b in builders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(rcpts(smtp_server)) == ["compta@example.fr", "daf@example.fr", "pdg@example.fr"]
    assert sum(len(b.calls) for b in builders) == 1
    assert sorted(len(reports) for reports, _ in results) == [0, 1]


def test_two_concurrent_manual_runs_send_once(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """Two processes both building the same period at once: the claims let each message go once."""
    config = make_config(tmp_path, smtp_server.port)
    gate = threading.Barrier(2)
    builders = [FakeBuilder(gate=gate), FakeBuilder(gate=gate)]

    def run(builder: FakeBuilder, out: str) -> None:
        with DeliveryLog(tmp_path / "log.sqlite3") as own_log:
            Runner(config, own_log, builder=builder, sleep=Sleeps(), out=tmp_path / out).deliver(Month(2026, 10))

    threads = [threading.Thread(target=run, args=(b, f"out{i}")) for i, b in enumerate(builders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(b.calls) == 1 for b in builders)  # both built…
    assert sorted(rcpts(smtp_server)) == ["compta@example.fr", "daf@example.fr", "pdg@example.fr"]  # …once sent


class Crash(BaseException):
    """The process dies here (not an error the runner could catch)."""


class CrashingLog(DeliveryLog):
    """A log whose process « dies » at the n-th claim, or when recording the n-th sent."""

    def __init__(self, path: Path, claim_at: int = 0, sent_at: int = 0) -> None:
        super().__init__(path, owner=DEAD)
        self.claims, self.sents = 0, 0
        self.claim_at, self.sent_at = claim_at, sent_at

    def claim(self, key: DeliveryKey, force: bool = False) -> Claim:
        self.claims += 1
        if self.claims == self.claim_at:
            raise Crash
        return super().claim(key, force)

    def record(self, key: DeliveryKey, state: str, detail: str = "", attempts: int = 0) -> None:
        if state == "sent":
            self.sents += 1
            if self.sents == self.sent_at:
                raise Crash
        super().record(key, state, detail, attempts)


@pytest.mark.parametrize("claim_at", [1, 2])
def test_crash_between_build_and_send_resumes_without_duplicates(smtp_server: SmtpServer, tmp_path: Path,
                                                                 claim_at: int) -> None:
    """The process dies after building (before the 1st, or the 2nd, send); the next --due finishes the job."""
    config = make_config(tmp_path, smtp_server.port)
    path = tmp_path / "log.sqlite3"
    with DeliveryLog(path) as log:
        log.set_baseline("mensuel", NOV_5 - dt.timedelta(days=20))
    crashing = CrashingLog(path, claim_at=claim_at)
    with pytest.raises(Crash):
        Runner(config, crashing, builder=FakeBuilder(), sleep=Sleeps(), clock=lambda: NOV_5).run_due()
    crashing.close()
    assert len(smtp_server.received) == claim_at - 1
    later = NOV_5 + dt.timedelta(minutes=15)
    with DeliveryLog(path) as log:
        [report], _ = runner(config, log, FakeBuilder(), later).run_due()
        assert report.job.resumed
        assert sorted(rcpts(smtp_server)) == ["compta@example.fr", "daf@example.fr", "pdg@example.fr"]
        assert set(states(log).values()) == {"sent"}
        assert runner(config, log, FakeBuilder(), later).run_due() == ([], [])


def test_crash_while_sending_is_unknown_and_not_resent(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """The process dies after the server took a message but before logging it: unknown, never resent."""
    config = make_config(tmp_path, smtp_server.port)
    path = tmp_path / "log.sqlite3"
    crashing = CrashingLog(path, sent_at=1)
    with pytest.raises(Crash):
        Runner(config, crashing, builder=FakeBuilder(), sleep=Sleeps(), clock=lambda: NOV_5).deliver(Month(2026, 10))
    crashing.close()
    with DeliveryLog(path) as log:
        runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
        assert states(log)[("dirigeant", "pdg@example.fr")] == "unknown"
    assert sorted(rcpts(smtp_server)) == ["compta@example.fr", "daf@example.fr", "pdg@example.fr"]


# ---------------------------------------------------------------- due runs and catch-up


def test_due_runs_after_the_first_sight(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """First --due only records a starting point; the next occurrence is then sent once."""
    config = make_config(tmp_path, smtp_server.port)
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        reports, notes = runner(config, log, builder, NOV_5 - dt.timedelta(days=3)).run_due()
        assert reports == [] and "première exécution" in notes[0]
        assert runner(config, log, builder, NOV_5 - dt.timedelta(minutes=1)).run_due() == ([], [])
        [report], _ = runner(config, log, builder, NOV_5).run_due()
        assert report.period == "2026-10" and report.job.occurrence == NOV_5
        assert runner(config, log, builder, NOV_5 + dt.timedelta(hours=1)).run_due() == ([], [])
    assert builder.calls == [(Month(2026, 10), ("dirigeant", "daf"))]
    assert len(smtp_server.received) == 3


def test_missed_runs_are_caught_up_once(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """Machine off from July to 20 November: only the latest occurrence (5 Nov, period 2026-10) is sent, once."""
    config = make_config(tmp_path, smtp_server.port)
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        log.set_baseline("mensuel", dt.datetime(2026, 7, 1, tzinfo=UTC))
        back = dt.datetime(2026, 11, 20, 9, tzinfo=UTC)
        [report], _ = runner(config, log, builder, back).run_due()
        assert report.job.occurrence == NOV_5 and report.job.missed == 4  # 5 Jul, Aug, Sep, Oct skipped
        assert "seule la dernière est rattrapée" in report.notes[0]
        assert runner(config, log, builder, back + dt.timedelta(minutes=5)).run_due() == ([], [])
    assert builder.calls == [(Month(2026, 10), ("dirigeant", "daf"))]
    assert len(smtp_server.received) == 3


# ---------------------------------------------------------------- retries and failures


def test_4xx_then_success_is_retried_with_backoff(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """451 then 250: sent at the second attempt after one wait of ``backoff`` seconds."""
    config = make_config(tmp_path, smtp_server.port, audiences=["dirigeant"])
    smtp_server.answer_data("451 4.3.0 Try again later")
    sleeps = Sleeps()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(), NOV_5, sleeps).deliver(Month(2026, 10))
        [entry] = log.entries()
    assert [o.state for o in report.outcomes] == ["sent"]
    assert sleeps == [10.0]
    assert (entry.state, entry.attempts) == ("sent", 2)
    assert rcpts(smtp_server) == ["pdg@example.fr"]


def test_transient_failures_exhaust_retries(tmp_path: Path) -> None:
    """Connection refused every time: waits 10 s then 20 s, then failed (and the run will be retried)."""
    config = make_config(tmp_path, free_port(), audiences=["dirigeant"])
    sleeps = Sleeps()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(), NOV_5, sleeps).deliver(Month(2026, 10))
    [outcome] = report.outcomes
    assert outcome.state == "failed" and "connexion impossible" in outcome.detail
    assert sleeps == [10.0, 20.0]


def test_5xx_is_reported_and_not_retried(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """550 for one recipient: failed with the server's reply, no retry; the others are sent."""
    config = make_config(tmp_path, smtp_server.port)
    smtp_server.answer_rcpt("compta@example.fr", "550 5.1.1 <compta@example.fr>: user unknown")
    sleeps = Sleeps()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(), NOV_5, sleeps).deliver(Month(2026, 10))
        assert states(log)[("daf", "compta@example.fr")] == "failed"
    [failed] = report.failed
    assert failed.key.recipient == "compta@example.fr" and "550 5.1.1" in failed.detail
    assert sleeps == []
    assert sorted(rcpts(smtp_server)) == ["daf@example.fr", "pdg@example.fr"]


def test_lost_after_data_is_unknown_until_forced(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """Connection lost after DATA: unknown, not resent by a rerun (which says what to do and counts it
    as failed, so the command exits non-zero); --force sends it again (same Message-ID)."""
    config = make_config(tmp_path, smtp_server.port, audiences=["dirigeant"])
    smtp_server.answer_data("drop")
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
        assert [o.state for o in report.outcomes] == ["unknown"]
        [rerun] = runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
        assert [o.state for o in rerun.outcomes] == ["unknown"] and rerun.failed
        assert "--force" in rerun.outcomes[0].detail and "--period 2026-10" in rerun.outcomes[0].detail
        assert smtp_server.received == []
        [forced] = runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10), force=True)
        assert [o.state for o in forced.outcomes] == ["sent"]
    dropped, sent = smtp_server.handler.dropped[0].message, smtp_server.received[0].message
    assert dropped["Message-ID"] == sent["Message-ID"]


# ---------------------------------------------------------------- held packs, size limit, plan


def test_blocking_data_holds_the_packs_and_tells_the_owner_once(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """Blocking issues: nothing sent, every delivery held, one notice to the owner saying why; fixed, it goes."""
    config = make_config(tmp_path, smtp_server.port)
    held = FakeBuilder(blocking=["Écriture VE12 déséquilibrée de 10,00 €"])
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, held, NOV_5).deliver(Month(2026, 10))
        assert set(states(log).values()) == {"held"}
        runner(config, log, held, NOV_5).deliver(Month(2026, 10))  # still bad: no second notice
        [notice] = smtp_server.received
        assert notice.rcpt_tos == ["patron@example.fr"] and notice.attachments() == {}
        assert "retenus" in notice.message["Subject"]
        assert "Écriture VE12 déséquilibrée de 10,00 €" in notice.text()
        assert "--period 2026-10" in notice.text()
        assert [o.state for o in report.outcomes] == ["held"] * 3 + ["sent"]
        runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))  # data fixed
        assert set(states(log).values()) == {"sent"}
    assert len(smtp_server.received) == 4


def test_too_big_without_publish_place_fails_clearly(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """A PDF over the limit and nowhere to publish it: failed, saying the size, the limit and the keys."""
    config = make_config(tmp_path, smtp_server.port, {"max_attachment_mb": 0.001}, audiences=["dirigeant"])
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(size=5000), NOV_5).deliver(Month(2026, 10))
    [outcome] = report.outcomes
    assert outcome.state == "failed"
    assert "max_attachment_mb" in outcome.detail and "publish_dir" in outcome.detail
    assert "pèse 5 Ko, plus que la limite de 0,001 Mo" in outcome.detail
    assert smtp_server.received == []


def test_too_big_is_published_and_linked(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """With a publish place, the PDF is copied there (unguessable name) and the message links to it."""
    config = make_config(tmp_path, smtp_server.port, {"max_attachment_mb": 0.001, "publish_dir": "partage",
                                                      "publish_url": "https://intranet.example.fr/packs/"},
                         audiences=["dirigeant"])
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        runner(config, log, FakeBuilder(size=5000), NOV_5).deliver(Month(2026, 10))
    [published] = (tmp_path / "partage").iterdir()
    assert published.name.startswith("dirigeant_2026-10_") and len(published.stem) > len("dirigeant_2026-10_") + 8
    [received] = smtp_server.received
    assert received.attachments() == {}
    assert f"https://intranet.example.fr/packs/{published.name}" in received.text()


def test_plan_says_who_would_get_what(smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dry run lists each recipient without building or sending, secrets not needed; then shows what was sent."""
    monkeypatch.delenv("BOARDPACK_TEST_SMTP_PASSWORD", raising=False)
    secret = {"username": "packs", "password": {"env": "BOARDPACK_TEST_SMTP_PASSWORD"}}
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [unset] = runner(make_config(tmp_path, smtp_server.port, mail=secret), log, builder, NOV_5).deliver(
            Month(2026, 10))
        assert isinstance(unset.error, ConfigError) and "BOARDPACK_TEST_SMTP_PASSWORD" in str(unset.error)
        [plan] = runner(make_config(tmp_path, smtp_server.port, mail=secret), log, builder, NOV_5).plan(
            Month(2026, 10))
        assert plan.error is None
        config = make_config(tmp_path, smtp_server.port)
        assert [(o.state, o.key.recipient, o.detail) for o in plan.outcomes] == [
            ("planned", "pdg@example.fr", "dirigeant_2026-10.pdf"),
            ("planned", "daf@example.fr", "daf_2026-10.pdf"),
            ("planned", "compta@example.fr", "daf_2026-10.pdf"),
        ]
        runner(config, log, builder, NOV_5).deliver(Month(2026, 10), audiences=["dirigeant"])
        [after] = runner(config, log, builder, NOV_5).plan(Month(2026, 10))
    assert [o.state for o in after.outcomes] == ["skipped", "planned", "planned"]
    assert builder.calls == [(Month(2026, 10), ("dirigeant",))]


def test_missing_recipients_stop_before_building(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """A recipients table for an audience the config does not have: a config error, nothing built."""
    config = make_config(tmp_path, smtp_server.port)
    config = parse_config({
        "company": {"name": "T"}, "sources": {"c": {"type": "csv", "path": "d"}},
        "audiences": {"banquier": {"sections": ["bilan"]}},
        "channels": {"mail": {"type": "email", "host": "127.0.0.1", "tls": "none", "from": "p@example.fr",
                              "audiences": {"banque": {"to": ["b@example.fr"]}}}},
    }, tmp_path / "boardpack.toml")
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, builder, NOV_5).deliver(Month(2026, 10))
    assert isinstance(report.error, ConfigError)
    assert "« channels.mail.audiences.banque »" in str(report.error) and "« banquier »" in str(report.error)
    assert builder.calls == []


# ---------------------------------------------------------------- audiences a channel covers


def _only_dirigeant(config: Config) -> Config:
    """``config`` with the mail channel delivering the dirigeant's pack only."""
    table = config.channels[0]
    options = {**table.options, "audiences": {"dirigeant": {"to": RECIPIENTS["dirigeant"]}}}
    return dataclasses.replace(config, channels=(dataclasses.replace(table, options=options),))


def test_default_audiences_are_those_a_channel_delivers(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """With every audience by default, one that no channel has recipients for is not even built."""
    config = _only_dirigeant(make_config(tmp_path, smtp_server.port))
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, builder, NOV_5).deliver(Month(2026, 10))
    assert report.error is None and [o.state for o in report.outcomes] == ["sent"]
    assert builder.calls == [(Month(2026, 10), ("dirigeant",))]
    assert rcpts(smtp_server) == RECIPIENTS["dirigeant"]


def test_an_audience_named_by_the_schedule_needs_a_recipient(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """A schedule naming an audience that no channel delivers is a config error, before any build."""
    config = _only_dirigeant(make_config(tmp_path, smtp_server.port, audiences=["dirigeant", "daf"]))
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, builder, NOV_5).deliver(Month(2026, 10))
    assert isinstance(report.error, ConfigError)
    assert "« daf »" in str(report.error) and "[channels.mail.audiences.daf]" in str(report.error)
    assert builder.calls == [] and smtp_server.received == []


# ---------------------------------------------------------------- failures before any traffic, secrets


def test_broken_email_template_fails_without_sending(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """A user's template naming an unknown variable: failed (nothing went out), not unknown; sent once fixed."""
    template = tmp_path / "templates" / "email" / "pack_subject.fr.txt"
    template.parent.mkdir(parents=True)
    template.write_text("{{ societe }} — {{ period }}\n", encoding="utf-8")
    config = make_config(tmp_path, smtp_server.port, audiences=["dirigeant"])
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
        [outcome] = report.outcomes
        assert outcome.state == "failed" and "pack_subject.fr.txt" in outcome.detail
        assert states(log) == {("dirigeant", "pdg@example.fr"): "failed"}
        template.write_text("{{ company }} — {{ period }}\n", encoding="utf-8")
        [fixed] = runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
    assert [o.state for o in fixed.outcomes] == ["sent"]
    assert rcpts(smtp_server) == ["pdg@example.fr"]


def test_broken_notice_template_leaves_no_claim(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """The owner's notice cannot be written: the run stops on the template error, the notice is not left « sending »."""
    template = tmp_path / "templates" / "email" / "held.fr.txt"
    template.parent.mkdir(parents=True)
    template.write_text("{{ problemes }}\n", encoding="utf-8")
    config = make_config(tmp_path, smtp_server.port)
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(blocking=["Écriture VE12 déséquilibrée"]), NOV_5).deliver(
            Month(2026, 10))
        assert isinstance(report.error, RenderError)
        assert {e.state for e in log.entries()} == {"held"}  # the packs; no notice row
    assert smtp_server.received == []


def test_unexpected_channel_error_is_logged_by_type_only(smtp_server: SmtpServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a channel: unknown (it may have sent), traceback kept, but its text never reaches the log."""
    def broken(self: EmailChannel, delivery: Any) -> str:
        raise RuntimeError("mot de passe refusé : hunter2")

    monkeypatch.setattr(EmailChannel, "deliver", broken)
    config = make_config(tmp_path, smtp_server.port, audiences=["dirigeant"])
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        with pytest.raises(RuntimeError):
            runner(config, log, FakeBuilder(), NOV_5).deliver(Month(2026, 10))
        [entry] = log.entries()
    assert entry.state == "unknown" and "RuntimeError" in entry.detail and "hunter2" not in entry.detail


def test_publish_without_url_from_a_relative_config_path(smtp_server: SmtpServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Config given as ``boardpack.toml`` (relative), no publish_url: the link is the published file's file: URI."""
    monkeypatch.chdir(tmp_path)
    config = make_config(Path("."), smtp_server.port, {"max_attachment_mb": 0.001, "publish_dir": "partage"},
                         audiences=["dirigeant"])
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [report] = runner(config, log, FakeBuilder(size=5000), NOV_5).deliver(Month(2026, 10))
    assert [o.state for o in report.outcomes] == ["sent"]
    [published] = (tmp_path / "partage").iterdir()
    assert published.resolve().as_uri() in smtp_server.received[0].text()


# ---------------------------------------------------------------- interrupted sends, retried runs


def test_crash_after_the_last_send_resumes_as_unknown(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """Dies after the server took the last message, before logging it: the resumed run reports it unknown."""
    config = make_config(tmp_path, smtp_server.port)
    path = tmp_path / "log.sqlite3"
    with DeliveryLog(path) as log:
        log.set_baseline("mensuel", NOV_5 - dt.timedelta(days=20))
    crashing = CrashingLog(path, sent_at=3)
    with pytest.raises(Crash):
        Runner(config, crashing, builder=FakeBuilder(), sleep=Sleeps(), clock=lambda: NOV_5).run_due()
    crashing.close()
    later = NOV_5 + dt.timedelta(minutes=15)
    with DeliveryLog(path) as log:
        [report], _ = runner(config, log, FakeBuilder(), later).run_due()
        assert report.job.resumed
        [failed] = report.failed  # what makes deliver --due exit 7
        assert (failed.state, failed.key.recipient) == ("unknown", "compta@example.fr")
        assert failed.detail.startswith(INTERRUPTED) and "--force" in failed.detail
        assert states(log)[("daf", "compta@example.fr")] == "unknown"
        assert runner(config, log, FakeBuilder(), later).run_due() == ([], [])
    assert len(smtp_server.received) == 3


def test_transient_failure_resumes_the_run_with_backoff(tmp_path: Path) -> None:
    """Server down: the run is tried again 10 min later, then 20 min after that — not at every check."""
    config = make_config(tmp_path, free_port(), {"retries": 0}, audiences=["dirigeant"])
    builder = FakeBuilder()
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        log.set_baseline("mensuel", NOV_5 - dt.timedelta(days=20))
        [first], _ = runner(config, log, builder, NOV_5).run_due()
        [outcome] = first.outcomes
        assert outcome.state == "failed" and outcome.transient and first.transient
        assert any("nouvel essai" in note for note in first.notes)
        assert runner(config, log, builder, NOV_5 + RUN_RETRY - dt.timedelta(minutes=1)).run_due() == ([], [])
        [second], _ = runner(config, log, builder, NOV_5 + RUN_RETRY).run_due()
        assert second.job.resumed
        assert runner(config, log, builder, NOV_5 + 3 * RUN_RETRY - dt.timedelta(minutes=1)).run_due() == ([], [])
        [third], _ = runner(config, log, builder, NOV_5 + 3 * RUN_RETRY).run_due()
        assert third.job.resumed
        [run] = [r for r in log.runs("mensuel") if r.state != "baseline"]
        assert (run.state, run.attempts) == ("failed", 3)
    assert len(builder.calls) == 3


def test_permanent_error_waits_for_the_next_occurrence(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """Bad data: the run is not rebuilt at every check; the next month's occurrence runs as usual."""
    config = make_config(tmp_path, smtp_server.port)
    broken = FakeBuilder(error=DataError("écritures.csv, ligne 12 : montant illisible"))
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        log.set_baseline("mensuel", NOV_5 - dt.timedelta(days=20))
        [report], _ = runner(config, log, broken, NOV_5).run_due()
        assert isinstance(report.error, DataError) and not report.transient
        assert any("--period 2026-10" in note for note in report.notes)
        assert runner(config, log, broken, NOV_5 + dt.timedelta(days=3)).run_due() == ([], [])
        assert len(broken.calls) == 1
        [runs] = [[r for r in log.runs("mensuel") if r.state != "baseline"]]
        assert [(r.state, r.retry_at) for r in runs] == [("failed", None)]
        december = dt.datetime(2026, 12, 5, 6, tzinfo=UTC)
        [next_month], _ = runner(config, log, FakeBuilder(), december).run_due()
    assert next_month.period == "2026-11" and [o.state for o in next_month.outcomes] == ["sent"] * 3


# ---------------------------------------------------------------- latest period, held notice language


def test_plan_of_latest_period_with_remote_sources_says_it_is_unknown(smtp_server: SmtpServer, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``period = "latest"`` read from a remote source: not known before building, so nothing claimed « à envoyer »."""
    monkeypatch.delenv("BOARDPACK_TEST_PENNYLANE", raising=False)
    config = make_config(tmp_path, smtp_server.port, period="latest",
                         sources={"pl": {"type": "pennylane", "token": {"env": "BOARDPACK_TEST_PENNYLANE"}}})
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        [plan] = runner(config, log, FakeBuilder(), NOV_5).plan()
    assert {o.state for o in plan.outcomes} == {"unresolved"}
    assert "inconnue" in plan.notes[0] and "[sources.pl]" in plan.notes[0]


def test_held_notice_is_written_in_the_notice_language(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """An English-speaking company: the owner's notice lists the issues in English; the log keeps French."""
    config = make_config(tmp_path, smtp_server.port, company={"locale": "en_GB"})
    issue = {"fr": "Écriture VE12 déséquilibrée de 10,00 €", "en": "Entry VE12 is unbalanced by €10.00"}
    with DeliveryLog(tmp_path / "log.sqlite3") as log:
        runner(config, log, FakeBuilder(blocking=[issue]), NOV_5).deliver(Month(2026, 10))
        assert {e.detail for e in log.entries() if e.key.kind == "pack"} == {f"données bloquantes : {issue['fr']}"}
    [notice] = smtp_server.received
    assert notice.text().startswith("Hello,")
    assert "- Entry VE12 is unbalanced by €10.00" in notice.text() and "Écriture" not in notice.text()
