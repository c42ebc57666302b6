"""Tracking's tables. Every table is prefixed `tracking_`; Catalog facts are kept as snapshots, never joined."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, Float, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id, utcnow


class Base(DeclarativeBase):
    """Tracking's own MetaData: the service owns these tables and nothing else."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TitleSnapshot(Base):
    """Catalog metadata of a title as Tracking last saw it; kept when Catalog deletes the title."""

    __tablename__ = "tracking_titles"

    title_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # movie, series
    display_name: Mapped[str] = mapped_column(String(500), default="")
    poster_path: Mapped[str] = mapped_column(String(2048), default="")
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    runtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Episodes in Catalog, specials excluded, aired or not: the total-episodes snapshot.
    episode_count: Mapped[int] = mapped_column(Integer, default=0)
    # The day from which all those episodes have aired (the latest air date; date.min when none is
    # dated), so that aired counts need no episode scan once a season is out. NULL: not known, count them.
    episodes_aired_by: Mapped[dt.date | None] = mapped_column(Date)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hash of the facts last stored: an unchanged title costs a read, never a write.
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    refresh_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class EpisodeSnapshot(Base):
    """One Catalog episode of a tracked series, keyed by title + season + episode number."""

    __tablename__ = "tracking_episodes"

    title_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    season_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(500), default="")
    runtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    air_date: Mapped[dt.date | None] = mapped_column(Date)
    still_path: Mapped[str] = mapped_column(String(2048), default="")


class WatchlistEntry(Timestamps, Base):
    __tablename__ = "tracking_watchlist"
    __table_args__ = (
        UniqueConstraint("user_id", "title_id"),
        Index("ix_tracking_watchlist_user_update", "user_id", "update_time", "title_id"),
        Index("ix_tracking_watchlist_user_activity", "user_id", "activity_time", "title_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    title_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    sort_title: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20))  # watching, completed, dropped, paused, plan_to_watch
    favorite: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    status_update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_watch_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # The latest activity on the title (play, mark, playback, watchlist change): up next's sort key.
    activity_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ShowProgress(Base):
    """Per-user, per-series watch cycle state; the watched episodes themselves are history rows."""

    __tablename__ = "tracking_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "title_id"),
        Index("ix_tracking_progress_user_activity", "user_id", "activity_time", "title_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    title_id: Mapped[str] = mapped_column(String(64))
    rewatch_count: Mapped[int] = mapped_column(Integer, default=0)
    # Kept in step by every write that changes plays, so up next reads one row per series:
    # distinct episodes (specials excluded) watched in the current cycle, and the next one to watch.
    watched_count: Mapped[int] = mapped_column(Integer, default=0)
    next_season: Mapped[int | None] = mapped_column(Integer)
    next_episode: Mapped[int | None] = mapped_column(Integer)
    cycle_start_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    complete_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_watch_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    activity_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Completion(Base):
    """A series completed in one watch cycle (for stats: completed shows in a period)."""

    __tablename__ = "tracking_completions"
    __table_args__ = (UniqueConstraint("user_id", "title_id", "cycle"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    title_id: Mapped[str] = mapped_column(String(64))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    complete_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class HistoryEntry(Base):
    """One play of a movie (season/episode 0) or an episode."""

    __tablename__ = "tracking_history"
    __table_args__ = (
        Index("ix_tracking_history_user_watch", "user_id", "watch_time", "id"),
        Index("ix_tracking_history_user_title_cycle", "user_id", "title_id", "cycle", "season_number", "episode_number"),
        Index("ix_tracking_history_title_watch", "title_id", "watch_time"),
        Index("ix_tracking_history_watch_time", "watch_time"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    title_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # movie, episode
    season_number: Mapped[int] = mapped_column(Integer, default=0)
    episode_number: Mapped[int] = mapped_column(Integer, default=0)
    watch_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(10))  # scrobble, manual
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    runtime_seconds: Mapped[int] = mapped_column(Integer, default=0)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Playback(Base):
    """A saved playback position, one per user and item (`titles/...` name of a movie or episode)."""

    __tablename__ = "tracking_playbacks"
    __table_args__ = (
        UniqueConstraint("user_id", "item"),
        Index("ix_tracking_playbacks_user_update", "user_id", "update_time", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(200))
    title_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    season_number: Mapped[int] = mapped_column(Integer, default=0)
    episode_number: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(10))  # playing, paused
    position_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    duration_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    progress_percent: Mapped[float] = mapped_column(Float, default=0.0)
    device_name: Mapped[str] = mapped_column(String(100), default="")
    session_id: Mapped[str] = mapped_column(String(32), default="")
    start_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScrobbleSession(Base):
    """One playback session (a StartScrobble that began anew): views and completion for title activity."""

    __tablename__ = "tracking_scrobble_sessions"
    __table_args__ = (Index("ix_tracking_scrobble_sessions_start", "start_time", "title_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    title_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    start_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    watched_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)


class Rating(Timestamps, Base):
    __tablename__ = "tracking_ratings"
    __table_args__ = (
        UniqueConstraint("user_id", "item"),
        Index("ix_tracking_ratings_user_update", "user_id", "update_time", "id"),
        Index("ix_tracking_ratings_title", "title_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(200))
    title_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # movie, series, episode
    season_number: Mapped[int] = mapped_column(Integer, default=0)
    episode_number: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int] = mapped_column(Integer)


class Dismissal(Base):
    """A title the user does not want recommended."""

    __tablename__ = "tracking_dismissals"
    __table_args__ = (UniqueConstraint("user_id", "title_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    title_id: Mapped[str] = mapped_column(String(64))
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LastActivity(Base):
    """Latest change and removal per collection for one user (delta sync)."""

    __tablename__ = "tracking_last_activities"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    watchlist_update: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    watchlist_delete: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    history_update: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    history_delete: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    progress_update: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    progress_delete: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ratings_update: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ratings_delete: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    playbacks_update: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    playbacks_delete: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    recommendations_update: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    recommendations_delete: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
