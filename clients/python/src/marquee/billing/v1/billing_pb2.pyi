import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.type import date_pb2 as _date_pb2
from google.type import money_pb2 as _money_pb2
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
    ERROR_REASON_INSUFFICIENT_CREDITS: _ClassVar[ErrorReason]
    ERROR_REASON_PLAN_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_NO_SUBSCRIPTION: _ClassVar[ErrorReason]
    ERROR_REASON_SUBSCRIPTION_ALREADY_ACTIVE: _ClassVar[ErrorReason]
    ERROR_REASON_SUBSCRIPTION_NOT_CANCELABLE: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_PROVIDER_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_SIGNATURE_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_EVENT_TOO_OLD: _ClassVar[ErrorReason]
    ERROR_REASON_UNKNOWN_PLAN: _ClassVar[ErrorReason]
    ERROR_REASON_REFUND_EXCEEDS_SPEND: _ClassVar[ErrorReason]
    ERROR_REASON_UNKNOWN_CREDIT_PACK: _ClassVar[ErrorReason]
    ERROR_REASON_SUBSCRIPTION_NOT_RESUMABLE: _ClassVar[ErrorReason]
    ERROR_REASON_ALREADY_ON_PLAN: _ClassVar[ErrorReason]
    ERROR_REASON_SUBSCRIPTION_NOT_CHANGEABLE: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_DECLINED: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_ACTION_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_REDIRECT_URL_NOT_ALLOWED: _ClassVar[ErrorReason]
    ERROR_REASON_NO_BILLING_ACCOUNT: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_SPEND: _ClassVar[ErrorReason]
    ERROR_REASON_REFUND_EXCEEDS_PAYMENT: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_NOT_REFUNDABLE: _ClassVar[ErrorReason]
    ERROR_REASON_MALFORMED_EVENT: _ClassVar[ErrorReason]
    ERROR_REASON_EVENT_OBJECT_UNKNOWN: _ClassVar[ErrorReason]

class PlanTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_TIER_UNSPECIFIED: _ClassVar[PlanTier]
    PLAN_TIER_FREE: _ClassVar[PlanTier]
    PLAN_TIER_BASIC: _ClassVar[PlanTier]
    PLAN_TIER_PREMIUM: _ClassVar[PlanTier]

