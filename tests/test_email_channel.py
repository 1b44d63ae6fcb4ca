"""The ``email`` channel against a real SMTP server on 127.0.0.1: what arrives, TLS, and how failures are classed."""

from __future__ import annotations

import smtplib
import ssl
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from test_email_server import (  # noqa: F401  (fixtures)
    SmtpServer,
    certificate,
    dirigeant_pdf,
    free_port,
    server_tls_context,
    smtp_server,
)

from boardpack.default_plugins.channels.email import EmailChannel, tls_context
from boardpack.default_plugins.channels.email_message import message_id
from boardpack.errors import ConfigError
from boardpack.api import Delivery, DeliveryFailure, Notice

AUDIENCES = {
    "dirigeant": {"to": ["pdg@example.fr"], "cc": ["assistante@example.fr"], "reply_to": "daf@example.fr"},
    "board": {"to": ["chair@example.com", "member@example.com"]},
}


def channel(smtp_port: int, tmp_path: Path, **options: Any) -> EmailChannel:
    """An email channel towards 127.0.0.1:smtp_port, no TLS unless told."""
    settings = {"host": "127.0.0.1", "port": smtp_port, "tls": "none", "from": "Boardpack <packs@mpr.example.fr>",
                "audiences": AUDIENCES, "timeout": 5, **options}
    return EmailChannel("mail", settings, tmp_path)


def pack(path: Path, **fields: Any) -> Delivery:
    """The delivery of ``path`` for the CEO, period 2026-10, schedule « mensuel »."""
    values: dict[str, Any] = {"audience": "dirigeant", "title": "Synthèse dirigeant", "period": "2026-10",
                              "company": "Mécanique de Précision du Rhône", "recipient": "pdg@example.fr",
                              "schedule": "mensuel", "period_label": "octobre 2026"}
    values.update(fields)
    return Delivery(path, **values)


@pytest.fixture
def small_pdf(tmp_path: Path) -> Path:
    """A small stand-in PDF."""
    path = tmp_path / "dirigeant_2026-10.pdf"
    path.write_bytes(b"%PDF-1.7\n% test\n%%EOF\n")
    return path


def test_sends_the_built_pdf_to_one_recipient(smtp_server: SmtpServer, dirigeant_pdf: Path, tmp_path: Path) -> None:
    """The demo's CEO pack arrives: envelope, headers, subject, attachment name and bytes equal to the PDF."""
    receipt = channel(smtp_server.port, tmp_path).deliver(pack(dirigeant_pdf))
    [received] = smtp_server.received
    assert received.mail_from == "packs@mpr.example.fr"
    assert received.rcpt_tos == ["pdg@example.fr"]  # one envelope per recipient
    message = received.message
    assert message["To"] == "pdg@example.fr"
    assert message["Cc"] == "assistante@example.fr"
    assert message["Reply-To"] == "daf@example.fr"
    assert message["Subject"] == "Mécanique de Précision du Rhône — Synthèse dirigeant — octobre 2026"
    assert received.attachments() == {"dirigeant_2026-10.pdf": dirigeant_pdf.read_bytes()}
    expected_id = message_id("mensuel", "2026-10", "dirigeant", "pdg@example.fr", "mpr.example.fr")
    assert message["Message-ID"] == expected_id
    assert expected_id in receipt


