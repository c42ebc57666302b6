"""Notes after generation, over the wire: etags, filters, subjects, stats, links, exports,
quizzes and scored attempts, and other users' objects answering NOT_FOUND."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import field_mask_pb2
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb

from tests.integration.notes.conftest import Caller, expect, fails, grant, note_of, transcript_source, wait_done
from tests.integration.notes.eval_set import NEURONS, PHOTOSYNTHESIS, SUPPLY_DEMAND, Case

pytestmark = pytest.mark.usefixtures("worker")


async def make_note(notes, caller: Caller, case: Case, **options: object) -> pb.Note:
    reply = await notes.GenerateNotes(
        pb.GenerateNotesRequest(
            parent="users/me", source=transcript_source(case.srt(), title=case.title), options=pb.NoteOptions(**options)
        ),  # type: ignore[arg-type]
        metadata=caller.auth,
    )
    done = await wait_done(notes, caller, reply.operation.name)
    assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
    return note_of(done)


@pytest.fixture
async def library(notes, billing, service, alice: Caller) -> dict[str, pb.Note]:
    await grant(billing, service, alice, 5)
    return {
        "bio": await make_note(notes, alice, PHOTOSYNTHESIS, subject="Biology", tags=["Plants", "exam"]),
        "econ": await make_note(notes, alice, SUPPLY_DEMAND, subject="Economics", tags=["exam"]),
        "neuro": await make_note(notes, alice, NEURONS, subject="Biology", include_quiz=False),
    }


async def test_update_needs_the_current_etag(notes, alice: Caller, library) -> None:
    note = library["bio"]
    mask = field_mask_pb2.FieldMask(paths=["title", "tags"])
    updated = await notes.UpdateNote(
        pb.UpdateNoteRequest(
            note=pb.Note(name=note.name, etag=note.etag, title="Light and sugar", tags=["Revise"]), update_mask=mask
        ),
        metadata=alice.auth,
    )
    assert updated.note.title == "Light and sugar"
    assert list(updated.note.tags) == ["revise"]
    assert updated.note.etag != note.etag
    assert updated.note.markdown.startswith("# Light and sugar")
    stale = pb.UpdateNoteRequest(note=pb.Note(name=note.name, etag=note.etag, title="Lost update"), update_mask=mask)
    expect(await fails(notes.UpdateNote(stale, metadata=alice.auth)), grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    no_etag = pb.UpdateNoteRequest(note=pb.Note(name=note.name, title="x"), update_mask=mask)
    expect(await fails(notes.UpdateNote(no_etag, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    bad_path = pb.UpdateNoteRequest(
        note=pb.Note(name=note.name, etag=updated.note.etag), update_mask=field_mask_pb2.FieldMask(paths=["model"])
    )
    expect(await fails(notes.UpdateNote(bad_path, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    edited = await notes.UpdateNote(
        pb.UpdateNoteRequest(
            note=pb.Note(name=note.name, etag=updated.note.etag, markdown="# Mine\n\nMy own words [[Other]]."),
            update_mask=field_mask_pb2.FieldMask(paths=["markdown"]),
        ),
        metadata=alice.auth,
    )
    assert edited.note.markdown_edited
    assert edited.note.word_count == 5
    stale_delete = pb.DeleteNoteRequest(name=note.name, etag=updated.note.etag)
    expect(await fails(notes.DeleteNote(stale_delete, metadata=alice.auth)), grpc.StatusCode.ABORTED, "ETAG_MISMATCH")


async def test_list_filters_subjects_and_stats(notes, alice: Caller, library) -> None:
    listed = await notes.ListNotes(pb.ListNotesRequest(parent="users/me"), metadata=alice.auth)
    assert [n.name for n in listed.notes] == [library[k].name for k in ("neuro", "econ", "bio")]
    assert listed.total_size == 3
    assert not listed.notes[0].sections
    assert not listed.notes[0].markdown
    bio = await notes.ListNotes(
        pb.ListNotesRequest(parent="users/me", filter=pb.NoteFilter(subject="biology")), metadata=alice.auth
    )
    assert {n.name for n in bio.notes} == {library["bio"].name, library["neuro"].name}
    tagged = await notes.ListNotes(
        pb.ListNotesRequest(parent="users/me", filter=pb.NoteFilter(tags=["exam", "plants"])), metadata=alice.auth
    )
    assert [n.name for n in tagged.notes] == [library["bio"].name]
    found = await notes.ListNotes(
        pb.ListNotesRequest(parent="users/me", filter=pb.NoteFilter(query="equilibrium")), metadata=alice.auth
    )
    assert [n.name for n in found.notes] == [library["econ"].name]
    page1 = await notes.ListNotes(
        pb.ListNotesRequest(parent="users/me", page_size=2, order_by=pb.NOTE_ORDER_OLDEST), metadata=alice.auth
    )
    page2 = await notes.ListNotes(
        pb.ListNotesRequest(parent="users/me", page_size=2, order_by=pb.NOTE_ORDER_OLDEST, page_token=page1.next_page_token),
        metadata=alice.auth,
    )
    assert [n.name for n in [*page1.notes, *page2.notes]] == [library[k].name for k in ("bio", "econ", "neuro")]
    assert not page2.next_page_token
    tampered = pb.ListNotesRequest(parent="users/me", page_size=2, page_token=page1.next_page_token[:-2] + "xx")
    expect(await fails(notes.ListNotes(tampered, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")
    relevance = pb.ListNotesRequest(parent="users/me", order_by=pb.NOTE_ORDER_RELEVANCE)
    expect(await fails(notes.ListNotes(relevance, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    subjects = await notes.ListSubjects(pb.ListSubjectsRequest(parent="users/me"), metadata=alice.auth)
    assert {(s.display_name, s.note_count) for s in subjects.subjects} == {("Biology", 2), ("Economics", 1)}
    stats = (await notes.GetStudyStats(pb.GetStudyStatsRequest(name="users/me/studyStats"), metadata=alice.auth)).stats
    assert (stats.note_count, stats.subject_count, stats.credits_spent, stats.notes_last_30_days) == (3, 2, 3, 3)
    assert stats.total_source_duration.seconds == 3 * 144


async def test_links_are_symmetric_manual_and_dismissable(notes, alice: Caller, library, llm) -> None:
    bio, econ, neuro = library["bio"], library["econ"], library["neuro"]
    assert any(path == "/v1/embeddings" for path, _, _ in llm.requests)  # links weigh embedding similarity too
    auto = await notes.ListNoteLinks(pb.ListNoteLinksRequest(parent=neuro.name), metadata=alice.auth)
    assert [link.target for link in auto.links] == [bio.name]
    assert auto.links[0].relation == pb.LINK_RELATION_SAME_SUBJECT
    assert auto.links[0].origin == pb.LINK_ORIGIN_AUTOMATIC
    made = await notes.CreateNoteLink(
        pb.CreateNoteLinkRequest(
            parent=econ.name,
            link=pb.NoteLink(target=bio.name, relation=pb.LINK_RELATION_PREREQUISITE, comment="markets need energy"),
        ),
        metadata=alice.auth,
    )
    assert made.link.name == f"{econ.name}/links/{bio.name.rsplit('/', 1)[1]}"
    assert made.link.score == 1.0
    back = await notes.ListNoteLinks(pb.ListNoteLinksRequest(parent=bio.name, origin=pb.LINK_ORIGIN_MANUAL), metadata=alice.auth)
    assert [(link.target, link.relation) for link in back.links] == [(econ.name, pb.LINK_RELATION_FOLLOW_UP)]
    bio_now = (await notes.GetNote(pb.GetNoteRequest(name=bio.name), metadata=alice.auth)).note
    assert f"[[{econ.title}]]" in bio_now.markdown
    assert bio_now.link_count == 2
    self_link = pb.CreateNoteLinkRequest(parent=bio.name, link=pb.NoteLink(target=bio.name))
    expect(
        await fails(notes.CreateNoteLink(self_link, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT"
    )
    await notes.DeleteNoteLink(
        pb.DeleteNoteLinkRequest(name=f"{neuro.name}/links/{bio.name.rsplit('/', 1)[1]}"), metadata=alice.auth
    )
    gone = await notes.ListNoteLinks(pb.ListNoteLinksRequest(parent=bio.name), metadata=alice.auth)
    assert [link.target for link in gone.links] == [econ.name]
    again = pb.DeleteNoteLinkRequest(name=f"{neuro.name}/links/{bio.name.rsplit('/', 1)[1]}")
    expect(await fails(notes.DeleteNoteLink(again, metadata=alice.auth)), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


async def test_exports_markdown_with_front_matter_and_a_unicode_pdf(notes, alice: Caller, library) -> None:
    note = library["bio"]
    await notes.UpdateNote(
        pb.UpdateNoteRequest(
            note=pb.Note(name=note.name, etag=note.etag, title="Photosynthèse — “light” ✓"),
            update_mask=field_mask_pb2.FieldMask(paths=["title"]),
        ),
        metadata=alice.auth,
    )
    md = await notes.ExportNote(
        pb.ExportNoteRequest(
            name=note.name,
            format=pb.EXPORT_FORMAT_MARKDOWN,
            include_front_matter=True,
            include_quiz=True,
            include_transcript=True,
        ),
        metadata=alice.auth,
    )
    text = md.body.data.decode()
    assert md.body.content_type == "text/markdown; charset=utf-8"
    assert md.filename == "photosynthese-light.md"
    assert text.startswith('---\ntitle: "Photosynthèse — “light” ✓"\nsubject: "Biology"\ntags:\n')
    assert "## Quiz" in text
    assert "### Answer key" in text
    assert "## Transcript" in text
    assert "[0:12] " in text
    pdf = await notes.ExportNote(pb.ExportNoteRequest(name=note.name, format=pb.EXPORT_FORMAT_PDF), metadata=alice.auth)
    assert pdf.body.content_type == "application/pdf"
    assert pdf.body.data.startswith(b"%PDF-")
    assert len(pdf.body.data) > 2000
    unset = pb.ExportNoteRequest(name=note.name)
    expect(await fails(notes.ExportNote(unset, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_quiz_answers_withheld_scored_exactly_and_by_rubric(notes, alice: Caller, library) -> None:
    note = library["bio"]
    quiz = (await notes.GetQuiz(pb.GetQuizRequest(name=f"{note.name}/quizzes/latest"), metadata=alice.auth)).quiz
    assert quiz.state == pb.QUIZ_STATE_READY
    assert len(quiz.questions) == 10
    assert not any(q.correct_option_ids or q.reference_answer for q in quiz.questions)
    keyed = (await notes.GetQuiz(pb.GetQuizRequest(name=quiz.name, view=pb.QUIZ_VIEW_WITH_ANSWERS), metadata=alice.auth)).quiz
    answers = []
    for q in keyed.questions:
        if q.type == pb.QUESTION_TYPE_SHORT_ANSWER:
            answers.append(pb.Answer(question_id=q.id, text=q.reference_answer))
        elif q.type == pb.QUESTION_TYPE_MULTIPLE_SELECT:
            answers.append(pb.Answer(question_id=q.id, selected_option_ids=[q.correct_option_ids[0]]))  # half right
        elif q.id != "q1":
            answers.append(pb.Answer(question_id=q.id, selected_option_ids=list(q.correct_option_ids)))
    request_id = str(uuid.uuid4())
    submitted = await notes.SubmitQuizAttempt(
        pb.SubmitQuizAttemptRequest(name=quiz.name, answers=answers, request_id=request_id), metadata=alice.auth
    )
    attempt = submitted.attempt
    by_id = {r.question_id: r for r in attempt.results}
    assert by_id["q1"].correctness == pb.CORRECTNESS_UNANSWERED
    assert by_id["q1"].points_awarded == 0
    assert by_id["q2"].correctness == pb.CORRECTNESS_CORRECT
    assert by_id["q3"].correctness == pb.CORRECTNESS_PARTIALLY_CORRECT
    assert by_id["q3"].points_awarded == 1.0
    assert by_id["q4"].correctness == pb.CORRECTNESS_CORRECT
    assert by_id["q4"].points_awarded == 2.0
    assert attempt.max_score == keyed.max_score
    assert attempt.score == keyed.max_score - 1 - 1 * 2
    replay = await notes.SubmitQuizAttempt(
        pb.SubmitQuizAttemptRequest(name=quiz.name, answers=answers, request_id=request_id), metadata=alice.auth
    )
    assert replay.attempt.name == attempt.name
    bad = pb.SubmitQuizAttemptRequest(name=quiz.name, answers=[pb.Answer(question_id="q2", selected_option_ids=["a", "b"])])
    expect(await fails(notes.SubmitQuizAttempt(bad, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    unknown = pb.SubmitQuizAttemptRequest(name=quiz.name, answers=[pb.Answer(question_id="q99")])
    expect(
        await fails(notes.SubmitQuizAttempt(unknown, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT"
    )
    everything = await notes.ListQuizAttempts(
        pb.ListQuizAttemptsRequest(parent="users/me/notes/-/quizzes/-"), metadata=alice.auth
    )
    assert [a.name for a in everything.attempts] == [attempt.name]
    got = await notes.GetQuizAttempt(pb.GetQuizAttemptRequest(name=attempt.name), metadata=alice.auth)
    assert got.attempt.score == attempt.score
    listed = await notes.ListQuizzes(pb.ListQuizzesRequest(parent=note.name), metadata=alice.auth)
    assert listed.quizzes[0].attempt_count == 1
    assert listed.quizzes[0].best_score_percent == attempt.score_percent


async def test_generate_quiz_runs_as_an_operation(notes, alice: Caller, library) -> None:
    note = library["neuro"]
    expect(
        await fails(notes.GetQuiz(pb.GetQuizRequest(name=f"{note.name}/quizzes/latest"), metadata=alice.auth)),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
    )
    reply = await notes.GenerateQuiz(
        pb.GenerateQuizRequest(
            parent=note.name, options=pb.QuizOptions(question_count=4, question_types=[pb.QUESTION_TYPE_TRUE_FALSE])
        ),
        metadata=alice.auth,
    )
    assert reply.operation.kind == "generate_quiz"
    done = await wait_done(notes, alice, reply.operation.name)
    assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
    quiz = (await notes.GetQuiz(pb.GetQuizRequest(name=reply.operation.target), metadata=alice.auth)).quiz
    assert quiz.state == pb.QUIZ_STATE_READY
    assert {q.type for q in quiz.questions} == {pb.QUESTION_TYPE_TRUE_FALSE}
    bad = pb.GenerateQuizRequest(parent=note.name, options=pb.QuizOptions(question_count=50))
    expect(await fails(notes.GenerateQuiz(bad, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_delete_removes_the_note_and_everything_below(notes, alice: Caller, library) -> None:
    note = library["econ"]
    await notes.DeleteNote(pb.DeleteNoteRequest(name=note.name, etag=note.etag), metadata=alice.auth)
    for call in (
        notes.GetNote(pb.GetNoteRequest(name=note.name), metadata=alice.auth),
        notes.GetTranscript(pb.GetTranscriptRequest(name=f"{note.name}/transcript"), metadata=alice.auth),
        notes.GetQuiz(pb.GetQuizRequest(name=f"{note.name}/quizzes/latest"), metadata=alice.auth),
        notes.DeleteNote(pb.DeleteNoteRequest(name=note.name), metadata=alice.auth),
    ):
        expect(await fails(call), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


async def test_other_users_notes_quizzes_and_links_are_not_found(notes, alice: Caller, bob: Caller, library) -> None:
    note = library["bio"]
    quiz = (await notes.GetQuiz(pb.GetQuizRequest(name=f"{note.name}/quizzes/latest"), metadata=alice.auth)).quiz
    mask = field_mask_pb2.FieldMask(paths=["title"])
    calls = [
        notes.GetNote(pb.GetNoteRequest(name=note.name), metadata=bob.auth),
        notes.UpdateNote(
            pb.UpdateNoteRequest(note=pb.Note(name=note.name, etag=note.etag, title="x"), update_mask=mask), metadata=bob.auth
        ),
        notes.DeleteNote(pb.DeleteNoteRequest(name=note.name), metadata=bob.auth),
        notes.ExportNote(pb.ExportNoteRequest(name=note.name, format=pb.EXPORT_FORMAT_MARKDOWN), metadata=bob.auth),
        notes.GetTranscript(pb.GetTranscriptRequest(name=f"{note.name}/transcript"), metadata=bob.auth),
        notes.ListNoteLinks(pb.ListNoteLinksRequest(parent=note.name), metadata=bob.auth),
        notes.GetQuiz(pb.GetQuizRequest(name=quiz.name), metadata=bob.auth),
        notes.ListQuizzes(pb.ListQuizzesRequest(parent=note.name), metadata=bob.auth),
        notes.SubmitQuizAttempt(pb.SubmitQuizAttemptRequest(name=quiz.name, answers=[]), metadata=bob.auth),
        notes.GenerateQuiz(pb.GenerateQuizRequest(parent=note.name), metadata=bob.auth),
        notes.ListNotes(pb.ListNotesRequest(parent=alice.name), metadata=bob.auth),
        notes.GetStudyStats(pb.GetStudyStatsRequest(name=f"{alice.name}/studyStats"), metadata=bob.auth),
        notes.ListSubjects(pb.ListSubjectsRequest(parent=alice.name), metadata=bob.auth),
    ]
    for call in calls:
        expect(await fails(call), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    # Bob linking his own note to Alice's: the target is NOT_FOUND too.
    link = pb.CreateNoteLinkRequest(parent="users/me/notes/abc", link=pb.NoteLink(target=note.name))
    expect(await fails(notes.CreateNoteLink(link, metadata=bob.auth)), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    mine = await notes.ListNotes(pb.ListNotesRequest(parent="users/me"), metadata=bob.auth)
    assert list(mine.notes) == []
