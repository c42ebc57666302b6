"""`marquee up` as a user runs it: a real process, grpcurl against it, a clean stop."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from services.core.settings import Settings
from services.worker import create_celery

GRPCURL = shutil.which("grpcurl") or str(pathlib.Path(sys.executable).parent / "grpcurl")


def _wait_for(process: subprocess.Popen[str], pattern: str, timeout: float = 60.0) -> tuple[re.Match[str], list[str]]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match, seen
    raise AssertionError(f"{pattern!r} not printed; output:\n{''.join(seen)}")


def _grpcurl(port: int, *positional: str, flags: tuple[str, ...] = ()) -> str:
    argv = [GRPCURL, "-plaintext", *flags, f"127.0.0.1:{port}", *positional]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_marquee_up_serves_everything_and_stops_cleanly(tmp_path: pathlib.Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    env.update({"MARQUEE_DATA_DIR": str(tmp_path / "data"), "MARQUEE_LOG_LEVEL": "WARNING"})
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "up", "--port", "0", "--gateway-port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        redis_match, _ = _wait_for(process, r"started embedded redis pid (\d+)")
        port_match, _ = _wait_for(process, r"grpc listening on 127\.0\.0\.1:(\d+)")
        port = int(port_match.group(1))
        gateway_match, _ = _wait_for(process, r"http gateway on (http://\S+) ")
        worker_match, _ = _wait_for(process, r"celery worker pid (\d+)")
        _wait_for(process, r"marquee: ready")

        # Media's segment gate answers through the gateway (a forged segment URL: refused by the gate itself).
        forged = f"{gateway_match.group(1)}/media/v1/play/session/240p/seg_00000.ts?e=1&s=forged"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10)  # noqa: S310 - our own loopback gateway
        refused.value.close()
        assert refused.value.code == 403
        assert refused.value.headers["x-marquee-reason"] == "SIGNATURE_INVALID"

        services = set(_grpcurl(port, "list").split())
        assert {
            f"marquee.{s}.v1.{s.capitalize()}Service"
            for s in ("auth", "catalog", "tracking", "media", "notes", "chat", "billing", "ads")
        } <= services
        assert {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= services
        assert json.loads(_grpcurl(port, "grpc.health.v1.Health/Check")) == {"status": "SERVING"}
        described = _grpcurl(port, "describe", "marquee.auth.v1.AuthService.Login")
        assert "ACCESS_PUBLIC" in described

        registered = json.loads(
            _grpcurl(
                port,
                "marquee.auth.v1.AuthService/Register",
                flags=("-d", '{"email": "cli@example.com", "password": "a long enough passphrase"}'),
            )
        )
        assert registered["user"]["email"] == "cli@example.com"
        redis_pid = int(redis_match.group(1))
        assert "redis-server" in pathlib.Path(f"/proc/{redis_pid}/cmdline").read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "marquee: stopped" in output
    # Everything it started is gone: the worker and the embedded redis-server.
    worker_pid = int(worker_match.group(1))
    assert not pathlib.Path(f"/proc/{worker_pid}").exists()
    assert not pathlib.Path(f"/proc/{redis_pid}").exists()


def test_worker_runs_tasks_from_the_broker(settings: Settings, tmp_path: pathlib.Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    env.update(
        {
            "MARQUEE_REDIS_URL": settings.redis_url,
            "MARQUEE_DATA_DIR": str(tmp_path),
            "MARQUEE_DATABASE_URL": settings.resolved_database_url,
        }
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    app = create_celery(settings)
    try:
        result = app.send_task("marquee.core.ping", args=["hello"])
        reply = result.get(timeout=60)
        assert reply["payload"] == "hello"
        assert reply["worker_pid"] == worker.pid
    finally:
        worker.terminate()
        worker.wait(30)
        app.close()
    assert worker.returncode is not None


@pytest.mark.parametrize("env_name", ["MARQUEE_ENV"])
def test_production_refuses_unsafe_defaults(env_name: str, tmp_path: pathlib.Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    env.update({env_name: "production", "MARQUEE_DATA_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "development signing key is refused" in result.stderr
    assert "MARQUEE_SECRET_KEY" in result.stderr


def test_serve_processes_on_one_data_dir_share_one_embedded_redis(tmp_path: pathlib.Path) -> None:
    """`marquee serve` once per core: one Redis for all (whole rate limits and idempotency); the last leaves it off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    env.update({"MARQUEE_DATA_DIR": str(tmp_path / "data"), "MARQUEE_LOG_LEVEL": "WARNING"})
    argv = [sys.executable, "-m", "services.cli", "serve", "--services", "auth", "--port", "0"]
    first = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    second: subprocess.Popen[str] | None = None
    try:
        started, _ = _wait_for(first, r"started embedded redis pid (\d+)")
        _wait_for(first, r"marquee: ready")
        second = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        joined, _ = _wait_for(second, r"joined the embedded redis pid (\d+)")
        port_match, _ = _wait_for(second, r"grpc listening on 127\.0\.0\.1:(\d+)")
        _wait_for(second, r"marquee: ready")
        redis_pid = int(started.group(1))
        assert int(joined.group(1)) == redis_pid

        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
        assert first.returncode == 0
        assert pathlib.Path(f"/proc/{redis_pid}").exists(), "the first to leave stopped a Redis still in use"
        assert json.loads(_grpcurl(int(port_match.group(1)), "grpc.health.v1.Health/Check")) == {"status": "SERVING"}
        registered = _grpcurl(
            int(port_match.group(1)),
            "marquee.auth.v1.AuthService/Register",
            flags=("-d", '{"email": "shared@example.com", "password": "a long enough passphrase"}'),
        )
        assert "shared@example.com" in registered

        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 0, output
        deadline = time.monotonic() + 15
        while pathlib.Path(f"/proc/{redis_pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pathlib.Path(f"/proc/{redis_pid}").exists(), "the last to leave did not stop the embedded Redis"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate(timeout=30)
