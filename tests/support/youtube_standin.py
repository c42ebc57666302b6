"""A local stand-in for YouTube's player API and caption tracks, speaking the same wire protocol
(`POST /youtubei/v1/player`, `GET /api/timedtext`), so Notes' YouTube client is tested for real.

`videos[video_id]` holds what a video answers: title, channel, length, description (chapters),
caption segments, and a `mode` of `ok`, `private`, `live`, `no_captions` or `throttled`."""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Video:
    title: str
    channel: str
    length_seconds: int
    segments: list[tuple[float, float, str]]
    description: str = ""
    language: str = "en"
    auto: bool = False
    mode: str = "ok"


@dataclass
class YouTubeStandin:
    videos: dict[str, Video] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def __enter__(self) -> YouTubeStandin:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                standin.requests.append(self.path)
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                if urlparse(self.path).path != "/youtubei/v1/player":
                    self._send(404, b"{}", "application/json")
                    return
                video_id = body.get("videoId", "")
                video = standin.videos.get(video_id)
                if video is not None and video.mode == "throttled":
                    self._send(429, b'{"error": "too many requests"}', "application/json")
                    return
                self._send(200, json.dumps(standin.player(video_id, video)).encode(), "application/json")

            def do_GET(self) -> None:
                standin.requests.append(self.path)
                url = urlparse(self.path)
                video = standin.videos.get(parse_qs(url.query).get("v", [""])[0])
                if url.path != "/api/timedtext" or video is None:
                    self._send(404, b"", "text/xml")
                    return
                cues = "".join(
                    f'<text start="{start}" dur="{end - start}">{html.escape(text)}</text>' for start, end, text in video.segments
                )
                self._send(200, f'<?xml version="1.0" encoding="utf-8" ?><transcript>{cues}</transcript>'.encode(), "text/xml")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def player(self, video_id: str, video: Video | None) -> dict[str, Any]:
        if video is None:
            return {"playabilityStatus": {"status": "ERROR", "reason": "Video unavailable"}}
        if video.mode == "private":
            return {"playabilityStatus": {"status": "LOGIN_REQUIRED", "reason": "This video is private"}}
        details = {
            "videoId": video_id,
            "title": video.title,
            "author": video.channel,
            "channelId": "UC" + video_id,
            "lengthSeconds": str(video.length_seconds),
            "shortDescription": video.description,
            "thumbnail": {"thumbnails": [{"url": f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"}]},
            "isLive": video.mode == "live",
        }
        reply: dict[str, Any] = {"playabilityStatus": {"status": "OK"}, "videoDetails": details}
        if video.mode != "no_captions":
            track = {
                "baseUrl": f"{self.base_url}/api/timedtext?v={video_id}&lang={video.language}&fmt=srv3",
                "languageCode": video.language,
            }
            if video.auto:
                track["kind"] = "asr"
            reply["captions"] = {"playerCaptionsTracklistRenderer": {"captionTracks": [track]}}
        return reply

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
