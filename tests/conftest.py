"""Session fixtures: one real backend (SQLite + embedded Redis, or PostgreSQL + Redis),
migrated once, and one real Marquee server on port 0 serving every contract."""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator, Iterator

import grpc
import pytest
import redis

from services.app import Dependencies, build_server
from services.auth.settings import AuthSettings
from services.core import migrate
from services.core.server import Server
from services.core.settings import Settings
from services.notes.settings import NotesSettings
from tests.support.callers import admin, alice, bob, service, signer  # noqa: F401  (fixtures: callers with signed tokens)
from tests.support.harness import Backend, settings_for_tests, start_backend
from tests.support.oauth_provider import LocalOAuthProvider

ADMIN_EMAIL = "admin@marquee.test"


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    started = start_backend(tmp_path_factory.mktemp("backend"))
    yield started
    started.stop()


@pytest.fixture(scope="session")
def oauth_provider() -> Iterator[LocalOAuthProvider]:
    with LocalOAuthProvider() as provider:
        yield provider


@pytest.fixture(scope="session")
def settings(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    configured = settings_for_tests(
        backend,
        tmp_path_factory.mktemp("data"),
        service_clients={"catalog": "catalog-test-secret-0123456789"},
    )
    migrate.upgrade(configured)
    return configured


@pytest.fixture(scope="session")
def auth_settings(settings: Settings, oauth_provider: LocalOAuthProvider) -> AuthSettings:
    """Auth's own settings: the bootstrap admin and the three providers on the local OAuth stand-in."""
    return AuthSettings.load(
        settings,
        bootstrap_admin_email=ADMIN_EMAIL,
        oauth_google=oauth_provider.settings_for("google").model_dump(),
        oauth_github=oauth_provider.settings_for("github").model_dump(),
        oauth_discord=oauth_provider.settings_for("discord").model_dump(),
    )


@pytest.fixture(scope="session")
async def server(settings: Settings, auth_settings: AuthSettings) -> AsyncIterator[Server]:
    # This server serves Notes too, on the database where the notes package's own servers test the
    # refund outbox: its rounds would take their rows and call Billing past their switch. It still
    # settles its own jobs' refunds when they end; it only never sweeps.
    notes = NotesSettings.load(settings, notes_refund_poll_seconds=86_400.0)
    deps = Dependencies.build(settings, auth_settings, notes)
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(1.0)


@pytest.fixture(scope="session")
async def channel(server: Server) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as opened:
        yield opened


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Every test on the backend starts with empty rate-limit windows (all tests share 127.0.0.1).

    Only tests that use the backend (`settings`, directly or through `server`/`channel`) pay for
    it: a unit test starts no Redis, no OAuth stand-in and no migrations."""
    if "settings" not in request.fixturenames:
        return
    settings: Settings = request.getfixturevalue("settings")
    client = redis.Redis.from_url(settings.redis_url)
    for key in client.scan_iter("marquee:ratelimit:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def outbox(settings: Settings) -> pathlib.Path:
    return settings.data_dir / "outbox"
