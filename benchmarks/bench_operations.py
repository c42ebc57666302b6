"""The slow-work runtime: submit -> first progress, 1,000 WatchOperation streams on one server
process, and a worker SIGKILLed mid-task.

Processes: one server process (`python -m tests.support.runtime_server`: the operation RPCs of
the Media contract over the shared runtime, with the test task of `tests/support/runtime_tasks.py`),
one `marquee worker` (the test task's queue; its reaper sweeps the table), and for the SIGKILL run
a second and a third worker on their own queue. This script is the client.

Baselines measured in the same run, against the same Redis and worker:
- a bare Celery `marquee.core.ping` round trip (send_task -> result) for submit -> first progress;
- a bare Redis pub/sub round trip (publish -> a redis.asyncio subscriber in this process) for
  the event fan-out latency.

    python benchmarks/bench_operations.py [--database-url URL --redis-url URL] [--streams 1000] [--submits 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import pathlib
import re
import signal
import sys
import tempfile
import time
import uuid
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import grpc
import redis.asyncio as aioredis
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2, media_pb2_grpc
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from benchmarks.support import ROOT, ManagedProcess, child_env, log, proc_status_kib
from services.core import migrate
from services.core.operations import OperationStore
from services.core.redis_store import EmbeddedRedis
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner
from services.worker import create_celery
from tests.support import runtime_tasks
from tests.support.runtime_server import create_tables, start_worker, wait_for_worker

RUNTIME = {"operation_lease_seconds": "2", "operation_reaper_interval_seconds": "0.25", "operation_stop_poll_seconds": "0.1"}


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds for values in seconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return round(ordered[index] * 1000, 2)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": pct(values, 50), "p99_ms": pct(values, 99)}


def event_time(event: operation_pb2.OperationEvent) -> float:
    return event.event_time.seconds + event.event_time.nanos / 1e9


async def celery_ping_baseline(settings: Settings, rounds: int) -> list[float]:
    app = create_celery(settings, register=False)
    samples = []
    try:
        for _ in range(rounds):
            began = time.perf_counter()
            await asyncio.to_thread(lambda: app.send_task("marquee.core.ping", args=["x"]).get(timeout=30))
            samples.append(time.perf_counter() - began)
    finally:
        app.close()
    return samples


async def pubsub_baseline(redis_url: str, rounds: int) -> list[float]:
    client = aioredis.Redis.from_url(redis_url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    channel = f"bench:pubsub:{uuid.uuid4().hex}"
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=1)
    samples = []
    try:
        for _ in range(rounds):
            began = time.perf_counter()
            await client.publish(channel, b"x" * 300)  # about the size of an OperationEvent
            while (await pubsub.get_message(timeout=5)) is None:
                pass
            samples.append(time.perf_counter() - began)
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await client.aclose()
    return samples


async def submit_to_first_progress(stub: media_pb2_grpc.MediaServiceStub, auth: Any, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        started = await stub.StartTranscode(media_pb2.StartTranscodeRequest(name="assets/quick"), metadata=auth)
        async for reply in stub.WatchOperation(media_pb2.WatchOperationRequest(name=started.operation.name), metadata=auth):
            if reply.event.operation.progress.step:
                samples.append(time.perf_counter() - began)
                break
    return samples


async def fan_out(open_stream: Any, begin: Any, server_pid: int, streams: int) -> dict[str, Any]:
    """`streams` concurrent streams of `WatchOperationResponse`; latency of each event to each
    stream (receive time minus the event's `event_time`). `begin()` starts the events and
    returns a name; `open_stream(index, name)` opens one stream."""
    rss_before = proc_status_kib(server_pid, "VmRSS")
    name = await begin()
    latencies: list[float] = []
    opened = asyncio.Event()
    counts = {"open": 0, "events": 0, "done": 0, "errors": 0}

    async def one(index: int) -> None:
        first = True
        try:
            async for reply in open_stream(index, name):
                received = time.time()
                if first:
                    first = False
                    counts["open"] += 1
                    if counts["open"] == streams:
                        opened.set()
                    continue  # the current state, not a change
                if opened.is_set():
                    latencies.append(received - event_time(reply.event))
                    counts["events"] += 1
                if reply.event.operation.done:
                    counts["done"] += 1
        except grpc.aio.AioRpcError as exc:
            counts["errors"] += 1
            log(f"stream {index}: {exc.code().name} {exc.details()}")
            if counts["open"] + counts["errors"] >= streams:
                opened.set()

    opening = time.perf_counter()
    tasks = [asyncio.create_task(one(i)) for i in range(streams)]
    await asyncio.wait_for(opened.wait(), 120)
    open_seconds = time.perf_counter() - opening
    await asyncio.sleep(3.0)
    rss_open = proc_status_kib(server_pid, "VmRSS")
    await asyncio.wait_for(asyncio.gather(*tasks), 600)
    rss_after = proc_status_kib(server_pid, "VmRSS")
    return {
        "streams": streams,
        "opened": counts["open"],
        "errors": counts["errors"],
        "ended_done": counts["done"],
        "open_all_seconds": round(open_seconds, 2),
        "events_measured": counts["events"],
        "event_latency": summary(latencies),
        "rss_mib": {
            "before": round(rss_before / 1024, 1),
            "with_streams": round(rss_open / 1024, 1),
            "after_streams_ended": round(rss_after / 1024, 1),
        },
        "rss_per_stream_kib": round((rss_open - rss_before) / max(1, streams), 1),
    }


# ---- the bare fan-out baseline: a grpc.aio server that broadcasts to N streams, nothing else ----

BARE_SERVICE = "bench.BareWatch"
THIS_SCRIPT = pathlib.Path(__file__).resolve()


async def serve_bare_fanout() -> None:
    """`/bench.BareWatch/Watch` streams join a broadcast; `/bench.BareWatch/Start` sends `events`
    pre-serialized WatchOperationResponses 0.25 s apart (the fanout scenario's rhythm)."""
    watchers: set[asyncio.Queue[bytes | None]] = set()

    async def watch_handler(request: bytes, context: Any) -> Any:
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        watchers.add(queue)
        try:
            yield _bare_event(0, done=False)  # the "current state"
            while (item := await queue.get()) is not None:
                yield item
        finally:
            watchers.discard(queue)

    async def broadcast(events: int) -> None:
        await asyncio.sleep(5.0)  # let the client open every stream first, as with the real run
        for sequence in range(1, events + 1):
            await asyncio.sleep(0.25)
            data = _bare_event(sequence, done=sequence == events)
            for queue in list(watchers):
                queue.put_nowait(data)
        for queue in list(watchers):
            queue.put_nowait(None)

    async def start_handler(request: bytes, context: Any) -> bytes:
        asyncio.get_running_loop().create_task(broadcast(int(request.decode() or "60")))
        return b""

    handler = grpc.method_handlers_generic_handler(
        BARE_SERVICE,
        {
            "Watch": grpc.unary_stream_rpc_method_handler(watch_handler),
            "Start": grpc.unary_unary_rpc_method_handler(start_handler),
        },
    )
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(f"bare fan-out server on 127.0.0.1:{port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(1.0)


def _bare_event(sequence: int, *, done: bool) -> bytes:
    event = operation_pb2.OperationEvent(sequence=sequence)
    event.event_time.GetCurrentTime()
    event.operation.name = "bare"
    event.operation.done = done
    return bytes(media_pb2.WatchOperationResponse(event=event).SerializeToString())


async def bare_fan_out(folder: pathlib.Path, streams: int, channel_count: int) -> dict[str, Any]:
    env = child_env({"PYTHONPATH": str(ROOT)})
    bare = ManagedProcess("bare", [sys.executable, str(THIS_SCRIPT), "--bare-fanout-server"], env, folder / "bare.log")
    channels: list[grpc.aio.Channel] = []
    try:
        (port_match,) = bare.start(re.compile(r"bare fan-out server on"), re.compile(r"127\.0\.0\.1:(\d+)"))
        channels = [grpc.aio.insecure_channel(f"127.0.0.1:{port_match.group(1)}") for _ in range(channel_count)]
        watches = [
            c.unary_stream(f"/{BARE_SERVICE}/Watch", response_deserializer=media_pb2.WatchOperationResponse.FromString)
            for c in channels
        ]
        starts = channels[0].unary_unary(f"/{BARE_SERVICE}/Start")

        async def begin() -> str:
            await starts(b"60")
            return "bare"

        return await fan_out(lambda index, name: watches[index % channel_count](b""), begin, bare.pid, streams)
    finally:
        for channel in channels:
            await channel.close()
        bare.stop()


async def sigkill_run(settings: Settings, stub: media_pb2_grpc.MediaServiceStub, auth: Any) -> dict[str, Any]:
    doomed = start_worker(settings, name="bench-doomed", queues="runtime_test_kill", concurrency=1, **RUNTIME)
    successor = None
    try:
        wait_for_worker(settings, doomed, name="bench-doomed")
        started = await stub.StartTranscode(media_pb2.StartTranscodeRequest(name="assets/killable_long"), metadata=auth)
        name = started.operation.name
        oid = name.rsplit("/", 1)[-1]
        async for reply in stub.WatchOperation(media_pb2.WatchOperationRequest(name=name), metadata=auth):
            if reply.event.operation.progress.step == "step_3":
                break
        # The successor is up and idle before the kill, so the figure is the runtime's, not Python's start-up.
        successor = start_worker(settings, name="bench-successor", queues="runtime_test_kill", concurrency=1, **RUNTIME)
        wait_for_worker(settings, successor, name="bench-successor")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        killed = time.time()
        resumed_at = None
        last = None
        async for reply in stub.WatchOperation(media_pb2.WatchOperationRequest(name=name), metadata=auth):
            event = reply.event
            if (
                resumed_at is None
                and event_time(event) > killed
                and event.operation.state == operation_pb2.OPERATION_STATE_RUNNING
            ):
                resumed_at = event_time(event)
            last = event.operation
        assert last is not None
        await asyncio.sleep(3.0)  # room for a late duplicate to (not) complete it again
        record, completions = operation_facts(settings, oid)
        return {
            "state": operation_pb2.OperationState.Name(last.state),
            "completions": completions,
            "attempts": record["attempts"],
            "kill_to_resumed_seconds": round(resumed_at - killed, 2) if resumed_at else None,
            "kill_to_done_seconds": round(time.time() - killed - 3.0, 2),
            "lease_seconds": float(RUNTIME["operation_lease_seconds"]),
            "reaper_interval_seconds": float(RUNTIME["operation_reaper_interval_seconds"]),
        }
    finally:
        for process in (doomed, successor):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(20)


def operation_facts(settings: Settings, oid: str) -> tuple[dict[str, Any], int]:
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection, Session(connection) as session:
            record = OperationStore(runtime_tasks.RUNTIME_OPERATIONS).get(session, oid)
            count = connection.execute(
                select(func.count()).select_from(runtime_tasks.completions).where(runtime_tasks.completions.c.operation_id == oid)
            ).scalar_one()
    finally:
        engine.dispose()
    assert record is not None
    return {"attempts": record.attempts, "state": record.state.value}, int(count)


async def run(args: argparse.Namespace, folder: pathlib.Path) -> dict[str, Any]:
    embedded = None
    if args.database_url:
        database_url, redis_url = args.database_url, args.redis_url
    else:
        embedded = EmbeddedRedis(folder / "redis")
        redis_url = embedded.start()
        database_url = f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(env="test", data_dir=folder, database_url=database_url, redis_url=redis_url, log_level="WARNING")
    # The services' schema as a deployment has it (every worker's reaper sweeps each service's
    # operations table), plus the test task's tables.
    await asyncio.to_thread(migrate.upgrade, settings)
    engine = create_engine(settings.resolved_database_url)
    create_tables(engine)
    engine.dispose()
    env = child_env(
        {
            "MARQUEE_ENV": "test", "MARQUEE_DATA_DIR": str(folder), "MARQUEE_DATABASE_URL": database_url,
            "MARQUEE_REDIS_URL": redis_url, "MARQUEE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
            # Every open stream holds one slot of the concurrency limit (256 by default).
            "MARQUEE_MAX_CONCURRENT_RPCS": str(args.streams + 256),
        }
    )  # fmt: skip
    server = ManagedProcess("server", [sys.executable, "-m", "tests.support.runtime_server"], env, folder / "server.log")
    worker = start_worker(settings, name="bench-main", queues=f"celery,{runtime_tasks.QUEUE}", **RUNTIME)
    channels: list[grpc.aio.Channel] = []
    try:
        (port_match,) = server.start(re.compile(r"runtime test server on"), re.compile(r"127\.0\.0\.1:(\d+)"))
        port = int(port_match.group(1))
        wait_for_worker(settings, worker, name="bench-main")
        channels = [grpc.aio.insecure_channel(f"127.0.0.1:{port}") for _ in range(args.channels)]
        stubs = [media_pb2_grpc.MediaServiceStub(c) for c in channels]
        token, _ = TokenSigner.from_settings(settings, KeySet.from_settings(settings)).sign(
            uuid.uuid4().hex, token_id=uuid.uuid4().hex
        )
        auth = (("authorization", f"Bearer {token}"),)
        log("warm-up")
        await submit_to_first_progress(stubs[0], auth, 3)
        await celery_ping_baseline(settings, 3)
        log(f"submit -> first progress x{args.submits}, with the Celery ping baseline")
        ping = await celery_ping_baseline(settings, args.submits)
        first_progress = await submit_to_first_progress(stubs[0], auth, args.submits)
        log("Redis pub/sub baseline")
        pubsub = await pubsub_baseline(redis_url, 200)
        log(f"{args.streams} concurrent WatchOperation streams")

        async def begin() -> str:
            started = await stubs[0].StartTranscode(media_pb2.StartTranscodeRequest(name="assets/fanout"), metadata=auth)
            return str(started.operation.name)

        def open_stream(index: int, name: str) -> Any:
            return stubs[index % args.channels].WatchOperation(media_pb2.WatchOperationRequest(name=name), metadata=auth)

        fan = await fan_out(open_stream, begin, server.pid, args.streams)
        log(f"{args.streams} streams on a bare grpc.aio broadcast server (baseline)")
        bare_fan = await bare_fan_out(folder, args.streams, args.channels)
        log("SIGKILL mid-task")
        killed = await sigkill_run(settings, stubs[0], auth)
        return {
            "backend": "postgresql+redis" if args.database_url else "sqlite+embedded-redis",
            "submit_to_first_progress": summary(first_progress),
            "baseline_celery_ping_round_trip": summary(ping),
            "watch_fan_out": fan,
            "baseline_bare_grpc_fan_out": bare_fan,
            "baseline_redis_pubsub_round_trip": summary(pubsub),
            "sigkill_mid_task": killed,
            "loadavg": os.getloadavg(),
        }
    finally:
        for channel in channels:
            await channel.close()
        worker.terminate()
        worker.wait(20)
        server.stop()
        if embedded is not None:
            embedded.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=10, help="client channels the streams are spread over")
    parser.add_argument("--submits", type=int, default=50)
    parser.add_argument("--bare-fanout-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_fanout_server:
        asyncio.run(serve_bare_fanout())
        return
    if bool(args.database_url) != bool(args.redis_url):
        parser.error("give both --database-url and --redis-url, or neither")
    log(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-operations-") as tmp:
        result = asyncio.run(run(args, pathlib.Path(tmp)))
    first, ping = result["submit_to_first_progress"], result["baseline_celery_ping_round_trip"]
    fan, bare = result["watch_fan_out"], result["baseline_redis_pubsub_round_trip"]
    kill = result["sigkill_mid_task"]
    print(f"backend {result['backend']}")
    print(f"submit -> first progress     p50 {first['p50_ms']:8.2f} ms  p99 {first['p99_ms']:8.2f} ms  (n={first['n']})")
    print(f"  baseline Celery ping       p50 {ping['p50_ms']:8.2f} ms  p99 {ping['p99_ms']:8.2f} ms")
    print(
        f"{fan['streams']} WatchOperation streams: opened {fan['opened']} in {fan['open_all_seconds']} s, errors {fan['errors']},"
        f" ended done {fan['ended_done']}"
    )
    latency = fan["event_latency"]
    print(f"  event fan-out latency      p50 {latency['p50_ms']:8.2f} ms  p99 {latency['p99_ms']:8.2f} ms"
          f"  ({fan['events_measured']} deliveries)")  # fmt: skip
    print(f"  baseline Redis pub/sub     p50 {bare['p50_ms']:8.2f} ms  p99 {bare['p99_ms']:8.2f} ms")
    bare_fan = result["baseline_bare_grpc_fan_out"]
    bare_latency, bare_rss = bare_fan["event_latency"], bare_fan["rss_mib"]
    print(f"  baseline bare gRPC fan-out p50 {bare_latency['p50_ms']:8.2f} ms  p99 {bare_latency['p99_ms']:8.2f} ms"
          f"  ({bare_fan['events_measured']} deliveries;"
          f" RSS {bare_rss['before']} -> {bare_rss['with_streams']} MiB)")  # fmt: skip
    rss = fan["rss_mib"]
    print(f"  server RSS MiB before {rss['before']}  with streams {rss['with_streams']}  after {rss['after_streams_ended']}"
          f"  ({fan['rss_per_stream_kib']} KiB per stream)")  # fmt: skip
    print(
        f"SIGKILL mid-task: {kill['state']}, completions {kill['completions']}, attempts {kill['attempts']},"
        f" kill -> resumed {kill['kill_to_resumed_seconds']} s, kill -> done {kill['kill_to_done_seconds']} s"
        f" (lease {kill['lease_seconds']} s, reaper every {kill['reaper_interval_seconds']} s)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
