"""Numbers, money and dates in the reader's conventions, through Babel (CLDR data).

French: ``1 234 567 €``, ``12,5 %``, ``1,2 M€``, ``octobre 2026``. English: ``€1,234,567``,
``12.5%``, ``€1.2M``, ``October 2026``. Values are rounded here, at display, never before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from .periods import Month, Window

__all__ = ["LOCALES", "WINDOW_NAMES", "Formatter", "de", "relative_change"]

#: Babel locale used for each pack language.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}

#: The reader's name of each window kind, French and English.
WINDOW_NAMES = {
    "month": ("mois", "month"),
    "ytd": ("cumul exercice", "year to date"),
    "ltm": ("12 mois glissants", "last 12 months"),
    "fy": ("exercice", "fiscal year"),
}

_UNITS = {
    "fr": {"days": "j", "ratio": "", "count": "", "years": "ans"},
    "en": {"days": "days", "ratio": "", "count": "", "years": "years"},
}


_VOWELS = set("aeiouyàâäéèêëîïôöûüœæhAEIOUYÀÂÄÉÈÊËÎÏÔÖÛÜŒÆH")
#: Words starting with an aspirated h, which take no elision (« de huit »).
_ASPIRATED = ("huit", "hausse", "haut", "hors", "honte")


def de(text: str) -> str:
    """The French preposition « de » before ``text``, elided before a vowel or a mute h:
    ``de("octobre 2026")`` → « d'octobre 2026 », ``de("mars")`` → « de mars », « de huit »."""
    word = text.lstrip()
    if word and word[0] in _VOWELS and not word.lower().startswith(_ASPIRATED):
        return f"d'{word}"
    return f"de {word}"


def relative_change(current: Decimal | None, reference: Decimal | None) -> Decimal | None:
    """The change from ``reference`` to ``current`` in %, only where a percentage means something:
    both on the positive side (reference above zero, current not below). A signed flow (cash
    flows, a result turning to a loss) has no percentage: ``None``, compare it in amounts."""
    if current is None or reference is None or reference <= 0 or current < 0:
        return None
    return (current - reference) / reference * 100


