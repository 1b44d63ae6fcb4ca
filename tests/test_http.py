"""The shared HTTP layer against a local server: timeouts, retries, Retry-After, limiter, errors."""

from __future__ import annotations

import email.utils
import functools
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from http.server import ThreadingHTTPServer

import httpx
import pytest
from emulators.base import Emulator, Request, Response, _Handler

from boardpack.connectors import http
from boardpack.connectors.http import ApiClient, ApiError, Provider
from boardpack.errors import SourceError

TOKEN = "s3cr3t-token-abcdef0123"


class Items(Emulator):
    """A tiny API: ``GET /items`` answers a list when the bearer token is the expected one."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.release = threading.Event()
        self.slow = False

    def handle(self, request: Request) -> Response:
        if self.slow:
            self.release.wait(timeout=5)
        if self.token is not None and request.header("authorization") != f"Bearer {self.token}":
            return Response(401, {"error": "The access token is invalid", "status": 401})
        if request.path == "/items":
            return Response(200, {"items": [1, 2, 3], "page": request.arg("page", "1")})
        if request.path == "/text":
            return Response(200, "<html>pas du JSON</html>")
        return Response(404, {"error": "Not Found", "status": 404})


class _Dropping(_Handler):
    """Closes the connection without answering while the emulator's ``drop`` counter is positive."""

    def _serve(self) -> None:
        emulator = self.emulator
        if getattr(emulator, "drop", 0) > 0:
            emulator.drop -= 1  # type: ignore[attr-defined]
            emulator.requests.append(Request(self.command, self.path, {}, {}))
            self.close_connection = True
            return
        super()._serve()

    do_GET = do_POST = _serve


class DroppingItems(Items):
    """:class:`Items` whose first ``drop`` requests see the server hang up."""

    def __init__(self, drop: int) -> None:
        super().__init__()
        self.drop = drop

    def __enter__(self) -> DroppingItems:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Dropping, self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "pause", recorded.append)
    return recorded


@pytest.fixture(scope="module")
def _shared() -> Iterator[Items]:
    with Items() as emulator:
        yield emulator


@pytest.fixture
def api(_shared: Items) -> Items:
    """The module's running :class:`Items` emulator, its log, faults and slowness reset."""
    _shared.requests.clear()
    _shared._injected.clear()
    _shared.slow = False
    _shared.release = threading.Event()
    return _shared


def provider(base_url: str, **changes: object) -> Provider:
    """A test provider with a generous limiter."""
    options: dict[str, object] = {"name": "Test", "base_url": base_url, "rate": 100, "per": 1.0, "timeout": 5.0}
    options.update(changes)
    return Provider(**options)  # type: ignore[arg-type]


def test_success_returns_the_json_body(api: Items, pauses: list[float]) -> None:
    """A 200 is returned at once, its JSON decoded, with no wait."""
    with ApiClient(provider(api.base_url)) as client:
        assert client.get_json("/items", params={"page": 2}) == {"items": [1, 2, 3], "page": "2"}
    assert pauses == []
    assert len(api.requests) == 1


def test_timeout_is_applied_to_every_call(api: Items, pauses: list[float]) -> None:
    """A server slower than ``timeout`` gives an ApiError naming the delay, quickly."""
    api.slow = True
    client = ApiClient(provider(api.base_url, timeout=0.2, retries=1))
    assert client._client.timeout == httpx.Timeout(0.2)
    started = time.perf_counter()
    try:
        with pytest.raises(ApiError) as caught:
            client.get_json("/items")
    finally:
        api.release.set()
        client.close()
    assert time.perf_counter() - started < 3
    assert caught.value.status is None
    assert len(pauses) == 1
    assert str(caught.value) == (
        "Test : GET /items n'a pas répondu dans le délai de 0.2 s après 2 tentatives (ReadTimeout) ; "
        "le service est lent ou injoignable : réessayez plus tard ou augmentez l'option timeout"
    )


