"""Server streaming through Envoy as server-sent events, including an error in the middle of a stream."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2, media_pb2_grpc

from gateway.process import EnvoyProcess
from services.core import errors
from services.core.server import Server, ServiceRegistration, create_server
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner, TokenVerifier
from tests.gateway.helpers import error_info, raw_request, running_gateway, sse_events, sse_json


class ProbeMedia(media_pb2_grpc.MediaServiceServicer):
    """WatchOperation sends two events; `users/me/operations/op1` then fails, any other name ends cleanly."""

    async def WatchOperation(
        self, request: media_pb2.WatchOperationRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[media_pb2.WatchOperationResponse]:
        for sequence, percent in ((1, 40), (2, 80)):
            yield media_pb2.WatchOperationResponse(
                event=operation_pb2.OperationEvent(
                    sequence=sequence,
                    operation=operation_pb2.Operation(
                        name=request.name, progress=operation_pb2.OperationProgress(percent=percent)
                    ),
                )
            )
            await asyncio.sleep(0.01)
        if request.name == "users/me/operations/op1":
            raise errors.FailedPrecondition("the operation was cancelled", reason="OPERATION_CANCELLED")


@pytest.fixture(scope="module")
async def probe(settings: Settings) -> AsyncIterator[Server]:
    registration = ServiceRegistration(
        "marquee.media.v1.MediaService",
        lambda server: media_pb2_grpc.add_MediaServiceServicer_to_server(ProbeMedia(), server),
    )
    running = create_server(settings, [registration], TokenVerifier.from_settings(settings), address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(0)


@pytest.fixture(scope="module")
async def probe_gateway(probe: Server, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EnvoyProcess]:
    async with running_gateway(probe.port, tmp_path_factory.mktemp("envoy-probe")) as envoy:
        yield envoy


@pytest.fixture(scope="module")
def user_token(settings: Settings) -> str:
    token, _ = TokenSigner.from_settings(settings, KeySet.from_settings(settings)).sign("watcher", token_id="t-watch")
    return token


def _status_from_trailer(value: str) -> status_pb2.Status:
    padded = value + "=" * (-len(value) % 4)
    return status_pb2.Status.FromString(base64.b64decode(padded))


async def test_stream_arrives_as_server_sent_events(probe_gateway: EnvoyProcess, user_token: str) -> None:
    async with (
        httpx.AsyncClient(base_url=probe_gateway.url, timeout=10.0) as client,
        client.stream(
            "GET", "/media/v1/users/me/operations/ok:watch", headers={"authorization": f"Bearer {user_token}"}
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        body = await response.aread()
    events = sse_events(body)
    assert [set(event) for event in events] == [{"data"}, {"data"}]
    assert [json.loads(event["data"]) for event in events] == [
        {"event": {"sequence": "1", "operation": {"name": "users/me/operations/ok", "progress": {"percent": 40}}}},
        {"event": {"sequence": "2", "operation": {"name": "users/me/operations/ok", "progress": {"percent": 80}}}},
    ]  # camelCase names, int64 `sequence` as a JSON string


async def test_successful_stream_ends_with_grpc_status_0(probe_gateway: EnvoyProcess, user_token: str) -> None:
    reply = await raw_request(
        probe_gateway.url,
        "GET",
        "/media/v1/users/me/operations/ok:watch",
        headers={"authorization": f"Bearer {user_token}", "te": "trailers"},
    )
    assert reply.status == 200
    assert reply.chunked
    assert len(sse_json(reply.body)) == 2
    assert reply.trailers.get("grpc-status") == "0"
    assert "grpc-status-details-bin" not in reply.trailers


async def test_mid_stream_error_arrives_as_trailers(probe_gateway: EnvoyProcess, user_token: str) -> None:
    """Headers (200, text/event-stream) are gone before the failure, so Envoy 1.40 reports it the
    only way HTTP/1.1 can: chunked trailers with the gRPC status, message and details. The body
    holds the two events and no error event."""
    reply = await raw_request(
        probe_gateway.url,
        "GET",
        "/media/v1/users/me/operations/op1:watch",
        headers={"authorization": f"Bearer {user_token}", "te": "trailers"},
    )
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/event-stream"
    assert reply.chunked
    assert [event["event"]["sequence"] for event in sse_json(reply.body)] == ["1", "2"]
    assert reply.trailers.get("grpc-status") == str(grpc.StatusCode.FAILED_PRECONDITION.value[0]) == "9"
    assert reply.trailers.get("grpc-message") == "the operation was cancelled"
    status = _status_from_trailer(reply.trailers["grpc-status-details-bin"])
    assert status.code == 9
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("OPERATION_CANCELLED", "marquee.media")


async def test_error_before_the_first_event_is_a_json_status(probe_gateway: EnvoyProcess) -> None:
    async with httpx.AsyncClient(base_url=probe_gateway.url, timeout=10.0) as client:
        response = await client.get("/media/v1/users/me/operations/ok:watch")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == 16
    assert error_info(body)["reason"] == "TOKEN_MISSING"
