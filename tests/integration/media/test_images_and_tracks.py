"""Thumbnails (captured frames and uploaded images), the poster frame, and text tracks (SRT → WebVTT)."""

from __future__ import annotations

import asyncio
import pathlib
import subprocess
from typing import Any

import grpc
import httpx
import imageio_ffmpeg
from google.protobuf import duration_pb2, field_mask_pb2
from marquee.media.v1 import media_pb2 as pb

from tests.integration.media.conftest import Caller, fails
from tests.integration.media.test_uploads import upload_clip

SRT = b"1\n00:00:00,500 --> 00:00:01,500\nHello\n\n2\n00:00:02,000 --> 00:00:02,800\nAgain\n"


def png(path: pathlib.Path, size: str) -> bytes:
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"color=c=blue:s={size}",
                    "-frames:v", "1", str(path)], check=True)  # fmt: skip
    return path.read_bytes()


async def fetch(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(url)


async def test_thumbnails_and_poster(media: Any, alice: Caller, bob: Caller, clip: pathlib.Path, tmp_path: pathlib.Path) -> None:
    asset = await upload_clip(media, alice, clip)
    captured = (
        await media.CreateThumbnail(
            pb.CreateThumbnailRequest(parent=asset.name, thumbnail=pb.Thumbnail(time_offset=duration_pb2.Duration(seconds=1))),
            metadata=alice.auth,
        )
    ).thumbnail
    assert captured.source == pb.THUMBNAIL_SOURCE_CAPTURED
    assert (captured.width, captured.height) == (640, 360)
    image = await fetch(captured.url)
    assert image.status_code == 200
    assert image.content[:2] == b"\xff\xd8"
    data = await asyncio.to_thread(png, tmp_path / "poster.png", "1280x720")
    uploaded = (
        await media.CreateThumbnail(
            pb.CreateThumbnailRequest(parent=asset.name, thumbnail=pb.Thumbnail(image_data=data, content_type="image/png")),
            metadata=alice.auth,
        )
    ).thumbnail
    assert uploaded.source == pb.THUMBNAIL_SOURCE_UPLOADED
    assert uploaded.width == 1280
    small = await asyncio.to_thread(png, tmp_path / "small.png", "320x180")
    error = await fails(
        media.CreateThumbnail(
            pb.CreateThumbnailRequest(parent=asset.name, thumbnail=pb.Thumbnail(image_data=small, content_type="image/png")),
            metadata=alice.auth,
        )
    )
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    past = await fails(
        media.CreateThumbnail(
            pb.CreateThumbnailRequest(parent=asset.name, thumbnail=pb.Thumbnail(time_offset=duration_pb2.Duration(seconds=99))),
            metadata=alice.auth,
        )
    )
    assert past.code == grpc.StatusCode.INVALID_ARGUMENT
    listed = await media.ListThumbnails(pb.ListThumbnailsRequest(parent=asset.name), metadata=alice.auth)
    assert [t.name for t in listed.thumbnails] == [captured.name, uploaded.name]  # by offset, uploaded last
    assert listed.thumbnails[0].poster  # the first one became the poster
    posed = await media.SetPosterFrame(pb.SetPosterFrameRequest(name=asset.name, thumbnail=uploaded.name), metadata=alice.auth)
    assert posed.asset.poster_url
    error = await fails(media.DeleteThumbnail(pb.DeleteThumbnailRequest(name=uploaded.name), metadata=alice.auth))
    assert error.reason == "THUMBNAIL_IS_POSTER"
    await media.DeleteThumbnail(pb.DeleteThumbnailRequest(name=captured.name), metadata=alice.auth)
    assert (await fetch(captured.url)).status_code == 404
    hidden = await fails(
        media.SetPosterFrame(pb.SetPosterFrameRequest(name=asset.name, thumbnail=uploaded.name), metadata=bob.auth)
    )
    assert hidden.code == grpc.StatusCode.NOT_FOUND


async def test_text_tracks(media: Any, alice: Caller, bob: Caller, clip: pathlib.Path) -> None:
    asset = await upload_clip(media, alice, clip)
    track = (
        await media.CreateTextTrack(
            pb.CreateTextTrackRequest(
                parent=asset.name,
                text_track=pb.TextTrack(kind=pb.TEXT_TRACK_KIND_SUBTITLES, language_code="en", content=SRT,
                                        content_type="application/x-subrip", default=True),
            ),
            metadata=alice.auth,
        )
    ).text_track  # fmt: skip
    assert track.cue_count == 2
    assert track.default
    vtt = await fetch(track.url)
    assert vtt.text.startswith("WEBVTT")
    assert "00:00:00.500 --> 00:00:01.500" in vtt.text
    again = pb.TextTrack(kind=pb.TEXT_TRACK_KIND_SUBTITLES, language_code="en", content=SRT, content_type="application/x-subrip")
    duplicate = await fails(
        media.CreateTextTrack(pb.CreateTextTrackRequest(parent=asset.name, text_track=again), metadata=alice.auth)
    )
    assert duplicate.code == grpc.StatusCode.ALREADY_EXISTS
    assert duplicate.reason == "TEXT_TRACK_EXISTS"
    bad = pb.TextTrack(kind=pb.TEXT_TRACK_KIND_CAPTIONS, language_code="sw", content=b"WEBVTT\n\n00:01 --> x\nHi\n")
    broken = await fails(media.CreateTextTrack(pb.CreateTextTrackRequest(parent=asset.name, text_track=bad), metadata=alice.auth))
    assert broken.reason == "TEXT_TRACK_INVALID"
    assert broken.bad_request.field_violations[0].field == "content"
    updated = (
        await media.UpdateTextTrack(
            pb.UpdateTextTrackRequest(
                text_track=pb.TextTrack(
                    name=track.name, display_name="English", content=b"WEBVTT\n\n00:00.000 --> 00:01.000\nOne\n"
                ),
                update_mask=field_mask_pb2.FieldMask(paths=["display_name", "content"]),
            ),
            metadata=alice.auth,
        )
    ).text_track
    assert updated.display_name == "English"
    assert updated.cue_count == 1
    assert "One" in (await fetch(updated.url)).text
    listed = await media.ListTextTracks(pb.ListTextTracksRequest(parent=asset.name), metadata=alice.auth)
    assert [t.name for t in listed.text_tracks] == [track.name]
    hidden = await fails(media.DeleteTextTrack(pb.DeleteTextTrackRequest(name=track.name), metadata=bob.auth))
    assert hidden.code == grpc.StatusCode.NOT_FOUND
    await media.DeleteTextTrack(pb.DeleteTextTrackRequest(name=track.name), metadata=alice.auth)
    assert (await media.ListTextTracks(pb.ListTextTracksRequest(parent=asset.name), metadata=alice.auth)).text_tracks == []
