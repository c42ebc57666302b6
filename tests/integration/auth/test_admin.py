"""Administration (ListUsers, roles, disabling), service tokens, and the public JWKS and config."""

from __future__ import annotations

import base64
import pathlib
import time
import uuid

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

from services.core.settings import Settings
from tests.conftest import ADMIN_EMAIL
from tests.integration.auth.helpers import (
    Account,
    admin,
    assert_error,
    dev_keys,
    fails,
    login,
    payload_of,
    refresh,
    register,
    stub_for,
    violation_fields,
)
from tests.support.harness import bearer

CATALOG_SECRET = "catalog-test-secret-0123456789"


async def list_all(
    stub: auth_pb2_grpc.AuthServiceStub,
    boss: Account,
    *,
    page_size: int,
    filter: auth_pb2.UserFilter,
    order_by: int = auth_pb2.USER_ORDER_UNSPECIFIED,
) -> tuple[list[auth_pb2.User], int]:
    """Walks every page; returns the users in order and how many pages it took."""
    users: list[auth_pb2.User] = []
    token, pages = "", 0
    while True:
        response = await stub.ListUsers(
            auth_pb2.ListUsersRequest(page_size=page_size, page_token=token, filter=filter, order_by=order_by),  # type: ignore[arg-type]
            metadata=boss.auth,
        )
        pages += 1
        assert len(response.users) <= page_size
        users.extend(response.users)
        token = response.next_page_token
        if not token:
            return users, pages
        assert pages < 50, "paging does not end"


@pytest.fixture(scope="module")
async def listed(channel: grpc.aio.Channel) -> tuple[str, list[Account]]:
    """Five users sharing a tag in their emails, registered in this order (shared: argon2 makes registering slow).

    Tests may change them only if they restore them (the role test demotes again).
    """
    stub = stub_for(channel)
    tag = uuid.uuid4().hex[:10]
    accounts = [await register(stub, f"{letter}-list-{tag}@example.test") for letter in "dbeac"]
    return tag, accounts


async def test_list_users_walks_all_pages_without_duplicates(
    channel: grpc.aio.Channel, outbox: pathlib.Path, listed: tuple[str, list[Account]]
) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    tag, accounts = listed
    wanted = auth_pb2.UserFilter(email_contains=tag)

    newest_first, pages = await list_all(stub, boss, page_size=2, filter=wanted)
    assert pages == 3
    assert [u.name for u in newest_first] == [a.name for a in reversed(accounts)]

    oldest_first, _ = await list_all(stub, boss, page_size=2, filter=wanted, order_by=auth_pb2.USER_ORDER_CREATE_TIME_ASC)
    assert [u.name for u in oldest_first] == [a.name for a in accounts]

    by_email, _ = await list_all(stub, boss, page_size=2, filter=wanted, order_by=auth_pb2.USER_ORDER_EMAIL)
    assert [u.email for u in by_email] == sorted(a.email for a in accounts)

    first = await stub.ListUsers(auth_pb2.ListUsersRequest(page_size=2, filter=wanted), metadata=boss.auth)
    assert first.total_size == 5


async def test_list_users_filters_by_email_case_insensitively(
    channel: grpc.aio.Channel, outbox: pathlib.Path, listed: tuple[str, list[Account]]
) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    tag, _ = listed

    response = await stub.ListUsers(
        auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains=f"A-LIST-{tag.upper()}")), metadata=boss.auth
    )

    assert [u.email for u in response.users] == [f"a-list-{tag}@example.test"]
    assert response.total_size == 1
    assert response.next_page_token == ""
    # LIKE wildcards are literal text, not patterns.
    wildcard = await stub.ListUsers(
        auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains=f"%-list-{tag}")), metadata=boss.auth
    )
    assert list(wildcard.users) == []