def test_429_with_retry_after_seconds_then_success(api: Items, pauses: list[float]) -> None:
    """A plain-text 429 with ``Retry-After: 2`` waits exactly 2 s, then the retry succeeds."""
    api.inject(Response(429, "Rate limit exceeded. Please retry in 2 seconds.",
                        {"Retry-After": "2", "ratelimit-limit": "25", "ratelimit-remaining": "0"}))
    with ApiClient(provider(api.base_url)) as client:
        assert client.get_json("/items")["items"] == [1, 2, 3]
    assert pauses == [2.0]
    assert len(api.requests) == 2


def test_retry_after_as_http_date(api: Items, pauses: list[float]) -> None:
    """``Retry-After`` given as an HTTP date waits until that date (by the server's clock)."""
    api.inject(Response(503, "maintenance", {"Retry-After": email.utils.formatdate(time.time() + 7, usegmt=True)}))
    with ApiClient(provider(api.base_url)) as client:
        client.get_json("/items")
    assert len(pauses) == 1
    assert 6.0 <= pauses[0] <= 7.0


def test_503_then_success_backs_off_with_jitter(api: Items, pauses: list[float]) -> None:
    """A 503 without Retry-After waits a random time within backoff × 2^attempt, then succeeds."""
    api.inject(Response(503, {"message": "busy"}), times=2)
    with ApiClient(provider(api.base_url, backoff=0.5)) as client:
        assert client.get_json("/items")["page"] == "1"
    assert len(pauses) == 2
    assert 0 <= pauses[0] <= 1.0 and 0 <= pauses[1] <= 2.0
    assert len(api.requests) == 3


def test_persistent_5xx_fails_after_the_retries(api: Items, pauses: list[float]) -> None:
    """Always 503: 1 + retries attempts, then one sentence naming provider, endpoint, status, count."""
    api.inject(Response(503, ""), times=10)
    with ApiClient(provider(api.base_url, retries=2)) as client:
        with pytest.raises(ApiError) as caught:
            client.get_json("/items", params={"page": 3})
    error = caught.value
    assert isinstance(error, SourceError) and error.exit_code == 4
    assert (error.provider, error.method, error.endpoint, error.status) == ("Test", "GET", "/items", 503)
    assert str(error) == "Test : GET /items a répondu 503 après 3 tentatives ; le service est indisponible, réessayez plus tard"
    assert len(api.requests) == 3 and len(pauses) == 2


