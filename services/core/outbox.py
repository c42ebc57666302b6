"""A leased outbox dispatcher: rows of work owed to another service (an erasure, a refund), sent
until the other side answers, from any of several processes without two sending the same row.

Each round claims the due rows with a lease (compare-and-set in the subclass's repository), starts
one call per claimed row and leaves failures on their rows for a later round. A process that stops
cancels its calls; their leases lapse and another process takes them. Subclasses say what is due,
how a row is claimed and what one attempt does; Auth's erasure fan-out and Notes' refunds use it,
each with an `OutboxPolicy` its settings build.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import random
import socket
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

from services.core.db import Database
from services.core.models import utcnow

K = TypeVar("K", bound=Hashable)
C = TypeVar("C")

log = logging.getLogger("marquee.outbox")


@dataclass(frozen=True)
class OutboxPolicy:
    """How an outbox paces itself: how often it looks for due rows and how many it claims a round,
    how long a claim holds a row, and the retry backoff of a failed row (doubling from
    `retry_initial_seconds`, capped at `retry_max_seconds`, with no last attempt)."""

    retry_initial_seconds: float
    retry_max_seconds: float
    lease_seconds: float
    poll_seconds: float
    batch: int = 50

    @classmethod
    def from_settings(cls, settings: object, prefix: str) -> Self:
        """The policy a service's settings declare under one prefix: `<prefix>_retry_initial_seconds`,
        `<prefix>_retry_max_seconds`, `<prefix>_lease_seconds` and `<prefix>_poll_seconds`
        (`MARQUEE_ERASURE_LEASE_SECONDS`, `MARQUEE_NOTES_REFUND_LEASE_SECONDS`, ...)."""
        return cls(**{name: getattr(settings, f"{prefix}_{name}") for name in _SETTING_NAMES})

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try of a row after `attempts` failed ones: doubling from
        `retry_initial_seconds`, never above `retry_max_seconds`. There is no last attempt: a peer
        down for days is still retried every `retry_max_seconds`."""
        if attempts <= 0:
            return 0.0
        exponent = min(attempts - 1, 62)  # 2**62 times the first delay is past any cap; keeps the float finite
        return float(min(self.retry_max_seconds, self.retry_initial_seconds * (2.0**exponent)))

    def retry_delay(self, attempts: int) -> float:
        """`backoff`, spread by ±10 % so that rows failing together do not all retry together."""
        return self.backoff(attempts) * random.uniform(0.9, 1.1)  # spreading, not security


_SETTING_NAMES = ("retry_initial_seconds", "retry_max_seconds", "lease_seconds", "poll_seconds")


class LeasedOutbox(Generic[K, C]):
    """`K` names a row (its key), `C` is what a successful claim returns to the attempt."""

    name = "outbox"

    def __init__(
        self,
        database: Database,
        policy: OutboxPolicy,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.db = database
        self.policy = policy
        self.clock = clock
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._loop_task: asyncio.Task[None] | None = None
        self._attempts: dict[K, asyncio.Task[None]] = {}
        # One round at a time in this process: a caller that waits for a row's call (DeleteUser) must
        # find the call a concurrent round started, not a lease that round holds and no call to wait on.
        self._dispatching = asyncio.Lock()

    # -- what a subclass says ------------------------------------------------------------

    def due(self, session: object, now: dt.datetime, limit: int, only: str) -> Sequence[K]:
        """The keys of rows due at `now` (all rows of `only`, when given); runs in a unit of work."""
        raise NotImplementedError

    def claim(self, session: object, key: K, now: dt.datetime, until: dt.datetime) -> C | None:
        """Take the row's lease until `until`; None when another process holds it."""
        raise NotImplementedError

    async def attempt(self, key: K, claimed: C) -> None:
        """One call for one claimed row; records its own outcome on the row."""
        raise NotImplementedError

    def wanted(self, key: K) -> bool:
        """False for a row this process cannot send (another process may)."""
        return True

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the rounds on the running event loop (once)."""
        if self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(self._run_forever(), name=self.name)

    async def stop(self) -> None:
        """Stops sending; a call in flight is cancelled and its lease lapses for the next process."""
        tasks = [t for t in (self._loop_task, *self._attempts.values()) if t is not None]
        self._loop_task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run_forever(self) -> None:
        while True:
            try:
                await self.dispatch_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: the rows wait for the next round
                log.warning("%s round failed; retrying", self.name, exc_info=True)
            await asyncio.sleep(self.policy.poll_seconds)

    # -- rounds ----------------------------------------------------------------------------

    async def dispatch_due(self, only: str = "") -> list[asyncio.Task[None]]:
        """Claims what is due (every row of `only`, when given) and starts a call for each; returns
        the calls for those rows, including ones already running here."""
        async with self._dispatching:
            return await self._dispatch(only)

    async def _dispatch(self, only: str) -> list[asyncio.Task[None]]:
        now = self.clock()
        due = await self.db.run(lambda s: list(self.due(s, now, self.policy.batch, only)))
        until = now + dt.timedelta(seconds=self.policy.lease_seconds)
        started = []
        for key in due:
            running = self._attempts.get(key)
            if running is not None:
                started.append(running)
                continue
            if not self.wanted(key):
                continue
            claimed = await self.db.run(lambda s, k=key: self.claim(s, k, now, until))
            if claimed is None:
                continue  # another process holds it
            task = asyncio.get_running_loop().create_task(self.attempt(key, claimed))
            self._attempts[key] = task
            task.add_done_callback(functools.partial(self._finished, key))
            started.append(task)
        return started

    def _finished(self, key: K, _task: asyncio.Task[None]) -> None:
        self._attempts.pop(key, None)
