"""Notes' use cases: the units of work and every outside call (YouTube, Media, Billing, the
language model, the PDF renderer). Handlers call one of these per RPC; the Celery task calls
`run_job`.

Credits: `generate_notes` spends the price through Billing with a request id derived from the
job before anything is queued; the job charges it for good on success and refunds it exactly
once (a refund request id derived from the job, plus the job's own `credit_status`) when it
fails or is cancelled. A worker that dies mid-job is redelivered and resumes from the chunk
summaries already stored; it never spends again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from services.core.db import Database
from services.core.errors import (
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    ResourceExhausted,
)
from services.core.models import new_id, utcnow
from services.notes import domain as d
from services.notes import export
from services.notes.billing_client import BillingClient
from services.notes.media_client import MediaClient
from services.notes.model import Completion, TextModel, llm_unavailable
from services.notes.models import Attempt, Job, Link, Note, Quiz, TranscriptRow
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
FINISHED_KEPT = dt.timedelta(days=30)
WATCH_POLL_SECONDS = 0.2
WATCH_IDLE_SECONDS = 3600.0


class JobCancelled(Exception):
    """The caller cancelled the job: stop at once, discard partial results."""


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
    enqueue: Callable[[str], Awaitable[None]]
    # The embedding seam (`services.core.embeddings.Embedder`), or None to link by concepts alone.
    embedder: Callable[[], Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


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
    def __init__(self, database: Database, settings: NotesSettings, deps: Deps, *, clock: Callable[[], dt.datetime] = utcnow):
        self.db = database
        self.settings = settings
        self.deps = deps
        self.clock = clock

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

    async def generate_notes(
        self, user_id: str, source: dict[str, Any], options: dict[str, Any], allow_duplicate: bool, request_id: str
    ) -> Job:
        check_options(options)
        fingerprint = request_hash("generate_notes", source, options, allow_duplicate)
        if request_id:
            replay = await self._run(lambda r: r.job_by_request(user_id, request_id))
            if replay is not None:
                return _same_request(replay, fingerprint, request_id)
        resolved = await self.resolve_source(user_id, source, options)
        price = self.settings.notes_credits_per_note

        def create(repo: NotesRepository) -> Job:
            if repo.active_jobs(user_id) >= self.settings.notes_max_active_jobs:
                raise _too_many_jobs(self.settings.notes_max_active_jobs)
            if not allow_duplicate:
                existing = repo.notes_from_source(user_id, resolved.key)
                if existing:
                    raise _duplicate({"note": d.note_name(user_id, existing[0])})
                running = repo.active_job_for_source(user_id, resolved.key)
                if running is not None:
                    raise _duplicate({"operation": d.operation_name(user_id, running.id)})
            job = Job(
                id=new_id(),
                user_id=user_id,
                kind="generate_notes",
                state="queued",
                request_id=request_id or None,
                request_hash=fingerprint,
                note_id=new_id(),
                source_key=resolved.key,
                request={"source": source, "options": options},
                source=resolved.facts,
                credits=price,
                credit_status="pending",
                steps={s: {"state": "pending"} for s in d.STEPS},
                message="queued",
                create_time=self.clock(),
                update_time=self.clock(),
            )
            job.target = d.note_name(user_id, job.note_id)
            if options.get("include_quiz") is False:
                job.steps["quiz"] = {"state": "skipped"}
            if options.get("link_notes") is False:
                job.steps["link"] = {"state": "skipped"}
            repo.add(job)
            return job

        try:
            job = await self._run(create)
        except IntegrityError:
            replay = await self._run(lambda r: r.job_by_request(user_id, request_id))
            if replay is None:
                raise
            return _same_request(replay, fingerprint, request_id)
        if price > 0:
            try:
                await self.deps.billing.spend(
                    user_id,
                    price,
                    request_id=spend_id(job.id),
                    reference=d.operation_name(user_id, job.id),
                    reason="Notes generation",
                )
            except DomainError:
                await self._run(lambda r: r.session.delete(r.job_by_id(job.id)))
                raise
        job = await self._run(lambda r: _set(r.job_by_id(job.id), credit_status="reserved" if price else "charged"))
        await self.deps.enqueue(job.id)
        return job  # type: ignore[no-any-return]

    # --- operations ----------------------------------------------------------------------

    async def get_job(self, user_id: str, job_id: str) -> Job:
        job = await self._run(lambda r: r.job(user_id, job_id))
        if job is None:
            raise d.not_found(d.operation_name(user_id, job_id))
        return job  # type: ignore[no-any-return]

    async def queue_position(self, job: Job) -> int:
        if job.state != "queued":
            return 0
        return int(await self._run(lambda r: r.queue_position(job)))

    async def list_jobs(
        self, user_id: str, states: list[str], kinds: list[str], target: str, size: int, after: tuple[dt.datetime, str] | None
    ) -> list[Job]:
        since = self.clock() - FINISHED_KEPT
        return list(await self._run(lambda r: r.jobs_page(user_id, states, kinds, target, size, after, since)))

    async def cancel_job(self, user_id: str, job_id: str) -> Job:
        def cancel(repo: NotesRepository) -> Job:
            job = repo.job_by_id(job_id, for_update=True)
            if job is None or job.user_id != user_id:
                raise d.not_found(d.operation_name(user_id, job_id))
            if job.state in ("succeeded", "failed"):
                raise FailedPrecondition("the operation already finished", reason="JOB_ALREADY_DONE", domain=DOMAIN)
            if job.state != "cancelled":
                job.cancel_requested = True
                _touch(job, message="cancelling")
            return job

        job = await self._run(cancel)
        if job.state == "queued":
            # Not started: settle it here; a worker that picks it up later finds it done.
            await self._end(job_id, "cancelled", message="cancelled before it started")
        return await self.get_job(user_id, job_id)

    async def watch(self, user_id: str, job_id: str) -> AsyncIterator[Job]:
        """The job now, then on every change, until it is done (or after an idle hour)."""
        job = await self.get_job(user_id, job_id)
        yield job
        seen = job.sequence
        idle_since = asyncio.get_running_loop().time()
        while job.state not in ("succeeded", "failed", "cancelled"):
            await asyncio.sleep(WATCH_POLL_SECONDS)
            job = await self.get_job(user_id, job_id)
            if job.sequence != seen:
                seen = job.sequence
                idle_since = asyncio.get_running_loop().time()
                yield job
            elif asyncio.get_running_loop().time() - idle_since > WATCH_IDLE_SECONDS:
                from services.core.errors import Unavailable

                raise Unavailable("the stream was idle for an hour; reconnect", domain=DOMAIN)

    # --- the job -------------------------------------------------------------------------

    async def run_job(self, job_id: str) -> None:
        """What the Celery task runs: the whole pipeline of one job, resumable and idempotent."""
        job = await self._run(lambda r: r.job_by_id(job_id))
        if job is None or job.state in ("succeeded", "failed", "cancelled"):
            if job is not None and job.state in ("failed", "cancelled"):
                await self._settle_refund(job)
            return
        if job.cancel_requested:
            await self._end(job_id, "cancelled", message="cancelled")
            return
        await self._run(lambda r: _set(r.job_by_id(job_id), state="running", attempts=r.job_by_id(job_id).attempts + 1))
        usage = Usage(model="", input_tokens=job.input_tokens, output_tokens=job.output_tokens)
        work = asyncio.ensure_future(self._pipeline(job_id, usage))
        watcher = asyncio.ensure_future(self._watch_cancel(job_id, work))
        try:
            await work
        except (JobCancelled, asyncio.CancelledError):
            await self._end(job_id, "cancelled", message="cancelled")
        except DomainError as exc:
            await self._end(job_id, "failed", error=(exc.code.value[0], exc.reason, exc.message))
        except Exception:
            log.exception("notes job %s failed", job_id)
            await self._end(job_id, "failed", error=(13, "INTERNAL", "the note could not be generated (internal error)"))
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch_cancel(self, job_id: str, work: asyncio.Future[Any]) -> None:
        """Cancel stops the model calls: the pipeline task is cancelled as soon as it is asked."""
        while not work.done():
            await asyncio.sleep(0.2)
            if await self._run(lambda r: bool(r.job_by_id(job_id).cancel_requested)):
                work.cancel()
                return

    async def _progress(self, job_id: str, step: str, percent: int, message: str, **values: Any) -> None:
        def update(repo: NotesRepository) -> None:
            job = repo.job_by_id(job_id)
            assert job is not None
            if job.cancel_requested:
                raise JobCancelled()
            steps = dict(job.steps)
            now = self.clock().isoformat()
            for name in d.STEPS:
                if name == step:
                    break
                if steps.get(name, {}).get("state") == "running":
                    steps[name] = {**steps[name], "state": "succeeded", "end": now}
            if steps.get(step, {}).get("state") not in ("running", "skipped"):
                steps[step] = {"state": "running", "start": now}
            _set(job, step=step, percent=percent, steps=steps, **values)
            _touch(job, message=message)

        await self._run(update)

    async def _pipeline(self, job_id: str, usage: Usage) -> None:
        job = await self._run(lambda r: r.job_by_id(job_id))
        options = job.request["options"]
        await self._progress(job_id, "fetch_transcript", 0, "fetching the transcript")
        transcript = await self._transcript_for(job)
        model = self.deps.model()
        await self._progress(job_id, "chunk", 15, "splitting the transcript", model=model.name)
        # The model's own tokenizer, asked once on a sample: its characters-per-token ratio sizes the chunks.
        sample = transcript.text[:20_000]
        ratio = len(sample) / max(1, await model.count_tokens(sample))
        chunks = d.chunk_transcript(
            transcript, self.settings.notes_chunk_tokens, lambda text: max(1, math.ceil(len(text) / ratio))
        )
        await self._progress(job_id, "summarize", 20, f"summarizing 0 of {len(chunks)}", chunk_count=len(chunks))
        writing = d.WritingOptions(
            detail_level=options.get("detail_level", "standard"),
            style=options.get("style", "study_guide"),
            instructions=options.get("instructions", ""),
            subject=options.get("subject", ""),
            language_code=options.get("language_code", ""),
        )
        partials: dict[str, Any] = dict(job.partials or {})
        done = [len(partials)]
        lock = asyncio.Lock()

        async def summarize(chunk: d.Chunk) -> None:
            if str(chunk.index) in partials:
                return
            out = await self.structured(model, d.section_prompt(chunk, len(chunks), writing), d.SectionOut, usage)
            section, terms = d.section_from(chunk, out)
            async with lock:
                partials[str(chunk.index)] = {"section": dataclass_json(section), "terms": [dataclass_json(t) for t in terms]}
                done[0] += 1
                percent = 20 + int(55 * done[0] / len(chunks))
                await self._progress(
                    job_id,
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
            model, d.overview_prompt(sections, job.source.get("title", ""), writing), d.OverviewOut, usage
        )
        title = options.get("title") or job.source.get("title", "") or ""
        content = d.merge_note(sections, terms, overview, writing, title)

        found_links: list[d.FoundLink] = []
        embedding: list[float] = []
        if options.get("link_notes") is not False:
            await self._progress(job_id, "link", 75, "linking to your other notes")
            embedding = await self._embed(content)
            found_links = await self._run(lambda r: _find_links(r, job, content, embedding))
        quiz_questions: list[d.QuizQuestion] = []
        quiz_error: tuple[str, str] | None = None
        if options.get("include_quiz") is not False:
            await self._progress(job_id, "quiz", 85, "writing the quiz")
            quiz_opts = options.get("quiz_options") or {}
            try:
                quiz_questions = await self._write_quiz(model, content, quiz_opts, usage)
            except DomainError as exc:
                quiz_error = (exc.reason, exc.message)
        await self._progress(job_id, "finalize", 97, "saving the note")
        if options.get("link_notes") is False:
            embedding = await self._embed(content)
        await self._run(
            lambda r: self._finalize(r, job_id, transcript, content, found_links, quiz_questions, quiz_error, usage, embedding)
        )

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

    async def structured(self, model: TextModel, messages: list[dict[str, str]], schema: type[T], usage: Usage) -> T:
        """Ask for JSON that fits `schema`; repair locally, else re-ask with the problem, a few times.
        A job never stores an answer that does not fit."""
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

    def _finalize(
        self,
        repo: NotesRepository,
        job_id: str,
        transcript: Transcript,
        content: d.NoteContent,
        links: list[d.FoundLink],
        questions: list[d.QuizQuestion],
        quiz_error: tuple[str, str] | None,
        usage: Usage,
        embedding: list[float],
    ) -> None:
        job = repo.job_by_id(job_id, for_update=True)
        assert job is not None
        if job.cancel_requested:
            raise JobCancelled()
        if repo.note(job.user_id, job.note_id) is not None:
            return  # a resumed job that had already saved its note
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
            create_time=now,
            update_time=now,
        )
        targets = repo.notes_by_id(job.user_id, [link.target for link in links])
        views = [d.LinkView(targets[link.target].title, link.relation) for link in links if link.target in targets]
        _render_into(note, content, views)
        repo.add(note)
        repo.add(
            TranscriptRow(
                note_id=note.id,
                user_id=job.user_id,
                language_code=transcript.language_code,
                origin=transcript.origin,
                timed=transcript.timed,
                word_count=transcript.word_count,
                segments=[[s.text, s.start, s.end] for s in transcript.segments],
            )
        )
        for link in links:
            if link.target in targets:
                _save_link(repo, job.user_id, note.id, link.target, link.relation, "automatic", link.score, list(link.shared), "")
        if questions:
            repo.add(
                Quiz(
                    user_id=job.user_id,
                    note_id=note.id,
                    state="ready",
                    title=f"{note.title[:300]}: quiz 1",
                    options=options.get("quiz_options") or {},
                    questions=[q.to_json() for q in questions],
                    model=usage.model,
                    operation_id=job.id,
                    create_time=now,
                )
            )
        if quiz_error:
            job.quiz_error_reason, job.quiz_error_message = quiz_error[0], quiz_error[1][:500]
            job.steps = {**job.steps, "quiz": {**job.steps.get("quiz", {}), "state": "failed"}}
        self._finish(repo, job, "succeeded", message="note ready")
        job.credit_status = "charged"
        job.partials = {}
        job.input_tokens, job.output_tokens, job.model = usage.input_tokens, usage.output_tokens, usage.model

    def _finish(
        self, repo: NotesRepository, job: Job, state: str, *, message: str, error: tuple[int, str, str] | None = None
    ) -> None:
        now = self.clock()
        steps = dict(job.steps)
        for name, value in steps.items():
            if value.get("state") == "running":
                steps[name] = {**value, "state": "succeeded" if state == "succeeded" else "failed", "end": now.isoformat()}
            elif value.get("state") == "pending" and state == "succeeded":
                steps[name] = {"state": "succeeded", "start": now.isoformat(), "end": now.isoformat()}
        job.steps = steps
        job.state = state
        job.end_time = now
        if state == "succeeded":
            job.percent = 100
        if error:
            job.error_code, job.error_reason, job.error_message = error[0], error[1], error[2][:500]
        if state != "succeeded":
            job.partials = {}
            if job.kind == "generate_quiz" and job.quiz_id:
                repo.delete_quiz(job.quiz_id)
        _touch(job, message=message)

    async def _end(self, job_id: str, state: str, *, message: str = "", error: tuple[int, str, str] | None = None) -> None:
        """Finish a job that failed or was cancelled: the credit is given back first, so a job seen
        done is already settled (a refund that cannot reach Billing is retried on the next run)."""
        current = await self._run(lambda r: r.job_by_id(job_id))
        released = await self._refund(current) if current is not None else False

        def end(repo: NotesRepository) -> None:
            job = repo.job_by_id(job_id, for_update=True)
            assert job is not None
            if job.state not in ("succeeded", "failed", "cancelled"):
                self._finish(repo, job, state, message=message or (error[2] if error else state), error=error)
            if released:
                job.credit_status = "released"

        await self._run(end)

    async def _refund(self, job: Job) -> bool:
        if job.kind != "generate_notes" or job.credit_status != "reserved":
            return False
        try:
            await self.deps.billing.refund(
                job.user_id,
                spend_request_id=spend_id(job.id),
                request_id=f"notes-refund-{job.id}",
                reason="Notes generation cancelled" if job.cancel_requested else "Notes generation failed",
            )
        except DomainError:
            log.warning("refund of notes job %s deferred: Billing unavailable", job.id)
            return False
        return True

    async def _settle_refund(self, job: Job) -> None:
        """A finished job whose refund was deferred: give the credit back now, once."""
        if job.state in ("failed", "cancelled") and await self._refund(job):
            await self._run(lambda r: _set(r.job_by_id(job.id), credit_status="released"))

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
        def delete(repo: NotesRepository) -> None:
            note = repo.note(user_id, note_id, for_update=True)
            if note is None:
                raise d.not_found(d.note_name(user_id, note_id))
            if etag and note.etag != etag:
                raise _etag_mismatch()
            for job_id in repo.request_cancel_for_note(user_id, note_id):
                job = repo.job_by_id(job_id)
                if job is not None and job.state == "queued":
                    self._finish(repo, job, "cancelled", message="the note was deleted")
            repo.delete_note(user_id, note_id)

        await self._run(delete)

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
            return {**totals, "attempts": attempts, "average": average, "active": repo.active_jobs(user_id)}

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
                return _same_request(replay, fingerprint, request_id)

        def create(repo: NotesRepository) -> Job:
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
            if repo.active_jobs(user_id) >= self.settings.notes_max_active_jobs:
                raise _too_many_jobs(self.settings.notes_max_active_jobs)
            count = len(repo.quizzes(user_id, note_id))
            job = Job(
                id=new_id(),
                user_id=user_id,
                kind="generate_quiz",
                state="queued",
                request_id=request_id or None,
                request_hash=fingerprint,
                note_id=note_id,
                request={"options": options},
                steps={"quiz": {"state": "pending"}, "finalize": {"state": "pending"}},
                message="queued",
                create_time=self.clock(),
                update_time=self.clock(),
            )
            quiz = Quiz(
                user_id=user_id,
                note_id=note_id,
                state="generating",
                title=f"{note.title[:300]}: quiz {count + 1}",
                options=options,
                operation_id=job.id,
                create_time=self.clock(),
            )
            repo.add(quiz)
            job.quiz_id = quiz.id
            job.target = d.quiz_name(user_id, note_id, quiz.id)
            repo.add(job)
            return job

        try:
            job: Job = await self._run(create)
        except IntegrityError:
            replay = await self._run(lambda r: r.job_by_request(user_id, request_id))
            if replay is None:
                raise
            return _same_request(replay, fingerprint, request_id)
        await self.deps.enqueue(job.id)
        return job

    async def run_quiz_job(self, job: Job) -> None:
        usage = Usage()
        note = await self._run(lambda r: r.note(job.user_id, job.note_id))
        if note is None:
            await self._end(job.id, "cancelled", message="the note was deleted")
            return
        await self._run(lambda r: _set(r.job_by_id(job.id), state="running"))
        await self._progress(job.id, "quiz", 5, "writing the quiz")
        model = self.deps.model()
        content = d.NoteContent.from_json({**note.content, "title": note.title, "summary": note.summary, "subject": note.subject})
        questions = await self._write_quiz(model, content, job.request["options"], usage)

        def save(repo: NotesRepository) -> None:
            current = repo.job_by_id(job.id, for_update=True)
            assert current is not None
            if current.cancel_requested:
                raise JobCancelled()
            quiz = repo.quiz(job.user_id, job.note_id, job.quiz_id)
            if quiz is None:
                raise JobCancelled()
            quiz.questions = [q.to_json() for q in questions]
            quiz.state = "ready"
            quiz.model = usage.model
            current.input_tokens, current.output_tokens, current.model = usage.input_tokens, usage.output_tokens, usage.model
            self._finish(repo, current, "succeeded", message="quiz ready")

        await self._run(save)

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

    async def run_any(self, job_id: str) -> None:
        """The task's entry point: note jobs and quiz jobs."""
        job = await self._run(lambda r: r.job_by_id(job_id))
        if job is None:
            return
        if job.kind == "generate_notes":
            await self.run_job(job_id)
            return
        if job.state in ("succeeded", "failed", "cancelled"):
            return
        try:
            await self.run_quiz_job(job)
        except JobCancelled:
            await self._end(job_id, "cancelled", message="cancelled")
        except DomainError as exc:
            await self._end(job_id, "failed", error=(exc.code.value[0], exc.reason, exc.message))
        except Exception:
            log.exception("quiz job %s failed", job_id)
            await self._end(job_id, "failed", error=(13, "INTERNAL", "the quiz could not be generated (internal error)"))


