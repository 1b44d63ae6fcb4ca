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

from .data import (
    compute_kpi,
    configured,
    dataset_schema,
    demo_datasets,
    kpi_context,
    load_source,
    make_config,
)
from .packs import PackResult, build_pack, render_chart, render_section
from .pdf import PdfDocument, render_pdf
from .plugins import plugin_registry, registered, run_cli

__all__ = [
    "PackResult",
    "PdfDocument",
    "build_pack",
    "compute_kpi",
    "configured",
    "dataset_schema",
    "demo_datasets",
    "kpi_context",
    "load_source",
    "make_config",
    "plugin_registry",
    "registered",
    "render_chart",
    "render_pdf",
    "render_section",
    "run_cli",
]
