"""Celery task conventions and the worker side of operations.

A service declares its tasks in `services/<name>/tasks.py` (the worker discovers that
module the way the server discovers `server.py`); every `TaskSpec` at module level is
registered. An operation task is a plain function of an `OperationRun` and ids:

    @operation_task(MEDIA_OPERATIONS, name="marquee.media.transcode", queue="media", time_limit=3 * 3600)
    def transcode(run: OperationRun, *, asset_id: str) -> Message | None:
        run.progress("probe", 5, "reading the source")
        run.run_child([ffmpeg, "-i", ...])        # killed on cancel or deadline
        run.check_cancelled()                      # cooperative stop between steps
        return asset_pb                            # the operation's `response`

Every task is named, time-limited, takes ids, `acks_late` + `reject_on_worker_lost`, and the
worker prefetches one message. Idempotent by construction: the wrapper claims the operation
with a compare-and-set (QUEUED, or RUNNING with a lapsed lease), so a redelivered message for
a finished or live operation does nothing, and one for an abandoned operation resumes it
(`run.attempt`, `run.checkpoint`). The terminal transition happens exactly once.

The worker is sync (a thread pool: gRPC channels do not survive fork; a task that needs a
peer opens its channel inside the task thread). It keeps a lease on each running operation
with a heartbeat, and runs a reaper that ends operations past their deadline
(DEADLINE_EXCEEDED) and sends again the task of an operation whose worker died.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
import redis
from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from google.protobuf.message import Message
from google.rpc import code_pb2
from pydantic import Field
from sqlalchemy.orm import Session

from services.core import operations as ops
from services.core.db import Database
from services.core.errors import DomainError
from services.core.models import utcnow
from services.core.operations import OperationRecord, OperationsTable, OperationStore, State
from services.core.settings import CommaSeparated, ServiceSettings, Settings

log = logging.getLogger("marquee.tasks")


class RuntimeSettings(ServiceSettings):
    """Settings of the slow-work runtime (workers, leases, the reaper)."""

    operation_lease_seconds: float = Field(
        30.0, gt=0, description="A running operation whose worker has not renewed its lease this long is taken over."
    )
    operation_reaper_interval_seconds: float = Field(
        5.0, gt=0, description="How often each worker ends overdue operations and resends abandoned ones."
    )
    operation_retention_days: float = Field(
        30.0, gt=0, description="Finished operations are deleted this long after they end (the contracts say 30 days)."
    )
    operation_max_attempts: int = Field(5, ge=1, description="Deliveries before an operation whose workers keep dying fails.")
    operation_stop_poll_seconds: float = Field(
        0.2, gt=0, description="How often a running child process checks for a cancel or deadline."
    )
    broker_visibility_timeout_seconds: int = Field(
        3600, ge=1, description="Redis broker: an unacknowledged message is redelivered after this long."
    )
    worker_task_modules: CommaSeparated = Field(
        default_factory=list,
        description="Comma-separated extra modules whose tasks the worker registers (tests load theirs this way).",
    )


# ---- errors a task body may raise ----------------------------------------------------------


class OperationStopped(Exception):
    """Raised inside a task when its operation must stop: cancelled, past its deadline, or
    taken over by another worker. The wrapper ends it (or leaves it to whoever did)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChildProcessFailed(DomainError):
    """A child process exited non-zero; the operation fails INTERNAL (the stderr tail goes to the
    log, not to the caller). A service may catch it and raise its own reason instead."""

    code = grpc.StatusCode.INTERNAL
    default_reason = "CHILD_PROCESS_FAILED"

    def __init__(self, argv0: str, returncode: int, stderr_tail: str) -> None:
        super().__init__(f"{os.path.basename(argv0)} exited with status {returncode}")
        self.returncode = returncode
        self.stderr_tail = stderr_tail


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    stdout_tail: str
    stderr_tail: str


# ---- the worker's process-wide resources ---------------------------------------------------


