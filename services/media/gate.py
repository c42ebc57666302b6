"""The segment gate: a small HTTP listener that checks every segment request against its playback session.

Per-session playlists list segment URLs that point here, each signed by Marquee (HMAC over
session, rung, segment and expiry). A request is answered with a 302 to a storage URL
presigned for a few seconds only if the signature holds and the session is live (a Redis
key that heartbeats renew and ending, replacing or lapsing removes); anything else is 403.
Segment bytes still flow from storage to the player, never through Marquee.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import urllib.parse
from typing import TYPE_CHECKING

from services.core.errors import DomainError

if TYPE_CHECKING:
    from services.media.usecases import MediaUseCases

log = logging.getLogger("marquee.media.gate")
PREFIX = "/media/v1/play/"
HEAD_LIMIT = 8192
IDLE_SECONDS = 30.0


class SegmentGate:
    def __init__(self, usecases: MediaUseCases, address: str, public_url: str = "") -> None:
        host, _, port = address.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port or 0)
        self.public_url = public_url.rstrip("/")
        self.usecases = usecases
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=HEAD_LIMIT)
        self.port = self._server.sockets[0].getsockname()[1]
        self.usecases.gate_url = (self.public_url or f"http://{self.host}:{self.port}") + PREFIX.rstrip("/")
        log.info("segment gate on %s:%d", self.host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) != 3:
                    writer.write(_reply(400, "bad request line", keep_alive=False))
                    return
                method, target, version = parts
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                if "content-length" in headers or "transfer-encoding" in headers:
                    keep_alive = False  # no request here has a body; do not try to skip one
                writer.write(await self._answer(method, target, keep_alive))
                await writer.drain()
                if not keep_alive:
                    return
        finally:
            with contextlib.suppress(ConnectionError):
                writer.close()
                await writer.wait_closed()

    async def _answer(self, method: str, target: str, keep_alive: bool) -> bytes:
        if method not in ("GET", "HEAD"):
            return _reply(405, "only GET", keep_alive=keep_alive, extra={"Allow": "GET, HEAD"})
        url = urllib.parse.urlsplit(target)
        if not url.path.startswith(PREFIX):
            return _reply(404, "not found", keep_alive=keep_alive)
        pieces = url.path.removeprefix(PREFIX).split("/")
        query = urllib.parse.parse_qs(url.query)
        if len(pieces) != 3 or not query.get("e") or not query.get("s"):
            return _reply(404, "not found", keep_alive=keep_alive)
        session_id, rung, segment = pieces
        try:
            location = await self.usecases.segment_location(session_id, rung, segment, query["e"][0], query["s"][0])
        except DomainError as refused:
            return _reply(403, refused.message, keep_alive=keep_alive, extra={"X-Marquee-Reason": refused.reason})
        return _reply(302, "", keep_alive=keep_alive, extra={"Location": location})


def _reply(status: int, text: str, *, keep_alive: bool, extra: dict[str, str] | None = None) -> bytes:
    phrase = {302: "Found", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}[status]
    body = (text + "\n").encode() if text else b""
    headers = {
        "Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)), "Cache-Control": "no-store",
        "Access-Control-Allow-Origin": "*", "Connection": "keep-alive" if keep_alive else "close", **(extra or {}),
    }  # fmt: skip
    head = f"HTTP/1.1 {status} {phrase}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1") + body
