"""Shared column types, naming rules and standard columns for every service's tables (each service declares its own Base)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

# Constraint names that are stable across SQLite and PostgreSQL, so one
# migration history can alter them on both.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite returns naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Timestamps:
    """`create_time` and `update_time` of a resource row (the contracts' output-only times), both
    now (UTC) when the row is first written; whoever changes the row moves `update_time`.

    The ORM lists them after the table's own columns (in its selects and in `create_all`); the
    migrations, not that order, lay out the database."""

    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
