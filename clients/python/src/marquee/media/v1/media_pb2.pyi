import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
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
    ERROR_REASON_UNSUPPORTED_MEDIA_TYPE: _ClassVar[ErrorReason]
    ERROR_REASON_FILE_TOO_LARGE: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_SIZE_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_CHECKSUM_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_INCOMPLETE: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_ALREADY_COMPLETED: _ClassVar[ErrorReason]
    ERROR_REASON_SOURCE_UNREADABLE: _ClassVar[ErrorReason]
    ERROR_REASON_ASSET_NOT_READY: _ClassVar[ErrorReason]
    ERROR_REASON_TRANSCODE_ALREADY_RUNNING: _ClassVar[ErrorReason]
    ERROR_REASON_TRANSCODE_FAILED: _ClassVar[ErrorReason]
    ERROR_REASON_OPERATION_ALREADY_DONE: _ClassVar[ErrorReason]
    ERROR_REASON_PLAN_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_STREAM_LIMIT_REACHED: _ClassVar[ErrorReason]
    ERROR_REASON_ENTITLEMENTS_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_STORAGE_QUOTA_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_TITLE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_TITLE_FEATURE_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_ASSET_IN_USE: _ClassVar[ErrorReason]
    ERROR_REASON_THUMBNAIL_IS_POSTER: _ClassVar[ErrorReason]
    ERROR_REASON_THUMBNAIL_LIMIT_REACHED: _ClassVar[ErrorReason]
    ERROR_REASON_TEXT_TRACK_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_TEXT_TRACK_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_TEXT_TRACK_LIMIT_REACHED: _ClassVar[ErrorReason]
    ERROR_REASON_PLAYBACK_SESSION_ENDED: _ClassVar[ErrorReason]
    ERROR_REASON_RENDITION_NOT_AVAILABLE: _ClassVar[ErrorReason]

class AssetState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSET_STATE_UNSPECIFIED: _ClassVar[AssetState]
    ASSET_STATE_WAITING_UPLOAD: _ClassVar[AssetState]
    ASSET_STATE_READY_TO_PROCESS: _ClassVar[AssetState]
    ASSET_STATE_PROCESSING: _ClassVar[AssetState]
    ASSET_STATE_READY: _ClassVar[AssetState]
    ASSET_STATE_FAILED: _ClassVar[AssetState]

class AssetPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSET_PURPOSE_UNSPECIFIED: _ClassVar[AssetPurpose]
    ASSET_PURPOSE_FEATURE: _ClassVar[AssetPurpose]
    ASSET_PURPOSE_TRAILER: _ClassVar[AssetPurpose]
    ASSET_PURPOSE_EXTRA: _ClassVar[AssetPurpose]
    ASSET_PURPOSE_AD: _ClassVar[AssetPurpose]
    ASSET_PURPOSE_PERSONAL: _ClassVar[AssetPurpose]

