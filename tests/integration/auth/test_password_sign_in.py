"""Register and Login with an email and a password, over the wire."""

from __future__ import annotations

import time
import uuid

import grpc
from marquee.auth.v1 import auth_pb2

from services.core.settings import Settings
from services.core.tokens import TokenVerifier
from tests.integration.auth.helpers import (
    PASSWORD,
    Account,
    assert_error,
    fails,
    header_of,
    login,
    register,
    stub_for,
    unique_email,
    violation_fields,
)


async def test_register_normalizes_the_email_and_signs_in(channel: grpc.aio.Channel, settings: Settings) -> None:
    tag = uuid.uuid4().hex[:10]
    before = time.time()
    response = await stub_for(channel).Register(
        auth_pb2.RegisterRequest(
            email=f"  Ann.{tag}@Example.COM ",
            password=PASSWORD,
            client=auth_pb2.ClientInfo(device_id="dev-a", device_name="Pixel 8", platform=auth_pb2.PLATFORM_ANDROID),
        )
    )

    user, tokens = response.user, response.tokens
    assert user.email == f"ann.{tag}@example.com"
    assert user.name.startswith("users/")
    assert len(user.name) > len("users/")
    assert user.role == auth_pb2.ROLE_USER
    assert user.state == auth_pb2.USER_STATE_ACTIVE
    assert user.email_verified is False
    assert user.has_password is True
    assert user.display_name == f"ann.{tag}"
    assert user.etag

    assert tokens.token_type == "Bearer"
    assert tokens.access_token
    assert tokens.refresh_token
    assert tokens.session.startswith(f"{user.name}/sessions/")
    assert 880 <= tokens.access_token_expires_in.seconds <= 900  # less the time the sign-in took under load
    assert abs(tokens.access_token_expire_time.seconds - (before + 900)) < 5
    assert abs(tokens.refresh_token_expire_time.seconds - (before + 30 * 24 * 3600)) < 5

    assert header_of(tokens.access_token) == {"alg": "ES256", "kid": "dev-1", "typ": "JWT"}
    principal = TokenVerifier.from_settings(settings).verify(tokens.access_token)
    assert principal.user_id == user.name.removeprefix("users/")
    assert principal.role == "user"
    assert principal.session_id == tokens.session.rsplit("/", 1)[1]
    assert principal.email_verified is False
    assert abs(principal.expires_at - tokens.access_token_expire_time.seconds) < 1


async def test_register_taken_email_is_already_exists(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    error = await fails(stub.Register(auth_pb2.RegisterRequest(email=account.email.upper(), password=PASSWORD)))

    assert_error(error, grpc.StatusCode.ALREADY_EXISTS, "EMAIL_TAKEN")


async def test_register_weak_password_names_the_password_field(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    for weak in ("short1!", "password123", "aaaaaaaaaaaa"):
        error = await fails(stub.Register(auth_pb2.RegisterRequest(email=unique_email(), password=weak)))
        assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "WEAK_PASSWORD")
        assert violation_fields(error)
        assert set(violation_fields(error)) == {"password"}


async def test_register_password_containing_the_email_is_weak(channel: grpc.aio.Channel) -> None:
    address = unique_email("marigold")
    password = "X9!" + address.split("@")[0].upper()
    error = await fails(stub_for(channel).Register(auth_pb2.RegisterRequest(email=address, password=password)))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "WEAK_PASSWORD")
    assert violation_fields(error) == ["password"]


async def test_register_malformed_email_is_invalid_argument(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    for malformed in ("not-an-email", "two@@example.test", "spaces in@example.test", ""):
        error = await fails(stub.Register(auth_pb2.RegisterRequest(email=malformed, password=PASSWORD)))
        assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
        assert violation_fields(error) == ["email"]


async def test_login_with_the_right_password_starts_a_new_session(channel: grpc.aio.Channel, settings: Settings) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    response = await stub.Login(auth_pb2.LoginRequest(email=f"  {account.email.upper()} ", password=PASSWORD))

    assert response.user.name == account.name
    assert response.user.email == account.email
    assert response.tokens.session != account.tokens.session
    assert response.tokens.refresh_token != account.refresh
    principal = TokenVerifier.from_settings(settings).verify(response.tokens.access_token)
    assert principal.user_id == account.user_id
    assert principal.session_id == response.tokens.session.rsplit("/", 1)[1]


async def test_wrong_password_and_unknown_email_are_the_same_invalid_credentials(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    wrong = await fails(stub.Login(auth_pb2.LoginRequest(email=account.email, password="Wrong-Password-123")))
    unknown = await fails(stub.Login(auth_pb2.LoginRequest(email=unique_email("nobody"), password=PASSWORD)))

    assert_error(wrong, grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")
    assert_error(unknown, grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")
    assert wrong.message == unknown.message


async def test_sixth_login_attempt_in_a_minute_is_rate_limited_per_account(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    for _ in range(5):
        error = await fails(stub.Login(auth_pb2.LoginRequest(email=account.email, password="Wrong-Password-123")))
        assert error.reason == "INVALID_CREDENTIALS"

    # Even the right password is refused now.
    error = await fails(stub.Login(auth_pb2.LoginRequest(email=account.email, password=PASSWORD)))

    assert_error(error, grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert error.info is not None
    assert error.info.metadata["scope"] == "account"
    assert error.retry is not None
    delay = error.retry.retry_delay.seconds + error.retry.retry_delay.nanos / 1e9
    assert 30 < delay <= 60


async def test_sixth_login_from_one_client_is_rate_limited_per_client(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    for _ in range(5):
        error = await fails(stub.Login(auth_pb2.LoginRequest(email=unique_email("ghost"), password=PASSWORD)))
        assert error.reason == "INVALID_CREDENTIALS"

    error = await fails(stub.Login(auth_pb2.LoginRequest(email=unique_email("ghost"), password=PASSWORD)))

    assert_error(error, grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert error.info is not None
    assert error.info.metadata["scope"] == "client"
    assert error.retry is not None
    assert 0 < error.retry.retry_delay.seconds <= 60


async def test_register_retried_with_the_same_request_id_returns_the_same_response(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    request = auth_pb2.RegisterRequest(email=unique_email(), password=PASSWORD, request_id=uuid.uuid4().hex)

    first = await stub.Register(request)
    second = await stub.Register(request)

    assert second.user.name == first.user.name
    assert second.tokens.access_token == first.tokens.access_token
    assert second.tokens.refresh_token == first.tokens.refresh_token
    assert second == first


async def test_same_request_id_with_another_body_is_request_id_reused(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    request_id = uuid.uuid4().hex
    first = await stub.Register(auth_pb2.RegisterRequest(email=unique_email(), password=PASSWORD, request_id=request_id))

    other_email = unique_email()
    error = await fails(stub.Register(auth_pb2.RegisterRequest(email=other_email, password=PASSWORD, request_id=request_id)))

    assert_error(error, grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    # Nothing was created for the second body, and the first account still signs in.
    missing = await fails(stub.Login(auth_pb2.LoginRequest(email=other_email, password=PASSWORD)))
    assert missing.reason == "INVALID_CREDENTIALS"
    again = await login(stub, Account(first.user.email, PASSWORD, first.user, first.tokens))
    assert again.name == first.user.name


async def test_register_empty_password_is_weak(channel: grpc.aio.Channel) -> None:
    error = await fails(stub_for(channel).Register(auth_pb2.RegisterRequest(email=unique_email(), password="")))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "WEAK_PASSWORD")
    assert set(violation_fields(error)) == {"password"}
