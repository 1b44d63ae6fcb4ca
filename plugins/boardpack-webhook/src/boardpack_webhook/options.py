"""The webhook channel's options, checked when the channel is built, and the URL as messages show it."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from boardpack.api.errors import ConfigError

__all__ = ["WebhookOptions", "parse_options", "shown_url"]

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
MAX_RETRIES = 10
#: A path segment this long may be a secret (many webhook URLs carry their key in the path).
_SECRET_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]{16,}$")


@dataclass(frozen=True)
class WebhookOptions:
    """What the channel needs, checked."""

    url: str
    token: str | None
    scheme: str
    timeout: float
    retries: int


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shown_url(url: str) -> str:
    """The URL for messages and receipts: no credentials, no query, long path segments elided.

    ``https://hooks.example.com/services/T0001/XyZ123abcdefghijkl?key=s3cr3t`` reads
    ``https://hooks.example.com/services/T0001/…``.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    origin = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    segments = ["…" if _SECRET_SEGMENT.match(s) else s for s in parts.path.split("/")]
    return origin + "/".join(segments)


def parse_options(key: str, settings: Mapping[str, Any]) -> WebhookOptions:
    """Check the channel's table (secrets already resolved by the host).

    :raises ConfigError: naming the key, with what is expected.
    """
    where = f"channels.{key}"
    url = settings.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"clé « {where}.url » : une adresse https://… est attendue")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"clé « {where}.url » : adresse invalide ; une adresse https://… est attendue")
    if parts.username or parts.password:
        raise ConfigError(
            f"clé « {where}.url » : identifiants dans l'adresse refusés ; mettez le jeton dans l'option "
            f"token (token = {{ env = \"WEBHOOK_TOKEN\" }})"
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ConfigError(
            f"clé « {where}.url » : {shown_url(url)} n'est pas chiffrée (http) ; utilisez https, le dossier "
            "et le jeton circuleraient en clair (http n'est admis que vers 127.0.0.1 ou localhost)"
        )
    token = settings.get("token")
    if token is not None and (not isinstance(token, str) or not token.strip()):
        raise ConfigError(f"clé « {where}.token » : un jeton est attendu, par exemple token = {{ env = \"WEBHOOK_TOKEN\" }}")
    scheme = settings.get("scheme", "Bearer")
    if not isinstance(scheme, str) or any(c.isspace() for c in scheme):
        raise ConfigError(f"clé « {where}.scheme » : un mot est attendu (Bearer, Token…) ou \"\" pour le jeton seul")
    timeout = settings.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 600:
        raise ConfigError(f"clé « {where}.timeout » : un nombre de secondes entre 0 et 600 est attendu")
    retries = settings.get("retries", DEFAULT_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        raise ConfigError(f"clé « {where}.retries » : un nombre entier de 0 à {MAX_RETRIES} est attendu")
    return WebhookOptions(url.strip(), token.strip() if token else None, scheme, float(timeout), retries)
