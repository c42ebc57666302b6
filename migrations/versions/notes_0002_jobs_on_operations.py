"""notes jobs move onto the shared operation store (notes_operations); notes_jobs goes

Every row of notes_jobs becomes a row of notes_operations: the state and progress columns map
one to one, what only Notes knows about a job (the request, the credit, steps, chunk summaries)
becomes the checkpoint, and the metadata callers see is rebuilt from it. A finished job's
`response` is not rebuilt (GetNote still reads the note it made).

Revision ID: notes_0002
Revises: notes_0001
Create Date: 2026-12-03 00:30:00.000000
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from marquee.notes.v1 import notes_pb2 as pb

from services.core.models import UtcDateTime
from services.core.operations import create_operations_table, drop_operations_table

revision = "notes_0002"
down_revision = "notes_0001"
branch_labels = None
depends_on = None

TABLE = "notes_operations"
TASK_NAME = "marquee.notes.run_job"
DEADLINE = dt.timedelta(hours=6)
CREDIT = {"reserved": pb.CREDIT_STATUS_RESERVED, "charged": pb.CREDIT_STATUS_CHARGED, "released": pb.CREDIT_STATUS_RELEASED}
# The old columns that become the checkpoint (what only Notes knows about a job).
FACTS = (
    "request_hash", "note_id", "quiz_id", "source_key", "request", "source", "credits", "credit_status", "steps",
    "chunk_count", "partials", "model", "input_tokens", "output_tokens", "quiz_error_reason", "quiz_error_message",
)  # fmt: skip


JSON_FACTS = frozenset({"request", "source", "steps", "partials"})


def _fact(key: str, value: Any) -> Any:
    """A JSON column comes back as text on SQLite (the columns here are untyped), decoded on PostgreSQL."""
    return json.loads(value) if key in JSON_FACTS and isinstance(value, str) else value


def _pack(message: Any) -> bytes:
    packed = any_pb2.Any()
    packed.Pack(message)
    return bytes(packed.SerializeToString())


def _metadata(row: dict[str, Any], facts: dict[str, Any]) -> bytes:
    note = f"users/{row['user_id']}/notes/{row['note_id']}"
    usage = pb.TokenUsage(input_tokens=row["input_tokens"] or 0, output_tokens=row["output_tokens"] or 0)
    if row["kind"] == "generate_quiz":
        return _pack(pb.GenerateQuizMetadata(note=note, quiz=row["target"], model=row["model"] or "", usage=usage))
    return _pack(
        pb.GenerateNotesMetadata(
            note=note,
            chunk_count=row["chunk_count"] or 0,
            credits=row["credits"] or 0,
            credit_status=CREDIT.get(facts.get("credit_status") or "", pb.CREDIT_STATUS_UNSPECIFIED),
            model=row["model"] or "",
            usage=usage,
        )
    )


def _error(row: dict[str, Any]) -> bytes | None:
    if row["state"] == "cancelled":
        return bytes(status_pb2.Status(code=code_pb2.CANCELLED, message="the operation was cancelled").SerializeToString())
    if row["state"] != "failed":
        return None
    status = status_pb2.Status(code=row["error_code"] or code_pb2.INTERNAL, message=(row["error_message"] or "")[:500])
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason=row["error_reason"] or "INTERNAL", domain="marquee.notes"))
    return bytes(status.SerializeToString())


def upgrade() -> None:
    create_operations_table(op, TABLE)
    op.create_index(
        "uq_notes_operations_owner_request_id", TABLE, ["owner", "request_id"], unique=True,
        sqlite_where=sa.text("request_id != ''"), postgresql_where=sa.text("request_id != ''"),
    )  # fmt: skip
    connection = op.get_bind()
    typed = {name: UtcDateTime() for name in ("create_time", "update_time", "end_time", "created_at", "updated_at",
                                              "ended_at", "deadline_at", "heartbeat_at")}  # fmt: skip
    typed |= {name: sa.LargeBinary() for name in ("metadata", "response", "error")}
    jobs = sa.table("notes_jobs", *(sa.column(name, typed.get(name)) for name in (
        "id", "user_id", "kind", "state", "request_id", "request_hash", "target", "note_id", "quiz_id", "source_key",
        "request", "source", "step", "percent", "message", "steps", "chunk_count", "partials", "credits", "credit_status",
        "model", "input_tokens", "output_tokens", "cancel_requested", "attempts", "error_code", "error_reason",
        "error_message", "quiz_error_reason", "quiz_error_message", "sequence", "create_time", "update_time", "end_time",
    )))  # fmt: skip
    operations = sa.table(TABLE, *(sa.column(name, typed.get(name)) for name in (
        "id", "owner", "kind", "target", "request_id", "state", "step", "percent", "message", "metadata", "response",
        "error", "sequence", "attempts", "cancel_requested", "task_name", "task_queue", "task_kwargs", "checkpoint",
        "worker", "created_at", "updated_at", "ended_at", "deadline_at", "heartbeat_at",
    )))  # fmt: skip
    moved = []
    for found in connection.execute(sa.select(jobs)).mappings():
        row = dict(found)
        facts = {key: _fact(key, row[key]) for key in FACTS if row.get(key) not in (None, "")}
        created = row["create_time"]
        moved.append(
            {
                "id": row["id"],
                "owner": row["user_id"],
                "kind": row["kind"],
                "target": row["target"] or "",
                "request_id": row["request_id"] or "",
                "state": str(row["state"]).upper(),
                "step": (row["step"] or "")[:64],
                "percent": row["percent"] or 0,
                "message": row["message"] or "",
                "metadata": _metadata(row, facts),
                "response": None,
                "error": _error(row),
                "sequence": (row["sequence"] or 0) + 1,
                "attempts": row["attempts"] or 0,
                "cancel_requested": bool(row["cancel_requested"]),
                "task_name": TASK_NAME,
                "task_queue": "notes",
                "task_kwargs": "{}",
                "checkpoint": json.dumps(facts, sort_keys=True),
                "worker": "",
                "created_at": created,
                "updated_at": row["update_time"] or created,
                "ended_at": row["end_time"],
                "deadline_at": created + DEADLINE,
                "heartbeat_at": None,
            }
        )
    if moved:
        op.bulk_insert(operations, moved)
    op.drop_table("notes_jobs")


def downgrade() -> None:
    # The old table comes back empty: jobs are kept 30 days, and the old worker cannot resume
    # the shared runtime's operations.
    op.create_table(
        "notes_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("quiz_id", sa.String(length=32), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("partials", sa.JSON(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("credit_status", sa.String(length=12), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=False),
        sa.Column("error_reason", sa.String(length=40), nullable=False),
        sa.Column("error_message", sa.String(length=500), nullable=False),
        sa.Column("quiz_error_reason", sa.String(length=40), nullable=False),
        sa.Column("quiz_error_message", sa.String(length=500), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("create_time", UtcDateTime(timezone=True), nullable=False),
        sa.Column("update_time", UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_time", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes_jobs")),
        sa.UniqueConstraint("user_id", "request_id", name=op.f("uq_notes_jobs_user_id_request_id")),
    )
    op.drop_index("uq_notes_operations_owner_request_id", table_name=TABLE)
    drop_operations_table(op, TABLE)
