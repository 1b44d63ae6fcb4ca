"""À-nouveaux (opening entries): which journals hold them, and the fiscal year they open.

A FEC starts with the à-nouveaux of its fiscal year, in a journal the software names
(``AN``, ``ANO``, ``RAN``, ``AD`` « A Nouveaux Détaillés »…). Detailed à-nouveaux keep the
date of each invoice they carry forward, which may be years earlier; the ledger assigns
opening entries to the fiscal year of their date, so :func:`date_openings` moves them to
the first day of the fiscal year the file opens (their own date stays in ``piece_date``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re

from .reader import FecFile

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["OPENING_CODES", "date_openings", "fiscal_year", "opening_journals"]

#: Journal codes taken for à-nouveaux whatever their label.
OPENING_CODES = frozenset({"AN", "ANO", "RAN"})
_OPENING_LABEL = re.compile(r"\bnouveaux?\b|report\s+[àa]\s+nouveau|\bouverture\b", re.IGNORECASE)


def opening_journals(entries: pd.DataFrame) -> dict[str, str]:
    """The journals that look like à-nouveaux (code AN, ANO, RAN or a label saying « nouveau »).

    :returns: each such journal code with its label (``JournalLib``), in order of appearance.
    """
    if not len(entries):
        return {}
    first = entries.drop_duplicates("journal")
    found = {}
    for journal, label in zip(first["journal"].tolist(), first["journal_label"].tolist(), strict=True):
        if str(journal).strip().upper() in OPENING_CODES or _OPENING_LABEL.search(str(label)):
            found[str(journal)] = str(label)
    return found


def fiscal_year(fec: FecFile) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day of the twelve months ending at the file name's closing date (else ``None``)."""
    if fec.closing_date is None:
        return None
    end = pd.Timestamp(fec.closing_date)
    return end + pd.Timedelta(days=1) - pd.DateOffset(months=12), end


def date_openings(fec: FecFile) -> tuple[int, pd.Timestamp | None]:
    """Date on the fiscal year's first day the à-nouveaux lines dated before it, in place.

    Done only when the file name gives the closing date and every other line falls inside
    the fiscal year it implies (a file name that the content contradicts is not trusted).

    :returns: how many lines were moved, and the day they were moved to.
    """
    year = fiscal_year(fec)
    entries = fec.entries
    if year is None or not len(entries):
        return 0, None
    start, end = year
    dates = entries["date"]
    opening = entries["journal"].isin(list(opening_journals(entries))).to_numpy()
    others = dates[~opening]
    if len(others) and ((others < start) | (others > end)).any():
        return 0, None
    early = opening & (dates < start).to_numpy()
    if not early.any():
        return 0, None
    moved = dates.to_numpy().copy()
    moved[early] = np.datetime64(start.to_datetime64(), "ns")
    entries["date"] = moved
    return int(early.sum()), start
