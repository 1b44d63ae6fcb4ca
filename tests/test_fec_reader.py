"""The FEC reader: every quirk of real exports, the four public samples, and one clear error per bad file."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from boardpack.errors import DataError, SourceError
from boardpack.fec import FecFile, LineNumbers, read_fec
from boardpack.schema import line_of

DATA = Path(__file__).resolve().parent / "data" / "fec"

HEADER = [
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
]
#: One balanced sale (1 200,00 TTC) and one balanced purchase (240,00 TTC).
ROWS = [
    ["VE", "Ventes", "1", "20230115", "411000", "Clients", "C001", "Client Un", "F1", "20230115",
     "Facture F1", "1200,00", "0,00", "AA", "20230220", "20230131", "", ""],
    ["VE", "Ventes", "1", "20230115", "706000", "Prestations de services", "", "", "F1", "20230115",
     "Facture F1", "0,00", "1000,00", "", "", "20230131", "", ""],
    ["VE", "Ventes", "1", "20230115", "445710", "TVA collectée", "", "", "F1", "20230115",
     "Facture F1", "0,00", "200,00", "", "", "20230131", "", ""],
    ["AC", "Achats", "1", "20230131", "606100", "Fournitures", "", "", "A7", "20230118",
     "EDF janvier", "200,00", "0,00", "", "", "20230131", "", ""],
    ["AC", "Achats", "1", "20230131", "445660", "TVA déductible", "", "", "A7", "20230118",
     "EDF janvier", "40,00", "0,00", "", "", "20230131", "", ""],
    ["AC", "Achats", "1", "20230131", "401000", "Fournisseurs", "F001", "EDF", "A7", "20230118",
     "EDF janvier", "0,00", "240,00", "", "", "20230131", "", ""],
]
NAME = "123456789FEC20230131.txt"


def fec_bytes(rows: list[list[str]] | None = None, header: list[str] | None = None, sep: str = "\t",
              eol: str = "\n", encoding: str = "utf-8", bom: bool = False, final_eol: bool = True) -> bytes:
    """A FEC as the bytes a given software would write."""
    lines = [sep.join(header or HEADER)] + [sep.join(row) for row in (ROWS if rows is None else rows)]
    text = eol.join(lines) + (eol if final_eol else "")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def write(tmp_path: Path, data: bytes, name: str = NAME) -> Path:
    """Write ``data`` to ``tmp_path/name``."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(tmp_path: Path, data: bytes, name: str = NAME) -> FecFile:
    """Read ``data`` written as a FEC file."""
    return read_fec(write(tmp_path, data, name))


def error(tmp_path: Path, data: bytes, name: str = NAME) -> str:
    """The DataError message reading ``data`` gives (checked to be one line)."""
    with pytest.raises(DataError) as caught:
        read(tmp_path, data, name)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def replaced(row: int, column: str, value: str) -> list[list[str]]:
    """:data:`ROWS` with one cell changed."""
    rows = [list(r) for r in ROWS]
    rows[row][HEADER.index(column)] = value
    return rows


def assert_sample_amounts(fec: FecFile) -> None:
    """The typed amounts of :data:`ROWS`, in cents."""
    assert fec.entries["debit"].tolist() == [120000, 0, 0, 20000, 4000, 0]
    assert fec.entries["credit"].tolist() == [0, 100000, 20000, 0, 0, 24000]


# ---------------------------------------------------------------- the happy path


