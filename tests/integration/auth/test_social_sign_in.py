"""Social sign-in end to end: the server talks real HTTP to the LocalOAuthProvider, the test plays the browser."""

from __future__ import annotations

import pathlib
import random
import uuid
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

from services.core.settings import Settings
from services.core.tokens import TokenVerifier
from tests.integration.auth.helpers import (
    NEW_PASSWORD,
    REDIRECT_URI,
    admin,
    assert_error,
    fails,
    login,
    register,
    stub_for,
    unique_email,
    verify_email,
    violation_fields,
)
from tests.support.harness import bearer
from tests.support.oauth_provider import LocalOAuthProvider

GOOGLE = auth_pb2.IDENTITY_PROVIDER_GOOGLE
GITHUB = auth_pb2.IDENTITY_PROVIDER_GITHUB
DISCORD = auth_pb2.IDENTITY_PROVIDER_DISCORD
PROVIDER_NAMES = {GOOGLE: "google", GITHUB: "github", DISCORD: "discord"}


async def begin(
    stub: auth_pb2_grpc.AuthServiceStub,
    provider: int,
    *,
    intent: int = auth_pb2.SOCIAL_SIGN_IN_INTENT_SIGN_IN,
    redirect_uri: str = REDIRECT_URI,
    metadata: tuple[tuple[str, str], ...] | None = None,
) -> auth_pb2.BeginSocialSignInResponse:
    request = auth_pb2.BeginSocialSignInRequest(provider=provider, redirect_uri=redirect_uri, intent=intent)  # type: ignore[arg-type]
    return await stub.BeginSocialSignIn(request, metadata=metadata)


async def social_sign_in(
    stub: auth_pb2_grpc.AuthServiceStub,
    oauth_provider: LocalOAuthProvider,
    provider: int,
    *,
    subject: str,
    email: str,
    email_verified: bool = True,
    name: str = "Social Person",
    avatar: str = "",
    device_id: str = "",
) -> auth_pb2.CompleteSocialSignInResponse:
    """Begin, authorize as the given provider account, and complete."""
    oauth_provider.add_account(
        PROVIDER_NAMES[provider], subject=subject, email=email, email_verified=email_verified, name=name, avatar=avatar
    )
    started = await begin(stub, provider)
    code, state = oauth_provider.authorize(started.authorization_uri)
    assert state == started.state
    return await stub.CompleteSocialSignIn(
        auth_pb2.CompleteSocialSignInRequest(
            provider=provider,  # type: ignore[arg-type]
            code=code,
            state=state,
            client=auth_pb2.ClientInfo(device_id=device_id),
        )
    )


def google_subject() -> str:
    return str(random.randrange(10**20, 10**21))


def numeric_subject() -> str:
    return str(random.randrange(10**8, 10**12))


async def test_google_new_account_is_created_with_pkce(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider, settings: Settings
) -> None:
    stub = stub_for(channel)
    subject, address = google_subject(), unique_email("goog")
    oauth_provider.add_account("google", subject=subject, email=address, email_verified=True, name="Grace Hopper")

    started = await begin(stub, GOOGLE)

    query = parse_qs(urlsplit(started.authorization_uri).query)
    assert started.authorization_uri.startswith(f"{oauth_provider.base_url}/google/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url SHA-256, no padding
    assert query["state"] == [started.state]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert query["client_id"] == ["marquee-test"]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["openid email profile"]
    assert "code_verifier" not in started.authorization_uri  # the verifier stays on the server
    assert started.expire_time.seconds > 0

    code, state = oauth_provider.authorize(started.authorization_uri)
    token_calls = oauth_provider.token_calls()
    response = await stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=state))

    # The provider accepted the code only because the server sent the verifier matching the challenge.
    assert oauth_provider.token_calls() == token_calls + 1
    assert response.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_CREATED
    assert response.user.email == address
    assert response.user.email_verified is True
    assert response.user.display_name == "Grace Hopper"
    assert response.user.has_password is False
    assert response.user.role == auth_pb2.ROLE_USER
    assert response.identity.provider == GOOGLE
    assert response.identity.subject == subject
    assert response.identity.email == address
    assert response.identity.email_verified is True
    assert response.identity.name.startswith(f"{response.user.name}/identities/")
    assert response.tokens.session.startswith(f"{response.user.name}/sessions/")
    principal = TokenVerifier.from_settings(settings).verify(response.tokens.access_token)
    assert principal.user_id == response.user.name.removeprefix("users/")
    assert principal.email_verified is True

    me = await stub.GetUser(
        auth_pb2.GetUserRequest(name="users/me"), metadata=(("authorization", f"Bearer {response.tokens.access_token}"),)
    )
    assert list(me.user.linked_providers) == [GOOGLE]
    identities = await stub.ListIdentities(
        auth_pb2.ListIdentitiesRequest(parent="users/me"), metadata=(("authorization", f"Bearer {response.tokens.access_token}"),)
    )
    assert [(i.provider, i.subject) for i in identities.identities] == [(GOOGLE, subject)]
    sessions = await stub.ListSessions(
        auth_pb2.ListSessionsRequest(parent="users/me"), metadata=(("authorization", f"Bearer {response.tokens.access_token}"),)
    )
    assert [(s.sign_in_method, s.provider) for s in sessions.sessions] == [(auth_pb2.SIGN_IN_METHOD_SOCIAL, GOOGLE)]


