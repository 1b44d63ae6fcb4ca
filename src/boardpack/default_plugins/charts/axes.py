"""What the built-in charts share: type sizes, the unit formatter of the axes, the frame, the title.

Used by :mod:`.trends` and :mod:`.waterfall`: one look for every built-in chart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from typing import TYPE_CHECKING

from boardpack.api import ChartStyle, Unavailable
from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import matplotlib
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .units import UnitFormatter
else:
    matplotlib = lazy_module("matplotlib")

__all__ = [
    "LEGEND_SIZE", "MINUS", "TICK_SIZE", "TITLE_SIZE", "axis_formatter", "floats", "frame",
    "require_values", "title", "zero_line",
]

#: Type sizes in points: tick labels, legend, title.
TICK_SIZE = 7.0
LEGEND_SIZE = 7.0
TITLE_SIZE = 8.5
MINUS = "\u2212"


def floats(values: Sequence[Any]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def require_values(data: Mapping[str, Any]) -> None:
    if not any(v is not None for s in data.get("series", []) for v in s["values"]):
        raise Unavailable("aucune valeur à représenter")


def axis_formatter(unit: str, style: ChartStyle) -> UnitFormatter:
    """The formatter of an axis showing ``unit`` (see :class:`.units.UnitFormatter`)."""
    from .units import UnitFormatter  # subclasses matplotlib's Formatter: imported when a chart is drawn

    return UnitFormatter(unit, style)


def frame(ax: Axes) -> None:
    """Open frame: baseline only and a horizontal grid, in the theme's matplotlib style."""
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.grid(axis="y")
    ax.grid(axis="x", visible=False)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.tick_params(axis="y", length=0, pad=3)


def zero_line(ax: Axes) -> None:
    """The zero line when the value axis crosses zero, in the axis colour."""
    low, high = ax.get_ylim()
    if low <= 0 <= high:
        ax.axhline(0, color=matplotlib.rcParams["axes.edgecolor"],
                   linewidth=matplotlib.rcParams["axes.linewidth"], zorder=1)


def title(figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
    """The chart's title, flush with the figure's left edge."""
    if data.get("title"):
        figure.suptitle(str(data["title"]), x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold",
                        color=style.colour("text", "#1d2330"))
        from matplotlib.layout_engine import ConstrainedLayoutEngine

        engine = figure.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            engine.set(h_pad=6 / 72)  # a little air between the title and the top tick label
