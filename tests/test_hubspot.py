"""The ``hubspot`` source against the local HubSpot emulator (connectors.md §3 and §4).

The emulator serves the demo company's deals; read through the source they must come back
exactly as the demo's ``deals.csv`` reads. No test sleeps: ``boardpack.connectors.http.pause``
and its clock are replaced by a fake clock that only moves when the client pauses.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from conftest import DEMO_CONFIG, SCHEMAS
from emulators.base import FakeTime, demo_datasets
from emulators.hubspot import TOKEN, HubSpotEmulator

from boardpack.api import LoadRequest
from boardpack.build import build, load_inputs, make_engine
from boardpack.config import load_config
from boardpack.default_plugins.sources.hubspot import client as hubspot
from boardpack.default_plugins.sources.hubspot.client import Routes, _pace, describe_error
from boardpack.default_plugins.sources.hubspot.source import HubSpotSource
from boardpack.errors import ConfigError, SourceError
from boardpack.periods import Month

OCT_2026 = Month(2026, 10)
#: the emulated portal's custom properties for our fields
FIELDS = {"deal_id": "reference_affaire", "segment": "secteur", "channel": "canal_acquisition",
          "quote_date": "date_envoi_devis"}


@pytest.fixture
def emulator(fake_time: FakeTime) -> Iterator[HubSpotEmulator]:
    """A running HubSpot emulator serving the demo company."""
    with HubSpotEmulator(clock=fake_time.clock) as running:
        yield running


def make_source(emulator: HubSpotEmulator, **options: Any) -> HubSpotSource:
    """A hubspot source on the emulator, for the pack of October 2026."""
    settings = {"token": TOKEN, "base_url": emulator.base_url, "properties": FIELDS,
                "pipelines": ["Ventes industrielles"], **options}
    return HubSpotSource("crm", settings, Path("."))


def load(source: HubSpotSource) -> pd.DataFrame:
    """The ``deals`` dataset the source returns."""
    return source.load(LoadRequest(SCHEMAS, OCT_2026, OCT_2026))["deals"]


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by deal_id, without attrs, for comparisons."""
    ordered = frame.sort_values("deal_id").reset_index(drop=True)
    ordered.attrs = {}
    return ordered


def assert_demo_deals(frame: pd.DataFrame) -> None:
    """``frame`` holds exactly the demo company's deals, typed the same way."""
    pd.testing.assert_frame_equal(by_id(frame), by_id(demo_datasets()["deals"]))


def search_bodies(emulator: HubSpotEmulator) -> list[dict[str, Any]]:
    """The JSON bodies of the search requests, in order."""
    return [r.json() for r in emulator.searches()]


# ---------------------------------------------------------------- mapping and paging


def test_deals_equal_the_demo_deals(emulator: HubSpotEmulator) -> None:
    """Every demo deal comes back identical: ids, customers, labels, probabilities, cents, local dates."""
    assert_demo_deals(load(make_source(emulator)))


