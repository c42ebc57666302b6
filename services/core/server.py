"""Server bootstrap: build a grpc.aio server for a set of services, serve, stop gracefully.

`create_server` only builds and binds (port 0 in tests); `Server.stop` flips
health to NOT_SERVING first so load balancers drain, then lets in-flight RPCs
finish within the grace period.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.core import errors
from services.core.clients import ClientAddresses
from services.core.contract import MethodContract, methods_of, service_descriptor
from services.core.interceptors import Context, PolicyInterceptor
from services.core.settings import Settings
from services.core.tokens import TokenVerifier

log = logging.getLogger("marquee.server")


@dataclass
class ServiceRegistration:
    """A service to serve: its full contract name and how to attach its servicer."""

    full_name: str  # "marquee.auth.v1.AuthService"
    attach: Callable[[grpc.aio.Server], None]
    close: Callable[[], Any] | None = None
    start: Callable[[], Any] | None = None  # run (awaited if a coroutine) before the server accepts calls


@dataclass
class Server:
    server: grpc.aio.Server
    port: int
    health: Any  # grpc_health.v1.health.aio.HealthServicer
    services: list[str]
    interceptor: PolicyInterceptor
    on_start: list[Callable[[], Any]] = field(default_factory=list)
    on_close: list[Callable[[], Any]] = field(default_factory=list)

    async def start(self) -> None:
        for begin in self.on_start:
            result = begin()
            if hasattr(result, "__await__"):
                await result
        await self.server.start()
        for name in self.services:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace_seconds: float) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace_seconds)
        for close in self.on_close:
            result = close()
            if hasattr(result, "__await__"):
                await result

    async def wait(self) -> None:
        await self.server.wait_for_termination()


class _MethodAwarePool:
    """Python's descriptor pool cannot find `pkg.Service.Method`, which `grpcurl describe` asks
    reflection for; the file that holds the service holds the method too."""

    def __init__(self, pool: descriptor_pool.DescriptorPool) -> None:
        self._pool = pool

    def FindFileContainingSymbol(self, name: str) -> Any:
        try:
            return self._pool.FindFileContainingSymbol(name)
        except KeyError:
            parent = name.rpartition(".")[0]
            if not parent:
                raise
            return self._pool.FindFileContainingSymbol(parent)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._pool, attribute)


def unimplemented(full_name: str) -> ServiceRegistration:
    """A service answering UNIMPLEMENTED (with details) for every method its contract declares."""
    service = service_descriptor(full_name)
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
    for method in service.methods:
        request_cls = message_factory.GetMessageClass(method.input_type)
        message = f"{full_name}/{method.name} is declared in the contract but not served yet"

        async def fail_unary(request: Any, context: Context, _message: str = message) -> Any:
            raise errors.Unimplemented(_message)

        async def fail_stream(request: Any, context: Context, _message: str = message) -> AsyncIterator[Any]:
            raise errors.Unimplemented(_message)
            yield  # pragma: no cover - makes this an async generator

        kind = grpc.unary_stream_rpc_method_handler if method.server_streaming else grpc.unary_unary_rpc_method_handler
        handlers[method.name] = kind(
            fail_stream if method.server_streaming else fail_unary,
            request_deserializer=request_cls.FromString,
            response_serializer=lambda response: response.SerializeToString(),
        )
    generic = grpc.method_handlers_generic_handler(full_name, handlers)
    return ServiceRegistration(full_name, lambda server: server.add_generic_rpc_handlers((generic,)))


def create_server(
    settings: Settings,
    registrations: list[ServiceRegistration],
    verifier: TokenVerifier,
    *,
    address: str | None = None,
) -> Server:
    """Build and bind a server; `address` defaults to host:grpc_port from settings."""
    contracts: dict[str, MethodContract] = {}
    for registration in registrations:
        contracts.update(methods_of(registration.full_name))
    interceptor = PolicyInterceptor(
        contracts,
        verifier,
        max_concurrent_rpcs=settings.max_concurrent_rpcs,
        max_concurrent_streams=settings.max_concurrent_streams,
        addresses=ClientAddresses.from_settings(settings),
        request_log_sample_rate=settings.request_log_sample_rate,
    )
    # The policy goes around each contract's handlers as they are added, not as a grpc.aio
    # interceptor: grpc.aio runs an interceptor pipeline (coroutines) on every call.
    server = grpc.aio.server(
        options=[
            ("grpc.so_reuseport", 0),  # a port clash is an error, not a silent share
            ("grpc.max_receive_message_length", settings.max_message_bytes),
            ("grpc.max_send_message_length", settings.max_message_bytes),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
        ],
    )
    policed = interceptor.attach_to(server)
    for registration in registrations:
        registration.attach(cast(grpc.aio.Server, policed))
    health_servicer = health.aio.HealthServicer()  # type: ignore[attr-defined]  # imported lazily by the package
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [r.full_name for r in registrations]
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME],
        server,
        pool=cast(Any, _MethodAwarePool(descriptor_pool.Default())),
    )
    bind = address or f"{settings.host}:{settings.grpc_port}"
    port = server.add_insecure_port(bind)
    if port == 0:
        raise OSError(f"could not bind {bind}")
    return Server(
        server=server,
        port=port,
        health=health_servicer,
        services=names,
        interceptor=interceptor,
        on_start=[r.start for r in registrations if r.start is not None],
        on_close=[r.close for r in registrations if r.close is not None],
    )
