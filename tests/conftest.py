"""Shared fixtures: plugin reset, a small hand-made company, in-memory ledgers, the demo build.

The small company ("Atelier Lyonnais de Test") is written as French CSV files (``;``,
decimal comma, JJ/MM/AAAA). Every figure the tests expect is worked out by hand below.

Fiscal year = calendar year. Opening entry (AN) on 01/01/2025, then the same pattern
every month from January 2025 to February 2026 (14 months):

* AN 01/01/2025: 512000 D 50 000 ; 215400 D 120 000 ; 310000 D 20 000 ;
  101300 C 100 000 ; 164000 C 90 000.
* VE 15/mm: 411000 (aux C001) D TTC ; 701000 C HT ; 445710 C TVA 20 %.
  HT = 10 000 each month of 2025, 11 000 each month of 2026 (TTC 12 000 / 13 200).
* AC 20/mm: 601000 D 3 000 ; 401000 (aux F001) C 3 000.
* PA 28/mm: 641000 D 3 000 ; 421000 C 3 000 ; 645000 D 1 200 ; 431000 C 1 200.
* BQ 28/mm: salaries paid: 421000 D 3 000 ; 512000 C 3 000.
* BQ 05/mm: loan instalment: 164000 D 1 500 ; 661100 D 300 ; 512000 C 1 800.
* From February 2025, the previous month is settled: BQ 10/mm customer C001 pays the
  previous invoice (512000 D / 411000 C TTC of month − 1), BQ 12/mm supplier F001 paid
  (401000 D 3 000 / 512000 C), BQ 14/mm URSSAF paid (431000 D 1 200 / 512000 C).
* OD last day: depreciation 681120 D 1 000 ; 281540 C 1 000.
* Once: BQ 16/06/2025 transfer from bank B to bank A: 512000 D 1 500 ; 512100 C 1 500
  (bank B is overdrawn by 1 500 from June 2025 on).
* Once: BQ 18/12/2025 customer C002 pays an advance: 512000 D 600 ; 411000 (C002) C 600.
* Once: OD 31/12/2025 closing stock 23 000: 310000 D 3 000 ; 603100 C 3 000.
* Once: OD 31/12/2025 income tax: 695000 D 4 000 ; 444000 C 4 000.

Per month of 2025 except December: CA 10 000, achats consommés 3 000, marge brute 7 000,
VA 7 000, personnel 4 200, EBE 2 800, dotations 1 000, REX 1 800, RFIN −300, RN 1 500.
December 2025: achats consommés 0 (3 000 − 3 000), VA 10 000, EBE 5 800, REX 4 800,
RCAI 4 500, IS 4 000, RN 500. Year 2025: CA 120 000, achats consommés 33 000, VA 87 000,
EBE 36 600, REX 24 600, RFIN −3 600, RN 17 000.
Per month of 2026: CA 11 000, marge 8 000, VA 8 000, EBE 3 800, REX 2 800, RN 2 500.

Bank 512000 at month end: January 2025 45 200 (50 000 − 1 800 − 3 000), then +3 000
a month in 2025 (12 000 − 3 000 − 1 200 − 1 800 − 3 000), +1 500 in June, +600 in
December → 80 300 at end 2025; January 2026 83 300 (+3 000), February 2026 87 500
(+13 200 − 3 000 − 1 200 − 1 800 − 3 000 = +4 200).
"""

from __future__ import annotations

import importlib

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from boardpack.api import LoadRequest
from boardpack import plugins
from boardpack.config import CompanyConfig
from boardpack.default_plugins import DEFAULT_PLUGINS
from boardpack.default_plugins.sources.csv import CsvSource
from boardpack.default_plugins.sources.datasets import BUDGET, DEALS, ENTRIES, INVOICES, LOANS, MARKETING, OPS_METRICS
from boardpack.api import KPI
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.build.facts import FactTable, PackFacts
from boardpack.periods import Month

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "src" / "boardpack" / "demo" / "config.toml"
DEMO_ENTRIES = REPO / "src" / "boardpack" / "demo" / "data" / "entries.csv"
SCHEMAS = {s.name: s for s in (ENTRIES, INVOICES, DEALS, OPS_METRICS, BUDGET, LOANS, MARKETING)}
SMALL_COMPANY = CompanyConfig(name="Atelier Lyonnais de Test", fiscal_year_start=1)

# ---------------------------------------------------------------- plugin state


