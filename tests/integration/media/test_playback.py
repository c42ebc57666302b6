"""Playback sessions over the wire: plan caps from Billing, anonymous PUBLIC playback, stream limits,
device replacement, downloads by plan, expired URLs, and Billing unreachable (fail closed)."""

from __future__ import annotations

import asyncio
import json
import pathlib
import subprocess
import time
from typing import Any

import grpc
import httpx
import imageio_ffmpeg
import pytest
from marquee.media.v1 import media_pb2 as pb
from marquee.media.v1 import media_pb2_grpc

from gateway.envoy import Upstream
from services.app import Dependencies, build_server
from services.core.errors import Unavailable
from services.core.processes import stop_process
from services.core.settings import Settings
from services.core.storage import ObjectStore
from services.media.billing_client import BillingClient
from services.media.settings import MediaSettings
from tests.gateway.helpers import running_gateway
from tests.integration.media.conftest import Caller, fails, media_worker, watch
from tests.integration.media.test_uploads import upload_clip
from tests.support.runtime_server import wait_for_worker
from tests.support.seaweed import make_clip

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


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


async def test_account_export_and_erasure(
    media: Any, alice: Caller, service: Caller, hd_feature: dict[str, pb.Asset], clip: pathlib.Path, objects: ObjectStore
) -> None:
    own = await upload_clip(media, alice, clip)
    watching = await media.CreatePlaybackSession(open_session(hd_feature["feature"].name, "tablet"), metadata=alice.auth)
    session = watching.playback_session
    for bad, code in (("users/me", grpc.StatusCode.INVALID_ARGUMENT), ("assets/x", grpc.StatusCode.INVALID_ARGUMENT)):
        error = await fails(media.ExportUserData(pb.ExportUserDataRequest(name=bad), metadata=service.auth))
        assert error.code == code, bad
        assert error.bad_request is not None
    denied = await fails(media.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=alice.auth))
    assert (denied.code, denied.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    exported = await media.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=service.auth)
    assert exported.document.content_type == "application/json"
    document = json.loads(exported.document.data)
    assert document["user"] == alice.name
    assert [a["name"] for a in document["assets"]] == [own.name]  # the feature is the admin's, not alice's
    assert document["assets"][0]["sha256"] == own.source.sha256
    assert [s["name"] for s in document["playback_sessions"]] == [session.name]
    assert document["playback_sessions"][0]["asset"] == hd_feature["feature"].name

    purged = await media.PurgeUserAssets(pb.PurgeUserAssetsRequest(user=alice.name), metadata=service.auth)
    assert purged.deleted_asset_count == 1
    assert {(d.category, d.count) for d in purged.erased} == {("assets", 1), ("playback_sessions", 1)}
    assert list(purged.retained) == []
    assert objects.list_keys(own.name + "/") == []
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await client.get(session.playlist_url)).status_code in (403, 404)
    gone = await fails(media.HeartbeatPlaybackSession(pb.HeartbeatPlaybackSessionRequest(name=session.name), metadata=alice.auth))
    assert gone.code == grpc.StatusCode.NOT_FOUND
    after = json.loads(
        (await media.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=service.auth)).document.data
    )
    assert (after["assets"], after["playback_sessions"]) == ([], [])
    again = await media.PurgeUserAssets(pb.PurgeUserAssetsRequest(user=alice.name), metadata=service.auth)
    assert {(d.category, d.count) for d in again.erased} == {("assets", 0), ("playback_sessions", 0)}


async def first_segment_url(session: pb.PlaybackSession, client: httpx.AsyncClient) -> tuple[str, str]:
    """(a variant playlist URL, its first segment URL) from the session's master playlist."""
    master = (await client.get(session.playlist_url)).text
    variant = next(line for line in master.splitlines() if line.startswith("http"))
    media_playlist = await client.get(variant)
    assert media_playlist.status_code == 200
    return variant, next(line for line in media_playlist.text.splitlines() if line.startswith("http"))


async def test_segments_pass_the_gate_only_while_the_session_lives(
    media: Any, alice: Caller, hd_feature: dict[str, pb.Asset], tmp_path: pathlib.Path
) -> None:
    session = await media.CreatePlaybackSession(open_session(hd_feature["feature"].name, "gate"), metadata=alice.auth)
    session = session.playback_session
    async with httpx.AsyncClient(timeout=30) as client:
        variant, segment = await first_segment_url(session, client)
        assert "/media/v1/play/" + session.name.removeprefix("playbackSessions/") in segment
        redirect = await client.get(segment)
        assert redirect.status_code == 302, redirect.text
        stored = redirect.headers["location"]
        assert "X-Amz-Signature=" in stored
        assert "X-Amz-Expires=30" in stored
        body = await client.get(stored)
        assert body.status_code == 200
        # The bytes are a real MPEG-TS segment: ffmpeg decodes them.
        (tmp_path / "seg.ts").write_bytes(body.content)
        decoded = await asyncio.to_thread(
            subprocess.run, [FFMPEG, "-v", "error", "-i", str(tmp_path / "seg.ts"), "-f", "null", "-"], capture_output=True
        )
        assert decoded.returncode == 0, decoded.stderr
        # Tampering: another signature, another rung, another segment, a later expiry.
        path, _, query = segment.partition("?")
        tampered = [
            segment[:-1] + ("0" if segment[-1] != "0" else "1"),
            path.replace("/240p/", "/720p/") + "?" + query,
            path.rsplit("/", 1)[0] + "/seg_00099.ts?" + query,
            segment.replace("e=", "e=9"),
        ]
        for url in tampered:
            refused = await client.get(url)
            assert (refused.status_code, refused.headers.get("x-marquee-reason")) == (403, "SIGNATURE_INVALID"), url
        assert (await client.post(segment)).status_code == 405
        await media.EndPlaybackSession(pb.EndPlaybackSessionRequest(name=session.name), metadata=alice.auth)
        ended = await client.get(segment)
        assert (ended.status_code, ended.headers.get("x-marquee-reason")) == (403, "PLAYBACK_SESSION_ENDED")
        assert (await client.get(variant)).status_code in (403, 404)  # its playlists are deleted too


