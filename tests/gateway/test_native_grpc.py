"""Native gRPC (HTTP/2) on the same gateway port as JSON and gRPC-Web."""

from __future__ import annotations

import grpc
import pytest
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

from gateway.process import EnvoyProcess
from services.core.settings import Settings
from tests.support.harness import rpc_error


async def test_unary_call_through_the_gateway(gateway: EnvoyProcess, settings: Settings) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{gateway.port}") as channel:
        call = auth_pb2_grpc.AuthServiceStub(channel).GetAuthConfig(auth_pb2.GetAuthConfigRequest(), timeout=10)
        reply = await call
        assert (await call.initial_metadata()).get("server") == "envoy"
    assert reply.issuer == settings.jwt_issuer
    assert reply.audience == settings.jwt_audience
    assert reply.access_token_ttl.seconds == settings.access_token_ttl_seconds


async def test_rich_error_through_the_gateway(gateway: EnvoyProcess) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{gateway.port}") as channel:
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), timeout=10)
    error = rpc_error(failure.value)
    assert error.code == grpc.StatusCode.UNAUTHENTICATED
    assert error.reason == "TOKEN_MISSING"
    assert error.info is not None
    assert error.info.domain == "marquee.auth"
