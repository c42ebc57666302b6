"""Operations: the rows behind `marquee.longrunning.v1.Operation`, one table per owning service.

A service declares its table with `OperationsTable.declare(Base.metadata, service="media")`
in its `models.py` and creates it in its own migration with `create_operations_table(op,
"media_operations")`. `OperationStore` is the only code that queries such a table; it takes
a session and never commits. Every change bumps `sequence` (the `OperationEvent.sequence`
watchers see) and, once committed, is published on the service's Redis channel
(`OperationsTable.channel`) by whoever made it (`publish_event`).

Names: `users/{user}/operations/{operation}` in every service. `users/me` means the calling
user (a service must name the user); admins and services may name any user; anybody else
naming another user's operation gets NOT_FOUND, exactly as for one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from marquee.longrunning.v1 import operation_pb2
from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from services.core.convert import timestamp
from services.core.errors import DomainError, NotFound, invalid, to_status
from services.core.models import UtcDateTime, utcnow
from services.core.tokens import Principal

OPERATION_ID = re.compile(r"[0-9a-f]{32}")
# A user id as issued by Auth (hex) or a service name; bounded so error messages stay short.
USER_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_MESSAGE_CHARS = 500
MAX_STEP_CHARS = 64


class State(enum.StrEnum):
    """`marquee.longrunning.v1.OperationState` as stored (the enum value names without the prefix)."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def proto(self) -> int:
        return int(operation_pb2.OperationState.Value(f"OPERATION_STATE_{self.value}"))

    @classmethod
    def from_proto(cls, value: int) -> State:
        name = operation_pb2.OperationState.Name(value).removeprefix("OPERATION_STATE_")
        return cls(name)


TERMINAL = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED})


def operation_columns() -> list[Column[Any]]:
    """The columns of an operations table: one list for the model and for the service's migration."""
    return [
        Column("id", String(32), primary_key=True),
        Column("owner", String(64), nullable=False),
        Column("kind", String(64), nullable=False),
        Column("target", String(300), nullable=False, server_default=""),
        Column("request_id", String(100), nullable=False, server_default=""),
        Column("state", String(16), nullable=False),
        Column("step", String(MAX_STEP_CHARS), nullable=False, server_default=""),
        Column("percent", Integer, nullable=False, server_default="0"),
        Column("message", String(MAX_MESSAGE_CHARS), nullable=False, server_default=""),
        # Serialized google.protobuf.Any (metadata, response) and google.rpc.Status (error).
        Column("metadata", LargeBinary, nullable=True),
        Column("response", LargeBinary, nullable=True),
        Column("error", LargeBinary, nullable=True),
        Column("sequence", Integer, nullable=False, server_default="1"),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("cancel_requested", Boolean, nullable=False, server_default="0"),
        # What the worker runs: the task name and its JSON keyword arguments (ids), so a lost
        # task can be sent again by the reaper.
        Column("task_name", String(200), nullable=False, server_default=""),
        Column("task_queue", String(100), nullable=False, server_default=""),
        Column("task_kwargs", Text, nullable=False, server_default="{}"),
        # Free-form JSON a task saves between steps so a redelivery resumes instead of redoing.
        Column("checkpoint", Text, nullable=False, server_default="{}"),
        Column("worker", String(200), nullable=False, server_default=""),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
        Column("ended_at", UtcDateTime(), nullable=True),
        Column("deadline_at", UtcDateTime(), nullable=False),
        Column("heartbeat_at", UtcDateTime(), nullable=True),
    ]


def _indexes(table_name: str) -> list[tuple[str, list[str]]]:
    return [
        (f"ix_{table_name}_owner_created", ["owner", "created_at", "id"]),
        (f"ix_{table_name}_state_deadline", ["state", "deadline_at"]),
    ]


