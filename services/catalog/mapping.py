"""Catalog's requests into plain values and its titles, seasons, episodes and categories into the contract's messages.

The servicer (`handlers.py`) calls these around one use case per RPC.
"""

from __future__ import annotations

import datetime as dt

from google.type import date_pb2
from marquee.catalog.v1 import catalog_pb2 as pb

from services.catalog import tmdb
from services.catalog.domain import STATUS_PUBLISHED, EpisodeFields, TitleFields, title_etag
from services.catalog.models import Category, Episode, Season
from services.catalog.repository import TitleQuery
from services.catalog.usecases import TitleView
from services.core import errors
from services.core.convert import message_from
from services.core.errors import FieldViolation, invalid

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


# The messages take every field a row names alike from it (`message_from`: dates, times, the kind);
# what is given is what the row spells differently.


def provider_title_pb(hit: tmdb.ProviderResult) -> pb.ProviderTitle:
    return message_from(
        pb.ProviderTitle,
        hit,
        kind=KIND_ENUM[hit.kind],
        imported_title=f"titles/{hit.imported_title_id}" if hit.imported_title_id else "",
    )


def title_pb(view: TitleView, level: int) -> pb.Title:
    t = view.title
    return message_from(
        pb.Title,
        t,
        name=f"titles/{t.id}",
        genres=view.genres,
        categories=[f"categories/{c}" for c in view.categories],
        external_ids=message_from(pb.ExternalIds, t),
        publish_state=pb.PUBLISH_STATE_PUBLISHED if t.status == STATUS_PUBLISHED else pb.PUBLISH_STATE_DRAFT,
        locked=t.access_level > level,
        etag=title_etag(t.id, t.revision),
    )


def season_pb(season: Season) -> pb.Season:
    return message_from(pb.Season, season, name=f"titles/{season.title_id}/seasons/{season.season_number}")


def episode_pb(e: Episode) -> pb.Episode:
    return message_from(
        pb.Episode,
        e,
        name=f"titles/{e.title_id}/seasons/{e.season_number}/episodes/{e.episode_number}",
        external_ids=message_from(pb.ExternalIds, e),
    )


def category_pb(category: Category, count: int = 0) -> pb.Category:
    return message_from(pb.Category, category, name=f"categories/{category.id}", title_count=count)


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


def title_query(f: pb.TitleFilter, words: tuple[str, ...] = (), *, admin: bool) -> TitleQuery:
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
        include_drafts=f.include_drafts and admin,
        kind=KIND_NAME.get(f.kind, ""),
        genres=tuple(sorted(set(f.genres))),
        category_id=f.category.removeprefix("categories/"),
        min_year=f.min_year,
        max_year=f.max_year,
        access_levels=tuple(sorted(set(levels))),
        words=words,
    )


def order_of(value: int, default: str, *, search: bool) -> str:
    if value == pb.TITLE_ORDER_UNSPECIFIED:
        return default
    if value not in ORDERS or (value == pb.TITLE_ORDER_RELEVANCE and not search):
        raise invalid("order_by", "is not a sort order of this call")
    return ORDERS[value]  # type: ignore[index]


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
