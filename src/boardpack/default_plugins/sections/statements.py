"""The DAF's statements: compte de résultat by SIG (year and month by month), bilan, cash,
working capital, tableau de flux and the cash bridge.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


from boardpack.api import PackContext, Section, Table, TableColumn, Unavailable, hookimpl
from boardpack.api.accounts import mapping_for
from boardpack.api.periods import Month, Window

from .helpers import bilan_value, kpi_trend, pl_value, thousands, variation
from .layouts import BILAN_LAYOUT, SIG_LAYOUT, budget_of, line_label

__all__ = ["BilanSection", "CashBridgeSection", "CashFlowSection", "CashSection", "IncomeStatementSection", "MonthlyIncomeStatementSection"]


class IncomeStatementSection(Section):
    """Compte de résultat by SIG: month, year to date, N-1 and budget."""

    name = "compte_resultat"
    title = {"fr": "Compte de résultat par soldes intermédiaires de gestion", "en": "Income statement"}
    template = "sections/income_statement.html"
    page = "landscape"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Rows of the SIG table; lines that are zero in every column are left out."""
        month = pack.facts.window("month")
        ytd = pack.facts.window("ytd")
        pack.facts.line("chiffre_affaires", ytd).require()  # the ledger covers the year to date
        fmt = pack.fmt
        rows, zeroed, values = [], [], []
        for line, style in SIG_LAYOUT:
            budget, counted_zero = budget_of(pack, line, ytd)
            figures = {
                "month": pl_value(pack, line, month),
                "month_n1": pl_value(pack, line, month, "n1"),
                "ytd": pl_value(pack, line, ytd),
                "ytd_n1": pl_value(pack, line, ytd, "n1"),
                "budget": budget,
            }
            if style != "total" and not any(figures.values()):
                continue
            zeroed += [z for z in counted_zero if z not in zeroed]
            values.append((line_label(pack, line), *figures.values()))
            cell = {k: "—" if v is None else fmt.money(v) for k, v in figures.items()}
            cell.update(
                label=line_label(pack, line), style=style, id=line,
                n1_delta=variation(pack, figures["ytd"], figures["ytd_n1"], "money"),
                budget_delta="—" if figures["budget"] is None or figures["ytd"] is None
                else fmt.signed(fmt.money(figures["ytd"] - figures["budget"]), figures["ytd"] - figures["budget"]),
            )
            rows.append(cell)
        ytd_label = pack.t("Cumul ", "YTD ") + pack.fmt.window(ytd)
        pack.table(Table(pack.t("Compte de résultat (SIG)", "Income statement"), (
            TableColumn(pack.t("Poste", "Line")), TableColumn(fmt.month(pack.period), "money"),
            TableColumn(fmt.month(pack.period.shift(-12)), "money"), TableColumn(ytd_label, "money"),
            TableColumn(pack.t("Cumul ", "YTD ") + pack.fmt.window(ytd.shift_years(1)), "money"),
            TableColumn(pack.t("Budget cumulé", "YTD budget"), "money"),
        ), values))
        return {
            "rows": rows,
            "month_label": fmt.month(pack.period),
            "month_n1_label": fmt.month(pack.period.shift(-12)),
            "ytd_label": pack.t("Cumul ", "YTD ") + pack.fmt.window(ytd),
            "mapping": mapping_for(ytd.start.first_day).name,
            "zeroed": [line_label(pack, z) for z in zeroed],
        }


_SIDES = {"actif": ("actif", "assets"), "passif": ("passif", "liabilities")}


