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

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from services.auth.models import Session as SessionRow
from services.auth.models import User as UserRow
from services.auth.repository import AuthRepository
from services.core import errors
from services.core.db import Database
from services.core.mail import Mailer
from services.core.revocation import Revocations

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


class AuthUseCases:
    def __init__(self, database: Database, mailer: Mailer, revocations: Revocations | None = None) -> None:
        self.db = database
        self.mailer = mailer
        self.revocations = revocations

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
