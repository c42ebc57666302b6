"""Tracking's use cases: each owns its unit of work and every outside call (Catalog, through `catalog_client`).

`TrackingUseCases` is what the handlers call, one method per RPC: it asks Catalog first (never
inside a transaction), then runs one unit of work. `TrackingWork` holds the bodies of those units
of work: it reads and writes through the repository and leaves every rule to `domain`. Results
are ORM rows read in the unit of work (sessions do not expire on commit) with the snapshots
their responses show, so the mapping to messages needs no further reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from services.core import errors
from services.core.db import Database
from services.core.models import utcnow
from services.core.tokens import Principal
from services.core.userdata import Disposition
from services.core.values import value_from
from services.tracking import domain
from services.tracking.catalog_client import CatalogClient
from services.tracking.domain import (
    EpisodeFacts,
    Item,
    Lookup,
    MarkResult,
    Page,
    ProgressFacts,
    TitleFacts,
    Window,
    child_of,
    episode_name,
    expand,
    page_of,
    parse_time,
    singleton_of,
    title_not_found,
)
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


# -- catalog facts as stored -----------------------------------------------------


def _snapshot_facts(title: TitleSnapshot, episodes: Sequence[EpisodeFacts]) -> TitleFacts:
    return value_from(TitleFacts, title, genres=tuple(title.genres or ()), episodes=tuple(episodes))


def save_snapshot(repo: TrackingRepository, facts: TitleFacts, now: dt.datetime) -> TitleSnapshot:
    """Store what Tracking needs of a title; nothing is written when it did not change."""
    fingerprint = domain.fingerprint_of(facts)
    row = repo.title(facts.title_id)
    if row is not None and row.fingerprint == fingerprint and not row.deleted:
        return row
    if row is None:
        row = TitleSnapshot(title_id=facts.title_id)
        repo.add(row)
    row.kind, row.display_name, row.poster_path = facts.kind, facts.display_name[:500], facts.poster_path[:2048]
    row.release_date, row.genres, row.runtime_minutes = facts.release_date, list(facts.genres), facts.runtime_minutes
    row.episode_count, row.deleted, row.refresh_time, row.fingerprint = facts.episode_count, False, now, fingerprint
    row.episodes_aired_by = domain.episodes_aired_by(facts)
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
        raise domain.catalog_unavailable()
    facts = lookup.found.get(title_id)
    if facts is not None:
        return save_snapshot(repo, facts, now), facts
    stored = stored_facts(repo, title_id)
    if stored is not None and not adding:
        stored[0].deleted = True  # gone from Catalog: the user's data about it is kept
        return stored
    raise title_not_found(item)


# -- results ----------------------------------------------------------------------


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


@dataclass
class MarkOutcome:
    results: list[MarkResult]
    count: int
    progress: list[ShowProgressView]


@dataclass(frozen=True)
class Snapshots:
    """Catalog snapshots for the rows of one response: their titles and just the episodes they name."""

    titles: Mapping[str, TitleSnapshot] = field(default_factory=dict)
    episodes: Mapping[tuple[str, int, int], EpisodeFacts] = field(default_factory=dict)


def snapshots_of(repo: TrackingRepository, rows: Iterable[Any], *, with_episodes: bool = True) -> Snapshots:
    rows = list(rows)
    keys = [
        (r.title_id, r.season_number, r.episode_number) for r in rows if with_episodes and getattr(r, "kind", "") == "episode"
    ]
    return Snapshots(repo.titles(r.title_id for r in rows), repo.episodes_by_key(keys))


@dataclass(frozen=True)
class Listed(Generic[T]):
    """Rows of a response with the snapshots they show, and where the next page starts."""

    items: list[T]
    snapshots: Snapshots
    next_position: dict[str, object] | None = None


@dataclass(frozen=True)
class WatchlistView:
    """Watchlist entries with what their messages show: titles, the user's ratings, series progress."""

    entries: list[WatchlistEntry]
    snapshots: Snapshots
    ratings: Mapping[str, int]
    summaries: Mapping[str, ShowProgressView]
    next_position: dict[str, object] | None = None
    total: int = 0


