"""FEC checks (balance, numbering, fiscal year, accounts, mandatory fields), à-nouveaux, and the `fec` source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from boardpack.build import load_inputs
from boardpack.config import load_config
from boardpack.default_plugins.sources.fec import FecSource
from boardpack.errors import ConfigError, DataError, SourceError
from boardpack.api import LoadRequest
from boardpack.fec import Finding, date_openings, opening_journals, read_fec, validate_fec
from boardpack.fec.validation import MAX_PER_CODE
from boardpack.plugins import get_registry

from conftest import SCHEMAS
from test_fec_reader import DATA, HEADER, NAME, ROWS, fec_bytes, replaced, write


#: A name without closing date: no fiscal-year finding, for the tests about something else.
PLAIN = "ecritures-FEC.txt"


def findings(tmp_path: Path, data: bytes, name: str = PLAIN) -> list[Finding]:
    """Findings of ``data`` written as a FEC called ``name``."""
    return validate_fec(read_fec(write(tmp_path, data, name)))


def codes(found: list[Finding]) -> list[tuple[str, str, int | None]]:
    """(severity, code, line) of each finding."""
    return [(f.severity, f.code, f.line) for f in found]


def row(journal: str, number: str, date: str, account: str, debit: str, credit: str,
        label: str = "Libellé", valid: str = "20230131", journal_label: str = "") -> list[str]:
    """One FEC line with the given essentials."""
    return [journal, journal_label or f"Journal {journal}", number, date, account, f"Compte {account}", "", "",
            "P1", date, label, debit, credit, "", "", valid, "", ""]


# ---------------------------------------------------------------- balance


def test_balanced_file_has_no_finding(tmp_path: Path) -> None:
    """The reference rows are clean: nothing to say."""
    assert findings(tmp_path, fec_bytes(), NAME) == []


def test_unbalanced_entry_is_an_error_naming_its_first_line(tmp_path: Path) -> None:
    """AC 1 debits 240,00 and credits 239,00: one error at its first line, with the gap."""
    found = findings(tmp_path, fec_bytes(replaced(5, "Credit", "239,00")))
    assert codes(found) == [("error", "unbalanced", 5)]
    assert found[0].message == (
        "l'écriture AC 1 n'est pas équilibrée (débit 240,00 €, crédit 239,00 €, écart 1,00 €)")
    assert str(found[0]).startswith(f"{PLAIN}, ligne 5 : l'écriture AC 1")


def test_constant_entry_number_balances_per_journal_and_day(tmp_path: Path) -> None:
    """With EcritureNum always 0, each journal's day must balance; the bad day is named."""
    rows = [
        row("od", "0", "20230105", "641000", "100,00", "0,00"),
        row("od", "0", "20230105", "421000", "0,00", "100,00"),
        row("od", "0", "20230106", "641000", "50,00", "0,00"),
        row("od", "0", "20230107", "421000", "0,00", "50,00"),
    ]
    found = findings(tmp_path, fec_bytes(rows))
    assert codes(found) == [("error", "unbalanced", 4), ("error", "unbalanced", 5)]
    assert found[0].message.startswith("les écritures du journal od du 06/01/2023 ne sont pas équilibrées")


def test_constant_numbered_opening_journal_balances_as_a_whole(tmp_path: Path) -> None:
    """Detailed à-nouveaux keep their invoices' dates: only the whole journal must balance."""
    rows = [
        row("AD", "0", day, account, debit, credit, journal_label="A Nouveaux Détaillés")
        for day, account, debit, credit in (("20211115", "411000", "120,00", "0,00"),
                                            ("20211201", "401000", "0,00", "80,00"),
                                            ("20230131", "512000", "960,00", "0,00"),
                                            ("20230131", "101300", "0,00", "1000,00"))
    ]
    assert [f.code for f in findings(tmp_path, fec_bytes(rows), NAME)] == ["date_outside_fiscal_year"]


# ---------------------------------------------------------------- numbering


def test_numbering_gap_is_a_warning_at_the_next_entry(tmp_path: Path) -> None:
    """VE 1, 2, 5: a gap of two numbers, named at the first line of VE 5."""
    rows = [row("VE", n, "20230110", a, d, c) for n in ("1", "2", "5")
            for a, d, c in (("411000", "10,00", "0,00"), ("706000", "0,00", "10,00"))]
    found = findings(tmp_path, fec_bytes(rows))
    assert codes(found) == [("warning", "numbering", 6)]
    assert found[0].message == "numérotation discontinue dans le journal VE : 5 suit 2 (2 numéro(s) manquant(s))"


