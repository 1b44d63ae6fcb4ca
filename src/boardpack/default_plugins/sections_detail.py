"""The DAF's detail sections: monthly P&L, cash bridge, revenue by product and customer,
top customers and suppliers, aged balance.

Invoices follow the conventions of the commercial KPIs: a sale (purchase) invoice is a row
of ``invoices`` of kind ``sale`` (``purchase``) that is neither ``draft`` nor ``cancelled``;
credit notes carry negative amounts; the counterparty is the invoice's name, else its id.
An invoice is *open* at a date when it was issued by then and not paid at that date (paid
later, or with neither a paid date nor the ``paid`` status). Figures over a window need
invoices reaching it: a window ending after the last invoice month or starting before the
first one is unavailable rather than read as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from ..accounting.cashflow import cash_flow
from ..accounting.pcg import PL_LINES, SIG_FORMULAS
from ..accounting.statements import cents_to_euros
from ..hookspecs import hookimpl
from ..interfaces import Section, Unavailable
from ..pack import PackContext
from ..periods import Month, Window
from ._section_helpers import pl_value, variation, window_label
from .sections_finance import SIG_LAYOUT, line_label

__all__ = [
    "AGE_BUCKETS", "AgedBalanceSection", "CashBridgeSection", "MonthlyIncomeStatementSection",
    "RevenueMixSection", "TopPartiesSection", "age_bucket", "budget_of", "counterparty",
    "euros", "invoices_of", "open_at", "require_span", "thousands",
]


# ---------------------------------------------------------------- shared helpers


def euros(cents: Any) -> Decimal:
    """Integer cents (or a sum of a money column) as euros."""
    return Decimal(int(cents)).scaleb(-2)


def thousands(pack: PackContext, value: Decimal | None, signed: bool = False) -> str:
    """An amount in thousands of euros, no decimal (``1 235``), « — » when unknown."""
    if value is None:
        return "—"
    rounded = (value / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) + 0  # + 0: no « −0 »
    text = pack.fmt.number(rounded)
    return pack.fmt.signed(text, rounded) if signed else text


def money(pack: PackContext, value: Decimal | None) -> str:
    """An amount to the euro, « — » when unknown."""
    return "—" if value is None else pack.fmt.money(value)


def share(pack: PackContext, part: Decimal, whole: Decimal) -> str:
    """``part`` as a percentage of ``whole``, « — » when the whole is not positive."""
    return "—" if whole <= 0 else pack.fmt.percent(part / whole * 100)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    bare = frame.copy(deep=False)
    bare.attrs = {}
    return bare


def invoices_of(pack: PackContext, kind: str) -> pd.DataFrame:
    """Sale or purchase invoices and credit notes, drafts and cancelled ones left out."""
    invoices = _plain(pack.data.dataset("invoices"))
    chosen = invoices[(invoices["kind"] == kind) & ~invoices["status"].isin(("draft", "cancelled"))]
    if chosen.empty:
        raise Unavailable(pack.t("aucune facture de vente", "no sale invoice") if kind == "sale"
                          else pack.t("aucune facture d'achat", "no purchase invoice"))
    return chosen


def require_span(pack: PackContext, frame: pd.DataFrame, start: Month, end: Month) -> None:
    """Unavailable unless the invoices of ``frame`` were issued from ``start`` to ``end``."""
    first, last = Month.of(frame["issue_date"].min()), Month.of(frame["issue_date"].max())
    if end > last:
        raise Unavailable(pack.t(f"pas de factures après {last}", f"no invoice after {last}"))
    if start < first:
        raise Unavailable(pack.t(f"pas de factures avant {first}", f"no invoice before {first}"))


def _spans(frame: pd.DataFrame, window: Window) -> bool:
    first, last = Month.of(frame["issue_date"].min()), Month.of(frame["issue_date"].max())
    return first <= window.start and window.end <= last


def _within(dates: pd.Series, window: Window) -> pd.Series:
    return (dates >= pd.Timestamp(window.start.first_day)) & (dates <= pd.Timestamp(window.end.last_day))


def counterparty(pack: PackContext, frame: pd.DataFrame) -> pd.Series:
    """The counterparty of each invoice: its name, else its id, else « non renseigné »."""
    names = frame["counterparty"].where(frame["counterparty"] != "", frame["counterparty_id"])
    return names.where(names != "", pack.t("(non renseigné)", "(not given)"))


def open_at(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Invoices issued by ``day`` and not paid at that date."""
    issued = frame[frame["issue_date"] <= day]
    unpaid = (issued["paid_date"].isna() & (issued["status"] != "paid")) | (issued["paid_date"] > day)
    return issued[unpaid]


