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
from marquee.api.v1 import access_pb2 as _access_pb2
from marquee.api.v1 import limits_pb2 as _limits_pb2
from marquee.api.v1 import userdata_pb2 as _userdata_pb2
from marquee.longrunning.v1 import operation_pb2 as _operation_pb2
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
    ERROR_REASON_TRANSCRIPT_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_VIDEO_TOO_LONG: _ClassVar[ErrorReason]
    ERROR_REASON_UNSUPPORTED_SOURCE: _ClassVar[ErrorReason]
    ERROR_REASON_JOB_ALREADY_DONE: _ClassVar[ErrorReason]
    ERROR_REASON_QUIZ_NOT_READY: _ClassVar[ErrorReason]
    ERROR_REASON_LLM_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_VIDEO_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_VIDEO_HOST_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_TRANSCRIPT_TOO_LONG: _ClassVar[ErrorReason]
    ERROR_REASON_TRANSCRIPT_TOO_SHORT: _ClassVar[ErrorReason]
    ERROR_REASON_ASSET_NOT_READY: _ClassVar[ErrorReason]
    ERROR_REASON_DUPLICATE_SOURCE: _ClassVar[ErrorReason]
    ERROR_REASON_TOO_MANY_ACTIVE_JOBS: _ClassVar[ErrorReason]
    ERROR_REASON_CONTENT_REJECTED: _ClassVar[ErrorReason]
    ERROR_REASON_CREDITS_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_LANGUAGE_UNSUPPORTED: _ClassVar[ErrorReason]

class SourceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCE_KIND_UNSPECIFIED: _ClassVar[SourceKind]
    SOURCE_KIND_YOUTUBE_VIDEO: _ClassVar[SourceKind]
    SOURCE_KIND_MEDIA_ASSET: _ClassVar[SourceKind]
    SOURCE_KIND_UPLOADED_TRANSCRIPT: _ClassVar[SourceKind]

