"""The ``boardpack`` command line.

Every user error is one sentence on stderr and a non-zero exit code (see
:mod:`boardpack.errors`); progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from decimal import Decimal
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .accounting.report import fiscal_years, year_report
from .accounting.text_report import render_year
from .build import Session, build, deliver, load_statements
from .catalogue import catalogue
from .catalogue import markdown as catalogue_markdown
from .config import Config, load_config
from .errors import BoardpackError, ConfigError, DataError, SourceError
from .interfaces import Unavailable
from .formatting import Formatter
from .gates import blocking, run_alerts
from .periods import WINDOW_KINDS, Month
from .plugins import describe_plugins, get_registry
from .scaffold import KINDS, scaffold_plugin
from .snapshots import fetch, latest_snapshot, list_snapshots, snapshots_dir

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])
DEMO_CONFIG = Path(__file__).resolve().parent / "demo" / "config.toml"


def _handle_errors(function: F) -> F:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BoardpackError as exc:
            click.echo(f"Erreur : {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrompu.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _period(value: str | None) -> Month | None:
    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise ConfigError(f"--period : {exc}") from None


def _progress(quiet: bool) -> Callable[[str], None]:
    started = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - started:5.1f} s] {message}…", err=True)

    return say


@click.group()
@click.version_option(__version__, prog_name="boardpack")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path), multiple=True,
              help="Dossier de fichiers de plugins *.py à charger (répétable).")
@_handle_errors
def cli(plugins_dir: tuple[Path, ...]) -> None:
    """boardpack : des dossiers de pilotage PDF à partir de la comptabilité, du CRM et des opérations."""
    for name, reason in get_registry(plugins_dir).broken.items():
        click.echo(f"plugin « {name} » ignoré : {reason}", err=True)


def _build_command(config: Config, period: str | None, audience: tuple[str, ...], out: Path | None,
                   quiet: bool, deliver_packs: bool, strict: bool = False, pdfa: bool = False,
                   combined: bool = False, refresh: bool = False) -> None:
    session_result = build(config, _period(period), audience, out, _progress(quiet), strict=strict,
                           pdfa=pdfa, combined=combined, refresh=refresh)
    for key, path in session_result.paths.items():
        click.echo(f"{key}\t{path}")
    if session_result.combined is not None:
        click.echo(f"complet\t{session_result.combined}")
    if deliver_packs:
        for receipt in deliver(Session(config), session_result, config):
            click.echo(f"livré : {receipt}")


_build_options = [
    click.option("--period", help="Mois du dossier, AAAA-MM (défaut : dernier mois des écritures)."),
    click.option("--audience", multiple=True, help="Audience à produire (répétable ; défaut : toutes)."),
    click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Dossier de sortie."),
    click.option("--quiet", is_flag=True, help="Sans affichage de progression."),
    click.option("--pdfa", is_flag=True,
                 help="PDF/A-3b d'archivage, les chiffres joints en CSV (indicateurs, compte de résultat, bilan)."),
    click.option("--combined", is_flag=True,
                 help="Aussi un PDF unique de toutes les audiences choisies (<société>_<période>_complet.pdf)."),
]


def _with_build_options(function: F) -> F:
    for option in reversed(_build_options):
        function = option(function)
    return function


@cli.command("demo")
@_with_build_options
@_handle_errors
def demo_command(period: str | None, audience: tuple[str, ...], out: Path | None, quiet: bool,
                 pdfa: bool, combined: bool) -> None:
    """Construit les dossiers de la société de démonstration (sans réseau ni identifiants)."""
    _build_command(load_config(DEMO_CONFIG), period, audience, out or Path("out"), quiet, False,
                   pdfa=pdfa, combined=combined)


@cli.command("build")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@_with_build_options
@click.option("--deliver", "deliver_packs", is_flag=True, help="Livrer ensuite via les canaux [channels].")
@click.option("--strict", is_flag=True, help="Les avertissements des contrôles de données deviennent des erreurs.")
@click.option("--refresh", is_flag=True,
              help="Relire les sources distantes en direct (nouvel instantané) au lieu du dernier instantané.")
@_handle_errors
def build_command(config_path: Path, period: str | None, audience: tuple[str, ...], out: Path | None,
                  quiet: bool, pdfa: bool, combined: bool, deliver_packs: bool, strict: bool,
                  refresh: bool) -> None:
    """Construit un PDF par audience de CONFIG."""
    _build_command(load_config(config_path), period, audience, out, quiet, deliver_packs, strict,
                   pdfa=pdfa, combined=combined, refresh=refresh)


@cli.command("kpis")
@click.argument("config_path", metavar="[CONFIG]", type=click.Path(path_type=Path), required=False)
@click.option("--period", help="Mois, AAAA-MM (défaut : dernier mois des écritures).")
@click.option("--format", "output", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--list", "list_only", is_flag=True, help="Le catalogue des indicateurs installés (sans CONFIG).")
@_handle_errors
def kpis_command(config_path: Path | None, period: str | None, output: str, list_only: bool) -> None:
    """Calcule les indicateurs de CONFIG pour un mois, avec leurs comparaisons ; --list : le catalogue."""
    if list_only:
        registry = get_registry()
        if output == "markdown":
            click.echo(catalogue_markdown(registry))
        elif output == "json":
            click.echo(json.dumps(catalogue(registry), ensure_ascii=False, indent=2))
        else:
            for entry in catalogue(registry):
                click.echo(f"{entry['id']:<28} {entry['label']['fr']:<44} {entry['unit']:<8} {entry['formula']['fr']}")
        return
    if config_path is None:
        raise ConfigError("indiquez le fichier de configuration (ou --list pour le catalogue)")
    if output == "markdown":
        raise ConfigError("--format markdown ne sert qu'avec --list")
    config = load_config(config_path)
    session = Session(config)
    session.load()
    session.validate()
    engine = session.engine()
    month = _period(period) or session.latest_period(engine)
    results = engine.results(month)
    if output == "json":
        alerts = run_alerts(engine, session.registry, month, config.alerts, session.quality(engine))
        payload = []
        for kpi_id, by_kind in results.items():
            kpi = engine.kpis[kpi_id]
            headline = by_kind[kpi.headline].as_dict()
            headline["period"] = str(month)
            headline["window_period"] = str(by_kind[kpi.headline].window)
            headline["windows"] = {kind: by_kind[kind].as_dict() for kind in WINDOW_KINDS}
            headline["alerts"] = [
                {"rule": a.rule, "severity": a.severity, "title": a.title["fr"], "message": a.message["fr"],
                 "figures": dict(a.figures), "audiences": list(a.audiences)}
                for a in alerts if kpi_id in a.kpis
            ]
            payload.append(headline)
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    fmt = Formatter("fr", config.company.currency)
    click.echo(f"Indicateurs de {config.company.name} — {fmt.month(month)}")
    for kpi_id, by_kind in results.items():
        kpi = engine.kpis[kpi_id]
        cells = []
        for kind in WINDOW_KINDS:
            result = by_kind[kind]
            cells.append(f"{kind}={fmt.value(result.value, kpi.unit) if result.value is not None else 'n.d.'}")
        status = by_kind[kpi.headline].status or ""
        click.echo(f"{kpi.label['fr']:<36} " + "  ".join(cells) + (f"  [{status}]" if status else ""))


@cli.command("check")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Les avertissements deviennent des erreurs (code de sortie non nul).")
@_handle_errors
def check_command(config_path: Path, strict: bool) -> None:
    """Vérifie la configuration et les données de CONFIG (sans produire de PDF)."""
    config = load_config(config_path)
    session = Session(config, strict=strict)
    datasets = session.load()
    session.validate()
    click.echo(f"Configuration {config_path} : ok")
    if session.snapshot_note:
        click.echo(f"  {session.snapshot_note} ({session.snapshot.path if session.snapshot else ''})")
    for name, frame in sorted(datasets.items()):
        click.echo(f"  {name:<12} {len(frame):>7} lignes  (source {session.providers[name]})")
    for finding in session.findings:
        click.echo(f"  avertissement : {finding}")
    engine = session.engine()
    issues = session.quality(engine)
    for issue in sorted(issues, key=lambda i: i.severity != "blocking"):
        word = "bloquant" if issue.severity == "blocking" else "à vérifier"
        click.echo(f"  qualité ({word}) : {issue.message['fr']}")
    if not issues:
        click.echo("  qualité des données : aucun problème relevé")
    if "entries" in datasets:
        try:
            ledger = engine.ctx.ledger
        except Unavailable as exc:
            raise DataError(f"écritures ({session.providers['entries']}) : {exc}") from None
        statements = engine.ctx.statements
        gap = statements.bilan["total_actif"] - statements.bilan["total_passif"]
        click.echo(f"  écritures de {ledger.first} à {ledger.last} ; écritures équilibrées")
        if (gap != 0).any():
            raise BoardpackError(f"le bilan n'est pas équilibré à fin {gap[gap != 0].index[0]}")
        click.echo("  bilan équilibré (actif = passif) à chaque fin de mois")
    month = session.latest_period(engine)
    unavailable = [
        (kpi_id, by_kind[engine.kpis[kpi_id].headline].reason)
        for kpi_id, by_kind in engine.results(month).items()
        if by_kind[engine.kpis[kpi_id].headline].value is None
    ]
    click.echo(f"  {len(engine.kpis) - len(unavailable)} indicateurs calculables sur {len(engine.kpis)} pour {month}")
    for kpi_id, reason in unavailable:
        click.echo(f"  non disponible : {kpi_id} — {reason}")
    stopping = blocking(issues)
    if stopping:
        raise DataError(f"{len(stopping)} problème(s) de qualité bloquant(s) : {stopping[0].message['fr']}")


@cli.command("statements")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--fiscal-year", type=int, help="Année de clôture de l'exercice à afficher (défaut : tous).")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--strict", is_flag=True, help="Les avertissements des contrôles du FEC deviennent des erreurs.")
@_handle_errors
def statements_command(source: Path, fiscal_year: int | None, output: str, strict: bool) -> None:
    """États financiers par exercice (compte de résultat, SIG, bilan, CAF, flux, BFR).

    SOURCE est un fichier FEC ou une configuration TOML.
    """
    statements = load_statements(source, strict=strict)
    years = fiscal_years(statements)
    if fiscal_year is not None:
        years = [y for y in years if y.end.year == fiscal_year]
        if not years:
            raise DataError(f"{source} : aucun exercice clos en {fiscal_year}")
    reports = [year_report(statements, year) for year in years]
    if output == "json":
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2, default=_json_number))
        return
    fmt = Formatter("fr")
    click.echo("\n\n".join(render_year(report, fmt) for report in reports))


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


@cli.command("plugins")
@click.option("--all", "include_defaults", is_flag=True, help="Inclure les plugins intégrés.")
@_handle_errors
def plugins_command(include_defaults: bool) -> None:
    """Liste les plugins chargés (nom, version, hooks, ce qu'ils fournissent) en JSON, et les plugins
    cassés avec la raison (« error »)."""
    click.echo(json.dumps(describe_plugins(include_defaults), ensure_ascii=False, indent=2))


@cli.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="boardpack.toml")
@_handle_errors
def init_command(path: Path) -> None:
    """Écrit une configuration de départ commentée (qui construit la démonstration)."""
    if path.exists():
        raise ConfigError(f"{path} existe déjà : rien n'a été écrit")
    path.write_text(DEMO_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"{path} écrit. Essayez : boardpack build {path}")


@cli.group("new")
def new_group() -> None:
    """Crée le squelette d'un nouvel élément (plugin)."""


@new_group.command("plugin")
@click.argument("name")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Ce que fournit le plugin.")
@click.option("--dir", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Dossier à créer (défaut : ./boardpack-NAME).")
@_handle_errors
def new_plugin_command(name: str, kind: str, target: Path | None) -> None:
    """Écrit un paquet de plugin NAME prêt à installer, avec un test qui passe."""
    folder = scaffold_plugin(name, kind, target)
    click.echo(f"{folder} écrit. Essayez : pip install -e {folder} && pytest {folder / 'tests'}")


@cli.command("fetch")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--period", help="Mois jusqu'auquel lire, AAAA-MM (défaut : [build] period, sinon aujourd'hui).")
@click.option("--list", "list_only", is_flag=True, help="Lister les instantanés au lieu d'en prendre un.")
@click.option("--quiet", is_flag=True, help="Sans affichage de progression.")
@_handle_errors
def fetch_command(config_path: Path, period: str | None, list_only: bool, quiet: bool) -> None:
    """Lit les sources distantes de CONFIG et en écrit un instantané local (Parquet + manifeste)."""
    config = load_config(config_path)
    if list_only:
        _list_snapshots(config)
        return
    snapshot = fetch(Session(config), _period(period) or config.period, _progress(quiet))
    click.echo(f"{snapshot.path}\t{snapshot.rows} lignes\t{snapshot.content_hash[:12]}")


@cli.command("snapshots")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@_handle_errors
def snapshots_command(config_path: Path) -> None:
    """Liste les instantanés des sources distantes de CONFIG (date, période, lignes, empreinte)."""
    _list_snapshots(load_config(config_path))


def _list_snapshots(config: Config) -> None:
    folder = snapshots_dir(config)
    found = list_snapshots(folder)
    if not found:
        click.echo(f"aucun instantané dans {folder} (boardpack fetch {config.path.name} en crée un)")
        return
    latest = latest_snapshot(folder)
    for snapshot in found:
        mark = "  (dernier)" if latest is not None and snapshot.path == latest.path else ""
        click.echo(f"{snapshot.name}  {snapshot.created_at:%Y-%m-%d %H:%M} UTC  "
                   f"période {snapshot.period or 'à date'}  {snapshot.rows} lignes  "
                   f"{snapshot.content_hash[:12]}{mark}")


@cli.group("sources")
def sources_group() -> None:
    """Les sources de données d'une configuration."""


@sources_group.command("check")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@_handle_errors
def sources_check_command(config_path: Path) -> None:
    """Teste chaque source de CONFIG (connexion, fichiers) : une ligne par source ; code 4 si l'une échoue."""
    config = load_config(config_path)
    session = Session(config)
    failed = 0
    for table in config.sources:
        try:
            line = session.instantiate(table, session.registry.sources, "source").check()
            click.echo(f"✓ {table.key} ({table.type}) : {line}")
        except BoardpackError as exc:
            failed += 1
            click.echo(f"✗ {table.key} ({table.type}) : {exc}")
    if failed:
        sys.exit(SourceError.exit_code)


# ---------------------------------------------------------------- scheduled delivery (boardpack.delivery)

_STATE_WORDS = {"sent": "envoyé", "failed": "échec", "unknown": "incertain", "held": "retenu",
                "skipped": "déjà fait", "planned": "à envoyer", "pending": "en attente", "sending": "en cours"}


def _now_option(value: str | None) -> Any:
    """``--now`` (ISO 8601, UTC when no offset) as an aware datetime, or ``None``."""
    import datetime as dt

    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--now : « {value} » n'est pas une date ISO (2026-11-05T07:00+01:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _delivery_log(config: Config) -> Any:
    from .delivery import DeliveryLog

    return DeliveryLog(config.delivery.log or config.base_dir / "deliveries.sqlite3")


def _echo_reports(reports: list[Any], notes: list[str]) -> None:
    """Print each job's outcomes (stdout) and notes (stderr); raise on failures, held packs, errors."""
    from .delivery.runner import local_time

    for note in notes:
        click.echo(note, err=True)
    for report in reports:
        job = report.job
        when = f" — échéance {local_time(job.occurrence, job.schedule)}" if job.occurrence else ""
        click.echo(f"planning « {job.schedule.id} » — période {report.period}{when}")
        for note in report.notes:
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
        from .errors import DeliveryError

        raise DeliveryError(f"{len(failed)} envoi(s) en échec ou incertain(s), dont {failed[0].key.recipient} : "
                            f"{failed[0].detail} (voir boardpack deliveries)")
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
@click.option("--now", "now_text", hidden=True, help="Date et heure de référence ISO 8601 (essais).")
@_handle_errors
def deliver_command(config_path: Path, due: bool, period: str | None, schedule_ids: tuple[str, ...],
                    audience: tuple[str, ...], dry_run: bool, force: bool, refresh: bool,
                    now_text: str | None) -> None:
    """Construit et envoie les dossiers de CONFIG une seule fois par destinataire (journal des envois)."""
    from .delivery import Runner

    if due and (period or audience or schedule_ids or force or dry_run):
        raise ConfigError("--due choisit seul planning, période et audiences : sans --period, --schedule, "
                          "--audience, --force ni --dry-run")
    config = load_config(config_path)
    now = _now_option(now_text)
    with _delivery_log(config) as log:
        runner = Runner(config, log, refresh=refresh or due, **({"clock": lambda: now} if now else {}))
        if dry_run:
            _echo_reports(runner.plan(_period(period), schedule_ids, audience), [])
        elif due:
            _echo_reports(*runner.run_due())
        else:
            _echo_reports(runner.deliver(_period(period), schedule_ids, audience, force), [])


@cli.group("schedule")
def schedule_group() -> None:
    """Les plannings d'envoi [[schedules]] : prochaines échéances, exécution en continu."""


@schedule_group.command("list")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--count", default=3, show_default=True, help="Nombre de prochaines échéances par planning.")
@click.option("--now", "now_text", hidden=True, help="Date et heure de référence ISO 8601 (essais).")
@_handle_errors
def schedule_list_command(config_path: Path, count: int, now_text: str | None) -> None:
    """Les plannings de CONFIG, leurs prochaines échéances (heure locale et UTC) et leur dernier passage."""
    import datetime as dt

    from .delivery import next_runs, period_for
    from .delivery.runner import local_time

    config = load_config(config_path)
    if not config.schedules:
        raise ConfigError(f"{config_path.name} : aucun planning [[schedules]] (id, cron, timezone)")
    now = _now_option(now_text) or dt.datetime.now(dt.timezone.utc)
    log_path = config.delivery.log or config.base_dir / "deliveries.sqlite3"
    for schedule in config.schedules:
        audiences = ", ".join(schedule.audiences) or "toutes"
        channels = ", ".join(schedule.channels) or "tous"
        click.echo(f"{schedule.id}\t{schedule.cron}\t{schedule.timezone}\tpériode {schedule.period}\t"
                   f"audiences {audiences}\tcanaux {channels}")
        if log_path.exists():
            with _delivery_log(config) as log:
                runs = [r for r in log.runs(schedule.id) if r.state != "baseline"]
            if runs:
                click.echo(f"  dernier passage : {local_time(runs[-1].occurrence, schedule)} ({runs[-1].state})")
        for moment in next_runs(schedule, now, count):
            period = period_for(schedule, moment) or "dernier mois des écritures"
            click.echo(f"  prochain : {local_time(moment, schedule)}\t{moment:%Y-%m-%d %H:%M} UTC\tpériode {period}")


@schedule_group.command("run")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--interval", default=60, show_default=True, help="Secondes au plus entre deux vérifications.")
@_handle_errors
def schedule_run_command(config_path: Path, interval: int) -> None:
    """Reste actif et livre chaque échéance des plannings de CONFIG (comme deliver --due en boucle)."""
    import datetime as dt

    from .delivery import Runner, next_runs

    config = load_config(config_path)
    click.echo(f"boardpack schedule run : {len(config.schedules)} planning(s), Ctrl-C pour arrêter", err=True)
    with _delivery_log(config) as log:
        runner = Runner(config, log, refresh=True)
        try:
            while True:
                try:
                    _echo_reports(*runner.run_due())
                except BoardpackError as exc:  # keep serving: the next run may succeed
                    click.echo(f"Erreur : {exc}", err=True)
                now = dt.datetime.now(dt.timezone.utc)
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
@_handle_errors
def deliveries_command(config_path: Path, schedule_id: str | None, period: str | None, output: str) -> None:
    """Le journal des envois de CONFIG : un envoi par planning, période, audience, canal et destinataire."""
    config = load_config(config_path)
    month = _period(period)
    entries = []
    if (config.delivery.log or config.base_dir / "deliveries.sqlite3").exists():  # listing creates nothing
        with _delivery_log(config) as log:
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


def main() -> None:
    """Entry point of the ``boardpack`` console script."""
    cli(prog_name="boardpack")