def test_a_delivery_names_its_recipient(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """The host always names one recipient; a delivery without one is refused, nothing sent."""
    with pytest.raises(DeliveryFailure) as failure:
        channel(smtp_server.port, tmp_path).deliver(pack(small_pdf, recipient=None))
    assert failure.value.outcome == "permanent" and "destinataire" in str(failure.value)
    assert smtp_server.received == []


def test_french_text_travels_as_7bit(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """No 8-bit body (the server may not offer 8BITMIME): every byte sent is ASCII, the text decodes accented."""
    kpis = ({"label": "Trésorerie", "value": "12 000 €", "window": "mois", "status": "warn"},)
    channel(smtp_server.port, tmp_path).deliver(pack(small_pdf, kpis=kpis))
    [received] = smtp_server.received
    assert max(received.data) < 128
    assert "Content-Transfer-Encoding: 8bit" not in received.data.decode("ascii")
    assert "Veuillez trouver ci-joint le dossier « Synthèse dirigeant » de Mécanique de Précision du Rhône" \
        in received.text()
    assert "Trésorerie (mois) : 12 000 € — à surveiller" in received.text()
    assert "à surveiller" in received.html()


def test_recipients_are_to_then_cc() -> None:
    """Each ``to`` and ``cc`` address is one recipient (one log entry each)."""
    mail = EmailChannel("mail", {"host": "smtp.example.fr", "from": "p@example.fr", "audiences": AUDIENCES}, Path("."))
    assert mail.recipients("dirigeant") == ["pdg@example.fr", "assistante@example.fr"]
    assert mail.port == 587 and mail.tls == "starttls"


def test_message_id_is_deterministic() -> None:
    """Same schedule, period, audience and recipient: same id; another recipient: another id."""
    first = message_id("mensuel", "2026-10", "daf", "a@example.fr", "example.fr")
    assert first == message_id("mensuel", "2026-10", "daf", "a@example.fr", "example.fr")
    assert first != message_id("mensuel", "2026-10", "daf", "b@example.fr", "example.fr")
    assert first.startswith("<") and first.endswith(".boardpack@example.fr>")


def test_body_quotes_headline_kpis_and_alerts(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """Text and HTML bodies quote the KPIs and alerts given by the host (HTML escaped)."""
    kpis = ({"label": "Chiffre d'affaires", "value": "827 339 €", "window": "mois", "status": "alert"},)
    alerts = ({"severity": "critical", "title": "Retards <clients>", "message": "Client X paie à 95 jours"},)
    channel(smtp_server.port, tmp_path).deliver(pack(small_pdf, kpis=kpis, alerts=alerts))
    [received] = smtp_server.received
    text = received.text()
    assert "Chiffre d'affaires (mois) : 827 339 € — alerte" in text
    assert "Retards <clients> : Client X paie à 95 jours" in text
    assert "dirigeant_2026-10.pdf" in text
    assert "Retards &lt;clients&gt;" in received.html()


def test_english_audience_gets_english_text(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """An English audience's message is written in English, KPI statuses included."""
    kpis = ({"label": "Cash", "value": "€12,000", "window": "month", "status": "alert"},)
    channel(smtp_server.port, tmp_path).deliver(
        pack(small_pdf, audience="board", title="Board pack", recipient="chair@example.com", language="en",
             period_label="October 2026", kpis=kpis))
    [received] = smtp_server.received
    assert received.message["To"] == "chair@example.com, member@example.com"
    assert received.rcpt_tos == ["chair@example.com"]
    assert received.text().startswith("Hello,")
    assert "Cash (month): €12,000 — alert" in received.text()


def test_link_instead_of_attachment(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """With ``link`` set (PDF too big, published), nothing is attached and the body links to it."""
    channel(smtp_server.port, tmp_path).deliver(pack(small_pdf, link="https://intranet.example.fr/p/d.pdf"))
    [received] = smtp_server.received
    assert received.attachments() == {}
    assert "https://intranet.example.fr/p/d.pdf" in received.text()


def test_user_templates_override_the_builtin_ones(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """``templates/email/pack_subject.fr.txt`` beside the config rewords the subject."""
    folder = tmp_path / "templates" / "email"
    folder.mkdir(parents=True)
    (folder / "pack_subject.fr.txt").write_text("[Pilotage] {{ title }} {{ period }}\n", encoding="utf-8")
    channel(smtp_server.port, tmp_path).deliver(pack(small_pdf))
    assert smtp_server.received[0].message["Subject"] == "[Pilotage] Synthèse dirigeant 2026-10"


def test_notice_is_plain_text_and_dot_safe(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """A notice arrives as text; a line starting with a dot survives the SMTP transfer."""
    body = "Bonjour,\n.ligne commençant par un point\n.\nfin\n"
    channel(smtp_server.port, tmp_path).notify(Notice("owner@example.fr", "Dossiers retenus", body, "mensuel",
                                                      "2026-10", "MPR"))
    [received] = smtp_server.received
    assert received.rcpt_tos == ["owner@example.fr"]
    assert received.text().replace("\r\n", "\n") == body
    assert received.attachments() == {}


# ---------------------------------------------------------------- failures


def test_4xx_on_data_is_transient(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """451 to DATA: a transient failure quoting the server's reply."""
    smtp_server.answer_data("451 4.3.0 Mailbox busy")
    with pytest.raises(DeliveryFailure) as failure:
        channel(smtp_server.port, tmp_path).deliver(pack(small_pdf))
    assert failure.value.outcome == "transient"
    assert "451 4.3.0 Mailbox busy" in str(failure.value)


def test_5xx_on_recipient_is_permanent(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """550 to RCPT: permanent, the message names the address and quotes the reply."""
    smtp_server.answer_rcpt("pdg@example.fr", "550 5.1.1 User unknown")
    with pytest.raises(DeliveryFailure) as failure:
        channel(smtp_server.port, tmp_path).deliver(pack(small_pdf))
    assert failure.value.outcome == "permanent"
    assert "pdg@example.fr" in str(failure.value) and "550 5.1.1 User unknown" in str(failure.value)
    assert smtp_server.received == []


def test_connection_lost_after_data_is_unknown(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """The server got the data and hung up without answering: ``unknown``, with what to do."""
    smtp_server.answer_data("drop")
    with pytest.raises(DeliveryFailure) as failure:
        channel(smtp_server.port, tmp_path).deliver(pack(small_pdf))
    assert failure.value.outcome == "unknown"
    assert "--force" in str(failure.value)
    assert len(smtp_server.handler.dropped) == 1


def test_unreadable_pdf_fails_before_connecting(smtp_server: SmtpServer, tmp_path: Path) -> None:
    """The PDF cannot be read: a permanent failure naming it, nothing sent (it never reached the server)."""
    with pytest.raises(DeliveryFailure) as failure:
        channel(smtp_server.port, tmp_path).deliver(pack(tmp_path / "absent.pdf"))
    assert failure.value.outcome == "permanent" and "absent.pdf" in str(failure.value)
    assert smtp_server.received == []


def test_connection_refused_is_transient(small_pdf: Path, tmp_path: Path) -> None:
    """Nothing listening: transient (retried by the host)."""
    with pytest.raises(DeliveryFailure) as failure:
        channel(free_port(), tmp_path).deliver(pack(small_pdf))
    assert failure.value.outcome == "transient"
    assert "connexion impossible" in str(failure.value)


# ---------------------------------------------------------------- TLS and authentication


def test_tls_context_verifies_certificates(tmp_path: Path) -> None:
    """The client context checks the chain and the host name."""
    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = auth_data.login == b"packs" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


def test_starttls_with_private_ca_and_login(certificate: tuple[Path, Path], small_pdf: Path, tmp_path: Path) -> None:
    """STARTTLS against a self-signed relay, trusted through ``ca_file``, then AUTH: delivered."""
    with SmtpServer(tls_context=server_tls_context(certificate), require_starttls=True,
                    authenticator=_authenticator, auth_required=True) as server:
        channel(server.port, tmp_path, tls="starttls", ca_file=str(certificate[0]), username="packs",
                password="s3cret").deliver(pack(small_pdf))
        assert len(server.received) == 1


def test_wrong_password_is_permanent(certificate: tuple[Path, Path], small_pdf: Path, tmp_path: Path) -> None:
    """A refused login is permanent and says which keys to check — never the password."""
    with SmtpServer(tls_context=server_tls_context(certificate), require_starttls=True,
                    authenticator=_authenticator, auth_required=True) as server:
        with pytest.raises(DeliveryFailure) as failure:
            channel(server.port, tmp_path, tls="starttls", ca_file=str(certificate[0]), username="packs",
                    password="faux-mot-de-passe").deliver(pack(small_pdf))
    assert failure.value.outcome == "permanent"
    assert "authentification refusée" in str(failure.value) and "faux-mot-de-passe" not in str(failure.value)


def test_non_ascii_password_is_never_shown(small_pdf: Path, tmp_path: Path) -> None:
    """A password smtplib cannot encode: permanent, one sentence, the password nowhere (message, cause, context)."""
    with SmtpServer(authenticator=_authenticator, auth_require_tls=False) as server:
        with pytest.raises(DeliveryFailure) as failure:
            channel(server.port, tmp_path, username="packs", password="sécret-été").deliver(pack(small_pdf))
        assert server.received == []
    error = failure.value
    assert error.outcome == "permanent" and "hors ASCII" in str(error) and "username et password" in str(error)
    assert "sécret-été" not in str(error) and "sécret-été" not in repr(error)
    assert error.__cause__ is None and error.__suppress_context__


def test_untrusted_certificate_is_refused(certificate: tuple[Path, Path], small_pdf: Path, tmp_path: Path) -> None:
    """Without ``ca_file`` the self-signed certificate is refused: permanent, nothing sent."""
    with SmtpServer(tls_context=server_tls_context(certificate), require_starttls=True) as server:
        with pytest.raises(DeliveryFailure) as failure:
            channel(server.port, tmp_path, tls="starttls").deliver(pack(small_pdf))
        assert server.received == []
    assert failure.value.outcome == "permanent"
    assert "certificat refusé" in str(failure.value) and "ca_file" in str(failure.value)


def test_implicit_tls(certificate: tuple[Path, Path], small_pdf: Path, tmp_path: Path) -> None:
    """``tls = "implicit"``: TLS from the first byte (port 465 in real life)."""
    with SmtpServer(ssl_context=server_tls_context(certificate)) as server:
        channel(server.port, tmp_path, tls="implicit", ca_file=str(certificate[0])).deliver(pack(small_pdf))
        assert len(server.received) == 1


def test_starttls_missing_is_permanent(smtp_server: SmtpServer, small_pdf: Path, tmp_path: Path) -> None:
    """A server without STARTTLS when the config asks for it: permanent (never falls back to clear text)."""
    with pytest.raises(DeliveryFailure) as failure:
        channel(smtp_server.port, tmp_path, tls="starttls").deliver(pack(small_pdf))
    assert failure.value.outcome == "permanent" and "STARTTLS" in str(failure.value)
    assert smtp_server.received == []


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(("options", "key", "words"), [
    ({"tls": "none", "host": "smtp.example.fr"}, "channels.mail.tls", "relais sur cette machine"),
    ({"tls": "ssl"}, "channels.mail.tls", "implicit, starttls ou none"),
    ({"port": "465"}, "channels.mail.port", "numéro de port"),
    ({"audiences": {"daf": {"to": ["pas-une-adresse"]}}}, "channels.mail.audiences.daf.to[0]", "invalide"),
    ({"audiences": {"daf": {"cc": ["a@example.fr"]}}}, "channels.mail.audiences.daf.to", "au moins un"),
    ({"audiences": {"daf": {"to": ["a@example.fr"], "bcc": []}}}, "channels.mail.audiences.daf.bcc", "inconnue"),
    ({"ca_file": "absent.pem"}, "channels.mail.ca_file", "introuvable"),
    ({"username": "packs"}, "channels.mail.password", "mot de passe absent"),
])
def test_bad_options_name_their_key(options: dict[str, Any], key: str, words: str, tmp_path: Path) -> None:
    """Each mistake in the channel's table is a ConfigError naming the key path."""
    with pytest.raises(ConfigError) as error:
        channel(25, tmp_path, **options)
    assert f"« {key} »" in str(error.value) and words in str(error.value)


def test_misspelt_audience_table_suggests_the_audience(tmp_path: Path) -> None:
    """A table for an audience the config does not have is refused, with the close name."""
    mail = channel(25, tmp_path, audiences={"dirigent": {"to": ["a@example.fr"]}})
    with pytest.raises(ConfigError) as error:
        mail.check_audiences(["dirigeant", "daf"])
    assert "« channels.mail.audiences.dirigent »" in str(error.value)
    assert "« dirigeant »" in str(error.value)


def test_audience_without_a_table_is_not_delivered_by_this_channel(tmp_path: Path) -> None:
    """An audience with no table here has no recipient: another channel may deliver it."""
    mail = channel(25, tmp_path, audiences={"daf": {"to": ["a@example.fr"]}})
    mail.check_audiences(["dirigeant", "daf"])
    assert mail.recipients("dirigeant") == [] and mail.recipients("daf") == ["a@example.fr"]


def test_smtplib_reply_errors_are_classed(monkeypatch: pytest.MonkeyPatch, small_pdf: Path, tmp_path: Path) -> None:
    """A 421 greeting (server busy) is transient; a 554 greeting permanent."""
    for code, outcome in ((421, "transient"), (554, "permanent")):
        def refuse(*args: Any, code: int = code, **kwargs: Any) -> None:
            raise smtplib.SMTPConnectError(code, b"busy")

        monkeypatch.setattr(smtplib.SMTP, "__init__", refuse)
        with pytest.raises(DeliveryFailure) as failure:
            channel(25, tmp_path).deliver(pack(small_pdf))
        assert failure.value.outcome == outcome and f"{code} busy" in str(failure.value)
