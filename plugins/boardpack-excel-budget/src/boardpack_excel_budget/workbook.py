"""Reading one budget sheet: lines in rows, months in columns, amounts in the cells.

The header row is the first row (among the first :data:`HEADER_SEARCH_ROWS`) holding at
least one month header; columns whose header is not a month (« Total », « Commentaire »)
are ignored. Labels are read in the first column of the sheet's used range. Below the
header, each row is a budget line: blank rows and rows labelled « Total… » or
« Sous-total… » are skipped, an empty amount cell means "not budgeted" (no row), a
formula without a cached result is refused (the file was never recalculated).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from boardpack.api.errors import ConfigError, DataError, SourceError
from boardpack.api.periods import Month
from boardpack.api.datasets import parse_money

from .lines import label_key, line_table, suggest
from .months import looks_like_month, parse_month_header

__all__ = ["HEADER_SEARCH_ROWS", "BudgetCell", "BudgetSheet", "read_budget_sheet"]

#: How many rows from the top are searched for the month header row.
HEADER_SEARCH_ROWS = 20
_SKIPPED = re.compile(r"^(sous-?\s?)?total\b", re.IGNORECASE)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class BudgetCell:
    """One budgeted amount: its month, line id, amount in euros and the cell it came from."""

    period: Month
    line: str
    amount: Decimal
    row: int
    coordinate: str


@dataclass(frozen=True)
class BudgetSheet:
    """What was read from the sheet."""

    sheet: str
    cells: tuple[BudgetCell, ...]
    months: tuple[Month, ...]
    lines: tuple[str, ...]


def _load(path: Path, data_only: bool) -> Any:
    """The workbook (cached values when ``data_only``); openpyxl's notes on unsupported
    features (data validation, conditional formats…) are not the user's problem here."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path} : classeur introuvable ; vérifiez l'option « path » de la source") from None
    except OSError as exc:
        raise SourceError(f"{path} : classeur illisible ({exc.strerror})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return load_workbook(io.BytesIO(content), data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(
            f"{path} : ce n'est pas un classeur Excel .xlsx lisible ({exc.__class__.__name__}) ; "
            "enregistrez-le au format « Classeur Excel (.xlsx) »"
        ) from None


def _amount(value: Any) -> Decimal:
    """A cell's amount in euros, to the cent; numbers typed in Excel are rounded half up."""
    if isinstance(value, bool) or isinstance(value, dt.date | dt.datetime | dt.time):
        raise ValueError(value)
    if isinstance(value, int | float):
        return Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    text = str(value).replace("€", "").replace("EUR", "").strip()
    return Decimal(parse_money(text)).scaleb(-2)


