"""Months, fiscal years and the windows KPIs are computed over.

A :class:`Month` is the unit of every series. A :class:`Window` is a run of whole months
ending at the reporting month: the month itself, the fiscal year to date (YTD), the last
twelve months (LTM) or the whole fiscal year. Comparisons shift a window back: to the
previous period of the same kind, or to the same period a year earlier (N-1).

A :class:`FiscalCalendar` says where fiscal years start and end: the spans the data defines
(a FEC's 13-month first year, a short first year), twelve-month years around them, and
``fiscal_year_start`` when the data says nothing. The windows it makes carry it, so that
their N-1 and previous windows follow the same fiscal years.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["FiscalCalendar", "Month", "Window", "WindowKind", "WINDOW_KINDS", "fiscal_year_start"]

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
    """Whole months from ``start`` to ``end`` inclusive, of a given ``kind``.

    A window made by a :class:`FiscalCalendar` carries it (``calendar``, not part of the
    window's identity): its :meth:`previous` and :meth:`shift_years` then follow the
    calendar's fiscal years (a 13-month year, a short first year) instead of plain months.
    """

    kind: WindowKind
    start: Month
    end: Month
    calendar: FiscalCalendar | None = field(default=None, compare=False, repr=False)

    @classmethod
    def ending(cls, kind: WindowKind, end: Month, fy_start_month: int) -> Window:
        """The window of ``kind`` that ends with (or, for ``fy``, contains) ``end``, in twelve-month
        fiscal years opening in ``fy_start_month``."""
        return FiscalCalendar(fy_start_month).window(kind, end)

    @property
    def months(self) -> list[Month]:
        """The months of the window, oldest first."""
        return [self.start.shift(i) for i in range(self.end - self.start + 1)]

    @property
    def days(self) -> int:
        """Number of calendar days covered."""
        return (self.end.last_day - self.start.first_day).days + 1

    @property
    def length(self) -> int:
        """Number of months covered."""
        return self.end - self.start + 1

    @property
    def short(self) -> bool:
        """Whether a twelve-month window (LTM, fiscal year) covers fewer or more months: the
        company's first months, a short or long fiscal year."""
        return self.kind in ("ltm", "fy") and self.length != 12

    def previous(self) -> Window:
        """The window just before: previous month, previous YTD month, LTM a month earlier, FY-1."""
        if self.calendar is not None:
            return self.calendar.previous(self)
        if self.kind in ("month", "ltm"):
            return Window(self.kind, self.start.shift(-1), self.end.shift(-1))
        if self.kind == "ytd":
            if self.start == self.end:  # first month of the year: previous YTD is the last FY
                return Window("ytd", self.start.shift(-12), self.end.shift(-1))
            return Window(self.kind, self.start, self.end.shift(-1))
        return self.shift_years(1)

    def shift_years(self, years: int) -> Window:
        """The same window ``years`` years earlier (N-1 when ``years`` is 1): with a calendar,
        the same months of the fiscal year ``years`` years before."""
        if self.calendar is not None:
            return self.calendar.year_before(self, years)
        return Window(self.kind, self.start.shift(-12 * years), self.end.shift(-12 * years))

    def __str__(self) -> str:
        if self.start == self.end:
            return str(self.start)
        return f"{self.start}..{self.end}"


@dataclass(frozen=True)
class FiscalCalendar:
    """The company's fiscal years, resolved once per build and handed to whatever makes a window.

    ``years`` are the spans the data defines (first and last month, oldest first, not
    overlapping): a FEC's year, a 13-month or short first year. Around them, fiscal years are
    twelve months (back from the first span, on from the last one); with no span at all they
    open in ``start_month``. ``opened`` is the company's first month when the data shows it
    (a ledger whose first year has no à-nouveaux): a twelve-month window reaching before it is
    cut to it (a young company's « depuis l'ouverture »).
    """

    start_month: int = 1
    years: tuple[tuple[Month, Month], ...] = ()
    opened: Month | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"start_month {self.start_month}")
        spans = tuple(sorted(self.years))
        for (start, end), (following, _) in zip(spans, spans[1:]):
            if following <= end:
                raise ValueError(f"fiscal years {start}..{end} and {following}.. overlap")
        for start, end in spans:
            if end < start:
                raise ValueError(f"fiscal year {start}..{end}")
        object.__setattr__(self, "years", spans)

    def year_of(self, month: Month) -> tuple[Month, Month]:
        """The fiscal year (first and last month) containing ``month``."""
        if not self.years:
            start = fiscal_year_start(month, self.start_month)
            return start, start.shift(11)
        for start, end in self.years:
            if start <= month <= end:
                return start, end
        first = self.years[0][0]
        if month < first:  # twelve-month years back from the first known one
            start = first.shift(-12 * ((first - month + 11) // 12))
            return start, start.shift(11)
        before = max(end for _, end in self.years if end < month)
        start = before.shift(1 + 12 * ((month - before - 1) // 12))
        end = start.shift(11)
        following = [s for s, _ in self.years if s > month]
        if following and end >= following[0]:
            end = following[0].shift(-1)
        return start, end

    def spans(self, first: Month, last: Month) -> list[tuple[Month, Month]]:
        """The fiscal years touching ``first``..``last``, oldest first."""
        spans: list[tuple[Month, Month]] = []
        month = first
        while month <= last:
            span = self.year_of(month)
            spans.append(span)
            month = span[1].shift(1)
        return spans

    def window(self, kind: WindowKind, end: Month) -> Window:
        """The window of ``kind`` that ends with (or, for ``fy``, contains) ``end``."""
        if kind == "month":
            return Window(kind, end, end, self)
        if kind == "ltm":
            start = end.shift(-11)
            if self.opened is not None and start < self.opened <= end:
                start = self.opened
            return Window(kind, start, end, self)
        start, year_end = self.year_of(end)
        if kind == "ytd":
            return Window(kind, start, end, self)
        if kind == "fy":
            return Window(kind, start, year_end, self)
        raise ValueError(kind)

    def previous(self, window: Window) -> Window:
        """The window just before ``window``: the month before, the LTM a month earlier, the YTD
        a month shorter (the whole previous fiscal year before the first month), FY-1."""
        if window.kind == "month":
            return self.window("month", window.end.shift(-1))
        if window.kind == "ltm":
            return self.window("ltm", window.end.shift(-1))
        if window.kind == "ytd":
            if window.start == window.end:
                start, end = self.year_of(window.start.shift(-1))
                return Window("ytd", start, end, self)
            return Window("ytd", window.start, window.end.shift(-1), self)
        return self.year_before(window, 1)

    def year_before(self, window: Window, years: int = 1) -> Window:
        """The same period ``years`` fiscal years earlier (later when ``years`` is negative): the
        same months for a month or an LTM, the same number of months from the opening for a YTD,
        the fiscal year for a FY."""
        if window.kind in ("month", "ltm"):
            end = window.end.shift(-12 * years)
            if window.kind == "month":
                return Window("month", end, end, self)
            start = end.shift(-11)
            if self.opened is not None and start < self.opened <= end:
                start = self.opened
            return Window("ltm", start, end, self)
        start, end = self.year_of(window.start)
        for _ in range(abs(years)):  # negative ``years``: fiscal years later
            start, end = self.year_of(start.shift(-1) if years > 0 else end.shift(1))
        if window.kind == "ytd":
            return Window("ytd", start, min(start.shift(window.end - window.start), end), self)
        return Window(window.kind, start, end, self)
