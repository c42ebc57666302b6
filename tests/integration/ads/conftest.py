"""Ads fixtures: a server running Ads and Billing for real (Stripe is the stand-in at the far end),
callers with signed tokens, and helpers that build campaigns and ads through the admin RPCs."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2
from google.type import money_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc
from marquee.billing.v1 import billing_pb2_grpc

from services.ads import server as ads_server
from services.app import Dependencies, build_server
from services.core.server import Server, create_server
from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, ROLE_USER, KeySet, TokenSigner
from tests.integration.billing.conftest import billing_settings, stripe_api  # noqa: F401  # fixture re-used here
from tests.support.harness import RpcError, bearer, rpc_error
from tests.support.stripe_standin import StripeStandIn

DOMAIN = "marquee.ads"
Metadata = tuple[tuple[str, str], ...]


@dataclass
class Caller:
    user_id: str
    auth: Metadata

    @property
    def name(self) -> str:
        return f"users/{self.user_id}"


@pytest.fixture(scope="session")  # the session-scoped callers of tests/support sign with it
def signer(settings: Settings) -> TokenSigner:
    return TokenSigner.from_settings(settings, KeySet.from_settings(settings))


def make_caller(signer: TokenSigner, role: str = ROLE_USER) -> Caller:
    user_id = uuid.uuid4().hex
    token, _ = signer.sign(user_id, token_id=uuid.uuid4().hex, role=role)
    return Caller(user_id, bearer(token))


@pytest.fixture
def viewer(signer: TokenSigner) -> Caller:
    return make_caller(signer)


@pytest.fixture(scope="package")
def admin(signer: TokenSigner) -> Caller:
    return make_caller(signer, ROLE_ADMIN)


@pytest.fixture(scope="package")
def platform_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"services": ["billing", "ads"]})


@pytest.fixture(scope="package")
async def platform(platform_settings: Settings, stripe_api: StripeStandIn) -> AsyncIterator[Server]:  # noqa: F811
    deps = Dependencies.build(platform_settings, billing_settings(platform_settings, stripe_api))
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(1.0)


@pytest.fixture(scope="package")
async def ads_channel(platform: Server) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{platform.port}") as opened:
        yield opened


@pytest.fixture(scope="package")
def ads(ads_channel: grpc.aio.Channel) -> ads_pb2_grpc.AdsServiceStub:
    return ads_pb2_grpc.AdsServiceStub(ads_channel)


@pytest.fixture(scope="package")
def billing(ads_channel: grpc.aio.Channel) -> billing_pb2_grpc.BillingServiceStub:
    return billing_pb2_grpc.BillingServiceStub(ads_channel)


class FakeClock:
    """A clock the use cases are given instead of the system's: tests move it."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class ClockedAds:
    stub: ads_pb2_grpc.AdsServiceStub
    clock: FakeClock


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[ClockedAds]:
    """A server serving only Ads, whose use cases read an injected clock (no patching)."""
    clock = FakeClock(dt.datetime(2030, 3, 4, 0, 0, tzinfo=dt.UTC))
    deps = Dependencies.build(settings.model_copy(update={"services": ["ads"]}))
    running = create_server(deps.settings, [ads_server.registration(deps, clock=clock)], deps.verifier, address="127.0.0.1:0")
    running.on_close.append(deps.close)
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield ClockedAds(ads_pb2_grpc.AdsServiceStub(channel), clock)
    await running.stop(0.5)


async def fails(call: Awaitable[Any]) -> RpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rpc_error(caught.value)


def expect(error: RpcError, code: grpc.StatusCode, reason: str) -> None:
    assert (error.code, error.reason) == (code, reason), error.message


def usd(amount: float) -> money_pb2.Money:
    units = int(amount)
    return money_pb2.Money(currency_code="USD", units=units, nanos=round((amount - units) * 1e9))


def micros(money: money_pb2.Money) -> int:
    return money.units * 1_000_000 + money.nanos // 1000


def banner(campaign: str, **fields: Any) -> pb.Ad:
    """A 300 x 250 rectangle ad; `fields` override any Ad field."""
    values: dict[str, Any] = {
        "display_name": f"Ad {uuid.uuid4().hex[:6]}",
        "campaign": campaign,
        "placement": pb.PLACEMENT_RECTANGLE,
        "creative": pb.Creative(image_url="https://cdn.example.com/a.png", width=300, height=250, alt_text="An ad"),
        "click_url": "https://advertiser.example.com/landing",
        "pricing": pb.Pricing(model=pb.PRICING_MODEL_CPM, rate=usd(2.0)),
        # Next to a title of its own unless the test says otherwise, so no test's ads fill another's requests.
        "targeting": pb.Targeting(titles=[unique_title()]),
    }
    values.update(fields)
    return pb.Ad(**values)


def preroll(campaign: str, **fields: Any) -> pb.Ad:
    values: dict[str, Any] = {
        "display_name": f"Video {uuid.uuid4().hex[:6]}",
        "campaign": campaign,
        "placement": pb.PLACEMENT_PRE_ROLL,
        "creative": pb.Creative(
            video_url="https://cdn.example.com/spot.m3u8",
            width=1280,
            height=720,
            duration=duration_pb2.Duration(seconds=20),
            skip_offset=duration_pb2.Duration(seconds=5),
        ),
        "click_url": "https://advertiser.example.com/video",
        "pricing": pb.Pricing(model=pb.PRICING_MODEL_CPM, rate=usd(10.0)),
        "targeting": pb.Targeting(titles=[unique_title()]),
    }
    values.update(fields)
    return pb.Ad(**values)


CampaignMaker = Callable[..., Awaitable[pb.Campaign]]


async def new_campaign(stub: ads_pb2_grpc.AdsServiceStub, admin: Caller, **fields: Any) -> pb.Campaign:
    values: dict[str, Any] = {"display_name": f"Campaign {uuid.uuid4().hex[:6]}", "advertiser": "MTN Uganda"}
    values.update(fields)
    reply = await stub.CreateCampaign(pb.CreateCampaignRequest(campaign=pb.Campaign(**values)), metadata=admin.auth)
    return reply.campaign


async def new_ad(stub: ads_pb2_grpc.AdsServiceStub, admin: Caller, ad: pb.Ad) -> pb.Ad:
    return (await stub.CreateAd(pb.CreateAdRequest(ad=ad), metadata=admin.auth)).ad


def unique_title() -> str:
    """A title no other test targets, so each test's ads compete only with each other."""
    return f"titles/{uuid.uuid4().hex}"


def only_next_to(title: str, **fields: Any) -> pb.Targeting:
    return pb.Targeting(titles=[title], **fields)


def context(title: str, device_id: str = "", **fields: Any) -> pb.AdContext:
    return pb.AdContext(title=title, device_id=device_id, **fields)
