"""Vectorised parsing of FEC text, amounts, dates and directions, with a per-cell fallback.

Every function takes a column of strings as read, as an Arrow string array (no nulls), and
returns NumPy arrays. Arrow's compute kernels do the per-row work (a regular expression,
a substitution, a cast) in C++; Python only ever sees each *distinct* text once (dates,
directions, the text columns) or the rare cells the fast path cannot vouch for
(thousands separators, more than two decimals, odd characters, huge amounts), which are
parsed one by one, exactly, with :class:`~decimal.Decimal`. A value that is not valid
raises :class:`BadValue` with its row position; the reader turns it into a message naming
file, line and column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from decimal import Decimal, InvalidOperation

from ..schema import MAX_CENTS

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pyarrow")
    pc = lazy_module("pyarrow.compute")

__all__ = ["BadValue", "Distinct", "amount_cents", "distinct", "parse_amounts", "parse_dates",
           "parse_directions"]

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_AMOUNT = re.compile(r"^([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+|\d{1,3}(?:\.\d{3})+(?:,\d*)?)(-?)$")
#: Amounts the fast path converts (commas already turned into dots): a sign, digits and at
#: most two decimals; or digits and decimals followed by a minus sign (``123.45-``).
_PLAIN = r"^[+-]?\d+(?:\.\d{1,2})?$"
_TRAILING_MINUS = r"^\d+(?:\.\d{1,2})?-$"
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


def _single(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one contiguous Arrow array (large strings past 2 GiB of text)."""
    if isinstance(values, pa.ChunkedArray):
        try:
            return values.combine_chunks()
        except pa.ArrowInvalid:  # offsets overflow: more than 2 GiB of text in one column
            return values.cast(pa.large_string()).combine_chunks()
    return values


class Distinct:
    """A column as its distinct texts (Python ``str``, first-seen order) and each row's code."""

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray) -> None:
        #: the index in :attr:`uniques` of each row's text
        self.codes = codes
        #: the distinct texts, an object array
        self.uniques = uniques

    def rows(self) -> np.ndarray:
        """The column as an object array of ``str`` (equal texts share one object)."""
        return self.uniques.take(self.codes)

    def first_row(self, wanted: np.ndarray) -> int:
        """The first row whose text is one of the distinct texts flagged by ``wanted``."""
        return int(np.flatnonzero(wanted[self.codes])[0])

    def stripped(self) -> Distinct:
        """The same column with surrounding whitespace removed (``str.strip``), each text once."""
        uniques = np.array([text.strip() for text in self.uniques.tolist()], dtype=object)
        return Distinct(self.codes, uniques)


def distinct(values: pa.Array | pa.ChunkedArray) -> Distinct:
    """Dictionary-encode a column of strings: each distinct text becomes one Python ``str``."""
    encoded = pc.dictionary_encode(_single(values))
    uniques = encoded.dictionary.to_numpy(zero_copy_only=False)
    if uniques.dtype != object:  # an empty dictionary comes back as float
        uniques = uniques.astype(object)
    return Distinct(encoded.indices.to_numpy(zero_copy_only=False), uniques)


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
    if amount != amount.to_integral_value() or abs(amount) > MAX_CENTS:
        raise ValueError(text)
    cents = int(amount)
    return -cents if "-" in (match.group(1) + match.group(3)) else cents


def parse_amounts(values: pa.Array | pa.ChunkedArray, padded: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer cents (int64) of every amount and the mask of empty cells (counted as 0).

    Cells of the plain form (``-1437,12``, ``000012.30``, ``12,5-``) below 10¹² € are cast
    by Arrow; the others go through :func:`amount_cents`, exactly. ``padded``: a fixed-width
    export, whose cells are stripped of surrounding whitespace first.

    :raises BadValue: at the first value that is not an amount.
    """
    raw = _single(values)
    text = pc.utf8_trim(raw, characters=" ") if padded else raw
    empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
    dotted = pc.replace_substring(text, ",", ".")
    fast = pc.match_substring_regex(dotted, _PLAIN).to_numpy(zero_copy_only=False)
    trailing = np.zeros(len(fast), dtype=bool)
    if pc.any(pc.ends_with(dotted, "-")).as_py():
        trailing = pc.match_substring_regex(dotted, _TRAILING_MINUS).to_numpy(zero_copy_only=False)
        fast = fast | trailing
        dotted = pc.if_else(pa.array(trailing), pc.utf8_slice_codeunits(dotted, 0, -1), dotted)
    numbers = pc.cast(pc.if_else(pa.array(fast), dotted, "0"), pa.float64()).to_numpy(zero_copy_only=False).copy()
    numbers[trailing] = -numbers[trailing]
    slow = ~fast & ~empty
    huge = np.abs(numbers) >= _FLOAT_SAFE
    slow |= huge
    numbers[slow | empty] = 0.0
    cents = np.rint(numbers * 100).astype(np.int64)
    for position in np.flatnonzero(slow).tolist():
        cell = raw[position].as_py()
        cell = cell.strip() if padded else cell
        if cell == "":  # whitespace other than spaces around nothing: empty, as when stripped
            empty[position] = True
            continue
        try:
            cents[position] = amount_cents(cell)
        except ValueError:
            raise BadValue(position, cell) from None
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


def parse_dates(column: Distinct) -> np.ndarray:
    """Dates (datetime64[ns], NaT where empty) from AAAAMMJJ, AAAA-MM-JJ or JJ/MM/AAAA.

    A time part (``20230131 00:00:00``, ``2023-01-31T10:00``) is tolerated and dropped.
    Each distinct text is parsed once, so a million lines with 365 dates cost 365 parses.

    :raises BadValue: at the first value that is not a date.
    """
    unique_text = pd.Series(column.uniques, dtype=object)
    parsed = _parse_unique_dates(unique_text)
    bad = parsed.isna().to_numpy() & (unique_text.str.strip() != "").to_numpy(dtype=bool)
    if bad.any():
        position = column.first_row(bad)
        raise BadValue(position, column.uniques[column.codes[position]])
    return parsed.to_numpy(dtype="datetime64[ns]").take(column.codes)


def parse_directions(column: Distinct) -> np.ndarray:
    """The sign (+1 debit, −1 credit, 0 when empty) of each ``Sens``: D/C, +1/−1, Débit/Crédit.

    :raises BadValue: at the first value that is not a direction.
    """
    signs = np.zeros(len(column.uniques), dtype=np.int64)
    for index, text in enumerate(column.uniques.tolist()):
        key = text.strip().upper().replace("É", "E")
        if key == "":
            continue
        if key not in _DIRECTIONS:
            wanted = np.zeros(len(column.uniques), dtype=bool)
            wanted[index] = True
            position = column.first_row(wanted)
            raise BadValue(position, text)
        signs[index] = _DIRECTIONS[key]
    return signs.take(column.codes)
