"""Auth's rules on plain values, without sockets: passwords, refresh rotation and reuse, the last admin,
sign-in limits, recent sign-in, names and text, and the erasure fan-out's backoff and report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from services.auth.domain import (
    AUTH_ERASED,
    Client,
    Disposition,
    Limit,
    PeerErasure,
    UserQuery,
    check_admin_kept,
    clean_text,
    deletion_report,
    login_limits,
    mail_limits,
    needs_recent_sign_in,
    normalize_email,
    profile_locale,
    public_api_url,
    rate_limited,
    redirect_allowed,
    refresh_outcome,
    revoke_reason,
    session_id_of,
    time_zone,
    token_hash,
)
from services.auth.models import User
from services.auth.passwords import Passwords
from services.auth.settings import AuthSettings
from services.auth.usecases import AuthWork
from services.core import errors
from services.core.ratelimit import Decision
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


# -- passwords ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords(min_length=10)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "at least 10"),
        ("x" * 129, "at most 128"),
        ("password123", "too common"),
        ("aaaaabbbbbbbb", "too common or too simple"),  # three distinct characters
        ("Wanda-Maximoff-77", "email address"),
    ],
)
def test_the_password_policy_refuses_with_a_field_violation(passwords: Passwords, password: str, problem: str) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        passwords.check_policy(password, email="maximoff@example.test")
    assert caught.value.reason == "WEAK_PASSWORD"
    assert any(problem in v.description for v in caught.value.violations)
    assert {v.field for v in caught.value.violations} == {"password"}


def test_a_good_password_passes_and_verifies_only_itself(passwords: Passwords) -> None:
    passwords.check_policy("Tulip-Harbour-2291", email="someone@example.test")
    stored = passwords.hash("Tulip-Harbour-2291")
    assert passwords.verify(stored, "Tulip-Harbour-2291")
    assert not passwords.verify(stored, "Tulip-Harbour-2292")
    assert not passwords.verify(None, "Tulip-Harbour-2291")  # no account: the decoy never matches
    assert not passwords.verify("not-a-hash", "anything")


# -- refresh tokens: rotation and reuse detection ------------------------------------------


def outcome(**changes: bool) -> str:
    facts = {"found": True, "expired": False, "session_found": True, "owner_disabled": False, "session_revoked": False}
    facts.update(changes)
    return refresh_outcome(spent=changes.get("spent", False), **{k: v for k, v in facts.items() if k != "spent"})


def test_a_live_unspent_refresh_token_rotates() -> None:
    assert outcome() == "rotate"


def test_a_spent_refresh_token_is_reuse_and_revokes_the_family() -> None:
    assert outcome(spent=True) == "reused"


@pytest.mark.parametrize("missing", ["found", "session_found"])
def test_unknown_tokens_or_sessions_are_invalid(missing: str) -> None:
    assert outcome(**{missing: False}) == "invalid"


def test_the_checks_run_in_order() -> None:
    assert outcome(expired=True, spent=True) == "invalid"  # an expired copy is no evidence of a leak
    assert outcome(owner_disabled=True, spent=True) == "disabled"
    assert outcome(session_revoked=True, spent=True) == "revoked"  # a signed-out family stays signed out


def test_token_hashes_are_stable_and_distinct() -> None:
    assert token_hash("a") == token_hash("a") != token_hash("b")
    assert len(token_hash("a")) == 64


# -- names the caller is being signed in with, and who revoked ------------------------------------


@pytest.mark.parametrize("name", ["users/u1/sessions/s1", "users/me/sessions/s1"])
def test_a_session_of_the_user_signing_in_gives_its_id(name: str) -> None:
    assert session_id_of(name, "u1", field="replace_session") == "s1"


@pytest.mark.parametrize(
    "name", ["users/u2/sessions/s1", "users/u1/sessions/", "users/u1/sessions/s1/x", "sessions/s1", "users/u1"]
)
def test_another_users_or_a_malformed_session_name_is_invalid(name: str) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        session_id_of(name, "u1", field="replace_session")
    assert [v.field for v in caught.value.violations] == ["replace_session"]


def test_sessions_revoked_for_someone_else_say_so() -> None:
    assert revoke_reason(own=True) == "revoked_by_user"
    assert revoke_reason(own=False) == "revoked_by_admin"


# -- roles: the last admin -------------------------------------------------------------------


@pytest.mark.parametrize("action", ["demoted", "disabled", "deleted"])
def test_the_last_admin_cannot_lose_the_role(action: str) -> None:
    with pytest.raises(errors.FailedPrecondition) as caught:
        check_admin_kept(is_admin=True, stays_admin=False, active_admins=1, action=action)
    assert caught.value.reason == "LAST_ADMIN"
    assert action in str(caught.value)


def test_an_admin_may_go_while_another_remains_and_users_are_never_blocked() -> None:
    check_admin_kept(is_admin=True, stays_admin=False, active_admins=2, action="demoted")
    check_admin_kept(is_admin=True, stays_admin=True, active_admins=1, action="demoted")
    check_admin_kept(is_admin=False, stays_admin=False, active_admins=0, action="deleted")


def test_recent_sign_in_is_ten_minutes() -> None:
    assert not needs_recent_sign_in(NOW, NOW - dt.timedelta(minutes=9, seconds=59))
    assert needs_recent_sign_in(NOW, NOW - dt.timedelta(minutes=10, seconds=1))


# -- sign-in limits (an in-memory limiter in place of Redis's fixed window) -----------------


@dataclass
class CountingLimiter:
    hits: dict[str, int] = field(default_factory=dict)

    def hit(self, key: str, *, limit: int, window_seconds: float) -> Decision:
        self.hits[key] = self.hits.get(key, 0) + 1
        allowed = self.hits[key] <= limit
        return Decision(allowed, 0.0 if allowed else window_seconds)


@pytest.fixture
def domain(tmp_path: object) -> AuthWork:
    settings = Settings(env="test", database_url="sqlite://", redis_url="redis://127.0.0.1:1/0")
    auth = AuthSettings.load(settings, login_attempts_per_minute=3)
    return AuthWork(
        settings,
        signer=TokenSigner.from_settings(settings, KeySet.from_settings(settings)),
        passwords=Passwords(min_length=10),
        limiter=CountingLimiter(),  # type: ignore[arg-type]
        mailer=None,  # type: ignore[arg-type]  (no rule here sends mail)
        auth=auth,
        clock=lambda: NOW,
    )


def test_sign_in_counts_per_account_and_per_client_address() -> None:
    assert login_limits("a@example.test", Client(), per_minute=3) == (Limit("login:account:a@example.test", 3, 60, "account"),)
    assert [limit.scope for limit in login_limits("a@example.test", Client(ip="203.0.113.7"), per_minute=3)] == [
        "account",
        "client",
    ]


def test_mail_counts_by_action_and_allows_more_per_client_than_per_account() -> None:
    account, client = mail_limits("reset_password", "u1", Client(ip="203.0.113.7"))
    assert (account.key, client.key) == ("reset_password:account:u1", "reset_password:client:203.0.113.7")
    assert account.window_seconds == client.window_seconds == 3600
    assert account.limit < client.limit
    assert mail_limits("verify_email", "u1", Client()) == (Limit("verify_email:account:u1", account.limit, 3600, "account"),)


def test_a_refusal_names_its_scope_and_when_to_retry() -> None:
    refused = rate_limited(Limit("login:client:x", 3, 60, "client"), 41.6)
    assert (refused.reason, refused.metadata["scope"], refused.retry_after_seconds) == ("RATE_LIMITED", "client", 41.6)
    assert "42s" in str(refused)


def test_login_is_limited_per_account_and_per_client(domain: AuthWork) -> None:
    client = Client(ip="203.0.113.7")
    for _ in range(3):
        domain.limit_login("a@example.test", client)
    with pytest.raises(errors.ResourceExhausted) as caught:
        domain.limit_login("a@example.test", Client(ip="198.51.100.1"))
    assert caught.value.reason == "RATE_LIMITED"
    assert caught.value.metadata["scope"] == "account"
    # Another account from the same client: the client's own window is full too (3 attempts).
    with pytest.raises(errors.ResourceExhausted) as by_client:
        domain.limit_login("b@example.test", client)
    assert by_client.value.metadata["scope"] == "client"


def test_mail_sending_calls_are_limited_per_hour(domain: AuthWork) -> None:
    for _ in range(5):
        domain.limit_mail("register", "a@example.test", Client())
    with pytest.raises(errors.ResourceExhausted):
        domain.limit_mail("register", "a@example.test", Client())


def test_the_jwks_uri_is_absolute(domain: AuthWork) -> None:
    assert domain.public_api_url() == "http://127.0.0.1:8080"
    assert public_api_url("https://api.example.com/", "0.0.0.0", 8080) == "https://api.example.com"  # noqa: S104
    assert public_api_url("", "0.0.0.0", 9000) == "http://localhost:9000"  # noqa: S104
    assert public_api_url("", "::1", 80) == "http://[::1]"


# -- names and text ---------------------------------------------------------------------------


def test_emails_are_normalized_or_refused() -> None:
    assert normalize_email("  Ada@Example.TEST ") == "ada@example.test"
    for bad in ("ada", "ada@", "a@b", "a b@example.test", "x" * 65 + "@example.test"):
        with pytest.raises(errors.InvalidArgument):
            normalize_email(bad)


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://localhost:5173/cb", True),
        ("http://localhost/oauth/callback", True),
        ("http://localhost.evil.example/cb", False),
        ("http://localhost@evil.example/cb", False),
        ("https://localhost/cb", False),
        ("http://localhost/cb#frag", False),
    ],
)
def test_redirects_match_scheme_host_and_path(uri: str, allowed: bool) -> None:
    assert redirect_allowed(uri, "http://localhost") is allowed


def test_profile_text_rules() -> None:
    assert clean_text("  Ada   Lovelace ", "display_name", 100) == "Ada Lovelace"
    with pytest.raises(errors.InvalidArgument):
        clean_text("x" * 101, "display_name", 100)
    with pytest.raises(errors.InvalidArgument):
        clean_text("a\x00b", "display_name", 100)
    assert profile_locale("en-US") == "en-US"
    with pytest.raises(errors.InvalidArgument):
        profile_locale("english please")
    assert time_zone("Africa/Kampala") == "Africa/Kampala"
    with pytest.raises(errors.InvalidArgument):
        time_zone("Mars/Olympus")


def test_user_list_positions_round_trip() -> None:
    user = User(id="u1", email="a@example.test", create_time=NOW, last_login_time=None)
    for order in ("create_time_desc", "create_time_asc", "email", "last_sign_in_time_desc"):
        query = UserQuery(order=order)
        position = query.position_of(user)
        after = query.after(position)
        assert after is not None
        assert after[1] == "u1"
        assert after[0] == ("a@example.test" if order == "email" else NOW)
    assert UserQuery().after(None) is None


# -- erasure: the report -------------------------------------------------------------


def test_the_deletion_report_is_truthful() -> None:
    tracking = PeerErasure("tracking", 1, "", NOW, NOW, erased=(Disposition("ratings", "removed", 2),), retained=())
    billing = PeerErasure("billing", 1, "", NOW, NOW, erased=(), retained=(Disposition("payment_records", "kept 10 years", 3),))
    media = PeerErasure("media", 4, "UNAVAILABLE: connection refused", NOW, None)
    own = PeerErasure("auth", 0, "", NOW, NOW, erased=AUTH_ERASED)
    report = deletion_report([media, tracking, billing, own])
    assert report.erased[: len(AUTH_ERASED)] == AUTH_ERASED
    assert Disposition("ratings", "removed", 2, "marquee.tracking") in report.erased
    assert report.retained == (Disposition("payment_records", "kept 10 years", 3, "marquee.billing"),)
    assert [p.service for p in report.pending] == ["marquee.media"]
    assert "connection refused" in report.pending[0].description
    assert not any(d.service == "marquee.media" for d in report.erased)  # unconfirmed is never reported erased
