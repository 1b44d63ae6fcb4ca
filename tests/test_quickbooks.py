"""The ``quickbooks`` source against the QuickBooks Online emulator (tests/emulators/quickbooks.py).

Covers the connectors.md §4 checklist: query paging (STARTPOSITION/MAXRESULTS ≤ 1000,
filters re-sent, empty ``{"QueryResponse":{}}``), reports (nested sections, empty cells,
``NoReportData``), faults (200 with ``Fault``, 401 lowercase envelope, 429 ThrottleExceeded
without Retry-After, 5xx), OAuth (expiry before and during a fetch, rotation persisted,
one refresh across processes, ``invalid_grant``), and the end-to-end check: KPIs from the
emulator equal those from a CSV of the same data aggregated the way the API gives it.

The recorded ``NoReportData`` ProfitAndLoss body is quoted from connectors.md §2.4
(minimul/qbo_api ``spec/vcr/reports/profit_and_loss.yml``, an Intuit sandbox recording).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
import shutil
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import DEMO_CONFIG
from emulators.base import Response, demo_datasets
from emulators.quickbooks import QuickBooksEmulator, fault_in_200, throttled

from boardpack.api import LoadRequest
from boardpack.build import build, load_inputs, make_engine
from boardpack.config import load_config
from boardpack.connectors import http
from boardpack.connectors.http import ApiError
from boardpack.connectors.oauth import (
    Tokens,
    TokenStore,
    read_tokens,
    tokens_from_response,
    write_tokens,
)
from boardpack.default_plugins.sources.quickbooks.client import Finding, QuickBooksClient
from boardpack.default_plugins.sources.quickbooks.mapping import (account_amounts, accounts_by_id, journal_flows,
                                                                  ledger_entries)
from boardpack.default_plugins.sources.quickbooks.reports import Report
from boardpack.default_plugins.sources.quickbooks.source import QuickBooksSource
from boardpack.errors import ConfigError, DataError
from boardpack.periods import Month
from boardpack.plugins import get_registry

OTHERS = ["budget", "deals", "loans", "marketing", "ops_metrics"]
NOW = dt.datetime(2026, 11, 21, 3, 0, tzinfo=dt.UTC)
NO_REPORT_DATA = {
    "Header": {"Time": "2020-09-29T08:13:54-07:00", "ReportName": "ProfitAndLoss", "ReportBasis": "Accrual",
               "StartPeriod": "2015-01-01", "EndPeriod": "2015-07-31", "SummarizeColumnsBy": "Customers",
               "Currency": "USD", "Customer": "1",
               "Option": [{"Name": "AccountingStandard", "Value": "GAAP"}, {"Name": "NoReportData", "Value": "true"}]},
    "Columns": {"Column": [{"ColTitle": "", "ColType": "Account", "MetaData": [{"Name": "ColKey", "Value": "account"}]},
                           {"ColTitle": "TOTAL", "ColType": "Money", "MetaData": [{"Name": "ColKey", "Value": "total"}]}]},
    "Rows": {"Row": [
        {"Header": {"ColData": [{"value": "Income"}, {"value": ""}]},
         "Summary": {"ColData": [{"value": "Total Income"}, {"value": ""}]}, "type": "Section", "group": "Income"},
        {"Summary": {"ColData": [{"value": "Gross Profit"}, {"value": ""}]}, "type": "Section", "group": "GrossProfit"},
        {"Header": {"ColData": [{"value": "Expenses"}, {"value": ""}]},
         "Summary": {"ColData": [{"value": "Total Expenses"}, {"value": ""}]}, "type": "Section", "group": "Expenses"},
        {"Summary": {"ColData": [{"value": "Net Operating Income"}, {"value": ""}]}, "type": "Section",
         "group": "NetOperatingIncome"},
        {"Summary": {"ColData": [{"value": "Net Income"}, {"value": ""}]}, "type": "Section", "group": "NetIncome"}]},
}


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait of the HTTP layer, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "pause", recorded.append)
    return recorded


@pytest.fixture
def emulator() -> Iterator[QuickBooksEmulator]:
    """A fresh emulator (the demo data is converted once per session)."""
    with QuickBooksEmulator() as running:
        yield running


def token_file(emulator: QuickBooksEmulator, folder: Path, **changes: Any) -> Path:
    """A token file as after connecting the app (``changes`` override fields)."""
    path = folder / "jetons" / "quickbooks.json"
    tokens = tokens_from_response(emulator.issue_tokens(), dt.datetime.now(dt.UTC))
    write_tokens(path, Tokens(**{**tokens.__dict__, **changes}))
    return path


def options(emulator: QuickBooksEmulator, path: Path, **more: Any) -> dict[str, Any]:
    """The source options pointing at the emulator."""
    return {"realm_id": emulator.realm, "client_id": emulator.client_id, "client_secret": emulator.client_secret,
            "token_file": str(path), "base_url": emulator.base_url,
            "token_url": f"{emulator.base_url}/oauth2/v1/tokens/bearer", **more}


def store(emulator: QuickBooksEmulator, path: Path) -> TokenStore:
    """A token store on ``path`` using the emulator's token endpoint."""
    return TokenStore(path, emulator.client_id, emulator.client_secret,
                      token_url=f"{emulator.base_url}/oauth2/v1/tokens/bearer")


@pytest.fixture
def client(emulator: QuickBooksEmulator, tmp_path: Path, waits: list[float]) -> Iterator[QuickBooksClient]:
    """A client authenticated through a token store."""
    tokens = store(emulator, token_file(emulator, tmp_path))
    with QuickBooksClient(emulator.base_url, emulator.realm, auth=tokens.headers, refresh=tokens.refresh) as api:
        yield api
    tokens.close()


def restricted_entries() -> pd.DataFrame:
    """The demo ledger as the reports give it: opening balances, then each account's net per month.

    Written independently of the connector (pandas on the demo entries), the reference the
    emulator's figures must reproduce.
    """
    entries = demo_datasets()["entries"]
    opening = entries["journal"] == "AN"
    rows = []
    for account, net in (entries[opening]["debit"] - entries[opening]["credit"]).groupby(entries["account"]).sum().items():
        rows.append(("2023-01-01", "AN", "AN-2023-01", account, int(net)))
    moves = entries[~opening]
    nets = (moves["debit"] - moves["credit"]).groupby([moves["date"].dt.to_period("M"), moves["account"]]).sum()
    for (month, account), net in nets.items():
        rows.append((month.end_time.date().isoformat(), "QBO", f"QBO-{month}", account, int(net)))
    frame = pd.DataFrame(rows, columns=["date", "journal", "entry_id", "account", "net"])
    frame = frame[frame["net"] != 0]
    return frame.assign(debit=frame["net"].clip(lower=0), credit=(-frame["net"]).clip(lower=0)).drop(columns="net")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[QuickBooksSource, dict[str, pd.DataFrame], QuickBooksEmulator]]:
    """One full load of the emulator (until 2026-10), shared by the mapping tests."""
    folder = tmp_path_factory.mktemp("qbo")
    with pytest.MonkeyPatch.context() as patch, QuickBooksEmulator() as running:
        patch.setattr(http, "pause", lambda seconds: None)
        source = QuickBooksSource("compta", options(running, token_file(running, folder), until="2026-10"), folder)
        yield source, source.load(LoadRequest(get_registry().datasets)), running


