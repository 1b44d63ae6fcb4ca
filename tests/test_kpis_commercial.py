"""Commercial KPIs (invoices, CRM, marketing) against values worked out by hand on small fixtures.

The fixture company invoices four customers from November 2025 to March 2026 (fiscal year =
calendar year, so the YTD window ending March 2026 is the first quarter). Every expected
figure is computed in the comments from the rows below, never copied from the code.

Sale invoices (HT / TTC; paid date; detail quantity × unit price − discount; deal):

* FA0 Delta, PME, Conseil, 15/11/2025, 500 / 600, unpaid.
* FA1 Alpha, PME, Conseil, 05/01/2026, 1 000 / 1 200, paid 09/02/2026 (35 days); 10 × 100; D1.
* FA2 Beta, ETI, Formation, 20/01/2026, 2 000 / 2 400, paid 21/03/2026 (60 days); no detail,
  no discount cell; linked to D9, which is not in the CRM.
* FA3 Alpha, PME, Formation, 10/02/2026, 900 / 1 080, unpaid; 4 × 250 − 100; D2.
* FA4 Gamma, ETI, Conseil, 15/02/2026, 3 000 / 3 600, paid 17/03/2026 (30 days); 30 × 100; D3.
* FA5 Beta, ETI, Conseil, 02/03/2026, 4 000 / 4 800, paid 31/03/2026 (29 days); D1 again.
* AV1 Beta, ETI, Conseil, credit note 16/03/2026, −500 / −600, settled 16/03/2026; −5 × 100.
* Left out: FA6 (draft, 7 000), FA7 (cancelled, 8 000) and FF1 (a purchase, 5 000).

Revenue: January 3 000, February 3 900, March 3 500 (4 000 − 500), first quarter 10 400.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from boardpack.default_plugins.kpis import deals as kpis_deals
from boardpack.default_plugins.kpis import marketing as kpis_marketing
from boardpack.default_plugins.kpis import realisation as kpis_realisation
from boardpack.default_plugins.kpis import receivables as kpis_receivables
from boardpack.default_plugins.kpis import revenue as kpis_revenue
from boardpack.default_plugins.sources.datasets import DEALS, INVOICES, MARKETING
from boardpack.api import KPI, Unavailable
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month, Window
from boardpack.schema import DatasetSchema

from conftest import SMALL_COMPANY

KPIS = {
    kpi.id: kpi
    for module in (kpis_revenue, kpis_deals, kpis_receivables, kpis_realisation, kpis_marketing)
    for kpi in module.register_kpis()
}
Q = Decimal("0.0001")

JAN, FEB, MAR = (Window("month", Month(2026, m), Month(2026, m)) for m in (1, 2, 3))
Q1 = Window("ytd", Month(2026, 1), Month(2026, 3))
JAN_FEB = Window("ytd", Month(2026, 1), Month(2026, 2))

INVOICE_HEADER = ("kind;number;counterparty;segment;product;issue_date;due_date;paid_date;"
                  "amount_excl_tax;amount_incl_tax;discount;quantity;unit_price;deal_id;status")
INVOICE_ROWS = [
    "sale;FA0;Delta;PME;Conseil;15/11/2025;15/12/2025;;500,00;600,00;0,00;;;;issued",
    "sale;FA1;Alpha;PME;Conseil;05/01/2026;04/02/2026;09/02/2026;1 000,00;1 200,00;0,00;10;100,00;D1;paid",
    "sale;FA2;Beta;ETI;Formation;20/01/2026;19/02/2026;21/03/2026;2 000,00;2 400,00;;;;D9;paid",
    "sale;FA3;Alpha;PME;Formation;10/02/2026;12/03/2026;;900,00;1 080,00;100,00;4;250,00;D2;issued",
    "sale;FA4;Gamma;ETI;Conseil;15/02/2026;17/03/2026;17/03/2026;3 000,00;3 600,00;0,00;30;100,00;D3;paid",
    "sale;FA5;Beta;ETI;Conseil;02/03/2026;01/04/2026;31/03/2026;4 000,00;4 800,00;0,00;;;D1;paid",
    "sale;AV1;Beta;ETI;Conseil;16/03/2026;16/03/2026;16/03/2026;-500,00;-600,00;0,00;-5;100,00;;paid",
    "sale;FA6;Alpha;PME;Conseil;20/03/2026;19/04/2026;;7 000,00;8 400,00;0,00;;;;draft",
    "sale;FA7;Gamma;ETI;Conseil;25/03/2026;24/04/2026;;8 000,00;9 600,00;0,00;;;;cancelled",
    "purchase;FF1;Fournisseur;;;10/03/2026;10/04/2026;;5 000,00;6 000,00;;;;;issued",
]

# Won: D1 (26/12/2025), D2 and D3 (01/02/2026), D7 (20/03/2026, no channel).
# Lost: D4 (20/02/2026), D5 (25/03/2026, no quote date). Open: D6 (quoted 10/03/2026).
# Last CRM activity: D5 closed 25/03/2026 → 2026-03.
DEAL_HEADER = ("deal_id;customer;pipeline;stage;stage_probability;amount;created_date;quote_date;"
               "close_date;status;segment;channel")
DEAL_ROWS = [
    "D1;Alpha;Ventes;Gagné;1;1 500,00;01/12/2025;05/12/2025;26/12/2025;won;PME;Site web",
    "D2;Alpha;Ventes;Gagné;1;1 000,00;05/01/2026;10/01/2026;01/02/2026;won;PME;Salon",
    "D3;Gamma;Ventes;Gagné;1;3 000,00;02/01/2026;12/01/2026;01/02/2026;won;ETI;Site web",
    "D4;Beta;Ventes;Perdu;0;8 000,00;10/01/2026;20/01/2026;20/02/2026;lost;ETI;Salon",
    "D5;Delta;Ventes;Perdu;0;2 000,00;01/02/2026;;25/03/2026;lost;PME;Site web",
    "D6;Beta;Ventes;Devis;0,3;5 000,00;01/03/2026;10/03/2026;;open;ETI;Salon",
    "D7;Epsilon;Ventes;Gagné;1;6 000,00;01/02/2026;15/02/2026;20/03/2026;won;PME;",
]

# January to March 2026, two channels.
MARKETING_HEADER = "period;channel;spend;leads;new_customers"
MARKETING_ROWS = [
    "2026-01;Site web;1 000,00;10;1",
    "2026-01;Salon;0,00;0;0",
    "2026-02;Site web;1 200,00;20;1",
    "2026-02;Salon;3 000,00;30;2",
    "2026-03;Site web;800,00;10;0",
    "2026-03;Salon;0,00;0;0",
]


def frame(schema: DatasetSchema, header: str, rows: list[str]) -> pd.DataFrame:
    """A coerced dataset from French CSV-like rows."""
    raw = pd.DataFrame([row.split(";") for row in rows], columns=header.split(";"), dtype=object)
    return schema.coerce(raw, f"{schema.name}.csv")


def four(numerator: int | str | Decimal, denominator: int | str | Decimal, times: int = 1) -> Decimal:
    """numerator / denominator × times, rounded to 4 decimals like the engine."""
    return (Decimal(numerator) / Decimal(denominator) * times).quantize(Q)


@pytest.fixture(scope="module")
def datasets() -> dict[str, pd.DataFrame]:
    """Invoices, deals and marketing of the fixture company."""
    return {
        "invoices": frame(INVOICES, INVOICE_HEADER, INVOICE_ROWS),
        "deals": frame(DEALS, DEAL_HEADER, DEAL_ROWS),
        "marketing": frame(MARKETING, MARKETING_HEADER, MARKETING_ROWS),
    }


@pytest.fixture
def ctx(datasets: dict[str, pd.DataFrame], small_datasets: dict[str, pd.DataFrame]) -> CompanyData:
    """The fixture company, with the small company's ledger (2025-01 to 2026-02) for margin rates."""
    return CompanyData(dict(datasets, entries=small_datasets["entries"]), SMALL_COMPANY)


