"""Section plugins: the :class:`Section` interface and what a section sees (:class:`PackContext`).

A section plugin returns :class:`Section` instances from ``register_sections``; the config
lists them per audience. For each pack the host calls :meth:`Section.context` with the
:class:`PackContext` and renders the section's Jinja template with what it returns (the
template also receives ``pack``). A section computes nothing the host already computed: it
quotes facts (``pack.facts``, :class:`~boardpack.api.facts.Facts`: KPIs, statement lines,
cash-flow lines and their comparisons) and :class:`~boardpack.api.kpis.KPIResult`\\ s; it asks the host for
charts (``pack.chart``) and never reads or writes files. It describes its tables as values
(``pack.table``, :class:`~boardpack.api.tables.Table`) for the pack's workbook.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..formatting import Formatter
from ..periods import Month, WindowKind
from .facts import Facts
from .kpis import KPI, Figures, KPIContext, KPIResult
from .records import Alert, Audience, CheckRun, Company, Issue
from .settings import SettingsTable
from .tables import Table

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["HumanCommentary", "PackContext", "Section"]


@dataclass(frozen=True)
class HumanCommentary:
    """The DAF's own words for the pack, read by the host from the commentary folder.

    ``html`` is the Markdown file rendered (raw HTML disabled); ``source`` its file name.
    """

    html: str
    source: str


class PackContext(Protocol):
    """The pack being built for one audience, as a section sees it."""

    company: Company
    audience: Audience
    #: the reporting month
    period: Month
    #: numbers, money and dates in the pack's language (``pack.fmt.money(x)``)
    fmt: Formatter
    #: every KPI's results, computed once for the build
    engine: Figures
    #: every figure of the build (KPIs, statement and cash-flow lines, comparisons), computed once
    #: and shared by all packs; what the pack quotes through it is its fact table
    facts: Facts
    #: the period's alerts (all audiences; see :meth:`alerts_for_audience`)
    alerts: Sequence[Alert]
    #: data-quality issues found before the build, and the checks that ran
    issues: Sequence[Issue]
    checks: Sequence[CheckRun]
    #: the DAF's commentary for this period and audience, when a file exists
    commentary: HumanCommentary | None

    @property
    def language(self) -> str:
        """``fr`` or ``en``."""

    @property
    def data(self) -> KPIContext:
        """The datasets, ledger and statements: for what is not a figure (a list of invoices,
        the fiscal calendar's windows); figures are quoted from :attr:`facts`."""

    def t(self, fr: str, en: str) -> str:
        """The text of the pack's language."""

    def label(self, labels: Mapping[str, str]) -> str:
        """A ``{"fr": …, "en": …}`` label in the pack's language."""

    def kpi(self, kpi_id: str) -> KPI:
        """The selected KPI ``kpi_id``; :class:`~boardpack.api.Unavailable` if not selected or installed."""

    def result(self, kpi_id: str, kind: WindowKind | None = None) -> KPIResult:
        """KPI ``kpi_id`` over ``kind`` (default: its headline window) ending at the period; its
        value is quoted (recorded in ``facts``)."""

    def series(self, kpi_id: str, months: int = 24, kind: WindowKind = "month") -> list[tuple[Month, Decimal | None]]:
        """Monthly history of a KPI up to the period."""

    def chart(self, name: str, data: Mapping[str, Any], width_cm: float = 17, height_cm: float = 7,
              alt: str = "") -> Markup:
        """Ask the host to draw chart ``name``; the markup to place in the template."""

    def value(self, result: KPIResult, short: bool = False) -> str:
        """A KPI result's value formatted, or « non disponible »."""

    def reason(self, reason: KPIResult | str | None) -> str | None:
        """Why a figure is unavailable (a result's ``reason``, or an :class:`Unavailable`'s
        message), in the pack's language: built-in French reasons read from the message
        catalogue in an English pack; ``None`` for none."""
    def table(self, table: Table) -> Table:
        """Describe one of the section's tables, as values, for the pack's workbook (``build
        --xlsx``); returns ``table``. Tables of a section that turns out unavailable are dropped."""

    def alerts_for_audience(self) -> list[Alert]:
        """The period's alerts meant for this audience."""

    def kpis_for_audience(self) -> list[KPI]:
        """The audience's KPIs, in the config's order or the KPIs meant for this audience."""

    def settings(self, table: str) -> Mapping[str, Any]:
        """A plugin-owned config table, checked and completed with its defaults (empty if absent)."""


class Section(ABC):
    """A part of a pack: a title, a Jinja template and the context to render it with.

    ``template`` is a path such as ``"sections/kpi_tiles.html"``, looked up through the
    theme chain; ``templates_dir`` lets a plugin ship its own templates folder. ``settings``
    declares the config tables the section reads.
    """

    name: ClassVar[str]
    title: ClassVar[Mapping[str, str]]
    template: ClassVar[str]
    templates_dir: ClassVar[Path | None] = None
    #: ``"landscape"`` puts the section on landscape pages (wide tables).
    page: ClassVar[str] = "portrait"
    settings: ClassVar[tuple[SettingsTable, ...]] = ()

    @abstractmethod
    def context(self, pack: PackContext) -> dict[str, Any]:
        """Return the template context; raise :class:`~boardpack.api.Unavailable` to show the section as unavailable."""

    def attachments(self, pack: PackContext) -> list[tuple[str, bytes, str]]:
        """Files the section adds to the pack's PDF/A (``build --pdfa``): ``(file name, content,
        description)``, CSV in the conventions of :mod:`boardpack.render.archive`, so a reader can
        recompute what the section shows. None by default; :class:`~boardpack.api.Unavailable`
        adds nothing."""
        return []
