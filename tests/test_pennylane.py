"""The ``pennylane`` source against the local emulator of Pennylane's Company API v2.

Time is fake: ``boardpack.connectors.http.pause`` advances a clock that the client's rate
limiter and the emulator's both read, so rate limits and Retry-After are exercised without
sleeping. One emulator serves the whole module (it converts the demo company at start-up);
:meth:`PennylaneEmulator.reset` puts it back before each test.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from conftest import DEMO_CONFIG
from emulators.base import FakeTime, Response, demo_datasets
from emulators.pennylane import PREFIX, TOKEN, PennylaneEmulator

from boardpack.api import Loaded, LoadRequest
from boardpack.build import build, load_inputs, make_engine
from boardpack.config import load_config
from boardpack.connectors.http import ApiError
from boardpack.default_plugins.sources.pennylane.client import PennylaneClient, default_since
from boardpack.default_plugins.sources.pennylane.source import PennylaneSource
from boardpack.errors import ConfigError
from boardpack.build.context import CompanyData
from boardpack.build.engine import KPIEngine
from boardpack.periods import Month
from boardpack.plugins import get_registry

OCT_2026 = Month(2026, 10)
LINES = f"{PREFIX}/ledger_entry_lines"
#: a short span keeps the unit tests to a few dozen requests
SHORT = {"since": "2026-01", "until": "2026-03"}


@pytest.fixture(scope="module")
def server() -> Iterator[PennylaneEmulator]:
    """One emulator for the module (building it converts the whole demo company)."""
    with PennylaneEmulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(server: PennylaneEmulator, fake_time: FakeTime) -> PennylaneEmulator:
    """The emulator, reset, on the fake clock."""
    server.reset()
    server.clock = fake_time.clock
    return server


def http_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """A canned emulator response."""
    return Response(status, body, dict(headers or {}))


def emulator_demo_invoices() -> pd.DataFrame:
    """The demo invoices the emulator was built from."""
    return demo_datasets()["invoices"]


def source(emulator: PennylaneEmulator, tmp_path: Path, **options: Any) -> PennylaneSource:
    """A pennylane source on the emulator (short span unless told otherwise)."""
    settings = {"token": TOKEN, "base_url": emulator.base_url, **SHORT, **options}
    return PennylaneSource("pennylane", settings, tmp_path)


def load(src: PennylaneSource, period: Month | None = None) -> Loaded:
    """The source's datasets, coerced by the registered schemas, and what it found."""
    return src.load(LoadRequest(get_registry().datasets, period, period))


def calls(emulator: PennylaneEmulator, path: str) -> list[Any]:
    """The requests the emulator received on ``path``."""
    return [r for r in emulator.requests if r.path == path]


def lines_between(emulator: PennylaneEmulator, first: str, last: str) -> list[dict[str, Any]]:
    """The emulator's ledger lines dated between two ISO days."""
    return [ln for ln in emulator.lines.items if first <= ln["date"] <= last]


# ---------------------------------------------------------------- paging and filters


