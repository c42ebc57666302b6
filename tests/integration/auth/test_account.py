"""The signed-in user's account: profile, preferences, password, email, export and deletion."""

from __future__ import annotations

import json
import pathlib

import grpc
import pytest
from google.protobuf import field_mask_pb2
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

from services.core.settings import Settings
from services.core.tokens import TokenVerifier
from tests.integration.auth.helpers import (
    NEW_PASSWORD,
    Account,
    admin,
    assert_error,
    fails,
    login,
    mail_tokens,
    newest_mail_token,
    refresh,
    register,
    stub_for,
    unique_email,
    violation_fields,
)

ME = "users/me"


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def get_user(stub: auth_pb2_grpc.AuthServiceStub, account: Account, name: str = ME) -> auth_pb2.User:
    return (await stub.GetUser(auth_pb2.GetUserRequest(name=name), metadata=account.auth)).user


@pytest.fixture(scope="module")
async def shared(channel: grpc.aio.Channel) -> Account:
    """A user for tests whose calls must all fail and so change nothing (argon2 makes registering slow)."""
    return await register(stub_for(channel))


# -- profile ------------------------------------------------------------------------


async def test_get_user_me_and_by_id_are_the_same(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub, display_name="Ann Example")

    me = await get_user(stub, account)
    by_id = await get_user(stub, account, account.name)

    assert me == by_id
    assert me.name == account.name
    assert me.email == account.email
    assert me.display_name == "Ann Example"
    assert me.role == auth_pb2.ROLE_USER
    assert me.state == auth_pb2.USER_STATE_ACTIVE
    assert me.has_password is True
    assert me.etag == account.user.etag
    assert me.create_time.seconds > 0
    assert me.last_sign_in_time.seconds > 0


async def test_get_user_with_a_malformed_name_is_invalid_argument(channel: grpc.aio.Channel, shared: Account) -> None:
    stub = stub_for(channel)
    account = shared
    for name in ("", "users/", "me", f"{account.name}/sessions/x"):
        error = await fails(stub.GetUser(auth_pb2.GetUserRequest(name=name), metadata=account.auth))
        assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_NAME")  # core names rule: one reason in every service
        assert violation_fields(error) == ["name"]


async def test_update_user_changes_the_masked_fields_and_the_etag(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub, display_name="Before")
    original = await get_user(stub, account)

    update = auth_pb2.User(
        name=ME,
        etag=original.etag,
        display_name="  After   Name ",
        skill_level=auth_pb2.SKILL_LEVEL_ADVANCED,
        preferences=auth_pb2.UserPreferences(theme=auth_pb2.THEME_DARK, data_saver=True),  # data_saver is not in the mask
        locale="xx-not-in-mask",
    )
    update.app_preferences.update({"studybuddy": {"font": "large", "level": 3}, "kushfilms": {"autoplay": True}})
    response = await stub.UpdateUser(
        auth_pb2.UpdateUserRequest(
            user=update, update_mask=mask("display_name", "skill_level", "preferences.theme", "app_preferences")
        ),
        metadata=account.auth,
    )

    updated = response.user
    assert updated.display_name == "After Name"  # whitespace normalized
    assert updated.skill_level == auth_pb2.SKILL_LEVEL_ADVANCED
    assert updated.preferences.theme == auth_pb2.THEME_DARK
    assert updated.preferences.data_saver is False  # not in the mask
    assert updated.locale == ""
    assert updated.app_preferences["studybuddy"]["font"] == "large"
    assert updated.app_preferences["studybuddy"]["level"] == 3
    assert updated.app_preferences["kushfilms"]["autoplay"] is True
    assert updated.etag
    assert updated.etag != original.etag
    assert updated.update_time.ToDatetime() > original.update_time.ToDatetime()

    # Stored: a fresh read agrees, etag included.
    assert await get_user(stub, account) == updated

    # The etag returned by the update is good for the next update.
    second = await stub.UpdateUser(
        auth_pb2.UpdateUserRequest(
            user=auth_pb2.User(name=ME, etag=updated.etag, display_name="Third"), update_mask=mask("display_name")
        ),
        metadata=account.auth,
    )
    assert second.user.display_name == "Third"
    assert second.user.preferences.theme == auth_pb2.THEME_DARK
    assert second.user.etag != updated.etag


