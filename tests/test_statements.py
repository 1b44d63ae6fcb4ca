"""Ledger, PCG mapping and statements on hand-made ledgers (figures worked out in conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pytest

from boardpack.accounting import Ledger, Statements, mapping_for
from boardpack.accounting.pcg import MAPPINGS
from boardpack.api import Unavailable
from boardpack.build.context import CompanyData
from boardpack.periods import Month, Window

from conftest import MONTHS

MakeEntries = Callable[[list[tuple[str, str, str, str, str, str, str]]], pd.DataFrame]


def month(year: int, number: int) -> Window:
    """The one-month window."""
    return Window("month", Month(year, number), Month(year, number))


def year(value: int) -> Window:
    """A calendar fiscal year."""
    return Window("fy", Month(value, 1), Month(value, 12))


def pl(statements: Statements, line: str, window: Window) -> Decimal:
    """A P&L line over a window, in euros."""
    return statements.pl_line(line, window)


# ---------------------------------------------------------------- compte de résultat


@pytest.fixture
def statements(small_ctx: CompanyData) -> Statements:
    """The small company's statements."""
    return small_ctx.statements


@pytest.mark.parametrize(
    ("line", "october_2025", "december_2025", "february_2026", "year_2025"),
    [
        # CA: 701 credits. 10 000 a month in 2025 (120 000 a year), 11 000 in 2026.
        ("chiffre_affaires", "10000", "10000", "11000", "120000"),
        # achats consommés: 601 (3 000) ± 603 (−3 000 in December): 12 × 3 000 − 3 000.
        ("achats_consommes", "3000", "0", "3000", "33000"),
        ("marge_brute", "7000", "10000", "8000", "87000"),
        # VA = production 10 000 − consommations 3 000; December 10 000; year 87 000.
        ("valeur_ajoutee", "7000", "10000", "8000", "87000"),
        ("charges_personnel", "4200", "4200", "4200", "50400"),
        # EBE = VA − 4 200: 2 800; December 5 800; year 11 × 2 800 + 5 800.
        ("ebe", "2800", "5800", "3800", "36600"),
        # REX = EBE − 1 000 dotations; year 36 600 − 12 000.
        ("resultat_exploitation", "1800", "4800", "2800", "24600"),
        # financial result: − 300 interest a month.
        ("resultat_financier", "-300", "-300", "-300", "-3600"),
        ("rcai", "1500", "4500", "2500", "21000"),
        ("impot_benefices", "0", "4000", "0", "4000"),
        # RN: 1 500 a month, December 4 500 − 4 000; year 11 × 1 500 + 500.
        ("resultat_net", "1500", "500", "2500", "17000"),
    ],
)
def test_pl_lines_by_hand(
    statements: Statements, line: str, october_2025: str, december_2025: str, february_2026: str, year_2025: str
) -> None:
    """Each SIG line matches the hand computation for three months and the year 2025."""
    assert pl(statements, line, month(2025, 10)) == Decimal(october_2025)
    assert pl(statements, line, month(2025, 12)) == Decimal(december_2025)
    assert pl(statements, line, month(2026, 2)) == Decimal(february_2026)
    assert pl(statements, line, year(2025)) == Decimal(year_2025)


def test_pl_base_lines_of_december(statements: Statements) -> None:
    """603100 credit lands on variation_stock_matieres (−3 000), 695 on impot_benefices, 681 on dotations."""
    window = month(2025, 12)
    assert pl(statements, "achats_matieres", window) == Decimal(3000)
    assert pl(statements, "variation_stock_matieres", window) == Decimal(-3000)
    assert pl(statements, "production_vendue", window) == Decimal(10000)
    assert pl(statements, "ventes_marchandises", window) == Decimal(0)
    assert pl(statements, "salaires", window) == Decimal(3000)
    assert pl(statements, "charges_sociales", window) == Decimal(1200)
    assert pl(statements, "dotations_exploitation", window) == Decimal(1000)
    assert pl(statements, "charges_financieres", window) == Decimal(300)


