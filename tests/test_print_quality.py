"""Print quality of the demo packs, read back from the PDFs.

* long tables: pages a table body runs onto say « <section> (suite) » in their header and
  repeat the table's header row; no other page says « (suite) »;
* the table of contents prints the real page of every section;
* running header (company, current section) and footer (« Page N / TOTAL ») on every
  page but the cover;
* no h2/h3 heading stranded at the foot of a page;
* fonts embedded, document metadata (title, author, subject, /Lang, dates);
* nothing drawn in the outer side bands of a page (content wider than the page).

The four demo packs come from the session fixture ``demo_build`` (conftest.py); the HTML they
were laid out from is rendered again with ``build(..., write=False)`` (same inputs, same
HTML) to know the titles, tables and rows to look for.

Text is placed on the page with pypdf's text visitor: a run whose baseline lies in the top
page margin is header text, in the bottom margin footer text, anything else body text. The
margins mirror ``@page`` in themes/default/style.css.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import DemoBuild
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from boardpack import plugins
from boardpack.render.pdf import html_to_pdf
from boardpack.render.templates import BUILTIN_TEMPLATES

AUDIENCES = ["dirigeant", "daf", "operations", "banquier"]
COMPANY = "Mécanique de Précision du Rhône"
SUITE = "(suite)"
MM = 72 / 25.4
#: (top, bottom) page margins in mm, as in style.css: portrait A4 and the landscape pages.
MARGINS = {"portrait": (22.0, 20.0), "landscape": (18.0, 16.0)}
#: side margin of every page but the cover (style.css), and the outer band that must stay blank
SIDE_MARGIN_MM = 16.0
BAND_MM = 3.0
DPI = 60


def flat(text: str) -> str:
    """Every run of whitespace (line breaks, NBSP, narrow NBSP too) made one space."""
    return " ".join(text.split())


# ------------------------------------------------------------------ the HTML, as a small tree

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Node:
    """An element of the pack's HTML."""

    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self, tag: str | None = None) -> Any:
        """Descendant elements in document order, optionally of one tag."""
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def text(self, skip_class: str | None = None) -> str:
        """The flattened text, leaving out elements of class ``skip_class``."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif skip_class is None or skip_class not in child.classes:
                    walk(child)

        walk(self)
        return flat("".join(parts))

    def ancestor(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class TreeBuilder(HTMLParser):
    """A tolerant tree builder over the standard library's parser (templates close their tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if any(n.tag == tag for n in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class LongTable:
    """A table whose body may run over several pages (its tbody has data-continued)."""

    section: str  # title of the section holding it
    continued: str  # the data-continued label
    header: list[str]  # texts of its header cells
    rows: list[str]  # label (first cell, badges left out) of each body row


@dataclass
class PackHtml:
    """What the tests need from one pack's HTML."""

    sections: list[str]  # h1 titles of the sections, in order
    headings: list[str]  # h2 and h3 titles anywhere in the pack
    tables: list[LongTable]


def read_pack_html(html: str) -> PackHtml:
    root = parse_html(html)
    sections = [s for s in root.iter("section") if "section" in s.classes]
    titles = {id(s): next(s.iter("h1")).text() for s in sections}
    tables = []
    for tbody in root.iter("tbody"):
        if "data-continued" not in tbody.attrs:
            continue
        table = tbody.ancestor("table")
        section = tbody.ancestor("section")
        assert table is not None and section is not None
        thead = next(table.iter("thead"))
        rows = [next(tr.iter("td")).text(skip_class="badge") for tr in tbody.iter("tr")]
        tables.append(LongTable(
            section=titles[id(section)], continued=flat(tbody.attrs["data-continued"]),
            header=[th.text() for th in thead.iter("th") if th.text()], rows=rows,
        ))
    headings = [h.text() for tag in ("h2", "h3") for h in root.iter(tag)]
    return PackHtml(sections=[titles[id(s)] for s in sections], headings=headings, tables=tables)


# ------------------------------------------------------------------ the PDF, by page region


