"""ChatService servicer: parses each request, calls one use case, maps the result to protobuf."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from typing import Any

from google.protobuf import duration_pb2
from google.rpc import status_pb2
from marquee.chat.v1 import chat_pb2 as pb
from marquee.chat.v1 import chat_pb2_grpc

from services.chat import domain
from services.chat.domain import (
    AnswerEvent,
    ChunkView,
    CitationGiven,
    CitationView,
    Completed,
    ConversationView,
    Delta,
    DocumentView,
    MessageView,
    RetrievedView,
    Started,
)
from services.chat.usecases import ChatUseCases
from services.chat.vectors import ChunkFilter
from services.core import errors
from services.core.convert import timestamp
from services.core.interceptors import Context, require_principal
from services.core.paging import PageTokens, page_size

DOCUMENT_STATE = {
    domain.DocumentState.PENDING: pb.DOCUMENT_STATE_PENDING,
    domain.DocumentState.PROCESSING: pb.DOCUMENT_STATE_PROCESSING,
    domain.DocumentState.READY: pb.DOCUMENT_STATE_READY,
    domain.DocumentState.FAILED: pb.DOCUMENT_STATE_FAILED,
}
MESSAGE_STATE = {
    domain.MessageState.GENERATING: pb.MESSAGE_STATE_GENERATING,
    domain.MessageState.COMPLETE: pb.MESSAGE_STATE_COMPLETE,
    domain.MessageState.CANCELLED: pb.MESSAGE_STATE_CANCELLED,
    domain.MessageState.FAILED: pb.MESSAGE_STATE_FAILED,
}
ROLE = {"user": pb.MESSAGE_ROLE_USER, "assistant": pb.MESSAGE_ROLE_ASSISTANT, "system": pb.MESSAGE_ROLE_SYSTEM}
FINISH = {
    "stop": pb.FINISH_REASON_STOP,
    "length": pb.FINISH_REASON_LENGTH,
    "content_filter": pb.FINISH_REASON_CONTENT_FILTER,
    "cancelled": pb.FINISH_REASON_CANCELLED,
    "error": pb.FINISH_REASON_ERROR,
}


def level(value: int) -> Any:
    """The enum number as the generated constructors take it (their stubs name the enum type)."""
    return value


def millis(value: int) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=value // 1000, nanos=(value % 1000) * 1_000_000)


def document_pb(view: DocumentView, *, full: bool = False) -> pb.Document:
    message = pb.Document(
        name=f"documents/{view.id}", title=view.title, source=view.source, category=view.category,
        skill_level=level(view.skill_level), tags=list(view.tags), language=view.language,
        retrieval_enabled=view.retrieval_enabled, state=DOCUMENT_STATE[view.state], chunk_count=view.chunk_count,
        token_count=view.token_count, char_count=view.char_count, embedding_model=view.embedding_model,
        citation_count=view.citation_count, etag=view.etag, create_time=timestamp(view.create_time),
        update_time=timestamp(view.update_time), index_time=timestamp(view.index_time),
    )  # fmt: skip
    if full:
        message.text = view.text
    if view.error:
        message.error.CopyFrom(status_pb2.Status(code=13, message=view.error))
    return message


def chunk_pb(view: ChunkView) -> pb.Chunk:
    return pb.Chunk(
        name=f"documents/{view.document_id}/chunks/{view.id}", index=view.index, text=view.text,
        token_count=view.token_count, start_offset=view.start_offset, end_offset=view.end_offset,
    )  # fmt: skip


def citation_pb(view: CitationView) -> pb.Citation:
    return pb.Citation(
        index=view.index, document=f"documents/{view.document_id}",
        chunk=f"documents/{view.document_id}/chunks/{view.chunk_id}", title=view.title, source=view.source,
        snippet=view.snippet, relevance_score=view.score, cited=view.cited,
    )  # fmt: skip


def message_pb(view: MessageView) -> pb.Message:
    message = pb.Message(
        name=f"users/{view.user_id}/conversations/{view.conversation_id}/messages/{view.id}", role=ROLE[view.role],
        content=view.content, state=MESSAGE_STATE[view.state], citations=[citation_pb(c) for c in view.citations],
        finish_reason=FINISH.get(view.finish_reason, pb.FINISH_REASON_UNSPECIFIED), model=view.model,
        skill_level=level(view.skill_level), request_id=view.request_id, create_time=timestamp(view.create_time),
        complete_time=timestamp(view.complete_time),
    )  # fmt: skip
    if view.reply_to:
        message.reply_to = f"users/{view.user_id}/conversations/{view.conversation_id}/messages/{view.reply_to}"
    if view.role == "assistant" and view.state is not domain.MessageState.GENERATING:
        message.usage.CopyFrom(
            pb.TokenUsage(
                prompt_tokens=view.prompt_tokens, completion_tokens=view.completion_tokens,
                total_tokens=view.prompt_tokens + view.completion_tokens,
            )
        )  # fmt: skip
        message.latency.CopyFrom(millis(view.latency_ms))
        message.first_token_latency.CopyFrom(millis(view.first_token_ms))
    if view.error:
        message.error.CopyFrom(status_pb2.Status(code=14, message=view.error))
    return message


def conversation_pb(view: ConversationView) -> pb.Conversation:
    message = pb.Conversation(
        name=f"users/{view.user_id}/conversations/{view.id}", title=view.title, skill_level=level(view.skill_level),
        model=view.model, instructions=view.instructions, archived=view.archived, pinned=view.pinned,
        message_count=view.message_count, last_message_preview=view.last_message_preview, total_tokens=view.total_tokens,
        etag=view.etag, create_time=timestamp(view.create_time), update_time=timestamp(view.update_time),
        last_message_time=timestamp(view.last_message_time), archive_time=timestamp(view.archive_time),
    )  # fmt: skip
    if view.generating_message_id:
        message.generating_message = f"users/{view.user_id}/conversations/{view.id}/messages/{view.generating_message_id}"
    return message


def retrieved_pb(view: RetrievedView) -> pb.RetrievedChunk:
    return pb.RetrievedChunk(
        rank=view.rank, score=view.score, chunk=chunk_pb(view.chunk), document=f"documents/{view.chunk.document_id}",
        title=view.title, source=view.source, category=view.category, skill_level=level(view.skill_level),
        used_by_answers=view.used_by_answers,
    )  # fmt: skip


def event_pb(event: AnswerEvent, sequence: int, response: Any) -> Any:
    if isinstance(event, Started):
        return response(
            sequence=sequence,
            started=pb.MessageStarted(
                user_message=message_pb(event.user_message),
                assistant_message=(
                    f"users/{event.user_message.user_id}/conversations/{event.user_message.conversation_id}"
                    f"/messages/{event.assistant_message_id}"
                ),
                model=event.model, skill_level=level(event.skill_level),
            ),
        )  # fmt: skip
    if isinstance(event, CitationGiven):
        return response(sequence=sequence, citation=citation_pb(event.citation))
    if isinstance(event, Delta):
        return response(sequence=sequence, delta=pb.TextDelta(text=event.text))
    assert isinstance(event, Completed)
    return response(sequence=sequence, completed=pb.MessageCompleted(message=message_pb(event.message)))


class ChatHandlers(chat_pb2_grpc.ChatServiceServicer):
    def __init__(self, usecases: ChatUseCases, page_tokens: PageTokens) -> None:
        self.usecases = usecases
        self.pages = page_tokens

    # Knowledge base (admins)

    async def CreateDocument(self, request: pb.CreateDocumentRequest, context: Context) -> pb.CreateDocumentResponse:
        d = request.document
        created = await self.usecases.create_document(
            title=d.title, text=d.text, uri=d.uri, source=d.source, category=d.category, skill_level=d.skill_level,
            tags=list(d.tags), language=d.language,
            retrieval_enabled=d.retrieval_enabled if d.HasField("retrieval_enabled") else True,
        )  # fmt: skip
        return pb.CreateDocumentResponse(document=document_pb(created))

    async def GetDocument(self, request: pb.GetDocumentRequest, context: Context) -> pb.GetDocumentResponse:
        found = await self.usecases.get_document(domain.document_id_of(request.name))
        return pb.GetDocumentResponse(document=document_pb(found, full=request.view == pb.DOCUMENT_VIEW_FULL))

    async def DeleteDocument(self, request: pb.DeleteDocumentRequest, context: Context) -> pb.DeleteDocumentResponse:
        await self.usecases.delete_document(domain.document_id_of(request.name), request.etag)
        return pb.DeleteDocumentResponse()

    async def ListDocumentChunks(self, request: pb.ListDocumentChunksRequest, context: Context) -> pb.ListDocumentChunksResponse:
        document_id = domain.document_id_of(request.parent, "parent")
        size = page_size(request.page_size, default=50, maximum=200)
        query = f"chunks:{document_id}"
        position = self.pages.decode(request.page_token, query=query)
        chunks = await self.usecases.list_chunks(document_id, int(position["p"]) if position else -1, size + 1)
        token = self.pages.encode({"p": chunks[size - 1].index}, query=query) if len(chunks) > size else ""
        return pb.ListDocumentChunksResponse(chunks=[chunk_pb(c) for c in chunks[:size]], next_page_token=token)

    async def RetrieveChunks(self, request: pb.RetrieveChunksRequest, context: Context) -> pb.RetrieveChunksResponse:
        if not request.query.strip() or len(request.query) > domain.MAX_MESSAGE_CHARS:
            raise errors.invalid("query", f"1 to {domain.MAX_MESSAGE_CHARS} characters")
        if not 0 <= request.top_k <= 50:
            raise errors.invalid("top_k", "must be between 1 and 50")
        if not 0.0 <= request.min_score <= 1.0:
            raise errors.invalid("min_score", "must be between 0 and 1")
        where = ChunkFilter(
            categories=frozenset(request.categories), tags=frozenset(request.tags),
            documents=frozenset(domain.document_id_of(d, "documents") for d in request.documents),
            skill_levels=domain.skill_levels_for(domain.SkillLevel(request.skill_level)),
            include_disabled=request.include_disabled,
        )  # fmt: skip
        started = time.perf_counter()
        found = await self.usecases.retrieve(request.query, request.top_k or 5, where, request.min_score)
        elapsed = time.perf_counter() - started
        response = pb.RetrieveChunksResponse(
            chunks=[retrieved_pb(r) for r in found], embedding_model=self.usecases.embedder.model,
            answer_score_threshold=self.usecases.settings.chat_answer_score_threshold,
        )  # fmt: skip
        response.latency.FromNanoseconds(int(elapsed * 1e9))
        return response

    # Conversations

    async def CreateConversation(self, request: pb.CreateConversationRequest, context: Context) -> pb.CreateConversationResponse:
        principal = require_principal()
        user_id = domain.user_of(principal.user_id, principal.is_admin, request.parent)
        c = request.conversation
        created = await self.usecases.create_conversation(
            user_id, title=c.title, skill_level=c.skill_level, model=c.model, instructions=c.instructions
        )
        return pb.CreateConversationResponse(conversation=conversation_pb(created))

    async def GetConversation(self, request: pb.GetConversationRequest, context: Context) -> pb.GetConversationResponse:
        principal = require_principal()
        user_id, conversation_id = domain.parse_name(principal.user_id, principal.is_admin, request.name, ["conversations"])
        count = page_size(request.message_page_size, default=50, maximum=200) if request.include_messages else 0
        conversation, messages = await self.usecases.get_conversation(user_id, conversation_id, count)
        return pb.GetConversationResponse(conversation=conversation_pb(conversation), messages=[message_pb(m) for m in messages])

    async def ListMessages(self, request: pb.ListMessagesRequest, context: Context) -> pb.ListMessagesResponse:
        principal = require_principal()
        user_id, conversation_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.parent, ["conversations"], "parent"
        )
        size = page_size(request.page_size, default=50, maximum=200)
        newest = request.order_by == pb.MESSAGE_ORDER_NEWEST_FIRST
        query = f"messages:{user_id}:{conversation_id}:{int(newest)}:{int(request.include_system)}"
        position = self.pages.decode(request.page_token, query=query)
        rows = await self.usecases.list_messages(
            user_id, conversation_id, newest_first=newest, after_position=int(position["p"]) if position else None,
            limit=size + 1,
        )  # fmt: skip
        token = self.pages.encode({"p": rows[size - 1][0]}, query=query) if len(rows) > size else ""
        shown = [m for _, m in rows[:size] if request.include_system or m.role != "system"]
        return pb.ListMessagesResponse(messages=[message_pb(m) for m in shown], next_page_token=token)

    async def GetMessage(self, request: pb.GetMessageRequest, context: Context) -> pb.GetMessageResponse:
        principal = require_principal()
        user_id, conversation_id, message_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.name, ["conversations", "messages"]
        )
        return pb.GetMessageResponse(message=message_pb(await self.usecases.get_message(user_id, conversation_id, message_id)))

    async def SendMessage(self, request: pb.SendMessageRequest, context: Context) -> AsyncIterator[pb.SendMessageResponse]:
        principal = require_principal()
        user_id, conversation_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.conversation, ["conversations"], "conversation"
        )
        generation = await self.usecases.send_message(
            user_id, conversation_id, request.content, request_id=request.request_id, model=request.model,
            skill_level=request.skill_level, temperature=request.temperature if request.HasField("temperature") else None,
        )  # fmt: skip
        sequence = 0
        async for event in generation.follow():
            sequence += 1
            yield event_pb(event, sequence, pb.SendMessageResponse)

    async def StopGeneration(self, request: pb.StopGenerationRequest, context: Context) -> pb.StopGenerationResponse:
        principal = require_principal()
        user_id, conversation_id, message_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.name, ["conversations", "messages"]
        )
        return pb.StopGenerationResponse(message=message_pb(await self.usecases.stop(user_id, conversation_id, message_id)))


def request_fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
