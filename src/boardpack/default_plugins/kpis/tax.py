"""The net result of a period inside a fiscal year not yet closed, after an estimated corporate tax.

A month or a year to date carries no corporate tax in the ledger (it is booked at the closing,
on 695), so its « résultat net » is a pre-tax result. ``resultat_net_estime`` deducts an
estimated tax, at the rate chosen in ``[corporate_tax]``:

* ``method = "effective"`` (default): the last closed fiscal year's effective rate, its
  impôt sur les bénéfices over its pre-tax result (when both are positive; otherwise the legal
  rates, saying why);
* ``method = "legal"``: the legal rates, ``reduced_rate`` (15 %) up to ``reduced_ceiling``
  (42 500 € a year, prorated to the window's months) then ``normal_rate`` (25 %).

A loss carries no tax. Once the year's tax is booked (or the year is over in the data), the value
is the booked net result, no longer an estimate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from boardpack.api import KPI, KPIContext, Unavailable, hookimpl
from boardpack.api.formatting import Formatter
from boardpack.api.kpis import Estimated
from boardpack.api.periods import Window
from boardpack.api.settings import Setting, SettingsTable

from .finance import ResultatNet

__all__ = ["CORPORATE_TAX", "ResultatNetEstime", "estimated_tax"]

#: ``[corporate_tax]``: how the tax of a period inside an unclosed year is estimated.
CORPORATE_TAX = SettingsTable("corporate_tax", (
    Setting("method", "text", "effective",
            "« effective » (taux effectif du dernier exercice clos) ou « legal » (taux légaux)"),
    Setting("reduced_rate", "number", 15, "taux réduit en % (PME)", minimum=0),
    Setting("reduced_ceiling", "number", 42500, "bénéfice annuel taxé au taux réduit, en euros", minimum=0),
    Setting("normal_rate", "number", 25, "taux normal en %", minimum=0),
), description="estimation de l'impôt sur les sociétés d'un exercice non clos")

_FR, _EN = Formatter("fr"), Formatter("en")


def _pre_tax(ctx: KPIContext, window: Window) -> Decimal:
    """The result before corporate tax (RCAI + exceptionnel − participation)."""
    return ctx.pl("resultat_net", window) + ctx.pl("impot_benefices", window)


def _setting(settings: Mapping[str, Any], name: str) -> Decimal:
    """A number of ``[corporate_tax]``, its default when absent."""
    default = next(s.default for s in CORPORATE_TAX.settings if s.name == name)
    return Decimal(str(settings.get(name, default)))


def _legal(base: Decimal, months: int, settings: Mapping[str, Any]) -> Decimal:
    ceiling = _setting(settings, "reduced_ceiling") * months / 12
    reduced = _setting(settings, "reduced_rate") / 100
    normal = _setting(settings, "normal_rate") / 100
    return reduced * min(base, ceiling) + normal * max(base - ceiling, Decimal(0))


def estimated_tax(ctx: KPIContext, window: Window) -> tuple[Decimal, dict[str, str]] | None:
    """The corporate tax estimated for ``window`` and how (``{"fr": …, "en": …}``), or ``None``
    when the window's fiscal year is closed (its tax booked, or the year over in the data)."""
    year = ctx.window("fy", window.end)
    ledger = ctx.ledger
    booked = ctx.pl("impot_benefices", Window("ytd", year.start, min(year.end, ledger.last)))
    if booked != 0 or ledger.last >= year.end:
        return None
    settings = ctx.settings("corporate_tax")
    method = str(settings.get("method", "effective"))
    if method not in ("effective", "legal"):
        raise Unavailable(f"[corporate_tax] method = « {method} » : « effective » ou « legal » attendu")
    base = _pre_tax(ctx, window)
    if base <= 0:
        return Decimal(0), {"fr": "résultat avant impôt négatif ou nul : pas d'impôt estimé",
                            "en": "pre-tax result negative or zero: no tax estimated"}
    if method == "effective":
        last = year.shift_years(1)
        try:
            tax, before = ctx.pl("impot_benefices", last), _pre_tax(ctx, last)
        except Unavailable:
            tax = before = Decimal(0)
        if tax > 0 and before > 0:
            rate = tax / before * 100
            label = f"{last.start.year}" if last.start.year == last.end.year else f"{last.start}–{last.end}"
            return base * rate / 100, {
                "fr": f"impôt sur les sociétés estimé au taux effectif de l'exercice {label} "
                f"({_FR.percent(rate)}) : {_FR.money(base * rate / 100)}",
                "en": f"corporate tax estimated at the effective rate of fiscal year {label} "
                f"({_EN.percent(rate)}): {_EN.money(base * rate / 100)}",
            }
    tax = _legal(base, len(window.months), settings)
    reduced, ceiling, normal = (_setting(settings, n) for n in ("reduced_rate", "reduced_ceiling", "normal_rate"))
    rates = f"{_FR.percent(reduced, 0)} jusqu'à {_FR.money(ceiling)} par an, {_FR.percent(normal, 0)} au-delà"
    rates_en = f"{_EN.percent(reduced, 0)} up to {_EN.money(ceiling)} a year, {_EN.percent(normal, 0)} above"
    why_fr = "pas d'impôt ni de bénéfice au dernier exercice clos : " if method == "effective" else ""
    why_en = "no tax or no profit in the last closed year: " if method == "effective" else ""
    return tax, {"fr": f"{why_fr}impôt sur les sociétés estimé aux taux légaux ({rates}) : {_FR.money(tax)}",
                 "en": f"{why_en}corporate tax estimated at the legal rates ({rates_en}): {_EN.money(tax)}"}


class ResultatNetEstime(KPI):
    """Net result after an estimated corporate tax while the fiscal year is open."""

    id = "resultat_net_estime"
    label = {"fr": "Résultat net estimé", "en": "Estimated net result"}
    formula = {
        "fr": "résultat avant impôt (RCAI + résultat exceptionnel − participation) − impôt sur les "
        "sociétés estimé, pour une période d'un exercice non clos (aucun impôt comptabilisé) : au taux "
        "effectif du dernier exercice clos (impôt / résultat avant impôt), ou aux taux légaux (15 % "
        "jusqu'à 42 500 € de bénéfice par an, 25 % au-delà), selon [corporate_tax] ; pas d'impôt sur "
        "une perte ; exercice clos : le résultat net comptabilisé",
        "en": "pre-tax result (RCAI + exceptional result − profit sharing) − estimated corporate tax, "
        "for a period of a fiscal year not closed (no tax booked): at the last closed year's effective "
        "rate (tax / pre-tax result), or at the legal rates (15% up to €42,500 of profit a year, 25% "
        "above), per [corporate_tax]; no tax on a loss; closed year: the booked net result",
    }
    unit = "money"
    needs = ("entries",)
    audiences = ("dirigeant", "daf", "banquier")
    settings = (CORPORATE_TAX,)

    def compute(self, ctx: KPIContext, window: Window) -> Decimal | Estimated:
        """Pre-tax result less the estimated tax (an estimate), or the booked net result."""
        estimate = estimated_tax(ctx, window)
        if estimate is None:
            return ctx.pl("resultat_net", window)
        tax, basis = estimate
        return Estimated(_pre_tax(ctx, window) - tax, basis)

    def compute_budget(self, ctx: KPIContext, window: Window) -> Decimal:
        """The net result's budget."""
        return ResultatNet().compute_budget(ctx, window)


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the estimated net result."""
    return [ResultatNetEstime()]
