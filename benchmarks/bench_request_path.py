"""The request path: authenticated, database-backed RPCs against a bare server and the briefs' design.

    python benchmarks/bench_request_path.py [--baseline-code DIR] [--repeats 3] [--calls 20000]
    python benchmarks/bench_request_path.py --database-url postgresql+psycopg://... --redis-url redis://...
    python benchmarks/bench_request_path.py --scale      # also 1 vs 2 `serve` processes behind Envoy
    python benchmarks/bench_request_path.py --profile 20 # also where a GetUser call's CPU goes (py-spy)

The method of issue #15. Every server runs alone, pinned to one core (`taskset -c 1`); the load
generator is h2load (Debian's `nghttp2-client`) pinned to the other core (`taskset -c 0`). Each
figure is the median of `--repeats` runs of `--calls` calls, after a discarded warm-up:
c1 is one connection with one stream, c64 is 4 connections x 16 streams (h2load -c 4 -m 16).

Servers, one after the other:
- `bare`: benchmarks/bare_server.py, a grpc.aio server answering the pre-serialized bytes of the
  GetUser response (the ceiling of a Python gRPC server on one core);
- `today` (with `--baseline-code DIR`, e.g. `git archive <commit> | tar -x -C DIR`): `marquee
  serve` run from that older checkout, on the same data;
- `marquee`: `marquee serve --services auth,catalog,tracking,billing` from this checkout;
  RPCs: Auth `GetUser users/me`, Catalog `GetTitle titles/{id}` (a series with 2 seasons, as a
  signed-in user: its entitlement comes from Billing), Tracking `GetShowProgress` (3 episodes
  watched);
- `fastapi`: benchmarks/fastapi_server.py, FastAPI + uvicorn (httptools, uvloop) + PyJWT + an
  SQLAlchemy ORM read of the same user row, as `GET /users/me` over HTTP/1.1. HTTP/1.1 has no
  streams: its c64 is 64 connections (h2load --h1 -c 64).

Data: one user registered with `Register`, one series created and published with Catalog's
admin RPCs (an admin token signed with the same key set), three episodes marked watched. SQLite
in a temporary data dir with an embedded Redis by default; with `--database-url` the PostgreSQL
database is migrated (its other tables are left alone). Before the load each RPC is called once
on every Marquee server and the answers' bytes compared (`identical` in the output).

With `--profile SECONDS`, after its figures the `marquee` server is loaded with GetUser at c64 for
that long while py-spy (a dev-only dependency; `--nonblocking`, so the server is never paused)
samples it from the client core; each sample is put in the bucket of its innermost Python frame
(`BUCKETS`: self time by component; C code counts against the Python line that called it), and
the shares are turned into microseconds with the c64 CPU-per-call figure of the same run.

Per figure: `rps` (calls/s), `cpu_us` (the server process's user+system CPU per call, from
/proc; for Marquee the `serve` process, not its embedded Redis or PostgreSQL), and the ratios
to `bare` and `fastapi` from the same run. Progress goes to stderr; stdout is a table, then
one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import os
import pathlib
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field

import grpc
from google.type import date_pb2
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc
from marquee.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from marquee.tracking.v1 import tracking_pb2, tracking_pb2_grpc
from support import ROOT, ManagedProcess, child_env, log, proc_cpu_seconds

HOST = "127.0.0.1"
BENCH_DIR = pathlib.Path(__file__).resolve().parent
LISTENING = re.compile(r"(?:grpc|http) listening on 127\.0\.0\.1:(\d+)")
READY = re.compile(r"^(marquee|bare|fastapi): ready", re.MULTILINE)
SERVER_CORE, CLIENT_CORE = "1", "0"
SERVICES = "auth,catalog,tracking,billing"
RPC_TIMEOUT = 10.0

GET_USER = "/marquee.auth.v1.AuthService/GetUser"
GET_TITLE = "/marquee.catalog.v1.CatalogService/GetTitle"
GET_PROGRESS = "/marquee.tracking.v1.TrackingService/GetShowProgress"
BARE_METHOD = "/bench.Bare/Get"
CONCURRENCY = {"c1": (1, 1), "c64": (4, 16)}  # connections, streams per connection


def grpc_frame(message: bytes) -> bytes:
    return b"\x00" + struct.pack(">I", len(message)) + message


@dataclass
class Seeded:
    token: str
    title_id: str
    requests: dict[str, bytes]  # method path -> serialized request


@dataclass
class Figure:
    rps: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)
    failed: int = 0

    def summary(self) -> dict[str, float]:
        return {
            "rps": round(statistics.median(self.rps), 1),
            "cpu_us": round(statistics.median(self.cpu_us), 1),
            "runs": [round(r) for r in self.rps],  # type: ignore[dict-item]
            "failed": self.failed,
        }


# -- load ---------------------------------------------------------------------------


def h2load(
    url: str, *, calls: int, connections: int, streams: int, body: pathlib.Path | None, headers: list[str], h1: bool,
    client_cores: str = CLIENT_CORE,
) -> tuple[float, int, int]:  # fmt: skip
    """One h2load run on the client core: (calls/s, succeeded, data bytes received)."""
    argv = ["taskset", "-c", client_cores, "h2load", "-n", str(calls), "-c", str(connections), "-m", str(streams)]
    if h1:
        argv.append("--h1")
    if body is not None:
        argv += ["-d", str(body)]
    for header in headers:
        argv += ["-H", header]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603 - h2load with our own arguments
    out = done.stdout
    rate = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    ok = re.search(r"(\d+) succeeded", out)
    data = re.search(r"\((\d+)\) data", out)
    if done.returncode != 0 or not rate or not ok or not data or int(ok.group(1)) == 0:
        raise RuntimeError(f"h2load failed ({done.returncode}):\n{out}\n{done.stderr}")
    return float(rate.group(1)), int(ok.group(1)), int(data.group(1))


def measure(
    label: str, pid: int | list[int], url: str, *, body: pathlib.Path | None, headers: list[str], answer_bytes: int,
    args: argparse.Namespace, h1: bool = False, client_cores: str = CLIENT_CORE, only: tuple[str, ...] = ("c1", "c64"),
) -> dict[str, dict[str, float]]:  # fmt: skip
    """Warm-up, then `--repeats` runs at each concurrency; the medians."""
    pids = pid if isinstance(pid, list) else [pid]
    out: dict[str, dict[str, float]] = {}
    load = functools.partial(h2load, url, body=body, headers=headers, h1=h1, client_cores=client_cores)
    for name, (connections, streams) in CONCURRENCY.items():
        if name not in only:
            continue
        calls = args.calls if name == "c64" else args.c1_calls
        if h1 and name == "c64":
            connections, streams = 64, 1
        load(calls=max(500, calls // 5), connections=connections, streams=streams)
        figure = Figure()
        for _ in range(args.repeats):
            before = sum(proc_cpu_seconds(p) for p in pids)
            rps, ok, data = load(calls=calls, connections=connections, streams=streams)
            spent = sum(proc_cpu_seconds(p) for p in pids) - before
            # An error is an HTTP 200 with no DATA in gRPC: count answers by their bytes too.
            complete = min(ok, data // answer_bytes) if answer_bytes else ok
            figure.failed += calls - complete
            figure.rps.append(rps)
            figure.cpu_us.append(spent / max(1, complete) * 1e6)
        out[name] = figure.summary()
        log(f"{label} {name}: {out[name]['rps']:.0f} calls/s, {out[name]['cpu_us']:.0f} us CPU a call, runs {figure.rps}")
    return out


# -- profile ------------------------------------------------------------------------

# py-spy names files by their path below sys.path ("asyncio/events.py", "services/auth/handlers.py").
# A sample counts against its innermost frame (self time); the first bucket whose prefix that
# frame's file starts with names it.
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("request log", ("logging/", "services/core/logs.py")),
    ("token check", ("jwt/", "cryptography/", "services/core/tokens.py", "services/core/revocation.py")),
    ("database read", ("sqlite3/", "psycopg", "sqlalchemy/", "services/core/db.py", "services/core/repository.py")),
    ("redis", ("redis/", "services/core/ratelimit.py", "services/core/redis_store.py")),
    ("protobuf", ("google/protobuf/",)),
    ("policy, names, errors (core)", ("services/core/",)),
    ("service code (handlers, use cases, mapping)", ("services/",)),
    ("grpc.aio (Python side)", ("grpc/",)),
    ("event loop (asyncio, selectors)", ("asyncio/", "selectors.py")),
    ("threads (grpc poller, lane)", ("threading.py", "concurrent/", "queue.py")),
)
FRAME_FILE = re.compile(r"\(([^()]*?):\d+\)$")


def bucket_of(frames: list[str]) -> str:
    match = FRAME_FILE.search(frames[-1]) if frames else None
    file = match.group(1) if match else ""
    for name, markers in BUCKETS:
        if any(file.startswith(marker) or f"/{marker}" in file for marker in markers):
            return name
    return "other"


def profile(
    pid: int, url: str, *, body: pathlib.Path, headers: list[str], seconds: int, cpu_us: float, workdir: pathlib.Path
) -> dict[str, object]:  # fmt: skip
    """py-spy samples of the server under c64 GetUser load, bucketed by component (self time)."""
    spy = shutil.which("py-spy") or str(pathlib.Path(sys.executable).with_name("py-spy"))
    if not pathlib.Path(spy).exists():
        raise RuntimeError("py-spy is missing: pip install py-spy")
    connections, streams = CONCURRENCY["c64"]
    load_argv = ["taskset", "-c", CLIENT_CORE, "h2load", "-D", str(seconds + 4), "-c", str(connections), "-m", str(streams),
                 "-d", str(body)]  # fmt: skip
    for header in headers:
        load_argv += ["-H", header]
    raw = workdir / "profile.txt"
    loader = subprocess.Popen([*load_argv, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        time.sleep(2)
        spy_argv = ["taskset", "-c", CLIENT_CORE, spy, "record", "--pid", str(pid), "--rate", "250", "--duration",
                    str(seconds), "--format", "raw", "--nonblocking", "--output", str(raw)]  # fmt: skip
        subprocess.run(spy_argv, capture_output=True, timeout=seconds + 60, check=True)  # noqa: S603 - our own arguments
    finally:
        loader.wait(timeout=seconds + 60)
    counts: dict[str, int] = {}
    innermost: dict[str, int] = {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        name = bucket_of(frames)
        counts[name] = counts.get(name, 0) + int(count)
        # C code (grpc's Cython core, upb, sqlite3) counts against the Python line that called it.
        leaf = frames[-1]
        innermost[leaf] = innermost.get(leaf, 0) + int(count)
    total = sum(counts.values()) or 1
    shares = {name: round(n / total, 4) for name, n in sorted(counts.items(), key=lambda item: -item[1])}
    top = {leaf: round(n / total, 4) for leaf, n in sorted(innermost.items(), key=lambda item: -item[1])[:15]}
    out = {"samples": total, "cpu_us_per_call": cpu_us, "shares": shares, "top_lines": top,
           "us_per_call": {name: round(share * cpu_us, 1) for name, share in shares.items()}}  # fmt: skip
    log(f"profile: {total} samples; " + ", ".join(f"{k} {v * 100:.1f}%" for k, v in shares.items()))
    return out


# -- servers ------------------------------------------------------------------------


class PinnedProcess(ManagedProcess):
    """A server on the server core, run from a given checkout."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], log_path: pathlib.Path, cwd: pathlib.Path, core: str = SERVER_CORE
    ) -> None:
        super().__init__(name, ["taskset", "-c", core, *argv], env, log_path)
        self.cwd = cwd

    def start(self, ready: re.Pattern[str], *wanted: re.Pattern[str], timeout_seconds: float = 120.0) -> list[re.Match[str]]:
        with self.log_path.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
                self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            matches = [pattern.search(text) for pattern in wanted]
            if ready.search(text) and all(matches):
                return [m for m in matches if m is not None]
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} before ready:\n{self.tail()}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {timeout_seconds:.0f} s:\n{self.tail()}")

    @property
    def server_pid(self) -> int:
        """The Python process under taskset (taskset execs it, so the pid is the same)."""
        return self.pid