def test_search_pages_to_the_last_page_resending_filters(emulator: HubSpotEmulator) -> None:
    """Each search page re-sends the same filters and sort, with ``after`` moving on, until no ``paging``."""
    load(make_source(emulator))
    bodies = search_bodies(emulator)
    created = [b for b in bodies if b["filterGroups"][0]["filters"][0]["value"] != "0"]
    assert [b.get("after") for b in created] == [None, "200", "400", "600", "800", "1000", "1200"]
    first = {k: v for k, v in created[0].items() if k != "after"}
    assert all({k: v for k, v in b.items() if k != "after"} == first for b in created)
    assert first["limit"] == 200 and first["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    filters = first["filterGroups"][0]["filters"]
    assert {"propertyName": "pipeline", "operator": "IN", "values": ["default"]} in filters


def test_window_bounds_are_local_midnights(emulator: HubSpotEmulator) -> None:
    """The default window starts 47 months back and ends after October 2026, at Paris midnights."""
    load(make_source(emulator))
    filters = search_bodies(emulator)[0]["filterGroups"][0]["filters"]
    # 2022-11-01T00:00+01:00 and 2026-11-01T00:00+01:00, in epoch milliseconds
    assert filters[0] == {"propertyName": "createdate", "operator": "GTE", "value": "1667257200000"}
    assert filters[1] == {"propertyName": "createdate", "operator": "LT", "value": "1793487600000"}


def test_dated_api_version_uses_dated_paths(emulator: HubSpotEmulator) -> None:
    """With ``api_version = "2026-03"`` every call uses the dated paths, and the data is the same."""
    assert_demo_deals(load(make_source(emulator, api_version="2026-03")))
    paths = {r.path for r in emulator.requests}
    assert paths == {"/crm/pipelines/2026-03/deals", "/crm/objects/2026-03/deals/search", "/crm/owners/2026-03",
                     "/crm/associations/2026-03/deals/companies/batch/read",
                     "/crm/objects/2026-03/companies/batch/read"}


def test_routes_of_each_version() -> None:
    """v3 keeps the legacy paths (v4 associations); a bad version is refused."""
    routes = Routes("v3")
    assert (routes.search, routes.pipelines, routes.owners, routes.associations) == (
        "/crm/v3/objects/deals/search", "/crm/v3/pipelines/deals", "/crm/v3/owners",
        "/crm/v4/associations/deals/companies/batch/read")
    with pytest.raises(ValueError):
        Routes("v5")


def test_list_method_follows_after_to_the_last_page(emulator: HubSpotEmulator) -> None:
    """``method = "list"`` pages the list endpoint (limit 100) to the last page and finds the same deals."""
    assert_demo_deals(load(make_source(emulator, method="list")))
    pages = [r for r in emulator.requests if r.path == "/crm/v3/objects/deals"]
    assert len(pages) == 14  # 1 367 demo + 3 partner deals, 100 a page
    assert pages[0].arg("after") is None and all(p.arg("after") for p in pages[1:])
    assert all(p.arg("limit") == "100" and p.arg("archived") == "false" for p in pages)


def test_search_window_is_split_under_the_cap(emulator: HubSpotEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a cap of 300 results per query, windows are halved until each fits, and no deal is lost."""
    emulator.search_cap = 300
    monkeypatch.setattr(hubspot, "SEARCH_CAP", 300)
    assert_demo_deals(load(make_source(emulator)))
    bodies = search_bodies(emulator)
    assert all(int(b.get("after", 0)) < 300 for b in bodies)
    spans = {(b["filterGroups"][0]["filters"][0]["value"], b["filterGroups"][0]["filters"][1]["value"])
             for b in bodies}
    assert len(spans) > 8


def test_search_cap_reached_is_a_clear_error(emulator: HubSpotEmulator) -> None:
    """Paging past the emulator's cap (client not told) gives HubSpot's 400 in one sentence."""
    emulator.search_cap = 300
    with pytest.raises(SourceError) as caught:
        load(make_source(emulator))
    text = str(caught.value)
    assert text.startswith("HubSpot : POST /crm/v3/objects/deals/search a répondu 400 (requête refusée : "
                           "Search results are limited to 300 records")
    assert "correlationId" in text and "\n" not in text


def test_traps_of_the_portal(emulator: HubSpotEmulator) -> None:
    """Primary company, expected close dates of open deals, archived deals and owners, string amounts."""
    deals = load(make_source(emulator, pipelines=[]))
    demo = demo_datasets()["deals"].set_index("deal_id")
    rows = deals.set_index("deal_id")
    first = demo.index[0]
    assert rows.loc[first, "customer"] == demo.loc[first, "customer"]  # two companies: the primary one
    assert rows.loc[rows["status"] == "open", "close_date"].isna().all()
    assert "Marc Lefèvre" in set(rows["owner"])  # an archived owner
    assert not rows["name"].str.startswith("Affaire supprimée").any()
    partners = rows.loc[["PART-1", "PART-2", "PART-3"]]
    assert list(partners["pipeline"]) == ["Partenariats"] * 3
    assert list(partners["status"]) == ["open", "won", "lost"]
    assert list(partners["amount"]) == [1_200_000, 800_050, 300_000]
    assert list(partners["customer"]) == [demo["customer"].min(), demo["customer"].min(), ""]
    assert partners["stage_probability"].tolist() == [0.2, 1.0, 0.0]


def test_unknown_pipeline_lists_the_known_ones(emulator: HubSpotEmulator) -> None:
    """A pipeline option naming no pipeline fails with the list of pipelines."""
    with pytest.raises(SourceError, match="« Ventes » introuvable .*Ventes industrielles \\(default\\), "
                                          "Partenariats \\(8451237\\)"):
        load(make_source(emulator, pipelines=["Ventes"]))


# ---------------------------------------------------------------- rate limits and failures


def test_429_then_success_honours_retry_after(emulator: HubSpotEmulator, fake_time: FakeTime) -> None:
    """A 429 with ``Retry-After: 3`` is waited 3 s, then the same search succeeds."""
    emulator.throttle(1, policy="SECONDLY", retry_after="3", when=lambda r: r.path.endswith("/search"))
    assert_demo_deals(load(make_source(emulator)))
    assert 3.0 in fake_time.pauses
    bodies = search_bodies(emulator)
    assert bodies[0] == bodies[1]


def test_429_without_retry_after_backs_off(emulator: HubSpotEmulator, fake_time: FakeTime) -> None:
    """A ten-secondly 429 without ``Retry-After`` waits a jittered backoff, then succeeds."""
    emulator.throttle(2, when=lambda r: r.path.endswith("/pipelines/deals"))
    load(make_source(emulator))
    assert len([r for r in emulator.requests if r.path.endswith("/pipelines/deals")]) == 3
    assert len(fake_time.pauses) >= 2 and all(0 <= p <= 4 for p in fake_time.pauses[:2])


def test_5xx_then_success(emulator: HubSpotEmulator) -> None:
    """Two 503 on the owners call are retried and the load completes."""
    emulator.fail(503, 2, when=lambda r: "/owners" in r.path)
    assert_demo_deals(load(make_source(emulator)))


def test_persistent_5xx_is_one_clear_sentence(emulator: HubSpotEmulator) -> None:
    """A search that keeps failing stops after 6 attempts with the provider, endpoint and what to do."""
    emulator.fail(503, 10, when=lambda r: r.path.endswith("/search"))
    with pytest.raises(SourceError) as caught:
        load(make_source(emulator))
    text = str(caught.value)
    assert text.startswith("HubSpot : POST /crm/v3/objects/deals/search a répondu 503 après 6 tentatives "
                           "(The service is temporarily unavailable, catégorie SERVICE_UNAVAILABLE, correlationId ")
    assert text.endswith("; le service est indisponible, réessayez plus tard")


def test_revoked_token_is_one_line_without_the_token(emulator: HubSpotEmulator) -> None:
    """A revoked token: 401 not retried, HubSpot's message and correlationId quoted, the token never shown."""
    emulator.revoke()
    with pytest.raises(SourceError) as caught:
        load(make_source(emulator))
    text = str(caught.value)
    assert text.startswith("HubSpot : GET /crm/v3/pipelines/deals a répondu 401 (authentification refusée : "
                           "Authentication credentials not found")
    assert "correlationId" in text and "vérifiez le jeton d'application privée HubSpot" in text
    assert TOKEN not in text and "pat-eu1" not in text and "\n" not in text
    assert len(emulator.requests) == 1


def test_token_revoked_during_the_fetch(emulator: HubSpotEmulator) -> None:
    """A token revoked after a few calls fails the load at the next call, clearly."""
    emulator.revoke_after(4)
    with pytest.raises(SourceError, match="a répondu 401 \\(authentification refusée"):
        load(make_source(emulator))
    assert len(emulator.requests) == 5


def test_missing_scope_names_the_scope(fake_time: FakeTime) -> None:
    """A token without the owners scope gets a 403 naming the scope to add."""
    with HubSpotEmulator(scopes={"crm.objects.deals.read", "crm.objects.companies.read"}) as emulator:
        with pytest.raises(SourceError) as caught:
            load(make_source(emulator))
    assert "a répondu 403 (accès refusé : " in str(caught.value)
    assert "portée(s) requise(s) : crm.objects.owners.read" in str(caught.value)


def test_client_keeps_under_the_search_rate(fake_time: FakeTime) -> None:
    """With the portal enforcing 5 searches a second (same clock), the client is never throttled."""
    with HubSpotEmulator(enforce_limits=True, clock=fake_time.clock) as emulator:
        emulator.search_cap = 300
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hubspot, "SEARCH_CAP", 300)
            assert_demo_deals(load(make_source(emulator)))
        assert emulator.throttled == 0
        assert len(emulator.searches()) > 5 and fake_time.pauses


def test_exhausted_interval_pauses_until_it_ends(fake_time: FakeTime) -> None:
    """``X-HubSpot-RateLimit-Remaining: 0`` makes the client wait the interval before the next call."""
    request = httpx.Request("GET", "https://api.hubapi.com/crm/v3/owners")
    _pace(httpx.Response(200, headers={"X-HubSpot-RateLimit-Remaining": "5",
                                       "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}, request=request))
    _pace(httpx.Response(200, headers={"X-HubSpot-RateLimit-Remaining": "0",
                                       "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}, request=request))
    assert fake_time.pauses == [10.0]


def test_describe_error_quotes_message_policy_and_correlation() -> None:
    """A 429 body gives its message, policy and correlationId; a text body its text."""
    body = HubSpotEmulator.rate_limited("DAILY").body
    text = describe_error(httpx.Response(429, json=body))
    assert text.startswith("You have reached your daily limit, limite DAILY, correlationId ")
    assert describe_error(httpx.Response(502, text="Bad gateway\n")) == "Bad gateway"


def test_check_reads_one_deal(emulator: HubSpotEmulator) -> None:
    """``check`` makes one list call of one deal and says so in one line."""
    assert make_source(emulator).check() == "HubSpot (API v3) : connexion établie, au moins une affaire lisible"
    assert [(r.path, r.arg("limit")) for r in emulator.requests] == [("/crm/v3/objects/deals", "1")]


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(("options", "message"), [
    ({"api_version": "v5"}, "sources.crm.api_version » : version d'API inconnue « v5 »"),
    ({"properties": {"segmnt": "x"}}, "sources.crm.properties.segmnt » : champ inconnu .* vouliez-vous dire « segment »"),
    ({"properties": {"amount": ""}}, "sources.crm.properties.amount » : ce champ est obligatoire"),
    ({"timezone": "Europe/Lyon"}, "fuseau horaire inconnu « Europe/Lyon »"),
    ({"method": "export"}, "sources.crm.method » : « export » inconnu"),
    ({"since": "2026-13"}, "sources.crm.since » : un mois AAAA-MM est attendu, pas « 2026-13 »"),
    ({"pipelines": "default"}, "sources.crm.pipelines » : une liste"),
    ({"timeout": 0}, "sources.crm.timeout » : un nombre de secondes positif"),
])
def test_bad_options_fail_before_any_call(options: dict[str, Any], message: str) -> None:
    """Each bad option is a ConfigError naming its key, raised when the source is built."""
    with pytest.raises(ConfigError, match=message):
        HubSpotSource("crm", {"token": TOKEN, **options}, Path("."))


def test_since_and_until_override_the_window() -> None:
    """``since``/``until`` replace the default window; without a period it ends this month."""
    source = HubSpotSource("crm", {"token": TOKEN, "since": "2025-01", "until": "2025-12"}, Path("."))
    assert source.window() == (Month(2025, 1), Month(2025, 12))
    plain = HubSpotSource("crm", {"token": TOKEN}, Path("."))
    import datetime as dt
    assert plain.window(today=dt.date(2026, 11, 21)) == (Month(2022, 12), Month(2026, 11))


# ---------------------------------------------------------------- end to end


def hubspot_config(tmp_path: Path, emulator: HubSpotEmulator) -> Path:
    """The demo config with deals from the emulator (token from HUBSPOT_TOKEN) and the rest from the demo."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    others = sorted(name for name in SCHEMAS if name != "deals")
    sources = (
        '[sources.crm]\ntype = "hubspot"\n'
        f'base_url = "{emulator.base_url}"\n'
        'token = { env = "HUBSPOT_TOKEN" }\n'
        'api_version = "2026-03"\n'
        'pipelines = ["Ventes industrielles"]\n'
        f'properties = {{ {", ".join(f"{k} = {json.dumps(v)}" for k, v in FIELDS.items())} }}\n\n'
        f'[sources.demo]\ntype = "demo"\ndatasets = {json.dumps(others)}\n'
    )
    assert '[sources.demo]\ntype = "demo"\n' in text
    path = tmp_path / "boardpack.toml"
    path.write_text(text.replace('[sources.demo]\ntype = "demo"\n', sources), encoding="utf-8")
    shutil.copytree(DEMO_CONFIG.parent / "commentaires", tmp_path / "commentaires")
    return path


def kpi_values(config_path: Path) -> dict[tuple[str, str], tuple[Decimal | None, str | None]]:
    """Every KPI over the month and the YTD to October 2026: its value, or the reason it has none."""
    engine = make_engine(load_inputs(load_config(config_path)))
    return {(kpi_id, kind): engine.value(kpi, engine.ctx.window(kind, OCT_2026))  # type: ignore[arg-type]
            for kpi_id, kpi in sorted(engine.kpis.items()) for kind in ("month", "ytd")}


def test_kpis_from_the_emulator_equal_the_demo(emulator: HubSpotEmulator, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Deals from HubSpot + the rest from the demo give every KPI the plain demo gives."""
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    config = hubspot_config(tmp_path, emulator)
    assert TOKEN not in config.read_text(encoding="utf-8")
    from_hubspot = kpi_values(config)
    from_demo = kpi_values(DEMO_CONFIG)
    assert from_hubspot.keys() == from_demo.keys()
    differing = {key: (from_hubspot[key], from_demo[key]) for key in from_demo if from_hubspot[key] != from_demo[key]}
    assert differing == {}
    # the deal KPIs were really computed from the emulator's deals
    assert from_hubspot[("pipeline_pondere", "month")][0] is not None
    assert from_hubspot[("taux_transformation", "ytd")][0] is not None
    assert any(r.path.endswith("/search") for r in emulator.requests)
    written = [f for f in tmp_path.rglob("*") if f.is_file()]  # config, snapshot of the fetch…
    assert written and not [f for f in written if TOKEN.encode() in f.read_bytes()]


def test_operations_pack_builds_from_the_emulator(emulator: HubSpotEmulator, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, demo_build: Any) -> None:
    """The four packs' HTML from the emulator's deals is the demo's; the operations pack (pipeline
    section) builds into a PDF."""
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    config = load_config(hubspot_config(tmp_path, emulator))
    assert build(config, period=OCT_2026, write=False).html == demo_build.html
    result = build(config, period=OCT_2026, audiences=["operations"], out_dir=tmp_path / "out", parallel=False)
    pdf = result.paths["operations"]
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert "Pipeline commercial" in result.html["operations"]
    assert any(r.path.endswith("/search") for r in emulator.requests)


def test_amounts_are_decimal_not_float() -> None:
    """A HubSpot amount with many decimals is rounded half-up to the cent from its string."""
    from zoneinfo import ZoneInfo

    from boardpack.default_plugins.sources.hubspot.deals import Pipeline, Stage, deals_frame

    stage = Stage("s", "Ouverte", Decimal("0.5"), False)
    deal = {"id": "1", "properties": {"hs_object_id": "1", "amount": "0.145", "createdate": "2026-01-31T23:30:00.000Z",
                                      "pipeline": "p", "dealstage": "s", "closedate": "2026-03-01T00:00:00.000Z"}}
    frame, warnings = deals_frame([deal], {"p": Pipeline("p", "Ventes", {"s": stage})}, {}, {},
                                  hubspot.DEFAULT_FIELDS, ZoneInfo("Europe/Paris"))
    assert frame.loc[0, "amount"] == "0.15"  # float(0.145) would round to 0.14
    assert frame.loc[0, "created_date"] == "2026-02-01"  # 23:30 UTC is past midnight in Paris
    assert frame.loc[0, "close_date"] == "" and warnings == []


@pytest.mark.parametrize("method", ["search", "list"])
def test_since_and_until_choose_the_deals(emulator: HubSpotEmulator, method: str) -> None:
    """From 2025-01 to 2025-12: deals created then, plus older ones closed since or still open."""
    deals = load(make_source(emulator, since="2025-01", until="2025-12", method=method))
    demo = demo_datasets()["deals"]
    start, end = pd.Timestamp(2025, 1, 1), pd.Timestamp(2025, 12, 31)
    older = (demo["created_date"] < start) & ((demo["status"] == "open") | (demo["close_date"] >= start))
    expected = demo[(demo["created_date"] <= end) & ((demo["created_date"] >= start) | older)]
    assert older.any() and (demo["created_date"] < start).sum() > older.sum()
    pd.testing.assert_frame_equal(by_id(deals), by_id(expected))


def test_portal_limits_are_clear_400s(emulator: HubSpotEmulator) -> None:
    """A list page over 100 and a search body over 3 000 characters are refused with HubSpot's reason."""
    with hubspot.HubSpotClient(TOKEN, base_url=emulator.base_url) as client:
        with pytest.raises(SourceError, match="GET /crm/v3/objects/deals a répondu 400 .*limit must be between 1 and 100"):
            client.first_deals(101)
        long_names = [f"propriete_personnalisee_{n:03d}" for n in range(120)]
        with pytest.raises(SourceError, match="exceeds the limit of 3000 characters"):
            client.search_created(0, 1, [[]], long_names)
    assert len(emulator.requests) == 2  # a 400 is never retried


def test_options_follow_the_shared_rules(tmp_path: Path) -> None:
    """The three remote sources read options alike: a decimal timeout is accepted, an empty month
    is absent, a bad one is the same sentence (connectors/options.py)."""
    from boardpack.default_plugins.sources.pennylane.source import PennylaneSource
    from boardpack.default_plugins.sources.quickbooks.source import QuickBooksSource

    hubspot = HubSpotSource("crm", {"token": TOKEN, "timeout": 12.5, "since": ""}, tmp_path)
    assert hubspot.timeout == 12.5 and hubspot.since is None
    pennylane = PennylaneSource("pl", {"token": TOKEN, "timeout": 12.5, "since": ""}, tmp_path)
    assert pennylane.opts.timeout() == 12.5 and pennylane.span()[0] is None
    quickbooks = QuickBooksSource("qb", {"realm_id": "1", "timeout": 12.5, "since": ""}, tmp_path)
    assert quickbooks.opts.timeout() == 12.5 and quickbooks.opts.month("since") is None
    for source in (pennylane, quickbooks):
        source.settings = {**source.settings, "until": "2026-13"}
        with pytest.raises(ConfigError, match="un mois AAAA-MM est attendu, pas « 2026-13 »"):
            source.opts.month("until")
    for make in (lambda o: HubSpotSource("crm", {"token": TOKEN, **o}, tmp_path).timeout,
                 lambda o: PennylaneSource("pl", {"token": TOKEN, **o}, tmp_path).opts.timeout(),
                 lambda o: QuickBooksSource("qb", {"realm_id": "1", **o}, tmp_path).opts.timeout()):
        with pytest.raises(ConfigError, match="timeout » : un nombre de secondes positif"):
            make({"timeout": -1})


def test_plugin_defaults_equal_the_connectors() -> None:
    """The URLs and limits the plugins show in their help (kept there so that registering them
    imports no connector) are the connectors' own."""
    from boardpack.connectors import oauth
    from boardpack.default_plugins.sources.hubspot import client as hubspot
    from boardpack.default_plugins.sources.pennylane import client as pennylane
    from boardpack.default_plugins.sources.quickbooks import client as quickbooks
    from boardpack.default_plugins.sources.hubspot import source as hubspot_source
    from boardpack.default_plugins.sources.pennylane import source as pennylane_source
    from boardpack.default_plugins.sources.quickbooks import source as quickbooks_source

    assert hubspot_source.PRODUCTION_URL == hubspot.PRODUCTION_URL
    assert pennylane_source.PRODUCTION == pennylane.PRODUCTION
    assert quickbooks_source.INTUIT_TOKEN_URL == oauth.INTUIT_TOKEN_URL
    assert quickbooks_source.PRODUCTION_URL == quickbooks.PRODUCTION_URL
    assert quickbooks_source.MINOR_VERSION == quickbooks.MINOR_VERSION
    assert quickbooks_source.MAX_RESULTS == quickbooks.MAX_RESULTS


def test_default_window_is_the_shared_conservative_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without since/until/period: from 47 months before this (local) month, the shared rule for a
    source that does not know the fiscal year's first month."""
    from boardpack.connectors import common

    monkeypatch.setattr(common, "today", lambda: dt.date(2026, 11, 21))
    source = HubSpotSource("crm", {"token": TOKEN}, Path("."))
    assert source.window() == (Month(2022, 12), Month(2026, 11))
    assert common.default_since(Month(2026, 11)) == Month(2022, 12)
    assert min(common.default_since(Month(2026, 11), m) for m in range(1, 13)) == Month(2022, 12)
