"""Plan caps from the real Billing service: BASIC plays up to 720p, PREMIUM up to 1080p, and Media fails closed
when Billing cannot be read. Subscriptions arrive as they do in production: checkout, then Stripe's webhooks
(Stripe is the local stand-in at the far end of the wire)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import httpx
import pytest
from marquee.billing.v1 import billing_pb2_grpc
from marquee.media.v1 import media_pb2 as pb
from marquee.media.v1 import media_pb2_grpc

from services.app import Dependencies, build_server
from services.core.processes import stop_process
from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.server import Server
from services.core.settings import Settings
from tests.integration.billing.conftest import billing_deps, stripe_api  # noqa: F401  (fixture)
from tests.integration.billing.test_across_services import subscribe
from tests.integration.media.conftest import Caller, fails, media_worker, watch
from tests.integration.media.test_uploads import upload_clip
from tests.support.runtime_server import wait_for_worker
from tests.support.seaweed import make_clip
from tests.support.stripe_standin import StripeStandIn


@pytest.fixture(scope="module")
async def platform(settings: Settings, stripe_api: StripeStandIn, seaweed: EmbeddedSeaweedFS) -> AsyncIterator[Server]:  # noqa: F811
    """Billing and Media in one server, Media asking Billing over gRPC through its contract."""
    running = build_server(billing_deps(settings, stripe_api, services=("billing", "media")), address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(1.0)


@pytest.fixture(scope="module")
async def stubs(platform: Server) -> AsyncIterator[tuple[Any, Any]]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{platform.port}") as channel:
        yield media_pb2_grpc.MediaServiceStub(channel), billing_pb2_grpc.BillingServiceStub(channel)


@pytest.fixture(scope="module")
async def full_hd(
    stubs: tuple[Any, Any], admin: Caller, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> pb.Asset:
    """A 1080p SUBSCRIBERS feature, transcoded by a real worker."""
    media, _ = stubs
    worker = media_worker(settings, "media-caps", concurrency=2)
    try:
        wait_for_worker(settings, worker, name="media-caps")
        clip = await asyncio.to_thread(make_clip, tmp_path_factory.mktemp("fhd") / "fhd.mp4", seconds=2, size="1920x1080")
        asset = await upload_clip(media, admin, clip, asset=pb.Asset(purpose=pb.ASSET_PURPOSE_EXTRA))
        settings_pb = pb.TranscodeSettings(thumbnail_count=1)
        operation = await media.StartTranscode(
            pb.StartTranscodeRequest(name=asset.name, settings=settings_pb), metadata=admin.auth
        )
        events = await watch(media, admin, operation.operation.name, within=300)
        assert events[-1].operation.state == 3, events[-1].operation.error.message
        ready = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=admin.auth)).asset
        assert ready.visibility == pb.ASSET_VISIBILITY_SUBSCRIBERS
        assert [r.height for r in ready.renditions][-1] == 1080
        return ready
    finally:
        stop_process(worker, timeout_seconds=15)


def open_session(asset: str, device: str) -> pb.CreatePlaybackSessionRequest:
    return pb.CreatePlaybackSessionRequest(playback_session=pb.PlaybackSession(asset=asset, device_id=device))


@pytest.mark.parametrize(
    ("plan", "tier", "top"), [("basic", pb.PLAN_BASIC, pb.RESOLUTION_720P), ("premium", pb.PLAN_PREMIUM, pb.RESOLUTION_1080P)]
)
async def test_the_plan_from_billing_caps_the_rungs(
    stubs: tuple[Any, Any],
    stripe_api: StripeStandIn,  # noqa: F811 - the fixture imported above
    alice: Caller,
    full_hd: pb.Asset,
    plan: str,
    tier: int,
    top: int,
) -> None:
    media, billing = stubs
    await subscribe(billing, stripe_api, alice, plan)  # type: ignore[arg-type]
    session = (await media.CreatePlaybackSession(open_session(full_hd.name, "tv"), metadata=alice.auth)).playback_session
    assert session.plan == tier
    assert not session.ad_supported
    assert session.max_resolution == top
    heights = [r.height for r in session.renditions]
    assert heights[-1] == {pb.RESOLUTION_720P: 720, pb.RESOLUTION_1080P: 1080}[top]
    async with httpx.AsyncClient(timeout=30) as client:
        master = (await client.get(session.playlist_url)).text
    assert ("1920x1080" in master) == (plan == "premium")
    assert "1280x720" in master


async def test_billing_unreadable_fails_closed_over_the_wire(
    settings: Settings, alice: Caller, full_hd: pb.Asset, seaweed: EmbeddedSeaweedFS
) -> None:
    """A Media server whose Billing peer is a closed port: subscriber content is refused, not served on a guess."""
    alone = settings.model_copy(update={"services": ["media"], "peer_addresses": {"billing": "127.0.0.1:1"}})
    running = build_server(Dependencies.build(alone), address="127.0.0.1:0")
    await running.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            media = media_pb2_grpc.MediaServiceStub(channel)
            error = await fails(media.CreatePlaybackSession(open_session(full_hd.name, "phone"), metadata=alice.auth))
            assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "ENTITLEMENTS_UNAVAILABLE")
            listed = await media.ListPlaybackSessions(pb.ListPlaybackSessionsRequest(), metadata=alice.auth)
            assert list(listed.playback_sessions) == []  # nothing was opened
    finally:
        await running.stop(0.5)
