"""Write ``budget-2026.xlsx``: the demo company's 2025–2026 budget as a finance team keeps it.

The amounts are the demo company's own budget (``boardpack/demo/data/budget.csv``, the
same figures the ``demo`` source provides), laid out the way a budget workbook usually is:
a title, then one row per budget line with its French label, one column per month (date
cells shown as « janv. 2025 »), a « Total » column and a « Total charges » row computed by
formulas (the source ignores both). Run from anywhere::

    python plugins/boardpack-excel-budget/examples/make_budget.py

The file is byte-for-byte reproducible (fixed timestamps), so it can be committed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from boardpack.api.accounts import PL_LINES, SIG_LINES
from boardpack.api.formatting import euros
from boardpack.testing import demo_datasets

OUT = Path(__file__).resolve().parent / "budget-2026.xlsx"
FIXED = dt.datetime(2026, 1, 5, 9, 0, 0)
#: Budget lines in the order of the compte de résultat.
ORDER = (
    "chiffre_affaires", "achats_consommes", "autres_achats_charges_externes", "impots_taxes", "salaires",
    "charges_sociales", "dotations_exploitation", "charges_financieres", "impot_benefices",
)


def demo_budget() -> dict[str, dict[str, Decimal]]:
    """line → period → amount in euros, from the demo company's budget.csv."""
    budget: dict[str, dict[str, Decimal]] = defaultdict(dict)
    frame = demo_datasets()["budget"]
    for line, period, cents in zip(frame["line"], frame["period"], frame["amount"], strict=True):
        budget[str(line)][str(period)] = euros(cents)
    return budget


def label(line: str) -> str:
    """The French label of a statement line (« Chiffre d'affaires net »)."""
    return (PL_LINES.get(line) or SIG_LINES[line]).fr


def make_workbook() -> Workbook:
    """The workbook, in memory."""
    budget = demo_budget()
    periods = sorted({p for months in budget.values() for p in months})
    wb = Workbook()
    ws = wb.active
    ws.title = "Budget"
    ws["A1"] = "Mécanique de Précision du Rhône — budget 2025-2026"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Montants HT en euros ; charges en positif. Validé en conseil le 12 décembre 2024."
    ws["A2"].font = Font(italic=True, color="666666")
    header = 4
    ws.cell(header, 1, "Poste").font = Font(bold=True)
    for offset, period in enumerate(periods, start=2):
        year, month = (int(part) for part in period.split("-"))
        cell = ws.cell(header, offset, dt.datetime(year, month, 1))
        cell.number_format = "mmm yyyy"
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="right")
    total_column = len(periods) + 2
    ws.cell(header, total_column, "Total").font = Font(bold=True)
    last_month = get_column_letter(total_column - 1)
    for row, line in enumerate(ORDER, start=header + 1):
        ws.cell(row, 1, label(line))
        for offset, period in enumerate(periods, start=2):
            amount = budget[line][period]
            cell = ws.cell(row, offset, int(amount) if amount == amount.to_integral_value() else float(amount))
            cell.number_format = "# ##0"
        ws.cell(row, total_column, f"=SUM(B{row}:{last_month}{row})").number_format = "# ##0"
    charges_row = header + len(ORDER) + 1
    ws.cell(charges_row, 1, "Total charges").font = Font(bold=True)
    for column in range(2, total_column + 1):
        letter = get_column_letter(column)
        cell = ws.cell(charges_row, column, f"=SUM({letter}{header + 2}:{letter}{charges_row - 1})")
        cell.number_format = "# ##0"
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 40
    for column in range(2, total_column + 1):
        ws.column_dimensions[get_column_letter(column)].width = 12
    ws.freeze_panes = ws.cell(header + 1, 2)
    for column in range(1, total_column + 1):
        ws.cell(header, column).fill = PatternFill("solid", fgColor="DDE4EE")
    wb.properties.creator = "boardpack"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    return wb


def reproducible(content: bytes) -> bytes:
    """The same .xlsx with every zip member and the « modified » property dated :data:`FIXED`
    (openpyxl stamps the current time on both when saving)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.writestr(fixed, data)
    return out.getvalue()


def main() -> None:
    """Write the workbook next to this script."""
    buffer = io.BytesIO()
    make_workbook().save(buffer)
    OUT.write_bytes(reproducible(buffer.getvalue()))
    print(f"{OUT} écrit")


if __name__ == "__main__":
    main()
