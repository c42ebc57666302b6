"""The shared `Timestamps` columns: one copy per table, UTC, set to now when a row is first written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import MetaData, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id


class _Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _Thing(Timestamps, _Base):
    __tablename__ = "things"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)


class _Other(Timestamps, _Base):
    __tablename__ = "others"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)


def test_each_table_gets_its_own_utc_columns() -> None:
    for table in (_Thing.__table__, _Other.__table__):
        assert [c.name for c in table.columns] == ["id", "create_time", "update_time"]
        for name in ("create_time", "update_time"):
            column = table.c[name]
            assert isinstance(column.type, UtcDateTime)
            assert not column.nullable
    assert _Thing.__table__.c.create_time is not _Other.__table__.c.create_time


def test_a_new_row_is_stamped_now_in_utc() -> None:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    before = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        session.add(_Thing())
        session.commit()
        row = session.scalars(select(_Thing)).one()
        assert row.create_time.tzinfo is dt.UTC
        assert before <= row.create_time <= dt.datetime.now(dt.UTC)
        assert row.update_time >= row.create_time
    engine.dispose()
