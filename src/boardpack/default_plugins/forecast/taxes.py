"""Cash out to the State: VAT by the company's regime (monthly or quarterly CA3, annual CA12 with
its instalments) and corporate-tax instalments and balance."""

from __future__ import annotations

from collections.abc import Sequence

from boardpack.api import Unavailable, hookimpl
from boardpack.api.forecast import VAT_REGIMES, CashLine, ForecastDriver, ForecastInput, corporate_tax_payments, vat_payments
from boardpack.api.periods import Month, Window

from .common import eur, add, cents, flows, label

__all__ = ["CorporateTax", "VAT"]


class VAT(ForecastDriver):
    """The VAT the plan's sales and costs accrue, and what the ledger accrued before, paid on the
    regime's calendar (``[forecast] vat_regime``)."""

    name = "tva"
    label = label("TVA à décaisser", "VAT paid")
    description = "TVA collectée − déductible, payée selon le régime (CA3 mensuelle, trimestrielle, CA12)"
    order = 70
    needs = ("entries",)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line: the VAT returns paid in each month."""
        regime = inputs.options.get("vat_regime") or "mensuel"
        ledger = inputs.data.ledger
        accrued: dict[Month, int] = {}
        if _without_vat_flows(inputs):
            owed = _owed_at(inputs, regime)
            accrued[inputs.as_of] = owed
            history = label(f"TVA due au bilan à fin {inputs.as_of} ({eur(owed)} : 4455 + 4457 − 4456 ; le grand livre "
                            "ne détaille pas la TVA collectée et déductible de chaque mois)",
                            f"VAT owed in the balance sheet at {inputs.as_of} (the ledger has no monthly VAT flows)")
        else:
            first = max(inputs.as_of.shift(-23), ledger.first)
            month = first
            while month <= inputs.as_of:
                window = inputs.data.window("month", month)
                accrued[month] = ledger.flows(("4457",), window, "credit") - ledger.flows(("4456",), window, "debit")
                month = month.shift(1)
            history = label(f"TVA des écritures jusqu'à {inputs.as_of} (4457 − 4456)", "the ledger's VAT")
        for line in inputs.previous:
            for when, amount in line.vat.items():
                if when > inputs.as_of:
                    add(accrued, when, amount)
        paid = vat_payments(accrued, regime, inputs.months)
        basis = label(f"régime {VAT_REGIMES[regime]} ; {history['fr']}, puis celle des ventes et des charges du plan",
                      f"regime {regime}; {history['en']}, then the plan's")
        return [CashLine("tva", self.label, {m: -v for m, v in paid.items()}, basis)]


def _without_vat_flows(inputs: ForecastInput) -> bool:
    """Whether the ledger shows sales (70 credits) but no VAT collected (4457 credits) nor
    deductible (4456 debits) over the twelve months to ``as_of``: a ledger of monthly net
    movements where the VAT accounts are cleared within the month, not a company without VAT."""
    return flows(inputs, ("70",), "credit") > 0 and not flows(inputs, ("4457",), "credit") \
        and not flows(inputs, ("4456",), "debit")


def _owed_at(inputs: ForecastInput, regime: str) -> int:
    """The VAT owed to the State at ``as_of`` from the balance sheet (cents): credit balances of
    4455 and 4457 less the debit balances of 4456 (a VAT credit carried forward included).

    :raises Unavailable: under the annual regime, whose instalments follow last year's VAT.
    """
    if regime == "annuel":
        raise Unavailable("le grand livre ne détaille pas la TVA collectée (4457) et déductible (4456) de chaque "
                          "mois : les acomptes de la CA12, calculés sur la TVA de l'exercice précédent, ne sont pas "
                          "estimables")
    data = inputs.data
    return cents(data.split_balance(("4455", "4457"), inputs.as_of, "credit")) \
        - cents(data.split_balance(("4456",), inputs.as_of, "debit"))


class CorporateTax(ForecastDriver):
    """Corporate-tax instalments (25 % of the last closed year's tax on the 15th of the 3rd, 6th,
    9th and 12th months) and the balance of each year; the current year's tax estimated as the
    tax booked over the last twelve months."""

    name = "impot_societes"
    label = label("Impôt sur les sociétés", "Corporate tax")
    description = "acomptes trimestriels et solde de l'IS"
    order = 75
    needs = ("entries",)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line: instalments and balances."""
        data = inputs.data
        ltm = data.window("ltm", inputs.as_of)
        if not data.ledger.covers(ltm):
            raise Unavailable("moins de douze mois d'écritures : impôt de l'exercice non estimable")
        estimate = cents(data.pl("impot_benefices", ltm))

        def tax_of(span: tuple[Month, Month]) -> int | None:
            start, end = span
            if end <= inputs.as_of:
                window = Window("fy", start, end, data.calendar)
                return cents(data.pl("impot_benefices", window)) if data.ledger.covers(window) else None
            return estimate

        paid = corporate_tax_payments(inputs.months, data.calendar, tax_of)
        basis = label(f"acomptes de 25 % de l'IS du dernier exercice clos, solde après la clôture ; IS de l'exercice "
                      f"en cours estimé à celui des 12 derniers mois ({eur(estimate)})",
                      "25 % instalments of the last closed year's tax, balance after the close; current year's tax "
                      "estimated as the last twelve months'")
        return [CashLine("impot_societes", self.label, {m: -v for m, v in paid.items()}, basis)]


@hookimpl
def register_forecast_drivers() -> list[ForecastDriver]:
    """Register the tax drivers."""
    return [VAT(), CorporateTax()]