def read_budget_sheet(
    path: Path, display: str, sheet: str | None, labels: Mapping[str, str], where: str
) -> BudgetSheet:
    """Read the budget sheet of the workbook at ``path``.

    :param display: how the file is named in messages (the path as written in the config).
    :param sheet: the sheet to read; ``None`` for the sheet named « Budget », else the first.
    :param labels: the source's extra label → line id table.
    :param where: the config key of the source (``sources.budget``), for option errors.
    :raises SourceError: when the file is missing or not an .xlsx workbook.
    :raises ConfigError: when the ``sheet`` option names no sheet of the workbook.
    :raises DataError: naming the sheet and cell of the first unreadable header, label or amount.
    """
    workbook = _load(path, data_only=True)
    names = list(workbook.sheetnames)
    if sheet is None:
        sheet = next((n for n in names if label_key(n) == "budget"), names[0])
    elif sheet not in names:
        raise ConfigError(
            f"clé « {where}.sheet » : pas de feuille « {sheet} » dans {display} "
            f"(feuilles : {', '.join(names)})"
        )
    origin = f"{display}, feuille {sheet}"
    ws = workbook[sheet]
    rows = list(ws.iter_rows())
    header_index, columns = _header(rows, origin)
    table = line_table(labels)
    formulas: Any = None
    cells: list[BudgetCell] = []
    seen: dict[str, str] = {}
    for row in rows[header_index + 1:]:
        label_cell = row[0]
        values = {column: row[column].value if column < len(row) else None for column in columns}
        label = label_cell.value
        if label is None or (isinstance(label, str) and not label.strip()):
            filled = [row[c] for c, v in values.items() if v is not None]
            if filled:
                raise DataError(
                    f"{origin}, cellule {filled[0].coordinate} : montant sans libellé de ligne "
                    f"en {label_cell.coordinate} ; indiquez la ligne budgétaire ou videz la ligne"
                )
            continue
        text = str(label).strip()
        if _SKIPPED.match(text):
            continue
        line = table.get(label_key(text))
        if line is None:
            close = suggest(text, table)
            hint = f" ; vouliez-vous dire « {close} » ?" if close else (
                f" ; indiquez un identifiant de ligne (chiffre_affaires, salaires…) ou ajoutez ce "
                f"libellé à l'option « {where}.labels »"
            )
            raise DataError(f"{origin}, cellule {label_cell.coordinate} : ligne budgétaire inconnue « {text} »{hint}")
        if line in seen:
            raise DataError(
                f"{origin}, cellule {label_cell.coordinate} : la ligne « {line} » figure déjà en "
                f"{seen[line]} ; regroupez les montants sur une seule ligne"
            )
        seen[line] = label_cell.coordinate
        for column, month in columns.items():
            cell = row[column] if column < len(row) else None
            if cell is None:
                continue
            value = cell.value
            if value is None or (isinstance(value, str) and not value.strip()):
                if formulas is None:
                    formulas = _load(path, data_only=False)[sheet]
                if isinstance(formulas[cell.coordinate].value, str) and formulas[cell.coordinate].value.startswith("="):
                    raise DataError(
                        f"{origin}, cellule {cell.coordinate} : formule sans valeur calculée ; "
                        "ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le pour que les "
                        "résultats y soient écrits"
                    )
                continue
            try:
                amount = _amount(value)
            except (ValueError, ArithmeticError):
                raise DataError(
                    f"{origin}, cellule {cell.coordinate} : montant illisible « {value} » "
                    "(attendu : un nombre, ex. 12 500 ou 12 500,50)"
                ) from None
            cells.append(BudgetCell(month, line, amount, cell.row, cell.coordinate))
    if not cells:
        raise DataError(
            f"{origin} : aucun montant budgété sous la ligne d'en-tête {rows[header_index][0].row} ; "
            "une ligne par poste, un montant par mois"
        )
    return BudgetSheet(
        sheet=sheet,
        cells=tuple(cells),
        months=tuple(sorted(set(columns.values()))),
        lines=tuple(seen),
    )


def _header(rows: list[Any], origin: str) -> tuple[int, dict[int, Month]]:
    """The header row's index and its month columns (column index → month)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[int, Month] = {}
        where: dict[Month, str] = {}
        for position, cell in enumerate(row[1:], start=1):
            month = parse_month_header(cell.value)
            if month is None:
                continue
            if month in where:
                raise DataError(
                    f"{origin}, cellule {cell.coordinate} : le mois {month} figure déjà en colonne "
                    f"{where[month]} ; une seule colonne par mois"
                )
            columns[position] = month
            where[month] = cell.coordinate
        if not columns:
            continue
        for cell in row[1:]:
            if parse_month_header(cell.value) is None and looks_like_month(cell.value):
                raise DataError(
                    f"{origin}, cellule {cell.coordinate} : en-tête de mois illisible « {cell.value} » "
                    "(attendu : une date, « janv. 2026 » ou « 2026-01 »)"
                )
        return index, columns
    raise DataError(
        f"{origin} : aucune ligne d'en-tête de mois dans les {HEADER_SEARCH_ROWS} premières lignes "
        "(attendu : des dates ou « janv. 2026 », « févr. 2026 »… en tête des colonnes)"
    )
