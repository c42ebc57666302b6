import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.type import dayofweek_pb2 as _dayofweek_pb2
from google.type import money_pb2 as _money_pb2
from google.type import timeofday_pb2 as _timeofday_pb2
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
    ERROR_REASON_IMPRESSION_TOKEN_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_IMPRESSION_TOKEN_EXPIRED: _ClassVar[ErrorReason]
    ERROR_REASON_IMPRESSION_ALREADY_RECORDED: _ClassVar[ErrorReason]
    ERROR_REASON_IMPRESSION_NOT_RECORDED: _ClassVar[ErrorReason]
    ERROR_REASON_AD_NOT_ACTIVE: _ClassVar[ErrorReason]
    ERROR_REASON_CAMPAIGN_NOT_ACTIVE: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_SCHEDULE: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_CREATIVE: _ClassVar[ErrorReason]
    ERROR_REASON_CREATIVE_ASSET_NOT_READY: _ClassVar[ErrorReason]
    ERROR_REASON_CURRENCY_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_VIDEO_AD: _ClassVar[ErrorReason]
    ERROR_REASON_CREATIVE_ASSET_NOT_PUBLIC: _ClassVar[ErrorReason]

class Placement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLACEMENT_UNSPECIFIED: _ClassVar[Placement]
    PLACEMENT_PRE_ROLL: _ClassVar[Placement]
    PLACEMENT_LEADERBOARD: _ClassVar[Placement]
    PLACEMENT_RECTANGLE: _ClassVar[Placement]
    PLACEMENT_MOBILE_BANNER: _ClassVar[Placement]

class AdState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AD_STATE_UNSPECIFIED: _ClassVar[AdState]
    AD_STATE_ACTIVE: _ClassVar[AdState]
    AD_STATE_PAUSED: _ClassVar[AdState]
    AD_STATE_ARCHIVED: _ClassVar[AdState]

class CampaignState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAMPAIGN_STATE_UNSPECIFIED: _ClassVar[CampaignState]
    CAMPAIGN_STATE_ACTIVE: _ClassVar[CampaignState]
    CAMPAIGN_STATE_PAUSED: _ClassVar[CampaignState]
    CAMPAIGN_STATE_ARCHIVED: _ClassVar[CampaignState]

class ServingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVING_STATUS_UNSPECIFIED: _ClassVar[ServingStatus]
    SERVING_STATUS_SERVING: _ClassVar[ServingStatus]
    SERVING_STATUS_PAUSED: _ClassVar[ServingStatus]
    SERVING_STATUS_CAMPAIGN_PAUSED: _ClassVar[ServingStatus]
    SERVING_STATUS_SCHEDULED: _ClassVar[ServingStatus]
    SERVING_STATUS_ENDED: _ClassVar[ServingStatus]
    SERVING_STATUS_OUTSIDE_DAY_PARTS: _ClassVar[ServingStatus]
    SERVING_STATUS_BUDGET_EXHAUSTED: _ClassVar[ServingStatus]
    SERVING_STATUS_DAILY_BUDGET_EXHAUSTED: _ClassVar[ServingStatus]
    SERVING_STATUS_CREATIVE_NOT_READY: _ClassVar[ServingStatus]
    SERVING_STATUS_ARCHIVED: _ClassVar[ServingStatus]

class PricingModel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRICING_MODEL_UNSPECIFIED: _ClassVar[PricingModel]
    PRICING_MODEL_CPM: _ClassVar[PricingModel]
    PRICING_MODEL_CPC: _ClassVar[PricingModel]

class DeviceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEVICE_TYPE_UNSPECIFIED: _ClassVar[DeviceType]
    DEVICE_TYPE_DESKTOP_WEB: _ClassVar[DeviceType]
    DEVICE_TYPE_MOBILE_WEB: _ClassVar[DeviceType]
    DEVICE_TYPE_ANDROID: _ClassVar[DeviceType]
    DEVICE_TYPE_IOS: _ClassVar[DeviceType]
    DEVICE_TYPE_TV: _ClassVar[DeviceType]

class ViewerType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VIEWER_TYPE_UNSPECIFIED: _ClassVar[ViewerType]
    VIEWER_TYPE_ANONYMOUS: _ClassVar[ViewerType]
    VIEWER_TYPE_SIGNED_IN: _ClassVar[ViewerType]

class NoFillReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NO_FILL_REASON_UNSPECIFIED: _ClassVar[NoFillReason]
    NO_FILL_REASON_AD_FREE_PLAN: _ClassVar[NoFillReason]
    NO_FILL_REASON_NO_ELIGIBLE_AD: _ClassVar[NoFillReason]
    NO_FILL_REASON_FREQUENCY_CAPPED: _ClassVar[NoFillReason]
    NO_FILL_REASON_ENTITLEMENTS_UNAVAILABLE: _ClassVar[NoFillReason]

class VideoOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VIDEO_OUTCOME_UNSPECIFIED: _ClassVar[VideoOutcome]
    VIDEO_OUTCOME_COMPLETED: _ClassVar[VideoOutcome]
    VIDEO_OUTCOME_SKIPPED: _ClassVar[VideoOutcome]
    VIDEO_OUTCOME_ABANDONED: _ClassVar[VideoOutcome]
    VIDEO_OUTCOME_FAILED: _ClassVar[VideoOutcome]