def _ranked(totals: Mapping[str, Decimal], count: int) -> tuple[list[str], list[str]]:
    """The ``count`` largest keys (ties by name) and the others."""
    order = sorted(totals, key=lambda key: (-totals[key], key))
    return order[:count], order[count:]


def _others_label(pack: PackContext, count: int, fr: str, en: str) -> str:
    return pack.t(f"Autres {fr} ({count})", f"Other {en} ({count})")


# ---------------------------------------------------------------- budget of a SIG line


def _expand(line: str) -> dict[str, Fraction]:
    """A statement line as a linear combination of base P&L lines."""
    if line not in SIG_FORMULAS:
        return {line: Fraction(1)}
    out: dict[str, Fraction] = {}
    for sign, term in SIG_FORMULAS[line]:
        for base, coefficient in _expand(term).items():
            out[base] = out.get(base, Fraction(0)) + sign * coefficient
    return {base: c for base, c in out.items() if c}


def budget_of(pack: PackContext, line: str, window: Window) -> tuple[Decimal | None, list[str]]:
    """The budget of ``line`` over ``window`` and the base lines it counts as zero.

    A line the budget holds is read as is. A SIG subtotal the budget does not hold is
    rebuilt from the budgeted lines that make it up (largest first: ``chiffre_affaires``,
    ``achats_consommes``…), the other base lines of the subtotal counting for zero, as the
    EBE indicator's budget does; the second item lists those that carry actual amounts over
    the window, for the reader. ``None`` when the budget gives none of the subtotal's lines,
    lacks a month of the window, or does not hold a base line.
    """
    try:
        frame = pack.data.dataset("budget")
    except Unavailable:
        return None, []
    held = {str(name) for name in frame["line"].unique()}
    try:
        if line in held:
            return pack.data.budget(line, window), []
        if line not in SIG_FORMULAS:
            return None, []
        remaining = _expand(line)
        known = [name for name in held if name in SIG_FORMULAS or name in PL_LINES]
        total, used = Decimal(0), False
        for name in sorted(known, key=lambda n: (-len(_expand(n)), n)):
            parts = _expand(name)
            first, coefficient = next(iter(parts.items()))
            factor = remaining.get(first, Fraction(0)) / coefficient
            if not factor or any(remaining.get(base) != factor * c for base, c in parts.items()):
                continue
            total += pack.data.budget(name, window) * Decimal(factor.numerator) / Decimal(factor.denominator)
            used = True
            for base in parts:
                del remaining[base]
    except Unavailable:
        return None, []
    if not used:
        return None, []
    return total, [base for base in remaining if pl_value(pack, base, window)]


# ---------------------------------------------------------------- 1. monthly P&L


