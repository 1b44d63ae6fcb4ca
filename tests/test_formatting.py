"""French and English display of money, percentages, scaled amounts and months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


from boardpack.formatting import Formatter
from boardpack.periods import Month

NNBSP = "\u202f"  # narrow no-break space: French group separator (CLDR)
NBSP = "\u00a0"  # no-break space: before € and % in French

FR = Formatter("fr")
EN = Formatter("en")


def test_money_french() -> None:
    """1 234 567 € with narrow no-break spaces between groups and a no-break space before €."""
    assert FR.money(Decimal("1234567")) == f"1{NNBSP}234{NNBSP}567{NBSP}€"


def test_money_french_rounds_to_the_euro() -> None:
    """Cents are dropped at display: 1 234,40 € shows as 1 234 €."""
    assert FR.money(Decimal("1234.40")) == f"1{NNBSP}234{NBSP}€"


def test_money_french_negative() -> None:
    """A negative amount keeps its sign in front, as a typographic minus (U+2212)."""
    assert FR.money(Decimal("-35000")) == f"\u221235{NNBSP}000{NBSP}€"


def test_money_french_rounds_half_up() -> None:
    """0,50 € rounds up to the next euro, as on the liasse fiscale."""
    assert FR.money(Decimal("2.50")) == f"3{NBSP}€"
    assert FR.money(Decimal("1234.50")) == f"1{NNBSP}235{NBSP}€"


def test_percent_french() -> None:
    """12,5 % with a decimal comma and a no-break space before %."""
    assert FR.percent(Decimal("12.5")) == f"12,5{NBSP}%"
    assert FR.percent(Decimal("72.7273")) == f"72,7{NBSP}%"


def test_money_short_french() -> None:
    """Scaled amounts: 1,23 M€, 850 k€, 1,5 k€, −35 k€, 12,3 M€ and small amounts in full."""
    assert FR.money_short(Decimal("1234567")) == f"1,23{NBSP}M€"
    assert FR.money_short(Decimal("850000")) == f"850{NBSP}k€"
    assert FR.money_short(Decimal("1500")) == f"1,5{NBSP}k€"
    assert FR.money_short(Decimal("-35000")) == f"\u221235{NBSP}k€"
    assert FR.money_short(Decimal("12345678")) == f"12,3{NBSP}M€"
    assert FR.money_short(Decimal("999")) == f"999{NBSP}€"


def test_money_short_rounding_up_changes_scale() -> None:
    """An amount that rounds to a million is shown in millions."""
    assert FR.money_short(Decimal("999999")) == f"1,00{NBSP}M€"


def test_months_french() -> None:
    """octobre 2026 (lower case), oct. 26 on axes, 31 octobre 2026 as a date."""
    assert FR.month(Month(2026, 10)) == "octobre 2026"
    assert FR.month(dt.date(2026, 2, 1)) == "février 2026"
    assert FR.month_short(Month(2026, 10)) == "oct. 26"
    assert FR.date(dt.date(2026, 10, 31)) == "31 octobre 2026"


def test_values_by_unit_french() -> None:
    """KPI units: days « 28 j », ratio with two decimals, count grouped, n.d. for None, free unit."""
    assert FR.value(Decimal("28"), "days") == f"28{NBSP}j"
    assert FR.value(Decimal("1.6019"), "ratio") == "1,60"
    assert FR.value(Decimal("14441"), "count") == f"14{NNBSP}441"
    assert FR.value(None, "money") == "n.d."
    assert FR.value(Decimal("12.3"), "pièces") == f"12,3{NBSP}pièces"
    assert FR.value(Decimal("850000"), "money", short=True) == f"850{NBSP}k€"


def test_deltas_french() -> None:
    """Deltas are signed: +120 k€, −2,1 pts (true minus sign), +3 j."""
    assert FR.delta(Decimal("120000"), "money") == f"+120{NBSP}k€"
    assert FR.delta(Decimal("-2.1"), "percent") == f"−2,1{NBSP}pts"
    assert FR.delta(Decimal("3"), "days") == f"+3{NBSP}j"


def test_english_equivalents() -> None:
    """English: €1,234,567, 12.5%, €1.23M, €850k, October 2026."""
    assert EN.money(Decimal("1234567")) == "€1,234,567"
    assert EN.percent(Decimal("12.5")) == "12.5%"
    assert EN.money_short(Decimal("1234567")) == "€1.23M"
    assert EN.money_short(Decimal("850000")) == "€850k"
    assert EN.month(Month(2026, 10)) == "October 2026"
    assert EN.date(dt.date(2026, 10, 31)) == "31 October 2026"
    assert EN.value(None, "money") == "n/a"
    assert EN.value(Decimal("28"), "days") == f"28{NBSP}days"


def test_number_digits() -> None:
    """number() groups thousands and keeps the asked decimals."""
    assert FR.number(Decimal("1234.5"), 1) == f"1{NNBSP}234,5"
    assert EN.number(Decimal("1234.5"), 1) == "1,234.5"
