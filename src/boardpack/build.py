"""The build: load → validate → compute → render (charts, HTML) → PDF, timed per stage.

:class:`Session` holds one configuration's data and KPI engine; :func:`build` makes one
PDF per audience from it, optionally PDF/A-3b with the figures attached as CSV and
optionally one more PDF binding every audience's pack. Charts and HTML are rendered here;
the PDFs are laid out in worker processes (:class:`~boardpack.render.pdf.Layouts`), each
pack as soon as its HTML is ready. Stage timings are kept in :attr:`BuildResult.timings`
for ``benchmarks/build_demo.py``; with workers, ``pdf`` is the time spent waiting for them
after the last HTML, plus writing.
"""

from __future__ import annotations

import difflib
import re
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from .accounting import Statements
from .config import (
    AudienceConfig,
    CompanyConfig,
    Config,
    PluginConfig,
    load_config,
    resolve_secrets,
)
from .errors import ConfigError, DataError
from .formatting import Formatter
from .gates import blocking, check_ignored, run_alerts, run_quality
from .interfaces import Alert, DataSource, Issue, Unavailable
from .kpi_context import KPIContext
from .kpi_engine import KPIEngine
from .pack import PackContext
from .periods import Month
from .plugins import Registry, get_registry
from .render.archive import pack_files
from .render.charts import ChartRenderer
from .render.pdf import (
    Binding,
    Layouts,
    PdfJob,
    bound_pdf,
    html_to_pdf,
    pdfs_and_bound,
    write_atomically,
)
from .render.templates import BUILTIN_TEMPLATES, make_environment
from .snapshots import Snapshot, snapshot_sources
from .theme import ChartStyle, Theme, resolve_chain

__all__ = ["BuildResult", "RenderedPack", "Session", "build", "chart_style", "render_pack"]

Progress = Callable[[str], None]
STAGES = ("load", "validate", "compute", "charts", "html", "pdf")
#: Key of the bound PDF among the layouts of a build (not a string: no audience id is one).
_BOUND = ("bound",)


@dataclass(frozen=True)
class RenderedPack:
    """One audience's pack rendered to HTML, with the folders its PDF may read."""

    html: str
    allowed: list[Path]
    pack: PackContext


@dataclass
class BuildResult:
    """What a build produced and how long each stage took (seconds)."""

    period: Month
    #: one PDF per audience, by audience id
    paths: dict[str, Path] = field(default_factory=dict)
    #: the PDF binding every selected audience's pack (``combined=True``)
    combined: Path | None = None
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    html: dict[str, str] = field(default_factory=dict)
    receipts: list[str] = field(default_factory=list)
    #: data-quality issues found before the build, and the alerts of the period
    issues: list[Issue] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    #: each audience's pack context (figures, labels, formatter), by audience id
    packs: dict[str, PackContext] = field(default_factory=dict)
    #: the blocking data-quality issues that held the build (``hold=True``): no PDF written
    held: list[Issue] = field(default_factory=list)


