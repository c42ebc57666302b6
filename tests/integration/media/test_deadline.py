"""A transcode past its deadline ends FAILED with DEADLINE_EXCEEDED (ffmpeg stopped, never "pending forever"),
and the asset is FAILED with the reason and no partial renditions: a server of its own with a 10 s deadline and a
real worker on a source that takes longer than that to encode."""

from __future__ import annotations

import asyncio
import pathlib
import time

import grpc
import pytest
from google.rpc import code_pb2
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2 as pb
from marquee.media.v1 import media_pb2_grpc

from services.app import Dependencies, build_server
from services.core.processes import stop_process
from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import Settings
from services.core.storage import ObjectStore
from services.media.settings import MediaSettings
from tests.integration.media.conftest import Caller, media_worker, watch
from tests.integration.media.test_uploads import upload_clip
from tests.support.runtime_server import wait_for_worker
from tests.support.seaweed import make_clip


@pytest.mark.timeout(300)  # a real encode on a shared machine
async def test_a_transcode_past_its_deadline_fails(
    settings: Settings, admin: Caller, seaweed: EmbeddedSeaweedFS, objects: ObjectStore, tmp_path: pathlib.Path
) -> None:
    short = MediaSettings.load(settings, media_transcode_deadline_seconds=10)
    running = build_server(Dependencies.build(settings, short), address="127.0.0.1:0")
    await running.start()
    worker = media_worker(settings, "media-deadline", concurrency=1)
    try:
        wait_for_worker(settings, worker, name="media-deadline")
        clip = await asyncio.to_thread(make_clip, tmp_path / "long.mp4", seconds=20, size="1920x1080")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            media = media_pb2_grpc.MediaServiceStub(channel)
            asset = await upload_clip(media, admin, clip, asset=pb.Asset(purpose=pb.ASSET_PURPOSE_EXTRA))
            started = time.monotonic()
            operation = (await media.StartTranscode(pb.StartTranscodeRequest(name=asset.name), metadata=admin.auth)).operation
            events = await watch(media, admin, operation.name, within=120)
            ended = events[-1].operation
            assert ended.state == operation_pb2.OPERATION_STATE_FAILED, ended
            assert ended.error.code == code_pb2.DEADLINE_EXCEEDED, ended.error.message
            assert time.monotonic() - started < 60  # stopped at its deadline, not after the whole encode
            await asyncio.sleep(1.0)  # the worker's own clean-up after ffmpeg is stopped
            back = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=admin.auth)).asset
            assert back.state == pb.ASSET_STATE_FAILED  # the contract: failed, `error` says why; StartTranscode may retry
            assert (back.error.code, back.error.message) == (
                code_pb2.DEADLINE_EXCEEDED,
                "the transcode did not finish by its deadline",
            )
            assert list(back.renditions) == []
            assert objects.list_keys(f"{asset.name}/hls/") == []  # partial output removed
    finally:
        stop_process(worker, timeout_seconds=15)
        await running.stop(0.5)
