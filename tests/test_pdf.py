"""The demo packs as PDF: pages, text, outline, metadata, an independently computed figure, determinism.

The four demo packs are built once per session (``demo_build`` in conftest.py).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from boardpack import plugins
from boardpack.periods import Month

from conftest import DEMO_ENTRIES, DemoBuild


NNBSP = "\u202f"
NBSP = "\u00a0"
COMPANY = "Mécanique de Précision du Rhône"

SECTION_TITLES = {
    "dirigeant": ["Indicateurs clés", "Commentaire du mois", "Tendances", "Ce qui a changé",
                  "Alertes et points d'attention"],
    "daf": ["Commentaire du mois", "Tableau de bord des indicateurs",
            "Compte de résultat par soldes intermédiaires de gestion", "Compte de résultat mensuel", "Bilan",
            "Trésorerie et besoin en fonds de roulement", "Capacité d'autofinancement et tableau de flux",
            "Cascade de trésorerie", "Chiffre d'affaires par produit et par client",
            "Principaux clients et fournisseurs", "Balance âgée clients et fournisseurs",
            "Alertes et points d'attention", "Qualité des données"],
    "operations": ["Flux opérationnels", "Pipeline commercial", "Délais du cycle commercial", "Stocks et rotation",
                   "Tableau de bord des indicateurs"],
    "banquier": ["Note de synthèse", "Présentation de la société", "États financiers sur trois exercices",
                 "Capacité d'autofinancement et tableau de flux", "Ratios bancaires",
                 "Endettement et service de la dette"],
}
PAGE_BOUNDS = {"dirigeant": (4, 10), "daf": (8, 30), "operations": (4, 16), "banquier": (5, 16)}
TITLES = {"dirigeant": "Synthèse dirigeant", "daf": "Détail DAF", "operations": "Vue opérationnelle",
          "banquier": "Dossier banquier"}


@pytest.fixture(scope="module")
def readers(demo_build: DemoBuild) -> dict[str, PdfReader]:
    """A pypdf reader per audience."""
    return {key: PdfReader(path) for key, path in demo_build.paths.items()}


@pytest.fixture(scope="module")
def texts(readers: dict[str, PdfReader]) -> dict[str, list[str]]:
    """The extracted text of every page, per audience."""
    return {key: [page.extract_text() for page in reader.pages] for key, reader in readers.items()}


def flat(text: str) -> str:
    """Text with every run of whitespace (line breaks too) made one space, for titles that wrap."""
    return " ".join(text.split())


def outline_titles(outline: list[Any]) -> list[str]:
    """Top-level bookmark titles (nested lists are sub-entries)."""
    return [item.title for item in outline if not isinstance(item, list)]


def test_four_pdfs_for_october_2026(demo_build: DemoBuild) -> None:
    """One PDF per audience, named <audience>_2026-10.pdf, for the last month of the demo ledger."""
    assert demo_build.period == Month(2026, 10)
    assert sorted(p.name for p in demo_build.out.glob("*.pdf")) == sorted(
        f"{key}_2026-10.pdf" for key in SECTION_TITLES)
    for path in demo_build.paths.values():
        assert path.read_bytes().startswith(b"%PDF-")
    assert not [p for p in demo_build.out.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("audience", sorted(PAGE_BOUNDS))
def test_page_count_is_sane(readers: dict[str, PdfReader], audience: str) -> None:
    """Each pack has a sane number of pages (cover + contents + at least one page a section)."""
    low, high = PAGE_BOUNDS[audience]
    count = len(readers[audience].pages)
    assert low <= count <= high, count
    assert count >= 2 + len(SECTION_TITLES[audience])


@pytest.mark.parametrize("audience", sorted(SECTION_TITLES))
def test_text_has_titles_company_and_month(texts: dict[str, list[str]], audience: str) -> None:
    """The text holds each section title, the company name, the pack title and « octobre 2026 »."""
    whole = flat("\n".join(texts[audience]))
    for title in SECTION_TITLES[audience]:
        assert title in whole, title
    assert COMPANY in whole
    assert TITLES[audience] in whole
    assert "octobre 2026" in whole


@pytest.mark.parametrize("audience", sorted(SECTION_TITLES))
def test_page_footers(texts: dict[str, list[str]], audience: str) -> None:
    """Every page after the cover carries « Page i / N »."""
    pages = texts[audience]
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} / {total}" in flat(text), (number, text[-200:])


@pytest.mark.parametrize("audience", sorted(SECTION_TITLES))
def test_outline_lists_sections(readers: dict[str, PdfReader], audience: str) -> None:
    """The PDF bookmarks list every section title, in the configured order."""
    titles = outline_titles(readers[audience].outline)
    found = [t for t in titles if t in SECTION_TITLES[audience]]
    assert found == SECTION_TITLES[audience], titles


@pytest.mark.parametrize("audience", sorted(SECTION_TITLES))
def test_metadata(readers: dict[str, PdfReader], audience: str) -> None:
    """Title names the pack, the company and the month; author is the company."""
    meta = readers[audience].metadata
    assert meta is not None
    assert meta.title == f"{TITLES[audience]} — {COMPANY} — octobre 2026"
    assert meta.author == COMPANY


def october_2026_revenue() -> Decimal:
    """CA of October 2026 from the demo's entries.csv: Σ credit − debit of accounts 70x, by hand."""
    total = Decimal(0)
    with DEMO_ENTRIES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            day = dt.datetime.strptime(row["date"], "%d/%m/%Y").date()
            if (day.year, day.month) != (2026, 10) or not row["account"].startswith("70"):
                continue
            if row["journal"] in ("AN", "ANO", "RAN"):
                continue
            credit = Decimal(row["credit"].replace(" ", "").replace(",", ".") or "0")
            debit = Decimal(row["debit"].replace(" ", "").replace(",", ".") or "0")
            total += credit - debit
    return total


def french_euros(amount: Decimal) -> str:
    """An amount to the euro the French way: narrow NBSP between thousands, NBSP before €."""
    whole = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{whole:,}".replace(",", NNBSP) + f"{NBSP}€"


def test_daf_pack_shows_october_revenue(texts: dict[str, list[str]]) -> None:
    """October 2026 revenue, computed here from entries.csv, appears in the DAF pack to the euro."""
    revenue = october_2026_revenue()
    assert revenue > 100000  # sanity: the demo sells several hundred thousand euros a month
    expected = french_euros(revenue)
    assert expected in "\n".join(texts["daf"]), expected


def test_building_twice_gives_identical_bytes(demo_build: DemoBuild, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A second build of the same pack, later and elsewhere, gives byte-identical PDF files."""
    from boardpack.build import build

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plugins.reset()
    again = build(demo_build.config, audiences=["dirigeant"], out_dir=tmp_path)
    first = demo_build.paths["dirigeant"].read_bytes()
    second = again.paths["dirigeant"].read_bytes()
    assert first == second
