"""Reading and checking FEC files (Fichier des Écritures Comptables, LPF art. A.47 A-1).

:func:`read_fec` turns one file into the canonical ``entries`` frame; :func:`validate_fec`
lists what is wrong or suspicious in it; the ``fec`` source
(:mod:`boardpack.default_plugins.fec_source`) reads a file or a folder of them.
"""

from ..lines import LineNumbers
from .opening import date_openings, fiscal_year, opening_journals
from .reader import FecFile, read_fec
from .validation import Finding, validate_fec

__all__ = [
    "FecFile", "Finding", "LineNumbers", "date_openings", "fiscal_year", "opening_journals",
    "read_fec", "validate_fec",
]
