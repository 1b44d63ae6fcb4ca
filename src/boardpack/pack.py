"""What a section sees while a pack is assembled: the company, the period, the KPIs.

Sections receive a :class:`PackContext` and return the variables of their template; they
ask the host for charts through :meth:`PackContext.chart` and never do IO themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from .config import AudienceConfig, Config
from .formatting import Formatter
from .interfaces import KPI, Alert, Issue, Unavailable
from .kpi_context import KPIContext
from .kpi_engine import KPIEngine, KPIResult
from .periods import Month
from .render.charts import ChartRenderer

__all__ = ["PackContext"]

#: KPI audiences used by the built-in KPIs; an audience with another id sees every KPI.
STANDARD_AUDIENCES = ("dirigeant", "daf", "operations", "banquier")


@dataclass
class PackContext:
    """The pack being built for one audience."""

    config: Config
    audience: AudienceConfig
    period: Month
    fmt: Formatter
    engine: KPIEngine
    charts: ChartRenderer
    alerts: list[Alert] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def language(self) -> str:
        """``fr`` or ``en``."""
        return self.audience.language

    @property
    def data(self) -> KPIContext:
        """The datasets and statements."""
        return self.engine.ctx

    def t(self, fr: str, en: str) -> str:
        """Pick the text of the pack's language."""
        return fr if self.language == "fr" else en

    def label(self, labels: Mapping[str, str]) -> str:
        """A ``{"fr": …, "en": …}`` label in the pack's language."""
        return labels.get(self.language) or labels["fr"]

    def kpi(self, kpi_id: str) -> KPI:
        """The registered, selected KPI ``kpi_id``."""
        if kpi_id not in self.engine.kpis:
            raise Unavailable(f"indicateur « {kpi_id} » non sélectionné ou non installé")
        return self.engine.kpis[kpi_id]

    def result(self, kpi_id: str, kind: str | None = None) -> KPIResult:
        """KPI ``kpi_id`` over ``kind`` (default: the KPI's headline window) ending at the period."""
        kpi = self.kpi(kpi_id)
        return self.engine.result(kpi, self.period, (kind or kpi.headline))  # type: ignore[arg-type]

    def alerts_for_audience(self) -> list[Alert]:
        """The period's alerts meant for this audience (all of them for a non-standard audience)."""
        key = self.audience.key
        return [a for a in self.alerts if key not in STANDARD_AUDIENCES or key in a.audiences]

    def kpis_for_audience(self) -> list[KPI]:
        """The audience's ``kpis`` in that order if the config lists them, else the selected KPIs
        meant for this audience (all of them for a non-standard audience)."""
        if self.audience.kpis:
            return [self.engine.kpis[k] for k in self.audience.kpis if k in self.engine.kpis]
        key = self.audience.key
        return [
            kpi for kpi in self.engine.kpis.values()
            if key not in STANDARD_AUDIENCES or key in kpi.audiences
        ]

    def series(self, kpi_id: str, months: int = 24, kind: str = "month") -> list[tuple[Month, Any]]:
        """Monthly history of a KPI up to the period."""
        return self.engine.history(self.kpi(kpi_id), self.period, months, kind)  # type: ignore[arg-type]

    def chart(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7, alt: str = "") -> Markup:
        """Ask the host to draw chart ``name``; returns the markup to place in the template."""
        return self.charts.img(name, data, width_cm, height_cm, alt)

    def value(self, result: KPIResult, short: bool = False) -> str:
        """A KPI result's value formatted, or « non disponible »."""
        if result.value is None:
            return self.t("non disponible", "not available")
        return self.fmt.value(result.value, result.kpi.unit, short)
