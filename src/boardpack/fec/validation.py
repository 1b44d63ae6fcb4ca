"""Checks on a read FEC, in the spirit of the DGFiP's Test Compta Demat, all vectorised.

:func:`validate_fec` returns :class:`Finding` objects, each naming a line: errors for
entries that do not balance and for account numbers that do not start with three digits
(the file cannot be a ledger), warnings for the rest (numbering gaps, dates outside the
fiscal year, empty mandatory fields, a closing date in the file name that the content
contradicts). Repetitive findings are grouped (one per journal, field or account, with a
count) and each code is capped at :data:`MAX_PER_CODE`, so a bad million-line file gives
a readable list.

The text columns are factorised once (:class:`_Keys`): every check then works on integer
codes with NumPy, and Python only ever looks at distinct values (an account, an entry
number) or at the findings themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from .opening import fiscal_year, opening_journals
from .reader import FecFile

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

__all__ = ["MAX_PER_CODE", "Finding", "validate_fec"]

#: At most this many findings of one code; then one more says how many were left out.
MAX_PER_CODE = 50
_REQUIRED = (
    ("journal", "JournalCode"), ("entry_id", "EcritureNum"), ("date", "EcritureDate"),
    ("account", "CompteNum"), ("account_label", "CompteLib"), ("label", "EcritureLib"),
    ("valid_date", "ValidDate"),
)


@dataclass(frozen=True)
class Finding:
    """One problem found in a FEC: ``error`` (unusable as a ledger) or ``warning``."""

    severity: Literal["error", "warning"]
    code: str
    line: int | None
    message: str
    #: the file name, when known
    file: str | None = None

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file, f"ligne {self.line}" if self.line else None) if p)
        return f"{where} : {self.message}" if where else self.message


def _euros(cents: int) -> str:
    text = f"{Decimal(int(cents)).scaleb(-2):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%d/%m/%Y")  # type: ignore[arg-type]


#: An entry number checked for gaps: a fixed prefix without digits, then up to 18 digits.
_NUMBERED = r"^(?P<prefix>\D*)(?P<number>\d{1,18})$"


def first_positions(codes: np.ndarray) -> np.ndarray:
    """The first row of each code, for codes numbered in order of first appearance (as
    :func:`pandas.factorize` numbers them): a row is a code's first when it exceeds every
    code before it."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    running = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    np.greater(running[1:], running[:-1], out=new[1:])
    return np.flatnonzero(new)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (first appearance order) and distinct values of an integer array."""
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


def numbered(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each distinct entry number: whether it is « prefix + digits », the prefix, the number.

    ASCII texts go through Arrow's regular expressions (RE2); the others (a digit of another
    script is a digit for Python's ``\\d``) and any holding a line feed (Python's ``$`` may
    match before it) through Python's :mod:`re`, so the answer is Python's for all.
    """
    count = len(texts)
    matched = np.zeros(count, dtype=bool)
    prefixes = np.full(count, "", dtype=object)
    numbers = np.zeros(count, dtype=np.int64)
    if not count:
        return matched, prefixes, numbers
    array = pa.array(texts, type=pa.string())
    simple = pc.and_(pc.string_is_ascii(array), pc.invert(pc.match_substring(array, "\n")))
    simple = simple.to_numpy(zero_copy_only=False)
    fast = np.flatnonzero(simple)
    if len(fast):
        parts = pc.extract_regex(array.take(pa.array(fast)), _NUMBERED)
        valid = parts.is_valid().to_numpy(zero_copy_only=False)
        hits = fast[valid]
        matched[hits] = True
        kept = parts.filter(pa.array(valid))
        prefixes[hits] = kept.field(0).to_numpy(zero_copy_only=False)
        numbers[hits] = pc.cast(kept.field(1), pa.int64()).to_numpy(zero_copy_only=False)
    pattern = re.compile(_NUMBERED)
    for index in np.flatnonzero(~simple).tolist():
        match = pattern.search(texts[index])
        if match is not None:
            matched[index] = True
            prefixes[index] = match.group(1)
            numbers[index] = int(match.group(2))
    return matched, prefixes, numbers


