"""The ``concentration_clients`` section and its ``pareto`` chart, on invoices worked out by hand.

Pack month March 2026, so the window is April 2025 – March 2026. Sale invoices HT kept:

* Alpha 30 000 (January 2026) + 20 000 (March 2026) = 50 000;
* Beta 20 000; Gamma 16 000 − 1 000 (credit note) = 15 000;
* « Delta » has no name, only its id C-DELTA: 10 000; Epsilon 5 000;
* Zeta has only a credit note of − 1 000: set aside (net revenue not positive).

Left out (99 000 each): a draft, a cancelled invoice, a purchase, an invoice of 31/03/2025
(before the window) and one of 01/04/2026 (after it). The sale invoices so cover March 2025 –
April 2026: a window reaching outside is « non disponible ».

Total 100 000, so the shares are 50 / 20 / 15 / 10 / 5 %, cumulated 50 / 70 / 85 / 95 / 100 %:
the 80/20 point is 3 customers (60 % of 5). HHI = 50² + 20² + 15² + 10² + 5² = 2 500 + 400
+ 225 + 100 + 25 = 3 250 (« fortement concentré »), equivalent to 10 000 / 3 250 = 3,08
equal-sized customers.
"""

from __future__ import annotations

import re
from decimal import Decimal

import boardpack_concentration.plugin as plugin
import pandas as pd
import pytest
from boardpack_concentration import ParetoChart, concentration, revenue_by_customer
from matplotlib.figure import Figure

from boardpack.api import Formatter
from boardpack.api import Unavailable
from boardpack.api.periods import Month, Window
from boardpack.testing import dataset_schema, kpi_context, registered, render_section
from boardpack.api import ChartStyle, KPIContext

HEADER = "kind;number;counterparty;counterparty_id;issue_date;due_date;amount_excl_tax;amount_incl_tax;status"
ROWS = [
    "sale;F1;Alpha;C-A;15/01/2026;14/02/2026;30 000,00;36 000,00;paid",
    "sale;F2;Alpha;C-A;10/03/2026;09/04/2026;20 000,00;24 000,00;issued",
    "sale;F3;Beta;C-B;05/06/2025;05/07/2025;20 000,00;24 000,00;paid",
    "sale;F4;Gamma;C-G;01/09/2025;01/10/2025;16 000,00;19 200,00;paid",
    "sale;A1;Gamma;C-G;15/09/2025;15/09/2025;-1 000,00;-1 200,00;paid",
    "sale;F5;;C-DELTA;20/11/2025;20/12/2025;10 000,00;12 000,00;paid",
    "sale;F6;Epsilon;C-E;01/04/2025;01/05/2025;5 000,00;6 000,00;paid",
    "sale;A2;Zeta;C-Z;02/02/2026;02/02/2026;-1 000,00;-1 200,00;paid",
    "sale;F7;Alpha;C-A;20/03/2026;19/04/2026;99 000,00;118 800,00;draft",
    "sale;F8;Beta;C-B;21/03/2026;20/04/2026;99 000,00;118 800,00;cancelled",
    "purchase;P1;Fournisseur;S-1;05/01/2026;05/02/2026;99 000,00;118 800,00;paid",
    "sale;F9;Alpha;C-A;31/03/2025;30/04/2025;99 000,00;118 800,00;paid",
    "sale;F10;Alpha;C-A;01/04/2026;01/05/2026;99 000,00;118 800,00;issued",
]
WINDOW = Window("ltm", Month(2025, 4), Month(2026, 3))


def invoices(rows: list[str] = ROWS) -> pd.DataFrame:
    """The fixture invoices, coerced by the canonical schema."""
    raw = pd.DataFrame([r.split(";") for r in rows], columns=HEADER.split(";"), dtype=object)
    return dataset_schema("invoices").coerce(raw, "invoices.csv")


def context(rows: list[str] = ROWS) -> KPIContext:
    """A KPI context over the fixture invoices."""
    return kpi_context({"invoices": invoices(rows)})


def test_revenue_by_customer() -> None:
    """Drafts, cancelled invoices, purchases and invoices outside the window are left out; credit notes count."""
    assert revenue_by_customer(context(), WINDOW) == {
        "Alpha": 5_000_000, "Beta": 2_000_000, "Gamma": 1_500_000, "C-DELTA": 1_000_000,
        "Epsilon": 500_000, "Zeta": -100_000,
    }


