"""Dataset schemas and the validator that turns raw tables into typed, checked frames.

A :class:`DatasetSchema` documents a canonical dataset (columns, types, units, sign
conventions). :meth:`DatasetSchema.coerce` converts a table of raw values (strings as read
from a CSV, or Python values from an API) into a typed :class:`pandas.DataFrame`, and raises
:class:`~boardpack.errors.DataError` naming the file, the line and the column of the first
bad value.

Money is held as **integer cents** (``int64``) from the boundary on, so sums never drift;
it is turned into euros only for display.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .errors import DataError
from .lines import LineNumbers

from .api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["Column", "DatasetSchema", "COLUMN_TYPES", "MAX_CENTS", "line_of", "parse_money", "parse_date"]

#: The largest amount accepted, in cents: 100 000 milliards d'euros. Far above any SME's figure
#: (a FEC's 16-digit amounts stay exact), and low enough that hundreds of them still sum
#: exactly in int64 cents.
MAX_CENTS = 10**16
#: The years a date or a month may fall in (pandas holds dates up to 2262).
FIRST_YEAR, LAST_YEAR = 1900, 2199

#: The column types a schema may use, with what they become once coerced.
COLUMN_TYPES = {
    "str": "text (object dtype); empty cells become ''",
    "date": "calendar date (datetime64[ns]); AAAA-MM-JJ, JJ/MM/AAAA or AAAAMMJJ",
    "month": "month as text AAAA-MM",
    "money": "amount in integer cents (int64); decimal comma or dot, spaces allowed",
    "decimal": "number (float64); decimal comma or dot; for rates, counts, durations",
    "int": "whole number (int64)",
    "bool": "true/false, oui/non, 1/0",
}

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _number_text(raw: str) -> str:
    text = _SPACES.sub("", raw)
    if "," in text:
        if "." in text:  # 1.234,56 (dots as thousands)
            text = text.replace(".", "")
        text = text.replace(",", ".")
    if text.endswith("-"):  # trailing sign, tolerated by the DGFiP checker
        text = "-" + text[:-1]
    return text


def parse_money(value: Any) -> int:
    """Return ``value`` (``"1 234,56"``, ``"1234.56"``, ``12``, ``Decimal``) as integer cents.

    :raises ValueError: when the value is not an amount or has more than two decimals.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if abs(value * 100) > MAX_CENTS:
            raise ValueError(value)
        return value * 100
    if isinstance(value, Decimal):
        amount = value
    else:
        try:
            amount = Decimal(_number_text(_text(value)))
        except InvalidOperation as exc:
            raise ValueError(value) from exc
    if not amount.is_finite():
        raise ValueError(value)
    cents = amount * 100
    if cents != cents.to_integral_value() or abs(cents) > MAX_CENTS:
        raise ValueError(value)
    return int(cents)