class WorkerRuntime:
    """What tasks share in one worker process: the database, a sync Redis client, settings.
    Built lazily in the process that runs tasks (after any fork)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime = RuntimeSettings.load(settings)
        self.database = Database.from_settings(settings)
        self.redis = redis.Redis.from_url(settings.redis_url, health_check_interval=30)
        self.identity = f"{socket.gethostname()}:{os.getpid()}"

    def close(self) -> None:
        self.database.close()
        self.redis.close()


class RuntimeHolder:
    """One `WorkerRuntime` per process, made on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runtime: WorkerRuntime | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def get(self) -> WorkerRuntime:
        with self._lock:
            if self._runtime is None or self._pid != os.getpid():
                self._runtime = WorkerRuntime(self.settings)
                self._pid = os.getpid()
            return self._runtime

    def close(self) -> None:
        with self._lock:
            if self._runtime is not None and self._pid == os.getpid():
                self._runtime.close()
            self._runtime = None


# ---- what a running task sees --------------------------------------------------------------


class OperationRun:
    """The handle a task body gets: progress, cancellation, child processes, checkpoints."""

    def __init__(self, runtime: WorkerRuntime, declared: OperationsTable, record: OperationRecord, worker: str) -> None:
        self.runtime = runtime
        self.declared = declared
        self.store = OperationStore(declared)
        self.record = record
        self.worker = worker
        self.finished = False
        self._stop_checked = 0.0
        self._stop_reason: str | None = None

    @property
    def operation_id(self) -> str:
        return self.record.id

    @property
    def owner(self) -> str:
        return self.record.owner

    @property
    def attempt(self) -> int:
        """1 on the first delivery; more when the task resumes after a lost worker."""
        return self.record.attempts

    @property
    def checkpoint(self) -> dict[str, Any]:
        """What `save_checkpoint` stored on an earlier attempt ({} on the first)."""
        return dict(self.record.checkpoint)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work on the service's database for the task's own reads and writes."""
        with self.runtime.database.transaction() as session:
            yield session

    def progress(self, step: str, percent: int, message: str = "", *, metadata: Message | None = None) -> None:
        """Persist and publish a step (and the operation's new `metadata`, e.g. a
        TranscodeMetadata with per-rendition progress); raises `OperationStopped` if the
        operation must stop."""
        self.check_cancelled()
        with self.transaction() as session:
            changed = self.store.progress(
                session, self.operation_id, worker=self.worker, step=step, percent=percent, message=message, metadata=metadata
            )
        if changed is None:
            raise OperationStopped("lost")
        self.record = changed
        ops.publish_event(self.runtime.redis, self.declared, changed)
        if changed.cancel_requested:
            raise OperationStopped("cancel")

    def save_checkpoint(self, **values: Any) -> None:
        """Merge `values` into the checkpoint a resumed attempt will read."""
        merged = {**self.record.checkpoint, **values}
        with self.transaction() as session:
            if not self.store.save_checkpoint(session, self.operation_id, worker=self.worker, checkpoint=merged):
                raise OperationStopped("lost")
        self.record = _replace(self.record, checkpoint=merged)

    def stop_reason(self, *, max_age: float = 0.0) -> str | None:
        """ "cancel" or "deadline" once the operation must stop, else None (one Redis GET)."""
        now = time.monotonic()
        if self._stop_reason is None and now - self._stop_checked >= max_age:
            self._stop_checked = now
            value = self.runtime.redis.get(self.declared.cancel_key(self.operation_id))
            if value:
                self._stop_reason = value.decode() if isinstance(value, bytes) else str(value)
            elif utcnow() >= self.record.deadline_at:
                self._stop_reason = "deadline"
        return self._stop_reason

    def check_cancelled(self) -> None:
        """Cooperative stop: raises `OperationStopped` when cancelled or past the deadline."""
        reason = self.stop_reason()
        if reason is not None:
            raise OperationStopped(reason)

    def run_child(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        on_stdout_line: Callable[[str], None] | None = None,
        on_start: Callable[[int], None] | None = None,
        tail_bytes: int = 8192,
    ) -> ChildResult:
        """Run a child process (ffmpeg, ...) in its own process group; kill the group when the
        operation is cancelled or passes its deadline (then `OperationStopped`). A non-zero
        exit raises `ChildProcessFailed`. `on_stdout_line` sees each line (e.g. ffmpeg
        `-progress pipe:1`) on a reader thread and may call `progress`; `on_start` gets the pid."""
        self.check_cancelled()
        process = subprocess.Popen(  # noqa: S603  # argv comes from the task, never from a shell string
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        stdout_tail: deque[str] = deque(maxlen=64)
        stderr_tail: deque[bytes] = deque(maxlen=64)
        errors: list[BaseException] = []

        def read_stdout() -> None:
            assert process.stdout is not None
            for raw in process.stdout:
                line = raw.decode(errors="replace").rstrip("\n")
                stdout_tail.append(line)
                if on_stdout_line is not None and not errors:
                    try:
                        on_stdout_line(line)
                    except BaseException as exc:  # re-raised in the task thread
                        errors.append(exc)

        def read_stderr() -> None:
            assert process.stderr is not None
            for raw in process.stderr:
                stderr_tail.append(raw)

        readers = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
        for reader in readers:
            reader.start()
        if on_start is not None:
            try:
                on_start(process.pid)
            except BaseException:
                _kill_group(process)
                raise
        poll = self.runtime.runtime.operation_stop_poll_seconds
        try:
            while process.poll() is None:
                reason = self.stop_reason(max_age=poll)
                if reason is None and errors:
                    reason = "error"
                if reason is not None:
                    _kill_group(process)
                    break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=poll)
        except BaseException:
            _kill_group(process)
            raise
        finally:
            for reader in readers:
                reader.join(timeout=5)
        if errors:
            raise errors[0]
        if self._stop_reason is not None:
            raise OperationStopped(self._stop_reason)
        stderr_text = b"".join(stderr_tail).decode(errors="replace")[-tail_bytes:]
        if process.returncode != 0:
            raise ChildProcessFailed(argv[0], process.returncode, stderr_text)
        return ChildResult(process.returncode, "\n".join(stdout_tail)[-tail_bytes:], stderr_text)

    def succeed(
        self,
        response: Message | None = None,
        *,
        also: Callable[[Session], None] | None = None,
        metadata: Message | None = None,
    ) -> bool:
        """End SUCCEEDED with `response` (and final `metadata`, if given), and run `also(session)`
        in the same transaction only if this call is the one that ends it (exactly once). A cancel
        requested meanwhile wins: the operation ends CANCELLED instead. Returns whether it succeeded."""
        with self.transaction() as session:
            done = self.store.finish(
                session,
                self.operation_id,
                state=State.SUCCEEDED,
                response=ops.pack(response) if response is not None else None,
                worker=self.worker,
                unless_cancelled=True,
                metadata=metadata,
            )
            if done is not None and also is not None:
                also(session)
        self.finished = True
        if done is None:
            self._end_after_stop("cancel")
            return False
        self.record = done
        ops.publish_event(self.runtime.redis, self.declared, done)
        return True

    def fail(self, error: DomainError, *, metadata: Message | None = None) -> None:
        """End FAILED with `error` as the operation's status (and final `metadata`, if given)."""
        self._finish(State.FAILED, ops.error_status(error, f"marquee.{self.declared.service}"), metadata=metadata)

    def end_cancelled(self, *, metadata: Message | None = None) -> None:
        """End CANCELLED now (a task that settled its own cancel, e.g. gave a credit back first)."""
        self._finish(State.CANCELLED, ops.cancelled_status(), metadata=metadata)

    def _finish(self, state: State, error: bytes, *, metadata: Message | None = None) -> None:
        with self.transaction() as session:
            done = self.store.finish(session, self.operation_id, state=state, error=error, worker=self.worker, metadata=metadata)
        self.finished = True
        if done is not None:
            self.record = done
            ops.publish_event(self.runtime.redis, self.declared, done)

    def _end_after_stop(self, reason: str) -> None:
        """After `OperationStopped`: a cancel ends CANCELLED; a deadline or a takeover is already
        (or about to be) recorded by whoever caused it."""
        with self.transaction() as session:
            current = self.store.get(session, self.operation_id)
        if current is None or current.done:
            self.finished = True
            return
        if reason == "deadline" or (current.overdue(utcnow())):
            with self.transaction() as session:
                done = self.store.finish(
                    session, self.operation_id, state=State.FAILED, error=ops.deadline_status(current.deadline_at)
                )
        elif current.cancel_requested or reason == "cancel":
            with self.transaction() as session:
                done = self.store.finish(session, self.operation_id, state=State.CANCELLED, error=ops.cancelled_status())
        else:
            return  # another worker holds it now
        self.finished = True
        if done is not None:
            self.record = done
            ops.publish_event(self.runtime.redis, self.declared, done)


