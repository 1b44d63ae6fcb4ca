"""``boardpack statements`` on the four real FEC samples, checked against an independent computation.

Every expected figure is computed here from the raw bytes of the file with the standard
library only (no boardpack reader, no pandas), with the definitions an accountant uses:

* CA net = Σ (credit − debit) of accounts 70x (709 rebates reduce it);
* résultat net = Σ (credit − debit) of every class 6 and 7 account;
* résultat d'exploitation = produits (70–75 but not 755, 781, 791; credit − debit)
  − charges (60–65 but not 655, 681; debit − credit);
* total bilan at the end of the file's year from the balance of each (CompteNum, CompAuxNum)
  over all lines, à-nouveaux included: classes 2 and 3 net on the actif; classes 4 and 5 split
  by sign per (account, aux) — debit balances to the actif, credit balances to the passif —
  except write-downs 49x/59x (netted on the actif) and 487 (netted on the passif); classes 1,
  6 + 7 (the year's result, not closed in a FEC) and 8 on the passif.

Amounts are ``Decimal`` euros compared to the cent; the JSON is parsed with
``parse_float=Decimal`` so that no binary float rounding creeps in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from boardpack.accounting.pcg import MAPPINGS, PL_LINES, SIG_FORMULAS
from boardpack.cli import cli

DATA = Path(__file__).resolve().parent / "data" / "fec"
ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Sample:
    """One real FEC and what is known of it independently of boardpack."""

    name: str
    debut: str
    fin: str
    complet: bool
    last_month: str
    total_debit: Decimal  # Σ debit = Σ credit, as stated in tests/data/fec/README.md


S1 = Sample("0000000001FEC20220831.txt", "2021-09-01", "2022-08-31", True, "2022-08", Decimal("10186219.81"))
S2 = Sample("000000000FEC20231231.txt", "2023-01-01", "2023-12-31", False, "2023-06", Decimal("1265350.82"))
# The name says a year closed on 31/12/2022, every line is of 2023 (à-nouveaux on 01/01/2023,
# no closing entry): the year closing on 31/12 that the content lies in, not yet complete.
S3 = Sample("111111111FEC20221231.TXT", "2023-01-01", "2023-12-31", False, "2023-07", Decimal("225682.23"))
S4 = Sample("123456789FEC20500930.txt", "2022-04-01", "2023-04-30", True, "2023-04", Decimal("8258083.73"))
SAMPLES = [pytest.param(s, id=s.name) for s in (S1, S2, S3, S4)]


# ------------------------------------------------------------ independent FEC parsing


@dataclass(frozen=True)
class Line:
    """One FEC line, as read here with the standard library."""

    journal: str
    journal_label: str
    date: dt.date
    account: str
    aux: str
    debit: Decimal
    credit: Decimal


def _amount(text: str) -> Decimal:
    text = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    return Decimal(text) if text else ZERO


@cache
def parse_fec(name: str) -> tuple[Line, ...]:
    """Every line of a FEC: UTF-8 (BOM stripped) else code page 850, TAB or ``|``, padding stripped."""
    raw = (DATA / name).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp850")  # the DOS code page of sample 3 (0xF8 = °)
    rows = [row for row in re.split(r"\r*\n", text) if row.strip()]  # \n, \r\n, \r\r\n
    sep = "\t" if "\t" in rows[0] else "|"
    columns = {field.strip().lower(): i for i, field in enumerate(rows[0].split(sep)) if field.strip()}
    lines = []
    for row in rows[1:]:
        fields = [field.strip() for field in row.split(sep)]
        get = {column: fields[i] for column, i in columns.items() if i < len(fields)}.__getitem__

        if "debit" in columns:
            debit, credit = _amount(get("debit")), _amount(get("credit"))
        else:  # Montant + Sens (D/C, or +1/−1)
            amount, sense = _amount(get("montant")), get("sens").upper()
            debit, credit = (amount, ZERO) if sense in ("D", "+1", "1") else (ZERO, amount)
        date = get("ecrituredate")
        lines.append(Line(
            journal=get("journalcode"), journal_label=get("journallib"),
            date=dt.date(int(date[:4]), int(date[4:6]), int(date[6:8])),
            account=get("comptenum"), aux=get("compauxnum"), debit=debit, credit=credit,
        ))
    return tuple(lines)


def is_opening(line: Line) -> bool:
    """An à-nouveaux line: journal AN/ANO/RAN, or a journal whose label says « nouveau »."""
    return line.journal.upper() in ("AN", "ANO", "RAN") or "nouveau" in line.journal_label.lower()


def _starts(account: str, prefixes: tuple[str, ...], but_not: tuple[str, ...] = ()) -> bool:
    return account.startswith(prefixes) and not account.startswith(but_not)


#: Résultat d'exploitation perimeter (liasse 2052: FA..FR minus FS..GE).
REX_PRODUCTS = ("70", "71", "72", "73", "74", "75", "781", "791")
REX_PRODUCTS_EXCLUDED = ("755",)
REX_CHARGES = ("60", "61", "62", "63", "64", "65", "681")
REX_CHARGES_EXCLUDED = ("655",)


def in_rex_perimeter(account: str) -> bool:
    """Whether a class 6 or 7 account counts in the résultat d'exploitation (independent definition)."""
    return _starts(account, REX_PRODUCTS, REX_PRODUCTS_EXCLUDED) or _starts(
        account, REX_CHARGES, REX_CHARGES_EXCLUDED
    )


