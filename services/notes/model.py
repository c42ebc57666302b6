"""What note generation needs of a language model, over the shared LLM seam (`services/core/llm`):
one whole completion at a time with its token usage, and the model's own token count.

The seam streams; a note pass needs the whole JSON answer, so the deltas are joined here.
Cancelling the awaiting task closes the stream, which stops the model call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from services.core.errors import FailedPrecondition, Unavailable
from services.core.llm import (
    ChatMessage,
    Finished,
    FinishReason,
    GenerationParams,
    LlmProvider,
    LlmRejected,
    LlmUnavailable,
    Role,
    TextDelta,
)
from services.notes.transcripts import DOMAIN


@dataclass(frozen=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int
    model: str


class TextModel(Protocol):
    @property
    def name(self) -> str: ...

    async def complete(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> Completion: ...

    async def count_tokens(self, text: str) -> int: ...


def llm_unavailable(message: str) -> Unavailable:
    return Unavailable(message, reason="LLM_UNAVAILABLE", domain=DOMAIN, retry_after_seconds=30)


def content_rejected(message: str) -> FailedPrecondition:
    return FailedPrecondition(message, reason="CONTENT_REJECTED", domain=DOMAIN)


class SeamModel:
    """A `TextModel` over an `LlmProvider` (local GGUF, OpenAI-compatible or Anthropic)."""

    def __init__(self, provider: LlmProvider, *, temperature: float = 0.2) -> None:
        self._provider = provider
        self._temperature = temperature

    @property
    def name(self) -> str:
        return self._provider.default_model

    async def count_tokens(self, text: str) -> int:
        try:
            return await self._provider.count_tokens(text)
        except LlmUnavailable as exc:
            raise llm_unavailable(f"the model's tokenizer could not be reached: {str(exc)[:120]}") from None

    async def complete(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> Completion:
        chat = [ChatMessage(Role(m["role"]), m["content"]) for m in messages]
        params = GenerationParams(model="", temperature=self._temperature, max_tokens=max_tokens)
        parts: list[str] = []
        finished: Finished | None = None
        try:
            async for event in self._provider.stream_chat(chat, params):
                if isinstance(event, TextDelta):
                    parts.append(event.text)
                elif isinstance(event, Finished):
                    finished = event
        except LlmRejected as exc:
            raise llm_unavailable(f"the model refused the request: {str(exc)[:120]}") from None
        except LlmUnavailable as exc:
            raise llm_unavailable(f"the language model did not answer: {str(exc)[:120]}") from None
        if finished is not None and finished.reason == FinishReason.FILTERED:
            raise content_rejected("the model declined the content")
        usage = finished.usage if finished else None
        return Completion(
            text="".join(parts),
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            model=finished.model if finished and finished.model else self.name,
        )
