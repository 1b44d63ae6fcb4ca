"""The ``concentration_clients`` section: how much revenue hangs on a few customers.

Revenue is read from the ``invoices`` dataset with boardpack's own helpers, the ones the
built-in ``ca_par_client`` KPI uses (:mod:`boardpack.default_plugins._commercial_data`, an
internal module: pin the boardpack version you test against), so the figures match the
built-in sections: sale invoices and credit notes (negative) issued over the twelve months
ending with the pack's month, drafts and cancelled invoices left out, amounts excluding
VAT; the customer is the invoice's ``counterparty`` (its ``counterparty_id`` when the name
is empty). A window the invoices do not cover (before the first sale invoice, after the
last one) is « non disponible » with the reason, never read as no revenue.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from boardpack.api import Section, Table, TableColumn, Unavailable
from boardpack.api.commercial import customer_of, issued_in
from boardpack.api import KPIContext
from boardpack.api import PackContext
from boardpack.api.periods import Window

from .shares import PARETO_SHARE, Concentration, concentration

__all__ = ["ConcentrationSection", "revenue_by_customer"]

#: Customers listed in the table, and drawn as bars (the others are grouped).
TABLE_ROWS = 10
CHART_BARS = 25


def revenue_by_customer(ctx: KPIContext, window: Window, unnamed: str = "(non renseigné)") -> dict[str, int]:
    """Net revenue excluding VAT of each customer over ``window``, in cents.

    :param unnamed: the name given to invoices with neither a counterparty nor its id.
    :raises Unavailable: without sale invoices, or when they do not cover ``window``.
    """
    sales = issued_in(ctx, window)
    names = customer_of(sales)
    names = names.where(names != "", unnamed)
    totals = sales["amount_excl_tax"].astype("int64").groupby(names).sum()
    return {str(name): int(cents) for name, cents in totals.items()}


def _euros(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


class ConcentrationSection(Section):
    """Top customers' share, the 80/20 point and the Herfindahl index, with a Pareto chart."""

    name = "concentration_clients"
    title = {"fr": "Concentration du chiffre d'affaires", "en": "Revenue concentration"}
    template = "sections/concentration_clients.html"
    templates_dir = Path(__file__).resolve().parent / "templates"

    def context(self, pack: PackContext) -> dict[str, Any]:
        """Key figures, the top customers table and the Pareto chart over the last twelve months."""
        window = pack.data.window("ltm", pack.period)
        span = f"{pack.fmt.month(window.start)} – {pack.fmt.month(window.end)}"
        revenue = revenue_by_customer(pack.data, window, pack.t("(non renseigné)", "(not given)"))
        if not any(cents > 0 for cents in revenue.values()):
            raise Unavailable(pack.t(f"aucune facture de vente sur {span}", f"no sale invoice in {span}"))
        measures = concentration(revenue)
        fmt = pack.fmt
        pareto = measures.pareto_count()
        cumulative = measures.cumulative()
        pack.table(Table(pack.t("Concentration clients", "Customer concentration"), (  # for the pack's workbook
            TableColumn(pack.t("Rang", "Rank"), "count"), TableColumn(pack.t("Client", "Customer")),
            TableColumn(pack.t("CA HT", "Revenue"), "money"), TableColumn(pack.t("Part", "Share"), "percent"),
            TableColumn(pack.t("Part cumulée", "Cumulated share"), "percent"),
        ), [(rank, name, _euros(cents), measures.share(cents), cumulative[rank - 1])
            for rank, (name, cents) in enumerate(measures.customers, start=1)], note=span))
        return {
            "span": span,
            "total": fmt.money(_euros(measures.total)),
            "count": measures.count,
            "set_aside": measures.set_aside,
            "figures": self._figures(pack, measures, pareto),
            "rows": self._rows(pack, measures),
            "chart": self._chart(pack, measures, pareto),
        }

    def _figures(self, pack: PackContext, measures: Concentration, pareto: int) -> list[dict[str, str]]:
        fmt, t = pack.fmt, pack.t
        first_name = measures.customers[0][0]
        top5, top10 = min(5, measures.count), min(10, measures.count)
        return [
            {"label": t("Premier client", "Largest customer"), "value": fmt.percent(measures.top_share(1)),
             "note": first_name},
            {"label": t(f"{top5} premiers clients", f"Top {top5} customers"), "value": fmt.percent(measures.top_share(top5)),
             "note": t(f"{top10} premiers : {fmt.percent(measures.top_share(top10))}",
                       f"top {top10}: {fmt.percent(measures.top_share(top10))}")},
            {"label": t("Point 80/20", "80/20 point"), "value": t(f"{pareto} client{'s' if pareto > 1 else ''}",
                                                                  f"{pareto} customer{'s' if pareto > 1 else ''}"),
             "note": t(f"{fmt.percent(Decimal(pareto) * 100 / measures.count)} des {measures.count} clients font "
                       f"{fmt.percent(PARETO_SHARE, 0)} du CA",
                       f"{fmt.percent(Decimal(pareto) * 100 / measures.count)} of the {measures.count} customers make "
                       f"{fmt.percent(PARETO_SHARE, 0)} of revenue")},
            {"label": t("Indice de Herfindahl", "Herfindahl index"), "value": fmt.number(measures.hhi()),
             "note": t(f"{measures.band('fr')} ; comme {fmt.number(measures.equivalent_count(), 1)} clients de même taille",
                       f"{measures.band('en')}; like {fmt.number(measures.equivalent_count(), 1)} equal-sized customers")},
        ]

    def _rows(self, pack: PackContext, measures: Concentration) -> list[dict[str, Any]]:
        fmt = pack.fmt
        cumulative = measures.cumulative()
        rows: list[dict[str, Any]] = [
            {"rank": rank, "label": name, "revenue": fmt.money(_euros(cents)),
             "share": fmt.percent(measures.share(cents)), "cumulative": fmt.percent(cumulative[rank - 1]), "style": ""}
            for rank, (name, cents) in enumerate(measures.customers[:TABLE_ROWS], start=1)
        ]
        rest = measures.customers[TABLE_ROWS:]
        if rest:
            cents = sum(c for _, c in rest)
            rows.append({"rank": "", "label": pack.t(f"Autres clients ({len(rest)})", f"Other customers ({len(rest)})"),
                         "revenue": fmt.money(_euros(cents)), "share": fmt.percent(measures.share(cents)),
                         "cumulative": fmt.percent(100), "style": "subtotal"})
        rows.append({"rank": "", "label": pack.t(f"Total ({measures.count} clients)", f"Total ({measures.count} customers)"),
                     "revenue": fmt.money(_euros(measures.total)), "share": fmt.percent(100), "cumulative": "",
                     "style": "total"})
        return rows

    def _chart(self, pack: PackContext, measures: Concentration, pareto: int) -> Any:
        shown = measures.customers[:CHART_BARS]
        rest = measures.customers[CHART_BARS:]
        labels = [name for name, _ in shown]
        values = [_euros(cents) for _, cents in shown]
        cumulative = measures.cumulative()[:CHART_BARS]
        if rest:
            labels.append(pack.t(f"Autres ({len(rest)})", f"Others ({len(rest)})"))
            values.append(_euros(sum(c for _, c in rest)))
            cumulative.append(Decimal(100))
        data = {"x": labels, "values": values, "cumulative": cumulative, "threshold": PARETO_SHARE,
                "point": min(pareto, len(labels)) - 1}
        return pack.chart("pareto", data, 17, 6,
                          alt=pack.t("Chiffre d'affaires par client et part cumulée", "Revenue by customer and cumulated share"))
