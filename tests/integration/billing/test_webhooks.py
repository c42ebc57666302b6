"""HandleStripeWebhook: signatures, once-only processing, out-of-order delivery and the state it produces."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import grpc
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc

from tests.integration.billing.conftest import WEBHOOK_SECRET, Caller, Callers, deliver, webhook_request
from tests.integration.billing.helpers import assert_error, fails
from tests.support.stripe_standin import event, sign, subscription_object

Stub = billing_pb2_grpc.BillingServiceStub


def credit_checkout(user: Caller, credits: int = 50, amount: int = 2000) -> dict[str, Any]:
    session_id = f"cs_test_{uuid.uuid4().hex}"
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "customer": f"cus_{uuid.uuid4().hex[:14]}",
        "client_reference_id": user.user_id,
        "payment_intent": f"pi_{uuid.uuid4().hex[:20]}",
        "amount_total": amount,
        "currency": "usd",
        "metadata": {"user_id": user.user_id, "credit_pack": f"credits-{credits}", "credits": str(credits)},
    }


def subscription_for(user: Caller, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sub_id": f"sub_{uuid.uuid4().hex[:20]}",
        "customer": f"cus_{uuid.uuid4().hex[:14]}",
        "user_id": user.user_id,
        "price_id": "price_premium_m",
        "amount": 499,
    }
    values.update(overrides)
    return subscription_object(**values)


async def entitlements(stub: Stub, user: Caller) -> pb.Entitlements:
    response = await stub.GetEntitlements(pb.GetEntitlementsRequest(name="users/me/entitlements"), metadata=user.auth)
    return response.entitlements


async def balance(stub: Stub, user: Caller) -> int:
    response = await stub.GetCreditBalance(pb.GetCreditBalanceRequest(name="users/me/creditBalance"), metadata=user.auth)
    return response.credit_balance.balance


async def test_forged_webhooks_are_refused(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    request, payload = webhook_request(event("checkout.session.completed", credit_checkout(user)))

    async def send(signature: str | None, req: pb.HandleStripeWebhookRequest = request) -> Any:
        metadata = (("stripe-signature", signature),) if signature is not None else ()
        return await fails(billing.HandleStripeWebhook(req, metadata=metadata))

    for bad in (None, "", "garbage", "t=abc,v1=00", f"t={int(time.time())},v1={'0' * 64}", sign(payload, "whsec_wrong")):
        error = await send(bad)
        assert_error(error, grpc.StatusCode.UNAUTHENTICATED, "SIGNATURE_INVALID")
    # The signature covers the bytes: a body changed after signing fails.
    tampered = pb.HandleStripeWebhookRequest(body=request.body)
    tampered.body.data = payload.replace(b'"credits": "50"', b'"credits": "5000"')
    assert_error(await send(sign(payload, WEBHOOK_SECRET), tampered), grpc.StatusCode.UNAUTHENTICATED, "SIGNATURE_INVALID")
    stale = sign(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    assert_error(await send(stale), grpc.StatusCode.UNAUTHENTICATED, "EVENT_TOO_OLD")
    future = sign(payload, WEBHOOK_SECRET, timestamp=int(time.time()) + 3600)
    assert_error(await send(future), grpc.StatusCode.UNAUTHENTICATED, "EVENT_TOO_OLD")
    for body in (b"not json at all", b'{"id": "evt_1"}', b"[1, 2]"):
        req = pb.HandleStripeWebhookRequest(body=request.body)
        req.body.data = body
        error = await send(sign(body, WEBHOOK_SECRET), req)
        assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_EVENT")
    assert await balance(billing, user) == 0  # nothing was credited by any of them


async def test_the_same_event_ten_times_credits_once(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    completed = event("checkout.session.completed", credit_checkout(user))
    sequential = [await deliver(billing, completed) for _ in range(5)]
    concurrent = await asyncio.gather(*(deliver(billing, completed) for _ in range(5)))
    outcomes = [r.outcome for r in sequential + list(concurrent)]
    assert outcomes.count(pb.WEBHOOK_OUTCOME_PROCESSED) == 1
    assert outcomes.count(pb.WEBHOOK_OUTCOME_DUPLICATE) == 9
    assert await balance(billing, user) == 50
    ledger = await billing.ListCreditLedgerEntries(pb.ListCreditLedgerEntriesRequest(parent="users/me"), metadata=user.auth)
    assert [(e.kind, e.delta, e.credit_pack) for e in ledger.entries] == [
        (pb.CREDIT_ENTRY_KIND_PURCHASE, 50, "creditPacks/credits-50")
    ]
    payments = await billing.ListPayments(pb.ListPaymentsRequest(parent="users/me"), metadata=user.auth)
    assert len(payments.payments) == 1
    payment = payments.payments[0]
    assert (payment.kind, payment.status, payment.amount.units, payment.credits) == (
        pb.PAYMENT_KIND_CREDIT_PACK,
        pb.PAYMENT_STATUS_SUCCEEDED,
        20,
        50,
    )
    assert ledger.entries[0].payment == payment.name
    # A second, different event for the same checkout session credits nothing more either.
    replayed = dict(completed, id=f"evt_{uuid.uuid4().hex}")
    assert (await deliver(billing, replayed)).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    assert await balance(billing, user) == 50
    events = await billing.ListWebhookEvents(pb.ListWebhookEventsRequest(user=user.name), metadata=callers.admin().auth)
    first = next(e for e in events.webhook_events if e.name == f"webhookEvents/{completed['id']}")
    assert (first.outcome, first.delivery_count, first.type) == (pb.WEBHOOK_OUTCOME_PROCESSED, 10, "checkout.session.completed")


async def test_unknown_event_types_are_ignored(billing: Stub) -> None:
    response = await deliver(billing, event("customer.created", {"id": "cus_x", "object": "customer"}))
    assert response.outcome == pb.WEBHOOK_OUTCOME_IGNORED
    assert response.event_type == "customer.created"


async def test_updated_before_created(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    now = int(time.time())
    created = subscription_for(user, price_id="price_basic_m", amount=299)
    updated = json.loads(json.dumps(created))
    updated["items"]["data"][0]["price"] = {
        "id": "price_premium_m",
        "unit_amount": 499,
        "currency": "usd",
        "recurring": {"interval": "month"},
    }
    await deliver(billing, event("customer.subscription.updated", updated, created=now - 10))
    await deliver(billing, event("customer.subscription.created", created, created=now - 20))
    sub = (
        await billing.GetSubscription(pb.GetSubscriptionRequest(name="users/me/subscription"), metadata=user.auth)
    ).subscription
    assert (sub.plan, sub.status, sub.price.units, sub.price.nanos) == (
        "plans/premium",
        pb.SUBSCRIPTION_STATUS_ACTIVE,
        4,
        990_000_000,
    )
    ent = await entitlements(billing, user)
    assert (ent.plan, ent.values.max_video_quality, ent.values.max_concurrent_streams, ent.values.ads_enabled) == (
        "plans/premium",
        pb.VIDEO_QUALITY_1080P,
        4,
        False,
    )


async def test_deleted_before_updated(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    now = int(time.time())
    active = subscription_for(user)
    deleted = dict(active, status="canceled", ended_at=now - 5, canceled_at=now - 5)
    await deliver(billing, event("customer.subscription.created", active, created=now - 30))
    await deliver(billing, event("customer.subscription.deleted", deleted, created=now - 5))
    await deliver(billing, event("customer.subscription.updated", dict(active, cancel_at_period_end=True), created=now - 15))
    sub = (
        await billing.GetSubscription(pb.GetSubscriptionRequest(name=f"{user.name}/subscription"), metadata=user.auth)
    ).subscription
    assert sub.status == pb.SUBSCRIPTION_STATUS_CANCELED
    assert sub.HasField("end_time")
    ent = await entitlements(billing, user)
    assert (ent.plan, ent.subscription_status, ent.values.ads_enabled) == ("plans/free", pb.SUBSCRIPTION_STATUS_CANCELED, True)


async def test_payment_failure_grace_and_recovery(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    now = int(time.time())
    sub = subscription_for(user, price_id="price_basic_m", amount=299)
    await deliver(billing, event("customer.subscription.created", sub, created=now - 60))
    invoice = {
        "id": f"in_{uuid.uuid4().hex[:20]}",
        "object": "invoice",
        "customer": sub["customer"],
        "subscription": sub["id"],
        "amount_due": 299,
        "amount_paid": 0,
        "currency": "usd",
        "billing_reason": "subscription_cycle",
        "number": "KF-0001",
        "lines": {"data": [{"period": {"start": now, "end": now + 30 * 86400}, "price": {"id": "price_basic_m"}}]},
    }
    await deliver(billing, event("invoice.payment_failed", invoice, created=now - 50))
    ent = await entitlements(billing, user)
    assert (ent.plan, ent.subscription_status, ent.in_grace_period) == ("plans/basic", pb.SUBSCRIPTION_STATUS_PAST_DUE, True)
    assert ent.HasField("plan_end_time")
    assert ent.expire_time.seconds <= ent.plan_end_time.seconds
    payments = await billing.ListPayments(
        pb.ListPaymentsRequest(parent="users/me", statuses=[pb.PAYMENT_STATUS_FAILED]), metadata=user.auth
    )
    assert [p.invoice_number for p in payments.payments] == ["KF-0001"]
    # An older "active" update arriving late does not clear the failure.
    await deliver(billing, event("customer.subscription.updated", sub, created=now - 55))
    assert (await entitlements(billing, user)).subscription_status == pb.SUBSCRIPTION_STATUS_PAST_DUE
    await deliver(
        billing, event("invoice.paid", dict(invoice, amount_paid=299, status_transitions={"paid_at": now}), created=now - 40)
    )
    ent = await entitlements(billing, user)
    assert (ent.plan, ent.subscription_status, ent.in_grace_period) == ("plans/basic", pb.SUBSCRIPTION_STATUS_ACTIVE, False)
    paid = await billing.ListPayments(pb.ListPaymentsRequest(parent="users/me"), metadata=user.auth)
    assert [(p.status, p.kind) for p in paid.payments] == [(pb.PAYMENT_STATUS_SUCCEEDED, pb.PAYMENT_KIND_SUBSCRIPTION_RENEWAL)]


async def test_past_due_after_grace_falls_back_to_free(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    now = int(time.time())
    sub = subscription_for(user)
    # Stripe reported PAST_DUE eight days ago: the seven-day grace period is over.
    await deliver(billing, event("customer.subscription.updated", dict(sub, status="past_due"), created=now - 8 * 86400))
    ent = await entitlements(billing, user)
    assert (ent.plan, ent.subscription_status, ent.in_grace_period) == ("plans/free", pb.SUBSCRIPTION_STATUS_PAST_DUE, False)


async def test_cancel_at_period_end_applies_at_the_right_time(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    now = int(time.time())
    ending = subscription_for(user, period_start=now - 30 * 86400, period_end=now - 1, cancel_at_period_end=True)
    await deliver(billing, event("customer.subscription.updated", ending, created=now - 100))
    assert (await entitlements(billing, user)).plan == "plans/free"  # the period ended, even before Stripe's deleted event
    later = callers.user()
    running = subscription_for(later, period_end=now + 86400, cancel_at_period_end=True)
    await deliver(billing, event("customer.subscription.updated", running, created=now))
    ent = await entitlements(billing, later)
    assert ent.plan == "plans/premium"
    assert ent.plan_end_time.seconds == now + 86400


async def test_charge_refunded_reverses_pack_credits(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    checkout = credit_checkout(user, credits=10, amount=500)
    await deliver(billing, event("checkout.session.completed", checkout))
    notes = callers.service("notes")
    await billing.SpendCredits(
        pb.SpendCreditsRequest(user=user.name, amount=7, reason="notes", request_id="s1"), metadata=notes.auth
    )
    charge = {
        "id": f"ch_{uuid.uuid4().hex[:20]}",
        "object": "charge",
        "payment_intent": checkout["payment_intent"],
        "amount": 500,
        "amount_refunded": 250,
    }
    half = event("charge.refunded", charge)
    await deliver(billing, half)
    assert await balance(billing, user) == 0  # 5 credits reversed: only 3 were left, never below zero
    await deliver(billing, half)
    full = event("charge.refunded", dict(charge, amount_refunded=500))
    await deliver(billing, full)
    assert await balance(billing, user) == 0
    payment = (await billing.ListPayments(pb.ListPaymentsRequest(parent="users/me"), metadata=user.auth)).payments[0]
    assert (payment.status, payment.amount_refunded.units) == (pb.PAYMENT_STATUS_REFUNDED, 5)
    reversals = await billing.ListCreditLedgerEntries(
        pb.ListCreditLedgerEntriesRequest(parent="users/me", kinds=[pb.CREDIT_ENTRY_KIND_PURCHASE_REVERSAL]), metadata=user.auth
    )
    assert [e.delta for e in reversals.entries] == [0, -3]


async def test_checkout_expired_and_failures_are_recorded(billing: Stub, callers: Callers) -> None:
    # A subscription event for a customer nobody knows cannot be applied: non-OK so Stripe retries, stored as FAILED.
    orphan = subscription_object(sub_id="sub_orphan", customer="cus_nobody", user_id="", price_id="price_basic_m", amount=299)
    orphan["metadata"] = {}
    failed_event = event("customer.subscription.updated", orphan)
    error = await fails(deliver(billing, failed_event))
    assert_error(error, grpc.StatusCode.FAILED_PRECONDITION, "EVENT_OBJECT_UNKNOWN")
    events = await billing.ListWebhookEvents(
        pb.ListWebhookEventsRequest(outcomes=[pb.WEBHOOK_OUTCOME_FAILED]), metadata=callers.admin().auth
    )
    assert f"webhookEvents/{failed_event['id']}" in [e.name for e in events.webhook_events]
    denied = await fails(billing.ListWebhookEvents(pb.ListWebhookEventsRequest(), metadata=callers.user().auth))
    assert (denied.code, denied.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")


async def test_dispute_reverses_remaining_pack_credits(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    checkout = credit_checkout(user, credits=10, amount=500)
    await deliver(billing, event("checkout.session.completed", checkout))
    dispute = {
        "id": f"dp_{uuid.uuid4().hex[:16]}",
        "object": "dispute",
        "charge": "ch_unknown",
        "payment_intent": checkout["payment_intent"],
    }
    assert (await deliver(billing, event("charge.dispute.created", dispute))).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    assert await balance(billing, user) == 0
    payment = (await billing.ListPayments(pb.ListPaymentsRequest(parent="users/me"), metadata=user.auth)).payments[0]
    assert payment.status == pb.PAYMENT_STATUS_DISPUTED
    refund = await fails(billing.RefundPayment(pb.RefundPaymentRequest(name=payment.name), metadata=callers.admin().auth))
    assert_error(refund, grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_NOT_REFUNDABLE")


async def test_payment_action_required_and_trial_will_end(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    now = int(time.time())
    trial = subscription_for(user, status="trialing")
    trial.update(trial_start=now - 86400, trial_end=now + 3 * 86400)
    assert (await deliver(billing, event("customer.subscription.trial_will_end", trial))).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    ent = await entitlements(billing, user)
    assert (ent.plan, ent.subscription_status) == ("plans/premium", pb.SUBSCRIPTION_STATUS_TRIALING)
    invoice = {
        "id": f"in_{uuid.uuid4().hex[:20]}",
        "object": "invoice",
        "customer": trial["customer"],
        "subscription": trial["id"],
        "amount_due": 499,
        "currency": "usd",
        "billing_reason": "subscription_cycle",
        "hosted_invoice_url": "https://invoice.stripe.test/i/1",
    }
    await deliver(billing, event("invoice.payment_action_required", invoice))
    payment = (await billing.ListPayments(pb.ListPaymentsRequest(parent="users/me"), metadata=user.auth)).payments[0]
    assert (payment.status, payment.invoice_url) == (pb.PAYMENT_STATUS_REQUIRES_ACTION, "https://invoice.stripe.test/i/1")