class MonthlyIncomeStatementSection(Section):
    """Compte de résultat by SIG, month by month over the fiscal year to date, with totals."""

    name = "compte_resultat_mensuel"
    title = {"fr": "Compte de résultat mensuel", "en": "Monthly income statement"}
    template = "sections/monthly_income_statement.html"
    page = "landscape"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One column per month of the year to date, then cumul, N-1, budget and variances (k€)."""
        ytd = pack.data.window("ytd", pack.period)
        pack.data.ledger.require(ytd)
        months = ytd.months
        n1 = ytd.shift_years(1)
        rows, zeroed = [], []
        for line, style in SIG_LAYOUT:
            monthly = [pl_value(pack, line, Window("month", m, m)) for m in months]
            total = pl_value(pack, line, ytd)
            total_n1 = pl_value(pack, line, n1)
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
        one_year = len({m.year for m in months}) == 1
        headers = [pack.fmt.month_short(m).rsplit(" ", 1)[0] if one_year else pack.fmt.month_short(m)
                   for m in months]
        label_width, total_width = 23.0, 5.4
        month_width = (100 - label_width - 5 * total_width) / len(months)
        return {
            "rows": rows,
            "months": headers,
            "widths": {"label": f"{label_width}%", "month": f"{month_width:.2f}%", "total": f"{total_width}%"},
            "ytd_window": window_label(pack, ytd),
            "zeroed": [line_label(pack, z) for z in zeroed],
        }


# ---------------------------------------------------------------- 2. cash bridge


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
        ytd = pack.data.window("ytd", pack.period)
        statements = pack.data.statements
        flow = cash_flow(statements, ytd).as_dict()
        flow["delta_bfr"] = -flow["delta_bfr"]
        previous: dict[str, int] | None = None
        if pack.data.ledger.covers(ytd.shift_years(1)):
            previous = cash_flow(statements, ytd.shift_years(1)).as_dict()
            previous["delta_bfr"] = -previous["delta_bfr"]
        show_gap = bool(flow["ecart"] or (previous and previous["ecart"]))
        steps, rows = [], []
        for key, fr, en, chart_fr, chart_en, style in _BRIDGE:
            if key == "ecart" and not show_gap:
                continue
            rows.append({
                "label": pack.t(fr, en), "style": style, "key": key,
                "value": pack.fmt.money(cents_to_euros(flow[key])),
                "n1": "—" if previous is None else pack.fmt.money(cents_to_euros(previous[key])),
            })
            if chart_fr:
                steps.append({"key": key, "label": pack.t(chart_fr, chart_en), "cents": flow[key],
                              "kind": "total" if key.startswith("tresorerie") else "delta"})
        chart = pack.chart("waterfall", {
            "x": [s["label"] for s in steps],
            "series": [{"label": "", "values": [cents_to_euros(s["cents"]) for s in steps]}],
            "kinds": [s["kind"] for s in steps],
            "unit": "money",
        }, 17, 8, alt=pack.t("Cascade de trésorerie", "Cash bridge"))
        opening = pack.fmt.date(ytd.start.shift(-1).last_day)
        return {
            "chart": chart,
            "rows": rows,
            "steps": steps,
            "window": window_label(pack, ytd),
            "n1_window": window_label(pack, ytd.shift_years(1)),
            "has_n1": previous is not None,
            "opening_date": opening,
            "closing_date": pack.fmt.date(pack.period.last_day),
            "gap": bool(flow["ecart"]),
        }


# ---------------------------------------------------------------- 3. revenue by product and customer


class RevenueMixSection(Section):
    """Revenue and discounts by product, revenue by customer (top 10), year to date against N-1."""

    name = "marges_produits_clients"
    title = {"fr": "Chiffre d'affaires et marges par produit et par client",
             "en": "Revenue and margins by product and customer"}
    template = "sections/revenue_mix.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Product and customer tables from the sale invoices issued in the year to date."""
        sales = invoices_of(pack, "sale")
        ytd = pack.data.window("ytd", pack.period)
        require_span(pack, sales, ytd.start, ytd.end)
        n1 = ytd.shift_years(1)
        has_n1 = _spans(sales, n1)
        current = sales[_within(sales["issue_date"], ytd)]
        before = sales[_within(sales["issue_date"], n1)] if has_n1 else sales.iloc[0:0]
        total = euros(current["amount_excl_tax"].sum())
        if total <= 0:
            raise Unavailable(pack.t("aucun chiffre d'affaires facturé sur l'exercice en cours",
                                     "no revenue invoiced in the year to date"))
        not_given = pack.t("(non renseigné)", "(not given)")
        discount_known = not sales["discount"].isna().all()

        def by(frame: pd.DataFrame, keys: pd.Series, column: str) -> dict[str, Decimal]:
            amounts = frame[column].fillna(0).astype("int64")
            return {str(k): euros(v) for k, v in amounts.groupby(keys).sum().items()}

        products = None
        if not (sales["product"] == "").all():
            keys = current["product"].where(current["product"] != "", not_given)
            revenue = by(current, keys, "amount_excl_tax")
            previous = by(before, before["product"].where(before["product"] != "", not_given), "amount_excl_tax")
            discounts = by(current, keys, "discount") if discount_known else {}
            products = []
            for key in sorted(revenue, key=lambda k: (-revenue[k], k)):
                listed = revenue[key] + discounts.get(key, Decimal(0))
                products.append(self._row(pack, key, revenue[key], total, previous.get(key), has_n1) | {
                    "discount": money(pack, discounts.get(key)) if discount_known else "—",
                    "discount_rate": share(pack, discounts[key], listed) if discount_known else "—",
                })
            all_discounts = sum(discounts.values(), Decimal(0)) if discount_known else None
            products.append(self._row(pack, pack.t("Total", "Total"), total, total,
                                      euros(before["amount_excl_tax"].sum()), has_n1) | {
                "discount": money(pack, all_discounts),
                "discount_rate": "—" if all_discounts is None else share(pack, all_discounts, total + all_discounts),
                "style": "total",
            })

        customers_now = by(current, counterparty(pack, current), "amount_excl_tax")
        customers_before = by(before, counterparty(pack, before), "amount_excl_tax")
        top, rest = _ranked(customers_now, 10)
        customers = [self._row(pack, key, customers_now[key], total, customers_before.get(key), has_n1)
                     for key in top]
        if rest:
            rest_n1 = sum((customers_before.get(k, Decimal(0)) for k in rest), Decimal(0))
            customers.append(self._row(pack, _others_label(pack, len(rest), "clients", "customers"),
                                       sum((customers_now[k] for k in rest), Decimal(0)), total, rest_n1, has_n1))
        customers.append(self._row(pack, pack.t("Total", "Total"), total, total,
                                   euros(before["amount_excl_tax"].sum()), has_n1) | {"style": "total"})
        top_share = sum((customers_now[k] for k in top), Decimal(0))

        ledger_revenue = pl_value(pack, "chiffre_affaires", ytd)
        margin = pl_value(pack, "marge_brute", ytd)
        charts = []
        if products:
            charts.append({"title": pack.t("Par produit", "By product"), "chart": pack.chart("hbars", {
                "x": [r["label"] for r in products[:-1]],
                "series": [{"label": "", "values": [r["raw"] for r in products[:-1]]}],
                "unit": "money",
            }, 8.4, 4.6, alt=pack.t("Chiffre d'affaires par produit", "Revenue by product"))})
        charts.append({"title": pack.t("Dix premiers clients", "Top ten customers"), "chart": pack.chart("hbars", {
            "x": [r["label"] for r in customers[:len(top)]],
            "series": [{"label": "", "values": [r["raw"] for r in customers[:len(top)]]}],
            "unit": "money",
        }, 8.4, 4.6, alt=pack.t("Chiffre d'affaires par client", "Revenue by customer"))})
        return {
            "window": window_label(pack, ytd),
            "products": products,
            "customers": customers,
            "charts": charts,
            "top_share": share(pack, top_share, total),
            "discount_known": discount_known,
            "invoiced": pack.fmt.money(total),
            "ledger_revenue": money(pack, ledger_revenue),
            "ledger_gap": "—" if ledger_revenue is None else pack.fmt.money(total - ledger_revenue),
            "gross_margin_rate": "—" if not ledger_revenue or margin is None
            else pack.fmt.percent(margin / ledger_revenue * 100),
            "has_n1": has_n1,
            "raw": {"total": total, "customers": customers_now, "customers_n1": customers_before},
        }

    @staticmethod
    def _row(pack: PackContext, label: str, value: Decimal, total: Decimal, n1: Decimal | None,
             has_n1: bool) -> dict[str, Any]:
        reference = (n1 or Decimal(0)) if has_n1 else None
        return {
            "label": label, "style": "base", "raw": value,
            "revenue": pack.fmt.money(value), "share": share(pack, value, total),
            "n1": money(pack, reference), "n1_delta": variation(pack, value, reference, "money"),
        }


