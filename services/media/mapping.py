"""Media values ↔ the contract's messages, shared by the servicer and the transcode task (its response is an Asset)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from google.protobuf import duration_pb2
from google.rpc import status_pb2
from marquee.media.v1 import media_pb2 as pb

from services.core.convert import timestamp
from services.core.errors import invalid
from services.media.domain import Rung

if TYPE_CHECKING:
    from services.media.usecases import AssetView, SessionView, UploadTarget

STATE = {"waiting_upload": pb.ASSET_STATE_WAITING_UPLOAD, "ready_to_process": pb.ASSET_STATE_READY_TO_PROCESS,
         "processing": pb.ASSET_STATE_PROCESSING, "ready": pb.ASSET_STATE_READY, "failed": pb.ASSET_STATE_FAILED}  # fmt: skip
STATE_OF = {v: k for k, v in STATE.items()}
PURPOSE = {"feature": pb.ASSET_PURPOSE_FEATURE, "trailer": pb.ASSET_PURPOSE_TRAILER, "extra": pb.ASSET_PURPOSE_EXTRA,
           "ad": pb.ASSET_PURPOSE_AD, "personal": pb.ASSET_PURPOSE_PERSONAL}  # fmt: skip
PURPOSE_OF = {v: k for k, v in PURPOSE.items()}
VISIBILITY = {
    "private": pb.ASSET_VISIBILITY_PRIVATE,
    "subscribers": pb.ASSET_VISIBILITY_SUBSCRIBERS,
    "public": pb.ASSET_VISIBILITY_PUBLIC,
}
VISIBILITY_OF = {v: k for k, v in VISIBILITY.items()}
PLAN = {"": pb.PLAN_UNSPECIFIED, "free": pb.PLAN_FREE, "basic": pb.PLAN_BASIC, "premium": pb.PLAN_PREMIUM}
PLAN_OF = {v: k for k, v in PLAN.items()}
RESOLUTION = {"240p": pb.RESOLUTION_240P, "360p": pb.RESOLUTION_360P, "480p": pb.RESOLUTION_480P, "720p": pb.RESOLUTION_720P,
              "1080p": pb.RESOLUTION_1080P, "1440p": pb.RESOLUTION_1440P, "2160p": pb.RESOLUTION_2160P}  # fmt: skip
RESOLUTION_OF = {v: k for k, v in RESOLUTION.items()}
PROTOCOL = {"single": pb.UPLOAD_PROTOCOL_SINGLE, "multipart": pb.UPLOAD_PROTOCOL_MULTIPART}
PROTOCOL_OF = {pb.UPLOAD_PROTOCOL_UNSPECIFIED: "", pb.UPLOAD_PROTOCOL_SINGLE: "single", pb.UPLOAD_PROTOCOL_MULTIPART: "multipart"}
THUMB_SOURCE = {
    "generated": pb.THUMBNAIL_SOURCE_GENERATED,
    "captured": pb.THUMBNAIL_SOURCE_CAPTURED,
    "uploaded": pb.THUMBNAIL_SOURCE_UPLOADED,
}
TRACK_KIND = {"subtitles": pb.TEXT_TRACK_KIND_SUBTITLES, "captions": pb.TEXT_TRACK_KIND_CAPTIONS}
TRACK_KIND_OF = {v: k for k, v in TRACK_KIND.items()}
ORDER_OF = {pb.ASSET_ORDER_UNSPECIFIED: "newest", pb.ASSET_ORDER_NEWEST: "newest", pb.ASSET_ORDER_OLDEST: "oldest",
            pb.ASSET_ORDER_DISPLAY_NAME: "display_name"}  # fmt: skip
SESSION_PURPOSE_OF = {pb.PLAYBACK_PURPOSE_UNSPECIFIED: "stream", pb.PLAYBACK_PURPOSE_STREAM: "stream",
                      pb.PLAYBACK_PURPOSE_DOWNLOAD: "download"}  # fmt: skip
SESSION_PURPOSE = {"stream": pb.PLAYBACK_PURPOSE_STREAM, "download": pb.PLAYBACK_PURPOSE_DOWNLOAD}
END_REASON = {"": pb.PLAYBACK_SESSION_END_REASON_UNSPECIFIED, "ended_by_client": pb.PLAYBACK_SESSION_END_REASON_ENDED_BY_CLIENT,
              "lapsed": pb.PLAYBACK_SESSION_END_REASON_LAPSED, "replaced": pb.PLAYBACK_SESSION_END_REASON_REPLACED,
              "stopped_remotely": pb.PLAYBACK_SESSION_END_REASON_STOPPED_REMOTELY,
              "expired": pb.PLAYBACK_SESSION_END_REASON_EXPIRED,
              "asset_unavailable": pb.PLAYBACK_SESSION_END_REASON_ASSET_UNAVAILABLE}  # fmt: skip
PRESET_OF = {pb.LADDER_PRESET_STANDARD: "standard", pb.LADDER_PRESET_LECTURE: "lecture", pb.LADDER_PRESET_UHD: "uhd"}
VARIANT_OF = {pb.DOWNLOAD_VARIANT_SOURCE: "source", pb.DOWNLOAD_VARIANT_AUDIO: "audio"}


def enum_of(table: Mapping[Any, str], value: int, field: str) -> str:
    if value not in table:
        raise invalid(field, "is not a known value")
    return table[value]


def seconds(value: float) -> duration_pb2.Duration:
    whole = int(value)
    return duration_pb2.Duration(seconds=whole, nanos=round((value - whole) * 1e9))


# Rows arrive as the use cases' ORM objects; handlers only read their attributes.
def rendition_pb(r: dict[str, Any]) -> pb.Rendition:
    return pb.Rendition(
        resolution=RESOLUTION.get(r["name"], pb.RESOLUTION_UNSPECIFIED), width=r["width"], height=r["height"],
        video_codec=pb.VIDEO_CODEC_H264, codecs=r["codecs"].split(",")[0], bitrate_bps=r["bitrate_bps"],
        peak_bitrate_bps=r["peak_bitrate_bps"], playlist_path=r["playlist_path"], size_bytes=r["size_bytes"],
    )  # fmt: skip


def audio_pb(a: dict[str, Any]) -> pb.AudioTrack:
    return pb.AudioTrack(language_code=a["language_code"], display_name=a["display_name"], channels=a["channels"],
                         codecs=a["codecs"], bitrate_bps=a["bitrate_bps"], default=a["default"])  # fmt: skip


def thumbnail_pb(row: Any, url: str, poster_id: str = "") -> pb.Thumbnail:
    message = pb.Thumbnail(
        name=f"assets/{row.asset_id}/thumbnails/{row.id}", source=THUMB_SOURCE[row.source], content_type=row.content_type,
        width=row.width, height=row.height, size_bytes=row.size_bytes, url=url, poster=row.id == poster_id,
        create_time=timestamp(row.create_time),
    )  # fmt: skip
    if row.time_offset_seconds is not None:
        message.time_offset.CopyFrom(seconds(row.time_offset_seconds))
    return message


def text_track_pb(row: Any, url: str) -> pb.TextTrack:
    return pb.TextTrack(
        name=f"assets/{row.asset_id}/textTracks/{row.id}", kind=TRACK_KIND[row.kind], language_code=row.language_code,
        display_name=row.display_name, default=row.is_default, url=url, playlist_path=f"text/{row.id}.m3u8",
        cue_count=row.cue_count, size_bytes=row.size_bytes, create_time=timestamp(row.create_time),
        update_time=timestamp(row.update_time),
    )  # fmt: skip


def storyboard_pb(view: AssetView) -> pb.Storyboard | None:
    board = view.asset.storyboard
    if not board:
        return None
    return pb.Storyboard(vtt_url=view.storyboard_vtt_url, image_urls=view.storyboard_image_urls,
                         interval=seconds(board["interval"]), tile_width=board["tile_width"],
                         tile_height=board["tile_height"], columns=board["columns"], rows=board["rows"])  # fmt: skip


def source_pb(a: Any) -> pb.SourceInfo:
    info = pb.SourceInfo(filename=a.filename, content_type=a.content_type, size_bytes=a.size_bytes, sha256=a.sha256,
                         upload_complete_time=timestamp(a.upload_complete_time))  # fmt: skip
    probe = a.probe or {}
    if probe:
        info.container = probe.get("container", "")
        info.duration.CopyFrom(seconds(probe.get("duration_seconds", 0.0)))
        info.bitrate_bps = probe.get("bitrate_bps", 0)
        if video := probe.get("video"):
            info.video.CopyFrom(pb.SourceVideoStream(**video))
        for audio in probe.get("audio", []):
            info.audio.append(pb.SourceAudioStream(**audio))
    return info


def asset_pb(view: AssetView) -> pb.Asset:
    a = view.asset
    message = pb.Asset(
        name=f"assets/{a.id}", display_name=a.display_name, purpose=PURPOSE[a.purpose], title=a.title,
        visibility=VISIBILITY[a.visibility], required_plan=PLAN[a.required_plan], labels=a.labels or {},
        owner=f"users/{a.owner_id}", state=STATE[a.state], source=source_pb(a),
        renditions=[rendition_pb(r) for r in a.renditions], audio_tracks=[audio_pb(t) for t in a.audio_tracks],
        text_tracks=[text_track_pb(t, u) for t, u in view.text_tracks],
        thumbnails=[thumbnail_pb(t, u, a.poster_thumbnail_id) for t, u in view.thumbnails],
        poster_url=view.poster_url, storyboard=storyboard_pb(view),
        latest_operation=a.latest_operation, storage_bytes=a.storage_bytes, etag=a.etag,
        upload_expire_time=timestamp(a.upload_expire_time), create_time=timestamp(a.create_time),
        update_time=timestamp(a.update_time), ready_time=timestamp(a.ready_time),
    )  # fmt: skip
    if a.state != "waiting_upload":
        message.duration.CopyFrom(seconds(a.duration_seconds))
    if a.error:
        message.error.CopyFrom(status_pb2.Status(code=a.error["code"], message=a.error["message"]))
    return message


def target_pb(t: UploadTarget) -> pb.UploadTarget:
    return pb.UploadTarget(
        protocol=PROTOCOL[t.protocol], url=t.url, method="PUT", headers=t.headers, expire_time=timestamp(t.expire_time),
        part_size_bytes=t.part_size_bytes, part_count=t.part_count,
        parts=[pb.UploadPart(part_number=p.part_number, url=u, offset_bytes=p.offset_bytes, size_bytes=p.size_bytes)
               for p, u in t.parts],
    )  # fmt: skip


def session_pb(view: SessionView) -> pb.PlaybackSession:
    s = view.session
    message = pb.PlaybackSession(
        name=f"playbackSessions/{s.id}", asset=f"assets/{s.asset_id}", purpose=SESSION_PURPOSE[s.purpose],
        device_id=s.device_id, device_type=cast(Any, s.device_type), device_name=s.device_name,
        requested_max_resolution=RESOLUTION.get(s.requested_max_resolution, pb.RESOLUTION_UNSPECIFIED),
        user=f"users/{s.user_id}" if s.user_id else "", plan=PLAN[s.plan],
        max_resolution=RESOLUTION.get(s.max_resolution, pb.RESOLUTION_UNSPECIFIED), playlist_url=view.playlist_url,
        expire_time=timestamp(s.expire_time), renditions=[rendition_pb(r) for r in view.renditions],
        ad_supported=s.ad_supported,
        state=pb.PLAYBACK_SESSION_STATE_ACTIVE if s.state == "active" else pb.PLAYBACK_SESSION_STATE_ENDED,
        end_reason=END_REASON[s.end_reason], create_time=timestamp(s.create_time),
        last_heartbeat_time=timestamp(s.last_heartbeat_time), end_time=timestamp(s.end_time),
        offline_expire_time=timestamp(view.offline_expire_time),
    )  # fmt: skip
    if view.heartbeat_seconds:
        message.heartbeat_interval.CopyFrom(seconds(view.heartbeat_seconds))
    if view.asset is not None:
        a = view.asset.asset
        message.title = a.title
        message.duration.CopyFrom(seconds(a.duration_seconds))
        message.poster_url = view.asset.poster_url
        message.audio_tracks.extend(audio_pb(t) for t in a.audio_tracks)
        message.text_tracks.extend(text_track_pb(t, u) for t, u in view.asset.text_tracks)
        if (board := storyboard_pb(view.asset)) is not None:
            message.storyboard.CopyFrom(board)
    return message


RENDITION_STATE = {
    "queued": pb.RENDITION_STATE_QUEUED, "encoding": pb.RENDITION_STATE_ENCODING, "done": pb.RENDITION_STATE_DONE,
    "skipped": pb.RENDITION_STATE_SKIPPED, "failed": pb.RENDITION_STATE_FAILED,
}  # fmt: skip
PRESET = {"standard": pb.LADDER_PRESET_STANDARD, "lecture": pb.LADDER_PRESET_LECTURE}


def transcode_metadata(
    asset_id: str, rungs: Sequence[Rung], *, duration: float, preset: str, thumbnail_count: int, storyboard_seconds: float,
    progress: Mapping[str, tuple[str, int]] | None = None,
) -> pb.TranscodeMetadata:  # fmt: skip
    """The operation's metadata: settings in effect and one entry per rung, lowest first."""
    progress = progress or {}
    return pb.TranscodeMetadata(
        asset=f"assets/{asset_id}",
        settings=pb.TranscodeSettings(ladder_preset=PRESET.get(preset, pb.LADDER_PRESET_UNSPECIFIED),
                                      thumbnail_count=thumbnail_count, storyboard_interval=seconds(storyboard_seconds)),
        renditions=[
            pb.RenditionProgress(
                spec=pb.RenditionSpec(resolution=RESOLUTION.get(r.name, pb.RESOLUTION_UNSPECIFIED),
                                      video_codec=pb.VIDEO_CODEC_H264, bitrate_bps=r.bitrate_bps),
                state=RENDITION_STATE[progress.get(r.name, ("queued", 0))[0]],
                percent=progress.get(r.name, ("queued", 0))[1],
            )
            for r in rungs
        ],
        source_duration=seconds(duration),
    )  # fmt: skip