# ----------------------------------------------------------------------------- query endpoint


def test_query_pages_to_the_last_page_resending_the_filter(client: QuickBooksClient, emulator: QuickBooksEmulator) -> None:
    """Invoices come page by page (STARTPOSITION 1, 1001…, MAXRESULTS 1000) until a short page, WHERE on each."""
    where = "TxnDate >= '2022-01-01' AND TxnDate <= '2026-10-31'"
    rows = client.query("Invoice", where)
    assert len(rows) == len(emulator.entities["Invoice"]) == 3095
    queries = [r.arg("query") for r in emulator.requests if r.path.endswith("/query")]
    assert [q.split("STARTPOSITION ")[1] for q in queries] == [f"{s} MAXRESULTS 1000" for s in (1, 1001, 2001, 3001)]
    assert all(where in q for q in queries)
    assert len({r["Id"] for r in rows}) == len(rows)
    assert client.get("query", {"query": f"SELECT COUNT(*) FROM Invoice WHERE {where}"}) \
        ["QueryResponse"]["totalCount"] == 3095


def test_every_call_sends_accept_json_and_minorversion(client: QuickBooksClient, emulator: QuickBooksEmulator) -> None:
    """Accept: application/json (else QuickBooks answers XML) and minorversion=75 on every API call."""
    client.company_info()
    client.query("Account", "Active IN (true, false)")
    api = [r for r in emulator.requests if r.path.startswith("/v3/")]
    assert api and all(r.header("accept") == "application/json" and r.arg("minorversion") == "75" for r in api)


def test_empty_query_response_is_an_empty_list(client: QuickBooksClient) -> None:
    """``{"QueryResponse":{}}`` (no credit memo) is no rows, not an error."""
    assert client.query("CreditMemo") == []


def test_maxresults_above_1000(client: QuickBooksClient, emulator: QuickBooksEmulator) -> None:
    """A page of more than 1000 rows is refused before the call; the server's 400 is a clear error too."""
    with pytest.raises(ConfigError, match="de 1 à 1000"):
        client.query("Invoice", page_size=2000)
    with pytest.raises(ApiError) as caught:
        client.get("query", {"query": "SELECT * FROM Invoice STARTPOSITION 1 MAXRESULTS 2000"})
    assert caught.value.status == 400 and "4001" in str(caught.value) and "\n" not in str(caught.value)


def test_inactive_accounts_are_read(client: QuickBooksClient, emulator: QuickBooksEmulator) -> None:
    """An archived account (616000) still has amounts in the reports: the account query includes inactive ones."""
    active = client.query("Account")
    every = client.query("Account", "Active IN (true, false)")
    assert "616000" not in {a.get("AcctNum") for a in active}
    assert "616000" in {a.get("AcctNum") for a in every}


# ----------------------------------------------------------------------------- faults and retries


def test_fault_in_a_200_is_an_error(client: QuickBooksClient, emulator: QuickBooksEmulator) -> None:
    """A 200 whose body is a ``Fault`` raises, naming the fault."""
    emulator.inject(fault_in_200())
    with pytest.raises(ApiError) as caught:
        client.report("ProfitAndLoss", start_date="2026-01-01", end_date="2026-01-31", summarize_column_by="Month")
    text = str(caught.value)
    assert text.startswith("QuickBooks : GET /v3/company/") and "réponse 200" in text and "SystemFault 10000" in text


def test_throttled_then_success_with_backoff(client: QuickBooksClient, emulator: QuickBooksEmulator,
                                             waits: list[float]) -> None:
    """Two 429 ThrottleExceeded (no Retry-After) then success: two backoff waits, within the jitter bounds."""
    emulator.inject(throttled(), times=2)
    assert client.company_info()["CompanyName"] == emulator.company_name
    assert len(waits) == 2 and 0 <= waits[0] <= 8 and 0 <= waits[1] <= 16


def test_emulator_rate_limit_is_waited_out(client: QuickBooksClient, emulator: QuickBooksEmulator,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the per-minute quota, the client backs off until the emulator's window has moved on."""
    monkeypatch.setattr(http, "pause", emulator.advance)
    monkeypatch.setattr(http.random, "uniform", lambda low, high: high)
    emulator.limit_per_minute = 2
    for _ in range(3):
        client.company_info()
    statuses = len([r for r in emulator.requests if r.path.startswith("/v3/")])
    assert statuses > 3 and emulator.skew >= 60


def test_server_error_then_success(client: QuickBooksClient, emulator: QuickBooksEmulator, waits: list[float]) -> None:
    """A 503 is retried once, after one wait."""
    emulator.inject(Response(503, "Service Unavailable"))
    assert client.query("CreditMemo") == [] and len(waits) == 1


def test_persistent_server_error_is_one_clear_sentence(client: QuickBooksClient, emulator: QuickBooksEmulator,
                                                      waits: list[float]) -> None:
    """Six 503 in a row: one French sentence with provider, endpoint, status and what to do."""
    emulator.inject(Response(503, "Service Unavailable"), times=6)
    with pytest.raises(ApiError) as caught:
        client.report("BalanceSheet", start_date="2026-01-01", end_date="2026-01-31", summarize_column_by="Month")
    assert str(caught.value) == (f"QuickBooks : GET /v3/company/{emulator.realm}/reports/BalanceSheet a répondu 503 "
                                 "après 6 tentatives (Service Unavailable) ; le service est indisponible, réessayez plus tard")
    assert len(waits) == 5


def test_refused_fixed_token_is_one_line_without_the_token(emulator: QuickBooksEmulator, tmp_path: Path) -> None:
    """A 401 (lowercase ``fault.error`` + WWW-Authenticate) with a fixed token: clear error, no token in it."""
    token = "eyJ" + "x" * 60
    source = QuickBooksSource("compta", {"realm_id": emulator.realm, "token": token, "base_url": emulator.base_url},
                              tmp_path)
    with pytest.raises(ApiError) as caught:
        source.check()
    text = str(caught.value)
    assert caught.value.status == 401 and "authentification refusée" in text and "AuthenticationFailed" in text
    assert token not in text and token[:40] not in text and "\n" not in text


def test_another_realm_is_refused(emulator: QuickBooksEmulator, tmp_path: Path, waits: list[float]) -> None:
    """A wrong realm_id gets the 403 ApplicationAuthorizationFailed, with what to check."""
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), realm_id="123"), tmp_path)
    with pytest.raises(ApiError, match="a répondu 403 .*ApplicationAuthorizationFailed.* vérifiez realm_id"):
        source.check()


