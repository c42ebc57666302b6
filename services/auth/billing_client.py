"""Auth's typed client for Billing: the one call Auth makes there, the sign-up credits."""

from __future__ import annotations

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.core.peers import Peers

CALL_TIMEOUT_SECONDS = 10.0


class BillingUnavailable(Exception):
    """Billing did not grant (down, or refused): the gRPC code name says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class BillingClient:
    def __init__(self, peers: Peers) -> None:
        self._peers = peers

    async def grant_signup_credits(self, user_id: str, amount: int) -> None:
        """Grants `amount` credits once per user: `request_id` `signup:{user}` makes every retry harmless."""
        request = billing_pb2.GrantCreditsRequest(
            user=f"users/{user_id}",
            amount=amount,
            reason="Sign-up bonus",
            reference=f"users/{user_id}",
            request_id=f"signup:{user_id}",
        )
        stub = billing_pb2_grpc.BillingServiceStub(self._peers.channel("billing"))  # type: ignore[no-untyped-call]
        try:
            await stub.GrantCredits(request, metadata=await self._peers.metadata(), timeout=CALL_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as exc:
            raise BillingUnavailable(exc.code().name) from exc
