"""tracking titles: the day every episode has aired by

Revision ID: tracking_0002
Revises: tracking_0001
Create Date: 2026-11-22 07:55:00.000000

Up next and progress summaries read the aired-episode count of a series from its
stored total once `episodes_aired_by` is past, instead of counting its episodes.
Existing titles are backfilled from their stored episodes; a title whose stored
total disagrees with them keeps NULL, which means "count the episodes".
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "tracking_0002"
down_revision = "tracking_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tracking_titles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("episodes_aired_by", sa.Date(), nullable=True))
    op.execute(
        sa.text(
            """
            UPDATE tracking_titles
            SET episodes_aired_by = COALESCE(
                (SELECT MAX(e.air_date) FROM tracking_episodes e
                 WHERE e.title_id = tracking_titles.title_id AND e.season_number > 0),
                :floor)
            WHERE kind = 'series'
              AND episode_count = (SELECT COUNT(*) FROM tracking_episodes e
                                   WHERE e.title_id = tracking_titles.title_id AND e.season_number > 0)
            """
        ).bindparams(sa.bindparam("floor", dt.date.min, type_=sa.Date()))
    )


def downgrade() -> None:
    with op.batch_alter_table("tracking_titles", schema=None) as batch_op:
        batch_op.drop_column("episodes_aired_by")
