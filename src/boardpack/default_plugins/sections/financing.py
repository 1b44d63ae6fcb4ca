"""The banker's forward-looking sections: the loan asked for (« Demande de financement ») with
its schedule and pro-forma DSCR, and the Banque de France-style analysis (functional balance
sheet, ratios with their inputs, debts by maturity, covenants with their headroom)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boardpack.api import STATUS_LABELS, PackContext, Section, Table, TableColumn, Unavailable, hookimpl
from boardpack.api.accounting import loan_service
from boardpack.api.forecast import (
    AMORTISATIONS, DEBT, FINANCING, FORECAST, SCENARIOS, Financing, Instalment, Ratio, banker_ratios, debt_of,
    financing_request, pro_forma, ratios_csv, repayment_capacity, schedule, schedules_csv,
)
from boardpack.api.periods import Month, Window

from .helpers import fy_label

__all__ = ["FinancingRequestSection", "FunctionalAnalysisSection"]

#: DSCR under this is below what banks ask (the brief's 1,25), used when the config sets no dscr threshold
DSCR_FLOOR = Decimal("1.25")


#: the amortisation kinds in English (their French labels are AMORTISATIONS')
_AMORTISATIONS_EN = {"annuite_constante": "constant annuities", "amortissement_constant": "constant principal"}


def _amortisation(pack: PackContext, kind: str) -> str:
    """« annuités constantes » / "constant annuities": the amortisation kind in the pack's language."""
    return pack.t(AMORTISATIONS[kind], _AMORTISATIONS_EN.get(kind, AMORTISATIONS[kind]))

