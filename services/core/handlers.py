"""What every servicer shares: a unit of work that hands the domain its repository,
idempotent replays by request id, and page tokens.

A service's handlers subclass this beside their generated servicer, e.g.
`class AuthHandlers(UnitOfWorkHandlers[AuthRepository], AuthServiceServicer)`,
and keep only the proto <-> domain translation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.core.db import Database
from services.core.idempotency import DEFAULT_TTL_SECONDS, Idempotency
from services.core.paging import PageTokens

R = TypeVar("R")
T = TypeVar("T")
M = TypeVar("M", bound=Message)


class IdempotentHandlers:
    """Idempotent replays by request id and page tokens, for servicers whose use cases own the units of work."""

    def __init__(self, idempotency: Idempotency, page_tokens: PageTokens) -> None:
        self.idempotency = idempotency
        self.pages = page_tokens

    async def _once(
        self,
        method: str,
        caller: str,
        request: Message,
        request_id: str,
        response_type: type[M],
        call: Callable[[], Awaitable[M]],
        *,
        ttl: int = DEFAULT_TTL_SECONDS,
    ) -> M:
        """`call()` at most once per (method, caller, request_id); a retry gets the stored answer."""
        return await self.idempotency.run(
            method=method, caller=caller, request=request, request_id=request_id,
            response_type=response_type, call=call, ttl_seconds=ttl,
        )  # fmt: skip


class UnitOfWorkHandlers(IdempotentHandlers, Generic[R]):
    def __init__(
        self, database: Database, idempotency: Idempotency, page_tokens: PageTokens, *, repository: Callable[[Session], R]
    ) -> None:
        super().__init__(idempotency, page_tokens)
        self.db = database
        self._repository = repository

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(repository, *args, **kwargs)` in one unit of work, off the event loop."""
        return await self.db.run(lambda session: fn(self._repository(session), *args, **kwargs))

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(repository, *args, **kwargs)` as a read-only unit of work (`Database.read`)."""
        return await self.db.read(lambda session: fn(self._repository(session), *args, **kwargs))

    async def _read_first(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(repository, ...)` as a read, again as a unit of work if it wants to write (`Database.read_first`)."""
        return await self.db.read_first(lambda session: fn(self._repository(session), *args, **kwargs))
