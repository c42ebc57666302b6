"""The shared behaviour behind every owning service's GetOperation / ListOperations /
CancelOperation / WatchOperation, and the use-case side: create an operation, enqueue its task.

A service builds one `Operations` in `server.py` from its `OperationsTable` and passes it to
its handlers and use cases:

    operations = Operations(MEDIA_OPERATIONS, deps.database, deps.page_tokens,
                            redis_url=deps.settings.redis_url, celery=deps.celery)

`WatchOperation` on any process: one Redis subscription per process and service (the
`EventHub`) fans committed changes out to local watchers; each watcher registers before it
reads the current state from the database, so no change between the two is lost; a short
database poll covers a Redis hiccup; an operation past its deadline is ended right there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
from google.protobuf.message import Message
from google.rpc import code_pb2
from marquee.longrunning.v1 import operation_pb2
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from services.core import operations as ops
from services.core.db import Database
from services.core.errors import FailedPrecondition, Unavailable, invalid
from services.core.models import utcnow
from services.core.operations import OperationRecord, OperationsTable, OperationStore, State, TaskCall
from services.core.paging import PageTokens, page_size
from services.core.tokens import Principal

log = logging.getLogger("marquee.operations")

DEFAULT_POLL_SECONDS = 5.0
# A start RPC waits at most about a second for the broker, then answers UNAVAILABLE. Results are
# not wanted (the operation row is the result): without ignore_result Celery first retries the
# result backend's connection, ~19 s against a dead Redis.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.3}


class TaskSender(Protocol):
    """What enqueuing needs from Celery (`celery.Celery` satisfies it)."""

    def send_task(self, name: str, args: Any = None, kwargs: Any = None, **options: Any) -> Any: ...


OperationEvent = operation_pb2.OperationEvent
# How often the hub's one timer checks every watcher for a due poll or a passed deadline.
TICK_SECONDS = 0.25


@dataclass(eq=False)
class _Watcher:
    """One WatchOperation call: its queue (None means "re-read the row") and its timers, kept by
    the hub's single ticker rather than a timeout per wait (which costs a task per event)."""

    queue: asyncio.Queue[OperationEvent | None]
    poll_seconds: float
    next_poll: float
    deadline: float | None


