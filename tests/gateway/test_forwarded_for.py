"""The client address the services see behind the gateway.

The Auth service rate-limits per client address and, when the peer is the local Envoy, takes
it from the last `x-forwarded-for` entry (services/auth/handlers.py `client_of`). So Envoy must
append the downstream address to x-forwarded-for, whatever the client sent. (For a loopback
client Envoy appends its own host address rather than 127.0.0.1.)
"""

from __future__ import annotations

import ipaddress

import httpx

from tests.gateway.echo import EchoServer

SPOOFED = "203.0.113.9"


async def _last_forwarded(echo: EchoServer, client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    echo.calls.clear()
    response = await client.get("/auth/v1/config", headers=headers)
    assert response.status_code == 200
    assert len(echo.calls) == 1
    return echo.calls[0].metadata.get("x-forwarded-for", "").split(",")[-1].strip()


async def test_upstream_sees_the_real_client_address(echo: EchoServer, echo_http: httpx.AsyncClient) -> None:
    plain = await _last_forwarded(echo, echo_http, {})
    spoofing = await _last_forwarded(echo, echo_http, {"x-forwarded-for": SPOOFED})
    assert plain, "no x-forwarded-for reached the service: every client shares Envoy's 127.0.0.1 rate-limit bucket"
    ipaddress.ip_address(plain)
    assert spoofing != SPOOFED, "a client chooses the address the service rate-limits"
    assert spoofing == plain