async def test_segments_reach_the_gate_through_the_gateway(
    media: Any, alice: Caller, hd_feature: dict[str, pb.Asset], tmp_path: pathlib.Path
) -> None:
    """Envoy routes /media/v1/play/ to the gate as plain HTTP (no transcoder, no gRPC-Web), so an app
    needs one origin: the same answers arrive through it, redirects and refusals alike."""
    session = await media.CreatePlaybackSession(open_session(hd_feature["feature"].name, "via-gw"), metadata=alice.auth)
    session = session.playback_session
    async with httpx.AsyncClient(timeout=30) as client:
        _, segment = await first_segment_url(session, client)
        gate = httpx.URL(segment)
        async with running_gateway(1, tmp_path / "envoy", media_gates=(Upstream(gate.host, gate.port or 80),)) as envoy:
            via = segment.replace(f"http://{gate.host}:{gate.port}", envoy.url)
            assert via != segment
            redirect = await client.get(via)
            assert redirect.status_code == 302, redirect.text
            assert "X-Amz-Signature=" in redirect.headers["location"]
            assert (await client.get(redirect.headers["location"])).status_code == 200
            forged = await client.get(via[:-1] + ("0" if via[-1] != "0" else "1"))
            assert (forged.status_code, forged.headers.get("x-marquee-reason")) == (403, "SIGNATURE_INVALID")
            assert (await client.head(via)).status_code == 302
            # Not a gRPC method: without the route the transcoder would answer 404 for this path.
            assert (await client.get(f"{envoy.url}/media/v1/play/x/y/z")).status_code == 404
            await media.EndPlaybackSession(pb.EndPlaybackSessionRequest(name=session.name), metadata=alice.auth)
            ended = await client.get(via)
            assert (ended.status_code, ended.headers.get("x-marquee-reason")) == (403, "PLAYBACK_SESSION_ENDED")


async def test_a_lapsed_heartbeat_or_expiry_closes_the_gate(
    settings: Settings, alice: Caller, hd_feature: dict[str, pb.Asset]
) -> None:
    """A server of its own with 2 s heartbeats (3 missed: lapsed) and 20 s sessions, on the same stores."""
    quick = MediaSettings.load(settings, media_heartbeat_seconds=2, media_session_min_seconds=20)
    running = build_server(Dependencies.build(settings, quick), address="127.0.0.1:0")
    await running.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel, httpx.AsyncClient(timeout=30) as client:
            stub = media_pb2_grpc.MediaServiceStub(channel)
            held = await stub.CreatePlaybackSession(open_session(hd_feature["feature"].name, "lapse"), metadata=alice.auth)
            held = held.playback_session
            anonymous = (await stub.CreatePlaybackSession(open_session(hd_feature["trailer"].name, "kiosk"))).playback_session
            _, held_segment = await first_segment_url(held, client)
            _, open_segment = await first_segment_url(anonymous, client)
            assert (await client.get(open_segment)).status_code == 302
            for _ in range(4):  # heartbeats every second keep it open past the 6 s window
                await asyncio.sleep(1.0)
                await stub.HeartbeatPlaybackSession(pb.HeartbeatPlaybackSessionRequest(name=held.name), metadata=alice.auth)
                assert (await client.get(held_segment)).status_code == 302
            await asyncio.sleep(6.5)  # three missed heartbeats
            lapsed = await client.get(held_segment)
            assert (lapsed.status_code, lapsed.headers.get("x-marquee-reason")) == (403, "PLAYBACK_SESSION_ENDED")
            beat = await fails(
                stub.HeartbeatPlaybackSession(pb.HeartbeatPlaybackSessionRequest(name=held.name), metadata=alice.auth)
            )
            assert (beat.code, beat.reason, beat.info.metadata["end_reason"]) == (
                grpc.StatusCode.FAILED_PRECONDITION, "PLAYBACK_SESSION_ENDED", "LAPSED",
            )  # fmt: skip
            # The anonymous session holds no stream: it lives until its expiry, then its segments are refused.
            await asyncio.sleep(max(0.0, anonymous.expire_time.ToSeconds() - time.time()) + 1.0)
            expired = await client.get(open_segment)
            assert (expired.status_code, expired.headers.get("x-marquee-reason")) == (403, "PLAYBACK_SESSION_ENDED")
    finally:
        await running.stop(0.5)
