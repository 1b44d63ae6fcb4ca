"""Snapshots of remote sources: fetch, manifest, round trip, offline builds, --refresh, failures.

The remote source here is a small fake (``crm_test``) built on the shared HTTP layer: it
reads the demo company's ``deals`` as JSON (amounts as strings, dates as ISO text) from a
local emulator, so what it returns can be compared with the demo's CSV-read ``deals``.
"""

from __future__ import annotations

import hashlib
import json
import re
import types
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import write_small_company
from emulators.base import Emulator, Request, Response, demo_datasets

from boardpack import __version__, plugins
from boardpack.build import Inputs, load_inputs, make_engine
from boardpack.build.configured import instantiate
from boardpack.cli import cli
from boardpack.config import load_config
from boardpack.connectors import http
from boardpack.connectors.http import ApiClient, Provider
from boardpack.errors import SourceError
from boardpack.hookspecs import hookimpl
from boardpack.api import DataSource, Loaded, LoadRequest
from boardpack.periods import Month
from boardpack.build.snapshots import LATEST, latest_snapshot, list_snapshots, public_parameters

TOKEN = "crm-s3cr3t-0123456789"
PAGE = 500


def _json_value(value: Any, kind: str) -> Any:
    """A demo value as a CRM API would send it: money as a decimal string, dates as ISO text."""
    if kind == "money":
        return str(Decimal(int(value)).scaleb(-2))
    if kind == "date":
        return "" if pd.isna(value) else value.date().isoformat()
    return value


class CrmEmulator(Emulator):
    """``GET /deals?after=N&limit=M`` pages through the demo deals; bearer token required."""

    def __init__(self) -> None:
        super().__init__()
        deals = demo_datasets()["deals"]
        kinds = {"amount": "money", "created_date": "date", "quote_date": "date", "close_date": "date"}
        self.rows = [
            {column: _json_value(value, kinds.get(column, "")) for column, value in row.items()}
            for row in deals.to_dict("records")
        ]

    def handle(self, request: Request) -> Response:
        if request.header("authorization") != f"Bearer {TOKEN}":
            return Response(401, {"status": "error", "message": "Authentication credentials not found.",
                                  "category": "INVALID_AUTHENTICATION"})
        start = int(request.arg("after", "0") or 0)
        limit = int(request.arg("limit", str(PAGE)) or PAGE)
        page = self.rows[start:start + limit]
        following = start + limit if start + limit < len(self.rows) else None
        return Response(200, {"total": len(self.rows), "results": page, "next": following})


class CrmTestSource(DataSource):
    """A remote ``deals`` source on the shared HTTP layer (the pattern of the real connectors)."""

    name = "crm_test"
    description = "CRM de test (émulateur local)."
    remote = True
    options = {"base_url": "adresse de l'API", "token": "jeton ({ env = \"VAR\" })", "timeout": "secondes"}
    required_options = ("base_url", "token")

    def client(self) -> ApiClient:
        """A client for the configured API."""
        provider = Provider("CRM test", str(self.settings["base_url"]), rate=100, per=1.0, retries=2,
                            timeout=float(self.settings.get("timeout", 5)))
        return ApiClient(provider, auth=lambda: {"Authorization": f"Bearer {self.settings['token']}"})

    def check(self) -> str:
        """One cheap call: a one-deal page."""
        with self.client() as client:
            body = client.get_json("/deals", params={"limit": 1})
        return f"connexion ok, {body['total']} affaires"

    def load(self, request: LoadRequest) -> Loaded:
        """Every page of deals, up to the end of the month asked."""
        rows: list[dict[str, Any]] = []
        after: int | None = 0
        with self.client() as client:
            while after is not None:
                params = {"after": after, "limit": PAGE, **({"until": str(request.until)} if request.until else {})}
                body = client.get_json("/deals", params=params)
                rows.extend(body["results"])
                after = body["next"]
        deals = request.schemas["deals"].coerce(pd.DataFrame(rows, dtype=object), "CRM test /deals")
        return Loaded({"deals": deals}, [f"{len(rows)} affaires lues"])


def _plugin() -> types.ModuleType:
    module = types.ModuleType("crm_test_plugin")

    @hookimpl
    def register_sources() -> list[type[DataSource]]:
        return [CrmTestSource]

    module.register_sources = register_sources  # type: ignore[attr-defined]
    return module


@pytest.fixture
def remote_plugin() -> None:
    """Register the ``crm_test`` source for this test (the autouse fixture resets plugins after)."""
    plugins.get_plugin_manager().register(_plugin(), "crm_test_plugin")


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The HTTP layer's waits, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(http, "pause", waits.append)
    return waits


