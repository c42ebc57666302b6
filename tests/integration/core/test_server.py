"""Server mechanics over a real channel: health, reflection, rich errors, limits, deadlines, shutdown."""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
import redis.asyncio
import sqlalchemy
from google.protobuf import message_factory
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from marquee.catalog.v1 import catalog_pb2 as pb
from marquee.catalog.v1 import catalog_pb2_grpc
from marquee.notes.v1 import notes_pb2 as notes_pb
from marquee.notes.v1 import notes_pb2_grpc

from services.app import CONTRACTS
from services.core import errors
from services.core.contract import Access, methods_of
from services.core.server import Server, ServiceRegistration, create_server, unimplemented
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner, TokenVerifier
from tests.support.harness import bearer, rpc_error


def _real_database_failure(url: str, kind: str) -> None:
    """Raises what the real driver raises: a unique key taken twice, or a NULL in a NOT NULL column."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sqlalchemy.text("CREATE TABLE IF NOT EXISTS probe_failures (id VARCHAR(40) PRIMARY KEY, v INT NOT NULL)")
            )
        with engine.begin() as connection:
            key = uuid.uuid4().hex
            if kind == "race":
                connection.execute(sqlalchemy.text("INSERT INTO probe_failures VALUES (:k, 1)"), {"k": key})
                connection.execute(sqlalchemy.text("INSERT INTO probe_failures VALUES (:k, 2)"), {"k": key})
            else:
                connection.execute(sqlalchemy.text("INSERT INTO probe_failures VALUES (:k, NULL)"), {"k": key})
    finally:
        engine.dispose()


def _dead_port() -> int:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        return int(holder.getsockname()[1])


class ProbeCatalog(catalog_pb2_grpc.CatalogServiceServicer):
    """A stand-in servicer whose behaviour the test picks through the title name."""

    def __init__(self, database_url: str = "") -> None:
        self.started = asyncio.Event()
        self.finished = 0
        self.database_url = database_url

    async def GetTitle(self, request: pb.GetTitleRequest, context: grpc.aio.ServicerContext) -> pb.GetTitleResponse:
        self.started.set()
        if request.name == "titles/boom":
            raise RuntimeError("database password is hunter2")  # must never reach the caller
        if request.name == "titles/missing":
            raise errors.NotFound("titles/missing not found")
        if request.name in ("titles/race", "titles/null"):
            await asyncio.to_thread(_real_database_failure, self.database_url, request.name.removeprefix("titles/"))
        if request.name == "titles/db-down":
            dead = sqlalchemy.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_dead_port()}/none")
            try:
                await asyncio.to_thread(dead.connect)
            finally:
                dead.dispose()
        if request.name == "titles/redis-down":
            client = redis.asyncio.Redis(port=_dead_port())
            try:
                await client.ping()
            finally:
                await client.aclose()
        if request.name == "titles/bad":
            raise errors.invalid("name", "must look like titles/{title}")
        if request.name.startswith("titles/slow"):
            await asyncio.sleep(0.5)
        self.finished += 1
        return pb.GetTitleResponse(title=pb.Title(name=request.name, display_name="x" * len(request.name)))


@pytest.fixture
async def probe(settings: Settings) -> AsyncIterator[tuple[Server, ProbeCatalog]]:
    servicer = ProbeCatalog(settings.resolved_database_url)
    limited = settings.model_copy(update={"max_concurrent_rpcs": 2, "max_message_bytes": 64 * 1024})
    registration = ServiceRegistration(
        "marquee.catalog.v1.CatalogService",
        lambda server: catalog_pb2_grpc.add_CatalogServiceServicer_to_server(servicer, server),
    )
    running = create_server(limited, [registration], TokenVerifier.from_settings(limited), address="127.0.0.1:0")
    await running.start()
    yield running, servicer
    await running.stop(0)


async def test_health_reports_every_service_serving(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for full_name, _ in CONTRACTS.values():
        reply = await health.Check(health_pb2.HealthCheckRequest(service=full_name))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, full_name
    overall = await health.Check(health_pb2.HealthCheckRequest(service=""))
    assert overall.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await health.Check(health_pb2.HealthCheckRequest(service="marquee.nope.v1.NopeService"))
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


async def test_reflection_lists_all_services(channel: grpc.aio.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {s.name async for reply in replies for s in reply.list_services_response.service}
    assert {full for full, _ in CONTRACTS.values()} <= names
    assert {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


def _contract_method(access: Access) -> tuple[str, str, str, type[Message]]:
    """(service, domain, path, request type) of a unary contract method with this access level."""
    for full_name, module in CONTRACTS.values():
        importlib.import_module(module)
        for path, contract in methods_of(full_name).items():
            if contract.access is access and not contract.descriptor.server_streaming:
                return full_name, contract.domain, path, message_factory.GetMessageClass(contract.descriptor.input_type)
    raise AssertionError(f"no contract method has access {access}")


@pytest.fixture
async def unserved(settings: Settings) -> AsyncIterator[tuple[grpc.aio.Channel, list[str]]]:
    """A server whose services answer from their contracts only, as a service without code would."""
    services = sorted({_contract_method(access)[0] for access in (Access.USER, Access.ADMIN)})
    running = create_server(
        settings, [unimplemented(name) for name in services], TokenVerifier.from_settings(settings), address="127.0.0.1:0"
    )
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield channel, services
    await running.stop(0)


async def _call(channel: grpc.aio.Channel, path: str, request: Message, token: str | None = None) -> None:
    await channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=bytes)(
        request, metadata=bearer(token) if token else None
    )


async def test_unimplemented_service_answers_from_its_contract(
    unserved: tuple[grpc.aio.Channel, list[str]], settings: Settings
) -> None:
    channel, _ = unserved
    _, domain, path, request_type = _contract_method(Access.USER)
    # A signed-in user passes any USER access check, so the call reaches the unimplemented handler.
    token, _ = TokenSigner.from_settings(settings).sign("someone", token_id="t-unimplemented", role="user")
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await _call(channel, path, request_type(), token)
    error = rpc_error(failure.value)
    assert error.code == grpc.StatusCode.UNIMPLEMENTED
    assert error.reason == "NOT_IMPLEMENTED"
    assert error.info is not None
    assert error.info.domain == domain


async def test_access_level_is_enforced_before_unimplemented(unserved: tuple[grpc.aio.Channel, list[str]]) -> None:
    channel, _ = unserved
    _, _, path, request_type = _contract_method(Access.ADMIN)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await _call(channel, path, request_type())
    assert rpc_error(failure.value).reason == "TOKEN_MISSING"


async def test_domain_errors_carry_rich_details(probe: tuple[Server, ProbeCatalog]) -> None:
    server, _ = probe
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.GetTitle(pb.GetTitleRequest(name="titles/missing"))
        assert rpc_error(missing.value).code == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await stub.GetTitle(pb.GetTitleRequest(name="titles/bad"))
        error = rpc_error(bad.value)
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert error.bad_request is not None
        assert [v.field for v in error.bad_request.field_violations] == ["name"]


async def test_races_and_unreachable_stores_are_retryable_statuses_not_internal(
    probe: tuple[Server, ProbeCatalog], caplog: pytest.LogCaptureFixture
) -> None:
    """Real driver errors: a unique key taken twice is ABORTED, a database or Redis that refuses the
    connection is UNAVAILABLE; a NOT NULL violation is a bug and stays INTERNAL."""
    server, _ = probe
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        seen = {}
        for name in ("race", "db-down", "redis-down", "null"):
            with pytest.raises(grpc.aio.AioRpcError) as failure:
                await stub.GetTitle(pb.GetTitleRequest(name=f"titles/{name}"))
            seen[name] = rpc_error(failure.value)
    assert (seen["race"].code, seen["race"].reason) == (grpc.StatusCode.ABORTED, "CONCURRENT_MODIFICATION")
    assert seen["race"].retry is not None
    for name, what in (("db-down", "the database"), ("redis-down", "Redis")):
        assert (seen[name].code, seen[name].reason) == (grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE")
        assert seen[name].message == f"{what} is unavailable; retry with backoff"
    assert seen["null"].code == grpc.StatusCode.INTERNAL
    assert "probe_failures" not in seen["race"].message + seen["null"].message  # no SQL leaks out
    assert any("CONCURRENT_MODIFICATION" in r.getMessage() for r in caplog.records)  # operators still see it


async def test_unexpected_error_is_internal_with_correlation_id_and_no_leak(
    probe: tuple[Server, ProbeCatalog], caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = probe
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await stub.GetTitle(pb.GetTitleRequest(name="titles/boom"))
    error = rpc_error(failure.value)
    assert error.code == grpc.StatusCode.INTERNAL
    assert "hunter2" not in error.message
    correlation = error.info.metadata["correlation_id"] if error.info else ""
    assert len(correlation) == 32
    assert correlation in error.message
    assert any(getattr(r, "correlation_id", "") == correlation for r in caplog.records)


async def test_concurrency_limit_answers_resource_exhausted(probe: tuple[Server, ProbeCatalog]) -> None:
    server, _ = probe  # max_concurrent_rpcs = 2
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        calls = [stub.GetTitle(pb.GetTitleRequest(name=f"titles/slow{i}")) for i in range(5)]
        results = await asyncio.gather(*calls, return_exceptions=True)
    rejected = [rpc_error(r) for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len([r for r in results if isinstance(r, pb.GetTitleResponse)]) == 2
    assert len(rejected) == 3
    assert {(e.code, e.reason) for e in rejected} == {(grpc.StatusCode.RESOURCE_EXHAUSTED, "OVERLOADED")}
    assert all(e.retry is not None for e in rejected)
    assert server.interceptor.in_flight == 0


class ProbeNotes(notes_pb2_grpc.NotesServiceServicer):
    """Watches that stay open until released, like a client watching a long job."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def WatchOperation(self, request: notes_pb.WatchOperationRequest, context: Any) -> AsyncIterator[Any]:
        yield notes_pb.WatchOperationResponse()
        await self.release.wait()


