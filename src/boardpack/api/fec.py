"""FEC files (Fichier des Écritures Comptables, LPF art. A.47 A-1): read, check, find the years.

For a source reading FEC files from somewhere of its own: :func:`read_fec` turns one file into
the canonical ``entries`` frame (encoding, separator and decimal style sniffed, every value
checked, errors naming the line and column); :func:`validate_fec` lists what is wrong or
suspicious in it as :class:`Finding`\\ s; :func:`opening_journals` and :func:`date_openings`
find the à-nouveaux; :func:`fiscal_year` the year a file covers.
"""

from __future__ import annotations

from ..fec import (
    FecFile,
    Finding,
    LineNumbers,
    date_openings,
    fiscal_year,
    opening_journals,
    read_fec,
    validate_fec,
)

__all__ = [
    "FecFile", "Finding", "LineNumbers", "date_openings", "fiscal_year", "opening_journals",
    "read_fec", "validate_fec",
]
