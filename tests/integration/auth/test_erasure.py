"""Account deletion and export reach every service holding user data, durably, over the wire.

These tests run their own Marquee processes on their own database (a sibling of the session's),
so the session server's dispatcher never takes their erasure rows: an Auth-only server whose
peers (Catalog, Tracking, Media) are a second server on a fixed port that the tests stop and
start again, the way a peer goes down for hours and comes back, and an Auth that is restarted
while an erasure is still pending.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import pathlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import grpc
import pytest
from marquee.auth.v1 import auth_pb2
from marquee.catalog.v1 import catalog_pb2_grpc
from marquee.media.v1 import media_pb2, media_pb2_grpc
from marquee.tracking.v1 import tracking_pb2, tracking_pb2_grpc
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.app import Dependencies, build_server
from services.auth.repository import AuthRepository
from services.auth.settings import AuthSettings
from services.core import migrate
from services.core.db import Database
from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.server import Server
from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, TokenSigner
from tests.integration.auth.helpers import Account, register, stub_for
from tests.integration.tracking.conftest import seed_title
from tests.support.callers import Caller, make_caller
from tests.support.harness import BACKEND, Backend, rpc_error, settings_for_tests
from tests.support.seaweed import start_store

PEERS = ("catalog", "tracking", "media")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _isolated_database(backend: Backend, folder: pathlib.Path) -> str:
    """A database of these tests' own: a SQLite file, or `<session database>_erasure` on the same PostgreSQL."""
    if BACKEND != "external":
        return f"sqlite:///{folder / 'erasure.db'}"
    url = make_url(backend.database_url)
    name = f"{url.database}_erasure"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    isolated = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(isolated)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return isolated


@dataclass
class World:
    backend: Backend
    data_dir: pathlib.Path
    peer_port: int
    store: EmbeddedSeaweedFS

    def settings(self, **overrides: object) -> Settings:
        return settings_for_tests(self.backend, self.data_dir, **overrides)

    @property
    def peer_address(self) -> str:
        return f"127.0.0.1:{self.peer_port}"


