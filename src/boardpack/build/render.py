"""Render: one audience's pack to HTML — sections' contexts, their templates, the charts.

The theme chain (theme, then its parents) gives the templates, CSS, logo and chart style;
templates resolve user folder → theme → parents → plugin folders → built-in (``default:``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..api.charts import ChartStyle
from ..api.records import Audience
from ..api.sections import Section
from ..default_plugins import DEFAULT_PLUGINS
from ..errors import BoardpackError, RenderError, Unavailable
from ..formatting import Formatter
from ..render.charts import ChartRenderer, PendingCharts
from ..render.templates import BUILTIN_TEMPLATES, make_environment
from ..theme import Theme, resolve_chain
from .commentary import human_commentary
from .compute import Computed
from .facts import quoted_table
from .coverage import Gap, coverage_context, needs_of
from .gates import check_runs
from .pack import Pack
from .validate import themes_of

__all__ = ["RenderedPack", "chart_style", "make_pack", "render_pack"]


@dataclass(frozen=True)
class RenderedPack:
    """One audience's pack rendered to HTML, with the folders its PDF may read and what it took."""

    html: str
    allowed: list[Path]
    pack: Pack
    #: seconds spent drawing charts, and the rest of the rendering
    chart_seconds: float = 0.0
    html_seconds: float = 0.0
    #: the sections and KPIs left out for want of data (listed on the closing page)
    gaps: tuple[Gap, ...] = ()
    #: the rendered sections (``name``, ``title``, ``body``, ``page``), for the combined PDF
    sections: tuple[dict[str, Any], ...] = ()
    #: the theme chain's look: CSS variables' colours and fonts, CSS files (parents first),
    #: logo URI, and the template folders searched before the built-ins
    colours: dict[str, Any] = field(default_factory=dict)
    fonts: dict[str, Any] = field(default_factory=dict)
    stylesheets: tuple[Path, ...] = ()
    logo: str | None = None
    search: tuple[Path, ...] = ()
    #: the charts still to draw where the pack is laid out (``render_pack(defer_charts=True)``):
    #: ``html`` then holds a placeholder for each, which :meth:`PendingCharts.draw` replaces
    charts: PendingCharts | None = None


def _merged(chain: Sequence[Theme], attribute: str) -> dict[str, Any]:
    """A theme chain's ``colours`` or ``fonts``: the closest theme's win over its parents'."""
    merged: dict[str, Any] = {}
    for theme in reversed(chain):
        merged.update(getattr(theme, attribute))
    return merged


def chart_style(chain: Sequence[Theme], fmt: Formatter) -> tuple[ChartStyle, list[Path]]:
    """The style charts are drawn in for a theme chain (the theme first, then its parents), and
    the chain's matplotlib style files (parents first).

    Colours and fonts are the chain's; numbers, amounts and months are formatted by ``fmt``
    (the pack's language and the company's currency).
    """
    colours = _merged(chain, "colours")
    fonts = _merged(chain, "fonts")
    style = ChartStyle(
        colours=colours,
        palette=tuple(colours.get("palette", ["#1f3a5f", "#c8553d", "#5b8e7d", "#f2a541"])),
        font=fonts.get("body", "DejaVu Sans"),
        language=fmt.language,
        money=fmt.money_short,
        number=fmt.number,
        month=fmt.month_short,
        value=fmt.value,
    )
    return style, [t.mplstyle for t in reversed(chain) if t.mplstyle is not None]


def make_pack(computed: Computed, audience: Audience) -> tuple[Pack, list[Theme]]:
    """One audience's :class:`Pack` (what its sections are given) and its theme chain, nothing
    rendered yet: cheap, and no chart library imported until a chart is drawn."""
    config, registry = computed.inputs.config, computed.inputs.registry
    chain = resolve_chain(audience.theme, themes_of(config, registry), f"audiences.{audience.key}.theme")
    fmt = Formatter(audience.language, config.company.currency)
    style, mplstyles = chart_style(chain, fmt)
    renderer = ChartRenderer(registry.charts, style, mplstyles)
    pack = Pack(
        config, audience, computed.period, fmt, computed.engine, renderer, list(computed.alerts),
        check_runs(computed.engine.ctx, registry, config.quality),
        human_commentary(config.commentary_dir, computed.period, audience.key),
        frozenset(name for kpi in registry.kpis.values() for name in kpi.audiences),
        facts=computed.facts.view(),
    )
    return pack, chain


