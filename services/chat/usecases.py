"""Chat's use cases: units of work and every outside call (embeddings, the vector index, the model).

Ingestion and answers run as tasks on the server's loop, apart from the RPC that started them: a
client that hangs up mid-answer does not stop the answer, which is stored when it finishes. Each answer
is a `Generation`: the events produced so far (a retry with the same request id replays them) and a
condition that wakes the streams following it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import pathlib
import time
import warnings
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from services.chat import domain, extract
from services.chat.allowance import AnswerCounter, reset_after
from services.chat.allowance import day_of as allowance_day
from services.chat.billing_client import BillingClient
from services.chat.domain import (
    AnswerEvent,
    ChunkView,
    CitationGiven,
    CitationView,
    Completed,
    ConversationView,
    Delta,
    DocumentState,
    DocumentView,
    MessageState,
    MessageView,
    RetrievedView,
    SkillLevel,
    Source,
    Started,
)
from services.chat.fetching import FetchRefused, guarded_client
from services.chat.models import ChunkRow, ConversationRow, DocumentRow, FeedbackRow, MessageRow, UserSettingsRow
from services.chat.repository import ChatRepository
from services.chat.settings import ChatSettings
from services.chat.vectors import ChunkFilter, IndexedChunk, IndexUnavailable, LocalHybridIndex, VectorIndex
from services.chat.weaviate_store import WeaviateConfig, WeaviateIndex
from services.chat.writer import CoalescingWriter
from services.core import errors
from services.core.db import Database
from services.core.embeddings import Embedder, EmbeddingUnavailable
from services.core.llm import ChatMessage, Finished, FinishReason, GenerationParams, LlmError, Role, TextDelta
from services.core.llm.provider import LlmProvider
from services.core.models import new_id, utcnow

log = logging.getLogger(__name__)
MAX_CONVERSATION_MESSAGES = 1000
# A generating message no task in any process finishes within this long is closed as failed.
STALE_GENERATION_SECONDS = 900.0
QUERY_VECTOR_CACHE = 1024  # question embeddings kept (384 floats each: about 1.6 MB)
_FETCH_AGENT = "Marquee-Chat/1 (knowledge-base ingestion)"


# Row -> view ---------------------------------------------------------------------------------------------


def document_view(row: DocumentRow) -> DocumentView:
    return DocumentView(
        id=row.id, title=row.title, text=row.text, source=row.source, category=row.category, skill_level=row.skill_level,
        tags=tuple(row.tags or ()), language=row.language, retrieval_enabled=row.retrieval_enabled,
        state=DocumentState(row.state), error=row.error, chunk_count=row.chunk_count, token_count=row.token_count,
        char_count=len(row.text), embedding_model=row.embedding_model, citation_count=row.citation_count,
        etag=domain.etag_of("d", row.id, row.version), create_time=row.create_time, update_time=row.update_time,
        index_time=row.index_time, uri=row.uri or "", error_code=row.error_code or 0, error_reason=row.error_reason or "",
    )  # fmt: skip


def chunk_view(row: ChunkRow) -> ChunkView:
    return ChunkView(row.id, row.document_id, row.position, row.text, row.token_count, row.start_offset, row.end_offset)


def citation_views(raw: Sequence[dict[str, Any]], *, cited_only: bool) -> tuple[CitationView, ...]:
    views = tuple(CitationView(**item) for item in raw)
    return tuple(v for v in views if v.cited) if cited_only else views


def message_view(row: MessageRow, *, content: str | None = None) -> MessageView:
    return MessageView(
        id=row.id, conversation_id=row.conversation_id, user_id=row.user_id, role=row.role,
        content=row.content if content is None else content, state=MessageState(row.state),
        citations=citation_views(row.citations or [], cited_only=True), finish_reason=row.finish_reason, model=row.model,
        skill_level=row.skill_level, prompt_tokens=row.prompt_tokens, completion_tokens=row.completion_tokens,
        reply_to=row.reply_to, regenerated_from=row.regenerated_from, superseded=row.superseded,
        request_id=row.request_id, error=row.error, first_token_ms=row.first_token_ms,
        latency_ms=row.latency_ms, create_time=row.create_time, complete_time=row.complete_time,
    )  # fmt: skip


def conversation_view(row: ConversationRow) -> ConversationView:
    return ConversationView(
        id=row.id, user_id=row.user_id, title=row.title, skill_level=row.skill_level, model=row.model,
        instructions=row.instructions, archived=row.archived, pinned=row.pinned, message_count=row.message_count,
        last_message_preview=row.last_message_preview, generating_message_id=row.generating_message_id or "",
        total_tokens=row.total_tokens, etag=domain.etag_of("c", row.id, row.version), create_time=row.create_time,
        update_time=row.update_time, last_message_time=row.last_message_time, archive_time=row.archive_time,
    )  # fmt: skip


# Generations ---------------------------------------------------------------------------------------------


@dataclass
class Generation:
    """One answer being produced: its events so far, and the streams following them."""

    conversation_id: str
    message_id: str
    events: list[AnswerEvent] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    done: bool = False
    error: errors.DomainError | None = None
    stop_requested: bool = False
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    task: asyncio.Task[None] | None = None

    async def emit(self, event: AnswerEvent) -> None:
        async with self.changed:
            self.events.append(event)
            if isinstance(event, Delta):
                self.text.append(event.text)
            self.changed.notify_all()

    async def finish(self, error: errors.DomainError | None = None) -> None:
        async with self.changed:
            self.done, self.error = True, error
            self.changed.notify_all()

    async def follow(self) -> AsyncIterator[AnswerEvent]:
        """Every event from the first, then the live ones; raises the generation's error at the end."""
        seen = 0
        while True:
            async with self.changed:
                await self.changed.wait_for(lambda seen=seen: seen < len(self.events) or self.done)  # type: ignore[misc]
                batch, done = self.events[seen:], self.done
            seen += len(batch)
            for event in _merged_deltas(batch):
                yield event
            if done and seen >= len(self.events):
                if self.error is not None:
                    raise self.error
                return


def _merged_deltas(batch: list[AnswerEvent]) -> list[AnswerEvent]:
    """Consecutive deltas a follower has not read yet as one delta of their text: a stream that falls behind
    (a hundred answers on one server, a slow client) catches up in a few messages instead of one per token."""
    merged: list[AnswerEvent] = []
    for event in batch:
        last = merged[-1] if merged else None
        if isinstance(event, Delta) and isinstance(last, Delta):
            merged[-1] = Delta(last.text + event.text)
        else:
            merged.append(event)
    return merged


def replayed(events: Sequence[AnswerEvent]) -> Generation:
    finished = Generation("", "", events=list(events), done=True)
    return finished


@dataclass(frozen=True, slots=True)
class Prepared:
    conversation: ConversationView
    user_message: MessageView
    assistant_message_id: str
    model: str
    skill_level: int
    instructions: str
    history: list[tuple[str, str, int]]  # (role, content, tokens), oldest first
    sources: list[Source]
    temperature: float


