"""notes: the refund outbox (notes_refunds), one row per credit refund owed for a job that ended without a note

Revision ID: notes_0003
Revises: notes_0002
Create Date: 2026-12-03 05:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.core.models

revision = "notes_0003"
down_revision = "notes_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notes_refunds",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("spend_request_id", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("create_time", services.core.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_time", services.core.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=False),
        sa.Column("lease_until", services.core.models.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_notes_refunds")),
    )
    op.create_index("ix_notes_refunds_due", "notes_refunds", ["next_attempt_time"], unique=False)
    op.create_index(op.f("ix_notes_refunds_user_id"), "notes_refunds", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notes_refunds_user_id"), table_name="notes_refunds")
    op.drop_index("ix_notes_refunds_due", table_name="notes_refunds")
    op.drop_table("notes_refunds")
