"""The seam to Media: whether a video creative's asset is ready, and its duration and size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from marquee.media.v1 import media_pb2, media_pb2_grpc

from services.core.errors import Unavailable

CALL_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class AssetFacts:
    ready: bool
    duration_ms: int
    width: int
    height: int
    poster_url: str


class MediaClient:
    def __init__(
        self, channel: Callable[[], grpc.aio.Channel], metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]]
    ) -> None:
        self._channel = channel
        self._metadata = metadata

    async def asset(self, name: str) -> AssetFacts | None:
        """Facts about `assets/{asset}`; None when Media has no such asset. UNAVAILABLE when Media cannot answer."""
        try:
            stub = media_pb2_grpc.MediaServiceStub(self._channel())  # type: ignore[no-untyped-call]
            reply = await stub.GetAsset(
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
            duration_ms=asset.duration.seconds * 1000 + asset.duration.nanos // 1_000_000,
            width=top.width if top else 0,
            height=top.height if top else 0,
            poster_url=asset.poster_url,
        )
