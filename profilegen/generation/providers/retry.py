"""Which provider failures are retried, how long to wait (Retry-After honoured), and shared pacing."""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

RETRY_AFTER_CAP = 120.0
RETRIED_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
ABORT_STATUSES = {401: "auth", 403: "auth", 402: "no_credits", 404: "model_not_found"}


class EmptyAnswer(Exception):
    """A 200 response without choices: treated like an unreadable body and retried."""


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(exc: BaseException) -> bool:
    """408, 409, 429, 5xx, timeouts, connection errors and unreadable bodies are worth another try."""
    import openai

    status = status_of(exc)
    if status is not None:
        return status in RETRIED_STATUSES
    return isinstance(
        exc,
        openai.APITimeoutError
        | openai.APIConnectionError
        | openai.APIResponseValidationError
        | json.JSONDecodeError
        | UnicodeDecodeError  # a body cut inside a multi-byte character
        | EmptyAnswer,
    )


def retry_after(exc: BaseException, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `Retry-After` seconds or HTTP date)."""
    response: Any = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(attempt: int, base: float, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter: attempt 1 waits up to ``base``, then doubling."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))


class Pacer:
    """Spaces request starts (``rpm``) and holds every request back after a 429 — for everyone.

    With rpm pacing, each 429 also slows the pace by a quarter, to at most ``MAX_SLOWDOWN`` times the
    configured interval; after ``quiet_s`` without a 429 the pace steps back towards the configured one.
    """

    MAX_SLOWDOWN = 4.0
    SLOWDOWN = 1.25

    def __init__(
        self,
        rpm: int | None = None,
        *,
        quiet_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_interval = 60.0 / rpm if rpm else 0.0
        self.interval = self.base_interval
        self.quiet_s = quiet_s
        self._clock = clock
        self._sleep = sleep
        self._not_before = 0.0
        self._next_slot = 0.0
        self._last_429 = -math.inf
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = self._clock()
            self._recover(now)
            start = max(now, self._not_before, self._next_slot)
            self._next_slot = start + self.interval
        delay = start - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def hold(self, seconds: float) -> None:
        """A 429: nobody starts a request for ``seconds``; with rpm pacing, slow down (up to a cap)."""
        now = self._clock()
        self._not_before = max(self._not_before, now + seconds)
        self._last_429 = now
        if self.interval:
            self.interval = min(self.interval * self.SLOWDOWN, self.base_interval * self.MAX_SLOWDOWN)

    def _recover(self, now: float) -> None:
        """Each quiet period without a 429 takes back one slow-down step."""
        if self.interval > self.base_interval and now - self._last_429 >= self.quiet_s:
            self.interval = max(self.base_interval, self.interval / self.SLOWDOWN)
            self._last_429 = now  # the next step needs another quiet period
