"""The seam to Billing: a user's plan and daily answer allowance, from its entitlements contract.

Chat never reads Billing's tables. Entitlements are cached briefly per user (Billing says how long
with `max_age`, capped here). Billing unreachable → UNAVAILABLE / ENTITLEMENTS_UNAVAILABLE: an answer
is never given on a guessed plan.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.core.errors import Unavailable

CALL_TIMEOUT_SECONDS = 5.0
CACHE_SECONDS = 30.0
CACHE_MAX_USERS = 10_000
BATCH_NAMES = 100  # the contract's most names a call


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
        self._waiting: dict[str, asyncio.Future[Allowance]] = {}
        self._fetcher: asyncio.Task[None] | None = None

    async def allowance(self, user_id: str) -> Allowance:
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        # Users asked for while a call is in flight share the next one: a hundred answers starting at once
        # cost Billing one `BatchGetEntitlements` of up to 100 names, not a hundred calls.
        loop = asyncio.get_running_loop()
        waiting = self._waiting.get(user_id)
        if waiting is None:
            waiting = self._waiting[user_id] = loop.create_future()
        if self._fetcher is None or self._fetcher.done():
            self._fetcher = loop.create_task(self._fetch_waiting())
        return await asyncio.shield(waiting)

    async def _fetch_waiting(self) -> None:
        while self._waiting:
            users = list(self._waiting)[:BATCH_NAMES]
            futures = [self._waiting.pop(user) for user in users]
            try:
                found = await self._fetch(users)
            except Exception as exc:  # every waiting caller gets it; none waits forever
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for future, allowance in zip(futures, found, strict=True):
                if not future.done():
                    future.set_result(allowance)

    async def _fetch(self, user_ids: list[str]) -> list[Allowance]:
        stub = billing_pb2_grpc.BillingServiceStub(self._channel())  # type: ignore[no-untyped-call]
        try:
            response = await stub.BatchGetEntitlements(
                billing_pb2.BatchGetEntitlementsRequest(names=[f"users/{user_id}/entitlements" for user_id in user_ids]),
                metadata=await self._metadata(),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(
                f"the plan cannot be read from Billing ({exc.code().name})", reason="ENTITLEMENTS_UNAVAILABLE"
            ) from exc
        if len(response.entitlements) != len(user_ids):
            raise Unavailable("Billing answered without entitlements", reason="ENTITLEMENTS_UNAVAILABLE")
        now = time.monotonic()
        if len(self._cache) + len(user_ids) > CACHE_MAX_USERS:
            self._cache.clear()
        found: list[Allowance] = []
        for user_id, entitlements in zip(user_ids, response.entitlements, strict=True):
            per_day = int(entitlements.values.chat_messages_per_day)
            allowance = Allowance(plan=entitlements.plan or "free", answers_per_day=per_day)
            max_age = entitlements.max_age.seconds if entitlements.HasField("max_age") else CACHE_SECONDS
            self._cache[user_id] = (now + min(CACHE_SECONDS, max(1.0, float(max_age))), allowance)
            found.append(allowance)
        return found

    def forget(self, user_id: str) -> None:
        self._cache.pop(user_id, None)
