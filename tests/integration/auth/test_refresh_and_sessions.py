"""Refresh-token rotation and reuse detection, logout, and the sessions of a user's devices."""

from __future__ import annotations

import asyncio
import time
import uuid

import grpc
import pytest
from marquee.auth.v1 import auth_pb2

from services.core.settings import Settings
from services.core.tokens import TokenVerifier
from tests.integration.auth.helpers import (
    assert_error,
    fails,
    login,
    refresh,
    register,
    stub_for,
)
from tests.support.harness import rpc_error


async def test_refresh_rotates_the_pair_and_spends_the_old_token(channel: grpc.aio.Channel, settings: Settings) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    rotated = await refresh(stub, account)

    assert rotated.refresh != account.refresh
    assert rotated.access != account.access
    assert rotated.tokens.session == account.tokens.session
    assert rotated.tokens.token_type == "Bearer"
    principal = TokenVerifier.from_settings(settings).verify(rotated.access)
    assert (principal.user_id, principal.session_id) == (account.user_id, account.session_id)
    # The rotated access token works.
    me = await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=rotated.auth)
    assert me.user.name == account.name


async def test_reusing_a_spent_refresh_token_revokes_the_whole_family(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    rotated = await refresh(stub, account)

    reused = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)))
    assert_error(reused, grpc.StatusCode.UNAUTHENTICATED, "REFRESH_TOKEN_REUSED")

    # The token the rotation issued is now dead too: the session is revoked.
    after = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=rotated.refresh)))
    assert_error(after, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    assert after.info is not None
    assert after.info.metadata["revoke_reason"] == "refresh_token_reused"

    # Its access tokens are refused at once, and it is no longer listed.
    refused = await fails(stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me"), metadata=rotated.auth))
    assert_error(refused, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    again = await login(stub, account)
    sessions = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me"), metadata=again.auth)
    assert account.tokens.session not in [s.name for s in sessions.sessions]


async def test_reuse_revokes_only_that_session(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    other_device = await login(stub, account, device_id="tablet")
    await refresh(stub, account)

    reused = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)))
    assert_error(reused, grpc.StatusCode.UNAUTHENTICATED, "REFRESH_TOKEN_REUSED")

    still = await refresh(stub, other_device)
    assert still.tokens.session == other_device.tokens.session


async def test_refresh_retried_with_the_same_request_id_returns_the_same_pair(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    request = auth_pb2.RefreshTokenRequest(refresh_token=account.refresh, request_id=uuid.uuid4().hex)

    first = await stub.RefreshToken(request)
    retry = await stub.RefreshToken(request)

    assert retry == first
    assert first.tokens.refresh_token != account.refresh
    # The retry was not treated as reuse: the new token still works.
    third = await stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=first.tokens.refresh_token))
    assert third.tokens.session == account.tokens.session


async def test_refresh_request_id_reused_for_another_token_is_request_id_reused(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    first, second = await register(stub), await register(stub)
    request_id = uuid.uuid4().hex
    await stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=first.refresh, request_id=request_id))

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=second.refresh, request_id=request_id)))

    assert_error(error, grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")


@pytest.mark.parametrize("token", ["garbage", "x" * 43, "Zm9v.YmFy.YmF6"])
async def test_unknown_refresh_token_is_refresh_token_invalid(channel: grpc.aio.Channel, token: str) -> None:
    error = await fails(stub_for(channel).RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=token)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "REFRESH_TOKEN_INVALID")


async def test_an_access_token_is_not_a_refresh_token(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.access)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "REFRESH_TOKEN_INVALID")


async def test_empty_refresh_token_is_invalid_argument(channel: grpc.aio.Channel) -> None:
    error = await fails(stub_for(channel).RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token="")))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert error.bad_request is not None
    assert [v.field for v in error.bad_request.field_violations] == ["refresh_token"]


async def test_logout_revokes_the_session(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    rotated = await refresh(stub, account)

    await stub.Logout(auth_pb2.LogoutRequest(refresh_token=rotated.refresh))

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=rotated.refresh)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    assert error.info is not None
    assert error.info.metadata["revoke_reason"] == "logout"


