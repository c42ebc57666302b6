"""A worker SIGKILLed mid-transcode: the operation is redelivered to another worker, resumes
(published rungs are not redone), the asset ends READY exactly once and no partial objects remain."""

from __future__ import annotations

import pathlib
import signal
from typing import Any

import httpx
import pytest
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2 as pb

from services.core.processes import stop_process
from services.core.settings import Settings
from services.core.storage import ObjectStore
from tests.integration.media.conftest import Caller, media_worker, watch
from tests.integration.media.test_uploads import upload_clip
from tests.support.runtime_server import wait_for_worker
from tests.support.seaweed import make_clip

S = operation_pb2.OperationState


@pytest.fixture(scope="module")
def medium_clip(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return make_clip(tmp_path_factory.mktemp("kill") / "medium.mp4", seconds=20, size="854x480")


async def test_sigkill_mid_transcode_is_redelivered_and_ready_once(
    media: Any, alice: Caller, settings: Settings, medium_clip: pathlib.Path, objects: ObjectStore
) -> None:
    doomed = media_worker(settings, "media-doomed", concurrency=1)
    successor = None
    try:
        wait_for_worker(settings, doomed, name="media-doomed")
        asset = await upload_clip(media, alice, medium_clip)
        operation = (
            await media.StartTranscode(
                pb.StartTranscodeRequest(name=asset.name, settings=pb.TranscodeSettings(thumbnail_count=2)), metadata=alice.auth
            )
        ).operation
        early = await watch(media, alice, operation.name, limit=4)
        assert early[-1].operation.state == S.OPERATION_STATE_RUNNING
        assert early[-1].operation.progress.step == "encode"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        successor = media_worker(settings, "media-successor", concurrency=2)
        events = await watch(media, alice, operation.name, within=180)
        final = events[-1].operation
        assert final.state == S.OPERATION_STATE_SUCCEEDED, final.error.message
        got = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=alice.auth)).asset
        assert got.state == pb.ASSET_STATE_READY
        assert [r.height for r in got.renditions] == [240, 360, 480]
        ready_time = got.ready_time
        # Every stored segment is one a playlist names: nothing partial or orphaned is left behind.
        for rendition in got.renditions:
            prefix = f"{asset.name}/hls/{rendition.height}p/"
            playlist = objects.get_bytes(prefix + "index.m3u8").decode()
            named = {line for line in playlist.splitlines() if line and not line.startswith("#")}
            stored = {o.key.removeprefix(prefix) for o in objects.list_keys(prefix)} - {"index.m3u8"}
            assert stored == named
        # A late duplicate of the task changes nothing.
        again = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=alice.auth)).asset
        assert again.ready_time == ready_time
        listed = await media.ListOperations(pb.ListOperationsRequest(parent="users/me", asset=asset.name), metadata=alice.auth)
        assert len(listed.operations) == 1
        session = (
            await media.CreatePlaybackSession(
                pb.CreatePlaybackSessionRequest(playback_session=pb.PlaybackSession(asset=asset.name, device_id="d")),
                metadata=alice.auth,
            )
        ).playback_session
        async with httpx.AsyncClient(timeout=30) as client:
            assert (await client.get(session.playlist_url)).status_code == 200
    finally:
        stop_process(doomed, timeout_seconds=5)
        if successor is not None:
            stop_process(successor, timeout_seconds=15)
