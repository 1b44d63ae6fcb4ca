"""KPI plugins: the :class:`KPI` interface and what a KPI reads (:class:`KPIContext`).

A KPI plugin returns :class:`KPI` instances from ``register_kpis``. The host computes each
over every window (month, fiscal year to date, last twelve months, fiscal year), compares it
with the previous period, N-1 and the budget, and gives it a status from its thresholds; the
results reach sections and alert rules as :class:`KPIResult` through :class:`Figures`.

:class:`KPIContext`, :class:`Ledger`, :class:`Statements` and :class:`Figures` are
:class:`~typing.Protocol`\\ s: what the host promises to hand a plugin, not the host's classes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from ..errors import Unavailable
from ..periods import FiscalCalendar, Month, Window, WindowKind
from .records import Company, Issue, Thresholds
from .settings import SettingsTable

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "KPI",
    "STATUS_LABELS",
    "Comparison",
    "Estimated",
    "Figures",
    "KPIContext",
    "KPIResult",
    "Ledger",
    "Statements",
    "Thresholds",
    "Unavailable",
]

T = TypeVar("T")

#: Status id → (French, English) label.
STATUS_LABELS: Mapping[str, tuple[str, str]] = {
    "ok": ("ok", "ok"),
    "warn": ("à surveiller", "watch"),
    "alert": ("alerte", "alert"),
}


class Ledger(Protocol):
    """The general ledger as monthly movements and month-end balances, in integer cents.

    Amounts are debit-positive (debit − credit), per (account, auxiliary account).
    """

    #: first and last month with entries other than à-nouveaux
    first: Month
    last: Month
    #: the fiscal years covered, oldest first, as (first month, last month)
    years: Sequence[tuple[Month, Month]]
    #: account number → label, as written in the entries
    labels: Mapping[str, str]

    @property
    def months(self) -> list[Month]:
        """Every month from the first fiscal year's start to the last month with entries."""

    def year_of(self, month: Month) -> tuple[Month, Month]:
        """The fiscal year (first and last month) containing ``month``."""

    def covers(self, window: Window) -> bool:
        """Whether the ledger has movements for every month of ``window``."""

    def require(self, window: Window) -> None:
        """Raise :class:`Unavailable` unless the ledger covers ``window``."""

    def balances(self, month: Month) -> pd.Series:
        """Month-end balance of each (account, aux) in cents; shared, do not modify."""

    def movements(self, window: Window) -> pd.Series:
        """Net movement of each account over ``window`` in cents, à-nouveaux excluded; shared."""

    def flows(self, prefixes: tuple[str, ...], window: Window, side: str) -> int:
        """Total debit (``side="debit"``) or credit movements of accounts starting with ``prefixes``, in cents."""

    def trial_balance(self, month: Month) -> pd.DataFrame:
        """The balance générale at the end of ``month``: account, label, debit, credit, balance (cents)."""


class Statements(Protocol):
    """Monthly compte de résultat (with SIG) and bilan of the ledger, in integer cents.

    ``pl`` and ``bilan`` are frames indexed by :class:`Month`, one column per line of
    :mod:`boardpack.api.accounts`; ``bilan`` has one more row, the opening balance sheet.
    """

    ledger: Ledger
    pl: pd.DataFrame
    bilan: pd.DataFrame

    def pl_line(self, line: str, window: Window) -> Decimal:
        """A compte de résultat line or SIG subtotal over ``window``, in euros."""

    def pl_window(self, window: Window) -> pd.Series:
        """Every P&L line over ``window``, in cents (shared: do not modify)."""

    def bilan_line(self, line: str, month: Month) -> Decimal:
        """A bilan line or total at the end of ``month``, in euros."""

    def split_balance(self, prefixes: tuple[str, ...], month: Month, side: str) -> Decimal:
        """Debit or credit balances of the accounts starting with ``prefixes`` at ``month`` end, in euros."""


