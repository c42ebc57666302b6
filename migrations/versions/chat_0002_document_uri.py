"""documents ingested from a uri, duplicate detection, and ingestion errors with their status code and reason

`uri`: the http(s) address a document's text is fetched from (empty for text documents). `content_hash`:
SHA-256 of the submitted text (or of the uri), so the same content twice answers DUPLICATE_DOCUMENT.
`error_code` / `error_reason`: the google.rpc code and ErrorInfo reason of a FAILED ingestion.

Revision ID: chat_0002
Revises: chat_0001
Create Date: 2026-12-03 00:35:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "chat_0002"
down_revision = "chat_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_documents") as batch:
        batch.add_column(sa.Column("uri", sa.String(length=2048), nullable=False, server_default=""))
        batch.add_column(sa.Column("content_hash", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("error_code", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("error_reason", sa.String(length=64), nullable=False, server_default=""))
        batch.create_index("ix_chat_documents_content_hash", ["content_hash"])


def downgrade() -> None:
    with op.batch_alter_table("chat_documents") as batch:
        batch.drop_index("ix_chat_documents_content_hash")
        batch.drop_column("error_reason")
        batch.drop_column("error_code")
        batch.drop_column("content_hash")
        batch.drop_column("uri")
