"""Which driver failures are retryable statuses (services/core/failures.py), by the drivers' own error classes."""

from __future__ import annotations

import sqlite3

import grpc
import psycopg.errors
import pytest
import redis.exceptions
from sqlalchemy import exc as sa

from services.core import failures


def wrapped(orig: BaseException, kind: type[sa.DBAPIError] = sa.OperationalError) -> sa.DBAPIError:
    return kind("SELECT 1", {}, orig)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "code", "reason"),
    [
        (wrapped(psycopg.errors.UniqueViolation(), sa.IntegrityError), grpc.StatusCode.ABORTED, "CONCURRENT_MODIFICATION"),
        (wrapped(psycopg.errors.SerializationFailure()), grpc.StatusCode.ABORTED, "CONCURRENT_MODIFICATION"),
        (wrapped(psycopg.errors.DeadlockDetected()), grpc.StatusCode.ABORTED, "CONCURRENT_MODIFICATION"),
        (wrapped(psycopg.errors.LockNotAvailable()), grpc.StatusCode.ABORTED, "CONCURRENT_MODIFICATION"),
        (wrapped(psycopg.errors.AdminShutdown()), grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"),
        (wrapped(psycopg.errors.TooManyConnections()), grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"),
        (wrapped(psycopg.OperationalError("connection refused")), grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"),
        (
            wrapped(sqlite3.IntegrityError("UNIQUE constraint failed: t.id"), sa.IntegrityError),
            grpc.StatusCode.ABORTED,
            "CONCURRENT_MODIFICATION",
        ),
        (wrapped(sqlite3.OperationalError("database is locked")), grpc.StatusCode.ABORTED, "CONCURRENT_MODIFICATION"),
        (sa.TimeoutError("QueuePool limit reached"), grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"),
        (redis.exceptions.ConnectionError("refused"), grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"),
        (redis.exceptions.TimeoutError("slow"), grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"),
    ],
)
def test_retryable_failures(exc: BaseException, code: grpc.StatusCode, reason: str) -> None:
    translated = failures.translate(exc)
    assert translated is not None
    assert (translated.code, translated.reason) == (code, reason)


@pytest.mark.parametrize(
    "exc",
    [
        wrapped(psycopg.errors.NotNullViolation(), sa.IntegrityError),
        wrapped(psycopg.errors.ForeignKeyViolation(), sa.IntegrityError),
        wrapped(psycopg.errors.UndefinedTable(), sa.ProgrammingError),
        wrapped(sqlite3.OperationalError("no such table: t")),
        wrapped(sqlite3.IntegrityError("NOT NULL constraint failed: t.v"), sa.IntegrityError),
        redis.exceptions.ResponseError("WRONGTYPE"),
        RuntimeError("a bug"),
    ],
)
def test_bugs_stay_internal(exc: BaseException) -> None:
    assert failures.translate(exc) is None
