"""Read a FEC (Fichier des Écritures Comptables) into the canonical ``entries`` frame.

:func:`read_fec` accepts what real exports contain (see ``docs`` and the tests): TAB or
``|`` separators, UTF-8 with or without BOM or a single-byte code page (ISO-8859-15,
Windows-1252, DOS 850), LF, CRLF or CR CR LF line endings, a trailing separator, space-padded
fixed-width fields, 18 to 22 columns, ``Debit``/``Credit`` or ``Montant``/``Sens``, decimal
comma or dot, zero-padded and signed amounts (``-000000001437,12``, ``123,45-``) and
AAAAMMJJ dates (AAAA-MM-JJ, JJ/MM/AAAA and a time part are tolerated).

The bytes are checked once by :func:`~boardpack.fec.sniff.sniff`, then parsed by Arrow's
multi-threaded CSV reader with every value kept as text (account numbers keep their leading
zeros), then typed column by column with Arrow and NumPy operations
(:mod:`boardpack.fec.values`). A file Arrow does not read as the sniff predicts (a line of
spaces, a DOS end-of-file mark, lines with and without a trailing separator) is read by
pandas' C reader instead, whose errors name the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import csv
import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .header import CANONICAL, DATE_COLUMNS, TEXT_COLUMNS, Layout, read_header
from ..lines import LineNumbers
from .sniff import Sniffed, sniff
from .values import BadValue, distinct, parse_amounts, parse_dates, parse_directions

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pyarrow")
    pa_csv = lazy_module("pyarrow.csv")

__all__ = ["FecFile", "name_parts", "read_fec"]

_NAME = re.compile(r"^(?P<siren>\d{9,10})FEC(?P<closing>\d{8})(?:\D|$)", re.IGNORECASE)
_EXPECTED_DATE = "une date AAAAMMJJ"
_EXPECTED_AMOUNT = "un montant (ex. 1234,56)"


@dataclass
class FecFile:
    """One FEC file, read: its typed entries and how the file was written."""

    path: Path
    #: the canonical ``entries`` columns (money in integer cents) plus ``valid_date``; the
    #: line of each row is in ``entries.attrs["line_numbers"]``
    entries: pd.DataFrame
    encoding: str
    separator: str
    line_ending: str
    #: ``"Debit/Credit"`` or ``"Montant/Sens"``
    layout: str
    #: the header's names, as written (a trailing empty field excluded)
    columns: tuple[str, ...]
    #: SIREN and closing date read from a file name ``<SIREN>FEC<AAAAMMJJ>``, else ``None``
    siren: str | None = None
    closing_date: dt.date | None = None
    bom: bool = False
    #: the fields were space-padded (fixed-width export) and have been stripped
    padded: bool = False
    #: mandatory FEC fields absent from the header (only non-essential ones can be)
    missing_columns: tuple[str, ...] = ()
    #: rows whose amount field(s) were empty (read as 0)
    empty_amounts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: the header's spelling of each field used, by canonical column (for messages)
    field_names: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The file name, as quoted in messages."""
        return self.path.name

    @property
    def line_numbers(self) -> LineNumbers:
        """The source line of each row of :attr:`entries`."""
        lines = self.entries.attrs["line_numbers"]
        assert isinstance(lines, LineNumbers)
        return lines


def name_parts(path: Path) -> tuple[str | None, dt.date | None]:
    """SIREN and closing date from a name such as ``123456789FEC20231231.txt`` (else ``None``)."""
    match = _NAME.match(path.name)
    if match is None:
        return None, None
    try:
        closing = dt.datetime.strptime(match.group("closing"), "%Y%m%d").date()
    except ValueError:
        return match.group("siren"), None
    return match.group("siren"), closing


def _read_arrow(path: Path, sniffed: Sniffed, layout: Layout, rows: int) -> dict[int, pa.ChunkedArray] | None:
    """The used fields of every line, as Arrow strings; ``None`` when Arrow cannot read the
    file as the sniff predicts (then pandas reads it, and names the line that is wrong)."""
    if sniffed.eof_mark:
        return None
    names = [str(n) for n in range(sniffed.first_row_fields)]
    used = sorted(set(layout.positions.values()))
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names, encoding=sniffed.encoding),
            parse_options=pa_csv.ParseOptions(delimiter=sniffed.separator, quote_char=False,
                                              double_quote=False, escape_char=False, ignore_empty_lines=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, include_columns=[names[n] for n in used],
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[]),
        )
    except (pa.ArrowException, UnicodeDecodeError, ValueError):
        return None
    if table.num_rows != rows:
        return None
    return {n: table.column(names[n]) for n in used}