class Session:
    """One configuration's data, checked and ready for KPIs and packs."""

    def __init__(self, config: Config, registry: Registry | None = None, strict: bool = False,
                 refresh: bool = False, period: Month | None = None, progress: Progress | None = None) -> None:
        self.config = config
        self.registry = registry or get_registry()
        self.strict = strict
        #: remote sources: fetch live and write a new snapshot instead of reading the latest
        self.refresh = refresh
        #: the pack's month, when known: remote sources are fetched up to it
        self.period = period
        self.say: Progress = progress or (lambda message: None)
        #: the snapshot the remote sources were read from, and a line saying so (see :meth:`load`)
        self.snapshot: Snapshot | None = None
        self.snapshot_note = ""
        self.datasets: dict[str, pd.DataFrame] = {}
        self.providers: dict[str, str] = {}
        #: warnings the sources reported (shown by ``check``; errors with ``strict``)
        self.findings: list[Any] = []
        self.fiscal_years: list[tuple[Month, Month]] = []
        self.opening_journals: list[str] = []

    def instantiate(self, table: PluginConfig, types: Mapping[str, Any], kind: str) -> Any:
        """Build the source or channel a config table describes, checking its options."""
        where = f"{self.config.path.name}, clé « {table.path}.type »"
        plugin_type = types.get(table.type)
        if plugin_type is None:
            raise ConfigError(f"{where} : type de {kind} inconnu « {table.type} » (types : {', '.join(sorted(types))})"
                              f"{self.registry.broken_hint()}")
        for option in table.options:
            if option not in plugin_type.options:
                accepted = ", ".join(sorted(plugin_type.options)) or "aucune"
                close = difflib.get_close_matches(option, sorted(plugin_type.options), n=1)
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                raise ConfigError(
                    f"{self.config.path.name}, clé « {table.path}.{option} » : option inconnue pour "
                    f"le type « {table.type} » (options : {accepted}){hint}"
                )
        for option in plugin_type.required_options:
            if option not in table.options:
                raise ConfigError(f"{self.config.path.name}, clé « {table.path}.{option} » : option obligatoire absente")
        options = resolve_secrets(table.options, table.path)
        return plugin_type(table.key, options, self.config.base_dir)

    def load(self) -> dict[str, pd.DataFrame]:
        """Read every source; two sources may not provide the same dataset.

        Remote sources (``DataSource.remote``) are read from the latest snapshot, fetched
        live first (and a snapshot written) with ``refresh`` or when there is none yet; see
        :func:`boardpack.snapshots.snapshot_sources`.
        """
        replayed = snapshot_sources(self, self.refresh, self.period, self.say)
        for table in self.config.sources:
            try:
                source: DataSource = replayed.get(table.key) or self.instantiate(table, self.registry.sources, "source")
                loaded = source.load(self.registry.datasets)
            except ConfigError as exc:
                # a name the source does not know (a dataset…) may be one a broken plugin provides
                hint = self.registry.broken_hint()
                if not hint or hint in str(exc):
                    raise
                raise ConfigError(f"{exc}{hint}") from None
            self.findings.extend(source.findings)
            self.fiscal_years.extend(source.fiscal_years)
            self.opening_journals.extend(source.opening_journals)
            if self.strict and source.findings:
                more = len(source.findings) - 1
                raise DataError(
                    f"{source.findings[0]} (--strict" + (f" ; {more} autre(s) avertissement(s))" if more else ")")
                )
            for name, frame in loaded.items():
                if name in self.datasets:
                    raise ConfigError(
                        f"{self.config.path.name} : le jeu « {name} » est fourni à la fois par "
                        f"[sources.{self.providers[name]}] et [sources.{table.key}]"
                    )
                self.datasets[name] = frame
                self.providers[name] = table.key
        return self.datasets

    def validate(self) -> None:
        """Check every name the config refers to against the registry."""
        name = self.config.path.name
        hint = self.registry.broken_hint()  # an unknown name may be one a broken plugin provides
        for index, kpi_id in enumerate(self.config.kpi_select):
            if kpi_id not in self.registry.kpis:
                raise ConfigError(f"{name}, clé « kpis.select[{index}] » : indicateur inconnu « {kpi_id} »{hint}")
        for kpi_id in self.config.thresholds:
            if kpi_id not in self.registry.kpis:
                raise ConfigError(f"{name}, clé « kpis.thresholds.{kpi_id} » : indicateur inconnu{hint}")
        themes = self.themes
        for audience in self.config.audiences:
            for index, section in enumerate(audience.sections):
                if section not in self.registry.sections:
                    raise ConfigError(
                        f"{name}, clé « audiences.{audience.key}.sections[{index}] » : section inconnue "
                        f"« {section} » (sections : {', '.join(sorted(self.registry.sections))}){hint}"
                    )
            try:
                resolve_chain(audience.theme, themes, f"{name}, clé « audiences.{audience.key}.theme »")
            except ConfigError as exc:
                raise ConfigError(f"{exc}{hint}") from None
            selected = set(self.config.kpi_select or self.registry.kpis)
            for index, kpi_id in enumerate(audience.kpis):
                if kpi_id not in selected:
                    raise ConfigError(
                        f"{name}, clé « audiences.{audience.key}.kpis[{index}] » : indicateur inconnu ou "
                        f"non sélectionné « {kpi_id} »{hint}"
                    )
        for table in self.config.channels:
            if table.type not in self.registry.channels:
                raise ConfigError(f"{name}, clé « {table.path}.type » : canal inconnu « {table.type} »{hint}")
        check_ignored(self.config, self.registry)

    def quality(self, engine: KPIEngine) -> list[Issue]:
        """Run the data-quality gates; with ``strict``, a blocking issue stops here."""
        issues = run_quality(engine.ctx, self.registry, self.config.quality)
        stopping = blocking(issues)
        if self.strict and stopping:
            more = len(stopping) - 1
            raise DataError(
                f"{stopping[0].message['fr']} (--strict : problème bloquant"
                + (f", {more} autre(s))" if more else ")")
            )
        return issues

    @property
    def themes(self) -> dict[str, Theme]:
        """Registered themes plus the config's theme folders."""
        return self.registry.with_theme_dirs(self.config.theme_dirs)

    def engine(self) -> KPIEngine:
        """The KPI engine over the loaded data, restricted to the config's selection."""
        selected = self.config.kpi_select or tuple(self.registry.kpis)
        kpis = {k: self.registry.kpis[k] for k in selected}
        context = KPIContext(
            self.datasets, self.config.company, self.fiscal_years, self.opening_journals, self.config.investments
        )
        return KPIEngine(kpis, context, self.config.thresholds)

    def latest_period(self, engine: KPIEngine) -> Month:
        """The default period: the config's, else the last month of the ledger."""
        if self.config.period is not None:
            return self.config.period
        try:
            return engine.ctx.ledger.last
        except Unavailable as exc:
            raise DataError(f"impossible de choisir la période par défaut : {exc} ; indiquez --period") from None


