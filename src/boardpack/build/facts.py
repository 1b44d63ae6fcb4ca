"""The host's fact table: every figure of a build computed once, shared by all its packs.

:class:`FactTable` holds the build's facts by id; each is computed on first request — KPIs by
the :class:`~.engine.KPIEngine` (its cache is the KPI half of the table), statement lines from
the company's statements, cash-flow lines from :func:`~boardpack.accounting.cashflow.cash_flow`
— and then kept, so the same fact is the same object on every page of every pack of the build.
Money is summed in integer cents by the statements and turned into exact euros; nothing is
rounded before a page formats it. A fact that cannot be computed carries the reason.

Each pack sees the table through a :class:`PackFacts` (``pack.facts``, the
:class:`boardpack.api.facts.Facts` protocol), which records what the pack quoted: the pack's
fact table (:func:`quoted_table`, the workbook's « Faits cités » sheet).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..accounting.cashflow import CashFlow, caf_additive, caf_subtractive, cash_flow, net_cash
from ..accounting.pcg import BILAN_LINES, BILAN_TOTAL_LINES, PL_LINES, SIG_FORMULAS, SIG_LINES
from ..accounting.statements import cents_to_euros
from ..api.facts import FACT_COMPARISONS, Fact, fact_id
from ..api.tables import TABLE_UNITS, Table, TableColumn
from ..errors import Unavailable
from ..formatting import Formatter
from ..i18n import translate
from ..periods import Month, Window, WindowKind
from .engine import KPIEngine
from .fact_definitions import FLOW_LINES, NET_CASH, balance_definition, line_definition, statement_label

__all__ = ["FactTable", "PackFacts", "quoted_rows", "quoted_table"]

_COMPARED = {
    "n1": ({"fr": "la même fenêtre un an plus tôt", "en": "the same window a year earlier"}),
    "previous": ({"fr": "la fenêtre précédente", "en": "the previous window"}),
}


def _expand(line: str) -> dict[str, Fraction]:
    """A statement line as a linear combination of base P&L lines."""
    if line not in SIG_FORMULAS:
        return {line: Fraction(1)}
    out: dict[str, Fraction] = {}
    for sign, term in SIG_FORMULAS[line]:
        for base, coefficient in _expand(term).items():
            out[base] = out.get(base, Fraction(0)) + sign * coefficient
    return {base: c for base, c in out.items() if c}


class FactTable:
    """Every fact of one build (one company, one reporting month), computed on first request.

    :param engine: the build's KPI engine; its context gives the statements and the budget.
    :param period: the reporting month the packs' windows end at.
    """

    def __init__(self, engine: KPIEngine, period: Month) -> None:
        self.engine = engine
        self.period = period
        self._facts: dict[str, Fact] = {}
        self._flows: dict[Window, CashFlow | Unavailable] = {}

    @property
    def ctx(self) -> Any:
        """The company's data (:class:`~boardpack.api.kpis.KPIContext`)."""
        return self.engine.ctx

    def view(self) -> PackFacts:
        """A pack's view of the table, recording what the pack quotes."""
        return PackFacts(self)

    def window(self, kind: WindowKind | Window) -> Window:
        """``kind`` ending at the period, or ``kind`` itself when it is a window."""
        return kind if isinstance(kind, Window) else self.ctx.window(kind, self.period)

    def _kept(self, key: str, make: Callable[[], Fact]) -> Fact:
        fact = self._facts.get(key)
        if fact is None:
            fact = self._facts[key] = make()
        return fact

    @staticmethod
    def _read(compute: Callable[[], Decimal]) -> tuple[Decimal | None, str | None]:
        try:
            return compute(), None
        except Unavailable as exc:
            return None, str(exc)

    def _year_start(self, window: Window) -> Any:
        return self.ctx.window("fy", window.end).start.first_day

    # KPIs -----------------------------------------------------------------------------------

    def kpi(self, kpi_id: str, kind: WindowKind | Window | None = None, comparison: str | None = None) -> Fact:
        """KPI ``kpi_id`` over ``kind`` (its headline window by default), or its comparison."""
        if kpi_id not in self.engine.kpis:
            raise Unavailable(f"indicateur « {kpi_id} » non sélectionné ou non installé")
        kpi = self.engine.kpis[kpi_id]
        window = self.window(kind or kpi.headline)  # type: ignore[arg-type]
        base = fact_id("kpi", kpi_id, window)
        label, definition = dict(kpi.label), dict(kpi.formula)
        if comparison is None:
            def make() -> Fact:
                value, reason = self.engine.value(kpi, window)
                return Fact(base, "kpi", kpi_id, label, window, value, reason, kpi.unit, definition,
                            estimate=self.engine.estimate(kpi, window))
            return self._kept(base, make)
        _check_comparison(comparison)

        def compare() -> Fact:
            ref = {"previous": window.previous(), "n1": window.shift_years(1), "budget": window}[comparison]
            value, reason = self.engine.value(kpi, ref, budget=comparison == "budget")
            return Fact(f"{base}@{comparison}", "comparison", kpi_id, label, ref, value, reason, kpi.unit,
                        _compared(definition, comparison), comparison=comparison, of=base)
        return self._kept(f"{base}@{comparison}", compare)

    # compte de résultat ---------------------------------------------------------------------

    def line(self, name: str, window: Window, comparison: str | None = None) -> Fact:
        """Compte de résultat line or SIG subtotal ``name`` over ``window``, or its comparison."""
        if name not in PL_LINES and name not in SIG_LINES:
            raise ValueError(f"ligne du compte de résultat inconnue : « {name} »")
        base = fact_id("pl", name, window)
        label = statement_label(name)
        definition = line_definition(name, self._year_start(window))
        if comparison is None:
            return self._kept(base, lambda: Fact(base, "pl", name, label, window,
                                                 *self._read(lambda: self.ctx.pl(name, window)), "money", definition))
        _check_comparison(comparison)
        if comparison == "budget":
            return self._kept(f"{base}@budget", lambda: self._budget(name, window, base, label, definition))
        ref = window.shift_years(1) if comparison == "n1" else window.previous()
        return self._kept(f"{base}@{comparison}", lambda: Fact(
            f"{base}@{comparison}", "comparison", name, label, ref, *self._read(lambda: self.ctx.pl(name, ref)),
            "money", _compared(definition, comparison), comparison=comparison, of=base))

    def _budget(self, name: str, window: Window, base: str, label: Mapping[str, str],
                definition: Mapping[str, str]) -> Fact:
        """The budget of a line over a window: read as is when the budget holds the line; a SIG
        subtotal it does not hold is rebuilt from the budgeted lines that make it up (largest
        first), its other base lines counting for zero (as the EBE indicator's budget does)."""
        def fact(value: Decimal | None, reason: str | None, text: Mapping[str, str],
                 zeroed: tuple[str, ...] = ()) -> Fact:
            return Fact(f"{base}@budget", "comparison", name, label, window, value, reason, "money", text,
                        comparison="budget", of=base, counted_zero=zeroed)
        held_text = {"fr": "Budget de la ligne (jeu de données budget)", "en": "Budget of the line (budget dataset)"}
        try:
            frame = self.ctx.dataset("budget")
        except Unavailable as exc:
            return fact(None, str(exc), held_text)
        held = {str(line) for line in frame["line"].unique()}
        if name in held or name not in SIG_FORMULAS:
            return fact(*self._read(lambda: self.ctx.budget(name, window)), held_text)
        remaining = _expand(name)
        known = [line for line in held if line in SIG_FORMULAS or line in PL_LINES]
        total, used = Decimal(0), []
        try:
            for line in sorted(known, key=lambda n: (-len(_expand(n)), n)):
                parts = _expand(line)
                first, coefficient = next(iter(parts.items()))
                factor = remaining.get(first, Fraction(0)) / coefficient
                if not factor or any(remaining.get(b) != factor * c for b, c in parts.items()):
                    continue
                total += self.ctx.budget(line, window) * Decimal(factor.numerator) / Decimal(factor.denominator)
                used.append(line)
                for part in parts:
                    del remaining[part]
        except Unavailable as exc:
            return fact(None, str(exc), held_text)
        if not used:
            return fact(None, f"le budget n'a pas de ligne « {name} » ni des lignes qui la composent", held_text)
        zeroed = tuple(b for b in remaining if self.line(b, window).value)
        text = {language: ("Reconstitué des lignes budgétées : " if language == "fr" else "Rebuilt from the budgeted lines: ")
                + ", ".join(statement_label(line)[language] for line in used) for language in ("fr", "en")}
        if zeroed:
            text = {language: text[language] + (" ; comptées pour zéro : " if language == "fr" else "; counted as zero: ")
                    + ", ".join(statement_label(line)[language] for line in zeroed) for language in ("fr", "en")}
        return fact(total, None, text, zeroed)

    # bilan ------------------------------------------------------------------------------------

    def balance(self, name: str, month: Month) -> Fact:
        """Bilan line or total ``name`` (or ``tresorerie_nette``) at the end of ``month``."""
        window = Window("month", month, month)
        key = fact_id("bilan", name, window)
        year = self.ctx.window("fy", month).start.first_day
        if name == "tresorerie_nette":
            def cash() -> Decimal:
                self.ctx.bilan("total_actif", month)  # availability: the bilan covers the month
                return cents_to_euros(net_cash(self.ctx.statements, month))
            return self._kept(key, lambda: Fact(key, "bilan", name, NET_CASH[0], window, *self._read(cash), "money",
                                                NET_CASH[1]))
        if name not in BILAN_LINES and name not in BILAN_TOTAL_LINES:
            raise ValueError(f"ligne de bilan inconnue : « {name} »")
        return self._kept(key, lambda: Fact(key, "bilan", name, statement_label(name), window,
                                            *self._read(lambda: self.ctx.bilan(name, month)), "money",
                                            balance_definition(name, year)))

    def accounts(self, prefixes: tuple[str, ...], month: Month, side: str) -> Fact:
        """The debit or credit balances of the accounts starting with ``prefixes`` at the end of ``month``."""
        if side not in ("debit", "credit"):
            raise ValueError(f"sens inconnu : « {side} » (attendu : debit, credit)")
        name = f"soldes_{'debiteurs' if side == 'debit' else 'crediteurs'}_{'_'.join(prefixes)}"
        window = Window("month", month, month)
        key = fact_id("bilan", name, window)
        listed = ", ".join(prefixes)
        label = {"fr": f"Soldes {'débiteurs' if side == 'debit' else 'créditeurs'} des comptes {listed}",
                 "en": f"{side.capitalize()} balances of accounts {listed}"}
        definition = {"fr": label["fr"] + ", par compte et compte auxiliaire, à la fin du mois",
                      "en": label["en"] + ", per account and auxiliary account, at the end of the month"}
        return self._kept(key, lambda: Fact(key, "bilan", name, label, window,
                                            *self._read(lambda: self.ctx.split_balance(prefixes, month, side)),
                                            "money", definition))

    # tableau de flux ------------------------------------------------------------------------

    def flow(self, name: str, window: Window) -> Fact:
        """One line of the tableau de flux over ``window``."""
        if name not in FLOW_LINES:
            raise ValueError(f"ligne du tableau de flux inconnue : « {name} »")
        key = fact_id("flow", name, window)
        label, definition = FLOW_LINES[name]
        return self._kept(key, lambda: Fact(key, "flow", name, label, window,
                                            *self._read(lambda: self._flow_value(name, window)), "money", definition))

    def _flow_value(self, name: str, window: Window) -> Decimal:
        if name in ("caf", "caf_soustractive"):  # the CAF needs no opening balance
            self.ctx.ledger.require(window)
            compute = caf_additive if name == "caf" else caf_subtractive
            return cents_to_euros(compute(self.ctx.statements, window)["caf"])
        flows = self._flows.get(window)
        if flows is None:
            try:
                flows = self._flows[window] = cash_flow(self.ctx.statements, window)
            except Unavailable as exc:
                flows = self._flows[window] = exc
        if isinstance(flows, Unavailable):
            raise Unavailable(str(flows), needs=flows.needs)
        return cents_to_euros(flows.as_dict()[name])


