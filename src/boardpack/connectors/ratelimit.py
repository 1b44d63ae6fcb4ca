"""Client-side rate limiting: sliding windows kept below each limit a provider publishes.

A :class:`Window` keeps at most ``allowed`` request starts in any ``per`` seconds; a
:class:`RateLimiter` waits until a request fits in every one of its windows. Each
:class:`~boardpack.connectors.http.ApiClient` has one, with a window per published limit of
its provider at :data:`MARGIN` of it (``Provider.windows``); a window may be shared between
two clients (HubSpot's searches also count in the account's 10-second window).

Why a margin: the server counts a request when it arrives, the limiter when it leaves. At
the limit itself, a request that reaches the server faster than the one it replaces in the
window makes one too many (a 429). A sequential client keeping ``allowed < rate`` cannot be
caught that way (its next start comes after the previous arrival), and the rest of the
quota absorbs retries and other tools sharing the token. ``benchmarks/rate_limits.py``
measures it against the emulators with injected network jitter.

Time goes through the clock and pause the caller passes (the HTTP layer's
:data:`boardpack.connectors.http.clock` and :data:`~boardpack.connectors.http.pause`),
looked up at each call, so tests replace them instead of sleeping.
"""

from __future__ import annotations

import math
import threading
from collections import deque
import logging
from collections.abc import Callable, Sequence

__all__ = ["MARGIN", "RateLimiter", "Window"]

log = logging.getLogger("boardpack.http")

#: Share of each published rate limit the client allows itself. A sequential client that
#: keeps ``⌊0.8 × rate⌋`` starts in any ``per`` seconds cannot be throttled by jitter in the
#: time its requests take to reach the server (see the module docstring and docs/connectors.md,
#: « Rate limits and their margin »), and leaves a fifth of the quota to retries and to other
#: tools using the same token.
MARGIN = 0.8
#: waited past a window's end, so that float rounding never puts a start on its last instant
_EPSILON = 1e-6


class Window:
    """One limit as the client keeps it: at most ``allowed`` request starts in any ``per`` seconds.

    A window may be shared by several :class:`RateLimiter` (HubSpot's searches count in the
    account's 10-second window too); its lock guards its list of starts.
    """

    def __init__(self, allowed: int, per: float, published: int | None = None) -> None:
        if allowed < 1 or per <= 0:
            raise ValueError(f"fenêtre de débit invalide ({allowed} requêtes / {per} s)")
        self.allowed = allowed
        self.per = per
        #: the provider's own limit this window keeps under (for messages and benchmarks)
        self.published = published if published is not None else allowed
        self.starts: deque[float] = deque()
        self.lock = threading.Lock()

    @classmethod
    def below(cls, rate: int, per: float, margin: float = MARGIN) -> Window:
        """The window keeping ``⌊margin × rate⌋`` (at least 1) requests per ``per`` seconds."""
        return cls(max(1, math.floor(rate * margin + 1e-9)), per, published=rate)

    def wait(self, now: float) -> float:
        """Seconds before one more start fits (0 when it fits now); forgets starts out of the window."""
        while self.starts and now - self.starts[0] >= self.per:
            self.starts.popleft()
        if len(self.starts) < self.allowed:
            return 0.0
        return max(0.0, self.per - (now - self.starts[-self.allowed]) + _EPSILON)

    def __repr__(self) -> str:
        return f"Window({self.allowed}/{self.per:g} s, publiée {self.published})"


class RateLimiter:
    """Waits until a request fits in every one of its :class:`Window`, then counts it in each."""

    def __init__(self, windows: Sequence[Window]) -> None:
        if not windows:
            raise ValueError("un limiteur de débit a besoin d'au moins une fenêtre")
        self.windows = list(windows)

    def acquire(self, clock: Callable[[], float], pause: Callable[[float], None]) -> None:
        """Wait until one more request fits in every window, then count it.

        ``clock`` (seconds, monotonic) and ``pause`` are the caller's: the HTTP layer passes its
        own (:data:`boardpack.connectors.http.clock`, :data:`~boardpack.connectors.http.pause`),
        which tests replace.
        """
        ordered = sorted(self.windows, key=id)  # one lock order everywhere: no deadlock between sharers
        for window in ordered:
            window.lock.acquire()
        try:
            now = clock()
            wait = max(window.wait(now) for window in self.windows)
            if wait > 0:
                log.debug("limite de débit : attente de %.2f s", wait)
                pause(wait)
                now = clock()
                for window in self.windows:
                    window.wait(now)
                    while len(window.starts) >= window.allowed:  # pause was replaced (tests): no second wait
                        window.starts.popleft()
            for window in self.windows:
                window.starts.append(now)
        finally:
            for window in reversed(ordered):
                window.lock.release()
