"""Auth's use cases: each unit of work, and what it must tell the world, told only after it commits.

The steps of each unit of work (`AuthWork`, below) write mail to the `DeferredMailer` it is given; the mail waits in the
unit of work's outbox and goes out (off the event loop) once the transaction has committed. A
transaction that rolls back sends nothing, so no email ever carries a token that does not exist.

Likewise every session the unit of work revoked (sign-out, revoke, refresh-token reuse, password
change, demotion, disabling) and every account it disabled, re-enabled or deleted is published to
the revocation set once committed, so access tokens issued before stop working on every process
within about a millisecond instead of living out their 15 minutes.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from services.auth import domain, oauth
from services.auth.billing_client import BillingClient, BillingUnavailable
from services.auth.domain import (
    AUTH_ERASED,
    EXPORTS_PER_HOUR,
    MAX_APP_PREFERENCES_BYTES,
    RESET_PASSWORD_TTL,
    ROLES,
    SKILL_LEVELS,
    VERIFY_EMAIL_TTL,
    Client,
    DeletionReport,
    IssuedTokens,
    Limit,
    PeerErasure,
    PendingSocial,
    SocialBegin,
    UserQuery,
    UserView,
    check_admin_kept,
    deletion_report,
    login_limits,
    mail_limits,
    needs_recent_sign_in,
    normalize_email,
    public_api_url,
    rate_limited,
    refresh_outcome,
    revoke_reason,
    session_id_of,
    token_hash,
    user_etag,
    user_name,
)
from services.auth.erasure import ErasureDispatcher, peer_erasure
from services.auth.models import Identity, OAuthState, OneTimeToken, RefreshToken, Session, User
from services.auth.models import Identity as IdentityRow
from services.auth.models import Session as SessionRow
from services.auth.models import User as UserRow
from services.auth.passwords import Passwords
from services.auth.repository import AuthRepository
from services.auth.settings import AuthSettings
from services.auth.userdata_client import PeerFailure, UserDataClient
from services.core import errors, names
from services.core.db import Database
from services.core.errors import FieldViolation, invalid
from services.core.mail import Mailer
from services.core.models import new_id, utcnow
from services.core.paging import PageTokens
from services.core.ratelimit import RateLimiter
from services.core.revocation import Revocations
from services.core.settings import OAuthProvider, Settings
from services.core.tokens import ROLE_ADMIN, ROLE_SERVICE, ROLE_USER, Principal, TokenSigner

T = TypeVar("T")
USER = "auth.marquee.app/User"
SESSION = "auth.marquee.app/Session"
IDENTITY = "auth.marquee.app/Identity"
log = logging.getLogger("marquee.auth.mail")


@dataclass(frozen=True)
class SignedIn:
    """A sign-in's outcome: the account row (read after the commit by the handlers' mapping), its tokens."""

    user: User
    tokens: IssuedTokens
    providers: tuple[str, ...] = ()  # the social providers linked to the user


@dataclass(frozen=True)
class SocialOutcome:
    signed_in: SignedIn
    result: str  # signed_in, created, linked_by_email, linked, reauthenticated
    identity: Identity


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


# The outbox of the unit of work running in this thread (each unit of work runs in one pool thread).
_OUTBOX: contextvars.ContextVar[list[Email] | None] = contextvars.ContextVar("auth_outbox", default=None)


class DeferredMailer:
    """The domain's mailer: queues each email on the running unit of work's outbox."""

    def send(self, to: str, subject: str, body: str) -> None:
        outbox = _OUTBOX.get()
        if outbox is None:
            raise RuntimeError("mail is sent from a unit of work (AuthUseCases.run), after it commits")
        outbox.append(Email(to, subject, body))


@dataclass
class Revoked:
    """What one unit of work revoked, collected as it flushes."""

    sessions: dict[str, list[str]] = field(default_factory=dict)  # reason -> session ids
    blocked: dict[str, str] = field(default_factory=dict)  # user id -> reason
    unblocked: set[str] = field(default_factory=set)
    committed: bool = False  # only a committed unit of work is published

    def attach(self, session: OrmSession) -> None:
        event.listen(session, "after_flush", self.collect)
        event.listen(session, "after_commit", self._commit)

    def _commit(self, _session: OrmSession) -> None:
        self.committed = True

    def collect(self, session: OrmSession, _context: object) -> None:
        """`after_flush`: the sessions whose revoke_time was just set; accounts disabled, enabled, deleted."""
        for obj in session.dirty:
            if isinstance(obj, SessionRow) and inspect(obj).attrs.revoke_time.history.added and obj.revoke_time:
                self.sessions.setdefault(obj.revoke_reason or "revoked", []).append(obj.id)
            elif isinstance(obj, UserRow) and inspect(obj).attrs.disabled.history.added:
                if obj.disabled:
                    self.blocked[obj.id] = "account_disabled"
                else:
                    self.unblocked.add(obj.id)
        for obj in session.deleted:
            if isinstance(obj, UserRow):
                self.blocked[obj.id] = "account_deleted"


class SignupBonus:
    """Grants the sign-up credits through Billing, once per user however often it is asked.

    The grant runs after the sign-in answered, so a slow or absent Billing never delays or
    fails a sign-in; Billing's idempotency (`signup:{user}`) makes every retry harmless, and
    every later sign-in asks again until one succeeds.
    """

    def __init__(self, billing: BillingClient, database: Database, credits: int) -> None:
        self._billing = billing
        self._database = database
        self._credits = credits
        self._tasks: set[asyncio.Task[None]] = set()

    def request(self, user_id: str) -> None:
        if self._credits <= 0:
            return
        task = asyncio.get_running_loop().create_task(self._grant(user_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _grant(self, user_id: str) -> None:
        try:
            await self._billing.grant_signup_credits(user_id, self._credits)
        except BillingUnavailable as exc:
            log.warning("sign-up bonus for users/%s not granted yet (%s); retried at the next sign-in", user_id, exc.code)
            return
        await self._database.run(lambda session: AuthRepository(session).mark_bonus_granted(user_id))

    async def drain(self) -> None:
        """Wait for grants in flight (shutdown, tests)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@dataclass(frozen=True)
