"""Fixed-window rate limits kept in memory (per replica): login attempts and requests per principal."""

from __future__ import annotations

import math
import time


class RateLimiter:
    """At most `limit` hits per `window` seconds per key; `hit` returns seconds to wait when over."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._counts: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, now: float | None = None) -> int | None:
        if self.limit <= 0:
            return None
        now = time.monotonic() if now is None else now
        start, count = self._counts.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        count += 1
        if len(self._counts) >= self.max_keys and key not in self._counts:
            self._evict(now)
        self._counts[key] = (start, count)
        if count > self.limit:
            return max(1, math.ceil(start + self.window - now))
        return None

    def _evict(self, now: float) -> None:
        expired = [k for k, (start, _) in self._counts.items() if now - start >= self.window]
        for k in expired:
            del self._counts[k]
        if len(self._counts) >= self.max_keys:
            self._counts.clear()
