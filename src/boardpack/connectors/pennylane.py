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
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Self

import httpx
import pandas as pd

from ..periods import Month
from .common import LOOKBACK_YEARS, cents, euros
from .common import default_since as shared_default_since
from .http import MARGIN, ApiClient, ApiError, Provider

__all__ = ["API", "BY_ID", "PRODUCTION", "SORTS", "PennylaneClient", "PennylaneData", "fetch", "provider"]

#: production host (a sandbox is a separate company on the same host)
PRODUCTION = "https://app.pennylane.com"
#: path prefix of the Company API v2
API = "/api/external/v2"
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
#: supplier ``payment_status`` values meaning the invoice is settled
_SUPPLIER_PAID = {"fully_paid", "paid_offline", "payment_found", "payment_emitted"}
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
    years = [(_date(y["start"]), _date(y["finish"])) for y in client.items("/fiscal_years", sort="start")]
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
    chart = _Chart.read(client, parties)
    lines = list(client.items("/ledger_entry_lines", span))
    sales = [i for i in client.items("/customer_invoices", span) if i.get("status") not in _NOT_INVOICES
             and not str(i.get("status", "")).startswith("estimate")]
    purchases = list(client.items("/supplier_invoices", span))
    drafts = {_id(i.get("ledger_entry")) for i in sales if i.get("draft") or i.get("status") == "draft"}
    drafts |= {_id(i.get("ledger_entry")) for i in purchases if i.get("accounting_status") == "draft"}
    drafts.discard(None)
    if "entries" in wanted:
        journals = {j["id"]: j for j in client.items("/journals")}
        data.opening_journals = {j["code"]: j.get("label") or j["code"] for j in journals.values()
                                 if j.get("type") == "new_year"}
        pieces = {e["id"]: e for e in client.items("/ledger_entries", span)}
        kept = lines if include_drafts else [ln for ln in lines if _id(ln.get("ledger_entry")) not in drafts]
        data.drafts_excluded = len({_id(ln.get("ledger_entry")) for ln in lines}) - len(
            {_id(ln.get("ledger_entry")) for ln in kept})
        data.frames["entries"] = entries_frame(kept, lines, pieces, journals, chart)
        if trial_balance:
            for start, end in [(max(s, since), min(e, until)) for s, e in data.fiscal_years] or [(since, until)]:
                items = list(client.items("/trial_balance", sort=None, limit=LARGE_LIMIT,
                                          params={"period_start": start.isoformat(), "period_end": end.isoformat(),
                                                  "is_auxiliary": "false"}))
                data.findings.extend(trial_balance_gaps(items, lines, drafts, chart, start, end))
    if "invoices" in wanted:
        labels = _category_labels(client, span, {"segment": segment_group, "product": product_group})
        payments = payment_dates(lines, chart)
        data.frames["invoices"] = invoices_frame(sales, purchases, parties, labels, payments, chart, deal_reference)
    return data


# ---------------------------------------------------------------- chart of accounts


@dataclass
class _Chart:
    """Ledger accounts by id; which are third-party sub-accounts; the general accounts' width."""

    accounts: dict[int, dict[str, Any]]
    tiers: set[int]
    width: int
    labels: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.labels = {str(a.get("number")): a.get("label") or "" for a in self.accounts.values()}

    @classmethod
    def read(cls, client: PennylaneClient, parties: Mapping[str, Mapping[int, dict[str, Any]]]) -> _Chart:
        """The chart of accounts; sub-accounts are those of customers and suppliers, or not all digits."""
        accounts = {a["id"]: a for a in client.items("/ledger_accounts", limit=LARGE_LIMIT)}
        tiers = {_id(p.get("ledger_account")) for group in parties.values() for p in group.values()}
        tiers |= {i for i, a in accounts.items() if not str(a.get("number", "")).isdigit()}
        tiers.discard(None)
        widths = Counter(len(a["number"]) for i, a in accounts.items() if i not in tiers and a["number"].isdigit())
        return cls(accounts, tiers, widths.most_common(1)[0][0] if widths else 6)  # type: ignore[arg-type]

    def number(self, account: Mapping[str, Any]) -> str:
        """The number of a line's account (from the chart, else from the line)."""
        return str(self.accounts.get(account.get("id"), account).get("number", ""))

    def split(self, account: Mapping[str, Any]) -> tuple[str, str, str, str]:
        """(account, account label, aux account, aux label) of a line's ``ledger_account``."""
        number = self.number(account)
        label = str(self.accounts.get(account.get("id"), {}).get("label") or "")
        if account.get("id") not in self.tiers:
            return number, label, "", ""
        collective = number[:3].ljust(self.width, "0")
        return collective, self.label_of(collective), number, label

    def label_of(self, number: str) -> str:
        """The label of a general account by its number ('' if unknown)."""
        return self.labels.get(number, "")