@dataclass(frozen=True)
class OperationsTable:
    """One service's operations table and the Redis channel its changes are published on."""

    service: str
    table: Table
    # Called as hook(session, record) in the transaction that ends an operation (any terminal
    # state, whoever ends it: the worker, a cancel, the reaper), exactly once per operation.
    end_hooks: list[Callable[[Session, OperationRecord], None]] = field(default_factory=list, compare=False)

    def on_end(self, hook: Callable[[Session, OperationRecord], None]) -> Callable[[Session, OperationRecord], None]:
        """Register `hook` (e.g. release a credit reservation when an operation fails or is
        cancelled); usable as a decorator. Register it in every process that serves or runs
        the service's operations (its usecases or tasks module)."""
        if hook not in self.end_hooks:
            self.end_hooks.append(hook)
        return hook

    @classmethod
    def declare(cls, metadata: MetaData, *, service: str, table_name: str | None = None) -> OperationsTable:
        """Declare `<service>_operations` (or `table_name`) in the service's own MetaData."""
        name = table_name or f"{service}_operations"
        table = Table(name, metadata, *operation_columns())
        for index_name, columns in _indexes(name):
            Index(index_name, *(table.c[c] for c in columns))
        return cls(service, table)

    @property
    def channel(self) -> str:
        return f"marquee:operations:{self.service}"

    def cancel_key(self, operation_id: str) -> str:
        """A Redis key set when the operation must stop (cancel or deadline): the worker's fast signal."""
        return f"marquee:operations:{self.service}:stop:{operation_id}"


def create_operations_table(op: Any, table_name: str) -> None:
    """For a service's Alembic migration: `create_operations_table(op, "media_operations")`."""
    op.create_table(table_name, *operation_columns())
    for index_name, columns in _indexes(table_name):
        op.create_index(index_name, table_name, columns)


def drop_operations_table(op: Any, table_name: str) -> None:
    """The downgrade of `create_operations_table`."""
    for index_name, _ in _indexes(table_name):
        op.drop_index(index_name, table_name=table_name)
    op.drop_table(table_name)


@dataclass(frozen=True)
class OperationRecord:
    """One operation as plain values."""

    id: str
    owner: str
    kind: str
    target: str
    request_id: str
    state: State
    step: str
    percent: int
    message: str
    metadata: bytes | None
    response: bytes | None
    error: bytes | None
    sequence: int
    attempts: int
    cancel_requested: bool
    task_name: str
    task_queue: str
    task_kwargs: dict[str, Any]
    checkpoint: dict[str, Any]
    worker: str
    created_at: dt.datetime
    updated_at: dt.datetime
    ended_at: dt.datetime | None
    deadline_at: dt.datetime
    heartbeat_at: dt.datetime | None

    @property
    def name(self) -> str:
        return operation_name(self.owner, self.id)

    @property
    def done(self) -> bool:
        return self.state.terminal

    def overdue(self, now: dt.datetime) -> bool:
        return not self.done and now >= self.deadline_at

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OperationRecord:
        values = dict(row)
        values["state"] = State(values["state"])
        values["task_kwargs"] = json.loads(values["task_kwargs"] or "{}")
        values["checkpoint"] = json.loads(values["checkpoint"] or "{}")
        values["cancel_requested"] = bool(values["cancel_requested"])
        return cls(**values)


@dataclass(frozen=True)
class TaskCall:
    """The task that runs an operation: its Celery name, queue and keyword arguments (ids only)."""

    name: str
    queue: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


# ---- names ---------------------------------------------------------------------------------


def operation_name(owner: str, operation_id: str) -> str:
    return f"users/{owner}/operations/{operation_id}"


def _resolve_user(segment: str, principal: Principal, field_name: str) -> str | None:
    """The owner a `users/{segment}` names for this caller; None when the caller may not see it."""
    if segment == "me":
        if principal.is_service:
            raise invalid(field_name, "a service must name the user (users/{user}), not users/me")
        return principal.user_id
    if not USER_SEGMENT.fullmatch(segment):
        raise invalid(field_name, "the user segment is not a valid user id")
    if segment == principal.user_id or principal.is_admin or principal.is_service:
        return segment
    return None


def parse_operation_name(name: str, principal: Principal, *, field_name: str = "name") -> tuple[str, str]:
    """(owner, operation id) from `users/{user}/operations/{operation}`; NOT_FOUND for someone else's."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "users" or parts[2] != "operations" or not parts[1] or not parts[3]:
        raise invalid(field_name, "must look like users/{user}/operations/{operation}")
    if not OPERATION_ID.fullmatch(parts[3]):
        raise invalid(field_name, "the operation id is 32 lowercase hex characters")
    owner = _resolve_user(parts[1], principal, field_name)
    if owner is None:
        raise not_found(name)
    return owner, parts[3]


def parse_parent(parent: str, principal: Principal, *, field_name: str = "parent") -> str | None:
    """The owner `users/{user}` names; None (list nothing) for another user's parent."""
    parts = parent.split("/")
    if len(parts) != 2 or parts[0] != "users" or not parts[1]:
        raise invalid(field_name, "must look like users/{user}")
    return _resolve_user(parts[1], principal, field_name)


