"""Benchmark of boardpack batch: a generated portfolio on 1 and 2 local workers and on a 2-worker Dask LocalCluster.

Run with ``.venv/bin/python benchmarks/batch.py [--companies 40] [--keep DIR]``.

The portfolio mixes variants of the real FEC samples of tests/data/fec/ (each copied under
its own SIREN, built with a template of two audiences, dirigeant and DAF) and variants of the
demo company (its own config, renamed, with the dirigeant and banquier packs), one demo
company for three FEC ones. Every run rebuilds everything (``force``) into the same folder.
The local pools are timed from their start (spawning the workers and their imports count);
the LocalCluster is started before its run is timed (a cluster is long-lived), its workers
already warm. Printed per run: wall seconds, companies per minute, CPU seconds the workers
spent per company, the share of a core each worker got (CPU seconds ÷ wall seconds ÷ workers:
below 100 % the machine was busy with other work — compare the runs with that in mind), peak
memory per worker (``ru_maxrss``);
then the speedup from 1 to 2 local workers and the LocalCluster against the 2-worker pool.
Targets on a 2-core machine: speedup ≥ 1.7, LocalCluster within 15 %.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FECS = sorted((ROOT / "tests" / "data" / "fec").glob("*FEC*.[tT][xX][tT]"))
TEMPLATE = """\
[company]
name = "Modèle du cabinet"
currency = "EUR"

[audiences.dirigeant]
title = "Synthèse dirigeant"
sections = ["kpi_tiles", "commentaire", "tendances", "alertes"]

[audiences.daf]
title = "Détail DAF"
sections = ["kpi_table", "compte_resultat", "bilan", "tresorerie_bfr", "alertes", "qualite_donnees"]
"""
DEMO = """\
[company]
name = "Démo {n} — Mécanique de Précision"
siren = "812345674"
currency = "EUR"

[sources.demo]
type = "demo"

[audiences.dirigeant]
title = "Synthèse dirigeant"
sections = ["kpi_tiles", "commentaire", "tendances", "faits_marquants", "alertes"]

[audiences.banquier]
title = "Dossier banquier"
sections = ["note_de_synthese", "etats_3_exercices", "ratios_bancaires"]
"""


def generate(folder: Path, companies: int) -> Path:
    """Write a portfolio of ``companies`` companies into ``folder``; return its path."""
    (folder / "clients").mkdir(parents=True, exist_ok=True)
    (folder / "modele.toml").write_text(TEMPLATE, encoding="utf-8")
    lines = ["[portfolio]", 'name = "Cabinet de démonstration"', 'template = "modele.toml"', 'out = "dossiers"', ""]
    for n in range(companies):
        ident = f"societe-{n + 1:03d}"
        if n % 4 == 3:
            config = folder / "clients" / f"{ident}.toml"
            config.write_text(DEMO.format(n=n + 1), encoding="utf-8")
            lines += [f"[companies.{ident}]", f'config = "clients/{config.name}"', ""]
            continue
        source = FECS[n % len(FECS)]
        siren = f"{900000000 + n:09d}"
        target = folder / "clients" / f"{siren}FEC{source.name.split('FEC', 1)[1]}"
        shutil.copyfile(source, target)
        lines += [f"[companies.{ident}]", f'fec = "clients/{target.name}"', ""]
    path = folder / "portefeuille.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def timed(label: str, portfolio: Any, executor: Any, workers: int) -> float:
    """Run the whole portfolio on ``executor``; print and return its wall seconds."""
    from boardpack.batch import run_batch

    started = time.perf_counter()
    report = run_batch(portfolio, executor, force=True)
    seconds = time.perf_counter() - started
    count = len(report.lines)
    failed = [line for line in report.lines if line.status != "ok"]
    cpu = sum(line.cpu_seconds for line in report.lines)
    peaks = sorted(report.memory.values(), reverse=True)
    print(f"{label:<28} {seconds:7.1f} s  {count / seconds * 60:6.1f} sociétés/min  "
          f"CPU {cpu / count:4.2f} s/société  CPU obtenu {cpu / (seconds * workers):4.0%} par worker  "
          "mémoire max par worker "
          + ", ".join(f"{p / 2**20:.0f} Mo" for p in peaks[:4])
          + (f"  ÉCHECS {len(failed)} : {failed[0].id} {failed[0].first_error_line}" if failed else ""), flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="Generate and build in this folder (kept).")
    parser.add_argument("--no-dask", action="store_true", help="Skip the LocalCluster run.")
    args = parser.parse_args()
    from boardpack.batch import LocalExecutor, load_portfolio

    folder = args.keep or Path(tempfile.mkdtemp(prefix="boardpack-batch-bench-"))
    portfolio = load_portfolio(generate(folder, args.companies))
    print(f"{args.companies} sociétés ({sum(1 for c in portfolio.companies if c.config)} démo, "
          f"{sum(1 for c in portfolio.companies if c.data)} FEC réels) ; {os.cpu_count()} cœur(s) ; "
          f"charge {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    one = timed("local, 1 worker", portfolio, LocalExecutor(1), 1)
    two = timed("local, 2 workers", portfolio, LocalExecutor(2), 2)
    print(f"accélération 1 → 2 workers : {one / two:.2f} (cible ≥ 1,7)")
    if not args.no_dask:
        from distributed import Client, LocalCluster

        from boardpack.batch.distributed import DaskExecutor

        import dask

        # Dask's statistical profiler samples every worker thread 100 times a second, about 15 % of
        # the CPU of a boardpack build (many short Python calls); docs/batch.md says to turn it off
        with dask.config.set({"distributed.worker.profile.enabled": False}), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address=None) as cluster, Client(cluster) as client:
            client.run(lambda: __import__("boardpack.build"))  # warm workers, as a long-lived cluster's
            dask = timed("Dask LocalCluster, 2 workers", portfolio, DaskExecutor(client=client), 2)
        print(f"LocalCluster / pool local à 2 workers : {dask / two:.2f} (cible ≤ 1,15)")
    print(f"charge à la fin {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
