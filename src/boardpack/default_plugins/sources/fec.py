"""The ``fec`` source: one FEC file, or a folder of FEC files of several fiscal years.

Each file is read by :func:`boardpack.fec.read_fec` and checked by
:func:`boardpack.fec.validate_fec`. An error (an entry that does not balance, an account
that is not a PCG number) stops the load with the first one and the count of the others;
warnings are returned with the data (:attr:`~boardpack.api.sources.Loaded.findings`) for ``boardpack check``, or stop the load
too with ``strict = true``. The files' entries are returned as one ``entries`` dataset in
date order; every row keeps its file (column ``source_file``) and its line in that file
(``attrs["line_numbers"]``). Each fiscal year keeps its own à-nouveaux.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathlib import Path

from boardpack.api.errors import ConfigError, DataError, SourceError
from boardpack.api.fec import (
    FecFile,
    Finding,
    LineNumbers,
    date_openings,
    opening_journals,
    read_fec,
    validate_fec,
)
from boardpack.api import DataSource, Loaded, LoadRequest, hookimpl
from boardpack.api.datasets import DatasetSchema
from boardpack.api.periods import Month

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["FecSource"]

_TRUE = {"true", "oui", "yes", "1"}
_FALSE = {"false", "non", "no", "0", ""}
_FEC_FIELDS = {"date": "EcritureDate", "journal": "JournalCode", "entry_id": "EcritureNum",
               "account": "CompteNum", "debit": "Debit", "credit": "Credit"}


def _is_fec_name(path: Path) -> bool:
    return path.is_file() and "fec" in path.name.lower() and path.suffix.lower() == ".txt"


class FecSource(DataSource):
    """FEC files (``<SIREN>FEC<AAAAMMJJ>.txt``): the ``entries`` dataset, one or several fiscal years."""

    name = "fec"
    description = "Fichier des écritures comptables (FEC), ou dossier de FEC de plusieurs exercices."
    options = {
        "path": "fichier FEC, ou dossier lu pour ses fichiers *FEC*.txt (relatif au fichier de configuration)",
        "strict": "true : les avertissements des contrôles du FEC deviennent des erreurs (défaut : false)",
    }
    required_options = ("path",)

    @property
    def strict(self) -> bool:
        """Whether warnings stop the load."""
        value = self.settings.get("strict", False)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ConfigError(f"source « {self.key} », option « strict » : true ou false attendu, pas « {value} »")

    def paths(self) -> list[Path]:
        """The FEC files to read: the file named by ``path``, or the FEC files of that folder."""
        target = self.base_dir / str(self.settings["path"])
        if target.is_file():
            return [target]
        if not target.is_dir():
            raise SourceError(f"source « {self.key} » : fichier ou dossier introuvable : {target}")
        files = sorted(p for p in target.iterdir() if _is_fec_name(p))
        if not files:
            raise SourceError(f"source « {self.key} » : aucun fichier *FEC*.txt dans {target}")
        return files

    def check(self) -> str:
        """Name the FEC file(s) and count their lines (``boardpack sources check``; nothing is parsed)."""
        paths = self.paths()
        try:
            lines = sum(max(0, path.read_bytes().rstrip(b"\r\n").count(b"\n")) for path in paths)
        except OSError as exc:
            raise SourceError(f"source « {self.key} » : lecture impossible ({exc.__class__.__name__})") from None
        count = f"{lines:,}".replace(",", " ")
        if len(paths) == 1:
            return f"FEC {paths[0].name}, {count} lignes"
        return f"{len(paths)} FEC ({paths[0].name} à {paths[-1].name}), {count} lignes"

    def load(self, request: LoadRequest) -> Loaded:
        """Read, check and concatenate every FEC file: the ``entries`` dataset, the files' warnings
        (errors raise instead), the journals that look like à-nouveaux and each file's fiscal year."""
        strict = self.strict
        found: list[Finding] = []
        journals: dict[str, str] = {}
        fecs = [read_fec(path) for path in self.paths()]
        fecs.sort(key=lambda f: (f.entries["date"].min() if len(f.entries) else pd.Timestamp.max, f.name))
        self._check_set(fecs)
        for fec in fecs:
            findings = validate_fec(fec)
            errors = [f for f in findings if f.severity == "error"]
            warnings = [f for f in findings if f.severity == "warning"]
            _raise_first(errors, "erreur")
            if strict:
                _raise_first(warnings, "avertissement", hint=" (option strict)")
            found.extend(warnings)
            moved, day = date_openings(fec)
            if moved and day is not None:
                found.append(Finding(
                    "warning", "opening_dated", None,
                    f"{moved} ligne(s) d'à-nouveaux datée(s) avant l'ouverture de l'exercice ramenée(s) "
                    f"au {day:%d/%m/%Y} (leur date d'origine reste dans PieceDate)", fec.name))
            journals.update(opening_journals(fec.entries))
            schema = request.schemas.get("entries")
            if schema is not None:
                _check_contract(fec, schema)
        return Loaded({"entries": _concatenate(fecs)}, tuple(found),
                      tuple(file_year(fec) for fec in fecs if len(fec.entries)), journals)

    def _check_set(self, fecs: list[FecFile]) -> None:
        sirens = {f.siren for f in fecs if f.siren}
        if len(sirens) > 1:
            raise SourceError(
                f"source « {self.key} » : les FEC ne sont pas ceux d'une même société "
                f"(SIREN {', '.join(sorted(sirens))})"
            )
        seen: dict[object, str] = {}
        for fec in fecs:
            if fec.closing_date is not None and fec.closing_date in seen:
                raise SourceError(
                    f"source « {self.key} » : {seen[fec.closing_date]} et {fec.name} portent la même "
                    f"date de clôture ({fec.closing_date:%d/%m/%Y}) ; gardez un seul FEC par exercice"
                )
            if fec.closing_date is not None:
                seen[fec.closing_date] = fec.name


