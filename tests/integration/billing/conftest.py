"""Billing fixtures: a Billing server (port 0) wired to a local Stripe stand-in, tokens and webhook helpers."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.api import httpbody_pb2
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc
from pydantic import SecretStr

from services.app import Dependencies, build_server
from services.billing.settings import BillingSettings
from services.core.server import Server
from services.core.settings import ServiceSettings, Settings
from services.core.tokens import TokenSigner
from tests.support.harness import bearer
from tests.support.stripe_standin import StripeStandIn, sign

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
PRICES = {
    "basic_monthly": "price_basic_m",
    "premium_monthly": "price_premium_m",
    "credits_10": "price_credits_10",
    "credits_50": "price_credits_50",
    "credits_100": "price_credits_100",
}
REDIRECT = "http://localhost:3000/billing/done"


@pytest.fixture(scope="package")
def stripe_api() -> Iterator[StripeStandIn]:
    with StripeStandIn() as standin:
        standin.add_price("price_basic_m", 299)
        standin.add_price("price_premium_m", 499)
        yield standin


def billing_settings(settings: Settings, stripe_api: StripeStandIn, **overrides: Any) -> BillingSettings:
    """Billing's own settings pointed at the Stripe stand-in."""
    values: dict[str, Any] = {
        "stripe_secret_key": SecretStr("sk_test_standin"),
        "stripe_api_base": stripe_api.url,
        "stripe_webhook_secret": SecretStr(WEBHOOK_SECRET),
        "stripe_prices": PRICES,
    }
    values.update(overrides)
    return BillingSettings.load(settings, **values)


def billing_deps(
    settings: Settings, stripe_api: StripeStandIn, *more: ServiceSettings, services: tuple[str, ...] = ("billing",), **stripe: Any
) -> Dependencies:
    """Dependencies of a server of `services` with Billing on the stand-in (and any other service settings)."""
    core = settings.model_copy(update={"services": list(services)})
    return Dependencies.build(core, billing_settings(settings, stripe_api, **stripe), *more)


@pytest.fixture(scope="package")
async def billing_server(settings: Settings, stripe_api: StripeStandIn) -> AsyncIterator[Server]:
    running = build_server(billing_deps(settings, stripe_api), address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(1.0)


@pytest.fixture(scope="package")
async def billing(billing_server: Server) -> AsyncIterator[billing_pb2_grpc.BillingServiceStub]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{billing_server.port}") as channel:
        yield billing_pb2_grpc.BillingServiceStub(channel)


@dataclass
class Caller:
    user_id: str
    token: str

    @property
    def auth(self) -> tuple[tuple[str, str], ...]:
        return bearer(self.token)

    @property
    def name(self) -> str:
        return f"users/{self.user_id}"


class Callers:
    def __init__(self, settings: Settings) -> None:
        self._signer = TokenSigner.from_settings(settings)

    def _make(self, subject: str, role: str) -> Caller:
        token, _ = self._signer.sign(subject, token_id=uuid.uuid4().hex, role=role)
        return Caller(subject, token)

    def user(self) -> Caller:
        return self._make(uuid.uuid4().hex, "user")

    def admin(self) -> Caller:
        return self._make(uuid.uuid4().hex, "admin")

    def service(self, name: str = "notes") -> Caller:
        return self._make(f"services/{name}", "service")


@pytest.fixture(scope="package")
def callers(settings: Settings) -> Callers:
    return Callers(settings)


def webhook_request(event: dict[str, Any]) -> tuple[pb.HandleStripeWebhookRequest, bytes]:
    payload = json.dumps(event).encode()
    return pb.HandleStripeWebhookRequest(body=httpbody_pb2.HttpBody(content_type="application/json", data=payload)), payload


async def deliver(stub: billing_pb2_grpc.BillingServiceStub, event: dict[str, Any]) -> pb.HandleStripeWebhookResponse:
    request, payload = webhook_request(event)
    response: pb.HandleStripeWebhookResponse = await stub.HandleStripeWebhook(
        request, metadata=(("stripe-signature", sign(payload, WEBHOOK_SECRET)),)
    )
    return response
