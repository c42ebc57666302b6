"""Chat's queries. Takes a session, never commits: the unit of work around the use case does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from services.chat.models import ChunkRow, ConversationRow, DocumentRow, FeedbackRow, MessageRow, UsageRow, UserSettingsRow

# The search entries table migration chat_0001 builds by hand (with its FTS5 mirror or tsvector).
_FTS = Table(
    "chat_fts_entries",
    MetaData(),
    Column("doc", Integer, primary_key=True),
    Column("entry_key", String),
    Column("user_id", String),
    Column("conversation_id", String),
    Column("message_id", String),
    Column("role", String),
    Column("body", Text),
)
CONVERSATION_ORDER: dict[str, tuple[Any, Any]] = {
    "last_activity": (ConversationRow.last_message_time.desc(), ConversationRow.id.desc()),
    "create_time": (ConversationRow.create_time.desc(), ConversationRow.id.desc()),
    "title": (ConversationRow.title.asc(), ConversationRow.id.asc()),
}
DOCUMENT_ORDER: dict[str, tuple[Any, Any]] = {
    "update_time": (DocumentRow.update_time.desc(), DocumentRow.id.desc()),
    "create_time": (DocumentRow.create_time.desc(), DocumentRow.id.desc()),
    "title": (DocumentRow.title.asc(), DocumentRow.id.asc()),
    "citation_count": (DocumentRow.citation_count.desc(), DocumentRow.id.desc()),
}


class ChatRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # Knowledge base

    def add(self, row: DocumentRow | ConversationRow | MessageRow | ChunkRow) -> None:
        self.session.add(row)
        self.session.flush()

    def document(self, document_id: str) -> DocumentRow | None:
        return self.session.get(DocumentRow, document_id)

    def document_by_hash(self, content_hash: str) -> DocumentRow | None:
        return self.session.scalars(select(DocumentRow).where(DocumentRow.content_hash == content_hash).limit(1)).first()

    def chunks(self, document_id: str, after_position: int, limit: int) -> list[ChunkRow]:
        query = (
            select(ChunkRow)
            .where(ChunkRow.document_id == document_id, ChunkRow.position > after_position)
            .order_by(ChunkRow.position)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def replace_chunks(self, document_id: str, chunks: Sequence[ChunkRow]) -> None:
        self.session.execute(delete(ChunkRow).where(ChunkRow.document_id == document_id))
        self.session.add_all(chunks)
        self.session.flush()

    def chunks_with_documents(self, chunk_ids: Sequence[str]) -> dict[str, tuple[ChunkRow, DocumentRow]]:
        if not chunk_ids:
            return {}
        query = select(ChunkRow, DocumentRow).join(DocumentRow, DocumentRow.id == ChunkRow.document_id)
        rows = self.session.execute(query.where(ChunkRow.id.in_(list(chunk_ids)))).all()
        return {chunk.id: (chunk, document) for chunk, document in rows}

    def delete_document(self, document_id: str) -> None:
        self.session.execute(delete(ChunkRow).where(ChunkRow.document_id == document_id))
        self.session.execute(delete(DocumentRow).where(DocumentRow.id == document_id))

    def count_citations(self, document_ids: Sequence[str]) -> None:
        for document_id in set(document_ids):
            self.session.execute(
                update(DocumentRow).where(DocumentRow.id == document_id).values(citation_count=DocumentRow.citation_count + 1)
            )

    # Conversations

    def conversation(self, user_id: str, conversation_id: str) -> ConversationRow | None:
        row = self.session.get(ConversationRow, conversation_id)
        return row if row is not None and row.user_id == user_id else None

    def messages(self, conversation_id: str, *, newest_first: bool, after_position: int | None, limit: int) -> list[MessageRow]:
        query = select(MessageRow).where(MessageRow.conversation_id == conversation_id)
        if after_position is not None:
            query = query.where(MessageRow.position < after_position if newest_first else MessageRow.position > after_position)
        order = MessageRow.position.desc() if newest_first else MessageRow.position
        return list(self.session.scalars(query.order_by(order).limit(limit)))

    def history(self, conversation_id: str, before_position: int, limit: int) -> list[MessageRow]:
        """Finished user and assistant messages before a position, newest first."""
        query = (
            select(MessageRow)
            .where(
                MessageRow.conversation_id == conversation_id,
                MessageRow.position < before_position,
                MessageRow.role.in_(("user", "assistant")),
                MessageRow.state.in_(("complete", "cancelled")),
            )
            .order_by(MessageRow.position.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def message(self, conversation_id: str, message_id: str) -> MessageRow | None:
        row = self.session.get(MessageRow, message_id)
        return row if row is not None and row.conversation_id == conversation_id else None

    def message_by_request(self, conversation_id: str, request_id: str) -> MessageRow | None:
        query = select(MessageRow).where(
            MessageRow.conversation_id == conversation_id, MessageRow.request_id == request_id, MessageRow.role == "user"
        )
        return self.session.scalars(query).first()

    def reply_to(self, conversation_id: str, user_message_id: str) -> MessageRow | None:
        query = select(MessageRow).where(MessageRow.conversation_id == conversation_id, MessageRow.reply_to == user_message_id)
        return self.session.scalars(query.order_by(MessageRow.position.desc())).first()

    def next_position(self, conversation_id: str) -> int:
        found = self.session.scalar(select(func.max(MessageRow.position)).where(MessageRow.conversation_id == conversation_id))
        return int(found or 0) + 1

    def claim_generation(self, conversation_id: str, message_id: str) -> bool:
        """Mark the conversation as generating `message_id` unless it already generates one (atomic)."""
        result = self.session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id, ConversationRow.generating_message_id.is_(None))
            .values(generating_message_id=message_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release_generation(self, conversation_id: str, message_id: str) -> None:
        self.session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id, ConversationRow.generating_message_id == message_id)
            .values(generating_message_id=None)
        )

    # Lists

    def conversations(
        self, user_id: str, *, archived: bool | None, pinned_only: bool, order: str, offset: int, limit: int
    ) -> list[ConversationRow]:
        query = select(ConversationRow).where(ConversationRow.user_id == user_id)
        if archived is not None:
            query = query.where(ConversationRow.archived.is_(archived))
        if pinned_only:
            query = query.where(ConversationRow.pinned.is_(True))
        return list(self.session.scalars(query.order_by(*CONVERSATION_ORDER[order]).offset(offset).limit(limit)))

    def conversations_by_id(self, user_id: str, ids: list[str]) -> dict[str, ConversationRow]:
        if not ids:
            return {}
        query = select(ConversationRow).where(ConversationRow.user_id == user_id, ConversationRow.id.in_(ids))
        return {row.id: row for row in self.session.scalars(query)}

    def documents(
        self, *, states: list[str], category: str, skill_level: int, tags: list[str], words: str,
        retrieval_enabled: bool | None, order: str, offset: int, limit: int,
    ) -> tuple[list[DocumentRow], int]:  # fmt: skip
        query = select(DocumentRow)
        if states:
            query = query.where(DocumentRow.state.in_(states))
        if category:
            query = query.where(DocumentRow.category == category)
        if skill_level:
            query = query.where(DocumentRow.skill_level == skill_level)
        if retrieval_enabled is not None:
            query = query.where(DocumentRow.retrieval_enabled.is_(retrieval_enabled))
        for word in words.split()[:8]:
            pattern = f"%{word.lower()}%"
            query = query.where(or_(func.lower(DocumentRow.title).like(pattern), func.lower(DocumentRow.source).like(pattern)))
        rows = list(self.session.scalars(query.order_by(*DOCUMENT_ORDER[order])))
        if tags:
            rows = [row for row in rows if set(row.tags or ()) & set(tags)]
        return rows[offset : offset + limit], len(rows)

    def delete_conversation(self, conversation_id: str) -> None:
        message_ids = select(MessageRow.id).where(MessageRow.conversation_id == conversation_id)
        self.session.execute(delete(FeedbackRow).where(FeedbackRow.message_id.in_(message_ids)))
        self.session.execute(delete(MessageRow).where(MessageRow.conversation_id == conversation_id))
        self.session.execute(delete(_FTS).where(_FTS.c.conversation_id == conversation_id))
        self.session.execute(delete(ConversationRow).where(ConversationRow.id == conversation_id))

    def latest_assistant(self, conversation_id: str) -> MessageRow | None:
        query = select(MessageRow).where(
            MessageRow.conversation_id == conversation_id, MessageRow.role == "assistant", MessageRow.superseded.is_(False)
        )
        return self.session.scalars(query.order_by(MessageRow.position.desc())).first()

    def all_messages(self, conversation_id: str) -> list[MessageRow]:
        query = select(MessageRow).where(MessageRow.conversation_id == conversation_id, MessageRow.superseded.is_(False))
        return list(self.session.scalars(query.order_by(MessageRow.position)))

    # Search index (kept current by every write that changes a title or a message)

    def index_text(self, key: str, user_id: str, conversation_id: str, message_id: str, role: str, body: str) -> None:
        self.session.execute(delete(_FTS).where(_FTS.c.entry_key == key))
        if body.strip():
            self.session.execute(
                insert(_FTS).values(
                    entry_key=key, user_id=user_id, conversation_id=conversation_id, message_id=message_id, role=role, body=body
                )
            )

    def unindex(self, key: str) -> None:
        self.session.execute(delete(_FTS).where(_FTS.c.entry_key == key))

    def search(self, user_id: str, words: list[str], limit: int) -> list[tuple[str, str, str, str, float]]:
        """(conversation id, message id or "", role, body, score) of the best matching entries, best first."""
        if self.session.get_bind().dialect.name == "postgresql":
            rows = self.session.execute(
                text(
                    "SELECT conversation_id, message_id, role, body, ts_rank_cd(search_vector, q) AS score "
                    "FROM chat_fts_entries, plainto_tsquery('english', :words) AS q "
                    "WHERE user_id = :user AND search_vector @@ q ORDER BY score DESC LIMIT :limit"
                ),
                {"words": " ".join(words), "user": user_id, "limit": limit},
            ).all()
            return [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]
        expression = " ".join('"' + word.replace('"', "") + '"' for word in words)
        rows = self.session.execute(
            text(
                "SELECT e.conversation_id, e.message_id, e.role, e.body, -bm25(chat_fts_index) AS score "
                "FROM chat_fts_index JOIN chat_fts_entries e ON e.doc = chat_fts_index.rowid "
                "WHERE chat_fts_index MATCH :expression AND e.user_id = :user ORDER BY score DESC LIMIT :limit"
            ),
            {"expression": expression, "user": user_id, "limit": limit},
        ).all()
        return [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]

    # Feedback, settings, usage

    def feedback(self, message_id: str) -> FeedbackRow | None:
        return self.session.get(FeedbackRow, message_id)

    def delete_feedback(self, message_id: str) -> None:
        self.session.execute(delete(FeedbackRow).where(FeedbackRow.message_id == message_id))

    def feedback_page(
        self, *, conditions: dict[str, Any], offset: int, limit: int
    ) -> tuple[list[tuple[FeedbackRow, MessageRow]], int, int]:
        query = select(FeedbackRow, MessageRow).join(MessageRow, MessageRow.id == FeedbackRow.message_id)
        if conditions.get("rating"):
            query = query.where(FeedbackRow.rating == conditions["rating"])
        if conditions.get("user"):
            query = query.where(FeedbackRow.user_id == conditions["user"])
        if conditions.get("model"):
            query = query.where(FeedbackRow.model == conditions["model"])
        if conditions.get("skill_level"):
            query = query.where(FeedbackRow.skill_level == conditions["skill_level"])
        if conditions.get("has_comment"):
            query = query.where(FeedbackRow.comment != "")
        if conditions.get("start"):
            query = query.where(FeedbackRow.update_time >= conditions["start"])
        if conditions.get("end"):
            query = query.where(FeedbackRow.update_time < conditions["end"])
        rows = [(f, m) for f, m in self.session.execute(query.order_by(FeedbackRow.update_time.desc(), FeedbackRow.message_id))]
        if conditions.get("reasons"):
            rows = [(f, m) for f, m in rows if set(f.reasons or ()) & set(conditions["reasons"])]
        if conditions.get("document"):
            rows = [(f, m) for f, m in rows if conditions["document"] in (f.documents or ())]
        positive = sum(1 for f, _ in rows if f.rating == "positive")
        return rows[offset : offset + limit], positive, len(rows) - positive

    def user_settings(self, user_id: str) -> UserSettingsRow | None:
        return self.session.get(UserSettingsRow, user_id)

    def record_usage(self, user_id: str, day: dt.date, answers: int, tokens: int) -> None:
        row = self.session.get(UsageRow, (user_id, day))
        if row is None:
            row = UsageRow(user_id=user_id, day=day, answers=0, tokens=0)
            self.session.add(row)
        row.answers += answers
        row.tokens += tokens

    def usage(self, user_id: str, day: dt.date) -> UsageRow | None:
        return self.session.get(UsageRow, (user_id, day))

    # Account export and erasure

    def user_conversations(self, user_id: str) -> list[ConversationRow]:
        query = select(ConversationRow).where(ConversationRow.user_id == user_id)
        return list(self.session.scalars(query.order_by(ConversationRow.create_time, ConversationRow.id)))

    def conversation_messages(self, conversation_ids: Sequence[str]) -> list[MessageRow]:
        """Every message of the conversations, superseded answers included, in conversation order."""
        if not conversation_ids:
            return []
        query = select(MessageRow).where(MessageRow.conversation_id.in_(list(conversation_ids)))
        return list(self.session.scalars(query.order_by(MessageRow.conversation_id, MessageRow.position)))

    def user_feedback(self, user_id: str) -> list[FeedbackRow]:
        query = select(FeedbackRow).where(FeedbackRow.user_id == user_id)
        return list(self.session.scalars(query.order_by(FeedbackRow.create_time, FeedbackRow.message_id)))

    def user_usage(self, user_id: str) -> list[UsageRow]:
        return list(self.session.scalars(select(UsageRow).where(UsageRow.user_id == user_id).order_by(UsageRow.day)))

    def purge_user(self, user_id: str) -> dict[str, int]:
        """Deletes everything Chat holds about the user; returns how many rows each category held."""
        conversations = select(ConversationRow.id).where(ConversationRow.user_id == user_id)
        mine = or_(MessageRow.user_id == user_id, MessageRow.conversation_id.in_(conversations))
        message_ids = select(MessageRow.id).where(mine)
        counts = {
            "feedback": self._count(FeedbackRow, or_(FeedbackRow.user_id == user_id, FeedbackRow.message_id.in_(message_ids))),
            "messages": self._count(MessageRow, mine),
            "conversations": self._count(ConversationRow, ConversationRow.user_id == user_id),
            "settings": self._count(UserSettingsRow, UserSettingsRow.user_id == user_id),
            "usage": self._count(UsageRow, UsageRow.user_id == user_id),
        }
        self.session.execute(
            delete(FeedbackRow).where(or_(FeedbackRow.user_id == user_id, FeedbackRow.message_id.in_(message_ids)))
        )
        self.session.execute(delete(_FTS).where(_FTS.c.user_id == user_id))
        self.session.execute(delete(MessageRow).where(mine))
        self.session.execute(delete(ConversationRow).where(ConversationRow.user_id == user_id))
        self.session.execute(delete(UserSettingsRow).where(UserSettingsRow.user_id == user_id))
        self.session.execute(delete(UsageRow).where(UsageRow.user_id == user_id))
        return counts

    def _count(self, model: Any, condition: Any) -> int:
        return int(self.session.scalar(select(func.count()).select_from(model).where(condition)) or 0)
