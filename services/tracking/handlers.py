"""TrackingService servicer: parses each request, calls one use case, maps its result (see `mapping.py`)."""

from __future__ import annotations

from typing import Any

from google.api import httpbody_pb2
from google.protobuf.message import Message
from marquee.tracking.v1 import tracking_pb2 as pb
from marquee.tracking.v1 import tracking_pb2_grpc

from services.core import names
from services.core.errors import invalid
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, require_principal
from services.core.paging import PageTokens, page_size
from services.core.tokens import Principal
from services.tracking import domain
from services.tracking.domain import offset_page, parse_item, parse_items, singleton_of
from services.tracking.mapping import (
    ACTIVITY_ORDERS,
    ITEM_KIND_FILTER,
    STATUS,
    WATCHLIST_ORDER,
    activity_pb,
    disposition_pb,
    duration_of,
    enum_value,
    fingerprint,
    history_pb,
    interval_pb,
    kind_filter,
    mark_results_pb,
    platform_stats_pb,
    playback_pb,
    rating_pb,
    recommendation_pb,
    show_progress_pb,
    stats_pb,
    statuses_of,
    time_of,
    title_activity_pb,
    up_next_pb,
    watchlist_entries_pb,
    window_of,
)
from services.tracking.usecases import ScrobbleResult, TrackingUseCases

MOVIE, SERIES, EPISODE = pb.ITEM_KIND_MOVIE, pb.ITEM_KIND_SERIES, pb.ITEM_KIND_EPISODE


def parent(request: Message, principal: Principal) -> str:
    """The user a request's `parent` names, for the caller (`users/me` is the caller)."""
    return names.owned(request, "parent", principal=principal)["user"]


def scrobble_fields(request: Any) -> dict[str, Any]:
    position, duration = duration_of(request, "position"), duration_of(request, "duration")
    return {"position": position, "duration": duration, "percent": request.progress_percent}


