"""Cash in from customers: open receivables at each customer's observed payment delay, the
weighted pipeline through the observed quote → signature → invoice → cash delays, and the
run-rate sales (budget, else the same month a year before) the pipeline does not already bring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


from typing import TYPE_CHECKING

from boardpack.api import Unavailable, hookimpl
from boardpack.api.commercial import customer_of, selected_invoices
from boardpack.api.forecast import CashLine, ForecastDriver, ForecastInput
from boardpack.api.lazy import lazy_module
from boardpack.api.periods import Month

from .common import add, cents, eur, flows, label, ltm_days, month_amount, observed_rate, pct, spread, weekly, where_from

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["Pipeline", "Receivables", "RunRateSales", "collection_delays"]

_HISTORY_DAYS = 730  # the delays observed over the two years before the plan
#: a delay the ledger gives beyond this many days is not believed ...
IMPLAUSIBLE_DAYS = 180
#: ... and the legal maximum payment term (Code de commerce L441-10, 60 days from the invoice) is used
LEGAL_DAYS = 60
_RECEIVABLES = ("411", "413", "416", "418")


@dataclass(frozen=True)
class Delays:
    """Observed payment delays (days) at a month-end: by customer, overall, and how they were found."""

    by_customer: dict[str, float]
    overall: float
    basis: str


def _sales(inputs: ForecastInput) -> pd.DataFrame:
    return selected_invoices(inputs.data, "sale")


def collection_delays(inputs: ForecastInput) -> Delays:
    """Mean days from issue to payment of the sale invoices paid in the two years to ``as_of``,
    by customer and overall; from the ledger's DSO when there are no invoices."""
    def compute() -> Delays:
        day = pd.Timestamp(inputs.as_of.last_day)
        if "invoices" in inputs.data.datasets:
            sales = _sales(inputs)
            recent = sales["issue_date"] > day - pd.Timedelta(days=_HISTORY_DAYS)
            paid = sales[sales["paid_date"].notna() & (sales["paid_date"] <= day) & recent & (sales["amount_incl_tax"] > 0)]
            if not paid.empty:
                delays = (paid["paid_date"] - paid["issue_date"]).dt.days.astype(float)
                by_customer = delays.groupby(customer_of(paid)).mean().to_dict()
                return Delays(by_customer, float(delays.mean()), "factures payées des 24 derniers mois")
        receivables = inputs.data.split_balance(_RECEIVABLES, inputs.as_of, "debit")
        invoiced = flows(inputs, _RECEIVABLES, "debit")
        if invoiced <= 0:
            raise Unavailable("ni factures payées ni ventes dans les écritures pour observer un délai de paiement")
        dso = float(cents(receivables)) / invoiced * ltm_days(inputs)
        if dso > IMPLAUSIBLE_DAYS:  # the payments do not go through 411: the ledger tells no delay
            return Delays({}, float(LEGAL_DAYS), f"DSO des écritures de {dso:.0f} j, invraisemblable (règlements hors "
                          f"comptes clients ?) : délai légal maximal de {LEGAL_DAYS} j retenu")
        return Delays({}, dso, "DSO des écritures (sans factures)")

    return inputs.data.memo(("forecast.delays", inputs.as_of), compute)


def sales_vat_rate(inputs: ForecastInput) -> tuple[Decimal, bool]:
    """VAT collected (4457 credits) / sales (70 credits) over the twelve months to ``as_of``."""
    return observed_rate(flows(inputs, ("4457",), "credit"), flows(inputs, ("70",), "credit"), "0.20")


