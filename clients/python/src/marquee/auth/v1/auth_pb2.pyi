import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
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
    ERROR_REASON_EMAIL_TAKEN: _ClassVar[ErrorReason]
    ERROR_REASON_WEAK_PASSWORD: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_CREDENTIALS: _ClassVar[ErrorReason]
    ERROR_REASON_ACCOUNT_DISABLED: _ClassVar[ErrorReason]
    ERROR_REASON_REFRESH_TOKEN_REUSED: _ClassVar[ErrorReason]
    ERROR_REASON_REFRESH_TOKEN_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_STATE_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_PROVIDER_NOT_CONFIGURED: _ClassVar[ErrorReason]
    ERROR_REASON_PROVIDER_ERROR: _ClassVar[ErrorReason]
    ERROR_REASON_EMAIL_NOT_VERIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_LAST_ADMIN: _ClassVar[ErrorReason]
    ERROR_REASON_SESSION_REVOKED: _ClassVar[ErrorReason]
    ERROR_REASON_DEVICE_LIMIT_REACHED: _ClassVar[ErrorReason]
    ERROR_REASON_REAUTHENTICATION_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_REDIRECT_URI_NOT_ALLOWED: _ClassVar[ErrorReason]
    ERROR_REASON_IDENTITY_ALREADY_LINKED: _ClassVar[ErrorReason]
    ERROR_REASON_LAST_SIGN_IN_METHOD: _ClassVar[ErrorReason]
    ERROR_REASON_VERIFICATION_TOKEN_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_VERIFICATION_TOKEN_EXPIRED: _ClassVar[ErrorReason]
    ERROR_REASON_RESET_TOKEN_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_RESET_TOKEN_EXPIRED: _ClassVar[ErrorReason]
    ERROR_REASON_EMAIL_ALREADY_VERIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_EMAIL_NOT_SET: _ClassVar[ErrorReason]
    ERROR_REASON_PASSWORD_NOT_SET: _ClassVar[ErrorReason]
    ERROR_REASON_REGISTRATION_CLOSED: _ClassVar[ErrorReason]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_USER: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
    ROLE_SERVICE: _ClassVar[Role]

class UserState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    USER_STATE_UNSPECIFIED: _ClassVar[UserState]
    USER_STATE_ACTIVE: _ClassVar[UserState]
    USER_STATE_DISABLED: _ClassVar[UserState]
    USER_STATE_DELETED: _ClassVar[UserState]

class SkillLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SKILL_LEVEL_UNSPECIFIED: _ClassVar[SkillLevel]
    SKILL_LEVEL_BEGINNER: _ClassVar[SkillLevel]
    SKILL_LEVEL_INTERMEDIATE: _ClassVar[SkillLevel]
    SKILL_LEVEL_ADVANCED: _ClassVar[SkillLevel]

