"""Numbers, money and dates in the reader's conventions (``1 234 567 €``, ``12,5 %``, ``octobre 2026``).

:class:`Formatter` rounds at display only, half up, with CLDR data through Babel. :func:`euros`
turns integer cents (the unit money is held in) into exact euros.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..formatting import LOCALES, Formatter, de, relative_change

__all__ = ["LOCALES", "Formatter", "de", "euros", "relative_change"]


def euros(cents: Any) -> Decimal:
    """Integer cents (a sum of a money column, a NumPy integer…) as exact euros."""
    return Decimal(int(cents)).scaleb(-2)