async def test_update_one_app_preferences_key_keeps_the_others(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    first = auth_pb2.User(name=ME)
    first.app_preferences.update({"studybuddy": {"font": "large"}, "kushfilms": {"autoplay": True}})
    await stub.UpdateUser(auth_pb2.UpdateUserRequest(user=first, update_mask=mask("app_preferences")), metadata=account.auth)

    second = auth_pb2.User(name=ME)
    second.app_preferences.update({"studybuddy": {"font": "small"}, "kushfilms": {"autoplay": False}})
    response = await stub.UpdateUser(
        auth_pb2.UpdateUserRequest(user=second, update_mask=mask("app_preferences.studybuddy")), metadata=account.auth
    )

    assert response.user.app_preferences["studybuddy"]["font"] == "small"
    assert response.user.app_preferences["kushfilms"]["autoplay"] is True


async def test_update_user_with_a_stale_etag_is_aborted(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    stale = (await get_user(stub, account)).etag
    await stub.UpdateUser(
        auth_pb2.UpdateUserRequest(
            user=auth_pb2.User(name=ME, etag=stale, display_name="From phone"), update_mask=mask("display_name")
        ),
        metadata=account.auth,
    )

    error = await fails(
        stub.UpdateUser(
            auth_pb2.UpdateUserRequest(
                user=auth_pb2.User(name=ME, etag=stale, display_name="From laptop"), update_mask=mask("display_name")
            ),
            metadata=account.auth,
        )
    )

    assert_error(error, grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    assert (await get_user(stub, account)).display_name == "From phone"


@pytest.mark.parametrize(
    "path",
    ["email", "role", "state", "etag", "name", "has_password", "nickname", "preferences.colour", "email_verified", ""],
)
async def test_update_user_refuses_unknown_and_output_only_paths(channel: grpc.aio.Channel, shared: Account, path: str) -> None:
    stub = stub_for(channel)
    account = shared
    before = await get_user(stub, account)
    user = auth_pb2.User(name=ME, email="hijack@example.test", role=auth_pb2.ROLE_ADMIN, display_name="x")
    paths = [path] if path else []

    error = await fails(stub.UpdateUser(auth_pb2.UpdateUserRequest(user=user, update_mask=mask(*paths)), metadata=account.auth))

    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert violation_fields(error) == ["update_mask"]
    assert await get_user(stub, account) == before


@pytest.mark.parametrize(
    ("path", "user", "field"),
    [
        ("display_name", auth_pb2.User(display_name="x" * 101), "user.display_name"),
        ("avatar_uri", auth_pb2.User(avatar_uri="not a url"), "user.avatar_uri"),
        ("locale", auth_pb2.User(locale="english please"), "user.locale"),
        ("time_zone", auth_pb2.User(time_zone="Mars/Olympus_Mons"), "user.time_zone"),
    ],
)
async def test_update_user_refuses_bad_values(
    channel: grpc.aio.Channel, shared: Account, path: str, user: auth_pb2.User, field: str
) -> None:
    stub = stub_for(channel)
    before = await get_user(stub, shared)
    user.name = ME
    error = await fails(stub.UpdateUser(auth_pb2.UpdateUserRequest(user=user, update_mask=mask(path)), metadata=shared.auth))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert violation_fields(error) == [field]
    assert await get_user(stub, shared) == before


async def test_users_cannot_see_or_change_each_other_but_an_admin_can(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    alice, bob = await register(stub, display_name="Alice"), await register(stub, display_name="Bob")

    error = await fails(stub.GetUser(auth_pb2.GetUserRequest(name=bob.name), metadata=alice.auth))
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    error = await fails(
        stub.UpdateUser(
            auth_pb2.UpdateUserRequest(user=auth_pb2.User(name=bob.name, display_name="pwned"), update_mask=mask("display_name")),
            metadata=alice.auth,
        )
    )
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    for call in (
        stub.ExportUserData(auth_pb2.ExportUserDataRequest(name=bob.name), metadata=alice.auth),
        stub.DeleteUser(auth_pb2.DeleteUserRequest(name=bob.name), metadata=alice.auth),
        stub.ListIdentities(auth_pb2.ListIdentitiesRequest(parent=bob.name), metadata=alice.auth),
    ):
        assert_error(await fails(call), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    assert (await get_user(stub, bob)).display_name == "Bob"

    boss = await admin(stub, outbox)
    seen = (await stub.GetUser(auth_pb2.GetUserRequest(name=bob.name), metadata=boss.auth)).user
    assert (seen.name, seen.email) == (bob.name, bob.email)
    changed = await stub.UpdateUser(
        auth_pb2.UpdateUserRequest(user=auth_pb2.User(name=bob.name, display_name="Robert"), update_mask=mask("display_name")),
        metadata=boss.auth,
    )
    assert changed.user.display_name == "Robert"
    assert (await get_user(stub, bob)).display_name == "Robert"


async def test_a_nonexistent_user_is_not_found_even_for_an_admin(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    boss = await admin(stub, outbox)
    error = await fails(stub.GetUser(auth_pb2.GetUserRequest(name="users/0123456789abcdef0123456789abcdef"), metadata=boss.auth))
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


# -- password -------------------------------------------------------------------------


async def test_change_password_with_a_wrong_current_password_is_invalid_credentials(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)

    error = await fails(
        stub.ChangePassword(
            auth_pb2.ChangePasswordRequest(name=ME, current_password="Not-My-Password-9", new_password=NEW_PASSWORD),
            metadata=account.auth,
        )
    )

    # INVALID_ARGUMENT, not UNAUTHENTICATED: the client must not think its access token died.
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CREDENTIALS")
    assert violation_fields(error) == ["current_password"]
    # The session is still alive.
    await refresh(stub, account)


async def test_change_password_weak_new_password_is_refused(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    error = await fails(
        stub.ChangePassword(
            auth_pb2.ChangePasswordRequest(name=ME, current_password=account.password, new_password="short"),
            metadata=account.auth,
        )
    )
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "WEAK_PASSWORD")
    assert set(violation_fields(error)) == {"new_password"}


async def test_change_password_for_someone_else_is_not_found(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    alice, bob = await register(stub), await register(stub)
    error = await fails(
        stub.ChangePassword(
            auth_pb2.ChangePasswordRequest(name=bob.name, current_password=bob.password, new_password=NEW_PASSWORD),
            metadata=alice.auth,
        )
    )
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


async def test_change_password_revokes_other_sessions_and_swaps_the_password(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")
    tv = await login(stub, account, device_id="tv")

    response = await stub.ChangePassword(
        auth_pb2.ChangePasswordRequest(name=ME, current_password=account.password, new_password=NEW_PASSWORD),
        metadata=account.auth,
    )

    assert response.revoked_session_count == 2
    for other in (tablet, tv):
        error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=other.refresh)))
        assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
        assert error.info is not None
        assert error.info.metadata["revoke_reason"] == "password_changed"
    await refresh(stub, account)  # the caller stays signed in

    signed_in = await login(stub, account, password=NEW_PASSWORD)
    assert signed_in.name == account.name
    error = await fails(login(stub, account, password=account.password))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")


async def test_change_password_can_keep_other_sessions(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")

    response = await stub.ChangePassword(
        auth_pb2.ChangePasswordRequest(
            name=ME, current_password=account.password, new_password=NEW_PASSWORD, keep_other_sessions=True
        ),
        metadata=account.auth,
    )

    assert response.revoked_session_count == 0
    await refresh(stub, tablet)


# -- email ------------------------------------------------------------------------------


async def test_email_verification_via_the_emailed_link(
    channel: grpc.aio.Channel, outbox: pathlib.Path, settings: Settings
) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    assert len(mail_tokens(outbox, account.email, "verify-email")) == 1
    token = newest_mail_token(outbox, account.email, "verify-email")

    confirmed = await stub.ConfirmEmailVerification(auth_pb2.ConfirmEmailVerificationRequest(token=token))

    assert (confirmed.user, confirmed.email) == (account.name, account.email)
    assert (await get_user(stub, account)).email_verified is True
    # Safe to retry.
    again = await stub.ConfirmEmailVerification(auth_pb2.ConfirmEmailVerificationRequest(token=token))
    assert again == confirmed
    # New access tokens say so.
    rotated = await refresh(stub, account)
    assert TokenVerifier.from_settings(settings).verify(rotated.access).email_verified is True
    # Nothing left to verify.
    error = await fails(stub.RequestEmailVerification(auth_pb2.RequestEmailVerificationRequest(name=ME), metadata=account.auth))
    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "EMAIL_ALREADY_VERIFIED")


async def test_request_email_verification_sends_a_new_working_link(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    first = newest_mail_token(outbox, account.email, "verify-email")

    response = await stub.RequestEmailVerification(auth_pb2.RequestEmailVerificationRequest(name=ME), metadata=account.auth)

    assert response.email == account.email
    second = newest_mail_token(outbox, account.email, "verify-email", exclude=[first])
    assert second != first
    confirmed = await stub.ConfirmEmailVerification(auth_pb2.ConfirmEmailVerificationRequest(token=second))
    assert confirmed.email == account.email


@pytest.mark.parametrize("token", ["", "garbage", "A" * 43])
async def test_unknown_verification_token_is_invalid(channel: grpc.aio.Channel, token: str) -> None:
    error = await fails(stub_for(channel).ConfirmEmailVerification(auth_pb2.ConfirmEmailVerificationRequest(token=token)))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "VERIFICATION_TOKEN_INVALID")


async def test_a_reset_token_is_not_a_verification_token(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await stub.RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=account.email))
    reset = newest_mail_token(outbox, account.email, "reset-password")

    error = await fails(stub.ConfirmEmailVerification(auth_pb2.ConfirmEmailVerificationRequest(token=reset)))

    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "VERIFICATION_TOKEN_INVALID")
    assert (await get_user(stub, account)).email_verified is False


async def test_change_email_takes_effect_when_the_new_address_is_confirmed(
    channel: grpc.aio.Channel, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    new_address = unique_email("moved")

    wrong = await fails(
        stub.ChangeEmail(
            auth_pb2.ChangeEmailRequest(name=ME, new_email=new_address, current_password="Not-My-Password-9"),
            metadata=account.auth,
        )
    )
    assert_error(wrong, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CREDENTIALS")
    taken = await fails(
        stub.ChangeEmail(
            auth_pb2.ChangeEmailRequest(name=ME, new_email=(await register(stub)).email, current_password=account.password),
            metadata=account.auth,
        )
    )
    assert_error(taken, grpc.StatusCode.ALREADY_EXISTS, "EMAIL_TAKEN")

    response = await stub.ChangeEmail(
        auth_pb2.ChangeEmailRequest(name=ME, new_email=new_address.upper(), current_password=account.password),
        metadata=account.auth,
    )
    assert (response.user.email, response.user.pending_email) == (account.email, new_address)

    token = newest_mail_token(outbox, new_address, "verify-email")
    confirmed = await stub.ConfirmEmailVerification(auth_pb2.ConfirmEmailVerificationRequest(token=token))
    assert confirmed.email == new_address
    me = await get_user(stub, account)
    assert (me.email, me.pending_email, me.email_verified) == (new_address, "", True)


# -- password reset ----------------------------------------------------------------------


async def test_password_reset_for_an_unknown_email_succeeds_silently(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    address = unique_email("nobody")
    response = await stub_for(channel).RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=address))
    assert response == auth_pb2.RequestPasswordResetResponse()
    assert mail_tokens(outbox, address, "reset-password") == []


async def test_password_reset_with_a_malformed_email_is_invalid_argument(channel: grpc.aio.Channel) -> None:
    error = await fails(stub_for(channel).RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email="nope")))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert violation_fields(error) == ["email"]


async def test_password_reset_flow(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    tablet = await login(stub, account, device_id="tablet")

    await stub.RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=f" {account.email.upper()} "))
    token = newest_mail_token(outbox, account.email, "reset-password")

    weak = await fails(stub.ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=token, new_password="short")))
    assert_error(weak, grpc.StatusCode.INVALID_ARGUMENT, "WEAK_PASSWORD")
    assert set(violation_fields(weak)) == {"new_password"}

    # The weak attempt did not spend the token.
    confirmed = await stub.ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=token, new_password=NEW_PASSWORD))
    assert confirmed.email == account.email

    for session in (account, tablet):
        error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=session.refresh)))
        assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    reused = await fails(
        stub.ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=token, new_password="Another-Pass-4471"))
    )
    assert_error(reused, grpc.StatusCode.INVALID_ARGUMENT, "RESET_TOKEN_INVALID")

    signed_in = await login(stub, account, password=NEW_PASSWORD)
    assert signed_in.user.email_verified is True  # reading the email proved the address
    error = await fails(login(stub, account))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")


