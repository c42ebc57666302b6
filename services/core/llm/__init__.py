"""The LLM seam shared by Chat and Notes: streaming chat completions from a configured provider.

`build_provider(LlmSettings)` gives the embedded GGUF model, an OpenAI-compatible API or Anthropic's
Messages API; all three stream `TextDelta`s and one `Finished`, and count tokens with the model's own
tokenizer.
"""

from services.core.llm.provider import LlmProvider, build_provider
from services.core.llm.settings import LlmProviderKind, LlmSettings
from services.core.llm.types import (
    ChatMessage,
    Finished,
    FinishReason,
    GenerationParams,
    LlmError,
    LlmRejected,
    LlmUnavailable,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
)

__all__ = [
    "ChatMessage",
    "FinishReason",
    "Finished",
    "GenerationParams",
    "LlmError",
    "LlmProvider",
    "LlmProviderKind",
    "LlmRejected",
    "LlmSettings",
    "LlmUnavailable",
    "Role",
    "StreamEvent",
    "TextDelta",
    "Usage",
    "build_provider",
]
