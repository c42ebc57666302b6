"""Running ffmpeg: probing, encoding with `-progress` read live, frames and sprites.

Blocking by design (each call is a child process): Celery tasks call it directly
and servers through a thread. Cancellation is cooperative: `should_stop` is asked
between progress blocks and the child is killed when it says so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

import imageio_ffmpeg

from services.media.domain import Probe, Progress, decode_check_command, parse_probe, parse_progress_block


class EncodeError(Exception):
    """ffmpeg failed; the message carries the last lines it wrote to stderr."""


class EncodeCancelled(Exception):
    """The encode was stopped on request (cancel or deadline)."""


def ffmpeg_path(configured: str = "") -> str:
    return configured or imageio_ffmpeg.get_ffmpeg_exe()


def probe(ffmpeg: str, source: str, *, timeout_seconds: float = 60.0) -> tuple[Probe | None, str]:
    """(what ffmpeg reports of `source`, why its video does not decode or '')."""
    try:
        described = subprocess.run(
            [ffmpeg, "-hide_banner", "-nostdin", "-i", source], capture_output=True, timeout=timeout_seconds, check=False
        )
    except subprocess.TimeoutExpired:
        return None, "probing the file took too long"
    found = parse_probe(described.stderr.decode(errors="replace"))
    if found is None:
        return None, described.stderr.decode(errors="replace")
    if found.video is None:
        return found, ""
    try:
        decoded = subprocess.run(decode_check_command(ffmpeg, source), capture_output=True, timeout=timeout_seconds, check=False)
    except subprocess.TimeoutExpired:
        return found, "decoding the first seconds took too long"
    errors = decoded.stderr.decode(errors="replace").strip()
    if decoded.returncode != 0:
        return found, errors or f"ffmpeg exited with {decoded.returncode}"
    return found, ""


def run(command: Sequence[str], *, timeout_seconds: float = 120.0) -> None:
    done = subprocess.run(list(command), capture_output=True, timeout=timeout_seconds, check=False)
    if done.returncode != 0:
        raise EncodeError(_tail(done.stderr.decode(errors="replace")) or f"ffmpeg exited with {done.returncode}")


def run_with_progress(
    command: Sequence[str],
    *,
    on_progress: Callable[[Progress], None],
    should_stop: Callable[[], bool] = lambda: False,
    deadline: float | None = None,
) -> None:
    """Runs an ffmpeg command that writes `-progress pipe:1`, reporting each block; kills it when asked to stop."""
    process = subprocess.Popen(
        list(command), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read() if process.stderr else b""), daemon=True)
    reader.start()
    block: list[str] = []
    stopped = ""
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            line = raw.decode(errors="replace").strip()
            block.append(line)
            if not line.startswith("progress="):
                continue
            on_progress(parse_progress_block(block))
            block = []
            if should_stop():
                stopped = "cancelled"
            elif deadline is not None and time.monotonic() > deadline:
                stopped = "deadline"
            if stopped:
                _kill(process)
                break
        process.wait()
    finally:
        if process.poll() is None:
            _kill(process)
        reader.join(timeout=5)
    if stopped:
        raise EncodeCancelled(stopped)
    if process.returncode != 0:
        raise EncodeError(_tail(b"".join(errors).decode(errors="replace")) or f"ffmpeg exited with {process.returncode}")


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])[:500]
