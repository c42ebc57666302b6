"""Tracking's queries. Takes a session, never commits: the unit of work around the RPC does."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, Select, String, and_, bindparam, case, cast, delete, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, make_transient_to_detached

from services.core.conditions import in_window
from services.core.db import Prepared, is_read_only, loaded
from services.tracking.domain import EpisodeFacts, Item, Play
from services.tracking.models import (
    Completion,
    Dismissal,
    EpisodeSnapshot,
    HistoryEntry,
    LastActivity,
    Playback,
    Rating,
    ScrobbleSession,
    ShowProgress,
    TitleSnapshot,
    WatchlistEntry,
)


def _utc(value: Any) -> Any:
    """Aggregates lose the column type on SQLite: naive datetimes, or text, come back."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


@dataclass(frozen=True)
class SeriesSummary:
    """What the writes stored about a series for one user: read with the series, never per series."""

    title: TitleSnapshot
    progress: ShowProgress | None
    next_episode: EpisodeFacts | None  # the stored next episode, aired or not; None when not stored or gone
    aired: int  # episodes aired by the given day, specials excluded
    next_playback: Playback | None  # the user's playback of the stored next episode


@dataclass(frozen=True)
class ProgressRead:
    """Everything one series' progress is computed from, for one user."""

    title: TitleSnapshot | None  # None when not asked for (the caller has it) or not stored
    episodes: list[EpisodeFacts] | None  # None when not asked for
    row: ShowProgress | None
    plays: dict[tuple[int, int], tuple[int, dt.datetime, dt.datetime | None]]  # see `episode_plays`
    entry: WatchlistEntry | None
    episode_playbacks: list[Playback]


# The read-only path of `progress_read` (GetShowProgress): prepared statements, rows loaded into the
# session by hand (`Prepared.attached`) so that `Database.read_first` still sees a change to one.
_TITLE = Prepared(select(*TitleSnapshot.__table__.columns).where(TitleSnapshot.title_id == bindparam("title_id")))
_EPISODES_OF_ONE = Prepared(
    select(
        EpisodeSnapshot.season_number, EpisodeSnapshot.episode_number, EpisodeSnapshot.display_name,
        EpisodeSnapshot.runtime_minutes, EpisodeSnapshot.air_date, EpisodeSnapshot.still_path,
    )
    .where(EpisodeSnapshot.title_id == bindparam("title_id"))
    .order_by(EpisodeSnapshot.season_number, EpisodeSnapshot.episode_number)
)  # fmt: skip
_PROGRESS_KEYS = tuple(str(c.key) for c in ShowProgress.__table__.columns)
_ENTRY_KEYS = tuple(str(c.key) for c in WatchlistEntry.__table__.columns)
# The user's progress row and watchlist entry for a stored title, in one row (either may be missing).
_PROGRESS_AND_ENTRY = Prepared(
    select(*ShowProgress.__table__.columns, *WatchlistEntry.__table__.columns)
    .select_from(TitleSnapshot)
    .outerjoin(
        ShowProgress,
        and_(ShowProgress.user_id == bindparam("user_id"), ShowProgress.title_id == TitleSnapshot.title_id),
    )
    .outerjoin(
        WatchlistEntry,
        and_(WatchlistEntry.user_id == bindparam("user_id"), WatchlistEntry.title_id == TitleSnapshot.title_id),
    )
    .where(TitleSnapshot.title_id == bindparam("title_id"))
)
_EPISODE_PLAYS = Prepared(
    select(
        HistoryEntry.season_number, HistoryEntry.episode_number, HistoryEntry.cycle, func.count(),
        func.max(HistoryEntry.watch_time),
    )
    .where(
        HistoryEntry.user_id == bindparam("user_id"), HistoryEntry.title_id == bindparam("title_id"),
        HistoryEntry.kind == "episode",
    )
    .group_by(HistoryEntry.season_number, HistoryEntry.episode_number, HistoryEntry.cycle)
)  # fmt: skip
_EPISODE_PLAYBACKS = Prepared(
    select(*Playback.__table__.columns).where(
        Playback.user_id == bindparam("user_id"), Playback.title_id == bindparam("title_id"), Playback.kind == "episode"
    )
)

_NEXT = aliased(EpisodeSnapshot, name="next_episode")
_USER, _TODAY = bindparam("user_id", type_=String), bindparam("today", type_=Date)


def _summary_columns() -> tuple[Any, ...]:
    """A series' snapshot, the user's progress row, its stored next episode, the aired count, the next playback."""
    counted = (
        select(func.count())
        .where(
            EpisodeSnapshot.title_id == TitleSnapshot.title_id,
            EpisodeSnapshot.season_number > 0,
            or_(EpisodeSnapshot.air_date.is_(None), EpisodeSnapshot.air_date <= _TODAY),
        )
        .correlate(TitleSnapshot)
        .scalar_subquery()
    )
    # Once every episode has aired the count is the stored total: the episodes are counted only
    # for series still airing (or stored before `episodes_aired_by` was known).
    aired = case((TitleSnapshot.episodes_aired_by <= _TODAY, TitleSnapshot.episode_count), else_=counted)
    return (
        TitleSnapshot, ShowProgress, _NEXT.season_number, _NEXT.episode_number, _NEXT.display_name, _NEXT.runtime_minutes,
        _NEXT.air_date, _NEXT.still_path, aired, Playback,
    )  # fmt: skip