def test_tab_separated_utf8_gives_typed_canonical_entries(tmp_path: Path) -> None:
    """A plain FEC becomes the canonical columns, money in cents, dates typed, line numbers kept."""
    fec = read(tmp_path, fec_bytes())
    entries = fec.entries
    assert list(entries.columns[:15]) == [
        "date", "journal", "journal_label", "entry_id", "account", "account_label", "aux_account",
        "aux_label", "piece_ref", "piece_date", "label", "debit", "credit", "lettering", "lettering_date"]
    assert "valid_date" in entries.columns
    assert (fec.separator, fec.encoding, fec.line_ending, fec.layout) == ("\t", "utf-8", "LF", "Debit/Credit")
    assert_sample_amounts(fec)
    assert entries["date"].iloc[0] == pd.Timestamp(2023, 1, 15)
    assert entries["piece_date"].iloc[3] == pd.Timestamp(2023, 1, 18)
    assert entries["lettering_date"].iloc[0] == pd.Timestamp(2023, 2, 20)
    assert pd.isna(entries["lettering_date"].iloc[1])
    assert entries["valid_date"].iloc[0] == pd.Timestamp(2023, 1, 31)
    assert entries["label"].iloc[2] == "Facture F1" and entries["account_label"].iloc[2] == "TVA collectée"
    assert entries["debit"].dtype == "int64" and entries["journal"].dtype == object
    assert list(entries.attrs["line_numbers"]) == [2, 3, 4, 5, 6, 7]
    assert line_of(entries, 5) == 7


def test_line_numbers_survive_pandas_operations(tmp_path: Path) -> None:
    """Filtering keeps the line numbers object (cheap to copy), usable by schema.line_of."""
    entries = read(tmp_path, fec_bytes()).entries
    subset = entries[entries["journal"] == "AC"]
    assert isinstance(subset.attrs["line_numbers"], LineNumbers)
    assert entries["debit"].attrs["line_numbers"] is entries.attrs["line_numbers"]


def test_pipe_separator_is_detected_on_the_header(tmp_path: Path) -> None:
    """`|`-separated files are read like TAB ones."""
    fec = read(tmp_path, fec_bytes(sep="|"))
    assert fec.separator == "|"
    assert_sample_amounts(fec)


def test_utf8_with_bom(tmp_path: Path) -> None:
    """A UTF-8 BOM is dropped: the first field is still JournalCode."""
    fec = read(tmp_path, fec_bytes(bom=True))
    assert fec.bom and fec.encoding == "utf-8"
    assert fec.columns[0] == "JournalCode"
    assert fec.entries["journal"].iloc[0] == "VE"


def test_iso_8859_15_bytes(tmp_path: Path) -> None:
    """ISO-8859-15 (é = 0xE9, € = 0xA4) is recognised and decoded."""
    rows = replaced(0, "EcritureLib", "Facture payée 1 200 €")
    fec = read(tmp_path, fec_bytes(rows, encoding="iso-8859-15"))
    assert fec.encoding == "iso-8859-15"
    assert fec.entries["label"].iloc[0] == "Facture payée 1 200 €"
    assert fec.entries["account_label"].iloc[2] == "TVA collectée"


def test_windows_1252_bytes(tmp_path: Path) -> None:
    """Windows-1252 (’ = 0x92, € = 0x80) is recognised and decoded."""
    rows = replaced(0, "EcritureLib", "Facture d’électricité 1 200 €")
    fec = read(tmp_path, fec_bytes(rows, encoding="cp1252"))
    assert fec.encoding == "cp1252"
    assert fec.entries["label"].iloc[0] == "Facture d’électricité 1 200 €"


def test_dos_code_page_850_bytes(tmp_path: Path) -> None:
    """DOS 850 (° = 0xF8, é = 0x82) is recognised and decoded."""
    rows = replaced(0, "EcritureLib", "Facture N° 12 réglée")
    fec = read(tmp_path, fec_bytes(rows, encoding="cp850"))
    assert fec.encoding == "cp850"
    assert fec.entries["label"].iloc[0] == "Facture N° 12 réglée"
    assert fec.entries["account_label"].iloc[2] == "TVA collectée"


def test_crlf_line_endings(tmp_path: Path) -> None:
    """CRLF files read the same, without CR left in the last field."""
    fec = read(tmp_path, fec_bytes(eol="\r\n"))
    assert fec.line_ending == "CRLF"
    assert_sample_amounts(fec)
    assert set(fec.entries["valid_date"]) == {pd.Timestamp(2023, 1, 31)}


