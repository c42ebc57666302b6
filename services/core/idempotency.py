"""Client-supplied `request_id` idempotency, kept in Redis.

The first call with a key runs and its response is stored; a retry with the
same key and the same request gets the stored response; the same key with a
different request is ALREADY_EXISTS / REQUEST_ID_REUSED. Failures are not
stored, so a failed call can be retried with its key. A key is scoped to the
method and the caller, so two users cannot collide. Redis is reached through
`redis.asyncio`: the event loop never waits on a socket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

import redis
import redis.asyncio
from google.protobuf.message import Message

from services.core.errors import Aborted, AlreadyExists, invalid
from services.core.redis_store import async_twin

M = TypeVar("M", bound=Message)

PENDING = b"pending"
DEFAULT_TTL_SECONDS = 24 * 3600
PENDING_TTL_SECONDS = 120


class Idempotency:
    def __init__(self, client: redis.asyncio.Redis | redis.Redis, *, prefix: str = "marquee:idempotency:") -> None:
        # A synchronous client (what services are handed today) is swapped for its async twin.
        self._client = async_twin(client) if isinstance(client, redis.Redis) else client
        self._prefix = prefix

    async def run(
        self,
        *,
        method: str,
        caller: str,
        request: Message,
        request_id: str,
        response_type: type[M],
        call: Callable[[], Awaitable[M]],
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> M:
        if not request_id:
            return await call()
        if len(request_id) > 128:
            raise invalid("request_id", "must be at most 128 characters")
        key = f"{self._prefix}{method}:{caller}:{request_id}"
        fingerprint = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest().encode()
        if not await self._client.set(key, PENDING + b":" + fingerprint, nx=True, ex=PENDING_TTL_SECONDS):
            stored = cast(bytes, await self._client.get(key) or b"")
            state, _, rest = stored.partition(b":")
            stored_fingerprint, _, body = rest.partition(b":")
            if stored_fingerprint != fingerprint:
                raise AlreadyExists(
                    "request_id was already used for a different request",
                    reason="REQUEST_ID_REUSED",
                    metadata={"request_id": request_id},
                )
            if state == PENDING:
                raise Aborted(
                    "a call with this request_id is still in progress; retry shortly",
                    reason="REQUEST_IN_PROGRESS",
                    metadata={"request_id": request_id},
                )
            return response_type.FromString(body)
        try:
            response = await call()
        except BaseException:
            await self._client.delete(key)
            raise
        await self._client.set(key, b"done:" + fingerprint + b":" + response.SerializeToString(), ex=ttl_seconds)
        return response
