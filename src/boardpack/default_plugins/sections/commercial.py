"""The DAF's commercial detail: revenue by product and customer, top customers and suppliers,
aged balance.

Invoices follow :mod:`boardpack.api.commercial`: figures over a window need invoices reaching it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boardpack.api import PackContext, Section, Table, TableColumn, Unavailable, hookimpl
from boardpack.api.commercial import (
    euros,
    invoices_of,
    open_at,
    require_invoices,
    within,
)
from boardpack.api.periods import Window

from .helpers import pl_value, counterparty, invoices_cover, money, others_label, ranked, share, variation

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["AGE_BUCKETS", "AgedBalanceSection", "RevenueMixSection", "TopPartiesSection", "age_bucket"]


class RevenueMixSection(Section):
    """Revenue and discounts by product, revenue by customer (top 10), year to date against N-1."""

    name = "marges_produits_clients"
    # no margin by product: the data give no cost per product (the page says so)
    title = {"fr": "Chiffre d'affaires par produit et par client",
             "en": "Revenue by product and customer"}
    template = "sections/revenue_mix.html"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Product and customer tables from the sale invoices issued in the year to date."""
        sales = invoices_of(pack.data, "sale", pack.language)
        ytd = pack.data.window("ytd", pack.period)
        require_invoices(sales, ytd.start, ytd.end, pack.language, ("factures", "invoice"))
        n1 = ytd.shift_years(1)
        has_n1 = invoices_cover(sales, n1)
        current = sales[within(sales["issue_date"], ytd)]
        before = sales[within(sales["issue_date"], n1)] if has_n1 else sales.iloc[0:0]
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
        top, rest = ranked(customers_now, 10)
        customers = [self._row(pack, key, customers_now[key], total, customers_before.get(key), has_n1)
                     for key in top]
        if rest:
            rest_n1 = sum((customers_before.get(k, Decimal(0)) for k in rest), Decimal(0))
            customers.append(self._row(pack, others_label(pack, len(rest), "clients", "customers"),
                                       sum((customers_now[k] for k in rest), Decimal(0)), total, rest_n1, has_n1))
        customers.append(self._row(pack, pack.t("Total", "Total"), total, total,
                                   euros(before["amount_excl_tax"].sum()), has_n1) | {"style": "total"})
        top_share = sum((customers_now[k] for k in top), Decimal(0))

        window = pack.fmt.window(ytd)
        for rows, what, first in ((products, pack.t("CA par produit", "Revenue by product"), pack.t("Produit", "Product")),
                                  (customers, pack.t("CA par client", "Revenue by customer"), pack.t("Client", "Customer"))):
            if rows:
                pack.table(Table(what, (
                    TableColumn(first), TableColumn(pack.t("CA HT ", "Revenue ") + window, "money"),
                    TableColumn(pack.t("Part", "Share"), "percent"),
                    TableColumn(pack.t("CA HT ", "Revenue ") + pack.fmt.window(n1), "money"),
                ), [(r["label"], r["raw"], r["raw"] / total * 100, r["raw_n1"]) for r in rows]))
        ledger_revenue = pl_value(pack, "chiffre_affaires", ytd)
        margin = pl_value(pack, "marge_brute", ytd)
        charts = []
        if products:
            charts.append({"title": pack.t("Par produit", "By product"), "chart": pack.chart("hbars", {
                "x": [r["label"] for r in products[:-1]],
                "series": [{"label": "", "values": [r["raw"] for r in products[:-1]]}],
                "unit": "money",
            }, 8.4, 3.6, alt=pack.t("Chiffre d'affaires par produit", "Revenue by product"))})
        charts.append({"title": pack.t("Dix premiers clients", "Top ten customers"), "chart": pack.chart("hbars", {
            "x": [r["label"] for r in customers[:len(top)]],
            "series": [{"label": "", "values": [r["raw"] for r in customers[:len(top)]]}],
            "unit": "money",
        }, 8.4, 3.6, alt=pack.t("Chiffre d'affaires par client", "Revenue by customer"))})
        return {
            "window": pack.fmt.window(ytd),
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
            "label": label, "style": "base", "raw": value, "raw_n1": reference,
            "revenue": pack.fmt.money(value), "share": share(pack, value, total),
            "n1": money(pack, reference), "n1_delta": variation(pack, value, reference, "money"),
        }


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
            "window": pack.fmt.window(ytd), "date": pack.fmt.date(pack.period.last_day),
        }

    def _table(self, pack: PackContext, kind: str, ytd: Window) -> dict[str, Any]:
        frame = invoices_of(pack.data, kind, pack.language)
        require_invoices(frame, ytd.start, ytd.end, pack.language, ("factures", "invoice"))
        end = pd.Timestamp(pack.period.last_day)
        frame = frame.assign(party=counterparty(pack, frame))
        issued = frame[within(frame["issue_date"], ytd)]
        invoiced = {str(k): euros(v) for k, v in issued.groupby("party")["amount_excl_tax"].sum().items()}
        if not invoiced:
            raise Unavailable(pack.t("aucune facture sur l'exercice en cours", "no invoice in the year to date"))
        open_items = open_at(frame, end)
        paid = frame[(frame["amount_excl_tax"] > 0) & within(frame["paid_date"], ytd)]
        paid = paid.assign(days=(paid["paid_date"] - paid["issue_date"]).dt.days)
        top, rest = ranked(invoiced, 10)
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
            rows.append(row(others_label(pack, len(rest), *names), rest, "base"))
        rows.append(row(pack.t("Total", "Total"), None, "total"))
        pack.table(Table(pack.t("Principaux clients", "Top customers") if kind == "sale"
                         else pack.t("Principaux fournisseurs", "Top suppliers"), (
            TableColumn(pack.t("Tiers", "Counterparty")),
            TableColumn(pack.t("Facturé HT ", "Invoiced ") + pack.fmt.window(ytd), "money"),
            TableColumn(pack.t("Part", "Share"), "percent"),
            TableColumn(pack.t("Solde ouvert TTC", "Open balance incl. VAT"), "money"),
            TableColumn(pack.t("dont échu", "of which overdue"), "money"),
            TableColumn(pack.t("Délai moyen de paiement", "Mean payment delay"), "days"),
        ), [(r["label"], r["raw"]["invoiced"], None if total <= 0 else r["raw"]["invoiced"] / total * 100,
             r["raw"]["open"], r["raw"]["overdue"], r["raw"]["delay"]) for r in rows]))
        return {"rows": rows, "top_share": share(pack, sum((invoiced[p] for p in top), Decimal(0)), total),
                "count": len(invoiced)}


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
            balances = pack.facts.accounts((prefix,), pack.period, side)
            ledger = "—" if balances.value is None else pack.fmt.money(balances.value)
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
        frame = invoices_of(pack.data, kind, pack.language)
        require_invoices(frame, pack.period, pack.period, pack.language, ("factures", "invoice"))
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
        top, rest = ranked(totals, 15)

        def row(label: str, parties: list[str], style: str) -> dict[str, Any]:
            buckets = [sum(cents[p][i] for p in parties) for i in range(len(AGE_BUCKETS))]
            return {"label": label, "style": style, "cents": buckets,
                    "values": [pack.fmt.money(euros(c)) for c in buckets],
                    "total": pack.fmt.money(euros(sum(buckets)))}

        rows = [row(party, [party], "base") for party in top]
        if rest:
            names = ("clients", "customers") if kind == "sale" else ("fournisseurs", "suppliers")
            rows.append(row(others_label(pack, len(rest), *names), rest, "base"))
        total = row(pack.t("Total", "Total"), list(cents), "total")
        whole = sum(total["cents"])
        split = ["—" if whole <= 0 else pack.fmt.percent(Decimal(c) / Decimal(whole) * 100) for c in total["cents"]]
        split.append("—" if whole <= 0 else pack.fmt.percent(100))
        self._describe(pack, kind, rows + [total], items, end)
        return {"rows": rows, "total": total, "split": split, "count": len(items),
                "parties": len(cents)}


    def _describe(self, pack: PackContext, kind: str, rows: list[dict[str, Any]], items: pd.DataFrame,
                  end: pd.Timestamp) -> None:
        """The workbook's tables: the aged balance by counterparty, and every open invoice with its dates."""
        title = pack.t("Clients", "Receivables") if kind == "sale" else pack.t("Fournisseurs", "Payables")
        party = TableColumn(pack.t("Tiers", "Counterparty"))
        pack.table(Table(f"{title} {pack.t('par ancienneté', 'by age')}", (
            party, *(TableColumn(pack.t(fr, en), "money") for _, fr, en, _ in AGE_BUCKETS), TableColumn("Total", "money"),
        ), [(r["label"], *(euros(c) for c in r["cents"]), euros(sum(r["cents"]))) for r in rows]))
        ordered = items.sort_values(["due_date", "number"])
        pack.table(Table(f"{title} {pack.t('factures ouvertes', 'open invoices')}", (
            party, TableColumn(pack.t("Facture", "Invoice")), TableColumn(pack.t("Émise le", "Issued"), "date"),
            TableColumn(pack.t("Échéance", "Due"), "date"), TableColumn(pack.t("Jours après échéance", "Days past due"), "days"),
            TableColumn(pack.t("Montant TTC", "Amount incl. VAT"), "money"),
        ), [(name, str(number), issued.date(), due.date(), (end - due).days, euros(int(amount)))
            for name, number, issued, due, amount in zip(ordered["party"], ordered["number"], ordered["issue_date"],
                                                         ordered["due_date"], ordered["amount_incl_tax"])]))


@hookimpl
def register_sections() -> list[Section]:
    """Register the commercial detail sections."""
    return [RevenueMixSection(), TopPartiesSection(), AgedBalanceSection()]
