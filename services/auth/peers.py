"""Auth's calls to other services, through their contracts."""

from __future__ import annotations

import asyncio
import logging

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.auth.repository import AuthRepository
from services.core.db import Database
from services.core.peers import Peers

log = logging.getLogger("marquee.auth")


class SignupBonus:
    """Grants the sign-up credits through Billing, once per user however often it is asked.

    The grant runs after the sign-in answered, so a slow or absent Billing never delays or
    fails a sign-in; its `request_id` (`signup:{user}`) makes every retry harmless, and every
    later sign-in asks again until one succeeds.
    """

    def __init__(self, peers: Peers, database: Database, credits: int) -> None:
        self._peers = peers
        self._database = database
        self._credits = credits
        self._tasks: set[asyncio.Task[None]] = set()

    def request(self, user_id: str) -> None:
        if self._credits <= 0:
            return
        task = asyncio.get_running_loop().create_task(self._grant(user_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _grant(self, user_id: str) -> None:
        request = billing_pb2.GrantCreditsRequest(
            user=f"users/{user_id}",
            amount=self._credits,
            reason="Sign-up bonus",
            reference=f"users/{user_id}",
            request_id=f"signup:{user_id}",
        )
        try:
            stub = billing_pb2_grpc.BillingServiceStub(self._peers.channel("billing"))
            await stub.GrantCredits(request, metadata=await self._peers.metadata(), timeout=10)
        except grpc.aio.AioRpcError as exc:
            log.warning("sign-up bonus for users/%s not granted yet (%s); retried at the next sign-in", user_id, exc.code().name)
            return
        await self._database.run(lambda session: AuthRepository(session).mark_bonus_granted(user_id))

    async def drain(self) -> None:
        """Wait for grants in flight (shutdown, tests)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