def test_result_is_minus_class_6_and_7_movements(statements: Statements, small_datasets: dict[str, pd.DataFrame]) -> None:
    """Every month, résultat net = −Σ(debit − credit) of class 6 and 7 accounts, computed from the raw rows."""
    entries = small_datasets["entries"]
    moving = entries[(entries["journal"] != "AN") & entries["account"].str[:1].isin(["6", "7"])]
    for m in MONTHS:
        in_month = moving[(moving["date"].dt.year == m.year) & (moving["date"].dt.month == m.month)]
        expected = -int((in_month["debit"] - in_month["credit"]).sum())
        assert int(statements.pl.loc[m, "resultat_net"]) == expected, m


def test_pl_values_are_exact_decimals(statements: Statements) -> None:
    """P&L lines come back as Decimal euros with cents, not floats."""
    value = pl(statements, "chiffre_affaires", month(2026, 2))
    assert isinstance(value, Decimal)
    assert value == Decimal("11000.00")


def test_pl_outside_ledger_is_unavailable(statements: Statements) -> None:
    """A window before the first entry is unavailable, naming the covered months."""
    with pytest.raises(Unavailable) as info:
        pl(statements, "chiffre_affaires", month(2024, 12))
    assert "2025-01" in str(info.value) and "2026-02" in str(info.value) and "2024-12" in str(info.value)


# ---------------------------------------------------------------- bilan


def test_bilan_balances_every_month(statements: Statements) -> None:
    """Total actif equals total passif at the opening and at every month end."""
    assert list(statements.bilan.index) == [Month(2024, 12)] + MONTHS
    gap = statements.bilan["total_actif"] - statements.bilan["total_passif"]
    assert (gap == 0).all()


def test_bilan_end_2025_by_hand(statements: Statements) -> None:
    """Bilan at 31/12/2025, every line worked out by hand (total 223 300)."""
    dec = Month(2025, 12)
    expected = {
        "immobilisations_corporelles": 120000 - 12 * 1000,
        "stocks": 20000 + 3000,
        "creances_clients": 12000,  # December invoice of C001
        "disponibilites": 80300,
        "total_actif": 108000 + 23000 + 12000 + 80300,
        "capital": 100000,
        "report_a_nouveau": 0,
        "resultat_exercice": 17000,
        "emprunts_etablissements_credit": 90000 - 12 * 1500 + 1500,  # loan + bank B overdraft
        "avances_clients": 600,  # C002's credit balance
        "dettes_fournisseurs": 3000,
        "dettes_fiscales_sociales": 12 * 2000 + 1200 + 4000,  # TVA + URSSAF + IS
        "total_passif": 223300,
    }
    for line, value in expected.items():
        assert statements.bilan_line(line, dec) == Decimal(value), line


def test_bilan_february_2026_by_hand(statements: Statements) -> None:
    """Bilan at 28/02/2026 totals 229 700 on both sides."""
    feb = Month(2026, 2)
    assert statements.bilan_line("total_actif", feb) == Decimal(106000 + 23000 + 13200 + 87500)
    assert statements.bilan_line("total_passif", feb) == Decimal(229700)
    assert statements.bilan_line("capitaux_propres", feb) == Decimal(100000 + 17000 + 5000)
    assert statements.bilan_line("dettes_fiscales_sociales", feb) == Decimal(24000 + 4400 + 1200 + 4000)


def test_customer_credit_balance_goes_to_advances(statements: Statements) -> None:
    """411000 is split per auxiliary: C001's debit is a receivable, C002's credit an advance received."""
    assert statements.bilan_line("avances_clients", Month(2025, 11)) == 0
    assert statements.bilan_line("avances_clients", Month(2025, 12)) == Decimal(600)
    # not netted: receivables stay at the full 12 000 beside the 600 advance
    assert statements.bilan_line("creances_clients", Month(2025, 12)) == Decimal(12000)
    assert statements.split_balance(("411",), Month(2025, 12), "debit") == Decimal(12000)
    assert statements.split_balance(("411",), Month(2025, 12), "credit") == Decimal(600)


