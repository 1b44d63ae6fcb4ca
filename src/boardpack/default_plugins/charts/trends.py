"""Built-in charts: trends, monthly comparisons, horizontal bars and sparklines.

Every chart takes ``data`` with ``x`` (labels), ``series`` (a list of ``{"label",
"values", "kind"}`` where kind is ``bar``, ``line`` or ``dashed``; ``None`` values leave a
gap) and ``unit`` (``money``, ``percent``, ``days``, ``ratio``, ``count``) for the axis.
Optional keys: ``title`` (drawn top left) and ``thresholds`` (``{"value", "colour"}``
dotted lines).

The charts are drawn for print at the size the section asks for: 7 pt tick labels,
month labels thinned so they never touch (measured on the glyph outlines, so the result
is the same on every machine), the legend under the plot so it never covers the data.
Series colours come from the theme's palette and named colours; the frame (axis line,
grid, tick colours) from the theme's matplotlib style (``axes.edgecolor``,
``grid.color``, ``grid.linewidth``, ``xtick.color``, ``xtick.labelcolor``…).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from boardpack.api import Chart, ChartStyle, Unavailable, hookimpl
from boardpack.api.lazy import lazy_module

from .axes import (
    LEGEND_SIZE,
    TICK_SIZE,
    axis_formatter,
    floats,
    frame,
    require_values,
    title,
    zero_line,
)

if TYPE_CHECKING:
    import matplotlib
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
else:  # matplotlib is imported when a chart is drawn, not when the charts are registered
    matplotlib = lazy_module("matplotlib")

__all__ = ["BarsChart", "HorizontalBarsChart", "SparklineChart", "TrendChart"]

#: Gap kept between two month labels, in points.
LABEL_GAP = 6.0
#: Steps tried for month labels: every month, every other, quarterly, every 4 or 6 months, yearly.
MONTH_STEPS = (1, 2, 3, 4, 6, 12)


def _round_limits(ax: Axes) -> None:
    """Stretch the value axis to the ticks just outside the data, so the grid frames the curve."""
    low, high = ax.get_ylim()
    ticks = list(ax.yaxis.get_major_locator().tick_values(low, high))
    below = [t for t in ticks if t <= low + 1e-12]
    above = [t for t in ticks if t >= high - 1e-12]
    ax.set_ylim(max(below) if below else low, min(above) if above else high)


@functools.lru_cache(maxsize=1024)
def _text_width(text: str, size: float, font: str) -> float:
    """Width of ``text`` in points, from the glyph outlines (no renderer needed)."""
    if not text:
        return 0.0
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), text, size=size, prop=FontProperties(family=[font, "DejaVu Sans"]))
    return float(path.get_extents().width)


def _series_colour(series: Mapping[str, Any], index: int, style: ChartStyle) -> str:
    return str(series.get("colour") or style.palette[index % len(style.palette)])


def _month_parts(label: str) -> tuple[str, str | None]:
    """``"oct. 26"`` → ``("oct.", "2026")``; a label without a two-digit year is kept whole."""
    head, _, tail = label.rpartition(" ")
    if head and len(tail) == 2 and tail.isdigit():
        return head, "20" + tail
    return label, None


def _month_ticks(ax: Axes, figure: Figure, labels: Sequence[str], style: ChartStyle,
                 anchor_last: bool, plot_share: float = 0.8) -> None:
    """Label every n-th month so labels never overlap; a minor tick marks every month.

    Month labels are set on two lines, the month and, under the first label and the first
    label of each new year, the year. ``anchor_last`` keeps the latest month labelled
    (trends end on the period); otherwise the first month is (a fiscal year read from its start).
    """
    count = len(labels)
    if count == 0:
        return
    parts = [_month_parts(label) for label in labels]
    two_lines = all(year is not None for _, year in parts)
    shown = [month for month, _ in parts] if two_lines else list(labels)
    slot = figure.get_figwidth() * 72 * plot_share / count
    widest = max(_text_width(text, TICK_SIZE, style.font) for text in shown) + LABEL_GAP
    step = next((s for s in MONTH_STEPS if s * slot >= widest), math.ceil(widest / slot))
    if anchor_last:
        positions = [i for i in range(count) if (count - 1 - i) % step == 0]
    else:
        positions = list(range(0, count, step))
    texts, previous_year = [], None
    for i in positions:
        month, year = parts[i]
        if two_lines:
            texts.append(month + ("\n" + str(year) if year != previous_year else "\n"))
            previous_year = year
        else:
            texts.append(labels[i])
    ax.set_xticks(positions, texts)
    _month_marks(ax, count)
    ax.set_xlim(-0.6, count - 0.4)


def _month_marks(ax: Axes, count: int) -> None:
    """A short mark under the axis at every month, drawn as minor ticks look.

    One line of tick-shaped markers rather than ``count`` minor ticks: matplotlib builds
    each tick as several artists, which made the marks of a 46-month axis a good part of
    the chart's drawing time.
    """
    from matplotlib.markers import TICKDOWN, TICKUP

    rc = matplotlib.rcParams
    ax.plot(range(count), [0.0] * count, transform=ax.get_xaxis_transform(), linestyle="none",
            marker=TICKDOWN if rc["xtick.direction"] != "in" else TICKUP,
            markersize=rc["xtick.minor.size"], markeredgewidth=rc["xtick.minor.width"],
            color=rc["xtick.color"], clip_on=False, zorder=2.5)


def _finish(ax: Axes, figure: Figure, data: Mapping[str, Any], style: ChartStyle,
            handles: Sequence[Any] = ()) -> None:
    """Value axis, thresholds, title, and the legend under the plot when there are several series."""
    for threshold in data.get("thresholds", []):
        ax.axhline(float(threshold["value"]), color=style.colour(threshold.get("colour", "alert")),
                   linewidth=0.8, linestyle=":")
    ax.yaxis.set_major_formatter(axis_formatter(str(data.get("unit", "count")), style))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5, steps=[1, 2, 5, 10]))
    _round_limits(ax)
    frame(ax)
    title(figure, data, style)
    labelled = [(handle, series["label"]) for handle, series in zip(handles, data.get("series", []))
                if series.get("label")]
    if len(labelled) > 1:
        figure.legend(
            [h for h, _ in labelled], [label for _, label in labelled],
            loc="outside lower center", ncols=len(labelled), frameon=False, fontsize=LEGEND_SIZE,
            handlelength=1.8, handleheight=0.7, columnspacing=1.6, borderaxespad=0.2,
            labelcolor=style.colour("text", "#1d2330"),
        )


class TrendChart(Chart):
    """Lines over months (actual, N-1, budget…)."""

    name = "trend"
    description = "Courbes mensuelles (réel, N-1, budget)."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """One line per series, the last point of each solid line marked; ``dashed`` series lighter."""
        require_values(data)
        ax = figure.add_subplot()
        x = list(range(len(data["x"])))
        handles = []
        for index, series in enumerate(data["series"]):
            colour = _series_colour(series, index, style)
            dashed = series.get("kind") == "dashed"
            values = floats(series["values"])
            (line,) = ax.plot(x, values, label=series["label"], color=colour, linewidth=1.0 if dashed else 1.5,
                              linestyle=(0, (4, 2)) if dashed else "-", solid_joinstyle="round",
                              solid_capstyle="round", zorder=2 if dashed else 3)
            last = max((i for i, v in enumerate(values) if not math.isnan(v)), default=None)
            if last is not None and not dashed:
                ax.plot([last], [values[last]], "o", color=colour, markersize=3.2,
                        markeredgecolor="white", markeredgewidth=0.6, zorder=4)
            handles.append(line)
        _finish(ax, figure, data, style, handles)
        _month_ticks(ax, figure, [str(v) for v in data["x"]], style, anchor_last=True)
        low, high = ax.get_ylim()
        if low < 0 < high:
            zero_line(ax)


class BarsChart(Chart):
    """Grouped monthly bars, with optional lines on top (budget)."""

    name = "bars"
    description = "Barres groupées par mois, lignes en surimpression (budget)."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """Series of kind ``bar`` side by side; ``line``/``dashed`` series as lines with small markers."""
        require_values(data)
        ax = figure.add_subplot()
        x = list(range(len(data["x"])))
        bars = [s for s in data["series"] if s.get("kind", "bar") == "bar"]
        width = 0.78 / max(1, len(bars))
        handles: list[Any] = []
        for index, series in enumerate(data["series"]):
            colour = _series_colour(series, index, style)
            if series.get("kind", "bar") == "bar":
                offset = (bars.index(series) - (len(bars) - 1) / 2) * width
                handles.append(ax.bar([i + offset for i in x], floats(series["values"]), width=width * 0.9,
                                      label=series["label"], color=colour, linewidth=0, zorder=2))
            else:
                dashed = series.get("kind") == "dashed"
                (line,) = ax.plot(x, floats(series["values"]), label=series["label"], color=colour,
                                  linewidth=1.2, linestyle=(0, (4, 2)) if dashed else "-",
                                  marker="o", markersize=2.2, markeredgewidth=0, zorder=3)
                handles.append(line)
        _finish(ax, figure, data, style, handles)
        _month_ticks(ax, figure, [str(v) for v in data["x"]], style, anchor_last=False)
        zero_line(ax)


class HorizontalBarsChart(Chart):
    """Horizontal bars for categories (pipeline by stage, revenue by segment)."""

    name = "hbars"
    description = "Barres horizontales par catégorie."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """One bar per label of ``x``, first series only, value written at the bar's end.

        The values are written on the bars, so the value axis is left out; room is kept at
        the right for the longest value label.
        """
        require_values(data)
        ax = figure.add_subplot()
        series = data["series"][0]
        values = floats(series["values"])
        labels = [str(v) for v in data["x"]]
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color=series.get("colour") or style.palette[0], height=0.58, zorder=2)
        ax.set_yticks(positions, labels)
        formatter = axis_formatter(str(data.get("unit", "count")), style)
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
        ax.grid(False)
        ax.tick_params(axis="y", length=0, pad=4, labelsize=TICK_SIZE, labelcolor=style.colour("text", "#1d2330"))
        ax.set_ylim(-0.6, len(labels) - 0.4)
        title(figure, data, style)

    def describe(self, data: Mapping[str, Any], style: ChartStyle) -> str:
        """Each category with its value, in the bars' order (« Client A : 120 300 € ; … »)."""
        unit = str(data.get("unit", "count"))
        values = (data.get("series") or [{}])[0].get("values") or []
        parts = [f"{label}{' :' if style.language == 'fr' else ':'} {style.value(value, unit)}"
                 for label, value in zip(data.get("x", []), values) if value is not None]
        return (" ; " if style.language == "fr" else "; ").join(parts)


class SparklineChart(Chart):
    """A small line without axes for KPI tiles; the last point is marked."""

    name = "sparkline"
    description = "Mini-courbe sans axes pour les tuiles d'indicateurs."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """The first series as a thin line over a light area, on a fixed month axis.

        Every sparkline spans the same months, so sparklines of a page line up; a series
        starting late starts late on the axis. Fewer than two values draw nothing.
        """
        require_values(data)
        values = floats(data["series"][0]["values"])
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
        ax.fill_between(x, values, floor, color=colour, alpha=0.08, linewidth=0)
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
