"""An OAuth 2 token store on disk: refreshed when expired, rotated refresh token saved first.

QuickBooks Online (Intuit) hands out an access token valid one hour and a refresh token
that *rotates*: each refresh returns a new refresh token and the old one soon stops
working. :class:`TokenStore` keeps both in a JSON file outside the repository
(``token_file``)::

    {"access_token": "…", "access_token_expires_at": "2026-11-21T04:17:00+00:00",
     "refresh_token": "…", "refresh_token_expires_at": "2027-03-01T03:17:00+00:00"}

Only ``refresh_token`` is required: a file holding just it (copied from Intuit's OAuth
Playground) is refreshed at first use. The rules:

* the access token is refreshed before a call when it expires within :data:`MARGIN`, or
  when the API answers 401 (:meth:`TokenStore.refresh`, the ``refresh`` callback of
  :class:`~boardpack.connectors.http.ApiClient`, given the refused request's headers);
* the refresh ``POST`` is never sent twice once it may have reached the endpoint (a
  timeout, a dropped connection or a 5xx may come after the refresh token was rotated:
  sending the old one again would get ``invalid_grant``); such a failure tells the user to
  try again later, and to reconnect the application only if the refresh is then refused;
* the new tokens are written to the file atomically (temporary file, ``fsync``,
  ``os.replace``, mode 0600) *before* the new access token is used, so a crash never
  loses the only valid refresh token;
* one refresh at a time across processes: ``fcntl.flock`` on ``<token_file>.lock``; after
  taking the lock the file is read again, and if another process refreshed meanwhile its
  token is used instead of refreshing again;
* ``invalid_grant`` (refresh token revoked or expired) is one sentence telling the user to
  reconnect the application.

Tokens never appear in errors or logs. ``python -m boardpack.connectors.oauth FILE`` turns
Intuit's token response (JSON on standard input) into a token file.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..render.pdf import write_atomically
from .http import ApiClient, ApiError, Provider

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import httpx
else:
    httpx = lazy_module("httpx")

__all__ = ["INTUIT_TOKEN_URL", "MARGIN", "TokenStore", "Tokens", "tokens_from_response", "write_tokens"]

log = logging.getLogger("boardpack.oauth")

#: Intuit's token endpoint (discovery document, ``token_endpoint``).
INTUIT_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
#: An access token expiring within this delay is refreshed before the call.
MARGIN = dt.timedelta(minutes=5)

Clock = Callable[[], dt.datetime]
#: transport failures (``ApiError.detail``) where the refresh request never left
_NOT_SENT = {"ConnectError", "ConnectTimeout", "PoolTimeout"}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Tokens:
    """The content of a token file; the expiries are aware datetimes (``None``: unknown)."""

    refresh_token: str
    access_token: str = ""
    access_token_expires_at: dt.datetime | None = None
    refresh_token_expires_at: dt.datetime | None = None

    def usable(self, now: dt.datetime) -> bool:
        """Whether the access token may be sent now (present and valid beyond the margin)."""
        expires = self.access_token_expires_at
        return bool(self.access_token) and expires is not None and now + MARGIN < expires

    def to_json(self) -> dict[str, str]:
        """The JSON object written to the file."""
        data = {"access_token": self.access_token, "refresh_token": self.refresh_token}
        if self.access_token_expires_at is not None:
            data["access_token_expires_at"] = self.access_token_expires_at.isoformat()
        if self.refresh_token_expires_at is not None:
            data["refresh_token_expires_at"] = self.refresh_token_expires_at.isoformat()
        return data


def tokens_from_response(body: Mapping[str, Any], now: dt.datetime) -> Tokens:
    """The tokens of a token-endpoint answer (``expires_in``, ``x_refresh_token_expires_in``).

    :raises ValueError: when the answer holds no ``access_token`` or ``refresh_token``.
    """
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
        raise ValueError("réponse sans access_token ni refresh_token")

    def after(key: str) -> dt.datetime | None:
        seconds = body.get(key)
        return now + dt.timedelta(seconds=int(seconds)) if isinstance(seconds, (int, str)) and str(seconds).isdigit() else None

    return Tokens(refresh, access, after("expires_in"), after("x_refresh_token_expires_in"))


def write_tokens(path: Path, tokens: Tokens) -> None:
    """Write ``tokens`` to ``path`` atomically and durably (temporary file, fsync, rename, fsync
    of the folder; see :func:`boardpack.render.pdf.write_atomically`); mode 0600."""
    data = (json.dumps(tokens.to_json(), indent=2) + "\n").encode("utf-8")
    write_atomically(path, data, mode=0o600)


def _date(value: Any, path: Path, key: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"fichier de jetons {path}, clé « {key} » : date ISO 8601 attendue") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def read_tokens(path: Path) -> Tokens:
    """Read a token file.

    :raises ConfigError: when the file is missing, unreadable, readable by others or malformed.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"fichier de jetons introuvable : {path} ; créez-le avec le jeton de renouvellement "
            "de l'application (voir docs/sources/quickbooks.md)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"fichier de jetons illisible : {path} ({exc.__class__.__name__})") from None
    if mode & 0o077:
        raise ConfigError(f"le fichier de jetons {path} est lisible par d'autres utilisateurs ; faites chmod 600 {path}")
    try:
        data = json.loads(text)
    except ValueError:
        raise ConfigError(f"fichier de jetons {path} : ce n'est pas du JSON") from None
    refresh = data.get("refresh_token") if isinstance(data, dict) else None
    if not isinstance(refresh, str) or not refresh:
        raise ConfigError(f"fichier de jetons {path} : clé « refresh_token » absente ou vide")
    access = data.get("access_token") or ""
    return Tokens(
        refresh_token=refresh,
        access_token=access if isinstance(access, str) else "",
        access_token_expires_at=_date(data.get("access_token_expires_at"), path, "access_token_expires_at"),
        refresh_token_expires_at=_date(data.get("refresh_token_expires_at"), path, "refresh_token_expires_at"),
    )


