"""media operations (the shared runtime's table)

Revision ID: media_0002
Revises: media_0001
Create Date: 2026-12-02 21:15:00.000000
"""

from __future__ import annotations

from alembic import op

from services.core.operations import create_operations_table, drop_operations_table

revision = "media_0002"
down_revision = "media_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_operations_table(op, "media_operations")


def downgrade() -> None:
    drop_operations_table(op, "media_operations")
