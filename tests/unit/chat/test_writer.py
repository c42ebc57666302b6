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


async def test_urgent_writes_go_before_the_others_waiting(database: Database) -> None:
    writer = CoalescingWriter(database)
    order: list[str] = []

    def noted(name: str, n: int) -> Any:
        write = insert(n)

        def run(session: Any) -> int:
            order.append(name)
            return int(write(session))

        return run

    first = asyncio.create_task(writer.run(noted("first", 1)))
    await asyncio.sleep(0)  # the first batch is being committed: the next ones wait
    ends = [asyncio.create_task(writer.run(noted("end", n))) for n in range(10, 15)]
    starts = [asyncio.create_task(writer.run(noted("start", n), urgent=True)) for n in range(20, 23)]
    assert await asyncio.gather(first, *ends, *starts) == [1, 10, 11, 12, 13, 14, 20, 21, 22]
    assert order == ["first", "start", "start", "start", "end", "end", "end", "end", "end"]
    assert writer.batches == 3
