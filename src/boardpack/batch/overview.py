"""The portfolio overview for the firm's partner: a line per company, what needs attention first.

Written after each ``boardpack batch`` run in the portfolio's output folder as
``portefeuille.pdf`` (A4 landscape), ``portefeuille.csv`` (``;``-separated, UTF-8 with BOM,
French number formats, for a spreadsheet) and ``portefeuille.xlsx`` (numbers as numbers, with
French display formats). A company that was not rebuilt (unchanged) shows the figures of its
last successful build; a company whose build failed shows its error.

Columns: revenue (``chiffre_affaires``), EBE, net cash (``tresorerie_nette``), each over its
KPI's headline window; BFR in days of revenue; DSO; alerts; data quality; packs. The **BFR in
days** is ``BFR × jours des 12 derniers mois ÷ chiffre d'affaires des 12 derniers mois`` (BFR
at the end of the month, revenue over the LTM window and that window's days); unavailable when
the LTM revenue is unavailable or not positive.

Order (:func:`attention`): failed builds, then blocking data-quality issues, then critical
alerts (most first), then warnings (alerts or quality), then the rest; by name within a rank.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..formatting import Formatter
from .portfolio import Portfolio

__all__ = ["OverviewRow", "attention", "bfr_days", "overview_rows", "write_overview"]

_STATUS = {"ok": "construite", "unchanged": "inchangée", "failed": "échec"}
_RANKS = ("Construction en échec", "Données bloquantes", "Alertes critiques", "À surveiller", "Rien à signaler")


def bfr_days(values: dict[str, Any]) -> Decimal | None:
    """BFR × LTM days ÷ LTM revenue (``None`` when a term is unavailable or the revenue ≤ 0)."""
    bfr, revenue, days = (values.get(k) for k in ("bfr", "chiffre_affaires_ltm", "jours_ltm"))
    if bfr is None or revenue is None or days is None or Decimal(revenue) <= 0:
        return None
    return Decimal(bfr) * Decimal(days) / Decimal(revenue)


def _number(values: dict[str, Any], key: str) -> Decimal | None:
    value = values.get(key)
    return None if value is None else Decimal(value)


@dataclass
class OverviewRow:
    """One company's line of the overview."""

    id: str
    name: str
    status: str
    period: str
    revenue: Decimal | None
    ebe: Decimal | None
    cash: Decimal | None
    bfr_days: Decimal | None
    dso: Decimal | None
    critical: int
    warnings: int
    alert_titles: list[str]
    blocking: int
    quality_warnings: int
    packs: list[str]
    error: str

    @property
    def rank(self) -> int:
        """0 failed, 1 blocking data, 2 critical alerts, 3 warnings, 4 nothing to report."""
        if self.status == "failed":
            return 0
        if self.blocking:
            return 1
        if self.critical:
            return 2
        return 3 if self.warnings or self.quality_warnings else 4

    @property
    def attention_label(self) -> str:
        """What the rank means, in French."""
        return _RANKS[self.rank]

    @property
    def quality(self) -> str:
        """The data-quality status in words."""
        if self.status == "failed":
            return "—"
        if self.blocking:
            return f"{self.blocking} bloquant(s)"
        return f"{self.quality_warnings} point(s) à vérifier" if self.quality_warnings else "aucun problème"


def attention(row: OverviewRow) -> tuple[Any, ...]:
    """The sort key: rank, then most critical alerts, most warnings, then name."""
    return (row.rank, -row.blocking, -row.critical, -(row.warnings + row.quality_warnings), row.name.lower())


def overview_rows(report: Any) -> list[OverviewRow]:
    """The overview's lines for a batch report, sorted by :func:`attention`."""
    rows = []
    for line in report.lines:
        figures = line.figures if line.status != "failed" else {}
        values = figures.get("values", {})
        alerts = figures.get("alerts", {})
        quality = figures.get("quality", {})
        rows.append(OverviewRow(
            id=line.id, name=line.name, status=line.status, period=line.period,
            revenue=_number(values, "chiffre_affaires"), ebe=_number(values, "ebe"),
            cash=_number(values, "tresorerie_nette"), bfr_days=bfr_days(values), dso=_number(values, "dso"),
            critical=int(alerts.get("critical", 0)), warnings=int(alerts.get("warning", 0)),
            alert_titles=list(figures.get("alert_titles", [])), blocking=int(quality.get("blocking", 0)),
            quality_warnings=int(quality.get("warning", 0)), packs=list(line.packs), error=line.first_error_line,
        ))
    return sorted(rows, key=attention)


