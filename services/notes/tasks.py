"""Notes' Celery task: one generation job (note or quiz) by operation id, on the shared runtime
(`services.core.tasks`): claimed with a lease, resumed from its checkpoint after a lost worker,
ended exactly once. The pipeline itself is async (`NotesUseCases.run_job`); it runs in its own
event loop in the task thread and reaches the operation through `ThreadedRun`."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from services.core.errors import DomainError
from services.core.settings import Settings
from services.core.tasks import OperationRun, OperationStopped, RuntimeHolder, operation_task
from services.notes.models import NOTES_OPERATIONS
from services.notes.usecases import JOB_QUEUE, JOB_TASK_NAME, Job, JobCancelled

if TYPE_CHECKING:
    from celery import Celery

TASK_NAME = JOB_TASK_NAME
QUEUE = JOB_QUEUE
# A 3-hour lecture is about 25 chunks; a slow model takes well under this.
TIME_LIMIT_SECONDS = 3600

# This worker process's dependencies, built on its first job (after any fork) and reused.
_BUILT: dict[str, object] = {"service_settings": {}}


class ThreadedRun:
    """`OperationRun` (sync: database and Redis calls) for the async pipeline: every call runs in a
    thread so the pipeline's event loop never blocks."""

    def __init__(self, run: OperationRun) -> None:
        self._run = run
        self._stopped: str | None = None

    @property
    def job(self) -> Job:
        return Job(self._run.record)

    async def progress(
        self, step: str, percent: int, message: str, data: dict[str, Any], describe: Callable[[Job], Message]
    ) -> None:
        def write() -> None:
            self._run.save_checkpoint(**data)
            self._run.progress(step, percent, message, metadata=describe(Job(self._run.record)))

        try:
            await asyncio.to_thread(write)
        except OperationStopped as stopped:
            self._stopped = stopped.reason
            raise JobCancelled(stopped.reason) from None

    async def stop_reason(self) -> str | None:
        return self._stopped or await asyncio.to_thread(self._run.stop_reason)

    async def succeed(
        self, response: Message, also: Callable[[Any], None], data: dict[str, Any], describe: Callable[[Job], Message]
    ) -> bool:
        final = Job(dataclasses.replace(self._run.record, checkpoint=data))

        def finish() -> bool:
            self._run.save_checkpoint(**data)
            return self._run.succeed(response, also=also, metadata=describe(final))

        try:
            return await asyncio.to_thread(finish)
        except OperationStopped as stopped:
            self._stopped = stopped.reason
            raise JobCancelled(stopped.reason) from None

    async def holds(self) -> bool:
        """Whether this worker still holds the job (renews its lease): not ended, not taken over."""
        run = self._run

        def renew() -> bool:
            with run.transaction() as session:
                return run.store.heartbeat(session, run.operation_id, worker=run.worker)

        return await asyncio.to_thread(renew)

    async def fail(self, error: DomainError, metadata: Message, data: dict[str, Any]) -> None:
        await asyncio.to_thread(self._end, lambda: self._run.fail(error, metadata=metadata), data)

    async def end_cancelled(self, metadata: Message, data: dict[str, Any]) -> None:
        await asyncio.to_thread(self._end, lambda: self._run.end_cancelled(metadata=metadata), data)

    def _end(self, end: Callable[[], None], data: dict[str, Any]) -> None:
        # The checkpoint first: the end hooks read it (a credit already given back owes no refund).
        with contextlib.suppress(OperationStopped):  # ended or taken over meanwhile: `end` does nothing
            self._run.save_checkpoint(**data)
        end()


def _body(built: dict[str, object]) -> Callable[..., Message | None]:
    def run_job(run: OperationRun, **_ids: Any) -> Message | None:
        return asyncio.run(_run(ThreadedRun(run), run.runtime.settings, built))

    return run_job


@operation_task(NOTES_OPERATIONS, name=TASK_NAME, queue=QUEUE, time_limit=TIME_LIMIT_SECONDS)
def run_job(run: OperationRun, **ids: Any) -> Message | None:
    """What `marquee worker --queues notes` runs for every Notes job."""
    return _body(_BUILT)(run, **ids)


def register(app: Celery, settings: Settings, *, service_settings: dict[type, Any] | None = None) -> None:
    """The same task bound to an app by hand, with ready-made service settings (tests point them at
    stand-ins). The worker builds its dependencies once; gRPC channels and the model client are
    made per run, inside the run's event loop."""
    built: dict[str, object] = {"service_settings": dict(service_settings or {})}
    dataclasses.replace(run_job, body=_body(built)).register(app, RuntimeHolder(settings))


async def _run(run: ThreadedRun, settings: Settings, built: dict[str, object]) -> Message | None:
    from services.app import Dependencies
    from services.core.peers import Peers
    from services.notes.server import build_usecases

    base = built.get("deps")
    if base is None:
        base = built["deps"] = Dependencies.build(settings)
        overrides: Any = built["service_settings"]
        base.service_settings.update(overrides)
    assert isinstance(base, Dependencies)
    # A fresh Peers per run: its channels belong to this run's event loop.
    peers = Peers(settings, base.keys)
    deps = dataclasses.replace(base, peers=peers)
    cases = build_usecases(deps)
    try:
        return await cases.run_job(run)
    finally:
        await cases.operations.close()
        close = cases.deps.extra.get("close")
        if callable(close):
            await close()
        await peers.close()
