"""Media fixtures: a real SeaweedFS for the session, signed tokens, stubs, and tiny real clips."""

from __future__ import annotations

import pathlib
import subprocess
import sys
from collections.abc import Awaitable, Iterator
from typing import Any

import grpc
import pytest
import redis
from marquee.media.v1 import media_pb2_grpc

from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import Settings
from tests.support.callers import Caller, Metadata, make_caller  # noqa: F401  (re-exported to the area's tests)
from tests.support.harness import RpcError, rpc_error
from tests.support.runtime_server import ROOT, worker_env
from tests.support.seaweed import make_clip

DOMAIN = "marquee.media"


@pytest.fixture
def redis_client_for_media(settings: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.redis_url)
    yield client
    client.close()


@pytest.fixture(scope="package")
def media(channel: grpc.aio.Channel, seaweed: EmbeddedSeaweedFS) -> media_pb2_grpc.MediaServiceStub:
    return media_pb2_grpc.MediaServiceStub(channel)


@pytest.fixture(scope="package")
def clip(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4")


async def fails(call: Awaitable[Any]) -> RpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rpc_error(caught.value)


# Short leases so a lost worker or rung is noticed in seconds.
WORKER_RUNTIME = {
    "operation_lease_seconds": "1.5",
    "operation_reaper_interval_seconds": "0.3",
    "operation_stop_poll_seconds": "0.1",
    "media_rung_lease_seconds": "2",
}


def media_worker(settings: Settings, name: str, *, concurrency: int = 2) -> subprocess.Popen[bytes]:
    """A real `marquee worker` process on the media queue (the services' own tasks only); its output
    goes to `<data_dir>/worker-<name>.log`. Wait for it with `wait_for_worker`."""
    env = worker_env(settings, **WORKER_RUNTIME)
    env["MARQUEE_WORKER_TASK_MODULES"] = ""
    with (settings.data_dir / f"worker-{name}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker", "--queues", "media", "--concurrency", str(concurrency),
             "--hostname", f"{name}@marquee-test"],
            env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


async def watch(media: Any, who: Caller, name: str, *, limit: int | None = None, within: float = 120) -> list[Any]:
    """The events of one WatchOperation call (the first `limit`, or all until it ends)."""
    import asyncio

    from marquee.media.v1 import media_pb2 as pb

    events: list[Any] = []

    async def read() -> None:
        call = media.WatchOperation(pb.WatchOperationRequest(name=name), metadata=who.auth)
        async for reply in call:
            events.append(reply.event)
            if limit is not None and len(events) >= limit:
                call.cancel()
                return

    await asyncio.wait_for(read(), within)
    return events