async def test_complete_social_sign_in_response_lists_the_linked_provider(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    response = await social_sign_in(stub_for(channel), oauth_provider, GOOGLE, subject=google_subject(), email=unique_email("g"))
    assert list(response.user.linked_providers) == [GOOGLE]


async def test_identity_is_named_by_its_provider(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    response = await social_sign_in(stub, oauth_provider, GOOGLE, subject=google_subject(), email=unique_email("g"))
    assert response.identity.name == f"{response.user.name}/identities/google"


async def test_second_sign_in_with_the_same_subject_signs_in_to_the_same_user(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    subject, address = google_subject(), unique_email("goog")
    first = await social_sign_in(stub, oauth_provider, GOOGLE, subject=subject, email=address)

    # Same Google account, even if its email changed at Google meanwhile.
    second = await social_sign_in(stub, oauth_provider, GOOGLE, subject=subject, email=unique_email("moved"))

    assert first.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_CREATED
    assert second.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_SIGNED_IN
    assert second.user.name == first.user.name
    assert second.user.email == address  # the account's email does not follow the provider's
    assert second.tokens.session != first.tokens.session
    assert second.identity.subject == subject


async def test_verified_email_on_both_sides_links_to_the_password_account(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await verify_email(stub, outbox, account)

    response = await social_sign_in(stub, oauth_provider, GOOGLE, subject=google_subject(), email=account.email)

    assert response.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_LINKED_BY_EMAIL
    assert response.user.name == account.name
    assert response.user.has_password is True
    assert response.identity.provider == GOOGLE
    me = await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=account.auth)
    assert list(me.user.linked_providers) == [GOOGLE]
    # Admins can find users by linked provider.
    boss = await admin(stub, outbox)
    found = await stub.ListUsers(
        auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains=account.email, provider=GOOGLE)), metadata=boss.auth
    )
    assert [u.name for u in found.users] == [account.name]
    none = await stub.ListUsers(
        auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains=account.email, provider=GITHUB)), metadata=boss.auth
    )
    assert list(none.users) == []


async def test_unverified_marquee_email_is_not_linked(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    account = await register(stub)  # never verified

    error = await fails(social_sign_in(stub, oauth_provider, GOOGLE, subject=google_subject(), email=account.email))

    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "EMAIL_NOT_VERIFIED")
    me = await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=account.auth)
    assert list(me.user.linked_providers) == []


async def test_unverified_provider_email_is_not_linked(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await verify_email(stub, outbox, account)

    error = await fails(
        social_sign_in(stub, oauth_provider, GOOGLE, subject=google_subject(), email=account.email, email_verified=False)
    )

    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "EMAIL_NOT_VERIFIED")
    me = await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=account.auth)
    assert list(me.user.linked_providers) == []


async def test_a_state_can_be_completed_once(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    oauth_provider.add_account("google", subject=google_subject(), email=unique_email("g"))
    started = await begin(stub, GOOGLE)
    code, state = oauth_provider.authorize(started.authorization_uri)
    await stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=state))

    # A fresh code from the provider does not make a used state live again.
    fresh_code, _ = oauth_provider.authorize(started.authorization_uri)
    token_calls = oauth_provider.token_calls()
    error = await fails(
        stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=fresh_code, state=state))
    )

    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "STATE_INVALID")
    assert error.bad_request is not None
    assert [v.field for v in error.bad_request.field_violations] == ["state"]
    assert oauth_provider.token_calls() == token_calls  # refused before the code was spent