async def test_a_page_token_only_works_for_its_own_query(
    channel: grpc.aio.Channel, outbox: pathlib.Path, listed: tuple[str, list[Account]]
) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    tag, _ = listed
    wanted = auth_pb2.UserFilter(email_contains=tag)
    first = await stub.ListUsers(auth_pb2.ListUsersRequest(page_size=2, filter=wanted), metadata=boss.auth)
    assert first.next_page_token

    requests = {
        "other filter": auth_pb2.ListUsersRequest(
            page_size=2, page_token=first.next_page_token, filter=auth_pb2.UserFilter(email_contains=tag[:5])
        ),
        "other order": auth_pb2.ListUsersRequest(
            page_size=2, page_token=first.next_page_token, filter=wanted, order_by=auth_pb2.USER_ORDER_EMAIL
        ),
        "tampered": auth_pb2.ListUsersRequest(page_size=2, page_token=_tamper(first.next_page_token), filter=wanted),
        "garbage": auth_pb2.ListUsersRequest(page_size=2, page_token="not-a-token", filter=wanted),
    }
    for label, request in requests.items():
        error = await fails(stub.ListUsers(request, metadata=boss.auth))
        assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")
        assert violation_fields(error) == ["page_token"], label


def _tamper(token: str) -> str:
    """Change the position inside a page token and keep its MAC."""
    body, mac = token.split(".", 1)
    decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b'"id":"', b'"id":"0')
    return base64.urlsafe_b64encode(decoded).rstrip(b"=").decode() + "." + mac


async def test_negative_page_size_is_invalid_argument(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    error = await fails(stub.ListUsers(auth_pb2.ListUsersRequest(page_size=-1), metadata=boss.auth))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert violation_fields(error) == ["page_size"]


async def test_set_user_role_promotes_and_the_next_token_carries_it(
    channel: grpc.aio.Channel, outbox: pathlib.Path, listed: tuple[str, list[Account]]
) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    tag, accounts = listed
    promoted = accounts[0]
    try:
        response = await stub.SetUserRole(
            auth_pb2.SetUserRoleRequest(name=promoted.name, role=auth_pb2.ROLE_ADMIN), metadata=boss.auth
        )
        assert response.user.role == auth_pb2.ROLE_ADMIN
        # Idempotent.
        again = await stub.SetUserRole(
            auth_pb2.SetUserRoleRequest(name=promoted.name, role=auth_pb2.ROLE_ADMIN), metadata=boss.auth
        )
        assert again.user.role == auth_pb2.ROLE_ADMIN

        # The old access token still says user until it expires; a refreshed one says admin.
        error = await fails(stub.ListUsers(auth_pb2.ListUsersRequest(), metadata=promoted.auth))
        assert_error(error, grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
        rotated = await refresh(stub, promoted)
        assert payload_of(rotated.access)["role"] == "admin"

        admins = await stub.ListUsers(
            auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains=tag, role=auth_pb2.ROLE_ADMIN)),
            metadata=rotated.auth,
        )
        assert [u.name for u in admins.users] == [promoted.name]
        users = await stub.ListUsers(
            auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains=tag, role=auth_pb2.ROLE_USER)),
            metadata=rotated.auth,
        )
        assert sorted(u.name for u in users.users) == sorted(a.name for a in accounts[1:])
    finally:
        await stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=promoted.name, role=auth_pb2.ROLE_USER), metadata=boss.auth)


async def test_demoting_an_admin_revokes_their_sessions(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    account = await register(stub)
    await stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=account.name, role=auth_pb2.ROLE_ADMIN), metadata=boss.auth)
    promoted = await refresh(stub, account)

    await stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=account.name, role=auth_pb2.ROLE_USER), metadata=boss.auth)

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=promoted.refresh)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    assert error.info is not None
    assert error.info.metadata["revoke_reason"] == "role_changed"


