"""The seam itself: what every model provider offers, and the factory that picks one from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from services.core.llm.settings import LlmProviderKind, LlmSettings
from services.core.llm.types import ChatMessage, GenerationParams, StreamEvent


class LlmProvider(Protocol):
    """Streams chat completions. Closing the iterator (or cancelling its task) stops the model call."""

    @property
    def name(self) -> str:
        """The provider's kind, for logs and metrics."""
        ...

    @property
    def default_model(self) -> str: ...

    def stream_chat(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[StreamEvent]:
        """Text deltas as the model produces them, then exactly one `Finished`."""
        ...

    async def count_tokens(self, text: str, model: str = "") -> int:
        """Tokens in `text` by the model's own tokenizer."""
        ...

    async def aclose(self) -> None: ...


def build_provider(settings: LlmSettings) -> LlmProvider:
    """The provider the settings name. The local model loads lazily, on the first call that needs it."""
    if settings.llm_provider is LlmProviderKind.OPENAI:
        from services.core.llm.openai import OpenAICompatibleProvider

        return OpenAICompatibleProvider(settings)
    if settings.llm_provider is LlmProviderKind.ANTHROPIC:
        from services.core.llm.anthropic import AnthropicProvider

        return AnthropicProvider(settings)
    from services.core.llm.local import LocalGgufProvider

    return LocalGgufProvider(settings)