class BillingInterval(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BILLING_INTERVAL_UNSPECIFIED: _ClassVar[BillingInterval]
    BILLING_INTERVAL_MONTH: _ClassVar[BillingInterval]
    BILLING_INTERVAL_YEAR: _ClassVar[BillingInterval]

class VideoQuality(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VIDEO_QUALITY_UNSPECIFIED: _ClassVar[VideoQuality]
    VIDEO_QUALITY_480P: _ClassVar[VideoQuality]
    VIDEO_QUALITY_720P: _ClassVar[VideoQuality]
    VIDEO_QUALITY_1080P: _ClassVar[VideoQuality]
    VIDEO_QUALITY_2160P: _ClassVar[VideoQuality]

class SubscriptionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBSCRIPTION_STATUS_UNSPECIFIED: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_INCOMPLETE: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_INCOMPLETE_EXPIRED: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_TRIALING: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_ACTIVE: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_PAST_DUE: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_UNPAID: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_CANCELED: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_PAUSED: _ClassVar[SubscriptionStatus]

class CancelMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCEL_MODE_UNSPECIFIED: _ClassVar[CancelMode]
    CANCEL_MODE_AT_PERIOD_END: _ClassVar[CancelMode]
    CANCEL_MODE_IMMEDIATELY: _ClassVar[CancelMode]

class CancellationFeedback(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCELLATION_FEEDBACK_UNSPECIFIED: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_TOO_EXPENSIVE: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_MISSING_FEATURES: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_SWITCHED_SERVICE: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_UNUSED: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_CUSTOMER_SERVICE: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_TOO_COMPLEX: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_LOW_QUALITY: _ClassVar[CancellationFeedback]
    CANCELLATION_FEEDBACK_OTHER: _ClassVar[CancellationFeedback]

class CancellationSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCELLATION_SOURCE_UNSPECIFIED: _ClassVar[CancellationSource]
    CANCELLATION_SOURCE_USER: _ClassVar[CancellationSource]
    CANCELLATION_SOURCE_ADMIN: _ClassVar[CancellationSource]
    CANCELLATION_SOURCE_PAYMENT_FAILED: _ClassVar[CancellationSource]
    CANCELLATION_SOURCE_PAYMENT_DISPUTED: _ClassVar[CancellationSource]

class ChangeTiming(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANGE_TIMING_UNSPECIFIED: _ClassVar[ChangeTiming]
    CHANGE_TIMING_IMMEDIATELY: _ClassVar[ChangeTiming]
    CHANGE_TIMING_AT_PERIOD_END: _ClassVar[ChangeTiming]

class ProrationBehavior(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRORATION_BEHAVIOR_UNSPECIFIED: _ClassVar[ProrationBehavior]
    PRORATION_BEHAVIOR_ALWAYS_INVOICE: _ClassVar[ProrationBehavior]
    PRORATION_BEHAVIOR_CREATE_PRORATIONS: _ClassVar[ProrationBehavior]
    PRORATION_BEHAVIOR_NONE: _ClassVar[ProrationBehavior]

class CheckoutMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECKOUT_MODE_UNSPECIFIED: _ClassVar[CheckoutMode]
    CHECKOUT_MODE_SUBSCRIPTION: _ClassVar[CheckoutMode]
    CHECKOUT_MODE_PAYMENT: _ClassVar[CheckoutMode]

class CheckoutUiMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECKOUT_UI_MODE_UNSPECIFIED: _ClassVar[CheckoutUiMode]
    CHECKOUT_UI_MODE_HOSTED: _ClassVar[CheckoutUiMode]
    CHECKOUT_UI_MODE_EMBEDDED: _ClassVar[CheckoutUiMode]

class CheckoutSessionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECKOUT_SESSION_STATE_UNSPECIFIED: _ClassVar[CheckoutSessionState]
    CHECKOUT_SESSION_STATE_OPEN: _ClassVar[CheckoutSessionState]
    CHECKOUT_SESSION_STATE_COMPLETE: _ClassVar[CheckoutSessionState]
    CHECKOUT_SESSION_STATE_EXPIRED: _ClassVar[CheckoutSessionState]

class PortalFlow(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PORTAL_FLOW_UNSPECIFIED: _ClassVar[PortalFlow]
    PORTAL_FLOW_PAYMENT_METHOD_UPDATE: _ClassVar[PortalFlow]
    PORTAL_FLOW_SUBSCRIPTION_CANCEL: _ClassVar[PortalFlow]
    PORTAL_FLOW_SUBSCRIPTION_UPDATE: _ClassVar[PortalFlow]

class PaymentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_KIND_UNSPECIFIED: _ClassVar[PaymentKind]
    PAYMENT_KIND_SUBSCRIPTION_START: _ClassVar[PaymentKind]
    PAYMENT_KIND_SUBSCRIPTION_RENEWAL: _ClassVar[PaymentKind]
    PAYMENT_KIND_SUBSCRIPTION_CHANGE: _ClassVar[PaymentKind]
    PAYMENT_KIND_CREDIT_PACK: _ClassVar[PaymentKind]

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATUS_UNSPECIFIED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PENDING: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_REQUIRES_ACTION: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_SUCCEEDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_FAILED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PARTIALLY_REFUNDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_REFUNDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_DISPUTED: _ClassVar[PaymentStatus]

class RefundReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_REASON_UNSPECIFIED: _ClassVar[RefundReason]
    REFUND_REASON_DUPLICATE: _ClassVar[RefundReason]
    REFUND_REASON_FRAUDULENT: _ClassVar[RefundReason]
    REFUND_REASON_REQUESTED_BY_CUSTOMER: _ClassVar[RefundReason]

class CreditEntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_ENTRY_KIND_UNSPECIFIED: _ClassVar[CreditEntryKind]
    CREDIT_ENTRY_KIND_GRANT: _ClassVar[CreditEntryKind]
    CREDIT_ENTRY_KIND_PURCHASE: _ClassVar[CreditEntryKind]
    CREDIT_ENTRY_KIND_SPEND: _ClassVar[CreditEntryKind]
    CREDIT_ENTRY_KIND_REFUND: _ClassVar[CreditEntryKind]
    CREDIT_ENTRY_KIND_EXPIRE: _ClassVar[CreditEntryKind]
    CREDIT_ENTRY_KIND_ADJUST: _ClassVar[CreditEntryKind]
    CREDIT_ENTRY_KIND_PURCHASE_REVERSAL: _ClassVar[CreditEntryKind]

class WebhookOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEBHOOK_OUTCOME_UNSPECIFIED: _ClassVar[WebhookOutcome]
    WEBHOOK_OUTCOME_PROCESSED: _ClassVar[WebhookOutcome]
    WEBHOOK_OUTCOME_IGNORED: _ClassVar[WebhookOutcome]
    WEBHOOK_OUTCOME_DUPLICATE: _ClassVar[WebhookOutcome]
    WEBHOOK_OUTCOME_FAILED: _ClassVar[WebhookOutcome]

class SubscriptionOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBSCRIPTION_ORDER_UNSPECIFIED: _ClassVar[SubscriptionOrder]
    SUBSCRIPTION_ORDER_CREATE_TIME_DESC: _ClassVar[SubscriptionOrder]
    SUBSCRIPTION_ORDER_CREATE_TIME_ASC: _ClassVar[SubscriptionOrder]
    SUBSCRIPTION_ORDER_PERIOD_END_ASC: _ClassVar[SubscriptionOrder]

class MetricsGranularity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METRICS_GRANULARITY_UNSPECIFIED: _ClassVar[MetricsGranularity]
    METRICS_GRANULARITY_DAY: _ClassVar[MetricsGranularity]
    METRICS_GRANULARITY_WEEK: _ClassVar[MetricsGranularity]
    METRICS_GRANULARITY_MONTH: _ClassVar[MetricsGranularity]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_INSUFFICIENT_CREDITS: ErrorReason
ERROR_REASON_PLAN_REQUIRED: ErrorReason
ERROR_REASON_NO_SUBSCRIPTION: ErrorReason
ERROR_REASON_SUBSCRIPTION_ALREADY_ACTIVE: ErrorReason
ERROR_REASON_SUBSCRIPTION_NOT_CANCELABLE: ErrorReason
ERROR_REASON_PAYMENT_PROVIDER_UNAVAILABLE: ErrorReason
ERROR_REASON_SIGNATURE_INVALID: ErrorReason
ERROR_REASON_EVENT_TOO_OLD: ErrorReason
ERROR_REASON_UNKNOWN_PLAN: ErrorReason
ERROR_REASON_REFUND_EXCEEDS_SPEND: ErrorReason
ERROR_REASON_UNKNOWN_CREDIT_PACK: ErrorReason
ERROR_REASON_SUBSCRIPTION_NOT_RESUMABLE: ErrorReason
ERROR_REASON_ALREADY_ON_PLAN: ErrorReason
ERROR_REASON_SUBSCRIPTION_NOT_CHANGEABLE: ErrorReason
ERROR_REASON_PAYMENT_DECLINED: ErrorReason
ERROR_REASON_PAYMENT_ACTION_REQUIRED: ErrorReason
ERROR_REASON_REDIRECT_URL_NOT_ALLOWED: ErrorReason
ERROR_REASON_NO_BILLING_ACCOUNT: ErrorReason
ERROR_REASON_NOT_A_SPEND: ErrorReason
ERROR_REASON_REFUND_EXCEEDS_PAYMENT: ErrorReason
ERROR_REASON_PAYMENT_NOT_REFUNDABLE: ErrorReason
ERROR_REASON_MALFORMED_EVENT: ErrorReason
ERROR_REASON_EVENT_OBJECT_UNKNOWN: ErrorReason
PLAN_TIER_UNSPECIFIED: PlanTier
PLAN_TIER_FREE: PlanTier
PLAN_TIER_BASIC: PlanTier
PLAN_TIER_PREMIUM: PlanTier
BILLING_INTERVAL_UNSPECIFIED: BillingInterval
BILLING_INTERVAL_MONTH: BillingInterval
BILLING_INTERVAL_YEAR: BillingInterval
VIDEO_QUALITY_UNSPECIFIED: VideoQuality
VIDEO_QUALITY_480P: VideoQuality
VIDEO_QUALITY_720P: VideoQuality
VIDEO_QUALITY_1080P: VideoQuality
VIDEO_QUALITY_2160P: VideoQuality
SUBSCRIPTION_STATUS_UNSPECIFIED: SubscriptionStatus
SUBSCRIPTION_STATUS_INCOMPLETE: SubscriptionStatus
SUBSCRIPTION_STATUS_INCOMPLETE_EXPIRED: SubscriptionStatus
SUBSCRIPTION_STATUS_TRIALING: SubscriptionStatus
SUBSCRIPTION_STATUS_ACTIVE: SubscriptionStatus
SUBSCRIPTION_STATUS_PAST_DUE: SubscriptionStatus
SUBSCRIPTION_STATUS_UNPAID: SubscriptionStatus
SUBSCRIPTION_STATUS_CANCELED: SubscriptionStatus
SUBSCRIPTION_STATUS_PAUSED: SubscriptionStatus
CANCEL_MODE_UNSPECIFIED: CancelMode
CANCEL_MODE_AT_PERIOD_END: CancelMode
CANCEL_MODE_IMMEDIATELY: CancelMode
CANCELLATION_FEEDBACK_UNSPECIFIED: CancellationFeedback
CANCELLATION_FEEDBACK_TOO_EXPENSIVE: CancellationFeedback
CANCELLATION_FEEDBACK_MISSING_FEATURES: CancellationFeedback
CANCELLATION_FEEDBACK_SWITCHED_SERVICE: CancellationFeedback
CANCELLATION_FEEDBACK_UNUSED: CancellationFeedback
CANCELLATION_FEEDBACK_CUSTOMER_SERVICE: CancellationFeedback
CANCELLATION_FEEDBACK_TOO_COMPLEX: CancellationFeedback
CANCELLATION_FEEDBACK_LOW_QUALITY: CancellationFeedback
CANCELLATION_FEEDBACK_OTHER: CancellationFeedback
CANCELLATION_SOURCE_UNSPECIFIED: CancellationSource
CANCELLATION_SOURCE_USER: CancellationSource
CANCELLATION_SOURCE_ADMIN: CancellationSource
CANCELLATION_SOURCE_PAYMENT_FAILED: CancellationSource
CANCELLATION_SOURCE_PAYMENT_DISPUTED: CancellationSource
CHANGE_TIMING_UNSPECIFIED: ChangeTiming
CHANGE_TIMING_IMMEDIATELY: ChangeTiming
CHANGE_TIMING_AT_PERIOD_END: ChangeTiming
PRORATION_BEHAVIOR_UNSPECIFIED: ProrationBehavior
PRORATION_BEHAVIOR_ALWAYS_INVOICE: ProrationBehavior
PRORATION_BEHAVIOR_CREATE_PRORATIONS: ProrationBehavior
PRORATION_BEHAVIOR_NONE: ProrationBehavior
CHECKOUT_MODE_UNSPECIFIED: CheckoutMode
CHECKOUT_MODE_SUBSCRIPTION: CheckoutMode
CHECKOUT_MODE_PAYMENT: CheckoutMode
CHECKOUT_UI_MODE_UNSPECIFIED: CheckoutUiMode
CHECKOUT_UI_MODE_HOSTED: CheckoutUiMode
CHECKOUT_UI_MODE_EMBEDDED: CheckoutUiMode
CHECKOUT_SESSION_STATE_UNSPECIFIED: CheckoutSessionState
CHECKOUT_SESSION_STATE_OPEN: CheckoutSessionState
CHECKOUT_SESSION_STATE_COMPLETE: CheckoutSessionState
CHECKOUT_SESSION_STATE_EXPIRED: CheckoutSessionState
PORTAL_FLOW_UNSPECIFIED: PortalFlow
PORTAL_FLOW_PAYMENT_METHOD_UPDATE: PortalFlow
PORTAL_FLOW_SUBSCRIPTION_CANCEL: PortalFlow
PORTAL_FLOW_SUBSCRIPTION_UPDATE: PortalFlow
PAYMENT_KIND_UNSPECIFIED: PaymentKind
PAYMENT_KIND_SUBSCRIPTION_START: PaymentKind
PAYMENT_KIND_SUBSCRIPTION_RENEWAL: PaymentKind
PAYMENT_KIND_SUBSCRIPTION_CHANGE: PaymentKind
PAYMENT_KIND_CREDIT_PACK: PaymentKind
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
PAYMENT_STATUS_PENDING: PaymentStatus
PAYMENT_STATUS_REQUIRES_ACTION: PaymentStatus
PAYMENT_STATUS_SUCCEEDED: PaymentStatus
PAYMENT_STATUS_FAILED: PaymentStatus
PAYMENT_STATUS_PARTIALLY_REFUNDED: PaymentStatus
PAYMENT_STATUS_REFUNDED: PaymentStatus
PAYMENT_STATUS_DISPUTED: PaymentStatus
REFUND_REASON_UNSPECIFIED: RefundReason
REFUND_REASON_DUPLICATE: RefundReason
REFUND_REASON_FRAUDULENT: RefundReason
REFUND_REASON_REQUESTED_BY_CUSTOMER: RefundReason
CREDIT_ENTRY_KIND_UNSPECIFIED: CreditEntryKind
CREDIT_ENTRY_KIND_GRANT: CreditEntryKind
CREDIT_ENTRY_KIND_PURCHASE: CreditEntryKind
CREDIT_ENTRY_KIND_SPEND: CreditEntryKind
CREDIT_ENTRY_KIND_REFUND: CreditEntryKind
CREDIT_ENTRY_KIND_EXPIRE: CreditEntryKind
CREDIT_ENTRY_KIND_ADJUST: CreditEntryKind
CREDIT_ENTRY_KIND_PURCHASE_REVERSAL: CreditEntryKind
WEBHOOK_OUTCOME_UNSPECIFIED: WebhookOutcome
WEBHOOK_OUTCOME_PROCESSED: WebhookOutcome
WEBHOOK_OUTCOME_IGNORED: WebhookOutcome
WEBHOOK_OUTCOME_DUPLICATE: WebhookOutcome
WEBHOOK_OUTCOME_FAILED: WebhookOutcome
SUBSCRIPTION_ORDER_UNSPECIFIED: SubscriptionOrder
SUBSCRIPTION_ORDER_CREATE_TIME_DESC: SubscriptionOrder
SUBSCRIPTION_ORDER_CREATE_TIME_ASC: SubscriptionOrder
SUBSCRIPTION_ORDER_PERIOD_END_ASC: SubscriptionOrder
METRICS_GRANULARITY_UNSPECIFIED: MetricsGranularity
METRICS_GRANULARITY_DAY: MetricsGranularity
METRICS_GRANULARITY_WEEK: MetricsGranularity
METRICS_GRANULARITY_MONTH: MetricsGranularity

class EntitlementValues(_message.Message):
    __slots__ = ("content_access_level", "max_video_quality", "max_concurrent_streams", "ads_enabled", "downloads_allowed", "max_downloads", "download_validity", "early_access", "extras_access", "chat_messages_per_day", "monthly_credits")
    CONTENT_ACCESS_LEVEL_FIELD_NUMBER: _ClassVar[int]
    MAX_VIDEO_QUALITY_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_STREAMS_FIELD_NUMBER: _ClassVar[int]
    ADS_ENABLED_FIELD_NUMBER: _ClassVar[int]
    DOWNLOADS_ALLOWED_FIELD_NUMBER: _ClassVar[int]
    MAX_DOWNLOADS_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_VALIDITY_FIELD_NUMBER: _ClassVar[int]
    EARLY_ACCESS_FIELD_NUMBER: _ClassVar[int]
    EXTRAS_ACCESS_FIELD_NUMBER: _ClassVar[int]
    CHAT_MESSAGES_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_CREDITS_FIELD_NUMBER: _ClassVar[int]
    content_access_level: PlanTier
    max_video_quality: VideoQuality
    max_concurrent_streams: int
    ads_enabled: bool
    downloads_allowed: bool
    max_downloads: int
    download_validity: _duration_pb2.Duration
    early_access: bool
    extras_access: bool
    chat_messages_per_day: int
    monthly_credits: int
    def __init__(self, content_access_level: _Optional[_Union[PlanTier, str]] = ..., max_video_quality: _Optional[_Union[VideoQuality, str]] = ..., max_concurrent_streams: _Optional[int] = ..., ads_enabled: bool = ..., downloads_allowed: bool = ..., max_downloads: _Optional[int] = ..., download_validity: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., early_access: bool = ..., extras_access: bool = ..., chat_messages_per_day: _Optional[int] = ..., monthly_credits: _Optional[int] = ...) -> None: ...

class PlanPrice(_message.Message):
    __slots__ = ("interval", "amount", "trial_period_days", "monthly_equivalent", "provider_price_id")
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TRIAL_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_EQUIVALENT_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_PRICE_ID_FIELD_NUMBER: _ClassVar[int]
    interval: BillingInterval
    amount: _money_pb2.Money
    trial_period_days: int
    monthly_equivalent: _money_pb2.Money
    provider_price_id: str
    def __init__(self, interval: _Optional[_Union[BillingInterval, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., trial_period_days: _Optional[int] = ..., monthly_equivalent: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., provider_price_id: _Optional[str] = ...) -> None: ...

class Plan(_message.Message):
    __slots__ = ("name", "tier", "display_name", "description", "prices", "features", "entitlements", "highlighted", "etag", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PRICES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ENTITLEMENTS_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTED_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    tier: PlanTier
    display_name: str
    description: str
    prices: _containers.RepeatedCompositeFieldContainer[PlanPrice]
    features: _containers.RepeatedScalarFieldContainer[str]
    entitlements: EntitlementValues
    highlighted: bool
    etag: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., tier: _Optional[_Union[PlanTier, str]] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., prices: _Optional[_Iterable[_Union[PlanPrice, _Mapping]]] = ..., features: _Optional[_Iterable[str]] = ..., entitlements: _Optional[_Union[EntitlementValues, _Mapping]] = ..., highlighted: bool = ..., etag: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreditPack(_message.Message):
    __slots__ = ("name", "display_name", "credits", "price", "unit_price", "required_plan", "active", "sort_order", "etag", "provider_price_id", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_PLAN_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_PRICE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    credits: int
    price: _money_pb2.Money
    unit_price: _money_pb2.Money
    required_plan: str
    active: bool
    sort_order: int
    etag: str
    provider_price_id: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., credits: _Optional[int] = ..., price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., unit_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., required_plan: _Optional[str] = ..., active: bool = ..., sort_order: _Optional[int] = ..., etag: _Optional[str] = ..., provider_price_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlanSelection(_message.Message):
    __slots__ = ("plan", "interval")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    plan: str
    interval: BillingInterval
    def __init__(self, plan: _Optional[str] = ..., interval: _Optional[_Union[BillingInterval, str]] = ...) -> None: ...

class CheckoutSession(_message.Message):
    __slots__ = ("name", "subscription_plan", "credit_pack", "mode", "ui_mode", "success_url", "cancel_url", "return_url", "allow_promotion_codes", "expire_time", "url", "client_secret", "state", "fulfilled", "amount_total", "trial_period_days", "subscription", "payment", "create_time", "complete_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_PLAN_FIELD_NUMBER: _ClassVar[int]
    CREDIT_PACK_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    UI_MODE_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_URL_FIELD_NUMBER: _ClassVar[int]
    CANCEL_URL_FIELD_NUMBER: _ClassVar[int]
    RETURN_URL_FIELD_NUMBER: _ClassVar[int]
    ALLOW_PROMOTION_CODES_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FULFILLED_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TRIAL_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    subscription_plan: PlanSelection
    credit_pack: str
    mode: CheckoutMode
    ui_mode: CheckoutUiMode
    success_url: str
    cancel_url: str
    return_url: str
    allow_promotion_codes: bool
    expire_time: _timestamp_pb2.Timestamp
    url: str
    client_secret: str
    state: CheckoutSessionState
    fulfilled: bool
    amount_total: _money_pb2.Money
    trial_period_days: int
    subscription: str
    payment: str
    create_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., subscription_plan: _Optional[_Union[PlanSelection, _Mapping]] = ..., credit_pack: _Optional[str] = ..., mode: _Optional[_Union[CheckoutMode, str]] = ..., ui_mode: _Optional[_Union[CheckoutUiMode, str]] = ..., success_url: _Optional[str] = ..., cancel_url: _Optional[str] = ..., return_url: _Optional[str] = ..., allow_promotion_codes: bool = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., url: _Optional[str] = ..., client_secret: _Optional[str] = ..., state: _Optional[_Union[CheckoutSessionState, str]] = ..., fulfilled: bool = ..., amount_total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., trial_period_days: _Optional[int] = ..., subscription: _Optional[str] = ..., payment: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PortalSession(_message.Message):
    __slots__ = ("return_url", "flow", "url", "expire_time")
    RETURN_URL_FIELD_NUMBER: _ClassVar[int]
    FLOW_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    return_url: str
    flow: PortalFlow
    url: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, return_url: _Optional[str] = ..., flow: _Optional[_Union[PortalFlow, str]] = ..., url: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentMethodSummary(_message.Message):
    __slots__ = ("type", "brand", "last4", "exp_month", "exp_year", "wallet")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    LAST4_FIELD_NUMBER: _ClassVar[int]
    EXP_MONTH_FIELD_NUMBER: _ClassVar[int]
    EXP_YEAR_FIELD_NUMBER: _ClassVar[int]
    WALLET_FIELD_NUMBER: _ClassVar[int]
    type: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    wallet: str
    def __init__(self, type: _Optional[str] = ..., brand: _Optional[str] = ..., last4: _Optional[str] = ..., exp_month: _Optional[int] = ..., exp_year: _Optional[int] = ..., wallet: _Optional[str] = ...) -> None: ...

class Cancellation(_message.Message):
    __slots__ = ("source", "feedback", "comment", "request_time")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIME_FIELD_NUMBER: _ClassVar[int]
    source: CancellationSource
    feedback: CancellationFeedback
    comment: str
    request_time: _timestamp_pb2.Timestamp
    def __init__(self, source: _Optional[_Union[CancellationSource, str]] = ..., feedback: _Optional[_Union[CancellationFeedback, str]] = ..., comment: _Optional[str] = ..., request_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PendingPlanChange(_message.Message):
    __slots__ = ("plan", "interval", "price", "effective_time")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    plan: str
    interval: BillingInterval
    price: _money_pb2.Money
    effective_time: _timestamp_pb2.Timestamp
    def __init__(self, plan: _Optional[str] = ..., interval: _Optional[_Union[BillingInterval, str]] = ..., price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., effective_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Subscription(_message.Message):
    __slots__ = ("name", "plan", "tier", "interval", "status", "price", "start_time", "current_period_start_time", "current_period_end_time", "cancel_at_period_end", "cancel_time", "end_time", "cancellation", "trial_start_time", "trial_end_time", "pending_change", "next_invoice_amount", "next_invoice_time", "grace_period_end_time", "default_payment_method", "latest_payment", "create_time", "update_time", "provider_customer_id", "provider_subscription_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    CANCEL_AT_PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_FIELD_NUMBER: _ClassVar[int]
    TRIAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    TRIAL_END_TIME_FIELD_NUMBER: _ClassVar[int]
    PENDING_CHANGE_FIELD_NUMBER: _ClassVar[int]
    NEXT_INVOICE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_INVOICE_TIME_FIELD_NUMBER: _ClassVar[int]
    GRACE_PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    LATEST_PAYMENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    plan: str
    tier: PlanTier
    interval: BillingInterval
    status: SubscriptionStatus
    price: _money_pb2.Money
    start_time: _timestamp_pb2.Timestamp
    current_period_start_time: _timestamp_pb2.Timestamp
    current_period_end_time: _timestamp_pb2.Timestamp
    cancel_at_period_end: bool
    cancel_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    cancellation: Cancellation
    trial_start_time: _timestamp_pb2.Timestamp
    trial_end_time: _timestamp_pb2.Timestamp
    pending_change: PendingPlanChange
    next_invoice_amount: _money_pb2.Money
    next_invoice_time: _timestamp_pb2.Timestamp
    grace_period_end_time: _timestamp_pb2.Timestamp
    default_payment_method: PaymentMethodSummary
    latest_payment: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    provider_customer_id: str
    provider_subscription_id: str
    def __init__(self, name: _Optional[str] = ..., plan: _Optional[str] = ..., tier: _Optional[_Union[PlanTier, str]] = ..., interval: _Optional[_Union[BillingInterval, str]] = ..., status: _Optional[_Union[SubscriptionStatus, str]] = ..., price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., current_period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., current_period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_at_period_end: bool = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancellation: _Optional[_Union[Cancellation, _Mapping]] = ..., trial_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., trial_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pending_change: _Optional[_Union[PendingPlanChange, _Mapping]] = ..., next_invoice_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., next_invoice_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., grace_period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., default_payment_method: _Optional[_Union[PaymentMethodSummary, _Mapping]] = ..., latest_payment: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provider_customer_id: _Optional[str] = ..., provider_subscription_id: _Optional[str] = ...) -> None: ...

class ProrationPreview(_message.Message):
    __slots__ = ("amount_due_now", "unused_time_credit", "remaining_time_charge", "next_invoice_amount", "next_invoice_time", "effective_time")
    AMOUNT_DUE_NOW_FIELD_NUMBER: _ClassVar[int]
    UNUSED_TIME_CREDIT_FIELD_NUMBER: _ClassVar[int]
    REMAINING_TIME_CHARGE_FIELD_NUMBER: _ClassVar[int]
    NEXT_INVOICE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_INVOICE_TIME_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    amount_due_now: _money_pb2.Money
    unused_time_credit: _money_pb2.Money
    remaining_time_charge: _money_pb2.Money
    next_invoice_amount: _money_pb2.Money
    next_invoice_time: _timestamp_pb2.Timestamp
    effective_time: _timestamp_pb2.Timestamp
    def __init__(self, amount_due_now: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., unused_time_credit: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., remaining_time_charge: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., next_invoice_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., next_invoice_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., effective_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("name", "kind", "status", "amount", "amount_refunded", "description", "plan", "interval", "period_start_time", "period_end_time", "credit_pack", "credits", "invoice_number", "invoice_url", "invoice_pdf_url", "receipt_url", "payment_method", "failure_message", "failure_code", "create_time", "paid_time", "refund_time", "provider_payment_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    CREDIT_PACK_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    INVOICE_URL_FIELD_NUMBER: _ClassVar[int]
    INVOICE_PDF_URL_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_URL_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_CODE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_TIME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: PaymentKind
    status: PaymentStatus
    amount: _money_pb2.Money
    amount_refunded: _money_pb2.Money
    description: str
    plan: str
    interval: BillingInterval
    period_start_time: _timestamp_pb2.Timestamp
    period_end_time: _timestamp_pb2.Timestamp
    credit_pack: str
    credits: int
    invoice_number: str
    invoice_url: str
    invoice_pdf_url: str
    receipt_url: str
    payment_method: PaymentMethodSummary
    failure_message: str
    failure_code: str
    create_time: _timestamp_pb2.Timestamp
    paid_time: _timestamp_pb2.Timestamp
    refund_time: _timestamp_pb2.Timestamp
    provider_payment_id: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[PaymentKind, str]] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., amount_refunded: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., description: _Optional[str] = ..., plan: _Optional[str] = ..., interval: _Optional[_Union[BillingInterval, str]] = ..., period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., credit_pack: _Optional[str] = ..., credits: _Optional[int] = ..., invoice_number: _Optional[str] = ..., invoice_url: _Optional[str] = ..., invoice_pdf_url: _Optional[str] = ..., receipt_url: _Optional[str] = ..., payment_method: _Optional[_Union[PaymentMethodSummary, _Mapping]] = ..., failure_message: _Optional[str] = ..., failure_code: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provider_payment_id: _Optional[str] = ...) -> None: ...

class CreditBalance(_message.Message):
    __slots__ = ("name", "balance", "expiring_credits", "next_expire_time", "monthly_credits", "next_grant_time", "lifetime_granted", "lifetime_purchased", "lifetime_spent", "low_balance", "low_balance_threshold", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    EXPIRING_CREDITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_CREDITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_GRANT_TIME_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_GRANTED_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_PURCHASED_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_SPENT_FIELD_NUMBER: _ClassVar[int]
    LOW_BALANCE_FIELD_NUMBER: _ClassVar[int]
    LOW_BALANCE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    balance: int
    expiring_credits: int
    next_expire_time: _timestamp_pb2.Timestamp
    monthly_credits: int
    next_grant_time: _timestamp_pb2.Timestamp
    lifetime_granted: int
    lifetime_purchased: int
    lifetime_spent: int
    low_balance: bool
    low_balance_threshold: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., balance: _Optional[int] = ..., expiring_credits: _Optional[int] = ..., next_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., monthly_credits: _Optional[int] = ..., next_grant_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lifetime_granted: _Optional[int] = ..., lifetime_purchased: _Optional[int] = ..., lifetime_spent: _Optional[int] = ..., low_balance: bool = ..., low_balance_threshold: _Optional[int] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreditLedgerEntry(_message.Message):
    __slots__ = ("name", "kind", "delta", "balance_after", "reason", "reference", "request_id", "actor", "payment", "credit_pack", "spend_entry", "refunded_credits", "expire_time", "metadata", "create_time")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    BALANCE_AFTER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_PACK_FIELD_NUMBER: _ClassVar[int]
    SPEND_ENTRY_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_CREDITS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: CreditEntryKind
    delta: int
    balance_after: int
    reason: str
    reference: str
    request_id: str
    actor: str
    payment: str
    credit_pack: str
    spend_entry: str
    refunded_credits: int
    expire_time: _timestamp_pb2.Timestamp
    metadata: _containers.ScalarMap[str, str]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[CreditEntryKind, str]] = ..., delta: _Optional[int] = ..., balance_after: _Optional[int] = ..., reason: _Optional[str] = ..., reference: _Optional[str] = ..., request_id: _Optional[str] = ..., actor: _Optional[str] = ..., payment: _Optional[str] = ..., credit_pack: _Optional[str] = ..., spend_entry: _Optional[str] = ..., refunded_credits: _Optional[int] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Entitlements(_message.Message):
    __slots__ = ("name", "plan", "tier", "subscription_status", "values", "in_grace_period", "plan_end_time", "compute_time", "max_age", "expire_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    IN_GRACE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    PLAN_END_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_AGE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    plan: str
    tier: PlanTier
    subscription_status: SubscriptionStatus
    values: EntitlementValues
    in_grace_period: bool
    plan_end_time: _timestamp_pb2.Timestamp
    compute_time: _timestamp_pb2.Timestamp
    max_age: _duration_pb2.Duration
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., plan: _Optional[str] = ..., tier: _Optional[_Union[PlanTier, str]] = ..., subscription_status: _Optional[_Union[SubscriptionStatus, str]] = ..., values: _Optional[_Union[EntitlementValues, _Mapping]] = ..., in_grace_period: bool = ..., plan_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WebhookEvent(_message.Message):
    __slots__ = ("name", "type", "outcome", "user", "livemode", "event_create_time", "receive_time", "process_time", "delivery_count", "error")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    LIVEMODE_FIELD_NUMBER: _ClassVar[int]
    EVENT_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROCESS_TIME_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    outcome: WebhookOutcome
    user: str
    livemode: bool
    event_create_time: _timestamp_pb2.Timestamp
    receive_time: _timestamp_pb2.Timestamp
    process_time: _timestamp_pb2.Timestamp
    delivery_count: int
    error: _status_pb2.Status
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., outcome: _Optional[_Union[WebhookOutcome, str]] = ..., user: _Optional[str] = ..., livemode: bool = ..., event_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., process_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivery_count: _Optional[int] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class PlanMetrics(_message.Message):
    __slots__ = ("plan", "interval", "active_subscriptions", "trialing_subscriptions", "mrr")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    TRIALING_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    MRR_FIELD_NUMBER: _ClassVar[int]
    plan: str
    interval: BillingInterval
    active_subscriptions: int
    trialing_subscriptions: int
    mrr: _money_pb2.Money
    def __init__(self, plan: _Optional[str] = ..., interval: _Optional[_Union[BillingInterval, str]] = ..., active_subscriptions: _Optional[int] = ..., trialing_subscriptions: _Optional[int] = ..., mrr: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class RevenueBucket(_message.Message):
    __slots__ = ("start_date", "end_date", "mrr", "active_subscriptions", "new_subscriptions", "canceled_subscriptions", "subscription_revenue", "credit_revenue", "net_revenue")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    MRR_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    NEW_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    CANCELED_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_REVENUE_FIELD_NUMBER: _ClassVar[int]
    CREDIT_REVENUE_FIELD_NUMBER: _ClassVar[int]
    NET_REVENUE_FIELD_NUMBER: _ClassVar[int]
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    mrr: _money_pb2.Money
    active_subscriptions: int
    new_subscriptions: int
    canceled_subscriptions: int
    subscription_revenue: _money_pb2.Money
    credit_revenue: _money_pb2.Money
    net_revenue: _money_pb2.Money
    def __init__(self, start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., mrr: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., active_subscriptions: _Optional[int] = ..., new_subscriptions: _Optional[int] = ..., canceled_subscriptions: _Optional[int] = ..., subscription_revenue: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., credit_revenue: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., net_revenue: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class RevenueMetrics(_message.Message):
    __slots__ = ("mrr", "arr", "mrr_at_start", "active_subscriptions", "trialing_subscriptions", "plans", "arpu", "ltv", "churn_rate", "new_subscriptions", "canceled_subscriptions", "pending_cancellations", "upgrades", "downgrades", "trial_conversion_rate", "subscription_revenue", "credit_revenue", "refunds", "net_revenue", "credits_sold", "credits_spent", "payment_success_rate", "failed_payments", "series", "compute_time")
    MRR_FIELD_NUMBER: _ClassVar[int]
    ARR_FIELD_NUMBER: _ClassVar[int]
    MRR_AT_START_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    TRIALING_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    PLANS_FIELD_NUMBER: _ClassVar[int]
    ARPU_FIELD_NUMBER: _ClassVar[int]
    LTV_FIELD_NUMBER: _ClassVar[int]
    CHURN_RATE_FIELD_NUMBER: _ClassVar[int]
    NEW_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    CANCELED_SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    PENDING_CANCELLATIONS_FIELD_NUMBER: _ClassVar[int]
    UPGRADES_FIELD_NUMBER: _ClassVar[int]
    DOWNGRADES_FIELD_NUMBER: _ClassVar[int]
    TRIAL_CONVERSION_RATE_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_REVENUE_FIELD_NUMBER: _ClassVar[int]
    CREDIT_REVENUE_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    NET_REVENUE_FIELD_NUMBER: _ClassVar[int]
    CREDITS_SOLD_FIELD_NUMBER: _ClassVar[int]
    CREDITS_SPENT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    FAILED_PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    SERIES_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    mrr: _money_pb2.Money
    arr: _money_pb2.Money
    mrr_at_start: _money_pb2.Money
    active_subscriptions: int
    trialing_subscriptions: int
    plans: _containers.RepeatedCompositeFieldContainer[PlanMetrics]
    arpu: _money_pb2.Money
    ltv: _money_pb2.Money
    churn_rate: float
    new_subscriptions: int
    canceled_subscriptions: int
    pending_cancellations: int
    upgrades: int
    downgrades: int
    trial_conversion_rate: float
    subscription_revenue: _money_pb2.Money
    credit_revenue: _money_pb2.Money
    refunds: _money_pb2.Money
    net_revenue: _money_pb2.Money
    credits_sold: int
    credits_spent: int
    payment_success_rate: float
    failed_payments: int
    series: _containers.RepeatedCompositeFieldContainer[RevenueBucket]
    compute_time: _timestamp_pb2.Timestamp
    def __init__(self, mrr: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., arr: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., mrr_at_start: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., active_subscriptions: _Optional[int] = ..., trialing_subscriptions: _Optional[int] = ..., plans: _Optional[_Iterable[_Union[PlanMetrics, _Mapping]]] = ..., arpu: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., ltv: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., churn_rate: _Optional[float] = ..., new_subscriptions: _Optional[int] = ..., canceled_subscriptions: _Optional[int] = ..., pending_cancellations: _Optional[int] = ..., upgrades: _Optional[int] = ..., downgrades: _Optional[int] = ..., trial_conversion_rate: _Optional[float] = ..., subscription_revenue: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., credit_revenue: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., refunds: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., net_revenue: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., credits_sold: _Optional[int] = ..., credits_spent: _Optional[int] = ..., payment_success_rate: _Optional[float] = ..., failed_payments: _Optional[int] = ..., series: _Optional[_Iterable[_Union[RevenueBucket, _Mapping]]] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListPlansRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPlansResponse(_message.Message):
    __slots__ = ("plans", "next_page_token")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[Plan]
    next_page_token: str
    def __init__(self, plans: _Optional[_Iterable[_Union[Plan, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetPlanRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetPlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: Plan
    def __init__(self, plan: _Optional[_Union[Plan, _Mapping]] = ...) -> None: ...

class UpdatePlanRequest(_message.Message):
    __slots__ = ("plan", "update_mask")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    plan: Plan
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, plan: _Optional[_Union[Plan, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdatePlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: Plan
    def __init__(self, plan: _Optional[_Union[Plan, _Mapping]] = ...) -> None: ...

class ListCreditPacksRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "show_inactive")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SHOW_INACTIVE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    show_inactive: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., show_inactive: bool = ...) -> None: ...

class ListCreditPacksResponse(_message.Message):
    __slots__ = ("credit_packs", "next_page_token")
    CREDIT_PACKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    credit_packs: _containers.RepeatedCompositeFieldContainer[CreditPack]
    next_page_token: str
    def __init__(self, credit_packs: _Optional[_Iterable[_Union[CreditPack, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateCreditPackRequest(_message.Message):
    __slots__ = ("credit_pack_id", "credit_pack", "request_id")
    CREDIT_PACK_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_PACK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    credit_pack_id: str
    credit_pack: CreditPack
    request_id: str
    def __init__(self, credit_pack_id: _Optional[str] = ..., credit_pack: _Optional[_Union[CreditPack, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateCreditPackResponse(_message.Message):
    __slots__ = ("credit_pack",)
    CREDIT_PACK_FIELD_NUMBER: _ClassVar[int]
    credit_pack: CreditPack
    def __init__(self, credit_pack: _Optional[_Union[CreditPack, _Mapping]] = ...) -> None: ...

class UpdateCreditPackRequest(_message.Message):
    __slots__ = ("credit_pack", "update_mask")
    CREDIT_PACK_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    credit_pack: CreditPack
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, credit_pack: _Optional[_Union[CreditPack, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateCreditPackResponse(_message.Message):
    __slots__ = ("credit_pack",)
    CREDIT_PACK_FIELD_NUMBER: _ClassVar[int]
    credit_pack: CreditPack
    def __init__(self, credit_pack: _Optional[_Union[CreditPack, _Mapping]] = ...) -> None: ...

class CreateCheckoutSessionRequest(_message.Message):
    __slots__ = ("parent", "checkout_session", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CHECKOUT_SESSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    checkout_session: CheckoutSession
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., checkout_session: _Optional[_Union[CheckoutSession, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateCheckoutSessionResponse(_message.Message):
    __slots__ = ("checkout_session",)
    CHECKOUT_SESSION_FIELD_NUMBER: _ClassVar[int]
    checkout_session: CheckoutSession
    def __init__(self, checkout_session: _Optional[_Union[CheckoutSession, _Mapping]] = ...) -> None: ...

class GetCheckoutSessionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCheckoutSessionResponse(_message.Message):
    __slots__ = ("checkout_session",)
    CHECKOUT_SESSION_FIELD_NUMBER: _ClassVar[int]
    checkout_session: CheckoutSession
    def __init__(self, checkout_session: _Optional[_Union[CheckoutSession, _Mapping]] = ...) -> None: ...

class CreatePortalSessionRequest(_message.Message):
    __slots__ = ("parent", "portal_session")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PORTAL_SESSION_FIELD_NUMBER: _ClassVar[int]
    parent: str
    portal_session: PortalSession
    def __init__(self, parent: _Optional[str] = ..., portal_session: _Optional[_Union[PortalSession, _Mapping]] = ...) -> None: ...

class CreatePortalSessionResponse(_message.Message):
    __slots__ = ("portal_session",)
    PORTAL_SESSION_FIELD_NUMBER: _ClassVar[int]
    portal_session: PortalSession
    def __init__(self, portal_session: _Optional[_Union[PortalSession, _Mapping]] = ...) -> None: ...

class GetSubscriptionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetSubscriptionResponse(_message.Message):
    __slots__ = ("subscription",)
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    subscription: Subscription
    def __init__(self, subscription: _Optional[_Union[Subscription, _Mapping]] = ...) -> None: ...

class CancelSubscriptionRequest(_message.Message):
    __slots__ = ("name", "mode", "feedback", "comment", "refund_unused_time", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    REFUND_UNUSED_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    mode: CancelMode
    feedback: CancellationFeedback
    comment: str
    refund_unused_time: bool
    request_id: str
    def __init__(self, name: _Optional[str] = ..., mode: _Optional[_Union[CancelMode, str]] = ..., feedback: _Optional[_Union[CancellationFeedback, str]] = ..., comment: _Optional[str] = ..., refund_unused_time: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class CancelSubscriptionResponse(_message.Message):
    __slots__ = ("subscription",)
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    subscription: Subscription
    def __init__(self, subscription: _Optional[_Union[Subscription, _Mapping]] = ...) -> None: ...

class ResumeSubscriptionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ResumeSubscriptionResponse(_message.Message):
    __slots__ = ("subscription",)
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    subscription: Subscription
    def __init__(self, subscription: _Optional[_Union[Subscription, _Mapping]] = ...) -> None: ...

class ChangeSubscriptionPlanRequest(_message.Message):
    __slots__ = ("name", "target", "timing", "proration_behavior", "validate_only", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    PRORATION_BEHAVIOR_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    target: PlanSelection
    timing: ChangeTiming
    proration_behavior: ProrationBehavior
    validate_only: bool
    request_id: str
    def __init__(self, name: _Optional[str] = ..., target: _Optional[_Union[PlanSelection, _Mapping]] = ..., timing: _Optional[_Union[ChangeTiming, str]] = ..., proration_behavior: _Optional[_Union[ProrationBehavior, str]] = ..., validate_only: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class ChangeSubscriptionPlanResponse(_message.Message):
    __slots__ = ("subscription", "proration", "payment")
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PRORATION_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    subscription: Subscription
    proration: ProrationPreview
    payment: str
    def __init__(self, subscription: _Optional[_Union[Subscription, _Mapping]] = ..., proration: _Optional[_Union[ProrationPreview, _Mapping]] = ..., payment: _Optional[str] = ...) -> None: ...

class SubscriptionFilter(_message.Message):
    __slots__ = ("plans", "statuses", "interval", "cancel_at_period_end", "create_start_time", "create_end_time")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    CANCEL_AT_PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    CREATE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedScalarFieldContainer[str]
    statuses: _containers.RepeatedScalarFieldContainer[SubscriptionStatus]
    interval: BillingInterval
    cancel_at_period_end: bool
    create_start_time: _timestamp_pb2.Timestamp
    create_end_time: _timestamp_pb2.Timestamp
    def __init__(self, plans: _Optional[_Iterable[str]] = ..., statuses: _Optional[_Iterable[_Union[SubscriptionStatus, str]]] = ..., interval: _Optional[_Union[BillingInterval, str]] = ..., cancel_at_period_end: bool = ..., create_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSubscriptionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: SubscriptionFilter
    order_by: SubscriptionOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[_Union[SubscriptionFilter, _Mapping]] = ..., order_by: _Optional[_Union[SubscriptionOrder, str]] = ...) -> None: ...

class ListSubscriptionsResponse(_message.Message):
    __slots__ = ("subscriptions", "next_page_token", "total_size")
    SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    subscriptions: _containers.RepeatedCompositeFieldContainer[Subscription]
    next_page_token: str
    total_size: int
    def __init__(self, subscriptions: _Optional[_Iterable[_Union[Subscription, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListPaymentsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "kinds", "statuses", "start_time", "end_time")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    kinds: _containers.RepeatedScalarFieldContainer[PaymentKind]
    statuses: _containers.RepeatedScalarFieldContainer[PaymentStatus]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[PaymentKind, str]]] = ..., statuses: _Optional[_Iterable[_Union[PaymentStatus, str]]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListPaymentsResponse(_message.Message):
    __slots__ = ("payments", "next_page_token")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    next_page_token: str
    def __init__(self, payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class RefundPaymentRequest(_message.Message):
    __slots__ = ("name", "amount", "reason", "comment", "keep_credits", "cancel_subscription", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    KEEP_CREDITS_FIELD_NUMBER: _ClassVar[int]
    CANCEL_SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    amount: _money_pb2.Money
    reason: RefundReason
    comment: str
    keep_credits: bool
    cancel_subscription: bool
    request_id: str
    def __init__(self, name: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., comment: _Optional[str] = ..., keep_credits: bool = ..., cancel_subscription: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class RefundPaymentResponse(_message.Message):
    __slots__ = ("payment", "reversal_entry")
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    REVERSAL_ENTRY_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    reversal_entry: CreditLedgerEntry
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ..., reversal_entry: _Optional[_Union[CreditLedgerEntry, _Mapping]] = ...) -> None: ...

class GetCreditBalanceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCreditBalanceResponse(_message.Message):
    __slots__ = ("credit_balance",)
    CREDIT_BALANCE_FIELD_NUMBER: _ClassVar[int]
    credit_balance: CreditBalance
    def __init__(self, credit_balance: _Optional[_Union[CreditBalance, _Mapping]] = ...) -> None: ...

class ListCreditLedgerEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "kinds", "reference", "start_time", "end_time")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    kinds: _containers.RepeatedScalarFieldContainer[CreditEntryKind]
    reference: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[CreditEntryKind, str]]] = ..., reference: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListCreditLedgerEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[CreditLedgerEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[CreditLedgerEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCreditLedgerEntryRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCreditLedgerEntryResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: CreditLedgerEntry
    def __init__(self, entry: _Optional[_Union[CreditLedgerEntry, _Mapping]] = ...) -> None: ...

class SpendCreditsRequest(_message.Message):
    __slots__ = ("user", "amount", "reason", "reference", "min_plan", "metadata", "request_id")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    USER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    MIN_PLAN_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    user: str
    amount: int
    reason: str
    reference: str
    min_plan: str
    metadata: _containers.ScalarMap[str, str]
    request_id: str
    def __init__(self, user: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ..., reference: _Optional[str] = ..., min_plan: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SpendCreditsResponse(_message.Message):
    __slots__ = ("entry", "balance")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    entry: CreditLedgerEntry
    balance: int
    def __init__(self, entry: _Optional[_Union[CreditLedgerEntry, _Mapping]] = ..., balance: _Optional[int] = ...) -> None: ...

class RefundCreditsRequest(_message.Message):
    __slots__ = ("user", "spend_entry", "spend_request_id", "amount", "reason", "request_id")
    USER_FIELD_NUMBER: _ClassVar[int]
    SPEND_ENTRY_FIELD_NUMBER: _ClassVar[int]
    SPEND_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    user: str
    spend_entry: str
    spend_request_id: str
    amount: int
    reason: str
    request_id: str
    def __init__(self, user: _Optional[str] = ..., spend_entry: _Optional[str] = ..., spend_request_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RefundCreditsResponse(_message.Message):
    __slots__ = ("entry", "balance")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    entry: CreditLedgerEntry
    balance: int
    def __init__(self, entry: _Optional[_Union[CreditLedgerEntry, _Mapping]] = ..., balance: _Optional[int] = ...) -> None: ...

class GrantCreditsRequest(_message.Message):
    __slots__ = ("user", "amount", "reason", "reference", "expire_time", "request_id")
    USER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    user: str
    amount: int
    reason: str
    reference: str
    expire_time: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, user: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ..., reference: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GrantCreditsResponse(_message.Message):
    __slots__ = ("entry", "balance")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    entry: CreditLedgerEntry
    balance: int
    def __init__(self, entry: _Optional[_Union[CreditLedgerEntry, _Mapping]] = ..., balance: _Optional[int] = ...) -> None: ...

class AdjustCreditsRequest(_message.Message):
    __slots__ = ("user", "delta", "reason", "reference", "allow_negative_balance", "request_id")
    USER_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ALLOW_NEGATIVE_BALANCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    user: str
    delta: int
    reason: str
    reference: str
    allow_negative_balance: bool
    request_id: str
    def __init__(self, user: _Optional[str] = ..., delta: _Optional[int] = ..., reason: _Optional[str] = ..., reference: _Optional[str] = ..., allow_negative_balance: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class AdjustCreditsResponse(_message.Message):
    __slots__ = ("entry", "balance")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    entry: CreditLedgerEntry
    balance: int
    def __init__(self, entry: _Optional[_Union[CreditLedgerEntry, _Mapping]] = ..., balance: _Optional[int] = ...) -> None: ...

class GetEntitlementsRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetEntitlementsResponse(_message.Message):
    __slots__ = ("entitlements",)
    ENTITLEMENTS_FIELD_NUMBER: _ClassVar[int]
    entitlements: Entitlements
    def __init__(self, entitlements: _Optional[_Union[Entitlements, _Mapping]] = ...) -> None: ...

class BatchGetEntitlementsRequest(_message.Message):
    __slots__ = ("names",)
    NAMES_FIELD_NUMBER: _ClassVar[int]
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, names: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetEntitlementsResponse(_message.Message):
    __slots__ = ("entitlements",)
    ENTITLEMENTS_FIELD_NUMBER: _ClassVar[int]
    entitlements: _containers.RepeatedCompositeFieldContainer[Entitlements]
    def __init__(self, entitlements: _Optional[_Iterable[_Union[Entitlements, _Mapping]]] = ...) -> None: ...

class HandleStripeWebhookRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _httpbody_pb2.HttpBody
    def __init__(self, body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class HandleStripeWebhookResponse(_message.Message):
    __slots__ = ("event_id", "event_type", "outcome")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: str
    outcome: WebhookOutcome
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., outcome: _Optional[_Union[WebhookOutcome, str]] = ...) -> None: ...

class ListWebhookEventsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "outcomes", "type", "user", "start_time", "end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    outcomes: _containers.RepeatedScalarFieldContainer[WebhookOutcome]
    type: str
    user: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., outcomes: _Optional[_Iterable[_Union[WebhookOutcome, str]]] = ..., type: _Optional[str] = ..., user: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListWebhookEventsResponse(_message.Message):
    __slots__ = ("webhook_events", "next_page_token")
    WEBHOOK_EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    webhook_events: _containers.RepeatedCompositeFieldContainer[WebhookEvent]
    next_page_token: str
    def __init__(self, webhook_events: _Optional[_Iterable[_Union[WebhookEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetRevenueMetricsRequest(_message.Message):
    __slots__ = ("start_date", "end_date", "granularity", "plans")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    PLANS_FIELD_NUMBER: _ClassVar[int]
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    granularity: MetricsGranularity
    plans: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., granularity: _Optional[_Union[MetricsGranularity, str]] = ..., plans: _Optional[_Iterable[str]] = ...) -> None: ...

class GetRevenueMetricsResponse(_message.Message):
    __slots__ = ("metrics",)
    METRICS_FIELD_NUMBER: _ClassVar[int]
    metrics: RevenueMetrics
    def __init__(self, metrics: _Optional[_Union[RevenueMetrics, _Mapping]] = ...) -> None: ...

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