def test_measures() -> None:
    """Shares, cumulated shares, 80/20 point, HHI and its reading, worked out in the module docstring."""
    measures = concentration(revenue_by_customer(context(), WINDOW))
    assert [name for name, _ in measures.customers] == ["Alpha", "Beta", "Gamma", "C-DELTA", "Epsilon"]
    assert measures.total == 10_000_000 and measures.count == 5 and measures.set_aside == 1
    assert measures.shares() == [Decimal(50), Decimal(20), Decimal(15), Decimal(10), Decimal(5)]
    assert measures.cumulative() == [Decimal(50), Decimal(70), Decimal(85), Decimal(95), Decimal(100)]
    assert measures.top_share(1) == Decimal(50) and measures.top_share(5) == Decimal(100)
    assert measures.pareto_count() == 3
    assert measures.hhi() == Decimal(3250)
    assert measures.equivalent_count().quantize(Decimal("0.0001")) == Decimal("3.0769")
    assert measures.band() == "fortement concentré"


def test_hhi_bands() -> None:
    """Ten equal customers: HHI 1 000, unconcentrated, like 10 customers; 1 500 is already « modérément »."""
    equal = concentration({f"C{i}": 100 for i in range(10)})
    assert equal.hhi() == Decimal(1000) and equal.equivalent_count() == Decimal(10)
    assert equal.band("en") == "unconcentrated"
    # Shares 30 / 20 / 10 × 5: 900 + 400 + 5 × 100 = 1 800.
    moderate = concentration({"A": 30, "B": 20, **{f"C{i}": 10 for i in range(5)}})
    assert moderate.hhi() == Decimal(1800) and moderate.band() == "modérément concentré"
    with pytest.raises(ValueError):
        concentration({"A": -5})


def test_hhi_band_boundaries() -> None:
    """As the section's note says: 1 500 and 2 500 are both « modérément concentré »; just above 2 500 is « fortement »."""
    at_1500 = concentration({f"C{i}": share for i, share in enumerate((10, 10, 15, 15, 15, 15, 20))})
    assert at_1500.hhi() == Decimal(1500) and at_1500.band() == "modérément concentré"
    just_below = concentration({f"C{i}": share for i, share in enumerate((100, 100, 150, 150, 150, 151, 199))})
    assert just_below.hhi() < Decimal(1500) and just_below.band() == "peu concentré"
    at_2500 = concentration({f"C{i}": 25 for i in range(4)})
    assert at_2500.hhi() == Decimal(2500) and at_2500.band() == "modérément concentré"
    assert at_2500.band("en") == "moderately concentrated"
    above = concentration({"A": 251, "B": 250, "C": 250, "D": 249})
    assert above.hhi() > Decimal(2500) and above.band() == "fortement concentré"


def test_window_not_covered_by_the_invoices() -> None:
    """Before the first sale invoice or after the last one, no figure: the reason why, not a zero revenue."""
    with pytest.raises(Unavailable, match=r"^pas de factures de vente avant 2025-03$"):
        revenue_by_customer(context(), Window("ltm", Month(2025, 2), Month(2026, 1)))
    with pytest.raises(Unavailable, match=r"^pas de factures de vente après 2026-04$"):
        revenue_by_customer(context(), Window("ltm", Month(2025, 6), Month(2026, 5)))


def test_section_in_french() -> None:
    """The key figures, the table and the chart, in French formatting."""
    with registered(plugin):
        html = render_section("concentration_clients", {"invoices": invoices()}, period="2026-03")
    text = re.sub(r"[ \n]+", " ", html)  # layout whitespace only: no-break spaces are kept
    assert "avril 2025 – mars 2026 : 100\u202f000\u00a0€, 5 clients." in text
    assert '<p class="key-value" style="font-size: 15pt;">50,0\u00a0%</p> <p class="key-note">Alpha</p>' in text
    assert "3 clients" in text and "60,0\u00a0% des 5 clients font 80\u00a0% du CA" in text
    assert '<p class="key-value" style="font-size: 15pt;">3\u202f250</p>' in text
    assert "fortement concentré ; comme 3,1 clients de même taille" in text
    assert ('<td class="num">4</td><td>C-DELTA</td><td class="num">10\u202f000\u00a0€</td>'
            '<td class="num">10,0\u00a0%</td><td class="num">95,0\u00a0%</td>') in text
    assert "Total (5 clients)" in text
    assert "1 client(s) au chiffre d&#39;affaires net nul ou négatif" in text
    assert 'src="data:image/svg+xml;base64,' in text
    # the chart's text alternative, built by ParetoChart.describe from the bars
    assert ("Chiffre d&#39;affaires par client et part cumulée, Alpha : 50\u202f000\u00a0€ (50,0\u00a0% cumulé) ; "
            "Beta : 20\u202f000\u00a0€ (70,0\u00a0% cumulé)") in text


