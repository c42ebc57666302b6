"""Transcoding over a real Celery worker, real ffmpeg and real SeaweedFS, then signed HLS playback
decoded by ffmpeg: progress events, the ladder, images, cancel, refusals, tampered and ended URLs."""

from __future__ import annotations

import asyncio
import pathlib
import subprocess
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import imageio_ffmpeg
import pytest
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2 as pb

from services.core.processes import stop_process
from services.core.settings import Settings
from services.core.storage import ObjectStore
from tests.integration.media.conftest import Caller, fails, media_worker, watch
from tests.integration.media.test_uploads import upload_clip
from tests.support.runtime_server import wait_for_worker
from tests.support.seaweed import make_clip

S = operation_pb2.OperationState


@pytest.fixture(scope="module")
def worker(settings: Settings, seaweed: object) -> Iterator[Any]:
    process = media_worker(settings, "media-w1", concurrency=2)
    try:
        wait_for_worker(settings, process, name="media-w1")
        yield process
    finally:
        stop_process(process, timeout_seconds=15)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return make_clip(tmp_path_factory.mktemp("long") / "long.mp4", seconds=24, size="854x480")


def transcode_request(name: str, **settings: Any) -> pb.StartTranscodeRequest:
    return pb.StartTranscodeRequest(name=name, settings=pb.TranscodeSettings(thumbnail_count=3, **settings))


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(url)


async def test_transcode_streams_progress_and_plays_signed_hls(
    media: Any, alice: Caller, service: Caller, clip: pathlib.Path, worker: Any, objects: ObjectStore
) -> None:
    asset = await upload_clip(media, alice, clip)
    started = await media.StartTranscode(transcode_request(asset.name), metadata=alice.auth)
    operation = started.operation
    assert operation.name.startswith(f"users/{alice.user_id}/operations/")
    assert operation.kind == "transcode"
    assert operation.target == asset.name
    events = await watch(media, alice, operation.name)
    last = events[-1].operation
    assert last.state == S.OPERATION_STATE_SUCCEEDED, last.error.message
    steps = [e.operation.progress.step for e in events if e.operation.state == S.OPERATION_STATE_RUNNING]
    assert len(steps) >= 3
    assert {"probe", "encode", "thumbnails"} <= set(steps)
    metadata = pb.TranscodeMetadata()
    assert last.metadata.Unpack(metadata)
    assert metadata.asset == asset.name
    assert [(r.spec.resolution, r.state) for r in metadata.renditions] == [
        (pb.RESOLUTION_240P, pb.RENDITION_STATE_DONE),
        (pb.RESOLUTION_360P, pb.RENDITION_STATE_DONE),
    ]
    first = events[0].operation
    assert first.metadata.Unpack(metadata)
    assert metadata.source_duration.seconds == 3
    result = pb.Asset()
    assert last.response.Unpack(result)
    assert result.state == pb.ASSET_STATE_READY
    got = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=alice.auth)).asset
    assert got.state == pb.ASSET_STATE_READY
    assert got.latest_operation == operation.name
    # 640x360 with the lecture ladder: 240p and 360p, never upscaled.
    assert [(r.resolution, r.width, r.height) for r in got.renditions] == [
        (pb.RESOLUTION_240P, 426, 240),
        (pb.RESOLUTION_360P, 640, 360),
    ]
    assert all(r.bitrate_bps > 0 and r.peak_bitrate_bps >= r.bitrate_bps for r in got.renditions)
    assert len(got.thumbnails) == 3
    assert got.poster_url
    assert got.storyboard.vtt_url
    assert (await get(got.poster_url)).status_code == 200
    vtt = await get(got.storyboard.vtt_url)
    assert vtt.text.startswith("WEBVTT")
    assert "#xywh=" in vtt.text
    # Playback: the owner gets every rung; the master lists both with their codecs.
    session = (
        await media.CreatePlaybackSession(
            pb.CreatePlaybackSessionRequest(playback_session=pb.PlaybackSession(asset=asset.name, device_id="laptop")),
            metadata=alice.auth,
        )
    ).playback_session
    master = await get(session.playlist_url)
    assert master.status_code == 200
    assert master.text.count("#EXT-X-STREAM-INF") == 2
    assert 'RESOLUTION=640x360,CODECS="avc1.64001f,mp4a.40.2"' in master.text
    variant_url = [line for line in master.text.splitlines() if line and not line.startswith("#")][-1]
    variant = await get(variant_url)
    assert variant.status_code == 200
    assert "#EXT-X-ENDLIST" in variant.text
    segment_url = next(line for line in variant.text.splitlines() if line and not line.startswith("#"))
    # Segments go through the segment gate: a 302 to a short-lived storage URL.
    redirect = await get(segment_url)
    assert redirect.status_code == 302
    assert (await get(redirect.headers["location"])).status_code == 200
    # ffmpeg plays the whole signed playlist (following the gate's redirects): every segment decodes.
    decoded = await asyncio.to_thread(
        subprocess.run,
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-v", "error", "-i", session.playlist_url, "-f", "null", "-"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert decoded.returncode == 0, decoded.stderr.decode()[-500:]
    # Tampered signatures are refused: segments by the gate, playlists and storage URLs by the store itself.
    assert (await get(segment_url.replace("&s=", "&s=1"))).status_code == 403
    assert (await get(redirect.headers["location"].replace("X-Amz-Signature=", "X-Amz-Signature=1"))).status_code == 403
    assert (await get(session.playlist_url.replace("X-Amz-Signature=", "X-Amz-Signature=1"))).status_code == 403
    # Ending the session takes its playlists away.
    await media.EndPlaybackSession(pb.EndPlaybackSessionRequest(name=session.name), metadata=alice.auth)
    assert (await get(session.playlist_url)).status_code in (403, 404)
    assert (await get(variant_url)).status_code in (403, 404)
    assert (await get(segment_url)).status_code == 403  # and its segments are refused at once
    # The audio-only file for speech-to-text, through a signed URL.
    download = await media.GenerateDownloadUrl(
        pb.GenerateDownloadUrlRequest(name=asset.name, variant=pb.DOWNLOAD_VARIANT_AUDIO, on_behalf_of=alice.name),
        metadata=service.auth,
    )
    assert download.content_type == "audio/mp4"
    assert (await get(download.url)).status_code == 200


async def test_cancel_kills_ffmpeg_and_discards_partial_renditions(
    media: Any, alice: Caller, long_clip: pathlib.Path, worker: Any, objects: ObjectStore
) -> None:
    asset = await upload_clip(media, alice, long_clip)
    operation = (await media.StartTranscode(transcode_request(asset.name), metadata=alice.auth)).operation
    early = await watch(media, alice, operation.name, limit=3)
    assert early[-1].operation.state == S.OPERATION_STATE_RUNNING
    cancelled = await media.CancelOperation(pb.CancelOperationRequest(name=operation.name), metadata=alice.auth)
    assert not cancelled.operation.done or cancelled.operation.state == S.OPERATION_STATE_CANCELLED
    events = await watch(media, alice, operation.name)
    final = events[-1].operation
    assert final.state == S.OPERATION_STATE_CANCELLED
    assert final.error.code == grpc.StatusCode.CANCELLED.value[0]
    await asyncio.sleep(1.5)  # a helper that was mid-upload removes its rung too
    got = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=alice.auth)).asset
    assert got.state == pb.ASSET_STATE_READY_TO_PROCESS
    assert list(got.renditions) == []
    assert objects.list_keys(f"{asset.name}/hls/") == []
    again = await media.CancelOperation(pb.CancelOperationRequest(name=operation.name), metadata=alice.auth)
    assert again.operation.state == S.OPERATION_STATE_CANCELLED  # cancelling twice is harmless


