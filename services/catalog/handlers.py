"""CatalogService servicer: parses each request, calls one use case (`usecases.py`) and maps its result."""

from __future__ import annotations

import json

from marquee.catalog.v1 import catalog_pb2 as pb
from marquee.catalog.v1 import catalog_pb2_grpc

from services.catalog.mapping import (
    CATEGORY_PATHS,
    EPISODE_PATHS,
    EXTERNAL_PATHS,
    KIND_NAME,
    TITLE_PATHS,
    category_pb,
    date_of,
    episode_fields,
    episode_of,
    episode_pb,
    mask_paths,
    order_of,
    provider_title_pb,
    season_of,
    season_pb,
    title_fields,
    title_id_of,
    title_pb,
    title_query,
)
from services.catalog.repository import TitleQuery
from services.catalog.usecases import CatalogUseCases, CategoryValues, SeasonValues
from services.core.errors import invalid
from services.core.handlers import IdempotentHandlers
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, current_metadata, current_principal, require_principal
from services.core.paging import PageTokens, page_size


class CatalogHandlers(IdempotentHandlers, catalog_pb2_grpc.CatalogServiceServicer):
    """Parses each request, calls one use case (`usecases.py`) and maps its result."""

    def __init__(self, use_cases: CatalogUseCases, idempotency: Idempotency, page_tokens: PageTokens) -> None:
        super().__init__(idempotency, page_tokens)
        self.use = use_cases

    @staticmethod
    def _is_admin() -> bool:
        principal = current_principal()
        return principal is not None and principal.is_admin

    async def _caller_level(self) -> int:
        return await self.use.caller_level(current_principal(), current_metadata().get("authorization", ""))

    async def _title_page(
        self, method: str, query: TitleQuery, order: str, size: int, token: str, *, count: bool
    ) -> tuple[list[pb.Title], str, int]:
        fingerprint = json.dumps([method, query.__dict__, order], sort_keys=True, default=list)
        after = self.pages.decode(token, query=fingerprint)
        if after is not None and not {"k", "id"} <= after.keys():
            raise invalid("page_token", "not a token issued for this query", reason="INVALID_PAGE_TOKEN")
        views, following, total = await self.use.list_titles(query, order=order, after=after, limit=size, count=count)
        level = await self._caller_level()
        next_token = self.pages.encode(following, query=fingerprint) if following else ""
        return [title_pb(v, level) for v in views], next_token, total

    # -- reading ----------------------------------------------------------------------

    async def GetTitle(self, request: pb.GetTitleRequest, context: Context) -> pb.GetTitleResponse:
        if request.name.startswith("titles/slug:"):
            slug = request.name.removeprefix("titles/slug:")
            if not slug:
                raise invalid("name", "must be titles/{title} or titles/slug:{slug}")
            view = await self.use.get_title(slug=slug, admin=self._is_admin())
        else:
            view = await self.use.get_title(title_id=title_id_of(request.name), admin=self._is_admin())
        level = await self._caller_level()
        return pb.GetTitleResponse(title=title_pb(view, level), seasons=[season_pb(s) for s in view.seasons])

    async def ListTitles(self, request: pb.ListTitlesRequest, context: Context) -> pb.ListTitlesResponse:
        size = page_size(request.page_size)
        order = order_of(request.order_by, "newest", search=False)
        titles, token, _ = await self._title_page(
            "list", title_query(request.filter, admin=self._is_admin()), order, size, request.page_token, count=False
        )
        return pb.ListTitlesResponse(titles=titles, next_page_token=token)

    async def SearchTitles(self, request: pb.SearchTitlesRequest, context: Context) -> pb.SearchTitlesResponse:
        size = page_size(request.page_size)
        if len(request.query) > 500:
            raise invalid("query", "must be at most 500 characters")
        from services.catalog.search import query_words

        words = tuple(query_words(request.query))
        query = title_query(request.filter, words, admin=self._is_admin())
        has_filter = any((query.kind, query.genres, query.category_id, query.min_year, query.max_year, query.access_levels))
        if not words and not has_filter:
            raise invalid("query", "give words to search for or at least one filter")
        order = order_of(request.order_by, "relevance" if words else "popularity", search=True)
        if order == "relevance" and not words:
            order = "popularity"  # no words, nothing to rank by
        titles, token, total = await self._title_page("search", query, order, size, request.page_token, count=True)
        return pb.SearchTitlesResponse(titles=titles, next_page_token=token, total_size=total)

    async def ListTrendingTitles(self, request: pb.ListTrendingTitlesRequest, context: Context) -> pb.ListTrendingTitlesResponse:
        size = page_size(request.page_size)
        window = request.window_hours or 168
        if not 1 <= window <= 720:
            raise invalid("window_hours", "must be between 1 and 720")
        if request.kind not in (pb.TITLE_KIND_UNSPECIFIED, *KIND_NAME):
            raise invalid("kind", "must be MOVIE or SERIES")
        kind = KIND_NAME.get(request.kind, "")
        activity = await self.use.trending(kind, window)
        if activity is None:
            # Tracking cannot answer (not implemented yet, or down): fall back to popularity order over
            # published titles, with zero watcher counts, rather than failing the listing.
            titles, token, _ = await self._title_page(
                f"trending:{window}", TitleQuery(kind=kind), "popularity", size, request.page_token, count=False
            )
            return pb.ListTrendingTitlesResponse(
                titles=[pb.TrendingTitle(title=t, watcher_count=0) for t in titles], next_page_token=token
            )
        # Tracking's ranking is a bounded snapshot (at most TRENDING_FETCH titles) cached for a while,
        # so the token holds a position in that snapshot.
        fingerprint = f"trending:{kind}:{window}:{activity.at}"
        after = self.pages.decode(request.page_token, query=fingerprint)
        start = int(after.get("i", 0)) if after else 0
        ranked = activity.titles
        chunk = ranked[start : start + size]
        views = await self.use.published_titles([title_id for title_id, _ in chunk])
        level = await self._caller_level()
        counts = dict((title_id, count) for title_id, count in chunk)
        out = [pb.TrendingTitle(title=title_pb(v, level), watcher_count=counts[v.title.id]) for v in views]
        following = start + size
        token = self.pages.encode({"i": following}, query=fingerprint) if following < len(ranked) else ""
        return pb.ListTrendingTitlesResponse(titles=out, next_page_token=token)

    # -- title administration ---------------------------------------------------------------

    async def CreateTitle(self, request: pb.CreateTitleRequest, context: Context) -> pb.CreateTitleResponse:
        principal = require_principal()
        fields = title_fields(request.title, None)

        async def call() -> pb.CreateTitleResponse:
            view = await self.use.create_title(fields)
            return pb.CreateTitleResponse(title=title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

        return await self._once("CreateTitle", principal.user_id, request, request.request_id, pb.CreateTitleResponse, call)

    async def UpdateTitle(self, request: pb.UpdateTitleRequest, context: Context) -> pb.UpdateTitleResponse:
        title_id = title_id_of(request.title.name, "title.name")
        paths = mask_paths(list(request.update_mask.paths), TITLE_PATHS, "title", EXTERNAL_PATHS)
        fields = title_fields(request.title, paths)
        view = await self.use.update_title(title_id, fields, request.title.etag)
        return pb.UpdateTitleResponse(title=title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

    async def PublishTitle(self, request: pb.PublishTitleRequest, context: Context) -> pb.PublishTitleResponse:
        view = await self.use.publish(title_id_of(request.name))
        return pb.PublishTitleResponse(title=title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

    async def UnpublishTitle(self, request: pb.UnpublishTitleRequest, context: Context) -> pb.UnpublishTitleResponse:
        view = await self.use.unpublish(title_id_of(request.name))
        return pb.UnpublishTitleResponse(title=title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

    async def DeleteTitle(self, request: pb.DeleteTitleRequest, context: Context) -> pb.DeleteTitleResponse:
        await self.use.delete_title(title_id_of(request.name), request.etag)
        return pb.DeleteTitleResponse()

    # -- seasons and episodes -----------------------------------------------------------------

    async def ListSeasons(self, request: pb.ListSeasonsRequest, context: Context) -> pb.ListSeasonsResponse:
        title_id = title_id_of(request.parent, "parent")
        size = page_size(request.page_size, default=50)
        fingerprint = f"seasons:{title_id}"
        after = self.pages.decode(request.page_token, query=fingerprint)
        seasons, following = await self.use.list_seasons(
            title_id, admin=self._is_admin(), after=int(after["n"]) if after else None, limit=size
        )
        token = self.pages.encode({"n": following}, query=fingerprint) if following is not None else ""
        return pb.ListSeasonsResponse(seasons=[season_pb(s) for s in seasons], next_page_token=token)

    async def CreateSeason(self, request: pb.CreateSeasonRequest, context: Context) -> pb.CreateSeasonResponse:
        title_id = title_id_of(request.parent, "parent")
        s = request.season
        season = SeasonValues(
            season_number=s.season_number,
            display_name=s.display_name.strip(),
            overview=s.overview,
            air_date=date_of(s.air_date, "season.air_date"),
            poster_path=s.poster_path,
        )
        created = await self.use.create_season(title_id, season)
        return pb.CreateSeasonResponse(season=season_pb(created))

    async def ListEpisodes(self, request: pb.ListEpisodesRequest, context: Context) -> pb.ListEpisodesResponse:
        title_id, number = season_of(request.parent)
        size = page_size(request.page_size, default=50, maximum=200)
        fingerprint = f"episodes:{title_id}:{number}"
        after = self.pages.decode(request.page_token, query=fingerprint)
        episodes, following = await self.use.list_episodes(
            title_id,
            number,
            admin=self._is_admin(),
            after=int(after["n"]) if after else None,
            limit=size,
        )
        token = self.pages.encode({"n": following}, query=fingerprint) if following is not None else ""
        return pb.ListEpisodesResponse(episodes=[episode_pb(e) for e in episodes], next_page_token=token)

    async def GetEpisode(self, request: pb.GetEpisodeRequest, context: Context) -> pb.GetEpisodeResponse:
        title_id, season, number = episode_of(request.name)
        episode = await self.use.get_episode(title_id, season, number, admin=self._is_admin())
        return pb.GetEpisodeResponse(episode=episode_pb(episode))

    async def CreateEpisode(self, request: pb.CreateEpisodeRequest, context: Context) -> pb.CreateEpisodeResponse:
        title_id, season = season_of(request.parent)
        fields = episode_fields(request.episode, list(EPISODE_PATHS))
        episode = await self.use.create_episode(title_id, season, request.episode.episode_number, fields)
        return pb.CreateEpisodeResponse(episode=episode_pb(episode))

    async def UpdateEpisode(self, request: pb.UpdateEpisodeRequest, context: Context) -> pb.UpdateEpisodeResponse:
        title_id, season, number = episode_of(request.episode.name, "episode.name")
        paths = mask_paths(list(request.update_mask.paths), EPISODE_PATHS, "episode")
        fields = episode_fields(request.episode, paths)
        episode = await self.use.update_episode(title_id, season, number, fields)
        return pb.UpdateEpisodeResponse(episode=episode_pb(episode))

    async def DeleteEpisode(self, request: pb.DeleteEpisodeRequest, context: Context) -> pb.DeleteEpisodeResponse:
        title_id, season, number = episode_of(request.name)
        await self.use.delete_episode(title_id, season, number)
        return pb.DeleteEpisodeResponse()

    # -- categories and genres ------------------------------------------------------------------

    async def ListCategories(self, request: pb.ListCategoriesRequest, context: Context) -> pb.ListCategoriesResponse:
        size = page_size(request.page_size, default=50)
        after = self.pages.decode(request.page_token, query="categories")

        rows, counts = await self.use.categories((int(after["o"]), str(after["id"])) if after else None, size)
        rows, token = self.pages.page(rows, size, query="categories", position=lambda last: {"o": last.sort_order, "id": last.id})
        return pb.ListCategoriesResponse(categories=[category_pb(c, counts.get(c.id, 0)) for c in rows], next_page_token=token)

    async def CreateCategory(self, request: pb.CreateCategoryRequest, context: Context) -> pb.CreateCategoryResponse:
        c = request.category
        values = CategoryValues(
            display_name=c.display_name, slug=c.slug.strip(), description=c.description, sort_order=c.sort_order
        )
        created = await self.use.create_category(values)
        return pb.CreateCategoryResponse(category=category_pb(created))

    async def UpdateCategory(self, request: pb.UpdateCategoryRequest, context: Context) -> pb.UpdateCategoryResponse:
        name = request.category.name
        category_id = name.removeprefix("categories/")
        if not name.startswith("categories/") or not category_id:
            raise invalid("category.name", "must be categories/{category}")
        paths = mask_paths(list(request.update_mask.paths), CATEGORY_PATHS, "category")
        values = {p: getattr(request.category, p) for p in paths}
        updated = await self.use.update_category(category_id, values)
        return pb.UpdateCategoryResponse(category=category_pb(updated))

    async def DeleteCategory(self, request: pb.DeleteCategoryRequest, context: Context) -> pb.DeleteCategoryResponse:
        category_id = request.name.removeprefix("categories/")
        if not request.name.startswith("categories/") or not category_id:
            raise invalid("name", "must be categories/{category}")
        await self.use.delete_category(category_id)
        return pb.DeleteCategoryResponse()

    async def ListGenres(self, request: pb.ListGenresRequest, context: Context) -> pb.ListGenresResponse:
        size = page_size(request.page_size, default=50, maximum=200)
        after = self.pages.decode(request.page_token, query="genres")
        rows = await self.use.genres((int(after["n"]), str(after["g"])) if after else None, size + 1)
        rows, token = self.pages.page(rows, size, query="genres", position=lambda last: {"n": last[1], "g": last[0]})
        return pb.ListGenresResponse(genres=[pb.Genre(display_name=g, title_count=n) for g, n in rows], next_page_token=token)

    # -- provider ----------------------------------------------------------------------------------

    async def SearchProvider(self, request: pb.SearchProviderRequest, context: Context) -> pb.SearchProviderResponse:
        query = request.query.strip()
        if not query or len(query) > 200:
            raise invalid("query", "must be 1 to 200 characters")
        if request.kind not in (pb.TITLE_KIND_UNSPECIFIED, *KIND_NAME):
            raise invalid("kind", "must be MOVIE or SERIES")
        size = page_size(request.page_size, default=20, maximum=20)
        fingerprint = f"provider:{query}:{request.kind}"
        after = self.pages.decode(request.page_token, query=fingerprint)
        provider_page = int(after["p"]) if after else 1
        offset = int(after.get("o", 0)) if after else 0
        found = await self.use.search_provider(query, KIND_NAME.get(request.kind, ""), provider_page, offset, size)
        # A page smaller than the provider's continues within the provider page before moving on.
        token = ""
        if found.more_on_this_page:
            token = self.pages.encode({"p": provider_page, "o": offset + size}, query=fingerprint)
        elif provider_page < found.total_pages:
            token = self.pages.encode({"p": provider_page + 1, "o": 0}, query=fingerprint)
        results = [provider_title_pb(hit) for hit in found.results]
        return pb.SearchProviderResponse(results=results, next_page_token=token, total_size=found.total_results)

    async def ImportTitle(self, request: pb.ImportTitleRequest, context: Context) -> pb.ImportTitleResponse:
        principal = require_principal()
        if not request.provider_id.isdigit() or len(request.provider_id) > 20:
            raise invalid("provider_id", "must be the provider's numeric id")
        if request.kind not in KIND_NAME:
            raise invalid("kind", "must be MOVIE or SERIES")
        if request.access_level not in (0, 1, 2, 3):
            raise invalid("access_level", "must be FREE, BASIC or PREMIUM")

        async def call() -> pb.ImportTitleResponse:
            view, created = await self.use.import_title(
                request.provider_id, KIND_NAME[request.kind], access_level=int(request.access_level), publish=request.publish
            )
            return pb.ImportTitleResponse(title=title_pb(view, pb.ACCESS_LEVEL_PREMIUM), created=created)

        return await self._once("ImportTitle", principal.user_id, request, request.request_id, pb.ImportTitleResponse, call)