class ChatUseCases:
    def __init__(
        self,
        database: Database,
        settings: ChatSettings,
        llm: LlmProvider,
        embedder: Embedder,
        index_dir: pathlib.Path,
        billing: BillingClient,
        counter: AnswerCounter,
        index: VectorIndex | None = None,
    ) -> None:
        self.billing = billing
        self.counter = counter
        self.db = database
        self.settings = settings
        self.llm = llm
        self.embedder = embedder
        self.index_dir = index_dir
        self._index = index
        self._index_lock = asyncio.Lock()
        self.generations: dict[str, Generation] = {}
        self._query_vectors: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self.writer = CoalescingWriter(database)
        self.fetch_policy = domain.FetchPolicy.of(settings.chat_fetch_allow_private, settings.chat_fetch_allowed_networks)

    # The index, opened on first use with the embedding model's dimensions ---------------------------

    async def start(self) -> None:
        """Connects to Weaviate and creates its collection when that is the configured store. A Weaviate that
        is down does not stop the server: answers say the knowledge base is unavailable until it is back."""
        if self.settings.chat_vector_store == "weaviate":
            try:
                await self.index()
            except errors.Unavailable as exc:
                log.warning("chat: %s; retrying on first use", exc.message)

    async def index(self, dimensions: int | None = None) -> VectorIndex | None:
        if self._index is not None:
            return self._index
        async with self._index_lock:
            if self._index is None and self.settings.chat_vector_store == "weaviate":
                try:
                    self._index = await WeaviateIndex.open(self._weaviate_config())
                except IndexUnavailable as exc:
                    raise _index_unavailable(exc) from exc
            if self._index is None:
                meta = self.index_dir / "index.json"
                if meta.exists():
                    dimensions = int(json.loads(await asyncio.to_thread(meta.read_text))["dimensions"])
                if dimensions is None:
                    return None
                self._index = await asyncio.to_thread(
                    LocalHybridIndex, self.index_dir, dimensions, self.settings.chat_hybrid_alpha
                )
                await asyncio.to_thread(meta.write_text, json.dumps({"dimensions": dimensions}))
        return self._index

    async def _fetch(self, uri: str) -> str:
        """The text at `uri`: at most `chat_fetch_max_bytes`, plain text, Markdown, HTML or PDF."""
        limit = self.settings.chat_fetch_max_bytes
        try:
            async with (
                guarded_client(
                    self.fetch_policy, timeout=self.settings.chat_fetch_timeout_seconds,
                    headers={"User-Agent": _FETCH_AGENT, "Accept": ", ".join(sorted(extract.SUPPORTED))},
                ) as client,
                client.stream("GET", uri) as response,
            ):  # fmt: skip
                if response.status_code in (404, 410):
                    raise errors.NotFound(f"{uri} answered {response.status_code}", reason="DOCUMENT_FETCH_FAILED")
                if response.status_code >= 400:
                    raise errors.Unavailable(f"{uri} answered {response.status_code}", reason="DOCUMENT_FETCH_FAILED")
                kind, _ = extract.media_type(response.headers.get("content-type", ""))
                if kind not in extract.SUPPORTED:
                    raise errors.InvalidArgument(
                        f"{uri} is {kind or 'of no content type'}, not plain text, Markdown, HTML or PDF",
                        reason="UNSUPPORTED_DOCUMENT_TYPE",
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise _too_large(uri, limit)
                body = bytearray()
                async for piece in response.aiter_bytes():
                    body += piece
                    if len(body) > limit:
                        raise _too_large(uri, limit)
                content_type = response.headers.get("content-type", "")
        except FetchRefused as exc:
            raise errors.PermissionDenied(f"{uri} is not fetched: {exc}", reason="DOCUMENT_FETCH_FAILED") from exc
        except httpx.HTTPError as exc:
            raise errors.Unavailable(f"{uri} could not be fetched: {exc}", reason="DOCUMENT_FETCH_FAILED") from exc
        try:
            text = await asyncio.to_thread(extract.text_of, bytes(body), content_type)
        except extract.UnsupportedDocument as exc:
            raise errors.InvalidArgument(f"{uri}: {exc}", reason="UNSUPPORTED_DOCUMENT_TYPE") from exc
        if len(text) > self.settings.chat_max_document_chars:
            raise errors.InvalidArgument(
                f"the text at {uri} is over {self.settings.chat_max_document_chars} characters", reason="DOCUMENT_TOO_LARGE"
            )
        return text

    def _weaviate_config(self) -> WeaviateConfig:
        settings = self.settings
        return WeaviateConfig(
            url=settings.chat_weaviate_url, grpc_address=settings.chat_weaviate_grpc_address,
            collection=settings.chat_weaviate_collection, api_key=settings.chat_weaviate_api_key.get_secret_value(),
            grpc_secure=settings.chat_weaviate_grpc_secure, timeout_seconds=settings.chat_weaviate_timeout_seconds,
            alpha=settings.chat_hybrid_alpha,
        )  # fmt: skip

    def _spawn(self, coroutine: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def aclose(self) -> None:
        for generation in list(self.generations.values()):
            generation.stop_requested = True
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._index is not None:
            await self._index.aclose()

    # Knowledge base ----------------------------------------------------------------------------------

    async def create_document(
        self, *, title: str, text: str, uri: str, source: str, category: str, skill_level: int, tags: Sequence[str],
        language: str, retrieval_enabled: bool,
    ) -> DocumentView:  # fmt: skip
        if not title.strip():
            raise errors.invalid("document.title", "is required")
        if uri and text:
            raise errors.invalid("document.uri", "send one of text or uri")
        if uri:
            uri = domain.check_document_uri(uri, self.fetch_policy)
        elif not text.strip():
            raise errors.invalid("document.text", "one of text or uri is required")
        if len(text) > self.settings.chat_max_document_chars:
            raise errors.InvalidArgument(
                f"document text is over {self.settings.chat_max_document_chars} characters",
                reason="DOCUMENT_TOO_LARGE",
                violations=[errors.FieldViolation("document.text", "too large")],
                metadata={"max_chars": str(self.settings.chat_max_document_chars)},
            )
        digest = _content_hash(uri, text)
        row = DocumentRow(
            title=title.strip()[:500], text=text, uri=uri, content_hash=digest, source=source, category=category,
            skill_level=skill_level, tags=sorted(set(tags)), language=language, retrieval_enabled=retrieval_enabled,
            state=DocumentState.PENDING,
        )  # fmt: skip

        def insert(session: Any) -> DocumentView:
            repo = ChatRepository(session)
            same = repo.document_by_hash(digest)
            if same is not None:
                raise errors.AlreadyExists(
                    f"documents/{same.id} has the same {'uri' if uri else 'text'}",
                    reason="DUPLICATE_DOCUMENT", metadata={"document": f"documents/{same.id}"},
                )  # fmt: skip
            repo.add(row)
            return document_view(row)

        created = await self.db.run(insert)
        self._spawn(self.ingest(created.id))
        return created

    async def ingest(self, document_id: str) -> None:
        """Chunk, embed and index one document; its state ends READY or FAILED with the reason."""

        def start(session: Any) -> DocumentRow | None:
            row = ChatRepository(session).document(document_id)
            if row is not None:
                row.state = DocumentState.PROCESSING
            return row

        row = await self.db.run(start)
        if row is None:
            return
        try:
            if row.uri:
                fetched = await self._fetch(row.uri)

                def keep_text(session: Any) -> None:
                    stored = ChatRepository(session).document(document_id)
                    if stored is not None:
                        stored.text = fetched

                await self.db.run(keep_text)
                row.text = fetched
            pieces = domain.words(row.text)
            counts = await self.embedder.count_tokens(pieces)
            chunks = domain.chunk_by_tokens(
                row.text, counts, self.settings.chat_chunk_tokens, self.settings.chat_chunk_overlap_tokens
            )
            vectors = await self.embedder.embed_documents([f"{row.title}\n{c.text}" for c in chunks])
            chunk_rows = [
                ChunkRow(document_id=document_id, position=c.index, text=c.text, token_count=c.token_count,
                         start_offset=c.start_offset, end_offset=c.end_offset)
                for c in chunks
            ]  # fmt: skip
            for chunk_row in chunk_rows:
                chunk_row.id = new_id()
            index = await self.index(int(vectors.shape[1]))
            assert index is not None
            await index.delete_document(document_id)
            await index.upsert(
                [
                    IndexedChunk(cr.id, document_id, f"{row.title}\n{cr.text}", vectors[i], row.category, row.skill_level,
                                 tuple(row.tags or ()), row.retrieval_enabled)
                    for i, cr in enumerate(chunk_rows)
                ]
            )  # fmt: skip

            def ready(session: Any) -> None:
                repo = ChatRepository(session)
                repo.replace_chunks(document_id, chunk_rows)
                stored = repo.document(document_id)
                if stored is not None:
                    stored.state = DocumentState.READY
                    stored.error, stored.error_code, stored.error_reason = "", 0, ""
                    stored.chunk_count = len(chunk_rows)
                    stored.token_count = sum(c.token_count for c in chunks)
                    stored.embedding_model = self.embedder.model
                    stored.index_time = stored.update_time = utcnow()
                    stored.version += 1

            await self.db.run(ready)
        except Exception as exc:  # any failure is the document's state, shown to admins
            log.warning("ingestion of document %s failed: %s", document_id, exc)
            if isinstance(exc, errors.DomainError):
                message, code, why = exc.message[:500], exc.code.value[0], exc.reason
            else:
                message, code, why = f"{type(exc).__name__}: {exc}"[:500], 13, "INGESTION_FAILED"

            def failed(session: Any) -> None:
                stored = ChatRepository(session).document(document_id)
                if stored is not None:
                    stored.state = DocumentState.FAILED
                    stored.error, stored.error_code, stored.error_reason = message, code, why
                    stored.version += 1

            await self.db.run(failed)

    async def get_document(self, document_id: str) -> DocumentView:
        def read(session: Any) -> DocumentView:
            row = ChatRepository(session).document(document_id)
            if row is None:
                raise errors.NotFound(f"documents/{document_id} not found", metadata={"name": f"documents/{document_id}"})
            return document_view(row)

        return await self.db.run(read)

    async def delete_document(self, document_id: str, etag: str) -> None:
        def remove(session: Any) -> None:
            repo = ChatRepository(session)
            row = repo.document(document_id)
            if row is None:
                raise errors.NotFound(f"documents/{document_id} not found", metadata={"name": f"documents/{document_id}"})
            if etag and etag != domain.etag_of("d", row.id, row.version):
                raise errors.Aborted("the document changed since it was read", reason="ETAG_MISMATCH")
            repo.delete_document(document_id)

        await self.db.run(remove)
        try:
            index = await self.index()
            if index is not None:
                await index.delete_document(document_id)
        except (IndexUnavailable, errors.Unavailable) as exc:
            # The rows are gone, so retrieval drops the chunks' vectors anyway (hits are joined with the rows).
            log.warning("document %s deleted, its vectors not (index unavailable): %s", document_id, exc)

    async def list_chunks(self, document_id: str, after: int, limit: int) -> list[ChunkView]:
        def read(session: Any) -> list[ChunkView]:
            repo = ChatRepository(session)
            if repo.document(document_id) is None:
                raise errors.NotFound(f"documents/{document_id} not found", metadata={"name": f"documents/{document_id}"})
            return [chunk_view(row) for row in repo.chunks(document_id, after, limit)]

        return await self.db.run(read)

    async def _query_vector(self, query: str) -> Any:
        """The question's embedding, from a small LRU when asked before (a regenerated answer, a retry, a common
        question): embedding is most of retrieval's time with a local model."""
        key = (self.embedder.model, query)
        found = self._query_vectors.get(key)
        if found is not None:
            self._query_vectors.move_to_end(key)
            return found
        vector = await self.embedder.embed_query(query)
        self._query_vectors[key] = vector
        if len(self._query_vectors) > QUERY_VECTOR_CACHE:
            self._query_vectors.popitem(last=False)
        return vector

    async def retrieve(self, query: str, top_k: int, where: ChunkFilter, min_score: float = 0.0) -> list[RetrievedView]:
        """The chunks most similar to `query` (hybrid search), with their documents."""
        try:
            vector = await self._query_vector(query)
        except EmbeddingUnavailable as exc:
            raise errors.Unavailable(
                f"the knowledge base cannot embed the question: {exc}", reason="KNOWLEDGE_BASE_UNAVAILABLE"
            ) from exc
        index = await self.index(int(vector.shape[0]))
        if index is None:
            return []
        try:
            searched = await index.search(vector, query, top_k, where)
        except IndexUnavailable as exc:
            raise _index_unavailable(exc) from exc
        hits = [h for h in searched if h.score >= min_score]
        found = await self.db.read_point(
            lambda session: ChatRepository(session).chunks_with_documents([h.chunk_id for h in hits])
        )  # a few rows by key
        results: list[RetrievedView] = []
        for hit in hits:
            if hit.chunk_id not in found:
                continue  # deleted between index and database reads
            chunk, document = found[hit.chunk_id]
            results.append(
                RetrievedView(
                    rank=len(results) + 1, score=hit.score, chunk=chunk_view(chunk), title=document.title,
                    source=document.source, category=document.category, skill_level=document.skill_level,
                    used_by_answers=hit.score >= self.settings.chat_answer_score_threshold and document.retrieval_enabled,
                )
            )  # fmt: skip
        return results

    # Conversations -----------------------------------------------------------------------------------

    async def create_conversation(
        self, user_id: str, *, title: str, skill_level: int, model: str, instructions: str
    ) -> ConversationView:
        if len(title) > domain.MAX_TITLE_CHARS:
            raise errors.invalid("conversation.title", f"at most {domain.MAX_TITLE_CHARS} characters")
        if len(instructions) > 4000:
            raise errors.invalid("conversation.instructions", "at most 4000 characters")
        self._check_model(model, "conversation.model")

        def insert(session: Any) -> ConversationView:
            repo = ChatRepository(session)
            defaults = repo.user_settings(user_id)
            row = ConversationRow(
                user_id=user_id, title=title.strip(),
                skill_level=skill_level or (defaults.default_skill_level if defaults else 0),
                model=model or (defaults.default_model if defaults else ""), instructions=instructions,
            )  # fmt: skip
            repo.add(row)
            if row.title:
                repo.index_text(f"t:{row.id}", user_id, row.id, "", "title", row.title)
            return conversation_view(row)

        return await self.db.run(insert)

    def _check_model(self, model: str, field_name: str) -> None:
        if model and model != self.llm.default_model:
            raise errors.InvalidArgument(
                f"unknown model {model!r}", reason="UNKNOWN_MODEL", violations=[errors.FieldViolation(field_name, "unknown")]
            )

    def _live(self, row: MessageRow) -> MessageView:
        generation = self.generations.get(row.id)
        if row.state == MessageState.GENERATING and generation is not None:
            return message_view(row, content="".join(generation.text))
        return message_view(row)

    async def get_conversation(
        self, user_id: str, conversation_id: str, messages: int
    ) -> tuple[ConversationView, list[MessageView]]:
        def read(session: Any) -> tuple[ConversationView, list[MessageRow]]:
            repo = ChatRepository(session)
            row = repo.conversation(user_id, conversation_id)
            if row is None:
                raise _conversation_not_found(user_id, conversation_id)
            recent = repo.messages(conversation_id, newest_first=True, after_position=None, limit=messages) if messages else []
            return conversation_view(row), list(reversed(recent))

        conversation, rows = await self.db.run(read)
        return conversation, [self._live(row) for row in rows if row.role != "system" and not row.superseded]

    async def list_messages(
        self, user_id: str, conversation_id: str, *, newest_first: bool, after_position: int | None, limit: int
    ) -> list[tuple[int, MessageView]]:
        def read(session: Any) -> list[MessageRow]:
            repo = ChatRepository(session)
            if repo.conversation(user_id, conversation_id) is None:
                raise _conversation_not_found(user_id, conversation_id)
            return repo.messages(conversation_id, newest_first=newest_first, after_position=after_position, limit=limit)

        return [(row.position, self._live(row)) for row in await self.db.run(read)]

    async def get_message(self, user_id: str, conversation_id: str, message_id: str) -> MessageView:
        def read(session: Any) -> MessageRow:
            repo = ChatRepository(session)
            row = repo.message(conversation_id, message_id) if repo.conversation(user_id, conversation_id) else None
            if row is None:
                raise _message_not_found(user_id, conversation_id, message_id)
            return row

        return self._live(await self.db.run(read))

    # Answers -----------------------------------------------------------------------------------------

    async def _take_allowance(self, user_id: str) -> dt.date:
        """One answer of today's allowance (and one request of the rate), or why not."""
        # The rate (Redis) and the plan (Billing's, usually cached) at once: the rate still decides first.
        wait, allowance = await asyncio.gather(
            self.counter.rate(user_id, self.settings.chat_requests_per_minute, 60.0), self.billing.allowance(user_id),
            return_exceptions=True,
        )  # fmt: skip
        if isinstance(wait, BaseException):
            raise wait
        if wait:
            raise errors.ResourceExhausted(
                "too many answers asked for; slow down", reason="RATE_LIMITED", retry_after_seconds=wait
            )
        if isinstance(allowance, BaseException):
            raise allowance
        limit = self._limit(allowance.answers_per_day)
        now = utcnow()
        day = allowance_day(now)
        taken = await self.counter.take(user_id, day, limit)
        if not taken.allowed:
            reset, seconds = reset_after(now)
            raise errors.ResourceExhausted(
                f"today's {limit} answers on the {allowance.plan} plan are used; more at {reset.isoformat()}",
                reason="MESSAGE_LIMIT_REACHED",
                retry_after_seconds=seconds,
                metadata={"plan": allowance.plan, "limit": str(limit)},
            )
        return day

    def _limit(self, per_day: int) -> int:
        return -1 if per_day >= self.settings.chat_unlimited_answers_at else per_day

    async def send_message(
        self, user_id: str, conversation_id: str, content: str, *, request_id: str, model: str, skill_level: int,
        temperature: float | None,
    ) -> Generation:  # fmt: skip
        """Post the question and start its answer; the returned generation streams its events."""
        domain.validate_message(content)
        if temperature is not None and not 0.0 <= temperature <= 2.0:
            raise errors.invalid("temperature", "must be between 0 and 2")
        self._check_model(model, "model")

        def look(session: Any) -> tuple[ConversationView, MessageRow | None, MessageRow | None]:
            repo = ChatRepository(session)
            row = repo.conversation(user_id, conversation_id)
            if row is None:
                raise _conversation_not_found(user_id, conversation_id)
            earlier = repo.message_by_request(conversation_id, request_id) if request_id else None
            answer = repo.reply_to(conversation_id, earlier.id) if earlier is not None else None
            return conversation_view(row), earlier, answer

        conversation, earlier, answer = await self.db.read_point(look)  # rows by key: on SQLite, no lane queue
        if earlier is not None:
            if earlier.content != content:
                raise errors.AlreadyExists("request_id was used for another message", reason="REQUEST_ID_REUSED")
            return self._replay(earlier, answer)
        self._check_open(conversation)
        if conversation.message_count >= MAX_CONVERSATION_MESSAGES:
            raise errors.FailedPrecondition("the conversation is full", reason="CONVERSATION_FULL")
        level = skill_level or conversation.skill_level
        chosen = model or conversation.model or self.llm.default_model
        return await self._begin(
            user_id, conversation, content, level, chosen, temperature,
            lambda session, sources, tokens: self._post_question(
                session, user_id, conversation, content, request_id, chosen, level, tokens, sources, temperature
            ),
        )  # fmt: skip

    async def regenerate(
        self, user_id: str, conversation_id: str, message_id: str, *, model: str, skill_level: int,
        temperature: float | None,
    ) -> Generation:  # fmt: skip
        if temperature is not None and not 0.0 <= temperature <= 2.0:
            raise errors.invalid("temperature", "must be between 0 and 2")
        self._check_model(model, "model")

        def look(session: Any) -> tuple[ConversationView, MessageRow, MessageRow]:
            repo = ChatRepository(session)
            row = repo.conversation(user_id, conversation_id)
            old = repo.message(conversation_id, message_id) if row is not None else None
            if row is None or old is None:
                raise _message_not_found(user_id, conversation_id, message_id)
            latest = repo.latest_assistant(conversation_id)
            if old.role != "assistant" or latest is None or latest.id != old.id:
                raise errors.FailedPrecondition("only the latest answer can be regenerated", reason="NOT_LATEST_ANSWER")
            question = repo.message(conversation_id, old.reply_to)
            if question is None:
                raise errors.FailedPrecondition("the question of this answer is gone", reason="NOT_LATEST_ANSWER")
            return conversation_view(row), old, question

        conversation, old, question = await self.db.read(look)
        self._check_open(conversation)
        level = skill_level or old.skill_level or conversation.skill_level
        chosen = model or old.model or conversation.model or self.llm.default_model
        return await self._begin(
            user_id, conversation, question.content, level, chosen, temperature,
            lambda session, sources, tokens: self._post_regeneration(
                session, user_id, conversation, old.id, question.id, chosen, level, sources, temperature
            ),
        )  # fmt: skip

    def _check_open(self, conversation: ConversationView) -> None:
        if conversation.archived:
            raise errors.FailedPrecondition("the conversation is archived", reason="CONVERSATION_ARCHIVED")
        if conversation.generating_message_id and conversation.generating_message_id in self.generations:
            raise errors.FailedPrecondition("an answer is being generated in this conversation", reason="GENERATION_IN_PROGRESS")

    async def _begin(
        self, user_id: str, conversation: ConversationView, question: str, level: int, model: str,
        temperature: float | None, post: Callable[[Any, list[Source], int], Prepared],
    ) -> Generation:  # fmt: skip
        # The allowance (Redis, Billing's cached plan), retrieval, the token count and the standing instructions
        # at once: none depends on another, and the first token waits for the slowest, not for their sum.
        taken, sources, tokens, instructions = await asyncio.gather(
            self._take_allowance(user_id), self._sources(question, level), self._count(question),
            self._standing_instructions(user_id), return_exceptions=True,
        )  # fmt: skip
        if isinstance(taken, BaseException):
            raise taken  # refused (or the plan unreadable): what the others found is not needed
        day = taken
        try:
            if isinstance(sources, BaseException):
                raise sources
            if isinstance(tokens, BaseException):
                raise tokens
            if isinstance(instructions, BaseException):
                raise instructions
            prepared = await self.writer.run(lambda session: post(session, sources, tokens), urgent=True)
        except BaseException:
            await self.counter.give_back(user_id, day)  # nothing was answered: the allowance stays
            raise
        prepared = replace(prepared, instructions="\n".join(i for i in (instructions, prepared.instructions) if i))
        generation = Generation(conversation.id, prepared.assistant_message_id)
        self.generations[generation.message_id] = generation
        await generation.emit(Started(prepared.user_message, prepared.assistant_message_id, prepared.model, level))
        generation.task = self._spawn(self._answer(generation, prepared, day))
        return generation

    async def _standing_instructions(self, user_id: str) -> str:
        row = await self.db.read_point(lambda session: ChatRepository(session).user_settings(user_id))
        return row.instructions if row is not None else ""

    async def _count(self, text: str) -> int:
        try:
            return await self.llm.count_tokens(text)
        except LlmError:
            return max(1, len(text) // 4)  # the window is a budget, not a bill: an estimate keeps answers going

    async def _sources(self, question: str, level: int) -> list[Source]:
        allowed = domain.skill_levels_for(SkillLevel(level))
        retrieved = await self.retrieve(question, self.settings.chat_top_k, ChunkFilter(skill_levels=allowed))
        usable = [r for r in retrieved if r.used_by_answers]
        return [Source(n, r.chunk.document_id, r.chunk.id, r.title, r.chunk.text, r.score) for n, r in enumerate(usable, 1)]

    def _claim(self, repo: ChatRepository, conversation_id: str, message_id: str) -> None:
        if not repo.claim_generation(conversation_id, message_id):
            row = repo.session.get(ConversationRow, conversation_id)
            stale = row is not None and row.generating_message_id not in self.generations
            # A generation no task answers (its server stopped) does not block the conversation forever.
            if not (
                stale and row is not None and self._close_stale(repo, row) and repo.claim_generation(conversation_id, message_id)
            ):
                raise errors.FailedPrecondition(
                    "an answer is being generated in this conversation", reason="GENERATION_IN_PROGRESS"
                )

    def _close_stale(self, repo: ChatRepository, conversation: ConversationRow) -> bool:
        stuck = repo.message(conversation.id, conversation.generating_message_id or "")
        if stuck is not None and stuck.state == MessageState.GENERATING:
            age = (utcnow() - stuck.create_time).total_seconds()
            if age < STALE_GENERATION_SECONDS:
                return False
            stuck.state, stuck.finish_reason, stuck.complete_time = MessageState.FAILED, "error", utcnow()
            stuck.error = "the server answering stopped"
        repo.release_generation(conversation.id, conversation.generating_message_id or "")
        return True

    def _post_question(
        self, session: Any, user_id: str, conversation: ConversationView, content: str, request_id: str, model: str,
        level: int, user_tokens: int, sources: list[Source], temperature: float | None,
    ) -> Prepared:  # fmt: skip
        repo = ChatRepository(session)
        position = repo.next_position(conversation.id)
        history_rows = list(reversed(repo.history(conversation.id, position, 200)))
        now = utcnow()
        question = MessageRow(
            conversation_id=conversation.id, user_id=user_id, position=position, role="user", content=content,
            state=MessageState.COMPLETE, token_count=user_tokens, request_id=request_id, create_time=now, complete_time=now,
        )  # fmt: skip
        repo.add(question)
        answer = MessageRow(
            conversation_id=conversation.id, user_id=user_id, position=position + 1, role="assistant", content="",
            state=MessageState.GENERATING, model=model, skill_level=level, reply_to=question.id, create_time=now,
            citations=[_citation_json(s, cited=False) for s in sources],
        )  # fmt: skip
        repo.add(answer)
        self._claim(repo, conversation.id, answer.id)
        repo.index_text(f"m:{question.id}", user_id, conversation.id, question.id, "user", content)
        row = repo.conversation(user_id, conversation.id)
        assert row is not None
        row.message_count += 2
        row.last_message_time = row.update_time = now
        row.last_message_preview = " ".join(content.split())[:200]
        return Prepared(
            conversation=conversation_view(row), user_message=message_view(question), assistant_message_id=answer.id,
            model=model, skill_level=level, instructions=conversation.instructions,
            history=[(h.role, h.content, h.token_count) for h in history_rows], sources=sources,
            temperature=self.settings.chat_temperature if temperature is None else temperature,
        )  # fmt: skip

    def _post_regeneration(
        self, session: Any, user_id: str, conversation: ConversationView, old_id: str, question_id: str, model: str,
        level: int, sources: list[Source], temperature: float | None,
    ) -> Prepared:  # fmt: skip
        repo = ChatRepository(session)
        old = repo.message(conversation.id, old_id)
        question = repo.message(conversation.id, question_id)
        if old is None or question is None or old.superseded:
            raise errors.FailedPrecondition("only the latest answer can be regenerated", reason="NOT_LATEST_ANSWER")
        history_rows = list(reversed(repo.history(conversation.id, question.position, 200)))
        now = utcnow()
        answer = MessageRow(
            conversation_id=conversation.id, user_id=user_id, position=repo.next_position(conversation.id), role="assistant",
            content="", state=MessageState.GENERATING, model=model, skill_level=level, reply_to=question.id,
            regenerated_from=old.id, create_time=now, citations=[_citation_json(s, cited=False) for s in sources],
        )  # fmt: skip
        repo.add(answer)
        self._claim(repo, conversation.id, answer.id)
        old.superseded = True
        repo.unindex(f"m:{old.id}")
        row = repo.conversation(user_id, conversation.id)
        assert row is not None
        row.last_message_time = row.update_time = now
        return Prepared(
            conversation=conversation_view(row), user_message=message_view(question), assistant_message_id=answer.id,
            model=model, skill_level=level, instructions=conversation.instructions,
            history=[(h.role, h.content, h.token_count) for h in history_rows], sources=sources,
            temperature=self.settings.chat_temperature if temperature is None else temperature,
        )  # fmt: skip

    def _prompt(self, prepared: Prepared) -> list[ChatMessage]:
        turns = [(content, tokens) for _, content, tokens in prepared.history]
        kept = domain.window_history(turns, self.settings.chat_history_tokens)
        history = prepared.history[len(prepared.history) - kept :] if kept else []
        system = domain.system_prompt(SkillLevel(prepared.skill_level), prepared.sources, prepared.instructions)
        messages = [ChatMessage(Role.SYSTEM, system)]
        messages += [ChatMessage(Role(role), content) for role, content, _ in history]
        messages.append(ChatMessage(Role.USER, prepared.user_message.content))
        return messages

    async def _answer(self, generation: Generation, prepared: Prepared, day: dt.date) -> None:
        started = time.perf_counter()
        first_token: float | None = None
        finished: Finished | None = None
        failure: errors.DomainError | None = None
        for source in prepared.sources:
            await generation.emit(CitationGiven(_citation_view(source, cited=False)))
        params = GenerationParams(
            model=prepared.model if prepared.model != self.llm.default_model else "",
            temperature=prepared.temperature,
            max_tokens=self.settings.chat_max_answer_tokens,
        )
        try:
            async with contextlib.aclosing(self.llm.stream_chat(self._prompt(prepared), params)) as stream:  # type: ignore[type-var]
                async for event in stream:
                    if generation.stop_requested:
                        break
                    if isinstance(event, TextDelta):
                        first_token = first_token or time.perf_counter()
                        await generation.emit(Delta(event.text))
                    else:
                        finished = event
        except LlmError as exc:
            failure = errors.Unavailable(f"the model failed: {exc}", reason="LLM_UNAVAILABLE")
        except asyncio.CancelledError:
            failure = errors.Unavailable("the server stopped while answering", reason="LLM_UNAVAILABLE")
        if failure is not None:
            await self.counter.give_back(prepared.conversation.user_id, day)  # the model failed: not counted
        text = "".join(generation.text)
        if failure is not None:
            state, reason = MessageState.FAILED, "error"
        elif generation.stop_requested or finished is None:
            state, reason = MessageState.CANCELLED, "cancelled"
        else:
            state, reason = MessageState.COMPLETE, _finish_reason(finished.reason)
        cited = domain.cited_markers(text, prepared.sources) if state is not MessageState.FAILED else []
        latency = time.perf_counter() - started
        usage = finished.usage if finished is not None else None
        completion_tokens = usage.completion_tokens if usage else len(generation.text)

        def store(session: Any) -> MessageView:
            repo = ChatRepository(session)
            row = repo.message(prepared.conversation.id, generation.message_id)
            conversation = repo.conversation(prepared.conversation.user_id, prepared.conversation.id)
            if row is None or conversation is None:  # deleted while answering
                raise errors.NotFound("the conversation was deleted while answering")
            row.content = text
            row.state = state
            row.finish_reason = reason
            row.citations = [_citation_json(s, cited=s.marker in cited) for s in prepared.sources]
            row.prompt_tokens = usage.prompt_tokens if usage else 0
            row.completion_tokens = completion_tokens
            row.token_count = completion_tokens
            row.error = failure.message[:500] if failure else ""
            row.first_token_ms = int((first_token - started) * 1000) if first_token else 0
            row.latency_ms = int(latency * 1000)
            row.complete_time = utcnow()
            conversation.total_tokens += row.prompt_tokens + row.completion_tokens
            if not conversation.title:
                conversation.title = domain.title_from(prepared.user_message.content)
                repo.index_text(f"t:{conversation.id}", conversation.user_id, conversation.id, "", "title", conversation.title)
            conversation.version += 1
            repo.index_text(f"m:{row.id}", conversation.user_id, conversation.id, row.id, "assistant", text)
            repo.release_generation(conversation.id, generation.message_id)
            repo.count_citations([s.document_id for s in prepared.sources if s.marker in cited])
            if failure is None:
                repo.record_usage(conversation.user_id, day, 1, row.prompt_tokens + row.completion_tokens)
            return message_view(row)

        try:
            stored = await self.writer.run(store)
            await generation.emit(Completed(stored))
        except errors.DomainError as exc:
            failure = failure or exc
        finally:
            await generation.finish(failure)
            self.generations.pop(generation.message_id, None)

    def _replay(self, question: MessageRow, answer: MessageRow | None) -> Generation:
        if answer is not None and answer.id in self.generations:
            return self.generations[answer.id]
        events: list[AnswerEvent] = [
            Started(message_view(question), answer.id if answer else "", answer.model if answer else "",
                    answer.skill_level if answer else 0)
        ]  # fmt: skip
        if answer is not None:
            events += [CitationGiven(c) for c in citation_views(answer.citations or [], cited_only=False)]
            if answer.content:
                events.append(Delta(answer.content))
            events.append(Completed(message_view(answer)))
        return replayed(events)

    async def stop(self, user_id: str, conversation_id: str, message_id: str) -> MessageView:
        message = await self.get_message(user_id, conversation_id, message_id)
        if message.role != "assistant":
            raise errors.FailedPrecondition("only an assistant message can be stopped")
        generation = self.generations.get(message_id)
        if generation is not None:
            generation.stop_requested = True
            async with generation.changed:
                await generation.changed.wait_for(lambda: generation.done)
        elif message.state is MessageState.GENERATING:
            # No task answers it (its server stopped): close it as it stands.
            def close(session: Any) -> None:
                repo = ChatRepository(session)
                row = repo.message(conversation_id, message_id)
                if row is not None and row.state == MessageState.GENERATING:
                    row.state, row.finish_reason, row.complete_time = MessageState.CANCELLED, "cancelled", utcnow()
                    repo.release_generation(conversation_id, message_id)

            await self.db.run(close)
        return await self.get_message(user_id, conversation_id, message_id)

    # Conversation management -----------------------------------------------------------------------

    async def _locked_conversation(self, user_id: str, conversation_id: str, etag: str) -> None:
        """Stops the conversation's answer, if one is being generated here."""
        del etag
        for generation in list(self.generations.values()):
            if generation.conversation_id == conversation_id:
                generation.stop_requested = True
                async with generation.changed:
                    await generation.changed.wait_for(lambda g=generation: g.done)  # type: ignore[misc]

    async def update_conversation(
        self, user_id: str, conversation_id: str, etag: str, changes: dict[str, Any]
    ) -> ConversationView:
        if "title" in changes and len(changes["title"]) > domain.MAX_TITLE_CHARS:
            raise errors.invalid("conversation.title", f"at most {domain.MAX_TITLE_CHARS} characters")
        if "instructions" in changes and len(changes["instructions"]) > 4000:
            raise errors.invalid("conversation.instructions", "at most 4000 characters")
        if "model" in changes:
            self._check_model(changes["model"], "conversation.model")
        if changes.get("archived"):
            await self._locked_conversation(user_id, conversation_id, etag)

        def write(session: Any) -> ConversationView:
            repo = ChatRepository(session)
            row = repo.conversation(user_id, conversation_id)
            if row is None:
                raise _conversation_not_found(user_id, conversation_id)
            if etag and etag != domain.etag_of("c", row.id, row.version):
                raise errors.Aborted("the conversation changed since it was read", reason="ETAG_MISMATCH")
            now = utcnow()
            if "archived" in changes and bool(changes["archived"]) != row.archived:
                row.archived = bool(changes["archived"])
                row.archive_time = now if row.archived else None
            for key in ("title", "pinned", "skill_level", "model", "instructions"):
                if key in changes:
                    setattr(row, key, changes[key].strip() if key == "title" else changes[key])
            if "title" in changes:
                repo.index_text(f"t:{row.id}", user_id, row.id, "", "title", row.title)
            row.version += 1
            row.update_time = now
            return conversation_view(row)

        return await self.db.run(write)

    async def delete_conversation(self, user_id: str, conversation_id: str, etag: str) -> None:
        await self._locked_conversation(user_id, conversation_id, etag)

        def remove(session: Any) -> None:
            repo = ChatRepository(session)
            row = repo.conversation(user_id, conversation_id)
            if row is None:
                raise _conversation_not_found(user_id, conversation_id)
            if etag and etag != domain.etag_of("c", row.id, row.version):
                raise errors.Aborted("the conversation changed since it was read", reason="ETAG_MISMATCH")
            repo.delete_conversation(conversation_id)

        await self.db.run(remove)

    async def list_conversations(
        self, user_id: str, *, archived: bool | None, pinned_only: bool, order: str, offset: int, limit: int
    ) -> list[ConversationView]:
        def read(session: Any) -> list[ConversationView]:
            rows = ChatRepository(session).conversations(
                user_id, archived=archived, pinned_only=pinned_only, order=order, offset=offset, limit=limit
            )
            return [conversation_view(row) for row in rows]

        return await self.db.run(read)

    async def search_conversations(
        self, user_id: str, query: str, *, include_archived: bool, offset: int, limit: int
    ) -> tuple[list[domain.SearchHit], int]:
        words = domain.search_words(query)
        if not words:
            raise errors.invalid("query", "must contain a word")

        def read(session: Any) -> tuple[list[domain.SearchHit], int]:
            repo = ChatRepository(session)
            entries = repo.search(user_id, words, 1000)
            conversations = repo.conversations_by_id(user_id, list({e[0] for e in entries}))
            hits = domain.group_search_hits(
                [e for e in entries if e[0] in conversations and (include_archived or not conversations[e[0]].archived)],
                words,
            )
            page = [
                replace(hit, conversation=conversation_view(conversations[hit.conversation_id]))
                for hit in hits[offset : offset + limit]
            ]
            return page, len(hits)

        return await self.db.run(read)

    async def export(
        self, user_id: str, conversation_id: str, fmt: str, *, citations: bool, timestamps: bool, zone: str
    ) -> domain.Export:
        def read(session: Any) -> tuple[ConversationView, list[MessageView], list[tuple[CitationView, ...]]]:
            repo = ChatRepository(session)
            row = repo.conversation(user_id, conversation_id)
            if row is None:
                raise _conversation_not_found(user_id, conversation_id)
            messages = [m for m in repo.all_messages(conversation_id) if m.role != "system"]
            return conversation_view(row), [message_view(m) for m in messages], []

        conversation, messages, _ = await self.db.run(read)
        document = domain.export_document(conversation, messages, fmt, citations=citations, timestamps=timestamps, zone=zone)
        if fmt == "pdf":
            pdf = await asyncio.to_thread(_render_pdf, document.body.decode("utf-8"))
            return replace(document, body=pdf)
        return document

    # Feedback --------------------------------------------------------------------------------------

    async def submit_feedback(
        self, user_id: str, conversation_id: str, message_id: str, *, rating: str, reasons: list[int], comment: str,
        request_id: str,
    ) -> domain.FeedbackView:  # fmt: skip
        domain.validate_feedback(rating, reasons, comment)

        def write(session: Any) -> domain.FeedbackView:
            repo = ChatRepository(session)
            message = repo.message(conversation_id, message_id) if repo.conversation(user_id, conversation_id) else None
            if message is None:
                raise _message_not_found(user_id, conversation_id, message_id)
            if message.role != "assistant" or message.state == MessageState.GENERATING:
                raise errors.FailedPrecondition("feedback is for finished assistant answers", reason="FEEDBACK_NOT_ALLOWED")
            row = repo.feedback(message_id)
            if row is not None and request_id and row.request_id == request_id:
                return _feedback_view(row)
            now = utcnow()
            if row is None:
                row = FeedbackRow(message_id=message_id, conversation_id=conversation_id, user_id=user_id, create_time=now)
                session.add(row)
            row.rating, row.reasons, row.comment, row.request_id, row.update_time = (
                rating,
                sorted(set(reasons)),
                comment,
                request_id,
                now,
            )
            row.model, row.skill_level = message.model, message.skill_level
            row.documents = sorted({c["document_id"] for c in message.citations or [] if c.get("cited")})
            session.flush()
            return _feedback_view(row)

        return await self.db.run(write)

    async def get_feedback(self, user_id: str, conversation_id: str, message_id: str) -> domain.FeedbackView:
        def read(session: Any) -> domain.FeedbackView:
            repo = ChatRepository(session)
            message = repo.message(conversation_id, message_id) if repo.conversation(user_id, conversation_id) else None
            row = repo.feedback(message_id) if message is not None else None
            if row is None:
                name = f"users/{user_id}/conversations/{conversation_id}/messages/{message_id}/feedback"
                raise errors.NotFound(f"{name} not found", metadata={"name": name})
            return _feedback_view(row)

        return await self.db.run(read)

    async def delete_feedback(self, user_id: str, conversation_id: str, message_id: str) -> None:
        def remove(session: Any) -> None:
            repo = ChatRepository(session)
            message = repo.message(conversation_id, message_id) if repo.conversation(user_id, conversation_id) else None
            if message is None:
                raise _message_not_found(user_id, conversation_id, message_id)
            repo.delete_feedback(message_id)

        await self.db.run(remove)

    async def list_feedback(
        self, conditions: dict[str, Any], offset: int, limit: int
    ) -> tuple[list[tuple[domain.FeedbackView, MessageView, MessageView | None]], int, int]:
        def read(session: Any) -> tuple[list[tuple[domain.FeedbackView, MessageView, MessageView | None]], int, int]:
            repo = ChatRepository(session)
            rows, positive, negative = repo.feedback_page(conditions=conditions, offset=offset, limit=limit)
            page = []
            for feedback, answer in rows:
                question = repo.message(answer.conversation_id, answer.reply_to)
                page.append((_feedback_view(feedback), message_view(answer), message_view(question) if question else None))
            return page, positive, negative

        return await self.db.run(read)

    # Settings, usage, models -----------------------------------------------------------------------

    async def get_settings(self, user_id: str) -> domain.SettingsView:
        row = await self.db.run(lambda session: ChatRepository(session).user_settings(user_id))
        return _settings_view(user_id, row)

    async def update_settings(self, user_id: str, changes: dict[str, Any]) -> domain.SettingsView:
        if "default_model" in changes:
            self._check_model(changes["default_model"], "chat_settings.default_model")
        if len(changes.get("instructions", "")) > 4000:
            raise errors.invalid("chat_settings.instructions", "at most 4000 characters")

        def write(session: Any) -> domain.SettingsView:
            repo = ChatRepository(session)
            row = repo.user_settings(user_id)
            if row is None:
                row = UserSettingsRow(user_id=user_id)
                session.add(row)
            for key, value in changes.items():
                setattr(row, key, value)
            row.update_time = utcnow()
            session.flush()
            return _settings_view(user_id, row)

        return await self.db.run(write)

    async def usage(self, user_id: str) -> domain.UsageView:
        allowance = await self.billing.allowance(user_id)
        now = utcnow()
        day = allowance_day(now)
        used = await self.counter.used(user_id, day)
        record = await self.db.run(lambda session: ChatRepository(session).usage(user_id, day))
        reset, _ = reset_after(now)
        limit = self._limit(allowance.answers_per_day)
        return domain.UsageView(
            user_id=user_id, plan=allowance.plan, unlimited=limit < 0, limit=max(limit, 0), used=used,
            tokens=record.tokens if record else 0, period_start=reset - dt.timedelta(days=1), reset=reset,
        )  # fmt: skip

    def models(self) -> list[domain.ModelView]:
        return [
            domain.ModelView(
                name=self.llm.default_model, display_name=self.llm.default_model,
                description=f"Answers through the {self.llm.name} provider",
                max_output_tokens=self.settings.chat_max_answer_tokens,
            )
        ]  # fmt: skip

    # Account export and erasure (called by Auth) ----------------------------------------------------

    async def export_user_data(self, name: str) -> bytes:
        user_id = domain.named_user(name)

        def read(session: Any) -> dict[str, Any]:
            repo = ChatRepository(session)
            conversations = repo.user_conversations(user_id)
            messages: dict[str, list[dict[str, Any]]] = {}
            for message in repo.conversation_messages([c.id for c in conversations]):
                messages.setdefault(message.conversation_id, []).append(_message_export(user_id, message))
            settings = repo.user_settings(user_id)
            return {
                "conversations": [_conversation_export(c, messages.get(c.id, [])) for c in conversations],
                "feedback": [_feedback_export(f) for f in repo.user_feedback(user_id)],
                "settings": _settings_export(settings) if settings is not None else None,
                "usage": [{"day": u.day.isoformat(), "answers": u.answers, "tokens": u.tokens} for u in repo.user_usage(user_id)],
            }

        categories = await self.db.run(read)
        document = {"user": f"users/{user_id}", "export_time": utcnow().isoformat(), **categories}
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")

    async def purge_user_data(self, name: str) -> list[domain.Disposition]:
        """Stops the user's answers, then deletes their rows and counters. Idempotent: a repeat erases 0 records."""
        user_id = domain.named_user(name)
        conversations = await self.db.run(lambda session: {c.id for c in ChatRepository(session).user_conversations(user_id)})
        for generation in list(self.generations.values()):
            if generation.conversation_id in conversations:
                generation.stop_requested = True
                async with generation.changed:
                    await generation.changed.wait_for(lambda g=generation: g.done)  # type: ignore[misc]
        counts = await self.db.run(lambda session: ChatRepository(session).purge_user(user_id))
        await self.counter.forget(user_id)
        return domain.purge_dispositions(counts)

    # More knowledge base ---------------------------------------------------------------------------

    async def list_documents(
        self, filters: dict[str, Any], order: str, offset: int, limit: int
    ) -> tuple[list[DocumentView], int]:
        def read(session: Any) -> tuple[list[DocumentView], int]:
            rows, total = ChatRepository(session).documents(order=order, offset=offset, limit=limit, **filters)
            return [document_view(row) for row in rows], total

        return await self.db.run(read)

    async def update_document(self, document_id: str, etag: str, changes: dict[str, Any]) -> DocumentView:
        if "title" in changes and not str(changes["title"]).strip():
            raise errors.invalid("document.title", "must not be empty")
        if "text" in changes and "uri" in changes:
            raise errors.invalid("update_mask", "change one of text or uri")
        if "text" in changes and not str(changes["text"]).strip():
            raise errors.invalid("document.text", "must not be empty")
        if "uri" in changes:
            changes["uri"] = domain.check_document_uri(str(changes["uri"]), self.fetch_policy)
        reingest = bool({"text", "uri", "title", "category", "skill_level", "tags"} & set(changes))

        def write(session: Any) -> DocumentView:
            row = ChatRepository(session).document(document_id)
            if row is None:
                raise errors.NotFound(f"documents/{document_id} not found", metadata={"name": f"documents/{document_id}"})
            if etag and etag != domain.etag_of("d", row.id, row.version):
                raise errors.Aborted("the document changed since it was read", reason="ETAG_MISMATCH")
            if ("uri" in changes or "text" in changes) and row.state == DocumentState.PROCESSING:
                raise errors.FailedPrecondition("the document is being ingested", reason="DOCUMENT_PROCESSING")
            for key, value in changes.items():
                setattr(row, key, value)
            if "uri" in changes:
                row.text, row.content_hash = "", _content_hash(row.uri, "")
            elif "text" in changes:
                row.uri, row.content_hash = "", _content_hash("", row.text)
            if reingest:
                row.state = DocumentState.PENDING
            row.version += 1
            row.update_time = utcnow()
            return document_view(row)

        updated = await self.db.run(write)
        if reingest:
            self._spawn(self.ingest(document_id))
        elif "retrieval_enabled" in changes:
            index = await self.index()
            if index is not None:
                try:
                    await index.set_enabled(document_id, bool(changes["retrieval_enabled"]))
                except IndexUnavailable as exc:
                    raise _index_unavailable(exc) from exc
        return updated

    async def reindex_document(self, document_id: str) -> DocumentView:
        def write(session: Any) -> DocumentView:
            row = ChatRepository(session).document(document_id)
            if row is None:
                raise errors.NotFound(f"documents/{document_id} not found", metadata={"name": f"documents/{document_id}"})
            if row.state in (DocumentState.PENDING, DocumentState.PROCESSING):
                return document_view(row)  # already on its way: a retry starts nothing new
            row.state = DocumentState.PENDING
            row.version += 1
            return document_view(row)

        before = await self.get_document(document_id)
        updated = await self.db.run(write)
        if before.state not in (DocumentState.PENDING, DocumentState.PROCESSING):
            self._spawn(self.ingest(document_id))
        return updated


def _finish_reason(reason: FinishReason) -> str:
    return {FinishReason.STOP: "stop", FinishReason.LENGTH: "length", FinishReason.FILTERED: "content_filter"}.get(
        reason, "cancelled"
    )


def _citation_view(source: Source, *, cited: bool) -> CitationView:
    return CitationView(
        index=source.marker, document_id=source.document_id, chunk_id=source.chunk_id, title=source.title, source="",
        snippet=source.text[:300], score=source.score, cited=cited,
    )  # fmt: skip


def _citation_json(source: Source, *, cited: bool) -> dict[str, Any]:
    view = replace(_citation_view(source, cited=cited))
    return {
        "index": view.index, "document_id": view.document_id, "chunk_id": view.chunk_id, "title": view.title,
        "source": view.source, "snippet": view.snippet, "score": view.score, "cited": view.cited,
    }  # fmt: skip


def _too_large(uri: str, limit: int) -> errors.InvalidArgument:
    return errors.InvalidArgument(
        f"the file at {uri} is over {limit} bytes", reason="DOCUMENT_TOO_LARGE", metadata={"max_bytes": str(limit)}
    )


def _content_hash(uri: str, text: str) -> str:
    return hashlib.sha256((f"uri:{uri}" if uri else f"text:{text}").encode("utf-8")).hexdigest()


def _index_unavailable(exc: Exception) -> errors.Unavailable:
    return errors.Unavailable(f"the knowledge base index is unavailable: {exc}", reason="KNOWLEDGE_BASE_UNAVAILABLE")


def _conversation_not_found(user_id: str, conversation_id: str) -> errors.NotFound:
    name = f"users/{user_id}/conversations/{conversation_id}"
    return errors.NotFound(f"{name} not found", metadata={"name": name})


def _message_not_found(user_id: str, conversation_id: str, message_id: str) -> errors.NotFound:
    name = f"users/{user_id}/conversations/{conversation_id}/messages/{message_id}"
    return errors.NotFound(f"{name} not found", metadata={"name": name})


def _feedback_view(row: FeedbackRow) -> domain.FeedbackView:
    return domain.FeedbackView(
        user_id=row.user_id, conversation_id=row.conversation_id, message_id=row.message_id, rating=row.rating,
        reasons=tuple(row.reasons or ()), comment=row.comment, create_time=row.create_time, update_time=row.update_time,
    )  # fmt: skip


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _message_export(user_id: str, row: MessageRow) -> dict[str, Any]:
    return {
        "name": f"users/{user_id}/conversations/{row.conversation_id}/messages/{row.id}", "role": row.role,
        "content": row.content, "state": row.state, "finish_reason": row.finish_reason, "model": row.model,
        "skill_level": domain.skill_level_name(row.skill_level), "superseded": row.superseded,
        "citations": [c for c in row.citations or [] if c.get("cited")], "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens, "create_time": _iso(row.create_time),
        "complete_time": _iso(row.complete_time),
    }  # fmt: skip


def _conversation_export(row: ConversationRow, messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": f"users/{row.user_id}/conversations/{row.id}", "title": row.title,
        "skill_level": domain.skill_level_name(row.skill_level), "model": row.model, "instructions": row.instructions,
        "archived": row.archived, "pinned": row.pinned, "total_tokens": row.total_tokens,
        "create_time": _iso(row.create_time), "update_time": _iso(row.update_time), "messages": messages,
    }  # fmt: skip


def _feedback_export(row: FeedbackRow) -> dict[str, Any]:
    return {
        "message": f"users/{row.user_id}/conversations/{row.conversation_id}/messages/{row.message_id}",
        "rating": row.rating, "reasons": list(row.reasons or ()), "comment": row.comment,
        "create_time": _iso(row.create_time), "update_time": _iso(row.update_time),
    }  # fmt: skip


def _settings_export(row: UserSettingsRow) -> dict[str, Any]:
    return {
        "default_skill_level": domain.skill_level_name(row.default_skill_level), "default_model": row.default_model,
        "instructions": row.instructions, "hide_follow_up_suggestions": row.hide_follow_up_suggestions,
        "update_time": _iso(row.update_time),
    }  # fmt: skip


def _settings_view(user_id: str, row: UserSettingsRow | None) -> domain.SettingsView:
    if row is None:
        return domain.SettingsView(user_id, 0, "", "", False, None)
    return domain.SettingsView(
        user_id, row.default_skill_level, row.default_model, row.instructions, row.hide_follow_up_suggestions, row.update_time
    )


def _render_pdf(html: str) -> bytes:
    """WeasyPrint (Pango shaping, embedded font subsets): any Unicode text the fonts cover comes out as text."""
    with warnings.catch_warnings():
        # Without libharfbuzz-subset WeasyPrint warns at import that a future release will need it; this one
        # embeds whole fonts instead of subsets, which is correct output, only larger.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML

    rendered: bytes = HTML(string=html).write_pdf()
    return rendered
