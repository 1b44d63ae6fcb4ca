"""Built-in charts: trends, monthly comparisons, horizontal bars and sparklines.

Every chart takes ``data`` with ``x`` (labels), ``series`` (a list of ``{"label",
"values", "kind"}`` where kind is ``bar``, ``line`` or ``dashed``; ``None`` values leave a
gap) and ``unit`` (``money``, ``percent``, ``days``, ``ratio``, ``count``) for the axis.
Optional keys: ``title`` (drawn top left) and ``thresholds`` (``{"value", "colour"}``
dotted lines).

The charts are drawn for print at the size the section asks for: 7 pt tick labels,
month labels thinned so they never touch (measured on the glyph outlines, so the result
is the same on every machine), the legend under the plot so it never covers the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..hookspecs import hookimpl
from ..interfaces import Chart, Unavailable
from ..theme import ChartStyle

__all__ = ["BarsChart", "HorizontalBarsChart", "SparklineChart", "TrendChart"]

#: Type sizes in points: tick labels, legend, title.
TICK_SIZE = 7.0
LEGEND_SIZE = 7.0
TITLE_SIZE = 8.5
#: Gap kept between two month labels, in points.
LABEL_GAP = 7.0
#: Steps tried for month labels: every month, every other, quarterly, every 4 or 6 months, yearly.
MONTH_STEPS = (1, 2, 3, 4, 6, 12)
GRID_COLOUR = "#e3e6eb"
MINUS = "\u2212"


def _floats(values: Sequence[Any]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _require_values(data: Mapping[str, Any]) -> None:
    if not any(v is not None for s in data.get("series", []) for v in s["values"]):
        raise Unavailable("aucune valeur à représenter")


def _axis_formatter(unit: str, style: ChartStyle) -> FuncFormatter:
    """Axis labels in the pack's conventions, with a true minus sign."""

    def label(value: float, _position: int | None = None) -> str:
        if abs(value) < 1e-9:
            value = 0.0
        if unit == "money":
            text = style.money(round(value))
        elif unit == "percent":
            text = style.number(value, 0) + ("\u00a0%" if style.language == "fr" else "%")
        elif unit == "ratio":
            text = style.number(value, 1)
        elif unit == "days":
            text = style.number(value, 0) + ("\u00a0j" if style.language == "fr" else "\u00a0d")
        else:
            text = style.number(value, 0)
        return text.replace("-", MINUS)

    return FuncFormatter(label)


def _text_width(text: str, size: float, font: str) -> float:
    """Width of ``text`` in points, from the glyph outlines (no renderer needed)."""
    if not text:
        return 0.0
    path = TextPath((0, 0), text, size=size, prop=FontProperties(family=[font, "DejaVu Sans"]))
    return float(path.get_extents().width)


def _series_colour(series: Mapping[str, Any], index: int, style: ChartStyle) -> str:
    return str(series.get("colour") or style.palette[index % len(style.palette)])


def _month_ticks(ax: Axes, figure: Figure, labels: Sequence[str], style: ChartStyle,
                 anchor_last: bool, plot_share: float = 0.8) -> None:
    """Label every n-th month so labels never overlap; a minor tick marks every month.

    ``anchor_last`` keeps the latest month labelled (trends end on the period);
    otherwise the first month is (a fiscal year read from its start).
    """
    count = len(labels)
    if count == 0:
        return
    slot = figure.get_figwidth() * 72 * plot_share / count
    widest = max(_text_width(label, TICK_SIZE, style.font) for label in labels) + LABEL_GAP
    step = next((s for s in MONTH_STEPS if s * slot >= widest), math.ceil(widest / slot))
    if anchor_last:
        positions = [i for i in range(count) if (count - 1 - i) % step == 0]
    else:
        positions = list(range(0, count, step))
    ax.set_xticks(positions, [labels[i] for i in positions])
    ax.set_xticks(range(count), minor=True)
    ax.tick_params(axis="x", which="minor", length=1.5, width=0.5, color="#b8bfc9")
    ax.tick_params(axis="x", which="major", length=3, width=0.6)
    ax.set_xlim(-0.6, count - 0.4)


