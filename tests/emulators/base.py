"""The shared plumbing of the emulators: a threaded HTTP server on 127.0.0.1 and the demo data.

An emulator subclasses :class:`Emulator` and implements :meth:`Emulator.handle`, turning a
:class:`Request` into a :class:`Response`. Used as a context manager it listens on a free
port of 127.0.0.1 (``base_url``) and stops cleanly on exit. Every request is kept in
``requests`` for the tests to inspect; ``inject`` queues canned responses (a 429, a 503…)
served before the normal ones, for the next matching requests.

:class:`FakeTime` lets rate limits and token expiry play out without sleeping;
:class:`JitterTransport` puts a random network delay between the client and an emulator
(tests and ``benchmarks/rate_limits.py``).
"""

from __future__ import annotations

import functools
import json
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pandas as pd

__all__ = ["Emulator", "FakeTime", "JitterTransport", "Request", "Response", "busiest", "demo_datasets"]


class FakeTime:
    """A clock that moves only when the code under test pauses; the pauses are kept.

    The ``fake_time`` fixture (conftest.py) puts it in place of the HTTP layer's ``pause``
    and ``clock``; an emulator given ``clock=fake_time.clock`` shares it, so rate limits
    and token expiry play out without anyone sleeping.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.pauses: list[float] = []

    def clock(self) -> float:
        """The current fake time (seconds)."""
        return self.now

    def pause(self, seconds: float) -> None:
        """Record the wait and move the clock on."""
        self.pauses.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Move the clock on without counting a wait (time spent on the network)."""
        self.now += seconds


class JitterTransport(httpx.BaseTransport):
    """Real HTTP to an emulator, with a random network delay on the way there and back.

    Each request is held ``uniform(0, uplink)`` seconds before it leaves (so it reaches the
    server that much after the client's rate limiter counted it) and its answer
    ``uniform(0, downlink)`` seconds after it came back. ``delay`` is how the time passes:
    ``time.sleep`` for real, or a :class:`FakeTime`'s ``advance``. ``sent`` keeps the clock
    reading (``clock``) at which each request was handed to the transport (the starts the
    client's limiter allowed), ``arrived`` the reading once the uplink delay is over (when the
    server receives it), ``paths`` their paths.
    """

    def __init__(self, uplink: float, downlink: float = 0.0, *, seed: int = 17,
                 delay: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.uplink = uplink
        self.downlink = downlink
        self.delay = delay
        self.clock = clock
        self.random = random.Random(seed)
        self.sent: list[float] = []
        self.paths: list[str] = []
        self.arrived: list[float] = []
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Delay, send through a plain HTTP transport, read the answer, delay again."""
        self.sent.append(self.clock())
        self.paths.append(request.url.path)
        self.delay(self.random.uniform(0, self.uplink))
        self.arrived.append(self.clock())
        response = self._inner.handle_request(request)
        response.read()
        self.delay(self.random.uniform(0, self.downlink))
        return response

    def close(self) -> None:
        """Close the underlying connections."""
        self._inner.close()


def busiest(starts: list[float], per: float) -> int:
    """The largest number of ``starts`` within any window of ``per`` seconds ([t, t + per))."""
    ordered = sorted(starts)
    best, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= per:
            first += 1
        best = max(best, last - first + 1)
    return best


@dataclass
class Request:
    """One request as the emulator received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header, case-insensitively."""
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    """What to answer: a status, a body (dict/list → JSON, str → text) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        """The body's bytes and content type."""
        if self.body is None:
            return b"", "text/plain"
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode("utf-8"), "application/json"
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        return str(self.body).encode("utf-8"), "text/plain; charset=utf-8"


class Emulator:
    """A provider API on 127.0.0.1; subclasses implement :meth:`handle`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._injected: list[tuple[Callable[[Request], bool], Response]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- to implement ------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Answer one request (called from the server's threads)."""
        raise NotImplementedError

    # -- fault injection -----------------------------------------------------------
    def inject(self, response: Response, times: int = 1, when: Callable[[Request], bool] = lambda r: True) -> None:
        """Serve ``response`` instead of the normal answer to the next ``times`` matching requests."""
        with self._lock:
            self._injected.extend([(when, response)] * times)

    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            for index, (when, response) in enumerate(self._injected):
                if when(request):
                    del self._injected[index]
                    return response
        return self.handle(request)

    # -- server --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        assert self._server is not None, "emulator not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Emulator:
        handler = functools.partial(_Handler, self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # answers leave at once: no Nagle delay between the headers and the body (40 ms a call)
        self._server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, emulator: Emulator, *args: Any, **kwargs: Any) -> None:
        self.emulator = emulator
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        pass

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            response = self.emulator._dispatch(request)
        except Exception as exc:  # an emulator bug shows as a 500 the test will notice
            response = Response(500, f"emulator error: {exc.__class__.__name__}: {exc}")
        payload, content_type = response.encode()
        self.send_response(response.status)
        headers = {"Content-Type": content_type, **response.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


@functools.lru_cache(maxsize=1)
def _demo() -> dict[str, pd.DataFrame]:
    from boardpack.testing import demo_datasets

    return demo_datasets()


def demo_datasets() -> dict[str, pd.DataFrame]:
    """The demo company's canonical datasets (copies), as the emulators' source of truth."""
    return {name: frame.copy() for name, frame in _demo().items()}
