"""Wiring for Chat: the model, the embeddings, the vector index and Billing's seam from settings, then the servicer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marquee.chat.v1 import chat_pb2_grpc

from services.chat.allowance import AnswerCounter
from services.chat.billing_client import BillingClient
from services.chat.handlers import ChatHandlers
from services.chat.settings import ChatSettings
from services.chat.usecases import ChatUseCases
from services.core.embeddings import EmbeddingSettings, build_embedder
from services.core.llm import LlmSettings, build_provider
from services.core.ratelimit import RateLimiter
from services.core.server import ServiceRegistration

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.chat.v1.ChatService"


def registration(deps: Dependencies) -> ServiceRegistration:
    settings = deps.settings_for(ChatSettings)
    llm = build_provider(deps.settings_for(LlmSettings))
    embedder = build_embedder(deps.settings_for(EmbeddingSettings))
    index_dir = settings.chat_index_dir or deps.settings.data_dir / "chat" / "index"
    counter = AnswerCounter(deps.redis_async, RateLimiter(deps.redis))
    billing = BillingClient(lambda: deps.peers.channel("billing"), deps.peers.metadata)
    usecases = ChatUseCases(deps.database, settings, llm, embedder, index_dir, billing, counter)
    handlers = ChatHandlers(usecases, deps.page_tokens)

    async def close() -> None:
        await usecases.aclose()
        await llm.aclose()
        await embedder.aclose()

    return ServiceRegistration(
        FULL_NAME, lambda server: chat_pb2_grpc.add_ChatServiceServicer_to_server(handlers, server), close, usecases.start
    )
