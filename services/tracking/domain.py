"""Tracking's rules on plain values: names, Catalog facts, progress ("5 of 10"), up next, rewatches,
the scrobble state machine, stats arithmetic and recommendation scoring.

Nothing here reads or writes storage: the use cases (`usecases.py`) fetch the values, call these
rules and store what they decide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from services.core import errors
from services.core.errors import FieldViolation, invalid
from services.core.tokens import Principal
from services.core.userdata import Disposition as Disposition  # explicit: the mapping names `domain.Disposition`

T = TypeVar("T")

DOMAIN = "marquee.tracking"
STATUSES = ("watching", "completed", "dropped", "paused", "plan_to_watch")
MAX_ITEMS = 100
MAX_EXPANDED = 5000
MAX_NOTES = 1000
MAX_DEVICE_NAME = 100
MAX_HISTORY_DELETES = 500
FUTURE_LEEWAY = dt.timedelta(minutes=5)
PLAYBACK_EXPIRY = dt.timedelta(hours=24)
PLAYBACK_RETENTION = dt.timedelta(days=180)
WATCHED_THRESHOLD = 90.0
COLLECTIONS = ("watchlist", "history", "progress", "ratings", "playbacks", "recommendations")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WATCHLIST_FIELDS = frozenset({"status", "favorite", "notes"})
MAX_BUCKETS = 400
MAX_ACTIVITY_DAYS = 366
MAX_ACTIVITY_TITLES = 100
MAX_RECOMMENDATIONS = 200
PERIODS = ("day", "week", "month", "year")

_ID = r"[A-Za-z0-9_-]{1,64}"
_ITEM = re.compile(rf"^titles/({_ID})(?:/seasons/(\d{{1,4}})(?:/episodes/(\d{{1,5}}))?)?$")
_USER = re.compile(rf"^users/({_ID})$")


# -- Catalog facts -------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeFacts:
    season_number: int
    episode_number: int
    display_name: str = ""
    runtime_minutes: int = 0
    air_date: dt.date | None = None
    still_path: str = ""

    def aired(self, today: dt.date) -> bool:
        return self.air_date is None or self.air_date <= today

    @property
    def key(self) -> tuple[int, int]:
        return self.season_number, self.episode_number


@dataclass(frozen=True)
class TitleFacts:
    title_id: str
    kind: str  # movie, series
    display_name: str = ""
    published: bool = True
    poster_path: str = ""
    release_date: dt.date | None = None
    genres: tuple[str, ...] = ()
    runtime_minutes: int = 0
    episodes: tuple[EpisodeFacts, ...] = field(default_factory=tuple)

    @property
    def is_series(self) -> bool:
        return self.kind == "series"

    @property
    def episode_count(self) -> int:
        """Episodes in Catalog, specials excluded, aired or not."""
        return sum(1 for e in self.episodes if e.season_number > 0)


@dataclass(frozen=True)
class Lookup:
    """What the use case learned from Catalog about the titles of a request."""

    found: Mapping[str, TitleFacts | None] = field(default_factory=dict)
    unavailable: frozenset[str] = frozenset()


def fingerprint_of(facts: TitleFacts) -> str:
    """A stable hash of everything Tracking stores about a title."""
    stored = dataclasses.replace(facts, published=True, display_name=facts.display_name[:500])
    return hashlib.sha256(repr(stored).encode()).hexdigest()


def episodes_aired_by(facts: TitleFacts) -> dt.date | None:
    """The day from which every episode but the specials has aired; date.min when none has an air date."""
    if not facts.is_series:
        return None
    return max((e.air_date for e in facts.episodes if e.season_number > 0 and e.air_date is not None), default=dt.date.min)


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


def parse_items(texts: Sequence[str]) -> list[Item]:
    if len(texts) > MAX_ITEMS:
        raise too_many(f"at most {MAX_ITEMS} items per call")
    return [parse_item(t, f"items[{i}]") for i, t in enumerate(texts)]


def episode_name(title_id: str, season: int, episode: int) -> str:
    return f"titles/{title_id}/seasons/{season}/episodes/{episode}"


def item_key(title_id: str, episode: EpisodeFacts | None) -> str:
    """The name a playback or rating is keyed by: the episode's, else the title's."""
    return episode_name(title_id, episode.season_number, episode.episode_number) if episode else f"titles/{title_id}"


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


def named_user(name: str) -> str:
    """The user of an account-level call from another service (export, purge): `users/{user}`, never `users/me`."""
    if name == "users/me":
        raise invalid("name", "users/me is not accepted; name the user")
    match = _USER.match(name or "")
    if not match:
        raise invalid("name", "must be users/{user}")
    return match.group(1)


def title_ids_of(names: Sequence[str], field_name: str = "titles") -> list[str]:
    """`titles/{title}` names → title ids, at most `MAX_ACTIVITY_TITLES`."""
    if len(names) > MAX_ACTIVITY_TITLES:
        raise invalid(field_name, f"at most {MAX_ACTIVITY_TITLES} titles")
    found = []
    for index, name in enumerate(names):
        if not name.startswith("titles/") or "/" in name[7:] or not name[7:]:
            raise invalid(f"{field_name}[{index}]", "must be titles/{title}")
        found.append(name[7:])
    return found


# -- errors ----------------------------------------------------------------------


def title_not_found(item: str) -> errors.NotFound:
    return errors.NotFound(f"{item} was not found in the catalog", reason="TITLE_NOT_FOUND", metadata={"item": item})


def episode_not_found(item: str) -> errors.NotFound:
    return errors.NotFound(f"{item} was not found in the catalog", reason="EPISODE_NOT_FOUND", metadata={"item": item})


def not_a_series(item: str) -> errors.FailedPrecondition:
    return errors.FailedPrecondition(f"{item} is a movie, not a series", reason="NOT_A_SERIES", metadata={"item": item})


def catalog_unavailable() -> errors.Unavailable:
    return errors.Unavailable("Catalog could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE")


def etag_mismatch() -> errors.Aborted:
    return errors.Aborted("the entry changed since it was read", reason="ETAG_MISMATCH")


def too_many(message: str, field_name: str = "items") -> errors.InvalidArgument:
    return errors.InvalidArgument(message, reason="TOO_MANY_ITEMS", violations=[FieldViolation(field_name, message)])


def progress_error(message: str) -> errors.InvalidArgument:
    return errors.InvalidArgument(message, reason="INVALID_PROGRESS", violations=[FieldViolation("progress_percent", message)])


# -- input rules -------------------------------------------------------------------


def check_items(items: Sequence[Item]) -> None:
    if not items:
        raise invalid("items", "name at least one movie, episode, season or series")
    if len(items) > MAX_ITEMS:
        raise too_many(f"at most {MAX_ITEMS} items per call")


def check_notes(notes: str) -> None:
    if len(notes) > MAX_NOTES:
        raise invalid("watchlist_entry.notes", f"must be at most {MAX_NOTES} characters")


def check_watch_time(watch_time: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When a mark happened: now unless given, and never more than five minutes ahead."""
    if watch_time is not None and watch_time > now + FUTURE_LEEWAY:
        raise errors.InvalidArgument(
            "watch_time is in the future",
            reason="WATCH_TIME_IN_FUTURE",
            violations=[FieldViolation("watch_time", "must not be more than five minutes in the future")],
        )
    return watch_time or now


