"""CatalogService servicer: parses each request, calls one use case (`usecases.py`) and maps its result."""

from __future__ import annotations

import datetime as dt
import json

from google.type import date_pb2
from marquee.catalog.v1 import catalog_pb2 as pb
from marquee.catalog.v1 import catalog_pb2_grpc

from services.catalog import tmdb
from services.catalog.domain import EpisodeFields, TitleFields, TitleView, title_etag
from services.catalog.models import STATUS_PUBLISHED, Category, Episode, Season
from services.catalog.repository import TitleQuery
from services.catalog.usecases import CatalogUseCases, CategoryValues, SeasonValues
from services.core import errors
from services.core.convert import timestamp
from services.core.errors import FieldViolation, invalid
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, current_metadata, current_principal, require_principal
from services.core.paging import PageTokens, page_size

KIND_NAME = {pb.TITLE_KIND_MOVIE: "movie", pb.TITLE_KIND_SERIES: "series"}
KIND_ENUM = {v: k for k, v in KIND_NAME.items()}
ORDERS = {
    pb.TITLE_ORDER_RELEVANCE: "relevance",
    pb.TITLE_ORDER_POPULARITY: "popularity",
    pb.TITLE_ORDER_RATING: "rating",
    pb.TITLE_ORDER_NEWEST: "newest",
    pb.TITLE_ORDER_TITLE: "title",
}
TITLE_PATHS = (
    "display_name",
    "slug",
    "overview",
    "release_date",
    "runtime_minutes",
    "genres",
    "categories",
    "poster_path",
    "backdrop_path",
    "original_language",
    "external_ids",
    "access_level",
)
EXTERNAL_PATHS = ("external_ids.tmdb_id", "external_ids.imdb_id", "external_ids.tvdb_id")
EPISODE_PATHS = ("display_name", "overview", "air_date", "runtime_minutes", "still_path", "asset", "external_ids")
CATEGORY_PATHS = ("display_name", "slug", "description", "sort_order")


def date_pb(value: dt.date | None) -> date_pb2.Date | None:
    return date_pb2.Date(year=value.year, month=value.month, day=value.day) if value else None


def date_of(message: date_pb2.Date, field: str) -> dt.date | None:
    if not (message.year or message.month or message.day):
        return None
    try:
        return dt.date(message.year, message.month, message.day)
    except ValueError:
        raise invalid(field, "must be a full calendar date") from None


def title_id_of(name: str, field: str = "name") -> str:
    title_id = name.removeprefix("titles/")
    if not name.startswith("titles/") or not title_id or "/" in title_id:
        raise invalid(field, "must be titles/{title}")
    return title_id


def season_of(name: str, field: str = "parent") -> tuple[str, int]:
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "titles" or parts[2] != "seasons" or not parts[3].isdigit():
        raise invalid(field, "must be titles/{title}/seasons/{season_number}")
    return parts[1], int(parts[3])


def episode_of(name: str, field: str = "name") -> tuple[str, int, int]:
    parts = name.split("/")
    if len(parts) != 6 or parts[4] != "episodes" or not parts[5].isdigit():
        raise invalid(field, "must be titles/{title}/seasons/{season_number}/episodes/{episode_number}")
    title_id, season = season_of("/".join(parts[:4]), field)
    return title_id, season, int(parts[5])


def mask_paths(mask_paths: list[str], allowed: tuple[str, ...], prefix: str, extra: tuple[str, ...] = ()) -> list[str]:
    if not mask_paths:
        raise invalid("update_mask", "is required; name the fields to update")
    if mask_paths == ["*"]:
        return list(allowed)
    bad = [p for p in mask_paths if p not in allowed and p not in extra]
    if bad:
        raise errors.InvalidArgument(
            f"update_mask names unknown or output-only fields: {', '.join(bad)}",
            violations=[FieldViolation("update_mask", f"{p!r} cannot be updated") for p in bad],
        )
    return mask_paths


