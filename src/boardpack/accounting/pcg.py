"""The PCG mapping: from account numbers to statement lines, in one versioned module.

Every account is placed by its **longest matching prefix**. A compte de résultat line
(class 6 and 7) adds the account's movement, a product line credit-positive and a charge
line debit-positive. A bilan entry names the line that receives the account's balance
when it is a debit and the line that receives it when it is a credit: that is the sign
split of 411, 401, 512, 44x, 455… (debit balances to the actif, credit balances to the
passif), done per account and auxiliary account. Because every balance lands on exactly
one line, actif = passif whenever the ledger balances.

SIG subtotals (marge commerciale … résultat net) are linear formulas over the base lines,
so the same formulas serve actuals and budgets.

Versions are chosen by the fiscal year's first day (:func:`mapping_for`). The reform of
règlement ANC 2022-06 (fiscal years opened from 1 January 2025) abolishes 791/796/797
(transferts de charges); the 2025 version keeps reading them, so that a ledger still using
them is not silently misread, and adds 649 (remboursements de charges de personnel).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "BILAN_LINES",
    "PL_LINES",
    "SIG_FORMULAS",
    "StatementLine",
    "PcgMapping",
    "MAPPINGS",
    "mapping_for",
]


@dataclass(frozen=True)
class StatementLine:
    """A statement line: id (stable snake_case French), labels, liasse code, kind."""

    id: str
    fr: str
    en: str
    liasse: str = ""
    kind: str = "produit"  # produit | charge | solde | actif | passif | total

    def label(self, language: str) -> str:
        """The label in ``language`` (``fr`` or ``en``)."""
        return self.fr if language == "fr" else self.en


def _lines(*rows: tuple[str, str, str, str, str]) -> dict[str, StatementLine]:
    return {row[0]: StatementLine(*row) for row in rows}


#: Base lines of the compte de résultat (liasse 2052/2053 codes).
PL_LINES = _lines(
    ("ventes_marchandises", "Ventes de marchandises", "Sales of goods for resale", "FC", "produit"),
    ("production_vendue", "Production vendue", "Sales of own production", "FF+FI", "produit"),
    ("production_stockee", "Production stockée", "Change in finished goods", "FM", "produit"),
    ("production_immobilisee", "Production immobilisée", "Own work capitalised", "FN", "produit"),
    ("subventions_exploitation", "Subventions d'exploitation", "Operating grants", "FO", "produit"),
    ("reprises_transferts", "Reprises et transferts de charges", "Write-backs", "FP", "produit"),
    ("autres_produits", "Autres produits", "Other operating income", "FQ", "produit"),
    ("achats_marchandises", "Achats de marchandises", "Purchases of goods", "FS", "charge"),
    ("variation_stock_marchandises", "Variation de stock (marchandises)", "Change in stock of goods", "FT", "charge"),
    ("achats_matieres", "Achats de matières premières", "Raw materials", "FU", "charge"),
    ("variation_stock_matieres", "Variation de stock (matières)", "Change in raw materials", "FV", "charge"),
    ("autres_achats_charges_externes", "Autres achats et charges externes", "External charges", "FW", "charge"),
    ("impots_taxes", "Impôts, taxes et versements assimilés", "Taxes", "FX", "charge"),
    ("salaires", "Salaires et traitements", "Wages and salaries", "FY", "charge"),
    ("charges_sociales", "Charges sociales", "Social charges", "FZ", "charge"),
    ("dotations_exploitation", "Dotations d'exploitation", "Depreciation and provisions", "GA-GD", "charge"),
    ("autres_charges", "Autres charges", "Other operating charges", "GE", "charge"),
    ("quotes_parts_produits", "Quotes-parts de résultat (bénéfice)", "Share of joint ventures (profit)", "GH", "produit"),
    ("quotes_parts_charges", "Quotes-parts de résultat (perte)", "Share of joint ventures (loss)", "GI", "charge"),
    ("produits_financiers", "Produits financiers", "Financial income", "GP", "produit"),
    ("charges_financieres", "Charges financières", "Financial charges", "GU", "charge"),
    ("produits_exceptionnels", "Produits exceptionnels", "Exceptional income", "HD", "produit"),
    ("charges_exceptionnelles", "Charges exceptionnelles", "Exceptional charges", "HH", "charge"),
    ("participation", "Participation des salariés", "Employee profit sharing", "HJ", "charge"),
    ("impot_benefices", "Impôt sur les bénéfices", "Income tax", "HK", "charge"),
)

#: Subtotals, each a sum of (sign, line) over base lines or earlier subtotals.
SIG_FORMULAS: dict[str, tuple[tuple[int, str], ...]] = {
    "chiffre_affaires": ((1, "ventes_marchandises"), (1, "production_vendue")),
    "cout_achat_marchandises_vendues": ((1, "achats_marchandises"), (1, "variation_stock_marchandises")),
    "marge_commerciale": ((1, "ventes_marchandises"), (-1, "cout_achat_marchandises_vendues")),
    "production_exercice": ((1, "production_vendue"), (1, "production_stockee"), (1, "production_immobilisee")),
    "consommations_tiers": ((1, "achats_matieres"), (1, "variation_stock_matieres"), (1, "autres_achats_charges_externes")),
    "valeur_ajoutee": ((1, "marge_commerciale"), (1, "production_exercice"), (-1, "consommations_tiers")),
    "charges_personnel": ((1, "salaires"), (1, "charges_sociales")),
    "ebe": ((1, "valeur_ajoutee"), (1, "subventions_exploitation"), (-1, "impots_taxes"), (-1, "charges_personnel")),
    "resultat_exploitation": ((1, "ebe"), (1, "reprises_transferts"), (1, "autres_produits"), (-1, "autres_charges"), (-1, "dotations_exploitation")),
    "resultat_financier": ((1, "produits_financiers"), (-1, "charges_financieres")),
    "rcai": ((1, "resultat_exploitation"), (1, "quotes_parts_produits"), (-1, "quotes_parts_charges"), (1, "resultat_financier")),
    "resultat_exceptionnel": ((1, "produits_exceptionnels"), (-1, "charges_exceptionnelles")),
    "resultat_net": ((1, "rcai"), (1, "resultat_exceptionnel"), (-1, "participation"), (-1, "impot_benefices")),
    "achats_consommes": ((1, "cout_achat_marchandises_vendues"), (1, "achats_matieres"), (1, "variation_stock_matieres")),
    "cout_des_ventes": ((1, "achats_consommes"), (-1, "production_stockee")),
    "marge_brute": ((1, "chiffre_affaires"), (-1, "cout_des_ventes")),
}

SIG_LINES = _lines(
    ("chiffre_affaires", "Chiffre d'affaires net", "Net revenue", "FL", "solde"),
    ("cout_achat_marchandises_vendues", "Coût d'achat des marchandises vendues", "Cost of goods sold", "", "charge"),
    ("marge_commerciale", "Marge commerciale", "Trading margin", "", "solde"),
    ("production_exercice", "Production de l'exercice", "Production of the year", "", "solde"),
    ("consommations_tiers", "Consommations en provenance de tiers", "Bought-in goods and services", "", "charge"),
    ("valeur_ajoutee", "Valeur ajoutée", "Value added", "", "solde"),
    ("charges_personnel", "Charges de personnel", "Staff costs", "", "charge"),
    ("ebe", "Excédent brut d'exploitation (EBE)", "EBITDA (EBE)", "", "solde"),
    ("resultat_exploitation", "Résultat d'exploitation", "Operating result", "GG", "solde"),
    ("resultat_financier", "Résultat financier", "Financial result", "GV", "solde"),
    ("rcai", "Résultat courant avant impôts", "Result before tax and exceptional items", "GW", "solde"),
    ("resultat_exceptionnel", "Résultat exceptionnel", "Exceptional result", "HI", "solde"),
    ("resultat_net", "Résultat net", "Net result", "HN", "solde"),
    ("achats_consommes", "Achats consommés", "Materials consumed", "", "charge"),
    ("cout_des_ventes", "Coût des ventes", "Cost of sales", "", "charge"),
    ("marge_brute", "Marge brute", "Gross margin", "", "solde"),
)

#: Bilan lines (2050/2051) and their totals.
BILAN_LINES = _lines(
    ("immobilisations_incorporelles", "Immobilisations incorporelles", "Intangible assets", "AB-AC", "actif"),
    ("immobilisations_corporelles", "Immobilisations corporelles", "Tangible assets", "AN-AO", "actif"),
    ("immobilisations_financieres", "Immobilisations financières", "Financial assets", "CS-CU", "actif"),
    ("stocks", "Stocks et en-cours", "Inventories", "BL-BU", "actif"),
    ("creances_clients", "Créances clients", "Trade receivables", "BX", "actif"),
    ("autres_creances", "Autres créances", "Other receivables", "BZ", "actif"),
    ("valeurs_mobilieres", "Valeurs mobilières de placement", "Short-term investments", "CD", "actif"),
    ("disponibilites", "Disponibilités", "Cash at bank", "CF", "actif"),
    ("charges_constatees_avance", "Charges constatées d'avance", "Prepaid expenses", "CH", "actif"),
    ("capital", "Capital", "Share capital", "DA", "passif"),
    ("primes_reserves", "Primes et réserves", "Premiums and reserves", "DB-DG", "passif"),
    ("report_a_nouveau", "Report à nouveau", "Retained earnings", "DH", "passif"),
    ("resultat_exercice", "Résultat de l'exercice", "Result for the year", "DI", "passif"),
    ("subventions_investissement", "Subventions d'investissement", "Investment grants", "DJ", "passif"),
    ("provisions_reglementees", "Provisions réglementées", "Regulated provisions", "DK", "passif"),
    ("provisions", "Provisions pour risques et charges", "Provisions", "DP-DQ", "passif"),
    ("emprunts_etablissements_credit", "Emprunts et dettes auprès des établissements de crédit", "Bank borrowings", "DU", "passif"),
    ("autres_dettes_financieres", "Emprunts et dettes financières divers", "Other borrowings", "DV", "passif"),
    ("avances_clients", "Avances et acomptes reçus", "Customer advances", "DW", "passif"),
    ("dettes_fournisseurs", "Dettes fournisseurs", "Trade payables", "DX", "passif"),
    ("dettes_fiscales_sociales", "Dettes fiscales et sociales", "Tax and social liabilities", "DY", "passif"),
    ("dettes_immobilisations", "Dettes sur immobilisations", "Fixed-asset payables", "DZ", "passif"),
    ("autres_dettes", "Autres dettes", "Other liabilities", "EA", "passif"),
    ("produits_constates_avance", "Produits constatés d'avance", "Deferred income", "EB", "passif"),
)

BILAN_TOTALS: dict[str, tuple[str, ...]] = {
    "actif_immobilise": ("immobilisations_incorporelles", "immobilisations_corporelles", "immobilisations_financieres"),
    "actif_circulant": ("stocks", "creances_clients", "autres_creances", "valeurs_mobilieres", "disponibilites", "charges_constatees_avance"),
    "total_actif": ("actif_immobilise", "actif_circulant"),
    "capitaux_propres": ("capital", "primes_reserves", "report_a_nouveau", "resultat_exercice", "subventions_investissement", "provisions_reglementees"),
    "dettes_financieres": ("emprunts_etablissements_credit", "autres_dettes_financieres"),
    "dettes_exploitation": ("avances_clients", "dettes_fournisseurs", "dettes_fiscales_sociales"),
    "dettes": ("dettes_financieres", "dettes_exploitation", "dettes_immobilisations", "autres_dettes", "produits_constates_avance"),
    "total_passif": ("capitaux_propres", "provisions", "dettes"),
}

BILAN_TOTAL_LINES = _lines(
    ("actif_immobilise", "Actif immobilisé", "Fixed assets", "BJ", "total"),
    ("actif_circulant", "Actif circulant", "Current assets", "CJ", "total"),
    ("total_actif", "Total actif", "Total assets", "CO", "total"),
    ("capitaux_propres", "Capitaux propres", "Equity", "DL", "total"),
    ("dettes_financieres", "Dettes financières", "Financial debt", "", "total"),
    ("dettes_exploitation", "Dettes d'exploitation", "Operating liabilities", "", "total"),
    ("dettes", "Dettes", "Liabilities", "EC", "total"),
    ("total_passif", "Total passif", "Total equity and liabilities", "EE", "total"),
)

_PL_2014: dict[str, str] = {
    "60": "autres_achats_charges_externes", "601": "achats_matieres", "602": "achats_matieres",
    "603": "variation_stock_matieres", "6037": "variation_stock_marchandises",
    "607": "achats_marchandises", "6081": "achats_matieres", "6082": "achats_matieres",
    "6087": "achats_marchandises", "6091": "achats_matieres", "6092": "achats_matieres",
    "6097": "achats_marchandises", "61": "autres_achats_charges_externes",
    "62": "autres_achats_charges_externes", "63": "impots_taxes", "64": "salaires",
    "645": "charges_sociales", "646": "charges_sociales", "647": "charges_sociales",
    "65": "autres_charges", "655": "quotes_parts_charges", "66": "charges_financieres",
    "67": "charges_exceptionnelles", "68": "dotations_exploitation", "686": "charges_financieres",
    "687": "charges_exceptionnelles", "69": "impot_benefices", "691": "participation",
    "70": "production_vendue", "707": "ventes_marchandises", "7097": "ventes_marchandises",
    "71": "production_stockee", "72": "production_immobilisee", "73": "production_vendue",
    "74": "subventions_exploitation", "75": "autres_produits", "755": "quotes_parts_produits",
    "76": "produits_financiers", "77": "produits_exceptionnels", "78": "reprises_transferts",
    "786": "produits_financiers", "787": "produits_exceptionnels", "79": "reprises_transferts",
    "796": "produits_financiers", "797": "produits_exceptionnels",
}

#: prefix -> (line for a debit balance, line for a credit balance)
_BILAN_2014: dict[str, tuple[str, str]] = {
    "1": ("autres_dettes_financieres", "autres_dettes_financieres"),
    "2": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "4": ("autres_creances", "autres_dettes"),
    "5": ("disponibilites", "emprunts_etablissements_credit"),
    "10": ("capital", "capital"), "104": ("primes_reserves", "primes_reserves"),
    "105": ("primes_reserves", "primes_reserves"), "106": ("primes_reserves", "primes_reserves"),
    "107": ("primes_reserves", "primes_reserves"), "11": ("report_a_nouveau", "report_a_nouveau"),
    "12": ("resultat_exercice", "resultat_exercice"),
    "13": ("subventions_investissement", "subventions_investissement"),
    "14": ("provisions_reglementees", "provisions_reglementees"), "15": ("provisions", "provisions"),
    "16": ("autres_dettes_financieres", "autres_dettes_financieres"),
    "164": ("emprunts_etablissements_credit", "emprunts_etablissements_credit"),
    "16884": ("emprunts_etablissements_credit", "emprunts_etablissements_credit"),
    "17": ("autres_dettes_financieres", "autres_dettes_financieres"),
    "18": ("autres_dettes_financieres", "autres_dettes_financieres"),
    "20": ("immobilisations_incorporelles", "immobilisations_incorporelles"),
    "21": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "22": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "23": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "25": ("immobilisations_financieres", "immobilisations_financieres"),
    "26": ("immobilisations_financieres", "immobilisations_financieres"),
    "27": ("immobilisations_financieres", "immobilisations_financieres"),
    "269": ("immobilisations_financieres", "dettes_immobilisations"),
    "279": ("immobilisations_financieres", "dettes_immobilisations"),
    "280": ("immobilisations_incorporelles", "immobilisations_incorporelles"),
    "281": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "282": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "29": ("immobilisations_financieres", "immobilisations_financieres"),
    "290": ("immobilisations_incorporelles", "immobilisations_incorporelles"),
    "291": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "293": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "3": ("stocks", "stocks"),
    "40": ("autres_creances", "dettes_fournisseurs"),
    "404": ("autres_creances", "dettes_immobilisations"),
    "405": ("autres_creances", "dettes_immobilisations"),
    "4084": ("autres_creances", "dettes_immobilisations"),
    "41": ("creances_clients", "avances_clients"),
    "419": ("autres_creances", "avances_clients"),
    "42": ("autres_creances", "dettes_fiscales_sociales"),
    "43": ("autres_creances", "dettes_fiscales_sociales"),
    "44": ("autres_creances", "dettes_fiscales_sociales"),
    "45": ("autres_creances", "autres_dettes"),
    "455": ("autres_creances", "autres_dettes_financieres"),
    "46": ("autres_creances", "autres_dettes"),
    "47": ("autres_creances", "autres_dettes"),
    "48": ("charges_constatees_avance", "autres_dettes"),
    "486": ("charges_constatees_avance", "charges_constatees_avance"),
    "487": ("produits_constates_avance", "produits_constates_avance"),
    "49": ("autres_creances", "autres_creances"),
    "491": ("creances_clients", "creances_clients"),
    "50": ("valeurs_mobilieres", "valeurs_mobilieres"),
    "59": ("valeurs_mobilieres", "valeurs_mobilieres"),
    "51": ("disponibilites", "emprunts_etablissements_credit"),
    "52": ("valeurs_mobilieres", "valeurs_mobilieres"),
    "53": ("disponibilites", "emprunts_etablissements_credit"),
    "54": ("disponibilites", "emprunts_etablissements_credit"),
    "58": ("disponibilites", "emprunts_etablissements_credit"),
    "6": ("resultat_exercice", "resultat_exercice"),
    "7": ("resultat_exercice", "resultat_exercice"),
    "8": ("autres_dettes", "autres_dettes"),
}


@dataclass(frozen=True)
class PcgMapping:
    """One version of the mapping, valid for fiscal years starting on or after ``valid_from``."""

    name: str
    valid_from: dt.date
    pl: Mapping[str, str]
    bilan: Mapping[str, tuple[str, str]]

    def pl_line(self, account: str) -> str | None:
        """The compte de résultat line of a class 6 or 7 account, or ``None`` for other classes."""
        if not account[:1] in ("6", "7"):
            return None
        return _longest(self.pl, account)

    def bilan_lines(self, account: str) -> tuple[str, str] | None:
        """The (debit-balance, credit-balance) bilan lines of ``account``, ``None`` if unknown."""
        return _longest(self.bilan, account)


def _longest(table: Mapping[str, object], account: str):  # type: ignore[no-untyped-def]
    for size in range(len(account), 0, -1):
        found = table.get(account[:size])
        if found is not None:
            return found
    return None


MAPPINGS: tuple[PcgMapping, ...] = (
    PcgMapping("PCG 2014 (règlement ANC 2014-03)", dt.date(1900, 1, 1), _PL_2014, _BILAN_2014),
    PcgMapping(
        "PCG 2025 (règlement ANC 2022-06)",
        dt.date(2025, 1, 1),
        {**_PL_2014, "649": "charges_sociales"},
        _BILAN_2014,
    ),
)


@lru_cache(maxsize=None)
def mapping_for(fiscal_year_start: dt.date) -> PcgMapping:
    """The mapping version in force for a fiscal year starting on ``fiscal_year_start``."""
    return [m for m in MAPPINGS if m.valid_from <= fiscal_year_start][-1]