def test_paging_reads_every_page_resending_filter_and_sort(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """Lines are read to the last page, each page with the same filter, sort and limit, and a cursor after the first."""
    entries = load(source(emulator, tmp_path, datasets=["entries"]))["entries"]
    expected = lines_between(emulator, "2026-01-01", "2026-03-31")
    assert len(entries) == len(expected) > 1000
    pages = calls(emulator, LINES)
    assert len(pages) == math.ceil(len(expected) / 100)
    first = pages[0]
    assert first.arg("cursor") is None and first.arg("limit") == "100" and first.arg("sort") == "id"
    assert json.loads(first.arg("filter") or "") == [
        {"field": "date", "operator": "gteq", "value": "2026-01-01"},
        {"field": "date", "operator": "lteq", "value": "2026-03-31"}]
    for page in pages[1:]:
        assert page.arg("cursor")
        assert (page.arg("filter"), page.arg("sort"), page.arg("limit")) == (
            first.arg("filter"), first.arg("sort"), first.arg("limit"))
    assert entries["date"].min() >= pd.Timestamp("2026-01-01")
    assert entries["date"].max() <= pd.Timestamp("2026-03-31")


def test_every_call_opts_into_the_2026_api_changes(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """Every request carries ``X-Use-2026-API-Changes: true`` and the bearer token, never a token in the URL."""
    load(source(emulator, tmp_path))
    assert emulator.requests
    for request in emulator.requests:
        assert request.header("x-use-2026-api-changes") == "true"
        assert request.header("authorization") == f"Bearer {TOKEN}"
        assert TOKEN not in request.path and TOKEN not in json.dumps(request.query)


def test_cursor_without_the_filter_gives_unfiltered_results(emulator: PennylaneEmulator) -> None:
    """The emulator's trap: page 2 asked without the filter runs past the date range (the cursor holds no filter)."""
    until = [{"field": "date", "operator": "lteq", "value": "2023-01-01"}]  # 174 lines: two pages
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers) as client:
        first = client.get(LINES, params={"limit": 100, "sort": "id", "filter": json.dumps(until)}).json()
        cursor = first["next_cursor"]
        kept = client.get(LINES, params={"limit": 100, "sort": "id", "filter": json.dumps(until), "cursor": cursor}).json()
        dropped = client.get(LINES, params={"limit": 100, "sort": "id", "cursor": cursor}).json()
        resorted = client.get(LINES, params={"limit": 100, "filter": json.dumps(until), "cursor": cursor}).json()
    assert len(kept["items"]) == 74 and not kept["has_more"]
    assert all(item["date"] == "2023-01-01" for item in kept["items"])
    assert len(dropped["items"]) == 100 and dropped["has_more"]
    assert max(item["date"] for item in dropped["items"]) > "2023-01-01"
    assert [i["id"] for i in resorted["items"]] != [i["id"] for i in kept["items"]]  # default sort is -id


def test_contract_details_of_the_lists(emulator: PennylaneEmulator) -> None:
    """limit out of range is a 400; legacy offset keys are null; amounts are strings; nested lists are links."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers) as client:
        too_many = client.get(LINES, params={"limit": 101})
        accounts = client.get(f"{PREFIX}/ledger_accounts", params={"limit": 1000}).json()
        invoices = client.get(f"{PREFIX}/customer_invoices", params={"limit": 2}).json()
        bad_filter = client.get(LINES, params={"filter": json.dumps([{"field": "date", "operator": "like", "value": 1}])})
    assert too_many.status_code == 400 and too_many.json()["code"] == "MoreThanMaximum"
    assert bad_filter.status_code == 400
    assert accounts["total_pages"] is None and accounts["has_more"] is False
    invoice = invoices["items"][0]
    assert isinstance(invoice["amount"], str) and "." in invoice["amount"]
    assert set(invoice["categories"]) == {"url"}
    assert invoices["items"][0]["id"] > invoices["items"][1]["id"]  # default sort -id


def test_sort_only_where_the_spec_documents_it(emulator: PennylaneEmulator, tmp_path: Path,
                                               fake_time: FakeTime) -> None:
    """The spec documents no ``sort`` on /category_groups and /trial_balance (the emulator answers 400
    to one, as to a ``filter`` on /fiscal_years): a full load sends ``sort`` only where documented."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers) as client:
        groups = client.get(f"{PREFIX}/category_groups", params={"sort": "id"})
        balance = client.get(f"{PREFIX}/trial_balance", params={"period_start": "2026-01-01",
                                                                "period_end": "2026-01-31", "sort": "number"})
        years = client.get(f"{PREFIX}/fiscal_years", params={"filter": "[]"})
    assert [r.status_code for r in (groups, balance, years)] == [400, 400, 400]
    assert groups.json()["field"] == "sort" and years.json()["field"] == "filter"
    emulator.requests.clear()
    fake_time.advance(5)  # the three calls above leave the rate window
    load(source(emulator, tmp_path))
    sent = {(r.path.removeprefix(PREFIX), r.arg("sort")) for r in emulator.requests}
    assert sent == {("/fiscal_years", "start"), ("/customers", "id"), ("/suppliers", "id"),
                    ("/ledger_accounts", "id"), ("/ledger_entry_lines", "id"), ("/customer_invoices", "id"),
                    ("/supplier_invoices", "id"), ("/journals", "id"), ("/ledger_entries", "id"),
                    ("/trial_balance", None), ("/category_groups", None), ("/categories", "id")}


def test_undocumented_sort_is_refused_before_the_call(emulator: PennylaneEmulator) -> None:
    """Asking a sort an endpoint does not document is a programming error, raised before any request."""
    with PennylaneClient(TOKEN, emulator.base_url) as client, pytest.raises(ValueError, match="non documenté"):
        next(client.items("/category_groups", sort="id"))
    assert emulator.requests == []


# ---------------------------------------------------------------- rate limits, retries, errors


def test_429_then_success_honours_retry_after(emulator: PennylaneEmulator, fake_time: FakeTime,
                                              tmp_path: Path) -> None:
    """A plain-text 429 with retry-after: 3 is waited for (3 s on the fake clock), then the call succeeds."""
    headers = {"retry-after": "3", "ratelimit-limit": "25", "ratelimit-remaining": "0", "ratelimit-reset": "1770379510"}
    emulator.inject(http_response(429, "Rate limit exceeded. Please retry in 3 seconds.", headers),
                    when=lambda r: r.path == f"{PREFIX}/me")
    assert "Mécanique de Précision du Rhône" in source(emulator, tmp_path).check()
    assert fake_time.pauses == [3.0]
    assert len(calls(emulator, f"{PREFIX}/me")) == 2


def test_emulator_limits_each_token_to_25_requests_per_5_seconds(emulator: PennylaneEmulator,
                                                                 fake_time: FakeTime) -> None:
    """The 26th request within 5 s is a plain-text 429 with retry-after; ratelimit-* headers are on every answer."""
    with httpx.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        answers = [client.get(f"{PREFIX}/me") for _ in range(26)]
        fake_time.now += 5
        after = client.get(f"{PREFIX}/me")
    assert [a.status_code for a in answers] == [200] * 25 + [429]
    assert answers[24].headers["ratelimit-remaining"] == "0" and answers[0].headers["ratelimit-limit"] == "25"
    limited = answers[25]
    assert limited.headers["content-type"].startswith("text/plain")
    assert limited.text.startswith("Rate limit exceeded. Please retry in ")
    assert int(limited.headers["retry-after"]) >= 1
    assert after.status_code == 200


def test_client_keeps_under_the_rate_limit(emulator: PennylaneEmulator, fake_time: FakeTime, tmp_path: Path) -> None:
    """Sixty-odd requests: the client's limiter pauses, so the emulator never answers 429."""
    load(source(emulator, tmp_path))
    assert len(emulator.requests) > 25
    assert emulator.throttled == 0
    assert sum(fake_time.pauses) >= 5 * (len(emulator.requests) // 25 - 1)


def test_5xx_then_success(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """Two 503 on a page are retried; the rows are the same as without them."""
    emulator.inject(http_response(503, {"error": "Service Unavailable", "status": 503}), times=2,
                    when=lambda r: r.path == LINES and r.arg("cursor") is not None)
    entries = load(source(emulator, tmp_path, datasets=["entries"]))["entries"]
    assert len(entries) == len(lines_between(emulator, "2026-01-01", "2026-03-31"))


def test_persistent_5xx_is_one_clear_sentence(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """A page that keeps failing gives one French sentence naming the provider, the endpoint and the status."""
    emulator.inject(http_response(502, "Bad Gateway"), times=20, when=lambda r: r.path == LINES)
    with pytest.raises(ApiError) as caught:
        load(source(emulator, tmp_path))
    message = str(caught.value)
    assert message.startswith(f"Pennylane : GET {LINES} a répondu 502 après 6 tentatives")
    assert "réessayez plus tard" in message and "\n" not in message


def test_revoked_token_is_one_line_without_the_token(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """401 {error, status}: the error says authentication was refused and what to check, never the token."""
    emulator.revoke()
    with pytest.raises(ApiError) as caught:
        source(emulator, tmp_path).check()
    message = str(caught.value)
    assert caught.value.status == 401
    assert "authentification refusée : The access token is invalid" in message
    assert "option token" in message and TOKEN not in message and "\n" not in message
    assert len(calls(emulator, f"{PREFIX}/me")) == 1  # never retried


def test_token_expiring_during_the_fetch(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """A token that expires after a few pages stops the load with the 401 sentence of the failing endpoint."""
    emulator.expire_token_after(8)
    with pytest.raises(ApiError) as caught:
        load(source(emulator, tmp_path))
    assert caught.value.status == 401 and TOKEN not in str(caught.value)


def test_missing_scope_names_the_scope(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """403: the error quotes Pennylane's message naming the missing scope."""
    emulator.scopes.discard("trial_balance:readonly")
    with pytest.raises(ApiError) as caught:
        load(source(emulator, tmp_path))
    message = str(caught.value)
    assert caught.value.status == 403 and "/trial_balance" in message
    assert 'requires scope "trial_balance:readonly"' in message and "accès refusé" in message


def test_check_says_which_company(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """check() makes one GET /me and names the company and its SIREN."""
    text = source(emulator, tmp_path).check()
    assert text == "Pennylane : société « Mécanique de Précision du Rhône », SIREN 812345674, jeton valide (11 droit(s) d'accès)"
    assert [r.path for r in emulator.requests] == [f"{PREFIX}/me"]


# ---------------------------------------------------------------- mapping


def test_third_party_sub_accounts_map_to_collective_and_aux(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """A line on 411C0011 becomes account 411000 (label « Clients »), aux 411C0011 with the customer's name."""
    entries = load(source(emulator, tmp_path, datasets=["entries"]))["entries"]
    customer = entries[entries["aux_account"] == "411C0011"]
    assert len(customer) and set(customer["account"]) == {"411000"}
    assert set(customer["account_label"]) == {"Clients"}
    assert set(customer["aux_label"]) == {"Éolien Composants Bretagne"}
    assert set(entries.loc[entries["account"] == "701000", "aux_account"]) == {""}
    assert set(entries["journal"]) <= {"VE", "AC", "BQ", "OD", "AN"}


def test_invoices_amounts_status_and_categories(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """Amounts to the cent, segment and product from the categories, paid dates from the lettering, as of the span's end."""
    invoices = load(source(emulator, tmp_path, datasets=["invoices"]))["invoices"]
    demo = emulator_demo_invoices()
    demo = demo[(demo["issue_date"] >= "2026-01-01") & (demo["issue_date"] <= "2026-03-31")]
    merged = invoices.merge(demo, on=["kind", "number"], suffixes=("", "_demo"))
    assert len(merged) == len(invoices) == len(demo)
    for column in ("amount_excl_tax", "amount_incl_tax", "discount", "segment", "product", "due_date"):
        assert (merged[column] == merged[f"{column}_demo"]).all(), column
    # as of the end of the span (31/03/2026), an invoice paid later was still unpaid
    later = merged["paid_date_demo"] > "2026-03-31"
    assert later.any() and (merged.loc[later, "status"] == "issued").all()
    assert merged.loc[later, "paid_date"].isna().all()
    within = merged[~later]
    assert (within["status"] == within["status_demo"]).all()
    paid = within[within["status"] == "paid"]
    assert len(paid) and (paid["paid_date"] == paid["paid_date_demo"]).all()


def test_credit_note_lettering_is_not_cash_collected(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """An invoice of 1 200 € TTC (5 Oct), 960 € received (25 Oct), a credit note of 240 € TTC (10 Nov)
    lettered with both, and an unpaid invoice of 500 € HT (5 Nov): the credit note is settled
    (« paid ») but has no paid date, so the November share of revenue cashed is 0 %, not negative."""
    invoice = emulator.add_sale(dt.date(2026, 10, 5), 100000)
    note = emulator.add_sale(dt.date(2026, 11, 10), 20000, credit_note_of=invoice)
    emulator.add_payment(dt.date(2026, 10, 25), 96000, [invoice, note])
    unpaid = emulator.add_sale(dt.date(2026, 11, 5), 50000)
    invoices = load(source(emulator, tmp_path, since="2026-10", until="2026-11", datasets=["invoices"]))["invoices"]
    rows = invoices.set_index("number")
    credit = rows.loc[note["invoice_number"]]
    assert (credit["amount_excl_tax"], credit["amount_incl_tax"], credit["status"]) == (-20000, -24000, "paid")
    assert pd.isna(credit["paid_date"])
    assert rows.loc[invoice["invoice_number"], "paid_date"] == pd.Timestamp("2026-11-10")  # settled by the note
    assert rows.loc[unpaid["invoice_number"], "status"] == "issued"
    company = load_config(DEMO_CONFIG).company
    engine = KPIEngine(dict(get_registry().kpis), CompanyData({"invoices": invoices}, company))
    cashed = engine.result(get_registry().kpis["rentabilite_encaissee"], Month(2026, 11), "month")
    assert cashed.value == 0  # invoiced 500 − 200 = 300 € HT, of which nothing cashed in November


def test_drafts_are_left_out_unless_asked(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """A supplier invoice awaiting validation: its draft entry is excluded by default, kept with include_drafts."""
    invoice = emulator.add_draft_purchase(dt.date(2026, 2, 10), 123456)
    entry = str(invoice["ledger_entry"]["id"])
    default = source(emulator, tmp_path)
    data = load(default)
    assert entry not in set(data["entries"]["entry_id"])
    drafts = data["invoices"][data["invoices"]["number"] == invoice["invoice_number"]]
    assert list(drafts["status"]) == ["draft"]
    assert list(data.findings) == []  # the trial balance (drafts included) still matches
    kept = load(source(emulator, tmp_path, include_drafts=True))["entries"]
    lines = kept[kept["entry_id"] == entry]
    assert len(lines) == 3 and lines["debit"].sum() == lines["credit"].sum() == 123456 + 24691


def test_trial_balance_gap_is_a_finding(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """A trial balance 10 € higher on 706000 than the lines read: one finding naming the account and the gap."""
    emulator.trial_balance_offsets["706000"] = 1000
    src = source(emulator, tmp_path, datasets=["entries"])
    loaded = load(src)
    assert len(loaded.findings) == 1
    finding = loaded.findings[0]
    assert finding.startswith("Pennylane : la balance du 01/01/2026 au 31/03/2026 donne pour le compte 706000")
    assert "écart de 10,00 € au débit et 0,00 € au crédit" in finding


def test_fiscal_years_and_opening_journals(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """The fiscal years overlapping the span are whole years; journals of type new_year open them."""
    src = source(emulator, tmp_path, since="2025-06", until="2025-06", datasets=["entries"])
    loaded = load(src)
    assert list(loaded.fiscal_years) == [(Month(2025, 1), Month(2025, 12))]
    assert loaded.opening_journals == {"AN": "À-nouveaux"}


def test_default_span_starts_three_fiscal_years_back(emulator: PennylaneEmulator, tmp_path: Path) -> None:
    """Without since, a pack for 2026-10 reads from 1 January 2023 (fiscal year 2026 − 3) to 31 October 2026."""
    src = PennylaneSource("pennylane", {"token": TOKEN, "base_url": emulator.base_url,
                                        "datasets": ["entries"], "trial_balance": False}, tmp_path)
    emulator.inject(http_response(503, "stop"), times=10, when=lambda r: r.path == LINES)
    with pytest.raises(ApiError):
        load(src, OCT_2026)  # stop at the first page of lines: only the filter matters here
    assert json.loads(calls(emulator, LINES)[0].arg("filter") or "") == [
        {"field": "date", "operator": "gteq", "value": "2023-01-01"},
        {"field": "date", "operator": "lteq", "value": "2026-10-31"}]


def test_default_since_follows_the_fiscal_years() -> None:
    """Fiscal years July–June: a pack for October 2026 reads from 1 July 2023; without any fiscal year,
    the conservative shared rule: 47 months back, enough for three years whatever their first month."""
    years = [(dt.date(y, 7, 1), dt.date(y + 1, 6, 30)) for y in range(2020, 2027)]
    assert default_since(years, dt.date(2026, 10, 31)) == dt.date(2023, 7, 1)
    assert default_since(years[-2:], dt.date(2026, 10, 31)) == dt.date(2023, 7, 1)
    assert default_since([], dt.date(2026, 10, 31)) == dt.date(2022, 11, 1)
    assert default_since(years[-1:], dt.date(2026, 10, 31)) == dt.date(2023, 7, 1)


@pytest.mark.parametrize(("options", "message"), [
    ({"since": "2026-13"}, "sources.pennylane.since » : un mois AAAA-MM est attendu"),
    ({"since": "2026-05", "until": "2026-04"}, "postérieur à la fin"),
    ({"datasets": ["deals"]}, "sources.pennylane.datasets » : une liste parmi entries, invoices"),
    ({"include_drafts": "peut-être"}, "true ou false attendu"),
    ({"timeout": 0}, "un nombre de secondes positif"),
])
def test_bad_options_fail_before_any_call(options: dict[str, Any], message: str, tmp_path: Path) -> None:
    """Each bad option is a ConfigError naming its key, raised before any request."""
    settings = {"token": TOKEN, "base_url": "http://127.0.0.1:9", **options}
    with pytest.raises(ConfigError, match=message):
        load(PennylaneSource("pennylane", settings, tmp_path))


def test_fec_export_is_asynchronous(emulator: PennylaneEmulator, fake_time: FakeTime) -> None:
    """POST /exports/fecs → pending, then ready with an expiring file_url serving a FEC text file."""
    with httpx.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        created = client.post(f"{PREFIX}/exports/fecs", json={"period_start": "2026-01-01", "period_end": "2026-01-31"})
        export = created.json()
        polls = [client.get(f"{PREFIX}/exports/fecs/{export['id']}").json() for _ in range(2)]
        fec = httpx.get(polls[1]["file_url"])
        fake_time.now += 1801
        expired = httpx.get(polls[1]["file_url"])
    assert created.status_code == 201 and export["status"] == "pending"
    assert [p["status"] for p in polls] == ["pending", "ready"] and polls[0]["file_url"] is None
    lines = fec.text.splitlines()
    assert lines[0].startswith("JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum")
    assert len(lines) - 1 == len(lines_between(emulator, "2026-01-01", "2026-01-31"))
    assert expired.status_code == 403


# ---------------------------------------------------------------- end to end


def pennylane_config(folder: Path, base_url: str) -> Path:
    """The demo config with Pennylane for entries and invoices and the demo source for the rest."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    sources = (
        "[sources.pennylane]\n"
        'type = "pennylane"\n'
        f'base_url = "{base_url}"\n'
        'token = { env = "PENNYLANE_TOKEN" }\n'
        "deal_reference = true\n\n"
        "[sources.demo]\n"
        'type = "demo"\n'
        'datasets = ["deals", "ops_metrics", "budget", "loans", "marketing"]\n'
    )
    assert '[sources.demo]\ntype = "demo"\n' in text
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DEMO_CONFIG.parent / "commentaires", folder / "commentaires")
    path = folder / "boardpack.toml"
    path.write_text(text.replace('[sources.demo]\ntype = "demo"\n', sources), encoding="utf-8")
    return path


def test_kpis_and_pack_from_the_emulator_equal_the_demo(emulator: PennylaneEmulator, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, demo_build: Any) -> None:
    """Every KPI for 2026-10 (month and YTD) from Pennylane + demo equals the plain demo's; the four
    packs' HTML is the demo's, figure for figure; the dirigeant pack builds into a PDF."""
    monkeypatch.setenv("PENNYLANE_TOKEN", TOKEN)
    config = load_config(pennylane_config(tmp_path / "societe", emulator.base_url))
    session = load_inputs(config, refresh=True, period=OCT_2026)
    assert session.providers["entries"] == session.providers["invoices"] == "pennylane"
    assert list(session.findings) == []
    assert list(session.fiscal_years) == [(Month(y, 1), Month(y, 12)) for y in (2023, 2024, 2025, 2026)]
    demo = load_inputs(load_config(DEMO_CONFIG))
    ours, theirs = make_engine(session), make_engine(demo)
    compared, different = 0, []
    for kpi_id, kpi in sorted(get_registry().kpis.items()):
        for window in ("month", "ytd"):
            got, expected = ours.result(kpi, OCT_2026, window), theirs.result(kpi, OCT_2026, window)
            if (got.value, got.reason) != (expected.value, expected.reason):
                different.append((kpi_id, window, got.value, got.reason, expected.value, expected.reason))
            compared += expected.value is not None
    assert different == []
    assert compared > 50
    fetched = len(emulator.requests)
    assert build(config, period=OCT_2026, write=False).html == demo_build.html
    result = build(config, period=OCT_2026, audiences=["dirigeant"], out_dir=tmp_path / "out", parallel=False)
    assert result.paths["dirigeant"].read_bytes().startswith(b"%PDF")
    assert len(emulator.requests) == fetched  # built offline from the snapshot the session wrote