def _replace(record: OperationRecord, **changes: Any) -> OperationRecord:
    return dataclasses.replace(record, **changes)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's process group, then SIGKILL after a short grace."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---- declaring tasks -----------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSpec:
    """A Celery task not bound to an app yet; `register` binds it to the worker's app."""

    name: str
    queue: str
    time_limit: float
    body: Callable[..., Any]
    soft_time_limit: float | None = None

    def register(self, app: Celery, holder: RuntimeHolder) -> None:
        body = self.body

        def run(**kwargs: Any) -> Any:
            return body(holder.get(), **kwargs)

        _register(app, self, run)

    def call(self, **kwargs: Any) -> ops.TaskCall:
        return ops.TaskCall(self.name, self.queue, kwargs)


@dataclass(frozen=True)
class OperationTask(TaskSpec):
    """A task that runs one operation of `declared`; its Celery signature is
    `(operation_id, **ids)` and the body gets `(run: OperationRun, **ids)`."""

    declared: OperationsTable | None = None

    def register(self, app: Celery, holder: RuntimeHolder) -> None:
        def run(operation_id: str, **kwargs: Any) -> str:
            return execute_operation(self, holder.get(), operation_id, kwargs)

        _register(app, self, run)

    def call(self, **kwargs: Any) -> ops.TaskCall:
        """What `Operations.create(task=...)` takes: this task with its id arguments."""
        json.dumps(kwargs)  # ids only: must be JSON
        return ops.TaskCall(self.name, self.queue, kwargs)


