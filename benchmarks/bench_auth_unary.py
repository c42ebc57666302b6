"""Unary RPC throughput and latency: Marquee's GetUser against a bare grpc.aio server.

    python benchmarks/bench_auth_unary.py [--duration 5]
    python benchmarks/bench_auth_unary.py --database-url postgresql+psycopg://... --redis-url redis://...

Starts `python -m services.cli serve --services auth --port 0` (SQLite and an
embedded Redis by default), registers one user and loads
`GetUser(name="users/me")` with its access token: an authenticated,
database-backed unary RPC. Then starts benchmarks/bare_server.py, a grpc.aio
server with one generic unary method and no interceptors, answering a
pre-serialized payload of the same byte size. Each server runs alone, in its
own process; this script is the client (one grpc.aio channel, N coroutines).

For each server and each concurrency (1 and 64): a warm-up, then `--duration`
seconds of calls, every latency recorded. Prints a table, then as its last
line one JSON object with the figures (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

import grpc
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc
from support import ROOT, ManagedProcess, child_env, log, proc_cpu_seconds, proc_status_kib

BARE_SERVER = pathlib.Path(__file__).resolve().parent / "bare_server.py"
HOST = "127.0.0.1"
LISTENING = re.compile(r"grpc listening on 127\.0\.0\.1:(\d+)")
READY = re.compile(r"^(marquee|bare): ready", re.MULTILINE)
GET_USER = "/marquee.auth.v1.AuthService/GetUser"
BARE_METHOD = "/bench.Bare/Get"
CONCURRENCIES = (1, 64)
WARMUP_SECONDS = 1.0
RPC_TIMEOUT_SECONDS = 10.0
START_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 20.0

Metadata = tuple[tuple[str, str], ...]


# -- load -------------------------------------------------------------------------


@dataclasses.dataclass
class Phase:
    concurrency: int
    calls: int
    seconds: float
    latencies_ns: list[int]
    server_cpu_seconds: float
    client_cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the recorded latencies, in milliseconds."""
        ordered = sorted(self.latencies_ns)
        if not ordered:
            return math.nan
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1] / 1e6

    @property
    def max_ms(self) -> float:
        return max(self.latencies_ns) / 1e6 if self.latencies_ns else math.nan

    def summary(self) -> dict[str, float]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile_ms(0.50), 3),
            "p99_ms": round(self.percentile_ms(0.99), 3),
        }