class Deleted:
    user_id: str
    report: DeletionReport


class AuthUseCases:
    def __init__(
        self,
        database: Database,
        mailer: Mailer,
        revocations: Revocations | None = None,
        *,
        work: AuthWork | None = None,
        userdata: UserDataClient | None = None,
        erasure: ErasureDispatcher | None = None,
        erasure_wait_seconds: float = 3.0,
        page_tokens: PageTokens | None = None,
        bonus: SignupBonus | None = None,
        oauth_client: oauth.OAuthClient | None = None,
    ) -> None:
        self.db = database
        self.mailer = mailer
        self.revocations = revocations
        self.work = work
        self.userdata = userdata
        self.erasure = erasure
        self.erasure_wait_seconds = erasure_wait_seconds
        self.pages = page_tokens
        self.bonus = bonus
        self.oauth = oauth_client

    # -- sign-in ------------------------------------------------------------------------------

    def _signed_in(self, signed: SignedIn) -> SignedIn:
        if self.bonus is not None and not signed.user.bonus_granted:
            self.bonus.request(signed.user.id)  # after the commit, off the answer's path
        return signed

    async def register(self, **kwargs: Any) -> SignedIn:
        return self._signed_in(await self.run(self._auth().register, **kwargs))

    async def login(self, **kwargs: Any) -> SignedIn:
        return self._signed_in(await self.run(self._auth().login, **kwargs))

    async def begin_social(self, **kwargs: Any) -> SocialBegin:
        return await self.run(self._auth().begin_social, **kwargs)

    async def complete_social(
        self, *, provider: str, code: str, state: str, client: Client, replace_session: str
    ) -> SocialOutcome:
        """Spends the `state` (one unit of work), trades the code at the provider (no transaction open), signs in."""
        config = self._auth().provider_config(provider)
        pending = await self.run(self._auth().consume_social_state, provider=provider, state=state)
        assert self.oauth is not None, "AuthUseCases built without an OAuth client"
        try:
            profile = await self.db.offload(
                self.oauth.fetch_profile, provider, config, code=code,
                code_verifier=pending.code_verifier, redirect_uri=pending.redirect_uri,
            )  # fmt: skip
        except oauth.ProviderRejected as exc:
            raise errors.FailedPrecondition(
                f"{provider} refused the sign-in: {exc}",
                reason="PROVIDER_ERROR",
                metadata={"provider_error": exc.error_code or "unusable_account"},
            ) from exc
        except oauth.ProviderUnavailable as exc:
            raise errors.Unavailable(f"{provider} could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE") from exc
        outcome = await self.run(
            self._auth().complete_social, pending=pending, profile=profile, client=client, replace_session=replace_session
        )
        self._signed_in(outcome.signed_in)
        return outcome

    async def refresh(self, refresh_token: str) -> IssuedTokens:
        return await self.run(self._auth().refresh, refresh_token=refresh_token)

    async def logout(self, refresh_token: str) -> None:
        await self.run(self._auth().logout, refresh_token=refresh_token)

    async def reauthenticate(self, principal: Principal, *, password: str, client: Client) -> IssuedTokens:
        return await self.run(self._auth().reauthenticate, principal, password=password, client=client)

    async def request_password_reset(self, *, email: str, client: Client) -> None:
        await self.run(self._auth().request_password_reset, email=email, client=client)

    async def confirm_password_reset(self, *, token: str, new_password: str) -> str:
        return await self.run(self._auth().confirm_password_reset, token=token, new_password=new_password)

    async def confirm_email_verification(self, *, token: str) -> tuple[str, str]:
        return await self.run(self._auth().confirm_email_verification, token=token)

    # -- the signed-in user ---------------------------------------------------------------------

    async def get_user(self, principal: Principal, *, name: str) -> tuple[UserView, list[str]]:
        # One row by key through a prepared statement: a point read (inline on SQLite, services/core/db.py).
        auth = self._auth()
        return await self.db.read_point(lambda session: auth.get_user(AuthRepository(session), principal, name=name))

    async def change_password(self, principal: Principal, **kwargs: Any) -> int:
        return await self.run(self._auth().change_password, principal, **kwargs)

    async def change_email(self, principal: Principal, **kwargs: Any) -> tuple[UserRow, Any]:
        return await self.run(self._auth().change_email, principal, **kwargs)

    async def request_email_verification(self, principal: Principal, *, name: str, client: Client) -> tuple[str, Any]:
        return await self.run(self._auth().request_email_verification, principal, name=name, client=client)

    async def list_sessions(self, principal: Principal, *, parent: str) -> list[SessionRow]:
        return await self.run(self._auth().list_sessions, principal, parent=parent)

    async def revoke_session(self, principal: Principal, *, name: str) -> None:
        await self.run(self._auth().revoke_session, principal, name=name)

    async def revoke_other_sessions(self, principal: Principal, *, parent: str) -> int:
        return await self.run(self._auth().revoke_other_sessions, principal, parent=parent)

    async def list_identities(self, principal: Principal, *, parent: str) -> list[IdentityRow]:
        return await self.run(self._auth().list_identities, principal, parent=parent)

    async def set_role(self, principal: Principal, *, name: str, role: str) -> UserRow:
        return await self.run(self._auth().set_role, name=name, role=role, principal=principal)

    async def disable_user(self, principal: Principal, *, name: str, reason: str) -> UserRow:
        return await self.run(self._auth().disable_user, principal, name=name, reason=reason)

    async def enable_user(self, principal: Principal, *, name: str) -> UserRow:
        return await self.run(self._auth().enable_user, principal, name=name)

    # -- profile and administration -----------------------------------------------------------

    async def update_user(
        self, principal: Principal, *, name: str, changes: dict[str, Any], etag: str
    ) -> tuple[UserRow, list[str]]:
        def update(repo: AuthRepository) -> tuple[UserRow, list[str]]:
            updated = self._auth().update_user(repo, principal, name=name, changes=changes, etag=etag)
            return updated, repo.providers_of(updated.id)

        return await self.run(update)

    async def unlink_identity(self, principal: Principal, *, name: str) -> tuple[UserRow, list[str]]:
        def unlink(repo: AuthRepository) -> tuple[UserRow, list[str]]:
            user = self._auth().unlink_identity(repo, principal, name=name)
            repo.flush()
            return user, repo.providers_of(user.id)

        return await self.run(unlink)

    async def list_users(self, query: UserQuery, *, limit: int, page_token: str) -> tuple[list[UserRow], int, str]:
        """One page of users in keyset order, the total matching, and the next page's token (bound to the query)."""
        assert self.pages is not None, "AuthUseCases built without page tokens"
        bound = json.dumps(dataclasses.asdict(query), sort_keys=True, default=str)
        after = query.after(self.pages.decode(page_token, query=bound))

        def load(repo: AuthRepository) -> tuple[list[UserRow], int]:
            rows, total = repo.list_users(
                email_contains=query.email_contains, role=query.role, disabled=query.disabled, provider=query.provider,
                created_after=query.created_after, created_before=query.created_before, order=query.order, after=after,
                limit=limit,
            )  # fmt: skip
            return list(rows), total

        rows, total = await self.run(load)
        if len(rows) <= limit:
            return rows, total, ""
        rows = rows[:limit]
        return rows, total, self.pages.encode(query.position_of(rows[-1]), query=bound)

    # -- account export and erasure across the services ------------------------------------

    def _auth(self) -> AuthWork:
        assert self.work is not None, "AuthUseCases built without its unit-of-work steps"
        return self.work

    async def export_user_data(self, principal: Principal, name: str) -> dict[str, Any]:
        """Auth's document with every peer's `ExportUserData` document under the peer's name; never partial."""
        document = await self.run(self._auth().export_user_data, principal, name=name)
        user_id = str(document["user"]["name"]).removeprefix("users/")
        exports = self.userdata.exports if self.userdata is not None else {}
        services = sorted(service for service in exports if service != "auth")
        assert self.userdata is not None or not services
        results = await asyncio.gather(
            *(self.userdata.export(service, user_id) for service in services),  # type: ignore[union-attr]
            return_exceptions=True,
        )
        for service, result in zip(services, results, strict=True):
            if isinstance(result, PeerFailure):
                raise errors.Unavailable(
                    f"marquee.{service} could not export the user's data ({result.code}); retry later",
                    reason="DEPENDENCY_UNAVAILABLE",
                    metadata={"service": f"marquee.{service}"},
                ) from result
            if isinstance(result, BaseException):
                raise result
            document[service] = result
        return document

    async def delete_user(self, principal: Principal, name: str) -> Deleted:
        """Deletes the account with its erasure rows (one transaction), then waits briefly for the peers."""
        peers = self.erasure.services if self.erasure is not None else []
        user_id = await self.run(self._auth().delete_user, principal, name=name, peers=peers)
        if self.erasure is not None:
            await self.erasure.erase_now(user_id, self.erasure_wait_seconds)
            status = await self.erasure.status(user_id)
        else:
            status = []
        return Deleted(user_id, deletion_report(status))

    async def user_deletion(self, user_id: str) -> list[PeerErasure]:
        """Every service's erasure of a deleted user (Auth's own first), for `GetUserDeletion`."""
        found = await self.db.run(lambda s: AuthRepository(s).erasures_of(user_id))
        if not found:
            raise errors.NotFound(f"users/{user_id}/deletion not found")
        return sorted((peer_erasure(row) for row in found), key=lambda p: (p.service != "auth", p.service))

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(repository, *args, **kwargs)` as a read-only unit of work: nothing to mail or publish."""
        return await self.db.read(lambda session: fn(AuthRepository(session), *args, **kwargs))

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(repository, *args, **kwargs)` in one unit of work; its mail and revocations go out after the commit."""
        outbox: list[Email] = []
        revoked = Revoked()

        def work(session: OrmSession) -> T:
            token = _OUTBOX.set(outbox)
            revoked.attach(session)
            try:
                return fn(AuthRepository(session), *args, **kwargs)
            finally:
                _OUTBOX.reset(token)

        try:
            result = await self.db.run(work)
        except errors.DomainError:
            # Some refusals commit what they did first (a reused refresh token revokes its session).
            await self._publish(revoked)
            raise
        await self._publish(revoked)
        await self._deliver(outbox)
        return result

    async def _publish(self, revoked: Revoked) -> None:
        if self.revocations is None or not revoked.committed:
            return
        try:
            for reason, session_ids in revoked.sessions.items():
                await self.revocations.revoke_sessions(session_ids, reason)
            for user_id, reason in revoked.blocked.items():
                await self.revocations.block_user(user_id, reason)
            for user_id in revoked.unblocked:
                await self.revocations.unblock_user(user_id)
        except RedisError:
            # Committed either way; without Redis the tokens end at their expiry (15 minutes), as before.
            log.warning("revocations not published (Redis unavailable)", exc_info=True)

    async def _deliver(self, outbox: list[Email]) -> None:
        for mail in outbox:
            try:
                await self.db.offload(self.mailer.send, mail.to, mail.subject, mail.body)
            except OSError as exc:
                # The change is committed; the caller retries the request to get a fresh email.
                log.warning("email to %s not sent: %s", mail.to, exc)
                raise errors.Unavailable("the email could not be sent; retry", reason="MAIL_UNAVAILABLE") from exc

    async def offload(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Blocking work that needs no transaction (an OAuth provider's HTTP call)."""
        return await self.db.offload(fn, *args, **kwargs)


