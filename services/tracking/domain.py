"""Tracking use cases on plain values: watchlist, marks, progress, rewatches, scrobbles, history, ratings, stats.

Catalog facts arrive as `TitleFacts` (fetched by the handler through the
Catalog seam) and are stored as snapshots, so progress and up next are computed
from Tracking's own tables without a call to Catalog.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select

from services.core import errors
from services.core.errors import FieldViolation, invalid
from services.core.models import utcnow
from services.core.tokens import Principal
from services.tracking.catalog_client import EpisodeFacts, TitleFacts
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
from services.tracking.repository import SeriesSummary, TrackingRepository

T = TypeVar("T")

DOMAIN = "marquee.tracking"
STATUSES = ("watching", "completed", "dropped", "paused", "plan_to_watch")
MAX_ITEMS = 100
MAX_EXPANDED = 5000
MAX_NOTES = 1000
MAX_DEVICE_NAME = 100
FUTURE_LEEWAY = dt.timedelta(minutes=5)
PLAYBACK_EXPIRY = dt.timedelta(hours=24)
PLAYBACK_RETENTION = dt.timedelta(days=180)
WATCHED_THRESHOLD = 90.0
COLLECTIONS = ("watchlist", "history", "progress", "ratings", "playbacks", "recommendations")

_ID = r"[A-Za-z0-9_-]{1,64}"
_ITEM = re.compile(rf"^titles/({_ID})(?:/seasons/(\d{{1,4}})(?:/episodes/(\d{{1,5}}))?)?$")
_USER = re.compile(rf"^users/({_ID})$")


# -- names ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A Catalog name as requested: a title, a season or an episode."""

    text: str
    title_id: str
    season: int | None = None
    episode: int | None = None

    @property
    def is_title(self) -> bool:
        return self.season is None

    @property
    def is_season(self) -> bool:
        return self.season is not None and self.episode is None


def parse_item(text: str, field_name: str = "item") -> Item:
    match = _ITEM.match(text or "")
    if not match:
        raise invalid(field_name, "must be titles/{title}, titles/{title}/seasons/{n} or titles/{title}/seasons/{n}/episodes/{n}")
    season, episode = match.group(2), match.group(3)
    return Item(text, match.group(1), int(season) if season is not None else None, int(episode) if episode is not None else None)


def episode_name(title_id: str, season: int, episode: int) -> str:
    return f"titles/{title_id}/seasons/{season}/episodes/{episode}"


def user_of(principal: Principal, name: str, field_name: str = "parent") -> str:
    """The user a `users/me` / `users/{user}` name means; another user's → NOT_FOUND unless the caller is an admin."""
    if name == "users/me":
        return principal.user_id
    match = _USER.match(name or "")
    if not match:
        raise invalid(field_name, "must be users/me or users/{user}")
    user_id = match.group(1)
    if user_id != principal.user_id and not principal.is_admin:
        raise errors.NotFound(f"{name} not found", metadata={"name": name})
    return user_id


def child_of(principal: Principal, name: str, collection: str, field_name: str = "name") -> tuple[str, str]:
    """`users/{user}/{collection}/{id}` → (user id, id), scoped to the caller."""
    parts = (name or "").split("/")
    if len(parts) != 4 or parts[0] != "users" or parts[2] != collection or not re.fullmatch(_ID, parts[3] or ""):
        raise invalid(field_name, f"must be users/{{user}}/{collection}/{{id}}")
    return user_of(principal, "/".join(parts[:2]), field_name), parts[3]


def singleton_of(principal: Principal, name: str, leaf: str) -> str:
    parts = (name or "").split("/")
    if len(parts) != 3 or parts[2] != leaf:
        raise invalid("name", f"must be users/{{user}}/{leaf}")
    return user_of(principal, "/".join(parts[:2]), "name")


def title_not_found(item: str) -> errors.NotFound:
    return errors.NotFound(f"{item} was not found in the catalog", reason="TITLE_NOT_FOUND", metadata={"item": item})


def episode_not_found(item: str) -> errors.NotFound:
    return errors.NotFound(f"{item} was not found in the catalog", reason="EPISODE_NOT_FOUND", metadata={"item": item})


def not_a_series(item: str) -> errors.FailedPrecondition:
    return errors.FailedPrecondition(f"{item} is a movie, not a series", reason="NOT_A_SERIES", metadata={"item": item})


# -- catalog facts as stored -----------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """What the handler learned from Catalog about the titles of a request."""

    found: Mapping[str, TitleFacts | None] = field(default_factory=dict)
    unavailable: frozenset[str] = frozenset()


def _snapshot_facts(title: TitleSnapshot, episodes: Sequence[EpisodeFacts]) -> TitleFacts:
    return TitleFacts(
        title_id=title.title_id,
        kind=title.kind,
        display_name=title.display_name,
        poster_path=title.poster_path,
        release_date=title.release_date,
        genres=tuple(title.genres or ()),
        runtime_minutes=title.runtime_minutes,
        episodes=tuple(episodes),
    )


def fingerprint_of(facts: TitleFacts) -> str:
    """A stable hash of everything Tracking stores about a title."""
    stored = dataclasses.replace(facts, published=True, display_name=facts.display_name[:500])
    return hashlib.sha256(repr(stored).encode()).hexdigest()


def episodes_aired_by(facts: TitleFacts) -> dt.date | None:
    """The day from which every episode but the specials has aired; date.min when none has an air date."""
    if not facts.is_series:
        return None
    return max((e.air_date for e in facts.episodes if e.season_number > 0 and e.air_date is not None), default=dt.date.min)


def save_snapshot(repo: TrackingRepository, facts: TitleFacts, now: dt.datetime) -> TitleSnapshot:
    """Store what Tracking needs of a title; nothing is written when it did not change."""
    fingerprint = fingerprint_of(facts)
    row = repo.title(facts.title_id)
    if row is not None and row.fingerprint == fingerprint and not row.deleted:
        return row
    if row is None:
        row = TitleSnapshot(title_id=facts.title_id)
        repo.add(row)
    row.kind, row.display_name, row.poster_path = facts.kind, facts.display_name[:500], facts.poster_path[:2048]
    row.release_date, row.genres, row.runtime_minutes = facts.release_date, list(facts.genres), facts.runtime_minutes
    row.episode_count, row.deleted, row.refresh_time, row.fingerprint = facts.episode_count, False, now, fingerprint
    row.episodes_aired_by = episodes_aired_by(facts)
    if facts.is_series and tuple(repo.episode_facts([facts.title_id])[facts.title_id]) != facts.episodes:
        repo.replace_episodes(
            facts.title_id,
            [
                EpisodeSnapshot(
                    title_id=facts.title_id,
                    season_number=e.season_number,
                    episode_number=e.episode_number,
                    display_name=e.display_name[:500],
                    runtime_minutes=e.runtime_minutes,
                    air_date=e.air_date,
                    still_path=e.still_path[:2048],
                )
                for e in facts.episodes
            ],
        )
    return row


def stored_facts(repo: TrackingRepository, title_id: str) -> tuple[TitleSnapshot, TitleFacts] | None:
    row = repo.title(title_id)
    if row is None:
        return None
    return row, _snapshot_facts(row, repo.episode_facts([title_id])[title_id])


def resolve(repo: TrackingRepository, lookup: Lookup, item: str, title_id: str, now: dt.datetime, *, adding: bool) -> TitleFacts:
    """Facts for a title: fresh from Catalog (and stored), else the snapshot where a read or a removal allows it.

    `adding` writes (marks, plays, ratings, watchlist adds) never fall back: an unknown
    title is TITLE_NOT_FOUND and an unreachable Catalog is DEPENDENCY_UNAVAILABLE.
    """
    return resolve_stored(repo, lookup, item, title_id, now, adding=adding)[1]


