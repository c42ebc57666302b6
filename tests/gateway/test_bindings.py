"""Every `google.api.http` binding of every marquee contract, through Envoy to an echo upstream.

Driven from the descriptors: a new RPC is covered without editing this file.
"""

from __future__ import annotations

import httpx
import pytest
from google.api import http_pb2
from google.protobuf.descriptor import MethodDescriptor

from gateway.envoy import marquee_services
from tests.gateway.bindings import BindingRequest, build, http_rules, value_at
from tests.gateway.echo import EchoServer, marquee_methods, marquee_service_descriptors, method_path
from tests.gateway.helpers import sse_json

CASES = [
    pytest.param(method, rule, id=method.full_name if index == 0 else f"{method.full_name}[{index}]")
    for method in marquee_methods()
    for index, rule in enumerate(http_rules(method))
]


def test_every_service_and_method_is_covered() -> None:
    assert [s.full_name for s in marquee_service_descriptors()] == marquee_services()
    methods = marquee_methods()
    assert len(methods) > 0
    unbound = [m.full_name for m in methods if not http_rules(m)]
    assert unbound == [], "every RPC has a google.api.http rule (protos/README.md)"
    assert len(CASES) >= len(methods)


async def _send(client: httpx.AsyncClient, request: BindingRequest) -> tuple[httpx.Response, bytes]:
    async with client.stream(
        request.verb, request.path, params=request.params, content=request.content, headers=request.headers
    ) as response:
        return response, await response.aread()


@pytest.mark.parametrize(("method", "rule"), CASES)
async def test_binding_reaches_its_method(
    method: MethodDescriptor, rule: http_pb2.HttpRule, echo: EchoServer, echo_http: httpx.AsyncClient
) -> None:
    request = build(method, rule)
    echo.calls.clear()

    response, body = await _send(echo_http, request)

    assert response.status_code == 200, f"{request.verb} {request.path} {request.params}: {body[:500]!r}"
    if request.streaming:
        assert response.headers["content-type"] == "text/event-stream"
        assert sse_json(body) == [{}]
    elif request.response_body:
        assert body == b""  # an empty google.api.HttpBody
    else:
        assert response.headers["content-type"] == "application/json"
        assert body == b"{}"
    assert [call.method for call in echo.calls] == [method_path(method)]
    received = echo.calls[0].request
    for field_path, value in request.expected:
        assert value_at(received, field_path) == value, f"{field_path} in {request.verb} {request.path} {request.params}"
