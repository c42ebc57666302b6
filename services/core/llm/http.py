"""What the HTTP providers share: SSE parsing, retries with backoff before the first byte, a concurrency limit."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from services.core.llm.settings import LlmSettings
from services.core.llm.types import LlmRejected, LlmUnavailable

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
_ERROR_TEXT_LIMIT = 300


@dataclass(frozen=True, slots=True)
class SseEvent:
    event: str
    data: str


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    """Server-sent events from a line stream (WHATWG rules: `event:`/`data:` fields, a blank line ends an event)."""
    event = ""
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            if data:
                yield SseEvent(event or "message", "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        yield SseEvent(event or "message", "\n".join(data))


def _retry_after(response: httpx.Response) -> float | None:
    header = response.headers.get("retry-after")
    if header is None:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(str(header)))
    return None


class HttpTransport:
    """One pooled httpx client per provider, with the retry policy and the in-flight limit around each stream."""

    def __init__(self, settings: LlmSettings, provider: str, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.provider = provider
        timeout = httpx.Timeout(
            connect=settings.llm_connect_timeout_seconds,
            read=settings.llm_read_timeout_seconds,
            write=settings.llm_connect_timeout_seconds,
            pool=settings.llm_read_timeout_seconds,
        )
        self.client = client or httpx.AsyncClient(timeout=timeout)
        self.limit = asyncio.Semaphore(settings.llm_max_concurrency)

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        hinted = _retry_after(response) if response is not None else None
        if hinted is not None:
            return min(hinted, self.settings.llm_retry_max_seconds)
        base = self.settings.llm_retry_base_seconds * float(2**attempt)
        return min(base, self.settings.llm_retry_max_seconds) * random.uniform(0.5, 1.0)

    @contextlib.asynccontextmanager
    async def stream(self, url: str, body: Mapping[str, Any], headers: Mapping[str, str]) -> AsyncIterator[httpx.Response]:
        """POST and yield a 2xx streaming response; closing the context closes the connection (cancellation)."""
        async with self.limit:
            attempt = 0
            while True:
                try:
                    request = self.client.build_request("POST", url, json=body, headers=dict(headers))
                    response = await self.client.send(request, stream=True)
                except httpx.TransportError as exc:
                    if attempt >= self.settings.llm_max_retries:
                        raise LlmUnavailable(f"{self.provider} unreachable: {type(exc).__name__}") from exc
                    await asyncio.sleep(self._backoff(attempt, None))
                    attempt += 1
                    continue
                if response.status_code < 300:
                    try:
                        yield response
                    finally:
                        await response.aclose()
                    return
                text = (await response.aread()).decode("utf-8", "replace")[:_ERROR_TEXT_LIMIT]
                await response.aclose()
                if response.status_code in RETRYABLE_STATUS:
                    if attempt >= self.settings.llm_max_retries:
                        raise LlmUnavailable(f"{self.provider} answered {response.status_code} after {attempt + 1} attempts")
                    await asyncio.sleep(self._backoff(attempt, response))
                    attempt += 1
                    continue
                raise LlmRejected(f"{self.provider} refused the request ({response.status_code}): {text}")

    async def post_json(self, url: str, body: Mapping[str, Any], headers: Mapping[str, str]) -> Any:
        """A small non-streamed call (token counting) with the same retry policy."""
        async with self.stream(url, body, headers) as response:
            return await _json(response)

    async def aclose(self) -> None:
        await self.client.aclose()


async def _json(response: httpx.Response) -> Any:
    await response.aread()
    try:
        return response.json()
    except ValueError as exc:
        raise LlmUnavailable("provider answered with malformed JSON") from exc
