"""Commands for plugins: list what is installed, scaffold a new one."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..scaffold import KINDS, scaffold_plugin
from .app import cli, handle_errors

__all__ = ["new_plugin_command", "plugins_command"]


@cli.command("plugins")
@click.option("--all", "include_defaults", is_flag=True, help="Inclure les plugins intégrés.")
@handle_errors
def plugins_command(include_defaults: bool) -> None:
    """Liste les plugins chargés (nom du point d'entrée, distribution à donner à pip install / uninstall,
    version, hooks, ce qu'ils fournissent) en JSON, et les plugins
    cassés avec la raison (« error »)."""
    from ..plugins import describe_plugins

    click.echo(json.dumps(describe_plugins(include_defaults), ensure_ascii=False, indent=2))


@cli.group("new")
def new_group() -> None:
    """Crée le squelette d'un nouvel élément (plugin)."""


@new_group.command("plugin")
@click.argument("name")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Ce que fournit le plugin.")
@click.option("--dir", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Dossier à créer (défaut : ./boardpack-NAME).")
@handle_errors
def new_plugin_command(name: str, kind: str, target: Path | None) -> None:
    """Écrit un paquet de plugin NAME prêt à installer, avec un test qui passe."""
    folder = scaffold_plugin(name, kind, target)
    click.echo(f"{folder} écrit. Essayez : pip install -e {folder} && pytest {folder / 'tests'}")


