"""The ``email`` delivery channel: each audience's PDF by SMTP, to that audience's recipients.

TLS is implicit (``tls = "implicit"``, port 465) or negotiated (``tls = "starttls"``,
port 587), the server's certificate always verified (``ca_file`` for a private relay's
own authority); ``tls = "none"`` is refused except towards a relay on this machine. Each
recipient gets its own envelope (one log entry each), the headers showing the whole
distribution. Failures say whether trying again may help
(:class:`~boardpack.interfaces.DeliveryFailure`): a 4xx reply or a refused connection is
transient, a 5xx reply permanent, and a connection lost once the message data was sent
is ``unknown`` — the host will not send it again on its own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.errors import MessageError
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Any, Literal

from .email_message import compose, message_id
from boardpack.api.messages import TextTemplates, status_label
from boardpack.api.errors import ConfigError
from boardpack.api import hookimpl
from boardpack.api import Channel, Delivery, DeliveryFailure, Notice

__all__ = ["EmailChannel", "tls_context"]

_ADDRESS = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+$")
_DOMAIN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
#: the longest wait accepted for one network exchange (an hour)
_MAX_TIMEOUT = 3600
_LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
_PORTS = {"implicit": 465, "starttls": 587, "none": 25}
_AUDIENCE_KEYS = {"to", "cc", "reply_to"}


@dataclass(frozen=True)
class _Recipients:
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: str


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A client context verifying the server's certificate and name (against ``ca_file`` if given)."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


class EmailChannel(Channel):
    """Sends each pack by SMTP to the ``to`` and ``cc`` of its audience."""

    name = "email"
    description = "Envoie chaque dossier en pièce jointe par courriel (SMTP, TLS vérifié)."
    options = {
        "host": "serveur SMTP",
        "port": "port (défaut : 465 en TLS implicite, 587 en STARTTLS)",
        "tls": "« starttls » (défaut), « implicit » ou « none » (relais local 127.0.0.1 seulement)",
        "ca_file": "autorité de certification d'un relais privé (fichier PEM, relatif à la configuration)",
        "username": "identifiant SMTP",
        "password": "mot de passe SMTP : { env = \"VARIABLE\" } ou { file = \"/chemin\" }",
        "from": "adresse d'expédition (« Nom <adresse> » accepté)",
        "reply_to": "adresse de réponse par défaut",
        "timeout": "délai maximal de chaque échange réseau, en secondes (défaut : 30)",
        "domain": "domaine des Message-ID (défaut : celui de l'adresse d'expédition)",
        "audiences": "destinataires par audience : [channels.<id>.audiences.<audience>] to, cc, reply_to",
    }
    required_options = ("host", "from", "audiences")
    secret_options = ("password",)
    attaches = True
    notifies = True

    def __init__(self, key: str, options: Mapping[str, Any], base_dir: Path) -> None:
        super().__init__(key, options, base_dir)
        where = f"channels.{key}"
        self.host = _text(options, "host", where)
        tls = options.get("tls", "starttls")
        if not isinstance(tls, str) or tls not in _PORTS:
            raise ConfigError(f"clé « {where}.tls » : « {tls} » : implicit, starttls ou none attendu")
        self.tls: Literal["implicit", "starttls", "none"] = tls
        if tls == "none" and self.host not in _LOCAL_HOSTS:
            raise ConfigError(f"clé « {where}.tls » : sans TLS, seul un relais sur cette machine (127.0.0.1) est "
                              "accepté ; utilisez starttls (587) ou implicit (465)")
        self.port = options.get("port", _PORTS[tls])
        if not isinstance(self.port, int) or isinstance(self.port, bool) or not 0 < self.port < 65536:
            raise ConfigError(f"clé « {where}.port » : un numéro de port (1 à 65535) est attendu")
        self.timeout = options.get("timeout", 30)
        if (not isinstance(self.timeout, (int, float)) or isinstance(self.timeout, bool)
                or not math.isfinite(self.timeout) or not 0 < self.timeout <= _MAX_TIMEOUT):
            raise ConfigError(f"clé « {where}.timeout » : un nombre de secondes positif, au plus {_MAX_TIMEOUT}, "
                              "est attendu")
        self.ca_file = base_dir / _text(options, "ca_file", where) if "ca_file" in options else None
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ConfigError(f"clé « {where}.ca_file » : fichier introuvable : {self.ca_file}")
        self.username = _header(_text(options, "username", where), f"{where}.username") if "username" in options else ""
        self.password = str(options.get("password", ""))
        if self.username and not self.password:
            raise ConfigError(f"clé « {where}.password » : mot de passe absent pour l'identifiant "
                              "(password = { env = \"SMTP_PASSWORD\" })")
        self.sender = _header(_text(options, "from", where), f"{where}.from")
        self.sender_address = parseaddr(self.sender)[1]
        if not _ADDRESS.match(self.sender_address) or len(getaddresses([self.sender])) != 1:
            raise ConfigError(f"clé « {where}.from » : adresse électronique invalide « {self.sender} » "
                              "(une seule adresse, « Nom <adresse> » accepté)")
        self.reply_to = _address(options["reply_to"], f"{where}.reply_to") if "reply_to" in options else ""
        self.domain = _text(options, "domain", where) if "domain" in options else self.sender_address.rpartition("@")[2]
        if not _DOMAIN.fullmatch(self.domain):
            raise ConfigError(f"clé « {where}.domain » : nom de domaine invalide « {_shown(self.domain)} »")
        self.audiences = _audiences(options.get("audiences"), f"{where}.audiences")
        self.texts = TextTemplates(base_dir)

    # ------------------------------------------------------------ Channel

    def recipients(self, audience: str) -> list[str]:
        """The ``to`` then ``cc`` addresses of ``audience``, each once (none: not delivered here)."""
        if audience not in self.audiences:
            return []
        found = self._audience(audience)
        return list(dict.fromkeys(found.to + found.cc))

    def deliver(self, delivery: Delivery) -> str:
        """Send the pack to ``delivery.recipient``, one of :meth:`recipients` (the host sets it).

        :raises DeliveryFailure: ``permanent`` when nothing could be sent (no recipient, PDF
            unreadable, refused by the server…), see :meth:`_send` for the others.
        :raises boardpack.errors.RenderError: from a user's email template, before any
            network traffic.
        """
        found = self._audience(delivery.audience)
        if not delivery.recipient:
            raise DeliveryFailure(f"canal « {self.key} » : aucun destinataire désigné pour l'audience "
                                  f"« {delivery.audience} » (un destinataire par envoi)", "permanent")
        identifier = message_id(delivery.schedule or "build", delivery.period, delivery.audience,
                                delivery.recipient, self.domain)
        language = delivery.language
        kpis = [{"status_label": status_label(str(kpi.get("status", "")), language), **kpi} for kpi in delivery.kpis]
        context = {
            "company": delivery.company, "title": delivery.title, "audience": delivery.audience,
            "period": delivery.period, "period_label": delivery.period_label or delivery.period,
            "kpis": kpis, "alerts": list(delivery.alerts), "link": delivery.link,
            "attachment": None if delivery.link else delivery.path.name,
        }
        subject = self.texts.subject("pack", language, **context)
        text = self.texts.render("pack", language, "txt", **context)
        html = self.texts.render("pack", language, "html", **context)
        try:
            message = compose(
                sender=self.sender, to=found.to, cc=found.cc, reply_to=found.reply_to or self.reply_to,
                subject=subject, text=text, html=html, identifier=identifier, date=dt.datetime.now(dt.UTC),
                attachment=None if delivery.link else delivery.path,
            )
        except OSError as exc:
            raise DeliveryFailure(f"canal « {self.key} » : lecture impossible de {delivery.path} "
                                  f"({exc.strerror or type(exc).__name__})", "permanent") from None
        except (ValueError, TypeError, MessageError) as exc:  # nothing left: the message could not be written
            raise _unwritable(self.key, exc) from None
        self._send([delivery.recipient], message)
        return f"{delivery.audience} → {delivery.recipient} {identifier}"

    def notify(self, notice: Notice) -> str:
        """Send the owner a plain-text notice."""
        identifier = message_id(notice.schedule, notice.period, "avis", notice.recipient, self.domain)
        try:
            message = compose(sender=self.sender, to=[notice.recipient], reply_to=self.reply_to,
                              subject=notice.subject, text=notice.body, identifier=identifier,
                              date=dt.datetime.now(dt.UTC))
        except (ValueError, TypeError, MessageError) as exc:
            raise _unwritable(self.key, exc) from None
        self._send([notice.recipient], message)
        return f"avis → {notice.recipient} {identifier}"

    def check_audiences(self, known: Sequence[str]) -> None:
        """Every ``[channels.<id>.audiences.<audience>]`` table must name an audience of the config."""
        for audience in self.audiences:
            if audience not in known:
                close = difflib.get_close_matches(audience, sorted(known), n=1)
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                raise ConfigError(f"clé « channels.{self.key}.audiences.{audience} » : audience inconnue "
                                  f"(audiences : {', '.join(known)}){hint}")

    # ------------------------------------------------------------ SMTP

    def _audience(self, audience: str) -> _Recipients:
        if audience not in self.audiences:
            close = difflib.get_close_matches(audience, sorted(self.audiences), n=1)
            hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
            raise ConfigError(f"clé « channels.{self.key}.audiences.{audience} » : aucun destinataire pour "
                              f"l'audience « {audience} » (to = [\"adresse\"]){hint}")
        return self.audiences[audience]

    def _where(self) -> str:
        return f"canal « {self.key} », serveur SMTP {self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        """Connected, TLS negotiated and verified, logged in."""
        helo = socket.gethostname()
        if self.tls == "implicit":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, local_hostname=helo, timeout=self.timeout,
                                                  context=tls_context(self.ca_file))
        else:
            smtp = smtplib.SMTP(self.host, self.port, local_hostname=helo, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise DeliveryFailure(f"{self._where()} : le serveur ne propose pas STARTTLS ; vérifiez le port "
                                          "ou choisissez tls = \"implicit\"", "permanent")
                smtp.starttls(context=tls_context(self.ca_file))
                smtp.ehlo()
            if self.username:
                try:
                    smtp.login(self.username, self.password)
                except (UnicodeError, ValueError):  # its text would quote the password
                    raise DeliveryFailure(
                        f"{self._where()} : identifiant ou mot de passe impossible à transmettre (caractères "
                        "hors ASCII refusés par l'authentification SMTP) ; vérifiez username et password",
                        "permanent") from None
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send(self, envelope: Sequence[str], message: EmailMessage) -> None:
        """One SMTP transaction; every failure becomes a :class:`DeliveryFailure`."""
        payload = message.as_bytes()
        handed_over = False  # True once the message data has left: a lost reply is then « unknown »
        smtp: smtplib.SMTP | None = None
        to = ", ".join(envelope)
        try:
            smtp = self._connect()
            _expect(smtp.mail(self.sender_address), (250,), self._where(), "MAIL FROM")
            for address in envelope:
                _expect(smtp.rcpt(address), (250, 251), self._where(), f"destinataire {address}")
            handed_over = True  # from DATA on, a lost connection may come after the server took the message
            # a refusal of DATA itself raises SMTPDataError; the reply to the message is returned
            _expect(smtp.data(payload), (250,), self._where(), "message")
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass  # the message is accepted; a lost goodbye does not matter
        except DeliveryFailure:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryFailure(f"{self._where()} : certificat refusé ({exc.verify_message}) ; pour un relais "
                                  "privé, indiquez son autorité de certification (ca_file)", "permanent") from None
        except ssl.SSLError as exc:
            raise DeliveryFailure(f"{self._where()} : négociation TLS impossible ({exc.reason}) ; vérifiez tls "
                                  "et port (implicit : 465, starttls : 587)", "permanent") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailure(f"{self._where()} : authentification refusée ({_reply(exc)}) ; vérifiez "
                                  "username et password", "permanent") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryFailure(f"{self._where()} : {exc}", "permanent") from None
        except smtplib.SMTPResponseException as exc:
            outcome = "transient" if 400 <= exc.smtp_code < 500 else "permanent"
            raise DeliveryFailure(f"{self._where()} : réponse {_reply(exc)} pour {to}", outcome) from None
        except (smtplib.SMTPException, OSError) as exc:
            what = exc.strerror if isinstance(exc, OSError) and exc.strerror else (str(exc) or type(exc).__name__)
            if handed_over:
                raise DeliveryFailure(f"{self._where()} : connexion perdue après l'envoi du message à {to} ({what}) : "
                                      "il a pu être reçu ; vérifiez auprès du destinataire puis, s'il manque, "
                                      "renvoyez avec --force", "unknown") from None
            raise DeliveryFailure(f"{self._where()} : connexion impossible ({what})", "transient") from None
        finally:
            if smtp is not None:
                smtp.close()


def _expect(reply: tuple[int, bytes], codes: tuple[int, ...], where: str, step: str) -> None:
    """Raise a DeliveryFailure unless the server's reply code is one of ``codes``."""
    code, text = reply
    if code in codes:
        return
    outcome = "transient" if 400 <= code < 500 else "permanent"
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    raise DeliveryFailure(f"{where} : {step} refusé ({code} {' '.join(message.split())})", outcome)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text.split())}"