# ----------------------------------------------------------------------------- OAuth


def test_token_expiring_mid_fetch_is_refreshed_once_and_rotated(emulator: QuickBooksEmulator, tmp_path: Path,
                                                                waits: list[float]) -> None:
    """The access token dies after 3 calls: one 401, one refresh, the new tokens saved (0600) before use."""
    path = token_file(emulator, tmp_path)
    before = read_tokens(path)
    emulator.expire_token_after(3)
    source = QuickBooksSource("compta", options(emulator, path, since="2023-01", until="2023-03",
                                                datasets=["entries"]), tmp_path)
    entries = source.load(LoadRequest(get_registry().datasets))["entries"]
    assert len(entries) and emulator.refreshes == 1
    after = read_tokens(path)
    assert after.refresh_token != before.refresh_token and after.access_token != before.access_token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.endswith((".tmp", ".part"))]
    refused = [r for r in emulator.requests if r.header("authorization") == f"Bearer {before.access_token}"]
    assert len(refused) == 4  # three served, the fourth refused then retried with the new token


def test_expired_access_token_is_refreshed_before_the_call(emulator: QuickBooksEmulator, tmp_path: Path) -> None:
    """An access token expiring within the margin is refreshed first: no 401 is ever seen."""
    path = token_file(emulator, tmp_path, access_token_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
    stale = read_tokens(path).access_token
    tokens = store(emulator, path)
    try:
        assert tokens.access_token() != stale and emulator.refreshes == 1
        assert tokens.access_token() == read_tokens(path).access_token and emulator.refreshes == 1
    finally:
        tokens.close()


def test_concurrent_refreshes_make_one_call(emulator: QuickBooksEmulator, tmp_path: Path) -> None:
    """Two processes (two stores on one file) find the token expired at once: one refresh, same new token."""
    path = token_file(emulator, tmp_path, access_token_expires_at=dt.datetime.now(dt.UTC))
    stores = [store(emulator, path), store(emulator, path)]
    barrier = threading.Barrier(2)
    got: list[str] = []

    def run(one: TokenStore) -> None:
        barrier.wait()
        got.append(one.access_token())

    threads = [threading.Thread(target=run, args=(one,)) for one in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for one in stores:
        one.close()
    assert emulator.refreshes == 1 and len(set(got)) == 1 and got[0] == read_tokens(path).access_token


def test_revoked_refresh_token_says_reconnect(emulator: QuickBooksEmulator, tmp_path: Path,
                                              waits: list[float]) -> None:
    """The app was disconnected: 401, then ``invalid_grant`` → one sentence saying to reconnect, no token."""
    path = token_file(emulator, tmp_path)
    tokens = read_tokens(path)
    emulator.revoke()
    source = QuickBooksSource("compta", options(emulator, path), tmp_path)
    with pytest.raises(ApiError) as caught:
        source.load(LoadRequest(get_registry().datasets))
    text = str(caught.value)
    assert "invalid_grant" in text and "reconnectez l'application" in text and "\n" not in text
    assert tokens.refresh_token not in text and tokens.refresh_token[:12] not in text
    assert tokens.access_token[:40] not in text
    assert read_tokens(path) == tokens  # nothing overwritten


def test_refresh_answer_lost_after_rotation_is_not_resent(emulator: QuickBooksEmulator, tmp_path: Path,
                                                          waits: list[float]) -> None:
    """The endpoint rotates the refresh token then a proxy answers 502: the used refresh token is
    not sent again (it would get invalid_grant); the sentence says to retry later, reconnecting
    only if the refresh is then refused; the token file is left as it was."""
    path = token_file(emulator, tmp_path, access_token_expires_at=dt.datetime.now(dt.UTC))
    before = read_tokens(path)
    emulator.lose_refresh_answer(502)
    tokens = store(emulator, path)
    try:
        with pytest.raises(ApiError) as caught:
            tokens.access_token()
    finally:
        tokens.close()
    posts = [r for r in emulator.requests if r.method == "POST"]
    assert len(posts) == 1 and emulator.refreshes == 1 and waits == []
    text = str(caught.value)
    assert text.startswith("QuickBooks (OAuth) : POST /oauth2/v1/tokens/bearer a répondu 502")
    assert "réessayez plus tard" in text and "seulement si le jeton de renouvellement est alors refusé" in text
    assert before.refresh_token not in text and "\n" not in text
    assert read_tokens(path) == before


def test_unreachable_token_endpoint_is_retried_and_not_ambiguous(emulator: QuickBooksEmulator, tmp_path: Path,
                                                                  waits: list[float]) -> None:
    """Nothing listens at token_url: the refresh never left, so it is retried, and the sentence is
    the plain network one (no « peut-être abouti »)."""
    path = token_file(emulator, tmp_path, access_token_expires_at=dt.datetime.now(dt.UTC))
    with QuickBooksEmulator() as stopped:
        dead = f"{stopped.base_url}/oauth2/v1/tokens/bearer"
    tokens = TokenStore(path, emulator.client_id, emulator.client_secret, token_url=dead)
    try:
        with pytest.raises(ApiError) as caught:
            tokens.access_token()
    finally:
        tokens.close()
    text = str(caught.value)
    assert "est injoignable après 4 tentatives" in text and "vérifiez base_url" in text
    assert "peut-être" not in text and len(waits) == 3


def test_401_after_another_refresh_does_not_rotate_again(emulator: QuickBooksEmulator, tmp_path: Path,
                                                         waits: list[float]) -> None:
    """A call sent with the old token is refused while another thread already refreshed: the
    client passes the refused token to the store, which uses the new one without a second rotation."""
    path = token_file(emulator, tmp_path)
    tokens = store(emulator, path)
    first = [True]

    def auth() -> dict[str, str]:
        headers = tokens.headers()
        if first[0]:  # another thread refreshes between this call's headers and its 401
            first[0] = False
            tokens.refresh()
        return headers

    emulator.inject(Response(401, {"fault": {"error": [{"message": "expired", "code": "3200"}], "type": "AUTHENTICATION"}}),
                    when=lambda r: "/companyinfo/" in r.path)
    try:
        with QuickBooksClient(emulator.base_url, emulator.realm, auth=auth, refresh=tokens.refresh) as api:
            assert api.company_info()["CompanyName"]
    finally:
        tokens.close()
    assert emulator.refreshes == 1
    calls = [r for r in emulator.requests if "/companyinfo/" in r.path]
    assert calls[-1].header("authorization") == f"Bearer {read_tokens(path).access_token}"


def test_refresh_is_retried_when_the_endpoint_was_not_reached(emulator: QuickBooksEmulator, tmp_path: Path,
                                                              waits: list[float]) -> None:
    """A 429 from the token endpoint acted on nothing: the refresh is sent again and succeeds."""
    path = token_file(emulator, tmp_path, access_token_expires_at=dt.datetime.now(dt.UTC))
    emulator.inject(Response(429, {"error": "throttled"}), when=lambda r: r.path.endswith("/tokens/bearer"))
    tokens = store(emulator, path)
    try:
        assert tokens.access_token() == read_tokens(path).access_token
    finally:
        tokens.close()
    assert emulator.refreshes == 1 and len(waits) == 1


def test_first_token_file_from_the_playground_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m boardpack.connectors.oauth FILE < reponse.json`` writes a private token file."""
    from io import StringIO

    from boardpack.connectors import oauth

    answer = {"token_type": "bearer", "expires_in": 3600, "refresh_token": "AB11" + "r" * 40,
              "x_refresh_token_expires_in": 8726400, "access_token": "eyJ" + "a" * 40}
    monkeypatch.setattr("sys.stdin", StringIO(json.dumps(answer)))
    target = tmp_path / "cfg" / "quickbooks.json"
    assert oauth.main([str(target)]) == 0
    tokens = read_tokens(target)
    assert tokens.refresh_token == answer["refresh_token"] and tokens.access_token_expires_at is not None
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "AB11" not in capsys.readouterr().out


def test_token_file_checks(emulator: QuickBooksEmulator, tmp_path: Path) -> None:
    """The token file must exist, be private (0600) and live outside any Git repository."""
    path = token_file(emulator, tmp_path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        read_tokens(path)
    (tmp_path / ".git").mkdir()
    with pytest.raises(ConfigError, match="hors de tout dépôt"):
        QuickBooksSource("compta", options(emulator, path), tmp_path).token_path()
    with pytest.raises(ConfigError, match="introuvable"):
        read_tokens(tmp_path / "absent.json")


def test_refresh_token_only_file_bootstraps(emulator: QuickBooksEmulator, tmp_path: Path) -> None:
    """A file holding just the refresh token (from the OAuth Playground) is refreshed at first use."""
    refresh = emulator.issue_tokens()["refresh_token"]
    path = tmp_path / "qbo.json"
    path.write_text(json.dumps({"refresh_token": refresh}), encoding="utf-8")
    path.chmod(0o600)
    tokens = store(emulator, path)
    try:
        assert tokens.access_token() and read_tokens(path).refresh_token != refresh
    finally:
        tokens.close()


# ----------------------------------------------------------------------------- reports and mapping


def test_no_report_data_recording_parses_to_nothing() -> None:
    """The recorded ``NoReportData`` ProfitAndLoss: sections without values, no amount."""
    report = Report.parse("ProfitAndLoss", NO_REPORT_DATA)
    assert report.no_data and report.months == (None,)
    assert account_amounts(report, {}) == ({}, {})
    assert report.find("NetIncome") is not None and report.value(report.find("NetIncome"), Month(2015, 1)) == 0


def test_fetch_starting_before_the_company(emulator: QuickBooksEmulator, tmp_path: Path, waits: list[float]) -> None:
    """From 2022-01 the first year has ``NoReportData``; the opening balances then arrive as December's movements."""
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), since="2022-01",
                                                until="2023-01", datasets=["entries"]), tmp_path)
    entries = source.load(LoadRequest(get_registry().datasets))["entries"]
    assert set(entries["entry_id"]) == {"QBO-2022-12", "QBO-2023-01"}
    reference = restricted_entries()
    december = entries[entries["entry_id"] == "QBO-2022-12"].set_index("account")[["debit", "credit"]]
    opening = reference[reference["journal"] == "AN"].set_index("account")[["debit", "credit"]]
    pd.testing.assert_frame_equal(december.sort_index(), opening.sort_index(), check_names=False,
                                  check_index_type=False, check_dtype=False)


