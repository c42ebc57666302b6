"""`marquee`: run all of Marquee (`up`), a subset (`serve`), a worker, or migrations."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from gateway.process import EnvoyProcess
from services.core import logs, migrate
from services.core.clients import gateway_token
from services.core.processes import stop_process
from services.core.redis_store import EmbeddedRedis
from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import ALL_SERVICES, Settings, describe_invalid, load_settings
from services.core.storage import StorageSettings

if TYPE_CHECKING:
    from services.media.settings import MediaSettings

log = logging.getLogger("marquee")


@contextlib.contextmanager
def redis_for(settings: Settings) -> Iterator[Settings]:
    """Settings whose redis_url is real: the configured server, or the data dir's embedded one
    (started by the first process on that data dir, joined by the others)."""
    if settings.redis_url:
        yield settings
        return
    embedded = EmbeddedRedis(settings.data_dir / "redis")
    url = embedded.start()
    how = "joined the" if embedded.joined else "started"
    print(f"marquee: {how} embedded redis pid {embedded.pid} at {url}", flush=True)
    try:
        yield settings.model_copy(update={"redis_url": url})
    finally:
        embedded.stop()
        log.info("left the embedded redis")


@contextlib.contextmanager
def storage_for(settings: Settings) -> Iterator[Callable[[], None]]:
    """The embedded SeaweedFS while Media runs without a configured S3 endpoint; nothing otherwise.

    It starts in a thread (its own start takes seconds) while migrations, the demo catalog and
    the servers come up; the yielded function waits for it. Until then storage calls answer
    UNAVAILABLE (the store connects on first use), and `ready` is printed only after it."""
    if "media" not in settings.services or StorageSettings.load(settings).storage_endpoint_url:
        yield lambda: None
        return
    embedded = EmbeddedSeaweedFS(settings.data_dir / "seaweedfs")
    embedded.forget_connection()  # one left by a killed run would point at a dead port
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seaweedfs-start")
    starting = pool.submit(embedded.start)
    pool.shutdown(wait=False)

    def ready() -> None:
        connection = starting.result()
        print(f"marquee: embedded seaweedfs pid {embedded.pid}, S3 at {connection.endpoint_url}", flush=True)

    try:
        yield ready
    finally:
        with contextlib.suppress(Exception):  # a failed start was already reported by ready()
            starting.result()
        embedded.stop()
        log.info("embedded seaweedfs stopped")


def start_worker_process(settings: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MARQUEE_REDIS_URL": settings.redis_url,
        "MARQUEE_DATABASE_URL": settings.resolved_database_url,
        "MARQUEE_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.Popen([sys.executable, "-m", "services.cli", "worker"], env=env, stdin=subprocess.DEVNULL)


def _free_port(host: str) -> int:
    with socket.socket() as holder:
        holder.bind((host, 0))
        return int(holder.getsockname()[1])


def route_media_through_gateway(settings: Settings) -> tuple[Settings, MediaSettings | None]:
    """For `marquee up`: the segment gate gets a known port and players reach it through Envoy
    (`<gateway>/media/v1/play/...`), so an app talks to one origin. A gate URL the operator set is
    kept as it is. Ports left at 0 are picked here, because the URL must be known before Media starts."""
    from services.media.settings import MediaSettings

    if "media" not in settings.services:
        return settings, None
    media = MediaSettings.load(settings)
    if media.media_gate_public_url:
        return settings, media
    if settings.gateway_port == 0:
        settings = settings.model_copy(update={"gateway_port": _free_port(settings.gateway_host)})
    host, _, port = media.media_gate_address.rpartition(":")
    host = host or "127.0.0.1"
    gate = f"{host}:{port if port not in ('', '0') else _free_port(host)}"
    public = f"http://{settings.gateway_host}:{settings.gateway_port}"
    return settings, media.model_copy(update={"media_gate_address": gate, "media_gate_public_url": public})


def start_gateway(settings: Settings, grpc_port: int, media: MediaSettings | None = None) -> EnvoyProcess:
    from gateway.envoy import GatewayConfig, Upstream

    gates: tuple[Upstream, ...] = ()
    if media is not None:
        host, _, port = media.media_gate_address.rpartition(":")
        gates = (Upstream(host or "127.0.0.1", int(port)),)
    config = GatewayConfig(
        listen_host=settings.gateway_host,
        listen_port=settings.gateway_port,
        admin_port=settings.gateway_admin_port,
        upstreams=(Upstream("127.0.0.1", grpc_port),),
        cors_allowed_origins=tuple(settings.cors_allowed_origins),
        max_body_bytes=settings.gateway_max_body_bytes,
        access_log_path=str((settings.data_dir / "gateway" / "access.log").resolve()),
        gateway_token=gateway_token(settings),
        media_gates=gates,
    )
    envoy = EnvoyProcess(config, settings.data_dir / "gateway")
    envoy.start()
    return envoy


def print_config(settings: Settings) -> None:
    """Every setting, the core ones then each service's, with its description and current value (secrets masked)."""
    from services.app import service_settings_classes

    sections: list[tuple[str, BaseSettings]] = [("core", settings)]
    sections += [(name, kind.load(settings)) for name, kind in service_settings_classes().items()]
    for title, values in sections:
        print(f"# {title}")
        for name, field in type(values).model_fields.items():
            shown = "***" if "secret" in name or "key" in name else getattr(values, name)
            print(f"MARQUEE_{name.upper()}={shown}\n    {field.description}")


