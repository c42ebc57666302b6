"""Anthropic's Messages API, streamed (message_start … content_block_delta … message_delta, message_stop)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from services.core.llm.http import SseEvent
from services.core.llm.streaming import SseChatProvider, StreamTally
from services.core.llm.types import ChatMessage, FinishReason, GenerationParams, LlmUnavailable, Role, StreamEvent, TextDelta


class AnthropicProvider(SseChatProvider):
    kind: ClassVar[str] = "anthropic"
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = {
        "end_turn": FinishReason.STOP,
        "stop_sequence": FinishReason.STOP,
        "max_tokens": FinishReason.LENGTH,
        "refusal": FinishReason.FILTERED,
    }

    default_base_url = "https://api.anthropic.com"

    def _headers(self) -> dict[str, str]:
        return {
            "x-api-key": self.settings.llm_api_key.get_secret_value(),
            "anthropic-version": self.settings.llm_anthropic_version,
        }

    def _request(self, messages: Sequence[ChatMessage], params: GenerationParams, model: str) -> tuple[str, dict[str, Any]]:
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
        return f"{self.base_url}/v1/messages", body

    def _read(self, event: SseEvent, tally: StreamTally) -> Iterator[StreamEvent]:
        payload = self.parse(event.data)
        kind = payload.get("type", event.event)
        if kind == "message_start":
            message = payload.get("message") or {}
            tally.model = message.get("model") or tally.model
            tally.prompt_tokens = int((message.get("usage") or {}).get("input_tokens", 0))
        elif kind == "content_block_delta":
            delta = payload.get("delta") or {}
            if delta.get("type") == "text_delta" and delta.get("text"):
                yield TextDelta(delta["text"])
        elif kind == "message_delta":
            stop = (payload.get("delta") or {}).get("stop_reason")
            if stop:
                tally.reason = self.finish_reason(stop)
            tally.completion_tokens = int((payload.get("usage") or {}).get("output_tokens", tally.completion_tokens))
        elif kind == "error":
            error = payload.get("error") or {}
            raise LlmUnavailable(f"anthropic stream failed: {str(error.get('type', 'error'))[:100]}")
        elif kind == "message_stop":
            tally.ended = True

    async def count_tokens(self, text: str, model: str = "") -> int:
        found = await self.transport.post_json(
            f"{self.base_url}/v1/messages/count_tokens",
            {"model": model or self.default_model, "messages": [{"role": "user", "content": text}]},
            self._headers(),
        )
        if not isinstance(found, dict) or "input_tokens" not in found:
            raise LlmUnavailable("anthropic count_tokens answered without input_tokens")
        return int(found["input_tokens"])
