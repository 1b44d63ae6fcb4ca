"""What a pack does not cover, and what would bring it: the closing page of a partial pack.

A section whose context raises :class:`~boardpack.errors.Unavailable` is left out of the pack
(and of its table of contents); so is a KPI whose data is absent (its result's ``needs``). The
pack then ends with one page, « Ce que ce dossier ne couvre pas », listing them by what they
lack — a dataset (``invoices``) or a config table (``[investments]``) — with how to bring it
(:data:`HINTS`, also what ``boardpack init`` prints); the others with their reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Unavailable

__all__ = ["HINTS", "Gap", "coverage_context", "hint", "needs_of"]

#: What each built-in dataset or config table brings, and how to add it (French, English).
HINTS: Mapping[str, tuple[str, str, str, str]] = {
    "entries": (
        "Écritures comptables", "Journal entries",
        "un FEC (source « fec ») ou entries.csv / entries.xlsx dans le dossier de la source « csv »",
        "a FEC file (« fec » source) or entries.csv / entries.xlsx in the « csv » source's folder",
    ),
    "invoices": (
        "Factures", "Invoices",
        "invoices.csv ou invoices.xlsx (une ligne par facture de vente ou d'achat) dans le dossier de la "
        "source « csv », ou une source « pennylane » ou « quickbooks »",
        "invoices.csv or invoices.xlsx (one row per sale or purchase invoice) in the « csv » source's "
        "folder, or a « pennylane » or « quickbooks » source",
    ),
    "deals": (
        "Affaires du CRM", "CRM deals",
        "deals.csv ou deals.xlsx (une ligne par affaire) dans le dossier de la source « csv », ou une "
        "source « hubspot »",
        "deals.csv or deals.xlsx (one row per deal) in the « csv » source's folder, or a « hubspot » source",
    ),
    "budget": (
        "Budget", "Budget",
        "budget.csv ou budget.xlsx (mois, ligne, montant) dans le dossier de la source « csv » ; vos "
        "propres noms de lignes via le fichier de correspondances (option « mapping »)",
        "budget.csv or budget.xlsx (month, line, amount) in the « csv » source's folder; your own line "
        "names through the mapping file (« mapping » option)",
    ),
    "loans": (
        "Échéancier des emprunts", "Loan schedule",
        "loans.csv ou loans.xlsx (emprunt, prêteur, mois, capital, intérêts, capital restant dû) dans le "
        "dossier de la source « csv »",
        "loans.csv or loans.xlsx (loan, lender, month, principal, interest, outstanding) in the « csv » "
        "source's folder",
    ),
    "ops_metrics": (
        "Indicateurs opérationnels", "Operational metrics",
        "ops_metrics.csv ou ops_metrics.xlsx (mois, indicateur, valeur) dans le dossier de la source « csv »",
        "ops_metrics.csv or ops_metrics.xlsx (month, metric, value) in the « csv » source's folder",
    ),
    "marketing": (
        "Marketing", "Marketing",
        "marketing.csv ou marketing.xlsx (mois, canal, dépense, prospects, nouveaux clients) dans le "
        "dossier de la source « csv »",
        "marketing.csv or marketing.xlsx (month, channel, spend, leads, new customers) in the « csv » "
        "source's folder",
    ),
    "[financing]": (
        "Financement demandé", "Financing request",
        "une table [financing] dans la configuration (amount, purpose, duration, rate, deferral, amortisation)",
        "a [financing] table in the config (amount, purpose, duration, rate, deferral, amortisation)",
    ),
    "[investments]": (
        "Projets d'investissement", "Investment projects",
        "une table [investments.<id>] dans la configuration (label, rate, outlay, cash_flows)",
        "an [investments.<id>] table in the config (label, rate, outlay, cash_flows)",
    ),
}

_DATASET_IN_TEXT = re.compile(r"jeu de données « (\w+) »")


@dataclass(frozen=True)
class Gap:
    """A section or KPI left out of a pack: its title, why, and what is absent if that is why."""

    kind: str  # "section" or "kpi"
    title: str
    reason: str
    needs: str | None = None
    #: the section's name or the KPI's id
    key: str = ""


def needs_of(exc: Unavailable) -> str | None:
    """What ``exc`` says is absent: its ``needs``, else the first dataset its message names as missing."""
    if exc.needs:
        return exc.needs
    text = str(exc)
    if "aucune source ne fournit" in text or "est vide" in text:
        found = _DATASET_IN_TEXT.search(text)
        return found.group(1) if found else None
    return None


def hint(need: str, language: str = "fr", description: str = "") -> tuple[str, str]:
    """The name of what is absent and how to bring it, in ``language``.

    :param description: the dataset's schema description, for a dataset :data:`HINTS` lacks.
    """
    english = language == "en"
    if need in HINTS:
        fr_name, en_name, fr_how, en_how = HINTS[need]
        return (en_name, en_how) if english else (fr_name, fr_how)
    name = description or need
    if need.startswith("["):
        return name, (f"a {need} table in the config" if english else f"une table {need} dans la configuration")
    return name, (f"{need}.csv or {need}.xlsx in the « csv » source's folder, or a source providing « {need} »"
                  if english else
                  f"{need}.csv ou {need}.xlsx dans le dossier de la source « csv », ou une source qui "
                  f"fournit « {need} »")


def coverage_context(gaps: Iterable[Gap], language: str = "fr",
                     descriptions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The closing page's variables: gaps grouped by what they lack, then the other gaps."""
    groups: dict[str, dict[str, Any]] = {}
    others = []
    for gap in gaps:
        if gap.needs is None:
            others.append({"title": gap.title, "reason": gap.reason})
            continue
        group = groups.get(gap.needs)
        if group is None:
            name, how = hint(gap.needs, language, (descriptions or {}).get(gap.needs, ""))
            group = groups[gap.needs] = {"need": gap.needs, "name": name, "how": how, "sections": [], "kpis": []}
        group["sections" if gap.kind == "section" else "kpis"].append(gap.title)
    return {"groups": list(groups.values()), "others": others}