class AssetVisibility(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSET_VISIBILITY_UNSPECIFIED: _ClassVar[AssetVisibility]
    ASSET_VISIBILITY_PRIVATE: _ClassVar[AssetVisibility]
    ASSET_VISIBILITY_SUBSCRIBERS: _ClassVar[AssetVisibility]
    ASSET_VISIBILITY_PUBLIC: _ClassVar[AssetVisibility]

class Plan(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_UNSPECIFIED: _ClassVar[Plan]
    PLAN_FREE: _ClassVar[Plan]
    PLAN_BASIC: _ClassVar[Plan]
    PLAN_PREMIUM: _ClassVar[Plan]

class Resolution(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOLUTION_UNSPECIFIED: _ClassVar[Resolution]
    RESOLUTION_240P: _ClassVar[Resolution]
    RESOLUTION_360P: _ClassVar[Resolution]
    RESOLUTION_480P: _ClassVar[Resolution]
    RESOLUTION_720P: _ClassVar[Resolution]
    RESOLUTION_1080P: _ClassVar[Resolution]
    RESOLUTION_1440P: _ClassVar[Resolution]
    RESOLUTION_2160P: _ClassVar[Resolution]

class VideoCodec(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VIDEO_CODEC_UNSPECIFIED: _ClassVar[VideoCodec]
    VIDEO_CODEC_H264: _ClassVar[VideoCodec]
    VIDEO_CODEC_H265: _ClassVar[VideoCodec]
    VIDEO_CODEC_AV1: _ClassVar[VideoCodec]

class LadderPreset(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LADDER_PRESET_UNSPECIFIED: _ClassVar[LadderPreset]
    LADDER_PRESET_STANDARD: _ClassVar[LadderPreset]
    LADDER_PRESET_UHD: _ClassVar[LadderPreset]
    LADDER_PRESET_LECTURE: _ClassVar[LadderPreset]

class UploadProtocol(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UPLOAD_PROTOCOL_UNSPECIFIED: _ClassVar[UploadProtocol]
    UPLOAD_PROTOCOL_SINGLE: _ClassVar[UploadProtocol]
    UPLOAD_PROTOCOL_MULTIPART: _ClassVar[UploadProtocol]

class RenditionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RENDITION_STATE_UNSPECIFIED: _ClassVar[RenditionState]
    RENDITION_STATE_QUEUED: _ClassVar[RenditionState]
    RENDITION_STATE_ENCODING: _ClassVar[RenditionState]
    RENDITION_STATE_DONE: _ClassVar[RenditionState]
    RENDITION_STATE_SKIPPED: _ClassVar[RenditionState]
    RENDITION_STATE_FAILED: _ClassVar[RenditionState]

class ThumbnailSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    THUMBNAIL_SOURCE_UNSPECIFIED: _ClassVar[ThumbnailSource]
    THUMBNAIL_SOURCE_GENERATED: _ClassVar[ThumbnailSource]
    THUMBNAIL_SOURCE_CAPTURED: _ClassVar[ThumbnailSource]
    THUMBNAIL_SOURCE_UPLOADED: _ClassVar[ThumbnailSource]

class TextTrackKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TEXT_TRACK_KIND_UNSPECIFIED: _ClassVar[TextTrackKind]
    TEXT_TRACK_KIND_SUBTITLES: _ClassVar[TextTrackKind]
    TEXT_TRACK_KIND_CAPTIONS: _ClassVar[TextTrackKind]

class PlaybackPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAYBACK_PURPOSE_UNSPECIFIED: _ClassVar[PlaybackPurpose]
    PLAYBACK_PURPOSE_STREAM: _ClassVar[PlaybackPurpose]
    PLAYBACK_PURPOSE_DOWNLOAD: _ClassVar[PlaybackPurpose]

class DeviceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEVICE_TYPE_UNSPECIFIED: _ClassVar[DeviceType]
    DEVICE_TYPE_WEB: _ClassVar[DeviceType]
    DEVICE_TYPE_IOS: _ClassVar[DeviceType]
    DEVICE_TYPE_ANDROID: _ClassVar[DeviceType]
    DEVICE_TYPE_TV: _ClassVar[DeviceType]
    DEVICE_TYPE_CAST: _ClassVar[DeviceType]

class PlaybackSessionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAYBACK_SESSION_STATE_UNSPECIFIED: _ClassVar[PlaybackSessionState]
    PLAYBACK_SESSION_STATE_ACTIVE: _ClassVar[PlaybackSessionState]
    PLAYBACK_SESSION_STATE_ENDED: _ClassVar[PlaybackSessionState]

class PlaybackSessionEndReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAYBACK_SESSION_END_REASON_UNSPECIFIED: _ClassVar[PlaybackSessionEndReason]
    PLAYBACK_SESSION_END_REASON_ENDED_BY_CLIENT: _ClassVar[PlaybackSessionEndReason]
    PLAYBACK_SESSION_END_REASON_LAPSED: _ClassVar[PlaybackSessionEndReason]
    PLAYBACK_SESSION_END_REASON_REPLACED: _ClassVar[PlaybackSessionEndReason]
    PLAYBACK_SESSION_END_REASON_STOPPED_REMOTELY: _ClassVar[PlaybackSessionEndReason]
    PLAYBACK_SESSION_END_REASON_EXPIRED: _ClassVar[PlaybackSessionEndReason]
    PLAYBACK_SESSION_END_REASON_ASSET_UNAVAILABLE: _ClassVar[PlaybackSessionEndReason]

class DownloadVariant(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOWNLOAD_VARIANT_UNSPECIFIED: _ClassVar[DownloadVariant]
    DOWNLOAD_VARIANT_SOURCE: _ClassVar[DownloadVariant]
    DOWNLOAD_VARIANT_AUDIO: _ClassVar[DownloadVariant]

class AssetOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSET_ORDER_UNSPECIFIED: _ClassVar[AssetOrder]
    ASSET_ORDER_NEWEST: _ClassVar[AssetOrder]
    ASSET_ORDER_OLDEST: _ClassVar[AssetOrder]
    ASSET_ORDER_DISPLAY_NAME: _ClassVar[AssetOrder]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_UNSUPPORTED_MEDIA_TYPE: ErrorReason
ERROR_REASON_FILE_TOO_LARGE: ErrorReason
ERROR_REASON_UPLOAD_NOT_FOUND: ErrorReason
ERROR_REASON_UPLOAD_SIZE_MISMATCH: ErrorReason
ERROR_REASON_UPLOAD_CHECKSUM_MISMATCH: ErrorReason
ERROR_REASON_UPLOAD_INCOMPLETE: ErrorReason
ERROR_REASON_UPLOAD_ALREADY_COMPLETED: ErrorReason
ERROR_REASON_SOURCE_UNREADABLE: ErrorReason
ERROR_REASON_ASSET_NOT_READY: ErrorReason
ERROR_REASON_TRANSCODE_ALREADY_RUNNING: ErrorReason
ERROR_REASON_TRANSCODE_FAILED: ErrorReason
ERROR_REASON_OPERATION_ALREADY_DONE: ErrorReason
ERROR_REASON_PLAN_REQUIRED: ErrorReason
ERROR_REASON_STREAM_LIMIT_REACHED: ErrorReason
ERROR_REASON_ENTITLEMENTS_UNAVAILABLE: ErrorReason
ERROR_REASON_STORAGE_QUOTA_EXCEEDED: ErrorReason
ERROR_REASON_TITLE_NOT_FOUND: ErrorReason
ERROR_REASON_TITLE_FEATURE_EXISTS: ErrorReason
ERROR_REASON_ASSET_IN_USE: ErrorReason
ERROR_REASON_THUMBNAIL_IS_POSTER: ErrorReason
ERROR_REASON_THUMBNAIL_LIMIT_REACHED: ErrorReason
ERROR_REASON_TEXT_TRACK_INVALID: ErrorReason
ERROR_REASON_TEXT_TRACK_EXISTS: ErrorReason
ERROR_REASON_TEXT_TRACK_LIMIT_REACHED: ErrorReason
ERROR_REASON_PLAYBACK_SESSION_ENDED: ErrorReason
ERROR_REASON_RENDITION_NOT_AVAILABLE: ErrorReason
ASSET_STATE_UNSPECIFIED: AssetState
ASSET_STATE_WAITING_UPLOAD: AssetState
ASSET_STATE_READY_TO_PROCESS: AssetState
ASSET_STATE_PROCESSING: AssetState
ASSET_STATE_READY: AssetState
ASSET_STATE_FAILED: AssetState
ASSET_PURPOSE_UNSPECIFIED: AssetPurpose
ASSET_PURPOSE_FEATURE: AssetPurpose
ASSET_PURPOSE_TRAILER: AssetPurpose
ASSET_PURPOSE_EXTRA: AssetPurpose
ASSET_PURPOSE_AD: AssetPurpose
ASSET_PURPOSE_PERSONAL: AssetPurpose
ASSET_VISIBILITY_UNSPECIFIED: AssetVisibility
ASSET_VISIBILITY_PRIVATE: AssetVisibility
ASSET_VISIBILITY_SUBSCRIBERS: AssetVisibility
ASSET_VISIBILITY_PUBLIC: AssetVisibility
PLAN_UNSPECIFIED: Plan
PLAN_FREE: Plan
PLAN_BASIC: Plan
PLAN_PREMIUM: Plan
RESOLUTION_UNSPECIFIED: Resolution
RESOLUTION_240P: Resolution
RESOLUTION_360P: Resolution
RESOLUTION_480P: Resolution
RESOLUTION_720P: Resolution
RESOLUTION_1080P: Resolution
RESOLUTION_1440P: Resolution
RESOLUTION_2160P: Resolution
VIDEO_CODEC_UNSPECIFIED: VideoCodec
VIDEO_CODEC_H264: VideoCodec
VIDEO_CODEC_H265: VideoCodec
VIDEO_CODEC_AV1: VideoCodec
LADDER_PRESET_UNSPECIFIED: LadderPreset
LADDER_PRESET_STANDARD: LadderPreset
LADDER_PRESET_UHD: LadderPreset
LADDER_PRESET_LECTURE: LadderPreset
UPLOAD_PROTOCOL_UNSPECIFIED: UploadProtocol
UPLOAD_PROTOCOL_SINGLE: UploadProtocol
UPLOAD_PROTOCOL_MULTIPART: UploadProtocol
RENDITION_STATE_UNSPECIFIED: RenditionState
RENDITION_STATE_QUEUED: RenditionState
RENDITION_STATE_ENCODING: RenditionState
RENDITION_STATE_DONE: RenditionState
RENDITION_STATE_SKIPPED: RenditionState
RENDITION_STATE_FAILED: RenditionState
THUMBNAIL_SOURCE_UNSPECIFIED: ThumbnailSource
THUMBNAIL_SOURCE_GENERATED: ThumbnailSource
THUMBNAIL_SOURCE_CAPTURED: ThumbnailSource
THUMBNAIL_SOURCE_UPLOADED: ThumbnailSource
TEXT_TRACK_KIND_UNSPECIFIED: TextTrackKind
TEXT_TRACK_KIND_SUBTITLES: TextTrackKind
TEXT_TRACK_KIND_CAPTIONS: TextTrackKind
PLAYBACK_PURPOSE_UNSPECIFIED: PlaybackPurpose
PLAYBACK_PURPOSE_STREAM: PlaybackPurpose
PLAYBACK_PURPOSE_DOWNLOAD: PlaybackPurpose
DEVICE_TYPE_UNSPECIFIED: DeviceType
DEVICE_TYPE_WEB: DeviceType
DEVICE_TYPE_IOS: DeviceType
DEVICE_TYPE_ANDROID: DeviceType
DEVICE_TYPE_TV: DeviceType
DEVICE_TYPE_CAST: DeviceType
PLAYBACK_SESSION_STATE_UNSPECIFIED: PlaybackSessionState
PLAYBACK_SESSION_STATE_ACTIVE: PlaybackSessionState
PLAYBACK_SESSION_STATE_ENDED: PlaybackSessionState
PLAYBACK_SESSION_END_REASON_UNSPECIFIED: PlaybackSessionEndReason
PLAYBACK_SESSION_END_REASON_ENDED_BY_CLIENT: PlaybackSessionEndReason
PLAYBACK_SESSION_END_REASON_LAPSED: PlaybackSessionEndReason
PLAYBACK_SESSION_END_REASON_REPLACED: PlaybackSessionEndReason
PLAYBACK_SESSION_END_REASON_STOPPED_REMOTELY: PlaybackSessionEndReason
PLAYBACK_SESSION_END_REASON_EXPIRED: PlaybackSessionEndReason
PLAYBACK_SESSION_END_REASON_ASSET_UNAVAILABLE: PlaybackSessionEndReason
DOWNLOAD_VARIANT_UNSPECIFIED: DownloadVariant
DOWNLOAD_VARIANT_SOURCE: DownloadVariant
DOWNLOAD_VARIANT_AUDIO: DownloadVariant
ASSET_ORDER_UNSPECIFIED: AssetOrder
ASSET_ORDER_NEWEST: AssetOrder
ASSET_ORDER_OLDEST: AssetOrder
ASSET_ORDER_DISPLAY_NAME: AssetOrder

class Asset(_message.Message):
    __slots__ = ("name", "display_name", "purpose", "title", "visibility", "required_plan", "labels", "owner", "state", "source", "duration", "renditions", "audio_tracks", "text_tracks", "thumbnails", "poster_url", "storyboard", "latest_operation", "error", "storage_bytes", "upload_expire_time", "etag", "create_time", "update_time", "ready_time")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_PLAN_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    RENDITIONS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_TRACKS_FIELD_NUMBER: _ClassVar[int]
    TEXT_TRACKS_FIELD_NUMBER: _ClassVar[int]
    THUMBNAILS_FIELD_NUMBER: _ClassVar[int]
    POSTER_URL_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    LATEST_OPERATION_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STORAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    READY_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    purpose: AssetPurpose
    title: str
    visibility: AssetVisibility
    required_plan: Plan
    labels: _containers.ScalarMap[str, str]
    owner: str
    state: AssetState
    source: SourceInfo
    duration: _duration_pb2.Duration
    renditions: _containers.RepeatedCompositeFieldContainer[Rendition]
    audio_tracks: _containers.RepeatedCompositeFieldContainer[AudioTrack]
    text_tracks: _containers.RepeatedCompositeFieldContainer[TextTrack]
    thumbnails: _containers.RepeatedCompositeFieldContainer[Thumbnail]
    poster_url: str
    storyboard: Storyboard
    latest_operation: str
    error: _status_pb2.Status
    storage_bytes: int
    upload_expire_time: _timestamp_pb2.Timestamp
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    ready_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., purpose: _Optional[_Union[AssetPurpose, str]] = ..., title: _Optional[str] = ..., visibility: _Optional[_Union[AssetVisibility, str]] = ..., required_plan: _Optional[_Union[Plan, str]] = ..., labels: _Optional[_Mapping[str, str]] = ..., owner: _Optional[str] = ..., state: _Optional[_Union[AssetState, str]] = ..., source: _Optional[_Union[SourceInfo, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., renditions: _Optional[_Iterable[_Union[Rendition, _Mapping]]] = ..., audio_tracks: _Optional[_Iterable[_Union[AudioTrack, _Mapping]]] = ..., text_tracks: _Optional[_Iterable[_Union[TextTrack, _Mapping]]] = ..., thumbnails: _Optional[_Iterable[_Union[Thumbnail, _Mapping]]] = ..., poster_url: _Optional[str] = ..., storyboard: _Optional[_Union[Storyboard, _Mapping]] = ..., latest_operation: _Optional[str] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., storage_bytes: _Optional[int] = ..., upload_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ready_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SourceInfo(_message.Message):
    __slots__ = ("filename", "content_type", "size_bytes", "sha256", "container", "duration", "bitrate_bps", "video", "audio", "upload_complete_time")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    BITRATE_BPS_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    container: str
    duration: _duration_pb2.Duration
    bitrate_bps: int
    video: SourceVideoStream
    audio: _containers.RepeatedCompositeFieldContainer[SourceAudioStream]
    upload_complete_time: _timestamp_pb2.Timestamp
    def __init__(self, filename: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., container: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., bitrate_bps: _Optional[int] = ..., video: _Optional[_Union[SourceVideoStream, _Mapping]] = ..., audio: _Optional[_Iterable[_Union[SourceAudioStream, _Mapping]]] = ..., upload_complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SourceVideoStream(_message.Message):
    __slots__ = ("codec", "width", "height", "rotation_degrees", "frame_rate", "bitrate_bps", "hdr")
    CODEC_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ROTATION_DEGREES_FIELD_NUMBER: _ClassVar[int]
    FRAME_RATE_FIELD_NUMBER: _ClassVar[int]
    BITRATE_BPS_FIELD_NUMBER: _ClassVar[int]
    HDR_FIELD_NUMBER: _ClassVar[int]
    codec: str
    width: int
    height: int
    rotation_degrees: int
    frame_rate: float
    bitrate_bps: int
    hdr: bool
    def __init__(self, codec: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., rotation_degrees: _Optional[int] = ..., frame_rate: _Optional[float] = ..., bitrate_bps: _Optional[int] = ..., hdr: bool = ...) -> None: ...

class SourceAudioStream(_message.Message):
    __slots__ = ("codec", "channels", "sample_rate_hz", "bitrate_bps", "language_code")
    CODEC_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    BITRATE_BPS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    codec: str
    channels: int
    sample_rate_hz: int
    bitrate_bps: int
    language_code: str
    def __init__(self, codec: _Optional[str] = ..., channels: _Optional[int] = ..., sample_rate_hz: _Optional[int] = ..., bitrate_bps: _Optional[int] = ..., language_code: _Optional[str] = ...) -> None: ...

class Rendition(_message.Message):
    __slots__ = ("resolution", "width", "height", "video_codec", "codecs", "bitrate_bps", "peak_bitrate_bps", "frame_rate", "playlist_path", "size_bytes")
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    VIDEO_CODEC_FIELD_NUMBER: _ClassVar[int]
    CODECS_FIELD_NUMBER: _ClassVar[int]
    BITRATE_BPS_FIELD_NUMBER: _ClassVar[int]
    PEAK_BITRATE_BPS_FIELD_NUMBER: _ClassVar[int]
    FRAME_RATE_FIELD_NUMBER: _ClassVar[int]
    PLAYLIST_PATH_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    resolution: Resolution
    width: int
    height: int
    video_codec: VideoCodec
    codecs: str
    bitrate_bps: int
    peak_bitrate_bps: int
    frame_rate: float
    playlist_path: str
    size_bytes: int
    def __init__(self, resolution: _Optional[_Union[Resolution, str]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., video_codec: _Optional[_Union[VideoCodec, str]] = ..., codecs: _Optional[str] = ..., bitrate_bps: _Optional[int] = ..., peak_bitrate_bps: _Optional[int] = ..., frame_rate: _Optional[float] = ..., playlist_path: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class AudioTrack(_message.Message):
    __slots__ = ("language_code", "display_name", "channels", "codecs", "bitrate_bps", "default", "playlist_path", "size_bytes")
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    CODECS_FIELD_NUMBER: _ClassVar[int]
    BITRATE_BPS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    PLAYLIST_PATH_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    language_code: str
    display_name: str
    channels: int
    codecs: str
    bitrate_bps: int
    default: bool
    playlist_path: str
    size_bytes: int
    def __init__(self, language_code: _Optional[str] = ..., display_name: _Optional[str] = ..., channels: _Optional[int] = ..., codecs: _Optional[str] = ..., bitrate_bps: _Optional[int] = ..., default: bool = ..., playlist_path: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class Thumbnail(_message.Message):
    __slots__ = ("name", "source", "time_offset", "image_data", "content_type", "width", "height", "size_bytes", "url", "poster", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TIME_OFFSET_FIELD_NUMBER: _ClassVar[int]
    IMAGE_DATA_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    POSTER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    source: ThumbnailSource
    time_offset: _duration_pb2.Duration
    image_data: bytes
    content_type: str
    width: int
    height: int
    size_bytes: int
    url: str
    poster: bool
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., source: _Optional[_Union[ThumbnailSource, str]] = ..., time_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., image_data: _Optional[bytes] = ..., content_type: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., size_bytes: _Optional[int] = ..., url: _Optional[str] = ..., poster: bool = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Storyboard(_message.Message):
    __slots__ = ("vtt_url", "image_urls", "interval", "tile_width", "tile_height", "columns", "rows")
    VTT_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URLS_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TILE_WIDTH_FIELD_NUMBER: _ClassVar[int]
    TILE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    vtt_url: str
    image_urls: _containers.RepeatedScalarFieldContainer[str]
    interval: _duration_pb2.Duration
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    def __init__(self, vtt_url: _Optional[str] = ..., image_urls: _Optional[_Iterable[str]] = ..., interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., tile_width: _Optional[int] = ..., tile_height: _Optional[int] = ..., columns: _Optional[int] = ..., rows: _Optional[int] = ...) -> None: ...

class TextTrack(_message.Message):
    __slots__ = ("name", "kind", "language_code", "display_name", "default", "content", "content_type", "url", "playlist_path", "cue_count", "size_bytes", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    PLAYLIST_PATH_FIELD_NUMBER: _ClassVar[int]
    CUE_COUNT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: TextTrackKind
    language_code: str
    display_name: str
    default: bool
    content: bytes
    content_type: str
    url: str
    playlist_path: str
    cue_count: int
    size_bytes: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[TextTrackKind, str]] = ..., language_code: _Optional[str] = ..., display_name: _Optional[str] = ..., default: bool = ..., content: _Optional[bytes] = ..., content_type: _Optional[str] = ..., url: _Optional[str] = ..., playlist_path: _Optional[str] = ..., cue_count: _Optional[int] = ..., size_bytes: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UploadTarget(_message.Message):
    __slots__ = ("protocol", "url", "method", "headers", "expire_time", "part_size_bytes", "part_count", "parts")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    PART_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    PART_COUNT_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    protocol: UploadProtocol
    url: str
    method: str
    headers: _containers.ScalarMap[str, str]
    expire_time: _timestamp_pb2.Timestamp
    part_size_bytes: int
    part_count: int
    parts: _containers.RepeatedCompositeFieldContainer[UploadPart]
    def __init__(self, protocol: _Optional[_Union[UploadProtocol, str]] = ..., url: _Optional[str] = ..., method: _Optional[str] = ..., headers: _Optional[_Mapping[str, str]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., part_size_bytes: _Optional[int] = ..., part_count: _Optional[int] = ..., parts: _Optional[_Iterable[_Union[UploadPart, _Mapping]]] = ...) -> None: ...

class UploadPart(_message.Message):
    __slots__ = ("part_number", "url", "offset_bytes", "size_bytes")
    PART_NUMBER_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    OFFSET_BYTES_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    part_number: int
    url: str
    offset_bytes: int
    size_bytes: int
    def __init__(self, part_number: _Optional[int] = ..., url: _Optional[str] = ..., offset_bytes: _Optional[int] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class RenditionSpec(_message.Message):
    __slots__ = ("resolution", "video_codec", "bitrate_bps")
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    VIDEO_CODEC_FIELD_NUMBER: _ClassVar[int]
    BITRATE_BPS_FIELD_NUMBER: _ClassVar[int]
    resolution: Resolution
    video_codec: VideoCodec
    bitrate_bps: int
    def __init__(self, resolution: _Optional[_Union[Resolution, str]] = ..., video_codec: _Optional[_Union[VideoCodec, str]] = ..., bitrate_bps: _Optional[int] = ...) -> None: ...

class TranscodeSettings(_message.Message):
    __slots__ = ("ladder_preset", "renditions", "thumbnail_count", "storyboard_interval")
    LADDER_PRESET_FIELD_NUMBER: _ClassVar[int]
    RENDITIONS_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_COUNT_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    ladder_preset: LadderPreset
    renditions: _containers.RepeatedCompositeFieldContainer[RenditionSpec]
    thumbnail_count: int
    storyboard_interval: _duration_pb2.Duration
    def __init__(self, ladder_preset: _Optional[_Union[LadderPreset, str]] = ..., renditions: _Optional[_Iterable[_Union[RenditionSpec, _Mapping]]] = ..., thumbnail_count: _Optional[int] = ..., storyboard_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RenditionProgress(_message.Message):
    __slots__ = ("spec", "state", "percent")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    spec: RenditionSpec
    state: RenditionState
    percent: int
    def __init__(self, spec: _Optional[_Union[RenditionSpec, _Mapping]] = ..., state: _Optional[_Union[RenditionState, str]] = ..., percent: _Optional[int] = ...) -> None: ...

class TranscodeMetadata(_message.Message):
    __slots__ = ("asset", "settings", "renditions", "source_duration", "estimated_end_time")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    RENDITIONS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DURATION_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_END_TIME_FIELD_NUMBER: _ClassVar[int]
    asset: str
    settings: TranscodeSettings
    renditions: _containers.RepeatedCompositeFieldContainer[RenditionProgress]
    source_duration: _duration_pb2.Duration
    estimated_end_time: _timestamp_pb2.Timestamp
    def __init__(self, asset: _Optional[str] = ..., settings: _Optional[_Union[TranscodeSettings, _Mapping]] = ..., renditions: _Optional[_Iterable[_Union[RenditionProgress, _Mapping]]] = ..., source_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., estimated_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlaybackSession(_message.Message):
    __slots__ = ("name", "asset", "purpose", "device_id", "device_type", "device_name", "requested_max_resolution", "user", "title", "plan", "max_resolution", "playlist_url", "expire_time", "renditions", "audio_tracks", "text_tracks", "storyboard", "poster_url", "duration", "ad_supported", "heartbeat_interval", "offline_expire_time", "state", "end_reason", "create_time", "last_heartbeat_time", "end_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_MAX_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    PLAYLIST_URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    RENDITIONS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_TRACKS_FIELD_NUMBER: _ClassVar[int]
    TEXT_TRACKS_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    POSTER_URL_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    AD_SUPPORTED_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    END_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARTBEAT_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    asset: str
    purpose: PlaybackPurpose
    device_id: str
    device_type: DeviceType
    device_name: str
    requested_max_resolution: Resolution
    user: str
    title: str
    plan: Plan
    max_resolution: Resolution
    playlist_url: str
    expire_time: _timestamp_pb2.Timestamp
    renditions: _containers.RepeatedCompositeFieldContainer[Rendition]
    audio_tracks: _containers.RepeatedCompositeFieldContainer[AudioTrack]
    text_tracks: _containers.RepeatedCompositeFieldContainer[TextTrack]
    storyboard: Storyboard
    poster_url: str
    duration: _duration_pb2.Duration
    ad_supported: bool
    heartbeat_interval: _duration_pb2.Duration
    offline_expire_time: _timestamp_pb2.Timestamp
    state: PlaybackSessionState
    end_reason: PlaybackSessionEndReason
    create_time: _timestamp_pb2.Timestamp
    last_heartbeat_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., asset: _Optional[str] = ..., purpose: _Optional[_Union[PlaybackPurpose, str]] = ..., device_id: _Optional[str] = ..., device_type: _Optional[_Union[DeviceType, str]] = ..., device_name: _Optional[str] = ..., requested_max_resolution: _Optional[_Union[Resolution, str]] = ..., user: _Optional[str] = ..., title: _Optional[str] = ..., plan: _Optional[_Union[Plan, str]] = ..., max_resolution: _Optional[_Union[Resolution, str]] = ..., playlist_url: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., renditions: _Optional[_Iterable[_Union[Rendition, _Mapping]]] = ..., audio_tracks: _Optional[_Iterable[_Union[AudioTrack, _Mapping]]] = ..., text_tracks: _Optional[_Iterable[_Union[TextTrack, _Mapping]]] = ..., storyboard: _Optional[_Union[Storyboard, _Mapping]] = ..., poster_url: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., ad_supported: bool = ..., heartbeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., offline_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[PlaybackSessionState, str]] = ..., end_reason: _Optional[_Union[PlaybackSessionEndReason, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_heartbeat_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AssetFilter(_message.Message):
    __slots__ = ("owner", "states", "title", "purposes", "display_name_contains")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PURPOSES_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    owner: str
    states: _containers.RepeatedScalarFieldContainer[AssetState]
    title: str
    purposes: _containers.RepeatedScalarFieldContainer[AssetPurpose]
    display_name_contains: str
    def __init__(self, owner: _Optional[str] = ..., states: _Optional[_Iterable[_Union[AssetState, str]]] = ..., title: _Optional[str] = ..., purposes: _Optional[_Iterable[_Union[AssetPurpose, str]]] = ..., display_name_contains: _Optional[str] = ...) -> None: ...

class CreateUploadRequest(_message.Message):
    __slots__ = ("filename", "content_type", "size_bytes", "sha256", "asset", "protocol", "request_id")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    asset: Asset
    protocol: UploadProtocol
    request_id: str
    def __init__(self, filename: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., asset: _Optional[_Union[Asset, _Mapping]] = ..., protocol: _Optional[_Union[UploadProtocol, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateUploadResponse(_message.Message):
    __slots__ = ("asset", "upload_target")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_TARGET_FIELD_NUMBER: _ClassVar[int]
    asset: Asset
    upload_target: UploadTarget
    def __init__(self, asset: _Optional[_Union[Asset, _Mapping]] = ..., upload_target: _Optional[_Union[UploadTarget, _Mapping]] = ...) -> None: ...

class ResumeUploadRequest(_message.Message):
    __slots__ = ("name", "part_numbers")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PART_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    part_numbers: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, name: _Optional[str] = ..., part_numbers: _Optional[_Iterable[int]] = ...) -> None: ...

class ResumeUploadResponse(_message.Message):
    __slots__ = ("upload_target", "stored_part_numbers", "stored_bytes")
    UPLOAD_TARGET_FIELD_NUMBER: _ClassVar[int]
    STORED_PART_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    STORED_BYTES_FIELD_NUMBER: _ClassVar[int]
    upload_target: UploadTarget
    stored_part_numbers: _containers.RepeatedScalarFieldContainer[int]
    stored_bytes: int
    def __init__(self, upload_target: _Optional[_Union[UploadTarget, _Mapping]] = ..., stored_part_numbers: _Optional[_Iterable[int]] = ..., stored_bytes: _Optional[int] = ...) -> None: ...

class CompleteUploadRequest(_message.Message):
    __slots__ = ("name", "transcode", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TRANSCODE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    transcode: TranscodeSettings
    request_id: str
    def __init__(self, name: _Optional[str] = ..., transcode: _Optional[_Union[TranscodeSettings, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CompleteUploadResponse(_message.Message):
    __slots__ = ("asset", "operation")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    asset: Asset
    operation: _operation_pb2.Operation
    def __init__(self, asset: _Optional[_Union[Asset, _Mapping]] = ..., operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class GetAssetRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetAssetResponse(_message.Message):
    __slots__ = ("asset",)
    ASSET_FIELD_NUMBER: _ClassVar[int]
    asset: Asset
    def __init__(self, asset: _Optional[_Union[Asset, _Mapping]] = ...) -> None: ...

class ListAssetsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: AssetFilter
    order_by: AssetOrder
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[_Union[AssetFilter, _Mapping]] = ..., order_by: _Optional[_Union[AssetOrder, str]] = ...) -> None: ...

class ListAssetsResponse(_message.Message):
    __slots__ = ("assets", "next_page_token")
    ASSETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    assets: _containers.RepeatedCompositeFieldContainer[Asset]
    next_page_token: str
    def __init__(self, assets: _Optional[_Iterable[_Union[Asset, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateAssetRequest(_message.Message):
    __slots__ = ("asset", "update_mask")
    ASSET_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    asset: Asset
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, asset: _Optional[_Union[Asset, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateAssetResponse(_message.Message):
    __slots__ = ("asset",)
    ASSET_FIELD_NUMBER: _ClassVar[int]
    asset: Asset
    def __init__(self, asset: _Optional[_Union[Asset, _Mapping]] = ...) -> None: ...

class DeleteAssetRequest(_message.Message):
    __slots__ = ("name", "etag", "force")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    force: bool
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., force: bool = ...) -> None: ...

class DeleteAssetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StartTranscodeRequest(_message.Message):
    __slots__ = ("name", "settings", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    settings: TranscodeSettings
    request_id: str
    def __init__(self, name: _Optional[str] = ..., settings: _Optional[_Union[TranscodeSettings, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartTranscodeResponse(_message.Message):
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
    __slots__ = ("page_size", "page_token", "asset", "states", "parent")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    asset: str
    states: _containers.RepeatedScalarFieldContainer[_operation_pb2.OperationState]
    parent: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., asset: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_operation_pb2.OperationState, str]]] = ..., parent: _Optional[str] = ...) -> None: ...

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

class CreatePlaybackSessionRequest(_message.Message):
    __slots__ = ("playback_session", "request_id")
    PLAYBACK_SESSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    playback_session: PlaybackSession
    request_id: str
    def __init__(self, playback_session: _Optional[_Union[PlaybackSession, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreatePlaybackSessionResponse(_message.Message):
    __slots__ = ("playback_session",)
    PLAYBACK_SESSION_FIELD_NUMBER: _ClassVar[int]
    playback_session: PlaybackSession
    def __init__(self, playback_session: _Optional[_Union[PlaybackSession, _Mapping]] = ...) -> None: ...

class HeartbeatPlaybackSessionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class HeartbeatPlaybackSessionResponse(_message.Message):
    __slots__ = ("playback_session",)
    PLAYBACK_SESSION_FIELD_NUMBER: _ClassVar[int]
    playback_session: PlaybackSession
    def __init__(self, playback_session: _Optional[_Union[PlaybackSession, _Mapping]] = ...) -> None: ...

class EndPlaybackSessionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class EndPlaybackSessionResponse(_message.Message):
    __slots__ = ("playback_session",)
    PLAYBACK_SESSION_FIELD_NUMBER: _ClassVar[int]
    playback_session: PlaybackSession
    def __init__(self, playback_session: _Optional[_Union[PlaybackSession, _Mapping]] = ...) -> None: ...

class ListPlaybackSessionsRequest(_message.Message):
    __slots__ = ("user", "include_ended", "page_size", "page_token")
    USER_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ENDED_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user: str
    include_ended: bool
    page_size: int
    page_token: str
    def __init__(self, user: _Optional[str] = ..., include_ended: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPlaybackSessionsResponse(_message.Message):
    __slots__ = ("playback_sessions", "next_page_token")
    PLAYBACK_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    playback_sessions: _containers.RepeatedCompositeFieldContainer[PlaybackSession]
    next_page_token: str
    def __init__(self, playback_sessions: _Optional[_Iterable[_Union[PlaybackSession, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListThumbnailsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListThumbnailsResponse(_message.Message):
    __slots__ = ("thumbnails", "next_page_token")
    THUMBNAILS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    thumbnails: _containers.RepeatedCompositeFieldContainer[Thumbnail]
    next_page_token: str
    def __init__(self, thumbnails: _Optional[_Iterable[_Union[Thumbnail, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateThumbnailRequest(_message.Message):
    __slots__ = ("parent", "thumbnail", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    thumbnail: Thumbnail
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., thumbnail: _Optional[_Union[Thumbnail, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateThumbnailResponse(_message.Message):
    __slots__ = ("thumbnail",)
    THUMBNAIL_FIELD_NUMBER: _ClassVar[int]
    thumbnail: Thumbnail
    def __init__(self, thumbnail: _Optional[_Union[Thumbnail, _Mapping]] = ...) -> None: ...

class DeleteThumbnailRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteThumbnailResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetPosterFrameRequest(_message.Message):
    __slots__ = ("name", "thumbnail")
    NAME_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    thumbnail: str
    def __init__(self, name: _Optional[str] = ..., thumbnail: _Optional[str] = ...) -> None: ...

class SetPosterFrameResponse(_message.Message):
    __slots__ = ("asset",)
    ASSET_FIELD_NUMBER: _ClassVar[int]
    asset: Asset
    def __init__(self, asset: _Optional[_Union[Asset, _Mapping]] = ...) -> None: ...

class ListTextTracksRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTextTracksResponse(_message.Message):
    __slots__ = ("text_tracks", "next_page_token")
    TEXT_TRACKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    text_tracks: _containers.RepeatedCompositeFieldContainer[TextTrack]
    next_page_token: str
    def __init__(self, text_tracks: _Optional[_Iterable[_Union[TextTrack, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateTextTrackRequest(_message.Message):
    __slots__ = ("parent", "text_track", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    TEXT_TRACK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    text_track: TextTrack
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., text_track: _Optional[_Union[TextTrack, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateTextTrackResponse(_message.Message):
    __slots__ = ("text_track",)
    TEXT_TRACK_FIELD_NUMBER: _ClassVar[int]
    text_track: TextTrack
    def __init__(self, text_track: _Optional[_Union[TextTrack, _Mapping]] = ...) -> None: ...

class UpdateTextTrackRequest(_message.Message):
    __slots__ = ("text_track", "update_mask")
    TEXT_TRACK_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    text_track: TextTrack
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, text_track: _Optional[_Union[TextTrack, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateTextTrackResponse(_message.Message):
    __slots__ = ("text_track",)
    TEXT_TRACK_FIELD_NUMBER: _ClassVar[int]
    text_track: TextTrack
    def __init__(self, text_track: _Optional[_Union[TextTrack, _Mapping]] = ...) -> None: ...

class DeleteTextTrackRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteTextTrackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GenerateDownloadUrlRequest(_message.Message):
    __slots__ = ("name", "variant", "on_behalf_of", "ttl")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    ON_BEHALF_OF_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    name: str
    variant: DownloadVariant
    on_behalf_of: str
    ttl: _duration_pb2.Duration
    def __init__(self, name: _Optional[str] = ..., variant: _Optional[_Union[DownloadVariant, str]] = ..., on_behalf_of: _Optional[str] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GenerateDownloadUrlResponse(_message.Message):
    __slots__ = ("url", "expire_time", "content_type", "size_bytes")
    URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    url: str
    expire_time: _timestamp_pb2.Timestamp
    content_type: str
    size_bytes: int
    def __init__(self, url: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class PurgeUserAssetsRequest(_message.Message):
    __slots__ = ("user", "request_id")
    USER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    user: str
    request_id: str
    def __init__(self, user: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class PurgeUserAssetsResponse(_message.Message):
    __slots__ = ("deleted_asset_count", "erased", "retained")
    DELETED_ASSET_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERASED_FIELD_NUMBER: _ClassVar[int]
    RETAINED_FIELD_NUMBER: _ClassVar[int]
    deleted_asset_count: int
    erased: _containers.RepeatedCompositeFieldContainer[_userdata_pb2.UserDataDisposition]
    retained: _containers.RepeatedCompositeFieldContainer[_userdata_pb2.UserDataDisposition]
    def __init__(self, deleted_asset_count: _Optional[int] = ..., erased: _Optional[_Iterable[_Union[_userdata_pb2.UserDataDisposition, _Mapping]]] = ..., retained: _Optional[_Iterable[_Union[_userdata_pb2.UserDataDisposition, _Mapping]]] = ...) -> None: ...

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
