"""Wiring for Notes: the use cases with their peers (Billing, Media), YouTube, the LLM seam and the job queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marquee.notes.v1 import notes_pb2_grpc

from services.core.embeddings import Embedder, EmbeddingSettings, build_embedder
from services.core.llm import LlmProvider, LlmSettings, build_provider
from services.core.server import ServiceRegistration
from services.notes.billing_client import BillingClient
from services.notes.handlers import NotesHandlers
from services.notes.media_client import MediaClient
from services.notes.model import SeamModel, TextModel
from services.notes.settings import NotesSettings
from services.notes.tasks import TASK_NAME
from services.notes.usecases import Deps, NotesUseCases
from services.notes.youtube import YouTubeClient

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.notes.v1.NotesService"


def build_usecases(deps: Dependencies, *, enqueue: Any = None) -> NotesUseCases:
    """The use cases over this process's peers; `enqueue(job_id)` sends a job to the Celery queue."""
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

    if enqueue is None:
        # A producer-only Celery app: it sends by task name and registers no tasks of its own.
        from celery import Celery

        from services.core import redis_store

        url = redis_store.celery_url(deps.settings.redis_url)
        celery = Celery("marquee-notes", broker=url, backend=url, set_as_current=False)
        celery.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True)

        async def enqueue(job_id: str) -> None:
            await deps.database.offload(
                lambda: celery.send_task(TASK_NAME, kwargs={"job_id": job_id}, queue=settings.notes_queue)
            )

    async def close() -> None:
        for found in provider:
            await found.aclose()
        for made in embedders:
            await made.aclose()

    cases = NotesUseCases(
        deps.database,
        settings,
        Deps(
            billing=BillingClient(lambda: deps.peers.channel("billing"), deps.peers.metadata),
            youtube=YouTubeClient(settings.notes_youtube_base_url, timeout=settings.notes_youtube_timeout_seconds),
            media=MediaClient(lambda: deps.peers.channel("media"), deps.peers.metadata),
            model=model,
            enqueue=enqueue,
            embedder=embedder,
            extra={"close": close},
        ),
    )
    return cases


def registration(deps: Dependencies) -> ServiceRegistration:
    handlers = NotesHandlers(build_usecases(deps), deps.page_tokens)
    return ServiceRegistration(FULL_NAME, lambda server: notes_pb2_grpc.add_NotesServiceServicer_to_server(handlers, server))
