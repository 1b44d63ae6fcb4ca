"""Checks on the demo company's CSV files: determinism, double entry and the story they tell."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from boardpack.demo.generate import DATA_DIR, generate

FILES = ("entries.csv", "invoices.csv", "deals.csv", "ops_metrics.csv", "budget.csv",
         "loans.csv", "marketing.csv")
LATE_PAYER = "Groupe Autoliance"


def read(name: str) -> list[dict[str, str]]:
    """Read a shipped CSV file as a list of rows."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def amount(text: str) -> Decimal:
    """Parse a French amount (decimal comma)."""
    return Decimal(text.replace(",", ".")) if text else Decimal(0)


def day(text: str) -> dt.date:
    """Parse a JJ/MM/AAAA date."""
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


@pytest.fixture(scope="module")
def entries() -> list[dict[str, str]]:
    """The ledger lines, with parsed date and signed amount (debit − credit)."""
    rows = read("entries.csv")
    for row in rows:
        row["day"] = day(row["date"])  # type: ignore[assignment]
        row["net"] = amount(row["debit"]) - amount(row["credit"])  # type: ignore[assignment]
    return rows


def net(entries: list[dict], prefixes: tuple[str, ...], start: dt.date, end: dt.date) -> Decimal:
    """Debit − credit on accounts starting with ``prefixes`` between two dates (included)."""
    return sum((r["net"] for r in entries
                if r["account"].startswith(prefixes) and start <= r["day"] <= end), Decimal(0))


def year(value: int, last_month: int = 12) -> tuple[dt.date, dt.date]:
    """The first and last day of ``value`` up to the end of ``last_month``."""
    end = dt.date(value + (last_month == 12), last_month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(value, 1, 1), end


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    """Regenerating the data gives byte-identical files to the shipped ones."""
    generate(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_csv_format() -> None:
    """Files are UTF-8 without BOM, with ``;`` separators and ``\\n`` line endings."""
    for name in FILES:
        raw = (DATA_DIR / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw, name
        assert ";" in raw.split(b"\n", 1)[0].decode("utf-8"), name


def test_every_entry_and_the_ledger_balance(entries: list[dict]) -> None:
    """Every entry (journal + entry_id) balances to the cent, and so does the whole ledger."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in entries:
        assert amount(row["debit"]) >= 0 and amount(row["credit"]) >= 0
        totals[(row["journal"], row["entry_id"])] += row["net"]
    assert all(total == 0 for total in totals.values())
    assert sum(row["net"] for row in entries) == 0


@pytest.mark.parametrize("fiscal_year", [2023, 2024, 2025])
def test_yearly_revenue_is_about_8_million(entries: list[dict], fiscal_year: int) -> None:
    """Revenue (credits − debits on 70x) of each full year lies between 7.3 and 8.6 M€."""
    revenue = -net(entries, ("70",), *year(fiscal_year))
    assert Decimal("7300000") <= revenue <= Decimal("8600000")


def test_revenue_2026_to_date_is_plausible(entries: list[dict]) -> None:
    """Revenue from January to October 2026 is at least 6.5 M€."""
    assert -net(entries, ("70",), *year(2026, 10)) >= Decimal("6500000")


def test_balance_sheet_balances_and_equity_stays_positive(entries: list[dict]) -> None:
    """The balance sheet balances at 31/12/2024 and equity is positive at every year end."""
    assert net(entries, ("",), dt.date(2023, 1, 1), dt.date(2024, 12, 31)) == 0
    for end in (dt.date(2023, 12, 31), dt.date(2024, 12, 31), dt.date(2025, 12, 31),
                dt.date(2026, 10, 31)):
        equity = -net(entries, ("10", "11", "12", "6", "7"), dt.date(2023, 1, 1), end)
        assert equity > 0


def test_groupe_autoliance_pays_late_in_2026() -> None:
    """Groupe Autoliance takes > 90 days to pay its 2026 invoices; other customers < 80."""
    delays: dict[bool, list[int]] = defaultdict(list)
    for row in read("invoices.csv"):
        if row["kind"] == "sale" and row["paid_date"] and row["issue_date"].endswith("2026"):
            days = (day(row["paid_date"]) - day(row["issue_date"])).days
            delays[row["counterparty"] == LATE_PAYER].append(days)
    assert sum(delays[True]) / len(delays[True]) > 90
    assert sum(delays[False]) / len(delays[False]) < 80


def test_raw_material_rate_rises_in_2026(entries: list[dict]) -> None:
    """Raw materials consumed / revenue in Jan-Oct 2026 exceeds 2024 by at least 3 points."""
    def rate(start: dt.date, end: dt.date) -> Decimal:
        return net(entries, ("601", "6031"), start, end) / -net(entries, ("70",), start, end)

    assert rate(*year(2026, 10)) - rate(*year(2024)) >= Decimal("0.03")


@pytest.mark.parametrize("fiscal_year", [2023, 2024, 2025, 2026])
def test_loan_schedules_agree_with_the_ledger(entries: list[dict], fiscal_year: int) -> None:
    """Principal and interest in loans.csv equal the debits of 164000 and 661100."""
    rows = [r for r in read("loans.csv") if r["period"].startswith(str(fiscal_year)) and r["period"] <= "2026-10"]
    lines = [r for r in entries if r["day"].year == fiscal_year]
    for column, account in (("principal_due", "164000"), ("interest_due", "661100")):
        expected = sum((amount(r[column]) for r in rows), Decimal(0))
        debits = sum((amount(r["debit"]) for r in lines if r["account"] == account), Decimal(0))
        assert expected == debits


def test_bank_never_goes_strongly_negative(entries: list[dict]) -> None:
    """The 512100 balance stays above −50 000 € at every month end."""
    movements: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for row in entries:
        if row["account"] == "512100":
            movements[(row["day"].year, row["day"].month)] += row["net"]
    balance = Decimal(0)
    for month in sorted(movements):
        balance += movements[month]
        assert balance > Decimal("-50000"), month


def test_sale_invoices_detail_quantity_and_unit_price() -> None:
    """Every sale invoice has quantity × unit_price − discount = amount_excl_tax; purchases have none."""
    for row in read("invoices.csv"):
        if row["kind"] == "purchase":
            assert row["quantity"] == row["unit_price"] == row["deal_id"] == "", row["number"]
            continue
        quantity = int(row["quantity"])
        assert quantity >= 1
        listed = quantity * amount(row["unit_price"])
        assert listed - amount(row["discount"]) == amount(row["amount_excl_tax"]), row["number"]


def test_invoices_link_to_won_deals_of_their_customer() -> None:
    """A deal_id names a won deal of the invoice's customer closed before the invoice; most won deals are linked."""
    deals = {row["deal_id"]: row for row in read("deals.csv")}
    linked: set[str] = set()
    for row in read("invoices.csv"):
        if not row["deal_id"]:
            continue
        deal = deals[row["deal_id"]]
        assert deal["status"] == "won" and deal["customer"] == row["counterparty"], row["number"]
        assert day(deal["close_date"]) < day(row["issue_date"]), row["number"]
        linked.add(row["deal_id"])
    customers = {row["counterparty"] for row in read("invoices.csv") if row["kind"] == "sale"}
    won = [d for d in deals.values() if d["status"] == "won" and d["customer"] in customers]
    assert len(linked) >= 0.9 * len(won)
