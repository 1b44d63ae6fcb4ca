"""One pass over a FEC's bytes: separator, encoding, line endings and the shape of every line.

The file is read in 16 MiB blocks of whole lines and never decoded as a whole, so a
1,000,000-line FEC costs a few tenths of a second and little memory. NumPy finds the line
ends and separators of each block; from them every line's field count is checked (the
first truncated or overlong line is reported with its number), blank lines are located
(so that each parsed row keeps its real line number), and the bytes are checked to be
UTF-8; when they are not, a histogram of the bytes ≥ 0x80 lets :func:`choose_encoding` pick
the most plausible single-byte code page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, SourceError

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")

__all__ = ["Sniffed", "choose_encoding", "sniff"]

BLOCK = 1 << 24
_BOM = b"\xef\xbb\xbf"
_ASCII = bytes(range(0x80))
_SEPARATOR_NAMES = {"\t": "tabulation", "|": "« | »", ";": "« ; »", ",": "« , »"}
#: Single-byte code pages a French FEC may use, in order of preference on a tie.
CODE_PAGES = ("iso-8859-15", "cp1252", "cp850")
_FRENCH = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ°€«»’‘“”–—…")


@dataclass
class Sniffed:
    """What the bytes of a FEC say about how to read it."""

    separator: str
    encoding: str
    bom: bool
    line_ending: str
    header: list[str]
    #: number of fields a line must have (the header's, without a trailing empty field)
    fields: int
    #: lines of the file, blank ones included (the header is line 1)
    lines: int
    #: 1-based numbers of blank lines (skipped by the parser)
    blank_lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: some field starts or ends with a space (fixed-width exports): strip every field
    padded: bool = False
    #: a line holds only a DOS end-of-file mark (Ctrl-Z): its row is to be dropped
    eof_mark: bool = False
    #: fields of the first line after the header (``fields`` or one more, empty)
    first_row_fields: int = 0


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(1 << 16)
    except FileNotFoundError:
        raise SourceError(f"{path} : fichier introuvable") from None
    except OSError as exc:
        raise SourceError(f"{path} : lecture impossible ({exc.strerror or exc})") from None


def _header_line(path: Path, head: bytes) -> tuple[bytes, str, int]:
    """The header's bytes (BOM removed), the line ending and the line-terminator byte."""
    name = path.name
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head.split(b"\n", 1)[0]:
        raise DataError(
            f"{name}, ligne 1 : encodage non reconnu (UTF-16 ou fichier binaire) ; "
            "un FEC s'enregistre en UTF-8, ISO-8859-15 ou Windows-1252"
        )
    head = head.removeprefix(_BOM)
    if not head.strip():
        raise DataError(f"{name}, ligne 1 : fichier vide (l'en-tête JournalCode… est attendu)")
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    if not ends:
        if len(head) >= 1 << 16:
            raise DataError(f"{name}, ligne 1 : pas de fin de ligne dans les 64 premiers Kio (ce n'est pas un FEC)")
        return head, "LF", 10
    end = min(ends)
    rest = head[end:end + 3]
    if rest.startswith(b"\n"):
        ending, terminator = "LF", 10
    elif rest.startswith(b"\r\n"):
        ending, terminator = "CRLF", 10
    elif rest.startswith(b"\r\r\n"):
        ending, terminator = "CR CR LF", 10
    else:
        ending, terminator = "CR", 13
    return head[:end], ending, terminator


def _separator(name: str, header: bytes) -> str:
    counts = {sep: header.count(sep.encode()) for sep in ("\t", "|", ";", ",")}
    if counts["\t"] or counts["|"]:
        return "\t" if counts["\t"] >= counts["|"] else "|"
    if "JournalCode".casefold() in header.decode("cp500", "replace").casefold():
        raise DataError(
            f"{name}, ligne 1 : fichier en EBCDIC, non pris en charge (convertissez-le en ISO-8859-15 ou UTF-8)"
        )
    found = max(counts, key=lambda s: counts[s])
    seen = f" ({_SEPARATOR_NAMES[found]} trouvé)" if counts[found] else ""
    raise DataError(
        f"{name}, ligne 1 : séparateur de champs non reconnu{seen} ; un FEC sépare ses champs par "
        "une tabulation ou une barre verticale « | »"
    )


def _char_score(char: str) -> int:
    if char in _FRENCH:
        return 1
    if "\u0080" <= char <= "\u009f" or "\u2500" <= char <= "\u259f":
        return -1  # C1 control characters and box drawing: not text
    return 0