_HEADERS = ["Société", "Identifiant", "Période", "Statut", "Attention", "Chiffre d'affaires", "EBE",
            "Trésorerie nette", "BFR (jours de CA)", "DSO (jours)", "Alertes critiques", "Alertes",
            "Qualité des données", "Dossiers", "Erreur"]


def _period(fmt: Formatter, period: str) -> str:
    if not period:
        return "—"
    from ..periods import Month

    return fmt.month(Month.parse(period))


def _cells(row: OverviewRow, fmt: Formatter) -> list[str]:
    money = lambda v: fmt.money(v) if v is not None else "n.d."  # noqa: E731
    days = lambda v: fmt.value(v, "days") if v is not None else "n.d."  # noqa: E731
    failed = row.status == "failed"
    return [row.name, row.id, _period(fmt, row.period), _STATUS[row.status], row.attention_label,
            *(["—"] * 5 if failed else [money(row.revenue), money(row.ebe), money(row.cash), days(row.bfr_days),
                                        days(row.dso)]),
            "—" if failed else str(row.critical), "—" if failed else "; ".join(row.alert_titles) or "aucune",
            row.quality, ", ".join(row.packs), row.error]


def overview_csv(rows: list[OverviewRow]) -> bytes:
    """The overview as CSV: ``;``, UTF-8 with BOM (Excel opens it in French), French formats."""
    fmt = Formatter("fr")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_HEADERS)
    for row in rows:
        writer.writerow(_cells(row, fmt))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def overview_xlsx(rows: list[OverviewRow]) -> bytes:
    """The overview as a workbook: amounts and days as numbers with French display formats."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    fmt = Formatter("fr")
    book = Workbook()
    sheet = book.active
    sheet.title = "Portefeuille"
    sheet.append(_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fills = {0: "F4CCCC", 1: "F4CCCC", 2: "FCE5CD", 3: "FFF2CC"}
    for index, row in enumerate(rows, start=2):
        failed = row.status == "failed"
        numbers = [None] * 5 if failed else [row.revenue, row.ebe, row.cash, row.bfr_days, row.dso]
        sheet.append([row.name, row.id, _period(fmt, row.period), _STATUS[row.status], row.attention_label,
                      *[None if n is None else float(n) for n in numbers],
                      None if failed else row.critical, "; ".join(row.alert_titles), row.quality,
                      ", ".join(row.packs), row.error])
        for column in (6, 7, 8):
            sheet.cell(index, column).number_format = '#,##0 "€";-#,##0 "€"'  # shown 1 234 567 € by a French Excel
        for column in (9, 10):
            sheet.cell(index, column).number_format = '0 "j"'
        if row.rank in fills:
            sheet.cell(index, 5).fill = PatternFill("solid", fgColor=fills[row.rank])
    for column, width in enumerate([30, 14, 14, 12, 22, 16, 14, 16, 12, 10, 10, 50, 22, 40, 60], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 14mm 12mm;
  @bottom-left { content: string(title); font-family: "DejaVu Sans", sans-serif; font-size: 7pt; color: #6b7280; }
  @bottom-right { content: "page " counter(page) " / " counter(pages); font-family: "DejaVu Sans", sans-serif;
    font-size: 7pt; color: #6b7280; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #1f2937; }
h1 { font-size: 15pt; color: #1e3a5f; margin: 0 0 1mm 0; string-set: title content(); }
p.lead { color: #4b5563; margin: 0 0 4mm 0; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
th { text-align: left; font-size: 6.8pt; color: #1e3a5f; border-bottom: 1pt solid #1e3a5f; padding: 1.5mm 1mm; }
td { padding: 1.4mm 1mm; border-bottom: 0.4pt solid #d1d5db; vertical-align: top; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.name { font-weight: bold; }
td.name span { display: block; font-weight: normal; color: #6b7280; font-size: 6.5pt; }
span.tag { display: inline-block; padding: 0.3mm 1.2mm; border-radius: 1mm; font-size: 6.5pt; white-space: nowrap; }
.r0, .r1 { background: #fde2e1; color: #991b1b; } .r2 { background: #fde9d7; color: #9a3412; }
.r3 { background: #fef3c7; color: #92400e; } .r4 { background: #dcfce7; color: #166534; }
td.small { font-size: 6.5pt; color: #4b5563; }
td.error { color: #991b1b; font-size: 6.5pt; }
p.note { margin-top: 4mm; font-size: 6.5pt; color: #6b7280; }
"""


