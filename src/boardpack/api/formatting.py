"""Numbers, money and dates in the reader's conventions (``1 234 567 €``, ``12,5 %``, ``octobre 2026``).

:class:`Formatter` rounds at display only, half up, with CLDR data through Babel. :func:`euros`
turns integer cents (the unit money is held in) into exact euros. :func:`de` writes the French
« de » elided (« d'octobre 2026 »); :func:`relative_change` says when a change in % means something
(:meth:`Formatter.change` compares signed flows in amounts otherwise); :func:`translate` gives the
English wording of a built-in French text (a reason a figure is unavailable) from the message
catalogue of :mod:`boardpack.i18n`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..formatting import LOCALES, Formatter, de, relative_change
from ..i18n import translate

__all__ = ["LOCALES", "Formatter", "de", "euros", "relative_change", "translate"]


def euros(cents: Any) -> Decimal:
    """Integer cents (a sum of a money column, a NumPy integer…) as exact euros."""
    return Decimal(int(cents)).scaleb(-2)
