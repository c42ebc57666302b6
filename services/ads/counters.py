"""Serving state kept in Redis and shared by every Ads process: frequency caps, spend, unique viewers,
request counts and repeated-click marks. All through `redis.asyncio`; cap checks that write are one Lua
script, so two processes cannot both slip under a cap.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from services.ads import domain

PREFIX = "marquee:ads:"
UNIQUE_TTL_SECONDS = 400 * 86_400
SPEND_DAY_TTL_SECONDS = 3 * 86_400
REQUEST_FLUSH_SECONDS = 1.0  # how often a process writes its SelectAd request counts
CAPPED, ADDED, ALREADY_COUNTED = 0, 1, 2  # what `count_towards_caps` did
VERSION_KEY = PREFIX + "version"  # bumped by every admin write: processes reread their serveable ads

# KEYS: the viewer's zset for the ad, then for the campaign. ARGV: member, now, the ad's caps as
# (max, period) pairs count, the pairs, the campaign cap (max, period; max 0 = none). Returns 1 when
# the impression was added, 2 when it already was (a retry), 0 when a cap is already full.
_CHECK_AND_COUNT = """
local member, now, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], member) then return 2 end
local longest = 0
for i = 0, n - 1 do
  local maximum, period = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
  if period > longest then longest = period end
  if redis.call('ZCOUNT', KEYS[1], '(' .. (now - period), '+inf') >= maximum then return 0 end
end
local cmax, cperiod = tonumber(ARGV[4 + 2 * n]), tonumber(ARGV[5 + 2 * n])
if cmax > 0 and redis.call('ZCOUNT', KEYS[2], '(' .. (now - cperiod), '+inf') >= cmax then return 0 end
redis.call('ZADD', KEYS[1], now, member)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
redis.call('EXPIRE', KEYS[1], longest + 60)
if cmax > 0 then
  redis.call('ZADD', KEYS[2], now, member)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - cperiod)
  redis.call('EXPIRE', KEYS[2], cperiod + 60)
