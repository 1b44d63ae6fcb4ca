"""Generate the demo company's data, deterministically, as French-formatted CSV files.

The demo company is « Mécanique de Précision du Rhône » (MPR SAS, SIREN 812 345 674,
Villeurbanne, all fictional): an industrial subcontractor of about 45 people machining
precision parts, with a revenue of about 8 M€ a year. This module writes its general ledger,
invoices, CRM deals, operational metrics, budget, loan schedules and marketing figures from
01/01/2023 to 31/10/2026 (UTF-8, ``;`` separator, decimal comma, dates JJ/MM/AAAA).

The story the data tells: seasonal sales (summer shutdown in August), one large customer
(Groupe Autoliance) paying late from 2026, raw-material prices rising from mid-2025 and only
partly passed on, two hires in 2025, and a 5-axis machining centre bought in March 2025 on a
bank loan. Every figure comes from seeded :class:`random.Random` streams and
:class:`~decimal.Decimal` arithmetic, so the output is byte-identical on every run::

    python -m boardpack.demo.generate [--out DIR]
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

__all__ = ["DATA_DIR", "generate", "main"]

#: Where the shipped CSV files live (and the default output folder).
DATA_DIR = Path(__file__).resolve().parent / "data"

Month = tuple[int, int]

SEED = "boardpack-demo-mpr-2026"
FIRST_MONTH: Month = (2023, 1)
LAST_MONTH: Month = (2026, 10)
OPENING_DATE = dt.date(2023, 1, 1)
CUTOFF = dt.date(2026, 10, 31)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
VAT_RATE = Decimal("0.20")

JOURNALS = {"AN": "À-nouveaux", "VE": "Ventes", "AC": "Achats", "BQ": "Banque",
            "OD": "Opérations diverses"}

ACCOUNTS = {
    "101300": "Capital souscrit, appelé, versé", "106100": "Réserve légale",
    "106800": "Autres réserves", "110000": "Report à nouveau (solde créditeur)",
    "164000": "Emprunts auprès des établissements de crédit",
    "205000": "Concessions, brevets, licences, logiciels", "211100": "Terrains nus",
    "213100": "Constructions - bâtiments", "215400": "Matériel industriel",
    "280500": "Amortissements des logiciels", "281310": "Amortissements des bâtiments",
    "281540": "Amortissements du matériel industriel",
    "310000": "Stocks de matières premières", "355000": "Stocks de produits finis et en-cours",
    "401000": "Fournisseurs", "404000": "Fournisseurs d'immobilisations", "411000": "Clients",
    "421000": "Personnel - rémunérations dues", "431000": "Sécurité sociale",
    "444000": "État - impôt sur les bénéfices", "445510": "TVA à décaisser",
    "445620": "TVA déductible sur immobilisations",
    "445660": "TVA déductible sur autres biens et services", "445670": "Crédit de TVA à reporter",
    "445710": "TVA collectée", "457100": "Associés - dividendes à payer",
    "512100": "Banque Régionale du Rhône", "601000": "Achats de matières premières",
    "603100": "Variation des stocks de matières premières", "604000": "Achats de sous-traitance",
    "606100": "Fournitures non stockables (eau, énergie)",
    "606300": "Fournitures d'entretien et de petit équipement", "613500": "Locations mobilières",
    "615000": "Entretien et réparations", "616000": "Primes d'assurances",
    "622600": "Honoraires", "623000": "Publicité, publications, relations publiques",
    "624100": "Transports sur achats", "626000": "Frais postaux et de télécommunications",
    "627000": "Services bancaires et assimilés",
    "635110": "Cotisation foncière des entreprises", "635120": "Taxes foncières",
    "641100": "Salaires, appointements", "645100": "Cotisations à l'URSSAF",
    "661100": "Intérêts des emprunts et dettes",
    "681120": "Dotations aux amortissements des immobilisations",
    "695000": "Impôts sur les bénéfices", "701000": "Ventes de produits finis",
    "713500": "Variation des stocks de produits",
}

AERO, AUTO, ENERGY, MED = "Aéronautique", "Automobile", "Énergie", "Médical"
SEGMENTS = (AERO, AUTO, ENERGY, MED)
PRODUCTS = ("Pièces unitaires", "Petites séries", "Sous-ensembles")
PRODUCT_MIX = {AERO: (35, 45, 20), AUTO: (10, 60, 30), ENERGY: (40, 30, 30), MED: (30, 60, 10)}
LATE_PAYER = "Groupe Autoliance"
#: Typical price of a piece in 2023 (HT, before discount), by offer; about 46 € on average,
#: the price the operational metrics assume (``ops_values``).
UNIT_PRICES = {"Pièces unitaires": Decimal("140"), "Petites séries": Decimal("30"),
               "Sous-ensembles": Decimal("80")}


@dataclass(frozen=True)
class Party:
    """A customer (C0001…) or supplier (F0001…): its weight in sales or in its category."""

    code: str
    name: str
    segment: str = ""
    account: str = ""
    weight: float = 1.0
    since: Month = (2022, 1)


_CUSTOMER_TABLE = (
    ("Groupe Autoliance", AUTO, 16.5), ("Aérotech Industries Lyon", AERO, 9.0),
    ("Hydro-Turbines de Savoie", ENERGY, 7.5), ("Biomédica Implants", MED, 6.5),
    ("Équipements Aéro du Sud-Ouest", AERO, 6.0), ("Transmissions Poids Lourds Rhône", AUTO, 5.5),
    ("Nucléo Services Maintenance", ENERGY, 5.0), ("Orthopédie Précision France", MED, 4.5),
    ("Avionique Alpes Systèmes", AERO, 4.0), ("Freinage Industriel Européen", AUTO, 3.5),
    ("Éolien Composants Bretagne", ENERGY, 3.2), ("Instruments Chirurgicaux Lyonnais", MED, 3.0),
    ("Hélices et Rotors du Dauphiné", AERO, 2.8), ("Équipementier Auto du Jura", AUTO, 2.5),
    ("Vannes et Robinetterie de l'Isère", ENERGY, 2.2), ("Dentalia Technologies", MED, 2.0),
    ("Satellites Mécaniques Provence", AERO, 1.8), ("Moteurs Électriques de Loire", AUTO, 1.6),
    ("Hydraulique Bourguignonne", ENERGY, 1.5), ("Prothèses Avancées Grenoble", MED, 1.4),
    ("Drones Industriels d'Auvergne", AERO, 1.2), ("Carrosserie Technique de l'Ain", AUTO, 1.1),
    ("Géothermie Solutions Rhône", ENERGY, 1.0), ("Imagerie Médicale Équipements", MED, 0.9),
    ("Pompes Industrielles du Beaujolais", ENERGY, 0.8),
)
_CUSTOMER_SINCE = {21: (2024, 3), 23: (2024, 9), 24: (2025, 2), 25: (2025, 10)}
CUSTOMERS = tuple(
    Party(f"C{i:04d}", name, segment, "411000", weight, _CUSTOMER_SINCE.get(i, (2022, 1)))
    for i, (name, segment, weight) in enumerate(_CUSTOMER_TABLE, 1)
)

_SUPPLIER_TABLE = (  # name, account charged, weight within that account (0: handled apart)
    ("Aciéries du Dauphiné", "601000", 3.0), ("Alu Rhône Distribution", "601000", 2.0),
    ("Métaux Spéciaux Lyonnais", "601000", 1.5), ("Aciers de l'Isère", "601000", 1.0),
    ("Traitements Thermiques de Savoie", "604000", 2.0),
    ("Revêtements Techniques du Forez", "604000", 1.5),
    ("Rectification Beaujolaise", "604000", 1.0), ("Énergies Rhône-Alpes Pro", "606100", 3.0),
    ("Gaz et Fluides Industriels", "606100", 1.0), ("Outillages Coupants Lyonnais", "606300", 2.0),
    ("Fournitures Industrielles de Gerland", "606300", 1.0),
    ("Maintenance Machines-Outils Rhône", "615000", 2.0),
    ("Hydraulique Service Est", "615000", 1.0),
    ("Mutuelle Assurances de l'Industrie", "616000", 0.0),
    ("Cabinet Comptable Bellecour", "622600", 0.0), ("Cabinet d'Avocats Part-Dieu", "622600", 0.0),
    ("Transports Rapides du Rhône", "624100", 2.0), ("Messagerie Express Alpes", "624100", 1.0),
    ("Télécom Pro Services", "626000", 1.0), ("Loc'Industrie Équipements", "613500", 1.0),
    ("Agence Lumière Communication", "623000", 0.0), ("Machines-Outils Europe", "215400", 0.0),
)
SUPPLIERS = tuple(
    Party(f"F{i:04d}", name, "", "404000" if charge == "215400" else "401000", weight)
    for i, (name, charge, weight) in enumerate(_SUPPLIER_TABLE, 1)
)
SUPPLIER_CHARGE = {f"F{i:04d}": row[1] for i, row in enumerate(_SUPPLIER_TABLE, 1)}
PARTY_NAMES = {party.code: party.name for party in CUSTOMERS + SUPPLIERS}
NO_VAT_ACCOUNTS = frozenset({"616000"})

ANNUAL_REVENUE = {2022: Decimal("7300000"), 2023: Decimal("7600000"), 2024: Decimal("8000000"),
                  2025: Decimal("8300000"), 2026: Decimal("8500000")}
SEASONALITY = tuple(Decimal(w) for w in (
    "1.00", "1.00", "1.12", "1.00", "0.95", "1.12", "0.95", "0.45", "1.05", "1.12", "1.00", "0.80"))
OPENING_STOCKS = (Decimal("380000.00"), Decimal("260000.00"))  # raw materials, WIP/finished
GROSS_SALARY_2023 = Decimal("3300")
EMPLOYEE_SHARE, EMPLOYER_RATE = Decimal("0.22"), Decimal("0.42")
INCOME_TAX_RATE = Decimal("0.25")
INCOME_TAX_2022, INCOME_TAX_BALANCE_2022 = Decimal("128000"), Decimal("18000.00")
NET_RESULT_2022 = Decimal("395000")
DIVIDEND_PAYOUT = {2023: Decimal("0.80"), 2024: Decimal("1.00"), 2025: Decimal("1.00"),
                   2026: Decimal("0.80")}
OPENING_BALANCES = (  # account, debit, credit (customers, suppliers, VAT and payroll added)
    ("211100", "180000", "0"), ("213100", "1400000", "0"), ("281310", "0", "420000"),
    ("215400", "2100000", "0"), ("281540", "0", "1150000"), ("205000", "60000", "0"),
    ("280500", "0", "45000"), ("310000", str(OPENING_STOCKS[0]), "0"),
    ("355000", str(OPENING_STOCKS[1]), "0"), ("512100", "420000", "0"),
    ("444000", "0", str(INCOME_TAX_BALANCE_2022)), ("164000", "0", "780000"),
    ("101300", "0", "500000"), ("106100", "0", "50000"), ("110000", "0", "38412.56"),
)
MACHINE_PRICE = Decimal("620000.00")


def money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` rounded to the cent (half up)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def euros(value: Decimal) -> Decimal:
    """Return ``value`` rounded to the euro (half up), with two decimals."""
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(CENT)


def dec(value: float) -> Decimal:
    """Return a random float as a Decimal with 6 decimals (stable across platforms)."""
    return Decimal(f"{value:.6f}")


def rng_for(stream: str) -> random.Random:
    """Return the seeded random stream named ``stream``."""
    return random.Random(f"{SEED}:{stream}")


def inflation(year: int, rate: str = "1.025") -> Decimal:
    """Return the price index of ``year`` (2023 = 1)."""
    return Decimal(rate) ** (year - 2023)



def months_between(first: Month, last: Month) -> list[Month]:
    """Return the months from ``first`` to ``last``, both included."""
    count = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    return [shift_month(first, i) for i in range(count)]


def shift_month(month: Month, count: int) -> Month:
    """Return the month ``count`` months after ``month``."""
    index = month[0] * 12 + month[1] - 1 + count
    return (index // 12, index % 12 + 1)


def month_end(month: Month) -> dt.date:
    """Return the last day of ``month``."""
    return dt.date(month[0], month[1], calendar.monthrange(*month)[1])


def month_of(day: dt.date) -> Month:
    """Return the month of ``day``."""
    return (day.year, day.month)


def period(month: Month) -> str:
    """Return ``month`` as AAAA-MM."""
    return f"{month[0]:04d}-{month[1]:02d}"


def next_business_day(day: dt.date) -> dt.date:
    """Return ``day``, or the next Monday when it falls on a weekend."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def last_business_day(month: Month) -> dt.date:
    """Return the last weekday of ``month``."""
    day = month_end(month)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@cache
