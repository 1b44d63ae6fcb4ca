"""Months, fiscal years and the windows KPIs are computed over.

A :class:`Month` is the unit of every series. A :class:`Window` is a run of whole months
ending at the reporting month: the month itself, the fiscal year to date (YTD), the last
twelve months (LTM) or the whole fiscal year. Comparisons shift a window back: to the
previous period of the same kind, or by twelve months (N-1).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

__all__ = ["Month", "Window", "WindowKind", "WINDOW_KINDS", "fiscal_year_start"]

WindowKind = Literal["month", "ytd", "ltm", "fy"]
#: The windows every KPI is computed over, in display order.
WINDOW_KINDS: tuple[WindowKind, ...] = ("month", "ytd", "ltm", "fy")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``AAAA-MM``; raise ``ValueError`` otherwise."""
        try:
            year, month = text.split("-")
            value = cls(int(year), int(month))
        except (ValueError, AttributeError):
            raise ValueError(f"« {text} » n'est pas un mois AAAA-MM") from None
        if not 1 <= value.month <= 12 or len(year) != 4:
            raise ValueError(f"« {text} » n'est pas un mois AAAA-MM")
        if not 1900 <= value.year <= 2199:  # what the datasets' dates may hold
            raise ValueError(f"« {text} » : mois hors de la plage admise (1900-01 à 2199-12)")
        return value

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month containing ``day``."""
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, other: Month) -> int:
        return (self.year * 12 + self.month) - (other.year * 12 + other.month)

    @property
    def first_day(self) -> dt.date:
        """The first day of the month."""
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        """The last day of the month."""
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        """Number of days in the month."""
        return calendar.monthrange(self.year, self.month)[1]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def fiscal_year_start(month: Month, start_month: int) -> Month:
    """The first month of the fiscal year containing ``month``."""
    year = month.year if month.month >= start_month else month.year - 1
    return Month(year, start_month)


@dataclass(frozen=True)
class Window:
    """Whole months from ``start`` to ``end`` inclusive, of a given ``kind``."""

    kind: WindowKind
    start: Month
    end: Month

    @classmethod
    def ending(cls, kind: WindowKind, end: Month, fy_start_month: int) -> Window:
        """The window of ``kind`` that ends with (or, for ``fy``, contains) ``end``."""
        if kind == "month":
            return cls(kind, end, end)
        if kind == "ltm":
            return cls(kind, end.shift(-11), end)
        start = fiscal_year_start(end, fy_start_month)
        if kind == "ytd":
            return cls(kind, start, end)
        if kind == "fy":
            return cls(kind, start, start.shift(11))
        raise ValueError(kind)

    @property
    def months(self) -> list[Month]:
        """The months of the window, oldest first."""
        return [self.start.shift(i) for i in range(self.end - self.start + 1)]

    @property
    def days(self) -> int:
        """Number of calendar days covered."""
        return (self.end.last_day - self.start.first_day).days + 1

    def previous(self) -> Window:
        """The window just before: previous month, previous YTD month, LTM a month earlier, FY-1."""
        if self.kind in ("month", "ltm"):
            return Window(self.kind, self.start.shift(-1), self.end.shift(-1))
        if self.kind == "ytd":
            if self.start == self.end:  # first month of the year: previous YTD is the last FY
                return Window("ytd", self.start.shift(-12), self.end.shift(-1))
            return Window(self.kind, self.start, self.end.shift(-1))
        return self.shift_years(1)

    def shift_years(self, years: int) -> Window:
        """The same window ``years`` years earlier (N-1 when ``years`` is 1)."""
        return Window(self.kind, self.start.shift(-12 * years), self.end.shift(-12 * years))

    def __str__(self) -> str:
        if self.start == self.end:
            return str(self.start)
        return f"{self.start}..{self.end}"