class BilanSection(Section):
    """Bilan at the period end beside the previous fiscal year's closing."""

    name = "bilan"
    title = {"fr": "Bilan", "en": "Balance sheet"}
    template = "sections/bilan.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Actif and passif rows for two dates; actif = passif is shown."""
        now = pack.period
        previous_close = pack.facts.window("ytd").start.shift(-1)
        dates = [now, previous_close]
        tables = {}
        for side, layout in BILAN_LAYOUT.items():
            rows, described = [], []
            for line, style in layout:
                values = [bilan_value(pack, line, month) for month in dates]
                if style != "total" and not any(values):
                    continue
                described.append((line_label(pack, line), *values))
                rows.append({
                    "label": line_label(pack, line), "style": style,
                    "values": ["—" if v is None else pack.fmt.money(v) for v in values],
                })
            tables[side] = rows
            pack.table(Table(pack.t("Bilan ", "Balance sheet ") + pack.t(*_SIDES[side]), (
                TableColumn(pack.t("Poste", "Line")),
                *(TableColumn(pack.fmt.date(m.last_day), "money") for m in dates),
            ), described))
        gap = pack.facts.balance("total_actif", now).require() - pack.facts.balance("total_passif", now).require()
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
        # days of revenue: each amount over the 12 months' CA to the same date (a ratio of two facts)
        revenue = [pl_value(pack, "chiffre_affaires", pack.data.window("ltm", month)) for month in dates]
        rows, described = [], []
        for line, sign in components:
            values = [bilan_value(pack, line, month) for month in dates]
            values = [None if v is None else sign * v for v in values]
            if not any(values):
                continue
            days = [
                None if v is None or not r else v / r * 365 for v, r in zip(values, revenue)
            ]
            described.append((line_label(pack, line), *values, *days))
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
        described.append(("BFR", bfr[0].value, bfr_n1.value, *bfr_days))
        days_of = pack.t("jours de CA", "days of revenue")
        pack.table(Table(pack.t("Composantes du BFR", "Working capital"), (
            TableColumn(pack.t("Poste", "Line")),
            *(TableColumn(pack.fmt.date(m.last_day), "money") for m in dates),
            *(TableColumn(f"{days_of} {pack.fmt.date(m.last_day)}", "days") for m in dates),
        ), described))
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
            label = pack.t("Cumul ", "YTD ") + pack.fmt.window(current) if current.kind == "ytd" else (
                pack.t(f"Exercice {current.start.year}", f"FY {current.start.year}"))
            windows.append((label, current))
        if not windows:
            raise Unavailable(pack.t("aucune période complète dans les écritures", "no complete period in the ledger"))
        flows = [{key: fact.require() for key, fact in pack.facts.flows(window).items()} for _, window in windows]
        agree = all(
            pack.facts.flow("caf", w).value == pack.facts.flow("caf_soustractive", w).value for _, w in windows
        )
        rows, described = [], []
        for key, fr, en, style in _FLOW_ROWS:
            values, amounts = [], []
            for flow in flows:
                amounts.append(-flow[key] if key in _NEGATED else flow[key])  # shown with the sign of its label
                values.append(pack.fmt.money(amounts[-1]))
            rows.append({"label": pack.t(fr, en), "style": style, "values": values, "key": key})
            described.append((pack.t(fr, en), *amounts))
        pack.table(Table(pack.t("Tableau de flux", "Cash-flow statement"), (
            TableColumn(pack.t("Poste", "Line")), *(TableColumn(label, "money") for label, _ in windows),
        ), described))
        return {
            "columns": [label for label, _ in windows],
            "rows": rows,
            "caf_agree": agree,
            "gaps": any(flow["ecart"] for flow in flows),
        }


