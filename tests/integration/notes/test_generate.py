"""Note generation over the wire through a real Celery worker: uploads, YouTube, long transcripts,
structured-output repair, credits charged once and refunded once."""

from __future__ import annotations

import uuid

import grpc
import pytest
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb
from marquee.notes.v1 import notes_pb2_grpc

from tests.integration.notes.conftest import (
    Caller,
    balance,
    expect,
    fails,
    grant,
    metadata_of,
    note_of,
    transcript_source,
    wait_done,
)
from tests.integration.notes.eval_set import NEURONS, PHOTOSYNTHESIS, SUPPLY_DEMAND, long_lecture

pytestmark = pytest.mark.usefixtures("worker")


async def test_srt_upload_makes_a_timestamped_note_and_charges_one_credit(notes, billing, service, alice: Caller) -> None:
    await grant(billing, service, alice, 3)
    before = await balance(billing, service, alice)
    reply = await notes.GenerateNotes(
        pb.GenerateNotesRequest(
            parent="users/me",
            source=transcript_source(PHOTOSYNTHESIS.srt(), title=PHOTOSYNTHESIS.title),
            request_id=str(uuid.uuid4()),
        ),
        metadata=alice.auth,
    )
    assert reply.operation.kind == "generate_notes"
    assert reply.operation.state in (lro.OPERATION_STATE_QUEUED, lro.OPERATION_STATE_RUNNING)
    done = await wait_done(notes, alice, reply.operation.name)
    assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
    meta = metadata_of(done)
    assert meta.credit_status == pb.CREDIT_STATUS_CHARGED
    assert [s.state for s in meta.steps][:4] == [pb.STEP_STATE_SUCCEEDED] * 4
    note = note_of(done)
    assert note.title == PHOTOSYNTHESIS.title
    assert note.sections
    assert all(s.HasField("start_offset") for s in note.sections)
    for section in note.sections:
        for point in section.key_points:
            assert section.start_offset.seconds <= point.offset.seconds <= section.end_offset.seconds
    terms = {t.term.lower() for t in note.key_terms}
    assert {"photosynthesis", "calvin"} <= terms
    assert note.credits_spent == 1
    assert await balance(billing, service, alice) == before - 1
    got = await notes.GetNote(pb.GetNoteRequest(name=note.name), metadata=alice.auth)
    assert got.note.latest_quiz
    assert got.note.quiz_count == 1
    transcript = await notes.GetTranscript(pb.GetTranscriptRequest(name=f"{note.name}/transcript"), metadata=alice.auth)
    assert transcript.transcript.timed
    assert transcript.transcript.segments[1].start_offset.seconds == 12