@pytest.fixture(autouse=True)
def reset_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forget loaded plugins before and after every test (cheap: a dict is cleared).

    Installed third-party plugins are kept out (``BOARDPACK_LOAD_PLUGINS=""``) so the suite
    sees the built-ins only; tests about entry points undo this themselves.
    """
    monkeypatch.setenv("BOARDPACK_LOAD_PLUGINS", "")
    plugins.reset()
    yield
    plugins.reset()


# ---------------------------------------------------------------- the small company

MONTHS = [Month(2025, m) for m in range(1, 13)] + [Month(2026, 1), Month(2026, 2)]
ENTRY_HEADER = "date;journal;entry_id;account;account_label;aux_account;label;debit;credit"


def _fr(amount: int | str) -> str:
    """A whole euro amount written the French way, with a space every third digit and cents."""
    text = f"{int(amount):,}".replace(",", " ")
    return f"{text},00"


def _day(month: Month, day: int) -> str:
    return f"{day:02d}/{month.month:02d}/{month.year}"


def small_entries_rows() -> list[str]:
    """The journal lines of the small company (see the module docstring)."""
    rows: list[str] = []

    def line(date: str, journal: str, entry: str, account: str, label: str, debit: int, credit: int,
             aux: str = "") -> None:
        rows.append(";".join([date, journal, entry, account, label, aux, f"{journal} {entry}",
                              _fr(debit), _fr(credit)]))

    an = "01/01/2025"
    line(an, "AN", "AN1", "512000", "Banque A", 50000, 0)
    line(an, "AN", "AN1", "215400", "Matériel industriel", 120000, 0)
    line(an, "AN", "AN1", "310000", "Stock matières", 20000, 0)
    line(an, "AN", "AN1", "101300", "Capital souscrit appelé versé", 0, 100000)
    line(an, "AN", "AN1", "164000", "Emprunt Banque Test", 0, 90000)
    for index, month in enumerate(MONTHS):
        tag = f"{month.year}{month.month:02d}"
        ht = 10000 if month.year == 2025 else 11000
        tva = ht // 5
        line(_day(month, 15), "VE", f"VE{tag}", "411000", "Clients", ht + tva, 0, "C001")
        line(_day(month, 15), "VE", f"VE{tag}", "701000", "Ventes de produits finis", 0, ht)
        line(_day(month, 15), "VE", f"VE{tag}", "445710", "TVA collectée", 0, tva)
        line(_day(month, 20), "AC", f"AC{tag}", "601000", "Achats de matières premières", 3000, 0)
        line(_day(month, 20), "AC", f"AC{tag}", "401000", "Fournisseurs", 0, 3000, "F001")
        line(_day(month, 28), "PA", f"PA{tag}", "641000", "Rémunérations du personnel", 3000, 0)
        line(_day(month, 28), "PA", f"PA{tag}", "421000", "Personnel - rémunérations dues", 0, 3000)
        line(_day(month, 28), "PA", f"PA{tag}", "645000", "Charges de sécurité sociale", 1200, 0)
        line(_day(month, 28), "PA", f"PA{tag}", "431000", "Sécurité sociale", 0, 1200)
        line(_day(month, 28), "BQ", f"SAL{tag}", "421000", "Personnel - rémunérations dues", 3000, 0)
        line(_day(month, 28), "BQ", f"SAL{tag}", "512000", "Banque A", 0, 3000)
        line(_day(month, 5), "BQ", f"EMP{tag}", "164000", "Emprunt Banque Test", 1500, 0)
        line(_day(month, 5), "BQ", f"EMP{tag}", "661100", "Intérêts des emprunts", 300, 0)
        line(_day(month, 5), "BQ", f"EMP{tag}", "512000", "Banque A", 0, 1800)
        if index > 0:
            previous = MONTHS[index - 1]
            paid = (10000 if previous.year == 2025 else 11000) * 6 // 5
            line(_day(month, 10), "BQ", f"REG{tag}", "512000", "Banque A", paid, 0)
            line(_day(month, 10), "BQ", f"REG{tag}", "411000", "Clients", 0, paid, "C001")
            line(_day(month, 12), "BQ", f"FOU{tag}", "401000", "Fournisseurs", 3000, 0, "F001")
            line(_day(month, 12), "BQ", f"FOU{tag}", "512000", "Banque A", 0, 3000)
            line(_day(month, 14), "BQ", f"URS{tag}", "431000", "Sécurité sociale", 1200, 0)
            line(_day(month, 14), "BQ", f"URS{tag}", "512000", "Banque A", 0, 1200)
        line(_day(month, month.days), "OD", f"DOT{tag}", "681120", "Dotations aux amortissements", 1000, 0)
        line(_day(month, month.days), "OD", f"DOT{tag}", "281540", "Amortissement matériel", 0, 1000)
        if month == Month(2025, 6):
            line("16/06/2025", "BQ", "VIR202506", "512000", "Banque A", 1500, 0)
            line("16/06/2025", "BQ", "VIR202506", "512100", "Banque B", 0, 1500)
        if month == Month(2025, 12):
            line("18/12/2025", "BQ", "ACP202512", "512000", "Banque A", 600, 0)
            line("18/12/2025", "BQ", "ACP202512", "411000", "Clients", 0, 600, "C002")
            line("31/12/2025", "OD", "STK202512", "310000", "Stock matières", 3000, 0)
            line("31/12/2025", "OD", "STK202512", "603100", "Variation des stocks de matières", 0, 3000)
            line("31/12/2025", "OD", "IS202512", "695000", "Impôt sur les bénéfices", 4000, 0)
            line("31/12/2025", "OD", "IS202512", "444000", "État - impôt sur les bénéfices", 0, 4000)
    return rows


def small_files() -> dict[str, str]:
    """File name → content of the small company's CSV folder."""
    budget = ["period;line;amount"]
    loans = ["loan;lender;period;principal_due;interest_due;outstanding"]
    for k, month in enumerate(MONTHS, start=1):
        budget.append(f"{month};chiffre_affaires;10 500,00")
        budget.append(f"{month};achats_consommes;3 200,00")
        loans.append(f"EMP-1;Banque Test;{month};1 500,00;300,00;{_fr(90000 - 1500 * k)}")
    return {
        "entries.csv": "\n".join([ENTRY_HEADER, *small_entries_rows()]) + "\n",
        "invoices.csv": (
            "kind;number;counterparty;issue_date;due_date;paid_date;amount_excl_tax;amount_incl_tax;status\n"
            "sale;FA-2026-01;Client Un;15/01/2026;14/02/2026;10/02/2026;11 000,00;13 200,00;paid\n"
            "sale;FA-2026-02;Client Un;15/02/2026;17/03/2026;;11 000,00;13 200,00;issued\n"
            "purchase;FF-2026-02;Fournisseur Un;20/02/2026;20/03/2026;;3 000,00;3 000,00;issued\n"
        ),
        # Closed: D1 won (02/2026), D2 lost (02/2026), D3 won (01/2026), D6 lost (06/2025).
        # Open: D4 10 000 × 0,5 + D5 4 000 × 0,25 → pipeline pondéré 6 000,00.
        # Last CRM activity: creation of D5 on 10/02/2026 → latest month 2026-02.
        "deals.csv": (
            "deal_id;pipeline;stage;stage_probability;amount;created_date;close_date;status\n"
            "D1;Ventes;Gagné;1,00;20 000,00;10/01/2026;05/02/2026;won\n"
            "D2;Ventes;Perdu;0,00;5 000,00;15/01/2026;20/02/2026;lost\n"
            "D3;Ventes;Gagné;1,00;8 000,00;01/12/2025;15/01/2026;won\n"
            "D4;Ventes;Proposition;0,50;10 000,00;01/02/2026;;open\n"
            "D5;Ventes;Qualification;0,25;4 000,00;10/02/2026;;open\n"
            "D6;Ventes;Perdu;0,00;3 000,00;01/03/2025;15/06/2025;lost\n"
        ),
        # Only December 2025 to February 2026: an LTM window lacks 2025-03.
        "ops_metrics.csv": (
            "period;metric;value;unit;dimension\n"
            "2025-12;unites_produites;100;pièces;\n"
            "2026-01;unites_produites;120;pièces;\n"
            "2026-02;unites_produites;140;pièces;\n"
            "2025-12;delai_livraison_jours;30,0;jours;\n"
            "2026-01;delai_livraison_jours;21,5;jours;\n"
            "2026-02;delai_livraison_jours;25,1;jours;\n"
        ),
        "budget.csv": "\n".join(budget) + "\n",
        "loans.csv": "\n".join(loans) + "\n",
    }


