"""Transcripts on plain values: SRT, WebVTT and plain text parsed into timed segments, and the
contract's limits checked before any credit is spent.

Pure rules: no I/O. YouTube captions arrive here as segments from `youtube.py`; a Media
asset's text track as text from `media_client.py`.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.core.errors import FailedPrecondition, FieldViolation, InvalidArgument

DOMAIN = "marquee.notes"
MAX_TRANSCRIPT_CHARS = 200_000
MIN_TRANSCRIPT_WORDS = 100
MAX_SOURCE_SECONDS = 3 * 3600

PLAIN_TEXT = "plain_text"
WEBVTT = "webvtt"
SRT = "srt"

_CUE_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_LINE = re.compile(rf"^\s*{_CUE_TIME}\s*-->\s*{_CUE_TIME}")
_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    """What is said between two video offsets (seconds); offsets are None for plain text."""

    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    language_code: str = ""
    origin: str = "uploaded"  # publisher_captions, auto_captions, speech_recognition, uploaded
    chapters: tuple[Chapter, ...] = ()

    @property
    def timed(self) -> bool:
        return any(s.start is not None for s in self.segments)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def word_count(self) -> int:
        return sum(len(s.text.split()) for s in self.segments)

    @property
    def duration(self) -> float:
        ends = [s.end for s in self.segments if s.end is not None]
        return max(ends) if ends else 0.0


def refused(reason: str, message: str, field: str = "source.transcript.text", **metadata: str) -> InvalidArgument:
    return InvalidArgument(
        message, reason=reason, domain=DOMAIN, metadata=metadata, violations=[FieldViolation(field, message, reason)]
    )


def _seconds(hours: str | None, minutes: str, secs: str, fraction: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + int(fraction.ljust(3, "0")[:3]) / 1000


def _clean(line: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", line))).strip()


def detect_format(text: str) -> str:
    head = text.lstrip("\ufeff").lstrip()
    if head.startswith("WEBVTT"):
        return WEBVTT
    if any(_CUE_LINE.match(line) for line in head.splitlines()[:20]):
        return SRT
    return PLAIN_TEXT


def _parse_cues(text: str, *, vtt: bool) -> list[Segment]:
    segments: list[Segment] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if vtt and lines[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        at = next((i for i, line in enumerate(lines[:3]) if _CUE_LINE.match(line)), None)
        if at is None:
            raise refused("INVALID_ARGUMENT", f"unparseable {'WebVTT' if vtt else 'SRT'} cue near {lines[0][:60]!r}")
        match = _CUE_LINE.match(lines[at])
        assert match is not None
        g = match.groups()
        start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
        if end < start:
            raise refused("INVALID_ARGUMENT", f"a cue ends before it starts near {lines[at][:60]!r}")
        words = _clean(" ".join(lines[at + 1 :]))
        if not words:
            continue
        # Auto captions repeat the previous cue's tail: keep only what is new.
        if segments and words.startswith(segments[-1].text) and words != segments[-1].text:
            words = words[len(segments[-1].text) :].strip()
        elif segments and words == segments[-1].text:
            continue
        segments.append(Segment(words, start, end))
    return segments


def _parse_plain(text: str) -> list[Segment]:
    paragraphs = [_clean(p) for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return [Segment(p) for p in paragraphs if p]


def decode(data: bytes) -> str:
    """Bytes of an uploaded transcript file as text; UTF-8 (with or without BOM) or UTF-16 with BOM."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refused("INVALID_ARGUMENT", "the transcript is not UTF-8 or UTF-16 text") from None


def parse_transcript(text: str, fmt: str = "", *, language_code: str = "") -> Transcript:
    """Parse and check an uploaded transcript: the contract's refusals come before anything is spent."""
    if "\x00" in text or "\ufffd" in text:
        raise refused("INVALID_ARGUMENT", "the transcript is not valid text (wrong encoding?)")
    if not text.strip():
        raise refused("INVALID_ARGUMENT", "the transcript is empty")
    if len(text) > MAX_TRANSCRIPT_CHARS:
        raise refused(
            "TRANSCRIPT_TOO_LONG",
            f"the transcript has {len(text)} characters; at most {MAX_TRANSCRIPT_CHARS} are accepted",
            length=str(len(text)),
            max_length=str(MAX_TRANSCRIPT_CHARS),
        )
    fmt = fmt or detect_format(text)
    segments = _parse_plain(text) if fmt == PLAIN_TEXT else _parse_cues(text, vtt=fmt == WEBVTT)
    transcript = Transcript(tuple(segments), language_code=language_code, origin="uploaded")
    check_length(transcript)
    return transcript


def check_length(transcript: Transcript) -> None:
    words = transcript.word_count
    if words < MIN_TRANSCRIPT_WORDS:
        raise refused(
            "TRANSCRIPT_TOO_SHORT",
            f"the transcript has {words} words; at least {MIN_TRANSCRIPT_WORDS} are needed",
            words=str(words),
            min_words=str(MIN_TRANSCRIPT_WORDS),
        )
    check_duration(transcript.duration)


def check_duration(seconds: float, field: str = "source") -> None:
    if seconds > MAX_SOURCE_SECONDS:
        raise InvalidArgument(
            f"the source runs {int(seconds)} s; at most {MAX_SOURCE_SECONDS} s are accepted",
            reason="VIDEO_TOO_LONG",
            domain=DOMAIN,
            metadata={"duration_seconds": str(int(seconds)), "max_duration_seconds": str(MAX_SOURCE_SECONDS)},
            violations=[FieldViolation(field, "longer than 3 hours", "VIDEO_TOO_LONG")],
        )


def unavailable_transcript(message: str) -> FailedPrecondition:
    return FailedPrecondition(message, reason="TRANSCRIPT_UNAVAILABLE", domain=DOMAIN)


_CHAPTER_LINE = re.compile(r"^\s*\(?((?:\d{1,2}:)?\d{1,2}:\d{2})\)?\s*[-–—:]?\s*(.{1,120}?)\s*$")


def chapters_from_description(description: str) -> tuple[Chapter, ...]:
    """YouTube's chapter rule: a description listing timestamps, the first at 0:00, at least three."""
    found: list[Chapter] = []
    for line in description.splitlines():
        match = _CHAPTER_LINE.match(line)
        if not match or not match.group(2):
            continue
        parts = [int(p) for p in match.group(1).split(":")]
        seconds = sum(p * 60**i for i, p in enumerate(reversed(parts)))
        found.append(Chapter(match.group(2), float(seconds)))
    if len(found) < 3 or found[0].start != 0 or any(b.start <= a.start for a, b in itertools.pairwise(found)):
        return ()
    return tuple(found)


def format_offset(seconds: float) -> str:
    whole = int(seconds)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def segments_in(segments: Sequence[Segment], start: float | None, end: float | None) -> list[Segment]:
    if start is None or end is None:
        return list(segments)
    return [s for s in segments if s.start is not None and start <= s.start < end]
