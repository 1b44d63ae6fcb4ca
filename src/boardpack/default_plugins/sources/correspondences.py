"""A user's own names mapped onto boardpack's: the ``mapping`` file of a source.

A small table (CSV or workbook, read like the datasets) with three columns — ``type``
(``compte`` or ``budget``), ``source`` (the user's name) and ``cible`` (boardpack's), English
headers ``kind``, ``from``, ``to`` accepted:

* ``compte;512BNP;512100`` — an account of the user's chart (alphanumeric, or any numbering)
  and the PCG account it stands for; ``compte;BNP*;512100`` maps every account starting with
  ``BNP``. Mapped accounts keep their own number in ``source_account``.
* ``budget;Ventes France;chiffre_affaires`` — a budget line name and the statement line it is.

An account that is still not a PCG number after mapping, or a budget line that names no
statement line, stops the load with the closest names the file knows (never dropped).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from boardpack.api.datasets import line_of
from boardpack.api.errors import DataError, SourceError

from .tables import TEXT_SUFFIXES, WORKBOOK_SUFFIXES, decode, read_workbook

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Correspondences", "read_correspondences"]

_HEADERS = {"type": "type", "kind": "type", "source": "source", "from": "source", "de": "source",
            "cible": "cible", "to": "cible", "vers": "cible"}
_KINDS = {"compte": "compte", "account": "compte", "budget": "budget"}


@dataclass(frozen=True)
class Correspondences:
    """The user's accounts and budget lines, each with what it stands for."""

    origin: str
    accounts: Mapping[str, str] = field(default_factory=dict)
    #: prefixes (``BNP*``) → PCG account, longest first
    prefixes: tuple[tuple[str, str], ...] = ()
    budget: Mapping[str, str] = field(default_factory=dict)

    def map_accounts(self, raw: pd.DataFrame, origin: str) -> pd.DataFrame:
        """``raw``'s ``account`` column in PCG numbers (the user's kept in ``source_account``).

        :raises DataError: on the first account neither PCG nor mapped, with the closest mapped names.
        """
        if "account" not in raw.columns:
            return raw
        accounts = raw["account"].astype(str).str.strip()
        mapped = accounts.map(self._account)
        out = raw.copy()
        out.attrs = dict(raw.attrs)
        out["source_account"] = accounts.to_numpy()
        out["account"] = mapped.where(mapped.notna(), accounts).to_numpy()
        bad = ~out["account"].astype(str).str.match(r"^[1-8]\d")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            name = str(accounts.iloc[row])
            raise DataError(
                f"{origin}, ligne {line_of(raw, row)}, colonne « account » : compte « {name} » absent du "
                f"fichier de correspondances {self.origin}{_closest(name, list(self.accounts))} ; ajoutez "
                f"la ligne « compte;{name};<compte du PCG> »"
            )
        return out

    def _account(self, account: str) -> str | None:
        if account in self.accounts:
            return self.accounts[account]
        for prefix, target in self.prefixes:
            if account.startswith(prefix):
                return target
        return None

    def map_budget(self, raw: pd.DataFrame) -> pd.DataFrame:
        """``raw``'s ``line`` column with the user's names replaced by statement-line ids."""
        if "line" not in raw.columns or not self.budget:
            return raw
        out = raw.copy()
        out.attrs = dict(raw.attrs)
        lines = raw["line"].astype(str).str.strip()
        out["line"] = lines.map(lambda name: self.budget.get(name, name)).to_numpy()
        return out


def _closest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return " (vouliez-vous dire " + " ou ".join(f"« {c} »" for c in close) + " ?)" if close else ""


def read_correspondences(path: Path, budget_lines: Mapping[str, str]) -> Correspondences:
    """Read and check a mapping file.

    :param budget_lines: the statement-line ids a budget row may name (with their labels).
    :raises SourceError: when the file is missing or not a table of type/source/cible.
    :raises DataError: naming the line of a row with an unknown type or target.
    """
    import pandas as pd

    from .csv import read_table

    name = path.name
    if not path.is_file():
        raise SourceError(f"fichier de correspondances introuvable : {path}")
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        sheets = read_workbook(path)
        if not sheets:
            raise DataError(f"{name} : classeur vide (en-tête type;source;cible attendu)")
        table = next(iter(sheets.values()))
    elif suffix in TEXT_SUFFIXES:
        decode(path)  # the encoding errors of read_table
        table = read_table(path, name)
    else:
        raise SourceError(f"{name} : fichier de correspondances .csv, .xlsx ou .ods attendu")
    renamed = {column: _HEADERS.get(str(column).strip().lower()) for column in table.columns}
    if sorted(v for v in renamed.values() if v) != ["cible", "source", "type"]:
        raise SourceError(f"{name} : colonnes type, source et cible attendues (trouvé : {', '.join(map(str, table.columns))})")
    table = table.rename(columns=renamed)
    lines = table.attrs.get("line_numbers")
    accounts: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    budget: dict[str, str] = {}
    for position, row in enumerate(table.itertuples(index=False)):
        line = lines[position] if lines else position + 2
        kind = _KINDS.get(str(row.type).strip().lower())
        source, target = str(row.source).strip(), str(row.cible).strip()
        if kind is None:
            raise DataError(f"{name}, ligne {line}, colonne « type » : « {row.type} » n'est ni compte ni budget")
        if not source or not target:
            raise DataError(f"{name}, ligne {line} : source et cible sont obligatoires")
        if kind == "compte":
            if not pd.Series([target]).str.match(r"^[1-8]\d").iloc[0]:
                raise DataError(f"{name}, ligne {line}, colonne « cible » : « {target} » n'est pas un compte du PCG")
            if source.endswith("*"):
                prefixes.append((source[:-1], target))
            else:
                accounts[source] = target
        else:
            if target not in budget_lines:
                raise DataError(
                    f"{name}, ligne {line}, colonne « cible » : ligne « {target} » inconnue"
                    f"{_closest(target, list(budget_lines))} (lignes du compte de résultat : chiffre_affaires, "
                    "achats_consommes, salaires…)"
                )
            budget[source] = target
    return Correspondences(name, accounts, tuple(sorted(prefixes, key=lambda p: -len(p[0]))), budget)
