"""PDFs laid out in worker processes: really elsewhere, same bytes twice, errors as one RenderError, all or nothing."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import boardpack.build.run
from boardpack import plugins
from boardpack.build import build
from boardpack.cli import cli
from boardpack.config import load_config
from boardpack.errors import RenderError

from conftest import DemoBuild, SmallCompany

needs_two_cpus = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: no worker processes")
REFUSED = '<img src="http://127.0.0.1:9/logo.png" alt="">'


def pid_pdf(html: str, *args: Any, **kwargs: Any) -> bytes:
    """Stands for the PDF engine: a « PDF » naming the process that laid it out."""
    return f"%PDF-pid {os.getpid()}".encode()


def dying_pdf(html: str, *args: Any, **kwargs: Any) -> bytes:
    """Stands for a PDF engine that kills the worker process it runs in."""
    if multiprocessing.parent_process() is not None:
        os._exit(1)
    return b"%PDF-not in a worker"


def digests(paths: dict[str, Path]) -> dict[str, str]:
    """SHA-256 of each file."""
    return {key: hashlib.sha256(path.read_bytes()).hexdigest() for key, path in paths.items()}


def refusing_company(small_company: SmallCompany) -> Path:
    """The small company whose alerts section (dirigeant pack only) asks for a remote image."""
    folder = small_company.config.parent / "templates" / "sections"
    folder.mkdir(parents=True)
    (folder / "alerts.html").write_text(f"<p>Alertes</p>{REFUSED}", encoding="utf-8")
    return small_company.config


def pdf_files(folder: Path) -> list[str]:
    """PDF and temporary (.part) files in ``folder``."""
    return sorted(n for n in os.listdir(folder) if n.endswith((".pdf", ".part"))) if folder.exists() else []


@needs_two_cpus
def test_packs_are_laid_out_in_other_processes(small_company: SmallCompany, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With workers each pack is laid out outside this process; with parallel=False, inside it."""
    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", pid_pdf)
    config = load_config(small_company.config)
    workers = build(config, out_dir=tmp_path / "workers")
    here = build(config, out_dir=tmp_path / "here", parallel=False)
    own = f"%PDF-pid {os.getpid()}".encode()
    assert sorted(workers.paths) == sorted(here.paths) == ["daf", "dirigeant"]
    assert all(path.read_bytes() != own for path in workers.paths.values())
    assert all(path.read_bytes() == own for path in here.paths.values())


