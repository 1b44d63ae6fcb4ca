"""``boardpack batch``: every company of an accounting firm's portfolio, in one run.

The work is in :mod:`boardpack.batch` (imported when the command runs: ``boardpack --help``
stays fast).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .app import cli, handle_errors, parse_period

__all__ = ["batch_command", "echo_table"]

_STATUS = {"ok": "construite", "unchanged": "inchangée", "failed": "échec"}


def echo_table(report: Any) -> None:
    """The run's table on stdout (company, packs, status, duration, first error line), then where
    it ran and the workers' peak memory on stderr."""
    rows = [("société", "dossiers", "statut", "durée", "erreur")]
    for line in report.lines:
        duration = f"{line.seconds:.1f} s".replace(".", ",") if line.status != "unchanged" else "—"
        rows.append((line.id, str(len(line.packs)), _STATUS[line.status], duration, line.first_error_line))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    counts = {status: sum(line.status == status for line in report.lines) for status in _STATUS}
    click.echo(f"{counts['ok']} construite(s), {counts['unchanged']} inchangée(s), {counts['failed']} en échec "
               f"en {report.seconds:.1f} s".replace(".", ","), err=True)
    if report.memory:
        peaks = ", ".join(f"{peak / 2**20:.0f} Mo".replace(".", ",") for peak in sorted(report.memory.values()))
        click.echo(f"exécution : {report.executor} ; mémoire maximale par processus : {peaks}", err=True)


@cli.command("batch")
@click.argument("portfolio_path", metavar="PORTFOLIO", type=click.Path(path_type=Path))
@click.option("--period", help="Mois des dossiers, AAAA-MM (défaut : le dernier mois des écritures de chaque société).")
@click.option("--jobs", type=click.IntRange(min=1), help="Processus de construction en parallèle (défaut : un par cœur).")
@click.option("--executor", default="local", show_default=True,
              help="« local » (processus de cette machine) ou dask://HOTE:PORT (un cluster Dask).")
@click.option("--only", multiple=True, help="Seulement cette société (répétable).")
@click.option("--force", is_flag=True, help="Reconstruire aussi les sociétés inchangées depuis leur dernière construction.")
@click.option("--no-overview", is_flag=True, help="Sans la synthèse du portefeuille (PDF, CSV, XLSX).")
@click.option("--quiet", is_flag=True, help="Sans la progression société par société.")
@handle_errors
def batch_command(portfolio_path: Path, period: str | None, jobs: int | None, executor: str, only: tuple[str, ...],
                  force: bool, no_overview: bool, quiet: bool) -> None:
    """Construit les dossiers de chaque société du portefeuille PORTFOLIO (un cabinet comptable).

    L'échec d'une société n'arrête pas les autres. Codes de sortie : 0 toutes construites ou
    inchangées, 8 certaines en échec, 9 aucune réussie (2 : portefeuille invalide).
    """
    from ..batch import load_portfolio, make_executor, run_batch

    month = parse_period(period)
    portfolio = load_portfolio(portfolio_path)
    runner = make_executor(executor, jobs)
    say = (lambda message: None) if quiet else (lambda message: click.echo(message, err=True))
    report = run_batch(portfolio, runner, str(month) if month else None, only, force, say)
    echo_table(report)
    if not no_overview:
        from ..batch.overview import write_overview

        for path in write_overview(portfolio, report):
            click.echo(f"synthèse\t{path}")
    sys.exit(report.exit_code)