def _register(app: Celery, spec: TaskSpec, run: Callable[..., Any]) -> None:
    run.__name__ = spec.name.rsplit(".", 1)[-1]
    app.task(
        name=spec.name,
        queue=spec.queue,
        acks_late=True,
        reject_on_worker_lost=True,
        time_limit=spec.time_limit,
        soft_time_limit=spec.soft_time_limit or max(1.0, spec.time_limit - 30),
        ignore_result=True,
        shared=False,  # a shared task joins every Celery app made later in the process
    )(run)
    routes = dict(app.conf.task_routes or {})
    routes[spec.name] = {"queue": spec.queue}
    app.conf.task_routes = routes


def task(
    *, name: str, queue: str, time_limit: float, soft_time_limit: float | None = None
) -> Callable[[Callable[..., Any]], TaskSpec]:
    """A plain task (no operation): the body gets `(runtime: WorkerRuntime, **ids)`."""

    def wrap(body: Callable[..., Any]) -> TaskSpec:
        return TaskSpec(name=name, queue=queue, time_limit=time_limit, soft_time_limit=soft_time_limit, body=body)

    return wrap


def operation_task(
    declared: OperationsTable, *, name: str, queue: str, time_limit: float, soft_time_limit: float | None = None
) -> Callable[[Callable[..., Message | None]], OperationTask]:
    """Declare the task that runs one kind of operation (see the module docstring)."""

    def wrap(body: Callable[..., Message | None]) -> OperationTask:
        return OperationTask(
            name=name, queue=queue, time_limit=time_limit, soft_time_limit=soft_time_limit, body=body, declared=declared
        )

    return wrap


# ---- running one operation -----------------------------------------------------------------