def value(ctx: CompanyData, kpi_id: str, window: Window) -> Decimal:
    """The engine's value (rounded to 4 decimals when longer); fails if unavailable."""
    got, why = KPIEngine(KPIS, ctx).value(KPIS[kpi_id], window)
    assert got is not None, f"{kpi_id} {window}: {why}"
    return got


def reason(ctx: CompanyData, kpi_id: str, window: Window) -> str:
    """The reason the KPI is unavailable (fails if it is available)."""
    got, why = KPIEngine(KPIS, ctx).value(KPIS[kpi_id], window)
    assert got is None, f"{kpi_id} {window} unexpectedly = {got}"
    assert why
    return why


def split(ctx: CompanyData, kpi_id: str, window: Window) -> dict[str, Decimal]:
    """The breakdown, each figure rounded to 4 decimals."""
    return {key: figure.quantize(Q) for key, figure in KPIS[kpi_id].breakdown(ctx, window).items()}


def without(datasets: dict[str, pd.DataFrame], name: str, *columns: str) -> dict[str, pd.DataFrame]:
    """The datasets with ``columns`` of dataset ``name`` emptied (as if the source had none)."""
    changed = datasets[name].copy()
    for column in columns:
        changed[column] = "" if changed[column].dtype == object else None
    return dict(datasets, **{name: changed})


