"""Watchlist: add (request_id), get, update with update_mask and etag, remove, list with filters and keyset paging."""

from __future__ import annotations

import grpc
from google.protobuf import field_mask_pb2
from marquee.tracking.v1 import tracking_pb2 as pb

from tests.integration.tracking.conftest import Caller, Show, expect, fails, seed_title


async def add(tracking, caller: Caller, title: Show, **values) -> pb.WatchlistEntry:
    entry = pb.WatchlistEntry(title=title.name, **values)
    return (
        await tracking.CreateWatchlistEntry(
            pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=entry), metadata=caller.auth
        )
    ).watchlist_entry


async def test_add_defaults_to_plan_to_watch_with_title_info(tracking, alice: Caller, show: Show) -> None:
    entry = await add(tracking, alice, show, favorite=True, notes="from a friend")
    assert entry.name == f"users/{alice.user_id}/watchlist/{show.title_id}"
    assert entry.status == pb.WATCHLIST_STATUS_PLAN_TO_WATCH
    assert entry.favorite
    assert entry.notes == "from a friend"
    assert entry.title_info.display_name == show.display_name
    assert entry.title_info.kind == pb.ITEM_KIND_SERIES
    assert entry.title_info.episode_count == 5
    assert (entry.progress.watched_episode_count, entry.progress.aired_episode_count) == (0, 5)
    got = (await tracking.GetWatchlistEntry(pb.GetWatchlistEntryRequest(name=entry.name), metadata=alice.auth)).watchlist_entry
    assert got == entry


async def test_add_twice_is_already_in_watchlist_and_request_id_replays(tracking, alice: Caller, movie: Show) -> None:
    request = pb.CreateWatchlistEntryRequest(
        parent="users/me", watchlist_entry=pb.WatchlistEntry(title=movie.name), request_id="r-1"
    )
    first = await tracking.CreateWatchlistEntry(request, metadata=alice.auth)
    again = await tracking.CreateWatchlistEntry(request, metadata=alice.auth)
    assert first == again
    expect(
        await fails(
            tracking.CreateWatchlistEntry(
                pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=movie.name)),
                metadata=alice.auth,
            )
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "ALREADY_IN_WATCHLIST",
    )
    other = pb.CreateWatchlistEntryRequest(
        parent="users/me", watchlist_entry=pb.WatchlistEntry(title=movie.name, favorite=True), request_id="r-1"
    )
    error = await fails(tracking.CreateWatchlistEntry(other, metadata=alice.auth))
    assert (error.code, error.reason) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")


