"""The seam to Billing: a user's credit balance, spending a note's credit and refunding it, over
Billing's contract with a service credential.

Every spend and refund carries a request id derived from the operation, so a retry (of the RPC,
or of a worker that died mid-job) never charges or refunds twice. Billing unreachable →
UNAVAILABLE / CREDITS_UNAVAILABLE: Notes fails closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.core.errors import FailedPrecondition, Unavailable
from services.notes.transcripts import DOMAIN

CALL_TIMEOUT_SECONDS = 10.0


def _unavailable() -> Unavailable:
    return Unavailable(
        "credits could not be read or reserved; try again", reason="CREDITS_UNAVAILABLE", domain=DOMAIN, retry_after_seconds=5
    )


def _reason(exc: grpc.aio.AioRpcError) -> str:
    from google.rpc import error_details_pb2, status_pb2

    trailing: Any = exc.trailing_metadata() or ()
    for key, value in trailing:
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            for detail in status_pb2.Status.FromString(value).details:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    return str(info.reason)
    return ""


class BillingClient:
    def __init__(
        self, channel: Callable[[], grpc.aio.Channel], metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]]
    ) -> None:
        self._channel = channel
        self._metadata = metadata

    def _stub(self) -> Any:
        return billing_pb2_grpc.BillingServiceStub(self._channel())  # type: ignore[no-untyped-call]

    async def balance(self, user_id: str) -> int:
        try:
            reply = await self._stub().GetCreditBalance(
                billing_pb2.GetCreditBalanceRequest(name=f"users/{user_id}/creditBalance"),
                metadata=await self._metadata(),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError:
            raise _unavailable() from None
        return int(reply.credit_balance.balance)

    async def spend(self, user_id: str, amount: int, *, request_id: str, reference: str, reason: str) -> int:
        """Spend `amount` credits once for `request_id`; the balance after it."""
        try:
            reply = await self._stub().SpendCredits(
                billing_pb2.SpendCreditsRequest(
                    user=f"users/{user_id}", amount=amount, reason=reason, reference=reference, request_id=request_id
                ),
                metadata=await self._metadata(),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.FAILED_PRECONDITION and _reason(exc) == "INSUFFICIENT_CREDITS":
                raise FailedPrecondition(
                    f"this needs {amount} credit(s) and the balance is lower",
                    reason="INSUFFICIENT_CREDITS",
                    domain=DOMAIN,
                    metadata={"required": str(amount)},
                ) from None
            raise _unavailable() from None
        return int(reply.balance)

    async def refund(self, user_id: str, *, spend_request_id: str, request_id: str, reason: str) -> str:
        """Give back the whole spend made with `spend_request_id`, once for `request_id`. Returns
        "refunded", or "nothing_spent" (no spend under that id). Billing unreachable or failing →
        `Unavailable` (try again later); Billing refusing for good (the spend was already given
        back under another id, a malformed request) → `RefundRefused`: retrying would not help."""
        try:
            await self._stub().RefundCredits(
                billing_pb2.RefundCreditsRequest(
                    user=f"users/{user_id}", spend_request_id=spend_request_id, reason=reason, request_id=request_id
                ),
                metadata=await self._metadata(),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return "nothing_spent"
            if exc.code() in FINAL_REFUSALS:
                raise RefundRefused(f"{exc.code().name}: {_reason(exc) or 'refused'}") from None
            raise _unavailable() from None
        return "refunded"


# Billing's answers that another attempt would only repeat.
FINAL_REFUSALS = frozenset(
    {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ALREADY_EXISTS}
)


class RefundRefused(Exception):
    """Billing answered a refund with a refusal that will not change (kept on the outbox row's log)."""