@pytest.fixture
def crm(remote_plugin: None, no_pause: list[float], monkeypatch: pytest.MonkeyPatch) -> Iterator[CrmEmulator]:
    """A running CRM emulator, the token in the environment, the plugin registered."""
    monkeypatch.setenv("CRM_TEST_TOKEN", TOKEN)
    with CrmEmulator() as emulator:
        yield emulator


CONFIG_HEAD = """\
[company]
name = "Atelier Lyonnais de Test"
siren = "812345674"

[kpis]
select = ["pipeline_pondere", "taux_transformation"]

[sources.compta]
type = "csv"
path = "donnees"
datasets = ["entries", "invoices", "ops_metrics", "budget", "loans"]
"""


def remote_config(folder: Path, base_url: str, extra_build: str = "", extra_crm: str = "",
                  crm_source: str | None = None) -> Path:
    """The small company's files (but its deals) and the demo ``deals`` from the CRM emulator."""
    write_small_company(folder)
    crm_source = crm_source or f"""\
[sources.crm]
type = "crm_test"
base_url = "{base_url}"
token = {{ env = "CRM_TEST_TOKEN" }}
{extra_crm}
"""
    path = folder / "boardpack.toml"
    path.write_text(f"""\
{CONFIG_HEAD}
{crm_source}
[build]
{extra_build}

[audiences.dirigeant]
title = "Synthèse dirigeant"
sections = ["kpi_tiles"]
""", encoding="utf-8")
    return path


def fetch_cli(config: Path, *args: str) -> Any:
    """Run ``boardpack fetch CONFIG`` and return click's result."""
    return CliRunner().invoke(cli, ["fetch", str(config), "--quiet", *args])


def sha256(path: Path) -> str:
    """The SHA-256 of a file, computed here independently of the code under test."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fetch_writes_a_snapshot_with_its_manifest(crm: CrmEmulator, tmp_path: Path) -> None:
    """Parquet per dataset, manifest with version, time, period, masked parameters, rows, hashes."""
    config = remote_config(tmp_path, crm.base_url)
    result = fetch_cli(config, "--period", "2026-10")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "snapshots"
    name = (folder / LATEST).read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", name)
    snapshot = folder / name
    assert sorted(p.name for p in snapshot.iterdir()) == ["deals.parquet", "manifest.json"]
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["boardpack"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["created_at"])
    assert manifest["config"] == "boardpack.toml" and manifest["period"] == "2026-10"
    [source] = manifest["sources"]
    assert source["key"] == "crm" and source["type"] == "crm_test"
    assert source["parameters"] == {"base_url": crm.base_url, "token": "<secret>"}
    assert source["findings"] == [f"{len(crm.rows)} affaires lues"]
    deals = source["datasets"]["deals"]
    assert deals["file"] == "deals.parquet"
    assert deals["rows"] == len(crm.rows) == len(demo_datasets()["deals"])
    assert deals["sha256"] == sha256(snapshot / "deals.parquet")
    expected = hashlib.sha256(f"crm/deals:{deals['sha256']}".encode()).hexdigest()
    assert manifest["content_hash"] == expected and name.endswith(expected[:8])
    assert all(r.arg("until") == "2026-10" for r in crm.requests)
    assert len(crm.requests) == -(-len(crm.rows) // PAGE)
    for file in snapshot.iterdir():
        assert TOKEN.encode() not in file.read_bytes()


def test_snapshot_round_trips_to_the_frames_the_source_returned(crm: CrmEmulator, tmp_path: Path) -> None:
    """Read back, the deals equal (dtypes included) what the source returned and the demo CSV."""
    config = load_config(remote_config(tmp_path, crm.base_url))
    registry = plugins.get_registry()
    source = instantiate(config, registry, config.sources[1], "source")
    live = source.load(LoadRequest(registry.datasets))["deals"]
    assert fetch_cli(config.path).exit_code == 0
    snapshot = latest_snapshot(tmp_path / "snapshots")
    assert snapshot is not None
    back = snapshot.datasets("crm")["deals"]
    pd.testing.assert_frame_equal(back, live, check_exact=True)
    pd.testing.assert_frame_equal(back, demo_datasets()["deals"], check_exact=True)
    assert back["amount"].dtype == "int64" and back["close_date"].dtype == "datetime64[ns]"


def _deal_kpis(session: Inputs) -> dict[str, Any]:
    engine = make_engine(session)
    return {kpi_id: engine.results(Month(2026, 10))[kpi_id]["month"].value
            for kpi_id in ("pipeline_pondere", "taux_transformation")}


def test_build_reads_the_snapshot_offline_with_the_same_kpis(crm: CrmEmulator, tmp_path: Path) -> None:
    """Emulator stopped: the session reads the latest snapshot and the KPIs equal the demo's."""
    config_path = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config_path).exit_code == 0
    crm.__exit__(None, None, None)  # offline from here on
    said: list[str] = []
    session = load_inputs(load_config(config_path), say=said.append)
    offline = _deal_kpis(session)
    local = remote_config(tmp_path / "local", "", crm_source='[sources.demo]\ntype = "demo"\ndatasets = ["deals"]\n')
    demo = _deal_kpis(load_inputs(load_config(local)))
    assert offline == demo and all(v is not None for v in offline.values())
    assert session.snapshot is not None
    assert said == [f"sources distantes : {session.snapshot.label}"]
    assert re.fullmatch(r"instantané du \d{4}-\d\d-\d\d \d\d:\d\d UTC", session.snapshot.label)
    assert list(session.findings) == [f"{len(crm.rows)} affaires lues"]
    crm.__enter__()  # the fixture stops it again