def working_days(month: Month) -> tuple[dt.date, ...]:
    """Return the weekdays of ``month`` when the workshop runs (not the August shutdown)."""
    days = (dt.date(*month, d) for d in range(1, calendar.monthrange(*month)[1] + 1))
    return tuple(d for d in days if d.weekday() < 5 and not (d.month == 8 and 5 < d.day < 24))


def seasonality(month: Month) -> Decimal:
    """Return the activity weight of ``month`` (1 = a normal month)."""
    return SEASONALITY[month[1] - 1]



@dataclass
class Invoice:
    """A sale or purchase invoice, with its settlement date (None when unpaid at the cutoff)."""

    kind: str
    number: str
    party: Party
    account: str
    issue: dt.date
    due: dt.date
    paid: dt.date | None
    excl_tax: Decimal
    vat: Decimal
    discount: Decimal = ZERO
    product: str = ""
    quantity: int | None = None
    unit_price: Decimal | None = None
    deal_id: str = ""

    @property
    def incl_tax(self) -> Decimal:
        """The amount including VAT."""
        return self.excl_tax + self.vat

    @property
    def vat_account(self) -> str:
        """The VAT account of the invoice: collected, deductible, or on fixed assets."""
        if self.kind == "sale":
            return "445710"
        return "445620" if self.account.startswith("2") else "445660"


def revenue_plan(rng: random.Random) -> dict[Month, Decimal]:
    """Return the planned sales (HT) of every month from November 2022 to the last month."""
    total = sum(SEASONALITY)
    return {
        month: money(ANNUAL_REVENUE[month[0]] * seasonality(month) / total
                     * (1 + dec(rng.gauss(0, 0.02))))
        for month in months_between((2022, 11), LAST_MONTH)
    }


def customer_delay(rng: random.Random, customer: Party, issue: dt.date, late: bool) -> int:
    """Return how many days ``customer`` takes to pay an invoice issued on ``issue``."""
    if customer.name == LATE_PAYER:
        return rng.randint(100, 130) if issue.year >= 2026 else rng.randint(55, 65)
    return rng.randint(95, 125) if late else rng.randint(45, 75)


def settlement(issue: dt.date, delay: int) -> dt.date | None:
    """Return the payment date ``delay`` days after ``issue``, or None if after the cutoff."""
    paid = next_business_day(issue + dt.timedelta(days=delay))
    return paid if paid <= CUTOFF else None


def discount_rate(rng: random.Random) -> Decimal:
    """Return the discount granted off list price on a sale: 2-5 % on one in five, else 0."""
    if rng.random() >= 0.2:
        return ZERO
    return Decimal(rng.choice(("0.02", "0.025", "0.03", "0.035", "0.04", "0.05")))