def provider_title_pb(hit: tmdb.ProviderResult) -> pb.ProviderTitle:
    return pb.ProviderTitle(
        provider_id=hit.provider_id,
        kind=KIND_ENUM[hit.kind],
        display_name=hit.display_name,
        overview=hit.overview,
        release_date=date_pb(hit.release_date),
        poster_path=hit.poster_path,
        rating=hit.rating,
        imported_title=f"titles/{hit.imported_title_id}" if hit.imported_title_id else "",
    )


class CatalogHandlers(catalog_pb2_grpc.CatalogServiceServicer):
    """Parses each request, calls one use case (`usecases.py`) and maps its result."""

    def __init__(self, use_cases: CatalogUseCases, idempotency: Idempotency, page_tokens: PageTokens) -> None:
        self.use = use_cases
        self.idempotency = idempotency
        self.pages = page_tokens

    @staticmethod
    def _is_admin() -> bool:
        principal = current_principal()
        return principal is not None and principal.is_admin

    async def _caller_level(self) -> int:
        return await self.use.caller_level(current_principal(), current_metadata().get("authorization", ""))

    # -- conversions ------------------------------------------------------------------

    @staticmethod
    def title_pb(view: TitleView, level: int) -> pb.Title:
        t = view.title
        return pb.Title(
            name=f"titles/{t.id}",
            kind=KIND_ENUM.get(t.kind, pb.TITLE_KIND_UNSPECIFIED),
            display_name=t.display_name,
            slug=t.slug,
            overview=t.overview,
            release_date=date_pb(t.release_date),
            runtime_minutes=t.runtime_minutes,
            genres=view.genres,
            categories=[f"categories/{c}" for c in view.categories],
            poster_path=t.poster_path,
            backdrop_path=t.backdrop_path,
            original_language=t.original_language,
            external_ids=pb.ExternalIds(tmdb_id=t.tmdb_id or "", imdb_id=t.imdb_id or "", tvdb_id=t.tvdb_id or ""),
            access_level=t.access_level,  # type: ignore[arg-type]
            publish_state=pb.PUBLISH_STATE_PUBLISHED if t.status == STATUS_PUBLISHED else pb.PUBLISH_STATE_DRAFT,
            rating=t.rating,
            rating_count=t.rating_count,
            popularity=t.popularity,
            season_count=t.season_count,
            episode_count=t.episode_count,
            locked=t.access_level > level,
            asset=t.asset,
            etag=title_etag(t),
            create_time=timestamp(t.create_time),
            update_time=timestamp(t.update_time),
            publish_time=timestamp(t.publish_time),
        )

    @staticmethod
    def season_pb(season: Season) -> pb.Season:
        return pb.Season(
            name=f"titles/{season.title_id}/seasons/{season.season_number}",
            season_number=season.season_number,
            display_name=season.display_name,
            overview=season.overview,
            air_date=date_pb(season.air_date),
            poster_path=season.poster_path,
            episode_count=season.episode_count,
        )

    @staticmethod
    def episode_pb(e: Episode) -> pb.Episode:
        return pb.Episode(
            name=f"titles/{e.title_id}/seasons/{e.season_number}/episodes/{e.episode_number}",
            episode_number=e.episode_number,
            season_number=e.season_number,
            display_name=e.display_name,
            overview=e.overview,
            air_date=date_pb(e.air_date),
            runtime_minutes=e.runtime_minutes,
            still_path=e.still_path,
            asset=e.asset,
            external_ids=pb.ExternalIds(tmdb_id=e.tmdb_id, imdb_id=e.imdb_id, tvdb_id=e.tvdb_id),
        )

    @staticmethod
    def category_pb(category: Category, count: int = 0) -> pb.Category:
        return pb.Category(
            name=f"categories/{category.id}",
            display_name=category.display_name,
            slug=category.slug,
            description=category.description,
            sort_order=category.sort_order,
            title_count=count,
        )

    @staticmethod
    def title_fields(title: pb.Title, paths: list[str] | None) -> TitleFields:
        """The values of `title` named by `paths` (all settable ones when None, for create)."""
        chosen = set(paths) if paths is not None else set(TITLE_PATHS)
        fields = TitleFields()
        if paths is None:
            if title.kind not in KIND_NAME:
                raise invalid("title.kind", "must be MOVIE or SERIES")
            fields.kind = KIND_NAME[title.kind]
        simple = ("display_name", "slug", "overview", "runtime_minutes", "poster_path", "backdrop_path", "original_language")
        for name in simple:
            if name in chosen:
                setattr(fields, name, getattr(title, name))
        if "release_date" in chosen:
            fields.release_date, fields.set_release_date = date_of(title.release_date, "title.release_date"), True
        if "genres" in chosen:
            fields.genres = list(title.genres)
        if "categories" in chosen:
            fields.categories = list(title.categories)
        if "access_level" in chosen:
            valid = (pb.ACCESS_LEVEL_FREE, pb.ACCESS_LEVEL_BASIC, pb.ACCESS_LEVEL_PREMIUM)
            if title.access_level not in valid and (paths is not None or title.access_level != pb.ACCESS_LEVEL_UNSPECIFIED):
                raise invalid("title.access_level", "must be FREE, BASIC or PREMIUM")
            fields.access_level = int(title.access_level) or None
        for name in ("tmdb_id", "imdb_id", "tvdb_id"):
            if "external_ids" in chosen or f"external_ids.{name}" in chosen:
                setattr(fields, name, getattr(title.external_ids, name).strip())
        return fields

    def _query(self, f: pb.TitleFilter, words: tuple[str, ...] = ()) -> TitleQuery:
        problems = []
        if f.kind not in (pb.TITLE_KIND_UNSPECIFIED, *KIND_NAME):
            problems.append(FieldViolation("filter.kind", "must be MOVIE or SERIES"))
        if f.min_year < 0 or f.max_year < 0 or f.min_year > 9999 or f.max_year > 9999:
            problems.append(FieldViolation("filter.min_year", "years must be between 1 and 9999"))
        if f.min_year and f.max_year and f.min_year > f.max_year:
            problems.append(FieldViolation("filter.max_year", "must not be before min_year"))
        levels = tuple(int(a) for a in f.access_levels)
        if any(a not in (1, 2, 3) for a in levels):
            problems.append(FieldViolation("filter.access_levels", "must be FREE, BASIC or PREMIUM"))
        if f.category and (not f.category.startswith("categories/") or "/" in f.category.removeprefix("categories/")):
            problems.append(FieldViolation("filter.category", "must be categories/{category}"))
        if len(f.genres) > 20:
            problems.append(FieldViolation("filter.genres", "at most 20 genres"))
        if problems:
            raise errors.InvalidArgument(problems[0].description, violations=problems)
        return TitleQuery(
            include_drafts=f.include_drafts and self._is_admin(),
            kind=KIND_NAME.get(f.kind, ""),
            genres=tuple(sorted(set(f.genres))),
            category_id=f.category.removeprefix("categories/"),
            min_year=f.min_year,
            max_year=f.max_year,
            access_levels=tuple(sorted(set(levels))),
            words=words,
        )

    @staticmethod
    def _order(value: int, default: str, *, search: bool) -> str:
        if value == pb.TITLE_ORDER_UNSPECIFIED:
            return default
        if value not in ORDERS or (value == pb.TITLE_ORDER_RELEVANCE and not search):
            raise invalid("order_by", "is not a sort order of this call")
        return ORDERS[value]  # type: ignore[index]

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
        return [self.title_pb(v, level) for v in views], next_token, total

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
        return pb.GetTitleResponse(title=self.title_pb(view, level), seasons=[self.season_pb(s) for s in view.seasons])

    async def ListTitles(self, request: pb.ListTitlesRequest, context: Context) -> pb.ListTitlesResponse:
        size = page_size(request.page_size)
        order = self._order(request.order_by, "newest", search=False)
        titles, token, _ = await self._title_page(
            "list", self._query(request.filter), order, size, request.page_token, count=False
        )
        return pb.ListTitlesResponse(titles=titles, next_page_token=token)

    async def SearchTitles(self, request: pb.SearchTitlesRequest, context: Context) -> pb.SearchTitlesResponse:
        size = page_size(request.page_size)
        if len(request.query) > 500:
            raise invalid("query", "must be at most 500 characters")
        from services.catalog.search import query_words

        words = tuple(query_words(request.query))
        query = self._query(request.filter, words)
        has_filter = any((query.kind, query.genres, query.category_id, query.min_year, query.max_year, query.access_levels))
        if not words and not has_filter:
            raise invalid("query", "give words to search for or at least one filter")
        order = self._order(request.order_by, "relevance" if words else "popularity", search=True)
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
        out = [pb.TrendingTitle(title=self.title_pb(v, level), watcher_count=counts[v.title.id]) for v in views]
        following = start + size
        token = self.pages.encode({"i": following}, query=fingerprint) if following < len(ranked) else ""
        return pb.ListTrendingTitlesResponse(titles=out, next_page_token=token)

    # -- title administration ---------------------------------------------------------------

    async def CreateTitle(self, request: pb.CreateTitleRequest, context: Context) -> pb.CreateTitleResponse:
        principal = require_principal()
        fields = self.title_fields(request.title, None)

        async def call() -> pb.CreateTitleResponse:
            view = await self.use.create_title(fields)
            return pb.CreateTitleResponse(title=self.title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

        return await self.idempotency.run(
            method="CreateTitle",
            caller=principal.user_id,
            request=request,
            request_id=request.request_id,
            response_type=pb.CreateTitleResponse,
            call=call,
        )

    async def UpdateTitle(self, request: pb.UpdateTitleRequest, context: Context) -> pb.UpdateTitleResponse:
        title_id = title_id_of(request.title.name, "title.name")
        paths = mask_paths(list(request.update_mask.paths), TITLE_PATHS, "title", EXTERNAL_PATHS)
        fields = self.title_fields(request.title, paths)
        view = await self.use.update_title(title_id, fields, request.title.etag)
        return pb.UpdateTitleResponse(title=self.title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

    async def PublishTitle(self, request: pb.PublishTitleRequest, context: Context) -> pb.PublishTitleResponse:
        view = await self.use.publish(title_id_of(request.name))
        return pb.PublishTitleResponse(title=self.title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

    async def UnpublishTitle(self, request: pb.UnpublishTitleRequest, context: Context) -> pb.UnpublishTitleResponse:
        view = await self.use.unpublish(title_id_of(request.name))
        return pb.UnpublishTitleResponse(title=self.title_pb(view, pb.ACCESS_LEVEL_PREMIUM))

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
        return pb.ListSeasonsResponse(seasons=[self.season_pb(s) for s in seasons], next_page_token=token)

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
        return pb.CreateSeasonResponse(season=self.season_pb(created))

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
        return pb.ListEpisodesResponse(episodes=[self.episode_pb(e) for e in episodes], next_page_token=token)

    async def GetEpisode(self, request: pb.GetEpisodeRequest, context: Context) -> pb.GetEpisodeResponse:
        title_id, season, number = episode_of(request.name)
        episode = await self.use.get_episode(title_id, season, number, admin=self._is_admin())
        return pb.GetEpisodeResponse(episode=self.episode_pb(episode))

    @staticmethod
    def episode_fields(e: pb.Episode, paths: list[str]) -> EpisodeFields:
        fields = EpisodeFields()
        for name in ("display_name", "overview", "runtime_minutes", "still_path", "asset"):
            if name in paths:
                setattr(fields, name, getattr(e, name))
        if "air_date" in paths:
            fields.air_date, fields.set_air_date = date_of(e.air_date, "episode.air_date"), True
        if "external_ids" in paths:
            fields.tmdb_id, fields.imdb_id, fields.tvdb_id = (
                e.external_ids.tmdb_id,
                e.external_ids.imdb_id,
                e.external_ids.tvdb_id,
            )
        return fields

    async def CreateEpisode(self, request: pb.CreateEpisodeRequest, context: Context) -> pb.CreateEpisodeResponse:
        title_id, season = season_of(request.parent)
        fields = self.episode_fields(request.episode, list(EPISODE_PATHS))
        episode = await self.use.create_episode(title_id, season, request.episode.episode_number, fields)
        return pb.CreateEpisodeResponse(episode=self.episode_pb(episode))

    async def UpdateEpisode(self, request: pb.UpdateEpisodeRequest, context: Context) -> pb.UpdateEpisodeResponse:
        title_id, season, number = episode_of(request.episode.name, "episode.name")
        paths = mask_paths(list(request.update_mask.paths), EPISODE_PATHS, "episode")
        fields = self.episode_fields(request.episode, paths)
        episode = await self.use.update_episode(title_id, season, number, fields)
        return pb.UpdateEpisodeResponse(episode=self.episode_pb(episode))

    async def DeleteEpisode(self, request: pb.DeleteEpisodeRequest, context: Context) -> pb.DeleteEpisodeResponse:
        title_id, season, number = episode_of(request.name)
        await self.use.delete_episode(title_id, season, number)
        return pb.DeleteEpisodeResponse()

    # -- categories and genres ------------------------------------------------------------------

    async def ListCategories(self, request: pb.ListCategoriesRequest, context: Context) -> pb.ListCategoriesResponse:
        size = page_size(request.page_size, default=50)
        after = self.pages.decode(request.page_token, query="categories")

        rows, counts = await self.use.categories((int(after["o"]), str(after["id"])) if after else None, size)
        token = ""
        if len(rows) > size:
            last = rows[size - 1]
            token = self.pages.encode({"o": last.sort_order, "id": last.id}, query="categories")
        return pb.ListCategoriesResponse(
            categories=[self.category_pb(c, counts.get(c.id, 0)) for c in rows[:size]], next_page_token=token
        )

    async def CreateCategory(self, request: pb.CreateCategoryRequest, context: Context) -> pb.CreateCategoryResponse:
        c = request.category
        values = CategoryValues(
            display_name=c.display_name, slug=c.slug.strip(), description=c.description, sort_order=c.sort_order
        )
        created = await self.use.create_category(values)
        return pb.CreateCategoryResponse(category=self.category_pb(created))

    async def UpdateCategory(self, request: pb.UpdateCategoryRequest, context: Context) -> pb.UpdateCategoryResponse:
        name = request.category.name
        category_id = name.removeprefix("categories/")
        if not name.startswith("categories/") or not category_id:
            raise invalid("category.name", "must be categories/{category}")
        paths = mask_paths(list(request.update_mask.paths), CATEGORY_PATHS, "category")
        values = {p: getattr(request.category, p) for p in paths}
        updated = await self.use.update_category(category_id, values)
        return pb.UpdateCategoryResponse(category=self.category_pb(updated))

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
        token = self.pages.encode({"n": rows[size - 1][1], "g": rows[size - 1][0]}, query="genres") if len(rows) > size else ""
        return pb.ListGenresResponse(
            genres=[pb.Genre(display_name=g, title_count=n) for g, n in rows[:size]], next_page_token=token
        )

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
            return pb.ImportTitleResponse(title=self.title_pb(view, pb.ACCESS_LEVEL_PREMIUM), created=created)

        return await self.idempotency.run(
            method="ImportTitle",
            caller=principal.user_id,
            request=request,
            request_id=request.request_id,
            response_type=pb.ImportTitleResponse,
            call=call,
        )
