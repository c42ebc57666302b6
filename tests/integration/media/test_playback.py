"""Playback sessions over the wire: plan caps from Billing, anonymous PUBLIC playback, stream limits,
device replacement, downloads by plan, expired URLs, and Billing unreachable (fail closed)."""

from __future__ import annotations

import asyncio
import pathlib
from typing import Any

import grpc
import httpx
import pytest
from marquee.media.v1 import media_pb2 as pb

from services.core.errors import Unavailable
from services.core.processes import stop_process
from services.core.settings import Settings
from services.core.storage import ObjectStore
from services.media.billing_client import BillingClient
from tests.integration.media.conftest import Caller, fails, media_worker, watch
from tests.integration.media.test_uploads import upload_clip
from tests.support.runtime_server import wait_for_worker
from tests.support.seaweed import make_clip


@pytest.fixture(scope="module")
async def hd_feature(
    media: Any, admin: Caller, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, pb.Asset]:
    """A 720p SUBSCRIBERS feature and a PUBLIC trailer, transcoded by a real worker (standard ladder)."""
    worker = media_worker(settings, "media-play", concurrency=2)
    try:
        wait_for_worker(settings, worker, name="media-play")
        folder = tmp_path_factory.mktemp("hd")
        clip = await asyncio.to_thread(make_clip, folder / "hd.mp4", seconds=2, size="1280x720")
        found = {}
        for key, purpose in (("feature", pb.ASSET_PURPOSE_EXTRA), ("trailer", pb.ASSET_PURPOSE_TRAILER)):
            asset = await upload_clip(media, admin, clip, asset=pb.Asset(purpose=purpose))
            operation = (
                await media.StartTranscode(
                    pb.StartTranscodeRequest(name=asset.name, settings=pb.TranscodeSettings(thumbnail_count=1)),
                    metadata=admin.auth,
                )
            ).operation
            events = await watch(media, admin, operation.name, within=180)
            assert events[-1].operation.state == 3, events[-1].operation.error.message
            found[key] = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=admin.auth)).asset
        return found
    finally:
        stop_process(worker, timeout_seconds=15)


def open_session(asset: str, device: str, **fields: Any) -> pb.CreatePlaybackSessionRequest:
    return pb.CreatePlaybackSessionRequest(playback_session=pb.PlaybackSession(asset=asset, device_id=device, **fields))


async def master_of(session: pb.PlaybackSession) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        reply = await client.get(session.playlist_url)
    assert reply.status_code == 200
    return reply.text


async def test_free_plan_is_capped_at_480p_and_holds_one_stream(
    media: Any, alice: Caller, hd_feature: dict[str, pb.Asset]
) -> None:
    feature = hd_feature["feature"]
    assert [r.height for r in feature.renditions] == [240, 360, 480, 720]
    first = (await media.CreatePlaybackSession(open_session(feature.name, "phone"), metadata=alice.auth)).playback_session
    assert first.plan == pb.PLAN_FREE
    assert first.ad_supported
    assert first.max_resolution == pb.RESOLUTION_480P
    assert [r.height for r in first.renditions] == [240, 360, 480]
    text = await master_of(first)
    assert "RESOLUTION=854x480" in text
    assert "1280x720" not in text
    assert first.heartbeat_interval.seconds == 60
    # A second device is over the free plan's one stream.
    error = await fails(media.CreatePlaybackSession(open_session(feature.name, "tv"), metadata=alice.auth))
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.reason == "STREAM_LIMIT_REACHED"
    assert error.info.metadata["max_streams"] == "1"
    assert error.info.metadata["active_streams"] == "1"
    # The same device replaces its session instead of taking another stream.
    again = (await media.CreatePlaybackSession(open_session(feature.name, "phone"), metadata=alice.auth)).playback_session
    beat = await fails(media.HeartbeatPlaybackSession(pb.HeartbeatPlaybackSessionRequest(name=first.name), metadata=alice.auth))
    assert beat.reason == "PLAYBACK_SESSION_ENDED"
    alive = await media.HeartbeatPlaybackSession(pb.HeartbeatPlaybackSessionRequest(name=again.name), metadata=alice.auth)
    assert alive.playback_session.state == pb.PLAYBACK_SESSION_STATE_ACTIVE
    listed = await media.ListPlaybackSessions(pb.ListPlaybackSessionsRequest(), metadata=alice.auth)
    assert [s.name for s in listed.playback_sessions] == [again.name]
    with_ended = await media.ListPlaybackSessions(pb.ListPlaybackSessionsRequest(include_ended=True), metadata=alice.auth)
    ended = next(s for s in with_ended.playback_sessions if s.name == first.name)
    assert ended.end_reason == pb.PLAYBACK_SESSION_END_REASON_REPLACED
    # Ending frees the stream at once.
    await media.EndPlaybackSession(pb.EndPlaybackSessionRequest(name=again.name), metadata=alice.auth)
    tv = (await media.CreatePlaybackSession(open_session(feature.name, "tv"), metadata=alice.auth)).playback_session
    assert tv.state == pb.PLAYBACK_SESSION_STATE_ACTIVE
    other = await fails(media.EndPlaybackSession(pb.EndPlaybackSessionRequest(name=tv.name), metadata=(("x", "y"),)))
    assert other.code == grpc.StatusCode.UNAUTHENTICATED


