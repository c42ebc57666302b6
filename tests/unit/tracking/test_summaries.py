"""Progress summaries (up next, the watchlist) read stored counts; they must agree with the full computation."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from services.core import migrate
from services.core.settings import Settings
from services.tracking.domain import EpisodeFacts, Lookup, TitleFacts, episodes_aired_by, parse_item
from services.tracking.models import ShowProgress
from services.tracking.repository import TrackingRepository
from services.tracking.usecases import TrackingWork
from tests.unit.tracking.clock import ME, NOW, Clock

TODAY = NOW.date()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def facts(title_id: str, *episodes: tuple[int, int, dt.date | None]) -> TitleFacts:
    found = tuple(EpisodeFacts(s, e, f"E{s}x{e}", 30, air) for s, e, air in episodes)
    return TitleFacts(title_id, "series", f"Show {title_id}", episodes=found)


CATALOG = {
    # every episode out
    "done": facts("done", (1, 1, day(-9)), (1, 2, day(-8)), (1, 3, day(-7))),
    # still airing: one episode next week, one the week after
    "airing": facts("airing", (1, 1, day(-9)), (1, 2, day(-2)), (1, 3, day(7)), (1, 4, day(14))),
    # no air dates at all: everything counts as aired
    "undated": facts("undated", (1, 1, None), (1, 2, None), (2, 1, None)),
    # specials never count, aired or not
    "specials": facts("specials", (0, 1, day(30)), (1, 1, day(-3)), (1, 2, day(-1)), (0, 2, day(-1))),
}


def test_episodes_aired_by_is_the_latest_air_date_of_the_regular_episodes() -> None:
    assert episodes_aired_by(CATALOG["done"]) == day(-7)
    assert episodes_aired_by(CATALOG["airing"]) == day(14)
    assert episodes_aired_by(CATALOG["undated"]) == dt.date.min
    assert episodes_aired_by(CATALOG["specials"]) == day(-1)
    assert episodes_aired_by(TitleFacts("m1", "movie", "Movie")) is None


@pytest.mark.parametrize("offset", [0, 7, 8, 14, 40])
def test_summaries_agree_with_the_full_computation_as_episodes_air(repo: TrackingRepository, offset: int) -> None:
    clock = Clock()
    domain = TrackingWork(clock)
    for title_id, title in CATALOG.items():
        domain.mark_watched(
            repo, ME, user_id=ME.user_id, items=[parse_item(f"titles/{title_id}/seasons/1/episodes/1")],
            lookup=Lookup({title_id: title}), watch_time=None, allow_repeat=False,
        )  # fmt: skip
    clock.now = NOW + dt.timedelta(days=offset)
    summaries = domain.progress_summaries(repo, "u1", list(CATALOG))
    assert set(summaries) == set(CATALOG)
    for title_id, summary in summaries.items():
        full = domain.progress_view(repo, "u1", title_id).progress
        got, want = summary.progress, full
        assert (got.watched, got.aired, got.total) == (want.watched, want.aired, want.total), title_id
        assert got.next_episode == want.next_episode, title_id


def test_up_next_shows_the_playback_of_the_next_episode_only(repo: TrackingRepository) -> None:
    domain = TrackingWork(Clock())
    title = CATALOG["done"]
    lookup = Lookup({"done": title})
    domain.mark_watched(
        repo, ME, user_id=ME.user_id, items=[parse_item("titles/done/seasons/1/episodes/1")], lookup=lookup, watch_time=None,
        allow_repeat=False,
    )  # fmt: skip

    def next_playback_item() -> str | None:
        page = domain.list_up_next(repo, ME, user_id=ME.user_id, include_not_started=False, size=20, after=None)
        [(view, _)] = page.items
        return view.next_playback.item if view.next_playback else None

    assert next_playback_item() is None
    domain.start_scrobble(
        repo, ME, user_id=ME.user_id, item=parse_item("titles/done/seasons/1/episodes/3"), lookup=lookup, position=None,
        duration=None, percent=20.0, device_name="",
    )  # fmt: skip
    assert next_playback_item() is None
    domain.start_scrobble(
        repo, ME, user_id=ME.user_id, item=parse_item("titles/done/seasons/1/episodes/2"), lookup=lookup, position=None,
        duration=None, percent=30.0, device_name="",
    )  # fmt: skip
    assert next_playback_item() == "titles/done/seasons/1/episodes/2"


def test_the_migration_backfills_episodes_aired_by(tmp_path: pathlib.Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}", services=["tracking"])
    migrate.upgrade(settings, "tracking_0001")
    engine = create_engine(settings.resolved_database_url)
    titles = [("dated", "series", 2), ("undated", "series", 1), ("stale", "series", 5), ("movie", "movie", 0)]
    episodes = [
        ("dated", 1, 1, "2026-01-05"), ("dated", 1, 2, "2026-03-01"), ("dated", 0, 1, "2027-01-01"),
        ("undated", 1, 1, None), ("stale", 1, 1, "2026-01-01"),
    ]  # fmt: skip
    with engine.begin() as connection:
        for title_id, kind, count in titles:
            connection.execute(
                text(
                    "INSERT INTO tracking_titles (title_id, kind, display_name, poster_path, genres, runtime_minutes,"
                    " episode_count, deleted, fingerprint, refresh_time)"
                    " VALUES (:t, :k, '', '', '[]', 0, :n, 0, '', '2026-11-22 00:00:00')"
                ),
                {"t": title_id, "k": kind, "n": count},
            )
        for title_id, season, number, air in episodes:
            connection.execute(
                text(
                    "INSERT INTO tracking_episodes (title_id, season_number, episode_number, display_name,"
                    " runtime_minutes, air_date, still_path) VALUES (:t, :s, :e, '', 0, :a, '')"
                ),
                {"t": title_id, "s": season, "e": number, "a": air},
            )
    migrate.upgrade(settings)
    with Session(engine) as session:
        repo = TrackingRepository(session)
        found = {t: repo.title(t).episodes_aired_by for t, _, _ in titles}  # type: ignore[union-attr]
    engine.dispose()
    # "stale" stored a total its episodes disagree with: it keeps NULL, and is counted.
    assert found == {"dated": dt.date(2026, 3, 1), "undated": dt.date.min, "stale": None, "movie": None}


def test_adding_a_series_writes_its_progress_row_and_listing_progress_writes_nothing(repo: TrackingRepository) -> None:
    domain = TrackingWork(Clock())
    for title_id in ("done", "airing"):
        domain.create_watchlist_entry(
            repo, ME, user_id=ME.user_id, item=parse_item(f"titles/{title_id}"), lookup=Lookup({title_id: CATALOG[title_id]}),
            status="plan_to_watch", favorite=False, notes="",
        )  # fmt: skip
    repo.s.flush()
    assert repo.progress("u1", "done") is not None
    assert repo.progress("u1", "airing") is not None
    repo.s.commit()
    page = domain.list_show_progress(
        repo, ME, user_id=ME.user_id, statuses=[], since=None, include_specials=False, full=False, size=10, after=None
    )
    assert {view.title.title_id for view in page.items} == {"done", "airing"}
    assert not repo.s.new
    assert not repo.s.dirty


def test_the_migration_writes_progress_rows_for_watchlisted_series(tmp_path: pathlib.Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'p.db'}", services=["tracking"])
    migrate.upgrade(settings, "tracking_0002")
    engine = create_engine(settings.resolved_database_url)
    entries = [("u1", "s-new", "series"), ("u1", "s-started", "series"), ("u1", "m1", "movie"), ("u2", "s-new", "series")]
    with engine.begin() as connection:
        for user_id, title_id, kind in entries:
            connection.execute(
                text(
                    "INSERT INTO tracking_watchlist (id, user_id, title_id, kind, sort_title, status, favorite, notes, version,"
                    " create_time, update_time, status_update_time, activity_time)"
                    " VALUES (:id, :u, :t, :k, '', 'plan_to_watch', 0, '', 1, :c, :c, :c, :c)"
                ),
                {"id": f"{user_id}-{title_id}", "u": user_id, "t": title_id, "k": kind, "c": "2026-11-01 10:00:00.000000"},
            )
        connection.execute(
            text(
                "INSERT INTO tracking_progress (id, user_id, title_id, rewatch_count, watched_count, activity_time, update_time)"
                " VALUES ('p1', 'u1', 's-started', 0, 3, '2026-11-02 10:00:00.000000', '2026-11-02 10:00:00.000000')"
            )
        )
    migrate.upgrade(settings)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, user_id, title_id, watched_count, activity_time FROM tracking_progress ORDER BY user_id, title_id")
        ).all()
    engine.dispose()
    expected = [("u1", "s-new", 0), ("u1", "s-started", 3), ("u2", "s-new", 0)]
    assert [(r.user_id, r.title_id, r.watched_count) for r in rows] == expected
    new = [r for r in rows if r.id != "p1"]
    assert all(len(r.id) == 32 and int(r.id, 16) >= 0 for r in new)
    with Session(create_engine(settings.resolved_database_url)) as session:
        found = TrackingRepository(session).progress("u2", "s-new")
        assert found is not None
        assert found.activity_time == dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("include_specials", [False, True])
def test_a_page_of_progress_views_equals_one_view_per_series(repo: TrackingRepository, include_specials: bool) -> None:
    clock = Clock()
    domain = TrackingWork(clock)
    lookup = Lookup(dict(CATALOG))

    def mark(*items: str, repeat: bool = False) -> None:
        domain.mark_watched(
            repo, ME, user_id=ME.user_id, items=[parse_item(i) for i in items], lookup=lookup, watch_time=None,
            allow_repeat=repeat,
        )  # fmt: skip
        clock.now += dt.timedelta(minutes=5)

    mark("titles/done/seasons/1/episodes/1", "titles/done/seasons/1/episodes/2", "titles/done/seasons/1/episodes/3")
    domain.start_rewatch(repo, ME, name="users/me/progress/done", lookup=lookup)  # a second cycle
    mark("titles/done/seasons/1/episodes/1")
    mark("titles/done/seasons/1/episodes/1", repeat=True)  # watched twice in the second cycle
    mark("titles/airing/seasons/1/episodes/1", "titles/specials/seasons/0/episodes/2", "titles/undated/seasons/2/episodes/1")
    domain.start_scrobble(
        repo, ME, user_id=ME.user_id, item=parse_item("titles/airing/seasons/1/episodes/2"), lookup=lookup, position=None,
        duration=None, percent=40.0, device_name="",
    )  # fmt: skip
    rows = sorted(repo.s.scalars(select(ShowProgress).where(ShowProgress.user_id == "u1")), key=lambda r: r.title_id)
    assert len(rows) == len(CATALOG)
    batch = domain.progress_views(repo, "u1", rows, include_specials=include_specials, full=True)
    one_by_one = [domain.progress_view(repo, "u1", r.title_id, row=r, include_specials=include_specials, full=True) for r in rows]
    assert batch == one_by_one
    assert {v.title.title_id: v.play_count for v in batch}["done"] == 5
