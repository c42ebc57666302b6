"""A real SeaweedFS for a test session, where Media's embedded lookup finds it (data_dir/seaweedfs),
and tiny real video clips made with ffmpeg's lavfi sources."""

from __future__ import annotations

import pathlib
import subprocess

import imageio_ffmpeg

from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import Settings


def start_store(settings: Settings) -> EmbeddedSeaweedFS:
    store = EmbeddedSeaweedFS(settings.data_dir / "seaweedfs")
    store.start()
    return store


def make_clip(
    path: pathlib.Path, *, seconds: float = 3.0, size: str = "640x360", audio: bool = True, rate: int = 25
) -> pathlib.Path:
    """A short H.264/AAC MP4 of ffmpeg's test pattern and a sine tone."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    if audio:
        command += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    command += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        command += ["-c:a", "aac", "-shortest"]
    command += [str(path)]
    subprocess.run(command, check=True, capture_output=True)
    return path
