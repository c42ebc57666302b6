"""The Celery application. Tasks are named, time-limited, take ids and call domain code."""

from __future__ import annotations

import os

from celery import Celery

from services.core import redis_store
from services.core.settings import Settings


def create_celery(settings: Settings) -> Celery:
    url = redis_store.celery_url(settings.redis_url)
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
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )

    @app.task(name="marquee.core.ping", time_limit=10)
    def ping(payload: str) -> dict[str, object]:
        """Round trip used by health checks and tests to prove a worker is consuming."""
        return {"payload": payload, "worker_pid": os.getpid()}

    return app


def run_worker(settings: Settings, *, concurrency: int = 2, pool: str = "threads") -> None:
    # A thread pool, not prefork: gRPC channels do not survive fork().
    app = create_celery(settings)
    app.worker_main(
        ["worker", f"--concurrency={concurrency}", f"--pool={pool}", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
    )
