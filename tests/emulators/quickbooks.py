"""A QuickBooks Online emulator holding the demo company as a French QuickBooks company.

At start-up the demo datasets become QuickBooks objects: every PCG account of the demo
ledger an ``Account`` (``AcctNum`` = the PCG number; account 616000 archived, 404000 a
sub-account of 401000, class 6/7 accounts under parent accounts nested up to three deep),
the demo's à-nouveaux the balances at 31/12/2022, the monthly reports computed from the
demo entries, and the demo invoices ``Invoice``/``Bill`` with ``Payment``/``BillPayment``
(several invoices per payment, some paid in two instalments), and the demo's miscellaneous
entries (journal OD: payroll, VAT returns, depreciation, stock) ``JournalEntry`` objects.

Reproduced from connectors.md §2 and §4 (QuickBooks Online):

* OAuth token endpoint (Basic auth, form body): 3600 s access tokens, a refresh token
  that rotates at each refresh (the old one then fails with ``invalid_grant``, 400);
  :meth:`QuickBooksEmulator.revoke`, :meth:`QuickBooksEmulator.expire_token_after`;
* ``/v3/company/{realm}/query`` (GET ``query=`` and POST ``application/text``) with
  ``STARTPOSITION``/``MAXRESULTS`` (≤ 1000, default 100), ``COUNT(*)`` → ``totalCount``,
  empty ``{"QueryResponse":{}}``, only active accounts unless ``Active`` is filtered;
* ``/reports/{ProfitAndLoss|BalanceSheet|CashFlow|AgedReceivables|AgedPayables}`` with
  ``Header``/``Columns``/``Rows``, nested sections, string amounts, empty cells,
  ``NoReportData``, one column per month with ``summarize_column_by=Month`` (at most six
  months a request: ``max_report_months``; columns with metadata and English titles, or
  without metadata and French titles: ``column_titles``);
* :meth:`QuickBooksEmulator.renumber`: account numbers as QuickBooks France writes them
  (``512BNP``, ``411CLI01``: the PCG number then letters) or none at all;
* ``Accept: application/json`` required (XML otherwise), ``minorversion`` recorded;
* faults: 400 ``Fault.Error``, 401 lowercase ``fault.error`` + ``WWW-Authenticate``, 403 on
  another realm, 429 ThrottleExceeded 003001 (no ``Retry-After``) beyond 500 requests a
  minute or 10 at once (and beyond 10 a second when ``limit_per_second`` is set), and
  :func:`fault_in_200` for the 200-with-Fault case.

Fault bodies and header names follow the recordings quoted in connectors.md
(minimul/qbo_api ``spec/vcr/error/401.yml``, ``validation.yml``; Intuit error codes).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import pandas as pd

from boardpack.periods import Month

from .base import Emulator, Request, Response, demo_datasets

__all__ = ["QuickBooksEmulator", "fault_in_200", "throttled"]

FIRST_OPENING = Month(2022, 12)
_SHARED: dict[str, Any] = {}
_SHARED_NAMES = ("_balances", "_profits", "opening", "monthly", "accounts", "by_number", "parents", "by_id",
                 "company_info", "entities", "invoices", "parties")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: French abbreviated month names (CLDR ``fr``), as a French QuickBooks titles its columns
_MOIS_ABBR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def _stamp() -> str:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=-8))).isoformat(timespec="milliseconds")


def fault_in_200() -> Response:
    """A 200 carrying a ``Fault`` (the error-codes page's edge case)."""
    return Response(200, {"Fault": {"Error": [{"Message": "An application error has occurred while processing "
                                                          "your request", "Detail": "System Failure Error: "
                                                          "java.lang.NullPointerException", "code": "10000"}],
                                    "type": "SystemFault"}, "time": _stamp()})


def throttled() -> Response:
    """A 429 ThrottleExceeded, errorCode 003001, without ``Retry-After`` (as Intuit sends it)."""
    return Response(429, {"Fault": {"Error": [{"Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                                               "Detail": "The request limit was reached.", "code": "3001"}],
                                    "type": "SERVICE"}, "time": _stamp()})


def _validation(message: str, detail: str, code: str) -> Response:
    return Response(400, {"Fault": {"Error": [{"Message": message, "Detail": detail, "code": code, "element": ""}],
                                    "type": "ValidationFault"}, "time": _stamp()})


def _lower_fault(status: int, message: str, detail: str, code: str, kind: str) -> Response:
    body = {"warnings": None, "intuitObject": None,
            "fault": {"error": [{"message": message, "detail": detail, "code": code, "element": None}], "type": kind},
            "report": None, "queryResponse": None, "batchItemResponse": [], "attachableResponse": [],
            "syncErrorResponse": None, "requestId": None, "time": int(time.time() * 1000), "status": None,
            "cdcresponse": []}
    headers = {"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'} if status == 401 else {}
    return Response(status, body, headers)


def _qbo_type(account: str, balance: int) -> tuple[str, str]:
    """(AccountType, AccountSubType) a French QuickBooks company gives a PCG account."""
    two, three = account[:2], account[:3]
    if account.startswith("110"):
        return "Equity", "RetainedEarnings"
    if two in ("10", "11", "12", "13"):
        return "Equity", "CommonStock" if three == "101" else "OwnersEquity"
    if two == "16":
        return "Long Term Liability", "NotesPayable"
    if two == "20" or three == "280":
        return "Other Asset", "AccumulatedAmortizationOfOtherAssets" if three == "280" else "Licenses"
    if two in ("21", "28"):
        return "Fixed Asset", "AccumulatedDepreciation" if two == "28" else "MachineryAndEquipment"
    if account[0] == "3":
        return "Other Current Asset", "Inventory"
    if two == "40":
        return "Accounts Payable", "AccountsPayable"
    if two == "41":
        return "Accounts Receivable", "AccountsReceivable"
    if account.startswith(("4456", "44567")) or (account[0] == "4" and balance > 0 and two not in ("42", "43")):
        return "Other Current Asset", "OtherCurrentAssets"
    if account[0] == "4":
        return "Other Current Liability", "OtherCurrentLiabilities"
    if account[0] == "5":
        return "Bank", "Checking"
    if two == "60":
        return "Cost of Goods Sold", "SuppliesMaterialsCogs"
    if two in ("66", "67", "68"):
        return "Other Expense", "Depreciation" if two == "68" else "OtherMiscellaneousExpense"
    if account[0] == "6":
        return "Expense", "OtherMiscellaneousServiceCost"
    if two in ("76", "77"):
        return "Other Income", "OtherMiscellaneousIncome"
    return "Income", "SalesOfProductIncome"


_CLASSIFICATION = {"Bank": "Asset", "Accounts Receivable": "Asset", "Other Current Asset": "Asset",
                   "Fixed Asset": "Asset", "Other Asset": "Asset", "Accounts Payable": "Liability",
                   "Credit Card": "Liability", "Other Current Liability": "Liability",
                   "Long Term Liability": "Liability", "Equity": "Equity", "Income": "Revenue",
                   "Other Income": "Revenue", "Cost of Goods Sold": "Expense", "Expense": "Expense",
                   "Other Expense": "Expense"}
#: Where each account type sits in the reports (section groups, outermost first).
_SECTIONS = {
    "Bank": ("TotalAssets", "CurrentAssets", "BankAccounts"),
    "Accounts Receivable": ("TotalAssets", "CurrentAssets", "AR"),
    "Other Current Asset": ("TotalAssets", "CurrentAssets", "OtherCurrentAssets"),
    "Fixed Asset": ("TotalAssets", "FixedAssets"),
    "Other Asset": ("TotalAssets", "OtherAssets"),
    "Accounts Payable": ("TotalLiabilitiesAndEquity", "Liabilities", "CurrentLiabilities", "AP"),
    "Other Current Liability": ("TotalLiabilitiesAndEquity", "Liabilities", "CurrentLiabilities",
                                "OtherCurrentLiabilities"),
    "Long Term Liability": ("TotalLiabilitiesAndEquity", "Liabilities", "LongTermLiabilities"),
    "Equity": ("TotalLiabilitiesAndEquity", "Equity"),
    "Income": ("Income",), "Cost of Goods Sold": ("COGS",), "Expense": ("Expenses",),
    "Other Income": ("OtherIncome",), "Other Expense": ("OtherExpenses",),
}
_TITLES = {"TotalAssets": "ACTIF", "CurrentAssets": "Actif circulant", "BankAccounts": "Comptes bancaires",
           "AR": "Créances clients", "OtherCurrentAssets": "Autres actifs circulants", "FixedAssets": "Immobilisations",
           "OtherAssets": "Autres actifs", "TotalLiabilitiesAndEquity": "PASSIF ET CAPITAUX PROPRES",
           "Liabilities": "Dettes", "CurrentLiabilities": "Dettes à court terme", "AP": "Dettes fournisseurs",
           "OtherCurrentLiabilities": "Autres dettes à court terme", "LongTermLiabilities": "Dettes à long terme",
           "Equity": "Capitaux propres", "Income": "Produits", "COGS": "Coût des ventes", "Expenses": "Charges",
           "OtherIncome": "Autres produits", "OtherExpenses": "Autres charges"}
#: Parent accounts of the P&L (no number, no posting): prefix → (id, name, parent id).
_PARENTS = {"60": ("9060", "Achats", None), "61": ("9061", "Services extérieurs", "9100"),
            "62": ("9062", "Autres services extérieurs", "9100"), "64": ("9064", "Charges de personnel", None),
            "70": ("9070", "Ventes", None)}
_SUPER = {"9100": "Charges externes"}
_CREDIT_TYPES = {"Liability", "Equity", "Revenue"}


def _fmt(cents: int) -> str:
    return "" if cents == 0 else f"{Decimal(cents).scaleb(-2):.2f}"


def _num(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class QuickBooksEmulator(Emulator):
    """The demo company in QuickBooks Online shapes, with the contract's traps (see module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.realm = "9341453050298375"
        self.client_id = "emu-" + secrets.token_hex(8)
        self.client_secret = secrets.token_hex(16)
        self.skew = 0.0
        #: the clock of :meth:`now` (tests may give a fake one)
        self.clock: Callable[[], float] = time.time
        self.limit_per_minute = 500
        #: Intuit's 10 requests a second per realm, enforced when set (tests and the benchmark)
        self.limit_per_second: int | None = None
        self.max_concurrent = 10
        #: how many requests the rate limits refused
        self.throttled = 0
        #: longest span of a monthly report: Intuit advises six months per request; this
        #: emulator is stricter and refuses more (400 ValidationFault), so a client asking
        #: longer spans fails the tests (``None``: no limit)
        self.max_report_months: int | None = 6
        #: ``"metadata"``: month columns carry ``StartDate``/``EndDate`` metadata and English
        #: titles (« Jan 2026 »); ``"french"``: no metadata and French titles (« janv. 2026 »),
        #: as a company set up in French may show them
        self.column_titles = "metadata"
        self._times: deque[float] = deque()
        self._second: deque[float] = deque()
        self._in_flight = 0
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._expire_after: int | None = None
        #: token-endpoint calls still to answer with this status *after* rotating (lost answer)
        self._lost_answers: list[int] = []
        self._state = threading.Lock()
        #: token-endpoint calls that returned new tokens
        self.refreshes = 0
        self.company_name = "Mécanique de Précision du Rhône"
        if not _SHARED:  # the demo company is converted once per test session (read-only afterwards)
            self._balances: dict[tuple[str, Month], int] = {}
            self._profits: dict[Month, int] = {}
            self._load()
            _SHARED.update({name: getattr(self, name) for name in _SHARED_NAMES})
        self.__dict__.update(_SHARED)

    # -- controls ---------------------------------------------------------------------------
    def now(self) -> float:
        """The emulator's clock (seconds; :meth:`advance` moves it)."""
        return self.clock() + self.skew

    def advance(self, seconds: float) -> None:
        """Move the clock forward (token expiry, throttle window)."""
        self.skew += seconds

    def renumber(self, numbers: dict[str, str | None], extra: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
        """This emulator only: give the accounts of these PCG numbers another ``AcctNum``
        (``"512BNP"``; ``None``: no number, as QuickBooks allows) and add the ``extra``
        accounts (without amounts); the shared demo accounts are copied, not changed."""
        copies = {item["Id"]: dict(item) for item in self.accounts}
        for number, item in self.by_number.items():
            if number in numbers:
                if numbers[number] is None:
                    copies[item["Id"]].pop("AcctNum", None)
                else:
                    copies[item["Id"]]["AcctNum"] = numbers[number]
        self.accounts = [*copies.values(), *extra]
        self.by_number = {number: copies[item["Id"]] for number, item in self.by_number.items()}
        self.by_id = {a["Id"]: a for a in self.accounts}
        self.entities = {**self.entities, "Account": self.accounts}

    def issue_tokens(self) -> dict[str, Any]:
        """A fresh token response, as after the user connected the app (for the first token file)."""
        with self._state:
            return self._issue()

    def expire_token_after(self, calls: int) -> None:
        """The access tokens in use expire after ``calls`` more API calls (mid-fetch expiry)."""
        self._expire_after = calls

    def lose_refresh_answer(self, status: int = 502, times: int = 1) -> None:
        """The next ``times`` refreshes rotate the tokens, then answer ``status`` (a proxy's
        5xx after the server acted): the new tokens never reach the client."""
        with self._state:
            self._lost_answers.extend([status] * times)

    def revoke(self) -> None:
        """The user disconnected the app: every token is refused (``invalid_grant``, 401)."""
        with self._state:
            self._access.clear()
            self._refresh.clear()

    def _issue(self) -> dict[str, Any]:
        access, refresh = "eyJ" + secrets.token_urlsafe(48), "AB11" + secrets.token_urlsafe(30)
        self._access[access] = self.now() + 3600
        self._refresh.add(refresh)
        return {"token_type": "bearer", "expires_in": 3600, "refresh_token": refresh,
                "x_refresh_token_expires_in": 8726400, "access_token": access}

    # -- dispatch ---------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Route the token endpoint and the company API."""
        if request.path == "/oauth2/v1/tokens/bearer" and request.method == "POST":
            return self._token(request)
        found = re.fullmatch(r"/v3/company/([^/]+)/(.+)", request.path)
        if not found:
            return Response(404, {"error": "not found"})
        denied = self._authorize(request, found.group(1))
        if denied is not None:
            return denied
        with self._state:
            self._in_flight += 1
        try:
            return self._api(request, found.group(2))
        finally:
            with self._state:
                self._in_flight -= 1

    def _token(self, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.header("authorization") != expected:
            return Response(401, {"error": "invalid_client"})
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return Response(400, {"error": "unsupported_grant_type"})
        with self._state:
            token = form.get("refresh_token", "")
            if token not in self._refresh:
                return Response(400, {"error": "invalid_grant", "error_description": f"Incorrect Token type or "
                                                                                       f"clientID {token[:12]}"})
            self._refresh.discard(token)  # rotation: the old refresh token dies
            self.refreshes += 1
            issued = self._issue()
            if self._lost_answers:
                return Response(self._lost_answers.pop(0), "<html>502 Bad Gateway</html>")
            return Response(200, issued)

    def _authorize(self, request: Request, realm: str) -> Response | None:
        header = request.header("authorization") or ""
        token = header[7:] if header.startswith("Bearer ") else ""
        with self._state:
            if self._expire_after is not None:
                if self._expire_after <= 0:
                    self._access = {t: min(e, self.now() - 1) for t, e in self._access.items()}
                    self._expire_after = None
                else:
                    self._expire_after -= 1
            valid = token in self._access and self._access[token] > self.now()
            if valid:
                now = self.now()
                while self._times and now - self._times[0] >= 60:
                    self._times.popleft()
                while self._second and now - self._second[0] >= 1:
                    self._second.popleft()
                if (len(self._times) >= self.limit_per_minute or self._in_flight >= self.max_concurrent
                        or (self.limit_per_second is not None and len(self._second) >= self.limit_per_second)):
                    self.throttled += 1
                    return throttled()
                self._times.append(now)
                self._second.append(now)
        if not valid:
            return _lower_fault(401, "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                                f"Token expired: {token[:40]}", "3200", "AUTHENTICATION")
        if realm != self.realm:
            return _lower_fault(403, "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                                "", "3100", "SERVICE")
        return None

    def _api(self, request: Request, path: str) -> Response:
        if "application/json" not in (request.header("accept") or ""):
            return Response(200, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse '
                                 'xmlns="http://schema.intuit.com/finance/v3"/>', {"Content-Type": "application/xml"})
        headers = {"intuit_tid": secrets.token_hex(12), "QBO-Version": "1997.124"}
        if path == "query":
            text = request.arg("query") if request.method == "GET" else request.body.decode("utf-8")
            response = self.query(text or "")
        elif path == f"companyinfo/{self.realm}":
            response = Response(200, {"CompanyInfo": self.company_info, "time": _stamp()})
        elif path.startswith("reports/"):
            response = self.report(path[8:], {k: v[0] for k, v in request.query.items()})
        else:
            response = Response(404, {"Fault": {"Error": [{"Message": "Resource not found", "code": "610"}],
                                                "type": "ValidationFault"}})
        response.headers.update(headers)
        return response

    # -- the data ---------------------------------------------------------------------------
    def _load(self) -> None:
        data = demo_datasets()
        entries = data["entries"]
        opening = entries["journal"] == "AN"
        net = entries.assign(m=entries["date"].dt.year * 12 + entries["date"].dt.month - 1,
                             net=entries["debit"] - entries["credit"])
        self.opening = {a: int(v) for a, v in net[opening].groupby("account")["net"].sum().items()}
        moves = net[~opening].groupby(["account", "m"])["net"].sum()
        self.monthly: dict[str, dict[Month, int]] = {}
        for (account, index), value in moves.items():
            self.monthly.setdefault(str(account), {})[Month(int(index) // 12, int(index) % 12 + 1)] = int(value)
        labels = entries.drop_duplicates("account").set_index("account")["account_label"].to_dict()
        final = {a: self.opening.get(a, 0) + sum(self.monthly.get(a, {}).values()) for a in labels}
        self.accounts: list[dict[str, Any]] = []
        self.by_number: dict[str, dict[str, Any]] = {}
        for prefix, (ident, name, parent) in sorted(_PARENTS.items()):
            kind = "Income" if prefix[0] == "7" else "Cost of Goods Sold" if prefix == "60" else "Expense"
            self.accounts.append(self._account(ident, name, "", kind, "OtherMiscellaneousServiceCost", parent))
        for ident, name in _SUPER.items():
            self.accounts.append(self._account(ident, name, "", "Expense", "OtherMiscellaneousServiceCost", None))
        for index, account in enumerate(sorted(labels), start=1):
            kind, subtype = _qbo_type(account, final[account])
            parent = _PARENTS.get(account[:2], (None,))[0] if account[0] in "67" else None
            if account in ("355000", "404000"):  # sub-accounts of accounts that have their own balance
                parent = self.by_number["310000" if account == "355000" else "401000"]["Id"]
            item = self._account(str(index), labels[account], account, kind, subtype, parent)
            item["Active"] = account != "616000"  # archived, yet in the reports of its years
            self.accounts.append(item)
            self.by_number[account] = item
        self.parents = {a["Id"]: a["ParentRef"]["value"] for a in self.accounts if a.get("ParentRef")}
        self.by_id = {a["Id"]: a for a in self.accounts}
        self.company_info = {"Id": "1", "CompanyName": self.company_name, "LegalName": self.company_name,
                             "Country": "FR", "FiscalYearStartMonth": "January",
                             "CompanyAddr": {"City": "Villeurbanne", "PostalCode": "69100", "Country": "FR"}}
        self.entities: dict[str, list[dict[str, Any]]] = {"Account": self.accounts, "CreditMemo": [],
                                                           "VendorCredit": []}
        self._documents(data["invoices"])
        self._journal_entries(entries[entries["journal"] == "OD"])

    def _journal_entries(self, moves: pd.DataFrame) -> None:
        """The demo's miscellaneous entries (payroll, VAT returns, depreciation, stock) as
        ``JournalEntry`` objects, the way an accountant books them in a French QuickBooks company."""
        journal = []
        for number, (entry_id, lines) in enumerate(moves.groupby("entry_id", sort=True), start=1):
            journal.append({
                "Id": str(500000 + number), "SyncToken": "0", "DocNumber": str(entry_id),
                "TxnDate": f"{lines['date'].iloc[0]:%Y-%m-%d}", "CurrencyRef": {"value": "EUR", "name": "Euro"},
                "Line": [{"Id": str(index), "Description": str(line.label), "Amount": _num(int(line.debit or line.credit)),
                          "DetailType": "JournalEntryLineDetail",
                          "JournalEntryLineDetail": {"PostingType": "Debit" if line.debit else "Credit",
                                                     "AccountRef": {"value": self.by_number[line.account]["Id"],
                                                                    "name": self.by_number[line.account]["Name"]}}}
                         for index, line in enumerate(lines.itertuples(index=False)) if line.debit or line.credit],
            })
        self.entities["JournalEntry"] = journal

    @staticmethod
    def _account(ident: str, name: str, number: str, kind: str, subtype: str, parent: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {"Id": ident, "Name": name, "FullyQualifiedName": name, "AccountType": kind,
                                "AccountSubType": subtype, "Classification": _CLASSIFICATION[kind], "Active": True,
                                "SubAccount": parent is not None, "CurrentBalance": 0, "SyncToken": "0",
                                "CurrencyRef": {"value": "EUR", "name": "Euro"}}
        if number:
            item["AcctNum"] = number
        if parent is not None:
            item["ParentRef"] = {"value": parent}
        return item

    def _documents(self, invoices: pd.DataFrame) -> None:
        parties: dict[tuple[str, str], str] = {}
        classes: dict[str, str] = {}
        items: dict[str, str] = {}
        sales, bills, payments, bill_payments = [], [], [], []
        settle: dict[tuple[str, str, str], list[tuple[str, Decimal]]] = {}
        for n, row in enumerate(invoices.itertuples(index=False), start=1):
            ident = str(1000 + n)
            key = (row.kind, row.counterparty_id)
            party = parties.setdefault(key, str(len(parties) + 1))
            ht, ttc = int(row.amount_excl_tax), int(row.amount_incl_tax)
            doc: dict[str, Any] = {
                "Id": ident, "SyncToken": "0", "DocNumber": row.number, "TxnDate": f"{row.issue_date:%Y-%m-%d}",
                "DueDate": f"{row.due_date:%Y-%m-%d}", "TotalAmt": _num(ttc),
                "Balance": _num(0 if pd.notna(row.paid_date) else ttc),
                "TxnTaxDetail": {"TotalTax": _num(ttc - ht)}, "CurrencyRef": {"value": "EUR", "name": "Euro"},
                "GlobalTaxCalculation": "TaxExcluded",
            }
            if row.kind == "sale":
                discount = int(row.discount)
                detail: dict[str, Any] = {"ItemRef": {"value": items.setdefault(row.product, str(len(items) + 1)),
                                                      "name": row.product}}
                if pd.notna(row.quantity):
                    detail.update(Qty=Decimal(int(row.quantity)), UnitPrice=_num(int(row.unit_price)))
                doc["ARAccountRef"] = {"value": self.by_number["411000"]["Id"], "name": "Clients"}
                doc.update(CustomerRef={"value": party, "name": row.counterparty}, Line=[
                    {"Id": "1", "LineNum": 1, "Amount": _num(ht + discount), "DetailType": "SalesItemLineDetail",
                     "SalesItemLineDetail": detail},
                    {"Amount": _num(ht + discount), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
                ] + ([{"Amount": _num(discount), "DetailType": "DiscountLineDetail",
                       "DiscountLineDetail": {"PercentBased": False}}] if discount else []))
                if row.segment:
                    doc["ClassRef"] = {"value": classes.setdefault(row.segment, str(len(classes) + 1)),
                                       "name": row.segment}
                if row.deal_id:
                    doc["CustomField"] = [{"DefinitionId": "1", "Name": "Affaire", "Type": "StringType",
                                           "StringValue": row.deal_id}]
                sales.append(doc)
            else:
                payable = "404000" if row.number.startswith("FI") else "401000"  # fixed-asset supplier
                doc["APAccountRef"] = {"value": self.by_number[payable]["Id"], "name": self.by_number[payable]["Name"]}
                doc.update(VendorRef={"value": party, "name": row.counterparty}, Line=[
                    {"Id": "1", "Amount": _num(ht), "DetailType": "AccountBasedExpenseLineDetail",
                     "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "1"}}}])
                bills.append(doc)
            if pd.notna(row.paid_date):
                paid, issued = row.paid_date.date(), row.issue_date.date()
                parts = [(paid, ttc)]
                if row.number.endswith("5") and (paid - issued).days >= 2 and ttc > 1 and paid.year < 2026:
                    first = issued + (paid - issued) // 2
                    parts = [(first, ttc // 2), (paid, ttc - ttc // 2)]
                for day, amount in parts:
                    settle.setdefault((row.kind, party, f"{day:%Y-%m-%d}"), []).append((ident, _num(amount)))
        for (kind, party, day), lines in sorted(settle.items(), key=lambda item: item[0][2]):
            target = payments if kind == "sale" else bill_payments
            txn = "Invoice" if kind == "sale" else "Bill"
            payment: dict[str, Any] = {
                "Id": str(100000 + len(payments) + len(bill_payments)), "TxnDate": day,
                "TotalAmt": sum((a for _, a in lines), Decimal(0)),
                "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": ident, "TxnType": txn}]} for ident, amount in lines],
            }
            payment["CustomerRef" if kind == "sale" else "VendorRef"] = {"value": party}
            target.append(payment)
        self.entities.update(Invoice=sales, Bill=bills, Payment=payments, BillPayment=bill_payments)
        self.invoices = invoices
        self.parties = parties

    # -- query endpoint ---------------------------------------------------------------------
    _QUERY = re.compile(
        r"^\s*SELECT\s+(?P<what>\*|COUNT\(\*\))\s+FROM\s+(?P<entity>\w+)(?:\s+WHERE\s+(?P<where>.+?))?"
        r"(?:\s+ORDERBY\s+(?P<order>\w+)(?:\s+(?P<dir>ASC|DESC))?)?(?:\s+STARTPOSITION\s+(?P<start>\d+))?"
        r"(?:\s+MAXRESULTS\s+(?P<max>\d+))?\s*$", re.IGNORECASE | re.DOTALL)
    _CONDITION = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op><=|>=|=|<|>|\bIN\b|\bLIKE\b)\s*(?P<value>.+?)\s*$", re.IGNORECASE)

    def query(self, text: str) -> Response:
        """Answer one query statement."""
        found = self._QUERY.match(text)
        entity = found.group("entity") if found else ""
        if not found or entity not in self.entities:
            return _validation("Error parsing query", f"QueryParserError: Encountered \" <IDENTIFIER> \"{entity or text[:30]} \"\"",
                               "4000")
        size = int(found.group("max") or 100)
        if size > 1000:
            return _validation("Error parsing query", f"QueryValidationError: value {size} is too large. Max allowed "
                               "value is 1000", "4001")
        conditions = [self._CONDITION.match(c) for c in re.split(r"\s+AND\s+", found.group("where") or "", flags=re.IGNORECASE)
                      if c.strip()]
        if any(c is None for c in conditions):
            return _validation("Error parsing query", "QueryParserError: invalid WHERE clause", "4000")
        rows = self.entities[entity]
        if entity == "Account" and not any(c.group("field") == "Active" for c in conditions if c):
            rows = [r for r in rows if r["Active"]]
        rows = [r for r in rows if all(_matches(r, c.group("field"), c.group("op").upper(), c.group("value"))
                                       for c in conditions if c)]
        order = found.group("order")
        if order:
            rows = sorted(rows, key=lambda r: _sort_key(r.get(order)), reverse=(found.group("dir") or "").upper() == "DESC")
        if found.group("what").upper() != "*":
            return Response(200, _jsonable({"QueryResponse": {"totalCount": len(rows)}, "time": _stamp()}))
        start = int(found.group("start") or 1)
        page = rows[start - 1:start - 1 + size]
        answer: dict[str, Any] = {}
        if page:
            answer = {entity: page, "startPosition": start, "maxResults": len(page)}
        return Response(200, _jsonable({"QueryResponse": answer, "time": _stamp()}))

    # -- reports ----------------------------------------------------------------------------
    def balance(self, account: str, month: Month) -> int:
        """Debit-positive balance at the end of ``month`` as QuickBooks shows it (closed years in 110000)."""
        key = (account, month)
        if key not in self._balances:
            self._balances[key] = self._balance(account, month)
        return self._balances[key]

    def _balance(self, account: str, month: Month) -> int:
        if month < FIRST_OPENING:
            return 0
        total = self.opening.get(account, 0) + sum(v for m, v in self.monthly.get(account, {}).items() if m <= month)
        if self.by_number[account]["AccountSubType"] == "RetainedEarnings":
            total += sum(self.profit(m) for m in self._months_before(Month(month.year, 1)))
        return total

    def profit(self, month: Month) -> int:
        """The month's result, debit-positive (a profit is negative)."""
        if month not in self._profits:
            self._profits[month] = sum(v.get(month, 0) for a, v in self.monthly.items() if a[0] in "67")
        return self._profits[month]

    def _months_before(self, month: Month) -> list[Month]:
        return sorted({m for v in self.monthly.values() for m in v if m < month})

    def report(self, name: str, params: dict[str, str]) -> Response:
        """Build one report from the ledger."""
        builders: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "ProfitAndLoss": self._profit_and_loss, "BalanceSheet": self._balance_sheet, "CashFlow": self._cash_flow,
            "AgedReceivables": lambda p: self._aged(p, "sale"), "AgedPayables": lambda p: self._aged(p, "purchase")}
        if name not in builders:
            return _validation("Invalid report name", f"Report {name} is not supported", "2020")
        try:
            return Response(200, builders[name](params))
        except ValueError as exc:
            return _validation("Invalid date", str(exc), "2010")

    def _columns(self, params: dict[str, str]) -> list[Month | None]:
        start = Month.of(dt.date.fromisoformat(params["start_date"]))
        end = Month.of(dt.date.fromisoformat(params["end_date"]))
        if params.get("summarize_column_by", "Total") != "Month":
            raise ValueError("this emulator answers summarize_column_by=Month only")
        if self.max_report_months is not None and end - start + 1 > self.max_report_months:
            raise ValueError(f"the report spans {end - start + 1} months; ask at most {self.max_report_months} "
                             "months per report request")
        return [start.shift(i) for i in range(end - start + 1)]

    def _body(self, name: str, params: dict[str, str], months: list[Month | None], rows: list[Any],
              has_data: bool, total: bool = True) -> dict[str, Any]:
        columns = [{"ColTitle": "", "ColType": "Account", "MetaData": [{"Name": "ColKey", "Value": "account"}]}]
        french = self.column_titles == "french"
        for month in months:
            assert month is not None
            if french:
                columns.append({"ColTitle": f"{_MOIS_ABBR[month.month - 1]} {month.year}", "ColType": "Money"})
                continue
            title = f"{_MONTH_ABBR[month.month - 1]} {month.year}"
            columns.append({"ColTitle": title, "ColType": "Money", "MetaData": [
                {"Name": "StartDate", "Value": month.first_day.isoformat()},
                {"Name": "EndDate", "Value": month.last_day.isoformat()}, {"Name": "ColKey", "Value": title}]})
        if total:
            columns.append({"ColTitle": "Total", "ColType": "Money"} if french else
                           {"ColTitle": "Total", "ColType": "Money", "MetaData": [{"Name": "ColKey", "Value": "total"}]})
        header = {"Time": _stamp(), "ReportName": name, "ReportBasis": params.get("accounting_method", "Accrual"),
                  "StartPeriod": params.get("start_date"), "EndPeriod": params.get("end_date"),
                  "SummarizeColumnsBy": "Month", "Currency": "EUR",
                  "Option": [{"Name": "AccountingStandard", "Value": "FR"},
                             {"Name": "NoReportData", "Value": "false" if has_data else "true"}]}
        return {"Header": header, "Columns": {"Column": columns}, "Rows": {"Row": rows}}

    def _tree(self, accounts: list[str], values: Callable[[str], list[int]], groups: tuple[str, ...],
              total: bool) -> tuple[list[Any], list[int]]:
        """Rows of the section ``groups`` (sub-sections, then accounts nested under parents) and its totals."""
        inside = [a for a in accounts if _SECTIONS[self.by_number[a]["AccountType"]][:len(groups)] == groups]
        rows: list[Any] = []
        sums: list[int] = []
        children = sorted({_SECTIONS[self.by_number[a]["AccountType"]][len(groups)] for a in inside
                           if len(_SECTIONS[self.by_number[a]["AccountType"]]) > len(groups)})
        for child in children:
            inner, inner_sums = self._tree(inside, values, groups + (child,), total)
            rows.append(self._section(child, inner, inner_sums, total))
            sums = _add(sums, inner_sums)
        direct = {self.by_number[a]["Id"]: a for a in inside if len(_SECTIONS[self.by_number[a]["AccountType"]]) == len(groups)}
        nodes = set(direct)
        for ident in direct:
            up = self.parents.get(ident)
            while up is not None:
                nodes.add(up)
                up = self.parents.get(up)
        for ident in sorted(n for n in nodes if self.parents.get(n) not in nodes):
            row, cents = self._node(ident, nodes, direct, values, total)
            rows.append(row)
            sums = _add(sums, cents)
        return rows, sums

    def _node(self, ident: str, nodes: set[str], posting: dict[str, str], values: Callable[[str], list[int]],
              total: bool) -> tuple[dict[str, Any], list[int]]:
        """One account: a data row, or a section holding its sub-accounts (and its own row if it has postings)."""
        children = sorted(n for n in nodes if self.parents.get(n) == ident)
        own = values(posting[ident]) if ident in posting else []
        if not children:
            return self._data(self.by_id[ident], own, total), own
        rows, sums = [], []
        for child in children:
            row, cents = self._node(child, nodes, posting, values, total)
            rows.append(row)
            sums = _add(sums, cents)
        if own:
            rows.append(self._data(self.by_id[ident], own, total))
            sums = _add(sums, own)
        return self._account_section(self.by_id[ident], rows, sums, total), sums

    @staticmethod
    def _cells(cents: list[int], total: bool, force: bool = False) -> list[dict[str, str]]:
        shown = cents + ([sum(cents)] if total else [])
        return [{"value": f"{Decimal(c).scaleb(-2):.2f}" if force else _fmt(c)} for c in shown]

    def _data(self, account: dict[str, Any], cents: list[int], total: bool) -> dict[str, Any]:
        return {"ColData": [{"value": _shown_name(account), "id": account["Id"]}, *self._cells(cents, total)],
                "type": "Data"}

    def _account_section(self, account: dict[str, Any], rows: list[Any], sums: list[int], total: bool) -> dict[str, Any]:
        blank = [{"value": ""} for _ in range(len(sums) + (1 if total else 0))]
        return {"Header": {"ColData": [{"value": _shown_name(account), "id": account["Id"]}, *blank]},
                "Rows": {"Row": rows},
                "Summary": {"ColData": [{"value": f"Total {_shown_name(account)}"}, *self._cells(sums, total, True)]},
                "type": "Section"}

    def _section(self, group: str, rows: list[Any], sums: list[int], total: bool) -> dict[str, Any]:
        title = _TITLES.get(group, group)
        blank = [{"value": ""} for _ in range(len(sums) + (1 if total else 0))]
        return {"Header": {"ColData": [{"value": title}, *blank]}, "Rows": {"Row": rows},
                "Summary": {"ColData": [{"value": f"Total {title}"}, *self._cells(sums, total, True)]},
                "type": "Section", "group": group}

    def _shown(self, account: str, cents: int) -> int:
        """A debit-positive amount as the reports show it (credit-natured accounts negated)."""
        return -cents if self.by_number[account]["Classification"] in _CREDIT_TYPES else cents

    def _profit_and_loss(self, params: dict[str, str]) -> dict[str, Any]:
        months = self._columns(params)
        accounts = [a for a in self.monthly if a[0] in "67" and any(self.monthly[a].get(m) for m in months)]

        def values(account: str) -> list[int]:
            return [self._shown(account, self.monthly[account].get(m, 0)) for m in months]

        rows: list[Any] = []
        sums: dict[str, list[int]] = {}
        for group in ("Income", "COGS", "Expenses", "OtherIncome", "OtherExpenses"):
            inner, sums[group] = self._tree(accounts, values, (group,), True)
            sums[group] = sums[group] or [0] * len(months)
            rows.append(self._section(group, inner, sums[group], True))
        width = len(months)

        def summary(group: str, title: str, cents: list[int]) -> dict[str, Any]:
            return {"Summary": {"ColData": [{"value": title}, *self._cells(cents, True, True)]}, "type": "Section",
                    "group": group}

        gross = _sub(sums["Income"], sums["COGS"], width)
        operating = _sub(gross, sums["Expenses"], width)
        other = _sub(sums["OtherIncome"], sums["OtherExpenses"], width)
        rows.insert(2, summary("GrossProfit", "Marge brute", gross))
        rows.insert(4, summary("NetOperatingIncome", "Résultat d'exploitation", operating))
        rows.append(summary("NetOtherIncome", "Autres produits nets", other))
        rows.append(summary("NetIncome", "Résultat net", _add(operating, other)))
        return self._body("ProfitAndLoss", params, list(months), rows, bool(accounts))

    def _balance_sheet(self, params: dict[str, str]) -> dict[str, Any]:
        months = self._columns(params)
        accounts = [a for a in self.by_number if a[0] in "12345" and any(self.balance(a, m) for m in months)]

        def values(account: str) -> list[int]:
            return [self._shown(account, self.balance(account, m)) for m in months]

        net_income = [-sum(self.profit(k) for k in self._months_before(m.shift(1)) if k >= Month(m.year, 1))
                      for m in months]
        rows = []
        for group in ("TotalAssets", "TotalLiabilitiesAndEquity"):
            inner, sums = self._tree(accounts, values, (group,), False)
            if group == "TotalLiabilitiesAndEquity":
                equity = next((r for r in inner if r.get("group") == "Equity"), None)
                if equity is None:
                    equity = self._section("Equity", [], [0] * len(months), False)
                    inner.append(equity)
                equity["Rows"]["Row"].append({"ColData": [{"value": "Résultat net"},
                                                          *self._cells(net_income, False)],
                                              "type": "Data", "group": "NetIncome"})
                sums = _add(sums, net_income)
                equity_sum = [int(Decimal(c["value"] or 0) * 100) for c in equity["Summary"]["ColData"][1:]]
                equity["Summary"]["ColData"][1:] = self._cells(_add(equity_sum, net_income), False, True)
            rows.append(self._section(group, inner, sums or [0] * len(months), False))
        return self._body("BalanceSheet", params, list(months), rows, bool(accounts), total=False)

    def _cash_flow(self, params: dict[str, str]) -> dict[str, Any]:
        months = self._columns(params)
        cash = [a for a in self.by_number if self.by_number[a]["AccountType"] == "Bank"]

        def effect(kinds: tuple[str, ...]) -> list[Any]:
            rows = []
            for account in sorted(self.by_number):
                item = self.by_number[account]
                if account[0] in "67" or item["AccountType"] not in kinds:
                    continue
                cents = [-self.monthly.get(account, {}).get(m, 0) for m in months]
                if any(cents):
                    rows.append(self._data(item, cents, True))
            return rows

        def total(rows: list[Any]) -> list[int]:
            sums = [0] * len(months)
            for row in rows:
                for i, cell in enumerate(row["ColData"][1:len(months) + 1]):
                    sums[i] += int(Decimal(cell["value"] or 0) * 100)
            return sums

        income = [-self.profit(m) for m in months]
        adjustments = effect(("Accounts Receivable", "Other Current Asset", "Accounts Payable",
                              "Other Current Liability"))
        investing = effect(("Fixed Asset", "Other Asset"))
        financing = effect(("Long Term Liability", "Equity"))
        increase = [sum(self.monthly.get(a, {}).get(m, 0) for a in cash) for m in months]
        begin = [sum(self.balance(a, m.shift(-1)) for a in cash) for m in months]
        operating = {"Header": {"ColData": [{"value": "ACTIVITÉS D'EXPLOITATION"}]},
                     "Rows": {"Row": [{"ColData": [{"value": "Résultat net"}, *self._cells(income, True)], "type": "Data"},
                                      self._section("OperatingAdjustments", adjustments, total(adjustments), True)]},
                     "Summary": {"ColData": [{"value": "Trésorerie nette liée à l'exploitation"},
                                             *self._cells(_add(income, total(adjustments)), True, True)]},
                     "type": "Section", "group": "OperatingActivities"}
        rows = [operating, self._section("InvestingActivities", investing, total(investing), True),
                self._section("FinancingActivities", financing, total(financing), True),
                {"Summary": {"ColData": [{"value": "VARIATION NETTE DE TRÉSORERIE"}, *self._cells(increase, True, True)]},
                 "type": "Section", "group": "CashIncrease"},
                {"ColData": [{"value": "Trésorerie en début de période"}, *self._cells(begin, False, True),
                             {"value": f"{_num(begin[0]):.2f}"}], "type": "Data", "group": "BeginningCash"},
                {"Summary": {"ColData": [{"value": "TRÉSORERIE EN FIN DE PÉRIODE"},
                                         *self._cells(_add(begin, increase), False, True),
                                         {"value": f"{_num(begin[0] + sum(increase)):.2f}"}]},
                 "type": "Section", "group": "EndingCash"}]
        return self._body("CashFlow", params, list(months), rows, any(increase) or any(begin))

    def _aged(self, params: dict[str, str], kind: str) -> dict[str, Any]:
        day = pd.Timestamp(params.get("report_date") or dt.date.today().isoformat())
        frame = self.invoices[(self.invoices["kind"] == kind) & (self.invoices["issue_date"] <= day)]
        frame = frame[frame["paid_date"].isna() | (frame["paid_date"] > day)]
        buckets = ("Courant", "1 - 30", "31 - 60", "61 - 90", "91 et plus")
        rows, grand = [], [0] * 6
        for (party_id, name), group in sorted(frame.groupby(["counterparty_id", "counterparty"])):
            cents = [0] * 5
            for due, amount in zip(group["due_date"], group["amount_incl_tax"]):
                late = (day - due).days
                cents[0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4] += int(amount)
            cents.append(sum(cents))
            grand = [g + c for g, c in zip(grand, cents)]
            rows.append({"ColData": [{"value": name, "id": self.parties[(kind, party_id)]},
                                     *[{"value": _fmt(c)} for c in cents]]})
        rows.append({"Summary": {"ColData": [{"value": "TOTAL"}, *[{"value": f"{_num(c):.2f}"} for c in grand]]},
                     "type": "Section", "group": "GrandTotal"})
        columns = [{"ColTitle": "", "ColType": "Customer" if kind == "sale" else "Vendor"}]
        columns += [{"ColTitle": t, "ColType": "Money"} for t in buckets]
        columns.append({"ColTitle": "Total", "ColType": "Money", "MetaData": [{"Name": "ColKey", "Value": "total"}]})
        name = "AgedReceivables" if kind == "sale" else "AgedPayables"
        header = {"Time": _stamp(), "ReportName": name, "StartPeriod": params.get("report_date"),
                  "EndPeriod": params.get("report_date"), "Currency": "EUR",
                  "Option": [{"Name": "report_date", "Value": params.get("report_date")},
                             {"Name": "NoReportData", "Value": "false" if len(frame) else "true"}]}
        return {"Header": header, "Columns": {"Column": columns}, "Rows": {"Row": rows}}


def _shown_name(account: dict[str, Any]) -> str:
    """How a report labels an account when account numbers are on: « 401000 Fournisseurs »."""
    return f"{account['AcctNum']} {account['Name']}" if account.get("AcctNum") else account["Name"]


def _add(a: list[int], b: list[int]) -> list[int]:
    if not a:
        return list(b)
    if not b:
        return list(a)
    return [x + y for x, y in zip(a, b)]


def _sub(a: list[int], b: list[int], width: int) -> list[int]:
    return [x - y for x, y in zip(a or [0] * width, b or [0] * width)]


def _sort_key(value: Any) -> tuple[int, Any]:
    text = str(value)
    return (0, int(text)) if text.isdigit() else (1, text)


def _matches(row: dict[str, Any], field: str, op: str, raw: str) -> bool:
    value: Any = row
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if op == "IN":
        options = [_literal(v) for v in raw.strip().strip("()").split(",")]
        return any(_equal(value, o) for o in options)
    target = _literal(raw)
    if op == "LIKE":
        pattern = "^" + re.escape(str(target)).replace("%", ".*") + "$"
        return re.match(pattern, str(value or ""), re.IGNORECASE) is not None
    if op == "=":
        return _equal(value, target)
    left, right = _comparable(value), _comparable(target)
    if left is None or right is None or type(left) is not type(right):
        return False
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


def _literal(raw: str) -> Any:
    text = raw.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _equal(value: Any, target: Any) -> bool:
    if isinstance(value, bool) or isinstance(target, bool):
        return value is target or str(value).lower() == str(target).lower()
    return _comparable(value) == _comparable(target)


def _comparable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    text = str(value)
    try:
        return Decimal(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else text
    except ArithmeticError:
        return text


def _jsonable(value: Any) -> Any:
    """Decimals as JSON numbers (QuickBooks entities carry numbers, not strings); two-decimal
    amounts survive float exactly (the shortest repr gives back the same digits)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
