"""The seam to Catalog: title facts (kind, published, seasons → episodes, runtimes, air dates) over its gRPC contract.

Tracking never reads Catalog's tables. Facts are cached in process for a short
time, so a burst of marks on one show costs one round of Catalog calls.
Catalog unreachable → UNAVAILABLE / DEPENDENCY_UNAVAILABLE: writes never guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import grpc
from marquee.catalog.v1 import catalog_pb2, catalog_pb2_grpc

from services.core.errors import Unavailable
from services.core.peers import CALL_TIMEOUT_SECONDS, CachingPeerClient, Metadata
from services.tracking.domain import EpisodeFacts, TitleFacts

__all__ = ["CatalogClient", "EpisodeFacts", "TitleFacts", "title_facts"]

# How long facts about one title are reused without asking Catalog again.
CACHE_SECONDS = 60.0
# A title that is missing or unpublished is asked again sooner: it may be published any moment.
MISSING_CACHE_SECONDS = 5.0
CACHE_MAX_TITLES = 5000
EPISODE_PAGE_SIZE = 200


def _date(value: Any) -> dt.date | None:
    if value is None or not value.year:
        return None
    try:
        return dt.date(value.year, value.month or 1, value.day or 1)
    except ValueError:
        return None


def title_facts(title: Any, episodes: Sequence[Any]) -> TitleFacts:
    """Facts from Catalog's `Title` and `Episode` messages."""
    kind = "series" if title.kind == catalog_pb2.TITLE_KIND_SERIES else "movie"
    return TitleFacts(
        title_id=title.name.removeprefix("titles/"),
        kind=kind,
        display_name=title.display_name,
        published=title.publish_state == catalog_pb2.PUBLISH_STATE_PUBLISHED,
        poster_path=title.poster_path,
        release_date=_date(title.release_date) if title.HasField("release_date") else None,
        genres=tuple(title.genres),
        runtime_minutes=title.runtime_minutes,
        episodes=tuple(
            sorted(
                (
                    EpisodeFacts(
                        season_number=e.season_number,
                        episode_number=e.episode_number,
                        display_name=e.display_name,
                        runtime_minutes=e.runtime_minutes,
                        air_date=_date(e.air_date) if e.HasField("air_date") else None,
                        still_path=e.still_path,
                    )
                    for e in episodes
                ),
                key=lambda e: (e.season_number, e.episode_number),
            )
        ),
    )


class CatalogClient(CachingPeerClient[str, TitleFacts | None]):
    """Facts about Catalog titles, asked with a service credential and cached briefly."""

    CACHE_SECONDS = CACHE_SECONDS
    MAX_CACHE_ENTRIES = CACHE_MAX_TITLES

    def _stub(self) -> Any:
        return catalog_pb2_grpc.CatalogServiceStub(self._channel())  # type: ignore[no-untyped-call]

    async def title(self, title_id: str) -> TitleFacts | None:
        """Facts about a published title, None when it does not exist or is not published."""
        fresh, cached = self._cache.get(title_id)
        if fresh:
            return cached
        facts = await self._fetch(title_id)
        seconds = self._cache_seconds if facts else min(self._cache_seconds, MISSING_CACHE_SECONDS)
        self._cache.put(title_id, facts, seconds=seconds)
        return facts

    async def _fetch(self, title_id: str) -> TitleFacts | None:
        stub = self._stub()
        metadata = await self._metadata()
        try:
            reply = await stub.GetTitle(
                catalog_pb2.GetTitleRequest(name=f"titles/{title_id}"), metadata=metadata, timeout=CALL_TIMEOUT_SECONDS
            )
            title = reply.title
            # Service callers see drafts too; Tracking applies the public rule itself.
            if title.publish_state != catalog_pb2.PUBLISH_STATE_PUBLISHED:
                return None
            episodes: list[Any] = []
            if title.kind == catalog_pb2.TITLE_KIND_SERIES:
                seasons = list(reply.seasons) or await self._seasons(stub, title_id, metadata)
                for season in seasons:
                    episodes.extend(await self._episodes(stub, f"titles/{title_id}/seasons/{season.season_number}", metadata))
            return title_facts(title, episodes)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return None
            raise Unavailable("Catalog could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE") from exc

    async def _seasons(self, stub: Any, title_id: str, metadata: Metadata) -> list[Any]:
        found: list[Any] = []
        token = ""
        while True:
            reply = await stub.ListSeasons(
                catalog_pb2.ListSeasonsRequest(parent=f"titles/{title_id}", page_size=100, page_token=token),
                metadata=metadata,
                timeout=CALL_TIMEOUT_SECONDS,
            )
            found.extend(reply.seasons)
            token = reply.next_page_token
            if not token:
                return found

    async def _episodes(self, stub: Any, season: str, metadata: Metadata) -> list[Any]:
        found: list[Any] = []
        token = ""
        while True:
            reply = await stub.ListEpisodes(
                catalog_pb2.ListEpisodesRequest(parent=season, page_size=EPISODE_PAGE_SIZE, page_token=token),
                metadata=metadata,
                timeout=CALL_TIMEOUT_SECONDS,
            )
            found.extend(reply.episodes)
            token = reply.next_page_token
            if not token:
                return found

    async def titles_with_genres(self, genres: Sequence[str], *, limit: int) -> list[TitleFacts]:
        """Published titles sharing any of `genres` (without episodes), most popular first."""
        stub = self._stub()
        metadata = await self._metadata()
        found: list[TitleFacts] = []
        token = ""
        try:
            while len(found) < limit:
                reply = await stub.SearchTitles(
                    catalog_pb2.SearchTitlesRequest(
                        filter=catalog_pb2.TitleFilter(genres=list(genres)),
                        order_by=catalog_pb2.TITLE_ORDER_POPULARITY,
                        page_size=100,
                        page_token=token,
                    ),
                    metadata=metadata,
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                found.extend(title_facts(t, ()) for t in reply.titles if t.publish_state == catalog_pb2.PUBLISH_STATE_PUBLISHED)
                token = reply.next_page_token
                if not token:
                    break
        except grpc.aio.AioRpcError as exc:
            raise Unavailable("Catalog could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE") from exc
        return found[:limit]

    async def popular_titles(self, *, limit: int) -> list[TitleFacts]:
        """Published titles, most popular first: the fallback for users with no activity."""
        stub = self._stub()
        metadata = await self._metadata()
        try:
            reply = await stub.ListTitles(
                catalog_pb2.ListTitlesRequest(page_size=min(limit, 100), order_by=catalog_pb2.TITLE_ORDER_POPULARITY),
                metadata=metadata,
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            raise Unavailable("Catalog could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE") from exc
        return [title_facts(t, ()) for t in reply.titles if t.publish_state == catalog_pb2.PUBLISH_STATE_PUBLISHED]
