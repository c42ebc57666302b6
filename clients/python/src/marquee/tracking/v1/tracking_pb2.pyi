import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import calendar_period_pb2 as _calendar_period_pb2
from google.type import date_pb2 as _date_pb2
from google.type import interval_pb2 as _interval_pb2
from marquee.api.v1 import access_pb2 as _access_pb2
from marquee.api.v1 import limits_pb2 as _limits_pb2
from marquee.api.v1 import userdata_pb2 as _userdata_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_TITLE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_EPISODE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_SERIES: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_AN_EPISODE: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_IN_WATCHLIST: _ClassVar[ErrorReason]
    ERROR_REASON_ALREADY_IN_WATCHLIST: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_RATING: _ClassVar[ErrorReason]
    ERROR_REASON_PLAYBACK_NOT_STARTED: _ClassVar[ErrorReason]
    ERROR_REASON_NOTHING_TO_REWATCH: _ClassVar[ErrorReason]
    ERROR_REASON_TOO_MANY_ITEMS: _ClassVar[ErrorReason]
    ERROR_REASON_WATCH_TIME_IN_FUTURE: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_PROGRESS: _ClassVar[ErrorReason]
    ERROR_REASON_EXPORT_TOO_LARGE: _ClassVar[ErrorReason]

class ItemKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_KIND_UNSPECIFIED: _ClassVar[ItemKind]
    ITEM_KIND_MOVIE: _ClassVar[ItemKind]
    ITEM_KIND_SERIES: _ClassVar[ItemKind]
    ITEM_KIND_EPISODE: _ClassVar[ItemKind]

class WatchlistStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCHLIST_STATUS_UNSPECIFIED: _ClassVar[WatchlistStatus]
    WATCHLIST_STATUS_WATCHING: _ClassVar[WatchlistStatus]
    WATCHLIST_STATUS_COMPLETED: _ClassVar[WatchlistStatus]
    WATCHLIST_STATUS_DROPPED: _ClassVar[WatchlistStatus]
    WATCHLIST_STATUS_PAUSED: _ClassVar[WatchlistStatus]
    WATCHLIST_STATUS_PLAN_TO_WATCH: _ClassVar[WatchlistStatus]

class WatchlistOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCHLIST_ORDER_UNSPECIFIED: _ClassVar[WatchlistOrder]
    WATCHLIST_ORDER_UPDATE_TIME: _ClassVar[WatchlistOrder]
    WATCHLIST_ORDER_CREATE_TIME: _ClassVar[WatchlistOrder]
    WATCHLIST_ORDER_TITLE: _ClassVar[WatchlistOrder]
    WATCHLIST_ORDER_LAST_WATCH_TIME: _ClassVar[WatchlistOrder]

class ProgressView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROGRESS_VIEW_UNSPECIFIED: _ClassVar[ProgressView]
    PROGRESS_VIEW_BASIC: _ClassVar[ProgressView]
    PROGRESS_VIEW_FULL: _ClassVar[ProgressView]

class MarkOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MARK_OUTCOME_UNSPECIFIED: _ClassVar[MarkOutcome]
    MARK_OUTCOME_CHANGED: _ClassVar[MarkOutcome]
    MARK_OUTCOME_ALREADY_WATCHED: _ClassVar[MarkOutcome]
    MARK_OUTCOME_NOT_WATCHED: _ClassVar[MarkOutcome]
    MARK_OUTCOME_NOT_AIRED: _ClassVar[MarkOutcome]

class PlaybackState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAYBACK_STATE_UNSPECIFIED: _ClassVar[PlaybackState]
    PLAYBACK_STATE_PLAYING: _ClassVar[PlaybackState]
    PLAYBACK_STATE_PAUSED: _ClassVar[PlaybackState]

class ScrobbleOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCROBBLE_OUTCOME_UNSPECIFIED: _ClassVar[ScrobbleOutcome]
    SCROBBLE_OUTCOME_SAVED: _ClassVar[ScrobbleOutcome]
    SCROBBLE_OUTCOME_WATCHED: _ClassVar[ScrobbleOutcome]

class HistorySource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HISTORY_SOURCE_UNSPECIFIED: _ClassVar[HistorySource]
    HISTORY_SOURCE_SCROBBLE: _ClassVar[HistorySource]
    HISTORY_SOURCE_MANUAL: _ClassVar[HistorySource]

class RatingOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RATING_ORDER_UNSPECIFIED: _ClassVar[RatingOrder]
    RATING_ORDER_UPDATE_TIME: _ClassVar[RatingOrder]
    RATING_ORDER_SCORE: _ClassVar[RatingOrder]

class RecommendationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECOMMENDATION_REASON_UNSPECIFIED: _ClassVar[RecommendationReason]
    RECOMMENDATION_REASON_GENRE: _ClassVar[RecommendationReason]
    RECOMMENDATION_REASON_SIMILAR_TITLE: _ClassVar[RecommendationReason]
    RECOMMENDATION_REASON_TRENDING: _ClassVar[RecommendationReason]
    RECOMMENDATION_REASON_HIGHLY_RATED: _ClassVar[RecommendationReason]

class TitleActivityOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TITLE_ACTIVITY_ORDER_UNSPECIFIED: _ClassVar[TitleActivityOrder]
    TITLE_ACTIVITY_ORDER_WATCHER_COUNT: _ClassVar[TitleActivityOrder]
    TITLE_ACTIVITY_ORDER_PLAY_COUNT: _ClassVar[TitleActivityOrder]
    TITLE_ACTIVITY_ORDER_WATCH_TIME: _ClassVar[TitleActivityOrder]
    TITLE_ACTIVITY_ORDER_WATCHLIST_ADD_COUNT: _ClassVar[TitleActivityOrder]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_TITLE_NOT_FOUND: ErrorReason
ERROR_REASON_EPISODE_NOT_FOUND: ErrorReason
ERROR_REASON_NOT_A_SERIES: ErrorReason
ERROR_REASON_NOT_AN_EPISODE: ErrorReason
ERROR_REASON_NOT_IN_WATCHLIST: ErrorReason
ERROR_REASON_ALREADY_IN_WATCHLIST: ErrorReason
ERROR_REASON_INVALID_RATING: ErrorReason
ERROR_REASON_PLAYBACK_NOT_STARTED: ErrorReason
ERROR_REASON_NOTHING_TO_REWATCH: ErrorReason
ERROR_REASON_TOO_MANY_ITEMS: ErrorReason
ERROR_REASON_WATCH_TIME_IN_FUTURE: ErrorReason
ERROR_REASON_INVALID_PROGRESS: ErrorReason
ERROR_REASON_EXPORT_TOO_LARGE: ErrorReason
ITEM_KIND_UNSPECIFIED: ItemKind
ITEM_KIND_MOVIE: ItemKind
ITEM_KIND_SERIES: ItemKind
ITEM_KIND_EPISODE: ItemKind
WATCHLIST_STATUS_UNSPECIFIED: WatchlistStatus
WATCHLIST_STATUS_WATCHING: WatchlistStatus
WATCHLIST_STATUS_COMPLETED: WatchlistStatus
WATCHLIST_STATUS_DROPPED: WatchlistStatus
WATCHLIST_STATUS_PAUSED: WatchlistStatus
WATCHLIST_STATUS_PLAN_TO_WATCH: WatchlistStatus
WATCHLIST_ORDER_UNSPECIFIED: WatchlistOrder
WATCHLIST_ORDER_UPDATE_TIME: WatchlistOrder
WATCHLIST_ORDER_CREATE_TIME: WatchlistOrder
WATCHLIST_ORDER_TITLE: WatchlistOrder
WATCHLIST_ORDER_LAST_WATCH_TIME: WatchlistOrder
PROGRESS_VIEW_UNSPECIFIED: ProgressView
PROGRESS_VIEW_BASIC: ProgressView
PROGRESS_VIEW_FULL: ProgressView
MARK_OUTCOME_UNSPECIFIED: MarkOutcome
MARK_OUTCOME_CHANGED: MarkOutcome
MARK_OUTCOME_ALREADY_WATCHED: MarkOutcome
MARK_OUTCOME_NOT_WATCHED: MarkOutcome
MARK_OUTCOME_NOT_AIRED: MarkOutcome
PLAYBACK_STATE_UNSPECIFIED: PlaybackState
PLAYBACK_STATE_PLAYING: PlaybackState
PLAYBACK_STATE_PAUSED: PlaybackState
SCROBBLE_OUTCOME_UNSPECIFIED: ScrobbleOutcome
SCROBBLE_OUTCOME_SAVED: ScrobbleOutcome
SCROBBLE_OUTCOME_WATCHED: ScrobbleOutcome
HISTORY_SOURCE_UNSPECIFIED: HistorySource
HISTORY_SOURCE_SCROBBLE: HistorySource
HISTORY_SOURCE_MANUAL: HistorySource
RATING_ORDER_UNSPECIFIED: RatingOrder
RATING_ORDER_UPDATE_TIME: RatingOrder
RATING_ORDER_SCORE: RatingOrder
RECOMMENDATION_REASON_UNSPECIFIED: RecommendationReason
RECOMMENDATION_REASON_GENRE: RecommendationReason
RECOMMENDATION_REASON_SIMILAR_TITLE: RecommendationReason
RECOMMENDATION_REASON_TRENDING: RecommendationReason
RECOMMENDATION_REASON_HIGHLY_RATED: RecommendationReason
TITLE_ACTIVITY_ORDER_UNSPECIFIED: TitleActivityOrder
TITLE_ACTIVITY_ORDER_WATCHER_COUNT: TitleActivityOrder
TITLE_ACTIVITY_ORDER_PLAY_COUNT: TitleActivityOrder
TITLE_ACTIVITY_ORDER_WATCH_TIME: TitleActivityOrder
TITLE_ACTIVITY_ORDER_WATCHLIST_ADD_COUNT: TitleActivityOrder

class TitleInfo(_message.Message):
    __slots__ = ("title", "kind", "display_name", "poster_path", "release_date", "genres", "runtime", "episode_count", "deleted")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATE_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    title: str
    kind: ItemKind
    display_name: str
    poster_path: str
    release_date: _date_pb2.Date
    genres: _containers.RepeatedScalarFieldContainer[str]
    runtime: _duration_pb2.Duration
    episode_count: int
    deleted: bool
    def __init__(self, title: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., display_name: _Optional[str] = ..., poster_path: _Optional[str] = ..., release_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., genres: _Optional[_Iterable[str]] = ..., runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., episode_count: _Optional[int] = ..., deleted: bool = ...) -> None: ...