# -- the steps inside each unit of work -------------------------------------------------------


def refuse_service_writes(principal: Principal) -> None:
    """Services may read accounts (GetUser, ListSessions, ListIdentities); changing, deleting or
    exporting one takes the user or an admin."""
    if principal.is_service and not principal.is_admin:
        raise errors.PermissionDenied("a service may read accounts but not change, delete or export them", reason="ROLE_REQUIRED")


class AuthWork:
    """The steps of Auth's units of work: each method runs inside one, given its repository.

    The rules they apply live in `domain.py` on plain values; the queries in `repository.py`.
    """

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

    def resolve_user_id(self, name: str, principal: Principal, *, field: str = "name", write: bool = True) -> str:
        """`users/me` or `users/{user}` → the id it means for `principal`, by core's one users/me rule
        (`services/core/names.py`): a service token has no `users/me`, admins and services may name
        anyone, a user naming another gets NOT_FOUND. Services may read accounts but never change
        one (least privilege: a leaked service secret must not delete or take over accounts)."""
        if write:
            refuse_service_writes(principal)
        return names.own(names.parse_as(name, USER, field=field), principal=principal, field=field)["user"]

    def load_user(self, repo: AuthRepository, user_id: str, *, for_update: bool = False) -> User:
        user = repo.user(user_id, for_update=for_update)
        if user is None:
            raise errors.NotFound(f"users/{user_id} not found")
        return user

    # -- rate limits ------------------------------------------------------------

    def _limit(self, *limits: Limit) -> None:
        for limit in limits:
            decision = self.limiter.hit(limit.key, limit=limit.limit, window_seconds=limit.window_seconds)
            if not decision.allowed:
                raise rate_limited(limit, decision.retry_after_seconds)

    def limit_login(self, email: str, client: Client) -> None:
        self._limit(*login_limits(email, client, per_minute=self.auth.login_attempts_per_minute))

    def limit_mail(self, action: str, account: str, client: Client) -> None:
        self._limit(*mail_limits(action, account, client))

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
            replaced = repo.session(session_id_of(replace_session, user.id, field="replace_session"))
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
        user.display_name = domain.clean_text(display_name, "display_name", 100) or email.split("@", 1)[0]
        user.locale = domain.profile_locale(locale)
        user.time_zone = domain.time_zone(time_zone)
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
        self._limit(Limit(f"service_token:{client_id}", 60, 60, "account"))
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
        if not any(domain.redirect_allowed(redirect_uri, allowed) for allowed in self.settings.allowed_redirect_uris):
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
        user_id = self.resolve_user_id(name, principal, write=False)
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
                user.display_name = domain.clean_text(value, "user.display_name", 100)
            elif path == "avatar_uri":
                user.avatar_url = domain.profile_uri(value, "user.avatar_uri")
            elif path == "skill_level":
                if value not in SKILL_LEVELS:
                    raise invalid("user.skill_level", "unknown skill level")
                user.skill_level = value
            elif path == "locale":
                user.locale = domain.profile_locale(value, "user.locale")
            elif path == "time_zone":
                user.time_zone = domain.time_zone(value, "user.time_zone")
            elif path == "preferences":
                prefs = dict(user.preferences or {})
                prefs["profile"] = dict(value)
                user.preferences = prefs
            elif path.startswith("preferences."):
                prefs = dict(user.preferences or {})
                prefs["profile"] = {**domain.as_dict(prefs.get("profile")), path.removeprefix("preferences."): value}
                user.preferences = prefs
            elif path == "app_preferences" or path.startswith("app_preferences."):
                prefs = dict(user.preferences or {})
                app = (
                    dict(value)
                    if path == "app_preferences"
                    else {**domain.as_dict(prefs.get("app")), path.removeprefix("app_preferences."): value}
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
        user_id = self.resolve_user_id(parent, principal, field="parent", write=False)
        self.load_user(repo, user_id)
        return list(repo.active_sessions(user_id, self.clock()))

    def revoke_session(self, repo: AuthRepository, principal: Principal, *, name: str) -> None:
        refuse_service_writes(principal)
        owned = names.own(names.parse_as(name, SESSION, field="name"), principal=principal)
        user_id = owned["user"]
        session = repo.session(owned["session"])
        if session is None or session.user_id != user_id:
            raise errors.NotFound(f"{name} not found")
        if session.revoke_time is None:
            session.revoke_time, session.revoke_reason = self.clock(), revoke_reason(own=user_id == principal.user_id)

    def revoke_other_sessions(self, repo: AuthRepository, principal: Principal, *, parent: str) -> int:
        user_id = self.resolve_user_id(parent, principal, field="parent")
        self.load_user(repo, user_id)
        own = user_id == principal.user_id
        keep = principal.session_id if own else ""
        return repo.revoke_sessions(user_id, self.clock(), revoke_reason(own=own), keep=keep)

    def list_identities(self, repo: AuthRepository, principal: Principal, *, parent: str) -> list[Identity]:
        user_id = self.resolve_user_id(parent, principal, field="parent", write=False)
        self.load_user(repo, user_id)
        return list(repo.identities_of(user_id))

    def unlink_identity(self, repo: AuthRepository, principal: Principal, *, name: str) -> User:
        refuse_service_writes(principal)
        owned = names.own(names.parse_as(name, IDENTITY, field="name"), principal=principal)
        user = self.load_user(repo, owned["user"], for_update=True)
        identities = list(repo.identities_of(user.id))
        target = next((i for i in identities if i.provider == owned["provider"]), None)
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
        self._limit(Limit(f"export:{principal.user_id}", EXPORTS_PER_HOUR, 3600, "account"))
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
