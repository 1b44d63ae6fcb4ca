"""The ``webhook`` channel against a real HTTP server on 127.0.0.1 (http.server in a thread).

The server answers each POST with the next scripted status (200 once the script is used
up) and keeps what it received: headers and the multipart parts, parsed with the standard
library's email parser. Waits between attempts are recorded, never slept.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boardpack_webhook.channel as plugin
import pytest
from boardpack_webhook import WebhookChannel, shown_url

from boardpack.api.errors import ConfigError, DeliveryError
from boardpack.api import Delivery, DeliveryFailure
from boardpack.testing import configured, make_config, registered

TOKEN = "tok-3f9a1c77e2b845d0"
PDF = b"%PDF-1.7\n% boardpack test\n%%EOF\n"


@dataclass
class Received:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    parts: dict[str, tuple[str | None, str, bytes]] = field(default_factory=dict)


class Hook:
    """A scripted webhook receiver on a free port of 127.0.0.1."""

    def __init__(self, statuses: list[int] | None = None, body: str = "", headers: dict[str, str] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.body = body
        self.extra_headers = dict(headers or {})
        self.received: list[Received] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw
                )
                parts = {
                    part.get_param("name", header="content-disposition"): (
                        part.get_filename(), part.get_content_type(), part.get_payload(decode=True)
                    )
                    for part in message.iter_parts()
                }
                hook.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, parts))
                status = hook.statuses.pop(0) if hook.statuses else 200
                payload = hook.body.encode("utf-8")
                self.send_response(status)
                for name, value in hook.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        """Where the hook listens."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/boardpack"

    def __enter__(self) -> Hook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between attempts, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(WebhookChannel, "sleep", staticmethod(recorded.append))
    return recorded


@pytest.fixture
def delivery(tmp_path: Path) -> Delivery:
    """A finished pack to deliver."""
    path = tmp_path / "dirigeant_2026-10.pdf"
    path.write_bytes(PDF)
    return Delivery(path=path, audience="dirigeant", title="Synthèse dirigeant", period="2026-10",
                    company="Mécanique de Précision du Rhône")


def channel(url: str, **options: Any) -> WebhookChannel:
    """A webhook channel ``hook`` with the token and short timeouts."""
    return WebhookChannel("hook", {"url": url, "token": TOKEN, "timeout": 2, **options}, Path("."))


def test_posts_pdf_and_metadata(delivery: Delivery, waits: list[float]) -> None:
    """One multipart POST: JSON metadata with the PDF's sha256, the PDF, the bearer token."""
    with Hook() as hook:
        receipt = channel(hook.url).deliver(delivery)
    assert receipt == f"dirigeant → {hook.url} (HTTP 200)"
    assert waits == []
    (request,) = hook.received
    assert request.path == "/hooks/boardpack"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    digest = hashlib.sha256(PDF).hexdigest()
    assert request.headers["idempotency-key"] == digest
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    filename, content_type, metadata = request.parts["metadata"]
    assert (filename, content_type) == (None, "application/json")
    assert json.loads(metadata.decode("utf-8")) == {
        "company": "Mécanique de Précision du Rhône", "period": "2026-10", "audience": "dirigeant",
        "title": "Synthèse dirigeant", "filename": "dirigeant_2026-10.pdf", "size": len(PDF),
        "sha256": digest, "language": "fr",
    }
    assert request.parts["file"] == ("dirigeant_2026-10.pdf", "application/pdf", PDF)


def test_metadata_in_the_packs_language(delivery: Delivery, waits: list[float]) -> None:
    """The metadata's language is the delivery's (an English pack says ``en``); every audience is delivered."""
    from dataclasses import replace

    with Hook() as hook:
        sender = channel(hook.url)
        sender.deliver(replace(delivery, language="en"))
    assert json.loads(hook.received[0].parts["metadata"][2].decode("utf-8"))["language"] == "en"
    assert sender.recipients("dirigeant") == sender.recipients("une_autre_audience") == ["hook"]


def test_scheme_option_and_no_token(delivery: Delivery, waits: list[float]) -> None:
    """``scheme = "Token"`` changes the prefix; without a token there is no Authorization header."""
    with Hook() as hook:
        channel(hook.url, scheme="Token").deliver(delivery)
        WebhookChannel("anonyme", {"url": hook.url}, Path(".")).deliver(delivery)
    assert hook.received[0].headers["authorization"] == f"Token {TOKEN}"
    assert "authorization" not in hook.received[1].headers


def test_retries_on_5xx_then_succeeds(delivery: Delivery, waits: list[float]) -> None:
    """503, 502, then 200: three attempts, waiting 1 then 2 seconds; Retry-After is honoured."""
    with Hook([503, 502]) as hook:
        assert channel(hook.url).deliver(delivery).endswith("(HTTP 200)")
    assert len(hook.received) == 3 and waits == [1.0, 2.0]
    waits.clear()
    with Hook([429], headers={"Retry-After": "7"}) as hook:
        channel(hook.url).deliver(delivery)
    assert waits == [7.0]


def test_gives_up_after_retries(delivery: Delivery, waits: list[float]) -> None:
    """Four 500s with retries = 3: one sentence, a transient failure, the token nowhere."""
    with Hook([500] * 4) as hook:
        with pytest.raises(DeliveryError) as caught:
            channel(hook.url).deliver(delivery)
    assert len(hook.received) == 4 and waits == [1.0, 2.0, 4.0]
    assert str(caught.value) == (
        f"canal « hook » : {hook.url} a répondu HTTP 500 Internal Server Error à 4 tentatives pour "
        "le dossier « dirigeant » (2026-10) ; réessayez plus tard"
    )
    assert isinstance(caught.value, DeliveryFailure) and caught.value.outcome == "transient"


