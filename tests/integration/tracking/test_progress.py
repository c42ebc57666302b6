"""Marks, progress, automatic watchlist statuses, rewatches and up next, against titles seeded through Catalog."""

from __future__ import annotations

import datetime as dt

import grpc
from google.protobuf import timestamp_pb2
from marquee.tracking.v1 import tracking_pb2 as pb

from tests.integration.tracking.conftest import Caller, Show, expect, fails, seed_title


async def mark(tracking, caller: Caller, *items: str, **extra) -> pb.MarkWatchedResponse:
    return await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=list(items), **extra), metadata=caller.auth)


async def progress_of(tracking, caller: Caller, show: Show, **extra) -> pb.ShowProgress:
    request = pb.GetShowProgressRequest(name=f"users/me/progress/{show.title_id}", **extra)
    return (await tracking.GetShowProgress(request, metadata=caller.auth)).progress


async def status_of(tracking, caller: Caller, title: Show) -> int:
    entry = await tracking.GetWatchlistEntry(
        pb.GetWatchlistEntryRequest(name=f"users/me/watchlist/{title.title_id}"), metadata=caller.auth
    )
    return entry.watchlist_entry.status


async def test_marking_twice_never_double_counts(tracking, alice: Caller, show: Show) -> None:
    first = await mark(tracking, alice, show.episode(1, 1), show.episode(1, 2))
    assert first.added_count == 2
    assert [r.outcome for r in first.results] == [pb.MARK_OUTCOME_CHANGED, pb.MARK_OUTCOME_CHANGED]
    assert first.progress[0].watched_episode_count == 2
    again = await mark(tracking, alice, show.episode(1, 1), f"{show.name}/seasons/1")
    assert again.added_count == 1
    assert [(r.outcome, r.changed_count, r.unchanged_count) for r in again.results] == [
        (pb.MARK_OUTCOME_ALREADY_WATCHED, 0, 1),
        (pb.MARK_OUTCOME_CHANGED, 1, 2),
    ]
    progress = await progress_of(tracking, alice, show)
    assert (progress.watched_episode_count, progress.aired_episode_count, progress.percent) == (3, 5, 60.0)
    assert progress.next_episode.episode == show.episode(2, 1)
    assert progress.last_episode.episode == show.episode(1, 3)
    assert [(s.season_number, s.watched_episode_count, s.completed) for s in progress.seasons] == [(1, 3, True), (2, 0, False)]
    assert progress.watchlist_status == pb.WATCHLIST_STATUS_WATCHING
    repeat = await mark(tracking, alice, show.episode(1, 1), allow_repeat=True)
    assert repeat.added_count == 1
    progress = await progress_of(tracking, alice, show, view=pb.PROGRESS_VIEW_FULL)
    assert progress.watched_episode_count == 3
    assert progress.play_count == 4
    assert [e.play_count for e in progress.seasons[0].episodes] == [2, 1, 1]


async def test_request_id_replays_the_first_result(tracking, alice: Caller, show: Show) -> None:
    request = pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1)], request_id="mark-1")
    first = await tracking.MarkWatched(request, metadata=alice.auth)
    second = await tracking.MarkWatched(request, metadata=alice.auth)
    assert first == second
    assert second.added_count == 1
    history = await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent="users/me"), metadata=alice.auth)
    assert len(history.history_entries) == 1
    reused = pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 2)], request_id="mark-1")
    error = await fails(tracking.MarkWatched(reused, metadata=alice.auth))
    assert (error.code, error.reason) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")


async def test_whole_show_completes_and_unmark_reopens(tracking, alice: Caller, show: Show) -> None:
    done = await mark(tracking, alice, show.name)
    assert done.added_count == 5
    assert done.progress[0].completed
    assert done.progress[0].percent == 100.0
    assert not done.progress[0].HasField("next_episode")
    assert await status_of(tracking, alice, show) == pb.WATCHLIST_STATUS_COMPLETED
    undone = await tracking.MarkUnwatched(
        pb.MarkUnwatchedRequest(parent="users/me", items=[show.episode(2, 2), show.episode(2, 2)]), metadata=alice.auth
    )
    assert undone.removed_count == 1
    assert [r.outcome for r in undone.results] == [pb.MARK_OUTCOME_CHANGED, pb.MARK_OUTCOME_NOT_WATCHED]
    assert await status_of(tracking, alice, show) == pb.WATCHLIST_STATUS_WATCHING
    progress = await progress_of(tracking, alice, show)
    assert progress.watched_episode_count == 4
    assert progress.next_episode.episode == show.episode(2, 2)


