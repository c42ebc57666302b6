"""Auth use cases on plain values: accounts, sign-in, sessions, tokens and roles.

Every function takes an `AuthRepository` bound to the caller's unit of work and
raises domain errors; nothing here knows about protobuf or gRPC. Network work
(the OAuth code exchange) happens between two units of work, in the handler.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
import urllib.parse
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from services.auth import oauth
from services.auth.models import Identity, OAuthState, OneTimeToken, RefreshToken, Session, User
from services.auth.passwords import Passwords
from services.auth.repository import AuthRepository
from services.auth.settings import AuthSettings
from services.core import errors
from services.core.errors import FieldViolation, invalid
from services.core.mail import Mailer
from services.core.models import new_id, utcnow
from services.core.ratelimit import RateLimiter
from services.core.settings import OAuthProvider, Settings
from services.core.tokens import ROLE_ADMIN, ROLE_SERVICE, ROLE_USER, Principal, TokenSigner

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
RECENT_SIGN_IN = dt.timedelta(minutes=10)
VERIFY_EMAIL_TTL = dt.timedelta(hours=24)
RESET_PASSWORD_TTL = dt.timedelta(hours=1)
ROLES = (ROLE_USER, ROLE_ADMIN)
SKILL_LEVELS = ("", "beginner", "intermediate", "advanced")
# Account-level limits on email-sending calls (the contract's service comment).
MAIL_LIMIT_PER_HOUR = 5
CLIENT_MAIL_LIMIT_PER_HOUR = 20
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
class SignedIn:
    user: User
    tokens: IssuedTokens
    providers: tuple[str, ...] = ()  # the social providers linked to the user


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


@dataclass(frozen=True)
class SocialOutcome:
    signed_in: SignedIn
    result: str  # signed_in, created, linked_by_email, linked, reauthenticated
    identity: Identity


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

    def position_of(self, user: User) -> dict[str, str]:
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


def erasure_retry_delay(attempts: int, *, initial: float, cap: float) -> float:
    """Seconds before the next call after `attempts` failed ones: doubling from `initial`, never above `cap`.

    There is no last attempt: a peer down for days is still retried every `cap` seconds.
    """
    if attempts <= 0:
        return 0.0
    exponent = min(attempts - 1, 62)  # 2**62 times initial is past any cap; keeps the float finite
    return float(min(cap, initial * (2.0**exponent)))


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


def user_name(user_id: str) -> str:
    return f"users/{user_id}"


class AuthDomain:
    def __init__(
        self,
        settings: Settings,
        *,
        signer: TokenSigner,
        passwords: Passwords,
        limiter: RateLimiter,
        mailer: Mailer,
        auth: AuthSettings | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.auth = auth if auth is not None else AuthSettings.load(settings)
        self.signer = signer
        self.passwords = passwords
        self.limiter = limiter
        self.mailer = mailer
        self.clock = clock
        self._secret = settings.secret_key.get_secret_value().encode()

    def public_api_url(self) -> str:
        return public_api_url(self.auth.public_api_url, self.settings.gateway_host, self.settings.gateway_port)

    # -- names and ownership --------------------------------------------------

    def resolve_user_id(self, name: str, principal: Principal, *, field: str = "name") -> str:
        """`users/me` or `users/{id}` → an id the caller may act on; others' are NOT_FOUND."""
        if not name.startswith("users/") or name.count("/") != 1 or name == "users/":
            raise invalid(field, "must be `users/me` or `users/{user}`")
        user_id = name.removeprefix("users/")
        if user_id == "me":
            if principal.is_service:
                raise invalid(field, "a service credential has no `users/me`; name the user")
            return principal.user_id
        if user_id != principal.user_id and not principal.is_admin:
            raise errors.NotFound(f"{name} not found")
        return user_id

    def load_user(self, repo: AuthRepository, user_id: str, *, for_update: bool = False) -> User:
        user = repo.user(user_id, for_update=for_update)
        if user is None:
            raise errors.NotFound(f"users/{user_id} not found")
        return user

    # -- rate limits ------------------------------------------------------------

    def _limit(self, key: str, *, limit: int, window: float, scope: str) -> None:
        decision = self.limiter.hit(key, limit=limit, window_seconds=window)
        if not decision.allowed:
            raise errors.ResourceExhausted(
                f"too many attempts; retry in {decision.retry_after_seconds:.0f}s",
                reason="RATE_LIMITED",
                retry_after_seconds=decision.retry_after_seconds,
                metadata={"scope": scope},
            )

    def limit_login(self, email: str, client: Client) -> None:
        per_minute = self.auth.login_attempts_per_minute
        self._limit(f"login:account:{email}", limit=per_minute, window=60, scope="account")
        if client.ip:
            self._limit(f"login:client:{client.ip}", limit=per_minute, window=60, scope="client")

    def limit_mail(self, action: str, account: str, client: Client) -> None:
        self._limit(f"{action}:account:{account}", limit=MAIL_LIMIT_PER_HOUR, window=3600, scope="account")
        if client.ip:
            self._limit(f"{action}:client:{client.ip}", limit=CLIENT_MAIL_LIMIT_PER_HOUR, window=3600, scope="client")

    # -- sessions and tokens --------------------------------------------------

    def _issue(self, repo: AuthRepository, user: User, session: Session) -> IssuedTokens:
        now = self.clock()
        refresh = secrets.token_urlsafe(32)
        refresh_expire = now + dt.timedelta(seconds=self.settings.refresh_token_ttl_seconds)
        repo.add(RefreshToken(id=new_id(), session_id=session.id, token_hash=token_hash(refresh), expire_time=refresh_expire))
        session.last_used_time = now
        session.expire_time = refresh_expire
        access, access_expire = self.signer.sign(
            user.id,
            token_id=new_id(),
            role=user.role,
            session_id=session.id,
            auth_time=session.auth_time.timestamp(),
            email_verified=user.email_verified,
            now=now.timestamp(),
        )
        return IssuedTokens(
            access_token=access,
            access_expire_time=dt.datetime.fromtimestamp(access_expire, dt.UTC),
            refresh_token=refresh,
            refresh_expire_time=refresh_expire,
            session_id=session.id,
            user_id=user.id,
        )

    def _start_session(
        self, repo: AuthRepository, user: User, *, method: str, provider: str, client: Client, replace_session: str
    ) -> IssuedTokens:
        now = self.clock()
        if user.disabled:
            raise errors.PermissionDenied("this account is disabled", reason="ACCOUNT_DISABLED")
        if replace_session:
            replaced = repo.session(self._session_id_of(replace_session, user.id, field="replace_session"))
            if replaced is not None and replaced.user_id == user.id and replaced.revoke_time is None:
                replaced.revoke_time, replaced.revoke_reason = now, "device_replaced"
        if client.device_id:
            previous = repo.session_for_device(user.id, client.device_id, now)
            if previous is not None:
                previous.revoke_time, previous.revoke_reason = now, "device_replaced"
        session = Session(
            id=new_id(),
            user_id=user.id,
            method=method,
            provider=provider,
            device_id=client.device_id,
            device_name=client.device_name,
            platform=client.platform,
            app_version=client.app_version,
            user_agent=client.user_agent[:512],
            ip_address=client.ip,
            create_time=now,
            last_used_time=now,
            auth_time=now,
            expire_time=now,
        )
        repo.add(session)
        repo.flush()  # the refresh token references the session row
        user.last_login_time = now
        return self._issue(repo, user, session)

    def _session_id_of(self, name: str, user_id: str, *, field: str) -> str:
        prefix = f"users/{user_id}/sessions/"
        if name.startswith(prefix) and "/" not in name.removeprefix(prefix):
            return name.removeprefix(prefix)
        if name.startswith("users/me/sessions/"):
            return name.removeprefix("users/me/sessions/")
        raise invalid(field, "must be a session name of this user, `users/{user}/sessions/{session}`")

    def _new_user(self, email: str, *, verified: bool) -> User:
        now = self.clock()
        role = ROLE_ADMIN if email and email == self.auth.bootstrap_admin_email.lower() else ROLE_USER
        return User(
            id=new_id(),
            email=email or None,
            email_verified=verified and bool(email),
            role=role,
            preferences={},
            create_time=now,
            update_time=now,
        )

    # -- password sign-in -----------------------------------------------------

    def register(
        self,
        repo: AuthRepository,
        *,
        email: str,
        password: str,
        display_name: str,
        locale: str,
        time_zone: str,
        client: Client,
    ) -> SignedIn:
        if not self.auth.registration_open:
            raise errors.FailedPrecondition("registration is closed on this deployment", reason="REGISTRATION_CLOSED")
        email = normalize_email(email)
        self.limit_mail("register", email, client)
        self.passwords.check_policy(password, email=email)
        if repo.user_by_email(email) is not None:
            raise errors.AlreadyExists("an account with this email already exists", reason="EMAIL_TAKEN")
        user = self._new_user(email, verified=False)
        user.password_hash = self.passwords.hash(password)
        user.password_change_time = self.clock()
        user.display_name = _clean_text(display_name, "display_name", 100) or email.split("@", 1)[0]
        user.locale = _locale(locale)
        user.time_zone = _time_zone(time_zone)
        repo.add(user)
        repo.flush()
        tokens = self._start_session(repo, user, method="password", provider="", client=client, replace_session="")
        self._send_verification(repo, user, email)
        return SignedIn(user, tokens, tuple(repo.providers_of(user.id)))

    def login(self, repo: AuthRepository, *, email: str, password: str, client: Client, replace_session: str) -> SignedIn:
        email = normalize_email(email)
        self.limit_login(email, client)
        user = repo.user_by_email(email)
        if not self.passwords.verify(user.password_hash if user else None, password) or user is None:
            raise errors.Unauthenticated("email or password is incorrect", reason="INVALID_CREDENTIALS")
        if user.password_hash and self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
        tokens = self._start_session(repo, user, method="password", provider="", client=client, replace_session=replace_session)
        return SignedIn(user, tokens, tuple(repo.providers_of(user.id)))

    def refresh(self, repo: AuthRepository, *, refresh_token: str) -> IssuedTokens:
        if not refresh_token:
            raise invalid("refresh_token", "is required")
        now = self.clock()
        row = repo.refresh_token(token_hash(refresh_token), for_update=True)
        session = repo.session(row.session_id) if row is not None else None
        owner = repo.user(session.user_id) if session is not None else None
        outcome = refresh_outcome(
            found=row is not None, expired=row is not None and row.expire_time <= now,
            session_found=session is not None and owner is not None, owner_disabled=bool(owner and owner.disabled),
            session_revoked=session is not None and session.revoke_time is not None,
            spent=row is not None and row.spend_time is not None,
        )  # fmt: skip
        if outcome == "rotate" and row is not None and not repo.spend_refresh_token(row.id, now):
            outcome = "reused"  # a concurrent refresh spent it between the read and the update
        if outcome == "invalid" or row is None or session is None or owner is None:
            raise errors.Unauthenticated("refresh token is unknown or expired; sign in again", reason="REFRESH_TOKEN_INVALID")
        if outcome == "disabled":
            raise errors.PermissionDenied("this account is disabled", reason="ACCOUNT_DISABLED")
        if outcome == "revoked":
            raise errors.Unauthenticated(
                "this session was signed out; sign in again",
                reason="SESSION_REVOKED",
                metadata={"revoke_reason": session.revoke_reason},
            )
        if outcome == "reused":
            session.revoke_time, session.revoke_reason = now, "refresh_token_reused"
            raise errors.Unauthenticated(
                "refresh token was already used; the session is revoked, sign in again",
                reason="REFRESH_TOKEN_REUSED",
                commit=True,
            )
        return self._issue(repo, owner, session)

    def logout(self, repo: AuthRepository, *, refresh_token: str) -> None:
        if not refresh_token:
            raise invalid("refresh_token", "is required")
        row = repo.refresh_token(token_hash(refresh_token))
        session = repo.session(row.session_id) if row else None
        if session is not None and session.revoke_time is None:
            session.revoke_time, session.revoke_reason = self.clock(), "logout"

    def _current_session(self, repo: AuthRepository, principal: Principal) -> Session:
        session = repo.session(principal.session_id) if principal.session_id else None
        if session is None or session.user_id != principal.user_id or session.revoke_time is not None:
            raise errors.Unauthenticated("this session was signed out; sign in again", reason="SESSION_REVOKED")
        return session

    def reauthenticate(self, repo: AuthRepository, principal: Principal, *, password: str, client: Client) -> IssuedTokens:
        user = self.load_user(repo, principal.user_id)
        self.limit_login(user.email or user.id, client)
        session = self._current_session(repo, principal)
        if not user.password_hash:
            raise errors.FailedPrecondition(
                "this account has no password; reauthenticate with its provider", reason="PASSWORD_NOT_SET"
            )
        if not self.passwords.verify(user.password_hash, password):
            raise errors.InvalidArgument(
                "password is incorrect",
                reason="INVALID_CREDENTIALS",
                violations=[FieldViolation("password", "is incorrect")],
            )
        session.auth_time = self.clock()
        repo.spend_session_refresh_tokens(session.id, session.auth_time)
        return self._issue(repo, user, session)

    def _require_recent_sign_in(self, repo: AuthRepository, principal: Principal) -> None:
        session = self._current_session(repo, principal)
        if needs_recent_sign_in(self.clock(), session.auth_time):
            raise errors.FailedPrecondition(
                "this needs a recent sign-in: call Reauthenticate first", reason="REAUTHENTICATION_REQUIRED"
            )

    def issue_service_token(self, *, client_id: str, client_secret: str, client: Client) -> tuple[str, dt.datetime]:
        self._limit(f"service_token:{client_id}", limit=60, window=60, scope="account")
        expected = self.settings.service_clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.get_secret_value().encode(), client_secret.encode()):
            raise errors.Unauthenticated("unknown service client or wrong secret", reason="INVALID_CREDENTIALS")
        token, expire = self.signer.sign(f"services/{client_id}", token_id=new_id(), role=ROLE_SERVICE)
        return token, dt.datetime.fromtimestamp(expire, dt.UTC)

    # -- social sign-in -------------------------------------------------------

    def provider_config(self, provider: str) -> OAuthProvider:
        config: OAuthProvider | None = getattr(self.auth, f"oauth_{provider}", None)
        if config is None or not config.configured:
            raise errors.FailedPrecondition(f"{provider} sign-in is not configured here", reason="PROVIDER_NOT_CONFIGURED")
        return config

    def configured_providers(self) -> list[str]:
        return [p for p in oauth.PROVIDERS if getattr(self.auth, f"oauth_{p}").configured]

    def _sign_state(self, state_id: str) -> str:
        mac = hmac.new(self._secret, b"oauth-state:" + state_id.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{state_id}.{mac}"

    def begin_social(
        self, repo: AuthRepository, *, provider: str, redirect_uri: str, intent: str, principal: Principal | None
    ) -> SocialBegin:
        config = self.provider_config(provider)
        if not redirect_uri:
            raise invalid("redirect_uri", "is required")
        if not any(_redirect_allowed(redirect_uri, allowed) for allowed in self.settings.allowed_redirect_uris):
            raise errors.InvalidArgument(
                "redirect_uri is not allowed on this deployment",
                reason="REDIRECT_URI_NOT_ALLOWED",
                violations=[FieldViolation("redirect_uri", "not in MARQUEE_ALLOWED_REDIRECT_URIS")],
            )
        session_id = user_id = ""
        if intent in ("link", "reauthenticate"):
            if principal is None:
                raise errors.Unauthenticated(f"intent {intent} needs an access token", reason="TOKEN_MISSING")
            self._current_session(repo, principal)
            if intent == "link":
                self._require_recent_sign_in(repo, principal)
            session_id, user_id = principal.session_id, principal.user_id
        verifier, challenge = oauth.pkce_pair()
        now = self.clock()
        expire = now + dt.timedelta(seconds=self.auth.oauth_state_ttl_seconds)
        state = OAuthState(
            id=new_id(),
            provider=provider,
            intent=intent,
            session_id=session_id,
            user_id=user_id,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            create_time=now,
            expire_time=expire,
        )
        repo.add(state)
        signed = self._sign_state(state.id)
        url = oauth.authorization_url(config, redirect_uri=redirect_uri, state=signed, code_challenge=challenge)
        return SocialBegin(url, signed, expire)

    def consume_social_state(self, repo: AuthRepository, *, provider: str, state: str) -> PendingSocial:
        """Checks and spends a `state` (single use). The code exchange happens after this commits."""
        state_id, _, _mac = state.partition(".")
        bad = errors.InvalidArgument(
            "state is invalid, expired, already used, or for another provider",
            reason="STATE_INVALID",
            violations=[FieldViolation("state", "not a live state issued by BeginSocialSignIn")],
        )
        if not state_id or not hmac.compare_digest(self._sign_state(state_id), state):
            raise bad
        row = repo.oauth_state(state_id, for_update=True)
        now = self.clock()
        if row is None or row.use_time is not None or row.expire_time <= now or row.provider != provider:
            raise bad
        row.use_time = now
        return PendingSocial(provider, row.intent, row.code_verifier, row.redirect_uri, row.session_id, row.user_id)

    def complete_social(
        self,
        repo: AuthRepository,
        *,
        pending: PendingSocial,
        profile: oauth.ProviderProfile,
        client: Client,
        replace_session: str,
    ) -> SocialOutcome:
        now = self.clock()
        identity = repo.identity(profile.provider, profile.subject)
        if pending.intent in ("link", "reauthenticate"):
            session = repo.session(pending.session_id)
            if session is None or session.revoke_time is not None:
                raise errors.Unauthenticated("the session that started this sign-in has ended", reason="SESSION_REVOKED")
            user = self.load_user(repo, pending.user_id)
            if pending.intent == "link":
                if identity is not None and identity.user_id != user.id:
                    raise errors.AlreadyExists(
                        "this provider account is linked to another user", reason="IDENTITY_ALREADY_LINKED"
                    )
                if identity is None and profile.provider in repo.providers_of(user.id):
                    raise errors.AlreadyExists(
                        f"another {profile.provider} account is already linked; unlink it first",
                        reason="IDENTITY_ALREADY_LINKED",
                    )
                identity = identity or self._link(repo, user, profile)
                identity.last_sign_in_time = now
                signed = SignedIn(user, self._issue(repo, user, session), tuple(repo.providers_of(user.id)))
                return SocialOutcome(signed, "linked", identity)
            if identity is None or identity.user_id != user.id:
                raise errors.FailedPrecondition(
                    "reauthenticate with a provider account linked to this user", reason="PROVIDER_ERROR"
                )
            session.auth_time = now
            identity.last_sign_in_time = now
            signed = SignedIn(user, self._issue(repo, user, session), tuple(repo.providers_of(user.id)))
            return SocialOutcome(signed, "reauthenticated", identity)

        result = "signed_in"
        if identity is not None:
            user = self.load_user(repo, identity.user_id)
        else:
            existing = repo.user_by_email(profile.email) if profile.email else None
            if existing is not None:
                if not (profile.email_verified and existing.email_verified):
                    raise errors.FailedPrecondition(
                        "an account with this email exists but the email is not verified on both sides; "
                        "sign in to it and link this provider",
                        reason="EMAIL_NOT_VERIFIED",
                    )
                user, result = existing, "linked_by_email"
            else:
                user = self._new_user(profile.email, verified=profile.email_verified)
                user.display_name = profile.display_name[:100]
                user.avatar_url = profile.avatar_url[:2048]
                repo.add(user)
                repo.flush()
                result = "created"
            identity = self._link(repo, user, profile)
        identity.last_sign_in_time = now
        identity.email, identity.email_verified = profile.email, profile.email_verified
        tokens = self._start_session(
            repo, user, method="social", provider=profile.provider, client=client, replace_session=replace_session
        )
        return SocialOutcome(SignedIn(user, tokens, tuple(repo.providers_of(user.id))), result, identity)

    def _link(self, repo: AuthRepository, user: User, profile: oauth.ProviderProfile) -> Identity:
        identity = Identity(
            id=new_id(),
            user_id=user.id,
            provider=profile.provider,
            subject=profile.subject,
            email=profile.email,
            email_verified=profile.email_verified,
            display_name=profile.display_name[:200],
            create_time=self.clock(),
        )
        repo.add(identity)
        repo.flush()
        return identity

    # -- email verification and password reset --------------------------------

    def _one_time_token(
        self, repo: AuthRepository, user: User, purpose: str, email: str, ttl: dt.timedelta
    ) -> tuple[str, dt.datetime]:
        token = secrets.token_urlsafe(32)
        expire = self.clock() + ttl
        repo.add(
            OneTimeToken(
                id=new_id(), user_id=user.id, purpose=purpose, email=email, token_hash=token_hash(token), expire_time=expire
            )
        )
        return token, expire

    def _send_verification(self, repo: AuthRepository, user: User, email: str) -> dt.datetime:
        token, expire = self._one_time_token(repo, user, "verify_email", email, VERIFY_EMAIL_TTL)
        link = f"{self.settings.public_url}/verify-email?token={token}"
        self.mailer.send(
            email,
            "Confirm your email address",
            f"Confirm {email} for your Marquee account:\n\n{link}\n\nThe link works for 24 hours.",
        )
        return expire

    def request_email_verification(
        self, repo: AuthRepository, principal: Principal, *, name: str, client: Client
    ) -> tuple[str, dt.datetime]:
        user = self.load_user(repo, self.resolve_user_id(name, principal))
        email = user.pending_email or user.email
        if not email:
            raise errors.FailedPrecondition("this account has no email address", reason="EMAIL_NOT_SET")
        if email == user.email and user.email_verified:
            raise errors.FailedPrecondition("the email address is already verified", reason="EMAIL_ALREADY_VERIFIED")
        self.limit_mail("verify_email", user.id, client)
        return email, self._send_verification(repo, user, email)

    def confirm_email_verification(self, repo: AuthRepository, *, token: str) -> tuple[str, str]:
        row = repo.one_time_token(token_hash(token)) if token else None
        if row is None or row.purpose != "verify_email":
            raise errors.InvalidArgument(
                "verification token is invalid",
                reason="VERIFICATION_TOKEN_INVALID",
                violations=[FieldViolation("token", "unknown token")],
            )
        user = self.load_user(repo, row.user_id)
        if row.use_time is not None:
            if user.email == row.email and user.email_verified:
                return user.id, user.email
            raise errors.InvalidArgument(
                "verification token was already used",
                reason="VERIFICATION_TOKEN_INVALID",
                violations=[FieldViolation("token", "already used")],
            )
        if row.expire_time <= self.clock():
            raise errors.FailedPrecondition(
                "verification token has expired; request a new one", reason="VERIFICATION_TOKEN_EXPIRED"
            )
        if row.email != user.email:
            if row.email != user.pending_email:
                raise errors.InvalidArgument(
                    "verification token is for an address no longer pending",
                    reason="VERIFICATION_TOKEN_INVALID",
                    violations=[FieldViolation("token", "stale")],
                )
            other = repo.user_by_email(row.email)
            if other is not None and other.id != user.id:
                raise errors.AlreadyExists("another account now uses this email", reason="EMAIL_TAKEN")
            user.email, user.pending_email = row.email, ""
        row.use_time = self.clock()
        user.email_verified = True
        user.update_time = self.clock()
        return user.id, user.email

    def request_password_reset(self, repo: AuthRepository, *, email: str, client: Client) -> None:
        email = normalize_email(email)
        self.limit_mail("reset_password", email, client)
        user = repo.user_by_email(email)
        if user is None or user.disabled:
            return  # same answer either way: accounts cannot be discovered
        repo.supersede_one_time_tokens(user.id, "reset_password", self.clock())
        token, _ = self._one_time_token(repo, user, "reset_password", email, RESET_PASSWORD_TTL)
        link = f"{self.settings.public_url}/reset-password?token={token}"
        self.mailer.send(
            email, "Reset your Marquee password", f"Choose a new password:\n\n{link}\n\nThe link works for one hour."
        )

    def confirm_password_reset(self, repo: AuthRepository, *, token: str, new_password: str) -> str:
        row = repo.one_time_token(token_hash(token)) if token else None
        if row is None or row.purpose != "reset_password" or row.use_time is not None:
            raise errors.InvalidArgument(
                "reset token is invalid or already used",
                reason="RESET_TOKEN_INVALID",
                violations=[FieldViolation("token", "unknown or used token")],
            )
        if row.expire_time <= self.clock():
            raise errors.FailedPrecondition("reset token has expired; request a new one", reason="RESET_TOKEN_EXPIRED")
        user = self.load_user(repo, row.user_id)
        self.passwords.check_policy(new_password, email=user.email or "", field="new_password")
        now = self.clock()
        row.use_time = now
        user.password_hash = self.passwords.hash(new_password)
        user.password_change_time = now
        user.email_verified = user.email_verified or row.email == user.email
        user.update_time = now
        repo.revoke_sessions(user.id, now, "password_changed")
        return user.email or ""

    # -- profile --------------------------------------------------------------

    def get_user(self, repo: AuthRepository, principal: Principal, *, name: str) -> tuple[UserView, list[str]]:
        """The user and its linked providers."""
        user_id = self.resolve_user_id(name, principal)
        found = repo.user_with_providers(user_id)
        if found is None:
            raise errors.NotFound(f"users/{user_id} not found")
        return found

    def update_user(
        self, repo: AuthRepository, principal: Principal, *, name: str, changes: Mapping[str, Any], etag: str
    ) -> User:
        user = self.load_user(repo, self.resolve_user_id(name, principal, field="user.name"), for_update=True)
        if etag and etag != user_etag(user):
            raise errors.Aborted("the user changed since it was read; re-read and retry", reason="ETAG_MISMATCH")
        for path, value in changes.items():
            if path == "display_name":
                user.display_name = _clean_text(value, "user.display_name", 100)
            elif path == "avatar_uri":
                user.avatar_url = _uri(value, "user.avatar_uri")
            elif path == "skill_level":
                if value not in SKILL_LEVELS:
                    raise invalid("user.skill_level", "unknown skill level")
                user.skill_level = value
            elif path == "locale":
                user.locale = _locale(value, "user.locale")
            elif path == "time_zone":
                user.time_zone = _time_zone(value, "user.time_zone")
            elif path == "preferences":
                prefs = dict(user.preferences or {})
                prefs["profile"] = dict(value)
                user.preferences = prefs
            elif path.startswith("preferences."):
                prefs = dict(user.preferences or {})
                prefs["profile"] = {**_as_dict(prefs.get("profile")), path.removeprefix("preferences."): value}
                user.preferences = prefs
            elif path == "app_preferences" or path.startswith("app_preferences."):
                prefs = dict(user.preferences or {})
                app = (
                    dict(value)
                    if path == "app_preferences"
                    else {**_as_dict(prefs.get("app")), path.removeprefix("app_preferences."): value}
                )
                if len(repr(app).encode()) > MAX_APP_PREFERENCES_BYTES:
                    raise invalid("user.app_preferences", "must be at most 16 KiB")
                prefs["app"] = app
                user.preferences = prefs
            else:
                raise invalid("update_mask", f"path {path!r} cannot be updated")
        user.update_time = self.clock()
        return user

    def change_password(
        self,
        repo: AuthRepository,
        principal: Principal,
        *,
        name: str,
        current_password: str,
        new_password: str,
        keep_other_sessions: bool,
        client: Client,
    ) -> int:
        user_id = self.resolve_user_id(name, principal)
        if user_id != principal.user_id:
            raise errors.NotFound(f"{name} not found")  # only the user themselves changes a password
        user = self.load_user(repo, user_id, for_update=True)
        if user.password_hash:
            self.limit_login(user.email or user.id, client)
            if not self.passwords.verify(user.password_hash, current_password):
                raise errors.InvalidArgument(
                    "current password is incorrect",
                    reason="INVALID_CREDENTIALS",
                    violations=[FieldViolation("current_password", "is incorrect")],
                )
        else:
            self._require_recent_sign_in(repo, principal)
        self.passwords.check_policy(new_password, email=user.email or "", field="new_password")
        now = self.clock()
        user.password_hash = self.passwords.hash(new_password)
        user.password_change_time = user.update_time = now
        if keep_other_sessions:
            return 0
        return repo.revoke_sessions(user.id, now, "password_changed", keep=principal.session_id)

    def change_email(
        self, repo: AuthRepository, principal: Principal, *, name: str, new_email: str, current_password: str, client: Client
    ) -> tuple[User, dt.datetime]:
        user_id = self.resolve_user_id(name, principal)
        if user_id != principal.user_id:
            raise errors.NotFound(f"{name} not found")
        user = self.load_user(repo, user_id, for_update=True)
        email = normalize_email(new_email, "new_email")
        if user.password_hash:
            if not self.passwords.verify(user.password_hash, current_password):
                raise errors.InvalidArgument(
                    "current password is incorrect",
                    reason="INVALID_CREDENTIALS",
                    violations=[FieldViolation("current_password", "is incorrect")],
                )
        else:
            self._require_recent_sign_in(repo, principal)
        self.limit_mail("change_email", user.id, client)
        if repo.user_by_email(email) is not None:
            raise errors.AlreadyExists("an account with this email already exists", reason="EMAIL_TAKEN")
        user.pending_email = email
        user.update_time = self.clock()
        expire = self._send_verification(repo, user, email)
        if user.email:
            self.mailer.send(
                user.email, "Your Marquee email is changing", f"A change of your account's email to {email} was requested."
            )
        return user, expire

    # -- sessions and identities ----------------------------------------------

    def list_sessions(self, repo: AuthRepository, principal: Principal, *, parent: str) -> list[Session]:
        user_id = self.resolve_user_id(parent, principal, field="parent")
        self.load_user(repo, user_id)
        return list(repo.active_sessions(user_id, self.clock()))

    def revoke_session(self, repo: AuthRepository, principal: Principal, *, name: str) -> None:
        parts = name.split("/")
        if len(parts) != 4 or parts[0] != "users" or parts[2] != "sessions":
            raise invalid("name", "must be `users/{user}/sessions/{session}`")
        user_id = self.resolve_user_id("/".join(parts[:2]), principal)
        session = repo.session(parts[3])
        if session is None or session.user_id != user_id:
            raise errors.NotFound(f"{name} not found")
        if session.revoke_time is None:
            by = "revoked_by_user" if user_id == principal.user_id else "revoked_by_admin"
            session.revoke_time, session.revoke_reason = self.clock(), by

    def revoke_other_sessions(self, repo: AuthRepository, principal: Principal, *, parent: str) -> int:
        user_id = self.resolve_user_id(parent, principal, field="parent")
        self.load_user(repo, user_id)
        own = user_id == principal.user_id
        keep = principal.session_id if own else ""
        return repo.revoke_sessions(user_id, self.clock(), "revoked_by_user" if own else "revoked_by_admin", keep=keep)

    def list_identities(self, repo: AuthRepository, principal: Principal, *, parent: str) -> list[Identity]:
        user_id = self.resolve_user_id(parent, principal, field="parent")
        self.load_user(repo, user_id)
        return list(repo.identities_of(user_id))

    def unlink_identity(self, repo: AuthRepository, principal: Principal, *, name: str) -> User:
        parts = name.split("/")
        if len(parts) != 4 or parts[0] != "users" or parts[2] != "identities":
            raise invalid("name", "must be `users/{user}/identities/{provider}`")
        user = self.load_user(repo, self.resolve_user_id("/".join(parts[:2]), principal), for_update=True)
        identities = list(repo.identities_of(user.id))
        target = next((i for i in identities if i.provider == parts[3]), None)
        if target is None:
            raise errors.NotFound(f"{name} not found")
        if not user.password_hash and len(identities) == 1:
            raise errors.FailedPrecondition(
                "this is the account's only way to sign in; set a password first", reason="LAST_SIGN_IN_METHOD"
            )
        repo.delete(target)
        return user

    # -- data rights ----------------------------------------------------------

    def export_user_data(self, repo: AuthRepository, principal: Principal, *, name: str) -> dict[str, Any]:
        user = self.load_user(repo, self.resolve_user_id(name, principal))
        self._limit(f"export:{principal.user_id}", limit=5, window=3600, scope="account")
        now = self.clock()
        sessions = list(repo.active_sessions(user.id, now))
        return {
            "export_time": now.isoformat(),
            "user": {
                "name": user_name(user.id),
                "email": user.email,
                "email_verified": user.email_verified,
                "display_name": user.display_name,
                "avatar_uri": user.avatar_url,
                "skill_level": user.skill_level,
                "locale": user.locale,
                "time_zone": user.time_zone,
                "preferences": user.preferences,
                "role": user.role,
                "create_time": user.create_time.isoformat(),
                "last_sign_in_time": user.last_login_time.isoformat() if user.last_login_time else None,
            },
            "identities": [
                {"provider": i.provider, "email": i.email, "link_time": i.create_time.isoformat()}
                for i in repo.identities_of(user.id)
            ],
            "sessions": [
                {
                    "device_name": s.device_name,
                    "user_agent": s.user_agent,
                    "ip_address": s.ip_address,
                    "create_time": s.create_time.isoformat(),
                    "last_active_time": s.last_used_time.isoformat(),
                }
                for s in sessions
            ],
            # Every sign-in we still hold a record of: each session starts with one.
            "sign_in_events": [
                {
                    "time": s.create_time.isoformat(),
                    "method": s.method,
                    "provider": s.provider,
                    "ip_address": s.ip_address,
                    "user_agent": s.user_agent,
                }
                for s in repo.sessions_of(user.id)
            ],
        }

    def delete_user(self, repo: AuthRepository, principal: Principal, *, name: str, peers: list[str]) -> str:
        """Deletes the account and, in the same transaction, asks each of `peers` to erase it (`auth_erasures`)."""
        user = self.load_user(repo, self.resolve_user_id(name, principal), for_update=True)
        if user.id == principal.user_id:
            self._require_recent_sign_in(repo, principal)
        if user.role == ROLE_ADMIN:
            check_admin_kept(is_admin=True, stays_admin=False, active_admins=repo.count_admins(), action="deleted")
        now = self.clock()
        own = [{"category": d.category, "count": 0, "description": d.description} for d in AUTH_ERASED]
        repo.add_erasure(user.id, "auth", now, confirmed=own)  # the deletion's record, even with no peers
        for service in peers:
            repo.add_erasure(user.id, service, now)
        repo.delete(user)
        return user.id

    # -- administration -------------------------------------------------------

    def set_role(self, repo: AuthRepository, *, name: str, role: str, principal: Principal) -> User:
        if role not in ROLES:
            raise invalid("role", "must be ROLE_USER or ROLE_ADMIN (service roles come from IssueServiceToken)")
        user = self.load_user(repo, self.resolve_user_id(name, principal), for_update=True)
        if user.role == ROLE_ADMIN and role != ROLE_ADMIN:
            check_admin_kept(is_admin=True, stays_admin=False, active_admins=repo.count_admins(), action="demoted")
        if user.role == ROLE_ADMIN and role != ROLE_ADMIN:
            repo.revoke_sessions(user.id, self.clock(), "role_changed")
        user.role = role
        user.update_time = self.clock()
        return user

    def disable_user(self, repo: AuthRepository, principal: Principal, *, name: str, reason: str) -> User:
        if not reason.strip():
            raise invalid("reason", "is required")
        user = self.load_user(repo, self.resolve_user_id(name, principal), for_update=True)
        if user.role == ROLE_ADMIN and not user.disabled:
            check_admin_kept(is_admin=True, stays_admin=False, active_admins=repo.count_admins(), action="disabled")
        now = self.clock()
        user.disabled, user.disable_reason, user.disable_time, user.update_time = True, reason.strip()[:500], now, now
        repo.revoke_sessions(user.id, now, "account_disabled")
        return user

    def enable_user(self, repo: AuthRepository, principal: Principal, *, name: str) -> User:
        user = self.load_user(repo, self.resolve_user_id(name, principal), for_update=True)
        user.disabled, user.disable_reason, user.disable_time, user.update_time = False, "", None, self.clock()
        return user


def _redirect_allowed(uri: str, allowed: str) -> bool:
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


def _as_dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def user_etag(user: UserView) -> str:
    stamp = f"{user.id}:{user.update_time.timestamp():.6f}".encode()
    return hashlib.sha256(stamp).hexdigest()[:16]


def _clean_text(value: str, field: str, limit: int) -> str:
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    if len(text) > limit:
        raise invalid(field, f"must be at most {limit} characters")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise invalid(field, "must not contain control characters")
    return text


def _uri(value: str, field: str) -> str:
    if value and not re.match(r"^https?://[^\s]+$", value):
        raise invalid(field, "must be an http(s) URL")
    if len(value) > 2048:
        raise invalid(field, "must be at most 2048 characters")
    return value


def _locale(value: str, field: str = "locale") -> str:
    if value and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", value):
        raise invalid(field, "must be a BCP 47 language tag such as `en-US`")
    return value


def _time_zone(value: str, field: str = "time_zone") -> str:
    if not value:
        return value
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise invalid(field, "must be an IANA time zone such as `Africa/Kampala`") from None
    return value