def execute_operation(spec: OperationTask, runtime: WorkerRuntime, operation_id: str, kwargs: Mapping[str, Any]) -> str:
    """Claim, run and end one operation; what every operation task does. Returns what happened
    ("succeeded", "failed", "cancelled", "stopped", "duplicate", "finished", "missing")."""
    assert spec.declared is not None
    declared = spec.declared
    store = OperationStore(declared)
    worker = f"{runtime.identity}:{uuid.uuid4().hex[:8]}"
    lease = dt.timedelta(seconds=runtime.runtime.operation_lease_seconds)
    with runtime.database.transaction() as session:
        current = store.get(session, operation_id)
        if current is None:
            log.warning("task %s: operation %s does not exist", spec.name, operation_id)
            return "missing"
        if current.done:
            return "finished"
        now = utcnow()
        if current.overdue(now):
            ended = store.finish(session, operation_id, state=State.FAILED, error=ops.deadline_status(current.deadline_at))
            claimed = None
        elif current.cancel_requested:
            ended = store.finish(session, operation_id, state=State.CANCELLED, error=ops.cancelled_status())
            claimed = None
        else:
            ended = None
            claimed = store.claim(session, operation_id, worker=worker, lease=lease, now=now)
    if ended is not None:
        ops.publish_event(runtime.redis, declared, ended)
        return "finished"
    if claimed is None:
        return "duplicate"  # a live worker holds it: this delivery does nothing
    ops.publish_event(runtime.redis, declared, claimed)
    run = OperationRun(runtime, declared, claimed, worker)
    heartbeat = _Heartbeat(runtime, store, operation_id, worker, interval=runtime.runtime.operation_lease_seconds / 3)
    heartbeat.start()
    try:
        result = spec.body(run, **kwargs)
        if not run.finished:
            return "succeeded" if run.succeed(result) else "cancelled"
        return run.record.state.value.lower()
    except OperationStopped as stopped:
        run._end_after_stop(stopped.reason)
        return "stopped"
    except SoftTimeLimitExceeded:
        run._finish(State.FAILED, ops.status_bytes(code_pb2.DEADLINE_EXCEEDED, "the task ran past its time limit"))
        return "failed"
    except DomainError as error:
        if isinstance(error, ChildProcessFailed):
            log.warning("operation %s: %s; stderr: %s", operation_id, error.message, error.stderr_tail[-2000:])
        run.fail(error)
        return "failed"
    except Exception:
        correlation = uuid.uuid4().hex[:12]
        log.exception("operation %s failed (correlation id %s)", operation_id, correlation)
        run._finish(State.FAILED, ops.status_bytes(code_pb2.INTERNAL, f"internal error (correlation id {correlation})"))
        return "failed"
    finally:
        heartbeat.stop()