async def test_dropped_is_never_changed_automatically(tracking, alice: Caller, show: Show) -> None:
    from google.protobuf import field_mask_pb2

    entry = (
        await tracking.CreateWatchlistEntry(
            pb.CreateWatchlistEntryRequest(
                parent="users/me", watchlist_entry=pb.WatchlistEntry(title=show.name, status=pb.WATCHLIST_STATUS_DROPPED)
            ),
            metadata=alice.auth,
        )
    ).watchlist_entry
    await mark(tracking, alice, show.name)
    assert await status_of(tracking, alice, show) == pb.WATCHLIST_STATUS_DROPPED
    await tracking.UpdateWatchlistEntry(
        pb.UpdateWatchlistEntryRequest(
            watchlist_entry=pb.WatchlistEntry(name=entry.name, status=pb.WATCHLIST_STATUS_PLAN_TO_WATCH),
            update_mask=field_mask_pb2.FieldMask(paths=["status"]),
        ),
        metadata=alice.auth,
    )
    await tracking.MarkUnwatched(pb.MarkUnwatchedRequest(parent="users/me", items=[show.episode(1, 1)]), metadata=alice.auth)
    await mark(tracking, alice, show.episode(1, 1))
    assert await status_of(tracking, alice, show) == pb.WATCHLIST_STATUS_COMPLETED


async def test_movie_sets_existing_entry_completed_only(tracking, alice: Caller, movie: Show, catalog, admin: Caller) -> None:
    other = await seed_title(catalog, admin, kind="movie")
    await tracking.CreateWatchlistEntry(
        pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=movie.name)),
        metadata=alice.auth,
    )
    reply = await mark(tracking, alice, movie.name, other.name)
    assert reply.added_count == 2
    assert not reply.progress
    assert await status_of(tracking, alice, movie) == pb.WATCHLIST_STATUS_COMPLETED
    expect(
        await fails(
            tracking.GetWatchlistEntry(
                pb.GetWatchlistEntryRequest(name=f"users/me/watchlist/{other.title_id}"), metadata=alice.auth
            )
        ),
        grpc.StatusCode.NOT_FOUND,
        "NOT_IN_WATCHLIST",
    )
    again = await mark(tracking, alice, movie.name)
    assert again.results[0].outcome == pb.MARK_OUTCOME_ALREADY_WATCHED
    expect(await fails(mark(tracking, alice, f"{movie.name}/seasons/1")), grpc.StatusCode.FAILED_PRECONDITION, "NOT_A_SERIES")
    expect(await fails(progress_of(tracking, alice, movie)), grpc.StatusCode.FAILED_PRECONDITION, "NOT_A_SERIES")


async def test_bad_items_write_nothing(tracking, alice: Caller, show: Show) -> None:
    cases = [
        ((show.episode(1, 1), "titles/nope"), grpc.StatusCode.NOT_FOUND, "TITLE_NOT_FOUND"),
        ((show.episode(1, 1), show.episode(1, 9)), grpc.StatusCode.NOT_FOUND, "EPISODE_NOT_FOUND"),
        ((show.episode(1, 1), f"{show.name}/seasons/7"), grpc.StatusCode.NOT_FOUND, "EPISODE_NOT_FOUND"),
        ((show.episode(1, 1), "episodes/1"), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
        ((), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
        (tuple([show.episode(1, 1)] * 101), grpc.StatusCode.INVALID_ARGUMENT, "TOO_MANY_ITEMS"),
    ]
    for items, code, reason in cases:
        expect(await fails(mark(tracking, alice, *items)), code, reason)
    future = timestamp_pb2.Timestamp()
    future.FromDatetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    expect(
        await fails(mark(tracking, alice, show.episode(1, 1), watch_time=future)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "WATCH_TIME_IN_FUTURE",
    )
    assert (await progress_of(tracking, alice, show)).watched_episode_count == 0
    missing = await fails(progress_of(tracking, alice, Show("nope", "", {})))
    expect(missing, grpc.StatusCode.NOT_FOUND, "TITLE_NOT_FOUND")
    assert missing.info is not None
    assert missing.info.metadata["item"] == "titles/nope"


async def test_unaired_episodes_and_seasons(tracking, catalog, admin: Caller, alice: Caller) -> None:
    show = await seed_title(catalog, admin, seasons={1: 2, 2: 2}, unaired={2: 2})
    reply = await mark(tracking, alice, f"{show.name}/seasons/2", f"{show.name}/seasons/1")
    assert [r.outcome for r in reply.results] == [pb.MARK_OUTCOME_NOT_AIRED, pb.MARK_OUTCOME_CHANGED]
    progress = reply.progress[0]
    assert (progress.watched_episode_count, progress.aired_episode_count, progress.episode_count) == (2, 2, 4)
    assert progress.completed
    assert progress.watchlist_status == pb.WATCHLIST_STATUS_COMPLETED


async def test_rewatch_resets_progress_and_keeps_history(tracking, alice: Caller, show: Show) -> None:
    name = f"users/me/progress/{show.title_id}"
    expect(
        await fails(tracking.StartRewatch(pb.StartRewatchRequest(name=name), metadata=alice.auth)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "NOTHING_TO_REWATCH",
    )
    await mark(tracking, alice, show.name)
    request = pb.StartRewatchRequest(name=name, request_id="rewatch-1")
    rewatch = (await tracking.StartRewatch(request, metadata=alice.auth)).progress
    assert (await tracking.StartRewatch(request, metadata=alice.auth)).progress == rewatch
    assert rewatch.watched_episode_count == 0
    assert rewatch.rewatch_count == 1
    assert rewatch.next_episode.episode == show.episode(1, 1)
    assert rewatch.watchlist_status == pb.WATCHLIST_STATUS_WATCHING
    reply = await mark(tracking, alice, show.episode(1, 1))
    assert reply.added_count == 1
    assert reply.progress[0].watched_episode_count == 1
    assert reply.progress[0].play_count == 6
    history = await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent="users/me"), metadata=alice.auth)
    assert len(history.history_entries) == 6
    assert sorted(h.rewatch_cycle for h in history.history_entries) == [0, 0, 0, 0, 0, 1]
    await tracking.MarkUnwatched(pb.MarkUnwatchedRequest(parent="users/me", items=[show.name]), metadata=alice.auth)
    history = await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent="users/me"), metadata=alice.auth)
    assert len(history.history_entries) == 5


