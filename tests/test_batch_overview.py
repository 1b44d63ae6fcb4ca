"""The portfolio overview: BFR in days by hand, attention order, French formats in CSV, XLSX and PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from boardpack.batch import BatchReport, CompanyLine, load_portfolio
from boardpack.batch.overview import attention, bfr_days, overview_csv, overview_rows, write_overview

from batch_helpers import write_portfolio


def _line(ident: str, status: str = "ok", critical: int = 0, warning: int = 0, blocking: int = 0,
          quality: int = 0, **values: str | None) -> CompanyLine:
    figures = {"values": {"chiffre_affaires": "1234567.49", "ebe": "-35000", "tresorerie_nette": "250000",
                          "bfr": "100000", "dso": "45.5", "chiffre_affaires_ltm": "730000", "jours_ltm": "365",
                          **values},
               "alerts": {"critical": critical, "warning": warning, "info": 0},
               "alert_titles": ["Trésorerie : alerte"] if critical else [],
               "quality": {"blocking": blocking, "warning": quality}}
    return CompanyLine(ident, f"Société {ident.upper()}", status, ["dirigeant_2026-10.pdf"], 2.0,
                       "DataError : ligne 3\nsuite" if status == "failed" else "", "2026-10",
                       figures if status != "failed" else {})


def test_bfr_days_by_hand() -> None:
    """100 000 € of BFR over 730 000 € of LTM revenue in 365 days: 50 days; unavailable without revenue."""
    assert bfr_days({"bfr": "100000", "chiffre_affaires_ltm": "730000", "jours_ltm": "365"}) == Decimal(50)
    assert round(bfr_days({"bfr": "100000", "chiffre_affaires_ltm": "182500", "jours_ltm": "181"}), 3) == Decimal("99.178")
    assert bfr_days({"bfr": "100000", "chiffre_affaires_ltm": None, "jours_ltm": "365"}) is None
    assert bfr_days({"bfr": "100000", "chiffre_affaires_ltm": "0", "jours_ltm": "365"}) is None


def test_attention_order() -> None:
    """Failed first, then blocking data, then the most critical alerts, then warnings, then the quiet ones."""
    report = BatchReport([_line("calme"), _line("alerte1", critical=1), _line("panne", "failed"),
                          _line("bloque", blocking=2), _line("alerte3", critical=3), _line("veille", quality=1)],
                         "test", 1.0)
    rows = overview_rows(report)
    assert [row.id for row in rows] == ["panne", "bloque", "alerte3", "alerte1", "veille", "calme"]
    assert rows == sorted(rows, key=attention)
    assert rows[0].error == "DataError : ligne 3" and rows[0].revenue is None


def test_csv_in_french_formats() -> None:
    """The CSV: ; separator, BOM, amounts « 1 234 567 € », minus sign, days, unavailable as n.d."""
    report = BatchReport([_line("a", critical=1, dso=None)], "test", 1.0)
    text = overview_csv(overview_rows(report)).decode("utf-8")
    assert text.startswith("\ufeffSociété;Identifiant;Période")
    row = text.splitlines()[1].split(";")
    assert row[2] == "octobre 2026" and row[5] == "1\u202f234\u202f567\u00a0€"
    assert row[6] == "\u221235\u202f000\u00a0€" and row[8] == "50\u00a0j" and row[9] == "n.d."


def test_overview_files_after_a_run(tmp_path: Path) -> None:
    """write_overview writes the PDF, CSV and XLSX; the workbook holds numbers, the PDF the names in attention order."""
    portfolio = load_portfolio(write_portfolio(tmp_path))
    report = BatchReport([_line("calme"), _line("panne", "failed"), _line("alerte", critical=2)], "test", 1.0)
    paths = write_overview(portfolio, report, dt.date(2026, 11, 5))
    assert [p.name for p in paths] == ["portefeuille.pdf", "portefeuille.csv", "portefeuille.xlsx"]
    sheet = load_workbook(io.BytesIO(paths[2].read_bytes())).active
    assert sheet["A2"].value == "Société PANNE" and sheet["F4"].value == 1234567.49 and sheet["I4"].value == 50
    assert sheet["F4"].number_format == "#,##0 \"€\";-#,##0 \"€\"" and sheet["I4"].number_format == "0 \"j\""
    text = PdfReader(paths[0]).pages[0].extract_text()
    assert "Portefeuille — Cabinet Test" in text and "5 novembre 2026" in text
    assert text.index("Société PANNE") < text.index("Société ALERTE") < text.index("Société CALME")
