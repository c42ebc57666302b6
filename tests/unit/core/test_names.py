"""Names are checked against the patterns in the contracts, and `users/me` has one meaning."""

from __future__ import annotations

import pytest
from marquee.auth.v1 import auth_pb2
from marquee.billing.v1 import billing_pb2
from marquee.catalog.v1 import catalog_pb2
from marquee.tracking.v1 import tracking_pb2

from services.core import errors, names
from services.core.tokens import ROLE_ADMIN, ROLE_SERVICE, Principal

USER = Principal("u1")
OTHER = Principal("u2")
ADMIN = Principal("a1", role=ROLE_ADMIN)
SERVICE = Principal("svc-notes", role=ROLE_SERVICE)


def test_every_resource_message_declares_a_pattern() -> None:
    found = names.registry()
    assert found["auth.marquee.app/Session"].patterns[0].text == "users/{user}/sessions/{session}"
    assert found["catalog.marquee.app/Episode"].patterns[0].variables == ("title", "season_number", "episode_number")
    assert len(found) >= 45


def test_a_name_parses_into_its_variables() -> None:
    name = names.parse(auth_pb2.RevokeSessionRequest(name="users/u1/sessions/s9"))
    assert name.type == "auth.marquee.app/Session"
    assert (name["user"], name["session"]) == ("u1", "s9")
    assert str(name) == "users/u1/sessions/s9"


def test_a_reference_to_another_package_resolves() -> None:
    # Billing's `user` field names Auth's User: the registry spans the contracts.
    name = names.parse(billing_pb2.GrantCreditsRequest(user="users/u7"), "user")
    assert name.type == "auth.marquee.app/User"
    assert name["user"] == "u7"


def test_a_nested_identifier_names_its_own_resource() -> None:
    name = names.parse(auth_pb2.UpdateUserRequest(user=auth_pb2.User(name="users/u1")), "user.name")
    assert name.type == "auth.marquee.app/User"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "users",
        "users/",
        "users/u1/sessions",
        "users/u1/sessions/",
        "sessions/u1",
        "users/u1/x/s1",
        "users/u 1/sessions/s",
        "users/u1/sessions/s\x00",
        "users/" + "a" * 129 + "/sessions/s",
    ],
)
def test_a_name_off_the_pattern_is_invalid_argument_naming_field_and_pattern(text: str) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        names.parse(auth_pb2.RevokeSessionRequest(name=text))
    error = caught.value
    assert error.reason == "INVALID_NAME"
    assert [v.field for v in error.violations] == ["name"]
    if text:
        assert "users/{user}/sessions/{session}" in error.violations[0].description
    else:
        assert error.violations[0].description == "is required"


def test_repeated_names_report_every_bad_entry() -> None:
    request = billing_pb2.BatchGetEntitlementsRequest(names=["users/u1/entitlements", "users/u2", "plans/x"])
    with pytest.raises(errors.InvalidArgument) as caught:
        names.parse_repeated(request, "names")
    assert [v.field for v in caught.value.violations] == ["names[1]", "names[2]"]


def test_build_formats_by_the_pattern() -> None:
    assert names.build("tracking.marquee.app/Rating", user="u1", rating="r1") == "users/u1/ratings/r1"


# -- the users/me rule ------------------------------------------------------------------


def test_me_is_the_caller() -> None:
    name = names.owned(tracking_pb2.ListWatchlistEntriesRequest(parent="users/me"), "parent", principal=USER)
    assert name["user"] == "u1"
    assert str(name) == "users/u1"
    assert names.owned(auth_pb2.GetUserRequest(name="users/me"), principal=ADMIN)["user"] == "a1"


def test_me_with_a_service_token_is_invalid_never_the_service_itself() -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        names.owned(tracking_pb2.ListWatchlistEntriesRequest(parent="users/me"), "parent", principal=SERVICE)
    assert caught.value.reason == "USERS_ME_NOT_ALLOWED"
    assert caught.value.violations[0].field == "parent"


def test_another_users_name_is_not_found_for_a_user() -> None:
    with pytest.raises(errors.NotFound):
        names.owned(auth_pb2.RevokeSessionRequest(name="users/u1/sessions/s1"), principal=OTHER)


@pytest.mark.parametrize("principal", [ADMIN, SERVICE])
def test_admins_and_services_may_name_any_user(principal: Principal) -> None:
    assert names.owned(auth_pb2.RevokeSessionRequest(name="users/u1/sessions/s1"), principal=principal)["user"] == "u1"


def test_every_user_only_where_allowed_and_only_for_who_may_name_any() -> None:
    request = billing_pb2.ListPaymentsRequest(parent="users/-")
    assert names.owned(request, "parent", principal=ADMIN, allow_all=True)["user"] == names.ALL
    with pytest.raises(errors.NotFound):
        names.owned(request, "parent", principal=USER, allow_all=True)
    with pytest.raises(errors.InvalidArgument):
        names.owned(request, "parent", principal=ADMIN)


def test_a_name_without_a_user_is_unchanged() -> None:
    name = names.owned(catalog_pb2.GetTitleRequest(name="titles/slug:the-compass"), principal=USER)
    assert name["title"] == "slug:the-compass"