def test_nested_sections_are_read_once(client: QuickBooksClient, emulator: QuickBooksEmulator) -> None:
    """Accounts nested three deep, a parent with its own amount (310000 over 355000): each counted once."""
    accounts = accounts_by_id(client.query("Account", "Active IN (true, false)"))
    report = client.report("BalanceSheet", start_date="2025-03-01", end_date="2025-03-31", summarize_column_by="Month")
    depth = {row.label: len(row.groups) for row in report.rows if not row.summary}
    assert depth["355000 Stocks de produits finis et en-cours"] == 4  # TotalAssets › Current › Other › 310000
    assert depth["310000 Stocks de matières premières"] == 4  # the parent's own balance, inside its section
    balances, _ = account_amounts(report, accounts)
    by_number = {accounts[i].number: v for i, v in balances[Month(2025, 3)].items()}
    for number in ("310000", "355000", "401000"):
        assert by_number[number] == emulator.balance(number, Month(2025, 3))
    pl = client.report("ProfitAndLoss", start_date="2025-03-01", end_date="2025-03-31", summarize_column_by="Month")
    assert max(len(row.groups) for row in pl.rows if not row.summary) == 3  # Expenses › Charges externes › 61
    amounts = account_amounts(pl, accounts)[0][Month(2025, 3)]
    assert {accounts[i].number: v for i, v in amounts.items()} == {
        a: v[Month(2025, 3)] for a, v in emulator.monthly.items() if a[0] in "67" and v.get(Month(2025, 3))}


