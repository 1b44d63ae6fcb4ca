"""The banker's dossier: company presentation, three fiscal years, ratios, debt schedule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


from boardpack.api import STATUS_LABELS, PackContext, Section, Table, TableColumn, Unavailable, hookimpl

from .helpers import closed_years, fy_label, outstanding_by_loan
from .layouts import BILAN_LAYOUT, SIG_LAYOUT, line_label

__all__ = ["BankRatiosSection", "DebtScheduleSection", "PresentationSection", "ThreeYearsSection"]


class PresentationSection(Section):
    """The company at a glance, with the last closed year's key figures."""

    name = "presentation"
    title = {"fr": "Présentation de la société", "en": "Company overview"}
    template = "sections/presentation.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Identity, key figures and financing in place."""
        company = pack.company
        year = closed_years(pack, 1)[-1]
        values = [(line, pack.facts.line(line, year).require())
                  for line in ("chiffre_affaires", "ebe", "resultat_exploitation", "resultat_net")]
        values += [(line, pack.facts.balance(line, year.end).require())
                   for line in ("capitaux_propres", "dettes_financieres", "total_actif")]
        figures = [(line_label(pack, line), pack.fmt.money(value)) for line, value in values]
        try:
            loans = outstanding_by_loan(pack)
        except Unavailable:
            loans = []
        pack.table(Table(pack.t("Chiffres clés ", "Key figures ") + fy_label(pack, year), (
            TableColumn(pack.t("Poste", "Line")), TableColumn(fy_label(pack, year), "money"),
        ), [(line_label(pack, line), value) for line, value in values]))
        return {
            "company": company,
            "year_label": fy_label(pack, year),
            "figures": figures,
            "loans": loans,
            "fiscal_year_start": pack.fmt.month(pack.facts.window("fy").start).split(" ")[0],
        }


class ThreeYearsSection(Section):
    """Compte de résultat and bilan of the last three closed fiscal years, side by side."""

    name = "etats_3_exercices"
    title = {"fr": "États financiers sur trois exercices", "en": "Three-year financial statements"}
    template = "sections/three_years.html"
    page = "landscape"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Rows with one column per year and the last year's change."""
        years = closed_years(pack)
        fmt = pack.fmt

        def rows_for(layout: tuple[tuple[str, str], ...], read: Any, title: str) -> list[dict[str, Any]]:
            rows, described = [], []
            for line, style in layout:
                values = [read(line, year) for year in years]
                if style != "total" and not any(values):
                    continue
                described.append((line_label(pack, line), *values))
                change = fmt.change(values[-1], values[-2], "money") if len(values) > 1 else "—"
                rows.append({"label": line_label(pack, line), "style": style,
                             "values": [fmt.money(v) for v in values], "change": change})
            pack.table(Table(title, (TableColumn(pack.t("Poste", "Line")),
                                     *(TableColumn(fy_label(pack, y), "money") for y in years)), described))
            return rows

        pl_rows = rows_for(SIG_LAYOUT, lambda line, year: pack.facts.line(line, year).require(),
                           pack.t("Compte de résultat 3 exercices", "Income statement 3 years"))
        bilan_rows = rows_for(BILAN_LAYOUT["actif"] + BILAN_LAYOUT["passif"],
                              lambda line, year: pack.facts.balance(line, year.end).require(),
                              pack.t("Bilan 3 exercices", "Balance sheet 3 years"))
        return {"years": [fy_label(pack, y) for y in years], "pl_rows": pl_rows, "bilan_rows": bilan_rows}


