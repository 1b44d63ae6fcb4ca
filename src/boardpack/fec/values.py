"""Vectorised parsing of FEC amounts, dates and directions, with a per-cell fallback.

Every function takes a column of strings as read (an object array, no NaN) and returns
NumPy arrays. The happy path is a handful of pandas/NumPy operations over the whole
column; only values the fast path cannot vouch for (thousands separators, more than two
decimals, odd characters, huge amounts) are parsed one by one, exactly, with
:class:`~decimal.Decimal`. A value that is not valid raises :class:`BadValue` with its
row position; the reader turns it into a message naming file, line and column.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

__all__ = ["BadValue", "parse_amounts", "parse_dates", "parse_directions", "strip"]

#: A character a plain amount may not hold, or a third decimal: cells to parse one by one.
_SUSPICIOUS_CELL = r"[^0-9.,+\- ]|[.,]\d{3}"
_PLAIN_BYTES = np.zeros(256, dtype=bool)
_PLAIN_BYTES[np.frombuffer(b"0123456789.,+- \n", dtype=np.uint8)] = True
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_AMOUNT = re.compile(r"^([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+|\d{1,3}(?:\.\d{3})+(?:,\d*)?)(-?)$")
#: Beyond this many euros a float64 is not trusted to hold the cents exactly.
_FLOAT_SAFE = 1e12
_DATE_FORMS = ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y")
_DIRECTIONS = {"D": 1, "C": -1, "+1": 1, "-1": -1, "1": 1, "+": 1, "-": -1, "DEBIT": 1, "CREDIT": -1}


class BadValue(ValueError):
    """A cell that is not of its column's type: ``position`` is its row, ``value`` its text."""

    def __init__(self, position: int, value: str) -> None:
        super().__init__(position, value)
        self.position = position
        self.value = value


def strip(values: np.ndarray) -> np.ndarray:
    """``values`` with surrounding spaces removed, stripping each distinct value once."""
    codes, uniques = pd.factorize(values)
    stripped = pd.Series(uniques, dtype=object).str.strip().to_numpy(dtype=object)
    return stripped.take(codes)


def amount_cents(text: str) -> int:
    """One amount as integer cents (``-1 234,56``, ``000012,30``, ``123,45-``, ``1.234,56``).

    :raises ValueError: when ``text`` is not an amount or has a fraction of a cent.
    """
    match = _AMOUNT.match(_SPACES.sub("", text))
    if match is None or (match.group(1) and match.group(3)):
        raise ValueError(text)
    body = match.group(2)
    if "," in body:
        body = body.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(body) * 100
    except InvalidOperation:
        raise ValueError(text) from None
    if amount != amount.to_integral_value():
        raise ValueError(text)
    cents = int(amount)
    return -cents if "-" in (match.group(1) + match.group(3)) else cents


def _suspicious(data: bytes, count: int) -> np.ndarray:
    """Rows of ``data`` (cells joined by ``\\n``) holding an odd byte or more than two decimals.

    pandas would read ``1e5`` or ``inf`` as numbers and round ``1,005``: those cells must go
    through :func:`amount_cents` instead, which refuses them.
    """
    flagged = np.zeros(count, dtype=bool)
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.append(np.flatnonzero(arr == 10), len(arr))
    odd = np.flatnonzero(~_PLAIN_BYTES[arr])
    if len(odd):
        flagged[np.searchsorted(ends, odd)] = True
    separators = np.flatnonzero((arr == 44) | (arr == 46))
    if len(separators):
        rows = np.searchsorted(ends, separators)
        flagged[rows[ends[rows] - separators - 1 > 2]] = True
    return flagged


def parse_amounts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer cents (int64) of every amount and the mask of empty cells (counted as 0).

    The whole column is joined into one string, checked byte-wise by :func:`_suspicious`,
    given dots for commas and split back, so pandas converts it in one call; the cells
    pandas cannot convert or that :func:`_suspicious` flags are parsed one by one, exactly.

    :raises BadValue: at the first value that is not an amount.
    """
    empty = values == ""
    joined = "\n".join(values.tolist())
    try:
        slow = _suspicious(joined.encode("ascii"), len(values))
    except UnicodeEncodeError:  # no-break spaces as thousands separators, or worse
        column = pd.Series(values, dtype=object, copy=False)
        slow = column.str.contains(_SUSPICIOUS_CELL, regex=True).to_numpy(dtype=bool)
    if "," in joined:
        joined = joined.replace(",", ".")
    parts = np.array(joined.split("\n"), dtype=object)
    del joined
    numbers = np.asarray(pd.to_numeric(parts, errors="coerce"), dtype=np.float64)
    del parts
    slow |= ~empty & ~np.isfinite(numbers)
    slow |= np.abs(np.nan_to_num(numbers, posinf=0.0, neginf=0.0)) >= _FLOAT_SAFE
    numbers[slow | empty] = 0.0
    cents = np.rint(numbers * 100).astype(np.int64)
    cents[empty] = 0
    for position in np.flatnonzero(slow & ~empty).tolist():
        try:
            cents[position] = amount_cents(values[position])
        except ValueError:
            raise BadValue(position, values[position]) from None
    return cents, empty


def _parse_unique_dates(uniques: pd.Series) -> pd.Series:
    text = uniques.str.strip()
    eight = text.str.fullmatch(r"\d{8}")
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if eight.any():
        result[eight] = pd.to_datetime(text[eight], format="%Y%m%d", errors="coerce")
    rest = ~eight & (text != "")
    if rest.any():
        day = text[rest].str.replace(r"[T ]\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?$", "", regex=True)
        day = day.str.strip()
        for form in _DATE_FORMS:
            missing = result.isna() & rest
            if not missing.any():
                break
            width = 8 if form == "%Y%m%d" else 10
            candidates = day[missing[rest]]
            candidates = candidates[candidates.str.len() == width]
            if len(candidates):
                result[candidates.index] = pd.to_datetime(candidates, format=form, errors="coerce")
    return result


def parse_dates(values: np.ndarray) -> np.ndarray:
    """Dates (datetime64[ns], NaT where empty) from AAAAMMJJ, AAAA-MM-JJ or JJ/MM/AAAA.

    A time part (``20230131 00:00:00``, ``2023-01-31T10:00``) is tolerated and dropped.
    Each distinct text is parsed once, so a million lines with 365 dates cost 365 parses.

    :raises BadValue: at the first value that is not a date.
    """
    codes, uniques = pd.factorize(values)
    unique_text = pd.Series(uniques, dtype=object)
    parsed = _parse_unique_dates(unique_text)
    bad = parsed.isna().to_numpy() & (unique_text.str.strip() != "").to_numpy()
    if bad.any():
        position = int(np.flatnonzero(np.isin(codes, np.flatnonzero(bad)))[0])
        raise BadValue(position, values[position])
    return parsed.to_numpy(dtype="datetime64[ns]").take(codes)


def parse_directions(values: np.ndarray) -> np.ndarray:
    """The sign (+1 debit, −1 credit, 0 when empty) of each ``Sens``: D/C, +1/−1, Débit/Crédit.

    :raises BadValue: at the first value that is not a direction.
    """
    codes, uniques = pd.factorize(values)
    signs = np.zeros(len(uniques), dtype=np.int64)
    for index, text in enumerate(uniques.tolist()):
        key = text.strip().upper().replace("É", "E")
        if key == "":
            continue
        if key not in _DIRECTIONS:
            position = int(np.flatnonzero(codes == index)[0])
            raise BadValue(position, values[position])
        signs[index] = _DIRECTIONS[key]
    return signs.take(codes)
