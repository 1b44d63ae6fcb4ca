"""Validate: every name the config refers to (KPIs, sections, themes, channels, checks) exists."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import ConfigError
from ..theme import Theme, resolve_chain
from .configured import check_table

if TYPE_CHECKING:
    from ..plugins import Registry

__all__ = ["check_ignored", "themes_of", "validate"]


def themes_of(config: Config, registry: Registry) -> dict[str, Theme]:
    """Registered themes plus the config's theme folders (a folder's theme wins)."""
    return registry.with_theme_dirs(config.theme_dirs)


def validate(config: Config, registry: Registry) -> None:
    """Check every name the config refers to against the registry.

    :raises ConfigError: naming the key path, the known names and any broken plugin that may
        have provided the unknown one.
    """
    name = config.path.name
    hint = registry.broken_hint()  # an unknown name may be one a broken plugin provides
    for index, kpi_id in enumerate(config.kpi_select):
        if kpi_id not in registry.kpis:
            raise ConfigError(f"{name}, clé « kpis.select[{index}] » : indicateur inconnu « {kpi_id} »{hint}")
    for kpi_id in config.thresholds:
        if kpi_id not in registry.kpis:
            raise ConfigError(f"{name}, clé « kpis.thresholds.{kpi_id} » : indicateur inconnu{hint}")
    themes = themes_of(config, registry)
    selected = set(config.kpi_select or registry.kpis)
    for audience in config.audiences:
        for index, section in enumerate(audience.sections):
            if section not in registry.sections:
                raise ConfigError(
                    f"{name}, clé « audiences.{audience.key}.sections[{index}] » : section inconnue "
                    f"« {section} » (sections : {', '.join(sorted(registry.sections))}){hint}"
                )
        try:
            resolve_chain(audience.theme, themes, f"{name}, clé « audiences.{audience.key}.theme »")
        except ConfigError as exc:
            raise ConfigError(f"{exc}{hint}") from None
        for index, kpi_id in enumerate(audience.kpis):
            if kpi_id not in selected:
                raise ConfigError(
                    f"{name}, clé « audiences.{audience.key}.kpis[{index}] » : indicateur inconnu ou "
                    f"non sélectionné « {kpi_id} »{hint}"
                )
    for table in config.channels:
        if table.type not in registry.channels:
            raise ConfigError(f"{name}, clé « {table.path}.type » : canal inconnu « {table.type} »{hint}")
        channel = check_table(config, registry, table, "canal")  # options checked before any build, secrets unread
        if channel is not None:
            channel.check_audiences([a.key for a in config.audiences])
    check_ignored(config, registry)
    from ..forecast.settings import check_tables as check_forecast_tables

    check_forecast_tables(config.tables, name)


def check_ignored(config: Config, registry: Registry) -> None:
    """Refuse a name in ``[quality] ignore`` or ``[alerts] ignore`` that no plugin registers.

    :raises ConfigError: naming the key (``quality.ignore[1]``) and the closest known name.
    """
    for table, known in (("quality", registry.quality_checks), ("alerts", registry.alert_rules)):
        for index, name in enumerate(config.tables.get(table, {}).get("ignore", ())):
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                raise ConfigError(
                    f"{config.path.name}, clé « {table}.ignore[{index}] » : « {name} » n'est pas "
                    f"connu (noms : {', '.join(sorted(known))}){hint}"
                )
