"""An "echo" upstream for the gateway tests: one generic handler serving every method of
every `marquee.*` service in the descriptor set, recording what arrived.

Each call is recorded as (method path, request message) and answered with an empty
response (server streams: one empty message, then the end). A request holding a
string `echo-abort-<CODE>` anywhere (for example in a path variable) is aborted with
that status code and a google.rpc.Status carrying an ErrorInfo, as a Marquee service
would fail.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from gateway.envoy import DESCRIPTORS

ABORT_PATTERN = re.compile(r"echo-abort-([A-Z_]+)")
ECHO_DOMAIN = "marquee.echo"
ECHO_ABORT_REASON = "ECHO_ABORTED"


def marquee_service_descriptors() -> list[ServiceDescriptor]:
    """Every `marquee.*` service of the descriptor set, from the default pool (its generated
    module imported: `marquee/x/v1/x.proto` → `marquee.x.v1.x_pb2`)."""
    fds = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTORS.read_bytes())
    found = []
    for file in fds.file:
        if not file.package.startswith("marquee.") or not file.service:
            continue
        importlib.import_module(file.name.removesuffix(".proto").replace("/", ".") + "_pb2")
        for service in file.service:
            found.append(descriptor_pool.Default().FindServiceByName(f"{file.package}.{service.name}"))
    return sorted(found, key=lambda s: s.full_name)


def marquee_methods() -> list[MethodDescriptor]:
    return [method for service in marquee_service_descriptors() for method in service.methods]


def method_path(method: MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


def _strings(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        values = value if field.label == FieldDescriptor.LABEL_REPEATED else [value]
        for item in values:
            if field.type == FieldDescriptor.TYPE_STRING:
                yield item
            elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.message_type.GetOptions().map_entry:
                yield from _strings(item)


@dataclass
class Call:
    method: str
    request: Message
    metadata: dict[str, str]


class EchoHandler(grpc.GenericRpcHandler):
    """One handler for every marquee method."""

    def __init__(self, methods: list[MethodDescriptor]) -> None:
        self.calls: list[Call] = []
        self._handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
        for method in methods:
            self._handlers[method_path(method)] = self._handler_for(method)

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        return self._handlers.get(handler_call_details.method)

    async def _record(self, path: str, request: Message, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        metadata = {key: value for key, value in context.invocation_metadata() or () if isinstance(value, str)}
        self.calls.append(Call(path, request, metadata))
        for text in _strings(request):
            found = ABORT_PATTERN.search(text)
            if found:
                code = grpc.StatusCode[found.group(1)]
                message = f"echo aborted {path} with {code.name}"
                info = any_pb2.Any()
                info.Pack(error_details_pb2.ErrorInfo(reason=ECHO_ABORT_REASON, domain=ECHO_DOMAIN))
                status = status_pb2.Status(code=code.value[0], message=message, details=[info])
                await context.abort(code, message, trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),))

    def _handler_for(self, method: MethodDescriptor) -> grpc.RpcMethodHandler[Any, Any]:
        path = method_path(method)
        request_cls = message_factory.GetMessageClass(method.input_type)
        response_cls = message_factory.GetMessageClass(method.output_type)
        serialize = {"request_deserializer": request_cls.FromString, "response_serializer": response_cls.SerializeToString}

        async def unary_unary(request: Message, context: grpc.aio.ServicerContext[Any, Any]) -> Message:
            await self._record(path, request, context)
            return response_cls()

        async def unary_stream(request: Message, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Message]:
            await self._record(path, request, context)
            yield response_cls()

        async def stream_unary(requests: AsyncIterator[Message], context: grpc.aio.ServicerContext[Any, Any]) -> Message:
            async for request in requests:
                await self._record(path, request, context)
            return response_cls()

        async def stream_stream(
            requests: AsyncIterator[Message], context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Message]:
            async for request in requests:
                await self._record(path, request, context)
            yield response_cls()

        if method.client_streaming and method.server_streaming:
            return grpc.stream_stream_rpc_method_handler(stream_stream, **serialize)
        if method.client_streaming:
            return grpc.stream_unary_rpc_method_handler(stream_unary, **serialize)
        if method.server_streaming:
            return grpc.unary_stream_rpc_method_handler(unary_stream, **serialize)
        return grpc.unary_unary_rpc_method_handler(unary_unary, **serialize)


@dataclass
class EchoServer:
    server: grpc.aio.Server
    port: int
    handler: EchoHandler
    health: Any  # grpc_health.v1.health.aio.HealthServicer: SERVING until a test says otherwise

    @property
    def calls(self) -> list[Call]:
        return self.handler.calls


async def start_echo_server() -> EchoServer:
    handler = EchoHandler(marquee_methods())
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((handler,))
    health_servicer = health.aio.HealthServicer()  # type: ignore[attr-defined]  # imported lazily by the package
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    return EchoServer(server, port, handler, health_servicer)
