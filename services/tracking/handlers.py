"""TrackingService servicer: converts protobuf ↔ domain values, asks Catalog through the seam, and delegates."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.message import Message
from google.type import date_pb2, interval_pb2
from marquee.tracking.v1 import tracking_pb2 as pb
from marquee.tracking.v1 import tracking_pb2_grpc

from services.core import errors, names
from services.core.convert import timestamp
from services.core.db import Database
from services.core.errors import invalid
from services.core.handlers import UnitOfWorkHandlers
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, require_principal
from services.core.paging import PageTokens, page_size
from services.core.tokens import Principal
from services.tracking import stats
from services.tracking.catalog_client import CatalogClient, EpisodeFacts, TitleFacts
from services.tracking.domain import (
    Item,
    Lookup,
    MarkOutcome,
    ShowProgressView,
    TrackingDomain,
    child_of,
    episode_name,
    etag_of,
    parse_item,
    user_of,
)
from services.tracking.models import HistoryEntry, LastActivity, Playback, Rating, TitleSnapshot, WatchlistEntry
from services.tracking.repository import TrackingRepository

M = TypeVar("M", bound=Message)

STATUS: dict[int, str] = {
    pb.WATCHLIST_STATUS_WATCHING: "watching",
    pb.WATCHLIST_STATUS_COMPLETED: "completed",
    pb.WATCHLIST_STATUS_DROPPED: "dropped",
    pb.WATCHLIST_STATUS_PAUSED: "paused",
    pb.WATCHLIST_STATUS_PLAN_TO_WATCH: "plan_to_watch",
}
STATUS_ENUM: dict[str, Any] = {v: k for k, v in STATUS.items()}
KIND: dict[int, str] = {pb.ITEM_KIND_MOVIE: "movie", pb.ITEM_KIND_SERIES: "series", pb.ITEM_KIND_EPISODE: "episode"}
KIND_ENUM: dict[str, Any] = {v: k for k, v in KIND.items()}
OUTCOME = {
    "changed": pb.MARK_OUTCOME_CHANGED,
    "already_watched": pb.MARK_OUTCOME_ALREADY_WATCHED,
    "not_watched": pb.MARK_OUTCOME_NOT_WATCHED,
    "not_aired": pb.MARK_OUTCOME_NOT_AIRED,
}
WATCHLIST_ORDER = {
    pb.WATCHLIST_ORDER_UNSPECIFIED: "update_time",
    pb.WATCHLIST_ORDER_UPDATE_TIME: "update_time",
    pb.WATCHLIST_ORDER_CREATE_TIME: "create_time",
    pb.WATCHLIST_ORDER_TITLE: "title",
    pb.WATCHLIST_ORDER_LAST_WATCH_TIME: "last_watch_time",
}


def seconds(value: float) -> duration_pb2.Duration:
    whole = int(value)
    return duration_pb2.Duration(seconds=whole, nanos=round((value - whole) * 1e9))


def date_pb(value: dt.date | None) -> date_pb2.Date | None:
    return date_pb2.Date(year=value.year, month=value.month, day=value.day) if value else None


def time_of(message: Any, field: str) -> dt.datetime | None:
    if not message.HasField(field):
        return None
    stamp: timestamp_pb2.Timestamp = getattr(message, field)
    return stamp.ToDatetime(tzinfo=dt.UTC)


def duration_of(message: Any, field: str) -> float | None:
    if not message.HasField(field):
        return None
    value: duration_pb2.Duration = getattr(message, field)
    return value.seconds + value.nanos / 1e9


def kind_filter(value: int, allowed: Sequence[int], field: str = "kind") -> str | None:
    if value == pb.ITEM_KIND_UNSPECIFIED:
        return None
    if value not in allowed:
        raise invalid(field, "is not a kind this list accepts")
    return KIND[value]


def statuses_of(values: Iterable[int], field: str = "statuses") -> list[str]:
    found = []
    for value in values:
        if value not in STATUS:
            raise invalid(field, "must be WATCHING, COMPLETED, DROPPED, PAUSED or PLAN_TO_WATCH")
        found.append(STATUS[value])
    return found


def title_info(title: TitleSnapshot | None, title_id: str = "") -> pb.TitleInfo:
    if title is None:
        return pb.TitleInfo(title=f"titles/{title_id}", deleted=True)
    return pb.TitleInfo(
        title=f"titles/{title.title_id}",
        kind=KIND_ENUM.get(title.kind, pb.ITEM_KIND_UNSPECIFIED),
        display_name=title.display_name,
        poster_path=title.poster_path,
        release_date=date_pb(title.release_date),
        genres=list(title.genres or ()),
        runtime=seconds(title.runtime_minutes * 60),
        episode_count=title.episode_count,
        deleted=title.deleted,
    )


def episode_info(title_id: str, episode: EpisodeFacts | None, season: int = 0, number: int = 0) -> pb.EpisodeInfo:
    if episode is None:
        return pb.EpisodeInfo(episode=episode_name(title_id, season, number), season_number=season, episode_number=number)
    return pb.EpisodeInfo(
        episode=episode_name(title_id, episode.season_number, episode.episode_number),
        season_number=episode.season_number,
        episode_number=episode.episode_number,
        display_name=episode.display_name,
        runtime=seconds(episode.runtime_minutes * 60),
        air_date=date_pb(episode.air_date),
        still_path=episode.still_path,
    )


class Snapshots:
    """Catalog snapshots for the rows of one response: their titles and just the episodes they name."""

    def __init__(self, repo: TrackingRepository, rows: Iterable[Any], with_episodes: bool = True) -> None:
        rows = list(rows)
        self.titles = repo.titles(r.title_id for r in rows)
        keys = [
            (r.title_id, r.season_number, r.episode_number) for r in rows if with_episodes and getattr(r, "kind", "") == "episode"
        ]
        self.episodes = repo.episodes_by_key(keys)

    def info(self, title_id: str) -> pb.TitleInfo:
        return title_info(self.titles.get(title_id), title_id)

    def episode(self, title_id: str, season: int, number: int) -> pb.EpisodeInfo:
        return episode_info(title_id, self.episodes.get((title_id, season, number)), season, number)


def progress_summary(view: ShowProgressView) -> pb.ProgressSummary:
    p = view.progress
    nxt = p.next_episode
    return pb.ProgressSummary(
        watched_episode_count=p.watched,
        aired_episode_count=p.aired,
        percent=p.percent,
        completed=p.completed,
        next_episode=episode_info(view.title.title_id, nxt) if nxt else None,
        last_watch_time=timestamp(p.last_watch_time),
        rewatch_count=view.row.rewatch_count if view.row else 0,
    )


def playback_pb(playback: Playback, snapshots: Snapshots | None, now: dt.datetime) -> pb.Playback:
    playing = playback.state == "playing" and now - playback.update_time <= dt.timedelta(hours=24)
    return pb.Playback(
        name=f"users/{playback.user_id}/playbacks/{playback.id}",
        item=playback.item,
        kind=KIND_ENUM.get(playback.kind, pb.ITEM_KIND_UNSPECIFIED),
        title_info=snapshots.info(playback.title_id) if snapshots else None,
        episode_info=(
            snapshots.episode(playback.title_id, playback.season_number, playback.episode_number)
            if snapshots and playback.kind == "episode"
            else None
        ),
        state=pb.PLAYBACK_STATE_PLAYING if playing else pb.PLAYBACK_STATE_PAUSED,
        position=seconds(playback.position_seconds),
        duration=seconds(playback.duration_seconds),
        progress_percent=playback.progress_percent,
        device_name=playback.device_name,
        start_time=timestamp(playback.start_time),
        update_time=timestamp(playback.update_time),
    )


def show_progress_pb(view: ShowProgressView, now: dt.datetime) -> pb.ShowProgress:
    p, row, title_id = view.progress, view.row, view.title.title_id
    seasons = []
    for counts in p.seasons:
        season = pb.SeasonProgress(
            season=f"titles/{title_id}/seasons/{counts.season_number}",
            season_number=counts.season_number,
            watched_episode_count=counts.watched,
            aired_episode_count=counts.aired,
            episode_count=counts.total,
            percent=counts.percent,
            completed=counts.completed,
        )
        if view.full:
            today = now.date()
            plays = view.episode_plays or {}
            for e in view.facts.episodes:
                if e.season_number != counts.season_number:
                    continue
                key = (e.season_number, e.episode_number)
                count, latest = plays.get(key, (0, None))
                playback = view.playbacks.get(key)
                season.episodes.append(
                    pb.EpisodeProgress(
                        episode=episode_info(title_id, e),
                        watched=key in view.watched,
                        play_count=count,
                        last_watch_time=timestamp(latest),
                        playback_percent=playback.progress_percent if playback else 0.0,
                        aired=e.aired(today),
                    )
                )
        seasons.append(season)
    snapshots = None
    return pb.ShowProgress(
        name=f"users/{view.user_id}/progress/{title_id}",
        title=f"titles/{title_id}",
        title_info=title_info(view.title),
        watched_episode_count=p.watched,
        aired_episode_count=p.aired,
        episode_count=p.total,
        percent=p.percent,
        completed=p.completed,
        complete_time=timestamp(row.complete_time) if row and p.completed else None,
        seasons=seasons,
        next_episode=episode_info(title_id, p.next_episode) if p.next_episode else None,
        next_episode_playback=playback_pb(view.next_playback, snapshots, now) if view.next_playback else None,
        last_episode=episode_info(title_id, p.last_episode) if p.last_episode else None,
        last_watch_time=timestamp(p.last_watch_time),
        watched_runtime=seconds(p.watched_minutes * 60),
        remaining_runtime=seconds(p.remaining_minutes * 60),
        play_count=view.play_count,
        rewatch_count=row.rewatch_count if row else 0,
        cycle_start_time=timestamp(row.cycle_start_time) if row else None,
        watchlist_status=STATUS_ENUM.get(view.watchlist_status, pb.WATCHLIST_STATUS_UNSPECIFIED),
        update_time=timestamp(row.update_time) if row else None,
    )


def history_pb(entry: HistoryEntry, snapshots: Snapshots) -> pb.HistoryEntry:
    is_episode = entry.kind == "episode"
    return pb.HistoryEntry(
        name=f"users/{entry.user_id}/history/{entry.id}",
        item=episode_name(entry.title_id, entry.season_number, entry.episode_number)
        if is_episode
        else f"titles/{entry.title_id}",
        kind=KIND_ENUM[entry.kind],
        title_info=snapshots.info(entry.title_id),
        episode_info=snapshots.episode(entry.title_id, entry.season_number, entry.episode_number) if is_episode else None,
        watch_time=timestamp(entry.watch_time),
        source=pb.HISTORY_SOURCE_SCROBBLE if entry.source == "scrobble" else pb.HISTORY_SOURCE_MANUAL,
        rewatch_cycle=entry.cycle,
        runtime=seconds(entry.runtime_seconds),
        create_time=timestamp(entry.create_time),
    )


def rating_pb(rating: Rating, snapshots: Snapshots) -> pb.Rating:
    return pb.Rating(
        name=f"users/{rating.user_id}/ratings/{rating.id}",
        item=rating.item,
        kind=KIND_ENUM.get(rating.kind, pb.ITEM_KIND_UNSPECIFIED),
        title_info=snapshots.info(rating.title_id),
        episode_info=(
            snapshots.episode(rating.title_id, rating.season_number, rating.episode_number) if rating.kind == "episode" else None
        ),
        score=rating.score,
        create_time=timestamp(rating.create_time),
        update_time=timestamp(rating.update_time),
    )


def activity_pb(user_id: str, row: LastActivity) -> pb.LastActivities:
    def collection(name: str) -> pb.CollectionActivity:
        return pb.CollectionActivity(
            update_time=timestamp(getattr(row, f"{name}_update")), delete_time=timestamp(getattr(row, f"{name}_delete"))
        )

    times = [
        getattr(row, f"{c}_{k}")
        for c in ("watchlist", "history", "progress", "ratings", "playbacks", "recommendations")
        for k in ("update", "delete")
    ]
    latest = max((t for t in times if t is not None), default=None)
    return pb.LastActivities(
        name=f"users/{user_id}/lastActivities",
        update_time=timestamp(latest),
        watchlist=collection("watchlist"),
        history=collection("history"),
        progress=collection("progress"),
        ratings=collection("ratings"),
        playbacks=collection("playbacks"),
        recommendations=collection("recommendations"),
    )


def fingerprint(user_id: str, request: Message) -> str:
    """What a page token is bound to: the caller's user and every filter of the request."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ("page_token", "page_size"):
        if name in copy.DESCRIPTOR.fields_by_name:
            copy.ClearField(name)
    return f"{type(request).__name__}:{user_id}:" + hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


