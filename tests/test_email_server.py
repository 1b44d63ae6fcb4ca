"""A real SMTP server on 127.0.0.1 for the delivery tests (aiosmtpd), and the tests of the server itself.

:class:`SmtpServer` records every accepted message and can be told how to answer: a
reply per ``DATA`` (``"451 …"``, ``"550 …"``) or ``"drop"`` to close the connection once
the message data was received, without answering; and a reply per ``RCPT`` address.
TLS certificates for the STARTTLS / implicit TLS tests are made with the ``openssl``
command (the venv has no ``cryptography``); those tests are skipped without it.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import smtplib
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

__all__ = ["Received", "SmtpServer", "free_port", "self_signed"]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The parsed message."""
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def attachments(self) -> dict[str, bytes]:
        """File name → bytes of each attachment."""
        return {part.get_filename(): part.get_payload(decode=True) for part in self.message.iter_attachments()}

    def text(self) -> str:
        """The plain-text body."""
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    def html(self) -> str:
        """The HTML alternative."""
        body = self.message.get_body(("html",))
        assert body is not None
        return str(body.get_content())


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    #: messages whose data arrived before the connection was dropped on purpose
    dropped: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self.data_replies.pop(0) if self.data_replies else "250 Message accepted"
        message = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        if reply == "drop":
            self.dropped.append(message)
            server.transport.abort()
            return "250 never seen by the client"
        if reply.startswith("250"):
            self.received.append(message)
        return reply


class SmtpServer:
    """aiosmtpd on 127.0.0.1, started and stopped by the ``smtp_server`` fixture."""

    def __init__(self, **smtp_parameters: Any) -> None:
        self.handler = _Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **smtp_parameters)

    @property
    def received(self) -> list[Received]:
        """The messages accepted so far."""
        return self.handler.received

    def answer_data(self, *replies: str) -> None:
        """The replies to the next DATA commands, in order (``"drop"``: close without replying)."""
        self.handler.data_replies.extend(replies)

    def answer_rcpt(self, address: str, reply: str) -> None:
        """Always answer ``reply`` to ``RCPT TO:<address>``."""
        self.handler.rcpt_replies[address] = reply

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 (``tls = "none"``), stopped after the test."""
    with SmtpServer() as server:
        yield server


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by ``openssl`` (test skipped without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("la commande openssl est nécessaire pour fabriquer un certificat de test")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made once per session."""
    return self_signed(tmp_path_factory.mktemp("tls"))


def server_tls_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The server side of the test TLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_server_records_accepted_messages(smtp_server: SmtpServer) -> None:
    """The test server keeps what it accepted: envelope and data."""
    with smtplib.SMTP("127.0.0.1", smtp_server.port, local_hostname="test", timeout=5) as client:
        client.sendmail("a@example.fr", ["b@example.fr"], b"Subject: essai\r\n\r\nbonjour\r\n")
    [message] = smtp_server.received
    assert message.rcpt_tos == ["b@example.fr"]
    assert message.message["Subject"] == "essai"


def test_server_answers_as_told(smtp_server: SmtpServer) -> None:
    """Scripted replies: 451 on DATA, then acceptance; 550 on a given recipient."""
    smtp_server.answer_data("451 4.3.0 Réessayez plus tard")
    smtp_server.answer_rcpt("inconnu@example.fr", "550 5.1.1 Boite inconnue")
    with smtplib.SMTP("127.0.0.1", smtp_server.port, local_hostname="test", timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("a@example.fr", ["b@example.fr"], b"Subject: 1\r\n\r\nx\r\n")
        assert refused.value.smtp_code == 451
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("a@example.fr", ["inconnu@example.fr"], b"Subject: 2\r\n\r\nx\r\n")
        client.sendmail("a@example.fr", ["b@example.fr"], b"Subject: 3\r\n\r\nx\r\n")
    assert [m.message["Subject"] for m in smtp_server.received] == ["3"]


_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def dirigeant_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's « dirigeant » pack for 2026-10, built once per session (shared by every module)."""
    if "dirigeant" not in _BUILT:
        from conftest import DEMO_CONFIG

        from boardpack import plugins
        from boardpack.build import build
        from boardpack.config import load_config
        from boardpack.periods import Month

        out = tmp_path_factory.mktemp("dirigeant")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BOARDPACK_LOAD_PLUGINS", "")
            plugins.reset()
            try:
                result = build(load_config(DEMO_CONFIG), Month(2026, 10), ["dirigeant"], out)
            finally:
                plugins.reset()
        _BUILT["dirigeant"] = result.paths["dirigeant"]
    return _BUILT["dirigeant"]