def marquee_process(
    name: str, code: pathlib.Path, env: dict[str, str], workdir: pathlib.Path, core: str = SERVER_CORE
) -> PinnedProcess:
    env = {**env, "PYTHONPATH": str(code)}
    argv = [sys.executable, "-m", "services.cli", "serve", "--services", SERVICES, "--port", "0"]
    return PinnedProcess(name, argv, env, workdir / f"{name}.log", code, core)


# -- seeding ------------------------------------------------------------------------


def _date(value: dt.date) -> date_pb2.Date:
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


async def seed(port: int, admin_token: str) -> Seeded:
    async with grpc.aio.insecure_channel(f"{HOST}:{port}") as channel:
        await asyncio.wait_for(channel.channel_ready(), RPC_TIMEOUT)
        auth = auth_pb2_grpc.AuthServiceStub(channel)
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        tracking = tracking_pb2_grpc.TrackingServiceStub(channel)
        admin = (("authorization", f"Bearer {admin_token}"),)
        registered = await auth.Register(
            auth_pb2.RegisterRequest(
                email=f"bench-{uuid.uuid4().hex[:12]}@example.com", password="bench-" + uuid.uuid4().hex,
                display_name="Bench User", locale="en-GB", time_zone="Europe/London",
            ),
            timeout=RPC_TIMEOUT,
        )  # fmt: skip
        token = registered.tokens.access_token
        user = (("authorization", f"Bearer {token}"),)
        title = (
            await catalog.CreateTitle(
                catalog_pb2.CreateTitleRequest(
                    title=catalog_pb2.Title(
                        kind=catalog_pb2.TITLE_KIND_SERIES, display_name=f"Bench Series {uuid.uuid4().hex[:6]}",
                        genres=["Drama"], overview="A series for the request-path benchmark.",
                    )
                ),
                metadata=admin, timeout=RPC_TIMEOUT,
            )
        ).title  # fmt: skip
        aired = dt.date.today() - dt.timedelta(days=30)
        for season in (1, 2):
            await catalog.CreateSeason(
                catalog_pb2.CreateSeasonRequest(parent=title.name, season=catalog_pb2.Season(season_number=season)),
                metadata=admin, timeout=RPC_TIMEOUT,
            )  # fmt: skip
            for number in range(1, 6):
                await catalog.CreateEpisode(
                    catalog_pb2.CreateEpisodeRequest(
                        parent=f"{title.name}/seasons/{season}",
                        episode=catalog_pb2.Episode(
                            episode_number=number, display_name=f"Episode {season}x{number}", runtime_minutes=30,
                            air_date=_date(aired),
                        ),
                    ),
                    metadata=admin, timeout=RPC_TIMEOUT,
                )  # fmt: skip
        await catalog.PublishTitle(catalog_pb2.PublishTitleRequest(name=title.name), metadata=admin, timeout=RPC_TIMEOUT)
        await tracking.MarkWatched(
            tracking_pb2.MarkWatchedRequest(parent="users/me", items=[f"{title.name}/seasons/1/episodes/{n}" for n in (1, 2, 3)]),
            metadata=user, timeout=RPC_TIMEOUT,
        )  # fmt: skip
        title_id = title.name.removeprefix("titles/")
        requests = {
            GET_USER: auth_pb2.GetUserRequest(name="users/me").SerializeToString(),
            GET_TITLE: catalog_pb2.GetTitleRequest(name=title.name).SerializeToString(),
            GET_PROGRESS: tracking_pb2.GetShowProgressRequest(name=f"users/me/progress/{title_id}").SerializeToString(),
        }
        return Seeded(token, title_id, requests)