def resolve_stored(
    repo: TrackingRepository, lookup: Lookup, item: str, title_id: str, now: dt.datetime, *, adding: bool
) -> tuple[TitleSnapshot, TitleFacts]:
    """`resolve`, with the snapshot row the facts are now stored in (so callers need not read it again)."""
    if title_id in lookup.unavailable:
        if not adding:
            stored = stored_facts(repo, title_id)
            if stored is not None:
                return stored
        raise errors.Unavailable("Catalog could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE")
    facts = lookup.found.get(title_id)
    if facts is not None:
        return save_snapshot(repo, facts, now), facts
    stored = stored_facts(repo, title_id)
    if stored is not None and not adding:
        stored[0].deleted = True  # gone from Catalog: the user's data about it is kept
        return stored
    raise title_not_found(item)


# -- progress ----------------------------------------------------------------------


@dataclass
class SeasonCounts:
    season_number: int
    watched: int = 0
    aired: int = 0
    total: int = 0

    @property
    def percent(self) -> float:
        return round(100.0 * self.watched / self.aired, 2) if self.aired else 0.0

    @property
    def completed(self) -> bool:
        return self.aired > 0 and self.watched >= self.aired


@dataclass
class ProgressFacts:
    """A series' progress computed from its episodes and the episodes watched in the current cycle."""

    watched: int
    aired: int
    total: int
    seasons: list[SeasonCounts]
    next_episode: EpisodeFacts | None
    last_episode: EpisodeFacts | None
    last_watch_time: dt.datetime | None
    watched_minutes: int
    remaining_minutes: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.watched / self.aired, 2) if self.aired else 0.0

    @property
    def completed(self) -> bool:
        return self.aired > 0 and self.watched >= self.aired


def compute_progress(
    episodes: Sequence[EpisodeFacts],
    watched: Mapping[tuple[int, int], dt.datetime | None],
    today: dt.date,
    *,
    include_specials: bool = False,
) -> ProgressFacts:
    """Counts aired episodes (air date today or earlier, or unknown); specials only when asked."""
    in_scope = [e for e in episodes if include_specials or e.season_number > 0]
    in_scope.sort(key=lambda e: (e.season_number == 0, e.season_number, e.episode_number))
    seasons: dict[int, SeasonCounts] = {}
    watched_count = aired_count = watched_minutes = remaining_minutes = 0
    for e in in_scope:
        counts = seasons.setdefault(e.season_number, SeasonCounts(e.season_number))
        counts.total += 1
        is_watched = (e.season_number, e.episode_number) in watched
        if e.aired(today):
            counts.aired += 1
            aired_count += 1
            if is_watched:
                counts.watched += 1
                watched_count += 1
            else:
                remaining_minutes += e.runtime_minutes
        if is_watched:
            watched_minutes += e.runtime_minutes
    last_key, last_time = None, None
    for key, when in watched.items():
        if when is not None and (last_time is None or (when, key) > (last_time, last_key or (0, 0))):
            last_key, last_time = key, when
    by_key = {(e.season_number, e.episode_number): e for e in episodes}
    candidates = [e for e in in_scope if e.aired(today) and (e.season_number, e.episode_number) not in watched]
    next_episode = None
    if last_key is not None:
        next_episode = next(
            (e for e in candidates if (e.season_number, e.episode_number) > last_key and e.season_number > 0), None
        )
    if next_episode is None and candidates:
        next_episode = candidates[0]
    return ProgressFacts(
        watched=watched_count,
        aired=aired_count,
        total=sum(1 for e in episodes if e.season_number > 0) if not include_specials else len(episodes),
        seasons=[seasons[k] for k in sorted(seasons)],
        next_episode=next_episode,
        last_episode=by_key.get(last_key) if last_key else None,
        last_watch_time=last_time,
        watched_minutes=watched_minutes,
        remaining_minutes=remaining_minutes,
    )


@dataclass
class ShowProgressView:
    """Everything a `ShowProgress` message shows."""

    user_id: str
    title: TitleSnapshot
    facts: TitleFacts
    progress: ProgressFacts
    row: ShowProgress | None
    watchlist_status: str
    play_count: int = 0
    next_playback: Playback | None = None
    episode_plays: dict[tuple[int, int], tuple[int, dt.datetime]] | None = None
    watched: Mapping[tuple[int, int], dt.datetime | None] = field(default_factory=dict)
    playbacks: dict[tuple[int, int], Playback] = field(default_factory=dict)
    full: bool = False


# -- the use cases -----------------------------------------------------------------------


@dataclass
class MarkResult:
    item: str
    outcome: str  # changed, already_watched, not_watched, not_aired
    changed: int = 0
    unchanged: int = 0


@dataclass
class MarkOutcome:
    results: list[MarkResult]
    count: int
    progress: list[ShowProgressView]


@dataclass
class ScrobbleResult:
    outcome: str  # playing, saved, watched
    playback: Playback | None = None
    history: HistoryEntry | None = None
    title: TitleSnapshot | None = None
    progress: ShowProgressView | None = None


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_position: dict[str, object] | None = None
    total: int = 0


def etag_of(entry: WatchlistEntry) -> str:
    return f'W/"{entry.version}"'


