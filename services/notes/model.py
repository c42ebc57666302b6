"""What note generation needs of a language model: one completion at a time, its token usage,
and a token count for chunking.

`OpenAICompatibleModel` speaks the chat-completions wire protocol (OpenAI, vLLM, Ollama,
llama.cpp's server) with timeouts, retries with backoff on 429 / 5xx and a concurrency limit.
It stands in for the shared LLM seam (`services/core/llm/`, being built on the `chat` branch);
once that lands, an adapter over it replaces this class and nothing else changes.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from services.core.errors import FailedPrecondition, Unavailable
from services.notes.domain import approximate_tokens
from services.notes.transcripts import DOMAIN


@dataclass(frozen=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int
    model: str


class TextModel(Protocol):
    name: str

    async def complete(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> Completion: ...

    def count_tokens(self, text: str) -> int: ...


def llm_unavailable(message: str) -> Unavailable:
    return Unavailable(message, reason="LLM_UNAVAILABLE", domain=DOMAIN, retry_after_seconds=30)


def content_rejected(message: str) -> FailedPrecondition:
    return FailedPrecondition(message, reason="CONTENT_REJECTED", domain=DOMAIN)


class OpenAICompatibleModel:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 120.0,
        max_retries: int = 2,
        concurrency: int = 4,
        backoff_seconds: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self.name = model
        self._key = api_key
        self._timeout = timeout
        self._retries = max_retries
        self._backoff = backoff_seconds
        self._limit = asyncio.Semaphore(concurrency)
        self._transport = transport

    def count_tokens(self, text: str) -> int:
        return approximate_tokens(text)

    async def complete(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> Completion:
        headers = {"authorization": f"Bearer {self._key}"} if self._key else {}
        body = {"model": self.name, "messages": list(messages), "max_tokens": max_tokens, "temperature": 0.2, "stream": False}
        async with self._limit, httpx.AsyncClient(timeout=self._timeout, transport=self._transport, headers=headers) as client:
            for attempt in range(self._retries + 1):
                try:
                    reply = await client.post(f"{self._base}/chat/completions", json=body)
                except httpx.HTTPError:
                    reply = None
                if reply is not None and reply.status_code == 200:
                    return self._completion(reply)
                if reply is not None and reply.status_code not in (408, 429) and reply.status_code < 500:
                    if "content" in reply.text.lower() and ("filter" in reply.text.lower() or "policy" in reply.text.lower()):
                        raise content_rejected("the model declined the content")
                    raise llm_unavailable(f"the model refused the request ({reply.status_code})")
                if attempt < self._retries:
                    retry_after = reply.headers.get("retry-after", "") if reply is not None else ""
                    delay = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else self._backoff * 2**attempt
                    await asyncio.sleep(min(delay, 10.0) * (0.8 + 0.4 * random.random()))
        raise llm_unavailable("the language model did not answer after retries")

    def _completion(self, reply: httpx.Response) -> Completion:
        try:
            data = reply.json()
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise llm_unavailable("the model sent an unreadable answer") from None
        if choice.get("finish_reason") == "content_filter":
            raise content_rejected("the model declined the content")
        usage = data.get("usage") or {}
        return Completion(
            text=text,
            input_tokens=int(usage.get("prompt_tokens", 0)),
            output_tokens=int(usage.get("completion_tokens", 0)),
            model=str(data.get("model") or self.name),
        )
