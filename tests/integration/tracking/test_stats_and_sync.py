"""Stats, delta sync, recommendations, title activity for Catalog, purge, and Catalog being unreachable."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.type import calendar_period_pb2, interval_pb2
from marquee.tracking.v1 import tracking_pb2 as pb
from marquee.tracking.v1 import tracking_pb2_grpc

from services.app import Dependencies, build_server
from services.core.settings import Settings
from tests.integration.tracking.conftest import Caller, Show, expect, fails, seed_title


def stamp(value: dt.datetime) -> timestamp_pb2.Timestamp:
    result = timestamp_pb2.Timestamp()
    result.FromDatetime(value)
    return result


async def test_stats_with_buckets(tracking, alice: Caller, show: Show, movie: Show) -> None:
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    await tracking.MarkWatched(
        pb.MarkWatchedRequest(parent="users/me", items=[movie.name], watch_time=stamp(yesterday)), metadata=alice.auth
    )
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.name]), metadata=alice.auth)
    await tracking.MarkWatched(
        pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1)], allow_repeat=True), metadata=alice.auth
    )
    await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=movie.name, score=8), metadata=alice.auth)
    stats = (await tracking.GetStats(pb.GetStatsRequest(name="users/me/stats"), metadata=alice.auth)).stats
    assert (stats.movie_count, stats.movie_play_count, stats.episode_count, stats.episode_play_count) == (1, 1, 5, 6)
    assert (stats.show_count, stats.completed_show_count, stats.rating_count, stats.average_rating) == (1, 1, 1, 8.0)
    assert stats.watch_time.seconds == (100 + 6 * 30) * 60
    assert {g.genre: g.play_count for g in stats.genres} == {"Drama": 7, "Crime": 1}
    assert {c.status: c.count for c in stats.watchlist_status_counts} == {pb.WATCHLIST_STATUS_COMPLETED: 1}
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    window = interval_pb2.Interval(start_time=stamp(start), end_time=stamp(start + dt.timedelta(days=3)))
    daily = (
        await tracking.GetStats(
            pb.GetStatsRequest(name="users/me/stats", interval=window, granularity=calendar_period_pb2.DAY), metadata=alice.auth
        )
    ).stats
    assert [(b.movie_play_count, b.episode_play_count) for b in daily.buckets] == [(0, 0), (1, 0), (0, 6)]
    for bad in (
        pb.GetStatsRequest(name="users/me/stats", time_zone="Mars/Olympus"),
        pb.GetStatsRequest(
            name="users/me/stats",
            granularity=calendar_period_pb2.DAY,
            interval=interval_pb2.Interval(start_time=stamp(start - dt.timedelta(days=500)), end_time=stamp(start)),
        ),
        pb.GetStatsRequest(name="users/me/stats", granularity=calendar_period_pb2.QUARTER),
        pb.GetStatsRequest(
            name="users/me/stats",
            interval=interval_pb2.Interval(start_time=stamp(start), end_time=stamp(yesterday - dt.timedelta(days=9))),
        ),
    ):
        expect(await fails(tracking.GetStats(bad, metadata=alice.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_last_activities_move_with_changes(tracking, alice: Caller, movie: Show) -> None:
    empty = (
        await tracking.GetLastActivities(pb.GetLastActivitiesRequest(name="users/me/lastActivities"), metadata=alice.auth)
    ).last_activities
    assert not empty.HasField("update_time")
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[movie.name]), metadata=alice.auth)
    after = (
        await tracking.GetLastActivities(pb.GetLastActivitiesRequest(name="users/me/lastActivities"), metadata=alice.auth)
    ).last_activities
    assert after.history.HasField("update_time")
    assert not after.history.HasField("delete_time")
    assert not after.ratings.HasField("update_time")
    history = await tracking.ListHistoryEntries(
        pb.ListHistoryEntriesRequest(parent="users/me", since=after.history.update_time), metadata=alice.auth
    )
    assert not history.history_entries
    await tracking.MarkUnwatched(pb.MarkUnwatchedRequest(parent="users/me", items=[movie.name]), metadata=alice.auth)
    final = (
        await tracking.GetLastActivities(pb.GetLastActivitiesRequest(name="users/me/lastActivities"), metadata=alice.auth)
    ).last_activities
    assert final.history.HasField("delete_time")
    assert final.update_time.ToDatetime() >= after.update_time.ToDatetime()


async def test_recommendations_follow_genres_and_dismissal(tracking, catalog, admin: Caller, alice: Caller) -> None:
    genre = f"Genre{id(alice) % 100000}"
    liked = await seed_title(catalog, admin, kind="movie", genres=(genre,))
    candidates = [await seed_title(catalog, admin, kind="movie", genres=(genre, "Other")) for _ in range(2)]
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[liked.name]), metadata=alice.auth)
    await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=liked.name, score=9), metadata=alice.auth)
    recs = (
        await tracking.ListRecommendations(pb.ListRecommendationsRequest(parent="users/me", genre=genre), metadata=alice.auth)
    ).recommendations
    assert {r.title for r in recs} == {c.name for c in candidates}
    assert all(
        r.reason == f"Because you watched {liked.display_name}" and r.reason_kind == pb.RECOMMENDATION_REASON_GENRE for r in recs
    )
    assert all(list(r.because_of) == [liked.name] for r in recs)
    await tracking.DismissRecommendation(
        pb.DismissRecommendationRequest(name=f"users/me/recommendations/{candidates[0].title_id}"), metadata=alice.auth
    )
    recs = (
        await tracking.ListRecommendations(pb.ListRecommendationsRequest(parent="users/me", genre=genre), metadata=alice.auth)
    ).recommendations
    assert [r.title for r in recs] == [candidates[1].name]
    expect(
        await fails(
            tracking.DismissRecommendation(
                pb.DismissRecommendationRequest(name="users/me/recommendations/none"), metadata=alice.auth
            )
        ),
        grpc.StatusCode.NOT_FOUND,
        "TITLE_NOT_FOUND",
    )


async def test_new_user_gets_trending(tracking, alice: Caller, movie: Show) -> None:
    recs = (
        await tracking.ListRecommendations(pb.ListRecommendationsRequest(parent="users/me", page_size=50), metadata=alice.auth)
    ).recommendations
    assert recs
    assert all(r.reason_kind == pb.RECOMMENDATION_REASON_TRENDING for r in recs)


async def test_title_activity_and_purge(
    tracking, service: Caller, admin: Caller, alice: Caller, bob: Caller, show: Show, movie: Show
) -> None:
    for caller in (alice, bob):
        await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1)]), metadata=caller.auth)
    await tracking.StartScrobble(
        pb.StartScrobbleRequest(parent="users/me", item=movie.name, progress_percent=10), metadata=alice.auth
    )
    await tracking.CreateWatchlistEntry(
        pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=movie.name)), metadata=bob.auth
    )
    reply = await tracking.ListTitleActivity(
        pb.ListTitleActivityRequest(titles=[show.name, movie.name, "titles/quiet"]), metadata=service.auth
    )
    by_title = {t.title: t for t in reply.titles}
    assert [t.title for t in reply.titles][:2] == [show.name, movie.name]
    assert (by_title[show.name].watcher_count, by_title[show.name].play_count) == (2, 2)
    assert (by_title[movie.name].start_count, by_title[movie.name].watchlist_add_count) == (1, 1)
    assert by_title["titles/quiet"].watcher_count == 0
    page = await tracking.ListTitleActivity(
        pb.ListTitleActivityRequest(titles=[show.name, movie.name], page_size=1), metadata=service.auth
    )
    rest = await tracking.ListTitleActivity(
        pb.ListTitleActivityRequest(titles=[show.name, movie.name], page_size=1, page_token=page.next_page_token),
        metadata=service.auth,
    )
    assert [t.title for t in [*page.titles, *rest.titles]] == [show.name, movie.name]
    assert not rest.next_page_token
    long = interval_pb2.Interval(
        start_time=stamp(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)), end_time=stamp(dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    )
    expect(
        await fails(tracking.ListTitleActivity(pb.ListTitleActivityRequest(interval=long), metadata=service.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    expect(
        await fails(tracking.ListTitleActivity(pb.ListTitleActivityRequest(titles=["titles/x"] * 101), metadata=service.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    platform = (await tracking.GetPlatformStats(pb.GetPlatformStatsRequest(), metadata=admin.auth)).stats
    assert platform.episode_play_count >= 2
    assert platform.start_count >= 1
    purged = await tracking.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name), metadata=service.auth)
    assert (purged.history_entry_count, purged.playback_count, purged.watchlist_entry_count) == (1, 1, 1)
    again = await tracking.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name), metadata=service.auth)
    assert again.history_entry_count == 0
    expect(
        await fails(tracking.PurgeUserData(pb.PurgeUserDataRequest(name="users/me"), metadata=service.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    assert not (
        await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent="users/me"), metadata=alice.auth)
    ).history_entries


@pytest.fixture
async def without_catalog(settings: Settings):
    """A second server whose Catalog peer is a closed port: Tracking must not guess."""
    deps = Dependencies.build(settings.model_copy(update={"peer_addresses": {"catalog": "127.0.0.1:9"}}))
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield tracking_pb2_grpc.TrackingServiceStub(channel)
    await running.stop(1.0)


async def test_catalog_unreachable(tracking, without_catalog, alice: Caller, show: Show, catalog, admin: Caller) -> None:
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1)]), metadata=alice.auth)
    fresh = await seed_title(catalog, admin, kind="movie")
    expect(
        await fails(
            without_catalog.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 2)]), metadata=alice.auth)
        ),
        grpc.StatusCode.UNAVAILABLE,
        "DEPENDENCY_UNAVAILABLE",
    )
    expect(
        await fails(
            without_catalog.CreateWatchlistEntry(
                pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=fresh.name)),
                metadata=alice.auth,
            )
        ),
        grpc.StatusCode.UNAVAILABLE,
        "DEPENDENCY_UNAVAILABLE",
    )
    progress = await without_catalog.GetShowProgress(
        pb.GetShowProgressRequest(name=f"users/me/progress/{show.title_id}"), metadata=alice.auth
    )
    assert progress.progress.watched_episode_count == 1
    assert progress.progress.next_episode.episode == show.episode(1, 2)
    upnext = await without_catalog.ListUpNext(pb.ListUpNextRequest(parent="users/me"), metadata=alice.auth)
    assert [i.title_info.title for i in upnext.items] == [show.name]
    expect(
        await fails(
            without_catalog.GetShowProgress(
                pb.GetShowProgressRequest(name=f"users/me/progress/{fresh.title_id}"), metadata=alice.auth
            )
        ),
        grpc.StatusCode.UNAVAILABLE,
        "DEPENDENCY_UNAVAILABLE",
    )