async def test_add_unknown_unpublished_or_bad_title(tracking, catalog, admin: Caller, alice: Caller) -> None:
    draft = await seed_title(catalog, admin, kind="movie", publish=False)
    for name in ("titles/doesnotexist", draft.name):
        expect(
            await fails(
                tracking.CreateWatchlistEntry(
                    pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=name)),
                    metadata=alice.auth,
                )
            ),
            grpc.StatusCode.NOT_FOUND,
            "TITLE_NOT_FOUND",
        )
    for name, field in (("movies/1", "watchlist_entry.title"), (f"{draft.name}/seasons/1", "watchlist_entry.title")):
        error = await fails(
            tracking.CreateWatchlistEntry(
                pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title=name)),
                metadata=alice.auth,
            )
        )
        expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
        assert error.bad_request is not None
        assert error.bad_request.field_violations[0].field == field
    error = await fails(
        tracking.CreateWatchlistEntry(
            pb.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=pb.WatchlistEntry(title="titles/x", status=42)),
            metadata=alice.auth,
        )
    )  # type: ignore[arg-type]
    expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_update_with_mask_and_etag(tracking, alice: Caller, show: Show) -> None:
    entry = await add(tracking, alice, show)
    mask = field_mask_pb2.FieldMask(paths=["status", "favorite"])
    updated = (
        await tracking.UpdateWatchlistEntry(
            pb.UpdateWatchlistEntryRequest(
                watchlist_entry=pb.WatchlistEntry(
                    name=entry.name, status=pb.WATCHLIST_STATUS_PAUSED, favorite=True, notes="ignored", etag=entry.etag
                ),
                update_mask=mask,
            ),
            metadata=alice.auth,
        )
    ).watchlist_entry
    assert updated.status == pb.WATCHLIST_STATUS_PAUSED
    assert updated.favorite
    assert updated.notes == ""
    assert updated.etag != entry.etag
    stale = pb.UpdateWatchlistEntryRequest(
        watchlist_entry=pb.WatchlistEntry(name=entry.name, favorite=False, etag=entry.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["favorite"]),
    )
    expect(await fails(tracking.UpdateWatchlistEntry(stale, metadata=alice.auth)), grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    for paths in (["title_info"], ["rating"], []):
        bad = pb.UpdateWatchlistEntryRequest(
            watchlist_entry=pb.WatchlistEntry(name=entry.name), update_mask=field_mask_pb2.FieldMask(paths=paths)
        )
        expect(
            await fails(tracking.UpdateWatchlistEntry(bad, metadata=alice.auth)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
        )
    bad_status = pb.UpdateWatchlistEntryRequest(
        watchlist_entry=pb.WatchlistEntry(name=entry.name), update_mask=field_mask_pb2.FieldMask(paths=["status"])
    )
    expect(
        await fails(tracking.UpdateWatchlistEntry(bad_status, metadata=alice.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    long_notes = pb.UpdateWatchlistEntryRequest(
        watchlist_entry=pb.WatchlistEntry(name=entry.name, notes="x" * 1001),
        update_mask=field_mask_pb2.FieldMask(paths=["notes"]),
    )
    expect(
        await fails(tracking.UpdateWatchlistEntry(long_notes, metadata=alice.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    missing = pb.UpdateWatchlistEntryRequest(
        watchlist_entry=pb.WatchlistEntry(name="users/me/watchlist/nothere", favorite=True),
        update_mask=field_mask_pb2.FieldMask(paths=["favorite"]),
    )
    expect(
        await fails(tracking.UpdateWatchlistEntry(missing, metadata=alice.auth)), grpc.StatusCode.NOT_FOUND, "NOT_IN_WATCHLIST"
    )


async def test_delete_with_etag(tracking, alice: Caller, movie: Show) -> None:
    entry = await add(tracking, alice, movie)
    expect(
        await fails(
            tracking.DeleteWatchlistEntry(pb.DeleteWatchlistEntryRequest(name=entry.name, etag='W/"99"'), metadata=alice.auth)
        ),
        grpc.StatusCode.ABORTED,
        "ETAG_MISMATCH",
    )
    await tracking.DeleteWatchlistEntry(pb.DeleteWatchlistEntryRequest(name=entry.name, etag=entry.etag), metadata=alice.auth)
    expect(
        await fails(tracking.GetWatchlistEntry(pb.GetWatchlistEntryRequest(name=entry.name), metadata=alice.auth)),
        grpc.StatusCode.NOT_FOUND,
        "NOT_IN_WATCHLIST",
    )
    expect(
        await fails(tracking.DeleteWatchlistEntry(pb.DeleteWatchlistEntryRequest(name=entry.name), metadata=alice.auth)),
        grpc.StatusCode.NOT_FOUND,
        "NOT_IN_WATCHLIST",
    )


async def test_list_filters_and_keyset_pages(tracking, catalog, admin: Caller, alice: Caller) -> None:
    titles = [await seed_title(catalog, admin, kind="movie") for _ in range(3)] + [
        await seed_title(catalog, admin) for _ in range(2)
    ]
    for index, title in enumerate(titles):
        await add(tracking, alice, title, favorite=index % 2 == 0)
    seen, token = [], ""
    while True:
        reply = await tracking.ListWatchlistEntries(
            pb.ListWatchlistEntriesRequest(parent="users/me", page_size=2, page_token=token), metadata=alice.auth
        )
        assert reply.total_size == 5
        seen += [e.title for e in reply.watchlist_entries]
        token = reply.next_page_token
        if not token:
            break
    assert seen == [t.name for t in reversed(titles)]
    series = await tracking.ListWatchlistEntries(
        pb.ListWatchlistEntriesRequest(parent="users/me", kind=pb.ITEM_KIND_SERIES), metadata=alice.auth
    )
    assert {e.title for e in series.watchlist_entries} == {t.name for t in titles[3:]}
    favorites = await tracking.ListWatchlistEntries(
        pb.ListWatchlistEntriesRequest(parent="users/me", favorites_only=True), metadata=alice.auth
    )
    assert favorites.total_size == 3
    by_title = await tracking.ListWatchlistEntries(
        pb.ListWatchlistEntriesRequest(parent="users/me", order_by=pb.WATCHLIST_ORDER_TITLE, page_size=10), metadata=alice.auth
    )
    names = [e.title_info.display_name.lower() for e in by_title.watchlist_entries]
    assert names == sorted(names)
    status = await tracking.ListWatchlistEntries(
        pb.ListWatchlistEntriesRequest(parent="users/me", statuses=[pb.WATCHLIST_STATUS_WATCHING]), metadata=alice.auth
    )
    assert status.total_size == 0
    first = await tracking.ListWatchlistEntries(
        pb.ListWatchlistEntriesRequest(parent="users/me", page_size=2), metadata=alice.auth
    )
    other_query = pb.ListWatchlistEntriesRequest(
        parent="users/me", page_size=2, favorites_only=True, page_token=first.next_page_token
    )
    expect(
        await fails(tracking.ListWatchlistEntries(other_query, metadata=alice.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )
    tampered = pb.ListWatchlistEntriesRequest(parent="users/me", page_size=2, page_token=_flip_last(first.next_page_token))
    expect(
        await fails(tracking.ListWatchlistEntries(tampered, metadata=alice.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )
    for bad in (
        pb.ListWatchlistEntriesRequest(parent="users/me", statuses=[77]),  # type: ignore[list-item]
        pb.ListWatchlistEntriesRequest(parent="users/me", kind=pb.ITEM_KIND_EPISODE),
        pb.ListWatchlistEntriesRequest(parent="users/me", page_size=-1),
    ):
        expect(
            await fails(tracking.ListWatchlistEntries(bad, metadata=alice.auth)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
        )


def _flip_last(token: str) -> str:
    """The same token with its last character replaced by a different one."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")
