"""Checking one TOML table at a time, every error naming the file and the key path.

A misspelled key is refused with the closest accepted one; a value of the wrong kind names
its path (``audiences.banquier.sections[2]``).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..errors import ConfigError

__all__ = ["SLUG", "Checker"]

#: What an id that becomes a file or folder name may be (an audience, a channel, a schedule…):
#: ASCII letters, digits, « - » and « _ », starting with a letter or a digit, 64 at most.
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class Checker:
    """The checks of one config file: ``origin`` is the file name shown in messages."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, message: str) -> ConfigError:
        """A :class:`ConfigError` « <file>, clé « <key> » : <message> »."""
        where = f"{self.origin}, clé « {key} »" if key else self.origin
        return ConfigError(f"{where} : {message}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        """``value`` if it is a table."""
        if not isinstance(value, dict):
            raise self.fail(key, "une table est attendue")
        return value

    def keys(self, table: Mapping[str, Any], allowed: set[str], key: str) -> None:
        """Refuse a key of ``table`` not in ``allowed``, with the closest accepted one."""
        for name in table:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                raise self.fail(full, f"clé inconnue (admises : {', '.join(sorted(allowed))}){hint}")

    def string(self, table: Mapping[str, Any], name: str, key: str, default: str | None = None) -> str:
        """A non-empty text (``default`` when absent; mandatory when ``default`` is ``None``)."""
        if name not in table:
            if default is None:
                raise self.fail(f"{key}.{name}", "clé obligatoire absente")
            return default
        value = table[name]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.{name}", "un texte non vide est attendu")
        return value

    def strings(self, table: Mapping[str, Any], name: str, key: str) -> tuple[str, ...]:
        """A list of texts (empty when absent)."""
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key}.{name}", "une liste de textes est attendue")
        return tuple(value)

    def slug(self, ident: str, key: str, table: bool = False) -> str:
        """``ident`` if it is a :data:`SLUG`: it will name files (``<audience>_<période>.pdf``…).

        :param key: the key path of the value; with ``table``, of the table ``ident`` is the id of
            (``audiences``: the message names ``audiences."../x"``).
        """
        if not SLUG.fullmatch(ident):
            # a newline or a control character is shown escaped: the message stays one line
            shown = "".join(c.encode("unicode_escape").decode("ascii") if ord(c) < 32 or ord(c) == 127 else c
                            for c in ident)
            raise self.fail(f'{key}."{shown}"' if table else key,
                            f"identifiant « {shown} » refusé : il sert de nom de fichier ; lettres sans accent, "
                            "chiffres, « - » et « _ » seulement (64 au plus), par exemple « dirigeant »")
        return ident

    def number(self, value: Any, key: str) -> Decimal:
        """A finite TOML number (integer or float) as an exact :class:`Decimal`."""
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self.fail(key, "un nombre est attendu")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, f"un nombre fini est attendu, pas « {value} »")
        return Decimal(str(value))