def test_french_column_titles_without_metadata_are_months() -> None:
    """Columns « déc. 2025 », « janv. 2026 », « févr. 2026 » and « Total » without metadata: three months
    and a total; a title naming no single month (« jui 2026 ») is not taken for one."""
    columns = [{"ColTitle": "", "ColType": "Account"}] + [
        {"ColTitle": title, "ColType": "Money"} for title in ("déc. 2025", "janv. 2026", "févr. 2026", "Total")]
    row = {"ColData": [{"value": "706000 Prestations", "id": "7"}, {"value": "10.00"}, {"value": ""},
                       {"value": "30.50"}, {"value": "40.50"}], "type": "Data"}
    report = Report.parse("ProfitAndLoss", {"Columns": {"Column": columns},
                                            "Rows": {"Row": [{"type": "Section", "group": "Income",
                                                              "Rows": {"Row": [row]}}]}})
    assert report.months == (Month(2025, 12), Month(2026, 1), Month(2026, 2), None)
    assert report.rows[0].values == (Decimal("10.00"), None, Decimal("30.50"), Decimal("40.50"))
    odd = Report.parse("ProfitAndLoss", {"Columns": {"Column": [columns[0], {"ColTitle": "jui 2026", "ColType": "Money"}]}})
    assert odd.months == (None,)


def test_stitched_parts_put_months_side_by_side() -> None:
    """Two parts (Jan–Feb with a total, Mar with a total): three month columns, totals left out; an
    account only in the second part has empty cells in the first months."""
    def part(months: list[tuple[str, str]], rows: list[tuple[str, str, list[str]]]) -> Report:
        columns = [{"ColTitle": "", "ColType": "Account"}] + [
            {"ColTitle": title, "ColType": "Money", "MetaData": [{"Name": "StartDate", "Value": start}]}
            for title, start in months] + [{"ColTitle": "Total", "ColType": "Money"}]
        data = [{"ColData": [{"value": label, "id": ident}, *[{"value": v} for v in values]], "type": "Data"}
                for label, ident, values in rows]
        return Report.parse("ProfitAndLoss", {"Columns": {"Column": columns}, "Rows": {"Row": [
            {"type": "Section", "group": "Income", "Rows": {"Row": data}}]}})

    first = part([("Jan 2026", "2026-01-01"), ("Feb 2026", "2026-02-01")], [("Ventes", "1", ["1.00", "2.00", "3.00"])])
    second = part([("Mar 2026", "2026-03-01")], [("Ventes", "1", ["4.00", "4.00"]), ("Services", "2", ["5.00", "5.00"])])
    stitched = Report.stitch([first, second])
    assert stitched.months == (Month(2026, 1), Month(2026, 2), Month(2026, 3))
    assert [(r.label, r.values) for r in stitched.rows] == [
        ("Ventes", (Decimal("1.00"), Decimal("2.00"), Decimal("4.00"))),
        ("Services", (None, None, Decimal("5.00")))]


def test_french_titled_reports_load_like_the_english_ones(emulator: QuickBooksEmulator, tmp_path: Path,
                                                         waits: list[float]) -> None:
    """A company whose reports carry French month titles and no column metadata: from November 2025 to
    February 2026 the entries equal the reference ledger (the months across the new year read right)."""
    emulator.column_titles = "french"
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), since="2025-11",
                                                until="2026-02", datasets=["entries"]), tmp_path)
    entries = source.load(LoadRequest(get_registry().datasets))["entries"]
    moves = entries[entries["journal"] == "QBO"]
    ours = moves.assign(net=moves["debit"] - moves["credit"]).groupby(["entry_id", "account"])["net"].sum()
    reference = restricted_entries()
    reference = reference[reference["entry_id"].isin(["QBO-2025-11", "QBO-2025-12", "QBO-2026-01", "QBO-2026-02"])]
    expected = reference.assign(net=reference["debit"] - reference["credit"]).groupby(["entry_id", "account"])["net"].sum()
    pd.testing.assert_series_equal(ours[ours != 0].sort_index(), expected[expected != 0].sort_index(),
                                   check_dtype=False, check_names=False)
    titles = [c["ColTitle"] for c in emulator.report("ProfitAndLoss", {"start_date": "2025-12-01", "end_date":
              "2026-01-31", "summarize_column_by": "Month"}).body["Columns"]["Column"]]
    assert titles == ["", "déc. 2025", "janv. 2026", "Total"]


def test_reports_are_asked_six_months_at_a_time(emulator: QuickBooksEmulator, tmp_path: Path,
                                                waits: list[float]) -> None:
    """From January 2025 to October 2026, each monthly report is asked in spans of at most six months
    (the emulator refuses more), stitched back into the months asked."""
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), since="2025-01",
                                                until="2026-10", datasets=["entries"]), tmp_path)
    entries = source.load(LoadRequest(get_registry().datasets))["entries"]
    asked = [(r.arg("start_date"), r.arg("end_date")) for r in emulator.requests
             if r.path.endswith("/reports/ProfitAndLoss")]
    assert asked == [("2025-01-01", "2025-06-30"), ("2025-07-01", "2025-12-31"),
                     ("2026-01-01", "2026-06-30"), ("2026-07-01", "2026-10-31")]
    balance = [(r.arg("start_date"), r.arg("end_date")) for r in emulator.requests
               if r.path.endswith("/reports/BalanceSheet")]
    assert balance[0] == ("2024-12-01", "2025-05-31") and len(balance) == 4
    assert set(entries["entry_id"]) == {"AN-2025-01"} | {f"QBO-{Month(2025, 1).shift(n)}" for n in range(22)}
    token = emulator.issue_tokens()["access_token"]
    with QuickBooksClient(emulator.base_url, emulator.realm, auth=lambda: {"Authorization": f"Bearer {token}"}) as api, \
            pytest.raises(ApiError, match="ask at most 6 months"):  # twelve months in one request: refused
        api.get("reports/ProfitAndLoss", {"start_date": "2025-01-01", "end_date": "2025-12-31",
                                          "summarize_column_by": "Month"})


def test_number_contradicting_its_class_is_set_aside_with_a_finding() -> None:
    """A US-style number (4000 for income) no longer stops the source: the account maps by its type and
    one finding lists it with the way out; without a findings list the finding is logged."""
    raw = [{"Id": "79", "Name": "Sales", "AcctNum": "4000", "AccountType": "Income", "Classification": "Revenue"},
           {"Id": "35", "Name": "Checking", "AccountType": "Bank", "AccountSubType": "Checking",
            "Classification": "Asset"},
           {"Id": "2", "Name": "Retained Earnings", "AccountType": "Equity", "AccountSubType": "RetainedEarnings",
            "Classification": "Equity"},
           {"Id": "9", "Name": "Rent", "AccountType": "Expense", "AccountSubType": "RentOrLeaseOfBuildings",
            "Classification": "Expense"}]
    findings: list[Finding] = []
    mapped = {a.name: a.number for a in accounts_by_id(raw, findings=findings).values()}
    assert mapped == {"Sales": "706000", "Checking": "512000", "Retained Earnings": "110000", "Rent": "613200"}
    assert [f.code for f in findings] == ["quickbooks_account_number"]
    assert str(findings[0]) == (
        "QuickBooks : 1 numéro(s) de compte ne commencent pas par un compte du PCG de leur classe et sont "
        "remplacés par la correspondance par type de compte : « Sales » (Id 79, 4000, Revenue) → 706000 ; "
        "corrigez-les dans QuickBooks, ou mettez account_numbers = false si le plan n'est pas numéroté selon le PCG")
    assert {a.name: a.number for a in accounts_by_id(raw, use_numbers=False).values()} == mapped