def _text(options: Mapping[str, Any], name: str, where: str) -> str:
    value = options.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"clé « {where}.{name} » : un texte non vide est attendu")
    return value


def _shown(value: str) -> str:
    """``value`` on one line: a newline or a control character is shown escaped (``\\n``)."""
    return "".join(c.encode("unicode_escape").decode("ascii") if ord(c) < 32 or ord(c) == 127 else c for c in value)


def _header(value: str, where: str) -> str:
    """``value`` if it can go into a mail header: no newline (header injection) nor control character."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError(f"clé « {where} » : retour à la ligne ou caractère de contrôle interdit dans un en-tête "
                          f"de courriel (« {_shown(value)} »)")
    return value


def _address(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ADDRESS.match(_header(value, where)):
        raise ConfigError(f"clé « {where} » : adresse électronique invalide « {value} »")
    return value


def _unwritable(key: str, exc: Exception) -> DeliveryFailure:
    """A message that could not be written: ``permanent``, nothing was sent."""
    return DeliveryFailure(f"canal « {key} » : message impossible à écrire ({type(exc).__name__} : "
                           f"{_shown(str(exc))[:200]}) ; rien n'a été envoyé", "permanent")


def _audiences(value: Any, where: str) -> dict[str, _Recipients]:
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"clé « {where} » : une table par audience est attendue "
                          f"([{where}.<audience>] to = [\"adresse\"])")
    found = {}
    for audience, table in value.items():
        path = f"{where}.{audience}"
        if not isinstance(table, dict):
            raise ConfigError(f"clé « {path} » : une table est attendue (to, cc, reply_to)")
        for name in table:
            if name not in _AUDIENCE_KEYS:
                raise ConfigError(f"clé « {path}.{name} » : clé inconnue (admises : cc, reply_to, to)")
        lists = {}
        for name in ("to", "cc"):
            given = table.get(name, [])
            if not isinstance(given, list):
                raise ConfigError(f"clé « {path}.{name} » : une liste d'adresses est attendue")
            lists[name] = tuple(_address(item, f"{path}.{name}[{i}]") for i, item in enumerate(given))
        if not lists["to"]:
            raise ConfigError(f"clé « {path}.to » : au moins un destinataire est attendu")
        reply_to = _address(table["reply_to"], f"{path}.reply_to") if "reply_to" in table else ""
        found[audience] = _Recipients(lists["to"], lists["cc"], reply_to)
    return found


@hookimpl
def register_channels() -> list[type[Channel]]:
    """Register the email channel."""
    return [EmailChannel]
