"""Backoff policy: jittered exponential delays that honour ``Retry-After``.

Sleep and randomness are injectable so tests run in milliseconds.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .errors import ValidationError


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RetryPolicy:
    """How often and how long to wait between attempts.

    ``max_retries`` bounds retries of GETs, lists, streams and downloads (and
    of create POSTs that provably never reached the server, or got a 429).
    ``queue_full_retries`` bounds retries of a create refused with
    ``NoMoreConcurrentTasks``. ``max_retry_after`` caps a server's
    ``Retry-After`` so a bad header cannot stall a job for hours.
    """

    max_retries: int = 5
    base: float = 0.5
    cap: float = 30.0
    queue_full_retries: int = 3
    max_retry_after: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def __post_init__(self) -> None:
        for name in ("max_retries", "queue_full_retries"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValidationError(f"{name} must be a whole number from 0 up, not {value!r}", name)
        for name in ("base", "cap", "max_retry_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValidationError(f"{name} must be a number of seconds from 0 up, not {value!r}", name)
        if not callable(self.sleep) or not callable(self.rand):
            raise ValidationError("sleep and rand must be functions", "sleep")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        if retry_after is not None and retry_after >= 0:
            return min(float(retry_after), self.max_retry_after)
        ceiling = min(self.cap, self.base * (2 ** max(0, attempt - 1)))
        # "Equal jitter": at least half the ceiling, so waits still grow, but
        # clients that failed together do not retry together.
        return ceiling / 2 + self.rand() * ceiling / 2

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        """Sleep before retry ``attempt`` and return how long that was."""
        seconds = self.delay(attempt, retry_after)
        if seconds > 0:
            self.sleep(seconds)
        return seconds


def fast_policy(max_retries: int = 5, **kw) -> RetryPolicy:
    """A policy for tests: the same logic with millisecond waits."""
    kw.setdefault("base", 0.001)
    kw.setdefault("cap", 0.005)
    kw.setdefault("max_retry_after", 0.01)
    return RetryPolicy(max_retries=max_retries, **kw)