def choose_encoding(histogram: np.ndarray) -> str | None:
    """The single-byte code page whose reading of the bytes ≥ 0x80 looks most like French.

    Each byte value is weighted by how often it occurs: accented letters, °, € and French
    quotes count for, control and box-drawing characters against, anything else is
    neutral; a tie goes to the first of :data:`CODE_PAGES`. ``None`` when every code page
    gives more implausible than plausible characters (the encoding is then unknown).
    """
    best: tuple[float, str] | None = None
    for encoding in CODE_PAGES:
        score = 0.0
        for byte in np.flatnonzero(histogram[0x80:]) + 0x80:
            try:
                char = bytes([int(byte)]).decode(encoding)
            except UnicodeDecodeError:
                score = float("-inf")
                break
            score += _char_score(char) * int(histogram[byte])
        if best is None or score > best[0]:
            best = (score, encoding)
    assert best is not None
    return best[1] if best[0] >= 0 else None


def _high_bytes(data: bytes) -> np.ndarray:
    """How many times each byte value occurs in ``data`` (only values ≥ 0x80 are counted)."""
    high = data.translate(None, _ASCII)
    return np.bincount(np.frombuffer(high, dtype=np.uint8), minlength=256)


def _histogram(path: Path, start: int, end: int) -> np.ndarray:
    """The counts of the bytes ≥ 0x80 between offsets ``start`` and ``end`` of ``path``, read again
    (only for a file that turned out not to be UTF-8)."""
    histogram = np.zeros(256, dtype=np.int64)
    with path.open("rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            data = handle.read(min(BLOCK, left))
            if not data:
                break
            left -= len(data)
            histogram += _high_bytes(data)
    return histogram


class _Lines:
    """Checks the lines of successive blocks and counts them."""

    def __init__(self, name: str, separator: str, terminator: int, fields: int, header_trailing: bool) -> None:
        self.name = name
        self.sep = ord(separator)
        self.sep_text = "tabulation" if separator == "\t" else f"« {separator} »"
        self.blank_bytes = b" " if separator == "\t" else b" \t"
        self.terminator = terminator
        self.fields = fields
        self.lines = 0
        self.blank: list[np.ndarray] = []
        self.padded = False
        self.eof_mark = False
        self.first_row_fields: int | None = None
        #: a header ending with a separator lets every line end with one (or not); otherwise
        #: the first data line decides, for all: a stray separator in a label is an error
        self.header_trailing = header_trailing
        self.extra_mode: bool | None = None

    def feed(self, block: bytes | memoryview) -> None:
        """Check the whole lines of ``block`` (it ends with a terminator)."""
        arr = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(arr == self.terminator)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        content_end = ends.copy()
        if self.terminator == 10:  # CRLF and CR CR LF: the CRs belong to the line ending
            for _ in range(2):
                has_cr = (content_end > starts) & (arr[np.maximum(content_end - 1, 0)] == 13)
                content_end -= has_cr
            crs = np.count_nonzero(arr == 13)
            if crs != int((ends - content_end).sum()):
                self._stray_cr(arr, starts, content_end)
        seps = np.flatnonzero(arr == self.sep)
        before = np.searchsorted(seps, ends)
        count = np.diff(before, prepend=0) + 1
        blank = content_end == starts
        last = arr[np.maximum(content_end - 1, 0)]
        exact = count == self.fields
        extra = (count == self.fields + 1) & (last == self.sep)
        if self.header_trailing:
            good = blank | exact | extra
        else:
            if self.extra_mode is None:
                rows = np.flatnonzero(~blank & (np.arange(len(ends)) + self.lines >= 1))
                if len(rows):
                    self.extra_mode = bool(extra[rows[0]])
            good = blank | (extra if self.extra_mode else exact)
            if self.lines == 0:
                good[0] = True  # the header itself
        if not good.all():
            self._bad_line(block, starts, content_end, count, good)
            blank = content_end == starts  # whitespace-only lines were turned blank
        if blank.any():
            self.blank.append(np.flatnonzero(blank) + self.lines + 1)
        if self.first_row_fields is None:
            rows = np.flatnonzero(~blank & (np.arange(len(ends)) + self.lines >= 1))
            if len(rows):
                self.first_row_fields = int(count[rows[0]])
        if not self.padded:
            filled = ~blank
            self.padded = bool(
                (arr[starts[filled]] == 32).any() or (arr[content_end[filled] - 1] == 32).any()
                or (arr[seps + 1] == 32).any() or (arr[np.maximum(seps - 1, 0)] == 32).any()
            )
        self.lines += len(ends)

    def _stray_cr(self, arr: np.ndarray, starts: np.ndarray, content_end: np.ndarray) -> None:
        inside = np.flatnonzero(arr == 13)
        index = np.searchsorted(starts, inside, side="right") - 1
        stray = inside < content_end[index]
        if stray.any():
            line = self.lines + int(index[np.flatnonzero(stray)[0]]) + 1
            raise DataError(
                f"{self.name}, ligne {line} : retour chariot (CR) isolé au milieu de la ligne ; "
                "un libellé contient sans doute un saut de ligne"
            )

    def _bad_line(self, block: bytes | memoryview, starts: np.ndarray, content_end: np.ndarray,
                  count: np.ndarray, good: np.ndarray) -> None:
        for index in np.flatnonzero(~good).tolist():
            content = bytes(block[int(starts[index]):int(content_end[index])])
            if content.strip(b" ") == b"\x1a":
                self.eof_mark = True  # DOS end-of-file mark: one row, dropped by the reader
                continue
            if not content.strip(self.blank_bytes):
                content_end[index] = starts[index]  # whitespace only: a blank line, as pandas sees it
                continue
            line = self.lines + index + 1
            expected = self.fields + 1 if self.extra_mode and not self.header_trailing else self.fields
            raise DataError(
                f"{self.name}, ligne {line} : {int(count[index])} champ(s) au lieu de {expected} "
                f"(séparateur {self.sep_text}) ; ligne tronquée, ou séparateur présent dans un libellé"
            )


def sniff(path: Path) -> Sniffed:
    """Read ``path`` once and describe it; raise :class:`DataError` on the first unreadable line.

    :raises SourceError: when the file cannot be opened.
    :raises DataError: empty file, unknown separator or encoding, or a line whose number of
        fields differs from the header's (with its line number).
    """
    name = path.name
    head = _read_head(path)
    header_bytes, ending, terminator = _header_line(path, head)
    separator = _separator(name, header_bytes)
    header_fields = header_bytes.count(separator.encode()) + 1
    trailing = header_bytes.rstrip(b" ").endswith(separator.encode())
    fields = header_fields - 1 if trailing else header_fields
    checker = _Lines(name, separator, terminator, fields, trailing)
    #: counts of the bytes ≥ 0x80, needed only once the bytes are known not to be UTF-8
    histogram: np.ndarray | None = None
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    bom = head.startswith(_BOM)
    start = len(_BOM) if bom else 0
    consumed = start
    carry = b""
    first_nul: int | None = None
    terminator_byte = bytes([terminator])
    with path.open("rb") as handle:
        handle.seek(start)
        while True:
            chunk = handle.read(BLOCK)
            final = not chunk
            if final:
                if not carry:
                    break
                chunk = terminator_byte
            ascii_only = final or chunk.isascii()
            if utf8_ok and not ascii_only:
                try:
                    utf8.decode(chunk, final=final)
                except UnicodeDecodeError:
                    utf8_ok = False
            if not utf8_ok:
                if histogram is None:
                    histogram = _histogram(path, start, consumed)
                if not ascii_only:
                    histogram += _high_bytes(chunk)
            consumed += 0 if final else len(chunk)
            block = carry + chunk
            cut = block.rfind(terminator_byte) + 1
            carry = block[cut:]
            nul = block.find(b"\x00", 0, cut)
            if nul >= 0:
                first_nul = checker.lines + block.count(terminator_byte, 0, nul) + 1
                break
            if cut:
                checker.feed(memoryview(block)[:cut])
            if final:
                break
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if first_nul is not None:
        raise DataError(f"{name}, ligne {first_nul} : octet nul, encodage non reconnu (UTF-16 ou fichier binaire ?)")
    if utf8_ok:
        encoding = "utf-8"
    else:
        chosen = choose_encoding(histogram if histogram is not None else _histogram(path, start, consumed))
        if chosen is None:
            raise DataError(
                f"{name}, ligne 1 : encodage non reconnu (ni UTF-8, ni ISO-8859-15, Windows-1252 ou "
                "DOS 850 lisibles) ; enregistrez le FEC en UTF-8 ou ISO-8859-15"
            )
        encoding = chosen
    header = header_bytes.decode(encoding).split(separator)
    if trailing:
        header = header[:-1]
    blank = np.concatenate(checker.blank) if checker.blank else np.zeros(0, dtype=np.int64)
    return Sniffed(
        separator=separator,
        encoding=encoding,
        bom=bom,
        line_ending=ending,
        header=header,
        fields=fields,
        lines=checker.lines,
        blank_lines=blank,
        padded=checker.padded,
        eof_mark=checker.eof_mark,
        first_row_fields=checker.first_row_fields or fields,
    )
