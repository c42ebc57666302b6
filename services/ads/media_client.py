"""The seam to Media: whether a video creative's asset is ready and public, its duration and size, and
the URL a viewer plays it from (Media's anonymous PUBLIC playback, cached while the URL stays valid)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from marquee.media.v1 import media_pb2, media_pb2_grpc

from services.core.errors import Unavailable

CALL_TIMEOUT_SECONDS = 5.0  # admin writes only
PLAYBACK_TIMEOUT_SECONDS = 2.0  # on SelectAd's path, once per asset per few hours
# A cached playlist URL is handed out while it stays valid at least this long (a pre-roll lasts at most
# 30 s, a served token is good for 15 minutes); Media signs sessions for 6 hours or more.
MIN_VALIDITY_SECONDS = 3600.0
FAILURE_BACKOFF_SECONDS = 5.0  # Media could not open a session: ask again after this, serve other ads meanwhile
DEVICE_ID = "marquee-ads"


@dataclass(frozen=True)
class AssetFacts:
    ready: bool
    public: bool
    duration_ms: int
    width: int
    height: int


@dataclass(frozen=True)
class Playback:
    url: str
    poster_url: str
    expire_time: dt.datetime


class MediaClient:
    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._channel = channel
        self._metadata = metadata
        self._clock = clock
        self._playback: dict[str, Playback] = {}
        self._failed: dict[str, float] = {}
        self._opening: dict[str, asyncio.Task[Playback | None]] = {}

    def _stub(self) -> media_pb2_grpc.MediaServiceStub:
        return media_pb2_grpc.MediaServiceStub(self._channel())  # type: ignore[no-untyped-call]

    async def asset(self, name: str) -> AssetFacts | None:
        """Facts about `assets/{asset}`; None when Media has no such asset. UNAVAILABLE when Media cannot answer."""
        try:
            reply = await self._stub().GetAsset(
                media_pb2.GetAssetRequest(name=name), metadata=await self._metadata(), timeout=CALL_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise Unavailable("Media could not be asked about video_asset; retry", reason="DEPENDENCY_UNAVAILABLE") from exc
        asset = reply.asset
        top = max(asset.renditions, key=lambda r: r.height, default=None)
        return AssetFacts(
            ready=asset.state == media_pb2.ASSET_STATE_READY,
            public=asset.visibility == media_pb2.ASSET_VISIBILITY_PUBLIC,
            duration_ms=asset.duration.seconds * 1000 + asset.duration.nanos // 1_000_000,
            width=top.width if top else 0,
            height=top.height if top else 0,
        )

    async def playback(self, name: str) -> Playback | None:
        """A signed HLS playlist URL of a PUBLIC asset, opened as an anonymous viewer (the free tier's
        renditions, no stream held), shared by every viewer until it nears expiry. None when Media cannot
        open one (asset gone, no longer public or ready, Media down): the caller serves another ad."""
        now = self._clock()
        cached = self._playback.get(name)
        if cached is not None and cached.expire_time.timestamp() - now >= MIN_VALIDITY_SECONDS:
            return cached
        if now - self._failed.get(name, -1e9) < FAILURE_BACKOFF_SECONDS:
            return None
        opening = self._opening.get(name)
        if opening is None:  # concurrent selections of one asset wait for one session
            opening = asyncio.ensure_future(self._open(name))
            self._opening[name] = opening
            opening.add_done_callback(lambda _task: self._opening.pop(name, None))
        return await asyncio.shield(opening)

    async def _open(self, name: str) -> Playback | None:
        request = media_pb2.CreatePlaybackSessionRequest(
            playback_session=media_pb2.PlaybackSession(asset=name, device_id=DEVICE_ID, device_name="Marquee ads")
        )
        try:
            # No credentials on purpose: anonymous playback is what Media allows for PUBLIC assets only,
            # at the free cap, so a creative that stopped being public stops serving.
            reply = await self._stub().CreatePlaybackSession(request, timeout=PLAYBACK_TIMEOUT_SECONDS)
        except (grpc.aio.AioRpcError, RuntimeError):
            self._failed[name] = self._clock()
            self._playback.pop(name, None)
            return None
        session = reply.playback_session
        found = Playback(session.playlist_url, session.poster_url, session.expire_time.ToDatetime(dt.UTC))
        self._playback[name] = found
        self._failed.pop(name, None)
        return found