class _Heartbeat:
    """Renews a running operation's lease from a side thread while the task body works."""

    def __init__(self, runtime: WorkerRuntime, store: OperationStore, operation_id: str, worker: str, *, interval: float) -> None:
        self._runtime, self._store, self._id, self._worker = runtime, store, operation_id, worker
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {operation_id[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._runtime.database.transaction() as session:
                    if not self._store.heartbeat(session, self._id, worker=self._worker):
                        return
            except Exception:  # a missed beat is retried; the lease is generous
                log.warning("heartbeat for %s failed", self._id, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# ---- the reaper ----------------------------------------------------------------------------


@dataclass
class ReaperReport:
    deadline_exceeded: list[str] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    purged: int = 0


def reap(
    runtime: WorkerRuntime, app: Celery, tables: Sequence[OperationsTable], *, resent_at: dict[str, float] | None = None
) -> ReaperReport:
    """One sweep: overdue operations end FAILED / DEADLINE_EXCEEDED (and their workers are told
    to stop); operations finished longer ago than the retention are deleted; RUNNING operations
    whose lease lapsed get their task sent again (or fail after `operation_max_attempts`)."""
    report = ReaperReport()
    for declared in tables:
        # One table failing (its service's migration not applied yet, a lock) never stops the
        # sweep of the others: each service's operations are reaped on their own.
        try:
            _reap_table(runtime, app, declared, report, resent_at)
        except Exception:
            log.warning("reaper sweep of %s failed", declared.table.name, exc_info=True)
    return report


def _reap_table(
    runtime: WorkerRuntime,
    app: Celery,
    declared: OperationsTable,
    report: ReaperReport,
    resent_at: dict[str, float] | None,
) -> None:
    now = utcnow()
    lease = dt.timedelta(seconds=runtime.runtime.operation_lease_seconds)
    store = OperationStore(declared)
    with runtime.database.transaction() as session:
        overdue = store.overdue(session, now=now)
    for record in overdue:
        with runtime.database.transaction() as session:
            ended = store.finish(session, record.id, state=State.FAILED, error=ops.deadline_status(record.deadline_at))
        if ended is not None:
            runtime.redis.set(declared.cancel_key(record.id), "deadline", ex=24 * 3600)
            ops.publish_event(runtime.redis, declared, ended)
            report.deadline_exceeded.append(record.id)
    retention = dt.timedelta(days=runtime.runtime.operation_retention_days)
    with runtime.database.transaction() as session:
        report.purged += store.purge_finished(session, before=now - retention)
    with runtime.database.transaction() as session:
        lapsed = store.abandoned(session, now=now, lease=lease)
    for record in lapsed:
        if record.attempts >= runtime.runtime.operation_max_attempts:
            error = ops.status_bytes(code_pb2.ABORTED, f"the worker running it was lost {record.attempts} times")
            with runtime.database.transaction() as session:
                ended = store.finish(session, record.id, state=State.FAILED, error=error)
            if ended is not None:
                ops.publish_event(runtime.redis, declared, ended)
                report.abandoned.append(record.id)
            continue
        # Once per lease period per reaper: extra copies are harmless (the claim is a
        # compare-and-set) but would queue up behind busy workers.
        last = (resent_at or {}).get(record.id)
        if last is not None and time.monotonic() - last < lease.total_seconds():
            continue
        if resent_at is not None:
            resent_at[record.id] = time.monotonic()
        if record.task_name:
            app.send_task(
                record.task_name, kwargs={"operation_id": record.id, **record.task_kwargs},
                queue=record.task_queue or None, ignore_result=True,
            )  # fmt: skip
            report.resent.append(record.id)


class Reaper:
    """Runs `reap` every `operation_reaper_interval_seconds` on a daemon thread of the worker."""

    def __init__(self, holder: RuntimeHolder, app: Celery, tables: Sequence[OperationsTable]) -> None:
        self._holder, self._app, self._tables = holder, app, list(tables)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._resent_at: dict[str, float] = {}

    def start(self) -> None:
        if not self._tables or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="operation-reaper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        runtime = self._holder.get()
        while not self._stop.wait(runtime.runtime.operation_reaper_interval_seconds):
            try:
                report = reap(runtime, self._app, self._tables, resent_at=self._resent_at)
                if report.deadline_exceeded or report.resent or report.abandoned or report.purged:
                    log.info("reaper: %s", report)
            except Exception:  # the next sweep tries again
                log.warning("reaper sweep failed", exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


# ---- discovery -----------------------------------------------------------------------------


def service_task_modules(services: Sequence[str]) -> list[str]:
    """`services.<name>.tasks` for each configured service that has one."""
    found = []
    for name in services:
        if importlib.util.find_spec(f"services.{name}") is None:
            continue
        if importlib.util.find_spec(f"services.{name}.tasks") is not None:
            found.append(f"services.{name}.tasks")
    return found


def collect_tasks(module_names: Sequence[str]) -> list[TaskSpec]:
    """Every `TaskSpec` defined at module level in these modules, in a stable order."""
    specs: dict[str, TaskSpec] = {}
    for module_name in module_names:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, TaskSpec):
                if value.name in specs and specs[value.name] is not value:
                    raise ValueError(f"task {value.name} is declared twice")
                specs[value.name] = value
    return [specs[name] for name in sorted(specs)]
