"""Tables a section describes for the companion workbook (``build --xlsx``).

A section renders its tables as HTML for the PDF; to put them in the pack's workbook as
numbers, it also describes each one to the host with ``pack.table(Table(...))``, from the
values it computed (never from the formatted text). The host writes one sheet per table,
each column in its unit's number format (``# ##0 €``, ``0,0 %``, dates as dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..periods import Month

__all__ = ["TABLE_UNITS", "Table", "TableColumn"]

#: The units of a table column: ``text``; ``money`` (in the company's currency);
#: ``percent`` (12.5 means 12,5 %); ``points`` (a difference of percentages, 2.1 = 2,1 pts);
#: ``days``; ``years``; ``ratio``; ``count``; ``date`` (a ``datetime.date``); ``month`` (a
#: :class:`~boardpack.api.Month`); ``row``: each row's own unit (:attr:`Table.row_units`), for
#: a table of KPIs of different units (a row of unit ``text`` holds text, as a key-value table's).
TABLE_UNITS = ("text", "money", "percent", "points", "days", "years", "ratio", "count", "date", "month", "row")

_NUMBERS = (int, float, Decimal)


@dataclass(frozen=True)
class TableColumn:
    """One column of a :class:`Table`: its header and the unit of its values."""

    label: str
    unit: str = "text"

    def __post_init__(self) -> None:
        if self.unit not in TABLE_UNITS:
            raise ValueError(f"colonne « {self.label} » : unité inconnue « {self.unit} » "
                             f"(unités : {', '.join(TABLE_UNITS)})")


@dataclass(frozen=True)
class Table:
    """A table of a section, as values: ``rows`` hold one value per column (``None``: no value).

    Values are what the section computed: numbers (``Decimal``, ``int``, ``float``) in the
    column's unit, ``datetime.date`` for ``date``, :class:`~boardpack.api.Month` for ``month``,
    text for ``text`` (a number in a text column is kept as a number). ``title`` names the
    sheet (shortened to 31 characters, made unique); ``note`` is written under the table.

    :raises ValueError: a row whose length is not the number of columns, or a value of the
        wrong kind for its column's unit.
    """

    title: str
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    #: for the columns of unit ``row``: the unit of each row (a KPI's ``unit``), one per row
    row_units: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(tuple(row) for row in self.rows))
        object.__setattr__(self, "row_units", tuple(self.row_units))
        if any(c.unit == "row" for c in self.columns) and len(self.row_units) != len(self.rows):
            raise ValueError(f"tableau « {self.title} » : {len(self.row_units)} unités de ligne pour "
                             f"{len(self.rows)} lignes")
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"tableau « {self.title} », ligne {number} : {len(row)} valeurs pour "
                                 f"{len(self.columns)} colonnes")
            for column, value in zip(self.columns, row):
                unit = self.unit(number - 1, column)
                if value is None or unit == "text":
                    continue
                expected = {"date": dt.date, "month": Month}.get(unit, _NUMBERS)
                if not isinstance(value, expected) or isinstance(value, bool):
                    raise ValueError(f"tableau « {self.title} », ligne {number}, colonne « {column.label} » : "
                                     f"{value!r} n'est pas une valeur de l'unité « {unit} »")

    def unit(self, row: int, column: TableColumn) -> str:
        """The unit of the values of ``column`` in row ``row`` (0-based)."""
        return self.row_units[row] if column.unit == "row" else column.unit
