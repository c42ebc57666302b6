"""What Envoy costs: one unary RPC called directly over gRPC, as JSON through Envoy, and as gRPC-Web through Envoy.

    python benchmarks/bench_gateway.py [--duration 5] [--client-procs 1] [--no-httpx] [--no-auth-config]

Starts `python -m services.cli up --port 0 --gateway-port 0 --no-worker` (SQLite
and an embedded Redis in a temporary MARQUEE_DATA_DIR, MARQUEE_LOG_LEVEL=WARNING):
the gRPC server and, in front of it, Envoy with the real rendered config (gRPC-JSON
transcoding, gRPC-Web, CORS, buffer filter, a JSON access log written to a file).
Registers one user, then loads `GetUser(name="users/me")` with its bearer token (an
authenticated, database-backed unary RPC) and the public `GetAuthConfig`:

    direct                grpc.aio to the server port: one channel, N coroutines
    envoy_json            HTTP/1.1 GET /auth/v1/users/me through Envoy, keep-alive
    envoy_grpc_web        HTTP/1.1 POST /marquee.auth.v1.AuthService/GetUser through Envoy,
                          application/grpc-web+proto; frames parsed, grpc-status 0 required
    envoy_*_httpx         the same two through httpx.AsyncClient (pool of N connections); GetUser only

at concurrency 1 and 64: a 1 s warm-up flowing straight into `--duration` measured
seconds. No mode deserializes the answer during the load (each checks the status
only); one call of each RPC is fully checked each way before.

Which HTTP client. httpx.AsyncClient cannot load Envoy: at 64 concurrent requests
its connection pool, not Envoy or the server, sets the pace (tens of requests per
second on 2 cores, with the server and Envoy mostly idle; encode/httpx#3215). So
the envoy_json and envoy_grpc_web figures come from a minimal asyncio-streams
HTTP/1.1 client, one keep-alive connection per coroutine (a pool sized to the
concurrency), which costs the client about as little per call as grpc.aio's C
core does in direct mode. The httpx runs stay in the table for comparison.

Where the client runs. Each run gets fresh client processes (`--client-procs`,
default 1: one asyncio process drives all N coroutines), never this process, so
imports, the checks and this process's garbage stay out of the measurement and
every mode pays the same start-up outside the clock. More client processes only
add contenders for the same cores on a small machine (compare with
`--client-procs 2`). CPU time of the server, Envoy and the clients is sampled
over each measured window, so the table shows who was busy. On a 2-core machine
the client competes with the server and Envoy for the same cores: read the
figures as relative, not absolute.

Prints a table, then as its last line one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import pathlib
import re
import shutil
import signal
import struct
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

import grpc
import httpx
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc
from support import ManagedProcess, child_env, log, proc_cpu_seconds, proc_status_kib

HOST = "127.0.0.1"
GRPC_LISTENING = re.compile(r"grpc listening on 127\.0\.0\.1:(\d+)")
GATEWAY = re.compile(r"http gateway on (http://127\.0\.0\.1:\d+) .*pid (\d+)")
REDIS = re.compile(r"embedded redis pid (\d+)")
READY = re.compile(r"^marquee: ready", re.MULTILINE)
SERVICE = "/marquee.auth.v1.AuthService"
MODES = ("direct", "envoy_json", "envoy_grpc_web")
HTTPX_MODES = ("envoy_json_httpx", "envoy_grpc_web_httpx")  # the same two through httpx.AsyncClient, for comparison
CONCURRENCIES = (1, 64)
WARMUP_SECONDS = 1.0
RPC_TIMEOUT_SECONDS = 10.0
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0
CLIENT_READY_TIMEOUT_SECONDS = 60.0
# The same call two ways per RPC: (gRPC method, request bytes, JSON path, needs the token).
RPCS: dict[str, tuple[str, bytes, str, bool]] = {
    "GetUser": ("GetUser", auth_pb2.GetUserRequest(name="users/me").SerializeToString(), "/auth/v1/users/me", True),
    "GetAuthConfig": ("GetAuthConfig", auth_pb2.GetAuthConfigRequest().SerializeToString(), "/auth/v1/config", False),
}


# -- gRPC-Web framing ---------------------------------------------------------------


def grpc_web_frame(message: bytes) -> bytes:
    return b"\x00" + struct.pack(">I", len(message)) + message


def grpc_web_parse(body: bytes, headers: Mapping[str, str]) -> tuple[int, str, list[bytes]]:
    """(grpc-status, grpc-message, data messages) of a gRPC-Web response body.

    The status is in the trailer frame (flag 0x80), or in the headers of a trailers-only answer."""
    messages: list[bytes] = []
    trailers: dict[str, str] = {}
    offset = 0
    while offset + 5 <= len(body):
        flag = body[offset]
        (length,) = struct.unpack_from(">I", body, offset + 1)
        payload = body[offset + 5 : offset + 5 + length]
        if len(payload) != length:
            raise ValueError(f"truncated gRPC-Web frame: {len(payload)} of {length} bytes")
        offset += 5 + length
        if flag & 0x80:
            for line in payload.decode("latin-1").split("\r\n"):
                name, sep, value = line.partition(":")
                if sep:
                    trailers[name.strip().lower()] = value.strip()
        else:
            messages.append(payload)
    if offset != len(body):
        raise ValueError(f"{len(body) - offset} stray bytes after the gRPC-Web frames")
    status = trailers.get("grpc-status", headers.get("grpc-status"))
    if status is None:
        raise ValueError("gRPC-Web response without grpc-status")
    return int(status), trailers.get("grpc-message", headers.get("grpc-message", "")), messages


# -- the client (runs in its own processes) ------------------------------------------


class CallFailed(Exception):
    pass


class Http1Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: the least a client can do per request.

    Reads a Content-Length or chunked body; reconnects after an error or `connection: close`."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: bytes, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        assert reader is not None
        try:
            writer.write(head + body)
            raw_head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = raw_head[:-4].decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            headers: dict[str, str] = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                content = await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                    if size == 0:
                        while (await reader.readuntil(b"\r\n")) != b"\r\n":  # HTTP trailers, if any
                            pass
                        break
                    chunks.append((await reader.readexactly(size + 2))[:-2])
                content = b"".join(chunks)
            else:
                content = await reader.read()
                headers["connection"] = "close"
        except BaseException:
            await self.close()
            raise
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, content

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def make_call(
    mode: str, rpc: str, spec: dict[str, Any], connections: int
) -> tuple[Callable[[Any], Awaitable[None]], Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]:
    """(call, new_worker_state, close) for one mode: each call checks the status and leaves the payload unparsed.

    `new_worker_state` gives each coroutine its own state (its HTTP/1.1 connection for the asyncio client)."""
    method, request, json_path, needs_token = RPCS[rpc]
    auth = {"authorization": f"Bearer {spec['token']}"} if needs_token else {}
    grpc_web_headers = {"content-type": "application/grpc-web+proto", "x-grpc-web": "1", "accept": "application/grpc-web+proto"}
    grpc_path = f"{SERVICE}/{method}"
    frame = grpc_web_frame(request)

    async def no_state() -> None:
        return None

    def check_grpc_web(status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        if status_code != 200:
            raise CallFailed(f"HTTP {status_code}: {content[:200]!r}")
        status, message, messages = grpc_web_parse(content, headers)
        if status != 0 or len(messages) != 1:
            raise CallFailed(f"grpc-status {status} {message!r}, {len(messages)} messages")

    if mode == "direct":
        channel = grpc.aio.insecure_channel(spec["grpc_target"], options=[("grpc.enable_http_proxy", 0)])
        await asyncio.wait_for(channel.channel_ready(), RPC_TIMEOUT_SECONDS)
        unary = channel.unary_unary(grpc_path)
        metadata = tuple(auth.items())

        async def call_direct(_: None) -> None:
            await unary(request, metadata=metadata, timeout=RPC_TIMEOUT_SECONDS)

        async def close_channel() -> None:
            await channel.close()

        return call_direct, no_state, close_channel

    if mode.endswith("_httpx"):
        client = httpx.AsyncClient(
            base_url=spec["http_base"],
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=60),
            timeout=RPC_TIMEOUT_SECONDS,
            trust_env=False,  # never through a proxy
        )
        if mode == "envoy_json_httpx":
            json_headers = {**auth, "accept": "application/json"}

            async def call_json_httpx(_: None) -> None:
                response = await client.get(json_path, headers=json_headers)
                if response.status_code != 200:
                    raise CallFailed(f"HTTP {response.status_code}: {response.text[:200]}")

            return call_json_httpx, no_state, client.aclose

        web_headers = {**auth, **grpc_web_headers}

        async def call_grpc_web_httpx(_: None) -> None:
            response = await client.post(grpc_path, content=frame, headers=web_headers)
            check_grpc_web(response.status_code, response.headers, response.content)

        return call_grpc_web_httpx, no_state, client.aclose

    host, port = spec["http_base"].removeprefix("http://").rsplit(":", 1)
    opened: list[Http1Connection] = []

    async def new_connection() -> Http1Connection:
        connection = Http1Connection(host, int(port))
        opened.append(connection)
        return connection

    async def close_all() -> None:
        for connection in opened:
            await connection.close()

    def head(verb: str, path: str, headers: dict[str, str]) -> bytes:
        lines = [f"{verb} {path} HTTP/1.1", f"host: {host}:{port}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        return "\r\n".join(lines).encode("latin-1")

    if mode == "envoy_json":
        json_head = head("GET", json_path, {**auth, "accept": "application/json"})

        async def call_json(connection: Http1Connection) -> None:
            status_code, _, content = await connection.request(json_head)
            if status_code != 200:
                raise CallFailed(f"HTTP {status_code}: {content[:200]!r}")

        return call_json, new_connection, close_all

    web_head = head("POST", grpc_path, {**auth, **grpc_web_headers, "content-length": str(len(frame))})

    async def call_grpc_web(connection: Http1Connection) -> None:
        check_grpc_web(*await connection.request(web_head, frame))

    return call_grpc_web, new_connection, close_all


async def drive(
    call: Callable[[Any], Awaitable[None]],
    new_state: Callable[[], Awaitable[Any]],
    coroutines: int,
    start: float,
    measure: float,
    end: float,
    max_calls: int,
) -> dict[str, Any]:
    """Call back to back from `start`; record calls begun in [measure, end). Monotonic clock (shared by processes)."""
    per_worker = max(1, max_calls // coroutines)
    latencies: list[list[int]] = [[] for _ in range(coroutines)]
    errors = [0]
    first_error: list[str] = []
    last_done = [0.0]
    measure_ns, end_ns = int(measure * 1e9), int(end * 1e9)
    clock = time.monotonic_ns

    async def worker(out: list[int]) -> None:
        state = await new_state()
        for _ in range(per_worker):
            began = clock()
            if began >= end_ns:
                return
            try:
                await call(state)
            except Exception as exc:  # every failure is counted, never fatal: the figure says so
                if began >= measure_ns:
                    errors[0] += 1
                    if not first_error:
                        first_error.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            done = clock()
            if began >= measure_ns:
                out.append(done - began)
                last_done[0] = max(last_done[0], done / 1e9)

    cpu: dict[str, float] = {}

    async def sample_cpu() -> None:
        await asyncio.sleep(max(0.0, measure - time.monotonic()))
        cpu["start"] = time.process_time()

    await asyncio.sleep(max(0.0, start - time.monotonic()))
    sampler = asyncio.create_task(sample_cpu())
    await asyncio.gather(*(worker(out) for out in latencies))
    await sampler
    return {
        "latencies_ns": [value for out in latencies for value in out],
        "errors": errors[0],
        "first_error": first_error[0] if first_error else "",
        "last_done": last_done[0] or time.monotonic(),
        "cpu_seconds": time.process_time() - cpu["start"],
    }


async def client_run(spec: dict[str, Any], conn: Connection) -> None:
    call, new_state, close = await make_call(spec["mode"], spec["rpc"], spec, spec["coroutines"])
    try:
        conn.send(("ready", None))
        start, measure, end = conn.recv()  # blocks this process only, before any load
        result = await drive(call, new_state, spec["coroutines"], start, measure, end, spec["max_calls"])
    finally:
        await close()
    conn.send(("result", result))


def client_main(spec: dict[str, Any], conn: Connection) -> None:
    """Entry point of a client process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    try:
        asyncio.run(client_run(spec, conn))
    except BaseException as exc:
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        conn.close()


