"""Media's rules on plain values: upload limits and part plans, probe parsing, the HLS ladder,
ffmpeg commands and progress, plan caps, playlists, and text tracks (SRT → WebVTT).

Nothing here touches storage, the database, the network or protobuf: the use cases do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from services.core.errors import FailedPrecondition, FieldViolation, InvalidArgument, PermissionDenied, ResourceExhausted, invalid

MiB = 1024 * 1024
GiB = 1024 * MiB
SINGLE_PUT_MAX_BYTES = 100 * MiB
PART_SIZE_BYTES = 64 * MiB
PARTS_PER_BATCH = 100
ADMIN_MAX_BYTES = 50 * GiB
USER_MAX_BYTES = 5 * GiB
USER_QUOTA_BYTES = 10 * GiB
UPLOAD_URL_SECONDS = 3600
UPLOAD_EXPIRE_DAYS = 7
IMAGE_MAX_BYTES = 2 * MiB
TEXT_TRACK_MAX_BYTES = 2 * MiB
THUMBNAILS_PER_ASSET = 50
TEXT_TRACKS_PER_ASSET = 50
SEGMENT_SECONDS = 6
KEYFRAME_SECONDS = 2
HEARTBEAT_SECONDS = 60
MISSED_HEARTBEATS = 3
SESSION_MIN_SECONDS = 6 * 3600
OFFLINE_DAYS = 30

VIDEO_TYPES = frozenset(
    {
        "video/mp4", "video/quicktime", "video/x-matroska", "video/webm",
        "video/x-msvideo", "video/mpeg", "video/mp2t", "video/x-m4v",
    }
)  # fmt: skip
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
TEXT_TYPES = frozenset({"text/vtt", "application/x-subrip"})

# States, purposes, visibilities and plans as the repository stores them.
WAITING_UPLOAD, READY_TO_PROCESS, PROCESSING, READY, FAILED = (
    "waiting_upload",
    "ready_to_process",
    "processing",
    "ready",
    "failed",
)
PURPOSES = ("feature", "trailer", "extra", "ad", "personal")
PRIVATE, SUBSCRIBERS, PUBLIC = "private", "subscribers", "public"
PLANS = ("", "free", "basic", "premium")
PLAN_RANK = {"": 0, "free": 1, "basic": 2, "premium": 3}
ERROR_DOMAIN = "marquee.media"


def media_error(kind: type[InvalidArgument] | type[FailedPrecondition], message: str, reason: str, **metadata: str) -> Exception:
    return kind(message, reason=reason, metadata=metadata, domain=ERROR_DOMAIN)


# ---------------------------------------------------------------------------------------------
# Uploads


@dataclass(frozen=True)
class PartPlan:
    part_number: int
    offset_bytes: int
    size_bytes: int


def check_upload(
    *, filename: str, content_type: str, size_bytes: int, sha256: str, is_admin: bool, protocol: str, stored_bytes: int
) -> str:
    """Validates a new upload; returns the protocol to use, `single` or `multipart`."""
    if not filename or len(filename) > 255:
        raise invalid("filename", "is required, at most 255 characters")
    if content_type not in VIDEO_TYPES:
        raise InvalidArgument(
            f"content_type {content_type[:80]!r} is not an accepted video type",
            reason="UNSUPPORTED_MEDIA_TYPE",
            domain=ERROR_DOMAIN,
            violations=[FieldViolation("content_type", "one of " + ", ".join(sorted(VIDEO_TYPES)))],
        )
    if size_bytes <= 0:
        raise invalid("size_bytes", "must be the file's exact size, above 0")
    limit = ADMIN_MAX_BYTES if is_admin else USER_MAX_BYTES
    if size_bytes > limit:
        raise InvalidArgument(
            f"the file is larger than {limit} bytes",
            reason="FILE_TOO_LARGE",
            domain=ERROR_DOMAIN,
            metadata={"max_bytes": str(limit)},
        )
    if sha256 and not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise invalid("sha256", "must be 64 lowercase hex characters")
    if protocol == "single" and size_bytes > SINGLE_PUT_MAX_BYTES:
        raise InvalidArgument(
            f"SINGLE uploads are at most {SINGLE_PUT_MAX_BYTES} bytes; use MULTIPART",
            reason="FILE_TOO_LARGE",
            domain=ERROR_DOMAIN,
            metadata={"max_bytes": str(SINGLE_PUT_MAX_BYTES)},
        )
    if not is_admin and stored_bytes + size_bytes > USER_QUOTA_BYTES:
        raise ResourceExhausted(
            f"your stored sources would exceed {USER_QUOTA_BYTES} bytes; delete assets to make room",
            reason="STORAGE_QUOTA_EXCEEDED",
            domain=ERROR_DOMAIN,
            metadata={"quota_bytes": str(USER_QUOTA_BYTES), "used_bytes": str(stored_bytes)},
        )
    if protocol:
        return protocol
    return "single" if size_bytes <= SINGLE_PUT_MAX_BYTES else "multipart"


def part_plan(size_bytes: int, part_size: int = PART_SIZE_BYTES) -> list[PartPlan]:
    count = max(1, math.ceil(size_bytes / part_size))
    return [PartPlan(n + 1, n * part_size, min(part_size, size_bytes - n * part_size)) for n in range(count)]


def parts_to_sign(plan: Sequence[PartPlan], stored: Iterable[int], requested: Sequence[int]) -> list[PartPlan]:
    """The parts to hand out URLs for: the requested ones, else the first 100 not yet stored."""
    if len(requested) > PARTS_PER_BATCH:
        raise invalid("part_numbers", f"at most {PARTS_PER_BATCH} at once")
    by_number = {p.part_number: p for p in plan}
    if requested:
        wrong = [n for n in requested if n not in by_number]
        if wrong:
            raise invalid("part_numbers", f"part {wrong[0]} is out of range 1..{len(plan)}")
        return [by_number[n] for n in sorted(set(requested))]
    held = set(stored)
    return [p for p in plan if p.part_number not in held][:PARTS_PER_BATCH]


def missing_parts(plan: Sequence[PartPlan], stored: Mapping[int, int]) -> list[int]:
    """Parts not stored, or stored with the wrong size."""
    return [p.part_number for p in plan if stored.get(p.part_number) != p.size_bytes]


# ---------------------------------------------------------------------------------------------
# Probing (ffmpeg -i output; imageio-ffmpeg ships no ffprobe)


@dataclass(frozen=True)
class VideoStream:
    codec: str
    width: int
    height: int
    frame_rate: float = 0.0
    bitrate_bps: int = 0
    rotation_degrees: int = 0
    hdr: bool = False


@dataclass(frozen=True)
class AudioStream:
    codec: str
    channels: int
    sample_rate_hz: int
    bitrate_bps: int = 0
    language_code: str = ""


@dataclass(frozen=True)
class Probe:
    container: str
    duration_seconds: float
    bitrate_bps: int
    video: VideoStream | None
    audio: tuple[AudioStream, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Probe:
        video = data.get("video")
        audio = data.get("audio") or ()
        return cls(
            container=str(data.get("container", "")),
            duration_seconds=float(data.get("duration_seconds", 0.0)),  # type: ignore[arg-type]
            bitrate_bps=int(data.get("bitrate_bps", 0)),  # type: ignore[call-overload]
            video=VideoStream(**video) if isinstance(video, dict) else None,
            audio=tuple(AudioStream(**a) for a in audio),  # type: ignore[attr-defined]
        )


_CONTAINERS = {"mov": "mp4", "matroska": "matroska", "webm": "webm", "avi": "avi", "mpegts": "mpegts", "mpeg": "mpeg"}
_INPUT = re.compile(r"^Input #0, ([^ ]+), from", re.M)
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?), .*?bitrate: (\d+|N/A)")
_STREAM = re.compile(r"^\s*Stream #0:\d+(?:\[0x[0-9a-f]+\])?(?:\((\w+)\))?: (Video|Audio): (.*)$", re.M)
_SIZE = re.compile(r"(?<![\w])(\d{2,5})x(\d{2,5})(?![\w])")
_KBPS = re.compile(r"(\d+) kb/s")
_FPS = re.compile(r"([\d.]+) fps")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees|rotate\s*:\s*(-?\d+)")


def parse_probe(output: str) -> Probe | None:
    """The container and streams ffmpeg reports for an input; None when it found no input at all."""
    found = _INPUT.search(output)
    if found is None:
        return None
    formats = found.group(1).split(",")
    container = next((_CONTAINERS[f] for f in formats if f in _CONTAINERS), formats[0])
    duration, bitrate = 0.0, 0
    if (match := _DURATION.search(output)) is not None:
        duration = int(match.group(1)) * 3600 + int(match.group(2)) * 60 + float(match.group(3))
        bitrate = int(match.group(4)) * 1000 if match.group(4).isdigit() else 0
    video: VideoStream | None = None
    audio: list[AudioStream] = []
    for language, kind, rest in _STREAM.findall(output):
        codec = rest.split(" ", 1)[0].rstrip(",")
        kbps = _KBPS.search(rest)
        if kind == "Video" and video is None and "attached pic" not in rest:
            size = _SIZE.search(rest)
            fps = _FPS.search(rest)
            rotation = _ROTATION.search(output)
            degrees = 0
            if rotation is not None:
                degrees = round(abs(float(rotation.group(1) or rotation.group(2)))) % 360
            video = VideoStream(
                codec=codec,
                width=int(size.group(1)) if size else 0,
                height=int(size.group(2)) if size else 0,
                frame_rate=float(fps.group(1)) if fps else 0.0,
                bitrate_bps=int(kbps.group(1)) * 1000 if kbps else 0,
                rotation_degrees=degrees,
                hdr="smpte2084" in rest or "arib-std-b67" in rest,
            )
        elif kind == "Audio":
            hz = re.search(r"(\d+) Hz", rest)
            layout = rest.split(", ")[2] if len(rest.split(", ")) > 2 else ""
            channels = {"mono": 1, "stereo": 2, "5.1": 6, "5.1(side)": 6, "7.1": 8}.get(layout, 2)
            audio.append(
                AudioStream(
                    codec=codec,
                    channels=channels,
                    sample_rate_hz=int(hz.group(1)) if hz else 0,
                    bitrate_bps=int(kbps.group(1)) * 1000 if kbps else 0,
                    language_code="" if language in ("", "und") else language,
                )
            )
    return Probe(container, duration, bitrate, video, tuple(audio))


def refusal(probe: Probe | None, decode_error: str) -> str:
    """Why a probed file is not a playable video, or '' when it is."""
    if probe is None:
        return "ffmpeg found no media in the file: " + (decode_error.strip().splitlines() or ["unknown format"])[-1][:200]
    if probe.video is None or probe.video.width == 0:
        return "the file has no video stream"
    if decode_error.strip():
        return "the video stream does not decode: " + decode_error.strip().splitlines()[-1][:200]
    if probe.duration_seconds <= 0:
        return "the file has no playing time"
    return ""


# ---------------------------------------------------------------------------------------------
# The ladder


@dataclass(frozen=True)
class Rung:
    name: str  # 240p ... 1080p
    short_side: int
    bitrate_bps: int
    width: int = 0
    height: int = 0

    @property
    def peak_bitrate_bps(self) -> int:
        return self.bitrate_bps * 3 // 2


STANDARD = (
    ("240p", 240, 400_000),
    ("360p", 360, 800_000),
    ("480p", 480, 1_200_000),
    ("720p", 720, 2_500_000),
    ("1080p", 1080, 5_000_000),
)
LECTURE = (
    ("240p", 240, 200_000),
    ("360p", 360, 400_000),
    ("480p", 480, 600_000),
    ("720p", 720, 1_200_000),
    ("1080p", 1080, 2_500_000),
)
PRESETS = {"standard": STANDARD, "lecture": LECTURE}
RESOLUTIONS = ("240p", "360p", "480p", "720p", "1080p", "1440p", "2160p")
SHORT_SIDE = {"240p": 240, "360p": 360, "480p": 480, "720p": 720, "1080p": 1080, "1440p": 1440, "2160p": 2160}


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def ladder(width: int, height: int, preset: str, *, rotation: int = 0) -> list[Rung]:
    """The rungs for a source, lowest first, never above its resolution (the short side decides).

    A source smaller than the lowest rung still gets one rung at its own size, so every
    playable upload becomes playable.
    """
    if rotation in (90, 270):
        width, height = height, width
    short = min(width, height)
    rungs: list[Rung] = []
    for name, side, bitrate in PRESETS[preset]:
        if side > short:
            continue
        scale = side / short
        rungs.append(Rung(name, side, bitrate, _even(width * scale), _even(height * scale)))
    if not rungs:
        name, _side, bitrate = PRESETS[preset][0]
        rungs.append(Rung(name, short, bitrate, _even(width), _even(height)))
    return rungs


def cap_for(plan: str, *, anonymous: bool, privileged: bool, requested: str) -> str:
    """The highest rung a viewer may play: plan cap, then what they asked for."""
    if privileged:
        cap = "2160p"
    elif anonymous or plan in ("", "free"):
        cap = "480p"
    elif plan == "basic":
        cap = "720p"
    else:
        cap = "1080p"
    if requested and SHORT_SIDE[requested] < SHORT_SIDE[cap]:
        cap = requested
    return cap


def allowed_rungs(rungs: Sequence[Rung], cap: str) -> list[Rung]:
    kept = [r for r in rungs if r.short_side <= SHORT_SIDE[cap]]
    return kept or list(rungs[:1])


def quality_cap(max_video_quality: str) -> str:
    """Billing's VideoQuality name (`VIDEO_QUALITY_720P`) as a rung name."""
    found = re.search(r"(\d{3,4})P", max_video_quality.upper())
    return f"{found.group(1)}p" if found and f"{found.group(1)}p" in SHORT_SIDE else "480p"


