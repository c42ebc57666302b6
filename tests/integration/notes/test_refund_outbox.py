"""The refund outbox over the wire: a job that ends without a note while Billing is down, or at its
deadline by the shared runtime's reaper with no worker running it, is refunded exactly once when
Billing answers (balance and ledger read through Billing's RPCs), with two Notes servers (two
dispatchers) racing for the refund; and a QUEUED job's queue position is real."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import grpc
import pytest
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb
from marquee.notes.v1 import notes_pb2_grpc
from sqlalchemy import MetaData, update

from services.app import Dependencies, build_server
from services.core.models import utcnow
from services.core.operations import OperationsTable, OperationStore
from services.core.server import Server
from services.core.settings import Settings
from services.core.tasks import OperationRun, RuntimeSettings, WorkerRuntime, reap
from services.notes.models import NOTES_OPERATIONS
from services.notes.settings import NotesSettings
from services.worker import create_celery
from tests.integration.notes.conftest import (
    Caller,
    balance,
    grant,
    metadata_of,
    new_user,
    notes_settings,
    service_settings,
    transcript_source,
    wait_done,
)
from tests.integration.notes.eval_set import NEURONS, PHOTOSYNTHESIS, SUPPLY_DEMAND, long_lecture
from tests.integration.notes.test_worker_loss import spawn
from tests.support.llm_standin import LlmStandin
from tests.support.switch_proxy import SwitchProxy
from tests.support.youtube_standin import YouTubeStandin

pytestmark = pytest.mark.usefixtures("worker")


async def _second_server(settings: Settings, youtube: YouTubeStandin, llm: LlmStandin, switch: SwitchProxy, queue: str) -> Server:
    """Another Notes server process-alike (its own engine, peers and refund dispatcher) on the
    same database, sending its jobs to `queue`."""
    deps = Dependencies.build(notes_settings(settings, switch))
    deps.service_settings.update(service_settings(settings, youtube, llm))
    base = deps.service_settings[NotesSettings]
    deps.service_settings[NotesSettings] = base.model_copy(update={"notes_queue": queue})
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    return running


@dataclass
class Idle:
    """Notes on a second server whose jobs go to a queue of their own (no worker consumes it unless a test starts one)."""

    server: Server
    stub: notes_pb2_grpc.NotesServiceStub
    queue: str


@pytest.fixture
async def idle_notes(
    settings: Settings, youtube: YouTubeStandin, llm: LlmStandin, billing_switch: SwitchProxy
) -> AsyncIterator[Idle]:
    queue = f"notes-idle-{uuid.uuid4().hex[:8]}"
    running = await _second_server(settings, youtube, llm, billing_switch, queue)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield Idle(running, notes_pb2_grpc.NotesServiceStub(channel), queue)
    await running.stop(1.0)


@pytest.fixture
def idle(idle_notes: Idle) -> notes_pb2_grpc.NotesServiceStub:
    return idle_notes.stub


@pytest.fixture
async def second_dispatcher(
    settings: Settings, youtube: YouTubeStandin, llm: LlmStandin, billing_switch: SwitchProxy
) -> AsyncIterator[Server]:
    """A second Notes server on the same queue and database: two refund dispatchers race."""
    running = await _second_server(settings, youtube, llm, billing_switch, "notes")
    yield running
    await running.stop(1.0)


async def wait_credit(
    notes: notes_pb2_grpc.NotesServiceStub, caller: Caller, name: str, status: int, limit: float = 60.0
) -> lro.Operation:
    async def poll() -> lro.Operation:
        while True:
            found = (await notes.GetOperation(pb.GetOperationRequest(name=name), metadata=caller.auth)).operation
            if metadata_of(found).credit_status == status:
                return found
            await asyncio.sleep(0.1)

    return await asyncio.wait_for(poll(), limit)


async def refunds_of(billing: billing_pb2_grpc.BillingServiceStub, service: Caller, user: Caller, job_name: str) -> int:
    """Refund entries in the user's ledger for this job's refund request id."""
    request_id = f"notes-refund-{job_name.rsplit('/', 1)[-1]}"
    reply = await billing.ListCreditLedgerEntries(
        billing_pb2.ListCreditLedgerEntriesRequest(parent=user.name, kinds=[billing_pb2.CREDIT_ENTRY_KIND_REFUND], page_size=200),
        metadata=service.auth,
    )
    return sum(1 for entry in reply.entries if entry.request_id == request_id)


async def test_a_failure_while_billing_is_down_is_refunded_once_when_it_is_back(
    notes, billing, service, signer, llm, billing_switch: SwitchProxy, second_dispatcher: Server
) -> None:
    user = new_user(signer)
    await grant(billing, service, user, 2)
    before = await balance(billing, service, user)
    text = NEURONS.srt().replace("A neuron is", "GARBAGEME a neuron is")
    # The model answers only once Billing is gone, so the job fails after that on any machine. (A delay
    # raced it: on a loaded machine the worker's refund could be in flight when the switch went down,
    # land in Billing and lose only its reply.)
    llm.gate.clear()
    try:
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(parent="users/me", source=transcript_source(text)), metadata=user.auth
        )
        billing_switch.down()
        llm.gate.set()
        done = await wait_done(notes, user, reply.operation.name)
        assert done.state == lro.OPERATION_STATE_FAILED
        # Both dispatchers try (and fail) for a while: the credit is still held, and says so.
        await asyncio.sleep(2.0)
        assert await balance(billing, service, user) == before - 1
        held = (await notes.GetOperation(pb.GetOperationRequest(name=done.name), metadata=user.auth)).operation
        assert metadata_of(held).credit_status == pb.CREDIT_STATUS_RESERVED
    finally:
        llm.gate.set()
        billing_switch.up()
    settled = await wait_credit(notes, user, done.name, pb.CREDIT_STATUS_RELEASED)
    assert settled.state == lro.OPERATION_STATE_FAILED
    assert await balance(billing, service, user) == before
    await asyncio.sleep(1.0)  # any late duplicate from the other dispatcher would have landed by now
    assert await balance(billing, service, user) == before
    assert await refunds_of(billing, service, user, done.name) == 1


async def test_a_queued_job_ended_by_the_reaper_at_its_deadline_is_refunded(
    idle, billing, service, signer, settings: Settings
) -> None:
    user = new_user(signer)
    await grant(billing, service, user, 1)
    before = await balance(billing, service, user)
    reply = await idle.GenerateNotes(
        pb.GenerateNotesRequest(parent="users/me", source=transcript_source(PHOTOSYNTHESIS.srt())), metadata=user.auth
    )
    assert reply.operation.state == lro.OPERATION_STATE_QUEUED
    assert await balance(billing, service, user) == before - 1
    job_id = reply.operation.name.rsplit("/", 1)[-1]

    def overdue_and_reaped() -> list[str]:
        # Time passes: the job's deadline is behind it. Then one sweep of the workers' reaper.
        runtime = WorkerRuntime(settings)
        try:
            with runtime.database.transaction() as session:
                table = NOTES_OPERATIONS.table
                session.execute(update(table).where(table.c.id == job_id).values(deadline_at=utcnow() - dt.timedelta(seconds=1)))
            # A service whose table is missing (its migration not applied) is swept first: it fails
            # on its own and the sweep goes on to the others.
            ghost = OperationsTable.declare(MetaData(), service="ghost")
            report = reap(runtime, create_celery(settings, register=False), [ghost, NOTES_OPERATIONS])
            return report.deadline_exceeded
        finally:
            runtime.close()

    assert job_id in await asyncio.to_thread(overdue_and_reaped)
    settled = await wait_credit(idle, user, reply.operation.name, pb.CREDIT_STATUS_RELEASED, limit=30)
    assert settled.state == lro.OPERATION_STATE_FAILED
    assert settled.error.code == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
    assert await balance(billing, service, user) == before
    assert await refunds_of(billing, service, user, reply.operation.name) == 1


async def test_queued_jobs_know_their_place_and_a_queued_cancel_is_refunded(idle, billing, service, signer) -> None:
    first, second = new_user(signer), new_user(signer)
    for user in (first, second):
        await grant(billing, service, user, 2)
    started = []
    for user, lesson in ((first, NEURONS), (second, SUPPLY_DEMAND), (first, PHOTOSYNTHESIS)):
        reply = await idle.GenerateNotes(
            pb.GenerateNotesRequest(parent="users/me", source=transcript_source(lesson.srt())), metadata=user.auth
        )
        started.append((user, reply.operation))
    # Anybody's jobs count: the third waits behind the first user's and the second user's.
    assert [metadata_of(op).queue_position for _, op in started] == [0, 1, 2]

    async def position(user: Caller, name: str) -> int:
        found = (await idle.GetOperation(pb.GetOperationRequest(name=name), metadata=user.auth)).operation
        return metadata_of(found).queue_position

    assert [await position(user, op.name) for user, op in started] == [0, 1, 2]
    listed = await idle.ListOperations(pb.ListOperationsRequest(parent="users/me"), metadata=first.auth)
    assert sorted(metadata_of(op).queue_position for op in listed.operations) == [0, 2]

    before = await balance(billing, service, first)
    cancelled = await idle.CancelOperation(pb.CancelOperationRequest(name=started[0][1].name), metadata=first.auth)
    assert cancelled.operation.state == lro.OPERATION_STATE_CANCELLED
    assert metadata_of(cancelled.operation).credit_status == pb.CREDIT_STATUS_RELEASED
    assert metadata_of(cancelled.operation).queue_position == 0
    assert await balance(billing, service, first) == before + 1
    # The ones behind it moved up.
    assert [await position(user, op.name) for user, op in started[1:]] == [0, 1]
    async for event in idle.WatchOperation(pb.WatchOperationRequest(name=started[2][1].name), metadata=first.auth):
        assert metadata_of(event.event.operation).queue_position == 1
        break
    for user, op in started[1:]:
        await idle.CancelOperation(pb.CancelOperationRequest(name=op.name), metadata=user.auth)
    assert await refunds_of(billing, service, first, started[0][1].name) == 1


@pytest.fixture
def doomed() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def test_a_job_whose_worker_was_killed_and_never_came_back_is_refunded(
    idle_notes: Idle, billing, service, signer, settings: Settings, llm: LlmStandin, youtube: YouTubeStandin,
    doomed: list[subprocess.Popen[bytes]],
) -> None:  # fmt: skip
    user = new_user(signer)
    await grant(billing, service, user, 1)
    before = await balance(billing, service, user)
    notes = idle_notes.stub
    llm.token_delay = 0.01
    try:
        doomed.append(spawn(settings, idle_notes.server, llm, youtube, idle_notes.queue))
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(
                parent="users/me", source=transcript_source(long_lecture(20).srt()), options=pb.NoteOptions(include_quiz=False)
            ),
            metadata=user.auth,
        )
        name = reply.operation.name

        async def running() -> None:
            while True:
                found = (await notes.GetOperation(pb.GetOperationRequest(name=name), metadata=user.auth)).operation
                if metadata_of(found).chunks_done >= 1:
                    return
                assert not found.done, found
                await asyncio.sleep(0.05)

        await asyncio.wait_for(running(), 60)
        doomed[0].send_signal(signal.SIGKILL)
        doomed[0].wait(10)
    finally:
        llm.token_delay = 0.0
    await asyncio.sleep(3.5)  # the dead worker's lease (3 s) lapses; no worker takes the job again
    job_id = name.rsplit("/", 1)[-1]

    def reaped() -> list[str]:
        # Another worker's reaper, for which this was the last delivery it allows.
        runtime = WorkerRuntime(settings)
        runtime.runtime = RuntimeSettings.load(settings, operation_lease_seconds=3.0, operation_max_attempts=1)
        try:
            return reap(runtime, create_celery(settings, register=False), [NOTES_OPERATIONS]).abandoned
        finally:
            runtime.close()

    assert job_id in await asyncio.to_thread(reaped)
    settled = await wait_credit(notes, user, name, pb.CREDIT_STATUS_RELEASED, limit=30)
    assert settled.state == lro.OPERATION_STATE_FAILED
    assert settled.error.code == grpc.StatusCode.ABORTED.value[0]
    assert await balance(billing, service, user) == before
    assert await refunds_of(billing, service, user, name) == 1


async def test_a_cancel_that_wins_the_race_with_the_end_is_refunded_and_says_released(
    idle, billing, service, signer, settings: Settings
) -> None:
    """The race as the worker meets it: the note is ready and the checkpoint already says CHARGED
    when the cancel lands; the runtime's `succeed` refuses (the cancel wins) and ends CANCELLED."""
    user = new_user(signer)
    await grant(billing, service, user, 1)
    before = await balance(billing, service, user)
    reply = await idle.GenerateNotes(
        pb.GenerateNotesRequest(parent="users/me", source=transcript_source(NEURONS.srt())), metadata=user.auth
    )
    job_id = reply.operation.name.rsplit("/", 1)[-1]
    runtime = WorkerRuntime(settings)
    store = OperationStore(NOTES_OPERATIONS)
    try:

        def claim_and_finish_the_note() -> OperationRun:
            with runtime.database.transaction() as session:
                record = store.claim(session, job_id, worker="race-worker", lease=dt.timedelta(seconds=30))
            assert record is not None
            run = OperationRun(runtime, NOTES_OPERATIONS, record, "race-worker")
            run.save_checkpoint(credit_status="charged")  # what the pipeline writes just before `succeed`
            return run

        run = await asyncio.to_thread(claim_and_finish_the_note)
        cancelled = await idle.CancelOperation(pb.CancelOperationRequest(name=reply.operation.name), metadata=user.auth)
        assert cancelled.operation.state == lro.OPERATION_STATE_RUNNING
        assert not await asyncio.to_thread(run.succeed, pb.Note(name="users/x/notes/y"))
    finally:
        runtime.close()
    settled = await wait_credit(idle, user, reply.operation.name, pb.CREDIT_STATUS_RELEASED, limit=30)
    assert settled.state == lro.OPERATION_STATE_CANCELLED
    assert await balance(billing, service, user) == before
    assert await refunds_of(billing, service, user, reply.operation.name) == 1
