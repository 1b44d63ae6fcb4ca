"""Data-quality gates: each check on small crafted datasets, with the source lines in its messages.

Frames are built through the schemas' ``coerce`` so that every row has its line number
(header = line 1, first row = line 2), or read from the small company of conftest.py with
faults appended to its CSV files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from boardpack.build import gates
from boardpack.build.validate import check_ignored
from boardpack.build import Inputs, load_inputs
from boardpack.config import load_config
from boardpack.default_plugins.checks import invoices as quality_invoices
from boardpack.default_plugins.checks import ledger as quality_ledger
from boardpack.default_plugins.checks.common import MAX_ISSUES
from boardpack.default_plugins.sources.datasets import BUDGET, ENTRIES, INVOICES, OPS_METRICS
from boardpack.errors import ConfigError
from boardpack.api import Issue
from boardpack.build.context import CompanyData
from boardpack.plugins import get_registry

from conftest import (
    DEMO_CONFIG, ENTRY_HEADER, SMALL_COMPANY, SMALL_CONFIG, SmallCompany, small_entries_rows, write_small_company,
)

NNBSP, NBSP = "\u202f", "\u00a0"
#: The ``[quality]`` table with every default the registered checks declare.
QUALITY_DEFAULTS = gates.with_defaults(get_registry(), "quality", {})
ENTRY_COLUMNS = ["date", "journal", "entry_id", "account", "aux_account", "label", "debit", "credit", "piece_ref"]
INVOICE_COLUMNS = ["kind", "number", "counterparty", "issue_date", "due_date", "paid_date",
                   "amount_excl_tax", "amount_incl_tax", "status"]


def entries(rows: list[tuple[str, ...]], check: bool = True) -> pd.DataFrame:
    """A coerced ``entries`` frame; ``check=False`` lets unbalanced entries through (as a lax source would)."""
    schema = ENTRIES if check else dataclasses.replace(ENTRIES, checks=())
    return schema.coerce(pd.DataFrame(rows, columns=ENTRY_COLUMNS, dtype=object), "test")


def invoices(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    """A coerced ``invoices`` frame (first row = line 2)."""
    return INVOICES.coerce(pd.DataFrame(rows, columns=INVOICE_COLUMNS, dtype=object), "test")


def ctx(**datasets: pd.DataFrame) -> CompanyData:
    """A context over the given datasets only."""
    return CompanyData(datasets, SMALL_COMPANY)


def sale(number: str, counterparty: str = "Client Un", issued: str = "15/01/2026", ttc: str = "1200",
         status: str = "issued", kind: str = "sale") -> tuple[str, ...]:
    """One invoice row (HT = TTC / 1,2 is irrelevant to the checks: HT 1 000)."""
    return (kind, number, counterparty, issued, "15/02/2026", "", "1000", ttc, status)


def balanced(day: str, entry: str, label: str = "Vente", amount: str = "100", journal: str = "VE") -> list[tuple[str, ...]]:
    """A two-line entry: 411000 debit / 701000 credit."""
    return [
        (day, journal, entry, "411000", "", label, amount, "0", ""),
        (day, journal, entry, "701000", "", label, "0", amount, ""),
    ]


# ---------------------------------------------------------------- duplicate_invoice


def test_duplicate_invoice_same_number_is_blocking_with_both_lines() -> None:
    """Two sale invoices numbered FA-1 (lines 2 and 4) make one blocking issue naming both lines."""
    frame = invoices([sale("FA-1"), sale("FA-2", "Client Deux"), sale("FA-1", "Client Trois", ttc="600")])
    issues = quality_invoices.DuplicateInvoice().run(ctx(invoices=frame), QUALITY_DEFAULTS)
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.check, issue.severity, issue.dataset, issue.lines) == ("duplicate_invoice", "blocking", "invoices", (2, 4))
    assert "FA-1" in issue.message["fr"] and "« invoices », lignes 2 et 4" in issue.message["fr"]
    assert "lines 2 and 4" in issue.message["en"]
    assert issue.figures["count"] == 2


def test_duplicate_invoice_same_counterparty_date_and_amount() -> None:
    """Same kind, customer, date and TTC under two numbers is a duplicate; a cancelled copy or a purchase is not."""
    frame = invoices([
        sale("FA-1"),                                   # line 2
        sale("FA-2", "Client Deux"),                    # line 3: another customer
        sale("FA-3"),                                   # line 4: same as line 2
        sale("FA-4", status="cancelled"),               # line 5: cancelled, left out
        sale("FF-9", kind="purchase"),                  # line 6: a purchase, another kind
    ])
    issues = quality_invoices.DuplicateInvoice().run(ctx(invoices=frame), QUALITY_DEFAULTS)
    assert [i.lines for i in issues] == [(2, 4)]
    message = issues[0].message["fr"]
    assert "Client Un" in message and "15 janvier 2026" in message and f"1{NNBSP}200{NBSP}€" in message
    assert "FA-1, FA-3" in message


def test_duplicate_invoice_reports_a_pair_once_when_both_criteria_match() -> None:
    """Two identical rows match by number and by content: one issue, not two."""
    frame = invoices([sale("FA-1"), sale("FA-1")])
    issues = quality_invoices.DuplicateInvoice().run(ctx(invoices=frame), QUALITY_DEFAULTS)
    assert [i.lines for i in issues] == [(2, 3)]


def test_many_duplicates_are_summed_up_after_max_issues() -> None:
    """25 duplicated numbers give MAX_ISSUES issues, then one more for the 5 others, still blocking."""
    rows = []
    for n in range(25):
        rows += [sale(f"FA-{n}", f"Client {n}", ttc="100"), sale(f"FA-{n}", f"Client {n}", ttc="200")]
    issues = quality_invoices.DuplicateInvoice().run(ctx(invoices=invoices(rows)), QUALITY_DEFAULTS)
    assert len(issues) == MAX_ISSUES + 1 == 21
    last = issues[-1]
    assert last.severity == "blocking" and last.figures["count"] == 5
    # pairs 20 to 24 sit on lines 42–43 … 50–51
    assert last.lines == tuple(range(42, 52))
    assert "5 autre(s)" in last.message["fr"]


# ---------------------------------------------------------------- duplicate_entry


def test_duplicate_entry_flags_an_entry_booked_twice() -> None:
    """The same sale booked as VE1 and VE2 (lines 2–3 and 4–5) is one warning naming both entries."""
    frame = entries(balanced("15/01/2026", "VE1") + balanced("15/01/2026", "VE2") + balanced("16/01/2026", "VE3"))
    issues = quality_ledger.DuplicateEntry().run(ctx(entries=frame), QUALITY_DEFAULTS)
    assert [(i.severity, i.lines) for i in issues] == [("warning", (2, 3, 4, 5))]
    assert "Écriture saisie 2 fois dans le journal VE (VE1, VE2)" in issues[0].message["fr"]
    assert "« entries », lignes 2, 3, 4 et 5" in issues[0].message["fr"]
    assert issues[0].figures["entries"] == ("VE1", "VE2")


def test_duplicate_entry_ignores_entries_sharing_only_some_lines() -> None:
    """Two payroll entries with one equal line (« Mutuelle » 120,18 €) but different others are not duplicates."""
    rows = [
        ("30/09/2021", "PA", "1", "437800", "", "Mutuelle", "0", "120,18", "Paie 09"),
        ("30/09/2021", "PA", "1", "421000", "", "Salaires", "120,18", "0", "Paie 09"),
        ("30/09/2021", "PA", "2", "437800", "", "Mutuelle", "0", "120,18", "Paie 09"),
        ("30/09/2021", "PA", "2", "645200", "", "Mutuelle", "120,18", "0", "Paie 09"),
    ]
    assert quality_ledger.DuplicateEntry().run(ctx(entries=entries(rows)), QUALITY_DEFAULTS) == []


def fee(entry: str, amount: str, charge: str = "627000") -> list[tuple[str, ...]]:
    """A bank fee of the Crédit Agricole journal: ``charge`` debit / 512000 credit, piece 0000000."""
    label = "FRAIS VIRT SEPA N 212450"
    return [("02/09/2021", "CRC", entry, charge, "", label, amount, "0", "0000000"),
            ("02/09/2021", "CRC", entry, "512000", "", label, "0", amount, "0000000")]


def test_duplicate_entry_leaves_two_small_bank_charges_alone() -> None:
    """Two 0,37 € transfer fees on the same day (entries 5 and 6 of 0000000001FEC20220831.txt) are two charges."""
    frame = entries(fee("5", "0,37") + fee("6", "0,37"))
    assert quality_ledger.DuplicateEntry().run(ctx(entries=frame), QUALITY_DEFAULTS) == []


def test_duplicate_entry_still_flags_a_large_or_non_bank_repeat() -> None:
    """The same entry of 300 € on 627, or of 0,37 € on a supplier account, is flagged, to the cent."""
    large = quality_ledger.DuplicateEntry().run(ctx(entries=entries(fee("5", "300") + fee("6", "300"))),
                                                QUALITY_DEFAULTS)
    assert [i.lines for i in large] == [(2, 3, 4, 5)] and f"300{NBSP}€" in large[0].message["fr"]
    supplier = quality_ledger.DuplicateEntry().run(
        ctx(entries=entries(fee("5", "0,37", "401000") + fee("6", "0,37", "401000"))), QUALITY_DEFAULTS)
    assert len(supplier) == 1 and f"0,37{NBSP}€" in supplier[0].message["fr"]
    # a higher threshold in [quality] lets the 300 € fees through
    settings = dict(QUALITY_DEFAULTS, small_bank_charge=500)
    assert quality_ledger.DuplicateEntry().run(ctx(entries=entries(fee("5", "300") + fee("6", "300"))),
                                               settings) == []


def test_duplicate_entry_ignores_repeats_inside_one_entry_and_different_labels() -> None:
    """Two equal lines inside one entry, or lines differing only by label, are not duplicates."""
    rows = [
        ("15/01/2026", "BQ", "BQ1", "627000", "", "Frais", "10", "0", ""),
        ("15/01/2026", "BQ", "BQ1", "627000", "", "Frais", "10", "0", ""),
        ("15/01/2026", "BQ", "BQ1", "512000", "", "Frais", "0", "20", ""),
        *balanced("15/01/2026", "VE1", "Vente A"),
        *balanced("15/01/2026", "VE2", "Vente B"),
    ]
    assert quality_ledger.DuplicateEntry().run(ctx(entries=entries(rows)), QUALITY_DEFAULTS) == []


# ---------------------------------------------------------------- missing_months


def test_missing_month_of_entries_is_blocking() -> None:
    """Entries in January, February and April 2025 but none in March: blocking, March named."""
    frame = entries([
        ("01/01/2024", "AN", "AN1", "512000", "", "À-nouveaux", "100", "0", ""),  # opening: not a month of activity
        ("01/01/2024", "AN", "AN1", "101300", "", "À-nouveaux", "0", "100", ""),
        *balanced("15/01/2025", "VE1"), *balanced("15/02/2025", "VE2"), *balanced("15/04/2025", "VE4"),
    ])
    issues = quality_ledger.MissingMonths().run(ctx(entries=frame), QUALITY_DEFAULTS)
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.severity, issue.dataset, issue.figures["months"]) == ("blocking", "entries", ("2025-03",))
    assert "mars 2025" in issue.message["fr"] and "« entries »" in issue.message["fr"]
    assert "March 2025" in issue.message["en"]


def test_missing_months_of_budget_and_of_one_ops_metric_are_warnings() -> None:
    """A budget without 2026-02 and a metric without 2026-02 and 2026-03 are warnings; a full metric is not."""
    budget = BUDGET.coerce(pd.DataFrame(
        [("2026-01", "chiffre_affaires", "10"), ("2026-03", "chiffre_affaires", "10")],
        columns=["period", "line", "amount"], dtype=object), "test")
    ops = OPS_METRICS.coerce(pd.DataFrame(
        [("2026-01", "unites_produites", "1"), ("2026-04", "unites_produites", "1"),
         ("2026-01", "taux_retour", "1"), ("2026-02", "taux_retour", "1")],
        columns=["period", "metric", "value"], dtype=object), "test")
    issues = quality_ledger.MissingMonths().run(ctx(budget=budget, ops_metrics=ops), QUALITY_DEFAULTS)
    assert [(i.dataset, i.severity, i.figures["months"]) for i in issues] == [
        ("budget", "warning", ("2026-02",)),
        ("ops_metrics", "warning", ("2026-02", "2026-03")),
    ]
    assert issues[1].figures["metric"] == "unites_produites"
    assert "unites_produites" in issues[1].message["fr"] and "février 2026, mars 2026" in issues[1].message["fr"]


# ---------------------------------------------------------------- unbalanced_entry


def test_unbalanced_entry_from_a_lax_source_is_blocking() -> None:
    """OD1 debits 100 and credits 90: blocking, gap 10 €, its two lines (3 and 4)."""
    frame = entries([
        *balanced("15/01/2026", "VE1")[:1],
        ("31/01/2026", "OD", "OD1", "681120", "", "Dotation", "100", "0", ""),
        ("31/01/2026", "OD", "OD1", "281540", "", "Dotation", "0", "90", ""),
        *balanced("15/01/2026", "VE1")[1:],
    ], check=False)
    issues = quality_ledger.UnbalancedEntry().run(ctx(entries=frame), QUALITY_DEFAULTS)
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.severity, issue.lines, issue.figures["gap"]) == ("blocking", (3, 4), 10)
    assert "OD OD1" in issue.message["fr"] and f"écart 10{NBSP}€" in issue.message["fr"]
    assert "lignes 3 et 4" in issue.message["fr"]


# ---------------------------------------------------------------- the small company with faults

#: Appended to the small company's 315 journal lines (lines 2–316): lines 317 to 320.
#: A transfer of 1 500 € parked on 471000 (suspense) and a bank fee whose bank line has no label.
FAULTS = [
    "28/02/2026;BQ;ATT202602;512000;Banque A;;Virement non identifié;1 500,00;0,00",
    "28/02/2026;BQ;ATT202602;471000;Compte d'attente;;Virement non identifié;0,00;1 500,00",
    "27/02/2026;BQ;FRA202602;627000;Frais bancaires;;Frais de tenue de compte;200,00;0,00",
    "27/02/2026;BQ;FRA202602;512000;Banque A;;;0,00;200,00",
]


def faulty(company: SmallCompany) -> Inputs:
    """The small company with FAULTS appended to its journal, loaded."""
    rows = small_entries_rows()
    assert len(rows) == 315  # 5 AN + 16 (January 2025) + 13 × 22 + 2 (June) + 6 (December)
    company.write("entries.csv", "\n".join([ENTRY_HEADER, *rows, *FAULTS]) + "\n")
    return load_inputs(load_config(company.config))


def test_small_company_has_no_quality_issue(small_company: SmallCompany) -> None:
    """The hand-made company is clean: no check finds anything."""
    session = load_inputs(load_config(small_company.config))
    assert gates.run_quality(session.context(), get_registry(), QUALITY_DEFAULTS) == []


def test_suspense_balance_above_threshold_names_account_amount_and_line(small_company: SmallCompany) -> None:
    """471000 holds a credit of 1 500 € at the end of February 2026 (> 1 000 €): one warning, line 318."""
    session = faulty(small_company)
    issues = quality_ledger.SuspenseBalance().run(session.context(), QUALITY_DEFAULTS)
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.severity, issue.lines, issue.figures["account"], issue.figures["balance"]) == (
        "warning", (318,), "471000", -1500)
    assert f"471000 (Compte d'attente) : solde créditeur de 1{NNBSP}500{NBSP}€ fin février 2026" in issue.message["fr"]
    assert "ligne 318" in issue.message["fr"]


def test_suspense_balance_below_a_higher_threshold_is_quiet(small_company: SmallCompany) -> None:
    """With suspense_threshold = 2 000 €, a 1 500 € balance is not reported."""
    session = faulty(small_company)
    settings = {**QUALITY_DEFAULTS, "suspense_threshold": 2000}
    assert quality_ledger.SuspenseBalance().run(session.context(), settings) == []


def test_uncategorised_bank_lines_count_and_amount(small_company: SmallCompany) -> None:
    """The bank line against 471000 (1 500 €, line 317) and the unlabelled one (200 €, line 320): 2 lines, 1 700 €."""
    session = faulty(small_company)
    issues = quality_ledger.UncategorisedBankLines().run(session.context(), QUALITY_DEFAULTS)
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.severity, issue.lines) == ("warning", (317, 320))
    assert (issue.figures["count"], issue.figures["amount"]) == (2, 1700)
    assert (issue.figures["against_suspense"], issue.figures["without_label"]) == (1, 1)
    assert f"2 mouvement(s) bancaire(s) non catégorisé(s) pour 1{NNBSP}700{NBSP}€" in issue.message["fr"]
    assert "lignes 317 et 320" in issue.message["fr"]


def test_ignore_skips_a_check(small_company: SmallCompany) -> None:
    """[quality] ignore = ["suspense_balance"] drops that check only."""
    session = faulty(small_company)
    everything = gates.run_quality(session.context(), get_registry(), QUALITY_DEFAULTS)
    assert {i.check for i in everything} == {"suspense_balance", "uncategorised_bank_lines"}
    fewer = gates.run_quality(session.context(), get_registry(), {"ignore": ["suspense_balance"]})
    assert {i.check for i in fewer} == {"uncategorised_bank_lines"}


# ---------------------------------------------------------------- invoices without counterparty


def test_invoice_without_counterparty_is_a_warning_with_its_line() -> None:
    """FA-2 (line 3) has neither name nor id: one warning with its number, amount and line."""
    frame = invoices([sale("FA-1"), sale("FA-2", "", ttc="600")])
    issues = quality_invoices.InvoiceWithoutCounterparty().run(ctx(invoices=frame), QUALITY_DEFAULTS)
    assert [(i.severity, i.lines) for i in issues] == [("warning", (3,))]
    assert f"1 facture(s) sans client ni fournisseur pour 600{NBSP}€ TTC : n° FA-2" in issues[0].message["fr"]
    assert "ligne 3)" in issues[0].message["fr"]


# ---------------------------------------------------------------- line numbers and the host


def test_messages_use_the_source_line_numbers_and_file() -> None:
    """A reader that skipped lines (line_numbers 2, 5, 9) and a FEC file name show up in the message."""
    raw = pd.DataFrame([sale("FA-1"), sale("FA-2"), sale("FA-1", "Client Deux")], columns=INVOICE_COLUMNS, dtype=object)
    raw["source_file"] = "FEC2026.txt"
    raw.attrs["line_numbers"] = [2, 5, 9]
    frame = INVOICES.coerce(raw, "test")
    issue = quality_invoices.DuplicateInvoice().run(ctx(invoices=frame), QUALITY_DEFAULTS)[0]
    assert issue.lines == (2, 9)
    assert "« invoices », fichier FEC2026.txt, lignes 2 et 9" in issue.message["fr"]


def test_checks_run_only_when_their_datasets_are_loaded() -> None:
    """With invoices only, the entries checks are skipped rather than failing."""
    frame = invoices([sale("FA-1"), sale("FA-1")])
    issues = gates.run_quality(ctx(invoices=frame), get_registry(), {})
    assert [i.check for i in issues] == ["duplicate_invoice"]


def test_blocking_keeps_blocking_issues_only() -> None:
    """blocking() filters out warnings."""
    stop = Issue("duplicate_invoice", "blocking", {"fr": "a", "en": "a"})
    watch = Issue("duplicate_entry", "warning", {"fr": "b", "en": "b"})
    assert gates.blocking([watch, stop, watch]) == [stop]


def test_unknown_name_in_ignore_is_refused(tmp_path: Path) -> None:
    """A misspelt check in [quality] ignore names the key and suggests the right name."""
    company = write_small_company(tmp_path, SMALL_CONFIG + '\n[quality]\nignore = ["suspense_balanse"]\n')
    with pytest.raises(ConfigError, match=r"quality\.ignore\[0\].*suspense_balance"):
        check_ignored(load_config(company.config), get_registry())


def test_demo_has_no_blocking_issue() -> None:
    """The demo company passes the blocking gates (its packs build with --strict)."""
    session = load_inputs(load_config(DEMO_CONFIG))
    assert gates.blocking(gates.run_quality(session.context(), get_registry(), session.config.quality)) == []


def test_the_seven_checks_are_registered_through_the_hook() -> None:
    """The built-in plugin registers every check of the brief, each described in both languages."""
    checks = get_registry().quality_checks
    assert set(checks) == {
        "duplicate_invoice", "duplicate_entry", "missing_months", "unbalanced_entry",
        "suspense_balance", "uncategorised_bank_lines", "invoice_without_counterparty",
    }
    assert all(set(c.description) == {"fr", "en"} for c in checks.values())
