"""Tracking's hot reads for a heavy user: GetShowProgress, ListUpNext and ListShowProgress with 10k watched episodes.

    python benchmarks/bench_tracking.py [--shows 102] [--iterations 500]
    python benchmarks/bench_tracking.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracking_dev

Seeds a fresh database (a temporary SQLite file, or the given PostgreSQL
database, whose `public` schema is DROPPED and migrated again) directly in
Tracking's tables: `--shows` series of 5 seasons x 20 episodes (Catalog
snapshots, as Tracking stores them after asking Catalog), one heavy user who
watched all but the last episode of every show (102 shows → 10,098 plays, every
show WATCHING), and `--other-users` users with 2,000 plays each so the indexes
have to choose. Catalog itself is not seeded: the measured code path is the
one after the Catalog seam answered from its 60 s cache (GetShowProgress gets
the title's facts as a value and compares them with the stored snapshot;
ListUpNext never asks Catalog).

Measures, in process, the unit of work of each RPC plus building its response
message (no gRPC transport): GetShowProgress (BASIC view) on a random show,
ListUpNext page 1 (20 series, default page size) and ListShowProgress page 1
(20 series with their per-episode progress). Then ExportUserData's unit of work
for the heavy user (every row read, the JSON built and encoded), with the read
alone as its same-run baseline, and the export's size. Prints p50/p99; the last
line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from services.core import migrate
from services.core.db import Database
from services.core.settings import Settings
from services.core.tokens import Principal
from services.tracking.domain import EpisodeFacts, Lookup, TitleFacts, episodes_aired_by, fingerprint_of
from services.tracking.mapping import progress_summary, show_progress_pb, title_info
from services.tracking.models import EpisodeSnapshot, HistoryEntry, ShowProgress, TitleSnapshot, WatchlistEntry
from services.tracking.repository import TrackingRepository
from services.tracking.usecases import TrackingWork

SEASONS, EPISODES = 5, 20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(database: Database, fn: Callable[[TrackingRepository], Any], iterations: int) -> tuple[float, float]:
    for _ in range(min(50, iterations)):  # warm-up: statement caches, pages in memory
        with database.transaction() as session:
            fn(TrackingRepository(session))
    # As `marquee serve` does before serving: what already exists (here the seed data and the
    # query inputs) is frozen out of the cyclic collector, so a full collection during the
    # measurement scans what the calls allocate, not a heap no server would hold.
    gc.collect()
    gc.freeze()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        with database.transaction() as session:
            fn(TrackingRepository(session))
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 0.99)


def facts_of(title_id: str, aired: dt.date) -> TitleFacts:
    episodes = tuple(
        EpisodeFacts(s, e, f"Episode {s}x{e}", 42, aired, "") for s in range(1, SEASONS + 1) for e in range(1, EPISODES + 1)
    )
    return TitleFacts(title_id, "series", f"Show {title_id[:6]}", True, "", aired, ("Drama",), 42, episodes)


def seed(database: Database, shows: int, other_users: int, user_id: str) -> list[TitleFacts]:
    rng = random.Random(5)
    now = dt.datetime.now(dt.UTC)
    aired = (now - dt.timedelta(days=400)).date()
    catalog = [facts_of(uuid.uuid4().hex, aired) for _ in range(shows)]
    with database.transaction() as session:
        session.execute(insert(TitleSnapshot), [
            {"title_id": f.title_id, "kind": "series", "display_name": f.display_name, "poster_path": "", "release_date": aired,
             "genres": ["Drama"], "runtime_minutes": 42, "episode_count": f.episode_count, "deleted": False, "refresh_time": now,
             "fingerprint": fingerprint_of(f), "episodes_aired_by": episodes_aired_by(f)}
            for f in catalog
        ])  # fmt: skip
        session.execute(insert(EpisodeSnapshot), [
            {"title_id": f.title_id, "season_number": e.season_number, "episode_number": e.episode_number,
             "display_name": e.display_name, "runtime_minutes": 42, "air_date": aired, "still_path": ""}
            for f in catalog for e in f.episodes
        ])  # fmt: skip
        plays, progress, watchlist = [], [], []
        for index, f in enumerate(catalog):
            last = now - dt.timedelta(hours=index)
            for n, e in enumerate(f.episodes[:-1]):
                plays.append({"id": uuid.uuid4().hex, "user_id": user_id, "title_id": f.title_id, "kind": "episode",
                              "season_number": e.season_number, "episode_number": e.episode_number,
                              "watch_time": last - dt.timedelta(minutes=len(f.episodes) - n), "source": "manual", "cycle": 0,
                              "runtime_seconds": 2520, "create_time": now})  # fmt: skip
            progress.append({"id": uuid.uuid4().hex, "user_id": user_id, "title_id": f.title_id, "rewatch_count": 0,
                             "watched_count": len(f.episodes) - 1, "next_season": SEASONS, "next_episode": EPISODES,
                             "cycle_start_time": last, "complete_time": None, "last_watch_time": last, "activity_time": last,
                             "update_time": last})  # fmt: skip
            watchlist.append({"id": uuid.uuid4().hex, "user_id": user_id, "title_id": f.title_id, "kind": "series",
                              "sort_title": f.display_name.lower(), "status": "watching", "favorite": False, "notes": "",
                              "version": 1, "create_time": last, "update_time": last, "status_update_time": last,
                              "last_watch_time": last, "activity_time": last})  # fmt: skip
        for _ in range(other_users):
            other = uuid.uuid4().hex
            for f in rng.sample(catalog, 20):
                for e in f.episodes:
                    plays.append({"id": uuid.uuid4().hex, "user_id": other, "title_id": f.title_id, "kind": "episode",
                                  "season_number": e.season_number, "episode_number": e.episode_number, "watch_time": now,
                                  "source": "manual", "cycle": 0, "runtime_seconds": 2520, "create_time": now})  # fmt: skip
        session.execute(insert(HistoryEntry), plays)
        session.execute(insert(ShowProgress), progress)
        session.execute(insert(WatchlistEntry), watchlist)
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--shows", type=int, default=102)
    parser.add_argument("--other-users", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--export-iterations", type=int, default=20)
    args = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-tracking-"))
    url = args.database_url or f"sqlite:///{folder / 'tracking.db'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    settings = Settings(env="test", data_dir=folder, database_url=url, services=["tracking"])
    migrate.upgrade(settings)
    database = Database.from_settings(settings)
    backend = database.engine.dialect.name
    user_id = uuid.uuid4().hex
    principal = Principal(user_id=user_id)

    start = time.perf_counter()
    catalog = seed(database, args.shows, args.other_users, user_id)
    seed_seconds = time.perf_counter() - start
    watched = args.shows * (SEASONS * EPISODES - 1)
    print(f"backend {backend}: seeded {args.shows} shows, {watched} watched episodes for one user, "
          f"{args.other_users * 20 * SEASONS * EPISODES} other plays in {seed_seconds:.1f} s", file=sys.stderr)  # fmt: skip

    domain = TrackingWork()
    rng = random.Random(9)
    by_id = {f.title_id: f for f in catalog}

    def show_progress(repo: TrackingRepository) -> None:
        title_id = rng.choice(catalog).title_id
        view = domain.get_show_progress(
            repo, principal, name=f"users/me/progress/{title_id}", lookup=Lookup({title_id: by_id[title_id]}),
            include_specials=False, full=False,
        )  # fmt: skip
        message = show_progress_pb(view, domain.clock())
        assert message.watched_episode_count == SEASONS * EPISODES - 1, message.watched_episode_count

    def up_next(repo: TrackingRepository) -> None:
        page = domain.list_up_next(repo, principal, user_id=principal.user_id, include_not_started=False, size=20, after=None)
        items = [(title_info(v.title), progress_summary(v)) for v, _ in page.items]
        assert len(items) == 20
        assert page.next_position is not None

    def show_progress_page(repo: TrackingRepository) -> None:
        page = domain.list_show_progress(
            repo, principal, user_id=principal.user_id, statuses=[], since=None, include_specials=False, full=False, size=20,
            after=None,
        )  # fmt: skip
        assert len(page.items) == 20

    figures: dict[str, Any] = {"backend": backend, "shows": args.shows, "watched_episodes": watched,
                               "seed_seconds": round(seed_seconds, 1)}  # fmt: skip
    for label, fn in (
        ("get_show_progress", show_progress),
        ("list_up_next", up_next),
        ("list_show_progress", show_progress_page),
    ):
        p50, p99 = timed(database, fn, args.iterations)
        figures[f"{label}_p50_ms"], figures[f"{label}_p99_ms"] = round(p50, 2), round(p99, 2)
        target = "  (target p99 < 10 ms)" if label != "list_show_progress" else "  (a page of 20 series, no target)"
        print(f"{label:18}: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms{target}", file=sys.stderr)

    # ExportUserData for the heavy user: its unit of work (read every row, build and encode the JSON),
    # with the read alone as the same-run baseline, and the size against the 4 MiB message limit.
    sizes: list[int] = []

    def read_rows(repo: TrackingRepository) -> None:
        assert len(repo.user_rows(user_id)["history"]) == watched

    def export(repo: TrackingRepository) -> None:
        sizes.append(len(domain.export(repo, user_id, 1 << 30)))

    for label, fn in (("export_read_only", read_rows), ("export", export)):
        p50, p99 = timed(database, fn, args.export_iterations)
        figures[f"{label}_p50_ms"], figures[f"{label}_p99_ms"] = round(p50, 2), round(p99, 2)
        print(f"{label:18}: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms", file=sys.stderr)
    figures["export_bytes"] = sizes[-1]
    print(f"export size       : {sizes[-1]:,} bytes ({sizes[-1] / watched:.0f} per play; limit 4,194,304)", file=sys.stderr)
    database.close()
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
