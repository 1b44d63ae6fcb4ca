"""Helpers for testing boardpack plugins (and boardpack itself).

A plugin author registers the plugin for the length of a test, then builds a pack, renders
a section, computes a KPI or runs the command line against it — all in memory, from the
demo company's datasets or from datasets the test makes::

    from boardpack.testing import build_pack, compute_kpi, registered

    import boardpack_top3.plugin as plugin


    def test_top3_share():
        with registered(plugin):
            assert compute_kpi("part_top3", {"invoices": my_invoices}) == Decimal("90")
            pack = build_pack(sections=["kpi_table"])
            assert "Part des trois premiers clients" in pack.html

Everything goes through the code the ``boardpack`` command runs, by its public steps: the
build's audience selection, :func:`boardpack.build.prepare` (load, validate, compute),
:func:`boardpack.build.render_pack`, its chart style (:func:`boardpack.build.chart_style`)
and :func:`boardpack.build.layout_pdf`. Installed
plugins (entry points) are left out unless asked, so a test sees the built-ins and the plugin
under test only. ``pypdf`` (the ``test`` extra: ``pip install boardpack[test]``) is needed by
:class:`PdfDocument` only.

The pytest fixture :func:`plugin_registry` is available to a test module that imports it, or
to a whole suite whose ``conftest.py`` says ``pytest_plugins = ["boardpack.testing"]``.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import plugins
from .api.datasets import DatasetSchema
from .api.kpis import KPI, Figures, KPIContext, KPIResult
from .api.records import Alert, Issue
from .api.sources import Loaded, LoadRequest
from .build import layout_pdf, prepare, render_pack, select_audiences
from .build.context import CompanyData
from .build.engine import KPIEngine
from .config import Config, parse_config
from .errors import ConfigError, PluginError, Unavailable
from .periods import Month
from .plugins import Registry

if TYPE_CHECKING:
    from click.testing import Result

__all__ = [
    "PackResult",
    "PdfDocument",
    "build_pack",
    "compute_kpi",
    "configured",
    "dataset_schema",
    "kpi_context",
    "load_source",
    "demo_datasets",
    "make_config",
    "plugin_registry",
    "registered",
    "render_chart",
    "render_pdf",
    "render_section",
    "run_cli",
]

#: Where an in-memory config pretends to live (never written; relative paths start here).
_CONFIG_PATH = Path(tempfile.gettempdir()) / "boardpack-testing" / "boardpack.toml"
_demo_cache: dict[str, pd.DataFrame] = {}


# ---------------------------------------------------------------- registering plugins


def _plugin_name(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return getattr(plugin, "__name__", type(plugin).__name__)


@contextmanager
def registered(*plugin_objects: object, name: str | None = None, entry_points: bool = False) -> Iterator[Registry]:
    """Register plugins for the length of a ``with`` block and yield the resulting registry.

    The plugin manager is made afresh: the built-in plugins, then ``plugin_objects`` (modules,
    classes or instances with ``@hookimpl`` functions), then the installed plugins if
    ``entry_points``. What was loaded before is restored on leaving the block.

    :param name: the plugin's name (default: the module's ``__name__``); with several
        plugins, the first one's name (the others keep theirs).
    :raises PluginError: if a plugin under test is broken (unknown hook, failing hook,
        a name another plugin already registers) — a test wants to know.
    """
    extra = tuple(
        (name if index == 0 and name else _plugin_name(plugin), plugin)
        for index, plugin in enumerate(plugin_objects)
    )
    with plugins.isolated(extra, entry_points):
        yield plugins.get_registry()


class PluginRegistry:
    """What the :func:`plugin_registry` fixture gives: call it to register plugins until the test ends."""

    def __init__(self) -> None:
        self._stack: list[Any] = []

    def __call__(self, *plugin_objects: object, name: str | None = None, entry_points: bool = False) -> Registry:
        """Register ``plugin_objects`` (see :func:`registered`) and return the registry."""
        manager = registered(*plugin_objects, name=name, entry_points=entry_points)
        registry = manager.__enter__()
        self._stack.append(manager)
        return registry

    @property
    def registry(self) -> Registry:
        """The current registry (the built-ins only, if nothing was registered)."""
        return plugins.get_registry()

    def close(self) -> None:
        """Undo every registration, innermost first."""
        while self._stack:
            self._stack.pop().__exit__(None, None, None)


try:
    import pytest
except ImportError:  # pragma: no cover - pytest comes with the test extra
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def plugin_registry() -> Iterator[PluginRegistry]:
        """A fresh plugin state for the test; ``plugin_registry(my_plugin)`` registers one.

        ``plugin_registry.registry`` is the current registry. Everything is undone after the test.
        """
        registrar = PluginRegistry()
        with plugins.isolated((), False):
            try:
                yield registrar
            finally:
                registrar.close()

else:  # pragma: no cover

    def plugin_registry() -> Iterator[PluginRegistry]:
        """Needs pytest (``pip install boardpack[test]``)."""
        raise PluginError("boardpack.testing.plugin_registry : pytest est nécessaire (pip install boardpack[test])")
        yield


# ---------------------------------------------------------------- data and config


def demo_datasets() -> dict[str, pd.DataFrame]:
    """The demo company's canonical datasets (fresh copies; read once per process)."""
    if not _demo_cache:
        registry = plugins.get_registry()
        demo = registry.sources["demo"]("demo", {}, _CONFIG_PATH.parent)
        _demo_cache.update(demo.load(LoadRequest(registry.datasets)))
    return {name: frame.copy() for name, frame in _demo_cache.items()}