def priced_sale(rng: random.Random, product: str, year: int, net: Decimal,
                rate: Decimal) -> tuple[int, Decimal, Decimal, Decimal]:
    """Return quantity, unit price, amount HT and discount of a sale of about ``net``.

    The quantity is the list price (``net`` before a discount of ``rate``) over a unit price
    drawn around the offer's typical price; the amounts then follow from them, so that
    quantity × unit price − discount = amount HT to the cent.
    """
    index = inflation(year, "1.02") * (Decimal("1.04") if year >= 2026 else 1)
    typical = UNIT_PRICES[product] * index * dec(rng.uniform(0.8, 1.25))
    listed = net / (1 - rate)
    quantity = max(1, int((listed / typical).to_integral_value(rounding=ROUND_HALF_UP)))
    unit_price = money(listed / quantity)
    discount = money(quantity * unit_price * rate)
    return quantity, unit_price, quantity * unit_price - discount, discount


def month_sales(rng: random.Random, prices: random.Random, month: Month,
                target: Decimal) -> list[Invoice]:
    """Return the sale invoices of ``month`` (unnumbered), adding up to about ``target``.

    ``rng`` draws customers, dates, offers, delays and discounts; ``prices`` the unit prices.
    """
    active = [c for c in CUSTOMERS if c.since <= month]
    weights = [c.weight for c in active]
    count = round(rng.gauss(66, 4) * (0.5 + 0.5 * float(seasonality(month))))
    draws = sorted(
        ((rng.choice(working_days(month)), rng.choices(active, weights)[0],
          dec(rng.lognormvariate(0, 0.6))) for _ in range(count)),
        key=lambda draw: draw[0],
    )
    total = sum(draw[2] for draw in draws)
    others = [index for index, draw in enumerate(draws) if draw[1].name != LATE_PAYER]
    late = rng.choice(others) if month[1] in (4, 10) else -1  # two very late payments a year
    invoices = []
    for index, (issue, customer, share) in enumerate(draws):
        product = rng.choices(PRODUCTS, PRODUCT_MIX[customer.segment])[0]
        delay = customer_delay(rng, customer, issue, index == late)
        quantity, unit_price, net, discount = priced_sale(
            prices, product, issue.year, money(target * share / total), discount_rate(rng))
        invoices.append(Invoice("sale", "", customer, "701000", issue,
                                issue + dt.timedelta(days=60), settlement(issue, delay), net,
                                money(net * VAT_RATE), discount, product, quantity, unit_price))
    return invoices


def number_invoices(invoices: list[Invoice], prefix: str, first: dict[int, int]) -> None:
    """Number ``invoices`` (already in date order) per year: ``FA2026-0123``."""
    counters: dict[int, int] = defaultdict(int, first)
    for invoice in invoices:
        counters[invoice.issue.year] += 1
        invoice.number = f"{prefix}{invoice.issue.year}-{counters[invoice.issue.year]:04d}"


def open_at_opening(invoice: Invoice) -> bool:
    """Tell whether ``invoice`` belongs to the data: issued from 2023 or unpaid at 31/12/2022."""
    return invoice.issue >= OPENING_DATE or invoice.paid is None or invoice.paid >= OPENING_DATE


def sale_invoices(rng: random.Random, plan: dict[Month, Decimal]) -> list[Invoice]:
    """Return every sale invoice: the 2022 ones still open at the opening, then 2023 onwards."""
    prices = rng_for("prices")
    invoices = [invoice for month, target in plan.items()
                for invoice in month_sales(rng, prices, month, target)]
    number_invoices(invoices, "FA", {2022: 612})
    return [invoice for invoice in invoices if open_at_opening(invoice)]


def split_amount(rng: random.Random, charge: str, total: Decimal,
                 count: int) -> list[tuple[Party, str, Decimal]]:
    """Split a month's ``total`` on ``charge`` into ``count`` invoices of its suppliers."""
    suppliers = [s for s in SUPPLIERS if SUPPLIER_CHARGE[s.code] == charge and s.weight]
    picks = rng.choices(suppliers, [s.weight for s in suppliers], k=count)
    shares = [dec(rng.uniform(0.5, 1.5)) for _ in picks]
    return [(s, charge, money(total * share / sum(shares)))
            for s, share in zip(picks, shares, strict=True)]


def stock_change(stocks: dict[Month, tuple[Decimal, Decimal]], month: Month,
                 index: int) -> Decimal:
    """Return the change over ``month`` of stock ``index`` (0 raw materials, 1 WIP)."""
    before = stocks.get(shift_month(month, -1))
    after = stocks.get(month)
    return after[index] - before[index] if before and after else ZERO


def material_rate(rng: random.Random, month: Month) -> Decimal:
    """Return the raw materials consumed per euro of sales: 32 %, up to ~36.7 % from mid-2025."""
    year, number = month
    base = 0.320
    if year == 2025 and number > 6:
        base += (number - 6) * 0.0075
    elif year >= 2026:
        base = 0.367
    return dec(base + rng.gauss(0, 0.004))


def subcontracting_rate(month: Month) -> float:
    """Return subcontracting per euro of sales: up in 2024-2025 (saturated workshop)."""
    return 0.117 if (2024, 1) <= month <= (2025, 6) else 0.105


def variable_purchases(rng: random.Random, month: Month, revenue: Decimal,
                       raw: Decimal) -> list[tuple[Party, str, Decimal]]:
    """Return the month's purchases that follow activity: materials, subcontracting, energy…"""
    heating = Decimal("1.3") if month[1] in (1, 2, 11, 12) else Decimal("1")
    energy = revenue * dec(rng.gauss(0.022, 0.001)) + 6000 * heating * inflation(month[0], "1.04")
    subcontracting = revenue * dec(rng.gauss(subcontracting_rate(month), 0.006))
    parts = split_amount(rng, "601000", raw, rng.randint(6, 9))
    parts += split_amount(rng, "604000", subcontracting, rng.randint(4, 6))
    parts += split_amount(rng, "606100", energy, 2)
    parts += split_amount(rng, "606300", revenue * dec(rng.gauss(0.02, 0.002)), rng.randint(2, 4))
    parts += split_amount(rng, "615000", revenue * dec(rng.gauss(0.022, 0.004)), rng.randint(2, 3))
    parts += split_amount(rng, "624100", revenue * dec(rng.gauss(0.024, 0.002)), rng.randint(2, 3))
    return parts


def fixed_purchases(rng: random.Random, month: Month,
                    marketing_spend: Decimal) -> list[tuple[Party, str, Decimal]]:
    """Return the month's fixed purchases: rentals, telecom, insurance, fees, marketing."""
    year, number = month
    by_name = {s.name: s for s in SUPPLIERS}
    parts = split_amount(rng, "613500", 8000 * inflation(year), 1)
    parts += split_amount(rng, "626000", 1450 * inflation(year), 1)
    if number == 1 and year >= 2023:
        parts.append((by_name["Mutuelle Assurances de l'Industrie"], "616000",
                      money(58000 * inflation(year, "1.04"))))
    if number in (1, 4, 7, 10):
        parts.append((by_name["Cabinet Comptable Bellecour"], "622600",
                      money(9600 * inflation(year))))
    if rng.random() < 0.2:
        parts.append((by_name["Cabinet d'Avocats Part-Dieu"], "622600",
                      money(dec(rng.uniform(1500, 4500)))))
    if marketing_spend:
        parts.append((by_name["Agence Lumière Communication"], "623000", marketing_spend))
    return parts


def purchase_invoice(rng: random.Random, month: Month, supplier: Party, charge: str,
                     amount: Decimal) -> Invoice:
    """Return a purchase invoice of ``supplier``, due 45 days end of month, paid in 40-60 days."""
    issue = rng.choice(working_days(month))
    due = month_end(month_of(issue + dt.timedelta(days=45)))
    vat = ZERO if charge in NO_VAT_ACCOUNTS else money(amount * VAT_RATE)
    return Invoice("purchase", "", supplier, charge, issue, due,
                   settlement(issue, rng.randint(40, 60)), money(amount), vat)


