"""A plugin registering a KPI id the built-ins already use."""

from decimal import Decimal

from boardpack import KPI, hookimpl


class Doublon(KPI):
    id = "chiffre_affaires"
    label = {"fr": "Doublon", "en": "Duplicate"}
    formula = {"fr": "42", "en": "42"}
    unit = "money"

    def compute(self, ctx, window):
        return Decimal(42)


@hookimpl
def register_kpis():
    return [Doublon()]
