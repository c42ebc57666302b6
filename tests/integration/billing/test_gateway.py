"""A signed Stripe webhook POSTed through a real Envoy reaches HandleStripeWebhook byte for byte."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc

from gateway.process import EnvoyProcess
from services.core.server import Server
from tests.gateway.helpers import running_gateway
from tests.integration.billing.conftest import WEBHOOK_SECRET, Callers
from tests.support.stripe_standin import event, sign


@pytest.fixture(scope="module")
async def envoy(billing_server: Server, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EnvoyProcess]:
    async with running_gateway(billing_server.port, tmp_path_factory.mktemp("billing-envoy")) as process:
        yield process


async def test_signed_webhook_through_envoy(
    envoy: EnvoyProcess, billing: billing_pb2_grpc.BillingServiceStub, callers: Callers
) -> None:
    user = callers.user()
    checkout = {
        "id": f"cs_test_{uuid.uuid4().hex}",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "customer": f"cus_{uuid.uuid4().hex[:12]}",
        "payment_intent": f"pi_{uuid.uuid4().hex[:16]}",
        "amount_total": 500,
        "currency": "usd",
        "metadata": {"user_id": user.user_id, "credit_pack": "credits-10", "credits": "10"},
    }
    # Stripe's own formatting (indentation, key order) must survive: the signature covers these exact bytes.
    payload = json.dumps(event("checkout.session.completed", checkout), indent=2).encode()
    async with httpx.AsyncClient(base_url=envoy.url, timeout=15.0) as http:
        ok = await http.post(
            "/billing/v1/webhooks/stripe",
            content=payload,
            headers={"content-type": "application/json", "stripe-signature": sign(payload, WEBHOOK_SECRET)},
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["outcome"] == "WEBHOOK_OUTCOME_PROCESSED"
        duplicate = await http.post(
            "/billing/v1/webhooks/stripe",
            content=payload,
            headers={"content-type": "application/json", "stripe-signature": sign(payload, WEBHOOK_SECRET)},
        )
        assert duplicate.json()["outcome"] == "WEBHOOK_OUTCOME_DUPLICATE"
        forged = await http.post(
            "/billing/v1/webhooks/stripe",
            content=payload,
            headers={"content-type": "application/json", "stripe-signature": sign(payload, "whsec_other")},
        )
        assert forged.status_code == 401
        assert forged.json()["details"][0]["reason"] == "SIGNATURE_INVALID"
    balance = await billing.GetCreditBalance(pb.GetCreditBalanceRequest(name="users/me/creditBalance"), metadata=user.auth)
    assert balance.credit_balance.balance == 10