class TrackingHandlers(UnitOfWorkHandlers[TrackingRepository], tracking_pb2_grpc.TrackingServiceServicer):
    def __init__(
        self,
        domain: TrackingDomain,
        database: Database,
        idempotency: Idempotency,
        page_tokens: PageTokens,
        catalog: CatalogClient,
    ) -> None:
        super().__init__(database, idempotency, page_tokens, repository=TrackingRepository)
        self.domain = domain
        self.catalog = catalog

    async def _lookup(self, title_ids: Iterable[str]) -> Lookup:
        found: dict[str, TitleFacts | None] = {}
        unavailable: set[str] = set()
        for title_id in dict.fromkeys(title_ids):
            try:
                found[title_id] = await self.catalog.title(title_id)
            except errors.Unavailable:
                unavailable.add(title_id)
        return Lookup(found, frozenset(unavailable))

    def _position(self, user_id: str, request: Any) -> dict[str, object] | None:
        return self.pages.decode(request.page_token, query=fingerprint(user_id, request))

    def _token(self, user_id: str, request: Any, position: dict[str, object] | None) -> str:
        return self.pages.encode(position, query=fingerprint(user_id, request)) if position else ""

    def _owner(self, principal: Principal, name: str, field: str = "parent") -> str:
        return user_of(principal, name, field)

    def _entries_pb(self, repo: TrackingRepository, entries: Sequence[WatchlistEntry]) -> list[pb.WatchlistEntry]:
        if not entries:
            return []
        user_id = entries[0].user_id
        snapshots = Snapshots(repo, entries, with_episodes=False)
        ids = [e.title_id for e in entries]
        ratings = repo.title_ratings(user_id, ids)
        summaries = self.domain.progress_summaries(
            repo, user_id, [e.title_id for e in entries if e.kind == "series"], {e.title_id: e.status for e in entries}
        )
        found = []
        for entry in entries:
            message = pb.WatchlistEntry(
                name=f"users/{entry.user_id}/watchlist/{entry.title_id}",
                title=f"titles/{entry.title_id}",
                status=STATUS_ENUM[entry.status],
                favorite=entry.favorite,
                notes=entry.notes,
                title_info=snapshots.info(entry.title_id),
                rating=ratings.get(entry.title_id, 0),
                last_watch_time=timestamp(entry.last_watch_time),
                status_update_time=timestamp(entry.status_update_time),
                etag=etag_of(entry),
                create_time=timestamp(entry.create_time),
                update_time=timestamp(entry.update_time),
            )
            if entry.title_id in summaries:
                message.progress.CopyFrom(progress_summary(summaries[entry.title_id]))
            found.append(message)
        return found

    def _entry_response(self, repo: TrackingRepository, entry: WatchlistEntry) -> pb.WatchlistEntry:
        return self._entries_pb(repo, [entry])[0]

    # -- watchlist ---------------------------------------------------------------------

    async def CreateWatchlistEntry(
        self, request: pb.CreateWatchlistEntryRequest, context: Context
    ) -> pb.CreateWatchlistEntryResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        given = request.watchlist_entry
        item = parse_item(given.title, "watchlist_entry.title")
        status = None
        if given.status != pb.WATCHLIST_STATUS_UNSPECIFIED:
            status = statuses_of([given.status], "watchlist_entry.status")[0]

        async def call() -> pb.CreateWatchlistEntryResponse:
            lookup = await self._lookup([item.title_id])

            def work(repo: TrackingRepository) -> pb.CreateWatchlistEntryResponse:
                entry = self.domain.create_watchlist_entry(
                    repo,
                    principal,
                    user_id=user_id,
                    item=item,
                    lookup=lookup,
                    status=status,
                    favorite=given.favorite,
                    notes=given.notes,
                )
                return pb.CreateWatchlistEntryResponse(watchlist_entry=self._entry_response(repo, entry))

            return await self.db.run(lambda s: work(TrackingRepository(s)))

        return await self._once(
            "CreateWatchlistEntry", principal.user_id, request, request.request_id, pb.CreateWatchlistEntryResponse, call
        )

    async def GetWatchlistEntry(self, request: pb.GetWatchlistEntryRequest, context: Context) -> pb.GetWatchlistEntryResponse:
        principal = require_principal()

        def work(repo: TrackingRepository) -> pb.GetWatchlistEntryResponse:
            entry = self.domain.get_watchlist_entry(repo, principal, request.name)
            return pb.GetWatchlistEntryResponse(watchlist_entry=self._entry_response(repo, entry))

        return await self._run(work)

    async def UpdateWatchlistEntry(
        self, request: pb.UpdateWatchlistEntryRequest, context: Context
    ) -> pb.UpdateWatchlistEntryResponse:
        principal = require_principal()
        given = request.watchlist_entry
        paths = list(request.update_mask.paths)
        status = STATUS.get(given.status)

        def work(repo: TrackingRepository) -> pb.UpdateWatchlistEntryResponse:
            entry = self.domain.update_watchlist_entry(
                repo,
                principal,
                name=given.name,
                paths=paths,
                etag=given.etag,
                status=status,
                favorite=given.favorite,
                notes=given.notes,
            )
            return pb.UpdateWatchlistEntryResponse(watchlist_entry=self._entry_response(repo, entry))

        return await self._run(work)

    async def DeleteWatchlistEntry(
        self, request: pb.DeleteWatchlistEntryRequest, context: Context
    ) -> pb.DeleteWatchlistEntryResponse:
        principal = require_principal()
        await self._run(self.domain.delete_watchlist_entry, principal, name=request.name, etag=request.etag)
        return pb.DeleteWatchlistEntryResponse()

    async def ListWatchlistEntries(
        self, request: pb.ListWatchlistEntriesRequest, context: Context
    ) -> pb.ListWatchlistEntriesResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        size = page_size(request.page_size, default=50, maximum=200)
        statuses = statuses_of(request.statuses)
        kind = kind_filter(request.kind, (pb.ITEM_KIND_MOVIE, pb.ITEM_KIND_SERIES))
        if request.order_by not in WATCHLIST_ORDER:
            raise invalid("order_by", "is not a known order")
        after = self._position(user_id, request)

        def work(repo: TrackingRepository) -> pb.ListWatchlistEntriesResponse:
            page = self.domain.list_watchlist(
                repo,
                principal,
                user_id=user_id,
                statuses=statuses,
                favorites_only=request.favorites_only,
                kind=kind,
                since=time_of(request, "since"),
                order=WATCHLIST_ORDER[request.order_by],
                size=size,
                after=after,
            )
            return pb.ListWatchlistEntriesResponse(
                watchlist_entries=self._entries_pb(repo, page.items),
                next_page_token=self._token(user_id, request, page.next_position),
                total_size=page.total,
            )

        return await self._run(work)

    # -- marks and progress -------------------------------------------------------------

    def _mark_response(self, outcome: MarkOutcome) -> tuple[list[pb.MarkResult], list[pb.ShowProgress]]:
        now = self.domain.clock()
        results = [
            pb.MarkResult(item=r.item, outcome=OUTCOME[r.outcome], changed_count=r.changed, unchanged_count=r.unchanged)
            for r in outcome.results
        ]
        return results, [show_progress_pb(v, now) for v in outcome.progress]

    def _items(self, texts: Sequence[str]) -> list[Item]:
        if len(texts) > 100:
            from services.tracking.domain import too_many

            raise too_many("at most 100 items per call")
        return [parse_item(t, f"items[{i}]") for i, t in enumerate(texts)]

    async def MarkWatched(self, request: pb.MarkWatchedRequest, context: Context) -> pb.MarkWatchedResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        items = self._items(request.items)
        watch_time = time_of(request, "watch_time")

        async def call() -> pb.MarkWatchedResponse:
            lookup = await self._lookup(i.title_id for i in items)
            outcome = await self._run(
                self.domain.mark_watched,
                principal,
                user_id=user_id,
                items=items,
                lookup=lookup,
                watch_time=watch_time,
                allow_repeat=request.allow_repeat,
            )
            results, progress = self._mark_response(outcome)
            return pb.MarkWatchedResponse(results=results, added_count=outcome.count, progress=progress)

        return await self._once("MarkWatched", principal.user_id, request, request.request_id, pb.MarkWatchedResponse, call)

    async def MarkUnwatched(self, request: pb.MarkUnwatchedRequest, context: Context) -> pb.MarkUnwatchedResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        items = self._items(request.items)

        async def call() -> pb.MarkUnwatchedResponse:
            lookup = await self._lookup(i.title_id for i in items)
            outcome = await self._run(self.domain.mark_unwatched, principal, user_id=user_id, items=items, lookup=lookup)
            results, progress = self._mark_response(outcome)
            return pb.MarkUnwatchedResponse(results=results, removed_count=outcome.count, progress=progress)

        return await self._once("MarkUnwatched", principal.user_id, request, request.request_id, pb.MarkUnwatchedResponse, call)

    async def GetShowProgress(self, request: pb.GetShowProgressRequest, context: Context) -> pb.GetShowProgressResponse:
        principal = require_principal()
        _, title_id = child_of(principal, request.name, "progress")
        lookup = await self._lookup([title_id])
        full = request.view == pb.PROGRESS_VIEW_FULL
        view = await self._read_first(
            self.domain.get_show_progress,
            principal,
            name=request.name,
            lookup=lookup,
            include_specials=request.include_specials,
            full=full,
        )
        return pb.GetShowProgressResponse(progress=show_progress_pb(view, self.domain.clock()))

    async def ListShowProgress(self, request: pb.ListShowProgressRequest, context: Context) -> pb.ListShowProgressResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        size = page_size(request.page_size, default=20, maximum=100)
        statuses = statuses_of(request.statuses)
        after = self._position(user_id, request)
        page = await self._run(
            self.domain.list_show_progress,
            principal,
            user_id=user_id,
            statuses=statuses,
            since=time_of(request, "since"),
            include_specials=request.include_specials,
            full=request.view == pb.PROGRESS_VIEW_FULL,
            size=size,
            after=after,
        )
        now = self.domain.clock()
        return pb.ListShowProgressResponse(
            progress=[show_progress_pb(v, now) for v in page.items],
            next_page_token=self._token(user_id, request, page.next_position),
        )

    async def StartRewatch(self, request: pb.StartRewatchRequest, context: Context) -> pb.StartRewatchResponse:
        principal = require_principal()
        _, title_id = child_of(principal, request.name, "progress")

        async def call() -> pb.StartRewatchResponse:
            lookup = await self._lookup([title_id])
            view = await self._run(self.domain.start_rewatch, principal, name=request.name, lookup=lookup)
            return pb.StartRewatchResponse(progress=show_progress_pb(view, self.domain.clock()))

        return await self._once("StartRewatch", principal.user_id, request, request.request_id, pb.StartRewatchResponse, call)

    async def ListUpNext(self, request: pb.ListUpNextRequest, context: Context) -> pb.ListUpNextResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        size = page_size(request.page_size, default=20, maximum=100)
        after = self._position(user_id, request)
        page = await self._run(
            self.domain.list_up_next,
            principal,
            user_id=user_id,
            include_not_started=request.include_not_started,
            size=size,
            after=after,
        )
        now = self.domain.clock()
        items = []
        for view, activity in page.items:
            nxt = view.progress.next_episode
            items.append(
                pb.UpNextItem(
                    title_info=title_info(view.title),
                    next_episode=episode_info(view.title.title_id, nxt) if nxt else None,
                    playback=playback_pb(view.next_playback, None, now) if view.next_playback else None,
                    progress=progress_summary(view),
                    last_activity_time=timestamp(activity),
                )
            )
        return pb.ListUpNextResponse(items=items, next_page_token=self._token(user_id, request, page.next_position))

    # -- scrobbles ---------------------------------------------------------------------

    async def _scrobble(self, method: str, request: Any, response_type: type[M], build: Callable[..., M], **extra: Any) -> M:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        item = parse_item(request.item)
        position, duration = duration_of(request, "position"), duration_of(request, "duration")
        scrobbles: dict[str, Callable[..., Any]] = {
            "StartScrobble": self.domain.start_scrobble,
            "PauseScrobble": self.domain.pause_scrobble,
            "StopScrobble": self.domain.stop_scrobble,
        }
        fn = scrobbles[method]

        async def call() -> M:
            lookup = await self._lookup([item.title_id])

            def work(repo: TrackingRepository) -> M:
                result = fn(
                    repo,
                    principal,
                    user_id=user_id,
                    item=item,
                    lookup=lookup,
                    position=position,
                    duration=duration,
                    percent=request.progress_percent,
                    **extra,
                )
                return build(repo, result)

            return await self.db.run(lambda s: work(TrackingRepository(s)))

        return await self._once(method, principal.user_id, request, request.request_id, response_type, call)

    def _playback_out(self, repo: TrackingRepository, playback: Playback | None) -> pb.Playback | None:
        if playback is None:
            return None
        return playback_pb(playback, Snapshots(repo, [playback]), self.domain.clock())

    async def StartScrobble(self, request: pb.StartScrobbleRequest, context: Context) -> pb.StartScrobbleResponse:
        return await self._scrobble(
            "StartScrobble",
            request,
            pb.StartScrobbleResponse,
            lambda repo, r: pb.StartScrobbleResponse(playback=self._playback_out(repo, r.playback)),
            device_name=request.device_name,
        )

    async def PauseScrobble(self, request: pb.PauseScrobbleRequest, context: Context) -> pb.PauseScrobbleResponse:
        return await self._scrobble(
            "PauseScrobble",
            request,
            pb.PauseScrobbleResponse,
            lambda repo, r: pb.PauseScrobbleResponse(playback=self._playback_out(repo, r.playback)),
        )

    async def StopScrobble(self, request: pb.StopScrobbleRequest, context: Context) -> pb.StopScrobbleResponse:
        def build(repo: TrackingRepository, result: Any) -> pb.StopScrobbleResponse:
            if result.outcome == "saved":
                return pb.StopScrobbleResponse(
                    outcome=pb.SCROBBLE_OUTCOME_SAVED, playback=self._playback_out(repo, result.playback)
                )
            history = result.history
            return pb.StopScrobbleResponse(
                outcome=pb.SCROBBLE_OUTCOME_WATCHED,
                history_entry=history_pb(history, Snapshots(repo, [history])),
                progress=show_progress_pb(result.progress, self.domain.clock()) if result.progress else None,
            )

        return await self._scrobble("StopScrobble", request, pb.StopScrobbleResponse, build)

    async def ListPlaybacks(self, request: pb.ListPlaybacksRequest, context: Context) -> pb.ListPlaybacksResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        size = page_size(request.page_size, default=20, maximum=100)
        kind = kind_filter(request.kind, (pb.ITEM_KIND_MOVIE, pb.ITEM_KIND_EPISODE))
        item = parse_item(request.item) if request.item else None
        after = self._position(user_id, request)

        def work(repo: TrackingRepository) -> pb.ListPlaybacksResponse:
            page = self.domain.list_playbacks(
                repo,
                principal,
                user_id=user_id,
                kind=kind,
                item=item,
                since=time_of(request, "since"),
                size=size,
                after=after,
            )
            snapshots = Snapshots(repo, page.items)
            now = self.domain.clock()
            return pb.ListPlaybacksResponse(
                playbacks=[playback_pb(p, snapshots, now) for p in page.items],
                next_page_token=self._token(user_id, request, page.next_position),
            )

        return await self._run(work)

    async def DeletePlayback(self, request: pb.DeletePlaybackRequest, context: Context) -> pb.DeletePlaybackResponse:
        await self._run(self.domain.delete_playback, require_principal(), name=request.name)
        return pb.DeletePlaybackResponse()

    # -- history ------------------------------------------------------------------------

    async def ListHistoryEntries(self, request: pb.ListHistoryEntriesRequest, context: Context) -> pb.ListHistoryEntriesResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        size = page_size(request.page_size, default=50, maximum=500)
        kind = kind_filter(request.kind, (pb.ITEM_KIND_MOVIE, pb.ITEM_KIND_EPISODE))
        item = parse_item(request.item) if request.item else None
        start = end = None
        if request.HasField("watch_interval"):
            start, end = time_of(request.watch_interval, "start_time"), time_of(request.watch_interval, "end_time")
            if start and end and end < start:
                raise invalid("watch_interval", "end_time must not be before start_time")
        after = self._position(user_id, request)

        def work(repo: TrackingRepository) -> pb.ListHistoryEntriesResponse:
            page = self.domain.list_history(
                repo,
                principal,
                user_id=user_id,
                item=item,
                kind=kind,
                start=start,
                end=end,
                since=time_of(request, "since"),
                size=size,
                after=after,
            )
            snapshots = Snapshots(repo, page.items)
            return pb.ListHistoryEntriesResponse(
                history_entries=[history_pb(h, snapshots) for h in page.items],
                next_page_token=self._token(user_id, request, page.next_position),
            )

        return await self._run(work)

    async def BatchDeleteHistoryEntries(
        self, request: pb.BatchDeleteHistoryEntriesRequest, context: Context
    ) -> pb.BatchDeleteHistoryEntriesResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        count, missing = await self._run(self.domain.batch_delete_history, principal, user_id=user_id, names=list(request.names))
        return pb.BatchDeleteHistoryEntriesResponse(deleted_count=count, not_found_names=missing)

    # -- ratings ------------------------------------------------------------------------

    async def SetRating(self, request: pb.SetRatingRequest, context: Context) -> pb.SetRatingResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        item = parse_item(request.item)
        lookup = await self._lookup([item.title_id]) if 1 <= request.score <= 10 and not item.is_season else Lookup()

        def work(repo: TrackingRepository) -> pb.SetRatingResponse:
            rating, created = self.domain.set_rating(
                repo, principal, user_id=user_id, item=item, lookup=lookup, score=request.score
            )
            return pb.SetRatingResponse(rating=rating_pb(rating, Snapshots(repo, [rating])), created=created)

        return await self._run(work)

    async def DeleteRating(self, request: pb.DeleteRatingRequest, context: Context) -> pb.DeleteRatingResponse:
        await self._run(self.domain.delete_rating, require_principal(), name=request.name)
        return pb.DeleteRatingResponse()

    async def ListRatings(self, request: pb.ListRatingsRequest, context: Context) -> pb.ListRatingsResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        size = page_size(request.page_size, default=50, maximum=200)
        kind = kind_filter(request.kind, (pb.ITEM_KIND_MOVIE, pb.ITEM_KIND_SERIES, pb.ITEM_KIND_EPISODE))
        item = parse_item(request.item) if request.item else None
        if request.order_by not in (pb.RATING_ORDER_UNSPECIFIED, pb.RATING_ORDER_UPDATE_TIME, pb.RATING_ORDER_SCORE):
            raise invalid("order_by", "is not a known order")
        after = self._position(user_id, request)

        def work(repo: TrackingRepository) -> pb.ListRatingsResponse:
            page = self.domain.list_ratings(
                repo,
                principal,
                user_id=user_id,
                kind=kind,
                item=item,
                min_score=request.min_score,
                since=time_of(request, "since"),
                by_score=request.order_by == pb.RATING_ORDER_SCORE,
                size=size,
                after=after,
            )
            snapshots = Snapshots(repo, page.items)
            return pb.ListRatingsResponse(
                ratings=[rating_pb(r, snapshots) for r in page.items],
                next_page_token=self._token(user_id, request, page.next_position),
            )

        return await self._run(work)

    # -- stats, recommendations, activity ---------------------------------------------------

    async def GetStats(self, request: pb.GetStatsRequest, context: Context) -> pb.GetStatsResponse:
        principal = require_principal()
        parts = request.name.split("/")
        if len(parts) != 3 or parts[2] != "stats":
            raise invalid("name", "must be users/{user}/stats")
        user_id = self._owner(principal, "/".join(parts[:2]), "name")
        window = stats.window_of(request, default_days=None)
        result = await self._run(stats.user_stats, user_id, window)
        return pb.GetStatsResponse(stats=result)

    async def GetPlatformStats(self, request: pb.GetPlatformStatsRequest, context: Context) -> pb.GetPlatformStatsResponse:
        require_principal()
        window = stats.window_of(request, default_days=30, now=self.domain.clock())
        return pb.GetPlatformStatsResponse(stats=await self._run(stats.platform_stats, window))

    async def ListRecommendations(
        self, request: pb.ListRecommendationsRequest, context: Context
    ) -> pb.ListRecommendationsResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        size = page_size(request.page_size, default=20, maximum=50)
        kind = kind_filter(request.kind, (pb.ITEM_KIND_MOVIE, pb.ITEM_KIND_SERIES))
        after = self._position(user_id, request)
        offset = int(str(after.get("i", 0))) if after else 0
        found = await stats.recommend(self, principal, request, kind, user_id)
        chosen = found[offset : offset + size]
        more = offset + size < len(found)
        return pb.ListRecommendationsResponse(
            recommendations=chosen, next_page_token=self._token(user_id, request, {"i": offset + size} if more else None)
        )

    async def DismissRecommendation(
        self, request: pb.DismissRecommendationRequest, context: Context
    ) -> pb.DismissRecommendationResponse:
        principal = require_principal()
        _, title_id = child_of(principal, request.name, "recommendations")
        lookup = await self._lookup([title_id])
        await self._run(self.domain.dismiss, principal, name=request.name, lookup=lookup)
        return pb.DismissRecommendationResponse()

    async def GetLastActivities(self, request: pb.GetLastActivitiesRequest, context: Context) -> pb.GetLastActivitiesResponse:
        principal = require_principal()
        user_id, row = await self._run(self.domain.last_activities, principal, request.name)
        return pb.GetLastActivitiesResponse(last_activities=activity_pb(user_id, row))

    async def ListTitleActivity(self, request: pb.ListTitleActivityRequest, context: Context) -> pb.ListTitleActivityResponse:
        require_principal()
        return await stats.title_activity(self, request)

    async def PurgeUserData(self, request: pb.PurgeUserDataRequest, context: Context) -> pb.PurgeUserDataResponse:
        require_principal()
        counts = await self._run(self.domain.purge, request.name)
        return pb.PurgeUserDataResponse(
            watchlist_entry_count=counts["watchlist"],
            history_entry_count=counts["history"],
            rating_count=counts["ratings"],
            playback_count=counts["playbacks"],
        )


def interval_pb(start: dt.datetime | None, end: dt.datetime | None) -> interval_pb2.Interval:
    return interval_pb2.Interval(start_time=timestamp(start), end_time=timestamp(end))
