"""Banque de France-style analysis: the functional balance sheet and the credit analyst's ratios,
each with its formula and its inputs so the banker can recompute it.

Functional balance sheet at a month end (every balance-sheet account in one group, by its
number; gross values, write-downs among the stable resources)::

    ressources stables = capitaux propres (10–14, résultat en cours 6–7)
                         + amortissements et dépréciations (15, 28, 29, 39, 49, 59)
                         + dettes financières (16–18)
    emplois stables    = actif immobilisé brut (20–27)
    FRNG               = ressources stables − emplois stables
    BFRE               = stocks (3) + créances clients (41) + avances fournisseurs
                         − dettes fournisseurs d'exploitation (40 hors 404, 405, 4084)
                         − dettes sociales (42, 43) + TVA (445)
    BFRHE              = autres créances − autres dettes (44 hors 445, 404, 405, 4084, 45–48)
    trésorerie nette   = disponibilités et placements (50–54, 58) − concours bancaires
                       = FRNG − (BFRE + BFRHE)

The identity holds by construction on a balanced ledger (every account of classes 1–7 is in
exactly one group).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..periods import Month

if TYPE_CHECKING:
    from ..api.kpis import Statements

__all__ = ["GROUPS", "FunctionalBalance", "Ratio", "functional_balance", "group_of"]

#: group → (label fr, label en), in display order
GROUPS = {
    "capitaux_propres": ("Capitaux propres (résultat en cours compris)", "Equity (current result included)"),
    "amortissements": ("Amortissements et dépréciations", "Depreciation and write-downs"),
    "dettes_financieres": ("Dettes financières", "Financial debt"),
    "emplois_stables": ("Actif immobilisé brut", "Gross fixed assets"),
    "stocks": ("Stocks bruts", "Gross inventories"),
    "clients": ("Créances clients et avances fournisseurs", "Trade receivables"),
    "fournisseurs": ("Dettes fournisseurs d'exploitation", "Trade payables"),
    "fiscal_social": ("Dettes sociales et TVA", "Social liabilities and VAT"),
    "hors_exploitation": ("Autres créances et dettes (hors exploitation)", "Other receivables and payables"),
    "tresorerie": ("Trésorerie nette", "Net cash"),
}

_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("15", "28", "29", "39", "49", "59"), "amortissements"),
    (("16", "17", "18"), "dettes_financieres"),
    (("1", "6", "7"), "capitaux_propres"),
    (("2",), "emplois_stables"),
    (("3",), "stocks"),
    (("404", "405", "4084"), "hors_exploitation"),
    (("409", "41"), "clients"),
    (("40",), "fournisseurs"),
    (("42", "43", "445"), "fiscal_social"),
    (("4",), "hors_exploitation"),
    (("5",), "tresorerie"),
)


def group_of(account: str) -> str | None:
    """The functional group of a PCG account (``None`` for classes 8 and 9)."""
    for prefixes, group in _RULES:
        if account.startswith(prefixes):
            return group
    return None


@dataclass(frozen=True)
class FunctionalBalance:
    """The functional balance sheet at the end of ``month``: each group's debit-positive balance
    (cents) and the aggregates, resources and liabilities as positive amounts."""

    month: Month
    groups: Mapping[str, int]

    def _credit(self, *names: str) -> int:
        return -sum(self.groups.get(n, 0) for n in names)

    @property
    def ressources_stables(self) -> int:
        """Capitaux propres + amortissements et dépréciations + dettes financières."""
        return self._credit("capitaux_propres", "amortissements", "dettes_financieres")

    @property
    def emplois_stables(self) -> int:
        """Actif immobilisé brut."""
        return self.groups.get("emplois_stables", 0)

    @property
    def frng(self) -> int:
        """Fonds de roulement net global."""
        return self.ressources_stables - self.emplois_stables

    @property
    def bfre(self) -> int:
        """Besoin en fonds de roulement d'exploitation."""
        return sum(self.groups.get(n, 0) for n in ("stocks", "clients", "fournisseurs", "fiscal_social"))

    @property
    def bfrhe(self) -> int:
        """Besoin en fonds de roulement hors exploitation."""
        return self.groups.get("hors_exploitation", 0)

    @property
    def bfr(self) -> int:
        """BFRE + BFRHE."""
        return self.bfre + self.bfrhe

    @property
    def tresorerie(self) -> int:
        """Trésorerie nette as the accounts give it (= FRNG − BFR on a balanced ledger)."""
        return self.groups.get("tresorerie", 0)

    @property
    def gap(self) -> int:
        """FRNG − BFR − trésorerie: zero on a balanced ledger, shown otherwise."""
        return self.frng - self.bfr - self.tresorerie


def functional_balance(statements: Statements, month: Month) -> FunctionalBalance:
    """The functional balance sheet at the end of ``month``."""
    balances = statements.ledger.balances(month).groupby(level=0).sum()
    groups: dict[str, int] = {}
    for account, value in balances.items():
        group = group_of(str(account))
        if group is not None:
            groups[group] = groups.get(group, 0) + int(value)
    return FunctionalBalance(month, groups)


@dataclass(frozen=True)
class Ratio:
    """A ratio of the banker's analysis: its value (``None`` with ``reason`` when it cannot be
    computed), unit, formula, the inputs it is computed from (label → euros), its usual
    thresholds and the status they give."""

    key: str
    label: Mapping[str, str]
    formula: Mapping[str, str]
    unit: str
    value: Decimal | None
    inputs: tuple[tuple[Mapping[str, str], Decimal], ...] = ()
    direction: str | None = None
    warn: Decimal | None = None
    alert: Decimal | None = None
    reason: str | None = None
    source: Mapping[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str | None:
        """``ok``, ``warn`` or ``alert`` against the thresholds (``None`` without value or thresholds)."""
        if self.value is None or self.direction is None:
            return None
        worse = (lambda v, t: v < t) if self.direction == "up" else (lambda v, t: v > t)
        if self.alert is not None and worse(self.value, self.alert):
            return "alert"
        if self.warn is not None and worse(self.value, self.warn):
            return "warn"
        return "ok"

    @property
    def headroom(self) -> Decimal | None:
        """How far the value is from the alert threshold, on the good side when positive."""
        if self.value is None or self.alert is None or self.direction is None:
            return None
        return self.value - self.alert if self.direction == "up" else self.alert - self.value