# ---------------------------------------------------------------- 4. top customers and suppliers


class TopPartiesSection(Section):
    """Top 10 customers and top 10 suppliers: invoiced, open balance, mean payment delay."""

    name = "clients_fournisseurs"
    title = {"fr": "Principaux clients et fournisseurs", "en": "Top customers and suppliers"}
    template = "sections/top_parties.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """One table per side; the side without invoices says why."""
        ytd = pack.data.window("ytd", pack.period)
        tables, reasons = [], []
        for kind, fr, en in (("sale", "Clients", "Customers"), ("purchase", "Fournisseurs", "Suppliers")):
            try:
                tables.append({"kind": kind, "title": pack.t(fr, en), **self._table(pack, kind, ytd)})
            except Unavailable as exc:
                reasons.append(f"{pack.t(fr, en)} : {exc}")
        if not tables:
            raise Unavailable(" ; ".join(reasons))
        return {
            "tables": tables, "reasons": reasons,
            "window": window_label(pack, ytd), "date": pack.fmt.date(pack.period.last_day),
        }

    def _table(self, pack: PackContext, kind: str, ytd: Window) -> dict[str, Any]:
        frame = invoices_of(pack, kind)
        require_span(pack, frame, ytd.start, ytd.end)
        end = pd.Timestamp(pack.period.last_day)
        frame = frame.assign(party=counterparty(pack, frame))
        issued = frame[_within(frame["issue_date"], ytd)]
        invoiced = {str(k): euros(v) for k, v in issued.groupby("party")["amount_excl_tax"].sum().items()}
        if not invoiced:
            raise Unavailable(pack.t("aucune facture sur l'exercice en cours", "no invoice in the year to date"))
        open_items = open_at(frame, end)
        paid = frame[(frame["amount_excl_tax"] > 0) & _within(frame["paid_date"], ytd)]
        paid = paid.assign(days=(paid["paid_date"] - paid["issue_date"]).dt.days)
        top, rest = _ranked(invoiced, 10)
        total = sum(invoiced.values(), Decimal(0))

        def row(label: str, parties: list[str] | None, style: str) -> dict[str, Any]:
            chosen = (lambda f: f) if parties is None else (lambda f: f[f["party"].isin(parties)])
            mine_open = chosen(open_items)
            days = chosen(paid)["days"]
            amount = total if parties is None else sum((invoiced[p] for p in parties), Decimal(0))
            balance = euros(mine_open["amount_incl_tax"].sum())
            overdue = euros(mine_open[mine_open["due_date"] < end]["amount_incl_tax"].sum())
            mean = None if days.empty else Decimal(int(days.sum())) / len(days)
            return {
                "label": label, "style": style,
                "invoiced": pack.fmt.money(amount), "share": share(pack, amount, total),
                "open": pack.fmt.money(balance), "overdue": pack.fmt.money(overdue),
                "delay": "—" if mean is None else pack.fmt.value(mean, "days"),
                "raw": {"invoiced": amount, "open": balance, "overdue": overdue, "delay": mean,
                        "paid_count": len(days)},
            }

        rows = [row(party, [party], "base") for party in top]
        if rest:
            names = ("clients", "customers") if kind == "sale" else ("fournisseurs", "suppliers")
            rows.append(row(_others_label(pack, len(rest), *names), rest, "base"))
        rows.append(row(pack.t("Total", "Total"), None, "total"))
        return {"rows": rows, "top_share": share(pack, sum((invoiced[p] for p in top), Decimal(0)), total),
                "count": len(invoiced)}


# ---------------------------------------------------------------- 5. aged balance

#: Buckets of days past the due date: (key, label fr, label en, last day included or None).
AGE_BUCKETS: tuple[tuple[str, str, str, int | None], ...] = (
    ("non_echu", "Non échu", "Not yet due", 0),
    ("1_30", "1 à 30 j", "1–30 days", 30),
    ("31_60", "31 à 60 j", "31–60 days", 60),
    ("61_90", "61 à 90 j", "61–90 days", 90),
    ("plus_90", "Plus de 90 j", "Over 90 days", None),
)


def age_bucket(days_late: int) -> int:
    """The index in :data:`AGE_BUCKETS` of an invoice ``days_late`` days past its due date."""
    for index, (_, _, _, last) in enumerate(AGE_BUCKETS):
        if last is None or days_late <= last:
            return index
    raise AssertionError("unreachable")  # pragma: no cover


class AgedBalanceSection(Section):
    """Aged receivables and payables at the period end, by days past the due date."""

    name = "balance_agee"
    title = {"fr": "Balance âgée clients et fournisseurs", "en": "Aged receivables and payables"}
    template = "sections/aged_balance.html"
    page = "landscape"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Per side: top 15 counterparties by open amount, the others, the total and its split in %."""
        tables, reasons = [], []
        for kind, fr, en, prefix, side in (
            ("sale", "Créances clients", "Receivables", "411", "debit"),
            ("purchase", "Dettes fournisseurs", "Payables", "401", "credit"),
        ):
            try:
                table = self._table(pack, kind)
            except Unavailable as exc:
                reasons.append(f"{pack.t(fr, en)} : {exc}")
                continue
            try:
                ledger = pack.fmt.money(pack.data.split_balance((prefix,), pack.period, side))
            except Unavailable:
                ledger = "—"
            accounts = pack.t(f"comptes {prefix}, soldes {'débiteurs' if side == 'debit' else 'créditeurs'}",
                              f"accounts {prefix}, {side} balances")
            tables.append({"kind": kind, "title": pack.t(fr, en), "ledger": ledger, "accounts": accounts, **table})
        if not tables:
            raise Unavailable(" ; ".join(reasons))
        return {
            "tables": tables, "reasons": reasons,
            "buckets": [pack.t(fr, en) for _, fr, en, _ in AGE_BUCKETS],
            "date": pack.fmt.date(pack.period.last_day),
        }

    def _table(self, pack: PackContext, kind: str) -> dict[str, Any]:
        frame = invoices_of(pack, kind)
        require_span(pack, frame, pack.period, pack.period)
        end = pd.Timestamp(pack.period.last_day)
        items = open_at(frame, end)
        if items.empty:
            raise Unavailable(pack.t(f"aucune facture ouverte au {pack.fmt.date(pack.period.last_day)}",
                                     f"no open invoice at {pack.fmt.date(pack.period.last_day)}"))
        items = items.assign(
            party=counterparty(pack, items),
            bucket=[age_bucket(int(d)) for d in (end - items["due_date"]).dt.days],
        )
        grid = items.pivot_table(index="party", columns="bucket", values="amount_incl_tax",
                                 aggfunc="sum", fill_value=0)
        grid = grid.reindex(columns=range(len(AGE_BUCKETS)), fill_value=0)
        cents = {str(party): [int(v) for v in values] for party, values in zip(grid.index, grid.to_numpy())}
        totals = {party: euros(sum(values)) for party, values in cents.items()}
        top, rest = _ranked(totals, 15)

        def row(label: str, parties: list[str], style: str) -> dict[str, Any]:
            buckets = [sum(cents[p][i] for p in parties) for i in range(len(AGE_BUCKETS))]
            return {"label": label, "style": style, "cents": buckets,
                    "values": [pack.fmt.money(euros(c)) for c in buckets],
                    "total": pack.fmt.money(euros(sum(buckets)))}

        rows = [row(party, [party], "base") for party in top]
        if rest:
            names = ("clients", "customers") if kind == "sale" else ("fournisseurs", "suppliers")
            rows.append(row(_others_label(pack, len(rest), *names), rest, "base"))
        total = row(pack.t("Total", "Total"), list(cents), "total")
        whole = sum(total["cents"])
        split = ["—" if whole <= 0 else pack.fmt.percent(Decimal(c) / Decimal(whole) * 100) for c in total["cents"]]
        split.append("—" if whole <= 0 else pack.fmt.percent(100))
        return {"rows": rows, "total": total, "split": split, "count": len(items),
                "parties": len(cents)}


@hookimpl
def register_sections() -> list[Section]:
    """Register the DAF's detail sections."""
    return [MonthlyIncomeStatementSection(), CashBridgeSection(), RevenueMixSection(), TopPartiesSection(),
            AgedBalanceSection()]
