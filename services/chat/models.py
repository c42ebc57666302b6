"""Chat's tables, all prefixed `chat_`: the knowledge base (documents, chunks) and conversations with messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id, utcnow


class Base(DeclarativeBase):
    """Chat's own MetaData: the service owns these tables and nothing else."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DocumentRow(Timestamps, Base):
    __tablename__ = "chat_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(2048), default="")
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    skill_level: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(20), default="")
    retrieval_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    error: Mapped[str] = mapped_column(String(500), default="")
    error_code: Mapped[int] = mapped_column(Integer, default=0)  # google.rpc code of a FAILED ingestion
    error_reason: Mapped[str] = mapped_column(String(64), default="")
    uri: Mapped[str] = mapped_column(String(2048), default="")  # fetched for the text when set
    content_hash: Mapped[str] = mapped_column(String(64), default="", index=True)  # of the text, or of the uri
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    token_count: Mapped[int] = mapped_column(Integer, default=0)
    embedding_model: Mapped[str] = mapped_column(String(200), default="")
    citation_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    index_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ChunkRow(Base):
    __tablename__ = "chat_chunks"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(ForeignKey("chat_documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(Integer)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)


class ConversationRow(Timestamps, Base):
    __tablename__ = "chat_conversations"
    __table_args__ = (Index("ix_chat_conversations_user_activity", "user_id", "last_message_time"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    skill_level: Mapped[int] = mapped_column(Integer, default=0)
    model: Mapped[str] = mapped_column(String(200), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_preview: Mapped[str] = mapped_column(String(200), default="")
    generating_message_id: Mapped[str | None] = mapped_column(String(32))
    total_tokens: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    last_message_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    archive_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class MessageRow(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (UniqueConstraint("conversation_id", "position"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("chat_conversations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))  # user, assistant, system
    content: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="complete")  # generating, complete, cancelled, failed
    finish_reason: Mapped[str] = mapped_column(String(16), default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    skill_level: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    token_count: Mapped[int] = mapped_column(Integer, default=0)  # of the content itself, for history windows
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reply_to: Mapped[str] = mapped_column(String(32), default="")
    regenerated_from: Mapped[str] = mapped_column(String(32), default="")
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    request_id: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(String(500), default="")
    first_token_ms: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    complete_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class FeedbackRow(Timestamps, Base):
    """At most one per assistant message (its id is the message's)."""

    __tablename__ = "chat_feedback"
    __table_args__ = (Index("ix_chat_feedback_create_time", "create_time"),)

    message_id: Mapped[str] = mapped_column(ForeignKey("chat_messages.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    rating: Mapped[str] = mapped_column(String(10))  # positive, negative
    reasons: Mapped[list[int]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    skill_level: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[str] = mapped_column(String(100), default="")


class UserSettingsRow(Base):
    __tablename__ = "chat_user_settings"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    default_skill_level: Mapped[int] = mapped_column(Integer, default=0)
    default_model: Mapped[str] = mapped_column(String(200), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    hide_follow_up_suggestions: Mapped[bool] = mapped_column(Boolean, default=False)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class UsageRow(Base):
    """Answers used per user and UTC day (the allowance's counter lives in Redis; this is the record)."""

    __tablename__ = "chat_usage"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    tokens: Mapped[int] = mapped_column(Integer, default=0)
