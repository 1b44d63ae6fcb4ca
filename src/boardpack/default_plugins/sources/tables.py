"""Reading one table of a source folder: text encodings, workbooks, and the day/month order.

* :func:`decode` — a CSV's bytes as text: UTF-16 with its BOM (Excel's « texte Unicode »),
  UTF-8 with or without BOM, else Windows-1252 / Latin-1.
* :func:`read_workbook` — the sheets of an ``.xlsx``/``.xlsm``/``.ods`` workbook as tables of
  raw cells, through pandas and python-calamine: the first non-empty row is the header, empty
  rows (Excel's trailing ones) are skipped, each row keeps its sheet row number and each column
  its letter, so an error names the sheet and the cell.
* :func:`settle_day_month` — ``01/02/2026`` is the 1st of February in French and January 2nd
  in American exports: the order is decided per file from all of its dates, and a file that
  cannot tell is refused (unless the source's ``date_order`` option says).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boardpack.api.datasets import LineNumbers
from boardpack.api.errors import DataError, SourceError

if TYPE_CHECKING:
    import pandas as pd

    from boardpack.api.datasets import DatasetSchema

__all__ = ["TEXT_SUFFIXES", "WORKBOOK_SUFFIXES", "cell_of", "decode", "read_workbook", "settle_day_month"]

#: File kinds a source folder may hold.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")

_SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_WHERE = re.compile(r"ligne (\d+), colonne « ([^»]+) »")


def decode(path: Path, encoding: str = "auto", origin: str = "") -> str:
    """The text of a CSV file: ``encoding`` if given, else UTF-16 (BOM), UTF-8, Windows-1252, Latin-1.

    :raises DataError: on a file that is not text (a workbook or an archive renamed .csv).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{origin or path} : lecture impossible ({exc.strerror or type(exc).__name__})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError(f"{origin or path} : fichier UTF-16 illisible (octet {exc.start})") from None
    if _binary(raw):
        raise DataError(f"{origin or path} : ce n'est pas un fichier texte CSV (contenu binaire : un classeur "
                        "Excel ou une archive renommés en .csv ?) ; enregistrez-le en CSV")
    if encoding != "auto":
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"{path} : impossible de lire le fichier en {encoding} ({exc.__class__.__name__})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _binary(raw: bytes) -> bool:
    """Whether ``raw`` is not text: a NUL byte, or in its first 64 KiB more than one control
    character in a hundred (tabs and line ends aside)."""
    if b"\x00" in raw:
        return True
    sample = raw[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    return controls * 100 > len(sample)


_CONTROLS = bytes([*range(1, 9), 11, 12, *range(14, 32), 127])


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(value: Any) -> Any:
    """A workbook cell as the schemas read it: text stays text, a number its shortest exact
    text (15 significant digits: 0,1 + 0,2 gives « 0.3 »), a date a date, empty ''."""
    import pandas as pd

    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, (str, dt.date)) else str(value)


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every non-empty sheet of a workbook, by sheet name: a header row then the rows of raw cells.

    ``frame.attrs`` holds ``line_numbers`` (each row's sheet row), ``letters`` (each column's
    letter) and ``sheet``.

    :raises SourceError: when the file is not a workbook python-calamine can read.
    """
    import pandas as pd

    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine")
    except ImportError:  # pragma: no cover - a dependency of boardpack
        raise SourceError(f"{path.name} : lecture des classeurs impossible (python-calamine absent)") from None
    except Exception as exc:  # calamine raises its own error types for a damaged file
        raise SourceError(f"{path.name} : classeur illisible ({exc.__class__.__name__} : {exc})") from None
    tables = {}
    for name, grid in sheets.items():
        cells = grid.map(_cell) if len(grid) else grid
        filled = [i for i in range(len(cells)) if any(str(v).strip() for v in cells.iloc[i])]
        if not filled:
            continue
        header_row = filled[0]
        header = [str(v).strip() for v in cells.iloc[header_row]]
        keep = [j for j, name_ in enumerate(header) if name_]
        rows = [i for i in filled[1:]]
        frame = pd.DataFrame([[cells.iat[i, j] for j in keep] for i in rows],
                             columns=[header[j] for j in keep], dtype=object)
        frame.attrs["line_numbers"] = LineNumbers([i + 1 for i in rows])
        frame.attrs["letters"] = {header[j]: _column_letter(j) for j in keep}
        frame.attrs["sheet"] = str(name)
        tables[str(name)] = frame
    return tables


def cell_of(exc: DataError, letters: Mapping[str, str]) -> DataError:
    """``exc`` with the cell it names (« ligne 7, colonne « amount » » → « …, cellule C7 »)."""
    text = str(exc)
    found = _WHERE.search(text)
    if not found or found.group(2) not in letters:
        return exc
    cell = f"{letters[found.group(2)]}{found.group(1)}"
    return DataError(text[:found.end()] + f" (cellule {cell})" + text[found.end():])


def _where(origin: str, raw: pd.DataFrame, position: int, column: str) -> str:
    lines = raw.attrs.get("line_numbers")
    line = lines[position] if lines else position + 2
    return f"{origin}, ligne {line}, colonne « {column} »"


class _Slashed:
    """The ``../../....`` parts (day or month, day or month, year) of a column's text, matched once
    per distinct value (a file repeats its dates many times)."""

    def __init__(self, text: pd.Series) -> None:
        import pandas as pd

        self.index = text.index
        self.codes, uniques = pd.factorize(text)
        self.parts = pd.Series(uniques, dtype=text.dtype).str.extract(_SLASHED.pattern)
        self.matched = self.parts[0].notna().to_numpy()[self.codes]
        self.first = self.parts[0].astype(float).to_numpy()[self.codes]
        self.second = self.parts[1].astype(float).to_numpy()[self.codes]

    def found(self) -> pd.DataFrame:
        """The parts of every row (``text.str.extract``), NaN where a value is not slashed."""
        found = self.parts.take(self.codes)
        found.index = self.index
        return found


def settle_day_month(raw: pd.DataFrame, schema: DatasetSchema, origin: str, order: str = "auto") -> pd.DataFrame:
    """Decide whether the file's ``../../....`` dates are day/month or month/day, and write the
    month/day ones as ``AAAA-MM-JJ`` so the schema reads them right.

    :param order: ``auto`` (decided from every date of the file), ``jj/mm`` or ``mm/jj``.
    :raises DataError: when the file mixes both orders, or when every date is ambiguous
        (both parts ≤ 12) and ``order`` is ``auto``.
    """
    import pandas as pd

    columns = [c.name for c in schema.columns if c.type == "date" and c.name in raw.columns]
    slashed: list[tuple[str, int, int, int]] = []
    parts = {}
    for column in columns:
        values = raw[column]
        if pd.api.types.infer_dtype(values, skipna=False) == "string":  # every cell a text (a CSV)
            text = values.astype(str)
        else:
            text = values.where(values.map(lambda v: isinstance(v, str)), "").astype(str)
        slashed_ = _Slashed(text)
        matched = slashed_.matched
        if not matched.any():
            continue
        parts[column] = slashed_
        first, second = slashed_.first, slashed_.second
        # a date whose day and month are equal reads the same either way: it tells nothing
        for mask in (matched & (first > 12), matched & (second > 12), matched & (first != second)):
            if mask.any():
                position = int(mask.nonzero()[0][0])
                slashed.append((column, position, int(first[position]), int(second[position])))
    if not slashed:
        return raw
    if all(s[2] == s[3] for s in slashed):
        return raw  # 01/01/2025, 12/12/2025: the same date in both orders
    day_first = next((s for s in slashed if s[2] > 12), None)
    month_first = next((s for s in slashed if s[3] > 12), None)
    if day_first and month_first:
        raise DataError(
            f"{_where(origin, raw, day_first[1], day_first[0])} : « {raw[day_first[0]].iloc[day_first[1]]} » est "
            f"au format JJ/MM/AAAA mais {_where(origin, raw, month_first[1], month_first[0])} : "
            f"« {raw[month_first[0]].iloc[month_first[1]]} » est au format MM/JJ/AAAA ; un fichier n'a qu'un format de date"
        )
    chosen = order.lower().replace(" ", "")
    if chosen == "auto":
        if day_first:
            return raw
        if month_first:
            chosen = "mm/jj"
        else:
            first = slashed[0]
            raise DataError(
                f"{origin} : l'ordre jour/mois des dates ne peut pas être déduit (toutes les dates, comme "
                f"« {raw[first[0]].iloc[first[1]]} » {_where(origin, raw, first[1], first[0]).split(', ', 1)[1]}, "
                "ont un jour et un mois ≤ 12) ; indiquez date_order = \"jj/mm\" (ou \"mm/jj\") dans la source, "
                "ou écrivez les dates AAAA-MM-JJ"
            )
    if chosen in ("jj/mm", "dd/mm"):
        return raw
    if chosen not in ("mm/jj", "mm/dd"):
        raise DataError(f"{origin} : date_order « {order} » inconnu (auto, jj/mm ou mm/jj)")
    out = raw.copy()
    out.attrs = dict(raw.attrs)
    for column, slashed_ in parts.items():
        found = slashed_.found()
        matched = found[0].notna()
        iso = found[2] + "-" + found[0].str.zfill(2) + "-" + found[1].str.zfill(2)
        out[column] = raw[column].where(~matched.to_numpy(), iso.to_numpy())
    return out