def make_config(path: Path | None = None, **overrides: Any) -> Config:
    """A checked configuration built in memory, as if read from a TOML file.

    By default: the demo company, the ``demo`` source and one audience ``test`` showing
    ``kpi_tiles``. Each keyword replaces one top-level table of the TOML (``company``,
    ``sources``, ``audiences``, ``kpis``, ``channels``, ``build``, ``quality``…), written as
    the dicts ``tomllib`` would return::

        make_config(audiences={"banque": {"title": "Banque", "sections": ["ratios_bancaires"]}})

    :param path: where the config pretends to live (relative paths start from its folder);
        it is never read or written.
    :raises ConfigError: as :func:`boardpack.config.load_config` would.
    """
    data: dict[str, Any] = {
        "company": {"name": "Mécanique de Précision du Rhône", "siren": "812345674", "fiscal_year_start": 1},
        "sources": {"demo": {"type": "demo"}},
        "audiences": {"test": {"title": "Test", "sections": ["kpi_tiles"]}},
    }
    data.update(overrides)
    return parse_config(data, Path(path) if path is not None else _CONFIG_PATH)


def configured(config: Config, path: str) -> Any:
    """The source or channel a config table describes, built as the host builds it.

    :param path: the table's key path, ``sources.<id>`` or ``channels.<id>``.
    :raises ConfigError: as a build would (unknown type or option, a secret not set…).
    """
    from .build.configured import instantiate

    kind, _, key = path.partition(".")
    tables = {"sources": config.sources, "channels": config.channels}.get(kind, ())
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise ConfigError(f"{path} : table absente de la configuration")
    return instantiate(config, plugins.get_registry(), table, "source" if kind == "sources" else "canal")


def load_source(config: Config, path: str, period: str | Month | None = None) -> Loaded:
    """What the source at ``path`` (``sources.<id>``) returns when the host reads it, with the
    registered schemas (and ``period`` as the month asked, if given)."""
    month = _month(period) if period is not None else None
    loaded = configured(config, path).load(LoadRequest(plugins.get_registry().datasets, month, month))
    return Loaded.of(loaded)


def dataset_schema(name: str) -> DatasetSchema:
    """The registered schema of dataset ``name`` (``KeyError`` if no plugin registers it)."""
    return plugins.get_registry().datasets[name]


def kpi_context(datasets: Mapping[str, pd.DataFrame] | None = None, *, config: Config | None = None) -> KPIContext:
    """The context a KPI, check or section reads, over ``datasets`` (default: the demo company's),
    for ``config``'s company and plugin-owned tables (default: :func:`make_config`)."""
    config = config or make_config()
    return CompanyData(dict(demo_datasets() if datasets is None else datasets), config.company,
                       tables=config.tables)


# ---------------------------------------------------------------- packs and sections


@dataclass
class PackResult:
    """A pack built in memory by :func:`build_pack`."""

    html: str
    pdf: bytes | None
    engine: Figures
    period: Month
    alerts: list[Alert] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

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
        """The HTML of one section of the pack (see :func:`render_section`)."""
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
    month = _month(period) if period is not None else None
    computed = prepare(config, month, datasets=datasets)
    rendered = render_pack(computed, target)
    document = layout_pdf(rendered) if pdf else None
    return PackResult(rendered.html, document, computed.engine, computed.period, list(computed.alerts),
                      list(computed.issues))


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


def _month(period: str | Month) -> Month:
    if isinstance(period, Month):
        return period
    try:
        return Month.parse(period)
    except ValueError as exc:
        raise ConfigError(f"période « {period} » : {exc}") from None


def render_chart(name: str, data: Mapping[str, Any], *, language: str = "fr", theme: str = "default",
                 width_cm: float = 17, height_cm: float = 7) -> str:
    """Draw registered chart ``name`` with ``data`` in ``theme``'s style; return the SVG text.

    :raises Unavailable: when the chart says it cannot be drawn (a section shows « non disponible »).
    """
    from .build import chart_style
    from .formatting import Formatter
    from .render.charts import ChartRenderer
    from .theme import resolve_chain

    registry = plugins.get_registry()
    chain = resolve_chain(theme, registry.themes, "theme")
    style, mplstyles = chart_style(chain, Formatter(language, make_config().company.currency))
    return ChartRenderer(registry.charts, style, mplstyles).svg(name, data, width_cm, height_cm)


