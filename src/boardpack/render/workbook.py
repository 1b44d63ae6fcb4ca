"""The companion workbook of a pack (``build --xlsx``): every table of the pack as numbers.

One sheet per :class:`~boardpack.api.tables.Table` the sections described, in the pack's
order: the table's title, its section, then the header row and the rows, numbers as numbers
in their unit's format, dates as dates. Number formats are written in the file's
locale-neutral syntax and shown in the reader's: ``#,##0 "€";-#,##0 "€"`` is « 1 234 567 € » in a
French spreadsheet (``# ##0 €``), ``0.0 %`` is « 12,5 % ». Sheet names are the tables'
titles, without the characters a sheet name may not hold, at most 31 characters, unique.
Written with openpyxl, in memory: the host writes the bytes with the PDFs, all or none.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..api.tables import Table
from ..periods import Month

__all__ = ["SHEET_NAME_LENGTH", "number_format", "sheet_names", "workbook_bytes"]

#: Excel's limit on a sheet name.
SHEET_NAME_LENGTH = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def number_format(unit: str, language: str, currency: str = "EUR") -> str:
    """The number format of a column of ``unit`` (locale-neutral syntax; the reader shows it in its own)."""
    symbol = _SYMBOLS.get(currency, currency)
    formats = {
        # as the portfolio overview (boardpack.batch.overview) writes amounts
        "money": f'#,##0 "{symbol}";-#,##0 "{symbol}"' if language == "fr" else f'"{symbol}"#,##0;-"{symbol}"#,##0',
        "percent": "0.0\\ %" if language == "fr" else "0.0%",
        "points": '0.0\\ "pts"',
        "days": '#,##0\\ "j"' if language == "fr" else '#,##0\\ "d"',
        "years": '0.0\\ "ans"' if language == "fr" else '0.0\\ "years"',
        "ratio": "0.00",
        "count": "#,##0",
        "date": "dd/mm/yyyy",
        "month": "mmmm yyyy",
    }
    return formats.get(unit, "General")


def sheet_names(titles: Sequence[str]) -> list[str]:
    """A valid, unique sheet name for each title: forbidden characters dropped, ≤ 31 characters,
    a repeated name numbered « (2) », « (3) »… (case-insensitively, as Excel compares them)."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = " ".join(_FORBIDDEN.sub(" ", title).split()).strip("'") or "Tableau"
        name = _cut(base, SHEET_NAME_LENGTH)
        number = 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = _cut(base, SHEET_NAME_LENGTH - len(suffix)) + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _cut(text: str, length: int) -> str:
    """``text`` in at most ``length`` characters, cut after a whole word when one ends past half."""
    if len(text) <= length:
        return text
    cut = text[:length + 1].rsplit(" ", 1)[0] if " " in text[length // 2:length + 1] else text[:length]
    return cut.rstrip(" -–—,;.")


def _cell_value(value: Any, unit: str) -> Any:
    if value is None:
        return None
    if unit == "percent" and isinstance(value, (int, float, Decimal)):
        return (value if isinstance(value, Decimal) else Decimal(str(value))) / 100
    if unit == "month" and isinstance(value, Month):
        return value.first_day
    return value  # a Decimal is written exactly


def workbook_bytes(tables: Sequence[tuple[str, Table]], title: str, language: str = "fr", currency: str = "EUR",
                   created: dt.date | None = None) -> bytes:
    """The .xlsx bytes of ``tables`` (each with its section's title), one sheet per table.

    :param title: the workbook's title (document properties), the pack's.
    :param created: the date stamped in the document properties (the period's last day).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    when = dt.datetime.combine(created or dt.date(2000, 1, 1), dt.time())
    book.properties.title = title
    book.properties.creator = "boardpack"
    book.properties.created = book.properties.modified = when
    bold = Font(bold=True)
    for name, (section, table) in zip(sheet_names([t.title for _, t in tables]), tables):
        sheet = book.create_sheet(name)
        sheet["A1"] = table.title
        sheet["A1"].font = Font(bold=True, size=12)
        if section != table.title:  # the section's title, unless it is the table's own
            sheet["A2"] = section
        header = 4
        widths = [len(column.label) for column in table.columns]
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(header, index, column.label)
            cell.font = bold
            if column.unit != "text":
                cell.alignment = Alignment(horizontal="right")
        for offset, row in enumerate(table.rows, start=1):
            for index, (column, value) in enumerate(zip(table.columns, row), start=1):
                unit = table.unit(offset - 1, column)
                cell = sheet.cell(header + offset, index, _cell_value(value, unit))
                if value is not None and unit != "text":
                    cell.number_format = number_format(unit, language, currency)
                widths[index - 1] = max(widths[index - 1], len(str(value)) if column.unit == "text" else 14)
        if table.note:
            sheet.cell(header + len(table.rows) + 2, 1, table.note)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))
        sheet.freeze_panes = sheet.cell(header + 1, 2)
    if not book.sheetnames:
        sheet = book.create_sheet("Dossier" if language == "fr" else "Pack")
        sheet["A1"] = ("Ce dossier ne contient aucun tableau." if language == "fr"
                       else "This pack has no table.")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