def test_backoff_is_capped_by_max_wait(api: Items, pauses: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    """The jitter's upper bound grows as backoff × 2^attempt but never beyond max_wait."""
    bounds: list[float] = []
    monkeypatch.setattr(http.random, "uniform", lambda low, high: bounds.append(high) or high)
    api.inject(Response(500, "boom"), times=4)
    with ApiClient(provider(api.base_url, backoff=1.0, max_wait=5.0)) as client:
        client.get_json("/items")
    assert bounds == [2.0, 4.0, 5.0, 5.0]
    assert pauses == bounds


def test_retry_after_beyond_max_wait_fails_at_once(api: Items, pauses: list[float]) -> None:
    """A Retry-After longer than max_wait is a clear error, not a hang."""
    api.inject(Response(429, "Rate limit exceeded. Please retry in 3600 seconds.", {"Retry-After": "3600"}))
    with ApiClient(provider(api.base_url, max_wait=60)) as client:
        with pytest.raises(ApiError) as caught:
            client.get_json("/items")
    assert pauses == []
    assert "attente demandée de 3600 s, au-delà du maximum de 60 s" in str(caught.value)
    assert caught.value.status == 429


def test_plain_text_429_body_in_the_error(api: Items, pauses: list[float]) -> None:
    """Persistent plain-text 429s: the provider's text is quoted, no JSON decoding is attempted."""
    api.inject(Response(429, "Rate limit exceeded. Please retry in 1 seconds.", {"Retry-After": "1"}), times=5)
    with ApiClient(provider(api.base_url, retries=1)) as client:
        with pytest.raises(ApiError) as caught:
            client.get_json("/items")
    assert str(caught.value) == (
        "Test : GET /items a répondu 429 après 2 tentatives (trop de requêtes : Rate limit exceeded. "
        "Please retry in 1 seconds) ; la limite de requêtes est atteinte, réessayez plus tard"
    )
    assert pauses == [1.0]


def test_server_closing_the_connection_is_retried(pauses: list[float]) -> None:
    """A connection closed without an answer (transport error) is retried, then succeeds."""
    with DroppingItems(drop=2) as api, ApiClient(provider(api.base_url)) as client:
        assert client.get_json("/items")["items"] == [1, 2, 3]
    assert len(api.requests) == 3 and len(pauses) == 2


def test_unreachable_server_is_a_clear_error(pauses: list[float]) -> None:
    """Nothing listening: retried, then « est injoignable » with what to check."""
    with Items() as api:
        base_url = api.base_url
    with ApiClient(provider(base_url, retries=1)) as client, pytest.raises(ApiError) as caught:
        client.get_json("/items")
    assert str(caught.value) == (
        "Test : GET /items est injoignable après 2 tentatives (ConnectError) ; "
        "vérifiez base_url et la connexion réseau, puis réessayez"
    )
    assert len(pauses) == 1


@pytest.mark.parametrize(("status", "body", "sentence"), [
    (400, {"message": "Invalid filter", "code": "InvalidDateFormat"},
     ("Test : GET /items a répondu 400 (requête refusée : Invalid filter) ; vérifiez les options de la source "
     "(période, filtres) ; si cela persiste, signalez un défaut de boardpack")),
    (401, {"error": "The access token is invalid", "status": 401},
     ("Test : GET /items a répondu 401 (authentification refusée : The access token is invalid) ; "
     "vérifiez le jeton d'accès dans la configuration")),
    (403, {"error": 'Access to this resource requires scope "ledger"', "status": 403},
     ('Test : GET /items a répondu 403 (accès refusé : Access to this resource requires scope "ledger") ; '
     "vérifiez le jeton d'accès dans la configuration")),
    (404, {"error": "Not Found", "status": 404},
     ("Test : GET /items a répondu 404 (ressource introuvable : Not Found) ; vérifiez base_url et les "
     "identifiants (société, compte) de la configuration")),
])
def test_client_errors_are_not_retried(api: Items, pauses: list[float], status: int, body: dict[str, object],
                                       sentence: str) -> None:
    """400/401/403/404 fail on the first answer, with the provider's message and what to do."""
    api.inject(Response(status, body))
    with ApiClient(provider(api.base_url)) as client, pytest.raises(ApiError) as caught:
        client.get_json("/items")
    assert str(caught.value) == sentence
    assert caught.value.status == status
    assert len(api.requests) == 1 and pauses == []


def test_401_refreshes_once_and_retries_with_the_new_token(pauses: list[float]) -> None:
    """On a 401, ``refresh`` is called once and the request is resent with the new token."""
    tokens = ["old-token-0000000", "new-token-1111111"]
    current = {"token": tokens[0]}

    refused: list[dict[str, str]] = []

    def refresh(sent: Mapping[str, str]) -> None:
        refused.append(dict(sent))
        current["token"] = tokens[1]

    with Items(token=tokens[1]) as api:
        with ApiClient(provider(api.base_url), auth=lambda: {"Authorization": f"Bearer {current['token']}"},
                       refresh=refresh) as client:
            assert client.get_json("/items")["items"] == [1, 2, 3]
    assert [r.header("authorization") for r in api.requests] == [f"Bearer {t}" for t in tokens]
    assert refused == [{"Authorization": f"Bearer {tokens[0]}"}]  # the token actually refused
    assert pauses == []


def test_second_401_after_refresh_is_an_error(pauses: list[float]) -> None:
    """A token still refused after one refresh gives the auth hint; refresh is not called again."""
    calls: list[int] = []
    with Items(token="the-right-token-999") as api:
        with ApiClient(provider(api.base_url, auth_hint="reconnectez l'application"),
                       auth=lambda: {"Authorization": "Bearer wrong-token-12345"},
                       refresh=lambda sent: calls.append(1)) as client:
            with pytest.raises(ApiError) as caught:
                client.get_json("/items")
    assert calls == [1]
    assert len(api.requests) == 2
    assert str(caught.value).endswith("; reconnectez l'application")
    assert caught.value.status == 401


def test_validate_can_refuse_a_200(api: Items, pauses: list[float]) -> None:
    """``validate`` turns an error hidden in a 200 into an ApiError, without retrying."""

    def validate(response: httpx.Response) -> None:
        if "items" in response.json():
            raise ApiError.from_response("Test", response, "ValidationFault : Invalid query",
                                         "vérifiez la requête", what="a renvoyé une erreur dans une réponse 200")

    with ApiClient(provider(api.base_url)) as client, pytest.raises(ApiError) as caught:
        client.get_json("/items", params={"page": 1}, validate=validate)
    assert str(caught.value) == (
        "Test : GET /items a renvoyé une erreur dans une réponse 200 (ValidationFault : Invalid query) ; "
        "vérifiez la requête"
    )
    assert caught.value.status == 200
    assert len(api.requests) == 1


def test_rate_limiter_keeps_the_sliding_window(api: Items, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no margin, at most ``rate`` requests start in any ``per`` seconds (fake clock advanced by the pauses)."""
    now = [100.0]
    waits: list[float] = []

    def fake_pause(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(http, "pause", fake_pause)
    monkeypatch.setattr(http, "clock", lambda: now[0])
    starts: list[float] = []
    with ApiClient(provider(api.base_url, rate=3, per=5.0, margin=1.0)) as client:
        for index in range(7):
            client.get_json("/items")
            starts.append(now[0])
            now[0] += 0.5  # each request "takes" half a second
    assert waits == pytest.approx([3.5, 3.5])
    assert starts == pytest.approx([100.0, 100.5, 101.0, 105.0, 105.5, 106.0, 110.0])
    for start in starts:
        assert sum(1 for s in starts if start <= s < start + 5.0) <= 3


def test_tokens_never_in_errors_or_logs(pauses: list[float], caplog: pytest.LogCaptureFixture) -> None:
    """A provider echoing the token in its message: the error masks it, logs never show it."""

    class Echo(Items):
        def handle(self, request: Request) -> Response:
            return Response(401, {"error": f"Token expired: {TOKEN}", "status": 401})

    caplog.set_level(logging.DEBUG, logger="boardpack.http")
    with Echo() as api:
        with ApiClient(provider(api.base_url), auth=lambda: {"Authorization": f"Bearer {TOKEN}"}) as client:
            with pytest.raises(ApiError) as caught:
                client.get_json("/items", params={"page": 1})
    assert TOKEN not in str(caught.value)
    assert "Token expired: <secret>" in str(caught.value)
    assert caplog.records, "the calls are logged"
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert all("page=" not in record.getMessage() for record in caplog.records)
    assert api.requests[0].query == {"page": ["1"]}


def test_non_json_body_is_a_clear_error(api: Items, pauses: list[float]) -> None:
    """A 200 that is not JSON (a web page): says so and points at base_url."""
    with ApiClient(provider(api.base_url)) as client, pytest.raises(ApiError) as caught:
        client.get_json("/text")
    assert str(caught.value) == (
        "Test : GET /text a répondu 200 avec un contenu qui n'est pas du JSON ; "
        "vérifiez base_url (elle doit désigner l'API elle-même)"
    )


def test_absolute_next_link_on_the_same_host_only(api: Items, pauses: list[float]) -> None:
    """A next-page URL on base_url's host is followed; another host is refused before any call."""
    with ApiClient(provider(api.base_url), auth=lambda: {"Authorization": f"Bearer {TOKEN}"}) as client:
        assert client.get_json(f"{api.base_url}/items?page=2")["page"] == "2"
        with pytest.raises(ApiError) as caught:
            client.get_json("https://evil.example/items?page=3")
    assert len(api.requests) == 1
    assert "autre hôte" in str(caught.value) and TOKEN not in str(caught.value)


def test_base_url_path_prefix_is_kept(pauses: list[float]) -> None:
    """A base_url with a path (``…/api``) prefixes relative paths, in requests and errors."""
    with Items() as api, ApiClient(provider(f"{api.base_url}/api")) as client:
        with pytest.raises(ApiError) as caught:
            client.get_json("/items")
    assert api.requests[0].path == "/api/items"
    assert caught.value.endpoint == "/api/items"


def test_post_json_sends_a_json_body(pauses: list[float]) -> None:
    """``post_json`` sends its body as JSON and decodes the answer."""

    class Search(Emulator):
        def handle(self, request: Request) -> Response:
            return Response(200, {"echo": request.json(), "type": request.header("content-type")})

    with Search() as api:
        with ApiClient(provider(api.base_url), headers={"Accept": "application/json"}) as client:
            answer = client.post_json("/search", {"limit": 1})
    assert answer == {"echo": {"limit": 1}, "type": "application/json"}
    assert api.requests[0].header("accept") == "application/json"


class Counting(Emulator):
    """Answers each request with the next status of ``statuses`` (then 200)."""

    def __init__(self, *statuses: int) -> None:
        super().__init__()
        self.statuses = list(statuses)

    def handle(self, request: Request) -> Response:
        status = self.statuses.pop(0) if self.statuses else 200
        return Response(status, {"ok": status == 200})


def test_post_is_not_retried_after_a_5xx(pauses: list[float]) -> None:
    """A POST answered 502 may have been acted upon: one attempt, no wait, the 5xx sentence."""
    with Counting(502, 502) as api, ApiClient(provider(api.base_url)) as client, \
            pytest.raises(ApiError, match="a répondu 502 ; le service est indisponible"):
        client.post_json("/tokens", {"grant": "x"})
    assert len(api.requests) == 1 and pauses == []


def test_post_is_retried_on_429_and_when_marked_idempotent(pauses: list[float]) -> None:
    """A 429 was refused before any action: the POST is sent again; a search POST marked idempotent
    is retried on a 5xx like a GET."""
    with Counting(429, 503) as api, ApiClient(provider(api.base_url)) as client:
        with pytest.raises(ApiError, match="a répondu 503"):
            client.post_json("/tokens", {})
        assert len(api.requests) == 2
        api.statuses = [503]
        assert client.post_json("/search", {}, idempotent=True) == {"ok": True}
    assert len(api.requests) == 4 and len(pauses) == 2


def test_post_is_not_retried_after_a_dropped_connection(pauses: list[float]) -> None:
    """The connection closed after the request was sent: a POST is not sent again, a GET is."""
    with DroppingItems(drop=1) as api, ApiClient(provider(api.base_url)) as client, \
            pytest.raises(ApiError, match="POST /items"):
        client.request("POST", "/items")
    assert len(api.requests) == 1 and pauses == []


def test_post_is_retried_when_the_connection_was_refused(pauses: list[float]) -> None:
    """Nothing listens: the request never left, so even a POST is tried ``retries + 1`` times."""
    with Items() as stopped:
        base_url = stopped.base_url
    with ApiClient(provider(base_url, retries=2)) as client, \
            pytest.raises(ApiError, match="est injoignable après 3 tentatives"):
        client.post_json("/tokens", {})
    assert len(pauses) == 2
