"""Revocation reaches every process at once (issue 10, item 6).

Each test acts on the session server (process A) and checks an access token issued before on a
second server (process B: its own Dependencies, so its own revocation set, sharing only the
database and Redis with A, as two `marquee serve` processes do). Before, all of these tokens kept
working on every process until they expired, up to 15 minutes later.
"""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator

import grpc
import pytest
from marquee.auth.v1 import auth_pb2
from marquee.tracking.v1 import tracking_pb2, tracking_pb2_grpc

from services.app import Dependencies, build_server
from services.core.settings import Settings
from tests.integration.auth.helpers import Account, admin, login, refresh, register, stub_for
from tests.support.harness import rpc_error


@pytest.fixture(scope="module")
async def process_b(settings: Settings) -> AsyncIterator[grpc.aio.Channel]:
    running = build_server(Dependencies.build(settings), address="127.0.0.1:0")
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield channel
    await running.stop(1.0)


async def _refused_on(channel: grpc.aio.Channel, account: Account) -> str:
    """The `revoke_reason` with which B refuses the account's access token (waits up to 2 s)."""
    async with asyncio.timeout(2.0):
        while True:
            try:
                await stub_for(channel).GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=account.auth)
            except grpc.aio.AioRpcError as exc:
                error = rpc_error(exc)
                assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED"), error.message
                assert error.info is not None
                return error.info.metadata["revoke_reason"]
            await asyncio.sleep(0.01)


async def _works_on(channel: grpc.aio.Channel, account: Account) -> None:
    await stub_for(channel).GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=account.auth)


async def test_logout_ends_the_access_token_everywhere(channel: grpc.aio.Channel, process_b: grpc.aio.Channel) -> None:
    account = await register(stub_for(channel))
    await _works_on(process_b, account)
    await stub_for(channel).Logout(auth_pb2.LogoutRequest(refresh_token=account.refresh))
    assert await _refused_on(process_b, account) == "logout"
    assert await _refused_on(channel, account) == "logout"


async def test_a_revoked_device_is_refused_and_the_others_go_on(channel: grpc.aio.Channel, process_b: grpc.aio.Channel) -> None:
    phone = await register(stub_for(channel), device_id="phone")
    laptop = await login(stub_for(channel), phone, device_id="laptop")
    await stub_for(channel).RevokeSession(auth_pb2.RevokeSessionRequest(name=phone.tokens.session), metadata=laptop.auth)
    assert await _refused_on(process_b, phone) == "revoked_by_user"
    await _works_on(process_b, laptop)


async def test_a_reused_refresh_token_ends_its_session_everywhere(channel: grpc.aio.Channel, process_b: grpc.aio.Channel) -> None:
    account = await register(stub_for(channel))
    rotated = await refresh(stub_for(channel), account)
    with pytest.raises(grpc.aio.AioRpcError):
        await refresh(stub_for(channel), account)  # the stolen copy: the whole family is revoked
    assert await _refused_on(process_b, rotated) == "refresh_token_reused"


async def test_a_demoted_admin_loses_the_admin_token(
    channel: grpc.aio.Channel, process_b: grpc.aio.Channel, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    root = await admin(stub, outbox)
    helper = await register(stub)
    await stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=helper.name, role=auth_pb2.ROLE_ADMIN), metadata=root.auth)
    promoted = await login(stub, helper)
    assert promoted.user.role == auth_pb2.ROLE_ADMIN
    await stub_for(process_b).ListUsers(auth_pb2.ListUsersRequest(page_size=1), metadata=promoted.auth)
    await stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=helper.name, role=auth_pb2.ROLE_USER), metadata=root.auth)
    assert await _refused_on(process_b, promoted) == "role_changed"
    again = await login(stub, helper)
    assert again.user.role == auth_pb2.ROLE_USER
    await _works_on(process_b, again)


async def test_a_disabled_account_is_refused_until_enabled(
    channel: grpc.aio.Channel, process_b: grpc.aio.Channel, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    root = await admin(stub, outbox)
    account = await register(stub)
    await stub.DisableUser(auth_pb2.DisableUserRequest(name=account.name, reason="chargeback"), metadata=root.auth)
    assert await _refused_on(process_b, account) in ("account_disabled",)
    await stub.EnableUser(auth_pb2.EnableUserRequest(name=account.name), metadata=root.auth)
    await _works_on(process_b, await login(stub, account))


async def test_a_deleted_account_can_no_longer_write_anywhere(
    channel: grpc.aio.Channel, process_b: grpc.aio.Channel, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    root = await admin(stub, outbox)
    account = await register(stub)
    watchlist = tracking_pb2_grpc.TrackingServiceStub(process_b)
    await watchlist.ListWatchlistEntries(tracking_pb2.ListWatchlistEntriesRequest(parent="users/me"), metadata=account.auth)
    await stub.DeleteUser(auth_pb2.DeleteUserRequest(name=account.name), metadata=root.auth)
    assert await _refused_on(process_b, account) == "account_deleted"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await watchlist.ListWatchlistEntries(tracking_pb2.ListWatchlistEntriesRequest(parent="users/me"), metadata=account.auth)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
