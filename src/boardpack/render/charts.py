"""The chart host: creates a styled matplotlib ``Figure``, lets a chart plugin draw, returns SVG.

Plugins never touch pyplot or files: the host owns the figure, applies the theme's
matplotlib style and palette, and embeds the drawing as a ``data:`` URI, so charts look
the same in every pack and the PDF needs nothing from outside.

Chart text stays text in the SVG (``svg.fonttype: none``), in the font matplotlib measured
it with, when WeasyPrint can find that font too (it asks fontconfig, as WeasyPrint does):
WeasyPrint then sets it with the pack's own embedded font instead of drawing every glyph
as a path, which makes the PDFs smaller and quicker to write. When the font is not one
fontconfig has, the glyphs stay paths, since another font's metrics would move the labels.

When a pack is laid out in a worker process, its charts are drawn there too: the renderer
is told to :meth:`~ChartRenderer.defer` them, so that :meth:`~ChartRenderer.img` only records
each chart (:class:`ChartJob`) and returns a placeholder, and the worker draws them with the
same code (:meth:`PendingCharts.draw`) and puts their markup in place of the placeholders just
before the layout: the same HTML, and so the same PDF bytes, as drawing them here.
"""

from __future__ import annotations

import base64
import functools
import io
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..api.charts import Chart, ChartStyle
from ..api.lazy import lazy_module
from ..errors import BoardpackError, RenderError, Unavailable
from ..i18n import translate

if TYPE_CHECKING:
    import matplotlib
else:  # imported when the first chart is drawn
    matplotlib = lazy_module("matplotlib")

__all__ = ["ChartJob", "ChartRenderer", "PendingCharts", "chart_font", "fontconfig_has"]

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


@dataclass(frozen=True)
class ChartJob:
    """One chart a pack asked for, drawn later where the pack is laid out (:meth:`ChartRenderer.img`'s
    arguments, and the section that asked, for error messages)."""

    name: str
    data: Mapping[str, Any]
    width_cm: float
    height_cm: float
    alt: str
    section: str = ""


@dataclass(frozen=True)
class PendingCharts:
    """A pack's charts still to draw and what drawing them takes: plain data, sent with the pack's
    HTML to the worker process that lays it out."""

    #: the charts the jobs name (only those), their style and the theme's matplotlib style files
    charts: Mapping[str, Chart]
    style: ChartStyle
    mplstyles: tuple[Path, ...]
    #: the placeholder marker of this pack's HTML (:meth:`ChartRenderer.defer`)
    token: str
    jobs: tuple[ChartJob, ...]
    #: the plugin of each chart, by name (error messages)
    providers: Mapping[str, str]

    def draw(self, html: str) -> tuple[str, float]:
        """Draw the charts, in the order the pack asked for them, and return ``html`` with each
        placeholder replaced by its chart's markup, and the seconds spent drawing.

        :raises RenderError: a chart that failed otherwise than :class:`Unavailable` (that one
            is shown as « non disponible » in the pack, as when drawn in one process), naming
            the chart, its plugin and the section that asked for it.
        """
        renderer = ChartRenderer(self.charts, self.style, list(self.mplstyles))
        markups = [self._drawn(renderer, job) for job in self.jobs]
        drawn = re.sub(rf"<!--chart {self.token} (\d+)-->", lambda match: markups[int(match[1])], html)
        return drawn, renderer.seconds

    def _drawn(self, renderer: ChartRenderer, job: ChartJob) -> str:
        try:
            return str(renderer.img(job.name, job.data, job.width_cm, job.height_cm, job.alt))
        except BoardpackError:
            raise
        except Exception as exc:  # a chart plugin's bug: one sentence, as a section's would be
            provider = self.providers.get(job.name, "?")
            where = f" (section « {job.section} »)" if job.section else ""
            raise RenderError(f"graphique « {job.name} » du plugin « {provider} »{where} : erreur inattendue "
                              f"({type(exc).__name__} : {' '.join(str(exc).split())[:200]}) ; corrigez ou "
                              "retirez ce plugin") from None


class ChartRenderer:
    """Draws charts for one pack in one style; counts the seconds spent (for the benchmark)."""

    def __init__(self, charts: Mapping[str, Chart], style: ChartStyle, mplstyles: list[Path]) -> None:
        self.charts = charts
        self.style = style
        self.mplstyles = list(mplstyles)
        self._rc: dict[str, Any] | None = None
        self.seconds = 0.0
        #: the charts recorded instead of drawn, after :meth:`defer`
        self._jobs: list[ChartJob] | None = None
        self._token = ""

    def defer(self) -> None:
        """From now on, :meth:`img` draws nothing: it checks the chart's name, records the chart
        and returns a placeholder (an HTML comment), which :meth:`PendingCharts.draw` replaces
        by the chart where the pack is laid out (:meth:`pending`)."""
        self._jobs, self._token = [], secrets.token_hex(8)

    def pending(self, providers: Mapping[str, str] | None = None) -> PendingCharts | None:
        """The charts recorded since :meth:`defer` (``None`` if charts are drawn at once).

        :param providers: the plugin of each chart, by name (for error messages).
        """
        if self._jobs is None:
            return None
        names = {job.name for job in self._jobs}
        return PendingCharts({name: self.charts[name] for name in sorted(names)}, self.style,
                             tuple(self.mplstyles), self._token, tuple(self._jobs),
                             {name: (providers or {}).get(name, "?") for name in sorted(names)})

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
            raise self._unknown(name)
        from matplotlib.figure import Figure

        with matplotlib.rc_context(self._settings()):
            figure = Figure(figsize=(width_cm * _CM, height_cm * _CM), layout="constrained")
            chart.draw(figure, data, self.style)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        self.seconds += time.perf_counter() - started
        return buffer.getvalue()

    def _unknown(self, name: str) -> RenderError:
        return RenderError(f"graphique inconnu « {name} » (graphiques : {', '.join(sorted(self.charts))})")

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

    def img(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7, alt: str = "",
            section: str = "") -> Markup:
        """An ``<img>`` tag embedding the chart, its text alternative built from its data
        (:meth:`alt`); a framed notice if the chart is unavailable. After :meth:`defer`, a
        placeholder for it (``section``, the title of the section asking, names it in errors).

        :raises RenderError: for a chart no plugin registered.
        """
        if self._jobs is not None:
            if name not in self.charts:
                raise self._unknown(name)
            self._jobs.append(ChartJob(name, data, width_cm, height_cm, alt, section))
            return Markup(f"<!--chart {self._token} {len(self._jobs) - 1}-->")
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
