"""The csv source: separators, encodings, French number and date forms, and its errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from boardpack.api import LoadRequest
from boardpack.default_plugins.sources.csv import CsvSource, read_table
from boardpack.errors import DataError, SourceError

from conftest import SCHEMAS

HEADER = "date;journal;entry_id;account;account_label;debit;credit"


def load(folder: Path, **options: str) -> dict[str, pd.DataFrame]:
    """Load ``folder`` (relative to its parent) through a csv source."""
    source = CsvSource("compta", {"path": folder.name, **options}, folder.parent)
    return source.load(LoadRequest(SCHEMAS))


def folder_with(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    """A data folder holding ``files``."""
    folder = tmp_path / "donnees"
    folder.mkdir()
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def test_semicolon_decimal_comma_and_french_dates(tmp_path: Path) -> None:
    """`;` separator, decimal comma with thousands space and JJ/MM/AAAA are read as such."""
    folder = folder_with(tmp_path, {"entries.csv": (
        f"{HEADER}\n"
        "15/02/2026;VE;1;411000;Clients;1 234,56;0,00\n"
        "15/02/2026;VE;1;701000;Ventes;0,00;1 234,56\n"
    )})
    entries = load(folder)["entries"]
    assert list(entries["debit"]) == [123456, 0]
    assert entries["date"].iloc[0] == pd.Timestamp(2026, 2, 15)
    assert entries["account_label"].iloc[1] == "Ventes"


def test_comma_separator_with_dot_decimals(tmp_path: Path) -> None:
    """A `,`-separated file with dot decimals and ISO dates is detected and read."""
    folder = folder_with(tmp_path, {"entries.csv": (
        "date,journal,entry_id,account,debit,credit\n"
        "2026-02-05,VE,1,411000,1234.56,0\n"
        "2026-02-05,VE,1,701000,0,1234.56\n"
    )})
    entries = load(folder)["entries"]
    assert list(entries["credit"]) == [0, 123456]


def test_comma_separator_with_quoted_decimal_comma(tmp_path: Path) -> None:
    """With `,` as separator, quoted French amounts keep their decimal comma."""
    folder = folder_with(tmp_path, {"entries.csv": (
        "date,journal,entry_id,account,debit,credit\n"
        '15/02/2026,VE,1,411000,"1 234,56",0\n'
        '15/02/2026,VE,1,701000,0,"1 234,56"\n'
    )})
    assert list(load(folder)["entries"]["debit"]) == [123456, 0]


def test_utf8_with_bom(tmp_path: Path) -> None:
    """A UTF-8 file with a BOM has a clean first column name and accented text intact."""
    content = (f"{HEADER}\n15/02/2026;OD;1;601000;Achats matières;10,00;0\n"
               "15/02/2026;OD;1;401000;Fournisseurs;0;10,00\n")
    folder = folder_with(tmp_path, {"entries.csv": b"\xef\xbb\xbf" + content.encode("utf-8")})
    entries = load(folder)["entries"]
    assert entries["date"].iloc[0] == pd.Timestamp(2026, 2, 15)
    assert entries["account_label"].iloc[0] == "Achats matières"


def test_latin1_file_with_accents(tmp_path: Path) -> None:
    """A Latin-1 (Windows) export has its accents decoded correctly."""
    content = (f"{HEADER}\n15/02/2026;OD;1;641000;Rémunérations du personnel;10,00;0\n"
               "15/02/2026;OD;1;421000;Personnel – dû;0;10,00\n")
    folder = folder_with(tmp_path, {"entries.csv": content.encode("cp1252")})
    entries = load(folder)["entries"]
    assert entries["account_label"].iloc[0] == "Rémunérations du personnel"
    assert entries["account_label"].iloc[1] == "Personnel – dû"


def test_pure_latin1_bytes(tmp_path: Path) -> None:
    """Bytes valid in ISO-8859-1 (é = 0xE9) decode to the same accents."""
    content = f"{HEADER}\n15/02/2026;OD;1;601000;Matières é à ç;10,00;0\n15/02/2026;OD;1;401000;F;0;10,00\n"
    folder = folder_with(tmp_path, {"entries.csv": content.encode("latin-1")})
    assert load(folder)["entries"]["account_label"].iloc[0] == "Matières é à ç"


def test_explicit_encoding_that_fails_is_a_source_error(tmp_path: Path) -> None:
    """encoding = "utf-8" on a Latin-1 file is a SourceError naming the file and the encoding."""
    content = f"{HEADER}\n15/02/2026;OD;1;601000;Matières;10,00;0\n15/02/2026;OD;1;401000;F;0;10,00\n"
    folder = folder_with(tmp_path, {"entries.csv": content.encode("latin-1")})
    with pytest.raises(SourceError, match=r"entries\.csv.*utf-8"):
        load(folder, encoding="utf-8")


def test_explicit_separator(tmp_path: Path) -> None:
    """separator = "|" is used as given."""
    folder = folder_with(tmp_path, {"budget.csv": "period|line|amount\n2026-01|chiffre_affaires|10,5\n"})
    budget = load(folder, separator="|")["budget"]
    assert int(budget["amount"].iloc[0]) == 1050


def test_wrong_field_count_gives_line_number(tmp_path: Path) -> None:
    """A row with a missing field is reported with its line number and field counts."""
    folder = folder_with(tmp_path, {"budget.csv": (
        "period;line;amount\n"
        "2026-01;chiffre_affaires;10,00\n"
        "2026-02;chiffre_affaires;10,00\n"
        "2026-03;chiffre_affaires\n"
    )})
    with pytest.raises(DataError) as info:
        load(folder)
    message = str(info.value)
    assert "budget.csv" in message
    assert "ligne 4" in message
    assert "2 champs au lieu de 3" in message


def test_bad_value_names_file_line_and_column(tmp_path: Path) -> None:
    """A non-numeric amount is reported with the file path, its line and the column."""
    folder = folder_with(tmp_path, {"budget.csv": (
        "period;line;amount\n2026-01;chiffre_affaires;10,00\n2026-02;chiffre_affaires;dix\n"
    )})
    with pytest.raises(DataError) as info:
        load(folder)
    message = str(info.value)
    assert str(folder / "budget.csv") in message
    assert "ligne 3" in message
    assert "« amount »" in message


def test_blank_line_does_not_shift_error_line(tmp_path: Path) -> None:
    """After a blank line, a bad value is still reported at its real line in the file."""
    folder = folder_with(tmp_path, {"budget.csv": (
        "period;line;amount\n"        # line 1
        "2026-01;chiffre_affaires;10,00\n"  # line 2
        "\n"                          # line 3
        "2026-02;chiffre_affaires;dix\n"    # line 4
    )})
    with pytest.raises(DataError, match=r"ligne 4,"):
        load(folder)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    """Empty lines in a file are not rows."""
    folder = folder_with(tmp_path, {"budget.csv": (
        "period;line;amount\n2026-01;chiffre_affaires;10,00\n\n2026-02;chiffre_affaires;20,00\n\n"
    )})
    assert list(load(folder)["budget"]["amount"]) == [1000, 2000]


def test_unknown_file_name_is_refused(tmp_path: Path) -> None:
    """A CSV not named after a dataset is refused, naming it and the admitted names."""
    folder = folder_with(tmp_path, {
        "budget.csv": "period;line;amount\n2026-01;chiffre_affaires;10,00\n",
        "ecritures.csv": f"{HEADER}\n",
    })
    with pytest.raises(SourceError) as info:
        load(folder)
    message = str(info.value)
    assert "ecritures.csv" in message
    assert "entries.csv" in message  # admitted names are listed
    assert "« compta »" in message


def test_missing_folder_is_a_source_error(tmp_path: Path) -> None:
    """A path that is not a folder is a SourceError naming the source and the folder."""
    source = CsvSource("compta", {"path": "absent"}, tmp_path)
    with pytest.raises(SourceError) as info:
        source.load(LoadRequest(SCHEMAS))
    assert "compta" in str(info.value)
    assert str(tmp_path / "absent") in str(info.value)


def test_folder_without_csv_is_a_source_error(tmp_path: Path) -> None:
    """An empty folder is a SourceError, not an empty dataset list."""
    (tmp_path / "vide").mkdir()
    with pytest.raises(SourceError, match="aucun fichier"):
        CsvSource("compta", {"path": "vide"}, tmp_path).load(LoadRequest(SCHEMAS))


def test_empty_file_is_a_data_error(tmp_path: Path) -> None:
    """A file without header line is a DataError naming the file."""
    folder = folder_with(tmp_path, {"budget.csv": ""})
    with pytest.raises(DataError, match=r"budget\.csv.*vide"):
        load(folder)


def test_read_table_returns_strings_with_header(tmp_path: Path) -> None:
    """read_table keeps values as text and strips header names."""
    path = tmp_path / "x.csv"
    path.write_text(" a ; b \n1;2,5\n", encoding="utf-8")
    frame = read_table(path, "x.csv")
    assert list(frame.columns) == ["a", "b"]
    assert frame.iloc[0].tolist() == ["1", "2,5"]


def test_small_company_loads_every_dataset(small_company) -> None:  # type: ignore[no-untyped-def]
    """The small company's folder yields its six datasets with the expected row counts."""
    datasets = load(small_company.data)
    # 5 AN lines + 14 months × 16 recurring lines + 13 settlements × 6 lines + 2 + 2 + 4 once-only lines
    assert len(datasets["entries"]) == 5 + 14 * 16 + 13 * 6 + 2 + 2 + 4
    assert {name: len(frame) for name, frame in datasets.items() if name != "entries"} == {
        "invoices": 3, "deals": 6, "ops_metrics": 6, "budget": 28, "loans": 14,
    }


