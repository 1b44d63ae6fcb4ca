"""Building the sources and channels a config's tables describe, options checked."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from ..config import Config, PluginConfig, is_secret_reference, resolve_secrets
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..plugins import Registry

__all__ = ["check_table", "checked_type", "instantiate"]

_KINDS = {"source": "sources", "canal": "channels"}


def instantiate(config: Config, registry: Registry, table: PluginConfig, kind: str, *,
                resolve: bool = True) -> Any:
    """The plugin a ``[sources.<id>]`` (``kind="source"``) or ``[channels.<id>]`` (``kind="canal"``)
    table describes, built with its options (secrets resolved) and the config's folder.

    :param resolve: ``False`` builds it without its secrets (each ``{ env }`` / ``{ file }``
        option is ``"<secret>"``): to check the table, or to say who a dry run would reach.
    :raises ConfigError: on an unknown type (naming a broken plugin that may provide it), an
        unknown option (with the closest accepted one), a missing required option or a
        secret option written in clear.
    """
    plugin_type = checked_type(config, registry, table, kind)
    if resolve:
        options = resolve_secrets(table.options, table.path)
    else:
        options = {k: "<secret>" if is_secret_reference(v) else v for k, v in table.options.items()}
    return plugin_type(table.key, options, config.base_dir)


def check_table(config: Config, registry: Registry, table: PluginConfig, kind: str) -> Any | None:
    """Check a table without its secrets, as ``boardpack check`` and every build do.

    Its options are checked (:func:`checked_type`); the plugin is built too, running its own
    checks (addresses, ports…), when its only secrets are options it declares secret
    (``secret_options``: a password it never inspects). A plugin with another option given as
    a secret (a webhook's URL) cannot be checked without it: ``None``.
    """
    plugin_type = checked_type(config, registry, table, kind)
    declared = getattr(plugin_type, "secret_options", ())
    if any(is_secret_reference(v) and k not in declared for k, v in table.options.items()):
        return None
    return instantiate(config, registry, table, kind, resolve=False)


def checked_type(config: Config, registry: Registry, table: PluginConfig, kind: str) -> Any:
    """The plugin type of a table, its options checked (unknown, missing, secret in clear).

    :raises ConfigError: as :func:`instantiate`.
    """
    types = getattr(registry, _KINDS[kind])
    where = f"{config.path.name}, clé « {table.path}.type »"
    plugin_type = types.get(table.type)
    if plugin_type is None:
        raise ConfigError(f"{where} : type de {kind} inconnu « {table.type} » (types : {', '.join(sorted(types))})"
                          f"{registry.broken_hint()}")
    for option in table.options:
        if option not in plugin_type.options:
            accepted = ", ".join(sorted(plugin_type.options)) or "aucune"
            close = difflib.get_close_matches(option, sorted(plugin_type.options), n=1)
            hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
            raise ConfigError(
                f"{config.path.name}, clé « {table.path}.{option} » : option inconnue pour "
                f"le type « {table.type} » (options : {accepted}){hint}"
            )
    for option in plugin_type.required_options:
        if option not in table.options:
            raise ConfigError(f"{config.path.name}, clé « {table.path}.{option} » : option obligatoire absente")
    for option in getattr(plugin_type, "secret_options", ()):
        if option in table.options and not is_secret_reference(table.options[option]):
            raise ConfigError(f"{config.path.name}, clé « {table.path}.{option} » : secret écrit en clair, "
                              f"refusé ; écrivez {option} = {{ env = \"VARIABLE\" }} ou {{ file = \"/chemin\" }}")
    return plugin_type
