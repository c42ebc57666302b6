"""Notes' Celery task: one generation job by id, run to the end (or resumed after a lost worker)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any

from services.core.settings import Settings
from services.core.tasks import WorkerRuntime, task

if TYPE_CHECKING:
    from celery import Celery

TASK_NAME = "marquee.notes.run_job"
QUEUE = "notes"
# A 3-hour lecture is about 25 chunks; a slow model takes well under this.
TIME_LIMIT_SECONDS = 3600


# This worker process's dependencies, built on its first job (after any fork) and reused.
_BUILT: dict[str, object] = {"service_settings": {}}


@task(name=TASK_NAME, queue=QUEUE, time_limit=TIME_LIMIT_SECONDS)
def run_job(runtime: WorkerRuntime, *, job_id: str) -> None:
    """What `marquee worker --queues notes` runs for every Notes job."""
    asyncio.run(_run(job_id, runtime.settings, _BUILT))


def register(app: Celery, settings: Settings, *, service_settings: dict[type, Any] | None = None) -> None:
    """The same task bound to an app by hand, with ready-made service settings (tests point them at
    stand-ins). The worker builds its dependencies once; gRPC channels and the model client are
    made per run, inside the run's event loop."""
    built: dict[str, object] = {"service_settings": dict(service_settings or {})}

    @app.task(  # type: ignore[untyped-decorator]
        name=TASK_NAME,
        time_limit=TIME_LIMIT_SECONDS,
        soft_time_limit=TIME_LIMIT_SECONDS - 60,
        acks_late=True,
        reject_on_worker_lost=True,
        queue=QUEUE,
        shared=False,
    )
    def run_job_with(job_id: str) -> None:
        asyncio.run(_run(job_id, settings, built))


async def _run(job_id: str, settings: Settings, built: dict[str, object]) -> None:
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

    async def no_enqueue(_job_id: str) -> None:
        return None

    cases = build_usecases(deps, enqueue=no_enqueue)
    try:
        await cases.run_any(job_id)
    finally:
        close = cases.deps.extra.get("close")
        if callable(close):
            await close()
        await peers.close()
