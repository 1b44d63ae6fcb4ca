"""The ``webhook`` channel: POSTs each finished pack to a URL, PDF and JSON metadata in one request.

The request is ``multipart/form-data`` with two parts: ``metadata`` (``application/json``:
company, period, audience, title, filename, size, sha256, language) and ``file`` (the PDF,
``application/pdf``). Headers: ``Authorization: <scheme> <token>`` when a token is set,
``Idempotency-Key: <sha256 of the PDF>`` so a receiver can drop a pack sent twice.

A 2xx reply is a delivery. A 5xx or 429 reply, a lost connection or a timeout is tried
again (``retries`` times, waiting 1, 2, 4… seconds, or what ``Retry-After`` asks, up to
a minute); any other reply is final and explained. Redirects are not followed (the token
would go to another address). The token is never written anywhere: not in receipts, not in
errors (a server echoing it back is redacted), and this module logs nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boardpack.api import Channel, Delivery, hookimpl
from boardpack.api.errors import DeliveryError
from boardpack.api import DeliveryFailure

from .options import WebhookOptions, parse_options, shown_url

if TYPE_CHECKING:  # httpx is imported when a pack is sent, not when the plugin loads
    import httpx

__all__ = ["WebhookChannel", "register_channels"]

USER_AGENT = "boardpack-webhook/0.1.0"
MAX_WAIT = 60.0


class WebhookChannel(Channel):
    """POSTs each PDF with its metadata to ``url``.

    Every audience is delivered (the default :meth:`~boardpack.Channel.recipients`: one
    delivery per pack, to the channel's id).
    """

    name = "webhook"
    description = "Envoie chaque PDF par HTTP POST (multipart : métadonnées JSON et PDF) à une adresse."
    options = {
        "url": "adresse https du webhook (ou { env = \"WEBHOOK_URL\" } si elle contient une clé)",
        "token": "jeton de l'en-tête Authorization : { env = \"VAR\" } ou { file = \"chemin\" }, jamais en clair",
        "scheme": "préfixe du jeton dans l'en-tête Authorization (défaut : Bearer ; \"\" : le jeton seul)",
        "timeout": "délai d'attente de chaque tentative, en secondes (défaut : 30)",
        "retries": "nouvelles tentatives après une erreur 5xx, 429, réseau ou un délai dépassé (défaut : 3)",
    }
    required_options = ("url",)
    #: how the channel waits between attempts (tests replace it)
    sleep = staticmethod(time.sleep)

    def __init__(self, key: str, options: Mapping[str, Any], base_dir: Path) -> None:
        super().__init__(key, options, base_dir)
        self.config: WebhookOptions = parse_options(key, self.settings)

    def headers(self, digest: str) -> dict[str, str]:
        """The request headers (the token's only use)."""
        headers = {"User-Agent": USER_AGENT, "Idempotency-Key": digest}
        if self.config.token:
            headers["Authorization"] = f"{self.config.scheme} {self.config.token}".strip()
        return headers

    def deliver(self, delivery: Delivery) -> str:
        """POST the pack; return ``<audience> → <url> (HTTP <status>)``.

        :raises DeliveryFailure: saying whether to try again (``transient``, ``permanent`` or
            ``unknown``), with one sentence naming the channel, the address and the pack.
        :raises DeliveryError: when the PDF cannot be read.
        """
        try:
            pdf = delivery.path.read_bytes()
        except OSError as exc:
            raise DeliveryError(f"canal « {self.key} » : PDF illisible {delivery.path} ({exc.strerror})") from None
        digest = hashlib.sha256(pdf).hexdigest()
        metadata = {
            "company": delivery.company,
            "period": delivery.period,
            "audience": delivery.audience,
            "title": delivery.title,
            "filename": delivery.path.name,
            "size": len(pdf),
            "sha256": digest,
            "language": delivery.language,
        }
        files = {
            "metadata": (None, json.dumps(metadata, ensure_ascii=False).encode("utf-8"), "application/json"),
            "file": (delivery.path.name, pdf, "application/pdf"),
        }
        where = shown_url(self.config.url)
        pack = f"le dossier « {delivery.audience} » ({delivery.period})"
        attempts = self.config.retries + 1
        import httpx

        last: httpx.Response | Exception | None = None
        with httpx.Client(timeout=self.config.timeout, follow_redirects=False) as client:
            for attempt in range(1, attempts + 1):
                try:
                    response = client.post(self.config.url, headers=self.headers(digest), files=files)
                except httpx.TransportError as exc:
                    last = exc
                    response = None
                else:
                    if response.is_success:
                        return f"{delivery.audience} → {where} (HTTP {response.status_code})"
                    last = response
                    if not (response.status_code == 429 or response.status_code >= 500):
                        raise self._refused(response, where, pack)
                if attempt < attempts:
                    self.sleep(self._wait(attempt, response))
        raise self._gave_up(last, where, pack, attempts)

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        """1, 2, 4… seconds, or the reply's ``Retry-After`` (in seconds), at most a minute."""
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.strip().isdigit():
                return min(float(retry_after), MAX_WAIT)
        return min(float(2 ** (attempt - 1)), MAX_WAIT)

    def _said(self, response: httpx.Response) -> str:
        """The start of the reply's body, on one line, the token blanked out."""
        text = " ".join(response.text.split())[:160]
        if self.config.token:
            text = text.replace(self.config.token, "***")
        return f" : « {text} »" if text else ""

    def _refused(self, response: httpx.Response, where: str, pack: str) -> DeliveryFailure:
        status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if response.status_code in (401, 403):
            advice = "vérifiez le jeton (option token) et ses droits"
        elif 300 <= response.status_code < 400:
            advice = "indiquez l'adresse finale dans l'option url (les redirections ne sont pas suivies)"
        elif response.status_code == 413:
            advice = "le PDF dépasse la taille admise par le destinataire"
        else:
            advice = "corrigez la demande ou l'adresse, puis relancez la livraison"
        return DeliveryFailure(
            f"canal « {self.key} » : {where} a refusé {pack} ({status}{self._said(response)}) ; {advice}",
            "permanent",
        )

    def _gave_up(self, last: httpx.Response | Exception | None, where: str, pack: str,
                 attempts: int) -> DeliveryFailure:
        import httpx

        tries = f"{attempts} tentative{'s' if attempts > 1 else ''}"
        if isinstance(last, httpx.Response):
            status = f"HTTP {last.status_code} {last.reason_phrase}".strip()
            return DeliveryFailure(
                f"canal « {self.key} » : {where} a répondu {status} à {tries} pour {pack} ; réessayez plus tard",
                "transient",
            )
        if isinstance(last, httpx.TimeoutException) and not isinstance(last, httpx.ConnectTimeout):
            return DeliveryFailure(
                f"canal « {self.key} » : pas de réponse de {where} en {self.config.timeout:g} s ({tries}) pour "
                f"{pack} ; il a peut-être été reçu : vérifiez chez le destinataire avant de relancer",
                "unknown",
            )
        kind = last.__class__.__name__ if last is not None else "?"
        return DeliveryFailure(
            f"canal « {self.key} » : connexion impossible à {where} ({kind}, {tries}) pour {pack} ; "
            "vérifiez l'adresse et le réseau",
            "transient",
        )


@hookimpl
def register_channels() -> list[type[Channel]]:
    """Register the ``webhook`` channel."""
    return [WebhookChannel]