SMALL_CONFIG = """\
[company]
name = "Atelier Lyonnais de Test"
siren = "812345674"
fiscal_year_start = 1

[sources.compta]
type = "csv"
path = "donnees"

[kpis.thresholds.dscr]
warn = 1.5
alert = 1.25

[audiences.dirigeant]
title = "Synthèse dirigeant"
sections = ["kpi_tiles", "alertes"]

[audiences.daf]
title = "Détail DAF"
sections = ["kpi_table", "bilan"]
"""


@dataclass
class SmallCompany:
    """Where the small company was written."""

    config: Path
    data: Path

    def write(self, name: str, content: str, encoding: str = "utf-8") -> Path:
        """(Re)write one file of the data folder."""
        path = self.data / name
        path.write_text(content, encoding=encoding)
        return path


def write_small_company(folder: Path, config_text: str = SMALL_CONFIG) -> SmallCompany:
    """Write the small company's CSV folder and config TOML under ``folder``."""
    data = folder / "donnees"
    data.mkdir(parents=True, exist_ok=True)
    for name, content in small_files().items():
        (data / name).write_text(content, encoding="utf-8")
    config = folder / "boardpack.toml"
    config.write_text(config_text, encoding="utf-8")
    return SmallCompany(config=config, data=data)


@pytest.fixture
def small_company(tmp_path: Path) -> SmallCompany:
    """A fresh copy of the small company in tmp_path (tests may edit it)."""
    return write_small_company(tmp_path / "societe")


