"""The seam to Catalog: the genres and categories of the title an ad would be shown next to."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from marquee.catalog.v1 import catalog_pb2, catalog_pb2_grpc

CALL_TIMEOUT_SECONDS = 0.5
CACHE_SECONDS = 300.0
CACHE_MAX_TITLES = 20_000


@dataclass(frozen=True)
class TitleContext:
    genres: tuple[str, ...]
    categories: tuple[str, ...]


class CatalogClient:
    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        metadata: Callable[[], Awaitable[tuple[tuple[str, str], ...]]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._channel = channel
        self._metadata = metadata
        self._clock = clock
        self._cache: dict[str, tuple[float, TitleContext | None]] = {}

    async def title(self, name: str) -> TitleContext | None:
        """Genres and categories of `titles/{title}`; None when unknown or Catalog is unreachable."""
        now = self._clock()
        cached = self._cache.get(name)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            stub = catalog_pb2_grpc.CatalogServiceStub(self._channel())  # type: ignore[no-untyped-call]
            reply = await stub.GetTitle(
                catalog_pb2.GetTitleRequest(name=name), metadata=await self._metadata(), timeout=CALL_TIMEOUT_SECONDS
            )
            found: TitleContext | None = TitleContext(tuple(reply.title.genres), tuple(reply.title.categories))
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                return None  # unreachable: not cached, ask again next time
            found = None
        except RuntimeError:
            return None
        if len(self._cache) >= CACHE_MAX_TITLES:
            self._cache.clear()
        self._cache[name] = (now, found)
        return found