# Account export: rows as plain JSON values (metadata only; the files stay in storage).


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def asset_export(a: Any) -> dict[str, Any]:
    return {
        "name": f"assets/{a.id}", "display_name": a.display_name, "title": a.title, "purpose": a.purpose,
        "visibility": a.visibility, "state": a.state, "labels": dict(a.labels or {}), "filename": a.filename,
        "content_type": a.content_type, "size_bytes": a.size_bytes, "sha256": a.sha256,
        "duration_seconds": a.duration_seconds, "renditions": [r["name"] for r in a.renditions or []],
        "storage_bytes": a.storage_bytes, "create_time": _when(a.create_time), "update_time": _when(a.update_time),
        "ready_time": _when(a.ready_time),
    }  # fmt: skip


def thumbnail_export(t: Any) -> dict[str, Any]:
    return {"id": t.id, "source": t.source, "time_offset_seconds": t.time_offset_seconds, "content_type": t.content_type,
            "width": t.width, "height": t.height, "size_bytes": t.size_bytes, "create_time": _when(t.create_time)}  # fmt: skip


def text_track_export(t: Any) -> dict[str, Any]:
    return {"id": t.id, "kind": t.kind, "language_code": t.language_code, "display_name": t.display_name,
            "is_default": t.is_default, "cue_count": t.cue_count, "size_bytes": t.size_bytes,
            "create_time": _when(t.create_time)}  # fmt: skip


def session_export(s: Any) -> dict[str, Any]:
    return {
        "name": f"playbackSessions/{s.id}", "asset": f"assets/{s.asset_id}", "purpose": s.purpose,
        "device_id": s.device_id, "device_name": s.device_name, "device_type": s.device_type, "plan": s.plan,
        "max_resolution": s.max_resolution, "state": s.state, "end_reason": s.end_reason,
        "create_time": _when(s.create_time), "last_heartbeat_time": _when(s.last_heartbeat_time),
        "end_time": _when(s.end_time),
    }  # fmt: skip
