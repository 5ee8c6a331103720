"""Per-principal rate limits: a token bucket for each principal, in this process.

Each principal may make ``per_minute`` requests a minute on average, in bursts of up to
``per_minute``. Buckets of principals idle for long are dropped so memory stays bounded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

IDLE_SECONDS = 600.0
MAX_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Whether a principal may make one more request now."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one request from ``key``'s bucket; False when it is empty (or always True
        when there is no limit)."""
        if self.per_minute <= 0:
            return True
        with self._lock:
            bucket = self._refilled(key)
            if bucket.tokens < 1.0:
                return False
            bucket.tokens -= 1.0
            return True

    def exhausted(self, key: str) -> bool:
        """Whether ``key``'s bucket is empty now (taking nothing from it)."""
        if self.per_minute <= 0:
            return False
        with self._lock:
            return self._refilled(key).tokens < 1.0

    def _refilled(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._drop_idle(now)
            bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
        refill = (now - bucket.at) * self.per_minute / 60.0
        bucket.tokens = min(float(self.per_minute), bucket.tokens + refill)
        bucket.at = now
        return bucket

    def _drop_idle(self, now: float) -> None:
        for key in [k for k, b in self._buckets.items() if now - b.at > IDLE_SECONDS]:
            del self._buckets[key]
