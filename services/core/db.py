"""Database engine, sessions and the unit of work around each RPC.

Repositories take a session and never commit; `Database.run` opens a session,
calls the domain function in a worker thread, commits if it returns and rolls
back if it raises. The same sessions serve Celery tasks, which call the same
domain code synchronously with `Database.transaction()`.

Reads that change nothing take `Database.read` instead: the read lane (below) runs them on
threads that each hold one connection opened read-only and in autocommit, with one reused
session, so a read pays for no pool checkout, no BEGIN/COMMIT and no new Session; and
`Prepared` runs a hot Core statement on the driver's cursor, compiled once.

Point reads (`Database.read_point`, a few rows by key through `Prepared`) skip even the lane's
thread hop on SQLite: they run on the event loop itself, on a read-only connection the loop
holds, bounded (see `InlineReads`) so that a read that turns out slow is handed to the lane.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, Select, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, configure_mappers, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.instrumentation import manager_of_class

from services.core.errors import DomainError
from services.core.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M")
log = logging.getLogger("marquee.db")
READ_BATCH = 64  # reads one lane thread takes from the queue before handing results back
READ_ONLY = "marquee.read_only"  # Session.info key set on the read lane's sessions


def is_read_only(session: Session) -> bool:
    """Whether this session is a read-only unit of work (`Database.read`): a repository may then
    answer from a `Prepared` statement with detached objects nobody will modify and flush."""
    return bool(session.info.get(READ_ONLY))


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
    """One engine per process, a bounded pool of threads for blocking work, and the read lane."""

    def __init__(self, engine: Engine, *, threads: int, read_threads: int = 1) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="uow")
        self.read_fallbacks = 0  # read_first calls that had to run again as a unit of work
        url = engine.url.render_as_string(hide_password=False)
        self._reads = ReadLane(url, threads=read_threads)
        self._inline = InlineReads(url) if url.startswith("sqlite") else None
        self.inline_handoffs = 0  # point reads that stopped at the bound and ran again on the lane

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        pool_size = settings.worker_threads if settings.is_sqlite else settings.database_pool_size
        engine = make_engine(settings.resolved_database_url, pool_size=pool_size)
        read_threads = settings.database_read_threads or (1 if settings.is_sqlite else 4)
        return cls(engine, threads=settings.worker_threads, read_threads=read_threads)

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

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(session, *args, **kwargs)` as a read-only unit of work on the read lane.

        The session is bound to a connection the database itself holds read-only (SQLite
        `query_only`, PostgreSQL `default_transaction_read_only`), so a write fails instead of
        landing; each statement sees the latest committed data (PostgreSQL's READ COMMITTED
        gives a statement no more inside a transaction). Objects it returns are detached.
        """
        result = await self._reads.submit(fn, args, kwargs)
        assert not isinstance(result, _Writes)
        return result

    async def read_first(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(session, ...)` as a read (`read`); if it turns out to change something, again as a unit of work.

        For work that usually only reads but sometimes catches stored state up (progress after a
        new episode aired, a plan catalog seeded on first use). The read attempt never writes:
        its session does not flush, and the connection refuses writes. If it left changes in the
        session or a statement was refused, its result is discarded and `fn` runs again under
        `run`, so `fn` must have no effects outside the database.
        """
        result = await self._reads.submit(fn, args, kwargs, fallback=True)
        if isinstance(result, _Writes):
            self.read_fallbacks += 1
            log.debug("a read_first unit of work wanted to write: ran again as a unit of work")
            return await self.run(fn, *args, **kwargs)
        return result

    async def read_point(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`read`, for work that reads a few rows by key (`Prepared` point reads).

        On SQLite it runs inline on the event loop: a point read there costs ~10-20 us, the hop
        to a lane thread and back ~75 us. The inline read is bounded (`InlineReads`); one that
        hits the bound, or finds the database busy, runs again on the lane. Other databases: `read`.
        """
        inline = self._inline
        if inline is not None:
            result = inline.run(fn, args, kwargs, fallback=False)
            if result is not _HANDED_OFF:
                assert not isinstance(result, _Writes)
                return result  # type: ignore[no-any-return]
            self.inline_handoffs += 1
        return await self.read(fn, *args, **kwargs)

    async def read_first_point(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`read_first` with `read_point`'s inline attempt on SQLite."""
        inline = self._inline
        if inline is not None:
            result = inline.run(fn, args, kwargs, fallback=True)
            if result is _HANDED_OFF:
                self.inline_handoffs += 1
                return await self.read_first(fn, *args, **kwargs)
            if isinstance(result, _Writes):
                self.read_fallbacks += 1
                log.debug("a read_first unit of work wanted to write: ran again as a unit of work")
                return await self.run(fn, *args, **kwargs)
            return result  # type: ignore[no-any-return]
        return await self.read_first(fn, *args, **kwargs)

    async def offload(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work that needs no session (password hashing, HTTP) off the loop."""
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        return await loop.run_in_executor(self._executor, context.run, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        if self._inline is not None:
            self._inline.close()
        self._reads.close()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()


# -- the read lane --------------------------------------------------------------------------

_Job = tuple[
    Callable[..., Any],
    tuple[Any, ...],
    dict[str, Any],
    contextvars.Context,
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    bool,
]


class _Writes:
    """What the read lane answers for work that turned out to change something (see Database.read_first)."""


WANTS_WRITE = _Writes()


def _refused_write(exc: BaseException) -> bool:
    """A statement the read-only connection refused: SQLite's query_only, PostgreSQL's 25006."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    return getattr(orig, "sqlstate", None) == "25006" or "readonly database" in str(orig)


def _read_only_engine(url: str) -> Engine:
    """An engine whose connections refuse writes and run each statement in its own transaction."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, isolation_level="AUTOCOMMIT")

        def sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
            _sqlite_pragmas(dbapi_connection, _record)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()

        event.listen(engine, "connect", sqlite_read_only)
        return engine
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_recycle=1800)

    def postgres_read_only(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.close()
        dbapi_connection.autocommit = autocommit

    event.listen(engine, "connect", postgres_read_only)
    return engine


class ReadLane:
    """Threads that run read-only units of work, each on the one connection it holds.

    Compared with a unit of work on the thread pool (measured on GetUser, issue #15): no
    pool checkout, no BEGIN/COMMIT (autocommit; on PostgreSQL psycopg keeps its prepared
    statements, which a ROLLBACK would drop), no new Session (one per thread, emptied after
    each read), and one loop wake-up for a batch of reads instead of one a read. SQLite gets
    one thread (its reads are CPU, and more threads only contend for the GIL); PostgreSQL a
    few, so round trips overlap.
    """

    def __init__(self, url: str, *, threads: int) -> None:
        self._url = url
        self._threads_wanted = max(1, threads)
        self._engine: Engine | None = None
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def _start(self) -> None:
        with self._lock:
            if self._threads or self._closed:
                return
            self._engine = _read_only_engine(self._url)
            for index in range(self._threads_wanted):
                thread = threading.Thread(target=self._serve, name=f"read-{index}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def submit(
        self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], *, fallback: bool = False
    ) -> asyncio.Future[T | _Writes]:
        if not self._threads:
            self._start()
        if self._closed:
            raise RuntimeError("the database is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T | _Writes] = loop.create_future()
        # The RPC's context (caller, request, request id) goes along, as with Database.run.
        self._queue.put((fn, args, kwargs, contextvars.copy_context(), loop, future, fallback))
        return future

    def close(self) -> None:
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(timeout=10)
        if self._engine is not None:
            self._engine.dispose()

    def _serve(self) -> None:
        assert self._engine is not None
        engine = self._engine
        held: Connection | None = None
        session: Session | None = None
        while True:
            job = self._queue.get()
            if job is None:
                break
            batch = [job]
            stop = False
            while len(batch) < READ_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            settled: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, BaseException | None]]] = {}
            for fn, args, kwargs, context, loop, future, fallback in batch:
                result: Any = None
                error: BaseException | None = None
                try:
                    if held is None or session is None:
                        held = engine.connect()
                        session = Session(bind=held, expire_on_commit=False, autoflush=False, info={READ_ONLY: True})
                    result = context.run(fn, session, *args, **kwargs)
                    if fallback and (session.new or session.dirty or session.deleted):
                        result = WANTS_WRITE
                except BaseException as exc:  # handed to the awaiting coroutine
                    error = exc
                    if fallback and (_refused_write(exc) or (session is not None and (session.new or session.dirty))):
                        result, error = WANTS_WRITE, None
                    elif not isinstance(exc, DomainError):
                        # The connection may be broken: start over with a fresh one.
                        with contextlib.suppress(Exception):
                            if session is not None:
                                session.close()
                            if held is not None:
                                held.close()
                        held, session = None, None
                if session is not None:
                    with contextlib.suppress(Exception):
                        if error is not None or result is WANTS_WRITE:
                            session.rollback()  # autocommit: nothing on the wire; resets the ORM's state
                        session.expunge_all()  # what it returned is detached, as after Database.run
                settled.setdefault(loop, []).append((future, result, error))
            for loop, outcomes in settled.items():
                with contextlib.suppress(RuntimeError):  # a loop closed meanwhile has nobody waiting
                    loop.call_soon_threadsafe(_settle, outcomes)
            if stop:
                break
        with contextlib.suppress(Exception):
            if session is not None:
                session.close()
            if held is not None:
                held.close()


# -- inline point reads (SQLite) ----------------------------------------------------------------

INLINE_BUDGET_SECONDS = 0.002  # an inline read that runs longer is interrupted and handed to the lane
INLINE_CHECK_STEPS = 1000  # SQLite VM instructions between two looks at the clock


class _HandedOff:
    """What `InlineReads.run` answers when the read must run again on the lane."""


_HANDED_OFF = _HandedOff()


def _handed_off(exc: BaseException) -> bool:
    """SQLite stopped the statement at the bound ("interrupted") or found a lock ("database is locked").

    `Prepared` runs on the driver's cursor, so the driver's own error arrives as well as SQLAlchemy's."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    text = str(orig)
    return "interrupted" in text or "locked" in text or "busy" in text


class InlineReads:
    """Read-only units of work run on the event loop's own thread, on one connection it holds.

    Only for SQLite (in WAL mode a reader never waits for the writer) and only for point reads.
    The bound: the connection's busy timeout is 0 (a lock fails at once instead of waiting), and
    a progress handler interrupts any statement still running `INLINE_BUDGET_SECONDS` after the
    read began. Either way the caller runs the read again on the lane, so the loop stalls for
    at most about the budget. The work must be synchronous (nothing awaits inside), so two reads
    never share the session at once.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine: Engine | None = None
        self._held: Connection | None = None
        self._session: Session | None = None
        self._thread: int | None = None
        self._deadline = 0.0

    def _open(self) -> Session:
        if self._engine is None:
            self._engine = _read_only_engine(self._url)
        held = self._engine.connect()
        raw = held.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.close()
        raw.set_progress_handler(self._over_budget, INLINE_CHECK_STEPS)
        self._held = held
        self._session = Session(bind=held, expire_on_commit=False, autoflush=False, info={READ_ONLY: True})
        self._thread = threading.get_ident()
        return self._session

    def _over_budget(self) -> int:
        return 1 if time.perf_counter() > self._deadline else 0

    def _reset(self) -> None:
        with contextlib.suppress(Exception):
            if self._session is not None:
                self._session.close()
            if self._held is not None:
                self._held.close()
        self._held, self._session, self._thread = None, None, None

    def run(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], *, fallback: bool) -> Any:
        """`fn(session, ...)`'s result, `WANTS_WRITE` (with `fallback`, when it changed something) or
        `_HANDED_OFF`; a `DomainError` is raised as is."""
        session = self._session
        if session is None or self._thread != threading.get_ident():
            if session is not None:
                self._reset()  # a session is used on the thread that opened it only
            session = self._open()
        self._deadline = time.perf_counter() + INLINE_BUDGET_SECONDS
        result: Any
        try:
            result = fn(session, *args, **kwargs)
            if fallback and (session.new or session.dirty or session.deleted):
                result = WANTS_WRITE
        except DomainError:
            with contextlib.suppress(Exception):
                session.rollback()
                session.expunge_all()
            raise
        except BaseException as exc:
            if fallback and (_refused_write(exc) or session.new or session.dirty):
                result = WANTS_WRITE
            elif _handed_off(exc):
                result = _HANDED_OFF
            else:
                self._reset()  # the connection may be broken: start over with a fresh one
                raise
        with contextlib.suppress(Exception):
            if result is WANTS_WRITE or result is _HANDED_OFF:
                session.rollback()  # autocommit: nothing on the wire; resets the ORM's state
            session.expunge_all()
        return result

    def close(self) -> None:
        self._reset()
        if self._engine is not None:
            self._engine.dispose()


def _settle(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in outcomes:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


# -- prepared statements ---------------------------------------------------------------------


class _Compiled:
    __slots__ = ("binders", "columns", "defaults", "dialect", "names", "positional", "processors", "sql")

    def __init__(self, statement: Select[*tuple[Any, ...]], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("Prepared statements take plain bound parameters (no IN lists)")
        self.sql = compiled.string
        self.positional = bool(dialect.positional)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ()) if self.positional else tuple(compiled.binds)
        self.binders = {
            name: processor
            for name in self.names
            if (processor := compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        # Literals in the statement (`column == "episode"`) are bound parameters with their value.
        self.defaults = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        self.columns = list(statement.selected_columns)
        self.dialect = dialect
        # Some processors need the driver's type code (PostgreSQL numerics): built at the first execution.
        self.processors: list[Any] | None = None

    def result_processors(self, description: Any) -> list[Any]:
        if self.processors is None:
            self.processors = [
                column.type.dialect_impl(self.dialect).result_processor(self.dialect, described[1])
                for column, described in zip(self.columns, description, strict=True)
            ]
        return self.processors

    def parameters(self, values: Mapping[str, Any]) -> Any:
        binders = self.binders
        if self.defaults:
            values = {**self.defaults, **values}
        if self.positional:
            return tuple(binders[n](values[n]) if n in binders else values[n] for n in self.names)
        return {n: binders[n](values[n]) if n in binders else values[n] for n in self.names}


def loaded(model: type[M], keys: Sequence[str], row: Sequence[Any]) -> M:
    """A `model` instance holding `row`'s values as if the ORM had loaded them (no change history).

    The way SQLAlchemy's loader fills an instance: straight into its state's dict. The model's
    constructor instead sets each column through the instrumented attributes, which for a
    20-column row costs several times the query."""
    manager = manager_of_class(model)
    if not manager.mapper.configured:  # the constructor would configure the mappers; new_instance does not
        configure_mappers()
    instance: M = manager.new_instance()
    instance.__dict__.update(zip(keys, row, strict=True))
    return instance


class Prepared:
    """A Core SELECT compiled once per dialect and run on the driver's own cursor.

    For hot reads: no statement built per call, no compiled-cache key, no Result object; rows
    come back as tuples with the column types' conversions applied (UTC datetimes, JSON,
    booleans), as SQLAlchemy would give them. On PostgreSQL psycopg prepares the statement on
    the server after a few executions on the same connection (the read lane holds them).
    Use it in any unit of work: it runs on that session's connection.
    """

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._keys: tuple[str, ...] | None = None

    def objects(self, session: Session, model: type[M], **values: Any) -> list[M]:
        """Rows of a `select(*Model.__table__.columns)` as detached `model` instances (no identity map)."""
        keys = self._keys
        if keys is None:
            keys = self._keys = tuple(str(column.key) for column in self.statement.selected_columns)
        return [loaded(model, keys, row) for row in self.rows(session, **values)]

    def attached(self, session: Session, model: type[M], **values: Any) -> list[M]:
        """`objects`, each added to the session as if a query had loaded it: a change to one is seen
        (`session.dirty`), so `Database.read_first` can tell that the work wanted to write."""
        found = self.objects(session, model, **values)
        for instance in found:
            make_transient_to_detached(instance)
            session.add(instance)
        return found

    def rows(self, session: Session, **values: Any) -> list[tuple[Any, ...]]:
        connection = session.connection()
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # always open here
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
            fetched = cursor.fetchall()
            processors = compiled.result_processors(cursor.description)
        finally:
            cursor.close()
        if not any(processors):
            return [tuple(row) for row in fetched]
        return [tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True)) for row in fetched]
