"""Packs, sections and charts built in memory through the build's public steps."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from .. import plugins
from ..api.kpis import Figures, KPIResult
from ..api.records import Alert, Issue
from ..api.tables import Table
from ..build import layout_pdf, prepare, render_pack, select_audiences
from ..config import Config
from ..periods import Month
from .data import as_month, demo_datasets, make_config
from .pdf import PdfDocument

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["PackResult", "build_pack", "render_chart", "render_section"]


@dataclass
class PackResult:
    """A pack built in memory by :func:`build_pack`."""

    html: str
    pdf: bytes | None
    engine: Figures
    period: Month
    alerts: list[Alert] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: the sections left out of the pack (their data is absent), with the reason, by name
    left_out: dict[str, str] = field(default_factory=dict)
    #: the tables the sections described for the workbook (``pack.table``), each with its
    #: section's title, in the pack's order
    tables: list[tuple[str, Table]] = field(default_factory=list)

    @property
    def kpis(self) -> dict[str, KPIResult]:
        """The headline result of every KPI (``kpis["ebe"].value``, ``.reason``, ``.status``).

        Computed on first use (every KPI over every window takes a second or two).
        """
        if not hasattr(self, "_kpis"):
            self._kpis = {kpi_id: self.engine.result(kpi, self.period, kpi.headline)  # type: ignore[arg-type]
                          for kpi_id, kpi in self.engine.kpis.items()}
        return self._kpis

    @property
    def document(self) -> PdfDocument:
        """The PDF as a :class:`PdfDocument` (build with ``pdf=True``)."""
        if self.pdf is None:
            raise RuntimeError("build_pack(..., pdf=True) pour obtenir le PDF")
        return PdfDocument(self.pdf)

    def section(self, name: str) -> str:
        """The HTML of one section of the pack (see :func:`render_section`); for a section left
        out of the pack (it raised :class:`~boardpack.api.Unavailable`), « Section non
        disponible : <raison> », the reason its closing page gives."""
        if name in self.left_out:
            return (f'<section class="section section-{name}" id="sec-{name}"><p class="unavailable">Section non disponible : '
                    f"{escape(self.left_out[name])}</p></section>")
        return _section_html(self.html, name)


def build_pack(
    datasets: Mapping[str, pd.DataFrame] | None = None,
    *,
    sections: Sequence[str] = ("kpi_tiles",),
    audience: str = "test",
    period: str | Month | None = "2026-10",
    language: str = "fr",
    theme: str = "default",
    pdf: bool = False,
    config: Config | None = None,
) -> PackResult:
    """Build one audience's pack in memory with the registered plugins.

    :param datasets: the canonical datasets to use; ``None``: the config's sources, or the
        demo company's datasets when no ``config`` is given.
    :param sections, language, theme: the audience's, when no ``config`` is given.
    :param audience: the audience id (it must be in ``config`` when one is given).
    :param period: the pack's month, ``AAAA-MM``; ``None``: the last month of the ledger.
    :param pdf: also lay out the PDF (a second or so per page).
    :raises BoardpackError: as ``boardpack build`` would (unknown section, bad data…).
    """
    if config is None:
        datasets = demo_datasets() if datasets is None else datasets
        config = make_config(audiences={audience: {
            "title": audience.capitalize(), "sections": list(sections), "theme": theme, "language": language,
        }})
    (target,) = select_audiences(config, [audience])
    month = as_month(period) if period is not None else None
    computed = prepare(config, month, datasets=datasets)
    rendered = render_pack(computed, target)
    document = layout_pdf(rendered) if pdf else None
    return PackResult(rendered.html, document, computed.engine, computed.period, list(computed.alerts),
                      list(computed.issues), {g.key: g.reason for g in rendered.gaps if g.kind == "section"},
                      list(rendered.pack.tables))


def render_section(
    name: str,
    datasets: Mapping[str, pd.DataFrame] | None = None,
    *,
    period: str | Month | None = "2026-10",
    language: str = "fr",
) -> str:
    """The HTML of section ``name`` alone (its ``<section>`` element, title included).

    A section that raised :class:`~boardpack.api.Unavailable` shows
    « Section non disponible : <raison> ».
    """
    pack = build_pack(datasets, sections=[name], period=period, language=language)
    return pack.section(name)


def _section_html(html: str, name: str) -> str:
    match = re.search(rf'<section class="section[^"]*" id="sec-{re.escape(name)}">.*?</section>', html, re.DOTALL)
    if match is None:
        raise KeyError(f"section « {name} » absente du dossier")
    return match.group(0)


def render_chart(name: str, data: Mapping[str, Any], *, language: str = "fr", theme: str = "default",
                 width_cm: float = 17, height_cm: float = 7) -> str:
    """Draw registered chart ``name`` with ``data`` in ``theme``'s style; return the SVG text.

    :raises Unavailable: when the chart says it cannot be drawn (a section shows « non disponible »).
    """
    from ..build import chart_style
    from ..formatting import Formatter
    from ..render.charts import ChartRenderer
    from ..theme import resolve_chain

    registry = plugins.get_registry()
    chain = resolve_chain(theme, registry.themes, "theme")
    style, mplstyles = chart_style(chain, Formatter(language, make_config().company.currency))
    return ChartRenderer(registry.charts, style, mplstyles).svg(name, data, width_cm, height_cm)