@pytest.mark.parametrize("tamper", ["mac", "id", "drop_mac", "empty"])
async def test_tampered_state_is_state_invalid(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider, tamper: str
) -> None:
    stub = stub_for(channel)
    oauth_provider.add_account("google", subject=google_subject(), email=unique_email("g"))
    started = await begin(stub, GOOGLE)
    code, state = oauth_provider.authorize(started.authorization_uri)
    state_id, mac = state.split(".")
    forged = {
        "mac": f"{state_id}.{mac[:-1]}{'0' if mac[-1] != '0' else '1'}",
        "id": f"{uuid.uuid4().hex}.{mac}",
        "drop_mac": state_id,
        "empty": "",
    }[tamper]

    error = await fails(stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=forged)))

    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "STATE_INVALID")
    # The genuine state is still live: tampering did not consume it.
    response = await stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=state))
    assert response.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_CREATED


async def test_state_issued_for_another_provider_is_state_invalid(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    oauth_provider.add_account("google", subject=google_subject(), email=unique_email("g"))
    started = await begin(stub, GOOGLE)
    code, state = oauth_provider.authorize(started.authorization_uri)

    error = await fails(stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GITHUB, code=code, state=state)))

    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "STATE_INVALID")


async def test_provider_refusing_the_code_is_provider_error(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    oauth_provider.add_account("google", subject=google_subject(), email=unique_email("g"))
    started = await begin(stub, GOOGLE)
    _, state = oauth_provider.authorize(started.authorization_uri)

    error = await fails(
        stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code="not-a-code-it-issued", state=state))
    )

    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "PROVIDER_ERROR")


async def test_provider_error_carries_the_providers_error_code(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    oauth_provider.add_account("google", subject=google_subject(), email=unique_email("g"))
    started = await begin(stub, GOOGLE)
    _, state = oauth_provider.authorize(started.authorization_uri)

    error = await fails(
        stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code="bogus", state=state))
    )

    assert error.info is not None
    assert error.info.metadata["provider_error"] == "invalid_grant"


@pytest.mark.parametrize(
    "redirect_uri", ["https://evil.example/callback", "ftp://localhost/cb", "javascript:alert(1)", "localhost/cb"]
)
async def test_redirect_uri_off_the_allow_list_is_refused(channel: grpc.aio.Channel, redirect_uri: str) -> None:
    error = await fails(begin(stub_for(channel), GOOGLE, redirect_uri=redirect_uri))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "REDIRECT_URI_NOT_ALLOWED")
    assert error.bad_request is not None
    assert [v.field for v in error.bad_request.field_violations] == ["redirect_uri"]


@pytest.mark.parametrize("redirect_uri", ["http://localhost.evil.example/cb", "http://localhost@evil.example/cb"])
async def test_redirect_uri_only_looking_like_an_allowed_one_is_refused(channel: grpc.aio.Channel, redirect_uri: str) -> None:
    error = await fails(begin(stub_for(channel), GOOGLE, redirect_uri=redirect_uri))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "REDIRECT_URI_NOT_ALLOWED")


