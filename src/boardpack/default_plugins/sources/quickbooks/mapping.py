"""From QuickBooks accounts, reports and entities to the canonical datasets.

* :func:`ledger_entries` turns the monthly ProfitAndLoss and BalanceSheet into the ``entries``
  dataset: an opening entry (journal ``AN``) from the balance sheet before the first month,
  then one balanced entry per month (journal ``QBO``), each account's net movement split
  into the debits and credits the documents show (:func:`gross_flows`, :func:`journal_flows`). Accounts are the PCG digits that
  ``Account.AcctNum`` starts with (``512BNP`` → ``512``), else taken from :data:`FALLBACK` by
  account type, else the suspense account (a finding names it).
* :func:`invoice_rows` turns invoices, credit memos, bills and vendor credits, with the
  payments that settle them, into the ``invoices`` dataset.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boardpack.api.errors import DataError
from boardpack.api.periods import Month
from boardpack.api.remote import amount_text as euros
from boardpack.api.remote import cents

from .client import Finding
from .reports import Report

__all__ = ["FALLBACK", "SUSPENSE", "Account", "account_amounts", "accounts_by_id", "gross_flows", "invoice_rows",
           "journal_flows", "ledger_entries", "pcg_digits"]

log = logging.getLogger("boardpack.sources.quickbooks")


# ----------------------------------------------------------------------------- accounts

#: AccountType (spaces removed) → PCG account, with AccountSubType overrides, for accounts
#: without a PCG number in ``AcctNum``. Documented in docs/sources/quickbooks.md.
FALLBACK: dict[str, tuple[str, dict[str, str]]] = {
    "Bank": ("512000", {}),
    "AccountsReceivable": ("411000", {}),
    "OtherCurrentAsset": ("467000", {"Inventory": "310000", "PrepaidExpenses": "486000", "UndepositedFunds": "511000",
                                     "AllowanceForBadDebts": "491000", "EmployeeCashAdvances": "425000"}),
    "FixedAsset": ("215400", {"Land": "211000", "Buildings": "213000", "Vehicles": "218200",
                              "FurnitureAndFixtures": "218400", "AccumulatedDepreciation": "281500"}),
    "OtherAsset": ("275000", {"Goodwill": "207000", "Licenses": "205000",
                              "AccumulatedAmortizationOfOtherAssets": "280500"}),
    "AccountsPayable": ("401000", {}),
    "CreditCard": ("519000", {}),
    "OtherCurrentLiability": ("467000", {"SalesTaxPayable": "445700", "GlobalTaxPayable": "445700",
                                         "PayrollTaxPayable": "431000", "PayrollClearing": "421000",
                                         "DividendsPayable": "457000", "LineOfCredit": "519000"}),
    "LongTermLiability": ("164000", {"ShareholderNotesPayable": "455000"}),
    "Equity": ("101000", {"RetainedEarnings": "110000", "OpeningBalanceEquity": "110000",
                          "PaidInCapitalOrSurplus": "104000", "PartnerContributions": "108000",
                          "PartnerDistributions": "108000", "OwnersEquity": "101000"}),
    "Income": ("706000", {"SalesOfProductIncome": "701000", "DiscountsRefundsGiven": "709000"}),
    "OtherIncome": ("758000", {"InterestEarned": "768000", "DividendIncome": "761000",
                               "GainLossOnSaleOfFixedAssets": "775000"}),
    "CostofGoodsSold": ("607000", {"SuppliesMaterialsCogs": "601000", "CostOfLaborCos": "641000",
                                   "ShippingFreightDeliveryCos": "624100"}),
    "Expense": ("628000", {"AdvertisingPromotional": "623000", "BankCharges": "627000", "Insurance": "616000",
                           "LegalProfessionalFees": "622600", "RentOrLeaseOfBuildings": "613200",
                           "EquipmentRental": "613500", "RepairMaintenance": "615000", "Travel": "625100",
                           "TravelMeals": "625700", "EntertainmentMeals": "625700", "Utilities": "606100",
                           "OfficeGeneralAdministrativeExpenses": "606400", "PayrollExpenses": "641000",
                           "TaxesPaid": "635000", "ShippingFreightDelivery": "624000",
                           "InterestPaid": "661000", "IncomeTaxExpense": "695000"}),
    "OtherExpense": ("658000", {"Depreciation": "681100", "Amortization": "681100",
                                "PenaltiesSettlements": "671200", "ExchangeGainOrLoss": "666000"}),
}
#: Where an account that neither its number nor its type places goes: the suspense account.
SUSPENSE = ("471000", "Compte d'attente")
#: PCG classes an account number may start with, by QuickBooks ``Classification``.
_CLASSES = {"Asset": "2345", "Liability": "145", "Equity": "1", "Revenue": "7", "Expense": "6"}


@dataclass(frozen=True)
class Account:
    """A QuickBooks account and the PCG account it is booked on."""

    id: str
    name: str
    number: str
    account_type: str
    subtype: str
    classification: str

    @property
    def retained_earnings(self) -> bool:
        """Whether QuickBooks closes each fiscal year's result into this account."""
        return self.subtype == "RetainedEarnings"


