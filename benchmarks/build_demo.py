"""Benchmark of the demo build: seconds per stage and peak memory.

Run with ``make bench`` or ``.venv/bin/python benchmarks/build_demo.py [--runs N]``.
Stages: load (read and check the CSV files), validate (config against the plugins),
compute (ledger, statements and every KPI over every window), charts (matplotlib),
html (sections and templates), pdf (WeasyPrint layout and writing).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from boardpack.build import STAGES, build
from boardpack.cli import DEMO_CONFIG
from boardpack.config import load_config


def main() -> None:
    """Build the demo ``--runs`` times and print the fastest run's stage timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    config = load_config(DEMO_CONFIG)
    best = None
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            result = build(config, out_dir=Path(out))
            total = time.perf_counter() - started
        if best is None or total < best[0]:
            best = (total, result)
    assert best is not None
    total, result = best
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"demo build, period {result.period}, {len(result.paths)} packs, best of {args.runs} run(s)")
    for stage in STAGES:
        print(f"  {stage:<9} {result.timings[stage]:7.2f} s")
    print(f"  {'total':<9} {total:7.2f} s")
    print(f"  peak memory (max RSS) {peak_mib:7.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