async def test_requested_resolution_lowers_the_cap_and_downloads_need_a_plan(
    media: Any, alice: Caller, hd_feature: dict[str, pb.Asset]
) -> None:
    feature = hd_feature["feature"]
    low = (
        await media.CreatePlaybackSession(
            open_session(feature.name, "data-saver", requested_max_resolution=pb.RESOLUTION_240P), metadata=alice.auth
        )
    ).playback_session
    assert [r.height for r in low.renditions] == [240]
    await media.EndPlaybackSession(pb.EndPlaybackSessionRequest(name=low.name), metadata=alice.auth)
    error = await fails(
        media.CreatePlaybackSession(
            open_session(feature.name, "laptop", purpose=pb.PLAYBACK_PURPOSE_DOWNLOAD), metadata=alice.auth
        )
    )
    assert error.code == grpc.StatusCode.PERMISSION_DENIED
    assert error.reason == "PLAN_REQUIRED"
    assert error.info.metadata["required_plan"] == "BASIC"


async def test_anonymous_callers_play_public_assets_at_480p(
    media: Any, alice: Caller, bob: Caller, hd_feature: dict[str, pb.Asset], clip: pathlib.Path
) -> None:
    trailer = hd_feature["trailer"]
    anonymous = (await media.CreatePlaybackSession(open_session(trailer.name, "browser"))).playback_session
    assert anonymous.user == ""
    assert anonymous.max_resolution == pb.RESOLUTION_480P
    assert not anonymous.HasField("heartbeat_interval")  # holds no stream
    assert "1280x720" not in await master_of(anonymous)
    error = await fails(media.CreatePlaybackSession(open_session(hd_feature["feature"].name, "browser")))
    assert error.code == grpc.StatusCode.UNAUTHENTICATED
    assert error.reason == "TOKEN_MISSING"
    private = await upload_clip(media, alice, clip)
    error = await fails(media.CreatePlaybackSession(open_session(private.name, "browser"), metadata=bob.auth))
    assert error.code == grpc.StatusCode.NOT_FOUND
    error = await fails(media.CreatePlaybackSession(open_session(private.name, "browser"), metadata=alice.auth))
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "ASSET_NOT_READY"


async def test_expired_signed_urls_are_refused(objects: ObjectStore, hd_feature: dict[str, pb.Asset]) -> None:
    key = f"{hd_feature['trailer'].name}/hls/240p/index.m3u8"
    url = objects.presign_get(key, expires_seconds=3)
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await client.get(url)).status_code == 200
        await asyncio.sleep(4.5)
        assert (await client.get(url)).status_code == 403


async def test_the_stores_own_segment_signatures_verify(objects: ObjectStore, hd_feature: dict[str, pb.Asset]) -> None:
    prefix = f"{hd_feature['trailer'].name}/hls/240p/"
    segment = next(o.key for o in objects.list_keys(prefix) if o.key.endswith(".ts"))
    fast = objects.presign_segment(segment, expires_seconds=60)
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await client.get(fast)).status_code == 200
        assert (await client.get(fast.replace("X-Amz-Expires=60", "X-Amz-Expires=61"))).status_code == 403
        other = fast.replace(segment.rsplit("/", 1)[-1], "seg_99999.ts")
        assert (await client.get(other)).status_code == 403


async def test_billing_unreachable_fails_closed() -> None:
    channel = grpc.aio.insecure_channel("127.0.0.1:1")

    async def metadata() -> tuple[tuple[str, str], ...]:
        return ()

    client = BillingClient(lambda: channel, metadata)
    with pytest.raises(Unavailable) as caught:
        await client.entitlements("someone")
    assert caught.value.reason == "ENTITLEMENTS_UNAVAILABLE"
    await channel.close()