def _summary_joins(query: Select[*tuple[Any, ...]], title_id: Any) -> Select[*tuple[Any, ...]]:
    """Outer-joins what `_summary_columns` reads, each by its key, to a query with the titles in its FROM."""
    # A playback is keyed by its item's name, so the next episode's is a lookup on (user_id, item).
    next_item = (
        literal("titles/", String) + title_id + "/seasons/" + cast(ShowProgress.next_season, String)
        + "/episodes/" + cast(ShowProgress.next_episode, String)
    )  # fmt: skip
    return (
        query.outerjoin(ShowProgress, and_(ShowProgress.user_id == _USER, ShowProgress.title_id == title_id))
        .outerjoin(
            _NEXT,
            and_(
                _NEXT.title_id == title_id,
                _NEXT.season_number == ShowProgress.next_season,
                _NEXT.episode_number == ShowProgress.next_episode,
            ),
        )
        .outerjoin(Playback, and_(Playback.user_id == _USER, Playback.item == next_item))
    )


def _summary(row: Sequence[Any]) -> SeriesSummary | None:
    title, progress, season, number, name, runtime, air_date, still, aired, playback = row
    if title is None:
        return None
    nxt = EpisodeFacts(season, number, name, runtime, air_date, still) if season is not None else None
    return SeriesSummary(title, progress, nxt, int(aired or 0), playback)


# Both statements are built once (parameters: user_id, today, and their own below): the hot
# paths would otherwise spend more time building the expression than the database running it.
@functools.cache
def _series_summaries_statement() -> Select[*tuple[Any, ...]]:
    query = _summary_joins(select(*_summary_columns()).select_from(TitleSnapshot), TitleSnapshot.title_id)
    return query.where(TitleSnapshot.title_id.in_(bindparam("title_ids", expanding=True)), TitleSnapshot.kind == "series")


@functools.cache
def _up_next_statement(after: bool) -> Select[*tuple[Any, ...]]:
    """Parameters: statuses, limit, and (after) after_time, after_id."""
    w = WatchlistEntry
    page = select(w.activity_time, w.title_id, w.status).where(
        w.user_id == _USER, w.kind == "series", w.status.in_(bindparam("statuses", expanding=True))
    )
    if after:
        key, last = bindparam("after_time", type_=w.activity_time.type), bindparam("after_id", type_=String)
        page = page.where(or_(w.activity_time < key, and_(w.activity_time == key, w.title_id < last)))
    # Limited before the joins, so that every join is a key lookup per entry.
    entries = page.order_by(w.activity_time.desc(), w.title_id.desc()).limit(bindparam("limit", type_=Integer)).subquery()
    query = (
        select(entries.c.activity_time, entries.c.title_id, entries.c.status, *_summary_columns())
        .select_from(entries)
        .outerjoin(TitleSnapshot, and_(TitleSnapshot.title_id == entries.c.title_id, TitleSnapshot.kind == "series"))
    )
    return _summary_joins(query, entries.c.title_id).order_by(entries.c.activity_time.desc(), entries.c.title_id.desc())


def _item_conditions(model: type[HistoryEntry] | type[Playback] | type[Rating], item: Item | None) -> list[Any]:
    """Rows about an item: a title's (movie or every episode), a season's or one episode's."""
    if item is None:
        return []
    found: list[Any] = [model.title_id == item.title_id]
    if item.season is not None:
        found.append(model.season_number == item.season)
    if item.episode is not None:
        found.append(model.episode_number == item.episode)
    if item.season is not None:
        found.append(model.kind == "episode")
    return found


def _keyset(
    query: Select[Any], column: Any, tiebreak: Any, descending: bool, size: int, after: tuple[object, str] | None
) -> Select[Any]:
    """One page plus one row, after `after` = (sort key, tiebreak) in (column, tiebreak) order."""
    if after is not None:
        key, last = after
        if descending:
            query = query.where(or_(column < key, and_(column == key, tiebreak < last)))
        else:
            query = query.where(or_(column > key, and_(column == key, tiebreak > last)))
    order = (column.desc(), tiebreak.desc()) if descending else (column.asc(), tiebreak.asc())
    return query.order_by(*order).limit(size + 1)


_WATCHLIST_ORDER: dict[str, Any] = {
    "update_time": WatchlistEntry.update_time,
    "create_time": WatchlistEntry.create_time,
    "title": WatchlistEntry.sort_title,
    # Never-watched entries last: sort by the last watch with the epoch standing in.
    "last_watch_time": func.coalesce(WatchlistEntry.last_watch_time, dt.datetime(1970, 1, 1, tzinfo=dt.UTC)),
}


