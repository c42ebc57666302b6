"""MediaService servicer: parses each request, calls one use case, maps the result to the contract."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from google.protobuf import duration_pb2
from google.rpc import status_pb2
from marquee.media.v1 import media_pb2 as pb
from marquee.media.v1 import media_pb2_grpc

from services.core.convert import timestamp
from services.core.errors import invalid
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, current_principal, require_principal
from services.media.usecases import AssetView, Caller, MediaUseCases, SessionView, UploadTarget

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
VARIANT_OF = {pb.DOWNLOAD_VARIANT_SOURCE: "source", pb.DOWNLOAD_VARIANT_AUDIO: "audio"}


def _enum(table: Mapping[Any, str], value: int, field: str) -> str:
    if value not in table:
        raise invalid(field, "is not a known value")
    return table[value]


def _seconds(value: float) -> duration_pb2.Duration:
    whole = int(value)
    return duration_pb2.Duration(seconds=whole, nanos=round((value - whole) * 1e9))


def caller() -> Caller:
    found = Caller.of(require_principal())
    assert found is not None
    return found


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
        message.time_offset.CopyFrom(_seconds(row.time_offset_seconds))
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
                         interval=_seconds(board["interval"]), tile_width=board["tile_width"],
                         tile_height=board["tile_height"], columns=board["columns"], rows=board["rows"])  # fmt: skip


def source_pb(a: Any) -> pb.SourceInfo:
    info = pb.SourceInfo(filename=a.filename, content_type=a.content_type, size_bytes=a.size_bytes, sha256=a.sha256,
                         upload_complete_time=timestamp(a.upload_complete_time))  # fmt: skip
    probe = a.probe or {}
    if probe:
        info.container = probe.get("container", "")
        info.duration.CopyFrom(_seconds(probe.get("duration_seconds", 0.0)))
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
        message.duration.CopyFrom(_seconds(a.duration_seconds))
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
        message.heartbeat_interval.CopyFrom(_seconds(view.heartbeat_seconds))
    if view.asset is not None:
        a = view.asset.asset
        message.title = a.title
        message.duration.CopyFrom(_seconds(a.duration_seconds))
        message.poster_url = view.asset.poster_url
        message.audio_tracks.extend(audio_pb(t) for t in a.audio_tracks)
        message.text_tracks.extend(text_track_pb(t, u) for t, u in view.asset.text_tracks)
        if (board := storyboard_pb(view.asset)) is not None:
            message.storyboard.CopyFrom(board)
    return message


class MediaHandlers(media_pb2_grpc.MediaServiceServicer):
    def __init__(self, usecases: MediaUseCases, idempotency: Idempotency) -> None:
        self.media = usecases
        self.idempotency = idempotency

    async def _once(self, method: str, request: Any, request_id: str, response_type: Any, call: Any) -> Any:
        principal = current_principal()
        who = principal.user_id if principal else "anonymous"
        return await self.idempotency.run(method=method, caller=who, request=request, request_id=request_id,
                                          response_type=response_type, call=call)  # fmt: skip

    async def CreateUpload(self, request: pb.CreateUploadRequest, context: Context) -> pb.CreateUploadResponse:
        who = caller()
        a = request.asset

        async def call() -> pb.CreateUploadResponse:
            view, target = await self.media.create_upload(
                who, filename=request.filename, content_type=request.content_type, size_bytes=request.size_bytes,
                sha256=request.sha256, protocol=_enum(PROTOCOL_OF, request.protocol, "protocol"),
                display_name=a.display_name, purpose=PURPOSE_OF.get(a.purpose, ""), title=a.title,
                visibility=VISIBILITY_OF.get(a.visibility, ""), required_plan=PLAN_OF.get(a.required_plan, ""),
                labels=dict(a.labels),
            )  # fmt: skip
            return pb.CreateUploadResponse(asset=asset_pb(view), upload_target=target_pb(target))

        response: pb.CreateUploadResponse = await self._once(
            "CreateUpload", request, request.request_id, pb.CreateUploadResponse, call
        )
        return response

    async def ResumeUpload(self, request: pb.ResumeUploadRequest, context: Context) -> pb.ResumeUploadResponse:
        target, stored, stored_bytes = await self.media.resume_upload(caller(), request.name, list(request.part_numbers))
        return pb.ResumeUploadResponse(upload_target=target_pb(target), stored_part_numbers=stored, stored_bytes=stored_bytes)

    async def CompleteUpload(self, request: pb.CompleteUploadRequest, context: Context) -> pb.CompleteUploadResponse:
        who = caller()

        async def call() -> pb.CompleteUploadResponse:
            return pb.CompleteUploadResponse(asset=asset_pb(await self.media.complete_upload(who, request.name)))

        response: pb.CompleteUploadResponse = await self._once(
            "CompleteUpload", request, request.request_id, pb.CompleteUploadResponse, call
        )
        return response

    async def GetAsset(self, request: pb.GetAssetRequest, context: Context) -> pb.GetAssetResponse:
        return pb.GetAssetResponse(asset=asset_pb(await self.media.get_asset(caller(), request.name)))

    async def ListAssets(self, request: pb.ListAssetsRequest, context: Context) -> pb.ListAssetsResponse:
        f = request.filter
        views, token = await self.media.list_assets(
            caller(), owner=f.owner, states=[_enum(STATE_OF, s, "filter.states") for s in f.states],
            purposes=[_enum(PURPOSE_OF, p, "filter.purposes") for p in f.purposes], title=f.title,
            name_contains=f.display_name_contains, order=_enum(ORDER_OF, request.order_by, "order_by"),
            size=request.page_size, token=request.page_token,
        )  # fmt: skip
        return pb.ListAssetsResponse(assets=[asset_pb(v) for v in views], next_page_token=token)

    async def UpdateAsset(self, request: pb.UpdateAssetRequest, context: Context) -> pb.UpdateAssetResponse:
        a = request.asset
        values = {"display_name": a.display_name, "labels": dict(a.labels), "purpose": PURPOSE_OF.get(a.purpose, ""),
                  "title": a.title, "visibility": VISIBILITY_OF.get(a.visibility, ""),
                  "required_plan": PLAN_OF.get(a.required_plan, "")}  # fmt: skip
        view = await self.media.update_asset(caller(), a.name, a.etag, list(request.update_mask.paths), values)
        return pb.UpdateAssetResponse(asset=asset_pb(view))

    async def DeleteAsset(self, request: pb.DeleteAssetRequest, context: Context) -> pb.DeleteAssetResponse:
        await self.media.delete_asset(caller(), request.name, request.etag, request.force)
        return pb.DeleteAssetResponse()

    async def CreatePlaybackSession(
        self, request: pb.CreatePlaybackSessionRequest, context: Context
    ) -> pb.CreatePlaybackSessionResponse:
        s = request.playback_session
        who = Caller.of(current_principal())

        async def call() -> pb.CreatePlaybackSessionResponse:
            view = await self.media.create_playback_session(
                who, asset_name=s.asset, purpose=_enum(SESSION_PURPOSE_OF, s.purpose, "playback_session.purpose"),
                device_id=s.device_id, device_type=s.device_type, device_name=s.device_name,
                requested=RESOLUTION_OF.get(s.requested_max_resolution, ""),
            )  # fmt: skip
            return pb.CreatePlaybackSessionResponse(playback_session=session_pb(view))

        response: pb.CreatePlaybackSessionResponse = await self._once(
            "CreatePlaybackSession", request, request.request_id, pb.CreatePlaybackSessionResponse, call
        )
        return response

    async def HeartbeatPlaybackSession(
        self, request: pb.HeartbeatPlaybackSessionRequest, context: Context
    ) -> pb.HeartbeatPlaybackSessionResponse:
        view = await self.media.heartbeat_playback_session(caller(), request.name)
        return pb.HeartbeatPlaybackSessionResponse(playback_session=session_pb(view))

    async def EndPlaybackSession(self, request: pb.EndPlaybackSessionRequest, context: Context) -> pb.EndPlaybackSessionResponse:
        view = await self.media.end_playback_session(caller(), request.name)
        return pb.EndPlaybackSessionResponse(playback_session=session_pb(view))

    async def ListPlaybackSessions(
        self, request: pb.ListPlaybackSessionsRequest, context: Context
    ) -> pb.ListPlaybackSessionsResponse:
        views, token = await self.media.list_playback_sessions(
            caller(), request.user, request.include_ended, request.page_size, request.page_token
        )
        return pb.ListPlaybackSessionsResponse(playback_sessions=[session_pb(v) for v in views], next_page_token=token)

    async def ListThumbnails(self, request: pb.ListThumbnailsRequest, context: Context) -> pb.ListThumbnailsResponse:
        rows, token = await self.media.list_thumbnails(caller(), request.parent, request.page_size, request.page_token)
        return pb.ListThumbnailsResponse(thumbnails=[thumbnail_pb(t, u) for t, u in rows], next_page_token=token)

    async def CreateThumbnail(self, request: pb.CreateThumbnailRequest, context: Context) -> pb.CreateThumbnailResponse:
        who = caller()
        t = request.thumbnail
        offset = t.time_offset.seconds + t.time_offset.nanos / 1e9 if t.HasField("time_offset") else None

        async def call() -> pb.CreateThumbnailResponse:
            row, url = await self.media.create_thumbnail(who, request.parent, time_offset=offset, image=t.image_data,
                                                         content_type=t.content_type)  # fmt: skip
            return pb.CreateThumbnailResponse(thumbnail=thumbnail_pb(row, url))

        response: pb.CreateThumbnailResponse = await self._once(
            "CreateThumbnail", request, request.request_id, pb.CreateThumbnailResponse, call
        )
        return response

    async def DeleteThumbnail(self, request: pb.DeleteThumbnailRequest, context: Context) -> pb.DeleteThumbnailResponse:
        await self.media.delete_thumbnail(caller(), request.name)
        return pb.DeleteThumbnailResponse()

    async def SetPosterFrame(self, request: pb.SetPosterFrameRequest, context: Context) -> pb.SetPosterFrameResponse:
        return pb.SetPosterFrameResponse(
            asset=asset_pb(await self.media.set_poster_frame(caller(), request.name, request.thumbnail))
        )

    async def ListTextTracks(self, request: pb.ListTextTracksRequest, context: Context) -> pb.ListTextTracksResponse:
        rows, token = await self.media.list_text_tracks(caller(), request.parent, request.page_size, request.page_token)
        return pb.ListTextTracksResponse(text_tracks=[text_track_pb(t, u) for t, u in rows], next_page_token=token)

    async def CreateTextTrack(self, request: pb.CreateTextTrackRequest, context: Context) -> pb.CreateTextTrackResponse:
        who = caller()
        t = request.text_track

        async def call() -> pb.CreateTextTrackResponse:
            row, url = await self.media.create_text_track(
                who, request.parent, kind=TRACK_KIND_OF.get(t.kind, ""), language_code=t.language_code,
                display_name=t.display_name, default=t.default, content=t.content, content_type=t.content_type,
            )  # fmt: skip
            return pb.CreateTextTrackResponse(text_track=text_track_pb(row, url))

        response: pb.CreateTextTrackResponse = await self._once(
            "CreateTextTrack", request, request.request_id, pb.CreateTextTrackResponse, call
        )
        return response

    async def UpdateTextTrack(self, request: pb.UpdateTextTrackRequest, context: Context) -> pb.UpdateTextTrackResponse:
        t = request.text_track
        values = {"kind": TRACK_KIND_OF.get(t.kind, ""), "language_code": t.language_code, "display_name": t.display_name,
                  "default": t.default, "content": t.content, "content_type": t.content_type}  # fmt: skip
        row, url = await self.media.update_text_track(caller(), t.name, list(request.update_mask.paths), values)
        return pb.UpdateTextTrackResponse(text_track=text_track_pb(row, url))

    async def DeleteTextTrack(self, request: pb.DeleteTextTrackRequest, context: Context) -> pb.DeleteTextTrackResponse:
        await self.media.delete_text_track(caller(), request.name)
        return pb.DeleteTextTrackResponse()

    async def GenerateDownloadUrl(
        self, request: pb.GenerateDownloadUrlRequest, context: Context
    ) -> pb.GenerateDownloadUrlResponse:
        ttl = request.ttl.seconds if request.HasField("ttl") else 900
        url, expires, content_type, size = await self.media.generate_download_url(
            caller(), request.name, VARIANT_OF.get(request.variant, ""), request.on_behalf_of, ttl
        )
        return pb.GenerateDownloadUrlResponse(url=url, expire_time=timestamp(expires), content_type=content_type, size_bytes=size)

    async def PurgeUserAssets(self, request: pb.PurgeUserAssetsRequest, context: Context) -> pb.PurgeUserAssetsResponse:
        who = caller()

        async def call() -> pb.PurgeUserAssetsResponse:
            return pb.PurgeUserAssetsResponse(deleted_asset_count=await self.media.purge_user_assets(who, request.user))

        response: pb.PurgeUserAssetsResponse = await self._once(
            "PurgeUserAssets", request, request.request_id, pb.PurgeUserAssetsResponse, call
        )
        return response

    # StartTranscode, GetOperation, ListOperations, CancelOperation and WatchOperation are served once the
    # shared operation runtime lands (branch `runtime`); until then the generated base answers UNIMPLEMENTED.
