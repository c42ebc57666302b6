"""Catalog use cases on plain values. Raises services.core.errors; never commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.catalog.models import STATUS_DELETED, STATUS_DRAFT, STATUS_PUBLISHED, Category, Episode, Season, Title
from services.catalog.repository import CatalogRepository, TitlePage, TitleQuery
from services.core import errors
from services.core.errors import FieldViolation, invalid
from services.core.models import utcnow

KINDS = ("movie", "series")
ACCESS_FREE, ACCESS_BASIC, ACCESS_PREMIUM = 1, 2, 3
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 100
MAX_GENRES = 20
CATALOG_DOMAIN = "marquee.catalog"


def catalog_error(kind: type[errors.DomainError], message: str, reason: str, **metadata: str) -> errors.DomainError:
    return kind(message, reason=reason, metadata=metadata)


def title_etag(title: Title) -> str:
    return hashlib.sha256(f"{title.id}:{title.revision}".encode()).hexdigest()[:20]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-") or "title"


def release_key(date: dt.date | None) -> int:
    return date.year * 10000 + date.month * 100 + date.day if date else 0


@dataclass
class TitleFields:
    """Values of a title an admin or an import may set; `None` leaves a field alone on update."""

    kind: str | None = None
    display_name: str | None = None
    slug: str | None = None
    overview: str | None = None
    release_date: dt.date | None = None
    set_release_date: bool = False
    runtime_minutes: int | None = None
    genres: list[str] | None = None
    categories: list[str] | None = None
    poster_path: str | None = None
    backdrop_path: str | None = None
    original_language: str | None = None
    tmdb_id: str | None = None
    imdb_id: str | None = None
    tvdb_id: str | None = None
    access_level: int | None = None
    rating: float | None = None
    rating_count: int | None = None
    popularity: float | None = None


@dataclass
class TitleView:
    title: Title
    genres: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    seasons: list[Season] = field(default_factory=list)
    score: float = 0.0


@dataclass
class EpisodeFields:
    display_name: str | None = None
    overview: str | None = None
    air_date: dt.date | None = None
    set_air_date: bool = False
    runtime_minutes: int | None = None
    still_path: str | None = None
    asset: str | None = None
    tmdb_id: str | None = None
    imdb_id: str | None = None
    tvdb_id: str | None = None


@dataclass
class ProviderSeason:
    season_number: int
    display_name: str
    overview: str
    air_date: dt.date | None
    poster_path: str
    episodes: list[tuple[int, EpisodeFields]]


@dataclass
class ProviderTitleDetails:
    kind: str
    tmdb_id: str
    fields: TitleFields
    seasons: list[ProviderSeason] = field(default_factory=list)


class CatalogDomain:
    def __init__(self, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.clock = clock

    # -- reading ----------------------------------------------------------------

    def visible_title(self, repo: CatalogRepository, title_id: str, *, admin: bool, for_update: bool = False) -> Title:
        title = repo.title(title_id, for_update=for_update) if title_id else None
        if title is None or title.status == STATUS_DELETED or (title.status != STATUS_PUBLISHED and not admin):
            raise errors.NotFound(f"titles/{title_id} not found", metadata={"name": f"titles/{title_id}"})
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

    def list_titles(
        self, repo: CatalogRepository, query: TitleQuery, *, order: str, after: dict[str, Any] | None, limit: int, count: bool
    ) -> tuple[list[TitleView], dict[str, Any] | None, int]:
        """A page of titles and the position after its last row (None on the last page)."""
        page: TitlePage = repo.page_titles(query, order=order, after=after, limit=limit + 1, count=count)
        rows = page.rows[:limit]
        following = None
        if len(page.rows) > limit and rows:
            last, score = rows[-1]
            following = {"k": repo.sort_key(last, score, order), "id": last.id}
            if count:
                following["t"] = page.total
        return self.views(repo, rows), following, page.total

    # -- titles -------------------------------------------------------------------

    def _validate(self, repo: CatalogRepository, fields: TitleFields, *, creating: bool) -> list[str]:
        problems: list[FieldViolation] = []
        if creating and fields.kind not in KINDS:
            problems.append(FieldViolation("title.kind", "must be MOVIE or SERIES"))
        if fields.display_name is not None:
            fields.display_name = fields.display_name.strip()
            if not fields.display_name or len(fields.display_name) > 300:
                problems.append(FieldViolation("title.display_name", "must be 1 to 300 characters"))
        elif creating:
            problems.append(FieldViolation("title.display_name", "is required"))
        if fields.slug and (len(fields.slug) > MAX_SLUG or not SLUG.match(fields.slug)):
            problems.append(FieldViolation("title.slug", "must be lower-case letters, digits and single hyphens, at most 100"))
        if fields.overview is not None and len(fields.overview) > 5000:
            problems.append(FieldViolation("title.overview", "must be at most 5,000 characters"))
        if fields.runtime_minutes is not None and not 0 <= fields.runtime_minutes <= 10_000:
            problems.append(FieldViolation("title.runtime_minutes", "must be between 0 and 10000"))
        if fields.access_level is not None and fields.access_level not in (ACCESS_FREE, ACCESS_BASIC, ACCESS_PREMIUM):
            problems.append(FieldViolation("title.access_level", "must be FREE, BASIC or PREMIUM"))
        for name in ("poster_path", "backdrop_path"):
            value = getattr(fields, name)
            if value is not None and len(value) > 2048:
                problems.append(FieldViolation(f"title.{name}", "must be at most 2048 characters"))
        if fields.original_language is not None and len(fields.original_language) > 16:
            problems.append(FieldViolation("title.original_language", "must be an ISO 639-1 code"))
        for name in ("tmdb_id", "imdb_id", "tvdb_id"):
            value = getattr(fields, name)
            if value is not None and len(value) > 32:
                problems.append(FieldViolation(f"title.external_ids.{name}", "must be at most 32 characters"))
        if fields.genres is not None:
            cleaned = list(dict.fromkeys(g.strip() for g in fields.genres if g.strip()))
            if len(cleaned) > MAX_GENRES or any(len(g) > 100 for g in cleaned):
                problems.append(FieldViolation("title.genres", "at most 20 genres of at most 100 characters"))
            fields.genres = cleaned
        category_ids: list[str] = []
        if fields.categories is not None:
            for name in fields.categories:
                category_id = name.removeprefix("categories/")
                if not name.startswith("categories/") or not category_id:
                    problems.append(FieldViolation("title.categories", f"{name!r} is not categories/{{category}}"))
                else:
                    category_ids.append(category_id)
            category_ids = list(dict.fromkeys(category_ids))
            missing = set(category_ids) - set(repo.categories_by_ids(category_ids))
            if missing:
                problems.append(FieldViolation("title.categories", f"unknown categories: {', '.join(sorted(missing))}"))
        if problems:
            raise errors.InvalidArgument(problems[0].description, violations=problems)
        return category_ids

    def _unique_slug(self, repo: CatalogRepository, base: str, *, except_title: str = "") -> str:
        taken = repo.slugs_like(base)
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def _check_external_ids(self, repo: CatalogRepository, title: Title) -> None:
        if title.tmdb_id:
            other = repo.title_by_tmdb(title.kind, title.tmdb_id)
            if other is not None and other.id != title.id:
                raise catalog_error(
                    errors.AlreadyExists, "another title has this TMDb id", "EXTERNAL_ID_TAKEN", tmdb_id=title.tmdb_id
                )
        if title.imdb_id:
            other = repo.title_by_imdb(title.imdb_id)
            if other is not None and other.id != title.id:
                raise catalog_error(
                    errors.AlreadyExists, "another title has this IMDb id", "EXTERNAL_ID_TAKEN", imdb_id=title.imdb_id
                )

    def _apply(self, repo: CatalogRepository, title: Title, fields: TitleFields, category_ids: list[str]) -> None:
        for name in (
            "display_name",
            "overview",
            "runtime_minutes",
            "poster_path",
            "backdrop_path",
            "original_language",
            "access_level",
            "rating",
            "rating_count",
            "popularity",
        ):
            value = getattr(fields, name)
            if value is not None:
                setattr(title, name, value)
        for name in ("tmdb_id", "imdb_id", "tvdb_id"):
            value = getattr(fields, name)
            if value is not None:
                setattr(title, name, value or None)
        if fields.set_release_date:
            title.release_date = fields.release_date
            title.release_key = release_key(fields.release_date)
        title.sort_title = title.display_name.lower()
        if fields.slug is not None:
            if fields.slug:
                if repo.slug_taken(fields.slug, except_title=title.id):
                    raise catalog_error(errors.AlreadyExists, f"slug {fields.slug!r} is taken", "SLUG_TAKEN", slug=fields.slug)
                title.slug = fields.slug
            else:
                title.slug = self._unique_slug(repo, slugify(title.display_name), except_title=title.id)
        self._check_external_ids(repo, title)
        repo.flush()
        if fields.genres is not None:
            repo.set_genres(title.id, fields.genres)
        if fields.categories is not None:
            repo.set_categories(title.id, category_ids)

    def create_title(self, repo: CatalogRepository, fields: TitleFields) -> TitleView:
        category_ids = self._validate(repo, fields, creating=True)
        now = self.clock()
        title = Title(
            kind=fields.kind,
            display_name=fields.display_name or "",
            sort_title="",
            slug="",
            status=STATUS_DRAFT,
            access_level=ACCESS_FREE,
            create_time=now,
            update_time=now,
            revision=1,
        )
        if fields.slug is None:
            fields.slug = ""
        if not fields.access_level:
            fields.access_level = None
        repo.add(title)
        self._apply(repo, title, fields, category_ids)
        repo.flush()
        return self.views(repo, [(title, 0.0)])[0]

    def _check_etag(self, title: Title, etag: str) -> None:
        if etag and etag != title_etag(title):
            raise errors.Aborted("the title changed since it was read; fetch it again", reason="ETAG_MISMATCH")

    def _touch(self, title: Title) -> None:
        title.revision += 1
        title.update_time = self.clock()

    def update_title(self, repo: CatalogRepository, title_id: str, fields: TitleFields, *, etag: str) -> TitleView:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        self._check_etag(title, etag)
        category_ids = self._validate(repo, fields, creating=False)
        self._apply(repo, title, fields, category_ids)
        self._touch(title)
        repo.flush()
        return self.views(repo, [(title, 0.0)])[0]

    def publish(self, repo: CatalogRepository, title_id: str) -> TitleView:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        if title.status != STATUS_PUBLISHED:
            if title.kind == "series" and repo.count_episodes(title_id=title.id) == 0:
                raise catalog_error(
                    errors.FailedPrecondition, "a series needs at least one episode to be published", "SERIES_HAS_NO_EPISODES"
                )
            title.status = STATUS_PUBLISHED
            title.publish_time = title.publish_time or self.clock()
            self._touch(title)
        return self.views(repo, [(title, 0.0)])[0]

    def unpublish(self, repo: CatalogRepository, title_id: str) -> TitleView:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        if title.status != STATUS_DRAFT:
            title.status = STATUS_DRAFT
            self._touch(title)
        return self.views(repo, [(title, 0.0)])[0]

    def delete_title(self, repo: CatalogRepository, title_id: str, *, etag: str) -> None:
        title = self.visible_title(repo, title_id, admin=True, for_update=True)
        self._check_etag(title, etag)
        title.status = STATUS_DELETED
        title.delete_time = self.clock()
        self._touch(title)

    # -- seasons and episodes ---------------------------------------------------------

    def series(self, repo: CatalogRepository, title_id: str, *, admin: bool, for_update: bool = False) -> Title:
        title = self.visible_title(repo, title_id, admin=admin, for_update=for_update)
        if title.kind != "series":
            raise catalog_error(errors.FailedPrecondition, "the title is a movie, not a series", "NOT_A_SERIES")
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

    def create_season(self, repo: CatalogRepository, title_id: str, season: Season) -> Season:
        title = self.series(repo, title_id, admin=True, for_update=True)
        problems = []
        if not 0 <= season.season_number <= 1000:
            problems.append(FieldViolation("season.season_number", "must be between 0 and 1000"))
        if len(season.display_name or "") > 300:
            problems.append(FieldViolation("season.display_name", "must be at most 300 characters"))
        if len(season.overview or "") > 5000:
            problems.append(FieldViolation("season.overview", "must be at most 5,000 characters"))
        if problems:
            raise errors.InvalidArgument(problems[0].description, violations=problems)
        if repo.season(title.id, season.season_number) is not None:
            raise catalog_error(errors.AlreadyExists, "the series already has this season", "SEASON_EXISTS")
        season.title_id = title.id
        season.display_name = season.display_name or (
            "Specials" if season.season_number == 0 else f"Season {season.season_number}"
        )
        season.episode_count = 0
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

    def _validate_episode(self, fields: EpisodeFields) -> None:
        problems = []
        if fields.display_name is not None and not 1 <= len(fields.display_name.strip()) <= 300:
            problems.append(FieldViolation("episode.display_name", "must be 1 to 300 characters"))
        if fields.overview is not None and len(fields.overview) > 5000:
            problems.append(FieldViolation("episode.overview", "must be at most 5,000 characters"))
        if fields.runtime_minutes is not None and not 0 <= fields.runtime_minutes <= 10_000:
            problems.append(FieldViolation("episode.runtime_minutes", "must be between 0 and 10000"))
        if fields.asset and not re.match(r"^assets/[A-Za-z0-9_-]{1,100}$", fields.asset):
            problems.append(FieldViolation("episode.asset", "must be assets/{asset}"))
        if problems:
            raise errors.InvalidArgument(problems[0].description, violations=problems)

    @staticmethod
    def _apply_episode(episode: Episode, fields: EpisodeFields) -> None:
        for name in ("display_name", "overview", "runtime_minutes", "still_path", "asset", "tmdb_id", "imdb_id", "tvdb_id"):
            value = getattr(fields, name)
            if value is not None:
                setattr(episode, name, value.strip() if name == "display_name" and isinstance(value, str) else value)
        if fields.set_air_date:
            episode.air_date = fields.air_date

    def create_episode(
        self, repo: CatalogRepository, title_id: str, season_number: int, number: int, fields: EpisodeFields
    ) -> Episode:
        if not 1 <= number <= 100_000:
            raise invalid("episode.episode_number", "must be at least 1")
        if fields.display_name is None or not fields.display_name.strip():
            raise invalid("episode.display_name", "is required")
        self._validate_episode(fields)
        title, season = self.season_of(repo, title_id, season_number, admin=True)
        if repo.episode(season.id, number) is not None:
            raise catalog_error(errors.AlreadyExists, "the season already has this episode", "EPISODE_EXISTS")
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
        self._validate_episode(fields)
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

    # -- categories and genres ---------------------------------------------------------

    def _validate_category(self, repo: CatalogRepository, category: Category, *, slug_given: bool) -> None:
        problems = []
        category.display_name = (category.display_name or "").strip()
        if not 1 <= len(category.display_name) <= 200:
            problems.append(FieldViolation("category.display_name", "must be 1 to 200 characters"))
        if len(category.description or "") > 2000:
            problems.append(FieldViolation("category.description", "must be at most 2,000 characters"))
        if slug_given and category.slug and (len(category.slug) > MAX_SLUG or not SLUG.match(category.slug)):
            problems.append(FieldViolation("category.slug", "must be lower-case letters, digits and single hyphens"))
        if problems:
            raise errors.InvalidArgument(problems[0].description, violations=problems)
        if not category.slug:
            category.slug = slugify(category.display_name)
        if repo.category_slug_taken(category.slug, except_id=category.id or ""):
            raise catalog_error(errors.AlreadyExists, f"slug {category.slug!r} is taken", "SLUG_TAKEN", slug=category.slug)

    def create_category(self, repo: CatalogRepository, category: Category) -> Category:
        self._validate_category(repo, category, slug_given=True)
        now = self.clock()
        category.create_time = category.update_time = now
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
        self._validate_category(repo, category, slug_given="slug" in values)
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
        fields = details.fields
        fields.kind, fields.tmdb_id = details.kind, details.tmdb_id
        if existing is not None and fields.imdb_id:
            other = repo.title_by_imdb(fields.imdb_id)
            if other is not None and other.id != existing.id:
                fields.imdb_id = None  # keep the other title's claim rather than fail a refresh
        if existing is None:
            if fields.imdb_id and repo.title_by_imdb(fields.imdb_id) is not None:
                raise catalog_error(
                    errors.AlreadyExists, "another title has this IMDb id", "EXTERNAL_ID_TAKEN", imdb_id=fields.imdb_id
                )
            fields.access_level = access_level or ACCESS_FREE
            view = self.create_title(repo, fields)
            title, created = view.title, True
        else:
            title, created = existing, False
            if title.status == STATUS_DELETED:
                title.status, title.delete_time = STATUS_DRAFT, None
            fields.slug = None  # keep the slug links point at
            fields.categories = None
            self._apply(repo, title, fields, [])
            self._touch(title)
        if details.kind == "series":
            self._import_seasons(repo, title, details.seasons)
        if publish:
            return self.publish(repo, title.id), created
        repo.flush()
        return self.views(repo, [(title, 0.0)])[0], created

    def _import_seasons(self, repo: CatalogRepository, title: Title, seasons: list[ProviderSeason]) -> None:
        for provided in seasons:
            season = repo.season(title.id, provided.season_number)
            if season is None:
                season = Season(title_id=title.id, season_number=provided.season_number, episode_count=0)
                repo.add(season)
            season.display_name = provided.display_name[:300]
            season.overview = provided.overview[:5000]
            season.air_date = provided.air_date
            season.poster_path = provided.poster_path[:2048]
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