# ---------------------------------------------------------------- the catalogue entries


def test_every_kpi_is_described_in_both_languages() -> None:
    """Each commercial KPI has fr and en labels and formulas, a unit and known audiences."""
    assert len(KPIS) == 19
    for kpi in KPIS.values():
        assert set(kpi.label) == set(kpi.formula) == {"fr", "en"}, kpi.id
        assert kpi.unit and kpi.needs and kpi.audiences, kpi.id
        assert set(kpi.audiences) <= {"dirigeant", "daf", "operations", "banquier"}, kpi.id
        assert kpi.headline in ("month", "ytd", "ltm", "fy"), kpi.id


# ---------------------------------------------------------------- revenue


def test_coaching_example_500_hours_at_200_euros() -> None:
    """The brief's coaching business: 150 + 200 + 150 hours at 200 € over a quarter = 100 000 €."""
    rows = [
        "sale;C1;Client;;Coaching;15/01/2026;14/02/2026;;30 000,00;36 000,00;0,00;150;200,00;;issued",
        "sale;C2;Client;;Coaching;15/02/2026;17/03/2026;;40 000,00;48 000,00;0,00;200;200,00;;issued",
        "sale;C3;Client;;Coaching;15/03/2026;14/04/2026;;30 000,00;36 000,00;0,00;150;200,00;;issued",
    ]
    ctx = CompanyData({"invoices": frame(INVOICES, INVOICE_HEADER, rows)}, SMALL_COMPANY)
    # 500 h × 200 € = 100 000 € over the first quarter; February alone 200 h × 200 € = 40 000 €
    assert value(ctx, "ca_factures", Q1) == Decimal(100000)
    assert value(ctx, "ca_factures", FEB) == Decimal(40000)


def test_ca_factures(ctx: CompanyData) -> None:
    """Invoiced revenue by month and quarter; drafts, cancelled invoices and purchases left out."""
    assert value(ctx, "ca_factures", JAN) == Decimal(3000)  # 1 000 + 2 000
    assert value(ctx, "ca_factures", FEB) == Decimal(3900)  # 900 + 3 000
    assert value(ctx, "ca_factures", MAR) == Decimal(3500)  # 4 000 − 500 (credit note)
    assert value(ctx, "ca_factures", Q1) == Decimal(10400)


def test_ca_factures_by_segment(ctx: CompanyData) -> None:
    """Q1 by segment: PME 1 000 + 900; ETI 2 000 + 3 000 + 4 000 − 500."""
    assert split(ctx, "ca_factures", Q1) == {"ETI": Decimal(8500), "PME": Decimal(1900)}
    assert list(split(ctx, "ca_factures", Q1)) == ["ETI", "PME"]  # largest first


def test_ca_factures_refuses_inconsistent_detail(datasets: dict[str, pd.DataFrame]) -> None:
    """FA4 billed 29 × 100 € but 3 000 € HT: the revenue is unavailable, naming FA4."""
    rows = [row.replace(";30;100,00;", ";29;100,00;") for row in INVOICE_ROWS]
    ctx = CompanyData(dict(datasets, invoices=frame(INVOICES, INVOICE_HEADER, rows)), SMALL_COMPANY)
    text = reason(ctx, "ca_factures", FEB).replace("\u202f", " ")
    assert "FA4" in text and "2 900,00" in text and "3 000,00" in text
    assert value(ctx, "ca_factures", JAN) == Decimal(3000)  # January's invoices are consistent


def test_ca_factures_unavailable(ctx: CompanyData, datasets: dict[str, pd.DataFrame]) -> None:
    """After the last or before the first invoice month, without invoices or segments: a reason, never 0."""
    assert reason(ctx, "ca_factures", Window("month", Month(2026, 4), Month(2026, 4))) == (
        "pas de factures de vente après 2026-03")
    assert reason(ctx, "ca_factures", Window("month", Month(2025, 10), Month(2025, 10))) == (
        "pas de factures de vente avant 2025-11")
    assert "« invoices »" in reason(CompanyData({}, SMALL_COMPANY), "ca_factures", MAR)
    purchases = datasets["invoices"][datasets["invoices"]["kind"] == "purchase"]
    only_purchases = CompanyData({"invoices": purchases}, SMALL_COMPANY)
    assert "aucune facture de vente" in reason(only_purchases, "ca_factures", MAR)
    no_segment = CompanyData(without(datasets, "invoices", "segment"), SMALL_COMPANY)
    with pytest.raises(Unavailable, match="pas de segment"):
        KPIS["ca_factures"].breakdown(no_segment, Q1)


