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
MAX_FETCHES = 4  # calls to Billing in flight at once


@dataclass(frozen=True, slots=True)
class Allowance:
    plan: str
    answers_per_day: int  # 0: Chat is not in the plan


class BillingClient:
    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]],
        max_fetches: int = MAX_FETCHES,
    ) -> None:
        self._channel = channel
        self._metadata = metadata
        self._cache: dict[str, tuple[float, Allowance]] = {}
        self._waiting: dict[str, asyncio.Future[Allowance]] = {}  # asked for, in no call yet
        self._asked: dict[str, asyncio.Future[Allowance]] = {}  # in a call in flight
        self._max_fetches = max_fetches
        self._fetches: set[asyncio.Task[None]] = set()

    async def allowance(self, user_id: str) -> Allowance:
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        # Users asked for while `max_fetches` calls are in flight share the next one: a hundred answers starting at
        # once cost Billing a few `BatchGetEntitlements` of up to 100 names, not a hundred calls; and a user asked
        # for while the calls are fewer gets a call at once, not one after those in flight.
        future = self._asked.get(user_id) or self._waiting.get(user_id)
        if future is None:
            future = self._waiting[user_id] = asyncio.get_running_loop().create_future()
        self._start_fetches()
        return await asyncio.shield(future)

    def _start_fetches(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting and len(self._fetches) < self._max_fetches:
            users = list(self._waiting)[:BATCH_NAMES]
            batch = {user: self._waiting.pop(user) for user in users}
            self._asked.update(batch)
            task = loop.create_task(self._fetch_batch(batch))
            self._fetches.add(task)
            task.add_done_callback(self._fetch_done)

    def _fetch_done(self, task: asyncio.Task[None]) -> None:
        self._fetches.discard(task)
        if self._waiting:
            self._start_fetches()

    async def _fetch_batch(self, batch: dict[str, asyncio.Future[Allowance]]) -> None:
        users = list(batch)
        try:
            found = await self._fetch(users)
            self._keep(users, found)
        except BaseException as exc:  # every caller of the batch gets it; none waits forever
            failure = exc if isinstance(exc, Exception) else Unavailable("the plan read was cancelled")
            for future in batch.values():
                if not future.done():
                    future.set_exception(failure)
                    future.exception()  # a caller that went away leaves no "never retrieved" warning
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            for user in users:
                if self._asked.get(user) is batch[user]:
                    del self._asked[user]
        for future, (allowance, _) in zip(batch.values(), found, strict=True):
            if not future.done():
                future.set_result(allowance)

    async def _fetch(self, user_ids: list[str]) -> list[tuple[Allowance, float]]:
        """Each user's allowance and how many seconds Billing says it may be kept."""
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
        found: list[tuple[Allowance, float]] = []
        for entitlements in response.entitlements:
            per_day = int(entitlements.values.chat_messages_per_day)
            max_age = entitlements.max_age.seconds if entitlements.HasField("max_age") else CACHE_SECONDS
            found.append((Allowance(plan=entitlements.plan or "free", answers_per_day=per_day), float(max_age)))
        return found

    def _keep(self, user_ids: list[str], found: list[tuple[Allowance, float]]) -> None:
        now = time.monotonic()
        if len(self._cache) + len(user_ids) > CACHE_MAX_USERS:
            self._cache.clear()
        for user_id, (allowance, max_age) in zip(user_ids, found, strict=True):
            self._cache[user_id] = (now + min(CACHE_SECONDS, max(1.0, max_age)), allowance)

    def forget(self, user_id: str) -> None:
        self._cache.pop(user_id, None)
