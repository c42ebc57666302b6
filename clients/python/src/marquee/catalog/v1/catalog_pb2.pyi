import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from marquee.api.v1 import access_pb2 as _access_pb2
from marquee.api.v1 import limits_pb2 as _limits_pb2
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
    ERROR_REASON_SLUG_TAKEN: _ClassVar[ErrorReason]
    ERROR_REASON_EXTERNAL_ID_TAKEN: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_SERIES: _ClassVar[ErrorReason]
    ERROR_REASON_SERIES_HAS_NO_EPISODES: _ClassVar[ErrorReason]
    ERROR_REASON_SEASON_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_EPISODE_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_PROVIDER_TITLE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_PROVIDER_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_PROVIDER_RATE_LIMITED: _ClassVar[ErrorReason]
    ERROR_REASON_ENTITLEMENTS_UNAVAILABLE: _ClassVar[ErrorReason]

class TitleKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TITLE_KIND_UNSPECIFIED: _ClassVar[TitleKind]
    TITLE_KIND_MOVIE: _ClassVar[TitleKind]
    TITLE_KIND_SERIES: _ClassVar[TitleKind]

class AccessLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCESS_LEVEL_UNSPECIFIED: _ClassVar[AccessLevel]
    ACCESS_LEVEL_FREE: _ClassVar[AccessLevel]
    ACCESS_LEVEL_BASIC: _ClassVar[AccessLevel]
    ACCESS_LEVEL_PREMIUM: _ClassVar[AccessLevel]

class PublishState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUBLISH_STATE_UNSPECIFIED: _ClassVar[PublishState]
    PUBLISH_STATE_DRAFT: _ClassVar[PublishState]
    PUBLISH_STATE_PUBLISHED: _ClassVar[PublishState]

class TitleOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TITLE_ORDER_UNSPECIFIED: _ClassVar[TitleOrder]
    TITLE_ORDER_RELEVANCE: _ClassVar[TitleOrder]
    TITLE_ORDER_POPULARITY: _ClassVar[TitleOrder]
    TITLE_ORDER_RATING: _ClassVar[TitleOrder]
    TITLE_ORDER_NEWEST: _ClassVar[TitleOrder]
    TITLE_ORDER_TITLE: _ClassVar[TitleOrder]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_SLUG_TAKEN: ErrorReason
ERROR_REASON_EXTERNAL_ID_TAKEN: ErrorReason
ERROR_REASON_NOT_A_SERIES: ErrorReason
ERROR_REASON_SERIES_HAS_NO_EPISODES: ErrorReason
ERROR_REASON_SEASON_EXISTS: ErrorReason
ERROR_REASON_EPISODE_EXISTS: ErrorReason
ERROR_REASON_PROVIDER_TITLE_NOT_FOUND: ErrorReason
ERROR_REASON_PROVIDER_UNAVAILABLE: ErrorReason
ERROR_REASON_PROVIDER_RATE_LIMITED: ErrorReason
ERROR_REASON_ENTITLEMENTS_UNAVAILABLE: ErrorReason
TITLE_KIND_UNSPECIFIED: TitleKind
TITLE_KIND_MOVIE: TitleKind
TITLE_KIND_SERIES: TitleKind
ACCESS_LEVEL_UNSPECIFIED: AccessLevel
ACCESS_LEVEL_FREE: AccessLevel
ACCESS_LEVEL_BASIC: AccessLevel
ACCESS_LEVEL_PREMIUM: AccessLevel
PUBLISH_STATE_UNSPECIFIED: PublishState
PUBLISH_STATE_DRAFT: PublishState
PUBLISH_STATE_PUBLISHED: PublishState
TITLE_ORDER_UNSPECIFIED: TitleOrder
TITLE_ORDER_RELEVANCE: TitleOrder
TITLE_ORDER_POPULARITY: TitleOrder
TITLE_ORDER_RATING: TitleOrder
TITLE_ORDER_NEWEST: TitleOrder
TITLE_ORDER_TITLE: TitleOrder

class ExternalIds(_message.Message):
    __slots__ = ("tmdb_id", "imdb_id", "tvdb_id")
    TMDB_ID_FIELD_NUMBER: _ClassVar[int]
    IMDB_ID_FIELD_NUMBER: _ClassVar[int]
    TVDB_ID_FIELD_NUMBER: _ClassVar[int]
    tmdb_id: str
    imdb_id: str
    tvdb_id: str
    def __init__(self, tmdb_id: _Optional[str] = ..., imdb_id: _Optional[str] = ..., tvdb_id: _Optional[str] = ...) -> None: ...

