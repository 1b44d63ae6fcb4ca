"""The client-side rate limiters keep a margin under each provider's published limit.

Every client is driven against its emulator enforcing the published limit on the same fake
clock, through a :class:`~emulators.base.JitterTransport` that holds each request a random
0–100 ms before it reaches the server (the server counts arrivals, the limiter counts
starts). At 80 % of the limit no window ever holds more than the margin allows and the
emulator never answers 429; at the limit itself (``margin=1.0``, what the clients did
before) the same jitter brings 429s, which is why the margin exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from emulators.base import FakeTime, JitterTransport, busiest
from emulators.hubspot import TOKEN as HUBSPOT_TOKEN
from emulators.hubspot import HubSpotEmulator
from emulators.pennylane import PREFIX
from emulators.pennylane import TOKEN as PENNYLANE_TOKEN
from emulators.pennylane import PennylaneEmulator
from emulators.quickbooks import QuickBooksEmulator

from boardpack.connectors.http import MARGIN, RateLimiter, Window
from boardpack.default_plugins.sources.hubspot.client import HubSpotClient
from boardpack.default_plugins.sources.pennylane.client import PennylaneClient, provider
from boardpack.default_plugins.sources.quickbooks.client import QuickBooksClient

#: the longest delay (s) a request takes to reach the server in these tests
UPLINK = 0.1


@pytest.fixture(scope="module")
def pennylane_server() -> Iterator[PennylaneEmulator]:
    """One Pennylane emulator for the module."""
    with PennylaneEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def quickbooks_server() -> Iterator[QuickBooksEmulator]:
    """One QuickBooks emulator for the module."""
    with QuickBooksEmulator() as emulator:
        yield emulator


def jitter(fake_time: FakeTime) -> JitterTransport:
    """Up to 100 ms from the client to the server, on the fake clock."""
    return JitterTransport(UPLINK, 0.0, delay=fake_time.advance, clock=fake_time.clock)


def pennylane_run(server: PennylaneEmulator, fake_time: FakeTime, margin: float,
                  calls: int = 120) -> tuple[JitterTransport, int]:
    """``calls`` GET /me through the Pennylane client: the transport (its starts) and the 429s served."""
    server.reset()
    server.clock = fake_time.clock
    transport = jitter(fake_time)
    with PennylaneClient(PENNYLANE_TOKEN, server.base_url, transport=transport, margin=margin) as client:
        for _ in range(calls):
            client.api.get_json(f"{PREFIX}/me")
    return transport, server.throttled


def hubspot_run(fake_time: FakeTime, margin: float, calls: int = 240) -> tuple[JitterTransport, int]:
    """One search then three pipeline reads, over and over: the transport and the 429s served."""
    transport = jitter(fake_time)
    with HubSpotEmulator(enforce_limits=True, clock=fake_time.clock) as server, \
            HubSpotClient(HUBSPOT_TOKEN, base_url=server.base_url, transport=transport, margin=margin) as client:
        body = {"filterGroups": [], "properties": ["dealname"], "limit": 1}
        for n in range(calls):
            if n % 4 == 0:
                client.search_api.post_json(client.routes.search, body, idempotent=True)
            else:
                client.api.get_json(client.routes.pipelines)
        return transport, server.throttled


def quickbooks_run(server: QuickBooksEmulator, fake_time: FakeTime, margin: float,
                   calls: int = 450) -> tuple[JitterTransport, int]:
    """``calls`` CompanyInfo reads, Intuit's 10 per second enforced: the transport and the 429s served."""
    server.clock, server.skew, server.throttled = fake_time.clock, 0.0, 0
    server._times.clear()
    server._second.clear()
    server.limit_per_second = 10
    token = server.issue_tokens()["access_token"]
    transport = jitter(fake_time)
    with QuickBooksClient(server.base_url, server.realm, auth=lambda: {"Authorization": f"Bearer {token}"},
                          transport=transport, margin=margin) as client:
        for _ in range(calls):
            client.company_info()
    return transport, server.throttled


# ---------------------------------------------------------------- the limiter itself


