"""The leased outbox paces itself by its `OutboxPolicy`; Auth's and Notes' settings build theirs."""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from services.auth.settings import AuthSettings
from services.core.db import Database
from services.core.outbox import LeasedOutbox, OutboxPolicy
from services.core.settings import Settings
from services.notes.settings import NotesSettings

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


class _InlineDatabase:
    """`Database.run` without a database: the unit of work is called with no session."""

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(None, *args)


class _Recording(LeasedOutbox[str, str]):
    def __init__(self, policy: OutboxPolicy, rows: list[str]) -> None:
        super().__init__(cast(Database, _InlineDatabase()), policy, clock=lambda: NOW)
        self.rows = rows
        self.limits: list[int] = []
        self.leases: list[dt.datetime] = []
        self.sent: list[str] = []

    def due(self, session: object, now: dt.datetime, limit: int, only: str) -> list[str]:
        self.limits.append(limit)
        return self.rows[:limit]

    def claim(self, session: object, key: str, now: dt.datetime, until: dt.datetime) -> str | None:
        self.leases.append(until)
        return key

    async def attempt(self, key: str, claimed: str) -> None:
        self.sent.append(claimed)


async def test_a_round_claims_a_batch_with_the_policys_lease() -> None:
    policy = OutboxPolicy(retry_initial_seconds=1.0, retry_max_seconds=300.0, lease_seconds=45.0, poll_seconds=1.0, batch=2)
    outbox = _Recording(policy, ["a", "b", "c"])
    started = await outbox.dispatch_due()
    await asyncio.gather(*started)
    assert outbox.limits == [2]
    assert outbox.sent == ["a", "b"]
    assert outbox.leases == [NOW + dt.timedelta(seconds=45.0)] * 2


def test_a_policy_is_read_from_four_settings_under_one_prefix() -> None:
    settings = SimpleNamespace(x_retry_initial_seconds=0.5, x_retry_max_seconds=9.0, x_lease_seconds=20.0, x_poll_seconds=3.0)
    assert OutboxPolicy.from_settings(settings, "x") == OutboxPolicy(
        retry_initial_seconds=0.5, retry_max_seconds=9.0, lease_seconds=20.0, poll_seconds=3.0, batch=50
    )


def test_auth_and_notes_declare_their_outboxes_settings(tmp_path: pathlib.Path) -> None:
    core = Settings(data_dir=tmp_path)
    assert OutboxPolicy.from_settings(AuthSettings.load(core), "erasure") == OutboxPolicy(
        retry_initial_seconds=1.0, retry_max_seconds=300.0, lease_seconds=60.0, poll_seconds=1.0
    )
    assert OutboxPolicy.from_settings(NotesSettings.load(core), "notes_refund") == OutboxPolicy(
        retry_initial_seconds=1.0, retry_max_seconds=300.0, lease_seconds=60.0, poll_seconds=2.0
    )


def test_backoff_doubles_to_its_cap_and_never_ends() -> None:
    policy = OutboxPolicy(retry_initial_seconds=1.0, retry_max_seconds=300.0, lease_seconds=60.0, poll_seconds=1.0)
    delays = [policy.backoff(n) for n in range(0, 12)]
    assert delays[:6] == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert delays[-1] == max(delays) == 300.0
    assert policy.backoff(10_000) == 300.0  # days later: still retried
    spread = [policy.retry_delay(4) for _ in range(200)]
    assert all(7.2 <= delay <= 8.8 for delay in spread)
    assert len(set(spread)) > 1


class _Yielding:
    """`Database.run` that lets other coroutines in before each unit of work, as a thread pool does."""

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        await asyncio.sleep(0)
        return fn(None, *args)


class _Leased(LeasedOutbox[str, str]):
    """Rows whose lease, like the table's, is taken once: a second claim of a held row is refused."""

    def __init__(self, rows: list[str]) -> None:
        policy = OutboxPolicy(retry_initial_seconds=1.0, retry_max_seconds=300.0, lease_seconds=45.0, poll_seconds=1.0)
        super().__init__(cast(Database, _Yielding()), policy, clock=lambda: NOW)
        self.rows = rows
        self.held: set[str] = set()
        self.release = asyncio.Event()

    def due(self, session: object, now: dt.datetime, limit: int, only: str) -> list[str]:
        return list(self.rows)

    def claim(self, session: object, key: str, now: dt.datetime, until: dt.datetime) -> str | None:
        if key in self.held:
            return None
        self.held.add(key)
        return key

    async def attempt(self, key: str, claimed: str) -> None:
        await self.release.wait()


async def test_a_caller_waiting_for_its_rows_gets_the_calls_a_concurrent_round_started() -> None:
    """DeleteUser's own dispatch and the background round run at once: every row's call is in the
    caller's list, whichever of the two claimed it (it used to get none for rows the round had leased)."""
    outbox = _Leased(["users/a:tracking", "users/a:media"])
    round_, caller = await asyncio.gather(outbox.dispatch_due(), outbox.dispatch_due("a"))
    assert len(round_) == 2
    assert set(caller) == set(round_)
    outbox.release.set()
    await asyncio.gather(*caller)
