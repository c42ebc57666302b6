"""Media's own settings (`MARQUEE_MEDIA_*`); the object store's are `StorageSettings` in services.core.storage."""

from __future__ import annotations

from pydantic import Field

from services.core.settings import ServiceSettings


class MediaSettings(ServiceSettings):
    media_ffmpeg_path: str = Field("", description="ffmpeg binary; empty uses the one imageio-ffmpeg ships.")
    media_ffmpeg_threads: int = Field(2, ge=1, description="Encoder threads per rendition task.")
    media_work_dir: str = Field("", description="Scratch folder for transcodes; empty is data_dir/media-work.")
    media_transcode_deadline_seconds: int = Field(4 * 3600, ge=10, description="A transcode running longer fails.")
    media_heartbeat_seconds: int = Field(60, ge=1, description="How often players heartbeat; 3 missed in a row end a session.")
    media_session_min_seconds: int = Field(
        6 * 3600, ge=10, description="Lifetime of a playback session's signed URLs (or twice the asset's duration if longer)."
    )
    media_image_url_seconds: int = Field(3600, ge=60, description="Lifetime of signed thumbnail, storyboard and text-track URLs.")
    media_rung_lease_seconds: int = Field(
        15, ge=1, description="A rung claimed by a worker that stops renewing it (died) is taken by another after this."
    )
    media_gate_address: str = Field(
        "127.0.0.1:0", description="host:port of the segment gate (HTTP) that checks each segment request against its session."
    )
    media_gate_public_url: str = Field(
        "", description="The gate's URL as players reach it (e.g. behind a proxy); empty is http://<bound address>."
    )
    media_segment_redirect_seconds: int = Field(
        30, ge=5, le=600, description="Lifetime of the storage URL a gate redirect hands out for one segment."
    )