# --- helpers -----------------------------------------------------------------------------


def spend_id(job_id: str) -> str:
    return f"notes-generate-{job_id}"


def _set(row: Any, **values: Any) -> Any:
    for key, value in values.items():
        setattr(row, key, value)
    return row


def _touch(job: Job, *, message: str) -> None:
    job.message = message[:300]
    job.sequence = (job.sequence or 0) + 1
    job.update_time = utcnow()


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
    import dataclasses

    return dataclasses.asdict(value)


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


@dataclass(frozen=True)
class JobView:
    """A job with what its Operation shows: the created note or quiz once it succeeded, the queue position."""

    job: Job
    note: NoteFull | None
    quiz: Quiz | None
    queue_position: int


async def job_view(cases: NotesUseCases, job: Job) -> JobView:
    def view(repo: NotesRepository) -> JobView:
        note = quiz = None
        if job.state == "succeeded":
            found = repo.note(job.user_id, job.note_id)
            note = _full(repo, found) if found is not None and job.kind == "generate_notes" else None
            quiz = repo.quiz(job.user_id, job.note_id, job.quiz_id) if job.kind == "generate_quiz" else None
        position = repo.queue_position(job) if job.state == "queued" else 0
        return JobView(job, note, quiz, position)

    result: JobView = await cases._run(view)
    return result
