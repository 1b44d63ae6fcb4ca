"""Months and windows: shifting, fiscal years starting in April, previous/N-1 windows, days."""

from __future__ import annotations

import datetime as dt

import pytest

from boardpack.periods import Month, Window, fiscal_year_start


def test_month_shift_across_years() -> None:
    """Shifting crosses year boundaries both ways."""
    assert Month(2026, 1).shift(-1) == Month(2025, 12)
    assert Month(2025, 12).shift(1) == Month(2026, 1)
    assert Month(2026, 10).shift(-22) == Month(2024, 12)
    assert Month(2026, 10).shift(15) == Month(2028, 1)
    assert Month(2026, 10).shift(0) == Month(2026, 10)
    assert Month(2026, 3).shift(-12) == Month(2025, 3)


def test_month_difference_and_order() -> None:
    """Subtracting months counts months; months sort chronologically."""
    assert Month(2026, 2) - Month(2025, 3) == 11
    assert Month(2025, 1) - Month(2026, 1) == -12
    assert sorted([Month(2026, 1), Month(2025, 12), Month(2025, 2)]) == [
        Month(2025, 2), Month(2025, 12), Month(2026, 1)]


def test_month_parse_and_str() -> None:
    """AAAA-MM parses and prints back zero-padded."""
    assert Month.parse("2026-10") == Month(2026, 10)
    assert str(Month(2026, 3)) == "2026-03"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-10", "2026/10", "octobre", "2026-10-01", ""])
def test_month_parse_refuses(text: str) -> None:
    """Impossible months and other layouts raise ValueError mentioning AAAA-MM."""
    with pytest.raises(ValueError, match="AAAA-MM"):
        Month.parse(text)


def test_month_days_and_bounds() -> None:
    """Days in month handle leap years; first and last days are right."""
    assert Month(2024, 2).days == 29
    assert Month(2025, 2).days == 28
    assert Month(2026, 10).days == 31
    assert Month(2026, 4).last_day == dt.date(2026, 4, 30)
    assert Month(2026, 4).first_day == dt.date(2026, 4, 1)
    assert Month.of(dt.date(2026, 10, 17)) == Month(2026, 10)


def test_fiscal_year_start_april() -> None:
    """With an April start, February 2026 belongs to the year opened in April 2025."""
    assert fiscal_year_start(Month(2026, 2), 4) == Month(2025, 4)
    assert fiscal_year_start(Month(2026, 4), 4) == Month(2026, 4)
    assert fiscal_year_start(Month(2026, 3), 4) == Month(2025, 4)
    assert fiscal_year_start(Month(2026, 3), 1) == Month(2026, 1)


def test_window_month() -> None:
    """A month window is just that month."""
    assert Window.ending("month", Month(2026, 2), 4) == Window("month", Month(2026, 2), Month(2026, 2))


def test_window_ytd_april_start() -> None:
    """YTD at February 2026 with an April fiscal year runs April 2025 – February 2026 (11 months)."""
    window = Window.ending("ytd", Month(2026, 2), 4)
    assert (window.start, window.end) == (Month(2025, 4), Month(2026, 2))
    assert len(window.months) == 11
    assert window.months[0] == Month(2025, 4) and window.months[-1] == Month(2026, 2)


def test_window_ltm() -> None:
    """LTM at February 2026 runs March 2025 – February 2026, whatever the fiscal year."""
    window = Window.ending("ltm", Month(2026, 2), 4)
    assert (window.start, window.end) == (Month(2025, 3), Month(2026, 2))
    assert len(window.months) == 12


def test_window_fy_april_start() -> None:
    """The fiscal year containing February 2026 with an April start is April 2025 – March 2026."""
    window = Window.ending("fy", Month(2026, 2), 4)
    assert (window.start, window.end) == (Month(2025, 4), Month(2026, 3))


def test_window_fy_first_month() -> None:
    """In April 2026 (first month), the fiscal year is April 2026 – March 2027."""
    window = Window.ending("fy", Month(2026, 4), 4)
    assert (window.start, window.end) == (Month(2026, 4), Month(2027, 3))


def test_window_unknown_kind() -> None:
    """An unknown window kind raises ValueError."""
    with pytest.raises(ValueError):
        Window.ending("week", Month(2026, 2), 1)  # type: ignore[arg-type]


def test_previous_month_and_ltm() -> None:
    """Previous of a month or LTM window is the same window one month earlier."""
    month = Window.ending("month", Month(2026, 1), 4)
    assert month.previous() == Window("month", Month(2025, 12), Month(2025, 12))
    ltm = Window.ending("ltm", Month(2026, 2), 4)
    assert ltm.previous() == Window("ltm", Month(2025, 2), Month(2026, 1))


def test_previous_ytd() -> None:
    """Previous YTD keeps the start and ends a month earlier."""
    ytd = Window.ending("ytd", Month(2026, 2), 4)
    assert ytd.previous() == Window("ytd", Month(2025, 4), Month(2026, 1))


def test_previous_ytd_in_first_month_is_last_fiscal_year() -> None:
    """In the first month of the year (April 2026), previous YTD is the whole last fiscal year."""
    ytd = Window.ending("ytd", Month(2026, 4), 4)
    assert ytd.previous() == Window("ytd", Month(2025, 4), Month(2026, 3))


def test_previous_fy_is_fy_minus_one() -> None:
    """Previous of a fiscal year is the year before."""
    fy = Window.ending("fy", Month(2026, 2), 4)
    assert fy.previous() == Window("fy", Month(2024, 4), Month(2025, 3))


def test_shift_years() -> None:
    """shift_years(1) is N-1, shift_years(2) N-2, same kind."""
    ytd = Window.ending("ytd", Month(2026, 2), 4)
    assert ytd.shift_years(1) == Window("ytd", Month(2024, 4), Month(2025, 2))
    assert ytd.shift_years(2) == Window("ytd", Month(2023, 4), Month(2024, 2))


def test_window_days() -> None:
    """Days count calendar days: 28 in Feb 2026, 366 for an LTM with 29 Feb 2024, 365 otherwise."""
    assert Window.ending("month", Month(2026, 2), 1).days == 28
    assert Window.ending("ltm", Month(2024, 2), 1).days == 366  # March 2023 – February 2024
    assert Window.ending("ltm", Month(2026, 2), 1).days == 365
    # April 2025 – February 2026: 30+31+30+31+31+30+31+30+31+31+28
    assert Window.ending("ytd", Month(2026, 2), 4).days == 334


def test_window_str() -> None:
    """A one-month window prints as the month, others as start..end."""
    assert str(Window.ending("month", Month(2026, 2), 1)) == "2026-02"
    assert str(Window.ending("ytd", Month(2026, 2), 4)) == "2025-04..2026-02"