async def test_transcode_refusals(media: Any, alice: Caller, bob: Caller, clip: pathlib.Path, worker: Any) -> None:
    waiting = await media.CreateUpload(
        pb.CreateUploadRequest(filename="w.mp4", content_type="video/mp4", size_bytes=10), metadata=alice.auth
    )
    error = await fails(media.StartTranscode(transcode_request(waiting.asset.name), metadata=alice.auth))
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "ASSET_NOT_READY"
    asset = await upload_clip(media, alice, clip)
    error = await fails(media.StartTranscode(transcode_request(asset.name), metadata=bob.auth))
    assert error.code == grpc.StatusCode.NOT_FOUND
    error = await fails(
        media.StartTranscode(
            pb.StartTranscodeRequest(name=asset.name, settings=pb.TranscodeSettings(ladder_preset=pb.LADDER_PRESET_UHD)),
            metadata=alice.auth,
        )
    )
    assert error.code == grpc.StatusCode.PERMISSION_DENIED
    first = (await media.StartTranscode(transcode_request(asset.name), metadata=alice.auth)).operation
    busy = await fails(media.StartTranscode(transcode_request(asset.name), metadata=alice.auth))
    assert busy.reason == "TRANSCODE_ALREADY_RUNNING"
    assert busy.info.metadata["operation"] == first.name
    hidden = await fails(media.GetOperation(pb.GetOperationRequest(name=first.name), metadata=bob.auth))
    assert hidden.code == grpc.StatusCode.NOT_FOUND
    listed = await media.ListOperations(pb.ListOperationsRequest(parent="users/me", asset=asset.name), metadata=alice.auth)
    assert [o.name for o in listed.operations] == [first.name]
    events = await watch(media, alice, first.name)
    assert events[-1].operation.state == S.OPERATION_STATE_SUCCEEDED
    done = await fails(media.CancelOperation(pb.CancelOperationRequest(name=first.name), metadata=alice.auth))
    assert done.code == grpc.StatusCode.FAILED_PRECONDITION
    assert done.reason == "OPERATION_ALREADY_DONE"