async def test_open_streams_have_their_own_limit_and_do_not_lock_out_unary_calls(settings: Settings) -> None:
    catalog, notes = ProbeCatalog(), ProbeNotes()
    limited = settings.model_copy(update={"max_concurrent_rpcs": 2, "max_concurrent_streams": 4})
    registrations = [
        ServiceRegistration(
            "marquee.catalog.v1.CatalogService",
            lambda server: catalog_pb2_grpc.add_CatalogServiceServicer_to_server(catalog, server),
        ),
        ServiceRegistration(
            "marquee.notes.v1.NotesService", lambda server: notes_pb2_grpc.add_NotesServiceServicer_to_server(notes, server)
        ),
    ]
    server = create_server(limited, registrations, TokenVerifier.from_settings(limited), address="127.0.0.1:0")
    await server.start()
    token, _ = TokenSigner.from_settings(limited).sign("watcher", token_id="t-streams", role="user")
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            watch = notes_pb2_grpc.NotesServiceStub(channel).WatchOperation
            request = notes_pb.WatchOperationRequest(name="users/me/operations/o1")
            streams = [watch(request, metadata=bearer(token)) for _ in range(4)]
            for stream in streams:
                await stream.read()  # each is open and has sent its first event
            assert server.interceptor.open_streams == 4
            # Four open watches, two unary slots: unary calls still go through.
            titles = catalog_pb2_grpc.CatalogServiceStub(channel)
            replies = await asyncio.gather(*(titles.GetTitle(pb.GetTitleRequest(name=f"titles/t{i}")) for i in range(2)))
            assert len(replies) == 2
            # A fifth watch is over the stream limit.
            with pytest.raises(grpc.aio.AioRpcError) as failure:
                await watch(request, metadata=bearer(token)).read()
            refused = rpc_error(failure.value)
            assert (refused.code, refused.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "OVERLOADED")
            assert refused.retry is not None
            notes.release.set()
            for stream in streams:
                assert await stream.code() == grpc.StatusCode.OK
            assert server.interceptor.open_streams == 0
    finally:
        await server.stop(0)