def test_cr_cr_lf_line_endings_without_final_newline(tmp_path: Path) -> None:
    """`\\r\\r\\n` endings count one line each; a missing final newline loses nothing."""
    fec = read(tmp_path, fec_bytes(eol="\r\r\n", final_eol=False))
    assert fec.line_ending == "CR CR LF"
    assert len(fec.entries) == 6
    assert list(fec.entries.attrs["line_numbers"]) == [2, 3, 4, 5, 6, 7]
    message = error(tmp_path, fec_bytes(replaced(4, "Debit", "40,0O"), eol="\r\r\n"))
    assert "ligne 6, colonne « Debit »" in message


def test_old_mac_cr_only_line_endings(tmp_path: Path) -> None:
    """Lines ended by a lone CR are lines too."""
    fec = read(tmp_path, fec_bytes(eol="\r"))
    assert fec.line_ending == "CR"
    assert_sample_amounts(fec)


def test_trailing_separator_on_every_line(tmp_path: Path) -> None:
    """A `|` ending header and lines (an empty 19th field) is not a 19th column."""
    data = b"".join(line.rstrip(b"\n") + b"|\n" for line in fec_bytes(sep="|").splitlines(keepends=True))
    fec = read(tmp_path, data)
    assert len(fec.columns) == 18
    assert_sample_amounts(fec)
    assert fec.entries["valid_date"].iloc[0] == pd.Timestamp(2023, 1, 31)


def test_trailing_separator_on_data_lines_only(tmp_path: Path) -> None:
    """Data lines may all end with one extra empty field even when the header does not."""
    lines = fec_bytes(sep="|").splitlines(keepends=True)
    data = lines[0] + b"".join(line.rstrip(b"\n") + b"|\n" for line in lines[1:])
    assert_sample_amounts(read(tmp_path, data))


def test_trailing_header_separator_tolerates_lines_without(tmp_path: Path) -> None:
    """With a trailing `|` in the header, a line may still omit its own."""
    lines = fec_bytes(sep="|").splitlines(keepends=True)
    data = lines[0].rstrip(b"\n") + b"|\n" + lines[1].rstrip(b"\n") + b"|\n" + b"".join(lines[2:])
    assert_sample_amounts(read(tmp_path, data))


def test_space_padded_fixed_width_fields_are_stripped(tmp_path: Path) -> None:
    """Fixed-width exports pad every field with spaces: values come out trimmed."""
    rows = [[cell.ljust(14) if i % 2 else cell.rjust(14) for i, cell in enumerate(row)] for row in ROWS]
    fec = read(tmp_path, fec_bytes(rows, sep="|"))
    assert fec.padded
    assert fec.entries["journal"].iloc[0] == "VE"
    assert fec.entries["account"].iloc[0] == "411000"
    assert fec.entries["aux_account"].iloc[1] == ""
    assert_sample_amounts(fec)


@pytest.mark.parametrize("extra", [["DateRglt"], ["DateRglt", "ModeRglt", "NatOp", "IdClient"]])
def test_19_and_22_columns(tmp_path: Path, extra: list[str]) -> None:
    """Extra trailing columns (BNC/BA regimes) are accepted and listed, not kept in entries."""
    rows = [row + ["20230215", "CH", "", ""][: len(extra)] for row in ROWS]
    fec = read(tmp_path, fec_bytes(rows, header=HEADER + extra))
    assert fec.columns == tuple(HEADER + extra)
    assert_sample_amounts(fec)
    assert "DateRglt" not in fec.entries.columns


