"""Test backends and helpers: real databases, real Redis, real servers on port 0.

MARQUEE_TEST_BACKEND=embedded (default): a SQLite file and an embedded Redis in a
temporary folder. MARQUEE_TEST_BACKEND=external: the PostgreSQL and Redis at
MARQUEE_TEST_DATABASE_URL / MARQUEE_TEST_REDIS_URL, wiped before the session.
"""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import Any

import grpc
import redis
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from sqlalchemy import create_engine, text

from services.core.errors import STATUS_DETAILS_KEY
from services.core.redis_store import EmbeddedRedis
from services.core.settings import Settings

BACKEND = os.environ.get("MARQUEE_TEST_BACKEND", "embedded")


@dataclass
class Backend:
    database_url: str
    redis_url: str
    embedded_redis: EmbeddedRedis | None = None

    def stop(self) -> None:
        if self.embedded_redis is not None:
            self.embedded_redis.stop()


def start_backend(folder: pathlib.Path) -> Backend:
    if BACKEND == "external":
        database_url = os.environ["MARQUEE_TEST_DATABASE_URL"]
        redis_url = os.environ["MARQUEE_TEST_REDIS_URL"]
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        client.close()
        return Backend(database_url, redis_url)
    embedded = EmbeddedRedis(folder / "redis")
    url = embedded.start()
    return Backend(f"sqlite:///{folder / 'marquee.db'}", url, embedded)


def settings_for_tests(backend: Backend, data_dir: pathlib.Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "data_dir": data_dir,
        "database_url": backend.database_url,
        "redis_url": backend.redis_url,
        "host": "127.0.0.1",
        "grpc_port": 0,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class RpcError:
    code: grpc.StatusCode
    message: str
    info: error_details_pb2.ErrorInfo | None
    bad_request: error_details_pb2.BadRequest | None
    retry: error_details_pb2.RetryInfo | None

    @property
    def reason(self) -> str:
        return self.info.reason if self.info else ""


def rpc_error(exc: grpc.aio.AioRpcError | grpc.RpcError) -> RpcError:
    """The status and google.rpc details carried by a failed call."""
    trailing = exc.trailing_metadata() or ()  # type: ignore[union-attr]
    raw = next((value for key, value in trailing if key == STATUS_DETAILS_KEY), None)
    info = bad = retry = None
    if raw is not None:
        status = status_pb2.Status.FromString(raw)
        for detail in status.details:
            detail: any_pb2.Any
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
    return RpcError(exc.code(), exc.details() or "", info, bad, retry)  # type: ignore[union-attr]


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)
