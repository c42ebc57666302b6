"""Chat's plain values (`domain` views and events) into the contract's messages, and the contract's enums into values.

The servicer (`handlers.py`) calls these around one use case per RPC; nothing here opens a transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from marquee.chat.v1 import chat_pb2 as pb

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
from services.core import errors
from services.core.convert import timestamp

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

ARCHIVED = {pb.ARCHIVE_FILTER_ACTIVE: False, pb.ARCHIVE_FILTER_ARCHIVED: True, pb.ARCHIVE_FILTER_ALL: None}
CONVERSATION_ORDER = {pb.CONVERSATION_ORDER_CREATE_TIME: "create_time", pb.CONVERSATION_ORDER_TITLE: "title"}
DOCUMENT_ORDER = {
    pb.DOCUMENT_ORDER_CREATE_TIME: "create_time",
    pb.DOCUMENT_ORDER_TITLE: "title",
    pb.DOCUMENT_ORDER_CITATION_COUNT: "citation_count",
}
EXPORT_FORMAT = {pb.EXPORT_FORMAT_PLAIN_TEXT: "text", pb.EXPORT_FORMAT_MARKDOWN: "markdown", pb.EXPORT_FORMAT_PDF: "pdf"}
RATING = {pb.FEEDBACK_RATING_POSITIVE: "positive", pb.FEEDBACK_RATING_NEGATIVE: "negative"}
RATING_ENUM = {v: k for k, v in RATING.items()}
STATE_NAME = {value: key.value for key, value in DOCUMENT_STATE.items()}


def masked(paths: Any, values: dict[str, Any], field_name: str) -> dict[str, Any]:
    """The values the mask names; an empty mask, or a path that is unknown or output only, is refused."""
    chosen = list(paths)
    if not chosen:
        raise errors.invalid(field_name, "name at least one field")
    unknown = [p for p in chosen if p not in values]
    if unknown:
        raise errors.invalid(field_name, f"unknown or output-only field: {unknown[0][:60]}")
    return {p: values[p] for p in chosen}


def feedback_pb(view: domain.FeedbackView) -> pb.Feedback:
    return pb.Feedback(
        name=f"users/{view.user_id}/conversations/{view.conversation_id}/messages/{view.message_id}/feedback",
        rating=RATING_ENUM[view.rating], reasons=cast(Any, list(view.reasons)), comment=view.comment,
        create_time=timestamp(view.create_time), update_time=timestamp(view.update_time),
    )  # fmt: skip


def settings_pb(view: domain.SettingsView) -> pb.ChatSettings:
    return pb.ChatSettings(
        name=f"users/{view.user_id}/chatSettings", default_skill_level=level(view.default_skill_level),
        default_model=view.default_model, instructions=view.instructions,
        hide_follow_up_suggestions=view.hide_follow_up_suggestions, update_time=timestamp(view.update_time),
    )  # fmt: skip


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
    if view.uri:
        message.uri = view.uri
        if full:
            message.ClearField("uri")  # one of text or uri: the full view carries the fetched text
            message.text = view.text
    if view.error:
        info = error_details_pb2.ErrorInfo(reason=view.error_reason or "INGESTION_FAILED", domain="marquee.chat")
        detail = any_pb2.Any()
        detail.Pack(info)
        message.error.CopyFrom(status_pb2.Status(code=view.error_code or 13, message=view.error, details=[detail]))
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
    prefix = f"users/{view.user_id}/conversations/{view.conversation_id}/messages/"
    if view.reply_to:
        message.reply_to = prefix + view.reply_to
    if view.regenerated_from:
        message.regenerated_from = prefix + view.regenerated_from
    message.superseded = view.superseded
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


def request_fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