@pytest.mark.parametrize(("debit", "credit"), [("D", "C"), ("+1", "-1"), ("d", "c"), ("1", "-1")])
def test_montant_sens_variant(tmp_path: Path, debit: str, credit: str) -> None:
    """`Montant`/`Sens` (D/C or +1/-1) replaces Debit/Credit."""
    header = HEADER[:11] + ["Montant", "Sens"] + HEADER[13:]
    rows = []
    for row in ROWS:
        is_debit = row[11] != "0,00"
        rows.append(row[:11] + [row[11] if is_debit else row[12], debit if is_debit else credit] + row[13:])
    fec = read(tmp_path, fec_bytes(rows, header=header))
    assert fec.layout == "Montant/Sens"
    assert_sample_amounts(fec)


def test_header_case_and_spelling_variations(tmp_path: Path) -> None:
    """`MontantDevise`, `Montantdevise`, upper or lower case: the same fields."""
    header = [name.upper() if i % 3 == 0 else name.lower() for i, name in enumerate(HEADER)]
    header[16] = "MontantDevise"
    fec = read(tmp_path, fec_bytes(header=header))
    assert fec.missing_columns == ()
    assert_sample_amounts(fec)
    assert fec.field_names["debit"] == "debit"


def test_comma_and_dot_decimals(tmp_path: Path) -> None:
    """`1200,5`, `1200.50`, `1200` and `,5` are all amounts."""
    rows = [list(r) for r in ROWS[:4]]
    rows[0][11], rows[1][12], rows[2][12], rows[3][11] = "1200.50", "1200", ",5", "200,5"
    fec = read(tmp_path, fec_bytes(rows))
    assert fec.entries["debit"].tolist() == [120050, 0, 0, 20050]
    assert fec.entries["credit"].tolist() == [0, 120000, 50, 0]


def test_zero_padded_and_signed_amounts(tmp_path: Path) -> None:
    """` 000000000001437,12`, `-000…`, `+12,00` and a trailing minus `123,45-` are read exactly."""
    rows = [list(r) for r in ROWS[:4]]
    rows[0][11], rows[0][12] = " 000000000001437,12", "0000000000,00"
    rows[1][11], rows[1][12] = "+12,00", "0,00"
    rows[2][11], rows[2][12] = "-000000000000100,10", "0,00"  # a negative debit is a credit
    rows[3][11], rows[3][12] = "0,00", "123,45-"  # a negative credit is a debit
    fec = read(tmp_path, fec_bytes(rows))
    assert fec.entries["debit"].tolist() == [143712, 1200, 0, 12345]
    assert fec.entries["credit"].tolist() == [0, 0, 10010, 0]


def test_amounts_beyond_float_precision_stay_exact(tmp_path: Path) -> None:
    """A 16-digit amount is parsed to the cent (no float rounding)."""
    rows = [list(r) for r in ROWS[:2]]
    rows[0][11], rows[1][12] = "98765432109876,54", "98765432109876,54"
    fec = read(tmp_path, fec_bytes(rows))
    assert fec.entries["debit"].iloc[0] == 9876543210987654


@pytest.mark.parametrize(("text", "expected"), [
    ("20230115", dt.date(2023, 1, 15)),
    ("2023-01-15", dt.date(2023, 1, 15)),
    ("15/01/2023", dt.date(2023, 1, 15)),
    ("20230115 00:00:00", dt.date(2023, 1, 15)),
    ("2023-01-15T10:30:00", dt.date(2023, 1, 15)),
    ("15/01/2023 10:30", dt.date(2023, 1, 15)),
])
def test_date_forms(tmp_path: Path, text: str, expected: dt.date) -> None:
    """AAAAMMJJ, and tolerated AAAA-MM-JJ, JJ/MM/AAAA, with or without a time part."""
    fec = read(tmp_path, fec_bytes(replaced(0, "EcritureDate", text)))
    assert fec.entries["date"].iloc[0] == pd.Timestamp(expected)