def test_bank_overdraft_goes_to_bank_borrowings(statements: Statements) -> None:
    """512100 overdrawn by 1 500 from June 2025 is a bank borrowing, not negative cash."""
    may, june = Month(2025, 5), Month(2025, 6)
    # May: bank A 45 200 + 4 × 3 000; loan 90 000 − 5 × 1 500
    assert statements.bilan_line("disponibilites", may) == Decimal(57200)
    assert statements.bilan_line("emprunts_etablissements_credit", may) == Decimal(82500)
    # June: bank A + 3 000 + 1 500 (transfer); loan 81 000 + overdraft 1 500
    assert statements.bilan_line("disponibilites", june) == Decimal(61700)
    assert statements.bilan_line("emprunts_etablissements_credit", june) == Decimal(81000 + 1500)


def test_previous_result_is_carried_to_report_a_nouveau(statements: Statements) -> None:
    """2026 has no opening entries: the 2025 result (17 000) moves to report à nouveau; 2026 starts at 0."""
    assert statements.bilan_line("report_a_nouveau", Month(2025, 12)) == 0
    assert statements.bilan_line("resultat_exercice", Month(2025, 12)) == Decimal(17000)
    assert statements.bilan_line("report_a_nouveau", Month(2026, 1)) == Decimal(17000)
    assert statements.bilan_line("resultat_exercice", Month(2026, 1)) == Decimal(2500)
    assert statements.bilan_line("resultat_exercice", Month(2026, 2)) == Decimal(5000)


def test_bilan_outside_ledger_is_unavailable(statements: Statements) -> None:
    """A bilan after the last entry is unavailable, naming the range."""
    with pytest.raises(Unavailable, match="2026-03"):
        statements.bilan_line("total_actif", Month(2026, 3))


# ---------------------------------------------------------------- opening entries


def two_years(make_entries: MakeEntries, an_2026: bool) -> Ledger:
    """A sale of 1 000 in 2025 and of 200 in 2026; optional 2026 opening putting 2025's result in reserves."""
    rows = [
        ("01/01/2025", "AN", "1", "512000", "", "5000", "0"),
        ("01/01/2025", "AN", "1", "101300", "", "0", "5000"),
        ("10/03/2025", "VE", "1", "512000", "", "1000", "0"),
        ("10/03/2025", "VE", "1", "701000", "", "0", "1000"),
        ("10/02/2026", "VE", "2", "512000", "", "200", "0"),
        ("10/02/2026", "VE", "2", "701000", "", "0", "200"),
    ]
    if an_2026:
        rows += [
            ("01/01/2026", "AN", "2", "512000", "", "6000", "0"),
            ("01/01/2026", "AN", "2", "101300", "", "0", "5000"),
            ("01/01/2026", "AN", "2", "106800", "", "0", "1000"),
        ]
    return Ledger(make_entries(rows))


def test_opening_entries_are_used_when_present(make_entries: MakeEntries) -> None:
    """With AN entries in 2026, the year starts from them: result in reserves (106800), nothing carried to 110000."""
    statements = Statements(two_years(make_entries, an_2026=True))
    jan = Month(2026, 1)
    assert statements.bilan_line("primes_reserves", jan) == Decimal(1000)
    assert statements.bilan_line("report_a_nouveau", jan) == 0
    assert statements.bilan_line("resultat_exercice", jan) == 0
    assert statements.bilan_line("disponibilites", Month(2026, 2)) == Decimal(6200)
    assert statements.bilan_line("resultat_exercice", Month(2026, 2)) == Decimal(200)


