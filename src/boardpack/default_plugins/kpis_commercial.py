"""Commercial-steering KPIs from invoices, CRM deals and marketing: from quote to cash.

Conventions shared by the KPIs of this module:

* a *sale invoice* is a row of ``invoices`` with ``kind = sale`` whose status is neither
  ``draft`` nor ``cancelled``; credit notes carry negative amounts and count as such;
* a *customer* is the invoice's ``counterparty`` (its ``counterparty_id`` when the name is
  empty); a customer is *invoiced* over some months when it has a sale invoice of positive
  amount issued in them;
* a figure over a window needs data reaching it: a window that ends after the last month of
  the sale invoices or of the CRM, starts before the first month of the sale invoices, or
  misses a month of the marketing data is unavailable rather than read as zero;
* a delay between two steps counts in the window where its second step happens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from ..formatting import Formatter
from ..hookspecs import hookimpl
from ..interfaces import KPI, Thresholds, Unavailable
from ..kpi_context import KPIContext
from ..periods import Month, Window
from .kpis_sales import TauxTransformation, latest_month

__all__ = [
    "CAFactures", "CAParClient", "CAParOffre", "ValeurMoyenneGagnee", "ValeurMoyenneProposee",
    "TauxTransformationSegment", "DelaiDevisSignature", "DelaiSignatureFacture", "DelaiEncaissement",
    "ClientsPlus90j", "Remises", "RentabiliteEncaissee", "CAC", "LTV", "LTVCAC", "CoutParLead",
    "ROICampagnes", "Churn", "ConversionLeads",
]

_NOT_GIVEN = "non renseigné"
_FR = Formatter("fr")


# ---------------------------------------------------------------- helpers


def _euros(cents: Any) -> Decimal:
    """Integer cents (a sum of a money column) as euros."""
    return Decimal(int(cents)).scaleb(-2)


def _bounds(window: Window) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window's first and last day as timestamps (dates are loaded at midnight)."""
    return pd.Timestamp(window.start.first_day), pd.Timestamp(window.end.last_day)


def _within(dates: pd.Series, window: Window) -> pd.Series:
    """Whether each date falls between the window's first and last day."""
    start, end = _bounds(window)
    return (dates >= start) & (dates <= end)


def _largest_first(values: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))