@pytest.mark.parametrize("role", [auth_pb2.ROLE_SERVICE, auth_pb2.ROLE_UNSPECIFIED])
async def test_set_user_role_refuses_service_and_no_role(
    channel: grpc.aio.Channel, outbox: pathlib.Path, listed: tuple[str, list[Account]], role: int
) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    account = listed[1][1]
    error = await fails(stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=account.name, role=role), metadata=boss.auth))  # type: ignore[arg-type]
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert violation_fields(error) == ["role"]
    assert (await stub.GetUser(auth_pb2.GetUserRequest(name=account.name), metadata=boss.auth)).user.role == auth_pb2.ROLE_USER


async def test_admin_rpcs_on_an_unknown_user_are_not_found(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    ghost = f"users/{uuid.uuid4().hex}"
    for call in (
        stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=ghost, role=auth_pb2.ROLE_ADMIN), metadata=boss.auth),
        stub.DisableUser(auth_pb2.DisableUserRequest(name=ghost, reason="spam"), metadata=boss.auth),
        stub.EnableUser(auth_pb2.EnableUserRequest(name=ghost), metadata=boss.auth),
    ):
        assert_error(await fails(call), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


async def test_users_cannot_call_admin_rpcs(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account, other = await register(stub), await register(stub)
    for call in (
        stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=account.name, role=auth_pb2.ROLE_ADMIN), metadata=account.auth),
        stub.DisableUser(auth_pb2.DisableUserRequest(name=other.name, reason="spam"), metadata=account.auth),
        stub.EnableUser(auth_pb2.EnableUserRequest(name=account.name), metadata=account.auth),
    ):
        assert_error(await fails(call), grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    assert (await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=account.auth)).user.role == auth_pb2.ROLE_USER


async def test_the_last_admin_cannot_be_demoted_or_disabled(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    active_admins = await stub.ListUsers(
        auth_pb2.ListUsersRequest(
            page_size=200, filter=auth_pb2.UserFilter(role=auth_pb2.ROLE_ADMIN, state=auth_pb2.USER_STATE_ACTIVE)
        ),
        metadata=boss.auth,
    )
    if [u.name for u in active_admins.users] != [boss.name]:
        pytest.skip(f"{len(active_admins.users)} active admins now; LAST_ADMIN needs exactly one")

    demote = await fails(
        stub.SetUserRole(auth_pb2.SetUserRoleRequest(name=boss.name, role=auth_pb2.ROLE_USER), metadata=boss.auth)
    )
    assert_error(demote, grpc.StatusCode.FAILED_PRECONDITION, "LAST_ADMIN")
    disable = await fails(stub.DisableUser(auth_pb2.DisableUserRequest(name=boss.name, reason="oops"), metadata=boss.auth))
    assert_error(disable, grpc.StatusCode.FAILED_PRECONDITION, "LAST_ADMIN")
    me = (await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=boss.auth)).user
    assert (me.role, me.state, me.email) == (auth_pb2.ROLE_ADMIN, auth_pb2.USER_STATE_ACTIVE, ADMIN_EMAIL)