def purchase_invoices(rng: random.Random, plan: dict[Month, Decimal],
                      stocks: dict[Month, tuple[Decimal, Decimal]],
                      marketing: dict[tuple[Month, str], tuple[Decimal, int, int]]
                      ) -> list[Invoice]:
    """Return every purchase invoice: 2022 ones still open at the opening, then 2023 onwards."""
    invoices: list[Invoice] = []
    for month, revenue in plan.items():
        raw = money(material_rate(rng, month) * revenue) + stock_change(stocks, month, 0)
        spend = sum((marketing.get((month, c), (ZERO, 0, 0))[0] for c in CHANNELS), ZERO)
        parts = variable_purchases(rng, month, revenue, raw) + fixed_purchases(rng, month, spend)
        batch = [purchase_invoice(rng, month, *part) for part in parts]
        invoices += sorted(batch, key=lambda invoice: invoice.issue)
    number_invoices(invoices, "FF", {2022: 700})
    return [invoice for invoice in invoices if open_at_opening(invoice)]


def machine_invoice() -> Invoice:
    """Return the invoice of the 5-axis machining centre (March 2025), paid at month end."""
    supplier = next(s for s in SUPPLIERS if s.account == "404000")
    issue = dt.date(2025, 3, 12)
    return Invoice("purchase", "FI2025-0001", supplier, "215400", issue, dt.date(2025, 3, 31),
                   dt.date(2025, 3, 31), MACHINE_PRICE, money(MACHINE_PRICE * VAT_RATE))



def stock_bases(month: Month) -> tuple[float, float]:
    """Return the underlying raw-material and WIP stock levels of ``month``."""
    year, number = month
    raw, wip = 380000.0, 260000.0 + 5000 * max(0, min(year, 2025) - 2023)
    if year == 2025:
        raw = 385000.0 + 6000 * max(0, number - 6)
    elif year >= 2026:
        raw, wip = 425000.0 + 5000 * (number - 1), 275000.0 + 4000 * (number - 1)
    return raw, wip


def stock_plan(rng: random.Random) -> dict[Month, tuple[Decimal, Decimal]]:
    """Return the month-end stock values (raw materials, WIP/finished goods) from Dec 2022."""
    plan = {(2022, 12): OPENING_STOCKS}
    for month in months_between(FIRST_MONTH, LAST_MONTH):
        activity = float(seasonality(shift_month(month, 1)))
        raw, wip = stock_bases(month)
        plan[month] = (
            money(dec(raw * (0.96 + 0.04 * activity) * (1 + rng.gauss(0, 0.025)))),
            money(dec(wip * (0.95 + 0.05 * activity) * (1 + rng.gauss(0, 0.03)))),
        )
    return plan


def headcount(month: Month) -> int:
    """Return the staff of ``month``: 43, then two hires in March and September 2025."""
    if month < (2025, 3):
        return 43
    return 44 if month < (2025, 9) else 45


@dataclass(frozen=True)
class Payroll:
    """A month's payroll: gross pay, employee and employer social contributions."""

    gross: Decimal
    employee: Decimal
    employer: Decimal

    @property
    def net(self) -> Decimal:
        """The net pay transferred to the staff."""
        return self.gross - self.employee


def payroll(month: Month, noise: float = 0.0) -> Payroll:
    """Return the payroll of ``month``; salaries rise by 3 % each January."""
    average = GROSS_SALARY_2023 * Decimal("1.03") ** (month[0] - 2023)
    gross = money(headcount(month) * average * (1 + dec(noise)))
    return Payroll(gross, money(gross * EMPLOYEE_SHARE), money(gross * EMPLOYER_RATE))


def depreciation(month: Month) -> list[tuple[str, Decimal]]:
    """Return the month's depreciation by accumulated-depreciation account."""
    machines = Decimal("17500.00")
    if month >= (2025, 4):
        machines += money(MACHINE_PRICE / 96)
    lines = [("281310", Decimal("4667.00")), ("281540", machines)]
    if month <= (2023, 12):
        lines.append(("280500", Decimal("1250.00")))
    return lines


@dataclass(frozen=True)
class Loan:
    """A bank loan repaid by constant monthly instalments (annuity)."""

    code: str
    lender: str
    principal: Decimal
    annual_rate: Decimal
    instalments: int
    first_month: Month
    payment_day: int
    disbursed: dt.date | None = None


@dataclass(frozen=True)
class Instalment:
    """One monthly instalment of a loan, and the capital still due after it."""

    loan: Loan
    month: Month
    principal: Decimal
    interest: Decimal
    outstanding: Decimal


LOANS = (
    Loan("EMP-IMMO", "Banque Régionale du Rhône", Decimal("780000.00"), Decimal("0.021"), 120,
         (2023, 1), 5),
    Loan("EMP-MACHINE", "Crédit Industriel Alpin", Decimal("500000.00"), Decimal("0.042"), 84,
         (2025, 4), 15, dt.date(2025, 3, 15)),
)


def loan_schedule(loan: Loan) -> list[Instalment]:
    """Return the whole amortisation schedule of ``loan``."""
    rate = loan.annual_rate / 12
    payment = money(loan.principal * rate / (1 - (1 + rate) ** -loan.instalments))
    outstanding, schedule = loan.principal, []
    for index in range(loan.instalments):
        interest = money(outstanding * rate)
        principal = outstanding if index == loan.instalments - 1 else payment - interest
        outstanding -= principal
        schedule.append(Instalment(loan, shift_month(loan.first_month, index), principal,
                                   interest, outstanding))
    return schedule