def test_ca_par_client(ctx: CompanyData) -> None:
    """Q1: Beta 2 000 + 4 000 − 500 = 5 500, Gamma 3 000, Alpha 1 900; Beta's share 5 500 / 10 400."""
    assert split(ctx, "ca_par_client", Q1) == {"Beta": 5500, "Gamma": 3000, "Alpha": 1900}
    assert value(ctx, "ca_par_client", Q1) == four(5500, 10400, 100)
    # March: Beta alone (4 000 − 500)
    assert value(ctx, "ca_par_client", MAR) == Decimal(100)


def test_ca_par_offre(ctx: CompanyData) -> None:
    """Q1: Conseil 1 000 + 3 000 + 4 000 − 500 = 7 500, Formation 2 000 + 900 = 2 900."""
    assert split(ctx, "ca_par_offre", Q1) == {"Conseil": 7500, "Formation": 2900}
    assert value(ctx, "ca_par_offre", Q1) == four(7500, 10400, 100)


def test_revenue_split_unavailable(ctx: CompanyData, datasets: dict[str, pd.DataFrame]) -> None:
    """No product column, or no revenue at all, makes the splits unavailable."""
    no_product = CompanyData(without(datasets, "invoices", "product"), SMALL_COMPANY)
    assert "colonne « product »" in reason(no_product, "ca_par_offre", Q1)
    two = datasets["invoices"][datasets["invoices"]["number"].isin(["FA0", "FA1"])]
    ctx = CompanyData({"invoices": two}, SMALL_COMPANY)
    # FA0 is November 2025, FA1 January 2026: December is covered and has no sale
    december = Window("month", Month(2025, 12), Month(2025, 12))
    assert value(ctx, "ca_factures", december) == 0
    assert reason(ctx, "ca_par_client", december) == "aucune facture de vente sur la période"
    assert reason(ctx, "ca_par_offre", december) == "aucune facture de vente sur la période"


# ---------------------------------------------------------------- CRM


def test_valeur_moyenne_gagnee(ctx: CompanyData) -> None:
    """February: D2 1 000 and D3 3 000 → 2 000; Q1 adds D7 6 000 → 10 000 / 3; none in January."""
    assert value(ctx, "valeur_moyenne_gagnee", FEB) == Decimal(2000)
    assert value(ctx, "valeur_moyenne_gagnee", Q1) == four(10000, 3)
    assert reason(ctx, "valeur_moyenne_gagnee", JAN) == "aucune affaire gagnée sur la période"
    assert reason(ctx, "valeur_moyenne_gagnee", Window("month", Month(2026, 4), Month(2026, 4))) == (
        "pas de données CRM après 2026-03")


def test_valeur_moyenne_proposee(ctx: CompanyData) -> None:
    """Quoted in January: D2, D3, D4; March: D6 (quoted) and D5 (lost, no quote, closed 25/03)."""
    assert value(ctx, "valeur_moyenne_proposee", JAN) == Decimal(4000)  # (1 000 + 3 000 + 8 000) / 3
    assert value(ctx, "valeur_moyenne_proposee", MAR) == Decimal(3500)  # (5 000 + 2 000) / 2
    assert value(ctx, "valeur_moyenne_proposee", FEB) == Decimal(6000)  # D7
    # Q1: 1 000 + 3 000 + 8 000 + 6 000 + 2 000 + 5 000 = 25 000 over 6 deals
    assert value(ctx, "valeur_moyenne_proposee", Q1) == four(25000, 6)
    november = Window("month", Month(2025, 11), Month(2025, 11))
    assert reason(ctx, "valeur_moyenne_proposee", november) == "aucune affaire proposée sur la période"


def test_taux_transformation_segment(ctx: CompanyData) -> None:
    """Q1 closed: D2, D3, D7 won, D4, D5 lost → 3 / 5; PME D2, D7 won, D5 lost; ETI D3 won, D4 lost."""
    assert value(ctx, "taux_transformation_segment", Q1) == Decimal(60)
    assert split(ctx, "taux_transformation_segment", Q1) == {"PME": four(2, 3, 100), "ETI": Decimal(50)}
    assert value(ctx, "taux_transformation_segment", FEB) == four(2, 3, 100)  # D2, D3 won, D4 lost
    assert "aucune affaire clôturée" in reason(ctx, "taux_transformation_segment", JAN)


