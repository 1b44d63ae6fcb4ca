"""Benchmark of the client-side rate limiters against the emulators, with network jitter.

Run with ``.venv/bin/python benchmarks/rate_limits.py [--jitter S] [--margins 0.8,1.0] [--scale X]``.

Each connector's client (Pennylane, HubSpot, QuickBooks) is driven, in real time, against its
emulator of ``tests/emulators/`` enforcing the provider's published limits on the real clock:

* Pennylane: 25 requests per 5 s per token (``GET /me``, 60 calls);
* HubSpot: 5 searches per second (30 searches), then 100 calls per 10 s (120 pipeline reads);
* QuickBooks: 10 requests per second per company (``CompanyInfo``, 60 calls); its 500 per
  minute is not reached in so short a run.

Between client and emulator a :class:`~emulators.base.JitterTransport` holds every request
``uniform(0, jitter)`` seconds before it reaches the server and its answer as long on the way
back (``--jitter``, 0.05 s by default: a sequential client must be able to go faster than the
limit for the limit to matter). For each margin (``--margins``: the share of each
published limit the client allows itself; 0.8 is the clients' default, 1.0 the limit itself,
what they did before) it prints, per limit: the requests, the seconds they took, the achieved
rate, the busiest window as the client started the requests and as the server received them
(against the published limit), the margin, and the 429s the emulator answered (target: 0).
A 429 is retried by the client, so a run always ends; its cost is the wait.

The run takes about 100 s at the defaults (``--scale 0.5`` halves the calls).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the emulators

from emulators.base import JitterTransport, busiest  # noqa: E402
from emulators.hubspot import TOKEN as HUBSPOT_TOKEN  # noqa: E402
from emulators.hubspot import HubSpotEmulator  # noqa: E402
from emulators.pennylane import PREFIX  # noqa: E402
from emulators.pennylane import TOKEN as PENNYLANE_TOKEN  # noqa: E402
from emulators.pennylane import PennylaneEmulator  # noqa: E402
from emulators.quickbooks import QuickBooksEmulator  # noqa: E402

from boardpack.connectors.http import RateLimiter  # noqa: E402
from boardpack.default_plugins.sources.hubspot.client import HubSpotClient  # noqa: E402
from boardpack.default_plugins.sources.pennylane.client import PennylaneClient  # noqa: E402
from boardpack.default_plugins.sources.quickbooks.client import QuickBooksClient  # noqa: E402


@dataclass
class Line:
    """One limit of one run: what was measured against it."""

    provider: str
    limit: str
    published: int
    per: float
    allowed: int
    requests: int
    seconds: float
    started: int
    received: int
    throttled: int | None


def recorded(*limiters: RateLimiter) -> list[float]:
    """The start each ``acquire`` of these limiters counted (one list, in call order)."""
    starts: list[float] = []
    for limiter in limiters:
        def acquire(limiter: RateLimiter = limiter, original: Callable[[], None] = limiter.acquire) -> None:
            original()
            starts.append(limiter.windows[0].starts[-1])
        limiter.acquire = acquire  # type: ignore[method-assign]
    return starts


def _lines(provider: str, transport: JitterTransport, starts: list[float], seconds: float, throttled: int,
           limits: list[tuple[str, int, float, int, Callable[[str], bool]]]) -> list[Line]:
    """One :class:`Line` per limit; the 429s are those of the whole run (on the first line).

    ``starts`` are the limiter's (one per attempt, as the transport's ``paths`` and ``arrived``)."""
    lines = []
    for n, (label, published, per, allowed, counted) in enumerate(limits):
        keep = [i for i, path in enumerate(transport.paths) if counted(path)]
        sent = [starts[i] for i in keep]
        arrived = [transport.arrived[i] for i in keep]
        lines.append(Line(provider, label, published, per, allowed, len(keep), seconds, busiest(sent, per),
                          busiest(arrived, per), throttled if n == 0 else None))
    return lines


def pennylane(margin: float, jitter: float, calls: int) -> list[Line]:
    """``calls`` GET /me against the Pennylane emulator (25 per 5 s)."""
    transport = JitterTransport(jitter, jitter)
    with PennylaneEmulator() as server, PennylaneClient(PENNYLANE_TOKEN, server.base_url, transport=transport,
                                                        margin=margin) as client:
        starts = recorded(client.api.limiter)
        allowed = client.api.limiter.windows[0].allowed
        began = time.monotonic()
        for _ in range(calls):
            client.api.get_json(f"{PREFIX}/me")
        seconds = time.monotonic() - began
        return _lines("Pennylane", transport, starts, seconds, server.throttled,
                      [("25 / 5 s", 25, 5.0, allowed, lambda path: True)])


def hubspot(margin: float, jitter: float, calls: int) -> list[Line]:
    """``calls // 5`` searches (5 per second), then the rest as pipeline reads (100 per 10 s), the
    searches counting in the 10-second window too."""
    lines = []
    searches = max(1, calls // 5)
    for label, published, per, count in (("recherche 5 / s", 5, 1.0, searches),
                                         ("100 / 10 s", 100, 10.0, calls - searches)):
        transport = JitterTransport(jitter, jitter)
        with HubSpotEmulator(enforce_limits=True) as server, \
                HubSpotClient(HUBSPOT_TOKEN, base_url=server.base_url, transport=transport, margin=margin) as client:
            starts = recorded(client.search_api.limiter, client.api.limiter)
            search = label.startswith("recherche")
            window = (client.search_api if search else client.api).limiter.windows[0]
            body = {"filterGroups": [], "properties": ["dealname"], "limit": 1}
            began = time.monotonic()
            for _ in range(count):
                if search:
                    client.search_api.post_json(client.routes.search, body, idempotent=True)
                else:
                    client.api.get_json(client.routes.pipelines)
            seconds = time.monotonic() - began
            lines += _lines("HubSpot", transport, starts, seconds, server.throttled,
                            [(label, published, per, window.allowed, lambda path: True)])
    return lines


def quickbooks(margin: float, jitter: float, calls: int) -> list[Line]:
    """``calls`` CompanyInfo reads against the QuickBooks emulator (10 per second enforced)."""
    transport = JitterTransport(jitter, jitter)
    with QuickBooksEmulator() as server:
        server.limit_per_second = 10
        token = server.issue_tokens()["access_token"]
        with QuickBooksClient(server.base_url, server.realm, auth=lambda: {"Authorization": f"Bearer {token}"},
                              transport=transport, margin=margin) as client:
            starts = recorded(client._client.limiter)
            allowed = client._client.limiter.windows[0].allowed
            began = time.monotonic()
            for _ in range(calls):
                client.company_info()
            seconds = time.monotonic() - began
        return _lines("QuickBooks", transport, starts, seconds, server.throttled,
                      [("10 / s", 10, 1.0, allowed, lambda path: True)])


def main() -> None:
    """Run every client at every margin and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jitter", type=float, default=0.05, help="longest delay each way, seconds (0.05)")
    parser.add_argument("--margins", default="0.8,1.0", help="shares of the published limits to try (0.8,1.0)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the number of calls (1.0)")
    args = parser.parse_args()
    logging.getLogger("boardpack.http").setLevel(logging.ERROR)  # the retries are counted, not logged
    margins = [float(m) for m in args.margins.split(",")]
    runs = [(pennylane, 60), (hubspot, 150), (quickbooks, 60)]
    print(f"réseau : 0 à {args.jitter * 1000:.0f} ms à l'aller et autant au retour, tirés au hasard par requête")
    header = (f"{'marge':>5}  {'fournisseur':<10} {'limite publiée':<16} {'permis':>7} {'requêtes':>8} "
              f"{'durée':>7} {'débit':>9} {'pointe client':>13} {'pointe serveur':>14} {'429':>4}")
    print(header)
    print("-" * len(header))
    for margin in margins:
        for run, calls in runs:
            for line in run(margin, args.jitter, max(1, round(calls * args.scale))):
                rate = line.requests / line.seconds if line.seconds else 0.0
                throttled = "" if line.throttled is None else str(line.throttled)
                print(f"{margin:>5.2f}  {line.provider:<10} {line.limit:<16} {line.allowed:>3}/{line.per:<3g} "
                      f"{line.requests:>8} {line.seconds:>6.1f}s {rate:>6.2f}/s "
                      f"{line.started:>7}/{line.published:<5} {line.received:>8}/{line.published:<5} {throttled:>4}")
    print("pointe = le plus de requêtes dans une même fenêtre de la limite (client : départs ; serveur : arrivées)")


if __name__ == "__main__":
    main()
