"""Auth's use cases: each unit of work, and the email it decides to send, sent only after it commits.

The domain (`domain.py`) writes mail to the `DeferredMailer` it is given; the mail waits in the
unit of work's outbox and goes out (off the event loop) once the transaction has committed. A
transaction that rolls back sends nothing, so no email ever carries a token that does not exist.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from services.auth.repository import AuthRepository
from services.core import errors
from services.core.db import Database
from services.core.mail import Mailer

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


class AuthUseCases:
    def __init__(self, database: Database, mailer: Mailer) -> None:
        self.db = database
        self.mailer = mailer

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(repository, *args, **kwargs)` in one unit of work; the mail it queued goes out after the commit."""
        outbox: list[Email] = []

        def work(session: Any) -> T:
            token = _OUTBOX.set(outbox)
            try:
                return fn(AuthRepository(session), *args, **kwargs)
            finally:
                _OUTBOX.reset(token)

        result = await self.db.run(work)
        await self._deliver(outbox)
        return result

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
