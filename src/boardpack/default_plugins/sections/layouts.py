"""Statement layouts shared by the statement sections: rows, labels, and the budget of a line.
"""

from __future__ import annotations

from decimal import Decimal


from boardpack.api import PackContext
from boardpack.api.accounts import BILAN_LINES, BILAN_TOTAL_LINES, PL_LINES, SIG_LINES
from boardpack.api.periods import Window

__all__ = ["BILAN_LAYOUT", "LABELS", "SIG_LAYOUT", "budget_of", "line_label"]


#: Rows of the compte de résultat by SIG: (line id, style) with style base | subtotal | total.
SIG_LAYOUT: tuple[tuple[str, str], ...] = (
    ("ventes_marchandises", "base"), ("cout_achat_marchandises_vendues", "base"),
    ("marge_commerciale", "subtotal"),
    ("production_vendue", "base"), ("production_stockee", "base"), ("production_immobilisee", "base"),
    ("production_exercice", "subtotal"),
    ("chiffre_affaires", "subtotal"),
    ("achats_matieres", "base"), ("variation_stock_matieres", "base"), ("achats_consommes", "subtotal"),
    ("autres_achats_charges_externes", "base"),
    ("valeur_ajoutee", "subtotal"),
    ("subventions_exploitation", "base"), ("impots_taxes", "base"),
    ("salaires", "base"), ("charges_sociales", "base"),
    ("ebe", "total"),
    ("reprises_transferts", "base"), ("autres_produits", "base"), ("autres_charges", "base"),
    ("dotations_exploitation", "base"),
    ("resultat_exploitation", "subtotal"),
    ("resultat_financier", "base"),
    ("rcai", "subtotal"),
    ("resultat_exceptionnel", "base"), ("participation", "base"), ("impot_benefices", "base"),
    ("resultat_net", "total"),
)


BILAN_LAYOUT: dict[str, tuple[tuple[str, str], ...]] = {
    "actif": (
        ("immobilisations_incorporelles", "base"), ("immobilisations_corporelles", "base"),
        ("immobilisations_financieres", "base"), ("actif_immobilise", "subtotal"),
        ("stocks", "base"), ("creances_clients", "base"), ("autres_creances", "base"),
        ("valeurs_mobilieres", "base"), ("disponibilites", "base"),
        ("charges_constatees_avance", "base"), ("actif_circulant", "subtotal"),
        ("total_actif", "total"),
    ),
    "passif": (
        ("capital", "base"), ("primes_reserves", "base"), ("report_a_nouveau", "base"),
        ("resultat_exercice", "base"), ("subventions_investissement", "base"),
        ("provisions_reglementees", "base"), ("capitaux_propres", "subtotal"),
        ("provisions", "base"),
        ("emprunts_etablissements_credit", "base"), ("autres_dettes_financieres", "base"),
        ("avances_clients", "base"), ("dettes_fournisseurs", "base"),
        ("dettes_fiscales_sociales", "base"), ("dettes_immobilisations", "base"),
        ("autres_dettes", "base"), ("produits_constates_avance", "base"), ("dettes", "subtotal"),
        ("total_passif", "total"),
    ),
}


LABELS = {**PL_LINES, **SIG_LINES, **BILAN_LINES, **BILAN_TOTAL_LINES}


def line_label(pack: PackContext, line: str) -> str:
    """The label of a statement line in the pack's language."""
    return LABELS[line].label(pack.language)


def budget_of(pack: PackContext, line: str, window: Window) -> tuple[Decimal | None, list[str]]:
    """The budget fact of ``line`` over ``window`` (quoted) and the base lines it counts as zero.

    A line the budget holds is read as is; a SIG subtotal it does not hold is rebuilt by the host
    from the budgeted lines that make it up, the other base lines counting for zero (as the EBE
    indicator's budget does); the second item lists those that carry actual amounts over the
    window, for the reader. ``None`` when the budget gives none of the subtotal's lines, lacks a
    month of the window, or does not hold a base line.
    """
    fact = pack.facts.line(line, window, "budget")
    return fact.value, list(fact.counted_zero)