@contextmanager
def _timed(result: BuildResult, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        result.timings[stage] += time.perf_counter() - started


def build(
    config: Config,
    period: Month | None = None,
    audiences: Iterable[str] = (),
    out_dir: Path | None = None,
    progress: Progress | None = None,
    write: bool = True,
    strict: bool = False,
    pdfa: bool = False,
    combined: bool = False,
    parallel: bool = True,
    refresh: bool = False,
    hold: bool = False,
) -> BuildResult:
    """Build one PDF per selected audience; return paths and stage timings.

    :param audiences: audience ids to build (all when empty).
    :param write: ``False`` renders HTML only (tests, benchmarks).
    :param strict: the sources' warnings (FEC checks) become errors.
    :param pdfa: write PDF/A-3b, the pack's figures attached as CSV files.
    :param combined: also write ``<company>_<period>_complet.pdf``, every selected pack in
        config order, with one top-level bookmark per audience.
    :param parallel: lay the PDFs out in up to one worker process per audience (at most one
        per CPU); ``False`` lays them out in this process.
    :param refresh: fetch the remote sources live and write a new snapshot instead of
        building from the latest one (see :mod:`boardpack.snapshots`).
    :param hold: when the data-quality gates find a blocking issue, stop before any layout
        and return with ``held`` set (scheduled deliveries hold such packs).
    :raises BoardpackError: on any bad input, before any PDF is written when possible.
    """
    say = progress or (lambda message: None)
    selected = select_audiences(config, audiences)
    result = BuildResult(period=period or Month(1900, 1))
    rendered: dict[str, RenderedPack] = {}
    with Layouts(len(selected) if write and parallel else 1) as layouts:
        session, engine = _prepare(config, period, strict, result, say, refresh)
        if hold:
            result.held = blocking(result.issues)
            if result.held:
                return result
        for audience in selected:
            say(f"mise en page « {audience.title} »")
            pack = rendered[audience.key] = render_pack(session, engine, audience, result)
            result.html[audience.key] = pack.html
            result.packs[audience.key] = pack.pack
            if write and not combined:
                with _timed(result, "pdf"):
                    job = _pdf_job(pack, pdfa)
                    layouts.submit(audience.key, html_to_pdf, *_pdf_args(job), **_pdf_options(job))
        if not write:
            return result
        with _timed(result, "pdf"):
            if layouts.parallel:
                say("mise en page PDF")
            documents, whole = _bound(layouts, rendered, pdfa) if combined else (layouts.results(), None)
    # Every pack is laid out before any is written: a failure leaves no PDF of this build.
    out = Path(out_dir or config.out or config.base_dir / "out")
    with _timed(result, "pdf"):
        for key, pdf in documents.items():
            result.paths[str(key)] = out / f"{key}_{result.period}.pdf"
            write_atomically(result.paths[str(key)], pdf)
        if whole is not None:
            result.combined = out / f"{_slug(config.company.name)}_{result.period}_complet.pdf"
            write_atomically(result.combined, whole)
    return result


def _prepare(config: Config, period: Month | None, strict: bool, result: BuildResult,
             say: Progress, refresh: bool = False,
             datasets: Mapping[str, pd.DataFrame] | None = None) -> tuple[Session, KPIEngine]:
    """Load, validate and compute: the session and its engine, ``result``'s period, issues and alerts.

    :param datasets: canonical datasets to use instead of reading the config's sources
        (:mod:`boardpack.testing`); their provider is called ``test``.
    """
    session = Session(config, strict=strict, refresh=refresh, period=period, progress=say)
    with _timed(result, "load"):
        say("chargement des données")
        if datasets is None:
            session.load()
        else:
            session.datasets = dict(datasets)
            session.providers = dict.fromkeys(datasets, "test")
    with _timed(result, "validate"):
        say("validation de la configuration et des données")
        session.validate()
        engine = session.engine()
        result.issues = session.quality(engine)
    with _timed(result, "compute"):
        say("calcul des indicateurs")
        result.period = period or session.latest_period(engine)
        engine.results(result.period)
        result.alerts = run_alerts(engine, session.registry, result.period, config.alerts, result.issues)
    return session, engine


def _pdf_job(rendered: RenderedPack, pdfa: bool) -> PdfJob:
    """What laying out one pack takes: its HTML, readable folders, date and PDF/A files."""
    pack = rendered.pack
    files = pack_files([pack]) if pdfa else ()
    return PdfJob(rendered.html, BUILTIN_TEMPLATES, tuple(rendered.allowed), pack.period.last_day, pdfa, files)


def _pdf_args(job: PdfJob) -> tuple[Any, ...]:
    return job.html, job.base_url, job.allowed, job.created


def _pdf_options(job: PdfJob) -> dict[str, Any]:
    return {"pdfa": True, "attachments": job.attachments} if job.pdfa else {}


def _bound(layouts: Layouts, rendered: Mapping[str, RenderedPack], pdfa: bool) -> tuple[dict[Hashable, bytes], bytes]:
    """Each pack's PDF and the bound one, packs in config order (laid out first in a worker:
    it takes the longest)."""
    order = [a.key for a in next(iter(rendered.values())).pack.config.audiences]
    keys = sorted(rendered, key=order.index)
    jobs = {key: _pdf_job(rendered[key], pdfa) for key in keys}
    packs = [rendered[key].pack for key in keys]
    first = packs[0]
    title = f"{first.t('Dossier complet', 'Complete pack')} — {first.config.company.name} — {first.fmt.month(first.period)}"
    binding = Binding(tuple(jobs.values()), tuple(p.audience.title for p in packs), title,
                      first.period.last_day, pdfa, pack_files(packs) if pdfa else ())
    if not layouts.parallel:
        singles, whole = pdfs_and_bound(binding)
        return dict(zip(jobs, singles)), whole
    layouts.submit(_BOUND, bound_pdf, binding)
    for key, job in jobs.items():
        layouts.submit(key, html_to_pdf, *_pdf_args(job), **_pdf_options(job))
    documents = layouts.results()
    return documents, documents.pop(_BOUND)


def _slug(name: str) -> str:
    """``Mécanique de Précision du Rhône`` → ``mecanique-de-precision-du-rhone``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "dossier"


def load_statements(source: Path, strict: bool = False) -> Statements:
    """The statements of a FEC file or of a configuration's ``entries`` dataset.

    :raises BoardpackError: on an unreadable source or a ledger without movements.
    """
    if source.suffix.lower() == ".toml":
        session = Session(load_config(source), strict=strict)
    else:
        config = Config(
            path=source.resolve().parent / "fec.toml",
            company=CompanyConfig(name=source.name, opening_journals=()),
            sources=(PluginConfig("fec", "fec", {"path": source.name}, "sources.fec"),),
            audiences=(),
        )
        session = Session(config, strict=strict)
    session.load()
    context = session.engine().ctx
    try:
        return context.statements
    except Unavailable as exc:
        raise DataError(f"{source} : {exc}") from None


def select_audiences(config: Config, wanted: Iterable[str]) -> list[AudienceConfig]:
    """The audiences ``wanted``, in that order (all of the config's, in its order, when empty).

    :raises ConfigError: naming an audience the config does not have.
    """
    wanted = list(wanted)
    known = {a.key: a for a in config.audiences}
    for key in wanted:
        if key not in known:
            raise ConfigError(f"audience inconnue « {key} » (audiences de {config.path.name} : {', '.join(known)})")
    return [known[k] for k in wanted] if wanted else list(config.audiences)


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
    )
    return style, [t.mplstyle for t in reversed(chain) if t.mplstyle is not None]


def render_pack(session: Session, engine: KPIEngine, audience: AudienceConfig, result: BuildResult) -> RenderedPack:
    """Render one audience's pack to HTML, with the folders the PDF may read."""
    config = session.config
    chain = resolve_chain(audience.theme, session.themes, f"audiences.{audience.key}.theme")
    fmt = Formatter(audience.language, config.company.currency)
    style, mplstyles = chart_style(chain, fmt)
    colours = dict(style.colours)
    fonts: dict[str, str] = _merged(chain, "fonts")
    renderer = ChartRenderer(session.registry.charts, style, mplstyles)
    pack = PackContext(config, audience, result.period, fmt, engine, renderer, result.alerts, result.issues)
    section_dirs = [s.templates_dir for s in session.registry.sections.values() if s.templates_dir]
    user_dir = config.base_dir / "templates"
    search = ([user_dir] if user_dir.is_dir() else []) + [t.templates for t in chain if t.templates] + section_dirs
    env = make_environment(search, fmt)
    started = time.perf_counter()
    sections = []
    for name in audience.sections:
        section = session.registry.sections[name]
        try:
            context = section.context(pack)
            body = Markup(env.get_template(section.template).render(pack=pack, **context))
            reason = None
        except Unavailable as exc:
            body, reason = Markup(""), str(exc)
        sections.append({
            "name": name, "title": pack.label(section.title), "body": body,
            "page": section.page, "unavailable": reason,
        })
    html = env.get_template("pack.html").render(
        pack=pack,
        sections=sections,
        colours=colours,
        fonts=fonts,
        stylesheets=[css.as_uri() for theme in reversed(chain) for css in theme.css],
        logo=next((t.logo.as_uri() for t in chain if t.logo), None),
    )
    elapsed = time.perf_counter() - started
    result.timings["charts"] += renderer.seconds
    result.timings["html"] += elapsed - renderer.seconds
    allowed = [t.path for t in chain] + [BUILTIN_TEMPLATES]
    return RenderedPack(html, allowed, pack)
