"""Catalog's use cases: units of work, the peers (Billing for plans, Tracking for trending)
and the metadata provider.

Handlers parse a request, call one function here and map its result. `CatalogWork` holds the
steps of each unit of work, given its repository: they ask the repository and apply the rules
of `domain.py`, which are on plain values; only `repository.py` builds queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from services.catalog import domain, tmdb
from services.catalog.billing_client import BillingClient
from services.catalog.domain import EpisodeFields, ProviderSeason, ProviderTitleDetails, TitleFields
from services.catalog.models import Category, Episode, Season, Title
from services.catalog.provider import DETAILS_TTL, SEARCH_TTL, TmdbClient
from services.catalog.repository import CatalogRepository, TitleQuery
from services.catalog.tracking_client import TrackingClient, Trending
from services.core import errors
from services.core.db import Database
from services.core.models import utcnow
from services.core.tokens import Principal

T = TypeVar("T")


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


def _id(title: Title | None) -> str | None:
    return title.id if title is not None else None


@dataclass
class TitleView:
    """A title as read: its row, genres, category ids, seasons (a series' GetTitle only) and search score."""

    title: Title
    genres: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    seasons: list[Season] = field(default_factory=list)
    score: float = 0.0


class CatalogWork:
    """The steps of Catalog's units of work: each method runs inside one, given its repository.

    The rules they apply live in `domain.py` on plain values; the queries in `repository.py`.
    """

    def __init__(self, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.clock = clock

    def _touch(self, title: Title) -> None:
        title.revision += 1
        title.update_time = self.clock()

    # -- reading ----------------------------------------------------------------

    def visible_title(self, repo: CatalogRepository, title_id: str, *, admin: bool, for_update: bool = False) -> Title:
        title = repo.title(title_id, for_update=for_update) if title_id else None
        if title is None or not domain.is_visible(title.status, admin=admin):
            raise domain.title_not_found(title_id)
        return title

    def get_title(self, repo: CatalogRepository, *, title_id: str = "", slug: str = "", admin: bool) -> TitleView:
        if slug:
            found = repo.title_by_slug(slug)
            title_id = found.id if found else ""
            if not title_id:
                raise errors.NotFound(f"titles/slug:{slug} not found", metadata={"name": f"titles/slug:{slug}"})
        title = self.visible_title(repo, title_id, admin=admin)
        return self.views(repo, [(title, 0.0)], seasons=True)[0]

    def views(self, repo: CatalogRepository, rows: Sequence[tuple[Title, float]], *, seasons: bool = False) -> list[TitleView]:
        ids = [title.id for title, _ in rows]
        genres, categories = repo.genres_of(ids), repo.categories_of(ids)
        return [
            TitleView(
                title,
                genres.get(title.id, []),
                categories.get(title.id, []),
                list(repo.seasons(title.id)) if seasons and title.kind == "series" else [],
                score,
            )
            for title, score in rows
        ]

    def view(self, repo: CatalogRepository, title: Title) -> TitleView:
        return self.views(repo, [(title, 0.0)])[0]

    def list_titles(
        self, repo: CatalogRepository, query: TitleQuery, *, order: str, after: dict[str, Any] | None, limit: int, count: bool
    ) -> tuple[list[TitleView], dict[str, Any] | None, int]:
        """A page of titles and the position after its last row (None on the last page)."""
        page = repo.page_titles(query, order=order, after=after, limit=limit + 1, count=count)
        rows = page.rows[:limit]
        following = None
        if len(page.rows) > limit and rows:
            last, score = rows[-1]
            following = {"k": repo.sort_key(last, score, order), "id": last.id}
            if count:
                following["t"] = page.total
        return self.views(repo, rows), following, page.total

    def published_titles(self, repo: CatalogRepository, ids: list[str]) -> list[TitleView]:
        """The published titles among `ids`, in their order."""
        found = repo.titles_by_ids(ids)
        return self.views(repo, [(found[i], 0.0) for i in ids if i in found and found[i].status == domain.STATUS_PUBLISHED])

    # -- titles -------------------------------------------------------------------

    def _check_title(self, repo: CatalogRepository, fields: TitleFields, *, creating: bool) -> list[str]:
        known: Sequence[str] = ()
        if fields.categories is not None:
            known = list(repo.categories_by_ids(domain.category_ids_of(fields.categories)))
        return domain.check_title_fields(fields, creating=creating, known_categories=known)

    def _apply(self, repo: CatalogRepository, title: Title, fields: TitleFields, category_ids: list[str]) -> None:
        for name, value in domain.title_changes(fields).items():
            setattr(title, name, value)
        title.sort_title = domain.sort_title(title.display_name)
        if fields.slug:
            if repo.slug_taken(fields.slug, except_title=title.id):
                raise domain.slug_taken(fields.slug)
            title.slug = fields.slug
        elif fields.slug is not None:  # empty: derived from the name
            base = domain.slugify(title.display_name)
            title.slug = domain.unique_slug(base, repo.slugs_like(base))
        if title.tmdb_id:
            holder = repo.title_by_tmdb(title.kind, title.tmdb_id)
            domain.check_external_id("TMDb", "tmdb_id", title.tmdb_id, holder=_id(holder), title_id=title.id)
        if title.imdb_id:
            holder = repo.title_by_imdb(title.imdb_id)
            domain.check_external_id("IMDb", "imdb_id", title.imdb_id, holder=_id(holder), title_id=title.id)
        repo.flush()
        if fields.genres is not None:
            repo.set_genres(title.id, fields.genres)
        if fields.categories is not None:
            repo.set_categories(title.id, category_ids)

    def create_title(self, repo: CatalogRepository, fields: TitleFields) -> TitleView:
        category_ids = self._check_title(repo, fields, creating=True)
        now = self.clock()
        title = Title(
            kind=fields.kind,
            display_name=fields.display_name or "",
            sort_title="",
            slug="",
            status=domain.STATUS_DRAFT,
            access_level=domain.ACCESS_FREE,
            create_time=now,
            update_time=now,
            revision=1,
        )
        repo.add(title)
        self._apply(repo, title, domain.new_title_fields(fields), category_ids)
        repo.flush()
        return self.view(repo, title)

    def update_title(self, repo: CatalogRepository, title_id: str, fields: TitleFields, *, etag: str) -> TitleView:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        domain.check_etag(etag, domain.title_etag(title.id, title.revision))
        category_ids = self._check_title(repo, fields, creating=False)
        self._apply(repo, title, fields, category_ids)
        self._touch(title)
        repo.flush()
        return self.view(repo, title)

    def publish(self, repo: CatalogRepository, title_id: str) -> TitleView:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        if title.status != domain.STATUS_PUBLISHED:
            episodes = repo.count_episodes(title_id=title.id) if title.kind == "series" else 0
            domain.check_publishable(title.kind, episodes)
            title.status = domain.STATUS_PUBLISHED
            title.publish_time = title.publish_time or self.clock()
            self._touch(title)
        return self.view(repo, title)

    def unpublish(self, repo: CatalogRepository, title_id: str) -> TitleView:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        if title.status != domain.STATUS_DRAFT:
            title.status = domain.STATUS_DRAFT
            self._touch(title)
        return self.view(repo, title)

    def delete_title(self, repo: CatalogRepository, title_id: str, *, etag: str) -> None:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        domain.check_etag(etag, domain.title_etag(title.id, title.revision))
        title.status = domain.STATUS_DELETED
        title.delete_time = self.clock()
        self._touch(title)

    # -- seasons and episodes ---------------------------------------------------------

    def series(self, repo: CatalogRepository, title_id: str, *, admin: bool, for_update: bool = False) -> Title:
        title = self.visible_title(repo, title_id, admin=admin, for_update=for_update)
        domain.check_series(title.kind)
        return title

    def season_of(self, repo: CatalogRepository, title_id: str, number: int, *, admin: bool) -> tuple[Title, Season]:
        title = self.series(repo, title_id, admin=admin)
        season = repo.season(title.id, number)
        if season is None:
            raise errors.NotFound(f"titles/{title_id}/seasons/{number} not found")
        return title, season

    def list_seasons(
        self, repo: CatalogRepository, title_id: str, *, admin: bool, after: int | None, limit: int
    ) -> tuple[list[Season], int | None]:
        self.series(repo, title_id, admin=admin)
        rows = list(repo.seasons(title_id, after=after, limit=limit + 1))
        following = rows[limit - 1].season_number if len(rows) > limit else None
        return rows[:limit], following

    def create_season(self, repo: CatalogRepository, title_id: str, values: SeasonValues) -> Season:
        title = self.series(repo, title_id, admin=True, for_update=True)
        domain.check_season(values.season_number, values.display_name, values.overview)
        if repo.season(title.id, values.season_number) is not None:
            raise domain.catalog_error(errors.AlreadyExists, "the series already has this season", "SEASON_EXISTS")
        season = Season(
            title_id=title.id,
            season_number=values.season_number,
            display_name=domain.season_display_name(values.season_number, values.display_name),
            overview=values.overview,
            air_date=values.air_date,
            poster_path=values.poster_path,
            episode_count=0,
        )
        repo.add(season)
        title.season_count += 1
        self._touch(title)
        repo.flush()
        return season

    def list_episodes(
        self, repo: CatalogRepository, title_id: str, number: int, *, admin: bool, after: int | None, limit: int
    ) -> tuple[list[Episode], int | None]:
        _, season = self.season_of(repo, title_id, number, admin=admin)
        rows = list(repo.episodes(season.id, after=after, limit=limit + 1))
        following = rows[limit - 1].episode_number if len(rows) > limit else None
        return rows[:limit], following

    def get_episode(self, repo: CatalogRepository, title_id: str, season_number: int, number: int, *, admin: bool) -> Episode:
        _, season = self.season_of(repo, title_id, season_number, admin=admin)
        episode = repo.episode(season.id, number)
        if episode is None:
            raise errors.NotFound(f"titles/{title_id}/seasons/{season_number}/episodes/{number} not found")
        return episode

    @staticmethod
    def _apply_episode(episode: Episode, fields: EpisodeFields) -> None:
        for name, value in domain.episode_changes(fields).items():
            setattr(episode, name, value)

    def create_episode(
        self, repo: CatalogRepository, title_id: str, season_number: int, number: int, fields: EpisodeFields
    ) -> Episode:
        domain.check_new_episode(number, fields)
        title, season = self.season_of(repo, title_id, season_number, admin=True)
        if repo.episode(season.id, number) is not None:
            raise domain.catalog_error(errors.AlreadyExists, "the season already has this episode", "EPISODE_EXISTS")
        episode = Episode(
            season_id=season.id, title_id=title.id, season_number=season_number, episode_number=number, display_name=""
        )
        self._apply_episode(episode, fields)
        repo.add(episode)
        season.episode_count += 1
        title.episode_count += 1
        self._touch(title)
        repo.flush()
        return episode

    def update_episode(
        self, repo: CatalogRepository, title_id: str, season_number: int, number: int, fields: EpisodeFields
    ) -> Episode:
        domain.check_episode_fields(fields)
        episode = self.get_episode(repo, title_id, season_number, number, admin=True)
        self._apply_episode(episode, fields)
        repo.flush()
        return episode

    def delete_episode(self, repo: CatalogRepository, title_id: str, season_number: int, number: int) -> None:
        episode = self.get_episode(repo, title_id, season_number, number, admin=True)
        title, season = self.season_of(repo, title_id, season_number, admin=True)
        repo.delete(episode)
        season.episode_count = max(0, season.episode_count - 1)
        title.episode_count = max(0, title.episode_count - 1)
        self._touch(title)

    # -- categories ---------------------------------------------------------------------

    def _check_category(self, repo: CatalogRepository, category: Category, *, slug_given: bool) -> None:
        category.display_name, category.slug = domain.category_values(
            category.display_name or "", category.description or "", category.slug or "", slug_given=slug_given
        )
        if repo.category_slug_taken(category.slug, except_id=category.id or ""):
            raise domain.slug_taken(category.slug)

    def categories(
        self, repo: CatalogRepository, after: tuple[int, str] | None, limit: int
    ) -> tuple[list[Category], dict[str, int]]:
        """Up to `limit + 1` categories (the extra one tells more follow) and the title counts of the first `limit`."""
        rows = list(repo.categories(after=after, limit=limit + 1))
        return rows, repo.category_title_counts([c.id for c in rows[:limit]])

    def create_category(self, repo: CatalogRepository, values: CategoryValues) -> Category:
        category = Category(
            display_name=values.display_name, slug=values.slug, description=values.description, sort_order=values.sort_order
        )
        self._check_category(repo, category, slug_given=True)
        category.create_time = category.update_time = self.clock()
        repo.add(category)
        repo.flush()
        return category

    def category(self, repo: CatalogRepository, category_id: str) -> Category:
        found = repo.category(category_id) if category_id else None
        if found is None:
            raise errors.NotFound(f"categories/{category_id} not found")
        return found

    def update_category(self, repo: CatalogRepository, category_id: str, values: dict[str, Any]) -> Category:
        category = self.category(repo, category_id)
        for name, value in values.items():
            setattr(category, name, value)
        self._check_category(repo, category, slug_given="slug" in values)
        category.update_time = self.clock()
        repo.flush()
        return category

    def delete_category(self, repo: CatalogRepository, category_id: str) -> None:
        repo.delete(self.category(repo, category_id))

    # -- import ------------------------------------------------------------------------

    def import_title(
        self, repo: CatalogRepository, details: ProviderTitleDetails, *, access_level: int, publish: bool
    ) -> tuple[TitleView, bool]:
        """Creates or refreshes the title imported from a provider id (matched by kind and TMDb id)."""
        existing = repo.title_by_tmdb(details.kind, details.tmdb_id)
        imdb_id = details.fields.imdb_id
        imdb_holder = repo.title_by_imdb(imdb_id) if imdb_id else None
        fields = domain.import_fields(details, existing=_id(existing), imdb_holder=_id(imdb_holder), access_level=access_level)
        if existing is None:
            title, created = self.create_title(repo, fields).title, True
        else:
            title, created = existing, False
            if title.status == domain.STATUS_DELETED:
                title.status, title.delete_time = domain.STATUS_DRAFT, None
            self._apply(repo, title, fields, [])
            self._touch(title)
        if details.kind == "series":
            self._import_seasons(repo, title, details.seasons)
        if publish:
            return self.publish(repo, title.id), created
        repo.flush()
        return self.view(repo, title), created

    def _import_seasons(self, repo: CatalogRepository, title: Title, seasons: list[ProviderSeason]) -> None:
        for provided in seasons:
            season = repo.season(title.id, provided.season_number)
            if season is None:
                season = Season(title_id=title.id, season_number=provided.season_number, episode_count=0)
                repo.add(season)
            for name, value in domain.imported_season_changes(provided).items():
                setattr(season, name, value)
            repo.flush()
            for number, fields in provided.episodes:
                episode = repo.episode(season.id, number)
                if episode is None:
                    episode = Episode(
                        season_id=season.id,
                        title_id=title.id,
                        season_number=season.season_number,
                        episode_number=number,
                        display_name="",
                    )
                    repo.add(episode)
                self._apply_episode(episode, fields)
            repo.flush()
            season.episode_count = repo.count_episodes(season_id=season.id)
        title.season_count = len(repo.seasons(title.id))
        title.episode_count = repo.count_episodes(title_id=title.id)


class CatalogUseCases:
    def __init__(
        self,
        work: CatalogWork,
        database: Database,
        billing: BillingClient,
        tracking: TrackingClient,
        provider: TmdbClient | None = None,
    ) -> None:
        self.work = work
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
        now = self.work.clock()
        return await self._run(lambda repo: repo.cached(key, now))

    async def cache_response(self, key: str, body: dict[str, Any], ttl: dt.timedelta) -> None:
        expire = self.work.clock() + ttl
        await self._run(lambda repo: repo.store_cached(key, body, expire))

    # -- callers and plans ------------------------------------------------------------

    async def caller_level(self, principal: Principal | None, authorization: str) -> int:
        """The highest access level the caller may watch. Fails closed to FREE when Billing cannot answer."""
        if principal is None:
            return domain.ACCESS_FREE
        if principal.is_admin or principal.is_service:
            return domain.ACCESS_PREMIUM  # admins see everything unlocked; a service has no plan to apply
        return await self.billing.access_level(principal.user_id, authorization)

    # -- reading ----------------------------------------------------------------------

    async def get_title(self, *, title_id: str = "", slug: str = "", admin: bool) -> TitleView:
        # A title, its genres, categories and seasons by key: a point read (inline on SQLite, services/core/db.py).
        return await self.db.read_point(
            lambda session: self.work.get_title(CatalogRepository(session), title_id=title_id, slug=slug, admin=admin)
        )

    async def list_titles(
        self, query: TitleQuery, *, order: str, after: dict[str, Any] | None, limit: int, count: bool
    ) -> tuple[list[TitleView], dict[str, Any] | None, int]:
        return await self._run(self.work.list_titles, query, order=order, after=after, limit=limit, count=count)

    async def trending(self, kind: str, window_hours: int) -> Trending | None:
        return await self.tracking.trending(kind, window_hours)

    async def published_titles(self, ids: list[str]) -> list[TitleView]:
        return await self._run(self.work.published_titles, ids)

    # -- title administration ---------------------------------------------------------------

    async def create_title(self, fields: TitleFields) -> TitleView:
        return await self._run(self.work.create_title, fields)

    async def update_title(self, title_id: str, fields: TitleFields, etag: str) -> TitleView:
        return await self._run(self.work.update_title, title_id, fields, etag=etag)

    async def publish(self, title_id: str) -> TitleView:
        return await self._run(self.work.publish, title_id)

    async def unpublish(self, title_id: str) -> TitleView:
        return await self._run(self.work.unpublish, title_id)

    async def delete_title(self, title_id: str, etag: str) -> None:
        await self._run(self.work.delete_title, title_id, etag=etag)

    # -- seasons and episodes -----------------------------------------------------------------

    async def list_seasons(self, title_id: str, *, admin: bool, after: int | None, limit: int) -> tuple[list[Season], int | None]:
        return await self._run(self.work.list_seasons, title_id, admin=admin, after=after, limit=limit)

    async def create_season(self, title_id: str, values: SeasonValues) -> Season:
        return await self._run(self.work.create_season, title_id, values)

    async def list_episodes(
        self, title_id: str, season: int, *, admin: bool, after: int | None, limit: int
    ) -> tuple[list[Episode], int | None]:
        return await self._run(self.work.list_episodes, title_id, season, admin=admin, after=after, limit=limit)

    async def get_episode(self, title_id: str, season: int, number: int, *, admin: bool) -> Episode:
        return await self._run(self.work.get_episode, title_id, season, number, admin=admin)

    async def create_episode(self, title_id: str, season: int, number: int, fields: EpisodeFields) -> Episode:
        return await self._run(self.work.create_episode, title_id, season, number, fields)

    async def update_episode(self, title_id: str, season: int, number: int, fields: EpisodeFields) -> Episode:
        return await self._run(self.work.update_episode, title_id, season, number, fields)

    async def delete_episode(self, title_id: str, season: int, number: int) -> None:
        await self._run(self.work.delete_episode, title_id, season, number)

    # -- categories and genres ------------------------------------------------------------------

    async def categories(self, after: tuple[int, str] | None, limit: int) -> tuple[list[Category], dict[str, int]]:
        return await self._run(self.work.categories, after, limit)

    async def create_category(self, values: CategoryValues) -> Category:
        return await self._run(self.work.create_category, values)

    async def update_category(self, category_id: str, values: dict[str, Any]) -> Category:
        return await self._run(self.work.update_category, category_id, values)

    async def delete_category(self, category_id: str) -> None:
        await self._run(self.work.delete_category, category_id)

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
        return await self._run(self.work.import_title, details, access_level=access_level, publish=publish)
