"""Chat's own settings (`MARQUEE_CHAT_*`); the model and the embeddings are the shared seams' settings."""

from __future__ import annotations

import pathlib
from typing import Literal

from pydantic import Field, SecretStr

from services.core.settings import Cidrs, ServiceSettings


class ChatSettings(ServiceSettings):
    chat_index_dir: pathlib.Path | None = Field(
        None, description="Where the embedded vector index lives; empty means $MARQUEE_DATA_DIR/chat/index."
    )
    chat_chunk_tokens: int = Field(200, ge=32, le=2000, description="Tokens per knowledge-base chunk (embedding tokenizer).")
    chat_chunk_overlap_tokens: int = Field(40, ge=0, le=500, description="Tokens each chunk repeats from the one before.")
    chat_top_k: int = Field(5, ge=1, le=50, description="Chunks retrieved for an answer.")
    chat_answer_score_threshold: float = Field(
        0.82,
        ge=0,
        le=1,
        description="Cosine similarity below which a chunk is not given to the model (0.82 suits multilingual-e5-small, "
        "whose unrelated pairs score about 0.7-0.8).",
    )
    chat_hybrid_alpha: float = Field(
        0.75, ge=0, le=1, description="Weight of the vector score against keywords (1 = vectors only)."
    )
    chat_history_tokens: int = Field(1500, ge=0, description="Tokens of earlier messages given to the model with a question.")
    chat_max_answer_tokens: int = Field(512, ge=16, le=8192, description="Longest answer generated.")
    chat_temperature: float = Field(0.2, ge=0, le=2, description="Default sampling temperature.")
    chat_max_document_chars: int = Field(2_000_000, ge=1000, description="Largest document text accepted.")
    chat_requests_per_minute: int = Field(30, ge=1, description="Answers (send or regenerate) a user may ask for per minute.")
    chat_unlimited_answers_at: int = Field(
        100_000, ge=1, description="A plan allowing at least this many answers a day is shown as unlimited."
    )
    chat_vector_store: Literal["local", "weaviate"] = Field(
        "local",
        description="Where chunk vectors are indexed: `local` (usearch HNSW + SQLite FTS5 in the index dir) or `weaviate`.",
    )
    chat_weaviate_url: str = Field("http://127.0.0.1:8080", description="Weaviate's REST address (http or https).")
    chat_weaviate_grpc_address: str = Field("127.0.0.1:50051", description="Weaviate's gRPC address, host:port.")
    chat_weaviate_grpc_secure: bool = Field(False, description="Use TLS on Weaviate's gRPC port.")
    chat_weaviate_api_key: SecretStr = Field(SecretStr(""), description="Weaviate API key; empty for an open server.")
    chat_weaviate_collection: str = Field(
        "MarqueeChatChunk", pattern=r"^[A-Z][A-Za-z0-9_]*$", description="The collection holding the chunks (created on start)."
    )
    chat_weaviate_timeout_seconds: float = Field(10.0, gt=0, le=300, description="Timeout of each Weaviate call.")
    chat_fetch_max_bytes: int = Field(
        20_000_000, ge=1000, description="Largest file fetched for a document ingested from a uri (the contract's 20 MB)."
    )
    chat_fetch_timeout_seconds: float = Field(20.0, gt=0, le=300, description="Timeout of fetching a document's uri.")
    chat_fetch_allow_private: bool = Field(
        False,
        description="Fetch documents from private, loopback, link-local (cloud metadata), multicast and other non-public "
        "addresses too; for on-prem setups whose knowledge lives on the inside network. Off: those are refused.",
    )
    chat_fetch_allowed_networks: Cidrs = Field(
        default_factory=list,
        description="CIDRs (comma separated, e.g. `10.20.0.0/16,127.0.0.1/32`) a document may be fetched from although "
        "they are not public; narrower than `chat_fetch_allow_private`.",
    )