def test_account_and_entry_numbers_stay_text(tmp_path: Path) -> None:
    """Leading zeros of accounts, auxiliary accounts and entry numbers are kept."""
    rows = replaced(0, "CompAuxNum", "000042")
    for row in rows:
        row[2] = "000001"
    rows[0][4] = "04110000"
    fec = read(tmp_path, fec_bytes(rows))
    assert fec.entries["account"].iloc[0] == "04110000"
    assert fec.entries["aux_account"].iloc[0] == "000042"
    assert set(fec.entries["entry_id"]) == {"000001"}


def test_siren_and_closing_date_from_the_file_name(tmp_path: Path) -> None:
    """`<SIREN>FEC<AAAAMMJJ>` gives both; any other name gives neither."""
    fec = read(tmp_path, fec_bytes(), "812345674FEC20230630.txt")
    assert (fec.siren, fec.closing_date) == ("812345674", dt.date(2023, 6, 30))
    other = read(tmp_path, fec_bytes(), "grand-livre-FEC.txt")
    assert (other.siren, other.closing_date) == (None, None)


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    """Blank (or space-only) lines do not shift the line numbers of the rows after them."""
    lines = fec_bytes().split(b"\n")
    data = b"\n".join(lines[:3] + [b"", b"   "] + lines[3:]) + b"\n\n"
    fec = read(tmp_path, data)
    assert list(fec.entries.attrs["line_numbers"]) == [2, 3, 6, 7, 8, 9]
    bad = fec_bytes(replaced(3, "Debit", "deux cents")).split(b"\n")
    message = error(tmp_path, b"\n".join(bad[:3] + [b""] + bad[3:]))
    assert "ligne 6, colonne « Debit »" in message


def test_dos_end_of_file_mark_is_dropped(tmp_path: Path) -> None:
    """A final Ctrl-Z (DOS end of file) is not a row."""
    fec = read(tmp_path, fec_bytes(eol="\r\n") + b"\x1a")
    assert len(fec.entries) == 6


# ---------------------------------------------------------------- the four public samples

SAMPLES = {
    # file: (rows, Σ debit = Σ credit in euros, per the reference table)
    "0000000001FEC20220831.txt": (5422, Decimal("10186219.81")),
    "000000000FEC20231231.txt": (2102, Decimal("1265350.82")),
    "111111111FEC20221231.TXT": (934, Decimal("225682.23")),
    "123456789FEC20500930.txt": (10756, Decimal("8258083.73")),
}


def plain_totals(path: Path) -> tuple[int, Decimal, Decimal]:
    """Rows, Σ Debit and Σ Credit computed with nothing but the standard library."""
    text = path.read_bytes().decode("latin-1")  # amounts are ASCII whatever the encoding
    lines = [line for line in re.split(r"\r*\n", text) if line.strip()]
    sep = "\t" if "\t" in lines[0] else "|"
    header = [name.strip().lower() for name in lines[0].split(sep)]
    debit, credit = header.index("debit"), header.index("credit")
    rows = [line.split(sep) for line in lines[1:]]
    total_debit = sum(Decimal(row[debit].strip().replace(",", ".")) for row in rows)
    total_credit = sum(Decimal(row[credit].strip().replace(",", ".")) for row in rows)
    return len(rows), Decimal(total_debit), Decimal(total_credit)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_real_samples_parse_and_balance(name: str) -> None:
    """Each public sample parses; Σ debit = Σ credit = the reference total, as plain Python computes it."""
    rows, total = SAMPLES[name]
    plain_rows, plain_debit, plain_credit = plain_totals(DATA / name)
    assert (plain_rows, plain_debit, plain_credit) == (rows, total, total)
    fec = read_fec(DATA / name)
    assert len(fec.entries) == rows
    assert int(fec.entries["debit"].sum()) == int(total * 100)
    assert int(fec.entries["credit"].sum()) == int(total * 100)
    assert fec.entries["date"].notna().all()
    assert fec.entries["account"].str.fullmatch(r"\d{6,9}").all()


