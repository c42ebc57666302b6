"""Sliding-window rate limits kept in Redis, shared by every process.

`check` is for coroutines (through `redis.asyncio`, never blocking the loop);
`hit` is the same decision for code already running in the unit of work's
thread pool, where a blocking call costs the loop nothing.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio

from services.core.redis_store import async_twin

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


def _decision(reply: Any) -> Decision:
    allowed, retry = reply
    return Decision(bool(int(allowed)), max(0.0, float(retry)))


class RateLimiter:
    def __init__(self, client: redis.Redis, *, prefix: str = "marquee:ratelimit:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_SLIDING_WINDOW)
        self._async_client = async_twin(client)
        self._async_script = self._async_client.register_script(_SLIDING_WINDOW)

    def _args(self, limit: int, window_seconds: float) -> list[Any]:
        return [time.time(), window_seconds, limit, uuid.uuid4().hex]

    async def check(self, key: str, *, limit: int, window_seconds: float) -> Decision:
        """Count a hit against `key` and decide, without blocking the event loop."""
        return _decision(await self._async_script(keys=[self._prefix + key], args=self._args(limit, window_seconds)))

    def hit(self, key: str, *, limit: int, window_seconds: float) -> Decision:
        """As `check`, blocking: only for code running in the unit of work's thread pool."""
        return _decision(self._script(keys=[self._prefix + key], args=self._args(limit, window_seconds)))

    async def reset_async(self, key: str) -> None:
        await self._async_client.delete(self._prefix + key)

    def reset(self, key: str) -> None:
        self._client.delete(self._prefix + key)
