"""Notes values ↔ the contract's messages: request parsing (names, enums, options, filters) and the
messages callers see (notes, jobs' metadata, quizzes, attempts, links), shared by the servicer and the
wiring (a job's metadata and its response are built from these in the worker too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from google.protobuf import any_pb2, duration_pb2, timestamp_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb

from services.core.convert import message_from, timestamp
from services.core.errors import FieldViolation, InvalidArgument, NotFound
from services.core.interceptors import require_principal
from services.notes import domain as d
from services.notes.repository import NoteQuery
from services.notes.transcripts import DOMAIN
from services.notes.usecases import Job, NoteFull


def enum_name(enum: Any, value: int, prefix: str) -> str:
    return str(enum.Name(value)).removeprefix(prefix).lower() if value else ""


def enum_value(enum: Any, name: str, prefix: str) -> Any:
    """The enum number for a stored lower-case name (Any: each proto enum is its own type in the stubs)."""
    if not name:
        return 0
    try:
        return enum.Value(prefix + name.upper())
    except ValueError:
        return 0


def duration(seconds: float | None) -> duration_pb2.Duration | None:
    if seconds is None:
        return None
    whole = int(seconds)
    return duration_pb2.Duration(seconds=whole, nanos=round((seconds - whole) * 1e9))


def _seconds(value: duration_pb2.Duration) -> float:
    return value.seconds + value.nanos / 1e9


def _iso(value: str | None) -> timestamp_pb2.Timestamp | None:
    return timestamp(dt.datetime.fromisoformat(value)) if value else None


def _pack(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _status(code: int, reason: str, message: str) -> status_pb2.Status:
    info = error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN)
    return status_pb2.Status(code=code, message=message, details=[_pack(info)])


class Names:
    """The caller's user for a `users/{user}/...` name: `me` is the caller; another user's is NOT_FOUND."""

    @staticmethod
    def user(value: str) -> str:
        principal = require_principal()
        if value == "me":
            return principal.user_id
        if value != principal.user_id and not principal.is_admin:
            raise NotFound("not found", domain=DOMAIN)
        return value

    @classmethod
    def parse(cls, name: str, pattern: str, field: str = "name") -> tuple[str, ...]:
        ids = d.parse_name(name, pattern, field)
        return (cls.user(ids[0]), *ids[1:])


# --- inputs ------------------------------------------------------------------------------


def source_input(source: pb.SourceInput) -> dict[str, Any]:
    which = source.WhichOneof("source")
    if which == "video_uri":
        return {"video_uri": source.video_uri}
    if which == "asset":
        return {"asset": source.asset}
    if which == "transcript":
        t = source.transcript
        return {
            "transcript": {
                "text": t.text,
                "format": enum_name(pb.TranscriptFormat, t.format, "TRANSCRIPT_FORMAT_"),
                "title": t.title,
                "language_code": t.language_code,
                "video_uri": t.video_uri,
            }
        }
    raise InvalidArgument(
        "source: set one of video_uri, asset or transcript", domain=DOMAIN, violations=[FieldViolation("source", "required")]
    )


def quiz_options(options: pb.QuizOptions) -> dict[str, Any]:
    return {
        "question_count": options.question_count,
        "question_types": [enum_name(pb.QuestionType, t, "QUESTION_TYPE_") for t in options.question_types if t],
        "difficulty": enum_name(pb.Difficulty, options.difficulty, "DIFFICULTY_") or "mixed",
        "section_indexes": list(options.section_indexes),
    }


def note_options(options: pb.NoteOptions) -> dict[str, Any]:
    found: dict[str, Any] = {
        "subject": options.subject,
        "language_code": options.language_code,
        "detail_level": enum_name(pb.DetailLevel, options.detail_level, "DETAIL_LEVEL_") or "standard",
        "style": enum_name(pb.NoteStyle, options.style, "NOTE_STYLE_") or "study_guide",
        "instructions": options.instructions,
        "title": options.title,
        "tags": list(options.tags),
    }
    if options.HasField("include_quiz"):
        found["include_quiz"] = options.include_quiz
    if options.HasField("link_notes"):
        found["link_notes"] = options.link_notes
    if options.HasField("quiz_options"):
        found["quiz_options"] = quiz_options(options.quiz_options)
    return found


def options_pb(options: dict[str, Any]) -> pb.NoteOptions:
    message = pb.NoteOptions(
        subject=options.get("subject", ""),
        language_code=options.get("language_code", ""),
        detail_level=enum_value(pb.DetailLevel, options.get("detail_level", ""), "DETAIL_LEVEL_"),
        style=enum_value(pb.NoteStyle, options.get("style", ""), "NOTE_STYLE_"),
        instructions=options.get("instructions", ""),
        title=options.get("title", ""),
        tags=options.get("tags", []),
    )
    if "include_quiz" in options:
        message.include_quiz = options["include_quiz"]
    if "link_notes" in options:
        message.link_notes = options["link_notes"]
    if options.get("quiz_options"):
        message.quiz_options.CopyFrom(quiz_options_pb(options["quiz_options"]))
    return message


def quiz_options_pb(options: dict[str, Any]) -> pb.QuizOptions:
    return pb.QuizOptions(
        question_count=options.get("question_count", 0),
        question_types=[enum_value(pb.QuestionType, t, "QUESTION_TYPE_") for t in options.get("question_types", [])],
        difficulty=enum_value(pb.Difficulty, options.get("difficulty", ""), "DIFFICULTY_"),
        section_indexes=options.get("section_indexes", []),
    )


# --- outputs -----------------------------------------------------------------------------


def source_pb(facts: dict[str, Any]) -> pb.NoteSource:
    return pb.NoteSource(
        kind=enum_value(pb.SourceKind, facts.get("kind", ""), "SOURCE_KIND_"),
        video_uri=facts.get("video_uri", ""),
        video_id=facts.get("video_id", ""),
        asset=facts.get("asset", ""),
        title=facts.get("title", ""),
        channel=facts.get("channel", ""),
        channel_uri=facts.get("channel_uri", ""),
        duration=duration(facts.get("duration_seconds")),
        thumbnail_uri=facts.get("thumbnail_uri", ""),
        language_code=facts.get("language_code", ""),
        transcript_origin=enum_value(pb.TranscriptOrigin, facts.get("transcript_origin", ""), "TRANSCRIPT_ORIGIN_"),
    )


def note_pb(full: NoteFull, view: int = pb.NOTE_VIEW_FULL) -> pb.Note:
    note = full.note
    video_id = (note.source or {}).get("video_id", "")
    message = message_from(
        pb.Note,
        note,
        full,
        name=d.note_name(note.user_id, note.id),
        source=source_pb(note.source or {}),
        markdown=None,  # the full view's, below
        usage=pb.TokenUsage(input_tokens=note.input_tokens, output_tokens=note.output_tokens),
        operation=d.operation_name(note.user_id, note.operation_id) if note.operation_id else "",
    )
    if view != pb.NOTE_VIEW_BASIC:
        content = note.content or {}
        message.markdown = note.markdown
        for s in content.get("sections", []):
            message.sections.append(
                pb.Section(
                    title=s["title"],
                    start_offset=duration(s.get("start")),
                    end_offset=duration(s.get("end")),
                    summary=s.get("summary", ""),
                    key_points=[
                        pb.KeyPoint(
                            text=p["text"], offset=duration(p.get("offset")), watch_uri=d.watch_uri(video_id, p.get("offset"))
                        )
                        for p in s.get("key_points", [])
                    ],
                    watch_uri=d.watch_uri(video_id, s.get("start")),
                )
            )
        for t in content.get("key_terms", []):
            message.key_terms.append(pb.KeyTerm(term=t["term"], definition=t["definition"], offset=duration(t.get("offset"))))
    return message


def sections_of(note: pb.Note) -> list[d.NoteSection]:
    found = []
    for i, s in enumerate(note.sections):
        if not s.title.strip():
            raise InvalidArgument(
                f"note.sections[{i}].title: required",
                domain=DOMAIN,
                violations=[FieldViolation(f"note.sections[{i}].title", "required")],
            )
        d.check_length(s.title, 200, f"note.sections[{i}].title")
        found.append(
            d.NoteSection(
                title=s.title,
                summary=s.summary,
                start=_seconds(s.start_offset) if s.HasField("start_offset") else None,
                end=_seconds(s.end_offset) if s.HasField("end_offset") else None,
                key_points=[d.KeyPoint(p.text, _seconds(p.offset) if p.HasField("offset") else None) for p in s.key_points],
            )
        )
    return found


def key_terms_of(note: pb.Note) -> list[d.KeyTerm]:
    for i, t in enumerate(note.key_terms):
        if not t.term.strip() or not t.definition.strip():
            raise InvalidArgument(
                f"note.key_terms[{i}]: term and definition are required",
                domain=DOMAIN,
                violations=[FieldViolation(f"note.key_terms[{i}]", "term and definition are required")],
            )
    return [d.KeyTerm(t.term, t.definition, _seconds(t.offset) if t.HasField("offset") else None) for t in note.key_terms]


STEP_ENUM = {s: enum_value(pb.GenerationStep, s, "GENERATION_STEP_") for s in d.STEPS}
JOB_KINDS = ("generate_notes", "generate_quiz")
CREDIT_ENUM = {"reserved": pb.CREDIT_STATUS_RESERVED, "charged": pb.CREDIT_STATUS_CHARGED, "released": pb.CREDIT_STATUS_RELEASED}


def _steps(job: Any) -> list[pb.StepStatus]:
    order = d.STEPS if job.kind == "generate_notes" else ("quiz", "finalize")
    return [
        pb.StepStatus(
            step=STEP_ENUM[name],
            state=enum_value(pb.StepState, (job.steps or {}).get(name, {}).get("state", "pending"), "STEP_STATE_"),
            start_time=_iso((job.steps or {}).get(name, {}).get("start")),
            end_time=_iso((job.steps or {}).get(name, {}).get("end")),
        )
        for name in order
    ]


def job_metadata(job: Job, queue_position: int) -> pb.GenerateNotesMetadata | pb.GenerateQuizMetadata:
    """What callers see of a job: the operation's `metadata` (kept in the operation store)."""
    usage = pb.TokenUsage(input_tokens=job.input_tokens, output_tokens=job.output_tokens)
    if job.kind == "generate_notes":
        quiz_error = (
            _status(code_pb2.UNAVAILABLE, job.quiz_error_reason, job.quiz_error_message) if job.quiz_error_reason else None
        )
        return pb.GenerateNotesMetadata(
            note=d.note_name(job.user_id, job.note_id),
            source=source_pb(job.source),
            options=options_pb(job.request.get("options", {})),
            steps=_steps(job),
            chunk_count=job.chunk_count,
            chunks_done=job.chunks_done,
            queue_position=queue_position,
            credits=job.credits,
            credit_status=CREDIT_ENUM.get(job.credit_status, pb.CREDIT_STATUS_UNSPECIFIED),
            model=job.model,
            usage=usage,
            quiz_error=quiz_error,
        )
    return pb.GenerateQuizMetadata(
        note=d.note_name(job.user_id, job.note_id),
        quiz=job.target,
        options=quiz_options_pb(job.request.get("options", {})),
        steps=_steps(job),
        model=job.model,
        usage=usage,
    )