def _round(value: Any, digits: int) -> Decimal:
    """Round half up (0,5 → 1), the French accounting convention; Babel would round half even."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _minus(text: str) -> str:
    """Typographic minus sign (U+2212) instead of the hyphen Babel writes."""
    return text.replace("-", "\u2212")


@dataclass(frozen=True)
class Formatter:
    """Formats figures for one language and currency."""

    language: str = "fr"
    currency: str = "EUR"

    @property
    def locale(self) -> str:
        """The Babel locale."""
        return LOCALES[self.language]

    def number(self, value: Any, digits: int = 0) -> str:
        """A plain number with ``digits`` decimals, rounded half up: ``1 234,5``."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return _minus(format_decimal(_round(value, digits), format=pattern, locale=self.locale))

    def money(self, value: Any) -> str:
        """An amount to the euro, rounded half up: ``1 234 567 €``."""
        pattern = "#,##0\u00a0¤" if self.language == "fr" else "¤#,##0;-¤#,##0"
        return _minus(format_currency(
            _round(value, 0), self.currency, format=pattern, locale=self.locale, currency_digits=False
        ))

    def money_short(self, value: Any) -> str:
        """An amount scaled for a tile or an axis: ``1,2 M€``, ``850 k€``, ``-35 k€``.

        The scale is chosen after rounding, so 999 999 € reads ``1,00 M€``, not ``1 000 k€``.
        """
        amount = Decimal(str(value))
        symbol = "€" if self.currency == "EUR" else self.currency
        if abs(_round(amount, 0)) < 1000:
            return self.money(amount)
        scaled, suffix, digits = amount / 1000, "k", 1
        if abs(_round(scaled, 1)) >= 10:
            digits = 0
        if abs(_round(scaled, 0)) >= 1000:
            scaled, suffix, digits = amount / 1_000_000, "M", 2
            if abs(_round(scaled, 2)) >= 10:
                digits = 1
        text = self.number(scaled, digits)
        if self.language == "fr":
            return f"{text}\u00a0{suffix}{symbol}"
        sign, digits_text = ("\u2212", text[1:]) if text.startswith("\u2212") else ("", text)
        return f"{sign}{symbol}{digits_text}{suffix}"

    def percent(self, value: Any, digits: int = 1) -> str:
        """A percentage given in points (12.5 → ``12,5 %``); from 1 000 % on, without decimals
        (``4 595 %``: the decimal of such a figure says nothing and overflows its column)."""
        if abs(Decimal(str(value))) >= 1000:
            digits = 0
        text = self.number(value, digits)
        return f"{text}\u00a0%" if self.language == "fr" else f"{text}%"

    def signed(self, text: str, value: Any) -> str:
        """Prefix ``text`` with + for a positive ``value`` (− is already there)."""
        return ("+" + text) if Decimal(str(value)) > 0 else text

    def value(self, value: Any, unit: str, short: bool = False) -> str:
        """Format ``value`` by its KPI unit (money, percent, days, ratio, count, or a label)."""
        if value is None:
            return "n.d." if self.language == "fr" else "n/a"
        if unit == "money":
            return self.money_short(value) if short else self.money(value)
        if unit == "percent":
            return self.percent(value)
        if unit == "days":
            return f"{self.number(value)}\u00a0{_UNITS[self.language]['days']}"
        if unit == "years":
            return f"{self.number(value, 1)}\u00a0{_UNITS[self.language]['years']}"
        if unit == "ratio":
            return self.number(value, 2)
        if unit == "count":
            return self.number(value)
        return f"{self.number(value, 1)}\u00a0{unit}"

    def delta(self, value: Any, unit: str) -> str:
        """A signed variation in the KPI's unit: ``+120 k€``, ``−2,1 pts``, ``+3 j``."""
        if unit == "percent":
            digits = 0 if abs(Decimal(str(value))) >= 100 else 1
            return self.signed(f"{self.number(value, digits)}\u00a0pts", value)
        return self.signed(self.value(value, unit, short=True), value)

    def change(self, current: Any, reference: Any, unit: str) -> str:
        """How ``current`` moved from ``reference``, the one way every page writes it: points for a
        percent KPI (``−2,1 pts``), a relative % for positive amounts (``+2,0 %``), the difference in
        the KPI's unit for signed flows and values crossing zero (``−45 k€``); « — » if either is missing."""
        if current is None or reference is None:
            return "—"
        current, reference = Decimal(str(current)), Decimal(str(reference))
        if unit == "percent":
            return self.delta(current - reference, "percent")
        change = relative_change(current, reference)
        if change is None:
            if current == reference:
                return self.delta(0, unit) if unit != "money" else self.money_short(0)
            return self.delta(current - reference, unit)
        return self.signed(self.percent(change), change)

    def of_month(self, month: Month | dt.date) -> str:
        """``d'octobre 2026``, ``de mars 2026`` / ``of October 2026``: the month after « de »."""
        return de(self.month(month)) if self.language == "fr" else f"of {self.month(month)}"

    def month(self, month: Month | dt.date) -> str:
        """``octobre 2026`` / ``October 2026``."""
        day = month.first_day if isinstance(month, Month) else month
        return format_date(day, "LLLL yyyy", locale=self.locale)

    def month_short(self, month: Month | dt.date) -> str:
        """``oct. 26`` / ``Oct 26`` for chart axes."""
        day = month.first_day if isinstance(month, Month) else month
        return format_date(day, "LLL yy", locale=self.locale)

    def date(self, day: dt.date) -> str:
        """``31 octobre 2026`` / ``31 October 2026``."""
        return format_date(day, "d MMMM yyyy", locale=self.locale)

    def window_kind(self, kind: str | Window) -> str:
        """The reader's name of a window kind: « cumul exercice », « 12 derniers mois »…

        Given a :class:`Window`, a twelve-month window that is not twelve months says so:
        « depuis janv. 23 (7 mois) » for a young company's LTM, « exercice (13 mois) ».
        """
        if isinstance(kind, Window):
            window, kind = kind, kind.kind
            if window.short:
                count = window.length
                if kind == "ltm":
                    since = self.month_short(window.start)
                    return (f"depuis {since} ({count}\u00a0mois)" if self.language == "fr"
                            else f"since {since} ({count} months)")
                return (f"exercice ({count}\u00a0mois)" if self.language == "fr"
                        else f"fiscal year ({count} months)")
        fr, en = WINDOW_NAMES[kind]
        return fr if self.language == "fr" else en

    def window(self, window: Window) -> str:
        """A window's months: « octobre 2026 », « janv.–oct. 2026 », « nov. 25 – oct. 26 »."""
        if window.start == window.end:
            return self.month(window.start)
        if window.start.year == window.end.year:
            start = self.month_short(window.start).rsplit(" ", 1)[0]
            return f"{start}–{self.month(window.end)}"
        return f"{self.month_short(window.start)} – {self.month_short(window.end)}"
