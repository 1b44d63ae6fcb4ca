"""Benchmark of FEC ingestion: a bare ``pandas.read_csv`` against what ``boardpack build`` does
with the same file before it computes any KPI.

Run with ``.venv/bin/python benchmarks/fec_ingest.py [--lines N] [--runs N] [--keep DIR]``. It writes a
FEC of ``N`` lines (1,000,000 by default: TAB, decimal comma, 18 columns, CRLF, balanced
entries of a plausible trading company over one fiscal year) into a temporary folder, then
measures, each run in a fresh Python subprocess (the two alternate, so a busy machine slows
both alike; only the statements are timed, not the imports):

(a) ``pandas.read_csv(path, sep="\\t", dtype=str)`` alone, the floor of any pandas reader;
(b) the ``load`` and ``validate`` stages of ``boardpack build`` on a config whose only source is
    that FEC (``load_inputs``, ``validate``, the ledger, the data-quality gates), timed
    stage by stage in one process:

    - *load*: ``boardpack.fec.read_fec`` (sniff, parse, typed columns);
    - *validate*: ``boardpack.fec.validate_fec`` (balance, accounts, numbering, fiscal year,
      mandatory fields) plus the rest of the ``fec`` source's load (à-nouveaux dating, the
      ``entries`` contract, date order);
    - *ledger*: the ledger the KPIs read (monthly movements and balances per account);
    - *total* = load + validate + ledger, the figure the target is about: at most twice (a);
    - the data-quality gates (duplicates, gaps, unbalanced entries, suspense, bank lines) are
      timed too but shown apart: they are plugins, run on any source, not FEC reading.

Times are wall clock, the median of ``--runs`` runs (5 by default), with the median CPU time
beside (pyarrow reads with two threads, so CPU may exceed wall). Peak memory is the
subprocess's max RSS (``resource.getrusage``), which includes the interpreter and the
libraries (line ``(0)``: the imports alone).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = (
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\t"
    "CompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\t"
    "ValidDate\tMontantdevise\tIdevise"
)

_CUSTOMERS = [(f"C{n:05d}", f"CLIENT {name} {n}") for n, name in enumerate(
    ["DUPONT", "MARTIN", "BERNARD", "PETIT", "DURAND", "LEROY", "MOREAU", "SIMON"] * 50)]
_SUPPLIERS = [(f"F{n:05d}", f"FOURNISSEUR {name} {n}") for n, name in enumerate(
    ["ACIERS DU RHONE", "TRANSPORTS GIRAUD", "EDF", "ORANGE", "BUREAU VALLEE"] * 40)]
_EXPENSES = [("60110000", "Achats matières premières"), ("60610000", "Électricité"),
             ("61320000", "Locations immobilières"), ("62600000", "Frais postaux et télécom"),
             ("62410000", "Transports sur achats")]

#: Imports done before any clock starts, in every measurement (so that (0) is their cost).
_IMPORTS = "import pandas\nimport boardpack.fec\nimport boardpack.build, boardpack.config"
_HARNESS = """
import json, resource, statistics, sys, time
from pathlib import Path
setup, statement, path = sys.argv[1:4]
path = Path(path)
exec(setup)
started, cpu = time.perf_counter(), time.process_time()
exec(statement)
result = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}
result.update(globals().get("stages", {}))
result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
json.dump(result, sys.stderr)
"""
#: (setup, timed statement) of each measurement.
SCRIPT_IMPORT = (_IMPORTS, "pass")
SCRIPT_READ_CSV = (_IMPORTS, "frame = pandas.read_csv(path, sep='\\t', dtype=str)")
#: build's load and validate stages; read_fec and validate_fec are wrapped (before the fec
#: source is imported, so that it calls the wrappers) to time them inside the source's load.
SCRIPT_BUILD = (_IMPORTS + """
spent = {"read_fec": [0.0, 0.0], "validate_fec": [0.0, 0.0]}
def _timed(function):
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[function.__name__][0] += time.perf_counter() - wall
            spent[function.__name__][1] += time.process_time() - cpu
    return wrapper
boardpack.fec.read_fec = _timed(boardpack.fec.read_fec)
boardpack.fec.validate_fec = _timed(boardpack.fec.validate_fec)
config_path = path.parent / "boardpack.toml"
config_path.write_text(
    '[company]\\nname = "Benchmark"\\nfiscal_year_start = 1\\n'
    f'[sources.compta]\\ntype = "fec"\\npath = "{path.name}"\\n'
    '[audiences.daf]\\nsections = ["compte_resultat", "bilan"]\\n', encoding="utf-8")