def parse_date(value: Any) -> dt.date:
    """Return ``value`` as a date; accepts AAAA-MM-JJ, JJ/MM/AAAA, AAAAMMJJ and date objects.

    :raises ValueError: when the value is not one of those forms.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(value)
        return value
    text = _text(value)
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return parse_date(dt.datetime.strptime(text, form).date())
        except ValueError:
            continue
    raise ValueError(value)


def _parse_decimal(value: Any) -> float:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _number_text(_text(value))
        if not text:
            return float("nan")
        number = float(Decimal(text))
    if not math.isfinite(number):  # NaN, inf, or beyond a float: not a figure the KPIs can use
        raise ValueError(value)
    return number


def _parse_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = Decimal(_number_text(_text(value)))
    if not number.is_finite() or number != number.to_integral_value() or abs(number) >= 2**53:
        raise ValueError(value)
    return int(number)


_TRUE = {"true", "vrai", "oui", "yes", "1", "o", "y"}
_FALSE = {"false", "faux", "non", "no", "0", "n"}


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def _parse_month(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = _text(value)
    match = re.match(r"^(0[1-9]|1[0-2])/(\d{4})$", text)  # MM/AAAA
    if match:
        text = f"{match.group(2)}-{match.group(1)}"
    if _MONTH.match(text) and FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        return text
    raise ValueError(value)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "date": parse_date,
    "money": parse_money,
    "decimal": _parse_decimal,
    "int": _parse_int,
    "bool": _parse_bool,
    "month": _parse_month,
}

_EXPECTED = {
    "date": f"une date (AAAA-MM-JJ ou JJ/MM/AAAA, de {FIRST_YEAR} à {LAST_YEAR})",
    "money": "un montant (ex. 1234,56 ; au plus 100 000 milliards en valeur absolue)",
    "decimal": "un nombre fini",
    "int": "un nombre entier",
    "bool": "oui/non",
    "month": f"un mois AAAA-MM (de {FIRST_YEAR} à {LAST_YEAR})",
}


def line_of(frame: pd.DataFrame, position: int) -> int:
    """The source line of row ``position`` of a coerced frame (header = line 1)."""
    lines = frame.attrs.get("line_numbers")
    return int(lines[position]) if lines else position + 2


@dataclass(frozen=True)
class Column:
    """One column of a dataset: its name, type (see :data:`COLUMN_TYPES`), unit and meaning.

    ``choices`` restricts a ``str`` column to a set of values; a column that is not
    ``required`` may be absent from the input or empty in a row; a required column must
    be present and filled, unless ``allow_empty``.
    """

    name: str
    type: str
    description: str
    required: bool = True
    unit: str = ""
    choices: tuple[str, ...] = ()
    #: a required text column may still hold empty cells (checked by data-quality gates)
    allow_empty: bool = False

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name!r}: unknown type {self.type!r}")


@dataclass(frozen=True)
class DatasetSchema:
    """A canonical dataset: its name, what a row is, its columns and its sign conventions."""

    name: str
    description: str
    columns: tuple[Column, ...]
    conventions: str = ""
    checks: tuple[Callable[[pd.DataFrame, str], None], ...] = field(default=(), compare=False)

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def coerce(self, raw: pd.DataFrame, origin: str, first_line: int = 2) -> pd.DataFrame:
        """Check ``raw`` against the schema and return it typed, columns in schema order.

        :param raw: the rows as read (strings or Python values); extra columns are kept
            after the schema's columns.
        :param origin: where the rows come from, quoted in errors (a file path, an API).
        :param first_line: the line number of the first row in ``origin`` (2 for a CSV
            with a header line), so errors point at the real line; a reader that skipped
            lines puts the line of each row in ``raw.attrs["line_numbers"]`` instead.
        :raises DataError: on a missing required column or the first value that is not of
            its column's type, naming ``origin``, the line and the column.
        """
        missing = [c.name for c in self.columns if c.required and c.name not in raw.columns]
        if missing:
            raise DataError(
                f"{origin} : colonne(s) obligatoire(s) absente(s) pour le jeu « {self.name} » : "
                + ", ".join(missing)
            )
        given = raw.attrs.get("line_numbers")
        lines = given if isinstance(given, LineNumbers) else (
            LineNumbers(given) if given else LineNumbers.consecutive(first_line, len(raw)))
        out: dict[str, Any] = {}
        for column in self.columns:
            if column.name not in raw.columns:
                out[column.name] = _empty(column, len(raw))
                continue
            out[column.name] = self._coerce_column(column, raw[column.name], origin, lines)
        frame = pd.DataFrame(out, index=range(len(raw)))
        for extra in raw.columns:
            if extra not in out:
                frame[extra] = raw[extra].to_numpy()
        frame.attrs["line_numbers"] = lines
        for check in self.checks:
            check(frame, origin)
        return frame

    def _coerce_column(self, column: Column, values: pd.Series, origin: str, lines: LineNumbers) -> Any:
        all_text = pd.api.types.infer_dtype(values, skipna=False) == "string"
        if all_text and column.type == "str":
            text = values.str.strip().reset_index(drop=True)
            filled = text != ""
            missing = column.required and not column.allow_empty and not filled.all()
            if not missing and not (column.choices and not text[filled].isin(column.choices).all()):
                return text.astype(object)
        fast = _FAST.get(column.type)
        if fast is not None and all_text:
            result = fast(values)
            if result is not None and not (column.required and result.isna().any()):
                return result
        parse = _PARSERS.get(column.type)
        result: list[Any] = []
        for position, value in enumerate(values.tolist()):
            missing = isinstance(value, float) and value != value  # NaN from an API or pandas: empty
            text = _text(value) if missing or not isinstance(value, (dt.date, Decimal, int, float)) else value
            empty = isinstance(text, str) and text == ""
            if empty:
                if column.required and not column.allow_empty:
                    raise DataError(
                        f"{origin}, ligne {lines[position]}, colonne « {column.name} » : "
                        f"valeur manquante (attendu : {_EXPECTED.get(column.type, 'une valeur')})"
                    )
                result.append(None)
                continue
            if parse is None:
                if column.choices and text not in column.choices:
                    raise DataError(
                        f"{origin}, ligne {lines[position]}, colonne « {column.name} » : "
                        f"« {text} » n'est pas une valeur admise ({', '.join(column.choices)})"
                    )
                result.append(text)
                continue
            try:
                result.append(parse(value))
            except (ValueError, InvalidOperation, ArithmeticError):
                raise DataError(
                    f"{origin}, ligne {lines[position]}, colonne « {column.name} » : "
                    f"« {_text(value)} » n'est pas {_EXPECTED[column.type]}"
                ) from None
        return _typed(column, result)


_PLAIN_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
_EXACT_LIMIT = 2.0**53 / 100


def _fast_money(values: pd.Series) -> pd.Series | None:
    """Vectorised cents for plain amounts (``-1234,5``, ``1 234.56``); ``None`` to fall back."""
    text = values.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
    empty = text == ""
    if not text[~empty].str.match(_PLAIN_AMOUNT).all():
        return None
    # Every value has at most two decimals (checked above), so the double nearest to it,
    # times 100, is within far less than half a cent of the exact cents: rounding gives
    # them exactly, as long as amounts stay below 2**53 / 100 (90 000 G€; else fall back).
    numbers = pd.to_numeric(text.where(~empty, "0"), errors="coerce").to_numpy(dtype="float64")
    if np.isnan(numbers).any() or (np.abs(numbers) >= min(_EXACT_LIMIT, MAX_CENTS / 100)).any():
        return None
    amounts = pd.Series(np.rint(numbers * 100).astype("int64"))
    if empty.any():
        return amounts.astype("Int64").mask(empty.reset_index(drop=True))
    return amounts


def _fast_date(values: pd.Series) -> pd.Series | None:
    """Vectorised dates when every value has one of the accepted forms; ``None`` to fall back."""
    text = values.str.strip()
    empty = text == ""
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for form in ("%d/%m/%Y", "%Y-%m-%d", "%Y%m%d"):
        missing = result.isna() & ~empty
        if not missing.any():
            break
        try:
            result[missing] = pd.to_datetime(text[missing], format=form, errors="coerce")
        except (pd.errors.OutOfBoundsDatetime, OverflowError):  # a year pandas cannot hold: say which one
            return None
    if (result.isna() & ~empty).any():
        return None
    years = result.dt.year
    if ((years < FIRST_YEAR) | (years > LAST_YEAR)).any():
        return None
    return result.reset_index(drop=True)


_FAST = {"money": _fast_money, "date": _fast_date}


def _empty(column: Column, length: int) -> Any:
    return _typed(column, [None] * length)


def _typed(column: Column, values: list[Any]) -> Any:
    if column.type == "str":
        return pd.Series(["" if v is None else v for v in values], dtype=object)
    if column.type == "date":
        return pd.to_datetime(pd.Series(values, dtype=object))
    if column.type == "money" or column.type == "int":
        if any(v is None for v in values):
            return pd.array(values, dtype="Int64")
        return pd.Series(values, dtype="int64")
    if column.type == "decimal":
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    if column.type == "bool":
        return pd.array(values, dtype="boolean")
    return pd.Series(["" if v is None else v for v in values], dtype=object)
