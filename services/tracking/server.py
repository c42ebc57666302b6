"""Wiring for Tracking: builds the Catalog seam, the use cases and the servicer from shared dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marquee.tracking.v1 import tracking_pb2_grpc

from services.core.idempotency import Idempotency
from services.core.server import ServiceRegistration
from services.tracking.catalog_client import CatalogClient
from services.tracking.handlers import TrackingHandlers
from services.tracking.usecases import TrackingUseCases

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.tracking.v1.TrackingService"


def registration(deps: Dependencies) -> ServiceRegistration:
    catalog = CatalogClient(lambda: deps.peers.channel("catalog"), deps.peers.metadata)
    usecases = TrackingUseCases(deps.database, catalog, max_message_bytes=deps.settings.max_message_bytes)
    handlers = TrackingHandlers(usecases, Idempotency(deps.redis_async), deps.page_tokens)
    return ServiceRegistration(
        FULL_NAME,
        lambda server: tracking_pb2_grpc.add_TrackingServiceServicer_to_server(handlers, server),
    )