def _read_text(path: Path, sniffed: Sniffed, layout: Layout) -> pd.DataFrame:
    used = sorted(set(layout.positions.values()))
    try:
        frame = pd.read_csv(
            path,
            sep=sniffed.separator,
            header=None,
            skiprows=1,
            names=list(range(sniffed.first_row_fields)),
            usecols=used,
            dtype=object,
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,
            encoding=sniffed.encoding,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        message = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path.name} : lecture impossible ({message})") from None
    return frame


def _read_pandas(path: Path, sniffed: Sniffed, layout: Layout) -> tuple[dict[int, pa.Array], LineNumbers]:
    """The used fields of every line read by pandas' C reader (rows holding a DOS end-of-file
    mark dropped), as Arrow strings, with the line numbers of the rows."""
    text = _read_text(path, sniffed, layout)
    if sniffed.eof_mark:
        mark = text[min(layout.positions.values())].astype(str).str.strip() == "\x1a"
        text = text[~mark.to_numpy()].reset_index(drop=True)
        sniffed.blank_lines = np.union1d(sniffed.blank_lines, _eof_lines(path, sniffed))
    lines = _line_numbers(path, sniffed, len(text))
    return {n: pa.array(text[n].to_numpy(dtype=object), type=pa.string()) for n in text.columns}, lines


def _data_lines(sniffed: Sniffed) -> np.ndarray:
    """The numbers of the lines holding entries: every line after the header but the blank ones."""
    blank = sniffed.blank_lines
    blank = blank[blank > 1]
    numbers = np.arange(2, sniffed.lines + 1, dtype=np.int64)
    if len(blank):
        numbers = numbers[~np.isin(numbers, blank)]
    return numbers


def _line_numbers(path: Path, sniffed: Sniffed, rows: int) -> LineNumbers:
    numbers = _data_lines(sniffed)
    if len(numbers) != rows:
        raise DataError(
            f"{path.name} : {rows} lignes d'écritures lues pour {len(numbers)} lignes non vides ; "
            "le fichier contient sans doute des guillemets ou des caractères de contrôle"
        )
    return LineNumbers(numbers)


def _fail(fec_name: str, lines: LineNumbers, column: str, error: BadValue, expected: str) -> DataError:
    return DataError(
        f"{fec_name}, ligne {lines[error.position]}, colonne « {column} » : "
        f"« {error.value.strip()} » n'est pas {expected}"
    )


def _typed(path: Path, fields: dict[int, pa.Array | pa.ChunkedArray], rows: int, sniffed: Sniffed,
           layout: Layout, lines: LineNumbers) -> tuple[dict[str, object], np.ndarray]:
    columns: dict[str, object] = {}
    raw = {name: fields[position] for name, position in layout.positions.items()}
    fields.clear()  # each Arrow column is freed once typed: never all of them twice in memory
    for name in TEXT_COLUMNS:
        if name in raw:
            text = distinct(raw.pop(name))
            columns[name] = (text.stripped() if sniffed.padded else text).rows()
        else:
            columns[name] = np.full(rows, "", dtype=object)
    for name in DATE_COLUMNS:
        if name not in raw:
            columns[name] = np.full(rows, np.datetime64("NaT"), dtype="datetime64[ns]")
            continue
        try:
            columns[name] = parse_dates(distinct(raw.pop(name)))
        except BadValue as error:
            raise _fail(path.name, lines, layout.names[name], error, _EXPECTED_DATE) from None
    if layout.kind == "Montant/Sens":
        try:
            amount, empty = parse_amounts(raw.pop("amount"), sniffed.padded)
        except BadValue as error:
            raise _fail(path.name, lines, layout.names["amount"], error, _EXPECTED_AMOUNT) from None
        try:
            sign = parse_directions(distinct(raw.pop("direction")))
        except BadValue as error:
            raise _fail(path.name, lines, layout.names["direction"], error, "un sens (D ou C, +1 ou -1)") from None
        unsigned = (sign == 0) & (amount != 0)
        if unsigned.any():
            position = int(np.flatnonzero(unsigned)[0])
            raise _fail(path.name, lines, layout.names["direction"], BadValue(position, ""),
                        "un sens (D ou C, +1 ou -1) alors que le montant n'est pas nul")
        net = amount * sign
    else:
        parsed = {}
        for name in ("debit", "credit"):
            try:
                parsed[name] = parse_amounts(raw.pop(name), sniffed.padded)
            except BadValue as error:
                raise _fail(path.name, lines, layout.names[name], error, _EXPECTED_AMOUNT) from None
        (debit, empty_debit), (credit, empty_credit) = parsed["debit"], parsed["credit"]
        empty = empty_debit & empty_credit
        net = debit - credit
        if (debit >= 0).all() and (credit >= 0).all():
            columns["debit"], columns["credit"] = debit, credit
            return columns, empty
    # Montant/Sens, or negative debits/credits: one positive side per line, net unchanged.
    columns["debit"] = np.where(net > 0, net, 0).astype(np.int64)
    columns["credit"] = np.where(net < 0, -net, 0).astype(np.int64)
    return columns, empty


