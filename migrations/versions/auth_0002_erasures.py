"""auth: one erasure row per peer service for each deleted account (the durable fan-out)

Revision ID: auth_0002
Revises: auth_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.core.models

revision = "auth_0002"
down_revision = "auth_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_erasures",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("create_time", services.core.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_time", services.core.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=False),
        sa.Column("lease_until", services.core.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirm_time", services.core.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("erased", sa.JSON(), nullable=False),
        sa.Column("retained", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "service", name=op.f("pk_auth_erasures")),
    )
    op.create_index("ix_auth_erasures_due", "auth_erasures", ["confirm_time", "next_attempt_time"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_auth_erasures_due", table_name="auth_erasures")
    op.drop_table("auth_erasures")