class Title(_message.Message):
    __slots__ = ("name", "kind", "display_name", "slug", "overview", "release_date", "runtime_minutes", "genres", "categories", "poster_path", "backdrop_path", "original_language", "external_ids", "access_level", "publish_state", "rating", "rating_count", "popularity", "season_count", "episode_count", "locked", "asset", "etag", "create_time", "update_time", "publish_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_MINUTES_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    BACKDROP_PATH_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDS_FIELD_NUMBER: _ClassVar[int]
    ACCESS_LEVEL_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_STATE_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    SEASON_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: TitleKind
    display_name: str
    slug: str
    overview: str
    release_date: _date_pb2.Date
    runtime_minutes: int
    genres: _containers.RepeatedScalarFieldContainer[str]
    categories: _containers.RepeatedScalarFieldContainer[str]
    poster_path: str
    backdrop_path: str
    original_language: str
    external_ids: ExternalIds
    access_level: AccessLevel
    publish_state: PublishState
    rating: float
    rating_count: int
    popularity: float
    season_count: int
    episode_count: int
    locked: bool
    asset: str
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    publish_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[TitleKind, str]] = ..., display_name: _Optional[str] = ..., slug: _Optional[str] = ..., overview: _Optional[str] = ..., release_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., runtime_minutes: _Optional[int] = ..., genres: _Optional[_Iterable[str]] = ..., categories: _Optional[_Iterable[str]] = ..., poster_path: _Optional[str] = ..., backdrop_path: _Optional[str] = ..., original_language: _Optional[str] = ..., external_ids: _Optional[_Union[ExternalIds, _Mapping]] = ..., access_level: _Optional[_Union[AccessLevel, str]] = ..., publish_state: _Optional[_Union[PublishState, str]] = ..., rating: _Optional[float] = ..., rating_count: _Optional[int] = ..., popularity: _Optional[float] = ..., season_count: _Optional[int] = ..., episode_count: _Optional[int] = ..., locked: bool = ..., asset: _Optional[str] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Season(_message.Message):
    __slots__ = ("name", "season_number", "display_name", "overview", "air_date", "poster_path", "episode_count")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    name: str
    season_number: int
    display_name: str
    overview: str
    air_date: _date_pb2.Date
    poster_path: str
    episode_count: int
    def __init__(self, name: _Optional[str] = ..., season_number: _Optional[int] = ..., display_name: _Optional[str] = ..., overview: _Optional[str] = ..., air_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., poster_path: _Optional[str] = ..., episode_count: _Optional[int] = ...) -> None: ...

class Episode(_message.Message):
    __slots__ = ("name", "episode_number", "season_number", "display_name", "overview", "air_date", "runtime_minutes", "still_path", "asset", "external_ids")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EPISODE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_MINUTES_FIELD_NUMBER: _ClassVar[int]
    STILL_PATH_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    episode_number: int
    season_number: int
    display_name: str
    overview: str
    air_date: _date_pb2.Date
    runtime_minutes: int
    still_path: str
    asset: str
    external_ids: ExternalIds
    def __init__(self, name: _Optional[str] = ..., episode_number: _Optional[int] = ..., season_number: _Optional[int] = ..., display_name: _Optional[str] = ..., overview: _Optional[str] = ..., air_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., runtime_minutes: _Optional[int] = ..., still_path: _Optional[str] = ..., asset: _Optional[str] = ..., external_ids: _Optional[_Union[ExternalIds, _Mapping]] = ...) -> None: ...

class Category(_message.Message):
    __slots__ = ("name", "display_name", "slug", "description", "sort_order", "title_count")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    TITLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    slug: str
    description: str
    sort_order: int
    title_count: int
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., slug: _Optional[str] = ..., description: _Optional[str] = ..., sort_order: _Optional[int] = ..., title_count: _Optional[int] = ...) -> None: ...

class Genre(_message.Message):
    __slots__ = ("display_name", "title_count")
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    title_count: int
    def __init__(self, display_name: _Optional[str] = ..., title_count: _Optional[int] = ...) -> None: ...

class TitleFilter(_message.Message):
    __slots__ = ("kind", "genres", "category", "min_year", "max_year", "access_levels", "include_drafts")
    KIND_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    MIN_YEAR_FIELD_NUMBER: _ClassVar[int]
    MAX_YEAR_FIELD_NUMBER: _ClassVar[int]
    ACCESS_LEVELS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DRAFTS_FIELD_NUMBER: _ClassVar[int]
    kind: TitleKind
    genres: _containers.RepeatedScalarFieldContainer[str]
    category: str
    min_year: int
    max_year: int
    access_levels: _containers.RepeatedScalarFieldContainer[AccessLevel]
    include_drafts: bool
    def __init__(self, kind: _Optional[_Union[TitleKind, str]] = ..., genres: _Optional[_Iterable[str]] = ..., category: _Optional[str] = ..., min_year: _Optional[int] = ..., max_year: _Optional[int] = ..., access_levels: _Optional[_Iterable[_Union[AccessLevel, str]]] = ..., include_drafts: bool = ...) -> None: ...

class GetTitleRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetTitleResponse(_message.Message):
    __slots__ = ("title", "seasons")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SEASONS_FIELD_NUMBER: _ClassVar[int]
    title: Title
    seasons: _containers.RepeatedCompositeFieldContainer[Season]
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ..., seasons: _Optional[_Iterable[_Union[Season, _Mapping]]] = ...) -> None: ...

class ListTitlesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: TitleFilter
    order_by: TitleOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[_Union[TitleFilter, _Mapping]] = ..., order_by: _Optional[_Union[TitleOrder, str]] = ...) -> None: ...

class ListTitlesResponse(_message.Message):
    __slots__ = ("titles", "next_page_token")
    TITLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    titles: _containers.RepeatedCompositeFieldContainer[Title]
    next_page_token: str
    def __init__(self, titles: _Optional[_Iterable[_Union[Title, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SearchTitlesRequest(_message.Message):
    __slots__ = ("query", "filter", "order_by", "page_size", "page_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    filter: TitleFilter
    order_by: TitleOrder
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., filter: _Optional[_Union[TitleFilter, _Mapping]] = ..., order_by: _Optional[_Union[TitleOrder, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchTitlesResponse(_message.Message):
    __slots__ = ("titles", "next_page_token", "total_size")
    TITLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    titles: _containers.RepeatedCompositeFieldContainer[Title]
    next_page_token: str
    total_size: int
    def __init__(self, titles: _Optional[_Iterable[_Union[Title, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListTrendingTitlesRequest(_message.Message):
    __slots__ = ("kind", "window_hours", "page_size", "page_token")
    KIND_FIELD_NUMBER: _ClassVar[int]
    WINDOW_HOURS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    kind: TitleKind
    window_hours: int
    page_size: int
    page_token: str
    def __init__(self, kind: _Optional[_Union[TitleKind, str]] = ..., window_hours: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTrendingTitlesResponse(_message.Message):
    __slots__ = ("titles", "next_page_token")
    TITLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    titles: _containers.RepeatedCompositeFieldContainer[TrendingTitle]
    next_page_token: str
    def __init__(self, titles: _Optional[_Iterable[_Union[TrendingTitle, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class TrendingTitle(_message.Message):
    __slots__ = ("title", "watcher_count")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    WATCHER_COUNT_FIELD_NUMBER: _ClassVar[int]
    title: Title
    watcher_count: int
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ..., watcher_count: _Optional[int] = ...) -> None: ...

class CreateTitleRequest(_message.Message):
    __slots__ = ("title", "request_id")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    title: Title
    request_id: str
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateTitleResponse(_message.Message):
    __slots__ = ("title",)
    TITLE_FIELD_NUMBER: _ClassVar[int]
    title: Title
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ...) -> None: ...

class UpdateTitleRequest(_message.Message):
    __slots__ = ("title", "update_mask")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    title: Title
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateTitleResponse(_message.Message):
    __slots__ = ("title",)
    TITLE_FIELD_NUMBER: _ClassVar[int]
    title: Title
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ...) -> None: ...

class PublishTitleRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class PublishTitleResponse(_message.Message):
    __slots__ = ("title",)
    TITLE_FIELD_NUMBER: _ClassVar[int]
    title: Title
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ...) -> None: ...

class UnpublishTitleRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UnpublishTitleResponse(_message.Message):
    __slots__ = ("title",)
    TITLE_FIELD_NUMBER: _ClassVar[int]
    title: Title
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ...) -> None: ...

class DeleteTitleRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteTitleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSeasonsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSeasonsResponse(_message.Message):
    __slots__ = ("seasons", "next_page_token")
    SEASONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    seasons: _containers.RepeatedCompositeFieldContainer[Season]
    next_page_token: str
    def __init__(self, seasons: _Optional[_Iterable[_Union[Season, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateSeasonRequest(_message.Message):
    __slots__ = ("parent", "season")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SEASON_FIELD_NUMBER: _ClassVar[int]
    parent: str
    season: Season
    def __init__(self, parent: _Optional[str] = ..., season: _Optional[_Union[Season, _Mapping]] = ...) -> None: ...

class CreateSeasonResponse(_message.Message):
    __slots__ = ("season",)
    SEASON_FIELD_NUMBER: _ClassVar[int]
    season: Season
    def __init__(self, season: _Optional[_Union[Season, _Mapping]] = ...) -> None: ...

class ListEpisodesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListEpisodesResponse(_message.Message):
    __slots__ = ("episodes", "next_page_token")
    EPISODES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    episodes: _containers.RepeatedCompositeFieldContainer[Episode]
    next_page_token: str
    def __init__(self, episodes: _Optional[_Iterable[_Union[Episode, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetEpisodeRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetEpisodeResponse(_message.Message):
    __slots__ = ("episode",)
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    episode: Episode
    def __init__(self, episode: _Optional[_Union[Episode, _Mapping]] = ...) -> None: ...

class CreateEpisodeRequest(_message.Message):
    __slots__ = ("parent", "episode")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    episode: Episode
    def __init__(self, parent: _Optional[str] = ..., episode: _Optional[_Union[Episode, _Mapping]] = ...) -> None: ...

class CreateEpisodeResponse(_message.Message):
    __slots__ = ("episode",)
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    episode: Episode
    def __init__(self, episode: _Optional[_Union[Episode, _Mapping]] = ...) -> None: ...

class UpdateEpisodeRequest(_message.Message):
    __slots__ = ("episode", "update_mask")
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    episode: Episode
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, episode: _Optional[_Union[Episode, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateEpisodeResponse(_message.Message):
    __slots__ = ("episode",)
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    episode: Episode
    def __init__(self, episode: _Optional[_Union[Episode, _Mapping]] = ...) -> None: ...

class DeleteEpisodeRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteEpisodeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCategoriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCategoriesResponse(_message.Message):
    __slots__ = ("categories", "next_page_token")
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedCompositeFieldContainer[Category]
    next_page_token: str
    def __init__(self, categories: _Optional[_Iterable[_Union[Category, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateCategoryRequest(_message.Message):
    __slots__ = ("category",)
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    category: Category
    def __init__(self, category: _Optional[_Union[Category, _Mapping]] = ...) -> None: ...

class CreateCategoryResponse(_message.Message):
    __slots__ = ("category",)
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    category: Category
    def __init__(self, category: _Optional[_Union[Category, _Mapping]] = ...) -> None: ...

class UpdateCategoryRequest(_message.Message):
    __slots__ = ("category", "update_mask")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    category: Category
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, category: _Optional[_Union[Category, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateCategoryResponse(_message.Message):
    __slots__ = ("category",)
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    category: Category
    def __init__(self, category: _Optional[_Union[Category, _Mapping]] = ...) -> None: ...

class DeleteCategoryRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteCategoryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListGenresRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListGenresResponse(_message.Message):
    __slots__ = ("genres", "next_page_token")
    GENRES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    genres: _containers.RepeatedCompositeFieldContainer[Genre]
    next_page_token: str
    def __init__(self, genres: _Optional[_Iterable[_Union[Genre, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ProviderTitle(_message.Message):
    __slots__ = ("provider_id", "kind", "display_name", "overview", "release_date", "poster_path", "rating", "imported_title")
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATE_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    IMPORTED_TITLE_FIELD_NUMBER: _ClassVar[int]
    provider_id: str
    kind: TitleKind
    display_name: str
    overview: str
    release_date: _date_pb2.Date
    poster_path: str
    rating: float
    imported_title: str
    def __init__(self, provider_id: _Optional[str] = ..., kind: _Optional[_Union[TitleKind, str]] = ..., display_name: _Optional[str] = ..., overview: _Optional[str] = ..., release_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., poster_path: _Optional[str] = ..., rating: _Optional[float] = ..., imported_title: _Optional[str] = ...) -> None: ...

class SearchProviderRequest(_message.Message):
    __slots__ = ("query", "kind", "page_size", "page_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    kind: TitleKind
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., kind: _Optional[_Union[TitleKind, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchProviderResponse(_message.Message):
    __slots__ = ("results", "next_page_token", "total_size")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ProviderTitle]
    next_page_token: str
    total_size: int
    def __init__(self, results: _Optional[_Iterable[_Union[ProviderTitle, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ImportTitleRequest(_message.Message):
    __slots__ = ("provider_id", "kind", "access_level", "publish", "request_id")
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ACCESS_LEVEL_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    provider_id: str
    kind: TitleKind
    access_level: AccessLevel
    publish: bool
    request_id: str
    def __init__(self, provider_id: _Optional[str] = ..., kind: _Optional[_Union[TitleKind, str]] = ..., access_level: _Optional[_Union[AccessLevel, str]] = ..., publish: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class ImportTitleResponse(_message.Message):
    __slots__ = ("title", "created")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    title: Title
    created: bool
    def __init__(self, title: _Optional[_Union[Title, _Mapping]] = ..., created: bool = ...) -> None: ...