def test_check_says_which_snapshot(crm: CrmEmulator, tmp_path: Path) -> None:
    """``boardpack check`` names the snapshot the remote data comes from."""
    config = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config).exit_code == 0
    result = CliRunner().invoke(cli, ["check", str(config)])
    assert "sources distantes : instantané du " in result.output
    assert "deals" in result.output and "(source crm)" in result.output


def test_without_a_snapshot_build_fetches_live_and_writes_one(crm: CrmEmulator, tmp_path: Path) -> None:
    """No snapshot yet: the session fetches, writes the snapshot and says so."""
    said: list[str] = []
    session = load_inputs(load_config(remote_config(tmp_path, crm.base_url)), say=said.append)
    assert said[0] == "sources distantes lues en direct (aucun instantané)"
    assert session.snapshot is not None and session.snapshot == latest_snapshot(tmp_path / "snapshots")
    assert session.snapshot_note == f"sources distantes lues en direct, {session.snapshot.label} écrit"
    assert len(session.datasets["deals"]) == len(crm.rows)


def test_refresh_writes_a_new_snapshot(crm: CrmEmulator, tmp_path: Path) -> None:
    """``refresh`` fetches again: a second snapshot becomes LATEST; ``snapshots`` lists both."""
    config_path = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config_path).exit_code == 0
    first = latest_snapshot(tmp_path / "snapshots")
    calls = len(crm.requests)
    load_inputs(load_config(config_path), refresh=True)
    assert len(crm.requests) > calls
    second = latest_snapshot(tmp_path / "snapshots")
    assert first is not None and second is not None and second.path != first.path
    assert second.content_hash == first.content_hash  # same data, same hash
    assert [s.path for s in list_snapshots(tmp_path / "snapshots")] == [first.path, second.path]
    listing = CliRunner().invoke(cli, ["snapshots", str(config_path)])
    lines = listing.output.splitlines()
    assert len(lines) == 2 and lines[1].endswith("(dernier)") and not lines[0].endswith("(dernier)")
    assert f"{len(crm.rows)} lignes" in lines[0] and first.content_hash[:12] in lines[0]
    assert CliRunner().invoke(cli, ["fetch", str(config_path), "--list"]).exit_code == 2  # « snapshots » lists


