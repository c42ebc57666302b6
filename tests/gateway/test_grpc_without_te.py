"""Native gRPC without `te: trailers` is refused at the edge as a malformed request (issue 10)."""

from __future__ import annotations

import asyncio
import base64
import urllib.parse

import h2.config
import h2.connection
import h2.events
from google.rpc import error_details_pb2, status_pb2

from gateway.process import EnvoyProcess
from tests.gateway.helpers import frame, raw_request

METHOD = "/marquee.auth.v1.AuthService/GetAuthConfig"


def _details(headers: dict[str, str]) -> tuple[status_pb2.Status, error_details_pb2.ErrorInfo]:
    encoded = headers["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return status, info


async def test_http1_without_te_is_invalid_argument(gateway: EnvoyProcess) -> None:
    reply = await raw_request(gateway.url, "POST", METHOD, headers={"content-type": "application/grpc"}, body=frame(b""))
    assert reply.status == 200
    assert reply.headers["grpc-status"] == "3", reply.headers
    assert "te: trailers" in reply.headers["grpc-message"]
    status, info = _details(reply.headers)
    assert status.code == 3
    assert (info.reason, info.domain) == ("MALFORMED_REQUEST", "marquee.gateway")


async def _h2_prior_knowledge(url: str, path: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
    """One HTTP/2 request over cleartext (prior knowledge, as gRPC clients speak); the response headers."""
    parsed = urllib.parse.urlsplit(url)
    assert parsed.hostname is not None
    assert parsed.port is not None
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.initiate_connection()
    stream = connection.get_next_available_stream_id()
    connection.send_headers(
        stream, [(":method", "POST"), (":path", path), (":scheme", "http"), (":authority", parsed.netloc), *headers.items()]
    )
    connection.send_data(stream, body, end_stream=True)
    writer.write(connection.data_to_send())
    found: dict[str, str] = {}
    try:
        async with asyncio.timeout(10):
            while True:
                data = await reader.read(65536)
                assert data, "connection closed before the response ended"
                for event in connection.receive_data(data):
                    if isinstance(event, h2.events.ResponseReceived | h2.events.TrailersReceived):
                        found.update({k.decode(): v.decode() for k, v in event.headers})
                    if isinstance(event, h2.events.StreamEnded):
                        return found
                writer.write(connection.data_to_send())
    finally:
        writer.close()


async def test_http2_without_te_is_invalid_argument(gateway: EnvoyProcess) -> None:
    headers = await _h2_prior_knowledge(gateway.url, METHOD, {"content-type": "application/grpc"}, frame(b""))
    assert headers[":status"] == "200"
    assert headers["grpc-status"] == "3", headers
    assert _details(headers)[1].reason == "MALFORMED_REQUEST"


async def test_with_te_the_call_is_served(gateway: EnvoyProcess) -> None:
    reply = await raw_request(
        gateway.url, "POST", METHOD, headers={"content-type": "application/grpc", "te": "trailers"}, body=frame(b"")
    )
    assert reply.status == 200
    assert reply.trailers.get("grpc-status") == "0", (reply.headers, reply.trailers)
    assert len(reply.body) > 5
