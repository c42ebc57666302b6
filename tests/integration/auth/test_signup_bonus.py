"""New accounts get their sign-up credits from Billing, through Billing's contract, exactly once."""

from __future__ import annotations

import asyncio
import contextlib

import grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.auth.settings import AuthSettings
from tests.integration.auth.helpers import login, register, stub_for
from tests.support.harness import bearer


async def balance(channel: grpc.aio.Channel, token: str) -> int:
    reply = await billing_pb2_grpc.BillingServiceStub(channel).GetCreditBalance(
        billing_pb2.GetCreditBalanceRequest(name="users/me/creditBalance"), metadata=bearer(token)
    )
    return reply.credit_balance.balance


async def eventually_balance(channel: grpc.aio.Channel, token: str, expected: int) -> int:
    """The grant runs after Register answered: poll for up to 10 s."""
    seen = await balance(channel, token)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(10):
            while seen != expected:
                await asyncio.sleep(0.05)
                seen = await balance(channel, token)
    return seen


async def test_registration_grants_the_signup_bonus_once(channel: grpc.aio.Channel, auth_settings: AuthSettings) -> None:
    auth = stub_for(channel)
    account = await register(auth)
    assert (
        await eventually_balance(channel, account.access, auth_settings.signup_bonus_credits)
        == auth_settings.signup_bonus_credits
    )
    again = await login(auth, account)  # a later sign-in must not grant a second time
    await asyncio.sleep(0.3)
    assert await balance(channel, again.access) == auth_settings.signup_bonus_credits
    entries = await billing_pb2_grpc.BillingServiceStub(channel).ListCreditLedgerEntries(
        billing_pb2.ListCreditLedgerEntriesRequest(parent="users/me"), metadata=bearer(again.access)
    )
    grants = [e for e in entries.entries if e.kind == billing_pb2.CREDIT_ENTRY_KIND_GRANT]
    assert len(grants) == 1
    assert grants[0].delta == auth_settings.signup_bonus_credits
