"""The DAF's statements: compte de résultat by SIG, bilan, cash and working capital."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..accounting.pcg import BILAN_LINES, BILAN_TOTAL_LINES, PL_LINES, SIG_LINES, mapping_for
from ..hookspecs import hookimpl
from ..interfaces import Section, Unavailable
from ..pack import PackContext
from ..periods import Month
from ..accounting.cashflow import caf_additive, caf_subtractive, cash_flow
from ..accounting.statements import cents_to_euros
from ._section_helpers import bilan_value, kpi_trend, pl_value, variation, window_label

__all__ = ["BilanSection", "CashFlowSection", "CashSection", "IncomeStatementSection", "SIG_LAYOUT", "BILAN_LAYOUT"]

#: Rows of the compte de résultat by SIG: (line id, style) with style base | subtotal | total.
SIG_LAYOUT: tuple[tuple[str, str], ...] = (
    ("ventes_marchandises", "base"), ("cout_achat_marchandises_vendues", "base"),
    ("marge_commerciale", "subtotal"),
    ("production_vendue", "base"), ("production_stockee", "base"), ("production_immobilisee", "base"),
    ("production_exercice", "subtotal"),
    ("chiffre_affaires", "subtotal"),
    ("achats_matieres", "base"), ("variation_stock_matieres", "base"),
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

_LABELS = {**PL_LINES, **SIG_LINES, **BILAN_LINES, **BILAN_TOTAL_LINES}


def line_label(pack: PackContext, line: str) -> str:
    """The label of a statement line in the pack's language."""
    return _LABELS[line].label(pack.language)


def _budget(pack: PackContext, line: str, window: Any) -> Decimal | None:
    try:
        return pack.data.budget(line, window)
    except Unavailable:
        return None


class IncomeStatementSection(Section):
    """Compte de résultat by SIG: month, year to date, N-1 and budget."""

    name = "compte_resultat"
    title = {"fr": "Compte de résultat par soldes intermédiaires de gestion", "en": "Income statement"}
    template = "sections/income_statement.html"
    page = "landscape"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Rows of the SIG table; lines that are zero in every column are left out."""
        month = pack.data.window("month", pack.period)
        ytd = pack.data.window("ytd", pack.period)
        pack.data.ledger.require(ytd)
        fmt = pack.fmt
        rows = []
        for line, style in SIG_LAYOUT:
            figures = {
                "month": pl_value(pack, line, month),
                "month_n1": pl_value(pack, line, month.shift_years(1)),
                "ytd": pl_value(pack, line, ytd),
                "ytd_n1": pl_value(pack, line, ytd.shift_years(1)),
                "budget": _budget(pack, line, ytd),
            }
            if style != "total" and not any(figures.values()):
                continue
            cell = {k: "—" if v is None else fmt.money(v) for k, v in figures.items()}
            cell.update(
                label=line_label(pack, line), style=style, id=line,
                n1_delta=variation(pack, figures["ytd"], figures["ytd_n1"], "money"),
                budget_delta="—" if figures["budget"] is None or figures["ytd"] is None
                else fmt.signed(fmt.money(figures["ytd"] - figures["budget"]), figures["ytd"] - figures["budget"]),
            )
            rows.append(cell)
        return {
            "rows": rows,
            "month_label": fmt.month(pack.period),
            "month_n1_label": fmt.month(pack.period.shift(-12)),
            "ytd_label": pack.t("Cumul ", "YTD ") + window_label(pack, ytd),
            "mapping": mapping_for(ytd.start.first_day).name,
        }


class BilanSection(Section):
    """Bilan at the period end beside the previous fiscal year's closing."""

    name = "bilan"
    title = {"fr": "Bilan", "en": "Balance sheet"}
    template = "sections/bilan.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Actif and passif rows for two dates; actif = passif is shown."""
        now = pack.period
        previous_close = pack.data.window("ytd", now).start.shift(-1)
        dates = [now, previous_close]
        tables = {}
        for side, layout in BILAN_LAYOUT.items():
            rows = []
            for line, style in layout:
                values = [bilan_value(pack, line, month) for month in dates]
                if style != "total" and not any(values):
                    continue
                rows.append({
                    "label": line_label(pack, line), "style": style,
                    "values": ["—" if v is None else pack.fmt.money(v) for v in values],
                })
            tables[side] = rows
        gap = pack.data.bilan("total_actif", now) - pack.data.bilan("total_passif", now)
        return {
            "tables": tables,
            "dates": [pack.fmt.date(m.last_day) for m in dates],
            "balanced": gap == 0,
            "gap": pack.fmt.money(gap),
        }


