"""Tracking's rules on plain values (`services/tracking/domain.py`): no database, no sockets."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from services.core import errors
from services.core.tokens import ROLE_ADMIN, Principal
from services.tracking import domain
from services.tracking.domain import EpisodeFacts, Item, MarkResult, Play, TitleFacts, Window
from tests.unit.tracking.clock import ME, NOW

TODAY = NOW.date()
PAST, FUTURE = TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=3)
UTC = domain.window_of(None, None, given=False, period=None, zone_name="", default_days=None, now=NOW).zone


def reason(exc: pytest.ExceptionInfo[errors.DomainError]) -> str:
    return exc.value.reason


def series(*episodes: EpisodeFacts) -> TitleFacts:
    return TitleFacts("s1", "series", "Show", genres=("Drama",), episodes=episodes)


SHOW = series(
    EpisodeFacts(0, 1, "Special", 20, PAST),
    EpisodeFacts(1, 1, "One", 30, PAST),
    EpisodeFacts(1, 2, "Two", 30, PAST),
    EpisodeFacts(1, 3, "Three", 30, FUTURE),
    EpisodeFacts(2, 1, "Four", 40, None),
)
MOVIE = TitleFacts("m1", "movie", "Film", genres=("Crime",), runtime_minutes=100)


# -- names -----------------------------------------------------------------------


def test_named_user_refuses_me_and_malformed_names() -> None:
    assert domain.named_user("users/u-1_x") == "u-1_x"
    for bad in ("users/me", "", "users/", "users/a/b", "titles/x", "users/" + "x" * 65, "users/a b"):
        with pytest.raises(errors.InvalidArgument) as caught:
            domain.named_user(bad)
        assert caught.value.violations[0].field == "name"


def test_parse_items_caps_the_batch_and_names_the_bad_index() -> None:
    assert [i.title_id for i in domain.parse_items(["titles/a", "titles/b/seasons/1"])] == ["a", "b"]
    with pytest.raises(errors.InvalidArgument) as caught:
        domain.parse_items(["titles/a", "nope"])
    assert caught.value.violations[0].field == "items[1]"
    with pytest.raises(errors.InvalidArgument) as many:
        domain.parse_items(["titles/a"] * (domain.MAX_ITEMS + 1))
    assert reason(many) == "TOO_MANY_ITEMS"


def test_title_ids_of() -> None:
    assert domain.title_ids_of(["titles/a", "titles/b"]) == ["a", "b"]
    for bad in ("titles/", "titles/a/seasons/1", "a"):
        with pytest.raises(errors.InvalidArgument) as caught:
            domain.title_ids_of(["titles/ok", bad])
        assert caught.value.violations[0].field == "titles[1]"
    with pytest.raises(errors.InvalidArgument):
        domain.title_ids_of(["titles/a"] * 101)


def test_history_deletes_belong_to_the_named_user() -> None:
    assert domain.history_deletes(ME, "u1", ["users/me/history/h1", "users/u1/history/h2"]) == {
        "users/me/history/h1": "h1",
        "users/u1/history/h2": "h2",
    }
    with pytest.raises(errors.InvalidArgument):
        domain.history_deletes(ME, "u1", [])
    with pytest.raises(errors.NotFound):  # another user's play, for a user caller
        domain.history_deletes(ME, "u1", ["users/u2/history/h1"])
    admin = Principal(user_id="root", role=ROLE_ADMIN)
    with pytest.raises(errors.InvalidArgument) as caught:  # an admin may name anyone, but only the parent's plays
        domain.history_deletes(admin, "u1", ["users/u2/history/h1"])
    assert caught.value.violations[0].field == "names[0]"
    with pytest.raises(errors.InvalidArgument) as many:
        domain.history_deletes(ME, "u1", ["users/me/history/h"] * 501)
    assert reason(many) == "TOO_MANY_ITEMS"


# -- input rules -------------------------------------------------------------------


def test_update_mask_fields() -> None:
    assert domain.watchlist_update_fields(["*"]) == {"status", "favorite", "notes"}
    assert domain.watchlist_update_fields(["notes"]) == {"notes"}
    with pytest.raises(errors.InvalidArgument):
        domain.watchlist_update_fields([])
    with pytest.raises(errors.InvalidArgument) as caught:
        domain.watchlist_update_fields(["notes", "create_time", "title"])
    assert [v.field for v in caught.value.violations] == ["update_mask", "update_mask"]


def test_etags_and_scores_and_notes() -> None:
    domain.check_etag("", 3)
    domain.check_etag('W/"3"', 3)
    with pytest.raises(errors.Aborted) as caught:
        domain.check_etag('W/"2"', 3)
    assert reason(caught) == "ETAG_MISMATCH"
    for ok in (1, 10):
        domain.check_score(ok)
    for bad in (0, 11, -1):
        with pytest.raises(errors.InvalidArgument) as score:
            domain.check_score(bad)
        assert reason(score) == "INVALID_RATING"
    domain.check_min_score(0)
    with pytest.raises(errors.InvalidArgument):
        domain.check_min_score(11)
    domain.check_notes("x" * domain.MAX_NOTES)
    with pytest.raises(errors.InvalidArgument):
        domain.check_notes("x" * (domain.MAX_NOTES + 1))


def test_watch_time_may_be_five_minutes_ahead_at_most() -> None:
    assert domain.check_watch_time(None, NOW) == NOW
    assert domain.check_watch_time(NOW + dt.timedelta(minutes=5), NOW) == NOW + dt.timedelta(minutes=5)
    with pytest.raises(errors.InvalidArgument) as caught:
        domain.check_watch_time(NOW + dt.timedelta(minutes=5, seconds=1), NOW)
    assert reason(caught) == "WATCH_TIME_IN_FUTURE"


# -- marks and the watchlist status ------------------------------------------------------


def test_expand_a_series_a_season_and_an_episode() -> None:
    keys = [e.key for e in domain.expand(SHOW, domain.parse_item("titles/s1"), TODAY, aired_only=True) if e]
    assert keys == [(1, 1), (1, 2), (2, 1)]  # no special, nothing unaired
    everything = domain.expand(SHOW, domain.parse_item("titles/s1/seasons/1"), TODAY, aired_only=False)
    assert [e.key for e in everything if e] == [(1, 1), (1, 2), (1, 3)]
    special = domain.expand(SHOW, domain.parse_item("titles/s1/seasons/0/episodes/1"), TODAY, aired_only=True)
    assert [e.key for e in special if e] == [(0, 1)]
    assert domain.expand(MOVIE, domain.parse_item("titles/m1"), TODAY, aired_only=True) == [None]
    for missing in ("titles/s1/seasons/9", "titles/s1/seasons/1/episodes/9"):
        with pytest.raises(errors.NotFound) as caught:
            domain.expand(SHOW, domain.parse_item(missing), TODAY, aired_only=False)
        assert reason(caught) == "EPISODE_NOT_FOUND"
    with pytest.raises(errors.FailedPrecondition) as movie:
        domain.expand(MOVIE, domain.parse_item("titles/m1/seasons/1"), TODAY, aired_only=False)
    assert reason(movie) == "NOT_A_SERIES"


def test_mark_outcomes_settle() -> None:
    changed, repeat = MarkResult("a", "changed", changed=1), MarkResult("b", "changed", unchanged=2)
    unaired = MarkResult("c", "not_aired")
    for result in (changed, repeat, unaired):
        result.settle()
    assert [r.outcome for r in (changed, repeat, unaired)] == ["changed", "already_watched", "not_aired"]


@pytest.mark.parametrize(
    ("current", "completed", "watched", "adding", "expected"),
    [
        (None, False, 1, True, "watching"),  # a first play adds the series
        (None, True, 3, True, "completed"),
        (None, False, 0, False, None),  # removing plays never adds an entry
        ("plan_to_watch", False, 1, True, "watching"),
        ("watching", True, 3, True, "completed"),
        ("completed", False, 2, False, "watching"),  # a play removed reopens it
        ("watching", False, 2, True, None),  # no change
        ("dropped", True, 3, True, None),  # the user's choice stays
        ("paused", False, 1, True, None),
        ("plan_to_watch", False, 0, False, None),  # all plays removed: still planned
    ],
)
def test_status_after_progress(current: str | None, completed: bool, watched: int, adding: bool, expected: str | None) -> None:
    assert domain.status_after_progress(current, completed=completed, watched=watched, adding=adding) == expected


def test_movie_and_playback_statuses() -> None:
    assert [domain.status_after_movie(s) for s in domain.STATUSES] == ["completed", None, None, None, "completed"]
    assert [domain.status_after_start(s) for s in domain.STATUSES] == [None, None, None, None, "watching"]
    assert domain.default_status(True) == "watching"
    assert domain.default_status(False) == "plan_to_watch"
    assert not domain.keeps_progress_row(0, 0, 0)
    assert all(domain.keeps_progress_row(*counts) for counts in ((1, 0, 0), (0, 1, 0), (0, 0, 1)))


# -- progress and up next ------------------------------------------------------------------


def test_watched_in_cycle_and_the_stored_count() -> None:
    plays = {(1, 1): (2, NOW, NOW), (1, 2): (1, NOW, None), (0, 1): (1, NOW, NOW)}
    watched = domain.watched_in_cycle(plays)
    assert watched == {(1, 1): NOW, (0, 1): NOW}  # (1, 2) was watched in an earlier cycle only
    assert domain.stored_watched_count(watched) == 1  # specials are not stored
    assert domain.can_rewatch(1)
    assert not domain.can_rewatch(0)


def test_summary_progress_uses_the_stored_next_episode_or_asks_for_the_full_computation() -> None:
    nxt = EpisodeFacts(1, 3, runtime_minutes=30, air_date=PAST)
    summary = domain.summary_progress(watched_count=2, aired=5, total=6, stored_next=nxt, last_watch_time=NOW, today=TODAY)
    assert summary is not None
    assert (summary.watched, summary.aired, summary.total, summary.percent, summary.next_episode) == (2, 5, 6, 40.0, nxt)
    # Stored next not aired yet: nothing is up next, but the counts stand.
    later = EpisodeFacts(1, 3, air_date=FUTURE)
    waiting = domain.summary_progress(watched_count=2, aired=2, total=3, stored_next=later, last_watch_time=None, today=TODAY)
    assert waiting is not None
    assert waiting.next_episode is None
    assert waiting.completed
    # No stored next while an aired episode is left: something aired since the last write.
    assert domain.summary_progress(watched_count=2, aired=3, total=3, stored_next=None, last_watch_time=None, today=TODAY) is None
    # A watched count above the aired count (episodes removed from Catalog) is capped.
    capped = domain.summary_progress(watched_count=4, aired=3, total=3, stored_next=None, last_watch_time=None, today=TODAY)
    assert capped is not None
    assert capped.watched == 3


def test_up_next_lists_what_has_an_episode_left() -> None:
    def summary(watched: int, nxt: EpisodeFacts | None) -> domain.ProgressFacts | None:
        return domain.summary_progress(
            watched_count=watched, aired=3, total=3, stored_next=nxt, last_watch_time=None, today=TODAY
        )

    some, none, done = summary(1, EpisodeFacts(1, 2)), summary(0, EpisodeFacts(1, 1)), summary(3, None)
    assert some is not None and none is not None and done is not None  # noqa: PT018  (one precondition)
    assert domain.is_up_next(some, "watching")
    assert not domain.is_up_next(some, "plan_to_watch")  # started: it is WATCHING's business
    assert domain.is_up_next(none, "plan_to_watch")
    assert not domain.is_up_next(done, "watching")


# -- the scrobble state machine ---------------------------------------------------------


def test_playable_items() -> None:
    assert domain.playable(MOVIE, domain.parse_item("titles/m1"), TODAY) is None
    episode = domain.playable(SHOW, domain.parse_item("titles/s1/seasons/1/episodes/3"), TODAY)  # unaired may play
    assert episode is not None
    assert episode.key == (1, 3)
    for item, expected in (("titles/s1", "NOT_AN_EPISODE"), ("titles/s1/seasons/1", "NOT_AN_EPISODE")):
        with pytest.raises(errors.FailedPrecondition) as caught:
            domain.playable(SHOW, domain.parse_item(item), TODAY)
        assert reason(caught) == expected
    with pytest.raises(errors.FailedPrecondition) as movie:
        domain.playable(MOVIE, domain.parse_item("titles/m1/seasons/1/episodes/1"), TODAY)
    assert reason(movie) == "NOT_A_SERIES"
    assert domain.item_key("s1", episode) == "titles/s1/seasons/1/episodes/3"
    assert domain.item_key("m1", None) == "titles/m1"


def test_playback_position_from_percent_position_or_runtime() -> None:
    assert domain.playback_position(None, None, 50.0, 600) == (300.0, 600, 50.0)
    assert domain.playback_position(120.0, 600.0, 0.0, 0) == (120.0, 600.0, 20.0)
    assert domain.playback_position(60.0, None, 0.0, 1800) == (60.0, 1800, 3.333)  # the runtime stands in
    for args in ((None, None, 101.0, 600), (None, None, -1.0, 600), (-1.0, 600.0, 0.0, 0), (10.0, -5.0, 0.0, 0),
                 (700.0, 600.0, 0.0, 0), (None, 600.0, 0.0, 0), (10.0, None, 0.0, 0)):  # fmt: skip
        with pytest.raises(errors.InvalidArgument) as caught:
            domain.playback_position(*args)
        assert reason(caught) == "INVALID_PROGRESS", args


def test_sessions_expire_after_a_day_and_stops_at_ninety_percent_are_watches() -> None:
    fresh, stale = NOW - dt.timedelta(hours=23), NOW - dt.timedelta(hours=25)
    assert not domain.starts_session("playing", fresh, NOW)
    assert domain.starts_session("playing", stale, NOW)
    assert domain.starts_session("paused", fresh, NOW)
    assert domain.starts_session(None, None, NOW)
    assert domain.is_playing("playing", fresh, NOW)
    assert not domain.is_playing("playing", stale, NOW)
    assert not domain.is_playing("paused", fresh, NOW)
    domain.check_started("titles/m1", fresh, NOW)
    for when in (stale, None):
        with pytest.raises(errors.FailedPrecondition) as caught:
            domain.check_started("titles/m1", when, NOW)
        assert reason(caught) == "PLAYBACK_NOT_STARTED"
    assert [domain.stop_outcome(p) for p in (0.0, 89.99, 90.0, 100.0)] == ["saved", "saved", "watched", "watched"]


# -- paging ------------------------------------------------------------------------------


def test_pages_and_tokens() -> None:
    page = domain.page_of([1, 2, 3], 2, str, lambda n: f"id{n}", 7)
    assert (page.items, page.next_position, page.total) == ([1, 2], {"k": "2", "id": "id2"}, 7)
    assert domain.page_of([1, 2], 2, str, str, 0).next_position is None
    assert domain.keyset_after(None, text_key=False) is None
    assert domain.keyset_after({"k": "b", "id": "x"}, text_key=True) == ("b", "x")
    assert domain.keyset_after({"k": "2026-01-01T00:00:00", "id": "x"}, text_key=False) == (
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "x",
    )  # fmt: skip
    with pytest.raises(errors.InvalidArgument) as caught:
        domain.keyset_after({"k": "not a time", "id": "x"}, text_key=False)
    assert reason(caught) == "INVALID_PAGE_TOKEN"
    assert domain.offset_page([1, 2, 3], 0, 2) == ([1, 2], {"i": 2})
    assert domain.offset_page([1, 2, 3], 2, 2) == ([3], None)
    assert domain.watchlist_sort_value("title", "abc", None, NOW) == "abc"
    assert domain.watchlist_sort_value("last_watch_time", "abc", None, NOW) == domain.EPOCH.isoformat()
    assert domain.watchlist_sort_value("update_time", "abc", None, NOW) == NOW.isoformat()


# -- stats ---------------------------------------------------------------------------------


def play(user: str, title: str, kind: str, when: dt.datetime, seconds: float = 1800, season: int = 1, number: int = 1) -> Play:
    return Play(user, title, kind, season if kind == "episode" else 0, number if kind == "episode" else 0, when, seconds)


def test_windows_are_validated() -> None:
    with pytest.raises(errors.InvalidArgument) as backwards:
        domain.window_of(NOW, NOW - dt.timedelta(days=1), given=True, period=None, zone_name="", default_days=None, now=NOW)
    assert backwards.value.violations[0].field == "interval"
    with pytest.raises(errors.InvalidArgument) as zone:
        domain.window_of(None, None, given=False, period=None, zone_name="Mars/Olympus", default_days=None, now=NOW)
    assert zone.value.violations[0].field == "time_zone"
    default = domain.window_of(None, None, given=False, period=None, zone_name="", default_days=30, now=NOW)
    assert (default.start, default.end) == (NOW - dt.timedelta(days=30), NOW)
    bound = domain.activity_window(Window(None, None, None, UTC), NOW)
    assert (bound.start, bound.end) == (NOW - dt.timedelta(days=7), NOW)
    with pytest.raises(errors.InvalidArgument):
        domain.activity_window(Window(NOW - dt.timedelta(days=367), NOW, None, UTC), NOW)


def test_buckets_follow_the_calendar_of_the_time_zone() -> None:
    kampala = domain.window_of(
        dt.datetime(2026, 1, 30, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, tzinfo=dt.UTC), given=True, period="month",
        zone_name="Africa/Kampala", default_days=None, now=NOW,
    )  # fmt: skip
    bounds = domain.bucket_bounds(kampala, None, NOW)
    assert [(low.month, low.day, low.utcoffset()) for low, _ in bounds] == [(1, 1, dt.timedelta(hours=3))] + [
        (m, 1, dt.timedelta(hours=3)) for m in (2, 3)
    ]
    weeks = domain.bucket_bounds(Window(dt.datetime(2026, 11, 12, tzinfo=dt.UTC), NOW, "week", UTC), None, NOW)
    assert [low.weekday() for low, _ in weeks] == [0, 0]  # weeks start on Monday
    assert domain.bucket_bounds(Window(None, None, None, UTC), None, NOW) == []
    with pytest.raises(errors.InvalidArgument) as caught:
        domain.bucket_bounds(Window(NOW - dt.timedelta(days=500), NOW, "day", UTC), None, NOW)
    assert caught.value.violations[0].field == "granularity"


def test_user_stats_arithmetic() -> None:
    early, late = NOW - dt.timedelta(days=2), NOW - dt.timedelta(hours=1)
    plays = [
        play("u1", "m1", "movie", early, 6000),
        play("u1", "m1", "movie", late, 6000),  # a rewatch: one movie, two plays
        play("u1", "s1", "episode", early, 1800, 1, 1),
        play("u1", "s1", "episode", late, 1800, 1, 2),
    ]
    genres = {"m1": ["Crime", "Drama"], "s1": ["Drama"]}
    window = Window(NOW - dt.timedelta(days=3), NOW, "day", UTC)
    stats = domain.user_stats(
        "u1", window, plays, genres, completed=1, scores=[7, 8], status_counts={"plan_to_watch": 2, "watching": 1}, now=NOW
    )
    assert (stats.movie_count, stats.movie_play_count, stats.episode_count, stats.episode_play_count) == (1, 2, 2, 2)
    assert (stats.show_count, stats.completed_show_count, stats.watch_seconds) == (1, 1, 15600)
    assert (stats.rating_count, stats.average_rating) == (2, 7.5)
    assert [(g.genre, g.play_count, g.watch_seconds, g.title_count) for g in stats.genres] == [
        ("Drama", 4, 15600, 2), ("Crime", 2, 12000, 1),
    ]  # fmt: skip
    assert stats.status_counts == [("watching", 1), ("plan_to_watch", 2)]  # in the enum's order
    assert len(stats.buckets) == 4
    assert sum(b.movie_play_count + b.episode_play_count for b in stats.buckets) == 4
    assert all(b.watcher_count == 0 for b in stats.buckets)
    empty = domain.user_stats("u1", window, [], {}, completed=0, scores=[], status_counts={}, now=NOW)
    assert (empty.average_rating, empty.genres) == (0.0, [])


def test_platform_stats_arithmetic() -> None:
    plays = [play("u1", "m1", "movie", NOW - dt.timedelta(hours=2)), play("u2", "s1", "episode", NOW - dt.timedelta(hours=1))]
    window = Window(NOW - dt.timedelta(days=1), NOW, "day", UTC)
    stats = domain.platform_stats(window, plays, {}, [("u1", True), ("u3", False), ("u3", False)], adds=4, ratings=2, now=NOW)
    assert (stats.watcher_count, stats.start_count, stats.completion_rate) == (3, 3, 0.3333)
    assert (stats.movie_play_count, stats.episode_play_count, stats.watchlist_add_count, stats.rating_count) == (1, 1, 4, 2)
    assert sum(b.watcher_count for b in stats.buckets) == 2
    assert domain.platform_stats(window, [], {}, [], adds=0, ratings=0, now=NOW).completion_rate == 0.0


def test_title_activity_counts_and_pages() -> None:
    per = domain.title_activity(
        ["quiet"],
        plays=[("u1", "a", 1800.0), ("u2", "a", 1800.0), ("u1", "b", 600.0)],
        sessions=[("u3", "a", True, 1700.0), ("u3", "b", False, 300.0)],
        adds=[("b", 5)],
    )
    a, b, quiet = per["a"], per["b"], per["quiet"]
    assert (a.watchers, a.plays, a.starts, a.completion_rate, a.watch_seconds) == (3, 2, 1, 1.0, 3600.0)
    assert (b.watchers, b.watch_seconds, b.adds, b.average_watch_seconds) == (2, 900.0, 5, 900.0)  # unfinished sessions count
    assert (quiet.watchers, quiet.completion_rate, quiet.average_watch_seconds) == (0, 0.0, 0.0)
    first, last = domain.activity_page(per.values(), "watchers", None, 2)
    assert [r.title_id for r in first] == ["a", "b"]
    assert last is b
    rest, more = domain.activity_page(per.values(), "watchers", (last.value("watchers"), last.title_id), 2)
    assert ([r.title_id for r in rest], more) == (["quiet"], None)
    by_adds, _ = domain.activity_page(per.values(), "adds", None, 3)
    assert [r.title_id for r in by_adds] == ["b", "a", "quiet"]  # ties by id


# -- recommendations ------------------------------------------------------------------------


def test_genre_weights_favour_high_ratings_and_completions_and_skip_dislikes() -> None:
    titles = {"a": ("A", ["Drama"]), "b": ("B", ["Drama", "Crime"]), "c": ("C", ["Horror"])}
    weights, names = domain.genre_weights(titles, {"a": 9, "c": 3}, {"b"})
    assert weights == {"Drama": 3.0 + 2.0, "Crime": 2.0}
    assert names == {"a": "A", "b": "B"}
    assert domain.top_genres({"x": 1.0, "y": 3.0, "z": 1.0}, 2) == ["y", "x"]


def test_rank_scores_shared_genres_and_names_the_sources() -> None:
    weights = {"Drama": 5.0, "Crime": 2.0}
    candidates = [
        TitleFacts("c1", "movie", "Crime Film", genres=("Crime",)),
        TitleFacts("c2", "series", "Drama Show", genres=("Drama", "Crime")),
        TitleFacts("c3", "movie", "Cartoon", genres=("Animation",)),
        TitleFacts("seen", "movie", "Seen", genres=("Drama",)),
        TitleFacts("c2", "series", "Drama Show", genres=("Drama", "Crime")),  # Catalog may repeat a title
    ]
    sources = {"a": ["Drama"], "b": ["Crime"]}
    ranked = domain.rank(candidates, weights, sources, {"a": "A", "b": "B"}, {"seen"}, kind=None, genre="")
    assert [(f.title_id, score, because) for f, score, because in ranked] == [("c2", 1.0, ["a", "b"]), ("c1", 0.2857, ["b"])]
    only_movies = domain.rank(candidates, weights, sources, {}, set(), kind="movie", genre="crime")
    assert [f.title_id for f, _, _ in only_movies] == ["c1"]
    found = domain.recommendations(ranked, {"a": "A", "b": "B"})
    assert [(r.reason, r.because_of, r.trending) for r in found] == [
        ("Because you watched A", ("a", "b"), False), ("Because you watched B", ("b",), False),
    ]  # fmt: skip
    unnamed = domain.recommendations([(candidates[0], 0.5, [])], {})
    assert unnamed[0].reason == "Because you like Crime"


def test_trending_is_the_fallback_scored_by_rank() -> None:
    popular = [TitleFacts(f"t{i}", "movie" if i % 2 else "series", genres=("Drama",)) for i in range(4)]
    found = domain.trending(popular, {"t0"}, kind=None, genre="")
    assert [(r.facts.title_id, r.score, r.trending) for r in found] == [
        ("t1", 1.0, True), ("t2", 0.6667, True), ("t3", 0.3333, True),
    ]  # fmt: skip
    assert [r.facts.title_id for r in domain.trending(popular, set(), kind="series", genre="DRAMA")] == ["t0", "t2"]
    assert domain.trending(popular, set(), kind=None, genre="Comedy") == []


# -- account export and erasure ------------------------------------------------------------


def test_erased_names_every_category_in_order() -> None:
    found = domain.erased({"history": 3, "watchlist": 1})
    assert [d.category for d in found] == [category for category, _ in domain.USER_DATA.values()]
    assert {d.category: d.count for d in found if d.count} == {"watch_history": 3, "watchlist": 1}
    assert all(d.description for d in found)


def test_export_document_is_plain_json() -> None:
    naive = dt.datetime(2026, 1, 2, 3, 4, 5)  # as SQLite returns it
    rows = {
        "history": [{"id": "h1", "watch_time": naive, "kind": "movie"}],
        "ratings": [{"day": dt.date(2026, 1, 2), "tags": ("a",)}],
    }
    document = domain.export_document("u1", rows, NOW)
    assert document["user"] == "users/u1"
    assert document["export_time"] == NOW.isoformat()
    assert document["watch_history"] == [{"id": "h1", "watch_time": "2026-01-02T03:04:05+00:00", "kind": "movie"}]
    assert document["ratings"] == [{"day": "2026-01-02", "tags": ["a"]}]
    assert document["watchlist"] == []
    assert json.loads(json.dumps(document)) == document


def test_item_properties() -> None:
    assert Item("titles/a", "a").is_title
    assert Item("titles/a/seasons/1", "a", 1).is_season
    assert not Item("titles/a/seasons/1/episodes/2", "a", 1, 2).is_season
    assert SHOW.episode_count == 4
    assert domain.episodes_aired_by(SHOW) == FUTURE
    assert domain.episodes_aired_by(MOVIE) is None


def test_an_export_must_fit_in_one_response() -> None:
    document = domain.export_document("u1", {"history": [{"id": f"h{i}"} for i in range(100)]}, NOW)
    body = domain.encode_export(document, 64 * 1024)
    assert json.loads(body) == document
    assert b" " not in body  # compact
    with pytest.raises(errors.ResourceExhausted) as caught:
        domain.encode_export(document, len(body) + domain.EXPORT_ENVELOPE_BYTES - 1)
    assert reason(caught) == "EXPORT_TOO_LARGE"
    assert caught.value.metadata == {"size_bytes": str(len(body)), "limit_bytes": str(len(body) - 1)}
    assert domain.encode_export(document, len(body) + domain.EXPORT_ENVELOPE_BYTES) == body
