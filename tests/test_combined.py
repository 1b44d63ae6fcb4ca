"""The bound pack (``--combined``): every selected audience in one PDF after one cover and one table
of contents, page numbers running through, bookmarks nested per audience.

Two demo audiences are built once through the CLI, asked for in reverse config order, as
PDF/A; the bound PDF is read back with pypdf and compared with the packs built beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from boardpack import plugins
from boardpack.build import build
from boardpack.cli import cli
from boardpack.config import load_config

from conftest import DEMO_CONFIG

COMBINED = "mecanique-de-precision-du-rhone_2026-10_complet.pdf"
PARTS = [("dirigeant", "Synthèse dirigeant"), ("banquier", "Dossier banquier")]  # config order


@dataclass
class Bound:
    """The CLI's output folder and stdout."""

    out: Path
    stdout: str

    def reader(self, name: str) -> PdfReader:
        """pypdf's reader of one file of the folder."""
        return PdfReader(self.out / name)


@pytest.fixture(scope="module")
def bound(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bound]:
    """``boardpack demo --combined --pdfa --audience banquier --audience dirigeant``, run once."""
    out = tmp_path_factory.mktemp("combined")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            result = CliRunner().invoke(cli, ["demo", "--combined", "--pdfa", "--audience", "banquier",
                                               "--audience", "dirigeant", "--out", str(out), "--quiet"])
        finally:
            plugins.reset()
    assert result.exit_code == 0, (result.output, result.exception)
    yield Bound(out, result.stdout)


def top_level(outline: list[Any]) -> list[tuple[Any, list[Any]]]:
    """Top-level bookmarks with their children (pypdf puts a bookmark's children in the list after it)."""
    pairs: list[tuple[Any, list[Any]]] = []
    for item in outline:
        if isinstance(item, list):
            pairs[-1] = (pairs[-1][0], item)
        else:
            pairs.append((item, []))
    return pairs


def page_of(reader: PdfReader, destination: Any) -> int:
    """The 0-based page a bookmark or named destination points to."""
    number = reader.get_destination_page_number(destination)
    assert number is not None
    return number


def test_cli_writes_the_bound_file_and_prints_it(bound: Bound) -> None:
    """Besides one PDF per audience, <company-slug>_<period>_complet.pdf is written and listed on stdout."""
    assert sorted(p.name for p in bound.out.glob("*.pdf")) == sorted(
        [COMBINED, "banquier_2026-10.pdf", "dirigeant_2026-10.pdf"])
    assert f"complet\t{bound.out / COMBINED}" in bound.stdout.splitlines()
    assert not [p for p in bound.out.iterdir() if p.name.endswith(".part")]


def first_section_page(reader: PdfReader) -> int:
    """The 0-based page of a pack's first section (its first bookmark after « Sommaire »)."""
    items = [item for item, _ in top_level(reader.outline)]
    assert items[0].title in ("Sommaire", "Contents")
    return page_of(reader, items[1])


def contents_pages(reader: PdfReader) -> int:
    """How many pages the combined table of contents takes (between the cover and the first pack)."""
    return page_of(reader, top_level(reader.outline)[1][0]) - 1


def test_one_cover_and_one_table_of_contents(bound: Bound) -> None:
    """The packs' own covers and contents are left out: one cover (« Dossier complet », the packs
    named), then one « Sommaire », then the packs' sections."""
    reader = bound.reader(COMBINED)
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Dossier complet" in texts[0] and "Synthèse dirigeant · Dossier banquier" in texts[0]
    assert texts[1].startswith(" ".join(["Mécanique de Précision du Rhône", "Sommaire"])) or "Sommaire" in texts[1]
    assert sum("Données arrêtées au" in text for text in texts) == 1  # one cover
    assert sum("Conventions de lecture" in text for text in texts) == 0  # no pack's own contents page
    sections = sum(len(bound.reader(f"{key}_2026-10.pdf").pages) - first_section_page(bound.reader(f"{key}_2026-10.pdf"))
                   for key, _ in PARTS)
    # every section page of the packs is there, and no more: a section's own CSS (by its class
    # ``section-<name>``, the banker's tighter synthesis and ratio page) holds in the combined PDF too
    assert len(reader.pages) == 1 + contents_pages(reader) + sections


def test_page_numbers_run_through_the_whole_document(bound: Bound) -> None:
    """Every page after the cover says « Page n / total », n counting from the cover."""
    reader = bound.reader(COMBINED)
    total = len(reader.pages)
    for index, page in enumerate(reader.pages[1:], start=2):
        assert f"Page {index} / {total}" in " ".join(page.extract_text().split()), index


def test_top_level_bookmarks_are_the_contents_then_the_audiences_in_config_order(bound: Bound) -> None:
    """Top-level outline: « Sommaire », then the audience titles in config order, each at its first section's page."""
    reader = bound.reader(COMBINED)
    pairs = top_level(reader.outline)
    assert [item.title for item, _ in pairs] == ["Sommaire"] + [title for _, title in PARTS]
    first = 1 + contents_pages(reader)
    dirigeant = bound.reader("dirigeant_2026-10.pdf")
    assert [page_of(reader, item) for item, _ in pairs[1:]] == [
        first, first + len(dirigeant.pages) - first_section_page(dirigeant)]