def quiz_pb(quiz: Any, *, with_answers: bool) -> pb.Quiz:
    questions = [d.QuizQuestion(**q) for q in quiz.questions]
    return message_from(
        pb.Quiz,
        quiz,
        name=d.quiz_name(quiz.user_id, quiz.note_id, quiz.id),
        state=pb.QUIZ_STATE_READY if quiz.state == "ready" else pb.QUIZ_STATE_GENERATING,
        options=quiz_options_pb(quiz.options or {}),
        questions=[question_pb(q, with_answers) for q in questions],
        max_score=sum(q.points for q in questions),
        operation=d.operation_name(quiz.user_id, quiz.operation_id) if quiz.operation_id else "",
    )


def question_pb(q: d.QuizQuestion, with_answers: bool) -> pb.Question:
    ids = d.option_ids(q.type, len(q.options))
    message = pb.Question(
        id=q.id,
        type=enum_value(pb.QuestionType, q.type, "QUESTION_TYPE_"),
        prompt=q.prompt,
        options=[pb.QuestionOption(id=i, text=t) for i, t in zip(ids, q.options, strict=False)],
        difficulty=enum_value(pb.Difficulty, q.difficulty, "DIFFICULTY_"),
        points=q.points,
        section_index=q.section_index,
        offset=duration(q.offset),
    )
    if with_answers:
        message.correct_option_ids.extend(q.correct)
        message.reference_answer = q.reference_answer
        message.explanation = q.explanation
    return message


