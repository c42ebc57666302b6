"""The synthetic demo catalog: a few hundred clearly fake titles so a fresh `marquee up` has something to browse.

Deterministic (seeded), published, with mixed access levels, genres, categories, and
series with seasons and episodes. Every name starts with "Demo:" so nobody mistakes
it for real data. `load_demo_catalog(session)` only loads into an empty catalog.

    python -m services.catalog.demo        # loads into the configured database
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.catalog.domain import STATUS_PUBLISHED, release_key, slugify
from services.catalog.models import (
    Category,
    Episode,
    Season,
    Title,
    TitleCategory,
    TitleGenre,
)
from services.catalog.repository import CatalogRepository
from services.core.models import utcnow

SEED = 20261122
DEMO_TITLES = 300
GENRES = ("Drama", "Comedy", "Action", "Thriller", "Romance", "Documentary", "Animation", "Family", "Crime", "Sci-Fi")
CATEGORIES = (
    ("Nollywood classics", "nollywood-classics"),
    ("New this week", "new-this-week"),
    ("Family night", "family-night"),
    ("Award winners", "award-winners"),
    ("Binge-worthy series", "binge-worthy-series"),
)
ADJECTIVES = ("Silent", "Golden", "Broken", "Hidden", "Electric", "Midnight", "Crimson", "Distant", "Gentle", "Restless",
              "Paper", "Iron", "Velvet", "Hollow", "Bright")  # fmt: skip
NOUNS = ("River", "Market", "Harbour", "Kingdom", "Signal", "Orchard", "Lantern", "Frontier", "Promise", "Echo",
         "Compass", "Garden", "Station", "Horizon", "Letter")  # fmt: skip
PLACES = ("Lagos", "Accra", "Nairobi", "Kano", "Enugu", "Abuja", "Ibadan", "Port Harcourt", "Dakar", "Kigali")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def demo_rows(
    count: int = DEMO_TITLES, *, seed: int = SEED, prefix: str = "Demo", max_seasons: int = 4, max_episodes: int = 10
) -> dict[str, list[dict[str, Any]]]:
    """Rows for every catalog table, generated from `seed` alone (same seed, same catalog, same ids)."""
    rng = random.Random(seed)
    # Ids are derived from the seed too, so loading twice into two databases gives identical resource names.
    id_prefix = f"{seed % 100000:05d}"

    def row_id(tag: str, *numbers: int) -> str:
        body = "".join(f"{number:06d}" for number in numbers)
        return (tag + id_prefix + body).ljust(32, "0")[:32]

    now = utcnow()
    rows: dict[str, list[dict[str, Any]]] = {"titles": [], "genres": [], "categories": [], "title_categories": [],
                                             "seasons": [], "episodes": []}  # fmt: skip
    category_ids = []
    for position, (name, slug) in enumerate(CATEGORIES):
        category_id = row_id("c", position)
        category_ids.append(category_id)
        rows["categories"].append({"id": category_id, "slug": f"{slug}" if prefix == "Demo" else f"{slug}-{seed}",
                                   "display_name": name, "description": f"{prefix} shelf: {name.lower()}.",
                                   "sort_order": position, "create_time": now, "update_time": now})  # fmt: skip
    used_slugs: set[str] = set()
    for n in range(count):
        kind = "series" if rng.random() < 0.3 else "movie"
        name = f"{prefix}: The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        if rng.random() < 0.5:
            name += f" of {rng.choice(PLACES)}"
        slug = slugify(name)
        if slug in used_slugs:
            slug = f"{slug}-{n}"
        used_slugs.add(slug)
        released = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(0, 50 * 365))
        title_id = row_id("t", n)
        place = rng.choice(PLACES)
        adjective, noun = rng.choice(ADJECTIVES).lower(), rng.choice(NOUNS).lower()
        overview = (f"A synthetic {kind} for demonstrations, set in {place}: {_article(adjective)} {adjective} story "
                    f"about {_article(noun)} {noun} and the people who chase it.")  # fmt: skip
        seasons = rng.randint(1, max_seasons) if kind == "series" else 0
        episode_total = 0
        for s in range(1, seasons + 1):
            season_id = row_id("s", n, s)
            episodes = rng.randint(min(3, max_episodes), max_episodes)
            episode_total += episodes
            season_air = released + dt.timedelta(days=365 * (s - 1))
            rows["seasons"].append({"id": season_id, "title_id": title_id, "season_number": s, "display_name": f"Season {s}",
                                    "overview": f"Season {s} of {name}.", "air_date": season_air, "poster_path": "",
                                    "episode_count": episodes})  # fmt: skip
            for e in range(1, episodes + 1):
                rows["episodes"].append({"id": row_id("e", n, s, e), "season_id": season_id,
                                         "title_id": title_id, "season_number": s, "episode_number": e,
                                         "display_name": f"Episode {e}", "overview": f"{prefix} episode {e} of season {s}.",
                                         "air_date": season_air + dt.timedelta(days=7 * (e - 1)),
                                         "runtime_minutes": rng.choice((24, 30, 45, 52, 60)), "still_path": "", "asset": "",
                                         "tmdb_id": "", "imdb_id": "", "tvdb_id": ""})  # fmt: skip
        rows["titles"].append({
            "id": title_id, "kind": kind, "display_name": name, "sort_title": name.lower(), "slug": slug,
            "overview": overview, "release_date": released, "release_key": release_key(released),
            "runtime_minutes": rng.randint(80, 170) if kind == "movie" else rng.choice((24, 45, 60)),
            "poster_path": "", "backdrop_path": "", "original_language": rng.choice(("en", "yo", "ig", "ha", "fr")),
            "tmdb_id": None, "imdb_id": None, "tvdb_id": None,
            "access_level": rng.choices((1, 2, 3), weights=(5, 3, 2))[0], "status": STATUS_PUBLISHED,
            "rating": round(rng.uniform(3.0, 9.5), 1), "rating_count": rng.randint(0, 50_000),
            "popularity": round(rng.uniform(0, 500), 3), "season_count": seasons, "episode_count": episode_total,
            "asset": "", "revision": 1, "create_time": now, "update_time": now, "publish_time": now, "delete_time": None,
        })  # fmt: skip
        for position, genre in enumerate(rng.sample(GENRES, rng.randint(1, 3))):
            rows["genres"].append({"title_id": title_id, "genre": genre, "position": position})
        for position, category_id in enumerate(rng.sample(category_ids, rng.randint(0, 2))):
            rows["title_categories"].append({"title_id": title_id, "category_id": category_id, "position": position})
    return rows


def insert_rows(session: Session, rows: dict[str, list[dict[str, Any]]], *, chunk: int = 5000) -> None:
    """Bulk-inserts rows from `demo_rows` (executemany in chunks; parents before children)."""
    for table, model in (("categories", Category), ("titles", Title), ("genres", TitleGenre),
                         ("title_categories", TitleCategory), ("seasons", Season), ("episodes", Episode)):  # fmt: skip
        values = rows[table]
        for start in range(0, len(values), chunk):
            session.execute(insert(model), values[start : start + chunk])


def load_demo_catalog(session: Session) -> int:
    """Loads the demo catalog if the catalog has no titles; returns how many titles were created (0 if skipped)."""
    repo = CatalogRepository(session)
    if repo.count_titles() > 0:
        return 0
    rows = demo_rows()
    insert_rows(session, rows)  # the full-text index follows through its triggers
    return len(rows["titles"])


def main() -> None:
    from services.core.db import Database
    from services.core.settings import load_settings

    database = Database.from_settings(load_settings())
    try:
        with database.transaction() as session:
            created = load_demo_catalog(session)
    finally:
        database.close()
    print(f"demo catalog: {created} titles created" if created else "demo catalog: the catalog is not empty; nothing loaded")


if __name__ == "__main__":
    main()
