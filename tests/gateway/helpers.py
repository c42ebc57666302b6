"""Helpers for the gateway tests: starting Envoy, gRPC-Web frames, server-sent events, and raw
HTTP/1.1 exchanges that keep the trailers (httpx drops them)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import pathlib
import struct
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import h11

from gateway.envoy import GatewayConfig, Upstream
from gateway.process import EnvoyProcess

APP_ORIGIN = "http://app.test"
GATEWAY_DOMAIN = "marquee.gateway"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


@contextlib.asynccontextmanager
async def running_gateway(upstream_port: int, workdir: pathlib.Path, **overrides: Any) -> AsyncIterator[EnvoyProcess]:
    """A real Envoy on 127.0.0.1 port 0 (admin port 0) in front of one loopback upstream."""
    config = GatewayConfig(
        listen_host="127.0.0.1",
        listen_port=0,
        admin_port=0,
        upstreams=(Upstream("127.0.0.1", upstream_port),),
        **overrides,
    )
    process = EnvoyProcess(config, workdir)
    await asyncio.to_thread(process.start)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)


# -- google.rpc.Status as JSON --------------------------------------------------------


def detail(body: dict[str, Any], type_url: str) -> dict[str, Any]:
    """The one detail of `type_url` in a JSON google.rpc.Status."""
    found = [d for d in body.get("details", []) if d.get("@type") == type_url]
    assert len(found) == 1, f"expected one {type_url} in {body}"
    return found[0]


def error_info(body: dict[str, Any]) -> dict[str, Any]:
    return detail(body, ERROR_INFO)


# -- gRPC-Web ----------------------------------------------------------------------------


def frame(message: bytes, *, trailer: bool = False) -> bytes:
    return struct.pack(">BI", 0x80 if trailer else 0x00, len(message)) + message


@dataclass
class GrpcWebReply:
    messages: list[bytes] = field(default_factory=list)
    trailers: dict[str, str] = field(default_factory=dict)
    has_trailer_frame: bool = False


def parse_frames(data: bytes) -> GrpcWebReply:
    """Length-prefixed gRPC-Web frames: data frames (flag 0x00) and one trailer frame (flag 0x80)."""
    reply = GrpcWebReply()
    offset = 0
    while offset < len(data):
        assert len(data) - offset >= 5, f"truncated frame header at {offset}: {data[offset:]!r}"
        flags, length = struct.unpack(">BI", data[offset : offset + 5])
        payload = data[offset + 5 : offset + 5 + length]
        assert len(payload) == length, "truncated frame"
        offset += 5 + length
        if flags & 0x80:
            assert not reply.has_trailer_frame, "more than one trailer frame"
            reply.has_trailer_frame = True
            for line in payload.decode().split("\r\n"):
                if line:
                    key, _, value = line.partition(":")
                    reply.trailers[key.strip().lower()] = value.strip()
        else:
            assert not reply.has_trailer_frame, "data frame after the trailer frame"
            reply.messages.append(payload)
    return reply


def decode_text(body: bytes) -> bytes:
    """grpc-web-text: base64, possibly several padded chunks concatenated."""
    decoded = b""
    text = body.replace(b"\r", b"").replace(b"\n", b"")
    while text:
        # Each chunk ends at its padding (or the end of the body).
        end = len(text)
        pad = text.find(b"=")
        if pad != -1:
            end = pad
            while end < len(text) and text[end : end + 1] == b"=":
                end += 1
        chunk, text = text[:end], text[end:]
        decoded += base64.b64decode(chunk + b"=" * (-len(chunk) % 4))
    return decoded


# -- server-sent events --------------------------------------------------------------------


def sse_events(body: bytes) -> list[dict[str, str]]:
    """Events of a text/event-stream body: each a dict of field → value (data lines joined)."""
    events = []
    for block in body.decode().replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        event: dict[str, str] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            event[name] = f"{event[name]}\n{value}" if name in event else value
        events.append(event)
    return events


def sse_json(body: bytes) -> list[Any]:
    return [json.loads(event["data"]) for event in sse_events(body) if "data" in event]


# -- raw HTTP/1.1 -------------------------------------------------------------------------------


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    trailers: dict[str, str]
    chunked: bool


async def raw_request(
    url: str,
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    within_seconds: float = 10.0,
) -> RawResponse:
    """One HTTP/1.1 exchange on a fresh connection, parsed with h11, trailers included.

    The body is written while the response is read, so a reply Envoy sends before the body is
    complete (413) is seen even when Envoy then resets the connection."""
    parsed = urllib.parse.urlsplit(url)
    assert parsed.hostname is not None
    assert parsed.port is not None
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    connection = h11.Connection(h11.CLIENT)
    request_headers = [("host", parsed.netloc), *(headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        request_headers.append(("content-length", str(len(body))))
    request_bytes = connection.send(h11.Request(method=method, target=target, headers=request_headers))

    async def send() -> None:
        writer.write(request_bytes)
        for start in range(0, len(body), 256 * 1024):
            writer.write(body[start : start + 256 * 1024])
            await writer.drain()
        await writer.drain()

    sender = asyncio.ensure_future(send())
    try:
        if body:
            connection.send(h11.Data(data=body))
        connection.send(h11.EndOfMessage())
        status = 0
        response_headers: dict[str, str] = {}
        chunks: list[bytes] = []
        trailers: dict[str, str] = {}
        async with asyncio.timeout(within_seconds):
            while True:
                event = connection.next_event()
                if event is h11.NEED_DATA:
                    connection.receive_data(await reader.read(65536))
                    continue
                if isinstance(event, h11.Response):
                    status = event.status_code
                    response_headers = {k.decode().lower(): v.decode() for k, v in event.headers}
                elif isinstance(event, h11.Data):
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    trailers = {k.decode().lower(): v.decode() for k, v in event.headers}
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise AssertionError("connection closed before the end of the response")
        chunked = response_headers.get("transfer-encoding", "").lower() == "chunked"
        return RawResponse(status, response_headers, b"".join(chunks), trailers, chunked)
    finally:
        sender.cancel()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await sender  # a write cut short by an early reply is expected
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