def test_numbering_gap_after_a_fixed_prefix(tmp_path: Path) -> None:
    """`VEN000000001`, `VEN000000003`: the number after the prefix is checked."""
    rows = [row("VEN", f"VEN{n:09d}", "20230110", a, d, c) for n in (1, 3)
            for a, d, c in (("411000", "10,00", "0,00"), ("706000", "0,00", "10,00"))]
    found = findings(tmp_path, fec_bytes(rows))
    assert codes(found) == [("warning", "numbering", 4)]
    assert "VEN3 suit VEN1" in found[0].message


def test_non_numeric_numbering_is_not_checked(tmp_path: Path) -> None:
    """Free-form entry numbers (`INV/2021/00001`, `A-B`) give no numbering finding."""
    rows = [row("VE", n, "20230110", a, d, c) for n in ("INV/2021/00001", "A-B")
            for a, d, c in (("411000", "10,00", "0,00"), ("706000", "0,00", "10,00"))]
    assert findings(tmp_path, fec_bytes(rows)) == []


# ---------------------------------------------------------------- fiscal year and closing date


def test_dates_outside_the_fiscal_year_of_the_file_name(tmp_path: Path) -> None:
    """Closing 31/01/2023 → FY 01/02/2022–31/01/2023: one warning per journal outside, count, first line."""
    rows = [list(r) for r in ROWS]
    for r in rows[:3]:
        r[3] = "20220120"
    found = findings(tmp_path, fec_bytes(rows), NAME)
    assert codes(found) == [("warning", "date_outside_fiscal_year", 2)]
    assert found[0].message == ("3 ligne(s) du journal VE datée(s) hors de l'exercice du 01/02/2022 au "
                                "31/01/2023 déduit du nom du fichier (première : 20/01/2022)")


def test_twelve_months_end_at_a_mid_year_closing_date(tmp_path: Path) -> None:
    """Closing 31/08/2023 → FY 01/09/2022–31/08/2023: January 2023 is inside."""
    found = findings(tmp_path, fec_bytes(), "123456789FEC20230831.txt")
    assert [f.code for f in found] == ["closing_date"]


def test_no_line_inside_the_fiscal_year_gives_one_finding(tmp_path: Path) -> None:
    """A file name contradicted by every date gives one warning, not one per journal."""
    found = findings(tmp_path, fec_bytes(), "123456789FEC20500930.txt")
    assert [f.code for f in found] == ["date_outside_fiscal_year", "closing_date"]
    assert "aucune ligne n'est datée dans l'exercice du 01/10/2049 au 30/09/2050" in found[0].message


def test_no_closing_date_in_the_name_means_no_fiscal_year_finding(tmp_path: Path) -> None:
    """Without `<SIREN>FEC<AAAAMMJJ>` the fiscal year is the span of the data: nothing is outside."""
    assert findings(tmp_path, fec_bytes(), "export-compta.txt") == []


def test_closing_date_disagreeing_with_the_last_date(tmp_path: Path) -> None:
    """Name says 28/02/2023, last entry is 31/01/2023: a warning at a line of that last date."""
    found = findings(tmp_path, fec_bytes(), "123456789FEC20230228.txt")
    assert codes(found) == [("warning", "closing_date", 5)]
    assert "(28/02/2023) n'est pas la dernière date d'écriture (31/01/2023)" in found[0].message


# ---------------------------------------------------------------- accounts and mandatory fields


def test_account_without_three_leading_digits_is_an_error(tmp_path: Path) -> None:
    """`4A1000` and `40` are not PCG accounts: one error per account, with its line count."""
    rows = replaced(0, "CompteNum", "4A1000")
    rows[3][4] = "40"
    found = findings(tmp_path, fec_bytes(rows))
    assert codes(found) == [("error", "account", 2), ("error", "account", 5)]
    assert found[0].message == ("le compte « 4A1000 » (CompteNum) ne commence pas par trois chiffres du "
                                "plan comptable (1 ligne(s))")


def test_empty_mandatory_fields_are_warnings_with_counts(tmp_path: Path) -> None:
    """Empty EcritureLib (2 lines), ValidDate (all) and Debit/Credit (1 line) are each one warning."""
    rows = [list(r) for r in ROWS]
    rows[1][10] = rows[4][10] = ""
    for r in rows:
        r[15] = ""
    rows[2][11] = rows[2][12] = ""
    rows[0][11], rows[0][12] = "1000,00", ""  # Credit empty but Debit filled: not a missing amount
    found = {f.message.split(" vide ")[0]: f for f in findings(tmp_path, fec_bytes(rows))}
    assert found["champ obligatoire EcritureLib"].line == 3
    assert found["champ obligatoire EcritureLib"].message.endswith("sur 2 ligne(s)")
    assert found["champ obligatoire ValidDate"].message.endswith("sur 6 ligne(s)")
    assert found["champ obligatoire Debit/Credit"].line == 4
    assert all(f.severity == "warning" for f in found.values())