def attempt_pb(attempt: Any, video_id: str = "") -> pb.QuizAttempt:
    results = []
    for r in attempt.results:
        q = r["question"]
        results.append(
            pb.QuestionResult(
                question_id=r["question_id"],
                correctness=enum_value(pb.Correctness, r["correctness"], "CORRECTNESS_"),
                points_awarded=r["points"],
                points_possible=r["possible"],
                correct_option_ids=q.get("correct", []),
                reference_answer=q.get("reference_answer", ""),
                explanation=q.get("explanation", ""),
                feedback=r.get("feedback", ""),
                review_offset=duration(q.get("offset")),
                review_uri=d.watch_uri(video_id, q.get("offset")),
            )
        )
    return message_from(
        pb.QuizAttempt,
        attempt,
        name=f"{d.quiz_name(attempt.user_id, attempt.note_id, attempt.quiz_id)}/attempts/{attempt.id}",
        answers=[
            pb.Answer(question_id=a["question_id"], selected_option_ids=a["selected"], text=a["text"]) for a in attempt.answers
        ],
        results=results,
    )


def link_pb(user_id: str, link: Any, target: Any) -> pb.NoteLink:
    return message_from(
        pb.NoteLink,
        link,
        name=f"{d.note_name(user_id, link.note_id)}/links/{link.target_id}",
        target=d.note_name(user_id, link.target_id),
        origin=pb.LINK_ORIGIN_MANUAL if link.origin == "manual" else pb.LINK_ORIGIN_AUTOMATIC,
        target_title=target.title,
        target_subject=target.subject,
    )


