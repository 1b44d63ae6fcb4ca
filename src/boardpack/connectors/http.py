"""The HTTP layer every connector shares: timeouts, retries, rate limiting, clear errors.

A connector describes its API with a :class:`Provider` (name, base URL, rate limit) and
talks to it through an :class:`ApiClient`:

* every call has a timeout (connect, read, write, pool: ``Provider.timeout`` seconds);
* 429, 5xx and transport errors (refused connection, timeout, connection closed) are
  retried up to ``Provider.retries`` times, waiting what ``Retry-After`` says (seconds or
  an HTTP date) or else a random time in ``[0, min(max_wait, backoff × 2^attempt)]``
  (exponential backoff, full jitter); a ``Retry-After`` longer than ``max_wait`` fails at
  once with a clear error instead of hanging;
* a non-idempotent request (``POST`` or ``PATCH`` not marked ``idempotent=True``) is retried
  only when it certainly never reached the server (connection refused or not established:
  ``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``) or on a 429: a timeout, a dropped
  connection or a 5xx may come after the server acted (an OAuth refresh that rotated the
  refresh token), and sending it again could repeat the action; read-only ``POST`` calls
  (a search) pass ``idempotent=True``;
* 400, 401, 403, 404 and other 4xx are never retried; a 401 calls ``refresh`` once (if
  given) with the authentication headers the refused request carried, and the request is
  tried once more with the new token;
* a client-side sliding window keeps at most ``margin × rate`` requests per ``per`` seconds
  (:class:`RateLimiter`; ``margin`` 0.8 by default), for each limit the provider publishes,
  so that network jitter, retries and other tools sharing the token do not bring a 429;
* every failure is an :class:`ApiError` whose text is one French sentence naming the
  provider, the method, the endpoint (path only, never the query), the status and what to do.

Tokens never reach the logs (``boardpack.http`` logs method, path, status, duration and
attempt), the errors (any credential the client sent is masked in a provider's message)
or the URLs (credentials travel in headers). Waiting goes through the module-level
:data:`pause`, looked up at call time, so tests replace it instead of sleeping.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from ..errors import SourceError
from .ratelimit import MARGIN, RateLimiter, Window

from ..api.lazy import lazy_module

if TYPE_CHECKING:
    import httpx
else:
    httpx = lazy_module("httpx")

__all__ = ["MARGIN", "ApiClient", "ApiError", "Provider", "RateLimiter", "Window", "clock", "pause"]

#: How the client waits (seconds); tests monkeypatch it (``boardpack.connectors.http.pause``).
pause: Callable[[float], None] = time.sleep
#: The rate limiter's clock (seconds, monotonic); tests may monkeypatch it with :data:`pause`.
clock: Callable[[], float] = time.monotonic

log = logging.getLogger("boardpack.http")

_RETRIED = {429} | set(range(500, 600))
#: methods that may be repeated without effect (RFC 9110 §9.2.2); others need ``idempotent=True``
_IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}
#: transport errors raised before any byte of the request left: always safe to retry
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_DETAIL_LENGTH = 200


@dataclass(frozen=True)
class Provider:
    """What the client needs to know about one API: its name, address, limits and patience."""

    #: shown in errors: "Pennylane", "QuickBooks", "HubSpot"
    name: str
    #: e.g. "https://app.pennylane.com" or "http://127.0.0.1:PORT" (an emulator)
    base_url: str
    #: the provider's published limit: at most ``rate`` requests …
    rate: int
    #: … per ``per`` seconds (the client keeps :attr:`margin` of it, in a sliding window)
    per: float
    #: seconds, on every call (connect, read, write, pool)
    timeout: float = 30.0
    #: extra attempts on 429 / 5xx / transport errors
    retries: int = 5
    #: base of the exponential backoff (seconds)
    backoff: float = 1.0
    #: longest single wait; a Retry-After above it fails with a clear error
    max_wait: float = 120.0
    #: what to do on a 401/403
    auth_hint: str = "vérifiez le jeton d'accès dans la configuration"
    #: further published limits, ``((rate, per), …)``, kept as well (QuickBooks: 500 per minute)
    more_limits: tuple[tuple[int, float], ...] = ()
    #: share of each published limit the client uses (:data:`MARGIN`; 1.0 = exactly at the limit)
    margin: float = MARGIN

    def __post_init__(self) -> None:
        for rate, per in self.limits:
            if rate < 1 or per <= 0:
                raise ValueError(f"{self.name} : limite de débit invalide ({rate} requêtes / {per} s)")
        if not 0 < self.margin <= 1:
            raise ValueError(f"{self.name} : marge de débit invalide ({self.margin})")
        if self.timeout <= 0 or self.retries < 0:
            raise ValueError(f"{self.name} : délai ou nombre de tentatives invalide")

    @property
    def limits(self) -> tuple[tuple[int, float], ...]:
        """Every published limit ``(rate, per)``: the main one, then :attr:`more_limits`."""
        return ((self.rate, self.per), *self.more_limits)

    def windows(self) -> list[Window]:
        """One client-side :class:`Window` per published limit, each at :attr:`margin` of it."""
        return [Window.below(rate, per, self.margin) for rate, per in self.limits]


class ApiError(SourceError):
    """A provider's API failed; ``str()`` is one French sentence saying what and what to do.

    ``provider``, ``method``, ``endpoint`` (path only, no query), ``status`` (``None``
    when no response came back), ``what``, ``detail``, ``hint`` and ``attempts`` are kept for
    callers and tests (a caller may re-raise with another hint). The sentence is
    ``"<provider> : <method> <endpoint> <what>[ après N tentatives][ (<detail>)] ; <hint>"``,
    where ``what`` is « a répondu <status> » unless given.
    """

    def __init__(self, provider: str, method: str, endpoint: str, status: int | None, *,
                 detail: str = "", hint: str = "", attempts: int = 1, what: str | None = None) -> None:
        self.provider = provider
        self.method = method
        self.endpoint = endpoint
        self.status = status
        self.detail = detail
        self.hint = hint
        self.attempts = attempts
        if what is None:
            what = f"a répondu {status}" if status is not None else "n'a pas répondu"
        self.what = what
        text = f"{provider} : {method} {endpoint} {what}"
        if attempts > 1:
            text += f" après {attempts} tentatives"
        if detail:
            text += f" ({detail})"
        if hint:
            text += f" ; {hint}"
        super().__init__(text)

    @classmethod
    def from_response(cls, provider: str, response: httpx.Response, detail: str = "", hint: str = "",
                      what: str | None = None) -> ApiError:
        """The error for ``response`` (method and path taken from its request).

        For ``validate`` callbacks, e.g. a QuickBooks ``Fault`` inside a 200::

            raise ApiError.from_response("QuickBooks", response, "ValidationFault : …",
                                         "vérifiez …", what="a renvoyé une erreur dans une réponse 200")
        """
        return cls(provider, response.request.method, response.request.url.path, response.status_code,
                   detail=_one_line(detail), hint=hint, what=what)


class ApiClient:
    """Calls one provider's API with timeouts, retries, rate limiting and one-sentence errors.

    :param provider: the API's name, address and limits.
    :param auth: returns the headers that authenticate a request (``Authorization``…);
        called before every attempt, so a refreshed token is used at once.
    :param refresh: on a 401, called once with the authentication headers the refused
        request carried (what ``auth`` returned for it: the stale token, so an
        OAuth store refreshes only if no one else already did), then the request is
        retried once; a second 401 is an :class:`ApiError`.
    :param describe: the provider's error message from a failed response (never a token);
        by default the ``message``/``error``/``detail`` of a JSON body or the first line of text.
    :param headers: fixed headers (``Accept``, ``X-Use-2026-API-Changes``…).
    :param transport: an httpx transport (tests: ``httpx.MockTransport``).
    :param shared: windows this client also counts its requests in, shared with another
        client (HubSpot: the search client counts in the account's 10-second window).
    """

    def __init__(self, provider: Provider, *,
                 auth: Callable[[], Mapping[str, str]] | None = None,
                 refresh: Callable[[Mapping[str, str]], None] | None = None,
                 describe: Callable[[httpx.Response], str] | None = None,
                 headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None, shared: Sequence[Window] = ()) -> None:
        self.provider = provider
        self.auth = auth
        self.refresh = refresh
        self.describe = describe or describe_body
        #: the client-side limiter: one window per published limit, plus the ``shared`` ones
        self.limiter = RateLimiter([*provider.windows(), *shared])
        self._secrets: set[str] = set()
        self._origin = _origin(provider.base_url)
        self._client = httpx.Client(
            base_url=provider.base_url,
            timeout=httpx.Timeout(provider.timeout),
            headers=dict(headers or {}),
            transport=transport,
            follow_redirects=False,
        )

    # -- the public calls ----------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Any = None, json: Any = None, data: Any = None,
                content: Any = None, headers: Mapping[str, str] | None = None,
                validate: Callable[[httpx.Response], None] | None = None,
                idempotent: bool | None = None) -> httpx.Response:
        """Send one request, retrying what may be retried; return the 2xx response.

        :param path: relative to the provider's ``base_url``, or an absolute URL on the same
            host (a next-page link); any other host is refused (it would receive the token).
        :param idempotent: whether sending the request twice has the effect of sending it
            once (default: true for GET, HEAD, OPTIONS, PUT, DELETE, TRACE; false for POST
            and PATCH). A non-idempotent request is retried only when it never left (refused
            or unestablished connection) or on a 429; a read-only search sent as POST passes
            ``idempotent=True`` to be retried like a GET.
        :param validate: runs on a 2xx response and may raise :class:`ApiError` (an error
            hidden in a 200).
        :raises ApiError: on a non-2xx answer, after the retries, or when ``validate`` says so.
        """
        method = method.upper()
        endpoint = self._endpoint(method, path)
        provider = self.provider
        attempts = provider.retries + 1
        repeatable = method in _IDEMPOTENT if idempotent is None else idempotent
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            self.limiter.acquire(clock, pause)
            credentials = self._auth_headers()
            sent = {**credentials, **dict(headers or {})}
            started = time.perf_counter()
            try:
                response = self._client.request(method, path, params=params, json=json, data=data,
                                                content=content, headers=sent)
            except httpx.TransportError as exc:
                elapsed = time.perf_counter() - started
                log.warning("%s %s %s : %s après %.2f s (tentative %d/%d)", provider.name, method, endpoint,
                            exc.__class__.__name__, elapsed, attempt, attempts)
                if attempt >= attempts or not (repeatable or isinstance(exc, _NOT_SENT)):
                    raise self._transport_error(method, endpoint, exc, attempt) from None
                self._wait(method, endpoint, attempt, None, None)
                continue
            elapsed = time.perf_counter() - started
            status = response.status_code
            log.info("%s %s %s → %d en %.2f s (tentative %d/%d)", provider.name, method, endpoint, status,
                     elapsed, attempt, attempts)
            if 200 <= status < 300:
                if validate is not None:
                    validate(response)
                return response
            if status == 401 and self.refresh is not None and not refreshed:
                refreshed = True
                log.info("%s : jeton refusé (401), renouvellement puis nouvel essai", provider.name)
                self.refresh(credentials)
                attempt -= 1  # the refreshed try does not use up a retry
                continue
            if status not in _RETRIED or (status != 429 and not repeatable):
                raise self._status_error(method, endpoint, response, attempt)
            if attempt >= attempts:
                raise self._status_error(method, endpoint, response, attempt)
            self._wait(method, endpoint, attempt, response, status)

    def get_json(self, path: str, params: Any = None, **kwargs: Any) -> Any:
        """``GET`` ``path`` and return the decoded JSON body (see :meth:`request`)."""
        return self._json(self.request("GET", path, params=params, **kwargs))

    def post_json(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        """``POST`` a JSON body to ``path`` and return the decoded JSON answer (see :meth:`request`)."""
        return self._json(self.request("POST", path, json=json, **kwargs))

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------------
    def _auth_headers(self) -> dict[str, str]:
        if self.auth is None:
            return {}
        values = dict(self.auth())
        for value in values.values():
            self._remember(value)
        return values

    def _remember(self, value: str) -> None:
        """Keep a credential (and its parts: ``Bearer <token>``) to mask it in error text."""
        for part in [value, *value.split()]:
            if len(part) >= 8:
                self._secrets.add(part)

    def _mask(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "<secret>")
        return text

    def _endpoint(self, method: str, path: str) -> str:
        """The path shown in logs and errors (no query); refuses absolute URLs on another host."""
        if "://" in path:
            if _origin(path) != self._origin:
                raise ApiError(self.provider.name, method, urlsplit(path).path or "/", None,
                               what="renvoie vers un autre hôte que base_url",
                               hint="lien refusé pour ne pas y envoyer le jeton ; vérifiez base_url")
            return urlsplit(path).path or "/"
        base_path = urlsplit(self.provider.base_url).path.rstrip("/")
        return base_path + "/" + path.split("?", 1)[0].lstrip("/")

    def _wait(self, method: str, endpoint: str, attempt: int, response: httpx.Response | None,
              status: int | None) -> None:
        """Sleep before the next attempt: Retry-After if the response says so, else backoff with jitter."""
        provider = self.provider
        asked = _retry_after(response) if response is not None else None
        if asked is not None:
            if asked > provider.max_wait:
                raise ApiError(provider.name, method, endpoint, status, attempts=attempt,
                               detail=f"attente demandée de {asked:.0f} s, au-delà du maximum de "
                                      f"{provider.max_wait:.0f} s",
                               hint="la limite de requêtes est atteinte, réessayez plus tard")
            wait = max(0.0, asked)
        else:
            wait = random.uniform(0, min(provider.max_wait, provider.backoff * 2 ** attempt))
        log.warning("%s %s %s : nouvel essai dans %.2f s", provider.name, method, endpoint, wait)
        pause(wait)

    def _status_error(self, method: str, endpoint: str, response: httpx.Response, attempts: int) -> ApiError:
        status = response.status_code
        try:
            message = self._mask(_one_line(self.describe(response)))
        except Exception:  # noqa: BLE001 - a describer's bug must not hide the API's real failure
            message = ""
        provider = self.provider
        if status in (401, 403):
            label = "authentification refusée" if status == 401 else "accès refusé"
            hint = provider.auth_hint
        elif status == 404:
            label, hint = "ressource introuvable", "vérifiez base_url et les identifiants (société, compte) de la configuration"
        elif status == 429:
            label, hint = "trop de requêtes", "la limite de requêtes est atteinte, réessayez plus tard"
        elif status >= 500:
            label, hint = "", "le service est indisponible, réessayez plus tard"
        elif 300 <= status < 400:
            label, hint = "redirection", "vérifiez base_url (elle doit désigner l'API elle-même)"
        else:
            label = "requête refusée"
            hint = "vérifiez les options de la source (période, filtres) ; si cela persiste, signalez un défaut de boardpack"
        detail = f"{label} : {message}" if label and message else label or message
        return ApiError(provider.name, method, endpoint, status, detail=detail, hint=hint, attempts=attempts)

    def _transport_error(self, method: str, endpoint: str, exc: httpx.TransportError, attempts: int) -> ApiError:
        provider = self.provider
        if isinstance(exc, httpx.TimeoutException):
            what = f"n'a pas répondu dans le délai de {provider.timeout:g} s"
            hint = "le service est lent ou injoignable : réessayez plus tard ou augmentez l'option timeout"
        else:
            what = "est injoignable"
            hint = "vérifiez base_url et la connexion réseau, puis réessayez"
        return ApiError(provider.name, method, endpoint, None, what=what, attempts=attempts,
                        detail=exc.__class__.__name__, hint=hint)

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ApiError.from_response(
                self.provider.name, response, what=f"a répondu {response.status_code} avec un contenu qui n'est pas du JSON",
                hint="vérifiez base_url (elle doit désigner l'API elle-même)",
            ) from None


def describe_body(response: httpx.Response) -> str:
    """The provider's message in an error body: JSON ``message``/``error``/``detail``, else the text.

    Handles plain-text bodies (Pennylane's 429) and never raises.
    """
    text = response.text
    try:
        body = response.json()
    except ValueError:
        return _one_line(text)
    if isinstance(body, dict):
        parts = []
        for key in ("error", "message", "detail", "error_description"):
            value = body.get(key)
            if isinstance(value, str) and value and value not in parts:
                parts.append(value)
        if parts:
            return _one_line(" : ".join(parts))
    return ""


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds asked by ``Retry-After`` (delay in seconds or HTTP date), or None."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    served = response.headers.get("date")
    if served:  # measure against the server's clock: immune to a skewed local clock
        try:
            now = email.utils.parsedate_to_datetime(served)
            now = now if now.tzinfo else now.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            pass
    return max(0.0, (when - now).total_seconds())


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _one_line(text: str) -> str:
    """Whitespace collapsed, cut to a readable length, no trailing period (it sits in a sentence)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) > _DETAIL_LENGTH:
        text = text[: _DETAIL_LENGTH - 1].rstrip() + "…"
    return text.rstrip(".")