@pytest.fixture(scope="module")
def world(backend: Backend, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("erasure")
    own = Backend(_isolated_database(backend, folder), backend.redis_url)
    data_dir = folder / "data"
    migrate.upgrade(settings_for_tests(own, data_dir))
    store = start_store(settings_for_tests(own, data_dir))  # Media finds it in data_dir/seaweedfs
    yield World(own, data_dir, _free_port(), store)
    store.stop()


async def start_peers(world: World) -> Server:
    """Catalog, Tracking and Media on the peers' fixed port (the port Auth is told they are at)."""
    deps = Dependencies.build(world.settings(services=list(PEERS)))
    running = build_server(deps, address=world.peer_address)
    await running.start()
    return running


async def start_auth(world: World) -> Server:
    settings = world.settings(services=["auth"], peer_addresses=dict.fromkeys(PEERS, world.peer_address))
    auth = AuthSettings.load(
        settings,
        erasure_wait_seconds=3.0,
        erasure_retry_initial_seconds=0.2,
        erasure_retry_max_seconds=0.5,
        erasure_poll_seconds=0.2,
        erasure_lease_seconds=15,
        signup_bonus_credits=0,  # no Billing in this deployment
    )
    running = build_server(Dependencies.build(settings, auth), address="127.0.0.1:0")
    await running.start()
    return running


@pytest.fixture
async def peers(world: World) -> AsyncIterator[Server]:
    running = await start_peers(world)
    yield running
    await running.stop(0.5)


@pytest.fixture
def admin_caller(signer: TokenSigner) -> Caller:
    return make_caller(signer, ROLE_ADMIN)


@dataclass
class Holdings:
    account: Account
    title: str
    asset: str


async def seed_user_data(auth_channel: grpc.aio.Channel, peer_channel: grpc.aio.Channel, admin: Caller) -> Holdings:
    """A registered user with a watchlist entry and a rating in Tracking and an asset in Media."""
    account = await register(stub_for(auth_channel))
    show = await seed_title(catalog_pb2_grpc.CatalogServiceStub(peer_channel), admin, kind="movie")
    tracking = tracking_pb2_grpc.TrackingServiceStub(peer_channel)
    await tracking.CreateWatchlistEntry(
        tracking_pb2.CreateWatchlistEntryRequest(parent="users/me", watchlist_entry=tracking_pb2.WatchlistEntry(title=show.name)),
        metadata=account.auth,
    )
    await tracking.SetRating(tracking_pb2.SetRatingRequest(parent="users/me", item=show.name, score=8), metadata=account.auth)
    upload = await media_pb2_grpc.MediaServiceStub(peer_channel).CreateUpload(
        media_pb2.CreateUploadRequest(filename="talk.mp4", content_type="video/mp4", size_bytes=10), metadata=account.auth
    )
    return Holdings(account, show.name, upload.asset.name)


async def assert_gone(peer_channel: grpc.aio.Channel, holdings: Holdings, admin: Caller) -> None:
    tracking = tracking_pb2_grpc.TrackingServiceStub(peer_channel)
    user = holdings.account.name
    entries = await tracking.ListWatchlistEntries(tracking_pb2.ListWatchlistEntriesRequest(parent=user), metadata=admin.auth)
    ratings = await tracking.ListRatings(tracking_pb2.ListRatingsRequest(parent=user), metadata=admin.auth)
    assert list(entries.watchlist_entries) == []
    assert list(ratings.ratings) == []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await media_pb2_grpc.MediaServiceStub(peer_channel).GetAsset(
            media_pb2.GetAssetRequest(name=holdings.asset), metadata=admin.auth
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def assert_present(peer_channel: grpc.aio.Channel, holdings: Holdings, admin: Caller) -> None:
    tracking = tracking_pb2_grpc.TrackingServiceStub(peer_channel)
    user = holdings.account.name
    entries = await tracking.ListWatchlistEntries(tracking_pb2.ListWatchlistEntriesRequest(parent=user), metadata=admin.auth)
    assert [e.title for e in entries.watchlist_entries] == [holdings.title]
    media = media_pb2_grpc.MediaServiceStub(peer_channel)
    await media.GetAsset(media_pb2.GetAssetRequest(name=holdings.asset), metadata=admin.auth)


async def deletion(auth_channel: grpc.aio.Channel, user: str, admin: Caller) -> auth_pb2.UserDeletion:
    reply = await stub_for(auth_channel).GetUserDeletion(
        auth_pb2.GetUserDeletionRequest(name=f"{user}/deletion"), metadata=admin.auth
    )
    return reply.deletion


async def eventually_done(auth_channel: grpc.aio.Channel, user: str, admin: Caller, within: float = 20) -> auth_pb2.UserDeletion:
    async with asyncio.timeout(within):
        while True:
            found = await deletion(auth_channel, user, admin)
            if found.done:
                return found
            await asyncio.sleep(0.1)


def services_of(items: list[auth_pb2.DataDisposition]) -> set[str]:
    return {item.service for item in items}


async def test_delete_erases_tracking_and_media_and_reports_it(world: World, peers: Server, admin_caller: Caller) -> None:
    auth_server = await start_auth(world)
    try:
        async with (
            grpc.aio.insecure_channel(f"127.0.0.1:{auth_server.port}") as auth_channel,
            grpc.aio.insecure_channel(world.peer_address) as peer_channel,
        ):
            holdings = await seed_user_data(auth_channel, peer_channel, admin_caller)
            await assert_present(peer_channel, holdings, admin_caller)
            account = holdings.account
            reply = await stub_for(auth_channel).DeleteUser(auth_pb2.DeleteUserRequest(name="users/me"), metadata=account.auth)

            assert list(reply.pending) == []
            assert {"marquee.auth", "marquee.tracking", "marquee.media"} <= services_of(list(reply.erased))
            tracking_counts = {d.category: d.count for d in reply.erased if d.service == "marquee.tracking"}
            assert any(count >= 1 for count in tracking_counts.values()), tracking_counts
            assert any(d.service == "marquee.media" and d.count == 1 for d in reply.erased)
            assert reply.deletion == f"{account.name}/deletion"
            await assert_gone(peer_channel, holdings, admin_caller)

            record = await deletion(auth_channel, account.name, admin_caller)
            assert record.done
            assert record.HasField("complete_time")
            by_service = {s.service: s for s in record.services}
            assert {"marquee.auth", "marquee.tracking", "marquee.media"} <= set(by_service)
            assert all(s.state == auth_pb2.SERVICE_ERASURE_STATE_CONFIRMED for s in record.services)
            assert by_service["marquee.tracking"].attempt_count == 1

            # Only admins see the record; a user's token (even the deleted one's) gets PERMISSION_DENIED.
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await deletion(auth_channel, account.name, Caller(account.user_id, account.auth))
            assert caught.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await deletion(auth_channel, f"users/{uuid.uuid4().hex}", admin_caller)
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
            for bad in ("users/", f"{account.name}/deletion/x", "deletions/1", "users/-"):
                with pytest.raises(grpc.aio.AioRpcError) as malformed:
                    await stub_for(auth_channel).GetUserDeletion(
                        auth_pb2.GetUserDeletionRequest(name=bad), metadata=admin_caller.auth
                    )
                error = rpc_error(malformed.value)
                assert error.code == grpc.StatusCode.INVALID_ARGUMENT, (bad, error.code)
                assert error.bad_request is not None
                assert [v.field for v in error.bad_request.field_violations] == ["name"]
    finally:
        await auth_server.stop(0.5)


@pytest.mark.parametrize("restart_auth", [False, True], ids=["peer-back", "auth-restarted-too"])
async def test_a_peer_down_is_retried_until_it_confirms(world: World, admin_caller: Caller, restart_auth: bool) -> None:
    peers = await start_peers(world)
    auth_server = await start_auth(world)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{auth_server.port}") as auth_channel:
            async with grpc.aio.insecure_channel(world.peer_address) as peer_channel:
                holdings = await seed_user_data(auth_channel, peer_channel, admin_caller)
            await peers.stop(0.5)  # the peers go down: nothing listens on their port

            account = holdings.account
            reply = await stub_for(auth_channel).DeleteUser(auth_pb2.DeleteUserRequest(name="users/me"), metadata=account.auth)
            assert {"marquee.tracking", "marquee.media"} <= services_of(list(reply.pending))
            assert all("UNAVAILABLE" in p.description for p in reply.pending), [p.description for p in reply.pending]
            assert services_of(list(reply.erased)) == {"marquee.auth"}

            await asyncio.sleep(1.0)  # a few retries against the closed port
            record = await deletion(auth_channel, account.name, admin_caller)
            tracking = next(s for s in record.services if s.service == "marquee.tracking")
            assert not record.done
            assert tracking.state == auth_pb2.SERVICE_ERASURE_STATE_PENDING
            assert tracking.attempt_count >= 2
            assert tracking.last_error.startswith("UNAVAILABLE")
            assert tracking.HasField("next_attempt_time")

        if restart_auth:
            await auth_server.stop(0.5)
            auth_server = await start_auth(world)  # a new process: it finds the pending rows in the database
        peers = await start_peers(world)  # the peers are back, on the same port
        async with (
            grpc.aio.insecure_channel(f"127.0.0.1:{auth_server.port}") as auth_channel,
            grpc.aio.insecure_channel(world.peer_address) as peer_channel,
        ):
            record = await eventually_done(auth_channel, account.name, admin_caller)
            tracking = next(s for s in record.services if s.service == "marquee.tracking")
            assert tracking.state == auth_pb2.SERVICE_ERASURE_STATE_CONFIRMED
            assert tracking.last_error == ""
            assert {d.service for s in record.services for d in s.erased} >= {"marquee.tracking", "marquee.media"}
            await assert_gone(peer_channel, holdings, admin_caller)
    finally:
        await auth_server.stop(0.5)
        await peers.stop(0.5)


async def test_two_processes_never_hold_the_same_erasure(world: World) -> None:
    """The lease is a compare-and-set: of two claimants of one due row, exactly one wins."""
    database = Database.from_settings(world.settings())
    user_id = uuid.uuid4().hex
    now = dt.datetime.now(dt.UTC)
    later = now + dt.timedelta(seconds=60)
    try:
        await database.run(lambda s: AuthRepository(s).add_erasure(user_id, "tracking", now))
        first = await database.run(
            lambda s: AuthRepository(s).claim_erasure(user_id, "tracking", owner="a", now=now, until=later)
        )
        second = await database.run(
            lambda s: AuthRepository(s).claim_erasure(user_id, "tracking", owner="b", now=now, until=later)
        )
        assert (first, second) == (True, False)
        # Once the holder's lease expired (it died mid-call), another process takes the row over.
        after = later + dt.timedelta(seconds=1)
        taken = await database.run(
            lambda s: AuthRepository(s).claim_erasure(user_id, "tracking", owner="b", now=after, until=after)
        )
        assert taken
    finally:
        database.close()


def _peer_exports(service: str) -> bool:
    from services.auth.userdata_client import discover

    return service in discover([service], ("ExportUserData",))


@pytest.mark.skipif(not _peer_exports("tracking"), reason="Tracking's contract has no ExportUserData yet (tracking branch)")
async def test_export_merges_tracking_and_names_a_peer_that_is_down(world: World, admin_caller: Caller) -> None:
    peers = await start_peers(world)
    auth_server = await start_auth(world)
    try:
        async with (
            grpc.aio.insecure_channel(f"127.0.0.1:{auth_server.port}") as auth_channel,
            grpc.aio.insecure_channel(world.peer_address) as peer_channel,
        ):
            holdings = await seed_user_data(auth_channel, peer_channel, admin_caller)
            auth = stub_for(auth_channel)
            reply = await auth.ExportUserData(auth_pb2.ExportUserDataRequest(name="users/me"), metadata=holdings.account.auth)
            document = json.loads(reply.document.data)
            assert document["user"]["name"] == holdings.account.name
            assert holdings.title.removeprefix("titles/") in json.dumps(document["tracking"])

            await peers.stop(0.5)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await auth.ExportUserData(auth_pb2.ExportUserDataRequest(name="users/me"), metadata=holdings.account.auth)
            error = rpc_error(caught.value)
            assert error.code == grpc.StatusCode.UNAVAILABLE
            assert error.reason == "DEPENDENCY_UNAVAILABLE"
            assert error.info is not None
            assert error.info.metadata["service"].startswith("marquee.")
    finally:
        await auth_server.stop(0.5)
        await peers.stop(0.5)
