"""Page tokens are bound to the caller and to the whole query, for every list method, in core."""

from __future__ import annotations

import grpc
import pytest
from marquee.auth.v1 import auth_pb2
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc

from services.core.settings import Settings
from services.core.tokens import TokenSigner
from tests.integration.auth.helpers import login, register, stub_for
from tests.support.harness import bearer, rpc_error


def _admin(settings: Settings, user_id: str) -> tuple[tuple[str, str], ...]:
    token, _ = TokenSigner.from_settings(settings).sign(user_id, token_id=f"t-{user_id}", role="admin")
    return bearer(token)


def _assert_refused(exc: grpc.aio.AioRpcError) -> None:
    error = rpc_error(exc)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "INVALID_PAGE_TOKEN"
    assert error.bad_request is not None
    assert [v.field for v in error.bad_request.field_violations] == ["page_token"]


async def test_a_list_sessions_token_is_refused_for_another_user(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    alice = await register(stub)
    await login(stub, alice, device_id="alice-2")
    bob = await register(stub)
    await login(stub, bob, device_id="bob-2")
    first = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me", page_size=1), metadata=alice.auth)
    assert first.next_page_token

    replay = auth_pb2.ListSessionsRequest(parent="users/me", page_size=1, page_token=first.next_page_token)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await stub.ListSessions(replay, metadata=bob.auth)
    _assert_refused(failure.value)
    # The owner may go on, with another page size too.
    replay.page_size = 5
    second = await stub.ListSessions(replay, metadata=alice.auth)
    assert len(second.sessions) == 1


async def test_a_credit_pack_token_is_refused_once_show_inactive_flips(channel: grpc.aio.Channel, settings: Settings) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    admin = _admin(settings, "paging-admin-1")
    first = await billing.ListCreditPacks(billing_pb2.ListCreditPacksRequest(page_size=1), metadata=admin)
    assert first.next_page_token

    flipped = billing_pb2.ListCreditPacksRequest(page_size=1, page_token=first.next_page_token, show_inactive=True)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await billing.ListCreditPacks(flipped, metadata=admin)
    _assert_refused(failure.value)

    same = billing_pb2.ListCreditPacksRequest(page_size=1, page_token=first.next_page_token)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await billing.ListCreditPacks(same, metadata=_admin(settings, "paging-admin-2"))
    _assert_refused(failure.value)

    following = await billing.ListCreditPacks(same, metadata=admin)
    assert following.credit_packs[0].name != first.credit_packs[0].name