def _check_comparison(comparison: str) -> None:
    if comparison not in FACT_COMPARISONS:
        raise ValueError(f"comparaison inconnue : « {comparison} » (attendu : {', '.join(FACT_COMPARISONS)})")


def _compared(definition: Mapping[str, str], comparison: str) -> dict[str, str]:
    """A comparison's definition: the compared fact's, over the reference window."""
    if comparison == "budget":
        return {"fr": "Budget : " + definition.get("fr", ""), "en": "Budget: " + definition.get("en", "")}
    where = _COMPARED[comparison]
    return {"fr": f"{definition.get('fr', '')} — sur {where['fr']}", "en": f"{definition.get('en', '')} — over {where['en']}"}


class PackFacts:
    """One pack's view of the build's :class:`FactTable` (the :class:`boardpack.api.facts.Facts`
    protocol): the same facts, and the record of those the pack quoted."""

    def __init__(self, table: FactTable) -> None:
        self.table = table
        self._quoted: dict[str, Fact] = {}

    def _quote(self, fact: Fact) -> Fact:
        self._quoted.setdefault(fact.id, fact)
        return fact

    def window(self, kind: WindowKind) -> Window:
        """The window of ``kind`` ending at the pack's period."""
        return self.table.window(kind)

    def kpi(self, kpi_id: str, kind: WindowKind | Window | None = None, comparison: str | None = None) -> Fact:
        """KPI ``kpi_id`` over ``kind`` (its headline window by default), or its comparison."""
        return self._quote(self.table.kpi(kpi_id, kind, comparison))

    def line(self, name: str, window: Window, comparison: str | None = None) -> Fact:
        """Compte de résultat line or SIG subtotal ``name`` over ``window``, or its comparison."""
        return self._quote(self.table.line(name, window, comparison))

    def balance(self, name: str, month: Month) -> Fact:
        """Bilan line or total ``name`` (or ``tresorerie_nette``) at the end of ``month``."""
        return self._quote(self.table.balance(name, month))

    def accounts(self, prefixes: tuple[str, ...], month: Month, side: str) -> Fact:
        """The debit or credit balances of the accounts starting with ``prefixes`` at the end of ``month``."""
        return self._quote(self.table.accounts(prefixes, month, side))

    def flow(self, name: str, window: Window) -> Fact:
        """One line of the tableau de flux over ``window``."""
        return self._quote(self.table.flow(name, window))

    def flows(self, window: Window) -> dict[str, Fact]:
        """Every line of the tableau de flux over ``window`` (without the subtractive CAF), by key."""
        return {name: self.flow(name, window) for name in FLOW_LINES if name != "caf_soustractive"}

    def get(self, fact_id: str) -> Fact:
        """A fact this pack quoted, by id."""
        return self._quoted[fact_id]

    def quoted(self) -> list[Fact]:
        """The facts the pack quoted, in the order first quoted."""
        return list(self._quoted.values())


