"""One run of the pipeline, step by step: load → validate → compute → render → lay out.

* :mod:`.period` — the reporting month, resolved once;
* :mod:`.inputs` (with :mod:`.remote`, :mod:`.snapshots`, :mod:`.configured`) — every source read once;
* :mod:`.validate` — every name the config refers to exists;
* :mod:`.compute` (with :mod:`.gates`, :mod:`.context`, :mod:`.engine`) — quality checks,
  KPIs, alerts;
* :mod:`.render` (with :mod:`.pack`, :mod:`.commentary`) — one audience's HTML;
* :mod:`.run` — :func:`build`, which strings them together and writes the PDFs.
"""

from .compute import Computed, compute, make_engine
from .inputs import Inputs, load_inputs, load_statements
from .render import RenderedPack, chart_style, render_pack
from .run import STAGES, BuildResult, build, layout_pdf, prepare, select_audiences
from .validate import validate

__all__ = [
    "STAGES",
    "BuildResult",
    "Computed",
    "Inputs",
    "RenderedPack",
    "build",
    "chart_style",
    "compute",
    "layout_pdf",
    "load_inputs",
    "load_statements",
    "make_engine",
    "prepare",
    "render_pack",
    "select_audiences",
    "validate",
]
