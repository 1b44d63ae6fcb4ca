"""The ``pareto`` chart: revenue by customer as bars, largest first, with the cumulated share.

``data`` keys: ``x`` (customer labels), ``values`` (revenue in euros, same order),
``cumulative`` (cumulated share in percent, same order), optional ``threshold`` (the share
marked by a dotted line, default 80) and ``point`` (index of the bar where the cumulated
share reaches it, marked by a vertical line). Bars use the theme's first palette colour,
the cumulated line its accent colour; amounts and percentages are written in the pack's
language through the style's formatters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from boardpack.api import Chart, Unavailable
from boardpack.api import ChartStyle

if TYPE_CHECKING:  # matplotlib is imported when the chart is drawn (see draw), not at registration
    from matplotlib.figure import Figure

__all__ = ["ParetoChart", "short_label"]

TICK_SIZE = 6.5
LABEL_LENGTH = 20


def short_label(label: str, length: int = LABEL_LENGTH) -> str:
    """A customer name cut to ``length`` characters with an ellipsis."""
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


class ParetoChart(Chart):
    """Bars of revenue by customer and the cumulated share on a second axis (0–100 %)."""

    name = "pareto"
    description = "Diagramme de Pareto : CA par client décroissant et part cumulée."

    def describe(self, data: Mapping[str, Any], style: ChartStyle) -> str:
        """The text alternative: each bar's customer, revenue and cumulated share
        (« Client A : 1 121 130 € (15,7 % cumulé) ; … »)."""
        fr = style.language == "fr"
        parts = [f"{label}{' :' if fr else ':'} {style.value(value, 'money')} "
                 f"({style.value(share, 'percent')} {'cumulé' if fr else 'cumulative'})"
                 for label, value, share in zip(data.get("x", []), data.get("values", []), data.get("cumulative", []))]
        return (" ; " if fr else "; ").join(parts)

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """Bars, the cumulated line with its markers, the threshold and the Pareto point."""
        from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

        values = [float(v) for v in data.get("values", [])]
        if not values:
            raise Unavailable("aucun client à représenter")
        cumulative = [float(v) for v in data["cumulative"]]
        labels = [short_label(str(x)) for x in data["x"]]
        positions = list(range(len(values)))
        text = style.colour("text", "#1d2330")
        percent = "\u00a0%" if style.language == "fr" else "%"

        ax = figure.add_subplot()
        ax.bar(positions, values, width=0.7, color=style.palette[0], linewidth=0, zorder=2)
        ax.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "0" if v == 0 else style.money(v)))
        ax.set_xticks(positions, labels, rotation=40, ha="right", rotation_mode="anchor")
        ax.set_xlim(-0.6, len(values) - 0.4)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y")
        ax.grid(axis="x", visible=False)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=TICK_SIZE, labelcolor=text)
        ax.tick_params(axis="y", length=0)

        share_axis = ax.twinx()
        accent = style.colour("accent", style.palette[1 % len(style.palette)])
        share_axis.plot(positions, cumulative, color=accent, linewidth=1.4, marker="o", markersize=2.6,
                        markeredgewidth=0, zorder=3)
        share_axis.set_ylim(0, 105)
        share_axis.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
        share_axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{style.number(v)}{percent}"))
        share_axis.spines[["top", "left"]].set_visible(False)
        share_axis.tick_params(labelsize=TICK_SIZE, labelcolor=text, length=0)

        threshold = float(data.get("threshold", 80))
        share_axis.axhline(threshold, color=text, linewidth=0.7, linestyle=":", zorder=1)
        point = data.get("point")
        if point is not None and not math.isnan(float(point)):
            share_axis.axvline(float(point), color=text, linewidth=0.7, linestyle=":", zorder=1)
            share_axis.annotate(
                f"{style.number(threshold)}{percent}", (float(point), threshold), xytext=(4, 4),
                textcoords="offset points", fontsize=TICK_SIZE, fontweight="bold", color=text,
            )