def test_delai_devis_signature(ctx: CompanyData) -> None:
    """D2 10/01 → 01/02 = 22 days, D3 12/01 → 01/02 = 20, D7 15/02 → 20/03 = 33."""
    assert value(ctx, "delai_devis_signature", FEB) == Decimal(21)  # median of 20 and 22
    assert value(ctx, "delai_devis_signature", Q1) == Decimal(22)  # median of 20, 22, 33
    # PME: D2 22 and D7 33 → 27,5; ETI: D3 20
    assert split(ctx, "delai_devis_signature", Q1) == {"PME": Decimal("27.5"), "ETI": Decimal(20)}
    assert "aucune affaire gagnée" in reason(ctx, "delai_devis_signature", JAN)


def test_delai_devis_signature_without_quote_dates(datasets: dict[str, pd.DataFrame]) -> None:
    """A CRM export without quote dates gives a reason, not 0."""
    ctx = CompanyData(without(datasets, "deals", "quote_date"), SMALL_COMPANY)
    assert reason(ctx, "delai_devis_signature", Q1) == "les affaires n'ont pas de date de devis"


def test_delai_signature_facture(ctx: CompanyData) -> None:
    """First invoices: D1 26/12/2025 → FA1 05/01 = 10 days; D2 01/02 → FA3 10/02 = 9; D3 01/02 → FA4 15/02 = 14."""
    assert value(ctx, "delai_signature_facture", JAN) == Decimal(10)  # D1 (FA5 is its second invoice)
    assert value(ctx, "delai_signature_facture", FEB) == Decimal("11.5")  # median of 9 and 14
    assert value(ctx, "delai_signature_facture", Q1) == Decimal(10)  # median of 9, 10, 14
    # by the deal's segment: PME D1 10, D2 9 → 9,5; ETI D3 14 (FA2's D9 is not in the CRM)
    assert split(ctx, "delai_signature_facture", Q1) == {"ETI": Decimal(14), "PME": Decimal("9.5")}
    assert "première fois" in reason(ctx, "delai_signature_facture", MAR)


def test_delai_signature_facture_without_links(datasets: dict[str, pd.DataFrame]) -> None:
    """Invoices without deal_id cannot be tied to deals: unavailable with the column named."""
    ctx = CompanyData(without(datasets, "invoices", "deal_id"), SMALL_COMPANY)
    assert "« deal_id »" in reason(ctx, "delai_signature_facture", Q1)
    assert "« deals »" in reason(CompanyData({"invoices": datasets["invoices"]}, SMALL_COMPANY),
                                 "delai_signature_facture", Q1)


# ---------------------------------------------------------------- cash


def test_delai_encaissement(ctx: CompanyData) -> None:
    """Paid in March: FA2 60 days, FA4 30, FA5 29 (AV1 is a credit note) → 30; Q1 adds FA1 35 → 32,5."""
    assert value(ctx, "delai_encaissement", MAR) == Decimal(30)
    assert value(ctx, "delai_encaissement", Q1) == Decimal("32.5")  # (30 + 35) / 2 of 29, 30, 35, 60
    # PME: FA1 35; ETI: FA2 60, FA4 30, FA5 29 → 30
    assert split(ctx, "delai_encaissement", Q1) == {"PME": Decimal(35), "ETI": Decimal(30)}
    assert reason(ctx, "delai_encaissement", JAN) == "aucune facture de vente encaissée sur la période"


def test_clients_plus_90j(ctx: CompanyData) -> None:
    """Open TTC at 31/03: FA0 600 (due 15/12/2025: 106 days past due) + FA3 1 080 (19 days past due);
    lateness runs from the due date (issue 13), not the issue date."""
    assert value(ctx, "clients_plus_90j", MAR) == four(600, 600 + 1080, 100)
    # 28/02: FA0 is 75 days past due (105 days after issue): not over 90 days → 0 %
    assert value(ctx, "clients_plus_90j", FEB) == 0
    # 31/01: FA0 is 47 days past due, FA1 and FA2 recent → 0 % (a true zero: receivables are known)
    assert value(ctx, "clients_plus_90j", JAN) == 0
    assert split(ctx, "clients_plus_90j", MAR) == {"Delta": Decimal(600)}
    assert "aucune créance échue depuis plus de 90 jours" in str(
        pytest.raises(Unavailable, KPIS["clients_plus_90j"].breakdown, ctx, JAN).value)


