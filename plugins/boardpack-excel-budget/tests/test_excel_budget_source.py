"""The ``excel_budget`` source: workbooks written with openpyxl in tmp_path, read back cell by cell.

The reference workbook (:func:`write_budget`) has a title in A1, the header on row 3 —
« Poste », then B3 = 1 January 2026 as a date cell, C3 = « févr. 2026 », D3 = « 2026-03 »,
E3 = « Total » — and, from row 4, the lines:

* A4 « Chiffre d'affaires net »: 100 000 (int), 120 000,50 (float), « 90 000,00 » (text);
* A5 « salaires » (an id): 30 000, 30 000, empty (not budgeted in March);
* A6 « Charges externes » (a synonym): 12 345,675 (float, rounded half up to 12 345,68), 0, 0;
* A7 blank row; A8 « Total charges » (skipped).

So the dataset has 3 + 2 + 3 = 8 rows.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import boardpack_excel_budget.source as plugin
import pandas as pd
import pytest
from boardpack_excel_budget import ExcelBudgetSource
from openpyxl import Workbook

from boardpack.api.errors import ConfigError, DataError, SourceError
from boardpack.api import LoadRequest
from boardpack.testing import build_pack, dataset_schema, demo_datasets, make_config, registered

REQUEST = LoadRequest({"budget": dataset_schema("budget")})
SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "budget-2026.xlsx"
HEADER: list[Any] = ["Poste", dt.datetime(2026, 1, 1), "févr. 2026", "2026-03", "Total"]
LINES: list[list[Any]] = [
    ["Chiffre d'affaires net", 100000, 120000.5, "90 000,00", "=SUM(B4:D4)"],
    ["salaires", 30000, 30000, None, "=SUM(B5:D5)"],
    ["Charges externes", 12345.675, 0, 0, "=SUM(B6:D6)"],
    [None, None, None, None, None],
    ["Total charges", "=B5+B6", "=C5+C6", "=D5+D6", None],
]


def write_budget(folder: Path, lines: list[list[Any]] = LINES, header: list[Any] = HEADER,
                 name: str = "budget.xlsx", sheet: str = "Budget") -> Path:
    """The reference workbook (or a variant), title in A1 and header on row 3."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["Budget 2026 — Atelier de test"])
    ws.append([])
    ws.append(header)
    for line in lines:
        ws.append(line)
    path = folder / name
    wb.save(path)
    return path


def load(folder: Path, **options: Any) -> pd.DataFrame:
    """The budget dataset the source reads from ``folder``."""
    source = ExcelBudgetSource("budget", {"path": "budget.xlsx", **options}, folder)
    return source.load(REQUEST)["budget"]