class TrackingDomain:
    def __init__(self, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.clock = clock

    # -- activity ------------------------------------------------------------------

    def touch(self, repo: TrackingRepository, user_id: str, collection: str, *, deleted: bool = False) -> None:
        row = repo.last_activity(user_id, create=True)
        assert row is not None
        setattr(row, f"{collection}_{'delete' if deleted else 'update'}", self.clock())

    def last_activities(self, repo: TrackingRepository, principal: Principal, name: str) -> tuple[str, LastActivity]:
        user_id = singleton_of(principal, name, "lastActivities")
        return user_id, repo.last_activity(user_id) or LastActivity(user_id=user_id)

    # -- watchlist -------------------------------------------------------------------

    def _set_status(self, entry: WatchlistEntry, status: str, now: dt.datetime) -> None:
        if entry.status != status:
            entry.status = status
            entry.status_update_time = now
        entry.version += 1
        entry.update_time = entry.activity_time = now

    def _new_entry(
        self, repo: TrackingRepository, user_id: str, title: TitleSnapshot, status: str, now: dt.datetime
    ) -> WatchlistEntry:
        entry = WatchlistEntry(
            user_id=user_id,
            title_id=title.title_id,
            kind=title.kind,
            sort_title=title.display_name.lower()[:500],
            status=status,
            favorite=False,
            notes="",
            version=1,
            create_time=now,
            update_time=now,
            status_update_time=now,
            activity_time=now,
        )
        repo.add(entry)
        if title.kind == "series" and repo.progress(user_id, title.title_id) is None:
            # Progress lists watchlisted series not started yet: their (empty) row is written
            # here, with the entry, so that listing progress stays a read.
            repo.add(ShowProgress(user_id=user_id, title_id=title.title_id, rewatch_count=0, activity_time=now, update_time=now))
        self.touch(repo, user_id, "watchlist")
        return entry

    def create_watchlist_entry(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        item: Item,
        lookup: Lookup,
        status: str | None,
        favorite: bool,
        notes: str,
    ) -> WatchlistEntry:
        if not item.is_title:
            raise invalid("watchlist_entry.title", "must be a title, titles/{title}")
        if len(notes) > MAX_NOTES:
            raise invalid("watchlist_entry.notes", f"must be at most {MAX_NOTES} characters")
        now = self.clock()
        facts = resolve(repo, lookup, item.text, item.title_id, now, adding=True)
        if repo.watchlist_entry(user_id, item.title_id) is not None:
            raise errors.AlreadyExists(
                f"{item.text} is already in the watchlist", reason="ALREADY_IN_WATCHLIST", metadata={"item": item.text}
            )
        title = repo.title(item.title_id)
        assert title is not None
        if status is None:
            progress = repo.progress(user_id, item.title_id) if facts.is_series else None
            started = progress is not None and (progress.watched_count > 0 or progress.rewatch_count > 0)
            status = "watching" if started else "plan_to_watch"
        entry = self._new_entry(repo, user_id, title, status, now)
        entry.favorite, entry.notes = favorite, notes
        if facts.is_series:
            progress = repo.progress(user_id, item.title_id)
            entry.last_watch_time = progress.last_watch_time if progress else None
        else:
            entry.last_watch_time = repo.last_movie_watch(user_id, item.title_id)
        repo.flush()
        return entry

    def _entry(self, repo: TrackingRepository, principal: Principal, name: str) -> WatchlistEntry:
        user_id, title_id = child_of(principal, name, "watchlist")
        entry = repo.watchlist_entry(user_id, title_id)
        if entry is None:
            raise errors.NotFound(f"{name} is not in the watchlist", reason="NOT_IN_WATCHLIST", metadata={"name": name})
        return entry

    def get_watchlist_entry(self, repo: TrackingRepository, principal: Principal, name: str) -> WatchlistEntry:
        return self._entry(repo, principal, name)

    def update_watchlist_entry(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        name: str,
        paths: Sequence[str],
        etag: str,
        status: str | None,
        favorite: bool,
        notes: str,
    ) -> WatchlistEntry:
        if not paths:
            raise invalid("update_mask", "name at least one of status, favorite, notes")
        chosen = {"status", "favorite", "notes"} if "*" in paths else set(paths)
        unknown = sorted(chosen - {"status", "favorite", "notes"})
        if unknown:
            raise errors.InvalidArgument(
                f"cannot update {', '.join(unknown)}",
                violations=[FieldViolation("update_mask", f"{p} is unknown or output only") for p in unknown],
            )
        entry = self._entry(repo, principal, name)
        if etag and etag != etag_of(entry):
            raise errors.Aborted("the entry changed since it was read", reason="ETAG_MISMATCH")
        if "status" in chosen and status is None:
            raise invalid("watchlist_entry.status", "must be WATCHING, COMPLETED, DROPPED, PAUSED or PLAN_TO_WATCH")
        if "notes" in chosen and len(notes) > MAX_NOTES:
            raise invalid("watchlist_entry.notes", f"must be at most {MAX_NOTES} characters")
        now = self.clock()
        if "status" in chosen and status is not None:
            self._set_status(entry, status, now)
        if "favorite" in chosen:
            entry.favorite = favorite
        if "notes" in chosen:
            entry.notes = notes
        if "status" not in chosen:
            entry.version += 1
            entry.update_time = entry.activity_time = now
        self.touch(repo, entry.user_id, "watchlist")
        return entry

    def delete_watchlist_entry(self, repo: TrackingRepository, principal: Principal, *, name: str, etag: str) -> None:
        entry = self._entry(repo, principal, name)
        if etag and etag != etag_of(entry):
            raise errors.Aborted("the entry changed since it was read", reason="ETAG_MISMATCH")
        repo.delete(entry)
        self.touch(repo, entry.user_id, "watchlist", deleted=True)
        progress = repo.progress(entry.user_id, entry.title_id)
        # Listed only because it was in the watchlist: an unstarted series leaves progress with it.
        unstarted = progress is not None and not progress.watched_count and not progress.rewatch_count
        if progress is not None and unstarted and repo.play_count(entry.user_id, entry.title_id) == 0:
            repo.delete(progress)
            self.touch(repo, entry.user_id, "progress", deleted=True)

    def list_watchlist(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        statuses: Sequence[str],
        favorites_only: bool,
        kind: str | None,
        since: dt.datetime | None,
        order: str,
        size: int,
        after: Mapping[str, object] | None,
    ) -> Page[WatchlistEntry]:
        conditions = [WatchlistEntry.user_id == user_id]
        if statuses:
            conditions.append(WatchlistEntry.status.in_(list(statuses)))
        if favorites_only:
            conditions.append(WatchlistEntry.favorite.is_(True))
        if kind:
            conditions.append(WatchlistEntry.kind == kind)
        if since is not None:
            conditions.append(WatchlistEntry.update_time > since)
        total = repo.s.scalar(select(func.count()).select_from(WatchlistEntry).where(*conditions)) or 0
        column: Any = {
            "update_time": WatchlistEntry.update_time,
            "create_time": WatchlistEntry.create_time,
            "title": WatchlistEntry.sort_title,
            "last_watch_time": WatchlistEntry.activity_time,
        }[order]
        descending = order != "title"
        query = select(WatchlistEntry).where(*conditions)
        if order == "last_watch_time":
            # Never-watched entries last: sort by (watched?, last watch) with the watch time stand-in.
            column = func.coalesce(WatchlistEntry.last_watch_time, dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
        rows = keyset(repo, query, column, WatchlistEntry.title_id, descending, size, after, order == "title")
        return page_of(rows, size, lambda e: sort_value(e, order), lambda e: e.title_id, total)

    # -- marks ------------------------------------------------------------------------

    def _expand(self, facts: TitleFacts, item: Item, today: dt.date, *, aired_only: bool) -> list[EpisodeFacts | None]:
        """The movie (None) or episodes an item stands for; validates seasons and episodes."""
        if not facts.is_series:
            if not item.is_title:
                raise not_a_series(item.text)
            return [None]
        if item.is_title:
            return [e for e in facts.episodes if e.season_number > 0 and (not aired_only or e.aired(today))]
        in_season = [e for e in facts.episodes if e.season_number == item.season]
        if not in_season:
            raise episode_not_found(item.text)
        if item.is_season:
            return [e for e in in_season if not aired_only or e.aired(today)]
        found = [e for e in in_season if e.episode_number == item.episode]
        if not found:
            raise episode_not_found(item.text)
        return list(found)

    def _cycle(
        self, repo: TrackingRepository, user_id: str, title_id: str, now: dt.datetime, create: bool
    ) -> ShowProgress | None:
        row = repo.progress(user_id, title_id)
        if row is None and create:
            row = ShowProgress(
                user_id=user_id, title_id=title_id, rewatch_count=0, cycle_start_time=now, activity_time=now, update_time=now
            )
            repo.add(row)
            repo.flush()
        elif row is not None and create and row.cycle_start_time is None:
            row.cycle_start_time = now  # the empty row of a watchlisted series: its first cycle starts now
        return row

    def mark_watched(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        items: Sequence[Item],
        lookup: Lookup,
        watch_time: dt.datetime | None,
        allow_repeat: bool,
        source: str = "manual",
    ) -> MarkOutcome:
        check_items(items)
        now = self.clock()
        if watch_time is not None and watch_time > now + FUTURE_LEEWAY:
            raise errors.InvalidArgument(
                "watch_time is in the future",
                reason="WATCH_TIME_IN_FUTURE",
                violations=[FieldViolation("watch_time", "must not be more than five minutes in the future")],
            )
        when = watch_time or now
        today = now.date()
        expanded: list[tuple[Item, TitleFacts, list[EpisodeFacts | None]]] = []
        for item in items:
            facts = resolve(repo, lookup, item.text, item.title_id, now, adding=True)
            expanded.append((item, facts, self._expand(facts, item, today, aired_only=True)))
        if sum(len(units) for _, _, units in expanded) > MAX_EXPANDED:
            raise too_many(f"the items expand to more than {MAX_EXPANDED} episodes")
        series = {facts.title_id for _, facts, _ in expanded if facts.is_series}
        fresh = {t for t in series if repo.progress(user_id, t) is None}
        rows = {t: self._cycle(repo, user_id, t, when, create=True) for t in sorted(series)}
        cycles = {t: r.rewatch_count for t, r in rows.items() if r is not None}
        watched = repo.watched_in_cycles(user_id, cycles)
        movies_watched = {f.title_id for _, f, _ in expanded if not f.is_series and repo.movie_watched(user_id, f.title_id)}
        results, added, touched_movies, touched_series = [], 0, set(), set()
        for item, facts, units in expanded:
            result = MarkResult(item.text, "changed")
            if facts.is_series and not units:
                result.outcome = "not_aired"
            for unit in units:
                if unit is None:
                    if facts.title_id in movies_watched and not allow_repeat:
                        result.unchanged += 1
                        continue
                    repo.add(
                        HistoryEntry(
                            user_id=user_id,
                            title_id=facts.title_id,
                            kind="movie",
                            watch_time=when,
                            source=source,
                            cycle=0,
                            runtime_seconds=facts.runtime_minutes * 60,
                            create_time=now,
                        )
                    )
                    movies_watched.add(facts.title_id)
                    touched_movies.add(facts.title_id)
                else:
                    key = (unit.season_number, unit.episode_number)
                    seen = watched[facts.title_id]
                    if key in seen and not allow_repeat:
                        result.unchanged += 1
                        continue
                    repo.add(
                        HistoryEntry(
                            user_id=user_id,
                            title_id=facts.title_id,
                            kind="episode",
                            season_number=key[0],
                            episode_number=key[1],
                            watch_time=when,
                            source=source,
                            cycle=cycles[facts.title_id],
                            runtime_seconds=unit.runtime_minutes * 60,
                            create_time=now,
                        )
                    )
                    previous = seen.get(key)
                    seen[key] = when if previous is None or when > previous else previous
                    touched_series.add(facts.title_id)
                result.changed += 1
            if result.outcome != "not_aired":
                result.outcome = "changed" if result.changed else "already_watched"
            added += result.changed
            results.append(result)
        repo.flush()
        if added:
            self.touch(repo, user_id, "history")
        views = []
        for title_id in sorted(series):
            if title_id in touched_series:
                views.append(self._after_change(repo, user_id, title_id, now, adding=True))
                continue
            if title_id in fresh:  # nothing aired to mark: the series was not started after all
                repo.delete(rows[title_id])
                repo.flush()
            views.append(self.progress_view(repo, user_id, title_id))
        for title_id in sorted(touched_movies):
            self._after_movie(repo, user_id, title_id, now)
        return MarkOutcome(results, added, views)

    def mark_unwatched(
        self, repo: TrackingRepository, principal: Principal, *, user_id: str, items: Sequence[Item], lookup: Lookup
    ) -> MarkOutcome:
        check_items(items)
        now = self.clock()
        today = now.date()
        expanded = []
        for item in items:
            facts = resolve(repo, lookup, item.text, item.title_id, now, adding=False)
            expanded.append((item, facts, self._expand(facts, item, today, aired_only=False)))
        results, removed, series = [], 0, set()
        for item, facts, units in expanded:
            result = MarkResult(item.text, "changed")
            if not facts.is_series:
                count = repo.delete_movie_plays(user_id, facts.title_id)
                result.changed, result.unchanged = (1, 0) if count else (0, 1)
                removed += count
            else:
                row = repo.progress(user_id, facts.title_id)
                for unit in units:
                    assert unit is not None
                    count = repo.delete_episode_plays(
                        user_id, facts.title_id, row.rewatch_count if row else 0, [(unit.season_number, unit.episode_number)]
                    )
                    removed += count
                    if count:
                        result.changed += 1
                    else:
                        result.unchanged += 1
                if row is not None:
                    series.add(facts.title_id)
            result.outcome = "changed" if result.changed else "not_watched"
            results.append(result)
        if removed:
            self.touch(repo, user_id, "history", deleted=True)
        views = [self._after_change(repo, user_id, t, now, adding=False) for t in sorted(series)]
        return MarkOutcome(results, removed, views)

    def _after_movie(self, repo: TrackingRepository, user_id: str, title_id: str, now: dt.datetime) -> None:
        entry = repo.watchlist_entry(user_id, title_id)
        if entry is None:
            return
        entry.last_watch_time = repo.last_movie_watch(user_id, title_id)
        if entry.status not in ("dropped", "paused", "completed"):
            self._set_status(entry, "completed", now)
        else:
            entry.activity_time = now
        self.touch(repo, user_id, "watchlist")

    def _after_change(
        self, repo: TrackingRepository, user_id: str, title_id: str, now: dt.datetime, *, adding: bool
    ) -> ShowProgressView:
        """Recompute a series' progress after plays changed; keep completions and the watchlist status in step."""
        row = repo.progress(user_id, title_id)
        assert row is not None
        view = self.progress_view(repo, user_id, title_id, row=row)
        progress = view.progress
        store_progress(row, view)
        row.last_watch_time = progress.last_watch_time
        row.update_time = row.activity_time = now
        completion = repo.completion(user_id, title_id, row.rewatch_count)
        if progress.completed:
            if row.complete_time is None:
                row.complete_time = progress.last_watch_time or now
            if completion is None:
                repo.add(Completion(user_id=user_id, title_id=title_id, cycle=row.rewatch_count, complete_time=row.complete_time))
        else:
            row.complete_time = None
            if completion is not None:
                repo.delete(completion)
        entry = repo.watchlist_entry(user_id, title_id)
        if entry is None and adding:
            entry = self._new_entry(repo, user_id, view.title, "completed" if progress.completed else "watching", now)
        elif entry is not None and entry.status not in ("dropped", "paused"):
            wanted = "completed" if progress.completed else "watching"
            if entry.status == "plan_to_watch" and not progress.watched and not adding:
                wanted = "plan_to_watch"
            if wanted != entry.status:
                self._set_status(entry, wanted, now)
                self.touch(repo, user_id, "watchlist")
        if entry is not None:
            entry.last_watch_time = progress.last_watch_time
            entry.activity_time = now
        view.watchlist_status = entry.status if entry is not None else ""
        self.touch(repo, user_id, "progress")
        return view

    # -- progress ----------------------------------------------------------------------

    def progress_view(
        self,
        repo: TrackingRepository,
        user_id: str,
        title_id: str,
        *,
        row: ShowProgress | None = None,
        include_specials: bool = False,
        full: bool = False,
        stored: tuple[TitleSnapshot, TitleFacts] | None = None,
    ) -> ShowProgressView:
        """`stored`: the title's snapshot and facts when the caller has them (saves reading the episodes again)."""
        if stored is None:
            stored = stored_facts(repo, title_id)
        assert stored is not None
        if row is None:
            row = repo.progress(user_id, title_id)
        plays = repo.episode_plays(user_id, title_id, cycle=row.rewatch_count) if row else {}
        entry = repo.watchlist_entry(user_id, title_id)
        playbacks = [p for p in repo.playbacks_for(user_id, [title_id]) if p.kind == "episode"]
        return self._view(user_id, stored, row, plays, entry, playbacks, include_specials=include_specials, full=full)

    def progress_views(
        self, repo: TrackingRepository, user_id: str, rows: Sequence[ShowProgress], *, include_specials: bool, full: bool
    ) -> list[ShowProgressView]:
        """`progress_view` for a page of progress rows, in five queries whatever the page size; rows whose
        title has no snapshot are left out."""
        ids = [r.title_id for r in rows]
        titles, episodes = repo.titles(ids), repo.episode_facts(ids)
        plays = repo.episode_plays_of(user_id, {r.title_id: r.rewatch_count for r in rows})
        entries = repo.watchlist_entries(user_id, ids)
        playbacks: dict[str, list[Playback]] = {}
        for playback in repo.playbacks_for(user_id, ids):
            if playback.kind == "episode":
                playbacks.setdefault(playback.title_id, []).append(playback)
        views = []
        for row in rows:
            title = titles.get(row.title_id)
            if title is None:
                continue
            stored = (title, _snapshot_facts(title, episodes[row.title_id]))
            views.append(
                self._view(
                    user_id,
                    stored,
                    row,
                    plays[row.title_id],
                    entries.get(row.title_id),
                    playbacks.get(row.title_id, []),
                    include_specials=include_specials,
                    full=full,
                )
            )
        return views

    def _view(
        self,
        user_id: str,
        stored: tuple[TitleSnapshot, TitleFacts],
        row: ShowProgress | None,
        plays: Mapping[tuple[int, int], tuple[int, dt.datetime, dt.datetime | None]],
        entry: WatchlistEntry | None,
        episode_playbacks: Sequence[Playback],
        *,
        include_specials: bool,
        full: bool,
    ) -> ShowProgressView:
        title, facts = stored
        watched = {key: in_cycle for key, (_, _, in_cycle) in plays.items() if in_cycle is not None}
        progress = compute_progress(facts.episodes, watched, self.clock().date(), include_specials=include_specials)
        playbacks = {(p.season_number, p.episode_number): p for p in episode_playbacks}
        nxt = progress.next_episode
        view = ShowProgressView(
            user_id=user_id,
            title=title,
            facts=facts,
            progress=progress,
            row=row,
            watchlist_status=entry.status if entry else "",
            watched=watched,
            playbacks=playbacks,
            full=full,
            next_playback=playbacks.get((nxt.season_number, nxt.episode_number)) if nxt else None,
        )
        view.play_count = sum(count for count, _, _ in plays.values())
        if full:
            view.episode_plays = {key: (count, latest) for key, (count, latest, _) in plays.items()}
        return view

    def get_show_progress(
        self, repo: TrackingRepository, principal: Principal, *, name: str, lookup: Lookup, include_specials: bool, full: bool
    ) -> ShowProgressView:
        user_id, title_id = child_of(principal, name, "progress")
        now = self.clock()
        title, facts = resolve_stored(repo, lookup, f"titles/{title_id}", title_id, now, adding=False)
        if not facts.is_series:
            raise not_a_series(f"titles/{title_id}")
        view = self.progress_view(repo, user_id, title_id, include_specials=include_specials, full=full, stored=(title, facts))
        self._follow_catalog(repo, view, now, exact=not include_specials)
        return view

    def _follow_catalog(self, repo: TrackingRepository, view: ShowProgressView, now: dt.datetime, *, exact: bool) -> None:
        """A new episode aired (or Catalog changed the episode list) since the last write: catch the stored state up.

        A COMPLETED series returns to WATCHING; the completion already recorded stays in stats.
        """
        row = view.row
        if row is None or view.progress.watched == 0:
            return
        # Stored progress excludes specials; recompute without them when the caller asked to include them.
        base = (
            view
            if exact
            else self.progress_view(repo, view.user_id, view.title.title_id, row=row, stored=(view.title, view.facts))
        )
        nxt = base.progress.next_episode
        stored = (row.next_season, row.next_episode)
        wanted = (nxt.season_number, nxt.episode_number) if nxt else (None, None)
        if stored != wanted:
            store_progress(row, base)
        if not base.progress.completed and row.complete_time is not None:
            row.complete_time = None
            entry = repo.watchlist_entry(view.user_id, view.title.title_id)
            if entry is not None and entry.status == "completed":
                self._set_status(entry, "watching", now)
                view.watchlist_status = "watching"
                self.touch(repo, view.user_id, "watchlist")

    def list_show_progress(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        statuses: Sequence[str],
        since: dt.datetime | None,
        include_specials: bool,
        full: bool,
        size: int,
        after: Mapping[str, object] | None,
    ) -> Page[ShowProgressView]:
        """Series started (a progress row) plus series in the watchlist not started yet, most recent activity first."""
        # Watchlisted series not started yet have an empty progress row (written with their
        # watchlist entry, migration tracking_0003 for older entries): one keyset covers both.
        conditions = [ShowProgress.user_id == user_id]
        if since is not None:
            conditions.append(ShowProgress.update_time > since)
        query = select(ShowProgress).where(*conditions)
        if statuses:
            query = query.join(
                WatchlistEntry,
                and_(WatchlistEntry.user_id == ShowProgress.user_id, WatchlistEntry.title_id == ShowProgress.title_id),
            ).where(WatchlistEntry.status.in_(list(statuses)))
        rows = keyset(repo, query, ShowProgress.activity_time, ShowProgress.title_id, True, size, after, False)
        page = page_of(rows, size, lambda r: r.activity_time.isoformat(), lambda r: r.title_id, 0)
        views = self.progress_views(repo, user_id, page.items, include_specials=include_specials, full=full)
        return Page(views, page.next_position)

    def start_rewatch(self, repo: TrackingRepository, principal: Principal, *, name: str, lookup: Lookup) -> ShowProgressView:
        user_id, title_id = child_of(principal, name, "progress")
        now = self.clock()
        facts = resolve(repo, lookup, f"titles/{title_id}", title_id, now, adding=False)
        if not facts.is_series:
            raise not_a_series(f"titles/{title_id}")
        row = repo.progress(user_id, title_id)
        watched = repo.watched_in_cycles(user_id, {title_id: row.rewatch_count})[title_id] if row else {}
        if row is None or not watched:
            raise errors.FailedPrecondition(
                "nothing was watched in the current cycle", reason="NOTHING_TO_REWATCH", metadata={"item": f"titles/{title_id}"}
            )
        row.rewatch_count += 1
        row.cycle_start_time = now
        row.complete_time = None
        row.update_time = row.activity_time = now
        entry = repo.watchlist_entry(user_id, title_id)
        if entry is None:
            title = repo.title(title_id)
            assert title is not None
            entry = self._new_entry(repo, user_id, title, "watching", now)
        else:
            self._set_status(entry, "watching", now)
            self.touch(repo, user_id, "watchlist")
        self.touch(repo, user_id, "progress")
        repo.flush()
        view = self.progress_view(repo, user_id, title_id, row=row)
        store_progress(row, view)
        return view

    def _summary_view(
        self, repo: TrackingRepository, user_id: str, summary: SeriesSummary, status: str, today: dt.date
    ) -> ShowProgressView:
        """A series' progress from what the writes stored; in full only when the stored next episode is
        missing while an aired episode is left (something aired since the last write)."""
        title, row, total, nxt = summary.title, summary.progress, summary.aired, summary.next_episode
        watched = row.watched_count if row else 0
        if nxt is None and total > watched:
            return self.progress_view(repo, user_id, title.title_id, row=row)  # with its own next playback
        if nxt is not None and not nxt.aired(today):
            nxt = None
        progress = ProgressFacts(
            watched=min(watched, total), aired=total, total=title.episode_count, seasons=[], next_episode=nxt,
            last_episode=None, last_watch_time=row.last_watch_time if row else None, watched_minutes=0, remaining_minutes=0,
        )  # fmt: skip
        view = ShowProgressView(user_id, title, _snapshot_facts(title, ()), progress, row, status)
        view.next_playback = summary.next_playback if nxt is not None else None
        return view

    def progress_summaries(
        self, repo: TrackingRepository, user_id: str, title_ids: Sequence[str], statuses: Mapping[str, str] | None = None
    ) -> dict[str, ShowProgressView]:
        """Progress of many series from what the writes stored (watched count, next episode) plus aired counts.

        One query for any number of series (two without `statuses`); see `_summary_view`.
        """
        today = self.clock().date()
        summaries = repo.series_summaries(user_id, title_ids, today)
        if statuses is None:
            statuses = {t: e.status for t, e in repo.watchlist_entries(user_id, list(summaries)).items()}
        return {
            title_id: self._summary_view(repo, user_id, summary, statuses.get(title_id, ""), today)
            for title_id, summary in summaries.items()
        }

    def list_up_next(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        include_not_started: bool,
        size: int,
        after: Mapping[str, object] | None,
    ) -> Page[tuple[ShowProgressView, dt.datetime]]:
        """WATCHING series (and PLAN_TO_WATCH ones when asked) with an aired episode left, most recent activity first."""
        statuses = ["watching", "plan_to_watch"] if include_not_started else ["watching"]
        today = self.clock().date()
        found: list[tuple[ShowProgressView, dt.datetime]] = []
        position = dict(after) if after else None
        batch = size + 2
        while len(found) <= size:
            # One query per batch: the entries, each with its series summary joined in.
            keys = (parse_time(position.get("k")), str(position.get("id", ""))) if position else None
            entries = repo.up_next_rows(user_id, statuses, today, keys, batch)
            if not entries:
                break
            for entry in entries:
                activity_time, title_id, status = entry[:3]
                position = {"k": activity_time.isoformat(), "id": title_id}
                summary = repo.summary_of(entry)
                if summary is None:
                    continue
                view = self._summary_view(repo, user_id, summary, status, today)
                if view.progress.next_episode is None:
                    continue
                if status == "plan_to_watch" and view.progress.watched:
                    continue
                view.watchlist_status = status
                found.append((view, activity_time))
                if len(found) == size + 1:
                    break
            if len(entries) < batch:
                break
        if len(found) > size:
            last = found[size - 1]
            return Page(found[:size], {"k": last[1].isoformat(), "id": last[0].title.title_id})
        return Page(found)

    # -- scrobbles --------------------------------------------------------------------

    def _playable(
        self, repo: TrackingRepository, lookup: Lookup, item: Item, now: dt.datetime
    ) -> tuple[TitleFacts, EpisodeFacts | None]:
        facts = resolve(repo, lookup, item.text, item.title_id, now, adding=True)
        if not facts.is_series:
            if not item.is_title:
                raise not_a_series(item.text)
            return facts, None
        if item.episode is None:
            raise errors.FailedPrecondition(f"{item.text} is not playable; name a movie or an episode", reason="NOT_AN_EPISODE")
        units = self._expand(facts, item, now.date(), aired_only=False)
        return facts, units[0]

    @staticmethod
    def _percent(
        position: float | None, duration: float | None, percent: float, runtime_seconds: float
    ) -> tuple[float, float, float]:
        if (percent and not 0 <= percent <= 100) or percent < 0:
            raise progress_error("progress_percent must be between 0 and 100")
        if position is not None and position < 0:
            raise progress_error("position must not be negative")
        length = duration if duration else runtime_seconds
        if duration is not None and duration < 0:
            raise progress_error("duration must not be negative")
        if position is not None and length and position > length:
            raise progress_error("position is beyond the duration")
        if percent:
            return (position if position is not None else percent / 100 * length, length, percent)
        if position is None:
            raise progress_error("give progress_percent or position")
        if not length:
            raise progress_error("no duration to compute a percent from; give duration or progress_percent")
        return position, length, round(100.0 * position / length, 3)

    def _active_playback(self, repo: TrackingRepository, user_id: str, item: str, now: dt.datetime) -> Playback:
        playback = repo.playback(user_id, item)
        if playback is None or now - playback.update_time > PLAYBACK_EXPIRY:
            raise errors.FailedPrecondition(
                f"no playback of {item} was started", reason="PLAYBACK_NOT_STARTED", metadata={"item": item}
            )
        return playback

    def start_scrobble(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        item: Item,
        lookup: Lookup,
        position: float | None,
        duration: float | None,
        percent: float,
        device_name: str,
    ) -> ScrobbleResult:
        if len(device_name) > MAX_DEVICE_NAME:
            raise invalid("device_name", f"must be at most {MAX_DEVICE_NAME} characters")
        now = self.clock()
        facts, episode = self._playable(repo, lookup, item, now)
        runtime = (episode.runtime_minutes if episode else facts.runtime_minutes) * 60
        pos, length, pct = self._percent(position, duration, percent, runtime)
        key = (
            episode_name(facts.title_id, episode.season_number, episode.episode_number) if episode else f"titles/{facts.title_id}"
        )
        for other in repo.playing(user_id):
            if other.item != key:
                other.state = "paused"
        playback = repo.playback(user_id, key)
        new_session = playback is None or playback.state != "playing" or now - playback.update_time > PLAYBACK_EXPIRY
        if playback is None:
            playback = Playback(
                user_id=user_id,
                item=key,
                title_id=facts.title_id,
                kind="episode" if episode else "movie",
                season_number=episode.season_number if episode else 0,
                episode_number=episode.episode_number if episode else 0,
                state="playing",
                start_time=now,
            )
            repo.add(playback)
        if new_session:
            session = ScrobbleSession(user_id=user_id, title_id=facts.title_id, kind=facts.kind, start_time=now)
            repo.add(session)
            repo.flush()
            playback.session_id, playback.start_time = session.id, now
        playback.state, playback.position_seconds, playback.duration_seconds = "playing", pos, length
        playback.progress_percent, playback.update_time = pct, now
        if device_name:
            playback.device_name = device_name
        self._record_session(repo, playback)
        self.touch(repo, user_id, "playbacks")
        entry = repo.watchlist_entry(user_id, facts.title_id)
        title = repo.title(facts.title_id)
        assert title is not None
        if entry is None and episode is not None:
            self._new_entry(repo, user_id, title, "watching", now)
        elif entry is not None:
            if entry.status == "plan_to_watch":
                self._set_status(entry, "watching", now)
                self.touch(repo, user_id, "watchlist")
            entry.activity_time = now
        repo.flush()
        return ScrobbleResult("playing", playback=playback, title=title)

    @staticmethod
    def _record_session(repo: TrackingRepository, playback: Playback) -> None:
        session = repo.scrobble_session(playback.session_id)
        if session is not None:
            session.watched_seconds = max(session.watched_seconds, playback.position_seconds)

    def pause_scrobble(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        item: Item,
        lookup: Lookup,
        position: float | None,
        duration: float | None,
        percent: float,
    ) -> ScrobbleResult:
        now = self.clock()
        facts, episode = self._playable(repo, lookup, item, now)
        key = (
            episode_name(facts.title_id, episode.season_number, episode.episode_number) if episode else f"titles/{facts.title_id}"
        )
        playback = self._active_playback(repo, user_id, key, now)
        pos, length, pct = self._percent(position, duration or playback.duration_seconds or None, percent, 0)
        playback.state, playback.position_seconds, playback.duration_seconds = "paused", pos, length
        playback.progress_percent, playback.update_time = pct, now
        self._record_session(repo, playback)
        self.touch(repo, user_id, "playbacks")
        return ScrobbleResult("saved", playback=playback, title=repo.title(facts.title_id))

    def stop_scrobble(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        item: Item,
        lookup: Lookup,
        position: float | None,
        duration: float | None,
        percent: float,
    ) -> ScrobbleResult:
        now = self.clock()
        facts, episode = self._playable(repo, lookup, item, now)
        key = (
            episode_name(facts.title_id, episode.season_number, episode.episode_number) if episode else f"titles/{facts.title_id}"
        )
        playback = self._active_playback(repo, user_id, key, now)
        pos, length, pct = self._percent(position, duration or playback.duration_seconds or None, percent, 0)
        title = repo.title(facts.title_id)
        playback.position_seconds = pos
        self._record_session(repo, playback)
        if pct < WATCHED_THRESHOLD:
            playback.state, playback.duration_seconds, playback.progress_percent, playback.update_time = (
                "paused",
                length,
                pct,
                now,
            )
            self.touch(repo, user_id, "playbacks")
            return ScrobbleResult("saved", playback=playback, title=title)
        session = repo.scrobble_session(playback.session_id)
        if session is not None:
            session.completed = True
        repo.delete(playback)
        self.touch(repo, user_id, "playbacks", deleted=True)
        outcome = self.mark_watched(
            repo, principal, user_id=user_id, items=[item], lookup=lookup, watch_time=now, allow_repeat=True, source="scrobble"
        )
        history = repo.rows(
            select(HistoryEntry)
            .where(HistoryEntry.user_id == user_id, HistoryEntry.title_id == facts.title_id)
            .order_by(HistoryEntry.create_time.desc(), HistoryEntry.watch_time.desc())
            .limit(1)
        )[0][0]
        return ScrobbleResult("watched", history=history, title=title, progress=outcome.progress[0] if outcome.progress else None)

    def list_playbacks(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        kind: str | None,
        item: Item | None,
        since: dt.datetime | None,
        size: int,
        after: Mapping[str, object] | None,
    ) -> Page[Playback]:
        now = self.clock()
        conditions = [Playback.user_id == user_id, Playback.update_time >= now - PLAYBACK_RETENTION]
        if kind:
            conditions.append(Playback.kind == kind)
        conditions.extend(item_conditions(Playback, item))
        if since is not None:
            conditions.append(Playback.update_time > since)
        rows = keyset(repo, select(Playback).where(*conditions), Playback.update_time, Playback.id, True, size, after, False)
        return page_of(rows, size, lambda p: p.update_time.isoformat(), lambda p: p.id, 0)

    def delete_playback(self, repo: TrackingRepository, principal: Principal, *, name: str) -> None:
        user_id, playback_id = child_of(principal, name, "playbacks")
        playback = repo.s.get(Playback, playback_id)
        if playback is None or playback.user_id != user_id:
            raise errors.NotFound(f"{name} not found", metadata={"name": name})
        repo.delete(playback)
        self.touch(repo, user_id, "playbacks", deleted=True)

    # -- history -----------------------------------------------------------------------

    def list_history(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        item: Item | None,
        kind: str | None,
        start: dt.datetime | None,
        end: dt.datetime | None,
        since: dt.datetime | None,
        size: int,
        after: Mapping[str, object] | None,
    ) -> Page[HistoryEntry]:
        conditions = [HistoryEntry.user_id == user_id, *item_conditions(HistoryEntry, item)]
        if kind:
            conditions.append(HistoryEntry.kind == kind)
        if start is not None:
            conditions.append(HistoryEntry.watch_time >= start)
        if end is not None:
            conditions.append(HistoryEntry.watch_time < end)
        if since is not None:
            conditions.append(HistoryEntry.create_time > since)
        query = select(HistoryEntry).where(*conditions)
        rows = keyset(repo, query, HistoryEntry.watch_time, HistoryEntry.id, True, size, after, False)
        return page_of(rows, size, lambda h: h.watch_time.isoformat(), lambda h: h.id, 0)

    def batch_delete_history(
        self, repo: TrackingRepository, principal: Principal, *, user_id: str, names: Sequence[str]
    ) -> tuple[int, list[str]]:
        if not names:
            raise invalid("names", "name at least one play")
        if len(names) > 500:
            raise too_many("at most 500 plays per call", field_name="names")
        ids: dict[str, str] = {}
        for index, name in enumerate(names):
            owner, entry_id = child_of(principal, name, "history", f"names[{index}]")
            if owner != user_id:
                raise invalid(f"names[{index}]", "must belong to the user named by parent")
            ids[name] = entry_id
        rows = {r.id: r for r in repo.history_entries(user_id, ids.values())}
        missing = [n for n, i in ids.items() if i not in rows]
        series = {r.title_id for r in rows.values() if r.kind == "episode"}
        movies = {r.title_id for r in rows.values() if r.kind == "movie"}
        for row in rows.values():
            repo.delete(row)
        repo.flush()
        now = self.clock()
        if rows:
            self.touch(repo, user_id, "history", deleted=True)
        for title_id in sorted(series):
            if repo.progress(user_id, title_id) is not None and repo.title(title_id) is not None:
                self._after_change(repo, user_id, title_id, now, adding=False)
        for title_id in sorted(movies):
            entry = repo.watchlist_entry(user_id, title_id)
            if entry is not None:
                entry.last_watch_time = repo.last_movie_watch(user_id, title_id)
        return len(rows), missing

    # -- ratings -----------------------------------------------------------------------

    def set_rating(
        self, repo: TrackingRepository, principal: Principal, *, user_id: str, item: Item, lookup: Lookup, score: int
    ) -> tuple[Rating, bool]:
        if item.is_season:
            raise invalid("item", "rate a movie, a series or an episode, not a season")
        if not 1 <= score <= 10:
            raise errors.InvalidArgument(
                "score must be a whole number from 1 to 10",
                reason="INVALID_RATING",
                violations=[FieldViolation("score", "must be from 1 to 10")],
            )
        now = self.clock()
        facts = resolve(repo, lookup, item.text, item.title_id, now, adding=True)
        season = episode = 0
        if item.episode is not None:
            unit = self._expand(facts, item, now.date(), aired_only=False)[0]
            assert unit is not None
            season, episode = unit.season_number, unit.episode_number
            key, kind = episode_name(facts.title_id, season, episode), "episode"
        else:
            key, kind = f"titles/{facts.title_id}", facts.kind
        rating = repo.rating(user_id, key)
        created = rating is None
        if rating is None:
            rating = Rating(
                user_id=user_id,
                item=key,
                title_id=facts.title_id,
                kind=kind,
                season_number=season,
                episode_number=episode,
                score=score,
                create_time=now,
                update_time=now,
            )
            repo.add(rating)
        elif rating.score != score:
            rating.score, rating.update_time = score, now
        self.touch(repo, user_id, "ratings")
        repo.flush()
        return rating, created

    def delete_rating(self, repo: TrackingRepository, principal: Principal, *, name: str) -> None:
        user_id, rating_id = child_of(principal, name, "ratings")
        rating = repo.s.get(Rating, rating_id)
        if rating is None or rating.user_id != user_id:
            raise errors.NotFound(f"{name} not found", metadata={"name": name})
        repo.delete(rating)
        self.touch(repo, user_id, "ratings", deleted=True)

    def list_ratings(
        self,
        repo: TrackingRepository,
        principal: Principal,
        *,
        user_id: str,
        kind: str | None,
        item: Item | None,
        min_score: int,
        since: dt.datetime | None,
        by_score: bool,
        size: int,
        after: Mapping[str, object] | None,
    ) -> Page[Rating]:
        if min_score and not 1 <= min_score <= 10:
            raise invalid("min_score", "must be from 1 to 10")
        conditions = [Rating.user_id == user_id, *item_conditions(Rating, item)]
        if kind:
            conditions.append(Rating.kind == kind)
        if min_score:
            conditions.append(Rating.score >= min_score)
        if since is not None:
            conditions.append(Rating.update_time > since)
        query = select(Rating).where(*conditions)
        if by_score:
            # (score, update_time, id) descending, as one composite key.
            if after is not None:
                score, when, last_id = int(str(after["s"])), parse_time(after["k"]), str(after["id"])
                query = query.where(
                    or_(
                        Rating.score < score,
                        and_(
                            Rating.score == score,
                            or_(Rating.update_time < when, and_(Rating.update_time == when, Rating.id < last_id)),
                        ),
                    )
                )
            rows = list(
                repo.scalars(query.order_by(Rating.score.desc(), Rating.update_time.desc(), Rating.id.desc()).limit(size + 1))
            )
            page = page_of(rows, size, lambda r: r.update_time.isoformat(), lambda r: r.id, 0)
            if page.next_position is not None:
                page.next_position["s"] = page.items[-1].score
            return page
        rows = keyset(repo, query, Rating.update_time, Rating.id, True, size, after, False)
        return page_of(rows, size, lambda r: r.update_time.isoformat(), lambda r: r.id, 0)

    # -- recommendations, purge ------------------------------------------------------------

    def recommendation_inputs(
        self, repo: TrackingRepository, principal: Principal, user_id: str
    ) -> tuple[str, dict[str, float], set[str], set[str], set[str], dict[str, str]]:
        """Genre weights from highly rated, completed and watched titles; titles to leave out; names of the sources."""
        weights: dict[str, float] = {}
        names: dict[str, str] = {}
        watched = {t for (t,) in repo.rows(select(HistoryEntry.title_id).where(HistoryEntry.user_id == user_id).distinct())}
        ratings = {
            t: s
            for t, s in repo.rows(
                select(Rating.title_id, Rating.score).where(Rating.user_id == user_id, Rating.kind != "episode")
            )
        }
        completed = {
            t
            for (t,) in repo.rows(
                select(WatchlistEntry.title_id).where(WatchlistEntry.user_id == user_id, WatchlistEntry.status == "completed")
            )
        }
        watchlisted = {t for (t,) in repo.rows(select(WatchlistEntry.title_id).where(WatchlistEntry.user_id == user_id))}
        dismissed = {t for (t,) in repo.rows(select(Dismissal.title_id).where(Dismissal.user_id == user_id))}
        snapshots = repo.titles(watched | set(ratings) | completed)
        for title_id, title in snapshots.items():
            score = ratings.get(title_id)
            if score is not None and score < 6:
                continue  # disliked titles do not steer recommendations
            weight = 1.0 + (2.0 if score is not None and score >= 8 else 0.0) + (1.0 if title_id in completed else 0.0)
            for genre in title.genres or ():
                weights[genre] = weights.get(genre, 0.0) + weight
            names[title_id] = title.display_name
        return user_id, weights, watched | set(ratings), watchlisted, dismissed, names

    def title_genres(self, repo: TrackingRepository, user_id: str) -> dict[str, list[str]]:
        watched = {t for (t,) in repo.rows(select(HistoryEntry.title_id).where(HistoryEntry.user_id == user_id).distinct())}
        rated = {t for (t,) in repo.rows(select(Rating.title_id).where(Rating.user_id == user_id, Rating.score >= 6))}
        return {t: list(s.genres or ()) for t, s in repo.titles(watched | rated).items()}

    def dismiss(self, repo: TrackingRepository, principal: Principal, *, name: str, lookup: Lookup) -> None:
        user_id, title_id = child_of(principal, name, "recommendations")
        if title_id in lookup.unavailable:
            raise errors.Unavailable("Catalog could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE")
        if lookup.found.get(title_id) is None and repo.title(title_id) is None:
            raise title_not_found(f"titles/{title_id}")
        if repo.dismissal(user_id, title_id) is None:
            repo.add(Dismissal(user_id=user_id, title_id=title_id, create_time=self.clock()))
            self.touch(repo, user_id, "recommendations", deleted=True)

    def purge(self, repo: TrackingRepository, name: str) -> dict[str, int]:
        if name == "users/me":
            raise invalid("name", "users/me is not accepted; name the user")
        match = _USER.match(name or "")
        if not match:
            raise invalid("name", "must be users/{user}")
        return repo.purge(match.group(1))


# -- helpers -------------------------------------------------------------------------


def store_progress(row: ShowProgress, view: ShowProgressView) -> None:
    """Keep the denormalized progress of a series in step after its plays changed."""
    row.watched_count = sum(1 for season, _ in view.watched if season > 0)
    nxt = view.progress.next_episode
    row.next_season, row.next_episode = (nxt.season_number, nxt.episode_number) if nxt else (None, None)


def too_many(message: str, field_name: str = "items") -> errors.InvalidArgument:
    return errors.InvalidArgument(message, reason="TOO_MANY_ITEMS", violations=[FieldViolation(field_name, message)])


def progress_error(message: str) -> errors.InvalidArgument:
    return errors.InvalidArgument(message, reason="INVALID_PROGRESS", violations=[FieldViolation("progress_percent", message)])


def check_items(items: Sequence[Item]) -> None:
    if not items:
        raise invalid("items", "name at least one movie, episode, season or series")
    if len(items) > MAX_ITEMS:
        raise too_many(f"at most {MAX_ITEMS} items per call")


def item_conditions(model: type[HistoryEntry] | type[Playback] | type[Rating], item: Item | None) -> list[Any]:
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


def parse_time(value: object) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise errors.InvalidArgument("page_token is invalid", reason="INVALID_PAGE_TOKEN") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def sort_value(entry: WatchlistEntry, order: str) -> str:
    if order == "title":
        return entry.sort_title
    if order == "last_watch_time":
        return (entry.last_watch_time or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).isoformat()
    value: dt.datetime = getattr(entry, order)
    return value.isoformat()


def keyset(
    repo: TrackingRepository,
    query: Select[Any],
    column: Any,
    tiebreak: Any,
    descending: bool,
    size: int,
    after: Mapping[str, object] | None,
    text_key: bool,
) -> list[Any]:
    """One page plus one row, after `after` = {"k": sort key, "id": tiebreak} in (column, tiebreak) order."""
    if after is not None:
        key: object = str(after.get("k", "")) if text_key else parse_time(after.get("k"))
        last = str(after.get("id", ""))
        if descending:
            query = query.where(or_(column < key, and_(column == key, tiebreak < last)))
        else:
            query = query.where(or_(column > key, and_(column == key, tiebreak > last)))
    order = (column.desc(), tiebreak.desc()) if descending else (column.asc(), tiebreak.asc())
    return list(repo.scalars(query.order_by(*order).limit(size + 1)))


def page_of(rows: list[T], size: int, key: Callable[[T], str], ident: Callable[[T], str], total: int) -> Page[T]:
    if len(rows) > size:
        items = rows[:size]
        return Page(items, {"k": key(items[-1]), "id": ident(items[-1])}, total)
    return Page(rows, None, total)