def _e(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _status(value: Decimal | None, floor: Decimal) -> str | None:
    if value is None:
        return None
    return "alert" if value < floor else "warn" if value < floor * Decimal("1.2") else "ok"


def _badge(pack: PackContext, status: str | None) -> str:
    return "" if status is None else STATUS_LABELS[status][0 if pack.language == "fr" else 1]


def _describe_request(pack: PackContext, financing: Financing, steps: list[Instalment],
                      by_year: list[tuple[Any, ...]], pro_forma_rows: list[tuple[Any, ...]], existing_note: str,
                      floor: Decimal, capacity: list[tuple[Any, ...]]) -> None:
    """The workbook's sheets of the loan asked for: terms, schedule by fiscal year and month by
    month, pro-forma debt service and DSCR, repayment capacity."""
    terms = financing.terms
    amortising = steps[terms.deferral]
    pack.table(Table(pack.t("Conditions de l'emprunt demandé", "Requested loan terms"), (
        TableColumn(pack.t("Condition", "Term")), TableColumn(pack.t("Valeur", "Value"), "row"),
    ), [(pack.t("Objet", "Purpose"), financing.purpose or pack.t("non précisé", "not given")), (pack.t("Montant", "Amount"), terms.amount),
        (pack.t("Prêteur", "Lender"), terms.lender or pack.t("à définir", "to be chosen")), (pack.t("Durée (mois)", "Term (months)"), terms.months),
        (pack.t("Différé, intérêts seuls (mois)", "Deferral, interest only (months)"), terms.deferral),
        (pack.t("Taux annuel", "Annual rate"), terms.annual_rate * 100),
        (pack.t("Amortissement", "Amortisation"), _amortisation(pack, terms.amortisation)),
        (pack.t("Déblocage", "Paid out"), financing.disbursement),
        (pack.t("Première échéance", "First instalment"), terms.first),
        (pack.t("Échéance (hors différé)", "Instalment (after deferral)"), _e(amortising.payment)),
        (pack.t("Coût total du crédit (intérêts)", "Total interest"), _e(sum(s.interest for s in steps)))],
        row_units=("text", "money", "text", "count", "count", "percent", "text", "month", "month", "money", "money")))
    money = (TableColumn(pack.t("Capital", "Principal"), "money"), TableColumn(pack.t("Intérêts", "Interest"), "money"))
    pack.table(Table(pack.t("Échéancier par exercice", "Schedule by fiscal year"), (
        TableColumn(pack.t("Exercice", "Fiscal year")), TableColumn(pack.t("Échéances", "Instalments"), "count"),
        *money, TableColumn(pack.t("Restant dû en fin d'exercice", "Outstanding at year-end"), "money"),
    ), by_year))
    pack.table(Table(pack.t("Échéancier de l'emprunt demandé", "Requested loan schedule"), (
        TableColumn(pack.t("Mois", "Month"), "month"), *money, TableColumn(pack.t("Échéance", "Instalment"), "money"),
        TableColumn(pack.t("Restant dû", "Outstanding"), "money"),
    ), [(s.month, _e(s.principal), _e(s.interest), _e(s.payment), _e(s.outstanding)) for s in steps]))
    pack.table(Table(pack.t("DSCR pro forma", "Pro-forma DSCR"), (
        TableColumn(pack.t("Période", "Period")), TableColumn(pack.t("Mois", "Months"), "count"),
        TableColumn(pack.t("Emprunts en cours", "Existing loans"), "money"),
        TableColumn(pack.t("Emprunt demandé", "Requested loan"), "money"),
        TableColumn(pack.t("Service de la dette", "Debt service"), "money"),
        TableColumn(pack.t("EBE − impôt sur les bénéfices", "EBITDA − income tax"), "money"),
        TableColumn(pack.t("Flux d'exploitation + intérêts", "Operating cash flow + interest"), "money"),
        TableColumn(pack.t("DSCR (EBE)", "DSCR (EBITDA)"), "ratio"), TableColumn(pack.t("DSCR (FTE)", "DSCR (OCF)"), "ratio"),
    ), pro_forma_rows, note=pack.t(
        f"EBE, impôt, flux d'exploitation et intérêts des 12 derniers mois, ramenés à la durée de chaque période ; "
        f"emprunts en cours : "
        f"{existing_note}. Seuil d'alerte du DSCR : {pack.fmt.value(floor, 'ratio')}.",
        f"LTM EBITDA, income tax, operating cash flow and interest, scaled to each period; existing loans: "
        f"{existing_note}. "
        f"DSCR covenant floor: {pack.fmt.value(floor, 'ratio')}.")))
    pack.table(Table(pack.t("Capacité de remboursement", "Repayment capacity"), (
        TableColumn(""), TableColumn(pack.t("Dettes financières", "Financial debt"), "money"),
        TableColumn(pack.t("CAF 12 mois", "LTM cash flow"), "money"),
        TableColumn(pack.t("Années de CAF", "Years of cash flow"), "years"),
    ), capacity, note=pack.t("Capacité de remboursement = dettes financières / CAF ; vide : CAF négative ou nulle.",
                             "Repayment capacity = financial debt / cash flow; empty: cash flow not positive.")))


class FinancingRequestSection(Section):
    """The loan of ``[financing]``: terms, schedule by fiscal year, pro-forma debt service and
    DSCR (EBE and operating cash flow) over the next 12 months and fiscal years, and the
    repayment capacity once borrowed."""

    name = "demande_financement"
    title = {"fr": "Demande de financement", "en": "Financing request"}
    template = "sections/financing_request.html"
    settings = (FORECAST, SCENARIOS, FINANCING, DEBT)

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Terms, schedule, pro-forma table and capacity."""
        data, period, fmt = pack.data, pack.period, pack.fmt
        financing = financing_request(data, period)
        if financing is None:
            raise Unavailable(pack.t("pas de table [financing] dans la configuration (montant, objet, durée, taux)",
                                     "no [financing] table in the config (amount, purpose, duration, rate)"),
                              needs="[financing]")
        terms = financing.terms
        steps = schedule(terms)
        ltm = data.window("ltm", period)
        data.ledger.require(ltm)
        # the numerators of the two DSCR KPIs (kpis/debt_service.py), so the pro-forma reads like the ratio page
        ebe = pack.facts.line("ebe", ltm).require() - pack.facts.line("impot_benefices", ltm).require()
        paid = loan_service(data.statements, ltm)  # the last 12 months' repayments and interest, as the DSCR reads them
        fte = pack.facts.flow("fte", ltm).require() + _e(paid.interest)
        caf = pack.facts.flow("caf", ltm).require()
        try:
            debt = debt_of(data, period)
            existing = lambda months: sum(debt.service(months))  # noqa: E731
            existing_note = pack.t("échéanciers des emprunts en cours", "schedules of the loans in place")
        except Unavailable:
            debt = None
            monthly = paid.total // 12
            existing = lambda months: monthly * len(months)  # noqa: E731
            existing_note = pack.t("sans échéancier : remboursements et intérêts des 12 derniers mois reconduits (estimation)",
                                   "no schedule: the last 12 months' repayments and interest continued (estimate)")
        floor = DSCR_FLOOR
        try:
            limits = pack.result("dscr").thresholds
            if limits is not None and limits.alert is not None:
                floor = limits.alert
        except Unavailable:
            pass

        described: list[tuple[Any, ...]] = []

        def row(label: str, months: list[Month]) -> dict[str, Any]:
            figures = pro_forma(months, existing(months), steps, ebe, fte)
            described.append((label, figures.months, _e(figures.existing), _e(figures.new), _e(figures.service),
                              figures.ebe, figures.fte, figures.dscr_ebe, figures.dscr_fte))
            status_ebe, status_fte = _status(figures.dscr_ebe, floor), _status(figures.dscr_fte, floor)
            return {"label": label, "existing": fmt.money(_e(figures.existing)), "new": fmt.money(_e(figures.new)),
                    "service": fmt.money(_e(figures.service)), "ebe": fmt.money(figures.ebe), "fte": fmt.money(figures.fte),
                    "dscr_ebe": fmt.value(figures.dscr_ebe, "ratio"), "dscr_fte": fmt.value(figures.dscr_fte, "ratio"),
                    "status_ebe": status_ebe, "status_fte": status_fte,
                    "badge_ebe": _badge(pack, status_ebe), "badge_fte": _badge(pack, status_fte)}

        next12 = [period.shift(i) for i in range(1, 13)]
        rows = [row(pack.t("12 prochains mois", "Next 12 months"), next12)]
        years, by_year, years_described = [], [], []
        year = data.window("fy", period.shift(1))  # the next whole fiscal years: the 12 months cover the rest
        if year.start <= period:
            year = Window("fy", *data.calendar.year_of(year.end.shift(1)), data.calendar)
        while year.start <= steps[-1].month:
            years.append(year)
            year = Window("fy", *data.calendar.year_of(year.end.shift(1)), data.calendar)
        for index, fy in enumerate(years):
            if index < 5:  # the pro-forma over the next five fiscal years
                rows.append(row(fy_label(pack, fy), fy.months))
            in_year = [s for s in steps if fy.start <= s.month <= fy.end]
            if in_year:
                years_described.append((fy_label(pack, fy), len(in_year), _e(sum(s.principal for s in in_year)),
                                        _e(sum(s.interest for s in in_year)), _e(in_year[-1].outstanding)))
                by_year.append({"label": fy_label(pack, fy), "principal": fmt.money(_e(sum(s.principal for s in in_year))),
                                "interest": fmt.money(_e(sum(s.interest for s in in_year))),
                                "outstanding": fmt.money(_e(in_year[-1].outstanding)), "count": len(in_year)})
        debt_now = pack.facts.balance("dettes_financieres", period).require() if debt is None else _e(debt.outstanding)
        capacity_before = repayment_capacity(debt_now, caf)
        capacity_after = repayment_capacity(debt_now + terms.amount, caf)
        amortising = steps[terms.deferral]
        _describe_request(pack, financing, steps, years_described, described, existing_note, floor,
                          [(pack.t("Aujourd'hui", "Today"), debt_now, caf, capacity_before),
                           (pack.t("Après l'emprunt de ", "After borrowing ") + fmt.money(terms.amount),
                            debt_now + terms.amount, caf, capacity_after)])
        return {
            "terms": [
                (pack.t("Objet", "Purpose"), financing.purpose or pack.t("non précisé", "not given")),
                (pack.t("Montant", "Amount"), fmt.money(terms.amount)),
                (pack.t("Prêteur", "Lender"), terms.lender or pack.t("à définir", "to be chosen")),
                (pack.t("Durée", "Term"), pack.t(f"{terms.months} mois", f"{terms.months} months")
                 + (pack.t(f" dont {terms.deferral} de différé (intérêts seuls)", f", {terms.deferral} of deferral")
                    if terms.deferral else "")),
                (pack.t("Taux annuel", "Annual rate"), fmt.percent(terms.annual_rate * 100, 2)),
                (pack.t("Amortissement", "Amortisation"), _amortisation(pack, terms.amortisation)),
                (pack.t("Déblocage", "Paid out"), fmt.month(financing.disbursement)),
                (pack.t("Première échéance", "First instalment"), fmt.month(terms.first)),
                (pack.t("Échéance (hors différé)", "Instalment (after deferral)"), fmt.money(_e(amortising.payment))),
                (pack.t("Coût total du crédit (intérêts)", "Total interest"), fmt.money(_e(sum(s.interest for s in steps)))),
            ],
            "by_year": by_year, "rows": rows, "existing_note": existing_note,
            "floor": fmt.value(floor, "ratio"),
            "capacity_before": fmt.value(capacity_before, "years"), "capacity_after": fmt.value(capacity_after, "years"),
            "capacity_status": None if capacity_after is None else (
                "alert" if capacity_after > 4 else "warn" if capacity_after > 3 else "ok"),
            "debt_now": fmt.money(debt_now), "debt_after": fmt.money(debt_now + terms.amount), "caf": fmt.money(caf),
            "amount": fmt.money(terms.amount),
        }

    def attachments(self, pack: PackContext) -> list[tuple[str, bytes, str]]:
        """``echeancier_emprunts.csv``: the instalments ahead of the loans in place and of the loan asked for."""
        rows = []
        try:
            rows += [(loan.origin, step) for loan in debt_of(pack.data, pack.period).loans for step in loan.ahead]
        except Unavailable:
            pass
        financing = financing_request(pack.data, pack.period)
        if financing is not None:
            rows += [("requested", step) for step in schedule(financing.terms)]
        if not rows:
            return []
        return [("echeancier_emprunts.csv", schedules_csv(rows),
                 "Échéanciers des emprunts en cours et de l'emprunt demandé")]


def _ratio_row(pack: PackContext, ratio: Ratio) -> dict[str, Any]:
    fmt = pack.fmt
    sign = "≥" if ratio.direction == "up" else "≤"
    limits = "—"
    if ratio.warn is not None or ratio.alert is not None:
        limits = f"{sign} {fmt.value(ratio.warn, ratio.unit)} / {fmt.value(ratio.alert, ratio.unit)}"
    return {
        "label": pack.label(ratio.label), "value": fmt.value(ratio.value, ratio.unit) if ratio.value is not None else
        pack.t("non disponible", "not available"), "reason": ratio.reason, "limits": limits,
        "status": ratio.status, "badge": _badge(pack, ratio.status), "formula": pack.label(ratio.formula),
        "inputs": " ; ".join(f"{pack.label(name)} {fmt.money(value)}" for name, value in ratio.inputs),
        "headroom": "—" if ratio.headroom is None else fmt.value(ratio.headroom, ratio.unit),
        "key": ratio.key,
    }


#: the ratios that banks usually write into a loan's covenants
COVENANTS = ("gearing", "levier", "capacite_remboursement")


def _describe_ratios(pack: PackContext, ratios: list[Ratio]) -> None:
    """The workbook's sheets of the ratios: each ratio in its own unit, then each input of each."""
    status = {key: labels[0 if pack.language == "fr" else 1] for key, labels in STATUS_LABELS.items()}
    pack.table(Table(pack.t("Ratios d'analyse financière", "Credit analysis ratios"), (
        TableColumn(pack.t("Ratio", "Ratio")), TableColumn(pack.t("Valeur", "Value"), "row"),
        TableColumn(pack.t("Seuil de vigilance", "Watch level"), "row"),
        TableColumn(pack.t("Seuil d'alerte", "Alert level"), "row"),
        TableColumn(pack.t("Statut", "Status")), TableColumn(pack.t("Formule", "Formula")),
        TableColumn(pack.t("Motif si non disponible", "Reason if not available")),
    ), [(pack.label(r.label), r.value, r.warn, r.alert, status.get(r.status or "", ""), pack.label(r.formula), r.reason)
        for r in ratios], row_units=[r.unit for r in ratios],
        note=pack.t("Ratios sur les 12 derniers mois ; seuils usuels de l'analyse bancaire, non contractuels.",
                    "Ratios over the last 12 months; usual credit-analysis thresholds, not contractual.")))
    pack.table(Table(pack.t("Données des ratios", "Ratio inputs"), (
        TableColumn(pack.t("Ratio", "Ratio")), TableColumn(pack.t("Donnée", "Input")),
        TableColumn(pack.t("Montant", "Amount"), "money"),
    ), [(pack.label(r.label), pack.label(name), value) for r in ratios for name, value in r.inputs],
        note=pack.t("Chaque donnée de chaque ratio, en euros, pour le recalculer.",
                    "Each input of each ratio, in euros, to recompute it.")))


class FunctionalAnalysisSection(Section):
    """Functional balance sheet, the analyst's ratios with formula and inputs, debts by maturity
    and the covenants' headroom."""

    name = "analyse_financiere"
    title = {"fr": "Analyse financière (bilan fonctionnel et ratios)", "en": "Financial analysis"}
    template = "sections/functional_analysis.html"
    page = "landscape"
    settings = (FORECAST, SCENARIOS, FINANCING, DEBT)

    def context(self, pack: PackContext) -> dict[str, Any]:
        """The balance sheet's groups and aggregates, every ratio, maturities and covenants."""
        fmt = pack.fmt
        fb, ratios = banker_ratios(pack.data, pack.period)
        g = fb.groups

        def money(cents: int) -> str:
            return fmt.money(_e(cents))

        labels = {"capitaux_propres": pack.t("Capitaux propres (résultat en cours compris)", "Equity"),
                  "amortissements": pack.t("Amortissements et dépréciations", "Depreciation and write-downs"),
                  "dettes_financieres": pack.t("Dettes financières", "Financial debt"),
                  "stocks": pack.t("Stocks bruts", "Gross inventories"),
                  "clients": pack.t("Créances clients et avances", "Trade receivables"),
                  "fournisseurs": pack.t("Dettes fournisseurs d'exploitation", "Trade payables"),
                  "fiscal_social": pack.t("Dettes sociales et TVA", "Social liabilities and VAT")}
        figures = [
            *[(labels[k], -g.get(k, 0), "") for k in ("capitaux_propres", "amortissements", "dettes_financieres")],
            (pack.t("Ressources stables", "Stable resources"), fb.ressources_stables, "subtotal"),
            (pack.t("Emplois stables (actif immobilisé brut)", "Stable uses (gross fixed assets)"), fb.emplois_stables,
             "subtotal"),
            ("FRNG", fb.frng, "total"),
            *[(labels[k], g.get(k, 0), "") for k in ("stocks", "clients", "fournisseurs", "fiscal_social")],
            (pack.t("BFR d'exploitation (BFRE)", "Operating WCR"), fb.bfre, "subtotal"),
            (pack.t("BFR hors exploitation (BFRHE)", "Non-operating WCR"), fb.bfrhe, "subtotal"),
            (pack.t("BFR total", "Total WCR"), fb.bfr, "total"),
            (pack.t("Trésorerie nette = FRNG − BFR", "Net cash = FRNG − WCR"), fb.frng - fb.bfr, "total"),
        ]
        balance = [{"label": label, "value": money(cents), "style": style} for label, cents, style in figures]
        pack.table(Table(pack.t("Bilan fonctionnel", "Functional balance sheet"), (
            TableColumn(pack.t("Poste", "Line")), TableColumn(pack.t("Au ", "At ") + fmt.date(pack.period.last_day), "money"),
        ), [(label, _e(cents)) for label, cents, _ in figures],
            note=pack.t(f"Écart de bouclage (écritures déséquilibrées) : {money(fb.gap)}.",
                        f"Balancing gap (unbalanced ledger): {money(fb.gap)}.") if fb.gap else ""))
        rows = [_ratio_row(pack, r) for r in ratios]
        covenants = [row for row in rows if row["key"] in COVENANTS]
        covenants_described = [(pack.label(r.label), r.value, r.warn, r.alert, r.headroom, r.reason)
                               for r in ratios if r.key in COVENANTS]
        covenant_units = [r.unit for r in ratios if r.key in COVENANTS]
        try:
            dscr = pack.result("dscr")
            if dscr.thresholds is not None:
                covenants_described.insert(0, (pack.label(dscr.kpi.label), dscr.value, dscr.thresholds.warn,
                                               dscr.thresholds.alert, dscr.headroom(), dscr.reason))
                covenant_units.insert(0, "ratio")
                covenants.insert(0, {"label": pack.label(dscr.kpi.label), "value": pack.value(dscr),
                                     "limits": f"≥ {fmt.value(dscr.thresholds.warn, 'ratio')} / "
                                               f"{fmt.value(dscr.thresholds.alert, 'ratio')}",
                                     "headroom": "—" if dscr.headroom() is None else fmt.value(dscr.headroom(), "ratio"),
                                     "status": dscr.status, "badge": _badge(pack, dscr.status), "reason": dscr.reason})
        except Unavailable:
            pass
        maturities, maturity_note = None, None
        try:
            debt = debt_of(pack.data, pack.period)
            m = debt.maturities
            by_maturity = [(pack.t("À moins d'un an", "Within one year"), m.under_1),
                           (pack.t("De un à cinq ans", "One to five years"), m.one_to_5),
                           (pack.t("À plus de cinq ans", "Beyond five years"), m.over_5)]
            if m.unplaced:
                by_maturity.append((pack.t("Non placé (échéancier incomplet)", "Not placed (schedule incomplete)"),
                                    m.unplaced))
            by_maturity.append((pack.t("Capital restant dû", "Capital outstanding"), m.total))
            maturities = [(label, money(cents)) for label, cents in by_maturity]
            pack.table(Table(pack.t("Dettes financières par échéance", "Financial debt by maturity"), (
                TableColumn(pack.t("Échéance", "Maturity")),
                TableColumn(pack.t("Au ", "At ") + fmt.date(pack.period.last_day), "money"),
            ), [(label, _e(cents)) for label, cents in by_maturity], note=" ".join(filter(None, [
                "; ".join(debt.notes), pack.t("Dettes financières au bilan (16–18, intérêts courus compris) : ",
                                              "Financial debt in the balance sheet: ")
                + money(-g.get("dettes_financieres", 0)) + "."]))))
            maturity_note = "; ".join(debt.notes) or None
        except Unavailable as exc:
            maturity_note = str(exc)
        pack.table(Table(pack.t("Covenants et marge", "Covenants and headroom"), (
            TableColumn(pack.t("Ratio", "Ratio")), TableColumn(pack.t("Valeur", "Value"), "row"),
            TableColumn(pack.t("Seuil de vigilance", "Watch level"), "row"),
            TableColumn(pack.t("Seuil d'alerte", "Alert level"), "row"), TableColumn(pack.t("Marge", "Headroom"), "row"),
            TableColumn(pack.t("Motif si non disponible", "Reason if not available")),
        ), covenants_described, row_units=covenant_units))
        _describe_ratios(pack, ratios)
        return {"date": fmt.date(pack.period.last_day), "balance": balance, "rows": rows, "covenants": covenants,
                "maturities": maturities, "maturity_note": maturity_note,
                "gap": money(fb.gap) if fb.gap else None,
                "debt_bilan": money(-g.get("dettes_financieres", 0))}

    def attachments(self, pack: PackContext) -> list[tuple[str, bytes, str]]:
        """``ratios_donnees.csv``: each ratio with each of its inputs."""
        _, ratios = banker_ratios(pack.data, pack.period)
        return [("ratios_donnees.csv", ratios_csv(ratios, pack.language),
                 "Ratios d'analyse financière avec leurs données, pour les recalculer")]


@hookimpl
def register_sections() -> list[Section]:
    """Register the banker's forward-looking sections."""
    return [FinancingRequestSection(), FunctionalAnalysisSection()]
