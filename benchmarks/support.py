"""What every benchmark script needs: progress logging, /proc readings, and servers run as
subprocesses in their own session so that they, and anything they start, always stop."""

from __future__ import annotations

import contextlib
import math
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    """Progress goes to stderr so stdout holds only the table and the JSON line."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def proc_status_kib(pid: int, field: str) -> int:
    """A `kB` line of /proc/PID/status (VmRSS, VmHWM)."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far; NaN once it is gone."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return math.nan
    fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is the state (field 3 of proc(5))
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime (14), stime (15)


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """Our environment without inherited MARQUEE_* settings or proxies, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_") and "proxy" not in k.lower()}
    env.update(extra)
    return env


class ManagedProcess:
    """A subprocess in its own session: Ctrl-C reaches only the benchmark, and `stop` takes down
    the whole process group (an embedded Redis or Envoy the server started included)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: pathlib.Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, ready: re.Pattern[str], *wanted: re.Pattern[str], timeout_seconds: float = 120.0) -> list[re.Match[str]]:
        """Start, wait until `ready` and every `wanted` pattern appear in the output; return their matches."""
        with self.log_path.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
                self.argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
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

    def tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout_seconds: float = 20.0) -> None:
        """SIGTERM and wait (servers stop their own children); then SIGKILL whatever is left of the group."""
        process, self.process = self.process, None
        if process is None:
            return
        group = process.pid  # start_new_session: the group id is the leader's pid
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout_seconds)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop in {timeout_seconds:.0f} s; killing its process group")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
                process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
            time.sleep(0.3)
            os.killpg(group, signal.SIGKILL)
