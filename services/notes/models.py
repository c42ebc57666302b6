"""Notes' tables, all prefixed `notes_`. Structured note content (sections, key terms) and quiz
questions are JSON documents: they are read and written whole, never queried inside."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id, utcnow
from services.core.operations import OperationsTable


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Note(Timestamps, Base):
    __tablename__ = "notes_notes"
    __table_args__ = (Index("ix_notes_notes_user_create", "user_id", "create_time"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    subject: Mapped[str] = mapped_column(String(100), default="")
    subject_key: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language_code: Mapped[str] = mapped_column(String(35), default="")
    style: Mapped[str] = mapped_column(String(20), default="study_guide")
    detail_level: Mapped[str] = mapped_column(String(20), default="standard")
    summary: Mapped[str] = mapped_column(Text, default="")
    # {"sections": [...], "key_terms": [...]} as domain.NoteContent writes them.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    markdown: Mapped[str] = mapped_column(Text, default="")
    markdown_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    # NoteSource as plain values: kind, video_uri, video_id, asset, title, channel, duration_seconds, ...
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_kind: Mapped[str] = mapped_column(String(20), default="")
    # The video id or asset name, for duplicate checks and the `source` filter.
    source_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    source_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # Lower-cased title, summary, key terms and body for the text query.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Unit-length embedding of title, summary and key terms (the embedding seam), for cross-links; empty when
    # the embedder was unavailable.
    embedding: Mapped[list[float]] = mapped_column(JSON, default=list)
    model: Mapped[str] = mapped_column(String(200), default="")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    credits_spent: Mapped[int] = mapped_column(Integer, default=0)
    operation_id: Mapped[str] = mapped_column(String(32), default="")
    etag: Mapped[str] = mapped_column(String(40), default="")


class TranscriptRow(Base):
    __tablename__ = "notes_transcripts"

    note_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    language_code: Mapped[str] = mapped_column(String(35), default="")
    origin: Mapped[str] = mapped_column(String(30), default="uploaded")
    timed: Mapped[bool] = mapped_column(Boolean, default=False)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    # [[text, start, end], ...]
    segments: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Link(Base):
    """One side of a symmetric link: the pair is stored twice, each row seen from its `note_id`."""

    __tablename__ = "notes_links"
    __table_args__ = (UniqueConstraint("note_id", "target_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    note_id: Mapped[str] = mapped_column(String(32), index=True)
    target_id: Mapped[str] = mapped_column(String(32), index=True)
    relation: Mapped[str] = mapped_column(String(20), default="related")
    comment: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[str] = mapped_column(String(10), default="automatic")  # automatic, manual
    score: Mapped[float] = mapped_column(Float, default=0.0)
    shared_concepts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A removed automatic link is remembered so that it is not suggested again.
    dismissed: Mapped[bool] = mapped_column(Boolean, default=False)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Quiz(Base):
    __tablename__ = "notes_quizzes"
    __table_args__ = (Index("ix_notes_quizzes_note_create", "note_id", "create_time"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    note_id: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(12), default="generating")  # generating, ready
    title: Mapped[str] = mapped_column(String(400), default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    model: Mapped[str] = mapped_column(String(200), default="")
    operation_id: Mapped[str] = mapped_column(String(32), default="")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    best_score_percent: Mapped[float] = mapped_column(Float, default=0.0)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Attempt(Base):
    __tablename__ = "notes_attempts"
    __table_args__ = (UniqueConstraint("user_id", "request_id"), Index("ix_notes_attempts_user_submit", "user_id", "submit_time"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    note_id: Mapped[str] = mapped_column(String(32), index=True)
    quiz_id: Mapped[str] = mapped_column(String(32), index=True)
    # NULL when the caller sent none (several NULLs do not clash in a unique constraint).
    request_id: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    max_score: Mapped[int] = mapped_column(Integer, default=0)
    score_percent: Mapped[float] = mapped_column(Float, default=0.0)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    question_count: Mapped[int] = mapped_column(Integer, default=0)
    note_title: Mapped[str] = mapped_column(String(300), default="")
    start_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    submit_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


# Generation jobs (notes and quizzes) are operations in the shared runtime's shape
# (services.core.operations): state, steps, progress, cancel, lease and checkpoint live there. What
# only Notes knows about a job (the request, the credit, chunk summaries) is the operation's
# checkpoint; what callers see of it is the operation's metadata.
NOTES_OPERATIONS = OperationsTable.declare(Base.metadata, service="notes")
# One job per caller request id (a retried GenerateNotes or GenerateQuiz finds the first one).
_JOBS = NOTES_OPERATIONS.table
Index(
    "uq_notes_operations_owner_request_id",
    _JOBS.c.owner,
    _JOBS.c.request_id,
    unique=True,
    sqlite_where=_JOBS.c.request_id != "",
    postgresql_where=_JOBS.c.request_id != "",
)


class Refund(Base):
    """A credit refund owed to a user for a job that ended without a note: the refund outbox.

    Written by `usecases.refund_after_job` in the transaction that ends the job (whoever ends it:
    the worker, a cancel, the deadline reaper, the reaper giving up on a lost worker), so an end
    that commits always owes its refund and one that rolls back never does. `refunds.RefundOutbox`
    (an asyncio task in every Notes server) sends it to Billing until Billing answers, claiming the
    row with a lease (`lease_owner`, `lease_until`, compare-and-set); the refund request id
    (`notes-refund-<job>`) makes a repeated call harmless. The row goes once Billing answered.
    """

    __tablename__ = "notes_refunds"
    __table_args__ = (Index("ix_notes_refunds_due", "next_attempt_time"),)

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    spend_request_id: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(200))
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_owner: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