@dataclass
class ScrobbleResult:
    outcome: str  # playing, saved, watched
    playback: Playback | None = None
    history: HistoryEntry | None = None
    title: TitleSnapshot | None = None
    progress: ShowProgressView | None = None
    snapshots: Snapshots = field(default_factory=Snapshots)


@dataclass(frozen=True)
class Purged:
    counts: Mapping[str, int]
    erased: list[Disposition]
    retained: list[Disposition]


class TrackingWork:
    """The bodies of Tracking's units of work: each method runs inside one, on its repository."""

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
            raise errors.invalid("watchlist_entry.title", "must be a title, titles/{title}")
        domain.check_notes(notes)
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
            status = domain.default_status(progress is not None and (progress.watched_count > 0 or progress.rewatch_count > 0))
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
        chosen = domain.watchlist_update_fields(paths)
        entry = self._entry(repo, principal, name)
        domain.check_etag(etag, entry.version)
        if "status" in chosen and status is None:
            raise errors.invalid("watchlist_entry.status", "must be WATCHING, COMPLETED, DROPPED, PAUSED or PLAN_TO_WATCH")
        if "notes" in chosen:
            domain.check_notes(notes)
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
        domain.check_etag(etag, entry.version)
        repo.delete(entry)
        self.touch(repo, entry.user_id, "watchlist", deleted=True)
        progress = repo.progress(entry.user_id, entry.title_id)
        # Listed only because it was in the watchlist: an unstarted series leaves progress with it.
        if progress is not None and not domain.keeps_progress_row(
            progress.watched_count, progress.rewatch_count, repo.play_count(entry.user_id, entry.title_id)
        ):
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
        rows, total = repo.watchlist_page(
            user_id, statuses=statuses, favorites_only=favorites_only, kind=kind, since=since, order=order, size=size,
            after=domain.keyset_after(after, text_key=order == "title"),
        )  # fmt: skip
        return page_of(rows, size, lambda e: _sort_value(e, order), lambda e: e.title_id, total)

    # -- marks ------------------------------------------------------------------------

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
        domain.check_items(items)
        now = self.clock()
        when = domain.check_watch_time(watch_time, now)
        today = now.date()
        expanded: list[tuple[Item, TitleFacts, list[EpisodeFacts | None]]] = []
        for item in items:
            facts = resolve(repo, lookup, item.text, item.title_id, now, adding=True)
            expanded.append((item, facts, expand(facts, item, today, aired_only=True)))
        if sum(len(units) for _, _, units in expanded) > domain.MAX_EXPANDED:
            raise domain.too_many(f"the items expand to more than {domain.MAX_EXPANDED} episodes")
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
            result.settle()
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
        domain.check_items(items)
        now = self.clock()
        today = now.date()
        expanded = []
        for item in items:
            facts = resolve(repo, lookup, item.text, item.title_id, now, adding=False)
            expanded.append((item, facts, expand(facts, item, today, aired_only=False)))
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
        wanted = domain.status_after_movie(entry.status)
        if wanted is not None:
            self._set_status(entry, wanted, now)
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
        wanted = domain.status_after_progress(
            entry.status if entry else None, completed=progress.completed, watched=progress.watched, adding=adding
        )
        if entry is None and wanted is not None:
            entry = self._new_entry(repo, user_id, view.title, wanted, now)
        elif entry is not None and wanted is not None:
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
        read = repo.progress_read(user_id, title_id, with_title=stored is None, row=row)
        if stored is None:
            assert read.title is not None
            assert read.episodes is not None
            stored = (read.title, _snapshot_facts(read.title, read.episodes))
        return self._view(
            user_id, stored, read.row, read.plays, read.entry, read.episode_playbacks,
            include_specials=include_specials, full=full,
        )  # fmt: skip

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
        watched = domain.watched_in_cycle(plays)
        progress = domain.compute_progress(facts.episodes, watched, self.clock().date(), include_specials=include_specials)
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
            raise domain.not_a_series(f"titles/{title_id}")
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
        rows = repo.progress_page(
            user_id, statuses=statuses, since=since, size=size, after=domain.keyset_after(after, text_key=False)
        )
        page = page_of(rows, size, lambda r: r.activity_time.isoformat(), lambda r: r.title_id, 0)
        views = self.progress_views(repo, user_id, page.items, include_specials=include_specials, full=full)
        return Page(views, page.next_position)

    def start_rewatch(self, repo: TrackingRepository, principal: Principal, *, name: str, lookup: Lookup) -> ShowProgressView:
        user_id, title_id = child_of(principal, name, "progress")
        now = self.clock()
        facts = resolve(repo, lookup, f"titles/{title_id}", title_id, now, adding=False)
        if not facts.is_series:
            raise domain.not_a_series(f"titles/{title_id}")
        row = repo.progress(user_id, title_id)
        watched = repo.watched_in_cycles(user_id, {title_id: row.rewatch_count})[title_id] if row else {}
        if row is None or not domain.can_rewatch(len(watched)):
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
        title, row = summary.title, summary.progress
        progress = domain.summary_progress(
            watched_count=row.watched_count if row else 0, aired=summary.aired, total=title.episode_count,
            stored_next=summary.next_episode, last_watch_time=row.last_watch_time if row else None, today=today,
        )  # fmt: skip
        if progress is None:
            return self.progress_view(repo, user_id, title.title_id, row=row)  # with its own next playback
        view = ShowProgressView(user_id, title, _snapshot_facts(title, ()), progress, row, status)
        view.next_playback = summary.next_playback if progress.next_episode is not None else None
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
                if not domain.is_up_next(view.progress, status):
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
        return facts, domain.playable(facts, item, now.date())

    def _active_playback(self, repo: TrackingRepository, user_id: str, item: str, now: dt.datetime) -> Playback:
        playback = repo.playback(user_id, item)
        domain.check_started(item, playback.update_time if playback else None, now)
        assert playback is not None
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
        if len(device_name) > domain.MAX_DEVICE_NAME:
            raise errors.invalid("device_name", f"must be at most {domain.MAX_DEVICE_NAME} characters")
        now = self.clock()
        facts, episode = self._playable(repo, lookup, item, now)
        runtime = (episode.runtime_minutes if episode else facts.runtime_minutes) * 60
        pos, length, pct = domain.playback_position(position, duration, percent, runtime)
        key = domain.item_key(facts.title_id, episode)
        for other in repo.playing(user_id):
            if other.item != key:
                other.state = "paused"
        playback = repo.playback(user_id, key)
        new_session = domain.starts_session(playback.state if playback else None, playback.update_time if playback else None, now)
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
            wanted = domain.status_after_start(entry.status)
            if wanted is not None:
                self._set_status(entry, wanted, now)
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
        key = domain.item_key(facts.title_id, episode)
        playback = self._active_playback(repo, user_id, key, now)
        pos, length, pct = domain.playback_position(position, duration or playback.duration_seconds or None, percent, 0)
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
        key = domain.item_key(facts.title_id, episode)
        playback = self._active_playback(repo, user_id, key, now)
        pos, length, pct = domain.playback_position(position, duration or playback.duration_seconds or None, percent, 0)
        title = repo.title(facts.title_id)
        playback.position_seconds = pos
        self._record_session(repo, playback)
        if domain.stop_outcome(pct) == "saved":
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
        history = repo.latest_play(user_id, facts.title_id)
        assert history is not None
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
        rows = repo.playbacks_page(
            user_id, kind=kind, item=item, updated_after=now - domain.PLAYBACK_RETENTION, since=since, size=size,
            after=domain.keyset_after(after, text_key=False),
        )  # fmt: skip
        return page_of(rows, size, lambda p: p.update_time.isoformat(), lambda p: p.id, 0)

    def delete_playback(self, repo: TrackingRepository, principal: Principal, *, name: str) -> None:
        user_id, playback_id = child_of(principal, name, "playbacks")
        playback = repo.playback_by_id(user_id, playback_id)
        if playback is None:
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
        rows = repo.history_page(
            user_id, item=item, kind=kind, start=start, end=end, since=since, size=size,
            after=domain.keyset_after(after, text_key=False),
        )  # fmt: skip
        return page_of(rows, size, lambda h: h.watch_time.isoformat(), lambda h: h.id, 0)

    def batch_delete_history(
        self, repo: TrackingRepository, principal: Principal, *, user_id: str, names: Sequence[str]
    ) -> tuple[int, list[str]]:
        ids = domain.history_deletes(principal, user_id, names)
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
            raise errors.invalid("item", "rate a movie, a series or an episode, not a season")
        domain.check_score(score)
        now = self.clock()
        facts = resolve(repo, lookup, item.text, item.title_id, now, adding=True)
        season = episode = 0
        if item.episode is not None:
            unit = expand(facts, item, now.date(), aired_only=False)[0]
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
        rating = repo.rating_by_id(user_id, rating_id)
        if rating is None:
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
        domain.check_min_score(min_score)
        if by_score:
            # (score, update_time, id) descending, as one composite key.
            key = (int(str(after["s"])), parse_time(after["k"]), str(after["id"])) if after is not None else None
            rows = repo.ratings_by_score_page(
                user_id, kind=kind, item=item, min_score=min_score, since=since, size=size, after=key
            )
            page = page_of(rows, size, lambda r: r.update_time.isoformat(), lambda r: r.id, 0)
            if page.next_position is not None:
                page.next_position["s"] = page.items[-1].score
            return page
        rows = repo.ratings_page(
            user_id, kind=kind, item=item, min_score=min_score, since=since, size=size,
            after=domain.keyset_after(after, text_key=False),
        )  # fmt: skip
        return page_of(rows, size, lambda r: r.update_time.isoformat(), lambda r: r.id, 0)

    # -- recommendations, purge ------------------------------------------------------------

    def taste(self, repo: TrackingRepository, user_id: str) -> domain.Taste:
        """Genre weights from highly rated, completed and watched titles; titles to leave out; names of the sources."""
        watched = repo.watched_title_ids(user_id)
        ratings = repo.title_scores(user_id)
        completed = repo.watchlist_title_ids(user_id, status="completed")
        snapshots = repo.titles(watched | set(ratings) | completed)
        titles = {t: (s.display_name, list(s.genres or ())) for t, s in snapshots.items()}
        weights, names = domain.genre_weights(titles, ratings, completed)
        return domain.Taste(
            weights, watched | set(ratings), repo.watchlist_title_ids(user_id), repo.dismissed_title_ids(user_id), names
        )

    def liked_genres(self, repo: TrackingRepository, user_id: str) -> dict[str, list[str]]:
        """The genres of each title the user watched or rated 6 or more: what a recommendation is "because of"."""
        return repo.title_genres(repo.watched_title_ids(user_id) | repo.rated_title_ids(user_id, min_score=6))

    def dismiss(self, repo: TrackingRepository, principal: Principal, *, name: str, lookup: Lookup) -> None:
        user_id, title_id = child_of(principal, name, "recommendations")
        if title_id in lookup.unavailable:
            raise domain.catalog_unavailable()
        if lookup.found.get(title_id) is None and repo.title(title_id) is None:
            raise title_not_found(f"titles/{title_id}")
        if repo.dismissal(user_id, title_id) is None:
            repo.add(Dismissal(user_id=user_id, title_id=title_id, create_time=self.clock()))
            self.touch(repo, user_id, "recommendations", deleted=True)

    def purge(self, repo: TrackingRepository, user_id: str) -> dict[str, int]:
        return repo.purge(user_id)

    def export(self, repo: TrackingRepository, user_id: str, max_message_bytes: int) -> bytes:
        """The encoded export, built in the unit of work's thread (a heavy user's is megabytes of JSON)."""
        return domain.encode_export(domain.export_document(user_id, repo.user_rows(user_id), self.clock()), max_message_bytes)