def test_without_opening_entries_result_is_carried(make_entries: MakeEntries) -> None:
    """Without 2026 AN entries, the 2025 result of 1 000 is in report à nouveau from January 2026."""
    statements = Statements(two_years(make_entries, an_2026=False))
    assert statements.bilan_line("report_a_nouveau", Month(2026, 1)) == Decimal(1000)
    assert statements.bilan_line("primes_reserves", Month(2026, 1)) == 0
    assert statements.bilan_line("resultat_exercice", Month(2026, 2)) == Decimal(200)
    assert statements.bilan_line("disponibilites", Month(2026, 2)) == Decimal(6200)


def test_opening_entries_are_not_movements(make_entries: MakeEntries) -> None:
    """AN entries are balances, not movements: the ledger starts at the first non-AN month."""
    ledger = two_years(make_entries, an_2026=True)
    assert ledger.first == Month(2025, 3)
    assert ledger.last == Month(2026, 2)
    movements = ledger.movements(Window("ytd", Month(2026, 1), Month(2026, 2)))
    assert int(movements["512000"]) == 20000  # only the 200 € sale, in cents


def test_first_year_without_opening_starts_from_zero(make_entries: MakeEntries) -> None:
    """A ledger without any AN starts from zero balances."""
    ledger = Ledger(make_entries([
        ("10/03/2025", "VE", "1", "411000", "C1", "120", "0"),
        ("10/03/2025", "VE", "1", "701000", "", "0", "100"),
        ("10/03/2025", "VE", "1", "445710", "", "0", "20"),
    ]))
    statements = Statements(ledger)
    assert statements.bilan_line("creances_clients", Month(2025, 3)) == Decimal(120)
    assert statements.bilan_line("total_passif", Month(2025, 3)) == Decimal(120)


def test_fiscal_year_starting_in_april_carries_at_april(make_entries: MakeEntries) -> None:
    """With an April fiscal year, March's result is carried into report à nouveau at the end of April."""
    ledger = Ledger(make_entries([
        ("10/03/2025", "VE", "1", "512000", "", "100", "0"),
        ("10/03/2025", "VE", "1", "701000", "", "0", "100"),
        ("10/04/2025", "VE", "2", "512000", "", "50", "0"),
        ("10/04/2025", "VE", "2", "701000", "", "0", "50"),
    ]), fy_start_month=4)
    statements = Statements(ledger)
    assert statements.bilan_line("resultat_exercice", Month(2025, 3)) == Decimal(100)
    assert statements.bilan_line("report_a_nouveau", Month(2025, 4)) == Decimal(100)
    assert statements.bilan_line("resultat_exercice", Month(2025, 4)) == Decimal(50)


def test_only_opening_entries_is_unavailable(make_entries: MakeEntries) -> None:
    """A ledger with only AN entries cannot give any statement."""
    with pytest.raises(Unavailable, match="hors à-nouveaux"):
        Ledger(make_entries([
            ("01/01/2025", "AN", "1", "512000", "", "5000", "0"),
            ("01/01/2025", "AN", "1", "101300", "", "0", "5000"),
        ]))


def test_custom_opening_journals(make_entries: MakeEntries) -> None:
    """A journal « OUV » listed in opening_journals is treated as opening entries."""
    rows = [
        ("01/01/2025", "OUV", "1", "512000", "", "5000", "0"),
        ("01/01/2025", "OUV", "1", "101300", "", "0", "5000"),
        ("10/03/2025", "VE", "1", "512000", "", "1000", "0"),
        ("10/03/2025", "VE", "1", "701000", "", "0", "1000"),
    ]
    ledger = Ledger(make_entries(rows), opening_journals=("OUV",))
    assert ledger.first == Month(2025, 3)
    assert Statements(ledger).bilan_line("disponibilites", Month(2025, 3)) == Decimal(6000)


# ---------------------------------------------------------------- trial balance