def test_build_refresh_from_the_command_line(crm: CrmEmulator, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``build --refresh`` passes refresh down to the session (the PDF stage is stubbed)."""
    import boardpack.build as build_package  # the command imports build from it when it runs

    seen: dict[str, Any] = {}

    def fake_build(config: Any, *args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return types.SimpleNamespace(paths={}, combined=None, issues=[], workbooks={})

    monkeypatch.setattr(build_package, "build", fake_build)
    config = remote_config(tmp_path, crm.base_url)
    assert CliRunner().invoke(cli, ["build", str(config), "--refresh", "--quiet"]).exit_code == 0
    assert seen["refresh"] is True
    assert CliRunner().invoke(cli, ["build", str(config), "--quiet"]).exit_code == 0
    assert seen["refresh"] is False


def test_failed_fetch_keeps_the_previous_snapshot(crm: CrmEmulator, tmp_path: Path, no_pause: list[float]) -> None:
    """Persistent 503: one-line error, exit 4, LATEST and the previous snapshot intact, no temp folder."""
    config = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config).exit_code == 0
    folder = tmp_path / "snapshots"
    before = sorted(p.name for p in folder.iterdir())
    latest = (folder / LATEST).read_bytes()
    crm.inject(Response(503, "Service Unavailable"), times=10)
    result = fetch_cli(config)
    assert result.exit_code == 4
    assert result.output.strip() == (
        "Erreur : CRM test : GET /deals a répondu 503 après 3 tentatives (Service Unavailable) ; "
        "le service est indisponible, réessayez plus tard"
    )
    assert len(no_pause) == 2
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (folder / LATEST).read_bytes() == latest
    snapshot = latest_snapshot(folder)
    assert snapshot is not None and len(snapshot.datasets("crm")["deals"]) == len(crm.rows)


def test_failed_first_fetch_leaves_nothing_but_the_folder(crm: CrmEmulator, tmp_path: Path) -> None:
    """A build whose first live fetch fails leaves no snapshot, no LATEST, no temp folder."""
    crm.inject(Response(401, {"message": "expired"}))
    with pytest.raises(SourceError, match="a répondu 401"):
        load_inputs(load_config(remote_config(tmp_path, crm.base_url)))
    assert list((tmp_path / "snapshots").iterdir()) == []


def test_file_sources_create_no_snapshot_folder(small_company: Any) -> None:
    """Without a remote source nothing changes: no folder, no snapshot note."""
    session = load_inputs(load_config(small_company.config))
    assert session.snapshot is None and session.snapshot_note == ""
    assert not (small_company.config.parent / "snapshots").exists()


def test_fetch_without_remote_source_says_so(small_company: Any) -> None:
    """``fetch`` on a config of local files only: a config error explaining why."""
    result = fetch_cli(small_company.config)
    assert result.exit_code == 2
    assert "aucune source distante à lire" in result.output
    assert not (small_company.config.parent / "snapshots").exists()


def test_snapshots_key_of_the_config(crm: CrmEmulator, tmp_path: Path) -> None:
    """``[build] snapshots`` (relative to the config) chooses the folder."""
    config = remote_config(tmp_path, crm.base_url, extra_build='snapshots = "archives/api"')
    assert fetch_cli(config).exit_code == 0
    assert (tmp_path / "archives" / "api" / LATEST).is_file()
    assert not (tmp_path / "snapshots").exists()


def test_changed_source_options_ask_for_a_refresh(crm: CrmEmulator, tmp_path: Path) -> None:
    """A snapshot taken with other options for a source is refused, saying how to refresh."""
    assert fetch_cli(remote_config(tmp_path, crm.base_url)).exit_code == 0
    changed = remote_config(tmp_path, crm.base_url, extra_crm="timeout = 10")
    with pytest.raises(SourceError) as caught:
        load_inputs(load_config(changed))
    assert "d'autres options pour [sources.crm]" in str(caught.value)
    assert "--refresh" in str(caught.value)


def test_period_after_the_snapshot_asks_for_a_refresh(crm: CrmEmulator, tmp_path: Path) -> None:
    """Building a month the snapshot does not reach is refused."""
    config = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config, "--period", "2026-10").exit_code == 0
    load_inputs(load_config(config), period=Month(2026, 9))
    with pytest.raises(SourceError, match="s'arrête à 2026-10, avant la période demandée 2026-11"):
        load_inputs(load_config(config), period=Month(2026, 11))


def test_altered_snapshot_file_is_refused(crm: CrmEmulator, tmp_path: Path) -> None:
    """A Parquet file changed after the fetch fails its SHA-256 check."""
    config = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config).exit_code == 0
    snapshot = latest_snapshot(tmp_path / "snapshots")
    assert snapshot is not None
    (snapshot.path / "deals.parquet").write_bytes(b"PAR1 altered")
    with pytest.raises(SourceError, match="modifié ou abîmé"):
        load_inputs(load_config(config))


def test_public_parameters_mask_every_secret() -> None:
    """``{ env }``, ``{ file }`` and literal values of secret-named options become "<secret>"."""
    shown = public_parameters({
        "base_url": "https://api.example", "token": {"env": "X"}, "client_secret": "abc",
        "refresh_token_file": {"file": "/etc/t"}, "password": "p", "company_id": 42,
    })
    assert shown == {"base_url": "https://api.example", "token": "<secret>", "client_secret": "<secret>",
                     "refresh_token_file": "<secret>", "password": "<secret>", "company_id": 42}


def test_build_period_of_the_config_must_be_covered(crm: CrmEmulator, tmp_path: Path) -> None:
    """``[build] period = 2026-12`` with a snapshot up to 2026-10: refused, not silently used."""
    config = remote_config(tmp_path, crm.base_url, extra_build='period = "2026-12"')
    assert fetch_cli(config, "--period", "2026-10").exit_code == 0
    with pytest.raises(SourceError, match="s'arrête à 2026-10, avant la période demandée 2026-12"):
        load_inputs(load_config(config))
    load_inputs(load_config(config), period=Month(2026, 10))  # an explicit period still wins


def test_fetch_records_the_local_month_it_read(crm: CrmEmulator, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --period nor [build] period, the sources read up to the local month, which the
    manifest records (so ``covers`` never depends on the UTC date of ``created_at``)."""
    from boardpack.connectors import common

    monkeypatch.setattr(common, "today", lambda: __import__("datetime").date(2026, 12, 1))
    config = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config).exit_code == 0
    snapshot = latest_snapshot(tmp_path / "snapshots")
    assert snapshot is not None and snapshot.manifest["period"] == "2026-12" and snapshot.covers == Month(2026, 12)
    assert crm.requests and all(r.arg("until") == "2026-12" for r in crm.requests)


