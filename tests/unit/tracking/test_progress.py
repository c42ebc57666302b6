"""Progress arithmetic on plain Catalog facts: counts, aired episodes, specials, next episode."""

from __future__ import annotations

import datetime as dt

import pytest

from services.core.errors import InvalidArgument, NotFound
from services.core.tokens import Principal
from services.tracking.domain import EpisodeFacts, compute_progress, parse_item, user_of

TODAY = dt.date(2026, 11, 22)
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def episodes(*seasons: int, unaired_last: int = 0, specials: int = 0) -> list[EpisodeFacts]:
    found = [EpisodeFacts(0, n, runtime_minutes=10) for n in range(1, specials + 1)]
    for season, count in enumerate(seasons, start=1):
        for n in range(1, count + 1):
            late = season == len(seasons) and n > count - unaired_last
            found.append(EpisodeFacts(season, n, runtime_minutes=30, air_date=TODAY + dt.timedelta(days=7) if late else TODAY))
    return found


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_never_started_is_zero_with_first_episode_next() -> None:
    progress = compute_progress(episodes(3, 2), {}, TODAY)
    assert (progress.watched, progress.aired, progress.total, progress.percent, progress.completed) == (0, 5, 5, 0.0, False)
    assert progress.next_episode is not None
    assert (progress.next_episode.season_number, progress.next_episode.episode_number) == (1, 1)


def test_counts_distinct_episodes_and_percent() -> None:
    progress = compute_progress(episodes(3, 2), {(1, 1): at(1), (1, 2): at(2)}, TODAY)
    assert (progress.watched, progress.aired, progress.percent) == (2, 5, 40.0)
    assert [(s.season_number, s.watched, s.aired) for s in progress.seasons] == [(1, 2, 3), (2, 0, 2)]
    assert progress.watched_minutes == 60
    assert progress.remaining_minutes == 90


def test_next_is_after_the_last_watched_then_wraps_to_earliest_gap() -> None:
    watched = {(1, 1): at(1), (2, 1): at(5)}
    nxt = compute_progress(episodes(3, 2), watched, TODAY).next_episode
    assert nxt is not None
    assert (nxt.season_number, nxt.episode_number) == (2, 2)
    watched[(2, 2)] = at(9)
    nxt = compute_progress(episodes(3, 2), watched, TODAY).next_episode
    assert nxt is not None
    assert (nxt.season_number, nxt.episode_number) == (1, 2)


def test_unaired_episodes_are_not_counted_nor_offered() -> None:
    progress = compute_progress(episodes(3, unaired_last=1), {(1, 1): at(1), (1, 2): at(2)}, TODAY)
    assert (progress.watched, progress.aired, progress.total, progress.completed) == (2, 2, 3, True)
    assert progress.next_episode is None


def test_specials_only_when_asked() -> None:
    eps = episodes(2, specials=2)
    assert compute_progress(eps, {}, TODAY).aired == 2
    with_specials = compute_progress(eps, {}, TODAY, include_specials=True)
    assert with_specials.aired == 4
    assert with_specials.next_episode is not None
    assert with_specials.next_episode.season_number == 1


def test_completed_when_every_aired_episode_is_watched() -> None:
    watched = {(1, n): at(n) for n in range(1, 4)}
    progress = compute_progress(episodes(3), watched, TODAY)
    assert progress.completed
    assert progress.percent == 100.0
    assert progress.next_episode is None
    assert progress.last_episode is not None
    assert progress.last_episode.episode_number == 3


@pytest.mark.parametrize("text", ["", "titles/", "titles/a/seasons/x", "shows/a", "titles/a/episodes/1", "titles/a b"])
def test_bad_item_names(text: str) -> None:
    with pytest.raises(InvalidArgument):
        parse_item(text)


def test_item_names() -> None:
    assert parse_item("titles/abc").is_title
    season = parse_item("titles/abc/seasons/2")
    assert season.is_season
    assert season.season == 2
    episode = parse_item("titles/abc/seasons/0/episodes/7")
    assert (episode.season, episode.episode) == (0, 7)


def test_users_are_scoped() -> None:
    me = Principal(user_id="u1")
    assert user_of(me, "users/me") == "u1"
    assert user_of(me, "users/u1") == "u1"
    with pytest.raises(NotFound):
        user_of(me, "users/u2")
    assert user_of(Principal(user_id="a1", role="admin"), "users/u2") == "u2"
    with pytest.raises(InvalidArgument):
        user_of(me, "people/u1")
