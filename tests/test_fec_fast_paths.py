"""The vectorised FEC paths: Arrow amounts and entry numbers, the two CSV readers, the grouped ledger."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import boardpack.fec.reader as reader
from boardpack.accounting.ledger import Ledger
from boardpack.fec import read_fec, validate_fec
from boardpack.fec.validation import first_positions, numbered
from boardpack.fec.values import BadValue, parse_amounts

from test_fec_reader import DATA, ROWS, fec_bytes, read, replaced

SAMPLES = ("0000000001FEC20220831.txt", "000000000FEC20231231.txt", "111111111FEC20221231.TXT",
           "123456789FEC20500930.txt")


def cents(values: list[str], padded: bool = False) -> tuple[list[int], list[bool]]:
    """parse_amounts of ``values`` as plain lists."""
    amounts, empty = parse_amounts(pa.array(values, type=pa.string()), padded)
    return amounts.tolist(), empty.tolist()


def test_plain_and_unusual_amounts_give_exact_cents() -> None:
    """Plain cells (cast by Arrow) and the others (Decimal, one by one) give the same exact cents."""
    values = ["1437,12", "-000000001437,12", "123,45-", "+12,5", "5.", ",5", "1 234,56", "1.234,56",
              "1\u00a0234,56", "1\u202f234,56", "12345678901234,56", "", "0,00", "-0"]
    assert cents(values) == (
        [143712, -143712, -12345, 1250, 500, 50, 123456, 123456, 123456, 123456, 1234567890123456, 0, 0, 0],
        [False] * 11 + [True, False, False],
    )


def test_padded_amounts_are_stripped_of_any_whitespace() -> None:
    """In a fixed-width file, spaces around an amount go; a cell of spaces or a no-break space is empty."""
    assert cents(["  12,00 ", "   ", "\u00a0", " 3,5-"], padded=True) == ([1200, 0, 0, -350], [False, True, True, False])


@pytest.mark.parametrize(("values", "position", "text"), [
    (["1,00", "12,345"], 1, "12,345"),
    (["1e5"], 0, "1e5"),
    (["2,00", "3,00", "inf"], 2, "inf"),
    (["+12-"], 0, "+12-"),
    (["\u00a0"], 0, "\u00a0"),
])
def test_the_first_bad_amount_is_named(values: list[str], position: int, text: str) -> None:
    """A value that is not an amount (a third decimal, an exponent, inf, two signs) stops at its row."""
    with pytest.raises(BadValue) as caught:
        cents(values)
    assert (caught.value.position, caught.value.value) == (position, text)


def test_no_break_space_thousands_separators_are_read(tmp_path: Path) -> None:
    """`1 200,00` with a no-break space (U+00A0) as thousands separator reads as 1 200,00 €."""
    rows = replaced(0, "Debit", "1\u00a0200,00")
    assert read(tmp_path, fec_bytes(rows)).entries["debit"].tolist() == [120000, 0, 0, 20000, 4000, 0]


def test_entry_numbers_are_split_as_python_would() -> None:
    """Prefix and number of each EcritureNum; a digit of another script counts as a digit (Python's \\d)."""
    texts = np.array(["VE12", "12", "A1B2", "VE\u06634", "", "X-007", "INV/2021/1", "1234567890123456789"],
                     dtype=object)
    matched, prefixes, numbers = numbered(texts)
    assert matched.tolist() == [True, True, False, True, False, True, False, False]
    assert prefixes[matched].tolist() == ["VE", "", "VE", "X-"]
    assert numbers[matched].tolist() == [12, 12, 34, 7]


def test_first_positions_of_codes_in_appearance_order() -> None:
    """Codes 0 0 1 0 2 1 first appear at rows 0, 2 and 4."""
    assert first_positions(np.array([0, 0, 1, 0, 2, 1])).tolist() == [0, 2, 4]
    assert first_positions(np.array([], dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("name", SAMPLES)
def test_arrow_and_pandas_readers_give_the_same_entries(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Arrow's reader and pandas' (used when Arrow cannot read a file) type each sample identically."""
    fast = read_fec(DATA / name)
    monkeypatch.setattr(reader, "_read_arrow", lambda *args: None)
    slow = read_fec(DATA / name)
    pd.testing.assert_frame_equal(fast.entries, slow.entries, check_exact=True)
    assert fast.line_numbers.array.tolist() == slow.line_numbers.array.tolist()
    assert fast.empty_amounts.tolist() == slow.empty_amounts.tolist()
    assert validate_fec(fast) == validate_fec(slow)


def test_lines_arrow_cannot_read_go_to_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line of spaces (a blank line for the FEC) makes Arrow give up; pandas reads the file."""
    used = []
    pandas_reader = reader._read_pandas
    monkeypatch.setattr(reader, "_read_pandas", lambda *args: used.append(True) or pandas_reader(*args))
    data = fec_bytes(ROWS[:3]) + b"   \n" + fec_bytes(ROWS[3:]).split(b"\n", 1)[1]
    fec = read(tmp_path, data)
    assert used == [True]
    assert fec.line_numbers.array.tolist() == [2, 3, 4, 6, 7, 8]
    assert fec.entries["credit"].tolist() == [0, 100000, 20000, 0, 0, 24000]


def test_ledger_groups_account_numbers_as_text() -> None:
    """411000 given once as a number and once as text is one account; each month sums its lines."""
    entries = pd.DataFrame({
        "date": pd.to_datetime(["2023-01-10", "2023-01-20", "2023-02-05", "2023-02-05", "2023-01-01", "2023-01-01"]),
        "journal": ["VE", "VE", "VE", "VE", "an", "an"],
        "account": pd.Series([411000, "411000", "411000", "706000", "411000", "101300"], dtype=object),
        "account_label": ["Clients", "Clients bis", "Clients", "Ventes", "Clients", "Capital"],
        "aux_account": ["C1", "C1", "C1", "", "C1", ""],
        "debit": [1000, 2000, 500, 0, 300, 0],
        "credit": [0, 0, 0, 3500, 0, 300],
    })
    ledger = Ledger(entries)
    movements = ledger.movements_by_aux
    assert movements.loc[("411000", "C1")].tolist() == [3000, 500]
    assert movements.loc[("706000", "")].tolist() == [0, -3500]
    assert ledger.opening.loc[("411000", "C1")] == 300
    assert ledger.balances_by_aux.loc[("411000", "C1")].tolist() == [3300, 3800]
    assert ledger.labels[411000] == "Clients" and ledger.labels["411000"] == "Clients bis"