def render_pack(computed: Computed, audience: Audience, defer_charts: bool = False) -> RenderedPack:
    """Render one audience's pack to HTML (its charts drawn), with the folders the PDF may read.

    :param defer_charts: leave the charts to draw where the pack is laid out: the HTML holds
        placeholders, and :attr:`RenderedPack.charts` what drawing them takes.
    """
    registry = computed.inputs.registry
    pack, chain = make_pack(computed, audience)
    fmt, style, renderer = pack.fmt, pack.charts.style, pack.charts
    if defer_charts:
        renderer.defer()
    env = _environment(computed, chain, fmt)
    started = time.perf_counter()
    sections = []
    gaps: list[Gap] = []
    for name in audience.sections:
        section = registry.sections[name]
        pack.current_section, described = pack.label(section.title), len(pack.tables)
        try:
            context = _section_context(section, pack, registry.providers.get(("section", name), ""))
            body = Markup(_render(env, section.template, f"section « {name} »", pack=pack, **context))
        except Unavailable as exc:  # left out, and said on the closing page
            del pack.tables[described:]
            gaps.append(Gap("section", pack.label(section.title), str(exc), needs_of(exc), name))
            continue
        sections.append({
            "name": name, "title": pack.label(section.title), "body": body,
            "page": section.page, "unavailable": None,
        })
    gaps.extend(Gap("kpi", pack.label(kpi.label), reason or "", need, kpi.id) for kpi, need, reason in pack.left_out())
    if pack.facts.quoted():  # the pack's fact table, last sheet of its workbook
        pack.tables.append((pack.t("Faits cités", "Facts quoted"), quoted_table(pack.facts.quoted(), fmt)))
    if gaps:
        descriptions = {name: schema.description for name, schema in registry.datasets.items()}
        context = coverage_context(gaps, audience.language, descriptions)
        sections.append({
            "name": "non_couvert", "title": pack.t("Ce que ce dossier ne couvre pas", "What this pack does not cover"),
            "body": Markup(_render(env, "sections/coverage.html", "la page « ce que ce dossier ne couvre pas »",
                                   pack=pack, **context)),
            "page": "portrait", "unavailable": None,
        })
    css = tuple(css for theme in reversed(chain) for css in theme.css)
    logo = next((t.logo.as_uri() for t in chain if t.logo), None)
    html = _render(
        env, "pack.html", "le dossier",
        pack=pack,
        sections=sections,
        colours=dict(style.colours),
        fonts=_merged(chain, "fonts"),
        stylesheets=[path.as_uri() for path in css],
        logo=logo,
    )
    elapsed = time.perf_counter() - started
    allowed = [t.path for t in chain] + [BUILTIN_TEMPLATES]
    return RenderedPack(html, allowed, pack, renderer.seconds, elapsed - renderer.seconds, tuple(gaps),
                        tuple(sections), dict(style.colours), _merged(chain, "fonts"), css, logo,
                        tuple(_search(computed, chain)),
                        renderer.pending({name: registry.providers.get(("chart", name), "?") for name in registry.charts}))


def _search(computed: Computed, chain: Sequence[Theme]) -> list[Path]:
    """The template folders of a pack before the built-ins: user folder → theme chain → plugins' folders."""
    config, registry = computed.inputs.config, computed.inputs.registry
    section_dirs = [s.templates_dir for s in registry.sections.values() if s.templates_dir]
    user_dir = config.base_dir / "templates"
    return ([user_dir] if user_dir.is_dir() else []) + [t.templates for t in chain if t.templates] + section_dirs


def _environment(computed: Computed, chain: Sequence[Theme], fmt: Formatter) -> jinja2.Environment:
    """The Jinja environment of a pack: user folder → theme chain → plugins' folders → built-ins."""
    return make_environment(_search(computed, chain), fmt)


def _section_context(section: Section, pack: Pack, provider: str) -> dict[str, Any]:
    """``section.context(pack)``; an exception of a third-party plugin other than
    :class:`Unavailable` becomes a :class:`RenderError` naming the section and its plugin (a
    built-in's is a bug of boardpack and keeps its traceback)."""
    try:
        return section.context(pack)
    except (Unavailable, BoardpackError):
        raise
    except Exception as exc:
        if provider in DEFAULT_PLUGINS:
            raise
        raise RenderError(f"section « {section.name} » du plugin « {provider} » : erreur inattendue "
                          f"({type(exc).__name__} : {' '.join(str(exc).split())[:200]}) ; corrigez ou retirez "
                          f"ce plugin, ou retirez la section de audiences.{pack.audience.key}.sections") from None


def _render(env: jinja2.Environment, template: str, what: str, **context: Any) -> str:
    """Render ``template``; a template error (syntax, unknown variable) is a :class:`RenderError`
    naming the template, its line when known, and what it renders."""
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or template
        line = getattr(exc, "lineno", None)
        raise RenderError(f"gabarit {where}{f', ligne {line}' if line else ''} ({what}) : {exc.message or exc} "
                          f"({type(exc).__name__})") from None
