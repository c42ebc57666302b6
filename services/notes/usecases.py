"""Notes' use cases: the units of work and every outside call (YouTube, Media, Billing, the
language model, the PDF renderer). Handlers call one of these per RPC; the Celery task calls
`run_job`.

Jobs are operations in the shared runtime (`services.core.operations`, table `notes_operations`):
Get/List/Cancel/WatchOperation are its shared behaviour; what only Notes knows about a job (the
request, the credit, steps, chunk summaries) is the operation's checkpoint, and what callers see of
it (`GenerateNotesMetadata`, `GenerateQuizMetadata`) its metadata.

Credits: `generate_notes` spends the price through Billing with a request id derived from the
job before anything is queued; the job charges it for good on success. A job that ends any other
way (failure, cancel, the deadline reaper, the reaper giving up on a worker that never came back)
owes a refund from the transaction that ends it: `refund_after_job`, an end hook of the operation
store, writes a row of the refund outbox there, and `refunds.RefundOutbox` sends it to Billing
until Billing answers, with the refund request id `notes-refund-<job>` (so it lands exactly once).
A refund is only ever sent after a non-successful end has committed, so a job that succeeded
meanwhile (a worker that took it over) is never refunded. The worker and the cancel that end a
job send its refund at once. The metadata's credit status says what is true: CHARGED on success,
RESERVED while a refund is owed, RELEASED once Billing took it back. A worker that dies mid-job loses its
lease; the task is redelivered and resumes from the chunk summaries in the checkpoint; it never
spends again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, overload

import grpc
from google.protobuf.message import Message
from marquee.longrunning.v1 import operation_pb2 as lro
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from services.core import operations as ops
from services.core.db import Database
from services.core.errors import (
    AlreadyExists,
    DeadlineExceeded,
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    ResourceExhausted,
)
from services.core.models import new_id, utcnow
from services.core.operations import OperationRecord, State, TaskCall
from services.core.operations_service import Operations
from services.core.outbox import OutboxPolicy
from services.core.tokens import ROLE_SERVICE, Principal
from services.notes import domain as d
from services.notes import export
from services.notes.billing_client import BillingClient, RefundRefused
from services.notes.media_client import MediaClient
from services.notes.model import Completion, TextModel, llm_unavailable
from services.notes.models import NOTES_OPERATIONS, Attempt, Link, Note, Quiz, Refund, TranscriptRow
from services.notes.refunds import RefundOutbox
from services.notes.repository import ACTIVE_STATES, NoteQuery, NotesRepository
from services.notes.settings import NotesSettings
from services.notes.transcripts import (
    DOMAIN,
    MAX_SOURCE_SECONDS,
    Chapter,
    Segment,
    Transcript,
    check_duration,
    parse_transcript,
)
from services.notes.youtube import YouTubeClient, canonical_uri, video_id_of

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
# The one Celery task that runs every Notes job (declared in tasks.py under the same name).
JOB_TASK_NAME = "marquee.notes.run_job"
JOB_QUEUE = "notes"


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    model: str = ""
    model_seconds: float = 0.0

    def add(self, completion: Completion, seconds: float) -> None:
        self.input_tokens += completion.input_tokens
        self.output_tokens += completion.output_tokens
        self.model = completion.model or self.model
        self.model_seconds += seconds


@dataclass(frozen=True)
class Estimate:
    credits: int
    available: int
    source: dict[str, Any]
    existing_notes: list[str]
    processing_seconds: float


@dataclass(frozen=True)
class ResolvedSource:
    """The source as found at submit: its facts and, for uploads, the parsed transcript."""

    facts: dict[str, Any]
    key: str
    transcript: Transcript | None = None


@dataclass(frozen=True)
class NotePage:
    notes: list[Note]
    next_token: str
    total: int


@dataclass(frozen=True)
class NoteFull:
    note: Note
    latest_quiz: str
    quiz_count: int
    link_count: int


@dataclass
class Deps:
    """What the use cases call outside the database; built by `server.py` or the worker."""

    billing: BillingClient
    youtube: YouTubeClient
    media: MediaClient
    model: Callable[[], TextModel]
    # How callers see a job and its results (the contract's messages; built by the wiring from the
    # handlers' mappings): `describe(job, queue_position)` is the operation's metadata.
    describe: Callable[[Job, int], Message]
    note_response: Callable[[NoteFull], Message]
    quiz_response: Callable[[Quiz], Message]
    # A QUEUED note job's operation with `queue_position` set in its metadata.
    place: Callable[[lro.Operation, int], lro.Operation] = lambda operation, _position: operation
    # The embedding seam (`services.core.embeddings.Embedder`), or None to link by concepts alone.
    embedder: Callable[[], Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class JobFailed(DomainError):
    """A job that failed for no reason the caller can act on (the log has the correlation)."""

    code = grpc.StatusCode.INTERNAL
    default_reason = "INTERNAL"


class JobCancelled(Exception):
    """The job must stop (`reason`: cancel, deadline, lost): stop at once, discard partial results."""

    def __init__(self, reason: str = "cancel") -> None:
        super().__init__(reason)
        self.reason = reason


# A job's operation is ended by the deadline reaper if it neither finishes nor fails by then
# (a long queue included).
JOB_DEADLINE = dt.timedelta(hours=6)
CANCEL_POLL_SECONDS = 0.2
# How long CancelOperation waits for Billing to take a cancelled job's refund before answering.
CANCEL_REFUND_WAIT_SECONDS = 5.0
SERVICE_PRINCIPAL = Principal("services/notes", role=ROLE_SERVICE)
ERASED = {
    "notes": "notes with their sections, key terms and Markdown, deleted",
    "transcripts": "transcripts kept with notes, deleted",
    "links": "links between notes, deleted",
    "quizzes": "quizzes and their answer keys, deleted",
    "quiz_attempts": "quiz attempts and scores, deleted",
    "jobs": "generation operations (running ones cancelled first), deleted",
}


@dataclass(frozen=True)
class Job:
    """A generation job as Notes reads it: its operation in the shared store, and Notes' own facts
    about it (the request, the credit, steps, chunk summaries), kept as the operation's checkpoint."""

    record: OperationRecord

    @property
    def data(self) -> dict[str, Any]:
        return self.record.checkpoint

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def user_id(self) -> str:
        return self.record.owner

    @property
    def kind(self) -> str:
        return self.record.kind

    @property
    def state(self) -> str:
        return self.record.state.value.lower()

    @property
    def target(self) -> str:
        return self.record.target

    @property
    def note_id(self) -> str:
        return str(self.data.get("note_id", ""))

    @property
    def quiz_id(self) -> str:
        return str(self.data.get("quiz_id", ""))

    @property
    def request_hash(self) -> str:
        return str(self.data.get("request_hash", ""))

    @property
    def request(self) -> dict[str, Any]:
        return dict(self.data.get("request") or {})

    @property
    def source(self) -> dict[str, Any]:
        return dict(self.data.get("source") or {})

    @property
    def source_key(self) -> str:
        return str(self.data.get("source_key", ""))

    @property
    def steps(self) -> dict[str, Any]:
        return dict(self.data.get("steps") or {})

    @property
    def partials(self) -> dict[str, Any]:
        return dict(self.data.get("partials") or {})

    @property
    def chunk_count(self) -> int:
        return int(self.data.get("chunk_count", 0))

    @property
    def chunks_done(self) -> int:
        if self.record.state is State.SUCCEEDED:
            return self.chunk_count
        return len(self.partials) if self.record.state is State.RUNNING else 0

    @property
    def credits(self) -> int:
        return int(self.data.get("credits", 0))

    @property
    def credit_status(self) -> str:
        return str(self.data.get("credit_status", ""))

    @property
    def model(self) -> str:
        return str(self.data.get("model", ""))

    @property
    def input_tokens(self) -> int:
        return int(self.data.get("input_tokens", 0))

    @property
    def output_tokens(self) -> int:
        return int(self.data.get("output_tokens", 0))

    @property
    def quiz_error_reason(self) -> str:
        return str(self.data.get("quiz_error_reason", ""))

    @property
    def quiz_error_message(self) -> str:
        return str(self.data.get("quiz_error_message", ""))