@dataclass
class Line:
    """One movement of an entry; ``match`` names the invoice it letters with, ``piece`` its
    own piece reference and date when they differ from the entry's (opening invoices)."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    aux: str = ""
    match: str = ""
    piece: tuple[str, dt.date] | None = None


def dr(account: str, amount: Decimal, aux: str = "", match: str = "") -> Line:
    """Return a debit line."""
    return Line(account, debit=amount, aux=aux, match=match)


def cr(account: str, amount: Decimal, aux: str = "", match: str = "") -> Line:
    """Return a credit line."""
    return Line(account, credit=amount, aux=aux, match=match)


def signed(account: str, amount: Decimal) -> Line:
    """Return a debit line for a positive ``amount``, a credit line for a negative one."""
    return dr(account, amount) if amount >= 0 else cr(account, -amount)


@dataclass
class Entry:
    """A balanced accounting entry."""

    date: dt.date
    journal: str
    piece_ref: str
    label: str
    lines: list[Line]
    piece_date: dt.date
    entry_id: str = ""


class Ledger:
    """The general ledger being generated; entries dated after the cutoff are dropped."""

    def __init__(self) -> None:
        """Start an empty ledger."""
        self.entries: list[Entry] = []

    def post(self, date: dt.date, journal: str, piece_ref: str, label: str,
             lines: Iterable[Line], piece_date: dt.date | None = None) -> None:
        """Record an entry; raise ``ValueError`` when it does not balance."""
        if date > CUTOFF:
            return
        kept = [line for line in lines if line.debit or line.credit]
        if sum(line.debit - line.credit for line in kept) != 0:
            raise ValueError(f"unbalanced entry {journal} {piece_ref}")
        if kept:
            self.entries.append(Entry(date, journal, piece_ref, label, kept, piece_date or date))

    def net(self, prefixes: tuple[str, ...], by: str = "month",
            exclude: tuple[str, ...] = ()) -> dict[Month | int, Decimal]:
        """Return debit − credit on accounts starting with ``prefixes``, by month or year."""
        totals: dict[Month | int, Decimal] = defaultdict(Decimal)
        for entry in self.entries:
            key: Month | int = entry.date.year if by == "year" else month_of(entry.date)
            for line in entry.lines:
                if line.account.startswith(prefixes) and not line.account.startswith(exclude):
                    totals[key] += line.debit - line.credit
        return totals

    def number(self) -> None:
        """Sort entries by date and journal, and number them per journal (``VE000123``)."""
        order = list(JOURNALS)
        self.entries.sort(key=lambda e: (e.date, order.index(e.journal)))
        counters: dict[str, int] = defaultdict(int)
        for entry in self.entries:
            counters[entry.journal] += 1
            entry.entry_id = f"{entry.journal}{counters[entry.journal]:06d}"


def invoice_label(invoice: Invoice, what: str = "Facture") -> str:
    """Return the label of an entry about ``invoice``."""
    return f"{what} {invoice.number} – {invoice.party.name}"


def post_opening(ledger: Ledger, invoices: list[Invoice]) -> None:
    """Post the opening entry (AN, 01/01/2023); 106800 « Autres réserves » balances it."""
    lines = [Line(acc, Decimal(d), Decimal(c)) for acc, d, c in OPENING_BALANCES]
    december_vat: Decimal = ZERO
    for invoice in (i for i in invoices if i.issue < OPENING_DATE):
        sign = 1 if invoice.kind == "sale" else -1
        line = signed(invoice.party.account, sign * invoice.incl_tax)
        line.aux, line.match = invoice.party.code, invoice.number
        line.piece = (invoice.number, invoice.issue)
        lines.append(line)
        if invoice.issue.month == 12:
            december_vat += sign * invoice.vat
    december = payroll((2022, 12))
    lines += [cr("445510", december_vat), cr("421000", december.net),
              cr("431000", december.employee + december.employer)]
    plug = sum((line.debit - line.credit for line in lines), ZERO)
    lines.append(cr("106800", plug))
    ledger.post(OPENING_DATE, "AN", "AN-2023", "À-nouveaux au 01/01/2023", lines)
    ledger.post(dt.date(2023, 1, 2), "BQ", "PAIE-2022-12", "Virement salaires décembre 2022",
                [dr("421000", december.net), cr("512100", december.net)])
    ledger.post(dt.date(2023, 1, 16), "BQ", "URSSAF-2022-12", "Cotisations sociales décembre 2022",
                [dr("431000", december.employee + december.employer),
                 cr("512100", december.employee + december.employer)])
    ledger.post(dt.date(2023, 1, 20), "BQ", "TVA-2022-12", "Paiement TVA décembre 2022",
                [dr("445510", december_vat), cr("512100", december_vat)])


def post_invoice(ledger: Ledger, invoice: Invoice) -> None:
    """Post ``invoice`` in VE or AC, unless it is an opening (2022) invoice."""
    if invoice.issue < OPENING_DATE:
        return
    party = invoice.party
    if invoice.kind == "sale":
        lines = [dr(party.account, invoice.incl_tax, party.code, invoice.number),
                 cr(invoice.account, invoice.excl_tax), cr(invoice.vat_account, invoice.vat)]
        journal = "VE"
    else:
        lines = [dr(invoice.account, invoice.excl_tax), dr(invoice.vat_account, invoice.vat),
                 cr(party.account, invoice.incl_tax, party.code, invoice.number)]
        journal = "AC"
    ledger.post(invoice.issue, journal, invoice.number, invoice_label(invoice), lines)


def post_settlement(ledger: Ledger, invoice: Invoice) -> None:
    """Post the bank receipt or payment of ``invoice``, if paid by the cutoff."""
    if invoice.paid is None:
        return
    party, amount = invoice.party, invoice.incl_tax
    if invoice.kind == "sale":
        lines = [dr("512100", amount), cr(party.account, amount, party.code, invoice.number)]
    else:
        lines = [dr(party.account, amount, party.code, invoice.number), cr("512100", amount)]
    ledger.post(invoice.paid, "BQ", invoice.number, invoice_label(invoice, "Règlement"), lines)


def post_payroll(ledger: Ledger, rng: random.Random, month: Month) -> None:
    """Post the month's payroll (OD), the net pay transfer and next month's URSSAF payment."""
    pay = payroll(month, rng.gauss(0, 0.008))
    tag, name = f"{period(month)}", month_name(month)
    social = pay.employee + pay.employer
    ledger.post(month_end(month), "OD", f"PAIE-{tag}", f"Salaires {name}",
                [dr("641100", pay.gross), cr("421000", pay.net), cr("431000", pay.employee),
                 dr("645100", pay.employer), cr("431000", pay.employer)])
    ledger.post(last_business_day(month), "BQ", f"PAIE-{tag}", f"Virement salaires {name}",
                [dr("421000", pay.net), cr("512100", pay.net)])
    due = next_business_day(dt.date(*shift_month(month, 1), 15))
    ledger.post(due, "BQ", f"URSSAF-{tag}", f"Cotisations sociales {name}",
                [dr("431000", social), cr("512100", social)])


def post_month_end(ledger: Ledger, rng: random.Random, month: Month,
                   stocks: dict[Month, tuple[Decimal, Decimal]]) -> None:
    """Post the month-end OD and bank fees: depreciation, stock variations, bank charges."""
    tag, name, end = period(month), month_name(month), month_end(month)
    charges = depreciation(month)
    ledger.post(end, "OD", f"DOT-{tag}", f"Dotations aux amortissements {name}",
                [dr("681120", sum((amount for _, amount in charges), ZERO))]
                + [cr(account, amount) for account, amount in charges])
    raw, wip = stock_change(stocks, month, 0), stock_change(stocks, month, 1)
    ledger.post(end, "OD", f"STK-{tag}", f"Variation des stocks {name}",
                [signed("310000", raw), signed("603100", -raw),
                 signed("355000", wip), signed("713500", -wip)])
    fees = money(dec(350 * (1 + rng.gauss(0, 0.08))))
    ledger.post(last_business_day(month), "BQ", f"FRAIS-{tag}", f"Frais bancaires {name}",
                [dr("627000", fees), cr("512100", fees)])


def post_local_taxes(ledger: Ledger, year: int) -> None:
    """Post the taxe foncière (October) and the CFE (December), paid by bank."""
    for month, account, base, label in ((10, "635120", 26000, "Taxe foncière"),
                                         (12, "635110", 18000, "CFE")):
        amount = euros(base * inflation(year))
        ledger.post(next_business_day(dt.date(year, month, 15)), "BQ", f"{label.upper()}-{year}",
                    f"{label} {year}", [dr(account, amount), cr("512100", amount)])


def post_loans(ledger: Ledger, schedules: list[list[Instalment]]) -> None:
    """Post the machine loan disbursement and every monthly instalment of both loans."""
    for schedule in schedules:
        loan = schedule[0].loan
        if loan.disbursed:
            ledger.post(loan.disbursed, "BQ", loan.code, f"Déblocage emprunt {loan.code}",
                        [dr("512100", loan.principal), cr("164000", loan.principal)])
        for step in schedule:
            ledger.post(next_business_day(dt.date(*step.month, loan.payment_day)), "BQ",
                        f"{loan.code}-{period(step.month)}",
                        f"Échéance emprunt {loan.code} {month_name(step.month)}",
                        [dr("164000", step.principal), dr("661100", step.interest),
                         cr("512100", step.principal + step.interest)])


def post_vat_returns(ledger: Ledger) -> None:
    """Post the monthly VAT returns (OD) and their payment on the 20th of the next month."""
    collected = ledger.net(("445710",))
    deductible = ledger.net(("445660",))
    on_assets = ledger.net(("445620",))
    carried = ZERO
    for month in months_between(FIRST_MONTH, LAST_MONTH):
        out, goods, assets = -collected[month], deductible[month], on_assets[month]
        due = out - goods - assets - carried
        lines = [dr("445710", out), cr("445660", goods), cr("445620", assets),
                 cr("445670", carried)]
        lines.append(cr("445510", due) if due >= 0 else dr("445670", -due))
        tag = period(month)
        ledger.post(month_end(month), "OD", f"TVA-{tag}", f"Déclaration de TVA {month_name(month)}",
                    lines)
        ledger.post(next_business_day(dt.date(*shift_month(month, 1), 20)), "BQ", f"TVA-{tag}",
                    f"Paiement TVA {month_name(month)}",
                    [dr("445510", max(due, ZERO)), cr("512100", max(due, ZERO))])
        carried = max(-due, ZERO)


def income_taxes(ledger: Ledger) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Return the corporate income tax and the net result of each closed year (and 2022)."""
    before_tax = ledger.net(("6", "7"), by="year", exclude=("695",))
    taxes, results = {2022: INCOME_TAX_2022}, {2022: NET_RESULT_2022}
    for year in range(FIRST_MONTH[0], LAST_MONTH[0]):
        profit = -before_tax[year]
        taxes[year] = euros(max(profit, ZERO) * INCOME_TAX_RATE)
        results[year] = profit - taxes[year]
    return taxes, results