_HEADER = (("Id", "Id"), ("Libellé", "Label"), ("Fenêtre", "Window"), ("Valeur", "Value"), ("Unité", "Unit"),
           ("Définition", "Definition"), ("Raison si non disponible", "Reason when not available"))


def quoted_rows(facts: Sequence[Fact], fmt: Formatter) -> list[tuple[Any, ...]]:
    """One row per fact: id, label, window, value (exact), unit, definition, reason."""
    language = fmt.language
    rows = []
    for fact in facts:
        label = fact.text(fact.label, language)
        if fact.comparison:
            label += {"n1": " (N-1)", "previous": " (période précédente)" if language == "fr" else " (previous)",
                      "budget": " (budget)"}[fact.comparison]
        window = fmt.date(fact.window.end.last_day) if fact.kind == "bilan" else fmt.window(fact.window)
        reason = None if fact.reason is None else translate(fact.reason, language)
        rows.append((fact.id, label, window, fact.value, fact.unit, fact.text(fact.definition, language), reason))
    return rows


def quoted_table(facts: Sequence[Fact], fmt: Formatter) -> Table:
    """The pack's fact table as a :class:`~boardpack.api.tables.Table` (the workbook's « Faits cités »)."""
    language = fmt.language
    t = 0 if language == "fr" else 1
    columns = tuple(TableColumn(names[t], "row" if names[0] == "Valeur" else "text") for names in _HEADER)
    units = tuple(fact.unit if fact.unit in TABLE_UNITS else "ratio" for fact in facts)
    return Table("Faits cités" if language == "fr" else "Facts quoted", columns, quoted_rows(facts, fmt),
                 note="Chaque chiffre du dossier renvoie à l'un de ces faits, calculé une fois pour la construction."
                 if language == "fr" else "Every figure of the pack refers to one of these facts, computed once for the build.",
                 row_units=units)
