"""More charts: the waterfall (cash bridge, from an opening to a closing balance).

``waterfall`` takes the usual ``x`` (one label per bar), ``series`` (the first series'
``values``: each total's level and each step's signed amount) and ``unit``, plus an
optional ``kinds`` list aligned with ``x``: ``"total"`` for a bar drawn from zero (opening
and closing balances, subtotals), ``"delta"`` for a step floating from the running total.
Without ``kinds`` the first and last bars are totals. Rises are drawn in the theme's ``ok``
colour, falls in its ``alert`` colour, totals in its ``primary`` colour; each bar carries
its amount in the pack's short money format (signed for a step), and a dotted connector
links one bar's end to the next bar's start.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from boardpack.api import hookimpl
from boardpack.api import Chart, Unavailable
from boardpack.api import ChartStyle
from boardpack.api.lazy import lazy_module
from .axes import TICK_SIZE, axis_formatter, frame, title

if TYPE_CHECKING:
    import matplotlib
    from matplotlib.figure import Figure
else:  # matplotlib is imported when a chart is drawn, not when the charts are registered
    matplotlib = lazy_module("matplotlib")

__all__ = ["WaterfallChart", "waterfall_bars"]

#: Characters per line of a bar's label under the axis.
LABEL_WRAP = 15


def waterfall_bars(values: list[float], kinds: list[str]) -> list[tuple[float, float]]:
    """``(bottom, top)`` of each bar: totals from zero, steps from the running total."""
    bars, running = [], 0.0
    for value, kind in zip(values, kinds, strict=True):
        if kind == "total":
            bars.append((0.0, value))
            running = value
        else:
            bars.append((running, running + value))
            running += value
    return bars


class WaterfallChart(Chart):
    """Bridge from an opening to a closing amount through signed steps."""

    name = "waterfall"
    description = "Cascade : solde d'ouverture, variations (hausses en vert, baisses en rouge), solde de clôture."

    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """One bar per label; totals from zero, steps from the running total, amounts written on the bars."""
        series = (data.get("series") or [{}])[0]
        raw = list(series.get("values") or [])
        labels = [str(x) for x in data.get("x", [])]
        if not raw or len(raw) != len(labels):
            raise Unavailable("aucune valeur à représenter")
        if any(v is None for v in raw):
            raise Unavailable("une étape de la cascade n'a pas de valeur")
        values = [float(v) for v in raw]
        kinds = list(data.get("kinds") or ["total"] + ["delta"] * (len(values) - 2) + ["total"])
        if len(kinds) != len(values) or any(k not in ("total", "delta") for k in kinds):
            raise Unavailable("« kinds » doit donner total ou delta pour chaque barre")
        bars = waterfall_bars(values, kinds)
        up, down = style.colour("ok", "#2e7d32"), style.colour("alert", "#c62828")
        total_colour = style.colour("primary", "#1f3a5f")
        text_colour = style.colour("text", "#1d2330")
        ax = figure.add_subplot()
        positions = list(range(len(values)))
        width = 0.62
        for i, ((bottom, top), kind, value) in enumerate(zip(bars, kinds, values)):
            colour = total_colour if kind == "total" else (up if value >= 0 else down)
            ax.bar(i, top - bottom, bottom=bottom, width=width, color=colour, linewidth=0, zorder=2)
            text = style.money(round(value))
            if kind == "delta" and value > 0:
                text = "+" + text
            above = top >= bottom if kind == "delta" else value >= 0
            ax.annotate(text, (i, max(top, bottom) if above else min(top, bottom)),
                        xytext=(0, 2.5 if above else -2.5), textcoords="offset points",
                        ha="center", va="bottom" if above else "top", fontsize=TICK_SIZE,
                        fontweight="bold", color=text_colour, zorder=4)
            if i + 1 < len(values):
                level = top if kind == "delta" else value
                ax.plot([i + width / 2, i + 1 - width / 2], [level, level], linestyle=":", linewidth=0.7,
                        color=matplotlib.rcParams["axes.edgecolor"], zorder=1)
        low = min([0.0] + [min(b) for b in bars])
        high = max([0.0] + [max(b) for b in bars])
        span = (high - low) or 1.0
        # Room above and below for the amounts written on the bars.
        ax.set_ylim(low - (span * 0.12 if low < 0 else 0.0), high + span * 0.12)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(axis_formatter(str(data.get("unit", "money")), style))
        frame(ax)
        ax.set_xticks(positions, [textwrap.fill(label, LABEL_WRAP) for label in labels])
        ax.tick_params(axis="x", length=0, labelcolor=text_colour)
        ax.set_xlim(-0.6, len(values) - 0.4)
        if low < 0 < high:
            ax.axhline(0, color=matplotlib.rcParams["axes.edgecolor"],
                       linewidth=matplotlib.rcParams["axes.linewidth"], zorder=1)
        title(figure, data, style)

    def describe(self, data: Mapping[str, Any], style: ChartStyle) -> str:
        """Each bar in order, steps signed (« Trésorerie d'ouverture : 120 000 € ; Encaissements : +80 000 € ; … »)."""
        unit = str(data.get("unit", "money"))
        values = list((data.get("series") or [{}])[0].get("values") or [])
        kinds = list(data.get("kinds") or ["total"] + ["delta"] * (len(values) - 2) + ["total"])
        parts = []
        for label, value, kind in zip(data.get("x", []), values, kinds):
            text = style.value(value, unit)
            if kind == "delta" and value is not None and value > 0:
                text = "+" + text
            parts.append(f"{label}{' :' if style.language == 'fr' else ':'} {text}")
        return (" ; " if style.language == "fr" else "; ").join(parts)


@hookimpl
def register_charts() -> list[Chart]:
    """Register the extra charts."""
    return [WaterfallChart()]
