"""The durable fan-out of account erasure: one stored row per peer service, retried until each confirms.

`DeleteUser` writes the rows in the transaction that deletes the account (`auth_erasures`), so a
deletion that commits always has them and one that rolls back never does. This dispatcher, an
asyncio task in every Auth server process, then calls each peer's `PurgeUserData` (Media's
`PurgeUserAssets`) with a service token until it answers OK, with capped exponential backoff and
no last attempt, keeping the last error on the row.

Why a task in the server and a lease in the database rather than a Celery task: the rows live in
Auth's database next to the deletion, the calls are gRPC on the server's event loop (a Celery
worker would need its own channels after fork, and a broker Auth does not otherwise need), and a
row's lease (`lease_owner`, `lease_until`, taken by compare-and-set) keeps two Auth processes
from calling the same peer for the same user at once. A process that dies mid-call leaves a
lease that expires, and any process (itself, restarted) takes the row again; purges are
idempotent, so a repeated call is harmless.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import cast

from sqlalchemy.orm import Session as OrmSession

from services.auth.domain import Disposition, PeerErasure
from services.auth.models import Erasure
from services.auth.repository import AuthRepository
from services.auth.userdata_client import PeerFailure, UserDataClient
from services.core.db import Database
from services.core.models import utcnow
from services.core.outbox import LeasedOutbox, OutboxPolicy
from services.core.values import value_from

log = logging.getLogger("marquee.auth.erasure")


def _disposition(item: dict[str, object]) -> Disposition:
    count = item.get("count", 0)
    return Disposition(
        category=str(item.get("category", "")),
        description=str(item.get("description", "")),
        count=count if isinstance(count, int) else 0,
    )


def peer_erasure(row: Erasure) -> PeerErasure:
    return value_from(
        PeerErasure,
        row,
        erased=tuple(_disposition(d) for d in row.erased or []),
        retained=tuple(_disposition(d) for d in row.retained or []),
    )


def _stored(items: list[Disposition]) -> list[dict[str, object]]:
    return [{"category": d.category, "count": d.count, "description": d.description} for d in items]


class ErasureDispatcher(LeasedOutbox[tuple[str, str], bool]):
    """Rows keyed (user id, service); one attempt calls that service's purge."""

    name = "auth-erasure-dispatcher"

    def __init__(
        self,
        database: Database,
        client: UserDataClient,
        policy: OutboxPolicy,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        super().__init__(database, policy, clock=clock)
        self.client = client

    @property
    def services(self) -> list[str]:
        """The peers asked to erase: every service in this deployment whose contract has the erasure RPC."""
        return sorted(self.client.purges)

    def due(self, session: object, now: dt.datetime, limit: int, only: str) -> list[tuple[str, str]]:
        return list(AuthRepository(cast(OrmSession, session)).due_erasures(now, limit=limit, user_id=only))

    def wanted(self, key: tuple[str, str]) -> bool:
        return key[1] in self.client.purges  # a service no longer in this deployment's contracts: another process may serve it

    def claim(self, session: object, key: tuple[str, str], now: dt.datetime, until: dt.datetime) -> bool | None:
        taken = AuthRepository(cast(OrmSession, session)).claim_erasure(key[0], key[1], owner=self.owner, now=now, until=until)
        return True if taken else None

    async def attempt(self, key: tuple[str, str], claimed: bool) -> None:
        await self._attempt(*key)

    async def _attempt(self, user_id: str, service: str) -> None:
        try:
            result = await self.client.purge(service, user_id)
        except PeerFailure as failure:
            await self._failed(user_id, service, f"{failure.code}: {failure.message}")
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unexpected reply: kept on the row like any failure
            log.exception("erasure of users/%s at %s failed unexpectedly", user_id, service)
            await self._failed(user_id, service, f"INTERNAL: {type(exc).__name__}: {exc}")
            return
        now = self.clock()
        await self.db.run(
            lambda s: AuthRepository(s).confirm_erasure(
                user_id, service, now=now, erased=_stored(result.erased), retained=_stored(result.retained)
            )
        )
        log.info("users/%s erased at marquee.%s", user_id, service)

    async def _failed(self, user_id: str, service: str, error: str) -> None:
        rows = await self.db.run(lambda s: AuthRepository(s).erasures_of(user_id))
        attempts = next((r.attempt_count for r in rows if r.service == service), 0) + 1
        delay = self.policy.retry_delay(attempts)
        next_time = self.clock() + dt.timedelta(seconds=delay)
        await self.db.run(
            lambda s: AuthRepository(s).fail_erasure(user_id, service, owner=self.owner, error=error, next_attempt_time=next_time)
        )
        log.warning("erasure of users/%s at marquee.%s failed (%s); retry in %.1fs", user_id, service, error, delay)

    # -- for DeleteUser and GetUserDeletion ------------------------------------------------

    async def erase_now(self, user_id: str, wait_seconds: float) -> None:
        """Calls every peer of a just-deleted user at once and waits up to `wait_seconds` for them.

        Calls still running when the wait ends go on in the background; failed ones are retried
        by the dispatcher's rounds.
        """
        started = await self.dispatch_due(user_id)
        if started and wait_seconds > 0:
            await asyncio.wait(started, timeout=wait_seconds)  # never cancels: the calls go on

    async def status(self, user_id: str) -> list[PeerErasure]:
        rows = await self.db.run(lambda s: AuthRepository(s).erasures_of(user_id))
        return [peer_erasure(row) for row in rows]
