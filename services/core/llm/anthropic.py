"""Anthropic's Messages API, streamed (message_start … content_block_delta … message_delta, message_stop)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from services.core.llm.http import HttpTransport, sse_events
from services.core.llm.settings import LlmSettings
from services.core.llm.types import (
    ChatMessage,
    Finished,
    FinishReason,
    GenerationParams,
    LlmUnavailable,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
)

_FINISH = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "refusal": FinishReason.FILTERED,
}


class AnthropicProvider:
    def __init__(self, settings: LlmSettings, transport: HttpTransport | None = None) -> None:
        self.settings = settings
        self.transport = transport or HttpTransport(settings, "anthropic")
        self.base_url = (settings.llm_base_url or "https://api.anthropic.com").rstrip("/")

    @property
    def name(self) -> str:
        return "anthropic"

    @property
    def default_model(self) -> str:
        return self.settings.llm_model

    def _headers(self) -> dict[str, str]:
        return {
            "x-api-key": self.settings.llm_api_key.get_secret_value(),
            "anthropic-version": self.settings.llm_anthropic_version,
        }

    async def stream_chat(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[StreamEvent]:
        model = params.model or self.default_model
        system = "\n\n".join(m.content for m in messages if m.role is Role.SYSTEM)
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": params.max_tokens,
            "temperature": min(params.temperature, 1.0),  # the Messages API accepts 0 to 1
            "stream": True,
            "messages": [{"role": str(m.role), "content": m.content} for m in messages if m.role is not Role.SYSTEM],
        }
        if system:
            body["system"] = system
        prompt_tokens = completion_tokens = 0
        reason: FinishReason | None = None
        async with self.transport.stream(f"{self.base_url}/v1/messages", body, self._headers()) as response:
            async for event in sse_events(response.aiter_lines()):
                payload = _parse(event.data)
                kind = payload.get("type", event.event)
                if kind == "message_start":
                    message = payload.get("message") or {}
                    model = message.get("model") or model
                    prompt_tokens = int((message.get("usage") or {}).get("input_tokens", 0))
                elif kind == "content_block_delta":
                    delta = payload.get("delta") or {}
                    if delta.get("type") == "text_delta" and delta.get("text"):
                        yield TextDelta(delta["text"])
                elif kind == "message_delta":
                    stop = (payload.get("delta") or {}).get("stop_reason")
                    if stop:
                        reason = _FINISH.get(stop, FinishReason.STOP)
                    completion_tokens = int((payload.get("usage") or {}).get("output_tokens", completion_tokens))
                elif kind == "error":
                    error = payload.get("error") or {}
                    raise LlmUnavailable(f"anthropic stream failed: {str(error.get('type', 'error'))[:100]}")
                elif kind == "message_stop":
                    break
        if reason is None:
            raise LlmUnavailable("anthropic stream ended before a stop reason")
        yield Finished(reason, Usage(prompt_tokens, completion_tokens), model)

    async def count_tokens(self, text: str, model: str = "") -> int:
        found = await self.transport.post_json(
            f"{self.base_url}/v1/messages/count_tokens",
            {"model": model or self.default_model, "messages": [{"role": "user", "content": text}]},
            self._headers(),
        )
        if not isinstance(found, dict) or "input_tokens" not in found:
            raise LlmUnavailable("anthropic count_tokens answered without input_tokens")
        return int(found["input_tokens"])

    async def aclose(self) -> None:
        await self.transport.aclose()


def _parse(data: str) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise LlmUnavailable("anthropic stream sent malformed JSON") from exc
    if not isinstance(parsed, dict):
        raise LlmUnavailable("anthropic stream sent a non-object event")
    return parsed
