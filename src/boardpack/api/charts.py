"""Chart plugins: the :class:`Chart` interface and the :class:`ChartStyle` it draws in.

A chart plugin returns :class:`Chart` instances from ``register_charts``. A section asks the
host for a chart by name (``pack.chart(name, data)``); the host creates a matplotlib
``Figure`` in the theme's style, calls :meth:`Chart.draw` and embeds the result as SVG. A chart
never uses ``pyplot`` and never writes a file.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Chart", "ChartStyle"]


@dataclass(frozen=True)
class ChartStyle:
    """What a chart plugin needs from the theme and the locale to draw in the brand.

    ``colours`` are the theme's named colours (``primary``, ``accent``, ``text``, ``muted``,
    ``ok``, ``warn``, ``alert``…), ``palette`` its series colours, ``font`` its body font;
    ``money``, ``number`` and ``month`` format a value as the pack does (``1,2 M€``,
    ``1 234``, ``oct. 26``).
    """

    colours: Mapping[str, Any]
    palette: tuple[str, ...]
    font: str
    language: str
    money: Callable[[Any], str] = field(repr=False)
    number: Callable[[Any], str] = field(repr=False)
    month: Callable[[Any], str] = field(repr=False)

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