def read_fec(path: Path) -> FecFile:
    """Read the FEC at ``path``: typed entries, encoding, separator, layout, SIREN, closing date.

    :raises SourceError: when the file cannot be opened.
    :raises DataError: one sentence naming the file, the line and, for a value, the column:
        unknown separator or encoding, not a FEC header (missing fields named), a line with
        the wrong number of fields, an amount, a date or a direction that is not one.
    """
    path = Path(path)
    if _is_utf16(path):  # Excel's « texte Unicode »: read as UTF-8, the file keeps its name
        with tempfile.TemporaryDirectory(prefix="boardpack-fec-") as folder:
            copy = Path(folder) / path.name
            copy.write_bytes(_utf16_as_utf8(path))
            fec = read_fec(copy)
        fec.path, fec.encoding = path, "utf-16"
        return fec
    sniffed = sniff(path)
    layout = read_header(path.name, sniffed.header)
    numbers = _data_lines(sniffed)
    fields = _read_arrow(path, sniffed, layout, len(numbers))
    if fields is None:
        fields, lines = _read_pandas(path, sniffed, layout)
    else:
        lines = LineNumbers(numbers)
    if not len(lines):
        raise DataError(f"{path.name} : aucune écriture : le fichier ne contient que sa ligne d'en-tête")
    columns, empty = _typed(path, fields, len(lines), sniffed, layout, lines)
    del fields
    # Arrow's allocator keeps freed pages for reuse; NumPy and pandas, which build the frame
    # next, do not allocate from it: hand them back so the peak stays that of one copy.
    pa.default_memory_pool().release_unused()
    entries = pd.DataFrame({
        name: pd.Series(columns[name], dtype=object if name in TEXT_COLUMNS else None, copy=False)
        for name in CANONICAL
    })
    entries.attrs["line_numbers"] = lines
    siren, closing = name_parts(path)
    return FecFile(
        path=path,
        entries=entries,
        encoding=sniffed.encoding,
        separator=sniffed.separator,
        line_ending=sniffed.line_ending,
        layout=layout.kind,
        columns=tuple(n.strip().lstrip("\ufeff") for n in sniffed.header),
        siren=siren,
        closing_date=closing,
        bom=sniffed.bom,
        padded=sniffed.padded,
        missing_columns=layout.missing,
        empty_amounts=empty,
        field_names=dict(layout.names),
    )


def _is_utf16(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(2) in (b"\xff\xfe", b"\xfe\xff")
    except OSError:
        return False  # sniff says why


def _utf16_as_utf8(path: Path) -> bytes:
    """A UTF-16 file (with its BOM) as UTF-8 bytes; one sentence when it is not valid UTF-16."""
    try:
        return path.read_bytes().decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name} : fichier UTF-16 illisible (octet {exc.start})") from None


def _eof_lines(path: Path, sniffed: Sniffed) -> np.ndarray:
    """Line numbers of the lines holding only a DOS end-of-file mark (rare: read simply)."""
    data = path.read_bytes()
    terminator = b"\r" if sniffed.line_ending == "CR" else b"\n"
    found = [n for n, line in enumerate(data.split(terminator), start=1) if line.strip(b" \r") == b"\x1a"]
    return np.array(found, dtype=np.int64)