def _fallback(account_type: str, subtype: str) -> str:
    number, by_subtype = FALLBACK.get(account_type.replace(" ", ""), ("", {}))
    return by_subtype.get(subtype, number)


def pcg_digits(number: str, classification: str) -> str:
    """The PCG account an ``AcctNum`` starts with (``512BNP`` → ``512``, ``411CLI01`` → ``411``,
    ``706000`` → ``706000``), or ``""`` when it starts with no digit of a class its
    ``Classification`` allows (a US ``4000`` for income).

    QuickBooks Online France numbers accounts with 6 to 20 characters starting with the
    master-list (PCG) number; what follows the leading digits tells sub-accounts apart.
    """
    found = re.match(r"\d+", number.strip())
    digits = found.group(0) if found else ""
    if not digits or digits[0] not in _CLASSES.get(classification, "12345678"):
        return ""
    return digits


def accounts_by_id(raw: Iterable[Mapping[str, Any]], use_numbers: bool = True,
                   findings: list[Finding] | None = None) -> dict[str, Account]:
    """The PCG account of each QuickBooks account, never stopping on one it cannot place.

    In order: the leading PCG digits of ``AcctNum`` (:func:`pcg_digits`); else the account's
    type (:data:`FALLBACK`, by ``AccountType`` and ``AccountSubType``); else the suspense
    account :data:`SUSPENSE`, where its amounts stay visible to the suspense check. An
    ``AcctNum`` that starts with no PCG number of its class, and an account placed in
    suspense, are findings (appended to ``findings``; logged as warnings when it is ``None``):
    one listing the numbers set aside, one per account in suspense, each naming the account.
    """
    found: dict[str, Account] = {}
    ignored: list[str] = []
    notes: list[Finding] = []
    for item in raw:
        ident, name = str(item.get("Id", "")), str(item.get("Name") or item.get("FullyQualifiedName") or "")
        account_type, subtype = str(item.get("AccountType") or ""), str(item.get("AccountSubType") or "")
        classification = str(item.get("Classification") or "")
        given = str(item.get("AcctNum") or "").strip() if use_numbers else ""
        number = pcg_digits(given, classification) if given else ""
        if not number:
            number = _fallback(account_type, subtype)
            if given:
                ignored.append(f"« {name} » (Id {ident}, {given}, {classification or 'classe inconnue'}) → "
                               f"{number or SUSPENSE[0]}")
        if not number:
            number = SUSPENSE[0]
            notes.append(Finding("quickbooks_account_unmapped", (
                f"QuickBooks : le compte « {name} » (Id {ident}, type « {account_type or 'absent'} ») n'a ni numéro "
                f"commençant par un compte du PCG ni type connu ; ses montants sont portés au compte d'attente "
                f"{SUSPENSE[0]} ; donnez-lui dans QuickBooks un numéro de compte (AcctNum) commençant par son "
                "compte du PCG")))
        found[ident] = Account(ident, name, number, account_type.replace(" ", ""), subtype, classification)
    if ignored:
        shown = " ; ".join(ignored[:5]) + (f" ; et {len(ignored) - 5} autre(s)" if len(ignored) > 5 else "")
        notes.insert(0, Finding("quickbooks_account_number", (
            f"QuickBooks : {len(ignored)} numéro(s) de compte ne commencent pas par un compte du PCG de leur classe "
            f"et sont remplacés par la correspondance par type de compte : {shown} ; corrigez-les dans "
            "QuickBooks, ou mettez account_numbers = false si le plan n'est pas numéroté selon le PCG")))
    if findings is None:
        for note in notes:
            log.warning("%s", note)
    else:
        findings.extend(notes)
    return found


# ----------------------------------------------------------------------------- entries

