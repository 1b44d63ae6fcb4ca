"""Dataset schemas: money and date parsing, coercion errors, the entries checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from boardpack.default_plugins.sources.datasets import DEALS, ENTRIES, INVOICES
from boardpack.errors import DataError
from boardpack.schema import Column, DatasetSchema, parse_date, parse_money

# ---------------------------------------------------------------- parse_money


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1 234,56", 123456),
        ("1234.56", 123456),
        ("1234,56", 123456),
        ("-12,50", -1250),
        ("12,5-", -1250),
        ("1\u00a0234,56", 123456),
        ("1\u202f234\u202f567,8", 123456780),
        ("1.234,56", 123456),
        ("  42  ", 4200),
        ("0,10", 10),
        ("0", 0),
    ],
)
def test_parse_money_accepts_french_and_dot_forms(text: str, cents: int) -> None:
    """French amounts (spaces, NBSP, decimal comma, trailing minus) and dot decimals become cents."""
    assert parse_money(text) == cents


def test_parse_money_accepts_python_numbers() -> None:
    """int euros, Decimal and float values are converted to cents exactly."""
    assert parse_money(12) == 1200
    assert parse_money(Decimal("12.34")) == 1234
    assert parse_money(0.1) == 10


@pytest.mark.parametrize("text", ["12,345", "1234.567", "0,001"])
def test_parse_money_refuses_more_than_two_decimals(text: str) -> None:
    """An amount with a fraction of a cent is an error, not silently rounded."""
    with pytest.raises(ValueError):
        parse_money(text)


@pytest.mark.parametrize("value", ["", "abc", "12 €x", "NaN", "Infinity", "--5", True])
def test_parse_money_refuses_non_amounts(value: object) -> None:
    """Text that is not an amount (and booleans, NaN, infinity) raises ValueError."""
    with pytest.raises(ValueError):
        parse_money(value)


# ---------------------------------------------------------------- parse_date


@pytest.mark.parametrize("text", ["2026-10-31", "31/10/2026", "20261031", " 31/10/2026 "])
def test_parse_date_accepts_the_three_forms(text: str) -> None:
    """AAAA-MM-JJ, JJ/MM/AAAA and AAAAMMJJ all give 31 October 2026."""
    assert parse_date(text) == dt.date(2026, 10, 31)


def test_parse_date_reads_day_first() -> None:
    """03/04/2026 is the 3rd of April (French order), not March 4th."""
    assert parse_date("03/04/2026") == dt.date(2026, 4, 3)


def test_parse_date_passes_dates_through() -> None:
    """date and datetime objects come back as the same calendar date."""
    assert parse_date(dt.date(2025, 1, 2)) == dt.date(2025, 1, 2)
    assert parse_date(dt.datetime(2025, 1, 2, 13, 45)) == dt.date(2025, 1, 2)


@pytest.mark.parametrize("text", ["31/02/2026", "2026/10/31", "10-31-2026", "", "demain"])
def test_parse_date_refuses_other_forms(text: str) -> None:
    """Impossible dates and other layouts raise ValueError."""
    with pytest.raises(ValueError):
        parse_date(text)


# ---------------------------------------------------------------- coerce

SIMPLE = DatasetSchema(
    name="simple",
    description="test",
    columns=(
        Column("when", "date", "date"),
        Column("amount", "money", "montant"),
        Column("kind", "str", "genre", choices=("a", "b")),
        Column("note", "str", "note", required=False),
        Column("count", "int", "nombre", required=False),
    ),
)


def raw(rows: list[dict[str, str]]) -> pd.DataFrame:
    """A raw frame of strings, as a CSV reader gives."""
    return pd.DataFrame(rows, dtype=object)


def test_coerce_types_columns() -> None:
    """Coerced columns hold datetimes, integer cents and text, in schema order, extras kept last."""
    frame = SIMPLE.coerce(
        raw([{"extra": "x", "amount": "1 234,56", "when": "31/10/2026", "kind": "a"}]), "f.csv"
    )
    assert list(frame.columns) == ["when", "amount", "kind", "note", "count", "extra"]
    assert frame["amount"].dtype == "int64"
    assert int(frame["amount"].iloc[0]) == 123456
    assert frame["when"].iloc[0] == pd.Timestamp(2026, 10, 31)
    assert frame["note"].iloc[0] == ""
    assert frame["extra"].iloc[0] == "x"


def test_coerce_error_names_origin_line_and_column() -> None:
    """A bad value in the second data row is reported at line 3 (header = line 1) with its column."""
    rows = [
        {"when": "01/01/2026", "amount": "10,00", "kind": "a"},
        {"when": "02/01/2026", "amount": "dix euros", "kind": "a"},
    ]
    with pytest.raises(DataError) as info:
        SIMPLE.coerce(raw(rows), "donnees/simple.csv")
    message = str(info.value)
    assert "donnees/simple.csv" in message
    assert "ligne 3" in message
    assert "« amount »" in message
    assert "dix euros" in message


def test_coerce_first_data_row_is_line_2() -> None:
    """The first data row of a CSV with a header is line 2."""
    with pytest.raises(DataError, match=r"ligne 2, colonne « when »"):
        SIMPLE.coerce(raw([{"when": "31/02/2026", "amount": "1", "kind": "a"}]), "f.csv")


def test_coerce_honours_first_line() -> None:
    """first_line shifts reported line numbers (a source whose rows start elsewhere)."""
    rows = [{"when": "01/01/2026", "amount": "1", "kind": "a"}, {"when": "x", "amount": "1", "kind": "a"}]
    with pytest.raises(DataError, match=r"ligne 11,"):
        SIMPLE.coerce(raw(rows), "api", first_line=10)


def test_coerce_missing_required_column_names_it_and_the_dataset() -> None:
    """A missing required column is named, with the dataset and the origin."""
    with pytest.raises(DataError) as info:
        SIMPLE.coerce(raw([{"when": "01/01/2026", "kind": "a"}]), "f.csv")
    message = str(info.value)
    assert "f.csv" in message
    assert "amount" in message
    assert "« simple »" in message
    assert "obligatoire" in message


def test_coerce_missing_optional_column_is_fine() -> None:
    """An optional column may be absent; it comes back empty (NA for numbers)."""
    frame = SIMPLE.coerce(raw([{"when": "01/01/2026", "amount": "1", "kind": "b"}]), "f.csv")
    assert frame["count"].isna().all()


def test_coerce_empty_required_number_is_missing_value() -> None:
    """An empty cell in a required money column is « valeur manquante » at its line and column."""
    rows = [{"when": "01/01/2026", "amount": "", "kind": "a"}]
    with pytest.raises(DataError, match=r"f\.csv, ligne 2, colonne « amount » : valeur manquante"):
        SIMPLE.coerce(raw(rows), "f.csv")


def test_coerce_refuses_value_outside_choices() -> None:
    """A text column with choices refuses other values and lists the admitted ones."""
    rows = [{"when": "01/01/2026", "amount": "1", "kind": "c"}]
    with pytest.raises(DataError) as info:
        SIMPLE.coerce(raw(rows), "f.csv")
    message = str(info.value)
    assert "ligne 2" in message and "« kind »" in message and "« c »" in message
    assert "a, b" in message


def test_invoice_kind_must_be_sale_or_purchase() -> None:
    """invoices.kind only admits sale and purchase."""
    row = {
        "kind": "vente", "number": "1", "counterparty": "X", "issue_date": "01/01/2026",
        "due_date": "31/01/2026", "amount_excl_tax": "10", "amount_incl_tax": "12",
    }
    with pytest.raises(DataError, match=r"« kind ».*« vente »"):
        INVOICES.coerce(raw([row]), "invoices.csv")


def test_empty_required_choice_is_refused() -> None:
    """deals.status is required and restricted to open/won/lost: an empty status is an error."""
    row = {
        "deal_id": "D1", "pipeline": "P", "stage": "S", "stage_probability": "0,5",
        "amount": "100", "created_date": "01/01/2026", "status": "",
    }
    with pytest.raises(DataError, match=r"« status »"):
        DEALS.coerce(raw([row]), "deals.csv")


@pytest.mark.parametrize(
    ("column_type", "value"),
    [("int", "1,5"), ("decimal", "abc"), ("bool", "peut-être"), ("month", "2026-13")],
)
def test_coerce_other_types_refuse_bad_values(column_type: str, value: str) -> None:
    """int, decimal, bool and month columns refuse values of the wrong kind."""
    schema = DatasetSchema("t", "t", (Column("v", column_type, "v"),))
    with pytest.raises(DataError, match=r"t\.csv, ligne 2, colonne « v »"):
        schema.coerce(raw([{"v": value}]), "t.csv")


def test_coerce_other_types_accept_french_forms() -> None:
    """bool accepts oui/non, month accepts MM/AAAA, decimal accepts a decimal comma."""
    schema = DatasetSchema(
        "t", "t", (Column("b", "bool", "b"), Column("m", "month", "m"), Column("d", "decimal", "d"))
    )
    frame = schema.coerce(raw([{"b": "oui", "m": "10/2026", "d": "12,5"}, {"b": "non", "m": "2026-01", "d": "1"}]), "t")
    assert list(frame["b"]) == [True, False]
    assert list(frame["m"]) == ["2026-10", "2026-01"]
    assert list(frame["d"]) == [12.5, 1.0]


def test_unknown_column_type_is_refused() -> None:
    """A schema column with an unknown type fails at definition."""
    with pytest.raises(ValueError, match="unknown type"):
        Column("x", "money_eur", "x")


# ---------------------------------------------------------------- entries checks


def entries_raw(rows: list[tuple[str, str, str, str, str, str]]) -> pd.DataFrame:
    """Raw entries from (date, journal, entry_id, account, debit, credit)."""
    return pd.DataFrame(rows, columns=["date", "journal", "entry_id", "account", "debit", "credit"], dtype=object)


def test_entries_unbalanced_entry_names_line_and_entry() -> None:
    """An entry whose debits and credits differ is named with its journal, id and first line."""
    rows = [
        ("01/01/2026", "VE", "1", "411000", "120,00", "0"),
        ("01/01/2026", "VE", "1", "701000", "0", "120,00"),
        ("02/01/2026", "AC", "7", "601000", "50,00", "0"),
        ("02/01/2026", "AC", "7", "401000", "0", "40,00"),
    ]
    with pytest.raises(DataError) as info:
        ENTRIES.coerce(entries_raw(rows), "entries.csv")
    message = str(info.value)
    assert "entries.csv, ligne 4" in message  # third data row
    assert "AC 7" in message
    assert "équilibrée" in message
    assert "10.00" in message or "10,00" in message  # débit − crédit = 50 − 40


def test_entries_account_must_start_with_a_digit() -> None:
    """An account like « CLIENT01 » is refused with its line and the column « account »."""
    rows = [
        ("01/01/2026", "VE", "1", "411000", "120,00", "0"),
        ("01/01/2026", "VE", "1", "CLIENT01", "0", "120,00"),
    ]
    with pytest.raises(DataError) as info:
        ENTRIES.coerce(entries_raw(rows), "entries.csv")
    message = str(info.value)
    assert "ligne 3" in message and "« account »" in message and "CLIENT01" in message


def test_entries_negative_amount_is_refused() -> None:
    """Debits and credits are positive; a negative debit is refused at its line."""
    rows = [
        ("01/01/2026", "OD", "1", "601000", "-10,00", "0"),
        ("01/01/2026", "OD", "1", "401000", "0", "-10,00"),
    ]
    with pytest.raises(DataError, match=r"ligne 2, colonne « debit » : montant négatif"):
        ENTRIES.coerce(entries_raw(rows), "entries.csv")


def test_entries_balanced_across_lines_pass() -> None:
    """A balanced entry over three lines passes the checks."""
    rows = [
        ("01/01/2026", "VE", "1", "411000", "120,00", "0"),
        ("01/01/2026", "VE", "1", "701000", "0", "100,00"),
        ("01/01/2026", "VE", "1", "445710", "0", "20,00"),
    ]
    frame = ENTRIES.coerce(entries_raw(rows), "entries.csv")
    assert int(frame["debit"].sum()) == int(frame["credit"].sum()) == 12000
