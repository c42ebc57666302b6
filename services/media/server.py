"""Wiring for Media: the object store, the Billing seam and the use cases, from shared dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marquee.media.v1 import media_pb2_grpc

from services.core import redis_store
from services.core.idempotency import Idempotency
from services.core.operations_service import Operations
from services.core.server import ServiceRegistration
from services.core.storage import Storage, StorageSettings
from services.media.billing_client import BillingClient
from services.media.catalog_client import CatalogClient
from services.media.gate import SegmentGate
from services.media.handlers import MediaHandlers
from services.media.models import MEDIA_OPERATIONS
from services.media.settings import MediaSettings
from services.media.usecases import MediaUseCases
from services.worker import create_celery

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.media.v1.MediaService"


def registration(deps: Dependencies) -> ServiceRegistration:
    settings = deps.settings_for(MediaSettings)
    storage = Storage.from_settings(deps.settings_for(StorageSettings), deps.settings)
    billing = BillingClient(lambda: deps.peers.channel("billing"), deps.peers.metadata)
    async_redis = redis_store.connect_async(deps.settings.redis_url)  # its own: closed with the service
    operations = Operations(
        MEDIA_OPERATIONS, deps.database, deps.page_tokens, redis_url=deps.settings.redis_url,
        celery=create_celery(deps.settings, register=False),
    )  # fmt: skip
    usecases = MediaUseCases(
        deps.database, storage, deps.page_tokens, billing, async_redis, settings, operations,
        gate_key=deps.settings.secret_key.get_secret_value().encode(),
        catalog=CatalogClient(lambda: deps.peers.channel("catalog")),
    )  # fmt: skip
    handlers = MediaHandlers(usecases, Idempotency(deps.redis))
    gate = SegmentGate(usecases, settings.media_gate_address, settings.media_gate_public_url)

    async def close() -> None:
        await gate.close()
        storage.close()
        await operations.close()
        await async_redis.aclose()

    return ServiceRegistration(
        FULL_NAME,
        lambda server: media_pb2_grpc.add_MediaServiceServicer_to_server(handlers, server),
        close=close,
        start=gate.start,
    )