async def test_logout_with_a_spent_token_still_signs_the_session_out(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    rotated = await refresh(stub, account)

    await stub.Logout(auth_pb2.LogoutRequest(refresh_token=account.refresh))  # the spent one

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=rotated.refresh)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")


async def test_logout_is_idempotent(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    assert await stub.Logout(auth_pb2.LogoutRequest(refresh_token=account.refresh)) == auth_pb2.LogoutResponse()
    assert await stub.Logout(auth_pb2.LogoutRequest(refresh_token=account.refresh)) == auth_pb2.LogoutResponse()
    assert await stub.Logout(auth_pb2.LogoutRequest(refresh_token="garbage-never-issued")) == auth_pb2.LogoutResponse()


async def test_logout_with_an_empty_token_is_invalid_argument(channel: grpc.aio.Channel) -> None:
    error = await fails(stub_for(channel).Logout(auth_pb2.LogoutRequest(refresh_token="")))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_list_sessions_marks_the_current_one(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub, device_id="phone-1", device_name="Pixel 8")
    laptop = await login(stub, account, device_id="laptop-1")

    listed = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me"), metadata=account.auth)

    by_name = {s.name: s for s in listed.sessions}
    assert set(by_name) == {account.tokens.session, laptop.tokens.session}
    assert listed.total_size == 2
    assert listed.next_page_token == ""
    assert by_name[account.tokens.session].current is True
    assert by_name[laptop.tokens.session].current is False
    phone = by_name[account.tokens.session]
    assert (phone.client.device_id, phone.client.device_name) == ("phone-1", "Pixel 8")
    assert phone.sign_in_method == auth_pb2.SIGN_IN_METHOD_PASSWORD
    assert phone.ip_address == "127.0.0.1"
    assert phone.auth_time.seconds > 0
    assert phone.expire_time.seconds > phone.create_time.seconds
    # Most recently used first: the laptop signed in last.
    assert [s.name for s in listed.sessions] == [laptop.tokens.session, account.tokens.session]

    # The same list by id, from the laptop, marks the laptop as current.
    from_laptop = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent=account.name), metadata=laptop.auth)
    assert [s.name for s in from_laptop.sessions if s.current] == [laptop.tokens.session]


async def test_list_sessions_pages(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    others = [await login(stub, account, device_id=f"device-{i}") for i in range(2)]

    first = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me", page_size=2), metadata=account.auth)
    second = await stub.ListSessions(
        auth_pb2.ListSessionsRequest(parent="users/me", page_size=2, page_token=first.next_page_token), metadata=account.auth
    )

    assert len(first.sessions) == 2
    assert first.next_page_token
    assert len(second.sessions) == 1
    assert second.next_page_token == ""
    names = [s.name for s in [*first.sessions, *second.sessions]]
    assert sorted(names) == sorted([account.tokens.session, *(o.tokens.session for o in others)])

    error = await fails(
        stub.ListSessions(
            auth_pb2.ListSessionsRequest(parent="users/me", page_size=2, page_token=first.next_page_token + "x"),
            metadata=account.auth,
        )
    )
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")


async def test_revoke_session_signs_another_device_out(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")

    await stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=tablet.tokens.session), metadata=account.auth)
    # Idempotent.
    await stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=tablet.tokens.session), metadata=account.auth)

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=tablet.refresh)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    listed = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me"), metadata=account.auth)
    assert [s.name for s in listed.sessions] == [account.tokens.session]
    # The caller's own session is untouched.
    await refresh(stub, account)


async def test_revoke_session_accepts_users_me(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")

    await stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=f"users/me/sessions/{tablet.session_id}"), metadata=account.auth)

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=tablet.refresh)))
    assert error.reason == "SESSION_REVOKED"


async def test_revoked_session_reports_revoked_by_user(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")
    await stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=tablet.tokens.session), metadata=account.auth)

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=tablet.refresh)))

    assert error.info is not None
    assert error.info.metadata["revoke_reason"] == "revoked_by_user"


