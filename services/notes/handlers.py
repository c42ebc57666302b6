"""NotesService servicer: parses each request (names, masks, enums), calls one use case, maps the
result; the mappings themselves are `mapping.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from google.api import httpbody_pb2
from marquee.api.v1 import userdata_pb2
from marquee.notes.v1 import notes_pb2 as pb
from marquee.notes.v1 import notes_pb2_grpc

from services.core.interceptors import Context, require_principal
from services.core.operations import to_proto
from services.core.paging import PageTokens, page_size
from services.notes import domain as d
from services.notes.mapping import (
    JOB_KINDS,
    Names,
    attempt_pb,
    bad,
    duration,
    enum_name,
    link_filter,
    link_pb,
    named_user,
    note_options,
    note_pb,
    note_query,
    note_update,
    quiz_options,
    quiz_pb,
    source_input,
    source_pb,
    stats_pb,
    subject_pb,
    transcript_pb,
)
from services.notes.usecases import NoteFull, NotesUseCases


class NotesHandlers(notes_pb2_grpc.NotesServiceServicer):
    def __init__(self, cases: NotesUseCases, pages: PageTokens) -> None:
        self.cases = cases
        self.pages = pages

    def _after(self, token: str, query: str) -> Any:
        position = self.pages.decode(token, query=query)
        return None if position is None else position.get("after")

    def _token(self, after: Any, query: str) -> str:
        return self.pages.encode({"after": after}, query=query)

    # --- generation ----------------------------------------------------------------------

    async def EstimateNoteCost(self, request: pb.EstimateNoteCostRequest, context: Context) -> pb.EstimateNoteCostResponse:
        (user,) = Names.parse(request.parent, "users/{}", "parent")
        found = await self.cases.estimate(user, source_input(request.source), note_options(request.options))
        return pb.EstimateNoteCostResponse(
            credits=found.credits,
            available_credits=found.available,
            sufficient_credits=found.available >= found.credits,
            source=source_pb(found.source),
            estimated_processing_duration=duration(found.processing_seconds),
            existing_notes=found.existing_notes,
            max_source_duration=duration(3 * 3600),
        )

    async def GenerateNotes(self, request: pb.GenerateNotesRequest, context: Context) -> pb.GenerateNotesResponse:
        (user,) = Names.parse(request.parent, "users/{}", "parent")
        operation = await self.cases.generate_notes(
            user, source_input(request.source), note_options(request.options), request.allow_duplicate, request.request_id
        )
        return pb.GenerateNotesResponse(operation=operation)

    async def GetOperation(self, request: pb.GetOperationRequest, context: Context) -> pb.GetOperationResponse:
        return pb.GetOperationResponse(operation=await self.cases.get_job(require_principal(), request.name))

    async def ListOperations(self, request: pb.ListOperationsRequest, context: Context) -> pb.ListOperationsResponse:
        if any(k not in JOB_KINDS for k in request.kinds):
            raise bad("kinds", "must be generate_notes or generate_quiz")
        found, token = await self.cases.list_jobs(
            require_principal(), request.parent, page_size_requested=request.page_size, page_token=request.page_token,
            states=list(request.states), kinds=list(request.kinds), target=request.target,
        )  # fmt: skip
        return pb.ListOperationsResponse(operations=found, next_page_token=token)

    async def CancelOperation(self, request: pb.CancelOperationRequest, context: Context) -> pb.CancelOperationResponse:
        return pb.CancelOperationResponse(operation=await self.cases.cancel_job(require_principal(), request.name))

    async def WatchOperation(
        self, request: pb.WatchOperationRequest, context: Context
    ) -> AsyncIterator[pb.WatchOperationResponse]:
        async for event in self.cases.watch_job(require_principal(), request.name):
            yield pb.WatchOperationResponse(event=event)

    # --- notes ---------------------------------------------------------------------------

    async def GetNote(self, request: pb.GetNoteRequest, context: Context) -> pb.GetNoteResponse:
        user, note_id = Names.parse(request.name, "users/{}/notes/{}")
        return pb.GetNoteResponse(note=note_pb(await self.cases.get_note(user, note_id), request.view or pb.NOTE_VIEW_FULL))

    async def ListNotes(self, request: pb.ListNotesRequest, context: Context) -> pb.ListNotesResponse:
        (user,) = Names.parse(request.parent, "users/{}", "parent")
        query, order = note_query(request, user)
        fingerprint = f"notes:{query}:{order}:{request.view}"
        after = self._after(request.page_token, fingerprint)
        if after and order != "relevance" and order != "title":
            after = [dt.datetime.fromisoformat(after[0]), after[1]]
        page = await self.cases.list_notes(
            query, order, page_size(request.page_size), after, lambda a: self._token(a, fingerprint)
        )
        view = request.view or pb.NOTE_VIEW_BASIC
        notes = [note_pb(NoteFull(n, "", 0, 0), view) for n in page.notes]
        return pb.ListNotesResponse(notes=notes, next_page_token=page.next_token, total_size=page.total)

    async def UpdateNote(self, request: pb.UpdateNoteRequest, context: Context) -> pb.UpdateNoteResponse:
        user, note_id = Names.parse(request.note.name, "users/{}/notes/{}", "note.name")
        paths, values = note_update(request)
        return pb.UpdateNoteResponse(note=note_pb(await self.cases.update_note(user, note_id, request.note.etag, paths, values)))

    async def DeleteNote(self, request: pb.DeleteNoteRequest, context: Context) -> pb.DeleteNoteResponse:
        user, note_id = Names.parse(request.name, "users/{}/notes/{}")
        await self.cases.delete_note(user, note_id, request.etag)
        return pb.DeleteNoteResponse()

    async def ExportNote(self, request: pb.ExportNoteRequest, context: Context) -> pb.ExportNoteResponse:
        user, note_id = Names.parse(request.name, "users/{}/notes/{}")
        fmt = enum_name(pb.ExportFormat, request.format, "EXPORT_FORMAT_")
        if not fmt:
            raise bad("format", "set MARKDOWN or PDF")
        data, content_type, filename = await self.cases.export(
            user,
            note_id,
            fmt,
            front_matter=request.include_front_matter,
            link_style=enum_name(pb.LinkStyle, request.link_style, "LINK_STYLE_") or "wiki",
            include_quiz=request.include_quiz,
            include_transcript=request.include_transcript,
        )
        return pb.ExportNoteResponse(body=httpbody_pb2.HttpBody(content_type=content_type, data=data), filename=filename)

    async def GetTranscript(self, request: pb.GetTranscriptRequest, context: Context) -> pb.GetTranscriptResponse:
        user, note_id = Names.parse(request.name, "users/{}/notes/{}/transcript")
        return pb.GetTranscriptResponse(transcript=transcript_pb(user, note_id, await self.cases.transcript(user, note_id)))

    async def ListSubjects(self, request: pb.ListSubjectsRequest, context: Context) -> pb.ListSubjectsResponse:
        (user,) = Names.parse(request.parent, "users/{}", "parent")
        size = page_size(request.page_size, default=50, maximum=200)
        query = f"subjects:{user}"
        offset = int(self._after(request.page_token, query) or 0)
        rows = await self.cases.subjects(user)
        chosen = rows[offset : offset + size]
        token = self._token(offset + size, query) if offset + size < len(rows) else ""
        return pb.ListSubjectsResponse(subjects=[subject_pb(row) for row in chosen], next_page_token=token)

    async def GetStudyStats(self, request: pb.GetStudyStatsRequest, context: Context) -> pb.GetStudyStatsResponse:
        (user,) = Names.parse(request.name, "users/{}/studyStats")
        return pb.GetStudyStatsResponse(stats=stats_pb(user, await self.cases.study_stats(user)))

    # --- links ---------------------------------------------------------------------------

    async def ListNoteLinks(self, request: pb.ListNoteLinksRequest, context: Context) -> pb.ListNoteLinksResponse:
        user, note_id = Names.parse(request.parent, "users/{}/notes/{}", "parent")
        size = page_size(request.page_size)
        query = f"links:{user}:{note_id}:{request.origin}:{sorted(set(request.relations))}:{request.min_score}"
        offset = int(self._after(request.page_token, query) or 0)
        keep = link_filter(request)
        rows = [(link, target) for link, target in await self.cases.links(user, note_id) if keep(link)]
        token = self._token(offset + size, query) if offset + size < len(rows) else ""
        return pb.ListNoteLinksResponse(
            links=[link_pb(user, lk, t) for lk, t in rows[offset : offset + size]], next_page_token=token
        )

    async def CreateNoteLink(self, request: pb.CreateNoteLinkRequest, context: Context) -> pb.CreateNoteLinkResponse:
        user, note_id = Names.parse(request.parent, "users/{}/notes/{}", "parent")
        if not request.link.target:
            raise bad("link.target", "required")
        target_user, target_id = d.parse_name(request.link.target, "users/{}/notes/{}", "link.target")
        if Names.user(target_user) != user:
            raise d.not_found(request.link.target)
        relation = enum_name(pb.LinkRelation, request.link.relation, "LINK_RELATION_") or "related"
        link, target = await self.cases.create_link(user, note_id, target_id, relation, request.link.comment)
        return pb.CreateNoteLinkResponse(link=link_pb(user, link, target))

    async def DeleteNoteLink(self, request: pb.DeleteNoteLinkRequest, context: Context) -> pb.DeleteNoteLinkResponse:
        user, note_id, target_id = Names.parse(request.name, "users/{}/notes/{}/links/{}")
        await self.cases.delete_link(user, note_id, target_id)
        return pb.DeleteNoteLinkResponse()

    # --- quizzes -------------------------------------------------------------------------

    async def GenerateQuiz(self, request: pb.GenerateQuizRequest, context: Context) -> pb.GenerateQuizResponse:
        user, note_id = Names.parse(request.parent, "users/{}/notes/{}", "parent")
        job = await self.cases.generate_quiz(user, note_id, quiz_options(request.options), request.request_id)
        return pb.GenerateQuizResponse(operation=to_proto(job.record))

    async def GetQuiz(self, request: pb.GetQuizRequest, context: Context) -> pb.GetQuizResponse:
        user, note_id, quiz_id = Names.parse(request.name, "users/{}/notes/{}/quizzes/{}")
        quiz = await self.cases.get_quiz(user, note_id, quiz_id)
        return pb.GetQuizResponse(quiz=quiz_pb(quiz, with_answers=request.view == pb.QUIZ_VIEW_WITH_ANSWERS))

    async def ListQuizzes(self, request: pb.ListQuizzesRequest, context: Context) -> pb.ListQuizzesResponse:
        user, note_id = Names.parse(request.parent, "users/{}/notes/{}", "parent")
        size = page_size(request.page_size)
        query = f"quizzes:{user}:{note_id}"
        offset = int(self._after(request.page_token, query) or 0)
        rows = await self.cases.list_quizzes(user, note_id)
        token = self._token(offset + size, query) if offset + size < len(rows) else ""
        return pb.ListQuizzesResponse(
            quizzes=[quiz_pb(q, with_answers=False) for q in rows[offset : offset + size]], next_page_token=token
        )

    async def SubmitQuizAttempt(self, request: pb.SubmitQuizAttemptRequest, context: Context) -> pb.SubmitQuizAttemptResponse:
        user, note_id, quiz_id = Names.parse(request.name, "users/{}/notes/{}/quizzes/{}")
        answers = [d.SubmittedAnswer(a.question_id, tuple(a.selected_option_ids), a.text) for a in request.answers]
        start = request.start_time.ToDatetime(tzinfo=dt.UTC) if request.HasField("start_time") else None
        attempt = await self.cases.submit_attempt(user, note_id, quiz_id, answers, start, request.request_id)
        return pb.SubmitQuizAttemptResponse(attempt=attempt_pb(attempt))

    async def GetQuizAttempt(self, request: pb.GetQuizAttemptRequest, context: Context) -> pb.GetQuizAttemptResponse:
        user, note_id, quiz_id, attempt_id = Names.parse(request.name, "users/{}/notes/{}/quizzes/{}/attempts/{}")
        return pb.GetQuizAttemptResponse(attempt=attempt_pb(await self.cases.get_attempt(user, note_id, quiz_id, attempt_id)))

    async def ListQuizAttempts(self, request: pb.ListQuizAttemptsRequest, context: Context) -> pb.ListQuizAttemptsResponse:
        user, note_id, quiz_id = Names.parse(request.parent, "users/{}/notes/{}/quizzes/{}", "parent")
        if note_id == "-" and quiz_id != "-":
            raise bad("parent", "a quiz id needs its note (users/{user}/notes/{note}/quizzes/{quiz})")
        size = page_size(request.page_size)
        query = f"attempts:{user}:{note_id}:{quiz_id}"
        after = self._after(request.page_token, query)
        rows = await self.cases.list_attempts(
            user, note_id, quiz_id, size + 1, (dt.datetime.fromisoformat(after[0]), after[1]) if after else None
        )
        token = self._token([rows[size - 1].submit_time.isoformat(), rows[size - 1].id], query) if len(rows) > size else ""
        return pb.ListQuizAttemptsResponse(attempts=[attempt_pb(a) for a in rows[:size]], next_page_token=token)

    # --- account export and erasure (called by Auth with a service token) ------------------

    async def ExportUserData(self, request: pb.ExportUserDataRequest, context: Context) -> pb.ExportUserDataResponse:
        document = await self.cases.export_user_data(named_user(request.name))
        return pb.ExportUserDataResponse(document=httpbody_pb2.HttpBody(content_type="application/json", data=document))

    async def PurgeUserData(self, request: pb.PurgeUserDataRequest, context: Context) -> pb.PurgeUserDataResponse:
        erased = await self.cases.purge_user_data(named_user(request.name))
        return pb.PurgeUserDataResponse(
            erased=[userdata_pb2.UserDataDisposition(category=c, count=n, description=text) for c, n, text in erased]
        )