class CashSection(Section):
    """Net cash over 24 months, and BFR by component with DSO."""

    name = "tresorerie_bfr"
    title = {"fr": "Trésorerie et besoin en fonds de roulement", "en": "Cash and working capital"}
    template = "sections/cash.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Cash chart and BFR components now and a year earlier."""
        chart = kpi_trend(pack, "tresorerie_nette", 17, 6)
        dates: list[Month] = [pack.period, pack.period.shift(-12)]
        components = (
            ("stocks", 1), ("creances_clients", 1), ("autres_creances", 1), ("charges_constatees_avance", 1),
            ("avances_clients", -1), ("dettes_fournisseurs", -1), ("dettes_fiscales_sociales", -1),
            ("produits_constates_avance", -1),
        )
        revenue = []
        for month in dates:
            try:
                revenue.append(pack.data.pl("chiffre_affaires", pack.data.window("ltm", month)))
            except Unavailable:
                revenue.append(None)
        rows = []
        for line, sign in components:
            values = [bilan_value(pack, line, month) for month in dates]
            values = [None if v is None else sign * v for v in values]
            if not any(values):
                continue
            days = [
                None if v is None or not r else v / r * 365 for v, r in zip(values, revenue)
            ]
            rows.append({
                "label": line_label(pack, line),
                "values": ["—" if v is None else pack.fmt.money(v) for v in values],
                "days": ["—" if d is None else pack.fmt.value(d, "days") for d in days],
            })
        bfr = [pack.result("bfr", "month")]
        bfr_n1 = bfr[0].comparisons["n1"]
        bfr_days = [
            None if v is None or not r else v / r * 365
            for v, r in zip([bfr[0].value, bfr_n1.value], revenue)
        ]
        return {
            "chart": chart,
            "dates": [pack.fmt.date(m.last_day) for m in dates],
            "rows": rows,
            "bfr": [pack.value(bfr[0]), "—" if bfr_n1.value is None else pack.fmt.money(bfr_n1.value)],
            "bfr_days": ["—" if d is None else pack.fmt.value(d, "days") for d in bfr_days],
            "dso": pack.value(pack.result("dso", "ltm")),
        }


_FLOW_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("caf", "Capacité d'autofinancement (CAF)", "Cash flow from operations before WCR (CAF)", "base"),
    ("delta_bfr", "− Variation du BFR", "− Change in working capital", "base"),
    ("fte", "Flux de trésorerie d'exploitation (FTE)", "Operating cash flow", "subtotal"),
    ("acquisitions", "− Acquisitions d'immobilisations", "− Capital expenditure", "base"),
    ("cessions", "+ Produits de cession", "+ Disposal proceeds", "base"),
    ("placements", "+ Variation des placements de trésorerie", "+ Change in short-term investments", "base"),
    ("delta_dettes_immobilisations", "+ Variation des dettes sur immobilisations", "+ Change in capex payables", "base"),
    ("fti", "Flux d'investissement (FTI)", "Investing cash flow", "subtotal"),
    ("fonds_propres", "+ Capital, subventions et affectations du résultat", "+ Capital, grants and profit allocation", "base"),
    ("emprunts", "+ Emprunts nouveaux − remboursements", "+ New borrowings − repayments", "base"),
    ("associes", "+ Comptes courants d'associés", "+ Shareholder loans", "base"),
    ("dividendes", "− Dividendes versés", "− Dividends paid", "base"),
    ("ftf", "Flux de financement (FTF)", "Financing cash flow", "subtotal"),
    ("variation", "Variation de la trésorerie nette", "Change in net cash", "total"),
    ("tresorerie_debut", "Trésorerie nette d'ouverture", "Opening net cash", "base"),
    ("tresorerie_fin", "Trésorerie nette de clôture", "Closing net cash", "base"),
    ("ecart", "Écart de rapprochement", "Reconciliation gap", "base"),
)
_NEGATED = {"delta_bfr", "acquisitions", "dividendes"}


class CashFlowSection(Section):
    """Tableau de flux (FTE, FTI, FTF) of the closed fiscal years and the year to date, reconciled."""

    name = "tableau_flux"
    title = {"fr": "Capacité d'autofinancement et tableau de flux", "en": "Cash-flow statement"}
    template = "sections/cash_flow.html"
    page = "landscape"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One column per fiscal year (up to three closed ones) and the current year to date."""
        ledger = pack.data.ledger
        statements = pack.data.statements
        windows = []
        fy = pack.data.window("fy", pack.period)
        for back in (3, 2, 1):
            year = fy.shift_years(back)
            if ledger.covers(year):
                windows.append((pack.t(f"Exercice {year.start.year}", f"FY {year.start.year}")
                                if year.start.month == 1 else f"{year.start}–{year.end}", year))
        ytd = pack.data.window("ytd", pack.period)
        current = fy if fy.end == pack.period else ytd
        if ledger.covers(current):
            label = pack.t("Cumul ", "YTD ") + window_label(pack, current) if current.kind == "ytd" else (
                pack.t(f"Exercice {current.start.year}", f"FY {current.start.year}"))
            windows.append((label, current))
        if not windows:
            raise Unavailable(pack.t("aucune période complète dans les écritures", "no complete period in the ledger"))
        flows = [cash_flow(statements, window) for _, window in windows]
        agree = all(
            caf_additive(statements, w)["caf"] == caf_subtractive(statements, w)["caf"] for _, w in windows
        )
        rows = []
        for key, fr, en, style in _FLOW_ROWS:
            values = []
            for flow in flows:
                cents = flow.as_dict()[key]
                cents = -cents if key in _NEGATED else cents
                values.append(pack.fmt.money(cents_to_euros(cents)))
            rows.append({"label": pack.t(fr, en), "style": style, "values": values, "key": key})
        return {
            "columns": [label for label, _ in windows],
            "rows": rows,
            "caf_agree": agree,
            "gaps": any(flow.ecart for flow in flows),
        }



@hookimpl
def register_sections() -> list[Section]:
    """Register the DAF's statement sections."""
    return [IncomeStatementSection(), BilanSection(), CashSection(), CashFlowSection()]