def test_sample_with_bom_and_ano_journal() -> None:
    """0000000001FEC20220831: UTF-8 BOM, TAB, LF, 10-digit « SIREN », ANO à-nouveaux."""
    fec = read_fec(DATA / "0000000001FEC20220831.txt")
    assert (fec.bom, fec.encoding, fec.line_ending) == (True, "utf-8", "LF")
    assert (fec.siren, fec.closing_date) == ("0000000001", dt.date(2022, 8, 31))
    assert fec.entries["account_label"].iloc[0] == "Capital souscrit appelé, versé"
    assert fec.entries["date"].min() == pd.Timestamp(2021, 9, 1)


def test_sample_with_22_columns_and_constant_entry_number() -> None:
    """000000000FEC20231231: 22 columns, EcritureNum always 0, lower-case journals, no ValidDate."""
    fec = read_fec(DATA / "000000000FEC20231231.txt")
    assert len(fec.columns) == 22 and fec.columns[-1] == "IdClient"
    assert set(fec.entries["entry_id"]) == {"0"}
    assert {"ac", "bq", "AD"} <= set(fec.entries["journal"])
    assert fec.entries["valid_date"].isna().all()


def test_sample_with_pipes_padding_and_dos_byte() -> None:
    """111111111FEC20221231.TXT: `|` + trailing `|`, padded fields, DOS 850 degree sign."""
    fec = read_fec(DATA / "111111111FEC20221231.TXT")
    assert (fec.separator, fec.encoding, fec.padded) == ("|", "cp850", True)
    assert fec.columns[16] == "MontantDevise" and len(fec.columns) == 18
    assert fec.entries["journal"].iloc[0] == "VE"
    assert fec.entries["entry_id"].iloc[0] == "00000001"
    assert fec.entries["label"].str.contains("CREAT° MAQUETTE").any()


def test_sample_with_cr_cr_lf() -> None:
    """123456789FEC20500930: CR CR LF endings, no final newline, 9-digit accounts."""
    fec = read_fec(DATA / "123456789FEC20500930.txt")
    assert fec.line_ending == "CR CR LF"
    assert fec.entries.attrs["line_numbers"][-1] == 10757
    assert fec.entries["account"].str.len().eq(9).all()


# ---------------------------------------------------------------- bad files: one clear sentence


def test_semicolon_separator_is_refused(tmp_path: Path) -> None:
    """`;` is not a FEC separator: line 1, and what was found."""
    message = error(tmp_path, fec_bytes(sep=";"))
    assert message.startswith(f"{NAME}, ligne 1 : séparateur de champs non reconnu (« ; » trouvé)")


def test_a_header_that_is_not_a_fec_header(tmp_path: Path) -> None:
    """A CSV of something else is named as not a FEC header."""
    message = error(tmp_path, b"date\tcompte\tmontant\n20230101\t512\t10,00\n")
    assert "ligne 1 : ce n'est pas un en-tête de FEC" in message


def test_missing_mandatory_columns_are_named(tmp_path: Path) -> None:
    """Without EcritureDate and Credit the header is refused, naming them."""
    header = [h for h in HEADER if h not in ("EcritureDate", "Credit")]
    rows = [[c for i, c in enumerate(row) if HEADER[i] not in ("EcritureDate", "Credit")] for row in ROWS]
    message = error(tmp_path, fec_bytes(rows, header=header))
    assert "ligne 1 : en-tête de FEC incomplet" in message
    assert "EcritureDate" in message and "Credit" in message


def test_truncated_line_gives_its_number(tmp_path: Path) -> None:
    """A line cut short is reported with its number and field count."""
    lines = fec_bytes().split(b"\n")
    lines[3] = lines[3].rsplit(b"\t", 2)[0]
    message = error(tmp_path, b"\n".join(lines))
    assert message.startswith(f"{NAME}, ligne 4 : 16 champ(s) au lieu de 18 (séparateur tabulation)")


