"""The host's implementation of :class:`boardpack.api.sections.PackContext`: one audience's pack.

Sections receive a :class:`Pack` and return the variables of their template; they ask the
host for charts through :meth:`Pack.chart` and never do IO themselves. Everything a section
may need from the host (the alerts, the data-quality issues and the checks that ran, the
DAF's commentary, the plugin-owned config tables) is handed in here, computed once.
"""

from __future__ import annotations

import re

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from ..api.kpis import KPI, KPIContext, KPIResult
from ..api.records import Alert, Audience, CheckRun, Company, Issue
from ..api.sections import HumanCommentary
from ..api.tables import Table
from ..config import Config
from ..errors import Unavailable
from ..formatting import Formatter
from ..i18n import translate
from ..periods import Month, WindowKind
from ..render.charts import ChartRenderer
from .engine import KPIEngine
from .facts import FactTable, PackFacts

__all__ = ["Pack"]

_ISO_MONTH = re.compile(r"(?<![\d-])(\d{4})-(0[1-9]|1[0-2])(?![\d-])")


@dataclass
class Pack:
    """The pack being built for one audience."""

    config: Config
    audience: Audience
    period: Month
    fmt: Formatter
    engine: KPIEngine
    charts: ChartRenderer
    alerts: Sequence[Alert] = field(default_factory=list)
    checks: Sequence[CheckRun] = ()
    commentary: HumanCommentary | None = None
    #: the audiences the registered KPIs name (``dirigeant``, ``daf``…)
    addressed: frozenset[str] = frozenset()
    #: the tables the sections described (``table``), each with its section's title, in order
    tables: list[tuple[str, Table]] = field(default_factory=list)
    #: the title of the section being rendered (set by the host)
    current_section: str = ""
    #: the build's facts as this pack quotes them (by default a table of the pack's own)
    facts: PackFacts = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.facts is None:
            self.facts = FactTable(self.engine, self.period).view()

    @property
    def company(self) -> Company:
        """The company the pack is about."""
        return self.config.company

    @property
    def issues(self) -> Sequence[Issue]:
        """The data-quality issues found before the build."""
        return self.engine.issues

    def settings(self, table: str) -> Mapping[str, Any]:
        """A plugin-owned config table, checked and completed with its defaults (empty if absent)."""
        return self.config.tables.get(table, {})

    def _addressed(self, key: str) -> bool:
        """Whether the plugins address audience ``key`` by name (a registered KPI lists it in its
        ``audiences``); an audience no plugin names (``conseil``) sees every KPI and every alert."""
        return key in self.addressed

    @property
    def language(self) -> str:
        """``fr`` or ``en``."""
        return self.audience.language

    @property
    def data(self) -> KPIContext:
        """The datasets, ledger and statements."""
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

    def result(self, kpi_id: str, kind: WindowKind | None = None) -> KPIResult:
        """KPI ``kpi_id`` over ``kind`` (default: the KPI's headline window) ending at the period."""
        result = self._result(kpi_id, kind)
        self.facts.kpi(kpi_id, result.window)  # quoted: in the pack's fact table
        return result

    def _result(self, kpi_id: str, kind: WindowKind | None = None) -> KPIResult:
        """:meth:`result` without quoting it (to choose what the pack shows)."""
        kpi = self.kpi(kpi_id)
        return self.engine.result(kpi, self.period, kind or kpi.headline)  # type: ignore[arg-type]

    def alerts_for_audience(self) -> list[Alert]:
        """The period's alerts meant for this audience (all of them for a non-standard audience)."""
        key = self.audience.key
        return [a for a in self.alerts if not self._addressed(key) or key in a.audiences]

    def _audience_kpis(self) -> list[KPI]:
        if self.audience.kpis:
            return [self.engine.kpis[k] for k in self.audience.kpis if k in self.engine.kpis]
        key = self.audience.key
        return [
            kpi for kpi in self.engine.kpis.values()
            if not self._addressed(key) or key in kpi.audiences
        ]

    def kpis_for_audience(self) -> list[KPI]:
        """The audience's ``kpis`` in that order if the config lists them, else the selected KPIs
        meant for this audience (all of them for a non-standard audience); without those whose
        data is absent (:meth:`left_out`)."""
        return [kpi for kpi in self._audience_kpis() if self._result(kpi.id).needs is None]

    def left_out(self) -> list[tuple[KPI, str, str | None]]:
        """The audience's KPIs left out for want of data: each with what it needs and the reason
        (listed on the pack's closing page « Ce que ce dossier ne couvre pas »)."""
        out = []
        for kpi in self._audience_kpis():
            result = self._result(kpi.id)
            if result.needs is not None:
                out.append((kpi, result.needs, result.reason))
        return out

    def series(self, kpi_id: str, months: int = 24, kind: WindowKind = "month") -> list[tuple[Month, Decimal | None]]:
        """Monthly history of a KPI up to the period."""
        return self.engine.history(self.kpi(kpi_id), self.period, months, kind)

    def chart(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7, alt: str = "") -> Markup:
        """Ask the host to draw chart ``name``; returns the markup to place in the template."""
        return self.charts.img(name, data, width_cm, height_cm, alt, section=self.current_section)

    def reason(self, reason: KPIResult | str | None) -> str | None:
        """Why a figure is unavailable, in the pack's language (English from the catalogue)."""
        text = reason.reason if isinstance(reason, KPIResult) else reason
        if text is None:
            return None
        # a month a plugin wrote as « 2026-02 » is read « février 2026 » (not a full date « 2026-02-15 »)
        return _ISO_MONTH.sub(lambda m: self.fmt.month(Month(int(m[1]), int(m[2]))),
                              translate(str(text), self.language))
    def table(self, table: Table) -> Table:
        """Keep one of the current section's tables for the pack's workbook; returns it."""
        if not isinstance(table, Table):
            raise TypeError(f"pack.table attend un boardpack.api.Table, pas {type(table).__name__}")
        self.tables.append((self.current_section, table))
        return table

    def value(self, result: KPIResult, short: bool = False) -> str:
        """A KPI result's value formatted, or « non disponible »."""
        if result.value is None:
            return self.t("non disponible", "not available")
        text = self.fmt.value(result.value, result.kpi.unit, short)
        if result.estimate is not None:  # a fallback basis: said as such
            return f"≈\u00a0{text}" if short else f"≈\u00a0{text} ({self.t('estimation', 'estimate')})"
        return text
