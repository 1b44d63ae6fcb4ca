"""Pennylane Company API v2: the client and the mapping onto the canonical datasets.

The client (:class:`PennylaneClient`) sends ``X-Use-2026-API-Changes: true`` and codes only
the post-2026 dialect: cursor pages ``{items, has_more, next_cursor}`` read to the last one,
with the same ``filter`` and ``sort`` re-sent on every page (the cursor does not carry them),
``limit`` at the endpoint's maximum, ``sort`` only where the endpoint documents it
(:data:`SORTS`), and at most 20 requests per 5 s (80 % of the vendor's 25 per 5 s per token,
see :data:`~boardpack.connectors.http.MARGIN`).

:func:`fetch` reads what a pack needs over a span of dates and maps it:

* ledger entry lines (with their entry's piece number, their account and journal) →
  ``entries``; a customer's or supplier's sub-account (``411C0011``) becomes the collective
  account (``411000``) with the sub-account as ``aux_account``; lettering comes from the
  lettered lines; entries in draft — those of a draft customer invoice or of a supplier
  invoice whose accounting is still a draft (the API has no draft flag on an entry) — are
  left out unless asked;
* customer and supplier invoices → ``invoices``: TTC = ``amount``, HT = ``amount − tax``
  (both in euros whatever the invoice currency), due date = ``deadline``, paid date = the
  latest ledger line lettered with the invoice's own third-party line, segment and product =
  the invoice's categories in the groups named by the source (« Segment », « Produit »); a
  credit note is negative, « paid » once lettered, and never has a paid date (its lettering
  is no cash collected);
* fiscal years → the source's ``fiscal_years``; journals of type ``new_year`` → its opening
  journals;
* the trial balance of each fiscal year of the span, compared per account with the lines
  read: a gap is a finding naming the account and the amounts.

Amounts arrive as strings and stay strings (or :class:`~decimal.Decimal`) until the dataset
schemas turn them into cents.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from boardpack.api.periods import Month
from boardpack.api.remote import LOOKBACK_YEARS, MARGIN, ApiClient, ApiError, Provider
from boardpack.api.remote import default_since as shared_default_since

from .mapping import (
    API,
    date_of,
    Chart,
    plain_label,
    entries_frame,
    invoices_frame,
    item_id,
    payment_dates,
    trial_balance_gaps,
)

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import httpx
    import pandas as pd
else:
    httpx = lazy_module("httpx")
    pd = lazy_module("pandas")

__all__ = ["API", "BY_ID", "PRODUCTION", "SORTS", "PennylaneClient", "PennylaneData", "fetch", "provider"]

#: production host (a sandbox is a separate company on the same host)
PRODUCTION = "https://app.pennylane.com"
#: largest ``limit`` of most lists, and of ledger accounts / trial balance
PAGE_LIMIT, LARGE_LIMIT = 100, 1000
AUTH_HINT = ("vérifiez le jeton (option token) et ses droits dans Pennylane, Paramètres → Connectivité → "
             "Développeurs : lecture des écritures, comptes, journaux, exercices, balance, factures, clients, "
             "fournisseurs et catégories")
#: The ``sort`` fields each list endpoint documents in Pennylane's OpenAPI spec (v2). ``sort``
#: is sent only where documented: ``/category_groups`` and ``/trial_balance`` take none.
SORTS: Mapping[str, frozenset[str]] = {
    "/fiscal_years": frozenset({"id", "start"}), "/journals": frozenset({"id"}),
    "/ledger_accounts": frozenset({"id"}), "/ledger_entries": frozenset({"id", "date"}),
    "/ledger_entry_lines": frozenset({"id", "date"}), "/customer_invoices": frozenset({"id", "date"}),
    "/supplier_invoices": frozenset({"id", "date"}), "/customers": frozenset({"id"}),
    "/suppliers": frozenset({"id"}), "/categories": frozenset({"id"}),
    "/category_groups": frozenset(), "/trial_balance": frozenset(),
}


#: ``items(sort=BY_ID)``: ascending ids where the endpoint documents it, else Pennylane's order
BY_ID = "id?"


#: customer ``status`` values that are not invoices at all
_NOT_INVOICES = {"proforma", "shipping_order", "purchasing_order"}


log = logging.getLogger("boardpack.sources.pennylane")


def provider(base_url: str = PRODUCTION, timeout: float = 30.0, margin: float = MARGIN) -> Provider:
    """Pennylane as the HTTP layer sees it: a published limit of 25 requests per 5 s per token
    (the client keeps 80 % of it), errors naming the scopes to check."""
    base = base_url.rstrip("/").removesuffix(API)
    return Provider("Pennylane", base, rate=25, per=5.0, timeout=timeout, auth_hint=AUTH_HINT, margin=margin)


class PennylaneClient:
    """Calls the Company API v2 with a company token (``Authorization: Bearer``).

    ``margin``: the share of the published rate limit used (:data:`~boardpack.connectors.http.MARGIN`;
    ``benchmarks/rate_limits.py`` compares it with 1.0, the limit itself).
    """

    def __init__(self, token: str, base_url: str = PRODUCTION, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None, margin: float = MARGIN) -> None:
        self.api = ApiClient(
            provider(base_url, timeout, margin),
            auth=lambda: {"Authorization": f"Bearer {token}"},
            headers={"Accept": "application/json", "X-Use-2026-API-Changes": "true"},
            transport=transport,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self.api.close()

    def me(self) -> dict[str, Any]:
        """``GET /me``: the company, the user and the token's scopes (needs no scope)."""
        body = self.api.get_json(f"{API}/me")
        if not isinstance(body, dict) or not isinstance(body.get("company"), dict):
            raise ApiError("Pennylane", "GET", f"{API}/me", 200, what="a renvoyé une réponse inattendue",
                           hint="vérifiez que base_url désigne l'API Pennylane")
        return body

    def items(self, endpoint: str, filters: Iterable[Mapping[str, Any]] = (), sort: str | None = BY_ID,
              limit: int = PAGE_LIMIT, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paged list, page after page, re-sending ``filter`` and ``sort``.

        ``sort``: :data:`BY_ID` (default) sorts by ``id`` where the endpoint documents it
        (:data:`SORTS`) and sends no ``sort`` elsewhere; ``None`` sends none; a field sorts by it.

        :raises ValueError: for a ``sort`` field the endpoint does not document (a bug of the caller).
        :raises ApiError: on an HTTP error, a body that is not a page, or a cursor that does
            not move on (``has_more`` without ``next_cursor``, or a cursor served twice).
        """
        documented = SORTS.get(endpoint)
        if sort == BY_ID:
            sort = "id" if documented is None or "id" in documented else None
        if sort and documented is not None and sort.lstrip("-") not in documented:
            raise ValueError(f"Pennylane {endpoint} : tri « {sort} » non documenté "
                             f"({', '.join(sorted(documented)) or 'aucun tri'})")
        query: dict[str, Any] = {"limit": limit, **(params or {})}
        if sort:
            query["sort"] = sort
        conditions = list(filters)
        if conditions:
            query["filter"] = json.dumps(conditions, separators=(",", ":"))
        path, seen, cursor = f"{API}{endpoint}", set(), None
        while True:
            body = self.api.get_json(path, params=query if cursor is None else {**query, "cursor": cursor})
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise ApiError("Pennylane", "GET", path, 200, what="a renvoyé une page sans liste « items »",
                               hint="vérifiez que base_url désigne l'API Pennylane v2")
            yield from body["items"]
            if not body.get("has_more"):
                return
            cursor = body.get("next_cursor")
            if not cursor or cursor in seen:
                raise ApiError("Pennylane", "GET", path, 200, what="a renvoyé un curseur de page absent ou répété",
                               hint="réessayez plus tard ; si cela persiste, signalez-le au support Pennylane")
            seen.add(cursor)


def date_range(since: dt.date, until: dt.date, field_name: str = "date") -> list[dict[str, str]]:
    """The ``filter`` conditions of a date range (two conditions, AND)."""
    return [{"field": field_name, "operator": "gteq", "value": since.isoformat()},
            {"field": field_name, "operator": "lteq", "value": until.isoformat()}]


@dataclass
class PennylaneData:
    """What :func:`fetch` read: the datasets as frames of strings, and what the source learnt."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    fiscal_years: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    opening_journals: dict[str, str] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None
    #: draft entries left out (their Pennylane ids)
    drafts_excluded: int = 0


def fiscal_years(client: PennylaneClient) -> list[tuple[dt.date, dt.date]]:
    """The company's fiscal years (start, end), oldest first."""
    years = [(date_of(y["start"]), date_of(y["finish"])) for y in client.items("/fiscal_years", sort="start")]
    return sorted(y for y in years if y[0] is not None and y[1] is not None)  # type: ignore[misc]


def default_since(years: list[tuple[dt.date, dt.date]], until: dt.date) -> dt.date:
    """The start of the fiscal year three years before the one holding ``until`` (the banker
    pack shows three years and their comparisons): the company's own fiscal years when
    Pennylane has them (irregular years included), else :func:`~boardpack.connectors.common.default_since`
    from the current year's first month, or its conservative rule without any fiscal year."""
    current = next((n for n, (start, end) in enumerate(years) if start <= until <= end), None)
    if current is not None and current >= LOOKBACK_YEARS:
        return years[current - LOOKBACK_YEARS][0]
    first_month = years[current][0].month if current is not None else None
    return shared_default_since(Month.of(until), first_month).first_day


def fetch(client: PennylaneClient, until: dt.date, since: dt.date | None = None, *,
          datasets: Iterable[str] = ("entries", "invoices"), include_drafts: bool = False,
          segment_group: str = "Segment", product_group: str = "Produit",
          trial_balance: bool = True, deal_reference: bool = False) -> PennylaneData:
    """Read the ledger and the invoices from ``since`` (default: see :func:`default_since`) to
    ``until`` and map them onto the canonical datasets (frames of strings, for the schemas).

    ``deal_reference``: the customer invoices' ``external_reference`` is the CRM deal they bill
    (``deal_id``), as an integration that creates invoices from deals may set it."""
    wanted = set(datasets)
    years = fiscal_years(client)
    since = since or default_since(years, until)
    data = PennylaneData(since=since, until=until)
    data.fiscal_years = [(start, end) for start, end in years if start <= until and end >= since]
    span = date_range(since, until)
    parties = {"customer": {c["id"]: c for c in client.items("/customers")},
               "supplier": {s["id"]: s for s in client.items("/suppliers")}}
    chart = read_chart(client, parties)
    lines = list(client.items("/ledger_entry_lines", span))
    sales = [i for i in client.items("/customer_invoices", span) if i.get("status") not in _NOT_INVOICES
             and not str(i.get("status", "")).startswith("estimate")]
    purchases = list(client.items("/supplier_invoices", span))
    drafts = {item_id(i.get("ledger_entry")) for i in sales if i.get("draft") or i.get("status") == "draft"}
    drafts |= {item_id(i.get("ledger_entry")) for i in purchases if i.get("accounting_status") == "draft"}
    drafts.discard(None)
    if "entries" in wanted:
        journals = {j["id"]: j for j in client.items("/journals")}
        data.opening_journals = {j["code"]: j.get("label") or j["code"] for j in journals.values()
                                 if j.get("type") == "new_year"}
        pieces = {e["id"]: e for e in client.items("/ledger_entries", span)}
        kept = lines if include_drafts else [ln for ln in lines if item_id(ln.get("ledger_entry")) not in drafts]
        data.drafts_excluded = len({item_id(ln.get("ledger_entry")) for ln in lines}) - len(
            {item_id(ln.get("ledger_entry")) for ln in kept})
        data.frames["entries"] = entries_frame(kept, lines, pieces, journals, chart)
        if trial_balance:
            for start, end in [(max(s, since), min(e, until)) for s, e in data.fiscal_years] or [(since, until)]:
                items = list(client.items("/trial_balance", sort=None, limit=LARGE_LIMIT,
                                          params={"period_start": start.isoformat(), "period_end": end.isoformat(),
                                                  "is_auxiliary": "false"}))
                data.findings.extend(trial_balance_gaps(items, lines, drafts, chart, start, end))
    if "invoices" in wanted:
        labels = category_labels(client, span, {"segment": segment_group, "product": product_group})
        payments = payment_dates(lines, chart)
        data.frames["invoices"] = invoices_frame(sales, purchases, parties, labels, payments, chart, deal_reference)
    return data


def read_chart(client: PennylaneClient, parties: Mapping[str, Mapping[int, dict[str, Any]]]) -> Chart:
    """The chart of accounts; sub-accounts are those of customers and suppliers, or not all digits."""
    accounts = {a["id"]: a for a in client.items("/ledger_accounts", limit=LARGE_LIMIT)}
    tiers = {item_id(p.get("ledger_account")) for group in parties.values() for p in group.values()}
    tiers |= {i for i, a in accounts.items() if not str(a.get("number", "")).isdigit()}
    tiers.discard(None)
    widths = Counter(len(a["number"]) for i, a in accounts.items() if i not in tiers and a["number"].isdigit())
    return Chart(accounts, tiers, widths.most_common(1)[0][0] if widths else 6)  # type: ignore[arg-type]


def category_labels(client: PennylaneClient, span: list[dict[str, str]],
                     groups: Mapping[str, str]) -> dict[str, dict[int, str]]:
    """Invoice id → category label, for each wanted group (found by label, case and plural ignored).

    One filtered invoice list per category (``category_id in``), rather than one call per invoice.
    """
    labels: dict[str, dict[int, str]] = {column: {} for column in groups}
    wanted = {plain_label(label): column for column, label in groups.items() if label}
    found = {g["id"]: wanted[plain_label(g["label"])] for g in client.items("/category_groups")
             if plain_label(g.get("label", "")) in wanted}
    if not found:
        return labels
    for category in client.items("/categories"):
        column = found.get(item_id(category.get("category_group")))  # type: ignore[arg-type]
        if column is None:
            continue
        condition = [*span, {"field": "category_id", "operator": "in", "value": [category["id"]]}]
        for endpoint in ("/customer_invoices", "/supplier_invoices"):
            for invoice in client.items(endpoint, condition):
                labels[column].setdefault(invoice["id"], category["label"])
    return labels
