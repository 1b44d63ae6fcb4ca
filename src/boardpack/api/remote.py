"""The toolkit of sources that read a remote API (Pennylane, QuickBooks, HubSpot…).

* :class:`ApiClient` on a :class:`Provider`: timeouts on every call, a client-side rate
  limiter at :data:`MARGIN` of the published limits, retries with full-jitter backoff on 429,
  5xx and transport errors (``Retry-After`` honoured), a POST retried only when it certainly
  did not leave, one clear :class:`ApiError` sentence (provider, endpoint, status, what to do)
  with secrets masked;
* :class:`TokenStore`: OAuth 2 tokens kept in a file outside the repository, refreshed before
  expiry or on a 401, the rotated refresh token written atomically before use, one refresh at
  a time across processes;
* :class:`Options`: the options every remote source reads alike (secrets, months, flags,
  timeouts, the datasets to fetch);
* :func:`this_month`, :func:`default_since` (three fiscal years back), :func:`cents` (an amount
  as the API wrote it, to exact cents) and :func:`amount_text` (cents as a French amount, for
  findings).

A source builds its client inside ``check()``/``load()``, never at import: registering the
plugins imports no HTTP library.
"""

from __future__ import annotations

from ..connectors import http as _http
from ..connectors.common import LOOKBACK_YEARS, cents, default_since, this_month
from ..connectors.common import euros as amount_text
from ..connectors.http import ApiClient, ApiError, Provider, describe_body
from ..connectors.oauth import INTUIT_TOKEN_URL, Tokens, TokenStore, tokens_from_response, write_tokens
from ..connectors.options import MAX_TIMEOUT, Options
from ..connectors.ratelimit import MARGIN, RateLimiter
from ..connectors.ratelimit import Window as RateWindow

__all__ = [
    "INTUIT_TOKEN_URL",
    "LOOKBACK_YEARS",
    "MARGIN",
    "MAX_TIMEOUT",
    "ApiClient",
    "ApiError",
    "Options",
    "Provider",
    "RateLimiter",
    "RateWindow",
    "TokenStore",
    "Tokens",
    "amount_text",
    "cents",
    "default_since",
    "describe_body",
    "log",
    "pause",
    "this_month",
    "tokens_from_response",
    "write_tokens",
]

#: The HTTP layer's logger (``boardpack.http``).
log = _http.log


def pause(seconds: float) -> None:
    """Wait ``seconds`` as the HTTP layer does (tests replace the layer's wait, not this function)."""
    _http.pause(seconds)
