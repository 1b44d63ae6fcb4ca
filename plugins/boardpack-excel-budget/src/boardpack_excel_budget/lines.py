"""Row labels of a budget workbook → the statement-line ids of the ``budget`` dataset.

A row may name its line by id (``chiffre_affaires``) or by label, French or English, as
boardpack's PCG mapping writes them (« Chiffre d'affaires net », « Salaires et
traitements »…), plus the usual short forms below. Case, accents, apostrophes and spaces
do not matter. The source's ``labels`` option adds the workbook's own wording.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping

from boardpack.api.accounts import PL_LINES, SIG_LINES

__all__ = ["SYNONYMS", "known_lines", "label_key", "line_table", "suggest"]

#: Short forms found in budget workbooks, with the line they mean.
SYNONYMS = {
    "Chiffre d'affaires": "chiffre_affaires",
    "CA": "chiffre_affaires",
    "Ventes": "chiffre_affaires",
    "Achats consommés (matières)": "achats_consommes",
    "Charges externes": "autres_achats_charges_externes",
    "Impôts et taxes": "impots_taxes",
    "Salaires": "salaires",
    "Dotations aux amortissements": "dotations_exploitation",
    "Dotations aux amortissements et provisions": "dotations_exploitation",
    "Impôt sur les sociétés": "impot_benefices",
    "IS": "impot_benefices",
    "Charges de personnel": "charges_personnel",
}


def label_key(text: str) -> str:
    """How labels are compared: lower case, no accents, straight apostrophes, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("\u00a0", " ").split()).rstrip(" :")


def known_lines() -> set[str]:
    """Every statement-line id a budget row may name (compte de résultat lines and SIG subtotals)."""
    return set(PL_LINES) | set(SIG_LINES)


def line_table(extra: Mapping[str, str] = {}) -> dict[str, str]:
    """Label key → line id: ids, French and English labels, synonyms, then ``extra`` (which wins)."""
    table: dict[str, str] = {}
    for lines in (PL_LINES, SIG_LINES):
        for line in lines.values():
            table[label_key(line.id)] = line.id
            table[label_key(line.fr)] = line.id
            table[label_key(line.en)] = line.id
    for label, line_id in SYNONYMS.items():
        table[label_key(label)] = line_id
    for label, line_id in extra.items():
        table[label_key(label)] = line_id
    return table


def suggest(label: str, table: Mapping[str, str]) -> str | None:
    """The line id of the closest known label, for « vouliez-vous dire » hints."""
    close = difflib.get_close_matches(label_key(label), list(table), n=1, cutoff=0.75)
    return table[close[0]] if close else None
