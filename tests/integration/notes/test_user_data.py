"""Account export and erasure over the wire: ExportUserData and PurgeUserData with a service token,
what each category holds, idempotence, isolation, and the bad inputs."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb

from tests.integration.notes.conftest import Caller, expect, fails, grant, note_of, transcript_source, wait_done
from tests.integration.notes.eval_set import NEURONS, PHOTOSYNTHESIS

pytestmark = pytest.mark.usefixtures("worker")

CATEGORIES = ["notes", "transcripts", "links", "quizzes", "quiz_attempts", "jobs"]


async def _note(notes, billing, service: Caller, user: Caller, srt: str, title: str) -> pb.Note:
    await grant(billing, service, user, 1)
    reply = await notes.GenerateNotes(
        pb.GenerateNotesRequest(parent="users/me", source=transcript_source(srt, title=title)), metadata=user.auth
    )
    done = await wait_done(notes, user, reply.operation.name)
    assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
    return note_of(done)


async def _export(notes, service: Caller, user: Caller) -> dict:
    reply = await notes.ExportUserData(pb.ExportUserDataRequest(name=user.name), metadata=service.auth)
    assert reply.document.content_type == "application/json"
    return json.loads(reply.document.data)


async def test_export_then_purge_erases_every_category_once(notes, billing, service, alice: Caller, bob: Caller) -> None:
    first = await _note(notes, billing, service, alice, PHOTOSYNTHESIS.srt(), PHOTOSYNTHESIS.title)
    second = await _note(notes, billing, service, alice, NEURONS.srt(), NEURONS.title)
    kept = await _note(notes, billing, service, bob, NEURONS.srt(), NEURONS.title)
    await notes.CreateNoteLink(
        pb.CreateNoteLinkRequest(parent=first.name, link=pb.NoteLink(target=second.name)), metadata=alice.auth
    )
    quiz = (await notes.GetQuiz(pb.GetQuizRequest(name=f"{first.name}/quizzes/latest"), metadata=alice.auth)).quiz
    await notes.SubmitQuizAttempt(
        pb.SubmitQuizAttemptRequest(name=quiz.name, answers=[pb.Answer(question_id=quiz.questions[0].id)]),
        metadata=alice.auth,
    )

    document = await _export(notes, service, alice)
    assert document["user"] == alice.name
    assert {n["title"] for n in document["notes"]} == {PHOTOSYNTHESIS.title, NEURONS.title}
    assert len(document["transcripts"]) == 2
    assert len(document["links"]) >= 2  # both sides of the manual link
    assert document["quizzes"]
    assert document["quizzes"][0]["questions"]
    assert len(document["quiz_attempts"]) == 1
    assert {j["state"] for j in document["jobs"]} == {"SUCCEEDED"}
    assert len(document["jobs"]) == 2
    assert all(j["credit_status"] == "charged" for j in document["jobs"])
    # Only Alice's data: Bob's note is not in her export.
    assert kept.name.rsplit("/", 1)[-1] not in json.dumps(document)

    purged = await notes.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name, request_id="erase-1"), metadata=service.auth)
    erased = {d.category: d.count for d in purged.erased}
    assert list(erased) == CATEGORIES
    assert erased["notes"] == 2
    assert erased["transcripts"] == 2
    assert erased["jobs"] == 2
    assert erased["quiz_attempts"] == 1
    assert erased["quizzes"] >= 2
    assert erased["links"] >= 2
    assert all(d.description for d in purged.erased)
    assert not purged.retained

    again = await notes.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name), metadata=service.auth)
    assert [d.count for d in again.erased] == [0] * len(CATEGORIES)
    empty = await _export(notes, service, alice)
    assert all(empty[c] == [] for c in CATEGORIES)
    error = await fails(notes.GetNote(pb.GetNoteRequest(name=first.name), metadata=alice.auth))
    assert error.code == grpc.StatusCode.NOT_FOUND
    # Bob keeps everything.
    assert (await notes.GetNote(pb.GetNoteRequest(name=kept.name), metadata=bob.auth)).note.title == NEURONS.title


async def test_purge_stops_a_running_job(notes, billing, service, llm, alice: Caller) -> None:
    await grant(billing, service, alice, 1)
    llm.token_delay = 0.02
    try:
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(parent="users/me", source=transcript_source(PHOTOSYNTHESIS.srt())), metadata=alice.auth
        )
        await asyncio.sleep(0.3)
        purged = await notes.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name), metadata=service.auth)
    finally:
        llm.token_delay = 0.0
    assert {d.category: d.count for d in purged.erased}["jobs"] == 1
    # The job is gone, and its worker wrote no note after the purge.
    error = await fails(notes.GetOperation(pb.GetOperationRequest(name=reply.operation.name), metadata=alice.auth))
    assert error.code == grpc.StatusCode.NOT_FOUND
    await asyncio.sleep(1.0)
    listed = await notes.ListNotes(pb.ListNotesRequest(parent="users/me"), metadata=alice.auth)
    assert not listed.notes


async def test_user_data_rpcs_refuse_users_me_bad_names_and_users(notes, service, alice: Caller) -> None:
    for call in (
        notes.ExportUserData(pb.ExportUserDataRequest(name="users/me"), metadata=service.auth),
        notes.PurgeUserData(pb.PurgeUserDataRequest(name="users/me"), metadata=service.auth),
        notes.ExportUserData(pb.ExportUserDataRequest(name="notes/x"), metadata=service.auth),
        notes.PurgeUserData(pb.PurgeUserDataRequest(name=""), metadata=service.auth),
    ):
        error = await fails(call)
        expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
        assert error.bad_request is not None
        assert error.bad_request.field_violations[0].field == "name"
    for call in (
        notes.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=alice.auth),
        notes.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name), metadata=alice.auth),
    ):
        error = await fails(call)
        assert error.code == grpc.StatusCode.PERMISSION_DENIED