#: The top-level sections whose amounts are credits (shown positive when credit).
_CREDIT_GROUPS = {"Income", "OtherIncome", "TotalLiabilitiesAndEquity", "Liabilities", "Equity"}
_DEBIT_GROUPS = {"COGS", "Expenses", "OtherExpenses", "TotalAssets"}
OPENING_JOURNAL = ("AN", "À-nouveaux (bilan d'ouverture QuickBooks)")
MONTHLY_JOURNAL = ("QBO", "QuickBooks (mouvements mensuels)")


def _cents(amount: Decimal) -> int:
    """An amount in cents (exact: see :func:`boardpack.connectors.common.cents`)."""
    return cents(amount, "QuickBooks")


def account_amounts(report: Report, accounts: Mapping[str, Account]) -> tuple[dict[Month, dict[str, int]], dict[Month, int]]:
    """Each account's debit-positive amount per month (cents), and the ``NetIncome`` row (credit-positive).

    Only data rows count (summaries are totals); the sign comes from the top-level section.

    :raises DataError: on a data row without account or outside a known section.
    """
    amounts: dict[Month, dict[str, int]] = {m: {} for m in report.months if m is not None}
    net_income: dict[Month, int] = {m: 0 for m in amounts}
    for row in report.rows:
        if row.summary:
            continue
        if row.group == "NetIncome":
            for month, value in zip(report.months, row.values):
                if month is not None and value is not None:
                    net_income[month] = _cents(value)
            continue
        top = row.groups[0] if row.groups else ""
        if top not in _CREDIT_GROUPS | _DEBIT_GROUPS:
            raise DataError(f"QuickBooks, rapport {report.name} : ligne « {row.label} » hors des sections connues "
                            f"({top or 'aucune section'})")
        if row.account_id is None or row.account_id not in accounts:
            raise DataError(f"QuickBooks, rapport {report.name} : ligne « {row.label} » sans compte connu "
                            f"(Id {row.account_id or 'absent'}) dans la liste des comptes")
        sign = -1 if top in _CREDIT_GROUPS else 1
        for month, value in zip(report.months, row.values):
            if month is not None and value:
                amounts[month][row.account_id] = amounts[month].get(row.account_id, 0) + sign * _cents(value)
    return amounts, net_income


