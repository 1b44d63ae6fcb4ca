"""The figures of a pack as CSV files, embedded in its PDF/A so a reader can recompute them.

Every file is UTF-8 without BOM, one header row, ``;`` as separator, ``.`` as decimal point
and no thousands separator; amounts are in euros with their cents; an empty cell means
« not available ». The files, attached to the PDF with the relationship ``Data``:

``indicateurs.csv``
    one row per KPI of the pack (its audience's KPIs, in the pack's order) and window,
    ``month``, ``ytd``, ``ltm`` then ``fy``. Columns: ``id;label;window;period;value;unit;
    status;n1;budget;reason;formula``. ``period`` is the window (``2026-10`` or
    ``2026-01..2026-10``), ``n1`` the value over the same window a year earlier, ``budget``
    the budget of the window, ``reason`` why a value is missing, ``formula`` how it is
    computed; ``label``, ``reason`` and ``formula`` are in the pack's language.
``compte_de_resultat.csv``
    one row per compte de résultat line then per SIG subtotal. Columns: ``id;label;kind``,
    then one column per month of the fiscal year to date (``2026-01`` … ``2026-10``) and
    ``ytd``, their sum. Products and charges are positive, subtotals signed.
``bilan.csv``
    one row per bilan line then per total. Columns: ``id;label;side``, then the balance at
    the end of the period and at the end of the previous fiscal year, each column named by
    its month (``2026-10;2025-12``).

``faits_cites.csv``
    the pack's fact table: one row per fact its pages quote (:mod:`boardpack.api.facts`), in
    the order first quoted (the facts of every pack bound, each once, for a combined PDF).
    Columns: ``id;label;kind;window;value;unit;definition;reason``; ``window`` is the period
    (``2026-10``, ``2026-01..2026-10``), a bilan fact's the month at whose end it is read.

Sections add their own files (:meth:`boardpack.api.Section.attachments`): the forecast
sections attach ``plan_tresorerie.csv``, ``echeancier_emprunts.csv``, ``ratios_donnees.csv`` and
``backtest_tresorerie.csv`` (see :mod:`boardpack.forecast.export`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ..accounting.pcg import BILAN_LINES, BILAN_TOTAL_LINES, PL_LINES, SIG_LINES, StatementLine
from ..accounting.statements import Statements, cents_to_euros
from ..api.facts import Fact
from ..api.kpis import KPI
from ..errors import Unavailable
from ..periods import WINDOW_KINDS, Month
from .pdf import EmbeddedFile

if TYPE_CHECKING:
    from ..api.kpis import Figures
    from ..api.sections import PackContext

__all__ = ["FACTS_HEADER", "INDICATORS_HEADER", "bilan_csv", "facts_csv", "indicators_csv", "pack_files", "pl_csv",
           "section_files"]

INDICATORS_HEADER = ("id", "label", "window", "period", "value", "unit", "status", "n1", "budget",
                     "reason", "formula")
FACTS_HEADER = ("id", "label", "kind", "window", "value", "unit", "definition", "reason")
_FORMAT = "UTF-8, séparateur « ; », point décimal, montants en euros"


def pack_files(packs: Sequence[PackContext]) -> tuple[EmbeddedFile, ...]:
    """The CSV files of one pack, or of several packs bound together (KPIs of them all).

    The statements files are left out when the data has no ledger.
    """
    first = packs[0]
    kpis: dict[str, KPI] = {}
    for pack in packs:
        kpis.update((kpi.id, kpi) for kpi in pack.kpis_for_audience() if kpi.id not in kpis)
    language = first.language
    files = [EmbeddedFile("indicateurs.csv", indicators_csv(first.engine, kpis.values(), first.period, language),
                          f"Indicateurs du dossier par fenêtre, avec N-1 et budget ({_FORMAT})")]
    quoted = {fact.id: fact for pack in packs for fact in pack.facts.quoted()}
    if quoted:
        files.append(EmbeddedFile("faits_cites.csv", facts_csv(list(quoted.values()), language),
                                  f"Faits cités par le dossier, avec leur définition ({_FORMAT})"))
    try:
        statements = first.engine.ctx.statements
    except Unavailable:
        return tuple(files) + section_files(packs)
    files.append(EmbeddedFile("compte_de_resultat.csv", pl_csv(statements, first.period, language),
                              f"Compte de résultat mensuel de l'exercice en cours ({_FORMAT})"))
    files.append(EmbeddedFile("bilan.csv", bilan_csv(statements, first.period, language),
                              f"Bilan à la fin de la période et de l'exercice précédent ({_FORMAT})"))
    return tuple(files) + section_files(packs)


def section_files(packs: Sequence[PackContext]) -> tuple[EmbeddedFile, ...]:
    """The files the packs' sections attach (:meth:`boardpack.api.Section.attachments`), each
    name once, in the order of the sections."""
    from ..plugins import get_registry

    sections = get_registry().sections
    files: dict[str, EmbeddedFile] = {}
    for pack in packs:
        for name in pack.audience.sections:
            section = sections.get(name)
            if section is None:
                continue
            try:
                attached = section.attachments(pack)
            except Unavailable:
                continue
            for file_name, content, description in attached:
                files.setdefault(file_name, EmbeddedFile(file_name, content, f"{description} ({_FORMAT})"))
    return tuple(files.values())


def indicators_csv(engine: Figures, kpis: Iterable[KPI], period: Month, language: str = "fr") -> bytes:
    """``indicateurs.csv``: every KPI of ``kpis`` over each window ending at ``period``."""
    rows: list[list[str]] = [list(INDICATORS_HEADER)]
    for kpi in kpis:
        for kind in WINDOW_KINDS:
            result = engine.result(kpi, period, kind)
            rows.append([
                kpi.id, _text(kpi.label, language), kind, str(result.window), _number(result.value),
                kpi.unit, result.status or "", _number(result.comparisons["n1"].value),
                _number(result.comparisons["budget"].value), result.reason or "",
                _text(kpi.formula, language),
            ])
    return _csv(rows)


def facts_csv(facts: Sequence[Fact], language: str = "fr") -> bytes:
    """``faits_cites.csv``: the facts a pack quoted, with their definitions."""
    rows: list[list[str]] = [list(FACTS_HEADER)]
    for fact in facts:
        rows.append([fact.id, _text(fact.label, language), fact.comparison or fact.kind, str(fact.window),
                     _number(fact.value), fact.unit, _text(fact.definition, language), fact.reason or ""])
    return _csv(rows)


def pl_csv(statements: Statements, period: Month, language: str = "fr") -> bytes:
    """``compte_de_resultat.csv``: the monthly P&L of the fiscal year up to ``period``."""
    start = statements.ledger.year_of(period)[0]
    months = [m for m in statements.pl.index if start <= m <= period]
    rows: list[list[str]] = [["id", "label", "kind", *map(str, months), "ytd"]]
    for line in (*PL_LINES.values(), *SIG_LINES.values()):
        values = [int(statements.pl.loc[m, line.id]) for m in months]
        rows.append([line.id, line.label(language), line.kind, *map(_cents, values), _cents(sum(values))])
    return _csv(rows)


def bilan_csv(statements: Statements, period: Month, language: str = "fr") -> bytes:
    """``bilan.csv``: the bilan at the end of ``period`` and of the previous fiscal year."""
    ends = [period, statements.ledger.year_of(period)[0].shift(-1)]
    rows: list[list[str]] = [["id", "label", "side", *map(str, ends)]]
    lines: list[StatementLine] = [*BILAN_LINES.values(), *BILAN_TOTAL_LINES.values()]
    for line in lines:
        cells = [_cents(int(statements.bilan.loc[m, line.id])) if m in statements.bilan.index else ""
                 for m in ends]
        rows.append([line.id, line.label(language), line.kind, *cells])
    return _csv(rows)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _cents(cents: int) -> str:
    return format(cents_to_euros(cents), "f")


def _text(labels: Mapping[str, str], language: str) -> str:
    return labels.get(language) or labels.get("fr") or ""