def check_score(score: int) -> None:
    if not 1 <= score <= 10:
        raise errors.InvalidArgument(
            "score must be a whole number from 1 to 10",
            reason="INVALID_RATING",
            violations=[FieldViolation("score", "must be from 1 to 10")],
        )


def check_min_score(min_score: int) -> None:
    if min_score and not 1 <= min_score <= 10:
        raise invalid("min_score", "must be from 1 to 10")


def watchlist_update_fields(paths: Sequence[str]) -> set[str]:
    """The fields an update mask names (`*` for all); output-only or unknown ones are refused."""
    if not paths:
        raise invalid("update_mask", "name at least one of status, favorite, notes")
    chosen = set(WATCHLIST_FIELDS) if "*" in paths else set(paths)
    unknown = sorted(chosen - WATCHLIST_FIELDS)
    if unknown:
        raise errors.InvalidArgument(
            f"cannot update {', '.join(unknown)}",
            violations=[FieldViolation("update_mask", f"{p} is unknown or output only") for p in unknown],
        )
    return chosen


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def check_etag(given: str, version: int) -> None:
    if given and given != etag_for(version):
        raise etag_mismatch()


def history_deletes(principal: Principal, user_id: str, names: Sequence[str]) -> dict[str, str]:
    """Play names of one user → their ids; each must belong to the user named by parent."""
    if not names:
        raise invalid("names", "name at least one play")
    if len(names) > MAX_HISTORY_DELETES:
        raise too_many(f"at most {MAX_HISTORY_DELETES} plays per call", field_name="names")
    ids: dict[str, str] = {}
    for index, name in enumerate(names):
        owner, entry_id = child_of(principal, name, "history", f"names[{index}]")
        if owner != user_id:
            raise invalid(f"names[{index}]", "must belong to the user named by parent")
        ids[name] = entry_id
    return ids