async def answers(port: int, seeded: Seeded) -> dict[str, bytes]:
    """Each RPC's answer bytes (typed checks first: an error must not pass as a figure)."""
    async with grpc.aio.insecure_channel(f"{HOST}:{port}") as channel:
        await asyncio.wait_for(channel.channel_ready(), RPC_TIMEOUT)
        metadata = (("authorization", f"Bearer {seeded.token}"),)
        out = {}
        for method, request in seeded.requests.items():
            call = channel.unary_unary(method)
            for _ in range(3):  # the second and third answers come from warm caches
                out[method] = await call(request, metadata=metadata, timeout=RPC_TIMEOUT)
        user = auth_pb2.GetUserResponse.FromString(out[GET_USER]).user
        progress = tracking_pb2.GetShowProgressResponse.FromString(out[GET_PROGRESS]).progress
        title = catalog_pb2.GetTitleResponse.FromString(out[GET_TITLE])
        if user.display_name != "Bench User" or progress.watched_episode_count != 3 or len(title.seasons) != 2:
            raise RuntimeError(f"unexpected answers: {user}, {progress}, {title}")
        return out


# -- the run ------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: pathlib.Path, started: list[ManagedProcess]) -> dict[str, object]:
    from services.core.settings import Settings
    from services.core.tokens import ROLE_ADMIN, KeySet, TokenSigner

    postgres = bool(args.database_url)
    env = child_env(
        {
            "MARQUEE_DATA_DIR": str(workdir / "data"),
            "MARQUEE_LOG_LEVEL": args.log_level,
            "MARQUEE_ACCESS_TOKEN_TTL_SECONDS": "7200",
            "MARQUEE_CATALOG_DEMO_DATA": "false",
        }
    )
    if postgres:
        env["MARQUEE_DATABASE_URL"] = args.database_url
        env["MARQUEE_REDIS_URL"] = args.redis_url
    log("migrating the database")
    migrated = subprocess.run(
        [sys.executable, "-m", "services.cli", "migrate"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if migrated.returncode != 0:
        raise RuntimeError(f"marquee migrate failed ({migrated.returncode}):\n{migrated.stdout}{migrated.stderr}")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]  # the dev key set, as the servers use
    keys = KeySet.from_settings(settings)
    signer = TokenSigner(keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_seconds=7200)
    admin_token, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=ROLE_ADMIN)
    pem = workdir / "public.pem"
    pem.write_text(keys.active.public_pem())

    codes: list[tuple[str, pathlib.Path]] = []
    if args.baseline_code:
        codes.append(("today", pathlib.Path(args.baseline_code).resolve()))
    codes.append(("marquee", ROOT))

    results: dict[str, object] = {}
    answer_bytes: dict[str, dict[str, bytes]] = {}
    seeded: Seeded | None = None
    bodies: dict[str, pathlib.Path] = {}
    for label, code in codes:
        server = marquee_process(label, code, env, workdir)
        started.append(server)
        log(f"starting {label} ({code})")
        port = int(server.start(READY, LISTENING, timeout_seconds=180)[0].group(1))
        if seeded is None:
            seeded = asyncio.run(seed(port, admin_token))
            for method, request in seeded.requests.items():
                path = workdir / (method.rsplit("/", 1)[1] + ".bin")
                path.write_bytes(grpc_frame(request))
                bodies[method] = path
        answer_bytes[label] = asyncio.run(answers(port, seeded))
        headers = ["content-type: application/grpc", "te: trailers", f"authorization: Bearer {seeded.token}"]
        figures = {}
        for method in (GET_USER, GET_TITLE, GET_PROGRESS):
            short = method.rsplit("/", 1)[1]
            if short not in args.rpcs:
                continue
            figures[short] = measure(
                f"{label} {short}", server.server_pid, f"http://{HOST}:{port}{method}", body=bodies[method],
                headers=headers, answer_bytes=len(answer_bytes[label][method]) + 5, args=args,
            )  # fmt: skip
        results[label] = figures
        if args.profile and label == "marquee" and "GetUser" in figures:
            results["profile"] = profile(
                server.server_pid, f"http://{HOST}:{port}{GET_USER}", body=bodies[GET_USER], headers=headers,
                seconds=args.profile, cpu_us=figures["GetUser"]["c64"]["cpu_us"], workdir=workdir,
            )  # fmt: skip
        server.stop()
    assert seeded is not None

    size = len(answer_bytes["marquee"][GET_USER])
    bare = PinnedProcess(
        "bare", [sys.executable, str(BENCH_DIR / "bare_server.py"), str(size)], child_env({}), workdir / "bare.log", ROOT
    )
    started.append(bare)
    log(f"starting bare ({size}-byte answer)")
    bare_port = int(bare.start(READY, LISTENING)[0].group(1))
    results["bare"] = measure(
        "bare", bare.server_pid, f"http://{HOST}:{bare_port}{BARE_METHOD}", body=bodies[GET_USER],
        headers=["content-type: application/grpc", "te: trailers", f"authorization: Bearer {seeded.token}"],
        answer_bytes=size + 5, args=args,
    )  # fmt: skip
    bare.stop()

    database_url = args.database_url or f"sqlite:///{workdir / 'data' / 'marquee.db'}"
    fastapi = PinnedProcess(
        "fastapi", [sys.executable, str(BENCH_DIR / "fastapi_server.py"), database_url, str(pem)], child_env({}),
        workdir / "fastapi.log", ROOT,
    )  # fmt: skip
    started.append(fastapi)
    log("starting fastapi")
    fastapi_port = int(fastapi.start(READY, LISTENING)[0].group(1))
    results["fastapi"] = measure(
        "fastapi", fastapi.server_pid, f"http://{HOST}:{fastapi_port}/users/me", body=None,
        headers=[f"authorization: Bearer {seeded.token}"], answer_bytes=0, args=args, h1=True,
    )  # fmt: skip
    fastapi.stop()

    if args.scale:
        results["scale"] = scale(args, env, workdir, started, seeded, bodies)

    if "today" in answer_bytes:
        results["identical"] = {
            m.rsplit("/", 1)[1]: answer_bytes["today"][m] == answer_bytes["marquee"][m] for m in seeded.requests
        }
    results["backend"] = "postgresql+redis" if postgres else "sqlite+embedded-redis"
    results["load_before"] = os.getloadavg()[0]
    return results


