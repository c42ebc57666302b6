"""Wiring for Ads: the use cases from shared dependencies, its own async Redis client and peer clients."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import redis.asyncio as aioredis
from marquee.ads.v1 import ads_pb2_grpc

from services.ads.billing_client import BillingClient
from services.ads.catalog_client import CatalogClient
from services.ads.counters import ServingCounters
from services.ads.domain import ImpressionTokens
from services.ads.geoip import GeoIP
from services.ads.handlers import AdsHandlers
from services.ads.media_client import MediaClient
from services.ads.settings import AdsSettings
from services.ads.usecases import AdsUseCases, Clock, system_clock
from services.core.server import ServiceRegistration

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.ads.v1.AdsService"


def build_usecases(deps: Dependencies, *, clock: Clock = system_clock, rng: random.Random | None = None) -> AdsUseCases:
    settings = deps.settings_for(AdsSettings)
    # A blocking pool: past its size a call waits for a free connection. The default pool raises
    # MaxConnectionsError (an INTERNAL to the caller) once 100 calls of one process wait on Redis at once.
    pool = aioredis.BlockingConnectionPool.from_url(deps.settings.redis_url, max_connections=64, timeout=10)
    counters = ServingCounters(
        aioredis.Redis.from_pool(pool),  # owns the pool: closing the client disconnects it
        campaign_cap=(settings.ads_campaign_max_impressions, settings.ads_campaign_cap_seconds),
    )
    peers = deps.peers
    return AdsUseCases(
        deps.database,
        counters,
        BillingClient(lambda: peers.channel("billing"), peers.metadata, cache_seconds=settings.ads_entitlements_cache_seconds),
        MediaClient(lambda: peers.channel("media"), peers.metadata),
        CatalogClient(lambda: peers.channel("catalog"), peers.metadata),
        ImpressionTokens(deps.settings.secret_key.get_secret_value().encode()),
        deps.page_tokens,
        settings,
        geoip=GeoIP(settings.ads_geoip_database) if settings.ads_geoip_database else None,
        clock=clock,
        rng=rng,
    )


def registration(deps: Dependencies, *, clock: Clock = system_clock, rng: random.Random | None = None) -> ServiceRegistration:
    usecases = build_usecases(deps, clock=clock, rng=rng)
    handlers = AdsHandlers(usecases, usecases.settings.ads_currency)

    async def close() -> None:
        await usecases.counters.close()
        if usecases.geoip is not None:
            usecases.geoip.close()

    return ServiceRegistration(
        FULL_NAME, lambda server: ads_pb2_grpc.add_AdsServiceServicer_to_server(handlers, server), close=close
    )