def _demo_catalog_wanted(settings: Settings) -> bool:
    from services.catalog.settings import CatalogSettings

    return CatalogSettings.load(settings).catalog_demo_data


async def serve(
    settings: Settings,
    *,
    with_worker: bool,
    with_gateway: bool = False,
    with_demo: bool = False,
    storage_ready: Callable[[], None] = lambda: None,
) -> None:
    from services.app import Dependencies, build_server  # imports every contract: keep `marquee --help` fast

    media = None
    if with_gateway:
        settings, media = route_media_through_gateway(settings)
    deps = Dependencies.build(settings, *([media] if media is not None else []))
    server = build_server(deps)
    if with_demo and "catalog" in settings.services:
        from services.catalog.demo import load_demo_catalog

        loaded = await deps.database.run(load_demo_catalog)
        if loaded:
            note = "MARQUEE_CATALOG_DEMO_DATA=false skips it"
            print(f"marquee: loaded the demo catalog: {loaded} synthetic titles ({note})", flush=True)
    worker = start_worker_process(settings) if with_worker else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # Everything built so far (modules, contracts, mappers, compiled queries) lives as long as
    # the process: move it out of the cyclic collector's view so full collections under load
    # only scan what requests allocate (measured: ListShowProgress p99 110 ms -> 41 ms).
    gc.collect()
    gc.freeze()
    await server.start()
    # Off the loop: Envoy's first health checks arrive while it starts, and a loop blocked in
    # the readiness poll cannot answer them (start-up took ~4 s longer, with failed checks).
    envoy = await asyncio.to_thread(start_gateway, settings, server.port, media) if with_gateway else None
    print(f"marquee: grpc listening on {settings.host}:{server.port}", flush=True)
    await asyncio.to_thread(storage_ready)
    if envoy is not None:
        print(f"marquee: http gateway on {envoy.url} (JSON, server-sent events, gRPC-Web; pid {envoy.pid})", flush=True)
    print(f"marquee: services {', '.join(settings.services)}", flush=True)
    print(f"marquee: database {settings.resolved_database_url}", flush=True)
    print(f"marquee: redis {settings.redis_url}", flush=True)
    if worker is not None:
        print(f"marquee: celery worker pid {worker.pid}", flush=True)
    print("marquee: ready (Ctrl-C to stop)", flush=True)
    await stop.wait()
    print("marquee: stopping", flush=True)
    if envoy is not None:
        envoy.stop()
    await server.stop(settings.shutdown_grace_seconds)
    if worker is not None:
        stop_process(worker, timeout_seconds=15.0)
    print("marquee: stopped", flush=True)


def render_gateway_config(args: argparse.Namespace, settings: Settings) -> int:
    import pathlib

    from gateway.envoy import DESCRIPTORS, GatewayConfig, parse_upstreams, write

    host, _, port = args.listen.rpartition(":")
    config = GatewayConfig(
        listen_host=host,
        listen_port=int(port),
        admin_port=args.admin_port,
        upstreams=parse_upstreams(args.upstreams),
        media_gates=parse_upstreams(args.media_gates) if args.media_gates else (),
        descriptor_path=pathlib.Path(args.descriptors) if args.descriptors else DESCRIPTORS,
        cors_allowed_origins=tuple(settings.cors_allowed_origins),
        max_body_bytes=settings.gateway_max_body_bytes,
        gateway_token=gateway_token(settings),
    )
    print(f"marquee: wrote {write(config, pathlib.Path(args.out))}")
    return 0


