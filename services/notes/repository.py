"""The only place Notes builds queries. Takes a session, never commits: the unit of work does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from services.notes.models import Attempt, Job, Link, Note, Quiz, TranscriptRow

ACTIVE_STATES = ("queued", "running")
ORDER_COLUMNS = {
    "newest": (Note.create_time, True),
    "oldest": (Note.create_time, False),
    "recently_updated": (Note.update_time, True),
    "title": (Note.title, False),
}


@dataclass(frozen=True)
class NoteQuery:
    user_id: str
    words: tuple[str, ...] = ()
    subject: str = ""
    tags: tuple[str, ...] = ()
    source_kind: str = ""
    source_key: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class NotesRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *rows: Any) -> None:
        self.session.add_all(rows)
        self.session.flush()

    # notes -------------------------------------------------------------------------------

    def note(self, user_id: str, note_id: str, *, for_update: bool = False) -> Note | None:
        query = select(Note).where(Note.user_id == user_id, Note.id == note_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def notes_by_id(self, user_id: str, ids: Sequence[str]) -> dict[str, Note]:
        if not ids:
            return {}
        rows = self.session.scalars(select(Note).where(Note.user_id == user_id, Note.id.in_(list(ids))))
        return {n.id: n for n in rows}

    def _filtered(self, q: NoteQuery) -> Select[Note]:
        query = select(Note).where(Note.user_id == q.user_id)
        for word in q.words:
            query = query.where(Note.search_text.like(f"%{_escape(word)}%", escape="\\"))
        if q.subject:
            query = query.where(Note.subject_key == q.subject.lower())
        if q.source_kind:
            query = query.where(Note.source_kind == q.source_kind)
        if q.source_key:
            query = query.where(Note.source_key == q.source_key)
        if q.start:
            query = query.where(Note.create_time >= q.start)
        if q.end:
            query = query.where(Note.create_time < q.end)
        return query

    def notes_page(self, q: NoteQuery, order: str, limit: int, after: tuple[Any, str] | None) -> list[Note]:
        """Keyset page: (sort value, id) of the last row served resumes the next page. Tag filters are
        applied on the rows (tags are a JSON list), so a page reads ahead until it is full."""
        column, descending = ORDER_COLUMNS[order]
        query = self._filtered(q)
        if after is not None:
            value, last_id = after
            if descending:
                query = query.where(or_(column < value, and_(column == value, Note.id < last_id)))
            else:
                query = query.where(or_(column > value, and_(column == value, Note.id > last_id)))
        query = query.order_by(column.desc() if descending else column.asc(), Note.id.desc() if descending else Note.id.asc())
        if not q.tags:
            return list(self.session.scalars(query.limit(limit)))
        wanted = set(q.tags)
        return [n for n in self.session.scalars(query) if wanted <= set(n.tags or ())][:limit]

    def matching_notes(self, q: NoteQuery) -> list[Note]:
        rows = list(self.session.scalars(self._filtered(q)))
        return [n for n in rows if set(q.tags) <= set(n.tags or ())]

    def count_notes(self, q: NoteQuery) -> int:
        if q.tags:
            return len(self.matching_notes(q))
        return int(self.session.scalar(select(func.count()).select_from(self._filtered(q).subquery())) or 0)

    def notes_from_source(self, user_id: str, source_key: str) -> list[str]:
        return list(
            self.session.scalars(
                select(Note.id).where(Note.user_id == user_id, Note.source_key == source_key).order_by(Note.create_time.desc())
            )
        )

    def link_candidates(self, user_id: str, exclude: str) -> list[Note]:
        return list(self.session.scalars(select(Note).where(Note.user_id == user_id, Note.id != exclude)))

    def delete_note(self, user_id: str, note_id: str) -> None:
        for table, column in (
            (Attempt, Attempt.note_id),
            (Quiz, Quiz.note_id),
            (TranscriptRow, TranscriptRow.note_id),
            (Link, Link.note_id),
            (Link, Link.target_id),
        ):
            self.session.execute(delete(table).where(table.user_id == user_id, column == note_id))
        self.session.execute(delete(Note).where(Note.user_id == user_id, Note.id == note_id))

    def transcript(self, user_id: str, note_id: str) -> TranscriptRow | None:
        return self.session.scalars(
            select(TranscriptRow).where(TranscriptRow.user_id == user_id, TranscriptRow.note_id == note_id)
        ).first()

    def subjects(self, user_id: str) -> list[tuple[str, int, dt.datetime]]:
        rows = self.session.execute(
            select(Note.subject_key, func.min(Note.subject), func.count(), func.max(Note.create_time))
            .where(Note.user_id == user_id, Note.subject_key != "")
            .group_by(Note.subject_key)
        ).all()
        found = [(str(r[1]), int(r[2]), r[3]) for r in rows]
        found.sort(key=lambda r: (r[2], r[0]), reverse=True)
        return found

    def note_totals(self, user_id: str, since: dt.datetime) -> dict[str, Any]:
        row = self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(Note.source_seconds), 0.0),
                func.coalesce(func.sum(Note.credits_spent), 0),
                func.max(Note.create_time),
                func.count(func.distinct(func.nullif(Note.subject_key, ""))),
            ).where(Note.user_id == user_id)
        ).one()
        recent = self.session.execute(
            select(func.count(), func.coalesce(func.sum(Note.credits_spent), 0)).where(
                Note.user_id == user_id, Note.create_time >= since
            )
        ).one()
        return {
            "notes": int(row[0]),
            "seconds": float(row[1]),
            "credits": int(row[2]),
            "last": row[3],
            "subjects": int(row[4]),
            "notes_recent": int(recent[0]),
            "credits_recent": int(recent[1]),
        }

    def attempt_totals(self, user_id: str) -> tuple[int, float]:
        row = self.session.execute(
            select(func.count(), func.coalesce(func.avg(Attempt.score_percent), 0.0)).where(Attempt.user_id == user_id)
        ).one()
        return int(row[0]), float(row[1])

    # links -------------------------------------------------------------------------------

    def links_of(self, user_id: str, note_id: str) -> list[Link]:
        return list(
            self.session.scalars(
                select(Link)
                .where(Link.user_id == user_id, Link.note_id == note_id, Link.dismissed.is_(False))
                .order_by(Link.score.desc(), Link.target_id)
            )
        )

    def link(self, user_id: str, note_id: str, target_id: str) -> Link | None:
        return self.session.scalars(
            select(Link).where(Link.user_id == user_id, Link.note_id == note_id, Link.target_id == target_id)
        ).first()

    def link_count(self, user_id: str, note_id: str) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(Link.user_id == user_id, Link.note_id == note_id, Link.dismissed.is_(False))
            )
            or 0
        )

    # quizzes -----------------------------------------------------------------------------

    def quiz(self, user_id: str, note_id: str, quiz_id: str) -> Quiz | None:
        return self.session.scalars(
            select(Quiz).where(Quiz.user_id == user_id, Quiz.note_id == note_id, Quiz.id == quiz_id)
        ).first()

    def quizzes(self, user_id: str, note_id: str) -> list[Quiz]:
        return list(
            self.session.scalars(
                select(Quiz)
                .where(Quiz.user_id == user_id, Quiz.note_id == note_id)
                .order_by(Quiz.create_time.desc(), Quiz.id.desc())
            )
        )

    def quizzes_since(self, user_id: str, note_id: str, since: dt.datetime) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(Quiz.user_id == user_id, Quiz.note_id == note_id, Quiz.create_time >= since)
            )
            or 0
        )

    def delete_quiz(self, quiz_id: str) -> None:
        self.session.execute(delete(Quiz).where(Quiz.id == quiz_id))

    def attempt(self, user_id: str, note_id: str, quiz_id: str, attempt_id: str) -> Attempt | None:
        return self.session.scalars(
            select(Attempt).where(
                Attempt.user_id == user_id, Attempt.note_id == note_id, Attempt.quiz_id == quiz_id, Attempt.id == attempt_id
            )
        ).first()

    def attempt_by_request(self, user_id: str, request_id: str) -> Attempt | None:
        return self.session.scalars(select(Attempt).where(Attempt.user_id == user_id, Attempt.request_id == request_id)).first()

    def attempts(
        self, user_id: str, note_id: str, quiz_id: str, limit: int, after: tuple[dt.datetime, str] | None
    ) -> list[Attempt]:
        query = select(Attempt).where(Attempt.user_id == user_id)
        if note_id != "-":
            query = query.where(Attempt.note_id == note_id)
        if quiz_id != "-":
            query = query.where(Attempt.quiz_id == quiz_id)
        if after is not None:
            query = query.where(or_(Attempt.submit_time < after[0], and_(Attempt.submit_time == after[0], Attempt.id < after[1])))
        return list(self.session.scalars(query.order_by(Attempt.submit_time.desc(), Attempt.id.desc()).limit(limit)))

    # jobs --------------------------------------------------------------------------------

    def job(self, user_id: str, job_id: str) -> Job | None:
        return self.session.scalars(select(Job).where(Job.user_id == user_id, Job.id == job_id)).first()

    def job_by_id(self, job_id: str, *, for_update: bool = False) -> Job | None:
        query = select(Job).where(Job.id == job_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def job_by_request(self, user_id: str, request_id: str) -> Job | None:
        return self.session.scalars(select(Job).where(Job.user_id == user_id, Job.request_id == request_id)).first()

    def active_jobs(self, user_id: str) -> int:
        return int(self.session.scalar(select(func.count()).where(Job.user_id == user_id, Job.state.in_(ACTIVE_STATES))) or 0)

    def active_job_for_source(self, user_id: str, source_key: str) -> Job | None:
        return self.session.scalars(
            select(Job).where(
                Job.user_id == user_id, Job.kind == "generate_notes", Job.source_key == source_key, Job.state.in_(ACTIVE_STATES)
            )
        ).first()

    def jobs_page(
        self,
        user_id: str,
        states: Sequence[str],
        kinds: Sequence[str],
        target: str,
        limit: int,
        after: tuple[dt.datetime, str] | None,
        since: dt.datetime,
    ) -> list[Job]:
        query = select(Job).where(Job.user_id == user_id, or_(Job.end_time.is_(None), Job.end_time >= since))
        if states:
            query = query.where(Job.state.in_(list(states)))
        if kinds:
            query = query.where(Job.kind.in_(list(kinds)))
        if target:
            query = query.where(Job.target == target)
        if after is not None:
            query = query.where(or_(Job.create_time < after[0], and_(Job.create_time == after[0], Job.id < after[1])))
        return list(self.session.scalars(query.order_by(Job.create_time.desc(), Job.id.desc()).limit(limit)))

    def queue_position(self, job: Job) -> int:
        return int(self.session.scalar(select(func.count()).where(Job.state == "queued", Job.create_time < job.create_time)) or 0)

    def request_cancel_for_note(self, user_id: str, note_id: str) -> list[str]:
        ids = list(
            self.session.scalars(
                select(Job.id).where(Job.user_id == user_id, Job.note_id == note_id, Job.state.in_(ACTIVE_STATES))
            )
        )
        if ids:
            self.session.execute(update(Job).where(Job.id.in_(ids)).values(cancel_requested=True))
        return ids