class JobRun(Protocol):
    """The running job as the use cases drive it (the worker adapts `services.core.tasks.OperationRun`)."""

    @property
    def job(self) -> Job: ...

    async def progress(
        self, step: str, percent: int, message: str, data: dict[str, Any], describe: Callable[[Job], Message]
    ) -> None:
        """Save `data` as the checkpoint, then persist and publish the step with `describe(job)` as
        metadata; raises `JobCancelled` when the job must stop."""

    async def stop_reason(self) -> str | None: ...

    async def succeed(
        self, response: Message, also: Callable[[Any], None], data: dict[str, Any], describe: Callable[[Job], Message]
    ) -> bool: ...

    async def holds(self) -> bool: ...

    async def fail(self, error: DomainError, metadata: Message, data: dict[str, Any]) -> None: ...

    async def end_cancelled(self, metadata: Message, data: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class SavedNote:
    """A succeeded job's note as it will be (for the operation's response) and how to save it."""

    view: NoteFull
    save: Callable[[Any], None]


@NOTES_OPERATIONS.on_end
def quiz_after_job(session: Any, record: OperationRecord) -> None:
    """In the transaction that ends a quiz job that did not succeed, whoever ends it (the task, a
    cancel while QUEUED, the deadline reaper): its placeholder quiz (GENERATING) goes."""
    if record.kind != "generate_quiz" or record.state is State.SUCCEEDED:
        return
    repo = NotesRepository(session)
    quiz_id = str(record.checkpoint.get("quiz_id", ""))
    found = repo.quiz(record.owner, str(record.checkpoint.get("note_id", "")), quiz_id)
    if found is not None and found.state == "generating":
        repo.delete_quiz(quiz_id)


# One reason for every refund of a job: Billing's idempotency compares it, so a refund sent again
# (by the outbox, a second worker, a cancel) must say exactly what the first said.
REFUND_REASON = "Notes generation did not complete"


@NOTES_OPERATIONS.on_end
def refund_after_job(session: Any, record: OperationRecord) -> None:
    """In the transaction that ends a note job without a note, whoever ends it: the refund it owes
    goes into the outbox, unless the ender already got it back (credit_status "released")."""
    job = Job(record)
    if job.kind != "generate_notes" or record.state is State.SUCCEEDED or job.credits <= 0:
        return
    if job.credit_status == "released":
        return
    NotesRepository(session).owe_refund(
        Refund(
            job_id=job.id, user_id=job.user_id, spend_request_id=spend_id(job.id), request_id=refund_id(job.id),
            reason=REFUND_REASON, attempt_count=0, last_error="", next_attempt_time=utcnow(), lease_owner="",
        )
    )  # fmt: skip


def request_hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _too_many_jobs(limit: int) -> ResourceExhausted:
    return ResourceExhausted(
        f"at most {limit} generations may be queued or running at once; wait for one to finish",
        reason="TOO_MANY_ACTIVE_JOBS",
        domain=DOMAIN,
        retry_after_seconds=30,
    )


class NotesUseCases:
    def __init__(
        self,
        database: Database,
        settings: NotesSettings,
        deps: Deps,
        operations: Operations,
        *,
        extractive_fallback: bool = False,
        clock: Callable[[], dt.datetime] = utcnow,
    ):
        # A section or overview whose answer never fits is written from the transcript (see
        # `domain.ground`) instead of failing the job: on for the test-sized embedded model.
        self.extractive_fallback = extractive_fallback
        self.db = database
        self.settings = settings
        self.deps = deps
        self.operations = operations
        self.clock = clock
        self.refunds = RefundOutbox(
            database,
            deps.billing,
            OutboxPolicy.from_settings(settings, "notes_refund"),
            released=self._released,
            publish=operations.publish,
        )

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await self.db.run(lambda session: fn(NotesRepository(session), *args))

    # --- sources -------------------------------------------------------------------------

    async def resolve_source(self, user_id: str, source: dict[str, Any], options: dict[str, Any]) -> ResolvedSource:
        """Check the source before any credit is spent: parse an upload, ask YouTube or Media for the facts."""
        language = options.get("language_code", "")
        if "transcript" in source:
            upload = source["transcript"]
            transcript = parse_transcript(
                upload.get("text", ""), upload.get("format", ""), language_code=upload.get("language_code", "")
            )
            video_id = ""
            if upload.get("video_uri"):
                with contextlib.suppress(InvalidArgument):
                    video_id = video_id_of(upload["video_uri"])
            facts = {
                "kind": "uploaded_transcript",
                "title": upload.get("title", ""),
                "video_uri": upload.get("video_uri", ""),
                "video_id": video_id,
                "duration_seconds": transcript.duration,
                "language_code": transcript.language_code,
                "transcript_origin": "uploaded",
            }
            key = f"upload:{hashlib.sha256(upload.get('text', '').encode()).hexdigest()[:32]}"
            return ResolvedSource(facts, key, transcript)
        if "video_uri" in source:
            video_id = video_id_of(source["video_uri"])
            facts_v = await self.deps.youtube.video(video_id, language=language)
            check_duration(facts_v.duration_seconds, "source.video_uri")
            facts = {
                "kind": "youtube_video",
                "video_uri": canonical_uri(video_id),
                "video_id": video_id,
                "title": facts_v.title,
                "channel": facts_v.channel,
                "channel_uri": facts_v.channel_uri,
                "duration_seconds": facts_v.duration_seconds,
                "thumbnail_uri": facts_v.thumbnail_uri,
                "language_code": facts_v.language_code,
                "transcript_origin": facts_v.origin,
            }
            return ResolvedSource(facts, f"youtube:{video_id}")
        if "asset" in source:
            asset = source["asset"]
            d.parse_name(asset, "assets/{}", "source.asset")
            found = await self.deps.media.asset(user_id, asset)
            seconds = found.duration.seconds + found.duration.nanos / 1e9
            check_duration(seconds, "source.asset")
            facts = {
                "kind": "media_asset",
                "asset": asset,
                "title": found.title or found.display_name,
                "duration_seconds": seconds,
            }
            return ResolvedSource(facts, asset)
        raise InvalidArgument(
            "source: set one of video_uri, asset or transcript",
            domain=DOMAIN,
            violations=[FieldViolation("source", "set one of video_uri, asset or transcript")],
        )

    async def _transcript_for(self, job: Job) -> Transcript:
        source = job.request["source"]
        if "transcript" in source:
            upload = source["transcript"]
            return parse_transcript(
                upload.get("text", ""), upload.get("format", ""), language_code=upload.get("language_code", "")
            )
        if "video_uri" in source:
            video_id = video_id_of(source["video_uri"])
            facts = await self.deps.youtube.video(video_id, language=job.request["options"].get("language_code", ""))
            check_duration(facts.duration_seconds)
            transcript = await self.deps.youtube.transcript(facts)
            from services.notes.transcripts import check_length

            check_length(transcript)
            return transcript
        text = await self.deps.media.text(job.user_id, source["asset"], language=job.request["options"].get("language_code", ""))
        check_duration(text.duration_seconds)
        return parse_transcript(text.text, text.format, language_code=text.language_code)

    # --- estimate and submit -------------------------------------------------------------

    async def estimate(self, user_id: str, source: dict[str, Any], options: dict[str, Any]) -> Estimate:
        check_options(options)
        resolved = await self.resolve_source(user_id, source, options)
        balance = await self.deps.billing.balance(user_id)
        existing = await self._run(lambda r: r.notes_from_source(user_id, resolved.key))
        minutes = max(1.0, resolved.facts.get("duration_seconds", 0.0) / 60)
        return Estimate(
            credits=self.settings.notes_credits_per_note,
            available=balance,
            source=resolved.facts,
            existing_notes=[d.note_name(user_id, n) for n in existing],
            processing_seconds=20 + 6 * minutes,
        )

    def _new_job(self, session: Any, user_id: str, kind: str, target: str, request_id: str, data: dict[str, Any]) -> Job:
        """Insert a QUEUED operation for a job, its facts as the checkpoint, its metadata as callers see it."""
        record = self.operations.create(
            session,
            owner=user_id,
            kind=kind,
            task=TaskCall(JOB_TASK_NAME, self.settings.notes_queue or JOB_QUEUE, {}),
            deadline=JOB_DEADLINE,
            target=target,
            request_id=request_id,
            checkpoint=data,
        )
        job = Job(record)
        described = self.operations.store.annotate(session, record.id, metadata=self.deps.describe(job, 0))
        assert described is not None
        return Job(described)

    async def generate_notes(
        self, user_id: str, source: dict[str, Any], options: dict[str, Any], allow_duplicate: bool, request_id: str
    ) -> lro.Operation:
        """GenerateNotes: the job's operation (the first one, for a retried request id), placed in the queue."""
        job = await self._start_notes(user_id, source, options, allow_duplicate, request_id)
        return await self.placed(ops.to_proto(job.record))

    async def _start_notes(
        self, user_id: str, source: dict[str, Any], options: dict[str, Any], allow_duplicate: bool, request_id: str
    ) -> Job:
        check_options(options)
        fingerprint = request_hash("generate_notes", source, options, allow_duplicate)
        if request_id:
            replay = await self._run(lambda r: r.job_by_request(user_id, request_id))
            if replay is not None:
                return _same_request(Job(replay), fingerprint, request_id)
        resolved = await self.resolve_source(user_id, source, options)
        price = self.settings.notes_credits_per_note

        def create(session: Any) -> Job:
            repo = NotesRepository(session)
            active = repo.active_jobs(user_id)
            if len(active) >= self.settings.notes_max_active_jobs:
                raise _too_many_jobs(self.settings.notes_max_active_jobs)
            if not allow_duplicate:
                existing = repo.notes_from_source(user_id, resolved.key)
                if existing:
                    raise _duplicate({"note": d.note_name(user_id, existing[0])})
                running = next((j for j in map(Job, active) if j.source_key == resolved.key), None)
                if running is not None:
                    raise _duplicate({"operation": running.name})
            note_id = new_id()
            steps = {s: {"state": "pending"} for s in d.STEPS}
            if options.get("include_quiz") is False:
                steps["quiz"] = {"state": "skipped"}
            if options.get("link_notes") is False:
                steps["link"] = {"state": "skipped"}
            data = {
                "request_hash": fingerprint,
                "note_id": note_id,
                "source_key": resolved.key,
                "request": {"source": source, "options": options},
                "source": resolved.facts,
                "credits": price,
                "credit_status": "pending",
                "steps": steps,
            }
            return self._new_job(session, user_id, "generate_notes", d.note_name(user_id, note_id), request_id, data)

        job = await self._unique(create, user_id, request_id, fingerprint)
        if price > 0:
            try:
                await self.deps.billing.spend(
                    user_id, price, request_id=spend_id(job.id), reference=job.name, reason="Notes generation"
                )
            except DomainError:
                await self._run(lambda r: r.delete_job(job.id))
                raise
        job = await self._settle(job, credit_status="reserved" if price else "charged")
        await self.operations.enqueue(job.record)
        return job

    async def _unique(self, create: Callable[[Any], Job], user_id: str, request_id: str, fingerprint: str) -> Job:
        """Create a job; a concurrent call with the same request id loses to the first (unique index)."""
        try:
            result: Job = await self.db.run(create)
        except IntegrityError:
            replay = await self._run(lambda r: r.job_by_request(user_id, request_id))
            if replay is None:
                raise
            return _same_request(Job(replay), fingerprint, request_id)
        return result

    async def _settle(self, job: Job, **facts: Any) -> Job:
        """Record facts about a job outside its task (credit status) in its checkpoint and metadata."""
        data = {**job.data, **facts}
        updated = Job(dataclasses.replace(job.record, checkpoint=data))

        def annotate(session: Any) -> Job:
            changed = self.operations.store.annotate(session, job.id, checkpoint=data, metadata=self.deps.describe(updated, 0))
            return Job(changed) if changed is not None else updated

        changed: Job = await self.db.run(annotate)
        return changed

    # --- operations ----------------------------------------------------------------------

    async def placed(self, operation: lro.Operation) -> lro.Operation:
        """A QUEUED note job with its real queue position in the metadata (computed when read: a
        stored one would be stale as soon as the job ahead starts)."""
        if operation.state != lro.OPERATION_STATE_QUEUED or operation.kind != "generate_notes":
            return operation
        job_id = operation.name.rsplit("/", 1)[-1]
        return self.deps.place(operation, int(await self._run(lambda r: r.queue_position(job_id))))

    async def get_job(self, principal: Principal, name: str) -> lro.Operation:
        """GetOperation: the shared behaviour, placed in the queue."""
        return await self.placed(await self.operations.get(principal, name))

    async def list_jobs(self, principal: Principal, parent: str, **query: Any) -> tuple[list[lro.Operation], str]:
        """ListOperations: the shared behaviour (another user's jobs do not exist), each placed in the queue."""
        if ops.parse_parent(parent, principal) is None:
            raise d.not_found(parent)
        found, token = await self.operations.list(principal, parent=parent, **query)
        return [await self.placed(operation) for operation in found], token

    async def watch_job(self, principal: Principal, name: str) -> AsyncIterator[lro.OperationEvent]:
        """WatchOperation: the shared behaviour, QUEUED events placed in the queue."""
        async for event in self.operations.watch(principal, name):
            if event.operation.state == lro.OPERATION_STATE_QUEUED:
                event.operation.CopyFrom(await self.placed(event.operation))
            yield event

    async def cancel_job(self, principal: Principal, name: str) -> lro.Operation:
        """CancelOperation: the shared behaviour; a job that ends CANCELLED here (it was QUEUED) gets
        its credit back before the answer when Billing answers within `CANCEL_REFUND_WAIT_SECONDS`
        (else the outbox keeps trying). A RUNNING job ends in its worker, which does the same."""
        cancelled = await self.operations.cancel(principal, name, already_done_reason="JOB_ALREADY_DONE")
        if cancelled.state != lro.OPERATION_STATE_CANCELLED or cancelled.kind != "generate_notes":
            return cancelled
        _, job_id = ops.parse_operation_name(name, principal)
        await self.refunds.settle(job_id, wait_seconds=CANCEL_REFUND_WAIT_SECONDS)
        return await self.get_job(principal, name)

    def _released(self, session: Any, job_id: str) -> OperationRecord | None:
        """The outbox got the credit back: the job's checkpoint and metadata say RELEASED."""
        record = self.operations.store.get(session, job_id)
        if record is None:
            return None  # erased with its account meanwhile
        settled = Job(dataclasses.replace(record, checkpoint={**record.checkpoint, "credit_status": "released"}))
        return self.operations.store.annotate(session, job_id, checkpoint=settled.data, metadata=self.deps.describe(settled, 0))

    # --- the job -------------------------------------------------------------------------

    async def run_job(self, run: JobRun) -> Message | None:
        """What the Celery task runs for one job (note or quiz): the whole pipeline, resumable from
        the checkpoint, ending the operation exactly once with the credit settled first."""
        job = run.job
        if job.kind == "generate_quiz":
            return await self._run_settled(run, self._quiz_pipeline(run))
        return await self._run_settled(run, self._pipeline(run))

    async def _run_settled(self, run: JobRun, pipeline: Awaitable[Message | None]) -> Message | None:
        work = asyncio.ensure_future(pipeline)
        watcher = asyncio.ensure_future(self._watch_cancel(run, work))
        try:
            return await work
        except (JobCancelled, asyncio.CancelledError) as stopped:
            reason = stopped.reason if isinstance(stopped, JobCancelled) else (await run.stop_reason() or "cancel")
            if reason == "lost":
                return None  # another worker holds the job now
            job = await self._refund_first(run)
            if reason == "deadline":
                late = DeadlineExceeded("the job did not finish by its deadline")
                await run.fail(late, self.deps.describe(job, 0), job.data)
            else:
                await run.end_cancelled(self.deps.describe(job, 0), job.data)
            return None
        except DomainError as exc:
            job = await self._refund_first(run)
            await run.fail(exc, self.deps.describe(job, 0), job.data)
            return None
        except Exception:
            log.exception("notes job %s failed", run.job.id)
            job = await self._refund_first(run)
            error = JobFailed("the job failed (internal error)", domain=DOMAIN)
            await run.fail(error, self.deps.describe(job, 0), job.data)
            return None
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            # Whoever ended the job without a note (this worker, the reaper at the deadline, a cancel
            # that won the race with the end) left its refund in the outbox: send it now, not a round later.
            if run.job.kind == "generate_notes":
                with contextlib.suppress(Exception):
                    await self.refunds.settle(run.job.id)

    async def _refund_first(self, run: JobRun) -> Job:
        """Before the worker ends a job without a note: its credit back now, if this worker still
        holds the job and Billing answers, so the end it writes (and watchers see) says RELEASED
        and owes nothing. Otherwise the job as it is: its end leaves the refund in the outbox."""
        job = run.job
        if job.kind != "generate_notes" or job.credits <= 0 or job.credit_status not in ("reserved", "charged"):
            return job
        if not await run.holds():
            return job  # ended by the reaper or taken over: whoever ended it left the refund owed
        try:
            await self.deps.billing.refund(
                job.user_id, spend_request_id=spend_id(job.id), request_id=refund_id(job.id), reason=REFUND_REASON
            )
        except (DomainError, RefundRefused) as exc:
            log.warning("refund of notes job %s not taken now (%s); the outbox retries it", job.id, exc)
            return job
        return Job(dataclasses.replace(job.record, checkpoint={**job.data, "credit_status": "released"}))

    async def _watch_cancel(self, run: JobRun, work: asyncio.Future[Any]) -> None:
        """Cancel stops the model calls: the pipeline task is cancelled as soon as it is asked."""
        while not work.done():
            await asyncio.sleep(CANCEL_POLL_SECONDS)
            if await run.stop_reason() is not None:
                work.cancel()
                return

    async def _progress(self, run: JobRun, step: str, percent: int, message: str, **values: Any) -> None:
        """Persist the step and `values` (the checkpoint a resumed job reads) and publish them."""
        data = dict(run.job.data)
        steps = dict(data.get("steps") or {})
        now = self.clock().isoformat()
        for name in steps:
            if name == step:
                break
            if steps[name].get("state") == "running":
                steps[name] = {**steps[name], "state": "succeeded", "end": now}
        if steps.get(step, {}).get("state") not in ("running", "skipped"):
            steps[step] = {"state": "running", "start": now}
        data.update(values, steps=steps)
        await run.progress(step, percent, message, data, lambda job: self.deps.describe(job, 0))

    async def _pipeline(self, run: JobRun) -> Message | None:
        job = run.job
        options = job.request["options"]
        usage = Usage(input_tokens=job.input_tokens, output_tokens=job.output_tokens)
        await self._progress(run, "fetch_transcript", 0, "fetching the transcript")
        transcript = await self._transcript_for(job)
        model = self.deps.model()
        await self._progress(run, "chunk", 15, "splitting the transcript", model=model.name)
        # The model's own tokenizer, asked once on a sample: its characters-per-token ratio sizes the chunks.
        sample = transcript.text[:20_000]
        ratio = len(sample) / max(1, await model.count_tokens(sample))
        chunks = d.chunk_transcript(
            transcript, self.settings.notes_chunk_tokens, lambda text: max(1, math.ceil(len(text) / ratio))
        )
        await self._progress(run, "summarize", 20, f"summarizing 0 of {len(chunks)}", chunk_count=len(chunks))
        writing = d.WritingOptions(
            detail_level=options.get("detail_level", "standard"),
            style=options.get("style", "study_guide"),
            instructions=options.get("instructions", ""),
            subject=options.get("subject", ""),
            language_code=options.get("language_code", ""),
        )
        partials: dict[str, Any] = dict(run.job.partials)
        done = [len(partials)]
        lock = asyncio.Lock()

        async def summarize(chunk: d.Chunk) -> None:
            if str(chunk.index) in partials:
                return
            hint = d.ground(chunk)
            prompt = d.section_prompt(chunk, len(chunks), writing, hint)
            out = await self.structured(model, prompt, d.SectionOut, usage, or_none=self.extractive_fallback)
            if out is None:
                section, terms = d.extractive_section(chunk, hint)
            else:
                section, found = d.section_from(chunk, out)
                terms = d.grounded_terms(found, hint)
            async with lock:
                partials[str(chunk.index)] = {"section": dataclass_json(section), "terms": [dataclass_json(t) for t in terms]}
                done[0] += 1
                percent = 20 + int(55 * done[0] / len(chunks))
                await self._progress(
                    run,
                    "summarize",
                    percent,
                    f"summarizing {done[0]} of {len(chunks)}",
                    partials=dict(partials),
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                )

        await asyncio.gather(*(summarize(c) for c in chunks))
        sections = [d.NoteSection(**_section_kwargs(partials[str(c.index)]["section"])) for c in chunks]
        terms = d.merge_terms([d.KeyTerm(**t) for t in partials[str(c.index)]["terms"]] for c in chunks)
        overview = await self.structured(
            model,
            d.overview_prompt(sections, job.source.get("title", ""), writing),
            d.OverviewOut,
            usage,
            or_none=self.extractive_fallback,
        ) or d.extractive_overview(sections, terms, job.source.get("title", ""))
        title = options.get("title") or job.source.get("title", "") or ""
        content = d.merge_note(sections, terms, overview, writing, title)

        found_links: list[d.FoundLink] = []
        embedding: list[float] = []
        if options.get("link_notes") is not False:
            await self._progress(run, "link", 75, "linking to your other notes")
            embedding = await self._embed(content)
            found_links = await self._run(lambda r: _find_links(r, job, content, embedding))
        quiz_questions: list[d.QuizQuestion] = []
        quiz_error: tuple[str, str] | None = None
        if options.get("include_quiz") is not False:
            await self._progress(run, "quiz", 85, "writing the quiz")
            try:
                quiz_questions = await self._write_quiz(model, content, options.get("quiz_options") or {}, usage)
            except DomainError as exc:
                quiz_error = (exc.reason, exc.message)
        await self._progress(run, "finalize", 97, "saving the note")
        if options.get("link_notes") is False:
            embedding = await self._embed(content)
        saved = await self._run(
            lambda r: self._note_rows(r, run.job, transcript, content, found_links, quiz_questions, usage, embedding)
        )
        final = self._final(run.job, usage, credit_status="charged", partials={}, chunks_done=len(chunks))
        if quiz_error:
            final["quiz_error_reason"], final["quiz_error_message"] = quiz_error[0], quiz_error[1][:500]
            final["steps"] = {**final["steps"], "quiz": {**final["steps"].get("quiz", {}), "state": "failed"}}
        response = self.deps.note_response(saved.view)
        # When a cancel wins the race with this end, the job ends CANCELLED and its end hook puts
        # the refund in the outbox; `_run_settled` sends it.
        await run.succeed(response, saved.save, final, lambda job: self.deps.describe(job, 0))
        return response

    def _final(self, job: Job, usage: Usage, **values: Any) -> dict[str, Any]:
        """The checkpoint of a job that succeeded: every step done, tokens and model as used."""
        now = self.clock().isoformat()
        steps = dict(job.data.get("steps") or {})
        for name, value in steps.items():
            if value.get("state") in ("running", "pending"):
                steps[name] = {"start": now, **value, "state": "succeeded", "end": now}
        return {
            **job.data,
            "steps": steps,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "model": usage.model or job.model,
            **values,
        }

    async def _embed(self, content: d.NoteContent) -> list[float]:
        """The note's embedding for cross-links; without an embedder (or when it fails) links use concepts alone."""
        if self.deps.embedder is None:
            return []
        try:
            rows = await self.deps.embedder().embed_documents([d.link_text(content)])
        except Exception:  # the embedder is an optional refinement: any failure falls back to concepts
            log.warning("embedding for cross-links unavailable", exc_info=True)
            return []
        return [float(v) for v in rows[0]]

    @overload
    async def structured(
        self, model: TextModel, messages: list[dict[str, str]], schema: type[T], usage: Usage, *, or_none: Literal[False] = False
    ) -> T: ...

    @overload
    async def structured(
        self, model: TextModel, messages: list[dict[str, str]], schema: type[T], usage: Usage, *, or_none: bool
    ) -> T | None: ...

    async def structured(
        self, model: TextModel, messages: list[dict[str, str]], schema: type[T], usage: Usage, *, or_none: bool = False
    ) -> T | None:
        """Ask for JSON that fits `schema`; repair locally, else re-ask with the problem, a few times.
        A job never stores an answer that does not fit: it fails LLM_UNAVAILABLE, or, with `or_none`
        (the extractive fallback), gets None and writes that part from the transcript itself."""
        conversation = messages
        problem = ""
        for _attempt in range(self.settings.notes_structured_retries + 1):
            started = asyncio.get_running_loop().time()
            completion = await model.complete(conversation, max_tokens=self.settings.notes_output_tokens)
            usage.add(completion, asyncio.get_running_loop().time() - started)
            try:
                value = d.parse_structured(completion.text, schema)
                if isinstance(value, d.QuizOut):
                    d.validate_quiz(value, 1_000)
                return value
            except d.StructuredOutputError as exc:
                problem = str(exc)
                conversation = d.repair_prompt(messages, completion.text, problem)
        if or_none:
            log.info("model answer never fit %s; writing that part from the transcript", schema.__name__)
            return None
        raise llm_unavailable(f"the model's answer did not fit the expected structure ({problem[:120]})")

    async def _write_quiz(
        self, model: TextModel, content: d.NoteContent, options: dict[str, Any], usage: Usage
    ) -> list[d.QuizQuestion]:
        count = int(options.get("question_count") or 10)
        types = list(options.get("question_types") or [])
        out = await self.structured(
            model,
            d.quiz_prompt(content, count, types, options.get("difficulty", "mixed"), options.get("section_indexes") or []),
            d.QuizOut,
            usage,
        )
        d.validate_quiz(out, len(content.sections))
        if types:
            out.questions = [q for q in out.questions if q.type in types] or out.questions
        return d.quiz_questions(out, content, count)

    def _note_rows(
        self,
        repo: NotesRepository,
        job: Job,
        transcript: Transcript,
        content: d.NoteContent,
        links: list[d.FoundLink],
        questions: list[d.QuizQuestion],
        usage: Usage,
        embedding: list[float],
    ) -> SavedNote:
        """The rows a succeeded job writes, built (not added): `save` adds them in the transaction
        that ends the operation, so they exist exactly when the operation SUCCEEDED."""
        options = job.request["options"]
        now = self.clock()
        note = Note(
            id=job.note_id,
            user_id=job.user_id,
            title=content.title,
            subject=content.subject,
            subject_key=content.subject.lower(),
            tags=d.normalize_tags(options.get("tags") or []),
            language_code=options.get("language_code") or transcript.language_code or job.source.get("language_code", ""),
            style=options.get("style", "study_guide"),
            detail_level=options.get("detail_level", "standard"),
            summary=content.summary,
            content={
                "sections": [dataclass_json(s) for s in content.sections],
                "key_terms": [dataclass_json(t) for t in content.key_terms],
            },
            source={**job.source, "language_code": transcript.language_code or job.source.get("language_code", "")},
            source_kind=job.source.get("kind", ""),
            source_key=job.source_key,
            source_seconds=float(job.source.get("duration_seconds") or transcript.duration),
            model=usage.model or job.model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            credits_spent=job.credits,
            operation_id=job.id,
            embedding=embedding,
            markdown_edited=False,
            create_time=now,
            update_time=now,
        )
        targets = repo.notes_by_id(job.user_id, [link.target for link in links])
        kept = [link for link in links if link.target in targets]
        _render_into(note, content, [d.LinkView(targets[link.target].title, link.relation) for link in kept])
        quiz = (
            Quiz(
                id=new_id(),
                user_id=job.user_id,
                note_id=note.id,
                state="ready",
                title=f"{note.title[:300]}: quiz 1",
                options=options.get("quiz_options") or {},
                questions=[q.to_json() for q in questions],
                model=usage.model,
                operation_id=job.id,
                attempt_count=0,
                best_score_percent=0.0,
                create_time=now,
            )
            if questions
            else None
        )
        transcript_row = TranscriptRow(
            note_id=note.id,
            user_id=job.user_id,
            language_code=transcript.language_code,
            origin=transcript.origin,
            timed=transcript.timed,
            word_count=transcript.word_count,
            segments=[[s.text, s.start, s.end] for s in transcript.segments],
        )

        def save(session: Any) -> None:
            rows = NotesRepository(session)
            if rows.note(job.user_id, note.id) is not None:
                return  # written by an earlier attempt whose end was lost
            rows.add(note, transcript_row)
            for link in kept:
                _save_link(rows, job.user_id, note.id, link.target, link.relation, "automatic", link.score, list(link.shared), "")
            if quiz is not None:
                rows.add(quiz)

        latest = d.quiz_name(job.user_id, note.id, quiz.id) if quiz is not None else ""
        return SavedNote(NoteFull(note, latest, 1 if quiz is not None else 0, len(kept)), save)

    # --- notes ---------------------------------------------------------------------------

    async def get_note(self, user_id: str, note_id: str) -> NoteFull:
        def get(repo: NotesRepository) -> NoteFull:
            note = repo.note(user_id, note_id)
            if note is None:
                raise d.not_found(d.note_name(user_id, note_id))
            return _full(repo, note)

        result: NoteFull = await self._run(get)
        return result

    async def list_notes(self, query: NoteQuery, order: str, size: int, after: Any, encode: Callable[[Any], str]) -> NotePage:
        def page(repo: NotesRepository) -> NotePage:
            total = repo.count_notes(query)
            if order == "relevance":
                rows = repo.matching_notes(query)
                rows.sort(key=lambda n: (-sum(n.search_text.count(w) for w in query.words), n.id))
                offset = int(after or 0)
                chosen = rows[offset : offset + size]
                more = offset + size < len(rows)
                return NotePage(chosen, encode(offset + size) if more else "", total)
            rows = repo.notes_page(query, order, size + 1, tuple(after) if after else None)
            more = len(rows) > size
            rows = rows[:size]
            token = ""
            if more:
                last = rows[-1]
                value = {"newest": last.create_time, "oldest": last.create_time, "recently_updated": last.update_time}.get(
                    order, last.title
                )
                token = encode([value.isoformat() if isinstance(value, dt.datetime) else value, last.id])
            return NotePage(rows, token, total)

        result: NotePage = await self._run(page)
        return result

    async def update_note(self, user_id: str, note_id: str, etag: str, paths: Sequence[str], values: dict[str, Any]) -> NoteFull:
        if not etag:
            raise InvalidArgument(
                "note.etag: required (send back the etag you read)",
                domain=DOMAIN,
                violations=[FieldViolation("note.etag", "required")],
            )

        def update(repo: NotesRepository) -> NoteFull:
            note = repo.note(user_id, note_id, for_update=True)
            if note is None:
                raise d.not_found(d.note_name(user_id, note_id))
            if note.etag != etag:
                raise _etag_mismatch()
            content = d.NoteContent.from_json(
                {**note.content, "title": note.title, "summary": note.summary, "subject": note.subject}
            )
            for path in paths:
                if path == "title":
                    note.title = d.check_length(values["title"], d.MAX_TITLE, "note.title")
                    content.title = note.title
                elif path == "subject":
                    note.subject = d.check_length(values["subject"], d.MAX_SUBJECT, "note.subject")
                    note.subject_key = note.subject.lower()
                elif path == "tags":
                    note.tags = d.normalize_tags(values["tags"], "note.tags")
                elif path == "summary":
                    note.summary = d.check_length(values["summary"], d.MAX_SUMMARY, "note.summary")
                    content.summary = note.summary
                elif path == "sections":
                    content.sections = values["sections"]
                elif path == "key_terms":
                    content.key_terms = values["key_terms"]
                elif path == "markdown":
                    note.markdown = d.check_length(values["markdown"], d.MAX_MARKDOWN, "note.markdown")
                    note.markdown_edited = True
            note.content = {
                "sections": [dataclass_json(s) for s in content.sections],
                "key_terms": [dataclass_json(t) for t in content.key_terms],
            }
            if not note.markdown_edited:
                _render_into(note, content, _link_views(repo, note))
            else:
                note.word_count = d.word_count(note.markdown)
                note.search_text = _search_text(note, content)
            note.update_time = self.clock()
            note.etag = d.etag_of(note.id, note.update_time.isoformat(), new_id())
            return _full(repo, note)

        result: NoteFull = await self._run(update)
        return result

    async def delete_note(self, user_id: str, note_id: str, etag: str) -> None:
        def delete(repo: NotesRepository) -> list[OperationRecord]:
            note = repo.note(user_id, note_id, for_update=True)
            if note is None:
                raise d.not_found(d.note_name(user_id, note_id))
            if etag and note.etag != etag:
                raise _etag_mismatch()
            active = repo.active_jobs_for_note(user_id, d.note_name(user_id, note_id))
            repo.delete_note(user_id, note_id)
            return active

        # Its quiz jobs are stopped once the note is gone (a worker that still runs one finds no note).
        for record in await self._run(delete):
            with contextlib.suppress(DomainError):
                await self.operations.cancel(SERVICE_PRINCIPAL, record.name)

    async def transcript(self, user_id: str, note_id: str) -> TranscriptRow:
        row = await self._run(lambda r: r.transcript(user_id, note_id))
        if row is None:
            raise d.not_found(f"users/{user_id}/notes/{note_id}/transcript")
        return row  # type: ignore[no-any-return]

    async def subjects(self, user_id: str) -> list[tuple[str, int, dt.datetime]]:
        return list(await self._run(lambda r: r.subjects(user_id)))

    async def study_stats(self, user_id: str) -> dict[str, Any]:
        def stats(repo: NotesRepository) -> dict[str, Any]:
            totals = repo.note_totals(user_id, self.clock() - dt.timedelta(days=30))
            attempts, average = repo.attempt_totals(user_id)
            return {**totals, "attempts": attempts, "average": average, "active": len(repo.active_jobs(user_id))}

        result: dict[str, Any] = await self._run(stats)
        return result

    async def export(
        self,
        user_id: str,
        note_id: str,
        fmt: str,
        *,
        front_matter: bool,
        link_style: str,
        include_quiz: bool,
        include_transcript: bool,
    ) -> tuple[bytes, str, str]:
        def gather(repo: NotesRepository) -> tuple[Note, list[d.LinkView], Quiz | None, TranscriptRow | None]:
            note = repo.note(user_id, note_id)
            if note is None:
                raise d.not_found(d.note_name(user_id, note_id))
            quiz = next((q for q in repo.quizzes(user_id, note_id) if q.state == "ready"), None) if include_quiz else None
            transcript = repo.transcript(user_id, note_id) if include_transcript else None
            return note, _link_views(repo, note), quiz, transcript

        note, links, quiz, transcript = await self._run(gather)
        document = export.Document.of(note, links, quiz, transcript)
        if fmt == "markdown":
            body = export.markdown(document, front_matter=front_matter, link_style=link_style)
            return body.encode(), "text/markdown; charset=utf-8", d.slug(note.title) + ".md"
        pdf = await self.db.offload(export.pdf, document)
        return pdf, "application/pdf", d.slug(note.title) + ".pdf"

    # --- links ---------------------------------------------------------------------------

    async def links(self, user_id: str, note_id: str) -> list[tuple[Link, Note]]:
        def links(repo: NotesRepository) -> list[tuple[Link, Note]]:
            if repo.note(user_id, note_id) is None:
                raise d.not_found(d.note_name(user_id, note_id))
            rows = repo.links_of(user_id, note_id)
            targets = repo.notes_by_id(user_id, [r.target_id for r in rows])
            return [(r, targets[r.target_id]) for r in rows if r.target_id in targets]

        return list(await self._run(links))

    async def create_link(self, user_id: str, note_id: str, target_id: str, relation: str, comment: str) -> tuple[Link, Note]:
        if target_id == note_id:
            raise InvalidArgument(
                "link.target: a note cannot link to itself",
                domain=DOMAIN,
                violations=[FieldViolation("link.target", "a note cannot link to itself")],
            )
        d.check_length(comment, d.MAX_COMMENT, "link.comment")

        def create(repo: NotesRepository) -> tuple[Link, Note]:
            note = repo.note(user_id, note_id)
            target = repo.note(user_id, target_id)
            if note is None:
                raise d.not_found(d.note_name(user_id, note_id))
            if target is None:
                raise d.not_found(d.note_name(user_id, target_id))
            link = _save_link(repo, user_id, note_id, target_id, relation, "manual", 1.0, None, comment)
            _rerender(repo, note)
            _rerender(repo, target)
            return link, target

        result: tuple[Link, Note] = await self._run(create)
        return result

    async def delete_link(self, user_id: str, note_id: str, target_id: str) -> None:
        def delete(repo: NotesRepository) -> None:
            link = repo.link(user_id, note_id, target_id)
            if link is None or link.dismissed:
                raise d.not_found(f"users/{user_id}/notes/{note_id}/links/{target_id}")
            for row in (link, repo.link(user_id, target_id, note_id)):
                if row is None:
                    continue
                if row.origin == "automatic":
                    row.dismissed = True  # remembered, so it is not suggested again
                else:
                    repo.session.delete(row)
            repo.session.flush()
            for nid in (note_id, target_id):
                found = repo.note(user_id, nid)
                if found is not None:
                    _rerender(repo, found)

        await self._run(delete)

    # --- quizzes -------------------------------------------------------------------------

    async def generate_quiz(self, user_id: str, note_id: str, options: dict[str, Any], request_id: str) -> Job:
        check_quiz_options(options)
        fingerprint = request_hash("generate_quiz", note_id, options)
        if request_id:
            replay = await self._run(lambda r: r.job_by_request(user_id, request_id))
            if replay is not None:
                return _same_request(Job(replay), fingerprint, request_id)

        def create(session: Any) -> Job:
            repo = NotesRepository(session)
            note = repo.note(user_id, note_id)
            if note is None:
                raise d.not_found(d.note_name(user_id, note_id))
            if (
                repo.quizzes_since(user_id, note_id, self.clock() - dt.timedelta(days=1))
                >= self.settings.notes_quizzes_per_note_per_day
            ):
                raise ResourceExhausted(
                    f"at most {self.settings.notes_quizzes_per_note_per_day} quizzes per note per day",
                    reason="RATE_LIMITED",
                    domain=DOMAIN,
                    retry_after_seconds=3600,
                )
            if len(repo.active_jobs(user_id)) >= self.settings.notes_max_active_jobs:
                raise _too_many_jobs(self.settings.notes_max_active_jobs)
            count = len(repo.quizzes(user_id, note_id))
            quiz = Quiz(
                id=new_id(),
                user_id=user_id,
                note_id=note_id,
                state="generating",
                title=f"{note.title[:300]}: quiz {count + 1}",
                options=options,
                create_time=self.clock(),
            )
            data = {
                "request_hash": fingerprint,
                "note_id": note_id,
                "quiz_id": quiz.id,
                "request": {"options": options},
                "steps": {"quiz": {"state": "pending"}, "finalize": {"state": "pending"}},
            }
            job = self._new_job(session, user_id, "generate_quiz", d.quiz_name(user_id, note_id, quiz.id), request_id, data)
            quiz.operation_id = job.id
            repo.add(quiz)
            return job

        job = await self._unique(create, user_id, request_id, fingerprint)
        await self.operations.enqueue(job.record)
        return job

    async def _quiz_pipeline(self, run: JobRun) -> Message | None:
        job = run.job
        usage = Usage()
        note = await self._run(lambda r: r.note(job.user_id, job.note_id))
        if note is None:
            raise JobCancelled("cancel")  # the note was deleted
        await self._progress(run, "quiz", 5, "writing the quiz")
        model = self.deps.model()
        content = d.NoteContent.from_json({**note.content, "title": note.title, "summary": note.summary, "subject": note.subject})
        questions = await self._write_quiz(model, content, job.request["options"], usage)
        await self._progress(run, "finalize", 97, "saving the quiz")
        quiz = await self._run(lambda r: r.quiz(job.user_id, job.note_id, job.quiz_id))
        if quiz is None:
            raise JobCancelled("cancel")
        quiz.questions, quiz.state, quiz.model = [q.to_json() for q in questions], "ready", usage.model  # detached: not saved
        response = self.deps.quiz_response(quiz)

        def save(session: Any) -> None:
            row = NotesRepository(session).quiz(job.user_id, job.note_id, job.quiz_id)
            if row is not None:
                row.questions = [q.to_json() for q in questions]
                row.state = "ready"
                row.model = usage.model

        await run.succeed(response, save, self._final(run.job, usage), lambda j: self.deps.describe(j, 0))
        return response

    async def get_quiz(self, user_id: str, note_id: str, quiz_id: str) -> Quiz:
        def get(repo: NotesRepository) -> Quiz:
            if quiz_id == "latest":
                quizzes = repo.quizzes(user_id, note_id)
                if repo.note(user_id, note_id) is None or not quizzes:
                    raise d.not_found(d.quiz_name(user_id, note_id, quiz_id))
                ready = next((q for q in quizzes if q.state == "ready"), None)
                if ready is None:
                    raise FailedPrecondition(
                        "the note's quiz is still being written",
                        reason="QUIZ_NOT_READY",
                        domain=DOMAIN,
                        metadata={"operation": d.operation_name(user_id, quizzes[0].operation_id)},
                    )
                return ready
            quiz = repo.quiz(user_id, note_id, quiz_id)
            if quiz is None:
                raise d.not_found(d.quiz_name(user_id, note_id, quiz_id))
            return quiz

        result: Quiz = await self._run(get)
        return result

    async def list_quizzes(self, user_id: str, note_id: str) -> list[Quiz]:
        def quizzes(repo: NotesRepository) -> list[Quiz]:
            if repo.note(user_id, note_id) is None:
                raise d.not_found(d.note_name(user_id, note_id))
            return repo.quizzes(user_id, note_id)

        return list(await self._run(quizzes))

    async def submit_attempt(
        self,
        user_id: str,
        note_id: str,
        quiz_id: str,
        answers: list[d.SubmittedAnswer],
        start: dt.datetime | None,
        request_id: str,
    ) -> Attempt:
        fingerprint = request_hash([a.__dict__ for a in answers], start)
        if request_id:
            replay = await self._run(lambda r: r.attempt_by_request(user_id, request_id))
            if replay is not None:
                if replay.quiz_id != quiz_id or replay.answers != [_answer_json(a) for a in answers]:
                    raise AlreadyExists(
                        "request_id was already used for a different attempt",
                        reason="REQUEST_ID_REUSED",
                        metadata={"request_id": request_id},
                    )
                return replay  # type: ignore[no-any-return]
        del fingerprint
        quiz = await self.get_quiz(user_id, note_id, quiz_id)
        if quiz.state != "ready":
            raise FailedPrecondition(
                "the quiz is still being written",
                reason="QUIZ_NOT_READY",
                domain=DOMAIN,
                metadata={"operation": d.operation_name(user_id, quiz.operation_id)},
            )
        questions = [d.QuizQuestion(**q) for q in quiz.questions]
        given = d.check_answers(questions, answers)
        results: list[d.Result] = []
        model: TextModel | None = None
        for question in questions:
            answer = given.get(question.id)
            if question.type != "short_answer":
                results.append(d.score_closed(question, answer))
                continue
            grade = None
            if answer is not None and answer.text.strip():
                model = model or self.deps.model()
                grade = await self.structured(model, d.grade_prompt(question, answer.text), d.GradeOut, Usage())
            results.append(d.score_open(question, answer, grade))
        score, possible, percent = d.score_percent(results)

        def save(repo: NotesRepository) -> Attempt:
            note = repo.note(user_id, note_id)
            row = repo.quiz(user_id, note_id, quiz.id)
            if note is None or row is None:
                raise d.not_found(d.quiz_name(user_id, note_id, quiz_id))
            attempt = Attempt(
                user_id=user_id,
                note_id=note_id,
                quiz_id=quiz.id,
                request_id=request_id or None,
                answers=[_answer_json(a) for a in answers],
                results=[{**r.__dict__, "question": q.to_json()} for r, q in zip(results, questions, strict=True)],
                score=score,
                max_score=possible,
                score_percent=percent,
                correct_count=sum(1 for r in results if r.correctness == "correct"),
                question_count=len(questions),
                note_title=note.title,
                start_time=start,
                submit_time=self.clock(),
            )
            repo.add(attempt)
            row.attempt_count += 1
            row.best_score_percent = max(row.best_score_percent, percent)
            return attempt

        try:
            result: Attempt = await self._run(save)
        except IntegrityError:
            replay = await self._run(lambda r: r.attempt_by_request(user_id, request_id))
            if replay is None:
                raise
            return replay  # type: ignore[no-any-return]
        return result

    async def get_attempt(self, user_id: str, note_id: str, quiz_id: str, attempt_id: str) -> Attempt:
        row = await self._run(lambda r: r.attempt(user_id, note_id, quiz_id, attempt_id))
        if row is None:
            raise d.not_found(f"{d.quiz_name(user_id, note_id, quiz_id)}/attempts/{attempt_id}")
        return row  # type: ignore[no-any-return]

    async def list_attempts(
        self, user_id: str, note_id: str, quiz_id: str, size: int, after: tuple[dt.datetime, str] | None
    ) -> list[Attempt]:
        def attempts(repo: NotesRepository) -> list[Attempt]:
            if note_id != "-" and repo.note(user_id, note_id) is None:
                raise d.not_found(d.note_name(user_id, note_id))
            if quiz_id != "-" and note_id != "-" and repo.quiz(user_id, note_id, quiz_id) is None:
                raise d.not_found(d.quiz_name(user_id, note_id, quiz_id))
            return repo.attempts(user_id, note_id, quiz_id, size, after)

        return list(await self._run(attempts))

    # --- account export and erasure -------------------------------------------------------

    async def export_user_data(self, user_id: str) -> bytes:
        """Everything Notes holds about the user as one JSON document, by category."""

        def gather(repo: NotesRepository) -> dict[str, Any]:
            rows = repo.user_rows(user_id)
            document: dict[str, Any] = {"user": f"users/{user_id}"}
            for category, found in rows.items():
                document[category] = [_row_json(row) for row in found]
            document["jobs"] = [_job_json(Job(record)) for record in repo.jobs_of(user_id)]
            return document

        document = await self._run(gather)
        return json.dumps(document, sort_keys=True, default=str).encode()

    async def purge_user_data(self, user_id: str) -> list[tuple[str, int, str]]:
        """Erase everything Notes holds about the user: running jobs are stopped first (their
        workers see the cancel), then every row goes. Idempotent."""
        active = await self._run(lambda r: r.active_jobs(user_id))
        for record in active:
            with contextlib.suppress(DomainError):
                await self.operations.cancel(SERVICE_PRINCIPAL, record.name)
        counts: dict[str, int] = await self._run(lambda r: r.purge_user(user_id))
        return [(category, counts.get(category, 0), ERASED[category]) for category in ERASED]


# --- helpers -----------------------------------------------------------------------------


def spend_id(job_id: str) -> str:
    return f"notes-generate-{job_id}"


def refund_id(job_id: str) -> str:
    return f"notes-refund-{job_id}"


def _same_request(job: Job, fingerprint: str, request_id: str) -> Job:
    if job.request_hash != fingerprint:
        raise AlreadyExists(
            "request_id was already used for a different request", reason="REQUEST_ID_REUSED", metadata={"request_id": request_id}
        )
    return job


def _duplicate(metadata: dict[str, str]) -> AlreadyExists:
    return AlreadyExists(
        "you already have a note (or a generation in progress) for this source; set allow_duplicate",
        reason="DUPLICATE_SOURCE",
        domain=DOMAIN,
        metadata=metadata,
    )


def _etag_mismatch() -> DomainError:
    from services.core.errors import Aborted

    return Aborted("the note changed since it was read; read it again and retry", reason="ETAG_MISMATCH")


def dataclass_json(value: Any) -> dict[str, Any]:
    return dataclasses.asdict(value)


def _row_json(row: Any) -> dict[str, Any]:
    """A row's columns as JSON values, for the account export (embeddings are left out: numbers only a machine reads)."""
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "embedding"}
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}