class _Keys:
    """The journal and entry-number columns of one file as integer codes, computed once."""

    def __init__(self, entries: pd.DataFrame) -> None:
        self.journal, self.journals = pd.factorize(entries["journal"])
        self.entry, self.entry_ids = pd.factorize(entries["entry_id"])
        #: one code per distinct (journal, EcritureNum), in order of first appearance
        pair = self.journal.astype(np.int64) * max(len(self.entry_ids), 1) + self.entry
        self.pair, _ = _factorize(pair)
        #: the first row of each (journal, EcritureNum)
        self.pair_first = first_positions(self.pair)


class _Checker:
    """Holds one file's arrays and collects its findings."""

    def __init__(self, fec: FecFile) -> None:
        self.fec = fec
        self.entries = fec.entries
        self.lines = fec.line_numbers.array
        self.findings: list[Finding] = []
        self._keys: _Keys | None = None

    @property
    def keys(self) -> _Keys:
        """The factorised journal and entry-number columns (computed on first use)."""
        if self._keys is None:
            self._keys = _Keys(self.entries)
        return self._keys

    def add(self, severity: Literal["error", "warning"], code: str, position: int | None, message: str,
            line: int | None = None) -> None:
        """Record a finding at row ``position`` (or at ``line`` of the file, such as 1 for the header)."""
        if line is None and position is not None and len(self.lines):
            line = int(self.lines[position])
        self.findings.append(Finding(severity, code, line, message, self.fec.name))

    def more(self, severity: Literal["error", "warning"], code: str, total: int, what: str) -> None:
        """Say how many findings of ``code`` were left out beyond :data:`MAX_PER_CODE`."""
        if total > MAX_PER_CODE:
            self.add(severity, code, None, f"… et {total - MAX_PER_CODE} autre(s) {what}")

    def field(self, column: str, official: str) -> str:
        """The header's spelling of a field (``official`` when the header lacks it)."""
        return self.fec.field_names.get(column, official)

    # ------------------------------------------------------------------ errors

    def balance(self) -> None:
        """Each entry (journal + EcritureNum) balances; per journal and day when EcritureNum is constant.

        A constant-numbered à-nouveaux journal is checked as a whole.
        """
        entries, keys = self.entries, self.keys
        journals = keys.journal
        count = len(keys.journals)
        # distinct EcritureNum and distinct dates (NaT left out) of each journal
        distinct = np.bincount(journals[keys.pair_first], minlength=count)
        stamps = entries["date"].to_numpy()
        dated, _ = pd.factorize(stamps)
        known = dated >= 0
        day_pairs, _ = _factorize(journals[known].astype(np.int64) * max(int(dated.max(initial=0)) + 1, 1)
                                  + dated[known])
        day_count = np.bincount(journals[known][first_positions(day_pairs)], minlength=count)
        # A constant-numbered à-nouveaux journal is one entry: detailed à-nouveaux keep the
        # dates of the invoices they carry forward, so only the whole journal balances.
        opening = pd.Index(keys.journals, dtype=object).isin(list(opening_journals(entries)))
        by_day_journal = (distinct == 1) & (day_count > 1) & ~opening
        by_day = by_day_journal[journals]
        days = stamps.astype("datetime64[D]").astype(np.int64)
        key, _ = _factorize(np.where(by_day, days, keys.entry))
        group, _ = _factorize(journals.astype(np.int64) * max(int(key.max(initial=0)) + 1, 1) + key)
        groups = int(group.max(initial=-1)) + 1
        debit, credit = entries["debit"].to_numpy(), entries["credit"].to_numpy()
        net = np.zeros(groups, dtype=np.int64)
        np.add.at(net, group, debit - credit)
        # groups are numbered in order of first appearance: by their first line
        unbalanced = np.flatnonzero(net != 0)
        if not len(unbalanced):
            return
        firsts = first_positions(group)
        shown = unbalanced[:MAX_PER_CODE]
        rows = np.isin(group, shown)
        debits = pd.Series(debit[rows]).groupby(group[rows]).sum()
        credits = pd.Series(credit[rows]).groupby(group[rows]).sum()
        for index in shown.tolist():
            position = int(firsts[index])
            journal = entries["journal"].iat[position]
            amounts = (f"débit {_euros(debits[index])}, crédit {_euros(credits[index])}, "
                       f"écart {_euros(net[index])}")
            if by_day[position]:
                what = f"les écritures du journal {journal} du {_day(entries['date'].iat[position])}"
                verb = "ne sont pas équilibrées"
            else:
                what = f"l'écriture {journal} {entries['entry_id'].iat[position]}"
                verb = "n'est pas équilibrée"
            self.add("error", "unbalanced", position, f"{what} {verb} ({amounts})")
        self.more("error", "unbalanced", len(unbalanced), "écriture(s) déséquilibrée(s)")

    def accounts(self) -> None:
        """Every CompteNum starts with three digits (a PCG class, sub-class and account)."""
        codes, uniques = pd.factorize(self.entries["account"])
        good = pd.Series(uniques, dtype=object).str.match(r"^\d{3}").to_numpy(dtype=bool)
        if good.all():
            return
        counts = np.bincount(codes, minlength=len(uniques))
        firsts = first_positions(codes)
        name = self.field("account", "CompteNum")
        bad = np.flatnonzero(~good)  # codes number accounts by first line: already in line order
        for index in bad[:MAX_PER_CODE].tolist():
            self.add("error", "account", int(firsts[index]),
                     f"le compte « {uniques[index]} » ({name}) ne commence pas par trois chiffres du "
                     f"plan comptable ({int(counts[index])} ligne(s))")
        self.more("error", "account", len(bad), "compte(s) invalide(s)")

    # ------------------------------------------------------------------ warnings

    def numbering(self) -> None:
        """EcritureNum has no gap within a journal, when it is a number (after a fixed prefix)."""
        keys = self.keys
        matched, prefixes, numbers = numbered(np.asarray(keys.entry_ids, dtype=object))
        # one row per distinct (journal, EcritureNum), in order of first line
        positions = keys.pair_first
        journal = keys.journal[positions]
        entry = keys.entry[positions]
        numeric = matched[entry]
        if not numeric.any():
            return
        positions, journal, entry = positions[numeric], journal[numeric], entry[numeric]
        several = np.bincount(journal, minlength=len(keys.journals)) > 1
        kept = several[journal]
        positions, journal, entry = positions[kept], journal[kept], entry[kept]
        prefix, _ = pd.factorize(prefixes)
        prefix = prefix[entry]
        number = numbers[entry]
        order = np.lexsort((number, prefix, journal))  # stable: equal numbers keep line order
        positions, journal, entry = positions[order], journal[order], entry[order]
        prefix, number = prefix[order], number[order]
        same = np.zeros(len(order), dtype=bool)
        same[1:] = (journal[1:] == journal[:-1]) & (prefix[1:] == prefix[:-1])
        jump = np.zeros(len(order), dtype=np.int64)
        jump[1:] = number[1:] - number[:-1]
        gaps = np.flatnonzero(same & (jump > 1))
        gaps = gaps[np.argsort(positions[gaps], kind="stable")]
        for index in gaps[:MAX_PER_CODE].tolist():
            position = int(positions[index])
            text = prefixes[entry[index]]
            before = f"{text}{int(number[index - 1])}"
            after = f"{text}{int(number[index])}"
            missing = int(number[index] - number[index - 1] - 1)
            self.add("warning", "numbering", position,
                     f"numérotation discontinue dans le journal {keys.journals[journal[index]]} : {after} suit "
                     f"{before} ({missing} numéro(s) manquant(s))")
        self.more("warning", "numbering", len(gaps), "rupture(s) de numérotation")

    def fiscal_year(self) -> None:
        """Dates inside the fiscal year ending at the file name's closing date; that date matches the content."""
        year = fiscal_year(self.fec)
        dates = self.entries["date"]
        if year is None or dates.isna().all():
            return
        start, end = year
        span = f"de l'exercice du {_day(start)} au {_day(end)} déduit du nom du fichier"
        outside = ((dates < start) | (dates > end)).to_numpy()
        if outside.all():
            self.add("warning", "date_outside_fiscal_year", 0,
                     f"aucune ligne n'est datée dans {span.removeprefix('de ')} : les écritures vont "
                     f"du {_day(dates.min())} au {_day(dates.max())}")
        elif outside.any():
            positions = np.flatnonzero(outside)
            table = pd.DataFrame({"journal": self.entries["journal"].to_numpy()[outside], "pos": positions})
            summary = table.groupby("journal", sort=False)["pos"].agg(["min", "size"]).sort_values("min")
            for journal, row in summary.iterrows():
                position = int(row["min"])
                self.add("warning", "date_outside_fiscal_year", position,
                         f"{int(row['size'])} ligne(s) du journal {journal} datée(s) hors {span} "
                         f"(première : {_day(dates.iat[position])})")
        last = dates.max()
        if last != end:
            position = int(np.flatnonzero((dates == last).to_numpy())[0])
            self.add("warning", "closing_date", position,
                     f"la date de clôture du nom du fichier ({_day(end)}) n'est pas la dernière date "
                     f"d'écriture ({_day(last)})")

    def required(self) -> None:
        """Mandatory fields are filled (and present in the header)."""
        entries = self.entries
        for missing in self.fec.missing_columns:
            self.add("warning", "missing_field", None, f"le champ obligatoire {missing} est absent de l'en-tête",
                     line=1)
        checks: list[tuple[str, np.ndarray]] = []
        for column, official in _REQUIRED:
            if official in self.fec.missing_columns:
                continue
            values = entries[column]
            if values.dtype.kind == "M":
                empty = values.isna().to_numpy(dtype=bool)
            elif values.dtype == object:
                empty = np.asarray(values.to_numpy() == "", dtype=bool)
            else:
                empty = values.eq("").to_numpy(dtype=bool)
            checks.append((self.field(column, official), empty))
        if not any(n in self.fec.missing_columns for n in ("Debit", "Montant")):
            name = "Debit/Credit" if self.fec.layout == "Debit/Credit" else self.field("amount", "Montant")
            checks.append((name, self.fec.empty_amounts))
        for name, empty in checks:
            if len(empty) and empty.any():
                position = int(np.flatnonzero(empty)[0])
                self.add("warning", "missing_field", position,
                         f"champ obligatoire {name} vide sur {int(empty.sum())} ligne(s)")


def validate_fec(fec: FecFile) -> list[Finding]:
    """Check ``fec``; return its findings, errors first, each sorted by line.

    Errors: an entry that does not balance (per journal and EcritureNum, or per journal and
    day when a journal numbers every line alike, as ``0``); a CompteNum whose first three
    characters are not digits. Warnings: gaps in a numeric EcritureNum sequence; dates
    outside the twelve months ending at the closing date of the file name; a closing date
    that is not the last date of the entries; empty mandatory fields (JournalCode,
    EcritureNum, EcritureDate, CompteNum, CompteLib, EcritureLib, Debit/Credit, ValidDate).
    """
    checker = _Checker(fec)
    if len(fec.entries):
        checker.balance()
        checker.accounts()
        checker.numbering()
        checker.fiscal_year()
    checker.required()
    findings = checker.findings
    order = {"error": 0, "warning": 1}
    return sorted(findings, key=lambda f: (order[f.severity], f.line is None, f.line or 0))