# ---------------------------------------------------------------------------------------------
# ffmpeg commands and progress


def encode_command(ffmpeg: str, source: str, out_dir: str, rung: Rung, *, has_audio: bool, threads: int = 2) -> list[str]:
    """One rung: H.264 High + AAC-LC in 6 s HLS VOD segments, a keyframe every 2 s (closed GOPs)."""
    gop = f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})"
    command = [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-stats_period", "0.5",
        "-i", source,
        "-map", "0:v:0",
    ]  # fmt: skip
    if has_audio:
        command += ["-map", "0:a:0?"]
    command += [
        "-vf", f"scale={rung.width}:{rung.height}:flags=bicubic,format=yuv420p",
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-threads", str(threads),
        "-b:v", str(rung.bitrate_bps), "-maxrate", str(rung.peak_bitrate_bps), "-bufsize", str(rung.bitrate_bps * 2),
        "-force_key_frames", gop, "-sc_threshold", "0",
    ]  # fmt: skip
    if has_audio:
        command += ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"]
    command += [
        "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod",
        "-hls_segment_type", "mpegts", "-hls_flags", "independent_segments",
        "-hls_segment_filename", f"{out_dir}/seg_%05d.ts",
        f"{out_dir}/index.m3u8",
    ]  # fmt: skip
    return command


