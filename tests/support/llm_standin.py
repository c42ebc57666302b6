"""A local model server speaking OpenAI's and Anthropic's wire protocols, for the LLM and embedding seams' tests.

OpenAI-compatible: `POST /v1/chat/completions` (SSE when `stream`), `POST /v1/embeddings`, `POST /tokenize`
(vLLM's shape). Anthropic: `POST /v1/messages` (SSE events), `POST /v1/messages/count_tokens`. Answers come
from `reply(messages) -> str`, streamed one word per event with `token_delay` between them; failures are
queued with `fail_next(status, ...)`; `gate` holds every request while it is cleared; a request log and a
record of clients that hung up mid-stream.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[list[dict[str, Any]]], str]
WORD = re.compile(r"\S+\s*")


def hashed_embedding(text: str, dim: int = 64) -> list[float]:
    """A deterministic bag-of-words embedding (the hashing trick), unit length."""
    vector = [0.0] * dim
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        vector[int.from_bytes(digest[:4], "little") % dim] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def words(text: str) -> list[str]:
    return WORD.findall(text) or ([text] if text else [])


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"error": {"message": "injected failure"}}'
    path: str | None = None  # only requests to this path fail; None fails the next request of any path


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections when a hundred answers open theirs at once (the Chat benchmark).
    request_queue_size = 512


class LlmStandin:
    """`with LlmStandin() as llm:`; `llm.openai_url` (…/v1), `llm.anthropic_url`, `llm.requests`, `llm.fail_next(...)`."""

    def __init__(self, reply: Reply | None = None, token_delay: float = 0.0, embedding_dim: int = 64) -> None:
        self.reply: Reply = reply or (lambda messages: "Hello from the stand-in model.")
        self.token_delay = token_delay
        self.embedding_dim = embedding_dim
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.failures: deque[Failure] = deque()
        self.mid_stream_error = False
        self.disconnects = 0
        self.disconnected = threading.Event()
        self.completed_streams = 0
        self.lock = threading.Lock()
        # Cleared, every request waits for it to be set again (at most a minute): a test holds the
        # model at a point of its choosing (Notes: until Billing is down) instead of racing a delay.
        self.gate = threading.Event()
        self.gate.set()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                standin.gate.wait(timeout=60)
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with standin.lock:
                    standin.requests.append((self.path, body, {k.lower(): v for k, v in self.headers.items()}))
                    failure = next((f for f in standin.failures if f.path in (None, self.path)), None)
                    if failure is not None:
                        standin.failures.remove(failure)
                if failure is not None:
                    self._send(failure.status, failure.body.encode(), failure.headers)
                    return
                if self.path == "/v1/chat/completions":
                    self._openai_chat(body)
                elif self.path == "/v1/embeddings":
                    self._embeddings(body)
                elif self.path == "/tokenize":
                    prompt = str(body.get("prompt", ""))
                    self._json({"count": len(words(prompt)), "tokens": list(range(len(words(prompt))))})
                elif self.path == "/v1/messages":
                    self._anthropic(body)
                elif self.path == "/v1/messages/count_tokens":
                    text = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
                    self._json({"input_tokens": len(words(text))})
                else:
                    self._send(404, b'{"error": {"message": "no such route"}}')

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _json(self, payload: Any) -> None:
                self._send(200, json.dumps(payload).encode())

            def _start_sse(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True

            def _event(self, data: Any, event: str | None = None) -> bool:
                text = (f"event: {event}\n" if event else "") + f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
                try:
                    self.wfile.write(text.encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    with standin.lock:
                        standin.disconnects += 1
                    standin.disconnected.set()
                    return False
                return True

            def _tokens(self, body: dict[str, Any]) -> tuple[list[str], int, bool]:
                messages = body.get("messages", [])
                prompt = " ".join(str(m.get("content", "")) for m in messages) + " " + str(body.get("system", ""))
                pieces = words(standin.reply(messages))
                limit = int(body.get("max_tokens") or 1_000_000)
                return pieces[:limit], len(words(prompt)), len(pieces) > limit

            def _openai_chat(self, body: dict[str, Any]) -> None:
                pieces, prompt_tokens, cut = self._tokens(body)
                model = body.get("model") or "standin"
                if not body.get("stream"):
                    self._json(
                        {
                            "model": model,
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": "".join(pieces)},
                                    "finish_reason": "length" if cut else "stop",
                                }
                            ],
                            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(pieces)},
                        }
                    )
                    return
                self._start_sse()
                head = {"model": model, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
                if not self._event(head):
                    return
                for n, piece in enumerate(pieces):
                    if standin.token_delay:
                        time.sleep(standin.token_delay)
                    if standin.mid_stream_error and n == len(pieces) // 2:
                        self._event({"error": {"message": "model crashed"}})
                        return
                    chunk = {"model": model, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    if not self._event(chunk):
                        return
                tail = {"model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "length" if cut else "stop"}]}
                counts = {"prompt_tokens": prompt_tokens, "completion_tokens": len(pieces)}
                usage = {"model": model, "choices": [], "usage": counts}
                if self._event(tail) and self._event(usage) and self._event("[DONE]"):
                    with standin.lock:
                        standin.completed_streams += 1

            def _anthropic(self, body: dict[str, Any]) -> None:
                pieces, prompt_tokens, cut = self._tokens(body)
                model = body.get("model") or "standin"
                self._start_sse()
                start = {
                    "type": "message_start",
                    "message": {
                        "id": "msg_standin",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "usage": {"input_tokens": prompt_tokens, "output_tokens": 1},
                    },
                }
                events: list[tuple[str, dict[str, Any]]] = [
                    ("message_start", start),
                    (
                        "content_block_start",
                        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                    ),
                    ("ping", {"type": "ping"}),
                ]
                for name, payload in events:
                    if not self._event(payload, name):
                        return
                for n, piece in enumerate(pieces):
                    if standin.token_delay:
                        time.sleep(standin.token_delay)
                    if standin.mid_stream_error and n == len(pieces) // 2:
                        self._event({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, "error")
                        return
                    delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
                    if not self._event(delta, "content_block_delta"):
                        return
                closing = [
                    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                    (
                        "message_delta",
                        {
                            "type": "message_delta",
                            "delta": {"stop_reason": "max_tokens" if cut else "end_turn", "stop_sequence": None},
                            "usage": {"output_tokens": len(pieces)},
                        },
                    ),
                    ("message_stop", {"type": "message_stop"}),
                ]
                for name, payload in closing:
                    if not self._event(payload, name):
                        return
                with standin.lock:
                    standin.completed_streams += 1

            def _embeddings(self, body: dict[str, Any]) -> None:
                inputs = body.get("input", [])
                inputs = [inputs] if isinstance(inputs, str) else inputs
                data = [
                    {"object": "embedding", "index": i, "embedding": hashed_embedding(str(text), standin.embedding_dim)}
                    for i, text in enumerate(inputs)
                ]
                tokens = sum(len(words(str(text))) for text in inputs)
                self._json(
                    {
                        "object": "list",
                        "model": body.get("model", "standin-embed"),
                        "data": data,
                        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                    }
                )

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.openai_url = f"{self.base_url}/v1"
        self.anthropic_url = self.base_url
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None, path: str | None = None) -> None:
        with self.lock:
            for _ in range(times):
                self.failures.append(Failure(status, headers or {}, path=path))

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _, _ in self.requests]

    def __enter__(self) -> LlmStandin:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
