"""Errors as HTTP clients see them through Envoy: one JSON google.rpc.Status shape, the right HTTP
status, the service's ErrorInfo (or the gateway's for Envoy's own replies)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import grpc
import httpx
import pytest
import redis
from google.protobuf.descriptor import FieldDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.process import EnvoyProcess
from services.core.server import Server
from services.core.settings import Settings
from tests.gateway.bindings import build, http_rules
from tests.gateway.echo import EchoServer, marquee_methods, method_path
from tests.gateway.helpers import BAD_REQUEST, ERROR_INFO, GATEWAY_DOMAIN, RETRY_INFO, detail, error_info, raw_request

PASSWORD = "Tulip-Harbour-2291"


def unique_email() -> str:
    return f"gw-{uuid.uuid4().hex[:12]}@example.test"


def assert_status(response: httpx.Response, http_status: int, code: int, reason: str, domain: str) -> dict[str, Any]:
    """The response is a JSON google.rpc.Status with this HTTP status, code and ErrorInfo."""
    assert response.status_code == http_status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    info = error_info(body)
    assert (info["reason"], info["domain"]) == (reason, domain), info
    return body


async def register(http: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/auth/v1/users:register", json={"email": email or unique_email(), "password": password})


async def registered_token(http: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    response = await register(http)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["tokens"]["accessToken"], body["user"]


async def test_weak_password_is_400_with_bad_request(http: httpx.AsyncClient) -> None:
    body = assert_status(await register(http, password="password123"), 400, 3, "WEAK_PASSWORD", "marquee.auth")
    violations = detail(body, BAD_REQUEST)["fieldViolations"]
    assert [v["field"] for v in violations] == ["password"]
    assert violations[0]["description"]


async def test_bad_bearer_token_is_401_token_invalid(http: httpx.AsyncClient) -> None:
    response = await http.get("/auth/v1/users/me", headers={"authorization": "Bearer not.a.token"})
    assert_status(response, 401, 16, "TOKEN_INVALID", "marquee.auth")


async def test_missing_token_is_401_token_missing(http: httpx.AsyncClient) -> None:
    assert_status(await http.get("/auth/v1/users/me"), 401, 16, "TOKEN_MISSING", "marquee.auth")


async def test_user_listing_users_is_403_role_required(http: httpx.AsyncClient) -> None:
    token, _ = await registered_token(http)
    response = await http.get("/auth/v1/users", headers={"authorization": f"Bearer {token}"})
    body = assert_status(response, 403, 7, "ROLE_REQUIRED", "marquee.auth")
    assert error_info(body)["metadata"] == {"required_role": "admin"}


async def test_unknown_route_is_404_from_the_gateway(http: httpx.AsyncClient) -> None:
    response = await http.get("/auth/v1/nothing/here")
    assert_status(response, 404, 5, "ROUTE_NOT_FOUND", GATEWAY_DOMAIN)


async def test_unknown_query_parameter_is_400_from_the_gateway(http: httpx.AsyncClient) -> None:
    response = await http.get("/auth/v1/config", params={"colour": "red"})
    body = assert_status(response, 400, 3, "INVALID_REQUEST", GATEWAY_DOMAIN)
    assert "colour" in body["message"]


async def test_register_twice_is_409_email_taken(http: httpx.AsyncClient) -> None:
    email = unique_email()
    assert (await register(http, email)).status_code == 200
    assert_status(await register(http, email.upper()), 409, 6, "EMAIL_TAKEN", "marquee.auth")


async def test_sixth_login_in_a_minute_is_429_with_retry_info(http: httpx.AsyncClient, settings: Settings) -> None:
    """Five wrong passwords, then the sixth attempt is refused. Other test sessions may share this
    Redis and wipe (or fill) the rate-limit windows; such a round is detected and run again."""
    store = redis.Redis.from_url(settings.redis_url)
    try:
        for _ in range(3):
            _, user = await registered_token(http)
            wrong = {"email": user["email"], "password": "Wrong-Password-0000"}
            first_five = [await http.post("/auth/v1/sessions:login", json=wrong) for _ in range(5)]
            if any(a.status_code == 429 for a in first_five):
                continue  # the shared per-client window was already full
            for attempt in first_five:
                assert_status(attempt, 401, 16, "INVALID_CREDENTIALS", "marquee.auth")
            if store.zcard(f"marquee:ratelimit:login:account:{user['email']}") != 5:
                continue  # the window was wiped by another session
            sixth = await http.post("/auth/v1/sessions:login", json=wrong)
            body = assert_status(sixth, 429, 8, "RATE_LIMITED", "marquee.auth")
            assert error_info(body)["metadata"]["scope"] in ("account", "client")
            delay = detail(body, RETRY_INFO)["retryDelay"]
            assert delay.endswith("s"), delay
            assert 0 < float(delay.removesuffix("s")) <= 60, delay
            return
        pytest.fail("the rate-limit windows kept being disturbed by another session")
    finally:
        store.close()


async def test_upstream_internal_error_is_500(echo_http: httpx.AsyncClient) -> None:
    response = await echo_http.get("/catalog/v1/titles/echo-abort-INTERNAL")
    body = assert_status(response, 500, 13, "ECHO_ABORTED", "marquee.echo")
    assert body["message"] == "echo aborted /marquee.catalog.v1.CatalogService/GetTitle with INTERNAL"


async def test_unimplemented_is_501(echo_http: httpx.AsyncClient) -> None:
    response = await echo_http.get("/catalog/v1/titles/echo-abort-UNIMPLEMENTED")
    assert_status(response, 501, 12, "ECHO_ABORTED", "marquee.echo")


async def test_huge_json_body_is_413_and_the_server_stays_healthy(
    http: httpx.AsyncClient, gateway: EnvoyProcess, server: Server
) -> None:
    huge = b'{"email":"' + b"x" * (10 * 1024 * 1024) + b'@example.test","password":"' + PASSWORD.encode() + b'"}'
    # Envoy answers as soon as the buffer limit is passed and then resets the connection, so the
    # body is written while the reply is read (httpx writes everything first and sees the reset).
    reply = await raw_request(
        gateway.url, "POST", "/auth/v1/users:register", headers={"content-type": "application/json"}, body=huge
    )
    assert reply.status == 413
    assert reply.headers["content-type"] == "application/json"
    body = json.loads(reply.body)
    assert body["code"] == 8
    assert error_info(body) == {"@type": ERROR_INFO, "reason": "BODY_TOO_LARGE", "domain": GATEWAY_DOMAIN}

    assert (await http.get("/auth/v1/config")).status_code == 200
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        reply_health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    assert reply_health.status == health_pb2.HealthCheckResponse.SERVING


async def test_authorization_header_reaches_the_service(http: httpx.AsyncClient) -> None:
    token, user = await registered_token(http)
    response = await http.get("/auth/v1/users/me", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == user["email"]
    assert response.json()["user"]["name"] == user["name"]


async def test_clients_see_camel_case_json(http: httpx.AsyncClient, settings: Settings) -> None:
    response = await http.get("/auth/v1/config")
    assert response.status_code == 200
    body = response.json()
    assert body["registrationOpen"] is True
    assert body["accessTokenTtl"] == f"{settings.access_token_ttl_seconds}s"
    assert body["issuer"] == settings.jwt_issuer
    assert set(body["passwordPolicy"]) >= {"minLength", "maxLength"}
    assert "jwksUri" in body
    assert not any("_" in key for key in body), body


async def test_register_response_uses_json_names(http: httpx.AsyncClient) -> None:
    response = await register(http)
    assert response.status_code == 200
    tokens = response.json()["tokens"]
    assert {"accessToken", "refreshToken", "tokenType", "accessTokenExpireTime"} <= set(tokens)
    assert tokens["tokenType"] == "Bearer"
    # A Duration in seconds; the second or so spent hashing the password (more on a loaded machine) is gone.
    assert tokens["accessTokenExpiresIn"].endswith("s")
    assert 880 <= int(tokens["accessTokenExpiresIn"].removesuffix("s")) <= 900


INT64_TYPES = (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64)


async def test_int64_travels_as_a_json_string(echo: EchoServer, echo_http: httpx.AsyncClient) -> None:
    """Clients send int64 as JSON strings (beyond 2^53 a JSON number would lose digits); the
    service gets the exact value. Responses do the same (see test_streaming: `"sequence": "1"`)."""
    method, rule, int64 = next(
        (method, rule, field)
        for method in marquee_methods()
        for rule in http_rules(method)
        if rule.body == "*"
        for field in method.input_type.fields
        if field.type in INT64_TYPES and field.label != FieldDescriptor.LABEL_REPEATED
    )
    request = build(method, rule)
    echo.calls.clear()
    response = await echo_http.request(request.verb, request.path, json={int64.json_name: "9007199254740993"})
    assert response.status_code == 200, response.text
    assert [call.method for call in echo.calls] == [method_path(method)]
    assert getattr(echo.calls[0].request, int64.name) == 9007199254740993