async def test_missing_redirect_uri_is_invalid_argument(channel: grpc.aio.Channel) -> None:
    error = await fails(begin(stub_for(channel), GOOGLE, redirect_uri=""))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_github_happy_path(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    subject, address = numeric_subject(), unique_email("gh")

    response = await social_sign_in(stub, oauth_provider, GITHUB, subject=subject, email=address, name="Linus Octocat")

    assert response.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_CREATED
    # The primary verified address from /user/emails, not the noreply one listed first.
    assert response.user.email == address
    assert response.user.email_verified is True
    assert response.user.display_name == "Linus Octocat"
    assert (response.identity.provider, response.identity.subject) == (GITHUB, subject)
    again = await social_sign_in(stub, oauth_provider, GITHUB, subject=subject, email=address)
    assert (again.result, again.user.name) == (auth_pb2.SOCIAL_SIGN_IN_RESULT_SIGNED_IN, response.user.name)


async def test_discord_happy_path(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    subject, address = numeric_subject(), unique_email("dc")

    response = await social_sign_in(stub, oauth_provider, DISCORD, subject=subject, email=address, name="Wumpus", avatar="a1b2c3")

    assert response.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_CREATED
    assert response.user.email == address
    assert response.user.email_verified is True
    assert response.user.display_name == "Wumpus"
    assert response.user.avatar_uri == f"https://cdn.discordapp.com/avatars/{subject}/a1b2c3.png"
    assert (response.identity.provider, response.identity.subject) == (DISCORD, subject)


async def test_two_provider_accounts_without_email_both_get_accounts(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    first = await social_sign_in(stub, oauth_provider, DISCORD, subject=numeric_subject(), email="", email_verified=False)
    second = await social_sign_in(stub, oauth_provider, DISCORD, subject=numeric_subject(), email="", email_verified=False)

    assert first.result == second.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_CREATED
    assert first.user.name != second.user.name
    assert first.user.email == second.user.email == ""


async def test_link_without_a_token_is_token_missing(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    for intent in (auth_pb2.SOCIAL_SIGN_IN_INTENT_LINK, auth_pb2.SOCIAL_SIGN_IN_INTENT_REAUTHENTICATE):
        error = await fails(begin(stub, GOOGLE, intent=intent))
        assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")


async def test_link_attaches_the_provider_to_the_caller(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    account = await register(stub)  # a fresh sign-in is recent
    subject = google_subject()
    oauth_provider.add_account("google", subject=subject, email=unique_email("other-address"))

    started = await begin(stub, GOOGLE, intent=auth_pb2.SOCIAL_SIGN_IN_INTENT_LINK, metadata=account.auth)
    code, state = oauth_provider.authorize(started.authorization_uri)
    response = await stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=state))

    assert response.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_LINKED
    assert response.user.name == account.name
    assert response.tokens.session == account.tokens.session  # the caller's session, rotated
    me = await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=account.auth)
    assert list(me.user.linked_providers) == [GOOGLE]

    # That Google account now signs in to this user.
    again = await social_sign_in(stub, oauth_provider, GOOGLE, subject=subject, email=unique_email("x"))
    assert (again.result, again.user.name) == (auth_pb2.SOCIAL_SIGN_IN_RESULT_SIGNED_IN, account.name)

    # And nobody else can link it.
    intruder = await register(stub)
    started = await begin(stub, GOOGLE, intent=auth_pb2.SOCIAL_SIGN_IN_INTENT_LINK, metadata=intruder.auth)
    code, state = oauth_provider.authorize(started.authorization_uri)
    error = await fails(stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=state)))
    assert_error(error, grpc.StatusCode.ALREADY_EXISTS, "IDENTITY_ALREADY_LINKED")


async def test_unlink_the_last_sign_in_method_is_refused(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    response = await social_sign_in(stub, oauth_provider, GOOGLE, subject=google_subject(), email=unique_email("solo"))
    auth = (("authorization", f"Bearer {response.tokens.access_token}"),)

    error = await fails(stub.UnlinkIdentity(auth_pb2.UnlinkIdentityRequest(name=response.identity.name), metadata=auth))

    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "LAST_SIGN_IN_METHOD")


async def test_unsupported_provider_is_refused(channel: grpc.aio.Channel) -> None:
    error = await fails(begin(stub_for(channel), auth_pb2.IDENTITY_PROVIDER_UNSPECIFIED))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert violation_fields(error) == ["provider"]


async def test_unconfigured_provider_is_failed_precondition(channel: grpc.aio.Channel) -> None:
    error = await fails(begin(stub_for(channel), auth_pb2.IDENTITY_PROVIDER_FACEBOOK))
    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "PROVIDER_NOT_CONFIGURED")


async def test_social_only_account_has_no_password_to_sign_in_with(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    address = unique_email("social-only")
    response = await social_sign_in(stub, oauth_provider, GOOGLE, subject=google_subject(), email=address)
    auth = bearer(response.tokens.access_token)

    error = await fails(stub.Login(auth_pb2.LoginRequest(email=address, password="Any-Password-123")))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")
    error = await fails(stub.Reauthenticate(auth_pb2.ReauthenticateRequest(password="Any-Password-123"), metadata=auth))
    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "PASSWORD_NOT_SET")

    # A fresh social sign-in is recent, so a first password needs no current one.
    changed = await stub.ChangePassword(auth_pb2.ChangePasswordRequest(name="users/me", new_password=NEW_PASSWORD), metadata=auth)
    assert changed.revoked_session_count == 0
    me = await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=auth)
    assert me.user.has_password is True
    signed_in = await stub.Login(auth_pb2.LoginRequest(email=address, password=NEW_PASSWORD))
    assert signed_in.user.name == response.user.name


