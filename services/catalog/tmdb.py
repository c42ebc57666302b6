"""TMDb's JSON as Catalog's plain values: search results and a title's details with its seasons.

The HTTP side (retries, rate limit, cache) is `provider.py`; this module only reads the
provider's shapes, leniently (missing or odd fields become empty values).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.catalog.domain import EpisodeFields, ProviderSeason, ProviderTitleDetails, TitleFields

# TMDb's media types Catalog imports, as Catalog's kinds.
MEDIA_KINDS = {"movie": "movie", "tv": "series"}
SEARCH_PATHS = {"movie": "/search/movie", "series": "/search/tv", "": "/search/multi"}


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ProviderResult:
    """One search hit; `imported_title_id` is set once the title is in the catalog."""

    provider_id: str
    kind: str
    display_name: str
    overview: str
    release_date: dt.date | None
    poster_path: str
    rating: float
    imported_title_id: str = ""


def search_hits(body: dict[str, Any], kind: str) -> list[ProviderResult]:
    """The hits of one search page that Catalog can import (movies and series), in the provider's order."""
    found = []
    for item in body.get("results", []) or []:
        if not isinstance(item, dict):
            continue
        media = item.get("media_type") or ("tv" if kind == "series" else "movie")
        if media not in MEDIA_KINDS:
            continue
        found.append(
            ProviderResult(
                provider_id=str(item.get("id", "")),
                kind=MEDIA_KINDS[media],
                display_name=str(item.get("title") or item.get("name") or ""),
                overview=str(item.get("overview") or ""),
                release_date=parse_date(str(item.get("release_date") or item.get("first_air_date") or "")),
                poster_path=str(item.get("poster_path") or ""),
                rating=float(item.get("vote_average") or 0.0),
            )
        )
    return found


def title_fields(body: dict[str, Any], provider_id: str, kind: str) -> TitleFields:
    external = body.get("external_ids") or {}
    runtime = body.get("runtime") or (body.get("episode_run_time") or [0])[0] if kind == "series" else body.get("runtime")
    return TitleFields(
        display_name=str(body.get("title") or body.get("name") or "")[:300] or f"TMDb {provider_id}",
        overview=str(body.get("overview") or "")[:5000],
        release_date=parse_date(str(body.get("release_date") or body.get("first_air_date") or "")),
        set_release_date=True,
        runtime_minutes=int(runtime or 0),
        genres=[str(g.get("name")) for g in body.get("genres") or [] if isinstance(g, dict) and g.get("name")],
        poster_path=str(body.get("poster_path") or ""),
        backdrop_path=str(body.get("backdrop_path") or ""),
        original_language=str(body.get("original_language") or "")[:16],
        imdb_id=str(body.get("imdb_id") or external.get("imdb_id") or "") or None,
        tvdb_id=str(external.get("tvdb_id") or "") or None,
        rating=float(body.get("vote_average") or 0.0),
        rating_count=int(body.get("vote_count") or 0),
        popularity=float(body.get("popularity") or 0.0),
    )


def season_numbers(body: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """A series' seasons (specials are season 0) with their summaries, as the details list them."""
    found = []
    for summary in body.get("seasons") or []:
        number = int(summary.get("season_number", -1))
        if number >= 0:
            found.append((number, summary))
    return found


def season(number: int, summary: dict[str, Any], body: dict[str, Any]) -> ProviderSeason:
    episodes = [
        (
            int(e.get("episode_number")),
            EpisodeFields(
                display_name=str(e.get("name") or f"Episode {e.get('episode_number')}")[:300],
                overview=str(e.get("overview") or "")[:5000],
                air_date=parse_date(str(e.get("air_date") or "")),
                set_air_date=True,
                runtime_minutes=int(e.get("runtime") or 0),
                still_path=str(e.get("still_path") or ""),
                tmdb_id=str(e.get("id") or ""),
            ),
        )
        for e in body.get("episodes") or []
        if int(e.get("episode_number") or 0) > 0
    ]
    return ProviderSeason(
        number,
        str(body.get("name") or summary.get("name") or "")[:300],
        str(body.get("overview") or ""),
        parse_date(str(body.get("air_date") or "")),
        str(body.get("poster_path") or ""),
        episodes,
    )


def details(provider_id: str, kind: str, body: dict[str, Any], seasons: list[ProviderSeason]) -> ProviderTitleDetails:
    return ProviderTitleDetails(kind=kind, tmdb_id=provider_id, fields=title_fields(body, provider_id, kind), seasons=seasons)
