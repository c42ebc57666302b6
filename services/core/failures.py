"""Infrastructure failures a caller can act on, as statuses: a race on a unique key, a lock or a
serialization conflict is ABORTED (retry), a database or Redis that cannot be reached is
UNAVAILABLE. Anything else stays INTERNAL, so real bugs are not disguised as retryable."""

from __future__ import annotations

import sqlite3

import redis.exceptions
from sqlalchemy import exc as sa

from services.core import errors

# PostgreSQL SQLSTATEs (appendix A of its manual).
_CONFLICTS = {"23505": "a unique key", "40001": "a serialization conflict", "40P01": "a deadlock", "55P03": "a lock"}
_UNREACHABLE_CLASSES = ("08", "53", "57P")  # connection exceptions, insufficient resources, operator intervention
_RETRY_SECONDS = 0.05


def _conflict(what: str) -> errors.Aborted:
    return errors.Aborted(
        f"another request changed the same data at the same moment ({what}); retry",
        reason="CONCURRENT_MODIFICATION",
        retry_after_seconds=_RETRY_SECONDS,
    )


def _unreachable(what: str) -> errors.Unavailable:
    return errors.Unavailable(f"{what} is unavailable; retry with backoff", reason="DEPENDENCY_UNAVAILABLE")


def translate(exc: BaseException) -> errors.DomainError | None:
    """The status `exc` deserves, or None when it is a bug (INTERNAL)."""
    if isinstance(exc, sa.TimeoutError):  # no pooled connection came free in time
        return _unreachable("the database (every connection is busy)")
    if isinstance(exc, sa.DBAPIError):
        orig = exc.orig
        state = str(getattr(orig, "sqlstate", "") or "")
        if state in _CONFLICTS:
            return _conflict(_CONFLICTS[state])
        if state.startswith(_UNREACHABLE_CLASSES) or (exc.connection_invalidated and not state):
            return _unreachable("the database")
        if isinstance(orig, sqlite3.IntegrityError) and "UNIQUE constraint failed" in str(orig):
            return _conflict("a unique key")
        if isinstance(orig, sqlite3.OperationalError) and ("locked" in str(orig) or "busy" in str(orig)):
            return _conflict("a lock")
        if isinstance(exc, sa.OperationalError) and not state and not isinstance(orig, sqlite3.Error):
            return _unreachable("the database")  # the driver could not connect or lost the connection
        return None
    if isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return _unreachable("Redis")
    return None