def test_trial_balance_columns_and_values(small_ctx: CompanyData) -> None:
    """The balance générale has account, label, debit, credit, balance (cents) per account."""
    table = small_ctx.ledger.trial_balance(Month(2026, 2))
    assert list(table.columns) == ["account", "label", "debit", "credit", "balance"]
    rows = table.set_index("account")
    # 512000 in February 2026: debit 13 200 (C001 pays January); credit 1 800 + 3 000 + 1 200 + 3 000
    assert int(rows.loc["512000", "debit"]) == 1320000
    assert int(rows.loc["512000", "credit"]) == 900000
    assert int(rows.loc["512000", "balance"]) == 8750000
    assert rows.loc["512000", "label"] == "Banque A"
    # 411000 nets both customers: 13 200 − 600
    assert int(rows.loc["411000", "balance"]) == 1260000
    # the carried result, credit-balance
    assert int(rows.loc["110000", "balance"]) == -1700000
    # 101300 only has AN entries: no movement this month
    assert int(rows.loc["101300", "debit"]) == 0 and int(rows.loc["101300", "balance"]) == -10000000
    assert int(table["balance"].sum()) == 0


# ---------------------------------------------------------------- PCG mapping


@pytest.mark.parametrize(
    ("account", "line"),
    [
        ("603100", "variation_stock_matieres"),
        ("603700", "variation_stock_marchandises"),  # 6037 wins over 603
        ("709700", "ventes_marchandises"),  # 7097 wins over 70
        ("709000", "production_vendue"),
        ("707000", "ventes_marchandises"),
        ("691000", "participation"),  # 691 wins over 69
        ("695000", "impot_benefices"),
        ("645000", "charges_sociales"),
        ("641000", "salaires"),
        ("686000", "charges_financieres"),  # 686 wins over 68
        ("681120", "dotations_exploitation"),
        ("411000", None),  # not a P&L account
    ],
)
def test_pl_mapping_longest_prefix(account: str, line: str | None) -> None:
    """P&L accounts are placed by their longest matching prefix."""
    assert mapping_for(dt.date(2025, 1, 1)).pl_line(account) == line


@pytest.mark.parametrize(
    ("account", "lines"),
    [
        ("455000", ("autres_creances", "autres_dettes_financieres")),
        ("411000", ("creances_clients", "avances_clients")),
        ("401000", ("autres_creances", "dettes_fournisseurs")),
        ("512000", ("disponibilites", "emprunts_etablissements_credit")),
        ("164000", ("emprunts_etablissements_credit", "emprunts_etablissements_credit")),
        ("168000", ("autres_dettes_financieres", "autres_dettes_financieres")),
        ("281540", ("immobilisations_corporelles", "immobilisations_corporelles")),
        ("404000", ("autres_creances", "dettes_immobilisations")),
        ("445710", ("autres_creances", "dettes_fiscales_sociales")),
    ],
)
def test_bilan_mapping_sign_split(account: str, lines: tuple[str, str]) -> None:
    """Bilan accounts give (debit-balance line, credit-balance line) by longest prefix."""
    assert mapping_for(dt.date(2025, 1, 1)).bilan_lines(account) == lines


def test_mapping_for_picks_version_by_fiscal_year_start() -> None:
    """A fiscal year opened on 1 January 2025 uses the 2025 mapping; one opened the day before does not."""
    assert "2025" in mapping_for(dt.date(2025, 1, 1)).name
    assert "2014" in mapping_for(dt.date(2024, 12, 31)).name
    assert "2014" in mapping_for(dt.date(2024, 4, 1)).name
    assert mapping_for(dt.date(2025, 4, 1)) is MAPPINGS[-1]


def test_649_only_in_2025_mapping() -> None:
    """649 (remboursements de charges de personnel) is a social charge line from the 2025 mapping."""
    assert mapping_for(dt.date(2025, 1, 1)).pl_line("649000") == "charges_sociales"
    assert mapping_for(dt.date(2024, 1, 1)).pl_line("649000") == "salaires"