# -- the stack (server + Envoy) -------------------------------------------------------


class Stack(ManagedProcess):
    """`marquee up` in its own session: the gRPC server in that process, Envoy and Redis its children."""

    def __init__(self, env: dict[str, str], log_path: pathlib.Path) -> None:
        argv = [sys.executable, "-m", "services.cli", "up", "--port", "0", "--gateway-port", "0", "--no-worker"]
        super().__init__("marquee up", argv, env, log_path)
        self.grpc_port = 0
        self.http_base = ""
        self.envoy_pid = 0
        self.redis_pid = 0

    @property
    def server_pid(self) -> int:
        return self.pid

    def start_stack(self) -> None:
        grpc_port, gateway = self.start(READY, GRPC_LISTENING, GATEWAY, timeout_seconds=START_TIMEOUT_SECONDS)
        self.grpc_port = int(grpc_port.group(1))
        self.http_base, self.envoy_pid = gateway.group(1), int(gateway.group(2))
        redis = REDIS.search(self.log_path.read_text(errors="replace"))
        self.redis_pid = int(redis.group(1)) if redis else 0


# -- setup and checks (this process) ---------------------------------------------------


async def register_and_check(stack: Stack) -> tuple[str, str, dict[str, int]]:
    """Register one user; call each RPC once each way, fully parsed. Returns (token, email, response sizes)."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    sizes: dict[str, int] = {}
    async with grpc.aio.insecure_channel(f"{HOST}:{stack.grpc_port}", options=[("grpc.enable_http_proxy", 0)]) as channel:
        await asyncio.wait_for(channel.channel_ready(), RPC_TIMEOUT_SECONDS)
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        registered = await stub.Register(
            auth_pb2.RegisterRequest(email=email, password="bench-" + uuid.uuid4().hex, display_name="Bench User"),
            timeout=RPC_TIMEOUT_SECONDS,
        )
        token = registered.tokens.access_token
        auth = {"authorization": f"Bearer {token}"}
        user = await stub.GetUser(
            auth_pb2.GetUserRequest(name="users/me"), metadata=tuple(auth.items()), timeout=RPC_TIMEOUT_SECONDS
        )
        config = await stub.GetAuthConfig(auth_pb2.GetAuthConfigRequest(), timeout=RPC_TIMEOUT_SECONDS)
    if user.user.email != email:
        raise RuntimeError(f"direct GetUser answered {user.user.email!r}, expected {email!r}")
    sizes["GetUser"], sizes["GetAuthConfig"] = user.ByteSize(), config.ByteSize()

    async with httpx.AsyncClient(base_url=stack.http_base, timeout=RPC_TIMEOUT_SECONDS, trust_env=False) as client:
        response = await client.get("/auth/v1/users/me", headers=auth)
        if response.status_code != 200 or response.json().get("user", {}).get("email") != email:
            raise RuntimeError(f"JSON GetUser through Envoy: HTTP {response.status_code} {response.text[:300]}")
        sizes["GetUser_json"] = len(response.content)
        response = await client.get("/auth/v1/config")
        if response.status_code != 200:
            raise RuntimeError(f"JSON GetAuthConfig through Envoy: HTTP {response.status_code} {response.text[:300]}")
        sizes["GetAuthConfig_json"] = len(response.content)
        for rpc, parse in (("GetUser", auth_pb2.GetUserResponse), ("GetAuthConfig", auth_pb2.GetAuthConfigResponse)):
            method, request, _, needs_token = RPCS[rpc]
            headers = {"content-type": "application/grpc-web+proto", "x-grpc-web": "1", **(auth if needs_token else {})}
            response = await client.post(f"{SERVICE}/{method}", content=grpc_web_frame(request), headers=headers)
            status, message, messages = grpc_web_parse(response.content, response.headers)
            if response.status_code != 200 or status != 0 or len(messages) != 1:
                raise RuntimeError(f"gRPC-Web {rpc} through Envoy: HTTP {response.status_code}, grpc-status {status} {message!r}")
            answer = parse.FromString(messages[0])
            if rpc == "GetUser" and answer.user.email != email:  # type: ignore[attr-defined]
                raise RuntimeError(f"gRPC-Web GetUser answered {answer.user.email!r}")  # type: ignore[attr-defined]
    return token, email, sizes


# -- one measured run -------------------------------------------------------------------


def percentile_ms(ordered: list[int], fraction: float) -> float:
    """Nearest-rank percentile of sorted nanosecond latencies, in milliseconds."""
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1] / 1e6


def run_phase(
    mode: str, rpc: str, concurrency: int, stack: Stack, token: str, args: argparse.Namespace, ctx: Any
) -> dict[str, Any]:
    procs = min(args.client_procs, concurrency)
    shares = [concurrency // procs + (1 if i < concurrency % procs else 0) for i in range(procs)]
    spec = {
        "mode": mode, "rpc": rpc, "token": token, "grpc_target": f"{HOST}:{stack.grpc_port}", "http_base": stack.http_base,
        "max_calls": args.max_calls // procs,
    }  # fmt: skip
    clients: list[tuple[Any, Connection]] = []
    try:
        for share in shares:
            parent_end, child_end = ctx.Pipe()
            process = ctx.Process(target=client_main, args=({**spec, "coroutines": share}, child_end), daemon=True)
            process.start()
            child_end.close()
            clients.append((process, parent_end))
        for process, conn in clients:
            if not conn.poll(CLIENT_READY_TIMEOUT_SECONDS):
                raise RuntimeError(f"client process {process.pid} not ready in {CLIENT_READY_TIMEOUT_SECONDS:.0f} s")
            kind, detail = conn.recv()
            if kind != "ready":
                raise RuntimeError(f"client process {process.pid}: {detail}")
        start = time.monotonic() + 0.2
        measure = start + WARMUP_SECONDS
        end = measure + args.duration
        for _, conn in clients:
            conn.send((start, measure, end))
        time.sleep(max(0.0, measure - time.monotonic()))
        pids = {"server": stack.server_pid, "envoy": stack.envoy_pid, "redis": stack.redis_pid}
        cpu_before = {name: proc_cpu_seconds(pid) for name, pid in pids.items() if pid}
        time.sleep(max(0.0, end - time.monotonic()))
        results = []
        for process, conn in clients:
            if not conn.poll(args.duration + 2 * RPC_TIMEOUT_SECONDS + 30):
                raise RuntimeError(f"client process {process.pid} did not report")
            kind, detail = conn.recv()
            if kind != "result":
                raise RuntimeError(f"client process {process.pid}: {detail}")
            results.append(detail)
        cpu_after = {name: proc_cpu_seconds(pid) for name, pid in pids.items() if pid}
        for process, _ in clients:
            process.join(10)
    finally:
        for process, conn in clients:
            conn.close()
            if process.is_alive():
                process.terminate()
                process.join(5)
                if process.is_alive():
                    process.kill()
                    process.join()

    latencies = sorted(value for result in results for value in result["latencies_ns"])
    seconds = max(max(result["last_done"] for result in results), end) - measure
    phase = {
        "calls": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
        "max_ms": latencies[-1] / 1e6 if latencies else math.nan,
        "errors": sum(result["errors"] for result in results),
        "first_error": next((result["first_error"] for result in results if result["first_error"]), ""),
        "cpu_pct": {name: 100 * (cpu_after[name] - cpu_before[name]) / seconds for name in cpu_before},
        "client_procs": procs,
    }
    phase["cpu_pct"]["client"] = 100 * sum(result["cpu_seconds"] for result in results) / seconds
    return phase


# -- the run ----------------------------------------------------------------------------


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    return round(proc_status_kib(pid, field) / 1024, 1)


def run(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    log("starting marquee up (server + Envoy)")
    stack.start_stack()
    log(f"server pid {stack.server_pid} grpc :{stack.grpc_port}; envoy pid {stack.envoy_pid} at {stack.http_base}")
    time.sleep(1.0)  # let start-up settle before the idle reading
    rss: dict[str, dict[str, float]] = {
        "envoy": {"idle": rss_mib(stack.envoy_pid)},
        "server": {"idle": rss_mib(stack.server_pid)},
    }
    token, _email, sizes = asyncio.run(register_and_check(stack))
    log(f"registered a user; every mode answered (sizes {sizes})")

    ctx = mp.get_context("spawn")
    phases: dict[str, dict[str, dict[int, dict[str, Any]]]] = {}
    for rpc in args.rpcs:
        modes = MODES + (HTTPX_MODES if rpc == "GetUser" and not args.no_httpx else ())
        # The modes of one concurrency back to back: whatever else the machine does then hits all of them alike.
        for concurrency in CONCURRENCIES:
            for mode in modes:
                log(f"{rpc} {mode} c={concurrency}: {WARMUP_SECONDS:g} s warm-up + {args.duration:g} s")
                phase = run_phase(mode, rpc, concurrency, stack, token, args, ctx)
                log(
                    f"{rpc} {mode} c={concurrency}: {phase['rps']:.0f} req/s, p50 {phase['p50_ms']:.2f} ms, "
                    f"p99 {phase['p99_ms']:.2f} ms, {phase['errors']} errors"
                )
                phases.setdefault(rpc, {}).setdefault(mode, {})[concurrency] = phase
    rss["envoy"]["after"] = rss_mib(stack.envoy_pid)
    rss["envoy"]["peak"] = rss_mib(stack.envoy_pid, "VmHWM")
    rss["server"]["after"] = rss_mib(stack.server_pid)
    rss["server"]["peak"] = rss_mib(stack.server_pid, "VmHWM")
    return {"phases": phases, "rss": rss, "sizes": sizes, "load_before": load_before, "load_after": os.getloadavg()[0]}


def table(results: dict[str, Any], args: argparse.Namespace) -> str:
    columns = (
        ("rpc", 13), ("mode", 20), ("conc", 4), ("calls", 7), ("req/s", 8), ("p50 ms", 7), ("p99 ms", 7), ("max ms", 7),
        ("errors", 6), ("server", 7), ("envoy", 7), ("client", 7),
    )  # fmt: skip
    header = " ".join(f"{name:<{width}}" if i < 2 else f"{name:>{width}}" for i, (name, width) in enumerate(columns))
    lines = [header, "-" * len(header)]
    for rpc, modes in results["phases"].items():
        for mode, by_concurrency in modes.items():
            for concurrency, p in by_concurrency.items():
                cpu = p["cpu_pct"]
                lines.append(
                    f"{rpc:<13} {mode:<20} {concurrency:>4} {p['calls']:>7} {p['rps']:>8.1f} {p['p50_ms']:>7.2f} "
                    f"{p['p99_ms']:>7.2f} {p['max_ms']:>7.1f} {p['errors']:>6} {cpu['server']:>6.0f}% "
                    f"{cpu['envoy'] if mode != 'direct' else 0.0:>6.0f}% {cpu['client']:>6.0f}%"
                )
                if p["first_error"]:
                    lines.append(f"    first error: {p['first_error']}")
    lines.append("")
    lines.append("server / envoy / client: CPU over the measured window, % of one core (envoy is idle in direct mode)")
    for rpc, modes in results["phases"].items():
        for concurrency in CONCURRENCIES:
            direct = modes["direct"][concurrency]["rps"]
            json_ratio = modes["envoy_json"][concurrency]["rps"] / direct
            web_ratio = modes["envoy_grpc_web"][concurrency]["rps"] / direct
            lines.append(f"{rpc} c={concurrency}: JSON / direct {json_ratio:.3f}, gRPC-Web / direct {web_ratio:.3f}")
    lines.append("")
    rss = results["rss"]
    for name in ("envoy", "server"):
        r = rss[name]
        lines.append(
            f"{name:<6} RSS idle {r['idle']:6.1f} MiB, after load {r['after']:6.1f} MiB, peak (VmHWM) {r['peak']:6.1f} MiB"
        )
    sizes = results["sizes"]
    lines.append(
        f"response sizes: GetUser {sizes['GetUser']} B protobuf / {sizes['GetUser_json']} B JSON; "
        f"GetAuthConfig {sizes['GetAuthConfig']} B / {sizes['GetAuthConfig_json']} B"
    )
    cores = os.cpu_count() or 0
    lines.append(
        f"cores: {cores}; 1-minute load average before / after: {results['load_before']:.2f} / {results['load_after']:.2f}. "
        f"Client: {args.client_procs} asyncio process(es) per run, separate from this one."
    )
    if cores <= 2:
        lines.append(
            "NOTE: on 2 cores the client shares the CPUs with the server and Envoy (Envoy runs one worker per core), "
            "so every figure includes that contention; compare modes, not absolute numbers."
        )
    lines.append(
        "Clients: direct = grpc.aio (C-core HTTP/2, one channel); envoy_json / envoy_grpc_web = asyncio-streams HTTP/1.1, "
        "one keep-alive connection per coroutine; *_httpx = httpx.AsyncClient (pool = concurrency). "
        "A client near 100% CPU caps its mode."
    )
    lines.append("Envoy writes one JSON access-log line per request to a file (the real config).")
    return "\n".join(lines)


def figures(results: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    def summary(phase: dict[str, Any]) -> dict[str, Any]:
        return {
            "rps": round(phase["rps"], 1),
            "p50_ms": round(phase["p50_ms"], 3),
            "p99_ms": round(phase["p99_ms"], 3),
            "errors": phase["errors"],
        }

    phases = results["phases"]
    get_user = phases["GetUser"]
    out: dict[str, Any] = {mode: {f"c{c}": summary(get_user[mode][c]) for c in CONCURRENCIES} for mode in get_user}
    rss = results["rss"]
    out["envoy_rss_mib"] = {"idle": rss["envoy"]["idle"], "after": rss["envoy"]["after"]}
    out["server_rss_mib"] = {"idle": rss["server"]["idle"], "after": rss["server"]["after"]}
    ratios = {}
    for label, mode in (("json", "envoy_json"), ("grpc_web", "envoy_grpc_web")):
        for c in CONCURRENCIES:
            ratios[f"{label}_vs_direct_c{c}"] = round(get_user[mode][c]["rps"] / get_user["direct"][c]["rps"], 3)
    out["ratios"] = ratios
    if "GetAuthConfig" in phases:
        config = phases["GetAuthConfig"]
        out["get_auth_config"] = {mode: {f"c{c}": summary(config[mode][c]) for c in CONCURRENCIES} for mode in MODES}
    out["client"] = {
        "procs": args.client_procs,
        "envoy_modes": "asyncio-streams HTTP/1.1, one keep-alive connection per coroutine",
        "httpx_modes": "httpx.AsyncClient, pool = concurrency",
    }
    out["cores"] = os.cpu_count()
    return out


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per mode and concurrency (default 5)")
    parser.add_argument(
        "--client-procs", type=int, default=1, help="client processes sharing the coroutines of one run (default 1)"
    )
    parser.add_argument("--max-calls", type=int, default=2_000_000, help="cap on calls per run, warm-up included")
    parser.add_argument("--no-auth-config", action="store_true", help="measure GetUser only (skip GetAuthConfig)")
    parser.add_argument("--no-httpx", action="store_true", help="skip the httpx.AsyncClient comparison runs")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 600:
        parser.error("--duration must be in (0, 600] seconds")
    if not 1 <= args.client_procs <= 16:
        parser.error("--client-procs must be in [1, 16]")
    if args.max_calls < max(CONCURRENCIES):
        parser.error(f"--max-calls must be at least {max(CONCURRENCIES)}")
    args.rpcs = ("GetUser",) if args.no_auth_config else ("GetUser", "GetAuthConfig")

    signal.signal(signal.SIGTERM, _terminate)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="marquee-bench-gateway-"))
    # The token must outlive the run (default lifetime 15 minutes).
    runs = (len(args.rpcs) * len(MODES) + len(HTTPX_MODES)) * len(CONCURRENCIES)
    token_ttl = max(900, int(runs * (args.duration + WARMUP_SECONDS + 5) + 600))
    env = child_env(
        {
            "MARQUEE_DATA_DIR": str(workdir / "data"),
            "MARQUEE_LOG_LEVEL": "WARNING",
            "MARQUEE_ACCESS_TOKEN_TTL_SECONDS": str(token_ttl),
        }
    )
    stack = Stack(env, workdir / "marquee.log")
    try:
        results = run(args, stack)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Exception as exc:
        log(f"failed: {type(exc).__name__}: {exc}")
        if stack.process is not None:
            log(f"marquee up output:\n{stack.tail()}")
        return 1
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(results, args))
    print(json.dumps(figures(results, args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
