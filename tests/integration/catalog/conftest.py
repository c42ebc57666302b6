"""Catalog fixtures: a Marquee server whose metadata provider is the local TMDb stand-in, and tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import pytest
from marquee.catalog.v1 import catalog_pb2 as pb
from marquee.catalog.v1 import catalog_pb2_grpc
from pydantic import SecretStr

from services.app import Dependencies, build_server
from services.catalog.settings import CatalogSettings
from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, ROLE_USER, KeySet, TokenSigner
from tests.support.harness import bearer
from tests.support.rpc import expect_error, fails  # noqa: F401  (re-exported to the area's tests)
from tests.support.tmdb_standin import TmdbStandin

Stub = catalog_pb2_grpc.CatalogServiceStub


@pytest.fixture(scope="package")
def tmdb() -> Iterator[TmdbStandin]:
    with TmdbStandin() as standin:
        yield standin


@pytest.fixture(scope="package")
def catalog_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture(scope="package")
def tmdb_settings(settings: Settings, tmdb: TmdbStandin) -> CatalogSettings:
    """Catalog's own settings pointed at the TMDb stand-in."""
    return CatalogSettings.load(
        settings, tmdb_api_base=tmdb.base_url, tmdb_api_key=SecretStr("v3-test-key"),
        tmdb_requests_per_window=1000, tmdb_window_seconds=1.0, trending_cache_seconds=1,
    )  # fmt: skip


@pytest.fixture(scope="package")
async def stub(catalog_settings: Settings, tmdb_settings: CatalogSettings) -> AsyncIterator[Stub]:
    deps = Dependencies.build(catalog_settings, tmdb_settings)
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield catalog_pb2_grpc.CatalogServiceStub(channel)
    await running.stop(1.0)


@pytest.fixture(scope="session")  # the session-scoped callers of tests/support sign with it
def signer(settings: Settings) -> TokenSigner:
    return TokenSigner.from_settings(settings, KeySet.from_settings(settings))


def _token(signer: TokenSigner, role: str) -> tuple[tuple[str, str], ...]:
    token, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=role)
    return bearer(token)


@pytest.fixture
def admin(signer: TokenSigner) -> tuple[tuple[str, str], ...]:
    return _token(signer, ROLE_ADMIN)


@pytest.fixture
def user(signer: TokenSigner) -> tuple[tuple[str, str], ...]:
    return _token(signer, ROLE_USER)


expect = expect_error  # Catalog's tests check code and reason


async def make_title(stub: Stub, admin: Any, *, kind: int = pb.TITLE_KIND_MOVIE, publish: bool = True,
                     **values: Any) -> pb.Title:  # fmt: skip
    values.setdefault("display_name", f"Film {uuid.uuid4().hex[:8]}")
    created = (await stub.CreateTitle(pb.CreateTitleRequest(title=pb.Title(kind=kind, **values)), metadata=admin)).title
    if kind == pb.TITLE_KIND_SERIES:
        await stub.CreateSeason(pb.CreateSeasonRequest(parent=created.name, season=pb.Season(season_number=1)), metadata=admin)
        await stub.CreateEpisode(
            pb.CreateEpisodeRequest(
                parent=f"{created.name}/seasons/1", episode=pb.Episode(episode_number=1, display_name="Pilot")
            ),
            metadata=admin,
        )
    if publish:
        created = (await stub.PublishTitle(pb.PublishTitleRequest(name=created.name), metadata=admin)).title
    return created
