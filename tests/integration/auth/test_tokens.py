"""Access-token attacks over the wire, against an ACCESS_USER RPC (GetUser users/me) and an ACCESS_ADMIN one."""

from __future__ import annotations

import time
import uuid

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from marquee.auth.v1 import auth_pb2

from services.core.settings import Settings
from tests.integration.auth.helpers import (
    Account,
    assert_error,
    claims_for,
    dev_keys,
    es256,
    fails,
    hs256_with_secret,
    register,
    stub_for,
    unsigned,
    with_payload,
)
from tests.support.harness import bearer

ME = auth_pb2.GetUserRequest(name="users/me")


@pytest.fixture(scope="module")
async def account(channel: grpc.aio.Channel) -> Account:
    """One user for the whole module: these tests only read, and argon2 makes registering slow."""
    return await register(stub_for(channel))


async def get_me(channel: grpc.aio.Channel, metadata: tuple[tuple[str, str], ...] | None) -> auth_pb2.GetUserResponse:
    return await stub_for(channel).GetUser(ME, metadata=metadata)


async def test_a_valid_server_token_works(channel: grpc.aio.Channel, account: Account) -> None:
    response = await get_me(channel, account.auth)
    assert response.user.name == account.name
    assert response.user.email == account.email


async def test_a_token_crafted_with_the_dev_key_and_right_claims_works(
    channel: grpc.aio.Channel, settings: Settings, account: Account
) -> None:
    # The control for every attack below: the crafting itself is sound.
    token = es256(claims_for(settings, account), dev_keys(settings).active.private)
    response = await get_me(channel, bearer(token))
    assert response.user.name == account.name


async def test_missing_token_is_token_missing(channel: grpc.aio.Channel) -> None:
    error = await fails(get_me(channel, None))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")


