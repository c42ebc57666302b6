"""Auth's rules on plain values: names, emails, passwords' and profiles' limits, token outcomes, roles.

Nothing here reads or writes the database, receives a repository or a session, or knows about
protobuf or gRPC: the steps of each unit of work (`usecases.AuthWork`) ask the repository and
apply these rules; the use cases own the units of work and the outside calls around them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import urllib.parse
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from services.core import errors
from services.core.errors import invalid
from services.core.tokens import ROLE_ADMIN, ROLE_USER

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
RECENT_SIGN_IN = dt.timedelta(minutes=10)
VERIFY_EMAIL_TTL = dt.timedelta(hours=24)
RESET_PASSWORD_TTL = dt.timedelta(hours=1)
ROLES = (ROLE_USER, ROLE_ADMIN)
SKILL_LEVELS = ("", "beginner", "intermediate", "advanced")
# Account-level limits on email-sending calls (the contract's service comment).
MAIL_LIMIT_PER_HOUR = 5
CLIENT_MAIL_LIMIT_PER_HOUR = 20
EXPORTS_PER_HOUR = 5  # the contract's ExportUserData comment
MAX_APP_PREFERENCES_BYTES = 16 * 1024


@dataclass(frozen=True)
class Client:
    """Where a call comes from: the device the app reports and the network address we saw."""

    ip: str = ""
    user_agent: str = ""
    device_id: str = ""
    device_name: str = ""
    platform: int = 0
    app_version: str = ""


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_expire_time: dt.datetime
    refresh_token: str
    refresh_expire_time: dt.datetime
    session_id: str
    user_id: str


@dataclass(frozen=True)
class SocialBegin:
    authorization_uri: str
    state: str
    expire_time: dt.datetime


@dataclass(frozen=True)
class PendingSocial:
    """A consumed `state`: what the code exchange needs and what the sign-in continues with."""

    provider: str
    intent: str
    code_verifier: str
    redirect_uri: str
    session_id: str
    user_id: str


class UserView(Protocol):
    """What callers outside the unit of work read of an account (the handlers' mapping to the contract)."""

    @property
    def id(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def email_verified(self) -> bool: ...
    @property
    def pending_email(self) -> str: ...
    @property
    def password_hash(self) -> str | None: ...
    @property
    def display_name(self) -> str: ...
    @property
    def avatar_url(self) -> str: ...
    @property
    def skill_level(self) -> str: ...
    @property
    def locale(self) -> str: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def preferences(self) -> dict[str, object]: ...
    @property
    def role(self) -> str: ...
    @property
    def disabled(self) -> bool: ...
    @property
    def disable_reason(self) -> str: ...
    @property
    def disable_time(self) -> dt.datetime | None: ...
    @property
    def create_time(self) -> dt.datetime: ...
    @property
    def update_time(self) -> dt.datetime: ...
    @property
    def last_login_time(self) -> dt.datetime | None: ...


class SessionView(Protocol):
    """What is shown of a signed-in device."""

    @property
    def id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def device_id(self) -> str: ...
    @property
    def device_name(self) -> str: ...
    @property
    def platform(self) -> int: ...
    @property
    def app_version(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def user_agent(self) -> str: ...
    @property
    def ip_address(self) -> str: ...
    @property
    def create_time(self) -> dt.datetime: ...
    @property
    def last_used_time(self) -> dt.datetime: ...
    @property
    def auth_time(self) -> dt.datetime: ...
    @property
    def expire_time(self) -> dt.datetime: ...


class IdentityView(Protocol):
    """What is shown of a linked social account."""

    @property
    def user_id(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def email_verified(self) -> bool: ...
    @property
    def display_name(self) -> str: ...
    @property
    def create_time(self) -> dt.datetime: ...
    @property
    def last_sign_in_time(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class UserQuery:
    """`ListUsers`' filter and order, as plain values (empty/None fields do not filter)."""

    order: str = "create_time_desc"  # create_time_desc, create_time_asc, email, last_sign_in_time_desc
    email_contains: str = ""
    role: str = ""
    disabled: bool | None = None
    provider: str = ""
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None

    def position_of(self, user: UserView) -> dict[str, str]:
        """The keyset position after `user` in this order (what a page token carries)."""
        key: Any = {
            "create_time_desc": user.create_time,
            "create_time_asc": user.create_time,
            "email": user.email,
            "last_sign_in_time_desc": user.last_login_time or user.create_time,
        }[self.order]
        return {"v": key if self.order == "email" else key.isoformat(), "id": user.id}

    def after(self, position: Mapping[str, Any] | None) -> tuple[Any, str] | None:
        if position is None:
            return None
        value = position["v"] if self.order == "email" else dt.datetime.fromisoformat(position["v"])
        return value, str(position["id"])


@dataclass(frozen=True)
class Disposition:
    """One category of a user's data and what a service did with it."""

    category: str
    description: str
    count: int = 0
    service: str = ""  # "marquee.tracking"; empty for Auth's own


# What Auth itself erases with the account row (the rest is each peer's to report).
AUTH_ERASED = (
    Disposition("profile", "email, name, avatar, preferences, password hash", service="marquee.auth"),
    Disposition("sign-in", "linked social accounts, sessions, refresh tokens", service="marquee.auth"),
)


@dataclass(frozen=True)
class PeerErasure:
    """One peer's part in an account's erasure, as stored."""

    service: str  # "tracking"
    attempt_count: int
    last_error: str
    next_attempt_time: dt.datetime
    confirm_time: dt.datetime | None
    erased: tuple[Disposition, ...] = ()
    retained: tuple[Disposition, ...] = ()
    create_time: dt.datetime | None = None  # when the account was deleted

    @property
    def confirmed(self) -> bool:
        return self.confirm_time is not None


@dataclass(frozen=True)
class DeletionReport:
    """What `DeleteUser` answers: Auth's own erasure, what peers confirmed, and who is still pending."""

    erased: tuple[Disposition, ...]
    retained: tuple[Disposition, ...]
    pending: tuple[Disposition, ...]


def check_admin_kept(*, is_admin: bool, stays_admin: bool, active_admins: int, action: str) -> None:
    """An admin may lose the role (demoted, disabled, deleted) only while another active admin remains."""
    if is_admin and not stays_admin and active_admins <= 1:
        raise errors.FailedPrecondition(f"the last admin cannot be {action}", reason="LAST_ADMIN")


def refresh_outcome(
    *, found: bool, expired: bool, session_found: bool, owner_disabled: bool, session_revoked: bool, spent: bool
) -> str:
    """What presenting a refresh token means, in the order the checks must run.

    `invalid` (unknown, expired, or its session gone), `disabled` (the account was disabled),
    `revoked` (its session was signed out), `reused` (already spent: a copy leaked, so the whole
    session, the token family, is revoked) or `rotate` (spend it and issue the next pair).
    """
    if not found or expired or not session_found:
        return "invalid"
    if owner_disabled:
        return "disabled"
    if session_revoked:
        return "revoked"
    if spent:
        return "reused"
    return "rotate"


def needs_recent_sign_in(now: dt.datetime, auth_time: dt.datetime) -> bool:
    """Sensitive actions need the caller's session to have proved the user within RECENT_SIGN_IN."""
    return now - auth_time > RECENT_SIGN_IN


def public_api_url(configured: str, gateway_host: str, gateway_port: int) -> str:
    """The API's public base URL, without a trailing slash: the configured one, else the gateway's address."""
    if configured:
        return configured.rstrip("/")
    host = "localhost" if gateway_host in ("", "0.0.0.0", "::") else gateway_host  # noqa: S104  (a wildcard bind is not an address)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}" if gateway_port == 80 else f"http://{host}:{gateway_port}"


def deletion_report(peers: list[PeerErasure]) -> DeletionReport:
    """Auth's erasure plus each confirmed peer's dispositions; each unconfirmed peer as one pending entry."""
    erased = list(AUTH_ERASED)
    retained: list[Disposition] = []
    pending: list[Disposition] = []
    for peer in sorted(peers, key=lambda p: p.service):
        if peer.service == "auth":
            continue  # Auth's own erasure is AUTH_ERASED, done with the account row
        package = f"marquee.{peer.service}"
        if peer.confirmed:
            erased.extend(Disposition(d.category, d.description, d.count, package) for d in peer.erased)
            retained.extend(Disposition(d.category, d.description, d.count, package) for d in peer.retained)
        else:
            why = f"; last error: {peer.last_error}" if peer.last_error else ""
            pending.append(Disposition("pending", f"erasure requested, retried until {package} confirms{why}", service=package))
    return DeletionReport(tuple(erased), tuple(retained), tuple(pending))


def normalize_email(raw: str, field: str = "email") -> str:
    email = unicodedata.normalize("NFKC", raw).strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise invalid(field, "must be a valid email address")
    return email


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Limit:
    """One rate limit a call counts against: `limit` hits per `window_seconds` under `key`."""

    key: str
    limit: int
    window_seconds: float
    scope: str  # "account" or "client": what the refusal names


def login_limits(account: str, client: Client, *, per_minute: int) -> tuple[Limit, ...]:
    """Sign-in attempts (and wrong current passwords) count per account and per client address."""
    per_account = Limit(f"login:account:{account}", per_minute, 60, "account")
    if not client.ip:
        return (per_account,)
    return per_account, Limit(f"login:client:{client.ip}", per_minute, 60, "client")


def mail_limits(action: str, account: str, client: Client) -> tuple[Limit, ...]:
    """Calls that send mail: a few an hour per account, more per client address (a shared NAT)."""
    per_account = Limit(f"{action}:account:{account}", MAIL_LIMIT_PER_HOUR, 3600, "account")
    if not client.ip:
        return (per_account,)
    return per_account, Limit(f"{action}:client:{client.ip}", CLIENT_MAIL_LIMIT_PER_HOUR, 3600, "client")


def rate_limited(limit: Limit, retry_after_seconds: float) -> errors.ResourceExhausted:
    return errors.ResourceExhausted(
        f"too many attempts; retry in {retry_after_seconds:.0f}s",
        reason="RATE_LIMITED",
        retry_after_seconds=retry_after_seconds,
        metadata={"scope": limit.scope},
    )


def user_name(user_id: str) -> str:
    return f"users/{user_id}"


def session_id_of(name: str, user_id: str, *, field: str) -> str:
    """The session id in `name` when it names one of `user_id`'s sessions (`users/me/...` too).

    Used where the caller is being signed in (`replace_session` on Login), so there is no
    principal yet: the user is the one whose credentials were just proved.
    """
    for prefix in (f"users/{user_id}/sessions/", "users/me/sessions/"):
        session_id = name.removeprefix(prefix)
        if name.startswith(prefix) and session_id and "/" not in session_id:
            return session_id
    raise invalid(field, "must be a session name of this user, `users/{user}/sessions/{session}`")


def revoke_reason(*, own: bool) -> str:
    """Why sessions were revoked: by their user, or by someone acting for them (an admin, a service)."""
    return "revoked_by_user" if own else "revoked_by_admin"


def redirect_allowed(uri: str, allowed: str) -> bool:
    """Same scheme and host as an allowed entry (and port, if the entry names one: an entry
    without a port admits any, as loopback redirects of native apps need), and a path under
    its path; no userinfo. A bare prefix test would let `http://localhost.evil.example/` or
    `http://localhost@evil.example/` through an `http://localhost` entry.
    """
    try:
        got, want = urllib.parse.urlsplit(uri), urllib.parse.urlsplit(allowed)
        got_port, want_port = got.port, want.port
    except ValueError:
        return False
    if got.username is not None or got.password is not None or got.fragment:
        return False
    same_origin = (got.scheme, got.hostname) == (want.scheme, want.hostname) and want_port in (None, got_port)
    want_path = want.path.rstrip("/")
    return same_origin and (got.path == want_path or got.path.startswith(want_path + "/") or not want_path)


def as_dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def user_etag(user: UserView) -> str:
    stamp = f"{user.id}:{user.update_time.timestamp():.6f}".encode()
    return hashlib.sha256(stamp).hexdigest()[:16]


def clean_text(value: str, field: str, limit: int) -> str:
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    if len(text) > limit:
        raise invalid(field, f"must be at most {limit} characters")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise invalid(field, "must not contain control characters")
    return text


def profile_uri(value: str, field: str) -> str:
    if value and not re.match(r"^https?://[^\s]+$", value):
        raise invalid(field, "must be an http(s) URL")
    if len(value) > 2048:
        raise invalid(field, "must be at most 2048 characters")
    return value


def profile_locale(value: str, field: str = "locale") -> str:
    if value and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", value):
        raise invalid(field, "must be a BCP 47 language tag such as `en-US`")
    return value


def time_zone(value: str, field: str = "time_zone") -> str:
    if not value:
        return value
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise invalid(field, "must be an IANA time zone such as `Africa/Kampala`") from None
    return value
