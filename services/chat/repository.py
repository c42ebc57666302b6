"""Chat's queries. Takes a session, never commits: the unit of work around the use case does."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services.chat.models import ChunkRow, ConversationRow, DocumentRow, MessageRow


class ChatRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # Knowledge base

    def add(self, row: DocumentRow | ConversationRow | MessageRow | ChunkRow) -> None:
        self.session.add(row)
        self.session.flush()

    def document(self, document_id: str) -> DocumentRow | None:
        return self.session.get(DocumentRow, document_id)

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
