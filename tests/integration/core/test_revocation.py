"""Revocations reach every process: two `Revocations` on one real Redis stand for two servers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from services.core.revocation import Revocations
from tests.support.harness import Backend


@pytest.fixture
async def two_processes(backend: Backend) -> AsyncIterator[tuple[Revocations, Revocations]]:
    first = Revocations(backend.redis_url, lifetime_seconds=60, reconnect_seconds=0.05)
    second = Revocations(backend.redis_url, lifetime_seconds=60, reconnect_seconds=0.05)
    await first.start()
    await second.start()
    yield first, second
    await first.close()
    await second.close()


async def _until(check: Callable[[], bool]) -> float:
    """Seconds until `check()` holds (polled: the listener updates plain dictionaries); fails after 5 s."""
    started = time.perf_counter()
    async with asyncio.timeout(5.0):
        while not check():  # noqa: ASYNC110 - there is no event to wait on: the state is a dict
            await asyncio.sleep(0.001)
    return time.perf_counter() - started


async def test_a_revoked_session_is_refused_by_every_process(two_processes: tuple[Revocations, Revocations]) -> None:
    first, second = two_processes
    session, other = uuid.uuid4().hex, uuid.uuid4().hex
    assert second.refused(user_id="u1", session_id=session) is None

    await first.revoke_sessions([session], "logout")

    assert first.refused(user_id="u1", session_id=session) is not None  # at once where it was written
    waited = await _until(lambda: second.refused(user_id="u1", session_id=session) is not None)
    assert waited < 1.0
    refused = second.refused(user_id="u1", session_id=session)
    assert refused is not None
    assert refused.reason == "logout"
    assert second.refused(user_id="u1", session_id=other) is None  # only that session


async def test_blocking_a_user_refuses_all_their_sessions_until_unblocked(
    two_processes: tuple[Revocations, Revocations],
) -> None:
    first, second = two_processes
    user = uuid.uuid4().hex
    await first.block_user(user, "account_disabled")
    await _until(lambda: second.refused(user_id=user, session_id="any") is not None)
    refused = second.refused(user_id=user, session_id="")
    assert refused is not None
    assert refused.reason == "account_disabled"
    await first.unblock_user(user)
    await _until(lambda: second.refused(user_id=user, session_id="any") is None)


async def test_a_process_started_later_loads_what_was_revoked_before(backend: Backend) -> None:
    writer = Revocations(backend.redis_url, lifetime_seconds=60)
    await writer.start()
    session = uuid.uuid4().hex
    await writer.revoke_sessions([session], "revoked_by_admin")
    late = Revocations(backend.redis_url, lifetime_seconds=60)
    await late.start()
    try:
        refused = late.refused(user_id="u", session_id=session)
        assert refused is not None
        assert refused.reason == "revoked_by_admin"
    finally:
        await writer.close()
        await late.close()


async def test_entries_end_when_no_token_they_refuse_can_still_be_valid(backend: Backend) -> None:
    short = Revocations(backend.redis_url, lifetime_seconds=0.3)
    await short.start()
    try:
        session = uuid.uuid4().hex
        await short.revoke_sessions([session], "logout")
        assert short.refused(user_id="u", session_id=session) is not None
        await asyncio.sleep(0.4)
        assert short.refused(user_id="u", session_id=session) is None
        client = aioredis.Redis.from_url(backend.redis_url)
        assert await client.exists(f"marquee:revoked:session:{session}") == 0
        await client.aclose()
    finally:
        await short.close()


async def test_what_was_published_while_the_channel_was_down_is_not_missed(
    two_processes: tuple[Revocations, Revocations], backend: Backend
) -> None:
    first, second = two_processes
    admin = aioredis.Redis.from_url(backend.redis_url)
    try:
        # Cut every subscriber's connection, then revoke before they are back.
        await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        session = uuid.uuid4().hex
        await first.revoke_sessions([session], "refresh_token_reused")
        await _until(lambda: second.refused(user_id="u", session_id=session) is not None)
    finally:
        await admin.aclose()
