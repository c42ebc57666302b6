"""Scrobbles and continue watching, watch history, ratings."""

from __future__ import annotations

import grpc
from google.protobuf import duration_pb2
from marquee.tracking.v1 import tracking_pb2 as pb

from tests.integration.tracking.conftest import Caller, Show, expect, fails


def minutes(value: float) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=int(value * 60))


async def test_scrobble_saves_below_90_and_marks_watched_at_90(tracking, alice: Caller, show: Show) -> None:
    item = show.episode(1, 1)
    started = (
        await tracking.StartScrobble(
            pb.StartScrobbleRequest(parent="users/me", item=item, position=minutes(3), device_name="TV"), metadata=alice.auth
        )
    ).playback
    assert started.state == pb.PLAYBACK_STATE_PLAYING
    assert started.progress_percent == 10.0
    assert started.duration.seconds == 30 * 60
    assert started.episode_info.episode == item
    paused = (
        await tracking.PauseScrobble(
            pb.PauseScrobbleRequest(parent="users/me", item=item, position=minutes(12)), metadata=alice.auth
        )
    ).playback
    assert paused.state == pb.PLAYBACK_STATE_PAUSED
    assert paused.progress_percent == 40.0
    saved = await tracking.StopScrobble(
        pb.StopScrobbleRequest(parent="users/me", item=item, progress_percent=50), metadata=alice.auth
    )
    assert saved.outcome == pb.SCROBBLE_OUTCOME_SAVED
    assert saved.playback.progress_percent == 50
    listed = await tracking.ListPlaybacks(pb.ListPlaybacksRequest(parent="users/me"), metadata=alice.auth)
    assert [p.item for p in listed.playbacks] == [item]
    progress = await tracking.GetShowProgress(
        pb.GetShowProgressRequest(name=f"users/me/progress/{show.title_id}"), metadata=alice.auth
    )
    assert progress.progress.next_episode_playback.progress_percent == 50
    await tracking.StartScrobble(pb.StartScrobbleRequest(parent="users/me", item=item, progress_percent=60), metadata=alice.auth)
    stop = pb.StopScrobbleRequest(parent="users/me", item=item, progress_percent=95, request_id="stop-1")
    watched = await tracking.StopScrobble(stop, metadata=alice.auth)
    assert (await tracking.StopScrobble(stop, metadata=alice.auth)) == watched
    assert watched.outcome == pb.SCROBBLE_OUTCOME_WATCHED
    assert watched.history_entry.source == pb.HISTORY_SOURCE_SCROBBLE
    assert watched.history_entry.item == item
    assert watched.progress.watched_episode_count == 1
    assert watched.progress.next_episode.episode == show.episode(1, 2)
    assert not (await tracking.ListPlaybacks(pb.ListPlaybacksRequest(parent="users/me"), metadata=alice.auth)).playbacks
    expect(
        await fails(
            tracking.PauseScrobble(
                pb.PauseScrobbleRequest(parent="users/me", item=item, progress_percent=10), metadata=alice.auth
            )
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "PLAYBACK_NOT_STARTED",
    )
    entry = await tracking.GetWatchlistEntry(
        pb.GetWatchlistEntryRequest(name=f"users/me/watchlist/{show.title_id}"), metadata=alice.auth
    )
    assert entry.watchlist_entry.status == pb.WATCHLIST_STATUS_WATCHING


async def test_one_item_plays_at_a_time_and_bad_progress(tracking, alice: Caller, show: Show, movie: Show) -> None:
    await tracking.StartScrobble(
        pb.StartScrobbleRequest(parent="users/me", item=movie.name, progress_percent=5), metadata=alice.auth
    )
    await tracking.StartScrobble(
        pb.StartScrobbleRequest(parent="users/me", item=show.episode(1, 2), progress_percent=5), metadata=alice.auth
    )
    playbacks = (await tracking.ListPlaybacks(pb.ListPlaybacksRequest(parent="users/me"), metadata=alice.auth)).playbacks
    assert {p.item: p.state for p in playbacks} == {
        movie.name: pb.PLAYBACK_STATE_PAUSED,
        show.episode(1, 2): pb.PLAYBACK_STATE_PLAYING,
    }
    movies = await tracking.ListPlaybacks(
        pb.ListPlaybacksRequest(parent="users/me", kind=pb.ITEM_KIND_MOVIE), metadata=alice.auth
    )
    assert [p.item for p in movies.playbacks] == [movie.name]
    of_show = await tracking.ListPlaybacks(pb.ListPlaybacksRequest(parent="users/me", item=show.name), metadata=alice.auth)
    assert [p.item for p in of_show.playbacks] == [show.episode(1, 2)]
    bad = [
        (
            pb.StartScrobbleRequest(parent="users/me", item=movie.name, progress_percent=120),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_PROGRESS",
        ),
        (pb.StartScrobbleRequest(parent="users/me", item=movie.name), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PROGRESS"),
        (
            pb.StartScrobbleRequest(parent="users/me", item=movie.name, position=minutes(500)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_PROGRESS",
        ),
        (
            pb.StartScrobbleRequest(parent="users/me", item=show.name, progress_percent=5),
            grpc.StatusCode.FAILED_PRECONDITION,
            "NOT_AN_EPISODE",
        ),
        (
            pb.StartScrobbleRequest(parent="users/me", item=f"{show.name}/seasons/1", progress_percent=5),
            grpc.StatusCode.FAILED_PRECONDITION,
            "NOT_AN_EPISODE",
        ),
        (
            pb.StartScrobbleRequest(parent="users/me", item=f"{movie.name}/seasons/1/episodes/1", progress_percent=5),
            grpc.StatusCode.FAILED_PRECONDITION,
            "NOT_A_SERIES",
        ),
        (
            pb.StartScrobbleRequest(parent="users/me", item=show.episode(5, 1), progress_percent=5),
            grpc.StatusCode.NOT_FOUND,
            "EPISODE_NOT_FOUND",
        ),
        (
            pb.StartScrobbleRequest(parent="users/me", item="titles/none", progress_percent=5),
            grpc.StatusCode.NOT_FOUND,
            "TITLE_NOT_FOUND",
        ),
    ]
    for request, code, reason in bad:
        expect(await fails(tracking.StartScrobble(request, metadata=alice.auth)), code, reason)
    name = playbacks[0].name
    await tracking.DeletePlayback(pb.DeletePlaybackRequest(name=name), metadata=alice.auth)
    expect(
        await fails(tracking.DeletePlayback(pb.DeletePlaybackRequest(name=name), metadata=alice.auth)),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
    )


async def test_history_filters_pages_and_batch_delete(tracking, alice: Caller, show: Show, movie: Show) -> None:
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.name, movie.name]), metadata=alice.auth)
    seen, token = [], ""
    while True:
        page = await tracking.ListHistoryEntries(
            pb.ListHistoryEntriesRequest(parent="users/me", page_size=2, page_token=token), metadata=alice.auth
        )
        seen += list(page.history_entries)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 6
    assert len({h.name for h in seen}) == 6
    movies = await tracking.ListHistoryEntries(
        pb.ListHistoryEntriesRequest(parent="users/me", kind=pb.ITEM_KIND_MOVIE), metadata=alice.auth
    )
    assert [h.item for h in movies.history_entries] == [movie.name]
    assert movies.history_entries[0].runtime.seconds == 100 * 60
    season = await tracking.ListHistoryEntries(
        pb.ListHistoryEntriesRequest(parent="users/me", item=f"{show.name}/seasons/2"), metadata=alice.auth
    )
    assert sorted(h.item for h in season.history_entries) == [show.episode(2, 1), show.episode(2, 2)]
    to_delete = [h.name for h in season.history_entries] + [f"{alice.name}/history/gone"]
    reply = await tracking.BatchDeleteHistoryEntries(
        pb.BatchDeleteHistoryEntriesRequest(parent="users/me", names=to_delete), metadata=alice.auth
    )
    assert reply.deleted_count == 2
    assert list(reply.not_found_names) == [f"{alice.name}/history/gone"]
    progress = await tracking.GetShowProgress(
        pb.GetShowProgressRequest(name=f"users/me/progress/{show.title_id}"), metadata=alice.auth
    )
    assert progress.progress.watched_episode_count == 3
    assert progress.progress.watchlist_status == pb.WATCHLIST_STATUS_WATCHING
    expect(
        await fails(
            tracking.BatchDeleteHistoryEntries(
                pb.BatchDeleteHistoryEntriesRequest(parent="users/me", names=["x"] * 501), metadata=alice.auth
            )
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "TOO_MANY_ITEMS",
    )
    expect(
        await fails(
            tracking.BatchDeleteHistoryEntries(
                pb.BatchDeleteHistoryEntriesRequest(parent="users/me", names=["bad"]), metadata=alice.auth
            )
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )


async def test_ratings(tracking, alice: Caller, show: Show, movie: Show) -> None:
    first = await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=movie.name, score=8), metadata=alice.auth)
    assert first.created
    assert first.rating.kind == pb.ITEM_KIND_MOVIE
    again = await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=movie.name, score=9), metadata=alice.auth)
    assert not again.created
    assert again.rating.name == first.rating.name
    assert again.rating.score == 9
    await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=show.episode(1, 2), score=4), metadata=alice.auth)
    await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=show.name, score=7), metadata=alice.auth)
    for score in (0, 11, -3):
        expect(
            await fails(
                tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=movie.name, score=score), metadata=alice.auth)
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_RATING",
        )
    expect(
        await fails(
            tracking.SetRating(
                pb.SetRatingRequest(parent="users/me", item=f"{show.name}/seasons/1", score=5), metadata=alice.auth
            )
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    expect(
        await fails(tracking.SetRating(pb.SetRatingRequest(parent="users/me", item="titles/none", score=5), metadata=alice.auth)),
        grpc.StatusCode.NOT_FOUND,
        "TITLE_NOT_FOUND",
    )
    by_score = await tracking.ListRatings(
        pb.ListRatingsRequest(parent="users/me", order_by=pb.RATING_ORDER_SCORE, page_size=2), metadata=alice.auth
    )
    assert [r.score for r in by_score.ratings] == [9, 7]
    rest = await tracking.ListRatings(
        pb.ListRatingsRequest(
            parent="users/me", order_by=pb.RATING_ORDER_SCORE, page_size=2, page_token=by_score.next_page_token
        ),
        metadata=alice.auth,
    )
    assert [r.score for r in rest.ratings] == [4]
    assert not rest.next_page_token
    of_show = await tracking.ListRatings(pb.ListRatingsRequest(parent="users/me", item=show.name), metadata=alice.auth)
    assert len(of_show.ratings) == 2
    high = await tracking.ListRatings(pb.ListRatingsRequest(parent="users/me", min_score=8), metadata=alice.auth)
    assert [r.item for r in high.ratings] == [movie.name]
    expect(
        await fails(tracking.ListRatings(pb.ListRatingsRequest(parent="users/me", min_score=11), metadata=alice.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    await tracking.DeleteRating(pb.DeleteRatingRequest(name=first.rating.name), metadata=alice.auth)
    expect(
        await fails(tracking.DeleteRating(pb.DeleteRatingRequest(name=first.rating.name), metadata=alice.auth)),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
    )
    entry = await tracking.CreateWatchlistEntry(
        pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=show.name)), metadata=alice.auth
    )
    assert entry.watchlist_entry.rating == 7
