"""Wiring for Notes: the use cases with their peers (Billing, Media), YouTube, the LLM seam, the
shared operation store and the job queue."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import grpc
from marquee.notes.v1 import notes_pb2_grpc

from services.core.embeddings import Embedder, EmbeddingSettings, build_embedder
from services.core.llm import LlmProvider, LlmProviderKind, LlmSettings, build_provider
from services.core.operations_service import Operations
from services.core.server import ServiceRegistration
from services.notes import mapping
from services.notes.billing_client import BillingClient
from services.notes.handlers import NotesHandlers
from services.notes.media_client import MediaClient
from services.notes.model import SeamModel, TextModel
from services.notes.models import NOTES_OPERATIONS
from services.notes.settings import NotesSettings
from services.notes.usecases import Deps, NotesUseCases
from services.notes.youtube import YouTubeClient

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.notes.v1.NotesService"


class _LazyCelery:
    """A producer-only Celery app, made on the first send (a worker's use cases never send)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps
        self._app: Any = None

    def send_task(self, name: str, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        if self._app is None:
            from services.worker import create_celery

            self._app = create_celery(self._deps.settings, register=False)
        return self._app.send_task(name, args=args, kwargs=kwargs, **options)


def build_usecases(deps: Dependencies) -> NotesUseCases:
    """The use cases over this process's peers, the model seam and Notes' operations."""
    settings = deps.settings_for(NotesSettings)
    provider: list[LlmProvider] = []
    embedders: list[Embedder] = []

    def embedder() -> Embedder:
        if not embedders:
            embedders.append(build_embedder(deps.settings_for(EmbeddingSettings)))
        return embedders[0]

    def model() -> TextModel:
        if not provider:
            provider.append(build_provider(deps.settings_for(LlmSettings)))
        return SeamModel(provider[0])

    async def close() -> None:
        for found in provider:
            await found.aclose()
        for made in embedders:
            await made.aclose()

    operations = Operations(
        NOTES_OPERATIONS, deps.database, deps.page_tokens, redis_url=deps.settings.redis_url, celery=_LazyCelery(deps)
    )
    return NotesUseCases(
        deps.database,
        settings,
        Deps(
            billing=BillingClient(lambda: deps.peers.channel("billing"), deps.peers.metadata),
            youtube=YouTubeClient(settings.notes_youtube_base_url, timeout=settings.notes_youtube_timeout_seconds),
            media=MediaClient(lambda: deps.peers.channel("media"), deps.peers.metadata),
            model=model,
            describe=mapping.job_metadata,
            place=mapping.place,
            note_response=mapping.note_pb,
            quiz_response=lambda quiz: mapping.quiz_pb(quiz, with_answers=False),
            embedder=embedder,
            extra={"close": close},
        ),
        operations,
        extractive_fallback=extractive_fallback(settings, deps.settings_for(LlmSettings)),
    )


def extractive_fallback(settings: NotesSettings, llm: LlmSettings) -> bool:
    if settings.notes_extractive_fallback == "auto":
        return llm.llm_provider is LlmProviderKind.LOCAL
    return settings.notes_extractive_fallback == "on"


def registration(deps: Dependencies) -> ServiceRegistration:
    cases = build_usecases(deps)
    handlers = NotesHandlers(cases, deps.page_tokens)

    async def close() -> None:
        await cases.refunds.stop()
        await cases.operations.close()
        extra = cases.deps.extra.get("close")
        if callable(extra):
            await extra()

    def attach(server: grpc.aio.Server) -> None:
        notes_pb2_grpc.add_NotesServiceServicer_to_server(handlers, server)
        # Servers are built inside the event loop that serves them; the outbox's rounds start once it runs on.
        asyncio.get_running_loop().call_soon(cases.refunds.start)

    return ServiceRegistration(FULL_NAME, attach, close=close)
