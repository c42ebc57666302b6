"""One writer per process that coalesces the answers' writes: every unit of work handed to `run` while another
batch is being committed joins the next batch, and a batch is one transaction. Urgent writes (an answer's start,
which its first token waits for) make the next batch before the others (an answer's end, which nobody waits for
but the stream's last event), so a start waits behind at most the one batch being committed.

A hundred answers starting at once otherwise queue a hundred transactions on the unit-of-work pool (on SQLite,
behind one write lock), and the last answer's first token waits for all of them. A batch in which one unit of
work raises is rolled back and its units of work run again one by one, so each caller gets its own result or
error, as under `Database.run`: the functions must have no effects outside the session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from services.core.db import Database

T = TypeVar("T")
MAX_BATCH = 64


class CoalescingWriter:
    def __init__(self, database: Database, max_batch: int = MAX_BATCH) -> None:
        self.db = database
        self.max_batch = max_batch
        self._pending: list[tuple[Callable[[Any], Any], asyncio.Future[Any]]] = []
        self._urgent: list[tuple[Callable[[Any], Any], asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions committed (for benchmarks and tests)

    async def run(self, fn: Callable[[Any], T], *, urgent: bool = False) -> T:
        """`fn(session)` in a transaction shared with the other writes waiting now; its result or its error.
        `urgent`: in a batch of urgent writes, committed before any other batch that waits."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        (self._urgent if urgent else self._pending).append((fn, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._urgent or self._pending:
            if self._urgent:
                batch, self._urgent = self._urgent[: self.max_batch], self._urgent[self.max_batch :]
            else:
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            try:
                if len(batch) == 1:
                    results = [await self.db.run(batch[0][0])]
                else:
                    results = await self.db.run(_together([fn for fn, _ in batch]))
            except asyncio.CancelledError:
                for _, future in batch + self._urgent + self._pending:
                    future.cancel()
                self._urgent, self._pending = [], []
                raise
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0][1], error=exc)
                    continue
                for fn, future in batch:  # the batch was rolled back: each alone, for its own outcome
                    try:
                        _settle(future, await self.db.run(fn))
                    except Exception as alone:
                        _settle(future, error=alone)
                continue
            self.batches += 1
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)


class _BatchFailed(Exception):
    """A unit of work of the batch raised: the whole batch rolls back (a domain error may ask `Database.run` to
    commit what came before it, which would commit the other callers' writes and then run them again)."""


def _together(functions: list[Callable[[Any], Any]]) -> Callable[[Any], list[Any]]:
    def run_all(session: Any) -> list[Any]:
        try:
            return [fn(session) for fn in functions]
        except Exception as exc:
            raise _BatchFailed from exc

    return run_all


def _settle(future: asyncio.Future[Any], result: Any = None, *, error: BaseException | None = None) -> None:
    if future.done():  # its caller was cancelled; the write stands, as a cancelled `Database.run` would
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
