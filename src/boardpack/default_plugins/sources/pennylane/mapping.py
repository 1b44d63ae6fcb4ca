"""Pennylane's answers mapped onto the canonical datasets: the chart of accounts, ledger lines to
``entries``, invoices to ``invoices`` (paid dates from the lettering), and the trial-balance
cross-check. Frames of strings, for the schemas to coerce.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from boardpack.api.remote import ApiError, cents
from boardpack.api.remote import amount_text as euros

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

#: path prefix of the Company API v2
API = "/api/external/v2"

__all__ = [
    "API", "ENTRY_COLUMNS", "INVOICE_COLUMNS", "Chart", "date_of", "entries_frame", "invoices_frame", "item_id",
    "payment_dates", "plain_label", "trial_balance_gaps",
]

#: supplier ``payment_status`` values meaning the invoice is settled
_SUPPLIER_PAID = {"fully_paid", "paid_offline", "payment_found", "payment_emitted"}


@dataclass
class Chart:
    """Ledger accounts by id; which are third-party sub-accounts; the general accounts' width."""

    accounts: dict[int, dict[str, Any]]
    tiers: set[int]
    width: int
    labels: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.labels = {str(a.get("number")): a.get("label") or "" for a in self.accounts.values()}

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


ENTRY_COLUMNS = ("date", "journal", "journal_label", "entry_id", "account", "account_label", "aux_account",
                 "aux_label", "piece_ref", "label", "debit", "credit", "lettering", "lettering_date")


def entries_frame(lines: list[dict[str, Any]], all_lines: list[dict[str, Any]], pieces: Mapping[int, dict[str, Any]],
                  journals: Mapping[int, dict[str, Any]], chart: Chart) -> pd.DataFrame:
    """The ``entries`` rows (strings) of ``lines``, in date then id order.

    Lettering: the code is ``L`` + the smallest id of the lettered lines, its date the latest
    date among them (``all_lines`` are the lines read, drafts included).
    """
    dates = {ln["id"]: ln["date"] for ln in all_lines}
    rows = []
    for line in sorted(lines, key=lambda ln: (ln["date"], ln["id"])):
        journal = journals.get(item_id(line.get("journal")), {})
        entry_id = item_id(line.get("ledger_entry"))
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


def payment_dates(lines: list[dict[str, Any]], chart: Chart) -> dict[int, str | None]:
    """For each ledger entry with a lettered third-party line: the latest date of the lines
    lettered with it in other entries (its payment), or ``None`` when some of them were not
    read (paid outside the span, i.e. after it)."""
    by_id = {ln["id"]: ln for ln in lines}
    paid: dict[int, str | None] = {}
    for line in lines:
        ids = (line.get("lettered_ledger_entry_lines") or {}).get("ids") or ()
        entry = item_id(line.get("ledger_entry"))
        if not ids or entry is None or item_id(line.get("ledger_account")) not in chart.tiers:
            continue
        others = [i for i in ids if i not in by_id or item_id(by_id[i].get("ledger_entry")) != entry]
        if not others:
            continue
        if any(i not in by_id for i in others):
            paid[entry] = None
        elif paid.get(entry, "") is not None:
            latest = max(by_id[i]["date"] for i in others)
            paid[entry] = max(latest, paid.get(entry) or latest)
    return paid


INVOICE_COLUMNS = ("kind", "number", "counterparty", "counterparty_id", "segment", "product", "issue_date",
                   "due_date", "paid_date", "amount_excl_tax", "amount_incl_tax", "discount", "status", "deal_id",
                   "pennylane_id")


def invoices_frame(sales: list[dict[str, Any]], purchases: list[dict[str, Any]],
                   parties: Mapping[str, Mapping[int, dict[str, Any]]], labels: Mapping[str, Mapping[int, str]],
                   payments: Mapping[int, str | None], chart: Chart, deal_reference: bool = False) -> pd.DataFrame:
    """The ``invoices`` rows (strings): sales then purchases, each in date then id order."""
    rows = []
    for kind, party, invoices in (("sale", "customer", sales), ("purchase", "supplier", purchases)):
        for item in sorted(invoices, key=lambda i: (i.get("date") or "", i["id"])):
            who = parties[party].get(item_id(item.get(party)), {})  # type: ignore[arg-type]
            account = chart.accounts.get(item_id(who.get("ledger_account")), {})  # type: ignore[arg-type]
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
    entry = item_id(item.get("ledger_entry"))
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


def trial_balance_gaps(items: list[dict[str, Any]], lines: list[dict[str, Any]], drafts: set[Any], chart: Chart,
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
            if item_id(line.get("ledger_entry")) in drafts:
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


def item_id(link: Any) -> Any:
    return link.get("id") if isinstance(link, Mapping) else None


def date_of(text: Any) -> dt.date | None:
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


def plain_label(label: str) -> str:
    text = label.strip().casefold()
    return text.removesuffix("s")
