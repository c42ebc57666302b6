"""The one test command (`./marquee test`): contract checks, lint, then the suite on every backend.

1. generated code is fresh (`generate.py --check`), `buf lint`, `buf breaking`
   against the published baseline, ruff, mypy --strict;
2. the web client's Node tests (gRPC-Web through a real Envoy, grpc-js direct);
   pytest on the embedded defaults (SQLite + an embedded Redis);
3. pytest again on PostgreSQL + Redis at MARQUEE_TEST_DATABASE_URL /
   MARQUEE_TEST_REDIS_URL (defaults: the CI machine's 127.0.0.1 servers). Outside
   CI an unreachable server skips this pass with a note; in CI it fails.

Extra arguments go to pytest (`./marquee test -k auth -x`).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
IN_CI = os.environ.get("CI", "").lower() == "true"


def step(title: str, argv: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}: {' '.join(argv)}", flush=True)
    started = time.monotonic()
    result = subprocess.run(argv, cwd=ROOT, env=env, check=False)
    print(f"=== {title}: exit {result.returncode} in {time.monotonic() - started:.1f}s", flush=True)
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def reachable(url: str) -> bool:
    parsed = urllib.parse.urlparse(url.replace("+psycopg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    pytest_args = sys.argv[1:]
    step("generated code is fresh", [sys.executable, "scripts/generate.py", "--check"])
    step("buf lint", [str(BIN / "buf"), "lint"])
    step("buf breaking", [sys.executable, "scripts/breaking.py"])
    step("ruff", [str(BIN / "ruff"), "check", "."])
    step("mypy (strict, hand-written code)", [str(BIN / "mypy")])

    if shutil.which("node") and shutil.which("npm"):
        step(
            "web client: generated code fresh, Node tests via Envoy",
            [sys.executable, "scripts/node_tests.py", "--check-generated"],
        )
    elif IN_CI:
        print("node and npm are required in CI for the web client tests", file=sys.stderr)
        return 1
    else:
        print("\n=== skipping the web client tests: node/npm not installed", flush=True)

    embedded = {**os.environ, "MARQUEE_TEST_BACKEND": "embedded"}
    step("pytest (SQLite + embedded Redis)", [sys.executable, "-m", "pytest", *pytest_args], env=embedded)

    database = os.environ.get("MARQUEE_TEST_DATABASE_URL", DEFAULT_PG)
    redis_url = os.environ.get("MARQUEE_TEST_REDIS_URL", DEFAULT_REDIS)
    if not (reachable(database) and reachable(redis_url)):
        if IN_CI:
            print(f"PostgreSQL ({database}) or Redis ({redis_url}) is unreachable in CI", file=sys.stderr)
            return 1
        print(f"\n=== skipping the PostgreSQL + Redis pass: {database} or {redis_url} is unreachable", flush=True)
        return 0
    external = {
        **os.environ,
        "MARQUEE_TEST_BACKEND": "external",
        "MARQUEE_TEST_DATABASE_URL": database,
        "MARQUEE_TEST_REDIS_URL": redis_url,
    }
    step("pytest (PostgreSQL + Redis)", [sys.executable, "-m", "pytest", *pytest_args], env=external)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
