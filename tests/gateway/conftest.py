"""Gateway fixtures: real Envoys (port 0) in front of the session server and of an echo upstream."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.process import EnvoyProcess
from services.core.clients import gateway_token
from services.core.server import Server
from services.core.settings import Settings
from tests.gateway.echo import EchoServer, start_echo_server
from tests.gateway.helpers import APP_ORIGIN, running_gateway


@pytest.fixture(scope="package")
async def gateway(server: Server, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EnvoyProcess]:
    """Envoy in front of the real Marquee server, as `marquee up` runs it (the services trust its
    x-forwarded-for); only http://app.test may call it from a browser."""
    async with running_gateway(
        server.port, tmp_path_factory.mktemp("envoy"), cors_allowed_origins=(APP_ORIGIN,), gateway_token=gateway_token(settings)
    ) as envoy:
        yield envoy


@pytest.fixture(scope="package")
async def echo() -> AsyncIterator[EchoServer]:
    started = await start_echo_server()
    yield started
    await started.server.stop(0)


@pytest.fixture(scope="package")
async def echo_gateway(echo: EchoServer, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EnvoyProcess]:
    async with running_gateway(echo.port, tmp_path_factory.mktemp("envoy-echo")) as envoy:
        yield envoy


@pytest.fixture(scope="package")
async def http(gateway: EnvoyProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.url, timeout=15.0) as client:
        yield client


@pytest.fixture(scope="package")
async def echo_http(echo_gateway: EnvoyProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=echo_gateway.url, timeout=15.0) as client:
        yield client
