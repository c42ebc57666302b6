"""Tracking's units of work (`usecases.TrackingWork`) on an in-memory database, with plain Catalog facts and a set clock."""

from __future__ import annotations

import datetime as dt

import pytest

from services.core import errors
from services.tracking.domain import EpisodeFacts, Lookup, TitleFacts, parse_item
from services.tracking.repository import TrackingRepository
from services.tracking.usecases import TrackingWork
from tests.unit.tracking.clock import ME, NOW, Clock


def series(title_id: str, *, aired: int, unaired: int = 0, on: dt.date | None = None) -> TitleFacts:
    later = on or (NOW.date() + dt.timedelta(days=10))
    episodes = [EpisodeFacts(1, n, f"E{n}", 30, NOW.date() - dt.timedelta(days=5)) for n in range(1, aired + 1)]
    episodes += [EpisodeFacts(1, aired + n, f"E{aired + n}", 30, later) for n in range(1, unaired + 1)]
    return TitleFacts(title_id, "series", f"Show {title_id}", genres=("Drama",), episodes=tuple(episodes))


def mark(domain: TrackingWork, repo: TrackingRepository, facts: TitleFacts, *items: str) -> None:
    domain.mark_watched(
        repo, ME, user_id=ME.user_id, items=[parse_item(i) for i in items], lookup=Lookup({facts.title_id: facts}),
        watch_time=None, allow_repeat=False,
    )  # fmt: skip


def up_next(domain: TrackingWork, repo: TrackingRepository) -> list[tuple[str, int]]:
    page = domain.list_up_next(repo, ME, user_id=ME.user_id, include_not_started=False, size=20, after=None)
    return [(v.title.title_id, v.progress.next_episode.episode_number) for v, _ in page.items if v.progress.next_episode]


def test_a_new_episode_airing_reopens_a_completed_series(repo: TrackingRepository) -> None:
    clock = Clock()
    domain = TrackingWork(clock)
    facts = series("s1", aired=2, unaired=1)
    mark(domain, repo, facts, "titles/s1")
    assert repo.watchlist_entry("u1", "s1").status == "completed"  # type: ignore[union-attr]
    assert up_next(domain, repo) == []
    clock.now = NOW + dt.timedelta(days=11)
    view = domain.get_show_progress(
        repo, ME, name="users/me/progress/s1", lookup=Lookup({"s1": facts}), include_specials=False, full=False
    )
    assert (view.progress.watched, view.progress.aired) == (2, 3)
    assert repo.watchlist_entry("u1", "s1").status == "watching"  # type: ignore[union-attr]
    assert up_next(domain, repo) == [("s1", 3)]


def test_up_next_recomputes_a_series_whose_stored_next_is_gone(repo: TrackingRepository) -> None:
    clock = Clock()
    domain = TrackingWork(clock)
    facts = series("s2", aired=3)
    mark(domain, repo, facts, "titles/s2/seasons/1/episodes/1")
    assert up_next(domain, repo) == [("s2", 2)]
    row = repo.progress("u1", "s2")
    assert row is not None
    assert (row.watched_count, row.next_season, row.next_episode) == (1, 1, 2)
    row.next_season = row.next_episode = None  # as after a Catalog change the writes have not seen yet
    assert up_next(domain, repo) == [("s2", 2)]


def test_rewatch_and_unmark_keep_the_stored_progress_in_step(repo: TrackingRepository) -> None:
    domain = TrackingWork(Clock())
    facts = series("s3", aired=3)
    mark(domain, repo, facts, "titles/s3")
    view = domain.start_rewatch(repo, ME, name="users/me/progress/s3", lookup=Lookup({"s3": facts}))
    row = repo.progress("u1", "s3")
    assert row is not None
    assert (view.progress.watched, row.watched_count, row.next_episode, row.rewatch_count) == (0, 0, 1, 1)
    mark(domain, repo, facts, "titles/s3/seasons/1/episodes/1", "titles/s3/seasons/1/episodes/2")
    domain.mark_unwatched(
        repo, ME, user_id=ME.user_id, items=[parse_item("titles/s3/seasons/1/episodes/2")], lookup=Lookup({"s3": facts})
    )
    assert (row.watched_count, row.next_episode) == (1, 2)
    assert repo.play_count("u1", "s3") == 4


