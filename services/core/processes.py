"""Stopping the child processes Marquee starts (worker, embedded Redis, Envoy) the same way."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen[bytes] | None, timeout_seconds: float = 10.0) -> None:
    """SIGTERM, wait up to the timeout, then SIGKILL; a process already gone is fine."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