def post_income_tax(ledger: Ledger) -> None:
    """Post the IS charge at each year end, the quarterly instalments (1/4 of the previous
    year's IS) and the balance paid, or refunded, in May of the following year."""
    taxes, results = income_taxes(ledger)
    for year in range(FIRST_MONTH[0], LAST_MONTH[0] + 1):
        if year in results and year > 2022:
            ledger.post(dt.date(year, 12, 31), "OD", f"IS-{year}", f"Impôt sur les sociétés {year}",
                        [dr("695000", taxes[year]), cr("444000", taxes[year])])
        instalment = euros(taxes[year - 1] / 4)
        for quarter in (1, 2, 3, 4):
            ledger.post(next_business_day(dt.date(year, 3 * quarter, 15)), "BQ",
                        f"IS-{year}-A{quarter}", f"Acompte d'IS {year} n° {quarter}",
                        [dr("444000", instalment), cr("512100", instalment)])
        balance = (INCOME_TAX_BALANCE_2022 if year == 2023
                   else taxes[year - 1] - 4 * euros(taxes[year - 2] / 4))
        ledger.post(next_business_day(dt.date(year, 5, 15)), "BQ", f"IS-{year - 1}-SOLDE",
                    f"Solde d'IS {year - 1}",
                    [signed("444000", balance), signed("512100", -balance)])
        post_dividend(ledger, year, results[year - 1])


def post_dividend(ledger: Ledger, year: int, last_result: Decimal) -> None:
    """Post the dividend voted by the June AGM of ``year`` and its payment in July; it is
    taken from « Autres réserves » so that result accounts are never closed."""
    dividend = (last_result * DIVIDEND_PAYOUT[year]).quantize(Decimal("1E3")).quantize(CENT)
    ledger.post(dt.date(year, 6, 30), "OD", f"AGO-{year}", f"Dividendes votés AGO {year}",
                [dr("106800", dividend), cr("457100", dividend)])
    ledger.post(next_business_day(dt.date(year, 7, 10)), "BQ", f"AGO-{year}",
                f"Paiement des dividendes {year}", [dr("457100", dividend), cr("512100", dividend)])


MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre")


def month_name(month: Month) -> str:
    """Return ``month`` in French words: « octobre 2026 »."""
    return f"{MONTH_NAMES[month[1] - 1]} {month[0]}"


def build_ledger(rng: random.Random, invoices: list[Invoice],
                 stocks: dict[Month, tuple[Decimal, Decimal]],
                 schedules: list[list[Instalment]]) -> Ledger:
    """Return the numbered ledger: opening, invoices, bank, payroll, OD, VAT and taxes."""
    ledger = Ledger()
    post_opening(ledger, invoices)
    for invoice in invoices:
        post_invoice(ledger, invoice)
        post_settlement(ledger, invoice)
    for month in months_between(FIRST_MONTH, LAST_MONTH):
        post_payroll(ledger, rng, month)
        post_month_end(ledger, rng, month, stocks)
    for year in range(FIRST_MONTH[0], LAST_MONTH[0] + 1):
        post_local_taxes(ledger, year)
    post_loans(ledger, schedules)
    post_vat_returns(ledger)
    post_income_tax(ledger)
    ledger.number()
    return ledger


PIPELINE = "Ventes industrielles"
STAGES = {"Qualification": "0.10", "Devis envoyé": "0.30", "Négociation": "0.60",
          "Gagné": "1.00", "Perdu": "0.00"}
OWNERS = ("Claire Dubois", "Marc Lefèvre", "Sophie Martin")
OWNER_MIX = {AERO: (5, 1, 3), AUTO: (1, 5, 3), ENERGY: (1, 4, 3), MED: (5, 1, 3)}
CHANNELS = ("Salon professionnel", "Recommandation", "Site web", "Prospection directe")
PARTS = {
    AERO: ("Ferrures aluminium", "Supports moteur titane", "Pièces de train d'atterrissage"),
    AUTO: ("Arbres de transmission", "Carters de boîte", "Pignons usinés"),
    ENERGY: ("Corps de vanne", "Brides inox", "Arbres de turbine"),
    MED: ("Implants titane", "Instruments chirurgicaux", "Composants d'imagerie"),
}
PROSPECTS = {
    AERO: ("Aéro Structures Occitanie", "Spatial Mécanique Toulouse", "Hélicomposants Provence"),
    AUTO: ("Châssis Innovation Lorraine", "Mobilité Électrique Normandie", "Embrayages du Nord"),
    ENERGY: ("Hydrogène Systèmes Grenoble", "Turbines Vapeur Bourgogne", "Réseaux Gaz Techniques"),
    MED: ("Cardio Devices Lyon", "Instruments Dentaires d'Alsace", "Biotech Équipements Nantes"),
}


@dataclass
class Deal:
    """A CRM opportunity of the « Ventes industrielles » pipeline."""

    deal_id: str
    name: str
    customer: str
    segment: str
    stage: str
    amount: Decimal
    created: dt.date
    quoted: dt.date | None
    closed: dt.date | None
    owner: str
    channel: str
    quote_days: int

    @property
    def status(self) -> str:
        """open, won or lost."""
        return {"Gagné": "won", "Perdu": "lost"}.get(self.stage, "open")


def win_rate(segment: str, year: int) -> float:
    """Return the chance of winning a deal: ~50 % in aeronautics, ~30 % in automotive in 2026."""
    if segment == AUTO:
        return 0.30 if year >= 2026 else 0.40
    return {AERO: 0.50, ENERGY: 0.36, MED: 0.38}[segment]


def draft_deal(rng: random.Random, month: Month) -> Deal:
    """Return a deal created in ``month`` (unnumbered), with its outcome at the cutoff."""
    segment = rng.choices(SEGMENTS, (30, 30, 20, 20))[0]
    known = [c for c in CUSTOMERS if c.segment == segment and c.since <= month]
    existing = rng.choices(known, [c.weight for c in known])[0].name
    customer = existing if rng.random() < 0.65 else rng.choice(PROSPECTS[segment])
    amount = Decimal(round(min(250000.0, max(5000.0, rng.lognormvariate(10.3, 0.8))) / 10) * 10)
    created = rng.choice(working_days(month))
    quote_days = 5 + min(15, int(rng.expovariate(1 / 2.6)))
    quoted = created + dt.timedelta(days=quote_days)
    closed = quoted + dt.timedelta(days=rng.randint(15, 90))
    won = rng.random() < win_rate(segment, created.year)
    negotiating = rng.random() < 0.45
    salon = 45 if month[1] in (3, 10) else 15
    channel = rng.choices(CHANNELS, (salon, 30, 25, 30))[0]
    owner = rng.choices(OWNERS, OWNER_MIX[segment])[0]
    if quoted > CUTOFF:
        stage, quote, close = "Qualification", None, None
    elif closed > CUTOFF:
        stage, quote, close = ("Négociation" if negotiating else "Devis envoyé"), quoted, None
    else:
        stage, quote, close = ("Gagné" if won else "Perdu"), quoted, closed
    return Deal("", f"{rng.choice(PARTS[segment])} – {customer}", customer, segment, stage,
                money(amount), created, quote, close, owner, channel, quote_days)


