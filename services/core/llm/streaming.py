"""What the two HTTP providers share around one streamed completion: the provider's identity and
transport, the loop that reads server-sent events as JSON objects, the running tally of what the
stream said (model, finish reason, token counts), and the one check that the stream really ended.

A provider says only what differs: the request (`_request`) and what one event means (`_read`).
Retries with backoff, the in-flight limit and HTTP error mapping live in `HttpTransport`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from services.core.llm import types
from services.core.llm.http import HttpTransport, SseEvent, sse_events
from services.core.llm.settings import LlmSettings
from services.core.llm.types import ChatMessage, FinishReason, GenerationParams, LlmUnavailable, StreamEvent


@dataclass
class StreamTally:
    """What one stream has said so far; `_read` updates it, the loop turns it into `Finished`."""

    model: str
    reason: FinishReason | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Text deltas seen: the completion count when a server reports none.
    deltas: int = 0
    ended: bool = False


class SseChatProvider:
    """A chat provider over an HTTP API that streams JSON events as server-sent events."""

    # The provider's kind, for logs, metrics and error messages.
    kind: ClassVar[str] = ""
    # What the provider's finish/stop reasons mean.
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = {}

    # Where the API lives when MARQUEE_LLM_BASE_URL is not set ("" means it must be set).
    default_base_url: ClassVar[str] = ""

    def __init__(self, settings: LlmSettings, transport: HttpTransport | None = None) -> None:
        base_url = settings.llm_base_url or self.default_base_url
        if not base_url:
            raise ValueError(f"MARQUEE_LLM_BASE_URL is required for the {self.kind} provider")
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.transport = transport or HttpTransport(settings, self.kind)

    @property
    def name(self) -> str:
        return self.kind

    @property
    def default_model(self) -> str:
        return self.settings.llm_model

    def _request(self, messages: Sequence[ChatMessage], params: GenerationParams, model: str) -> tuple[str, dict[str, Any]]:
        """The URL and JSON body of one streamed completion."""
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        raise NotImplementedError

    def _read(self, event: SseEvent, tally: StreamTally) -> Iterator[StreamEvent]:
        """The text deltas in one event, updating `tally`; set `tally.ended` on the last event."""
        raise NotImplementedError

    def finish_reason(self, value: str) -> FinishReason:
        return self.finish_reasons.get(value, FinishReason.STOP)

    async def stream_chat(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[StreamEvent]:
        tally = StreamTally(model=params.model or self.default_model)
        url, body = self._request(messages, params, tally.model)
        async with self.transport.stream(url, body, self._headers()) as response:
            async for event in sse_events(response.aiter_lines()):
                for produced in self._read(event, tally):
                    if isinstance(produced, types.TextDelta):
                        tally.deltas += 1
                    yield produced
                if tally.ended:
                    break
        if tally.reason is None:
            raise LlmUnavailable(f"{self.kind} stream ended before a finish reason")
        completion = tally.completion_tokens or tally.deltas
        yield types.Finished(tally.reason, types.Usage(tally.prompt_tokens, completion), tally.model)

    def parse(self, data: str) -> dict[str, Any]:
        """One event's data as a JSON object; anything else means the stream is broken."""
        try:
            parsed = json.loads(data)
        except ValueError as exc:
            raise LlmUnavailable(f"{self.kind} stream sent malformed JSON") from exc
        if not isinstance(parsed, dict):
            raise LlmUnavailable(f"{self.kind} stream sent a non-object event")
        return parsed

    async def aclose(self) -> None:
        await self.transport.aclose()