class MonthlyIncomeStatementSection(Section):
    """Compte de résultat by SIG, month by month over the fiscal year to date, with totals."""

    name = "compte_resultat_mensuel"
    title = {"fr": "Compte de résultat mensuel", "en": "Monthly income statement"}
    template = "sections/monthly_income_statement.html"
    page = "landscape"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One column per month of the year to date, then cumul, N-1, budget and variances (k€)."""
        ytd = pack.facts.window("ytd")
        pack.facts.line("chiffre_affaires", ytd).require()  # the ledger covers the year to date
        months = ytd.months
        rows, zeroed = [], []
        for line, style in SIG_LAYOUT:
            monthly = [pl_value(pack, line, Window("month", m, m)) for m in months]
            total = pl_value(pack, line, ytd)
            total_n1 = pl_value(pack, line, ytd, "n1")
            budget, counted_zero = budget_of(pack, line, ytd)
            if style != "total" and not any([*monthly, total, total_n1, budget]):
                continue
            zeroed += [z for z in counted_zero if z not in zeroed]
            gap = None if budget is None or total is None else total - budget
            rows.append({
                "id": line, "label": line_label(pack, line), "style": style,
                "months": [thousands(pack, v) for v in monthly],
                "ytd": thousands(pack, total), "ytd_n1": thousands(pack, total_n1),
                "n1_delta": variation(pack, total, total_n1, "money"),
                "budget": thousands(pack, budget), "budget_delta": thousands(pack, gap, signed=True),
                "raw": {"months": monthly, "ytd": total, "ytd_n1": total_n1, "budget": budget},
            })
        pack.table(Table(pack.t("Compte de résultat mensuel", "Monthly income statement"), (
            TableColumn(pack.t("Poste", "Line")), *(TableColumn(pack.fmt.month(m), "money") for m in months),
            TableColumn(pack.t("Cumul ", "YTD ") + pack.fmt.window(ytd), "money"),
            TableColumn(pack.t("Cumul N-1", "YTD N-1"), "money"), TableColumn(pack.t("Budget cumulé", "YTD budget"), "money"),
        ), [(row["label"], *row["raw"]["months"], row["raw"]["ytd"], row["raw"]["ytd_n1"], row["raw"]["budget"])
            for row in rows]))
        one_year = len({m.year for m in months}) == 1
        headers = [pack.fmt.month_short(m).rsplit(" ", 1)[0] if one_year else pack.fmt.month_short(m)
                   for m in months]
        label_width, total_width = 23.0, 5.4
        month_width = (100 - label_width - 5 * total_width) / len(months)
        return {
            "rows": rows,
            "months": headers,
            "widths": {"label": f"{label_width}%", "month": f"{month_width:.2f}%", "total": f"{total_width}%"},
            "ytd_window": pack.fmt.window(ytd),
            "zeroed": [line_label(pack, z) for z in zeroed],
        }


_BRIDGE = (
    # key, table label fr/en, chart label fr/en, style
    ("tresorerie_debut", "Trésorerie nette d'ouverture", "Opening net cash",
     "Trésorerie d'ouverture", "Opening cash", "base"),
    ("caf", "Capacité d'autofinancement (CAF)", "Cash flow before WCR (CAF)", "CAF", "CAF", "base"),
    ("delta_bfr", "− Variation du BFR", "− Change in working capital", "− Δ BFR", "− Δ WCR", "base"),
    ("fte", "= Flux de trésorerie d'exploitation", "= Operating cash flow", "", "", "subtotal"),
    ("fti", "Flux d'investissement", "Investing cash flow", "Investissement", "Investing", "base"),
    ("ftf", "Flux de financement", "Financing cash flow", "Financement", "Financing", "base"),
    ("ecart", "Écart de rapprochement", "Reconciliation gap", "Écart", "Gap", "base"),
    ("variation", "= Variation de la trésorerie nette", "= Change in net cash", "", "", "subtotal"),
    ("tresorerie_fin", "Trésorerie nette de clôture", "Closing net cash",
     "Trésorerie de clôture", "Closing cash", "total"),
)


class CashBridgeSection(Section):
    """The cash bridge of the year to date as a waterfall, with its figures."""

    name = "cascade_tresorerie"
    title = {"fr": "Cascade de trésorerie", "en": "Cash bridge"}
    template = "sections/cash_bridge.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Opening cash, CAF, −ΔBFR, FTI, FTF (and the gap if any), closing cash; YTD and N-1."""
        ytd = pack.facts.window("ytd")
        flow = {key: fact.require() for key, fact in pack.facts.flows(ytd).items()}
        flow["delta_bfr"] = -flow["delta_bfr"]  # shown with the sign of its label (« − Variation du BFR »)
        previous: dict[str, Decimal] | None = None
        if pack.data.ledger.covers(ytd.shift_years(1)):
            previous = {key: fact.require() for key, fact in pack.facts.flows(ytd.shift_years(1)).items()}
            previous["delta_bfr"] = -previous["delta_bfr"]
        show_gap = bool(flow["ecart"] or (previous and previous["ecart"]))
        steps, rows, described = [], [], []
        for key, fr, en, chart_fr, chart_en, style in _BRIDGE:
            if key == "ecart" and not show_gap:
                continue
            described.append((pack.t(fr, en), flow[key], None if previous is None else previous[key]))
            rows.append({
                "label": pack.t(fr, en), "style": style, "key": key,
                "value": pack.fmt.money(flow[key]),
                "n1": "—" if previous is None else pack.fmt.money(previous[key]),
            })
            if chart_fr:
                steps.append({"key": key, "label": pack.t(chart_fr, chart_en), "value": flow[key], "cents": int(flow[key] * 100),
                              "kind": "total" if key.startswith("tresorerie") else "delta"})
        chart = pack.chart("waterfall", {
            "x": [s["label"] for s in steps],
            "series": [{"label": "", "values": [s["value"] for s in steps]}],
            "kinds": [s["kind"] for s in steps],
            "unit": "money",
        }, 17, 8, alt=pack.t("Cascade de trésorerie", "Cash bridge"))
        pack.table(Table(pack.t("Cascade de trésorerie", "Cash bridge"), (
            TableColumn(pack.t("Poste", "Line")), TableColumn(pack.fmt.window(ytd), "money"),
            TableColumn(pack.fmt.window(ytd.shift_years(1)), "money"),
        ), described))
        opening = pack.fmt.date(ytd.start.shift(-1).last_day)
        return {
            "chart": chart,
            "rows": rows,
            "steps": steps,
            "window": pack.fmt.window(ytd),
            "n1_window": pack.fmt.window(ytd.shift_years(1)),
            "has_n1": previous is not None,
            "opening_date": opening,
            "closing_date": pack.fmt.date(pack.period.last_day),
            "gap": bool(flow["ecart"]),
        }


@hookimpl
def register_sections() -> list[Section]:
    """Register the statement sections."""
    return [IncomeStatementSection(), BilanSection(), CashSection(), CashFlowSection(), MonthlyIncomeStatementSection(), CashBridgeSection()]