def overview_html(portfolio: Portfolio, rows: list[OverviewRow], today: dt.date) -> str:
    """The overview's HTML (one table, its head repeated on each page)."""
    fmt = Formatter("fr")
    esc = html.escape
    counts = [sum(row.rank == rank for row in rows) for rank in range(5)]
    summary = ", ".join(f"{label.lower()} : {n}" for n, label in zip(counts, _RANKS) if n)
    body = []
    for row in rows:
        cells = _cells(row, fmt)
        alerts = "" if row.status == "failed" else (
            f"{row.critical} critique(s), {row.warnings} à surveiller" if row.critical or row.warnings else "aucune")
        details = "<br>".join(esc(title) for title in row.alert_titles)
        last = (f'<td class="error" colspan="2">{esc(row.error)}</td>' if row.status == "failed" else
                f'<td class="small">{esc(alerts)}{"<br>" + details if details else ""}</td>'
                f'<td class="small">{esc(row.quality)}<br>{esc(", ".join(p.removesuffix(".pdf") for p in row.packs))}</td>')
        numbers = "".join(f'<td class="num">{esc(cell)}</td>' for cell in cells[5:10])
        body.append(f'<tr><td class="name">{esc(row.name)}<span>{esc(row.id)} · {esc(cells[2])} · {esc(cells[3])}</span>'
                    f'</td><td><span class="tag r{row.rank}">{esc(row.attention_label)}</span></td>{numbers}{last}</tr>')
    heads = "".join(f'<th class="num">{h}</th>' for h in ("Chiffre d'affaires", "EBE", "Trésorerie nette",
                                                           "BFR (jours de CA)", "DSO"))
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Portefeuille — {esc(portfolio.name)}</title>
<style>{_CSS}</style></head><body>
<h1>Portefeuille — {esc(portfolio.name)}</h1>
<p class="lead">Synthèse du {esc(fmt.date(today))} : {len(rows)} société(s) — {esc(summary)}. Les sociétés à regarder d'abord sont en tête.</p>
<table><thead><tr><th>Société</th><th>Attention</th>{heads}<th>Alertes</th><th>Qualité des données · dossiers</th></tr></thead>
<tbody>{''.join(body)}</tbody></table>
<p class="note">Chiffre d'affaires et EBE : sur le mois du dossier ; trésorerie nette et BFR : en fin de mois ;
BFR en jours de CA = BFR × jours des 12 derniers mois ÷ chiffre d'affaires des 12 derniers mois ; DSO : sur 12 mois.
n.d. : non disponible (donnée absente). Une société inchangée montre les chiffres de sa dernière construction.</p>
</body></html>"""


def write_overview(portfolio: Portfolio, report: Any, today: dt.date | None = None) -> list[Path]:
    """Write ``portefeuille.pdf``, ``.csv`` and ``.xlsx`` in the portfolio's output folder (together,
    atomically); return their paths."""
    from ..render.pdf import html_to_pdf, write_together
    from ..render.templates import BUILTIN_TEMPLATES

    today = today or dt.date.today()
    rows = overview_rows(report)
    out = portfolio.out
    files = {
        out / "portefeuille.pdf": html_to_pdf(overview_html(portfolio, rows, today), BUILTIN_TEMPLATES, (), today),
        out / "portefeuille.csv": overview_csv(rows),
        out / "portefeuille.xlsx": overview_xlsx(rows),
    }
    write_together(files)
    return list(files)
