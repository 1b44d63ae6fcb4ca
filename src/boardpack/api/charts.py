"""Chart plugins: the :class:`Chart` interface and the :class:`ChartStyle` it draws in.

A chart plugin returns :class:`Chart` instances from ``register_charts``. A section asks the
host for a chart by name (``pack.chart(name, data)``); the host creates a matplotlib
``Figure`` in the theme's style, calls :meth:`Chart.draw` and embeds the result as SVG. A chart
never uses ``pyplot`` and never writes a file.

Every chart also has a text alternative, read by screen readers from the tagged PDF:
the section's ``alt`` (what the chart shows) followed by :meth:`Chart.describe` (what the
data says), built by default from the series by :func:`describe_series`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Chart", "ChartStyle", "describe_series"]


@dataclass(frozen=True)
class ChartStyle:
    """What a chart plugin needs from the theme and the locale to draw in the brand.

    ``colours`` are the theme's named colours (``primary``, ``accent``, ``text``, ``muted``,
    ``ok``, ``warn``, ``alert``…), ``palette`` its series colours, ``font`` its body font;
    ``money``, ``number`` and ``month`` format a value as the pack does (``1,2 M€``,
    ``1 234``, ``oct. 26``); ``value(x, unit)`` writes it in full in a KPI unit (``412 300 €``,
    ``12,5 %``, ``45 j``), for text alternatives.
    """

    colours: Mapping[str, Any]
    palette: tuple[str, ...]
    font: str
    language: str
    money: Callable[[Any], str] = field(repr=False)
    number: Callable[[Any], str] = field(repr=False)
    month: Callable[[Any], str] = field(repr=False)
    value: Callable[[Any, str], str] = field(default=lambda value, unit: str(value), repr=False)

    def colour(self, key: str, default: str = "#333333") -> str:
        """A named colour of the theme (``primary``, ``accent``, ``ok``…)."""
        return str(self.colours.get(key, default))


class Chart(ABC):
    """Draws one kind of chart on a matplotlib ``Figure`` that the host created and styled."""

    name: ClassVar[str]
    description: ClassVar[str] = ""

    @abstractmethod
    def draw(self, figure: Figure, data: Mapping[str, Any], style: ChartStyle) -> None:
        """Draw ``data`` on ``figure`` (never through pyplot); ``style`` gives palette and formatters.

        :raises boardpack.api.Unavailable: when there is nothing to draw (the section shows
            « non disponible » in the chart's place).
        """

    def describe(self, data: Mapping[str, Any], style: ChartStyle) -> str:
        """What the chart shows, in words, in the pack's language (``style.language``): its text
        alternative in the PDF, after the section's ``alt``. Called once the chart is drawn.

        The default, :func:`describe_series`, reads ``data`` as the built-in charts do
        (``x``, ``series``, ``unit``, and ``periods`` for full month names); override it when
        the data has another shape or the chart says something else.
        """
        return describe_series(data, style)


def _known(values: Any) -> list[tuple[int, Any]]:
    return [(i, v) for i, v in enumerate(values or []) if v is not None and v == v]  # v == v: not NaN


def describe_series(data: Mapping[str, Any], style: ChartStyle) -> str:
    """The default text alternative of a chart: its span and, for each series, its lowest and
    highest values and the last one, each with its point (month; the first series only, the
    others, such as N-1, sharing its axis).

    ``data["periods"]`` (full labels such as « novembre 2025 ») is used when given, else
    ``data["x"]``; values are written by ``style.value`` in ``data["unit"]``. For example
    « novembre 2025 à octobre 2026 : entre 412 300 € (mars 2026) et 598 100 € (juin 2026),
    530 200 € en octobre 2026 ». A series without any value is said to have none.
    """
    fr = style.language == "fr"
    axis = points = [str(p) for p in (data.get("periods") or data.get("x") or [])]
    unit = str(data.get("unit", "count"))
    series = list(data.get("series") or [])
    parts = []
    for number, one in enumerate(series):
        label = str(one.get("label") or "") if len(series) > 1 else ""
        if number:  # the first series owns the axis (N-1 or budget sit on the same months)
            points = []
        known = _known(one.get("values"))
        if not known:
            parts.append(f"{label} {'aucune valeur' if fr else 'no value'}".strip())
            continue
        low = min(known, key=lambda item: item[1])
        high = max(known, key=lambda item: item[1])
        last = known[-1]

        def at(item: tuple[int, Any], prefix: str = " (", suffix: str = ")") -> str:
            index, _ = item
            return f"{prefix}{points[index]}{suffix}" if index < len(points) else ""

        value = lambda item: style.value(item[1], unit)  # noqa: E731
        if low[1] == high[1]:
            text = (f"{value(last)} " + ("sur toute la période" if fr else "throughout")) if len(known) > 1 else                 value(last) + at(last)
        elif fr:
            text = (f"entre {value(low)}{at(low)} et {value(high)}{at(high)}, "
                    f"{value(last)}{at(last, ' en ', '') or ' en dernier'}")
        else:
            text = (f"between {value(low)}{at(low)} and {value(high)}{at(high)}, "
                    f"{value(last)}{at(last, ' in ', '') or ' last'}")
        parts.append(f"{label} {text}".strip())
    span = ""
    if len(axis) > 1:
        span = f"{axis[0]} {'à' if fr else 'to'} {axis[-1]}"
    body = " ; ".join(parts) if fr else "; ".join(parts)
    if span and body:
        return f"{span} : {body}" if fr else f"{span}: {body}"
    return span or body
