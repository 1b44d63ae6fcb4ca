"""How the built-in alert rules word their figures, in French and English."""

from __future__ import annotations

from decimal import Decimal

from boardpack.api import Formatter

__all__ = ["EN", "FR", "WINDOW_PHRASES", "growth", "pct"]

FR, EN = Formatter("fr"), Formatter("en")
#: A KPI's headline window as a phrase, French then English.
WINDOW_PHRASES = {
    "month": ("sur le mois", "for the month"),
    "ytd": ("depuis le début de l'exercice", "year to date"),
    "ltm": ("sur 12 mois glissants", "over the last twelve months"),
    "fy": ("sur l'exercice", "for the fiscal year"),
}


def pct(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``."""
    return part / whole * 100


def growth(value: Decimal) -> tuple[str, str]:
    """A signed percentage, French then English: ``+8,6 %``, ``+8.6%``."""
    return FR.signed(FR.percent(value), value), EN.signed(EN.percent(value), value)
