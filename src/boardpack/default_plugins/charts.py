"""Built-in charts: trends, monthly comparisons, horizontal bars and sparklines.

Every chart takes ``data`` with ``x`` (labels), ``series`` (a list of ``{"label",
"values", "kind"}`` where kind is ``bar``, ``line`` or ``dashed``; ``None`` values leave a
gap) and ``unit`` (``money``, ``percent``, ``days``, ``ratio``, ``count``) for the axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..hookspecs import hookimpl
from ..interfaces import Chart, Unavailable
from ..theme import ChartStyle

__all__ = ["BarsChart", "HorizontalBarsChart", "SparklineChart", "TrendChart"]


def _floats(values: Sequence[Any]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _require_values(data: Mapping[str, Any]) -> None:
    if not any(v is not None for s in data.get("series", []) for v in s["values"]):
        raise Unavailable("aucune valeur à représenter")


def _axis_formatter(unit: str, style: ChartStyle) -> FuncFormatter:
    def label(value: float, _position: int) -> str:
        if unit == "money":
            return style.money(round(value))
        if unit == "percent":
            return style.number(value, 0) + ("\u00a0%" if style.language == "fr" else "%")
        if unit == "ratio":
            return style.number(value, 1)
        return style.number(value, 0)

    return FuncFormatter(label)


def _finish(ax: Axes, data: Mapping[str, Any], style: ChartStyle, legend: bool = True) -> None:
    ax.yaxis.set_major_formatter(_axis_formatter(str(data.get("unit", "count")), style))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=7)
    for threshold in data.get("thresholds", []):
        ax.axhline(float(threshold["value"]), color=style.colour(threshold.get("colour", "alert")),
                   linewidth=0.8, linestyle=":")
    if data.get("title"):
        ax.set_title(str(data["title"]), fontsize=9, loc="left", color=style.colour("text"))
    if legend and len(data.get("series", [])) > 1:
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=len(data["series"]))


class TrendChart(Chart):
    """Lines over months (actual, N-1, budget…)."""

    name = "trend"
    description = "Courbes mensuelles (réel, N-1, budget)."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """One line per series; ``dashed`` series drawn dashed and lighter."""
        _require_values(data)
        ax = figure.add_subplot()
        x = list(range(len(data["x"])))
        for index, series in enumerate(data["series"]):
            colour = series.get("colour") or style.palette[index % len(style.palette)]
            dashed = series.get("kind") == "dashed"
            ax.plot(x, _floats(series["values"]), label=series["label"], color=colour,
                    linewidth=1.2 if dashed else 1.8, linestyle="--" if dashed else "-",
                    marker=None if dashed else "o", markersize=2.5)
        step = max(1, len(x) // 8)
        ax.set_xticks(x[::step], [str(v) for v in data["x"]][::step])
        _finish(ax, data, style)


class BarsChart(Chart):
    """Grouped monthly bars, with optional lines on top (budget)."""

    name = "bars"
    description = "Barres groupées par mois, lignes en surimpression (budget)."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """Series of kind ``bar`` side by side; ``line``/``dashed`` series as lines."""
        _require_values(data)
        ax = figure.add_subplot()
        x = list(range(len(data["x"])))
        bars = [s for s in data["series"] if s.get("kind", "bar") == "bar"]
        width = 0.8 / max(1, len(bars))
        for index, series in enumerate(data["series"]):
            colour = series.get("colour") or style.palette[index % len(style.palette)]
            if series.get("kind", "bar") == "bar":
                offset = (bars.index(series) - (len(bars) - 1) / 2) * width
                ax.bar([i + offset for i in x], _floats(series["values"]), width=width * 0.95,
                       label=series["label"], color=colour)
            else:
                ax.plot(x, _floats(series["values"]), label=series["label"], color=colour,
                        linewidth=1.4, linestyle="--" if series.get("kind") == "dashed" else "-")
        ax.set_xticks(x, [str(v) for v in data["x"]])
        ax.axhline(0, color="#999999", linewidth=0.6)
        _finish(ax, data, style)


class HorizontalBarsChart(Chart):
    """Horizontal bars for categories (pipeline by stage, revenue by segment)."""

    name = "hbars"
    description = "Barres horizontales par catégorie."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """One bar per label of ``x``, first series only, value written at the bar's end."""
        _require_values(data)
        ax = figure.add_subplot()
        series = data["series"][0]
        values = _floats(series["values"])
        labels = [str(v) for v in data["x"]]
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color=series.get("colour") or style.palette[0], height=0.6)
        ax.set_yticks(positions, labels)
        formatter = _axis_formatter(str(data.get("unit", "count")), style)
        for position, value in zip(positions, values):
            if not math.isnan(value):
                ax.text(value, position, " " + formatter(value, 0), va="center", fontsize=7)
        ax.xaxis.set_major_formatter(formatter)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=7)
        ax.margins(x=0.2)


class SparklineChart(Chart):
    """A small line without axes for KPI tiles; the last point is marked."""

    name = "sparkline"
    description = "Mini-courbe sans axes pour les tuiles d'indicateurs."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """The first series as a thin line."""
        _require_values(data)
        figure.set_layout_engine("none")
        ax = figure.add_axes((0.02, 0.1, 0.96, 0.8))
        values = _floats(data["series"][0]["values"])
        colour = data["series"][0].get("colour") or style.colour("primary")
        ax.plot(range(len(values)), values, color=colour, linewidth=1.2)
        last = max((i for i, v in enumerate(values) if not math.isnan(v)), default=None)
        if last is not None:
            ax.plot([last], [values[last]], "o", color=colour, markersize=2.5)
        ax.set_axis_off()


@hookimpl
def register_charts() -> list[Chart]:
    """Register the built-in charts."""
    return [TrendChart(), BarsChart(), HorizontalBarsChart(), SparklineChart()]