def link_deals(deals: list[Deal], sales: list[Invoice]) -> None:
    """Set the ``deal_id`` of the sale invoices that bill a won deal.

    In close-date order, each won deal takes the first invoices of its customer issued after
    its close date and not yet linked to another deal, until they add up to its amount (three
    invoices at most). Deals won from prospects stay unlinked: prospects are never invoiced.
    """
    by_customer: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in sorted(sales, key=lambda invoice: (invoice.issue, invoice.number)):
        by_customer[invoice.party.name].append(invoice)
    won = sorted((d for d in deals if d.status == "won"), key=lambda d: (d.closed, d.deal_id))
    for deal in won:
        assert deal.closed is not None
        billed, count = ZERO, 0
        for invoice in by_customer.get(deal.customer, []):
            if invoice.issue <= deal.closed or invoice.deal_id:
                continue
            invoice.deal_id = deal.deal_id
            billed, count = billed + invoice.excl_tax, count + 1
            if billed >= deal.amount or count == 3:
                break


def build_deals(rng: random.Random) -> list[Deal]:
    """Return 25-35 new deals a month, numbered per year in creation order."""
    deals = [draft_deal(rng, month) for month in months_between(FIRST_MONTH, LAST_MONTH)
             for _ in range(rng.randint(25, 35))]
    deals.sort(key=lambda deal: deal.created)
    counters: dict[int, int] = defaultdict(int)
    for deal in deals:
        counters[deal.created.year] += 1
        deal.deal_id = f"AFF-{deal.created.year}-{counters[deal.created.year]:04d}"
    return deals


def marketing_month(rng: random.Random, month: Month, channel: str) -> tuple[Decimal, int, int]:
    """Return one channel's spend, leads and new customers in ``month``."""
    number = month[1]
    if channel == "Salon professionnel":
        if number in (3, 10):
            spend = rng.uniform(15000, 20000) if number == 3 else rng.uniform(10000, 14000)
            return money(dec(spend)), rng.randint(22, 40), rng.choices((0, 1, 2), (3, 4, 2))[0]
        spend = rng.uniform(400, 900) if number in (2, 9) else 0.0
        return money(dec(spend)), rng.randint(0, 2), 0
    low, high, leads = {"Recommandation": (0, 300, (2, 6)), "Site web": (1200, 1800, (8, 16)),
                        "Prospection directe": (800, 1500, (5, 12))}[channel]
    new = 1 if rng.random() < 0.11 else 0
    return money(dec(rng.uniform(low, high) * float(inflation(month[0])))), rng.randint(*leads), new


def marketing_plan(rng: random.Random) -> dict[tuple[Month, str], tuple[Decimal, int, int]]:
    """Return spend, leads and new customers by month and channel."""
    return {(month, channel): marketing_month(rng, month, channel)
            for month in months_between(FIRST_MONTH, LAST_MONTH) for channel in CHANNELS}


def delivery_days(rng: random.Random, month: Month) -> float:
    """Return the average delivery lead time: ~20 days, up to ~26 in 2026 (machine ramp-up)."""
    year, number = month
    base = 20.0
    if year == 2025 and number >= 4:
        base = 20.5 + 0.2 * (number - 3)
    elif year >= 2026:
        base = 22.5 + 0.6 * min(number, 6) - 0.2 * max(0, number - 6)
    return base + rng.gauss(0, 0.5)


def on_time_rate(rng: random.Random, month: Month) -> float:
    """Return the on-time delivery rate (%): 92-96, dipping to ~87 in mid-2026."""
    dip = 6.5 * math.exp(-(((month[1] - 6) / 1.6) ** 2)) if month[0] >= 2026 else 0.0
    return min(96.0, max(92.0, 94 + rng.gauss(0, 0.9))) - dip


def return_rate(rng: random.Random, month: Month) -> float:
    """Return the customer return rate (%): ~1 %, with a spike in May 2026."""
    if month == (2026, 5):
        return 2.1 + rng.gauss(0, 0.03)
    return min(1.2, max(0.8, 1.0 + rng.gauss(0, 0.12)))


def ops_values(rng: random.Random, month: Month, ledger_costs: Decimal, revenue: Decimal,
               orders: int, quote_days: list[int]) -> list[float | Decimal]:
    """Return the month's operational metrics, in the order of ``OPS_METRICS``."""
    price = 46 * float(inflation(month[0], "1.02")) * (1.04 if month[0] >= 2026 else 1.0)
    units = round(float(revenue) / price * (1 + rng.gauss(0, 0.015)))
    return [units, orders, delivery_days(rng, month), on_time_rate(rng, month),
            min(99.2, 98.5 + rng.gauss(0, 0.25)), return_rate(rng, month),
            sum(quote_days) / len(quote_days), ledger_costs / units]


OPS_METRICS = (("unites_produites", "pièces", 1), ("commandes_livrees", "commandes", 1),
               ("delai_livraison_jours", "jours", 1), ("taux_livraison_a_temps", "%", 1),
               ("taux_conformite", "%", 1), ("taux_retour", "%", 2),
               ("delai_devis_jours", "jours", 1), ("cout_unitaire", "EUR", 2))
PRODUCTION_COSTS = ("601", "603", "604", "6061", "641", "645", "681")


def ops_rows(rng: random.Random, ledger: Ledger, sales: list[Invoice],
             deals: list[Deal]) -> list[list[str]]:
    """Return the ops_metrics rows, consistent with the ledger, the invoices and the CRM."""
    costs = ledger.net(PRODUCTION_COSTS)
    revenue: dict[Month, Decimal] = defaultdict(Decimal)
    orders: dict[Month, int] = defaultdict(int)
    for invoice in sales:
        revenue[month_of(invoice.issue)] += invoice.excl_tax
        orders[month_of(invoice.issue)] += 1
    quotes: dict[Month, list[int]] = defaultdict(list)
    for deal in deals:
        if deal.quoted:
            quotes[month_of(deal.created)].append(deal.quote_days)
    rows = []
    for month in months_between(FIRST_MONTH, LAST_MONTH):
        values = ops_values(rng, month, costs[month], revenue[month], orders[month], quotes[month])
        for (metric, unit, places), value in zip(OPS_METRICS, values, strict=True):
            rows.append([period(month), metric, fmt_number(value, places), unit, ""])
    return rows


BUDGET_REVENUE = {2025: Decimal("8400000"), 2026: Decimal("8700000")}
BUDGET_LINES = ("chiffre_affaires", "achats_consommes", "autres_achats_charges_externes",
                "impots_taxes", "salaires", "charges_sociales", "dotations_exploitation",
                "charges_financieres", "impot_benefices")


def budget_month(month: Month, interest: Decimal) -> dict[str, Decimal]:
    """Return the budget of ``month`` before income tax (32 % material rate, 45 staff)."""
    year, number = month
    revenue = BUDGET_REVENUE[year] * seasonality(month) / sum(SEASONALITY)
    salaries = 45 * GROSS_SALARY_2023 * Decimal("1.03") ** (year - 2023)
    taxes = {10: 26000 * inflation(year), 12: 18000 * inflation(year)}.get(number, ZERO)
    return {
        "chiffre_affaires": revenue, "achats_consommes": revenue * Decimal("0.32"),
        "autres_achats_charges_externes": revenue * Decimal("0.205") + 24000 * inflation(year),
        "impots_taxes": taxes, "salaires": salaries,
        "charges_sociales": salaries * EMPLOYER_RATE,
        "dotations_exploitation": sum((amount for _, amount in depreciation(month)), ZERO),
        "charges_financieres": interest, "impot_benefices": ZERO,
    }


