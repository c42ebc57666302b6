"""YouTube captions and video facts over its web API (the InnerTube player endpoint the web and
mobile players use, then the caption track's timed-text XML), with httpx.

The base URL is a setting, so tests put a local stand-in at the far end of the same wire.
Errors map to the contract's reasons: private / removed / live → VIDEO_UNAVAILABLE, no
captions → TRANSCRIPT_UNAVAILABLE, 429 / 5xx / unreachable → VIDEO_HOST_UNAVAILABLE.
"""

from __future__ import annotations

import html
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import httpx

from services.core.errors import FailedPrecondition, FieldViolation, InvalidArgument, Unavailable
from services.notes.transcripts import DOMAIN, Chapter, Segment, Transcript, chapters_from_description

# The Android player client is the one that still returns caption URLs without a page token.
PLAYER_CLIENT = {"clientName": "ANDROID", "clientVersion": "20.10.38"}
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


@dataclass(frozen=True)
class VideoFacts:
    video_id: str
    title: str
    channel: str
    channel_uri: str
    duration_seconds: float
    thumbnail_uri: str
    language_code: str
    origin: str  # publisher_captions or auto_captions
    chapters: tuple[Chapter, ...]
    caption_url: str


def video_id_of(uri: str) -> str:
    """The video id of a single-video YouTube URL; anything else is UNSUPPORTED_SOURCE."""
    text = uri.strip()
    if "://" not in text:
        text = "https://" + text
    parsed = urllib.parse.urlparse(text)
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    candidate = ""
    if host == "youtu.be":
        candidate = parsed.path.strip("/")
    elif host in ("youtube.com", "music.youtube.com"):
        if parsed.path == "/watch":
            candidate = urllib.parse.parse_qs(parsed.query).get("v", [""])[0]
        else:
            parts = parsed.path.strip("/").split("/")
            if len(parts) == 2 and parts[0] in ("shorts", "live", "embed"):
                candidate = parts[1]
    if not _VIDEO_ID.match(candidate):
        message = "only single YouTube videos are supported (youtube.com/watch?v=…, youtu.be/…, /shorts/, /live/)"
        raise InvalidArgument(
            message,
            reason="UNSUPPORTED_SOURCE",
            domain=DOMAIN,
            violations=[FieldViolation("source.video_uri", message, "UNSUPPORTED_SOURCE")],
        )
    return candidate


def canonical_uri(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def _host_down(message: str) -> Unavailable:
    return Unavailable(message, reason="VIDEO_HOST_UNAVAILABLE", domain=DOMAIN, retry_after_seconds=30)


class YouTubeClient:
    def __init__(self, base_url: str, *, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._timeout, transport=self._transport, headers={"accept-language": "en-US"})

    async def video(self, video_id: str, *, language: str = "") -> VideoFacts:
        try:
            async with self._client() as client:
                reply = await client.post(
                    f"{self._base}/youtubei/v1/player",
                    json={"context": {"client": PLAYER_CLIENT}, "videoId": video_id},
                )
        except httpx.HTTPError:
            raise _host_down("YouTube could not be reached") from None
        if reply.status_code == 429 or reply.status_code >= 500:
            raise _host_down(f"YouTube answered {reply.status_code}")
        if reply.status_code != 200:
            raise FailedPrecondition(
                f"YouTube refused the video ({reply.status_code})", reason="VIDEO_UNAVAILABLE", domain=DOMAIN
            )
        try:
            data = reply.json()
        except ValueError:
            raise _host_down("YouTube sent an unreadable answer") from None
        return self._facts(video_id, data, language)

    def _facts(self, video_id: str, data: dict[str, object], language: str) -> VideoFacts:
        playability = data.get("playabilityStatus") or {}
        status = playability.get("status", "") if isinstance(playability, dict) else ""
        details = data.get("videoDetails") or {}
        assert isinstance(details, dict)
        if status != "OK":
            reason = playability.get("reason", status) if isinstance(playability, dict) else status
            raise FailedPrecondition(
                f"the video is unavailable: {str(reason)[:120]}",
                reason="VIDEO_UNAVAILABLE",
                domain=DOMAIN,
                metadata={"video_id": video_id},
            )
        if details.get("isLive") or details.get("isUpcoming"):
            raise FailedPrecondition("the video is a live stream that has not ended", reason="VIDEO_UNAVAILABLE", domain=DOMAIN)
        captions = data.get("captions") or {}
        tracks = (
            captions.get("playerCaptionsTracklistRenderer", {}).get("captionTracks", []) if isinstance(captions, dict) else []
        )
        if not tracks:
            raise FailedPrecondition("the video has no captions", reason="TRANSCRIPT_UNAVAILABLE", domain=DOMAIN)

        def rank(track: dict[str, str]) -> tuple[int, int]:
            lang = track.get("languageCode", "")
            wanted = (language or "en").split("-")[0]
            return (0 if lang.split("-")[0] == wanted else 1, 1 if track.get("kind") == "asr" else 0)

        track = sorted(tracks, key=rank)[0]
        thumbs = details.get("thumbnail", {}).get("thumbnails", []) if isinstance(details.get("thumbnail"), dict) else []
        channel_id = str(details.get("channelId", ""))
        return VideoFacts(
            video_id=video_id,
            title=str(details.get("title", "")),
            channel=str(details.get("author", "")),
            channel_uri=f"https://www.youtube.com/channel/{channel_id}" if channel_id else "",
            duration_seconds=float(details.get("lengthSeconds", 0) or 0),
            thumbnail_uri=str(thumbs[-1].get("url", "")) if thumbs else "",
            language_code=track.get("languageCode", ""),
            origin="auto_captions" if track.get("kind") == "asr" else "publisher_captions",
            chapters=chapters_from_description(str(details.get("shortDescription", ""))),
            caption_url=track.get("baseUrl", ""),
        )

    async def transcript(self, facts: VideoFacts) -> Transcript:
        url = facts.caption_url
        if url.startswith("/"):
            url = self._base + url
        url = re.sub(r"&fmt=[^&]*", "", url)
        try:
            async with self._client() as client:
                reply = await client.get(url)
        except httpx.HTTPError:
            raise _host_down("YouTube's captions could not be reached") from None
        if reply.status_code == 429 or reply.status_code >= 500:
            raise _host_down(f"YouTube answered {reply.status_code} for the captions")
        if reply.status_code != 200 or not reply.text.strip():
            raise FailedPrecondition("the captions could not be read", reason="TRANSCRIPT_UNAVAILABLE", domain=DOMAIN)
        return Transcript(
            tuple(parse_timed_text(reply.text)),
            language_code=facts.language_code,
            origin=facts.origin,
            chapters=facts.chapters,
        )


def parse_timed_text(xml_text: str) -> list[Segment]:
    """`<transcript><text start="1.2" dur="3.4">…</text>…</transcript>` as segments."""
    try:
        # Caption XML from the configured video host; the standard parser expands no external entities.
        root = ET.fromstring(xml_text)  # noqa: S314
    except ET.ParseError:
        raise FailedPrecondition("the captions are not readable", reason="TRANSCRIPT_UNAVAILABLE", domain=DOMAIN) from None
    segments = []
    for node in root.iter("text"):
        text = re.sub(r"\s+", " ", html.unescape("".join(node.itertext()))).strip()
        if not text:
            continue
        start = float(node.get("start", "0"))
        segments.append(Segment(text, start, start + float(node.get("dur", "0"))))
    if not segments:
        raise FailedPrecondition("the captions are empty", reason="TRANSCRIPT_UNAVAILABLE", domain=DOMAIN)
    return segments