EDITABLE = ("title", "subject", "tags", "summary", "sections", "key_terms", "markdown")
ORDERS = {
    pb.NOTE_ORDER_NEWEST: "newest",
    pb.NOTE_ORDER_OLDEST: "oldest",
    pb.NOTE_ORDER_RECENTLY_UPDATED: "recently_updated",
    pb.NOTE_ORDER_TITLE: "title",
    pb.NOTE_ORDER_RELEVANCE: "relevance",
}


def bad(field: str, description: str) -> InvalidArgument:
    return InvalidArgument(f"{field}: {description}", domain=DOMAIN, violations=[FieldViolation(field, description)])


def place(operation: lro.Operation, position: int) -> lro.Operation:
    """`operation` (a QUEUED note job) with `queue_position` set in its GenerateNotesMetadata."""
    metadata = pb.GenerateNotesMetadata()
    if not operation.metadata.Unpack(metadata):
        return operation
    metadata.queue_position = position
    placed = lro.Operation()
    placed.CopyFrom(operation)
    placed.metadata.Pack(metadata)
    return placed


def note_query(request: pb.ListNotesRequest, user: str) -> tuple[NoteQuery, str]:
    """ListNotes' filter and order as the repository's query (words bounded to ten)."""
    f = request.filter
    words = tuple(w for w in f.query.lower().split() if w)[:10]
    order = ORDERS.get(request.order_by, "relevance" if words else "newest")
    if order == "relevance" and not words:
        raise bad("order_by", "RELEVANCE needs filter.query")
    source_key = ""
    if f.source:
        source_key = f.source if f.source.startswith("assets/") else f"youtube:{_video_key(f.source)}"
    query = NoteQuery(
        user_id=user,
        words=words,
        subject=f.subject,
        tags=tuple(t.lower() for t in f.tags),
        source_kind=enum_name(pb.SourceKind, f.source_kind, "SOURCE_KIND_"),
        source_key=source_key,
        start=f.create_time_start.ToDatetime(tzinfo=dt.UTC) if f.HasField("create_time_start") else None,
        end=f.create_time_end.ToDatetime(tzinfo=dt.UTC) if f.HasField("create_time_end") else None,
    )
    return query, order


