"""The subscriptions dataset as a table of MRR in cents: customers × months.

Every accessor raises :class:`~boardpack.interfaces.Unavailable` with a reason the reader
can act on when a month it needs is outside the data or has no row at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Iterable
from decimal import Decimal

from boardpack.api import Unavailable
from boardpack.api.periods import Month

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["MrrTable", "euros"]


class MrrTable:
    """MRR by customer and month (cents, 0 when the customer has no row that month)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        cents = frame.assign(cents=frame["mrr"].astype("int64"))
        self.table = cents.pivot_table(index="customer", columns="period", values="cents", aggfunc="sum", fill_value=0)
        months = sorted(Month.parse(p) for p in self.table.columns)
        self.first, self.last = months[0], months[-1]
        self.present = {str(m) for m in months}

    def require(self, months: Iterable[Month]) -> None:
        """Check every month is covered by the data (inside its span, with at least one row)."""
        for month in months:
            if not self.first <= month <= self.last:
                raise Unavailable(
                    f"pas de données d'abonnement pour {month} (le jeu « subscriptions » couvre "
                    f"{self.first} à {self.last})"
                )
            if str(month) not in self.present:
                raise Unavailable(f"aucune ligne d'abonnement pour {month} dans le jeu « subscriptions »")

    def at(self, month: Month) -> pd.Series:
        """Each customer's MRR at the end of ``month``, in cents (0 for a non-customer)."""
        self.require([month])
        return self.table[str(month)]

    def total(self, month: Month) -> int:
        """The MRR of ``month``, in cents."""
        return int(self.at(month).sum())

    def first_months(self) -> pd.Series:
        """Each customer's first month with an MRR, as ``AAAA-MM``."""
        active = self.table.gt(0)
        return active.idxmax(axis=1)[active.any(axis=1)]

    def new_customers(self, months: Iterable[Month]) -> list[str]:
        """Customers whose first month is one of ``months`` (never the data's first month)."""
        wanted = [m for m in months]
        if any(m <= self.first for m in wanted):
            raise Unavailable(
                f"les nouveaux clients de {self.first}, premier mois des données, ne se distinguent "
                "pas des clients existants"
            )
        self.require(wanted)
        names = {str(m) for m in wanted}
        firsts = self.first_months()
        return sorted(firsts[firsts.isin(names)].index)

    def acquisition_cost(self, customers: list[str]) -> int:
        """The acquisition cost of ``customers``, in cents; unavailable when one is not given."""
        if "acquisition_cost" not in self.frame.columns:
            raise Unavailable("le jeu « subscriptions » n'a pas de colonne acquisition_cost")
        rows = self.frame[self.frame["customer"].isin(customers)]
        given = rows.groupby("customer")["acquisition_cost"].count()
        missing = [c for c in customers if int(given.get(c, 0)) == 0]
        if missing:
            raise Unavailable(
                f"coût d'acquisition non renseigné pour {len(missing)} nouveau(x) client(s) de la période "
                f"(dont « {missing[0]} ») : colonne acquisition_cost, ligne de son premier mois"
            )
        return int(rows["acquisition_cost"].sum())


def euros(cents: int) -> Decimal:
    """Cents as a Decimal amount in euros."""
    return Decimal(int(cents)).scaleb(-2)
