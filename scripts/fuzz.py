"""The long fuzz run: every request type of every served method over the wire, for a bounded time.

Starts its own backend (SQLite + an embedded Redis in a temporary folder; or
PostgreSQL + Redis with MARQUEE_TEST_BACKEND=external and the MARQUEE_TEST_*
URLs, which it wipes), migrates it, serves every contract in this process on
port 0, and fuzzes with four callers (anonymous, a registered user, a service,
an admin). Prints the cases, methods and statuses seen and every INTERNAL or
UNKNOWN answer; exits 1 if there was one or the server is not healthy after.

    .venv/bin/python scripts/fuzz.py --seconds 300 --examples 40
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402  (after the path set-up, like every script here)
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc  # noqa: E402

from services.app import CONTRACTS, Dependencies, build_server, implemented  # noqa: E402
from services.core import migrate  # noqa: E402
from services.core.contract import methods_of  # noqa: E402
from services.core.tokens import TokenSigner  # noqa: E402
from tests.support import fuzzing  # noqa: E402
from tests.support.harness import bearer, settings_for_tests, start_backend  # noqa: E402


async def run(seconds: float, examples: int, include_unserved: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="marquee-fuzz-") as folder:
        backend = start_backend(pathlib.Path(folder))
        try:
            settings = settings_for_tests(backend, pathlib.Path(folder) / "data", log_level="CRITICAL")
            migrate.upgrade(settings)
            deps = Dependencies.build(settings)
            server = build_server(deps, address="127.0.0.1:0")
            await server.start()
            try:
                return await _fuzz(server.port, settings, seconds, examples, include_unserved)
            finally:
                await server.stop(1.0)
        finally:
            backend.stop()


async def _fuzz(port: int, settings: object, seconds: float, examples: int, include_unserved: bool) -> int:
    target = f"127.0.0.1:{port}"
    async with grpc.aio.insecure_channel(target) as channel:
        registered = await auth_pb2_grpc.AuthServiceStub(channel).Register(
            auth_pb2.RegisterRequest(email=f"fuzz-{uuid.uuid4().hex[:8]}@marquee.test", password="fuzzing is fun 42")  # noqa: S106  (a throwaway account on a temporary backend)
        )
        signer = TokenSigner.from_settings(settings)  # type: ignore[arg-type]
        service, _ = signer.sign("fuzz-service", token_id="t-fuzz-service", role="service")  # noqa: S106  (an id, not a secret)
        admin, _ = signer.sign("fuzz-admin", token_id="t-fuzz-admin", role="admin")  # noqa: S106  (an id, not a secret)
        callers = [(), bearer(registered.tokens.access_token), bearer(service), bearer(admin)]
        names = [full for name, (full, _) in CONTRACTS.items() if include_unserved or implemented(name)]
        contracts = [contract for full in names for contract in methods_of(full).values()]
        print(f"fuzzing {len(contracts)} methods of {len(names)} services for up to {seconds:.0f} s", flush=True)
        started = time.monotonic()

        def progress(method: str, report: fuzzing.Report) -> None:
            if report.cases % 1000 < examples:
                elapsed = time.monotonic() - started
                print(f"  pass {report.passes + 1}, {report.cases:6d} cases, {elapsed:6.1f} s", flush=True)

        report = await asyncio.to_thread(
            fuzzing.fuzz,
            target,
            contracts,
            callers,
            examples_per_method=examples,
            budget_seconds=seconds,
            on_method=progress,
            until_budget=True,
        )
        elapsed = time.monotonic() - started
        health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    print(f"\ncases {report.cases}  methods {len(report.methods)}/{len(contracts)}  passes {report.passes}  in {elapsed:.1f} s")
    print("statuses seen:")
    for code, count in report.statuses.most_common():
        print(f"  {code:20s} {count:7d}")
    print(f"INTERNAL/UNKNOWN: {len(report.findings)}")
    for finding in report.findings[:50]:
        print("  " + finding)
    healthy = health.status == health_pb2.HealthCheckResponse.SERVING
    print(f"health afterwards: {health_pb2.HealthCheckResponse.ServingStatus.Name(health.status)}")
    return 0 if healthy and not report.findings else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="time budget (default 120)")
    parser.add_argument("--examples", type=int, default=25, help="requests per method and pass (default 25)")
    parser.add_argument("--include-unserved", action="store_true", help="also the services answering UNIMPLEMENTED")
    arguments = parser.parse_args()
    return asyncio.run(run(arguments.seconds, arguments.examples, arguments.include_unserved))


if __name__ == "__main__":
    raise SystemExit(main())
