"""Wiring for Catalog: builds the servicer from shared dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marquee.catalog.v1 import catalog_pb2_grpc

from services.catalog.billing_client import BillingClient
from services.catalog.handlers import CatalogHandlers
from services.catalog.provider import TmdbClient
from services.catalog.settings import CatalogSettings
from services.catalog.tracking_client import TrackingClient
from services.catalog.usecases import CatalogUseCases, CatalogWork
from services.core.idempotency import Idempotency
from services.core.ratelimit import RateLimiter
from services.core.server import ServiceRegistration

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.catalog.v1.CatalogService"


def registration(deps: Dependencies) -> ServiceRegistration:
    catalog = deps.settings_for(CatalogSettings)
    use_cases = CatalogUseCases(
        CatalogWork(),
        deps.database,
        BillingClient(deps.peers, deps.redis_async),
        TrackingClient(deps.peers, deps.redis_async, cache_seconds=catalog.trending_cache_seconds),
    )
    provider = TmdbClient(
        catalog, RateLimiter(deps.redis), cache_get=use_cases.cached_response, cache_put=use_cases.cache_response
    )
    use_cases.provider = provider
    handlers = CatalogHandlers(use_cases, Idempotency(deps.redis_async), deps.page_tokens)
    return ServiceRegistration(
        FULL_NAME,
        lambda server: catalog_pb2_grpc.add_CatalogServiceServicer_to_server(handlers, server),
        close=provider.close,
    )
