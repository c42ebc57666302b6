"""Statistics, title activity and recommendations: aggregates over Tracking's own tables (plus Catalog for candidates)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf import duration_pb2
from google.type import calendar_period_pb2, date_pb2, interval_pb2
from marquee.tracking.v1 import tracking_pb2 as pb
from sqlalchemy import func, select

from services.core.convert import timestamp
from services.core.errors import invalid
from services.core.models import utcnow
from services.core.paging import page_size
from services.core.tokens import Principal
from services.tracking.catalog_client import TitleFacts
from services.tracking.models import Completion, HistoryEntry, Rating, ScrobbleSession, TitleSnapshot, WatchlistEntry
from services.tracking.repository import TrackingRepository

MAX_BUCKETS = 400
MAX_ACTIVITY_DAYS = 366
MAX_RECOMMENDATIONS = 200
PERIODS = {
    calendar_period_pb2.DAY: "day",
    calendar_period_pb2.WEEK: "week",
    calendar_period_pb2.MONTH: "month",
    calendar_period_pb2.YEAR: "year",
}


@dataclass(frozen=True)
class Window:
    start: dt.datetime | None
    end: dt.datetime | None
    period: str | None
    zone: zoneinfo.ZoneInfo


def _dur(seconds: float) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=int(seconds))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _status(value: str) -> Any:
    return pb.WatchlistStatus.Value(f"WATCHLIST_STATUS_{value.upper()}")


def window_of(request: Any, *, default_days: int | None, now: dt.datetime | None = None) -> Window:
    """The interval, granularity and time zone of a stats request, validated."""
    start = end = None
    if request.HasField("interval"):
        if request.interval.HasField("start_time"):
            start = request.interval.start_time.ToDatetime(tzinfo=dt.UTC)
        if request.interval.HasField("end_time"):
            end = request.interval.end_time.ToDatetime(tzinfo=dt.UTC)
        if start and end and end < start:
            raise invalid("interval", "end_time must not be before start_time")
    elif default_days is not None:
        end = now or utcnow()
        start = end - dt.timedelta(days=default_days)
    period = None
    granularity = getattr(request, "granularity", 0)
    if granularity:
        if granularity not in PERIODS:
            raise invalid("granularity", "must be DAY, WEEK, MONTH or YEAR")
        period = PERIODS[granularity]
    zone_name = getattr(request, "time_zone", "") or "UTC"
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid("time_zone", "must be an IANA time zone such as Africa/Kampala") from exc
    return Window(start, end, period, zone)


def _floor(value: dt.datetime, period: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    local = value.astimezone(zone)
    day = local.date()
    if period == "week":
        day -= dt.timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    elif period == "year":
        day = day.replace(month=1, day=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _next(value: dt.datetime, period: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    day = value.date()
    if period == "day":
        day += dt.timedelta(days=1)
    elif period == "week":
        day += dt.timedelta(days=7)
    elif period == "month":
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        day = day.replace(year=day.year + 1)
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def bucket_bounds(window: Window, first: dt.datetime | None, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    if window.period is None:
        return []
    start = window.start or first or now
    end = window.end or now
    bounds: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = _floor(start, window.period, window.zone)
    while cursor < end:
        following = _next(cursor, window.period, window.zone)
        bounds.append((cursor, following))
        if len(bounds) > MAX_BUCKETS:
            raise invalid("granularity", f"the interval spans more than {MAX_BUCKETS} buckets")
        cursor = following
    return bounds


def _in_window(column: Any, window: Window) -> list[Any]:
    found = []
    if window.start is not None:
        found.append(column >= window.start)
    if window.end is not None:
        found.append(column < window.end)
    return found


def _genres(repo: TrackingRepository, plays: Sequence[Any]) -> list[pb.GenreStats]:
    titles = repo.titles({p.title_id for p in plays})
    per: dict[str, list[Any]] = defaultdict(lambda: [0, 0, set()])
    for play in plays:
        title = titles.get(play.title_id)
        for genre in (title.genres or ()) if title else ():
            per[genre][0] += 1
            per[genre][1] += play.runtime_seconds
            per[genre][2].add(play.title_id)
    ordered = sorted(per.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    return [pb.GenreStats(genre=g, play_count=v[0], watch_time=_dur(v[1]), title_count=len(v[2])) for g, v in ordered]


def _buckets(window: Window, plays: Sequence[Any], now: dt.datetime, *, with_watchers: bool) -> list[pb.StatsBucket]:
    first = min((_utc(p.watch_time) for p in plays), default=None)  # type: ignore[type-var]
    bounds = bucket_bounds(window, first, now)
    buckets = []
    for low, high in bounds:
        inside = [p for p in plays if low <= _utc(p.watch_time) < high]  # type: ignore[operator]
        buckets.append(
            pb.StatsBucket(
                interval=interval_pb2.Interval(start_time=timestamp(low), end_time=timestamp(high)),
                movie_play_count=sum(1 for p in inside if p.kind == "movie"),
                episode_play_count=sum(1 for p in inside if p.kind == "episode"),
                watch_time=_dur(sum(p.runtime_seconds for p in inside)),
                watcher_count=len({p.user_id for p in inside}) if with_watchers else 0,
            )
        )
    return buckets


def _plays(repo: TrackingRepository, window: Window, *conditions: Any) -> Sequence[Any]:
    return repo.rows(
        select(
            HistoryEntry.user_id,
            HistoryEntry.title_id,
            HistoryEntry.kind,
            HistoryEntry.season_number,
            HistoryEntry.episode_number,
            HistoryEntry.watch_time,
            HistoryEntry.runtime_seconds,
        ).where(*conditions, *_in_window(HistoryEntry.watch_time, window))
    )


def user_stats(repo: TrackingRepository, user_id: str, window: Window) -> pb.Stats:
    now = utcnow()
    plays = _plays(repo, window, HistoryEntry.user_id == user_id)
    movies = [p for p in plays if p.kind == "movie"]
    episodes = [p for p in plays if p.kind == "episode"]
    completed = (
        repo.s.scalar(
            select(func.count())
            .select_from(Completion)
            .where(Completion.user_id == user_id, *_in_window(Completion.complete_time, window))
        )
        or 0
    )
    scores = [
        s for (s,) in repo.rows(select(Rating.score).where(Rating.user_id == user_id, *_in_window(Rating.create_time, window)))
    ]
    statuses = repo.rows(
        select(WatchlistEntry.status, func.count()).where(WatchlistEntry.user_id == user_id).group_by(WatchlistEntry.status)
    )
    return pb.Stats(
        name=f"users/{user_id}/stats",
        interval=interval_pb2.Interval(start_time=timestamp(window.start), end_time=timestamp(window.end)),
        movie_count=len({p.title_id for p in movies}),
        movie_play_count=len(movies),
        episode_count=len({(p.title_id, p.season_number, p.episode_number) for p in episodes}),
        episode_play_count=len(episodes),
        show_count=len({p.title_id for p in episodes}),
        completed_show_count=completed,
        watch_time=_dur(sum(p.runtime_seconds for p in plays)),
        rating_count=len(scores),
        average_rating=round(sum(scores) / len(scores), 2) if scores else 0.0,
        genres=_genres(repo, plays),
        buckets=_buckets(window, plays, now, with_watchers=False),
        watchlist_status_counts=[
            pb.WatchlistStatusCount(status=_status(s), count=c) for s, c in sorted(statuses, key=lambda r: _status(r[0]))
        ],
    )


def platform_stats(repo: TrackingRepository, window: Window) -> pb.PlatformStats:
    now = utcnow()
    plays = _plays(repo, window)
    sessions = repo.rows(
        select(ScrobbleSession.user_id, ScrobbleSession.completed).where(*_in_window(ScrobbleSession.start_time, window))
    )
    adds = (
        repo.s.scalar(select(func.count()).select_from(WatchlistEntry).where(*_in_window(WatchlistEntry.create_time, window)))
        or 0
    )
    ratings = repo.s.scalar(select(func.count()).select_from(Rating).where(*_in_window(Rating.create_time, window))) or 0
    started = len(sessions)
    return pb.PlatformStats(
        interval=interval_pb2.Interval(start_time=timestamp(window.start), end_time=timestamp(window.end)),
        watcher_count=len({p.user_id for p in plays} | {s.user_id for s in sessions}),
        movie_play_count=sum(1 for p in plays if p.kind == "movie"),
        episode_play_count=sum(1 for p in plays if p.kind == "episode"),
        start_count=started,
        completion_rate=round(sum(1 for s in sessions if s.completed) / started, 4) if started else 0.0,
        watch_time=_dur(sum(p.runtime_seconds for p in plays)),
        watchlist_add_count=adds,
        rating_count=ratings,
        genres=_genres(repo, plays),
        buckets=_buckets(window, plays, now, with_watchers=True),
    )


# -- title activity -------------------------------------------------------------------

ACTIVITY_ORDERS = {
    pb.TITLE_ACTIVITY_ORDER_UNSPECIFIED: "watchers",
    pb.TITLE_ACTIVITY_ORDER_WATCHER_COUNT: "watchers",
    pb.TITLE_ACTIVITY_ORDER_PLAY_COUNT: "plays",
    pb.TITLE_ACTIVITY_ORDER_WATCH_TIME: "watch_seconds",
    pb.TITLE_ACTIVITY_ORDER_WATCHLIST_ADD_COUNT: "adds",
}


def activity_rows(repo: TrackingRepository, window: Window, kind: str | None, titles: Sequence[str]) -> list[dict[str, Any]]:
    """Per-title counts over the window; `titles` limits them (and adds zero rows)."""
    limit = [HistoryEntry.title_id.in_(titles)] if titles else []
    per: dict[str, dict[str, Any]] = {}

    def row(title_id: str) -> dict[str, Any]:
        return per.setdefault(
            title_id, {"id": title_id, "users": set(), "starts": 0, "completed": 0, "plays": 0, "watch_seconds": 0.0, "adds": 0}
        )

    for title_id in titles:
        row(title_id)
    for user_id, title_id, runtime in repo.rows(
        select(HistoryEntry.user_id, HistoryEntry.title_id, HistoryEntry.runtime_seconds).where(
            *limit, *_in_window(HistoryEntry.watch_time, window)
        )
    ):
        r = row(title_id)
        r["users"].add(user_id)
        r["plays"] += 1
        r["watch_seconds"] += runtime
    session_limit = [ScrobbleSession.title_id.in_(titles)] if titles else []
    for user_id, title_id, completed, watched in repo.rows(
        select(
            ScrobbleSession.user_id, ScrobbleSession.title_id, ScrobbleSession.completed, ScrobbleSession.watched_seconds
        ).where(*session_limit, *_in_window(ScrobbleSession.start_time, window))
    ):
        r = row(title_id)
        r["users"].add(user_id)
        r["starts"] += 1
        if completed:
            r["completed"] += 1
        else:
            r["watch_seconds"] += watched  # completed sessions are counted by their play
    add_limit = [WatchlistEntry.title_id.in_(titles)] if titles else []
    for title_id, count in repo.rows(
        select(WatchlistEntry.title_id, func.count())
        .where(*add_limit, *_in_window(WatchlistEntry.create_time, window))
        .group_by(WatchlistEntry.title_id)
    ):
        row(title_id)["adds"] += count
    ids = list(per)
    ratings = (
        {
            t: (n, avg)
            for t, n, avg in repo.rows(
                select(Rating.title_id, func.count(), func.avg(Rating.score))
                .where(Rating.title_id.in_(ids), Rating.kind != "episode")
                .group_by(Rating.title_id)
            )
        }
        if ids
        else {}
    )
    snapshots = repo.titles(ids)
    found = []
    for title_id, r in per.items():
        title: TitleSnapshot | None = snapshots.get(title_id)
        r["kind"] = title.kind if title else ""
        if kind and r["kind"] != kind:
            continue
        r["watchers"] = len(r.pop("users"))
        r["rating_count"], r["average_rating"] = ratings.get(title_id, (0, 0.0))
        found.append(r)
    return found


async def title_activity(handler: Any, request: pb.ListTitleActivityRequest) -> pb.ListTitleActivityResponse:
    now = handler.domain.clock()
    window = window_of(request, default_days=7, now=now)
    start, end = window.start or now - dt.timedelta(days=7), window.end or now
    if end - start > dt.timedelta(days=MAX_ACTIVITY_DAYS):
        raise invalid("interval", f"the window must be at most {MAX_ACTIVITY_DAYS} days")
    window = Window(start, end, None, window.zone)
    if len(request.titles) > 100:
        raise invalid("titles", "at most 100 titles")
    titles = []
    for index, name in enumerate(request.titles):
        if not name.startswith("titles/") or "/" in name[7:] or not name[7:]:
            raise invalid(f"titles[{index}]", "must be titles/{title}")
        titles.append(name[7:])
    kind = {pb.ITEM_KIND_UNSPECIFIED: None, pb.ITEM_KIND_MOVIE: "movie", pb.ITEM_KIND_SERIES: "series"}.get(request.kind, "bad")
    if kind == "bad":
        raise invalid("kind", "must be MOVIE or SERIES")
    if request.order_by not in ACTIVITY_ORDERS:
        raise invalid("order_by", "is not a known order")
    order = ACTIVITY_ORDERS[request.order_by]
    size = page_size(request.page_size, default=50, maximum=500)
    query = "ListTitleActivity:" + request.SerializeToString(deterministic=True).hex()
    # A bound window: the token pins it so every page counts the same plays.
    stripped = pb.ListTitleActivityRequest()
    stripped.CopyFrom(request)
    stripped.ClearField("page_token")
    stripped.ClearField("page_size")
    query = "ListTitleActivity:" + stripped.SerializeToString(deterministic=True).hex()
    after = handler.pages.decode(request.page_token, query=query)
    if after:
        start, end = dt.datetime.fromisoformat(str(after["s"])), dt.datetime.fromisoformat(str(after["e"]))
        window = Window(start, end, None, window.zone)
    rows = await handler._run(activity_rows, window, kind, titles)
    rows.sort(key=lambda r: (-r[order], r["id"]))
    if after:
        key, last = float(after["k"]), str(after["id"])
        rows = [r for r in rows if (-r[order], r["id"]) > (-key, last)]
    chosen, more = rows[:size], len(rows) > size
    token = ""
    if more:
        tail = chosen[-1]
        token = handler.pages.encode(
            {"k": tail[order], "id": tail["id"], "s": start.isoformat(), "e": end.isoformat()}, query=query
        )
    return pb.ListTitleActivityResponse(
        titles=[
            pb.TitleActivity(
                title=f"titles/{r['id']}",
                kind={"movie": pb.ITEM_KIND_MOVIE, "series": pb.ITEM_KIND_SERIES}.get(r["kind"], pb.ITEM_KIND_UNSPECIFIED),
                watcher_count=r["watchers"],
                start_count=r["starts"],
                play_count=r["plays"],
                completion_rate=round(r["completed"] / r["starts"], 4) if r["starts"] else 0.0,
                watch_time=_dur(r["watch_seconds"]),
                average_watch_time=_dur(r["watch_seconds"] / r["starts"]) if r["starts"] else _dur(0),
                watchlist_add_count=r["adds"],
                rating_count=r["rating_count"],
                average_rating=round(float(r["average_rating"] or 0.0), 2),
            )
            for r in chosen
        ],
        next_page_token=token,
        interval=interval_pb2.Interval(start_time=timestamp(start), end_time=timestamp(end)),
    )


# -- recommendations -----------------------------------------------------------------


def _info(facts: TitleFacts) -> pb.TitleInfo:
    return pb.TitleInfo(
        title=f"titles/{facts.title_id}",
        kind=pb.ITEM_KIND_SERIES if facts.is_series else pb.ITEM_KIND_MOVIE,
        display_name=facts.display_name,
        poster_path=facts.poster_path,
        release_date=date_pb2.Date(year=facts.release_date.year, month=facts.release_date.month, day=facts.release_date.day)
        if facts.release_date
        else None,
        genres=list(facts.genres),
        runtime=_dur(facts.runtime_minutes * 60),
    )


def rank(
    candidates: Iterable[TitleFacts],
    weights: dict[str, float],
    sources: dict[str, list[str]],
    names: dict[str, str],
    exclude: set[str],
    *,
    kind: str | None,
    genre: str,
) -> list[tuple[TitleFacts, float, list[str]]]:
    """Candidates scored by the weight of the genres they share with the user's titles, best first."""
    total = sum(sorted(weights.values(), reverse=True)[:3]) or 1.0
    ranked, seen = [], set()
    for facts in candidates:
        if facts.title_id in exclude or facts.title_id in seen:
            continue
        if kind and facts.kind != kind:
            continue
        if genre and genre.lower() not in {g.lower() for g in facts.genres}:
            continue
        seen.add(facts.title_id)
        shared = [g for g in facts.genres if g in weights]
        if not shared:
            continue
        score = min(1.0, sum(weights[g] for g in shared) / total)
        because = [t for t, genres in sources.items() if set(genres) & set(shared) and t in names]
        because.sort(key=lambda t: -sum(weights.get(g, 0.0) for g in sources[t] if g in shared))
        ranked.append((facts, round(score, 4), because[:3]))
    ranked.sort(key=lambda r: (-r[1], r[0].display_name, r[0].title_id))
    return ranked[:MAX_RECOMMENDATIONS]