end
return 1
"""

# The serving state of a request's candidates in one call. KEYS: the version key, then per ad its four
# spend keys, its cap zset when it has caps, the campaign's cap zset when the campaign cap is on.
# ARGV: now, the number of ads, then per ad: its caps count, the (max, period) pairs, the campaign cap
# (max, period; max 0 = none). Returns the version, then per ad its four spends and 1 when capped.
_STATE = """
local now, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {tonumber(redis.call('GET', KEYS[1])) or 0}
local k, a = 2, 3
for _ = 1, n do
  local spend = redis.call('MGET', KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3])
  for j = 1, 4 do out[#out + 1] = tonumber(spend[j]) or 0 end
  k = k + 4
  local capped, caps = 0, tonumber(ARGV[a])
  a = a + 1
  for _ = 1, caps do
    local maximum, period = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    a = a + 2
    if capped == 0 and redis.call('ZCOUNT', KEYS[k], '(' .. (now - period), '+inf') >= maximum then capped = 1 end
  end
  if caps > 0 then k = k + 1 end
  local cmax, cperiod = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  a = a + 2
  if cmax > 0 then
    if capped == 0 and redis.call('ZCOUNT', KEYS[k], '(' .. (now - cperiod), '+inf') >= cmax then capped = 1 end
    k = k + 1
  end
  out[#out + 1] = capped
end
return out
"""

# After an impression is committed. KEYS: the four spend keys, then the unique-viewer sketches.
# ARGV: the cost in micros, the day keys' TTL, the viewer (empty: none), the sketches' TTL.
_DELIVERED = """
local cost = tonumber(ARGV[1])
if cost > 0 then
  for i = 1, 4 do
    redis.call('INCRBY', KEYS[i], cost)
    if i % 2 == 0 then redis.call('EXPIRE', KEYS[i], ARGV[2]) end
  end
end
if ARGV[3] ~= '' then
  for i = 5, #KEYS do
    redis.call('PFADD', KEYS[i], ARGV[3])
    redis.call('EXPIRE', KEYS[i], ARGV[4])
  end
end
return 1
"""


def _hour_key(hour: dt.datetime) -> str:
    hour = hour.astimezone(dt.UTC)
    return f"{hour.year:04d}{hour.month:02d}{hour.day:02d}{hour.hour:02d}"


def _day_key(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"


def _unique_keys(scope: str, hours: Sequence[dt.datetime]) -> list[str]:
    """The HyperLogLogs covering `hours` (UTC, whole hours, ascending): one per whole UTC day, one per
    hour of partial days (a report in another time zone), so a 30-day UTC report merges 30 keys, not 720."""
    by_day: dict[str, list[str]] = {}
    for hour in hours:
        key = _hour_key(hour)
        by_day.setdefault(key[:8], []).append(key)
    keys = []
    for day, day_hours in by_day.items():
        if len(day_hours) == 24:
            keys.append(f"{PREFIX}uv:{scope}:{day}")
        else:
            keys.extend(f"{PREFIX}uv:{scope}:{h}" for h in day_hours)
    return keys


def _glob_literal(text: str) -> str:
    """`text` matched literally inside a SCAN pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


@dataclass(frozen=True)
class CandidateState:
    capped: bool
    spend: domain.Spend


class ServingCounters:
    def __init__(self, client: aioredis.Redis, *, campaign_cap: tuple[int, int] = (0, 0)) -> None:
        self._redis = client
        self._campaign_cap = campaign_cap
        self._check_and_count = client.register_script(_CHECK_AND_COUNT)
        self._state = client.register_script(_STATE)
        self._delivered = client.register_script(_DELIVERED)
        self._pending_requests: collections.Counter[tuple[str, str]] = collections.Counter()
        self._flushed_at = time.monotonic()
        self._flushing: asyncio.Future[None] | None = None

    @staticmethod
    def _cap_key(viewer: str, scope: str, resource_id: str) -> str:
        return f"{PREFIX}cap:{viewer}:{scope}:{resource_id}"

    @staticmethod
    def _spend_keys(ad: domain.Ad, now: dt.datetime) -> tuple[str, str, str, str]:
        campaign_id = ad.spec.campaign_id
        return (
            f"{PREFIX}spend:ad:{ad.id}",
            f"{PREFIX}spend:ad:{ad.id}:{domain.local_day(now, ad.spec.schedule.time_zone)}",
            f"{PREFIX}spend:cmp:{campaign_id}",
            f"{PREFIX}spend:cmp:{campaign_id}:{now.astimezone(dt.UTC).date()}",
        )

    async def version(self) -> int:
        return int(await self._redis.get(VERSION_KEY) or 0)

    async def bump_version(self) -> None:
        await self._redis.incr(VERSION_KEY)

    async def state(self, ads: Sequence[domain.Ad], viewer: str, now: dt.datetime) -> tuple[int, list[CandidateState]]:
        """The ads version and each candidate's caps and spend: one script call, one flat reply (reads only)."""
        keys: list[str] = [VERSION_KEY]
        args: list[Any] = [now.timestamp(), len(ads)]
        campaign_max, campaign_period = self._campaign_cap if viewer else (0, 0)
        for ad in ads:
            keys.extend(self._spend_keys(ad, now))
            caps = ad.spec.effective_caps if viewer else ()
            args.append(len(caps))
            if caps:
                keys.append(self._cap_key(viewer, "ad", ad.id))
                for maximum, period in caps:
                    args += [maximum, period]
            args += [campaign_max, campaign_period]
            if campaign_max:
                keys.append(self._cap_key(viewer, "cmp", ad.spec.campaign_id))
        reply = [int(v) for v in await self._state(keys=keys, args=args)]
        found = [CandidateState(bool(reply[5 * i + 5]), domain.Spend(*reply[5 * i + 1 : 5 * i + 5])) for i in range(len(ads))]
        return reply[0], found

    async def count_towards_caps(self, ad: domain.Ad, viewer: str, member: str, now: dt.datetime) -> int:
        """Adds the impression to the viewer's caps unless one is already full (atomic across processes):
        ADDED, ALREADY_COUNTED (a retry of a counted impression) or CAPPED."""
        if not viewer:
            return ALREADY_COUNTED  # nothing to add, nothing to take back
        caps = ad.spec.effective_caps
        args: list[Any] = [member, now.timestamp(), len(caps)]
        for maximum, period in caps:
            args += [maximum, period]
        args += list(self._campaign_cap)
        keys = [self._cap_key(viewer, "ad", ad.id), self._cap_key(viewer, "cmp", ad.spec.campaign_id)]
        return int(await self._check_and_count(keys=keys, args=args))

    async def forget_cap(self, ad: domain.Ad, viewer: str, member: str) -> None:
        """Takes back a cap entry whose impression could not be stored."""
        if viewer:
            await self._redis.zrem(self._cap_key(viewer, "ad", ad.id), member)
            await self._redis.zrem(self._cap_key(viewer, "cmp", ad.spec.campaign_id), member)

    async def delivered(self, ad: domain.Ad, viewer: str, placement: int, cost_micros: int, now: dt.datetime) -> None:
        """After the impression is committed: spend and unique-viewer counts, in one script call."""
        keys = list(self._spend_keys(ad, now))
        if viewer:
            for period in (_hour_key(now), _day_key(now)):
                for scope in (f"ad:{ad.id}", f"cmp:{ad.spec.campaign_id}", "all", f"pl:{placement}"):
                    keys.append(f"{PREFIX}uv:{scope}:{period}")
        await self._delivered(keys=keys, args=[cost_micros, SPEND_DAY_TTL_SECONDS, viewer, UNIQUE_TTL_SECONDS])

    async def charged(self, ad: domain.Ad, cost_micros: int, now: dt.datetime) -> None:
        if cost_micros:
            pipe = self._redis.pipeline(transaction=False)
            self._spend(pipe, ad, cost_micros, now)
            await pipe.execute()

    def _spend(self, pipe: Any, ad: domain.Ad, cost_micros: int, now: dt.datetime) -> None:
        if not cost_micros:
            return
        for index, key in enumerate(self._spend_keys(ad, now)):
            pipe.incrby(key, cost_micros)
            if index % 2:
                pipe.expire(key, SPEND_DAY_TTL_SECONDS)

    def count_request(self, placement: int, outcome: str, now: dt.datetime) -> None:
        """`requests`/`fills`/`capped` per placement, or `adfree`, in the hour's hash. Counted in this
        process and written at most every REQUEST_FLUSH_SECONDS (and before an overview is read here):
        SelectAd pays no round trip for it, and reports already say they run a few seconds behind."""
        hour = f"{PREFIX}req:{_hour_key(now)}"
        if outcome == "adfree":
            self._pending_requests[(hour, "adfree")] += 1
        else:
            self._pending_requests[(hour, f"{placement}:requests")] += 1
            if outcome in ("fill", "capped"):
                self._pending_requests[(hour, f"{placement}:{outcome}")] += 1
        if self._flushing is None and time.monotonic() - self._flushed_at >= REQUEST_FLUSH_SECONDS:
            self._flushing = asyncio.ensure_future(self.flush_requests())
            self._flushing.add_done_callback(self._flushed)

    def _flushed(self, task: asyncio.Future[None]) -> None:
        self._flushing = None
        if not task.cancelled():
            task.exception()  # retrieved: a failed write keeps its counts for the next flush

    async def flush_requests(self) -> None:
        """Writes the request counts gathered so far, in one pipeline; on failure they wait for the next."""
        self._flushed_at = time.monotonic()
        pending, self._pending_requests = self._pending_requests, collections.Counter()
        if not pending:
            return
        pipe = self._redis.pipeline(transaction=False)
        for (key, field), count in pending.items():
            pipe.hincrby(key, field, count)
        for key in {key for key, _field in pending}:
            pipe.expire(key, UNIQUE_TTL_SECONDS)
        try:
            await pipe.execute()
        except BaseException:
            self._pending_requests.update(pending)
            raise

    async def repeated_click(self, viewer: str, ad_id: str, seconds: int, now: dt.datetime) -> bool:
        """True when this viewer clicked this ad within `seconds` (a repeated click: invalid)."""
        if not viewer or seconds <= 0:
            return False
        key = f"{PREFIX}click:{viewer}:{ad_id}"
        stamp = now.timestamp()
        previous = await self._redis.getset(key, stamp)
        await self._redis.expire(key, max(seconds, 1) * 10)
        return previous is not None and stamp - float(previous) < seconds

    async def uniques(self, scope: str, groups: Sequence[Sequence[dt.datetime]]) -> list[int]:
        """Distinct viewers over each group of hours (`scope` e.g. `ad:{id}`, `cmp:{id}`, `all`), one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        for hours in groups:
            if hours:
                pipe.pfcount(*_unique_keys(scope, hours))
        replies = iter(await pipe.execute())
        return [int(next(replies)) if hours else 0 for hours in groups]

    async def uniques_many(self, scopes: Sequence[str], hours: Sequence[dt.datetime]) -> list[int]:
        """Distinct viewers of each scope over the same hours, one round trip."""
        if not hours:
            return [0] * len(scopes)
        pipe = self._redis.pipeline(transaction=False)
        for scope in scopes:
            pipe.pfcount(*_unique_keys(scope, hours))
        return [int(v) for v in await pipe.execute()]

    async def union(self, scopes: Sequence[str], hours: Sequence[dt.datetime]) -> int:
        """Distinct viewers across several scopes (HyperLogLogs merge without double counting)."""
        keys = [key for scope in scopes for key in _unique_keys(scope, hours)]
        return int(await self._redis.pfcount(*keys)) if keys else 0

    async def requests(self, hours: Sequence[dt.datetime]) -> dict[str, int]:
        pipe = self._redis.pipeline(transaction=False)
        for hour in hours:
            pipe.hgetall(f"{PREFIX}req:{_hour_key(hour)}")
        totals: dict[str, int] = {}
        for reply in await pipe.execute():
            for name, value in reply.items():
                field = name.decode() if isinstance(name, bytes) else str(name)
                totals[field] = totals.get(field, 0) + int(value)
        return totals

    async def spend_today(self, ad: domain.Ad, now: dt.datetime) -> tuple[int, int]:
        """(the ad's spend today in its schedule's zone, its campaign's spend today UTC)."""
        keys = self._spend_keys(ad, now)
        values = await self._redis.mget([keys[1], keys[3]])
        return int(values[0] or 0), int(values[1] or 0)

    async def campaign_spend_today(self, campaign_id: str, now: dt.datetime) -> int:
        return int(await self._redis.get(f"{PREFIX}spend:cmp:{campaign_id}:{now.astimezone(dt.UTC).date()}") or 0)

    async def viewer_caps(self, viewer: str, now: dt.datetime) -> list[tuple[str, str, int, dt.datetime | None]]:
        """The viewer's frequency-cap counters: (`ad`|`campaign`, id, impressions counted, when the counter
        empties), for account export. Found by SCAN, as this is rare and must not need an index kept hot."""
        if not viewer:
            return []
        found = []
        async for raw in self._redis.scan_iter(match=f"{PREFIX}cap:{_glob_literal(viewer)}:*", count=1000):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            scope, resource_id = key.rsplit(":", 2)[-2:]
            pipe = self._redis.pipeline(transaction=False)
            pipe.zcard(key)
            pipe.ttl(key)
            count, ttl = await pipe.execute()
            if not count:
                continue
            empties = now + dt.timedelta(seconds=int(ttl)) if int(ttl) > 0 else None
            found.append(("ad" if scope == "ad" else "campaign", resource_id, int(count), empties))
        return sorted(found)

    async def forget_viewer(self, viewer: str) -> int:
        """Deletes the viewer's cap counters and repeated-click marks (account erasure); how many keys."""
        if not viewer:
            return 0
        deleted = 0
        for kind in ("cap", "click"):
            keys = [key async for key in self._redis.scan_iter(match=f"{PREFIX}{kind}:{_glob_literal(viewer)}:*", count=1000)]
            for start in range(0, len(keys), 500):
                deleted += int(await self._redis.delete(*keys[start : start + 500]))
        return deleted

    async def close(self) -> None:
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)
        try:
            await self.flush_requests()
        finally:
            await self._redis.aclose()
