"""What each statement and cash-flow fact is, in words: its label and its definition.

A compte de résultat line is defined by the PCG accounts the versioned mapping puts on it
(:func:`boardpack.accounting.pcg.mapping_for`), a SIG subtotal by its formula over other lines,
a bilan line by the accounts whose debit (credit) balances it holds, a bilan total by the lines
it adds; the lines of the tableau de flux by the rules of :mod:`boardpack.accounting.cashflow`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

from ..accounting.pcg import (
    BILAN_LINES,
    BILAN_TOTAL_LINES,
    BILAN_TOTALS,
    PL_LINES,
    SIG_FORMULAS,
    SIG_LINES,
    mapping_for,
)

__all__ = ["FLOW_LINES", "NET_CASH", "balance_definition", "line_definition", "statement_label"]

Text = Mapping[str, str]

#: The net cash read at a month end (not a bilan line: what the cash KPIs and the tableau de flux read).
NET_CASH: tuple[Text, Text] = (
    {"fr": "Trésorerie nette", "en": "Net cash"},
    {"fr": "Soldes débiteurs des comptes 51, 53, 54, 58 moins les soldes créditeurs des comptes 51 "
           "(concours bancaires courants), à la fin du mois",
     "en": "Debit balances of accounts 51, 53, 54, 58 less the credit balances of accounts 51 "
           "(bank overdrafts), at the end of the month"},
)

#: Key → (label, definition) of each line of the tableau de flux (:class:`~boardpack.accounting.cashflow.CashFlow`).
FLOW_LINES: dict[str, tuple[Text, Text]] = {
    "caf": ({"fr": "Capacité d'autofinancement (CAF)", "en": "Cash flow from operations before WCR (CAF)"},
            {"fr": "Résultat net + dotations (68) − reprises (78) + VNC des actifs cédés (675) − produits de "
                   "cession (775) − quote-part des subventions virée au résultat (777)",
             "en": "Net result + depreciation and provisions (68) − write-backs (78) + book value of assets "
                   "sold (675) − disposal proceeds (775) − investment grants released (777)"}),
    "caf_soustractive": (
        {"fr": "CAF (méthode soustractive)", "en": "CAF (subtractive method)"},
        {"fr": "EBE + transferts de charges (791) + autres produits (75) − autres charges (65) + produits "
               "financiers (76, 796) − charges financières (66) + produits exceptionnels (77, 797 hors 775, 777) "
               "− charges exceptionnelles (67 hors 675) − participation (691) − impôt (69 hors 691)",
         "en": "EBITDA + charge transfers (791) + other income (75) − other charges (65) + financial income "
               "(76, 796) − financial charges (66) + exceptional income (77, 797 excl. 775, 777) − exceptional "
               "charges (67 excl. 675) − profit sharing (691) − tax (69 excl. 691)"}),
    "delta_bfr": ({"fr": "Variation du BFR", "en": "Change in working capital"},
                  {"fr": "BFR brut (avant dépréciations 39, 49 ; hors comptes 455, 457, 404, 405, 4084) à la fin "
                         "de la fenêtre moins celui de la fin du mois qui la précède",
                   "en": "Gross working capital (before write-downs 39, 49; without accounts 455, 457, 404, 405, "
                         "4084) at the end of the window less at the end of the month before it"}),
    "fte": ({"fr": "Flux de trésorerie d'exploitation (FTE)", "en": "Operating cash flow"},
            {"fr": "CAF − variation du BFR", "en": "CAF − change in working capital"}),
    "acquisitions": ({"fr": "Acquisitions d'immobilisations", "en": "Capital expenditure"},
                     {"fr": "Variation des valeurs brutes (20 à 27) + amortissements repris (débits 28) + VNC des "
                            "actifs cédés (675)",
                      "en": "Change in gross fixed assets (20 to 27) + depreciation reversed (debits of 28) + "
                            "book value of assets sold (675)"}),
    "cessions": ({"fr": "Produits de cession", "en": "Disposal proceeds"},
                 {"fr": "Crédits du compte 775", "en": "Credits of account 775"}),
    "placements": ({"fr": "Variation des placements de trésorerie", "en": "Change in short-term investments"},
                   {"fr": "− variation du solde des comptes 50", "en": "− change in the balance of accounts 50"}),
    "delta_dettes_immobilisations": (
        {"fr": "Variation des dettes sur immobilisations", "en": "Change in capex payables"},
        {"fr": "Variation des soldes créditeurs des comptes 404, 405, 4084, 269, 279",
         "en": "Change in the credit balances of accounts 404, 405, 4084, 269, 279"}),
    "fti": ({"fr": "Flux d'investissement (FTI)", "en": "Investing cash flow"},
            {"fr": "− acquisitions + produits de cession + variation des placements + variation des dettes sur "
                   "immobilisations",
             "en": "− capital expenditure + disposal proceeds + change in investments + change in capex payables"}),
    "fonds_propres": ({"fr": "Capital, subventions et affectations du résultat",
                       "en": "Capital, grants and profit allocation"},
                      {"fr": "Variation des capitaux propres hors résultat + quote-part des subventions (777) + "
                             "dividendes décidés (457)",
                       "en": "Change in equity other than the result + grants released (777) + dividends declared (457)"}),
    "emprunts": ({"fr": "Emprunts nouveaux − remboursements", "en": "New borrowings − repayments"},
                 {"fr": "Variation des soldes des comptes 16 et 17", "en": "Change in the balances of accounts 16 and 17"}),
    "associes": ({"fr": "Comptes courants d'associés", "en": "Shareholder loans"},
                 {"fr": "Variation du solde des comptes 455", "en": "Change in the balance of accounts 455"}),
    "dividendes": ({"fr": "Dividendes versés", "en": "Dividends paid"},
                   {"fr": "Débits des comptes 457", "en": "Debits of accounts 457"}),
    "ftf": ({"fr": "Flux de financement (FTF)", "en": "Financing cash flow"},
            {"fr": "Fonds propres + emprunts + comptes courants d'associés − dividendes versés",
             "en": "Equity + borrowings + shareholder loans − dividends paid"}),
    "variation": ({"fr": "Variation de la trésorerie nette", "en": "Change in net cash"},
                  {"fr": "Trésorerie nette de clôture − trésorerie nette d'ouverture",
                   "en": "Closing net cash − opening net cash"}),
    "tresorerie_debut": ({"fr": "Trésorerie nette d'ouverture", "en": "Opening net cash"},
                         {"fr": "Trésorerie nette à la fin du mois qui précède la fenêtre",
                          "en": "Net cash at the end of the month before the window"}),
    "tresorerie_fin": ({"fr": "Trésorerie nette de clôture", "en": "Closing net cash"},
                       {"fr": "Trésorerie nette à la fin de la fenêtre", "en": "Net cash at the end of the window"}),
    "ecart": ({"fr": "Écart de rapprochement", "en": "Reconciliation gap"},
              {"fr": "Variation de la trésorerie nette − (FTE + FTI + FTF) ; nul quand tout est expliqué",
               "en": "Change in net cash − (operating + investing + financing flows); zero when all is explained"}),
}

_LINES = {**PL_LINES, **SIG_LINES, **BILAN_LINES, **BILAN_TOTAL_LINES}


def statement_label(name: str) -> Text:
    """The ``{"fr": …, "en": …}`` label of a statement line; ``KeyError`` for an unknown line."""
    line = _LINES[name]
    return {"fr": line.fr, "en": line.en}


def _accounts(table: Mapping[str, str], line: str) -> tuple[list[str], list[str]]:
    """The account prefixes ``table`` puts on ``line``, and the longer prefixes under them it puts elsewhere."""
    included = sorted(p for p, target in table.items() if target == line)
    excluded = []
    for prefix, target in table.items():
        if target == line:
            continue
        parents = [p for p in table if prefix.startswith(p) and len(p) < len(prefix)]
        if parents and table[max(parents, key=len)] == line:
            excluded.append(prefix)
    return included, sorted(excluded)


def _accounts_text(included: list[str], excluded: list[str], language: str) -> str:
    text = ", ".join(included)
    if excluded:
        text += (" hors " if language == "fr" else " excluding ") + ", ".join(excluded)
    return text


def line_definition(name: str, fiscal_year_start: dt.date) -> Text:
    """How compte de résultat line or SIG subtotal ``name`` is computed, under the PCG mapping in
    force for the fiscal year starting on ``fiscal_year_start``."""
    return dict(_line_definition(name, fiscal_year_start))


@functools.cache  # the same few lines and years are defined for every figure a pack quotes
def _line_definition(name: str, fiscal_year_start: dt.date) -> Text:
    if name in SIG_FORMULAS:
        out = {}
        for language in ("fr", "en"):
            terms = []
            for sign, term in SIG_FORMULAS[name]:
                label = statement_label(term)[language]
                terms.append(("− " if sign < 0 else "+ " if terms else "") + label)
            out[language] = " ".join(terms)
        return out
    mapping = mapping_for(fiscal_year_start)
    included, excluded = _accounts(mapping.pl, name)
    return {
        "fr": f"Comptes {_accounts_text(included, excluded, 'fr')} : mouvements de la fenêtre, à-nouveaux exclus "
              f"({mapping.name})",
        "en": f"Accounts {_accounts_text(included, excluded, 'en')}: movements over the window, opening entries "
              f"excluded ({mapping.name})",
    }


def balance_definition(name: str, fiscal_year_start: dt.date) -> Text:
    """How bilan line or total ``name`` is read at a month end (the mapping of that fiscal year)."""
    return dict(_balance_definition(name, fiscal_year_start))


@functools.cache
def _balance_definition(name: str, fiscal_year_start: dt.date) -> Text:
    if name in BILAN_TOTALS:
        return {language: " + ".join(statement_label(part)[language] for part in BILAN_TOTALS[name])
                for language in ("fr", "en")}
    mapping = mapping_for(fiscal_year_start)
    sides = []
    for index, (fr, en) in enumerate((("soldes débiteurs des comptes", "debit balances of accounts"),
                                      ("soldes créditeurs des comptes", "credit balances of accounts"))):
        included, excluded = _accounts({p: lines[index] for p, lines in mapping.bilan.items()}, name)
        if included:
            sides.append((f"{fr} {_accounts_text(included, excluded, 'fr')}",
                          f"{en} {_accounts_text(included, excluded, 'en')}"))
    fr = " ; ".join(s[0] for s in sides) or "aucun compte"
    en = "; ".join(s[1] for s in sides) or "no account"
    return {"fr": f"{fr[0].upper()}{fr[1:]}, à la fin du mois ({mapping.name})",
            "en": f"{en[0].upper()}{en[1:]}, at the end of the month ({mapping.name})"}