def budget_rows(schedules: list[list[Instalment]]) -> list[list[str]]:
    """Return the 2025-2026 budget; income tax (25 % of the budgeted profit) falls in December.

    Every line has a row every month, zero included: a missing row means "not budgeted",
    which the engine reports as unavailable rather than reading it as 0.
    """
    interest: dict[Month, Decimal] = defaultdict(Decimal)
    for step in (step for schedule in schedules for step in schedule):
        interest[step.month] += step.interest
    budget = {month: budget_month(month, interest[month])
              for month in months_between((2025, 1), (2026, 12))}
    for year in BUDGET_REVENUE:
        months = [b for month, b in budget.items() if month[0] == year]
        profit = sum(2 * b["chiffre_affaires"] - sum(b.values()) for b in months)
        budget[(year, 12)]["impot_benefices"] = profit * INCOME_TAX_RATE
    return [[period(month), line, fmt_money(euros(lines[line]))]
            for month, lines in budget.items() for line in BUDGET_LINES]


ENTRY_COLUMNS = ("date", "journal", "journal_label", "entry_id", "account", "account_label",
                 "aux_account", "aux_label", "piece_ref", "piece_date", "label", "debit",
                 "credit", "lettering", "lettering_date")
INVOICE_COLUMNS = ("kind", "number", "counterparty", "counterparty_id", "segment", "product",
                   "issue_date", "due_date", "paid_date", "amount_excl_tax", "amount_incl_tax",
                   "discount", "quantity", "unit_price", "deal_id", "status")
DEAL_COLUMNS = ("deal_id", "name", "customer", "pipeline", "stage", "stage_probability",
                "amount", "created_date", "quote_date", "close_date", "status", "owner",
                "segment", "channel")


def fmt_money(value: Decimal) -> str:
    """Return an amount with a decimal comma and two decimals: ``-1234,50``."""
    amount = money(value)
    return f"{amount if amount else ZERO:.2f}".replace(".", ",")


def fmt_number(value: float | Decimal, places: int) -> str:
    """Return a measure with a decimal comma and ``places`` decimals."""
    exponent = Decimal(1).scaleb(-places)
    number = Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)
    return f"{number:.{places}f}".replace(".", ",")


def fmt_date(day: dt.date | None) -> str:
    """Return ``day`` as JJ/MM/AAAA, or an empty string."""
    return day.strftime("%d/%m/%Y") if day else ""


def lettering_codes(invoices: list[Invoice]) -> dict[str, tuple[str, dt.date]]:
    """Return the lettering code and date of each paid invoice: « A12 » (A = settled in 2023)."""
    codes: dict[str, tuple[str, dt.date]] = {}
    counters: dict[tuple[str, int], int] = defaultdict(int)
    paid = sorted((i for i in invoices if i.paid), key=lambda i: (i.paid, i.kind, i.number))
    for invoice in paid:
        assert invoice.paid is not None
        key = (invoice.party.account, invoice.paid.year)
        counters[key] += 1
        codes[invoice.number] = (f"{chr(ord('A') + invoice.paid.year - 2023)}{counters[key]}",
                                 invoice.paid)
    return codes


def entry_rows(ledger: Ledger, invoices: list[Invoice]) -> list[list[str]]:
    """Return one row per movement of the numbered ledger."""
    codes = lettering_codes(invoices)
    rows = []
    for entry in ledger.entries:
        for line in entry.lines:
            code, lettered = codes.get(line.match, ("", None))
            piece, piece_date = line.piece or (entry.piece_ref, entry.piece_date)
            rows.append([fmt_date(entry.date), entry.journal, JOURNALS[entry.journal],
                         entry.entry_id, line.account, ACCOUNTS[line.account], line.aux,
                         PARTY_NAMES.get(line.aux, ""), piece, fmt_date(piece_date), entry.label,
                         fmt_money(line.debit), fmt_money(line.credit), code, fmt_date(lettered)])
    return rows


def invoice_rows(invoices: list[Invoice]) -> list[list[str]]:
    """Return one row per invoice, in date order."""
    return [[i.kind, i.number, i.party.name, i.party.code, i.party.segment, i.product,
             fmt_date(i.issue), fmt_date(i.due), fmt_date(i.paid), fmt_money(i.excl_tax),
             fmt_money(i.incl_tax), fmt_money(i.discount),
             "" if i.quantity is None else str(i.quantity),
             "" if i.unit_price is None else fmt_money(i.unit_price), i.deal_id,
             "paid" if i.paid else "issued"]
            for i in sorted(invoices, key=lambda i: (i.issue, i.kind, i.number))]


def deal_rows(deals: list[Deal]) -> list[list[str]]:
    """Return one row per deal."""
    return [[d.deal_id, d.name, d.customer, PIPELINE, d.stage, STAGES[d.stage].replace(".", ","),
             fmt_money(d.amount), fmt_date(d.created), fmt_date(d.quoted), fmt_date(d.closed),
             d.status, d.owner, d.segment, d.channel] for d in deals]


def loan_rows(schedules: list[list[Instalment]]) -> list[list[str]]:
    """Return the whole loan schedules, past the last month too (a bank's schedule gives every
    instalment to the end: the debt service ahead is read from it)."""
    return [[s.loan.code, s.loan.lender, period(s.month), fmt_money(s.principal),
             fmt_money(s.interest), fmt_money(s.outstanding)]
            for schedule in schedules for s in schedule]


def marketing_rows(plan: dict[tuple[Month, str], tuple[Decimal, int, int]]) -> list[list[str]]:
    """Return one row per month and channel."""
    return [[period(month), channel, fmt_money(spend), str(leads), str(new)]
            for (month, channel), (spend, leads, new) in plan.items()]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write a French CSV file: UTF-8 without BOM, ``;`` separator, ``\\n`` line endings."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(out_dir: Path) -> None:
    """Write the demo company's seven CSV files into ``out_dir`` (created if needed)."""
    revenue = revenue_plan(rng_for("revenue"))
    stocks = stock_plan(rng_for("stocks"))
    marketing = marketing_plan(rng_for("marketing"))
    sales = sale_invoices(rng_for("sales"), revenue)
    invoices = sales + purchase_invoices(rng_for("purchases"), revenue, stocks, marketing)
    invoices.append(machine_invoice())
    schedules = [loan_schedule(loan) for loan in LOANS]
    ledger = build_ledger(rng_for("ledger"), invoices, stocks, schedules)
    deals = build_deals(rng_for("deals"))
    link_deals(deals, sales)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "entries.csv", ENTRY_COLUMNS, entry_rows(ledger, invoices))
    write_csv(out_dir / "invoices.csv", INVOICE_COLUMNS, invoice_rows(invoices))
    write_csv(out_dir / "deals.csv", DEAL_COLUMNS, deal_rows(deals))
    write_csv(out_dir / "ops_metrics.csv", ("period", "metric", "value", "unit", "dimension"),
              ops_rows(rng_for("ops"), ledger, sales, deals))
    write_csv(out_dir / "budget.csv", ("period", "line", "amount"), budget_rows(schedules))
    write_csv(out_dir / "loans.csv", ("loan", "lender", "period", "principal_due",
                                      "interest_due", "outstanding"), loan_rows(schedules))
    write_csv(out_dir / "marketing.csv", ("period", "channel", "spend", "leads", "new_customers"),
              marketing_rows(marketing))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m boardpack.demo.generate [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m boardpack.demo.generate",
                                     description="Écrit les CSV de la société de démonstration.")
    parser.add_argument("--out", type=Path, default=DATA_DIR,
                        help=f"dossier de sortie (par défaut : {DATA_DIR})")
    args = parser.parse_args(argv)
    generate(args.out)
    print(f"Données de démonstration écrites dans {args.out}")


if __name__ == "__main__":
    main()