def test_adding_writes_never_fall_back_to_the_snapshot(repo: TrackingRepository) -> None:
    domain = TrackingWork(Clock())
    facts = series("s4", aired=2)
    mark(domain, repo, facts, "titles/s4/seasons/1/episodes/1")
    down = Lookup(unavailable=frozenset({"s4"}))
    with pytest.raises(errors.Unavailable):
        domain.mark_watched(
            repo, ME, user_id=ME.user_id, items=[parse_item("titles/s4/seasons/1/episodes/2")], lookup=down, watch_time=None,
            allow_repeat=False,
        )  # fmt: skip
    view = domain.get_show_progress(repo, ME, name="users/me/progress/s4", lookup=down, include_specials=False, full=False)
    assert view.progress.watched == 1
    gone = Lookup({"s4": None})
    view = domain.get_show_progress(repo, ME, name="users/me/progress/s4", lookup=gone, include_specials=False, full=False)
    assert view.title.deleted
    assert view.progress.watched == 1
    with pytest.raises(errors.NotFound):
        domain.mark_watched(
            repo, ME, user_id=ME.user_id, items=[parse_item("titles/s4")], lookup=gone, watch_time=None, allow_repeat=False
        )


def test_snapshot_is_written_only_when_catalog_changed(repo: TrackingRepository) -> None:
    domain = TrackingWork(Clock())
    facts = series("s5", aired=2)
    mark(domain, repo, facts, "titles/s5/seasons/1/episodes/1")
    repo.flush()
    repo.s.commit()
    domain.get_show_progress(
        repo, ME, name="users/me/progress/s5", lookup=Lookup({"s5": facts}), include_specials=False, full=False
    )
    assert not repo.s.dirty
    assert not repo.s.new
    longer = series("s5", aired=3)
    view = domain.get_show_progress(
        repo, ME, name="users/me/progress/s5", lookup=Lookup({"s5": longer}), include_specials=False, full=False
    )
    assert view.progress.aired == 3
    assert repo.title("s5").episode_count == 3  # type: ignore[union-attr]


def test_a_playback_expires_after_24_hours_without_a_call(repo: TrackingRepository) -> None:
    clock = Clock()
    domain = TrackingWork(clock)
    facts = series("s6", aired=2)
    item, lookup = parse_item("titles/s6/seasons/1/episodes/1"), Lookup({"s6": facts})
    started = domain.start_scrobble(
        repo, ME, user_id=ME.user_id, item=item, lookup=lookup, position=None, duration=None, percent=20.0, device_name=""
    )
    assert started.playback is not None
    assert started.playback.duration_seconds == 30 * 60
    clock.now = NOW + dt.timedelta(hours=25)
    with pytest.raises(errors.FailedPrecondition) as caught:
        domain.pause_scrobble(repo, ME, user_id=ME.user_id, item=item, lookup=lookup, position=None, duration=None, percent=30.0)
    assert caught.value.reason == "PLAYBACK_NOT_STARTED"
    domain.start_scrobble(
        repo, ME, user_id=ME.user_id, item=item, lookup=lookup, position=None, duration=None, percent=5.0, device_name=""
    )
    stopped = domain.stop_scrobble(
        repo, ME, user_id=ME.user_id, item=item, lookup=lookup, position=None, duration=None, percent=90.0
    )
    assert stopped.outcome == "watched"
    assert stopped.progress is not None
    assert stopped.progress.progress.watched == 1
    assert repo.playback("u1", "titles/s6/seasons/1/episodes/1") is None


@pytest.mark.parametrize(
    ("position", "duration", "percent"),
    [(None, None, 0.0), (-1.0, None, 0.0), (100.0, 50.0, 0.0), (None, None, 101.0), (None, None, -5.0)],
)
def test_inconsistent_progress_is_invalid_progress(
    repo: TrackingRepository, position: float | None, duration: float | None, percent: float
) -> None:
    domain = TrackingWork(Clock())
    movie = TitleFacts("m1", "movie", "Movie", runtime_minutes=0)
    with pytest.raises(errors.InvalidArgument) as caught:
        domain.start_scrobble(
            repo, ME, user_id=ME.user_id, item=parse_item("titles/m1"), lookup=Lookup({"m1": movie}), position=position,
            duration=duration, percent=percent, device_name="",
        )  # fmt: skip
    assert caught.value.reason == "INVALID_PROGRESS"