class EpisodeInfo(_message.Message):
    __slots__ = ("episode", "season_number", "episode_number", "display_name", "runtime", "air_date", "still_path")
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EPISODE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    STILL_PATH_FIELD_NUMBER: _ClassVar[int]
    episode: str
    season_number: int
    episode_number: int
    display_name: str
    runtime: _duration_pb2.Duration
    air_date: _date_pb2.Date
    still_path: str
    def __init__(self, episode: _Optional[str] = ..., season_number: _Optional[int] = ..., episode_number: _Optional[int] = ..., display_name: _Optional[str] = ..., runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., air_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., still_path: _Optional[str] = ...) -> None: ...

class WatchlistEntry(_message.Message):
    __slots__ = ("name", "title", "status", "favorite", "notes", "title_info", "progress", "rating", "last_watch_time", "status_update_time", "etag", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FAVORITE_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    TITLE_INFO_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    LAST_WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    status: WatchlistStatus
    favorite: bool
    notes: str
    title_info: TitleInfo
    progress: ProgressSummary
    rating: int
    last_watch_time: _timestamp_pb2.Timestamp
    status_update_time: _timestamp_pb2.Timestamp
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[_Union[WatchlistStatus, str]] = ..., favorite: bool = ..., notes: _Optional[str] = ..., title_info: _Optional[_Union[TitleInfo, _Mapping]] = ..., progress: _Optional[_Union[ProgressSummary, _Mapping]] = ..., rating: _Optional[int] = ..., last_watch_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status_update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProgressSummary(_message.Message):
    __slots__ = ("watched_episode_count", "aired_episode_count", "percent", "completed", "next_episode", "last_watch_time", "rewatch_count")
    WATCHED_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    AIRED_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    NEXT_EPISODE_FIELD_NUMBER: _ClassVar[int]
    LAST_WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    REWATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    watched_episode_count: int
    aired_episode_count: int
    percent: float
    completed: bool
    next_episode: EpisodeInfo
    last_watch_time: _timestamp_pb2.Timestamp
    rewatch_count: int
    def __init__(self, watched_episode_count: _Optional[int] = ..., aired_episode_count: _Optional[int] = ..., percent: _Optional[float] = ..., completed: bool = ..., next_episode: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., last_watch_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rewatch_count: _Optional[int] = ...) -> None: ...

class ShowProgress(_message.Message):
    __slots__ = ("name", "title", "title_info", "watched_episode_count", "aired_episode_count", "episode_count", "percent", "completed", "complete_time", "seasons", "next_episode", "next_episode_playback", "last_episode", "last_watch_time", "watched_runtime", "remaining_runtime", "play_count", "rewatch_count", "cycle_start_time", "watchlist_status", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TITLE_INFO_FIELD_NUMBER: _ClassVar[int]
    WATCHED_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    AIRED_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    SEASONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_EPISODE_FIELD_NUMBER: _ClassVar[int]
    NEXT_EPISODE_PLAYBACK_FIELD_NUMBER: _ClassVar[int]
    LAST_EPISODE_FIELD_NUMBER: _ClassVar[int]
    LAST_WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    WATCHED_RUNTIME_FIELD_NUMBER: _ClassVar[int]
    REMAINING_RUNTIME_FIELD_NUMBER: _ClassVar[int]
    PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    REWATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    CYCLE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WATCHLIST_STATUS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    title_info: TitleInfo
    watched_episode_count: int
    aired_episode_count: int
    episode_count: int
    percent: float
    completed: bool
    complete_time: _timestamp_pb2.Timestamp
    seasons: _containers.RepeatedCompositeFieldContainer[SeasonProgress]
    next_episode: EpisodeInfo
    next_episode_playback: Playback
    last_episode: EpisodeInfo
    last_watch_time: _timestamp_pb2.Timestamp
    watched_runtime: _duration_pb2.Duration
    remaining_runtime: _duration_pb2.Duration
    play_count: int
    rewatch_count: int
    cycle_start_time: _timestamp_pb2.Timestamp
    watchlist_status: WatchlistStatus
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., title_info: _Optional[_Union[TitleInfo, _Mapping]] = ..., watched_episode_count: _Optional[int] = ..., aired_episode_count: _Optional[int] = ..., episode_count: _Optional[int] = ..., percent: _Optional[float] = ..., completed: bool = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., seasons: _Optional[_Iterable[_Union[SeasonProgress, _Mapping]]] = ..., next_episode: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., next_episode_playback: _Optional[_Union[Playback, _Mapping]] = ..., last_episode: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., last_watch_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., watched_runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., remaining_runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., play_count: _Optional[int] = ..., rewatch_count: _Optional[int] = ..., cycle_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., watchlist_status: _Optional[_Union[WatchlistStatus, str]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SeasonProgress(_message.Message):
    __slots__ = ("season", "season_number", "watched_episode_count", "aired_episode_count", "episode_count", "percent", "completed", "episodes")
    SEASON_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    WATCHED_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    AIRED_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EPISODES_FIELD_NUMBER: _ClassVar[int]
    season: str
    season_number: int
    watched_episode_count: int
    aired_episode_count: int
    episode_count: int
    percent: float
    completed: bool
    episodes: _containers.RepeatedCompositeFieldContainer[EpisodeProgress]
    def __init__(self, season: _Optional[str] = ..., season_number: _Optional[int] = ..., watched_episode_count: _Optional[int] = ..., aired_episode_count: _Optional[int] = ..., episode_count: _Optional[int] = ..., percent: _Optional[float] = ..., completed: bool = ..., episodes: _Optional[_Iterable[_Union[EpisodeProgress, _Mapping]]] = ...) -> None: ...

class EpisodeProgress(_message.Message):
    __slots__ = ("episode", "watched", "play_count", "last_watch_time", "playback_percent", "aired")
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    WATCHED_FIELD_NUMBER: _ClassVar[int]
    PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    PLAYBACK_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AIRED_FIELD_NUMBER: _ClassVar[int]
    episode: EpisodeInfo
    watched: bool
    play_count: int
    last_watch_time: _timestamp_pb2.Timestamp
    playback_percent: float
    aired: bool
    def __init__(self, episode: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., watched: bool = ..., play_count: _Optional[int] = ..., last_watch_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., playback_percent: _Optional[float] = ..., aired: bool = ...) -> None: ...

class UpNextItem(_message.Message):
    __slots__ = ("title_info", "next_episode", "playback", "progress", "last_activity_time")
    TITLE_INFO_FIELD_NUMBER: _ClassVar[int]
    NEXT_EPISODE_FIELD_NUMBER: _ClassVar[int]
    PLAYBACK_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    LAST_ACTIVITY_TIME_FIELD_NUMBER: _ClassVar[int]
    title_info: TitleInfo
    next_episode: EpisodeInfo
    playback: Playback
    progress: ProgressSummary
    last_activity_time: _timestamp_pb2.Timestamp
    def __init__(self, title_info: _Optional[_Union[TitleInfo, _Mapping]] = ..., next_episode: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., playback: _Optional[_Union[Playback, _Mapping]] = ..., progress: _Optional[_Union[ProgressSummary, _Mapping]] = ..., last_activity_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Playback(_message.Message):
    __slots__ = ("name", "item", "kind", "title_info", "episode_info", "state", "position", "duration", "progress_percent", "device_name", "start_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_INFO_FIELD_NUMBER: _ClassVar[int]
    EPISODE_INFO_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    item: str
    kind: ItemKind
    title_info: TitleInfo
    episode_info: EpisodeInfo
    state: PlaybackState
    position: _duration_pb2.Duration
    duration: _duration_pb2.Duration
    progress_percent: float
    device_name: str
    start_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., item: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., title_info: _Optional[_Union[TitleInfo, _Mapping]] = ..., episode_info: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., state: _Optional[_Union[PlaybackState, str]] = ..., position: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., progress_percent: _Optional[float] = ..., device_name: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("name", "item", "kind", "title_info", "episode_info", "watch_time", "source", "rewatch_cycle", "runtime", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_INFO_FIELD_NUMBER: _ClassVar[int]
    EPISODE_INFO_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    REWATCH_CYCLE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    item: str
    kind: ItemKind
    title_info: TitleInfo
    episode_info: EpisodeInfo
    watch_time: _timestamp_pb2.Timestamp
    source: HistorySource
    rewatch_cycle: int
    runtime: _duration_pb2.Duration
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., item: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., title_info: _Optional[_Union[TitleInfo, _Mapping]] = ..., episode_info: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., watch_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[_Union[HistorySource, str]] = ..., rewatch_cycle: _Optional[int] = ..., runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Rating(_message.Message):
    __slots__ = ("name", "item", "kind", "title_info", "episode_info", "score", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_INFO_FIELD_NUMBER: _ClassVar[int]
    EPISODE_INFO_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    item: str
    kind: ItemKind
    title_info: TitleInfo
    episode_info: EpisodeInfo
    score: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., item: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., title_info: _Optional[_Union[TitleInfo, _Mapping]] = ..., episode_info: _Optional[_Union[EpisodeInfo, _Mapping]] = ..., score: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Recommendation(_message.Message):
    __slots__ = ("name", "title", "title_info", "reason", "reason_kind", "because_of", "score")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TITLE_INFO_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_KIND_FIELD_NUMBER: _ClassVar[int]
    BECAUSE_OF_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    title_info: TitleInfo
    reason: str
    reason_kind: RecommendationReason
    because_of: _containers.RepeatedScalarFieldContainer[str]
    score: float
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., title_info: _Optional[_Union[TitleInfo, _Mapping]] = ..., reason: _Optional[str] = ..., reason_kind: _Optional[_Union[RecommendationReason, str]] = ..., because_of: _Optional[_Iterable[str]] = ..., score: _Optional[float] = ...) -> None: ...

class GenreStats(_message.Message):
    __slots__ = ("genre", "play_count", "watch_time", "title_count")
    GENRE_FIELD_NUMBER: _ClassVar[int]
    PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    TITLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    genre: str
    play_count: int
    watch_time: _duration_pb2.Duration
    title_count: int
    def __init__(self, genre: _Optional[str] = ..., play_count: _Optional[int] = ..., watch_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., title_count: _Optional[int] = ...) -> None: ...

class StatsBucket(_message.Message):
    __slots__ = ("interval", "movie_play_count", "episode_play_count", "watch_time", "watcher_count")
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    MOVIE_PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    WATCHER_COUNT_FIELD_NUMBER: _ClassVar[int]
    interval: _interval_pb2.Interval
    movie_play_count: int
    episode_play_count: int
    watch_time: _duration_pb2.Duration
    watcher_count: int
    def __init__(self, interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., movie_play_count: _Optional[int] = ..., episode_play_count: _Optional[int] = ..., watch_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., watcher_count: _Optional[int] = ...) -> None: ...

class WatchlistStatusCount(_message.Message):
    __slots__ = ("status", "count")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    status: WatchlistStatus
    count: int
    def __init__(self, status: _Optional[_Union[WatchlistStatus, str]] = ..., count: _Optional[int] = ...) -> None: ...

class Stats(_message.Message):
    __slots__ = ("name", "interval", "movie_count", "movie_play_count", "episode_count", "episode_play_count", "show_count", "completed_show_count", "watch_time", "rating_count", "average_rating", "genres", "buckets", "watchlist_status_counts")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    MOVIE_COUNT_FIELD_NUMBER: _ClassVar[int]
    MOVIE_PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    SHOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_SHOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_RATING_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    WATCHLIST_STATUS_COUNTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    interval: _interval_pb2.Interval
    movie_count: int
    movie_play_count: int
    episode_count: int
    episode_play_count: int
    show_count: int
    completed_show_count: int
    watch_time: _duration_pb2.Duration
    rating_count: int
    average_rating: float
    genres: _containers.RepeatedCompositeFieldContainer[GenreStats]
    buckets: _containers.RepeatedCompositeFieldContainer[StatsBucket]
    watchlist_status_counts: _containers.RepeatedCompositeFieldContainer[WatchlistStatusCount]
    def __init__(self, name: _Optional[str] = ..., interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., movie_count: _Optional[int] = ..., movie_play_count: _Optional[int] = ..., episode_count: _Optional[int] = ..., episode_play_count: _Optional[int] = ..., show_count: _Optional[int] = ..., completed_show_count: _Optional[int] = ..., watch_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., rating_count: _Optional[int] = ..., average_rating: _Optional[float] = ..., genres: _Optional[_Iterable[_Union[GenreStats, _Mapping]]] = ..., buckets: _Optional[_Iterable[_Union[StatsBucket, _Mapping]]] = ..., watchlist_status_counts: _Optional[_Iterable[_Union[WatchlistStatusCount, _Mapping]]] = ...) -> None: ...

class PlatformStats(_message.Message):
    __slots__ = ("interval", "watcher_count", "movie_play_count", "episode_play_count", "start_count", "completion_rate", "watch_time", "watchlist_add_count", "rating_count", "genres", "buckets")
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    WATCHER_COUNT_FIELD_NUMBER: _ClassVar[int]
    MOVIE_PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    START_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    WATCHLIST_ADD_COUNT_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    interval: _interval_pb2.Interval
    watcher_count: int
    movie_play_count: int
    episode_play_count: int
    start_count: int
    completion_rate: float
    watch_time: _duration_pb2.Duration
    watchlist_add_count: int
    rating_count: int
    genres: _containers.RepeatedCompositeFieldContainer[GenreStats]
    buckets: _containers.RepeatedCompositeFieldContainer[StatsBucket]
    def __init__(self, interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., watcher_count: _Optional[int] = ..., movie_play_count: _Optional[int] = ..., episode_play_count: _Optional[int] = ..., start_count: _Optional[int] = ..., completion_rate: _Optional[float] = ..., watch_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., watchlist_add_count: _Optional[int] = ..., rating_count: _Optional[int] = ..., genres: _Optional[_Iterable[_Union[GenreStats, _Mapping]]] = ..., buckets: _Optional[_Iterable[_Union[StatsBucket, _Mapping]]] = ...) -> None: ...

class TitleActivity(_message.Message):
    __slots__ = ("title", "kind", "watcher_count", "start_count", "play_count", "completion_rate", "watch_time", "average_watch_time", "watchlist_add_count", "rating_count", "average_rating")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    WATCHER_COUNT_FIELD_NUMBER: _ClassVar[int]
    START_COUNT_FIELD_NUMBER: _ClassVar[int]
    PLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    WATCHLIST_ADD_COUNT_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_RATING_FIELD_NUMBER: _ClassVar[int]
    title: str
    kind: ItemKind
    watcher_count: int
    start_count: int
    play_count: int
    completion_rate: float
    watch_time: _duration_pb2.Duration
    average_watch_time: _duration_pb2.Duration
    watchlist_add_count: int
    rating_count: int
    average_rating: float
    def __init__(self, title: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., watcher_count: _Optional[int] = ..., start_count: _Optional[int] = ..., play_count: _Optional[int] = ..., completion_rate: _Optional[float] = ..., watch_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., average_watch_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., watchlist_add_count: _Optional[int] = ..., rating_count: _Optional[int] = ..., average_rating: _Optional[float] = ...) -> None: ...

class CollectionActivity(_message.Message):
    __slots__ = ("update_time", "delete_time")
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    update_time: _timestamp_pb2.Timestamp
    delete_time: _timestamp_pb2.Timestamp
    def __init__(self, update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LastActivities(_message.Message):
    __slots__ = ("name", "update_time", "watchlist", "history", "progress", "ratings", "playbacks", "recommendations")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    WATCHLIST_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RATINGS_FIELD_NUMBER: _ClassVar[int]
    PLAYBACKS_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    update_time: _timestamp_pb2.Timestamp
    watchlist: CollectionActivity
    history: CollectionActivity
    progress: CollectionActivity
    ratings: CollectionActivity
    playbacks: CollectionActivity
    recommendations: CollectionActivity
    def __init__(self, name: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., watchlist: _Optional[_Union[CollectionActivity, _Mapping]] = ..., history: _Optional[_Union[CollectionActivity, _Mapping]] = ..., progress: _Optional[_Union[CollectionActivity, _Mapping]] = ..., ratings: _Optional[_Union[CollectionActivity, _Mapping]] = ..., playbacks: _Optional[_Union[CollectionActivity, _Mapping]] = ..., recommendations: _Optional[_Union[CollectionActivity, _Mapping]] = ...) -> None: ...

class MarkResult(_message.Message):
    __slots__ = ("item", "outcome", "changed_count", "unchanged_count")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CHANGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    item: str
    outcome: MarkOutcome
    changed_count: int
    unchanged_count: int
    def __init__(self, item: _Optional[str] = ..., outcome: _Optional[_Union[MarkOutcome, str]] = ..., changed_count: _Optional[int] = ..., unchanged_count: _Optional[int] = ...) -> None: ...

class CreateWatchlistEntryRequest(_message.Message):
    __slots__ = ("parent", "watchlist_entry", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    WATCHLIST_ENTRY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    watchlist_entry: WatchlistEntry
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., watchlist_entry: _Optional[_Union[WatchlistEntry, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateWatchlistEntryResponse(_message.Message):
    __slots__ = ("watchlist_entry",)
    WATCHLIST_ENTRY_FIELD_NUMBER: _ClassVar[int]
    watchlist_entry: WatchlistEntry
    def __init__(self, watchlist_entry: _Optional[_Union[WatchlistEntry, _Mapping]] = ...) -> None: ...

class GetWatchlistEntryRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetWatchlistEntryResponse(_message.Message):
    __slots__ = ("watchlist_entry",)
    WATCHLIST_ENTRY_FIELD_NUMBER: _ClassVar[int]
    watchlist_entry: WatchlistEntry
    def __init__(self, watchlist_entry: _Optional[_Union[WatchlistEntry, _Mapping]] = ...) -> None: ...

class UpdateWatchlistEntryRequest(_message.Message):
    __slots__ = ("watchlist_entry", "update_mask")
    WATCHLIST_ENTRY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    watchlist_entry: WatchlistEntry
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, watchlist_entry: _Optional[_Union[WatchlistEntry, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateWatchlistEntryResponse(_message.Message):
    __slots__ = ("watchlist_entry",)
    WATCHLIST_ENTRY_FIELD_NUMBER: _ClassVar[int]
    watchlist_entry: WatchlistEntry
    def __init__(self, watchlist_entry: _Optional[_Union[WatchlistEntry, _Mapping]] = ...) -> None: ...

class DeleteWatchlistEntryRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteWatchlistEntryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWatchlistEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "statuses", "favorites_only", "kind", "since", "order_by")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    FAVORITES_ONLY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    statuses: _containers.RepeatedScalarFieldContainer[WatchlistStatus]
    favorites_only: bool
    kind: ItemKind
    since: _timestamp_pb2.Timestamp
    order_by: WatchlistOrder
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[WatchlistStatus, str]]] = ..., favorites_only: bool = ..., kind: _Optional[_Union[ItemKind, str]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_by: _Optional[_Union[WatchlistOrder, str]] = ...) -> None: ...

class ListWatchlistEntriesResponse(_message.Message):
    __slots__ = ("watchlist_entries", "next_page_token", "total_size")
    WATCHLIST_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    watchlist_entries: _containers.RepeatedCompositeFieldContainer[WatchlistEntry]
    next_page_token: str
    total_size: int
    def __init__(self, watchlist_entries: _Optional[_Iterable[_Union[WatchlistEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class MarkWatchedRequest(_message.Message):
    __slots__ = ("parent", "items", "watch_time", "allow_repeat", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    ALLOW_REPEAT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    items: _containers.RepeatedScalarFieldContainer[str]
    watch_time: _timestamp_pb2.Timestamp
    allow_repeat: bool
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., items: _Optional[_Iterable[str]] = ..., watch_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., allow_repeat: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class MarkWatchedResponse(_message.Message):
    __slots__ = ("results", "added_count", "progress")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    ADDED_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[MarkResult]
    added_count: int
    progress: _containers.RepeatedCompositeFieldContainer[ShowProgress]
    def __init__(self, results: _Optional[_Iterable[_Union[MarkResult, _Mapping]]] = ..., added_count: _Optional[int] = ..., progress: _Optional[_Iterable[_Union[ShowProgress, _Mapping]]] = ...) -> None: ...

class MarkUnwatchedRequest(_message.Message):
    __slots__ = ("parent", "items", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    items: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., items: _Optional[_Iterable[str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class MarkUnwatchedResponse(_message.Message):
    __slots__ = ("results", "removed_count", "progress")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[MarkResult]
    removed_count: int
    progress: _containers.RepeatedCompositeFieldContainer[ShowProgress]
    def __init__(self, results: _Optional[_Iterable[_Union[MarkResult, _Mapping]]] = ..., removed_count: _Optional[int] = ..., progress: _Optional[_Iterable[_Union[ShowProgress, _Mapping]]] = ...) -> None: ...

class GetShowProgressRequest(_message.Message):
    __slots__ = ("name", "view", "include_specials")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SPECIALS_FIELD_NUMBER: _ClassVar[int]
    name: str
    view: ProgressView
    include_specials: bool
    def __init__(self, name: _Optional[str] = ..., view: _Optional[_Union[ProgressView, str]] = ..., include_specials: bool = ...) -> None: ...

class GetShowProgressResponse(_message.Message):
    __slots__ = ("progress",)
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    progress: ShowProgress
    def __init__(self, progress: _Optional[_Union[ShowProgress, _Mapping]] = ...) -> None: ...

class ListShowProgressRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "statuses", "since", "view", "include_specials")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SPECIALS_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    statuses: _containers.RepeatedScalarFieldContainer[WatchlistStatus]
    since: _timestamp_pb2.Timestamp
    view: ProgressView
    include_specials: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[WatchlistStatus, str]]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., view: _Optional[_Union[ProgressView, str]] = ..., include_specials: bool = ...) -> None: ...

class ListShowProgressResponse(_message.Message):
    __slots__ = ("progress", "next_page_token")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    progress: _containers.RepeatedCompositeFieldContainer[ShowProgress]
    next_page_token: str
    def __init__(self, progress: _Optional[_Iterable[_Union[ShowProgress, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StartRewatchRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartRewatchResponse(_message.Message):
    __slots__ = ("progress",)
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    progress: ShowProgress
    def __init__(self, progress: _Optional[_Union[ShowProgress, _Mapping]] = ...) -> None: ...

class ListUpNextRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "include_not_started")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_NOT_STARTED_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    include_not_started: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., include_not_started: bool = ...) -> None: ...

class ListUpNextResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[UpNextItem]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[UpNextItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StartScrobbleRequest(_message.Message):
    __slots__ = ("parent", "item", "position", "duration", "progress_percent", "device_name", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    item: str
    position: _duration_pb2.Duration
    duration: _duration_pb2.Duration
    progress_percent: float
    device_name: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., item: _Optional[str] = ..., position: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., progress_percent: _Optional[float] = ..., device_name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartScrobbleResponse(_message.Message):
    __slots__ = ("playback",)
    PLAYBACK_FIELD_NUMBER: _ClassVar[int]
    playback: Playback
    def __init__(self, playback: _Optional[_Union[Playback, _Mapping]] = ...) -> None: ...

class PauseScrobbleRequest(_message.Message):
    __slots__ = ("parent", "item", "position", "duration", "progress_percent", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    item: str
    position: _duration_pb2.Duration
    duration: _duration_pb2.Duration
    progress_percent: float
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., item: _Optional[str] = ..., position: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., progress_percent: _Optional[float] = ..., request_id: _Optional[str] = ...) -> None: ...

class PauseScrobbleResponse(_message.Message):
    __slots__ = ("playback",)
    PLAYBACK_FIELD_NUMBER: _ClassVar[int]
    playback: Playback
    def __init__(self, playback: _Optional[_Union[Playback, _Mapping]] = ...) -> None: ...

class StopScrobbleRequest(_message.Message):
    __slots__ = ("parent", "item", "position", "duration", "progress_percent", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    item: str
    position: _duration_pb2.Duration
    duration: _duration_pb2.Duration
    progress_percent: float
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., item: _Optional[str] = ..., position: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., progress_percent: _Optional[float] = ..., request_id: _Optional[str] = ...) -> None: ...

class StopScrobbleResponse(_message.Message):
    __slots__ = ("outcome", "playback", "history_entry", "progress")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PLAYBACK_FIELD_NUMBER: _ClassVar[int]
    HISTORY_ENTRY_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    outcome: ScrobbleOutcome
    playback: Playback
    history_entry: HistoryEntry
    progress: ShowProgress
    def __init__(self, outcome: _Optional[_Union[ScrobbleOutcome, str]] = ..., playback: _Optional[_Union[Playback, _Mapping]] = ..., history_entry: _Optional[_Union[HistoryEntry, _Mapping]] = ..., progress: _Optional[_Union[ShowProgress, _Mapping]] = ...) -> None: ...

class ListPlaybacksRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "kind", "item", "since")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    kind: ItemKind
    item: str
    since: _timestamp_pb2.Timestamp
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., item: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListPlaybacksResponse(_message.Message):
    __slots__ = ("playbacks", "next_page_token")
    PLAYBACKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    playbacks: _containers.RepeatedCompositeFieldContainer[Playback]
    next_page_token: str
    def __init__(self, playbacks: _Optional[_Iterable[_Union[Playback, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeletePlaybackRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeletePlaybackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListHistoryEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "item", "kind", "watch_interval", "since")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    WATCH_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    item: str
    kind: ItemKind
    watch_interval: _interval_pb2.Interval
    since: _timestamp_pb2.Timestamp
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., item: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., watch_interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListHistoryEntriesResponse(_message.Message):
    __slots__ = ("history_entries", "next_page_token")
    HISTORY_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    history_entries: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    next_page_token: str
    def __init__(self, history_entries: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class BatchDeleteHistoryEntriesRequest(_message.Message):
    __slots__ = ("parent", "names")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    parent: str
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, parent: _Optional[str] = ..., names: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchDeleteHistoryEntriesResponse(_message.Message):
    __slots__ = ("deleted_count", "not_found_names")
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_NAMES_FIELD_NUMBER: _ClassVar[int]
    deleted_count: int
    not_found_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, deleted_count: _Optional[int] = ..., not_found_names: _Optional[_Iterable[str]] = ...) -> None: ...

class SetRatingRequest(_message.Message):
    __slots__ = ("parent", "item", "score")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    item: str
    score: int
    def __init__(self, parent: _Optional[str] = ..., item: _Optional[str] = ..., score: _Optional[int] = ...) -> None: ...

class SetRatingResponse(_message.Message):
    __slots__ = ("rating", "created")
    RATING_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    rating: Rating
    created: bool
    def __init__(self, rating: _Optional[_Union[Rating, _Mapping]] = ..., created: bool = ...) -> None: ...

class DeleteRatingRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteRatingResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListRatingsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "kind", "item", "min_score", "since", "order_by")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    kind: ItemKind
    item: str
    min_score: int
    since: _timestamp_pb2.Timestamp
    order_by: RatingOrder
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., item: _Optional[str] = ..., min_score: _Optional[int] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_by: _Optional[_Union[RatingOrder, str]] = ...) -> None: ...

class ListRatingsResponse(_message.Message):
    __slots__ = ("ratings", "next_page_token")
    RATINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ratings: _containers.RepeatedCompositeFieldContainer[Rating]
    next_page_token: str
    def __init__(self, ratings: _Optional[_Iterable[_Union[Rating, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetStatsRequest(_message.Message):
    __slots__ = ("name", "interval", "granularity", "time_zone")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    name: str
    interval: _interval_pb2.Interval
    granularity: _calendar_period_pb2.CalendarPeriod
    time_zone: str
    def __init__(self, name: _Optional[str] = ..., interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., granularity: _Optional[_Union[_calendar_period_pb2.CalendarPeriod, str]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: Stats
    def __init__(self, stats: _Optional[_Union[Stats, _Mapping]] = ...) -> None: ...

class GetPlatformStatsRequest(_message.Message):
    __slots__ = ("interval", "granularity", "time_zone")
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    interval: _interval_pb2.Interval
    granularity: _calendar_period_pb2.CalendarPeriod
    time_zone: str
    def __init__(self, interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., granularity: _Optional[_Union[_calendar_period_pb2.CalendarPeriod, str]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetPlatformStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: PlatformStats
    def __init__(self, stats: _Optional[_Union[PlatformStats, _Mapping]] = ...) -> None: ...

class ListRecommendationsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "kind", "genre", "include_watchlisted")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    GENRE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_WATCHLISTED_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    kind: ItemKind
    genre: str
    include_watchlisted: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., genre: _Optional[str] = ..., include_watchlisted: bool = ...) -> None: ...

class ListRecommendationsResponse(_message.Message):
    __slots__ = ("recommendations", "next_page_token")
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    recommendations: _containers.RepeatedCompositeFieldContainer[Recommendation]
    next_page_token: str
    def __init__(self, recommendations: _Optional[_Iterable[_Union[Recommendation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DismissRecommendationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DismissRecommendationResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetLastActivitiesRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetLastActivitiesResponse(_message.Message):
    __slots__ = ("last_activities",)
    LAST_ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    last_activities: LastActivities
    def __init__(self, last_activities: _Optional[_Union[LastActivities, _Mapping]] = ...) -> None: ...

class ListTitleActivityRequest(_message.Message):
    __slots__ = ("interval", "kind", "titles", "order_by", "page_size", "page_token")
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLES_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    interval: _interval_pb2.Interval
    kind: ItemKind
    titles: _containers.RepeatedScalarFieldContainer[str]
    order_by: TitleActivityOrder
    page_size: int
    page_token: str
    def __init__(self, interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., titles: _Optional[_Iterable[str]] = ..., order_by: _Optional[_Union[TitleActivityOrder, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTitleActivityResponse(_message.Message):
    __slots__ = ("titles", "next_page_token", "interval")
    TITLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    titles: _containers.RepeatedCompositeFieldContainer[TitleActivity]
    next_page_token: str
    interval: _interval_pb2.Interval
    def __init__(self, titles: _Optional[_Iterable[_Union[TitleActivity, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., interval: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ...) -> None: ...

class ExportUserDataRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ExportUserDataResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: _httpbody_pb2.HttpBody
    def __init__(self, document: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class PurgeUserDataRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class PurgeUserDataResponse(_message.Message):
    __slots__ = ("watchlist_entry_count", "history_entry_count", "rating_count", "playback_count", "erased", "retained")
    WATCHLIST_ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    PLAYBACK_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERASED_FIELD_NUMBER: _ClassVar[int]
    RETAINED_FIELD_NUMBER: _ClassVar[int]
    watchlist_entry_count: int
    history_entry_count: int
    rating_count: int
    playback_count: int
    erased: _containers.RepeatedCompositeFieldContainer[_userdata_pb2.UserDataDisposition]
    retained: _containers.RepeatedCompositeFieldContainer[_userdata_pb2.UserDataDisposition]
    def __init__(self, watchlist_entry_count: _Optional[int] = ..., history_entry_count: _Optional[int] = ..., rating_count: _Optional[int] = ..., playback_count: _Optional[int] = ..., erased: _Optional[_Iterable[_Union[_userdata_pb2.UserDataDisposition, _Mapping]]] = ..., retained: _Optional[_Iterable[_Union[_userdata_pb2.UserDataDisposition, _Mapping]]] = ...) -> None: ...
