"""MediaService servicer: parses each request, calls one use case, maps the result to the contract."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from google.api import httpbody_pb2
from marquee.api.v1.userdata_pb2 import UserDataDisposition
from marquee.media.v1 import media_pb2 as pb
from marquee.media.v1 import media_pb2_grpc

from services.core.convert import timestamp
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, current_metadata, current_principal, require_principal
from services.media.mapping import (
    ORDER_OF,
    PLAN_OF,
    PRESET_OF,
    PROTOCOL_OF,
    PURPOSE_OF,
    RESOLUTION_OF,
    SESSION_PURPOSE_OF,
    STATE_OF,
    TRACK_KIND_OF,
    VARIANT_OF,
    VISIBILITY_OF,
    asset_pb,
    enum_of,
    session_pb,
    target_pb,
    text_track_pb,
    thumbnail_pb,
)  # fmt: skip
from services.media.usecases import Caller, MediaUseCases


def transcode_settings(settings: pb.TranscodeSettings | None) -> dict[str, Any]:
    if settings is None:
        return {"preset": "", "custom": False, "thumbnail_count": 10, "storyboard_seconds": 10.0}
    interval = settings.storyboard_interval
    return {
        "preset": PRESET_OF.get(settings.ladder_preset, ""),
        "custom": bool(settings.renditions),
        "thumbnail_count": settings.thumbnail_count,
        "storyboard_seconds": interval.seconds + interval.nanos / 1e9 if settings.HasField("storyboard_interval") else 10.0,
    }


def caller() -> Caller:
    found = Caller.of(require_principal(), current_metadata().get("authorization", ""))
    assert found is not None
    return found


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
                sha256=request.sha256, protocol=enum_of(PROTOCOL_OF, request.protocol, "protocol"),
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

        settings = transcode_settings(request.transcode) if request.HasField("transcode") else None

        async def call() -> pb.CompleteUploadResponse:
            view, operation = await self.media.complete_and_transcode(
                who, request.name, transcode=settings, request_id=request.request_id
            )
            return pb.CompleteUploadResponse(asset=asset_pb(view), operation=operation)

        response: pb.CompleteUploadResponse = await self._once(
            "CompleteUpload", request, request.request_id, pb.CompleteUploadResponse, call
        )
        return response

    async def GetAsset(self, request: pb.GetAssetRequest, context: Context) -> pb.GetAssetResponse:
        return pb.GetAssetResponse(asset=asset_pb(await self.media.get_asset(caller(), request.name)))

    async def ListAssets(self, request: pb.ListAssetsRequest, context: Context) -> pb.ListAssetsResponse:
        f = request.filter
        views, token = await self.media.list_assets(
            caller(), owner=f.owner, states=[enum_of(STATE_OF, s, "filter.states") for s in f.states],
            purposes=[enum_of(PURPOSE_OF, p, "filter.purposes") for p in f.purposes], title=f.title,
            name_contains=f.display_name_contains, order=enum_of(ORDER_OF, request.order_by, "order_by"),
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
                who, asset_name=s.asset, purpose=enum_of(SESSION_PURPOSE_OF, s.purpose, "playback_session.purpose"),
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
        rows, token, poster = await self.media.list_thumbnails(caller(), request.parent, request.page_size, request.page_token)
        return pb.ListThumbnailsResponse(thumbnails=[thumbnail_pb(t, u, poster) for t, u in rows], next_page_token=token)

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
            purged = await self.media.purge_user_assets(who, request.user)
            erased = [
                UserDataDisposition(category="assets", count=purged.assets,
                                    description="videos, images and text tracks: rows and every stored file"),
                UserDataDisposition(category="playback_sessions", count=purged.playback_sessions,
                                    description="playback sessions on any asset, with their playlists"),
            ]  # fmt: skip
            return pb.PurgeUserAssetsResponse(deleted_asset_count=purged.assets, erased=erased)

        response: pb.PurgeUserAssetsResponse = await self._once(
            "PurgeUserAssets", request, request.request_id, pb.PurgeUserAssetsResponse, call
        )
        return response

    async def ExportUserData(self, request: pb.ExportUserDataRequest, context: Context) -> pb.ExportUserDataResponse:
        document = await self.media.export_user_data(caller(), request.name)
        body = json.dumps(document, indent=2, sort_keys=True).encode()
        return pb.ExportUserDataResponse(document=httpbody_pb2.HttpBody(content_type="application/json", data=body))

    # StartTranscode, GetOperation, ListOperations, CancelOperation and WatchOperation are served once the
    # shared operation runtime lands (branch `runtime`); until then the generated base answers UNIMPLEMENTED.

    async def StartTranscode(self, request: pb.StartTranscodeRequest, context: Context) -> pb.StartTranscodeResponse:
        who = caller()
        settings = transcode_settings(request.settings if request.HasField("settings") else None)

        async def call() -> pb.StartTranscodeResponse:
            operation = await self.media.start_transcode(who, request.name, request_id=request.request_id, **settings)
            return pb.StartTranscodeResponse(operation=operation)

        response: pb.StartTranscodeResponse = await self._once(
            "StartTranscode", request, request.request_id, pb.StartTranscodeResponse, call
        )
        return response

    async def GetOperation(self, request: pb.GetOperationRequest, context: Context) -> pb.GetOperationResponse:
        return pb.GetOperationResponse(operation=await self.media.operations.get(require_principal(), request.name))

    async def ListOperations(self, request: pb.ListOperationsRequest, context: Context) -> pb.ListOperationsResponse:
        found, token = await self.media.operations.list(
            require_principal(), parent=request.parent, page_size_requested=request.page_size,
            page_token=request.page_token, states=list(request.states), target=request.asset,
        )  # fmt: skip
        return pb.ListOperationsResponse(operations=found, next_page_token=token)

    async def CancelOperation(self, request: pb.CancelOperationRequest, context: Context) -> pb.CancelOperationResponse:
        cancelled = await self.media.operations.cancel(
            require_principal(), request.name, already_done_reason="OPERATION_ALREADY_DONE"
        )
        return pb.CancelOperationResponse(operation=cancelled)

    async def WatchOperation(
        self, request: pb.WatchOperationRequest, context: Context
    ) -> AsyncIterator[pb.WatchOperationResponse]:
        async for event in self.media.operations.watch(require_principal(), request.name):
            yield pb.WatchOperationResponse(event=event)
