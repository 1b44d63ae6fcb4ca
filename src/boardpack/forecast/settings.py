"""The config tables of the forecast: ``[forecast]``, ``[forecast_scenarios.<id>]``,
``[financing]`` and ``[debt.<id>]``, and their checks across keys.

The generic checker (:mod:`boardpack.config.tables`) checks each key's kind; :func:`check_tables`
adds what involves several keys or a closed list (an amortisation kind, a month, a deferral
shorter than the duration) and names the key: ``boardpack.toml, clé « financing.deferral » :
…``. It runs with the other config checks, before anything is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..api.settings import Setting, SettingsTable
from ..errors import ConfigError
from ..periods import Month
from .loans import AMORTISATIONS, LoanTerms

__all__ = ["DEBT", "FINANCING", "FORECAST", "SCENARIOS", "VAT_REGIMES", "Financing", "Scenario", "check_tables",
           "debt_terms", "financing_of", "forecast_options", "scenarios_of"]

#: VAT regimes: monthly CA3, quarterly CA3, annual CA12 (régime simplifié)
VAT_REGIMES = {"mensuel": "CA3 mensuelle", "trimestriel": "CA3 trimestrielle", "annuel": "CA12 annuelle (acomptes)"}

FORECAST = SettingsTable("forecast", (
    Setting("minimum_cash", "number", None, "trésorerie minimale en euros (défaut : un mois de décaissements)"),
    Setting("vat_regime", "text", "mensuel", "régime de TVA : mensuel, trimestriel ou annuel"),
    Setting("months", "integer", 12, "mois du plan de trésorerie", minimum=1),
    Setting("drivers", "texts", [], "moteurs de prévision à utiliser (défaut : tous)"),
), description="plan de trésorerie à 12 mois")

SCENARIOS = SettingsTable("forecast_scenarios", (
    Setting("label", "text", None, "libellé du scénario"),
    Setting("sales_pct", "number", 0, "variation des ventes futures en %, −15 pour −15 %"),
    Setting("delay_days", "integer", 0, "jours de retard de paiement des clients en plus"),
    Setting("costs_pct", "number", 0, "variation des charges courantes en %"),
), entries=True, description="scénarios de tension du plan de trésorerie (défaut : ventes −15 %, retard +15 jours)")

_LOAN_KEYS = (
    Setting("amount", "number", None, "montant emprunté, en euros"),
    Setting("rate", "number", None, "taux annuel, 0.042 pour 4,2 %", minimum=0),
    Setting("duration", "integer", None, "durée en mois, différé compris", minimum=1),
    Setting("deferral", "integer", 0, "mois de différé (intérêts seuls)", minimum=0),
    Setting("amortisation", "text", "annuite_constante", "annuite_constante ou amortissement_constant"),
    Setting("lender", "text", None, "prêteur"),
)
FINANCING = SettingsTable("financing", (
    *_LOAN_KEYS,
    Setting("purpose", "text", None, "objet du financement"),
    Setting("start", "text", None, "mois de la première échéance AAAA-MM (défaut : deux mois après la période)"),
    Setting("disbursement", "text", None, "mois du déblocage AAAA-MM (défaut : le mois avant la première échéance)"),
    Setting("in_plan", "boolean", True, "inclure l'emprunt demandé dans le plan de trésorerie"),
), description="le financement demandé à la banque")

DEBT = SettingsTable("debt", (
    *_LOAN_KEYS,
    Setting("start", "text", None, "mois de la première échéance AAAA-MM"),
), entries=True, description="emprunts décrits par leurs conditions, quand l'échéancier n'est pas fourni")

_DEFAULT_SCENARIOS = {
    "ventes_moins_15": {"sales_pct": Decimal(-15), "delay_days": 0, "costs_pct": Decimal(0)},
    "retard_15_jours": {"sales_pct": Decimal(0), "delay_days": 15, "costs_pct": Decimal(0)},
}


@dataclass(frozen=True)
class Scenario:
    """A stress on the plan: sales changed by ``sales_pct`` %, customers paying ``delay_days``
    later, current costs changed by ``costs_pct`` %. The base scenario changes nothing."""

    key: str
    #: the label given in the configuration (``""``: written from the stresses, see :meth:`title`)
    label: str
    sales_pct: Decimal = Decimal(0)
    delay_days: int = 0
    costs_pct: Decimal = Decimal(0)

    def title(self, language: str = "fr") -> str:
        """The configured label, else one written from the stresses in ``language`` (« Ventes −15 % »,
        « Retard de paiement +15 jours » / "Sales −15%", "Payment delay +15 days")."""
        if self.label:
            return self.label
        french = language == "fr"
        if self.key == "base":
            return "Base" if french else "Base case"

        def percent(value: Decimal) -> str:
            text = f"{abs(value).normalize():f}"
            sign = "−" if value < 0 else "+"
            return f"{sign}{text.replace('.', ',')} %" if french else f"{sign}{text}%"

        parts = []
        if self.sales_pct:
            parts.append(("Ventes " if french else "Sales ") + percent(self.sales_pct))
        if self.delay_days:
            days = f"{self.delay_days:+d}".replace("-", "−")
            parts.append(f"Retard de paiement {days} jours" if french else f"Payment delay {days} days")
        if self.costs_pct:
            parts.append(("Charges " if french else "Costs ") + percent(self.costs_pct))
        return ", ".join(parts) or self.key

    @property
    def sales_factor(self) -> Decimal:
        """Multiplier of future sales."""
        return 1 + self.sales_pct / 100

    @property
    def costs_factor(self) -> Decimal:
        """Multiplier of current costs."""
        return 1 + self.costs_pct / 100


BASE = Scenario("base", "")


@dataclass(frozen=True)
class Financing:
    """The loan asked for: its terms, purpose and when it is paid out."""

    terms: LoanTerms
    purpose: str
    disbursement: Month
    in_plan: bool


def _fail(where: str, key: str, message: str) -> ConfigError:
    return ConfigError(f"{where}, clé « {key} » : {message}")


def _month(where: str, key: str, value: Any) -> Month:
    try:
        return Month.parse(str(value))
    except ValueError as exc:
        raise _fail(where, key, str(exc)) from None


def _terms(where: str, path: str, loan: str, values: Mapping[str, Any], start: Month) -> LoanTerms:
    for key in ("amount", "rate", "duration"):
        if values.get(key) is None:
            raise _fail(where, f"{path}.{key}", "clé obligatoire absente")
    if values["amount"] <= 0:
        raise _fail(where, f"{path}.amount", "un montant positif est attendu")
    amortisation = values.get("amortisation") or "annuite_constante"
    if amortisation not in AMORTISATIONS:
        raise _fail(where, f"{path}.amortisation", f"« {amortisation} » inconnu (annuite_constante ou "
                    "amortissement_constant)")
    if values["rate"] >= 1:
        raise _fail(where, f"{path}.rate", f"taux annuel {values['rate']} : écrivez 0.042 pour 4,2 %")
    deferral = int(values.get("deferral") or 0)
    if deferral >= int(values["duration"]):
        raise _fail(where, f"{path}.deferral", f"le différé ({deferral} mois) doit être plus court que la durée "
                    f"({values['duration']} mois)")
    return LoanTerms(loan, str(values.get("lender") or ""), Decimal(values["amount"]), Decimal(values["rate"]),
                     int(values["duration"]), start, amortisation, deferral)


def financing_of(tables: Mapping[str, Mapping[str, Any]], period: Month, where: str = "configuration") -> Financing | None:
    """The ``[financing]`` table as a :class:`Financing`, ``None`` when the config has none.

    :raises ConfigError: on a missing or inconsistent key, naming it.
    """
    values = tables.get("financing") or {}
    given = {k: v for k, v in values.items() if v is not None and k not in ("in_plan", "amortisation", "deferral")}
    if not given:
        return None
    start = _month(where, "financing.start", values["start"]) if values.get("start") else period.shift(2)
    terms = _terms(where, "financing", "Financement demandé", values, start)
    disbursement = (_month(where, "financing.disbursement", values["disbursement"]) if values.get("disbursement")
                    else start.shift(-1))
    if disbursement > start:
        raise _fail(where, "financing.disbursement", f"le déblocage ({disbursement}) suit la première échéance ({start})")
    return Financing(terms, str(values.get("purpose") or ""), disbursement, bool(values.get("in_plan", True)))


def debt_terms(tables: Mapping[str, Mapping[str, Any]], where: str = "configuration") -> list[LoanTerms]:
    """The loans given by their terms (``[debt.<id>]``)."""
    out = []
    for key, values in (tables.get("debt") or {}).items():
        if not values.get("start"):
            raise _fail(where, f"debt.{key}.start", "clé obligatoire absente")
        out.append(_terms(where, f"debt.{key}", key, values, _month(where, f"debt.{key}.start", values["start"])))
    return out


def forecast_options(tables: Mapping[str, Mapping[str, Any]], where: str = "configuration") -> Mapping[str, Any]:
    """``[forecast]`` with its defaults, its closed lists checked."""
    values = dict(FORECAST.defaults())
    values.update({k: v for k, v in (tables.get("forecast") or {}).items() if v is not None or k == "minimum_cash"})
    regime = values.get("vat_regime") or "mensuel"
    if regime not in VAT_REGIMES:
        raise _fail(where, "forecast.vat_regime", f"« {regime} » inconnu ({', '.join(VAT_REGIMES)})")
    if values.get("minimum_cash") is not None and values["minimum_cash"] < 0:
        raise _fail(where, "forecast.minimum_cash", "un montant positif ou nul est attendu")
    return values


def scenarios_of(tables: Mapping[str, Mapping[str, Any]], where: str = "configuration") -> list[Scenario]:
    """The base scenario, then the configured stresses (the two default ones when none is)."""
    given = tables.get("forecast_scenarios") or _DEFAULT_SCENARIOS
    out = [BASE]
    for key, values in given.items():
        if key == "base":
            raise _fail(where, "forecast_scenarios.base", "« base » est le scénario sans tension : choisissez un autre nom")
        if values.get("sales_pct", 0) <= -100:
            raise _fail(where, f"forecast_scenarios.{key}.sales_pct", "une baisse de plus de 100 % est impossible")
        out.append(Scenario(key, str(values.get("label") or ""), Decimal(values.get("sales_pct") or 0),
                            int(values.get("delay_days") or 0), Decimal(values.get("costs_pct") or 0)))
    return out


def check_tables(tables: Mapping[str, Mapping[str, Any]], where: str) -> None:
    """Check the forecast tables across keys, before any build (a month stands in for the period)."""
    forecast_options(tables, where)
    scenarios_of(tables, where)
    financing_of(tables, Month(2000, 1), where)
    debt_terms(tables, where)
    for key, values in (tables.get("investments") or {}).items():
        if values.get("month"):
            _month(where, f"investments.{key}.month", values["month"])