# The tables holding a user's rows, keyed as the export and the purge name them, with a stable export order.
_USER_TABLES: tuple[tuple[str, Any, tuple[Any, ...]], ...] = (
    ("watchlist", WatchlistEntry, (WatchlistEntry.create_time, WatchlistEntry.id)),
    ("history", HistoryEntry, (HistoryEntry.watch_time, HistoryEntry.id)),
    ("ratings", Rating, (Rating.create_time, Rating.id)),
    ("playbacks", Playback, (Playback.update_time, Playback.id)),
    ("progress", ShowProgress, (ShowProgress.title_id,)),
    ("completions", Completion, (Completion.complete_time, Completion.id)),
    ("dismissals", Dismissal, (Dismissal.create_time, Dismissal.id)),
    ("sessions", ScrobbleSession, (ScrobbleSession.start_time, ScrobbleSession.id)),
    ("activity", LastActivity, (LastActivity.user_id,)),
)


class TrackingRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, row: object) -> None:
        self.s.add(row)

    def add_all(self, rows: Iterable[object]) -> None:
        self.s.add_all(rows)

    def delete(self, row: object) -> None:
        self.s.delete(row)

    def flush(self) -> None:
        self.s.flush()

    # -- catalog snapshots ---------------------------------------------------

    def title(self, title_id: str) -> TitleSnapshot | None:
        if is_read_only(self.s):  # a point read; the row still joins the session (see _TITLE)
            found = self.s.identity_map.get((TitleSnapshot, (title_id,), None))
            if found is not None:
                return found
            rows = _TITLE.attached(self.s, TitleSnapshot, title_id=title_id)
            return rows[0] if rows else None
        return self.s.get(TitleSnapshot, title_id)

    def titles(self, title_ids: Iterable[str]) -> dict[str, TitleSnapshot]:
        ids = list(set(title_ids))
        if not ids:
            return {}
        return {t.title_id: t for t in self.s.scalars(select(TitleSnapshot).where(TitleSnapshot.title_id.in_(ids)))}

    def episodes(self, title_ids: Iterable[str]) -> dict[str, list[EpisodeSnapshot]]:
        ids = list(set(title_ids))
        found: dict[str, list[EpisodeSnapshot]] = {i: [] for i in ids}
        if not ids:
            return found
        query = (
            select(EpisodeSnapshot)
            .where(EpisodeSnapshot.title_id.in_(ids))
            .order_by(EpisodeSnapshot.title_id, EpisodeSnapshot.season_number, EpisodeSnapshot.episode_number)
        )
        for row in self.s.scalars(query):
            found[row.title_id].append(row)
        return found

    def episode_facts(self, title_ids: Iterable[str]) -> dict[str, list[EpisodeFacts]]:
        """Episodes of titles as plain values, by season and number (no ORM objects: the hot path)."""
        ids = list(set(title_ids))
        found: dict[str, list[EpisodeFacts]] = {i: [] for i in ids}
        if not ids:
            return found
        query = (
            select(
                EpisodeSnapshot.title_id,
                EpisodeSnapshot.season_number,
                EpisodeSnapshot.episode_number,
                EpisodeSnapshot.display_name,
                EpisodeSnapshot.runtime_minutes,
                EpisodeSnapshot.air_date,
                EpisodeSnapshot.still_path,
            )
            .where(EpisodeSnapshot.title_id.in_(ids))
            .order_by(EpisodeSnapshot.title_id, EpisodeSnapshot.season_number, EpisodeSnapshot.episode_number)
        )
        for title_id, season, number, name, runtime, air_date, still in self.s.execute(query):
            found[title_id].append(EpisodeFacts(season, number, name, runtime, air_date, still))
        return found

    def episodes_by_key(self, keys: Iterable[tuple[str, int, int]]) -> dict[tuple[str, int, int], EpisodeFacts]:
        wanted = list(set(keys))
        if not wanted:
            return {}
        query = select(
            EpisodeSnapshot.title_id,
            EpisodeSnapshot.season_number,
            EpisodeSnapshot.episode_number,
            EpisodeSnapshot.display_name,
            EpisodeSnapshot.runtime_minutes,
            EpisodeSnapshot.air_date,
            EpisodeSnapshot.still_path,
        ).where(
            or_(
                *(
                    and_(EpisodeSnapshot.title_id == t, EpisodeSnapshot.season_number == s, EpisodeSnapshot.episode_number == e)
                    for t, s, e in wanted
                )
            )
        )
        return {
            (t, s, e): EpisodeFacts(s, e, name, runtime, air_date, still)
            for t, s, e, name, runtime, air_date, still in self.s.execute(query)
        }

    def series_summaries(self, user_id: str, title_ids: Iterable[str], today: dt.date) -> dict[str, SeriesSummary]:
        """Series among `title_ids` with what the writes stored about them for the user, in one statement."""
        ids = list(set(title_ids))
        if not ids:
            return {}
        params = {"user_id": user_id, "today": today, "title_ids": ids}
        found = {}
        for row in self.s.execute(_series_summaries_statement(), params):
            summary = _summary(row)
            assert summary is not None
            found[summary.title.title_id] = summary
        return found

    def up_next_rows(
        self, user_id: str, statuses: Sequence[str], today: dt.date, after: tuple[dt.datetime, str] | None, limit: int
    ) -> Sequence[Any]:
        """The user's series watchlist entries in `statuses` (activity_time, title_id, status), most recent
        activity first, after `after` = (activity_time, title_id), at most `limit`; each followed by its
        series summary (see `summary_of`). One statement.

        An entry whose title is not a stored series comes back with no summary rather than not at
        all, so the caller's paging sees every entry.
        """
        params: dict[str, Any] = {"user_id": user_id, "today": today, "statuses": list(statuses), "limit": limit}
        if after is not None:
            params["after_time"], params["after_id"] = after
        return self.s.execute(_up_next_statement(after is not None), params).all()

    @staticmethod
    def summary_of(row: Any) -> SeriesSummary | None:
        """The series summary of an `up_next_rows` row (after its three watchlist columns)."""
        return _summary(row[3:])

    def replace_episodes(self, title_id: str, rows: list[EpisodeSnapshot]) -> None:
        self.s.execute(delete(EpisodeSnapshot).where(EpisodeSnapshot.title_id == title_id))
        self.s.add_all(rows)

    # -- watchlist -----------------------------------------------------------

    def watchlist_entry(self, user_id: str, title_id: str) -> WatchlistEntry | None:
        return self.s.scalars(
            select(WatchlistEntry).where(WatchlistEntry.user_id == user_id, WatchlistEntry.title_id == title_id)
        ).first()

    def watchlist_entries(self, user_id: str, title_ids: Iterable[str]) -> dict[str, WatchlistEntry]:
        ids = list(set(title_ids))
        if not ids:
            return {}
        query = select(WatchlistEntry).where(WatchlistEntry.user_id == user_id, WatchlistEntry.title_id.in_(ids))
        return {e.title_id: e for e in self.s.scalars(query)}

    # -- progress and history ------------------------------------------------

    def progress(self, user_id: str, title_id: str) -> ShowProgress | None:
        return self.s.scalars(
            select(ShowProgress).where(ShowProgress.user_id == user_id, ShowProgress.title_id == title_id)
        ).first()

    def watched_in_cycles(self, user_id: str, cycles: dict[str, int]) -> dict[str, dict[tuple[int, int], dt.datetime]]:
        """Distinct episodes watched per series in its current cycle, with the latest watch time."""
        found: dict[str, dict[tuple[int, int], dt.datetime]] = {t: {} for t in cycles}
        if not cycles:
            return found
        condition = or_(*(and_(HistoryEntry.title_id == t, HistoryEntry.cycle == c) for t, c in cycles.items()))
        query = (
            select(
                HistoryEntry.title_id, HistoryEntry.season_number, HistoryEntry.episode_number, func.max(HistoryEntry.watch_time)
            )
            .where(HistoryEntry.user_id == user_id, HistoryEntry.kind == "episode", condition)
            .group_by(HistoryEntry.title_id, HistoryEntry.season_number, HistoryEntry.episode_number)
        )
        for title_id, season, episode, latest in self.s.execute(query):
            if latest is not None and latest.tzinfo is None:
                latest = latest.replace(tzinfo=dt.UTC)
            found[title_id][(season, episode)] = latest
        return found

    def progress_read(self, user_id: str, title_id: str, *, with_title: bool, row: ShowProgress | None = None) -> ProgressRead:
        """The read behind `GetShowProgress` and every recomputed progress: the title and its episodes (when
        `with_title`), the user's progress row (unless given), the plays of each episode, the watchlist
        entry and the saved episode playbacks. One function, so that it can become fewer statements."""
        if is_read_only(self.s):
            fast = self._progress_read_prepared(user_id, title_id, with_title=with_title, row=row)
            if fast is not None:
                return fast
        title = self.title(title_id) if with_title else None
        episodes = self.episode_facts([title_id])[title_id] if with_title and title is not None else None
        if row is None:
            row = self.progress(user_id, title_id)
        plays = self.episode_plays(user_id, title_id, cycle=row.rewatch_count) if row else {}
        entry = self.watchlist_entry(user_id, title_id)
        playbacks = [p for p in self.playbacks_for(user_id, [title_id]) if p.kind == "episode"]
        return ProgressRead(title, episodes, row, plays, entry, playbacks)

    def _progress_read_prepared(
        self, user_id: str, title_id: str, *, with_title: bool, row: ShowProgress | None
    ) -> ProgressRead | None:
        """`progress_read` in four prepared statements (a stored title's row, episodes when asked, the
        progress row with the watchlist entry, the plays, the playbacks); None when the title is not stored."""
        s = self.s
        title = self.title(title_id) if with_title else None
        if with_title and title is None:
            return None
        found = _PROGRESS_AND_ENTRY.rows(s, user_id=user_id, title_id=title_id)
        if not found:
            return None
        progress_values, entry_values = found[0][: len(_PROGRESS_KEYS)], found[0][len(_PROGRESS_KEYS) :]
        if row is None and progress_values[0] is not None:
            row = self._attach(ShowProgress, _PROGRESS_KEYS, progress_values)
        entry = self._attach(WatchlistEntry, _ENTRY_KEYS, entry_values) if entry_values[0] is not None else None
        episodes = None
        if with_title:
            episodes = [EpisodeFacts(*values) for values in _EPISODES_OF_ONE.rows(s, title_id=title_id)]
        plays: dict[tuple[int, int], tuple[int, dt.datetime, dt.datetime | None]] = {}
        if row is not None:
            current = row.rewatch_count
            for season, episode, cycle, count, latest in _EPISODE_PLAYS.rows(s, user_id=user_id, title_id=title_id):
                plays_of = plays.get((season, episode))
                latest = _utc(latest)
                in_cycle = latest if cycle == current else None
                if plays_of is not None:
                    count += plays_of[0]
                    latest = max(latest, plays_of[1])
                    in_cycle = in_cycle or plays_of[2]
                plays[(season, episode)] = (int(count), latest, in_cycle)
        playbacks = _EPISODE_PLAYBACKS.attached(s, Playback, user_id=user_id, title_id=title_id)
        return ProgressRead(title, episodes, row, plays, entry, playbacks)

    def _attach(self, model: type[Any], keys: tuple[str, ...], values: Sequence[Any]) -> Any:
        """A row read by hand, in the session as if a query had loaded it (or the one already there)."""
        instance = loaded(model, keys, values)
        identity = self.s.identity_map.get((model, (instance.id,), None))
        if identity is not None:
            return identity
        make_transient_to_detached(instance)
        self.s.add(instance)
        return instance

    def episode_plays(
        self, user_id: str, title_id: str, *, cycle: int
    ) -> dict[tuple[int, int], tuple[int, dt.datetime, dt.datetime | None]]:
        """Per episode of a series: plays in all cycles, the latest play, and the latest in `cycle`."""
        return self.episode_plays_of(user_id, {title_id: cycle})[title_id]

    def episode_plays_of(
        self, user_id: str, cycles: dict[str, int]
    ) -> dict[str, dict[tuple[int, int], tuple[int, dt.datetime, dt.datetime | None]]]:
        """`episode_plays` for several series (each with its own current cycle) in one query."""
        found: dict[str, dict[tuple[int, int], tuple[int, dt.datetime, dt.datetime | None]]] = {t: {} for t in cycles}
        if not cycles:
            return found
        query = (
            select(
                HistoryEntry.title_id, HistoryEntry.season_number, HistoryEntry.episode_number, HistoryEntry.cycle,
                func.count(), func.max(HistoryEntry.watch_time),
            )
            .where(HistoryEntry.user_id == user_id, HistoryEntry.title_id.in_(list(cycles)), HistoryEntry.kind == "episode")
            .group_by(HistoryEntry.title_id, HistoryEntry.season_number, HistoryEntry.episode_number, HistoryEntry.cycle)
        )  # fmt: skip
        for title_id, season, episode, cycle, count, latest in self.s.execute(query):
            plays = found[title_id]
            latest = _utc(latest)
            before = plays.get((season, episode))
            in_cycle = latest if cycle == cycles[title_id] else None
            if before is not None:
                count += before[0]
                latest = max(latest, before[1])
                in_cycle = in_cycle or before[2]
            plays[(season, episode)] = (int(count), latest, in_cycle)
        return found

    def play_count(self, user_id: str, title_id: str) -> int:
        return (
            self.s.scalar(
                select(func.count())
                .select_from(HistoryEntry)
                .where(HistoryEntry.user_id == user_id, HistoryEntry.title_id == title_id)
            )
            or 0
        )

    def movie_watched(self, user_id: str, title_id: str) -> bool:
        return (
            self.s.scalar(
                select(HistoryEntry.id)
                .where(HistoryEntry.user_id == user_id, HistoryEntry.title_id == title_id, HistoryEntry.kind == "movie")
                .limit(1)
            )
            is not None
        )

    def last_movie_watch(self, user_id: str, title_id: str) -> dt.datetime | None:
        return self.s.scalar(
            select(func.max(HistoryEntry.watch_time)).where(
                HistoryEntry.user_id == user_id, HistoryEntry.title_id == title_id, HistoryEntry.kind == "movie"
            )
        )

    def history_entries(self, user_id: str, ids: Iterable[str]) -> list[HistoryEntry]:
        ids = list(set(ids))
        if not ids:
            return []
        return list(self.s.scalars(select(HistoryEntry).where(HistoryEntry.user_id == user_id, HistoryEntry.id.in_(ids))))

    def delete_episode_plays(self, user_id: str, title_id: str, cycle: int, episodes: Iterable[tuple[int, int]]) -> int:
        total = 0
        for season, episode in episodes:
            result = self.s.execute(
                delete(HistoryEntry).where(
                    HistoryEntry.user_id == user_id,
                    HistoryEntry.title_id == title_id,
                    HistoryEntry.kind == "episode",
                    HistoryEntry.cycle == cycle,
                    HistoryEntry.season_number == season,
                    HistoryEntry.episode_number == episode,
                )
            )
            total += int(getattr(result, "rowcount", 0) or 0)
        return total

    def delete_movie_plays(self, user_id: str, title_id: str) -> int:
        result = self.s.execute(
            delete(HistoryEntry).where(
                HistoryEntry.user_id == user_id, HistoryEntry.title_id == title_id, HistoryEntry.kind == "movie"
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def completion(self, user_id: str, title_id: str, cycle: int) -> Completion | None:
        return self.s.scalars(
            select(Completion).where(Completion.user_id == user_id, Completion.title_id == title_id, Completion.cycle == cycle)
        ).first()

    # -- playbacks, ratings, activity ----------------------------------------

    def playback(self, user_id: str, item: str) -> Playback | None:
        return self.s.scalars(select(Playback).where(Playback.user_id == user_id, Playback.item == item)).first()

    def playing(self, user_id: str) -> Sequence[Playback]:
        return self.s.scalars(select(Playback).where(Playback.user_id == user_id, Playback.state == "playing")).all()

    def playbacks_for(self, user_id: str, title_ids: Iterable[str]) -> list[Playback]:
        ids = list(set(title_ids))
        if not ids:
            return []
        return list(self.s.scalars(select(Playback).where(Playback.user_id == user_id, Playback.title_id.in_(ids))))

    def scrobble_session(self, session_id: str) -> ScrobbleSession | None:
        return self.s.get(ScrobbleSession, session_id) if session_id else None

    def rating(self, user_id: str, item: str) -> Rating | None:
        return self.s.scalars(select(Rating).where(Rating.user_id == user_id, Rating.item == item)).first()

    def title_ratings(self, user_id: str, title_ids: Iterable[str]) -> dict[str, int]:
        ids = list(set(title_ids))
        if not ids:
            return {}
        query = select(Rating.title_id, Rating.score).where(
            Rating.user_id == user_id, Rating.title_id.in_(ids), Rating.kind != "episode"
        )
        return {t: s for t, s in self.s.execute(query)}

    def dismissal(self, user_id: str, title_id: str) -> Dismissal | None:
        return self.s.scalars(select(Dismissal).where(Dismissal.user_id == user_id, Dismissal.title_id == title_id)).first()

    def last_activity(self, user_id: str, *, create: bool = False) -> LastActivity | None:
        row = self.s.get(LastActivity, user_id)
        if row is None and create:
            row = LastActivity(user_id=user_id)
            self.s.add(row)
        return row

    # -- pages -----------------------------------------------------------------

    def watchlist_page(
        self,
        user_id: str,
        *,
        statuses: Sequence[str],
        favorites_only: bool,
        kind: str | None,
        since: dt.datetime | None,
        order: str,
        size: int,
        after: tuple[object, str] | None,
    ) -> tuple[list[WatchlistEntry], int]:
        """A page (plus one row) of the user's watchlist in `order`, and how many entries match in all."""
        conditions: list[Any] = [WatchlistEntry.user_id == user_id]
        if statuses:
            conditions.append(WatchlistEntry.status.in_(list(statuses)))
        if favorites_only:
            conditions.append(WatchlistEntry.favorite.is_(True))
        if kind:
            conditions.append(WatchlistEntry.kind == kind)
        if since is not None:
            conditions.append(WatchlistEntry.update_time > since)
        total = self.s.scalar(select(func.count()).select_from(WatchlistEntry).where(*conditions)) or 0
        query = select(WatchlistEntry).where(*conditions)
        page = _keyset(query, _WATCHLIST_ORDER[order], WatchlistEntry.title_id, order != "title", size, after)
        return list(self.s.scalars(page)), total

    def progress_page(
        self, user_id: str, *, statuses: Sequence[str], since: dt.datetime | None, size: int, after: tuple[object, str] | None
    ) -> list[ShowProgress]:
        """Progress rows (started series and watchlisted ones not started yet), most recent activity first."""
        query = select(ShowProgress).where(ShowProgress.user_id == user_id)
        if since is not None:
            query = query.where(ShowProgress.update_time > since)
        if statuses:
            query = query.join(
                WatchlistEntry,
                and_(WatchlistEntry.user_id == ShowProgress.user_id, WatchlistEntry.title_id == ShowProgress.title_id),
            ).where(WatchlistEntry.status.in_(list(statuses)))
        return list(self.s.scalars(_keyset(query, ShowProgress.activity_time, ShowProgress.title_id, True, size, after)))

    def playbacks_page(
        self,
        user_id: str,
        *,
        kind: str | None,
        item: Item | None,
        updated_after: dt.datetime,
        since: dt.datetime | None,
        size: int,
        after: tuple[object, str] | None,
    ) -> list[Playback]:
        conditions: list[Any] = [Playback.user_id == user_id, Playback.update_time >= updated_after]
        if kind:
            conditions.append(Playback.kind == kind)
        conditions.extend(_item_conditions(Playback, item))
        if since is not None:
            conditions.append(Playback.update_time > since)
        query = select(Playback).where(*conditions)
        return list(self.s.scalars(_keyset(query, Playback.update_time, Playback.id, True, size, after)))

    def history_page(
        self,
        user_id: str,
        *,
        item: Item | None,
        kind: str | None,
        start: dt.datetime | None,
        end: dt.datetime | None,
        since: dt.datetime | None,
        size: int,
        after: tuple[object, str] | None,
    ) -> list[HistoryEntry]:
        conditions: list[Any] = [HistoryEntry.user_id == user_id, *_item_conditions(HistoryEntry, item)]
        if kind:
            conditions.append(HistoryEntry.kind == kind)
        conditions.extend(in_window(HistoryEntry.watch_time, start, end))
        if since is not None:
            conditions.append(HistoryEntry.create_time > since)
        query = select(HistoryEntry).where(*conditions)
        return list(self.s.scalars(_keyset(query, HistoryEntry.watch_time, HistoryEntry.id, True, size, after)))

    def ratings_page(
        self,
        user_id: str,
        *,
        kind: str | None,
        item: Item | None,
        min_score: int,
        since: dt.datetime | None,
        size: int,
        after: tuple[object, str] | None,
    ) -> list[Rating]:
        """Ratings by update time, most recent first."""
        conditions: list[Any] = [Rating.user_id == user_id, *_item_conditions(Rating, item)]
        if kind:
            conditions.append(Rating.kind == kind)
        if min_score:
            conditions.append(Rating.score >= min_score)
        if since is not None:
            conditions.append(Rating.update_time > since)
        query = select(Rating).where(*conditions)
        return list(self.s.scalars(_keyset(query, Rating.update_time, Rating.id, True, size, after)))

    def ratings_by_score_page(
        self,
        user_id: str,
        *,
        kind: str | None,
        item: Item | None,
        min_score: int,
        since: dt.datetime | None,
        size: int,
        after: tuple[int, dt.datetime, str] | None,
    ) -> list[Rating]:
        """Ratings by (score, update time, id) descending, as one composite key, after `after`."""
        conditions: list[Any] = [Rating.user_id == user_id, *_item_conditions(Rating, item)]
        if kind:
            conditions.append(Rating.kind == kind)
        if min_score:
            conditions.append(Rating.score >= min_score)
        if since is not None:
            conditions.append(Rating.update_time > since)
        query = select(Rating).where(*conditions)
        if after is not None:
            score, when, last_id = after
            query = query.where(
                or_(
                    Rating.score < score,
                    and_(
                        Rating.score == score,
                        or_(Rating.update_time < when, and_(Rating.update_time == when, Rating.id < last_id)),
                    ),
                )
            )
        ordered = query.order_by(Rating.score.desc(), Rating.update_time.desc(), Rating.id.desc()).limit(size + 1)
        return list(self.s.scalars(ordered))

    # -- single rows -------------------------------------------------------------

    def playback_by_id(self, user_id: str, playback_id: str) -> Playback | None:
        """The user's playback; another user's is None, as if it did not exist."""
        row = self.s.get(Playback, playback_id)
        return row if row is not None and row.user_id == user_id else None

    def rating_by_id(self, user_id: str, rating_id: str) -> Rating | None:
        row = self.s.get(Rating, rating_id)
        return row if row is not None and row.user_id == user_id else None

    def latest_play(self, user_id: str, title_id: str) -> HistoryEntry | None:
        """The play of a title recorded last."""
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.user_id == user_id, HistoryEntry.title_id == title_id)
            .order_by(HistoryEntry.create_time.desc(), HistoryEntry.watch_time.desc())
            .limit(1)
        )
        return self.s.scalars(query).first()

    # -- what recommendations read ---------------------------------------------------

    def watched_title_ids(self, user_id: str) -> set[str]:
        return set(self.s.scalars(select(HistoryEntry.title_id).where(HistoryEntry.user_id == user_id).distinct()))

    def title_scores(self, user_id: str, *, min_score: int = 0) -> dict[str, int]:
        """The user's ratings of titles (movies and series, not episodes) at `min_score` or more."""
        query = select(Rating.title_id, Rating.score).where(Rating.user_id == user_id, Rating.kind != "episode")
        if min_score:
            query = query.where(Rating.score >= min_score)
        return {t: s for t, s in self.s.execute(query)}

    def rated_title_ids(self, user_id: str, *, min_score: int) -> set[str]:
        """Titles with any rating (episodes too) at `min_score` or more."""
        return set(self.s.scalars(select(Rating.title_id).where(Rating.user_id == user_id, Rating.score >= min_score)))

    def watchlist_title_ids(self, user_id: str, *, status: str | None = None) -> set[str]:
        query = select(WatchlistEntry.title_id).where(WatchlistEntry.user_id == user_id)
        if status is not None:
            query = query.where(WatchlistEntry.status == status)
        return set(self.s.scalars(query))

    def dismissed_title_ids(self, user_id: str) -> set[str]:
        return set(self.s.scalars(select(Dismissal.title_id).where(Dismissal.user_id == user_id)))

    # -- what the stats read ---------------------------------------------------------

    def plays(self, start: dt.datetime | None, end: dt.datetime | None, *, user_id: str | None = None) -> list[Play]:
        """Plays watched in [start, end), of one user or of everyone."""
        h = HistoryEntry
        query = select(h.user_id, h.title_id, h.kind, h.season_number, h.episode_number, h.watch_time, h.runtime_seconds).where(
            *in_window(h.watch_time, start, end)
        )
        if user_id is not None:
            query = query.where(h.user_id == user_id)
        return [
            Play(user, title, kind, season, episode, _utc(when), float(runtime))
            for user, title, kind, season, episode, when, runtime in self.s.execute(query)
        ]

    def title_genres(self, title_ids: Iterable[str]) -> dict[str, list[str]]:
        return {t: list(s.genres or ()) for t, s in self.titles(title_ids).items()}

    def completion_count(self, user_id: str, start: dt.datetime | None, end: dt.datetime | None) -> int:
        query = (
            select(func.count())
            .select_from(Completion)
            .where(Completion.user_id == user_id, *in_window(Completion.complete_time, start, end))
        )
        return self.s.scalar(query) or 0

    def scores_given(self, user_id: str, start: dt.datetime | None, end: dt.datetime | None) -> list[int]:
        """Scores of the ratings the user created in [start, end)."""
        query = select(Rating.score).where(Rating.user_id == user_id, *in_window(Rating.create_time, start, end))
        return list(self.s.scalars(query))

    def status_counts(self, user_id: str) -> dict[str, int]:
        query = (
            select(WatchlistEntry.status, func.count()).where(WatchlistEntry.user_id == user_id).group_by(WatchlistEntry.status)
        )
        return {status: int(count) for status, count in self.s.execute(query)}

    def sessions_started(self, start: dt.datetime | None, end: dt.datetime | None) -> list[tuple[str, bool]]:
        """(user id, completed) of every viewing session started in [start, end)."""
        query = select(ScrobbleSession.user_id, ScrobbleSession.completed).where(
            *in_window(ScrobbleSession.start_time, start, end)
        )
        return [(user, bool(done)) for user, done in self.s.execute(query)]

    def watchlist_add_count(self, start: dt.datetime | None, end: dt.datetime | None) -> int:
        query = select(func.count()).select_from(WatchlistEntry).where(*in_window(WatchlistEntry.create_time, start, end))
        return self.s.scalar(query) or 0

    def rating_count(self, start: dt.datetime | None, end: dt.datetime | None) -> int:
        query = select(func.count()).select_from(Rating).where(*in_window(Rating.create_time, start, end))
        return self.s.scalar(query) or 0

    def activity_plays(self, titles: Sequence[str], start: dt.datetime, end: dt.datetime) -> list[tuple[str, str, float]]:
        """(user, title, runtime seconds) of the plays in [start, end), of `titles` when given."""
        limit = [HistoryEntry.title_id.in_(titles)] if titles else []
        query = select(HistoryEntry.user_id, HistoryEntry.title_id, HistoryEntry.runtime_seconds).where(
            *limit, *in_window(HistoryEntry.watch_time, start, end)
        )
        return [(u, t, float(r)) for u, t, r in self.s.execute(query)]

    def activity_sessions(
        self, titles: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> list[tuple[str, str, bool, float]]:
        """(user, title, completed, watched seconds) of the viewing sessions started in [start, end)."""
        s = ScrobbleSession
        limit = [s.title_id.in_(titles)] if titles else []
        query = select(s.user_id, s.title_id, s.completed, s.watched_seconds).where(*limit, *in_window(s.start_time, start, end))
        return [(u, t, bool(c), float(w)) for u, t, c, w in self.s.execute(query)]

    def activity_adds(self, titles: Sequence[str], start: dt.datetime, end: dt.datetime) -> list[tuple[str, int]]:
        limit = [WatchlistEntry.title_id.in_(titles)] if titles else []
        query = (
            select(WatchlistEntry.title_id, func.count())
            .where(*limit, *in_window(WatchlistEntry.create_time, start, end))
            .group_by(WatchlistEntry.title_id)
        )
        return [(t, int(n)) for t, n in self.s.execute(query)]

    def rating_averages(self, title_ids: Sequence[str]) -> dict[str, tuple[int, float]]:
        """(rating count, average score) of titles (movies and series, not episodes), over every user."""
        if not title_ids:
            return {}
        query = (
            select(Rating.title_id, func.count(), func.avg(Rating.score))
            .where(Rating.title_id.in_(list(title_ids)), Rating.kind != "episode")
            .group_by(Rating.title_id)
        )
        return {t: (int(n), float(avg or 0.0)) for t, n, avg in self.s.execute(query)}

    # -- export -----------------------------------------------------------------------

    def user_rows(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row Tracking holds about a user, by table (keys as `purge` counts them), as plain column values
        without the user id, in a stable order: what the account export shows."""
        found: dict[str, list[dict[str, Any]]] = {}
        for key, model, order in _USER_TABLES:
            # Columns, not entities: a heavy user has tens of thousands of rows and no ORM object is needed.
            columns = [c for c in model.__table__.columns if c.key != "user_id"]
            query = select(*columns).where(model.user_id == user_id).order_by(*order)
            found[key] = [dict(row) for row in self.s.execute(query).mappings()]
        return found

    def purge(self, user_id: str) -> dict[str, int]:
        """Deletes every row of the user, table by table; how many each held (keys as `user_rows`)."""
        counts: dict[str, int] = {}
        for key, model, _ in _USER_TABLES:
            result = self.s.execute(delete(model).where(model.user_id == user_id))
            counts[key] = int(getattr(result, "rowcount", 0) or 0)
        return counts
