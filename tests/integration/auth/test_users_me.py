"""The one `users/me` rule on Auth's wire, for each kind of caller (`services/core/names.py`).

`users/me` is the caller; a service token has none (USERS_ME_NOT_ALLOWED); admins and services
may name any user; a user naming another gets NOT_FOUND, as if it did not exist; `users/-` is
accepted by none of these RPCs.
"""

from __future__ import annotations

import pathlib

import grpc
from marquee.auth.v1 import auth_pb2

from tests.integration.auth.helpers import Account, admin, assert_error, fails, register, stub_for, violation_fields
from tests.support.harness import bearer

CATALOG_SECRET = "catalog-test-secret-0123456789"


async def service_auth(channel: grpc.aio.Channel) -> tuple[tuple[str, str], ...]:
    issued = await stub_for(channel).IssueServiceToken(
        auth_pb2.IssueServiceTokenRequest(client_id="catalog", client_secret=CATALOG_SECRET)
    )
    return bearer(issued.access_token)


async def get_user(channel: grpc.aio.Channel, name: str, auth: tuple[tuple[str, str], ...]) -> str:
    return (await stub_for(channel).GetUser(auth_pb2.GetUserRequest(name=name), metadata=auth)).user.name


async def session_names(channel: grpc.aio.Channel, parent: str, auth: tuple[tuple[str, str], ...]) -> list[str]:
    listed = await stub_for(channel).ListSessions(auth_pb2.ListSessionsRequest(parent=parent), metadata=auth)
    return [s.name for s in listed.sessions]


async def test_a_user_is_users_me_and_may_name_only_themselves(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    alice, bob = await register(stub), await register(stub)

    assert await get_user(channel, "users/me", alice.auth) == alice.name
    assert await get_user(channel, alice.name, alice.auth) == alice.name
    assert await session_names(channel, "users/me", alice.auth) == [alice.tokens.session]

    other = await fails(stub.GetUser(auth_pb2.GetUserRequest(name=bob.name), metadata=alice.auth))
    assert_error(other, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    sessions = await fails(stub.ListSessions(auth_pb2.ListSessionsRequest(parent=bob.name), metadata=alice.auth))
    assert_error(sessions, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    # Another user's session by its full name: not found, and nothing is revoked.
    revoke = await fails(stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=bob.tokens.session), metadata=alice.auth))
    assert_error(revoke, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    assert await session_names(channel, "users/me", bob.auth) == [bob.tokens.session]


async def test_an_admin_may_name_any_user_and_users_me_is_the_admin(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss: Account = await admin(stub, outbox)
    alice = await register(stub)

    assert await get_user(channel, alice.name, boss.auth) == alice.name
    assert await get_user(channel, "users/me", boss.auth) == boss.name
    assert await session_names(channel, alice.name, boss.auth) == [alice.tokens.session]


async def test_a_service_names_the_user_and_has_no_users_me(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    alice = await register(stub)
    service = await service_auth(channel)

    assert await get_user(channel, alice.name, service) == alice.name
    assert await session_names(channel, alice.name, service) == [alice.tokens.session]

    me = await fails(stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=service))
    assert_error(me, grpc.StatusCode.INVALID_ARGUMENT, "USERS_ME_NOT_ALLOWED")
    assert violation_fields(me) == ["name"]
    parent = await fails(stub.ListSessions(auth_pb2.ListSessionsRequest(parent="users/me"), metadata=service))
    assert_error(parent, grpc.StatusCode.INVALID_ARGUMENT, "USERS_ME_NOT_ALLOWED")
    assert violation_fields(parent) == ["parent"]


async def test_every_caller_is_refused_users_dash_on_one_user_rpcs(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    alice = await register(stub)
    boss = await admin(stub, outbox)
    for auth in (alice.auth, boss.auth, await service_auth(channel)):
        error = await fails(stub.GetUser(auth_pb2.GetUserRequest(name="users/-"), metadata=auth))
        assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_NAME")
        assert violation_fields(error) == ["name"]


async def test_a_service_may_read_accounts_but_never_change_or_delete_one(channel: grpc.aio.Channel) -> None:
    """Least privilege: a leaked service secret must not take over or delete accounts."""
    stub = stub_for(channel)
    alice = await register(stub)
    service = await service_auth(channel)
    assert await get_user(channel, alice.name, service) == alice.name  # reading is allowed
    attempts = [
        stub.DeleteUser(auth_pb2.DeleteUserRequest(name=alice.name), metadata=service),
        stub.UpdateUser(
            auth_pb2.UpdateUserRequest(
                user=auth_pb2.User(name=alice.name, display_name="owned"), update_mask={"paths": ["display_name"]}
            ),
            metadata=service,
        ),
        stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=alice.tokens.session), metadata=service),
    ]
    for attempt in attempts:
        refused = await fails(attempt)
        assert_error(refused, grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    # Nothing changed: the account, its name and its session are as they were.
    assert await get_user(channel, "users/me", alice.auth) == alice.name
    user = (await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=alice.auth)).user
    assert user.display_name != "owned"
    assert await session_names(channel, "users/me", alice.auth) == [alice.tokens.session]