async def run_load(
    call: Callable[[], Awaitable[bytes]], *, concurrency: int, seconds: float, max_calls: int, server_pid: int
) -> Phase:
    """`concurrency` coroutines calling back to back until `seconds` pass or `max_calls` are made."""
    per_worker = max(1, max_calls // concurrency)
    recorded: list[list[int]] = [[] for _ in range(concurrency)]
    clock = time.perf_counter_ns
    deadline = clock() + int(seconds * 1e9)

    async def worker(out: list[int]) -> None:
        for _ in range(per_worker):
            started = clock()
            if started >= deadline:
                return
            await call()
            out.append(clock() - started)

    server_cpu = proc_cpu_seconds(server_pid)
    client_cpu = time.process_time()
    began = clock()
    await asyncio.gather(*(worker(out) for out in recorded))
    elapsed = (clock() - began) / 1e9
    latencies = [value for out in recorded for value in out]
    return Phase(
        concurrency=concurrency,
        calls=len(latencies),
        seconds=elapsed,
        latencies_ns=latencies,
        server_cpu_seconds=proc_cpu_seconds(server_pid) - server_cpu,
        client_cpu_seconds=time.process_time() - client_cpu,
    )


@dataclasses.dataclass
class ServerResult:
    phases: dict[int, Phase]
    rss_idle_kib: int
    rss_peak_kib: int
    notes: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> dict[str, object]:
        result: dict[str, object] = {f"c{c}": phase.summary() for c, phase in self.phases.items()}
        result["rss_idle_mib"] = round(self.rss_idle_kib / 1024, 1)
        result["rss_peak_mib"] = round(self.rss_peak_kib / 1024, 1)
        return result


async def measure(
    call: Callable[[], Awaitable[bytes]], *, server_pid: int, duration: float, max_calls: int, label: str
) -> tuple[dict[int, Phase], int, int]:
    """Idle RSS, then warm-up + measured run at each concurrency, then peak RSS."""
    rss_idle = proc_status_kib(server_pid, "VmRSS")
    phases = {}
    for concurrency in CONCURRENCIES:
        log(f"{label}: warm-up c={concurrency} ({WARMUP_SECONDS:.0f} s)")
        await run_load(call, concurrency=concurrency, seconds=WARMUP_SECONDS, max_calls=max_calls, server_pid=server_pid)
        log(f"{label}: measuring c={concurrency} ({duration:g} s)")
        phase = await run_load(call, concurrency=concurrency, seconds=duration, max_calls=max_calls, server_pid=server_pid)
        log(f"{label}: c={concurrency} {phase.rps:.0f} req/s, p50 {phase.percentile_ms(0.5):.2f} ms")
        phases[concurrency] = phase
    rss_peak = proc_status_kib(server_pid, "VmHWM")
    return phases, rss_idle, rss_peak


async def bench_marquee(port: int, server_pid: int, args: argparse.Namespace) -> tuple[ServerResult, int, Metadata]:
    """Register a user, check GetUser once, then load it. Returns the result, the response size, the metadata sent."""
    async with grpc.aio.insecure_channel(f"{HOST}:{port}") as channel:
        await asyncio.wait_for(channel.channel_ready(), RPC_TIMEOUT_SECONDS)
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        registered = await stub.Register(
            auth_pb2.RegisterRequest(email=email, password="bench-" + uuid.uuid4().hex, display_name="Bench User"),
            timeout=RPC_TIMEOUT_SECONDS,
        )
        metadata = (("authorization", f"Bearer {registered.tokens.access_token}"),)
        checked = await stub.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)
        if checked.user.email != email:
            raise RuntimeError(f"GetUser answered {checked.user.email!r}, expected {email!r}")
        response_bytes = checked.ByteSize()

        # The measured calls send pre-serialized bytes and do not parse the answer, exactly like
        # the calls to the bare server: the client's cost per call is the same for both.
        request = auth_pb2.GetUserRequest(name="users/me").SerializeToString()
        get_user = channel.unary_unary(GET_USER)
        raw = await get_user(request, metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)
        if len(raw) != response_bytes:
            raise RuntimeError(f"GetUser answered {len(raw)} bytes, then {response_bytes}")

        async def call() -> bytes:
            return await get_user(request, metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)

        phases, idle, peak = await measure(
            call, server_pid=server_pid, duration=args.duration, max_calls=args.max_calls, label="marquee"
        )
        result = ServerResult(phases, idle, peak)
        if args.database_url:  # leave the shared database as we found it
            try:
                await stub.DeleteUser(auth_pb2.DeleteUserRequest(name="users/me"), metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)
                result.notes.append(f"benchmark user {email} deleted")
            except grpc.aio.AioRpcError as exc:
                result.notes.append(f"benchmark user {email} left in the database ({exc.code().name}: {exc.details()})")
        return result, response_bytes, metadata


async def bench_bare(port: int, server_pid: int, metadata: Metadata, args: argparse.Namespace) -> ServerResult:
    async with grpc.aio.insecure_channel(f"{HOST}:{port}") as channel:
        await asyncio.wait_for(channel.channel_ready(), RPC_TIMEOUT_SECONDS)
        request = auth_pb2.GetUserRequest(name="users/me").SerializeToString()
        get = channel.unary_unary(BARE_METHOD)

        async def call() -> bytes:
            return await get(request, metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)

        phases, idle, peak = await measure(
            call, server_pid=server_pid, duration=args.duration, max_calls=args.max_calls, label="bare"
        )
        return ServerResult(phases, idle, peak)


# -- the run ----------------------------------------------------------------------


@dataclasses.dataclass
class Results:
    marquee: ServerResult
    bare: ServerResult
    response_bytes: int
    postgres: bool
    load_before: float


