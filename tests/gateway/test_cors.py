"""CORS at the gateway: only the configured origin (http://app.test) may call from a browser."""

from __future__ import annotations

import httpx
import pytest

from tests.gateway.helpers import APP_ORIGIN

EVIL_ORIGIN = "http://evil.test"
GRPC_WEB_PATH = "/marquee.auth.v1.AuthService/GetAuthConfig"
JSON_PATH = "/auth/v1/users/me"


def _list(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",") if item.strip()}


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization,content-type,x-grpc-web",
    }


@pytest.mark.parametrize(("path", "method"), [(GRPC_WEB_PATH, "POST"), (JSON_PATH, "PATCH")])
async def test_preflight_from_the_allowed_origin(http: httpx.AsyncClient, path: str, method: str) -> None:
    response = await http.options(path, headers=preflight(APP_ORIGIN, method))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert {"get", "post", "patch", "delete"} <= _list(response.headers["access-control-allow-methods"])
    assert {"authorization", "content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"} <= _list(
        response.headers["access-control-allow-headers"]
    )
    assert {"grpc-status", "grpc-message", "grpc-status-details-bin"} <= _list(response.headers["access-control-expose-headers"])
    assert response.headers["access-control-max-age"] == "86400"
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize("path", [GRPC_WEB_PATH, JSON_PATH])
async def test_preflight_from_another_origin_is_not_allowed(http: httpx.AsyncClient, path: str) -> None:
    response = await http.options(path, headers=preflight(EVIL_ORIGIN))
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-methods" not in response.headers
    assert "access-control-allow-headers" not in response.headers


async def test_simple_request_from_the_allowed_origin(http: httpx.AsyncClient) -> None:
    response = await http.get("/auth/v1/config", headers={"origin": APP_ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "grpc-status" in _list(response.headers["access-control-expose-headers"])


async def test_simple_request_from_another_origin_gets_no_cors_headers(http: httpx.AsyncClient) -> None:
    response = await http.get("/auth/v1/config", headers={"origin": EVIL_ORIGIN})
    assert response.status_code == 200  # the browser, not the gateway, withholds the answer
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-expose-headers" not in response.headers


async def test_error_replies_carry_cors_headers(http: httpx.AsyncClient) -> None:
    """A browser can read a failure only if it carries the allow-origin header too."""
    service_error = await http.get(JSON_PATH, headers={"origin": APP_ORIGIN})
    assert service_error.status_code == 401
    assert service_error.headers["access-control-allow-origin"] == APP_ORIGIN
    gateway_error = await http.get("/auth/v1/nothing/here", headers={"origin": APP_ORIGIN})
    assert gateway_error.status_code == 404
    assert gateway_error.headers["access-control-allow-origin"] == APP_ORIGIN
