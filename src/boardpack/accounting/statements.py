"""Statements derived from the ledger through the PCG mapping: monthly P&L and bilan.

``pl`` holds, for each month, every compte de résultat base line and SIG subtotal;
``bilan`` holds every bilan line and total at each month end. Both are integer cents.
A window's P&L is the sum of its months; a bilan is read at the window's last month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from decimal import Decimal

from ..errors import Unavailable
from ..periods import Month, Window
from .ledger import Ledger
from .pcg import BILAN_LINES, BILAN_TOTALS, PL_LINES, SIG_FORMULAS, mapping_for

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["Statements", "apply_sig", "cents_to_euros"]


def cents_to_euros(cents: int | np.integer) -> Decimal:
    """Exact conversion of integer cents to euros."""
    return Decimal(int(cents)).scaleb(-2)


def apply_sig(base: pd.DataFrame) -> pd.DataFrame:
    """Add the SIG subtotals to a frame whose columns are base P&L lines (missing ones = 0)."""
    out = base.reindex(columns=list(PL_LINES), fill_value=0).copy()
    for line, terms in SIG_FORMULAS.items():
        out[line] = sum(sign * out[term] for sign, term in terms)
    return out


class Statements:
    """Monthly compte de résultat (with SIG) and bilan of a ledger.

    ``bilan`` has one more row than ``pl``: the opening balance sheet, at the month before
    the first fiscal year.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._windows: dict[Window, pd.Series] = {}
        self.pl = self._pl()
        self.bilan = self._bilan()

    def _mapping(self, month: Month):  # type: ignore[no-untyped-def]
        return mapping_for(self.ledger.year_of(month)[0].first_day)

    def _pl(self) -> pd.DataFrame:
        movements = self.ledger.movements_by_aux.groupby(level=0).sum()
        rows = {}
        for column, month in zip(movements.columns, self.ledger.months):
            mapping = self._mapping(month)
            lines: dict[str, int] = dict.fromkeys(PL_LINES, 0)
            for account, net in movements[column].items():
                line = mapping.pl_line(str(account))
                if line is None or not net:
                    continue
                # products are credit-positive, charges debit-positive
                lines[line] += -int(net) if PL_LINES[line].kind == "produit" else int(net)
            rows[month] = lines
        return apply_sig(pd.DataFrame.from_dict(rows, orient="index").astype(np.int64))

    def _bilan(self) -> pd.DataFrame:
        balances = self.ledger.balances_by_aux
        accounts = [str(a) for a in balances.index.get_level_values(0)]
        rows = {}
        opening_month = self.ledger.months[0].shift(-1)
        columns = [(self.ledger.opening.reindex(balances.index, fill_value=0), opening_month)] + [
            (balances[column], month) for column, month in zip(balances.columns, self.ledger.months)
        ]
        for values, month in columns:
            mapping = self._mapping(max(month, self.ledger.months[0]))
            lines: dict[str, int] = dict.fromkeys(BILAN_LINES, 0)
            for account, balance in zip(accounts, values.to_numpy()):
                if not balance:
                    continue
                debit_line, credit_line = mapping.bilan_lines(account) or ("autres_creances", "autres_dettes")
                line = debit_line if balance > 0 else credit_line
                value = int(balance)
                lines[line] += value if BILAN_LINES[line].kind == "actif" else -value
            rows[month] = lines
        frame = pd.DataFrame.from_dict(rows, orient="index").astype(np.int64)
        for total, parts in BILAN_TOTALS.items():
            frame[total] = sum(frame[p] for p in parts)
        return frame

    def pl_line(self, line: str, window: Window) -> Decimal:
        """The compte de résultat line (or SIG subtotal) over ``window``, in euros."""
        return cents_to_euros(self.pl_window(window)[line])

    def pl_window(self, window: Window) -> pd.Series:
        """Every P&L line over ``window``, in cents (computed once per window; do not modify)."""
        self.ledger.require(window)
        totals = self._windows.get(window)
        if totals is None:
            totals = self._windows[window] = self.pl.loc[window.months].sum()
        return totals

    def bilan_line(self, line: str, month: Month) -> Decimal:
        """The bilan line (or total) at the end of ``month``, in euros."""
        if not self.ledger.first <= month <= self.ledger.last:
            raise Unavailable(f"bilan disponible de {self.ledger.first} à {self.ledger.last}, pas à fin {month}")
        return cents_to_euros(self.bilan.loc[month, line])

    def split_balance(self, prefixes: tuple[str, ...], month: Month, side: str) -> Decimal:
        """Sum of debit (``side="debit"``) or credit balances of accounts starting with ``prefixes``.

        Balances are split per account and auxiliary account, as on the bilan.
        """
        balances = self.ledger.balances(month)
        chosen = balances.to_numpy()[self.ledger.prefixed(balances.index, prefixes)]
        picked = chosen[chosen > 0].sum() if side == "debit" else -chosen[chosen < 0].sum()
        return cents_to_euros(picked)
