"""The banker's one-page note de synthèse: the credit committee's summary of the dossier.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


from boardpack.api import STATUS_LABELS, PackContext, Section, Table, TableColumn, Unavailable, hookimpl
from boardpack.api.commercial import (
    euros,
    invoices_of,
    require_invoices,
    within,
)
from boardpack.api.periods import Window

from .helpers import closed_years, counterparty, fy_label, quote, threshold_side, variation
from .layouts import line_label

__all__ = ["BANK_RATIOS", "CONCENTRATION_PCT", "CreditSummarySection", "DEBT_GROWTH_PCT"]


#: Banker ratios shown when registered, in this order.
BANK_RATIOS = ("dscr", "dscr_flux", "liquidite_generale", "autonomie_financiere", "capacite_remboursement", "dette_nette_ebe")


#: Share of the last 12 months' invoiced revenue above which the first customer is a point of attention.
CONCENTRATION_PCT = Decimal(25)


#: Growth of the financial debt over the last closed year above which it is a point of attention.
DEBT_GROWTH_PCT = Decimal(10)


class CreditSummarySection(Section):
    """One page for a credit committee: the company, key figures, ratios, strengths and concerns."""

    name = "note_de_synthese"
    title = {"fr": "Note de synthèse", "en": "Credit summary"}
    template = "sections/credit_summary.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Figures of the last closed fiscal year against the one before, ratios now, findings."""
        fmt = pack.fmt
        years = closed_years(pack, 2)
        last = years[-1]
        previous = years[-2] if len(years) > 1 else None
        def pair(read: Any) -> tuple[Decimal, Decimal | None]:
            return read(last).require(), None if previous is None else read(previous).require()

        facts = pack.facts
        figures_raw = {
            "chiffre_affaires": pair(lambda y: facts.line("chiffre_affaires", y)),
            "ebe": pair(lambda y: facts.line("ebe", y)),
            "resultat_net": pair(lambda y: facts.line("resultat_net", y)),
            "caf": pair(lambda y: facts.flow("caf", y)),
            "dettes_financieres": pair(lambda y: facts.balance("dettes_financieres", y.end)),
            "capitaux_propres": pair(lambda y: facts.balance("capitaux_propres", y.end)),
            "tresorerie_nette": pair(lambda y: facts.balance("tresorerie_nette", y.end)),
        }
        names = {
            "caf": pack.t("Capacité d'autofinancement (CAF)", "Cash flow from operations (CAF)"),
            "tresorerie_nette": pack.t("Trésorerie nette", "Net cash"),
        }
        current = self._current(pack)
        figures = [{
            "id": key,
            "label": names.get(key) or line_label(pack, key),
            "value": fmt.money_short(now), "n1": "—" if before is None else fmt.money_short(before),
            "delta": variation(pack, now, before, "money"),
            "ytd": "—", "ytd_n1": "—", "ytd_budget": "—", "ltm": "—",
            **current.get(key, {}),
        } for key, (now, before) in figures_raw.items()]

        ratios = []
        for kpi_id in BANK_RATIOS:
            if kpi_id not in pack.engine.kpis:
                continue
            kpi = pack.engine.kpis[kpi_id]
            year = pack.facts.kpi(kpi_id, last)
            year_value, year_reason = year.value, year.reason
            result = pack.result(kpi_id, "ltm")
            limits = result.thresholds
            ratios.append({
                "id": kpi_id, "label": pack.label(kpi.label), "kpi": kpi, "result": result,
                "year": pack.reason(year_reason) if year_value is None else fmt.value(year_value, kpi.unit),
                "year_status": pack.engine.status(kpi, year_value), "year_value": year_value,
                "value": pack.value(result), "reason": pack.reason(result),
                "threshold": "—" if limits is None or limits.alert is None else
                ("≥ " if kpi.direction == "up" else "≤ ") + fmt.value(limits.alert, kpi.unit),
                "status": result.status,
                "status_label": STATUS_LABELS[result.status][0 if pack.language == "fr" else 1] if result.status else "",
            })

        strengths, concerns = self._findings(pack, figures_raw, ratios, last)
        self._current_findings(pack, current, strengths, concerns)
        checked = self._ratio_page(pack)
        within = [r for r in checked if r.status == "ok"]
        if checked:
            strengths.append({"status": "ok", "text": pack.t(
                f"Ratios dans leurs seuils : {len(within)} sur {len(checked)} (page « Ratios bancaires »)",
                f"Ratios within their thresholds: {len(within)} of {len(checked)} (« Banking ratios » page)")})
        listed = {r["id"] for r in ratios}
        for result in checked:
            if result.status != "ok" and result.kpi.id not in listed and result.kpi.id not in ("dso", "clients_plus_90j"):
                concerns.append({"status": result.status or "warn",
                                 "text": f"{quote(pack, result)}, {threshold_side(pack, result)}"})
        ytd = pack.facts.window("ytd")
        ytd_label = pack.t("Cumul ", "YTD ") + fmt.window(ytd)
        self._describe(pack, figures, figures_raw, current, ratios, ytd_label, fy_label(pack, last),
                       None if previous is None else fy_label(pack, previous))
        return {
            "ytd_label": ytd_label,
            "ltm_label": pack.t("12 mois glissants", "Last 12 months"),
            "identity": self._identity(pack),
            "year_label": fy_label(pack, last),
            "previous_label": "—" if previous is None else fy_label(pack, previous),
            "figures": figures,
            "ratios": ratios,
            "ratio_window": pack.t("12 mois à fin ", "12 months to ") + fmt.month(pack.period),
            "strengths": strengths,
            "concerns": concerns,
            "debt": self._debt_service(pack),
            "raw": figures_raw,
        }

    @staticmethod
    def _describe(pack: PackContext, figures: list[dict[str, Any]], raw: dict[str, tuple[Decimal, Decimal | None]],
                  current: dict[str, dict[str, Any]], ratios: list[dict[str, Any]], ytd_label: str,
                  year_label: str, previous_label: str | None) -> None:
        """The workbook's sheets of the note: its key figures and its ratios, as numbers."""
        rows = []
        for figure in figures:
            now, before = raw[figure["id"]]
            values = current.get(figure["id"], {}).get("values", (None, None, None, None))
            rows.append((figure["label"], now, before, *values))
        money = "money"
        pack.table(Table(pack.t("Chiffres clés", "Key figures"), (
            TableColumn(pack.t("Poste", "Item")), TableColumn(year_label, money),
            TableColumn(previous_label or pack.t("Exercice précédent", "Previous year"), money),
            TableColumn(ytd_label, money), TableColumn(pack.t("Cumul N-1", "YTD last year"), money),
            TableColumn(pack.t("Cumul budget", "YTD budget"), money),
            TableColumn(pack.t("12 mois glissants", "Last 12 months"), money)), rows,
            note=pack.t("Résultat net : du cumul et des 12 mois glissants, résultat net estimé (impôt sur les "
                        "sociétés estimé dans un exercice non clos). Dettes financières, capitaux propres et "
                        "trésorerie nette : la colonne du cumul donne la valeur en fin de période et la colonne "
                        "N-1 celle d'un an plus tôt.",
                        "Net result: year to date and last 12 months, estimated net result (corporate tax "
                        "estimated within an open year). Financial debt, equity and net cash: the YTD column "
                        "holds the period-end value and the last-year column the value a year earlier.")))
        if not ratios:
            return
        pack.table(Table(pack.t("Ratios (note de synthèse)", "Ratios (credit summary)"), (
            TableColumn(pack.t("Ratio", "Ratio")), TableColumn(year_label, "row"),
            TableColumn(pack.t("12 mois glissants", "Last 12 months"), "row"),
            TableColumn(pack.t("Seuil d'alerte", "Alert threshold"), "row"), TableColumn(pack.t("Statut", "Status"))),
            [(r["label"], r["year_value"], r["result"].value,
              None if r["result"].thresholds is None else r["result"].thresholds.alert,
              r["status_label"] or r["reason"] or "") for r in ratios],
            row_units=tuple(r["kpi"].unit for r in ratios)))

    @staticmethod
    def _identity(pack: PackContext) -> list[str]:
        company = pack.company
        siren = company.siren
        first = company.name
        if siren:
            first += f" — SIREN {siren[0:3]}\u202f{siren[3:6]}\u202f{siren[6:]}"
        if company.city:
            first += f" — {company.city}"
        lines = [first]
        if company.activity:
            lines.append(company.activity)
        start = pack.fmt.month(pack.facts.window("fy").start).split(" ")[0]
        third = []
        if company.headcount:
            third.append(pack.t(f"{company.headcount} salariés", f"{company.headcount} employees"))
        third.append(pack.t(f"exercice ouvert en {start}", f"fiscal year starting in {start}"))
        third.append(pack.t("données au ", "data as of ") + pack.fmt.date(pack.period.last_day))
        lines.append(" · ".join(third))
        return lines

    def _findings(self, pack: PackContext, figures: dict[str, tuple[Decimal, Decimal | None]],
                  ratios: list[dict[str, Any]], last: Window) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """Strengths and points of attention, each a sentence resting on a figure of the page."""
        fmt = pack.fmt
        strengths: list[dict[str, str]] = []
        concerns: list[dict[str, str]] = []

        def good(text: str) -> None:
            strengths.append({"text": text, "status": "ok"})

        def bad(text: str, status: str = "warn") -> None:
            concerns.append({"text": text, "status": status})

        for key, fr, en in (("chiffre_affaires", "Chiffre d'affaires", "Revenue"), ("ebe", "EBE", "EBITDA"),
                            ("resultat_net", "Résultat net", "Net result")):
            now, before = figures[key]
            if before is None or before <= 0:
                continue
            change = (now - before) / before * 100
            text = f"{fmt.money(before)} → {fmt.money(now)}"
            if change >= 0:
                good(pack.t(f"{fr} en hausse de {fmt.percent(change)} ({text})",
                            f"{en} up {fmt.percent(change)} ({text})"))
            else:
                bad(pack.t(f"{fr} en baisse de {fmt.percent(-change)} ({text})",
                           f"{en} down {fmt.percent(-change)} ({text})"), "alert" if change <= -10 else "warn")
        debt_now, debt_before = figures["dettes_financieres"]
        if debt_before is not None and debt_before > 0:
            change = (debt_now - debt_before) / debt_before * 100
            text = f"{fmt.money(debt_before)} → {fmt.money(debt_now)}"
            if change < 0:
                good(pack.t(f"Désendettement : dettes financières en baisse de {fmt.percent(-change)} ({text})",
                            f"Deleveraging: financial debt down {fmt.percent(-change)} ({text})"))
            elif change > DEBT_GROWTH_PCT:
                bad(pack.t(f"Dettes financières en hausse de {fmt.percent(change)} ({text})",
                           f"Financial debt up {fmt.percent(change)} ({text})"))
        result, _ = figures["resultat_net"]
        if result < 0:
            bad(pack.t(f"Exercice déficitaire : résultat net de {fmt.money(result)}",
                       f"Loss-making year: net result {fmt.money(result)}"), "alert")
        equity, _ = figures["capitaux_propres"]
        capital = pack.facts.balance("capital", last.end).require()
        if equity < 0:
            bad(pack.t(f"Capitaux propres négatifs ({fmt.money(equity)})",
                       f"Negative equity ({fmt.money(equity)})"), "alert")
        elif capital > 0 and equity < capital / 2:
            bad(pack.t(f"Capitaux propres ({fmt.money(equity)}) inférieurs à la moitié du capital social "
                       f"({fmt.money(capital)}) : article L. 223-42 / L. 225-248 du Code de commerce",
                       f"Equity ({fmt.money(equity)}) below half the share capital ({fmt.money(capital)})"), "alert")
        rated = [r for r in ratios if r["result"].value is not None and r["status"] is not None]
        for ratio in rated:
            if ratio["status"] != "ok":
                bad(f"{quote(pack, ratio['result'])}, {threshold_side(pack, ratio['result'])}", ratio["status"])
        self._receivables(pack, good, bad)
        debt = pack.facts.balance("dettes_financieres", pack.period).require()
        cash = pack.facts.balance("tresorerie_nette", pack.period).require()
        if debt > 0 and cash >= debt:
            good(pack.t(f"Trésorerie nette ({fmt.money(cash)}) supérieure aux dettes financières ({fmt.money(debt)})",
                        f"Net cash ({fmt.money(cash)}) above financial debt ({fmt.money(debt)})"))
        elif cash < 0:
            bad(pack.t(f"Trésorerie nette négative ({fmt.money(cash)}) à fin {fmt.month(pack.period)}",
                       f"Negative net cash ({fmt.money(cash)}) at the end of {fmt.month(pack.period)}"), "alert")
        self._concentration(pack, bad)
        return strengths, concerns

    @staticmethod
    def _ratio_page(pack: PackContext) -> list[Any]:
        """The results the « Ratios bancaires » page shows: every KPI of the audience with
        thresholds, over its headline window, that has a status."""
        results = [pack.result(kpi.id) for kpi in pack.kpis_for_audience()]
        return [r for r in results if r.thresholds is not None and r.status is not None]

    @staticmethod
    def _current(pack: PackContext) -> dict[str, dict[str, str]]:
        """The year to date against N-1 and the budget, and the last 12 months, of the flow lines;
        the period-end value against a year earlier for the balance-sheet lines."""
        fmt = pack.fmt
        out: dict[str, dict[str, str]] = {}
        flows = {"chiffre_affaires": "chiffre_affaires", "ebe": "ebe", "resultat_net": "resultat_net_estime",
                 "caf": "caf"}
        for key, kpi_id in flows.items():
            if kpi_id not in pack.engine.kpis:
                kpi_id = key if key in pack.engine.kpis else ""
            if not kpi_id:
                continue
            ytd, ltm = pack.result(kpi_id, "ytd"), pack.result(kpi_id, "ltm")
            n1, budget = ytd.comparisons["n1"].value, ytd.comparisons["budget"].value
            out[key] = {
                "ytd": pack.value(ytd, short=True),
                "ytd_n1": variation(pack, ytd.value, n1, "money"),
                "ytd_budget": variation(pack, ytd.value, budget, "money"),
                "ltm": pack.value(ltm, short=True),
                "ytd_raw": ytd, "ltm_raw": ltm,
                "values": (ytd.value, n1, budget, ltm.value),
            }
        for key, kpi_id in (("tresorerie_nette", "tresorerie_nette"),):
            if kpi_id in pack.engine.kpis:
                now = pack.result(kpi_id, "month")
                out[key] = {"ytd": pack.value(now, short=True),
                            "ytd_n1": variation(pack, now.value, now.comparisons["n1"].value, "money"),
                            "ytd_budget": "—", "ltm": "—",
                            "values": (now.value, now.comparisons["n1"].value, None, None)}
        for key in ("dettes_financieres", "capitaux_propres"):
            now_fact, before_fact = pack.facts.balance(key, pack.period), pack.facts.balance(key, pack.period.shift(-12))
            if now_fact.value is None or before_fact.value is None:
                continue
            now_value, before_value = now_fact.value, before_fact.value
            out[key] = {"ytd": fmt.money_short(now_value), "ytd_n1": variation(pack, now_value, before_value, "money"),
                        "ytd_budget": "—", "ltm": "—", "values": (now_value, before_value, None, None)}
        return out

    @staticmethod
    def _current_findings(pack: PackContext, current: dict[str, dict[str, Any]],
                          strengths: list[dict[str, str]], concerns: list[dict[str, str]]) -> None:
        """Strengths and concerns of the year to date (against N-1 and the budget) for revenue,
        EBE and the estimated net result: what a banker reads first in the current year."""
        for key in ("chiffre_affaires", "ebe", "resultat_net"):
            figures = current.get(key)
            if not figures or figures["ytd_raw"].value is None:
                continue
            result = figures["ytd_raw"]
            parts, worst = [], Decimal(0)
            for kind, fr_ref, en_ref in (("n1", "N-1", "last year"), ("budget", "le budget", "budget")):
                reference = result.comparisons[kind].value
                if reference is None or reference <= 0:
                    continue
                worst = min(worst, (result.value - reference) / reference * 100) if parts else \
                    (result.value - reference) / reference * 100
                moved = pack.fmt.change(result.value, reference, "money")
                parts.append(pack.t(f"{moved} sur {fr_ref} ({pack.fmt.money_short(reference)})",
                                    f"{moved} on {en_ref} ({pack.fmt.money_short(reference)})"))
            if not parts:
                continue
            text = pack.t(f"{pack.label(result.kpi.label)} ({pack.fmt.window_kind(result.window)}) : "
                          f"{pack.value(result, short=True)}, " + ", ".join(parts),
                          f"{pack.label(result.kpi.label)} ({pack.fmt.window_kind(result.window)}): "
                          f"{pack.value(result, short=True)}, " + ", ".join(parts))
            if worst >= 0:
                strengths.append({"status": "ok", "text": text})
            elif worst <= -5:
                concerns.append({"status": "alert" if worst <= -10 else "warn", "text": text})

    @staticmethod
    def _receivables(pack: PackContext, good: Any, bad: Any) -> None:
        """DSO against its thresholds, and overdue receivables, when those KPIs are registered."""
        for kpi_id in ("dso", "clients_plus_90j"):
            if kpi_id not in pack.engine.kpis:
                continue
            result = pack.result(kpi_id)
            limits = result.thresholds
            if result.value is None or result.status is None or limits is None or limits.warn is None:
                continue
            text = f"{quote(pack, result)}, {threshold_side(pack, result)}"
            if result.status == "ok":
                good(text)
            else:
                bad(text, result.status)

    @staticmethod
    def _concentration(pack: PackContext, bad: Any) -> None:
        """The first customer's share of the last 12 months' invoiced revenue, when above 25 %."""
        try:
            sales = invoices_of(pack.data, "sale", pack.language)
            window = pack.data.window("ltm", pack.period)
            require_invoices(sales, window.start, window.end, pack.language, ("factures", "invoice"))
        except Unavailable:
            return
        issued = sales[within(sales["issue_date"], window)]
        by_customer = issued.groupby(counterparty(pack, issued))["amount_excl_tax"].sum()
        total = euros(by_customer.sum())
        if by_customer.empty or total <= 0:
            return
        first = str(by_customer.idxmax())
        part = euros(by_customer.max()) / total * 100
        if part > CONCENTRATION_PCT:
            bad(pack.t(f"Dépendance commerciale : {first} représente {pack.fmt.percent(part)} du CA facturé sur 12 mois",
                       f"Customer concentration: {first} is {pack.fmt.percent(part)} of the last 12 months' revenue"))

    @staticmethod
    def _debt_service(pack: PackContext) -> dict[str, Any]:
        """Principal and interest due in the 12 months after the period, when the schedule has them."""
        try:
            loans = pack.data.dataset("loans")
        except Unavailable as exc:
            return {"available": False, "reason": pack.reason(str(exc))}
        future = [str(pack.period.shift(i)) for i in range(1, 13)]
        due = loans[loans["period"].isin(future)]
        last_month = str(loans["period"].max())
        if due.empty:
            return {"available": False, "reason": pack.t(
                f"l'échéancier des emprunts s'arrête en {last_month} : le service de la dette des 12 prochains "
                "mois n'est pas dans les données",
                f"the loans schedule ends in {last_month}: the next 12 months' debt service is not in the data")}
        principal = euros(due["principal_due"].sum())
        interest = euros(due["interest_due"].sum())
        incomplete = []
        for loan, group in loans.groupby("loan", sort=True):
            final = group.sort_values("period").iloc[-1]
            if str(final["period"]) < future[-1] and int(final["outstanding"]) > 0:
                incomplete.append(f"{loan} ({final['period']})")
        caf = pack.facts.flow("caf", pack.facts.window("ltm")).value
        service = principal + interest
        return {
            "available": True,
            "principal": pack.fmt.money(principal), "interest": pack.fmt.money(interest),
            "service": pack.fmt.money(service),
            "window": f"{pack.fmt.month(pack.period.shift(1))} – {pack.fmt.month(pack.period.shift(12))}",
            "coverage": "—" if caf is None or service <= 0 else pack.fmt.value(caf / service, "ratio"),
            "incomplete": incomplete,
            "raw": {"principal": principal, "interest": interest},
        }


@hookimpl
def register_sections() -> list[Section]:
    """Register the note de synthèse."""
    return [CreditSummarySection()]