def _sort_value(entry: WatchlistEntry, order: str) -> str:
    when = entry.create_time if order == "create_time" else entry.update_time
    return domain.watchlist_sort_value(order, entry.sort_title, entry.last_watch_time, when)


def store_progress(row: ShowProgress, view: ShowProgressView) -> None:
    """Keep the denormalized progress of a series in step after its plays changed."""
    row.watched_count = domain.stored_watched_count(view.watched)
    nxt = view.progress.next_episode
    row.next_season, row.next_episode = (nxt.season_number, nxt.episode_number) if nxt else (None, None)


class TrackingUseCases:
    """One method per RPC: Catalog is asked first, outside any transaction, then one unit of work runs."""

    def __init__(
        self,
        database: Database,
        catalog: CatalogClient,
        clock: Callable[[], dt.datetime] = utcnow,
        *,
        max_message_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self.db = database
        self.catalog = catalog
        self.clock = clock
        self.max_message_bytes = max_message_bytes  # the server's send limit: an export must fit in one response
        self.work = TrackingWork(clock)

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(repository, *args, **kwargs)` in one unit of work, off the event loop."""
        return await self.db.run(lambda session: fn(TrackingRepository(session), *args, **kwargs))

    async def _lookup(self, title_ids: Iterable[str]) -> Lookup:
        found: dict[str, TitleFacts | None] = {}
        unavailable: set[str] = set()
        for title_id in dict.fromkeys(title_ids):
            try:
                found[title_id] = await self.catalog.title(title_id)
            except errors.Unavailable:
                unavailable.add(title_id)
        return Lookup(found, frozenset(unavailable))

    # -- watchlist -----------------------------------------------------------------

    def _watchlist_view(
        self, repo: TrackingRepository, entries: Sequence[WatchlistEntry], next_position: dict[str, object] | None = None,
        total: int = 0,
    ) -> WatchlistView:  # fmt: skip
        if not entries:
            return WatchlistView([], Snapshots(), {}, {}, next_position, total)
        user_id = entries[0].user_id
        ids = [e.title_id for e in entries]
        summaries = self.work.progress_summaries(
            repo, user_id, [e.title_id for e in entries if e.kind == "series"], {e.title_id: e.status for e in entries}
        )
        return WatchlistView(
            list(entries), snapshots_of(repo, entries, with_episodes=False), repo.title_ratings(user_id, ids), summaries,
            next_position, total,
        )  # fmt: skip

    async def create_watchlist_entry(self, principal: Principal, item: Item, **given: Any) -> WatchlistView:
        lookup = await self._lookup([item.title_id])

        def work(repo: TrackingRepository) -> WatchlistView:
            entry = self.work.create_watchlist_entry(repo, principal, item=item, lookup=lookup, **given)
            return self._watchlist_view(repo, [entry])

        return await self._run(work)

    async def get_watchlist_entry(self, principal: Principal, name: str) -> WatchlistView:
        return await self._run(lambda repo: self._watchlist_view(repo, [self.work.get_watchlist_entry(repo, principal, name)]))

    async def update_watchlist_entry(self, principal: Principal, **given: Any) -> WatchlistView:
        def work(repo: TrackingRepository) -> WatchlistView:
            return self._watchlist_view(repo, [self.work.update_watchlist_entry(repo, principal, **given)])

        return await self._run(work)

    async def delete_watchlist_entry(self, principal: Principal, name: str, etag: str) -> None:
        await self._run(self.work.delete_watchlist_entry, principal, name=name, etag=etag)

    async def list_watchlist(self, principal: Principal, **query: Any) -> WatchlistView:
        def work(repo: TrackingRepository) -> WatchlistView:
            page = self.work.list_watchlist(repo, principal, **query)
            return self._watchlist_view(repo, page.items, page.next_position, page.total)

        return await self._run(work)

    # -- marks and progress ------------------------------------------------------------

    async def mark_watched(self, principal: Principal, items: Sequence[Item], **given: Any) -> MarkOutcome:
        lookup = await self._lookup(i.title_id for i in items)
        return await self._run(self.work.mark_watched, principal, items=items, lookup=lookup, **given)

    async def mark_unwatched(self, principal: Principal, items: Sequence[Item], **given: Any) -> MarkOutcome:
        lookup = await self._lookup(i.title_id for i in items)
        return await self._run(self.work.mark_unwatched, principal, items=items, lookup=lookup, **given)

    async def get_show_progress(self, principal: Principal, name: str, **view: Any) -> ShowProgressView:
        _, title_id = child_of(principal, name, "progress")
        lookup = await self._lookup([title_id])
        # Usually a read of a few rows by key (inline on SQLite); catching stored progress up with a
        # newly aired episode writes (services/core/db.py).
        return await self.db.read_first_point(
            lambda session: self.work.get_show_progress(TrackingRepository(session), principal, name=name, lookup=lookup, **view)
        )

    async def list_show_progress(self, principal: Principal, **query: Any) -> Page[ShowProgressView]:
        return await self._run(self.work.list_show_progress, principal, **query)

    async def start_rewatch(self, principal: Principal, name: str) -> ShowProgressView:
        _, title_id = child_of(principal, name, "progress")
        lookup = await self._lookup([title_id])
        return await self._run(self.work.start_rewatch, principal, name=name, lookup=lookup)

    async def list_up_next(self, principal: Principal, **query: Any) -> Page[tuple[ShowProgressView, dt.datetime]]:
        return await self._run(self.work.list_up_next, principal, **query)

    # -- scrobbles ---------------------------------------------------------------------

    async def scrobble(self, action: str, principal: Principal, item: Item, **given: Any) -> ScrobbleResult:
        """`action`: start, pause or stop; the result carries the snapshots its playback or play shows."""
        lookup = await self._lookup([item.title_id])
        actions: dict[str, Callable[..., ScrobbleResult]] = {
            "start": self.work.start_scrobble, "pause": self.work.pause_scrobble, "stop": self.work.stop_scrobble,
        }  # fmt: skip
        fn = actions[action]

        def work(repo: TrackingRepository) -> ScrobbleResult:
            result = fn(repo, principal, item=item, lookup=lookup, **given)
            shown = [r for r in (result.playback, result.history) if r is not None]
            result.snapshots = snapshots_of(repo, shown)
            return result

        return await self._run(work)

    async def list_playbacks(self, principal: Principal, **query: Any) -> Listed[Playback]:
        def work(repo: TrackingRepository) -> Listed[Playback]:
            page = self.work.list_playbacks(repo, principal, **query)
            return Listed(page.items, snapshots_of(repo, page.items), page.next_position)

        return await self._run(work)

    async def delete_playback(self, principal: Principal, name: str) -> None:
        await self._run(self.work.delete_playback, principal, name=name)

    # -- history and ratings ---------------------------------------------------------------

    async def list_history(self, principal: Principal, **query: Any) -> Listed[HistoryEntry]:
        def work(repo: TrackingRepository) -> Listed[HistoryEntry]:
            page = self.work.list_history(repo, principal, **query)
            return Listed(page.items, snapshots_of(repo, page.items), page.next_position)

        return await self._run(work)

    async def batch_delete_history(self, principal: Principal, user_id: str, names: Sequence[str]) -> tuple[int, list[str]]:
        return await self._run(self.work.batch_delete_history, principal, user_id=user_id, names=names)

    async def set_rating(self, principal: Principal, user_id: str, item: Item, score: int) -> tuple[Listed[Rating], bool]:
        # Catalog is asked only for a rating that can be stored.
        lookup = await self._lookup([item.title_id]) if 1 <= score <= 10 and not item.is_season else Lookup()

        def work(repo: TrackingRepository) -> tuple[Listed[Rating], bool]:
            rating, created = self.work.set_rating(repo, principal, user_id=user_id, item=item, lookup=lookup, score=score)
            return Listed([rating], snapshots_of(repo, [rating])), created

        return await self._run(work)

    async def delete_rating(self, principal: Principal, name: str) -> None:
        await self._run(self.work.delete_rating, principal, name=name)

    async def list_ratings(self, principal: Principal, **query: Any) -> Listed[Rating]:
        def work(repo: TrackingRepository) -> Listed[Rating]:
            page = self.work.list_ratings(repo, principal, **query)
            return Listed(page.items, snapshots_of(repo, page.items), page.next_position)

        return await self._run(work)

    # -- stats and activity ----------------------------------------------------------------

    async def user_stats(self, user_id: str, window: Window) -> domain.UserStats:
        def work(repo: TrackingRepository) -> domain.UserStats:
            plays = repo.plays(window.start, window.end, user_id=user_id)
            return domain.user_stats(
                user_id, window, plays, repo.title_genres({p.title_id for p in plays}),
                completed=repo.completion_count(user_id, window.start, window.end),
                scores=repo.scores_given(user_id, window.start, window.end),
                status_counts=repo.status_counts(user_id), now=utcnow(),
            )  # fmt: skip

        return await self._run(work)

    async def platform_stats(self, window: Window) -> domain.PlatformStats:
        def work(repo: TrackingRepository) -> domain.PlatformStats:
            plays = repo.plays(window.start, window.end)
            return domain.platform_stats(
                window, plays, repo.title_genres({p.title_id for p in plays}), repo.sessions_started(window.start, window.end),
                adds=repo.watchlist_add_count(window.start, window.end),
                ratings=repo.rating_count(window.start, window.end), now=utcnow(),
            )  # fmt: skip

        return await self._run(work)

    async def title_activity(
        self, window: Window, *, kind: str | None, titles: Sequence[str], order: str, size: int,
        after: Mapping[str, object] | None,
    ) -> tuple[Window, list[domain.TitleActivity], dict[str, object] | None]:  # fmt: skip
        """A page of per-title activity; a page token pins the window, so every page counts the same plays."""
        if after:
            window = Window(
                dt.datetime.fromisoformat(str(after["s"])), dt.datetime.fromisoformat(str(after["e"])), None, window.zone
            )
        start, end = window.start, window.end
        assert start is not None
        assert end is not None

        def work(repo: TrackingRepository) -> list[domain.TitleActivity]:
            per = domain.title_activity(
                titles, repo.activity_plays(titles, start, end), repo.activity_sessions(titles, start, end),
                repo.activity_adds(titles, start, end),
            )  # fmt: skip
            ratings, snapshots = repo.rating_averages(list(per)), repo.titles(list(per))
            found = []
            for title_id, row in per.items():
                title = snapshots.get(title_id)
                row.kind = title.kind if title else ""
                if kind and row.kind != kind:
                    continue
                row.rating_count, row.average_rating = ratings.get(title_id, (0, 0.0))
                found.append(row)
            return found

        rows = await self._run(work)
        key = (float(str(after["k"])), str(after["id"])) if after else None
        chosen, last = domain.activity_page(rows, order, key, size)
        position: dict[str, object] | None = None
        if last is not None:
            position = {"k": last.value(order), "id": last.title_id, "s": start.isoformat(), "e": end.isoformat()}
        return window, chosen, position

    # -- recommendations and activity ---------------------------------------------------------

    async def recommendations(
        self, principal: Principal, user_id: str, *, kind: str | None, genre: str, include_watchlisted: bool
    ) -> list[domain.Recommendation]:
        taste = await self._run(self.work.taste, user_id)
        exclude = taste.seen | taste.dismissed | (set() if include_watchlisted else taste.watchlisted)
        found: list[domain.Recommendation] = []
        if taste.weights:
            sources = await self._run(self.work.liked_genres, user_id)
            candidates = await self.catalog.titles_with_genres(
                domain.top_genres(taste.weights), limit=domain.MAX_RECOMMENDATIONS * 2
            )
            ranked = domain.rank(candidates, taste.weights, sources, taste.names, exclude, kind=kind, genre=genre)
            found = domain.recommendations(ranked, taste.names)
        if not found:
            found = domain.trending(await self.catalog.popular_titles(limit=100), exclude, kind=kind, genre=genre)
        return found

    async def dismiss_recommendation(self, principal: Principal, name: str) -> None:
        _, title_id = child_of(principal, name, "recommendations")
        lookup = await self._lookup([title_id])
        await self._run(self.work.dismiss, principal, name=name, lookup=lookup)

    async def last_activities(self, principal: Principal, name: str) -> tuple[str, LastActivity]:
        return await self._run(self.work.last_activities, principal, name)

    # -- account export and erasure ----------------------------------------------------------

    async def export_user_data(self, name: str) -> bytes:
        """Everything Tracking holds about a user, as one JSON document (see `domain.export_document`)."""
        return await self._run(self.work.export, domain.named_user(name), self.max_message_bytes)

    async def purge_user_data(self, name: str) -> Purged:
        """Erases the user's tracking data; a second call erases nothing more and succeeds."""
        counts = await self._run(self.work.purge, domain.named_user(name))
        return Purged(counts, domain.erased(counts), [])
