"""Catalog's rules on plain values: title, season, episode and category fields, slugs, etags,
visibility and publishing, and what an import from the metadata provider sets.

Nothing here reads or writes the database, receives a repository or a session, or knows about
protobuf or gRPC: the steps of each unit of work (`usecases.CatalogWork`) ask the repository and
apply these rules; the use cases own the units of work and the outside calls around them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.core import errors
from services.core.errors import FieldViolation, invalid

KINDS = ("movie", "series")
ACCESS_FREE, ACCESS_BASIC, ACCESS_PREMIUM = 1, 2, 3
# A title's lifecycle, as stored: drafts are seen by admins only, deleted titles by nobody.
STATUS_DRAFT = "draft"
STATUS_PUBLISHED = "published"
STATUS_DELETED = "deleted"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 100
MAX_GENRES = 20
ASSET = re.compile(r"^assets/[A-Za-z0-9_-]{1,100}$")
# Title columns an update copies as given (when set); external ids clear to NULL when given empty.
TITLE_COLUMNS = (
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
)
EXTERNAL_IDS = ("tmdb_id", "imdb_id", "tvdb_id")
EPISODE_COLUMNS = ("display_name", "overview", "runtime_minutes", "still_path", "asset", *EXTERNAL_IDS)


def catalog_error(kind: type[errors.DomainError], message: str, reason: str, **metadata: str) -> errors.DomainError:
    return kind(message, reason=reason, metadata=metadata)


def _raise_any(problems: Sequence[FieldViolation]) -> None:
    if problems:
        raise errors.InvalidArgument(problems[0].description, violations=problems)


# -- names, slugs, keys, etags ----------------------------------------------------------


def title_etag(title_id: str, revision: int) -> str:
    """A title's etag: changes with every revision, so a stale update or delete is refused."""
    return hashlib.sha256(f"{title_id}:{revision}".encode()).hexdigest()[:20]


def check_etag(etag: str, current: str) -> None:
    """A write that names an etag applies only to the revision it was read at; an empty one always applies."""
    if etag and etag != current:
        raise errors.Aborted("the title changed since it was read; fetch it again", reason="ETAG_MISMATCH")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-") or "title"


def unique_slug(base: str, taken: Collection[str]) -> str:
    """`base`, or `base-2`, `base-3`… : the first that is not `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def slug_taken(slug: str) -> errors.DomainError:
    return catalog_error(errors.AlreadyExists, f"slug {slug!r} is taken", "SLUG_TAKEN", slug=slug)


def release_key(date: dt.date | None) -> int:
    return date.year * 10000 + date.month * 100 + date.day if date else 0


def sort_title(display_name: str) -> str:
    """The key of alphabetical order."""
    return display_name.lower()


# -- titles -----------------------------------------------------------------------------


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


def is_visible(status: str, *, admin: bool) -> bool:
    """Published titles are seen by everyone, drafts by admins, deleted titles by nobody."""
    return status != STATUS_DELETED and (status == STATUS_PUBLISHED or admin)


def title_not_found(title_id: str) -> errors.NotFound:
    return errors.NotFound(f"titles/{title_id} not found", metadata={"name": f"titles/{title_id}"})


def category_ids_of(names: Sequence[str]) -> list[str]:
    """The category ids `categories/{category}` names mean, once each, in order (malformed names left out)."""
    ids = (name.removeprefix("categories/") for name in names if name.startswith("categories/"))
    return list(dict.fromkeys(i for i in ids if i))


def check_title_fields(fields: TitleFields, *, creating: bool, known_categories: Collection[str] = ()) -> list[str]:
    """Refuses invalid values with every violation; returns the category ids `fields.categories` names.

    Normalizes in place what it accepts: the display name stripped, genres stripped and once each.
    `known_categories` are the ids among `category_ids_of(fields.categories)` that exist.
    """
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
    for name in EXTERNAL_IDS:
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
            if not name.startswith("categories/") or not name.removeprefix("categories/"):
                problems.append(FieldViolation("title.categories", f"{name!r} is not categories/{{category}}"))
        category_ids = category_ids_of(fields.categories)
        missing = set(category_ids) - set(known_categories)
        if missing:
            problems.append(FieldViolation("title.categories", f"unknown categories: {', '.join(sorted(missing))}"))
    _raise_any(problems)
    return category_ids


def title_changes(fields: TitleFields) -> dict[str, Any]:
    """The title columns `fields` sets (slug, genres and categories aside: they need the repository)."""
    changes: dict[str, Any] = {name: getattr(fields, name) for name in TITLE_COLUMNS if getattr(fields, name) is not None}
    changes |= {name: getattr(fields, name) or None for name in EXTERNAL_IDS if getattr(fields, name) is not None}
    if fields.set_release_date:
        changes |= {"release_date": fields.release_date, "release_key": release_key(fields.release_date)}
    return changes


def new_title_fields(fields: TitleFields) -> TitleFields:
    """A new title's fields: a slug derived from its name unless one is given, FREE unless a level is given."""
    if fields.slug is None:
        fields.slug = ""
    if not fields.access_level:
        fields.access_level = None
    return fields


def external_id_taken(provider: str, key: str, value: str) -> errors.DomainError:
    return catalog_error(errors.AlreadyExists, f"another title has this {provider} id", "EXTERNAL_ID_TAKEN", **{key: value})