async def test_alg_none_is_token_invalid(channel: grpc.aio.Channel, settings: Settings, account: Account) -> None:
    error = await fails(get_me(channel, bearer(unsigned(claims_for(settings, account)))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_hs256_signed_with_the_public_key_pem_is_token_invalid(
    channel: grpc.aio.Channel, settings: Settings, account: Account
) -> None:
    pem = dev_keys(settings).active.public_pem().encode()
    token = hs256_with_secret(claims_for(settings, account), pem)
    error = await fails(get_me(channel, bearer(token)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_another_p256_key_with_the_same_kid_is_token_invalid(
    channel: grpc.aio.Channel, settings: Settings, account: Account
) -> None:
    impostor = ec.generate_private_key(ec.SECP256R1())
    error = await fails(get_me(channel, bearer(es256(claims_for(settings, account), impostor, kid="dev-1"))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_unknown_kid_is_token_invalid(channel: grpc.aio.Channel, settings: Settings, account: Account) -> None:
    token = es256(claims_for(settings, account), dev_keys(settings).active.private, kid="retired-7")
    error = await fails(get_me(channel, bearer(token)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_expired_token_is_token_expired(channel: grpc.aio.Channel, settings: Settings, account: Account) -> None:
    now = int(time.time())
    claims = claims_for(settings, account, iat=now - 1000, nbf=now - 1000, auth_time=now - 1000, exp=now - 100)
    error = await fails(get_me(channel, bearer(es256(claims, dev_keys(settings).active.private))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_EXPIRED")


async def test_token_expired_within_the_clock_skew_leeway_still_works(
    channel: grpc.aio.Channel, settings: Settings, account: Account
) -> None:
    now = int(time.time())
    claims = claims_for(settings, account, iat=now - 900, nbf=now - 900, exp=now - 5)
    response = await get_me(channel, bearer(es256(claims, dev_keys(settings).active.private)))
    assert response.user.name == account.name


async def test_not_yet_valid_token_is_token_invalid(channel: grpc.aio.Channel, settings: Settings, account: Account) -> None:
    now = int(time.time())
    claims = claims_for(settings, account, nbf=now + 600, exp=now + 1500)
    error = await fails(get_me(channel, bearer(es256(claims, dev_keys(settings).active.private))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_wrong_audience_is_token_invalid(channel: grpc.aio.Channel, settings: Settings, account: Account) -> None:
    claims = claims_for(settings, account, aud="some-other-api")
    error = await fails(get_me(channel, bearer(es256(claims, dev_keys(settings).active.private))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_wrong_issuer_is_token_invalid(channel: grpc.aio.Channel, settings: Settings, account: Account) -> None:
    claims = claims_for(settings, account, iss="https://evil.example")
    error = await fails(get_me(channel, bearer(es256(claims, dev_keys(settings).active.private))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


@pytest.mark.parametrize("claim", ["exp", "sub", "role", "jti", "iss", "aud"])
async def test_token_missing_a_required_claim_is_token_invalid(
    channel: grpc.aio.Channel, settings: Settings, account: Account, claim: str
) -> None:
    claims = claims_for(settings, account, **{claim: None})
    error = await fails(get_me(channel, bearer(es256(claims, dev_keys(settings).active.private))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_unknown_role_is_token_invalid(channel: grpc.aio.Channel, settings: Settings, account: Account) -> None:
    claims = claims_for(settings, account, role="superuser")
    error = await fails(get_me(channel, bearer(es256(claims, dev_keys(settings).active.private))))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_tampered_payload_with_the_original_signature_is_token_invalid(channel: grpc.aio.Channel, account: Account) -> None:
    forged = with_payload(account.access, role="admin")
    stub = stub_for(channel)

    error = await fails(stub.GetUser(ME, metadata=bearer(forged)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")

    # An admin-only RPC refuses it as an invalid token, not as a missing role.
    error = await fails(stub.ListUsers(auth_pb2.ListUsersRequest(), metadata=bearer(forged)))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


@pytest.mark.parametrize(
    "header",
    ["Basic {token}", "Token {token}", "Bearer", "Bearer    ", "{token}", "Bearer not.a.jwt", "Bearer garbage"],
)
async def test_malformed_authorization_header_is_token_invalid(channel: grpc.aio.Channel, account: Account, header: str) -> None:
    metadata = (("authorization", header.format(token=account.access)),)
    error = await fails(get_me(channel, metadata))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID")


async def test_bearer_scheme_is_case_insensitive(channel: grpc.aio.Channel, account: Account) -> None:
    response = await get_me(channel, (("authorization", f"bearer {account.access}"),))
    assert response.user.name == account.name


async def test_user_calling_an_admin_rpc_is_role_required(channel: grpc.aio.Channel, account: Account) -> None:
    error = await fails(stub_for(channel).ListUsers(auth_pb2.ListUsersRequest(), metadata=account.auth))
    assert_error(error, grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    assert error.info is not None
    assert error.info.metadata["required_role"] == "admin"


async def test_a_bad_token_on_a_public_rpc_is_ignored(channel: grpc.aio.Channel, account: Account) -> None:
    # Apps send their token on every call: a forged or stale one must not break a public call.
    forged = with_payload(account.access, sub=uuid.uuid4().hex)
    config = await stub_for(channel).GetAuthConfig(auth_pb2.GetAuthConfigRequest(), metadata=bearer(forged))
    assert config.issuer


async def test_an_expired_access_token_does_not_block_refresh(
    channel: grpc.aio.Channel, settings: Settings, account: Account
) -> None:
    now = int(time.time())
    claims = claims_for(settings, account, iat=now - 1000, nbf=now - 1000, auth_time=now - 1000, exp=now - 100)
    expired = bearer(es256(claims, dev_keys(settings).active.private))
    refreshed = await stub_for(channel).RefreshToken(
        auth_pb2.RefreshTokenRequest(refresh_token=account.tokens.refresh_token), metadata=expired
    )
    assert refreshed.tokens.access_token != account.tokens.access_token


async def test_a_public_rpc_that_needs_the_caller_reports_the_token_error(
    channel: grpc.aio.Channel, settings: Settings, account: Account
) -> None:
    now = int(time.time())
    claims = claims_for(settings, account, iat=now - 1000, nbf=now - 1000, auth_time=now - 1000, exp=now - 100)
    expired = bearer(es256(claims, dev_keys(settings).active.private))
    request = auth_pb2.BeginSocialSignInRequest(
        provider=auth_pb2.IDENTITY_PROVIDER_GOOGLE,
        redirect_uri="http://localhost:3000/callback",
        intent=auth_pb2.SOCIAL_SIGN_IN_INTENT_LINK,
    )
    error = await fails(stub_for(channel).BeginSocialSignIn(request, metadata=expired))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_EXPIRED")