async def test_revoke_other_sessions_keeps_only_the_callers(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    others = [await login(stub, account, device_id=f"device-{i}") for i in range(3)]

    response = await stub.RevokeOtherSessions(auth_pb2.RevokeOtherSessionsRequest(parent="users/me"), metadata=account.auth)

    assert response.revoked_session_count == 3
    for other in others:
        error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=other.refresh)))
        assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
        assert error.info is not None
        assert error.info.metadata["revoke_reason"] == "revoked_by_user"
    listed = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me"), metadata=account.auth)
    assert [s.name for s in listed.sessions] == [account.tokens.session]
    again = await stub.RevokeOtherSessions(auth_pb2.RevokeOtherSessionsRequest(parent="users/me"), metadata=account.auth)
    assert again.revoked_session_count == 0


async def test_signing_in_again_from_the_same_device_replaces_its_session(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub, device_id="tv-livingroom")
    phone = await login(stub, account, device_id="phone")

    again = await login(stub, account, device_id="tv-livingroom")

    assert again.tokens.session != account.tokens.session
    listed = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me"), metadata=again.auth)
    assert sorted(s.name for s in listed.sessions) == sorted([again.tokens.session, phone.tokens.session])
    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    # The other device keeps its session.
    await refresh(stub, phone)


async def test_replaced_device_session_reports_device_replaced(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub, device_id="tv")
    await login(stub, account, device_id="tv")

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)))

    assert error.info is not None
    assert error.info.metadata["revoke_reason"] == "device_replaced"


async def test_another_users_sessions_are_not_found(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    alice, bob = await register(stub), await register(stub)

    # Bob's session under Bob's name, and under Alice's own name.
    for name in (bob.tokens.session, f"{alice.name}/sessions/{bob.session_id}", f"users/me/sessions/{bob.session_id}"):
        error = await fails(stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=name), metadata=alice.auth))
        assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    error = await fails(stub.ListSessions(auth_pb2.ListSessionsRequest(parent=bob.name), metadata=alice.auth))
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    error = await fails(stub.RevokeOtherSessions(auth_pb2.RevokeOtherSessionsRequest(parent=bob.name), metadata=alice.auth))
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")

    # Bob is still signed in.
    rotated = await refresh(stub, bob)
    assert rotated.tokens.session == bob.tokens.session


async def test_unknown_session_of_my_own_is_not_found(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    error = await fails(
        stub.RevokeSession(
            auth_pb2.RevokeSessionRequest(name=f"{account.name}/sessions/{uuid.uuid4().hex}"), metadata=account.auth
        )
    )
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


async def test_reauthenticate_rotates_the_session_and_checks_the_password(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    wrong = await fails(stub.Reauthenticate(auth_pb2.ReauthenticateRequest(password="Not-The-Password-1"), metadata=account.auth))
    assert_error(wrong, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CREDENTIALS")
    assert wrong.bad_request is not None
    assert [v.field for v in wrong.bad_request.field_violations] == ["password"]

    before = time.time()
    response = await stub.Reauthenticate(auth_pb2.ReauthenticateRequest(password=account.password), metadata=account.auth)
    assert response.tokens.session == account.tokens.session
    assert response.tokens.refresh_token != account.refresh
    assert abs(response.recent_until_time.seconds - (before + 600)) < 5
    rotated = await stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=response.tokens.refresh_token))
    assert rotated.tokens.session == account.tokens.session


async def test_reauthenticate_spends_the_previous_refresh_token(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await stub.Reauthenticate(auth_pb2.ReauthenticateRequest(password=account.password), metadata=account.auth)

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)))

    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "REFRESH_TOKEN_REUSED")


async def test_concurrent_refreshes_of_one_token_let_exactly_one_win(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    results = await asyncio.gather(
        *(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)) for _ in range(4)),
        return_exceptions=True,
    )

    winners = [r for r in results if isinstance(r, auth_pb2.RefreshTokenResponse)]
    losers = [rpc_error(r) for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(winners) == 1
    assert len(losers) == 3
    assert {e.code for e in losers} == {grpc.StatusCode.UNAUTHENTICATED}
    assert {e.reason for e in losers} <= {"REFRESH_TOKEN_REUSED", "SESSION_REVOKED"}
    assert "REFRESH_TOKEN_REUSED" in {e.reason for e in losers}
    # A race is a reuse: the family is revoked, the winner's new token included.
    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=winners[0].tokens.refresh_token)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
