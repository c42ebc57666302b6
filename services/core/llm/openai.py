"""OpenAI-compatible chat completions (OpenAI, vLLM, Ollama, llama.cpp server), streamed over SSE."""

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
    StreamEvent,
    TextDelta,
    Usage,
)

_FINISH = {"stop": FinishReason.STOP, "length": FinishReason.LENGTH, "content_filter": FinishReason.FILTERED}


class OpenAICompatibleProvider:
    def __init__(self, settings: LlmSettings, transport: HttpTransport | None = None) -> None:
        if not settings.llm_base_url:
            raise ValueError("MARQUEE_LLM_BASE_URL is required for the openai provider")
        self.settings = settings
        self.transport = transport or HttpTransport(settings, "openai")
        self.base_url = settings.llm_base_url.rstrip("/")
        self._fallback_tokenizer: Any = None

    @property
    def name(self) -> str:
        return "openai"

    @property
    def default_model(self) -> str:
        return self.settings.llm_model

    def _headers(self) -> dict[str, str]:
        headers = {"accept": "text/event-stream"}
        key = self.settings.llm_api_key.get_secret_value()
        if key:
            headers["authorization"] = f"Bearer {key}"
        return headers

    async def stream_chat(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[StreamEvent]:
        model = params.model or self.default_model
        body = {
            "model": model,
            "messages": [{"role": str(m.role), "content": m.content} for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": params.temperature,
            "max_tokens": params.max_tokens,
        }
        reason: FinishReason | None = None
        usage = Usage()
        produced = 0
        async with self.transport.stream(f"{self.base_url}/chat/completions", body, self._headers()) as response:
            async for event in sse_events(response.aiter_lines()):
                if event.data.strip() == "[DONE]":
                    break
                chunk = _parse(event.data)
                if "error" in chunk:
                    raise LlmUnavailable(f"openai stream failed: {str(chunk['error'])[:200]}")
                for choice in chunk.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        produced += 1
                        yield TextDelta(text)
                    if choice.get("finish_reason"):
                        reason = _FINISH.get(choice["finish_reason"], FinishReason.STOP)
                if chunk.get("usage"):
                    usage = Usage(int(chunk["usage"].get("prompt_tokens", 0)), int(chunk["usage"].get("completion_tokens", 0)))
                model = chunk.get("model") or model
        if reason is None:
            raise LlmUnavailable("openai stream ended before a finish reason")
        if usage.completion_tokens == 0 and produced:
            usage = Usage(usage.prompt_tokens, produced)
        yield Finished(reason, usage, model)

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

    async def aclose(self) -> None:
        await self.transport.aclose()


def _parse(data: str) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise LlmUnavailable("openai stream sent malformed JSON") from exc
    if not isinstance(parsed, dict):
        raise LlmUnavailable("openai stream sent a non-object event")
    return parsed
