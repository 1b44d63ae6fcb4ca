"""Reading a remote source's options, the same way for every source.

:class:`Options` wraps the resolved options of one ``[sources.<key>]`` table; each reader
checks one option and raises a :class:`~boardpack.errors.ConfigError` naming the key
(« clé « sources.<key>.<option> » : … »). The shared rules:

* an option set to ``""`` counts as absent (its default applies), except for a text that
  may be empty (``empty_ok``);
* ``timeout``: a number of seconds, integer or decimal (``12.5``), above 0 and at most
  :data:`MAX_TIMEOUT`;
* flags: ``true``/``false`` (also ``oui``/``non``, ``yes``/``no``, ``1``/``0`` as text);
* months: ``AAAA-MM``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from ..periods import Month

__all__ = ["MAX_TIMEOUT", "Options"]

#: The longest timeout accepted (seconds).
MAX_TIMEOUT = 600
_TRUE = {"true", "oui", "yes", "1"}
_FALSE = {"false", "non", "no", "0"}


class Options:
    """The options of source ``key`` (secrets already resolved), with checked readers."""

    def __init__(self, key: str, settings: Mapping[str, Any]) -> None:
        self.key = key
        self.settings = settings

    def where(self, option: str) -> str:
        """« clé « sources.<key>.<option> » », the start of every option error."""
        return f"clé « sources.{self.key}.{option} »"

    def get(self, option: str, default: Any = None) -> Any:
        """The raw value, ``default`` when absent or ``""``."""
        value = self.settings.get(option)
        return default if value is None or value == "" else value

    def text(self, option: str, default: str, empty_ok: bool = False) -> str:
        """A text option, stripped; ``empty_ok``: ``""`` is a value, not the default."""
        value = self.settings.get(option, default) if empty_ok else self.get(option, default)
        if not isinstance(value, str) or not (value.strip() or empty_ok):
            raise ConfigError(f"{self.where(option)} : un texte est attendu")
        return value.strip()

    def flag(self, option: str, default: bool) -> bool:
        """A true/false option."""
        value = self.get(option, default)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ConfigError(f"{self.where(option)} : true ou false attendu, pas « {value} »")

    def month(self, option: str) -> Month | None:
        """An ``AAAA-MM`` option, ``None`` when absent."""
        value = self.get(option)
        if value is None:
            return None
        try:
            return Month.parse(str(value))
        except ValueError:
            raise ConfigError(f"{self.where(option)} : un mois AAAA-MM est attendu, pas « {value} »") from None

    def integer(self, option: str, default: int, low: int, high: int) -> int:
        """An integer from ``low`` to ``high`` (digits as text accepted)."""
        value = self.get(option, default)
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() \
                or not low <= int(value) <= high:
            raise ConfigError(f"{self.where(option)} : un entier de {low} à {high} est attendu, pas « {value} »")
        return int(value)

    def timeout(self, default: float = 30.0) -> float:
        """``timeout``: seconds, above 0 and at most :data:`MAX_TIMEOUT` (decimals accepted)."""
        value = self.get("timeout", default)
        number: float | None = None
        if not isinstance(value, bool) and isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip().replace(",", "."))
            except ValueError:
                number = None
        if number is None or not 0 < number <= MAX_TIMEOUT:
            raise ConfigError(f"{self.where('timeout')} : un nombre de secondes positif (au plus {MAX_TIMEOUT}) "
                              f"est attendu, pas « {value} »")
        return number

    def datasets(self, provided: Sequence[str]) -> tuple[str, ...]:
        """``datasets``: a non-empty list among ``provided`` (default: all), in ``provided``'s order."""
        names = self.get("datasets", list(provided))
        if not isinstance(names, list) or not names or any(n not in provided for n in names):
            raise ConfigError(f"{self.where('datasets')} : une liste parmi {', '.join(provided)} est attendue")
        return tuple(n for n in provided if n in names)

    def secret(self, option: str, example: str) -> str:
        """A token-like option, stripped; absent or empty is an error showing ``example``."""
        value = self.settings.get(option)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{self.where(option)} : jeton absent ou vide ; écrivez {option} = {example}")
        return value.strip()