class TokenStore:
    """The access token of one OAuth client, kept fresh in a token file shared by processes.

    :param path: the token file (outside any repository).
    :param client_id, client_secret: the application's credentials (Basic auth on the token endpoint).
    :param token_url: the token endpoint.
    :param provider: the API's name in error messages.
    :param reconnect: what to tell the user when the refresh token is refused.
    :param clock: the current time (aware); tests replace it.
    :param transport: an httpx transport for the token endpoint (tests).
    """

    def __init__(self, path: Path, client_id: str, client_secret: str, *, token_url: str = INTUIT_TOKEN_URL,
                 provider: str = "QuickBooks", timeout: float = 30.0,
                 reconnect: str = "reconnectez l'application à la société puis écrivez un nouveau fichier de jetons",
                 clock: Clock = _utcnow, transport: httpx.BaseTransport | None = None) -> None:
        parts = urlsplit(token_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"adresse du point de jetons invalide : « {token_url} » (URL http(s) attendue)")
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.provider = provider
        self.reconnect = reconnect
        self.clock = clock
        self._endpoint = parts.path or "/"
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode("ascii")
        self._client = ApiClient(
            Provider(f"{provider} (OAuth)", f"{parts.scheme}://{parts.netloc}", rate=10, per=1.0, timeout=timeout,
                     retries=3, auth_hint="vérifiez client_id et client_secret de l'application"),
            auth=lambda: {"Authorization": f"Basic {basic}"},
            describe=_oauth_error,
            headers={"Accept": "application/json"},
            transport=transport,
        )
        self._thread_lock = threading.Lock()
        self._tokens = read_tokens(path)
        #: how many times this store called the token endpoint (tests, logs)
        self.refreshes = 0

    def access_token(self) -> str:
        """A valid access token, refreshed first if it expires within the margin."""
        if self._tokens.usable(self.clock()):
            return self._tokens.access_token
        return self.refresh(stale=self._tokens.access_token)

    def headers(self) -> dict[str, str]:
        """The ``Authorization`` header for an API call."""
        return {"Authorization": f"Bearer {self.access_token()}"}

    def refresh(self, stale: str | Mapping[str, str] | None = None) -> str:
        """Get a new access token, unless another process or thread already replaced ``stale``.

        ``stale`` is the token that was refused or found expired (default: the current one),
        or the headers of the refused request (``Authorization: Bearer …``, as the
        :class:`~boardpack.connectors.http.ApiClient` ``refresh`` callback passes them).
        Under the file lock the file is read again: a different, still valid token written
        by another process is used as is; otherwise the token endpoint is called and its
        answer saved before it is returned.

        :raises ApiError: on ``invalid_grant`` (reconnect the application) or a failing endpoint.
        """
        if isinstance(stale, Mapping):
            stale = _bearer(stale)
        stale = self._tokens.access_token if stale is None else stale
        with self._thread_lock, self._file_lock():
            current = read_tokens(self.path)
            now = self.clock()
            if current.access_token != stale and current.usable(now):
                log.info("%s : jeton déjà renouvelé par un autre processus", self.provider)
                self._tokens = current
                return current.access_token
            fresh = self._call_endpoint(current.refresh_token, now)
            write_tokens(self.path, fresh)  # saved before use: the old refresh token is dead now
            self._tokens = fresh
            self.refreshes += 1
            log.info("%s : jeton d'accès renouvelé", self.provider)
            return fresh.access_token

    def close(self) -> None:
        """Close the connection to the token endpoint."""
        self._client.close()

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)

    def _call_endpoint(self, refresh_token: str, now: dt.datetime) -> Tokens:
        try:
            response = self._client.request(
                "POST", self._endpoint, data={"grant_type": "refresh_token", "refresh_token": refresh_token})
        except ApiError as exc:
            if exc.status == 400 and "invalid_grant" in exc.detail:
                raise ApiError(
                    self.provider, "POST", self._endpoint, 400,
                    what="a refusé le jeton de renouvellement (invalid_grant : révoqué ou expiré)",
                    hint=f"{self.reconnect} (voir docs/sources/quickbooks.md)",
                ) from None
            never_sent = exc.status is None and exc.detail in _NOT_SENT
            if (exc.status is None and not never_sent) or (exc.status or 0) >= 500:
                # maybe rotated server-side: the refresh token may be dead, or still good
                raise ApiError(
                    exc.provider, exc.method, exc.endpoint, exc.status, detail=exc.detail, what=exc.what,
                    attempts=exc.attempts,
                    hint="le renouvellement du jeton a peut-être abouti sans que la réponse arrive ; réessayez "
                         "plus tard, et reconnectez l'application seulement si le jeton de renouvellement est "
                         "alors refusé (invalid_grant)",
                ) from None
            raise
        try:
            return tokens_from_response(json.loads(response.text), now)
        except ValueError:
            raise ApiError.from_response(
                self.provider, response, what="a renvoyé une réponse de jetons illisible",
                hint="vérifiez token_url (elle doit désigner le point de jetons OAuth)") from None


def _bearer(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (any case), or None."""
    for name, value in headers.items():
        if name.lower() == "authorization" and value.startswith("Bearer "):
            return value[len("Bearer "):]
    return None


def _oauth_error(response: httpx.Response) -> str:
    """The OAuth error code (``invalid_grant``, ``invalid_client``), never the description."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) and error.replace("_", "").isalpha() else ""


def main(argv: list[str] | None = None) -> int:
    """``python -m boardpack.connectors.oauth FILE``: token response on stdin → token file."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage : python -m boardpack.connectors.oauth FICHIER_DE_JETONS < reponse.json", file=sys.stderr)
        return 2
    try:
        tokens = tokens_from_response(json.loads(sys.stdin.read()), _utcnow())
    except ValueError:
        print("l'entrée n'est pas une réponse de jetons JSON (access_token, refresh_token)", file=sys.stderr)
        return 2
    write_tokens(Path(args[0]).expanduser(), tokens)
    print(f"fichier de jetons écrit : {args[0]} (mode 0600)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
