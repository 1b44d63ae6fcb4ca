"""More operations and banker sections: quote-to-cash delays, inventory turnover, and the
one-page credit-committee summary.

Invoices follow the conventions of :mod:`.sections_detail`; deals those of the CRM KPIs
(a window after the CRM's last month of activity is unavailable).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from ..accounting.cashflow import caf_additive, net_cash
from ..accounting.statements import cents_to_euros
from ..hookspecs import hookimpl
from ..interfaces import KPI, Section, Unavailable
from ..kpi_engine import STATUS_LABELS
from ..pack import PackContext
from ..periods import Month, Window
from ._section_helpers import bilan_value, series_data, variation, window_label
from .kpis_sales import latest_month
from .sections_banker import _fy_label, closed_years
from .sections_detail import counterparty, euros, invoices_of, require_span
from .sections_finance import line_label

__all__ = ["CreditSummarySection", "CycleDelaysSection", "InventorySection", "cycle_steps", "mean", "median"]


def median(values: list[Decimal]) -> Decimal:
    """The median (the mean of the two middle values for an even count)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: list[Decimal]) -> Decimal:
    """The arithmetic mean."""
    return sum(values, Decimal(0)) / len(values)


def _within(dates: pd.Series, window: Window) -> pd.Series:
    return (dates >= pd.Timestamp(window.start.first_day)) & (dates <= pd.Timestamp(window.end.last_day))


def _days(later: pd.Series, earlier: pd.Series) -> list[Decimal]:
    return [Decimal(int(d)) for d in (later - earlier).dt.days]


# ---------------------------------------------------------------- 6. quote-to-cash delays

#: The steps of the cycle: key, label fr, label en.
CYCLE_STEPS = (
    ("devis_signature", "Devis → signature", "Quote → signature"),
    ("signature_facture", "Signature → facture", "Signature → invoice"),
    ("facture_encaissement", "Facture → encaissement", "Invoice → cash"),
    ("cycle_complet", "Devis → dernier encaissement", "Quote → last cash-in"),
)


def cycle_steps(deals: pd.DataFrame, sales: pd.DataFrame, window: Window,
                not_given: str) -> dict[str, list[tuple[str, Decimal]]]:
    """(segment, days) of each step whose second date falls in ``window``.

    * devis → signature: won deals with a quote date, close date − quote date;
    * signature → facture: won deals, first linked invoice (``deal_id``) − close date;
    * facture → encaissement: linked invoices of positive amount, paid date − issue date;
    * cycle complet: won deals with a quote date whose linked invoices are all paid,
      last paid date − quote date.

    The segment is the deal's (« non renseigné » when empty).
    """
    won = deals[(deals["status"] == "won") & deals["close_date"].notna()].drop_duplicates("deal_id", keep="last")
    segment_of = won.set_index("deal_id")["segment"].where(lambda s: s != "", not_given)
    out: dict[str, list[tuple[str, Decimal]]] = {key: [] for key, _, _ in CYCLE_STEPS}
    quoted = won[won["quote_date"].notna() & _within(won["close_date"], window)]
    out["devis_signature"] = list(zip(segment_of[quoted["deal_id"]].tolist(),
                                      _days(quoted["close_date"], quoted["quote_date"])))
    linked = sales[sales["deal_id"].isin(set(won["deal_id"]))]
    if not linked.empty:
        first = linked.groupby("deal_id")["issue_date"].min()
        steps = won.join(first.rename("first_invoice"), on="deal_id", how="inner")
        steps = steps[_within(steps["first_invoice"], window)]
        out["signature_facture"] = list(zip(segment_of[steps["deal_id"]].tolist(),
                                            _days(steps["first_invoice"], steps["close_date"])))
        paid = linked[(linked["amount_excl_tax"] > 0) & _within(linked["paid_date"], window)]
        out["facture_encaissement"] = list(zip(segment_of[paid["deal_id"]].tolist(),
                                               _days(paid["paid_date"], paid["issue_date"])))
        groups = linked.groupby("deal_id")
        settled = groups["paid_date"].apply(lambda d: d.notna().all())
        last_paid = groups["paid_date"].max()
        full = won[won["quote_date"].notna()].join(last_paid.rename("last_paid"), on="deal_id", how="inner")
        full = full[full["deal_id"].map(settled).astype(bool) & _within(full["last_paid"], window)]
        out["cycle_complet"] = list(zip(segment_of[full["deal_id"]].tolist(),
                                        _days(full["last_paid"], full["quote_date"])))
    return out


