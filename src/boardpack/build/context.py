"""The host's implementation of :class:`boardpack.api.kpis.KPIContext`: one company's data.

The datasets, the ledger and its statements (built on first use), the budget and the
plugin-owned config tables. Every accessor raises :class:`~boardpack.errors.Unavailable`
with a reason the reader can act on when the data is not there, so a KPI never shows 0 for
« unknown ».
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from ..accounting import Ledger, Statements
from ..accounting.statements import cents_to_euros
from ..api.records import Company
from ..errors import Unavailable
from ..periods import FiscalCalendar, Month, Window, WindowKind

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["CompanyData"]

T = TypeVar("T")


class CompanyData:
    """Read access to one company's data for KPI plugins (a :class:`~boardpack.api.kpis.KPIContext`).

    :param tables: the plugin-owned config tables, checked and completed with their defaults
        (:attr:`boardpack.config.Config.tables`), served by :meth:`settings`.
    :param calendar: the fiscal years, resolved once per build
        (:func:`boardpack.build.period.resolve_calendar`); by default ``fiscal_years`` and the
        company's ``fiscal_year_start``.
    """

    def __init__(
        self,
        datasets: Mapping[str, pd.DataFrame],
        company: Company,
        fiscal_years: Sequence[tuple[Month, Month]] = (),
        opening_journals: Sequence[str] = (),
        tables: Mapping[str, Mapping[str, Any]] | None = None,
        calendar: FiscalCalendar | None = None,
    ) -> None:
        self.datasets = dict(datasets)
        self.company = company
        self.calendar = calendar or FiscalCalendar(company.fiscal_year_start, tuple(fiscal_years))
        self.fiscal_years = self.calendar.years
        self.opening_journals = tuple(company.opening_journals) + tuple(opening_journals)
        self._tables = dict(tables or {})
        self._memo: dict[Hashable, tuple[object, Unavailable | None]] = {}

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, called once per ``key`` for this company's data, then remembered.

        For what many KPIs (or windows) derive from a dataset the same way: a filtered frame,
        a monthly series. An :class:`Unavailable` raised by ``compute`` is remembered too.
        The result is shared: never modify it.
        """
        if key not in self._memo:
            try:
                self._memo[key] = (compute(), None)
            except Unavailable as exc:
                self._memo[key] = (None, exc)
        value, error = self._memo[key]
        if error is not None:
            raise Unavailable(str(error), needs=error.needs)
        return value  # type: ignore[return-value]

    def dataset(self, name: str) -> pd.DataFrame:
        """The dataset called ``name``; unavailable if no source provides it."""
        frame = self.datasets.get(name)
        if frame is None:
            raise Unavailable(f"aucune source ne fournit le jeu de données « {name} »", needs=name)
        if frame.empty:
            raise Unavailable(f"le jeu de données « {name} » est vide", needs=name)
        return frame

    def window(self, kind: WindowKind, end: Month) -> Window:
        """A window of ``kind`` ending at ``end`` in the company's fiscal calendar."""
        return self.calendar.window(kind, end)

    def settings(self, table: str) -> Mapping[str, Any]:
        """The plugin-owned config table ``table``, checked and completed with its defaults (empty if absent)."""
        return self._tables.get(table, {})

    @cached_property
    def ledger(self) -> Ledger:
        """The ledger of the ``entries`` dataset."""
        return Ledger(self.dataset("entries"), opening_journals=self.opening_journals, calendar=self.calendar)

    @cached_property
    def _budget_lines(self) -> dict[str, pd.Series]:
        """The ``budget`` dataset as one series per line: amount (cents) by month (AAAA-MM)."""
        frame = self.dataset("budget")
        totals = frame.groupby(["line", "period"])["amount"].sum()
        return {str(line): totals.xs(line) for line in totals.index.get_level_values(0).unique()}

    @cached_property
    def statements(self) -> Statements:
        """Monthly P&L (with SIG) and bilan."""
        return Statements(self.ledger)

    def pl(self, line: str, window: Window) -> Decimal:
        """A compte de résultat line or SIG subtotal over ``window``, in euros."""
        return self.statements.pl_line(line, window)

    def bilan(self, line: str, month: Month) -> Decimal:
        """A bilan line or total at the end of ``month``, in euros."""
        return self.statements.bilan_line(line, month)

    def split_balance(self, prefixes: tuple[str, ...], month: Month, side: str) -> Decimal:
        """Debit or credit balances of the accounts starting with ``prefixes`` at ``month`` end."""
        self.statements.bilan_line("total_actif", month)  # availability check
        return self.statements.split_balance(prefixes, month, side)

    def debits(self, prefixes: tuple[str, ...], window: Window) -> Decimal:
        """Debit movements on accounts starting with ``prefixes`` over ``window`` (à-nouveaux excluded)."""
        self.ledger.require(window)
        return cents_to_euros(self.ledger.flows(prefixes, window, "debit"))

    def budget(self, line: str, window: Window, stock: bool = False) -> Decimal:
        """The budget of ``line`` over ``window`` (its last month only for a ``stock`` line)."""
        by_month = self._budget_lines.get(line)
        if by_month is None:
            raise Unavailable(f"le budget n'a pas de ligne « {line} »")
        months = [window.end] if stock else window.months
        missing = [str(m) for m in months if str(m) not in by_month.index]
        if missing:
            raise Unavailable(f"budget « {line} » absent pour {missing[0]}")
        return cents_to_euros(sum(int(by_month[str(m)]) for m in months))
