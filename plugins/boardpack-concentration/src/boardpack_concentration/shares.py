"""Concentration measures of revenue by customer, exact (integer cents, Decimal shares).

Shares are of the total revenue of the customers with a positive net revenue (a customer
whose credit notes exceed its invoices is set aside and counted). The *80/20 point* is the
smallest number of customers, largest first, whose cumulated revenue reaches 80 % of the
total. The Herfindahl-Hirschman index (HHI) is the sum of the squared shares in percent,
from 10 000/N (N equal customers) to 10 000 (a single customer); its inverse, 10 000 / HHI,
is the *equivalent number* of equal-sized customers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["HHI_BANDS", "PARETO_SHARE", "Concentration", "concentration"]

#: The share of revenue the Pareto point is read at, in percent.
PARETO_SHARE = Decimal(80)
#: HHI bands (upper bound, whether the bound belongs to the band, label fr, label en), as
#: competition authorities read them: below 1 500, 1 500 to 2 500 (both included), above 2 500.
HHI_BANDS = (
    (Decimal(1500), False, "peu concentré", "unconcentrated"),
    (Decimal(2500), True, "modérément concentré", "moderately concentrated"),
    (None, False, "fortement concentré", "highly concentrated"),
)


@dataclass(frozen=True)
class Concentration:
    """Revenue by customer, largest first, and what it says about dependence."""

    #: (customer, revenue in cents), positive revenues only, largest first (ties by name)
    customers: tuple[tuple[str, int], ...]
    total: int
    #: customers set aside because their net revenue is zero or negative
    set_aside: int

    @property
    def count(self) -> int:
        """Number of customers with a positive revenue."""
        return len(self.customers)

    def share(self, cents: int) -> Decimal:
        """``cents`` as a percentage of the total."""
        return Decimal(cents) * 100 / Decimal(self.total)

    def shares(self) -> list[Decimal]:
        """Each customer's share in percent, largest first."""
        return [self.share(cents) for _, cents in self.customers]

    def cumulative(self) -> list[Decimal]:
        """Cumulated shares in percent, largest customer first (the last is 100)."""
        running, out = 0, []
        for _, cents in self.customers:
            running += cents
            out.append(self.share(running))
        return out

    def top_share(self, n: int) -> Decimal:
        """The share of the ``n`` largest customers, in percent."""
        return self.share(sum(cents for _, cents in self.customers[:n]))

    def pareto_count(self, share: Decimal = PARETO_SHARE) -> int:
        """The fewest customers whose revenue reaches ``share`` % of the total."""
        return next(i for i, value in enumerate(self.cumulative(), start=1) if value >= share)

    def hhi(self) -> Decimal:
        """Herfindahl-Hirschman index: Σ (share in %)², 0 to 10 000."""
        return sum((s * s for s in self.shares()), Decimal(0))

    def equivalent_count(self) -> Decimal:
        """10 000 / HHI: how many equal-sized customers would give the same concentration."""
        return Decimal(10000) / self.hhi()

    def band(self, language: str = "fr") -> str:
        """The HHI's reading: « peu » (below 1 500), « modérément » (1 500 to 2 500) or « fortement
        concentré » (above 2 500)."""
        hhi = self.hhi()
        for bound, included, fr, en in HHI_BANDS:
            if bound is None or hhi < bound or (included and hhi == bound):
                return fr if language == "fr" else en
        raise AssertionError("unreachable")  # pragma: no cover


def concentration(revenue: Mapping[str, int]) -> Concentration:
    """Measure ``revenue`` (customer → net revenue in cents).

    :raises ValueError: when no customer has a positive revenue.
    """
    positive = sorted(((name, int(c)) for name, c in revenue.items() if c > 0), key=lambda item: (-item[1], item[0]))
    if not positive:
        raise ValueError("no customer with a positive revenue")
    return Concentration(
        customers=tuple(positive),
        total=sum(c for _, c in positive),
        set_aside=sum(1 for c in revenue.values() if c <= 0),
    )