# ---------------------------------------------------------------- entries


ENTRY_COLUMNS = ("date", "journal", "journal_label", "entry_id", "account", "account_label", "aux_account",
                 "aux_label", "piece_ref", "label", "debit", "credit", "lettering", "lettering_date")


def entries_frame(lines: list[dict[str, Any]], all_lines: list[dict[str, Any]], pieces: Mapping[int, dict[str, Any]],
                  journals: Mapping[int, dict[str, Any]], chart: _Chart) -> pd.DataFrame:
    """The ``entries`` rows (strings) of ``lines``, in date then id order.

    Lettering: the code is ``L`` + the smallest id of the lettered lines, its date the latest
    date among them (``all_lines`` are the lines read, drafts included).
    """
    dates = {ln["id"]: ln["date"] for ln in all_lines}
    rows = []
    for line in sorted(lines, key=lambda ln: (ln["date"], ln["id"])):
        journal = journals.get(_id(line.get("journal")), {})
        entry_id = _id(line.get("ledger_entry"))
        entry = pieces.get(entry_id, {})  # type: ignore[arg-type]
        account, account_label, aux, aux_label = chart.split(line.get("ledger_account") or {})
        lettered = set((line.get("lettered_ledger_entry_lines") or {}).get("ids") or ())
        if lettered:
            lettered.add(line["id"])
        known = [dates[i] for i in lettered if i in dates]
        rows.append((line["date"], journal.get("code", ""), journal.get("label", ""), str(entry_id or ""),
                     account, account_label, aux, aux_label, entry.get("piece_number") or "",
                     line.get("label") or entry.get("label") or "", line["debit"], line["credit"],
                     f"L{min(lettered)}" if lettered else "", max(known) if known else ""))
    return pd.DataFrame(rows, columns=list(ENTRY_COLUMNS), dtype=object)


def payment_dates(lines: list[dict[str, Any]], chart: _Chart) -> dict[int, str | None]:
    """For each ledger entry with a lettered third-party line: the latest date of the lines
    lettered with it in other entries (its payment), or ``None`` when some of them were not
    read (paid outside the span, i.e. after it)."""
    by_id = {ln["id"]: ln for ln in lines}
    paid: dict[int, str | None] = {}
    for line in lines:
        ids = (line.get("lettered_ledger_entry_lines") or {}).get("ids") or ()
        entry = _id(line.get("ledger_entry"))
        if not ids or entry is None or _id(line.get("ledger_account")) not in chart.tiers:
            continue
        others = [i for i in ids if i not in by_id or _id(by_id[i].get("ledger_entry")) != entry]
        if not others:
            continue
        if any(i not in by_id for i in others):
            paid[entry] = None
        elif paid.get(entry, "") is not None:
            latest = max(by_id[i]["date"] for i in others)
            paid[entry] = max(latest, paid.get(entry) or latest)
    return paid


# ---------------------------------------------------------------- invoices


INVOICE_COLUMNS = ("kind", "number", "counterparty", "counterparty_id", "segment", "product", "issue_date",
                   "due_date", "paid_date", "amount_excl_tax", "amount_incl_tax", "discount", "status", "deal_id",
                   "pennylane_id")


