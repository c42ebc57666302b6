"""A local TMDb-compatible HTTP server for Catalog's import tests: v3 shapes, a request log, injectable failures."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MOVIES: dict[int, dict[str, Any]] = {
    603: {
        "id": 603,
        "title": "Standin Matrix",
        "overview": "A hacker learns the truth.",
        "release_date": "1999-03-30",
        "runtime": 136,
        "genres": [{"id": 28, "name": "Action"}],
        "poster_path": "/m.jpg",
        "backdrop_path": "/mb.jpg",
        "original_language": "en",
        "vote_average": 8.2,
        "vote_count": 20000,
        "popularity": 80.5,
        "imdb_id": "tt0133093",
    },
}
SHOWS: dict[int, dict[str, Any]] = {
    1399: {
        "id": 1399,
        "name": "Standin Thrones",
        "overview": "Noble families fight.",
        "first_air_date": "2011-04-17",
        "episode_run_time": [60],
        "genres": [{"id": 18, "name": "Drama"}],
        "poster_path": "/t.jpg",
        "original_language": "en",
        "vote_average": 8.4,
        "vote_count": 9000,
        "popularity": 300.0,
        "seasons": [{"season_number": 1, "name": "Season 1"}],
        "external_ids": {"imdb_id": "tt0944947", "tvdb_id": "121361"},
    },
}
SEASONS: dict[tuple[int, int], dict[str, Any]] = {
    (1399, 1): {
        "season_number": 1,
        "name": "Season 1",
        "overview": "Winter.",
        "air_date": "2011-04-17",
        "episodes": [
            {"id": 63056, "episode_number": n, "name": f"Episode {n}", "overview": "", "air_date": "2011-04-17", "runtime": 60}
            for n in (1, 2, 3)
        ],
    },
}


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class TmdbStandin:
    """`with TmdbStandin() as tmdb:`; `tmdb.base_url`, `tmdb.requests`, `tmdb.fail_next(...)`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self.failures: deque[Failure] = deque()
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                with standin.lock:
                    standin.requests.append((parts.path, parse_qs(parts.query), dict(self.headers)))
                    failure = standin.failures.popleft() if standin.failures else None
                if failure is not None:
                    self._send(failure.status, {"status_message": "injected"}, failure.headers)
                    return
                status, body = standin.answer(parts.path, parse_qs(parts.query))
                self._send(status, body, {})

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/3"

    def fail_next(self, status: int, count: int = 1, headers: dict[str, str] | None = None) -> None:
        with self.lock:
            self.failures.extend(Failure(status, headers or {}) for _ in range(count))

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _, _ in self.requests]

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        parts = path.removeprefix("/3").strip("/").split("/")
        if parts[0] == "search" and len(parts) == 2:
            words = query.get("query", [""])[0].lower()
            found: list[dict[str, Any]] = []
            if parts[1] in ("movie", "multi"):
                found += [{**m, "media_type": "movie"} for m in MOVIES.values() if words in m["title"].lower()]
            if parts[1] in ("tv", "multi"):
                found += [{**s, "media_type": "tv"} for s in SHOWS.values() if words in s["name"].lower()]
            return 200, {"page": 1, "results": found, "total_pages": 1, "total_results": len(found)}
        if parts[0] == "movie" and len(parts) == 2 and parts[1].isdigit() and int(parts[1]) in MOVIES:
            return 200, MOVIES[int(parts[1])]
        if parts[0] == "tv" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in SHOWS:
            if len(parts) == 2:
                return 200, SHOWS[int(parts[1])]
            key = (int(parts[1]), int(parts[3])) if len(parts) == 4 and parts[3].isdigit() else None
            if key in SEASONS:
                return 200, SEASONS[key]
        return 404, {"status_code": 34, "status_message": "The resource you requested could not be found."}

    def __enter__(self) -> TmdbStandin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