def not_found(name: str) -> NotFound:
    shown = name if len(name) <= 200 else name[:200] + "…"
    return NotFound(f"operation {shown} not found", metadata={"operation": shown})


# ---- proto conversion ----------------------------------------------------------------------


def pack(message: Message) -> bytes:
    packed = any_pb2.Any()
    packed.Pack(message)
    return bytes(packed.SerializeToString())


def status_bytes(code: int, message: str, *, details: Sequence[Message] = ()) -> bytes:
    status = status_pb2.Status(code=code, message=message[:MAX_MESSAGE_CHARS])
    for detail in details:
        status.details.add().Pack(detail)
    return bytes(status.SerializeToString())


def error_status(error: DomainError, domain: str) -> bytes:
    """A domain error as the `error` of a failed operation (the same status an RPC would carry)."""
    return bytes(to_status(error, domain).SerializeToString())


def to_proto(record: OperationRecord) -> operation_pb2.Operation:
    operation = operation_pb2.Operation(
        name=record.name,
        kind=record.kind,
        state=record.state.proto,  # type: ignore[arg-type]  # an OperationState value
        progress=operation_pb2.OperationProgress(step=record.step, percent=record.percent, message=record.message),
        target=record.target,
        request_id=record.request_id,
        create_time=timestamp(record.created_at),
        update_time=timestamp(record.updated_at),
        end_time=timestamp(record.ended_at),
        done=record.done,
    )
    if record.metadata:
        operation.metadata.ParseFromString(record.metadata)
    if record.state is State.SUCCEEDED and record.response is not None:
        operation.response.ParseFromString(record.response)
    elif record.done and record.error is not None:
        operation.error.ParseFromString(record.error)
    return operation


def to_event(record: OperationRecord) -> operation_pb2.OperationEvent:
    return operation_pb2.OperationEvent(
        sequence=record.sequence, event_time=timestamp(record.updated_at), operation=to_proto(record)
    )


def publish_event(client: redis.Redis, declared: OperationsTable, record: OperationRecord) -> None:
    """Publish a committed change to every server process watching this service's operations."""
    client.publish(declared.channel, to_event(record).SerializeToString())


# ---- the store -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    records: list[OperationRecord]
    # (created_at, id) of the last record when there may be more.
    after: tuple[dt.datetime, str] | None