def ledger_entries(pl: Mapping[Month, Mapping[str, int]], balances: Mapping[Month, Mapping[str, int]],
                   net_income: Mapping[Month, int], accounts: Mapping[str, Account],
                   months: list[Month], gross: Mapping[Month, Mapping[str, int]] | None = None,
                   journals: Mapping[Month, Mapping[str, tuple[int, int]]] | None = None) -> list[dict[str, str]]:
    """The ``entries`` rows: an ``AN`` entry from the balances of the month before ``months[0]``,
    then one ``QBO`` entry per month (P&L amounts + balance-sheet movements).

    ``gross`` (from :func:`gross_flows`) splits a receivable or payable account's net
    movement into the month's invoiced amount and the rest (payments), on two lines, so
    that ratios reading the invoiced flow (DSO, DPO) see it. ``journals`` (from
    :func:`journal_flows`) does the same with the debits and credits of the month's journal
    entries (payroll, VAT returns…): an account settled within the month (net pay 421, VAT
    collected 4457) keeps its flows although its net movement is nil. An account's known
    debits and credits are written as they are, the rest of its net movement on its side.

    QuickBooks moves each closed year's result into its retained-earnings account on the
    first day of the next year; that automatic closing (the drop of the ``NetIncome`` row
    not explained by the month's P&L) is taken out of the movement, since our ledger
    carries the result itself. The opening ``NetIncome`` is added to retained earnings.

    :raises DataError: when an entry does not balance (reports that disagree), naming the month.
    """
    retained = next((a for a in accounts.values() if a.retained_earnings), None)
    re_id, re_number, re_label = ((retained.id, retained.number, retained.name) if retained
                                  else ("", "110000", "Report à nouveau"))
    rows: list[dict[str, str]] = []

    def entry(journal: tuple[str, str], entry_id: str, day: dt.date, lines: Mapping[str, int], label: str,
              known: Mapping[str, tuple[int, int]]) -> None:
        gap = sum(lines.values())
        if gap:
            raise DataError(f"QuickBooks : l'écriture {entry_id} tirée des rapports ProfitAndLoss et BalanceSheet "
                            f"n'est pas équilibrée (écart {euros(gap)}) ; les rapports ne concordent pas")
        for ident, amount in sorted(lines.items(), key=lambda item: _number(item[0], accounts, re_number)):
            account = accounts.get(ident)
            for debit, credit in _sides(amount, known.get(ident, (0, 0)) if account else (0, 0)):
                rows.append({
                    "date": day.isoformat(), "journal": journal[0], "journal_label": journal[1], "entry_id": entry_id,
                    "account": account.number if account else re_number,
                    "account_label": account.name if account else re_label,
                    "label": label, "debit": _text(Decimal(debit).scaleb(-2)), "credit": _text(Decimal(credit).scaleb(-2)),
                })

    first = months[0]
    opening = dict(balances.get(first.shift(-1), {}))
    opening[re_id] = opening.get(re_id, 0) - net_income.get(first.shift(-1), 0)
    entry(OPENING_JOURNAL, f"AN-{first}", first.first_day, opening,
          f"Bilan d'ouverture QuickBooks au {first.first_day:%d/%m/%Y}", {})
    for month in months:
        before, after = balances.get(month.shift(-1), {}), balances.get(month, {})
        lines = {ident: after.get(ident, 0) - before.get(ident, 0) for ident in set(before) | set(after)}
        profit = -sum(pl.get(month, {}).values())
        closing = net_income.get(month.shift(-1), 0) + profit - net_income.get(month, 0)
        if closing:
            lines[re_id] = lines.get(re_id, 0) + closing
        for ident, amount in pl.get(month, {}).items():
            lines[ident] = lines.get(ident, 0) + amount
        known = _known(accounts, (gross or {}).get(month, {}), (journals or {}).get(month, {}))
        for ident in known:  # booked then settled within the month: no net movement, two flows
            lines.setdefault(ident, 0)
        sales, sales_known = _sales_entry(accounts, pl.get(month, {}), known, (journals or {}).get(month, {}))
        if sales:
            entry(MONTHLY_JOURNAL, f"QBO-{month}-VT", month.last_day, sales, f"Ventes QuickBooks de {month}", sales_known)
            for ident, amount in sales.items():
                lines[ident] = lines.get(ident, 0) - amount
            known = {ident: (debit - sales_known.get(ident, (0, 0))[0], credit - sales_known.get(ident, (0, 0))[1])
                     for ident, (debit, credit) in known.items()}
            known = {ident: flows for ident, flows in known.items() if flows != (0, 0)}
        if any(lines.values()) or known:
            entry(MONTHLY_JOURNAL, f"QBO-{month}", month.last_day, lines, f"Mouvements QuickBooks de {month}", known)
    return rows


def _sales_entry(accounts: Mapping[str, Account], pl: Mapping[str, int], known: Mapping[str, tuple[int, int]],
                 journal: Mapping[str, tuple[int, int]]) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """The month's sales as their own balanced entry, so that ratios reading the sales entries (the
    DSO's sales incl. VAT: customer lines of the entries moving a 70 account) see the invoiced
    amounts and not the month's collections: the revenue accounts (70) as the P&L gives them, the
    VAT collected (4457) and the invoiced TTC on the receivable accounts as the documents show
    them; what the documents do not explain stays on the first receivable account. Empty when
    the month has no revenue or no invoiced receivable."""
    revenue = {ident: amount for ident, amount in pl.items()
               if ident in accounts and accounts[ident].number.startswith("70") and amount}
    receivable = [ident for ident in sorted(known) if ident in accounts and known[ident][0]
                  and accounts[ident].account_type == "AccountsReceivable"]
    vat_documented = any(ident in accounts and accounts[ident].number.startswith(("4456", "4457")) for ident in journal)
    if not revenue or not receivable or not vat_documented:
        return {}, {}
    lines = dict(revenue)
    flows: dict[str, tuple[int, int]] = {}
    for ident in receivable:
        lines[ident] = known[ident][0]
        flows[ident] = (known[ident][0], 0)
    gap = sum(lines.values())  # the VAT invoiced: TTC on the customers less the revenue
    vat = sorted(ident for ident in accounts if accounts[ident].number.startswith("4457"))
    if gap:
        lines[vat[0] if vat else receivable[0]] = lines.get(vat[0] if vat else receivable[0], 0) - gap
    return lines, flows


