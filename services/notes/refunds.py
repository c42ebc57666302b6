"""The refund outbox: credits owed back for jobs that ended without a note, sent to Billing until it answers.

A row of `notes_refunds` is written in the transaction that ends the job (`usecases.refund_after_job`,
an end hook of the operation store), whoever ends it: the worker after a failure, a cancel, the
deadline reaper, the reaper giving up on a worker that never came back. So a job that ends always
owes its refund, and a refund Billing missed (it was down) is not lost.

`RefundOutbox` runs as an asyncio task in every Notes server process: each round claims the due
rows with a lease (`lease_owner`, `lease_until`, compare-and-set, so two Notes processes never send
the same refund at once), calls Billing's `RefundCredits` with the job's refund request id
(`notes-refund-<job>`: Billing applies it once however often it is sent), and on an answer deletes
the row and marks the job's credit RELEASED in the same unit of work. A failed call keeps the row
with its error and a capped exponential backoff, with no last attempt. The worker and the cancel
path use `settle(job_id)` to send one job's refund at once instead of waiting for a round.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from services.core.db import Database
from services.core.errors import DomainError
from services.core.models import utcnow
from services.core.operations import OperationRecord
from services.core.outbox import LeasedOutbox, OutboxPolicy
from services.notes.billing_client import BillingClient, RefundRefused
from services.notes.repository import NotesRepository

log = logging.getLogger("marquee.notes.refunds")


class RefundOutbox(LeasedOutbox[str, Any]):
    """Rows keyed by job id; one attempt asks Billing to refund that job's credit."""

    name = "notes-refund-outbox"

    def __init__(
        self,
        database: Database,
        billing: BillingClient,
        policy: OutboxPolicy,
        *,
        released: Callable[[Any, str], OperationRecord | None],
        publish: Callable[[OperationRecord], Awaitable[None]],
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        """`released(session, job_id)` marks the job's credit RELEASED (in the unit of work that
        deletes the row) and returns the changed operation, which `publish` announces."""
        super().__init__(database, policy, clock=clock)
        self.billing = billing
        self._released = released
        self._publish = publish

    def due(self, session: Any, now: dt.datetime, limit: int, only: str) -> list[str]:
        return list(NotesRepository(session).due_refunds(now, limit=limit, job_id=only))

    def claim(self, session: Any, key: str, now: dt.datetime, until: dt.datetime) -> Any:
        return NotesRepository(session).claim_refund(key, owner=self.owner, now=now, until=until)

    async def attempt(self, key: str, claimed: Any) -> None:
        await self._attempt(
            key, claimed.user_id, claimed.spend_request_id, claimed.request_id, claimed.reason, claimed.attempt_count
        )

    async def _attempt(self, job_id: str, user_id: str, spend: str, request_id: str, reason: str, attempts: int) -> None:
        try:
            outcome = await self.billing.refund(user_id, spend_request_id=spend, request_id=request_id, reason=reason)
        except DomainError as exc:  # Billing unreachable or failing: try again later
            await self._failed(job_id, attempts, f"{exc.code.name}: {exc.message}")
            return
        except RefundRefused as refused:
            log.error("refund of notes job %s refused for good by Billing (%s); dropping it", job_id, refused)
            outcome = "refused"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unexpected reply: kept on the row like any failure
            log.exception("refund of notes job %s failed unexpectedly", job_id)
            await self._failed(job_id, attempts, f"INTERNAL: {type(exc).__name__}: {exc}")
            return
        changed = await self.db.run(self._done, job_id, outcome)
        if changed is not None:
            await self._publish(changed)
        log.info("refund of notes job %s: %s", job_id, outcome)

    def _done(self, session: Any, job_id: str, outcome: str) -> OperationRecord | None:
        if not NotesRepository(session).refund_done(job_id, owner=self.owner):
            return None  # the lease expired and another process took the row: it settles the job
        return self._released(session, job_id) if outcome != "refused" else None

    async def _failed(self, job_id: str, attempts: int, error: str) -> None:
        delay = self.policy.retry_delay(attempts + 1)
        next_time = self.clock() + dt.timedelta(seconds=delay)
        await self.db.run(
            lambda s: NotesRepository(s).refund_failed(job_id, owner=self.owner, error=error, next_attempt_time=next_time)
        )
        log.warning("refund of notes job %s failed (%s); retry in %.1fs", job_id, error, delay)

    # -- for the use cases ----------------------------------------------------------------

    async def settle(self, job_id: str, *, wait_seconds: float = 15.0) -> None:
        """Send this job's owed refund now (if it owes one) and wait up to `wait_seconds` for
        Billing's answer, also when another process's round took the row first. A call still
        running goes on in the background; a failure is left to the rounds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        started = await self.dispatch_due(job_id)
        if started:
            await asyncio.wait(started, timeout=wait_seconds)  # never cancels: the call goes on
        # Another process's round may hold the row (its lease): its answer lands in the database,
        # which is polled for a moment rather than waiting for the next round.
        while loop.time() < deadline:
            if not await self.db.run(self._held_elsewhere, job_id):
                return
            await asyncio.sleep(0.05)

    def _held_elsewhere(self, session: Any, job_id: str) -> bool:
        owed = NotesRepository(session).refund(job_id)
        return owed is not None and owed.lease_until is not None and owed.lease_until > self.clock()
