"""Data-quality gates on the invoices: duplicate invoices, invoices without a counterparty.

Messages, source lines, ``settings`` and the cap of findings per check follow
:mod:`boardpack.default_plugins._quality_common`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from boardpack.api import hookimpl
from boardpack.api import Issue, QualityCheck
from boardpack.api import KPIContext
from .common import (
    MAX_QUOTED_LINES,
    capped_issues,
    euros,
    formatted_day,
    formatted_money,
    make_issue,
    row_groups,
)

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["DuplicateInvoice", "InvoiceWithoutCounterparty"]

_KIND = {"sale": ("de vente", "sale"), "purchase": ("d'achat", "purchase")}


# ---------------------------------------------------------------- checks


class DuplicateInvoice(QualityCheck):
    """Invoices entered twice: same kind and number, or same kind, counterparty, date and amount."""

    name = "duplicate_invoice"
    description = {
        "fr": "factures en double (même type et numéro, ou même type, tiers, date et montant TTC)",
        "en": "duplicate invoices (same kind and number, or same kind, counterparty, date and amount)",
    }
    needs = ("invoices",)

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One blocking issue per set of duplicates."""
        frame = ctx.datasets["invoices"]
        by_number = row_groups(frame, frame.duplicated(["kind", "number"], keep=False).to_numpy(), ["kind", "number"])
        content = ["kind", "counterparty", "issue_date", "amount_incl_tax"]
        live = np.flatnonzero((frame["status"] != "cancelled").to_numpy())
        same = np.zeros(len(frame), dtype=bool)
        same[live] = frame.iloc[live].duplicated(content, keep=False).to_numpy()
        numbered = {tuple(g.tolist()) for g in by_number}
        by_content = [g for g in row_groups(frame, same, content) if tuple(g.tolist()) not in numbered]
        groups = sorted(by_number + by_content, key=lambda g: int(g[0]))
        return capped_issues(self, "blocking", "invoices", frame, groups,
                       lambda g: self._issue(frame, g, tuple(g.tolist()) in numbered))

    def _issue(self, frame: pd.DataFrame, group: np.ndarray, by_number: bool) -> Issue:
        first = frame.iloc[int(group[0])]
        kind_fr, kind_en = _KIND.get(first["kind"], (first["kind"], first["kind"]))
        amount = formatted_money(first["amount_incl_tax"])
        figures = {"number": first["number"], "count": len(group), "kind": first["kind"],
                   "counterparty": first["counterparty"], "amount_incl_tax": euros(first["amount_incl_tax"])}
        if by_number:
            fr = f"Facture {kind_fr} n° {first['number']} présente {len(group)} fois"
            en = f"{kind_en.capitalize()} invoice no. {first['number']} appears {len(group)} times"
        else:
            numbers = ", ".join(frame["number"].iloc[group].astype(str))
            fr = (f"{len(group)} factures {kind_fr} identiques ({first['counterparty'] or 'tiers vide'}, "
                  f"{formatted_day(first['issue_date'], 'fr')}, {amount['fr']} TTC) : n° {numbers}")
            en = (f"{len(group)} identical {kind_en} invoices ({first['counterparty'] or 'no counterparty'}, "
                  f"{formatted_day(first['issue_date'], 'en')}, {amount['en']} incl. VAT): nos. {numbers}")
        return make_issue(self, "blocking", "invoices", frame, group, fr, en, figures)


class InvoiceWithoutCounterparty(QualityCheck):
    """Invoices with neither a counterparty name nor an id."""

    name = "invoice_without_counterparty"
    description = {"fr": "factures sans client ni fournisseur", "en": "invoices without a counterparty"}
    needs = ("invoices",)

    def run(self, ctx: KPIContext, settings: Mapping[str, Any]) -> list[Issue]:
        """One warning with the count, amount and lines of such invoices."""
        frame = ctx.datasets["invoices"]
        empty = frame["counterparty"].astype(str).str.strip() == ""
        empty &= frame["counterparty_id"].astype(str).str.strip() == ""
        positions = np.flatnonzero(empty.to_numpy())
        if not len(positions):
            return []
        amount = int(frame["amount_incl_tax"].iloc[positions].sum())
        money = formatted_money(amount)
        numbers = frame["number"].iloc[positions[:MAX_QUOTED_LINES]].astype(str).tolist()
        shown = ", ".join(numbers) + (", …" if len(positions) > len(numbers) else "")
        fr = f"{len(positions)} facture(s) sans client ni fournisseur pour {money['fr']} TTC : n° {shown}"
        en = f"{len(positions)} invoice(s) without a counterparty totalling {money['en']} incl. VAT: nos. {shown}"
        figures = {"count": len(positions), "amount_incl_tax": euros(amount),
                   "numbers": tuple(frame["number"].iloc[positions].astype(str))}
        return [make_issue(self, "warning", "invoices", frame, positions, fr, en, figures)]


@hookimpl
def register_quality_checks() -> list[QualityCheck]:
    """Register the invoice data-quality gates."""
    return [DuplicateInvoice(), InvoiceWithoutCounterparty()]
