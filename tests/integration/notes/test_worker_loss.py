"""A worker SIGKILLed in the middle of a job: its lease on the operation lapses, the task is
redelivered to another worker (or resent by its reaper), resumes from the chunk summaries in the
operation's checkpoint, and the credit is spent exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import grpc
import pytest
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb
from marquee.notes.v1 import notes_pb2_grpc

from services.app import Dependencies, build_server
from services.core.server import Server
from services.core.settings import Settings
from services.notes.settings import NotesSettings
from tests.integration.notes.conftest import Caller, balance, grant, metadata_of, service_settings, transcript_source, wait_done
from tests.integration.notes.eval_set import long_lecture
from tests.support.llm_standin import LlmStandin
from tests.support.youtube_standin import YouTubeStandin

QUEUE = "notes-worker-loss"


@pytest.fixture
async def lossy_server(settings: Settings, youtube: YouTubeStandin, llm: LlmStandin) -> AsyncIterator[Server]:
    deps = Dependencies.build(settings)
    deps.service_settings.update(service_settings(settings, youtube, llm))
    deps.service_settings[NotesSettings] = NotesSettings.load(
        settings, notes_youtube_base_url=youtube.base_url, notes_chunk_tokens=400, notes_queue=QUEUE
    )
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(1.0)


def spawn(
    settings: Settings, server: Server, llm: LlmStandin, youtube: YouTubeStandin, queue: str = QUEUE
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MARQUEE_ENV": "test",
        "MARQUEE_DATABASE_URL": settings.database_url,
        "MARQUEE_REDIS_URL": settings.redis_url,
        "MARQUEE_DATA_DIR": str(settings.data_dir),
        "MARQUEE_PEER_ADDRESSES": json.dumps({"billing": f"127.0.0.1:{server.port}", "media": f"127.0.0.1:{server.port}"}),
        "MARQUEE_NOTES_YOUTUBE_BASE_URL": youtube.base_url,
        "MARQUEE_NOTES_CHUNK_TOKENS": "400",
        "MARQUEE_LLM_PROVIDER": "openai",
        "MARQUEE_LLM_BASE_URL": llm.openai_url,
        "MARQUEE_LLM_MODEL": "standin-notes",
        "MARQUEE_LLM_TOKENIZE_URL": llm.openai_url.removesuffix("/v1") + "/tokenize",
        "MARQUEE_LLM_MAX_CONCURRENCY": "1",
        "MARQUEE_LOG_LEVEL": "WARNING",
        # The dead worker's lease lapses before its message is redelivered, so the redelivery resumes it.
        "MARQUEE_OPERATION_LEASE_SECONDS": "3",
        "MARQUEE_OPERATION_REAPER_INTERVAL_SECONDS": "1",
    }
    return subprocess.Popen([sys.executable, "-m", "tests.integration.notes.worker_process", queue], env=env)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


async def test_sigkill_mid_job_resumes_and_charges_once(
    settings: Settings,
    lossy_server: Server,
    llm: LlmStandin,
    youtube: YouTubeStandin,
    billing,
    service,
    alice: Caller,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{lossy_server.port}") as channel:
        notes = notes_pb2_grpc.NotesServiceStub(channel)
        await grant(billing, service, alice, 1)
        before = await balance(billing, service, alice)
        llm.token_delay = 0.01
        try:
            workers.append(spawn(settings, lossy_server, llm, youtube))
            reply = await notes.GenerateNotes(
                pb.GenerateNotesRequest(
                    parent="users/me",
                    source=transcript_source(long_lecture(20).srt()),
                    options=pb.NoteOptions(include_quiz=False),
                ),
                metadata=alice.auth,
            )
            name = reply.operation.name

            async def summarizing() -> pb.GenerateNotesMetadata:
                while True:
                    got = (await notes.GetOperation(pb.GetOperationRequest(name=name), metadata=alice.auth)).operation
                    meta = metadata_of(got)
                    if meta.chunks_done >= 1 and meta.chunks_done < meta.chunk_count:
                        return meta
                    assert not got.done, got
                    await asyncio.sleep(0.05)

            meta = await asyncio.wait_for(summarizing(), 60)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait(10)
            saved = meta.chunks_done
            asked_before = sum(1 for path, _, _ in llm.requests if path == "/v1/chat/completions")
        finally:
            llm.token_delay = 0.0
        workers.append(spawn(settings, lossy_server, llm, youtube))
        done = await wait_done(notes, alice, name, limit=60)
        assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
        final = metadata_of(done)
        assert final.credit_status == pb.CREDIT_STATUS_CHARGED
        assert await balance(billing, service, alice) == before - 1
        # The resumed run asked the model only for the chunks not saved before the kill (plus the merge).
        asked_after = sum(1 for path, _, _ in llm.requests if path == "/v1/chat/completions") - asked_before
        assert asked_after <= final.chunk_count - saved + 2
