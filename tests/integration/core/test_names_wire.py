"""The one `users/me` rule and contract-driven name parsing, over a real server and the policy
interceptor (a probe servicer calls `names.owned` as the services' handlers do)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from marquee.tracking.v1 import tracking_pb2 as pb
from marquee.tracking.v1 import tracking_pb2_grpc

from services.core import names
from services.core.server import Server, ServiceRegistration, create_server
from services.core.settings import Settings
from services.core.tokens import TokenSigner, TokenVerifier
from tests.support.harness import bearer, rpc_error


class ProbeTracking(tracking_pb2_grpc.TrackingServiceServicer):
    async def ListWatchlistEntries(
        self, request: pb.ListWatchlistEntriesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWatchlistEntriesResponse:
        owner = names.owned(request, "parent")
        return pb.ListWatchlistEntriesResponse(next_page_token=str(owner))


@pytest.fixture
async def probe(settings: Settings) -> AsyncIterator[Server]:
    registration = ServiceRegistration(
        "marquee.tracking.v1.TrackingService",
        lambda server: tracking_pb2_grpc.add_TrackingServiceServicer_to_server(ProbeTracking(), server),
    )
    running = create_server(settings, [registration], TokenVerifier.from_settings(settings), address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(0)


def _caller(settings: Settings, user_id: str, role: str) -> tuple[tuple[str, str], ...]:
    token, _ = TokenSigner.from_settings(settings).sign(user_id, token_id=f"t-names-{user_id}", role=role)
    return bearer(token)


async def _list(server: Server, parent: str, metadata: tuple[tuple[str, str], ...]) -> str:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = tracking_pb2_grpc.TrackingServiceStub(channel)
        reply = await stub.ListWatchlistEntries(pb.ListWatchlistEntriesRequest(parent=parent), metadata=metadata)
        return reply.next_page_token


async def _fails(server: Server, parent: str, metadata: tuple[tuple[str, str], ...]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await _list(server, parent, metadata)
    return failure.value


async def test_me_is_the_calling_user_or_admin(probe: Server, settings: Settings) -> None:
    assert await _list(probe, "users/me", _caller(settings, "u-alice", "user")) == "users/u-alice"
    assert await _list(probe, "users/u-alice", _caller(settings, "u-alice", "user")) == "users/u-alice"
    assert await _list(probe, "users/me", _caller(settings, "u-root", "admin")) == "users/u-root"


async def test_me_with_a_service_token_is_refused_not_the_service(probe: Server, settings: Settings) -> None:
    error = rpc_error(await _fails(probe, "users/me", _caller(settings, "svc-catalog", "service")))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "USERS_ME_NOT_ALLOWED"
    assert error.bad_request is not None
    assert [v.field for v in error.bad_request.field_violations] == ["parent"]


async def test_admins_and_services_name_any_user_users_do_not(probe: Server, settings: Settings) -> None:
    assert await _list(probe, "users/u-bob", _caller(settings, "u-root", "admin")) == "users/u-bob"
    assert await _list(probe, "users/u-bob", _caller(settings, "svc-catalog", "service")) == "users/u-bob"
    error = rpc_error(await _fails(probe, "users/u-bob", _caller(settings, "u-alice", "user")))
    assert error.code == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("parent", ["", "users", "users/a/b", "titles/x", "users/-"])
async def test_a_name_off_the_pattern_names_field_and_pattern(probe: Server, settings: Settings, parent: str) -> None:
    error = rpc_error(await _fails(probe, parent, _caller(settings, "u-alice", "user")))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.bad_request is not None
    assert [v.field for v in error.bad_request.field_violations] == ["parent"]
    if parent not in ("", "users/-"):
        assert error.reason == "INVALID_NAME"
        assert "users/{user}" in error.bad_request.field_violations[0].description
