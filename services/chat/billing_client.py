"""The seam to Billing: a user's plan and daily answer allowance, from its entitlements contract.

Chat never reads Billing's tables. Entitlements are cached briefly per user (Billing says how long
with `max_age`, capped here). Billing unreachable → UNAVAILABLE / ENTITLEMENTS_UNAVAILABLE: an answer
is never given on a guessed plan.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.core.errors import Unavailable

CALL_TIMEOUT_SECONDS = 5.0
CACHE_SECONDS = 30.0
CACHE_MAX_USERS = 10_000


@dataclass(frozen=True, slots=True)
class Allowance:
    plan: str
    answers_per_day: int  # 0: Chat is not in the plan


class BillingClient:
    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]],
    ) -> None:
        self._channel = channel
        self._metadata = metadata
        self._cache: dict[str, tuple[float, Allowance]] = {}

    async def allowance(self, user_id: str) -> Allowance:
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        stub = billing_pb2_grpc.BillingServiceStub(self._channel())  # type: ignore[no-untyped-call]
        try:
            response = await stub.BatchGetEntitlements(
                billing_pb2.BatchGetEntitlementsRequest(names=[f"users/{user_id}/entitlements"]),
                metadata=await self._metadata(),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(
                f"the plan cannot be read from Billing ({exc.code().name})", reason="ENTITLEMENTS_UNAVAILABLE"
            ) from exc
        if not response.entitlements:
            raise Unavailable("Billing answered without entitlements", reason="ENTITLEMENTS_UNAVAILABLE")
        found = response.entitlements[0]
        allowance = Allowance(plan=found.plan or "free", answers_per_day=int(found.values.chat_messages_per_day))
        max_age = found.max_age.seconds if found.HasField("max_age") else CACHE_SECONDS
        if len(self._cache) >= CACHE_MAX_USERS:
            self._cache.clear()
        self._cache[user_id] = (now + min(CACHE_SECONDS, max(1.0, float(max_age))), allowance)
        return allowance

    def forget(self, user_id: str) -> None:
        self._cache.pop(user_id, None)
