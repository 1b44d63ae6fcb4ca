"""Month headers as budget workbooks write them: date cells, « janv. 2026 », « 2026-01 »…"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from boardpack.api.periods import Month

__all__ = ["MONTH_NAMES", "looks_like_month", "parse_month_header"]

#: Month names and abbreviations, French and English, without accents or dots.
MONTH_NAMES = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}

_NAMED = re.compile(r"^([a-z]+)\.?[\s\-/]*(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_FRENCH = re.compile(r"^(\d{1,2})[-/.](\d{4})$")


def _plain(text: str) -> str:
    """Lower case, accents dropped, spaces collapsed: « Févr. 2026 » → « fevr. 2026 »."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(ascii_text.lower().replace("\u00a0", " ").replace("\u202f", " ").split())


def parse_month_header(value: Any) -> Month | None:
    """The month a header cell names, or ``None`` if it names none.

    Accepted: a date cell (any day of the month), « janv. 2026 », « janvier 2026 »,
    « Jan 26 », « 2026-01 », « 01/2026 ». A two-digit year is 20xx.
    """
    if isinstance(value, dt.datetime | dt.date):
        return Month(value.year, value.month)
    if not isinstance(value, str):
        return None
    text = _plain(value)
    named = _NAMED.match(text)
    if named and named.group(1) in MONTH_NAMES:
        year = int(named.group(2))
        return Month(year + 2000 if year < 100 else year, MONTH_NAMES[named.group(1)])
    for pattern, year_group, month_group in ((_ISO, 1, 2), (_FRENCH, 2, 1)):
        match = pattern.match(text)
        if match and 1 <= int(match.group(month_group)) <= 12:
            return Month(int(match.group(year_group)), int(match.group(month_group)))
    return None


def looks_like_month(value: Any) -> bool:
    """Whether a text header starts with a month name (so an unreadable one is an error, not a skip)."""
    if not isinstance(value, str):
        return False
    head = re.split(r"[\s.\-/\d]", _plain(value), maxsplit=1)[0]
    return head in MONTH_NAMES
