"""Investment-appraisal KPIs: VAN, TRI and payback of the config's ``[investments.<id>]`` projects.

These figures do not depend on the reporting window: a project is an outlay and yearly
cash flows stated in the config. The KPI's value is that of the project marked
``main = true``, or of the only project; ``breakdown`` gives every project's figure by label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boardpack.api import KPI, KPIContext, Unavailable, hookimpl
from boardpack.api.periods import Window
from boardpack.api.settings import Setting, SettingsTable

from .appraisal import NoIRR, irr, npv, payback

__all__ = ["INVESTMENTS", "DelaiRecuperation", "Investment", "TRI", "VAN"]

_AUDIENCES = ("dirigeant", "daf", "banquier")
_NO_PROJECT = "aucun projet d'investissement dans la configuration (tables [investments.<id>])"

#: ``[investments.<id>]``: one table per project, read by the three KPIs of this module.
INVESTMENTS = SettingsTable("investments", (
    Setting("label", "text", None, "libellé du projet (défaut : son identifiant)"),
    Setting("rate", "number", description="taux d'actualisation, 0.08 pour 8 %", above=-1),
    Setting("outlay", "number", description="décaissement initial, en euros"),
    Setting("cash_flows", "numbers", description="flux de trésorerie annuels, en euros"),
    Setting("main", "boolean", False, "le projet montré quand il y en a plusieurs"),
), entries=True, description="projets d'investissement (VAN, TRI, délai de récupération)")


@dataclass(frozen=True)
class Investment:
    """An ``[investments.<id>]`` project: outlay now, then yearly cash flows, at a discount rate."""

    key: str
    label: str
    rate: Decimal
    outlay: Decimal
    cash_flows: tuple[Decimal, ...]
    main: bool = False

    @classmethod
    def from_settings(cls, key: str, values: Mapping[str, Any]) -> Investment:
        """The project of a checked ``[investments.<key>]`` table."""
        return cls(key, values.get("label") or key, values["rate"], values["outlay"], tuple(values["cash_flows"]),
                   bool(values.get("main", False)))


def _projects(ctx: KPIContext) -> tuple[Investment, ...]:
    projects = ctx.settings("investments")
    if not projects:
        raise Unavailable(_NO_PROJECT, needs="[investments]")
    return tuple(Investment.from_settings(key, values) for key, values in projects.items())


def _main_project(ctx: KPIContext) -> Investment:
    """The project marked ``main = true``, else the only one."""
    projects = _projects(ctx)
    main = [project for project in projects if project.main]
    if len(main) == 1:
        return main[0]
    if len(main) > 1:
        labels = ", ".join(project.label for project in main)
        raise Unavailable(f"plusieurs projets marqués main = true ({labels}) : voir le détail par projet")
    if len(projects) == 1:
        return projects[0]
    raise Unavailable("plusieurs projets : voir le détail par projet")


class _ProjectKPI(KPI):
    """A figure of one investment project, independent of the window."""

    needs = ()
    audiences = _AUDIENCES
    nature = "stock"
    settings = (INVESTMENTS,)

    def figure(self, project: Investment) -> Decimal:
        """The figure of ``project``; raise :class:`Unavailable` when it has none."""
        raise NotImplementedError

    def compute(self, ctx: KPIContext, window: Window) -> Decimal:
        """The main (or only) project's figure, whatever the window."""
        return self.figure(_main_project(ctx))

    def breakdown(self, ctx: KPIContext, window: Window) -> Mapping[str, Decimal]:
        """Each project's figure by label (a project without one is left out), largest first."""
        projects = _projects(ctx)
        labels = [project.label for project in projects]
        figures: dict[str, Decimal] = {}
        reasons: list[str] = []
        for project in projects:
            name = project.label if labels.count(project.label) == 1 else f"{project.label} ({project.key})"
            try:
                figures[name] = self.figure(project)
            except Unavailable as exc:
                reasons.append(f"{project.label} : {exc}")
        if not figures:
            raise Unavailable(" ; ".join(reasons))
        return dict(sorted(figures.items(), key=lambda item: (-item[1], item[0])))


class VAN(_ProjectKPI):
    """Net present value of the investment project."""

    id = "van"
    label = {"fr": "VAN du projet d'investissement", "en": "Investment NPV"}
    formula = {
        "fr": "− investissement initial + Σ flux annuels de l'année t / (1 + taux)^t, au taux du "
        "projet ; projet marqué main = true ou seul projet de [investments] ; indépendant de la période",
        "en": "− initial outlay + Σ yearly cash flow of year t / (1 + rate)^t, at the project's rate; "
        "project marked main = true or the only one in [investments]; independent of the period",
    }
    unit = "money"

    def figure(self, project: Investment) -> Decimal:
        """VAN at the project's rate, to the cent."""
        return npv(project.rate, project.outlay, project.cash_flows).quantize(Decimal("0.01"))


class TRI(_ProjectKPI):
    """Internal rate of return of the investment project."""

    id = "tri"
    label = {"fr": "TRI du projet d'investissement", "en": "Investment IRR"}
    formula = {
        "fr": "taux r (en %) tel que − investissement initial + Σ flux de l'année t / (1 + r)^t = 0, "
        "trouvé par dichotomie entre −99 % et 1 000 % ; projet marqué main = true ou seul projet "
        "de [investments] ; indépendant de la période",
        "en": "rate r (in %) such that − initial outlay + Σ cash flow of year t / (1 + r)^t = 0, found "
        "by bisection between −99% and 1,000%; project marked main = true or the only one in "
        "[investments]; independent of the period",
    }
    unit = "percent"

    def figure(self, project: Investment) -> Decimal:
        """TRI in %; unavailable when no single rate zeroes the VAN."""
        try:
            return irr(project.outlay, project.cash_flows) * 100
        except NoIRR as exc:
            raise Unavailable(str(exc)) from None


class DelaiRecuperation(_ProjectKPI):
    """Payback period of the investment project."""

    id = "delai_recuperation"
    label = {"fr": "Délai de récupération de l'investissement", "en": "Investment payback period"}
    formula = {
        "fr": "années jusqu'à ce que le cumul des flux annuels couvre l'investissement initial, "
        "interpolé dans l'année où il est atteint (flux supposés réguliers dans l'année) ; projet "
        "marqué main = true ou seul projet de [investments] ; indépendant de la période",
        "en": "years until the cumulated yearly cash flows cover the initial outlay, interpolated "
        "within the year it happens (flows assumed even over the year); project marked main = true "
        "or the only one in [investments]; independent of the period",
    }
    unit = "years"
    direction = "down"

    def figure(self, project: Investment) -> Decimal:
        """Payback in years; unavailable when the flows never cover the outlay."""
        years = payback(project.outlay, project.cash_flows)
        if years is None:
            count = len(project.cash_flows)
            raise Unavailable(f"les flux prévus ({count} ans) ne couvrent jamais l'investissement initial")
        return years


@hookimpl
def register_kpis() -> list[KPI]:
    """Register the investment-appraisal KPIs."""
    return [VAN(), TRI(), DelaiRecuperation()]
