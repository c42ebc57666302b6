"""The policy every Marquee RPC passes through, driven by the contract.

For each method declared in a `marquee.*` contract, in order: a concurrency
limit (RESOURCE_EXHAUSTED instead of an unbounded queue), the access level the
contract declares (token verification, roles), then the handler, with domain
errors mapped to rich statuses and unexpected ones to INTERNAL with a
correlation id; every call ends with one structured log line. The stages live
in one interceptor so a call pays for one wrapper, not four.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import random
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import grpc

from services.core import errors, failures, validation
from services.core.clients import GATEWAY_HEADER, ClientAddresses
from services.core.contract import Access, MethodContract
from services.core.tokens import Principal, TokenVerifier

log = logging.getLogger("marquee.rpc")
# Request ids for calls that bring none: unique per process start, no syscall per call.
_ID_PREFIX = uuid.uuid4().hex[:12] + "-"
_ID_COUNTER = itertools.count(1)
# A caller's own request id is echoed and logged only when it is short and printable.
_SANE_REQUEST_ID = re.compile(r"[!-~]{1,128}")
REQUEST_ID_KEY = "x-request-id"

# A servicer context of any request/response type: handlers annotate with this.
Context = grpc.aio.ServicerContext[Any, Any]

_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)
# Why a token sent to a public method was not accepted, for handlers that turn out to need a caller.
_token_error: contextvars.ContextVar[errors.Unauthenticated | None] = contextvars.ContextVar("token_error", default=None)
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_metadata: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("metadata", default=None)
_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")
_request: contextvars.ContextVar[Any] = contextvars.ContextVar("request", default=None)


def current_principal() -> Principal | None:
    """The verified caller of the RPC being handled, or None for an anonymous call."""
    return _principal.get()


def require_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        raise _token_error.get() or errors.Unauthenticated("this call needs an access token", reason="TOKEN_MISSING")
    return principal


def current_request_id() -> str:
    return _request_id.get()


def current_client_ip() -> str:
    """The caller's address: the peer, or the client our gateway or a trusted proxy forwarded
    (`services/core/clients.py`); `` for a Unix-socket peer."""
    return _client_ip.get()


def current_metadata() -> dict[str, str]:
    """Invocation metadata of the current call (lower-case keys, text values)."""
    return _metadata.get() or {}


def current_request() -> Any:
    """The decoded request of the current call (None outside an RPC): page tokens bind to it."""
    return _request.get()


class _Undecodable:
    """What the tolerant deserializer hands over for bytes that are not the request type."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


def _tolerant(deserializer: Callable[[bytes], Any] | None, type_name: str) -> Callable[[bytes], Any] | None:
    """A deserializer that never raises: grpc would answer UNKNOWN with the parser's
    exception text ("Unexpected <class 'DecodeError'>: Error parsing message ...")."""
    if deserializer is None:
        return None

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:  # any parser failure: truncated, bad wire type, bad UTF-8, too deep
            return _Undecodable(type_name)

    return deserialize


def _check_request(request: Any) -> None:
    """Refuse an undecodable request, then one outside its contract's bounds."""
    if isinstance(request, _Undecodable):
        raise errors.InvalidArgument(
            f"the request body is not a valid {request.type_name}",
            reason="MALFORMED_REQUEST",
            metadata={"message_type": request.type_name},
        )
    validation.check(request)


class PolicyInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]  # grpc-stubs types it loosely
    def __init__(
        self,
        contracts: dict[str, MethodContract],
        verifier: TokenVerifier,
        *,
        max_concurrent_rpcs: int,
        max_concurrent_streams: int = 10_000,
        addresses: ClientAddresses | None = None,
        request_log_sample_rate: float = 1.0,
    ) -> None:
        self._contracts = contracts
        self._sample = request_log_sample_rate
        self._verifier = verifier
        self._addresses = addresses or ClientAddresses("")
        self._max = max_concurrent_rpcs
        self._in_flight = 0
        # Server streams (operation watches, chat answers) mostly wait on events for minutes, so
        # they have a limit of their own: a thousand watchers must not lock out unary calls.
        self._max_streams = max_concurrent_streams
        self._streams = 0
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler[Any, Any], grpc.RpcMethodHandler[Any, Any]]] = {}

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def open_streams(self) -> int:
        return self._streams

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        wrapped: grpc.RpcMethodHandler[Any, Any] = self.wrap(
            handler_call_details.method, await continuation(handler_call_details)
        )
        return wrapped

    def wrap(self, method: str, handler: grpc.RpcMethodHandler[Any, Any] | None) -> Any:
        """The handler of `method` (`/pkg.Service/Method`) with the policy around it; as is when no contract declares it."""
        contract = self._contracts.get(method)
        if handler is None or contract is None:
            return handler
        cached = self._wrapped.get(contract.full_name)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = self._wrap(handler, contract)
        self._wrapped[contract.full_name] = (handler, wrapped)
        return wrapped

    def attach_to(self, server: grpc.aio.Server) -> PolicyServer:
        """A stand-in for `server` to add servicers to: their handlers get the policy as they are added.

        Equivalent to installing this as the server's interceptor, without the cost grpc.aio adds
        to every call for an interceptor pipeline (a chain of coroutines per call, issue #15).
        """
        return PolicyServer(server, self)

    def _wrap(self, handler: grpc.RpcMethodHandler[Any, Any], contract: MethodContract) -> grpc.RpcMethodHandler[Any, Any]:
        deserializer = _tolerant(handler.request_deserializer, contract.descriptor.input_type.full_name)
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(handler.unary_unary, contract),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._server_stream(cast(Any, handler.unary_stream), contract),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler  # Marquee contracts declare no client streaming.

    # -- stages ---------------------------------------------------------------

    def _authorize(self, contract: MethodContract, metadata: dict[str, str]) -> Principal | None:
        access = contract.access
        try:
            principal = self._verify(metadata.get("authorization", ""))
        except errors.Unauthenticated as exc:
            if access is not Access.PUBLIC:
                raise
            # Apps send their token on every call; an expired one must not block a public
            # call such as RefreshToken. A handler that needs the caller raises this error.
            _token_error.set(exc)
            return None
        if access is Access.PUBLIC:
            return principal
        if access is Access.UNSPECIFIED:
            raise errors.PermissionDenied("this method declares no access level and is closed", reason="ROLE_REQUIRED")
        if principal is None:
            raise errors.Unauthenticated("this call needs an access token", reason="TOKEN_MISSING")
        if access is Access.ADMIN and not principal.is_admin:
            raise errors.PermissionDenied(
                "this call needs the admin role", reason="ROLE_REQUIRED", metadata={"required_role": "admin"}
            )
        if access is Access.SERVICE and not (principal.is_service or principal.is_admin):
            raise errors.PermissionDenied(
                "this call is for Marquee services only", reason="ROLE_REQUIRED", metadata={"required_role": "service"}
            )
        return principal

    def _verify(self, header: str) -> Principal | None:
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.Unauthenticated("authorization must be `Bearer <access token>`", reason="TOKEN_INVALID")
        return self._verifier.verify(token.strip())

    def _begin(self, contract: MethodContract, context: Context) -> dict[str, Any]:
        metadata = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
        _client_ip.set(self._addresses.resolve(context.peer() or "", metadata))
        # proof of the path taken, never seen by a handler or a log
        via_gateway = metadata.pop(GATEWAY_HEADER, None) is not None
        sent = metadata.get(REQUEST_ID_KEY, "")
        request_id = sent if _SANE_REQUEST_ID.fullmatch(sent) else f"{_ID_PREFIX}{next(_ID_COUNTER):x}"
        _request_id.set(request_id)
        _metadata.set(metadata)
        # Returned on every response in the trailers, and for calls through our gateway in the
        # headers too (Envoy passes them on as HTTP headers, which is all an HTTP/1.1 JSON
        # client reads). Headers cost grpc.aio a batch of their own before the response
        # (~20-25 µs of CPU a call, -20 % calls/s on a bare server), so a native gRPC
        # client, which always has the trailers, is not sent the copy.
        context.set_trailing_metadata(((REQUEST_ID_KEY, request_id),))
        return {"metadata": metadata, "request_id": request_id, "start": time.perf_counter(), "headers": via_gateway}

    def _admit(self) -> None:
        if self._in_flight >= self._max:
            raise errors.ResourceExhausted(
                "server is at its concurrency limit; retry with backoff",
                reason="OVERLOADED",
                retry_after_seconds=0.1,
            )
        self._in_flight += 1

    def _admit_stream(self) -> None:
        if self._streams >= self._max_streams:
            raise errors.ResourceExhausted(
                "server is at its limit of open streams; retry with backoff",
                reason="OVERLOADED",
                retry_after_seconds=1.0,
            )
        self._streams += 1

    async def _fail(self, context: Context, contract: MethodContract, exc: BaseException, call: dict[str, Any]) -> None:
        translated = exc if isinstance(exc, errors.DomainError) else failures.translate(exc)
        if translated is not None:
            if translated is not exc:
                log.warning("%s in %s: %s", translated.reason, contract.full_name, exc.__class__.__name__, exc_info=exc)
            status = errors.to_status(translated, contract.domain)
        else:
            correlation_id = uuid.uuid4().hex
            call["correlation_id"] = correlation_id
            log.error("unexpected error in %s", contract.full_name, exc_info=exc, extra={"correlation_id": correlation_id})
            status = errors.internal_status(correlation_id, contract.domain)
        call["code"] = errors.status_code(status).name
        await context.abort(
            errors.status_code(status),
            status.message,
            trailing_metadata=(
                (errors.STATUS_DETAILS_KEY, status.SerializeToString()),
                (REQUEST_ID_KEY, call["request_id"]),
            ),
        )

    def _finish(self, contract: MethodContract, call: dict[str, Any], context: Context) -> None:
        if not log.isEnabledFor(logging.INFO):
            return  # nothing to build on the hot path when request logs are off
        code = call.get("code", "OK")
        if code == "OK" and self._sample < 1.0 and random.random() >= self._sample:
            return
        principal = _principal.get()
        # The record is built here, formatted and written by the log writer thread
        # (services/core/logs.py); building it directly skips the logger's caller lookup.
        record = logging.LogRecord(log.name, logging.INFO, __file__, 0, "rpc", None, None)
        fields = record.__dict__
        fields["method"] = contract.full_name
        fields["code"] = code
        fields["duration_ms"] = round((time.perf_counter() - call["start"]) * 1000, 2)
        fields["user_id"] = principal.user_id if principal else ""
        fields["request_id"] = call["request_id"]
        fields["peer"] = context.peer()
        if "correlation_id" in call:
            fields["correlation_id"] = call["correlation_id"]
        log.handle(record)

    # -- wrappers -------------------------------------------------------------

    def _unary(self, behavior: Callable[..., Awaitable[Any]], contract: MethodContract) -> Callable[..., Awaitable[Any]]:
        async def unary(request: Any, context: Context) -> Any:
            call = self._begin(contract, context)
            admitted = False
            try:
                self._admit()
                admitted = True
                _principal.set(self._authorize(contract, call["metadata"]))
                _check_request(request)
                _request.set(request)
                response = await behavior(request, context)
                # Headers only with a response: an error stays a trailers-only reply (the id rides
                # in its trailers, which HTTP/2 carries as headers), so gateways map its status.
                if call["headers"]:
                    await context.send_initial_metadata(((REQUEST_ID_KEY, call["request_id"]),))
                return response
            except (asyncio.CancelledError, grpc.aio.AbortError):
                call.setdefault("code", "CANCELLED" if context.cancelled() else (context.code() or grpc.StatusCode.UNKNOWN).name)
                raise
            except Exception as exc:  # every failure leaves as a status, never a traceback
                await self._fail(context, contract, exc, call)
            finally:
                if admitted:
                    self._in_flight -= 1
                self._finish(contract, call, context)

        return unary

    def _server_stream(
        self, behavior: Callable[..., AsyncIterator[Any]], contract: MethodContract
    ) -> Callable[..., AsyncIterator[Any]]:
        async def stream(request: Any, context: Context) -> AsyncIterator[Any]:
            call = self._begin(contract, context)
            admitted = False
            try:
                self._admit_stream()
                admitted = True
                _principal.set(self._authorize(contract, call["metadata"]))
                _check_request(request)
                _request.set(request)
                first = True
                async for message in behavior(request, context):
                    if first:  # as for unary calls: an error before the first message stays trailers-only
                        await context.send_initial_metadata(((REQUEST_ID_KEY, call["request_id"]),))
                        first = False
                    yield message
            except (asyncio.CancelledError, grpc.aio.AbortError):
                call.setdefault("code", "CANCELLED" if context.cancelled() else (context.code() or grpc.StatusCode.UNKNOWN).name)
                raise
            except Exception as exc:
                await self._fail(context, contract, exc, call)
            finally:
                if admitted:
                    self._streams -= 1
                self._finish(contract, call, context)

        return stream


class _PolicyGeneric(grpc.GenericRpcHandler):  # type: ignore[type-arg]  # grpc-stubs types it loosely
    """A generic handler whose method handlers come back with the policy around them."""

    def __init__(self, inner: Any, policy: PolicyInterceptor) -> None:
        self._inner = inner
        self._policy = policy

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> Any:
        return self._policy.wrap(handler_call_details.method, self._inner.service(handler_call_details))


class PolicyServer:
    """What `PolicyInterceptor.attach_to` gives a service to add itself to (see there)."""

    def __init__(self, server: grpc.aio.Server, policy: PolicyInterceptor) -> None:
        self._server = server
        self._policy = policy

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        self._server.add_generic_rpc_handlers(tuple(_PolicyGeneric(h, self._policy) for h in handlers))

    def add_registered_method_handlers(self, service: str, handlers: dict[str, Any]) -> None:
        wrapped = {name: self._policy.wrap(f"/{service}/{name}", h) for name, h in handlers.items()}
        self._server.add_registered_method_handlers(service, wrapped)  # type: ignore[attr-defined]  # grpcio >= 1.63

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._server, attribute)
