"""Benchmark of FEC ingestion: a bare ``pandas.read_csv`` against ``read_fec`` and ``validate_fec``.

Run with ``.venv/bin/python benchmarks/fec_ingest.py [--lines N] [--runs N] [--keep DIR]``. It writes a
FEC of ``N`` lines (1,000,000 by default: TAB, decimal comma, 18 columns, CRLF, balanced
entries of a plausible trading company over one fiscal year) into a temporary folder, then
measures three things, each in a fresh Python subprocess so that its peak memory is its own:

(a) ``pandas.read_csv(path, sep="\\t", dtype=str)`` alone, the floor of any pandas reader;
(b) ``boardpack.fec.read_fec(path)``;
(c) ``boardpack.fec.validate_fec(fec)`` (the read is done first: it is not in the time, but
    it is in the peak memory).

Only the statement is timed, not the imports.

Times are wall clock, best of ``--runs`` (3 by default), with the CPU time of the same run
beside (less disturbed by other processes on a busy machine). Peak memory is the
subprocess's max RSS from ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes the
interpreter and pandas themselves (line ``(0)``: the imports alone).
"""

from __future__ import annotations

import argparse
import json
import random
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

#: (setup, timed statement) per measurement; the imports are not timed.
SCRIPT_IMPORT = ("import pandas, boardpack.fec", "pass")
SCRIPT_READ_CSV = ("import pandas", "frame = pandas.read_csv(path, sep='\\t', dtype=str)")
SCRIPT_READ_FEC = ("from boardpack.fec import read_fec", "fec = read_fec(Path(path))")
SCRIPT_VALIDATE = ("from boardpack.fec import read_fec, validate_fec\nfec = read_fec(Path(path))",
                   "findings = validate_fec(fec)")
_HARNESS = """
import json, resource, sys, time
from pathlib import Path
setup, statement, path = sys.argv[1:4]
exec(setup)
started, cpu = time.perf_counter(), time.process_time()
exec(statement)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
result = {"seconds": elapsed, "cpu": cpu, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
if "findings" in globals():
    result["findings"] = len(findings)
json.dump(result, sys.stderr)
"""


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
    """Run ``script`` on ``path`` in a fresh interpreter; return wall and CPU seconds, peak RSS (MiB)."""
    setup, statement = script
    done = subprocess.run(
        [sys.executable, "-c", _HARNESS, setup, statement, str(path)],
        capture_output=True, text=True, check=True,
    )
    stats = json.loads(done.stderr.strip().splitlines()[-1])
    result = {"seconds": stats["seconds"], "cpu": stats["cpu"], "peak_mib": stats["maxrss_kib"] / 1024}
    if "findings" in stats:
        result["findings"] = stats["findings"]
    return result


def main() -> None:
    """Generate the FEC, measure (a), (b) and (c), and print the table and the ratio (b)/(a)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="best of N runs per measurement")
    parser.add_argument("--keep", type=Path, help="write the FEC into this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "123456789FEC20251231.txt"
        count = generate(path, args.lines)
        print(f"FEC: {path.name}, {count:,} lines, {path.stat().st_size / 2**20:,.0f} MiB "
              "(TAB, decimal comma, 18 columns, CRLF)")
        print("each measurement: a fresh subprocess; time = wall clock (CPU time in brackets), "
              f"best of {args.runs}; peak memory = its max RSS (resource.getrusage)")
        rows = {}
        for key, script in (("(0) python + import pandas, boardpack.fec", SCRIPT_IMPORT),
                            ("(a) pandas.read_csv(sep='\\t', dtype=str)", SCRIPT_READ_CSV),
                            ("(b) read_fec", SCRIPT_READ_FEC),
                            ("(c) validate_fec (after read_fec)", SCRIPT_VALIDATE)):
            runs = [measure(script, path) for _ in range(args.runs)]
            rows[key] = best = min(runs, key=lambda r: r["seconds"])
            extra = f"  ({int(best['findings'])} findings)" if "findings" in best else ""
            print(f"  {key:<45} {best['seconds']:6.2f} s ({best['cpu']:5.2f} s CPU) "
                  f"{best['peak_mib']:6.0f} MiB{extra}")
            sys.stdout.flush()
        a, b = rows["(a) pandas.read_csv(sep='\\t', dtype=str)"], rows["(b) read_fec"]
        print(f"  ratio (b)/(a) = {b['seconds'] / a['seconds']:.2f} wall, {b['cpu'] / a['cpu']:.2f} CPU")


if __name__ == "__main__":
    main()
