"""Percent-encoded path variables reach the services decoded (issue 10, item 10)."""

from __future__ import annotations

import uuid

import grpc
import httpx
import pytest
from marquee.catalog.v1 import catalog_pb2_grpc

from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, KeySet, TokenSigner
from tests.gateway.echo import EchoServer
from tests.integration.catalog.conftest import make_title
from tests.support.harness import bearer


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/catalog/v1/titles/slug%3Ademo-the-paper-compass", "titles/slug:demo-the-paper-compass"),
        ("/catalog/v1/titles/slug:demo-the-paper-compass", "titles/slug:demo-the-paper-compass"),
        ("/catalog/v1/titles/caf%C3%A9%20noir", "titles/café noir"),
    ],
)
async def test_path_variables_arrive_decoded(path: str, name: str, echo: EchoServer, echo_http: httpx.AsyncClient) -> None:
    echo.calls.clear()
    response = await echo_http.get(path)
    assert response.status_code == 200, response.text
    assert [call.request.name for call in echo.calls] == [name]  # type: ignore[attr-defined]


async def test_an_encoded_slash_does_not_add_a_segment(echo: EchoServer, echo_http: httpx.AsyncClient) -> None:
    echo.calls.clear()
    response = await echo_http.get("/catalog/v1/titles/a%2Fb")
    assert response.status_code == 200, response.text
    assert [call.request.name for call in echo.calls] == ["titles/a%2Fb"]  # type: ignore[attr-defined]


async def test_an_encoded_slug_finds_the_real_title(
    http: httpx.AsyncClient, channel: grpc.aio.Channel, settings: Settings
) -> None:
    signer = TokenSigner.from_settings(settings, KeySet.from_settings(settings))
    token, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=ROLE_ADMIN)
    stub = catalog_pb2_grpc.CatalogServiceStub(channel)
    slug = f"encoded-{uuid.uuid4().hex[:8]}"
    created = await make_title(stub, bearer(token), display_name="Encoded Compass", slug=slug)

    encoded = await http.get(f"/catalog/v1/titles/slug%3A{slug}")

    assert encoded.status_code == 200, encoded.text
    assert encoded.json()["title"]["name"] == created.name
