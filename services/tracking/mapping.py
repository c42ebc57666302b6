"""Tracking's messages: protobuf enums ↔ domain names, and the use cases' results → messages (no reads)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.message import Message
from google.type import calendar_period_pb2, interval_pb2
from marquee.api.v1 import userdata_pb2
from marquee.tracking.v1 import tracking_pb2 as pb

from services.core.convert import date, message_from, timestamp
from services.core.errors import invalid
from services.tracking import domain
from services.tracking.domain import EpisodeFacts, TitleFacts, episode_name, etag_for, is_playing
from services.tracking.usecases import MarkOutcome, ShowProgressView, Snapshots, WatchlistView

if TYPE_CHECKING:
    from services.tracking.models import HistoryEntry, LastActivity, Playback, Rating, TitleSnapshot

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
    return message_from(
        pb.TitleInfo,
        title,
        title=f"titles/{title.title_id}",
        genres=list(title.genres or ()),
        runtime=seconds(title.runtime_minutes * 60),
    )


def episode_info(title_id: str, episode: EpisodeFacts | None, season: int = 0, number: int = 0) -> pb.EpisodeInfo:
    if episode is None:
        return pb.EpisodeInfo(episode=episode_name(title_id, season, number), season_number=season, episode_number=number)
    return message_from(
        pb.EpisodeInfo,
        episode,
        episode=episode_name(title_id, episode.season_number, episode.episode_number),
        runtime=seconds(episode.runtime_minutes * 60),
    )


def info(snapshots: Snapshots, title_id: str) -> pb.TitleInfo:
    return title_info(snapshots.titles.get(title_id), title_id)


def episode_of(snapshots: Snapshots, title_id: str, season: int, number: int) -> pb.EpisodeInfo:
    return episode_info(title_id, snapshots.episodes.get((title_id, season, number)), season, number)


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
    playing = is_playing(playback.state, playback.update_time, now)
    return message_from(
        pb.Playback,
        playback,
        name=f"users/{playback.user_id}/playbacks/{playback.id}",
        title_info=info(snapshots, playback.title_id) if snapshots else None,
        episode_info=(
            episode_of(snapshots, playback.title_id, playback.season_number, playback.episode_number)
            if snapshots and playback.kind == "episode"
            else None
        ),
        state=pb.PLAYBACK_STATE_PLAYING if playing else pb.PLAYBACK_STATE_PAUSED,
        position=seconds(playback.position_seconds),
        duration=seconds(playback.duration_seconds),
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
    return message_from(
        pb.HistoryEntry,
        entry,
        name=f"users/{entry.user_id}/history/{entry.id}",
        item=episode_name(entry.title_id, entry.season_number, entry.episode_number)
        if is_episode
        else f"titles/{entry.title_id}",
        kind=KIND_ENUM[entry.kind],
        title_info=info(snapshots, entry.title_id),
        episode_info=episode_of(snapshots, entry.title_id, entry.season_number, entry.episode_number) if is_episode else None,
        source=pb.HISTORY_SOURCE_SCROBBLE if entry.source == "scrobble" else pb.HISTORY_SOURCE_MANUAL,
        rewatch_cycle=entry.cycle,
        runtime=seconds(entry.runtime_seconds),
    )


def rating_pb(rating: Rating, snapshots: Snapshots) -> pb.Rating:
    return message_from(
        pb.Rating,
        rating,
        name=f"users/{rating.user_id}/ratings/{rating.id}",
        title_info=info(snapshots, rating.title_id),
        episode_info=(
            episode_of(snapshots, rating.title_id, rating.season_number, rating.episode_number)
            if rating.kind == "episode"
            else None
        ),
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


PERIODS = {
    calendar_period_pb2.DAY: "day",
    calendar_period_pb2.WEEK: "week",
    calendar_period_pb2.MONTH: "month",
    calendar_period_pb2.YEAR: "year",
}
ACTIVITY_ORDERS = {
    pb.TITLE_ACTIVITY_ORDER_UNSPECIFIED: "watchers",
    pb.TITLE_ACTIVITY_ORDER_WATCHER_COUNT: "watchers",
    pb.TITLE_ACTIVITY_ORDER_PLAY_COUNT: "plays",
    pb.TITLE_ACTIVITY_ORDER_WATCH_TIME: "watch_seconds",
    pb.TITLE_ACTIVITY_ORDER_WATCHLIST_ADD_COUNT: "adds",
}
ITEM_KIND_FILTER = {pb.ITEM_KIND_UNSPECIFIED: None, pb.ITEM_KIND_MOVIE: "movie", pb.ITEM_KIND_SERIES: "series"}


def enum_value(table: Mapping[Any, Any], value: int, field: str, message: str) -> Any:
    if value not in table:
        raise invalid(field, message)
    return table[value]


def window_of(request: Any, *, default_days: int | None, now: dt.datetime) -> domain.Window:
    """The interval, granularity and time zone of a stats request, validated."""
    given = request.HasField("interval")
    start = time_of(request.interval, "start_time") if given else None
    end = time_of(request.interval, "end_time") if given else None
    domain.check_interval(start, end, "interval")
    granularity = getattr(request, "granularity", 0)
    period = enum_value(PERIODS, granularity, "granularity", "must be DAY, WEEK, MONTH or YEAR") if granularity else None
    zone = getattr(request, "time_zone", "")
    return domain.window_of(start, end, given=given, period=period, zone_name=zone, default_days=default_days, now=now)


def whole_seconds(value: float) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=int(value))


# Stats take every count named alike from the domain's figures (`message_from`); watch times are
# whole seconds.


def genres_pb(genres: Sequence[domain.GenreCount]) -> list[pb.GenreStats]:
    return [message_from(pb.GenreStats, g, watch_time=whole_seconds(g.watch_seconds)) for g in genres]


def buckets_pb(buckets: Sequence[domain.Bucket]) -> list[pb.StatsBucket]:
    return [
        message_from(pb.StatsBucket, b, interval=interval_pb(b.start, b.end), watch_time=whole_seconds(b.watch_seconds))
        for b in buckets
    ]


def stats_pb(s: domain.UserStats) -> pb.Stats:
    return message_from(
        pb.Stats,
        s,
        name=f"users/{s.user_id}/stats",
        interval=interval_pb(s.window.start, s.window.end),
        watch_time=whole_seconds(s.watch_seconds),
        genres=genres_pb(s.genres),
        buckets=buckets_pb(s.buckets),
        watchlist_status_counts=[pb.WatchlistStatusCount(status=STATUS_ENUM[st], count=c) for st, c in s.status_counts],
    )


def platform_stats_pb(s: domain.PlatformStats) -> pb.PlatformStats:
    return message_from(
        pb.PlatformStats,
        s,
        interval=interval_pb(s.window.start, s.window.end),
        watch_time=whole_seconds(s.watch_seconds),
        genres=genres_pb(s.genres),
        buckets=buckets_pb(s.buckets),
    )


def title_activity_pb(r: domain.TitleActivity) -> pb.TitleActivity:
    return pb.TitleActivity(
        title=f"titles/{r.title_id}",
        kind={"movie": pb.ITEM_KIND_MOVIE, "series": pb.ITEM_KIND_SERIES}.get(r.kind, pb.ITEM_KIND_UNSPECIFIED),
        watcher_count=r.watchers,
        start_count=r.starts,
        play_count=r.plays,
        completion_rate=r.completion_rate,
        watch_time=whole_seconds(r.watch_seconds),
        average_watch_time=whole_seconds(r.average_watch_seconds),
        watchlist_add_count=r.adds,
        rating_count=r.rating_count,
        average_rating=round(float(r.average_rating or 0.0), 2),
    )


def facts_info(facts: TitleFacts) -> pb.TitleInfo:
    # Spelled out: `facts.episode_count` would fill a field recommendations have never sent.
    return pb.TitleInfo(
        title=f"titles/{facts.title_id}",
        kind=pb.ITEM_KIND_SERIES if facts.is_series else pb.ITEM_KIND_MOVIE,
        display_name=facts.display_name,
        poster_path=facts.poster_path,
        release_date=date(facts.release_date),
        genres=list(facts.genres),
        runtime=whole_seconds(facts.runtime_minutes * 60),
    )


def recommendation_pb(user_id: str, r: domain.Recommendation) -> pb.Recommendation:
    return pb.Recommendation(
        name=f"users/{user_id}/recommendations/{r.facts.title_id}",
        title=f"titles/{r.facts.title_id}",
        title_info=facts_info(r.facts),
        reason=r.reason,
        reason_kind=pb.RECOMMENDATION_REASON_TRENDING if r.trending else pb.RECOMMENDATION_REASON_GENRE,
        because_of=[f"titles/{t}" for t in r.because_of],
        score=r.score,
    )


def watchlist_entries_pb(view: WatchlistView) -> list[pb.WatchlistEntry]:
    found = []
    for entry in view.entries:
        message = message_from(
            pb.WatchlistEntry,
            entry,
            name=f"users/{entry.user_id}/watchlist/{entry.title_id}",
            title=f"titles/{entry.title_id}",
            status=STATUS_ENUM[entry.status],
            title_info=info(view.snapshots, entry.title_id),
            rating=view.ratings.get(entry.title_id, 0),
            etag=etag_for(entry.version),
        )
        if entry.title_id in view.summaries:
            message.progress.CopyFrom(progress_summary(view.summaries[entry.title_id]))
        found.append(message)
    return found


def mark_results_pb(outcome: MarkOutcome, now: dt.datetime) -> tuple[list[pb.MarkResult], list[pb.ShowProgress]]:
    results = [
        pb.MarkResult(item=r.item, outcome=OUTCOME[r.outcome], changed_count=r.changed, unchanged_count=r.unchanged)
        for r in outcome.results
    ]
    return results, [show_progress_pb(v, now) for v in outcome.progress]


def up_next_pb(view: ShowProgressView, activity: dt.datetime, now: dt.datetime) -> pb.UpNextItem:
    nxt = view.progress.next_episode
    return pb.UpNextItem(
        title_info=title_info(view.title),
        next_episode=episode_info(view.title.title_id, nxt) if nxt else None,
        playback=playback_pb(view.next_playback, None, now) if view.next_playback else None,
        progress=progress_summary(view),
        last_activity_time=timestamp(activity),
    )


def disposition_pb(d: domain.Disposition) -> userdata_pb2.UserDataDisposition:
    return userdata_pb2.UserDataDisposition(category=d.category, count=d.count, description=d.description)


def interval_pb(start: dt.datetime | None, end: dt.datetime | None) -> interval_pb2.Interval:
    return interval_pb2.Interval(start_time=timestamp(start), end_time=timestamp(end))
