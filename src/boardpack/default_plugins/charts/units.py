"""The unit formatter of the built-in charts' axes (a matplotlib ``Formatter``).

Its own module because it subclasses a matplotlib class: :func:`.axes.axis_formatter` imports
it when a chart is drawn, so that registering the charts does not import matplotlib.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from matplotlib.ticker import Formatter

from boardpack.api import ChartStyle

from .axes import MINUS

__all__ = ["UnitFormatter"]


class UnitFormatter(Formatter):
    """Axis labels in the pack's conventions, with a true minus sign.

    On an axis, the number of decimals follows the tick step (98,5 % / 99,0 % rather
    than 98 % / 99 %), and amounts share one scale (0,5 M€ / 1,0 M€ rather than
    500 k€ / 1,00 M€), written in the pack's short money format. Outside an axis (a
    value written on a bar) amounts use the short money format as is.
    """

    def __init__(self, unit: str, style: ChartStyle) -> None:
        self.unit = unit
        self.style = style
        self.digits = 1 if unit == "ratio" else 0
        self.money_scale: tuple[float, str] | None = None

    def _money_pattern(self, amount: int, shown: float, digits: int) -> str | None:
        """The short money format of ``amount`` with its number replaced by ``{}``."""
        text, number = self.style.money(amount), self.style.number(shown, digits)
        return text.replace(number, "{}") if text.count(number) == 1 else None

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        values = sorted(float(v) for v in locs)
        steps = [b - a for a, b in itertools.pairwise(values) if b - a > 1e-12]
        if self.unit == "money":
            biggest = max((abs(v) for v in values), default=0.0)
            scale, amount, shown, digits = (
                (1e6, 1_000_000, 1, 2) if biggest >= 1e6 else (1e3, 10_000, 10, 0) if biggest >= 1e4 else (1, 5, 5, 0)
            )
            pattern = self._money_pattern(amount, shown, digits)
            self.money_scale = None if pattern is None else (scale, pattern)
            step = min(steps) / scale if steps else 1.0
        else:
            step = min(steps) if steps else 1.0
        digits = max(0, min(2, math.ceil(-math.log10(step) - 1e-9)))
        self.digits = max(digits, 1 if self.unit == "ratio" else 0)

    def __call__(self, value: float, pos: int | None = None) -> str:
        if abs(value) < 1e-9:
            value = 0.0
        style, digits = self.style, self.digits
        if self.unit == "money":
            if value == 0:
                text = "0"
            elif self.money_scale is None:
                text = style.money(round(value))
            else:
                scale, pattern = self.money_scale
                text = pattern.format(style.number(round(value / scale, digits), digits))
        elif self.unit == "percent":
            text = style.number(round(value, digits), digits) + ("\u00a0%" if style.language == "fr" else "%")
        elif self.unit == "days":
            text = style.number(round(value, digits), digits) + ("\u00a0j" if style.language == "fr" else "\u00a0d")
        else:
            text = style.number(round(value, digits), digits)
        return text.replace("-", MINUS)
