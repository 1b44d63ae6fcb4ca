"""Commands for scheduled delivery: deliver, schedule list|run, deliveries."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..config import load_config
from ..errors import BoardpackError, ConfigError, DataError, DeliveryError
from .app import cli, handle_errors, parse_period

if TYPE_CHECKING:
    from ..config import Config
    from ..delivery import DeliveryLog

# The delivery runner (and the build it drives) is imported by the commands that use it:
# ``boardpack --help`` does not pay for it (see the package's docstring).

__all__ = ["deliver_command", "deliveries_command", "delivery_log", "echo_reports", "schedule_list_command",
           "schedule_run_command"]

_STATE_WORDS = {"sent": "envoyé", "failed": "échec", "unknown": "incertain", "held": "retenu",
                "skipped": "déjà fait", "planned": "à envoyer", "unresolved": "période inconnue",
                "pending": "en attente", "sending": "en cours"}


def _now_option(value: str | None) -> Any:
    """``--now`` (ISO 8601, UTC when no offset) as an aware datetime, or ``None``."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--now : « {value} » n'est pas une date ISO (2026-11-05T07:00+01:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def delivery_log(config: Config, create: bool = True) -> DeliveryLog:
    """The config's delivery log (``[delivery] log``, default beside the config file).

    With ``create=False`` (a dry run) a log that does not exist yet is an empty one in
    memory: looking creates no file.
    """
    from ..delivery import DeliveryLog

    if not create and not config.delivery.log.exists():
        return DeliveryLog(Path(":memory:"))
    return DeliveryLog(config.delivery.log)


def _no_schedule(config_path: Path) -> ConfigError:
    return ConfigError(f"{config_path.name} : aucun planning [[schedules]] (id, cron, timezone)")


def _channels_ready(config: Config) -> None:
    """Build every channel with its secrets, and check the output folder, before the delivery log
    is opened: a config mistake (no channel, a secret not found, ``[build] out`` naming a file)
    stops the command without leaving a log behind."""
    from ..build.configured import instantiate
    from ..build.run import ready_output
    from ..plugins import get_registry

    ready_output(config.out or config.base_dir / "out", config, create=False)
    if not config.channels:
        raise ConfigError(f"{config.path.name} : aucun canal de livraison ([channels.<id>] type = …)")
    registry = get_registry()
    for table in config.channels:
        instantiate(config, registry, table, "canal")


def echo_reports(reports: list[Any], notes: list[str], quiet: bool = False) -> None:
    """Print each job's outcomes (stdout) and notes (stderr, unless ``quiet``); raise on failures,
    held packs, errors, and on deliveries left ``unknown`` or ``sending``."""
    from ..delivery.runner import local_time

    for note in notes if not quiet else ():
        click.echo(note, err=True)
    for report in reports:
        job = report.job
        when = f" — échéance {local_time(job.occurrence, job.schedule)}" if job.occurrence else ""
        click.echo(f"planning « {job.schedule.id} » — période {report.period}{when}")
        for note in report.notes if not quiet else ():
            click.echo(f"  {note}", err=True)
        for outcome in report.outcomes:
            key = outcome.key
            target = f"{key.audience}\t{key.channel}\t{key.recipient}" if key.kind == "pack" else \
                f"avis\t{key.channel}\t{key.recipient}"
            click.echo(f"  {_STATE_WORDS.get(outcome.state, outcome.state)}\t{target}\t{outcome.detail}")
    errors = [r.error for r in reports if r.error is not None]
    if errors:
        raise errors[0]
    failed = [o for r in reports for o in r.failed]
    if failed:
        raise DeliveryError(f"{len(failed)} envoi(s) en échec ou incertain(s), dont {failed[0].key.recipient} : "
                            f"{failed[0].detail} (voir boardpack deliveries)")
    busy = [o for r in reports for o in r.outcomes if o.state == "sending"]
    if busy:
        raise DeliveryError(f"{len(busy)} envoi(s) en cours dans un autre processus, dont {busy[0].key.recipient} : "
                            f"{busy[0].detail}")
    held = [o for r in reports for o in r.outcomes if o.state == "held"]
    if held:
        raise DataError(f"{len(held)} envoi(s) retenu(s) : données bloquantes ({held[0].detail}) ; corrigez-les puis "
                        "relancez boardpack deliver --period")


@cli.command("deliver")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--due", is_flag=True, help="Ce qui est dû maintenant selon les [[schedules]] et pas encore envoyé "
                                         "(pour cron ou un minuteur systemd).")