def _job_json(job: Job) -> dict[str, Any]:
    record = job.record
    return {
        "name": record.name,
        "kind": record.kind,
        "state": record.state.value,
        "target": record.target,
        "created": record.created_at.isoformat(),
        "ended": record.ended_at.isoformat() if record.ended_at else None,
        "source": job.source,
        "options": job.request.get("options", {}),
        "credits": job.credits,
        "credit_status": job.credit_status,
        "model": job.model,
    }


def _section_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "key_points": [d.KeyPoint(**p) for p in data.get("key_points", [])]}


def _answer_json(answer: d.SubmittedAnswer) -> dict[str, Any]:
    return {"question_id": answer.question_id, "selected": list(answer.selected), "text": answer.text}


def _search_text(note: Note, content: d.NoteContent) -> str:
    terms = " ".join(f"{t.term} {t.definition}" for t in content.key_terms)
    return " ".join([note.title, note.summary, terms, note.markdown]).lower()[:400_000]


def _render_into(note: Note, content: d.NoteContent, links: Sequence[d.LinkView]) -> None:
    note.markdown = d.render_markdown(content, video_id=note.source.get("video_id", ""), links=links)
    note.word_count = d.word_count(note.markdown)
    note.search_text = _search_text(note, content)
    note.etag = d.etag_of(note.id, utcnow().isoformat(), new_id())


