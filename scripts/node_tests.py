"""Run the Node tests of the web client (clients/web) against a real Marquee.

1. `npm ci` in clients/web (from the committed package-lock.json);
2. with `--check-generated`, `npm run generate:check` (clients/web/src/gen is fresh);
3. compiles the tests (`tsc -p tsconfig.test.json` into clients/web/dist-test);
4. starts `marquee up --port 0 --gateway-port 0 --no-worker` on a temporary
   MARQUEE_DATA_DIR (SQLite + an embedded Redis) and waits for `marquee: ready`;
5. runs `node --test` with MARQUEE_GATEWAY_URL and MARQUEE_GRPC_ADDR set to the
   addresses the server printed;
6. always stops the server (SIGTERM, then waits) and exits with the Node test
   runner's exit code.

Run it with the venv's Python: `.venv/bin/python scripts/node_tests.py [--check-generated]`.
"""

from __future__ import annotations

import argparse
import collections
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
WEB = ROOT / "clients" / "web"
READY_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0
NODE_TIMEOUT_SECONDS = 600.0
GRPC_LINE = re.compile(r"^marquee: grpc listening on (\S+):(\d+)$")
GATEWAY_LINE = re.compile(r"^marquee: http gateway on (http://\S+)")
READY_LINE = re.compile(r"^marquee: ready\b")


def log(message: str) -> None:
    print(f"node_tests: {message}", flush=True)


def run(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 600.0) -> int:
    log(f"$ {' '.join(argv)}")
    return subprocess.run(argv, cwd=WEB, env=env, check=False, timeout=timeout).returncode


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"node_tests: `{name}` is not on PATH (Node 20+ and npm are needed)")
    return found


@dataclass
class Server:
    process: subprocess.Popen[str]
    grpc_addr: str
    gateway_url: str
    output: collections.deque[str]


def _drain(process: subprocess.Popen[str], lines: collections.deque[str], ready: threading.Event, found: dict[str, str]) -> None:
    """Read the server's output for its whole life, so its pipe never fills up."""
    assert process.stdout is not None
    for raw in process.stdout:
        line = raw.rstrip("\n")
        lines.append(line)
        if match := GRPC_LINE.match(line):
            found["grpc"] = f"{match.group(1)}:{match.group(2)}"
        elif match := GATEWAY_LINE.match(line):
            found["gateway"] = match.group(1)
        elif READY_LINE.match(line):
            ready.set()
    ready.set()  # the process ended: wake the waiter


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        log(f"server pid {process.pid} ignored SIGTERM for {STOP_TIMEOUT_SECONDS:.0f}s: killing its process group")
        os.killpg(process.pid, signal.SIGKILL)  # the group we created for it (start_new_session)
        process.wait()


@contextmanager
def marquee_server(data_dir: pathlib.Path) -> Iterator[Server]:
    env = {**os.environ, "MARQUEE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    # The embedded defaults: a fresh SQLite file and Redis in data_dir, whatever the shell points at.
    for name in ("MARQUEE_DATABASE_URL", "MARQUEE_REDIS_URL", "MARQUEE_CONFIG_FILE"):
        env.pop(name, None)
    argv = [sys.executable, "-m", "services.cli", "up", "--port", "0", "--gateway-port", "0", "--no-worker"]
    log(f"$ {' '.join(argv)}  (MARQUEE_DATA_DIR={data_dir})")
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a stuck server can be killed with its children
    )
    lines: collections.deque[str] = collections.deque(maxlen=400)
    ready = threading.Event()
    found: dict[str, str] = {}
    reader = threading.Thread(target=_drain, args=(process, lines, ready, found), daemon=True)
    reader.start()
    try:
        started = time.monotonic()
        if not ready.wait(READY_TIMEOUT_SECONDS) or process.poll() is not None:
            raise RuntimeError(f"the server did not become ready (exit code {process.poll()})")
        if "grpc" not in found or "gateway" not in found:
            raise RuntimeError("the server did not print its gRPC and gateway addresses (is MARQUEE_GATEWAY_ENABLED false?)")
        log(f"server ready in {time.monotonic() - started:.1f}s: grpc {found['grpc']}, gateway {found['gateway']}")
        yield Server(process, found["grpc"], found["gateway"], lines)
    except BaseException:
        print("\n".join(["node_tests: server output:", *lines]), file=sys.stderr, flush=True)
        raise
    finally:
        stop(process)
        reader.join(10)
        log(f"server stopped (exit code {process.returncode})")


def run_node_tests(argv: list[str], env: dict[str, str], held: list[str]) -> int:
    """Run the Node test runner, echoing its output; its trailing `# ...` lines are left in `held`.

    Lines starting with `# ` are held back until a line of another kind follows, so the summary
    at the very end (`# pass N`, `# fail N`) is printed by the caller after the server stopped.
    """
    log(f"$ {' '.join(argv)}")
    process = subprocess.Popen(
        argv, cwd=WEB, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    watchdog = threading.Timer(NODE_TIMEOUT_SECONDS, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip("\n")
            if line.startswith("# "):
                held.append(line)
                continue
            if held:
                print("\n".join(held), flush=True)
                held.clear()
            print(line, flush=True)
        code = process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if code < 0:
        log(f"the Node test runner was killed (signal {-code}; limit {NODE_TIMEOUT_SECONDS:.0f}s)")
        return 1
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check-generated", action="store_true", help="also fail if clients/web/src/gen is stale")
    parser.add_argument("--skip-install", action="store_true", help="reuse clients/web/node_modules (no npm ci)")
    args = parser.parse_args()
    # SIGTERM to this script still stops the server (through the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    npm, node = tool("npm"), tool("node")
    npm_env = {**os.environ, "MARQUEE_PYTHON": sys.executable}
    if not args.skip_install:
        code = run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], env=npm_env)
        if code != 0:
            log(f"npm ci failed ({code})")
            return code
    if args.check_generated:
        code = run([npm, "run", "--silent", "generate:check"], env=npm_env)
        if code != 0:
            log("the generated TypeScript client is stale: run `npm run generate` in clients/web")
            return code
    shutil.rmtree(WEB / "dist-test", ignore_errors=True)
    code = run([node, str(WEB / "node_modules" / "typescript" / "bin" / "tsc"), "-p", "tsconfig.test.json"])
    if code != 0:
        log(f"compiling the tests failed ({code})")
        return code
    tests = sorted(str(p.relative_to(WEB)) for p in (WEB / "dist-test" / "test").glob("*.test.js"))
    if not tests:
        log("no compiled test files in clients/web/dist-test/test")
        return 1

    held: list[str] = []
    with tempfile.TemporaryDirectory(prefix="marquee-node-tests-") as data_dir, marquee_server(pathlib.Path(data_dir)) as server:
        env = {**os.environ, "MARQUEE_GATEWAY_URL": server.gateway_url, "MARQUEE_GRPC_ADDR": server.grpc_addr}
        code = run_node_tests([node, "--test", "--test-reporter=tap", "--test-timeout=60000", *tests], env, held)
        if code != 0:
            print("\n".join(["node_tests: server output (last lines):", *list(server.output)[-60:]]), file=sys.stderr, flush=True)
    # The runner's closing lines (# tests, # pass, # fail, ...) come last, after the server has stopped.
    if held:
        print("\n".join(held), flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
