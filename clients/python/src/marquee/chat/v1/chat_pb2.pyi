import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.type import date_pb2 as _date_pb2
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
    ERROR_REASON_MESSAGE_LIMIT_REACHED: _ClassVar[ErrorReason]
    ERROR_REASON_CONVERSATION_ARCHIVED: _ClassVar[ErrorReason]
    ERROR_REASON_MESSAGE_TOO_LONG: _ClassVar[ErrorReason]
    ERROR_REASON_KNOWLEDGE_BASE_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_LLM_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_DOCUMENT_TOO_LARGE: _ClassVar[ErrorReason]
    ERROR_REASON_GENERATION_IN_PROGRESS: _ClassVar[ErrorReason]
    ERROR_REASON_UNKNOWN_MODEL: _ClassVar[ErrorReason]
    ERROR_REASON_MODEL_NOT_IN_PLAN: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_LATEST_ANSWER: _ClassVar[ErrorReason]
    ERROR_REASON_FEEDBACK_NOT_ALLOWED: _ClassVar[ErrorReason]
    ERROR_REASON_CONVERSATION_FULL: _ClassVar[ErrorReason]
    ERROR_REASON_MESSAGE_BLOCKED: _ClassVar[ErrorReason]
    ERROR_REASON_DUPLICATE_DOCUMENT: _ClassVar[ErrorReason]
    ERROR_REASON_DOCUMENT_PROCESSING: _ClassVar[ErrorReason]
    ERROR_REASON_DOCUMENT_FETCH_FAILED: _ClassVar[ErrorReason]
    ERROR_REASON_UNSUPPORTED_DOCUMENT_TYPE: _ClassVar[ErrorReason]
    ERROR_REASON_ENTITLEMENTS_UNAVAILABLE: _ClassVar[ErrorReason]

class SkillLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SKILL_LEVEL_UNSPECIFIED: _ClassVar[SkillLevel]
    SKILL_LEVEL_BEGINNER: _ClassVar[SkillLevel]
    SKILL_LEVEL_INTERMEDIATE: _ClassVar[SkillLevel]
    SKILL_LEVEL_ADVANCED: _ClassVar[SkillLevel]
    SKILL_LEVEL_PROFESSIONAL: _ClassVar[SkillLevel]

class MessageRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_ROLE_UNSPECIFIED: _ClassVar[MessageRole]
    MESSAGE_ROLE_USER: _ClassVar[MessageRole]
    MESSAGE_ROLE_ASSISTANT: _ClassVar[MessageRole]
    MESSAGE_ROLE_SYSTEM: _ClassVar[MessageRole]

class MessageState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_STATE_UNSPECIFIED: _ClassVar[MessageState]
    MESSAGE_STATE_GENERATING: _ClassVar[MessageState]
    MESSAGE_STATE_COMPLETE: _ClassVar[MessageState]
    MESSAGE_STATE_CANCELLED: _ClassVar[MessageState]
    MESSAGE_STATE_FAILED: _ClassVar[MessageState]

class FinishReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FINISH_REASON_UNSPECIFIED: _ClassVar[FinishReason]
    FINISH_REASON_STOP: _ClassVar[FinishReason]
    FINISH_REASON_LENGTH: _ClassVar[FinishReason]
    FINISH_REASON_CONTENT_FILTER: _ClassVar[FinishReason]
    FINISH_REASON_CANCELLED: _ClassVar[FinishReason]
    FINISH_REASON_ERROR: _ClassVar[FinishReason]

