"""From quote to cash: the rules every commercial figure follows, written once.

Invoices (dataset ``invoices``):

* a *sale* (*purchase*) invoice is a row of kind ``sale`` (``purchase``) whose status is
  neither ``draft`` nor ``cancelled`` (:func:`invoices_of`); credit notes carry negative
  amounts and count as such;
* the *customer* (counterparty) of an invoice is its ``counterparty``, else its
  ``counterparty_id`` when the name is empty (:func:`customer_of`);
* an invoice is *open* at a date when it was issued by then and not paid at that date: paid
  later, or with neither a paid date nor the ``paid`` status (:func:`open_at`);
* an open invoice's *lateness* is counted in days past its due date (its issue date when it
  has none): the aged balance, the receivables over 90 days and the late-payer alert all
  read :func:`days_past_due`;
* a *payment delay* is the days from issue to payment of an invoice of positive amount, and
  counts in the window where the payment falls (:func:`payment_delays`);
* a figure over a window needs invoices reaching it: a window ending after the last month of
  the invoices, or starting before the first, is unavailable rather than read as zero
  (:func:`require_invoices`).

Deals (dataset ``deals``): the CRM's last month is the last month with a creation or a close
(:func:`latest_crm_month`); a window after it is unavailable (:func:`crm_deals`); a deal is
*won in* a window when it is won and closed between its first and last day.

Dates are loaded at midnight, so a window runs from its first day 00:00 to its last day 00:00
inclusive. Amounts are integer cents; :func:`euros` converts a total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import Unavailable
from ..periods import Month, Window
from .formatting import euros
from .kpis import KPIContext

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NOT_GIVEN",
    "breakdown_labels",
    "crm_deals",
    "customer_of",
    "days_between",
    "days_past_due",
    "euros",
    "euros_by",
    "invoice_span",
    "invoices_of",
    "issued_in",
    "largest_first",
    "latest_crm_month",
    "mean",
    "median",
    "medians_by",
    "open_at",
    "payment_delays",
    "plain",
    "require_filled",
    "require_invoices",
    "sale_invoices",
    "select_invoices",
    "selected_invoices",
    "window_bounds",
    "within",
    "won_in",
]

#: How an empty key (segment, product, customer) is shown in a breakdown.
NOT_GIVEN = "non renseigné"


# ---------------------------------------------------------------- dates and windows


def window_bounds(window: Window) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window's first and last day as timestamps (dates are loaded at midnight)."""
    import pandas as pd

    return pd.Timestamp(window.start.first_day), pd.Timestamp(window.end.last_day)


def within(dates: pd.Series, window: Window) -> pd.Series:
    """Whether each date falls between the window's first and last day."""
    start, end = window_bounds(window)
    return (dates >= start) & (dates <= end)


def days_between(later: pd.Series, earlier: pd.Series) -> list[Decimal]:
    """Whole days from each ``earlier`` date to its ``later`` one."""
    return [Decimal(int(days)) for days in (later - earlier).dt.days]


# ---------------------------------------------------------------- small statistics


def median(values: Iterable[Decimal]) -> Decimal:
    """The median of ``values`` (the mean of the two middle ones for an even count)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Iterable[Decimal]) -> Decimal:
    """The arithmetic mean of ``values`` (at least one)."""
    items = list(values)
    return sum(items, Decimal(0)) / len(items)


def largest_first(values: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """``values`` sorted by decreasing value (then by key), as a breakdown is shown."""
    return dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))


def breakdown_labels(values: pd.Series) -> pd.Series:
    """Text keys for a breakdown: an empty cell becomes « non renseigné »."""
    return values.where(values != "", NOT_GIVEN)


def euros_by(keys: pd.Series, cents: pd.Series) -> dict[str, Decimal]:
    """Σ cents grouped by ``keys`` (empty keys as « non renseigné »), in euros, largest first."""
    totals = cents.groupby(breakdown_labels(keys)).sum()
    return largest_first({str(key): euros(total) for key, total in totals.items()})


def medians_by(keys: pd.Series, days: list[Decimal]) -> dict[str, Decimal]:
    """Median of ``days`` grouped by ``keys`` (empty keys as « non renseigné »), largest first."""
    groups: dict[str, list[Decimal]] = {}
    for key, value in zip(breakdown_labels(keys), days, strict=True):
        groups.setdefault(str(key), []).append(value)
    return largest_first({key: median(values) for key, values in groups.items()})


# ---------------------------------------------------------------- frames


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its attrs (the source's line numbers), which pandas deep-copies on
    every operation: each filter on a large dataset would otherwise cost tens of ms."""
    bare = frame.copy(deep=False)
    bare.attrs = {}
    return bare


def require_filled(frame: pd.DataFrame, column: str, reason: str) -> None:
    """Raise ``Unavailable(reason)`` when ``column`` is empty in every row of ``frame``."""
    import pandas as pd

    values = frame[column]
    text = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
    empty = values.isna() | (values == "") if text else values.isna()
    if empty.all():
        raise Unavailable(reason)


