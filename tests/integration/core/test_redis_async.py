"""Idempotency and rate limits reach Redis through redis.asyncio, on the real backend's Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis
from marquee.catalog.v1 import catalog_pb2

from services.core import errors, redis_store
from services.core.idempotency import Idempotency
from services.core.ratelimit import RateLimiter
from services.core.settings import Settings


@pytest.fixture
async def sync_client(settings: Settings) -> AsyncIterator[redis.Redis]:
    client = redis_store.connect(settings.redis_url)
    yield client
    await redis_store.close_async_twin(client)
    client.close()


async def test_the_async_twin_reaches_the_same_database(sync_client: redis.Redis) -> None:
    key = f"marquee:test:twin:{uuid.uuid4().hex}"
    sync_client.set(key, b"from-sync", ex=30)
    twin = redis_store.async_twin(sync_client)
    assert twin is redis_store.async_twin(sync_client)
    assert await twin.get(key) == b"from-sync"


async def test_rate_limiter_check_is_async_and_agrees_with_hit(sync_client: redis.Redis) -> None:
    limiter = RateLimiter(sync_client)
    key = f"test:{uuid.uuid4().hex}"
    decisions = [await limiter.check(key, limit=2, window_seconds=30) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert 0 < decisions[-1].retry_after_seconds <= 30
    assert not limiter.hit(key, limit=2, window_seconds=30).allowed  # the blocking twin sees the same window
    await limiter.reset_async(key)
    assert (await limiter.check(key, limit=2, window_seconds=30)).allowed


async def test_idempotency_replays_and_refuses_reuse(sync_client: redis.Redis) -> None:
    idempotency = Idempotency(sync_client)
    calls = 0

    async def call() -> catalog_pb2.GetTitleResponse:
        nonlocal calls
        calls += 1
        return catalog_pb2.GetTitleResponse(title=catalog_pb2.Title(name=f"titles/t{calls}"))

    request_id = uuid.uuid4().hex
    request = catalog_pb2.GetTitleRequest(name="titles/a")
    kwargs = {"method": "Probe", "caller": "u1", "request_id": request_id, "response_type": catalog_pb2.GetTitleResponse}
    first = await idempotency.run(request=request, call=call, **kwargs)  # type: ignore[arg-type]
    again = await idempotency.run(request=request, call=call, **kwargs)  # type: ignore[arg-type]
    assert first == again
    assert calls == 1
    with pytest.raises(errors.AlreadyExists):
        await idempotency.run(request=catalog_pb2.GetTitleRequest(name="titles/b"), call=call, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("client_of", ["async_twin", "connect_async"])
async def test_a_burst_beyond_the_pool_waits_for_a_connection_instead_of_failing(
    sync_client: redis.Redis, settings: Settings, client_of: str
) -> None:
    # Each call holds its connection for 0.3 s (BLPOP on a key nobody pushes to), so the burst needs
    # more connections than the pool has: the ones past the pool wait for a free one. redis-py's
    # default pool refused the 101st (MaxConnectionsError: UNAVAILABLE for 78 of 130 chat answers).
    client = redis_store.async_twin(sync_client) if client_of == "async_twin" else redis_store.connect_async(settings.redis_url)
    key = f"marquee:test:burst:{uuid.uuid4().hex}"
    try:
        results = await asyncio.gather(
            *(client.blpop([key], timeout=0.3) for _ in range(redis_store.ASYNC_POOL_CONNECTIONS + 44))
        )
        assert results == [None] * (redis_store.ASYNC_POOL_CONNECTIONS + 44)
    finally:
        if client_of == "connect_async":
            await client.aclose()
