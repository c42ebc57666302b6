"""The seam to Billing: the highest access level a caller may watch, from their entitlements.

Catalog never reads Billing's tables; it asks over Billing's contract. Answers are cached in
Redis (through `redis.asyncio`, so the event loop never waits on a socket) for a minute, a
failure for a few seconds. Billing unimplemented, down or refusing fails closed: FREE, never a
failed listing.
"""

from __future__ import annotations

import grpc
import redis.asyncio
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc
from marquee.catalog.v1 import catalog_pb2

from services.core.peers import Peers

ENTITLEMENTS_TTL_SECONDS = 60
ENTITLEMENTS_FAILURE_TTL_SECONDS = 5
CALL_TIMEOUT_SECONDS = 2.0
CACHE_PREFIX = "marquee:catalog:entitlements:"


class BillingClient:
    def __init__(self, peers: Peers, cache: redis.asyncio.Redis) -> None:
        self.peers = peers
        self.cache = cache

    async def access_level(self, user_id: str, authorization: str) -> int:
        """The user's content access level (an `AccessLevel` number). With the caller's own bearer
        token Billing is asked as the user; without one, as this service (BatchGetEntitlements)."""
        key = CACHE_PREFIX + user_id
        cached = await self.cache.get(key)
        if cached is not None:
            return int(cached)
        level: int = catalog_pb2.ACCESS_LEVEL_FREE
        ttl = ENTITLEMENTS_FAILURE_TTL_SECONDS
        try:
            stub = billing_pb2_grpc.BillingServiceStub(self.peers.channel("billing"))  # type: ignore[no-untyped-call]
            if authorization:
                reply = await stub.GetEntitlements(
                    billing_pb2.GetEntitlementsRequest(name="users/me/entitlements"),
                    metadata=(("authorization", authorization),),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                entitlements = reply.entitlements
            else:
                batch = await stub.BatchGetEntitlements(
                    billing_pb2.BatchGetEntitlementsRequest(names=[f"users/{user_id}/entitlements"]),
                    metadata=await self.peers.metadata(),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                entitlements = batch.entitlements[0]
            level = int(entitlements.values.content_access_level or entitlements.tier or catalog_pb2.ACCESS_LEVEL_FREE)
            ttl = ENTITLEMENTS_TTL_SECONDS
        except (grpc.aio.AioRpcError, IndexError, RuntimeError):
            pass  # Billing unimplemented, unavailable or refusing: fail closed (FREE).
        await self.cache.set(key, level, ex=ttl)
        return level
