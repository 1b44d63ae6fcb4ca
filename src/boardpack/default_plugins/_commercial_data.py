"""Data access and helpers shared by the commercial-steering KPIs: from quote to cash.

Used by :mod:`.kpis_revenue`, :mod:`.kpis_deals`, :mod:`.kpis_receivables`,
:mod:`.kpis_realisation` and :mod:`.kpis_marketing`.

Conventions shared by the commercial KPIs:

* a *sale invoice* is a row of ``invoices`` with ``kind = sale`` whose status is neither
  ``draft`` nor ``cancelled``; credit notes carry negative amounts and count as such;
* a *customer* is the invoice's ``counterparty`` (its ``counterparty_id`` when the name is
  empty); a customer is *invoiced* over some months when it has a sale invoice of positive
  amount issued in them;
* a figure over a window needs data reaching it: a window that ends after the last month of
  the sale invoices or of the CRM, starts before the first month of the sale invoices, or
  misses a month of the marketing data is unavailable rather than read as zero;
* a delay between two steps counts in the window where its second step happens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from ..interfaces import Unavailable
from ..kpi_context import KPIContext
from ..periods import Month, Window
from .kpis_sales import latest_month

__all__ = [
    "euros", "window_bounds", "within", "largest_first", "median", "breakdown_labels",
    "require_filled", "plain", "sale_invoices", "require_invoices", "issued_in", "customer_of",
    "euros_by", "crm_deals", "won_in", "days_between", "medians_by",
]

_NOT_GIVEN = "non renseigné"


def euros(cents: Any) -> Decimal:
    """Integer cents (a sum of a money column) as euros."""
    return Decimal(int(cents)).scaleb(-2)


def window_bounds(window: Window) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window's first and last day as timestamps (dates are loaded at midnight)."""
    return pd.Timestamp(window.start.first_day), pd.Timestamp(window.end.last_day)


def within(dates: pd.Series, window: Window) -> pd.Series:
    """Whether each date falls between the window's first and last day."""
    start, end = window_bounds(window)
    return (dates >= start) & (dates <= end)


def largest_first(values: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """``values`` sorted by decreasing value (then by key), as a breakdown is shown."""
    return dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))


def median(values: Iterable[Decimal]) -> Decimal:
    """The median of ``values`` (the mean of the two middle ones for an even count)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def breakdown_labels(values: pd.Series) -> pd.Series:
    """Text keys for a breakdown: an empty cell becomes « non renseigné »."""
    return values.where(values != "", _NOT_GIVEN)


def require_filled(frame: pd.DataFrame, column: str, reason: str) -> None:
    """Raise ``reason`` when ``column`` is empty in every row of ``frame``."""
    values = frame[column]
    text = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
    empty = values.isna() | (values == "") if text else values.isna()
    if empty.all():
        raise Unavailable(reason)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its attrs (the source's line numbers), which pandas deep-copies on
    every operation: each filter on the demo invoices would otherwise cost tens of ms."""
    bare = frame.copy(deep=False)
    bare.attrs = {}
    return bare


def sale_invoices(ctx: KPIContext) -> pd.DataFrame:
    """Sale invoices and credit notes, drafts and cancelled ones left out (shared: do not modify)."""

    def select() -> pd.DataFrame:
        invoices = plain(ctx.dataset("invoices"))
        sales = invoices[(invoices["kind"] == "sale") & ~invoices["status"].isin(("draft", "cancelled"))]
        if sales.empty:
            raise Unavailable("le jeu de données « invoices » n'a aucune facture de vente")
        return sales

    return ctx.memo("sale_invoices", select)


def require_invoices(sales: pd.DataFrame, start: Month, end: Month) -> None:
    """Unavailable unless the sale invoices span the months ``start`` to ``end``."""
    first = Month.of(sales["issue_date"].min())
    last = Month.of(sales["issue_date"].max())
    if end > last:
        raise Unavailable(f"pas de factures de vente après {last}")
    if start < first:
        raise Unavailable(f"pas de factures de vente avant {first}")


def issued_in(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """Sale invoices issued in ``window`` (which the invoices must cover)."""
    sales = sale_invoices(ctx)
    require_invoices(sales, window.start, window.end)
    return sales[within(sales["issue_date"], window)]


def customer_of(frame: pd.DataFrame) -> pd.Series:
    """The customer of each invoice: its name, or its id when the name is empty."""
    return frame["counterparty"].where(frame["counterparty"] != "", frame["counterparty_id"])


def euros_by(keys: pd.Series, cents: pd.Series) -> dict[str, Decimal]:
    """Σ cents grouped by ``keys`` (empty keys as « non renseigné »), in euros, largest first."""
    totals = cents.groupby(breakdown_labels(keys)).sum()
    return largest_first({str(key): euros(total) for key, total in totals.items()})


def crm_deals(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """The deals, if the CRM data reaches the window's end."""
    deals = plain(ctx.dataset("deals"))
    last = latest_month(deals)
    if window.end > last:
        raise Unavailable(f"pas de données CRM après {last}")
    return deals


def won_in(deals: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The won deals closed between the window's first and last day."""
    return deals[(deals["status"] == "won") & within(deals["close_date"], window)]


def days_between(later: pd.Series, earlier: pd.Series) -> list[Decimal]:
    """Whole days from each ``earlier`` date to its ``later`` one."""
    return [Decimal(int(days)) for days in (later - earlier).dt.days]


def medians_by(keys: pd.Series, days: list[Decimal]) -> dict[str, Decimal]:
    """Median of ``days`` grouped by ``keys`` (empty keys as « non renseigné »), largest first."""
    groups: dict[str, list[Decimal]] = {}
    for key, value in zip(breakdown_labels(keys), days, strict=True):
        groups.setdefault(str(key), []).append(value)
    return largest_first({key: median(values) for key, values in groups.items()})