def test_section_describes_its_table_for_the_workbook() -> None:
    """The customers, their revenue and shares are described as values (pack.table) for build --xlsx."""
    from boardpack.testing import build_pack

    with registered(plugin):
        pack = build_pack({"invoices": invoices()}, sections=["concentration_clients"], period="2026-03")
    ((section, table),) = pack.tables
    assert (section, table.title) == ("Concentration du chiffre d'affaires", "Concentration clients")
    assert [column.unit for column in table.columns] == ["count", "text", "money", "percent", "percent"]
    assert table.rows[0] == (1, "Alpha", Decimal(50000), Decimal(50), Decimal(50))
    assert table.rows[-1][4] == Decimal(100)


def test_section_in_english() -> None:
    """The same section for an English pack."""
    with registered(plugin):
        html = render_section("concentration_clients", {"invoices": invoices()}, period="2026-03", language="en")
    assert "Revenue concentration" in html
    assert "highly concentrated; like 3.1 equal-sized customers" in html
    assert "60.0% of the 5 customers make 80% of revenue" in html


def test_section_unavailable_without_sales() -> None:
    """A window the invoices do not cover, credit notes only, or no invoices at all: the section says why."""
    with registered(plugin):
        html = render_section("concentration_clients", {"invoices": invoices()}, period="2027-06")
        assert "Section non disponible : pas de factures de vente après 2026-04" in html
        html = render_section("concentration_clients", {"invoices": invoices()}, period="2026-01")
        assert "Section non disponible : pas de factures de vente avant 2025-03" in html
        only_credit_notes = [ROWS[4].replace("15/09/2025", "15/04/2025"), ROWS[7].replace("02/02/2026", "02/03/2026")]
        html = render_section("concentration_clients", {"invoices": invoices(only_credit_notes)}, period="2026-03")
        assert "Section non disponible : aucune facture de vente sur avril 2025 – mars 2026" in html
        html = render_section("concentration_clients", {}, period="2026-03")
        assert "Section non disponible : aucune source ne fournit le jeu de données « invoices »" in html


def _style(language: str = "fr") -> ChartStyle:
    fmt = Formatter(language)
    return ChartStyle(colours={"text": "#1d2330", "accent": "#c8553d"}, palette=("#1f3a5f", "#c8553d"),
                      font="DejaVu Sans", language=language, money=fmt.money_short, number=fmt.number,
                      month=fmt.month_short)


def test_pareto_chart_draws_bars_line_and_point() -> None:
    """One bar per customer, the cumulated line on a 0–100 % axis, the 80 % line and the point."""
    figure = Figure(figsize=(6, 3))
    data = {"x": ["Alpha", "Un nom de client beaucoup trop long", "Gamma"], "values": [Decimal(50000), 30000, 20000],
            "cumulative": [50, 80, 100], "threshold": 80, "point": 1}
    ParetoChart().draw(figure, data, _style())
    bars_axis, share_axis = figure.axes
    assert len(bars_axis.patches) == 3
    assert [t.get_text() for t in bars_axis.get_xticklabels()] == ["Alpha", "Un nom de client be…", "Gamma"]
    assert list(share_axis.lines[0].get_ydata()) == [50.0, 80.0, 100.0]
    assert share_axis.yaxis.get_major_formatter()(80, 0) == "80\u00a0%"
    assert bars_axis.yaxis.get_major_formatter()(50000, 0) == "50\u00a0k€"
    with pytest.raises(Unavailable):
        ParetoChart().draw(Figure(), {"x": [], "values": [], "cumulative": []}, _style())
