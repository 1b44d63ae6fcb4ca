"""A local emulator of Pennylane's Company API v2 serving the demo company.

Reproduces the contract of ``connectors.md`` §1 and its §4 checklist, post-2026 behaviour only:

* ``Authorization: Bearer <token>``, 401 ``{error, status}`` for a missing, unknown, revoked
  or expired token, 403 naming the scope an endpoint needs (``/me`` needs none);
* cursor pagination ``{items, has_more, next_cursor}`` with an opaque cursor that encodes
  only the last item's id: the ``filter`` and ``sort`` of a page are the ones *that request*
  carries, so a client that drops them on page 2 gets unfiltered results from the cursor
  position, as the vendor warns; ``limit`` out of its range is a 400, default sort ``-id``;
  the four deprecated offset keys are ``null`` on journals, ledger accounts, ledger entries,
  fiscal years and the trial balance; ``sort`` and ``filter`` only where the spec documents
  them (``pennylane-openapi-v2.json``: no ``sort`` on ``/category_groups`` and
  ``/trial_balance``, no ``filter`` on those and ``/fiscal_years``), else a 400, and only on
  the documented fields;
* ``filter`` = URL-encoded JSON array of ``{field, operator, value}``, per-endpoint fields,
  operators ``eq, not_eq, lt, lteq, gt, gteq, in, not_in, start_with``; a date range is two
  conditions;
* amounts are strings with a ``.``; nested collections are ``{url}`` links;
* 25 requests / 5 s per token on :attr:`PennylaneEmulator.clock` (tests share a fake clock
  with :data:`boardpack.connectors.http.pause`), ``ratelimit-limit/remaining/reset`` on every
  response, and a **plain-text** 429 with ``retry-after``;
* the asynchronous FEC export (``POST /exports/fecs`` → pending → ready with an expiring
  ``file_url`` serving a FEC text file).

The data are the demo company's canonical datasets converted at start-up: journals, the
chart of accounts (customers' and suppliers' sub-accounts numbered ``411`` + tiers code, e.g.
``411C0011``), one ledger entry per demo entry with its lines and their lettering, the sale
invoices as customer invoices (segment and product as categories of the groups « Segment » and
« Produit », the CRM deal they bill in ``external_reference``), the purchase invoices as
supplier invoices, one fiscal year per calendar year.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import math
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any, Self

import pandas as pd

from .base import Emulator, Request, Response, demo_datasets

__all__ = ["PREFIX", "TOKEN", "PennylaneEmulator"]

PREFIX = "/api/external/v2"
#: the token the emulator accepts unless told otherwise (a test value, not a secret)
TOKEN = "pl-emulator-token-0123456789"
COMPANY = {"id": 612345, "name": "Mécanique de Précision du Rhône", "reg_no": "812345674"}
ALL_SCOPES = (
    "fiscal_years:readonly", "journals:readonly", "ledger_accounts:readonly", "ledger_entries:readonly",
    "trial_balance:readonly", "customer_invoices:readonly", "supplier_invoices:readonly",
    "customers:readonly", "suppliers:readonly", "categories:readonly", "exports:fec",
)
_OPERATORS = {"eq", "not_eq", "lt", "lteq", "gt", "gteq", "in", "not_in", "start_with"}
_JOURNAL_TYPES = {"VE": "sale", "AC": "purchase", "BQ": "bank", "OD": "miscellaneous", "AN": "new_year"}
_OFFSET_KEYS = {"total_pages": None, "current_page": None, "total_items": None, "per_page": None}
_STAMP = "2026-11-02T08:00:00.000000Z"


def money(cents: int) -> str:
    """Integer cents as Pennylane writes an amount: ``"-1234.50"``."""
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _day(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def encode_cursor(identity: Any) -> str:
    """An opaque cursor (base64url of JSON) holding only the last item's identity."""
    return base64.urlsafe_b64encode(json.dumps({"id": identity}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> Any:
    padded = cursor + "=" * (-len(cursor) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode()).decode())["id"]


class _BadRequest(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("message") or body.get("error"))
        self.body = body


class _Collection:
    """One list endpoint: its items, filterable fields, sortable fields, limit and scope."""

    def __init__(self, items: list[dict[str, Any]], fields: Mapping[str, Callable[[dict[str, Any]], Any]],
                 sorts: Iterable[str] = ("id",), max_limit: int = 100, scope: str = "",
                 legacy: bool = False, identity: str = "id", default_sort: str = "-id",
                 filterable: bool = True) -> None:
        self.items = items
        self.fields = dict(fields)
        #: the ``sort`` fields the spec documents (none: a ``sort`` parameter is a 400)
        self.sorts = set(sorts)
        #: whether the spec documents a ``filter`` parameter (if not, one is a 400)
        self.filterable = filterable
        self.max_limit = max_limit
        self.scope = scope
        self.legacy = legacy
        self.identity = identity
        self.default_sort = default_sort
        #: how many items were loaded at start-up (:meth:`PennylaneEmulator.reset` drops the others)
        self.loaded = len(items)
        self._orders: dict[str, tuple[list[dict[str, Any]], dict[Any, int]]] = {}

    def ordered(self, sort: str) -> tuple[list[dict[str, Any]], dict[Any, int]]:
        """The items in ``sort`` order and each identity's position (cached)."""
        if sort not in self._orders:
            field = sort.lstrip("-")
            key = self.fields.get(field, lambda item: item[field])
            items = sorted(self.items, key=lambda item: (key(item), item[self.identity]),
                           reverse=sort.startswith("-"))
            self._orders[sort] = items, {item[self.identity]: n for n, item in enumerate(items)}
        return self._orders[sort]

    def invalidate(self) -> None:
        """Forget the cached orders (items were added)."""
        self._orders.clear()


class PennylaneEmulator(Emulator):
    """Pennylane's Company API v2 on 127.0.0.1, serving the demo company (see the module docstring)."""

    def __init__(self, token: str = TOKEN, scopes: Iterable[str] = ALL_SCOPES, rate: int = 25,
                 per: float = 5.0, today: dt.date = dt.date(2026, 11, 2)) -> None:
        super().__init__()
        self.token = token
        self.scopes = set(scopes)
        self.rate = rate
        self.per = per
        self.today = today
        #: the rate limiter's clock (seconds); tests give the fake clock of their fake pause
        self.clock: Callable[[], float] = time.monotonic
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._budget: int | None = None
        self._revoked = False
        self._state_lock = threading.Lock()
        #: gaps added to the trial balance, by account number (cents), to test the cross-check
        self.trial_balance_offsets: dict[str, int] = {}
        self._exports: dict[int, dict[str, Any]] = {}
        #: how many requests the emulator's own rate limit refused (a client that keeps under it: 0)
        self.throttled = 0
        self._ids = itertools.count(900001)
        self._load(demo_datasets())

    def __enter__(self) -> Self:
        super().__enter__()
        assert self._server is not None  # answers leave at once (no Nagle delay): faster tests
        self._server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    # -- switches for the tests --------------------------------------------------------------
    def reset(self) -> None:
        """Back to the start-up state: valid token, every scope, no request counted or logged,
        nothing injected, no draft added, no trial-balance gap, the real clock."""
        with self._lock, self._state_lock:
            self.requests.clear()
            self._injected.clear()
            self._hits.clear()
            self._budget, self._revoked, self.throttled = None, False, 0
            self.scopes = set(ALL_SCOPES)
            self.clock = time.monotonic
            self.trial_balance_offsets.clear()
            for collection in self._collections():
                del collection.items[collection.loaded:]
                collection.invalidate()

    def revoke(self) -> None:
        """The token is revoked: every later request is a 401."""
        self._revoked = True

    def expire_token_after(self, requests: int) -> None:
        """The token expires after ``requests`` more authenticated requests (then 401)."""
        self._budget = requests

    def add_draft_purchase(self, day: dt.date, amount_excl_tax: int, account: str = "606100",
                           supplier_code: str = "F0001") -> dict[str, Any]:
        """Add a supplier invoice awaiting validation (``accounting_status = draft``) and its draft
        entry in the purchase journal (charge, deductible VAT 20 %, supplier); returns the invoice."""
        tax = amount_excl_tax // 5
        supplier = self._suppliers_by_code[supplier_code]
        entry_id = next(self._ids)
        number = f"FF-BROUILLON-{entry_id}"
        journal = self._journal_ids["AC"]
        entry = self._entry_item(entry_id, day, "AC", f"Facture {number} (brouillon)", number, number)
        self.ledger_entries.items.append(entry)
        lines = [(self._general(account), amount_excl_tax, 0), (self._general("445660"), tax, 0),
                 (supplier["ledger_account"]["id"], 0, amount_excl_tax + tax)]
        for account_id, debit, credit in lines:
            self.lines.items.append(self._line_item(next(self._ids), day, journal, entry_id, account_id,
                                                    entry["label"], debit, credit, []))
        invoice = self._supplier_invoice(next(self._ids), number, supplier, day, day + dt.timedelta(days=30),
                                         amount_excl_tax, amount_excl_tax + tax, entry_id, paid=False,
                                         accounting_status="draft")
        self.supplier_invoices.items.append(invoice)
        for collection in (self.ledger_entries, self.lines, self.supplier_invoices):
            collection.invalidate()
        return invoice

    def add_sale(self, day: dt.date, amount_excl_tax: int, customer_code: str = "C0011", *,
                 credit_note_of: dict[str, Any] | None = None) -> dict[str, Any]:
        """Add a customer invoice and its sale entry (customer sub-account, 701000, VAT 445710 at
        20 %), unpaid; with ``credit_note_of``, a credit note on that invoice instead (status
        ``credit_note``, ``credited_invoice``, negative amounts, the entry reversed). Returns it."""
        tax = amount_excl_tax // 5
        customer = self._customers_by_code[customer_code]
        entry_id = next(self._ids)
        credit = credit_note_of is not None
        number = f"{'AV' if credit else 'FA'}-AJOUT-{entry_id}"
        entry = self._entry_item(entry_id, day, "VE", f"{'Avoir' if credit else 'Facture'} {number}", number, number)
        self.ledger_entries.items.append(entry)
        incl = amount_excl_tax + tax
        sides = [(customer["ledger_account"]["id"], incl, 0), (self._general("701000"), 0, amount_excl_tax),
                 (self._general("445710"), 0, tax)]
        for account_id, debit, credit_amount in sides:
            debit, credit_amount = (credit_amount, debit) if credit else (debit, credit_amount)
            self.lines.items.append(self._line_item(next(self._ids), day, self._journal_ids["VE"], entry_id,
                                                    account_id, entry["label"], debit, credit_amount, []))
        sign = -1 if credit else 1
        row = SimpleNamespace(amount_excl_tax=sign * amount_excl_tax, amount_incl_tax=sign * incl,
                              due_date=pd.Timestamp(day + dt.timedelta(days=30)), number=number,
                              counterparty=customer["name"], issue_date=pd.Timestamp(day), discount=0, deal_id="")
        invoice = self._customer_invoice(next(self._ids), row, customer, entry_id, paid=False)
        if credit_note_of is not None:
            invoice.update(status="credit_note", credited_invoice={
                "id": credit_note_of["id"], "url": self._url(f"/customer_invoices/{credit_note_of['id']}")})
        self.customer_invoices.items.append(invoice)
        for collection in (self.ledger_entries, self.lines, self.customer_invoices):
            collection.invalidate()
        return invoice

    def add_payment(self, day: dt.date, amount_incl_tax: int, settles: list[dict[str, Any]]) -> None:
        """Add a bank receipt (512100 against the customer of ``settles``) and letter it with the
        customer lines of every invoice and credit note in ``settles``, which become paid."""
        customer = next(c for c in self._customers_by_code.values() if c["id"] == settles[0]["customer"]["id"])
        tiers = customer["ledger_account"]["id"]
        entry_id = next(self._ids)
        entry = self._entry_item(entry_id, day, "BQ", f"Règlement {customer['name']}", "", None)
        self.ledger_entries.items.append(entry)
        bank = self._line_item(next(self._ids), day, self._journal_ids["BQ"], entry_id, self._general("512100"),
                               entry["label"], amount_incl_tax, 0, [])
        receipt = self._line_item(next(self._ids), day, self._journal_ids["BQ"], entry_id, tiers, entry["label"],
                                  0, amount_incl_tax, [])
        self.lines.items.extend([bank, receipt])
        entries = {invoice["ledger_entry"]["id"] for invoice in settles}
        group = [receipt] + [ln for ln in self.lines.items
                             if ln["ledger_entry"]["id"] in entries and ln["ledger_account"]["id"] == tiers]
        for line in group:
            line["lettered_ledger_entry_lines"]["ids"] = [ln["id"] for ln in group]
        for invoice in settles:
            invoice.update(paid=True, remaining_amount_with_tax="0.00", remaining_amount_without_tax="0.00")
            if invoice["status"] != "credit_note":
                invoice["status"] = "paid"
        for collection in (self.ledger_entries, self.lines, self.customer_invoices):
            collection.invalidate()

    # -- data ----------------------------------------------------------------------------------
    def _load(self, data: dict[str, pd.DataFrame]) -> None:
        entries, invoices = data["entries"], data["invoices"]
        self.journals_by_id: dict[int, dict[str, Any]] = {}
        self._journal_ids: dict[str, int] = {}
        journals = entries[["journal", "journal_label"]].drop_duplicates()
        for n, (code, label) in enumerate(journals.itertuples(index=False)):
            item = {"id": 101 + n, "code": code, "label": label or code,
                    "type": _JOURNAL_TYPES.get(code, "miscellaneous")}
            self.journals_by_id[item["id"]] = item
            self._journal_ids[code] = item["id"]
        # chart: general accounts, then one sub-account per (collective, tiers)
        self.accounts_by_id: dict[int, dict[str, Any]] = {}
        self._general_ids: dict[str, int] = {}
        self._tiers_ids: dict[tuple[str, str], int] = {}
        ids = itertools.count(1001)
        for account, label in entries[["account", "account_label"]].drop_duplicates("account").itertuples(index=False):
            self._general_ids[account] = self._account_item(next(ids), account, label)
        for extra, label in (("445660", "TVA déductible sur autres biens et services"),
                             ("606100", "Fournitures non stockables (eau, énergie)")):
            if extra not in self._general_ids:
                self._general_ids[extra] = self._account_item(next(ids), extra, label)
        tiers = entries[entries["aux_account"] != ""][["account", "aux_account", "aux_label"]]
        for account, aux, label in tiers.drop_duplicates(["account", "aux_account"]).itertuples(index=False):
            self._tiers_ids[(account, aux)] = self._account_item(next(ids), account[:3] + aux, label, letterable=True)
        # customers and suppliers (their ledger account is their sub-account of 411 / 401)
        customers: dict[str, dict[str, Any]] = {}
        suppliers: dict[str, dict[str, Any]] = {}
        names = dict(zip(invoices["counterparty_id"], invoices["counterparty"]))
        names.update(dict(zip(tiers["aux_account"], tiers["aux_label"])))
        for code, name in sorted(names.items()):
            if not code:
                continue
            target, collective = (customers, "411000") if code.startswith("C") else (suppliers, "401000")
            account_id = self._tiers_ids.get((collective, code))
            if account_id is None:
                account_id = self._tiers_ids[(collective, code)] = self._account_item(
                    next(ids), collective[:3] + code, name, letterable=True)
            target[code] = {
                "id": 3000 + int(code[1:]) + (0 if target is customers else 500), "name": name,
                "ledger_account": {"id": account_id}, "external_reference": code,
                "created_at": _STAMP, "updated_at": _STAMP,
            }
            if target is customers:
                target[code].update(customer_type="company", reg_no="", emails=[])
        self._customers_by_code, self._suppliers_by_code = customers, suppliers
        # ledger entries and their lines
        entry_items: list[dict[str, Any]] = []
        line_items: list[dict[str, Any]] = []
        entry_of_piece: dict[str, int] = {}
        entry_ids = itertools.count(50001)
        line_ids = itertools.count(1000001)
        frame = entries.reset_index(drop=True)
        lettering: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        row_ids = [next(line_ids) for _ in range(len(frame))]
        for row_id, account, aux, code in zip(row_ids, frame["account"], frame["aux_account"], frame["lettering"]):
            if code:
                lettering[(account, aux, code)].append(row_id)
        group_of = frame.groupby(["journal", "entry_id"], sort=False).ngroup().to_numpy()
        entry_of_group: dict[int, int] = {}
        for row_id, group, row in zip(row_ids, group_of, frame.itertuples(index=False)):
            day = row.date.date()
            if group not in entry_of_group:
                entry_id = entry_of_group[group] = next(entry_ids)
                invoice_number = row.piece_ref if row.journal in ("VE", "AC") else None
                entry_items.append(self._entry_item(entry_id, day, row.journal, row.label, row.piece_ref,
                                                     invoice_number))
                if invoice_number:
                    entry_of_piece[row.piece_ref] = entry_id
            account_id = (self._tiers_ids[(row.account, row.aux_account)] if row.aux_account
                          else self._general_ids[row.account])
            lettered = lettering[(row.account, row.aux_account, row.lettering)] if row.lettering else []
            line_items.append(self._line_item(row_id, day, self._journal_ids[row.journal], entry_of_group[group],
                                              account_id, row.label, int(row.debit), int(row.credit), lettered))
        # invoices, with segment and product as categories
        self.groups = [{"id": 71, "label": "Segment"}, {"id": 72, "label": "Produit"}]
        self.category_items: list[dict[str, Any]] = []
        category_of: dict[tuple[int, str], int] = {}
        for group_id, column in ((71, "segment"), (72, "product")):
            for label in sorted(v for v in invoices[column].unique() if v):
                item = {"id": 7100 + len(self.category_items) + 1, "label": label, "direction": None,
                        "category_group": {"id": group_id}, "analytical_code": None,
                        "created_at": _STAMP, "updated_at": _STAMP}
                self.category_items.append(item)
                category_of[(group_id, label)] = item["id"]
        self.invoice_categories: dict[int, set[int]] = {}
        sales, purchases = [], []
        fake_entries = itertools.count(40001)
        for n, row in enumerate(invoices.itertuples(index=False), start=1):
            entry_id = entry_of_piece.get(row.number) or next(fake_entries)  # 2022 invoices: entries not served
            paid = row.status == "paid"
            if row.kind == "sale":
                item = self._customer_invoice(20000 + n, row, customers[row.counterparty_id], entry_id, paid)
                sales.append(item)
                self.invoice_categories[item["id"]] = {
                    category_of[(g, v)] for g, v in ((71, row.segment), (72, row.product)) if v}
            else:
                item = self._supplier_invoice(30000 + n, row.number, suppliers[row.counterparty_id],
                                              row.issue_date.date(), row.due_date.date(), int(row.amount_excl_tax),
                                              int(row.amount_incl_tax), entry_id, paid=paid)
                purchases.append(item)
        years = sorted({d.year for d in entries["date"]})
        fiscal = [{"id": 9000 + n, "start": f"{y}-01-01", "finish": f"{y}-12-31",
                   "status": "open" if y == self.today.year else "closed", "created_at": _STAMP, "updated_at": _STAMP}
                  for n, y in enumerate(years)]

        def date(item: dict[str, Any]) -> str:
            return item["date"]

        def category(item: dict[str, Any]) -> set[int]:
            return self.invoice_categories.get(item["id"], set())

        self.journals = _Collection(list(self.journals_by_id.values()), {"type": lambda i: i["type"]},
                                    scope="journals", legacy=True)
        self.accounts = _Collection(list(self.accounts_by_id.values()),
                                    {"number": lambda i: i["number"], "enabled": lambda i: i["enabled"]},
                                    max_limit=1000, scope="ledger_accounts", legacy=True)
        self.ledger_entries = _Collection(entry_items, {"date": date, "journal_id": lambda i: i["journal"]["id"]},
                                          sorts=("id", "date"), scope="ledger_entries", legacy=True)
        self.lines = _Collection(line_items, {"date": date, "journal_id": lambda i: i["journal"]["id"],
                                              "ledger_account_id": lambda i: i["ledger_account"]["id"]},
                                 sorts=("id", "date"), scope="ledger_entries")
        self.customer_invoices = _Collection(
            sales, {"date": date, "customer_id": lambda i: i["customer"]["id"], "draft": lambda i: i["draft"],
                    "invoice_number": lambda i: i["invoice_number"], "category_id": category,
                    "credit_note": lambda i: i["status"] == "credit_note"},
            sorts=("id", "date"), scope="customer_invoices")
        self.supplier_invoices = _Collection(
            purchases, {"date": date, "supplier_id": lambda i: i["supplier"]["id"], "category_id": category,
                        "invoice_number": lambda i: i["invoice_number"], "payment_status": lambda i: i["payment_status"]},
            sorts=("id", "date"), scope="supplier_invoices")
        self.customers = _Collection(list(customers.values()), {"name": lambda i: i["name"]}, scope="customers")
        self.suppliers = _Collection(list(suppliers.values()), {"name": lambda i: i["name"]}, scope="suppliers")
        self.category_groups = _Collection(
            [{**g, "categories": {"url": self._url(f"/category_groups/{g['id']}/categories")},
              "created_at": _STAMP, "updated_at": _STAMP} for g in self.groups], {}, sorts=(), scope="categories",
            filterable=False)
        self.categories = _Collection(self.category_items,
                                      {"label": lambda i: i["label"], "category_group_id": lambda i: i["category_group"]["id"]},
                                      scope="categories")
        self.fiscal_years = _Collection(fiscal, {}, sorts=("id", "start"), scope="fiscal_years", legacy=True,
                                        filterable=False)

    def _collections(self) -> list[_Collection]:
        return [self.journals, self.accounts, self.ledger_entries, self.lines, self.customer_invoices,
                self.supplier_invoices, self.customers, self.suppliers, self.category_groups, self.categories,
                self.fiscal_years]

    def _url(self, path: str) -> str:
        return f"https://app.pennylane.com{PREFIX}{path}"

    def _general(self, number: str) -> int:
        return self._general_ids[number]

    def _account_item(self, account_id: int, number: str, label: str, letterable: bool = False) -> int:
        self.accounts_by_id[account_id] = {
            "id": account_id, "number": number, "label": label, "vat_rate": "any", "country_alpha2": "FR",
            "enabled": True, "type": "custom", "letterable": letterable, "created_at": _STAMP, "updated_at": _STAMP,
        }
        return account_id

    def _entry_item(self, entry_id: int, day: dt.date, journal: str, label: str, piece: str,
                    invoice_number: str | None) -> dict[str, Any]:
        journal_id = self._journal_ids[journal]
        return {"id": entry_id, "created_at": _STAMP, "updated_at": _STAMP, "label": label or None,
                "piece_number": piece or None, "date": day.isoformat(), "due_date": None,
                "invoice_number": invoice_number, "journal_id": journal_id,
                "journal": {"id": journal_id, "url": self._url(f"/journals/{journal_id}")}, "categories": [],
                "ledger_attachment_filename": None, "attachment": None}

    def _line_item(self, line_id: int, day: dt.date, journal_id: int, entry_id: int, account_id: int, label: str,
                   debit: int, credit: int, lettered: list[int]) -> dict[str, Any]:
        return {
            "id": line_id, "debit": money(debit), "credit": money(credit), "label": label, "categories": [],
            "ledger_account": {"id": account_id, "number": self.accounts_by_id[account_id]["number"],
                               "url": self._url(f"/ledger_accounts/{account_id}")},
            "journal": {"id": journal_id, "url": self._url(f"/journals/{journal_id}")},
            "date": day.isoformat(), "ledger_entry": {"id": entry_id},
            "lettered_ledger_entry_lines": {"ids": list(lettered),
                                            "url": self._url(f"/ledger_entry_lines/{line_id}/lettered_ledger_entry_lines")},
            "created_at": _STAMP, "updated_at": _STAMP,
        }

    def _customer_invoice(self, invoice_id: int, row: Any, customer: dict[str, Any], entry_id: int,
                          paid: bool) -> dict[str, Any]:
        excl, incl = int(row.amount_excl_tax), int(row.amount_incl_tax)
        due = row.due_date.date()
        status = "paid" if paid else ("late" if due < self.today else "upcoming")
        remaining = (0, 0) if paid else (incl, excl)
        links = {name: {"url": self._url(f"/customer_invoices/{invoice_id}/{name}")}
                 for name in ("invoice_line_sections", "invoice_lines", "custom_header_fields", "categories",
                              "payments", "matched_transactions", "appendices")}
        return {
            "id": invoice_id, "label": f"Facture {row.counterparty} - {row.number}", "invoice_number": row.number,
            "currency": "EUR", "amount": money(incl), "currency_amount": money(incl),
            "currency_amount_before_tax": money(excl), "exchange_rate": "1.0",
            "date": row.issue_date.date().isoformat(), "deadline": due.isoformat(),
            "currency_tax": money(incl - excl), "tax": money(incl - excl), "language": "fr_FR", "paid": paid,
            "status": status, "discount": {"type": "absolute", "value": money(int(row.discount or 0))},
            "ledger_entry": {"id": entry_id}, "public_file_url": None, "filename": f"{row.number}.pdf",
            "remaining_amount_with_tax": money(remaining[0]), "remaining_amount_without_tax": money(remaining[1]),
            "draft": False, "special_mention": None,
            "customer": {"id": customer["id"], "url": self._url(f"/customers/{customer['id']}")},
            **links, "pdf_invoice_free_text": "", "pdf_invoice_subject": "", "pdf_description": None,
            "billing_subscription": None, "credited_invoice": None, "customer_invoice_template": None,
            "transaction_reference": None, "quote": None, "external_reference": row.deal_id or "", "e_invoicing": None,
            "archived_at": None, "created_at": _STAMP, "updated_at": _STAMP,
        }

    def _supplier_invoice(self, invoice_id: int, number: str, supplier: dict[str, Any], issued: dt.date,
                          due: dt.date, excl: int, incl: int, entry_id: int, paid: bool,
                          accounting_status: str = "complete") -> dict[str, Any]:
        links = {name: {"url": self._url(f"/supplier_invoices/{invoice_id}/{name}")}
                 for name in ("invoice_lines", "categories", "payments", "matched_transactions")}
        return {
            "id": invoice_id, "label": f"Facture {supplier['name']} - {number}", "invoice_number": number,
            "currency": "EUR", "amount": money(incl), "currency_amount": money(incl),
            "currency_amount_before_tax": money(excl), "exchange_rate": "1.0", "date": issued.isoformat(),
            "deadline": due.isoformat(), "currency_tax": money(incl - excl), "tax": money(incl - excl),
            "reconciled": paid, "accounting_status": accounting_status, "filename": f"{number}.pdf",
            "public_file_url": None, "remaining_amount_with_tax": money(0 if paid else incl),
            "remaining_amount_without_tax": money(0 if paid else excl), "ledger_entry": {"id": entry_id},
            "supplier": {"id": supplier["id"], "url": self._url(f"/suppliers/{supplier['id']}")}, **links,
            "transaction_reference": None, "payment_status": "fully_paid" if paid else "to_be_paid",
            "external_reference": number, "e_invoicing": None, "archived_at": None,
            "created_at": _STAMP, "updated_at": _STAMP,
        }

    # -- HTTP ------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Authenticate, rate-limit, then route."""
        if request.path.startswith("/files/"):  # a FEC export's file_url: signed, no bearer token
            return self._export_file(request)
        if not request.path.startswith(PREFIX):
            return Response(404, {"error": "Not Found", "status": 404})
        route = request.path[len(PREFIX):].rstrip("/") or "/"
        token = (request.header("authorization") or "").removeprefix("Bearer ").strip()
        with self._state_lock:
            valid = token == self.token and not self._revoked and self._budget != 0
            if valid and self._budget is not None:
                self._budget -= 1
            limited, headers = self._count(token)
        if not valid:
            return Response(401, {"error": "The access token is invalid", "status": 401}, headers)
        if limited:
            self.throttled += 1
            wait = headers["retry-after"]
            return Response(429, f"Rate limit exceeded. Please retry in {wait} seconds.", headers)
        try:
            response = self._route(request, route)
        except _BadRequest as exc:
            response = Response(400, exc.body)
        response.headers.update(headers)
        return response

    def _count(self, token: str) -> tuple[bool, dict[str, str]]:
        """Sliding window of ``rate`` requests per ``per`` seconds for this token."""
        now = self.clock()
        hits = self._hits[token]
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        reset_in = self.per - (now - hits[0]) if hits else self.per
        headers = {"ratelimit-limit": str(self.rate), "ratelimit-reset": str(int(time.time() + reset_in))}
        if len(hits) >= self.rate:
            headers["ratelimit-remaining"] = "0"
            headers["retry-after"] = str(max(1, math.ceil(reset_in)))
            return True, headers
        hits.append(now)
        headers["ratelimit-remaining"] = str(self.rate - len(hits))
        return False, headers

    def _forbidden(self, scope: str) -> Response | None:
        if not scope or f"{scope}:readonly" in self.scopes or f"{scope}:all" in self.scopes:
            return None
        return Response(403, {"error": f'Access to this resource requires scope "{scope}:readonly".', "status": 403})

    def _route(self, request: Request, route: str) -> Response:
        collections = {
            "/journals": self.journals, "/ledger_accounts": self.accounts, "/ledger_entries": self.ledger_entries,
            "/ledger_entry_lines": self.lines, "/customer_invoices": self.customer_invoices,
            "/supplier_invoices": self.supplier_invoices, "/customers": self.customers,
            "/suppliers": self.suppliers, "/category_groups": self.category_groups,
            "/categories": self.categories, "/fiscal_years": self.fiscal_years,
        }
        if request.method == "GET" and route == "/me":
            return Response(200, {"user": {"id": 4242, "first_name": "Claire", "last_name": "Martin",
                                           "email": "claire.martin@example.fr", "locale": "fr"},
                                  "company": dict(COMPANY), "scopes": sorted(self.scopes)})
        if request.method == "GET" and route in collections:
            collection = collections[route]
            return self._forbidden(collection.scope) or Response(200, self._page(request, collection))
        if request.method == "GET" and route == "/trial_balance":
            return self._forbidden("trial_balance") or self._trial_balance(request)
        if route.startswith("/exports/fecs"):
            return self._forbidden_export() or self._fec_export(request, route)
        return Response(404, {"error": "Not Found", "status": 404})

    # -- paging and filters ---------------------------------------------------------------------
    def _page(self, request: Request, collection: _Collection) -> dict[str, Any]:
        limit_text = request.arg("limit", "20") or "20"
        try:
            limit = int(limit_text)
        except ValueError:
            raise _BadRequest({"message": f"limit is not an integer: {limit_text}", "field": "limit",
                               "code": "NotOneOf"}) from None
        if not 1 <= limit <= collection.max_limit:
            code = "LessThanMinimum" if limit < 1 else "MoreThanMaximum"
            raise _BadRequest({"message": f"limit must be between 1 and {collection.max_limit}", "field": "limit",
                               "code": code})
        asked = request.arg("sort")
        if asked is not None and not collection.sorts:
            raise _BadRequest({"message": "sort is not a valid parameter for this endpoint", "field": "sort",
                               "code": "NotExistPropertyDefinition"})
        if asked is not None and asked.lstrip("-") not in collection.sorts:
            raise _BadRequest({"message": f"Invalid sort field: {asked.lstrip('-')}", "field": "sort",
                               "code": "NotEnumInclude"})
        if request.arg("filter") is not None and not collection.filterable:
            raise _BadRequest({"message": "filter is not a valid parameter for this endpoint", "field": "filter",
                               "code": "NotExistPropertyDefinition"})
        sort = asked or collection.default_sort
        conditions = self._filters(request.arg("filter"), collection)
        ordered, positions = collection.ordered(sort)
        start = 0
        cursor = request.arg("cursor")
        if cursor:
            try:
                start = positions[_decode_cursor(cursor)] + 1
            except (ValueError, KeyError, TypeError):
                raise _BadRequest({"error": "Invalid cursor", "status": 400}) from None
        page: list[dict[str, Any]] = []
        has_more = False
        for item in itertools.islice(ordered, start, None):
            if all(test(item) for test in conditions):
                if len(page) == limit:
                    has_more = True
                    break
                page.append(item)
        body: dict[str, Any] = {"items": page, "has_more": has_more,
                                "next_cursor": encode_cursor(page[-1][collection.identity]) if has_more else None}
        if collection.legacy:
            body.update(_OFFSET_KEYS)
        return body

    def _filters(self, text: str | None, collection: _Collection) -> list[Callable[[dict[str, Any]], bool]]:
        if not text:
            return []
        try:
            conditions = json.loads(text)
        except ValueError:
            conditions = None
        if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
            raise _BadRequest({"error": "filter must be a JSON array of conditions", "status": 400})
        tests = []
        for condition in conditions:
            field, operator = condition.get("field"), condition.get("operator")
            if field != "id" and field not in collection.fields:
                raise _BadRequest({"error": f"Invalid filter field: {field}", "status": 400})
            if operator not in _OPERATORS:
                raise _BadRequest({"error": f"Invalid filter operator: {operator}", "status": 400})
            getter = collection.fields.get(field, lambda item: item["id"])
            tests.append(_condition(getter, operator, condition.get("value")))
        return tests

    # -- trial balance -------------------------------------------------------------------------------
    def _trial_balance(self, request: Request) -> Response:
        start, end = request.arg("period_start"), request.arg("period_end")
        if not start or not end:
            raise _BadRequest({"message": "period_start and period_end are required", "field": "period_start",
                               "code": "NotExistRequiredKey"})
        auxiliary = (request.arg("is_auxiliary") or "false").lower() == "true"
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        labels: dict[str, str] = {}
        for line in self.lines.items:
            if not start <= line["date"] <= end:
                continue
            account = self.accounts_by_id[line["ledger_account"]["id"]]
            number = account["number"]
            if not auxiliary and not number.isdigit():
                number = number[:3] + "000"
            labels.setdefault(number, self.accounts_by_id.get(self._general_ids.get(number, -1), account)["label"])
            totals[number][0] += _cents(line["debit"])
            totals[number][1] += _cents(line["credit"])
        for number, gap in self.trial_balance_offsets.items():
            totals[number][0] += gap
            labels.setdefault(number, number)
        items = [{"number": n, "formatted_number": n.ljust(8, "0") if n.isdigit() else n, "label": labels[n],
                  "debits": money(d), "credits": money(c)} for n, (d, c) in sorted(totals.items())]
        collection = _Collection(items, {}, sorts=(), max_limit=1000, identity="number",
                                 default_sort="number", legacy=True, filterable=False)
        return Response(200, self._page(request, collection))

    # -- FEC export ------------------------------------------------------------------------------------
    def _forbidden_export(self) -> Response | None:
        if "exports:fec" in self.scopes:
            return None
        return Response(403, {"error": 'Access to this resource requires scope "exports:fec".', "status": 403})

    def _fec_export(self, request: Request, route: str) -> Response:
        if request.method == "POST" and route == "/exports/fecs":
            body = request.json()
            export_id = next(self._ids)
            self._exports[export_id] = {"id": export_id, "polls": 0, "period_start": body["period_start"],
                                        "period_end": body["period_end"], "created_at": _STAMP}
            return Response(201, {"id": export_id, "status": "pending", "created_at": _STAMP, "updated_at": _STAMP})
        try:
            export = self._exports[int(route.rsplit("/", 1)[1])]
        except (ValueError, KeyError):
            return Response(404, {"error": "Not Found", "status": 404})
        export["polls"] += 1
        ready = export["polls"] > 1  # the first poll finds it still pending
        file_url = f"{self.base_url}/files/fec-{export['id']}.txt?expires={int(self.clock() + 1800)}" if ready else None
        return Response(200, {"id": export["id"], "status": "ready" if ready else "pending", "file_url": file_url,
                              "created_at": _STAMP, "updated_at": _STAMP})

    def _export_file(self, request: Request) -> Response:
        try:
            export = self._exports[int(request.path.removeprefix("/files/fec-").removesuffix(".txt"))]
            expires = float(request.arg("expires") or "0")
        except (ValueError, KeyError):
            return Response(404, "Not Found")
        if self.clock() > expires:
            return Response(403, "Request has expired")
        header = ("JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\t"
                  "CompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\t"
                  "ValidDate\tMontantdevise\tIdevise")
        rows = [header]
        entries = {e["id"]: e for e in self.ledger_entries.items}
        for line in self.lines.items:
            if not export["period_start"] <= line["date"] <= export["period_end"]:
                continue
            journal = self.journals_by_id[line["journal"]["id"]]
            account = self.accounts_by_id[line["ledger_account"]["id"]]
            number, aux, aux_label = account["number"], "", ""
            if not number.isdigit():
                number, aux, aux_label = number[:3] + "000", account["number"], account["label"]
            entry = entries[line["ledger_entry"]["id"]]
            day = line["date"].replace("-", "")
            rows.append("\t".join([
                journal["code"], journal["label"], str(entry["id"]), day, number,
                self.accounts_by_id[self._general_ids.get(number, account["id"])]["label"], aux, aux_label,
                entry["piece_number"] or "", day, line["label"], line["debit"].replace(".", ","),
                line["credit"].replace(".", ","), "", "", day, "", ""]))
        return Response(200, ("\r\n".join(rows) + "\r\n").encode("utf-8"))


def _cents(amount: str) -> int:
    units, _, cents = amount.lstrip("-").partition(".")
    value = int(units) * 100 + int((cents + "00")[:2])
    return -value if amount.startswith("-") else value


def _condition(getter: Callable[[dict[str, Any]], Any], operator: str, value: Any) -> Callable[[dict[str, Any]], bool]:
    """One ``{field, operator, value}`` as a test on an item (values compared in the item's type)."""

    def typed(sample: Any, raw: Any) -> Any:
        if isinstance(sample, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() == "true"
        if isinstance(sample, int):
            return int(raw)
        return str(raw)

    def values(raw: Any) -> list[Any]:
        return raw if isinstance(raw, list) else [v.strip() for v in str(raw).split(",")]

    def test(item: dict[str, Any]) -> bool:
        actual = getter(item)
        if isinstance(actual, set):  # a multi-valued field (an invoice's categories): any match
            wanted = {int(v) for v in values(value)}
            return bool(actual & wanted) if operator in ("in", "eq") else not actual & wanted
        if actual is None:
            return operator in ("not_eq", "not_in")
        if operator in ("in", "not_in"):
            found = actual in {typed(actual, v) for v in values(value)}
            return found if operator == "in" else not found
        if operator == "start_with":
            return str(actual).startswith(str(value))
        other = typed(actual, value)
        return {"eq": actual == other, "not_eq": actual != other, "lt": actual < other, "lteq": actual <= other,
                "gt": actual > other, "gteq": actual >= other}[operator]

    return test
