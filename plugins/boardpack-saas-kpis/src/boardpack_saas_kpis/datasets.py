"""The ``subscriptions`` dataset: each customer's recurring revenue, month by month.

One row per customer and month in which the customer pays a subscription: the MRR is the
monthly recurring revenue (HT) in force at the end of that month. A customer without a
row in a month (or with an MRR of 0) is not a customer that month. The first month of
the file is the reference: customers present then are existing customers, not new ones.
``acquisition_cost`` is what winning the customer cost (sales and marketing, HT), written
once, on the row of its first month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from boardpack.api import hookimpl
from boardpack.api.errors import DataError
from boardpack.api.datasets import Column, DatasetSchema, line_of

from boardpack.api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["SUBSCRIPTIONS", "register_datasets"]


def _check_subscriptions(frame: pd.DataFrame, origin: str) -> None:
    """One row per customer and month; no negative MRR or acquisition cost."""
    duplicated = frame.duplicated(["customer", "period"], keep=False)
    if duplicated.any():
        positions = duplicated.to_numpy().nonzero()[0]
        first, second = int(positions[0]), int(positions[1])
        raise DataError(
            f"{origin}, ligne {line_of(frame, second)} : le client « {frame['customer'].iloc[second]} » a déjà "
            f"une ligne pour {frame['period'].iloc[second]} (ligne {line_of(frame, first)}) ; "
            "une seule ligne par client et par mois, MRR additionnés"
        )
    for column in ("mrr", "acquisition_cost"):
        negative = (frame[column] < 0).fillna(False)
        if negative.any():
            row = int(negative.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{origin}, ligne {line_of(frame, row)}, colonne « {column} » : montant négatif "
                "(une baisse se lit d'un mois sur l'autre, pas en négatif)"
            )


SUBSCRIPTIONS = DatasetSchema(
    name="subscriptions",
    description="Abonnements : MRR de chaque client, mois par mois (une ligne par client et par mois).",
    conventions=(
        "mrr is the monthly recurring revenue (HT) in force at the end of the month; a customer "
        "with no row (or mrr 0) in a month is not a customer that month. The first month of the "
        "data is the reference (its customers are not new). acquisition_cost is the cost of "
        "winning the customer (sales and marketing, HT), on the row of its first month."
    ),
    columns=(
        Column("customer", "str", "identifiant ou nom du client"),
        Column("period", "month", "mois AAAA-MM"),
        Column("mrr", "money", "revenu récurrent mensuel HT en vigueur à la fin du mois", unit="EUR"),
        Column("plan", "str", "offre souscrite", required=False),
        Column(
            "acquisition_cost",
            "money",
            "coût d'acquisition du client (ventes et marketing HT), sur la ligne de son premier mois",
            unit="EUR",
            required=False,
        ),
    ),
    checks=(_check_subscriptions,),
)


@hookimpl
def register_datasets() -> list[DatasetSchema]:
    """Register the ``subscriptions`` dataset."""
    return [SUBSCRIPTIONS]
