"""Cheaper layout, same look: chart text kept as SVG text, templates compiled once per process."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from pypdf import PdfReader

from boardpack.formatting import Formatter
from boardpack.api import Chart
from boardpack.render import charts
from boardpack.render.charts import ChartRenderer, chart_font, fontconfig_has
from boardpack.render.pdf import html_to_pdf
from boardpack.render.templates import BUILTIN_TEMPLATES, compiled_templates, make_environment
from boardpack.api import ChartStyle

from conftest import DemoBuild


class Labelled(Chart):
    """One bar and a title, enough text to see how the SVG carries it."""

    name = "labelled"

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        ax = figure.subplots()
        ax.bar(["Réel"], [3])
        figure.suptitle("Chiffre d'affaires", fontweight="bold")


def _renderer(font: str = "DejaVu Sans") -> ChartRenderer:
    fmt = Formatter("fr", "EUR")
    style = ChartStyle(colours={}, palette=("#1f3a5f",), font=font, language="fr",
                       money=fmt.money_short, number=fmt.number, month=fmt.month_short)
    return ChartRenderer({"labelled": Labelled()}, style, [])


def test_fonts_matplotlib_and_fontconfig_agree_on() -> None:
    """A font matplotlib lacks is drawn in its fallback, DejaVu Sans, which fontconfig (where
    WeasyPrint finds fonts) has; fontconfig does not pretend to have an unknown family."""
    assert chart_font("DejaVu Sans") == "DejaVu Sans"
    assert chart_font("Police Introuvable") == "DejaVu Sans"
    assert fontconfig_has("DejaVu Sans")
    assert not fontconfig_has("Police Introuvable")


def test_chart_text_is_svg_text_in_the_pack_font() -> None:
    """Title and tick label are <text> elements in DejaVu Sans, not glyph outlines."""
    svg = _renderer().svg("labelled", {})
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Chiffre d'affaires" in texts and "Réel" in texts
    assert "font-family: 'DejaVu Sans'" in svg
    assert "<defs>" not in svg or 'id="DejaVuSans-' not in svg


def test_chart_text_stays_paths_when_fontconfig_lacks_the_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """If WeasyPrint could not find the font matplotlib measured with, glyphs are outlines."""
    monkeypatch.setattr(charts, "fontconfig_has", lambda family: False)
    svg = _renderer().svg("labelled", {})
    assert "<text" not in svg
    assert 'id="DejaVuSans-' in svg


def test_chart_text_reaches_the_pdf_as_text(tmp_path: Path) -> None:
    """Laid out by WeasyPrint, the chart's title and label are text of the page (readable,
    searchable), set in the embedded DejaVu Sans."""
    img = _renderer().img("labelled", {}, alt="CA")
    pdf = html_to_pdf(f"<html><body>{img}</body></html>", BUILTIN_TEMPLATES, [BUILTIN_TEMPLATES])
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    assert "Chiffre d'affaires" in text and "Réel" in text


def test_demo_pack_charts_are_text(demo_build: DemoBuild) -> None:
    """The dirigeant pack's trend charts carry their month labels as text ("janv." is on the
    charts' page and nowhere in the HTML outside the charts)."""
    reader = PdfReader(demo_build.paths["dirigeant"])
    assert any("janv." in page.extract_text() for page in reader.pages)


def test_template_compiled_once_per_language(tmp_path: Path) -> None:
    """Two French packs' environments compile a template once; an English one compiles its own
    (Jinja folds ``1234567|money`` into the code: « 1 234 567 € » is not « €1,234,567 »);
    an edited template is compiled again."""
    (tmp_path / "amount.html").write_text("{{ 1234567|money }}", encoding="utf-8")
    french, english = Formatter("fr", "EUR"), Formatter("en", "EUR")
    before = compiled_templates(french).compiled, compiled_templates(english).compiled

    def render(fmt: Formatter) -> str:
        return make_environment([tmp_path], fmt).get_template("amount.html").render()

    assert render(french) == "1\u202f234\u202f567\u00a0€"
    assert render(french) == "1\u202f234\u202f567\u00a0€"
    assert render(english) == "€1,234,567"
    assert compiled_templates(french).compiled == before[0] + 1
    assert compiled_templates(english).compiled == before[1] + 1
    (tmp_path / "amount.html").write_text("{{ 1234567|money }} HT", encoding="utf-8")
    assert render(french) == "1\u202f234\u202f567\u00a0€ HT"
    assert compiled_templates(french).compiled == before[0] + 2


def test_demo_build_compiles_each_template_once(demo_build: DemoBuild) -> None:
    """Building the demo's four French packs again compiles no template: all were compiled
    by the first build, each once, and are reused."""
    from boardpack.build import build

    cache = compiled_templates(Formatter("fr", "EUR"))
    compiled, reused = cache.compiled, cache.reused
    build(demo_build.config, write=False)
    assert cache.compiled == compiled
    assert cache.reused > reused
