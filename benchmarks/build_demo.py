"""Benchmark of the demo build: seconds per stage, peak memory, and WeasyPrint alone.

Run with ``make bench`` or ``.venv/bin/python benchmarks/build_demo.py [--runs N]``.
Stages: load (read and check the CSV files), validate (config against the plugins),
compute (ledger, statements and every KPI over every window), charts (matplotlib),
html (sections and templates), pdf (WeasyPrint layout and writing; with worker processes,
the wait for them after the last HTML, plus the writing).

The build is timed with its PDFs laid out in worker processes (the default) and in this
process (``parallel=False``). For reference, the HTML of the same build is then handed to
WeasyPrint alone, ``weasyprint.HTML(string=…).write_pdf()`` per audience, one after the
other and in a process pool, in a fresh Python process that imports nothing else (so that
it does not pay for the build's heap); the ratio « whole build / WeasyPrint alone » says
what the build costs beyond the PDF engine (target: 1.3 at most). Wall-clock seconds are
followed by CPU seconds (this process and its workers): on a busy machine, compare those.

The same fresh process also gives WeasyPrint's CPU seconds per pack, layout
(``HTML.render()``) and writing (``write_pdf()``) apart, with the PDF's size and the font
subsetter in use (HarfBuzz when the system has libharfbuzz-subset, else fontTools): the
figure to compare when changing the templates, the CSS or the charts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def weasyprint_alone(html: str, base_url: str) -> int:
    """Lay out and write one pack with WeasyPrint and nothing else; the PDF's size."""
    from weasyprint import HTML

    return len(HTML(string=html, base_url=base_url).write_pdf())


def weasyprint_cpu(html: str, base_url: str) -> tuple[float, float, int]:
    """CPU seconds of WeasyPrint laying out and writing one pack, and the PDF's size."""
    from weasyprint import HTML

    started = time.process_time()
    document = HTML(string=html, base_url=base_url).render()
    laid_out = time.process_time()
    size = len(document.write_pdf())
    return laid_out - started, time.process_time() - laid_out, size


def font_subsetter() -> str:
    """Which library WeasyPrint subsets the embedded fonts with, here."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:
        return "unknown"
    return "HarfBuzz (libharfbuzz-subset)" if harfbuzz_subset is not None else "fontTools (no libharfbuzz-subset)"


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(runs: int, task: Callable[[], T]) -> tuple[float, float, T]:
    """The fastest of ``runs`` calls of ``task``: wall seconds, CPU seconds, its result."""
    found: tuple[float, float, T] | None = None
    for _ in range(runs):
        cpu = cpu_seconds()
        started = time.perf_counter()
        value = task()
        wall = time.perf_counter() - started
        if found is None or wall < found[0]:
            found = (wall, cpu_seconds() - cpu, value)
    assert found is not None
    return found


def time_weasyprint_alone(folder: Path, base_url: str, runs: int) -> None:
    """(In the fresh process) time WeasyPrint on ``folder/*.html``; print JSON timings."""
    import weasyprint  # noqa: F401  (importing is not laying out)

    paths = sorted(folder.glob("*.html"))
    pages = [path.read_text(encoding="utf-8") for path in paths]
    workers = min(len(pages), os.cpu_count() or 1)

    def in_pool() -> None:
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            list(pool.map(weasyprint_alone, pages, [base_url] * len(pages)))

    sequential = best(runs, lambda: [weasyprint_alone(html, base_url) for html in pages])
    pooled = best(runs, in_pool)
    per_pack = {}
    for path, html in zip(paths, pages):
        trials = [weasyprint_cpu(html, base_url) for _ in range(runs)]
        per_pack[path.stem] = min(trials, key=lambda trial: trial[0] + trial[1])
    print(json.dumps({"sequential": sequential[:2], "pool": pooled[:2], "workers": workers,
                      "per_pack": per_pack, "subsetter": font_subsetter()}))


def main() -> None:
    """Build the demo ``--runs`` times each way and print the fastest runs' timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--weasyprint-alone", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.weasyprint_alone:
        time_weasyprint_alone(args.weasyprint_alone, args.base_url, args.runs)
        return

    import boardpack
    from boardpack.build import STAGES, BuildResult, build
    from boardpack.config import load_config
    from boardpack.render.templates import BUILTIN_TEMPLATES

    config = load_config(Path(boardpack.__file__).parent / "demo" / "config.toml")

    def demo_build(parallel: bool) -> BuildResult:
        with tempfile.TemporaryDirectory() as out:
            return build(config, out_dir=Path(out), parallel=parallel)

    total, total_cpu, result = best(args.runs, lambda: demo_build(parallel=True))
    sequential, sequential_cpu, _ = best(args.runs, lambda: demo_build(parallel=False))
    with tempfile.TemporaryDirectory() as folder:
        for key, html in build(config, write=False).html.items():
            (Path(folder) / f"{key}.html").write_text(html, encoding="utf-8")
        alone: dict[str, Any] = json.loads(subprocess.run(
            [sys.executable, __file__, "--weasyprint-alone", folder, "--base-url", str(BUILTIN_TEMPLATES),
             "--runs", str(args.runs)], check=True, capture_output=True, text=True).stdout)
    (alone_wall, alone_cpu), (pooled_wall, pooled_cpu) = alone["sequential"], alone["pool"]
    workers = alone["workers"]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"demo build, period {result.period}, {len(result.paths)} packs, best of {args.runs} run(s), "
          f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
    print(f"build, PDFs laid out in {workers} worker processes (default):")
    for stage in STAGES:
        print(f"  {stage:<9} {result.timings[stage]:7.2f} s")
    print(f"  {'total':<9} {total:7.2f} s   (CPU {total_cpu:.2f} s)")
    print(f"build, PDFs laid out in this process (parallel=False): {sequential:.2f} s   (CPU {sequential_cpu:.2f} s)")
    print("WeasyPrint alone on the same HTML, HTML(string=…).write_pdf() per audience, fresh process:")
    print(f"  one after the other       {alone_wall:7.2f} s   (CPU {alone_cpu:.2f} s)")
    print(f"  in {workers} worker processes   {pooled_wall:7.2f} s   (CPU {pooled_cpu:.2f} s)")
    print("whole demo build / WeasyPrint alone (target <= 1.3):")
    print(f"  build with workers / WeasyPrint in workers          {total / pooled_wall:5.2f}")
    print(f"  build with workers / WeasyPrint one after the other {total / alone_wall:5.2f}")
    print(f"  build in process   / WeasyPrint one after the other {sequential / alone_wall:5.2f}")
    print(f"WeasyPrint CPU per pack, same HTML, fresh process, best of {args.runs} (fonts subset by {alone['subsetter']}):")
    print(f"  {'pack':<12} {'layout':>7} {'writing':>8} {'total':>7}   PDF")
    totals = [0.0, 0.0, 0]
    for key in result.html:
        layout, writing, size = alone["per_pack"][key]
        totals = [totals[0] + layout, totals[1] + writing, totals[2] + size]
        print(f"  {key:<12} {layout:6.2f} s {writing:6.2f} s {layout + writing:5.2f} s   {size / 1024:5.0f} KiB")
    print(f"  {'total':<12} {totals[0]:6.2f} s {totals[1]:6.2f} s {totals[0] + totals[1]:5.2f} s   {totals[2] / 1024:5.0f} KiB")
    print(f"peak memory (max RSS) {peak_mib:.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
