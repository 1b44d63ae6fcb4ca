"""Built-in alert rules: thresholds, budget, late payers, BFR, covenants and data gaps.

Each rule reads the figures for the reporting month (:class:`~boardpack.api.kpis.Figures`) and
returns :class:`~boardpack.api.alerts.Alert` objects: a title and a message in French and
English with the figures written the reader's way, the figures themselves formatted the
French way, and the audiences that must read it. ``settings`` is the config's ``[alerts]``
table, completed with the defaults the rules declare (:data:`ALERTS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from boardpack.api import KPI, STATUS_LABELS, Alert, AlertRule, Figures, Issue, Unavailable, hookimpl
from boardpack.api.accounts import PL_LINES, SIG_LINES, StatementLine
from boardpack.api.commercial import customer_of, days_past_due, open_at, selected_invoices
from boardpack.api.periods import Month, Window
from boardpack.api.settings import Setting, SettingsTable

from .wording import EN, FR, WINDOW_PHRASES, growth, pct

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = [
    "ALERTS",
    "BFR_GROWTH_KPI",
    "COVENANT_KPIS",
    "BfrVsRevenue",
    "BudgetOverrun",
    "Covenant",
    "DataGaps",
    "LatePayers",
    "ThresholdCrossed",
]

#: KPIs a bank writes into its covenants; ``covenant`` raises them below their alert threshold.
COVENANT_KPIS = ("dscr", "liquidite_generale")
#: The KPI that measures what ``bfr_vs_revenue`` tells (its status sets the alert's severity).
BFR_GROWTH_KPI = "croissance_bfr_vs_ca"

Severity = Literal["info", "warning", "critical"]

#: The keys of ``[alerts]`` the built-in rules read, with their defaults.
BUDGET_OVERRUN_PCT = Setting("budget_overrun_pct", "number", 5,
                             "écart au budget toléré, en % du budget, avant une alerte", minimum=0)
LATE_PAYMENT_DAYS = Setting("late_payment_days", "number", 30,
                            "jours après l'échéance au-delà desquels une facture impayée est en retard", minimum=0)
LATE_PAYMENT_SHARE_PCT = Setting("late_payment_share_pct", "number", 5,
                                 "part des créances ouvertes au-delà de laquelle un client en retard est critique",
                                 minimum=0)
ALERTS = SettingsTable("alerts", (BUDGET_OVERRUN_PCT, LATE_PAYMENT_DAYS, LATE_PAYMENT_SHARE_PCT))


def _kpis_of(engine: Figures, *ids: str) -> tuple[str, ...]:
    return tuple(i for i in ids if i in engine.kpis)


def _with(audiences: tuple[str, ...], *more: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(audiences + more))


class ThresholdCrossed(AlertRule):
    """Every selected KPI whose headline figure is « à surveiller » or « alerte »."""

    name = "threshold_crossed"
    description = {
        "fr": "indicateurs au-delà de leur seuil de vigilance ou d'alerte",
        "en": "KPIs beyond their watch or alert threshold",
    }

    def evaluate(self, engine: Figures, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """Warning for ``warn``, critical for ``alert``.

        So that one fact makes one alert, a covenant KPI in alert is left to ``covenant`` and
        :data:`BFR_GROWTH_KPI` to ``bfr_vs_revenue``, unless those rules are ignored.
        """
        ignored = set(settings.get("ignore", ()))
        alerts = []
        for kpi in engine.kpis.values():
            result = engine.result(kpi, period, kpi.headline)  # type: ignore[arg-type]
            if result.status not in ("warn", "alert") or result.value is None or result.thresholds is None:
                continue
            critical = result.status == "alert"
            if critical and "covenant" not in ignored and kpi.id in COVENANT_KPIS:
                continue
            if kpi.id == BFR_GROWTH_KPI and "bfr_vs_revenue" not in ignored:
                continue
            threshold = result.thresholds.alert if critical else result.thresholds.warn
            alerts.append(self._alert(kpi, result.value, threshold, result.status, critical, period))
        return alerts

    def _alert(self, kpi: KPI, value: Decimal, threshold: Any, status: str, critical: bool,
               period: Month) -> Alert:
        window_fr, window_en = WINDOW_PHRASES.get(kpi.headline, ("", ""))
        above = kpi.direction == "down"
        status_fr, status_en = STATUS_LABELS[status]
        level_fr = "d'alerte" if critical else "de vigilance"
        level_en = "alert" if critical else "watch"
        fr = (f"{kpi.label['fr']} {window_fr} à fin {FR.month(period)} : {FR.value(value, kpi.unit)}, "
              f"{'au-dessus' if above else 'en dessous'} du seuil {level_fr} de {FR.value(threshold, kpi.unit)}.")
        en = (f"{kpi.label.get('en', kpi.label['fr'])} {window_en} to {EN.month(period)}: "
              f"{EN.value(value, kpi.unit)}, {'above' if above else 'below'} the {level_en} threshold "
              f"of {EN.value(threshold, kpi.unit)}.")
        return Alert(
            rule=self.name,
            severity="critical" if critical else "warning",
            title={"fr": f"{kpi.label['fr']} : {status_fr}",
                   "en": f"{kpi.label.get('en', kpi.label['fr'])}: {status_en}"},
            message={"fr": fr, "en": en},
            figures={"value": FR.value(value, kpi.unit), "threshold": FR.value(threshold, kpi.unit),
                     "status": status_fr, "window": kpi.headline},
            audiences=_with(tuple(kpi.audiences), "dirigeant") if critical else tuple(kpi.audiences),
            kpis=(kpi.id,),
        )


class BudgetOverrun(AlertRule):
    """Budget P&L lines off by more than ``budget_overrun_pct`` % year to date: charges above, income below."""

    name = "budget_overrun"
    settings = (SettingsTable("alerts", (BUDGET_OVERRUN_PCT,)),)
    description = {
        "fr": "charges au-dessus du budget ou produits en dessous, en cumul depuis le début de l'exercice",
        "en": "charges above budget or income below it, year to date",
    }

    def evaluate(self, engine: Figures, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """One warning per budget line beyond the tolerance (lines of the bilan are not compared)."""
        budget = engine.ctx.datasets.get("budget")
        if budget is None or budget.empty:
            return []
        tolerance = Decimal(str(settings.get("budget_overrun_pct", 5)))
        window = engine.ctx.window("ytd", period)
        alerts = []
        for line in pd.unique(budget["line"]):
            statement = PL_LINES.get(line) or SIG_LINES.get(line)
            if statement is None:
                continue
            try:
                actual, planned = engine.ctx.pl(line, window), engine.ctx.budget(line, window)
            except (Unavailable, KeyError):
                continue
            gap = actual - planned
            charge = statement.kind == "charge"
            if (gap if charge else -gap) > abs(planned) * tolerance / 100:
                kpis = tuple(k.id for k in engine.kpis.values() if line in (k.id, k.budget_line))
                alerts.append(self._alert(statement, actual, planned, window, kpis))
        return alerts

    def _alert(self, line: StatementLine, actual: Decimal, planned: Decimal, window: Window,
               kpis: tuple[str, ...]) -> Alert:
        label_fr, label_en, charge = line.fr, line.en, line.kind == "charge"
        gap = actual - planned
        share = pct(gap, abs(planned)) if planned else None
        pct_fr, pct_en = (f" ({text})" for text in growth(share)) if share is not None else ("", "")
        since_fr = f"de {FR.month(window.start)} à {FR.month(window.end)}"
        since_en = f"from {EN.month(window.start)} to {EN.month(window.end)}"
        if charge:
            title = {"fr": f"Dépassement du budget : {label_fr}", "en": f"Over budget: {label_en}"}
            fr = (f"{label_fr} {since_fr} : {FR.money(actual)} pour un budget de {FR.money(planned)}, "
                  f"soit {FR.money(gap)} de plus{pct_fr}.")
            en = (f"{label_en} {since_en}: {EN.money(actual)} against a budget of {EN.money(planned)}, "
                  f"{EN.money(gap)} over{pct_en}.")
        else:
            title = {"fr": f"En retard sur le budget : {label_fr}", "en": f"Behind budget: {label_en}"}
            fr = (f"{label_fr} {since_fr} : {FR.money(actual)} pour un budget de {FR.money(planned)}, "
                  f"soit {FR.money(-gap)} de moins{pct_fr}.")
            en = (f"{label_en} {since_en}: {EN.money(actual)} against a budget of {EN.money(planned)}, "
                  f"{EN.money(-gap)} short{pct_en}.")
        figures = {"line": line.id, "actual": FR.money(actual), "budget": FR.money(planned),
                   "gap": FR.signed(FR.money(gap), gap)}
        if share is not None:
            figures["gap_pct"] = growth(share)[0]
        return Alert(self.name, "warning", title, {"fr": fr, "en": en}, figures, ("daf", "dirigeant"), kpis)


class LatePayers(AlertRule):
    """Customers whose sale invoices are unpaid more than ``late_payment_days`` days after their due
    date (as the aged balance counts them)."""

    name = "late_payers"
    settings = (SettingsTable("alerts", (LATE_PAYMENT_DAYS, LATE_PAYMENT_SHARE_PCT)),)
    description = {
        "fr": "clients dont des factures restent impayées au-delà du délai fixé après leur échéance",
        "en": "customers with invoices unpaid beyond the set delay after their due date",
    }
    audiences = ("daf", "banquier", "dirigeant")

    def evaluate(self, engine: Figures, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """Critical, one per customer, when the overdue amount exceeds ``late_payment_share_pct`` %
        of the open receivables; the other late customers in one warning."""
        invoices = engine.ctx.datasets.get("invoices")
        if invoices is None or invoices.empty:
            return []
        days = int(settings.get("late_payment_days", 30))
        share_limit = Decimal(str(settings.get("late_payment_share_pct", 5)))
        end = pd.Timestamp(period.last_day)
        open_ = open_at(selected_invoices(engine.ctx, "sale"), end)
        total = Decimal(int(open_["amount_incl_tax"].sum())).scaleb(-2)
        if total <= 0:
            return []
        age = days_past_due(open_, end)
        late = open_[age > days]
        customer = customer_of(late)
        table = pd.DataFrame({"amount": late["amount_incl_tax"].astype("int64"), "oldest": age[age > days],
                              "customer": customer.replace("", "(sans nom)")})
        grouped = table.groupby("customer").agg(amount=("amount", "sum"), invoices=("amount", "size"),
                                                oldest=("oldest", "max"))
        grouped = grouped[grouped["amount"] > 0].sort_values("amount", ascending=False, kind="stable")
        rows = [
            (str(name), Decimal(int(r["amount"])).scaleb(-2), int(r["invoices"]), int(r["oldest"]))
            for name, r in grouped.iterrows()
        ]
        critical = [r for r in rows if pct(r[1], total) > share_limit]
        others = [r for r in rows if pct(r[1], total) <= share_limit]
        kpis = _kpis_of(engine, "dso")
        alerts = [self._customer(r, total, days, period, "critical", kpis) for r in critical]
        if len(others) == 1:
            alerts.append(self._customer(others[0], total, days, period, "warning", kpis))
        elif others:
            alerts.append(self._group(others, total, days, period, kpis))
        return alerts

    def _customer(self, row: tuple[str, Decimal, int, int], total: Decimal, days: int, period: Month,
                  severity: Severity, kpis: tuple[str, ...]) -> Alert:
        name, amount, count, oldest = row
        share = pct(amount, total)
        fr = (f"{name} : {FR.money(amount)} TTC échus depuis plus de {days} jours à fin "
              f"{FR.month(period)} ({count} facture{'s' if count > 1 else ''}, la plus ancienne échue depuis "
              f"{oldest} jours), soit {FR.percent(share)} des créances clients ouvertes ({FR.money(total)}).")
        en = (f"{name}: {EN.money(amount)} incl. VAT more than {days} days past due at the end of "
              f"{EN.month(period)} ({count} invoice{'s' if count > 1 else ''}, the oldest {oldest} days "
              f"past due), {EN.percent(share)} of open receivables ({EN.money(total)}).")
        figures = {"customer": name, "amount": FR.money(amount), "invoices": FR.number(count),
                   "oldest_days": f"{FR.number(oldest)} j", "share": FR.percent(share),
                   "open_receivables": FR.money(total)}
        return Alert(self.name, severity, {"fr": f"Retard de paiement : {name}", "en": f"Late payer: {name}"},
                     {"fr": fr, "en": en}, figures, self.audiences, kpis)

    def _group(self, rows: list[tuple[str, Decimal, int, int]], total: Decimal, days: int, period: Month,
               kpis: tuple[str, ...]) -> Alert:
        amount = sum((r[1] for r in rows), Decimal(0))
        names = ", ".join(r[0] for r in rows)
        fr = (f"{len(rows)} clients ont {FR.money(amount)} TTC échus depuis plus de {days} jours à fin "
              f"{FR.month(period)}, soit {FR.percent(pct(amount, total))} des créances clients ouvertes : {names}.")
        en = (f"{len(rows)} customers owe {EN.money(amount)} incl. VAT more than {days} days past due at "
              f"the end of {EN.month(period)}, {EN.percent(pct(amount, total))} of open receivables: {names}.")
        figures = {
            name: f"{FR.money(value)} ({count} facture{'s' if count > 1 else ''}, {FR.percent(pct(value, total))})"
            for name, value, count, _ in rows
        }
        return Alert(self.name, "warning", {"fr": "Clients en retard de paiement", "en": "Late-paying customers"},
                     {"fr": fr, "en": en}, figures, self.audiences, kpis)


class BfrVsRevenue(AlertRule):
    """BFR growing faster than LTM revenue over twelve months: growth that burns cash."""

    name = "bfr_vs_revenue"
    description = {
        "fr": "BFR en hausse plus rapide que le chiffre d'affaires sur 12 mois",
        "en": "working capital growing faster than revenue over twelve months",
    }

    def evaluate(self, engine: Figures, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """An alert when BFR grew faster than LTM revenue since the same month a year earlier.

        Critical or warning as the status of :data:`BFR_GROWTH_KPI` when it is selected (so its
        thresholds in the config apply), warning otherwise.
        """
        ctx = engine.ctx
        before = period.shift(-12)
        bfr_kpi, revenue_kpi = engine.kpis.get("bfr"), engine.kpis.get("chiffre_affaires")
        if bfr_kpi is None or revenue_kpi is None:
            return []  # the figures the rule compares are not selected
        figures = [
            engine.value(bfr_kpi, ctx.window("month", before))[0],
            engine.value(bfr_kpi, ctx.window("month", period))[0],
            engine.value(revenue_kpi, ctx.window("ltm", before))[0],
            engine.value(revenue_kpi, ctx.window("ltm", period))[0],
        ]
        if any(value is None for value in figures) or not figures[0] or not figures[2]:
            return []  # unknown, or no base to grow from
        bfr_then, bfr_now, revenue_then, revenue_now = (Decimal(v) for v in figures)  # type: ignore[arg-type]
        bfr_growth = pct(bfr_now - bfr_then, abs(bfr_then))
        revenue_growth = pct(revenue_now - revenue_then, abs(revenue_then))
        if bfr_growth <= revenue_growth:
            return []
        severity: Severity = "warning"
        growth_kpi = engine.kpis.get(BFR_GROWTH_KPI)
        if growth_kpi is not None:
            status = engine.result(growth_kpi, period, growth_kpi.headline).status  # type: ignore[arg-type]
            severity = "critical" if status == "alert" else "warning"
        b, r = growth(bfr_growth), growth(revenue_growth)
        grew = bfr_growth > 0
        driver = _bfr_driver(engine, before, period)
        if not grew:
            tail_fr, tail_en = "le BFR baisse moins vite que l'activité.", "working capital falls more slowly than activity."
        elif driver is not None:
            (name_fr, name_en), moved = driver
            tail_fr = (f"le BFR absorbe de la trésorerie au-delà de l'activité, d'abord par {name_fr} "
                       f"({FR.delta(moved, 'money')}).")
            tail_en = f"working capital absorbs cash beyond activity, first through {name_en} ({EN.delta(moved, 'money')})."
        else:
            tail_fr = "le BFR absorbe de la trésorerie au-delà de l'activité."
            tail_en = "working capital absorbs cash beyond activity."
        fr = (f"BFR de {FR.money(bfr_then)} fin {FR.month(before)} à {FR.money(bfr_now)} fin {FR.month(period)} "
              f"({b[0]}), quand le chiffre d'affaires sur 12 mois glissants passait de {FR.money(revenue_then)} "
              f"à {FR.money(revenue_now)} ({r[0]}) : " + tail_fr)
        en = (f"Working capital from {EN.money(bfr_then)} at the end of {EN.month(before)} to {EN.money(bfr_now)} "
              f"at the end of {EN.month(period)} ({b[1]}), while LTM revenue went from {EN.money(revenue_then)} "
              f"to {EN.money(revenue_now)} ({r[1]}): " + tail_en)
        figures_fr = {
            "bfr": FR.money(bfr_now), "bfr_previous": FR.money(bfr_then), "bfr_growth_pct": b[0],
            "revenue_ltm": FR.money(revenue_now), "revenue_ltm_previous": FR.money(revenue_then),
            "revenue_growth_pct": r[0],
        }
        title = {"fr": "Le BFR croît plus vite que le chiffre d'affaires",
                 "en": "Working capital growing faster than revenue"}
        return [Alert(self.name, severity, title, {"fr": fr, "en": en}, figures_fr, ("dirigeant", "daf"),
                      _kpis_of(engine, "bfr", "chiffre_affaires", BFR_GROWTH_KPI))]


#: The BFR's parts an alert can name as its driver: (bilan line, sign in the BFR, French, English).
_BFR_PARTS = (
    ("creances_clients", 1, "les créances clients", "customer receivables"),
    ("stocks", 1, "les stocks", "inventories"),
    ("dettes_fournisseurs", -1, "la baisse des dettes fournisseurs", "lower supplier payables"),
)


def _bfr_driver(engine: Figures, before: Month, period: Month) -> tuple[tuple[str, str], Decimal] | None:
    """The part of the BFR that grew most over the twelve months, and by how much (its effect on
    the BFR); ``None`` when the bilan is not there or none grew."""
    moves = []
    for line, sign, fr, en in _BFR_PARTS:
        try:
            moved = (engine.ctx.bilan(line, period) - engine.ctx.bilan(line, before)) * sign
        except Unavailable:
            return None
        moves.append(((fr, en), moved))
    best = max(moves, key=lambda item: item[1])
    return best if best[1] > 0 else None


class Covenant(AlertRule):
    """Bank covenants (DSCR, liquidité générale, if registered) below their alert threshold."""

    name = "covenant"
    description = {
        "fr": "ratios bancaires (DSCR, liquidité générale) sous leur seuil d'alerte",
        "en": "bank ratios (DSCR, current ratio) below their alert threshold",
    }

    def evaluate(self, engine: Figures, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """One critical alert per covenant KPI in alert on its headline window."""
        alerts = []
        for kpi_id in COVENANT_KPIS:
            kpi = engine.kpis.get(kpi_id)
            if kpi is None:
                continue
            result = engine.result(kpi, period, kpi.headline)  # type: ignore[arg-type]
            if result.status != "alert" or result.value is None or result.thresholds is None:
                continue
            limit = result.thresholds.alert
            label_fr, label_en = kpi.label["fr"], kpi.label.get("en", kpi.label["fr"])
            window_fr, window_en = WINDOW_PHRASES.get(kpi.headline, ("", ""))
            fr = (f"{label_fr} {window_fr} à fin {FR.month(period)} : {FR.value(result.value, kpi.unit)}, sous le "
                  f"seuil d'alerte de {FR.value(limit, kpi.unit)} ; le covenant bancaire risque d'être rompu.")
            en = (f"{label_en} {window_en} to {EN.month(period)}: {EN.value(result.value, kpi.unit)}, below the "
                  f"alert threshold of {EN.value(limit, kpi.unit)}; the bank covenant may be breached.")
            alerts.append(Alert(
                self.name, "critical",
                {"fr": f"Covenant bancaire : {label_fr}", "en": f"Bank covenant: {label_en}"},
                {"fr": fr, "en": en},
                {"value": FR.value(result.value, kpi.unit), "threshold": FR.value(limit, kpi.unit),
                 "window": kpi.headline},
                ("banquier", "daf", "dirigeant"), (kpi.id,),
            ))
        return alerts


class DataGaps(AlertRule):
    """Every blocking data-quality issue, for the DAF to fix before the packs go out."""

    name = "data_gaps"
    description = {
        "fr": "anomalies bloquantes des données (doublons, mois manquants, écritures déséquilibrées)",
        "en": "blocking data issues (duplicates, missing months, unbalanced entries)",
    }

    def evaluate(self, engine: Figures, period: Month, settings: Mapping[str, Any]) -> list[Alert]:
        """One critical alert per blocking issue the host found before the build."""
        return [self._alert(issue) for issue in engine.issues if issue.severity == "blocking"]

    def _alert(self, issue: Issue) -> Alert:
        figures = {"check": issue.check, "dataset": issue.dataset}
        if issue.lines:
            figures["lines"] = ", ".join(str(n) for n in issue.lines[:10]) + (" …" if len(issue.lines) > 10 else "")
        return Alert(
            self.name, "critical",
            {"fr": "Données à corriger avant diffusion", "en": "Data to fix before release"},
            dict(issue.message), figures, ("daf",),
        )


@hookimpl
def register_alert_rules() -> list[AlertRule]:
    """Register the built-in alert rules."""
    return [ThresholdCrossed(), BudgetOverrun(), LatePayers(), BfrVsRevenue(), Covenant(), DataGaps()]
