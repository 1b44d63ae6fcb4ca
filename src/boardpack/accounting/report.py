"""Per-fiscal-year statements as plain data: compte de résultat, SIG, bilan, CAF, flux, BFR.

Keys are stable French snake_case (documented in the README) so that the JSON of
``boardpack statements`` can be relied on: ``chiffre_affaires_net``, ``resultat_exploitation``,
``resultat_net``, ``ebe``, ``caf``, ``total_bilan``… Amounts are euros (Decimal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..periods import Window
from .cashflow import caf_additive, caf_subtractive, cash_flow
from .pcg import BILAN_LINES, BILAN_TOTALS, PL_LINES, SIG_FORMULAS, mapping_for
from .statements import Statements, cents_to_euros

__all__ = ["BFR_COMPONENTS", "fiscal_years", "year_report"]

#: Key renames for the public JSON (the liasse's names).
_PUBLIC = {"chiffre_affaires": "chiffre_affaires_net"}

#: BFR components (line, sign) as on the bilan, at period end.
BFR_COMPONENTS = (
    ("stocks", 1), ("creances_clients", 1), ("autres_creances", 1), ("charges_constatees_avance", 1),
    ("avances_clients", -1), ("dettes_fournisseurs", -1), ("dettes_fiscales_sociales", -1),
    ("produits_constates_avance", -1),
)

_SIG = ("marge_commerciale", "production_exercice", "valeur_ajoutee", "ebe", "resultat_exploitation",
        "rcai", "resultat_exceptionnel", "resultat_net")


def fiscal_years(statements: Statements) -> list[Window]:
    """Every fiscal year the ledger touches, oldest first (the last one may be incomplete)."""
    return [Window("fy", start, end) for start, end in statements.ledger.years]


def _euros(values: dict[str, int]) -> dict[str, Decimal]:
    return {_PUBLIC.get(k, k): cents_to_euros(v) for k, v in values.items()}


def year_report(statements: Statements, year: Window) -> dict[str, Any]:
    """Every statement of one fiscal year (up to the ledger's last month if incomplete)."""
    ledger = statements.ledger
    end = min(year.end, ledger.last)
    window = Window("fy", max(year.start, ledger.first), end)
    pl = statements.pl_window(window)
    bilan_row = statements.bilan.loc[end]
    revenue = int(pl["chiffre_affaires"])
    bfr = {line: sign * int(bilan_row[line]) for line, sign in BFR_COMPONENTS}
    bfr_total = sum(bfr.values())
    days = window.days
    flows = cash_flow(statements, window)
    additive = caf_additive(statements, window)
    subtractive = caf_subtractive(statements, window)
    bilan = {line: int(bilan_row[line]) for line in (*BILAN_LINES, *BILAN_TOTALS)}
    bilan["total_bilan"] = bilan["total_actif"]
    return {
        "exercice": f"{year.start}..{year.end}",
        "debut": year.start.first_day.isoformat(),
        "fin": year.end.last_day.isoformat(),
        "complet": end == year.end and window.start == year.start,
        "donnees_jusqu_a": str(end),
        "referentiel": mapping_for(year.start.first_day).name,
        "compte_de_resultat": _euros({k: int(pl[k]) for k in (*PL_LINES, *SIG_FORMULAS)}),
        "sig": _euros({k: int(pl[k]) for k in _SIG}),
        "bilan": _euros(bilan),
        "caf": {
            "caf": cents_to_euros(additive["caf"]),
            "methode_additive": _euros(additive),
            "methode_soustractive": _euros(subtractive),
            "concordance": additive["caf"] == subtractive["caf"],
        },
        "flux": _euros(flows.as_dict()),
        "bfr": {
            "composantes": _euros(bfr),
            "total": cents_to_euros(bfr_total),
            "jours_de_ca": None if not revenue else (Decimal(bfr_total) / Decimal(revenue) * days).quantize(Decimal("0.1")),
            "jours_de_ca_par_composante": {
                k: None if not revenue else (Decimal(v) / Decimal(revenue) * days).quantize(Decimal("0.1"))
                for k, v in bfr.items()
            },
        },
    }

