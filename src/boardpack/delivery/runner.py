"""What is due, building it, and sending each pack once to each recipient.

:class:`Runner` does the work of ``boardpack deliver`` and ``boardpack schedule run``:

* :meth:`Runner.run_due` finds, for each ``[[schedules]]`` entry, the latest occurrence
  between the last recorded run and now (earlier missed ones are counted, not sent: only
  the latest is caught up), or the last run if its process died or it failed on an error
  that may go away (then after a growing wait: :data:`RUN_RETRY`), claims it in the log,
  builds its period and sends;
* :meth:`Runner.deliver` does the same for a period given by hand (``--period``);
* :meth:`Runner.plan` says who would get what, without building nor sending.

Each pack goes to each recipient of each channel through the log (:mod:`.log`): claimed
before sending, so a second process, a restart or a rerun never sends twice. Transient
failures are retried with a doubling wait (``sleep`` is injected, tests do not wait).
When the data has blocking issues the packs are held and the owner is told, once.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..api.channels import Channel, Delivery, DeliveryFailure, Notice
from ..api.messages import TextTemplates
from ..build.configured import instantiate
from ..build.inputs import load_inputs
from ..build.period import load_request, resolve_period
from ..config import Config, ScheduleConfig
from ..errors import BoardpackError, ConfigError, DeliveryError
from ..errors import Unavailable
from ..periods import Month
from .jobs import Job, Outcome, Report, local_time
from .log import INTERRUPTED, Claim, DeliveryKey, DeliveryLog
from .packs import Builder, Built, Pack, build_packs
from .publish import attachment_link
from .schedule import occurrences, period_for

__all__ = ["MANUAL", "RUN_RETRY", "RUN_RETRY_MAX", "Job", "Outcome", "Report", "Runner", "local_time"]

#: The schedule id of deliveries made by hand when the config has no ``[[schedules]]``.
MANUAL = ScheduleConfig(id="manuel", cron="0 0 1 1 *", period="latest")
#: Log states that mean « already handled » (nothing to send without ``--force``). A
#: ``sending`` row is not: if its process died, claiming it turns it ``unknown``.
_DONE = ("sent", "unknown")
#: A scheduled run that failed on an error that may go away is resumed after this long,
#: then twice as long after each new failure…
RUN_RETRY = dt.timedelta(minutes=10)
#: …waiting at most this long between two attempts.
RUN_RETRY_MAX = dt.timedelta(hours=6)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Runner:
    """Runs a config's schedules against its delivery log.

    :param builder: builds the packs (default :func:`.packs.build_packs`; tests pass a fake).
    :param refresh: the default builder fetches remote sources live (scheduled runs do).
    :param sleep: waits between retries (tests record the waits instead).
    :param clock: the current aware datetime.
    """

    def __init__(self, config: Config, log: DeliveryLog, *, builder: Builder | None = None, refresh: bool = False,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], dt.datetime] = _utcnow,
                 out: Path | None = None) -> None:
        self.config = config
        self.log = log
        self.builder: Builder = builder or functools.partial(build_packs, refresh=refresh)
        self.sleep = sleep
        self.clock = clock
        self.out = Path(out or config.out or config.base_dir / "out")
        from ..plugins import get_registry

        self.registry = get_registry()
        self.texts = TextTemplates(config.base_dir)

    # ------------------------------------------------------------ what to run

    def schedules(self, ids: Sequence[str] = ()) -> list[ScheduleConfig]:
        """The config's schedules (those named in ``ids``), or the manual one when it has none."""
        known = {s.id: s for s in self.config.schedules}
        for ident in ids:
            if ident not in known:
                raise ConfigError(f"{self.config.path.name} : planning inconnu « {ident} » "
                                  f"(plannings : {', '.join(known) or 'aucun'})")
        if ids:
            return [known[i] for i in ids]
        return list(self.config.schedules) or [MANUAL]

    def due(self, now: dt.datetime | None = None) -> tuple[list[Job], list[str]]:
        """The jobs due at ``now`` and notes (first sight of a schedule, missed runs).

        The first time a schedule is seen, ``now`` is recorded as its starting point and
        nothing is due: runs before the schedule existed are not caught up.
        """
        now = now or self.clock()
        if not self.config.schedules:
            raise ConfigError(f"{self.config.path.name} : aucun planning [[schedules]] (cron, timezone) "
                              "à exécuter ; ajoutez-en un ou livrez à la main avec --period")
        jobs: list[Job] = []
        notes: list[str] = []
        for schedule in self.config.schedules:
            last = self.log.last_occurrence(schedule.id)
            if last is None:
                self.log.set_baseline(schedule.id, now)
                notes.append(f"planning « {schedule.id} » : première exécution, les échéances comptent à "
                             f"partir de maintenant ({local_time(now, schedule)})")
                continue
            missed = occurrences(schedule, last, now)
            if missed:
                jobs.append(Job(schedule, period_for(schedule, missed[-1]), missed[-1], len(missed) - 1))
                continue
            run = self.log.resumable(schedule.id, now)
            if run is not None:
                jobs.append(Job(schedule, period_for(schedule, run.occurrence), run.occurrence, resumed=True))
        return jobs, notes

    # ------------------------------------------------------------ running

    def run_due(self, now: dt.datetime | None = None) -> tuple[list[Report], list[str]]:
        """Run every due job (see :meth:`due`); each job's error is kept in its report."""
        jobs, notes = self.due(now)
        reports = []
        for job in jobs:
            assert job.occurrence is not None
            run = self.log.claim_run(job.schedule.id, job.occurrence)
            if run is None:
                notes.append(f"planning « {job.schedule.id} » : échéance du {local_time(job.occurrence, job.schedule)} "
                             "déjà traitée ou en cours dans un autre processus")
                continue
            report = self._run(job)
            retry_at = None
            if report.error is not None or any(o.transient for o in report.failed):
                state = "failed"
                if report.transient:
                    wait = min(RUN_RETRY * 2 ** (run.attempts - 1), RUN_RETRY_MAX)
                    retry_at = self.clock() + wait
                    report.notes.append(f"nouvel essai de cette échéance à partir du "
                                        f"{local_time(retry_at, job.schedule)} (essai n° {run.attempts})")
                else:
                    report.notes.append("cette échéance ne sera pas retentée seule : corrigez la cause puis livrez "
                                        f"avec boardpack deliver --schedule {job.schedule.id}"
                                        + (f" --period {report.period}" if report.period else "")
                                        + " (sinon, prochaine échéance du planning)")
            else:
                state = "held" if any(o.state == "held" for o in report.outcomes) else "done"
            self.log.finish_run(job.schedule.id, job.occurrence, state, str(report.error or ""), retry_at)
            reports.append(report)
        return reports, notes

    def deliver(self, period: Month | None = None, schedules: Sequence[str] = (), audiences: Sequence[str] = (),
                force: bool = False) -> list[Report]:
        """Build and send ``period`` (default: each schedule's period as of now) by hand."""
        reports = []
        for schedule in self.schedules(schedules):
            job = Job(schedule, period or period_for(schedule, self.clock()))
            reports.append(self._run(job, audiences, force))
        return reports

    def plan(self, period: Month | None = None, schedules: Sequence[str] = (),
             audiences: Sequence[str] = ()) -> list[Report]:
        """Who would get what (``planned``), and what the log already holds — nothing built or sent.

        A ``latest`` period is the ledger's last month: the local sources are read to find it
        (no secret needed); with remote sources it is not known before a build, and the
        deliveries are ``unresolved`` instead of claimed to be sent.
        """
        reports = []
        latest: tuple[Month | None, str] | None = None
        for schedule in self.schedules(schedules):
            month = period or period_for(schedule, self.clock())
            note = ""
            if month is None:
                latest = latest or self._latest_period()
                month, why = latest
                note = (f"période « latest » : {month}, dernier mois des écritures" if month else
                        f"période « latest » inconnue avant la construction ({why}) : le journal ne peut pas "
                        "dire ce qui est déjà envoyé")
            job = Job(schedule, month)
            report = Report(job, str(month or "dernier mois des écritures"))
            if note:
                report.notes.append(note)
            channels = self._channels(schedule, dry_run=True)
            for key in self._keys(job, channels, audiences, report.period):
                entry = self.log.entry(key) if month else None
                if month is None:
                    report.outcomes.append(Outcome(key, "unresolved", f"{key.audience}_<période>.pdf"))
                elif entry is not None and entry.state in (*_DONE, "sending"):
                    report.outcomes.append(Outcome(key, "skipped", f"déjà {entry.state} ({entry.updated})"))
                else:
                    report.outcomes.append(Outcome(key, "planned", f"{key.audience}_{month}.pdf"))
            reports.append(report)
        return reports

    def _latest_period(self) -> tuple[Month | None, str]:
        """The month a ``latest`` build would choose, found without secrets, or ``None`` and why not.

        The config's ``period`` if set; else the last month of the ledger, read from the
        local sources. Remote sources are not read (it would take their secrets, and a
        scheduled run reads them live anyway).
        """
        registry = self.registry
        asked = load_request(self.config, registry.datasets).period
        if asked is not None:
            return asked, ""
        remote = [t.key for t in self.config.sources if getattr(registry.sources.get(t.type), "remote", False)]
        if remote:
            return None, "sources distantes " + ", ".join(f"[sources.{key}]" for key in remote)
        try:
            inputs = load_inputs(self.config, registry)
            return resolve_period(inputs.request, inputs.context()), ""
        except (BoardpackError, Unavailable) as exc:
            return None, str(exc)

    def _run(self, job: Job, audiences: Sequence[str] = (), force: bool = False) -> Report:
        """Build and send one job; a user error stops it and is kept in the report."""
        report = Report(job, str(job.period or ""))
        if job.missed:
            report.notes.append(f"{job.missed} échéance(s) manquée(s) avant celle-ci : seule la dernière est rattrapée")
        try:
            channels = self._channels(job.schedule)
            if job.period is not None and not force:  # nothing left to send: not even built
                keys = self._keys(job, channels, audiences, str(job.period))
                entries = [self.log.entry(k) for k in keys]
                if entries and all(e is not None and e.state in _DONE for e in entries):
                    report.outcomes = [_already(e.key, e.state, self.config) for e in entries if e]
                    return report
            wanted = self._covered(job.schedule, channels, audiences)
            if not wanted:
                report.notes.append(f"aucune des audiences demandées n'est livrée par le planning « {job.schedule.id} »")
                return report
            built = self.builder(self.config, job.period, wanted, self.out)
            report.period = str(built.period)
            keys = self._keys(job, channels, audiences, report.period)
            for key in keys:
                self.log.add(key)  # pending: from here a crash resumes without duplicates
            if built.blocking:
                report.outcomes = self._hold(job, built, keys, channels, report)
                return report
            links: dict[str, str | None] = {}
            for key in keys:
                pack = built.packs[key.audience]
                channel = channels[key.channel]
                try:
                    link = self._link(pack, links) if channel.attaches else None
                except DeliveryError as exc:
                    claim = self.log.claim(key, force)
                    if claim:
                        self.log.record(key, "failed", str(exc))
                        report.outcomes.append(Outcome(key, "failed", str(exc)))
                    else:
                        report.outcomes.append(_not_claimed(key, claim, self.config))
                    continue
                report.outcomes.append(self._send(key, channel, pack, link, force))
        except BoardpackError as exc:
            report.error = exc
        return report

    # ------------------------------------------------------------ pieces

    def _audiences(self, schedule: ScheduleConfig, wanted: Sequence[str]) -> list[str]:
        known = [a.key for a in self.config.audiences]
        for key in wanted:
            if key not in known:
                raise ConfigError(f"audience inconnue « {key} » (audiences de {self.config.path.name} : "
                                  f"{', '.join(known)})")
        chosen = list(schedule.audiences or known)
        return [a for a in chosen if a in wanted] if wanted else chosen

    def _channels(self, schedule: ScheduleConfig, dry_run: bool = False) -> dict[str, Channel]:
        """The schedule's channels, built now so that config mistakes show before any build."""
        tables = [t for t in self.config.channels if not schedule.channels or t.key in schedule.channels]
        if not tables:
            raise ConfigError(f"{self.config.path.name} : aucun canal de livraison ([channels.<id>] type = …)")
        built = {}
        for table in tables:  # no secret needed to say who would get what
            built[table.key] = instantiate(self.config, self.registry, table, "canal", resolve=not dry_run)
            built[table.key].check_audiences([a.key for a in self.config.audiences])
        return built

    def _covered(self, schedule: ScheduleConfig, channels: Mapping[str, Channel],
                 wanted: Sequence[str]) -> list[str]:
        """The audiences to build: those of the schedule (or asked) that some channel delivers.

        An audience named explicitly (``[[schedules]] audiences`` or ``--audience``) that no
        channel has a recipient for is a config error; with the default (every audience),
        the audiences no channel delivers are left out.
        """
        explicit = bool(schedule.audiences or wanted)
        covered = []
        for audience in self._audiences(schedule, wanted):
            if any(channel.recipients(audience) for channel in channels.values()):
                covered.append(audience)
            elif explicit:
                raise ConfigError(
                    f"{self.config.path.name} : le planning « {schedule.id} » livre l'audience « {audience} » "
                    f"mais aucun de ses canaux ({', '.join(channels)}) n'a de destinataire pour elle "
                    f"(ex. [channels.{next(iter(channels))}.audiences.{audience}] to = [\"…\"])"
                )
        return covered

    def _keys(self, job: Job, channels: Mapping[str, Channel], audiences: Sequence[str],
              period: str) -> list[DeliveryKey]:
        return [
            DeliveryKey(job.schedule.id, period, audience, key, recipient)
            for audience in self._covered(job.schedule, channels, audiences)
            for key, channel in channels.items()
            for recipient in channel.recipients(audience)
        ]

    def _link(self, pack: Pack, links: dict[str, str | None]) -> str | None:
        """``None`` when the PDF can be attached, else where it was published (once per audience)."""
        if pack.audience not in links:
            links[pack.audience] = attachment_link(pack, self.config.delivery)
        return links[pack.audience]

    def _send(self, key: DeliveryKey, channel: Channel, pack: Pack, link: str | None, force: bool) -> Outcome:
        """Claim, then deliver with retries; the log says how it ended."""
        claim = self.log.claim(key, force)
        if not claim:
            return _not_claimed(key, claim, self.config)
        assert pack.path is not None
        delivery = Delivery(
            pack.path, key.audience, pack.title, key.period, self.config.company.name,
            recipient=key.recipient, schedule=key.schedule, language=pack.language,
            period_label=pack.period_label, kpis=pack.kpis, alerts=pack.alerts, link=link,
        )
        return self._attempt(key, lambda: channel.deliver(delivery))

    def _attempt(self, key: DeliveryKey, call: Callable[[], str]) -> Outcome:
        """Run ``call`` with retries on transient failures; record and return the outcome."""
        settings = self.config.delivery
        attempts = 0
        while True:
            attempts += 1
            try:
                receipt = call()
            except DeliveryFailure as exc:
                transient = exc.outcome == "transient"
                if transient and attempts <= settings.retries:
                    self.sleep(float(settings.backoff) * 2 ** (attempts - 1))
                    continue
                state = "unknown" if exc.outcome == "unknown" else "failed"
                detail = f"{_TRANSIENT}{exc}" if transient else str(exc)
                self.log.record(key, state, detail, attempts)
                return Outcome(key, state, detail, transient)
            except BoardpackError as exc:  # a plain DeliveryError, or before any traffic (template, config)
                self.log.record(key, "failed", str(exc), attempts)
                return Outcome(key, "failed", str(exc))
            except Exception as exc:  # a bug in a channel: it may have sent; keep the traceback
                # only the type: the text of an unexpected error may quote anything, a password included
                self.log.record(key, "unknown", f"erreur inattendue du canal ({type(exc).__name__}) : le message "
                                "a pu partir", attempts)
                raise
            self.log.record(key, "sent", receipt, attempts)
            return Outcome(key, "sent", receipt)

    def _hold(self, job: Job, built: Built, keys: Sequence[DeliveryKey], channels: Mapping[str, Channel],
              report: Report) -> list[Outcome]:
        """Mark every delivery held and tell the owner, once per schedule and period."""
        reason = "; ".join(_sentence(issue, "fr") for issue in built.blocking)
        outcomes = []
        for key in keys:
            state = self.log.hold(key, f"données bloquantes : {reason}")
            outcomes.append(Outcome(key, "held", reason) if state == "held" else
                            Outcome(key, "skipped", f"déjà {state}"))
        owner = self.config.delivery.owner
        notifier = next((c for c in channels.values() if c.notifies), None)
        if not owner or notifier is None:
            report.notes.append("dossiers retenus ; personne n'est prévenu : " + (
                "indiquez [delivery] owner" if not owner else "aucun canal de la livraison ne sait envoyer d'avis"))
            return outcomes
        key = DeliveryKey(job.schedule.id, str(built.period), "*", notifier.key, owner, kind="notice")
        language = self.config.company.locale[:2] if self.config.company.locale[:2] in ("fr", "en") else "fr"
        context: dict[str, Any] = {
            "company": self.config.company.name, "schedule": job.schedule.id, "period": str(built.period),
            "issues": [_sentence(issue, language) for issue in built.blocking],
            "audiences": [built.packs[a].title for a in built.packs], "config": self.config.path.name,
        }
        # written before the claim: a template error must not leave the notice « sending »
        notice = Notice(owner, self.texts.subject("held", language, **context),
                        self.texts.render("held", language, "txt", **context), job.schedule.id, str(built.period),
                        self.config.company.name)
        claim = self.log.claim(key)
        if not claim:
            if claim.interrupted:
                outcomes.append(_not_claimed(key, claim, self.config))
            return outcomes
        outcomes.append(self._attempt(key, lambda: notifier.notify(notice)))
        return outcomes


