"""The seam to Billing: whether a signed-in viewer's plan shows ads, from `BatchGetEntitlements`.

Cached per user for at most 60 seconds (the contract's promise: an upgrade stops ads within a
minute). Billing unreachable: the last answer if one is cached, else None, which SelectAd turns
into no ad (ENTITLEMENTS_UNAVAILABLE): a paying user must never see an ad.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

CALL_TIMEOUT_SECONDS = 0.5  # SelectAd is on the page's critical path: fail towards no ad quickly
STALE_SECONDS = 600.0  # how long a cached answer may stand in while Billing is down
CACHE_MAX_USERS = 50_000


@dataclass(frozen=True)
class AdsEntitlement:
    ads_enabled: bool
    plan: str  # the plan id, e.g. `free`


class BillingClient:
    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]],
        *,
        cache_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._channel = channel
        self._metadata = metadata
        self._cache_seconds = min(cache_seconds, 60.0)
        self._clock = clock
        self._cache: dict[str, tuple[float, AdsEntitlement]] = {}

    async def entitlement(self, user_id: str) -> AdsEntitlement | None:
        now = self._clock()
        cached = self._cache.get(user_id)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        try:
            stub = billing_pb2_grpc.BillingServiceStub(self._channel())  # type: ignore[no-untyped-call]
            reply = await stub.BatchGetEntitlements(
                billing_pb2.BatchGetEntitlementsRequest(names=[f"users/{user_id}/entitlements"]),
                metadata=await self._metadata(),
                timeout=CALL_TIMEOUT_SECONDS,
            )
            found = reply.entitlements[0]
        except (grpc.aio.AioRpcError, IndexError, RuntimeError):
            if cached is not None and now - cached[0] < STALE_SECONDS:
                return cached[1]
            return None
        entitlement = AdsEntitlement(found.values.ads_enabled, found.plan.removeprefix("plans/"))
        if len(self._cache) >= CACHE_MAX_USERS:
            self._cache.clear()
        self._cache[user_id] = (now, entitlement)
        return entitlement

    def forget(self, user_id: str) -> None:
        """Drops this process's cached answer for a user (account erasure)."""
        self._cache.pop(user_id, None)