def invoices_frame(sales: list[dict[str, Any]], purchases: list[dict[str, Any]],
                   parties: Mapping[str, Mapping[int, dict[str, Any]]], labels: Mapping[str, Mapping[int, str]],
                   payments: Mapping[int, str | None], chart: _Chart, deal_reference: bool = False) -> pd.DataFrame:
    """The ``invoices`` rows (strings): sales then purchases, each in date then id order."""
    rows = []
    for kind, party, invoices in (("sale", "customer", sales), ("purchase", "supplier", purchases)):
        for item in sorted(invoices, key=lambda i: (i.get("date") or "", i["id"])):
            who = parties[party].get(_id(item.get(party)), {})  # type: ignore[arg-type]
            account = chart.accounts.get(_id(who.get("ledger_account")), {})  # type: ignore[arg-type]
            incl = _decimal(item.get("amount"))
            excl = incl - _decimal(item.get("tax"))
            if (item.get("credited_invoice") or item.get("status") == "credit_note") and incl > 0:
                incl, excl = -incl, -excl
            status, paid_date = _status(kind, item, payments, credit_note=incl < 0)
            issued = item.get("date") or ""
            deal = str(item.get("external_reference") or "") if deal_reference and kind == "sale" else ""
            rows.append((kind, item.get("invoice_number") or str(item["id"]), who.get("name") or "",
                         account.get("number") or (str(who["id"]) if who else ""),
                         labels["segment"].get(item["id"], ""), labels["product"].get(item["id"], ""),
                         issued, item.get("deadline") or issued, paid_date, str(excl), str(incl),
                         _discount(item.get("discount"), excl), status, deal, str(item["id"])))
    return pd.DataFrame(rows, columns=list(INVOICE_COLUMNS), dtype=object)


def _status(kind: str, item: Mapping[str, Any], payments: Mapping[int, str | None],
            credit_note: bool = False) -> tuple[str, str]:
    """(status, paid date) in the dataset's terms; a payment after the span leaves it « issued ».

    A credit note is settled (« paid ») once lettered, but never has a paid date: its lettering
    with the invoice or the receipt it offsets is not cash collected (nor paid, for a supplier's),
    and a date would count it, negative, in the cash-based KPIs (rentabilité encaissée)."""
    status = item.get("status")
    if kind == "sale" and (item.get("draft") or status == "draft"):
        return "draft", ""
    if kind == "purchase" and item.get("accounting_status") == "draft":
        return "draft", ""
    if status in ("cancelled", "archived") or item.get("archived_at"):
        return "cancelled", ""
    settled = bool(item.get("paid")) if kind == "sale" else item.get("payment_status") in _SUPPLIER_PAID
    if not settled:
        return "issued", ""
    entry = _id(item.get("ledger_entry"))
    if entry in payments:
        day = payments[entry]  # type: ignore[index]
        if not day:
            return "issued", ""
        return ("paid", "") if credit_note else ("paid", day)
    return "paid", ""


