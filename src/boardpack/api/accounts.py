"""The French chart of accounts (PCG): statement lines and how accounts map onto them.

``PL_LINES`` (compte de résultat), ``SIG_LINES`` (soldes intermédiaires de gestion, each a
linear formula over the base lines: ``SIG_FORMULAS``), ``BILAN_LINES`` and
``BILAN_TOTAL_LINES`` hold :class:`StatementLine`\\ s by stable id (``chiffre_affaires``,
``ebe``, ``creances_clients``…). :func:`mapping_for` gives the versioned mapping in force for a
fiscal year; :func:`account_class` the PCG class of an account number.
"""

from __future__ import annotations

from ..accounting.pcg import (
    BILAN_LINES,
    BILAN_TOTAL_LINES,
    BILAN_TOTALS,
    PL_LINES,
    SIG_FORMULAS,
    SIG_LINES,
    PcgMapping,
    StatementLine,
    mapping_for,
)

__all__ = [
    "BILAN_LINES",
    "BILAN_TOTALS",
    "BILAN_TOTAL_LINES",
    "PL_LINES",
    "SIG_FORMULAS",
    "SIG_LINES",
    "PcgMapping",
    "StatementLine",
    "account_class",
    "mapping_for",
]


def account_class(account: str) -> int | None:
    """The PCG class (1–8) of an account number, from its first digit; ``None`` if it has none."""
    first = str(account).strip()[:1]
    return int(first) if first.isdigit() and first not in ("0", "9") else None
