"""``boardpack init``: a starter config, the demo's or one written from the user's own data."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ConfigError
from ..formatting import Formatter
from .app import DEMO_CONFIG, cli, handle_errors

__all__ = ["init_command"]


@cli.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="boardpack.toml")
@click.option("--fec", "fec", type=click.Path(path_type=Path), help="Un FEC, ou un dossier de FEC (un par exercice).")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path),
              help="Un dossier de fichiers CSV ou de classeurs, un par jeu (entries.csv, budget.xlsx…).")
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path),
              help="Un classeur .xlsx ou .ods dont chaque feuille est un jeu (entries, budget…).")
@click.option("--name", help="Raison sociale de la société.")
@handle_errors
def init_command(path: Path, fec: Path | None, csv_dir: Path | None, xlsx: Path | None, name: str | None) -> None:
    """Écrit une configuration de départ : à partir de vos données (--fec, --csv, --xlsx), sinon la démonstration."""
    if path.exists():
        raise ConfigError(f"{path} existe déjà : rien n'a été écrit")
    if not path.parent.is_dir():
        raise ConfigError(f"{path} : le dossier {path.parent} n'existe pas ; créez-le d'abord (rien n'a été écrit)")
    given = [(kind, value) for kind, value in (("fec", fec), ("csv", csv_dir), ("xlsx", xlsx)) if value is not None]
    if not given:
        _write(path, DEMO_CONFIG.read_bytes())
        click.echo(f"{path} écrit (société de démonstration). Essayez : boardpack build {path}")
        return
    if len(given) > 1:
        raise ConfigError("une seule source à la fois : --fec, --csv ou --xlsx (ajoutez les autres ensuite)")
    kind, data = given[0]
    if not data.exists():
        raise ConfigError(f"--{kind} : {data} introuvable")
    if kind == "csv" and not data.is_dir():
        raise ConfigError(f"--csv : {data} n'est pas un dossier (pour un classeur : --xlsx)")
    if kind == "xlsx" and data.suffix.lower() not in (".xlsx", ".xlsm", ".ods"):
        raise ConfigError(f"--xlsx : {data} n'est pas un classeur .xlsx ou .ods")
    from ..build.coverage import HINTS
    from ..build.starter import starter_config

    click.echo(f"lecture de {data}…", err=True)
    starter = starter_config(path, kind, data, name)
    _write(path, starter.text.encode("utf-8"))
    fmt = Formatter("fr")
    click.echo(f"{path} écrit à partir de {data} :")
    if starter.siren:
        click.echo(f"  SIREN {starter.siren}")
    for start, end in starter.years:
        months = end - start + 1
        click.echo(f"  exercice {fmt.month(start)} – {fmt.month(end)}" + (f" ({months} mois)" if months != 12 else ""))
    if starter.journals:
        click.echo(f"  journaux d'à-nouveaux : {', '.join(starter.journals)}")
    for dataset, rows in starter.datasets.items():
        click.echo(f"  jeu {dataset} : {fmt.number(rows)} lignes")
    for audience, sections in starter.audiences.items():
        click.echo(f"  dossier {audience} : {', '.join(sections)}")
    if starter.missing:
        click.echo("Pour aller plus loin, ajoutez (dans un dossier de la source « csv ») :")
        for need in starter.missing:
            label, _, how, _ = HINTS[need]
            click.echo(f"  - {label} ({need}) : {how}")
    click.echo(f"Essayez : boardpack build {path}")


def _write(path: Path, content: bytes) -> None:
    """Write the config whole, or say in one sentence why it cannot be written (nothing is left)."""
    from ..render.pdf import write_atomically

    try:
        write_atomically(path, content)
    except OSError as exc:
        raise ConfigError(f"{path} : écriture impossible ({exc.strerror or exc}) ; rien n'a été écrit") from None