def _rerender(repo: NotesRepository, note: Note) -> None:
    """Keep the generated Markdown's related-notes list true after a link change (edited Markdown is left alone)."""
    if note.markdown_edited:
        return
    content = d.NoteContent.from_json({**note.content, "title": note.title, "summary": note.summary, "subject": note.subject})
    _render_into(note, content, _link_views(repo, note))


def _link_views(repo: NotesRepository, note: Note) -> list[d.LinkView]:
    rows = repo.links_of(note.user_id, note.id)
    targets = repo.notes_by_id(note.user_id, [r.target_id for r in rows])
    return [d.LinkView(targets[r.target_id].title, r.relation) for r in rows if r.target_id in targets]


def _full(repo: NotesRepository, note: Note) -> NoteFull:
    quizzes = [q for q in repo.quizzes(note.user_id, note.id) if q.state == "ready"]
    latest = d.quiz_name(note.user_id, note.id, quizzes[0].id) if quizzes else ""
    return NoteFull(note, latest, len(quizzes), repo.link_count(note.user_id, note.id))


def _save_link(
    repo: NotesRepository,
    user_id: str,
    note_id: str,
    target_id: str,
    relation: str,
    origin: str,
    score: float,
    shared: list[str] | None,
    comment: str,
) -> Link:
    """Both sides of a link; a manual link overrides an automatic one, and never the reverse."""
    mine: Link | None = None
    for a, b, rel in ((note_id, target_id, relation), (target_id, note_id, d.inverse(relation))):
        row = repo.link(user_id, a, b)
        if row is None:
            row = Link(user_id=user_id, note_id=a, target_id=b, create_time=utcnow())
            repo.session.add(row)
        elif origin == "automatic" and (row.origin == "manual" or row.dismissed):
            mine = row if a == note_id else mine
            continue
        row.relation, row.origin, row.score, row.dismissed = rel, origin, score, False
        if shared is not None:
            row.shared_concepts = shared
        if origin == "manual":
            row.comment = comment
        if a == note_id:
            mine = row
    repo.session.flush()
    assert mine is not None
    return mine