async def test_deadline_is_honoured(probe: tuple[Server, ProbeCatalog]) -> None:
    server, _ = probe
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await stub.GetTitle(pb.GetTitleRequest(name="titles/slow"), timeout=0.1)
    assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


async def test_oversized_message_is_refused(probe: tuple[Server, ProbeCatalog]) -> None:
    server, _ = probe  # max_message_bytes = 64 KiB
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await stub.GetTitle(pb.GetTitleRequest(name="titles/" + "x" * 100_000))
    assert failure.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_graceful_shutdown_drains_in_flight_and_flips_health(probe: tuple[Server, ProbeCatalog]) -> None:
    server, servicer = probe
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        watch = health.Watch(health_pb2.HealthCheckRequest(service="marquee.catalog.v1.CatalogService"))
        first = await watch.read()
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        in_flight = asyncio.ensure_future(stub.GetTitle(pb.GetTitleRequest(name="titles/slow-drain")))
        await servicer.started.wait()
        stopping = asyncio.ensure_future(server.stop(5.0))
        changed = await watch.read()
        assert changed.status == health_pb2.HealthCheckResponse.NOT_SERVING
        reply = await in_flight  # finishes inside the grace period
        assert reply.title.name == "titles/slow-drain"
        await stopping


async def test_port_clash_is_an_error(settings: Settings) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        with pytest.raises(RuntimeError, match=r"Failed to bind|could not bind"):
            create_server(settings, [], TokenVerifier.from_settings(settings), address=f"127.0.0.1:{port}")
    finally:
        holder.close()