async def test_reauthenticate_with_the_linked_provider(channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider) -> None:
    stub = stub_for(channel)
    subject = google_subject()
    signed_in = await social_sign_in(stub, oauth_provider, GOOGLE, subject=subject, email=unique_email("reauth"))
    auth = bearer(signed_in.tokens.access_token)

    started = await begin(stub, GOOGLE, intent=auth_pb2.SOCIAL_SIGN_IN_INTENT_REAUTHENTICATE, metadata=auth)
    code, state = oauth_provider.authorize(started.authorization_uri)
    response = await stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=state))

    assert response.result == auth_pb2.SOCIAL_SIGN_IN_RESULT_REAUTHENTICATED
    assert response.user.name == signed_in.user.name
    assert response.tokens.session == signed_in.tokens.session


async def test_link_after_the_session_ended_is_session_revoked(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    oauth_provider.add_account("google", subject=google_subject(), email=unique_email("late"))
    started = await begin(stub, GOOGLE, intent=auth_pb2.SOCIAL_SIGN_IN_INTENT_LINK, metadata=account.auth)
    code, state = oauth_provider.authorize(started.authorization_uri)

    await stub.Logout(auth_pb2.LogoutRequest(refresh_token=account.refresh))
    error = await fails(stub.CompleteSocialSignIn(auth_pb2.CompleteSocialSignInRequest(provider=GOOGLE, code=code, state=state)))

    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    # Nothing was linked (the signed-out session's access token is refused too: sign in again to look).
    again = await login(stub, account)
    identities = await stub.ListIdentities(auth_pb2.ListIdentitiesRequest(parent="users/me"), metadata=again.auth)
    assert list(identities.identities) == []


async def test_complete_retried_with_its_request_id_returns_the_first_result(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider
) -> None:
    stub = stub_for(channel)
    oauth_provider.add_account("github", subject=numeric_subject(), email=unique_email("retry"))
    started = await begin(stub, GITHUB)
    code, state = oauth_provider.authorize(started.authorization_uri)
    request = auth_pb2.CompleteSocialSignInRequest(provider=GITHUB, code=code, state=state, request_id=uuid.uuid4().hex)

    first = await stub.CompleteSocialSignIn(request)
    token_calls = oauth_provider.token_calls()
    retry = await stub.CompleteSocialSignIn(request)

    assert retry == first
    assert oauth_provider.token_calls() == token_calls  # the spent code was not presented again


async def test_disabled_account_cannot_sign_in_socially(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    subject = google_subject()
    first = await social_sign_in(stub, oauth_provider, GOOGLE, subject=subject, email=unique_email("banned"))
    boss = await admin(stub, outbox)
    await stub.DisableUser(auth_pb2.DisableUserRequest(name=first.user.name, reason="abuse"), metadata=boss.auth)

    error = await fails(social_sign_in(stub, oauth_provider, GOOGLE, subject=subject, email=first.user.email))

    assert_error(error, grpc.StatusCode.PERMISSION_DENIED, "ACCOUNT_DISABLED")


async def test_unlink_a_provider_from_a_password_account(
    channel: grpc.aio.Channel, oauth_provider: LocalOAuthProvider, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await verify_email(stub, outbox, account)
    linked = await social_sign_in(stub, oauth_provider, GOOGLE, subject=google_subject(), email=account.email)

    response = await stub.UnlinkIdentity(auth_pb2.UnlinkIdentityRequest(name=linked.identity.name), metadata=account.auth)

    assert response.user.name == account.name
    assert list(response.user.linked_providers) == []
    identities = await stub.ListIdentities(auth_pb2.ListIdentitiesRequest(parent="users/me"), metadata=account.auth)
    assert list(identities.identities) == []
    error = await fails(stub.UnlinkIdentity(auth_pb2.UnlinkIdentityRequest(name=linked.identity.name), metadata=account.auth))
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