def test_each_audience_nests_its_own_sections(bound: Bound) -> None:
    """Under each audience come its pack's section bookmarks, same titles, in the pack's order."""
    reader = bound.reader(COMBINED)
    for (key, _), (_, children) in zip(PARTS, top_level(reader.outline)[1:]):
        single = bound.reader(f"{key}_2026-10.pdf")
        own = top_level(single.outline)[1:]  # without its « Sommaire »
        assert [item.title for item, _ in top_level(children)] == [item.title for item, _ in own]
        shifts = [page_of(reader, mine) - page_of(single, theirs) for (mine, _), (theirs, _) in zip(top_level(children), own)]
        assert len(set(shifts)) == 1, (key, shifts)  # each section on the same page of its part as in the pack


def contents_entries(reader: PdfReader) -> list[tuple[str, int]]:
    """(title, page number) of each line of the combined table of contents, read from its text."""
    entries = []
    for page in reader.pages[1:1 + contents_pages(reader)]:
        for line in page.extract_text().splitlines():
            found = re.fullmatch(r"(?:\d\d )?(.+?)[ .]*\s(\d+)", line.strip())
            if found and "·" not in line and not line.startswith("Mécanique"):  # not the intro, header, footer
                entries.append((found.group(1).strip(), int(found.group(2))))
    return entries


def test_contents_page_numbers_are_the_pages_of_the_sections(bound: Bound) -> None:
    """Each line of the contents gives the page (1-based) where its pack or section starts, as the bookmarks say,
    and that page shows the title."""
    reader = bound.reader(COMBINED)
    entries = contents_entries(reader)
    expected = []
    for item, children in top_level(reader.outline)[1:]:
        expected.append((item.title, page_of(reader, item) + 1))
        expected.extend((child.title, page_of(reader, child) + 1) for child, _ in top_level(children))
    assert entries == expected
    for title, number in entries:
        assert title in " ".join(reader.pages[number - 1].extract_text().split()), (title, number)


def test_contents_links_lead_to_the_pages_they_give(bound: Bound) -> None:
    """Each link of the contents leads to a named destination on a page of the packs' sections."""
    reader = bound.reader(COMBINED)
    pages = set()
    for page in reader.pages[1:1 + contents_pages(reader)]:
        for link in (a.get_object() for a in page.get("/Annots", [])):
            if link["/Subtype"] == "/Link":
                pages.add(page_of(reader, reader.named_destinations[str(link["/Dest"])]) + 1)
    assert pages == {number for _, number in contents_entries(reader)}


def test_combined_pdf_is_tagged(bound: Bound) -> None:
    """The combined PDF is tagged like the packs: structure tree, marked, language."""
    root = bound.reader(COMBINED).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (pypdf BooleanObject)
    assert root["/Lang"] == "fr"


def test_bound_pdf_text_metadata_and_pdfa(bound: Bound) -> None:
    """The bound PDF keeps each pack's pages, has its own title and is PDF/A-3b with the CSV files."""
    reader = bound.reader(COMBINED)
    start = len(bound.reader("dirigeant_2026-10.pdf").pages)
    assert "Dossier banquier" in reader.pages[start].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Dossier complet — Mécanique de Précision du Rhône — octobre 2026"
    xmp = reader.xmp_metadata
    assert xmp is not None and (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")
    assert sorted(reader.attachments) == ["bilan.csv", "compte_de_resultat.csv", "echeancier_emprunts.csv", "faits_cites.csv",
                                          "indicateurs.csv", "plan_tresorerie.csv", "ratios_donnees.csv"]
    kpis = {line.split(";")[0] for line in reader.attachments["indicateurs.csv"][0].decode().splitlines()[1:]}
    assert {"chiffre_affaires", "dscr"} <= kpis  # the KPIs of both audiences
    # the banker's forecast sections attach what they show: the plan adds up, each ratio has its inputs
    plan = [line.split(";") for line in reader.attachments["plan_tresorerie.csv"][0].decode().splitlines()]
    base = [row for row in plan[1:] if row[0] == "base"]
    opening = Decimal(next(row for row in base if row[1] == "opening")[4])
    lines = [row for row in base if row[1] not in ("opening", "flow", "closing", "minimum")]
    closing = Decimal(next(row for row in base if row[1] == "closing")[4])
    assert opening + sum(Decimal(row[4]) for row in lines) == closing
    ratios = reader.attachments["ratios_donnees.csv"][0].decode().splitlines()
    assert ratios[0] == "ratio;label;value;unit;warn;alert;status;formula;input;input_value"
    assert any(line.startswith("frng_bfr;") and ";FRNG;" in line for line in ratios)
    loans = reader.attachments["echeancier_emprunts.csv"][0].decode().splitlines()
    assert {line.split(";")[2] for line in loans[1:]} == {"dataset", "requested"}


def test_in_process_build_gives_the_same_bytes(bound: Bound, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Laid out in this process rather than in workers, the files are byte-identical."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plugins.reset()
    again = build(load_config(DEMO_CONFIG), audiences=["dirigeant", "banquier"], out_dir=tmp_path,
                  pdfa=True, combined=True, parallel=False)
    assert again.combined is not None
    assert again.combined.read_bytes() == (bound.out / COMBINED).read_bytes()
    for key, path in again.paths.items():
        assert path.read_bytes() == (bound.out / f"{key}_2026-10.pdf").read_bytes(), key