async def test_up_next_across_shows(tracking, catalog, admin: Caller, alice: Caller) -> None:
    shows = [await seed_title(catalog, admin, seasons={1: 2}) for _ in range(3)]
    await mark(tracking, alice, shows[0].episode(1, 1))
    await mark(tracking, alice, shows[1].name)  # completed: left out
    await mark(tracking, alice, shows[2].episode(1, 1))
    await tracking.CreateWatchlistEntry(
        pb.CreateWatchlistEntryRequest(
            parent="users/me", watchlist_entry=pb.WatchlistEntry(title=(await seed_title(catalog, admin)).name)
        ),
        metadata=alice.auth,
    )
    first = await tracking.ListUpNext(pb.ListUpNextRequest(parent="users/me", page_size=1), metadata=alice.auth)
    assert [i.next_episode.episode for i in first.items] == [shows[2].episode(1, 2)]
    assert first.items[0].progress.watched_episode_count == 1
    assert first.next_page_token
    second = await tracking.ListUpNext(
        pb.ListUpNextRequest(parent="users/me", page_size=1, page_token=first.next_page_token), metadata=alice.auth
    )
    assert [i.next_episode.episode for i in second.items] == [shows[0].episode(1, 2)]
    assert not second.next_page_token
    everything = await tracking.ListUpNext(pb.ListUpNextRequest(parent="users/me", include_not_started=True), metadata=alice.auth)
    assert len(everything.items) == 3
    listed = await tracking.ListShowProgress(pb.ListShowProgressRequest(parent="users/me", page_size=2), metadata=alice.auth)
    more = await tracking.ListShowProgress(
        pb.ListShowProgressRequest(parent="users/me", page_size=2, page_token=listed.next_page_token), metadata=alice.auth
    )
    assert len(listed.progress) + len(more.progress) == 4
    assert not more.next_page_token
    completed = await tracking.ListShowProgress(
        pb.ListShowProgressRequest(parent="users/me", statuses=[pb.WATCHLIST_STATUS_COMPLETED]), metadata=alice.auth
    )
    assert [p.title for p in completed.progress] == [shows[1].name]
    expect(
        await fails(tracking.ListUpNext(pb.ListUpNextRequest(parent="users/me", page_token="garbage"), metadata=alice.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )


async def test_marking_nothing_aired_does_not_start_the_series(tracking, catalog, admin: Caller, alice: Caller) -> None:
    announced = await seed_title(catalog, admin, seasons={1: 1}, unaired={1: 1})
    reply = await mark(tracking, alice, announced.name)
    assert [r.outcome for r in reply.results] == [pb.MARK_OUTCOME_NOT_AIRED]
    assert reply.added_count == 0
    assert reply.progress[0].watched_episode_count == 0
    error = await fails(
        tracking.GetWatchlistEntry(
            pb.GetWatchlistEntryRequest(name=f"users/me/watchlist/{announced.title_id}"), metadata=alice.auth
        )
    )
    expect(error, grpc.StatusCode.NOT_FOUND, "NOT_IN_WATCHLIST")
    listed = await tracking.ListShowProgress(pb.ListShowProgressRequest(parent="users/me"), metadata=alice.auth)
    assert not listed.progress
