"""The seam to Tracking: which titles are being watched, for trending.

Catalog never reads Tracking's tables; it asks `ListTitleActivity` over Tracking's contract.
The ranking is cached in Redis (through `redis.asyncio`) for `trending_cache_seconds`; a failure
is remembered for a few seconds too, so a missing Tracking costs one call per period, not one
per request.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import grpc
import redis.asyncio
from google.type import interval_pb2
from marquee.tracking.v1 import tracking_pb2, tracking_pb2_grpc

from services.core.peers import Peers

CALL_TIMEOUT_SECONDS = 2.0
# Tracking's ranking is a bounded snapshot of at most this many titles.
TRENDING_FETCH = 500
FAILURE_CACHE_SECONDS = 5
CACHE_PREFIX = "marquee:catalog:trending:"


@dataclass(frozen=True)
class Trending:
    """A ranking snapshot: when it was taken (epoch seconds) and (title id, watchers) best first."""

    at: int
    titles: list[tuple[str, int]]


class TrackingClient:
    def __init__(self, peers: Peers, cache: redis.asyncio.Redis, *, cache_seconds: int) -> None:
        self.peers = peers
        self.cache = cache
        self.cache_seconds = cache_seconds

    async def trending(self, kind: str, window_hours: int) -> Trending | None:
        """Titles by watchers over the last `window_hours` (`kind` "movie", "series" or "" for both);
        None when Tracking cannot answer."""
        key = f"{CACHE_PREFIX}{kind}:{window_hours}"
        cached = await self.cache.get(key)
        if cached is not None:
            loaded = json.loads(cached)
            return Trending(int(loaded["at"]), [(str(t), int(n)) for t, n in loaded["titles"]]) if loaded else None
        result = await self._ask(kind, window_hours)
        body = {"at": result.at, "titles": result.titles} if result else {}
        await self.cache.set(key, json.dumps(body), ex=max(1, self.cache_seconds) if result else FAILURE_CACHE_SECONDS)
        return result

    async def _ask(self, kind: str, window_hours: int) -> Trending | None:
        end_ns = time.time_ns()
        interval = interval_pb2.Interval()
        interval.start_time.FromNanoseconds(end_ns - window_hours * 3600 * 10**9)
        interval.end_time.FromNanoseconds(end_ns)  # to the nanosecond: this second's plays count
        request = tracking_pb2.ListTitleActivityRequest(interval=interval, page_size=TRENDING_FETCH)
        if kind:
            request.kind = tracking_pb2.ITEM_KIND_MOVIE if kind == "movie" else tracking_pb2.ITEM_KIND_SERIES
        try:
            stub = tracking_pb2_grpc.TrackingServiceStub(self.peers.channel("tracking"))  # type: ignore[no-untyped-call]
            reply = await stub.ListTitleActivity(request, metadata=await self.peers.metadata(), timeout=CALL_TIMEOUT_SECONDS)
        except (grpc.aio.AioRpcError, RuntimeError):
            return None
        titles = [(a.title.removeprefix("titles/"), int(a.watcher_count)) for a in reply.titles if a.title.startswith("titles/")]
        return Trending(int(end_ns / 1e9), titles)