# ---------------------------------------------------------------- PDF


class PdfDocument:
    """A PDF read back with pypdf: text per page, bookmarks, metadata.

    :param source: the PDF's bytes or its path.
    """

    def __init__(self, source: bytes | str | Path) -> None:
        try:
            from pypdf import PdfReader
        except ImportError:  # pragma: no cover - depends on the environment
            raise PluginError(
                "boardpack.testing.PdfDocument a besoin de pypdf : installez les extras de test "
                "(pip install boardpack[test])"
            ) from None
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        self.data = data
        self._reader = PdfReader(io.BytesIO(data))
        self._pages: list[str] | None = None

    @property
    def pages(self) -> list[str]:
        """The extracted text of each page, in order."""
        if self._pages is None:
            self._pages = [page.extract_text() for page in self._reader.pages]
        return self._pages

    @property
    def page_count(self) -> int:
        """How many pages."""
        return len(self._reader.pages)

    @property
    def text(self) -> str:
        """Every page's text, one page after another."""
        return "\n".join(self.pages)

    @property
    def bookmarks(self) -> list[tuple[str, int, list[Any]]]:
        """The outline: ``(title, page number from 1, children)`` for each top-level bookmark."""
        return self._outline(self._reader.outline)

    def _outline(self, items: Sequence[Any]) -> list[tuple[str, int, list[Any]]]:
        out: list[tuple[str, int, list[Any]]] = []
        for item in items:
            if isinstance(item, list):  # the children of the bookmark before
                title, page, _ = out[-1]
                out[-1] = (title, page, self._outline(item))
            else:
                out.append((item.title, self._reader.get_destination_page_number(item) + 1, []))
        return out

    @property
    def metadata(self) -> dict[str, str]:
        """The document information, keys without their slash, lower case (``title``, ``author``…)."""
        info = self._reader.metadata or {}
        return {key.lstrip("/").lower(): str(value) for key, value in info.items()}


def render_pdf(html: str) -> PdfDocument:
    """Lay ``html`` out as the build would and read the PDF back.

    Files may be read from the built-in templates and the registered themes only.
    """
    from .render.pdf import html_to_pdf
    from .render.templates import BUILTIN_TEMPLATES

    allowed = [BUILTIN_TEMPLATES] + [theme.path for theme in plugins.get_registry().themes.values()]
    return PdfDocument(html_to_pdf(html, BUILTIN_TEMPLATES, allowed))


# ---------------------------------------------------------------- KPIs


def compute_kpi(
    kpi: str | KPI,
    datasets: Mapping[str, pd.DataFrame] | None = None,
    *,
    period: str | Month = "2026-10",
    window: str = "month",
    config: Config | None = None,
) -> Decimal | Unavailable:
    """The value of one KPI over one window, or the :class:`Unavailable` saying why not.

    :param kpi: a registered KPI id, or a KPI instance (it need not be registered).
    :param datasets: default: the demo company's.
    :param window: ``month``, ``ytd``, ``ltm`` or ``fy``, ending at ``period``.
    :return: the value (rounded as the engine rounds it), or an ``Unavailable`` instance
        whose ``str()`` is the reason shown to readers — returned, not raised.
    """
    if isinstance(kpi, str):
        kpis = plugins.get_registry().kpis
        if kpi not in kpis:
            raise PluginError(f"indicateur inconnu « {kpi} » : enregistrez son plugin avec registered()")
        kpi = kpis[kpi]
    ctx = kpi_context(datasets, config=config)
    config = config or make_config()
    engine = KPIEngine({kpi.id: kpi}, ctx, config.thresholds)
    value, reason = engine.value(kpi, ctx.window(window, _month(period)))
    return value if value is not None else Unavailable(reason)


# ---------------------------------------------------------------- CLI


def run_cli(*args: str | Path, env: Mapping[str, str] | None = None, entry_points: bool = False) -> Result:
    """Run ``boardpack ARGS…`` in-process and return the ``click.testing.Result``.

    Plugins are loaded afresh for the run (the built-ins, the plugins of the enclosing
    :func:`registered` block, ``--plugins-dir`` if given) and the previous state restored
    after. Exceptions other than boardpack's user errors propagate (``catch_exceptions=False``);
    ``result.stdout`` and ``result.stderr`` are kept apart.
    """
    from click.testing import CliRunner

    from .cli import cli

    # inside registered() (or the fixture), the plugins of that block; else the built-ins only
    settings = plugins._settings
    extra, with_entry_points = (settings["extra"], settings["entry_points"]) if settings["isolated"] else ((), False)
    with plugins.isolated(extra, with_entry_points or entry_points):
        return CliRunner().invoke(cli, [str(a) for a in args], env=dict(env or {}), catch_exceptions=False)