def _median(values: Iterable[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _labels(values: pd.Series) -> pd.Series:
    """Text keys for a breakdown: an empty cell becomes « non renseigné »."""
    return values.where(values != "", _NOT_GIVEN)


def _filled(frame: pd.DataFrame, column: str, reason: str) -> None:
    """Raise ``reason`` when ``column`` is empty in every row of ``frame``."""
    values = frame[column]
    text = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
    empty = values.isna() | (values == "") if text else values.isna()
    if empty.all():
        raise Unavailable(reason)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its attrs (the source's line numbers), which pandas deep-copies on
    every operation: each filter on the demo invoices would otherwise cost tens of ms."""
    plain = frame.copy(deep=False)
    plain.attrs = {}
    return plain


def _sales(ctx: KPIContext) -> pd.DataFrame:
    """Sale invoices and credit notes, drafts and cancelled ones left out."""
    invoices = _plain(ctx.dataset("invoices"))
    sales = invoices[(invoices["kind"] == "sale") & ~invoices["status"].isin(("draft", "cancelled"))]
    if sales.empty:
        raise Unavailable("le jeu de données « invoices » n'a aucune facture de vente")
    return sales


def _require_invoices(sales: pd.DataFrame, start: Month, end: Month) -> None:
    """Unavailable unless the sale invoices span the months ``start`` to ``end``."""
    first = Month.of(sales["issue_date"].min())
    last = Month.of(sales["issue_date"].max())
    if end > last:
        raise Unavailable(f"pas de factures de vente après {last}")
    if start < first:
        raise Unavailable(f"pas de factures de vente avant {first}")


def _issued(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """Sale invoices issued in ``window`` (which the invoices must cover)."""
    sales = _sales(ctx)
    _require_invoices(sales, window.start, window.end)
    return sales[_within(sales["issue_date"], window)]


def _customer(frame: pd.DataFrame) -> pd.Series:
    """The customer of each invoice: its name, or its id when the name is empty."""
    return frame["counterparty"].where(frame["counterparty"] != "", frame["counterparty_id"])


def _euros_by(keys: pd.Series, cents: pd.Series) -> dict[str, Decimal]:
    """Σ cents grouped by ``keys`` (empty keys as « non renseigné »), in euros, largest first."""
    totals = cents.groupby(_labels(keys)).sum()
    return _largest_first({str(key): _euros(total) for key, total in totals.items()})


def _check_detail(issued: pd.DataFrame) -> None:
    """Where quantity and unit price are given, quantity × unit price − discount = amount HT."""
    if "quantity" not in issued or "unit_price" not in issued:
        return
    detail = issued[issued["quantity"].notna() & issued["unit_price"].notna()]
    for number, quantity, price, discount, amount in zip(
        detail["number"], detail["quantity"], detail["unit_price"], detail["discount"],
        detail["amount_excl_tax"], strict=True,
    ):
        gross = (Decimal(repr(float(quantity))) * int(price)).quantize(Decimal(1), ROUND_HALF_UP)
        computed = gross - (0 if pd.isna(discount) else int(discount))
        if computed != int(amount):
            detailed, declared = _FR.number(_euros(computed), 2), _FR.number(_euros(amount), 2)
            raise Unavailable(
                f"facture {number} : quantité × prix unitaire − remise = {detailed} € "
                f"≠ montant HT {declared} €"
            )


def _share_of_first(split: Mapping[str, Decimal]) -> Decimal:
    total = sum(split.values(), Decimal(0))
    if total <= 0:
        raise Unavailable("CA facturé nul ou négatif sur la période")
    return max(split.values()) / total * 100


def _crm(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """The deals, if the CRM data reaches the window's end."""
    deals = _plain(ctx.dataset("deals"))
    last = latest_month(deals)
    if window.end > last:
        raise Unavailable(f"pas de données CRM après {last}")
    return deals


def _won_in(deals: pd.DataFrame, window: Window) -> pd.DataFrame:
    return deals[(deals["status"] == "won") & _within(deals["close_date"], window)]


def _days(later: pd.Series, earlier: pd.Series) -> list[Decimal]:
    return [Decimal(int(days)) for days in (later - earlier).dt.days]


def _medians_by(keys: pd.Series, days: list[Decimal]) -> dict[str, Decimal]:
    """Median of ``days`` grouped by ``keys`` (empty keys as « non renseigné »), largest first."""
    groups: dict[str, list[Decimal]] = {}
    for key, value in zip(_labels(keys), days, strict=True):
        groups.setdefault(str(key), []).append(value)
    return _largest_first({key: _median(values) for key, values in groups.items()})


def _marketing(ctx: KPIContext, window: Window) -> pd.DataFrame:
    """The marketing rows of the window; unavailable if a month of it has none."""
    frame = _plain(ctx.dataset("marketing"))
    months = [str(month) for month in window.months]
    present = set(frame["period"])
    missing = [month for month in months if month not in present]
    if missing:
        raise Unavailable(f"données marketing absentes pour {missing[0]}")
    return frame[frame["period"].isin(months)]


def _last_12(window: Window) -> Window:
    return Window("ltm", window.end.shift(-11), window.end)


def _gross_margin_rate(ctx: KPIContext, window: Window) -> Decimal:
    """Marge brute / CA of the ledger over ``window`` (a fraction)."""
    revenue = ctx.pl("chiffre_affaires", window)
    if revenue == 0:
        raise Unavailable("CA nul sur la période : pas de taux de marge brute")
    return ctx.pl("marge_brute", window) / revenue


def _invoiced_customers(sales: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Positive sale invoices of ``window`` with their customer (unidentified ones left out)."""
    rows = sales[_within(sales["issue_date"], window) & (sales["amount_excl_tax"] > 0)]
    rows = rows.assign(customer=_customer(rows))
    return rows[rows["customer"] != ""]


def _churn(ctx: KPIContext, end: Month) -> tuple[Decimal, dict[str, Decimal]]:
    """Churn in % at ``end`` and the lost customers with their revenue of the previous 12 months."""
    sales = _sales(ctx)
    _require_invoices(sales, end.shift(-23), end)
    before = _invoiced_customers(sales, Window("ltm", end.shift(-23), end.shift(-12)))
    recent = set(_invoiced_customers(sales, Window("ltm", end.shift(-11), end))["customer"])
    customers = set(before["customer"])
    if not customers:
        raise Unavailable(f"aucun client facturé de {end.shift(-23)} à {end.shift(-12)}")
    lost = before[~before["customer"].isin(recent)]
    revenue = _euros_by(lost["customer"], lost["amount_excl_tax"])
    return Decimal(len(revenue)) / Decimal(len(customers)) * 100, revenue


def _cac(ctx: KPIContext, window: Window) -> Decimal:
    rows = _marketing(ctx, window)
    new = int(rows["new_customers"].sum())
    if new == 0:
        raise Unavailable("aucun nouveau client sur la période")
    return _euros(rows["spend"].sum()) / new


def _ltv(ctx: KPIContext, window: Window) -> Decimal:
    churn, _ = _churn(ctx, window.end)
    if churn == 0:
        raise Unavailable("aucun client perdu sur 12 mois : durée de vie non mesurable")
    year = _last_12(window)
    sales = _sales(ctx)
    revenue = _euros(sales[_within(sales["issue_date"], year)]["amount_excl_tax"].sum())
    customers = _invoiced_customers(sales, year)["customer"].nunique()
    if customers == 0:
        raise Unavailable(f"aucun client facturé de {year.start} à {year.end}")
    margin_per_customer = revenue * _gross_margin_rate(ctx, year) / customers
    return margin_per_customer * 100 / churn


# ---------------------------------------------------------------- revenue


class CAFactures(KPI):
    """Revenue from the sale invoices."""

    id = "ca_factures"
    label = {"fr": "CA facturé", "en": "Invoiced revenue"}
    formula = {
        "fr": "Σ montants HT des factures de vente émises sur la période (avoirs en négatif, "
        "brouillons et factures annulées exclus) ; où quantité et prix unitaire sont donnés, "
        "quantité × prix unitaire − remise doit égaler le montant HT ; ventilation par segment",
        "en": "Σ amounts excl. VAT of sale invoices issued in the period (credit notes negative, "
        "drafts and cancelled invoices left out); where quantity and unit price are given, "
        "quantity × unit price − discount must equal the amount; split by segment",
    }
    unit = "money"
    needs = ("invoices",)
    audiences = ("dirigeant", "daf", "operations")

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ amount_excl_tax of the window's sale invoices, once their detail is checked."""
        issued = _issued(ctx, window)
        _check_detail(issued)
        return _euros(issued["amount_excl_tax"].sum())

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Invoiced revenue by customer segment."""
        _filled(_sales(ctx), "segment", "les factures n'indiquent pas de segment")
        issued = _issued(ctx, window)
        if issued.empty:
            raise Unavailable("aucune facture de vente sur la période")
        return _euros_by(issued["segment"], issued["amount_excl_tax"])


class CAParClient(KPI):
    """Customer concentration: the top customer's share of invoiced revenue."""

    id = "ca_par_client"
    label = {
        "fr": "CA par client (part du premier client)",
        "en": "Revenue by customer (top customer's share)",
    }
    formula = {
        "fr": "CA HT facturé au premier client / CA HT facturé de la période × 100 ; ventilation : "
        "CA HT facturé par client",
        "en": "revenue invoiced to the top customer / revenue invoiced in the period × 100; split: "
        "invoiced revenue by customer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Share of the customer with the largest invoiced revenue, in %."""
        return _share_of_first(self.breakdown(ctx, window))

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Invoiced revenue by customer, largest first."""
        sales = _sales(ctx)
        if (_customer(sales) == "").all():
            raise Unavailable("les factures n'indiquent pas de client")
        issued = _issued(ctx, window)
        if issued.empty:
            raise Unavailable("aucune facture de vente sur la période")
        return _euros_by(_customer(issued), issued["amount_excl_tax"])


class CAParOffre(KPI):
    """Offer mix: the main offer's share of invoiced revenue."""

    id = "ca_par_offre"
    label = {"fr": "CA par offre (part de la première offre)", "en": "Revenue by offer (top offer's share)"}
    formula = {
        "fr": "CA HT facturé de l'offre (colonne product) la plus vendue / CA HT facturé de la "
        "période × 100 ; ventilation : CA HT facturé par offre",
        "en": "revenue invoiced on the best-selling offer (product column) / revenue invoiced in "
        "the period × 100; split: invoiced revenue by offer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = None
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Share of the offer with the largest invoiced revenue, in %."""
        return _share_of_first(self.breakdown(ctx, window))

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Invoiced revenue by offer (product), largest first."""
        _filled(_sales(ctx), "product", "les factures n'indiquent pas d'offre (colonne « product »)")
        issued = _issued(ctx, window)
        if issued.empty:
            raise Unavailable("aucune facture de vente sur la période")
        return _euros_by(issued["product"], issued["amount_excl_tax"])


# ---------------------------------------------------------------- CRM


class ValeurMoyenneGagnee(KPI):
    """Mean amount of the deals won in the window."""

    id = "valeur_moyenne_gagnee"
    label = {"fr": "Valeur moyenne des affaires gagnées", "en": "Average won deal value"}
    formula = {
        "fr": "Σ montants HT des affaires gagnées clôturées sur la période / nombre de ces affaires",
        "en": "Σ amounts excl. VAT of deals won (closed) in the period / number of those deals",
    }
    unit = "money"
    needs = ("deals",)
    audiences = ("dirigeant", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Mean amount of won deals closed between the window's first and last day."""
        won = _won_in(_crm(ctx, window), window)
        if won.empty:
            raise Unavailable("aucune affaire gagnée sur la période")
        return _euros(won["amount"].sum()) / len(won)


class ValeurMoyenneProposee(KPI):
    """Mean amount of the deals quoted in the window."""

    id = "valeur_moyenne_proposee"
    label = {"fr": "Valeur moyenne des affaires proposées", "en": "Average quoted deal value"}
    formula = {
        "fr": "Σ montants HT des affaires dont le devis est daté de la période / nombre de ces "
        "affaires ; une affaire gagnée ou perdue sans date de devis compte à sa date de clôture",
        "en": "Σ amounts excl. VAT of deals quoted in the period / number of those deals; a won or "
        "lost deal without a quote date counts at its close date",
    }
    unit = "money"
    needs = ("deals",)
    direction = None
    audiences = ("dirigeant", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Mean amount of deals quoted (or, without a quote date, closed) in the window."""
        deals = _crm(ctx, window)
        quoted = deals["quote_date"].notna()
        closed = deals["status"].isin(("won", "lost")) & deals["close_date"].notna()
        when = deals["quote_date"].where(quoted, deals["close_date"].where(closed))
        proposed = deals[_within(when, window)]
        if proposed.empty:
            raise Unavailable("aucune affaire proposée sur la période")
        return _euros(proposed["amount"].sum()) / len(proposed)


class TauxTransformationSegment(TauxTransformation):
    """Win rate with its split by segment."""

    id = "taux_transformation_segment"
    label = {"fr": "Taux de transformation par segment", "en": "Win rate by segment"}
    formula = {
        "fr": "affaires gagnées / (gagnées + perdues), parmi les affaires clôturées sur la période "
        "× 100 ; ventilation : le même taux dans chaque segment",
        "en": "won / (won + lost) among deals closed in the period × 100; split: the same rate "
        "within each segment",
    }
    thresholds = None

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Win rate of the deals closed in the window, segment by segment."""
        deals = _crm(ctx, window)
        _filled(deals, "segment", "les affaires n'indiquent pas de segment")
        closed = deals[(deals["status"] != "open") & _within(deals["close_date"], window)]
        if closed.empty:
            raise Unavailable("aucune affaire clôturée sur la période")
        rates = {}
        for segment, group in closed.groupby(_labels(closed["segment"])):
            rates[str(segment)] = Decimal(int((group["status"] == "won").sum())) / Decimal(len(group)) * 100
        return _largest_first(rates)


class DelaiDevisSignature(KPI):
    """Median days from quote to signature."""

    id = "delai_devis_signature"
    label = {"fr": "Délai devis → signature", "en": "Quote-to-signature time"}
    formula = {
        "fr": "médiane des jours entre la date de devis et la date de signature des affaires "
        "gagnées clôturées sur la période ; ventilation par segment",
        "en": "median days from quote date to close date of deals won in the period; split by segment",
    }
    unit = "days"
    needs = ("deals",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def _delays(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, list[Decimal]]:
        deals = _crm(ctx, window)
        if deals["quote_date"].isna().all():
            raise Unavailable("les affaires n'ont pas de date de devis")
        won = _won_in(deals, window)
        won = won[won["quote_date"].notna()]
        if won.empty:
            raise Unavailable("aucune affaire gagnée avec un devis daté sur la période")
        return won, _days(won["close_date"], won["quote_date"])

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Median of close_date − quote_date over won deals closed in the window."""
        return _median(self._delays(ctx, window)[1])

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The median by segment."""
        won, days = self._delays(ctx, window)
        return _medians_by(won["segment"], days)


class DelaiSignatureFacture(KPI):
    """Median days from signature to the first invoice of the deal."""

    id = "delai_signature_facture"
    label = {"fr": "Délai signature → facture", "en": "Signature-to-invoice time"}
    formula = {
        "fr": "médiane des jours entre la signature d'une affaire gagnée et l'émission de sa "
        "première facture (factures reliées par deal_id), pour les affaires dont la première "
        "facture est émise sur la période ; ventilation par segment de l'affaire",
        "en": "median days from a won deal's close date to the issue of its first invoice "
        "(invoices linked by deal_id), for deals first invoiced in the period; split by segment",
    }
    unit = "days"
    needs = ("deals", "invoices")
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def _delays(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, list[Decimal]]:
        deals = _crm(ctx, window)
        sales = _sales(ctx)
        _require_invoices(sales, window.start, window.end)
        linked = sales[sales["deal_id"] != ""] if "deal_id" in sales else sales.iloc[0:0]
        if linked.empty:
            raise Unavailable("les factures ne sont pas reliées aux affaires (colonne « deal_id » vide)")
        first = linked.groupby("deal_id")["issue_date"].min().rename("first_invoice")
        won = deals[(deals["status"] == "won") & deals["close_date"].notna()]
        steps = won.join(first, on="deal_id", how="inner")
        steps = steps[_within(steps["first_invoice"], window)]
        if steps.empty:
            raise Unavailable("aucune affaire gagnée facturée pour la première fois sur la période")
        return steps, _days(steps["first_invoice"], steps["close_date"])

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Median of first linked invoice date − close_date."""
        return _median(self._delays(ctx, window)[1])

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The median by the deals' segment."""
        steps, days = self._delays(ctx, window)
        return _medians_by(steps["segment"], days)


# ---------------------------------------------------------------- cash


class DelaiEncaissement(KPI):
    """Median days from invoice to payment."""

    id = "delai_encaissement"
    label = {"fr": "Délai facture → encaissement", "en": "Invoice-to-cash time"}
    formula = {
        "fr": "médiane des jours entre émission et encaissement des factures de vente (montant "
        "positif) encaissées sur la période ; ventilation par segment",
        "en": "median days from issue to payment of sale invoices (positive amount) paid in the "
        "period; split by segment",
    }
    unit = "days"
    needs = ("invoices",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def _delays(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, list[Decimal]]:
        sales = _sales(ctx)
        _require_invoices(sales, window.start, window.end)
        paid = sales[(sales["amount_excl_tax"] > 0) & _within(sales["paid_date"], window)]
        if paid.empty:
            raise Unavailable("aucune facture de vente encaissée sur la période")
        return paid, _days(paid["paid_date"], paid["issue_date"])

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Median of paid_date − issue_date over invoices paid in the window."""
        return _median(self._delays(ctx, window)[1])

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The median by segment."""
        _filled(_sales(ctx), "segment", "les factures n'indiquent pas de segment")
        paid, days = self._delays(ctx, window)
        return _medians_by(paid["segment"], days)


class ClientsPlus90j(KPI):
    """Share of open receivables issued more than 90 days before the window's end."""

    id = "clients_plus_90j"
    label = {"fr": "Créances clients à plus de 90 jours", "en": "Receivables over 90 days"}
    formula = {
        "fr": "créances TTC ouvertes en fin de période émises plus de 90 jours avant cette date / "
        "créances TTC ouvertes en fin de période × 100 ; créance ouverte = facture de vente émise "
        "au plus tard en fin de période et non encaissée à cette date (encaissée après, ou sans "
        "date d'encaissement ni statut paid ; avoirs en négatif) ; "
        "ventilation : montant TTC à plus de 90 jours par client",
        "en": "open receivables incl. VAT at period end issued more than 90 days before it / open "
        "receivables incl. VAT at period end × 100; open = sale invoice issued by period end and "
        "unpaid at that date (paid later, or with neither a paid date nor the paid status; credit "
        "notes negative); split: amount over 90 days by customer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    thresholds = Thresholds(warn=Decimal(5), alert=Decimal(10))
    audiences = ("daf", "banquier")
    nature = "stock"

    def _open(self, ctx: KPIContext, window: Window) -> tuple[pd.DataFrame, pd.Series]:
        sales = _sales(ctx)
        _require_invoices(sales, window.end, window.end)
        end = pd.Timestamp(window.end.last_day)
        issued = sales[sales["issue_date"] <= end]
        unpaid = (issued["paid_date"].isna() & (issued["status"] != "paid")) | (issued["paid_date"] > end)
        open_items = issued[unpaid]
        if open_items["amount_incl_tax"].sum() <= 0:
            raise Unavailable(f"aucune créance client ouverte à fin {window.end}")
        return open_items, (end - open_items["issue_date"]).dt.days > 90

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Over-90-day share of the open receivables at the window's end, in %."""
        open_items, late = self._open(ctx, window)
        total = _euros(open_items["amount_incl_tax"].sum())
        return _euros(open_items[late]["amount_incl_tax"].sum()) / total * 100

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Receivables over 90 days (TTC) by customer."""
        open_items, late = self._open(ctx, window)
        overdue = open_items[late]
        if overdue.empty:
            raise Unavailable(f"aucune créance de plus de 90 jours à fin {window.end}")
        return _euros_by(_customer(overdue), overdue["amount_incl_tax"])


class Remises(KPI):
    """Discounts granted as a share of list price."""

    id = "remises"
    label = {"fr": "Remises accordées", "en": "Discounts granted"}
    formula = {
        "fr": "Σ remises HT / Σ prix catalogue HT (montant HT + remise) des factures de vente "
        "émises sur la période × 100 ; une remise non renseignée sur une facture compte pour 0",
        "en": "Σ discounts / Σ list price (amount excl. VAT + discount) of sale invoices issued in "
        "the period × 100; an empty discount cell counts as 0",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    audiences = ("daf", "operations")
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Discount over list price, in %."""
        _filled(_sales(ctx), "discount", "les factures n'indiquent pas les remises (colonne « discount »)")
        issued = _issued(ctx, window)
        discount = _euros(issued["discount"].fillna(0).sum())
        listed = _euros(issued["amount_excl_tax"].sum()) + discount
        if listed <= 0:
            raise Unavailable("CA facturé nul sur la période")
        return discount / listed * 100


class RentabiliteEncaissee(KPI):
    """Share of the revenue invoiced in the window already cashed at its end."""

    id = "rentabilite_encaissee"
    label = {
        "fr": "Rentabilité encaissée (part du CA facturé encaissée)",
        "en": "Cashed share of invoiced revenue",
    }
    formula = {
        "fr": "Σ HT des factures de vente émises sur la période et encaissées au plus tard en fin "
        "de période / Σ HT des factures de vente émises sur la période × 100 ; à taux de marge "
        "égal, c'est aussi la part de la marge facturée réellement encaissée ; ventilation par segment",
        "en": "Σ excl. VAT of sale invoices issued in the period and paid by its end / Σ excl. VAT "
        "of sale invoices issued in the period × 100; at an even margin rate, also the share of "
        "invoiced margin actually cashed; split by segment",
    }
    unit = "percent"
    needs = ("invoices",)
    audiences = ("dirigeant", "daf")
    headline = "ltm"

    @staticmethod
    def _share(issued: pd.DataFrame, end: pd.Timestamp) -> Decimal | None:
        invoiced = _euros(issued["amount_excl_tax"].sum())
        if invoiced <= 0:
            return None
        cashed = issued[issued["paid_date"] <= end]
        return _euros(cashed["amount_excl_tax"].sum()) / invoiced * 100

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Cashed share of the window's invoiced revenue, in %."""
        share = self._share(_issued(ctx, window), _bounds(window)[1])
        if share is None:
            raise Unavailable("CA facturé nul sur la période")
        return share

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The cashed share segment by segment (segments with no revenue left out)."""
        _filled(_sales(ctx), "segment", "les factures n'indiquent pas de segment")
        issued = _issued(ctx, window)
        end = _bounds(window)[1]
        shares = {}
        for segment, group in issued.groupby(_labels(issued["segment"])):
            share = self._share(group, end)
            if share is not None:
                shares[str(segment)] = share
        if not shares:
            raise Unavailable("CA facturé nul sur la période")
        return _largest_first(shares)


# ---------------------------------------------------------------- acquisition


class CAC(KPI):
    """Customer acquisition cost."""

    id = "cac"
    label = {"fr": "Coût d'acquisition client (CAC)", "en": "Customer acquisition cost (CAC)"}
    formula = {
        "fr": "dépenses marketing / nouveaux clients sur la période (jeu « marketing ») ; les "
        "dépenses commerciales (force de vente) ne sont pas dans les données : CAC = dépenses "
        "marketing / nouveaux clients",
        "en": "marketing spend / new customers over the period (marketing dataset); sales-force "
        "costs are not in the data: CAC = marketing spend / new customers",
    }
    unit = "money"
    needs = ("marketing",)
    direction = "down"
    audiences = ("dirigeant",)
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ spend / Σ new_customers over the window."""
        return _cac(ctx, window)


class LTV(KPI):
    """Customer lifetime value."""

    id = "ltv"
    label = {"fr": "Valeur vie client (LTV)", "en": "Customer lifetime value (LTV)"}
    formula = {
        "fr": "marge brute annuelle moyenne par client × durée de vie moyenne, sur les 12 mois "
        "finissant en fin de période ; marge annuelle par client = CA facturé des 12 mois × taux "
        "de marge brute du grand livre sur ces 12 mois (marge brute / CA) / clients facturés sur "
        "ces 12 mois ; durée de vie (années) = 1 / churn annuel",
        "en": "average yearly gross margin per customer × average lifetime, over the 12 months "
        "ending at period end; margin per customer = 12-month invoiced revenue × the ledger's "
        "gross margin rate over those months / customers invoiced in them; lifetime (years) = "
        "1 / yearly churn",
    }
    unit = "money"
    needs = ("invoices", "entries")
    audiences = ("dirigeant",)
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Yearly margin per customer divided by the churn rate."""
        return _ltv(ctx, window)


class LTVCAC(KPI):
    """Lifetime value over acquisition cost."""

    id = "ltv_cac"
    label = {"fr": "LTV / CAC", "en": "LTV / CAC"}
    formula = {
        "fr": "LTV / CAC, l'un et l'autre sur les 12 mois finissant en fin de période",
        "en": "LTV / CAC, both over the 12 months ending at period end",
    }
    unit = "ratio"
    needs = ("invoices", "entries", "marketing")
    audiences = ("dirigeant",)
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """LTV over the CAC of the last 12 months."""
        cac = _cac(ctx, _last_12(window))
        if cac == 0:
            raise Unavailable("CAC nul sur 12 mois (aucune dépense marketing)")
        return _ltv(ctx, window) / cac


class CoutParLead(KPI):
    """Marketing cost per lead."""

    id = "cout_par_lead"
    label = {"fr": "Coût par lead", "en": "Cost per lead"}
    formula = {
        "fr": "dépenses marketing / leads générés sur la période ; ventilation par canal (canaux "
        "sans lead exclus)",
        "en": "marketing spend / leads generated in the period; split by channel (channels "
        "without leads left out)",
    }
    unit = "money"
    needs = ("marketing",)
    direction = "down"
    audiences = ("operations",)
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ spend / Σ leads over the window."""
        rows = _marketing(ctx, window)
        leads = int(rows["leads"].sum())
        if leads == 0:
            raise Unavailable("aucun lead sur la période")
        return _euros(rows["spend"].sum()) / leads

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Cost per lead of each channel that brought leads."""
        rows = _marketing(ctx, window)
        totals = rows.groupby("channel")[["spend", "leads"]].sum()
        costs = {str(channel): _euros(row["spend"]) / int(row["leads"])
                 for channel, row in totals.iterrows() if int(row["leads"]) > 0}
        if not costs:
            raise Unavailable("aucun lead sur la période")
        return _largest_first(costs)


class ROICampagnes(KPI):
    """Return on marketing spend, from the margin of the deals each channel won."""

    id = "roi_campagnes"
    label = {"fr": "ROI des campagnes", "en": "Campaign ROI"}
    formula = {
        "fr": "(Σ montants HT des affaires gagnées sur la période dont le canal figure au jeu "
        "« marketing » × taux de marge brute de la période (marge brute / CA du grand livre) − "
        "dépenses marketing) / dépenses marketing × 100 ; ventilation par canal (canaux sans "
        "dépense exclus)",
        "en": "(Σ amounts of deals won in the period whose channel is in the marketing dataset × "
        "gross margin rate of the period (ledger gross margin / revenue) − marketing spend) / "
        "marketing spend × 100; split by channel (channels without spend left out)",
    }
    unit = "percent"
    needs = ("deals", "marketing", "entries")
    audiences = ("dirigeant", "operations")
    headline = "ltm"

    def _by_channel(self, ctx: KPIContext, window: Window) -> pd.DataFrame:
        rows = _marketing(ctx, window)
        deals = _crm(ctx, window)
        _filled(deals, "channel", "les affaires n'indiquent pas de canal d'acquisition")
        rate = _gross_margin_rate(ctx, window)
        won = _won_in(deals, window).groupby("channel")["amount"].sum()
        spend = rows.groupby("channel")["spend"].sum()
        return pd.DataFrame({
            "spend": [_euros(cents) for cents in spend],
            "margin": [_euros(won.get(channel, 0)) * rate for channel in spend.index],
        }, index=spend.index)

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """(Margin won through the marketing channels − their spend) / spend, in %."""
        channels = self._by_channel(ctx, window)
        spend = sum(channels["spend"], Decimal(0))
        if spend == 0:
            raise Unavailable("aucune dépense marketing sur la période")
        return (sum(channels["margin"], Decimal(0)) - spend) / spend * 100

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """ROI of each channel with spend, in %."""
        channels = self._by_channel(ctx, window)
        rois = {str(channel): (row["margin"] - row["spend"]) / row["spend"] * 100
                for channel, row in channels.iterrows() if row["spend"] > 0}
        if not rois:
            raise Unavailable("aucune dépense marketing sur la période")
        return _largest_first(rois)


class Churn(KPI):
    """Customers lost over the last twelve months."""

    id = "churn"
    label = {"fr": "Churn clients", "en": "Customer churn"}
    formula = {
        "fr": "clients facturés sur les 12 mois précédents (M−23 à M−12) et plus facturés sur les "
        "12 derniers mois (M−11 à M) / clients facturés sur les 12 mois précédents × 100, M étant "
        "le dernier mois de la période ; ventilation : CA HT des 12 mois précédents de chaque "
        "client perdu",
        "en": "customers invoiced in the previous 12 months (M−23 to M−12) but not in the last 12 "
        "(M−11 to M) / customers invoiced in the previous 12 months × 100, M being the period's "
        "last month; split: previous-12-month revenue of each lost customer",
    }
    unit = "percent"
    needs = ("invoices",)
    direction = "down"
    audiences = ("dirigeant", "operations")
    nature = "stock"
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Lost customers over customers of the previous twelve months, in %."""
        return _churn(ctx, window.end)[0]

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """The lost customers with the revenue they brought in the previous twelve months."""
        lost = _churn(ctx, window.end)[1]
        if not lost:
            raise Unavailable("aucun client perdu sur les 12 derniers mois")
        return lost


class ConversionLeads(KPI):
    """Leads turned into customers."""

    id = "conversion_leads"
    label = {"fr": "Conversion leads → clients", "en": "Lead-to-customer conversion"}
    formula = {
        "fr": "nouveaux clients / leads générés sur la période × 100 (jeu « marketing »)",
        "en": "new customers / leads generated in the period × 100 (marketing dataset)",
    }
    unit = "percent"
    needs = ("marketing",)
    audiences = ("operations",)
    headline = "ltm"

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """Σ new_customers / Σ leads over the window, in %."""
        rows = _marketing(ctx, window)
        leads = int(rows["leads"].sum())
        if leads == 0:
            raise Unavailable("aucun lead sur la période")
        return Decimal(int(rows["new_customers"].sum())) / leads * 100


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the commercial-steering KPIs."""
    return [
        CAFactures(), CAParClient(), CAParOffre(), ValeurMoyenneGagnee(), ValeurMoyenneProposee(),
        TauxTransformationSegment(), DelaiDevisSignature(), DelaiSignatureFacture(), DelaiEncaissement(),
        ClientsPlus90j(), Remises(), RentabiliteEncaissee(), CAC(), LTV(), LTVCAC(), CoutParLead(),
        ROICampagnes(), Churn(), ConversionLeads(),
    ]
