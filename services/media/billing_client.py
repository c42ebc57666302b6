"""The seam to Billing: a viewer's plan, resolution cap, stream limit and download right, over its gRPC contract.

Media never reads Billing's tables. Answers are cached for at most 60 seconds
(the contract's limit) or Billing's own `max_age`, whichever is shorter. Billing
unreachable → UNAVAILABLE / ENTITLEMENTS_UNAVAILABLE: subscriber content is never
served on a guessed plan (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.core.errors import Unavailable
from services.core.peers import CALL_TIMEOUT_SECONDS, CachingPeerClient

CACHE_SECONDS = 60.0
CACHE_MAX_USERS = 10_000
PLAN_OF_TIER = {
    billing_pb2.PLAN_TIER_FREE: "free",
    billing_pb2.PLAN_TIER_BASIC: "basic",
    billing_pb2.PLAN_TIER_PREMIUM: "premium",
}
CAP_OF_QUALITY = {
    billing_pb2.VIDEO_QUALITY_480P: "480p",
    billing_pb2.VIDEO_QUALITY_720P: "720p",
    billing_pb2.VIDEO_QUALITY_1080P: "1080p",
    billing_pb2.VIDEO_QUALITY_2160P: "2160p",
}


@dataclass(frozen=True)
class Entitlements:
    plan: str  # free, basic, premium
    max_resolution: str  # 480p ... 2160p
    max_concurrent_streams: int
    downloads_allowed: bool
    ads_enabled: bool
    offline_validity_seconds: int = 30 * 86400


class BillingClient(CachingPeerClient[str, Entitlements]):
    """Entitlements of users, asked with a service credential and cached briefly (never past the contract's 60 s)."""

    CACHE_SECONDS = MAX_CACHE_SECONDS = CACHE_SECONDS
    MAX_CACHE_ENTRIES = CACHE_MAX_USERS

    def _stub(self) -> Any:
        return billing_pb2_grpc.BillingServiceStub(self._channel())  # type: ignore[no-untyped-call]

    def forget(self, user_id: str) -> None:
        self._cache.forget(user_id)

    async def entitlements(self, user_id: str) -> Entitlements:
        fresh, cached = self._cache.get(user_id)
        if fresh and cached is not None:
            return cached
        try:
            reply = await self._stub().BatchGetEntitlements(
                billing_pb2.BatchGetEntitlementsRequest(names=[f"users/{user_id}/entitlements"]),
                metadata=await self._metadata(),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(
                "entitlements could not be read from Billing; retry", reason="ENTITLEMENTS_UNAVAILABLE", domain="marquee.media"
            ) from exc
        if not reply.entitlements:
            raise Unavailable("Billing answered without entitlements", reason="ENTITLEMENTS_UNAVAILABLE", domain="marquee.media")
        found = reply.entitlements[0]
        values = found.values
        facts = Entitlements(
            plan=PLAN_OF_TIER.get(found.tier, "free"),
            max_resolution=CAP_OF_QUALITY.get(values.max_video_quality, "480p"),
            max_concurrent_streams=max(1, values.max_concurrent_streams),
            downloads_allowed=values.downloads_allowed,
            ads_enabled=values.ads_enabled,
            offline_validity_seconds=values.download_validity.seconds or 30 * 86400,
        )
        max_age = found.max_age.seconds if found.HasField("max_age") else self._cache_seconds
        self._cache.put(user_id, facts, seconds=min(self._cache_seconds, max_age))
        return facts