async def test_confirm_password_reset_retried_with_its_request_id_succeeds_again(
    channel: grpc.aio.Channel, outbox: pathlib.Path
) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await stub.RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=account.email))
    request = auth_pb2.ConfirmPasswordResetRequest(
        token=newest_mail_token(outbox, account.email, "reset-password"),
        new_password=NEW_PASSWORD,
        request_id="reset-1-" + account.user_id,
    )

    first = await stub.ConfirmPasswordReset(request)
    retry = await stub.ConfirmPasswordReset(request)

    assert first == retry == auth_pb2.ConfirmPasswordResetResponse(email=account.email)


@pytest.mark.parametrize("token", ["", "garbage"])
async def test_unknown_reset_token_is_reset_token_invalid(channel: grpc.aio.Channel, token: str) -> None:
    error = await fails(
        stub_for(channel).ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=token, new_password=NEW_PASSWORD))
    )
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "RESET_TOKEN_INVALID")


async def test_a_superseded_reset_token_is_reset_token_invalid(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await stub.RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=account.email))
    old = newest_mail_token(outbox, account.email, "reset-password")
    await stub.RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=account.email))
    new = newest_mail_token(outbox, account.email, "reset-password", exclude=[old])

    error = await fails(stub.ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=old, new_password=NEW_PASSWORD)))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "RESET_TOKEN_INVALID")
    assert (await stub.ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=new, new_password=NEW_PASSWORD))).email