def test_clients_plus_90j_status(ctx: CompanyData) -> None:
    """Thresholds warn 5 / alert 10 (lower is better): 7,8 % is to watch, 35,7 % an alert, 0 ok."""
    engine = KPIEngine(KPIS, ctx)
    kpi = KPIS["clients_plus_90j"]
    assert engine.status(kpi, Decimal("7.8125")) == "warn"
    assert engine.status(kpi, value(ctx, "clients_plus_90j", MAR)) == "alert"
    assert engine.status(kpi, value(ctx, "clients_plus_90j", JAN)) == "ok"


def test_clients_plus_90j_nothing_open(datasets: dict[str, pd.DataFrame]) -> None:
    """When every invoice is paid there is no receivable to share: unavailable, not 0."""
    paid = datasets["invoices"][datasets["invoices"]["number"].isin(["FA1", "AV1"])]  # settled by 31/03
    ctx = CompanyData({"invoices": paid}, SMALL_COMPANY)
    assert reason(ctx, "clients_plus_90j", MAR) == "aucune créance client ouverte à fin 2026-03"


def test_remises(ctx: CompanyData, datasets: dict[str, pd.DataFrame]) -> None:
    """FA3's 100 € discount: February 100 / (3 900 + 100) = 2,5 %; Q1 100 / 10 500 (FA2's empty cell = 0)."""
    assert value(ctx, "remises", FEB) == Decimal("2.5")
    assert value(ctx, "remises", Q1) == four(100, 10500, 100)
    assert value(ctx, "remises", MAR) == 0
    no_discount = CompanyData(without(datasets, "invoices", "discount"), SMALL_COMPANY)
    assert "colonne « discount »" in reason(no_discount, "remises", Q1)


def test_rentabilite_encaissee(ctx: CompanyData) -> None:
    """Q1 invoiced 10 400, cashed by 31/03: FA1, FA2, FA4, FA5 and AV1 = 9 500 (FA3 unpaid)."""
    assert value(ctx, "rentabilite_encaissee", Q1) == four(9500, 10400, 100)
    # February's FA3 and FA4 were both unpaid on 28/02: a true 0 %
    assert value(ctx, "rentabilite_encaissee", FEB) == 0
    # PME: FA1 1 000 cashed of 1 900; ETI: 8 500 cashed of 8 500
    assert split(ctx, "rentabilite_encaissee", Q1) == {"ETI": Decimal(100), "PME": four(1000, 1900, 100)}


def test_rentabilite_encaissee_without_revenue(datasets: dict[str, pd.DataFrame]) -> None:
    """A month with only a credit note has no revenue to cash: unavailable."""
    rows = [row for row in INVOICE_ROWS if row.split(";")[1] in ("FA0", "AV1")]
    ctx = CompanyData({"invoices": frame(INVOICES, INVOICE_HEADER, rows)}, SMALL_COMPANY)
    assert reason(ctx, "rentabilite_encaissee", MAR) == "CA facturé nul sur la période"


# ---------------------------------------------------------------- acquisition


def test_cac(ctx: CompanyData) -> None:
    """Q1 spend 1 000 + 1 200 + 3 000 + 800 = 6 000 for 4 new customers; February 4 200 / 3."""
    assert value(ctx, "cac", Q1) == Decimal(1500)
    assert value(ctx, "cac", FEB) == Decimal(1400)
    assert reason(ctx, "cac", MAR) == "aucun nouveau client sur la période"
    assert reason(ctx, "cac", Window("ltm", Month(2025, 4), Month(2026, 3))) == (
        "données marketing absentes pour 2025-04")


def test_cout_par_lead(ctx: CompanyData) -> None:
    """Q1: 6 000 / 70 leads; Site web 3 000 / 40, Salon 3 000 / 30; March: Salon has no lead."""
    assert value(ctx, "cout_par_lead", Q1) == four(6000, 70)
    assert split(ctx, "cout_par_lead", Q1) == {"Salon": Decimal(100), "Site web": Decimal(75)}
    assert split(ctx, "cout_par_lead", MAR) == {"Site web": Decimal(80)}


def test_conversion_leads(ctx: CompanyData) -> None:
    """Q1: 4 new customers / 70 leads; February 3 / 50 = 6 %; March 0 / 10 is a true 0."""
    assert value(ctx, "conversion_leads", Q1) == four(4, 70, 100)
    assert value(ctx, "conversion_leads", FEB) == Decimal(6)
    assert value(ctx, "conversion_leads", MAR) == 0