def check_external_id(provider: str, key: str, value: str | None, *, holder: str | None, title_id: str) -> None:
    """A provider id (`key` is its column) belongs to one title: refused when `holder`, another title, has it."""
    if value and holder is not None and holder != title_id:
        raise external_id_taken(provider, key, value)


def check_publishable(kind: str, episode_count: int) -> None:
    """A series is published with at least one episode; a movie any time."""
    if kind == "series" and episode_count == 0:
        raise catalog_error(
            errors.FailedPrecondition, "a series needs at least one episode to be published", "SERIES_HAS_NO_EPISODES"
        )


# -- seasons and episodes ---------------------------------------------------------------


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


def check_series(kind: str) -> None:
    """Seasons and episodes belong to series."""
    if kind != "series":
        raise catalog_error(errors.FailedPrecondition, "the title is a movie, not a series", "NOT_A_SERIES")


def check_season(season_number: int, display_name: str, overview: str) -> None:
    problems = []
    if not 0 <= season_number <= 1000:
        problems.append(FieldViolation("season.season_number", "must be between 0 and 1000"))
    if len(display_name) > 300:
        problems.append(FieldViolation("season.display_name", "must be at most 300 characters"))
    if len(overview) > 5000:
        problems.append(FieldViolation("season.overview", "must be at most 5,000 characters"))
    _raise_any(problems)


def season_display_name(season_number: int, given: str) -> str:
    """The given name, else "Specials" for season 0 and "Season N" for the others."""
    return given or ("Specials" if season_number == 0 else f"Season {season_number}")


def check_episode_fields(fields: EpisodeFields) -> None:
    problems = []
    if fields.display_name is not None and not 1 <= len(fields.display_name.strip()) <= 300:
        problems.append(FieldViolation("episode.display_name", "must be 1 to 300 characters"))
    if fields.overview is not None and len(fields.overview) > 5000:
        problems.append(FieldViolation("episode.overview", "must be at most 5,000 characters"))
    if fields.runtime_minutes is not None and not 0 <= fields.runtime_minutes <= 10_000:
        problems.append(FieldViolation("episode.runtime_minutes", "must be between 0 and 10000"))
    if fields.asset and not ASSET.match(fields.asset):
        problems.append(FieldViolation("episode.asset", "must be assets/{asset}"))
    _raise_any(problems)


def check_new_episode(episode_number: int, fields: EpisodeFields) -> None:
    """A new episode has a number from 1 and a name, besides the rules of every episode write."""
    if not 1 <= episode_number <= 100_000:
        raise invalid("episode.episode_number", "must be at least 1")
    if fields.display_name is None or not fields.display_name.strip():
        raise invalid("episode.display_name", "is required")
    check_episode_fields(fields)


def episode_changes(fields: EpisodeFields) -> dict[str, Any]:
    """The episode columns `fields` sets; the display name stripped."""
    changes: dict[str, Any] = {name: getattr(fields, name) for name in EPISODE_COLUMNS if getattr(fields, name) is not None}
    if "display_name" in changes:
        changes["display_name"] = changes["display_name"].strip()
    if fields.set_air_date:
        changes["air_date"] = fields.air_date
    return changes


# -- categories -------------------------------------------------------------------------


def category_values(display_name: str, description: str, slug: str, *, slug_given: bool) -> tuple[str, str]:
    """A category's display name (stripped) and slug (derived from the name when empty), or every violation.

    `slug_given`: the write sets the slug, so it is checked (an update that leaves it alone keeps it).
    """
    display_name = display_name.strip()
    problems = []
    if not 1 <= len(display_name) <= 200:
        problems.append(FieldViolation("category.display_name", "must be 1 to 200 characters"))
    if len(description) > 2000:
        problems.append(FieldViolation("category.description", "must be at most 2,000 characters"))
    if slug_given and slug and (len(slug) > MAX_SLUG or not SLUG.match(slug)):
        problems.append(FieldViolation("category.slug", "must be lower-case letters, digits and single hyphens"))
    _raise_any(problems)
    return display_name, slug or slugify(display_name)


# -- import from the metadata provider --------------------------------------------------


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


def import_fields(
    details: ProviderTitleDetails, *, existing: str | None, imdb_holder: str | None, access_level: int
) -> TitleFields:
    """What an import sets on the title matched by kind and TMDb id (`existing`, None for a new one).

    `imdb_holder` is the title holding the provider's IMDb id, if any. A new title refuses an IMDb id
    another title holds and takes `access_level` (FREE when unset); a refresh leaves the other title's
    claim alone rather than fail, keeps the slug links point at, the categories and the access level.
    """
    fields = details.fields
    fields.kind, fields.tmdb_id = details.kind, details.tmdb_id
    if existing is None:
        if fields.imdb_id and imdb_holder is not None:
            raise external_id_taken("IMDb", "imdb_id", fields.imdb_id)
        fields.access_level = access_level or ACCESS_FREE
    else:
        if fields.imdb_id and imdb_holder is not None and imdb_holder != existing:
            fields.imdb_id = None
        fields.slug = None
        fields.categories = None
    return fields


def imported_season_changes(provided: ProviderSeason) -> dict[str, Any]:
    """The season columns an import sets, cut to the columns' limits (the provider's text is unbounded)."""
    return {
        "display_name": provided.display_name[:300],
        "overview": provided.overview[:5000],
        "air_date": provided.air_date,
        "poster_path": provided.poster_path[:2048],
    }