async def test_password_reset_revokes_sessions_with_a_documented_reason(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    await stub.RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=account.email))
    token = newest_mail_token(outbox, account.email, "reset-password")
    await stub.ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=token, new_password=NEW_PASSWORD))

    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh)))

    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    assert error.info is not None
    assert error.info.metadata["revoke_reason"] == "password_changed"


# -- data rights --------------------------------------------------------------------------


async def test_export_user_data_is_a_json_document_with_the_email(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub, device_name="Pixel 8")

    response = await stub.ExportUserData(auth_pb2.ExportUserDataRequest(name=ME), metadata=account.auth)

    assert response.document.content_type == "application/json"
    document = json.loads(response.document.data)
    assert document["user"]["email"] == account.email
    assert document["user"]["name"] == account.name
    assert [s["device_name"] for s in document["sessions"]] == ["Pixel 8"]
    assert document["identities"] == []
    assert "argon2" not in response.document.data.decode()  # no password hash, ever


async def test_export_user_data_has_the_documented_top_level_keys(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    response = await stub.ExportUserData(auth_pb2.ExportUserDataRequest(name=ME), metadata=account.auth)
    document = json.loads(response.document.data)
    assert {"export_time", "user", "identities", "sessions", "sign_in_events"} <= set(document)


async def test_sixth_export_in_an_hour_is_rate_limited(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    for _ in range(5):
        await stub.ExportUserData(auth_pb2.ExportUserDataRequest(name=ME), metadata=account.auth)

    error = await fails(stub.ExportUserData(auth_pb2.ExportUserDataRequest(name=ME), metadata=account.auth))

    assert_error(error, grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert error.retry is not None


async def test_delete_user_after_a_fresh_sign_in_erases_the_account(channel: grpc.aio.Channel, outbox: pathlib.Path) -> None:
    stub = stub_for(channel)
    account = await register(stub)
    fresh = await login(stub, account)

    response = await stub.DeleteUser(auth_pb2.DeleteUserRequest(name=ME), metadata=fresh.auth)

    assert {d.category for d in response.erased} >= {"profile"}
    assert all(d.service for d in response.erased)
    error = await fails(login(stub, account))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")
    error = await fails(stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=fresh.refresh)))
    assert error.code == grpc.StatusCode.UNAUTHENTICATED
    assert error.reason in ("REFRESH_TOKEN_INVALID", "SESSION_REVOKED")
    # The still-unexpired access token is refused at once (the revocation set), not at its expiry.
    error = await fails(stub.GetUser(auth_pb2.GetUserRequest(name=ME), metadata=fresh.auth))
    assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SESSION_REVOKED")
    assert error.info is not None
    assert error.info.metadata["revoke_reason"] == "account_deleted"
    boss = await admin(stub, outbox)
    error = await fails(stub.GetUser(auth_pb2.GetUserRequest(name=account.name), metadata=boss.auth))
    assert_error(error, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    # The email is free again.
    reborn = await register(stub, account.email)
    assert reborn.name != account.name


async def test_nothing_else_is_lost_when_another_user_fails(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    keeper = await register(stub, display_name="Keeper")
    prefs = auth_pb2.User(name=ME, preferences=auth_pb2.UserPreferences(theme=auth_pb2.THEME_LIGHT))
    prefs.app_preferences.update({"studybuddy": {"font": "large"}})
    await stub.UpdateUser(
        auth_pb2.UpdateUserRequest(user=prefs, update_mask=mask("preferences", "app_preferences")), metadata=keeper.auth
    )
    before = await get_user(stub, keeper)

    mallory = await register(stub)
    failures = [
        lambda: stub.UpdateUser(
            auth_pb2.UpdateUserRequest(user=auth_pb2.User(name=keeper.name, display_name="x"), update_mask=mask("display_name")),
            metadata=mallory.auth,
        ),
        lambda: stub.DeleteUser(auth_pb2.DeleteUserRequest(name=keeper.name), metadata=mallory.auth),
        lambda: stub.RevokeOtherSessions(auth_pb2.RevokeOtherSessionsRequest(parent=keeper.name), metadata=mallory.auth),
        lambda: stub.RevokeSession(auth_pb2.RevokeSessionRequest(name=keeper.tokens.session), metadata=mallory.auth),
        lambda: stub.Register(auth_pb2.RegisterRequest(email=keeper.email, password="Some-Other-Pass-1")),
        lambda: stub.ChangePassword(
            auth_pb2.ChangePasswordRequest(name=keeper.name, current_password=keeper.password, new_password=NEW_PASSWORD),
            metadata=mallory.auth,
        ),
        lambda: stub.UpdateUser(
            auth_pb2.UpdateUserRequest(user=auth_pb2.User(name=ME, etag="stale"), update_mask=mask("display_name")),
            metadata=mallory.auth,
        ),
        lambda: stub.ListUsers(auth_pb2.ListUsersRequest(), metadata=mallory.auth),
        lambda: stub.Login(auth_pb2.LoginRequest(email=keeper.email, password="Wrong-Password-123")),
    ]
    for call in failures:
        await fails(call())

    assert await get_user(stub, keeper) == before
    rotated = await refresh(stub, keeper)
    assert rotated.tokens.session == keeper.tokens.session
    assert (await login(stub, keeper)).name == keeper.name