def test_no_lead_is_unavailable() -> None:
    """A month where no channel brought a lead has no cost per lead nor conversion rate."""
    ctx = CompanyData({"marketing": frame(MARKETING, MARKETING_HEADER, ["2026-01;Salon;500,00;0;0"])},
                     SMALL_COMPANY)
    assert reason(ctx, "conversion_leads", JAN) == "aucun lead sur la période"
    assert reason(ctx, "cout_par_lead", JAN) == "aucun lead sur la période"
    with pytest.raises(Unavailable, match="aucun lead"):
        KPIS["cout_par_lead"].breakdown(ctx, JAN)


def test_roi_campagnes(ctx: CompanyData) -> None:
    """February: margin rate 8 000 / 11 000 (ledger); won D3 3 000 (Site web) and D2 1 000 (Salon); spend 4 200."""
    # ((3 000 + 1 000) × 8/11 − 4 200) / 4 200 = (32 000 − 46 200) / 46 200
    assert value(ctx, "roi_campagnes", FEB) == four(32000 - 46200, 46200, 100)
    # Site web (24 000/11 − 1 200) / 1 200 = 10 800 / 13 200; Salon (8 000/11 − 3 000) / 3 000 = −25 000 / 33 000
    assert split(ctx, "roi_campagnes", FEB) == {
        "Site web": four(10800, 13200, 100), "Salon": four(-25000, 33000, 100)}
    # January–February: margin 16 000 / 22 000, same won deals, spend 5 200 → (32 000 − 57 200) / 57 200
    assert value(ctx, "roi_campagnes", JAN_FEB) == four(32000 - 57200, 57200, 100)


def test_roi_campagnes_unavailable(ctx: CompanyData, datasets: dict[str, pd.DataFrame]) -> None:
    """March is beyond the ledger; without channels on deals the ROI cannot be attributed."""
    assert "2026-03" in reason(ctx, "roi_campagnes", MAR)
    no_channel = CompanyData(dict(without(datasets, "deals", "channel"), entries=ctx.datasets["entries"]),
                            SMALL_COMPANY)
    assert reason(no_channel, "roi_campagnes", FEB) == "les affaires n'indiquent pas de canal d'acquisition"
    assert "« entries »" in reason(CompanyData(datasets, SMALL_COMPANY), "roi_campagnes", FEB)


# ---------------------------------------------------------------- churn and lifetime value

# Sale invoices from March 2024 to February 2026. At the end of February 2026, the previous
# twelve months are March 2024 – February 2025 and the last twelve March 2025 – February 2026.
#   A: 15/03/2024 1 000 and 15/06/2025 4 000 (kept)   B: 10/05/2024 2 000 and 10/01/2026 2 000 (kept)
#   C: 20/02/2025 3 000 (lost)                         D: 01/07/2024 500, credit note 01/04/2025 −500 (lost)
#   E: 05/02/2026 6 000 (new)
HISTORY_ROWS = [
    "sale;H1;A;;;15/03/2024;14/04/2024;14/04/2024;1 000,00;1 200,00;0,00;;;;paid",
    "sale;H2;B;;;10/05/2024;09/06/2024;09/06/2024;2 000,00;2 400,00;0,00;;;;paid",
    "sale;H3;D;;;01/07/2024;31/07/2024;31/07/2024;500,00;600,00;0,00;;;;paid",
    "sale;H4;C;;;20/02/2025;22/03/2025;22/03/2025;3 000,00;3 600,00;0,00;;;;paid",
    "sale;H5;D;;;01/04/2025;01/04/2025;01/04/2025;-500,00;-600,00;0,00;;;;paid",
    "sale;H6;A;;;15/06/2025;15/07/2025;15/07/2025;4 000,00;4 800,00;0,00;;;;paid",
    "sale;H7;B;;;10/01/2026;09/02/2026;09/02/2026;2 000,00;2 400,00;0,00;;;;paid",
    "sale;H8;E;;;05/02/2026;07/03/2026;;6 000,00;7 200,00;0,00;;;;issued",
]
# 12 months (March 2025 – February 2026) of 500 € spend, 5 leads and 1 new customer: CAC 500.
HISTORY_MARKETING = [f"{Month(2025, 3).shift(k)};Site web;500,00;5;1" for k in range(12)]
FEB_2026 = Window("month", Month(2026, 2), Month(2026, 2))
LTM_FEB_2026 = Window("ltm", Month(2025, 3), Month(2026, 2))