_TRANSIENT = "échec temporaire persistant : "


def _not_claimed(key: DeliveryKey, claim: Claim, config: Config) -> Outcome:
    """The outcome of a delivery this process may not send: already handled, or just found
    interrupted in ``sending`` by a process that is gone (``unknown``: it may have gone out)."""
    if claim.interrupted:
        return Outcome(key, "unknown", f"{INTERRUPTED} ; {_what_to_do(key, config)}")
    return _already(key, claim.state, config)


def _already(key: DeliveryKey, state: str, config: Config) -> Outcome:
    """A delivery the log already holds: ``sent`` is done (``skipped``); ``unknown`` and
    ``sending`` are not, and say what to do (the command then exits non-zero)."""
    if state == "unknown":
        return Outcome(key, "unknown", f"envoi incertain lors d'un passage précédent ; {_what_to_do(key, config)}")
    if state == "sending":
        return Outcome(key, "sending", "un autre processus l'envoie en ce moment ; relancez la commande plus tard "
                                       f"(boardpack deliveries {config.path.name} montre son état)")
    return Outcome(key, "skipped", f"déjà {state}")


def _what_to_do(key: DeliveryKey, config: Config) -> str:
    """How to settle an ``unknown`` delivery: check, then send again by hand if it is missing."""
    audience = f" --audience {key.audience}" if key.kind == "pack" else ""
    return (f"vérifiez auprès de {key.recipient} s'il est arrivé ; s'il manque : boardpack deliver "
            f"{config.path.name} --schedule {key.schedule} --period {key.period}{audience} --force")


def _sentence(issue: Mapping[str, str], language: str) -> str:
    """A blocking issue's sentence in ``language`` (French when it has none)."""
    return issue.get(language) or issue["fr"]
