"""The bound pack (``--combined``): every selected audience in one PDF, bookmarks nested per audience.

Two demo audiences are built once through the CLI, asked for in reverse config order, as
PDF/A; the bound PDF is read back with pypdf and compared with the packs built beside it.
"""

from __future__ import annotations

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


def test_page_count_is_the_sum_of_the_packs(bound: Bound) -> None:
    """The bound PDF has exactly the pages of the audiences' packs together."""
    total = sum(len(bound.reader(f"{key}_2026-10.pdf").pages) for key, _ in PARTS)
    assert len(bound.reader(COMBINED).pages) == total


def test_top_level_bookmarks_are_the_audiences_in_config_order(bound: Bound) -> None:
    """Top-level outline titles are the audience titles in config order, each at its pack's first page."""
    reader = bound.reader(COMBINED)
    pairs = top_level(reader.outline)
    assert [item.title for item, _ in pairs] == [title for _, title in PARTS]
    first_pages = [page_of(reader, item) for item, _ in pairs]
    assert first_pages == [0, len(bound.reader("dirigeant_2026-10.pdf").pages)]


def test_each_audience_nests_its_own_sections(bound: Bound) -> None:
    """Under each audience come its pack's own top-level bookmarks, same titles, pages shifted by the packs before."""
    reader = bound.reader(COMBINED)
    offset = 0
    for (key, _), (_, children) in zip(PARTS, top_level(reader.outline)):
        single = bound.reader(f"{key}_2026-10.pdf")
        own = top_level(single.outline)
        assert [item.title for item, _ in top_level(children)] == [item.title for item, _ in own]
        assert [page_of(reader, item) - offset for item, _ in top_level(children)] == [
            page_of(single, item) for item, _ in own]
        offset += len(single.pages)


def test_contents_links_stay_in_their_pack(bound: Bound) -> None:
    """Each pack's table of contents links to pages of that pack, not of the pack before."""
    reader = bound.reader(COMBINED)
    start = len(bound.reader("dirigeant_2026-10.pdf").pages)
    contents = reader.pages[start + 1]  # the banker's « Sommaire »
    links = [a.get_object() for a in contents.get("/Annots", []) if a.get_object()["/Subtype"] == "/Link"]
    assert links
    for link in links:
        target = reader.named_destinations[str(link["/Dest"])]
        assert page_of(reader, target) >= start


def test_bound_pdf_text_metadata_and_pdfa(bound: Bound) -> None:
    """The bound PDF keeps each pack's pages, has its own title and is PDF/A-3b with the CSV files."""
    reader = bound.reader(COMBINED)
    start = len(bound.reader("dirigeant_2026-10.pdf").pages)
    assert "Dossier banquier" in reader.pages[start].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Dossier complet — Mécanique de Précision du Rhône — octobre 2026"
    xmp = reader.xmp_metadata
    assert xmp is not None and (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")
    assert sorted(reader.attachments) == ["bilan.csv", "compte_de_resultat.csv", "echeancier_emprunts.csv",
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
    """Laid out in this process (each pack once, reused for the bound PDF), the files are byte-identical."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plugins.reset()
    again = build(load_config(DEMO_CONFIG), audiences=["dirigeant", "banquier"], out_dir=tmp_path,
                  pdfa=True, combined=True, parallel=False)
    assert again.combined is not None
    assert again.combined.read_bytes() == (bound.out / COMBINED).read_bytes()
    for key, path in again.paths.items():
        assert path.read_bytes() == (bound.out / f"{key}_2026-10.pdf").read_bytes(), key