class Receivables(ForecastDriver):
    """Open sale invoices at ``as_of``, each collected at its customer's observed mean delay (an
    overdue one within six weeks)."""

    name = "creances_clients"
    label = label("Encaissement des créances clients", "Receivables collected")
    description = "factures ouvertes encaissées au délai de paiement observé de chaque client"
    order = 10
    needs = ("invoices",)
    fallback = True

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line: the open invoices (or, without invoices, the ledger's receivables) collected."""
        delays = collection_delays(inputs)
        extra = inputs.scenario.delay_days
        day = inputs.as_of.last_day
        amounts: dict[Month, int] = {}
        if "invoices" not in inputs.data.datasets:
            balance = cents(inputs.data.split_balance(_RECEIVABLES, inputs.as_of, "debit"))
            spread(amounts, day + dt.timedelta(days=extra), int(delays.overall), balance)
            basis = label(f"sans factures : solde clients des écritures encaissé sur {delays.overall:.0f} jours "
                          f"({delays.basis})",
                          f"no invoices: the ledger's receivables collected over {delays.overall:.0f} days (DSO)")
            return [CashLine("creances_clients", self.label, amounts, basis)]
        sales = _sales(inputs)
        stamp = pd.Timestamp(day)
        open_ = sales[(sales["issue_date"] <= stamp) & (sales["paid_date"].isna() | (sales["paid_date"] > stamp))]
        late = 0
        for customer, issued, amount in zip(customer_of(open_), open_["issue_date"], open_["amount_incl_tax"]):
            delay = delays.by_customer.get(customer, delays.overall)
            expected = issued.date() + dt.timedelta(days=round(delay))
            if expected <= day:  # overdue: expected within six weeks
                late += int(amount)
                expected = day + dt.timedelta(days=45)
            add(amounts, Month.of(expected + dt.timedelta(days=extra)), int(amount))
        basis = label(f"{len(open_)} factures ouvertes au délai moyen de chaque client ({delays.basis}), "
                      f"dont {eur(late)} en retard attendus sous six semaines",
                      f"{len(open_)} open invoices at each customer's mean delay; {eur(late)} overdue "
                      "expected within six weeks")
        return [CashLine("creances_clients", self.label, amounts, basis)]


def _median_days(later: pd.Series, earlier: pd.Series) -> float | None:
    days = (later - earlier).dt.days.dropna()
    return None if days.empty else float(days.median())


_DAY_NS = 86_400_000_000_000


def _median_gap(later: np.ndarray, earlier: np.ndarray) -> float | None:
    """:func:`_median_days` on datetime64 arrays: whole days (floored) of the pairs without NaT."""
    gaps = (later - earlier).astype("timedelta64[ns]")
    days = gaps[~np.isnat(gaps)].astype(np.int64) // _DAY_NS
    return None if not len(days) else float(np.median(days))


def _deal_arrays(inputs: ForecastInput) -> dict[str, np.ndarray]:
    """The columns of the ``deals`` dataset the pipeline reads, as arrays (once per company):
    the plan is made from many month-ends (its backtest), each a few masks on them."""
    def arrays() -> dict[str, np.ndarray]:
        deals = inputs.data.dataset("deals")
        out = {name: deals[name].to_numpy() for name in ("deal_id", "status", "amount", "stage_probability")}
        for name in ("created_date", "quote_date", "close_date"):
            out[name] = deals[name].to_numpy().astype("datetime64[ns]")
        return out

    return inputs.data.memo("forecast.deal_arrays", arrays)


def _open_probability(inputs: ForecastInput) -> float:
    """The mean stage probability of the deals still open (0.5 without any): the chance given to
    a deal open at a past month-end and since closed, whose stage then is not in the data."""
    deals = inputs.data.dataset("deals")
    still_open = deals[deals["status"] == "open"]["stage_probability"]
    return float(still_open.mean()) if not still_open.empty else 0.5


class Pipeline(ForecastDriver):
    """Open deals, weighted by their stage probability, signed, invoiced and collected at the
    delays observed on the deals won in the two years to ``as_of``."""

    name = "pipeline"
    label = label("Pipeline pondéré (affaires à signer)", "Weighted pipeline")
    description = "affaires ouvertes × probabilité, aux délais devis → signature → facture → encaissement observés"
    order = 20
    needs = ("deals",)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line; its ``invoiced`` tells the run-rate driver what the pipeline already brings."""
        deals = _deal_arrays(inputs)
        stamp = pd.Timestamp(inputs.as_of.last_day)
        at = stamp.to_datetime64()
        created, close, status = deals["created_date"], deals["close_date"], deals["status"]
        known = created <= at
        open_ = np.flatnonzero(known & ((status == "open") | (close > at)))
        recent = close > (stamp - pd.Timedelta(days=_HISTORY_DAYS)).to_datetime64()
        won = np.flatnonzero(known & (status == "won") & (close <= at) & recent)
        if not len(won):
            raise Unavailable("aucune affaire gagnée dans les deux ans : délais de signature non observés")
        quote_to_sign = _median_gap(close[won], deals["quote_date"][won])
        created_to_sign = _median_gap(close[won], created[won]) or 0.0
        sign_to_invoice, linked = 0.0, False
        if "invoices" in inputs.data.datasets and "deal_id" in inputs.data.dataset("invoices"):
            sales = _sales(inputs)
            won_ids = deals["deal_id"][won]
            firsts = sales[sales["deal_id"].isin(won_ids) & (sales["issue_date"] <= stamp)].groupby("deal_id")[
                "issue_date"].min()
            if not firsts.empty:
                closes = pd.Series(close[won], index=won_ids, name="close_date").reindex(firsts.index)
                sign_to_invoice, linked = max(_median_days(firsts, closes) or 0.0, 0.0), True
        delays = collection_delays(inputs)
        vat, _ = sales_vat_rate(inputs)
        default_probability = inputs.data.memo("forecast.open_probability", lambda: _open_probability(inputs))
        # the signature and invoice dates of every open deal, as the loop below once computed them
        # row by row with timestamps: a deal past its usual signature date is expected in the fortnight
        quotes = deals["quote_date"][open_]
        signed = created[open_] + pd.Timedelta(days=created_to_sign).to_timedelta64()
        if quote_to_sign is not None:
            signed = np.where(np.isnat(quotes), signed, quotes + pd.Timedelta(days=quote_to_sign).to_timedelta64())
        signed = np.where(signed <= at, (stamp + pd.Timedelta(days=15)).to_datetime64(), signed)
        issued_at = signed + pd.Timedelta(days=sign_to_invoice).to_timedelta64()
        amounts: dict[Month, int] = {}
        invoiced: dict[Month, int] = {}
        vats: dict[Month, int] = {}
        weighted_total = 0
        factor = float(inputs.scenario.sales_factor)
        after = dt.timedelta(days=round(delays.overall) + inputs.scenario.delay_days)
        rows = zip(deals["amount"][open_].tolist(), deals["stage_probability"][open_].tolist(),
                   status[open_].tolist(), issued_at)
        for amount, stage_probability, state, issued_day in rows:
            probability = float(stage_probability) if state == "open" else default_probability
            weighted = int(int(amount) * probability * factor)
            if weighted <= 0:
                continue
            issued = pd.Timestamp(issued_day).date()
            paid = issued + after
            weighted_total += weighted
            add(invoiced, Month.of(issued), weighted)
            add(vats, Month.of(issued), int(weighted * vat))
            add(amounts, Month.of(paid), int(weighted * (1 + vat)))
        quote = "non observé" if quote_to_sign is None else f"{quote_to_sign:.0f} j"
        basis = label(
            f"{len(open_)} affaires ouvertes, {eur(weighted_total)} HT pondérés ; devis → signature {quote}, "
            f"signature → facture {sign_to_invoice:.0f} j{'' if linked else ' (non observé)'}, facture → encaissement "
            f"{delays.overall:.0f} j",
            f"{len(open_)} open deals, {eur(weighted_total)} weighted; quote → signature {quote}, signature → "
            f"invoice {sign_to_invoice:.0f} d, invoice → cash {delays.overall:.0f} d")
        return [CashLine("pipeline", self.label, amounts, basis, vats, invoiced)]


class RunRateSales(ForecastDriver):
    """Future sales not in the pipeline: the budget's revenue (else the same month a year
    before), less what the pipeline invoices that month, collected at the observed delay."""

    name = "ventes_futures"
    label = label("Ventes futures hors pipeline", "Other future sales")
    description = "CA du budget (à défaut N-1 du même mois) moins le pipeline, encaissé au délai observé"
    order = 30
    needs = ("entries",)

    def project(self, inputs: ForecastInput) -> Sequence[CashLine]:
        """One line, with its VAT collected."""
        delays = collection_delays(inputs)
        vat, observed = sales_vat_rate(inputs)
        pipeline: dict[Month, int] = {}
        for line in inputs.previous:
            for month, amount in line.invoiced.items():
                add(pipeline, month, amount)
        amounts: dict[Month, int] = {}
        vats: dict[Month, int] = {}
        sources = set()
        for month in inputs.months:
            revenue, source = month_amount(inputs, "chiffre_affaires", month)
            sources.add(source)
            sales = max(int(revenue * inputs.scenario.sales_factor) - pipeline.get(month, 0), 0)
            vats[month] = int(sales * vat)
            weekly(amounts, month, delays.overall + inputs.scenario.delay_days, int(sales * (1 + vat)))
        where = where_from(sources)
        basis = label(f"CA : {where['fr']}, moins le pipeline pondéré ; TVA {pct(vat)}"
                      f"{'' if observed else ' (par défaut)'} ; encaissé à {delays.overall:.0f} j ({delays.basis})",
                      f"revenue: {where['en']}, less the weighted pipeline; VAT {pct(vat)}; collected after "
                      f"{delays.overall:.0f} days")
        return [CashLine("ventes_futures", self.label, amounts, basis, vats)]


@hookimpl
def register_forecast_drivers() -> list[ForecastDriver]:
    """Register the customer cash-in drivers."""
    return [Receivables(), Pipeline(), RunRateSales()]