def test_separator_inside_a_label_gives_its_line(tmp_path: Path) -> None:
    """A TAB inside EcritureLib makes one field too many on that line."""
    message = error(tmp_path, fec_bytes(replaced(4, "EcritureLib", "EDF\tjanvier")))
    assert "ligne 6 : 19 champ(s) au lieu de 18" in message


def test_non_numeric_amount_gives_line_and_column(tmp_path: Path) -> None:
    """`12,3O` (letter O) is reported with line, column and value."""
    message = error(tmp_path, fec_bytes(replaced(1, "Credit", "1000,0O")))
    assert message == f"{NAME}, ligne 3, colonne « Credit » : « 1000,0O » n'est pas un montant (ex. 1234,56)"


@pytest.mark.parametrize("value", ["1e5", "inf", "12,345", "1,2,3", "--5", "12-5"])
def test_amounts_pandas_would_misread_are_refused(tmp_path: Path, value: str) -> None:
    """Exponents, infinities, a third decimal or misplaced signs are not amounts."""
    assert "ligne 2, colonne « Debit »" in error(tmp_path, fec_bytes(replaced(0, "Debit", value)))


def test_bad_date_gives_line_and_column(tmp_path: Path) -> None:
    """`20230231` is no date."""
    message = error(tmp_path, fec_bytes(replaced(2, "EcritureDate", "20230231")))
    assert message == f"{NAME}, ligne 4, colonne « EcritureDate » : « 20230231 » n'est pas une date AAAAMMJJ"


def test_seven_digit_date_is_refused(tmp_path: Path) -> None:
    """`2023115` is ambiguous, hence refused."""
    assert "ligne 2, colonne « PieceDate »" in error(tmp_path, fec_bytes(replaced(0, "PieceDate", "2023115")))


def test_bad_direction_gives_line_and_column(tmp_path: Path) -> None:
    """A `Sens` other than D/C/+1/-1 is reported."""
    header = HEADER[:11] + ["Montant", "Sens"] + HEADER[13:]
    rows = [row[:11] + [row[11], "D"] + row[13:] for row in ROWS]
    rows[2][12] = "X"
    message = error(tmp_path, fec_bytes(rows, header=header))
    assert "ligne 4, colonne « Sens » : « X » n'est pas un sens" in message


def test_utf16_with_bom_is_read_and_without_it_refused(tmp_path: Path) -> None:
    """A UTF-16 export with its BOM reads as its UTF-8 original; without a BOM it is refused at line 1."""
    (tmp_path / NAME).write_bytes(fec_bytes(encoding="utf-16"))
    fec = read_fec(tmp_path / NAME)
    (tmp_path / "utf8").mkdir()
    (tmp_path / "utf8" / NAME).write_bytes(fec_bytes())
    assert fec.encoding == "utf-16" and fec.path == tmp_path / NAME
    assert fec.entries.equals(read_fec(tmp_path / "utf8" / NAME).entries)
    message = error(tmp_path, fec_bytes(encoding="utf-16-le"))
    assert message.startswith(f"{NAME}, ligne 1 : encodage non reconnu")


def test_nul_bytes_give_the_line_of_the_first(tmp_path: Path) -> None:
    """Binary garbage after the header is reported at its line."""
    lines = fec_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Prestations", b"Pres\x00\x00tions")
    message = error(tmp_path, b"\n".join(lines))
    assert message.startswith(f"{NAME}, ligne 3 : octet nul, encodage non reconnu")


def test_ebcdic_is_named(tmp_path: Path) -> None:
    """An EBCDIC file (legal, but rare) is named as such."""
    message = error(tmp_path, fec_bytes(encoding="cp500"))
    assert "EBCDIC" in message and "ligne 1" in message


def test_empty_file(tmp_path: Path) -> None:
    """An empty file is named as empty."""
    assert "fichier vide" in error(tmp_path, b"")


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    """A path that does not exist is a SourceError, not a traceback."""
    with pytest.raises(SourceError, match="fichier introuvable"):
        read_fec(tmp_path / NAME)
