"""Auth's use cases: each unit of work, and what it must tell the world, told only after it commits.

The domain (`domain.py`) writes mail to the `DeferredMailer` it is given; the mail waits in the
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
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from services.auth import oauth
from services.auth.billing_client import BillingClient, BillingUnavailable
from services.auth.domain import (
    AuthDomain,
    Client,
    DeletionReport,
    IssuedTokens,
    PeerErasure,
    SignedIn,
    SocialBegin,
    SocialOutcome,
    UserQuery,
    UserView,
    deletion_report,
)
from services.auth.erasure import ErasureDispatcher, peer_erasure
from services.auth.models import Identity as IdentityRow
from services.auth.models import Session as SessionRow
from services.auth.models import User as UserRow
from services.auth.repository import AuthRepository
from services.auth.userdata_client import PeerFailure, UserDataClient
from services.core import errors
from services.core.db import Database
from services.core.mail import Mailer
from services.core.paging import PageTokens
from services.core.revocation import Revocations
from services.core.tokens import Principal

T = TypeVar("T")
log = logging.getLogger("marquee.auth.mail")


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
        domain: AuthDomain | None = None,
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
        self.domain = domain
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

    def _auth(self) -> AuthDomain:
        assert self.domain is not None, "AuthUseCases built without its domain"
        return self.domain

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
