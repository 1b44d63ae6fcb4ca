"""Tagged PDFs and text alternatives of charts (issue 13, item 7).

Every pack is a tagged PDF (PDF/UA-1): a structure tree, ``/MarkInfo /Marked true``, the
document language; each chart's ``<img>`` has a text alternative that says what its data
says, built by the chart plugin (:meth:`boardpack.api.Chart.describe`), and WeasyPrint copies
it into the chart's ``/Figure`` structure element.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any, cast

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from boardpack.api import ChartStyle, describe_series
from boardpack.formatting import Formatter
from boardpack.periods import Month

from conftest import DemoBuild


def style(language: str = "fr") -> ChartStyle:
    """A chart style formatting as a pack of ``language`` does."""
    fmt = Formatter(language, "EUR")
    return ChartStyle(colours={}, palette=("#000000",), font="DejaVu Sans", language=language,
                      money=fmt.money_short, number=fmt.number, month=fmt.month_short, value=fmt.value)


def struct_elements(reader: PdfReader) -> list[DictionaryObject]:
    """Every structure element of the PDF's tag tree, depth first."""
    out: list[DictionaryObject] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, DictionaryObject):
            if node.get("/Type") == "/StructElem":
                out.append(node)
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(cast(DictionaryObject, reader.trailer["/Root"])["/StructTreeRoot"])
    return out


def chart_alts(page_html: str) -> list[str]:
    """The ``alt`` of every chart of a pack's HTML."""
    return [html.unescape(alt) for alt in re.findall(r'<img class="chart" alt="([^"]*)"', page_html)]


# ------------------------------------------------------------------ describe_series


def test_describe_series_says_span_low_high_and_last() -> None:
    """Span from the full month labels, lowest and highest with their month, last value, French formats."""
    data = {"x": ["nov. 25", "déc. 25", "janv. 26"], "periods": ["novembre 2025", "décembre 2025", "janvier 2026"],
            "series": [{"label": "CA", "values": [Decimal("412300"), Decimal("598100"), Decimal("530200")]}],
            "unit": "money"}
    assert describe_series(data, style()) == (
        "novembre 2025 à janvier 2026 : entre 412\u202f300\u00a0€ (novembre 2025) et 598\u202f100\u00a0€ "
        "(décembre 2025), 530\u202f200\u00a0€ en janvier 2026").replace("\u202f", style().number(1000)[1])


def test_describe_series_in_english_with_several_series_and_gaps() -> None:
    """English words; each series named when there are several; gaps (None) skipped; N-1 without months."""
    data = {"x": ["Jan 26", "Feb 26", "Mar 26"],
            "series": [{"label": "Actual", "values": [Decimal(10), None, Decimal(30)]},
                       {"label": "N-1", "values": [Decimal(5), Decimal(6), Decimal(7)]},
                       {"label": "Budget", "values": [None, None, None]}],
            "unit": "percent"}
    text = describe_series(data, style("en"))
    assert text.startswith("Jan 26 to Mar 26: Actual between 10.0% (Jan 26) and 30.0% (Mar 26), 30.0% in Mar 26; ")
    assert "N-1 between 5.0% and 7.0%, 7.0% last" in text
    assert text.endswith("Budget no value")


def test_builtin_category_and_waterfall_charts_list_their_values() -> None:
    """hbars lists each category with its value, the waterfall each step signed."""
    from boardpack.default_plugins.charts.trends import HorizontalBarsChart
    from boardpack.default_plugins.charts.waterfall import WaterfallChart

    bars = HorizontalBarsChart().describe(
        {"x": ["Client A", "Client B"], "series": [{"label": "", "values": [Decimal(1200), Decimal(800)]}],
         "unit": "money"}, style())
    assert bars == f"Client A : {style().value(Decimal(1200), 'money')} ; Client B : {style().value(Decimal(800), 'money')}"
    bridge = WaterfallChart().describe(
        {"x": ["Ouverture", "Encaissements", "Décaissements", "Clôture"],
         "series": [{"label": "", "values": [Decimal(100), Decimal(50), Decimal(-70), Decimal(80)]}]}, style())
    assert bridge == "Ouverture : 100\u00a0€ ; Encaissements : +50\u00a0€ ; Décaissements : −70\u00a0€ ; Clôture : 80\u00a0€"


# ------------------------------------------------------------------ the demo packs


def test_every_chart_of_the_demo_packs_has_a_text_alternative(demo_build: DemoBuild) -> None:
    """No chart without words: each alt names the chart and says what its data says."""
    assert {key for key, page_html in demo_build.html.items() if chart_alts(page_html)} >= {
        "dirigeant", "daf", "operations"}
    for key, page_html in demo_build.html.items():
        assert 'class="chart" alt=""' not in page_html, key
        for alt in chart_alts(page_html):
            assert re.search(r"\d", alt) and ("entre" in alt or " : " in alt), (key, alt)


def test_trend_alternative_is_built_from_the_kpi_history(demo_build: DemoBuild) -> None:
    """The BFR trend's alt quotes the lowest, highest and last of the KPI's 24 months, as the engine computes them."""
    from boardpack.build import load_inputs, make_engine

    engine = make_engine(load_inputs(demo_build.config))
    history = engine.history(engine.kpis["bfr"], Month(2026, 10), 24, "month")
    values = [v for _, v in history if v is not None]
    fmt = Formatter("fr", "EUR")
    alts = [a for a in chart_alts(demo_build.html["dirigeant"]) if a.startswith("BFR, ")]
    assert alts, chart_alts(demo_build.html["dirigeant"])
    expected = (f"BFR, {fmt.month(history[0][0])} à {fmt.month(history[-1][0])} : entre {fmt.money(min(values))}")
    assert alts[0].startswith(expected)
    assert f"et {fmt.money(max(values))}" in alts[0]
    assert alts[0].endswith(f"{fmt.money(values[-1])} en octobre 2026")


def test_demo_pdfs_are_tagged_with_their_language(demo_build: DemoBuild) -> None:
    """Structure tree, /MarkInfo /Marked true, /Lang fr, PDF/UA-1 declared in the XMP; charts are /Figure with /Alt."""
    reader = PdfReader(demo_build.paths["dirigeant"])
    root = cast(DictionaryObject, reader.trailer["/Root"])
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/Lang"] == "fr"
    xmp = reader.xmp_metadata
    assert xmp is not None and b"pdfuaid:part" in cast(Any, root["/Metadata"]).get_object().get_data()
    figures = [e for e in struct_elements(reader) if e["/S"] == "/Figure"]
    alts = [str(e["/Alt"]) for e in figures if "/Alt" in e]
    assert len(alts) == len(figures)
    assert set(chart_alts(demo_build.html["dirigeant"])) <= set(alts)
