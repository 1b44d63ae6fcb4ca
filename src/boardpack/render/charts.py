"""The chart host: creates a styled matplotlib ``Figure``, lets a chart plugin draw, returns SVG.

Plugins never touch pyplot or files: the host owns the figure, applies the theme's
matplotlib style and palette, and embeds the drawing as a ``data:`` URI, so charts look
the same in every pack and the PDF needs nothing from outside.

Chart text stays text in the SVG (``svg.fonttype: none``), in the font matplotlib measured
it with, when WeasyPrint can find that font too (it asks fontconfig, as WeasyPrint does):
WeasyPrint then sets it with the pack's own embedded font instead of drawing every glyph
as a path, which makes the PDFs smaller and quicker to write. When the font is not one
fontconfig has, the glyphs stay paths, since another font's metrics would move the labels.
"""

from __future__ import annotations

import base64
import functools
import io
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..api.charts import Chart, ChartStyle
from ..api.lazy import lazy_module
from ..errors import RenderError, Unavailable
from ..i18n import translate

if TYPE_CHECKING:
    import matplotlib
else:  # imported when the first chart is drawn
    matplotlib = lazy_module("matplotlib")

__all__ = ["ChartRenderer", "chart_font", "fontconfig_has"]

_CM = 1 / 2.54
#: the font charts fall back to, shipped with matplotlib and installed with most systems
_FALLBACK_FONT = "DejaVu Sans"
#: the styles (font, matplotlib style files) :meth:`ChartRenderer.warm_up` has drawn in
_WARMED: set[tuple[str, tuple[Path, ...]]] = set()


@functools.cache
def chart_font(font: str) -> str:
    """The family matplotlib draws ``font`` with: itself if it has it, else its fallback."""
    from matplotlib import font_manager

    found = font_manager.findfont(font_manager.FontProperties(family=[font, _FALLBACK_FONT]))
    return str(font_manager.get_font(found).family_name)


@functools.cache
def fontconfig_has(family: str) -> bool:
    """Whether fontconfig, where WeasyPrint finds the fonts of SVG text, has ``family``.

    False too when WeasyPrint's fontconfig binding cannot be reached: text then stays paths.
    """
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except Exception:  # an unusual WeasyPrint build: keep the glyphs as paths
        return False
    pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
    fontconfig.FcPatternAddString(pattern, b"family", family.encode())
    fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
    fontconfig.FcDefaultSubstitute(pattern)
    result = ffi.new("FcResult *")
    match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
    if match == ffi.NULL:
        return False
    match = ffi.gc(match, fontconfig.FcPatternDestroy)
    name = ffi.new("FcChar8 **")
    index = 0
    while fontconfig.FcPatternGetString(match, b"family", index, name) == fontconfig.FcResultMatch:
        if ffi.string(name[0]).decode("utf-8", "replace").casefold() == family.casefold():
            return True
        index += 1
    return False


class ChartRenderer:
    """Draws charts for one pack in one style; counts the seconds spent (for the benchmark)."""

    def __init__(self, charts: Mapping[str, Chart], style: ChartStyle, mplstyles: list[Path]) -> None:
        self.charts = charts
        self.style = style
        self.mplstyles = list(mplstyles)
        self._rc: dict[str, Any] | None = None
        self.seconds = 0.0

    @property
    def rc(self) -> dict[str, Any]:
        """The theme chain's matplotlib settings, read when the first chart is drawn."""
        if self._rc is None:
            self._rc = {}
            for path in self.mplstyles:
                self._rc.update(matplotlib.rc_params_from_file(str(path), use_default_template=False))
        return self._rc

    def svg(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7) -> str:
        """Draw chart ``name`` with ``data`` and return the SVG text."""
        started = time.perf_counter()
        chart = self.charts.get(name)
        if chart is None:
            raise RenderError(f"graphique inconnu « {name} » (graphiques : {', '.join(sorted(self.charts))})")
        from matplotlib.figure import Figure

        with matplotlib.rc_context(self._settings()):
            figure = Figure(figsize=(width_cm * _CM, height_cm * _CM), layout="constrained")
            chart.draw(figure, data, self.style)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        self.seconds += time.perf_counter() - started
        return buffer.getvalue()

    def alt(self, name: str, data: Mapping[str, Any], alt: str = "") -> str:
        """The chart's text alternative: ``alt`` (else the chart's title), then what its data says
        (:meth:`Chart.describe`), « Chiffre d'affaires, novembre 2025 à octobre 2026 : entre … »."""
        what = alt or str(data.get("title") or "")
        said = re.sub(r"[ \t\r\n]+", " ", self.charts[name].describe(data, self.style)).strip()  # no-break spaces stay
        return ", ".join(part for part in (what, said) if part)

    def _settings(self) -> dict[str, Any]:
        """The matplotlib settings of every chart of the pack: the theme's, its font and palette."""
        font = chart_font(self.style.font)
        return {
            **self.rc,
            "svg.hashsalt": "boardpack",
            "svg.fonttype": "none" if fontconfig_has(font) else "path",
            "font.family": list(dict.fromkeys([font, _FALLBACK_FONT])),
            "axes.prop_cycle": matplotlib.cycler(color=list(self.style.palette)),
        }

    def warm_up(self) -> None:
        """Draw a small throw-away chart in the pack's style: matplotlib's modules, the fonts and
        the SVG writer are then loaded in this process, and so in the worker processes forked
        next (each would otherwise load them again). Once per process and style."""
        key = (self.style.font, tuple(self.mplstyles))
        if key in _WARMED:
            return
        _WARMED.add(key)
        from matplotlib.figure import Figure

        with matplotlib.rc_context(self._settings()):
            figure = Figure(figsize=(6 * _CM, 3 * _CM), layout="constrained")
            axes = figure.add_subplot()
            axes.bar([0, 1], [1.0, -0.5], label="a")
            axes.plot([0, 1], [0.5, 1.0], label="b", linestyle="--")
            axes.set_title("Août 1 234 €")
            axes.legend()
            figure.savefig(io.StringIO(), format="svg", metadata={"Date": None, "Creator": None})

    def img(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7, alt: str = "") -> Markup:
        """An ``<img>`` tag embedding the chart, its text alternative built from its data
        (:meth:`alt`); a framed notice if the chart is unavailable."""
        try:
            svg = self.svg(name, data, width_cm, height_cm)
        except Unavailable as exc:
            return Markup(
                f'<div class="chart-unavailable" style="height:{height_cm}cm">'
                f"{escape(alt)} — {'non disponible' if self.style.language == 'fr' else 'not available'} : "
                f"{escape(translate(str(exc), self.style.language))}</div>"
            )
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return Markup(
            f'<img class="chart" alt="{escape(self.alt(name, data, alt))}" style="width:{width_cm}cm;height:{height_cm}cm" '
            f'src="data:image/svg+xml;base64,{encoded}">'
        )
