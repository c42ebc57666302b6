"""A test-only servicer that mounts the shared operation behaviour on the Media contract.

No served service owns operations yet, so the runtime tests (and the benchmark) serve
`StartTranscode` + the four operation RPCs of `marquee.media.v1.MediaService` from here:
`StartTranscode(name="assets/<scenario>")` starts the test task of that scenario
(`tests.support.runtime_tasks.SCENARIOS`). Handlers have the product shape: parse, one call,
map.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
from alembic.migration import MigrationContext
from alembic.operations import Operations as AlembicOperations
from marquee.media.v1 import media_pb2, media_pb2_grpc
from sqlalchemy import Engine, create_engine, inspect

from services.core.db import Database
from services.core.errors import NotFound
from services.core.interceptors import require_principal
from services.core.operations import TaskCall, create_operations_table, to_proto
from services.core.operations_service import Operations
from services.core.paging import PageTokens
from services.core.server import Server, ServiceRegistration, create_server
from services.core.settings import Settings
from services.core.tokens import TokenVerifier
from services.worker import create_celery
from tests.support import runtime_tasks

ROOT = pathlib.Path(__file__).resolve().parents[2]


class RuntimeTestMedia(media_pb2_grpc.MediaServiceServicer):
    def __init__(self, operations: Operations) -> None:
        self.operations = operations

    async def StartTranscode(
        self, request: media_pb2.StartTranscodeRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> media_pb2.StartTranscodeResponse:
        return media_pb2.StartTranscodeResponse(operation=await start(self.operations, request.name, request.request_id))

    async def GetOperation(
        self, request: media_pb2.GetOperationRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> media_pb2.GetOperationResponse:
        return media_pb2.GetOperationResponse(operation=await self.operations.get(require_principal(), request.name))

    async def ListOperations(
        self, request: media_pb2.ListOperationsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> media_pb2.ListOperationsResponse:
        found, token = await self.operations.list(
            require_principal(), parent=request.parent, page_size_requested=request.page_size,
            page_token=request.page_token, states=list(request.states), target=request.asset,
        )  # fmt: skip
        return media_pb2.ListOperationsResponse(operations=found, next_page_token=token)

    async def CancelOperation(
        self, request: media_pb2.CancelOperationRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> media_pb2.CancelOperationResponse:
        cancelled = await self.operations.cancel(require_principal(), request.name, already_done_reason="OPERATION_ALREADY_DONE")
        return media_pb2.CancelOperationResponse(operation=cancelled)

    async def WatchOperation(
        self, request: media_pb2.WatchOperationRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[media_pb2.WatchOperationResponse]:
        async for event in self.operations.watch(require_principal(), request.name):
            yield media_pb2.WatchOperationResponse(event=event)


async def start(operations: Operations, asset: str, request_id: str) -> Any:
    """The use case: one unit of work creates the operation (or finds the retried one), then enqueue."""
    principal = require_principal()
    scenario = asset.removeprefix("assets/")
    if scenario not in runtime_tasks.SCENARIOS:
        raise NotFound(f"asset {asset[:100]} not found")
    spec = runtime_tasks.SCENARIOS[scenario]
    call = runtime_tasks.run_steps.call(**spec["kwargs"])
    if "queue" in spec:
        call = TaskCall(call.name, spec["queue"], call.kwargs)

    def create(session: Any) -> Any:
        if request_id:
            found = operations.store.get_by_request_id(session, owner=principal.user_id, kind="test", request_id=request_id)
            if found is not None:
                return found, False
        record = operations.create(
            session, owner=principal.user_id, kind="test", task=call, deadline=runtime_tasks.deadline_of(scenario),
            target=asset, request_id=request_id,
        )  # fmt: skip
        return record, True

    record, created = await operations.db.run(create)
    if created:
        await operations.enqueue(record)
    return to_proto(record)


def create_tables(engine: Engine) -> None:
    """The test operations table through the same migration helper a service's migration uses."""
    with engine.begin() as connection:
        if inspect(connection).has_table(runtime_tasks.TABLE):
            return
        alembic = AlembicOperations(MigrationContext.configure(connection))
        create_operations_table(alembic, runtime_tasks.TABLE)
        runtime_tasks.completions.create(connection)