def _discount(discount: Any, excl: Decimal) -> str:
    """The discount in euros HT: an absolute one as is, a relative one (%) off the list price."""
    if not isinstance(discount, Mapping) or discount.get("value") in (None, ""):
        return ""
    value = _decimal(discount["value"])
    if discount.get("type") == "relative":
        if not 0 <= value < 100:
            return ""
        value = (excl * value / (100 - value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return str(value)


def _category_labels(client: PennylaneClient, span: list[dict[str, str]],
                     groups: Mapping[str, str]) -> dict[str, dict[int, str]]:
    """Invoice id → category label, for each wanted group (found by label, case and plural ignored).

    One filtered invoice list per category (``category_id in``), rather than one call per invoice.
    """
    labels: dict[str, dict[int, str]] = {column: {} for column in groups}
    wanted = {_plain(label): column for column, label in groups.items() if label}
    found = {g["id"]: wanted[_plain(g["label"])] for g in client.items("/category_groups")
             if _plain(g.get("label", "")) in wanted}
    if not found:
        return labels
    for category in client.items("/categories"):
        column = found.get(_id(category.get("category_group")))  # type: ignore[arg-type]
        if column is None:
            continue
        condition = [*span, {"field": "category_id", "operator": "in", "value": [category["id"]]}]
        for endpoint in ("/customer_invoices", "/supplier_invoices"):
            for invoice in client.items(endpoint, condition):
                labels[column].setdefault(invoice["id"], category["label"])
    return labels


# ---------------------------------------------------------------- trial balance


def trial_balance_gaps(items: list[dict[str, Any]], lines: list[dict[str, Any]], drafts: set[Any], chart: _Chart,
                       start: dt.date, end: dt.date) -> list[str]:
    """One finding per account whose trial-balance movements differ from the lines read.

    Lines are summed per general account (sub-accounts under their collective), drafts
    included; a balance that leaves the drafts out matches too.
    """
    ours: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    draft: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    numbers: dict[str, str] = {}
    first, last = start.isoformat(), end.isoformat()
    for line in lines:
        if not first <= line["date"] <= last:
            continue
        account = chart.split(line.get("ledger_account") or {})[0]
        key = _key(account)
        numbers.setdefault(key, account)
        amounts = (_cents(line["debit"]), _cents(line["credit"]))
        for side in (0, 1):
            ours[key][side] += amounts[side]
            if _id(line.get("ledger_entry")) in drafts:
                draft[key][side] += amounts[side]
    theirs: dict[str, tuple[int, int, str, str]] = {}
    for item in items:
        key = _key(str(item.get("formatted_number") or item.get("number") or ""))
        debit, credit = _cents(item.get("debits")), _cents(item.get("credits"))
        previous = theirs.get(key, (0, 0, "", ""))
        theirs[key] = (previous[0] + debit, previous[1] + credit, str(item.get("number") or key),
                       str(item.get("label") or ""))
    findings = []
    for key in sorted(set(ours) | set(theirs)):
        debit, credit = ours.get(key, [0, 0])
        tb_debit, tb_credit, number, label = theirs.get(key, (0, 0, numbers.get(key, key),
                                                              chart.label_of(numbers.get(key, key))))
        if (tb_debit, tb_credit) in ((debit, credit), (debit - draft[key][0], credit - draft[key][1])):
            continue
        named = f"{number} ({label})" if label else number
        findings.append(
            f"Pennylane : la balance du {start:%d/%m/%Y} au {end:%d/%m/%Y} donne pour le compte {named} "
            f"{euros(tb_debit)} au débit et {euros(tb_credit)} au crédit, les lignes d'écritures lues "
            f"{euros(debit)} et {euros(credit)} (écart de {euros(tb_debit - debit)} au débit et "
            f"{euros(tb_credit - credit)} au crédit) ; relancez le chargement, puis signalez l'écart à votre "
            "cabinet s'il persiste"
        )
    return findings


# ---------------------------------------------------------------- small helpers


def _id(link: Any) -> Any:
    return link.get("id") if isinstance(link, Mapping) else None


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def _decimal(text: Any) -> Decimal:
    """An amount string as a Decimal (``None`` and ``""`` are 0)."""
    if text in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(text))
    except InvalidOperation:
        raise ApiError("Pennylane", "GET", API, 200, what=f"a renvoyé un montant illisible « {text} »",
                       hint="signalez-le au support Pennylane") from None


def _cents(text: Any) -> int:
    """A Pennylane amount in cents (exact: see :func:`~boardpack.connectors.common.cents`)."""
    return cents(text, "Pennylane")



def _key(number: str) -> str:
    """An account number compared across the lines and the balance: padded to eight characters."""
    return number.ljust(8, "0") if number.isdigit() else number


def _plain(label: str) -> str:
    text = label.strip().casefold()
    return text.removesuffix("s")
