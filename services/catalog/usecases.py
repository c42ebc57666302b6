"""Catalog's use cases: units of work, the peers (Billing for plans, Tracking for trending)
and the metadata provider, on plain values.

Handlers parse a request, call one function here and map its result; the domain (`domain.py`)
holds the rules and takes a repository per unit of work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from services.catalog import tmdb
from services.catalog.billing_client import BillingClient
from services.catalog.domain import CatalogDomain, EpisodeFields, ProviderTitleDetails, TitleFields, TitleView
from services.catalog.models import STATUS_PUBLISHED, Category, Episode, Season
from services.catalog.provider import DETAILS_TTL, SEARCH_TTL, TmdbClient
from services.catalog.repository import CatalogRepository, TitleQuery
from services.catalog.tracking_client import TrackingClient, Trending
from services.core import errors
from services.core.db import Database
from services.core.tokens import Principal

T = TypeVar("T")

# The access levels (`AccessLevel` numbers): FREE is what anyone may watch, PREMIUM everything.
ACCESS_FREE = 1
ACCESS_PREMIUM = 3


@dataclass(frozen=True)
class SeasonValues:
    season_number: int
    display_name: str
    overview: str
    air_date: dt.date | None
    poster_path: str


@dataclass(frozen=True)
class CategoryValues:
    display_name: str
    slug: str
    description: str
    sort_order: int


@dataclass(frozen=True)
class ProviderPage:
    results: list[tmdb.ProviderResult]
    more_on_this_page: bool
    total_pages: int
    total_results: int


class CatalogUseCases:
    def __init__(
        self,
        domain: CatalogDomain,
        database: Database,
        billing: BillingClient,
        tracking: TrackingClient,
        provider: TmdbClient | None = None,
    ) -> None:
        self.domain = domain
        self.db = database
        self.billing = billing
        self.tracking = tracking
        self.provider = provider

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await self.db.run(lambda session: fn(CatalogRepository(session), *args, **kwargs))
        except IntegrityError as exc:
            # Two writers raced past the same uniqueness check (a derived slug, a season number).
            raise errors.AlreadyExists("a concurrent change conflicted with this one; retry") from exc

    def _provider(self) -> TmdbClient:
        assert self.provider is not None, "the metadata provider is wired by server.py"
        return self.provider

    # -- the provider's cache, in Catalog's database ---------------------------------------

    async def cached_response(self, key: str) -> dict[str, Any] | None:
        now = self.domain.clock()
        return await self._run(lambda repo: repo.cached(key, now))

    async def cache_response(self, key: str, body: dict[str, Any], ttl: dt.timedelta) -> None:
        expire = self.domain.clock() + ttl
        await self._run(lambda repo: repo.store_cached(key, body, expire))

    # -- callers and plans ------------------------------------------------------------

    async def caller_level(self, principal: Principal | None, authorization: str) -> int:
        """The highest access level the caller may watch. Fails closed to FREE when Billing cannot answer."""
        if principal is None:
            return ACCESS_FREE
        if principal.is_admin or principal.is_service:
            return ACCESS_PREMIUM  # admins see everything unlocked; a service has no plan to apply
        return await self.billing.access_level(principal.user_id, authorization)

    # -- reading ----------------------------------------------------------------------

    async def get_title(self, *, title_id: str = "", slug: str = "", admin: bool) -> TitleView:
        # A title, its genres, categories and seasons by key: a point read (inline on SQLite, services/core/db.py).
        return await self.db.read_point(
            lambda session: self.domain.get_title(CatalogRepository(session), title_id=title_id, slug=slug, admin=admin)
        )

    async def list_titles(
        self, query: TitleQuery, *, order: str, after: dict[str, Any] | None, limit: int, count: bool
    ) -> tuple[list[TitleView], dict[str, Any] | None, int]:
        return await self._run(self.domain.list_titles, query, order=order, after=after, limit=limit, count=count)

    async def trending(self, kind: str, window_hours: int) -> Trending | None:
        return await self.tracking.trending(kind, window_hours)

    async def published_titles(self, ids: list[str]) -> list[TitleView]:
        def load(repo: CatalogRepository) -> list[TitleView]:
            found = repo.titles_by_ids(ids)
            rows = [(found[i], 0.0) for i in ids if i in found and found[i].status == STATUS_PUBLISHED]
            return self.domain.views(repo, rows)

        return await self._run(load)

    # -- title administration ---------------------------------------------------------------

    async def create_title(self, fields: TitleFields) -> TitleView:
        return await self._run(self.domain.create_title, fields)

    async def update_title(self, title_id: str, fields: TitleFields, etag: str) -> TitleView:
        return await self._run(self.domain.update_title, title_id, fields, etag=etag)

    async def publish(self, title_id: str) -> TitleView:
        return await self._run(self.domain.publish, title_id)

    async def unpublish(self, title_id: str) -> TitleView:
        return await self._run(self.domain.unpublish, title_id)

    async def delete_title(self, title_id: str, etag: str) -> None:
        await self._run(self.domain.delete_title, title_id, etag=etag)

    # -- seasons and episodes -----------------------------------------------------------------

    async def list_seasons(self, title_id: str, *, admin: bool, after: int | None, limit: int) -> tuple[list[Season], int | None]:
        return await self._run(self.domain.list_seasons, title_id, admin=admin, after=after, limit=limit)

    async def create_season(self, title_id: str, values: SeasonValues) -> Season:
        season = Season(
            season_number=values.season_number,
            display_name=values.display_name,
            overview=values.overview,
            air_date=values.air_date,
            poster_path=values.poster_path,
        )
        return await self._run(self.domain.create_season, title_id, season)

    async def list_episodes(
        self, title_id: str, season: int, *, admin: bool, after: int | None, limit: int
    ) -> tuple[list[Episode], int | None]:
        return await self._run(self.domain.list_episodes, title_id, season, admin=admin, after=after, limit=limit)

    async def get_episode(self, title_id: str, season: int, number: int, *, admin: bool) -> Episode:
        return await self._run(self.domain.get_episode, title_id, season, number, admin=admin)

    async def create_episode(self, title_id: str, season: int, number: int, fields: EpisodeFields) -> Episode:
        return await self._run(self.domain.create_episode, title_id, season, number, fields)

    async def update_episode(self, title_id: str, season: int, number: int, fields: EpisodeFields) -> Episode:
        return await self._run(self.domain.update_episode, title_id, season, number, fields)

    async def delete_episode(self, title_id: str, season: int, number: int) -> None:
        await self._run(self.domain.delete_episode, title_id, season, number)

    # -- categories and genres ------------------------------------------------------------------

    async def categories(self, after: tuple[int, str] | None, limit: int) -> tuple[list[Category], dict[str, int]]:
        """Up to `limit + 1` categories (the extra one tells more follow) and the title counts of the first `limit`."""

        def load(repo: CatalogRepository) -> tuple[list[Category], dict[str, int]]:
            rows = list(repo.categories(after=after, limit=limit + 1))
            return rows, repo.category_title_counts([c.id for c in rows[:limit]])

        return await self._run(load)

    async def create_category(self, values: CategoryValues) -> Category:
        category = Category(
            display_name=values.display_name, slug=values.slug, description=values.description, sort_order=values.sort_order
        )
        return await self._run(self.domain.create_category, category)

    async def update_category(self, category_id: str, values: dict[str, Any]) -> Category:
        return await self._run(self.domain.update_category, category_id, values)

    async def delete_category(self, category_id: str) -> None:
        await self._run(self.domain.delete_category, category_id)

    async def genres(self, after: tuple[int, str] | None, limit: int) -> list[tuple[str, int]]:
        return list(await self._run(lambda repo: repo.genre_counts(after=after, limit=limit)))

    # -- the metadata provider ----------------------------------------------------------------------

    async def search_provider(self, query: str, kind: str, page: int, offset: int, size: int) -> ProviderPage:
        """One page of provider hits (`offset` into the provider's `page`), each marked if already imported."""
        body = await self._provider().get(tmdb.SEARCH_PATHS[kind], {"query": query, "page": str(page)}, ttl=SEARCH_TTL)
        hits = tmdb.search_hits(body, kind)
        more = len(hits) > offset + size
        hits = hits[offset : offset + size]
        imported = await self._run(lambda repo: repo.titles_by_tmdb([(hit.kind, hit.provider_id) for hit in hits]))
        marked = [dataclasses.replace(hit, imported_title_id=imported.get((hit.kind, hit.provider_id), "")) for hit in hits]
        return ProviderPage(marked, more, int(body.get("total_pages") or 1), int(body.get("total_results") or 0))

    async def provider_details(self, provider_id: str, kind: str) -> ProviderTitleDetails:
        provider = self._provider()
        media = "tv" if kind == "series" else "movie"
        body = await provider.get(f"/{media}/{provider_id}", {"append_to_response": "external_ids"}, ttl=DETAILS_TTL)
        seasons = []
        if kind == "series":
            for number, summary in tmdb.season_numbers(body):
                season = await provider.get(f"/tv/{provider_id}/season/{number}", {}, ttl=DETAILS_TTL)
                seasons.append(tmdb.season(number, summary, season))
        return tmdb.details(provider_id, kind, body, seasons)

    async def import_title(self, provider_id: str, kind: str, *, access_level: int, publish: bool) -> tuple[TitleView, bool]:
        details = await self.provider_details(provider_id, kind)
        return await self._run(self.domain.import_title, details, access_level=access_level, publish=publish)
