"""Facts: the figures a pack quotes, each computed once for the build with its definition.

Every figure a section, a tile or a sentence shows is a :class:`Fact`: a KPI over a window, a
statement line (compte de résultat or SIG over a window, bilan at a month end), a line of the
tableau de flux, or one of their comparisons (N-1, budget, previous period). The host computes
each fact once per build and hands the same :class:`Fact` to every page and every pack; a
section reaches them through ``pack.facts`` (:class:`Facts`) and quotes them — it never
recomputes a figure from the ledger. What a pack quoted is its fact table
(:meth:`Facts.quoted`), written in its companion workbook (sheet « Faits cités ») and attached
to its PDF/A (``faits_cites.csv``).

Ids are stable and readable: ``kpi:dso[ltm 2025-11..2026-10]``,
``chiffre_affaires[ytd 2026-01..2026-10]``, ``bilan:capitaux_propres[2026-10]``,
``flux:fte[ytd 2026-01..2026-10]``; a comparison adds ``@n1``, ``@budget`` or ``@previous`` to
the id of the fact it compares with (``chiffre_affaires[ytd 2026-01..2026-10]@budget``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from ..errors import Unavailable
from ..periods import Month, Window, WindowKind

__all__ = ["FACT_COMPARISONS", "FACT_KINDS", "Fact", "FactKind", "Facts", "fact_id"]

#: What a fact is: a KPI, a compte de résultat (or SIG) line, a bilan line, a line of the
#: tableau de flux, or a comparison of one of them (N-1, budget, previous period).
FactKind = Literal["kpi", "pl", "bilan", "flow", "comparison"]
FACT_KINDS: tuple[str, ...] = ("kpi", "pl", "bilan", "flow", "comparison")

#: The comparisons a fact may have: the previous period, the same period a year earlier, the budget.
FACT_COMPARISONS: tuple[str, ...] = ("previous", "n1", "budget")

_PREFIX = {"kpi": "kpi:", "pl": "", "bilan": "bilan:", "flow": "flux:"}


def fact_id(kind: str, name: str, window: Window, comparison: str | None = None) -> str:
    """The stable id of a fact: ``kpi:dso[ltm 2025-11..2026-10]``, ``chiffre_affaires[ytd
    2026-01..2026-10]``, ``bilan:stocks[2026-10]`` (a month end), ``flux:fte[ytd …]``; a
    comparison appends ``@n1``, ``@budget`` or ``@previous``.

    :param kind: ``kpi``, ``pl``, ``bilan`` or ``flow`` — the kind of the fact compared with,
        for a comparison.
    """
    where = str(window.end) if kind == "bilan" else f"{window.kind} {window}"
    base = f"{_PREFIX[kind]}{name}[{where}]"
    return f"{base}@{comparison}" if comparison else base


@dataclass(frozen=True)
class Fact:
    """One computed figure of the build: what it is, over which window, its value (or why it
    has none) and how it is defined.

    ``value`` is exact (a :class:`~decimal.Decimal`, amounts in euros summed from integer
    cents), rounded only when a page formats it; ``None`` with ``reason`` when it cannot be
    computed — never 0 for « unknown ».
    """

    #: the stable id (:func:`fact_id`)
    id: str
    #: ``kpi``, ``pl``, ``bilan``, ``flow`` or ``comparison`` (:data:`FactKind`)
    kind: FactKind
    #: the KPI id, statement line or flow key (``dso``, ``chiffre_affaires``, ``fte``)
    name: str
    #: ``{"fr": …, "en": …}``; a comparison's label is the label of the fact it compares with
    label: Mapping[str, str]
    #: the window the value covers (the window of the reference for a comparison); a bilan
    #: fact's is the one month at whose end it is read
    window: Window
    value: Decimal | None
    #: why there is no value (``None`` when there is one)
    reason: str | None
    #: ``money``, ``percent``, ``days``, ``ratio``… as a KPI's unit
    unit: str
    #: how it is computed, ``{"fr": …, "en": …}``: a KPI's formula, a statement line's accounts
    #: (PCG mapping) or SIG formula, a cash-flow line's rule
    definition: Mapping[str, str]
    #: for a comparison: ``previous``, ``n1`` or ``budget``, and the id of the fact compared with
    comparison: str | None = None
    of: str | None = None
    #: for an estimated value (a KPI's :class:`~boardpack.api.Estimated`), what it rests on
    estimate: Mapping[str, str] | None = None
    #: for a budget rebuilt from the budgeted lines of a SIG subtotal: the base lines the budget
    #: does not hold and counts as zero although they carry actual amounts over the window
    counted_zero: tuple[str, ...] = field(default_factory=tuple)

    @property
    def available(self) -> bool:
        """Whether the fact has a value."""
        return self.value is not None

    def require(self) -> Decimal:
        """The value; :class:`~boardpack.api.Unavailable` with the fact's reason when it has none
        (a section that cannot stand without this figure lets it propagate)."""
        if self.value is None:
            raise Unavailable(self.reason or f"{self.id} non disponible")
        return self.value

    def text(self, labels: Mapping[str, str], language: str) -> str:
        """One of the fact's ``{"fr": …, "en": …}`` texts (its ``label`` or ``definition``) in ``language``."""
        return labels.get(language) or labels.get("fr", "")


