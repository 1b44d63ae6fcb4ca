"""A plugin whose register_sections raises; the KPI it registered first must be forgotten too."""

from decimal import Decimal

from boardpack import KPI, hookimpl


class Boom(KPI):
    id = "kpi_boom"
    label = {"fr": "Boum", "en": "Boom"}
    formula = {"fr": "42", "en": "42"}
    unit = "count"

    def compute(self, ctx, window):
        return Decimal(42)


@hookimpl
def register_kpis():
    return [Boom()]


@hookimpl
def register_sections():
    raise RuntimeError("base de référence indisponible")