class FeedbackRating(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEEDBACK_RATING_UNSPECIFIED: _ClassVar[FeedbackRating]
    FEEDBACK_RATING_POSITIVE: _ClassVar[FeedbackRating]
    FEEDBACK_RATING_NEGATIVE: _ClassVar[FeedbackRating]

class FeedbackReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEEDBACK_REASON_UNSPECIFIED: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_INACCURATE: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_NOT_RELEVANT: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_INCOMPLETE: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_OUTDATED: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_WRONG_SKILL_LEVEL: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_BAD_CITATIONS: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_UNSAFE: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_TOO_VERBOSE: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_OTHER_NEGATIVE: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_HELPFUL: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_CLEAR: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_WELL_SOURCED: _ClassVar[FeedbackReason]
    FEEDBACK_REASON_RIGHT_LEVEL: _ClassVar[FeedbackReason]

class ExportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXPORT_FORMAT_UNSPECIFIED: _ClassVar[ExportFormat]
    EXPORT_FORMAT_PLAIN_TEXT: _ClassVar[ExportFormat]
    EXPORT_FORMAT_MARKDOWN: _ClassVar[ExportFormat]
    EXPORT_FORMAT_PDF: _ClassVar[ExportFormat]

class ArchiveFilter(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ARCHIVE_FILTER_UNSPECIFIED: _ClassVar[ArchiveFilter]
    ARCHIVE_FILTER_ACTIVE: _ClassVar[ArchiveFilter]
    ARCHIVE_FILTER_ARCHIVED: _ClassVar[ArchiveFilter]
    ARCHIVE_FILTER_ALL: _ClassVar[ArchiveFilter]

class ConversationOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONVERSATION_ORDER_UNSPECIFIED: _ClassVar[ConversationOrder]
    CONVERSATION_ORDER_LAST_ACTIVITY: _ClassVar[ConversationOrder]
    CONVERSATION_ORDER_CREATE_TIME: _ClassVar[ConversationOrder]
    CONVERSATION_ORDER_TITLE: _ClassVar[ConversationOrder]

class MessageOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_ORDER_UNSPECIFIED: _ClassVar[MessageOrder]
    MESSAGE_ORDER_OLDEST_FIRST: _ClassVar[MessageOrder]
    MESSAGE_ORDER_NEWEST_FIRST: _ClassVar[MessageOrder]

class DocumentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOCUMENT_STATE_UNSPECIFIED: _ClassVar[DocumentState]
    DOCUMENT_STATE_PENDING: _ClassVar[DocumentState]
    DOCUMENT_STATE_PROCESSING: _ClassVar[DocumentState]
    DOCUMENT_STATE_READY: _ClassVar[DocumentState]
    DOCUMENT_STATE_FAILED: _ClassVar[DocumentState]

class DocumentView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOCUMENT_VIEW_UNSPECIFIED: _ClassVar[DocumentView]
    DOCUMENT_VIEW_BASIC: _ClassVar[DocumentView]
    DOCUMENT_VIEW_FULL: _ClassVar[DocumentView]

class DocumentOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOCUMENT_ORDER_UNSPECIFIED: _ClassVar[DocumentOrder]
    DOCUMENT_ORDER_UPDATE_TIME: _ClassVar[DocumentOrder]
    DOCUMENT_ORDER_CREATE_TIME: _ClassVar[DocumentOrder]
    DOCUMENT_ORDER_TITLE: _ClassVar[DocumentOrder]
    DOCUMENT_ORDER_CITATION_COUNT: _ClassVar[DocumentOrder]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_MESSAGE_LIMIT_REACHED: ErrorReason
ERROR_REASON_CONVERSATION_ARCHIVED: ErrorReason
ERROR_REASON_MESSAGE_TOO_LONG: ErrorReason
ERROR_REASON_KNOWLEDGE_BASE_UNAVAILABLE: ErrorReason
ERROR_REASON_LLM_UNAVAILABLE: ErrorReason
ERROR_REASON_DOCUMENT_TOO_LARGE: ErrorReason
ERROR_REASON_GENERATION_IN_PROGRESS: ErrorReason
ERROR_REASON_UNKNOWN_MODEL: ErrorReason
ERROR_REASON_MODEL_NOT_IN_PLAN: ErrorReason
ERROR_REASON_NOT_LATEST_ANSWER: ErrorReason
ERROR_REASON_FEEDBACK_NOT_ALLOWED: ErrorReason
ERROR_REASON_CONVERSATION_FULL: ErrorReason
ERROR_REASON_MESSAGE_BLOCKED: ErrorReason
ERROR_REASON_DUPLICATE_DOCUMENT: ErrorReason
ERROR_REASON_DOCUMENT_PROCESSING: ErrorReason
ERROR_REASON_DOCUMENT_FETCH_FAILED: ErrorReason
ERROR_REASON_UNSUPPORTED_DOCUMENT_TYPE: ErrorReason
ERROR_REASON_ENTITLEMENTS_UNAVAILABLE: ErrorReason
SKILL_LEVEL_UNSPECIFIED: SkillLevel
SKILL_LEVEL_BEGINNER: SkillLevel
SKILL_LEVEL_INTERMEDIATE: SkillLevel
SKILL_LEVEL_ADVANCED: SkillLevel
SKILL_LEVEL_PROFESSIONAL: SkillLevel
MESSAGE_ROLE_UNSPECIFIED: MessageRole
MESSAGE_ROLE_USER: MessageRole
MESSAGE_ROLE_ASSISTANT: MessageRole
MESSAGE_ROLE_SYSTEM: MessageRole
MESSAGE_STATE_UNSPECIFIED: MessageState
MESSAGE_STATE_GENERATING: MessageState
MESSAGE_STATE_COMPLETE: MessageState
MESSAGE_STATE_CANCELLED: MessageState
MESSAGE_STATE_FAILED: MessageState
FINISH_REASON_UNSPECIFIED: FinishReason
FINISH_REASON_STOP: FinishReason
FINISH_REASON_LENGTH: FinishReason
FINISH_REASON_CONTENT_FILTER: FinishReason
FINISH_REASON_CANCELLED: FinishReason
FINISH_REASON_ERROR: FinishReason
FEEDBACK_RATING_UNSPECIFIED: FeedbackRating
FEEDBACK_RATING_POSITIVE: FeedbackRating
FEEDBACK_RATING_NEGATIVE: FeedbackRating
FEEDBACK_REASON_UNSPECIFIED: FeedbackReason
FEEDBACK_REASON_INACCURATE: FeedbackReason
FEEDBACK_REASON_NOT_RELEVANT: FeedbackReason
FEEDBACK_REASON_INCOMPLETE: FeedbackReason
FEEDBACK_REASON_OUTDATED: FeedbackReason
FEEDBACK_REASON_WRONG_SKILL_LEVEL: FeedbackReason
FEEDBACK_REASON_BAD_CITATIONS: FeedbackReason
FEEDBACK_REASON_UNSAFE: FeedbackReason
FEEDBACK_REASON_TOO_VERBOSE: FeedbackReason
FEEDBACK_REASON_OTHER_NEGATIVE: FeedbackReason
FEEDBACK_REASON_HELPFUL: FeedbackReason
FEEDBACK_REASON_CLEAR: FeedbackReason
FEEDBACK_REASON_WELL_SOURCED: FeedbackReason
FEEDBACK_REASON_RIGHT_LEVEL: FeedbackReason
EXPORT_FORMAT_UNSPECIFIED: ExportFormat
EXPORT_FORMAT_PLAIN_TEXT: ExportFormat
EXPORT_FORMAT_MARKDOWN: ExportFormat
EXPORT_FORMAT_PDF: ExportFormat
ARCHIVE_FILTER_UNSPECIFIED: ArchiveFilter
ARCHIVE_FILTER_ACTIVE: ArchiveFilter
ARCHIVE_FILTER_ARCHIVED: ArchiveFilter
ARCHIVE_FILTER_ALL: ArchiveFilter
CONVERSATION_ORDER_UNSPECIFIED: ConversationOrder
CONVERSATION_ORDER_LAST_ACTIVITY: ConversationOrder
CONVERSATION_ORDER_CREATE_TIME: ConversationOrder
CONVERSATION_ORDER_TITLE: ConversationOrder
MESSAGE_ORDER_UNSPECIFIED: MessageOrder
MESSAGE_ORDER_OLDEST_FIRST: MessageOrder
MESSAGE_ORDER_NEWEST_FIRST: MessageOrder
DOCUMENT_STATE_UNSPECIFIED: DocumentState
DOCUMENT_STATE_PENDING: DocumentState
DOCUMENT_STATE_PROCESSING: DocumentState
DOCUMENT_STATE_READY: DocumentState
DOCUMENT_STATE_FAILED: DocumentState
DOCUMENT_VIEW_UNSPECIFIED: DocumentView
DOCUMENT_VIEW_BASIC: DocumentView
DOCUMENT_VIEW_FULL: DocumentView
DOCUMENT_ORDER_UNSPECIFIED: DocumentOrder
DOCUMENT_ORDER_UPDATE_TIME: DocumentOrder
DOCUMENT_ORDER_CREATE_TIME: DocumentOrder
DOCUMENT_ORDER_TITLE: DocumentOrder
DOCUMENT_ORDER_CITATION_COUNT: DocumentOrder

class Conversation(_message.Message):
    __slots__ = ("name", "title", "skill_level", "model", "instructions", "archived", "pinned", "message_count", "last_message_preview", "generating_message", "total_tokens", "etag", "create_time", "update_time", "last_message_time", "archive_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    PINNED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_MESSAGE_PREVIEW_FIELD_NUMBER: _ClassVar[int]
    GENERATING_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_MESSAGE_TIME_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    skill_level: SkillLevel
    model: str
    instructions: str
    archived: bool
    pinned: bool
    message_count: int
    last_message_preview: str
    generating_message: str
    total_tokens: int
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    last_message_time: _timestamp_pb2.Timestamp
    archive_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., model: _Optional[str] = ..., instructions: _Optional[str] = ..., archived: bool = ..., pinned: bool = ..., message_count: _Optional[int] = ..., last_message_preview: _Optional[str] = ..., generating_message: _Optional[str] = ..., total_tokens: _Optional[int] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_message_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., archive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TokenUsage(_message.Message):
    __slots__ = ("prompt_tokens", "completion_tokens", "total_tokens")
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    def __init__(self, prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., total_tokens: _Optional[int] = ...) -> None: ...

class Citation(_message.Message):
    __slots__ = ("index", "document", "chunk", "title", "source", "uri", "snippet", "relevance_score", "cited")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    SNIPPET_FIELD_NUMBER: _ClassVar[int]
    RELEVANCE_SCORE_FIELD_NUMBER: _ClassVar[int]
    CITED_FIELD_NUMBER: _ClassVar[int]
    index: int
    document: str
    chunk: str
    title: str
    source: str
    uri: str
    snippet: str
    relevance_score: float
    cited: bool
    def __init__(self, index: _Optional[int] = ..., document: _Optional[str] = ..., chunk: _Optional[str] = ..., title: _Optional[str] = ..., source: _Optional[str] = ..., uri: _Optional[str] = ..., snippet: _Optional[str] = ..., relevance_score: _Optional[float] = ..., cited: bool = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("name", "role", "content", "state", "citations", "finish_reason", "model", "skill_level", "usage", "feedback", "follow_up_suggestions", "reply_to", "regenerated_from", "superseded", "first_token_latency", "latency", "error", "request_id", "create_time", "complete_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CITATIONS_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_FIELD_NUMBER: _ClassVar[int]
    REGENERATED_FROM_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_FIELD_NUMBER: _ClassVar[int]
    FIRST_TOKEN_LATENCY_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: MessageRole
    content: str
    state: MessageState
    citations: _containers.RepeatedCompositeFieldContainer[Citation]
    finish_reason: FinishReason
    model: str
    skill_level: SkillLevel
    usage: TokenUsage
    feedback: Feedback
    follow_up_suggestions: _containers.RepeatedScalarFieldContainer[str]
    reply_to: str
    regenerated_from: str
    superseded: bool
    first_token_latency: _duration_pb2.Duration
    latency: _duration_pb2.Duration
    error: _status_pb2.Status
    request_id: str
    create_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[MessageRole, str]] = ..., content: _Optional[str] = ..., state: _Optional[_Union[MessageState, str]] = ..., citations: _Optional[_Iterable[_Union[Citation, _Mapping]]] = ..., finish_reason: _Optional[_Union[FinishReason, str]] = ..., model: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., usage: _Optional[_Union[TokenUsage, _Mapping]] = ..., feedback: _Optional[_Union[Feedback, _Mapping]] = ..., follow_up_suggestions: _Optional[_Iterable[str]] = ..., reply_to: _Optional[str] = ..., regenerated_from: _Optional[str] = ..., superseded: bool = ..., first_token_latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., request_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Feedback(_message.Message):
    __slots__ = ("name", "rating", "reasons", "comment", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    rating: FeedbackRating
    reasons: _containers.RepeatedScalarFieldContainer[FeedbackReason]
    comment: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., rating: _Optional[_Union[FeedbackRating, str]] = ..., reasons: _Optional[_Iterable[_Union[FeedbackReason, str]]] = ..., comment: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ("name", "plan", "unlimited", "message_limit", "messages_used", "messages_remaining", "tokens_used", "max_message_chars", "period_start_time", "reset_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    UNLIMITED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_USED_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_REMAINING_FIELD_NUMBER: _ClassVar[int]
    TOKENS_USED_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_CHARS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    RESET_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    plan: str
    unlimited: bool
    message_limit: int
    messages_used: int
    messages_remaining: int
    tokens_used: int
    max_message_chars: int
    period_start_time: _timestamp_pb2.Timestamp
    reset_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., plan: _Optional[str] = ..., unlimited: bool = ..., message_limit: _Optional[int] = ..., messages_used: _Optional[int] = ..., messages_remaining: _Optional[int] = ..., tokens_used: _Optional[int] = ..., max_message_chars: _Optional[int] = ..., period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reset_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChatSettings(_message.Message):
    __slots__ = ("name", "default_skill_level", "default_model", "instructions", "hide_follow_up_suggestions", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODEL_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    HIDE_FOLLOW_UP_SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    default_skill_level: SkillLevel
    default_model: str
    instructions: str
    hide_follow_up_suggestions: bool
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., default_skill_level: _Optional[_Union[SkillLevel, str]] = ..., default_model: _Optional[str] = ..., instructions: _Optional[str] = ..., hide_follow_up_suggestions: bool = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Model(_message.Message):
    __slots__ = ("name", "display_name", "description", "is_default", "available", "required_plan", "max_output_tokens")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_PLAN_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    is_default: bool
    available: bool
    required_plan: str
    max_output_tokens: int
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., is_default: bool = ..., available: bool = ..., required_plan: _Optional[str] = ..., max_output_tokens: _Optional[int] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("name", "title", "text", "uri", "source", "category", "skill_level", "tags", "metadata", "language", "source_date", "retrieval_enabled", "state", "error", "chunk_count", "token_count", "char_count", "embedding_model", "citation_count", "etag", "create_time", "update_time", "index_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DATE_FIELD_NUMBER: _ClassVar[int]
    RETRIEVAL_ENABLED_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHAR_COUNT_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_MODEL_FIELD_NUMBER: _ClassVar[int]
    CITATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    INDEX_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    text: str
    uri: str
    source: str
    category: str
    skill_level: SkillLevel
    tags: _containers.RepeatedScalarFieldContainer[str]
    metadata: _struct_pb2.Struct
    language: str
    source_date: _date_pb2.Date
    retrieval_enabled: bool
    state: DocumentState
    error: _status_pb2.Status
    chunk_count: int
    token_count: int
    char_count: int
    embedding_model: str
    citation_count: int
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    index_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., text: _Optional[str] = ..., uri: _Optional[str] = ..., source: _Optional[str] = ..., category: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., tags: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., language: _Optional[str] = ..., source_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., retrieval_enabled: bool = ..., state: _Optional[_Union[DocumentState, str]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., chunk_count: _Optional[int] = ..., token_count: _Optional[int] = ..., char_count: _Optional[int] = ..., embedding_model: _Optional[str] = ..., citation_count: _Optional[int] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., index_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Chunk(_message.Message):
    __slots__ = ("name", "index", "text", "section", "token_count", "start_offset", "end_offset")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SECTION_FIELD_NUMBER: _ClassVar[int]
    TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    START_OFFSET_FIELD_NUMBER: _ClassVar[int]
    END_OFFSET_FIELD_NUMBER: _ClassVar[int]
    name: str
    index: int
    text: str
    section: str
    token_count: int
    start_offset: int
    end_offset: int
    def __init__(self, name: _Optional[str] = ..., index: _Optional[int] = ..., text: _Optional[str] = ..., section: _Optional[str] = ..., token_count: _Optional[int] = ..., start_offset: _Optional[int] = ..., end_offset: _Optional[int] = ...) -> None: ...

class MessageStarted(_message.Message):
    __slots__ = ("user_message", "assistant_message", "model", "skill_level", "usage")
    USER_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    user_message: Message
    assistant_message: str
    model: str
    skill_level: SkillLevel
    usage: Usage
    def __init__(self, user_message: _Optional[_Union[Message, _Mapping]] = ..., assistant_message: _Optional[str] = ..., model: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ...) -> None: ...

class TextDelta(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class FollowUpSuggestions(_message.Message):
    __slots__ = ("suggestions",)
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    suggestions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, suggestions: _Optional[_Iterable[str]] = ...) -> None: ...

class MessageCompleted(_message.Message):
    __slots__ = ("message", "conversation_title")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_TITLE_FIELD_NUMBER: _ClassVar[int]
    message: Message
    conversation_title: str
    def __init__(self, message: _Optional[_Union[Message, _Mapping]] = ..., conversation_title: _Optional[str] = ...) -> None: ...

class CreateConversationRequest(_message.Message):
    __slots__ = ("parent", "conversation", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    conversation: Conversation
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., conversation: _Optional[_Union[Conversation, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateConversationResponse(_message.Message):
    __slots__ = ("conversation",)
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ...) -> None: ...

class GetConversationRequest(_message.Message):
    __slots__ = ("name", "include_messages", "message_page_size")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    name: str
    include_messages: bool
    message_page_size: int
    def __init__(self, name: _Optional[str] = ..., include_messages: bool = ..., message_page_size: _Optional[int] = ...) -> None: ...

class GetConversationResponse(_message.Message):
    __slots__ = ("conversation", "messages", "older_messages_page_token")
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    OLDER_MESSAGES_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    older_messages_page_token: str
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ..., messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ..., older_messages_page_token: _Optional[str] = ...) -> None: ...

class ListConversationsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "archive_filter", "pinned_only", "order_by")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_FILTER_FIELD_NUMBER: _ClassVar[int]
    PINNED_ONLY_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    archive_filter: ArchiveFilter
    pinned_only: bool
    order_by: ConversationOrder
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., archive_filter: _Optional[_Union[ArchiveFilter, str]] = ..., pinned_only: bool = ..., order_by: _Optional[_Union[ConversationOrder, str]] = ...) -> None: ...

class ListConversationsResponse(_message.Message):
    __slots__ = ("conversations", "next_page_token")
    CONVERSATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    conversations: _containers.RepeatedCompositeFieldContainer[Conversation]
    next_page_token: str
    def __init__(self, conversations: _Optional[_Iterable[_Union[Conversation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SearchConversationsRequest(_message.Message):
    __slots__ = ("parent", "query", "include_archived", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    query: str
    include_archived: bool
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., query: _Optional[str] = ..., include_archived: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchConversationsResponse(_message.Message):
    __slots__ = ("results", "next_page_token", "total_size")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ConversationSearchResult]
    next_page_token: str
    total_size: int
    def __init__(self, results: _Optional[_Iterable[_Union[ConversationSearchResult, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ConversationSearchResult(_message.Message):
    __slots__ = ("conversation", "title_matched", "message_matches", "score")
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    TITLE_MATCHED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_MATCHES_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    title_matched: bool
    message_matches: _containers.RepeatedCompositeFieldContainer[MessageMatch]
    score: float
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ..., title_matched: bool = ..., message_matches: _Optional[_Iterable[_Union[MessageMatch, _Mapping]]] = ..., score: _Optional[float] = ...) -> None: ...

class MessageMatch(_message.Message):
    __slots__ = ("message", "role", "snippet", "highlights", "create_time")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SNIPPET_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    message: str
    role: MessageRole
    snippet: str
    highlights: _containers.RepeatedCompositeFieldContainer[TextSpan]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, message: _Optional[str] = ..., role: _Optional[_Union[MessageRole, str]] = ..., snippet: _Optional[str] = ..., highlights: _Optional[_Iterable[_Union[TextSpan, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TextSpan(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class UpdateConversationRequest(_message.Message):
    __slots__ = ("conversation", "update_mask")
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateConversationResponse(_message.Message):
    __slots__ = ("conversation",)
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ...) -> None: ...

class ArchiveConversationRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ArchiveConversationResponse(_message.Message):
    __slots__ = ("conversation",)
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ...) -> None: ...

class UnarchiveConversationRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class UnarchiveConversationResponse(_message.Message):
    __slots__ = ("conversation",)
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    conversation: Conversation
    def __init__(self, conversation: _Optional[_Union[Conversation, _Mapping]] = ...) -> None: ...

class DeleteConversationRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteConversationResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExportConversationRequest(_message.Message):
    __slots__ = ("name", "format", "omit_citations", "omit_timestamps", "time_zone")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    OMIT_CITATIONS_FIELD_NUMBER: _ClassVar[int]
    OMIT_TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    name: str
    format: ExportFormat
    omit_citations: bool
    omit_timestamps: bool
    time_zone: str
    def __init__(self, name: _Optional[str] = ..., format: _Optional[_Union[ExportFormat, str]] = ..., omit_citations: bool = ..., omit_timestamps: bool = ..., time_zone: _Optional[str] = ...) -> None: ...

class ExportConversationResponse(_message.Message):
    __slots__ = ("file", "filename")
    FILE_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    file: _httpbody_pb2.HttpBody
    filename: str
    def __init__(self, file: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ..., filename: _Optional[str] = ...) -> None: ...

class SendMessageRequest(_message.Message):
    __slots__ = ("conversation", "content", "model", "temperature", "skill_level", "request_id")
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    conversation: str
    content: str
    model: str
    temperature: float
    skill_level: SkillLevel
    request_id: str
    def __init__(self, conversation: _Optional[str] = ..., content: _Optional[str] = ..., model: _Optional[str] = ..., temperature: _Optional[float] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SendMessageResponse(_message.Message):
    __slots__ = ("sequence", "started", "citation", "delta", "follow_up", "completed")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    started: MessageStarted
    citation: Citation
    delta: TextDelta
    follow_up: FollowUpSuggestions
    completed: MessageCompleted
    def __init__(self, sequence: _Optional[int] = ..., started: _Optional[_Union[MessageStarted, _Mapping]] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ..., delta: _Optional[_Union[TextDelta, _Mapping]] = ..., follow_up: _Optional[_Union[FollowUpSuggestions, _Mapping]] = ..., completed: _Optional[_Union[MessageCompleted, _Mapping]] = ...) -> None: ...

class RegenerateMessageRequest(_message.Message):
    __slots__ = ("name", "model", "temperature", "skill_level", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    model: str
    temperature: float
    skill_level: SkillLevel
    request_id: str
    def __init__(self, name: _Optional[str] = ..., model: _Optional[str] = ..., temperature: _Optional[float] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RegenerateMessageResponse(_message.Message):
    __slots__ = ("sequence", "started", "citation", "delta", "follow_up", "completed")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    started: MessageStarted
    citation: Citation
    delta: TextDelta
    follow_up: FollowUpSuggestions
    completed: MessageCompleted
    def __init__(self, sequence: _Optional[int] = ..., started: _Optional[_Union[MessageStarted, _Mapping]] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ..., delta: _Optional[_Union[TextDelta, _Mapping]] = ..., follow_up: _Optional[_Union[FollowUpSuggestions, _Mapping]] = ..., completed: _Optional[_Union[MessageCompleted, _Mapping]] = ...) -> None: ...

class StopGenerationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class StopGenerationResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: Message
    def __init__(self, message: _Optional[_Union[Message, _Mapping]] = ...) -> None: ...

class ListMessagesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "order_by", "include_superseded", "include_system")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SUPERSEDED_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SYSTEM_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    order_by: MessageOrder
    include_superseded: bool
    include_system: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., order_by: _Optional[_Union[MessageOrder, str]] = ..., include_superseded: bool = ..., include_system: bool = ...) -> None: ...

class ListMessagesResponse(_message.Message):
    __slots__ = ("messages", "next_page_token")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    next_page_token: str
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetMessageRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetMessageResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: Message
    def __init__(self, message: _Optional[_Union[Message, _Mapping]] = ...) -> None: ...

class SubmitFeedbackRequest(_message.Message):
    __slots__ = ("message", "rating", "reasons", "comment", "request_id")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    message: str
    rating: FeedbackRating
    reasons: _containers.RepeatedScalarFieldContainer[FeedbackReason]
    comment: str
    request_id: str
    def __init__(self, message: _Optional[str] = ..., rating: _Optional[_Union[FeedbackRating, str]] = ..., reasons: _Optional[_Iterable[_Union[FeedbackReason, str]]] = ..., comment: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SubmitFeedbackResponse(_message.Message):
    __slots__ = ("feedback",)
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    feedback: Feedback
    def __init__(self, feedback: _Optional[_Union[Feedback, _Mapping]] = ...) -> None: ...

class GetFeedbackRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetFeedbackResponse(_message.Message):
    __slots__ = ("feedback",)
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    feedback: Feedback
    def __init__(self, feedback: _Optional[_Union[Feedback, _Mapping]] = ...) -> None: ...

class DeleteFeedbackRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteFeedbackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class FeedbackFilter(_message.Message):
    __slots__ = ("rating", "reasons", "has_comment", "user", "model", "skill_level", "document", "start_time", "end_time")
    RATING_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    HAS_COMMENT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    rating: FeedbackRating
    reasons: _containers.RepeatedScalarFieldContainer[FeedbackReason]
    has_comment: bool
    user: str
    model: str
    skill_level: SkillLevel
    document: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, rating: _Optional[_Union[FeedbackRating, str]] = ..., reasons: _Optional[_Iterable[_Union[FeedbackReason, str]]] = ..., has_comment: bool = ..., user: _Optional[str] = ..., model: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., document: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListFeedbackRequest(_message.Message):
    __slots__ = ("filter", "page_size", "page_token")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filter: FeedbackFilter
    page_size: int
    page_token: str
    def __init__(self, filter: _Optional[_Union[FeedbackFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFeedbackResponse(_message.Message):
    __slots__ = ("feedback", "next_page_token", "positive_count", "negative_count")
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_COUNT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_COUNT_FIELD_NUMBER: _ClassVar[int]
    feedback: _containers.RepeatedCompositeFieldContainer[FeedbackReview]
    next_page_token: str
    positive_count: int
    negative_count: int
    def __init__(self, feedback: _Optional[_Iterable[_Union[FeedbackReview, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., positive_count: _Optional[int] = ..., negative_count: _Optional[int] = ...) -> None: ...

class FeedbackReview(_message.Message):
    __slots__ = ("feedback", "answer", "question")
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    feedback: Feedback
    answer: Message
    question: Message
    def __init__(self, feedback: _Optional[_Union[Feedback, _Mapping]] = ..., answer: _Optional[_Union[Message, _Mapping]] = ..., question: _Optional[_Union[Message, _Mapping]] = ...) -> None: ...

class GetUsageRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetUsageResponse(_message.Message):
    __slots__ = ("usage",)
    USAGE_FIELD_NUMBER: _ClassVar[int]
    usage: Usage
    def __init__(self, usage: _Optional[_Union[Usage, _Mapping]] = ...) -> None: ...

class GetChatSettingsRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetChatSettingsResponse(_message.Message):
    __slots__ = ("chat_settings",)
    CHAT_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    chat_settings: ChatSettings
    def __init__(self, chat_settings: _Optional[_Union[ChatSettings, _Mapping]] = ...) -> None: ...

class UpdateChatSettingsRequest(_message.Message):
    __slots__ = ("chat_settings", "update_mask")
    CHAT_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    chat_settings: ChatSettings
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, chat_settings: _Optional[_Union[ChatSettings, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateChatSettingsResponse(_message.Message):
    __slots__ = ("chat_settings",)
    CHAT_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    chat_settings: ChatSettings
    def __init__(self, chat_settings: _Optional[_Union[ChatSettings, _Mapping]] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models", "next_page_token")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[Model]
    next_page_token: str
    def __init__(self, models: _Optional[_Iterable[_Union[Model, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateDocumentRequest(_message.Message):
    __slots__ = ("document", "request_id")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    document: Document
    request_id: str
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class GetDocumentRequest(_message.Message):
    __slots__ = ("name", "view")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    name: str
    view: DocumentView
    def __init__(self, name: _Optional[str] = ..., view: _Optional[_Union[DocumentView, str]] = ...) -> None: ...

class GetDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class DocumentFilter(_message.Message):
    __slots__ = ("states", "category", "skill_level", "tags", "query", "retrieval_enabled")
    STATES_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    RETRIEVAL_ENABLED_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[DocumentState]
    category: str
    skill_level: SkillLevel
    tags: _containers.RepeatedScalarFieldContainer[str]
    query: str
    retrieval_enabled: bool
    def __init__(self, states: _Optional[_Iterable[_Union[DocumentState, str]]] = ..., category: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., tags: _Optional[_Iterable[str]] = ..., query: _Optional[str] = ..., retrieval_enabled: bool = ...) -> None: ...

class ListDocumentsRequest(_message.Message):
    __slots__ = ("filter", "order_by", "page_size", "page_token")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filter: DocumentFilter
    order_by: DocumentOrder
    page_size: int
    page_token: str
    def __init__(self, filter: _Optional[_Union[DocumentFilter, _Mapping]] = ..., order_by: _Optional[_Union[DocumentOrder, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDocumentsResponse(_message.Message):
    __slots__ = ("documents", "next_page_token", "total_size")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    next_page_token: str
    total_size: int
    def __init__(self, documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateDocumentRequest(_message.Message):
    __slots__ = ("document", "update_mask")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    document: Document
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class DeleteDocumentRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteDocumentResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReindexDocumentRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReindexDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class ListDocumentChunksRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDocumentChunksResponse(_message.Message):
    __slots__ = ("chunks", "next_page_token")
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[Chunk]
    next_page_token: str
    def __init__(self, chunks: _Optional[_Iterable[_Union[Chunk, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RetrieveChunksRequest(_message.Message):
    __slots__ = ("query", "top_k", "skill_level", "categories", "tags", "documents", "min_score", "include_disabled")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DISABLED_FIELD_NUMBER: _ClassVar[int]
    query: str
    top_k: int
    skill_level: SkillLevel
    categories: _containers.RepeatedScalarFieldContainer[str]
    tags: _containers.RepeatedScalarFieldContainer[str]
    documents: _containers.RepeatedScalarFieldContainer[str]
    min_score: float
    include_disabled: bool
    def __init__(self, query: _Optional[str] = ..., top_k: _Optional[int] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., categories: _Optional[_Iterable[str]] = ..., tags: _Optional[_Iterable[str]] = ..., documents: _Optional[_Iterable[str]] = ..., min_score: _Optional[float] = ..., include_disabled: bool = ...) -> None: ...

class RetrieveChunksResponse(_message.Message):
    __slots__ = ("chunks", "embedding_model", "answer_score_threshold", "latency")
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_MODEL_FIELD_NUMBER: _ClassVar[int]
    ANSWER_SCORE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[RetrievedChunk]
    embedding_model: str
    answer_score_threshold: float
    latency: _duration_pb2.Duration
    def __init__(self, chunks: _Optional[_Iterable[_Union[RetrievedChunk, _Mapping]]] = ..., embedding_model: _Optional[str] = ..., answer_score_threshold: _Optional[float] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RetrievedChunk(_message.Message):
    __slots__ = ("rank", "score", "chunk", "document", "title", "source", "category", "skill_level", "used_by_answers")
    RANK_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SKILL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    USED_BY_ANSWERS_FIELD_NUMBER: _ClassVar[int]
    rank: int
    score: float
    chunk: Chunk
    document: str
    title: str
    source: str
    category: str
    skill_level: SkillLevel
    used_by_answers: bool
    def __init__(self, rank: _Optional[int] = ..., score: _Optional[float] = ..., chunk: _Optional[_Union[Chunk, _Mapping]] = ..., document: _Optional[str] = ..., title: _Optional[str] = ..., source: _Optional[str] = ..., category: _Optional[str] = ..., skill_level: _Optional[_Union[SkillLevel, str]] = ..., used_by_answers: bool = ...) -> None: ...

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
