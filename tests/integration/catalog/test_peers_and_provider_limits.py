"""Catalog against the metadata provider's limits. (Its peers, Billing and Tracking, are tested for real
in tests/integration/billing/test_across_services.py.)"""

from __future__ import annotations

import uuid
from typing import Any

import grpc
from marquee.catalog.v1 import catalog_pb2 as pb
from marquee.catalog.v1 import catalog_pb2_grpc
from pydantic import SecretStr

from services.app import Dependencies, build_server
from services.catalog.settings import CatalogSettings
from services.core.settings import Settings
from tests.integration.catalog.conftest import expect, fails
from tests.support.tmdb_standin import TmdbStandin


async def test_client_side_rate_limit_and_bearer_key(
    catalog_settings: Settings, tmdb_settings: CatalogSettings, admin: Any, tmdb: TmdbStandin
) -> None:
    limited = tmdb_settings.model_copy(
        update={"tmdb_requests_per_window": 2, "tmdb_window_seconds": 60.0, "tmdb_api_key": SecretStr("header.payload.sig")}
    )
    deps = Dependencies.build(catalog_settings, limited)
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            client = catalog_pb2_grpc.CatalogServiceStub(channel)
            for _ in range(2):
                await client.SearchProvider(pb.SearchProviderRequest(query=f"q{uuid.uuid4().hex[:6]}"), metadata=admin)
            _, query, headers = tmdb.requests[-1]
            assert headers.get("Authorization") == "Bearer header.payload.sig"
            assert "api_key" not in query
            error = await fails(client.SearchProvider(pb.SearchProviderRequest(query="one more"), metadata=admin))
            expect(error, grpc.StatusCode.RESOURCE_EXHAUSTED, "PROVIDER_RATE_LIMITED")
            assert error.retry is not None
            assert error.retry.retry_delay.seconds > 2
    finally:
        await running.stop(0)