def _known(accounts: Mapping[str, Account], invoiced: Mapping[str, int],
           journal: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The (debit, credit) a month's documents show on each account: journal entries, plus the
    invoiced TTC at the debit of a receivable account and the billed TTC at the credit of a payable one."""
    known = {ident: (debit, credit) for ident, (debit, credit) in journal.items() if ident in accounts and (debit or credit)}
    for ident, amount in invoiced.items():
        if amount <= 0 or ident not in accounts:
            continue
        debit, credit = known.get(ident, (0, 0))
        receivable = accounts[ident].account_type == "AccountsReceivable"
        known[ident] = (debit + amount, credit) if receivable else (debit, credit + amount)
    return known


def _sides(net: int, known: tuple[int, int]) -> list[tuple[int, int]]:
    """(debit, credit) lines of a net movement: the ``known`` debit and credit, the rest of the
    net movement added to its side; a single line when nothing is known."""
    debit, credit = known
    if not debit and not credit:
        return [(max(net, 0), max(-net, 0))] if net else []
    rest = net - (debit - credit)
    debit, credit = debit + max(rest, 0), credit + max(-rest, 0)
    lines = [(debit, 0), (0, credit)] if known[0] else [(0, credit), (debit, 0)]
    return [line for line in lines if line != (0, 0)]


def gross_flows(entities: Mapping[str, list[dict[str, Any]]], accounts: Mapping[str, Account]) -> dict[Month, dict[str, int]]:
    """Invoiced TTC per month on each receivable account (``Invoice``) and billed TTC on each
    payable account (``Bill``), in cents: the account of ``ARAccountRef``/``APAccountRef``,
    else the only account of that type (documents of an ambiguous account are left out)."""
    flows: dict[Month, dict[str, int]] = {}
    for name, key, account_type in (("Invoice", "ARAccountRef", "AccountsReceivable"),
                                    ("Bill", "APAccountRef", "AccountsPayable")):
        only = [a.id for a in accounts.values() if a.account_type == account_type]
        for document in entities.get(name, []):
            ident = _ref(document, key)[0] or (only[0] if len(only) == 1 else "")
            day = str(document.get("TxnDate") or "")
            if ident not in accounts or not day:
                continue
            month = Month.of(dt.date.fromisoformat(day))
            flows.setdefault(month, {})[ident] = flows.get(month, {}).get(ident, 0) + _cents(_money(document.get("TotalAmt")))
    return flows


def journal_flows(journal_entries: Iterable[Mapping[str, Any]],
                  accounts: Mapping[str, Account]) -> dict[Month, dict[str, tuple[int, int]]]:
    """Debits and credits (cents) per month on each account of the ``JournalEntry`` lines
    (``JournalEntryLineDetail``: ``PostingType`` and ``AccountRef``).

    :raises DataError: on a line whose posting type is neither ``Debit`` nor ``Credit``, or
        whose account is not in the chart of accounts, naming the entry.
    """
    flows: dict[Month, dict[str, tuple[int, int]]] = {}
    for item in journal_entries:
        day = str(item.get("TxnDate") or "")
        name = str(item.get("DocNumber") or item.get("Id") or "")
        if not day:
            raise DataError(f"QuickBooks : l'écriture de journal (JournalEntry) {name} n'a pas de date (TxnDate)")
        month = Month.of(dt.date.fromisoformat(day))
        for line in item.get("Line") or []:
            if line.get("DetailType") != "JournalEntryLineDetail":
                continue
            detail = line.get("JournalEntryLineDetail") or {}
            posting, ident = str(detail.get("PostingType") or ""), _ref(detail, "AccountRef")[0]
            if posting not in ("Debit", "Credit") or ident not in accounts:
                raise DataError(f"QuickBooks : l'écriture de journal (JournalEntry) {name} du {day} a une ligne "
                                f"sans sens Debit/Credit ou sans compte connu (PostingType « {posting or 'absent'} », "
                                f"AccountRef {ident or 'absent'})")
            amount = _cents(_money(line.get("Amount")))
            debit, credit = flows.setdefault(month, {}).get(ident, (0, 0))
            flows[month][ident] = (debit + amount, credit) if posting == "Debit" else (debit, credit + amount)
    return flows


def _number(ident: str, accounts: Mapping[str, Account], default: str) -> tuple[str, str]:
    account = accounts.get(ident)
    return (account.number if account else default, ident)


# ----------------------------------------------------------------------------- invoices


def _money(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    if isinstance(value, float):  # never produced with parse_float=Decimal; refused rather than rounded
        raise DataError("QuickBooks : montant lu comme nombre flottant")
    return Decimal(str(value))


def _text(value: Decimal) -> str:
    """An amount in euros as the schemas read it: ``1234.50``."""
    return f"{value:.2f}"


def _ref(entity: Mapping[str, Any], key: str) -> tuple[str, str]:
    ref = entity.get(key) or {}
    return (str(ref.get("value") or ""), str(ref.get("name") or "")) if isinstance(ref, dict) else ("", "")


def paid_dates(payments: Iterable[Mapping[str, Any]], txn_type: str) -> dict[str, str]:
    """The latest payment date of each transaction (``TxnId``) of ``txn_type`` a payment settles."""
    dates: dict[str, str] = {}
    for payment in payments:
        day = str(payment.get("TxnDate") or "")
        for line in payment.get("Line") or []:
            for linked in line.get("LinkedTxn") or []:
                if linked.get("TxnType") == txn_type and day:
                    ident = str(linked.get("TxnId"))
                    dates[ident] = max(dates.get(ident, day), day)
    return dates


def _invoice(entity: Mapping[str, Any], kind: str, sign: int, paid: Mapping[str, str], deal_field: str,
             findings: list[Finding]) -> dict[str, str]:
    total = _money(entity.get("TotalAmt"))
    tax = _money((entity.get("TxnTaxDetail") or {}).get("TotalTax"))
    balance = _money(entity.get("Balance"))
    party_id, party = _ref(entity, "CustomerRef" if kind == "sale" else "VendorRef")
    lines = entity.get("Line") or []
    items = [ln for ln in lines if ln.get("DetailType") == "SalesItemLineDetail"]
    discount = sum((_money(ln.get("Amount")) for ln in lines if ln.get("DetailType") == "DiscountLineDetail"),
                   Decimal(0))
    products = {_ref(ln.get("SalesItemLineDetail") or {}, "ItemRef")[1] for ln in items}
    quantity = unit_price = ""
    if len(items) == 1:
        detail = items[0].get("SalesItemLineDetail") or {}
        if detail.get("Qty") is not None and detail.get("UnitPrice") is not None:
            quantity, unit_price = str(sign * _money(detail["Qty"])), _text(_money(detail["UnitPrice"]))
    deal = next((str(f.get("StringValue") or "") for f in entity.get("CustomField") or []
                 if f.get("Name") == deal_field), "")
    ident, number = str(entity.get("Id")), str(entity.get("DocNumber") or entity.get("Id"))
    status, paid_on = ("cancelled" if total == 0 else "paid" if balance == 0 else "issued"), ""
    if status == "paid" and sign > 0:
        paid_on = paid.get(ident, "")
        if not paid_on:
            findings.append(Finding("quickbooks_paid_without_payment",
                                    f"QuickBooks : la facture {number} est soldée sans paiement qui la règle "
                                    "(avoir ou écriture) ; sa date d'encaissement reste vide"))
    return {
        "kind": kind, "number": number, "counterparty": party, "counterparty_id": party_id,
        "segment": _ref(entity, "ClassRef")[1] if kind == "sale" else "",
        "product": products.pop() if len(products) == 1 else "",
        "issue_date": str(entity.get("TxnDate") or ""), "due_date": str(entity.get("DueDate") or entity.get("TxnDate") or ""),
        "paid_date": paid_on, "amount_excl_tax": _text(sign * (total - tax)), "amount_incl_tax": _text(sign * total),
        "discount": _text(sign * discount), "quantity": quantity, "unit_price": unit_price, "deal_id": deal,
        "status": status,
    }


def invoice_rows(entities: Mapping[str, list[dict[str, Any]]], deal_field: str,
                 findings: list[Finding]) -> list[dict[str, str]]:
    """The ``invoices`` rows from ``Invoice``, ``CreditMemo``, ``Bill``, ``VendorCredit``,
    ``Payment`` and ``BillPayment`` entities (credit notes negative)."""
    sales_paid = paid_dates(entities.get("Payment", []), "Invoice")
    bills_paid = paid_dates(entities.get("BillPayment", []), "Bill")
    rows = [_invoice(e, "sale", 1, sales_paid, deal_field, findings) for e in entities.get("Invoice", [])]
    rows += [_invoice(e, "sale", -1, {}, deal_field, findings) for e in entities.get("CreditMemo", [])]
    rows += [_invoice(e, "purchase", 1, bills_paid, deal_field, findings) for e in entities.get("Bill", [])]
    rows += [_invoice(e, "purchase", -1, {}, deal_field, findings) for e in entities.get("VendorCredit", [])]
    return rows