def _split(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


def check_service_settings(settings: Settings) -> None:
    """Loads every served service's own settings once, so their bad values fail here too."""
    from services.app import service_settings_classes

    for name, kind in service_settings_classes().items():
        if name in settings.services:
            kind.load(settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="marquee", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="run every service, migrations and a worker on the embedded defaults")
    up.add_argument("--port", type=int, help="gRPC port (default MARQUEE_GRPC_PORT or 50051; 0 picks one)")
    up.add_argument("--no-worker", action="store_true", help="do not start a Celery worker")
    up.add_argument("--gateway-port", type=int, help="Envoy's HTTP port (default MARQUEE_GATEWAY_PORT or 8080; 0 picks one)")
    up.add_argument("--no-gateway", action="store_true", help="do not start Envoy")
    gateway_cmd = commands.add_parser("gateway-config", help="render the Envoy configuration for a deployment")
    gateway_cmd.add_argument("--upstreams", required=True, help="host:port[,host:port...] of marquee gRPC servers")
    gateway_cmd.add_argument(
        "--media-gates",
        help="host:port[,host:port...] of Media's segment gates (MARQUEE_MEDIA_GATE_ADDRESS), routed at /media/v1/play/",
    )
    gateway_cmd.add_argument("--listen", default="0.0.0.0:8080", help="host:port Envoy listens on")
    gateway_cmd.add_argument("--admin-port", type=int, default=9901, help="admin port (loopback only)")
    gateway_cmd.add_argument("--descriptors", help="descriptor set path as seen by Envoy (default: this checkout's)")
    gateway_cmd.add_argument("--out", required=True, help="file to write")
    serve_cmd = commands.add_parser("serve", help="run a subset of services (the unit of scale-out)")
    serve_cmd.add_argument("--services", default=",".join(ALL_SERVICES), help="comma-separated services")
    serve_cmd.add_argument("--port", type=int, help="gRPC port")
    worker_cmd = commands.add_parser("worker", help="run a Celery worker (thread pool)")
    worker_cmd.add_argument("--queues", help="comma-separated queues to consume, e.g. media,notes (default: every task's queue)")
    worker_cmd.add_argument("--concurrency", type=int, default=2, help="task threads (default 2)")
    worker_cmd.add_argument("--task-modules", help="comma-separated task modules to load (default: each service's tasks.py)")
    worker_cmd.add_argument("--hostname", help="Celery node name (default celery@<host>)")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("config", help="print every setting with its description and current value")
    args = parser.parse_args(argv)

    overrides: dict[str, object] = {}
    if getattr(args, "port", None) is not None:
        overrides["grpc_port"] = args.port
    if getattr(args, "gateway_port", None) is not None:
        overrides["gateway_port"] = args.gateway_port
    if args.command == "serve":
        overrides["services"] = args.services
    try:
        settings = load_settings(**overrides)
        check_service_settings(settings)
    except ValidationError as exc:
        # A bad value refuses to start with the setting's name, never a traceback or a silent default.
        print(f"marquee: {describe_invalid(exc)}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, json_lines=settings.log_json)

    if args.command == "config":
        print_config(settings)
        return 0
    if args.command == "gateway-config":
        return render_gateway_config(args, settings)
    if args.command == "migrate":
        migrate.upgrade(settings)
        print(f"marquee: migrated {settings.resolved_database_url}")
        return 0
    if args.command == "worker":
        from services.worker import run_worker

        with redis_for(settings) as resolved:
            run_worker(
                resolved,
                concurrency=args.concurrency,
                queues=_split(args.queues),
                task_modules=_split(args.task_modules),
                hostname=args.hostname,
            )
        return 0
    with redis_for(settings) as resolved, storage_for(resolved) as storage_ready:
        migrate.upgrade(resolved)
        is_up = args.command == "up"
        asyncio.run(
            serve(
                resolved,
                storage_ready=storage_ready,
                with_worker=is_up and not args.no_worker,
                with_gateway=is_up and not args.no_gateway and resolved.gateway_enabled,
                with_demo=is_up and _demo_catalog_wanted(resolved),
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