# ---------------------------------------------------------------- invoices


def select_invoices(invoices: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The invoices and credit notes of ``kind`` (``sale``/``purchase``), drafts and cancelled ones out."""
    bare = plain(invoices)
    return bare[(bare["kind"] == kind) & ~bare["status"].isin(("draft", "cancelled"))]


def selected_invoices(ctx: KPIContext, kind: str) -> pd.DataFrame:
    """:func:`select_invoices` of the company's ``invoices`` dataset, computed once per build and
    ``kind`` (shared: never modify it, filter or ``assign`` instead); unavailable when no source
    provides the dataset or it is empty."""
    return ctx.memo(("commercial.select_invoices", kind), lambda: select_invoices(ctx.dataset("invoices"), kind))


def sale_invoices(ctx: KPIContext) -> pd.DataFrame:
    """The company's sale invoices and credit notes (computed once per build; do not modify)."""

    def select() -> pd.DataFrame:
        sales = selected_invoices(ctx, "sale")
        if sales.empty:
            raise Unavailable("le jeu de données « invoices » n'a aucune facture de vente")
        return sales

    return ctx.memo("sale_invoices", select)


def invoices_of(ctx: KPIContext, kind: str, language: str = "fr") -> pd.DataFrame:
    """Sale or purchase invoices (see :func:`select_invoices`); unavailable, in ``language``, when none."""
    chosen = selected_invoices(ctx, kind)
    if chosen.empty:
        sale = kind == "sale"
        raise Unavailable(("aucune facture de vente" if sale else "aucune facture d'achat") if language == "fr"
                          else ("no sale invoice" if sale else "no purchase invoice"))
    return chosen


def invoice_span(invoices: pd.DataFrame) -> tuple[Month, Month]:
    """The first and last month in which ``invoices`` (not empty) were issued."""
    return Month.of(invoices["issue_date"].min()), Month.of(invoices["issue_date"].max())


def require_invoices(invoices: pd.DataFrame, start: Month, end: Month, language: str = "fr",
                     noun: tuple[str, str] = ("factures de vente", "sale invoices")) -> None:
    """Unavailable unless ``invoices`` were issued from ``start`` to ``end`` (reason in ``language``)."""
    first, last = invoice_span(invoices)
    fr, en = noun
    if end > last:
        raise Unavailable(f"pas de {fr} après {last}" if language == "fr" else f"no {en} after {last}")
    if start < first:
        raise Unavailable(f"pas de {fr} avant {first}" if language == "fr" else f"no {en} before {first}")


def issued_in(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """Sale invoices issued in ``window`` (which the invoices must cover)."""
    sales = sale_invoices(ctx)
    require_invoices(sales, window.start, window.end)
    return sales[within(sales["issue_date"], window)]


def customer_of(frame: pd.DataFrame) -> pd.Series:
    """The customer of each invoice: its name, or its id when the name is empty."""
    return frame["counterparty"].where(frame["counterparty"] != "", frame["counterparty_id"])


def open_at(invoices: pd.DataFrame, day: Any) -> pd.DataFrame:
    """The invoices issued by ``day`` and not paid at that date."""
    issued = invoices[invoices["issue_date"] <= day]
    unpaid = (issued["paid_date"].isna() & (issued["status"] != "paid")) | (issued["paid_date"] > day)
    return issued[unpaid]


def days_past_due(invoices: pd.DataFrame, day: Any) -> pd.Series:
    """Days from each invoice's due date (its issue date when the due date is missing) to ``day``;
    negative or zero while not yet due."""
    due = invoices["due_date"].fillna(invoices["issue_date"]) if "due_date" in invoices else invoices["issue_date"]
    return (day - due).dt.days


def payment_delays(invoices: pd.DataFrame, window: Window) -> tuple[pd.DataFrame, list[Decimal]]:
    """The invoices of positive amount paid in ``window``, and the days from issue to payment of each."""
    paid = invoices[(invoices["amount_excl_tax"] > 0) & within(invoices["paid_date"], window)]
    return paid, days_between(paid["paid_date"], paid["issue_date"])


# ---------------------------------------------------------------- deals


def latest_crm_month(deals: pd.DataFrame) -> Month:
    """The last month with CRM activity (a creation or a close)."""
    last = max(deals["created_date"].max(), deals["close_date"].max())
    return Month(int(last.year), int(last.month))


def crm_deals(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """The deals, if the CRM data reaches the window's end."""
    deals = plain(ctx.dataset("deals"))
    last = latest_crm_month(deals)
    if window.end > last:
        raise Unavailable(f"pas de données CRM après {last}")
    return deals


def won_in(deals: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The won deals closed between the window's first and last day."""
    return deals[(deals["status"] == "won") & within(deals["close_date"], window)]