def check_interval(start: dt.datetime | None, end: dt.datetime | None, field_name: str) -> None:
    if start and end and end < start:
        raise invalid(field_name, "end_time must not be before start_time")


# -- marks ---------------------------------------------------------------------------


def expand(facts: TitleFacts, item: Item, today: dt.date, *, aired_only: bool) -> list[EpisodeFacts | None]:
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


@dataclass
class MarkResult:
    item: str
    outcome: str  # changed, already_watched, not_watched, not_aired
    changed: int = 0
    unchanged: int = 0

    def settle(self) -> None:
        """The outcome once every unit was tried: not aired stays, else changed or already watched."""
        if self.outcome != "not_aired":
            self.outcome = "changed" if self.changed else "already_watched"


def default_status(started: bool) -> str:
    """A new watchlist entry without a status: WATCHING once a series is started, else PLAN_TO_WATCH."""
    return "watching" if started else "plan_to_watch"


def status_after_progress(current: str | None, *, completed: bool, watched: int, adding: bool) -> str | None:
    """The watchlist status a series moves to after its plays changed; None: leave it (or no entry to make).

    DROPPED and PAUSED are the user's choice and stay. A PLAN_TO_WATCH series whose plays were
    all removed stays planned.
    """
    wanted = "completed" if completed else "watching"
    if current is None:
        return wanted if adding else None
    if current in ("dropped", "paused"):
        return None
    if current == "plan_to_watch" and not watched and not adding:
        wanted = "plan_to_watch"
    return wanted if wanted != current else None


def status_after_movie(current: str) -> str | None:
    """A watched movie completes its entry unless the user dropped, paused or completed it already."""
    return None if current in ("dropped", "paused", "completed") else "completed"


def status_after_start(current: str) -> str | None:
    """Starting playback moves a planned title to WATCHING."""
    return "watching" if current == "plan_to_watch" else None


def keeps_progress_row(watched_count: int, rewatch_count: int, play_count: int) -> bool:
    """An unstarted series is listed in progress only because it is in the watchlist."""
    return bool(watched_count or rewatch_count or play_count)


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


Plays = Mapping[tuple[int, int], tuple[int, dt.datetime, dt.datetime | None]]


def watched_in_cycle(plays: Plays) -> dict[tuple[int, int], dt.datetime]:
    """Episodes watched in the current cycle, with their latest watch in it, from per-episode plays."""
    return {key: in_cycle for key, (_, _, in_cycle) in plays.items() if in_cycle is not None}


def stored_watched_count(watched: Iterable[tuple[int, int]]) -> int:
    """What a progress row stores as watched: episodes of the current cycle, specials excluded."""
    return sum(1 for season, _ in watched if season > 0)


def summary_progress(
    *,
    watched_count: int,
    aired: int,
    total: int,
    stored_next: EpisodeFacts | None,
    last_watch_time: dt.datetime | None,
    today: dt.date,
) -> ProgressFacts | None:
    """A series' progress from what the writes stored (watched count, next episode) plus the aired count.

    None when the stored next episode is missing while an aired episode is left (something aired
    since the last write): the caller computes the progress in full then.
    """
    if stored_next is None and aired > watched_count:
        return None
    nxt = stored_next if stored_next is not None and stored_next.aired(today) else None
    return ProgressFacts(
        watched=min(watched_count, aired), aired=aired, total=total, seasons=[], next_episode=nxt,
        last_episode=None, last_watch_time=last_watch_time, watched_minutes=0, remaining_minutes=0,
    )  # fmt: skip


def is_up_next(progress: ProgressFacts, status: str) -> bool:
    """Up next lists a series with an aired episode left; a planned one only while nothing is watched."""
    if progress.next_episode is None:
        return False
    return not (status == "plan_to_watch" and progress.watched)