def test_alphanumeric_numbers_map_by_their_pcg_digits() -> None:
    """QuickBooks France numbers: 512BNP → 512, 411CLI01 → 411, 6061EAU → 6061; no number → by type;
    a type nothing maps goes to the suspense account with one finding naming the account."""
    raw = [{"Id": "1", "Name": "BNP", "AcctNum": "512BNP", "AccountType": "Bank", "Classification": "Asset"},
           {"Id": "2", "Name": "Client Dupont", "AcctNum": "411CLI01", "AccountType": "Accounts Receivable",
            "Classification": "Asset"},
           {"Id": "3", "Name": "Eau", "AcctNum": "6061EAU", "AccountType": "Expense", "Classification": "Expense"},
           {"Id": "4", "Name": "Fournisseurs", "AccountType": "Accounts Payable", "Classification": "Liability"},
           {"Id": "5", "Name": "Assurance", "AccountType": "Expense", "AccountSubType": "Insurance",
            "Classification": "Expense"},
           {"Id": "6", "Name": "Compte mystère", "AccountType": "Crypto Wallet", "Classification": "Asset"}]
    findings: list[Finding] = []
    mapped = {a.name: a.number for a in accounts_by_id(raw, findings=findings).values()}
    assert mapped == {"BNP": "512", "Client Dupont": "411", "Eau": "6061", "Fournisseurs": "401000",
                      "Assurance": "616000", "Compte mystère": "471000"}
    assert [str(f) for f in findings] == [
        "QuickBooks : le compte « Compte mystère » (Id 6, type « Crypto Wallet ») n'a ni numéro commençant par un "
        "compte du PCG ni type connu ; ses montants sont portés au compte d'attente 471000 ; donnez-lui dans "
        "QuickBooks un numéro de compte (AcctNum) commençant par son compte du PCG"]


def test_alphanumeric_chart_loads_without_stopping(emulator: QuickBooksEmulator, tmp_path: Path,
                                                   waits: list[float]) -> None:
    """The emulator numbers the bank 512BNP and the customers 411CLI01, gives 401000 and 164000 no
    number and adds an account of an unknown type: the source loads, the ledger is the reference
    one on accounts 512 and 411, and the account it could not place is a finding of the load."""
    emulator.renumber({"512100": "512BNP", "411000": "411CLI01", "401000": None, "164000": None},
                      [{"Id": "8888", "Name": "Compte mystère", "AccountType": "Crypto Wallet",
                        "Classification": "Asset", "Active": True}])
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), since="2026-01",
                                                until="2026-03", datasets=["entries"]), tmp_path)
    loaded = source.load(LoadRequest(get_registry().datasets))
    entries = loaded["entries"]
    assert any("Compte mystère" in str(f) and "471000" in str(f) for f in loaded.findings)
    moves = entries[entries["journal"] == "QBO"]
    ours = moves.assign(net=moves["debit"] - moves["credit"]).groupby(["entry_id", "account"])["net"].sum()
    reference = restricted_entries()
    reference = reference[reference["entry_id"].isin(["QBO-2026-01", "QBO-2026-02", "QBO-2026-03"])]
    renamed = reference.assign(account=reference["account"].replace({"512100": "512", "411000": "411"}),
                               net=reference["debit"] - reference["credit"])
    expected = renamed.groupby(["entry_id", "account"])["net"].sum()
    pd.testing.assert_series_equal(ours[ours != 0].sort_index(), expected[expected != 0].sort_index(),
                                   check_dtype=False, check_names=False)
    assert {"512", "411", "401000", "164000"} <= set(entries["account"])


def test_entries_are_the_monthly_aggregation(loaded: tuple[QuickBooksSource, dict[str, pd.DataFrame], Any]) -> None:
    """The entries hold the demo ledger's opening balances and each account's net per month; receivables
    and payables show the month's invoiced amounts as their debit/credit flows (the sales in an entry of
    their own with the revenue and the VAT invoiced), and the accounts the
    journal entries settle within the month (net pay 421, VAT 4457/4456) keep their flows."""
    source, datasets, _ = loaded
    entries = datasets["entries"]
    # each month's sales are an entry of their own (QBO-<month>-VT, for the DSO's sales entries): the
    # month's net per account is the sum of its two entries
    month_entry = entries["entry_id"].str.removesuffix("-VT")
    ours = entries.assign(date=entries["date"].dt.strftime("%Y-%m-%d"), net=entries["debit"] - entries["credit"],
                          entry_id=month_entry)
    ours = ours.groupby(["date", "journal", "entry_id", "account"], as_index=False)["net"].sum()
    sales = entries[entries["entry_id"].str.endswith("-VT") & (entries["account"] == "411000")]
    invoiced = datasets["invoices"].query("kind == 'sale'")
    by_month = invoiced.groupby(invoiced["issue_date"].dt.to_period("M"))["amount_incl_tax"].sum()
    assert (sales.groupby(sales["date"].dt.to_period("M"))["debit"].sum() == by_month.reindex(
        sales["date"].dt.to_period("M").unique()).fillna(0)).all()
    expected = restricted_entries()
    expected = expected.assign(net=expected["debit"] - expected["credit"]).drop(columns=["debit", "credit"])
    key = ["entry_id", "account"]
    pd.testing.assert_frame_equal(ours[ours["net"] != 0].sort_values(key).reset_index(drop=True),
                                  expected.sort_values(key).reset_index(drop=True), check_dtype=False)
    demo = demo_datasets()["entries"]
    for account, side in (("411000", "debit"), ("401000", "credit"), ("404000", "credit"), ("421000", "credit"),
                          ("421000", "debit"), ("431000", "credit"), ("445710", "credit"), ("445660", "debit"),
                          ("445620", "debit"), ("445510", "credit"), ("310000", "debit")):
        flows = [frame[frame["account"] == account].groupby(frame["date"].dt.to_period("M"))[side].sum()
                 for frame in (entries[entries["journal"] == "QBO"], demo[demo["journal"] != "AN"])]
        pd.testing.assert_series_equal(flows[0][flows[0] != 0], flows[1][flows[1] != 0], check_names=False)
    assert datasets.fiscal_years[0] == (Month(2023, 1), Month(2023, 12)) and list(datasets.findings) == []