class TrackingHandlers(tracking_pb2_grpc.TrackingServiceServicer):
    def __init__(self, usecases: TrackingUseCases, idempotency: Idempotency, page_tokens: PageTokens) -> None:
        self.tracking = usecases
        self.idempotency = idempotency
        self.pages = page_tokens

    async def _once(self, method: str, principal: Principal, request: Any, response_type: Any, call: Any) -> Any:
        """`call()` at most once per (method, caller, request_id); a retry gets the stored answer."""
        return await self.idempotency.run(
            method=method, caller=principal.user_id, request=request, request_id=request.request_id,
            response_type=response_type, call=call,
        )  # fmt: skip

    def _position(self, user_id: str, request: Any) -> dict[str, object] | None:
        return self.pages.decode(request.page_token, query=fingerprint(user_id, request))

    def _token(self, user_id: str, request: Any, position: dict[str, object] | None) -> str:
        return self.pages.encode(position, query=fingerprint(user_id, request)) if position else ""

    # -- watchlist ---------------------------------------------------------------------

    async def CreateWatchlistEntry(
        self, request: pb.CreateWatchlistEntryRequest, context: Context
    ) -> pb.CreateWatchlistEntryResponse:
        principal, given = require_principal(), request.watchlist_entry
        user_id, item = parent(request, principal), parse_item(given.title, "watchlist_entry.title")
        status = statuses_of([given.status], "watchlist_entry.status")[0] if given.status else None

        async def call() -> pb.CreateWatchlistEntryResponse:
            view = await self.tracking.create_watchlist_entry(
                principal, item, user_id=user_id, status=status, favorite=given.favorite, notes=given.notes
            )
            return pb.CreateWatchlistEntryResponse(watchlist_entry=watchlist_entries_pb(view)[0])

        return await self._once("CreateWatchlistEntry", principal, request, pb.CreateWatchlistEntryResponse, call)  # type: ignore[no-any-return]

    async def GetWatchlistEntry(self, request: pb.GetWatchlistEntryRequest, context: Context) -> pb.GetWatchlistEntryResponse:
        view = await self.tracking.get_watchlist_entry(require_principal(), request.name)
        return pb.GetWatchlistEntryResponse(watchlist_entry=watchlist_entries_pb(view)[0])

    async def UpdateWatchlistEntry(
        self, request: pb.UpdateWatchlistEntryRequest, context: Context
    ) -> pb.UpdateWatchlistEntryResponse:
        given = request.watchlist_entry
        view = await self.tracking.update_watchlist_entry(
            require_principal(), name=given.name, paths=list(request.update_mask.paths), etag=given.etag,
            status=STATUS.get(given.status), favorite=given.favorite, notes=given.notes,
        )  # fmt: skip
        return pb.UpdateWatchlistEntryResponse(watchlist_entry=watchlist_entries_pb(view)[0])

    async def DeleteWatchlistEntry(
        self, request: pb.DeleteWatchlistEntryRequest, context: Context
    ) -> pb.DeleteWatchlistEntryResponse:
        await self.tracking.delete_watchlist_entry(require_principal(), request.name, request.etag)
        return pb.DeleteWatchlistEntryResponse()

    async def ListWatchlistEntries(
        self, request: pb.ListWatchlistEntriesRequest, context: Context
    ) -> pb.ListWatchlistEntriesResponse:
        principal = require_principal()
        user_id, size = parent(request, principal), page_size(request.page_size, default=50, maximum=200)
        statuses, kind = statuses_of(request.statuses), kind_filter(request.kind, (MOVIE, SERIES))
        order = enum_value(WATCHLIST_ORDER, request.order_by, "order_by", "is not a known order")
        view = await self.tracking.list_watchlist(
            principal, user_id=user_id, statuses=statuses, favorites_only=request.favorites_only, kind=kind,
            since=time_of(request, "since"), order=order, size=size, after=self._position(user_id, request),
        )  # fmt: skip
        return pb.ListWatchlistEntriesResponse(
            watchlist_entries=watchlist_entries_pb(view),
            next_page_token=self._token(user_id, request, view.next_position),
            total_size=view.total,
        )

    # -- marks and progress -------------------------------------------------------------

    async def MarkWatched(self, request: pb.MarkWatchedRequest, context: Context) -> pb.MarkWatchedResponse:
        principal = require_principal()
        user_id, items, watch_time = parent(request, principal), parse_items(request.items), time_of(request, "watch_time")

        async def call() -> pb.MarkWatchedResponse:
            outcome = await self.tracking.mark_watched(
                principal, items, user_id=user_id, watch_time=watch_time, allow_repeat=request.allow_repeat
            )
            results, progress = mark_results_pb(outcome, self.tracking.clock())
            return pb.MarkWatchedResponse(results=results, added_count=outcome.count, progress=progress)

        return await self._once("MarkWatched", principal, request, pb.MarkWatchedResponse, call)  # type: ignore[no-any-return]

    async def MarkUnwatched(self, request: pb.MarkUnwatchedRequest, context: Context) -> pb.MarkUnwatchedResponse:
        principal = require_principal()
        user_id, items = parent(request, principal), parse_items(request.items)

        async def call() -> pb.MarkUnwatchedResponse:
            outcome = await self.tracking.mark_unwatched(principal, items, user_id=user_id)
            results, progress = mark_results_pb(outcome, self.tracking.clock())
            return pb.MarkUnwatchedResponse(results=results, removed_count=outcome.count, progress=progress)

        return await self._once("MarkUnwatched", principal, request, pb.MarkUnwatchedResponse, call)  # type: ignore[no-any-return]

    async def GetShowProgress(self, request: pb.GetShowProgressRequest, context: Context) -> pb.GetShowProgressResponse:
        view = await self.tracking.get_show_progress(
            require_principal(), request.name, include_specials=request.include_specials,
            full=request.view == pb.PROGRESS_VIEW_FULL,
        )  # fmt: skip
        return pb.GetShowProgressResponse(progress=show_progress_pb(view, self.tracking.clock()))

    async def ListShowProgress(self, request: pb.ListShowProgressRequest, context: Context) -> pb.ListShowProgressResponse:
        principal = require_principal()
        user_id, size = parent(request, principal), page_size(request.page_size, default=20, maximum=100)
        page = await self.tracking.list_show_progress(
            principal, user_id=user_id, statuses=statuses_of(request.statuses), since=time_of(request, "since"),
            include_specials=request.include_specials, full=request.view == pb.PROGRESS_VIEW_FULL, size=size,
            after=self._position(user_id, request),
        )  # fmt: skip
        now = self.tracking.clock()
        return pb.ListShowProgressResponse(
            progress=[show_progress_pb(v, now) for v in page.items],
            next_page_token=self._token(user_id, request, page.next_position),
        )

    async def StartRewatch(self, request: pb.StartRewatchRequest, context: Context) -> pb.StartRewatchResponse:
        principal = require_principal()
        domain.child_of(principal, request.name, "progress")

        async def call() -> pb.StartRewatchResponse:
            view = await self.tracking.start_rewatch(principal, request.name)
            return pb.StartRewatchResponse(progress=show_progress_pb(view, self.tracking.clock()))

        return await self._once("StartRewatch", principal, request, pb.StartRewatchResponse, call)  # type: ignore[no-any-return]

    async def ListUpNext(self, request: pb.ListUpNextRequest, context: Context) -> pb.ListUpNextResponse:
        principal = require_principal()
        user_id, size = parent(request, principal), page_size(request.page_size, default=20, maximum=100)
        page = await self.tracking.list_up_next(
            principal, user_id=user_id, include_not_started=request.include_not_started, size=size,
            after=self._position(user_id, request),
        )  # fmt: skip
        now = self.tracking.clock()
        items = [up_next_pb(view, activity, now) for view, activity in page.items]
        return pb.ListUpNextResponse(items=items, next_page_token=self._token(user_id, request, page.next_position))

    # -- scrobbles ---------------------------------------------------------------------

    async def _scrobble(self, action: str, request: Any, response_type: Any, **extra: Any) -> ScrobbleResult:
        principal = require_principal()
        user_id, item, given = parent(request, principal), parse_item(request.item), scrobble_fields(request)

        async def call() -> Any:
            result = await self.tracking.scrobble(action, principal, item, user_id=user_id, **given, **extra)
            return self._scrobble_response(response_type, result)

        return await self._once(f"{action.capitalize()}Scrobble", principal, request, response_type, call)  # type: ignore[no-any-return]

    def _scrobble_response(self, response_type: Any, result: ScrobbleResult) -> Any:
        now = self.tracking.clock()
        playback = playback_pb(result.playback, result.snapshots, now) if result.playback else None
        if response_type is not pb.StopScrobbleResponse:
            return response_type(playback=playback)
        if result.outcome == "saved":
            return pb.StopScrobbleResponse(outcome=pb.SCROBBLE_OUTCOME_SAVED, playback=playback)
        assert result.history is not None
        return pb.StopScrobbleResponse(
            outcome=pb.SCROBBLE_OUTCOME_WATCHED,
            history_entry=history_pb(result.history, result.snapshots),
            progress=show_progress_pb(result.progress, now) if result.progress else None,
        )

    async def StartScrobble(self, request: pb.StartScrobbleRequest, context: Context) -> pb.StartScrobbleResponse:
        return await self._scrobble("start", request, pb.StartScrobbleResponse, device_name=request.device_name)  # type: ignore[return-value]

    async def PauseScrobble(self, request: pb.PauseScrobbleRequest, context: Context) -> pb.PauseScrobbleResponse:
        return await self._scrobble("pause", request, pb.PauseScrobbleResponse)  # type: ignore[return-value]

    async def StopScrobble(self, request: pb.StopScrobbleRequest, context: Context) -> pb.StopScrobbleResponse:
        return await self._scrobble("stop", request, pb.StopScrobbleResponse)  # type: ignore[return-value]

    async def ListPlaybacks(self, request: pb.ListPlaybacksRequest, context: Context) -> pb.ListPlaybacksResponse:
        principal = require_principal()
        user_id, size = parent(request, principal), page_size(request.page_size, default=20, maximum=100)
        kind, item = kind_filter(request.kind, (MOVIE, EPISODE)), parse_item(request.item) if request.item else None
        listed = await self.tracking.list_playbacks(
            principal, user_id=user_id, kind=kind, item=item, since=time_of(request, "since"), size=size,
            after=self._position(user_id, request),
        )  # fmt: skip
        now = self.tracking.clock()
        return pb.ListPlaybacksResponse(
            playbacks=[playback_pb(p, listed.snapshots, now) for p in listed.items],
            next_page_token=self._token(user_id, request, listed.next_position),
        )

    async def DeletePlayback(self, request: pb.DeletePlaybackRequest, context: Context) -> pb.DeletePlaybackResponse:
        await self.tracking.delete_playback(require_principal(), request.name)
        return pb.DeletePlaybackResponse()

    # -- history ------------------------------------------------------------------------

    async def ListHistoryEntries(self, request: pb.ListHistoryEntriesRequest, context: Context) -> pb.ListHistoryEntriesResponse:
        principal = require_principal()
        user_id, size = parent(request, principal), page_size(request.page_size, default=50, maximum=500)
        kind, item = kind_filter(request.kind, (MOVIE, EPISODE)), parse_item(request.item) if request.item else None
        watched = request.watch_interval if request.HasField("watch_interval") else None
        start, end = (time_of(watched, "start_time"), time_of(watched, "end_time")) if watched else (None, None)
        domain.check_interval(start, end, "watch_interval")
        listed = await self.tracking.list_history(
            principal, user_id=user_id, item=item, kind=kind, start=start, end=end, since=time_of(request, "since"),
            size=size, after=self._position(user_id, request),
        )  # fmt: skip
        return pb.ListHistoryEntriesResponse(
            history_entries=[history_pb(h, listed.snapshots) for h in listed.items],
            next_page_token=self._token(user_id, request, listed.next_position),
        )

    async def BatchDeleteHistoryEntries(
        self, request: pb.BatchDeleteHistoryEntriesRequest, context: Context
    ) -> pb.BatchDeleteHistoryEntriesResponse:
        principal = require_principal()
        count, missing = await self.tracking.batch_delete_history(principal, parent(request, principal), list(request.names))
        return pb.BatchDeleteHistoryEntriesResponse(deleted_count=count, not_found_names=missing)

    # -- ratings ------------------------------------------------------------------------

    async def SetRating(self, request: pb.SetRatingRequest, context: Context) -> pb.SetRatingResponse:
        principal = require_principal()
        user_id, item = parent(request, principal), parse_item(request.item)
        listed, created = await self.tracking.set_rating(principal, user_id, item, request.score)
        return pb.SetRatingResponse(rating=rating_pb(listed.items[0], listed.snapshots), created=created)

    async def DeleteRating(self, request: pb.DeleteRatingRequest, context: Context) -> pb.DeleteRatingResponse:
        await self.tracking.delete_rating(require_principal(), request.name)
        return pb.DeleteRatingResponse()

    async def ListRatings(self, request: pb.ListRatingsRequest, context: Context) -> pb.ListRatingsResponse:
        principal = require_principal()
        user_id, size = parent(request, principal), page_size(request.page_size, default=50, maximum=200)
        kind, item = kind_filter(request.kind, (MOVIE, SERIES, EPISODE)), parse_item(request.item) if request.item else None
        if request.order_by not in (pb.RATING_ORDER_UNSPECIFIED, pb.RATING_ORDER_UPDATE_TIME, pb.RATING_ORDER_SCORE):
            raise invalid("order_by", "is not a known order")
        listed = await self.tracking.list_ratings(
            principal, user_id=user_id, kind=kind, item=item, min_score=request.min_score, since=time_of(request, "since"),
            by_score=request.order_by == pb.RATING_ORDER_SCORE, size=size, after=self._position(user_id, request),
        )  # fmt: skip
        return pb.ListRatingsResponse(
            ratings=[rating_pb(r, listed.snapshots) for r in listed.items],
            next_page_token=self._token(user_id, request, listed.next_position),
        )

    # -- stats, recommendations, activity ---------------------------------------------------

    async def GetStats(self, request: pb.GetStatsRequest, context: Context) -> pb.GetStatsResponse:
        user_id = singleton_of(require_principal(), request.name, "stats")
        window = window_of(request, default_days=None, now=self.tracking.clock())
        return pb.GetStatsResponse(stats=stats_pb(await self.tracking.user_stats(user_id, window)))

    async def GetPlatformStats(self, request: pb.GetPlatformStatsRequest, context: Context) -> pb.GetPlatformStatsResponse:
        require_principal()
        window = window_of(request, default_days=30, now=self.tracking.clock())
        return pb.GetPlatformStatsResponse(stats=platform_stats_pb(await self.tracking.platform_stats(window)))

    async def ListRecommendations(
        self, request: pb.ListRecommendationsRequest, context: Context
    ) -> pb.ListRecommendationsResponse:
        principal = require_principal()
        user_id, size = parent(request, principal), page_size(request.page_size, default=20, maximum=50)
        kind, after = kind_filter(request.kind, (MOVIE, SERIES)), self._position(user_id, request)
        found = await self.tracking.recommendations(
            principal, user_id, kind=kind, genre=request.genre, include_watchlisted=request.include_watchlisted
        )
        chosen, more = offset_page(found, int(str(after.get("i", 0))) if after else 0, size)
        return pb.ListRecommendationsResponse(
            recommendations=[recommendation_pb(user_id, r) for r in chosen], next_page_token=self._token(user_id, request, more)
        )

    async def DismissRecommendation(
        self, request: pb.DismissRecommendationRequest, context: Context
    ) -> pb.DismissRecommendationResponse:
        await self.tracking.dismiss_recommendation(require_principal(), request.name)
        return pb.DismissRecommendationResponse()

    async def GetLastActivities(self, request: pb.GetLastActivitiesRequest, context: Context) -> pb.GetLastActivitiesResponse:
        user_id, row = await self.tracking.last_activities(require_principal(), request.name)
        return pb.GetLastActivitiesResponse(last_activities=activity_pb(user_id, row))

    async def ListTitleActivity(self, request: pb.ListTitleActivityRequest, context: Context) -> pb.ListTitleActivityResponse:
        require_principal()
        now = self.tracking.clock()
        window = domain.activity_window(window_of(request, default_days=7, now=now), now)
        titles = domain.title_ids_of(request.titles)
        kind = enum_value(ITEM_KIND_FILTER, request.kind, "kind", "must be MOVIE or SERIES")
        order = enum_value(ACTIVITY_ORDERS, request.order_by, "order_by", "is not a known order")
        size, query = page_size(request.page_size, default=50, maximum=500), fingerprint("", request)
        window, rows, more = await self.tracking.title_activity(
            window, kind=kind, titles=titles, order=order, size=size, after=self.pages.decode(request.page_token, query=query)
        )
        return pb.ListTitleActivityResponse(
            titles=[title_activity_pb(r) for r in rows], interval=interval_pb(window.start, window.end),
            next_page_token=self.pages.encode(more, query=query) if more else "",
        )  # fmt: skip

    # -- account export and erasure ------------------------------------------------------

    async def ExportUserData(self, request: pb.ExportUserDataRequest, context: Context) -> pb.ExportUserDataResponse:
        require_principal()
        body = await self.tracking.export_user_data(request.name)
        return pb.ExportUserDataResponse(document=httpbody_pb2.HttpBody(content_type="application/json", data=body))

    async def PurgeUserData(self, request: pb.PurgeUserDataRequest, context: Context) -> pb.PurgeUserDataResponse:
        require_principal()
        purged = await self.tracking.purge_user_data(request.name)
        counts = purged.counts
        return pb.PurgeUserDataResponse(
            watchlist_entry_count=counts["watchlist"], history_entry_count=counts["history"],
            rating_count=counts["ratings"], playback_count=counts["playbacks"],
            erased=[disposition_pb(d) for d in purged.erased], retained=[disposition_pb(d) for d in purged.retained],
        )  # fmt: skip
