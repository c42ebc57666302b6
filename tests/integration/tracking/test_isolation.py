"""One user can never read or change another's data: every user RPC naming another user answers NOT_FOUND."""

from __future__ import annotations

import grpc
from google.protobuf import field_mask_pb2
from marquee.tracking.v1 import tracking_pb2 as pb

from services.core.contract import Access, methods_of
from tests.integration.tracking.conftest import Caller, Show, fails


async def test_every_user_rpc_refuses_another_users_data(
    tracking, alice: Caller, bob: Caller, admin: Caller, show: Show, movie: Show
) -> None:
    await tracking.MarkWatched(
        pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1), movie.name]), metadata=alice.auth
    )
    entry = (
        await tracking.CreateWatchlistEntry(
            pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=movie.name)),
            metadata=alice.auth,
        )
    ).watchlist_entry
    playback = (
        await tracking.StartScrobble(
            pb.StartScrobbleRequest(parent="users/me", item=show.episode(1, 2), progress_percent=20), metadata=alice.auth
        )
    ).playback
    rating = (
        await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=movie.name, score=8), metadata=alice.auth)
    ).rating
    history = (
        await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent="users/me"), metadata=alice.auth)
    ).history_entries
    mine, ep = alice.name, show.episode(1, 2)
    attempts = {
        "CreateWatchlistEntry": tracking.CreateWatchlistEntry(
            pb.CreateWatchlistEntryRequest(parent=mine, watchlist_entry=pb.WatchlistEntry(title=show.name)), metadata=bob.auth
        ),
        "GetWatchlistEntry": tracking.GetWatchlistEntry(pb.GetWatchlistEntryRequest(name=entry.name), metadata=bob.auth),
        "UpdateWatchlistEntry": tracking.UpdateWatchlistEntry(
            pb.UpdateWatchlistEntryRequest(
                watchlist_entry=pb.WatchlistEntry(name=entry.name, favorite=True),
                update_mask=field_mask_pb2.FieldMask(paths=["favorite"]),
            ),
            metadata=bob.auth,
        ),
        "DeleteWatchlistEntry": tracking.DeleteWatchlistEntry(pb.DeleteWatchlistEntryRequest(name=entry.name), metadata=bob.auth),
        "ListWatchlistEntries": tracking.ListWatchlistEntries(pb.ListWatchlistEntriesRequest(parent=mine), metadata=bob.auth),
        "MarkWatched": tracking.MarkWatched(pb.MarkWatchedRequest(parent=mine, items=[ep]), metadata=bob.auth),
        "MarkUnwatched": tracking.MarkUnwatched(
            pb.MarkUnwatchedRequest(parent=mine, items=[show.episode(1, 1)]), metadata=bob.auth
        ),
        "GetShowProgress": tracking.GetShowProgress(
            pb.GetShowProgressRequest(name=f"{mine}/progress/{show.title_id}"), metadata=bob.auth
        ),
        "ListShowProgress": tracking.ListShowProgress(pb.ListShowProgressRequest(parent=mine), metadata=bob.auth),
        "StartRewatch": tracking.StartRewatch(pb.StartRewatchRequest(name=f"{mine}/progress/{show.title_id}"), metadata=bob.auth),
        "ListUpNext": tracking.ListUpNext(pb.ListUpNextRequest(parent=mine), metadata=bob.auth),
        "StartScrobble": tracking.StartScrobble(
            pb.StartScrobbleRequest(parent=mine, item=ep, progress_percent=30), metadata=bob.auth
        ),
        "PauseScrobble": tracking.PauseScrobble(
            pb.PauseScrobbleRequest(parent=mine, item=ep, progress_percent=30), metadata=bob.auth
        ),
        "StopScrobble": tracking.StopScrobble(
            pb.StopScrobbleRequest(parent=mine, item=ep, progress_percent=95), metadata=bob.auth
        ),
        "ListPlaybacks": tracking.ListPlaybacks(pb.ListPlaybacksRequest(parent=mine), metadata=bob.auth),
        "DeletePlayback": tracking.DeletePlayback(pb.DeletePlaybackRequest(name=playback.name), metadata=bob.auth),
        "ListHistoryEntries": tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent=mine), metadata=bob.auth),
        "BatchDeleteHistoryEntries": tracking.BatchDeleteHistoryEntries(
            pb.BatchDeleteHistoryEntriesRequest(parent=mine, names=[h.name for h in history]), metadata=bob.auth
        ),
        "SetRating": tracking.SetRating(pb.SetRatingRequest(parent=mine, item=movie.name, score=1), metadata=bob.auth),
        "DeleteRating": tracking.DeleteRating(pb.DeleteRatingRequest(name=rating.name), metadata=bob.auth),
        "ListRatings": tracking.ListRatings(pb.ListRatingsRequest(parent=mine), metadata=bob.auth),
        "GetStats": tracking.GetStats(pb.GetStatsRequest(name=f"{mine}/stats"), metadata=bob.auth),
        "ListRecommendations": tracking.ListRecommendations(pb.ListRecommendationsRequest(parent=mine), metadata=bob.auth),
        "DismissRecommendation": tracking.DismissRecommendation(
            pb.DismissRecommendationRequest(name=f"{mine}/recommendations/{show.title_id}"), metadata=bob.auth
        ),
        "GetLastActivities": tracking.GetLastActivities(
            pb.GetLastActivitiesRequest(name=f"{mine}/lastActivities"), metadata=bob.auth
        ),
    }
    user_methods = {
        method.descriptor.name for method in methods_of("marquee.tracking.v1.TrackingService").values()
        if method.access is Access.USER
    }  # fmt: skip
    assert set(attempts) == user_methods  # every ACCESS_USER method of the contract, from its descriptor
    for attempt in attempts.values():
        error = await fails(attempt)
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND"), error.message
    # Bob's own view of the same names under users/me is empty; nothing of Alice's changed.
    for request, stub in (
        (pb.DeletePlaybackRequest(name=f"users/me/playbacks/{playback.name.rsplit('/', 1)[1]}"), tracking.DeletePlayback),
        (pb.DeleteRatingRequest(name=f"users/me/ratings/{rating.name.rsplit('/', 1)[1]}"), tracking.DeleteRating),
    ):
        error = await fails(stub(request, metadata=bob.auth))
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    reply = await tracking.BatchDeleteHistoryEntries(
        pb.BatchDeleteHistoryEntriesRequest(
            parent="users/me", names=[h.name.replace(alice.user_id, bob.user_id) for h in history]
        ),
        metadata=bob.auth,
    )
    assert reply.deleted_count == 0
    progress = await tracking.GetShowProgress(
        pb.GetShowProgressRequest(name=f"users/me/progress/{show.title_id}"), metadata=alice.auth
    )
    assert progress.progress.watched_episode_count == 1
    assert (
        len(
            (
                await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent="users/me"), metadata=alice.auth)
            ).history_entries
        )
        == 2
    )
    # Admins may name any user.
    seen = await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent=mine), metadata=admin.auth)
    assert len(seen.history_entries) == 2


async def test_service_methods_refuse_users(tracking, alice: Caller) -> None:
    for attempt in (
        tracking.ListTitleActivity(pb.ListTitleActivityRequest(), metadata=alice.auth),
        tracking.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name), metadata=alice.auth),
        tracking.GetPlatformStats(pb.GetPlatformStatsRequest(), metadata=alice.auth),
    ):
        error = await fails(attempt)
        assert error.code == grpc.StatusCode.PERMISSION_DENIED
