"""The net result of a period inside a fiscal year not yet closed, after an estimated corporate tax.

A month or a year to date carries no corporate tax in the ledger (it is booked at the closing,
on 695), so its « résultat net » is a pre-tax result. ``resultat_net_estime`` deducts an
estimated tax, at the rate chosen in ``[corporate_tax]``:

* ``method = "effective"`` (default): the effective rate, impôt sur les bénéfices over pre-tax
  result, of the window's own fiscal year when the data closes it (a year to date of last year),
  else of the last closed year (when both are positive; otherwise the legal rates, saying why);
* ``method = "legal"``: the legal rates, ``reduced_rate`` (15 %) up to ``reduced_ceiling``
  (42 500 € a year, prorated to the window's months) then ``normal_rate`` (25 %).

A loss carries no tax. A window that holds the tax (booked in it, or ending with a closed year)
shows the booked net result, no longer an estimate. The budget is taxed the same way when it holds
no tax, so the comparison is like with like.
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

__all__ = ["CORPORATE_TAX", "ResultatNetEstime", "estimated_tax", "tax_on"]

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


def _year_label(year: Window) -> str:
    return f"{year.start.year}" if year.start.year == year.end.year else f"{year.start}–{year.end}"


def _effective_rate(ctx: KPIContext, window: Window) -> tuple[Decimal, Window] | None:
    """The effective rate (in %) to apply to ``window``: its own fiscal year's when that year is
    closed in the data with a tax and a profit, else the year before's; ``None`` if neither."""
    year = ctx.window("fy", window.end)
    candidates = [year] if ctx.ledger.last >= year.end else []
    candidates.append(year.shift_years(1))
    for candidate in candidates:
        try:
            tax, before = ctx.pl("impot_benefices", candidate), _pre_tax(ctx, candidate)
        except Unavailable:
            continue
        if tax > 0 and before > 0:
            return tax / before * 100, candidate
    return None


def tax_on(ctx: KPIContext, window: Window, base: Decimal) -> tuple[Decimal, dict[str, str]]:
    """The corporate tax on a pre-tax ``base`` earned over ``window``, and how it was estimated."""
    settings = ctx.settings("corporate_tax")
    method = str(settings.get("method", "effective"))
    if method not in ("effective", "legal"):
        raise Unavailable(f"[corporate_tax] method = « {method} » : « effective » ou « legal » attendu")
    if base <= 0:
        return Decimal(0), {"fr": "résultat avant impôt négatif ou nul : pas d'impôt estimé",
                            "en": "pre-tax result negative or zero: no tax estimated"}
    found = _effective_rate(ctx, window) if method == "effective" else None
    if found is not None:
        rate, year = found
        tax = base * rate / 100
        return tax, {
            "fr": f"impôt sur les sociétés estimé au taux effectif de l'exercice {_year_label(year)} "
            f"({_FR.percent(rate)}) : {_FR.money(tax)}",
            "en": f"corporate tax estimated at the effective rate of fiscal year {_year_label(year)} "
            f"({_EN.percent(rate)}): {_EN.money(tax)}",
        }
    tax = _legal(base, len(window.months), settings)
    reduced, ceiling, normal = (_setting(settings, n) for n in ("reduced_rate", "reduced_ceiling", "normal_rate"))
    rates = f"{_FR.percent(reduced, 0)} jusqu'à {_FR.money(ceiling)} par an, {_FR.percent(normal, 0)} au-delà"
    rates_en = f"{_EN.percent(reduced, 0)} up to {_EN.money(ceiling)} a year, {_EN.percent(normal, 0)} above"
    why_fr = "pas d'impôt ni de bénéfice au dernier exercice clos : " if method == "effective" else ""
    why_en = "no tax or no profit in the last closed year: " if method == "effective" else ""
    return tax, {"fr": f"{why_fr}impôt sur les sociétés estimé aux taux légaux ({rates}) : {_FR.money(tax)}",
                 "en": f"{why_en}corporate tax estimated at the legal rates ({rates_en}): {_EN.money(tax)}"}


def _booked(ctx: KPIContext, window: Window) -> bool:
    """Whether ``window``'s result already carries its corporate tax: a tax booked in it, or the
    window ends with a fiscal year the data closes."""
    if ctx.pl("impot_benefices", window) != 0:
        return True
    year = ctx.window("fy", window.end)
    return window.end == year.end and ctx.ledger.last >= year.end


def estimated_tax(ctx: KPIContext, window: Window) -> tuple[Decimal, dict[str, str]] | None:
    """The corporate tax estimated for ``window`` and how (``{"fr": …, "en": …}``), or ``None``
    when its result already carries the tax (:func:`_booked`)."""
    if _booked(ctx, window):
        return None
    return tax_on(ctx, window, _pre_tax(ctx, window))


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
        """The net result's budget, after the same estimated tax when the budget holds none over a
        window whose result carries none (so the estimate is compared like with like)."""
        budget = ResultatNet().compute_budget(ctx, window)
        try:
            budgeted_tax = ctx.budget("impot_benefices", window)
        except Unavailable:
            budgeted_tax = Decimal(0)
        if budgeted_tax != 0 or _booked(ctx, window):
            return budget
        return budget - tax_on(ctx, window, budget)[0]


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the estimated net result."""
    return [ResultatNetEstime()]