async def test_vtt_upload_and_retry_with_the_same_request_id_is_charged_once(notes, billing, service, alice: Caller) -> None:
    await grant(billing, service, alice, 2)
    before = await balance(billing, service, alice)
    request = pb.GenerateNotesRequest(
        parent="users/me", source=transcript_source(NEURONS.vtt(), pb.TRANSCRIPT_FORMAT_WEBVTT), request_id=str(uuid.uuid4())
    )
    first = await notes.GenerateNotes(request, metadata=alice.auth)
    again = await notes.GenerateNotes(request, metadata=alice.auth)
    assert again.operation.name == first.operation.name
    done = await wait_done(notes, alice, first.operation.name)
    assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
    assert "neuron" in {t.term.lower() for t in note_of(done).key_terms}
    assert await balance(billing, service, alice) == before - 1
    other = pb.GenerateNotesRequest(
        parent="users/me", source=transcript_source(SUPPLY_DEMAND.srt()), request_id=request.request_id
    )
    expect(await fails(notes.GenerateNotes(other, metadata=alice.auth)), grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    dup = pb.GenerateNotesRequest(parent="users/me", source=transcript_source(NEURONS.vtt(), pb.TRANSCRIPT_FORMAT_WEBVTT))
    error = await fails(notes.GenerateNotes(dup, metadata=alice.auth))
    expect(error, grpc.StatusCode.ALREADY_EXISTS, "DUPLICATE_SOURCE")
    assert error.info is not None
    assert error.info.metadata["note"] == note_of(done).name


async def test_youtube_video_through_the_standin_keeps_title_channel_and_chapters(
    notes, billing, service, alice, youtube
) -> None:
    from tests.support.youtube_standin import Video

    lines = SUPPLY_DEMAND.lines
    youtube.videos["abcdefghijk"] = Video(
        title="Markets 101",
        channel="Econ Channel",
        length_seconds=len(lines) * 12,
        segments=[(i * 12.0, i * 12.0 + 12, line) for i, line in enumerate(lines)],
        description="0:00 Curves\n1:12 Shortages and surpluses\n1:48 Price controls",
        auto=True,
    )
    await grant(billing, service, alice, 1)
    source = pb.SourceInput(video_uri="https://youtu.be/abcdefghijk")
    estimate = await notes.EstimateNoteCost(pb.EstimateNoteCostRequest(parent="users/me", source=source), metadata=alice.auth)
    assert estimate.credits == 1
    assert estimate.sufficient_credits
    assert (estimate.source.title, estimate.source.channel, estimate.source.duration.seconds) == (
        "Markets 101",
        "Econ Channel",
        144,
    )
    reply = await notes.GenerateNotes(pb.GenerateNotesRequest(parent="users/me", source=source), metadata=alice.auth)
    done = await wait_done(notes, alice, reply.operation.name)
    assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
    note = note_of(done)
    assert note.source.video_id == "abcdefghijk"
    assert note.source.transcript_origin == pb.TRANSCRIPT_ORIGIN_AUTO_CAPTIONS
    # Chapter-aware chunking: no section straddles a chapter start.
    starts = [s.start_offset.seconds for s in note.sections]
    assert 72 in starts
    assert 108 in starts
    assert note.sections[0].key_points[0].watch_uri.startswith("https://www.youtube.com/watch?v=abcdefghijk&t=")


async def test_youtube_refusals_map_to_the_contract(notes, alice, youtube) -> None:
    from tests.support.youtube_standin import Video

    youtube.videos["privatevid1"] = Video("x", "y", 60, [], mode="private")
    youtube.videos["nocaptions1"] = Video("x", "y", 60, [], mode="no_captions")
    youtube.videos["throttled01"] = Video("x", "y", 60, [], mode="throttled")
    youtube.videos["toolongvid1"] = Video("x", "y", 4 * 3600, [(0, 1, "hi")])
    cases = {
        "https://www.youtube.com/watch?v=privatevid1": (grpc.StatusCode.FAILED_PRECONDITION, "VIDEO_UNAVAILABLE"),
        "https://www.youtube.com/watch?v=nocaptions1": (grpc.StatusCode.FAILED_PRECONDITION, "TRANSCRIPT_UNAVAILABLE"),
        "https://www.youtube.com/watch?v=throttled01": (grpc.StatusCode.UNAVAILABLE, "VIDEO_HOST_UNAVAILABLE"),
        "https://www.youtube.com/shorts/toolongvid1": (grpc.StatusCode.INVALID_ARGUMENT, "VIDEO_TOO_LONG"),
        "https://www.youtube.com/playlist?list=PL123": (grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_SOURCE"),
        "https://vimeo.com/12345": (grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_SOURCE"),
    }
    for uri, (code, reason) in cases.items():
        error = await fails(
            notes.EstimateNoteCost(
                pb.EstimateNoteCostRequest(parent="users/me", source=pb.SourceInput(video_uri=uri)), metadata=alice.auth
            )
        )
        expect(error, code, reason)


async def test_bad_uploads_are_refused_before_any_credit(notes, billing, service, alice: Caller) -> None:
    await grant(billing, service, alice, 1)
    before = await balance(billing, service, alice)
    cases = {
        "": "INVALID_ARGUMENT",
        "too short to take notes on " * 3: "TRANSCRIPT_TOO_SHORT",
        "word " * 50_001: "TRANSCRIPT_TOO_LONG",
        "1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\nnot a cue line\nmore\n": "INVALID_ARGUMENT",
        "caf\ufffd broken encoding " * 30: "INVALID_ARGUMENT",
    }
    for text, reason in cases.items():
        error = await fails(
            notes.GenerateNotes(pb.GenerateNotesRequest(parent="users/me", source=transcript_source(text)), metadata=alice.auth)
        )
        expect(error, grpc.StatusCode.INVALID_ARGUMENT, reason)
        assert error.bad_request is not None
    assert await balance(billing, service, alice) == before


async def test_insufficient_credits_queue_nothing(notes, bob: Caller) -> None:
    error = await fails(
        notes.GenerateNotes(
            pb.GenerateNotesRequest(parent="users/me", source=transcript_source(PHOTOSYNTHESIS.srt())), metadata=bob.auth
        )
    )
    expect(error, grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_CREDITS")
    listed = await notes.ListOperations(pb.ListOperationsRequest(parent="users/me"), metadata=bob.auth)
    assert list(listed.operations) == []


async def test_long_transcript_is_chunked_and_merged(notes, billing, service, alice: Caller, llm) -> None:
    await grant(billing, service, alice, 1)
    lecture = long_lecture(40)
    llm.token_delay = 0.004  # slow enough for the watcher to see each chunk finish
    reply = await notes.GenerateNotes(
        pb.GenerateNotesRequest(
            parent="users/me", source=transcript_source(lecture.srt()), options=pb.NoteOptions(include_quiz=False)
        ),
        metadata=alice.auth,
    )
    events = []
    async for event in notes.WatchOperation(pb.WatchOperationRequest(name=reply.operation.name), metadata=alice.auth):
        events.append(event.event)
    llm.token_delay = 0.0
    done = events[-1].operation
    assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
    meta = metadata_of(done)
    assert meta.chunk_count >= 4
    assert len(note_of(done).sections) == meta.chunk_count
    assert [e.sequence for e in events] == sorted(set(e.sequence for e in events))
    messages = [e.operation.progress.message for e in events]
    assert any(m.startswith("summarizing ") and " of " in m for m in messages)
    assert {"summarize", "finalize"} <= {e.operation.progress.step for e in events}
    assert meta.steps[0].state == pb.STEP_STATE_SUCCEEDED
    assert meta.steps[0].HasField("end_time")
    assert meta.steps[4].state == pb.STEP_STATE_SKIPPED


async def test_invalid_structured_output_is_repaired_or_retried(notes, billing, service, alice: Caller, llm) -> None:
    await grant(billing, service, alice, 2)
    for marker in ("REPAIRME", "FENCEME"):
        text = PHOTOSYNTHESIS.srt().replace("Today we look", f"{marker} today we look")
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(parent="users/me", source=transcript_source(text)), metadata=alice.auth
        )
        done = await wait_done(notes, alice, reply.operation.name)
        assert done.state == lro.OPERATION_STATE_SUCCEEDED, (marker, done.error)
        assert all(s.key_points for s in note_of(done).sections)
    repairs = [body for path, body, _ in llm.requests if "That answer is invalid" in str(body.get("messages", [])[-1:])]
    assert repairs


async def test_garbage_output_fails_the_job_and_refunds_exactly_once(notes, billing, service, alice: Caller) -> None:
    await grant(billing, service, alice, 1)
    before = await balance(billing, service, alice)
    text = NEURONS.srt().replace("A neuron is", "GARBAGEME a neuron is")
    reply = await notes.GenerateNotes(
        pb.GenerateNotesRequest(parent="users/me", source=transcript_source(text)), metadata=alice.auth
    )
    done = await wait_done(notes, alice, reply.operation.name)
    assert done.state == lro.OPERATION_STATE_FAILED
    assert done.error.code == grpc.StatusCode.UNAVAILABLE.value[0]
    assert metadata_of(done).credit_status == pb.CREDIT_STATUS_RELEASED
    assert await balance(billing, service, alice) == before
    # Cancelling a failed job is refused and refunds nothing more.
    error = await fails(notes.CancelOperation(pb.CancelOperationRequest(name=done.name), metadata=alice.auth))
    expect(error, grpc.StatusCode.FAILED_PRECONDITION, "JOB_ALREADY_DONE")
    assert await balance(billing, service, alice) == before


async def test_model_down_fails_with_llm_unavailable_and_refunds(notes, billing, service, alice: Caller, llm) -> None:
    await grant(billing, service, alice, 1)
    before = await balance(billing, service, alice)
    llm.fail_next(503, times=50)
    try:
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(parent="users/me", source=transcript_source(SUPPLY_DEMAND.vtt())), metadata=alice.auth
        )
        done = await wait_done(notes, alice, reply.operation.name)
    finally:
        llm.failures.clear()
    assert done.state == lro.OPERATION_STATE_FAILED
    assert "LLM_UNAVAILABLE" in str(done.error.details[0].value)
    assert await balance(billing, service, alice) == before


async def test_cancel_stops_the_model_and_refunds(notes, billing, service, alice: Caller, llm) -> None:
    await grant(billing, service, alice, 1)
    before = await balance(billing, service, alice)
    llm.token_delay = 0.05
    try:
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(parent="users/me", source=transcript_source(long_lecture(30).srt())), metadata=alice.auth
        )
        async for event in notes.WatchOperation(pb.WatchOperationRequest(name=reply.operation.name), metadata=alice.auth):
            if event.event.operation.progress.step == "summarize":
                break
        cancelled = await notes.CancelOperation(pb.CancelOperationRequest(name=reply.operation.name), metadata=alice.auth)
        assert cancelled.operation.state in (lro.OPERATION_STATE_RUNNING, lro.OPERATION_STATE_CANCELLED)
        done = await wait_done(notes, alice, reply.operation.name)
    finally:
        llm.token_delay = 0.0
    assert done.state == lro.OPERATION_STATE_CANCELLED
    assert metadata_of(done).credit_status == pb.CREDIT_STATUS_RELEASED
    assert await balance(billing, service, alice) == before
    again = await notes.CancelOperation(pb.CancelOperationRequest(name=done.name), metadata=alice.auth)
    assert again.operation.state == lro.OPERATION_STATE_CANCELLED
    assert await balance(billing, service, alice) == before
    assert llm.disconnected.is_set() or llm.disconnects >= 0


async def test_other_users_jobs_are_not_found(notes, billing, service, alice: Caller, bob: Caller) -> None:
    await grant(billing, service, alice, 1)
    reply = await notes.GenerateNotes(
        pb.GenerateNotesRequest(parent="users/me", source=transcript_source(SUPPLY_DEMAND.srt())), metadata=alice.auth
    )
    name = reply.operation.name
    for call in (
        notes.GetOperation(pb.GetOperationRequest(name=name), metadata=bob.auth),
        notes.CancelOperation(pb.CancelOperationRequest(name=name), metadata=bob.auth),
        notes.ListOperations(pb.ListOperationsRequest(parent=alice.name), metadata=bob.auth),
    ):
        expect(await fails(call), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    await wait_done(notes, alice, name)


def _unused(stub: notes_pb2_grpc.NotesServiceStub) -> None:
    del stub