def test_parallel_build_twice_gives_identical_bytes(demo_build: DemoBuild, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A second build with worker processes, later and elsewhere, hashes the same as the session's.

    (test_pdf.py and test_combined.py compare builds with and without workers.)
    """
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plugins.reset()
    again = build(demo_build.config, audiences=["operations", "banquier"], out_dir=tmp_path, parallel=True)
    assert digests(again.paths) == digests({k: demo_build.paths[k] for k in again.paths})


def test_worker_error_is_the_same_render_error(small_company: SmallCompany, tmp_path: Path) -> None:
    """A pack failing in a worker raises the RenderError it raises in this process, and no PDF is written."""
    config = load_config(refusing_company(small_company))
    errors = []
    for parallel in (True, False):
        out = tmp_path / str(parallel)
        with pytest.raises(RenderError) as caught:
            build(config, out_dir=out, parallel=parallel)
        errors.append(str(caught.value))
        assert pdf_files(out) == []
    assert errors[0] == errors[1]
    assert "ressource refusée" in errors[0] and "127.0.0.1" in errors[0]
    assert "\n" not in errors[0]


def test_cli_reports_a_worker_error_in_one_line(small_company: SmallCompany, tmp_path: Path) -> None:
    """`boardpack build` exits 6 with one « Erreur : » line naming the refused resource, and writes nothing."""
    out = tmp_path / "sortie"
    result = CliRunner().invoke(cli, ["build", str(refusing_company(small_company)), "--out", str(out), "--quiet"])
    assert result.exit_code == 6, (result.output, result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Erreur : mise en page PDF impossible : ressource refusée")
    assert pdf_files(out) == []


@needs_two_cpus
def test_dead_worker_is_a_render_error(small_company: SmallCompany, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker process that dies is reported as a RenderError, and no PDF is written."""
    monkeypatch.setattr(boardpack.build.run, "html_to_pdf", dying_pdf)
    out = tmp_path / "sortie"
    with pytest.raises(RenderError, match="s'est arrêté brutalement"):
        build(load_config(small_company.config), out_dir=out)
    assert pdf_files(out) == []


@needs_two_cpus
def test_charts_are_drawn_in_the_workers(small_company: SmallCompany, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """With workers, this process draws no chart: each pack's charts are drawn in the worker that
    lays it out, into the same HTML as in one process, so the PDFs are the same bytes, and the
    build still hands back each pack's final HTML, charts in it."""
    from boardpack.render.charts import ChartRenderer
    from boardpack.render.pdf import forks_workers

    if not forks_workers():
        pytest.skip("workers are not forked on this platform: charts are drawn here")
    drawn: list[int] = []
    svg = ChartRenderer.svg

    def counted(self: ChartRenderer, *args: Any, **kwargs: Any) -> str:
        drawn.append(os.getpid())  # a worker appends to its own copy
        return svg(self, *args, **kwargs)

    monkeypatch.setattr(ChartRenderer, "svg", counted)
    config = load_config(small_company.config)
    workers = build(config, out_dir=tmp_path / "workers")
    assert drawn == []
    here = build(config, out_dir=tmp_path / "here", parallel=False)
    assert drawn
    assert digests(workers.paths) == digests(here.paths)
    assert list(workers.html) == list(here.html) == ["dirigeant", "daf"]
    assert workers.html == here.html
    assert "data:image/svg+xml;base64," in workers.html["dirigeant"]
    assert not any("<!--chart " in html for html in workers.html.values())
    assert workers.timings["charts"] > 0


@needs_two_cpus
def test_a_chart_failing_in_a_worker_is_one_render_error(small_company: SmallCompany, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A chart that fails while a worker draws it stops the build with one sentence naming the chart
    and its plugin, on the command line too, and no PDF is written."""
    from boardpack.default_plugins.charts.trends import SparklineChart

    def broken(self: SparklineChart, figure: Any, data: Any, style: Any) -> None:
        raise ValueError("série\nillisible")

    monkeypatch.setattr(SparklineChart, "draw", broken)
    out = tmp_path / "sortie"
    with pytest.raises(RenderError) as caught:
        build(load_config(small_company.config), out_dir=out)
    message = str(caught.value)
    assert message.startswith("graphique « sparkline » du plugin « ")
    assert "ValueError : série illisible" in message and "\n" not in message
    assert pdf_files(out) == []
    result = CliRunner().invoke(cli, ["build", str(small_company.config), "--out", str(out), "--quiet"])
    assert result.exit_code == 6, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Erreur : graphique « sparkline »"), lines
    assert pdf_files(out) == []


@needs_two_cpus
def test_charts_that_cannot_go_to_a_worker_are_drawn_here(small_company: SmallCompany, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A chart whose data cannot be sent to a worker (a function in it) is drawn in this process
    before its pack goes to a worker: same PDFs as a one-process build."""
    from boardpack.build.pack import Pack

    chart = Pack.chart

    def with_a_function(self: Pack, name: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        return chart(self, name, {**data, "callback": lambda: None}, *args, **kwargs)

    monkeypatch.setattr(Pack, "chart", with_a_function)
    config = load_config(small_company.config)
    workers = build(config, out_dir=tmp_path / "workers")
    here = build(config, out_dir=tmp_path / "here", parallel=False)
    assert digests(workers.paths) == digests(here.paths)
    assert workers.html == here.html and workers.timings["charts"] > 0


class RecordingLayouts:
    """Stands for two busy workers: records what is submitted, lays nothing out."""

    workers, parallel = 2, True

    def __init__(self) -> None:
        self.submitted: list[str] = []

    def busy(self) -> int:
        return len(self.submitted)

    def submit(self, key: str, function: Any, *args: Any, **kwargs: Any) -> None:
        self.submitted.append(key)


def test_packs_go_to_workers_shortest_first_then_longest_first() -> None:
    """The packs with fewest sections are rendered and sent first (one per worker); those rendered
    while every worker is busy are sent longest first (by their HTML); the build's result keeps
    config order."""
    from boardpack.build.run import BuildResult, _render_here, prepare
    from conftest import DEMO_CONFIG

    config = load_config(DEMO_CONFIG)
    computed = prepare(config)
    layouts = RecordingLayouts()
    result = BuildResult(computed.period)
    rendered = _render_here(layouts, computed, list(config.audiences), result,  # type: ignore[arg-type]
                            lambda message: None, lambda key, stage: None, submit=True, pdfa=False)
    sections = {a.key: len(a.sections) for a in config.audiences}
    first, held = layouts.submitted[:2], layouts.submitted[2:]
    assert sorted(sections[key] for key in layouts.submitted)[:2] == sorted(sections[key] for key in first)
    assert [len(rendered[key].html) for key in held] == sorted((len(rendered[key].html) for key in held), reverse=True)
    assert list(rendered) == list(result.packs) == [a.key for a in config.audiences]


@needs_two_cpus
def test_a_build_failing_before_any_layout_leaves_no_worker(small_company: SmallCompany, tmp_path: Path) -> None:
    """The workers start with the build; when it fails (here, its data folder is gone) they are
    stopped at once, whatever they were doing, and none is left behind."""
    import shutil

    from boardpack.errors import BoardpackError

    shutil.rmtree(small_company.data)
    with pytest.raises(BoardpackError, match="introuvable"):
        build(load_config(small_company.config), out_dir=tmp_path / "sortie")
    assert multiprocessing.active_children() == []
    assert pdf_files(tmp_path / "sortie") == []