@dataclass
class PageText:
    """The text of one page, split by where its baseline lies."""

    header: str
    body: str
    footer: str
    landscape: bool

    @property
    def whole(self) -> str:
        return flat(f"{self.header} {self.body} {self.footer}")


def page_regions(page: Any) -> PageText:
    """Header, body and footer text of a page (margins as in style.css)."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    landscape = width > height
    top, bottom = MARGINS["landscape" if landscape else "portrait"]
    parts: dict[str, list[str]] = {"header": [], "body": [], "footer": []}

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: Any) -> None:
        if not text:
            return
        # Baseline in PDF user space: the text matrix times the current transformation matrix.
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if (height - y) / MM < top:
            parts["header"].append(text)
        elif y / MM < bottom:
            parts["footer"].append(text)
        else:
            parts["body"].append(text)

    page.extract_text(visitor_text=visit)
    return PageText(**{k: flat(" ".join(v)) for k, v in parts.items()}, landscape=landscape)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def readers(demo_build: DemoBuild) -> dict[str, PdfReader]:
    return {key: PdfReader(path) for key, path in demo_build.paths.items()}


@pytest.fixture(scope="module")
def pages(readers: dict[str, PdfReader]) -> dict[str, list[PageText]]:
    return {key: [page_regions(p) for p in reader.pages] for key, reader in readers.items()}


@pytest.fixture(scope="module")
def html(demo_build: DemoBuild) -> dict[str, str]:
    """The HTML of the four demo packs (``build(..., write=False)``, as conftest builds them)."""
    from boardpack.build import build

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            result = build(demo_build.config, period=demo_build.period, write=False)
        finally:
            plugins.reset()
    return result.html


@pytest.fixture(scope="module")
def packs(html: dict[str, str]) -> dict[str, PackHtml]:
    return {key: read_pack_html(text) for key, text in html.items()}


def section_starts(reader: PdfReader) -> list[tuple[int, str]]:
    """(1-based page, title) of every top-level bookmark: the contents, then each section."""
    return [(reader.get_destination_page_number(item) + 1, item.title)
            for item in reader.outline if not isinstance(item, list)]


def section_start(reader: PdfReader, title: str) -> int:
    found = [page for page, t in section_starts(reader) if t == title]
    assert len(found) == 1, (title, section_starts(reader))
    return found[0]


def continuation_pages(table: LongTable, texts: list[PageText], start: int) -> list[int]:
    """1-based pages the table's body runs onto after its first page.

    Rows are looked for in order from the section's first page: each row is on the first
    page, at or after the previous row's, whose body holds its label.
    """
    cursor = start
    found = []
    for label in table.rows:
        page = next((n for n in range(cursor, len(texts) + 1) if label in texts[n - 1].body), None)
        assert page is not None, (table.section, label, cursor)
        found.append(page)
        cursor = page
    return list(range(found[0] + 1, found[-1] + 1))


# ------------------------------------------------------------------ 1. long tables


@pytest.mark.parametrize("audience", AUDIENCES)
def test_continued_tables_say_suite_and_repeat_their_header(
        readers: dict[str, PdfReader], pages: dict[str, list[PageText]], packs: dict[str, PackHtml],
        audience: str) -> None:
    """A page a table body runs onto reads « <section> (suite) » in its header and repeats the
    header row; no other page says « (suite) »."""
    texts = pages[audience]
    expected: dict[int, LongTable] = {}
    for table in packs[audience].tables:
        start = section_start(readers[audience], table.section)
        for page in continuation_pages(table, texts, start):
            expected[page] = table
    for number, text in enumerate(texts, start=1):
        if number in expected:
            table = expected[number]
            assert f"{table.section} {table.continued}" in text.header, (number, text.header)
            for cell in table.header:
                assert cell in text.body, (number, cell)
        else:
            assert SUITE not in text.header, (number, text.header)
    if audience == "daf":
        # The DAF's KPI dashboard is long enough to run over two pages: the test is not empty.
        sections = {t.section for t in expected.values()}
        assert "Tableau de bord des indicateurs" in sections, expected


def inflate_long_tables(html: str, rows: int = 60) -> str:
    """Each long table's body repeated to at least ``rows`` rows (more than a page holds),
    between two marker rows at each end (DEBUT, APRES-DEBUT ... AVANT-FIN, FIN)."""
    count = 0

    def inflate(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        copies = -(-rows // max(1, match[2].count("<tr")))
        head = f"<tr><td>DEBUT-TABLE-{count}</td></tr><tr><td>APRES-DEBUT-TABLE-{count}</td></tr>"
        tail = f"<tr><td>AVANT-FIN-TABLE-{count}</td></tr><tr><td>FIN-TABLE-{count}</td></tr>"
        return f"{match[1]}{head}{match[2] * copies}{tail}{match[3]}"

    # Sections without a long table are left out (they only cost layout time).
    html = re.sub(r'<section class="section[^"]*" id="sec-[^"]*">.*?</section>',
                  lambda m: m[0] if "data-continued=" in m[0] else "", html, flags=re.DOTALL)
    inflated = re.sub(r'(<tbody data-continued="[^"]*">)(.*?)(</tbody>)', inflate, html,
                      flags=re.DOTALL)
    assert count, "no long table in this pack"
    return inflated


@pytest.mark.parametrize("audience", ["daf", "banquier"])
def test_every_long_table_continues_with_suite(
        html: dict[str, str], demo_build: DemoBuild, audience: str) -> None:
    """Forced: with every long table made 60 rows long or more, each runs over pages and each page
    it runs onto, and only those, reads « (suite) » and repeats the header row (income
    statement, balance sheet, cash flow, three years, KPI dashboard); the first and last
    rows never stand alone; no heading is stranded in this other layout either."""
    inflated = inflate_long_tables(html[audience])
    allowed = [BUILTIN_TEMPLATES.parent / "themes", BUILTIN_TEMPLATES]
    pdf = html_to_pdf(inflated, BUILTIN_TEMPLATES, allowed, demo_build.period.last_day)
    texts = [page_regions(p) for p in PdfReader(io.BytesIO(pdf)).pages]
    pack = read_pack_html(inflated)
    expected: dict[int, LongTable] = {}

    def page_of(marker: str) -> int:
        pattern = re.compile(rf"(?<![A-Z-]){marker}(?!\d)")
        return next(n for n, t in enumerate(texts, start=1) if pattern.search(t.body))

    for index, table in enumerate(pack.tables, start=1):
        first, last = page_of(f"DEBUT-TABLE-{index}"), page_of(f"FIN-TABLE-{index}")
        assert last > first, (table.section, first, last)
        # Neither the first nor the last body row is left alone on its page.
        assert page_of(f"APRES-DEBUT-TABLE-{index}") == first, table.section
        assert page_of(f"AVANT-FIN-TABLE-{index}") == last, table.section
        for page in range(first + 1, last + 1):
            expected[page] = table
    for number, text in enumerate(texts, start=1):
        if number in expected:
            table = expected[number]
            assert f"{table.section} {table.continued}" in text.header, (number, text.header)
            for cell in table.header:
                assert cell in text.body, (number, cell)
        else:
            assert SUITE not in text.header, (number, text.header)
        stranded = [h for h in pack.headings if text.body.endswith(h)]
        assert not stranded, (number, stranded)


# ------------------------------------------------------------------ 2. table of contents

#: « 01 Indicateurs clés ....... 3 »; in a tagged PDF pypdf's text visitor gets each leader dot
#: as its own run, joined here with spaces (« . . . »).
TOC_ENTRY = re.compile(r"\b(\d{2}) (.+?) ?(?:\. ?){3,}(\d+)\b")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_contents_page_numbers_are_the_real_pages(
        readers: dict[str, PdfReader], pages: dict[str, list[PageText]], packs: dict[str, PackHtml],
        audience: str) -> None:
    """Each contents entry prints the page its section starts on: the page the bookmark points
    to, whose body holds the numbered h1 (« 02 Tableau de bord des indicateurs »)."""
    texts = pages[audience]
    contents = next(t for t in texts if t.header.endswith("Sommaire"))
    entries = [(m[1], m[2], int(m[3])) for m in TOC_ENTRY.finditer(contents.body)]
    sections = packs[audience].sections
    assert [(number, title) for number, title, _ in entries] == [
        (f"{n:02d}", title) for n, title in enumerate(sections, start=1)], contents.body
    for number, title, printed in entries:
        real = section_start(readers[audience], title)
        assert printed == real, (title, printed, real)
        assert f"{number} {title}" in texts[real - 1].body, (title, real)
        earlier = [t for t in texts[:real - 1] if t is not contents]
        assert not any(f"{number} {title}" in t.body for t in earlier), title


# ------------------------------------------------------------------ 3. running header and footer


@pytest.mark.parametrize("audience", AUDIENCES)
def test_running_header_and_page_numbers(
        readers: dict[str, PdfReader], pages: dict[str, list[PageText]], audience: str) -> None:
    """Every page but the cover: « company, current section » in the header and
    « Page N / TOTAL » in the footer."""
    texts = pages[audience]
    total = len(texts)
    starts = section_starts(readers[audience])
    assert starts[0] == (2, "Sommaire"), starts
    assert "Page" not in texts[0].whole
    for number, text in enumerate(texts[1:], start=2):
        current = [title for start, title in starts if start <= number][-1]
        assert text.header.startswith(f"{COMPANY} {current}"), (number, text.header)
        assert re.search(rf"Page {number} / {total}$", text.footer), (number, text.footer)


# ------------------------------------------------------------------ 4. stranded headings


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_heading_stranded_at_the_foot_of_a_page(
        pages: dict[str, list[PageText]], packs: dict[str, PackHtml], audience: str) -> None:
    """No page's body text ends with an h2 or h3 title of the pack: headings go with what
    follows. (A heading followed only by a picture would look stranded: none in the demo.)"""
    headings = packs[audience].headings
    assert headings
    for number, text in enumerate(pages[audience], start=1):
        stranded = [h for h in headings if text.body.endswith(h)]
        assert not stranded, (number, stranded, text.body[-200:])


def test_theme_keeps_a_heading_with_what_follows() -> None:
    """The rule itself, on a page made to strand it: an h2 that fits at the foot of the page
    but whose paragraph does not goes over to the next page with its paragraph."""
    stylesheet = (BUILTIN_TEMPLATES.parent / "themes" / "default" / "style.css").as_uri()
    paragraph = "Un paragraphe de plusieurs lignes qui suit le titre et ne tient pas. " * 7
    html = (f'<html lang="fr"><head><link rel="stylesheet" href="{stylesheet}"></head><body>'
            f'<section class="section"><div style="height: 236mm"></div>'
            f"<h2>Titre en bas de page</h2><p>{paragraph}</p></section></body></html>")
    pdf = html_to_pdf(html, BUILTIN_TEMPLATES, [BUILTIN_TEMPLATES.parent / "themes"])
    texts = [page_regions(p) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) == 2, [t.body for t in texts]
    assert texts[1].body.startswith("Titre en bas de page"), texts[1].body
    assert not any(t.body.endswith("Titre en bas de page") for t in texts)


# ------------------------------------------------------------------ 5. fonts and metadata


def fonts_of(resources: Any, seen: set[int] | None = None) -> list[tuple[str, DictionaryObject]]:
    """(name, font dictionary) of every font in a resource dictionary and its form XObjects."""
    seen = set() if seen is None else seen
    found: list[tuple[str, DictionaryObject]] = []
    if resources is None:
        return found
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        found.append((str(font.get("/BaseFont")), font))
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
            seen.add(id(xobject))
            found.extend(fonts_of(xobject.get("/Resources"), seen))
    return found


@pytest.mark.parametrize("audience", AUDIENCES)
def test_fonts_are_embedded(readers: dict[str, PdfReader], audience: str) -> None:
    """Every font used on every page carries its font program (/FontFile2 or /FontFile3)."""
    count = 0
    for number, page in enumerate(readers[audience].pages, start=1):
        for name, font in fonts_of(page.get("/Resources")):
            count += 1
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, (number, name)
            descriptor = descriptor.get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, (number, name)
    assert count


@pytest.mark.skipif(shutil.which("pdffonts") is None,
                    reason="pdffonts (poppler-utils) is not installed; "
                           "test_fonts_are_embedded checks the same with pypdf")
@pytest.mark.parametrize("audience", AUDIENCES)
def test_pdffonts_says_every_font_is_embedded(demo_build: DemoBuild, audience: str) -> None:
    """poppler's own reading: every font listed by pdffonts is embedded (emb = yes)."""
    out = subprocess.run(["pdffonts", str(demo_build.paths[audience])], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    header = out[0]
    emb = header.index(" emb ") + 1
    rows = [line for line in out[2:] if line.strip()]
    assert rows
    for line in rows:
        assert line[emb:emb + 3] == "yes", line


TITLES = {"dirigeant": "Synthèse dirigeant", "daf": "Détail DAF",
          "operations": "Vue opérationnelle", "banquier": "Dossier banquier"}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_document_metadata(readers: dict[str, PdfReader], audience: str) -> None:
    """Title, author, subject, language and the period's last day as creation date."""
    reader = readers[audience]
    meta = reader.metadata
    assert meta is not None
    assert meta.title == f"{TITLES[audience]} — {COMPANY} — octobre 2026"
    assert meta.author == COMPANY
    assert meta.subject == f"{TITLES[audience]}, octobre 2026"
    assert reader.trailer["/Root"].get("/Lang") == "fr"
    assert str(meta["/CreationDate"]).startswith("D:20261031")
    assert str(meta["/ModDate"]).startswith("D:20261031")


# ------------------------------------------------------------------ 6. nothing off the page


Raster = tuple[int, int, bytes]  # width, height, 8-bit grey pixels row by row


def rasterise(pdf: Path, folder: Path, dpi: int) -> list[Raster]:
    """Every page as (width, height, 8-bit grey pixels), through pdftoppm."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(folder / "p")], check=True)
    images = []
    for path in sorted(folder.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1])):
        data = path.read_bytes()
        head = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert head is not None and head[3] == b"255", path
        width, height = int(head[1]), int(head[2])
        images.append((width, height, data[head.end():head.end() + width * height]))
    return images


def side_ink(width: int, height: int, pixels: bytes, band: int) -> list[int]:
    """Rows with a non-white pixel within ``band`` pixels of the left or right edge."""
    return [y for y in range(height)
            if min(pixels[y * width:y * width + band]) < 255
            or min(pixels[(y + 1) * width - band:(y + 1) * width]) < 255]


@pytest.fixture(scope="module")
def rasters(demo_build: DemoBuild,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Raster]]:
    """The four packs' pages at 60 dpi (a pixel is 0.42 mm)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: pages cannot be rendered to pixels")
    return {key: rasterise(path, tmp_path_factory.mktemp(f"raster_{key}"), DPI)
            for key, path in demo_build.paths.items()}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_outer_side_bands_are_blank(rasters: dict[str, list[Raster]], audience: str) -> None:
    """The outer 3 mm on the left and right of every page but the (full-bleed) cover are white:
    no table or picture wider than the page."""
    images = rasters[audience]
    assert len(images) >= 3
    for number, (width, height, pixels) in enumerate(images[1:], start=2):
        rows = side_ink(width, height, pixels, int(BAND_MM / 25.4 * DPI))
        assert not rows, (number, f"ink in the outer band, y = {rows[0] * 25.4 / DPI:.0f} mm")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_content_stays_inside_the_side_margins(
        rasters: dict[str, list[Raster]], audience: str) -> None:
    """Stricter: nothing in the 16 mm side margins but for 1.5 mm (collapsed table borders
    straddle the table's edge, and anti-aliasing): catches a table a few mm too wide."""
    for number, (width, height, pixels) in enumerate(rasters[audience][1:], start=2):
        rows = side_ink(width, height, pixels, int((SIDE_MARGIN_MM - 1.5) / 25.4 * DPI))
        assert not rows, (number, f"ink in the side margin, y = {rows[0] * 25.4 / DPI:.0f} mm")
