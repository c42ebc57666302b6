"""HandleStripeWebhook with validly signed but malformed events: each answers a clear status
(never INTERNAL), is stored FAILED with its reason, and changes nothing.

Signed with the `stripe` library's own scheme (`WebhookSignature.generate_signature_header`),
so the bytes Billing verifies are exactly what Stripe would send.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import grpc
import pytest
import stripe
from google.api import httpbody_pb2
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc

from tests.integration.billing.conftest import REDIRECT, WEBHOOK_SECRET, Caller, Callers
from tests.integration.billing.helpers import assert_error, fails, fields
from tests.integration.billing.test_webhooks import balance, credit_checkout, subscription_for
from tests.support.stripe_standin import event

Stub = billing_pb2_grpc.BillingServiceStub


async def post(stub: Stub, body: bytes) -> pb.HandleStripeWebhookResponse:
    signature = stripe.WebhookSignature.generate_signature_header(body.decode(), WEBHOOK_SECRET)
    request = pb.HandleStripeWebhookRequest(body=httpbody_pb2.HttpBody(content_type="application/json", data=body))
    response: pb.HandleStripeWebhookResponse = await stub.HandleStripeWebhook(
        request, metadata=(("stripe-signature", signature),)
    )
    return response


async def stored(stub: Stub, admin: Caller, event_id: str) -> pb.WebhookEvent:
    """The stored event `webhookEvents/{event_id}`, paging through the FAILED ones."""
    token = ""
    while True:
        page = await stub.ListWebhookEvents(
            pb.ListWebhookEventsRequest(outcomes=[pb.WEBHOOK_OUTCOME_FAILED], page_size=200, page_token=token),
            metadata=admin.auth,
        )
        for found in page.webhook_events:
            if found.name == f"webhookEvents/{event_id}":
                return found
        if not page.next_page_token:
            raise AssertionError(f"{event_id} was not stored as FAILED")
        token = page.next_page_token


async def nothing_applied(stub: Stub, user: Caller) -> None:
    """No credits, no payment, no subscription and no Stripe customer link for the user."""
    assert await balance(stub, user) == 0
    payments = await stub.ListPayments(pb.ListPaymentsRequest(parent="users/me"), metadata=user.auth)
    assert list(payments.payments) == []
    missing = await fails(stub.GetSubscription(pb.GetSubscriptionRequest(name="users/me/subscription"), metadata=user.auth))
    assert_error(missing, grpc.StatusCode.NOT_FOUND, "NO_SUBSCRIPTION")
    portal = await fails(
        stub.CreatePortalSession(
            pb.CreatePortalSessionRequest(parent="users/me", portal_session=pb.PortalSession(return_url=REDIRECT)),
            metadata=user.auth,
        )
    )
    assert_error(portal, grpc.StatusCode.FAILED_PRECONDITION, "NO_BILLING_ACCOUNT")


def with_metadata(user: Caller, **metadata: Any) -> dict[str, Any]:
    checkout = credit_checkout(user)
    checkout["metadata"] = metadata
    return checkout


# (case, event type, the object for `user`, the field the error names)
MALFORMED: list[tuple[str, str, Any, str]] = [
    (
        "credits not a number",
        "checkout.session.completed",
        lambda user: with_metadata(user, user_id=user.user_id, credit_pack="credits-50", credits="abc"),
        "data.object.metadata.credits",
    ),
    (
        "metadata a list",
        "checkout.session.completed",
        lambda user: dict(credit_checkout(user), metadata=[user.user_id, "credits-50"]),
        "data.object.metadata",
    ),
    (
        "items a string",
        "customer.subscription.updated",
        lambda user: dict(subscription_for(user), items="price_premium_m"),
        "data.object.items",
    ),
    (
        "amount beyond any column",
        "checkout.session.completed",
        lambda user: dict(credit_checkout(user), amount_total=10**30),
        "data.object.amount_total",
    ),
    (
        "credits beyond any column",
        "checkout.session.completed",
        lambda user: with_metadata(user, user_id=user.user_id, credit_pack="credits-50", credits=str(10**30)),
        "data.object.metadata.credits",
    ),
    (
        "a float amount",
        "checkout.session.completed",
        lambda user: dict(credit_checkout(user), amount_total=1e308),
        "data.object.amount_total",
    ),
    (
        "unknown subscription status",
        "customer.subscription.updated",
        lambda user: dict(subscription_for(user), status="exploded"),
        "data.object.status",
    ),
    (
        "period end in year 33658",
        "customer.subscription.updated",
        lambda user: dict(subscription_for(user), current_period_end=10**12),
        "data.object.current_period_end",
    ),
    (
        "customer an array",
        "customer.subscription.created",
        lambda user: dict(subscription_for(user), customer=["cus_a", "cus_b"]),
        "data.object.customer",
    ),
    (
        "an invoice's lines a number",
        "invoice.paid",
        lambda user: {"id": f"in_{uuid.uuid4().hex[:16]}", "metadata": {"user_id": user.user_id}, "lines": 7},
        "data.object.lines",
    ),
]


@pytest.mark.parametrize(("case", "event_type", "make", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_malformed_content_is_refused_stored_and_not_applied(
    billing: Stub, callers: Callers, case: str, event_type: str, make: Any, field: str
) -> None:
    user, admin = callers.user(), callers.admin()
    sent = event(event_type, make(user))
    error = await fails(post(billing, json.dumps(sent).encode()))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_EVENT")
    assert fields(error) == [field]
    record = await stored(billing, admin, sent["id"])
    assert (record.type, record.delivery_count) == (event_type, 1)
    assert field in record.error.message
    await nothing_applied(billing, user)
    # Stripe's redelivery of the same bytes gets the same answer and counts the delivery.
    again = await fails(post(billing, json.dumps(sent).encode()))
    assert_error(again, grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_EVENT")
    assert (await stored(billing, admin, sent["id"])).delivery_count == 2


async def test_created_in_year_33658(billing: Stub, callers: Callers) -> None:
    user, admin = callers.user(), callers.admin()
    sent = event("checkout.session.completed", credit_checkout(user), created=10**12)
    error = await fails(post(billing, json.dumps(sent).encode()))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_EVENT")
    assert fields(error) == ["created"]
    record = await stored(billing, admin, sent["id"])
    assert not record.HasField("event_create_time")  # the bad time itself is not stored
    await nothing_applied(billing, user)


async def test_json_nested_5000_deep_is_stored_by_its_bytes(billing: Stub, callers: Callers) -> None:
    deep = "[" * 5000 + "]" * 5000
    head = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "type": "invoice.paid"})[:-1]
    body = f'{head}, "data": {{"object": {{"metadata": {deep}}}}}}}'.encode()
    error = await fails(post(billing, body))
    assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_EVENT")
    assert fields(error) == ["body"]
    record = await stored(billing, callers.admin(), "unreadable-" + hashlib.sha256(body).hexdigest()[:40])
    assert "deeper" in record.error.message
    health = await billing.ListPlans(pb.ListPlansRequest())  # the server is fine afterwards
    assert health.plans


async def test_refund_and_dispute_for_a_payment_never_seen(billing: Stub, callers: Callers) -> None:
    user, admin = callers.user(), callers.admin()
    checkout = credit_checkout(user, credits=10, amount=500)
    refund = event(
        "charge.refunded",
        {"id": f"ch_{uuid.uuid4().hex[:16]}", "payment_intent": checkout["payment_intent"], "amount_refunded": 500},
    )
    dispute = event("charge.dispute.created", {"id": f"dp_{uuid.uuid4().hex[:16]}", "charge": "ch_never_seen"})
    for sent in (refund, dispute):
        error = await fails(post(billing, json.dumps(sent).encode()))
        assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "EVENT_OBJECT_UNKNOWN")
        assert (await stored(billing, admin, sent["id"])).type == sent["type"]
    await nothing_applied(billing, user)
    # The refund arrived before its purchase: once the purchase is known, Stripe's retry applies it.
    assert (await post(billing, json.dumps(event("checkout.session.completed", checkout)).encode())).outcome == (
        pb.WEBHOOK_OUTCOME_PROCESSED
    )
    assert await balance(billing, user) == 10
    assert (await post(billing, json.dumps(refund).encode())).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    assert await balance(billing, user) == 0
    payment = (await billing.ListPayments(pb.ListPaymentsRequest(parent="users/me"), metadata=user.auth)).payments[0]
    assert payment.status == pb.PAYMENT_STATUS_REFUNDED


async def test_an_unknown_type_with_any_content_is_ignored(billing: Stub) -> None:
    sent = event("customer.tax_id.created", {"id": "txi_1", "metadata": [1, 2], "value": 10**30})
    response = await post(billing, json.dumps(sent).encode())
    assert response.outcome == pb.WEBHOOK_OUTCOME_IGNORED