async def recommend(
    handler: Any, principal: Principal, request: pb.ListRecommendationsRequest, kind: str | None, user_id: str
) -> list[pb.Recommendation]:
    user_id, weights, seen, watchlisted, dismissed, names = await handler._run(
        handler.domain.recommendation_inputs, principal, user_id
    )
    exclude = seen | dismissed | (set() if request.include_watchlisted else watchlisted)
    found: list[pb.Recommendation] = []
    if weights:
        sources = await handler._run(handler.domain.title_genres, user_id)
        top = [g for g, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
        candidates = await handler.catalog.titles_with_genres(top, limit=MAX_RECOMMENDATIONS * 2)
        for facts, score, because in rank(candidates, weights, sources, names, exclude, kind=kind, genre=request.genre):
            reason = f"Because you watched {names[because[0]]}" if because else f"Because you like {facts.genres[0]}"
            found.append(
                pb.Recommendation(
                    name=f"users/{user_id}/recommendations/{facts.title_id}",
                    title=f"titles/{facts.title_id}",
                    title_info=_info(facts),
                    reason=reason,
                    reason_kind=pb.RECOMMENDATION_REASON_GENRE,
                    because_of=[f"titles/{t}" for t in because],
                    score=score,
                )
            )
    if not found:
        popular = [
            f
            for f in await handler.catalog.popular_titles(limit=100)
            if f.title_id not in exclude
            and (not kind or f.kind == kind)
            and (not request.genre or request.genre.lower() in {g.lower() for g in f.genres})
        ]
        for index, facts in enumerate(popular):
            found.append(
                pb.Recommendation(
                    name=f"users/{user_id}/recommendations/{facts.title_id}",
                    title=f"titles/{facts.title_id}",
                    title_info=_info(facts),
                    reason="Trending on Marquee",
                    reason_kind=pb.RECOMMENDATION_REASON_TRENDING,
                    score=round(1.0 - index / max(len(popular), 1), 4),
                )
            )
    return found
