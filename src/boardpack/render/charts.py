"""The chart host: creates a styled matplotlib ``Figure``, lets a chart plugin draw, returns SVG.

Plugins never touch pyplot or files: the host owns the figure, applies the theme's
matplotlib style and palette, and embeds the drawing as a ``data:`` URI, so charts look
the same in every pack and the PDF needs nothing from outside.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from markupsafe import Markup, escape

from ..errors import RenderError
from ..api.charts import Chart
from ..errors import Unavailable
from ..api.charts import ChartStyle

__all__ = ["ChartRenderer"]

_CM = 1 / 2.54


class ChartRenderer:
    """Draws charts for one pack in one style; counts the seconds spent (for the benchmark)."""

    def __init__(self, charts: Mapping[str, Chart], style: ChartStyle, mplstyles: list[Path]) -> None:
        self.charts = charts
        self.style = style
        self.rc: dict[str, Any] = {}
        for path in mplstyles:
            self.rc.update(matplotlib.rc_params_from_file(str(path), use_default_template=False))
        self.seconds = 0.0

    def svg(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7) -> str:
        """Draw chart ``name`` with ``data`` and return the SVG text."""
        started = time.perf_counter()
        chart = self.charts.get(name)
        if chart is None:
            raise RenderError(f"graphique inconnu « {name} » (graphiques : {', '.join(sorted(self.charts))})")
        rc = {
            "svg.hashsalt": "boardpack",
            "svg.fonttype": "path",
            "font.family": [self.style.font, "DejaVu Sans"],
            "axes.prop_cycle": matplotlib.cycler(color=list(self.style.palette)),
        }
        with matplotlib.rc_context({**self.rc, **rc}):
            figure = Figure(figsize=(width_cm * _CM, height_cm * _CM), layout="constrained")
            chart.draw(figure, data, self.style)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        self.seconds += time.perf_counter() - started
        return buffer.getvalue()

    def img(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7, alt: str = "") -> Markup:
        """An ``<img>`` tag embedding the chart; a framed notice if the chart is unavailable."""
        try:
            svg = self.svg(name, data, width_cm, height_cm)
        except Unavailable as exc:
            return Markup(
                f'<div class="chart-unavailable" style="height:{height_cm}cm">'
                f"{escape(alt)} — {'non disponible' if self.style.language == 'fr' else 'not available'} : "
                f"{escape(str(exc))}</div>"
            )
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return Markup(
            f'<img class="chart" alt="{escape(alt)}" style="width:{width_cm}cm;height:{height_cm}cm" '
            f'src="data:image/svg+xml;base64,{encoded}">'
        )
