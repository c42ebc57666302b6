"""The seam to Catalog: does the title or episode an admin links an asset to exist? Over Catalog's gRPC contract.

Media never reads Catalog's tables. The check is made with the linking admin's own
credential, so Catalog answers as it would that admin (drafts included). Catalog
unreachable → UNAVAILABLE / DEPENDENCY_UNAVAILABLE: a link is never recorded on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import grpc
from marquee.catalog.v1 import catalog_pb2, catalog_pb2_grpc

from services.core.errors import NotFound, Unavailable, invalid

CALL_TIMEOUT_SECONDS = 5.0
TITLE = re.compile(r"^titles/[A-Za-z0-9_-]{1,64}$")
EPISODE = re.compile(r"^titles/[A-Za-z0-9_-]{1,64}/seasons/\d{1,4}/episodes/\d{1,5}$")


class CatalogClient:
    def __init__(self, channel: Callable[[], grpc.aio.Channel]) -> None:
        self._channel = channel

    def _stub(self) -> Any:
        return catalog_pb2_grpc.CatalogServiceStub(self._channel())  # type: ignore[no-untyped-call]

    async def check_linkable(self, name: str, credential: str, *, field: str = "asset.title") -> None:
        """Raises NotFound / TITLE_NOT_FOUND unless Catalog knows `name` (a title or an episode)."""
        request: Any
        if EPISODE.match(name):
            call, request = self._stub().GetEpisode, catalog_pb2.GetEpisodeRequest(name=name)
        elif TITLE.match(name):
            call, request = self._stub().GetTitle, catalog_pb2.GetTitleRequest(name=name)
        else:
            raise invalid(field, "must be titles/{title} or titles/{title}/seasons/{season}/episodes/{episode}")
        metadata = (("authorization", credential),) if credential else ()
        try:
            await call(request, metadata=metadata, timeout=CALL_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as exc:
            # INVALID_ARGUMENT: not a name Catalog accepts; FAILED_PRECONDITION: a movie has no seasons.
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
                raise NotFound(f"the Catalog has no {name}", reason="TITLE_NOT_FOUND", domain="marquee.media",
                               metadata={"title": name}) from exc  # fmt: skip
            raise Unavailable("the Catalog could not be asked; retry", reason="DEPENDENCY_UNAVAILABLE") from exc
