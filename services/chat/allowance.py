"""Daily answer allowances counted in Redis (shared by every process, async); the per-user request rate is core's
sliding window (`services.core.ratelimit`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import redis.asyncio as aioredis

from services.core.ratelimit import RateLimiter

# Atomically: refuse at the limit, else count one more answer for the day (kept two days).
_TAKE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if limit >= 0 and used >= limit then return {0, used} end
used = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 172800)
return {1, used}
"""
_GIVE_BACK = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def day_of(now: dt.datetime) -> dt.date:
    return now.astimezone(dt.UTC).date()


def reset_after(now: dt.datetime) -> tuple[dt.datetime, float]:
    """The next UTC midnight and the seconds until it."""
    midnight = dt.datetime.combine(day_of(now) + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return midnight, (midnight - now).total_seconds()


@dataclass(frozen=True, slots=True)
class Taken:
    allowed: bool
    used: int


class AnswerCounter:
    def __init__(self, client: aioredis.Redis, limiter: RateLimiter, prefix: str = "marquee:chat:") -> None:
        self.client = client
        self.limiter = limiter
        self.prefix = prefix
        self._take = client.register_script(_TAKE)
        self._give = client.register_script(_GIVE_BACK)

    def _key(self, user_id: str, day: dt.date) -> str:
        return f"{self.prefix}answers:{user_id}:{day.isoformat()}"

    async def take(self, user_id: str, day: dt.date, limit: int) -> Taken:
        """Count one answer unless `limit` are used (`limit` < 0: unlimited)."""
        allowed, used = await self._take(keys=[self._key(user_id, day)], args=[limit])
        return Taken(bool(int(allowed)), int(used))

    async def give_back(self, user_id: str, day: dt.date) -> None:
        await self._give(keys=[self._key(user_id, day)])

    async def used(self, user_id: str, day: dt.date) -> int:
        found = await self.client.get(self._key(user_id, day))
        return int(found or 0)

    async def rate(self, user_id: str, limit: int, window_seconds: float) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        decision = await self.limiter.check(f"chat:{user_id}", limit=limit, window_seconds=window_seconds)
        return 0.0 if decision.allowed else max(0.001, decision.retry_after_seconds)

    async def forget(self, user_id: str) -> int:
        """Deletes the user's answer counters and rate window (account erasure); returns how many keys went."""
        keys = [key async for key in self.client.scan_iter(match=f"{self.prefix}answers:{user_id}:*", count=100)]
        await self.limiter.reset_async(f"chat:{user_id}")
        return int(await self.client.delete(*keys)) if keys else 0
