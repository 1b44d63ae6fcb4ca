"""Config tables a plugin owns: the keys it reads, their kind and default.

A plugin that reads part of the configuration declares it on its class (``settings``), and the
host checks the config against every declaration before anything is built: a misspelled key
is refused with the closest declared one, a wrong kind names the key path, a missing required
key too. The config reader knows no plugin: it only merges what the registered plugins
declare. Two plugins may declare the same key of the same table only alike (same kind and
default); otherwise the registry refuses them, naming both.

Two shapes of table::

    [alerts]                      # SettingsTable("alerts", (Setting("late_payment_days", ...),))
    late_payment_days = 60

    [investments.presse]          # SettingsTable("investments", (...), entries=True)
    rate = 0.08

A plugin receives the table checked and completed with the defaults: a quality check and an
alert rule as their ``settings`` argument; a KPI or a section through ``ctx.settings(name)``
(``pack.settings(name)``). Numbers arrive as :class:`~decimal.Decimal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

__all__ = ["REQUIRED", "Configurable", "Setting", "SettingKind", "SettingsTable"]

SettingKind = Literal["number", "integer", "text", "texts", "numbers", "boolean"]


class _Required:
    """The default of a key the user must give."""

    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of a setting without a default: the key is mandatory.
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Setting:
    """One key of a plugin-owned config table.

    :param kind: ``number`` (integer or decimal, given as a TOML number), ``integer``, ``text``,
        ``texts`` (a list of texts), ``numbers`` (a non-empty list of numbers) or ``boolean``.
    :param default: the value when the key is absent (:data:`REQUIRED`: the key is mandatory).
    :param minimum: for numbers, the smallest accepted value (inclusive) ...
    :param above: ... or the bound the value must be strictly above (``-1`` for a rate).
    """

    name: str
    kind: SettingKind
    default: Any = REQUIRED
    description: str = ""
    minimum: float | None = None
    above: float | None = None

    @property
    def required(self) -> bool:
        """Whether the key must be given."""
        return self.default is REQUIRED


@dataclass(frozen=True)
class SettingsTable:
    """A top-level table of the config that plugins read (``[quality]``, ``[investments.<id>]``).

    :param entries: ``False`` for a single table (``[alerts]``); ``True`` for a table of named
        entries, each checked against ``settings`` (``[investments.<id>]``).
    """

    name: str
    settings: tuple[Setting, ...]
    entries: bool = False
    description: str = ""

    def setting(self, name: str) -> Setting | None:
        """The declared key ``name``, or ``None``."""
        return next((s for s in self.settings if s.name == name), None)

    def defaults(self) -> dict[str, Any]:
        """The declared keys with their defaults (required ones left out)."""
        return {s.name: s.default for s in self.settings if not s.required}

    def describe(self) -> Mapping[str, str]:
        """Key → description, for docs and ``boardpack plugins``."""
        return {s.name: s.description for s in self.settings}


class Configurable:
    """A plugin type the config instantiates from a table: a source or a channel.

    ``options`` lists the keys it accepts with their meaning; the host refuses any other
    key, naming its path in the config, and checks ``required_options`` are present. Secrets
    (``{ env = "VAR" }`` / ``{ file = "path" }``) are resolved by the host before the
    constructor is called; a plugin never logs or shows them.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    options: ClassVar[Mapping[str, str]] = {}
    required_options: ClassVar[tuple[str, ...]] = ()
    #: options that must be written ``{ env = "VAR" }`` or ``{ file = "path" }`` in the config:
    #: the host refuses the value itself (a password left in a file anyone may read)
    secret_options: ClassVar[tuple[str, ...]] = ()

    def __init__(self, key: str, options: Mapping[str, Any], base_dir: Path) -> None:
        """``key`` is the table's id (``[sources.<key>]``), ``options`` its keys but ``type``,
        ``base_dir`` the config's folder (relative paths start there)."""
        self.key = key
        self.settings = dict(options)
        self.base_dir = base_dir