class Facts(Protocol):
    """The build's fact table as one pack sees it (``pack.facts``).

    Each accessor returns a :class:`Fact` — an unavailable one (``value`` ``None``, with its
    reason) rather than raising — and records it as quoted by the pack. ``kind`` is a window
    kind ending at the pack's period (``month``, ``ytd``, ``ltm``, ``fy``) or a
    :class:`~boardpack.api.Window` of the company's calendar (a closed fiscal year).
    """

    def window(self, kind: WindowKind) -> Window:
        """The window of ``kind`` ending at the pack's period, in the company's fiscal calendar."""

    def kpi(self, kpi_id: str, kind: WindowKind | Window | None = None, comparison: str | None = None) -> Fact:
        """KPI ``kpi_id`` over ``kind`` (default: its headline window), or its ``comparison``
        (``previous``, ``n1``, ``budget``); :class:`~boardpack.api.Unavailable` when the KPI is
        not selected or installed."""

    def line(self, name: str, window: Window, comparison: str | None = None) -> Fact:
        """Compte de résultat line or SIG subtotal ``name`` over ``window``, or its ``comparison``:
        ``n1`` (the window a year earlier), ``previous``, ``budget`` (a SIG subtotal the budget
        does not hold is rebuilt from the budgeted lines that make it up)."""

    def balance(self, name: str, month: Month) -> Fact:
        """Bilan line or total ``name`` at the end of ``month``; ``tresorerie_nette`` is the net
        cash (debit balances of 51, 53, 54, 58 less the bank overdrafts)."""

    def accounts(self, prefixes: tuple[str, ...], month: Month, side: Literal["debit", "credit"]) -> Fact:
        """The debit (or credit) balances, per account and auxiliary account, of the accounts
        starting with ``prefixes`` at the end of ``month`` (``bilan:soldes_debiteurs_411[2026-10]``),
        positive: what the ledger says customers owe (``("411",)``, ``"debit"``) or the company owes
        its suppliers (``("401",)``, ``"credit"``)."""

    def flow(self, name: str, window: Window) -> Fact:
        """One line of the tableau de flux over ``window`` (``caf``, ``delta_bfr``, ``fte``,
        ``fti``, ``ftf``, ``variation``, ``tresorerie_debut``, ``tresorerie_fin``, ``ecart``…;
        ``caf_soustractive`` is the CAF by the subtractive method)."""

    def flows(self, window: Window) -> Mapping[str, Fact]:
        """Every line of the tableau de flux over ``window``, by key, in the table's order."""

    def get(self, fact_id: str) -> Fact:
        """A fact this pack quoted, by id; ``KeyError`` for one it did not."""

    def quoted(self) -> Sequence[Fact]:
        """The facts the pack quoted, in the order first quoted: the pack's fact table."""