class TranscriptOrigin(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSCRIPT_ORIGIN_UNSPECIFIED: _ClassVar[TranscriptOrigin]
    TRANSCRIPT_ORIGIN_PUBLISHER_CAPTIONS: _ClassVar[TranscriptOrigin]
    TRANSCRIPT_ORIGIN_AUTO_CAPTIONS: _ClassVar[TranscriptOrigin]
    TRANSCRIPT_ORIGIN_SPEECH_RECOGNITION: _ClassVar[TranscriptOrigin]
    TRANSCRIPT_ORIGIN_UPLOADED: _ClassVar[TranscriptOrigin]

class TranscriptFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSCRIPT_FORMAT_UNSPECIFIED: _ClassVar[TranscriptFormat]
    TRANSCRIPT_FORMAT_PLAIN_TEXT: _ClassVar[TranscriptFormat]
    TRANSCRIPT_FORMAT_WEBVTT: _ClassVar[TranscriptFormat]
    TRANSCRIPT_FORMAT_SRT: _ClassVar[TranscriptFormat]

class DetailLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DETAIL_LEVEL_UNSPECIFIED: _ClassVar[DetailLevel]
    DETAIL_LEVEL_BRIEF: _ClassVar[DetailLevel]
    DETAIL_LEVEL_STANDARD: _ClassVar[DetailLevel]
    DETAIL_LEVEL_DETAILED: _ClassVar[DetailLevel]

class NoteStyle(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTE_STYLE_UNSPECIFIED: _ClassVar[NoteStyle]
    NOTE_STYLE_STUDY_GUIDE: _ClassVar[NoteStyle]
    NOTE_STYLE_OUTLINE: _ClassVar[NoteStyle]
    NOTE_STYLE_CORNELL: _ClassVar[NoteStyle]
    NOTE_STYLE_SUMMARY: _ClassVar[NoteStyle]

class NoteView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTE_VIEW_UNSPECIFIED: _ClassVar[NoteView]
    NOTE_VIEW_BASIC: _ClassVar[NoteView]
    NOTE_VIEW_FULL: _ClassVar[NoteView]

class NoteOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTE_ORDER_UNSPECIFIED: _ClassVar[NoteOrder]
    NOTE_ORDER_NEWEST: _ClassVar[NoteOrder]
    NOTE_ORDER_OLDEST: _ClassVar[NoteOrder]
    NOTE_ORDER_RECENTLY_UPDATED: _ClassVar[NoteOrder]
    NOTE_ORDER_TITLE: _ClassVar[NoteOrder]
    NOTE_ORDER_RELEVANCE: _ClassVar[NoteOrder]

class GenerationStep(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENERATION_STEP_UNSPECIFIED: _ClassVar[GenerationStep]
    GENERATION_STEP_FETCH_TRANSCRIPT: _ClassVar[GenerationStep]
    GENERATION_STEP_CHUNK: _ClassVar[GenerationStep]
    GENERATION_STEP_SUMMARIZE: _ClassVar[GenerationStep]
    GENERATION_STEP_LINK: _ClassVar[GenerationStep]
    GENERATION_STEP_QUIZ: _ClassVar[GenerationStep]
    GENERATION_STEP_FINALIZE: _ClassVar[GenerationStep]

class StepState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEP_STATE_UNSPECIFIED: _ClassVar[StepState]
    STEP_STATE_PENDING: _ClassVar[StepState]
    STEP_STATE_RUNNING: _ClassVar[StepState]
    STEP_STATE_SUCCEEDED: _ClassVar[StepState]
    STEP_STATE_FAILED: _ClassVar[StepState]
    STEP_STATE_SKIPPED: _ClassVar[StepState]

class CreditStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_STATUS_UNSPECIFIED: _ClassVar[CreditStatus]
    CREDIT_STATUS_RESERVED: _ClassVar[CreditStatus]
    CREDIT_STATUS_CHARGED: _ClassVar[CreditStatus]
    CREDIT_STATUS_RELEASED: _ClassVar[CreditStatus]

class LinkRelation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINK_RELATION_UNSPECIFIED: _ClassVar[LinkRelation]
    LINK_RELATION_RELATED: _ClassVar[LinkRelation]
    LINK_RELATION_PREREQUISITE: _ClassVar[LinkRelation]
    LINK_RELATION_FOLLOW_UP: _ClassVar[LinkRelation]
    LINK_RELATION_SAME_SOURCE: _ClassVar[LinkRelation]
    LINK_RELATION_SAME_SUBJECT: _ClassVar[LinkRelation]

class LinkOrigin(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINK_ORIGIN_UNSPECIFIED: _ClassVar[LinkOrigin]
    LINK_ORIGIN_AUTOMATIC: _ClassVar[LinkOrigin]
    LINK_ORIGIN_MANUAL: _ClassVar[LinkOrigin]

class ExportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXPORT_FORMAT_UNSPECIFIED: _ClassVar[ExportFormat]
    EXPORT_FORMAT_MARKDOWN: _ClassVar[ExportFormat]
    EXPORT_FORMAT_PDF: _ClassVar[ExportFormat]

class LinkStyle(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINK_STYLE_UNSPECIFIED: _ClassVar[LinkStyle]
    LINK_STYLE_WIKI: _ClassVar[LinkStyle]
    LINK_STYLE_MARKDOWN: _ClassVar[LinkStyle]
    LINK_STYLE_NONE: _ClassVar[LinkStyle]

class QuestionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUESTION_TYPE_UNSPECIFIED: _ClassVar[QuestionType]
    QUESTION_TYPE_MULTIPLE_CHOICE: _ClassVar[QuestionType]
    QUESTION_TYPE_MULTIPLE_SELECT: _ClassVar[QuestionType]
    QUESTION_TYPE_TRUE_FALSE: _ClassVar[QuestionType]
    QUESTION_TYPE_SHORT_ANSWER: _ClassVar[QuestionType]

class Difficulty(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIFFICULTY_UNSPECIFIED: _ClassVar[Difficulty]
    DIFFICULTY_EASY: _ClassVar[Difficulty]
    DIFFICULTY_MEDIUM: _ClassVar[Difficulty]
    DIFFICULTY_HARD: _ClassVar[Difficulty]
    DIFFICULTY_MIXED: _ClassVar[Difficulty]

class QuizState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUIZ_STATE_UNSPECIFIED: _ClassVar[QuizState]
    QUIZ_STATE_GENERATING: _ClassVar[QuizState]
    QUIZ_STATE_READY: _ClassVar[QuizState]

class QuizView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUIZ_VIEW_UNSPECIFIED: _ClassVar[QuizView]
    QUIZ_VIEW_QUESTIONS: _ClassVar[QuizView]
    QUIZ_VIEW_WITH_ANSWERS: _ClassVar[QuizView]

class Correctness(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CORRECTNESS_UNSPECIFIED: _ClassVar[Correctness]
    CORRECTNESS_CORRECT: _ClassVar[Correctness]
    CORRECTNESS_PARTIALLY_CORRECT: _ClassVar[Correctness]
    CORRECTNESS_INCORRECT: _ClassVar[Correctness]
    CORRECTNESS_UNANSWERED: _ClassVar[Correctness]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_INSUFFICIENT_CREDITS: ErrorReason
ERROR_REASON_TRANSCRIPT_UNAVAILABLE: ErrorReason
ERROR_REASON_VIDEO_TOO_LONG: ErrorReason
ERROR_REASON_UNSUPPORTED_SOURCE: ErrorReason
ERROR_REASON_JOB_ALREADY_DONE: ErrorReason
ERROR_REASON_QUIZ_NOT_READY: ErrorReason
ERROR_REASON_LLM_UNAVAILABLE: ErrorReason
ERROR_REASON_VIDEO_UNAVAILABLE: ErrorReason
ERROR_REASON_VIDEO_HOST_UNAVAILABLE: ErrorReason
ERROR_REASON_TRANSCRIPT_TOO_LONG: ErrorReason
ERROR_REASON_TRANSCRIPT_TOO_SHORT: ErrorReason
ERROR_REASON_ASSET_NOT_READY: ErrorReason
ERROR_REASON_DUPLICATE_SOURCE: ErrorReason
ERROR_REASON_TOO_MANY_ACTIVE_JOBS: ErrorReason
ERROR_REASON_CONTENT_REJECTED: ErrorReason
ERROR_REASON_CREDITS_UNAVAILABLE: ErrorReason
ERROR_REASON_LANGUAGE_UNSUPPORTED: ErrorReason
SOURCE_KIND_UNSPECIFIED: SourceKind
SOURCE_KIND_YOUTUBE_VIDEO: SourceKind
SOURCE_KIND_MEDIA_ASSET: SourceKind
SOURCE_KIND_UPLOADED_TRANSCRIPT: SourceKind
TRANSCRIPT_ORIGIN_UNSPECIFIED: TranscriptOrigin
TRANSCRIPT_ORIGIN_PUBLISHER_CAPTIONS: TranscriptOrigin
TRANSCRIPT_ORIGIN_AUTO_CAPTIONS: TranscriptOrigin
TRANSCRIPT_ORIGIN_SPEECH_RECOGNITION: TranscriptOrigin
TRANSCRIPT_ORIGIN_UPLOADED: TranscriptOrigin
TRANSCRIPT_FORMAT_UNSPECIFIED: TranscriptFormat
TRANSCRIPT_FORMAT_PLAIN_TEXT: TranscriptFormat
TRANSCRIPT_FORMAT_WEBVTT: TranscriptFormat
TRANSCRIPT_FORMAT_SRT: TranscriptFormat
DETAIL_LEVEL_UNSPECIFIED: DetailLevel
DETAIL_LEVEL_BRIEF: DetailLevel
DETAIL_LEVEL_STANDARD: DetailLevel
DETAIL_LEVEL_DETAILED: DetailLevel
NOTE_STYLE_UNSPECIFIED: NoteStyle
NOTE_STYLE_STUDY_GUIDE: NoteStyle
NOTE_STYLE_OUTLINE: NoteStyle
NOTE_STYLE_CORNELL: NoteStyle
NOTE_STYLE_SUMMARY: NoteStyle
NOTE_VIEW_UNSPECIFIED: NoteView
NOTE_VIEW_BASIC: NoteView
NOTE_VIEW_FULL: NoteView
NOTE_ORDER_UNSPECIFIED: NoteOrder
NOTE_ORDER_NEWEST: NoteOrder
NOTE_ORDER_OLDEST: NoteOrder
NOTE_ORDER_RECENTLY_UPDATED: NoteOrder
NOTE_ORDER_TITLE: NoteOrder
NOTE_ORDER_RELEVANCE: NoteOrder
GENERATION_STEP_UNSPECIFIED: GenerationStep
GENERATION_STEP_FETCH_TRANSCRIPT: GenerationStep
GENERATION_STEP_CHUNK: GenerationStep
GENERATION_STEP_SUMMARIZE: GenerationStep
GENERATION_STEP_LINK: GenerationStep
GENERATION_STEP_QUIZ: GenerationStep
GENERATION_STEP_FINALIZE: GenerationStep
STEP_STATE_UNSPECIFIED: StepState
STEP_STATE_PENDING: StepState
STEP_STATE_RUNNING: StepState
STEP_STATE_SUCCEEDED: StepState
STEP_STATE_FAILED: StepState
STEP_STATE_SKIPPED: StepState
CREDIT_STATUS_UNSPECIFIED: CreditStatus
CREDIT_STATUS_RESERVED: CreditStatus
CREDIT_STATUS_CHARGED: CreditStatus
CREDIT_STATUS_RELEASED: CreditStatus
LINK_RELATION_UNSPECIFIED: LinkRelation
LINK_RELATION_RELATED: LinkRelation
LINK_RELATION_PREREQUISITE: LinkRelation
LINK_RELATION_FOLLOW_UP: LinkRelation
LINK_RELATION_SAME_SOURCE: LinkRelation
LINK_RELATION_SAME_SUBJECT: LinkRelation
LINK_ORIGIN_UNSPECIFIED: LinkOrigin
LINK_ORIGIN_AUTOMATIC: LinkOrigin
LINK_ORIGIN_MANUAL: LinkOrigin
EXPORT_FORMAT_UNSPECIFIED: ExportFormat
EXPORT_FORMAT_MARKDOWN: ExportFormat
EXPORT_FORMAT_PDF: ExportFormat
LINK_STYLE_UNSPECIFIED: LinkStyle
LINK_STYLE_WIKI: LinkStyle
LINK_STYLE_MARKDOWN: LinkStyle
LINK_STYLE_NONE: LinkStyle
QUESTION_TYPE_UNSPECIFIED: QuestionType
QUESTION_TYPE_MULTIPLE_CHOICE: QuestionType
QUESTION_TYPE_MULTIPLE_SELECT: QuestionType
QUESTION_TYPE_TRUE_FALSE: QuestionType
QUESTION_TYPE_SHORT_ANSWER: QuestionType
DIFFICULTY_UNSPECIFIED: Difficulty
DIFFICULTY_EASY: Difficulty
DIFFICULTY_MEDIUM: Difficulty
DIFFICULTY_HARD: Difficulty
DIFFICULTY_MIXED: Difficulty
QUIZ_STATE_UNSPECIFIED: QuizState
QUIZ_STATE_GENERATING: QuizState
QUIZ_STATE_READY: QuizState
QUIZ_VIEW_UNSPECIFIED: QuizView
QUIZ_VIEW_QUESTIONS: QuizView
QUIZ_VIEW_WITH_ANSWERS: QuizView
CORRECTNESS_UNSPECIFIED: Correctness
CORRECTNESS_CORRECT: Correctness
CORRECTNESS_PARTIALLY_CORRECT: Correctness
CORRECTNESS_INCORRECT: Correctness
CORRECTNESS_UNANSWERED: Correctness

class TranscriptInput(_message.Message):
    __slots__ = ("text", "format", "title", "language_code", "video_uri")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_URI_FIELD_NUMBER: _ClassVar[int]
    text: str
    format: TranscriptFormat
    title: str
    language_code: str
    video_uri: str
    def __init__(self, text: _Optional[str] = ..., format: _Optional[_Union[TranscriptFormat, str]] = ..., title: _Optional[str] = ..., language_code: _Optional[str] = ..., video_uri: _Optional[str] = ...) -> None: ...

class SourceInput(_message.Message):
    __slots__ = ("video_uri", "asset", "transcript")
    VIDEO_URI_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    video_uri: str
    asset: str
    transcript: TranscriptInput
    def __init__(self, video_uri: _Optional[str] = ..., asset: _Optional[str] = ..., transcript: _Optional[_Union[TranscriptInput, _Mapping]] = ...) -> None: ...

class QuizOptions(_message.Message):
    __slots__ = ("question_count", "question_types", "difficulty", "section_indexes")
    QUESTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    QUESTION_TYPES_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    SECTION_INDEXES_FIELD_NUMBER: _ClassVar[int]
    question_count: int
    question_types: _containers.RepeatedScalarFieldContainer[QuestionType]
    difficulty: Difficulty
    section_indexes: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, question_count: _Optional[int] = ..., question_types: _Optional[_Iterable[_Union[QuestionType, str]]] = ..., difficulty: _Optional[_Union[Difficulty, str]] = ..., section_indexes: _Optional[_Iterable[int]] = ...) -> None: ...

class NoteOptions(_message.Message):
    __slots__ = ("subject", "language_code", "detail_level", "style", "instructions", "title", "tags", "include_quiz", "quiz_options", "link_notes")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_QUIZ_FIELD_NUMBER: _ClassVar[int]
    QUIZ_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    LINK_NOTES_FIELD_NUMBER: _ClassVar[int]
    subject: str
    language_code: str
    detail_level: DetailLevel
    style: NoteStyle
    instructions: str
    title: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    include_quiz: bool
    quiz_options: QuizOptions
    link_notes: bool
    def __init__(self, subject: _Optional[str] = ..., language_code: _Optional[str] = ..., detail_level: _Optional[_Union[DetailLevel, str]] = ..., style: _Optional[_Union[NoteStyle, str]] = ..., instructions: _Optional[str] = ..., title: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., include_quiz: bool = ..., quiz_options: _Optional[_Union[QuizOptions, _Mapping]] = ..., link_notes: bool = ...) -> None: ...

class NoteSource(_message.Message):
    __slots__ = ("kind", "video_uri", "video_id", "asset", "title", "channel", "channel_uri", "duration", "thumbnail_uri", "publish_date", "language_code", "transcript_origin")
    KIND_FIELD_NUMBER: _ClassVar[int]
    VIDEO_URI_FIELD_NUMBER: _ClassVar[int]
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_URI_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_URI_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_DATE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    kind: SourceKind
    video_uri: str
    video_id: str
    asset: str
    title: str
    channel: str
    channel_uri: str
    duration: _duration_pb2.Duration
    thumbnail_uri: str
    publish_date: _date_pb2.Date
    language_code: str
    transcript_origin: TranscriptOrigin
    def __init__(self, kind: _Optional[_Union[SourceKind, str]] = ..., video_uri: _Optional[str] = ..., video_id: _Optional[str] = ..., asset: _Optional[str] = ..., title: _Optional[str] = ..., channel: _Optional[str] = ..., channel_uri: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., thumbnail_uri: _Optional[str] = ..., publish_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., language_code: _Optional[str] = ..., transcript_origin: _Optional[_Union[TranscriptOrigin, str]] = ...) -> None: ...

class TokenUsage(_message.Message):
    __slots__ = ("input_tokens", "output_tokens")
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    input_tokens: int
    output_tokens: int
    def __init__(self, input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ...) -> None: ...

class KeyPoint(_message.Message):
    __slots__ = ("text", "offset", "watch_uri")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    WATCH_URI_FIELD_NUMBER: _ClassVar[int]
    text: str
    offset: _duration_pb2.Duration
    watch_uri: str
    def __init__(self, text: _Optional[str] = ..., offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., watch_uri: _Optional[str] = ...) -> None: ...

class Section(_message.Message):
    __slots__ = ("title", "start_offset", "end_offset", "summary", "key_points", "watch_uri")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    START_OFFSET_FIELD_NUMBER: _ClassVar[int]
    END_OFFSET_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    KEY_POINTS_FIELD_NUMBER: _ClassVar[int]
    WATCH_URI_FIELD_NUMBER: _ClassVar[int]
    title: str
    start_offset: _duration_pb2.Duration
    end_offset: _duration_pb2.Duration
    summary: str
    key_points: _containers.RepeatedCompositeFieldContainer[KeyPoint]
    watch_uri: str
    def __init__(self, title: _Optional[str] = ..., start_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., end_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., summary: _Optional[str] = ..., key_points: _Optional[_Iterable[_Union[KeyPoint, _Mapping]]] = ..., watch_uri: _Optional[str] = ...) -> None: ...

class KeyTerm(_message.Message):
    __slots__ = ("term", "definition", "offset")
    TERM_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    term: str
    definition: str
    offset: _duration_pb2.Duration
    def __init__(self, term: _Optional[str] = ..., definition: _Optional[str] = ..., offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Note(_message.Message):
    __slots__ = ("name", "title", "source", "subject", "tags", "language_code", "style", "detail_level", "summary", "sections", "key_terms", "markdown", "markdown_edited", "word_count", "latest_quiz", "quiz_count", "link_count", "model", "usage", "credits_spent", "operation", "etag", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_LEVEL_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    KEY_TERMS_FIELD_NUMBER: _ClassVar[int]
    MARKDOWN_FIELD_NUMBER: _ClassVar[int]
    MARKDOWN_EDITED_FIELD_NUMBER: _ClassVar[int]
    WORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    LATEST_QUIZ_FIELD_NUMBER: _ClassVar[int]
    QUIZ_COUNT_FIELD_NUMBER: _ClassVar[int]
    LINK_COUNT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    CREDITS_SPENT_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    source: NoteSource
    subject: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    language_code: str
    style: NoteStyle
    detail_level: DetailLevel
    summary: str
    sections: _containers.RepeatedCompositeFieldContainer[Section]
    key_terms: _containers.RepeatedCompositeFieldContainer[KeyTerm]
    markdown: str
    markdown_edited: bool
    word_count: int
    latest_quiz: str
    quiz_count: int
    link_count: int
    model: str
    usage: TokenUsage
    credits_spent: int
    operation: str
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., source: _Optional[_Union[NoteSource, _Mapping]] = ..., subject: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., language_code: _Optional[str] = ..., style: _Optional[_Union[NoteStyle, str]] = ..., detail_level: _Optional[_Union[DetailLevel, str]] = ..., summary: _Optional[str] = ..., sections: _Optional[_Iterable[_Union[Section, _Mapping]]] = ..., key_terms: _Optional[_Iterable[_Union[KeyTerm, _Mapping]]] = ..., markdown: _Optional[str] = ..., markdown_edited: bool = ..., word_count: _Optional[int] = ..., latest_quiz: _Optional[str] = ..., quiz_count: _Optional[int] = ..., link_count: _Optional[int] = ..., model: _Optional[str] = ..., usage: _Optional[_Union[TokenUsage, _Mapping]] = ..., credits_spent: _Optional[int] = ..., operation: _Optional[str] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NoteFilter(_message.Message):
    __slots__ = ("query", "subject", "tags", "source_kind", "source", "create_time_start", "create_time_end")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_START_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_END_FIELD_NUMBER: _ClassVar[int]
    query: str
    subject: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    source_kind: SourceKind
    source: str
    create_time_start: _timestamp_pb2.Timestamp
    create_time_end: _timestamp_pb2.Timestamp
    def __init__(self, query: _Optional[str] = ..., subject: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., source_kind: _Optional[_Union[SourceKind, str]] = ..., source: _Optional[str] = ..., create_time_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StepStatus(_message.Message):
    __slots__ = ("step", "state", "start_time", "end_time")
    STEP_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    step: GenerationStep
    state: StepState
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, step: _Optional[_Union[GenerationStep, str]] = ..., state: _Optional[_Union[StepState, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GenerateNotesMetadata(_message.Message):
    __slots__ = ("note", "source", "options", "steps", "chunk_count", "chunks_done", "queue_position", "estimated_end_time", "credits", "credit_status", "model", "usage", "quiz_error")
    NOTE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_DONE_FIELD_NUMBER: _ClassVar[int]
    QUEUE_POSITION_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_END_TIME_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_STATUS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    QUIZ_ERROR_FIELD_NUMBER: _ClassVar[int]
    note: str
    source: NoteSource
    options: NoteOptions
    steps: _containers.RepeatedCompositeFieldContainer[StepStatus]
    chunk_count: int
    chunks_done: int
    queue_position: int
    estimated_end_time: _timestamp_pb2.Timestamp
    credits: int
    credit_status: CreditStatus
    model: str
    usage: TokenUsage
    quiz_error: _status_pb2.Status
    def __init__(self, note: _Optional[str] = ..., source: _Optional[_Union[NoteSource, _Mapping]] = ..., options: _Optional[_Union[NoteOptions, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[StepStatus, _Mapping]]] = ..., chunk_count: _Optional[int] = ..., chunks_done: _Optional[int] = ..., queue_position: _Optional[int] = ..., estimated_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., credits: _Optional[int] = ..., credit_status: _Optional[_Union[CreditStatus, str]] = ..., model: _Optional[str] = ..., usage: _Optional[_Union[TokenUsage, _Mapping]] = ..., quiz_error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class GenerateQuizMetadata(_message.Message):
    __slots__ = ("note", "quiz", "options", "steps", "model", "usage")
    NOTE_FIELD_NUMBER: _ClassVar[int]
    QUIZ_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    note: str
    quiz: str
    options: QuizOptions
    steps: _containers.RepeatedCompositeFieldContainer[StepStatus]
    model: str
    usage: TokenUsage
    def __init__(self, note: _Optional[str] = ..., quiz: _Optional[str] = ..., options: _Optional[_Union[QuizOptions, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[StepStatus, _Mapping]]] = ..., model: _Optional[str] = ..., usage: _Optional[_Union[TokenUsage, _Mapping]] = ...) -> None: ...

class TranscriptSegment(_message.Message):
    __slots__ = ("start_offset", "end_offset", "text")
    START_OFFSET_FIELD_NUMBER: _ClassVar[int]
    END_OFFSET_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    start_offset: _duration_pb2.Duration
    end_offset: _duration_pb2.Duration
    text: str
    def __init__(self, start_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., end_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., text: _Optional[str] = ...) -> None: ...

class Transcript(_message.Message):
    __slots__ = ("name", "language_code", "origin", "timed", "word_count", "segments")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    TIMED_FIELD_NUMBER: _ClassVar[int]
    WORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    language_code: str
    origin: TranscriptOrigin
    timed: bool
    word_count: int
    segments: _containers.RepeatedCompositeFieldContainer[TranscriptSegment]
    def __init__(self, name: _Optional[str] = ..., language_code: _Optional[str] = ..., origin: _Optional[_Union[TranscriptOrigin, str]] = ..., timed: bool = ..., word_count: _Optional[int] = ..., segments: _Optional[_Iterable[_Union[TranscriptSegment, _Mapping]]] = ...) -> None: ...

class Subject(_message.Message):
    __slots__ = ("display_name", "note_count", "last_note_time")
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    NOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_NOTE_TIME_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    note_count: int
    last_note_time: _timestamp_pb2.Timestamp
    def __init__(self, display_name: _Optional[str] = ..., note_count: _Optional[int] = ..., last_note_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StudyStats(_message.Message):
    __slots__ = ("name", "note_count", "notes_last_30_days", "subject_count", "total_source_duration", "credits_spent", "credits_spent_last_30_days", "quiz_attempt_count", "average_score_percent", "active_operation_count", "last_note_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    NOTES_LAST_30_DAYS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SOURCE_DURATION_FIELD_NUMBER: _ClassVar[int]
    CREDITS_SPENT_FIELD_NUMBER: _ClassVar[int]
    CREDITS_SPENT_LAST_30_DAYS_FIELD_NUMBER: _ClassVar[int]
    QUIZ_ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_SCORE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_OPERATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_NOTE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    note_count: int
    notes_last_30_days: int
    subject_count: int
    total_source_duration: _duration_pb2.Duration
    credits_spent: int
    credits_spent_last_30_days: int
    quiz_attempt_count: int
    average_score_percent: float
    active_operation_count: int
    last_note_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., note_count: _Optional[int] = ..., notes_last_30_days: _Optional[int] = ..., subject_count: _Optional[int] = ..., total_source_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., credits_spent: _Optional[int] = ..., credits_spent_last_30_days: _Optional[int] = ..., quiz_attempt_count: _Optional[int] = ..., average_score_percent: _Optional[float] = ..., active_operation_count: _Optional[int] = ..., last_note_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NoteLink(_message.Message):
    __slots__ = ("name", "target", "relation", "comment", "origin", "score", "shared_concepts", "target_title", "target_subject", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SHARED_CONCEPTS_FIELD_NUMBER: _ClassVar[int]
    TARGET_TITLE_FIELD_NUMBER: _ClassVar[int]
    TARGET_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    target: str
    relation: LinkRelation
    comment: str
    origin: LinkOrigin
    score: float
    shared_concepts: _containers.RepeatedScalarFieldContainer[str]
    target_title: str
    target_subject: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., target: _Optional[str] = ..., relation: _Optional[_Union[LinkRelation, str]] = ..., comment: _Optional[str] = ..., origin: _Optional[_Union[LinkOrigin, str]] = ..., score: _Optional[float] = ..., shared_concepts: _Optional[_Iterable[str]] = ..., target_title: _Optional[str] = ..., target_subject: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class QuestionOption(_message.Message):
    __slots__ = ("id", "text")
    ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    id: str
    text: str
    def __init__(self, id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class Question(_message.Message):
    __slots__ = ("id", "type", "prompt", "options", "difficulty", "points", "section_index", "offset", "correct_option_ids", "reference_answer", "explanation")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    SECTION_INDEX_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    CORRECT_OPTION_IDS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ANSWER_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: QuestionType
    prompt: str
    options: _containers.RepeatedCompositeFieldContainer[QuestionOption]
    difficulty: Difficulty
    points: int
    section_index: int
    offset: _duration_pb2.Duration
    correct_option_ids: _containers.RepeatedScalarFieldContainer[str]
    reference_answer: str
    explanation: str
    def __init__(self, id: _Optional[str] = ..., type: _Optional[_Union[QuestionType, str]] = ..., prompt: _Optional[str] = ..., options: _Optional[_Iterable[_Union[QuestionOption, _Mapping]]] = ..., difficulty: _Optional[_Union[Difficulty, str]] = ..., points: _Optional[int] = ..., section_index: _Optional[int] = ..., offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., correct_option_ids: _Optional[_Iterable[str]] = ..., reference_answer: _Optional[str] = ..., explanation: _Optional[str] = ...) -> None: ...

class Quiz(_message.Message):
    __slots__ = ("name", "state", "title", "options", "questions", "max_score", "attempt_count", "best_score_percent", "model", "operation", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_SCORE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    BEST_SCORE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: QuizState
    title: str
    options: QuizOptions
    questions: _containers.RepeatedCompositeFieldContainer[Question]
    max_score: int
    attempt_count: int
    best_score_percent: float
    model: str
    operation: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[QuizState, str]] = ..., title: _Optional[str] = ..., options: _Optional[_Union[QuizOptions, _Mapping]] = ..., questions: _Optional[_Iterable[_Union[Question, _Mapping]]] = ..., max_score: _Optional[int] = ..., attempt_count: _Optional[int] = ..., best_score_percent: _Optional[float] = ..., model: _Optional[str] = ..., operation: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Answer(_message.Message):
    __slots__ = ("question_id", "selected_option_ids", "text")
    QUESTION_ID_FIELD_NUMBER: _ClassVar[int]
    SELECTED_OPTION_IDS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    question_id: str
    selected_option_ids: _containers.RepeatedScalarFieldContainer[str]
    text: str
    def __init__(self, question_id: _Optional[str] = ..., selected_option_ids: _Optional[_Iterable[str]] = ..., text: _Optional[str] = ...) -> None: ...

class QuestionResult(_message.Message):
    __slots__ = ("question_id", "correctness", "points_awarded", "points_possible", "correct_option_ids", "reference_answer", "explanation", "feedback", "review_offset", "review_uri")
    QUESTION_ID_FIELD_NUMBER: _ClassVar[int]
    CORRECTNESS_FIELD_NUMBER: _ClassVar[int]
    POINTS_AWARDED_FIELD_NUMBER: _ClassVar[int]
    POINTS_POSSIBLE_FIELD_NUMBER: _ClassVar[int]
    CORRECT_OPTION_IDS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ANSWER_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    REVIEW_OFFSET_FIELD_NUMBER: _ClassVar[int]
    REVIEW_URI_FIELD_NUMBER: _ClassVar[int]
    question_id: str
    correctness: Correctness
    points_awarded: float
    points_possible: int
    correct_option_ids: _containers.RepeatedScalarFieldContainer[str]
    reference_answer: str
    explanation: str
    feedback: str
    review_offset: _duration_pb2.Duration
    review_uri: str
    def __init__(self, question_id: _Optional[str] = ..., correctness: _Optional[_Union[Correctness, str]] = ..., points_awarded: _Optional[float] = ..., points_possible: _Optional[int] = ..., correct_option_ids: _Optional[_Iterable[str]] = ..., reference_answer: _Optional[str] = ..., explanation: _Optional[str] = ..., feedback: _Optional[str] = ..., review_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., review_uri: _Optional[str] = ...) -> None: ...

class QuizAttempt(_message.Message):
    __slots__ = ("name", "answers", "results", "score", "max_score", "score_percent", "correct_count", "question_count", "note_title", "start_time", "submit_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MAX_SCORE_FIELD_NUMBER: _ClassVar[int]
    SCORE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CORRECT_COUNT_FIELD_NUMBER: _ClassVar[int]
    QUESTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    NOTE_TITLE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    answers: _containers.RepeatedCompositeFieldContainer[Answer]
    results: _containers.RepeatedCompositeFieldContainer[QuestionResult]
    score: float
    max_score: int
    score_percent: float
    correct_count: int
    question_count: int
    note_title: str
    start_time: _timestamp_pb2.Timestamp
    submit_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[Answer, _Mapping]]] = ..., results: _Optional[_Iterable[_Union[QuestionResult, _Mapping]]] = ..., score: _Optional[float] = ..., max_score: _Optional[int] = ..., score_percent: _Optional[float] = ..., correct_count: _Optional[int] = ..., question_count: _Optional[int] = ..., note_title: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EstimateNoteCostRequest(_message.Message):
    __slots__ = ("parent", "source", "options")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    parent: str
    source: SourceInput
    options: NoteOptions
    def __init__(self, parent: _Optional[str] = ..., source: _Optional[_Union[SourceInput, _Mapping]] = ..., options: _Optional[_Union[NoteOptions, _Mapping]] = ...) -> None: ...

class EstimateNoteCostResponse(_message.Message):
    __slots__ = ("credits", "available_credits", "sufficient_credits", "source", "estimated_processing_duration", "existing_notes", "max_source_duration")
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_CREDITS_FIELD_NUMBER: _ClassVar[int]
    SUFFICIENT_CREDITS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_PROCESSING_DURATION_FIELD_NUMBER: _ClassVar[int]
    EXISTING_NOTES_FIELD_NUMBER: _ClassVar[int]
    MAX_SOURCE_DURATION_FIELD_NUMBER: _ClassVar[int]
    credits: int
    available_credits: int
    sufficient_credits: bool
    source: NoteSource
    estimated_processing_duration: _duration_pb2.Duration
    existing_notes: _containers.RepeatedScalarFieldContainer[str]
    max_source_duration: _duration_pb2.Duration
    def __init__(self, credits: _Optional[int] = ..., available_credits: _Optional[int] = ..., sufficient_credits: bool = ..., source: _Optional[_Union[NoteSource, _Mapping]] = ..., estimated_processing_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., existing_notes: _Optional[_Iterable[str]] = ..., max_source_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GenerateNotesRequest(_message.Message):
    __slots__ = ("parent", "source", "options", "allow_duplicate", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    source: SourceInput
    options: NoteOptions
    allow_duplicate: bool
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., source: _Optional[_Union[SourceInput, _Mapping]] = ..., options: _Optional[_Union[NoteOptions, _Mapping]] = ..., allow_duplicate: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class GenerateNotesResponse(_message.Message):
    __slots__ = ("operation",)
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class GetOperationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetOperationResponse(_message.Message):
    __slots__ = ("operation",)
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class ListOperationsRequest(_message.Message):
    __slots__ = ("parent", "states", "kinds", "target", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    states: _containers.RepeatedScalarFieldContainer[_operation_pb2.OperationState]
    kinds: _containers.RepeatedScalarFieldContainer[str]
    target: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_operation_pb2.OperationState, str]]] = ..., kinds: _Optional[_Iterable[str]] = ..., target: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOperationsResponse(_message.Message):
    __slots__ = ("operations", "next_page_token")
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    operations: _containers.RepeatedCompositeFieldContainer[_operation_pb2.Operation]
    next_page_token: str
    def __init__(self, operations: _Optional[_Iterable[_Union[_operation_pb2.Operation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelOperationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CancelOperationResponse(_message.Message):
    __slots__ = ("operation",)
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class WatchOperationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class WatchOperationResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _operation_pb2.OperationEvent
    def __init__(self, event: _Optional[_Union[_operation_pb2.OperationEvent, _Mapping]] = ...) -> None: ...

class GetNoteRequest(_message.Message):
    __slots__ = ("name", "view")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    name: str
    view: NoteView
    def __init__(self, name: _Optional[str] = ..., view: _Optional[_Union[NoteView, str]] = ...) -> None: ...

class GetNoteResponse(_message.Message):
    __slots__ = ("note",)
    NOTE_FIELD_NUMBER: _ClassVar[int]
    note: Note
    def __init__(self, note: _Optional[_Union[Note, _Mapping]] = ...) -> None: ...

class ListNotesRequest(_message.Message):
    __slots__ = ("parent", "filter", "order_by", "view", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    filter: NoteFilter
    order_by: NoteOrder
    view: NoteView
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., filter: _Optional[_Union[NoteFilter, _Mapping]] = ..., order_by: _Optional[_Union[NoteOrder, str]] = ..., view: _Optional[_Union[NoteView, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListNotesResponse(_message.Message):
    __slots__ = ("notes", "next_page_token", "total_size")
    NOTES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    notes: _containers.RepeatedCompositeFieldContainer[Note]
    next_page_token: str
    total_size: int
    def __init__(self, notes: _Optional[_Iterable[_Union[Note, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateNoteRequest(_message.Message):
    __slots__ = ("note", "update_mask")
    NOTE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    note: Note
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, note: _Optional[_Union[Note, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateNoteResponse(_message.Message):
    __slots__ = ("note",)
    NOTE_FIELD_NUMBER: _ClassVar[int]
    note: Note
    def __init__(self, note: _Optional[_Union[Note, _Mapping]] = ...) -> None: ...

class DeleteNoteRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteNoteResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExportNoteRequest(_message.Message):
    __slots__ = ("name", "format", "include_front_matter", "link_style", "include_quiz", "include_transcript")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FRONT_MATTER_FIELD_NUMBER: _ClassVar[int]
    LINK_STYLE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_QUIZ_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    name: str
    format: ExportFormat
    include_front_matter: bool
    link_style: LinkStyle
    include_quiz: bool
    include_transcript: bool
    def __init__(self, name: _Optional[str] = ..., format: _Optional[_Union[ExportFormat, str]] = ..., include_front_matter: bool = ..., link_style: _Optional[_Union[LinkStyle, str]] = ..., include_quiz: bool = ..., include_transcript: bool = ...) -> None: ...

class ExportNoteResponse(_message.Message):
    __slots__ = ("body", "filename")
    BODY_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    body: _httpbody_pb2.HttpBody
    filename: str
    def __init__(self, body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ..., filename: _Optional[str] = ...) -> None: ...

class GetTranscriptRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetTranscriptResponse(_message.Message):
    __slots__ = ("transcript",)
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    transcript: Transcript
    def __init__(self, transcript: _Optional[_Union[Transcript, _Mapping]] = ...) -> None: ...

class ListSubjectsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSubjectsResponse(_message.Message):
    __slots__ = ("subjects", "next_page_token")
    SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    subjects: _containers.RepeatedCompositeFieldContainer[Subject]
    next_page_token: str
    def __init__(self, subjects: _Optional[_Iterable[_Union[Subject, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetStudyStatsRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetStudyStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: StudyStats
    def __init__(self, stats: _Optional[_Union[StudyStats, _Mapping]] = ...) -> None: ...

class ListNoteLinksRequest(_message.Message):
    __slots__ = ("parent", "origin", "relations", "min_score", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    RELATIONS_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    origin: LinkOrigin
    relations: _containers.RepeatedScalarFieldContainer[LinkRelation]
    min_score: float
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., origin: _Optional[_Union[LinkOrigin, str]] = ..., relations: _Optional[_Iterable[_Union[LinkRelation, str]]] = ..., min_score: _Optional[float] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListNoteLinksResponse(_message.Message):
    __slots__ = ("links", "next_page_token")
    LINKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    links: _containers.RepeatedCompositeFieldContainer[NoteLink]
    next_page_token: str
    def __init__(self, links: _Optional[_Iterable[_Union[NoteLink, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateNoteLinkRequest(_message.Message):
    __slots__ = ("parent", "link")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    LINK_FIELD_NUMBER: _ClassVar[int]
    parent: str
    link: NoteLink
    def __init__(self, parent: _Optional[str] = ..., link: _Optional[_Union[NoteLink, _Mapping]] = ...) -> None: ...

class CreateNoteLinkResponse(_message.Message):
    __slots__ = ("link",)
    LINK_FIELD_NUMBER: _ClassVar[int]
    link: NoteLink
    def __init__(self, link: _Optional[_Union[NoteLink, _Mapping]] = ...) -> None: ...

class DeleteNoteLinkRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteNoteLinkResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GenerateQuizRequest(_message.Message):
    __slots__ = ("parent", "options", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    options: QuizOptions
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., options: _Optional[_Union[QuizOptions, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GenerateQuizResponse(_message.Message):
    __slots__ = ("operation",)
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class GetQuizRequest(_message.Message):
    __slots__ = ("name", "view")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    name: str
    view: QuizView
    def __init__(self, name: _Optional[str] = ..., view: _Optional[_Union[QuizView, str]] = ...) -> None: ...

class GetQuizResponse(_message.Message):
    __slots__ = ("quiz",)
    QUIZ_FIELD_NUMBER: _ClassVar[int]
    quiz: Quiz
    def __init__(self, quiz: _Optional[_Union[Quiz, _Mapping]] = ...) -> None: ...

class ListQuizzesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListQuizzesResponse(_message.Message):
    __slots__ = ("quizzes", "next_page_token")
    QUIZZES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    quizzes: _containers.RepeatedCompositeFieldContainer[Quiz]
    next_page_token: str
    def __init__(self, quizzes: _Optional[_Iterable[_Union[Quiz, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SubmitQuizAttemptRequest(_message.Message):
    __slots__ = ("name", "answers", "start_time", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    answers: _containers.RepeatedCompositeFieldContainer[Answer]
    start_time: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, name: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[Answer, _Mapping]]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SubmitQuizAttemptResponse(_message.Message):
    __slots__ = ("attempt",)
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    attempt: QuizAttempt
    def __init__(self, attempt: _Optional[_Union[QuizAttempt, _Mapping]] = ...) -> None: ...

class GetQuizAttemptRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetQuizAttemptResponse(_message.Message):
    __slots__ = ("attempt",)
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    attempt: QuizAttempt
    def __init__(self, attempt: _Optional[_Union[QuizAttempt, _Mapping]] = ...) -> None: ...

class ListQuizAttemptsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListQuizAttemptsResponse(_message.Message):
    __slots__ = ("attempts", "next_page_token")
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    attempts: _containers.RepeatedCompositeFieldContainer[QuizAttempt]
    next_page_token: str
    def __init__(self, attempts: _Optional[_Iterable[_Union[QuizAttempt, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

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