class RuntimeServer:
    """One server process' worth of runtime: its own database pool, Redis subscription, server."""

    def __init__(self, settings: Settings, *, poll_seconds: float = 5.0) -> None:
        self.database = Database.from_settings(settings)
        self.celery = create_celery(settings, register=False)
        self.operations = Operations(
            runtime_tasks.RUNTIME_OPERATIONS, self.database, PageTokens(settings.secret_key.get_secret_value().encode()),
            redis_url=settings.redis_url, celery=self.celery, poll_seconds=poll_seconds,
        )  # fmt: skip
        servicer = RuntimeTestMedia(self.operations)
        registration = ServiceRegistration(
            "marquee.media.v1.MediaService",
            lambda server: media_pb2_grpc.add_MediaServiceServicer_to_server(servicer, server),
            close=self.close,
        )
        self.server: Server = create_server(
            settings, [registration], TokenVerifier.from_settings(settings), address="127.0.0.1:0"
        )

    @property
    def port(self) -> int:
        return self.server.port

    async def close(self) -> None:
        await self.operations.close()
        self.celery.close()
        self.database.close()


def worker_env(settings: Settings, **runtime: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    env.update(
        {
            "MARQUEE_ENV": "test",
            "MARQUEE_REDIS_URL": settings.redis_url,
            "MARQUEE_DATABASE_URL": settings.resolved_database_url,
            "MARQUEE_DATA_DIR": str(settings.data_dir),
            "MARQUEE_LOG_LEVEL": "WARNING",
            "MARQUEE_WORKER_TASK_MODULES": "tests.support.runtime_tasks",
            "PYTHONPATH": str(ROOT),
            **{f"MARQUEE_{key.upper()}": value for key, value in runtime.items()},
        }
    )
    return env


def start_worker(
    settings: Settings, *, name: str, queues: str = runtime_tasks.QUEUE, concurrency: int = 4, **runtime: str
) -> subprocess.Popen[bytes]:
    """A real `marquee worker` process on the test queue (not `celery`: other tests ping theirs); its output
    goes to `<data_dir>/worker-<name>.log`."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / f"worker-{name}.log").open("ab") as log:
        return _popen_worker(settings, name=name, queues=queues, concurrency=concurrency, log=log, runtime=runtime)


def _popen_worker(
    settings: Settings, *, name: str, queues: str, concurrency: int, log: Any, runtime: dict[str, str]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker", "--queues", queues,
         "--concurrency", str(concurrency), "--hostname", f"{name}@marquee-test"],
        env=worker_env(settings, **runtime), cwd=ROOT, stdin=subprocess.DEVNULL,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for_worker(settings: Settings, process: subprocess.Popen[bytes], *, name: str, timeout: float = 60.0) -> None:
    """Until the worker `name` answers a control ping (so it is consuming)."""
    app = create_celery(settings, register=False)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = settings.data_dir / f"worker-{name}.log"
                raise RuntimeError(f"worker exited with {process.returncode}: {log.read_text()[-3000:]}")
            replies = app.control.ping(destination=[f"{name}@marquee-test"], timeout=0.5)
            if replies:
                return
        raise RuntimeError("worker did not answer in time")
    finally:
        app.close()


def start_server_process(settings: Settings, timeout: float = 60.0) -> tuple[subprocess.Popen[bytes], int]:
    """This module's server in its own process (`python -m tests.support.runtime_server`); its port."""
    log_path = settings.data_dir / f"server-{uuid.uuid4().hex[:6]}.log"
    env = worker_env(settings)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.runtime_server"], env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"runtime test server on 127\.0\.0\.1:(\d+)", log_path.read_text(errors="replace"))
        if found:
            return process, int(found.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log_path.read_text()[-3000:]}")
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError("server did not start in time")


async def serve(settings: Settings) -> None:
    """Serve the test servicer until SIGTERM (what the benchmark runs as its server process)."""
    import asyncio
    import signal

    engine = create_engine(settings.resolved_database_url)
    create_tables(engine)
    engine.dispose()
    runtime = RuntimeServer(settings)
    await runtime.server.start()
    print(f"runtime test server on 127.0.0.1:{runtime.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runtime.server.stop(1.0)


if __name__ == "__main__":
    import asyncio

    from services.core.settings import load_settings

    asyncio.run(serve(load_settings(grpc_port=0)))
