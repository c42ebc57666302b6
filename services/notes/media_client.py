"""The seam to Media: a caller's asset (its state, title, duration) and the text of one of its
caption tracks, over Media's contract with a service credential; the track's bytes come from the
download URL Media gives.

Another user's asset answers NOT_FOUND, as Media itself would; an asset still uploading or
processing is ASSET_NOT_READY; no caption track is TRANSCRIPT_UNAVAILABLE.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
from marquee.media.v1 import media_pb2, media_pb2_grpc

from services.core.errors import FailedPrecondition, NotFound, Unavailable
from services.notes.transcripts import DOMAIN, SRT, WEBVTT, decode

CALL_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class AssetText:
    asset: str
    title: str
    duration_seconds: float
    text: str
    format: str
    language_code: str


def _media_down() -> Unavailable:
    return Unavailable(
        "Media could not be reached; try again", reason="DEPENDENCY_UNAVAILABLE", domain=DOMAIN, retry_after_seconds=5
    )


class MediaClient:
    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._channel = channel
        self._metadata = metadata
        self._transport = transport

    async def asset(self, user_id: str, asset: str) -> media_pb2.Asset:
        try:
            stub: Any = media_pb2_grpc.MediaServiceStub(self._channel())  # type: ignore[no-untyped-call]
            reply = await stub.GetAsset(
                media_pb2.GetAssetRequest(name=asset), metadata=await self._metadata(), timeout=CALL_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                raise NotFound(f"{asset} not found", domain=DOMAIN) from None
            raise _media_down() from None
        found: media_pb2.Asset = reply.asset
        if found.owner not in (f"users/{user_id}", user_id):
            raise NotFound(f"{asset} not found", domain=DOMAIN)
        return found

    async def text(self, user_id: str, asset: str, *, language: str = "") -> AssetText:
        found = await self.asset(user_id, asset)
        if found.state != media_pb2.ASSET_STATE_READY:
            raise FailedPrecondition(f"{asset} is still uploading or processing", reason="ASSET_NOT_READY", domain=DOMAIN)
        tracks = sorted(
            found.text_tracks,
            key=lambda t: (0 if language and t.language_code.split("-")[0] == language.split("-")[0] else 1, not t.default),
        )
        if not tracks or not tracks[0].url:
            raise FailedPrecondition(f"{asset} has no transcript or captions", reason="TRANSCRIPT_UNAVAILABLE", domain=DOMAIN)
        track = tracks[0]
        try:
            async with httpx.AsyncClient(timeout=CALL_TIMEOUT_SECONDS, transport=self._transport) as client:
                reply = await client.get(track.url)
        except httpx.HTTPError:
            raise _media_down() from None
        if reply.status_code != 200:
            raise FailedPrecondition(f"the captions of {asset} could not be read", reason="TRANSCRIPT_UNAVAILABLE", domain=DOMAIN)
        text = decode(reply.content)
        return AssetText(
            asset=asset,
            title=found.title or found.display_name,
            duration_seconds=found.duration.seconds + found.duration.nanos / 1e9,
            text=text,
            format=WEBVTT if text.lstrip("\ufeff").startswith("WEBVTT") else SRT,
            language_code=track.language_code,
        )