async def test_admin_token_passes_access_check(probe: tuple[Server, ProbeCatalog], settings: Settings) -> None:
    server, _ = probe
    keys = KeySet.from_settings(settings)
    token, _ = TokenSigner.from_settings(settings, keys).sign("someone", token_id="t1", role="admin")
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        reply = await stub.GetTitle(pb.GetTitleRequest(name="titles/ok"), metadata=bearer(token))
    assert reply.title.name == "titles/ok"


async def test_every_call_logs_method_code_duration_user_and_request_id(
    probe: tuple[Server, ProbeCatalog], settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = probe
    keys = KeySet.from_settings(settings)
    token, _ = TokenSigner.from_settings(settings, keys).sign("user-42", token_id="t2", role="user")
    caplog.set_level("INFO", logger="marquee.rpc")
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        await stub.GetTitle(pb.GetTitleRequest(name="titles/logged"), metadata=(*bearer(token), ("x-request-id", "req-123")))
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.GetTitle(pb.GetTitleRequest(name="titles/missing"))

    def ours() -> list[logging.LogRecord]:
        # Only this test's calls: the session server may log its own meanwhile.
        return [
            r
            for r in caplog.records
            if r.name == "marquee.rpc"
            and getattr(r, "method", "") == "/marquee.catalog.v1.CatalogService/GetTitle"
            and (getattr(r, "request_id", "") == "req-123" or getattr(r, "code", "") == "NOT_FOUND")
        ]

    # A failed call's status reaches the client before the server's log line is written: wait for it.
    for _ in range(500):  # up to 5 s
        if len(ours()) >= 2:
            break
        await asyncio.sleep(0.01)
    calls = ours()
    assert [(r.method, r.code) for r in calls] == [  # type: ignore[attr-defined]
        ("/marquee.catalog.v1.CatalogService/GetTitle", "OK"),
        ("/marquee.catalog.v1.CatalogService/GetTitle", "NOT_FOUND"),
    ]
    first, second = calls
    assert (first.user_id, first.request_id) == ("user-42", "req-123")  # type: ignore[attr-defined]
    assert second.user_id == ""  # type: ignore[attr-defined]
    assert second.request_id  # type: ignore[attr-defined]  # generated when the caller sent none
    assert all(r.duration_ms >= 0 for r in calls)  # type: ignore[attr-defined]
