"""The ledger: monthly movements and balances per account, derived once from ``entries``.

Fiscal years are those of a :class:`~boardpack.periods.FiscalCalendar`: the spans the data
defines (a first year of 13 months, a changed closing date, a FEC's own fiscal year) and
twelve-month years around them, else twelve months from the company's first month.

Balances follow the fiscal years. A fiscal year that has opening entries (à-nouveaux, in
one of the opening journals) starts from them, as in a FEC exported per year. A fiscal
year without them starts from the previous year's closing balances, with that year's
result (classes 6 and 7) carried into report à nouveau (110000), as if appropriated; the
first year of a ledger with no opening entries starts from zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import Unavailable
from ..periods import FiscalCalendar, Month, Window

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["Ledger", "RETAINED_EARNINGS"]

#: Where prior years' results are carried when a fiscal year has no opening entries.
RETAINED_EARNINGS = "110000"


def _month_index(month: Month) -> int:
    return month.year * 12 + month.month - 1


def _month(index: int) -> Month:
    return Month(index // 12, index % 12 + 1)


class _Distinct:
    """A column factorised once: row codes (first appearance order) and the distinct values."""

    def __init__(self, column: pd.Series) -> None:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        self.codes = codes.astype(np.int64, copy=False)
        self.uniques = uniques
        self.size = max(len(uniques), 1)

    def texts(self) -> pd.Series:
        """The distinct values as an object Series (string methods apply to each once)."""
        return pd.Series(np.asarray(self.uniques, dtype=object), dtype=object)

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        """``per_value`` (one item per distinct value) spread back over the rows."""
        return per_value.take(self.codes)

    def first_rows(self) -> np.ndarray:
        """The first row of each distinct value, in order of appearance."""
        if not len(self.codes):
            return np.zeros(0, dtype=np.int64)
        running = np.maximum.accumulate(self.codes)
        new = np.empty(len(self.codes), dtype=bool)
        new[0] = True
        np.greater(running[1:], running[:-1], out=new[1:])
        return np.flatnonzero(new)


def _summed(account: _Distinct, aux: _Distinct, month_idx: np.ndarray, debit: np.ndarray, credit: np.ndarray,
            rows: np.ndarray) -> pd.DataFrame:
    """The chosen ``rows`` summed per (account, aux, month): the same sums as the rows themselves
    once grouped, from a frame of a few thousand rows instead of a million.

    Account numbers are grouped as text (``astype(str)``, as they always were), each distinct
    value converted once.
    """
    months = month_idx[rows]
    low = int(months.min()) if len(months) else 0
    span = int(months.max()) - low + 1 if len(months) else 1
    key = ((account.codes[rows] * aux.size + aux.codes[rows]) * span + (months - low).astype(np.int64))
    group, keys = pd.factorize(key)
    sums = np.zeros((3, len(keys)), dtype=np.int64)
    np.add.at(sums[1], group, debit[rows])
    np.add.at(sums[2], group, credit[rows])
    sums[0] = sums[1] - sums[2]
    keys = np.asarray(keys, dtype=np.int64)
    pair, month = np.divmod(keys, span)
    account_code, aux_code = np.divmod(pair, aux.size)
    accounts = account.texts().astype(str).to_numpy()
    auxes = aux.texts().astype(str).to_numpy()
    return pd.DataFrame({
        "account": accounts.take(account_code), "aux": auxes.take(aux_code),
        "m": (month + low).astype(month_idx.dtype), "net": sums[0], "debit": sums[1], "credit": sums[2],
    })


class Ledger:
    """Monthly movements and month-end balances of every (account, auxiliary account).

    Amounts are integer cents, debit-positive (debit − credit).
    """

    def __init__(
        self,
        entries: pd.DataFrame,
        fy_start_month: int = 1,
        opening_journals: Iterable[str] = ("AN", "ANO", "RAN"),
        fiscal_years: Sequence[tuple[Month, Month]] = (),
        calendar: FiscalCalendar | None = None,
    ) -> None:
        #: the fiscal years (``calendar`` when given, else ``fy_start_month`` and ``fiscal_years``)
        self.calendar = calendar or FiscalCalendar(fy_start_month, tuple(fiscal_years))
        self.fy_start_month = self.calendar.start_month
        self._memo: dict[tuple[object, ...], Any] = {}
        journals = {j.upper() for j in opening_journals}
        dates = entries["date"]
        month_idx = (dates.dt.year * 12 + dates.dt.month - 1).to_numpy()
        journal = _Distinct(entries["journal"])
        is_opening = journal.rows(journal.texts().str.upper().isin(journals).to_numpy(dtype=bool))
        account = _Distinct(entries["account"])
        first = account.first_rows()
        self.labels: dict[str, str] = dict(zip(entries["account"].iloc[first], entries["account_label"].iloc[first]))

        moving = ~is_opening
        if not moving.any():
            raise Unavailable("aucune écriture hors à-nouveaux")
        self.first = _month(int(month_idx[moving].min()))
        self.last = _month(int(month_idx[moving].max()))
        aux = _Distinct(entries["aux_account"])
        debit = entries["debit"].to_numpy(dtype=np.int64)
        credit = entries["credit"].to_numpy(dtype=np.int64)
        frame = _summed(account, aux, month_idx, debit, credit, moving)

        self.years = self.calendar.spans(self.first, self.last)
        columns = list(range(_month_index(self.years[0][0]), _month_index(self.last) + 1))
        self._columns = columns
        mov = frame.groupby(["account", "aux", "m"])["net"].sum().unstack("m")
        self.movements_by_aux = mov.reindex(columns=columns, fill_value=0).fillna(0).astype(np.int64)
        flows = frame.groupby(["account", "m"])[["debit", "credit"]].sum()
        self._debits = flows["debit"].unstack("m").reindex(columns=columns).fillna(0).astype(np.int64)
        self._credits = flows["credit"].unstack("m").reindex(columns=columns).fillna(0).astype(np.int64)

        opening = _summed(account, aux, month_idx, debit, credit, is_opening)
        years = {m: _month_index(self.year_of(_month(int(m)))[0]) for m in opening["m"].unique().tolist()}
        opening["fy"] = [years[m] for m in opening["m"].tolist()]
        self._opening = {
            fy: group.groupby(["account", "aux"])["net"].sum() for fy, group in opening.groupby("fy")
        }
        self.balances_by_aux = self._balances()

    def _balances(self) -> pd.DataFrame:
        mov = self.movements_by_aux
        index = mov.index
        for series in self._opening.values():
            index = index.union(series.index)
        index = index.union(pd.MultiIndex.from_tuples([(RETAINED_EARNINGS, "")]))
        mov = mov.reindex(index, fill_value=0)
        accounts = index.get_level_values(0)
        pl = np.array([a[:1] in ("6", "7") for a in accounts])
        result = pd.DataFrame(0, index=index, columns=self._columns, dtype=np.int64)
        previous_close: pd.Series | None = None
        column = 0
        for year_start, year_end in self.years:
            fy_start = _month_index(year_start)
            fy_columns = [c for c in self._columns if fy_start <= c <= _month_index(year_end)]
            if fy_start in self._opening:
                start = self._opening[fy_start].reindex(index, fill_value=0)
            elif previous_close is not None:
                start = previous_close.copy()
                carried = int(start[pl].sum())
                start[pl] = 0
                start[(RETAINED_EARNINGS, "")] += carried
            else:
                start = pd.Series(0, index=index, dtype=np.int64)
            if column == 0:
                self.opening = start
            cumulated = mov[fy_columns].cumsum(axis=1).add(start, axis=0)
            result[fy_columns] = cumulated
            previous_close = cumulated[fy_columns[-1]]
            column += len(fy_columns)
        return result

    def year_of(self, month: Month) -> tuple[Month, Month]:
        """The fiscal year (first and last month) containing ``month``."""
        return self.calendar.year_of(month)

    @property
    def months(self) -> list[Month]:
        """Every month from the first fiscal year's start to the last month with entries."""
        return [_month(c) for c in self._columns]

    def covers(self, window: Window) -> bool:
        """Whether the ledger has movements for every month of ``window``."""
        return self.first <= window.start and window.end <= self.last

    def require(self, window: Window) -> None:
        """Raise :class:`Unavailable` unless the ledger covers ``window``."""
        if not self.covers(window):
            raise Unavailable(
                f"écritures disponibles de {self.first} à {self.last}, pas sur {window}"
            )

    def balances(self, month: Month) -> pd.Series:
        """Month-end balance of each (account, aux), debit-positive, in cents.

        The month before the first fiscal year gives the opening balances (à-nouveaux).
        """
        if month == self.months[0].shift(-1):
            return self.opening
        return self.balances_by_aux[_month_index(month)]

    def movements(self, window: Window) -> pd.Series:
        """Net movement (debit − credit) of each account over ``window``, à-nouveaux excluded.

        Computed once per window (KPIs, statements and the tableau de flux ask for the same
        windows many times); the returned series must not be modified.
        """
        cached = self._memo.get(("movements", window))
        if cached is None:
            columns = [_month_index(m) for m in window.months]
            cached = self._memo[("movements", window)] = (
                self.movements_by_aux[columns].sum(axis=1).groupby(level=0).sum()
            )
        return cached

    def prefixed(self, index: pd.Index, prefixes: tuple[str, ...]) -> np.ndarray:
        """Boolean mask of the accounts of ``index`` (level 0) starting with one of ``prefixes``."""
        # A column of a frame comes with a new view of the frame's index each time: pandas gives
        # the views of one index the same identity (``Index.is_``), which keys the mask.
        identity = getattr(index, "_id", None) or index
        key = ("prefixed", id(identity), prefixes)
        mask = self._memo.get(key)
        if mask is None:
            accounts = index.get_level_values(0) if isinstance(index, pd.MultiIndex) else index
            mask = self._memo[key] = np.asarray(accounts.astype(str).str.startswith(prefixes), dtype=bool)
            self._memo[("keep", id(identity))] = identity  # keeps ``id(identity)`` from being reused
        return mask

    def trial_balance(self, month: Month) -> pd.DataFrame:
        """The balance générale at the end of ``month``: one row per account.

        Columns: ``account``, ``label``, ``debit`` and ``credit`` (the month's movements),
        ``balance`` (month-end balance, debit-positive); all in cents.
        """
        column = _month_index(month)
        balance = self.balances(month).groupby(level=0).sum()
        table = pd.DataFrame({
            "debit": self._debits[column] if column in self._debits else 0,
            "credit": self._credits[column] if column in self._credits else 0,
        }).reindex(balance.index, fill_value=0)
        table["balance"] = balance
        table = table.reset_index().rename(columns={"index": "account"})
        table.insert(1, "label", table["account"].map(self.labels).fillna(""))
        return table

    def flows(self, prefixes: tuple[str, ...], window: Window, side: str) -> int:
        """Total debit (or credit) movements of accounts starting with ``prefixes``, in cents.

        The accounts' monthly totals are summed once per ``prefixes`` and side (the cash plan and
        its backtest ask for the same accounts over many windows).
        """
        table = self._debits if side == "debit" else self._credits
        columns = [_month_index(m) for m in window.months]
        positions = [column - self._columns[0] for column in columns]
        if not all(0 <= position < len(self._columns) for position in positions):
            return int(table[self.prefixed(table.index, prefixes)][columns].to_numpy().sum())  # raises KeyError
        monthly = self._memo.get(("flows", side, prefixes))
        if monthly is None:
            monthly = self._memo[("flows", side, prefixes)] = (
                table.to_numpy()[self.prefixed(table.index, prefixes)].sum(axis=0))
        return int(monthly[positions].sum())
