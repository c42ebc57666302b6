"""Plain values passed across the LLM seam: messages in, a stream of text deltas and one finish out."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """What one completion asks for; `model` empty means the provider's configured default."""

    model: str = ""
    temperature: float = 0.2
    max_tokens: int = 512


class FinishReason(enum.StrEnum):
    STOP = "stop"
    LENGTH = "length"
    CANCELLED = "cancelled"
    FILTERED = "filtered"


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Finished:
    reason: FinishReason
    usage: Usage
    model: str


StreamEvent = TextDelta | Finished


class LlmError(Exception):
    """Base of what the seam raises; the message is safe to show (bounded, no secrets)."""


class LlmUnavailable(LlmError):
    """The provider cannot be reached or keeps failing (5xx, 429 after retries, timeouts)."""


class LlmRejected(LlmError):
    """The provider refused the request itself (a 4xx other than 429): retrying will not help."""
