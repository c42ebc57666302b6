"""gRPC-Web over HTTP/1.1 through Envoy, in binary and text mode, unary and server streaming."""

from __future__ import annotations

import asyncio
import base64

import httpx
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2
from marquee.auth.v1 import auth_pb2

from services.core.settings import Settings
from tests.gateway.helpers import decode_text, frame, parse_frames

GET_AUTH_CONFIG = "/marquee.auth.v1.AuthService/GetAuthConfig"
GET_USER = "/marquee.auth.v1.AuthService/GetUser"
HEALTH_WATCH = "/grpc.health.v1.Health/Watch"
BINARY = "application/grpc-web+proto"
TEXT = "application/grpc-web-text"


def headers(content_type: str) -> dict[str, str]:
    return {"content-type": content_type, "accept": content_type, "x-grpc-web": "1", "x-user-agent": "grpc-web-python-test"}


def assert_config(message: bytes, settings: Settings) -> None:
    config = auth_pb2.GetAuthConfigResponse.FromString(message)
    assert config.issuer == settings.jwt_issuer
    assert config.audience == settings.jwt_audience
    assert config.registration_open is True
    assert config.access_token_ttl.seconds == settings.access_token_ttl_seconds
    assert config.password_policy.min_length > 0


async def test_unary_binary_mode(http: httpx.AsyncClient, settings: Settings) -> None:
    body = frame(auth_pb2.GetAuthConfigRequest().SerializeToString())
    response = await http.post(GET_AUTH_CONFIG, content=body, headers=headers(BINARY))
    assert response.status_code == 200
    assert response.headers["content-type"] == BINARY
    reply = parse_frames(response.content)
    assert len(reply.messages) == 1
    assert_config(reply.messages[0], settings)
    assert reply.has_trailer_frame
    assert reply.trailers["grpc-status"] == "0"


async def test_unary_text_mode(http: httpx.AsyncClient, settings: Settings) -> None:
    body = base64.b64encode(frame(auth_pb2.GetAuthConfigRequest().SerializeToString()))
    response = await http.post(GET_AUTH_CONFIG, content=body, headers=headers(TEXT))
    assert response.status_code == 200
    assert response.headers["content-type"] in (TEXT, TEXT + "+proto")
    reply = parse_frames(decode_text(response.content))
    assert len(reply.messages) == 1
    assert_config(reply.messages[0], settings)
    assert reply.has_trailer_frame
    assert reply.trailers["grpc-status"] == "0"


async def test_error_without_token(http: httpx.AsyncClient) -> None:
    """A failure before any message is a trailers-only reply: grpc-status in the headers, no body
    (or, equivalently, a lone trailer frame)."""
    body = frame(auth_pb2.GetUserRequest(name="users/me").SerializeToString())
    response = await http.post(GET_USER, content=body, headers=headers(BINARY))
    assert response.status_code == 200
    reply = parse_frames(response.content)
    assert reply.messages == []
    trailers = reply.trailers if reply.has_trailer_frame else dict(response.headers)
    assert trailers["grpc-status"] == "16"
    assert trailers["grpc-message"] == "this call needs an access token"
    raw = trailers["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(base64.b64decode(raw + "=" * (-len(raw) % 4)))
    info = error_details_pb2.ErrorInfo()
    assert status.code == 16
    assert status.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("TOKEN_MISSING", "marquee.auth")


async def test_server_stream_text_mode(http: httpx.AsyncClient) -> None:
    """Health/Watch never ends by itself: read the first frame, then hang up."""
    body = base64.b64encode(frame(health_pb2.HealthCheckRequest(service="").SerializeToString()))
    received = b""
    async with http.stream("POST", HEALTH_WATCH, content=body, headers=headers(TEXT)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] in (TEXT, TEXT + "+proto")
        async with asyncio.timeout(10):
            async for chunk in response.aiter_bytes():
                received += chunk
                decoded = decode_text(received)
                if len(decoded) >= 5 and len(decoded) >= 5 + int.from_bytes(decoded[1:5], "big"):
                    break
    reply = parse_frames(decoded[: 5 + int.from_bytes(decoded[1:5], "big")])
    assert not reply.has_trailer_frame
    assert len(reply.messages) == 1
    assert health_pb2.HealthCheckResponse.FromString(reply.messages[0]).status == health_pb2.HealthCheckResponse.SERVING