def test_failure_after_a_first_source_was_written(crm: CrmEmulator, tmp_path: Path) -> None:
    """Two remote sources, the second unreachable after the first's Parquet was written: the
    previous snapshot and LATEST stay, no temporary folder is left."""
    with CrmEmulator() as stopped:
        dead_url = stopped.base_url
    second = f"""\
[sources.crm]
type = "crm_test"
base_url = "{crm.base_url}"
token = {{ env = "CRM_TEST_TOKEN" }}

[sources.crm_bis]
type = "crm_test"
base_url = "{crm.base_url}"
token = {{ env = "CRM_TEST_TOKEN" }}
"""
    config = remote_config(tmp_path, crm.base_url)
    assert fetch_cli(config).exit_code == 0
    folder = tmp_path / "snapshots"
    before = sorted(p.name for p in folder.iterdir())
    latest = (folder / LATEST).read_bytes()
    config.write_text(config.read_text(encoding="utf-8").replace(
        f'[sources.crm]\ntype = "crm_test"\nbase_url = "{crm.base_url}"\ntoken = {{ env = "CRM_TEST_TOKEN" }}\n',
        second.replace(f'[sources.crm_bis]\ntype = "crm_test"\nbase_url = "{crm.base_url}"',
                       f'[sources.crm_bis]\ntype = "crm_test"\nbase_url = "{dead_url}"')), encoding="utf-8")
    written: list[str] = []
    real = CrmTestSource.load

    def spy(self: CrmTestSource, request: LoadRequest) -> Loaded:
        written.extend(p.name for p in folder.glob(".fetch-*/*.parquet"))
        return real(self, request)

    CrmTestSource.load = spy  # type: ignore[method-assign]
    try:
        result = fetch_cli(config)
    finally:
        CrmTestSource.load = real  # type: ignore[method-assign]
    assert result.exit_code == 4 and "est injoignable" in result.output
    assert written == ["deals.parquet"]  # the first source's file was on disk when the second failed
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (folder / LATEST).read_bytes() == latest


def test_snapshot_is_durable_before_latest_moves(crm: CrmEmulator, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The Parquet files, the manifest and the snapshot folder are fsync-ed before LATEST is replaced."""
    import os

    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        events.append("fsync " + os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    def replace(source: Any, target: Any) -> None:
        events.append(f"replace {target}")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    assert fetch_cli(remote_config(tmp_path, crm.base_url)).exit_code == 0
    folder = tmp_path / "snapshots"
    name = (folder / LATEST).read_text(encoding="utf-8").strip()
    moved = events.index(f"replace {folder / LATEST}")
    done = events[:moved]
    assert any(e.startswith("fsync ") and e.endswith("/deals.parquet") for e in done)
    assert any(e.startswith("fsync ") and e.endswith("/manifest.json") for e in done)
    assert any(e.startswith(f"fsync {folder}/.fetch-") and "/" not in e.split("/.fetch-")[1] for e in done)
    assert f"fsync {folder}" in done  # the rename of the folder to {name}, made durable
    assert (folder / name / "manifest.json").is_file()


def test_building_without_remote_sources_imports_no_connector() -> None:
    """A CSV-only build (and the demo) never imports httpx, the connectors or pyarrow.parquet."""
    import os
    import subprocess
    import sys

    code = ("import sys, boardpack.build; from boardpack.plugins import get_registry; get_registry(); "
            "print(sorted(m for m in sys.modules if m.startswith(('httpx', 'pyarrow.parquet', "
            "'boardpack.connectors'))))")
    env = {**os.environ, "BOARDPACK_LOAD_PLUGINS": ""}  # installed example plugins may import httpx themselves
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
