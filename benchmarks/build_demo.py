"""Benchmark of boardpack's cost per company: start-up, the demo build against WeasyPrint alone,
WeasyPrint's CPU per pack, and the real FEC samples built end to end.

Run with ``make bench`` or ``.venv/bin/python benchmarks/build_demo.py [--runs N] [--fec-runs N]``.
The machine may be shared: every comparison is made of interleaved rounds (the two sides
alternate, so a busy spell slows both), each figure is the median of its rounds, and the load
average is printed beside it.

1. **Start-up** (target: ``boardpack --help`` within 0.3 s): wall time of ``python -c pass``,
   ``boardpack --help``, ``boardpack kpis --list`` and ``boardpack plugins``, each run as a new
   process, 7 interleaved rounds (``--startup-runs``).
2. **Demo build against WeasyPrint alone** (target: at most 1.3): the whole demo build in this
   process, its PDFs laid out in worker processes (the default: the workers start with the
   build and warm up while it loads and computes; this process renders each pack's HTML, and
   its charts are drawn in the worker that lays it out), against the same HTML handed
   to WeasyPrint alone, ``weasyprint.HTML(string=…).write_pdf()`` per audience, in as many
   worker processes, in a fresh Python process that imports nothing else. Neither side counts
   its imports (one build warms this process up first; the fresh process imports WeasyPrint
   before its clock starts). The same with no workers (``parallel=False``, charts drawn and
   packs laid out in this process, against one pack after the other) is shown too. Stages:
   load (read and check the data), validate (config against the plugins), compute (ledger,
   statements, every KPI over every window), charts (matplotlib; with workers, the seconds the
   workers spent drawing, while others laid out), html (sections and templates), pdf
   (WeasyPrint; with workers, the wait for them after the last HTML, plus writing). Wall-clock
   seconds are followed by CPU seconds (this process and its workers).
3. **WeasyPrint CPU per pack**: layout (``HTML.render()``) and writing (``write_pdf()``) apart,
   lowest of ``--runs``, in the fresh process, with the PDF's size and the font subsetter in use
   (HarfBuzz when the system has libharfbuzz-subset, else fontTools).
4. **Real FEC samples** (``tests/data/fec/``): for each, ``boardpack init --fec`` then
   ``boardpack build --quiet`` as a user runs them, wall and CPU seconds (the command and its
   workers), median of ``--fec-runs``: the cost per company a portfolio multiplies.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
FEC_SAMPLES = ROOT / "tests" / "data" / "fec"


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
    """CPU time used so far by this process and its finished children (workers, commands)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(task: Callable[[], T]) -> tuple[float, float, T]:
    """Wall seconds, CPU seconds (with finished children) and the result of ``task()``."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    value = task()
    return time.perf_counter() - started, cpu_seconds() - cpu, value


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def weasyprint_alone_mode(folder: Path, base_url: str, mode: str, runs: int) -> None:
    """(In the fresh process) time WeasyPrint on ``folder/*.html`` one way; print JSON."""
    import weasyprint  # noqa: F401  (importing is not laying out)

    paths = sorted(folder.glob("*.html"))
    pages = [path.read_text(encoding="utf-8") for path in paths]
    workers = min(len(pages), os.cpu_count() or 1)
    if mode == "pool":
        def in_pool() -> None:
            context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                list(pool.map(weasyprint_alone, pages, [base_url] * len(pages)))

        wall, cpu, _ = timed(in_pool)
        print(json.dumps({"wall": wall, "cpu": cpu, "workers": workers}))
    elif mode == "sequential":
        wall, cpu, _ = timed(lambda: [weasyprint_alone(html, base_url) for html in pages])
        print(json.dumps({"wall": wall, "cpu": cpu}))
    else:
        per_pack = {}
        for path, html in zip(paths, pages):
            trials = [weasyprint_cpu(html, base_url) for _ in range(runs)]
            per_pack[path.stem] = min(trials, key=lambda trial: trial[0] + trial[1])
        print(json.dumps({"per_pack": per_pack, "subsetter": font_subsetter()}))


def _alone(folder: Path, base_url: str, mode: str, runs: int = 1) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--weasyprint-alone", str(folder), "--base-url", base_url,
                           "--mode", mode, "--runs", str(runs)], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def startup(runs: int) -> None:
    """Print the median wall time of commands that need no data, against a bare interpreter."""
    script = Path(sys.executable).parent / "boardpack"
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "boardpack --help": [str(script), "--help"],
        "boardpack kpis --list": [str(script), "kpis", "--list"],
        "boardpack plugins": [str(script), "plugins"],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    loads = []
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            walls[name].append(time.perf_counter() - started)
        loads.append(load())
    bare = statistics.median(walls["python -c pass"])
    print(f"1. start-up, median of {runs} interleaved rounds, load average {statistics.median(loads):.1f} "
          f"(target: boardpack --help <= 0.30 s)")
    for name, values in walls.items():
        median = statistics.median(values)
        print(f"  {name:<24} {median:6.3f} s   ({median / bare:4.1f} × python -c pass)")


def demo(runs: int) -> None:
    """Print the demo build against WeasyPrint alone, interleaved, and WeasyPrint's CPU per pack."""
    import boardpack
    from boardpack.build import STAGES, BuildResult, build
    from boardpack.config import load_config
    from boardpack.render.templates import BUILTIN_TEMPLATES

    config = load_config(Path(boardpack.__file__).parent / "demo" / "config.toml")
    base_url = str(BUILTIN_TEMPLATES)

    def demo_build(parallel: bool) -> BuildResult:
        with tempfile.TemporaryDirectory() as out:
            return build(config, out_dir=Path(out), parallel=parallel)

    warm = demo_build(parallel=True)  # imports, template and font caches: neither side counts them
    rows: dict[str, list[tuple[float, float, float]]] = {
        "build": [], "alone_pool": [], "build_here": [], "alone_sequential": []}
    stages: list[dict[str, float]] = []
    workers = 0
    with tempfile.TemporaryDirectory() as folder:
        for key, html in warm.html.items():
            (Path(folder) / f"{key}.html").write_text(html, encoding="utf-8")
        for round_ in range(runs):
            def one_build() -> None:
                wall, cpu, result = timed(lambda: demo_build(parallel=True))
                rows["build"].append((wall, cpu, load()))
                stages.append(dict(result.timings))

            def pooled() -> None:
                nonlocal workers
                alone = _alone(Path(folder), base_url, "pool")
                workers = alone["workers"]
                rows["alone_pool"].append((alone["wall"], alone["cpu"], load()))

            def here() -> None:
                wall, cpu, _ = timed(lambda: demo_build(parallel=False))
                rows["build_here"].append((wall, cpu, load()))

            def sequential() -> None:
                alone = _alone(Path(folder), base_url, "sequential")
                rows["alone_sequential"].append((alone["wall"], alone["cpu"], load()))

            order = [one_build, pooled, here, sequential]
            for task in order if round_ % 2 == 0 else order[::-1]:
                task()
        per_pack = _alone(Path(folder), base_url, "cpu", runs)

    def median(name: str, index: int) -> float:
        return statistics.median(row[index] for row in rows[name])

    print(f"2. demo build, period {warm.period}, {len(warm.html)} packs, {runs} interleaved round(s), "
          f"{os.cpu_count()} CPU(s), medians")
    print(f"  build, PDFs laid out in {workers} worker processes (default), charts drawn in the workers, "
          "HTML rendered here, stages:")
    for stage in STAGES:
        print(f"    {stage:<9} {statistics.median(s[stage] for s in stages):7.2f} s")
    labels = {"build": f"build with {workers} workers", "alone_pool": f"WeasyPrint alone, {workers} workers",
              "build_here": "build in one process", "alone_sequential": "WeasyPrint alone, one after the other"}
    for name, label in labels.items():
        walls = " ".join(f"{row[0]:.2f}" for row in rows[name])
        print(f"  {label:<38} {median(name, 0):6.2f} s  (CPU {median(name, 1):6.2f} s; rounds: {walls} s; "
              f"load {median(name, 2):.1f})")
    ratios = [b[0] / a[0] for b, a in zip(rows["build"], rows["alone_pool"])]
    ratios_here = [b[0] / a[0] for b, a in zip(rows["build_here"], rows["alone_sequential"])]
    print("  whole demo build / WeasyPrint alone (target: with workers <= 1.3), median of the rounds' ratios:")
    print(f"    with workers   {statistics.median(ratios):5.2f}   (rounds: {' '.join(f'{r:.2f}' for r in ratios)})")
    print(f"    in one process {statistics.median(ratios_here):5.2f}   (rounds: {' '.join(f'{r:.2f}' for r in ratios_here)})")
    print(f"3. WeasyPrint CPU per pack, same HTML, fresh process, lowest of {runs} "
          f"(fonts subset by {per_pack['subsetter']}), load average {load():.1f}:")
    print(f"  {'pack':<12} {'layout':>7} {'writing':>8} {'total':>7}   PDF")
    totals = [0.0, 0.0, 0]
    for key in warm.html:
        layout, writing, size = per_pack["per_pack"][key]
        totals = [totals[0] + layout, totals[1] + writing, totals[2] + size]
        print(f"  {key:<12} {layout:6.2f} s {writing:6.2f} s {layout + writing:5.2f} s   {size / 1024:5.0f} KiB")
    print(f"  {'total':<12} {totals[0]:6.2f} s {totals[1]:6.2f} s {totals[0] + totals[1]:5.2f} s   "
          f"{totals[2] / 1024:5.0f} KiB")


def fec_samples(runs: int) -> None:
    """Print, per real FEC sample, the wall and CPU seconds of ``init --fec`` and ``build``."""
    script = str(Path(sys.executable).parent / "boardpack")
    samples = sorted(p for p in FEC_SAMPLES.iterdir() if p.suffix.lower() == ".txt" and "FEC" in p.name)
    figures: dict[str, list[tuple[float, float, float, float, float, int]]] = {p.name: [] for p in samples}
    for round_ in range(runs):
        for sample in samples if round_ % 2 == 0 else samples[::-1]:
            with tempfile.TemporaryDirectory() as folder:
                config = Path(folder) / "boardpack.toml"
                init_wall, init_cpu, _ = timed(lambda: subprocess.run(
                    [script, "init", "--fec", str(sample), str(config)], check=True, capture_output=True))
                build_wall, build_cpu, done = timed(lambda: subprocess.run(
                    [script, "build", str(config), "--quiet", "--out", str(Path(folder) / "out")],
                    check=True, capture_output=True, text=True))
                packs = len(done.stdout.splitlines())
                figures[sample.name].append((init_wall, init_cpu, build_wall, build_cpu, load(), packs))
    print(f"4. real FEC samples (tests/data/fec/), boardpack init --fec then boardpack build --quiet, "
          f"median of {runs} round(s):")
    print(f"  {'sample':<28} {'lines':>7} {'packs':>5} {'init':>14} {'build':>16}   load")
    total_cpu = []
    for name, rows in figures.items():
        lines = sum(1 for _ in (FEC_SAMPLES / name).open("rb")) - 1

        def med(index: int) -> float:
            return statistics.median(row[index] for row in rows)

        total_cpu.append(med(1) + med(3))
        print(f"  {name:<28} {lines:>7} {rows[0][5]:>5} {med(0):5.2f} s CPU {med(1):4.2f} "
              f"{med(2):6.2f} s CPU {med(3):5.2f}   {med(4):.1f}")
    print(f"  CPU per company (init + build), median over the samples: {statistics.median(total_cpu):.2f} s")


def main() -> None:
    """Run the four measurements (or one, with the hidden ``--weasyprint-alone``)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="rounds of the demo comparison (default 3)")
    parser.add_argument("--startup-runs", type=int, default=7, help="rounds of the start-up timings (default 7)")
    parser.add_argument("--fec-runs", type=int, default=1, help="rounds of the FEC samples (default 1)")
    parser.add_argument("--only", choices=["startup", "demo", "fec"], help="one measurement only")
    parser.add_argument("--weasyprint-alone", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["pool", "sequential", "cpu"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.weasyprint_alone:
        weasyprint_alone_mode(args.weasyprint_alone, args.base_url, args.mode, args.runs)
        return
    if args.only in (None, "startup"):
        startup(args.startup_runs)
    if args.only in (None, "demo"):
        demo(args.runs)
    if args.only in (None, "fec"):
        fec_samples(args.fec_runs)
    print(f"peak memory of this process (max RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