def file_year(fec: FecFile) -> tuple[Month, Month]:
    """The fiscal year a FEC covers.

    * the twelve months ending at its file name's closing date, when the content lies within
      them; when the name's year is wrong (content of 2023 in ``…FEC20221231``), the twelve
      months ending on the same closing month of the year the content lies in;
    * a short first year: a file without à-nouveaux whose entries start after that year's
      first month starts with its first entries;
    * else the months its content spans (a first year of 13 months, a closing date the
      content contradicts altogether).
    """
    entries = fec.entries
    dates = entries["date"]
    first, last = Month.of(dates.min().date()), Month.of(dates.max().date())
    if fec.closing_date is not None:
        end = Month.of(fec.closing_date)
        if not (end.shift(-11) <= first and last <= end):
            end = Month(last.year if last.month <= end.month else last.year + 1, end.month)
        if end.shift(-11) <= first and last <= end:
            start = end.shift(-11)
            opening = entries["journal"].isin(list(opening_journals(entries))).any()
            return (start if opening or first == start else first), end
    return first, last


def _raise_first(findings: list[Finding], kind: str, hint: str = "") -> None:
    if not findings:
        return
    others = len(findings) - 1
    more = f" ({others} autre(s) {kind}(s) dans ce fichier)" if others else ""
    raise DataError(f"{findings[0]}{hint}{more}")


def _check_contract(fec: FecFile, schema: DatasetSchema) -> None:
    """What the ``entries`` schema demands beyond the FEC checks: filled required values, its own checks."""
    entries = fec.entries
    for column in schema.columns:
        if not column.required or column.allow_empty or column.name not in entries:
            continue
        values = entries[column.name]
        empty = values.isna() if values.dtype.kind == "M" else values.eq("") if values.dtype == object else None
        if empty is not None and empty.any():
            position = int(np.flatnonzero(empty.to_numpy())[0])
            field = fec.field_names.get(column.name, _FEC_FIELDS.get(column.name, column.name))
            raise DataError(
                f"{fec.name}, ligne {fec.line_numbers[position]}, colonne « {field} » : valeur manquante "
                f"(obligatoire pour le jeu « {schema.name} »)"
            )
    for check in schema.checks:
        check(entries, fec.name)


def _concatenate(fecs: list[FecFile]) -> pd.DataFrame:
    """The files' entries in date order (stable: file, then line order), with ``source_file``."""
    if len(fecs) == 1:
        entries = fecs[0].entries.copy(deep=False)  # copy on write: the file's frame is untouched
    else:
        entries = pd.concat([f.entries for f in fecs], ignore_index=True)
    entries["source_file"] = np.repeat(np.array([f.name for f in fecs], dtype=object),
                                       [len(f.entries) for f in fecs])
    lines = np.concatenate([f.line_numbers.array for f in fecs])
    order = np.argsort(entries["date"].to_numpy(), kind="stable")
    if (np.diff(order) != 1).any():
        entries = entries.take(order).reset_index(drop=True)
        lines = lines[order]
    entries.attrs = {"line_numbers": LineNumbers(lines)}
    return entries


@hookimpl
def register_sources() -> list[type[DataSource]]:
    """Register the FEC source."""
    return [FecSource]
