"""Commands for remote sources: fetch, snapshots, sources check."""

from __future__ import annotations

import sys
from pathlib import Path

from typing import TYPE_CHECKING

import click

from ..config import load_config
from ..errors import BoardpackError, SourceError
from .app import cli, handle_errors, parse_period, progress

if TYPE_CHECKING:
    from ..config import Config

# The build's modules are imported by the commands that use them: ``boardpack --help`` does not
# pay for them (see the package's docstring).

__all__ = ["fetch_command", "snapshots_command", "sources_check_command"]

@cli.command("fetch")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--period", help="Mois jusqu'auquel lire, AAAA-MM (défaut : [build] period, sinon aujourd'hui).")
@click.option("--quiet", is_flag=True, help="Sans affichage de progression.")
@handle_errors
def fetch_command(config_path: Path, period: str | None, quiet: bool) -> None:
    """Lit les sources distantes de CONFIG et en écrit un instantané local (Parquet + manifeste) ;
    « boardpack snapshots CONFIG » les liste."""
    from ..build.period import load_request
    from ..build.remote import fetch
    from ..plugins import get_registry

    config = load_config(config_path)
    registry = get_registry()
    request = load_request(config, registry.datasets, parse_period(period))
    snapshot = fetch(config, registry, request, progress(quiet))
    click.echo(f"{snapshot.path}\t{snapshot.rows} lignes\t{snapshot.content_hash[:12]}")


@cli.command("snapshots")
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@handle_errors
def snapshots_command(config_path: Path) -> None:
    """Liste les instantanés des sources distantes de CONFIG (date, période, lignes, empreinte)."""
    _list_snapshots(load_config(config_path))


def _list_snapshots(config: Config) -> None:
    from ..build.snapshots import latest_snapshot, list_snapshots, snapshots_dir

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
@handle_errors
def sources_check_command(config_path: Path) -> None:
    """Teste chaque source de CONFIG (connexion, fichiers) : une ligne par source ; code 4 si l'une échoue."""
    from ..build.configured import instantiate
    from ..plugins import get_registry

    config = load_config(config_path)
    registry = get_registry()
    failed = 0
    for table in config.sources:
        try:
            line = instantiate(config, registry, table, "source").check()
            click.echo(f"✓ {table.key} ({table.type}) : {line}")
        except BoardpackError as exc:
            failed += 1
            click.echo(f"✗ {table.key} ({table.type}) : {exc}")
    if failed:
        sys.exit(SourceError.exit_code)


