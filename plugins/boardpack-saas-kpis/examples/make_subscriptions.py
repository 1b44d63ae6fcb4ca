"""Write ``data/subscriptions.csv``: the demo company's SaaS line, month by month.

*Mécanique de Précision du Rhône* (the demo company, about 8 M€ of machining) sells since
January 2024 a subscription software, *Atelier Connect*, that monitors machine tools for
other workshops: three plans (Essentiel 390 €, Pro 890 €, Entreprise 1 900 € a month,
plus optional modules at 120 € each), prices indexed by 3 % every January. Twelve pilot
customers were already subscribed in January 2024 (the reference month); about two new
customers sign each month, at an acquisition cost of 8 to 14 months of their first MRR;
some upgrade, add modules or downgrade, and about 1 % leave each month. By October 2026 the
line has 63 customers and 64 742 € of MRR: an ARR of about 780 k€, a tenth of the company's
revenue, with a net revenue retention of 93 % (to watch) and a CAC payback of 11 months.

The file is generated from a fixed seed, so it is the same on every machine::

    python plugins/boardpack-saas-kpis/examples/make_subscriptions.py
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "subscriptions.csv"
SEED = 2024
FIRST, LAST = (2024, 1), (2026, 10)
PLANS = {"Essentiel": 390, "Pro": 890, "Entreprise": 1900}
ORDER = list(PLANS)
MODULE_PRICE = 120
CHURN = {"Essentiel": 0.016, "Pro": 0.009, "Entreprise": 0.004}
TRADES = ("Usinage", "Décolletage", "Tôlerie", "Fonderie", "Chaudronnerie", "Outillage", "Découpe Laser",
          "Traitements de Surface", "Rectification", "Mécano-soudure", "Forge", "Moules et Modèles")
PLACES = ("de l'Ain", "du Jura", "Savoyarde", "du Forez", "des Alpes", "Bourguignonne", "du Velay", "de la Loire",
          "Dauphinoise", "Drômoise", "Ardéchoise", "du Beaujolais", "de Tarentaise", "du Bugey", "Vellave")


@dataclass
class Customer:
    """One subscriber."""

    name: str
    plan: str
    modules: int
    mrr: Decimal
    acquisition_cost: Decimal | None


def months() -> list[tuple[int, int]]:
    """January 2024 to October 2026."""
    out, (year, month) = [], FIRST
    while (year, month) <= LAST:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def price(plan: str, modules: int, year: int) -> Decimal:
    """List price in euros for ``year`` (indexed by 3 % a year from 2024), to the euro."""
    base = Decimal(PLANS[plan] + MODULE_PRICE * modules) * Decimal("1.03") ** (year - FIRST[0])
    return base.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def generate() -> list[tuple[str, str, Decimal, str, Decimal | None]]:
    """(customer, period, mrr, plan, acquisition cost) rows, by month then customer."""
    rng = random.Random(SEED)
    names = [f"{trade} {place}" for trade in TRADES for place in PLACES]
    rng.shuffle(names)
    active: dict[str, Customer] = {}
    rows = []

    def sign(year: int, cost: bool) -> None:
        plan = rng.choices(ORDER, weights=(50, 35, 15))[0]
        modules = rng.choice((0, 0, 0, 1, 2))
        mrr = price(plan, modules, year)
        acquisition = (mrr * Decimal(rng.randint(80, 140)) / 10).quantize(Decimal(10)) if cost else None
        name = names.pop()
        active[name] = Customer(name, plan, modules, mrr, acquisition)

    for index, (year, month) in enumerate(months()):
        if index == 0:
            for _ in range(12):
                sign(year, cost=False)
        else:
            for customer in list(active.values()):
                if rng.random() < CHURN[customer.plan]:
                    del active[customer.name]
                    continue
                step = ORDER.index(customer.plan)
                draw = rng.random()
                if draw < 0.015 and step < 2:
                    customer.plan = ORDER[step + 1]
                elif draw < 0.02 and step > 0:
                    customer.plan = ORDER[step - 1]
                elif draw < 0.03:
                    customer.modules += 1
                if draw < 0.03 or month == 1:
                    customer.mrr = price(customer.plan, customer.modules, year)
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
                sign(year, cost=True)
        period = f"{year:04d}-{month:02d}"
        for customer in sorted(active.values(), key=lambda c: c.name):
            first = customer.acquisition_cost is not None and not any(r[0] == customer.name for r in rows)
            rows.append((customer.name, period, customer.mrr, customer.plan, customer.acquisition_cost if first else None))
    return rows


def french(amount: Decimal | None) -> str:
    """``1234.5`` → ``1234,50``; empty for None."""
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")


def main() -> None:
    """Write the CSV (``;``, decimal comma, UTF-8), as French tools export it."""
    lines = ["customer;period;mrr;plan;acquisition_cost"]
    lines += [f"{c};{p};{french(m)};{plan};{french(cost)}" for c, p, m, plan, cost in generate()]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT} écrit ({len(lines) - 1} lignes)")


if __name__ == "__main__":
    main()
