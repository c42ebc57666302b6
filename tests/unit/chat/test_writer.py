"""The coalescing writer over a real SQLite database: writes waiting together commit in one transaction, and
one that fails leaves the others committed exactly once, each caller with its own outcome."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from services.chat.writer import CoalescingWriter
from services.core import errors
from services.core.db import Database, make_engine


@pytest.fixture
def database(tmp_path: pathlib.Path) -> Iterator[Database]:
    db = Database(make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}", pool_size=2), threads=2)
    with db.transaction() as session:
        session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    yield db
    db.close()


def insert(n: int) -> Any:
    def write(session: Any) -> int:
        session.execute(text("INSERT INTO notes (id, body) VALUES (:id, 'x')"), {"id": n})
        return n

    return write


def refuse(session: Any) -> int:
    session.execute(text("INSERT INTO notes (id, body) VALUES (999, 'x')"))
    raise errors.FailedPrecondition("no", reason="NOPE")


async def test_waiting_writes_share_one_transaction(database: Database) -> None:
    writer = CoalescingWriter(database)
    results = await asyncio.gather(*(writer.run(insert(n)) for n in range(50)))
    assert results == list(range(50))
    assert writer.batches <= 2  # the first alone, the 49 that queued behind it together
    with database.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM notes")).scalar() == 50


async def test_a_failing_write_fails_alone(database: Database) -> None:
    writer = CoalescingWriter(database)
    outcomes = await asyncio.gather(
        writer.run(insert(1)), writer.run(insert(2)), writer.run(refuse), writer.run(insert(3)), return_exceptions=True
    )
    assert outcomes[:2] == [1, 2]
    assert isinstance(outcomes[2], errors.FailedPrecondition)
    assert outcomes[3] == 3
    with database.transaction() as session:
        assert session.execute(text("SELECT id FROM notes ORDER BY id")).scalars().all() == [1, 2, 3]