@dataclass(frozen=True)
class Expected:
    """The figures computed independently from one file."""

    chiffre_affaires_net: Decimal
    resultat_exploitation: Decimal
    resultat_net: Decimal
    total_actif: Decimal
    total_passif: Decimal
    total_debit: Decimal
    total_credit: Decimal


def balances(lines: tuple[Line, ...]) -> dict[tuple[str, str], Decimal]:
    """Debit-positive balance per (CompteNum, CompAuxNum)."""
    out: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        out[(line.account, line.aux)] += line.debit - line.credit
    return out


@cache
def expected(name: str) -> Expected:
    """CA net, REX, RN and the closing bilan totals of a FEC, from its raw lines."""
    lines = parse_fec(name)
    ca = sum((l.credit - l.debit for l in lines if l.account.startswith("70")), ZERO)
    rn = sum((l.credit - l.debit for l in lines if l.account[:1] in ("6", "7")), ZERO)
    products = sum(
        (l.credit - l.debit for l in lines if _starts(l.account, REX_PRODUCTS, REX_PRODUCTS_EXCLUDED)), ZERO
    )
    charges = sum(
        (l.debit - l.credit for l in lines if _starts(l.account, REX_CHARGES, REX_CHARGES_EXCLUDED)), ZERO
    )
    actif = passif = ZERO
    for (account, _aux), balance in balances(lines).items():
        cls = account[:1]
        if cls in ("2", "3"):
            actif += balance  # net: 28x, 29x, 39x credit balances reduce the actif
        elif cls in ("4", "5"):
            if account.startswith(("49", "59")):
                actif += balance  # write-downs netted whatever their sign
            elif account.startswith("487"):
                passif -= balance  # produits constatés d'avance, netted
            elif balance > 0:
                actif += balance
            else:
                passif -= balance
        elif cls in ("1", "6", "7", "8"):
            passif -= balance
        else:
            raise AssertionError(f"{name}: unexpected account {account!r}")
    return Expected(
        chiffre_affaires_net=ca, resultat_exploitation=products - charges, resultat_net=rn,
        total_actif=actif, total_passif=passif,
        total_debit=sum((l.debit for l in lines), ZERO), total_credit=sum((l.credit for l in lines), ZERO),
    )


# ------------------------------------------------------------ boardpack's answer


