"""Sliding-window rate limits kept in Redis, shared by every process."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import redis

# Atomically: drop hits older than the window, count the rest, and either add
# this hit or report when the oldest one leaves the window.
_SLIDING_WINDOW = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, tostring(tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return {1, '0'}
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: float


class RateLimiter:
    def __init__(self, client: redis.Redis, *, prefix: str = "marquee:ratelimit:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_SLIDING_WINDOW)

    def hit(self, key: str, *, limit: int, window_seconds: float) -> Decision:
        allowed, retry = self._script(
            keys=[self._prefix + key],
            args=[time.time(), window_seconds, limit, uuid.uuid4().hex],
        )
        return Decision(bool(int(allowed)), max(0.0, float(retry)))

    def reset(self, key: str) -> None:
        self._client.delete(self._prefix + key)
