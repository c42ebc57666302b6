"""Wiring for Catalog: builds the servicer from shared dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marquee.catalog.v1 import catalog_pb2_grpc

from services.catalog.domain import CatalogDomain
from services.catalog.handlers import CatalogHandlers
from services.catalog.provider import TmdbClient
from services.core.idempotency import Idempotency
from services.core.ratelimit import RateLimiter
from services.core.server import ServiceRegistration

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.catalog.v1.CatalogService"


def registration(deps: Dependencies) -> ServiceRegistration:
    domain = CatalogDomain()
    handlers: CatalogHandlers
    provider = TmdbClient(
        deps.settings,
        RateLimiter(deps.redis),
        cache_get=lambda key: handlers._cache_get(key),
        cache_put=lambda key, body, ttl: handlers._cache_put(key, body, ttl),
    )
    handlers = CatalogHandlers(
        deps.settings, domain, deps.database, Idempotency(deps.redis), deps.page_tokens, deps.peers, deps.redis, provider
    )
    return ServiceRegistration(
        FULL_NAME,
        lambda server: catalog_pb2_grpc.add_CatalogServiceServicer_to_server(handlers, server),
        close=provider.close,
    )