config = boardpack.config.load_config(config_path)  # loads the plugins, hence the fec source
""", """
from boardpack.build.gates import run_quality
clock = lambda: (time.perf_counter(), time.process_time())
t0 = clock()
session = boardpack.build.load_inputs(config)
boardpack.build.validate(config, session.registry)
ctx = session.context()
t1 = clock()
ctx.ledger
t2 = clock()
issues = run_quality(ctx, session.registry, config.quality)
t3 = clock()
read, check = spent["read_fec"], spent["validate_fec"]
assert read[0] > 0 and check[0] > 0, "the fec source did not call the timed read_fec and validate_fec"
stages = {
    "load": read[0], "load_cpu": read[1],
    "validate": t1[0] - t0[0] - read[0], "validate_cpu": t1[1] - t0[1] - read[1],
    "validate_fec": check[0], "validate_fec_cpu": check[1],
    "ledger": t2[0] - t1[0], "ledger_cpu": t2[1] - t1[1],
    "gates": t3[0] - t2[0], "gates_cpu": t3[1] - t2[1],
    "findings": len(session.findings), "issues": len(issues),
}
""")


def _amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def generate(path: Path, lines: int, seed: int = 7) -> int:
    """Write a FEC of about ``lines`` balanced lines to ``path``; return the exact count."""
    rng = random.Random(seed)
    numbers = {"AN": 0, "VE": 0, "AC": 0, "BQ": 0, "OD": 0}
    labels = {"AN": "A nouveaux", "VE": "Ventes", "AC": "Achats", "BQ": "Banque", "OD": "Opérations diverses"}
    written = 0
    out: list[str] = [HEADER]

    def post(journal: str, day: str, piece: str, label: str,
             rows: list[tuple[str, str, str, str, int, int]]) -> None:
        """Append one entry (its next number in ``journal``) to the output buffer."""
        nonlocal written
        numbers[journal] += 1
        num = str(numbers[journal])
        for account, account_label, aux, aux_label, debit, credit in rows:
            lettering = "AB" if aux and rng.random() < 0.6 else ""
            out.append("\t".join((
                journal, labels[journal], num, day, account, account_label, aux, aux_label, piece,
                day, label, _amount(debit), _amount(credit), lettering, day if lettering else "",
                day, "", "")))
        written += len(rows)

    post("AN", "20250101", "AN", "Report à nouveau", [
        ("10130000", "Capital souscrit appelé versé", "", "", 0, 10_000_000),
        ("51200000", "Banque", "", "", 25_000_000, 0),
        ("16400000", "Emprunts", "", "", 0, 15_000_000)])
    days = [f"2025{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        while written < lines:
            day = rng.choice(days)
            kind = rng.random()
            if kind < 0.35:
                code, name = rng.choice(_CUSTOMERS)
                ht = rng.randrange(1_000, 5_000_000)
                tva = ht // 5
                piece = f"FA{numbers['VE'] + 1:07d}"
                post("VE", day, piece, f"Facture {piece} {name}", [
                    ("41100000", "Clients", code, name, ht + tva, 0),
                    ("70600000", "Prestations de services", "", "", 0, ht),
                    ("44571000", "TVA collectée", "", "", 0, tva)])
            elif kind < 0.65:
                code, name = rng.choice(_SUPPLIERS)
                account, account_label = rng.choice(_EXPENSES)
                ht = rng.randrange(1_000, 2_000_000)
                tva = ht // 5
                piece = f"FF{numbers['AC'] + 1:07d}"
                post("AC", day, piece, f"Facture {name}", [
                    (account, account_label, "", "", ht, 0),
                    ("44566000", "TVA déductible sur ABS", "", "", tva, 0),
                    ("40100000", "Fournisseurs", code, name, 0, ht + tva)])
            elif kind < 0.9:
                code, name = rng.choice(_CUSTOMERS)
                amount = rng.randrange(1_000, 6_000_000)
                post("BQ", day, f"VIR{rng.randrange(10**6):06d}", f"VIR SEPA {name}", [
                    ("51200000", "Banque", "", "", amount, 0),
                    ("41100000", "Clients", code, name, 0, amount)])
            else:
                gross = rng.randrange(150_000, 600_000)
                social = gross * 45 // 100
                post("OD", day, "PAIE", "Salaires du mois", [
                    ("64110000", "Salaires, appointements", "", "", gross, 0),
                    ("42100000", "Personnel - rémunérations dues", "", "", 0, gross),
                    ("64510000", "Cotisations à l'URSSAF", "", "", social, 0),
                    ("43100000", "Sécurité sociale", "", "", 0, social)])
            if written >= lines:  # the year-end depreciation, dated on the closing day
                post("OD", "20251231", "DOT", "Dotations aux amortissements", [
                    ("68112000", "Dotations aux amortissements", "", "", 1_250_000, 0),
                    ("28154000", "Amortissements matériel", "", "", 0, 1_250_000)])
            if len(out) > 50_000:
                handle.write("\r\n".join(out) + "\r\n")
                out.clear()
        handle.write("\r\n".join(out) + "\r\n")
    return written


def measure(script: tuple[str, str], path: Path) -> dict[str, float]:
    """Run ``script`` on ``path`` in a fresh interpreter; its wall and CPU seconds, stages, peak RSS (MiB)."""
    setup, statement = script
    done = subprocess.run(
        [sys.executable, "-c", _HARNESS, setup, statement, str(path)],
        capture_output=True, text=True,
    )
    if done.returncode:
        sys.exit(f"measurement failed:\n{done.stderr}")
    stats = json.loads(done.stderr.strip().splitlines()[-1])
    stats["peak_mib"] = stats.pop("maxrss_kib") / 1024
    return stats


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _row(label: str, seconds: float, cpu: float, extra: str = "") -> str:
    return f"  {label:<58} {seconds:6.2f} s ({cpu:5.2f} s CPU){extra}"


def main() -> None:
    """Generate the FEC, measure (0), (a) and (b) alternately, print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="median of N runs per measurement")
    parser.add_argument("--keep", type=Path, help="write the FEC into this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "123456789FEC20251231.txt"
        count = generate(path, args.lines)
        print(f"FEC: {path.name}, {count:,} lines, {path.stat().st_size / 2**20:,.0f} MiB "
              "(TAB, decimal comma, 18 columns, CRLF)")
        print(f"each measurement: a fresh subprocess; (a) and (b) alternate; median of {args.runs} runs; "
              "time = wall clock (CPU time in brackets); peak memory = max RSS (resource.getrusage)")
        sys.stdout.flush()
        imports = measure(SCRIPT_IMPORT, path)
        bare: list[dict[str, float]] = []
        build: list[dict[str, float]] = []
        for _ in range(args.runs):
            bare.append(measure(SCRIPT_READ_CSV, path))
            build.append(measure(SCRIPT_BUILD, path))
        a = _median(bare, "seconds")
        load, validate, ledger = (_median(build, k) for k in ("load", "validate", "ledger"))
        totals = [run["load"] + run["validate"] + run["ledger"] for run in build]
        total_cpu = statistics.median(run["load_cpu"] + run["validate_cpu"] + run["ledger_cpu"] for run in build)
        total = statistics.median(totals)
        print(f"  {'(0) python + imports (pandas, boardpack.fec, boardpack.build)':<58} "
              f"{'':>25} {imports['peak_mib']:6.0f} MiB")
        print(_row("(a) pandas.read_csv(sep='\\t', dtype=str)", a, _median(bare, "cpu"),
                   f" {max(r['peak_mib'] for r in bare):6.0f} MiB"))
        print("  (b) boardpack build, load and validate stages:")
        print(_row("    load: read_fec", load, _median(build, "load_cpu")))
        print(_row("    validate: validate_fec + rest of the fec source", validate, _median(build, "validate_cpu")))
        print(_row("      of which validate_fec", _median(build, "validate_fec"), _median(build, "validate_fec_cpu")))
        print(_row("    ledger", ledger, _median(build, "ledger_cpu")))
        print(_row("    total = load + validate + ledger", total, total_cpu,
                   f" {max(r['peak_mib'] for r in build):6.0f} MiB"))
        print(_row("    data-quality gates (plugins; not in the total)", _median(build, "gates"),
                   _median(build, "gates_cpu"),
                   f"  ({int(build[0]['findings'])} findings, {int(build[0]['issues'])} issues)"))
        ratio, ratio_cpu = total / a, total_cpu / _median(bare, "cpu")
        per_run = ", ".join(f"{t / r['seconds']:.2f}" for t, r in zip(totals, bare))
        print(f"  ratio total / (a) = {ratio:.2f} wall (runs: {per_run}), {ratio_cpu:.2f} CPU; "
              f"with the gates {(total + _median(build, 'gates')) / a:.2f} wall")
        verdict = "met" if ratio <= 2 else "NOT met"
        print(f"target: load + validate + ledger ≤ 2 × bare read_csv (wall clock): {verdict} "
              f"({ratio:.2f} ×; CPU time {ratio_cpu:.2f} ×)")


if __name__ == "__main__":
    main()
