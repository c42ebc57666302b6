"""The credit ledger over a real channel: grants, spends, refunds, adjustments, idempotency and races."""

from __future__ import annotations

import asyncio
import time

import grpc
from google.protobuf import timestamp_pb2
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc

from services.auth.settings import AuthSettings
from services.core.settings import Settings
from tests.integration.billing.conftest import Caller, Callers
from tests.integration.billing.helpers import assert_error, fails, fields

Stub = billing_pb2_grpc.BillingServiceStub


async def grant(stub: Stub, service: Caller, user: Caller, amount: int, request_id: str = "") -> pb.GrantCreditsResponse:
    response: pb.GrantCreditsResponse = await stub.GrantCredits(
        pb.GrantCreditsRequest(
            user=user.name,
            amount=amount,
            reason="Sign-up bonus",
            reference=user.name,
            request_id=request_id or f"signup:{user.user_id}",
        ),
        metadata=service.auth,
    )
    return response


def spend_request(user: Caller, request_id: str, amount: int = 1, reason: str = "Study notes") -> pb.SpendCreditsRequest:
    return pb.SpendCreditsRequest(
        user=user.name,
        amount=amount,
        reason=reason,
        request_id=request_id,
        reference="operations/op-1",
        metadata={"video_id": "v1"},
    )