def scale(
    args: argparse.Namespace, env: dict[str, str], workdir: pathlib.Path, started: list[ManagedProcess],
    seeded: Seeded, bodies: dict[str, pathlib.Path],
) -> dict[str, object]:  # fmt: skip
    """GetUser through Envoy (native gRPC) to 1, then 2 `serve` processes on the same data.

    One process is pinned to the server core, two to one core each; Envoy and h2load float
    (a 2-core box has no third core), so this is the whole machine's figure, not one core's.
    """
    from gateway.envoy import GatewayConfig, Upstream
    from gateway.process import EnvoyProcess

    out: dict[str, object] = {}
    headers = ["content-type: application/grpc", "te: trailers", f"authorization: Bearer {seeded.token}"]
    size = 0
    for count in (1, 2):
        servers: list[PinnedProcess] = []
        ports: list[int] = []
        for index in range(count):
            core = SERVER_CORE if count == 1 else str(index)
            server = marquee_process(f"scale{count}-{index}", ROOT, env, workdir, core=core)
            started.append(server)
            servers.append(server)
            ports.append(int(server.start(READY, LISTENING, timeout_seconds=180)[0].group(1)))
        for port in ports:
            size = len(asyncio.run(answers(port, seeded))[GET_USER])
        config = GatewayConfig(
            listen_host=HOST, listen_port=0, admin_port=0, upstreams=tuple(Upstream(HOST, p) for p in ports),
            access_log_path="/dev/null", health_check_interval_seconds=0.5,
        )  # fmt: skip
        envoy = EnvoyProcess(config, workdir / f"envoy-{count}")
        envoy.start()
        try:
            time.sleep(1.5)  # a few health checks: every upstream in the rotation
            pids = [s.server_pid for s in servers]
            out[f"processes_{count}"] = measure(
                f"envoy -> {count} serve", pids, f"{envoy.url}{GET_USER}", body=bodies[GET_USER], headers=headers,
                answer_bytes=size + 5, args=args, client_cores="0,1", only=("c64",),
            )  # fmt: skip
        finally:
            envoy.stop()
            for server in servers:
                server.stop()
    return out