class EventHub:
    """One Redis subscription per process and service, fanned out to local watcher queues."""

    def __init__(self, redis_url: str, channel: str) -> None:
        self._redis_url = redis_url
        self._channel = channel
        self._watchers: dict[str, set[_Watcher]] = {}
        self._task: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            now = loop.time()
            for watchers in list(self._watchers.values()):
                for watcher in watchers:
                    due = now >= watcher.next_poll
                    if watcher.deadline is not None and now >= watcher.deadline:
                        due, watcher.deadline = True, now + 1.0  # until the row says it ended
                    if due:
                        watcher.next_poll = now + watcher.poll_seconds
                        watcher.queue.put_nowait(None)

    async def _ensure_started(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._tick(), name=f"event-hub ticker {self._channel}")
        if self._task is None or self._task.done():
            if self._task is not None and not self._task.cancelled():
                self._task.exception()  # retrieved: a failed start is reported below, not at GC
            self._ready = asyncio.Event()
            self._task = asyncio.create_task(self._run(self._ready), name=f"event-hub {self._channel}")
        assert self._ready is not None
        ready = asyncio.ensure_future(self._ready.wait())
        done, _ = await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            raise Unavailable("operation events are unavailable (Redis)", reason="DEPENDENCY_UNAVAILABLE")

    async def _run(self, ready: asyncio.Event) -> None:
        """Listen until cancelled; after a lost connection, resubscribe and tell every watcher to
        read the database once (events published during the gap are not replayed by Redis)."""
        while True:
            try:
                await self._listen(ready)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not ready.is_set():
                    raise  # never connected: the first watcher gets UNAVAILABLE
                log.warning("operation events: lost the Redis subscription (%s); reconnecting", exc)
                await asyncio.sleep(1.0)

    async def _listen(self, ready: asyncio.Event) -> None:
        # Named, so an operator (or a test) can tell the hub's connection apart in CLIENT LIST.
        client = aioredis.Redis.from_url(self._redis_url, health_check_interval=30, client_name=f"hub:{self._channel}")
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            # The subscription is confirmed before any watcher reads the current state.
            confirmed = await pubsub.parse_response(block=True, timeout=10)
            if confirmed is None:
                raise ConnectionError("no subscribe confirmation from Redis")
            if ready.is_set():
                self._resync()
            ready.set()
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is None or message.get("type") != "message":
                    continue
                self._dispatch(message["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            with contextlib.suppress(Exception):
                await client.aclose()

    def _resync(self) -> None:
        for watchers in self._watchers.values():
            for watcher in watchers:
                watcher.queue.put_nowait(None)

    def _dispatch(self, data: bytes) -> None:
        event = operation_pb2.OperationEvent.FromString(data)
        operation_id = event.operation.name.rsplit("/", 1)[-1]
        for watcher in self._watchers.get(operation_id, ()):
            watcher.queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def watch(
        self, operation_id: str, *, poll_seconds: float, deadline_at: dt.datetime | None = None
    ) -> AsyncIterator[asyncio.Queue[OperationEvent | None]]:
        """A queue that receives every change of `operation_id` published from now on, and None
        every `poll_seconds` without one, and once `deadline_at` has passed."""
        await self._ensure_started()
        loop = asyncio.get_running_loop()
        now = loop.time()
        deadline = now + (deadline_at - utcnow()).total_seconds() if deadline_at is not None else None
        watcher = _Watcher(asyncio.Queue(), poll_seconds, now + poll_seconds, deadline)
        self._watchers.setdefault(operation_id, set()).add(watcher)
        try:
            yield watcher.queue
        finally:
            watchers = self._watchers.get(operation_id)
            if watchers is not None:
                watchers.discard(watcher)
                if not watchers:
                    del self._watchers[operation_id]

    @property
    def watcher_count(self) -> int:
        return sum(len(queues) for queues in self._watchers.values())

    async def close(self) -> None:
        for task in (self._task, self._ticker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._task = self._ticker = None


class Operations:
    """Get / List / Cancel / Watch over one service's operations, plus create + enqueue."""

    def __init__(
        self,
        declared: OperationsTable,
        database: Database,
        page_tokens: PageTokens,
        *,
        redis_url: str,
        celery: TaskSender,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
    ) -> None:
        self.declared = declared
        self.store = OperationStore(declared)
        self.db = database
        self.pages = page_tokens
        self.celery = celery
        self.poll_seconds = poll_seconds
        self._redis_url = redis_url
        self._redis: aioredis.Redis | None = None
        self.hub = EventHub(redis_url, declared.channel)

    def _client(self) -> aioredis.Redis:
        if self._redis is None:
            self._redis = aioredis.Redis.from_url(self._redis_url, health_check_interval=30)
        return self._redis

    # ---- use-case side --------------------------------------------------------------------

    def create(
        self,
        session: Session,
        *,
        owner: str,
        kind: str,
        task: TaskCall,
        deadline: dt.timedelta,
        target: str = "",
        request_id: str = "",
        metadata: Message | None = None,
        checkpoint: Mapping[str, Any] | None = None,
    ) -> OperationRecord:
        """Insert a QUEUED operation inside the caller's unit of work (sync, takes its session).
        After that unit of work commits, call `enqueue(record)`."""
        return self.store.create(
            session, owner=owner, kind=kind, task=task, deadline=deadline, target=target, request_id=request_id,
            metadata=metadata, checkpoint=checkpoint,
        )  # fmt: skip

    async def enqueue(self, record: OperationRecord) -> None:
        """Send the operation's task (after the commit that created it) and announce it."""
        kwargs = {"operation_id": record.id, **record.task_kwargs}
        queue = record.task_queue or None
        try:
            await self.db.offload(
                self.celery.send_task, record.task_name, kwargs=kwargs, queue=queue,
                retry=True, retry_policy=PUBLISH_RETRY, ignore_result=True,
            )  # fmt: skip
        except Exception as exc:
            # The reaper ends it at its deadline anyway; end it now so nobody waits for nothing.
            log.warning("could not enqueue %s: %s", record.name, exc)
            failed = await self.db.run(
                lambda s: self.store.finish(
                    s,
                    record.id,
                    state=State.FAILED,
                    error=ops.status_bytes(code_pb2.UNAVAILABLE, "the task queue is unavailable"),
                )
            )
            if failed is not None:
                await self.publish(failed)
            raise Unavailable("the task queue is unavailable; try again", retry_after_seconds=5) from exc
        await self.publish(record)

    async def publish(self, record: OperationRecord) -> None:
        """Announce a committed change to every process's watchers. A failed publish is logged,
        not raised: the change is committed, and watchers re-read the row when events stop."""
        try:
            await self._client().publish(self.declared.channel, ops.to_event(record).SerializeToString())
        except RedisError as exc:
            log.warning("could not publish a change of %s: %s", record.name, exc)

    # ---- the four RPCs ---------------------------------------------------------------------

    async def _owned(self, principal: Principal, name: str) -> OperationRecord:
        owner, operation_id = ops.parse_operation_name(name, principal)
        found = await self.db.run(lambda s: self.store.get(s, operation_id, owner=owner))
        if found is None:
            raise ops.not_found(name)
        return await self._reap_if_overdue(found)

    async def _reap_if_overdue(self, record: OperationRecord) -> OperationRecord:
        if not record.overdue(utcnow()):
            return record
        reaped = await self.db.run(lambda s: reap_one(self.store, s, record))
        if reaped is None:
            refreshed = await self.db.run(lambda s: self.store.get(s, record.id))
            return refreshed or record
        await self.publish(reaped)
        with contextlib.suppress(Exception):
            await self._client().set(self.declared.cancel_key(record.id), "deadline", ex=24 * 3600)
        return reaped

    async def get(self, principal: Principal, name: str) -> operation_pb2.Operation:
        """GetOperation: the caller's operation (NOT_FOUND for another user's)."""
        return ops.to_proto(await self._owned(principal, name))

    async def list(
        self,
        principal: Principal,
        *,
        parent: str,
        page_size_requested: int = 0,
        page_token: str = "",
        states: Sequence[int] = (),
        kinds: Sequence[str] = (),
        target: str = "",
    ) -> tuple[list[operation_pb2.Operation], str]:
        """ListOperations: newest first; returns (operations, next_page_token)."""
        size = page_size(page_size_requested)
        owner = ops.parse_parent(parent, principal)
        wanted_states = [_state(value, index) for index, value in enumerate(states)]
        query = "|".join([self.declared.service, owner or "", ",".join(sorted(s.value for s in wanted_states)),
                          ",".join(sorted(kinds)), target])  # fmt: skip
        position = self.pages.decode(page_token, query=query)
        if owner is None:
            return [], ""
        after = (dt.datetime.fromisoformat(position["t"]), str(position["id"])) if position else None
        page = await self.db.run(
            lambda s: self.store.page(s, owner=owner, limit=size, states=wanted_states, kinds=kinds, target=target, after=after)
        )
        token = self.pages.encode({"t": page.after[0].isoformat(), "id": page.after[1]}, query=query) if page.after else ""
        return [ops.to_proto(r) for r in page.records], token

    async def cancel(
        self, principal: Principal, name: str, *, already_done_reason: str = "OPERATION_ALREADY_DONE"
    ) -> operation_pb2.Operation:
        """CancelOperation: QUEUED ends CANCELLED now; RUNNING is asked to stop (its worker sees
        the stop key within a fraction of a second and kills its child process). Cancelling a
        CANCELLED operation returns it; a SUCCEEDED or FAILED one is FAILED_PRECONDITION."""
        record = await self._owned(principal, name)
        if record.state is State.CANCELLED:
            return ops.to_proto(record)
        if record.done:
            raise FailedPrecondition(
                f"operation {record.name} already {record.state.value.lower()}",
                reason=already_done_reason,
                metadata={"operation": record.name},
            )
        changed = await self.db.run(lambda s: self.store.request_cancel(s, record.id))
        await self._client().set(self.declared.cancel_key(record.id), "cancel", ex=24 * 3600)
        if changed is None:  # finished or already asked meanwhile
            current = await self.db.run(lambda s: self.store.get(s, record.id))
            return ops.to_proto(current or record)
        await self.publish(changed)
        return ops.to_proto(changed)

    async def watch(self, principal: Principal, name: str) -> AsyncIterator[operation_pb2.OperationEvent]:
        """WatchOperation: the current state, then each change, ending after the `done` event."""
        record = await self._owned(principal, name)
        if record.done:
            yield ops.to_event(record)
            return
        async with self.hub.watch(record.id, poll_seconds=self.poll_seconds, deadline_at=record.deadline_at) as queue:
            current = await self.db.run(lambda s: self.store.get(s, record.id))
            assert current is not None
            current = await self._reap_if_overdue(current)
            last = current.sequence
            yield ops.to_event(current)
            if current.done:
                return
            while True:
                event = await queue.get()
                if event is None:
                    # No event for a while, the deadline passed, or the hub reconnected: read
                    # the row (covers a lost publish) and end an operation past its deadline.
                    polled = await self.db.run(lambda s: self.store.get(s, record.id))
                    if polled is None:
                        return
                    polled = await self._reap_if_overdue(polled)
                    event = ops.to_event(polled)
                if event.sequence <= last:
                    continue
                last = event.sequence
                yield event
                if event.operation.done:
                    return

    async def close(self) -> None:
        await self.hub.close()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


def _state(value: int, index: int) -> State:
    try:
        if value == 0:
            raise ValueError
        return State.from_proto(value)
    except ValueError:
        raise invalid(f"states[{index}]", "must be a defined OperationState other than UNSPECIFIED") from None


def reap_one(store: OperationStore, session: Session, record: OperationRecord) -> OperationRecord | None:
    """End an operation past its deadline with DEADLINE_EXCEEDED (once; None if it already ended)."""
    return store.finish(session, record.id, state=State.FAILED, error=ops.deadline_status(record.deadline_at))