class StatsDimension(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATS_DIMENSION_UNSPECIFIED: _ClassVar[StatsDimension]
    STATS_DIMENSION_COUNTRY: _ClassVar[StatsDimension]
    STATS_DIMENSION_DEVICE_TYPE: _ClassVar[StatsDimension]
    STATS_DIMENSION_TITLE: _ClassVar[StatsDimension]
    STATS_DIMENSION_PLACEMENT: _ClassVar[StatsDimension]

class StatsOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATS_ORDER_UNSPECIFIED: _ClassVar[StatsOrder]
    STATS_ORDER_IMPRESSIONS: _ClassVar[StatsOrder]
    STATS_ORDER_CLICKS: _ClassVar[StatsOrder]
    STATS_ORDER_CTR: _ClassVar[StatsOrder]
    STATS_ORDER_REVENUE: _ClassVar[StatsOrder]
    STATS_ORDER_ECPM: _ClassVar[StatsOrder]
    STATS_ORDER_COMPLETION_RATE: _ClassVar[StatsOrder]

class AdOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AD_ORDER_UNSPECIFIED: _ClassVar[AdOrder]
    AD_ORDER_NEWEST: _ClassVar[AdOrder]
    AD_ORDER_RECENTLY_UPDATED: _ClassVar[AdOrder]
    AD_ORDER_DISPLAY_NAME: _ClassVar[AdOrder]
    AD_ORDER_PRIORITY: _ClassVar[AdOrder]

class CampaignOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAMPAIGN_ORDER_UNSPECIFIED: _ClassVar[CampaignOrder]
    CAMPAIGN_ORDER_NEWEST: _ClassVar[CampaignOrder]
    CAMPAIGN_ORDER_RECENTLY_UPDATED: _ClassVar[CampaignOrder]
    CAMPAIGN_ORDER_DISPLAY_NAME: _ClassVar[CampaignOrder]
    CAMPAIGN_ORDER_ADVERTISER: _ClassVar[CampaignOrder]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_IMPRESSION_TOKEN_INVALID: ErrorReason
ERROR_REASON_IMPRESSION_TOKEN_EXPIRED: ErrorReason
ERROR_REASON_IMPRESSION_ALREADY_RECORDED: ErrorReason
ERROR_REASON_IMPRESSION_NOT_RECORDED: ErrorReason
ERROR_REASON_AD_NOT_ACTIVE: ErrorReason
ERROR_REASON_CAMPAIGN_NOT_ACTIVE: ErrorReason
ERROR_REASON_INVALID_SCHEDULE: ErrorReason
ERROR_REASON_INVALID_CREATIVE: ErrorReason
ERROR_REASON_CREATIVE_ASSET_NOT_READY: ErrorReason
ERROR_REASON_CURRENCY_MISMATCH: ErrorReason
ERROR_REASON_NOT_A_VIDEO_AD: ErrorReason
ERROR_REASON_CREATIVE_ASSET_NOT_PUBLIC: ErrorReason
PLACEMENT_UNSPECIFIED: Placement
PLACEMENT_PRE_ROLL: Placement
PLACEMENT_LEADERBOARD: Placement
PLACEMENT_RECTANGLE: Placement
PLACEMENT_MOBILE_BANNER: Placement
AD_STATE_UNSPECIFIED: AdState
AD_STATE_ACTIVE: AdState
AD_STATE_PAUSED: AdState
AD_STATE_ARCHIVED: AdState
CAMPAIGN_STATE_UNSPECIFIED: CampaignState
CAMPAIGN_STATE_ACTIVE: CampaignState
CAMPAIGN_STATE_PAUSED: CampaignState
CAMPAIGN_STATE_ARCHIVED: CampaignState
SERVING_STATUS_UNSPECIFIED: ServingStatus
SERVING_STATUS_SERVING: ServingStatus
SERVING_STATUS_PAUSED: ServingStatus
SERVING_STATUS_CAMPAIGN_PAUSED: ServingStatus
SERVING_STATUS_SCHEDULED: ServingStatus
SERVING_STATUS_ENDED: ServingStatus
SERVING_STATUS_OUTSIDE_DAY_PARTS: ServingStatus
SERVING_STATUS_BUDGET_EXHAUSTED: ServingStatus
SERVING_STATUS_DAILY_BUDGET_EXHAUSTED: ServingStatus
SERVING_STATUS_CREATIVE_NOT_READY: ServingStatus
SERVING_STATUS_ARCHIVED: ServingStatus
PRICING_MODEL_UNSPECIFIED: PricingModel
PRICING_MODEL_CPM: PricingModel
PRICING_MODEL_CPC: PricingModel
DEVICE_TYPE_UNSPECIFIED: DeviceType
DEVICE_TYPE_DESKTOP_WEB: DeviceType
DEVICE_TYPE_MOBILE_WEB: DeviceType
DEVICE_TYPE_ANDROID: DeviceType
DEVICE_TYPE_IOS: DeviceType
DEVICE_TYPE_TV: DeviceType
VIEWER_TYPE_UNSPECIFIED: ViewerType
VIEWER_TYPE_ANONYMOUS: ViewerType
VIEWER_TYPE_SIGNED_IN: ViewerType
NO_FILL_REASON_UNSPECIFIED: NoFillReason
NO_FILL_REASON_AD_FREE_PLAN: NoFillReason
NO_FILL_REASON_NO_ELIGIBLE_AD: NoFillReason
NO_FILL_REASON_FREQUENCY_CAPPED: NoFillReason
NO_FILL_REASON_ENTITLEMENTS_UNAVAILABLE: NoFillReason
VIDEO_OUTCOME_UNSPECIFIED: VideoOutcome
VIDEO_OUTCOME_COMPLETED: VideoOutcome
VIDEO_OUTCOME_SKIPPED: VideoOutcome
VIDEO_OUTCOME_ABANDONED: VideoOutcome
VIDEO_OUTCOME_FAILED: VideoOutcome
STATS_DIMENSION_UNSPECIFIED: StatsDimension
STATS_DIMENSION_COUNTRY: StatsDimension
STATS_DIMENSION_DEVICE_TYPE: StatsDimension
STATS_DIMENSION_TITLE: StatsDimension
STATS_DIMENSION_PLACEMENT: StatsDimension
STATS_ORDER_UNSPECIFIED: StatsOrder
STATS_ORDER_IMPRESSIONS: StatsOrder
STATS_ORDER_CLICKS: StatsOrder
STATS_ORDER_CTR: StatsOrder
STATS_ORDER_REVENUE: StatsOrder
STATS_ORDER_ECPM: StatsOrder
STATS_ORDER_COMPLETION_RATE: StatsOrder
AD_ORDER_UNSPECIFIED: AdOrder
AD_ORDER_NEWEST: AdOrder
AD_ORDER_RECENTLY_UPDATED: AdOrder
AD_ORDER_DISPLAY_NAME: AdOrder
AD_ORDER_PRIORITY: AdOrder
CAMPAIGN_ORDER_UNSPECIFIED: CampaignOrder
CAMPAIGN_ORDER_NEWEST: CampaignOrder
CAMPAIGN_ORDER_RECENTLY_UPDATED: CampaignOrder
CAMPAIGN_ORDER_DISPLAY_NAME: CampaignOrder
CAMPAIGN_ORDER_ADVERTISER: CampaignOrder

class Budget(_message.Message):
    __slots__ = ("total", "daily")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DAILY_FIELD_NUMBER: _ClassVar[int]
    total: _money_pb2.Money
    daily: _money_pb2.Money
    def __init__(self, total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., daily: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class Campaign(_message.Message):
    __slots__ = ("name", "display_name", "advertiser", "description", "state", "start_time", "end_time", "budget", "spend", "spend_today", "ad_count", "etag", "create_time", "update_time", "archive_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ADVERTISER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    SPEND_FIELD_NUMBER: _ClassVar[int]
    SPEND_TODAY_FIELD_NUMBER: _ClassVar[int]
    AD_COUNT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    advertiser: str
    description: str
    state: CampaignState
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    budget: Budget
    spend: _money_pb2.Money
    spend_today: _money_pb2.Money
    ad_count: int
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    archive_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., advertiser: _Optional[str] = ..., description: _Optional[str] = ..., state: _Optional[_Union[CampaignState, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., budget: _Optional[_Union[Budget, _Mapping]] = ..., spend: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., spend_today: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., ad_count: _Optional[int] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., archive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Creative(_message.Message):
    __slots__ = ("video_asset", "video_url", "image_url", "width", "height", "duration", "skip_offset", "alt_text", "call_to_action")
    VIDEO_ASSET_FIELD_NUMBER: _ClassVar[int]
    VIDEO_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    SKIP_OFFSET_FIELD_NUMBER: _ClassVar[int]
    ALT_TEXT_FIELD_NUMBER: _ClassVar[int]
    CALL_TO_ACTION_FIELD_NUMBER: _ClassVar[int]
    video_asset: str
    video_url: str
    image_url: str
    width: int
    height: int
    duration: _duration_pb2.Duration
    skip_offset: _duration_pb2.Duration
    alt_text: str
    call_to_action: str
    def __init__(self, video_asset: _Optional[str] = ..., video_url: _Optional[str] = ..., image_url: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., skip_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., alt_text: _Optional[str] = ..., call_to_action: _Optional[str] = ...) -> None: ...

class Targeting(_message.Message):
    __slots__ = ("countries", "regions", "excluded_countries", "languages", "device_types", "genres", "excluded_genres", "categories", "titles", "excluded_titles", "viewer_types", "plans")
    COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPES_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_GENRES_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    TITLES_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_TITLES_FIELD_NUMBER: _ClassVar[int]
    VIEWER_TYPES_FIELD_NUMBER: _ClassVar[int]
    PLANS_FIELD_NUMBER: _ClassVar[int]
    countries: _containers.RepeatedScalarFieldContainer[str]
    regions: _containers.RepeatedScalarFieldContainer[str]
    excluded_countries: _containers.RepeatedScalarFieldContainer[str]
    languages: _containers.RepeatedScalarFieldContainer[str]
    device_types: _containers.RepeatedScalarFieldContainer[DeviceType]
    genres: _containers.RepeatedScalarFieldContainer[str]
    excluded_genres: _containers.RepeatedScalarFieldContainer[str]
    categories: _containers.RepeatedScalarFieldContainer[str]
    titles: _containers.RepeatedScalarFieldContainer[str]
    excluded_titles: _containers.RepeatedScalarFieldContainer[str]
    viewer_types: _containers.RepeatedScalarFieldContainer[ViewerType]
    plans: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, countries: _Optional[_Iterable[str]] = ..., regions: _Optional[_Iterable[str]] = ..., excluded_countries: _Optional[_Iterable[str]] = ..., languages: _Optional[_Iterable[str]] = ..., device_types: _Optional[_Iterable[_Union[DeviceType, str]]] = ..., genres: _Optional[_Iterable[str]] = ..., excluded_genres: _Optional[_Iterable[str]] = ..., categories: _Optional[_Iterable[str]] = ..., titles: _Optional[_Iterable[str]] = ..., excluded_titles: _Optional[_Iterable[str]] = ..., viewer_types: _Optional[_Iterable[_Union[ViewerType, str]]] = ..., plans: _Optional[_Iterable[str]] = ...) -> None: ...

class DayPart(_message.Message):
    __slots__ = ("days", "start_time", "end_time")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedScalarFieldContainer[_dayofweek_pb2.DayOfWeek]
    start_time: _timeofday_pb2.TimeOfDay
    end_time: _timeofday_pb2.TimeOfDay
    def __init__(self, days: _Optional[_Iterable[_Union[_dayofweek_pb2.DayOfWeek, str]]] = ..., start_time: _Optional[_Union[_timeofday_pb2.TimeOfDay, _Mapping]] = ..., end_time: _Optional[_Union[_timeofday_pb2.TimeOfDay, _Mapping]] = ...) -> None: ...

class Schedule(_message.Message):
    __slots__ = ("start_time", "end_time", "time_zone", "day_parts")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    DAY_PARTS_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    time_zone: str
    day_parts: _containers.RepeatedCompositeFieldContainer[DayPart]
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., time_zone: _Optional[str] = ..., day_parts: _Optional[_Iterable[_Union[DayPart, _Mapping]]] = ...) -> None: ...

class Pricing(_message.Message):
    __slots__ = ("model", "rate")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    model: PricingModel
    rate: _money_pb2.Money
    def __init__(self, model: _Optional[_Union[PricingModel, str]] = ..., rate: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class FrequencyCap(_message.Message):
    __slots__ = ("max_impressions", "period")
    MAX_IMPRESSIONS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    max_impressions: int
    period: _duration_pb2.Duration
    def __init__(self, max_impressions: _Optional[int] = ..., period: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Ad(_message.Message):
    __slots__ = ("name", "display_name", "campaign", "advertiser", "placement", "creative", "click_url", "targeting", "schedule", "pricing", "budget", "priority", "weight", "frequency_caps", "state", "serving_status", "impressions", "clicks", "spend", "spend_today", "etag", "create_time", "update_time", "archive_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    ADVERTISER_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    CREATIVE_FIELD_NUMBER: _ClassVar[int]
    CLICK_URL_FIELD_NUMBER: _ClassVar[int]
    TARGETING_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    PRICING_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_CAPS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SERVING_STATUS_FIELD_NUMBER: _ClassVar[int]
    IMPRESSIONS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    SPEND_FIELD_NUMBER: _ClassVar[int]
    SPEND_TODAY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    campaign: str
    advertiser: str
    placement: Placement
    creative: Creative
    click_url: str
    targeting: Targeting
    schedule: Schedule
    pricing: Pricing
    budget: Budget
    priority: int
    weight: int
    frequency_caps: _containers.RepeatedCompositeFieldContainer[FrequencyCap]
    state: AdState
    serving_status: ServingStatus
    impressions: int
    clicks: int
    spend: _money_pb2.Money
    spend_today: _money_pb2.Money
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    archive_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., campaign: _Optional[str] = ..., advertiser: _Optional[str] = ..., placement: _Optional[_Union[Placement, str]] = ..., creative: _Optional[_Union[Creative, _Mapping]] = ..., click_url: _Optional[str] = ..., targeting: _Optional[_Union[Targeting, _Mapping]] = ..., schedule: _Optional[_Union[Schedule, _Mapping]] = ..., pricing: _Optional[_Union[Pricing, _Mapping]] = ..., budget: _Optional[_Union[Budget, _Mapping]] = ..., priority: _Optional[int] = ..., weight: _Optional[int] = ..., frequency_caps: _Optional[_Iterable[_Union[FrequencyCap, _Mapping]]] = ..., state: _Optional[_Union[AdState, str]] = ..., serving_status: _Optional[_Union[ServingStatus, str]] = ..., impressions: _Optional[int] = ..., clicks: _Optional[int] = ..., spend: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., spend_today: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., archive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AdFilter(_message.Message):
    __slots__ = ("states", "serving_statuses", "placements", "campaign", "advertiser", "search")
    STATES_FIELD_NUMBER: _ClassVar[int]
    SERVING_STATUSES_FIELD_NUMBER: _ClassVar[int]
    PLACEMENTS_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    ADVERTISER_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[AdState]
    serving_statuses: _containers.RepeatedScalarFieldContainer[ServingStatus]
    placements: _containers.RepeatedScalarFieldContainer[Placement]
    campaign: str
    advertiser: str
    search: str
    def __init__(self, states: _Optional[_Iterable[_Union[AdState, str]]] = ..., serving_statuses: _Optional[_Iterable[_Union[ServingStatus, str]]] = ..., placements: _Optional[_Iterable[_Union[Placement, str]]] = ..., campaign: _Optional[str] = ..., advertiser: _Optional[str] = ..., search: _Optional[str] = ...) -> None: ...

class CampaignFilter(_message.Message):
    __slots__ = ("states", "advertiser", "search")
    STATES_FIELD_NUMBER: _ClassVar[int]
    ADVERTISER_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[CampaignState]
    advertiser: str
    search: str
    def __init__(self, states: _Optional[_Iterable[_Union[CampaignState, str]]] = ..., advertiser: _Optional[str] = ..., search: _Optional[str] = ...) -> None: ...

class AdContext(_message.Message):
    __slots__ = ("title", "country", "region", "device_type", "language", "device_id")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    title: str
    country: str
    region: str
    device_type: DeviceType
    language: str
    device_id: str
    def __init__(self, title: _Optional[str] = ..., country: _Optional[str] = ..., region: _Optional[str] = ..., device_type: _Optional[_Union[DeviceType, str]] = ..., language: _Optional[str] = ..., device_id: _Optional[str] = ...) -> None: ...

class ServedAd(_message.Message):
    __slots__ = ("ad", "placement", "advertiser", "impression_token", "token_expire_time", "video_url", "video_mime_type", "image_url", "width", "height", "duration", "skip_offset", "click_url", "alt_text", "call_to_action")
    AD_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    ADVERTISER_FIELD_NUMBER: _ClassVar[int]
    IMPRESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    VIDEO_URL_FIELD_NUMBER: _ClassVar[int]
    VIDEO_MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    SKIP_OFFSET_FIELD_NUMBER: _ClassVar[int]
    CLICK_URL_FIELD_NUMBER: _ClassVar[int]
    ALT_TEXT_FIELD_NUMBER: _ClassVar[int]
    CALL_TO_ACTION_FIELD_NUMBER: _ClassVar[int]
    ad: str
    placement: Placement
    advertiser: str
    impression_token: str
    token_expire_time: _timestamp_pb2.Timestamp
    video_url: str
    video_mime_type: str
    image_url: str
    width: int
    height: int
    duration: _duration_pb2.Duration
    skip_offset: _duration_pb2.Duration
    click_url: str
    alt_text: str
    call_to_action: str
    def __init__(self, ad: _Optional[str] = ..., placement: _Optional[_Union[Placement, str]] = ..., advertiser: _Optional[str] = ..., impression_token: _Optional[str] = ..., token_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., video_url: _Optional[str] = ..., video_mime_type: _Optional[str] = ..., image_url: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., skip_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., click_url: _Optional[str] = ..., alt_text: _Optional[str] = ..., call_to_action: _Optional[str] = ...) -> None: ...

class Impression(_message.Message):
    __slots__ = ("name", "ad", "campaign", "placement", "user", "device_id", "title", "country", "region", "device_type", "select_time", "record_time", "video_outcome", "viewed_duration", "finish_time", "click_count", "first_click_time", "cost")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AD_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SELECT_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORD_TIME_FIELD_NUMBER: _ClassVar[int]
    VIDEO_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    VIEWED_DURATION_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    CLICK_COUNT_FIELD_NUMBER: _ClassVar[int]
    FIRST_CLICK_TIME_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    name: str
    ad: str
    campaign: str
    placement: Placement
    user: str
    device_id: str
    title: str
    country: str
    region: str
    device_type: DeviceType
    select_time: _timestamp_pb2.Timestamp
    record_time: _timestamp_pb2.Timestamp
    video_outcome: VideoOutcome
    viewed_duration: _duration_pb2.Duration
    finish_time: _timestamp_pb2.Timestamp
    click_count: int
    first_click_time: _timestamp_pb2.Timestamp
    cost: _money_pb2.Money
    def __init__(self, name: _Optional[str] = ..., ad: _Optional[str] = ..., campaign: _Optional[str] = ..., placement: _Optional[_Union[Placement, str]] = ..., user: _Optional[str] = ..., device_id: _Optional[str] = ..., title: _Optional[str] = ..., country: _Optional[str] = ..., region: _Optional[str] = ..., device_type: _Optional[_Union[DeviceType, str]] = ..., select_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., record_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., video_outcome: _Optional[_Union[VideoOutcome, str]] = ..., viewed_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., click_count: _Optional[int] = ..., first_click_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class AdMetrics(_message.Message):
    __slots__ = ("impressions", "clicks", "ctr", "video_impressions", "completions", "completion_rate", "skips", "skip_rate", "average_viewed_duration", "unique_users", "revenue", "ecpm")
    IMPRESSIONS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    CTR_FIELD_NUMBER: _ClassVar[int]
    VIDEO_IMPRESSIONS_FIELD_NUMBER: _ClassVar[int]
    COMPLETIONS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    SKIPS_FIELD_NUMBER: _ClassVar[int]
    SKIP_RATE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_VIEWED_DURATION_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_USERS_FIELD_NUMBER: _ClassVar[int]
    REVENUE_FIELD_NUMBER: _ClassVar[int]
    ECPM_FIELD_NUMBER: _ClassVar[int]
    impressions: int
    clicks: int
    ctr: float
    video_impressions: int
    completions: int
    completion_rate: float
    skips: int
    skip_rate: float
    average_viewed_duration: _duration_pb2.Duration
    unique_users: int
    revenue: _money_pb2.Money
    ecpm: _money_pb2.Money
    def __init__(self, impressions: _Optional[int] = ..., clicks: _Optional[int] = ..., ctr: _Optional[float] = ..., video_impressions: _Optional[int] = ..., completions: _Optional[int] = ..., completion_rate: _Optional[float] = ..., skips: _Optional[int] = ..., skip_rate: _Optional[float] = ..., average_viewed_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., unique_users: _Optional[int] = ..., revenue: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., ecpm: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class DailyAdMetrics(_message.Message):
    __slots__ = ("date", "metrics")
    DATE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    date: _date_pb2.Date
    metrics: AdMetrics
    def __init__(self, date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., metrics: _Optional[_Union[AdMetrics, _Mapping]] = ...) -> None: ...

class AdMetricsBreakdown(_message.Message):
    __slots__ = ("key", "metrics")
    KEY_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    key: str
    metrics: AdMetrics
    def __init__(self, key: _Optional[str] = ..., metrics: _Optional[_Union[AdMetrics, _Mapping]] = ...) -> None: ...

class PlacementStats(_message.Message):
    __slots__ = ("placement", "requests", "fills", "fill_rate", "frequency_capped", "metrics")
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    FILL_RATE_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_CAPPED_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    placement: Placement
    requests: int
    fills: int
    fill_rate: float
    frequency_capped: int
    metrics: AdMetrics
    def __init__(self, placement: _Optional[_Union[Placement, str]] = ..., requests: _Optional[int] = ..., fills: _Optional[int] = ..., fill_rate: _Optional[float] = ..., frequency_capped: _Optional[int] = ..., metrics: _Optional[_Union[AdMetrics, _Mapping]] = ...) -> None: ...

class AdStatsRow(_message.Message):
    __slots__ = ("ad", "display_name", "campaign", "advertiser", "placement", "state", "metrics")
    AD_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    ADVERTISER_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    ad: str
    display_name: str
    campaign: str
    advertiser: str
    placement: Placement
    state: AdState
    metrics: AdMetrics
    def __init__(self, ad: _Optional[str] = ..., display_name: _Optional[str] = ..., campaign: _Optional[str] = ..., advertiser: _Optional[str] = ..., placement: _Optional[_Union[Placement, str]] = ..., state: _Optional[_Union[AdState, str]] = ..., metrics: _Optional[_Union[AdMetrics, _Mapping]] = ...) -> None: ...

class CampaignStatsRow(_message.Message):
    __slots__ = ("campaign", "display_name", "advertiser", "state", "metrics")
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ADVERTISER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    campaign: str
    display_name: str
    advertiser: str
    state: CampaignState
    metrics: AdMetrics
    def __init__(self, campaign: _Optional[str] = ..., display_name: _Optional[str] = ..., advertiser: _Optional[str] = ..., state: _Optional[_Union[CampaignState, str]] = ..., metrics: _Optional[_Union[AdMetrics, _Mapping]] = ...) -> None: ...

class CreateCampaignRequest(_message.Message):
    __slots__ = ("campaign", "request_id")
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    request_id: str
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class GetCampaignRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class ListCampaignsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: CampaignFilter
    order_by: CampaignOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[_Union[CampaignFilter, _Mapping]] = ..., order_by: _Optional[_Union[CampaignOrder, str]] = ...) -> None: ...

class ListCampaignsResponse(_message.Message):
    __slots__ = ("campaigns", "next_page_token")
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedCompositeFieldContainer[Campaign]
    next_page_token: str
    def __init__(self, campaigns: _Optional[_Iterable[_Union[Campaign, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateCampaignRequest(_message.Message):
    __slots__ = ("campaign", "update_mask")
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class PauseCampaignRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class PauseCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class ResumeCampaignRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ResumeCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class DeleteCampaignRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class CreateAdRequest(_message.Message):
    __slots__ = ("ad", "request_id")
    AD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    request_id: str
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateAdResponse(_message.Message):
    __slots__ = ("ad",)
    AD_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ...) -> None: ...

class GetAdRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetAdResponse(_message.Message):
    __slots__ = ("ad",)
    AD_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ...) -> None: ...

class ListAdsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: AdFilter
    order_by: AdOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[_Union[AdFilter, _Mapping]] = ..., order_by: _Optional[_Union[AdOrder, str]] = ...) -> None: ...

class ListAdsResponse(_message.Message):
    __slots__ = ("ads", "next_page_token")
    ADS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ads: _containers.RepeatedCompositeFieldContainer[Ad]
    next_page_token: str
    def __init__(self, ads: _Optional[_Iterable[_Union[Ad, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateAdRequest(_message.Message):
    __slots__ = ("ad", "update_mask")
    AD_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateAdResponse(_message.Message):
    __slots__ = ("ad",)
    AD_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ...) -> None: ...

class PauseAdRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class PauseAdResponse(_message.Message):
    __slots__ = ("ad",)
    AD_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ...) -> None: ...

class ResumeAdRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ResumeAdResponse(_message.Message):
    __slots__ = ("ad",)
    AD_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ...) -> None: ...

class DeleteAdRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteAdResponse(_message.Message):
    __slots__ = ("ad",)
    AD_FIELD_NUMBER: _ClassVar[int]
    ad: Ad
    def __init__(self, ad: _Optional[_Union[Ad, _Mapping]] = ...) -> None: ...

class SelectAdRequest(_message.Message):
    __slots__ = ("placement", "context", "exclude_ads")
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_ADS_FIELD_NUMBER: _ClassVar[int]
    placement: Placement
    context: AdContext
    exclude_ads: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, placement: _Optional[_Union[Placement, str]] = ..., context: _Optional[_Union[AdContext, _Mapping]] = ..., exclude_ads: _Optional[_Iterable[str]] = ...) -> None: ...

class SelectAdResponse(_message.Message):
    __slots__ = ("ad", "no_fill_reason", "ad_free")
    AD_FIELD_NUMBER: _ClassVar[int]
    NO_FILL_REASON_FIELD_NUMBER: _ClassVar[int]
    AD_FREE_FIELD_NUMBER: _ClassVar[int]
    ad: ServedAd
    no_fill_reason: NoFillReason
    ad_free: bool
    def __init__(self, ad: _Optional[_Union[ServedAd, _Mapping]] = ..., no_fill_reason: _Optional[_Union[NoFillReason, str]] = ..., ad_free: bool = ...) -> None: ...

class VideoResult(_message.Message):
    __slots__ = ("outcome", "viewed_duration")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    VIEWED_DURATION_FIELD_NUMBER: _ClassVar[int]
    outcome: VideoOutcome
    viewed_duration: _duration_pb2.Duration
    def __init__(self, outcome: _Optional[_Union[VideoOutcome, str]] = ..., viewed_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RecordImpressionRequest(_message.Message):
    __slots__ = ("impression_token", "device_id", "video_result", "request_id")
    IMPRESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_RESULT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    impression_token: str
    device_id: str
    video_result: VideoResult
    request_id: str
    def __init__(self, impression_token: _Optional[str] = ..., device_id: _Optional[str] = ..., video_result: _Optional[_Union[VideoResult, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RecordImpressionResponse(_message.Message):
    __slots__ = ("impression", "click_expire_time")
    IMPRESSION_FIELD_NUMBER: _ClassVar[int]
    CLICK_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    impression: str
    click_expire_time: _timestamp_pb2.Timestamp
    def __init__(self, impression: _Optional[str] = ..., click_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FinishImpressionRequest(_message.Message):
    __slots__ = ("impression_token", "device_id", "video_result", "request_id")
    IMPRESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_RESULT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    impression_token: str
    device_id: str
    video_result: VideoResult
    request_id: str
    def __init__(self, impression_token: _Optional[str] = ..., device_id: _Optional[str] = ..., video_result: _Optional[_Union[VideoResult, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class FinishImpressionResponse(_message.Message):
    __slots__ = ("impression", "video_outcome")
    IMPRESSION_FIELD_NUMBER: _ClassVar[int]
    VIDEO_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    impression: str
    video_outcome: VideoOutcome
    def __init__(self, impression: _Optional[str] = ..., video_outcome: _Optional[_Union[VideoOutcome, str]] = ...) -> None: ...

class RecordClickRequest(_message.Message):
    __slots__ = ("impression_token", "device_id", "request_id")
    IMPRESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    impression_token: str
    device_id: str
    request_id: str
    def __init__(self, impression_token: _Optional[str] = ..., device_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RecordClickResponse(_message.Message):
    __slots__ = ("redirect_url", "counted", "impression")
    REDIRECT_URL_FIELD_NUMBER: _ClassVar[int]
    COUNTED_FIELD_NUMBER: _ClassVar[int]
    IMPRESSION_FIELD_NUMBER: _ClassVar[int]
    redirect_url: str
    counted: bool
    impression: str
    def __init__(self, redirect_url: _Optional[str] = ..., counted: bool = ..., impression: _Optional[str] = ...) -> None: ...

class GetImpressionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetImpressionResponse(_message.Message):
    __slots__ = ("impression",)
    IMPRESSION_FIELD_NUMBER: _ClassVar[int]
    impression: Impression
    def __init__(self, impression: _Optional[_Union[Impression, _Mapping]] = ...) -> None: ...

class ListImpressionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "ad", "campaign", "user", "device_id", "start_time", "end_time", "clicked_only")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AD_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    CLICKED_ONLY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    ad: str
    campaign: str
    user: str
    device_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    clicked_only: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., ad: _Optional[str] = ..., campaign: _Optional[str] = ..., user: _Optional[str] = ..., device_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., clicked_only: bool = ...) -> None: ...

class ListImpressionsResponse(_message.Message):
    __slots__ = ("impressions", "next_page_token")
    IMPRESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    impressions: _containers.RepeatedCompositeFieldContainer[Impression]
    next_page_token: str
    def __init__(self, impressions: _Optional[_Iterable[_Union[Impression, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAdStatsRequest(_message.Message):
    __slots__ = ("ad", "start_date", "end_date", "time_zone", "breakdown")
    AD_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    ad: str
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    time_zone: str
    breakdown: StatsDimension
    def __init__(self, ad: _Optional[str] = ..., start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., time_zone: _Optional[str] = ..., breakdown: _Optional[_Union[StatsDimension, str]] = ...) -> None: ...

class GetAdStatsResponse(_message.Message):
    __slots__ = ("totals", "daily", "breakdown", "data_time")
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    DAILY_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    DATA_TIME_FIELD_NUMBER: _ClassVar[int]
    totals: AdMetrics
    daily: _containers.RepeatedCompositeFieldContainer[DailyAdMetrics]
    breakdown: _containers.RepeatedCompositeFieldContainer[AdMetricsBreakdown]
    data_time: _timestamp_pb2.Timestamp
    def __init__(self, totals: _Optional[_Union[AdMetrics, _Mapping]] = ..., daily: _Optional[_Iterable[_Union[DailyAdMetrics, _Mapping]]] = ..., breakdown: _Optional[_Iterable[_Union[AdMetricsBreakdown, _Mapping]]] = ..., data_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetCampaignStatsRequest(_message.Message):
    __slots__ = ("campaign", "start_date", "end_date", "time_zone", "breakdown")
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    campaign: str
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    time_zone: str
    breakdown: StatsDimension
    def __init__(self, campaign: _Optional[str] = ..., start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., time_zone: _Optional[str] = ..., breakdown: _Optional[_Union[StatsDimension, str]] = ...) -> None: ...

class GetCampaignStatsResponse(_message.Message):
    __slots__ = ("totals", "daily", "breakdown", "data_time")
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    DAILY_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    DATA_TIME_FIELD_NUMBER: _ClassVar[int]
    totals: AdMetrics
    daily: _containers.RepeatedCompositeFieldContainer[DailyAdMetrics]
    breakdown: _containers.RepeatedCompositeFieldContainer[AdMetricsBreakdown]
    data_time: _timestamp_pb2.Timestamp
    def __init__(self, totals: _Optional[_Union[AdMetrics, _Mapping]] = ..., daily: _Optional[_Iterable[_Union[DailyAdMetrics, _Mapping]]] = ..., breakdown: _Optional[_Iterable[_Union[AdMetricsBreakdown, _Mapping]]] = ..., data_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAdStatsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "start_date", "end_date", "time_zone", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    time_zone: str
    filter: AdFilter
    order_by: StatsOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., time_zone: _Optional[str] = ..., filter: _Optional[_Union[AdFilter, _Mapping]] = ..., order_by: _Optional[_Union[StatsOrder, str]] = ...) -> None: ...

class ListAdStatsResponse(_message.Message):
    __slots__ = ("rows", "next_page_token", "totals", "total_size", "data_time")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    DATA_TIME_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[AdStatsRow]
    next_page_token: str
    totals: AdMetrics
    total_size: int
    data_time: _timestamp_pb2.Timestamp
    def __init__(self, rows: _Optional[_Iterable[_Union[AdStatsRow, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., totals: _Optional[_Union[AdMetrics, _Mapping]] = ..., total_size: _Optional[int] = ..., data_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListCampaignStatsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "start_date", "end_date", "time_zone", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    time_zone: str
    filter: CampaignFilter
    order_by: StatsOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., time_zone: _Optional[str] = ..., filter: _Optional[_Union[CampaignFilter, _Mapping]] = ..., order_by: _Optional[_Union[StatsOrder, str]] = ...) -> None: ...

class ListCampaignStatsResponse(_message.Message):
    __slots__ = ("rows", "next_page_token", "totals", "total_size", "data_time")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    DATA_TIME_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[CampaignStatsRow]
    next_page_token: str
    totals: AdMetrics
    total_size: int
    data_time: _timestamp_pb2.Timestamp
    def __init__(self, rows: _Optional[_Iterable[_Union[CampaignStatsRow, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., totals: _Optional[_Union[AdMetrics, _Mapping]] = ..., total_size: _Optional[int] = ..., data_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetOverviewStatsRequest(_message.Message):
    __slots__ = ("start_date", "end_date", "time_zone")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    time_zone: str
    def __init__(self, start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetOverviewStatsResponse(_message.Message):
    __slots__ = ("totals", "daily", "placements", "ad_free_requests", "data_time")
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    DAILY_FIELD_NUMBER: _ClassVar[int]
    PLACEMENTS_FIELD_NUMBER: _ClassVar[int]
    AD_FREE_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    DATA_TIME_FIELD_NUMBER: _ClassVar[int]
    totals: AdMetrics
    daily: _containers.RepeatedCompositeFieldContainer[DailyAdMetrics]
    placements: _containers.RepeatedCompositeFieldContainer[PlacementStats]
    ad_free_requests: int
    data_time: _timestamp_pb2.Timestamp
    def __init__(self, totals: _Optional[_Union[AdMetrics, _Mapping]] = ..., daily: _Optional[_Iterable[_Union[DailyAdMetrics, _Mapping]]] = ..., placements: _Optional[_Iterable[_Union[PlacementStats, _Mapping]]] = ..., ad_free_requests: _Optional[int] = ..., data_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

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
    __slots__ = ("erased", "retained")
    ERASED_FIELD_NUMBER: _ClassVar[int]
    RETAINED_FIELD_NUMBER: _ClassVar[int]
    erased: _containers.RepeatedCompositeFieldContainer[_userdata_pb2.UserDataDisposition]
    retained: _containers.RepeatedCompositeFieldContainer[_userdata_pb2.UserDataDisposition]
    def __init__(self, erased: _Optional[_Iterable[_Union[_userdata_pb2.UserDataDisposition, _Mapping]]] = ..., retained: _Optional[_Iterable[_Union[_userdata_pb2.UserDataDisposition, _Mapping]]] = ...) -> None: ...