def _find_links(repo: NotesRepository, job: Job, content: d.NoteContent, embedding: list[float]) -> list[d.FoundLink]:
    others = repo.link_candidates(job.user_id, job.note_id)
    similarity = {o.id: d.cosine(embedding, o.embedding) for o in others if embedding and o.embedding}
    candidates = [
        d.LinkCandidate(
            o.id,
            o.title,
            o.subject,
            tuple(t["term"] for t in (o.content or {}).get("key_terms", [])),
            o.source.get("video_id", ""),
        )
        for o in others
    ]
    me = d.LinkCandidate(
        job.note_id, content.title, content.subject, tuple(t.term for t in content.key_terms), job.source.get("video_id", "")
    )
    return d.find_links(me, candidates, similarity=similarity)


STYLES = ("study_guide", "outline", "cornell", "summary")
DETAILS = ("brief", "standard", "detailed")


def check_options(options: dict[str, Any]) -> None:
    d.check_length(options.get("subject", ""), d.MAX_SUBJECT, "options.subject")
    d.check_length(options.get("instructions", ""), d.MAX_INSTRUCTIONS, "options.instructions")
    d.check_length(options.get("title", ""), d.MAX_TITLE, "options.title")
    d.normalize_tags(options.get("tags") or [], "options.tags")
    language = options.get("language_code", "")
    if language and not all(part.isalnum() and len(part) <= 8 for part in language.split("-")):
        raise InvalidArgument(
            "options.language_code: not a BCP-47 tag",
            reason="LANGUAGE_UNSUPPORTED",
            domain=DOMAIN,
            violations=[FieldViolation("options.language_code", "not a BCP-47 tag")],
        )
    if options.get("quiz_options"):
        check_quiz_options(options["quiz_options"], "options.quiz_options")


def check_quiz_options(options: dict[str, Any], where: str = "options") -> None:
    count = int(options.get("question_count") or 10)
    if not 3 <= count <= 30:
        raise InvalidArgument(
            f"{where}.question_count: must be 3 to 30",
            domain=DOMAIN,
            violations=[FieldViolation(f"{where}.question_count", "must be 3 to 30")],
        )
    if any(i < 0 for i in options.get("section_indexes") or []):
        raise InvalidArgument(
            f"{where}.section_indexes: must not be negative",
            domain=DOMAIN,
            violations=[FieldViolation(f"{where}.section_indexes", "must not be negative")],
        )


__all__ = [
    "ACTIVE_STATES",
    "MAX_SOURCE_SECONDS",
    "Chapter",
    "Deps",
    "NotesUseCases",
    "Segment",
]