def test_datasets_option_reads_only_the_named_files(tmp_path):
    from boardpack.default_plugins.sources.csv import DemoSource
    from boardpack.plugins import get_registry

    source = DemoSource("demo", {"datasets": ["deals", "budget"]}, tmp_path)
    loaded = source.load(LoadRequest(get_registry().datasets))
    assert sorted(loaded) == ["budget", "deals"]


def test_datasets_option_names_an_unknown_dataset(tmp_path):
    import pytest

    from boardpack.default_plugins.sources.csv import DemoSource
    from boardpack.errors import ConfigError
    from boardpack.plugins import get_registry

    source = DemoSource("demo", {"datasets": ["deal"]}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources\.demo\.datasets.*« deal »"):
        source.load(LoadRequest(get_registry().datasets))


ROWS = [
    "01/03/2026;VT;VT1;411000;Clients;1200,00;0,00",
    '01/03/2026;VT;VT1;706000;"Ventes; pièces ""usinées""";0,00;1200,00',
]


@pytest.mark.parametrize("layout", ["plain", "blank line", "line break in a quoted value"])
def test_fast_and_careful_readers_agree(tmp_path: Path, layout: str) -> None:
    """The pyarrow path (plain files) and the csv-module path (blank lines, quoted line
    breaks) give the same strings and the true file line of each row."""
    rows = list(ROWS)
    if layout == "blank line":
        rows.insert(1, "")
    if layout == "line break in a quoted value":
        rows[1] = rows[1].replace("pièces", "pièces\nfinies")
    path = tmp_path / "entries.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    frame = read_table(path, "entries.csv")
    assert list(frame.columns) == HEADER.split(";")
    labels = frame["account_label"].tolist()
    assert labels[0] == "Clients"
    assert labels[1].startswith("Ventes; pièces") and labels[1].endswith('"usinées"')
    expected_lines = {"plain": [2, 3], "blank line": [2, 4], "line break in a quoted value": [2, 3]}[layout]
    assert list(frame.attrs["line_numbers"]) == expected_lines
    coerced = SCHEMAS["entries"].coerce(frame, "entries.csv")
    assert coerced["debit"].tolist() == [120000, 0] and coerced["account_label"].dtype == object
