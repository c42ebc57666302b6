"""The HTTP LLM providers against a local stand-in speaking OpenAI's and Anthropic's streaming protocols."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from services.core.llm import (
    ChatMessage,
    Finished,
    FinishReason,
    GenerationParams,
    LlmRejected,
    LlmSettings,
    LlmUnavailable,
    Role,
    TextDelta,
    build_provider,
)
from services.core.llm.http import sse_events
from services.core.llm.provider import LlmProvider
from tests.support.llm_standin import LlmStandin

QUESTION = [ChatMessage(Role.SYSTEM, "Be brief."), ChatMessage(Role.USER, "What is a watchlist?")]
ANSWER = "A watchlist keeps the titles you plan to watch [1]."


@pytest.fixture
def standin() -> Iterator[LlmStandin]:
    with LlmStandin(reply=lambda messages: ANSWER) as running:
        yield running


def provider_for(standin: LlmStandin, kind: str, **extra: Any) -> LlmProvider:
    url = standin.openai_url if kind == "openai" else standin.anthropic_url
    settings = LlmSettings(
        llm_provider=kind, llm_base_url=url, llm_model="test-model", llm_api_key="sk-test", llm_retry_base_seconds=0.01, **extra
    )
    return build_provider(settings)


async def collect(provider: LlmProvider, params: GenerationParams | None = None) -> tuple[str, Finished]:
    text, finished = [], None
    async for event in provider.stream_chat(QUESTION, params or GenerationParams()):
        if isinstance(event, TextDelta):
            assert finished is None, "no text after the finish"
            text.append(event.text)
        else:
            finished = event
    assert finished is not None
    return "".join(text), finished


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_streams_the_answer_with_usage(standin: LlmStandin, kind: str) -> None:
    provider = provider_for(standin, kind)
    text, finished = await collect(provider)
    await provider.aclose()
    assert text == ANSWER
    assert finished.reason is FinishReason.STOP
    assert finished.usage.completion_tokens == len(ANSWER.split())
    assert finished.usage.prompt_tokens > 0
    assert finished.model == "test-model"
    path, body, headers = standin.requests[-1]
    if kind == "openai":
        assert path == "/v1/chat/completions"
        assert headers["authorization"] == "Bearer sk-test"
        assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    else:
        assert path == "/v1/messages"
        assert headers["x-api-key"] == "sk-test"
        assert headers["anthropic-version"] == "2023-06-01"
        assert body["system"] == "Be brief."
        assert [m["role"] for m in body["messages"]] == ["user"]


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_max_tokens_ends_with_length(standin: LlmStandin, kind: str) -> None:
    provider = provider_for(standin, kind)
    text, finished = await collect(provider, GenerationParams(max_tokens=3))
    await provider.aclose()
    assert finished.reason is FinishReason.LENGTH
    assert text == "A watchlist keeps "


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_retries_429_and_5xx_then_succeeds(standin: LlmStandin, kind: str) -> None:
    standin.fail_next(429, headers={"retry-after": "0"})
    standin.fail_next(503)
    provider = provider_for(standin, kind)
    text, _ = await collect(provider)
    await provider.aclose()
    assert text == ANSWER
    assert len(standin.requests) == 3


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_gives_up_after_the_retries(standin: LlmStandin, kind: str) -> None:
    standin.fail_next(500, times=3)
    provider = provider_for(standin, kind, llm_max_retries=2)
    with pytest.raises(LlmUnavailable, match="500 after 3 attempts"):
        await collect(provider)
    await provider.aclose()
    assert len(standin.requests) == 3


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_a_client_error_is_not_retried(standin: LlmStandin, kind: str) -> None:
    standin.fail_next(400)
    provider = provider_for(standin, kind)
    with pytest.raises(LlmRejected, match="400"):
        await collect(provider)
    await provider.aclose()
    assert len(standin.requests) == 1


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_an_error_mid_stream_raises_after_the_text_so_far(standin: LlmStandin, kind: str) -> None:
    standin.mid_stream_error = True
    provider = provider_for(standin, kind)
    seen: list[str] = []

    async def consume() -> None:
        async for event in provider.stream_chat(QUESTION, GenerationParams()):
            if isinstance(event, TextDelta):
                seen.append(event.text)

    with pytest.raises(LlmUnavailable, match="stream failed"):
        await consume()
    await provider.aclose()
    assert 0 < len(seen) < len(ANSWER.split())


async def test_unreachable_provider_is_unavailable() -> None:
    settings = LlmSettings(
        llm_provider="openai", llm_base_url="http://127.0.0.1:1/v1", llm_max_retries=1, llm_retry_base_seconds=0.01
    )
    provider = build_provider(settings)
    with pytest.raises(LlmUnavailable, match="unreachable"):
        await collect(provider)
    await provider.aclose()


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_closing_the_stream_closes_the_connection(kind: str) -> None:
    with LlmStandin(reply=lambda messages: "word " * 200, token_delay=0.01) as slow:
        provider = provider_for(slow, kind)
        stream = provider.stream_chat(QUESTION, GenerationParams(max_tokens=1000))
        seen = 0
        async for event in stream:
            seen += isinstance(event, TextDelta)
            if seen == 3:
                break
        await stream.aclose()  # type: ignore[attr-defined]
        await asyncio.to_thread(slow.disconnected.wait, 5)
        await provider.aclose()
        assert slow.disconnects == 1
        assert slow.completed_streams == 0


async def test_cancelling_the_task_stops_the_model_call() -> None:
    with LlmStandin(reply=lambda messages: "word " * 500, token_delay=0.01) as slow:
        provider = provider_for(slow, "openai")
        first = asyncio.Event()

        async def consume() -> None:
            async for _ in provider.stream_chat(QUESTION, GenerationParams(max_tokens=1000)):
                first.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(first.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.to_thread(slow.disconnected.wait, 5)
        await provider.aclose()
        assert slow.disconnects == 1


async def test_concurrency_limit_per_provider() -> None:
    active = peak = 0
    lock = asyncio.Lock()
    with LlmStandin(reply=lambda messages: "one two three four", token_delay=0.02) as slow:
        provider = provider_for(slow, "openai", llm_max_concurrency=2)

        async def one() -> None:
            nonlocal active, peak
            async for event in provider.stream_chat(QUESTION, GenerationParams()):
                if isinstance(event, TextDelta) and event.text.startswith("one"):
                    async with lock:
                        active += 1
                        peak = max(peak, active)
                if isinstance(event, Finished):
                    async with lock:
                        active -= 1

        await asyncio.gather(*(one() for _ in range(6)))
        await provider.aclose()
    assert peak == 2


async def test_token_counts_come_from_the_provider(standin: LlmStandin) -> None:
    openai = provider_for(standin, "openai", llm_tokenize_url=f"{standin.base_url}/tokenize")
    anthropic = provider_for(standin, "anthropic")
    assert await openai.count_tokens("four words right here") == 4
    assert await anthropic.count_tokens("three words here") == 3
    await openai.aclose()
    await anthropic.aclose()
    assert "/tokenize" in standin.paths()
    assert "/v1/messages/count_tokens" in standin.paths()


async def test_sse_parser_joins_data_lines_and_skips_comments() -> None:
    async def lines() -> Any:
        for line in [": keep-alive", "event: delta", "data: one", "data: two", "", "data: three", ""]:
            yield line

    events = [event async for event in sse_events(lines())]
    assert [(e.event, e.data) for e in events] == [("delta", "one\ntwo"), ("message", "three")]
