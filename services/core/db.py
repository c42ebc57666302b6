"""Database engine, sessions and the unit of work around each RPC.

Repositories take a session and never commit; `Database.run` opens a session,
calls the domain function in a worker thread, commits if it returns and rolls
back if it raises. The same sessions serve Celery tasks, which call the same
domain code synchronously with `Database.transaction()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from services.core.errors import DomainError
from services.core.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        # One pooled connection per worker thread: overflow connections would be opened and
        # closed (PRAGMAs and all) on every busy call.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=pool_size, max_overflow=0, pool_timeout=30
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip on every checkout. A connection the server dropped
    # fails one call (UNAVAILABLE) and SQLAlchemy then discards the pool; recycling keeps
    # connections younger than common idle timeouts.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the single writer; busy_timeout queues writers
    # instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One engine per process and a bounded pool of threads for blocking work."""

    def __init__(self, engine: Engine, *, threads: int) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="uow")

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        pool_size = settings.worker_threads if settings.is_sqlite else settings.database_pool_size
        engine = make_engine(settings.resolved_database_url, pool_size=pool_size)
        return cls(engine, threads=settings.worker_threads)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed when the block succeeds and rolled back when it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DomainError as exc:
            if exc.commit:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _in_transaction(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.transaction() as session:
            return fn(session, *args, **kwargs)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(session, *args, **kwargs)` in a unit of work off the event loop."""
        loop = asyncio.get_running_loop()
        # The RPC's context (caller, request, request id) goes along: run_in_executor does not copy it.
        context = contextvars.copy_context()
        work = functools.partial(self._in_transaction, fn, *args, **kwargs)
        return await loop.run_in_executor(self._executor, context.run, work)

    async def offload(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work that needs no session (password hashing, HTTP) off the loop."""
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        return await loop.run_in_executor(self._executor, context.run, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()