@click.option("--period", help="Mois à livrer, AAAA-MM (défaut : celui de chaque planning à cette date).")
@click.option("--schedule", "schedule_ids", multiple=True, help="Planning à livrer (répétable ; défaut : tous).")
@click.option("--audience", multiple=True, help="Audience à livrer (répétable ; défaut : celles du planning).")
@click.option("--dry-run", is_flag=True, help="Dire qui recevrait quoi, sans rien construire ni envoyer.")
@click.option("--force", is_flag=True, help="Renvoyer aussi ce que le journal dit envoyé ou incertain.")
@click.option("--refresh", is_flag=True, help="Relire les sources distantes en direct (toujours le cas avec --due).")
@click.option("--quiet", is_flag=True, help="Sans les remarques de progression (pour cron) : les envois et les "
                                           "erreurs seulement.")
@click.option("--now", "now_text", hidden=True, help="Date et heure de référence ISO 8601 (essais).")
@click.option("--only", multiple=True, help="Avec un portefeuille : seulement cette société (répétable).")
@handle_errors
def deliver_command(config_path: Path, due: bool, period: str | None, schedule_ids: tuple[str, ...],
                    audience: tuple[str, ...], dry_run: bool, force: bool, refresh: bool, quiet: bool,
                    now_text: str | None, only: tuple[str, ...]) -> None:
    """Construit et envoie les dossiers de CONFIG une seule fois par destinataire (journal des envois).

    CONFIG peut être un portefeuille (boardpack batch) : chaque société est livrée, le journal
    des envois du portefeuille les distingue ; codes de sortie 0, 8 (certaines en échec), 9 (aucune).
    """
    from ..delivery import Runner

    if due and (period or audience or schedule_ids or force or dry_run):
        raise ConfigError("--due choisit seul planning, période et audiences : sans --period, --schedule, "
                          "--audience, --force ni --dry-run")
    if _is_portfolio(config_path):
        if schedule_ids or audience or dry_run:
            raise ConfigError("avec un portefeuille : --due, --period, --only et --force seulement "
                              "(sans --schedule, --audience ni --dry-run)")
        _deliver_portfolio(config_path, due, parse_period(period), only, force, quiet, _now_option(now_text))
        return
    if only:
        raise ConfigError("--only ne sert qu'avec un portefeuille ([portfolio], [companies.<id>])")
    config = load_config(config_path)
    now = _now_option(now_text)
    month = parse_period(period)
    if due and not config.schedules:
        raise _no_schedule(config_path)
    if not dry_run:
        _channels_ready(config)
    with delivery_log(config, create=not dry_run) as log:
        runner = Runner(config, log, refresh=refresh or due, **({"clock": lambda: now} if now else {}))
        if dry_run:
            echo_reports(runner.plan(month, schedule_ids, audience), [], quiet)
        elif due:
            echo_reports(*runner.run_due(), quiet=quiet)
        else:
            echo_reports(runner.deliver(month, schedule_ids, audience, force), [], quiet)


def _is_portfolio(path: Path) -> bool:
    """Whether ``path`` is a portfolio (a ``[companies]`` table) rather than a config."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # load_config says what is wrong
    return "companies" in data and "company" not in data


def _deliver_portfolio(path: Path, due: bool, period: Any, only: tuple[str, ...], force: bool, quiet: bool,
                       now: Any) -> None:
    """deliver on a portfolio: each company's reports, then an exit code telling all, some or none."""
    import sys

    from ..batch import EXIT_ALL, EXIT_NONE, EXIT_SOME, load_portfolio
    from ..batch.delivery import deliver_portfolio

    portfolio = load_portfolio(path)
    results = deliver_portfolio(portfolio, due, period, only, force, now, check=_channels_ready)
    failed = 0
    for result in results:
        try:
            if result.error is not None:
                raise result.error
            echo_reports(result.reports, result.notes, quiet)
        except BoardpackError as exc:
            failed += 1
            click.echo(f"Erreur : société « {result.id} » : {exc}", err=True)
    if failed:
        sys.exit(EXIT_NONE if failed == len(results) else EXIT_SOME)
    sys.exit(EXIT_ALL)


@cli.group("schedule")
def schedule_group() -> None:
    """Les plannings d'envoi [[schedules]] : prochaines échéances, exécution en continu."""


@schedule_group.command("list")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--count", default=3, show_default=True, help="Nombre de prochaines échéances par planning.")
@click.option("--quiet", is_flag=True, help="Sans effet : la liste va sur la sortie standard (accepté comme "
                                           "pour les autres commandes).")
