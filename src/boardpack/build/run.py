"""The build: load → validate → compute → render (charts, HTML) → PDF, timed per stage.

:func:`build` makes one PDF per audience of a config, optionally PDF/A-3b with the figures
attached as CSV and optionally one more PDF binding every audience's pack. Each step is a
function of its own module, taking immutable values and returning one: :func:`prepare`
(load, validate, compute), :func:`~.render.render_pack`, :func:`layout_pdf`. The PDFs are laid
out in worker processes (:class:`~boardpack.render.pdf.Layouts`), started (and warmed up:
WeasyPrint, matplotlib) as the build starts, while this process loads and computes. Packs are
rendered to HTML here and each goes to a worker as soon as its HTML is ready; where workers are
forked (Linux), its charts go with it and are drawn there, just before the layout
(:class:`~boardpack.render.charts.PendingCharts`), so that this process only renders HTML.
Stage timings are kept in :attr:`BuildResult.timings` for ``benchmarks/build_demo.py``; with
workers, ``pdf`` is the time spent waiting for them after the last HTML, plus writing, and
``charts`` the seconds the workers spent drawing.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.records import Alert, Audience, Issue
from ..config import Config
from ..errors import ConfigError, RenderError
from ..periods import Month
from ..render.archive import pack_files
from ..render.charts import PendingCharts
from ..render.pdf import Layouts, PdfJob, forks_workers, html_to_pdf, picklable, remove_stale_parts, write_together
from ..render.templates import BUILTIN_TEMPLATES
from ..render.workbook import workbook_bytes
from .combined import combined_html
from .compute import Computed, compute, make_engine
from .gates import blocking
from .inputs import Inputs, given_inputs, load_inputs
from .pack import Pack
from .render import RenderedPack, render_pack
from .validate import validate

if TYPE_CHECKING:
    import pandas as pd

    from ..plugins import Registry

__all__ = ["STAGES", "BuildResult", "build", "layout_pdf", "prepare", "ready_output", "select_audiences"]

Progress = Callable[[str], None]
#: Told ``(audience key, step)`` as each pack moves on: ``html`` (rendered), ``pdf`` (laid out).
PackProgress = Callable[[str, str], None]
STAGES = ("load", "validate", "compute", "charts", "html", "pdf")
#: Key of the bound PDF among the layouts of a build (not a string: no audience id is one).
_BOUND = ("bound",)


@dataclass
class BuildResult:
    """What a build produced and how long each stage took (seconds). Output only: nothing reads it back."""

    period: Month
    #: one PDF per audience, by audience id
    paths: dict[str, Path] = field(default_factory=dict)
    #: the PDF binding every selected audience's pack (``combined=True``)
    combined: Path | None = None
    #: each pack's companion workbook (``xlsx=True``), by audience id
    workbooks: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    html: dict[str, str] = field(default_factory=dict)
    receipts: list[str] = field(default_factory=list)
    #: data-quality issues found before the build, and the alerts of the period
    issues: list[Issue] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    #: each audience's pack context (figures, labels, formatter), by audience id
    packs: dict[str, Pack] = field(default_factory=dict)
    #: the blocking data-quality issues that held the build (``hold=True``): no PDF written
    held: list[Issue] = field(default_factory=list)


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] += time.perf_counter() - started


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
    inputs: Inputs | None = None,
    on_pack: PackProgress | None = None,
    xlsx: bool = False,
) -> BuildResult:
    """Build one PDF per selected audience; return paths and stage timings.

    :param audiences: audience ids to build (all when empty).
    :param write: ``False`` renders HTML only (tests, benchmarks).
    :param strict: the sources' warnings (FEC checks) become errors.
    :param pdfa: write PDF/A-3b, the pack's figures attached as CSV files.
    :param combined: also write ``<company>_<period>_complet.pdf``, every selected pack in
        config order after one cover and one table of contents, page numbers running through,
        one top-level bookmark per audience.
    :param parallel: lay the PDFs out in up to one worker process per audience (at most one
        per CPU), where the charts are drawn too when workers are forked; ``False`` draws and
        lays out everything in this process.
    :param refresh: fetch the remote sources live and write a new snapshot instead of
        building from the latest one (see :mod:`boardpack.snapshots`).
    :param hold: when the data-quality gates find a blocking issue, stop before any layout
        and return with ``held`` set (scheduled deliveries hold such packs).
    :param inputs: the config's data already loaded (the delivery runner reads it once).
    :param on_pack: told as each pack is rendered (``html``) and laid out (``pdf``): the
        command line draws a progress bar per pack with it.
    :param xlsx: also write ``<audience>_<period>.xlsx`` beside each PDF: every table the
        pack's sections described (:class:`~boardpack.api.Table`), a sheet per table.
    :raises BoardpackError: on any bad input, before any PDF is written when possible.
    """
    say = progress or (lambda message: None)
    step = on_pack or (lambda key, stage: None)
    selected = select_audiences(config, audiences)
    timings = dict.fromkeys(STAGES, 0.0)
    started = time.time()
    out = Path(out_dir or config.out or config.base_dir / "out")
    if write:  # a folder that cannot take the packs fails now, not after the whole build
        ready_output(out, config)
    registry = inputs.registry if inputs is not None else _registry()
    books: dict[str, bytes] = {}  # the companion workbooks (xlsx), by audience
    with Layouts(len(selected) if write and parallel else 1, _warm_worker) as layouts:
        if forks_workers() and picklable(html_to_pdf):
            # The workers start now and warm up on the CPUs this process leaves idle while it
            # loads and computes; the packs reach them as plain data. (A layout function that
            # cannot be sent to a worker, a test's closure, keeps packs here.)
            layouts.start()
        computed = prepare(config, period, strict, refresh, say, registry=registry, inputs=inputs, timings=timings)
        result = BuildResult(computed.period, timings=timings, issues=list(computed.issues),
                             alerts=list(computed.alerts))
        if hold:
            result.held = blocking(result.issues)
            if result.held:
                return result
        rendered = _render_here(layouts, computed, selected, result, say, step,
                                submit=write and not combined, pdfa=pdfa)
        if not write:
            return result
        books.update((key, _workbook(pack)) for key, pack in rendered.items() if xlsx)
        with _timed(timings, "pdf"):
            if layouts.parallel:
                say("mise en page PDF")
            laid_out = lambda key: step(str(key) if isinstance(key, str) else "complet", "pdf")  # noqa: E731
            documents, whole = (_bound(layouts, rendered, pdfa, laid_out) if combined
                                else (_laid_out(layouts.results(laid_out), rendered, result), None))
    # Every pack is laid out before any is written, then all are written together: a failure
    # leaves no PDF of this build (and removes what a run killed before it left behind).
    files: dict[Path, bytes] = {}
    for key, pdf in documents.items():
        result.paths[str(key)] = out / f"{key}_{result.period}.pdf"
        files[result.paths[str(key)]] = pdf
    if whole is not None:
        result.combined = out / f"{_slug(config.company.name)}_{result.period}_complet.pdf"
        files[result.combined] = whole
    for key, book in books.items():  # written with the PDFs, all or none
        result.workbooks[key] = out / f"{key}_{result.period}.xlsx"
        files[result.workbooks[key]] = book
    with _timed(timings, "pdf"):
        remove_stale_parts(out, started)
        try:
            write_together(files)
        except OSError as exc:
            raise RenderError(f"écriture impossible dans le dossier de sortie {out} ({exc.strerror or exc}) : "
                              "aucun dossier de cette exécution n'a été écrit") from None
    return result


def _registry() -> Registry:
    from ..plugins import get_registry

    return get_registry()


def _warm_worker() -> None:
    """(In a worker, as it starts) import WeasyPrint and matplotlib and draw a throw-away chart,
    while the parent process loads and computes: the packs' charts and layouts then start warm.

    Ctrl-C (SIGINT to the whole process group) ends the worker at once and silently: the parent
    says « Interrompu. » once, instead of each worker printing where it was interrupted.
    """
    signal.signal(signal.SIGINT, lambda number, frame: os._exit(128 + signal.SIGINT))
    import weasyprint  # noqa: F401

    from ..api.charts import ChartStyle
    from ..render.charts import ChartRenderer

    ChartRenderer({}, ChartStyle({}, ("#1f3a5f",), "DejaVu Sans", "fr", str, str, str), []).warm_up()


def _render_here(layouts: Layouts, computed: Computed, selected: list[Audience], result: BuildResult,
                 say: Progress, step: PackProgress, submit: bool, pdfa: bool) -> dict[str, RenderedPack]:
    """Render every pack in this process, each sent to ``layouts`` as soon as its HTML exists
    when ``submit``; fills ``result`` (for packs whose charts are left to the workers, the HTML
    is filled by :func:`_laid_out`); the packs in ``selected`` order.

    With worker processes, each pack's charts are drawn in the worker that lays it out
    (:meth:`~boardpack.render.charts.PendingCharts.draw`; where workers are forked, which keeps the
    charts' plugins importable there), so that this process only renders HTML and each pack
    reaches a worker sooner. The packs with fewest sections are rendered first, so that every
    worker has a pack as early as possible; the others, rendered while those are laid out, are
    held until a worker is free and then sent longest first (by the length of their HTML), so
    that the last to start is a short one.
    """
    workers = submit and layouts.parallel
    defer = workers and forks_workers() and picklable(html_to_pdf)
    rendered: dict[str, RenderedPack] = {}
    held: list[RenderedPack] = []  # rendered while every worker has a pack: sent longest first
    for audience in sorted(selected, key=lambda a: len(a.sections)) if workers else selected:
        say(f"mise en page « {audience.title} »")
        pack = rendered[audience.key] = render_pack(computed, audience, defer_charts=defer)
        result.timings["charts"] += pack.chart_seconds
        result.timings["html"] += pack.html_seconds
        step(audience.key, "html")
        if submit and workers:
            held.append(pack)
            while held and layouts.busy() < layouts.workers:  # a worker is free: the longest held
                _submit(layouts, held.pop(_longest(held)), pdfa, result.timings)
        elif submit:
            _submit(layouts, pack, pdfa, result.timings)
    while held:
        _submit(layouts, held.pop(_longest(held)), pdfa, result.timings)
    rendered = {audience.key: rendered[audience.key] for audience in selected}
    for key, pack in rendered.items():
        if pack.charts is None:
            result.html[key] = pack.html
        result.packs[key] = pack.pack
    return rendered


def _longest(packs: list[RenderedPack]) -> int:
    """The index of the pack likely to take longest to lay out: the longest HTML (charts apart)."""
    return max(range(len(packs)), key=lambda i: len(packs[i].html))


def _submit(layouts: Layouts, pack: RenderedPack, pdfa: bool, timings: dict[str, float]) -> None:
    """Send one rendered pack to ``layouts``, with its charts to draw if they are left to the worker
    (drawn here first when a chart's data or plugin cannot be sent to a worker)."""
    with _timed(timings, "pdf"):
        job = _pdf_job(pack, pdfa)
        key = pack.pack.audience.key
        if pack.charts is None:
            layouts.submit(key, html_to_pdf, *_pdf_args(job), **_pdf_options(job))
            return
        charts: PendingCharts | None = pack.charts
        if not picklable(charts):
            html, seconds = pack.charts.draw(job.html)
            timings["charts"] += seconds
            job, charts = dataclasses.replace(job, html=html), None
        layouts.submit(key, _draw_and_lay_out, charts, *_pdf_args(job), **_pdf_options(job))


def _draw_and_lay_out(charts: PendingCharts | None, html: str, *args: Any,
                      **kwargs: Any) -> tuple[bytes, str, float]:
    """(In a worker) draw a pack's charts, if any are left, into its HTML and lay it out: its PDF,
    its final HTML, and the seconds spent drawing the charts."""
    html, seconds = charts.draw(html) if charts is not None else (html, 0.0)
    return html_to_pdf(html, *args, **kwargs), html, seconds


def _laid_out(made: Mapping[Hashable, Any], rendered: Mapping[str, RenderedPack],
              result: BuildResult) -> dict[Hashable, bytes]:
    """The PDFs the workers made, in ``rendered`` order; the packs whose charts were drawn there
    give ``result`` their final HTML and chart seconds."""
    documents: dict[Hashable, bytes] = {}
    for key, pack in rendered.items():
        if pack.charts is None:  # drawn here
            documents[key] = made[key]
        else:
            documents[key], result.html[key], seconds = made[key]
            result.timings["charts"] += seconds
    return documents


def ready_output(out: Path, config: Config, create: bool = True) -> None:
    """Check, before any work, that the packs can be written in ``out``: a file in its place, a folder
    that could not be created or is not writable is a :class:`ConfigError` naming ``[build] out`` or
    ``--out``. Nothing is created here (a build that fails later leaves no empty folder behind);
    ``create=False`` only checks that ``out`` is not a file.
    """
    key = (f"{config.path.name}, clé « build.out »" if out in (config.out, config.base_dir / "out")
           else "--out")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{key} : {out} est un fichier, pas un dossier ; indiquez un dossier de sortie")
    if not create:
        return
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{key} : dossier de sortie {out} impossible à créer ({existing} est un fichier)")
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "n'est pas accessible en écriture" if existing == out else f"impossible à créer (pas de droit d'écriture dans {existing})"
        raise ConfigError(f"{key} : le dossier de sortie {out} {what}")


def prepare(config: Config, period: Month | None = None, strict: bool = False, refresh: bool = False,
            say: Progress | None = None, datasets: Mapping[str, pd.DataFrame] | None = None,
            registry: Registry | None = None, inputs: Inputs | None = None,
            timings: dict[str, float] | None = None) -> Computed:
    """Load, validate and compute: the first steps of every build, as one immutable :class:`Computed`.

    :param period: the month asked (``None``: ``[build] period``, else the ledger's last month).
    :param datasets: canonical datasets to use instead of reading the config's sources
        (:mod:`boardpack.testing`); their provider is called ``test``.
    :param inputs: data already loaded (the delivery runner reads it once to find the period).
    :param timings: stage durations are added to it (``load``, ``validate``, ``compute``).
    """
    say = say or (lambda message: None)
    timings = timings if timings is not None else dict.fromkeys(STAGES, 0.0)
    if registry is None:
        from ..plugins import get_registry

        registry = inputs.registry if inputs is not None else get_registry()
    with _timed(timings, "load"):
        if inputs is None:
            say("chargement des données")
            inputs = (load_inputs(config, registry, period, refresh, strict, say) if datasets is None
                      else given_inputs(config, registry, datasets, period))
    with _timed(timings, "validate"):
        say("validation de la configuration et des données")
        validate(config, registry)
        engine = make_engine(inputs, strict)
    with _timed(timings, "compute"):
        say("calcul des indicateurs")
        return compute(inputs, strict, engine)


def _pdf_job(rendered: RenderedPack, pdfa: bool) -> PdfJob:
    """What laying out one pack takes: its HTML, readable folders, date and PDF/A files."""
    pack = rendered.pack
    files = pack_files([pack]) if pdfa else ()
    return PdfJob(rendered.html, BUILTIN_TEMPLATES, tuple(rendered.allowed), pack.period.last_day, pdfa, files)


def _pdf_args(job: PdfJob) -> tuple[Any, ...]:
    return job.html, job.base_url, job.allowed, job.created


def _pdf_options(job: PdfJob) -> dict[str, Any]:
    return {"pdfa": True, "attachments": job.attachments} if job.pdfa else {}


def layout_pdf(rendered: RenderedPack, pdfa: bool = False) -> bytes:
    """Lay one rendered pack out as a PDF in this process, as the build's workers do."""
    job = _pdf_job(rendered, pdfa)
    return html_to_pdf(*_pdf_args(job), **_pdf_options(job))


def _bound(layouts: Layouts, rendered: Mapping[str, RenderedPack], pdfa: bool,
           laid_out: Callable[[Hashable], None] | None = None) -> tuple[dict[Hashable, bytes], bytes]:
    """Each pack's PDF and the combined one (:mod:`.combined`: one cover, one table of contents,
    page numbers running through), packs in config order; the combined one is laid out first
    (in a worker: it takes the longest)."""
    order = [a.key for a in next(iter(rendered.values())).pack.config.audiences]
    keys = sorted(rendered, key=order.index)
    packs = [rendered[key] for key in keys]
    html, allowed = combined_html(packs)
    first = packs[0].pack
    whole = PdfJob(html, BUILTIN_TEMPLATES, tuple(allowed), first.period.last_day, pdfa,
                   pack_files([p.pack for p in packs]) if pdfa else ())
    layouts.submit(_BOUND, html_to_pdf, *_pdf_args(whole), **_pdf_options(whole))
    for key in keys:
        job = _pdf_job(rendered[key], pdfa)
        layouts.submit(key, html_to_pdf, *_pdf_args(job), **_pdf_options(job))
    documents = layouts.results(laid_out)
    return documents, documents.pop(_BOUND)


def _workbook(rendered: RenderedPack) -> bytes:
    """The pack's companion workbook: the tables its sections described."""
    pack = rendered.pack
    title = f"{pack.audience.title} — {pack.company.name} — {pack.fmt.month(pack.period)}"
    return workbook_bytes(pack.tables, title, pack.language, pack.company.currency, pack.period.last_day)


def _slug(name: str) -> str:
    """``Mécanique de Précision du Rhône`` → ``mecanique-de-precision-du-rhone``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "dossier"


def select_audiences(config: Config, wanted: Iterable[str]) -> list[Audience]:
    """The audiences ``wanted``, in that order (all of the config's, in its order, when empty).

    :raises ConfigError: naming an audience the config does not have.
    """
    wanted = list(wanted)
    known = {a.key: a for a in config.audiences}
    for key in wanted:
        if key not in known:
            raise ConfigError(f"audience inconnue « {key} » (audiences de {config.path.name} : {', '.join(known)})")
    return [known[k] for k in wanted] if wanted else list(config.audiences)