def test_mandatory_column_missing_from_the_header_is_a_warning(tmp_path: Path) -> None:
    """Without ValidDate, Montantdevise and Idevise the file reads, with one warning each."""
    keep = [i for i, name in enumerate(HEADER) if name not in ("ValidDate", "Montantdevise", "Idevise")]
    data = fec_bytes([[r[i] for i in keep] for r in ROWS], header=[HEADER[i] for i in keep])
    found = findings(tmp_path, data)
    assert [(f.code, f.line) for f in found] == [("missing_field", 1)] * 3
    assert found[0].message == "le champ obligatoire ValidDate est absent de l'en-tête"


def test_findings_are_capped_per_code(tmp_path: Path) -> None:
    """A thousand unbalanced entries give MAX_PER_CODE errors and one summary."""
    rows = [row("VE", str(n), "20230110", "411000", "10,00", "0,00") for n in range(1, 1001)]
    found = findings(tmp_path, fec_bytes(rows))
    assert len(found) == MAX_PER_CODE + 1
    assert found[-1].line is None and "950 autre(s)" in found[-1].message


# ---------------------------------------------------------------- the real samples and their à-nouveaux


def test_real_samples_have_no_error() -> None:
    """The four public samples balance and use PCG accounts; their warnings are the known quirks."""
    expected = {
        "0000000001FEC20220831.txt": set(),
        "000000000FEC20231231.txt": {"missing_field", "closing_date", "date_outside_fiscal_year"},
        "111111111FEC20221231.TXT": {"closing_date", "date_outside_fiscal_year"},
        "123456789FEC20500930.txt": {"closing_date", "date_outside_fiscal_year"},
    }
    for name, warnings in expected.items():
        found = validate_fec(read_fec(DATA / name))
        assert [f for f in found if f.severity == "error"] == [], name
        assert {f.code for f in found} == warnings, name


def test_opening_journals_of_the_samples() -> None:
    """À-nouveaux journals: ANO, AD « A Nouveaux Détaillés », AN (labelled OD54), ANO."""
    found = {name: opening_journals(read_fec(DATA / name).entries) for name in (
        "0000000001FEC20220831.txt", "000000000FEC20231231.txt", "111111111FEC20221231.TXT",
        "123456789FEC20500930.txt")}
    assert found == {
        "0000000001FEC20220831.txt": {"ANO": "A nouveaux"},
        "000000000FEC20231231.txt": {"AD": "A Nouveaux Détaillés"},
        "111111111FEC20221231.TXT": {"AN": "OD54"},
        "123456789FEC20500930.txt": {"ANO": "A NOUVEAUX"},
    }


def test_detailed_opening_lines_move_to_the_fiscal_year_start() -> None:
    """000000000FEC20231231: the 422 AD lines dated 2021–2022 open FY 2023; PieceDate keeps their date."""
    fec = read_fec(DATA / "000000000FEC20231231.txt")
    early = (fec.entries["journal"] == "AD") & (fec.entries["date"] < pd.Timestamp(2023, 1, 1))
    piece_dates = fec.entries.loc[early, "piece_date"].copy()
    assert date_openings(fec) == (422, pd.Timestamp(2023, 1, 1))
    assert (fec.entries.loc[early, "date"] == pd.Timestamp(2023, 1, 1)).all()
    assert fec.entries.loc[early, "piece_date"].equals(piece_dates)


def test_a_contradicted_file_name_moves_nothing() -> None:
    """123456789FEC20500930: the name's fiscal year is not the content's, so à-nouveaux stay put."""
    fec = read_fec(DATA / "123456789FEC20500930.txt")
    assert date_openings(fec) == (0, None)
    assert fec.entries["date"].min() == pd.Timestamp(2022, 4, 1)


# ---------------------------------------------------------------- the `fec` source

CONFIG = """\
[company]
name = "Test FEC"

[sources.compta]
type = "fec"
path = "{path}"
{extra}
[audiences.daf]
title = "Détail DAF"
sections = ["kpi_table"]
"""


