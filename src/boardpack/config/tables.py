"""Plugin-owned tables: ``[quality]``, ``[alerts]``, ``[investments.<id>]``… checked against what
the registered plugins declare (:class:`boardpack.api.settings.SettingsTable`).

The config reader knows none of these tables: it asks the registry which tables exist, which
keys each accepts, their kind and default, and checks the file against that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api.settings import Setting, SettingsTable
from .checker import Checker

__all__ = ["check_tables"]


def check_tables(check: Checker, data: Mapping[str, Any],
                 declared: Mapping[str, SettingsTable]) -> dict[str, dict[str, Any]]:
    """Every declared table, checked and completed with its defaults (an absent table too).

    :returns: ``{table: {key: value}}``, or for a table of entries ``{table: {id: {key: value}}}``;
        numbers as :class:`~decimal.Decimal`, lists as tuples.
    :raises ConfigError: naming the key path of the first wrong value.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, table in declared.items():
        given = check.table(data.get(name, {}), name)
        if table.entries:
            out[name] = {key: _values(check, table, check.table(entry, f"{name}.{key}"), f"{name}.{key}")
                         for key, entry in given.items()}
        else:
            out[name] = _values(check, table, given, name)
    return out


def _values(check: Checker, table: SettingsTable, given: Mapping[str, Any], path: str) -> dict[str, Any]:
    check.keys(given, {s.name for s in table.settings}, path)
    values: dict[str, Any] = {}
    for setting in table.settings:
        key = f"{path}.{setting.name}"
        if setting.name in given:
            values[setting.name] = _value(check, setting, given[setting.name], key)
        elif setting.required:
            raise check.fail(key, "clé obligatoire absente")
        else:
            default = setting.default
            values[setting.name] = tuple(default) if isinstance(default, list) else default
    return values


def _value(check: Checker, setting: Setting, value: Any, key: str) -> Any:
    kind = setting.kind
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise check.fail(key, "un texte non vide est attendu")
        return value
    if kind == "texts":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise check.fail(key, "une liste de textes est attendue")
        return tuple(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise check.fail(key, "true ou false est attendu")
        return value
    if kind == "numbers":
        if not isinstance(value, list) or not value:
            raise check.fail(key, setting.description and f"une liste non vide est attendue ({setting.description})"
                             or "une liste non vide de nombres est attendue")
        return tuple(_number(check, setting, item, f"{key}[{index}]") for index, item in enumerate(value))
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise check.fail(key, "un nombre entier est attendu")
    return _number(check, setting, value, key)


def _number(check: Checker, setting: Setting, value: Any, key: str) -> Any:
    number = check.number(value, key)
    if setting.minimum is not None and number < setting.minimum:
        raise check.fail(key, "un nombre positif est attendu" if setting.minimum == 0
                         else f"un nombre supérieur ou égal à {setting.minimum} est attendu")
    if setting.above is not None and number <= setting.above:
        hint = f" ({setting.description})" if setting.description else ""
        raise check.fail(key, f"un nombre supérieur à {setting.above} est attendu{hint}")
    return int(number) if setting.kind == "integer" else number