@pytest.fixture(scope="session")
def small_datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The small company's datasets, read once through the csv source (read-only!)."""
    company = write_small_company(tmp_path_factory.mktemp("small"))
    source = CsvSource("compta", {"path": "donnees"}, company.config.parent)
    return source.load(LoadRequest(SCHEMAS))


def builtin_kpis() -> dict[str, KPI]:
    """Every built-in KPI by id, taken straight from the default plugin modules (not the registry)."""
    found = []
    for name in DEFAULT_PLUGINS:
        module = importlib.import_module(name)
        if hasattr(module, "register_kpis"):
            found.extend(module.register_kpis())
    return {kpi.id: kpi for kpi in found}


@pytest.fixture
def small_ctx(small_datasets: dict[str, pd.DataFrame]) -> CompanyData:
    """A KPI context over the small company (fresh caches per test)."""
    return CompanyData(small_datasets, SMALL_COMPANY)


def facts_of(ctx: CompanyData, period: Month, kpis: dict[str, KPI] | None = None) -> PackFacts:
    """A pack's view of a fresh fact table over ``ctx`` for ``period`` (no KPI unless given)."""
    return FactTable(KPIEngine(kpis or {}, ctx), period).view()


@pytest.fixture
def small_engine(small_ctx: CompanyData) -> KPIEngine:
    """A KPI engine with every built-in KPI over the small company, no threshold override."""
    return KPIEngine(builtin_kpis(), small_ctx)


# ---------------------------------------------------------------- in-memory ledgers

EntryRow = tuple[str, str, str, str, str, str, str]


@pytest.fixture
def make_entries() -> Callable[[list[EntryRow]], pd.DataFrame]:
    """Build a coerced ``entries`` frame from (date, journal, entry_id, account, aux, debit, credit)."""

    def make(rows: list[EntryRow]) -> pd.DataFrame:
        raw = pd.DataFrame(
            rows, columns=["date", "journal", "entry_id", "account", "aux_account", "debit", "credit"],
            dtype=object,
        )
        return ENTRIES.coerce(raw, "test")

    return make


# ---------------------------------------------------------------- the demo build


@dataclass
class DemoBuild:
    """The demo packs built once for the whole session."""

    out: Path
    paths: dict[str, Path]
    period: Month
    config: Any
    #: each audience's HTML, as handed to WeasyPrint
    html: dict[str, str]


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """Build the demo company's four packs once (the slowest thing in the suite)."""
    from boardpack.build import build
    from boardpack.config import load_config

    out = tmp_path_factory.mktemp("demo_out")
    config = load_config(DEMO_CONFIG)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
        plugins.reset()
        try:
            result = build(config, out_dir=out)
        finally:
            plugins.reset()
    return DemoBuild(out=out, paths=dict(result.paths), period=result.period, config=config, html=dict(result.html))


def pytest_report_header(config: pytest.Config) -> str:
    """Say whether SOURCE_DATE_EPOCH is set (it changes PDF determinism)."""
    return f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '(unset)')}"


# ---------------------------------------------------------------- connectors


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The HTTP layer's pause and clock replaced by a :class:`emulators.base.FakeTime`:
    nothing sleeps, every wait is recorded."""
    from boardpack.connectors import http
    from emulators.base import FakeTime

    fake = FakeTime()
    monkeypatch.setattr(http, "pause", fake.pause)
    monkeypatch.setattr(http, "clock", fake.clock)
    return fake

