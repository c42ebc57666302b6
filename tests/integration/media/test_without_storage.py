"""A server with no object store configured answers UNAVAILABLE, never INTERNAL (found by the fuzzer)."""

from __future__ import annotations

import pathlib
import uuid

import grpc
import pytest
from marquee.media.v1 import media_pb2, media_pb2_grpc

from services.app import Dependencies, build_server
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner
from tests.support.harness import bearer, rpc_error


async def test_storage_calls_without_a_store_are_unavailable(settings: Settings, tmp_path: pathlib.Path) -> None:
    # A server of its own on an empty data dir: no SeaweedFS there and no MARQUEE_STORAGE_ENDPOINT_URL.
    alone = settings.model_copy(update={"data_dir": tmp_path, "services": ["media"]})
    running = build_server(Dependencies.build(alone), address="127.0.0.1:0")
    await running.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            await _delete_a_text_track(channel, settings)
    finally:
        await running.stop(0.5)


async def _delete_a_text_track(channel: grpc.aio.Channel, settings: Settings) -> None:
    signer = TokenSigner.from_settings(settings, KeySet.from_settings(settings))
    token, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex)
    stub = media_pb2_grpc.MediaServiceStub(channel)
    name = f"assets/{uuid.uuid4().hex}/textTracks/{uuid.uuid4().hex}"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.DeleteTextTrack(media_pb2.DeleteTextTrackRequest(name=name), metadata=bearer(token))
    error = rpc_error(caught.value)
    assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"), error.message
