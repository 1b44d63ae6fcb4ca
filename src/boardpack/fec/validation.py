"""Checks on a read FEC, in the spirit of the DGFiP's Test Compta Demat, all vectorised.

:func:`validate_fec` returns :class:`Finding` objects, each naming a line: errors for
entries that do not balance and for account numbers that do not start with three digits
(the file cannot be a ledger), warnings for the rest (numbering gaps, dates outside the
fiscal year, empty mandatory fields, a closing date in the file name that the content
contradicts). Repetitive findings are grouped (one per journal, field or account, with a
count) and each code is capped at :data:`MAX_PER_CODE`, so a bad million-line file gives
a readable list.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

from .opening import fiscal_year, opening_journals
from .reader import FecFile

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


class _Checker:
    """Holds one file's arrays and collects its findings."""

    def __init__(self, fec: FecFile) -> None:
        self.fec = fec
        self.entries = fec.entries
        self.lines = fec.line_numbers.array
        self.findings: list[Finding] = []

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
        entries = self.entries
        journals, _ = pd.factorize(entries["journal"])
        numbers, _ = pd.factorize(entries["entry_id"])
        distinct = pd.Series(numbers).groupby(journals).nunique().to_numpy()
        day_count = entries["date"].groupby(journals).nunique().to_numpy()
        constant = (distinct[journals] == 1) & (day_count[journals] > 1)
        # A constant-numbered à-nouveaux journal is one entry: detailed à-nouveaux keep the
        # dates of the invoices they carry forward, so only the whole journal balances.
        opening = entries["journal"].isin(list(opening_journals(entries))).to_numpy()
        by_day = constant & ~opening
        days = entries["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        debit, credit = entries["debit"].to_numpy(), entries["credit"].to_numpy()
        frame = pd.DataFrame({
            "journal": journals, "by_day": by_day, "key": np.where(by_day, days, numbers),
            "net": debit - credit, "debit": debit, "credit": credit, "pos": np.arange(len(entries)),
        })
        sums = frame.groupby(["journal", "by_day", "key"], sort=False).agg(
            net=("net", "sum"), debit=("debit", "sum"), credit=("credit", "sum"), pos=("pos", "min"))
        unbalanced = sums[sums["net"] != 0].sort_values("pos")
        for row in unbalanced.head(MAX_PER_CODE).itertuples():
            position = int(row.pos)
            journal = entries["journal"].iat[position]
            amounts = (f"débit {_euros(row.debit)}, crédit {_euros(row.credit)}, "
                       f"écart {_euros(row.net)}")
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
        firsts = pd.Series(np.arange(len(codes))).groupby(codes).min().to_numpy()
        name = self.field("account", "CompteNum")
        bad = np.flatnonzero(~good)
        bad = bad[np.argsort(firsts[bad], kind="stable")]
        for index in bad[:MAX_PER_CODE].tolist():
            self.add("error", "account", int(firsts[index]),
                     f"le compte « {uniques[index]} » ({name}) ne commence pas par trois chiffres du "
                     f"plan comptable ({int(counts[index])} ligne(s))")
        self.more("error", "account", len(bad), "compte(s) invalide(s)")

    # ------------------------------------------------------------------ warnings

    def numbering(self) -> None:
        """EcritureNum has no gap within a journal, when it is a number (after a fixed prefix)."""
        entries = self.entries
        pairs = entries[["journal", "entry_id"]].drop_duplicates()
        parts = pairs["entry_id"].str.extract(r"^(\D*)(\d{1,18})$")
        numeric = parts[1].notna().to_numpy()
        if not numeric.any():
            return
        table = pd.DataFrame({
            "journal": pairs["journal"].to_numpy()[numeric],
            "prefix": parts[0].to_numpy()[numeric],
            "number": parts[1][numeric].astype(np.int64).to_numpy(),
            "pos": pairs.index.to_numpy()[numeric],
        })
        counts = table.groupby("journal")["number"].transform("size")
        table = table[counts > 1].sort_values(["journal", "prefix", "number"], kind="stable")
        same = (table["journal"].eq(table["journal"].shift()) & table["prefix"].eq(table["prefix"].shift()))
        jump = table["number"] - table["number"].shift()
        gaps = table[same & (jump > 1)]
        previous = table["number"].shift()[gaps.index]
        gaps = gaps.sort_values("pos")
        for index, row in gaps.head(MAX_PER_CODE).iterrows():
            before = f"{row['prefix']}{int(previous[index])}"
            after = f"{row['prefix']}{int(row['number'])}"
            missing = int(row["number"] - previous[index] - 1)
            self.add("warning", "numbering", int(row["pos"]),
                     f"numérotation discontinue dans le journal {row['journal']} : {after} suit "
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
            empty = values.isna() if values.dtype.kind == "M" else values.eq("")
            checks.append((self.field(column, official), empty.to_numpy(dtype=bool)))
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