def can_rewatch(watched_in_current_cycle: int) -> bool:
    return watched_in_current_cycle > 0


# -- scrobbles ---------------------------------------------------------------------


def playable(facts: TitleFacts, item: Item, today: dt.date) -> EpisodeFacts | None:
    """The episode a scrobble is about (None for a movie); a series or a season is not playable."""
    if not facts.is_series:
        if not item.is_title:
            raise not_a_series(item.text)
        return None
    if item.episode is None:
        raise errors.FailedPrecondition(f"{item.text} is not playable; name a movie or an episode", reason="NOT_AN_EPISODE")
    return expand(facts, item, today, aired_only=False)[0]


def playback_position(
    position: float | None, duration: float | None, percent: float, runtime_seconds: float
) -> tuple[float, float, float]:
    """(position, duration, percent) of a scrobble from whichever the player sent, checked."""
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


def playback_expired(update_time: dt.datetime, now: dt.datetime) -> bool:
    return now - update_time > PLAYBACK_EXPIRY


def is_playing(state: str, update_time: dt.datetime, now: dt.datetime) -> bool:
    """A playback shows as playing while its player reported in the last 24 hours; else paused."""
    return state == "playing" and not playback_expired(update_time, now)


def starts_session(state: str | None, update_time: dt.datetime | None, now: dt.datetime) -> bool:
    """A start opens a new viewing session unless the same item is playing and fresh."""
    return state != "playing" or update_time is None or playback_expired(update_time, now)


def check_started(item: str, update_time: dt.datetime | None, now: dt.datetime) -> None:
    """Pause and stop need a playback started in the last 24 hours."""
    if update_time is None or playback_expired(update_time, now):
        raise errors.FailedPrecondition(
            f"no playback of {item} was started", reason="PLAYBACK_NOT_STARTED", metadata={"item": item}
        )


def stop_outcome(percent: float) -> str:
    """A stop at 90 % or more is a watch; before that the position is saved."""
    return "watched" if percent >= WATCHED_THRESHOLD else "saved"


# -- paging --------------------------------------------------------------------------


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_position: dict[str, object] | None = None
    total: int = 0


def page_of(rows: list[T], size: int, key: Callable[[T], str], ident: Callable[[T], str], total: int) -> Page[T]:
    """A page from `size + 1` rows: the extra row only says there is more."""
    if len(rows) > size:
        items = rows[:size]
        return Page(items, {"k": key(items[-1]), "id": ident(items[-1])}, total)
    return Page(rows, None, total)


def parse_time(value: object) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise errors.InvalidArgument("page_token is invalid", reason="INVALID_PAGE_TOKEN") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def keyset_after(after: Mapping[str, object] | None, *, text_key: bool) -> tuple[object, str] | None:
    """The (sort key, tiebreak) a page token carries, checked."""
    if after is None:
        return None
    key: object = str(after.get("k", "")) if text_key else parse_time(after.get("k"))
    return key, str(after.get("id", ""))


def watchlist_sort_value(order: str, sort_title: str, last_watch_time: dt.datetime | None, value: dt.datetime) -> str:
    """The page-token key of a watchlist entry in `order` (never-watched entries sort as the epoch)."""
    if order == "title":
        return sort_title
    if order == "last_watch_time":
        return (last_watch_time or EPOCH).isoformat()
    return value.isoformat()


def offset_page(found: Sequence[T], offset: int, size: int) -> tuple[list[T], dict[str, object] | None]:
    chosen = list(found[offset : offset + size])
    return chosen, ({"i": offset + size} if offset + size < len(found) else None)


# -- stats -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: dt.datetime | None
    end: dt.datetime | None
    period: str | None
    zone: zoneinfo.ZoneInfo


def window_of(
    start: dt.datetime | None,
    end: dt.datetime | None,
    *,
    given: bool,
    period: str | None,
    zone_name: str,
    default_days: int | None,
    now: dt.datetime,
) -> Window:
    """The interval, granularity and time zone of a stats request, validated; `given`: an interval was sent."""
    if given:
        check_interval(start, end, "interval")
    elif default_days is not None:
        end, start = now, now - dt.timedelta(days=default_days)
    try:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid("time_zone", "must be an IANA time zone such as Africa/Kampala") from exc
    return Window(start, end, period, zone)