class IdentityProvider(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IDENTITY_PROVIDER_UNSPECIFIED: _ClassVar[IdentityProvider]
    IDENTITY_PROVIDER_GOOGLE: _ClassVar[IdentityProvider]
    IDENTITY_PROVIDER_GITHUB: _ClassVar[IdentityProvider]
    IDENTITY_PROVIDER_DISCORD: _ClassVar[IdentityProvider]
    IDENTITY_PROVIDER_FACEBOOK: _ClassVar[IdentityProvider]

class SignInMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIGN_IN_METHOD_UNSPECIFIED: _ClassVar[SignInMethod]
    SIGN_IN_METHOD_PASSWORD: _ClassVar[SignInMethod]
    SIGN_IN_METHOD_SOCIAL: _ClassVar[SignInMethod]

class Platform(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLATFORM_UNSPECIFIED: _ClassVar[Platform]
    PLATFORM_WEB: _ClassVar[Platform]
    PLATFORM_IOS: _ClassVar[Platform]
    PLATFORM_ANDROID: _ClassVar[Platform]
    PLATFORM_TV: _ClassVar[Platform]
    PLATFORM_DESKTOP: _ClassVar[Platform]
    PLATFORM_OTHER: _ClassVar[Platform]

class Theme(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    THEME_UNSPECIFIED: _ClassVar[Theme]
    THEME_SYSTEM: _ClassVar[Theme]
    THEME_LIGHT: _ClassVar[Theme]
    THEME_DARK: _ClassVar[Theme]

class SocialSignInIntent(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOCIAL_SIGN_IN_INTENT_UNSPECIFIED: _ClassVar[SocialSignInIntent]
    SOCIAL_SIGN_IN_INTENT_SIGN_IN: _ClassVar[SocialSignInIntent]
    SOCIAL_SIGN_IN_INTENT_LINK: _ClassVar[SocialSignInIntent]
    SOCIAL_SIGN_IN_INTENT_REAUTHENTICATE: _ClassVar[SocialSignInIntent]

class SocialSignInResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOCIAL_SIGN_IN_RESULT_UNSPECIFIED: _ClassVar[SocialSignInResult]
    SOCIAL_SIGN_IN_RESULT_SIGNED_IN: _ClassVar[SocialSignInResult]
    SOCIAL_SIGN_IN_RESULT_CREATED: _ClassVar[SocialSignInResult]
    SOCIAL_SIGN_IN_RESULT_LINKED_BY_EMAIL: _ClassVar[SocialSignInResult]
    SOCIAL_SIGN_IN_RESULT_LINKED: _ClassVar[SocialSignInResult]
    SOCIAL_SIGN_IN_RESULT_REAUTHENTICATED: _ClassVar[SocialSignInResult]

class UserOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    USER_ORDER_UNSPECIFIED: _ClassVar[UserOrder]
    USER_ORDER_CREATE_TIME_DESC: _ClassVar[UserOrder]
    USER_ORDER_CREATE_TIME_ASC: _ClassVar[UserOrder]
    USER_ORDER_EMAIL: _ClassVar[UserOrder]
    USER_ORDER_LAST_SIGN_IN_TIME_DESC: _ClassVar[UserOrder]

class ServiceErasureState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_ERASURE_STATE_UNSPECIFIED: _ClassVar[ServiceErasureState]
    SERVICE_ERASURE_STATE_PENDING: _ClassVar[ServiceErasureState]
    SERVICE_ERASURE_STATE_CONFIRMED: _ClassVar[ServiceErasureState]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_EMAIL_TAKEN: ErrorReason
ERROR_REASON_WEAK_PASSWORD: ErrorReason
ERROR_REASON_INVALID_CREDENTIALS: ErrorReason
ERROR_REASON_ACCOUNT_DISABLED: ErrorReason
ERROR_REASON_REFRESH_TOKEN_REUSED: ErrorReason
ERROR_REASON_REFRESH_TOKEN_INVALID: ErrorReason
ERROR_REASON_STATE_INVALID: ErrorReason
ERROR_REASON_PROVIDER_NOT_CONFIGURED: ErrorReason
ERROR_REASON_PROVIDER_ERROR: ErrorReason
ERROR_REASON_EMAIL_NOT_VERIFIED: ErrorReason
ERROR_REASON_LAST_ADMIN: ErrorReason
ERROR_REASON_SESSION_REVOKED: ErrorReason
ERROR_REASON_DEVICE_LIMIT_REACHED: ErrorReason
ERROR_REASON_REAUTHENTICATION_REQUIRED: ErrorReason
ERROR_REASON_REDIRECT_URI_NOT_ALLOWED: ErrorReason
ERROR_REASON_IDENTITY_ALREADY_LINKED: ErrorReason
ERROR_REASON_LAST_SIGN_IN_METHOD: ErrorReason
ERROR_REASON_VERIFICATION_TOKEN_INVALID: ErrorReason
ERROR_REASON_VERIFICATION_TOKEN_EXPIRED: ErrorReason
ERROR_REASON_RESET_TOKEN_INVALID: ErrorReason
ERROR_REASON_RESET_TOKEN_EXPIRED: ErrorReason
ERROR_REASON_EMAIL_ALREADY_VERIFIED: ErrorReason
ERROR_REASON_EMAIL_NOT_SET: ErrorReason
ERROR_REASON_PASSWORD_NOT_SET: ErrorReason
ERROR_REASON_REGISTRATION_CLOSED: ErrorReason
ROLE_UNSPECIFIED: Role
ROLE_USER: Role
ROLE_ADMIN: Role
ROLE_SERVICE: Role
USER_STATE_UNSPECIFIED: UserState
USER_STATE_ACTIVE: UserState
USER_STATE_DISABLED: UserState
USER_STATE_DELETED: UserState
SKILL_LEVEL_UNSPECIFIED: SkillLevel
SKILL_LEVEL_BEGINNER: SkillLevel
SKILL_LEVEL_INTERMEDIATE: SkillLevel
SKILL_LEVEL_ADVANCED: SkillLevel
IDENTITY_PROVIDER_UNSPECIFIED: IdentityProvider
IDENTITY_PROVIDER_GOOGLE: IdentityProvider
IDENTITY_PROVIDER_GITHUB: IdentityProvider
IDENTITY_PROVIDER_DISCORD: IdentityProvider
IDENTITY_PROVIDER_FACEBOOK: IdentityProvider
SIGN_IN_METHOD_UNSPECIFIED: SignInMethod
SIGN_IN_METHOD_PASSWORD: SignInMethod
SIGN_IN_METHOD_SOCIAL: SignInMethod
PLATFORM_UNSPECIFIED: Platform
PLATFORM_WEB: Platform
PLATFORM_IOS: Platform
PLATFORM_ANDROID: Platform
PLATFORM_TV: Platform
PLATFORM_DESKTOP: Platform
PLATFORM_OTHER: Platform
THEME_UNSPECIFIED: Theme
THEME_SYSTEM: Theme
THEME_LIGHT: Theme
THEME_DARK: Theme
SOCIAL_SIGN_IN_INTENT_UNSPECIFIED: SocialSignInIntent
SOCIAL_SIGN_IN_INTENT_SIGN_IN: SocialSignInIntent
SOCIAL_SIGN_IN_INTENT_LINK: SocialSignInIntent
SOCIAL_SIGN_IN_INTENT_REAUTHENTICATE: SocialSignInIntent
SOCIAL_SIGN_IN_RESULT_UNSPECIFIED: SocialSignInResult
SOCIAL_SIGN_IN_RESULT_SIGNED_IN: SocialSignInResult
SOCIAL_SIGN_IN_RESULT_CREATED: SocialSignInResult
SOCIAL_SIGN_IN_RESULT_LINKED_BY_EMAIL: SocialSignInResult
SOCIAL_SIGN_IN_RESULT_LINKED: SocialSignInResult
SOCIAL_SIGN_IN_RESULT_REAUTHENTICATED: SocialSignInResult
USER_ORDER_UNSPECIFIED: UserOrder
USER_ORDER_CREATE_TIME_DESC: UserOrder
USER_ORDER_CREATE_TIME_ASC: UserOrder
USER_ORDER_EMAIL: UserOrder
USER_ORDER_LAST_SIGN_IN_TIME_DESC: UserOrder
SERVICE_ERASURE_STATE_UNSPECIFIED: ServiceErasureState
SERVICE_ERASURE_STATE_PENDING: ServiceErasureState
SERVICE_ERASURE_STATE_CONFIRMED: ServiceErasureState

class UserPreferences(_message.Message):
    __slots__ = ("theme", "autoplay_next_episode", "data_saver", "subtitle_language", "audio_language", "email_notifications", "push_notifications", "marketing_emails")
    THEME_FIELD_NUMBER: _ClassVar[int]
    AUTOPLAY_NEXT_EPISODE_FIELD_NUMBER: _ClassVar[int]
    DATA_SAVER_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    PUSH_NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    MARKETING_EMAILS_FIELD_NUMBER: _ClassVar[int]
    theme: Theme
    autoplay_next_episode: bool
    data_saver: bool
    subtitle_language: str
    audio_language: str
    email_notifications: bool
    push_notifications: bool
    marketing_emails: bool
    def __init__(self, theme: _Optional[_Union[Theme, str]] = ..., autoplay_next_episode: bool = ..., data_saver: bool = ..., subtitle_language: _Optional[str] = ..., audio_language: _Optional[str] = ..., email_notifications: bool = ..., push_notifications: bool = ..., marketing_emails: bool = ...) -> None: ...

class User(_message.Message):
    __slots__ = ("name", "email", "email_verified", "pending_email", "display_name", "avatar_uri", "skill_level", "locale", "time_zone", "preferences", "app_preferences", "role", "state", "disable_reason", "has_password", "linked_providers", "etag", "create_time", "update_time", "last_sign_in_time", "disable_time", "delete_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EMAIL_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    PENDING_EMAIL_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    AVATAR_URI_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    APP_PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DISABLE_REASON_FIELD_NUMBER: _ClassVar[int]
    HAS_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    LINKED_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_SIGN_IN_TIME_FIELD_NUMBER: _ClassVar[int]
    DISABLE_TIME_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    email: str
    email_verified: bool
    pending_email: str
    display_name: str
    avatar_uri: str
    skill_level: SkillLevel
    locale: str
    time_zone: str
    preferences: UserPreferences
    app_preferences: _struct_pb2.Struct
    role: Role
    state: UserState
    disable_reason: str
    has_password: bool
    linked_providers: _containers.RepeatedScalarFieldContainer[IdentityProvider]
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    last_sign_in_time: _timestamp_pb2.Timestamp
    disable_time: _timestamp_pb2.Timestamp
    delete_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., email: _Optional[str] = ..., email_verified: bool = ..., pending_email: _Optional[str] = ..., display_name: _Optional[str] = ..., avatar_uri: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., locale: _Optional[str] = ..., time_zone: _Optional[str] = ..., preferences: _Optional[_Union[UserPreferences, _Mapping]] = ..., app_preferences: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., role: _Optional[_Union[Role, str]] = ..., state: _Optional[_Union[UserState, str]] = ..., disable_reason: _Optional[str] = ..., has_password: bool = ..., linked_providers: _Optional[_Iterable[_Union[IdentityProvider, str]]] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_sign_in_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., disable_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClientInfo(_message.Message):
    __slots__ = ("device_id", "device_name", "platform", "app_version")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    APP_VERSION_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    device_name: str
    platform: Platform
    app_version: str
    def __init__(self, device_id: _Optional[str] = ..., device_name: _Optional[str] = ..., platform: _Optional[_Union[Platform, str]] = ..., app_version: _Optional[str] = ...) -> None: ...

class TokenPair(_message.Message):
    __slots__ = ("access_token", "token_type", "access_token_expire_time", "access_token_expires_in", "refresh_token", "refresh_token_expire_time", "session")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_TYPE_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_EXPIRES_IN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    token_type: str
    access_token_expire_time: _timestamp_pb2.Timestamp
    access_token_expires_in: _duration_pb2.Duration
    refresh_token: str
    refresh_token_expire_time: _timestamp_pb2.Timestamp
    session: str
    def __init__(self, access_token: _Optional[str] = ..., token_type: _Optional[str] = ..., access_token_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., access_token_expires_in: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., refresh_token: _Optional[str] = ..., refresh_token_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., session: _Optional[str] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("name", "client", "sign_in_method", "provider", "user_agent", "ip_address", "region_code", "city", "current", "create_time", "last_active_time", "auth_time", "expire_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    SIGN_IN_METHOD_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ACTIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    AUTH_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    client: ClientInfo
    sign_in_method: SignInMethod
    provider: IdentityProvider
    user_agent: str
    ip_address: str
    region_code: str
    city: str
    current: bool
    create_time: _timestamp_pb2.Timestamp
    last_active_time: _timestamp_pb2.Timestamp
    auth_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., client: _Optional[_Union[ClientInfo, _Mapping]] = ..., sign_in_method: _Optional[_Union[SignInMethod, str]] = ..., provider: _Optional[_Union[IdentityProvider, str]] = ..., user_agent: _Optional[str] = ..., ip_address: _Optional[str] = ..., region_code: _Optional[str] = ..., city: _Optional[str] = ..., current: bool = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_active_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., auth_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Identity(_message.Message):
    __slots__ = ("name", "provider", "subject", "email", "email_verified", "display_name", "link_time", "last_sign_in_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EMAIL_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LINK_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_SIGN_IN_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    provider: IdentityProvider
    subject: str
    email: str
    email_verified: bool
    display_name: str
    link_time: _timestamp_pb2.Timestamp
    last_sign_in_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., provider: _Optional[_Union[IdentityProvider, str]] = ..., subject: _Optional[str] = ..., email: _Optional[str] = ..., email_verified: bool = ..., display_name: _Optional[str] = ..., link_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_sign_in_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeviceLimitDetails(_message.Message):
    __slots__ = ("device_limit", "plan", "sessions")
    DEVICE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    device_limit: int
    plan: str
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    def __init__(self, device_limit: _Optional[int] = ..., plan: _Optional[str] = ..., sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ...) -> None: ...

class PasswordPolicy(_message.Message):
    __slots__ = ("min_length", "max_length", "reject_breached")
    MIN_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    REJECT_BREACHED_FIELD_NUMBER: _ClassVar[int]
    min_length: int
    max_length: int
    reject_breached: bool
    def __init__(self, min_length: _Optional[int] = ..., max_length: _Optional[int] = ..., reject_breached: bool = ...) -> None: ...

class Jwk(_message.Message):
    __slots__ = ("kid", "kty", "alg", "use", "crv", "x", "y", "n", "e")
    KID_FIELD_NUMBER: _ClassVar[int]
    KTY_FIELD_NUMBER: _ClassVar[int]
    ALG_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    CRV_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    E_FIELD_NUMBER: _ClassVar[int]
    kid: str
    kty: str
    alg: str
    use: str
    crv: str
    x: str
    y: str
    n: str
    e: str
    def __init__(self, kid: _Optional[str] = ..., kty: _Optional[str] = ..., alg: _Optional[str] = ..., use: _Optional[str] = ..., crv: _Optional[str] = ..., x: _Optional[str] = ..., y: _Optional[str] = ..., n: _Optional[str] = ..., e: _Optional[str] = ...) -> None: ...

class DataDisposition(_message.Message):
    __slots__ = ("category", "service", "description", "count")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    category: str
    service: str
    description: str
    count: int
    def __init__(self, category: _Optional[str] = ..., service: _Optional[str] = ..., description: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class UserDeletion(_message.Message):
    __slots__ = ("name", "delete_time", "done", "complete_time", "services")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    name: str
    delete_time: _timestamp_pb2.Timestamp
    done: bool
    complete_time: _timestamp_pb2.Timestamp
    services: _containers.RepeatedCompositeFieldContainer[ServiceErasure]
    def __init__(self, name: _Optional[str] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., done: bool = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., services: _Optional[_Iterable[_Union[ServiceErasure, _Mapping]]] = ...) -> None: ...

class ServiceErasure(_message.Message):
    __slots__ = ("service", "state", "attempt_count", "last_error", "next_attempt_time", "confirm_time", "erased", "retained")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    CONFIRM_TIME_FIELD_NUMBER: _ClassVar[int]
    ERASED_FIELD_NUMBER: _ClassVar[int]
    RETAINED_FIELD_NUMBER: _ClassVar[int]
    service: str
    state: ServiceErasureState
    attempt_count: int
    last_error: str
    next_attempt_time: _timestamp_pb2.Timestamp
    confirm_time: _timestamp_pb2.Timestamp
    erased: _containers.RepeatedCompositeFieldContainer[DataDisposition]
    retained: _containers.RepeatedCompositeFieldContainer[DataDisposition]
    def __init__(self, service: _Optional[str] = ..., state: _Optional[_Union[ServiceErasureState, str]] = ..., attempt_count: _Optional[int] = ..., last_error: _Optional[str] = ..., next_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., confirm_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., erased: _Optional[_Iterable[_Union[DataDisposition, _Mapping]]] = ..., retained: _Optional[_Iterable[_Union[DataDisposition, _Mapping]]] = ...) -> None: ...

class GetAuthConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAuthConfigResponse(_message.Message):
    __slots__ = ("providers", "registration_open", "password_policy", "access_token_ttl", "refresh_token_ttl", "issuer", "audience", "jwks_uri")
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_OPEN_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_POLICY_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TOKEN_TTL_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_TTL_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    JWKS_URI_FIELD_NUMBER: _ClassVar[int]
    providers: _containers.RepeatedScalarFieldContainer[IdentityProvider]
    registration_open: bool
    password_policy: PasswordPolicy
    access_token_ttl: _duration_pb2.Duration
    refresh_token_ttl: _duration_pb2.Duration
    issuer: str
    audience: str
    jwks_uri: str
    def __init__(self, providers: _Optional[_Iterable[_Union[IdentityProvider, str]]] = ..., registration_open: bool = ..., password_policy: _Optional[_Union[PasswordPolicy, _Mapping]] = ..., access_token_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., refresh_token_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., issuer: _Optional[str] = ..., audience: _Optional[str] = ..., jwks_uri: _Optional[str] = ...) -> None: ...

class GetJwksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetJwksResponse(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[Jwk]
    def __init__(self, keys: _Optional[_Iterable[_Union[Jwk, _Mapping]]] = ...) -> None: ...

class RegisterRequest(_message.Message):
    __slots__ = ("email", "password", "display_name", "locale", "time_zone", "client", "request_id")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    display_name: str
    locale: str
    time_zone: str
    client: ClientInfo
    request_id: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., display_name: _Optional[str] = ..., locale: _Optional[str] = ..., time_zone: _Optional[str] = ..., client: _Optional[_Union[ClientInfo, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RegisterResponse(_message.Message):
    __slots__ = ("tokens", "user")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    tokens: TokenPair
    user: User
    def __init__(self, tokens: _Optional[_Union[TokenPair, _Mapping]] = ..., user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class LoginRequest(_message.Message):
    __slots__ = ("email", "password", "client", "replace_session", "request_id")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    REPLACE_SESSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    client: ClientInfo
    replace_session: str
    request_id: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., client: _Optional[_Union[ClientInfo, _Mapping]] = ..., replace_session: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LoginResponse(_message.Message):
    __slots__ = ("tokens", "user")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    tokens: TokenPair
    user: User
    def __init__(self, tokens: _Optional[_Union[TokenPair, _Mapping]] = ..., user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class BeginSocialSignInRequest(_message.Message):
    __slots__ = ("provider", "redirect_uri", "intent", "login_hint")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REDIRECT_URI_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    LOGIN_HINT_FIELD_NUMBER: _ClassVar[int]
    provider: IdentityProvider
    redirect_uri: str
    intent: SocialSignInIntent
    login_hint: str
    def __init__(self, provider: _Optional[_Union[IdentityProvider, str]] = ..., redirect_uri: _Optional[str] = ..., intent: _Optional[_Union[SocialSignInIntent, str]] = ..., login_hint: _Optional[str] = ...) -> None: ...

class BeginSocialSignInResponse(_message.Message):
    __slots__ = ("authorization_uri", "state", "expire_time")
    AUTHORIZATION_URI_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    authorization_uri: str
    state: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, authorization_uri: _Optional[str] = ..., state: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CompleteSocialSignInRequest(_message.Message):
    __slots__ = ("provider", "code", "state", "client", "replace_session", "request_id")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    REPLACE_SESSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    provider: IdentityProvider
    code: str
    state: str
    client: ClientInfo
    replace_session: str
    request_id: str
    def __init__(self, provider: _Optional[_Union[IdentityProvider, str]] = ..., code: _Optional[str] = ..., state: _Optional[str] = ..., client: _Optional[_Union[ClientInfo, _Mapping]] = ..., replace_session: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CompleteSocialSignInResponse(_message.Message):
    __slots__ = ("tokens", "user", "result", "identity")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    tokens: TokenPair
    user: User
    result: SocialSignInResult
    identity: Identity
    def __init__(self, tokens: _Optional[_Union[TokenPair, _Mapping]] = ..., user: _Optional[_Union[User, _Mapping]] = ..., result: _Optional[_Union[SocialSignInResult, str]] = ..., identity: _Optional[_Union[Identity, _Mapping]] = ...) -> None: ...

class RefreshTokenRequest(_message.Message):
    __slots__ = ("refresh_token", "request_id")
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    request_id: str
    def __init__(self, refresh_token: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RefreshTokenResponse(_message.Message):
    __slots__ = ("tokens",)
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    tokens: TokenPair
    def __init__(self, tokens: _Optional[_Union[TokenPair, _Mapping]] = ...) -> None: ...

class LogoutRequest(_message.Message):
    __slots__ = ("refresh_token",)
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    def __init__(self, refresh_token: _Optional[str] = ...) -> None: ...

class LogoutResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReauthenticateRequest(_message.Message):
    __slots__ = ("password", "request_id")
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    password: str
    request_id: str
    def __init__(self, password: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReauthenticateResponse(_message.Message):
    __slots__ = ("tokens", "recent_until_time")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    RECENT_UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    tokens: TokenPair
    recent_until_time: _timestamp_pb2.Timestamp
    def __init__(self, tokens: _Optional[_Union[TokenPair, _Mapping]] = ..., recent_until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class IssueServiceTokenRequest(_message.Message):
    __slots__ = ("client_id", "client_secret")
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    client_secret: str
    def __init__(self, client_id: _Optional[str] = ..., client_secret: _Optional[str] = ...) -> None: ...

class IssueServiceTokenResponse(_message.Message):
    __slots__ = ("access_token", "token_type", "expire_time")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    token_type: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, access_token: _Optional[str] = ..., token_type: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RequestPasswordResetRequest(_message.Message):
    __slots__ = ("email", "continue_uri")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTINUE_URI_FIELD_NUMBER: _ClassVar[int]
    email: str
    continue_uri: str
    def __init__(self, email: _Optional[str] = ..., continue_uri: _Optional[str] = ...) -> None: ...

class RequestPasswordResetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConfirmPasswordResetRequest(_message.Message):
    __slots__ = ("token", "new_password", "request_id")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    token: str
    new_password: str
    request_id: str
    def __init__(self, token: _Optional[str] = ..., new_password: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ConfirmPasswordResetResponse(_message.Message):
    __slots__ = ("email",)
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class ConfirmEmailVerificationRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class ConfirmEmailVerificationResponse(_message.Message):
    __slots__ = ("user", "email")
    USER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user: str
    email: str
    def __init__(self, user: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class UpdateUserRequest(_message.Message):
    __slots__ = ("user", "update_mask")
    USER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    user: User
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class ChangePasswordRequest(_message.Message):
    __slots__ = ("name", "current_password", "new_password", "keep_other_sessions", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    KEEP_OTHER_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    current_password: str
    new_password: str
    keep_other_sessions: bool
    request_id: str
    def __init__(self, name: _Optional[str] = ..., current_password: _Optional[str] = ..., new_password: _Optional[str] = ..., keep_other_sessions: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class ChangePasswordResponse(_message.Message):
    __slots__ = ("revoked_session_count",)
    REVOKED_SESSION_COUNT_FIELD_NUMBER: _ClassVar[int]
    revoked_session_count: int
    def __init__(self, revoked_session_count: _Optional[int] = ...) -> None: ...

class ChangeEmailRequest(_message.Message):
    __slots__ = ("name", "new_email", "current_password")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    name: str
    new_email: str
    current_password: str
    def __init__(self, name: _Optional[str] = ..., new_email: _Optional[str] = ..., current_password: _Optional[str] = ...) -> None: ...

class ChangeEmailResponse(_message.Message):
    __slots__ = ("user", "expire_time")
    USER_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    user: User
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RequestEmailVerificationRequest(_message.Message):
    __slots__ = ("name", "continue_uri")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTINUE_URI_FIELD_NUMBER: _ClassVar[int]
    name: str
    continue_uri: str
    def __init__(self, name: _Optional[str] = ..., continue_uri: _Optional[str] = ...) -> None: ...

class RequestEmailVerificationResponse(_message.Message):
    __slots__ = ("email", "expire_time")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    email: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, email: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("sessions", "next_page_token", "device_limit", "total_size")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DEVICE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    next_page_token: str
    device_limit: int
    total_size: int
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., device_limit: _Optional[int] = ..., total_size: _Optional[int] = ...) -> None: ...

class RevokeSessionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class RevokeSessionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RevokeOtherSessionsRequest(_message.Message):
    __slots__ = ("parent",)
    PARENT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    def __init__(self, parent: _Optional[str] = ...) -> None: ...

class RevokeOtherSessionsResponse(_message.Message):
    __slots__ = ("revoked_session_count",)
    REVOKED_SESSION_COUNT_FIELD_NUMBER: _ClassVar[int]
    revoked_session_count: int
    def __init__(self, revoked_session_count: _Optional[int] = ...) -> None: ...

class ListIdentitiesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIdentitiesResponse(_message.Message):
    __slots__ = ("identities", "next_page_token")
    IDENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    identities: _containers.RepeatedCompositeFieldContainer[Identity]
    next_page_token: str
    def __init__(self, identities: _Optional[_Iterable[_Union[Identity, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UnlinkIdentityRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UnlinkIdentityResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

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

class DeleteUserRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteUserResponse(_message.Message):
    __slots__ = ("erased", "retained", "purge_time", "pending", "deletion")
    ERASED_FIELD_NUMBER: _ClassVar[int]
    RETAINED_FIELD_NUMBER: _ClassVar[int]
    PURGE_TIME_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    DELETION_FIELD_NUMBER: _ClassVar[int]
    erased: _containers.RepeatedCompositeFieldContainer[DataDisposition]
    retained: _containers.RepeatedCompositeFieldContainer[DataDisposition]
    purge_time: _timestamp_pb2.Timestamp
    pending: _containers.RepeatedCompositeFieldContainer[DataDisposition]
    deletion: str
    def __init__(self, erased: _Optional[_Iterable[_Union[DataDisposition, _Mapping]]] = ..., retained: _Optional[_Iterable[_Union[DataDisposition, _Mapping]]] = ..., purge_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pending: _Optional[_Iterable[_Union[DataDisposition, _Mapping]]] = ..., deletion: _Optional[str] = ...) -> None: ...

class GetUserDeletionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetUserDeletionResponse(_message.Message):
    __slots__ = ("deletion",)
    DELETION_FIELD_NUMBER: _ClassVar[int]
    deletion: UserDeletion
    def __init__(self, deletion: _Optional[_Union[UserDeletion, _Mapping]] = ...) -> None: ...

class UserFilter(_message.Message):
    __slots__ = ("email_contains", "role", "state", "provider", "create_time_after", "create_time_before")
    EMAIL_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_BEFORE_FIELD_NUMBER: _ClassVar[int]
    email_contains: str
    role: Role
    state: UserState
    provider: IdentityProvider
    create_time_after: _timestamp_pb2.Timestamp
    create_time_before: _timestamp_pb2.Timestamp
    def __init__(self, email_contains: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., state: _Optional[_Union[UserState, str]] = ..., provider: _Optional[_Union[IdentityProvider, str]] = ..., create_time_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: UserFilter
    order_by: UserOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[_Union[UserFilter, _Mapping]] = ..., order_by: _Optional[_Union[UserOrder, str]] = ...) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("users", "next_page_token", "total_size")
    USERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    next_page_token: str
    total_size: int
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class SetUserRoleRequest(_message.Message):
    __slots__ = ("name", "role")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: Role
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class SetUserRoleResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class DisableUserRequest(_message.Message):
    __slots__ = ("name", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DisableUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class EnableUserRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class EnableUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...
