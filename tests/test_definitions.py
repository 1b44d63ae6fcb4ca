"""The definitions of issue 13, each against hand-computed values: DSO on sales incl. VAT net of
credit notes, lateness from the due date, the budget on every SIG line, signed flows compared in
amounts, per-year ratios annualised, French elision."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pytest

from boardpack.api.formatting import Formatter, de, relative_change
from boardpack.default_plugins.kpis import finance
from boardpack.periods import Month
from boardpack.testing import render_section

from kpi_helpers import engine_over, four, kpi_value

KPIS = {kpi.id: kpi for kpi in finance.register_kpis()}
MAR_2025 = Month(2025, 3)
NBSP, NNBSP = "\u00a0", "\u202f"

#: March 2025: one invoice 12 000 TTC (10 000 HT), a credit note of 1 200 TTC, a move of 3 000 from
#: 411 to 416 (client douteux) and a payment of 6 000. Receivables at 31/03: 411 12 000 − 1 200 −
#: 3 000 − 6 000 = 1 800, 416 3 000 → 4 800. Sales incl. VAT: 12 000 − 1 200 = 10 800 (the
#: reclassification and the payment touch no 70 account).
LEDGER = [
    ("01/01/2025", "AN", "0", "512000", "", "10000", "0"),
    ("01/01/2025", "AN", "0", "101300", "", "0", "10000"),
    ("05/03/2025", "VE", "1", "411000", "C1", "12000", "0"),
    ("05/03/2025", "VE", "1", "706000", "", "0", "10000"),
    ("05/03/2025", "VE", "1", "445710", "", "0", "2000"),
    ("12/03/2025", "VE", "2", "709000", "", "1000", "0"),
    ("12/03/2025", "VE", "2", "445710", "", "200", "0"),
    ("12/03/2025", "VE", "2", "411000", "C1", "0", "1200"),
    ("20/03/2025", "OD", "3", "416000", "C1", "3000", "0"),
    ("20/03/2025", "OD", "3", "411000", "C1", "0", "3000"),
    ("25/03/2025", "BQ", "4", "512000", "", "6000", "0"),
    ("25/03/2025", "BQ", "4", "411000", "C1", "0", "6000"),
]


def test_dso_counts_sales_net_of_credit_notes_and_not_moves_between_customer_accounts(
        make_entries: Callable[..., pd.DataFrame]) -> None:
    """DSO March = 4 800 / 10 800 × 31 = 13,78 j; counting every 41x debit (15 000) gave 9,92 j."""
    engine = engine_over(KPIS, make_entries(LEDGER))
    assert finance.sales_incl_tax(engine.ctx, engine.ctx.window("month", MAR_2025)) == Decimal(10800)
    assert kpi_value(KPIS, engine, "dso", "month", MAR_2025) == four(4800 * 31, 10800)


def test_dso_of_a_month_of_credit_notes_only_is_unavailable(make_entries: Callable[..., pd.DataFrame]) -> None:
    """A month whose sales are only a credit note has no DSO (negative sales), never a negative one."""
    rows = [*LEDGER[:2], *LEDGER[5:8], ("12/03/2025", "VE", "9", "411000", "C1", "1200", "0"),
            ("12/03/2025", "VE", "9", "512000", "", "0", "1200")]
    engine = engine_over(KPIS, make_entries(rows))
    result = engine.result(KPIS["dso"], MAR_2025, "month")
    assert result.value is None


def test_formatter_change_compares_signed_flows_in_amounts() -> None:
    """FTI 0 € against −620 000 € is « +620 k€ », not +100 %; FTF −431 548 € against −114 906 € is
    « −317 k€ », not −275 %; revenue 827 k€ against 811 k€ stays « +2,0 % »; a rate moves in points."""
    fr = Formatter("fr")
    assert fr.change(Decimal(0), Decimal(-620000), "money") == f"+620{NBSP}k€"
    assert fr.change(Decimal(-431548), Decimal(-114906), "money") == f"\u2212317{NBSP}k€"
    assert fr.change(Decimal(827000), Decimal(811000), "money") == f"+2,0{NBSP}%"
    assert fr.change(Decimal("64.5"), Decimal("66.5"), "percent") == f"\u22122,0{NBSP}pts"
    assert fr.change(None, Decimal(1), "money") == "—"
    assert relative_change(Decimal(-5), Decimal(10)) is None  # a profit turned into a loss
    assert relative_change(Decimal(15), Decimal(10)) == Decimal(50)


def test_french_elision() -> None:
    """« d'octobre », « d'avril », « de mars », « de huit » (aspirated h), « d'un »."""
    assert de("octobre 2026") == "d'octobre 2026"
    assert de("avril") == "d'avril"
    assert de("mars") == "de mars"
    assert de("huit jours") == "de huit jours"
    assert de("un an") == "d'un an"
    assert Formatter("fr").of_month(Month(2026, 10)) == "d'octobre 2026"
    assert Formatter("fr").of_month(Month(2026, 8)) == "d'août 2026"
    assert Formatter("en").of_month(Month(2026, 10)) == "of October 2026"


def _row(html: str, label: str) -> list[str]:
    """The cells of the table row whose first cell is ``label``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        cells = [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r}")


@pytest.mark.parametrize("label", ["Achats consommés", "Valeur ajoutée", "Excédent brut d'exploitation (EBE)",
                                   "Résultat net"])
def test_income_statement_shows_the_budget_of_every_sig_line(label: str) -> None:
    """The demo's SIG page has a budget for achats, VA, EBE and the net result (rebuilt from the
    budgeted lines, as the monthly statement and the EBE indicator do), never « — »."""
    html = render_section("compte_resultat")
    cells = _row(html, label)
    assert cells[6] != "—" and cells[7] != "—", cells