def test_journal_entries_split_the_monthly_movement() -> None:
    """Hand-computed: payroll of 1 000 gross, 780 net, 470 contributions (220 + 250 employer) booked
    by a JournalEntry; net pay paid in the month (421 nets to 0), contributions the month after.
    421 shows 780 at credit and 780 at debit; 431 shows its 470 credit; 641/645 their charges; the
    bank only its net movement; a line without posting type stops the source naming the entry."""
    chart = accounts_by_id([
        {"Id": "1", "Name": "Banque", "AcctNum": "512000", "AccountType": "Bank", "Classification": "Asset"},
        {"Id": "2", "Name": "Rémunérations dues", "AcctNum": "421000", "AccountType": "Other Current Liability",
         "Classification": "Liability"},
        {"Id": "3", "Name": "Urssaf", "AcctNum": "431000", "AccountType": "Other Current Liability",
         "Classification": "Liability"},
        {"Id": "4", "Name": "Salaires", "AcctNum": "641000", "AccountType": "Expense", "Classification": "Expense"},
        {"Id": "5", "Name": "Charges sociales", "AcctNum": "645000", "AccountType": "Expense", "Classification": "Expense"},
        {"Id": "6", "Name": "Capital", "AcctNum": "101000", "AccountType": "Equity", "Classification": "Equity"},
    ], findings=[])

    def line(posting: str, account: str, amount: str) -> dict[str, Any]:
        return {"Amount": Decimal(amount), "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": {"PostingType": posting, "AccountRef": {"value": account}}}

    payroll = {"Id": "7", "DocNumber": "PAIE-10", "TxnDate": "2026-10-31", "Line": [
        line("Debit", "4", "1000.00"), line("Debit", "5", "250.00"), line("Credit", "2", "780.00"),
        line("Credit", "3", "470.00")]}
    journals = journal_flows([payroll], chart)
    assert journals == {Month(2026, 10): {"4": (100000, 0), "5": (25000, 0), "2": (0, 78000), "3": (0, 47000)}}
    september, october = Month(2026, 9), Month(2026, 10)
    balances = {september: {"1": 500000, "6": -500000}, october: {"1": 422000, "3": -47000, "6": -500000}}
    pl = {october: {"4": 100000, "5": 25000}}
    rows = ledger_entries(pl, balances, {september: 0, october: -125000}, chart, [october], None, journals)
    moves = [(r["account"], r["debit"], r["credit"]) for r in rows if r["journal"] == "QBO"]
    assert moves == [("421000", "0.00", "780.00"), ("421000", "780.00", "0.00"), ("431000", "0.00", "470.00"),
                     ("512000", "0.00", "780.00"), ("641000", "1000.00", "0.00"), ("645000", "250.00", "0.00")]
    with pytest.raises(DataError, match="PAIE-10 du 2026-10-31"):
        journal_flows([{**payroll, "Line": [{**line("Debit", "4", "1.00"), "JournalEntryLineDetail": {
            "AccountRef": {"value": "4"}}}]}], chart)


def test_invoices_equal_the_demo_invoices(loaded: tuple[QuickBooksSource, dict[str, pd.DataFrame], Any]) -> None:
    """Invoices and bills, paid dates from (grouped, partial) payments: the demo's, but the party id is QuickBooks'."""
    _, datasets, running = loaded
    demo = demo_datasets()["invoices"]
    ours = datasets["invoices"]
    columns = [c for c in demo.columns if c != "counterparty_id"]
    pd.testing.assert_frame_equal(ours[columns].sort_values("number").reset_index(drop=True),
                                  demo[columns].sort_values("number").reset_index(drop=True), check_dtype=False)
    split = [p for p in running.entities["Payment"] if len(p["Line"]) > 1]
    assert split  # several invoices settled by one payment
    assert set(ours["counterparty_id"]) == {p for (_, _), p in running.parties.items()}


def test_aged_report_disagreement_is_a_finding(emulator: QuickBooksEmulator, tmp_path: Path,
                                               waits: list[float]) -> None:
    """An aged receivables total that differs from the ledger and the open invoices gives two findings."""
    body = emulator.report("AgedReceivables", {"report_date": "2026-10-31"}).body
    body["Rows"]["Row"][-1]["Summary"]["ColData"][-1]["value"] = "1.00"
    emulator.inject(Response(200, body), when=lambda r: r.path.endswith("/AgedReceivables"))
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), since="2026-09",
                                                until="2026-10"), tmp_path)
    loaded = source.load(LoadRequest(get_registry().datasets))
    messages = [str(f) for f in loaded.findings]
    assert len(messages) == 2 and all("AgedReceivables au 31/10/2026 totalise 1,00 €" in m for m in messages)
    assert "le solde des comptes du bilan" in messages[0] and "les factures non réglées" in messages[1]


def test_applied_credit_memo_is_not_an_open_receivable(emulator: QuickBooksEmulator, tmp_path: Path,
                                                        waits: list[float]) -> None:
    """A credit memo applied to an invoice (balance 0, no payment) is not open: the aged receivables
    cross-check finds nothing (it counted the memo as open before)."""
    memo = {"Id": "9001", "SyncToken": "0", "DocNumber": "AV-2026-001", "TxnDate": "2026-10-05",
            "TotalAmt": "120.00", "Balance": "0", "TxnTaxDetail": {"TotalTax": "20.00"},
            "CustomerRef": {"value": "1", "name": "Client avoir"}, "Line": []}
    emulator.entities = {**emulator.entities, "CreditMemo": [memo]}  # this emulator only
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), since="2026-09",
                                                until="2026-10"), tmp_path)
    loaded = source.load(LoadRequest(get_registry().datasets))
    invoices = loaded["invoices"]
    row = invoices[invoices["number"] == "AV-2026-001"].iloc[0]
    assert row["amount_incl_tax"] == -12000 and row["status"] == "paid" and pd.isna(row["paid_date"])
    assert [f.code for f in loaded.findings if f.code.startswith("quickbooks_Aged")] == []


def test_check_names_the_company(emulator: QuickBooksEmulator, tmp_path: Path) -> None:
    """``check`` makes one call and says which company and fiscal year it reached."""
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path)), tmp_path)
    assert source.check() == (f"QuickBooks : société « Mécanique de Précision du Rhône » (realm {emulator.realm}), "
                              "exercice ouvert en janvier")
    assert source.remote is True