def table(results: dict[str, object]) -> str:
    lines = [
        f"{'server':<9} {'rpc':<16} {'conc':<4} {'calls/s':>9} {'CPU us/call':>12} {'x bare':>7} {'x fastapi':>9} {'x today':>8}"
    ]
    bare = results["bare"]
    fastapi = results["fastapi"]
    assert isinstance(bare, dict)
    assert isinstance(fastapi, dict)
    lines.append("-" * len(lines[0]))
    for conc in CONCURRENCY:
        lines.append(f"{'bare':<9} {'echo':<16} {conc:<4} {bare[conc]['rps']:>9.0f} {bare[conc]['cpu_us']:>12.0f}")
        lines.append(
            f"{'fastapi':<9} {'GET /users/me':<16} {conc:<4} {fastapi[conc]['rps']:>9.0f} {fastapi[conc]['cpu_us']:>12.0f} "
            f"{fastapi[conc]['rps'] / bare[conc]['rps']:>7.2f}"
        )
    for label in ("today", "marquee"):
        figures = results.get(label)
        if not isinstance(figures, dict):
            continue
        for rpc, by_conc in figures.items():
            for conc, figure in by_conc.items():
                today = results.get("today", {}).get(rpc, {}).get(conc) if label == "marquee" else None  # type: ignore[union-attr]
                versus = f"{figure['rps'] / today['rps']:>8.2f}" if today else ""
                against_fastapi = f"{figure['rps'] / fastapi[conc]['rps']:>9.2f}" if rpc == "GetUser" else " " * 9
                lines.append(
                    f"{label:<9} {rpc:<16} {conc:<4} {figure['rps']:>9.0f} {figure['cpu_us']:>12.0f} "
                    f"{figure['rps'] / bare[conc]['rps']:>7.2f} {against_fastapi} {versus}"
                )
    scaled = results.get("scale")
    if isinstance(scaled, dict):
        for key, by_conc in scaled.items():
            figure = by_conc["c64"]
            lines.append(f"{'envoy':<9} {'GetUser ' + key:<16} c64  {figure['rps']:>9.0f} {figure['cpu_us']:>12.0f}")
    profiled = results.get("profile")
    if isinstance(profiled, dict):
        spent, samples = profiled["cpu_us_per_call"], profiled["samples"]
        lines.append(f"where a GetUser c64 call's {spent:.0f} us of CPU go ({samples} py-spy samples):")
        for name, micros in profiled["us_per_call"].items():
            lines.append(f"  {name:<34} {micros:>7.1f} us  {profiled['shares'][name] * 100:>5.1f} %")
        lines.append("  innermost Python lines (C code counts against the line that called it):")
        for leaf, share in profiled["top_lines"].items():
            lines.append(f"    {share * 100:>5.1f} %  {leaf}")
    lines.append(f"identical answers today vs now: {results.get('identical')}; backend {results['backend']}")
    return "\n".join(lines)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-code", default="", help="a checkout of older code to measure as `today` in the same run")
    parser.add_argument("--database-url", default="", help="PostgreSQL (postgresql+psycopg://...); SQLite by default")
    parser.add_argument("--redis-url", default="", help="with --database-url: the Redis (redis://host:port/db)")
    parser.add_argument("--calls", type=int, default=20_000, help="calls per c64 run (default 20,000)")
    parser.add_argument("--c1-calls", type=int, default=3_000, help="calls per c1 run (default 3,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    parser.add_argument("--rpcs", default="GetUser,GetTitle,GetShowProgress", help="which Marquee RPCs to load")
    parser.add_argument("--log-level", default="INFO", help="MARQUEE_LOG_LEVEL of the Marquee servers (default INFO)")
    parser.add_argument("--scale", action="store_true", help="also 1 vs 2 serve processes behind Envoy")
    parser.add_argument("--profile", type=int, default=0, metavar="SECONDS", help="also py-spy GetUser c64 for this long")
    args = parser.parse_args(argv)
    if bool(args.database_url) != bool(args.redis_url):
        parser.error("--database-url and --redis-url go together")
    if shutil.which("h2load") is None:
        parser.error("h2load is missing: apt-get install nghttp2-client")

    signal.signal(signal.SIGTERM, _terminate)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="marquee-bench-path-"))
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
    print(json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