class KPIContext(Protocol):
    """What a KPI (or a quality check) may read: one company's datasets, ledger, statements, budget.

    Every accessor raises :class:`Unavailable` with a reason the reader can act on when the
    data is not there, so a KPI never shows 0 for « unknown ».
    """

    #: the canonical datasets loaded, by name (shared: never modify a frame)
    datasets: Mapping[str, pd.DataFrame]
    company: Company
    #: fiscal years the data itself defines (a FEC's year), as (first month, last month)
    fiscal_years: tuple[tuple[Month, Month], ...]
    #: the company's fiscal years, resolved once per build: every window is made from it
    calendar: FiscalCalendar
    #: journal codes holding à-nouveaux
    opening_journals: tuple[str, ...]

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` called once per ``key`` for this company's data, then remembered
        (an :class:`Unavailable` too); the result is shared: never modify it."""

    def dataset(self, name: str) -> pd.DataFrame:
        """The dataset ``name``; unavailable when no source provides it or it is empty."""

    def window(self, kind: WindowKind, end: Month) -> Window:
        """The window of ``kind`` ending at ``end`` in the company's fiscal calendar."""

    @property
    def ledger(self) -> Ledger:
        """The ledger of the ``entries`` dataset."""

    @property
    def statements(self) -> Statements:
        """Monthly P&L (with SIG) and bilan."""

    def pl(self, line: str, window: Window) -> Decimal:
        """A compte de résultat line or SIG subtotal over ``window``, in euros."""

    def bilan(self, line: str, month: Month) -> Decimal:
        """A bilan line or total at the end of ``month``, in euros."""

    def split_balance(self, prefixes: tuple[str, ...], month: Month, side: str) -> Decimal:
        """Debit or credit balances of the accounts starting with ``prefixes`` at ``month`` end, in euros."""

    def debits(self, prefixes: tuple[str, ...], window: Window) -> Decimal:
        """Debit movements on accounts starting with ``prefixes`` over ``window``, in euros."""

    def budget(self, line: str, window: Window, stock: bool = False) -> Decimal:
        """The budget of ``line`` over ``window`` (its last month only for a ``stock`` line), in euros."""

    def settings(self, table: str) -> Mapping[str, Any]:
        """A plugin-owned config table, checked and completed with its defaults (empty if absent)."""


@dataclass(frozen=True)
class Estimated:
    """A value a KPI could only estimate, and on what basis: return it from :meth:`KPI.compute`
    when the dataset the formula wants is absent and a fallback exists (the DSCR from the
    movements of the 16x accounts when there is no ``loans`` schedule).

    The result carries ``basis`` as :attr:`KPIResult.estimate`; packs show the value as an
    estimate (« ≈ 2,41 (estimation) ») with that basis.
    """

    value: Decimal
    #: what the estimate rests on, ``{"fr": …, "en": …}``
    basis: Mapping[str, str]


class KPI(ABC):
    """A key figure: what it is, how it is computed, for whom, and when to worry.

    ``unit`` is one of ``money`` (euros), ``percent``, ``days``, ``ratio``, ``count``,
    ``years`` or a free unit label (``"pièces"``). ``direction`` is ``"up"`` when higher is
    better, ``"down"`` when lower is better, ``None`` when neither. ``needs`` lists the datasets
    the KPI reads; if one is missing the KPI is « non disponible » with that reason.
    ``budget_line`` names the ``budget`` line to compare with, if any. ``settings`` declares
    the config tables the KPI reads (see :mod:`boardpack.api.settings`).
    """

    id: ClassVar[str]
    label: ClassVar[Mapping[str, str]]
    formula: ClassVar[Mapping[str, str]]
    unit: ClassVar[str]
    needs: ClassVar[tuple[str, ...]] = ()
    direction: ClassVar[Literal["up", "down"] | None] = "up"
    thresholds: ClassVar[Thresholds | None] = None
    audiences: ClassVar[tuple[str, ...]] = ()
    budget_line: ClassVar[str | None] = None
    #: ``flow`` figures add up over a window (CA); ``stock`` figures are read at its end
    #: (trésorerie). A stock's budget is the budget of its last month.
    nature: ClassVar[Literal["flow", "stock"]] = "flow"
    #: The window shown on tiles and in alerts (``month``, ``ytd``, ``ltm`` or ``fy``).
    headline: ClassVar[str] = "month"
    #: A family sections gather KPIs by: the operations section lists the KPIs of the groups
    #: ``delais``, ``volumes``, ``couts`` and ``qualite``; empty for none.
    group: ClassVar[str] = ""
    settings: ClassVar[tuple[SettingsTable, ...]] = ()

    @abstractmethod
    def compute(self, ctx: KPIContext, window: Window) -> Decimal | Estimated:
        """Return the value over ``window`` (an :class:`Estimated` one when only a fallback basis
        exists); raise :class:`Unavailable` with a reason if not computable."""

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """Return the budgeted value over ``window`` (by default from ``budget_line``)."""
        if self.budget_line is None:
            raise Unavailable("pas de ligne budgétaire pour cet indicateur")
        return ctx.budget(self.budget_line, window, stock=self.nature == "stock")

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Return the value split by segment, customer, product or project, largest first.

        Only KPIs that can be split implement it; the others are « pas de ventilation ».
        """
        raise Unavailable("pas de ventilation pour cet indicateur")


@dataclass(frozen=True)
class Comparison:
    """A KPI compared with a reference: ``previous`` period, ``n1`` or ``budget``."""

    kind: str
    window: Window
    value: Decimal | None
    reason: str | None = None

    def delta(self, current: Decimal | None) -> Decimal | None:
        """``current − reference`` (for a percent KPI, in points), or ``None``."""
        if current is None or self.value is None:
            return None
        return current - self.value

    def delta_pct(self, current: Decimal | None) -> Decimal | None:
        """Relative change in %, ``None`` when undefined (reference 0 or missing)."""
        if current is None or self.value is None or self.value == 0:
            return None
        return (current - self.value) / abs(self.value) * 100


@dataclass(frozen=True)
class KPIResult:
    """One KPI over one window: its value (or the reason it has none), status and comparisons."""

    kpi: KPI
    window: Window
    value: Decimal | None
    reason: str | None
    status: str | None
    thresholds: Thresholds | None
    comparisons: Mapping[str, Comparison] = field(default_factory=dict)
    #: the dataset or config table whose absence is the ``reason`` (``Unavailable.needs``):
    #: such a KPI is left out of the pack and listed on its closing page
    needs: str | None = None
    #: for an estimated value (:class:`Estimated`), what it rests on (``{"fr": …, "en": …}``)
    estimate: Mapping[str, str] | None = None

    @property
    def available(self) -> bool:
        """Whether the value could be computed."""
        return self.value is not None

    def headroom(self) -> Decimal | None:
        """Distance to the alert threshold, positive when on the safe side."""
        if self.value is None or self.thresholds is None or self.thresholds.alert is None:
            return None
        gap = self.value - self.thresholds.alert
        return -gap if self.kpi.direction == "down" else gap

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description (numbers as strings to keep their exactness)."""
        return {
            "id": self.kpi.id,
            "label": self.kpi.label["fr"],
            "label_en": self.kpi.label.get("en", ""),
            "window": self.window.kind,
            "period": str(self.window),
            "value": None if self.value is None else str(self.value),
            "unit": self.kpi.unit,
            "status": self.status,
            "reason": self.reason,
            "comparisons": {
                kind: {
                    "period": str(c.window),
                    "value": None if c.value is None else str(c.value),
                    "delta": None if c.delta(self.value) is None else str(c.delta(self.value)),
                    "reason": c.reason,
                }
                for kind, c in self.comparisons.items()
            },
        }


class Figures(Protocol):
    """The computed figures of one company, as sections and alert rules see them.

    Results are computed on first request and cached for the build.
    """

    #: the KPIs selected for this build, by id
    kpis: Mapping[str, KPI]
    #: the data the KPIs were computed from
    ctx: KPIContext
    #: the data-quality issues found before the build (blocking ones first in importance)
    issues: Sequence[Issue]

    def thresholds(self, kpi: KPI) -> Thresholds | None:
        """The thresholds in force: the config's override, else the KPI's defaults."""

    def value(self, kpi: KPI, window: Window, budget: bool = False) -> tuple[Decimal | None, str | None]:
        """``(value, None)`` or ``(None, reason)`` for ``kpi`` (or its budget) over ``window``."""

    def status(self, kpi: KPI, value: Decimal | None) -> str | None:
        """``ok``, ``warn`` or ``alert`` from the thresholds; ``None`` without thresholds or value."""

    def result(self, kpi: KPI, end: Month, kind: WindowKind) -> KPIResult:
        """``kpi`` over the ``kind`` window ending at ``end``, with its comparisons."""

    def history(self, kpi: KPI, end: Month, months: int = 24,
                kind: WindowKind = "month") -> list[tuple[Month, Decimal | None]]:
        """Values of the ``kind`` window ending at each of the ``months`` months up to ``end``."""