def test_default_span_is_three_fiscal_years_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No option: from the start of the fiscal year three years before the pack's month (else today's)."""
    source = QuickBooksSource("compta", {"realm_id": "1"}, tmp_path)
    from boardpack.connectors import common

    monkeypatch.setattr(common, "today", lambda: dt.date(2026, 11, 21))
    assert source.span(1) == (Month(2023, 1), Month(2026, 11))
    assert source.span(4, Month(2026, 3)) == (Month(2022, 4), Month(2026, 3))
    with pytest.raises(ConfigError, match="sources.compta.since"):
        QuickBooksSource("compta", {"realm_id": "1", "since": "2027-01", "until": "2026-10"}, tmp_path).span(1)


# ----------------------------------------------------------------------------- end to end


def _config(folder: Path, name: str, sources: str) -> Path:
    """The demo config (its four audiences and commentary) with ``sources`` instead of the demo's."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    assert '[sources.demo]\ntype = "demo"\n' in text
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "commentaires").exists():
        shutil.copytree(DEMO_CONFIG.parent / "commentaires", folder / "commentaires")
    path = folder / f"{name}.toml"
    path.write_text(text.replace('[sources.demo]\ntype = "demo"\n', sources), encoding="utf-8")
    return path

def _qbo_config(emulator: QuickBooksEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo config whose accounting comes from the emulator's QuickBooks company up to
    October 2026 (credentials from the environment, token file outside the repo), the other
    datasets from the demo."""
    path = token_file(emulator, tmp_path / "hors-depot")
    monkeypatch.setenv("QBO_CLIENT_ID", emulator.client_id)
    monkeypatch.setenv("QBO_CLIENT_SECRET", emulator.client_secret)
    return _config(tmp_path, "qbo", f"""
[sources.compta]
type = "quickbooks"
realm_id = "{emulator.realm}"
client_id = {{ env = "QBO_CLIENT_ID" }}
client_secret = {{ env = "QBO_CLIENT_SECRET" }}
token_file = "{path}"
base_url = "{emulator.base_url}"
token_url = "{emulator.base_url}/oauth2/v1/tokens/bearer"
until = "2026-10"

[sources.demo]
type = "demo"
datasets = {json.dumps(OTHERS)}
""")


def _kpis(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    results = make_engine(load_inputs(load_config(path))).results(Month(2026, 10), ("month", "ytd"))
    return {(kpi, kind): result.as_dict() for kpi, kinds in results.items() for kind, result in kinds.items()}


def test_kpis_and_pack_from_the_emulator(emulator: QuickBooksEmulator, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, waits: list[float], demo_build: Any) -> None:
    """Every KPI (month, YTD, with comparisons) from QuickBooks equals the demo CSVs'; the four packs'
    HTML is the demo's; a pack builds into a PDF."""
    qbo = _qbo_config(emulator, tmp_path, monkeypatch)
    from_api = _kpis(qbo)
    from_csv = _kpis(_config(tmp_path, "demo", '[sources.demo]\ntype = "demo"\n'))
    # The ledger is monthly (one movement per account and month) but every KPI reads
    # monthly figures, the receivable/payable flows are split by the invoices and those of
    # the accounts settled within the month (421, 4457, 4456) by the journal entries: all match.
    assert from_api == from_csv
    assert {kpi for kpi, _ in from_api} >= {"chiffre_affaires", "ebe", "dso", "dpo", "tresorerie_nette", "dscr"}
    packs = build(load_config(qbo), period=Month(2026, 10), write=False)
    assert packs.html == demo_build.html
    result = build(load_config(qbo), period=Month(2026, 10), audiences=["dirigeant"], out_dir=tmp_path / "out",
                   parallel=False)
    assert result.paths["dirigeant"].read_bytes()[:5] == b"%PDF-"


def test_plan_without_journal_entries_says_what_it_assumes(emulator: QuickBooksEmulator, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    """A company whose payroll and VAT returns are not journal entries: 421 and the VAT accounts have
    no flows in the monthly ledger. The plan still pays net pay and VAT: net pay at the default share
    and the VAT rates at their default, both said to be defaults, the VAT owed taken from the balance
    sheet and said so; never a 0 % rate nor a line dropped."""
    from boardpack.api.forecast import cash_plans

    emulator.entities = {**emulator.entities, "JournalEntry": []}  # this emulator only
    qbo = _qbo_config(emulator, tmp_path, monkeypatch)
    data = load_inputs(load_config(qbo)).context()
    assert data.ledger.flows(("421",), data.window("ltm", Month(2026, 10)), "credit") == 0
    base = cash_plans(data, Month(2026, 10))[0]
    lines = {line.key: line for line in base.lines}
    assert "78 % (par défaut)" in lines["salaires_nets"].basis["fr"]
    assert sum(lines["salaires_nets"].amounts.values()) < 0
    assert "20,0\u00a0% (par défaut)" in lines["achats_charges_externes"].basis["fr"]
    owed = -data.ledger.balances(Month(2026, 10))[lambda s: s.index.get_level_values(0).str.startswith("4455")].sum()
    assert owed > 0 and lines["tva"].amounts[Month(2026, 11)] <= -owed
    assert "TVA due au bilan à fin 2026-10" in lines["tva"].basis["fr"]
    assert sum(lines["tva"].amounts.values()) < 0


def test_kpis_from_entries_alone(emulator: QuickBooksEmulator, tmp_path: Path, waits: list[float]) -> None:
    """Without the invoices, receivables and payables move by their net only: DSO, DPO and the cash
    conversion cycle (DSO + DIO − DPO) differ from the detailed ledger; every other KPI is the same."""
    source = QuickBooksSource("compta", options(emulator, token_file(emulator, tmp_path), until="2026-10",
                                                datasets=["entries"]), tmp_path)
    registry = get_registry()
    entries = source.load(LoadRequest(registry.datasets))["entries"]
    from boardpack.build.context import CompanyData
    from boardpack.build.engine import KPIEngine
    demo = demo_datasets()
    company = load_config(DEMO_CONFIG).company
    values = []
    for datasets in ({**demo, "entries": entries}, demo):
        engine = KPIEngine(dict(registry.kpis), CompanyData(datasets, company))
        values.append({kpi: result.value for kpi, result in engine.results(Month(2026, 10), ("ytd",)).items()
                       for result in [result["ytd"]]})
    assert sorted(k for k in values[0] if values[0][k] != values[1][k]) == ["ccc", "dpo", "dso"]
