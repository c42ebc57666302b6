"""The shared window condition: half-open, and an open side adds no condition."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, MetaData, Table, select
from sqlalchemy.dialects import sqlite

from services.core.conditions import in_window

EVENTS = Table("events", MetaData(), Column("at", DateTime))
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def _where(start: dt.datetime | None, end: dt.datetime | None) -> str:
    query = select(EVENTS.c.at).where(*in_window(EVENTS.c.at, start, end))
    return str(query.compile(dialect=sqlite.dialect())).split("WHERE", 1)[1]


def test_both_sides_make_a_half_open_window() -> None:
    assert _where(START, END).split() == ["events.at", ">=", "?", "AND", "events.at", "<", "?"]


def test_an_open_side_is_no_condition() -> None:
    assert _where(START, None).split() == ["events.at", ">=", "?"]
    assert _where(None, END).split() == ["events.at", "<", "?"]
    assert in_window(EVENTS.c.at, None, None) == []