def year_rows(year: int) -> list[list[str]]:
    """A small balanced fiscal year: à-nouveaux on 1 January, a sale, its payment."""
    d = f"{year}"
    rows = [row("AN", "1", f"{d}0101", "512000", f"{10000 + 1200 * (year - 2022)},00", "0,00", valid=f"{d}0131")]
    rows.append(row("AN", "1", f"{d}0101", "101300", "0,00", "10000,00", valid=f"{d}0131"))
    if year > 2022:
        rows.append(row("AN", "1", f"{d}0101", "110000", "0,00", f"{1200 * (year - 2022)},00", valid=f"{d}0131"))
    rows += [
        row("VE", "1", f"{d}0315", "411000", "1200,00", "0,00", valid=f"{d}0331"),
        row("VE", "1", f"{d}0315", "706000", "0,00", "1200,00", valid=f"{d}0331"),
        row("BQ", "1", f"{d}0415", "512000", "1200,00", "0,00", valid=f"{d}0430"),
        row("BQ", "1", f"{d}0415", "411000", "0,00", "1200,00", valid=f"{d}0430"),
    ]
    return rows


def company_folder(tmp_path: Path, files: dict[str, bytes], path: str = "fec", extra: str = "") -> Path:
    """A config (returned) whose `fec` source reads ``path``, next to a folder holding ``files``."""
    folder = tmp_path / "fec"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    config = tmp_path / "boardpack.toml"
    config.write_text(CONFIG.format(path=path, extra=extra), encoding="utf-8")
    return config


def load(config: Path) -> pd.DataFrame:
    """The ``entries`` dataset the build loads from ``config``."""
    return load_inputs(load_config(config)).datasets["entries"]


def test_fec_source_is_registered() -> None:
    """`type = "fec"` is a built-in source with its two options."""
    source = get_registry().sources["fec"]
    assert source is FecSource
    assert set(source.options) == {"path", "strict"}


def test_fec_source_reads_one_file_through_a_session(tmp_path: Path) -> None:
    """A config pointing at one sample file loads its entries, line numbers and file name."""
    shutil.copy(DATA / "0000000001FEC20220831.txt", tmp_path / "0000000001FEC20220831.txt")
    config = company_folder(tmp_path, {}, path="0000000001FEC20220831.txt")
    entries = load(config)
    assert len(entries) == 5422
    assert int(entries["debit"].sum()) == int(entries["credit"].sum()) == 1018621981
    assert set(entries["source_file"]) == {"0000000001FEC20220831.txt"}
    assert sorted(entries.attrs["line_numbers"])[:2] == [2, 3]
    assert entries["date"].is_monotonic_increasing


def test_fec_source_reads_consecutive_fiscal_years_from_a_folder(tmp_path: Path) -> None:
    """Two years, two files: one dataset in date order, each year's à-nouveaux kept, lines per file."""
    config = company_folder(tmp_path, {
        "812345674FEC20231231.txt": fec_bytes(year_rows(2023), eol="\r\n"),
        "812345674FEC20221231.TXT": fec_bytes(year_rows(2022), sep="|"),
        "notes.txt": b"pas un FEC",
    })
    entries = load(config)
    assert entries["date"].is_monotonic_increasing
    assert entries["source_file"].iloc[0] == "812345674FEC20221231.TXT"
    assert entries["source_file"].iloc[-1] == "812345674FEC20231231.txt"
    openings = entries[entries["journal"] == "AN"]
    assert sorted(set(openings["date"].dt.year)) == [2022, 2023]
    lines = list(entries.attrs["line_numbers"])
    first_2023 = int(entries.index[entries["source_file"] == "812345674FEC20231231.txt"][0])
    assert lines[0] == 2 and lines[first_2023] == 2
    assert len(entries) == 6 + 7


def test_fec_source_stops_on_the_first_error_with_the_count_of_others(tmp_path: Path) -> None:
    """Two unbalanced entries: the first is named with file and line, the other counted."""
    rows = replaced(5, "Credit", "239,00")
    rows[0][11] = "1200,01"
    config = company_folder(tmp_path, {NAME: fec_bytes(rows)})
    with pytest.raises(DataError) as caught:
        load(config)
    assert str(caught.value) == (
        f"{NAME}, ligne 2 : l'écriture VE 1 n'est pas équilibrée (débit 1 200,01 €, crédit 1 200,00 €, "
        "écart 0,01 €) (1 autre(s) erreur(s) dans ce fichier)").replace("1 200", "1\u202f200")