def note_update(request: pb.UpdateNoteRequest) -> tuple[list[str], dict[str, Any]]:
    """UpdateNote's mask (`*` is every editable field) and the values it names."""
    paths = list(request.update_mask.paths)
    if not paths:
        raise bad("update_mask", "name at least one field")
    if paths == ["*"]:
        paths = list(EDITABLE)
    for path in paths:
        if path not in EDITABLE:
            raise bad("update_mask", f"{path!r} cannot be updated (any of {', '.join(EDITABLE)})")
    n = request.note
    values: dict[str, Any] = {"title": n.title, "subject": n.subject, "tags": list(n.tags), "summary": n.summary,
                              "markdown": n.markdown}  # fmt: skip
    if "sections" in paths:
        values["sections"] = sections_of(n)
    if "key_terms" in paths:
        values["key_terms"] = key_terms_of(n)
    return paths, values


def transcript_pb(user: str, note_id: str, row: Any) -> pb.Transcript:
    return pb.Transcript(
        name=f"{d.note_name(user, note_id)}/transcript",
        language_code=row.language_code,
        origin=enum_value(pb.TranscriptOrigin, row.origin, "TRANSCRIPT_ORIGIN_"),
        timed=row.timed,
        word_count=row.word_count,
        segments=[pb.TranscriptSegment(text=s[0], start_offset=duration(s[1]), end_offset=duration(s[2])) for s in row.segments],
    )


def subject_pb(row: tuple[str, int, dt.datetime]) -> pb.Subject:
    name, count, last = row
    return pb.Subject(display_name=name, note_count=count, last_note_time=timestamp(last))


def stats_pb(user: str, s: dict[str, Any]) -> pb.StudyStats:
    return pb.StudyStats(
        name=f"users/{user}/studyStats",
        note_count=s["notes"],
        notes_last_30_days=s["notes_recent"],
        subject_count=s["subjects"],
        total_source_duration=duration(s["seconds"]),
        credits_spent=s["credits"],
        credits_spent_last_30_days=s["credits_recent"],
        quiz_attempt_count=s["attempts"],
        average_score_percent=round(s["average"], 2),
        active_operation_count=s["active"],
        last_note_time=timestamp(s["last"]),
    )


def link_filter(request: pb.ListNoteLinksRequest) -> Callable[[Any], bool]:
    """ListNoteLinks' origin, relations and minimum score as a test on a stored link."""
    origin = {pb.LINK_ORIGIN_AUTOMATIC: "automatic", pb.LINK_ORIGIN_MANUAL: "manual"}.get(request.origin, "")
    relations = {enum_name(pb.LinkRelation, r, "LINK_RELATION_") for r in request.relations if r}

    def keep(link: Any) -> bool:
        return (
            (not origin or link.origin == origin)
            and (not relations or link.relation in relations)
            and (link.score >= request.min_score)
        )

    return keep


def named_user(name: str) -> str:
    """The user a service-only call names: `users/{user}`, never `users/me` (a service has no "me")."""
    (user,) = d.parse_name(name, "users/{}")
    if user == "me":
        raise bad("name", "users/me is not accepted here; name the user (users/{user})")
    return user


def _video_key(value: str) -> str:
    from services.notes.youtube import video_id_of

    if len(value) == 11 and "/" not in value and "." not in value:
        return value
    return video_id_of(value)
