"""The Celery application. Tasks are named, time-limited, take ids and call use-case code.

Each service's tasks come from its own `services/<name>/tasks.py` (see `services.core.tasks`);
`MARQUEE_WORKER_TASK_MODULES` (or `marquee worker --task-modules`) adds more, which is how
tests load a task module that lives in the tests.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from celery import Celery, signals

from services.core import redis_store
from services.core.operations import OperationsTable
from services.core.settings import Settings
from services.core.tasks import (
    OperationTask,
    Reaper,
    RuntimeHolder,
    RuntimeSettings,
    TaskSpec,
    collect_tasks,
    service_task_modules,
)

DEFAULT_QUEUE = "celery"


def create_celery(settings: Settings, *, task_modules: Sequence[str] | None = None, register: bool = True) -> Celery:
    """The app for workers (`register=True`: tasks bound, runtime made lazily in the process
    that runs them) and for servers that only send tasks (`register=False`)."""
    url = redis_store.celery_url(settings.redis_url)
    runtime = RuntimeSettings.load(settings)
    app = Celery("marquee", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=3600,
        task_soft_time_limit=3500,
        task_default_queue=DEFAULT_QUEUE,
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": runtime.broker_visibility_timeout_seconds},
        result_backend_transport_options={"visibility_timeout": runtime.broker_visibility_timeout_seconds},
        worker_hijack_root_logger=False,
    )

    @app.task(name="marquee.core.ping", time_limit=10, shared=False)  # shared tasks join every app made later
    def ping(payload: str) -> dict[str, object]:
        """Round trip used by health checks and tests to prove a worker is consuming."""
        return {"payload": payload, "worker_pid": os.getpid()}

    if register:
        modules = list(task_modules) if task_modules is not None else worker_task_modules(settings)
        specs = collect_tasks(modules)
        holder = RuntimeHolder(settings)
        for spec in specs:
            spec.register(app, holder)
        app.marquee_specs = specs  # read by run_worker
        app.marquee_runtime = holder
    return app


def worker_task_modules(settings: Settings) -> list[str]:
    """The task modules of this deployment's services, then any configured extras."""
    extras = RuntimeSettings.load(settings).worker_task_modules
    return [*service_task_modules(settings.services), *extras]


def operation_tables(specs: Sequence[TaskSpec]) -> list[OperationsTable]:
    """The operations tables the registered tasks work on: what the reaper sweeps."""
    found: dict[str, OperationsTable] = {}
    for spec in specs:
        if isinstance(spec, OperationTask) and spec.declared is not None:
            found[spec.declared.table.name] = spec.declared
    return list(found.values())


def queues_of(specs: Sequence[TaskSpec]) -> list[str]:
    return sorted({DEFAULT_QUEUE, *(spec.queue for spec in specs)})


def run_worker(
    settings: Settings,
    *,
    concurrency: int = 2,
    pool: str = "threads",
    queues: Sequence[str] | None = None,
    task_modules: Sequence[str] | None = None,
    hostname: str | None = None,
) -> None:
    """Consume `queues` (default: every queue the registered tasks use) until stopped."""
    # A thread pool, not prefork: gRPC channels do not survive fork().
    app = create_celery(settings, task_modules=task_modules)
    specs: list[TaskSpec] = app.marquee_specs
    holder: RuntimeHolder = app.marquee_runtime
    reaper = Reaper(holder, app, operation_tables(specs))

    def on_ready(**_: object) -> None:
        reaper.start()

    def on_shutdown(**_: object) -> None:
        reaper.stop()
        holder.close()

    signals.worker_ready.connect(on_ready, weak=False)
    signals.worker_shutdown.connect(on_shutdown, weak=False)
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        f"--queues={','.join(queues or queues_of(specs))}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)
