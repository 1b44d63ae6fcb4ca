"""QuickBooks reports (``Header``/``Columns``/``Rows``) read into rows of amounts by month.

Sections nested at any depth, string amounts, empty cells, ``NoReportData``, one column per
month (``summarize_column_by=Month``), found by its ``StartDate`` metadata, else by its title
in English or French (« Jan 2026 », « janv. 2026 »); parts of a long span stitched into one
report (:meth:`Report.stitch`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from boardpack.api.errors import DataError
from boardpack.api.periods import Month

__all__ = ["Report", "ReportRow", "month_of_title"]



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

    @classmethod
    def stitch(cls, parts: Sequence[Report]) -> Report:
        """One report from parts over consecutive months (a long span asked in pieces).

        The month columns are put side by side (the parts' total columns are left out, a
        total over the parts meaning different things in a P&L and a balance sheet); rows are
        matched by their sections, label, account, group and rank, a row missing from a part
        (no amount in those months) having empty cells there.

        :raises DataError: when two parts hold the same month.
        """
        first = parts[0]
        months: list[Month] = []
        for part in parts:
            months += [m for m in part.months if m is not None]
        if len(set(months)) != len(months):
            raise DataError(f"QuickBooks, rapport {first.name} : des parties demandées se recouvrent")
        values: dict[tuple[Any, ...], list[Decimal | None]] = {}
        models: dict[tuple[Any, ...], ReportRow] = {}
        offset = 0
        for part in parts:
            columns = [i for i, month in enumerate(part.months) if month is not None]
            ranks: Counter[tuple[Any, ...]] = Counter()
            for row in part.rows:
                base = (row.groups, row.label, row.account_id, row.group, row.summary)
                key = (base, ranks[base])
                ranks[base] += 1
                if key not in values:
                    values[key], models[key] = [None] * len(months), row
                for n, column in enumerate(columns):
                    values[key][offset + n] = row.values[column]
            offset += len(columns)
        rows = tuple(replace(models[key], values=tuple(cells)) for key, cells in values.items())
        return cls(first.name, tuple(months), rows, all(part.no_data for part in parts),
                   next((part.currency for part in parts if part.currency), ""))

    def find(self, group: str) -> ReportRow | None:
        """The first row (data or section summary) of ``group``."""
        return next((row for row in self.rows if row.group == group), None)

    def value(self, row: ReportRow | None, month: Month) -> Decimal:
        """``row``'s amount in the column of ``month`` (0 when empty or absent)."""
        if row is None or month not in self.months:
            return Decimal(0)
        return row.values[self.months.index(month)] or Decimal(0)


#: Month names a column title may carry, English and French (QuickBooks France: « janv. 2026 »).
_MONTH_NAMES = (
    ("january", "janvier"), ("february", "fevrier"), ("march", "mars"), ("april", "avril"), ("may", "mai"),
    ("june", "juin"), ("july", "juillet"), ("august", "aout"), ("september", "septembre"),
    ("october", "octobre"), ("november", "novembre"), ("december", "decembre"),
)


def month_of_title(title: str) -> Month | None:
    """The month a column title names — « Jan 2026 », « January 2026 », « janv. 2026 »,
    « févr. 2026 », « déc. 2025 », « Sept 2026 » — or ``None``.

    The word must be at least three letters and begin exactly one month's English or French
    name (accents and case ignored): « jui » (juin or juillet) names none.
    """
    found = re.fullmatch(r"([^\W\d_]+)\.?\s+(\d{4})", title.strip())
    if not found:
        return None
    word = _plain(found.group(1))
    if len(word) < 3:
        return None
    matches = {n for n, names in enumerate(_MONTH_NAMES, start=1) if any(name.startswith(word) for name in names)}
    return Month(int(found.group(2)), matches.pop()) if len(matches) == 1 else None


def _plain(text: str) -> str:
    """Lower case without accents: « Févr » → « fevr »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _column_month(report: str, column: Mapping[str, Any]) -> Month | None:
    meta = {m.get("Name"): m.get("Value") for m in column.get("MetaData") or [] if isinstance(m, dict)}
    title = str(column.get("ColTitle") or "").strip()
    if str(meta.get("ColKey", "")).lower() == "total" or title.lower() == "total":
        return None
    if meta.get("StartDate"):
        return Month.of(dt.date.fromisoformat(str(meta["StartDate"])))
    month = month_of_title(title)
    if month is not None:
        return month
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


