"""Several `marquee serve` processes behind one Envoy: calls go only to upstreams whose
grpc.health.v1 says SERVING, so a process that is stopping (NOT_SERVING first) is drained."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from grpc_health.v1 import health_pb2

from gateway.envoy import GatewayConfig, Upstream
from gateway.process import EnvoyProcess
from tests.gateway.echo import EchoServer, start_echo_server


@pytest.fixture
async def two_upstreams() -> AsyncIterator[tuple[EchoServer, EchoServer]]:
    first, second = await start_echo_server(), await start_echo_server()
    yield first, second
    await first.server.stop(0)
    await second.server.stop(0)


async def _spread(client: httpx.AsyncClient, upstreams: tuple[EchoServer, EchoServer], calls: int) -> list[int]:
    for upstream in upstreams:
        upstream.calls.clear()
    for _ in range(calls):
        response = await client.get("/auth/v1/config")
        assert response.status_code == 200, response.text
    return [len(upstream.calls) for upstream in upstreams]


async def _until_spread(
    client: httpx.AsyncClient, upstreams: tuple[EchoServer, EchoServer], wanted: Callable[[list[int]], bool]
) -> list[int]:
    """Spread rounds of calls until one comes out as wanted (Envoy's workers see a health change
    a few health-check intervals after it happens); fails after 10 s."""
    async with asyncio.timeout(10):
        while True:
            spread = await _spread(client, upstreams, 20)
            if wanted(spread):
                return spread
            await asyncio.sleep(0.1)


async def test_calls_avoid_an_upstream_that_is_not_serving(
    two_upstreams: tuple[EchoServer, EchoServer], tmp_path: pathlib.Path
) -> None:
    first, second = two_upstreams
    config = GatewayConfig(
        listen_host="127.0.0.1", listen_port=0, admin_port=0,
        upstreams=(Upstream("127.0.0.1", first.port), Upstream("127.0.0.1", second.port)),
        health_check_interval_seconds=0.2,
    )  # fmt: skip
    envoy = EnvoyProcess(config, tmp_path)
    await asyncio.to_thread(envoy.start)
    try:
        async with httpx.AsyncClient(base_url=envoy.url, timeout=10) as client:
            assert all(count > 0 for count in await _spread(client, two_upstreams, 20)), "round robin over both"
            await first.health.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
            await _until_spread(client, two_upstreams, lambda spread: spread == [0, 20])
            # Drained for good, not by chance: several more rounds all avoid it.
            assert [await _spread(client, two_upstreams, 20) for _ in range(3)] == [[0, 20]] * 3
            await first.health.set("", health_pb2.HealthCheckResponse.SERVING)
            await _until_spread(client, two_upstreams, lambda spread: all(count > 0 for count in spread))
    finally:
        await asyncio.to_thread(envoy.stop)
