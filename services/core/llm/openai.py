"""OpenAI-compatible chat completions (OpenAI, vLLM, Ollama, llama.cpp server), streamed over SSE."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from services.core.llm.http import SseEvent
from services.core.llm.streaming import SseChatProvider, StreamTally
from services.core.llm.types import ChatMessage, FinishReason, GenerationParams, LlmUnavailable, StreamEvent, TextDelta


class OpenAICompatibleProvider(SseChatProvider):
    kind: ClassVar[str] = "openai"
    # `finish_reason` of the last choice chunk.
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = dict(
        stop=FinishReason.STOP, length=FinishReason.LENGTH, content_filter=FinishReason.FILTERED
    )

    def _headers(self) -> dict[str, str]:
        headers = {"accept": "text/event-stream"}
        key = self.settings.llm_api_key.get_secret_value()
        if key:
            headers["authorization"] = f"Bearer {key}"
        return headers

    def _request(self, messages: Sequence[ChatMessage], params: GenerationParams, model: str) -> tuple[str, dict[str, Any]]:
        body = {
            "model": model,
            "messages": [{"role": str(m.role), "content": m.content} for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": params.temperature,
            "max_tokens": params.max_tokens,
        }
        return f"{self.base_url}/chat/completions", body

    def _read(self, event: SseEvent, tally: StreamTally) -> Iterator[StreamEvent]:
        if event.data.strip() == "[DONE]":
            tally.ended = True
            return
        chunk = self.parse(event.data)
        if "error" in chunk:
            raise LlmUnavailable(f"openai stream failed: {str(chunk['error'])[:200]}")
        for choice in chunk.get("choices") or []:
            text = (choice.get("delta") or {}).get("content")
            if text:
                yield TextDelta(text)
            if choice.get("finish_reason"):
                tally.reason = self.finish_reason(choice["finish_reason"])
        if chunk.get("usage"):
            tally.prompt_tokens = int(chunk["usage"].get("prompt_tokens", 0))
            tally.completion_tokens = int(chunk["usage"].get("completion_tokens", 0))
        tally.model = chunk.get("model") or tally.model

    async def count_tokens(self, text: str, model: str = "") -> int:
        if self.settings.llm_tokenize_url:
            found = await self.transport.post_json(
                self.settings.llm_tokenize_url,
                {"model": model or self.default_model, "prompt": text, "content": text},
                {k: v for k, v in self._headers().items() if k != "accept"},
            )
            if isinstance(found, dict) and "count" in found:
                return int(found["count"])
            if isinstance(found, dict) and isinstance(found.get("tokens"), list):
                return len(found["tokens"])
            raise LlmUnavailable("tokenize endpoint answered without a count")
        from services.core.llm.local import count_with_local_vocab

        return await count_with_local_vocab(self.settings, text)