class BankRatiosSection(Section):
    """Banker ratios against their thresholds, with headroom, status and formula."""

    name = "ratios_bancaires"
    title = {"fr": "Ratios bancaires", "en": "Banking ratios"}
    template = "sections/bank_ratios.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One row per banker KPI that has thresholds, over its headline window."""
        rows, described, units = [], [], []
        for kpi in pack.kpis_for_audience():
            result = pack.result(kpi.id)
            limits = result.thresholds
            if limits is None:
                continue
            headroom = result.headroom()
            side = "≥" if kpi.direction == "up" else "≤"
            described.append((pack.label(kpi.label), pack.fmt.window(result.window), result.value, limits.warn,
                              limits.alert, headroom, STATUS_LABELS[result.status][0 if pack.language == "fr" else 1]
                              if result.status else "", pack.label(kpi.formula)))
            units.append(kpi.unit)
            rows.append({
                "label": pack.label(kpi.label),
                "window": pack.fmt.window(result.window),
                "value": pack.value(result),
                "reason": pack.reason(result),
                # « ≤ 75 j », or « — » alone where the KPI has no such threshold (never « ≤ — »)
                "alert": "—" if limits.alert is None else f"{side}\u00a0{pack.fmt.value(limits.alert, kpi.unit)}",
                "warn": "—" if limits.warn is None else f"{side}\u00a0{pack.fmt.value(limits.warn, kpi.unit)}",
                "direction": side,
                "headroom": "—" if headroom is None else pack.fmt.value(headroom, kpi.unit),
                "status": result.status,
                "status_label": STATUS_LABELS[result.status][0 if pack.language == "fr" else 1] if result.status else "",
                "formula": pack.label(kpi.formula),
            })
        if not rows:
            raise Unavailable(pack.t("aucun ratio avec seuil pour cette audience", "no ratio with thresholds"))
        pack.table(Table(pack.t("Ratios bancaires", "Banking ratios"), (
            TableColumn(pack.t("Ratio", "Ratio")), TableColumn(pack.t("Période", "Period")),
            TableColumn(pack.t("Valeur", "Value"), "row"), TableColumn(pack.t("Seuil de vigilance", "Watch level"), "row"),
            TableColumn(pack.t("Seuil d'alerte", "Alert level"), "row"), TableColumn(pack.t("Marge", "Headroom"), "row"),
            TableColumn(pack.t("Statut", "Status")), TableColumn(pack.t("Formule", "Formula")),
        ), described, row_units=units))
        return {"rows": rows}


class DebtScheduleSection(Section):
    """Debt service per fiscal year (principal, interest) with the year's DSCR, and outstanding."""

    name = "echeancier"
    title = {"fr": "Endettement et service de la dette", "en": "Debt and debt service"}
    template = "sections/debt.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Per fiscal year: service by loan, total, DSCR; outstanding at the period end."""
        loans = pack.data.dataset("loans")
        dscr = pack.kpi("dscr")
        fy = pack.facts.window("fy")
        windows = [fy.shift_years(2), fy.shift_years(1), pack.facts.window("ytd")]
        rows, described = [], []
        for window in windows:
            months = {str(m) for m in window.months}
            due = loans[loans["period"].isin(months)]
            if due.empty:
                continue
            principal = Decimal(int(due["principal_due"].sum())).scaleb(-2)
            interest = Decimal(int(due["interest_due"].sum())).scaleb(-2)
            fact = pack.facts.kpi("dscr", window)
            value, reason = fact.value, fact.reason
            described.append((fy_label(pack, window) if window.kind == "fy" else pack.t("Cumul ", "YTD ")
                              + pack.fmt.window(window), principal, interest, principal + interest, value))
            rows.append({
                "label": fy_label(pack, window) if window.kind == "fy" else pack.t(
                    "Cumul ", "YTD ") + pack.fmt.window(window),
                "principal": pack.fmt.money(principal), "interest": pack.fmt.money(interest),
                "service": pack.fmt.money(principal + interest),
                "dscr": reason if value is None else pack.fmt.value(value, "ratio"),
                "status": pack.engine.status(dscr, value),
            })
        outstanding = outstanding_by_loan(pack)
        pack.table(Table(pack.t("Service de la dette", "Debt service"), (
            TableColumn(pack.t("Période", "Period")), TableColumn(pack.t("Capital", "Principal"), "money"),
            TableColumn(pack.t("Intérêts", "Interest"), "money"), TableColumn(pack.t("Service", "Service"), "money"),
            TableColumn("DSCR", "ratio"),
        ), described))
        pack.table(Table(pack.t("Capital restant dû", "Capital outstanding"), (
            TableColumn(pack.t("Emprunt", "Loan")), TableColumn(pack.t("Prêteur", "Lender")),
            TableColumn(pack.t("Au", "At"), "date"), TableColumn(pack.t("Capital restant dû", "Outstanding"), "money"),
        ), [(loan["loan"], loan["lender"], pack.period.last_day, loan["amount"]) for loan in outstanding]))
        return {"rows": rows, "outstanding": outstanding, "date": pack.fmt.date(pack.period.last_day)}


@hookimpl
def register_sections() -> list[Section]:
    """Register the banker's sections."""
    return [PresentationSection(), ThreeYearsSection(), BankRatiosSection(), DebtScheduleSection()]