@cache
def _cli_json(name: str) -> str:
    result = CliRunner().invoke(cli, ["statements", str(DATA / name), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def report(name: str) -> list[dict[str, Any]]:
    """The JSON of ``boardpack statements FILE --format json``, floats read as Decimal."""
    return json.loads(_cli_json(name), parse_float=Decimal)


def year(name: str) -> dict[str, Any]:
    """The one fiscal year reported for a sample."""
    years = report(name)
    assert len(years) == 1, [(y["debut"], y["fin"]) for y in years]
    return years[0]


def cents(value: Any) -> Decimal:
    """A JSON number as Decimal euros to the cent."""
    assert isinstance(value, (int, Decimal)) and not isinstance(value, bool), value
    return Decimal(value).quantize(CENT)


# ------------------------------------------------------------ the independent side first


@pytest.mark.parametrize("sample", SAMPLES)
def test_independent_parse_balances_to_readme_totals(sample: Sample) -> None:
    """The stdlib parse reads every amount: Σ debit = Σ credit = the total stated in the README."""
    figures = expected(sample.name)
    assert figures.total_debit == figures.total_credit == sample.total_debit


@pytest.mark.parametrize("sample", SAMPLES)
def test_independent_bilan_balances(sample: Sample) -> None:
    """The independent closing bilan balances (actif = passif) before it is used as a reference."""
    figures = expected(sample.name)
    assert figures.total_actif == figures.total_passif
    assert figures.total_actif > 0


@pytest.mark.parametrize("mapping", MAPPINGS, ids=lambda m: m.name)
def test_pcg_exploitation_perimeter_matches_the_definition(mapping: Any) -> None:
    """pcg.py puts in the résultat d'exploitation exactly 70–75 (not 755), 781, 791, 60–65 (not 655), 681."""
    signs: dict[str, int] = {}

    def expand(line: str, sign: int) -> None:
        if line in SIG_FORMULAS:
            for term_sign, term in SIG_FORMULAS[line]:
                expand(term, sign * term_sign)
        else:
            signs[line] = signs.get(line, 0) + sign

    expand("resultat_exploitation", 1)
    # every base line enters once, products added and charges subtracted
    assert all(abs(s) == 1 for s in signs.values()), signs
    assert all(s == (1 if PL_LINES[line].kind == "produit" else -1) for line, s in signs.items()), signs
    sample_accounts = {l.account for s in (S1, S2, S3, S4) for l in parse_fec(s.name) if l.account[:1] in "67"}
    edge_accounts = {
        "601", "6037", "607", "609", "6135", "622", "635", "641", "645", "649", "651", "655", "658",
        "661", "665", "671", "675", "678", "6811", "6815", "6816", "6817", "686", "6865", "687", "691",
        "695", "701", "706", "707", "708", "709", "7097", "713", "721", "73", "740", "752", "755", "758",
        "761", "771", "775", "777", "7811", "7815", "7817", "786", "787", "791", "796", "797",
    }
    wrong = {
        account: mapping.pl_line(account)
        for account in sorted(sample_accounts | edge_accounts)
        if (mapping.pl_line(account) in signs) != in_rex_perimeter(account)
    }
    assert not wrong
    assert mapping.pl_line("73") == mapping.pl_line("706") == "production_vendue"
    assert all(mapping.pl_line(account) is not None for account in sample_accounts)


# ------------------------------------------------------------ boardpack vs the independent figures


@pytest.mark.parametrize("sample", SAMPLES)
def test_one_fiscal_year_with_expected_bounds(sample: Sample) -> None:
    """Each sample gives exactly one fiscal year, with the expected first/last day and completeness."""
    fy = year(sample.name)
    assert (fy["debut"], fy["fin"]) == (sample.debut, sample.fin)
    assert fy["complet"] is sample.complet
    assert fy["donnees_jusqu_a"] == sample.last_month
    # independently: every line outside the à-nouveaux lies within the reported year
    start, end = dt.date.fromisoformat(sample.debut), dt.date.fromisoformat(sample.fin)
    moving = [l.date for l in parse_fec(sample.name) if not is_opening(l)]
    assert start <= min(moving) and max(moving) <= end
    assert max(moving).strftime("%Y-%m") == sample.last_month


@pytest.mark.parametrize("sample", SAMPLES)
def test_chiffre_affaires_net(sample: Sample) -> None:
    """CA net = Σ (credit − debit) of the 70x accounts, 709 rebates deducted, to the cent."""
    fy = year(sample.name)
    assert cents(fy["compte_de_resultat"]["chiffre_affaires_net"]) == expected(sample.name).chiffre_affaires_net


@pytest.mark.parametrize("sample", SAMPLES)
def test_resultat_exploitation(sample: Sample) -> None:
    """Résultat d'exploitation = produits (70–75 not 755, 781, 791) − charges (60–65 not 655, 681), to the cent."""
    fy = year(sample.name)
    figure = expected(sample.name).resultat_exploitation
    assert cents(fy["sig"]["resultat_exploitation"]) == figure
    assert cents(fy["compte_de_resultat"]["resultat_exploitation"]) == figure


@pytest.mark.parametrize("sample", SAMPLES)
def test_resultat_net(sample: Sample) -> None:
    """Résultat net = Σ (credit − debit) of every class 6 and 7 account, to the cent."""
    fy = year(sample.name)
    figure = expected(sample.name).resultat_net
    assert cents(fy["sig"]["resultat_net"]) == figure
    assert cents(fy["compte_de_resultat"]["resultat_net"]) == figure


@pytest.mark.parametrize("sample", SAMPLES)
def test_total_bilan(sample: Sample) -> None:
    """Closing total actif, total passif and total bilan equal the independent per-(account, aux) split."""
    bilan = year(sample.name)["bilan"]
    figures = expected(sample.name)
    assert cents(bilan["total_actif"]) == figures.total_actif
    assert cents(bilan["total_passif"]) == figures.total_passif
    assert cents(bilan["total_bilan"]) == figures.total_actif


@pytest.mark.parametrize("sample", SAMPLES)
def test_bilan_balances(sample: Sample) -> None:
    """boardpack's closing bilan balances: total actif = total passif."""
    bilan = year(sample.name)["bilan"]
    assert cents(bilan["total_actif"]) == cents(bilan["total_passif"])


@pytest.mark.parametrize("sample", SAMPLES)
def test_caf_methods_agree(sample: Sample) -> None:
    """The CAF by the additive and the subtractive method agree (concordance is true)."""
    caf = year(sample.name)["caf"]
    assert caf["concordance"] is True
    assert cents(caf["methode_additive"]["caf"]) == cents(caf["methode_soustractive"]["caf"]) == cents(caf["caf"])


@pytest.mark.parametrize("sample", SAMPLES)
def test_flux_ecart_is_reported(sample: Sample) -> None:
    """The cash-flow gap is a JSON number equal to Δ trésorerie − (FTE + FTI + FTF)."""
    flux = year(sample.name)["flux"]
    ecart = cents(flux["ecart"])  # a number, not null nor a string
    variation = cents(flux["tresorerie_fin"]) - cents(flux["tresorerie_debut"])
    assert cents(flux["variation"]) == variation
    assert ecart == variation - (cents(flux["fte"]) + cents(flux["fti"]) + cents(flux["ftf"]))


#: Where the Δ BFR of the tableau de flux must not look: write-downs (added back by the CAF),
#: associates' current accounts and dividends (financing, FTF), fixed-asset payables (FTI).
NOT_BFR = ("39", "49", "455", "457", "404", "405", "4084")


@pytest.mark.parametrize("sample", [
    pytest.param(S1, id=S1.name),  # 455101 opens with a debit of 31 678,49
    pytest.param(S2, id=S2.name),  # 45500000 closes with a debit of 838,20
    pytest.param(S3, id=S3.name),  # 45510000 is a credit at both ends: no double count
    pytest.param(S4, id=S4.name),  # 455171/455172 close with debits 17 345,29
])
def test_delta_bfr_leaves_associates_accounts_to_financing(sample: Sample) -> None:
    """Δ BFR of the flux = Δ of classes 3 and 4 balances without 39/49, 455, 457, 404/405/4084."""
    lines = parse_fec(sample.name)

    def bfr(chosen: tuple[Line, ...]) -> Decimal:
        return sum(
            (b for (a, _x), b in balances(chosen).items() if a[:1] in ("3", "4") and not a.startswith(NOT_BFR)),
            ZERO,
        )

    expected_delta = bfr(lines) - bfr(tuple(l for l in lines if is_opening(l)))
    assert cents(year(sample.name)["flux"]["delta_bfr"]) == expected_delta


@pytest.mark.parametrize("sample", [S1, S2, S3], ids=[S1.name, S2.name, S3.name])
def test_cash_flow_reconciles_without_gap(sample: Sample) -> None:
    """On samples 1 to 3 every balance-sheet movement falls in a flow category: the gap is zero."""
    assert cents(year(sample.name)["flux"]["ecart"]) == ZERO


def test_sample_4_gap_is_depreciation_outside_68() -> None:
    """Sample 4's gap is the part of the 28x credits not booked through 68 (6 318,00 €)."""
    lines = parse_fec(S4.name)
    credits_28 = sum((l.credit for l in lines if l.account.startswith("28") and not is_opening(l)), ZERO)
    dotations = sum((l.debit - l.credit for l in lines if l.account.startswith("68")), ZERO)
    assert cents(year(S4.name)["flux"]["ecart"]) == credits_28 - dotations == Decimal("6318.00")
