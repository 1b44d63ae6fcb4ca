"""What the remote sources share besides HTTP: today's month, the default span, money.

* :func:`this_month` is "today" in the company's sense, the **local** date of the machine
  (a pack for November run at 00:30 in Paris on 1 December is a December fetch, whatever
  the UTC date says). ``boardpack fetch`` records that month in the snapshot's manifest
  and the sources use it when neither ``until`` nor the pack's period is given.
* :func:`default_since` is the first month read by default: the start of the fiscal year
  three years before the one holding ``until`` (the banker pack shows three years and their
  comparisons). When the source does not know the month its fiscal year opens (HubSpot, a
  CRM), it takes the most conservative start: 3 × 12 + 11 = 47 months before ``until``,
  which covers three full fiscal years whatever their first month.
* :func:`cents` and :func:`euros` turn API amounts into integer cents (through
  :func:`boardpack.schema.parse_money`: exact, never rounded) and cents into the French
  amount shown in findings (:class:`boardpack.formatting.Formatter`).

Nothing here imports the HTTP layer: the source plugins may import it at load time only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..errors import DataError
from ..formatting import Formatter
from ..periods import Month, fiscal_year_start
from ..schema import parse_money

__all__ = ["LOOKBACK_YEARS", "cents", "default_since", "euros", "this_month", "today"]

#: How many fiscal years before the current one a source reads by default.
LOOKBACK_YEARS = 3
#: Today's local date; tests monkeypatch it (``boardpack.connectors.common.today``).
today: Callable[[], dt.date] = dt.date.today

_FR = Formatter("fr")


def this_month() -> Month:
    """The current month in the company's sense: the machine's local date (not UTC)."""
    return Month.of(today())


def default_since(until: Month, fiscal_year_start_month: int | None = None) -> Month:
    """The first month read by default: the fiscal year :data:`LOOKBACK_YEARS` years before the
    one holding ``until``; without the fiscal year's first month, the earliest such start for
    any first month (``until`` − 47 months)."""
    if fiscal_year_start_month is None:
        return until.shift(-12 * LOOKBACK_YEARS - 11)
    return fiscal_year_start(until, fiscal_year_start_month).shift(-12 * LOOKBACK_YEARS)


def cents(value: Any, provider: str) -> int:
    """An API amount (``"1234.56"``, a :class:`~decimal.Decimal`, an int) in integer cents;
    ``None`` and ``""`` are 0.

    :raises DataError: when the amount is unreadable or has more than two decimals.
    """
    if value is None or value == "":
        return 0
    if isinstance(value, float):  # JSON is read with parse_float=Decimal: refused rather than rounded
        raise DataError(f"{provider} : montant « {value} » lu comme nombre flottant ; signalez ce défaut de boardpack")
    try:
        return parse_money(value)
    except ValueError:
        raise DataError(f"{provider} : montant « {value} » illisible ou avec plus de deux décimales ; "
                        "signalez-le au support de l'éditeur") from None


def euros(amount_in_cents: int) -> str:
    """Cents as a French amount with its two decimals: ``-1 234,56 €``."""
    return f"{_FR.number(Decimal(amount_in_cents).scaleb(-2), 2)} €"
