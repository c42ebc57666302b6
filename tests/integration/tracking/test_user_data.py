"""Account export and erasure over the wire: `ExportUserData` and `PurgeUserData` with its dispositions."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from marquee.tracking.v1 import tracking_pb2 as pb
from marquee.tracking.v1 import tracking_pb2_grpc

from services.app import Dependencies, build_server
from services.core.settings import Settings
from tests.integration.tracking.conftest import Caller, Show, expect, fails
from tests.support.rpc import fields

CATEGORIES = [
    "watchlist",
    "watch_history",
    "ratings",
    "playbacks",
    "show_progress",
    "completions",
    "dismissed_recommendations",
    "viewing_sessions",
    "last_activities",
]


async def _fill(tracking: Any, who: Caller, show: Show, movie: Show) -> None:
    """One of everything: plays (a completed movie), a watchlist entry, a rating, a playback, a dismissal."""
    await tracking.MarkWatched(
        pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1), movie.name]), metadata=who.auth
    )
    await tracking.SetRating(pb.SetRatingRequest(parent="users/me", item=movie.name, score=9), metadata=who.auth)
    await tracking.StartScrobble(
        pb.StartScrobbleRequest(parent="users/me", item=show.episode(1, 2), progress_percent=40), metadata=who.auth
    )
    await tracking.DismissRecommendation(
        pb.DismissRecommendationRequest(name=f"users/me/recommendations/{show.title_id}"), metadata=who.auth
    )


async def _export(tracking: Any, service: Caller, who: Caller) -> dict[str, Any]:
    reply = await tracking.ExportUserData(pb.ExportUserDataRequest(name=who.name), metadata=service.auth)
    assert reply.document.content_type == "application/json"
    document: dict[str, Any] = json.loads(reply.document.data)
    return document


async def test_export_holds_the_users_data_and_only_theirs(
    tracking, service: Caller, alice: Caller, bob: Caller, show: Show, movie: Show
) -> None:
    await _fill(tracking, alice, show, movie)
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.episode(2, 1)]), metadata=bob.auth)

    document = await _export(tracking, service, alice)
    assert list(document) == ["completions", "dismissed_recommendations", "export_time", "last_activities", "playbacks",
                              "ratings", "show_progress", "user", "viewing_sessions", "watch_history", "watchlist"]  # fmt: skip
    assert document["user"] == alice.name
    plays = sorted((p["title_id"], p["kind"], p["season_number"], p["episode_number"]) for p in document["watch_history"])
    assert plays == sorted([(show.title_id, "episode", 1, 1), (movie.title_id, "movie", 0, 0)])
    assert {e["title_id"]: e["status"] for e in document["watchlist"]} == {show.title_id: "watching"}  # movies are not added
    assert [(r["item"], r["score"]) for r in document["ratings"]] == [(movie.name, 9)]
    assert [(p["item"], p["progress_percent"]) for p in document["playbacks"]] == [(show.episode(1, 2), 40.0)]
    assert [p["title_id"] for p in document["show_progress"]] == [show.title_id]
    assert [d["title_id"] for d in document["dismissed_recommendations"]] == [show.title_id]
    assert len(document["viewing_sessions"]) == 1
    assert document["last_activities"][0]["history_update"].endswith("+00:00")
    text = json.dumps(document)
    assert bob.user_id not in text
    assert "user_id" not in text
    assert show.episode(2, 1) not in text  # Bob's play is not in Alice's export

    fresh = await _export(tracking, service, Caller("nobody-" + alice.user_id[:8], alice.auth))
    assert all(fresh[c] == [] for c in CATEGORIES)


async def test_purge_reports_what_it_erased_and_is_idempotent(
    tracking, service: Caller, alice: Caller, bob: Caller, show: Show, movie: Show
) -> None:
    await _fill(tracking, alice, show, movie)
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1)]), metadata=bob.auth)

    purged = await tracking.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name, request_id="p1"), metadata=service.auth)
    counts = {d.category: d.count for d in purged.erased}
    assert [d.category for d in purged.erased] == CATEGORIES
    assert all(d.description for d in purged.erased)
    assert counts == {
        "watchlist": 1, "watch_history": 2, "ratings": 1, "playbacks": 1, "show_progress": 1, "completions": 0,
        "dismissed_recommendations": 1, "viewing_sessions": 1, "last_activities": 1,
    }  # fmt: skip
    assert not purged.retained
    # The old count fields stay filled, from the same purge.
    assert (purged.watchlist_entry_count, purged.history_entry_count, purged.rating_count, purged.playback_count) == (
        1, 2, 1, 1,
    )  # fmt: skip

    again = await tracking.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name, request_id="p1"), metadata=service.auth)
    assert [d.category for d in again.erased] == CATEGORIES
    assert all(d.count == 0 for d in again.erased)
    document = await _export(tracking, service, alice)
    assert all(document[c] == [] for c in CATEGORIES)
    # Bob's data is untouched.
    left = await tracking.ListHistoryEntries(pb.ListHistoryEntriesRequest(parent="users/me"), metadata=bob.auth)
    assert len(left.history_entries) == 1


async def test_export_and_purge_refuse_bad_names_and_users(tracking, service: Caller, alice: Caller, admin: Caller) -> None:
    for name in ("users/me", "", "users/", "users/a/b", "titles/x", "users/" + "x" * 65):
        for attempt in (
            tracking.ExportUserData(pb.ExportUserDataRequest(name=name), metadata=service.auth),
            tracking.PurgeUserData(pb.PurgeUserDataRequest(name=name), metadata=service.auth),
        ):
            error = await fails(attempt)
            expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
            assert fields(error) == ["name"], name
    # Users may not call them, not even about themselves; admins may (as for every service method).
    for attempt in (
        tracking.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=alice.auth),
        tracking.PurgeUserData(pb.PurgeUserDataRequest(name=alice.name), metadata=alice.auth),
    ):
        assert (await fails(attempt)).code == grpc.StatusCode.PERMISSION_DENIED
    reply = await tracking.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=admin.auth)
    assert json.loads(reply.document.data)["user"] == alice.name


@pytest.fixture
async def small_messages(settings: Settings):
    """A second server on the same database that sends at most 4 KiB per message."""
    deps = Dependencies.build(settings.model_copy(update={"max_message_bytes": 4096}))
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield tracking_pb2_grpc.TrackingServiceStub(channel)
    await running.stop(1.0)


async def test_an_export_too_large_for_one_response_is_refused_with_its_size(
    tracking, small_messages, service: Caller, alice: Caller, bob: Caller, show: Show
) -> None:
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1)]), metadata=bob.auth)
    small = await small_messages.ExportUserData(pb.ExportUserDataRequest(name=bob.name), metadata=service.auth)
    assert json.loads(small.document.data)["user"] == bob.name  # a light user still fits
    items = [show.name]  # five episodes, each watched six times: thirty plays
    for _ in range(6):
        await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=items, allow_repeat=True), metadata=alice.auth)
    error = await fails(small_messages.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=service.auth))
    expect(error, grpc.StatusCode.RESOURCE_EXHAUSTED, "EXPORT_TOO_LARGE")
    assert error.info is not None
    size, limit = int(error.info.metadata["size_bytes"]), int(error.info.metadata["limit_bytes"])
    assert limit == 4096 - 1024
    assert size > limit
    # The usual server (4 MiB) sends the same export whole.
    whole = await tracking.ExportUserData(pb.ExportUserDataRequest(name=alice.name), metadata=service.auth)
    assert len(whole.document.data) == size
    assert len(json.loads(whole.document.data)["watch_history"]) == 30