def rows(frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    """(period, line, cents) of every row."""
    return {(p, line, int(a)) for p, line, a in zip(frame["period"], frame["line"], frame["amount"])}


def test_reads_lines_in_rows_and_months_in_columns(tmp_path: Path) -> None:
    """Date, « févr. 2026 » and « 2026-03 » headers; labels, ids and synonyms; totals skipped."""
    write_budget(tmp_path)
    frame = load(tmp_path)
    assert rows(frame) == {
        ("2026-01", "chiffre_affaires", 10_000_000),
        ("2026-02", "chiffre_affaires", 12_000_050),
        ("2026-03", "chiffre_affaires", 9_000_000),
        ("2026-01", "salaires", 3_000_000),
        ("2026-02", "salaires", 3_000_000),
        ("2026-01", "autres_achats_charges_externes", 1_234_568),
        ("2026-02", "autres_achats_charges_externes", 0),
        ("2026-03", "autres_achats_charges_externes", 0),
    }
    assert list(frame.columns[:3]) == ["period", "line", "amount"]
    assert frame["amount"].dtype == "int64"


def test_header_forms_and_labels_option(tmp_path: Path) -> None:
    """« janvier 2026 », « Jan 26 », « 03/2026 » headers; the labels option maps the workbook's own wording."""
    header = ["Poste", "janvier 2026", "Feb 26", "03/2026", "Commentaire"]
    write_budget(tmp_path, [["Sous-traitance", 1, 2, 3, "hors contrat cadre"]], header)
    frame = load(tmp_path, labels={"Sous-traitance": "autres_achats_charges_externes"})
    assert rows(frame) == {
        ("2026-01", "autres_achats_charges_externes", 100),
        ("2026-02", "autres_achats_charges_externes", 200),
        ("2026-03", "autres_achats_charges_externes", 300),
    }


def test_unreadable_amount_names_file_sheet_and_cell(tmp_path: Path) -> None:
    """« 12 5OO » (letter O) in D7: the message names budget.xlsx, the sheet and D7."""
    lines = [
        ["Chiffre d'affaires net", 1, 2, 3],
        ["Achats consommés", 1, 2, 3],
        ["Salaires et traitements", 1, 2, 3],
        ["Charges sociales", 1, 2, "12 5OO"],
    ]
    write_budget(tmp_path, lines, HEADER[:4])
    with pytest.raises(DataError) as caught:
        load(tmp_path)
    assert str(caught.value) == (
        "budget.xlsx, feuille Budget, cellule D7 : montant illisible « 12 5OO » "
        "(attendu : un nombre, ex. 12 500 ou 12 500,50)"
    )


def test_unknown_label_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    """A misspelt label is not dropped: its cell is named, with the closest line."""
    write_budget(tmp_path, [["Salaires et traitement", 1, 2, 3]], HEADER[:4])
    with pytest.raises(DataError, match=r"cellule A4 : ligne budgétaire inconnue « Salaires et traitement » ; "
                                        r"vouliez-vous dire « salaires » \?$"):
        load(tmp_path)
    write_budget(tmp_path, [["Frais divers", 1, 2, 3]], HEADER[:4])
    with pytest.raises(DataError, match=r"cellule A4 : .*ajoutez ce libellé à l'option « sources.budget.labels »$"):
        load(tmp_path)


@pytest.mark.parametrize(
    ("lines", "header", "message"),
    [
        ([["CA", 1, 2, 3], ["Chiffre d'affaires net", 4, 5, 6]], HEADER[:4],
         r"cellule A5 : la ligne « chiffre_affaires » figure déjà en A4 ; regroupez"),
        ([[None, 1, None, None]], HEADER[:4], r"cellule B4 : montant sans libellé de ligne en A4"),
        ([["CA", 1, 2, 3]], ["Poste", "janv. 2026", "janv. 2026"], r"cellule C3 : le mois 2026-01 figure déjà en colonne B3"),
        ([["CA", 1, 2, 3]], ["Poste", "janv. 2026", "févr. 2O26"], r"cellule C3 : en-tête de mois illisible « févr. 2O26 »"),
        ([["CA", 1, 2, 3]], ["Poste", "Prévu", "Réalisé"], r"feuille Budget : aucune ligne d'en-tête de mois"),
        ([["CA", True, 2, 3]], HEADER[:4], r"cellule B4 : montant illisible « True »"),
        ([["Total", 1, 2, 3]], HEADER[:4], r"feuille Budget : aucun montant budgété sous la ligne d'en-tête 3"),
    ],
    ids=["duplicate-line", "amount-without-label", "duplicate-month", "bad-month", "no-header", "boolean", "empty"],
)
def test_layout_errors_name_the_cell(tmp_path: Path, lines: list[list[Any]], header: list[Any], message: str) -> None:
    """Each layout mistake is one sentence naming the file, the sheet and the cell."""
    write_budget(tmp_path, lines, header)
    with pytest.raises(DataError, match=message) as caught:
        load(tmp_path)
    assert str(caught.value).startswith("budget.xlsx, feuille Budget")
    assert "\n" not in str(caught.value)


def test_formula_without_cached_value_is_refused(tmp_path: Path) -> None:
    """openpyxl writes formulas without their results: reading one would silently drop the amount."""
    write_budget(tmp_path, [["CA", "=1+1", 2, 3]], HEADER[:4])
    with pytest.raises(DataError, match=r"cellule B4 : formule sans valeur calculée ; ouvrez le classeur"):
        load(tmp_path)


def test_file_and_option_errors(tmp_path: Path) -> None:
    """Missing file, not an .xlsx, unknown sheet, bad labels option: each says what to do."""
    with pytest.raises(SourceError, match=r"budget.xlsx : classeur introuvable ; vérifiez l'option « path »"):
        load(tmp_path)
    (tmp_path / "budget.xlsx").write_text("période;ligne;montant\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"ce n'est pas un classeur Excel .xlsx lisible .* enregistrez-le au format"):
        load(tmp_path)
    write_budget(tmp_path, sheet="Prévisionnel")
    with pytest.raises(ConfigError, match=r"^clé « sources.budget.sheet » : pas de feuille « Budget 2026 » dans "
                                          r"budget.xlsx \(feuilles : Prévisionnel\)$"):
        load(tmp_path, sheet="Budget 2026")
    assert len(load(tmp_path)) == 8  # without the option, the first sheet
    with pytest.raises(ConfigError, match=r"^clé « sources.budget.labels.\"Sous-traitance\" » : ligne inconnue « sous_traitance »"):
        load(tmp_path, labels={"Sous-traitance": "sous_traitance"})


def test_check_says_what_the_workbook_holds(tmp_path: Path) -> None:
    """``boardpack sources check`` line: sheet, lines and months."""
    write_budget(tmp_path)
    source = ExcelBudgetSource("budget", {"path": "budget.xlsx"}, tmp_path)
    assert source.check() == "budget.xlsx, feuille Budget : 3 ligne(s) budgétaire(s) sur 3 mois (2026-01 à 2026-03)"


def test_sample_workbook_is_the_demo_budget() -> None:
    """examples/budget-2026.xlsx holds exactly the demo company's budget (216 amounts)."""
    frame = ExcelBudgetSource("budget", {"path": SAMPLE.name}, SAMPLE.parent).load(REQUEST)["budget"]
    demo = demo_datasets()["budget"]
    assert len(frame) == len(demo) == 216
    assert rows(frame) == rows(demo)


def test_sample_workbook_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/make_budget.py writes the committed file byte for byte."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_budget_example", SAMPLE.parent / "make_budget.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    buffer = io.BytesIO()
    module.make_workbook().save(buffer)
    assert module.reproducible(buffer.getvalue()) == SAMPLE.read_bytes()


def test_budget_comparison_in_a_pack(tmp_path: Path) -> None:
    """Through the engine: the demo's revenue compared with the workbook's October 2026 budget."""
    others = ["entries", "invoices", "deals", "ops_metrics", "loans", "marketing"]
    config = make_config(
        path=SAMPLE.parent / "boardpack.toml",
        sources={"demo": {"type": "demo", "datasets": others},
                 "budget": {"type": "excel_budget", "path": SAMPLE.name}},
        kpis={"select": ["chiffre_affaires"]},
        audiences={"test": {"title": "Test", "sections": ["kpi_table"]}},
    )
    with registered(plugin):
        pack = build_pack(config=config, period="2026-10")
    budget = pack.kpis["chiffre_affaires"].comparisons["budget"]
    demo = demo_datasets()["budget"]
    october = demo[(demo["period"] == "2026-10") & (demo["line"] == "chiffre_affaires")]["amount"]
    assert budget.value == Decimal(int(october.iloc[0])).scaleb(-2)
    assert "Chiffre d" in pack.html
