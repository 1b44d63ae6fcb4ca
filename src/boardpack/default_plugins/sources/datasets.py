"""The canonical datasets: the contract between data sources and KPIs.

Conventions shared by every dataset: money columns are euros in the file and integer
cents once loaded; dates are calendar dates; a ``period`` is a month ``AAAA-MM``;
rates are fractions (0.25 for 25 %) unless the unit says ``%``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from decimal import Decimal

from boardpack.api.errors import DataError
from boardpack.api import hookimpl
from boardpack.api.accounts import BILAN_LINES, BILAN_TOTAL_LINES, PL_LINES, SIG_LINES
from boardpack.api.datasets import Column, DatasetSchema, line_of

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["ENTRIES", "INVOICES", "DEALS", "OPS_METRICS", "BUDGET", "LOANS", "MARKETING"]


def _check_entries(frame: pd.DataFrame, origin: str) -> None:
    """Every account starts with a PCG digit, amounts are not negative, every entry balances."""
    bad_account = ~frame["account"].str.match(r"^[1-8]")
    if bad_account.any():
        row = int(bad_account.to_numpy().nonzero()[0][0])
        raise DataError(
            f"{origin}, ligne {line_of(frame, row)}, colonne « account » : « {frame['account'].iloc[row]} » "
            "n'est pas un compte du PCG (il doit commencer par un chiffre de 1 à 8) ; associez vos propres "
            "comptes à ceux du PCG dans un fichier de correspondances (option « mapping » de la source)"
        )
    for column in ("debit", "credit"):
        negative = frame[column] < 0
        if negative.any():
            row = int(negative.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{origin}, ligne {line_of(frame, row)}, colonne « {column} » : montant négatif "
                "(les débits et crédits sont positifs)"
            )
    sums = (frame["debit"] - frame["credit"]).groupby([frame["journal"], frame["entry_id"]]).sum()
    unbalanced = sums[sums != 0]
    if len(unbalanced):
        journal, entry = unbalanced.index[0]
        rows = frame.index[(frame["journal"] == journal) & (frame["entry_id"] == entry)]
        gap = Decimal(int(unbalanced.iloc[0])).scaleb(-2)
        raise DataError(
            f"{origin}, ligne {line_of(frame, int(rows[0]))} : l'écriture {journal} {entry} n'est pas "
            f"équilibrée (débit − crédit = {str(gap).replace('.', ',')} €)"
        )


ENTRIES = DatasetSchema(
    name="entries",
    description="Lignes d'écritures du journal, comptes du PCG (une ligne par mouvement).",
    conventions=(
        "debit and credit are positive amounts, one of them usually zero; every entry "
        "(journal + entry_id) balances. Opening entries (à-nouveaux) use a journal listed "
        "in the company's opening_journals (AN, ANO, RAN by default)."
    ),
    columns=(
        Column("date", "date", "date comptable"),
        Column("journal", "str", "code journal (VE, AC, BQ, OD, AN…)"),
        Column("journal_label", "str", "libellé du journal", required=False),
        Column("entry_id", "str", "numéro d'écriture, unique dans le journal"),
        Column("account", "str", "compte général du PCG (texte, ex. 411000)"),
        Column("account_label", "str", "libellé du compte", required=False),
        Column("aux_account", "str", "compte auxiliaire (tiers)", required=False),
        Column("aux_label", "str", "libellé du compte auxiliaire", required=False),
        Column("piece_ref", "str", "référence de la pièce", required=False),
        Column("piece_date", "date", "date de la pièce", required=False),
        Column("label", "str", "libellé de l'écriture", required=False),
        Column("debit", "money", "montant au débit", unit="EUR"),
        Column("credit", "money", "montant au crédit", unit="EUR"),
        Column("lettering", "str", "code de lettrage", required=False),
        Column("lettering_date", "date", "date de lettrage", required=False),
    ),
    checks=(_check_entries,),
)

INVOICES = DatasetSchema(
    name="invoices",
    description="Factures de vente et d'achat (une ligne par facture).",
    conventions=(
        "amounts are positive for invoices and negative for credit notes; "
        "paid_date is empty while unpaid; discount is the amount granted off list price (HT). "
        "Where quantity and unit_price are given, quantity × unit_price − discount = "
        "amount_excl_tax; deal_id links an invoice to the CRM deal it bills."
    ),
    columns=(
        Column("kind", "str", "sale (vente) ou purchase (achat)", choices=("sale", "purchase")),
        Column("number", "str", "numéro de facture"),
        Column("counterparty", "str", "client ou fournisseur", allow_empty=True),
        Column("counterparty_id", "str", "identifiant du tiers", required=False),
        Column("segment", "str", "segment de clientèle", required=False),
        Column("product", "str", "offre ou famille de produits", required=False),
        Column("issue_date", "date", "date d'émission"),
        Column("due_date", "date", "date d'échéance"),
        Column("paid_date", "date", "date d'encaissement ou de paiement", required=False),
        Column("amount_excl_tax", "money", "montant HT", unit="EUR"),
        Column("amount_incl_tax", "money", "montant TTC", unit="EUR"),
        Column("discount", "money", "remise accordée HT", unit="EUR", required=False),
        Column("quantity", "decimal", "quantité vendue (négative sur un avoir)", required=False),
        Column("unit_price", "money", "prix unitaire HT avant remise", unit="EUR", required=False),
        Column("deal_id", "str", "affaire du CRM facturée (deal_id du jeu deals)", required=False),
        Column(
            "status",
            "str",
            "draft, issued, paid, cancelled",
            required=False,
            choices=("draft", "issued", "paid", "cancelled"),
        ),
    ),
)

DEALS = DatasetSchema(
    name="deals",
    description="Opportunités commerciales du CRM (une ligne par affaire).",
    conventions="stage_probability is a fraction from 0 to 1; amount is HT.",
    columns=(
        Column("deal_id", "str", "identifiant de l'affaire"),
        Column("name", "str", "nom de l'affaire", required=False),
        Column("customer", "str", "client ou prospect", required=False),
        Column("pipeline", "str", "pipeline"),
        Column("stage", "str", "étape"),
        Column("stage_probability", "decimal", "probabilité de l'étape (0 à 1)", unit="fraction"),
        Column("amount", "money", "montant HT", unit="EUR"),
        Column("created_date", "date", "date de création"),
        Column("quote_date", "date", "date d'envoi du devis", required=False),
        Column("close_date", "date", "date de signature ou de perte", required=False),
        Column("status", "str", "open, won, lost", choices=("open", "won", "lost")),
        Column("owner", "str", "commercial", required=False),
        Column("segment", "str", "segment", required=False),
        Column("channel", "str", "canal d'acquisition", required=False),
    ),
)

OPS_METRICS = DatasetSchema(
    name="ops_metrics",
    description="Séries opérationnelles mensuelles (une ligne par mois, indicateur et dimension).",
    conventions=(
        "standard metric names read by the built-in operational KPIs: unites_produites, "
        "commandes_livrees, delai_livraison_jours, taux_livraison_a_temps (%), "
        "taux_conformite (%), taux_retour (%), delai_devis_jours, cout_unitaire (EUR)."
    ),
    columns=(
        Column("period", "month", "mois AAAA-MM"),
        Column("metric", "str", "nom de l'indicateur"),
        Column("value", "decimal", "valeur"),
        Column("unit", "str", "unité (jours, %, pièces, EUR…)", required=False),
        Column("dimension", "str", "ventilation (site, ligne, famille)", required=False),
    ),
)

def budget_lines() -> dict[str, str]:
    """The statement lines a budget row may name, by id, with their French labels: compte de
    résultat lines and SIG subtotals, and bilan lines (an investment or stock budget)."""
    return {line.id: line.fr for lines in (PL_LINES, SIG_LINES, BILAN_LINES, BILAN_TOTAL_LINES)
            for line in lines.values()}


def _check_budget(frame: pd.DataFrame, origin: str) -> None:
    """Every budget line is a statement line (never silently dropped): else the closest ones."""
    import difflib

    known = budget_lines()
    unknown = ~frame["line"].isin(list(known))
    if not unknown.any():
        return
    row = int(unknown.to_numpy().nonzero()[0][0])
    name = str(frame["line"].iloc[row])
    by_label = {label.lower(): line for line, label in known.items()} | {line: line for line in known}
    close = difflib.get_close_matches(name.lower(), list(by_label), n=3, cutoff=0.5)
    hint = (" ; vouliez-vous dire " + " ou ".join(f"« {by_label[c]} »" for c in dict.fromkeys(close)) + " ?"
            if close else "")
    raise DataError(
        f"{origin}, ligne {line_of(frame, row)}, colonne « line » : ligne budgétaire « {name} » inconnue{hint} "
        "(les lignes sont celles des états financiers : chiffre_affaires, achats_consommes, salaires… ; "
        "vos propres noms se traduisent par le fichier de correspondances, option « mapping » de la source)"
    )


BUDGET = DatasetSchema(
    name="budget",
    description="Budget mensuel par ligne d'état financier.",
    conventions=(
        "line is a statement-line id of boardpack.accounting.pcg (chiffre_affaires, "
        "achats_consommes, charges_personnel…); charges are positive like their line."
    ),
    columns=(
        Column("period", "month", "mois AAAA-MM"),
        Column("line", "str", "identifiant de la ligne (ex. chiffre_affaires)"),
        Column("amount", "money", "montant budgété", unit="EUR"),
    ),
    checks=(_check_budget,),
)

LOANS = DatasetSchema(
    name="loans",
    description="Échéancier des emprunts (une ligne par emprunt et par mois).",
    conventions="outstanding is the capital remaining due after the month's instalment.",
    columns=(
        Column("loan", "str", "identifiant de l'emprunt"),
        Column("lender", "str", "prêteur"),
        Column("period", "month", "mois AAAA-MM"),
        Column("principal_due", "money", "capital remboursé dans le mois", unit="EUR"),
        Column("interest_due", "money", "intérêts payés dans le mois", unit="EUR"),
        Column("outstanding", "money", "capital restant dû après l'échéance", unit="EUR"),
    ),
)

MARKETING = DatasetSchema(
    name="marketing",
    description="Dépenses et résultats marketing par mois et canal.",
    columns=(
        Column("period", "month", "mois AAAA-MM"),
        Column("channel", "str", "canal"),
        Column("spend", "money", "dépense HT", unit="EUR"),
        Column("leads", "int", "prospects générés"),
        Column("new_customers", "int", "nouveaux clients"),
    ),
)


@hookimpl
def register_datasets() -> list[DatasetSchema]:
    """Register the seven canonical datasets."""
    return [ENTRIES, INVOICES, DEALS, OPS_METRICS, BUDGET, LOANS, MARKETING]