class CycleDelaysSection(Section):
    """Quote → signature → invoice → cash: median and mean days per step, by segment, 12 months."""

    name = "delais_cycle"
    title = {"fr": "Délais du cycle commercial", "en": "Quote-to-cash cycle"}
    template = "sections/cycle_delays.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One row per segment and one for all deals; a chart of the overall medians."""
        window = pack.data.window("ltm", pack.period)
        deals = pack.data.dataset("deals")
        last = latest_month(deals)
        if window.end > last:
            raise Unavailable(pack.t(f"pas de données CRM après {last}", f"no CRM data after {last}"))
        sales = invoices_of(pack, "sale")
        require_span(pack, sales, window.end, window.end)
        not_given = pack.t("(non renseigné)", "(not given)")
        steps = cycle_steps(deals, sales, window, not_given)
        if not any(steps.values()):
            raise Unavailable(pack.t("aucune affaire gagnée ni facture reliée sur les 12 derniers mois",
                                     "no won deal nor linked invoice in the last 12 months"))
        segments = sorted({segment for values in steps.values() for segment, _ in values})

        def cells(chosen: str | None) -> list[dict[str, Any]]:
            out = []
            for key, _, _ in CYCLE_STEPS:
                days = [d for segment, d in steps[key] if chosen is None or segment == chosen]
                out.append({
                    "median": pack.fmt.value(median(days), "days") if days else "—",
                    "mean": pack.fmt.value(mean(days), "days") if days else "—",
                    "count": pack.fmt.number(len(days)),
                    "raw": {"median": median(days) if days else None, "mean": mean(days) if days else None,
                            "count": len(days)},
                })
            return out

        rows = [{"label": segment, "style": "base", "steps": cells(segment)} for segment in segments]
        rows.append({"label": pack.t("Ensemble", "All segments"), "style": "total", "steps": cells(None)})
        overall = rows[-1]["steps"]
        chart = pack.chart("hbars", {
            "x": [pack.t(fr, en) for _, fr, en in CYCLE_STEPS],
            "series": [{"label": "", "values": [c["raw"]["median"] for c in overall]}],
            "unit": "days",
        }, 17, 4.6, alt=pack.t("Délais médians par étape", "Median time per step"))
        return {
            "rows": rows,
            "steps": [pack.t(fr, en) for _, fr, en in CYCLE_STEPS],
            "chart": chart,
            "window": window_label(pack, window),
        }


# ---------------------------------------------------------------- 7. inventory


def _kpi_or_reason(pack: PackContext, kpi_id: str) -> tuple[KPI | None, str | None]:
    try:
        return pack.kpi(kpi_id), None
    except Unavailable as exc:
        return None, str(exc)


class InventorySection(Section):
    """Net inventories over 24 months, with turnover and days of inventory (12 months)."""

    name = "rotation_stocks"
    title = {"fr": "Stocks et rotation", "en": "Inventories and turnover"}
    template = "sections/inventory.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Key figures against N-1, quarter ends over two years, stock and DIO charts."""
        months = [pack.period.shift(-i) for i in range(23, -1, -1)]
        stocks = [bilan_value(pack, "stocks", m) for m in months]
        if not any(stocks):
            raise Unavailable(pack.t("aucun stock au bilan sur les 24 derniers mois",
                                     "no inventory on the balance sheet in the last 24 months"))
        dio, dio_reason = _kpi_or_reason(pack, "dio")
        rotation, rotation_reason = _kpi_or_reason(pack, "rotation_stocks")

        def history(kpi: KPI | None) -> dict[Month, Decimal | None]:
            if kpi is None:
                return dict.fromkeys(months)
            return dict(pack.series(kpi.id, 24, "ltm"))

        dio_by_month, rotation_by_month = history(dio), history(rotation)
        stock_by_month = dict(zip(months, stocks))
        cost = {}
        for month in (pack.period, pack.period.shift(-12)):
            try:
                cost[month] = pack.data.pl("cout_des_ventes", pack.data.window("ltm", month))
            except Unavailable:
                cost[month] = None
        now, before = pack.period, pack.period.shift(-12)

        def figure(label: str, values: tuple[Any, Any], unit: str) -> dict[str, Any]:
            current, previous = values
            return {"label": label,
                    "value": "—" if current is None else pack.fmt.value(current, unit),
                    "n1": "—" if previous is None else pack.fmt.value(previous, unit),
                    "delta": variation(pack, current, previous, unit)}

        figures = [
            figure(line_label(pack, "stocks"), (stock_by_month[now], stock_by_month[before]), "money"),
            figure(pack.t("Coût des ventes (12 mois)", "Cost of sales (12 months)"), (cost[now], cost[before]), "money"),
            figure(pack.t("Durée de stockage (DIO, 12 mois)", "Days inventory outstanding (12 months)"),
                   (dio_by_month[now], dio_by_month[before]), "days"),
            figure(pack.t("Rotation des stocks (12 mois, en fois)", "Inventory turnover (12 months, times)"),
                   (rotation_by_month[now], rotation_by_month[before]), "ratio"),
        ]
        quarters = [m for m in months if (pack.period - m) % 3 == 0]
        rows = [{
            "month": pack.fmt.month(m),
            "stock": "—" if stock_by_month[m] is None else pack.fmt.money(stock_by_month[m]),
            "dio": "—" if dio_by_month[m] is None else pack.fmt.value(dio_by_month[m], "days"),
            "rotation": "—" if rotation_by_month[m] is None else pack.fmt.value(rotation_by_month[m], "ratio"),
        } for m in reversed(quarters)]
        charts = [{
            "title": line_label(pack, "stocks"),
            "chart": pack.chart("trend", series_data(pack, months, [(line_label(pack, "stocks"), stocks, "line")], "money"),
                                8.4, 5.2, alt=line_label(pack, "stocks")),
        }]
        if dio is not None:
            charts.append({
                "title": pack.t("DIO sur 12 mois glissants", "DIO over the last 12 months"),
                "chart": pack.chart("trend", series_data(
                    pack, months, [(pack.label(dio.label), [dio_by_month[m] for m in months], "line")], "days"),
                    8.4, 5.2, alt=pack.label(dio.label)),
            })
        return {
            "figures": figures,
            "rows": rows,
            "charts": charts,
            "date": pack.fmt.date(now.last_day),
            "date_n1": pack.fmt.date(before.last_day),
            "reasons": [r for r in (dio_reason, rotation_reason) if r],
            "formulas": [pack.label(k.formula) for k in (dio, rotation) if k is not None],
            "raw": {"stocks": stock_by_month, "dio": dio_by_month, "rotation": rotation_by_month},
        }


