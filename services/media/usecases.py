"""Media's use cases: each owns its units of work and every outside call (object storage, ffmpeg, Billing).

Handlers call one method per RPC; Celery tasks call the transcode pipeline
(`TranscodePipeline`, synchronous) the same way. Storage calls never run inside a
database transaction: bytes are checked first, then one short unit of work
records the outcome.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import pathlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio
from google.rpc import status_pb2

from services.core import errors
from services.core.db import Database
from services.core.errors import DomainError, FailedPrecondition, NotFound, PermissionDenied, ResourceExhausted, invalid
from services.core.models import new_id, utcnow
from services.core.operations import OperationRecord, State, TaskCall, to_proto
from services.core.operations_service import Operations
from services.core.paging import PageTokens, page_size
from services.core.storage import ObjectStore, Storage, StoredPart
from services.core.tokens import ROLE_SERVICE, Principal
from services.media import domain, encoder, mapping
from services.media.billing_client import BillingClient, Entitlements
from services.media.catalog_client import CatalogClient
from services.media.domain import ERROR_DOMAIN, Probe, Rung
from services.media.models import MEDIA_OPERATIONS, Asset, PlaybackSession, TextTrack, Thumbnail
from services.media.repository import MediaRepository
from services.media.settings import MediaSettings

ASSET_GONE = "the asset does not exist"
TRANSCODE_TASK = "marquee.media.transcode"
ENCODE_HELPER_TASK = "marquee.media.encode_helper"
QUEUE = "media"


def source_key(asset_id: str) -> str:
    return f"assets/{asset_id}/source"


def asset_prefix(asset_id: str) -> str:
    return f"assets/{asset_id}/"


def rendition_prefix(asset_id: str, rung: str) -> str:
    return f"assets/{asset_id}/hls/{rung}/"


def _gate_record(session_id: str) -> str:
    return f"marquee:media:gate:{session_id}"


def session_prefix(session_id: str) -> str:
    return f"sessions/{session_id}/"


@dataclass
class UploadTarget:
    protocol: str
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    expire_time: dt.datetime | None = None
    part_size_bytes: int = 0
    part_count: int = 0
    parts: list[tuple[domain.PartPlan, str]] = field(default_factory=list)


@dataclass
class AssetView:
    """An asset with everything its message shows, signed URLs included."""

    asset: Asset
    thumbnails: list[tuple[Thumbnail, str]] = field(default_factory=list)
    text_tracks: list[tuple[TextTrack, str]] = field(default_factory=list)
    poster_url: str = ""
    storyboard_vtt_url: str = ""
    storyboard_image_urls: list[str] = field(default_factory=list)


@dataclass
class SessionView:
    session: PlaybackSession
    asset: AssetView | None = None
    playlist_url: str = ""
    renditions: list[dict[str, Any]] = field(default_factory=list)
    heartbeat_seconds: int = 0
    offline_expire_time: dt.datetime | None = None


@dataclass(frozen=True)
class Caller:
    user_id: str
    is_admin: bool = False
    is_service: bool = False
    credential: str = ""  # the caller's own `authorization` value, for peers that answer per caller (Catalog)

    @classmethod
    def of(cls, principal: Principal | None, credential: str = "") -> Caller | None:
        if principal is None:
            return None
        return cls(principal.user_id, principal.is_admin, principal.is_service, credential)

    @property
    def privileged(self) -> bool:
        return self.is_admin or self.is_service


@dataclass(frozen=True)
class Purged:
    """What one account erasure deleted."""

    assets: int
    playback_sessions: int


def _named_user(caller: Caller, name: str, field_name: str, action: str) -> str:
    """`users/{user}` from a service or an admin (export and erasure name the user: never `users/me`)."""
    if not caller.privileged:
        raise PermissionDenied(f"only services and admins may {action}", reason="ROLE_REQUIRED")
    user_id = name.removeprefix("users/")
    if not name.startswith("users/") or not user_id or "/" in user_id or user_id == "me":
        raise invalid(field_name, "must be users/{user}, naming the user (users/me is not accepted)")
    return user_id


def _asset_id(name: str, field_name: str = "name") -> str:
    prefix, _, asset_id = name.partition("/")
    if prefix != "assets" or not asset_id or "/" in asset_id or len(asset_id) > 64:
        raise invalid(field_name, "must be assets/{asset}")
    return asset_id


def _child_id(name: str, collection: str, field_name: str = "name") -> tuple[str, str]:
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "assets" or parts[2] != collection or not parts[1] or not parts[3]:
        raise invalid(field_name, f"must be assets/{{asset}}/{collection}/{{id}}")
    return parts[1], parts[3]


def _visible(repo: MediaRepository, caller: Caller, asset_id: str, *, for_update: bool = False) -> Asset:
    asset = repo.asset(asset_id, for_update=for_update)
    if asset is None or not domain.can_see(owner_id=asset.owner_id, caller_id=caller.user_id, is_admin=caller.privileged):
        raise NotFound(ASSET_GONE, metadata={"resource": f"assets/{asset_id}"})
    return asset


def asset_view(repo: MediaRepository, asset: Asset, sign: Callable[[str, str], str]) -> AssetView:
    """The asset with its thumbnails, text tracks and storyboard, each with a signed URL."""
    view = AssetView(asset)
    for thumb in repo.thumbnails(asset.id):
        url = sign(thumb.key, thumb.content_type)
        view.thumbnails.append((thumb, url))
        if thumb.id == asset.poster_thumbnail_id:
            view.poster_url = url
    for track in repo.text_tracks(asset.id):
        view.text_tracks.append((track, sign(track.key, "text/vtt")))
    if asset.storyboard:
        view.storyboard_vtt_url = sign(asset.storyboard["vtt_key"], "text/vtt")
        view.storyboard_image_urls = [sign(k, "image/jpeg") for k in asset.storyboard["image_keys"]]
    return view


def _touch(asset: Asset) -> None:
    asset.update_time = utcnow()
    asset.etag = domain.etag_of(asset.id, asset.update_time.isoformat(), asset.state)


class MediaUseCases:
    def __init__(
        self,
        database: Database,
        storage: Storage,
        page_tokens: PageTokens,
        billing: BillingClient,
        redis_client: redis.asyncio.Redis,
        settings: MediaSettings,
        operations: Operations,
        *,
        gate_key: bytes = b"",
        catalog: CatalogClient | None = None,
    ) -> None:
        self.operations = operations
        self.catalog = catalog
        # The segment gate's signing key and public URL (set when the gate listens; see gate.py).
        self.gate_key = hmac.new(gate_key, b"marquee.media.segment-gate", hashlib.sha256).digest()
        self.gate_url = ""
        self.db = database
        self.storage = storage
        self.pages = page_tokens
        self.billing = billing
        self.redis = redis_client
        self.settings = settings
        self.ffmpeg = encoder.ffmpeg_path(settings.media_ffmpeg_path)

    @property
    def store(self) -> ObjectStore:
        return self.storage.store

    # -----------------------------------------------------------------------------------------
    # Views and signed URLs (presigning is local computation: no request to the store)

    def _sign(self, key: str, content_type: str = "") -> str:
        return self.store.presign_get(key, expires_seconds=self.settings.media_image_url_seconds, content_type=content_type)

    def _view(self, repo: MediaRepository, asset: Asset) -> AssetView:
        return asset_view(repo, asset, self._sign)

    async def _view_of(self, caller: Caller, asset_id: str) -> AssetView:
        return await self.db.run(lambda s: self._view(MediaRepository(s), _visible(MediaRepository(s), caller, asset_id)))

    # -----------------------------------------------------------------------------------------
    # Uploads

    def _upload_target(self, asset: Asset, *, stored: Sequence[int] = (), requested: Sequence[int] = ()) -> UploadTarget:
        expires = utcnow() + dt.timedelta(seconds=domain.UPLOAD_URL_SECONDS)
        if asset.upload_protocol == "single":
            url = self.store.presign_put(
                source_key(asset.id), content_type=asset.content_type, expires_seconds=domain.UPLOAD_URL_SECONDS
            )
            return UploadTarget("single", url, {"Content-Type": asset.content_type}, expires)
        plan = domain.part_plan(asset.size_bytes)
        chosen = domain.parts_to_sign(plan, stored, requested)
        parts = [
            (
                p,
                self.store.presign_part(
                    source_key(asset.id), asset.upload_id, p.part_number, expires_seconds=domain.UPLOAD_URL_SECONDS
                ),
            )
            for p in chosen
        ]
        return UploadTarget("multipart", "", {}, expires, domain.PART_SIZE_BYTES, len(plan), parts)

    async def create_upload(
        self,
        caller: Caller,
        *,
        filename: str,
        content_type: str,
        size_bytes: int,
        sha256: str,
        protocol: str,
        display_name: str,
        purpose: str,
        title: str,
        visibility: str,
        required_plan: str,
        labels: dict[str, str],
    ) -> tuple[AssetView, UploadTarget]:
        if not caller.is_admin and (purpose not in ("", "personal") or title or visibility or required_plan):
            raise PermissionDenied("only admins may set purpose, title, visibility or required_plan", reason="ROLE_REQUIRED")
        domain.check_display_name(display_name)
        domain.check_labels(labels)
        purpose = purpose or ("feature" if title and caller.is_admin else "personal")
        if title:
            await self._check_title(caller, title)
        stored = 0 if caller.is_admin else await self.db.run(lambda s: MediaRepository(s).stored_source_bytes(caller.user_id))
        chosen = domain.check_upload(
            filename=filename, content_type=content_type, size_bytes=size_bytes, sha256=sha256,
            is_admin=caller.is_admin, protocol=protocol, stored_bytes=stored,
        )  # fmt: skip
        asset_id = new_id()
        upload_id = ""
        if chosen == "multipart":
            upload_id = await self.storage.run(self.store.create_multipart, source_key(asset_id), content_type=content_type)

        def record(session: Any) -> AssetView:
            repo = MediaRepository(session)
            if title and purpose == "feature" and (clash := repo.feature_of(title, other_than=asset_id)) is not None:
                raise errors.AlreadyExists(
                    "another FEATURE asset already plays this title", reason="TITLE_FEATURE_EXISTS",
                    domain=ERROR_DOMAIN, metadata={"asset": f"assets/{clash.id}"},
                )  # fmt: skip
            now = utcnow()
            asset = Asset(
                id=asset_id, owner_id=caller.user_id, display_name=display_name or filename, purpose=purpose, title=title,
                visibility=visibility or domain.default_visibility(purpose), required_plan=required_plan, labels=dict(labels),
                state=domain.WAITING_UPLOAD, filename=filename, content_type=content_type, size_bytes=size_bytes, sha256=sha256,
                upload_protocol=chosen, upload_id=upload_id, create_time=now, update_time=now,
                upload_expire_time=now + dt.timedelta(days=domain.UPLOAD_EXPIRE_DAYS), renditions=[], audio_tracks=[],
            )  # fmt: skip
            _touch(asset)
            repo.add(asset)
            return self._view(repo, asset)

        view = await self.db.run(record)
        # Expired uploads are swept here, at most once an hour across every process (a Redis lock).
        if await self.redis.set("marquee:media:upload-sweep", "1", nx=True, ex=3600):
            await self.clean_expired_uploads(limit=50)
        return view, self._upload_target(view.asset)

    async def resume_upload(self, caller: Caller, name: str, part_numbers: Sequence[int]) -> tuple[UploadTarget, list[int], int]:
        asset = (await self._view_of(caller, _asset_id(name))).asset
        if asset.state != domain.WAITING_UPLOAD:
            raise FailedPrecondition("the upload was already completed", reason="UPLOAD_ALREADY_COMPLETED", domain=ERROR_DOMAIN)
        if asset.upload_protocol == "single":
            head = await self.storage.run(self.store.head, source_key(asset.id))
            return self._upload_target(asset), [], head.size_bytes if head else 0
        parts = await self._stored_parts(asset)
        plan = {p.part_number: p.size_bytes for p in domain.part_plan(asset.size_bytes)}
        complete = [p.part_number for p in parts if plan.get(p.part_number) == p.size_bytes]
        target = self._upload_target(asset, stored=complete, requested=part_numbers)
        return target, complete, sum(p.size_bytes for p in parts if p.part_number in complete)

    async def _stored_parts(self, asset: Asset) -> list[StoredPart]:
        parts = await self.storage.run(self.store.list_parts, source_key(asset.id), asset.upload_id)
        if parts is None:
            # The multipart upload vanished (aborted or expired in storage): start a fresh one.
            upload_id = await self.storage.run(self.store.create_multipart, source_key(asset.id), content_type=asset.content_type)

            def renew(session: Any) -> None:
                row = MediaRepository(session).asset(asset.id)
                if row is not None:
                    row.upload_id = upload_id

            await self.db.run(renew)
            asset.upload_id = upload_id
            return []
        return parts

    async def complete_and_transcode(
        self, caller: Caller, name: str, *, transcode: dict[str, Any] | None, request_id: str
    ) -> tuple[AssetView, Any]:
        """CompleteUpload: verify and probe; with `transcode` set, start it at once (the asset turns PROCESSING)."""
        view = await self.complete_upload(caller, name)
        if transcode is None or view.asset.state != domain.READY_TO_PROCESS:
            return view, None
        operation = await self.start_transcode(caller, name, request_id=request_id, **transcode)
        return await self._view_of(caller, view.asset.id), operation

    async def complete_upload(self, caller: Caller, name: str) -> AssetView:
        asset_id = _asset_id(name)
        view = await self._view_of(caller, asset_id)
        asset = view.asset
        if asset.state != domain.WAITING_UPLOAD:
            return view  # completing twice returns the asset unchanged
        key = source_key(asset_id)
        if asset.upload_protocol == "multipart":
            parts = await self._stored_parts(asset)
            plan = domain.part_plan(asset.size_bytes)
            missing = domain.missing_parts(plan, {p.part_number: p.size_bytes for p in parts})
            if missing and not parts:
                raise FailedPrecondition("no part of the file is in storage", reason="UPLOAD_NOT_FOUND", domain=ERROR_DOMAIN)
            if missing:
                raise FailedPrecondition(
                    f"{len(missing)} parts were never stored; get URLs for them with ResumeUpload",
                    reason="UPLOAD_INCOMPLETE", domain=ERROR_DOMAIN,
                    metadata={"missing_parts": ",".join(str(n) for n in missing[:200])},
                )  # fmt: skip
            await self.storage.run(
                self.store.complete_multipart, key, asset.upload_id, [p for p in parts if p.part_number <= len(plan)]
            )
        head = await self.storage.run(self.store.head, key)
        if head is None:
            raise FailedPrecondition(
                "the file is not in storage; upload it first", reason="UPLOAD_NOT_FOUND", domain=ERROR_DOMAIN
            )
        if head.size_bytes != asset.size_bytes:
            await self._discard_source(asset)
            raise FailedPrecondition(
                f"storage holds {head.size_bytes} bytes, not the declared {asset.size_bytes}; upload again",
                reason="UPLOAD_SIZE_MISMATCH", domain=ERROR_DOMAIN,
                metadata={"stored_bytes": str(head.size_bytes), "declared_bytes": str(asset.size_bytes)},
            )  # fmt: skip
        if asset.sha256 and await self.storage.run(self.store.sha256, key) != asset.sha256:
            await self._discard_source(asset)
            raise FailedPrecondition(
                "the stored bytes' SHA-256 differs from the declared one; upload again",
                reason="UPLOAD_CHECKSUM_MISMATCH", domain=ERROR_DOMAIN,
            )  # fmt: skip
        # ffmpeg reads the source straight from storage over a short-lived URL (ranges, no download).
        url = self.store.presign_get(key, expires_seconds=600)
        found, decode_error = await self.storage.run(encoder.probe, self.ffmpeg, url)
        why = domain.refusal(found, decode_error)
        if why:
            await self._discard_source(asset)
            raise FailedPrecondition(f"not a playable video: {why}", reason="SOURCE_UNREADABLE", domain=ERROR_DOMAIN)
        assert found is not None
        return await self.db.run(lambda s: self._record_upload(MediaRepository(s), asset_id, found))

    def _record_upload(self, repo: MediaRepository, asset_id: str, found: Probe) -> AssetView:
        asset = repo.asset(asset_id, for_update=True)
        if asset is None:
            raise NotFound(ASSET_GONE)
        if asset.state == domain.WAITING_UPLOAD:
            asset.state = domain.READY_TO_PROCESS
            asset.probe = found.as_dict()
            asset.duration_seconds = found.duration_seconds
            asset.upload_complete_time = utcnow()
            asset.upload_expire_time = None
            asset.upload_id = ""
            asset.storage_bytes = asset.size_bytes
            _touch(asset)
        return self._view(repo, asset)

    async def _discard_source(self, asset: Asset) -> None:
        """Refused bytes are deleted; the asset stays WAITING_UPLOAD for a new attempt."""
        await self.storage.run(self.store.delete, source_key(asset.id))
        if asset.upload_protocol == "multipart":
            await self.storage.run(self.store.abort_multipart, source_key(asset.id), asset.upload_id)
            upload_id = await self.storage.run(self.store.create_multipart, source_key(asset.id), content_type=asset.content_type)

            def renew(session: Any) -> None:
                row = MediaRepository(session).asset(asset.id)
                if row is not None:
                    row.upload_id = upload_id

            await self.db.run(renew)

    async def clean_expired_uploads(self, *, limit: int = 100) -> int:
        """Deletes assets still WAITING_UPLOAD past their expiry, with their bytes and multipart uploads."""
        expired = await self.db.run(lambda s: MediaRepository(s).expired_uploads(utcnow(), limit))
        for asset in expired:
            await self._delete_everything(asset)
        return len(expired)

    # -----------------------------------------------------------------------------------------
    # Assets

    async def get_asset(self, caller: Caller, name: str) -> AssetView:
        return await self._view_of(caller, _asset_id(name))

    async def list_assets(
        self,
        caller: Caller,
        *,
        owner: str,
        states: Sequence[str],
        purposes: Sequence[str],
        title: str,
        name_contains: str,
        order: str,
        size: int,
        token: str,
    ) -> tuple[list[AssetView], str]:
        owner_id: str | None = caller.user_id
        if caller.privileged:
            owner_id = None
            if owner:
                if not owner.startswith("users/") or len(owner) <= 6:
                    raise invalid("filter.owner", "must be users/{user}")
                owner_id = owner.removeprefix("users/")
        limit = page_size(size)
        query = f"assets|{owner_id}|{sorted(states)}|{sorted(purposes)}|{title}|{name_contains}|{order}"
        after = self.pages.decode(token, query=query)

        def page(session: Any) -> tuple[list[AssetView], str]:
            repo = MediaRepository(session)
            rows = repo.list_assets(
                owner_id=owner_id, states=states, purposes=purposes, title=title, name_contains=name_contains,
                order=order, after=after, limit=limit + 1,
            )  # fmt: skip
            next_token = ""
            if len(rows) > limit:
                rows = rows[:limit]
                last = rows[-1]
                key = last.display_name if order == "display_name" else last.create_time.isoformat()
                next_token = self.pages.encode({"k": key, "id": last.id}, query=query)
            return [self._view(repo, r) for r in rows], next_token

        return await self.db.run(page)

    async def update_asset(self, caller: Caller, name: str, etag: str, paths: Sequence[str], values: dict[str, Any]) -> AssetView:
        asset_id = _asset_id(name, "asset.name")
        chosen = domain.check_update_mask(paths, is_admin=caller.is_admin)
        if "display_name" in chosen:
            domain.check_display_name(values["display_name"])
        if "labels" in chosen:
            domain.check_labels(values["labels"])

        if "title" in chosen and values["title"]:
            await self._check_title(caller, values["title"])

        def update(session: Any) -> AssetView:
            repo = MediaRepository(session)
            asset = _visible(repo, caller, asset_id, for_update=True)
            if etag and etag != asset.etag:
                raise errors.Aborted("the asset changed since it was read; read it again", reason="ETAG_MISMATCH")
            for path in chosen:
                value = values[path]
                if path == "purpose" and not value:
                    value = "personal"
                if path == "visibility" and not value:
                    value = domain.default_visibility(values.get("purpose") or asset.purpose)
                setattr(asset, path, value)
            if asset.title and asset.purpose == "feature" and (clash := repo.feature_of(asset.title, other_than=asset.id)):
                raise errors.AlreadyExists(
                    "another FEATURE asset already plays this title", reason="TITLE_FEATURE_EXISTS",
                    domain=ERROR_DOMAIN, metadata={"asset": f"assets/{clash.id}"},
                )  # fmt: skip
            _touch(asset)
            return self._view(repo, asset)

        return await self.db.run(update)

    async def _check_title(self, caller: Caller, title: str) -> None:
        """The linked title or episode must exist in the Catalog (asked through its contract)."""
        if self.catalog is None:
            raise errors.Unavailable("no Catalog to check the title against", reason="DEPENDENCY_UNAVAILABLE")
        await self.catalog.check_linkable(title, caller.credential)

    async def delete_asset(self, caller: Caller, name: str, etag: str, force: bool) -> None:
        if force and not caller.is_admin:
            raise PermissionDenied("only admins may force a delete", reason="ROLE_REQUIRED")
        asset = (await self._view_of(caller, _asset_id(name))).asset
        if etag and etag != asset.etag:
            raise errors.Aborted("the asset changed since it was read; read it again", reason="ETAG_MISMATCH")
        await self._delete_everything(asset)

    async def _delete_everything(self, asset: Asset) -> None:
        """Cancels its transcode, ends its sessions, removes its rows, then every object it owns in storage."""
        if asset.latest_operation:
            with contextlib.suppress(FailedPrecondition, NotFound):
                await self.operations.cancel(Principal("services/media", role=ROLE_SERVICE), asset.latest_operation)

        def forget(session: Any) -> list[str]:
            repo = MediaRepository(session)
            row = repo.asset(asset.id, for_update=True)
            ended = []
            for playback in repo.sessions_of_asset(asset.id):
                playback.state, playback.end_reason, playback.end_time = "ended", "asset_unavailable", utcnow()
                ended.append(playback.id)
            if row is not None:
                repo.delete(row)
            return ended

        ended = await self.db.run(forget)
        if asset.upload_id:
            await self.storage.run(self.store.abort_multipart, source_key(asset.id), asset.upload_id)
        await self.storage.run(self.store.delete_prefix, asset_prefix(asset.id))
        for session_id in ended:
            await self._forget_session(session_id)

    async def purge_user_assets(self, caller: Caller, user: str) -> Purged:
        """Deletes the user's assets (rows and objects) and the user's playback sessions (on anyone's assets)."""
        user_id = _named_user(caller, user, "user", "purge a user's assets")
        owned = await self.db.run(lambda s: MediaRepository(s).assets_of(user_id))
        for asset in owned:
            await self._delete_everything(asset)

        def forget_sessions(session: Any) -> list[str]:
            repo = MediaRepository(session)
            rows = repo.all_sessions_of(user_id)
            for row in rows:
                repo.delete(row)
            return [row.id for row in rows]

        sessions = await self.db.run(forget_sessions)
        for session_id in sessions:
            await self._forget_session(session_id)
        return Purged(assets=len(owned), playback_sessions=len(sessions))

    async def export_user_data(self, caller: Caller, name: str) -> dict[str, Any]:
        """Everything Media holds about a user, as plain JSON values: asset metadata (not files) and sessions."""
        user_id = _named_user(caller, name, "name", "export a user's data")

        def gather(session: Any) -> dict[str, Any]:
            repo = MediaRepository(session)
            assets = []
            for asset in repo.assets_of(user_id):
                assets.append(
                    {
                        **mapping.asset_export(asset),
                        "thumbnails": [mapping.thumbnail_export(t) for t in repo.thumbnails(asset.id)],
                        "text_tracks": [mapping.text_track_export(t) for t in repo.text_tracks(asset.id)],
                    }
                )
            sessions = [mapping.session_export(row) for row in repo.all_sessions_of(user_id)]
            return {"export_time": utcnow().isoformat(), "user": f"users/{user_id}", "assets": assets,
                    "playback_sessions": sessions}  # fmt: skip

        return await self.db.run(gather)

    # -----------------------------------------------------------------------------------------
    # Transcoding

    async def start_transcode(
        self, caller: Caller, name: str, *, preset: str, custom: bool, thumbnail_count: int, storyboard_seconds: float,
        request_id: str,
    ) -> Any:  # fmt: skip
        """Creates the transcode operation in the unit of work that moves the asset to PROCESSING, then enqueues it."""
        asset_id = _asset_id(name)
        if custom or preset == "uhd":
            if not caller.is_admin:
                raise PermissionDenied("custom renditions and the UHD ladder are for admins", reason="ROLE_REQUIRED")
            raise errors.Unimplemented("custom ladders and UHD (H.265) are not available yet", reason="NOT_IMPLEMENTED")
        if not 0 <= thumbnail_count <= 20:
            raise invalid("settings.thumbnail_count", "must be 0 to 20")
        if not 1 <= storyboard_seconds <= 60:
            raise invalid("settings.storyboard_interval", "must be 1 to 60 seconds")
        deadline = dt.timedelta(seconds=self.settings.media_transcode_deadline_seconds)
        task = TaskCall(
            TRANSCODE_TASK, QUEUE,
            {"asset_id": asset_id, "preset": preset, "thumbnail_count": thumbnail_count,
             "storyboard_seconds": storyboard_seconds},
        )  # fmt: skip

        def create(session: Any) -> tuple[OperationRecord, bool]:
            repo = MediaRepository(session)
            asset = _visible(repo, caller, asset_id, for_update=True)
            store = self.operations.store
            if request_id and (
                found := store.get_by_request_id(session, owner=caller.user_id, kind="transcode", request_id=request_id)
            ):
                return found, False
            if asset.state == domain.WAITING_UPLOAD:
                raise FailedPrecondition("the upload is not complete", reason="ASSET_NOT_READY", domain=ERROR_DOMAIN)
            if asset.latest_operation:
                running = store.get(session, asset.latest_operation.rsplit("/", 1)[-1])
                if running is not None and not running.done:
                    raise FailedPrecondition(
                        "a transcode of this asset is already queued or running", reason="TRANSCODE_ALREADY_RUNNING",
                        domain=ERROR_DOMAIN, metadata={"operation": running.name},
                    )  # fmt: skip
            probed = Probe.from_dict(asset.probe or {})
            assert probed.video is not None
            chosen = preset or ("lecture" if asset.purpose == "personal" else "standard")
            video = probed.video
            rungs = domain.ladder(video.width, video.height, chosen, rotation=video.rotation_degrees)
            metadata = mapping.transcode_metadata(
                asset_id,
                rungs,
                duration=probed.duration_seconds,
                preset=chosen,
                thumbnail_count=thumbnail_count,
                storyboard_seconds=storyboard_seconds,
            )
            record = self.operations.create(
                session, owner=caller.user_id, kind="transcode", task=task, deadline=deadline,
                target=f"assets/{asset_id}", request_id=request_id, metadata=metadata,
            )  # fmt: skip
            asset.latest_operation = record.name
            if asset.state != domain.READY:
                asset.state = domain.PROCESSING
                asset.error = None
            _touch(asset)
            return record, True

        record, created = await self.db.run(create)
        if created:
            try:
                await self.operations.enqueue(record)
            except DomainError:
                await self.db.run(lambda s: _back_from_processing(MediaRepository(s), asset_id))
                raise
        return to_proto(record)

    # -----------------------------------------------------------------------------------------
    # Thumbnails and the poster

    async def list_thumbnails(
        self, caller: Caller, parent: str, size: int, token: str
    ) -> tuple[list[tuple[Thumbnail, str]], str, str]:
        """A page of thumbnails, the next page token, and the poster's id."""
        view = await self._view_of(caller, _asset_id(parent, "parent"))
        rows, next_token = self._page(view.thumbnails, size, token, f"thumbnails|{view.asset.id}", maximum=50)
        return rows, next_token, view.asset.poster_thumbnail_id

    def _page(self, items: list[Any], size: int, token: str, query: str, *, maximum: int) -> tuple[list[Any], str]:
        limit = page_size(size, maximum=maximum)
        start = int((self.pages.decode(token, query=query) or {}).get("i", 0))
        chunk = items[start : start + limit]
        more = start + limit < len(items)
        return chunk, self.pages.encode({"i": start + limit}, query=query) if more else ""

    async def create_thumbnail(
        self, caller: Caller, parent: str, *, time_offset: float | None, image: bytes, content_type: str
    ) -> tuple[Thumbnail, str]:
        asset = (await self._view_of(caller, _asset_id(parent, "parent"))).asset
        if (time_offset is None) == (not image):
            raise invalid("thumbnail", "set exactly one of time_offset and image_data")
        count = await self.db.run(lambda s: MediaRepository(s).thumbnail_count(asset.id))
        if count >= domain.THUMBNAILS_PER_ASSET:
            raise ResourceExhausted("the asset already has 50 thumbnails", reason="THUMBNAIL_LIMIT_REACHED", domain=ERROR_DOMAIN)
        thumb_id = new_id()
        if image:
            width, height = domain.check_image(image, content_type)
            key = f"assets/{asset.id}/thumbnails/{thumb_id}.{domain.IMAGE_TYPES[content_type]}"
            size = await self.storage.run(self.store.put_bytes, key, image, content_type=content_type)
            row = Thumbnail(id=thumb_id, asset_id=asset.id, source="uploaded", content_type=content_type,
                            width=width, height=height, size_bytes=size, key=key)  # fmt: skip
        else:
            assert time_offset is not None
            if asset.state == domain.WAITING_UPLOAD:
                raise FailedPrecondition("the upload is not complete", reason="ASSET_NOT_READY", domain=ERROR_DOMAIN)
            if time_offset < 0 or time_offset > asset.duration_seconds:
                raise invalid("thumbnail.time_offset", f"must be within the asset's {asset.duration_seconds:.3f} s")
            row = await self.storage.run(self._capture, asset, thumb_id, time_offset, "captured")

        def record(session: Any) -> tuple[Thumbnail, str]:
            repo = MediaRepository(session)
            owner = repo.asset(asset.id, for_update=True)
            if owner is None:
                raise NotFound(ASSET_GONE)
            repo.add(row)
            owner.storage_bytes += row.size_bytes
            if not owner.poster_thumbnail_id:
                owner.poster_thumbnail_id = row.id
            _touch(owner)
            return row, self._sign(row.key, row.content_type)

        return await self.db.run(record)

    def _capture(self, asset: Asset, thumb_id: str, at: float, source: str) -> Thumbnail:
        """Grabs one frame from the source (read over a signed URL), stores it as JPEG."""
        url = self.store.presign_get(source_key(asset.id), expires_seconds=600)
        with tempfile.TemporaryDirectory(prefix="media-thumb-") as folder:
            out = pathlib.Path(folder) / "frame.jpg"
            encoder.run(domain.thumbnail_command(self.ffmpeg, url, str(out), min(at, max(0.0, asset.duration_seconds - 0.05))))
            data = out.read_bytes()
        size = domain.image_size(data) or (0, 0, "jpg")
        key = f"assets/{asset.id}/thumbnails/{thumb_id}.jpg"
        self.store.put_bytes(key, data, content_type="image/jpeg")
        return Thumbnail(id=thumb_id, asset_id=asset.id, source=source, time_offset_seconds=at, content_type="image/jpeg",
                         width=size[0], height=size[1], size_bytes=len(data), key=key)  # fmt: skip

    async def delete_thumbnail(self, caller: Caller, name: str) -> None:
        asset_id, thumb_id = _child_id(name, "thumbnails")

        def remove(session: Any) -> str:
            repo = MediaRepository(session)
            asset = _visible(repo, caller, asset_id, for_update=True)
            thumb = repo.thumbnail(asset_id, thumb_id)
            if thumb is None:
                raise NotFound("the thumbnail does not exist")
            if asset.poster_thumbnail_id == thumb.id:
                raise FailedPrecondition(
                    "the thumbnail is the poster; set another first", reason="THUMBNAIL_IS_POSTER", domain=ERROR_DOMAIN
                )
            asset.storage_bytes = max(0, asset.storage_bytes - thumb.size_bytes)
            repo.delete(thumb)
            _touch(asset)
            return thumb.key

        key = await self.db.run(remove)
        await self.storage.run(self.store.delete, key)

    async def set_poster_frame(self, caller: Caller, name: str, thumbnail: str) -> AssetView:
        asset_id = _asset_id(name)
        owner_id, thumb_id = _child_id(thumbnail, "thumbnails", "thumbnail")
        if owner_id != asset_id:
            raise NotFound("the thumbnail does not belong to this asset")

        def choose(session: Any) -> AssetView:
            repo = MediaRepository(session)
            asset = _visible(repo, caller, asset_id, for_update=True)
            if repo.thumbnail(asset_id, thumb_id) is None:
                raise NotFound("the thumbnail does not exist")
            if asset.poster_thumbnail_id != thumb_id:
                asset.poster_thumbnail_id = thumb_id
                _touch(asset)
            return self._view(repo, asset)

        return await self.db.run(choose)

    # -----------------------------------------------------------------------------------------
    # Text tracks

    async def list_text_tracks(
        self, caller: Caller, parent: str, size: int, token: str
    ) -> tuple[list[tuple[TextTrack, str]], str]:
        view = await self._view_of(caller, _asset_id(parent, "parent"))
        return self._page(view.text_tracks, size, token, f"tracks|{view.asset.id}", maximum=50)

    async def create_text_track(
        self, caller: Caller, parent: str, *, kind: str, language_code: str, display_name: str, default: bool,
        content: bytes, content_type: str,
    ) -> tuple[TextTrack, str]:  # fmt: skip
        asset_id = _asset_id(parent, "parent")
        await self._view_of(caller, asset_id)
        if kind not in ("subtitles", "captions"):
            raise invalid("text_track.kind", "must be SUBTITLES or CAPTIONS")
        _check_language(language_code)
        if len(display_name) > 100:
            raise invalid("text_track.display_name", "at most 100 characters")
        vtt, cues = domain.to_webvtt(content, content_type or "text/vtt")
        track_id = new_id()
        key = f"assets/{asset_id}/text/{track_id}.vtt"
        data = vtt.encode()

        def record(session: Any) -> TextTrack:
            repo = MediaRepository(session)
            asset = _visible(repo, caller, asset_id, for_update=True)
            if repo.text_track_like(asset_id, kind, language_code) is not None:
                raise errors.AlreadyExists("the asset already has this kind of track in this language",
                                           reason="TEXT_TRACK_EXISTS", domain=ERROR_DOMAIN)  # fmt: skip
            if len(repo.text_tracks(asset_id)) >= domain.TEXT_TRACKS_PER_ASSET:
                raise ResourceExhausted(
                    "the asset already has 50 text tracks", reason="TEXT_TRACK_LIMIT_REACHED", domain=ERROR_DOMAIN
                )
            name = display_name or language_code + (" (CC)" if kind == "captions" else "")
            row = TextTrack(id=track_id, asset_id=asset_id, kind=kind, language_code=language_code, display_name=name,
                            is_default=default, key=key, cue_count=cues, size_bytes=len(data))  # fmt: skip
            repo.add(row)
            if default:
                repo.clear_default_tracks(asset_id, except_id=track_id)
            asset.storage_bytes += len(data)
            _touch(asset)
            return row

        row = await self.db.run(record)
        try:
            await self.storage.run(self.store.put_bytes, key, data, content_type="text/vtt")
        except BaseException:
            await self.db.run(lambda s: _drop_track(MediaRepository(s), asset_id, track_id))
            raise
        return row, self._sign(key, "text/vtt")

    async def update_text_track(
        self, caller: Caller, name: str, paths: Sequence[str], values: dict[str, Any]
    ) -> tuple[TextTrack, str]:
        asset_id, track_id = _child_id(name, "textTracks", "text_track.name")
        allowed = {"kind", "language_code", "display_name", "default", "content", "content_type"}
        if not paths or any(p not in allowed for p in paths):
            raise invalid("update_mask", "paths must be among kind, language_code, display_name, default, content")
        data = b""
        cues = 0
        if "content" in paths:
            vtt, cues = domain.to_webvtt(values["content"], values.get("content_type") or "text/vtt")
            data = vtt.encode()
        if "kind" in paths and values["kind"] not in ("subtitles", "captions"):
            raise invalid("text_track.kind", "must be SUBTITLES or CAPTIONS")
        if "language_code" in paths:
            _check_language(values["language_code"])

        def update(session: Any) -> TextTrack:
            repo = MediaRepository(session)
            asset = _visible(repo, caller, asset_id, for_update=True)
            track = repo.text_track(asset_id, track_id)
            if track is None:
                raise NotFound("the text track does not exist")
            if "kind" in paths:
                track.kind = values["kind"]
            if "language_code" in paths:
                track.language_code = values["language_code"]
            if "display_name" in paths:
                track.display_name = values["display_name"][:100]
            if "default" in paths:
                track.is_default = bool(values["default"])
                if track.is_default:
                    repo.clear_default_tracks(asset_id, except_id=track_id)
            if repo.text_track_like(asset_id, track.kind, track.language_code, other_than=track_id) is not None:
                raise errors.AlreadyExists("the asset already has this kind of track in this language",
                                           reason="TEXT_TRACK_EXISTS", domain=ERROR_DOMAIN)  # fmt: skip
            if data:
                asset.storage_bytes += len(data) - track.size_bytes
                track.size_bytes, track.cue_count = len(data), cues
            track.update_time = utcnow()
            _touch(asset)
            return track

        row = await self.db.run(update)
        if data:
            await self.storage.run(self.store.put_bytes, row.key, data, content_type="text/vtt")
        return row, self._sign(row.key, "text/vtt")

    async def delete_text_track(self, caller: Caller, name: str) -> None:
        asset_id, track_id = _child_id(name, "textTracks")

        def remove(session: Any) -> str:
            repo = MediaRepository(session)
            _visible(repo, caller, asset_id, for_update=True)
            key = _drop_track(repo, asset_id, track_id)
            if not key:
                raise NotFound("the text track does not exist")
            return key

        await self.storage.run(self.store.delete, await self.db.run(remove))

    # -----------------------------------------------------------------------------------------
    # Downloads

    async def generate_download_url(
        self, caller: Caller, name: str, variant: str, on_behalf_of: str, ttl_seconds: int
    ) -> tuple[str, dt.datetime, str, int]:
        asset_id = _asset_id(name)
        if variant not in ("source", "audio"):
            raise invalid("variant", "must be SOURCE or AUDIO")
        if not 60 <= ttl_seconds <= 86400:
            raise invalid("ttl", "must be between 1 minute and 24 hours")
        acting = caller
        if on_behalf_of:
            if not on_behalf_of.startswith("users/") or len(on_behalf_of) <= 6:
                raise invalid("on_behalf_of", "must be users/{user}")
            acting = Caller(on_behalf_of.removeprefix("users/"))
        asset = (await self._view_of(acting, asset_id)).asset
        if asset.state == domain.WAITING_UPLOAD:
            raise FailedPrecondition("the upload is not complete", reason="ASSET_NOT_READY", domain=ERROR_DOMAIN)
        if variant == "source":
            key, content_type, size = source_key(asset_id), asset.content_type, asset.size_bytes
        else:
            if not asset.audio_key:
                raise FailedPrecondition("the asset has no audio-only file (no transcode yet, or no audio)",
                                         reason="RENDITION_NOT_AVAILABLE", domain=ERROR_DOMAIN)  # fmt: skip
            key, content_type, size = asset.audio_key, "audio/mp4", asset.audio_size_bytes
        url = self.store.presign_get(key, expires_seconds=ttl_seconds)
        return url, utcnow() + dt.timedelta(seconds=ttl_seconds), content_type, size

    # -----------------------------------------------------------------------------------------
    # Playback

    async def create_playback_session(
        self, caller: Caller | None, *, asset_name: str, purpose: str, device_id: str, device_type: int,
        device_name: str, requested: str,
    ) -> SessionView:  # fmt: skip
        asset_id = _asset_id(asset_name, "playback_session.asset")
        if not device_id or len(device_id) > 128:
            raise invalid("playback_session.device_id", "is required, at most 128 characters")
        if len(device_name) > 100:
            raise invalid("playback_session.device_name", "at most 100 characters")
        asset = await self.db.run(lambda s: MediaRepository(s).asset(asset_id))
        privileged = caller is not None and asset is not None and (caller.privileged or caller.user_id == asset.owner_id)
        if asset is None or (asset.visibility == domain.PRIVATE and not privileged):
            if caller is None and asset is not None:
                raise errors.Unauthenticated("this asset needs an access token", reason="TOKEN_MISSING")
            raise NotFound(ASSET_GONE)
        if caller is None and asset.visibility != domain.PUBLIC:
            raise errors.Unauthenticated("this asset needs an access token", reason="TOKEN_MISSING")
        if asset.state != domain.READY and not (asset.state == domain.PROCESSING and asset.renditions):
            raise FailedPrecondition("the asset is not ready to play", reason="ASSET_NOT_READY", domain=ERROR_DOMAIN)
        entitlements: Entitlements | None = None
        if caller is not None and not privileged:
            try:
                entitlements = await self.billing.entitlements(caller.user_id)
            except errors.Unavailable:
                if asset.visibility == domain.SUBSCRIBERS:
                    raise  # fail closed: subscriber content needs a known plan
        plan = entitlements.plan if entitlements else ""
        if asset.visibility == domain.SUBSCRIBERS and not privileged:
            assert entitlements is not None
            needed = asset.required_plan or "free"
            if domain.PLAN_RANK[plan] < domain.PLAN_RANK[needed]:
                raise PermissionDenied(f"this video needs the {needed} plan", reason="PLAN_REQUIRED",
                                       domain=ERROR_DOMAIN, metadata={"required_plan": needed.upper()})  # fmt: skip
        if purpose == "download" and not privileged and not (entitlements and entitlements.downloads_allowed):
            raise PermissionDenied("your plan does not include downloads", reason="PLAN_REQUIRED",
                                   domain=ERROR_DOMAIN, metadata={"required_plan": "BASIC"})  # fmt: skip
        if privileged:
            cap = domain.cap_for("", anonymous=False, privileged=True, requested=requested)
        elif caller is None or (asset.visibility == domain.PUBLIC and entitlements is None):
            cap = domain.cap_for("", anonymous=True, privileged=False, requested=requested)
        else:
            assert entitlements is not None
            cap = domain.cap_for(plan, anonymous=False, privileged=False, requested=requested)
            if domain.SHORT_SIDE[entitlements.max_resolution] < domain.SHORT_SIDE[cap]:
                cap = entitlements.max_resolution
        rungs = domain.allowed_rungs([_rung(r) for r in asset.renditions], cap)
        if purpose == "download":
            rungs = rungs[-1:]
        holds_stream = purpose == "stream" and caller is not None and asset.visibility == domain.SUBSCRIBERS and not privileged
        now = utcnow()
        lifetime = max(self.settings.media_session_min_seconds, int(2 * asset.duration_seconds))
        session_id = new_id()
        row = PlaybackSession(
            id=session_id, user_id=caller.user_id if caller else "", asset_id=asset_id, purpose=purpose, device_id=device_id,
            device_type=device_type, device_name=device_name, requested_max_resolution=requested, plan=plan,
            max_resolution=rungs[-1].name, holds_stream=holds_stream, state="active", renditions=[r.name for r in rungs],
            ad_supported=bool(entitlements and entitlements.ads_enabled), create_time=now, last_heartbeat_time=now,
            expire_time=now + dt.timedelta(seconds=lifetime),
        )  # fmt: skip
        if not self.gate_url:
            raise errors.Unavailable("the segment gate is not listening", reason="DEPENDENCY_UNAVAILABLE")
        # Playlists first, then the gate's record: a session row only exists once its URLs work.
        playlist_url = await self.storage.run(self._write_session_playlists, asset, row, rungs, lifetime)
        await self._open_gate(row)
        try:
            replaced = await self._open_session(caller, row, entitlements)
        except BaseException:
            await self._forget_session(session_id)
            raise
        for old in replaced:
            await self._forget_session(old)
        view = await self._session_view(row, with_asset=True, privileged=privileged)
        view.playlist_url = playlist_url
        if purpose == "download" and entitlements is not None:
            view.offline_expire_time = now + dt.timedelta(seconds=entitlements.offline_validity_seconds)
        return view

    async def _open_session(self, caller: Caller | None, row: PlaybackSession, entitlements: Entitlements | None) -> list[str]:
        """Records the session; for a stream, under a per-user lock, lapses stale sessions, replaces the device's, counts."""
        if caller is None or not row.holds_stream:
            await self.db.run(lambda s: MediaRepository(s).add(row))
            return []
        assert entitlements is not None
        limit = entitlements.max_concurrent_streams
        stale_after = dt.timedelta(seconds=self.settings.media_heartbeat_seconds * domain.MISSED_HEARTBEATS)

        def admit(session: Any) -> list[str]:
            repo = MediaRepository(session)
            now = utcnow()
            ended: list[str] = []
            active = []
            for other in repo.active_sessions(caller.user_id, for_update=True):
                if now - other.last_heartbeat_time > stale_after or now > other.expire_time:
                    reason = "lapsed" if now <= other.expire_time else "expired"
                    other.state, other.end_reason, other.end_time = "ended", reason, now
                    ended.append(other.id)
                elif other.device_id == row.device_id:
                    other.state, other.end_reason, other.end_time = "ended", "replaced", now
                    ended.append(other.id)
                elif other.holds_stream:
                    active.append(other)
            if len(active) >= limit:
                # commit=True: lapses and replacements stand even when this one is refused.
                raise ResourceExhausted(
                    f"all {limit} streams of your plan are in use; end one on another device",
                    reason="STREAM_LIMIT_REACHED", domain=ERROR_DOMAIN, commit=True,
                    metadata={"max_streams": str(limit), "active_streams": str(len(active))},
                )  # fmt: skip
            repo.add(row)
            return ended

        async with self.redis.lock(f"marquee:media:streams:{caller.user_id}", timeout=15, blocking_timeout=10):
            return await self.db.run(admit)

    def _write_session_playlists(self, asset: Asset, row: PlaybackSession, rungs: Sequence[Rung], lifetime: int) -> str:
        """Per-session playlists in storage: playlist URIs presigned for the session's lifetime, segment URIs
        signed for the segment gate, which checks the session on every request.

        Ending the session deletes its playlists and its gate record, so none of its URLs work any more.
        """
        prefix = session_prefix(row.id)
        has_audio = bool(asset.audio_tracks)
        variants = []
        by_name = {r["name"]: r for r in asset.renditions}
        for rung in rungs:
            stored = by_name[rung.name]
            media = self.store.get_bytes(stored["playlist_key"]).decode()
            expires = int(row.expire_time.timestamp())
            signed = domain.rewrite_media_playlist(media, functools.partial(self._gate_segment, row.id, rung.name, expires))
            key = f"{prefix}{rung.name}.m3u8"
            self.store.put_bytes(key, signed.encode(), content_type="application/vnd.apple.mpegurl")
            variants.append(
                (rung, self.store.presign_get(key, expires_seconds=lifetime), stored["bitrate_bps"], stored["peak_bitrate_bps"])
            )
        subtitles = []
        repo_tracks = self._tracks_for(asset.id)
        for track in repo_tracks:
            vtt_url = self.store.presign_get(track.key, expires_seconds=lifetime)
            duration = max(1.0, asset.duration_seconds)
            playlist = (
                f"#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:{int(duration) + 1}\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                f"#EXTINF:{duration:.3f},\n{vtt_url}\n#EXT-X-ENDLIST\n"
            )
            key = f"{prefix}subs_{track.id}.m3u8"
            self.store.put_bytes(key, playlist.encode(), content_type="application/vnd.apple.mpegurl")
            subtitles.append(
                (track.language_code, track.display_name, self.store.presign_get(key, expires_seconds=lifetime), track.is_default)
            )
        master = domain.master_playlist(variants, has_audio=has_audio, subtitles=subtitles)
        self.store.put_bytes(f"{prefix}master.m3u8", master.encode(), content_type="application/vnd.apple.mpegurl")
        return self.store.presign_get(f"{prefix}master.m3u8", expires_seconds=lifetime)

    def _gate_segment(self, session_id: str, rung: str, expires: int, segment: str) -> str:
        mac = domain.segment_mac(self.gate_key, session_id, rung, segment, expires)
        return f"{self.gate_url}/{session_id}/{rung}/{segment}?e={expires}&s={mac}"

    def _gate_ttl(self, row: PlaybackSession) -> int:
        """How long the gate lets a session's segments through without news: a heartbeat window for a held
        stream (3 missed heartbeats lapse it), else the session's lifetime; never past its expiry."""
        remaining = int((row.expire_time - utcnow()).total_seconds())
        if row.holds_stream:
            remaining = min(remaining, self.settings.media_heartbeat_seconds * domain.MISSED_HEARTBEATS)
        return max(1, remaining)

    async def _open_gate(self, row: PlaybackSession) -> None:
        """(Re)writes the session's gate record, the storage folder of each of its rungs, for one gate window."""
        found = await self.redis.get(_gate_record(row.id))
        if found is None:
            asset = await self.db.run(lambda s: MediaRepository(s).asset(row.asset_id))
            bases = {r["name"]: r["playlist_key"].rsplit("/", 1)[0] for r in (asset.renditions if asset else [])}
            found = json.dumps({r: bases[r] for r in row.renditions if r in bases})
        await self.redis.set(_gate_record(row.id), found, ex=self._gate_ttl(row))

    async def _forget_session(self, session_id: str) -> None:
        await self.redis.delete(_gate_record(session_id))
        await self.storage.run(self.store.delete_prefix, session_prefix(session_id))

    async def segment_location(self, session_id: str, rung: str, segment: str, expires: str, mac: str) -> str:
        """Where one segment of a live session is: a storage URL presigned for a few seconds.

        Refused (PermissionDenied) when the signature does not match, the URL expired, or the
        session is no longer live (ended, replaced, lapsed, expired, its asset deleted).
        """
        if not expires.isdigit() or not domain.SEGMENT_NAME.match(segment) or not domain.SEGMENT_NAME.match(rung):
            raise PermissionDenied("malformed segment URL", reason="SIGNATURE_INVALID", domain=ERROR_DOMAIN)
        if not domain.segment_mac_ok(self.gate_key, session_id, rung, segment, int(expires), mac):
            raise PermissionDenied("the segment URL's signature does not match", reason="SIGNATURE_INVALID", domain=ERROR_DOMAIN)
        if int(expires) < utcnow().timestamp():
            raise PermissionDenied("the segment URL expired", reason="PLAYBACK_SESSION_ENDED", domain=ERROR_DOMAIN)
        record = await self.redis.get(_gate_record(session_id))
        if record is None:
            raise PermissionDenied("the playback session has ended", reason="PLAYBACK_SESSION_ENDED", domain=ERROR_DOMAIN)
        base = json.loads(record).get(rung)
        if base is None:
            raise PermissionDenied("this rendition is not part of the session", reason="SIGNATURE_INVALID", domain=ERROR_DOMAIN)
        return self.store.presign_segment(f"{base}/{segment}", expires_seconds=self.settings.media_segment_redirect_seconds)

    def _tracks_for(self, asset_id: str) -> list[TextTrack]:
        with self.db.transaction() as session:
            return MediaRepository(session).text_tracks(asset_id)

    async def _session_view(self, row: PlaybackSession, *, with_asset: bool, privileged: bool = False) -> SessionView:
        view = SessionView(row, heartbeat_seconds=self.settings.media_heartbeat_seconds if row.holds_stream else 0)
        if with_asset:
            asset = await self.db.run(lambda s: MediaRepository(s).asset(row.asset_id))
            if asset is not None:
                view.asset = await self.db.run(lambda s: self._view(MediaRepository(s), asset))
                view.renditions = [r for r in asset.renditions if r["name"] in row.renditions]
        return view

    def _own_session(self, repo: MediaRepository, caller: Caller, name: str) -> PlaybackSession:
        prefix, _, session_id = name.partition("/")
        if prefix != "playbackSessions" or not session_id:
            raise invalid("name", "must be playbackSessions/{playback_session}")
        row = repo.playback_session(session_id, for_update=True)
        if row is None or (row.user_id != caller.user_id and not caller.privileged):
            raise NotFound("the playback session does not exist")
        return row

    async def heartbeat_playback_session(self, caller: Caller, name: str) -> SessionView:
        stale_after = dt.timedelta(seconds=self.settings.media_heartbeat_seconds * domain.MISSED_HEARTBEATS)

        def beat(session: Any) -> tuple[PlaybackSession, bool]:
            repo = MediaRepository(session)
            row = self._own_session(repo, caller, name)
            now = utcnow()
            if row.state == "active" and (now - row.last_heartbeat_time > stale_after or now > row.expire_time):
                row.state, row.end_time = "ended", now
                row.end_reason = "lapsed" if now <= row.expire_time else "expired"
                return row, True
            if row.state != "active":
                return row, False
            row.last_heartbeat_time = now
            return row, False

        row, just_ended = await self.db.run(beat)
        if row.state != "active":
            if just_ended:
                await self._forget_session(row.id)
            raise FailedPrecondition(
                "the playback session has ended; open a new one", reason="PLAYBACK_SESSION_ENDED", domain=ERROR_DOMAIN,
                metadata={"end_reason": row.end_reason.upper()},
            )  # fmt: skip
        await self._open_gate(row)
        return await self._session_view(row, with_asset=False)

    async def end_playback_session(self, caller: Caller, name: str) -> SessionView:
        def end(session: Any) -> PlaybackSession:
            repo = MediaRepository(session)
            row = self._own_session(repo, caller, name)
            if row.state == "active":
                row.state, row.end_time = "ended", utcnow()
                row.end_reason = "ended_by_client" if row.user_id == caller.user_id else "stopped_remotely"
            return row

        row = await self.db.run(end)
        await self._forget_session(row.id)
        return await self._session_view(row, with_asset=False)

    async def list_playback_sessions(
        self, caller: Caller, user: str, include_ended: bool, size: int, token: str
    ) -> tuple[list[SessionView], str]:
        user_id = caller.user_id
        if user and user != "users/me":
            if not user.startswith("users/") or len(user) <= 6:
                raise invalid("user", "must be users/{user}")
            if user.removeprefix("users/") != caller.user_id and not caller.privileged:
                raise PermissionDenied("only admins may list another user's sessions", reason="ROLE_REQUIRED")
            user_id = user.removeprefix("users/")
        limit = page_size(size)
        query = f"sessions|{user_id}|{include_ended}"
        after = self.pages.decode(token, query=query)
        since = utcnow() - dt.timedelta(days=30) if include_ended else None
        rows = await self.db.run(
            lambda s: MediaRepository(s).list_sessions(user_id, include_ended_since=since, after=after, limit=limit + 1)
        )
        next_token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            next_token = self.pages.encode({"k": rows[-1].create_time.isoformat(), "id": rows[-1].id}, query=query)
        return [
            SessionView(r, heartbeat_seconds=self.settings.media_heartbeat_seconds if r.holds_stream else 0) for r in rows
        ], next_token


DEADLINE_EXCEEDED_CODE = 4  # google.rpc.Code.DEADLINE_EXCEEDED
DEADLINE_MESSAGE = "the transcode did not finish by its deadline"


@MEDIA_OPERATIONS.on_end
def asset_after_transcode(session: Any, record: OperationRecord) -> None:
    """In the transaction that ends a transcode, whoever ends it (the task, a cancel while QUEUED, the
    deadline reaper): a first transcode that did not succeed leaves the asset READY_TO_PROCESS
    (cancelled) or FAILED with the reason, never PROCESSING for ever. Objects are the task's to clean."""
    if record.kind != "transcode" or record.state is State.SUCCEEDED:
        return
    asset = MediaRepository(session).asset(str(record.task_kwargs.get("asset_id", "")), for_update=True)
    if asset is None or asset.latest_operation != record.name or asset.ready_time is not None:
        return
    status = status_pb2.Status.FromString(record.error or b"")
    asset.renditions, asset.audio_tracks, asset.storage_bytes = [], [], asset.size_bytes
    if record.state is State.CANCELLED:
        asset.state, asset.error = domain.READY_TO_PROCESS, None
    else:
        asset.state = domain.FAILED
        if status.code == DEADLINE_EXCEEDED_CODE:  # the same words whoever ended it: the task or the reaper
            asset.error = {"code": status.code, "message": DEADLINE_MESSAGE, "reason": "DEADLINE_EXCEEDED"}
        else:
            asset.error = {"code": status.code, "message": status.message[:500], "reason": "TRANSCODE_FAILED"}
    _touch(asset)


def _back_from_processing(repo: MediaRepository, asset_id: str) -> None:
    asset = repo.asset(asset_id, for_update=True)
    if asset is not None and asset.state == domain.PROCESSING:
        asset.state = domain.READY_TO_PROCESS
        _touch(asset)


def _drop_track(repo: MediaRepository, asset_id: str, track_id: str) -> str:
    track = repo.text_track(asset_id, track_id)
    if track is None:
        return ""
    asset = repo.asset(asset_id)
    if asset is not None:
        asset.storage_bytes = max(0, asset.storage_bytes - track.size_bytes)
        _touch(asset)
    repo.delete(track)
    return track.key


def _check_language(code: str) -> None:
    import re

    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", code or ""):
        raise invalid("text_track.language_code", "must be a BCP-47 tag such as en, sw or pt-BR")


def _rung(stored: dict[str, Any]) -> Rung:
    return Rung(
        stored["name"], int(stored["short_side"]), int(stored["bitrate_bps"]), int(stored["width"]), int(stored["height"])
    )


# ---------------------------------------------------------------------------------------------
# Transcoding (synchronous: what Celery tasks call, one rendition per task)


@dataclass(frozen=True)
class TranscodePlan:
    asset_id: str
    rungs: tuple[Rung, ...]
    duration_seconds: float
    has_audio: bool
    thumbnail_count: int = 10
    storyboard_interval: float = 10.0
    preset: str = "standard"


Report = Callable[[str, int, str], None]  # step, percent, message


class TranscodePipeline:
    """Source → HLS ladder, thumbnails, storyboard and audio-only file, in steps that separate workers can run.

    `plan` decides the rungs; `encode_rendition` makes one rung and publishes it, so the
    asset is playable at its first finished rung; `finish` makes the images and audio and
    marks the asset READY. Every step is safe to repeat after a crash: outputs are written
    under fixed keys and a rung's prefix is cleared before it is re-encoded.
    """

    def __init__(self, database: Database, store: ObjectStore, settings: MediaSettings, work_root: pathlib.Path) -> None:
        self.db = database
        self.store = store
        self.settings = settings
        self.ffmpeg = encoder.ffmpeg_path(settings.media_ffmpeg_path)
        self.work_root = work_root

    def plan(
        self, asset_id: str, *, preset: str = "", thumbnail_count: int = 10, storyboard_interval: float = 10.0
    ) -> TranscodePlan:
        with self.db.transaction() as session:
            asset = MediaRepository(session).asset(asset_id)
            if asset is None:
                raise NotFound(ASSET_GONE)
            if asset.state == domain.WAITING_UPLOAD or not asset.probe:
                raise FailedPrecondition("the upload is not complete", reason="ASSET_NOT_READY", domain=ERROR_DOMAIN)
            found = Probe.from_dict(asset.probe)
            assert found.video is not None
            chosen = preset or ("lecture" if asset.purpose == "personal" else "standard")
            rungs = domain.ladder(found.video.width, found.video.height, chosen, rotation=found.video.rotation_degrees)
            return TranscodePlan(
                asset_id, tuple(rungs), found.duration_seconds, bool(found.audio), thumbnail_count, storyboard_interval, chosen
            )

    def _source(self, asset_id: str, folder: pathlib.Path) -> pathlib.Path:
        """The source on local disk, downloaded once per worker host for all the rungs it encodes
        (`folder` is the caller's scratch space, unused since the copy is shared)."""
        shared = self._work_dir() / "sources" / asset_id
        path = shared / "source"
        if not path.exists():
            shared.mkdir(parents=True, exist_ok=True)
            partial = shared / f"source.part-{new_id()}"
            try:
                self.store.download(source_key(asset_id), partial)
                os.replace(partial, path)  # atomic: a concurrent rung sees all of it or none
            finally:
                partial.unlink(missing_ok=True)
        return path

    def forget_source(self, asset_id: str) -> None:
        """Drops this host's copy (open files stay readable to an ffmpeg still using it)."""
        shutil.rmtree(self._work_dir() / "sources" / asset_id, ignore_errors=True)

    def encode_rendition(
        self, plan: TranscodePlan, rung: Rung, *, operation_id: str, report: Report,
        should_stop: Callable[[], bool] = lambda: False, deadline: float | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Encodes and uploads one rung, then adds it to the asset's renditions (playable from the first)."""
        prefix = rendition_prefix(plan.asset_id, rung.name)
        self.store.delete_prefix(prefix)  # a redelivered task starts this rung clean
        folder = pathlib.Path(tempfile.mkdtemp(prefix=f"media-{plan.asset_id[:8]}-{rung.name}-", dir=self._work_dir()))
        try:
            source = self._source(plan.asset_id, folder)
            out = folder / "hls"
            out.mkdir()
            command = domain.encode_command(self.ffmpeg, str(source), str(out), rung, has_audio=plan.has_audio,
                                            threads=self.settings.media_ffmpeg_threads)  # fmt: skip
            last = [-1]

            def progress(p: domain.Progress) -> None:
                percent = domain.percent_of(p.out_time_seconds, plan.duration_seconds)
                if percent != last[0]:
                    last[0] = percent
                    report("encode", percent, f"{rung.name}: {p.out_time_seconds:.1f} of {plan.duration_seconds:.1f} s")

            try:
                encoder.run_with_progress(command, on_progress=progress, should_stop=should_stop, deadline=deadline)
            except BaseException:
                self.store.delete_prefix(prefix)
                raise
            report("package", 100, f"{rung.name}: uploading segments")
            playlist = (out / "index.m3u8").read_text()
            names = domain.segment_names(playlist)
            sizes = []
            for name in names:
                sizes.append(self.store.put_file(prefix + name, out / name, content_type="video/mp2t"))
            self.store.put_bytes(prefix + "index.m3u8", playlist.encode(), content_type="application/vnd.apple.mpegurl")
            average, peak = domain.measured_bitrates(sizes, domain.segment_durations(playlist))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        stored = {
            "name": rung.name, "short_side": rung.short_side, "width": rung.width, "height": rung.height,
            "bitrate_bps": average, "peak_bitrate_bps": peak, "target_bitrate_bps": rung.bitrate_bps,
            "codecs": domain.codecs_string(rung.height, has_audio=plan.has_audio), "playlist_key": prefix + "index.m3u8",
            "playlist_path": f"hls/{rung.name}/index.m3u8", "size_bytes": sum(sizes), "segments": len(names),
            "operation": operation_id,
        }  # fmt: skip
        self._publish_rendition(plan, stored)
        return stored

    def _publish_rendition(self, plan: TranscodePlan, stored: dict[str, Any]) -> None:
        with self.db.transaction() as session:
            asset = MediaRepository(session).asset(plan.asset_id, for_update=True)
            if asset is None:
                raise NotFound(ASSET_GONE)
            kept = [r for r in asset.renditions if r["name"] != stored["name"]]
            asset.renditions = sorted([*kept, stored], key=lambda r: int(r["short_side"]))
            asset.storage_bytes = asset.size_bytes + sum(int(r["size_bytes"]) for r in asset.renditions)
            if plan.has_audio and not asset.audio_tracks:
                found = Probe.from_dict(asset.probe or {})
                first = found.audio[0] if found.audio else None
                asset.audio_tracks = [{
                    "language_code": (first.language_code if first else "") or "und", "display_name": "Main",
                    "channels": 2, "codecs": "mp4a.40.2", "bitrate_bps": 128_000, "default": True,
                }]  # fmt: skip
            _touch(asset)

    def finish(self, plan: TranscodePlan, *, report: Report) -> None:
        """Thumbnails, poster, storyboard and the audio-only file; then the asset is READY."""
        folder = pathlib.Path(tempfile.mkdtemp(prefix=f"media-{plan.asset_id[:8]}-finish-", dir=self._work_dir()))
        try:
            source = self._source(plan.asset_id, folder)
            thumbs: list[Thumbnail] = []
            report("thumbnails", 0, "generating thumbnails")
            self.store.delete_prefix(f"assets/{plan.asset_id}/thumbnails/gen-")
            count = plan.thumbnail_count
            for n in range(count):
                at = plan.duration_seconds * (n + 0.5) / count
                out = folder / f"thumb{n}.jpg"
                encoder.run(domain.thumbnail_command(self.ffmpeg, str(source), str(out), at))
                data = out.read_bytes()
                size = domain.image_size(data) or (0, 0, "jpg")
                key = f"assets/{plan.asset_id}/thumbnails/gen-{n:02d}.jpg"
                self.store.put_bytes(key, data, content_type="image/jpeg")
                thumbs.append(Thumbnail(id=f"gen{n:02d}{plan.asset_id[:24]}", asset_id=plan.asset_id, source="generated",
                                        time_offset_seconds=round(at, 3), content_type="image/jpeg", width=size[0],
                                        height=size[1], size_bytes=len(data), key=key))  # fmt: skip
                report("thumbnails", (n + 1) * 100 // max(1, count), f"thumbnail {n + 1} of {count}")
            report("storyboard", 0, "building the storyboard")
            interval = plan.storyboard_interval
            frames = max(1, int(plan.duration_seconds // interval) + 1)
            columns = min(10, frames)
            rows = max(1, -(-frames // columns))
            sprite = folder / "sprite.jpg"
            encoder.run(domain.storyboard_command(self.ffmpeg, str(source), str(sprite), interval=interval, tile_width=240,
                                                  columns=columns, rows=rows))  # fmt: skip
            sprite_size = domain.image_size(sprite.read_bytes()) or (240 * columns, 135 * rows, "jpg")
            tile_h = sprite_size[1] // rows
            sprite_key = f"assets/{plan.asset_id}/storyboard/sprite-0.jpg"
            self.store.put_file(sprite_key, sprite, content_type="image/jpeg")
            vtt = domain.storyboard_vtt(plan.duration_seconds, interval, 240, tile_h, columns, rows, "sprite-0.jpg")
            vtt_key = f"assets/{plan.asset_id}/storyboard/storyboard.vtt"
            self.store.put_bytes(vtt_key, vtt.encode(), content_type="text/vtt")
            report("storyboard", 100, "storyboard ready")
            audio_key, audio_size = "", 0
            if plan.has_audio:
                audio = folder / "audio.m4a"
                encoder.run(domain.audio_command(self.ffmpeg, str(source), str(audio)), timeout_seconds=3600)
                audio_key = f"assets/{plan.asset_id}/audio.m4a"
                audio_size = self.store.put_file(audio_key, audio, content_type="audio/mp4")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.forget_source(plan.asset_id)
        report("publish", 0, "publishing")
        with self.db.transaction() as session:
            repo = MediaRepository(session)
            asset = repo.asset(plan.asset_id, for_update=True)
            if asset is None:
                raise NotFound(ASSET_GONE)
            for old in repo.thumbnails(plan.asset_id):
                if old.source == "generated":
                    repo.delete(old)
            for thumb in thumbs:
                repo.add(thumb)
            if thumbs and (not asset.poster_thumbnail_id or asset.poster_thumbnail_id.startswith("gen")):
                asset.poster_thumbnail_id = thumbs[0].id
            asset.storyboard = {"vtt_key": vtt_key, "image_keys": [sprite_key], "interval": interval, "tile_width": 240,
                                "tile_height": tile_h, "columns": columns, "rows": rows}  # fmt: skip
            asset.audio_key, asset.audio_size_bytes = audio_key, audio_size
            _touch(asset)

    def done_rungs(self, asset_id: str, operation_id: str) -> set[str]:
        """Rungs this operation already published (a resumed attempt skips them)."""
        with self.db.transaction() as session:
            asset = MediaRepository(session).asset(asset_id)
            if asset is None:
                raise NotFound(ASSET_GONE)
            return {r["name"] for r in asset.renditions if r.get("operation") == operation_id}

    def mark_ready(self, session: Any, asset_id: str) -> None:
        """The asset becomes READY: runs in the transaction that ends the operation, so exactly once."""
        asset = MediaRepository(session).asset(asset_id, for_update=True)
        if asset is None:
            return
        asset.state = domain.READY
        asset.error = None
        if asset.ready_time is None:
            asset.ready_time = utcnow()
        _touch(asset)

    def ready_view(self, asset_id: str) -> AssetView:
        """The asset as the operation's response shows it: READY."""
        with self.db.transaction() as session:
            repo = MediaRepository(session)
            asset = repo.asset(asset_id)
            if asset is None:
                raise NotFound(ASSET_GONE)
            view = asset_view(repo, asset, self._sign)
            session.expunge(asset)
        asset.state = domain.READY
        asset.ready_time = asset.ready_time or utcnow()
        return view

    def _sign(self, key: str, content_type: str) -> str:
        return self.store.presign_get(key, expires_seconds=self.settings.media_image_url_seconds, content_type=content_type)

    def fail(self, asset_id: str, *, code: int, message: str, reason: str, cancelled: bool = False) -> None:
        """A failed or cancelled transcode: partial renditions go; a first one leaves the asset FAILED or READY_TO_PROCESS."""
        gone, first = False, False
        with self.db.transaction() as session:
            asset = MediaRepository(session).asset(asset_id, for_update=True)
            if asset is None:
                gone = True
            elif asset.ready_time is None:
                first = True
                asset.renditions = []
                asset.audio_tracks = []
                asset.state = domain.READY_TO_PROCESS if cancelled else domain.FAILED
                asset.error = None if cancelled else {"code": code, "message": message, "reason": reason}
                asset.storage_bytes = asset.size_bytes
                _touch(asset)
        self.forget_source(asset_id)
        if gone:
            self.store.delete_prefix(asset_prefix(asset_id))  # deleted while encoding: nothing of it may stay
        elif first:
            self.store.delete_prefix(f"assets/{asset_id}/hls/")

    def _work_dir(self) -> pathlib.Path:
        self.work_root.mkdir(parents=True, exist_ok=True)
        return self.work_root