def test_4xx_is_final_and_explained(delivery: Delivery, waits: list[float]) -> None:
    """401 is not retried; the message says what to check and blanks out a token the server echoes."""
    with Hook([401], body=f"invalid token {TOKEN}\n") as hook:
        with pytest.raises(DeliveryError) as caught:
            channel(hook.url).deliver(delivery)
    assert len(hook.received) == 1 and waits == []
    assert str(caught.value) == (
        f"canal « hook » : {hook.url} a refusé le dossier « dirigeant » (2026-10) (HTTP 401 Unauthorized : "
        "« invalid token *** ») ; vérifiez le jeton (option token) et ses droits"
    )
    assert TOKEN not in str(caught.value)
    assert isinstance(caught.value, DeliveryFailure) and caught.value.outcome == "permanent"
    with Hook([413]) as hook:
        with pytest.raises(DeliveryError, match=r"\(HTTP 413 Request Entity Too Large\) ; le PDF dépasse la taille"):
            channel(hook.url).deliver(delivery)
    with Hook([302], headers={"Location": "https://elsewhere.example/"}) as hook:
        with pytest.raises(DeliveryError, match=r"\(HTTP 302 Found\) ; indiquez l'adresse finale"):
            channel(hook.url).deliver(delivery)
    assert len(hook.received) == 1


def test_connection_refused_and_timeout(delivery: Delivery, waits: list[float]) -> None:
    """Nobody listening: a transient failure after the retries; a server that never answers: « unknown »."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError, match=r"^canal « hook » : connexion impossible à http://127.0.0.1:\d+/hooks "
                                            r"\(ConnectError, 2 tentatives\) pour le dossier « dirigeant » \(2026-10\) ; "
                                            r"vérifiez l'adresse et le réseau$"):
        channel(f"http://127.0.0.1:{port}/hooks", retries=1).deliver(delivery)
    assert waits == [1.0]
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hooks"
        with pytest.raises(DeliveryError) as caught:
            channel(url, retries=0, timeout=0.2).deliver(delivery)
    assert str(caught.value) == (
        f"canal « hook » : pas de réponse de {url} en 0.2 s (1 tentative) pour le dossier « dirigeant » (2026-10) ; "
        "il a peut-être été reçu : vérifiez chez le destinataire avant de relancer"
    )
    assert isinstance(caught.value, DeliveryFailure) and caught.value.outcome == "unknown"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url": "http://hooks.example.com/x"}, (r"^clé « channels.hook.url » : http://hooks.example.com/x n'est "
                                                 r"pas chiffrée \(http\) ; utilisez https")),
        ({"url": "https://user:pw@hooks.example.com/x"}, r"^clé « channels.hook.url » : identifiants dans l'adresse refusés"),
        ({"url": "ftp://hooks.example.com/x"}, r"^clé « channels.hook.url » : adresse invalide"),
        ({"url": "https://h.example/x", "timeout": 0}, r"^clé « channels.hook.timeout » : un nombre de secondes"),
        ({"url": "https://h.example/x", "retries": -1}, r"^clé « channels.hook.retries » : un nombre entier de 0 à 10"),
        ({"url": "https://h.example/x", "token": ""}, r"^clé « channels.hook.token » : un jeton est attendu"),
        ({"url": "https://h.example/x", "scheme": "Bearer x"}, r"^clé « channels.hook.scheme » : un mot est attendu"),
    ],
    ids=["plain-http", "credentials", "scheme", "timeout", "retries", "empty-token", "bad-scheme"],
)
def test_options_are_checked_when_the_channel_is_built(options: dict[str, Any], message: str) -> None:
    """Bad options fail before anything is sent, naming the key."""
    with pytest.raises(ConfigError, match=message):
        WebhookChannel("hook", options, Path("."))


def test_shown_url_hides_secrets() -> None:
    """No query, no credentials, long path segments (keys) elided."""
    assert shown_url("https://hooks.example.com/services/T0001/XyZ123abcdefghijkl?key=s3cr3t") == (
        "https://hooks.example.com/services/T0001/…"
    )
    assert shown_url("http://127.0.0.1:8080/hooks/boardpack") == "http://127.0.0.1:8080/hooks/boardpack"


def test_token_from_env_through_the_config(delivery: Delivery, waits: list[float],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """``token = { env = "…" }`` is resolved by the host when it builds the channel from the config."""
    monkeypatch.setenv("BOARDPACK_TEST_WEBHOOK_TOKEN", TOKEN)
    with Hook() as hook, registered(plugin):
        config = make_config(channels={"hook": {"type": "webhook", "url": hook.url,
                                                 "token": {"env": "BOARDPACK_TEST_WEBHOOK_TOKEN"}}})
        built = configured(config, "channels.hook")
        assert isinstance(built, WebhookChannel)
        built.deliver(delivery)
    assert hook.received[0].headers["authorization"] == f"Bearer {TOKEN}"
    monkeypatch.delenv("BOARDPACK_TEST_WEBHOOK_TOKEN")
    with registered(plugin), pytest.raises(ConfigError, match=r"BOARDPACK_TEST_WEBHOOK_TOKEN n'est pas définie"):
        configured(config, "channels.hook")


def test_token_never_logged(delivery: Delivery, waits: list[float], caplog: pytest.LogCaptureFixture) -> None:
    """Even at DEBUG level (httpx and httpcore included), no log record holds the token."""
    import logging

    caplog.set_level(logging.DEBUG)
    with Hook([503, 401], body=f"bad {TOKEN}") as hook, pytest.raises(DeliveryError):
        channel(hook.url).deliver(delivery)
    assert caplog.records  # httpx did log the requests
    assert TOKEN not in caplog.text