# ---------------------------------------------------------------- 8. credit-committee summary

#: Banker ratios shown when registered, in this order.
BANK_RATIOS = ("dscr", "liquidite_generale", "autonomie_financiere", "capacite_remboursement", "dette_nette_ebe")
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
        statements = pack.data.statements

        def pair(read: Any) -> tuple[Decimal, Decimal | None]:
            return read(last), None if previous is None else read(previous)

        figures_raw = {
            "chiffre_affaires": pair(lambda y: pack.data.pl("chiffre_affaires", y)),
            "ebe": pair(lambda y: pack.data.pl("ebe", y)),
            "resultat_net": pair(lambda y: pack.data.pl("resultat_net", y)),
            "caf": pair(lambda y: cents_to_euros(caf_additive(statements, y)["caf"])),
            "dettes_financieres": pair(lambda y: pack.data.bilan("dettes_financieres", y.end)),
            "capitaux_propres": pair(lambda y: pack.data.bilan("capitaux_propres", y.end)),
            "tresorerie_nette": pair(lambda y: cents_to_euros(net_cash(statements, y.end))),
        }
        names = {
            "caf": pack.t("Capacité d'autofinancement (CAF)", "Cash flow from operations (CAF)"),
            "tresorerie_nette": pack.t("Trésorerie nette", "Net cash"),
        }
        figures = [{
            "id": key,
            "label": names.get(key) or line_label(pack, key),
            "value": fmt.money(now), "n1": "—" if before is None else fmt.money(before),
            "delta": variation(pack, now, before, "money"),
        } for key, (now, before) in figures_raw.items()]

        ratios = []
        for kpi_id in BANK_RATIOS:
            if kpi_id not in pack.engine.kpis:
                continue
            kpi = pack.engine.kpis[kpi_id]
            year_value, year_reason = pack.engine.value(kpi, last)
            result = pack.result(kpi_id, "ltm")
            limits = result.thresholds
            ratios.append({
                "id": kpi_id, "label": pack.label(kpi.label), "kpi": kpi, "result": result,
                "year": year_reason if year_value is None else fmt.value(year_value, kpi.unit),
                "year_status": pack.engine.status(kpi, year_value),
                "value": pack.value(result), "reason": result.reason,
                "threshold": "—" if limits is None or limits.alert is None else
                ("≥ " if kpi.direction == "up" else "≤ ") + fmt.value(limits.alert, kpi.unit),
                "status": result.status,
                "status_label": STATUS_LABELS[result.status][0 if pack.language == "fr" else 1] if result.status else "",
            })

        strengths, concerns = self._findings(pack, figures_raw, ratios, last)
        return {
            "identity": self._identity(pack),
            "year_label": _fy_label(pack, last),
            "previous_label": "—" if previous is None else _fy_label(pack, previous),
            "figures": figures,
            "ratios": ratios,
            "ratio_window": pack.t("12 mois à fin ", "12 months to ") + fmt.month(pack.period),
            "strengths": strengths,
            "concerns": concerns,
            "debt": self._debt_service(pack),
            "raw": figures_raw,
        }

    @staticmethod
    def _identity(pack: PackContext) -> list[str]:
        company = pack.config.company
        siren = company.siren
        first = company.name
        if siren:
            first += f" — SIREN {siren[0:3]}\u202f{siren[3:6]}\u202f{siren[6:]}"
        if company.city:
            first += f" — {company.city}"
        lines = [first]
        if company.activity:
            lines.append(company.activity)
        start = pack.fmt.month(pack.data.window("fy", pack.period).start).split(" ")[0]
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
        capital = pack.data.bilan("capital", last.end)
        if equity < 0:
            bad(pack.t(f"Capitaux propres négatifs ({fmt.money(equity)})",
                       f"Negative equity ({fmt.money(equity)})"), "alert")
        elif capital > 0 and equity < capital / 2:
            bad(pack.t(f"Capitaux propres ({fmt.money(equity)}) inférieurs à la moitié du capital social "
                       f"({fmt.money(capital)}) : article L. 223-42 / L. 225-248 du Code de commerce",
                       f"Equity ({fmt.money(equity)}) below half the share capital ({fmt.money(capital)})"), "alert")
        rated = [r for r in ratios if r["result"].value is not None and r["status"] is not None]
        within = [r for r in rated if r["status"] == "ok"]
        if within:
            good(pack.t(f"Ratios bancaires dans leurs seuils : {len(within)} sur {len(rated)} (tableau ci-dessus)",
                        f"Banking ratios within their thresholds: {len(within)} of {len(rated)} (table above)"))
        for ratio in rated:
            if ratio["status"] != "ok":
                bad(pack.t(f"{ratio['label']} de {ratio['value']} (seuil d'alerte {ratio['threshold']})",
                           f"{ratio['label']} at {ratio['value']} (covenant {ratio['threshold']})"), ratio["status"])
        self._receivables(pack, good, bad)
        debt = pack.data.bilan("dettes_financieres", pack.period)
        cash = cents_to_euros(net_cash(pack.data.statements, pack.period))
        if debt > 0 and cash >= debt:
            good(pack.t(f"Trésorerie nette ({fmt.money(cash)}) supérieure aux dettes financières ({fmt.money(debt)})",
                        f"Net cash ({fmt.money(cash)}) above financial debt ({fmt.money(debt)})"))
        elif cash < 0:
            bad(pack.t(f"Trésorerie nette négative ({fmt.money(cash)}) à fin {fmt.month(pack.period)}",
                       f"Negative net cash ({fmt.money(cash)}) at the end of {fmt.month(pack.period)}"), "alert")
        self._concentration(pack, bad)
        return strengths, concerns

    @staticmethod
    def _receivables(pack: PackContext, good: Any, bad: Any) -> None:
        """DSO against its thresholds, and overdue receivables, when those KPIs are registered."""
        fmt = pack.fmt
        for kpi_id in ("dso", "clients_plus_90j"):
            if kpi_id not in pack.engine.kpis:
                continue
            result = pack.result(kpi_id)
            limits = result.thresholds
            if result.value is None or result.status is None or limits is None or limits.warn is None:
                continue
            kpi = result.kpi
            value = fmt.value(result.value, kpi.unit)
            seuil = fmt.value(limits.warn, kpi.unit)
            label = pack.label(kpi.label)
            if result.status == "ok":
                good(pack.t(f"{label} de {value}, sous le seuil de vigilance de {seuil}",
                            f"{label} at {value}, below the watch level of {seuil}"))
            else:
                bad(pack.t(f"{label} de {value}, au-dessus du seuil de vigilance de {seuil}",
                           f"{label} at {value}, above the watch level of {seuil}"), result.status)

    @staticmethod
    def _concentration(pack: PackContext, bad: Any) -> None:
        """The first customer's share of the last 12 months' invoiced revenue, when above 25 %."""
        try:
            sales = invoices_of(pack, "sale")
            window = pack.data.window("ltm", pack.period)
            require_span(pack, sales, window.start, window.end)
        except Unavailable:
            return
        issued = sales[_within(sales["issue_date"], window)]
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
            return {"available": False, "reason": str(exc)}
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
        caf = None
        try:
            caf = cents_to_euros(caf_additive(pack.data.statements, pack.data.window("ltm", pack.period))["caf"])
        except Unavailable:
            pass
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
    """Register the extra operations and banker sections."""
    return [CycleDelaysSection(), InventorySection(), CreditSummarySection()]
