"""Media's tables: assets with their probed source and renditions, thumbnails, text tracks, playback sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id, utcnow
from services.core.operations import OperationsTable


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Asset(Timestamps, Base):
    __tablename__ = "media_assets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(300), default="")
    purpose: Mapped[str] = mapped_column(String(16), default="personal")
    title: Mapped[str] = mapped_column(String(200), default="", index=True)
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    required_plan: Mapped[str] = mapped_column(String(16), default="")
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="waiting_upload")
    # The upload as declared.
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(64), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    upload_protocol: Mapped[str] = mapped_column(String(16), default="single")
    upload_id: Mapped[str] = mapped_column(String(512), default="")
    upload_expire_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(timezone=True), nullable=True)
    upload_complete_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(timezone=True), nullable=True)
    # What the probe found (domain.Probe.as_dict) and what the transcode made.
    probe: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    duration_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    renditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    audio_tracks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    storyboard: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    audio_key: Mapped[str] = mapped_column(String(512), default="")
    audio_size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    poster_thumbnail_id: Mapped[str] = mapped_column(String(32), default="")
    latest_operation: Mapped[str] = mapped_column(String(128), default="")
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    storage_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    etag: Mapped[str] = mapped_column(String(32), default="")
    ready_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_media_assets_owner_create", "owner_id", "create_time"),)


class Thumbnail(Base):
    __tablename__ = "media_thumbnails"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(String(32), ForeignKey("media_assets.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # generated, captured, uploaded
    time_offset_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    key: Mapped[str] = mapped_column(String(512))
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime(timezone=True), default=utcnow)


class TextTrack(Timestamps, Base):
    __tablename__ = "media_text_tracks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(String(32), ForeignKey("media_assets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # subtitles, captions
    language_code: Mapped[str] = mapped_column(String(35))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    key: Mapped[str] = mapped_column(String(512))
    cue_count: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (UniqueConstraint("asset_id", "kind", "language_code"),)


class PlaybackSession(Base):
    __tablename__ = "media_playback_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    asset_id: Mapped[str] = mapped_column(String(32), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="stream")
    device_id: Mapped[str] = mapped_column(String(128), default="")
    device_type: Mapped[int] = mapped_column(Integer, default=0)
    device_name: Mapped[str] = mapped_column(String(100), default="")
    requested_max_resolution: Mapped[str] = mapped_column(String(8), default="")
    plan: Mapped[str] = mapped_column(String(16), default="")
    max_resolution: Mapped[str] = mapped_column(String(8), default="")
    holds_stream: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(8), default="active")
    end_reason: Mapped[str] = mapped_column(String(24), default="")
    renditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    ad_supported: Mapped[bool] = mapped_column(Boolean, default=False)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime(timezone=True), default=utcnow)
    last_heartbeat_time: Mapped[dt.datetime] = mapped_column(UtcDateTime(timezone=True), default=utcnow)
    expire_time: Mapped[dt.datetime] = mapped_column(UtcDateTime(timezone=True), default=utcnow)
    end_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_media_playback_sessions_user_state", "user_id", "state"),)


# Transcode operations, in the shared runtime's shape (services.core.operations).
MEDIA_OPERATIONS = OperationsTable.declare(Base.metadata, service="media")
