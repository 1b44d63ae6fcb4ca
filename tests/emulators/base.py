"""The shared plumbing of the emulators: a threaded HTTP server on 127.0.0.1 and the demo data.

An emulator subclasses :class:`Emulator` and implements :meth:`Emulator.handle`, turning a
:class:`Request` into a :class:`Response`. Used as a context manager it listens on a free
port of 127.0.0.1 (``base_url``) and stops cleanly on exit. Every request is kept in
``requests`` for the tests to inspect; ``inject`` queues canned responses (a 429, a 503…)
served before the normal ones, for the next matching requests.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd

__all__ = ["Emulator", "FakeTime", "Request", "Response", "demo_datasets"]


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