async def test_signup_grant_is_made_once(billing: Stub, callers: Callers, settings: Settings) -> None:
    # Auth sends the deployment's bonus (settings.signup_bonus_credits, 10) with request_id `signup:{user}`.
    bonus = AuthSettings.load(settings).signup_bonus_credits
    assert bonus == 10
    user, auth_service = callers.user(), callers.service("auth")
    first = await grant(billing, auth_service, user, bonus)
    again = await grant(billing, auth_service, user, bonus)
    assert (first.balance, again.balance) == (bonus, bonus)
    assert again.entry.name == first.entry.name
    assert first.entry.kind == pb.CREDIT_ENTRY_KIND_GRANT
    assert first.entry.actor == "services/auth"
    assert first.entry.request_id == f"signup:{user.user_id}"
    balance = await billing.GetCreditBalance(pb.GetCreditBalanceRequest(name="users/me/creditBalance"), metadata=user.auth)
    assert (balance.credit_balance.balance, balance.credit_balance.lifetime_granted) == (10, 10)
    reused = await fails(
        billing.GrantCredits(
            pb.GrantCreditsRequest(user=user.name, amount=5, reason="Sign-up bonus", request_id=f"signup:{user.user_id}"),
            metadata=auth_service.auth,
        )
    )
    assert_error(reused, grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")


async def test_spend_refund_and_ledger(billing: Stub, callers: Callers) -> None:
    user, notes = callers.user(), callers.service("notes")
    await grant(billing, callers.service("auth"), user, 10)
    spent = await billing.SpendCredits(spend_request(user, "op-1", 3), metadata=notes.auth)
    assert (spent.balance, spent.entry.delta, spent.entry.balance_after) == (7, -3, 7)
    assert spent.entry.metadata["video_id"] == "v1"
    assert spent.entry.actor == "services/notes"
    part = await billing.RefundCredits(
        pb.RefundCreditsRequest(user=user.name, spend_request_id="op-1", amount=1, reason="partly failed", request_id="r-1"),
        metadata=notes.auth,
    )
    assert (part.balance, part.entry.kind, part.entry.spend_entry) == (8, pb.CREDIT_ENTRY_KIND_REFUND, spent.entry.name)
    rest = await billing.RefundCredits(
        pb.RefundCreditsRequest(user=user.name, spend_entry=spent.entry.name, request_id="r-2"), metadata=notes.auth
    )
    assert (rest.balance, rest.entry.delta) == (10, 2)
    too_much = await fails(
        billing.RefundCredits(
            pb.RefundCreditsRequest(user=user.name, spend_request_id="op-1", amount=1, request_id="r-3"), metadata=notes.auth
        )
    )
    assert_error(too_much, grpc.StatusCode.FAILED_PRECONDITION, "REFUND_EXCEEDS_SPEND")
    assert too_much.info is not None
    assert too_much.info.metadata["refundable"] == "0"
    # Another service cannot refund a spend it did not make.
    other = await fails(
        billing.RefundCredits(
            pb.RefundCreditsRequest(user=user.name, spend_request_id="op-1", request_id="r-4"),
            metadata=callers.service("chat").auth,
        )
    )
    assert other.code == grpc.StatusCode.NOT_FOUND
    not_spend = await fails(
        billing.RefundCredits(
            pb.RefundCreditsRequest(user=user.name, spend_entry=part.entry.name, request_id="r-5"), metadata=notes.auth
        )
    )
    assert_error(not_spend, grpc.StatusCode.FAILED_PRECONDITION, "NOT_A_SPEND")

    page1 = await billing.ListCreditLedgerEntries(
        pb.ListCreditLedgerEntriesRequest(parent="users/me", page_size=2), metadata=user.auth
    )
    assert [e.kind for e in page1.entries] == [pb.CREDIT_ENTRY_KIND_REFUND, pb.CREDIT_ENTRY_KIND_REFUND]
    page2 = await billing.ListCreditLedgerEntries(
        pb.ListCreditLedgerEntriesRequest(parent="users/me", page_size=2, page_token=page1.next_page_token), metadata=user.auth
    )
    assert [e.kind for e in page2.entries] == [pb.CREDIT_ENTRY_KIND_SPEND, pb.CREDIT_ENTRY_KIND_GRANT]
    assert page2.entries[0].refunded_credits == 3
    assert not page2.next_page_token
    spends = await billing.ListCreditLedgerEntries(
        pb.ListCreditLedgerEntriesRequest(parent=user.name, kinds=[pb.CREDIT_ENTRY_KIND_SPEND]), metadata=user.auth
    )
    assert [e.name for e in spends.entries] == [spent.entry.name]
    tampered = await fails(
        billing.ListCreditLedgerEntries(
            pb.ListCreditLedgerEntriesRequest(
                parent="users/me", page_size=2, kinds=[pb.CREDIT_ENTRY_KIND_SPEND], page_token=page1.next_page_token
            ),
            metadata=user.auth,
        )
    )
    assert (tampered.code, tampered.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")
    got = await billing.GetCreditLedgerEntry(pb.GetCreditLedgerEntryRequest(name=spent.entry.name), metadata=user.auth)
    assert got.entry.delta == -3


async def test_insufficient_credits_and_bad_input(billing: Stub, callers: Callers) -> None:
    user, notes = callers.user(), callers.service("notes")
    await grant(billing, callers.service("auth"), user, 2)
    short = await fails(billing.SpendCredits(spend_request(user, "big", 3), metadata=notes.auth))
    assert_error(short, grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_CREDITS")
    assert short.info is not None
    assert dict(short.info.metadata) == {"balance": "2", "required": "3"}
    bad = await fails(billing.SpendCredits(pb.SpendCreditsRequest(user=user.name, amount=0), metadata=notes.auth))
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT
    assert bad.reason == "INVALID_ARGUMENT"
    assert set(fields(bad)) == {"amount", "reason", "request_id"}
    me = await fails(billing.SpendCredits(spend_request(Caller("me", ""), "x"), metadata=notes.auth))
    assert me.code == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(me) == ["user"]
    plan = await fails(
        billing.SpendCredits(
            pb.SpendCreditsRequest(user=user.name, amount=1, reason="HD", request_id="p", min_plan="plans/premium"),
            metadata=notes.auth,
        )
    )
    assert_error(plan, grpc.StatusCode.FAILED_PRECONDITION, "PLAN_REQUIRED")
    assert plan.info is not None
    assert plan.info.metadata["required_plan"] == "plans/premium"


async def test_reused_request_id(billing: Stub, callers: Callers) -> None:
    user, notes = callers.user(), callers.service("notes")
    await grant(billing, callers.service("auth"), user, 10)
    first = await billing.SpendCredits(spend_request(user, "same", 2), metadata=notes.auth)
    again = await billing.SpendCredits(spend_request(user, "same", 2), metadata=notes.auth)
    assert (again.entry.name, again.balance) == (first.entry.name, first.balance) == (first.entry.name, 8)
    different = await fails(billing.SpendCredits(spend_request(user, "same", 3), metadata=notes.auth))
    assert_error(different, grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    # The key is scoped to the calling service: chat may use the same key for its own spend.
    chat = await billing.SpendCredits(spend_request(user, "same", 2), metadata=callers.service("chat").auth)
    assert chat.balance == 6
    ledger = await billing.ListCreditLedgerEntries(pb.ListCreditLedgerEntriesRequest(parent=user.name), metadata=user.auth)
    assert [e.delta for e in ledger.entries] == [-2, -2, 10]


async def test_concurrent_spends_never_overdraw(billing: Stub, callers: Callers) -> None:
    user, notes = callers.user(), callers.service("notes")
    await grant(billing, callers.service("auth"), user, 10)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(billing.SpendCredits(spend_request(user, f"race-{i}"), metadata=notes.auth) for i in range(100)),
        return_exceptions=True,
    )
    elapsed = time.perf_counter() - started
    succeeded = [r for r in results if isinstance(r, pb.SpendCreditsResponse)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(refused) == 90
    assert len(succeeded) == 10, [r for r in results if not isinstance(r, (pb.SpendCreditsResponse, grpc.aio.AioRpcError))]
    assert {e.details() for e in refused}
    assert all(e.code() == grpc.StatusCode.FAILED_PRECONDITION for e in refused)
    assert sorted(r.balance for r in succeeded) == list(range(10))
    balance = await billing.GetCreditBalance(pb.GetCreditBalanceRequest(name=f"{user.name}/creditBalance"), metadata=user.auth)
    assert balance.credit_balance.balance == 0
    assert balance.credit_balance.lifetime_spent == 10
    ledger = await billing.ListCreditLedgerEntries(
        pb.ListCreditLedgerEntriesRequest(parent=user.name, page_size=200), metadata=user.auth
    )
    spends = [e for e in ledger.entries if e.kind == pb.CREDIT_ENTRY_KIND_SPEND]
    assert len(spends) == 10
    assert sum(e.delta for e in ledger.entries) == 0
    print(f"\n100 concurrent spends against 10 credits: {len(succeeded)} succeeded, balance 0, {elapsed:.2f} s")


async def test_concurrent_retries_of_one_spend(billing: Stub, callers: Callers) -> None:
    user, notes = callers.user(), callers.service("notes")
    await grant(billing, callers.service("auth"), user, 10)
    results = await asyncio.gather(
        *(billing.SpendCredits(spend_request(user, "retry", 4), metadata=notes.auth) for _ in range(20))
    )
    assert {r.entry.name for r in results} == {results[0].entry.name}
    assert {r.balance for r in results} == {6}


async def test_adjust_credits(billing: Stub, callers: Callers) -> None:
    user, admin = callers.user(), callers.admin()
    up = await billing.AdjustCredits(
        pb.AdjustCreditsRequest(user=user.name, delta=5, reason="goodwill", request_id="a1"), metadata=admin.auth
    )
    assert (up.balance, up.entry.kind, up.entry.actor) == (5, pb.CREDIT_ENTRY_KIND_ADJUST, admin.name)
    down = await fails(
        billing.AdjustCredits(pb.AdjustCreditsRequest(user=user.name, delta=-6, reason="fix"), metadata=admin.auth)
    )
    assert_error(down, grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_CREDITS")
    negative = await billing.AdjustCredits(
        pb.AdjustCreditsRequest(user=user.name, delta=-6, reason="fix", allow_negative_balance=True), metadata=admin.auth
    )
    assert negative.balance == -1
    zero = await fails(billing.AdjustCredits(pb.AdjustCreditsRequest(user=user.name, delta=0, reason=""), metadata=admin.auth))
    assert zero.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(fields(zero)) == {"delta", "reason"}


async def test_grant_validation(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    bad = await fails(
        billing.GrantCredits(pb.GrantCreditsRequest(user=user.name, amount=-1, reason="x"), metadata=callers.service().auth)
    )
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(bad) == ["amount"]


async def test_users_cannot_read_others_or_call_service_rpcs(billing: Stub, callers: Callers) -> None:
    owner, other = callers.user(), callers.user()
    granted = await grant(billing, callers.service("auth"), owner, 10)
    for call in (
        billing.ListCreditLedgerEntries(pb.ListCreditLedgerEntriesRequest(parent=owner.name), metadata=other.auth),
        billing.GetCreditLedgerEntry(pb.GetCreditLedgerEntryRequest(name=granted.entry.name), metadata=other.auth),
        billing.GetCreditBalance(pb.GetCreditBalanceRequest(name=f"{owner.name}/creditBalance"), metadata=other.auth),
        billing.GetEntitlements(pb.GetEntitlementsRequest(name=f"{owner.name}/entitlements"), metadata=other.auth),
        billing.GetCreditLedgerEntry(
            pb.GetCreditLedgerEntryRequest(name=f"{other.name}/creditLedger/{granted.entry.name.rsplit('/', 1)[1]}"),
            metadata=other.auth,
        ),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND"), error.message
    for call in (
        billing.SpendCredits(spend_request(owner, "self-serve"), metadata=owner.auth),
        billing.GrantCredits(pb.GrantCreditsRequest(user=owner.name, amount=100, reason="free money"), metadata=owner.auth),
        billing.RefundCredits(
            pb.RefundCreditsRequest(user=owner.name, spend_request_id="x", request_id="y"), metadata=owner.auth
        ),
        billing.BatchGetEntitlements(pb.BatchGetEntitlementsRequest(names=[f"{owner.name}/entitlements"]), metadata=owner.auth),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED"), error.message
        assert error.info is not None
        assert error.info.metadata["required_role"] == "service"
    admin_only = await fails(
        billing.AdjustCredits(pb.AdjustCreditsRequest(user=owner.name, delta=5, reason="x"), metadata=owner.auth)
    )
    assert (admin_only.code, admin_only.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    anonymous = await fails(billing.GetCreditBalance(pb.GetCreditBalanceRequest(name="users/me/creditBalance")))
    assert (anonymous.code, anonymous.reason) == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
    # An admin may read anyone's ledger.
    seen = await billing.ListCreditLedgerEntries(
        pb.ListCreditLedgerEntriesRequest(parent=owner.name), metadata=callers.admin().auth
    )
    assert [e.name for e in seen.entries] == [granted.entry.name]


async def test_expiring_grant_shows_in_the_balance(billing: Stub, callers: Callers) -> None:
    user, promo = callers.user(), callers.service("auth")
    expire = timestamp_pb2.Timestamp(seconds=int(time.time()) + 7 * 86400)
    await billing.GrantCredits(
        pb.GrantCreditsRequest(user=user.name, amount=5, reason="Promotion", expire_time=expire, request_id="promo-1"),
        metadata=promo.auth,
    )
    await grant(billing, promo, user, 10)
    await billing.SpendCredits(spend_request(user, "first", 2), metadata=callers.service("notes").auth)
    balance = (
        await billing.GetCreditBalance(pb.GetCreditBalanceRequest(name="users/me/creditBalance"), metadata=user.auth)
    ).credit_balance
    assert (balance.balance, balance.expiring_credits, balance.next_expire_time.seconds) == (13, 3, expire.seconds)
    past = await fails(
        billing.GrantCredits(
            pb.GrantCreditsRequest(user=user.name, amount=5, reason="late", expire_time=timestamp_pb2.Timestamp(seconds=1)),
            metadata=promo.auth,
        )
    )
    assert past.code == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(past) == ["expire_time"]


async def test_concurrent_spends_drain_expiring_credits_exactly(billing: Stub, callers: Callers) -> None:
    user, auth_service, notes = callers.user(), callers.service("auth"), callers.service("notes")
    expire = timestamp_pb2.Timestamp(seconds=int(time.time()) + 86400)
    await billing.GrantCredits(
        pb.GrantCreditsRequest(user=user.name, amount=5, reason="Promotion", expire_time=expire, request_id="promo"),
        metadata=auth_service.auth,
    )
    await grant(billing, auth_service, user, 5)
    results = await asyncio.gather(
        *(billing.SpendCredits(spend_request(user, f"lot-{i}"), metadata=notes.auth) for i in range(50)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, pb.SpendCreditsResponse) for r in results) == 10
    balance = (
        await billing.GetCreditBalance(pb.GetCreditBalanceRequest(name="users/me/creditBalance"), metadata=user.auth)
    ).credit_balance
    assert (balance.balance, balance.expiring_credits) == (0, 0)
    assert not balance.HasField("next_expire_time")
