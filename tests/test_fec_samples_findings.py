"""The findings of the four real FEC samples, pinned line by line so that faster checks change none.

The lines were checked by hand against the files (``awk`` on the raw text): in
``000000000FEC20231231.txt`` every one of the 2 102 lines has an empty ValidDate, line 1466
is the first dated 30/06/2023 (the last date of the file), line 1648 the first of the 422
``AD`` lines dated before 2023; in ``111111111FEC20221231.TXT`` line 934 is the first dated
31/07/2023; in ``123456789FEC20500930.txt`` line 2565 the first dated 30/04/2023.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from boardpack.build import load_inputs
from boardpack.config import load_config
from boardpack.fec import read_fec, validate_fec

DATA = Path(__file__).resolve().parent / "data" / "fec"

_AD_OUTSIDE = ("422 ligne(s) du journal AD datée(s) hors de l'exercice du 01/01/2023 au 31/12/2023 "
               "déduit du nom du fichier (première : 01/01/2021)")
#: (severity, code, line, message) of every finding of each sample, in the order returned.
EXPECTED = {
    "0000000001FEC20220831.txt": [],
    "000000000FEC20231231.txt": [
        ("warning", "missing_field", 2, "champ obligatoire ValidDate vide sur 2102 ligne(s)"),
        ("warning", "closing_date", 1466, "la date de clôture du nom du fichier (31/12/2023) n'est pas "
                                          "la dernière date d'écriture (30/06/2023)"),
        ("warning", "date_outside_fiscal_year", 1648, _AD_OUTSIDE),
    ],
    "111111111FEC20221231.TXT": [
        ("warning", "date_outside_fiscal_year", 2, "aucune ligne n'est datée dans l'exercice du 01/01/2022 "
         "au 31/12/2022 déduit du nom du fichier : les écritures vont du 01/01/2023 au 31/07/2023"),
        ("warning", "closing_date", 934, "la date de clôture du nom du fichier (31/12/2022) n'est pas "
                                         "la dernière date d'écriture (31/07/2023)"),
    ],
    "123456789FEC20500930.txt": [
        ("warning", "date_outside_fiscal_year", 2, "aucune ligne n'est datée dans l'exercice du 01/10/2049 "
         "au 30/09/2050 déduit du nom du fichier : les écritures vont du 01/04/2022 au 30/04/2023"),
        ("warning", "closing_date", 2565, "la date de clôture du nom du fichier (30/09/2050) n'est pas "
                                          "la dernière date d'écriture (30/04/2023)"),
    ],
}
#: What the ``fec`` source adds: the detailed à-nouveaux of sample 2 moved to 1 January 2023.
OPENING_DATED = {
    "000000000FEC20231231.txt": [
        ("warning", "opening_dated", None, "422 ligne(s) d'à-nouveaux datée(s) avant l'ouverture de "
         "l'exercice ramenée(s) au 01/01/2023 (leur date d'origine reste dans PieceDate)"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_findings_are_pinned(name: str) -> None:
    """validate_fec gives each sample exactly its known findings: same codes, lines, messages, order."""
    found = validate_fec(read_fec(DATA / name))
    assert [(f.severity, f.code, f.line, f.message) for f in found] == EXPECTED[name]
    assert {f.file for f in found} <= {name}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_warnings_of_the_fec_source_are_pinned(tmp_path: Path, name: str) -> None:
    """The `fec` source keeps the same warnings, plus the à-nouveaux it re-dates, each naming the file."""
    shutil.copy(DATA / name, tmp_path / name)
    config = tmp_path / "boardpack.toml"
    config.write_text(f'[company]\nname = "Test"\n[sources.compta]\ntype = "fec"\npath = "{name}"\n'
                      '[audiences.daf]\nsections = ["kpi_table"]\n', encoding="utf-8")
    session = load_inputs(load_config(config))
    expected = EXPECTED[name] + OPENING_DATED.get(name, [])
    assert [(f.severity, f.code, f.line, f.message) for f in session.findings] == expected
    assert {f.file for f in session.findings} <= {name}
