"""QuickBooks reports (``Header``/``Columns``/``Rows``) read into rows of amounts by month.

Sections nested at any depth, string amounts, empty cells, ``NoReportData``, one column per
month (``summarize_column_by=Month``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ...errors import DataError
from ...periods import Month

__all__ = ["Report", "ReportRow"]



@dataclass(frozen=True)
class ReportRow:
    """A row of a report: the enclosing section groups, its label, account id and amounts."""

    groups: tuple[str, ...]
    label: str
    account_id: str | None
    values: tuple[Decimal | None, ...]
    group: str | None = None
    summary: bool = False


@dataclass(frozen=True)
class Report:
    """A parsed report: its money columns' months (``None`` for totals) and its rows."""

    name: str
    months: tuple[Month | None, ...]
    rows: tuple[ReportRow, ...]
    no_data: bool
    currency: str

    @classmethod
    def parse(cls, name: str, body: Mapping[str, Any]) -> Report:
        """Read ``Header``, ``Columns`` and ``Rows`` (sections nested at any depth).

        :raises DataError: on an amount or a column that cannot be read.
        """
        header = body.get("Header") or {}
        options = {o.get("Name"): o.get("Value") for o in header.get("Option") or [] if isinstance(o, dict)}
        columns = (body.get("Columns") or {}).get("Column") or []
        months = tuple(_column_month(name, column) for column in columns[1:])
        rows: list[ReportRow] = []
        _walk(name, (body.get("Rows") or {}).get("Row") or [], (), len(months), rows)
        return cls(name, months, tuple(rows), str(options.get("NoReportData", "false")).lower() == "true",
                   str(header.get("Currency") or ""))

    def find(self, group: str) -> ReportRow | None:
        """The first row (data or section summary) of ``group``."""
        return next((row for row in self.rows if row.group == group), None)

    def value(self, row: ReportRow | None, month: Month) -> Decimal:
        """``row``'s amount in the column of ``month`` (0 when empty or absent)."""
        if row is None or month not in self.months:
            return Decimal(0)
        return row.values[self.months.index(month)] or Decimal(0)


_MONTHS_EN = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                           "nov", "dec"), start=1)}


def _column_month(report: str, column: Mapping[str, Any]) -> Month | None:
    meta = {m.get("Name"): m.get("Value") for m in column.get("MetaData") or [] if isinstance(m, dict)}
    if str(meta.get("ColKey", "")).lower() == "total" or str(column.get("ColTitle", "")).lower() == "total":
        return None
    if meta.get("StartDate"):
        return Month.of(dt.date.fromisoformat(str(meta["StartDate"])))
    found = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.? (\d{4})", str(column.get("ColTitle", "")).strip())
    if found and found.group(1).lower() in _MONTHS_EN:
        return Month(int(found.group(2)), _MONTHS_EN[found.group(1).lower()])
    if column.get("ColType") == "Money":
        return None  # not a month: a total, an aged bucket (« 1 - 30 »)
    raise DataError(f"QuickBooks, rapport {report} : colonne « {column.get('ColTitle')} » illisible")


def _amount(report: str, label: str, value: Any) -> Decimal | None:
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DataError(f"QuickBooks, rapport {report}, ligne « {label} » : montant illisible « {value} »") from None
    if not amount.is_finite():
        raise DataError(f"QuickBooks, rapport {report}, ligne « {label} » : montant illisible « {value} »")
    return amount


def _cells(report: str, data: list[Any], width: int, groups: tuple[str, ...], group: str | None,
           summary: bool) -> ReportRow:
    first = data[0] if data and isinstance(data[0], dict) else {}
    label = str(first.get("value") or "")
    values = tuple(_amount(report, label, cell.get("value") if isinstance(cell, dict) else None)
                   for cell in data[1:width + 1])
    values += (None,) * (width - len(values))
    account = first.get("id")
    return ReportRow(groups, label, str(account) if account not in (None, "") else None, values, group, summary)


def _walk(report: str, rows: Iterable[Any], groups: tuple[str, ...], width: int, out: list[ReportRow]) -> None:
    for row in rows:
        if not isinstance(row, dict):
            continue
        group = row.get("group")
        if "ColData" in row:
            out.append(_cells(report, row["ColData"], width, groups, group, False))
            continue
        header = ((row.get("Header") or {}).get("ColData") or [{}])[0]
        name = group or str(header.get("value") or "") if isinstance(header, dict) else group or ""
        inner = groups + (name,)
        _walk(report, (row.get("Rows") or {}).get("Row") or [], inner, width, out)
        summary = (row.get("Summary") or {}).get("ColData")
        if summary:
            out.append(_cells(report, summary, width, inner, group, True))