def _frame(ax: Axes, style: ChartStyle) -> None:
    """Open frame: baseline only, light horizontal grid, muted tick labels."""
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.spines["bottom"].set_color("#9aa3ae")
    ax.spines["bottom"].set_linewidth(0.6)
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=TICK_SIZE, colors=style.colour("muted", "#6b7280"))
    ax.tick_params(axis="y", length=0, pad=3)


def _finish(ax: Axes, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
    """Value axis, thresholds, title, and the legend under the plot when there are several series."""
    ax.yaxis.set_major_formatter(_axis_formatter(str(data.get("unit", "count")), style))
    ax.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
    _frame(ax, style)
    for threshold in data.get("thresholds", []):
        ax.axhline(float(threshold["value"]), color=style.colour(threshold.get("colour", "alert")),
                   linewidth=0.8, linestyle=":")
    if data.get("title"):
        ax.set_title(str(data["title"]), fontsize=TITLE_SIZE, loc="left", fontweight="bold",
                     color=style.colour("text", "#1d2330"), pad=6)
    labelled = [s for s in data.get("series", []) if s.get("label")]
    if len(labelled) > 1:
        figure.legend(
            loc="outside lower center", ncols=len(labelled), frameon=False, fontsize=LEGEND_SIZE,
            handlelength=1.6, handleheight=0.7, columnspacing=1.4, borderaxespad=0.2,
            labelcolor=style.colour("text", "#1d2330"),
        )


class TrendChart(Chart):
    """Lines over months (actual, N-1, budget…)."""

    name = "trend"
    description = "Courbes mensuelles (réel, N-1, budget)."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """One line per series, the last point of each solid line marked; ``dashed`` series lighter."""
        _require_values(data)
        ax = figure.add_subplot()
        x = list(range(len(data["x"])))
        for index, series in enumerate(data["series"]):
            colour = _series_colour(series, index, style)
            dashed = series.get("kind") == "dashed"
            values = _floats(series["values"])
            ax.plot(x, values, label=series["label"], color=colour, linewidth=1.0 if dashed else 1.5,
                    linestyle=(0, (4, 2)) if dashed else "-", solid_joinstyle="round",
                    solid_capstyle="round", zorder=2 if dashed else 3)
            last = max((i for i, v in enumerate(values) if not math.isnan(v)), default=None)
            if last is not None and not dashed:
                ax.plot([last], [values[last]], "o", color=colour, markersize=3.2,
                        markeredgecolor="white", markeredgewidth=0.6, zorder=4)
        _finish(ax, figure, data, style)
        _month_ticks(ax, figure, [str(v) for v in data["x"]], style, anchor_last=True)
        low, high = ax.get_ylim()
        if low < 0 < high:
            ax.axhline(0, color="#9aa3ae", linewidth=0.6, zorder=1)


class BarsChart(Chart):
    """Grouped monthly bars, with optional lines on top (budget)."""

    name = "bars"
    description = "Barres groupées par mois, lignes en surimpression (budget)."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """Series of kind ``bar`` side by side; ``line``/``dashed`` series as lines with small markers."""
        _require_values(data)
        ax = figure.add_subplot()
        x = list(range(len(data["x"])))
        bars = [s for s in data["series"] if s.get("kind", "bar") == "bar"]
        width = 0.78 / max(1, len(bars))
        for index, series in enumerate(data["series"]):
            colour = _series_colour(series, index, style)
            if series.get("kind", "bar") == "bar":
                offset = (bars.index(series) - (len(bars) - 1) / 2) * width
                ax.bar([i + offset for i in x], _floats(series["values"]), width=width * 0.9,
                       label=series["label"], color=colour, linewidth=0, zorder=2)
            else:
                dashed = series.get("kind") == "dashed"
                ax.plot(x, _floats(series["values"]), label=series["label"], color=colour,
                        linewidth=1.2, linestyle=(0, (4, 2)) if dashed else "-",
                        marker="o", markersize=2.2, markeredgewidth=0, zorder=3)
        _finish(ax, figure, data, style)
        _month_ticks(ax, figure, [str(v) for v in data["x"]], style, anchor_last=False)
        ax.axhline(0, color="#9aa3ae", linewidth=0.6, zorder=1)


class HorizontalBarsChart(Chart):
    """Horizontal bars for categories (pipeline by stage, revenue by segment)."""

    name = "hbars"
    description = "Barres horizontales par catégorie."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """One bar per label of ``x``, first series only, value written at the bar's end.

        The values are written on the bars, so the value axis is left out; room is kept at
        the right for the longest value label.
        """
        _require_values(data)
        ax = figure.add_subplot()
        series = data["series"][0]
        values = _floats(series["values"])
        labels = [str(v) for v in data["x"]]
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color=series.get("colour") or style.palette[0], height=0.58, zorder=2)
        ax.set_yticks(positions, labels)
        formatter = _axis_formatter(str(data.get("unit", "count")), style)
        texts = [formatter(v) if not math.isnan(v) else "" for v in values]
        for position, value, text in zip(positions, values, texts):
            if text:
                ax.annotate(text, (max(value, 0.0), position), xytext=(3, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=TICK_SIZE, fontweight="bold",
                            color=style.colour("text", "#1d2330"))
        finite = [v for v in values if not math.isnan(v)]
        top = max(finite + [0.0])
        # Keep room for the widest value label: its width as a share of the plot width.
        plot_width = figure.get_figwidth() * 72 * 0.62
        widest = max(_text_width(t, TICK_SIZE, style.font) for t in texts) + 6
        share = min(0.45, widest / plot_width)
        ax.set_xlim(min(finite + [0.0]), top / (1 - share) if top > 0 else 1)
        ax.xaxis.set_visible(False)
        ax.spines[["top", "right", "bottom"]].set_visible(False)
        ax.spines["left"].set_color("#9aa3ae")
        ax.spines["left"].set_linewidth(0.6)
        ax.tick_params(axis="y", length=0, pad=4, labelsize=TICK_SIZE, colors=style.colour("text", "#1d2330"))
        ax.set_ylim(-0.6, len(labels) - 0.4)
        if data.get("title"):
            ax.set_title(str(data["title"]), fontsize=TITLE_SIZE, loc="left", fontweight="bold",
                         color=style.colour("text", "#1d2330"), pad=6)


class SparklineChart(Chart):
    """A small line without axes for KPI tiles; the last point is marked."""

    name = "sparkline"
    description = "Mini-courbe sans axes pour les tuiles d'indicateurs."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """The first series as a thin line over a light area, on a fixed month axis.

        Every sparkline spans the same months, so sparklines of a page line up; a series
        starting late starts late on the axis. Fewer than two values draw nothing.
        """
        _require_values(data)
        values = _floats(data["series"][0]["values"])
        known = [v for v in values if not math.isnan(v)]
        if len(known) < 2:
            raise Unavailable("historique insuffisant")
        figure.set_layout_engine("none")
        ax = figure.add_axes((0.015, 0.1, 0.955, 0.8))
        colour = data["series"][0].get("colour") or style.colour("primary")
        low, high = min(known), max(known)
        span = (high - low) or (abs(high) or 1.0)
        floor = low - span * 0.15
        x = list(range(len(values)))
        ax.fill_between(x, values, floor, color=colour, alpha=0.10, linewidth=0)
        ax.plot(x, values, color=colour, linewidth=1.1, solid_joinstyle="round", solid_capstyle="round")
        last = max(i for i, v in enumerate(values) if not math.isnan(v))
        ax.plot([last], [values[last]], "o", color=style.colour("accent", colour), markersize=3,
                markeredgecolor="white", markeredgewidth=0.5)
        ax.set_xlim(-0.3, len(values) - 0.7)
        ax.set_ylim(floor, high + span * 0.12)
        ax.set_axis_off()


@hookimpl
def register_charts() -> list[Chart]:
    """Register the built-in charts."""
    return [TrendChart(), BarsChart(), HorizontalBarsChart(), SparklineChart()]