async def test_disable_user_blocks_sign_in_until_enabled(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")

    no_reason = await fails(stub.DisableUser(auth_pb2.DisableUserRequest(name=account.name, reason="  "), metadata=boss.auth))
    assert_error(no_reason, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert violation_fields(no_reason) == ["reason"]

    disabled = (
        await stub.DisableUser(auth_pb2.DisableUserRequest(name=account.name, reason="chargeback fraud"), metadata=boss.auth)
    ).user
    assert disabled.state == auth_pb2.USER_STATE_DISABLED
    assert disabled.disable_reason == "chargeback fraud"
    assert disabled.disable_time.seconds > 0
    # Idempotent.
    again = (
        await stub.DisableUser(auth_pb2.DisableUserRequest(name=account.name, reason="chargeback fraud"), metadata=boss.auth)
    ).user
    assert again.state == auth_pb2.USER_STATE_DISABLED

    error = await fails(login(stub, account))
    assert_error(error, grpc.StatusCode.PERMISSION_DENIED, "ACCOUNT_DISABLED")
    for session in (account, tablet):
        error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=session.refresh)))
        assert_error(error, grpc.StatusCode.PERMISSION_DENIED, "ACCOUNT_DISABLED")
    listed = await stub.ListUsers(
        auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains=account.email, state=auth_pb2.USER_STATE_DISABLED)),
        metadata=boss.auth,
    )
    assert [u.name for u in listed.users] == [account.name]

    enabled = (await stub.EnableUser(auth_pb2.EnableUserRequest(name=account.name), metadata=boss.auth)).user
    assert (enabled.state, enabled.disable_reason) == (auth_pb2.USER_STATE_ACTIVE, "")
    back = await login(stub, account)
    assert back.name == account.name
    # Revoked sessions stay revoked.
    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=tablet.refresh)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    assert error.info is not None
    assert error.info.metadata["revoke_reason"] == "account_disabled"


async def test_refresh_of_a_disabled_user_is_account_disabled(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    account = await register(stub)
    await stub.DisableUser(auth_pb2.DisableUserRequest(name=account.name, reason="abuse"), metadata=boss.auth)

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)))

    assert_error(error, grpc.StatusCode.PERMISSION_DENIED, "ACCOUNT_DISABLED")


async def test_admin_sees_and_signs_out_another_users_sessions(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")

    listed = await stub.ListSessions(auth_pb2.ListSessionsRequest(parent=account.name), metadata=boss.auth)
    assert sorted(s.name for s in listed.sessions) == sorted([account.tokens.session, tablet.tokens.session])
    assert not any(s.current for s in listed.sessions)

    revoked = await stub.RevokeOtherSessions(auth_pb2.RevokeOtherSessionsRequest(parent=account.name), metadata=boss.auth)
    assert revoked.revoked_session_count == 2
    for session in (account, tablet):
        error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=session.refresh)))
        assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
        assert error.info is not None
        assert error.info.metadata["revoke_reason"] == "revoked_by_admin"


async def test_issue_service_token_for_a_configured_client(channel: grpc.aio.Channel, settings: Settings) -> None:
    stub = stub_for(channel)
    before = time.time()

    response = await stub.IssueServiceToken(auth_pb2.IssueServiceTokenRequest(client_id="catalog", client_secret=CATALOG_SECRET))

    assert response.token_type == "Bearer"
    assert abs(response.expire_time.seconds - (before + 900)) < 5
    claims = jwt.decode(
        response.access_token,
        dev_keys(settings).active.public,
        algorithms=["ES256"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert claims["sub"] == "services/catalog"
    assert claims["role"] == "service"
    assert "sid" not in claims
    assert jwt.get_unverified_header(response.access_token)["kid"] == "dev-1"

    # Not an admin: admin-only RPCs refuse it.
    error = await fails(stub.ListUsers(auth_pb2.ListUsersRequest(), metadata=bearer(response.access_token)))
    assert_error(error, grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    # And a service has no `users/me`.
    error = await fails(stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=bearer(response.access_token)))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "USERS_ME_NOT_ALLOWED")


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("catalog", "wrong-secret"), ("catalog", ""), ("billing", CATALOG_SECRET), ("", "")],
)
async def test_issue_service_token_with_bad_credentials_is_invalid_credentials(
    channel: grpc.aio.Channel, client_id: str, secret: str
) -> None:
    error = await fails(
        stub_for(channel).IssueServiceToken(auth_pb2.IssueServiceTokenRequest(client_id=client_id, client_secret=secret))
    )
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")


def _b64int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


