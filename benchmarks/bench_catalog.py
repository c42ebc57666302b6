"""Catalog search and keyset paging at 100k titles, on SQLite (default) or PostgreSQL.

    python benchmarks/bench_catalog.py [--titles 100000] [--iterations 300]
    python benchmarks/bench_catalog.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/catalog_dev

Seeds a synthetic catalog (bulk inserts: titles, genres, categories, series with
seasons and episodes) into a fresh database (a temporary SQLite file, or the given
PostgreSQL database, whose `public` schema is DROPPED and migrated again), then
measures, in process and through Catalog's own unit-of-work steps and repository code (the
database work of one RPC, without gRPC):

- search: full-text queries with filters (kind, genre, year range, access level),
  relevance and popularity order, first page of 20 with `total_size`. Titles and
  overviews use a Zipf-distributed 20,000-word vocabulary. Two mixes: "typical"
  (words taken from titles, as users type them) and "broad" (one very common
  overview word, matching 4-18 % of the catalog: the worst case);
- listing: page 1 and page 1,000 of ListTitles (popularity order, 20 per page),
  the second reached through keyset positions, as page tokens carry them.

Prints p50/p99 per scenario; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from services.catalog.demo import demo_rows, insert_rows
from services.catalog.repository import CatalogRepository, TitleQuery
from services.catalog.usecases import CatalogWork
from services.core import migrate
from services.core.db import Database
from services.core.settings import Settings

SYLLABLES = ("ka", "lo", "mi", "ra", "te", "su", "no", "bi", "de", "fu", "ga", "ho", "ji", "ku", "ma", "ne", "pa", "ri",
             "sa", "to", "vi", "wo", "ya", "ze", "la", "mo", "ti", "ba", "do", "ke")  # fmt: skip
BROAD_RANKS = (15, 30, 60)
FILTERS = [
    {"kind": "movie", "genres": ("Drama",)},
    {"min_year": 1990, "max_year": 2010},
    {"access_levels": (1, 2), "genres": ("Comedy", "Action")},
    {"kind": "series", "min_year": 2000},
    {"genres": ("Thriller",), "min_year": 1980, "max_year": 2020},
]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def realistic_text(rows: dict[str, list[dict[str, Any]]], rng: random.Random) -> list[str]:
    """Replaces the demo's tiny vocabulary with Zipf-distributed words, as real titles and plots have.

    Returns the vocabulary, most frequent first.
    """
    words = vocabulary(rng, 20_000)
    rng.shuffle(words)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(words))))
    for title in rows["titles"]:
        name = " ".join(w.capitalize() for w in rng.choices(words[200:], k=rng.randint(1, 4)))
        title["display_name"] = f"Bench: {name}"
        title["sort_title"] = title["display_name"].lower()
        title["overview"] = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(15, 45))) + "."
    return words


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(database: Database, fn: Callable[[CatalogRepository], Any], iterations: int) -> tuple[float, float]:
    # As `marquee serve` does before serving: what already exists (here the seed data and the
    # query inputs) is frozen out of the cyclic collector, so a full collection during the
    # measurement scans what the calls allocate, not a heap no server would hold.
    gc.collect()
    gc.freeze()
    samples = []
    for _ in range(iterations):
        with database.transaction() as session:
            start = time.perf_counter()
            fn(CatalogRepository(session))
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--titles", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    url = args.database_url or f"sqlite:///{folder / 'catalog.db'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    settings = Settings(env="test", data_dir=folder, database_url=url, services=["catalog"])
    migrate.upgrade(settings)
    database = Database.from_settings(settings)
    backend = database.engine.dialect.name

    start = time.perf_counter()
    rows = demo_rows(args.titles, seed=7, prefix="Bench", max_seasons=3, max_episodes=6)
    rng = random.Random(11)
    words = realistic_text(rows, rng)
    # What users type: words from real titles (any frequency); and broad queries, one word of frequency
    # rank 15, 30 or 60 in the overviews (in roughly 17 %, 8 % and 4 % of all titles); each with one filter set.
    typed = [tuple(t["display_name"].removeprefix("Bench: ").lower().split()[:2]) for t in rng.sample(rows["titles"], 200)]
    mixes = {
        "typical": [TitleQuery(words=w, **FILTERS[i % len(FILTERS)]) for i, w in enumerate(typed)],  # type: ignore[arg-type]
        "broad": [TitleQuery(words=(words[BROAD_RANKS[i % 3]],), **FILTERS[i % len(FILTERS)]) for i in range(15)],  # type: ignore[arg-type]
    }
    with database.transaction() as session:
        insert_rows(session, rows)
    # The steady state autovacuum keeps a live database in: statistics fresh, visibility map set.
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    seed_seconds = time.perf_counter() - start
    counts = {k: len(v) for k, v in rows.items()}
    print(f"backend {backend}: seeded {counts} in {seed_seconds:.1f} s")

    work = CatalogWork()
    figures: dict[str, Any] = {"backend": backend, "titles": args.titles, "seed_seconds": round(seed_seconds, 1),
                               "episodes": counts["episodes"]}  # fmt: skip
    for mix, queries in mixes.items():
        for order in ("relevance", "popularity"):
            cycle = itertools.cycle(queries)

            def run_search(repo: CatalogRepository, order: str = order, cycle: Any = cycle) -> None:
                query = next(cycle)
                work.list_titles(repo, query, order=order, after=None, limit=20, count=True)

            p50, p99 = timed(database, run_search, args.iterations)
            figures[f"search_{mix}_{order}_p50_ms"] = round(p50, 2)
            figures[f"search_{mix}_{order}_p99_ms"] = round(p99, 2)
            print(f"search {mix:7} + filters, {order:10} order: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  (target p99 < 20 ms)")
    with database.transaction() as session:
        broad = [
            CatalogRepository(session)
            .page_titles(TitleQuery(words=(w,)), order="relevance", after=None, limit=1, count=True)
            .total
            for w in (words[r] for r in BROAD_RANKS)
        ]
    figures["broad_query_matches"] = broad
    print(f"broad query words match {broad} of {args.titles} titles (ranks {BROAD_RANKS})")

    listing = TitleQuery()
    after: dict[str, Any] | None = None
    with database.transaction() as session:
        repo = CatalogRepository(session)
        for _ in range(999):  # walk to page 1,000 by keyset positions, as page tokens would
            _, after, _ = work.list_titles(repo, listing, order="popularity", after=after, limit=20, count=False)
    for name, position in (("page_1", None), ("page_1000", after)):

        def run_page(repo: CatalogRepository, position: dict[str, Any] | None = position) -> None:
            views, _, _ = work.list_titles(repo, listing, order="popularity", after=position, limit=20, count=False)
            assert len(views) == 20

        p50, p99 = timed(database, run_page, args.iterations)
        figures[f"list_{name}_p50_ms"], figures[f"list_{name}_p99_ms"] = round(p50, 2), round(p99, 2)
        print(f"ListTitles {name:9}: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    database.close()
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