def test_margin_is_eighty_percent_of_each_published_limit() -> None:
    """25/5 s → 20, 5/s → 4, 100/10 s → 80, 10/s → 8, 500/min → 400; a margin of 1 is the limit itself."""
    assert MARGIN == 0.8
    assert [(w.allowed, w.per, w.published) for w in provider().windows()] == [(20, 5.0, 25)]
    qbo = QuickBooksClient("http://127.0.0.1:9", "1", auth=dict)
    hub = HubSpotClient("x", base_url="http://127.0.0.1:9")
    try:
        assert [(w.allowed, w.per) for w in qbo._client.limiter.windows] == [(8, 1.0), (400, 60.0)]
        assert [(w.allowed, w.per) for w in hub.api.limiter.windows] == [(80, 10.0)]
        assert [(w.allowed, w.per) for w in hub.search_api.limiter.windows] == [(4, 1.0), (80, 10.0)]
        assert hub.search_api.limiter.windows[1] is hub.api.limiter.windows[0]  # one shared 10-second window
    finally:
        qbo.close()
        hub.close()
    assert [(w.allowed, w.per) for w in provider(margin=1.0).windows()] == [(25, 5.0)]
    assert Window.below(1, 1.0).allowed == 1  # never below one request


def test_limiter_never_exceeds_its_window(fake_time: FakeTime) -> None:
    """500 starts with 0–50 ms between them: no 5-second window ever holds more than 20, and the
    limiter waits only as much as needed (the busiest window holds exactly 20)."""
    limiter = RateLimiter([Window.below(25, 5.0)])
    starts = []
    pace = JitterTransport(0.05, delay=fake_time.advance, clock=fake_time.clock).random
    for _ in range(500):
        limiter.acquire(fake_time.clock, fake_time.pause)
        starts.append(fake_time.now)
        fake_time.advance(pace.uniform(0, 0.05))
    assert busiest(starts, 5.0) == 20
    assert fake_time.pauses and all(0 < p <= 5.0 for p in fake_time.pauses)


def test_shared_window_counts_both_limiters(fake_time: FakeTime) -> None:
    """Two limiters sharing a 10-second window of 8: together they never put a ninth start in it."""
    shared = Window(8, 10.0)
    first, second = RateLimiter([Window(4, 1.0), shared]), RateLimiter([shared])
    starts = []
    for n in range(60):
        (first if n % 2 else second).acquire(fake_time.clock, fake_time.pause)
        starts.append(fake_time.now)
        fake_time.advance(0.01)
    assert busiest(starts, 10.0) == 8


# ---------------------------------------------------------------- each client against its emulator


def test_pennylane_keeps_its_margin_under_jitter(pennylane_server: PennylaneEmulator, fake_time: FakeTime) -> None:
    """120 calls with 0–100 ms network jitter: at most 20 starts in any 5 s, no 429."""
    transport, throttled = pennylane_run(pennylane_server, fake_time, MARGIN)
    assert busiest(transport.sent, 5.0) == 20 and throttled == 0


def test_hubspot_keeps_its_margins_under_jitter(fake_time: FakeTime) -> None:
    """Searches and plain calls mixed: at most 4 searches a second and 80 calls (searches included)
    in any 10 s, no 429."""
    transport, throttled = hubspot_run(fake_time, MARGIN)
    searches = [start for start, path in zip(transport.sent, transport.paths) if path.endswith("/search")]
    assert len(searches) == 60 and busiest(searches, 1.0) == 4
    assert busiest(transport.sent, 10.0) <= 80 and throttled == 0


def test_quickbooks_keeps_its_margins_under_jitter(quickbooks_server: QuickBooksEmulator,
                                                   fake_time: FakeTime) -> None:
    """450 calls: at most 8 a second and 400 a minute, no 429."""
    transport, throttled = quickbooks_run(quickbooks_server, fake_time, MARGIN)
    assert busiest(transport.sent, 1.0) == 8 and busiest(transport.sent, 60.0) == 400 and throttled == 0


@pytest.mark.parametrize("run", ["pennylane", "hubspot", "quickbooks"])
def test_at_the_published_limit_jitter_brings_429s(run: str, fake_time: FakeTime, request: pytest.FixtureRequest) -> None:
    """The same calls with margin 1.0 (the clients' old setting): the jitter makes the server throttle."""
    runs: dict[str, Callable[[], tuple[Any, int]]] = {
        "pennylane": lambda: pennylane_run(request.getfixturevalue("pennylane_server"), fake_time, 1.0),
        "hubspot": lambda: hubspot_run(fake_time, 1.0),
        "quickbooks": lambda: quickbooks_run(request.getfixturevalue("quickbooks_server"), fake_time, 1.0),
    }
    _, throttled = runs[run]()
    assert throttled > 0
