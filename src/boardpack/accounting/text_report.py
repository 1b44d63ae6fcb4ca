"""Plain-text rendering of :func:`boardpack.accounting.report.year_report` for the terminal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..formatting import Formatter
from .pcg import BILAN_LINES, BILAN_TOTAL_LINES, PL_LINES, SIG_LINES

__all__ = ["render_year"]

_LABELS = {**PL_LINES, **SIG_LINES, **BILAN_LINES, **BILAN_TOTAL_LINES}
_EXTRA = {
    "chiffre_affaires_net": "Chiffre d'affaires net", "total_bilan": "Total bilan",
    "caf": "CAF", "delta_bfr": "Variation du BFR", "fte": "Flux de trésorerie d'exploitation (FTE)",
    "acquisitions": "Acquisitions d'immobilisations", "cessions": "Produits de cession",
    "delta_dettes_immobilisations": "Variation des dettes sur immobilisations",
    "fti": "Flux d'investissement (FTI)", "fonds_propres": "Opérations sur fonds propres",
    "placements": "Variation des placements de trésorerie", "emprunts": "Variation des emprunts",
    "associes": "Variation des comptes courants d'associés", "dividendes": "Dividendes versés",
    "ftf": "Flux de financement (FTF)", "tresorerie_debut": "Trésorerie nette d'ouverture",
    "tresorerie_fin": "Trésorerie nette de clôture", "variation": "Variation de trésorerie",
    "ecart": "Écart de rapprochement", "bfr_total": "BFR",
}


def _label(key: str) -> str:
    if key in _EXTRA:
        return _EXTRA[key]
    line = _LABELS.get(key)
    return line.fr if line else key.replace("_", " ").capitalize()


def _table(title: str, values: dict[str, Any], fmt: Formatter, keys: tuple[str, ...] | None = None) -> list[str]:
    lines = [title]
    for key in keys or tuple(values):
        value = values[key]
        if isinstance(value, Decimal):
            lines.append(f"  {_label(key):<58} {fmt.money(value):>16}")
    return lines


_PL_ORDER = (
    "chiffre_affaires_net", "production_stockee", "production_immobilisee", "subventions_exploitation",
    "reprises_transferts", "autres_produits", "achats_marchandises", "variation_stock_marchandises",
    "achats_matieres", "variation_stock_matieres", "autres_achats_charges_externes", "impots_taxes",
    "salaires", "charges_sociales", "dotations_exploitation", "autres_charges", "resultat_exploitation",
    "produits_financiers", "charges_financieres", "resultat_financier", "rcai", "produits_exceptionnels",
    "charges_exceptionnelles", "resultat_exceptionnel", "participation", "impot_benefices", "resultat_net",
)


def render_year(report: dict[str, Any], fmt: Formatter) -> str:
    """The fiscal year's statements as aligned text."""
    status = "" if report["complet"] else f" (incomplet : données jusqu'à {report['donnees_jusqu_a']})"
    out = [f"Exercice {report['debut']} → {report['fin']}{status} — {report['referentiel']}", ""]
    out += _table("Compte de résultat", report["compte_de_resultat"], fmt, _PL_ORDER) + [""]
    out += _table("Soldes intermédiaires de gestion", report["sig"], fmt) + [""]
    bilan = {k: v for k, v in report["bilan"].items() if v or k.startswith("total")}
    out += _table("Bilan", bilan, fmt) + [""]
    caf = report["caf"]
    agree = "concordantes" if caf["concordance"] else "DISCORDANTES"
    out += _table(f"CAF (méthodes additive et soustractive {agree})", {"caf": caf["caf"]}, fmt) + [""]
    out += _table("Tableau de flux de trésorerie", report["flux"], fmt) + [""]
    bfr = report["bfr"]
    out += _table("BFR", {**bfr["composantes"], "bfr_total": bfr["total"]}, fmt)
    if bfr["jours_de_ca"] is not None:
        out.append(f"  {'BFR en jours de chiffre d’affaires':<58} {fmt.number(bfr['jours_de_ca'], 1):>14} j")
    return "\n".join(out)