def activity_window(window: Window, now: dt.datetime) -> Window:
    """Title activity counts over a bound window: the last seven days by default, at most 366."""
    start, end = window.start or now - dt.timedelta(days=7), window.end or now
    if end - start > dt.timedelta(days=MAX_ACTIVITY_DAYS):
        raise invalid("interval", f"the window must be at most {MAX_ACTIVITY_DAYS} days")
    return Window(start, end, None, window.zone)


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
    """Calendar buckets in the window's time zone, from the window start (or the first play) to its end (or now)."""
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


@dataclass(frozen=True)
class Play:
    """One play as the stats read it."""

    user_id: str
    title_id: str
    kind: str  # movie, episode
    season_number: int
    episode_number: int
    watch_time: dt.datetime
    runtime_seconds: float


@dataclass(frozen=True)
class GenreCount:
    genre: str
    play_count: int
    watch_seconds: float
    title_count: int


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime
    end: dt.datetime
    movie_play_count: int
    episode_play_count: int
    watch_seconds: float
    watcher_count: int


def genre_counts(plays: Sequence[Play], genres: Mapping[str, Sequence[str]]) -> list[GenreCount]:
    """Plays, watch time and titles per genre, most watched first."""
    per: dict[str, list[Any]] = defaultdict(lambda: [0, 0, set()])
    for play in plays:
        for genre in genres.get(play.title_id, ()):
            per[genre][0] += 1
            per[genre][1] += play.runtime_seconds
            per[genre][2].add(play.title_id)
    ordered = sorted(per.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    return [GenreCount(g, v[0], v[1], len(v[2])) for g, v in ordered]


def buckets_of(window: Window, plays: Sequence[Play], now: dt.datetime, *, with_watchers: bool) -> list[Bucket]:
    first = min((p.watch_time for p in plays), default=None)
    found = []
    for low, high in bucket_bounds(window, first, now):
        inside = [p for p in plays if low <= p.watch_time < high]
        found.append(
            Bucket(
                low, high,
                movie_play_count=sum(1 for p in inside if p.kind == "movie"),
                episode_play_count=sum(1 for p in inside if p.kind == "episode"),
                watch_seconds=sum(p.runtime_seconds for p in inside),
                watcher_count=len({p.user_id for p in inside}) if with_watchers else 0,
            )
        )  # fmt: skip
    return found


@dataclass(frozen=True)
class UserStats:
    user_id: str
    window: Window
    movie_count: int
    movie_play_count: int
    episode_count: int
    episode_play_count: int
    show_count: int
    completed_show_count: int
    watch_seconds: float
    rating_count: int
    average_rating: float
    genres: list[GenreCount]
    buckets: list[Bucket]
    status_counts: list[tuple[str, int]]


def user_stats(
    user_id: str,
    window: Window,
    plays: Sequence[Play],
    genres: Mapping[str, Sequence[str]],
    *,
    completed: int,
    scores: Sequence[int],
    status_counts: Mapping[str, int],
    now: dt.datetime,
) -> UserStats:
    movies = [p for p in plays if p.kind == "movie"]
    episodes = [p for p in plays if p.kind == "episode"]
    return UserStats(
        user_id=user_id,
        window=window,
        movie_count=len({p.title_id for p in movies}),
        movie_play_count=len(movies),
        episode_count=len({(p.title_id, p.season_number, p.episode_number) for p in episodes}),
        episode_play_count=len(episodes),
        show_count=len({p.title_id for p in episodes}),
        completed_show_count=completed,
        watch_seconds=sum(p.runtime_seconds for p in plays),
        rating_count=len(scores),
        average_rating=round(sum(scores) / len(scores), 2) if scores else 0.0,
        genres=genre_counts(plays, genres),
        buckets=buckets_of(window, plays, now, with_watchers=False),
        status_counts=sorted(status_counts.items(), key=lambda kv: STATUSES.index(kv[0]) if kv[0] in STATUSES else 99),
    )


@dataclass(frozen=True)
class PlatformStats:
    window: Window
    watcher_count: int
    movie_play_count: int
    episode_play_count: int
    start_count: int
    completion_rate: float
    watch_seconds: float
    watchlist_add_count: int
    rating_count: int
    genres: list[GenreCount]
    buckets: list[Bucket]


def platform_stats(
    window: Window,
    plays: Sequence[Play],
    genres: Mapping[str, Sequence[str]],
    sessions: Sequence[tuple[str, bool]],
    *,
    adds: int,
    ratings: int,
    now: dt.datetime,
) -> PlatformStats:
    """`sessions`: (user id, completed) of each viewing session started in the window."""
    started = len(sessions)
    return PlatformStats(
        window=window,
        watcher_count=len({p.user_id for p in plays} | {user for user, _ in sessions}),
        movie_play_count=sum(1 for p in plays if p.kind == "movie"),
        episode_play_count=sum(1 for p in plays if p.kind == "episode"),
        start_count=started,
        completion_rate=round(sum(1 for _, done in sessions if done) / started, 4) if started else 0.0,
        watch_seconds=sum(p.runtime_seconds for p in plays),
        watchlist_add_count=adds,
        rating_count=ratings,
        genres=genre_counts(plays, genres),
        buckets=buckets_of(window, plays, now, with_watchers=True),
    )


# -- title activity -------------------------------------------------------------------

ACTIVITY_ORDERS = ("watchers", "plays", "watch_seconds", "adds")


@dataclass
class TitleActivity:
    title_id: str
    kind: str = ""
    users: set[str] = field(default_factory=set)
    starts: int = 0
    completed: int = 0
    plays: int = 0
    watch_seconds: float = 0.0
    adds: int = 0
    rating_count: int = 0
    average_rating: float = 0.0

    @property
    def watchers(self) -> int:
        return len(self.users)

    @property
    def completion_rate(self) -> float:
        return round(self.completed / self.starts, 4) if self.starts else 0.0

    @property
    def average_watch_seconds(self) -> float:
        return self.watch_seconds / self.starts if self.starts else 0.0

    def value(self, order: str) -> float:
        return float(self.watchers if order == "watchers" else getattr(self, order))


def title_activity(
    titles: Sequence[str],
    plays: Iterable[tuple[str, str, float]],
    sessions: Iterable[tuple[str, str, bool, float]],
    adds: Iterable[tuple[str, int]],
) -> dict[str, TitleActivity]:
    """Per-title counts: plays (user, title, runtime), sessions (user, title, completed, watched seconds) and
    watchlist adds (title, count); `titles` are listed even with nothing counted."""
    per: dict[str, TitleActivity] = {t: TitleActivity(t) for t in titles}
    for user_id, title_id, runtime in plays:
        row = per.setdefault(title_id, TitleActivity(title_id))
        row.users.add(user_id)
        row.plays += 1
        row.watch_seconds += runtime
    for user_id, title_id, completed, watched in sessions:
        row = per.setdefault(title_id, TitleActivity(title_id))
        row.users.add(user_id)
        row.starts += 1
        if completed:
            row.completed += 1
        else:
            row.watch_seconds += watched  # completed sessions are counted by their play
    for title_id, count in adds:
        per.setdefault(title_id, TitleActivity(title_id)).adds += count
    return per


def activity_page(
    rows: Iterable[TitleActivity], order: str, after: tuple[float, str] | None, size: int
) -> tuple[list[TitleActivity], TitleActivity | None]:
    """A page of title activity in `order` (highest first, then by id) after `after`; the last row when there is more."""
    ordered = sorted(rows, key=lambda r: (-r.value(order), r.title_id))
    if after is not None:
        key, last = after
        ordered = [r for r in ordered if (-r.value(order), r.title_id) > (-key, last)]
    chosen = ordered[:size]
    return chosen, (chosen[-1] if len(ordered) > size else None)


# -- recommendations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Taste:
    """What recommendations are steered by: genre weights, titles to leave out, and source names."""

    weights: dict[str, float]
    seen: set[str]
    watchlisted: set[str]
    dismissed: set[str]
    names: dict[str, str]


def genre_weights(
    titles: Mapping[str, tuple[str, Sequence[str]]], ratings: Mapping[str, int], completed: set[str]
) -> tuple[dict[str, float], dict[str, str]]:
    """Genre weights from the user's titles (id → (name, genres)): a high rating or a completion weighs more;
    disliked titles (rated below 6) do not count. Also the names of the titles that counted."""
    weights: dict[str, float] = {}
    names: dict[str, str] = {}
    for title_id, (name, genres) in titles.items():
        score = ratings.get(title_id)
        if score is not None and score < 6:
            continue
        weight = 1.0 + (2.0 if score is not None and score >= 8 else 0.0) + (1.0 if title_id in completed else 0.0)
        for genre in genres:
            weights[genre] = weights.get(genre, 0.0) + weight
        names[title_id] = name
    return weights, names


def top_genres(weights: Mapping[str, float], count: int = 5) -> list[str]:
    return [g for g, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


def _fits(facts: TitleFacts, kind: str | None, genre: str) -> bool:
    return (not kind or facts.kind == kind) and (not genre or genre.lower() in {g.lower() for g in facts.genres})


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
        if not _fits(facts, kind, genre):
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


@dataclass(frozen=True)
class Recommendation:
    facts: TitleFacts
    score: float
    reason: str
    trending: bool = False
    because_of: tuple[str, ...] = ()


def recommendations(ranked: Sequence[tuple[TitleFacts, float, list[str]]], names: Mapping[str, str]) -> list[Recommendation]:
    found = []
    for facts, score, because in ranked:
        reason = f"Because you watched {names[because[0]]}" if because else f"Because you like {facts.genres[0]}"
        found.append(Recommendation(facts, score, reason, because_of=tuple(because)))
    return found


def trending(popular: Sequence[TitleFacts], exclude: set[str], *, kind: str | None, genre: str) -> list[Recommendation]:
    """The fallback: popular titles the user has not seen, scored by rank."""
    kept = [f for f in popular if f.title_id not in exclude and _fits(f, kind, genre)]
    return [
        Recommendation(facts, round(1.0 - index / max(len(kept), 1), 4), "Trending on Marquee", trending=True)
        for index, facts in enumerate(kept)
    ]


# -- account export and erasure ----------------------------------------------------------

# What Tracking holds about a user, by the repository's table key: the category name the export and
# the purge use (as documented on `PurgeUserData`) and what a purge does with it. Nothing is retained:
# title snapshots are Catalog's facts, not the user's, and stay.
USER_DATA: dict[str, tuple[str, str]] = {
    "watchlist": ("watchlist", "watchlist entries with their status, favorite flag and notes, deleted"),
    "history": ("watch_history", "every play, manual or scrobbled, deleted"),
    "ratings": ("ratings", "ratings of movies, series and episodes, deleted"),
    "playbacks": ("playbacks", "saved playback positions, deleted"),
    "progress": ("show_progress", "per-series progress and rewatch cycles, deleted"),
    "completions": ("completions", "records of series completed, deleted"),
    "dismissals": ("dismissed_recommendations", "recommendations the user dismissed, deleted"),
    "sessions": ("viewing_sessions", "viewing sessions behind the platform statistics, deleted"),
    "activity": ("last_activities", "the per-collection change times used for sync, deleted"),
}


def erased(counts: Mapping[str, int]) -> list[Disposition]:
    """What a purge erased, one disposition per category Tracking holds, in the documented order."""
    return [Disposition(category, int(counts.get(key, 0)), text) for key, (category, text) in USER_DATA.items()]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# Room left in a response for everything around the document (the HttpBody and message framing).
EXPORT_ENVELOPE_BYTES = 1024


def encode_export(document: Mapping[str, Any], max_message_bytes: int) -> bytes:
    """The export as compact JSON; an export that cannot fit in one response is refused with its size."""
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    limit = max_message_bytes - EXPORT_ENVELOPE_BYTES
    if len(body) > limit:
        raise errors.ResourceExhausted(
            "the export is larger than the largest response this service sends",
            reason="EXPORT_TOO_LARGE",
            metadata={"size_bytes": str(len(body)), "limit_bytes": str(limit)},
        )
    return body


def export_document(user_id: str, rows: Mapping[str, Sequence[Mapping[str, Any]]], now: dt.datetime) -> dict[str, Any]:
    """The account export: `export_time`, `user` and one list per category (as `USER_DATA` names them) of
    plain JSON values (times as RFC 3339 strings)."""
    document: dict[str, Any] = {"export_time": _plain(now), "user": f"users/{user_id}"}
    for key, (category, _) in USER_DATA.items():
        document[category] = [{name: _plain(value) for name, value in row.items()} for row in rows.get(key, ())]
    return document