def test_fec_source_returns_warnings_with_the_data(tmp_path: Path) -> None:
    """Warnings do not stop the load; they come back with the data for `boardpack check`."""
    company_folder(tmp_path, {"123456789FEC20230228.txt": fec_bytes()})
    source = FecSource("compta", {"path": "fec"}, tmp_path)
    loaded = source.load(LoadRequest(SCHEMAS))
    entries = loaded["entries"]
    assert len(entries) == 6
    assert [(f.code, f.file, f.line) for f in loaded.findings] == [
        ("closing_date", "123456789FEC20230228.txt", 5)]
    assert loaded.opening_journals == {}


def test_fec_source_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    """With `strict = true` the first warning stops the load, naming file and line."""
    config = company_folder(tmp_path, {"123456789FEC20230228.txt": fec_bytes()}, extra="strict = true\n")
    with pytest.raises(DataError, match=r"^123456789FEC20230228\.txt, ligne 5 : la date de clôture .*strict"):
        load(config)


def test_fec_source_dates_detailed_openings_and_reports_it(tmp_path: Path) -> None:
    """The AD lines of 000000000FEC20231231 are moved to 01/01/2023, with a warning saying so."""
    shutil.copy(DATA / "000000000FEC20231231.txt", tmp_path / "000000000FEC20231231.txt")
    source = FecSource("compta", {"path": "000000000FEC20231231.txt"}, tmp_path)
    loaded = source.load(LoadRequest(SCHEMAS))
    entries = loaded["entries"]
    assert entries["date"].min() == pd.Timestamp(2023, 1, 1)
    assert loaded.opening_journals == {"AD": "A Nouveaux Détaillés"}
    moved = [f for f in loaded.findings if f.code == "opening_dated"]
    assert len(moved) == 1 and moved[0].message.startswith("422 ligne(s) d'à-nouveaux")


def test_fec_source_applies_the_entries_contract(tmp_path: Path) -> None:
    """A class-9 account passes the FEC checks but not the `entries` dataset's (PCG classes 1–8)."""
    rows = replaced(3, "CompteNum", "901000")
    config = company_folder(tmp_path, {NAME: fec_bytes(rows)})
    with pytest.raises(DataError, match=rf"^{NAME}, ligne 5, colonne « account » : « 901000 »"):
        load(config)


def test_fec_source_requires_entry_numbers(tmp_path: Path) -> None:
    """An empty EcritureNum is only a FEC warning, but the ledger needs it: error with line and column."""
    rows = [list(r) for r in ROWS]
    for r in rows[3:]:
        r[2] = ""
    config = company_folder(tmp_path, {NAME: fec_bytes(rows)})
    with pytest.raises(DataError, match=rf"^{NAME}, ligne 5, colonne « EcritureNum » : valeur manquante"):
        load(config)


def test_fec_source_folder_without_fec_files(tmp_path: Path) -> None:
    """A folder with no *FEC*.txt file is a SourceError naming it."""
    config = company_folder(tmp_path, {"grand-livre.csv": b"x"})
    with pytest.raises(SourceError, match="aucun fichier \\*FEC\\*.txt"):
        load(config)


def test_fec_source_refuses_two_companies(tmp_path: Path) -> None:
    """Files of two SIRENs in one folder are refused."""
    config = company_folder(tmp_path, {
        "812345674FEC20221231.txt": fec_bytes(year_rows(2022)),
        "999999999FEC20231231.txt": fec_bytes(year_rows(2023)),
    })
    with pytest.raises(SourceError, match="une même société"):
        load(config)


def test_fec_source_refuses_two_files_for_one_fiscal_year(tmp_path: Path) -> None:
    """Two FEC with the same closing date would count the year twice."""
    config = company_folder(tmp_path, {
        "812345674FEC20221231.txt": fec_bytes(year_rows(2022)),
        "812345674FEC20221231_v2.txt": fec_bytes(year_rows(2022)),
    })
    with pytest.raises(SourceError, match="même date de clôture"):
        load(config)


def test_fec_source_option_typo_is_a_config_error(tmp_path: Path) -> None:
    """`strikt` is refused with a suggestion, like any source option."""
    config = company_folder(tmp_path, {NAME: fec_bytes()}, extra="strikt = true\n")
    with pytest.raises(ConfigError, match="vouliez-vous dire « strict »"):
        load(config)


def test_fec_source_strict_must_be_a_boolean(tmp_path: Path) -> None:
    """`strict = "peut-être"` is a ConfigError naming the source and the option."""
    company_folder(tmp_path, {NAME: fec_bytes()})
    source = FecSource("compta", {"path": "fec", "strict": "peut-être"}, tmp_path)
    with pytest.raises(ConfigError, match="source « compta », option « strict » : true ou false attendu"):
        source.load(LoadRequest(SCHEMAS))