@pytest.fixture
def history(small_datasets: dict[str, pd.DataFrame]) -> CompanyData:
    """Two years of invoices, a year of marketing, and the small company's ledger."""
    return CompanyData({
        "invoices": frame(INVOICES, INVOICE_HEADER, HISTORY_ROWS),
        "marketing": frame(MARKETING, MARKETING_HEADER, HISTORY_MARKETING),
        "entries": small_datasets["entries"],
    }, SMALL_COMPANY)


def test_churn(history: CompanyData) -> None:
    """Previous year A, B, C, D; last year A, B, E (D's credit note is no purchase): C, D lost → 2 / 4."""
    assert value(history, "churn", LTM_FEB_2026) == Decimal(50)
    assert value(history, "churn", FEB_2026) == Decimal(50)  # read at the window's end, whatever its kind
    assert split(history, "churn", LTM_FEB_2026) == {"C": Decimal(3000), "D": Decimal(500)}


def test_churn_needs_24_months(history: CompanyData) -> None:
    """At the end of January 2026 the previous year starts in February 2024, before the first invoice."""
    january = Window("ltm", Month(2025, 2), Month(2026, 1))
    assert reason(history, "churn", january) == "pas de factures de vente avant 2024-03"


def test_ltv_and_ltv_cac(history: CompanyData) -> None:
    """LTV = 11 500 × (89 000 / 122 000) / 3 customers × (1 / 50 %); CAC 6 000 / 12 = 500."""
    # last-12-month revenue 4 000 − 500 + 2 000 + 6 000 = 11 500; ledger margin rate over
    # March 2025 – February 2026: 89 000 / 122 000 (see test_kpis); A, B, E invoiced
    ltv = Decimal(11500) * 89000 / 122000 / 3 * 2
    assert value(history, "ltv", LTM_FEB_2026) == ltv.quantize(Q)
    assert value(history, "ltv", FEB_2026) == ltv.quantize(Q)
    assert value(history, "ltv_cac", LTM_FEB_2026) == (ltv / 500).quantize(Q)


def test_ltv_without_churn(history: CompanyData) -> None:
    """Without lost customers the lifetime 1 / churn is infinite: unavailable, naming why."""
    rows = [row for row in HISTORY_ROWS if row.split(";")[2] not in ("C", "D")]
    ctx = CompanyData(dict(history.datasets, invoices=frame(INVOICES, INVOICE_HEADER, rows)), SMALL_COMPANY)
    assert value(ctx, "churn", LTM_FEB_2026) == 0
    assert "aucun client perdu" in reason(ctx, "ltv", LTM_FEB_2026)
    assert "aucun client perdu" in reason(ctx, "ltv_cac", LTM_FEB_2026)
    with pytest.raises(Unavailable, match="aucun client perdu"):
        KPIS["churn"].breakdown(ctx, LTM_FEB_2026)


def test_ltv_cac_needs_marketing_for_the_whole_year(history: CompanyData) -> None:
    """A year of marketing is needed for the CAC under LTV / CAC."""
    ctx = CompanyData(dict(history.datasets, marketing=history.datasets["marketing"].iloc[1:]), SMALL_COMPANY)
    assert reason(ctx, "ltv_cac", LTM_FEB_2026) == "données marketing absentes pour 2025-03"


def test_registered_as_plugins() -> None:
    """The default plugins register every commercial KPI once, beside the sales KPIs."""
    from boardpack import plugins

    registry = plugins.get_registry()
    for kpi_id in KPIS:
        assert isinstance(registry.kpis[kpi_id], KPI)


def test_ltv_when_every_customer_is_lost(history: CompanyData) -> None:
    """C invoiced in March 2024 only, then a credit note to E: churn 100 %, no customer left to average over."""
    rows = [HISTORY_ROWS[0].replace(";A;", ";C;").replace("15/03/2024", "20/03/2024"),
            "sale;H9;E;;;05/02/2026;07/03/2026;;-100,00;-120,00;0,00;;;;issued"]
    ctx = CompanyData(dict(history.datasets, invoices=frame(INVOICES, INVOICE_HEADER, rows)), SMALL_COMPANY)
    assert value(ctx, "churn", LTM_FEB_2026) == Decimal(100)  # C invoiced 03/2024, nothing since
    assert reason(ctx, "ltv", LTM_FEB_2026) == "aucun client facturé de 2025-03 à 2026-02"