def run(args: argparse.Namespace, workdir: pathlib.Path, started: list[ManagedProcess]) -> Results:
    postgres = bool(args.database_url)
    load_before = os.getloadavg()[0]
    # Long runs must not outlive the access token (default 15 minutes).
    token_ttl = max(900, int(len(CONCURRENCIES) * (args.duration + WARMUP_SECONDS) + 600))
    env = child_env(
        {
            "MARQUEE_DATA_DIR": str(workdir / "data"),
            "MARQUEE_LOG_LEVEL": "WARNING",
            "MARQUEE_ACCESS_TOKEN_TTL_SECONDS": str(token_ttl),
        }
    )
    if postgres:
        env["MARQUEE_DATABASE_URL"] = args.database_url
        env["MARQUEE_REDIS_URL"] = args.redis_url
        log("migrating the database")
        migrated = subprocess.run(
            [sys.executable, "-m", "services.cli", "migrate"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        if migrated.returncode != 0:
            raise RuntimeError(f"marquee migrate failed ({migrated.returncode}):\n{migrated.stdout}{migrated.stderr}")

    marquee = ManagedProcess(
        "marquee",
        [sys.executable, "-m", "services.cli", "serve", "--services", "auth", "--port", "0"],
        env,
        workdir / "marquee.log",
    )
    started.append(marquee)
    log("starting marquee (auth)")
    port = int(marquee.start(READY, LISTENING, timeout_seconds=START_TIMEOUT_SECONDS)[0].group(1))
    log(f"marquee pid {marquee.pid} on port {port}")
    marquee_result, response_bytes, metadata = asyncio.run(bench_marquee(port, marquee.pid, args))
    marquee.stop(STOP_TIMEOUT_SECONDS)

    # The bare server gets the same request bytes and the same authorization header (which it ignores).
    bare = ManagedProcess("bare", [sys.executable, str(BARE_SERVER), str(response_bytes)], child_env({}), workdir / "bare.log")
    started.append(bare)
    log(f"starting the bare server ({response_bytes}-byte response)")
    bare_port = int(bare.start(READY, LISTENING, timeout_seconds=START_TIMEOUT_SECONDS)[0].group(1))
    log(f"bare pid {bare.pid} on port {bare_port}")
    bare_result = asyncio.run(bench_bare(bare_port, bare.pid, metadata, args))
    bare.stop(STOP_TIMEOUT_SECONDS)

    return Results(marquee_result, bare_result, response_bytes, postgres, load_before)


def table(results: Results) -> str:
    marquee, bare = results.marquee, results.bare
    columns = ("conc", "calls", "req/s", "p50 ms", "p99 ms", "max ms", "srv CPU", "cli CPU")
    header = f"{'server':<8} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, (4, 8, 9, 8, 8, 8, 8, 8), strict=True))
    lines = [header, "-" * len(header)]
    for name, result in (("marquee", marquee), ("bare", bare)):
        for concurrency, phase in result.phases.items():
            lines.append(
                f"{name:<8} {concurrency:>4} {phase.calls:>8} {phase.rps:>9.1f} {phase.percentile_ms(0.5):>8.3f} "
                f"{phase.percentile_ms(0.99):>8.3f} {phase.max_ms:>8.2f} "
                f"{100 * phase.server_cpu_seconds / phase.seconds:>7.0f}% {100 * phase.client_cpu_seconds / phase.seconds:>7.0f}%"
            )
    lines.append("")
    for name, result in (("marquee", marquee), ("bare", bare)):
        idle, peak = result.rss_idle_kib / 1024, result.rss_peak_kib / 1024
        lines.append(f"{name:<8} RSS idle {idle:7.1f} MiB   peak (VmHWM) {peak:7.1f} MiB")
    lines.append("")
    for concurrency in CONCURRENCIES:
        ratio = marquee.phases[concurrency].rps / bare.phases[concurrency].rps
        lines.append(f"marquee / bare throughput at c={concurrency}: {ratio:.3f}")
    lines.append(f"response: {results.response_bytes} bytes; cores: {os.cpu_count()}; CPU % is of one core")
    lines.append(f"1-minute load average before the run: {results.load_before:.2f} (other work on the machine skews the figures)")
    lines.extend(marquee.notes)
    return "\n".join(lines)


def figures(results: Results) -> dict[str, object]:
    marquee, bare = results.marquee, results.bare
    out: dict[str, object] = {"marquee": marquee.summary(), "bare": bare.summary()}
    for concurrency in CONCURRENCIES:
        out[f"ratio_c{concurrency}"] = round(marquee.phases[concurrency].rps / bare.phases[concurrency].rps, 3)
    out["backend"] = "postgresql+redis" if results.postgres else "sqlite+embedded-redis"
    out["response_bytes"] = results.response_bytes
    return out


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per server and concurrency (default 5)")
    parser.add_argument("--database-url", default="", help="run Marquee on this database (postgresql+psycopg://...)")
    parser.add_argument("--redis-url", default="", help="and this Redis (redis://host:port/db); both or neither")
    parser.add_argument("--max-calls", type=int, default=5_000_000, help="cap on calls per measured run (default 5,000,000)")
    args = parser.parse_args(argv)
    if bool(args.database_url) != bool(args.redis_url):
        parser.error("--database-url and --redis-url go together")
    if not 0 < args.duration <= 3600:
        parser.error("--duration must be in (0, 3600] seconds")
    if args.max_calls < max(CONCURRENCIES):
        parser.error(f"--max-calls must be at least {max(CONCURRENCIES)}")

    signal.signal(signal.SIGTERM, _terminate)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="marquee-bench-"))
    started: list[ManagedProcess] = []
    try:
        results = run(args, workdir, started)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Exception as exc:
        log(f"failed: {exc}")
        for server in started:
            if server.process is not None:
                log(f"{server.name} output:\n{server.tail()}")
        return 1
    finally:
        for server in started:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(results))
    print(json.dumps(figures(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
