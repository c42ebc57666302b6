"""The only place Notes builds queries. Takes a session, never commits: the unit of work does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from services.core.operations import OperationRecord, State
from services.notes.models import NOTES_OPERATIONS, Attempt, Link, Note, Quiz, Refund, TranscriptRow

JOBS = NOTES_OPERATIONS.table
ACTIVE_STATES = (State.QUEUED.value, State.RUNNING.value)
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

    # jobs: operations in the shared table, read as plain records ----------------------------

    def _jobs(self, *conditions: Any) -> list[OperationRecord]:
        rows = self.session.execute(select(JOBS).where(*conditions).order_by(JOBS.c.created_at, JOBS.c.id)).mappings()
        return [OperationRecord.from_row(dict(row)) for row in rows]

    def job_by_request(self, user_id: str, request_id: str) -> OperationRecord | None:
        """The job a retried start call already made (note or quiz: one request id, one job)."""
        found = self._jobs(JOBS.c.owner == user_id, JOBS.c.request_id == request_id)
        return found[0] if found else None

    def active_jobs(self, user_id: str) -> list[OperationRecord]:
        return self._jobs(JOBS.c.owner == user_id, JOBS.c.state.in_(ACTIVE_STATES))

    def queue_position(self, job_id: str) -> int:
        """How many jobs (anybody's) wait ahead of this one on its worker queue: QUEUED on the same
        queue and created before it, in (created_at, id) order. One count over the QUEUED rows (the
        (state, deadline_at) index keeps finished jobs out of it)."""
        me = JOBS.alias("me")
        ahead = (
            select(func.count())
            .select_from(JOBS.join(me, and_(me.c.id == job_id, JOBS.c.task_queue == me.c.task_queue)))
            .where(
                JOBS.c.state == State.QUEUED.value,
                or_(JOBS.c.created_at < me.c.created_at, and_(JOBS.c.created_at == me.c.created_at, JOBS.c.id < me.c.id)),
            )
        )
        return int(self.session.scalar(ahead) or 0)

    def active_jobs_for_note(self, user_id: str, note_name: str) -> list[OperationRecord]:
        """Jobs QUEUED or RUNNING that write into this note (its quizzes)."""
        on_note = or_(JOBS.c.target == note_name, JOBS.c.target.like(_escape(note_name) + "/%", escape="\\"))
        return self._jobs(JOBS.c.owner == user_id, JOBS.c.state.in_(ACTIVE_STATES), on_note)

    def jobs_of(self, user_id: str) -> list[OperationRecord]:
        return self._jobs(JOBS.c.owner == user_id)

    def delete_job(self, job_id: str) -> None:
        self.session.execute(delete(JOBS).where(JOBS.c.id == job_id))

    # the refund outbox ------------------------------------------------------------------------

    def owe_refund(self, refund: Refund) -> None:
        """Record a refund owed (once per job: a second end of the same job adds nothing)."""
        if self.session.get(Refund, refund.job_id) is None:
            self.session.add(refund)

    def refund(self, job_id: str) -> Refund | None:
        return self.session.get(Refund, job_id)

    @staticmethod
    def _claimable(now: dt.datetime) -> Any:
        return or_(Refund.lease_until.is_(None), Refund.lease_until < now)

    def due_refunds(self, now: dt.datetime, *, limit: int, job_id: str = "") -> list[str]:
        """Job ids whose refund is due and unleased (that job's at once, when `job_id` is given)."""
        query = select(Refund.job_id).where(self._claimable(now))
        query = query.where(Refund.job_id == job_id) if job_id else query.where(Refund.next_attempt_time <= now)
        return list(self.session.scalars(query.order_by(Refund.next_attempt_time).limit(limit)))

    def claim_refund(self, job_id: str, *, owner: str, now: dt.datetime, until: dt.datetime) -> Refund | None:
        """Take the lease on one row if nobody holds it (compare-and-set: one claimant wins)."""
        result = self.session.execute(
            update(Refund)
            .where(Refund.job_id == job_id, self._claimable(now))
            .values(lease_owner=owner, lease_until=until)
            .execution_options(synchronize_session=False)
        )
        if not (isinstance(result, CursorResult) and result.rowcount == 1):
            return None
        return self.session.get(Refund, job_id, populate_existing=True)

    def refund_done(self, job_id: str, *, owner: str) -> bool:
        """Billing answered: the row goes (only the lease holder's; False if it lost the lease)."""
        result = self.session.execute(delete(Refund).where(Refund.job_id == job_id, Refund.lease_owner == owner))
        return isinstance(result, CursorResult) and result.rowcount == 1

    def refund_failed(self, job_id: str, *, owner: str, error: str, next_attempt_time: dt.datetime) -> None:
        """Record a failed attempt and release the lease (only the holder's: a lease lost to expiry stays)."""
        self.session.execute(
            update(Refund)
            .where(Refund.job_id == job_id, Refund.lease_owner == owner)
            .values(
                attempt_count=Refund.attempt_count + 1, last_error=error[:2000], next_attempt_time=next_attempt_time,
                lease_owner="", lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )  # fmt: skip

    # account export and erasure ------------------------------------------------------------

    def user_rows(self, user_id: str) -> dict[str, list[Any]]:
        """Every row the user owns, by category (jobs apart: `jobs_of`)."""
        by_user: dict[str, Any] = {
            "notes": Note,
            "transcripts": TranscriptRow,
            "links": Link,
            "quizzes": Quiz,
            "quiz_attempts": Attempt,
        }
        return {
            category: list(self.session.scalars(select(model).where(model.user_id == user_id)))
            for category, model in by_user.items()
        }

    def purge_user(self, user_id: str) -> dict[str, int]:
        """Delete everything the user owns; how many rows each category held."""
        counts: dict[str, int] = {}
        for category, model in (
            ("quiz_attempts", Attempt),
            ("quizzes", Quiz),
            ("links", Link),
            ("transcripts", TranscriptRow),
            ("notes", Note),
        ):
            result = self.session.execute(delete(model).where(model.user_id == user_id))
            counts[category] = int(result.rowcount or 0)  # type: ignore[attr-defined]  # a CursorResult for DELETE
        result = self.session.execute(delete(JOBS).where(JOBS.c.owner == user_id))
        counts["jobs"] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        # Refunds still owed go with the account (Billing erases its ledger of the user too).
        self.session.execute(delete(Refund).where(Refund.user_id == user_id))
        return counts
