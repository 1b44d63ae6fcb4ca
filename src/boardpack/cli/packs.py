"""Commands that build and read packs: demo, build, kpis, check, statements, init."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..config import load_config
from ..errors import BoardpackError, ConfigError, DataError
from ..formatting import Formatter
from ..errors import Unavailable
from ..periods import WINDOW_KINDS
from .app import DEMO_CONFIG, PackBars, cli, handle_errors, parse_period
from .delivery import delivery_log, echo_reports

if TYPE_CHECKING:
    from ..api.records import Issue
    from ..config import Config

# The build, the delivery runner and the accounting reports are imported by the commands that
# use them: ``boardpack --help`` does not pay for them (see the package's docstring).

__all__ = ["build_command", "check_command", "check_packs", "demo_command", "kpis_command", "report_issues",
           "statements_command"]

F = TypeVar("F", bound=Callable[..., Any])


def _build_command(config: Config, period: str | None, audience: tuple[str, ...], out: Path | None,
                   quiet: bool, deliver_packs: bool, strict: bool = False, pdfa: bool = False,
                   combined: bool = False, refresh: bool = False, xlsx: bool = False) -> None:
    from ..build import build, select_audiences
    from ..delivery import Runner
    from ..delivery.packs import built_from

    keys = [a.key for a in select_audiences(config, audience)] + (["complet"] if combined else [])
    bars = PackBars(keys, quiet)
    try:
        session_result = build(config, parse_period(period), audience, out, bars.say, strict=strict,
                               pdfa=pdfa, combined=combined, refresh=refresh, on_pack=bars.step, xlsx=xlsx)
    finally:
        bars.close()
    report_issues(session_result.issues)
    for key, path in session_result.paths.items():
        click.echo(f"{key}\t{path}")
    if session_result.combined is not None:
        click.echo(f"complet\t{session_result.combined}")
    for key, path in session_result.workbooks.items():
        click.echo(f"{key}\t{path}")
    if deliver_packs:  # through the delivery log, as boardpack deliver: never twice
        built = built_from(config, session_result, audience)
        with delivery_log(config) as log:
            runner = Runner(config, log, builder=lambda *_: built)
            echo_reports(runner.deliver(session_result.period, (), audience), [])


def report_issues(issues: Sequence[Issue], shown: int = 5) -> None:
    """Say on stderr what the build found in the data: every blocking issue, the sources' warnings
    (the FEC checks), and how many other points to check (``boardpack check`` lists them)."""
    from ..build.gates import SOURCE_CHECK, blocking

    stopping = blocking(issues)
    for issue in stopping:
        click.echo(f"qualité (bloquant) : {issue.message['fr']}", err=True)
    if stopping:
        click.echo(f"{len(stopping)} problème(s) bloquant(s) : corrigez les données avant de diffuser "
                   "(--strict refuse de produire les dossiers)", err=True)
    warnings = [issue for issue in issues if issue.severity != "blocking"]
    from_sources = [issue for issue in warnings if issue.check == SOURCE_CHECK]
    for issue in from_sources[:shown]:
        click.echo(f"avertissement : {issue.message['fr']}", err=True)
    others = len(warnings) - min(len(from_sources), shown)
    if others:
        click.echo(f"{others} autre(s) point(s) à vérifier : boardpack check les détaille, la section "
                   "« Qualité des données » les liste", err=True)


_build_options = [
    click.option("--period", help="Mois du dossier, AAAA-MM (défaut : dernier mois des écritures)."),
    click.option("--audience", multiple=True, help="Audience à produire (répétable ; défaut : toutes)."),
    click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Dossier de sortie."),
    click.option("--quiet", is_flag=True, help="Sans affichage de progression."),
    click.option("--pdfa", is_flag=True,
                 help="PDF/A-3b d'archivage, les chiffres joints en CSV (indicateurs, compte de résultat, bilan)."),
    click.option("--combined", is_flag=True,
                 help="Aussi un PDF unique de toutes les audiences choisies (<société>_<période>_complet.pdf) : une couverture, un sommaire, une pagination continue."),
    click.option("--xlsx", is_flag=True,
                 help="Aussi un classeur .xlsx par dossier, à côté du PDF : chaque tableau du dossier sur sa feuille, en nombres."),
]


def _with_build_options(function: F) -> F:
    for option in reversed(_build_options):
        function = option(function)
    return function


@cli.command("demo")
@_with_build_options
@handle_errors
def demo_command(period: str | None, audience: tuple[str, ...], out: Path | None, quiet: bool,
                 pdfa: bool, combined: bool, xlsx: bool) -> None:
    """Construit les dossiers de la société de démonstration (sans réseau ni identifiants)."""
    _build_command(load_config(DEMO_CONFIG), period, audience, out or Path("out"), quiet, False,
                   pdfa=pdfa, combined=combined, xlsx=xlsx)


@cli.command("build")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@_with_build_options
@click.option("--deliver", "deliver_packs", is_flag=True, help="Livrer ensuite via les canaux [channels], une seule fois par destinataire (journal des envois).")
@click.option("--strict", is_flag=True, help="Les avertissements des contrôles de données deviennent des erreurs.")
@click.option("--refresh", is_flag=True,
              help="Relire les sources distantes en direct (nouvel instantané) au lieu du dernier instantané.")
@handle_errors
def build_command(config_path: Path, period: str | None, audience: tuple[str, ...], out: Path | None,
                  quiet: bool, pdfa: bool, combined: bool, xlsx: bool, deliver_packs: bool, strict: bool,
                  refresh: bool) -> None:
    """Construit un PDF par audience de CONFIG."""
    _build_command(load_config(config_path), period, audience, out, quiet, deliver_packs, strict,
                   pdfa=pdfa, combined=combined, refresh=refresh, xlsx=xlsx)


@cli.command("kpis")
@click.argument("config_path", metavar="[CONFIG]", type=click.Path(path_type=Path), required=False)
@click.option("--period", help="Mois, AAAA-MM (défaut : dernier mois des écritures).")
@click.option("--format", "output", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--list", "list_only", is_flag=True, help="Le catalogue des indicateurs installés (sans CONFIG).")
@handle_errors
def kpis_command(config_path: Path | None, period: str | None, output: str, list_only: bool) -> None:
    """Calcule les indicateurs de CONFIG pour un mois, avec leurs comparaisons ; --list : le catalogue."""
    from ..build import load_inputs, validate
    from ..build.compute import compute
    from ..catalogue import catalogue
    from ..catalogue import markdown as catalogue_markdown
    from ..plugins import get_registry

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
    inputs = load_inputs(config, period=parse_period(period))
    validate(config, inputs.registry)
    computed = compute(inputs)
    engine, month, alerts = computed.engine, computed.period, computed.alerts
    results = engine.results(month)
    if output == "json":
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


def check_packs(config: Config, folder: Path) -> int:
    """Read back every pack of ``config``'s audiences built in ``folder`` (``<audience>_<AAAA-MM>.pdf``)
    and print each contradiction found (one KPI × window with two values or statuses, a sentence
    contradicting its figure, text of the other language); returns how many were found."""
    from ..build.consistency import check_pdf
    from ..plugins import get_registry

    if not folder.is_dir():
        raise ConfigError(f"--packs : le dossier {folder} n'existe pas")
    kpis = list(get_registry().kpis.values())
    found = read = 0
    for audience in config.audiences:
        for path in sorted(folder.glob(f"{audience.key}_*.pdf")):
            read += 1
            findings = check_pdf(path, audience.language, kpis)
            found += len(findings)
            for finding in findings:
                click.echo(f"  incohérence ({finding.kind}) : {finding.message}")
    if not read:
        raise ConfigError(f"--packs : aucun dossier des audiences de {config.path.name} dans {folder} "
                          "(fichiers <audience>_<AAAA-MM>.pdf)")
    click.echo(f"  {read} dossier(s) relu(s) dans {folder} : "
               + (f"{found} incohérence(s)" if found else "aucune incohérence"))
    return found


@cli.command("check")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Les avertissements deviennent des erreurs (code de sortie non nul).")
@click.option("--packs", "packs_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Relit les dossiers PDF déjà construits dans ce dossier (au lieu des données) et signale leurs incohérences "
                   "(un indicateur avec deux valeurs ou deux statuts, une phrase qui contredit son chiffre, "
                   "du texte de l'autre langue) ; code de sortie non nul s'il y en a.")
@handle_errors
def check_command(config_path: Path, strict: bool, packs_dir: Path | None) -> None:
    """Vérifie la configuration et les données de CONFIG (sans produire de PDF) et, avec --packs,
    la cohérence des dossiers déjà construits."""
    from ..build import load_inputs, make_engine, validate
    from ..build.compute import compute
    from ..build.gates import SOURCE_CHECK, blocking

    config = load_config(config_path)
    if packs_dir is not None:
        found = check_packs(config, packs_dir)
        if found:
            raise DataError(f"{found} incohérence(s) dans les dossiers de {packs_dir}")
        return
    inputs = load_inputs(config, strict=strict)
    datasets = inputs.datasets
    validate(config, inputs.registry)
    click.echo(f"Configuration {config_path} : ok")
    if inputs.snapshot_note:
        click.echo(f"  {inputs.snapshot_note} ({inputs.snapshot.path if inputs.snapshot else ''})")
    for name, frame in sorted(datasets.items()):
        click.echo(f"  {name:<12} {len(frame):>7} lignes  (source {inputs.providers[name]})")
    for finding in inputs.findings:
        click.echo(f"  avertissement : {finding}")
    engine = make_engine(inputs, strict)
    issues = [issue for issue in engine.issues if issue.check != SOURCE_CHECK]  # printed above
    for issue in sorted(issues, key=lambda i: i.severity != "blocking"):
        word = "bloquant" if issue.severity == "blocking" else "à vérifier"
        click.echo(f"  qualité ({word}) : {issue.message['fr']}")
    if not issues:
        click.echo("  qualité des données : aucun problème relevé")
    if "entries" in datasets:
        try:
            ledger = engine.ctx.ledger
        except Unavailable as exc:
            raise DataError(f"écritures ({inputs.providers['entries']}) : {exc}") from None
        statements = engine.ctx.statements
        gap = statements.bilan["total_actif"] - statements.bilan["total_passif"]
        click.echo(f"  écritures de {ledger.first} à {ledger.last} ; écritures équilibrées")
        if (gap != 0).any():
            raise BoardpackError(f"le bilan n'est pas équilibré à fin {gap[gap != 0].index[0]}")
        click.echo("  bilan équilibré (actif = passif) à chaque fin de mois")
    month = compute(inputs, strict, engine).period
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
@handle_errors
def statements_command(source: Path, fiscal_year: int | None, output: str, strict: bool) -> None:
    """États financiers par exercice (compte de résultat, SIG, bilan, CAF, flux, BFR).

    SOURCE est un fichier FEC ou une configuration TOML.
    """
    from ..accounting.report import fiscal_years, year_report
    from ..accounting.text_report import render_year
    from ..build import load_statements

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