class OperationStore:
    """Queries over one service's operations table. Takes a session; never commits."""

    def __init__(self, declared: OperationsTable) -> None:
        self.declared = declared
        self.t = declared.table

    def _one(self, session: Session, operation_id: str) -> OperationRecord | None:
        row = session.execute(select(self.t).where(self.t.c.id == operation_id)).mappings().first()
        return OperationRecord.from_row(dict(row)) if row is not None else None

    def create(
        self,
        session: Session,
        *,
        owner: str,
        kind: str,
        deadline: dt.timedelta,
        target: str = "",
        request_id: str = "",
        metadata: Message | None = None,
        task: TaskCall | None = None,
        checkpoint: Mapping[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> OperationRecord:
        """A new QUEUED operation (sequence 1) owned by `owner`; enqueue its task after commit.
        `checkpoint` seeds what the task reads (a service's own facts about the request)."""
        now = now or utcnow()
        operation_id = uuid.uuid4().hex
        session.execute(
            self.t.insert().values(
                id=operation_id,
                owner=owner,
                kind=kind,
                target=target,
                request_id=request_id,
                state=State.QUEUED.value,
                step="",
                percent=0,
                message="",
                metadata=pack(metadata) if metadata is not None else None,
                sequence=1,
                attempts=0,
                cancel_requested=False,
                task_name=task.name if task else "",
                task_queue=task.queue if task else "",
                task_kwargs=json.dumps(dict(task.kwargs) if task else {}, sort_keys=True),
                checkpoint=json.dumps(dict(checkpoint or {}), sort_keys=True),
                worker="",
                created_at=now,
                updated_at=now,
                deadline_at=now + deadline,
            )
        )
        found = self._one(session, operation_id)
        assert found is not None
        return found

    def get(self, session: Session, operation_id: str, *, owner: str | None = None) -> OperationRecord | None:
        """The operation, or None when it does not exist or belongs to someone other than `owner`."""
        found = self._one(session, operation_id)
        if found is None or (owner is not None and found.owner != owner):
            return None
        return found

    def get_by_request_id(self, session: Session, *, owner: str, kind: str, request_id: str) -> OperationRecord | None:
        """The operation a retried start call already created (same owner, kind and request id)."""
        row = (
            session.execute(
                select(self.t).where(self.t.c.owner == owner, self.t.c.kind == kind, self.t.c.request_id == request_id)
            )
            .mappings()
            .first()
        )
        return OperationRecord.from_row(dict(row)) if row is not None else None

    def page(
        self,
        session: Session,
        *,
        owner: str,
        limit: int,
        states: Sequence[State] = (),
        kinds: Sequence[str] = (),
        target: str = "",
        after: tuple[dt.datetime, str] | None = None,
    ) -> Page:
        """Newest first, keyset-paged on (created_at, id)."""
        query = select(self.t).where(self.t.c.owner == owner)
        if states:
            query = query.where(self.t.c.state.in_([s.value for s in states]))
        if kinds:
            query = query.where(self.t.c.kind.in_(list(kinds)))
        if target:
            query = query.where(self.t.c.target == target)
        if after is not None:
            created, last_id = after
            query = query.where(or_(self.t.c.created_at < created, and_(self.t.c.created_at == created, self.t.c.id < last_id)))
        rows = session.execute(query.order_by(self.t.c.created_at.desc(), self.t.c.id.desc()).limit(limit + 1)).mappings()
        records = [OperationRecord.from_row(dict(row)) for row in rows]
        more = len(records) > limit
        records = records[:limit]
        return Page(records, (records[-1].created_at, records[-1].id) if more and records else None)

    def _change(self, session: Session, operation_id: str, condition: Any, **values: Any) -> OperationRecord | None:
        """Apply `values` (and bump sequence) only if the row still matches `condition`: a
        compare-and-set, so two processes racing on one operation cannot both win."""
        values.setdefault("updated_at", utcnow())
        result = session.execute(
            update(self.t)
            .where(self.t.c.id == operation_id, condition)
            .values(sequence=self.t.c.sequence + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for UPDATE
            return None
        return self._one(session, operation_id)

    def claim(
        self, session: Session, operation_id: str, *, worker: str, lease: dt.timedelta, now: dt.datetime | None = None
    ) -> OperationRecord | None:
        """Take the operation for this worker: QUEUED, or RUNNING with a lapsed heartbeat (its worker
        died). None when it is finished, or held by a live worker (a duplicate delivery)."""
        now = now or utcnow()
        free = or_(
            self.t.c.state == State.QUEUED.value,
            and_(
                self.t.c.state == State.RUNNING.value, or_(self.t.c.heartbeat_at.is_(None), self.t.c.heartbeat_at < now - lease)
            ),
        )
        return self._change(
            session,
            operation_id,
            free,
            state=State.RUNNING.value,
            worker=worker,
            heartbeat_at=now,
            attempts=self.t.c.attempts + 1,
            updated_at=now,
        )

    def heartbeat(self, session: Session, operation_id: str, *, worker: str, now: dt.datetime | None = None) -> bool:
        """Renew this worker's lease (no event: nothing a watcher sees changed). False if it lost it."""
        result = session.execute(
            update(self.t)
            .where(self.t.c.id == operation_id, self.t.c.worker == worker, self.t.c.state == State.RUNNING.value)
            .values(heartbeat_at=now or utcnow())
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def progress(
        self,
        session: Session,
        operation_id: str,
        *,
        worker: str,
        step: str,
        percent: int,
        message: str = "",
        metadata: Message | None = None,
    ) -> OperationRecord | None:
        """Record a step (and new `metadata`, if given); percent never decreases. None if this
        worker no longer holds the operation."""
        current = self._one(session, operation_id)
        if current is None or current.state is not State.RUNNING or current.worker != worker:
            return None
        percent = max(current.percent, min(100, max(0, percent)))
        now = utcnow()
        values: dict[str, Any] = {"metadata": pack(metadata)} if metadata is not None else {}
        return self._change(
            session,
            operation_id,
            and_(self.t.c.worker == worker, self.t.c.state == State.RUNNING.value),
            step=step[:MAX_STEP_CHARS],
            percent=percent,
            message=message[:MAX_MESSAGE_CHARS],
            heartbeat_at=now,
            updated_at=now,
            **values,
        )

    def save_checkpoint(self, session: Session, operation_id: str, *, worker: str, checkpoint: Mapping[str, Any]) -> bool:
        result = session.execute(
            update(self.t)
            .where(self.t.c.id == operation_id, self.t.c.worker == worker, self.t.c.state == State.RUNNING.value)
            .values(checkpoint=json.dumps(dict(checkpoint), sort_keys=True), heartbeat_at=utcnow())
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def annotate(
        self,
        session: Session,
        operation_id: str,
        *,
        metadata: Message | None = None,
        checkpoint: Mapping[str, Any] | None = None,
    ) -> OperationRecord | None:
        """Replace the metadata (a change watchers see: sequence bumps) and/or the checkpoint, in
        any state: for what the owning service settles around the task (a refund after a cancel)."""
        values: dict[str, Any] = {}
        if metadata is not None:
            values["metadata"] = pack(metadata)
        if checkpoint is not None:
            values["checkpoint"] = json.dumps(dict(checkpoint), sort_keys=True)
        return self._change(session, operation_id, self.t.c.id == operation_id, **values)

    def request_cancel(self, session: Session, operation_id: str) -> OperationRecord | None:
        """Mark a cancel request. A QUEUED operation ends CANCELLED at once; a RUNNING one when its
        worker notices. None when the operation is already done."""
        now = utcnow()
        queued = self._change(
            session,
            operation_id,
            self.t.c.state == State.QUEUED.value,
            state=State.CANCELLED.value,
            cancel_requested=True,
            ended_at=now,
            updated_at=now,
            error=cancelled_status(),
        )
        if queued is not None:
            self._ended(session, queued)
            return queued
        return self._change(
            session,
            operation_id,
            and_(self.t.c.state == State.RUNNING.value, self.t.c.cancel_requested.is_(False)),
            cancel_requested=True,
            message="cancelling",
            updated_at=now,
        )

    def finish(
        self,
        session: Session,
        operation_id: str,
        *,
        state: State,
        response: bytes | None = None,
        error: bytes | None = None,
        worker: str | None = None,
        unless_cancelled: bool = False,
        metadata: Message | None = None,
    ) -> OperationRecord | None:
        """Move to a terminal state exactly once. `worker` limits it to the lease holder;
        `unless_cancelled` refuses when a cancel was requested (the caller then ends CANCELLED);
        `metadata`, when given, is the operation's final metadata (in the same change)."""
        assert state.terminal
        condition: Any = self.t.c.state.in_([State.QUEUED.value, State.RUNNING.value])
        if worker is not None:
            condition = and_(condition, self.t.c.worker == worker)
        if unless_cancelled:
            condition = and_(condition, self.t.c.cancel_requested.is_(False))
        now = utcnow()
        values: dict[str, Any] = {"state": state.value, "ended_at": now, "updated_at": now, "response": response, "error": error}
        if metadata is not None:
            values["metadata"] = pack(metadata)
        if state is State.SUCCEEDED:
            values["percent"] = 100
        ended = self._change(session, operation_id, condition, **values)
        if ended is not None:
            self._ended(session, ended)
        return ended

    def _ended(self, session: Session, record: OperationRecord) -> None:
        for hook in self.declared.end_hooks:
            hook(session, record)

    def purge_finished(self, session: Session, *, before: dt.datetime, limit: int = 1000) -> int:
        """Delete up to `limit` operations that ended before `before` (the retention period)."""
        ids = (
            session.execute(select(self.t.c.id).where(self.t.c.ended_at.is_not(None), self.t.c.ended_at < before).limit(limit))
            .scalars()
            .all()
        )
        if not ids:
            return 0
        session.execute(delete(self.t).where(self.t.c.id.in_(list(ids))))
        return len(ids)

    def overdue(self, session: Session, *, now: dt.datetime, limit: int = 100) -> list[OperationRecord]:
        """Unfinished operations past their deadline."""
        rows = session.execute(
            select(self.t)
            .where(self.t.c.state.in_([State.QUEUED.value, State.RUNNING.value]), self.t.c.deadline_at <= now)
            .limit(limit)
        ).mappings()
        return [OperationRecord.from_row(dict(row)) for row in rows]

    def abandoned(self, session: Session, *, now: dt.datetime, lease: dt.timedelta, limit: int = 100) -> list[OperationRecord]:
        """RUNNING operations whose worker stopped renewing its lease (it died): to be sent again."""
        rows = session.execute(
            select(self.t)
            .where(self.t.c.state == State.RUNNING.value, self.t.c.heartbeat_at < now - lease, self.t.c.deadline_at > now)
            .limit(limit)
        ).mappings()
        return [OperationRecord.from_row(dict(row)) for row in rows]


def cancelled_status() -> bytes:
    return status_bytes(code_pb2.CANCELLED, "the operation was cancelled")


def deadline_status(deadline_at: dt.datetime) -> bytes:
    return status_bytes(code_pb2.DEADLINE_EXCEEDED, f"the operation did not finish by its deadline {deadline_at.isoformat()}")
