"""Runtime fixtures: the test task's tables, a real worker process, and three servers of the
operation RPCs (two in this process, one in its own), each with its own database pool and
Redis subscription."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2, media_pb2_grpc
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from services.core.operations import OperationRecord, OperationStore
from services.core.processes import stop_process
from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, ROLE_USER, KeySet, TokenSigner
from tests.support import runtime_tasks
from tests.support.harness import bearer
from tests.support.runtime_server import RuntimeServer, create_tables, start_server_process, start_worker, wait_for_worker

# Short leases and sweeps so a lost worker is noticed in about a second.
RUNTIME = {"operation_lease_seconds": "1.5", "operation_reaper_interval_seconds": "0.3", "operation_stop_poll_seconds": "0.1"}
Metadata = tuple[tuple[str, str], ...]


@dataclass
class Caller:
    user_id: str
    auth: Metadata


def make_caller(settings: Settings, role: str = ROLE_USER) -> Caller:
    user_id = uuid.uuid4().hex
    token, _ = TokenSigner.from_settings(settings, KeySet.from_settings(settings)).sign(
        user_id, token_id=uuid.uuid4().hex, role=role
    )
    return Caller(user_id, bearer(token))


@pytest.fixture
def alice(runtime_settings: Settings) -> Caller:
    return make_caller(runtime_settings)


@pytest.fixture
def bob(runtime_settings: Settings) -> Caller:
    return make_caller(runtime_settings)


@pytest.fixture
def admin(runtime_settings: Settings) -> Caller:
    return make_caller(runtime_settings, ROLE_ADMIN)


@pytest.fixture(scope="package")
def runtime_settings(settings: Settings) -> Settings:
    engine = create_engine(settings.resolved_database_url)
    create_tables(engine)
    engine.dispose()
    return settings


@pytest.fixture(scope="package")
def worker(runtime_settings: Settings) -> Iterator[Any]:
    process = start_worker(runtime_settings, name="w1", **RUNTIME)
    try:
        wait_for_worker(runtime_settings, process, name="w1")
        yield process
    finally:
        stop_process(process, timeout_seconds=15)


@pytest.fixture(scope="package")
async def servers(runtime_settings: Settings) -> AsyncIterator[list[RuntimeServer]]:
    started = [RuntimeServer(runtime_settings, poll_seconds=2.0), RuntimeServer(runtime_settings, poll_seconds=2.0)]
    for server in started:
        await server.server.start()
    yield started
    for server in started:
        await server.server.stop(0.5)


@pytest.fixture(scope="package")
def server_process(runtime_settings: Settings) -> Iterator[int]:
    """A second server process: the same servicer, its own interpreter, pool and subscription."""
    process, port = start_server_process(runtime_settings)
    try:
        yield port
    finally:
        stop_process(process, timeout_seconds=10)


@pytest.fixture(scope="package")
async def stubs(servers: list[RuntimeServer], server_process: int) -> AsyncIterator[list[media_pb2_grpc.MediaServiceStub]]:
    """stubs[0]: a server in this process; stubs[1]: the server process; stubs[2]: another in this process."""
    ports = [servers[0].port, server_process, servers[1].port]
    channels = [grpc.aio.insecure_channel(f"127.0.0.1:{port}") for port in ports]
    yield [media_pb2_grpc.MediaServiceStub(channel) for channel in channels]
    for channel in channels:
        await channel.close()


async def start(
    stub: media_pb2_grpc.MediaServiceStub, caller: Caller, scenario: str, request_id: str = ""
) -> operation_pb2.Operation:
    reply = await stub.StartTranscode(
        media_pb2.StartTranscodeRequest(name=f"assets/{scenario}", request_id=request_id), metadata=caller.auth
    )
    return reply.operation


async def watch(
    stub: media_pb2_grpc.MediaServiceStub, caller: Caller, name: str, *, limit: int | None = None, within: float = 60
) -> list[operation_pb2.OperationEvent]:
    """The events of one WatchOperation call (the first `limit`, or all until it ends)."""
    events: list[operation_pb2.OperationEvent] = []

    async def read() -> None:
        call = stub.WatchOperation(media_pb2.WatchOperationRequest(name=name), metadata=caller.auth)
        async for reply in call:
            events.append(reply.event)
            if limit is not None and len(events) >= limit:
                call.cancel()
                return

    await asyncio.wait_for(read(), within)
    return events


def record_of(settings: Settings, operation_id: str) -> OperationRecord:
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection, Session(connection) as session:
            found = OperationStore(runtime_tasks.RUNTIME_OPERATIONS).get(session, operation_id)
    finally:
        engine.dispose()
    assert found is not None
    return found


def completions_of(settings: Settings, operation_id: str) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(
                select(func.count())
                .select_from(runtime_tasks.completions)
                .where(runtime_tasks.completions.c.operation_id == operation_id)
            ).scalar_one()
    finally:
        engine.dispose()
    return int(count)


def operation_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]