@click.option("--now", "now_text", hidden=True, help="Date et heure de référence ISO 8601 (essais).")
@handle_errors
def schedule_list_command(config_path: Path, count: int, quiet: bool, now_text: str | None) -> None:
    """Les plannings de CONFIG, leurs prochaines échéances (heure locale et UTC) et leur dernier passage."""
    from ..delivery import next_runs, period_for
    from ..delivery.runner import local_time

    config = load_config(config_path)
    if not config.schedules:
        raise _no_schedule(config_path)
    now = _now_option(now_text) or dt.datetime.now(dt.UTC)
    for schedule in config.schedules:
        audiences = ", ".join(schedule.audiences) or "toutes"
        channels = ", ".join(schedule.channels) or "tous"
        click.echo(f"{schedule.id}\t{schedule.cron}\t{schedule.timezone}\tpériode {schedule.period}\t"
                   f"audiences {audiences}\tcanaux {channels}")
        if config.delivery.log.exists():
            with delivery_log(config) as log:
                runs = [r for r in log.runs(schedule.id) if r.state != "baseline"]
            if runs:
                last = runs[-1]
                retry = ""
                if last.state == "failed":
                    retry = (f", nouvel essai à partir du {local_time(last.retry_at, schedule)}" if last.retry_at
                             else ", pas de nouvel essai avant la prochaine échéance")
                click.echo(f"  dernier passage : {local_time(last.occurrence, schedule)} ({last.state}{retry})")
        for moment in next_runs(schedule, now, count):
            period = period_for(schedule, moment) or "dernier mois des écritures"
            click.echo(f"  prochain : {local_time(moment, schedule)}\t{moment:%Y-%m-%d %H:%M} UTC\tpériode {period}")


@schedule_group.command("run")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--interval", default=60, show_default=True, help="Secondes au plus entre deux vérifications.")
@click.option("--quiet", is_flag=True, help="Sans les remarques de progression : les envois et les erreurs seulement.")
@handle_errors
def schedule_run_command(config_path: Path, interval: int, quiet: bool) -> None:
    """Reste actif et livre chaque échéance des plannings de CONFIG (comme deliver --due en boucle)."""
    from ..delivery import Runner, next_runs

    config = load_config(config_path)
    if not config.schedules:  # nothing would ever be due: say so once instead of at every check
        raise _no_schedule(config_path)
    _channels_ready(config)
    if not quiet:
        click.echo(f"boardpack schedule run : {len(config.schedules)} planning(s), Ctrl-C pour arrêter", err=True)
    with delivery_log(config) as log:
        runner = Runner(config, log, refresh=True)
        try:
            while True:
                try:
                    echo_reports(*runner.run_due(), quiet=quiet)
                except BoardpackError as exc:  # keep serving: the next run may succeed
                    click.echo(f"Erreur : {exc}", err=True)
                now = dt.datetime.now(dt.UTC)
                upcoming = [m for s in config.schedules for m in next_runs(s, now, 1)]
                wait = min([interval] + [(m - now).total_seconds() for m in upcoming])
                time.sleep(max(1.0, wait))
        except KeyboardInterrupt:
            click.echo("Arrêt demandé.", err=True)


@cli.command("deliveries")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--schedule", "schedule_id", help="Seulement ce planning.")
@click.option("--period", help="Seulement ce mois, AAAA-MM.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_errors
def deliveries_command(config_path: Path, schedule_id: str | None, period: str | None, output: str) -> None:
    """Le journal des envois de CONFIG (ou d'un portefeuille) : un envoi par planning, période, audience,
    canal et destinataire."""
    from ..delivery import DeliveryLog

    if _is_portfolio(config_path):  # the portfolio's log: schedules are <company>/<schedule>
        from ..batch import load_portfolio

        path = load_portfolio(config_path).log
    else:
        path = load_config(config_path).delivery.log
    month = parse_period(period)
    entries = []
    if path.exists():  # listing creates nothing
        with DeliveryLog(path) as log:
            entries = log.entries(schedule_id, str(month) if month else None)
    if output == "json":
        click.echo(json.dumps([
            {"schedule": e.key.schedule, "period": e.key.period, "audience": e.key.audience,
             "channel": e.key.channel, "kind": e.key.kind, "recipient": e.key.recipient, "state": e.state,
             "attempts": e.attempts, "detail": e.detail, "created": e.created, "updated": e.updated}
            for e in entries
        ], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo("journal des envois vide")
    for e in entries:
        what = e.key.audience if e.key.kind == "pack" else "avis"
        click.echo(f"{e.updated}\t{e.key.schedule}\t{e.key.period}\t{what}\t{e.key.channel}\t{e.key.recipient}\t"
                   f"{e.state}\t{e.attempts}\t{e.detail}")


