"""The embedded model (SmolLM2-135M through llama-cpp-python) for real, on one short transcript.

It is a test-sized model: its JSON often does not fit the schema. What must hold either way is
the service's promise: the job ends, a note that is stored fits the schema, and a job whose
answers never fit fails with LLM_UNAVAILABLE and gives the credit back. Run on the embedded
backend only (the model does not depend on the database) and kept to one model pass."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import grpc
import pytest
from celery.contrib.testing.worker import start_worker
from google.rpc import error_details_pb2
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb
from marquee.notes.v1 import notes_pb2_grpc

from services.app import Dependencies, build_server
from services.core.llm import LlmSettings
from services.core.server import Server
from services.core.settings import Settings
from services.notes import tasks
from services.notes.settings import NotesSettings
from services.worker import create_celery
from tests.integration.notes.conftest import Caller, balance, grant, metadata_of, note_of, transcript_source, wait_done
from tests.integration.notes.eval_set import PHOTOSYNTHESIS, Case
from tests.support.harness import BACKEND

QUEUE = "notes-embedded-model"
# Just over the 100-word minimum: one short model pass, even on a loaded CPU.
SHORT = Case("short", PHOTOSYNTHESIS.title, PHOTOSYNTHESIS.lines[:8], PHOTOSYNTHESIS.terms)
pytestmark = pytest.mark.skipif(BACKEND == "external", reason="the embedded model is exercised once, on the embedded backend")


def local_settings(settings: Settings) -> dict[type, object]:
    return {
        NotesSettings: NotesSettings.load(
            settings, notes_queue=QUEUE, notes_output_tokens=120, notes_structured_retries=0, notes_chunk_tokens=1500
        ),
        LlmSettings: LlmSettings.load(settings, llm_provider="local", llm_local_context_tokens=1024),
    }


@pytest.fixture
async def local_server(settings: Settings) -> AsyncIterator[Server]:
    deps = Dependencies.build(settings)
    deps.service_settings.update(local_settings(settings))
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(1.0)


@pytest.fixture
def local_worker(settings: Settings, local_server: Server) -> Iterator[None]:
    worker_settings = settings.model_copy(update={"peer_addresses": {"billing": f"127.0.0.1:{local_server.port}"}})
    app = create_celery(worker_settings, task_modules=[])
    app.conf.task_default_queue = QUEUE
    tasks.register(app, worker_settings, service_settings=local_settings(settings))
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, shutdown_timeout=30.0, loglevel="WARNING"):
        yield


@pytest.mark.timeout(600)
async def test_a_short_transcript_with_the_embedded_model(
    local_server: Server, local_worker: None, billing, service, alice: Caller
) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{local_server.port}") as channel:
        notes = notes_pb2_grpc.NotesServiceStub(channel)
        await grant(billing, service, alice, 1)
        before = await balance(billing, service, alice)
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(
                parent="users/me",
                source=transcript_source(SHORT.srt()),
                options=pb.NoteOptions(include_quiz=False, link_notes=False),
            ),
            metadata=alice.auth,
        )
        done = await wait_done(notes, alice, reply.operation.name, limit=580)
        meta = metadata_of(done)
        assert meta.model == "SmolLM2-135M-Instruct" or meta.model
        if done.state == lro.OPERATION_STATE_SUCCEEDED:
            note = note_of(done)
            assert note.sections
            assert all(s.title and s.key_points for s in note.sections)
            assert note.usage.input_tokens > 0
            assert note.usage.output_tokens > 0
            assert await balance(billing, service, alice) == before - 1
        else:
            assert done.state == lro.OPERATION_STATE_FAILED, done
            info = error_details_pb2.ErrorInfo()
            assert done.error.details[0].Unpack(info), done.error
            assert info.reason == "LLM_UNAVAILABLE", done.error
            assert meta.credit_status == pb.CREDIT_STATUS_RELEASED
            assert await balance(billing, service, alice) == before