async def test_get_jwks_publishes_the_dev_key_and_it_verifies_tokens(channel: grpc.aio.Channel, settings: Settings) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    response = await stub.GetJwks(auth_pb2.GetJwksRequest())

    assert [k.kid for k in response.keys] == ["dev-1"]
    key = response.keys[0]
    assert (key.kty, key.crv, key.alg, key.use) == ("EC", "P-256", "ES256", "sig")
    assert (key.n, key.e) == ("", "")
    assert len(key.x) == len(key.y) == 43  # 32 bytes, base64url without padding
    public = ec.EllipticCurvePublicNumbers(_b64int(key.x), _b64int(key.y), ec.SECP256R1()).public_key()
    claims = jwt.decode(account.access, public, algorithms=["ES256"], audience="marquee", issuer="marquee")
    assert claims["sub"] == account.user_id
    assert claims["sid"] == account.session_id
    assert public.public_numbers() == dev_keys(settings).active.public.public_numbers()


async def test_get_auth_config_describes_sign_in(channel: grpc.aio.Channel, settings: Settings) -> None:
    config = await stub_for(channel).GetAuthConfig(auth_pb2.GetAuthConfigRequest())

    assert list(config.providers) == [
        auth_pb2.IDENTITY_PROVIDER_GOOGLE,
        auth_pb2.IDENTITY_PROVIDER_GITHUB,
        auth_pb2.IDENTITY_PROVIDER_DISCORD,
    ]
    assert config.registration_open is True
    assert (config.password_policy.min_length, config.password_policy.max_length) == (10, 128)
    assert config.access_token_ttl.seconds == 900
    assert config.refresh_token_ttl.seconds == 30 * 24 * 3600
    assert (config.issuer, config.audience) == ("marquee", "marquee")
    # An absolute URL (documented as one): the gateway's address when no public URL is configured.
    assert config.jwks_uri == f"http://{settings.gateway_host}:{settings.gateway_port}/auth/v1/jwks"


async def test_get_auth_config_says_common_passwords_are_refused(channel: grpc.aio.Channel) -> None:
    config = await stub_for(channel).GetAuthConfig(auth_pb2.GetAuthConfigRequest())
    assert config.password_policy.reject_breached is True


async def test_list_users_filters_by_creation_time(
    channel: grpc.aio.Channel, outbox: pathlib.Path, listed: tuple[str, list[Account]]
) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    tag, accounts = listed
    third = (await stub.GetUser(auth_pb2.GetUserRequest(name=accounts[2].name), metadata=boss.auth)).user

    before = await stub.ListUsers(
        auth_pb2.ListUsersRequest(
            filter=auth_pb2.UserFilter(email_contains=tag, create_time_before=third.create_time),
            order_by=auth_pb2.USER_ORDER_CREATE_TIME_ASC,
        ),
        metadata=boss.auth,
    )

    assert [u.name for u in before.users] == [a.name for a in accounts[:2]]


async def test_list_users_create_time_after_includes_that_instant(
    channel: grpc.aio.Channel, outbox: pathlib.Path, listed: tuple[str, list[Account]]
) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    tag, accounts = listed
    third = (await stub.GetUser(auth_pb2.GetUserRequest(name=accounts[2].name), metadata=boss.auth)).user

    after = await stub.ListUsers(
        auth_pb2.ListUsersRequest(
            filter=auth_pb2.UserFilter(email_contains=tag, create_time_after=third.create_time),
            order_by=auth_pb2.USER_ORDER_CREATE_TIME_ASC,
        ),
        metadata=boss.auth,
    )

    assert [u.name for u in after.users] == [a.name for a in accounts[2:]]


async def test_list_users_page_size_defaults_to_50_and_allows_200(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    default = await stub.ListUsers(auth_pb2.ListUsersRequest(), metadata=boss.auth)
    if default.total_size <= 20:
        pytest.skip(f"only {default.total_size} users in the database; the check needs more than 20")

    assert len(default.users) == min(default.total_size, 50)
    large = await stub.ListUsers(auth_pb2.ListUsersRequest(page_size=200), metadata=boss.auth)
    assert len(large.users) == min(large.total_size, 200)