def thumbnail_command(ffmpeg: str, source: str, out: str, at_seconds: float, *, max_width: int = 1920) -> list[str]:
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-ss", f"{at_seconds:.3f}", "-i", source,
        "-frames:v", "1", "-vf", f"scale='min({max_width},iw)':-2", "-q:v", "3", out,
    ]  # fmt: skip


def storyboard_command(
    ffmpeg: str, source: str, out: str, *, interval: float, tile_width: int, columns: int, rows: int
) -> list[str]:
    """One sprite sheet: a frame every `interval` seconds (the first at 0), tiled `columns` x `rows`."""
    pick = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{interval:g})'"
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", source,
        "-vf", f"{pick},scale={tile_width}:-2,format=yuvj420p,tile={columns}x{rows}",
        "-fps_mode", "vfr", "-frames:v", "1", "-q:v", "4", out,
    ]  # fmt: skip


def audio_command(ffmpeg: str, source: str, out: str) -> list[str]:
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", source,
        "-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "64k", "-ac", "1", "-movflags", "+faststart", out,
    ]  # fmt: skip


def decode_check_command(ffmpeg: str, source: str) -> list[str]:
    """Decodes the first seconds of the video stream: a file that opens may still not decode."""
    return [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-i", source, "-map", "0:v:0", "-t", "2", "-f", "null", "-"]


@dataclass
class Progress:
    """Fields of one block of ffmpeg's `-progress` output (key=value lines ending in progress=...)."""

    out_time_seconds: float = 0.0
    speed: float = 0.0
    done: bool = False


def parse_progress_block(lines: Iterable[str]) -> Progress:
    found = Progress()
    for line in lines:
        key, _, value = line.strip().partition("=")
        if key in ("out_time_us", "out_time_ms") and value.strip().lstrip("-").isdigit():
            # Both are microseconds (ffmpeg's out_time_ms has always been misnamed).
            found.out_time_seconds = max(0.0, int(value) / 1_000_000)
        elif key == "speed" and value.endswith("x"):
            with contextlib.suppress(ValueError):
                found.speed = float(value[:-1])
        elif key == "progress":
            found.done = value.strip() == "end"
    return found


def percent_of(out_time_seconds: float, duration_seconds: float) -> int:
    if duration_seconds <= 0:
        return 0
    return max(0, min(100, int(out_time_seconds * 100 / duration_seconds)))


# ---------------------------------------------------------------------------------------------
# Playlists


def codecs_string(height: int, *, has_audio: bool) -> str:
    """RFC 6381: H.264 High at the level a rung needs, plus AAC-LC."""
    level = "1f" if height <= 720 else "28"  # 3.1 up to 720p, 4.0 for 1080p
    video = f"avc1.6400{level}"
    return f"{video},mp4a.40.2" if has_audio else video


def master_playlist(
    variants: Sequence[tuple[Rung, str, int, int]], *, has_audio: bool, subtitles: Sequence[tuple[str, str, str, bool]] = ()
) -> str:
    """Variants are (rung, uri, average bps, peak bps); subtitles are (language, name, uri, default)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for language, name, uri, default in subtitles:
        lines.append(
            f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="{name}",LANGUAGE="{language}",'
            f'DEFAULT={"YES" if default else "NO"},AUTOSELECT=YES,URI="{uri}"'
        )
    for rung, uri, average, peak in variants:
        attributes = (
            f"BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},RESOLUTION={rung.width}x{rung.height},"
            f'CODECS="{codecs_string(rung.height, has_audio=has_audio)}"'
        )
        if subtitles:
            attributes += ',SUBTITLES="subs"'
        lines += [f"#EXT-X-STREAM-INF:{attributes}", uri]
    return "\n".join(lines) + "\n"


def rewrite_media_playlist(playlist: str, sign: Callable[[str], str]) -> str:
    """A media playlist whose segment lines are replaced by `sign(segment_name)`."""
    out = []
    for line in playlist.splitlines():
        out.append(sign(line) if line and not line.startswith("#") else line)
    return "\n".join(out) + "\n"


SEGMENT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def segment_mac(key: bytes, session_id: str, rung: str, segment: str, expires: int) -> str:
    """The gate's signature on one segment of one session (hex, 128 bits): binds the URL to all four."""
    message = f"{session_id}/{rung}/{segment}/{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def segment_mac_ok(key: bytes, session_id: str, rung: str, segment: str, expires: int, mac: str) -> bool:
    return hmac.compare_digest(segment_mac(key, session_id, rung, segment, expires), mac)


def segment_names(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def measured_bitrates(segment_sizes: Sequence[int], durations: Sequence[float]) -> tuple[int, int]:
    """(average, peak) bits per second from segment sizes and durations."""
    total_time = sum(durations) or 1.0
    average = int(sum(segment_sizes) * 8 / total_time)
    peak = max((int(size * 8 / d) for size, d in zip(segment_sizes, durations, strict=False) if d > 0), default=average)
    return average, max(peak, average)


def segment_durations(playlist: str) -> list[float]:
    return [float(m) for m in re.findall(r"#EXTINF:([\d.]+)", playlist)]


# ---------------------------------------------------------------------------------------------
# Text tracks


@dataclass
class Cue:
    start: str
    end: str
    text: list[str] = field(default_factory=list)


_SRT_TIME = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})[,.](\d{3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{3})")
_VTT_TIME = re.compile(r"^((?:\d{2,}:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d{2,}:)?\d{2}:\d{2}\.\d{3})")


def _bad_track(line: int, problem: str) -> InvalidArgument:
    return InvalidArgument(
        f"content line {line}: {problem}",
        reason="TEXT_TRACK_INVALID",
        domain=ERROR_DOMAIN,
        violations=[FieldViolation("content", f"line {line}: {problem}")],
    )


def to_webvtt(content: bytes, content_type: str) -> tuple[str, int]:
    """(WebVTT text, cue count) from a WebVTT or SRT file; raises TEXT_TRACK_INVALID with the line."""
    if content_type not in TEXT_TYPES:
        raise InvalidArgument(
            "content_type must be text/vtt or application/x-subrip", reason="UNSUPPORTED_MEDIA_TYPE", domain=ERROR_DOMAIN
        )
    if len(content) > TEXT_TRACK_MAX_BYTES:
        raise InvalidArgument(
            "the text track is larger than 2 MiB",
            reason="FILE_TOO_LARGE",
            domain=ERROR_DOMAIN,
            metadata={"max_bytes": str(TEXT_TRACK_MAX_BYTES)},
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _bad_track(content[: exc.start].count(b"\n") + 1, "not UTF-8") from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if content_type == "text/vtt":
        return _check_vtt(lines)
    return _srt_to_vtt(lines)


def _check_vtt(lines: list[str]) -> tuple[str, int]:
    if not lines or not lines[0].startswith("WEBVTT"):
        raise _bad_track(1, "a WebVTT file starts with WEBVTT")
    cues = 0
    for number, line in enumerate(lines, start=1):
        if "-->" in line:
            if not _VTT_TIME.match(line.strip()):
                raise _bad_track(number, "malformed cue timing (HH:MM:SS.mmm --> HH:MM:SS.mmm)")
            cues += 1
    return "\n".join(lines).rstrip("\n") + "\n", cues


def _srt_to_vtt(lines: list[str]) -> tuple[str, int]:
    out = ["WEBVTT", ""]
    cues = 0
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            index += 1
            continue
        if line.isdigit():  # the cue number
            index += 1
            if index >= len(lines):
                raise _bad_track(index, "a cue number without timing")
            line = lines[index].strip()
        timing = _SRT_TIME.match(line)
        if timing is None:
            raise _bad_track(index + 1, "expected a cue timing (HH:MM:SS,mmm --> HH:MM:SS,mmm)")
        g = timing.groups()
        out.append(f"{int(g[0]):02d}:{g[1]}:{g[2]}.{g[3]} --> {int(g[4]):02d}:{g[5]}:{g[6]}.{g[7]}")
        index += 1
        while index < len(lines) and lines[index].strip():
            out.append(lines[index].rstrip())
            index += 1
        out.append("")
        cues += 1
    if cues == 0:
        raise _bad_track(1, "no cues")
    return "\n".join(out).rstrip("\n") + "\n", cues


def storyboard_vtt(duration: float, interval: float, tile_w: int, tile_h: int, columns: int, rows: int, sprite: str) -> str:
    lines = ["WEBVTT", ""]
    frames = min(columns * rows, max(1, math.ceil(duration / interval)))
    for n in range(frames):
        start, end = n * interval, min(duration, (n + 1) * interval)
        x, y = (n % columns) * tile_w, (n // columns) * tile_h
        lines += [f"{_vtt_time(start)} --> {_vtt_time(end)}", f"{sprite}#xywh={x},{y},{tile_w},{tile_h}", ""]
    return "\n".join(lines)


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


# ---------------------------------------------------------------------------------------------
# Ownership and updates


def can_see(*, owner_id: str, caller_id: str, is_admin: bool) -> bool:
    return is_admin or owner_id == caller_id


def default_visibility(purpose: str) -> str:
    return {"personal": PRIVATE, "feature": SUBSCRIBERS, "extra": SUBSCRIBERS}.get(purpose, PUBLIC)


OWNER_FIELDS = frozenset({"display_name", "labels"})
ADMIN_FIELDS = OWNER_FIELDS | {"purpose", "title", "visibility", "required_plan"}


def check_update_mask(paths: Sequence[str], *, is_admin: bool) -> list[str]:
    if not paths:
        raise invalid("update_mask", "name the fields to update")
    allowed = ADMIN_FIELDS if is_admin else OWNER_FIELDS
    if list(paths) == ["*"]:
        return sorted(allowed)
    for path in paths:
        if path not in ADMIN_FIELDS:
            raise invalid("update_mask", f"{path[:60]!r} is not a field that can be updated")
        if path not in allowed:
            raise PermissionDenied(f"only admins may change {path}", reason="ROLE_REQUIRED")
    return list(paths)


def check_labels(labels: Mapping[str, str]) -> None:
    if len(labels) > 20:
        raise invalid("asset.labels", "at most 20 pairs")
    for key, value in labels.items():
        if not key or len(key) > 63 or len(value) > 255:
            raise invalid("asset.labels", "keys 1 to 63 characters, values at most 255")


def check_display_name(name: str) -> None:
    if len(name) > 300:
        raise invalid("asset.display_name", "at most 300 characters")


def etag_of(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def check_image(data: bytes, content_type: str) -> tuple[int, int]:
    """(width, height) of an uploaded JPEG/PNG/WebP, refusing anything else or too small."""
    if content_type not in IMAGE_TYPES:
        raise InvalidArgument(
            "content_type must be image/jpeg, image/png or image/webp", reason="UNSUPPORTED_MEDIA_TYPE", domain=ERROR_DOMAIN
        )
    if len(data) > IMAGE_MAX_BYTES:
        raise InvalidArgument(
            "the image is larger than 2 MiB",
            reason="FILE_TOO_LARGE",
            domain=ERROR_DOMAIN,
            metadata={"max_bytes": str(IMAGE_MAX_BYTES)},
        )
    size = image_size(data)
    if size is None or IMAGE_TYPES.get(content_type) != size[2]:
        raise InvalidArgument(
            "image_data is not a " + content_type + " image", reason="UNSUPPORTED_MEDIA_TYPE", domain=ERROR_DOMAIN
        )
    if size[0] < 640 or size[1] < 360:
        raise invalid("thumbnail.image_data", "the image must be at least 640x360")
    return size[0], size[1]


def image_size(data: bytes) -> tuple[int, int, str] | None:
    """(width, height, kind) read from an image header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"), "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little"), "webp"
        if chunk == b"VP8 ":
            return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF, "webp"
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, "webp"
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                return (
                    int.from_bytes(data[index + 7 : index + 9], "big"),
                    int.from_bytes(data[index + 5 : index + 7], "big"),
                    "jpg",
                )
            index += 2 + length
    return None
