"""ExportUserData and PurgeUserData: what Billing hands over, erases and keeps for an account, over the wire."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import grpc
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc

from tests.integration.billing.conftest import Caller, Callers, deliver
from tests.integration.billing.helpers import assert_error, fails, fields
from tests.integration.billing.test_across_services import subscribe
from tests.integration.billing.test_webhooks import balance, credit_checkout
from tests.support.stripe_standin import StripeStandIn, event

Stub = billing_pb2_grpc.BillingServiceStub


async def customer_of(stub: Stub, admin: Caller, user: Caller) -> tuple[str, str]:
    """The user's Stripe customer and subscription ids, as admins see them."""
    sub = (
        await stub.GetSubscription(pb.GetSubscriptionRequest(name=f"{user.name}/subscription"), metadata=admin.auth)
    ).subscription
    return sub.provider_customer_id, sub.provider_subscription_id


async def a_paying_user(stub: Stub, stripe_api: StripeStandIn, callers: Callers) -> tuple[Caller, dict[str, Any], str]:
    """A premium subscriber with a paid invoice and 50 bought credits; returns the pack checkout and the subscription id."""
    user, admin = callers.user(), callers.admin()
    await subscribe(stub, stripe_api, user, "premium")
    customer, subscription_id = await customer_of(stub, admin, user)
    now = int(time.time())
    invoice = {
        "id": f"in_{uuid.uuid4().hex[:16]}",
        "object": "invoice",
        "customer": customer,
        "subscription": subscription_id,
        "billing_reason": "subscription_create",
        "amount_paid": 499,
        "currency": "usd",
        "number": f"INV-{uuid.uuid4().hex[:6]}",
        "hosted_invoice_url": "https://invoice.stripe.test/i/1",
        "lines": {"data": [{"price": {"id": "price_premium_m"}, "period": {"start": now, "end": now + 30 * 86400}}]},
    }
    assert (await deliver(stub, event("invoice.paid", invoice))).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    pack = dict(credit_checkout(user), customer=customer)
    await deliver(stub, event("checkout.session.completed", pack))
    return user, pack, subscription_id


async def export(stub: Stub, caller: Caller, user: Caller) -> dict[str, Any]:
    response = await stub.ExportUserData(pb.ExportUserDataRequest(name=user.name), metadata=caller.auth)
    assert response.document.content_type == "application/json"
    document: dict[str, Any] = json.loads(response.document.data)
    return document


async def purge(stub: Stub, caller: Caller, user: Caller) -> tuple[dict[str, int], dict[str, int], pb.PurgeUserDataResponse]:
    response = await stub.PurgeUserData(pb.PurgeUserDataRequest(name=user.name, request_id="deletion-1"), metadata=caller.auth)
    erased = {d.category: d.count for d in response.erased}
    retained = {d.category: d.count for d in response.retained}
    return erased, retained, response


async def test_export_holds_the_users_billing_data(billing: Stub, stripe_api: StripeStandIn, callers: Callers) -> None:
    user, _, _ = await a_paying_user(billing, stripe_api, callers)
    other = callers.user()
    await deliver(billing, event("checkout.session.completed", credit_checkout(other, credits=10, amount=500)))
    document = await export(billing, callers.service("auth"), user)
    assert set(document) == {
        "export_time", "user", "subscription", "payments", "credit_balance", "credit_ledger", "checkout_sessions",
    }  # fmt: skip
    assert document["user"] == user.name
    assert (document["subscription"]["plan"], document["subscription"]["status"]) == ("plans/premium", "active")
    assert sorted(p["kind"] for p in document["payments"]) == ["credit_pack", "subscription_start"]
    assert document["credit_balance"]["balance"] == 50
    assert [(e["kind"], e["delta"]) for e in document["credit_ledger"]] == [("purchase", 50)]
    assert [s["plan"] for s in document["checkout_sessions"]] == ["plans/premium"]
    # Only the user's own: the other user's purchase is not in it.
    assert all(p["name"].startswith(user.name + "/") for p in document["payments"])
    assert (await export(billing, callers.service("auth"), other))["subscription"] is None


async def test_export_and_purge_are_for_services_naming_one_user(billing: Stub, callers: Callers) -> None:
    user, service = callers.user(), callers.service("auth")
    # A user cannot call them, not even for themselves (Auth's export and deletion are the way in).
    denied = await fails(billing.ExportUserData(pb.ExportUserDataRequest(name=user.name), metadata=user.auth))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED
    denied = await fails(billing.PurgeUserData(pb.PurgeUserDataRequest(name=user.name), metadata=user.auth))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED
    # ACCESS_SERVICE methods are open to admins too.
    assert (await export(billing, callers.admin(), user))["user"] == user.name
    for name in ("users/me", "users/-", "plans/basic", ""):
        error = await fails(billing.PurgeUserData(pb.PurgeUserDataRequest(name=name), metadata=service.auth))
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert fields(error) == ["name"]
        error = await fails(billing.ExportUserData(pb.ExportUserDataRequest(name=name), metadata=service.auth))
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    long_id = await fails(
        billing.PurgeUserData(pb.PurgeUserDataRequest(name=user.name, request_id="r" * 129), metadata=service.auth)
    )
    assert fields(long_id) == ["request_id"]


async def test_purge_cancels_erases_keeps_accounting_and_is_idempotent(
    billing: Stub, stripe_api: StripeStandIn, callers: Callers
) -> None:
    user, pack, subscription_id = await a_paying_user(billing, stripe_api, callers)
    bystander, bystander_pack, _ = await a_paying_user(billing, stripe_api, callers)
    service, admin = callers.service("auth"), callers.admin()
    path = f"/v1/subscriptions/{subscription_id}"

    # Stripe down: nothing is erased, and the caller's retry does it all.
    stripe_api.fail_next(path, status=500, times=3)
    down = await fails(billing.PurgeUserData(pb.PurgeUserDataRequest(name=user.name), metadata=service.auth))
    assert_error(down, grpc.StatusCode.UNAVAILABLE, "PAYMENT_PROVIDER_UNAVAILABLE")
    assert await balance(billing, user) == 50
    # Stripe failing to delete the customer: nothing erased either (the cancellation is already done).
    customer_path = f"/v1/customers/{pack['customer']}"
    stripe_api.fail_next(customer_path, status=500, times=3)
    down = await fails(billing.PurgeUserData(pb.PurgeUserDataRequest(name=user.name), metadata=service.auth))
    assert_error(down, grpc.StatusCode.UNAVAILABLE, "PAYMENT_PROVIDER_UNAVAILABLE")
    assert await balance(billing, user) == 50
    assert not stripe_api.state.customers[pack["customer"]].get("deleted")

    erased, retained, response = await purge(billing, service, user)
    assert erased == {
        "credit_balance": 1,
        "credit_ledger": 1,
        "checkout_sessions": 1,
        "webhook_event_links": erased["webhook_event_links"],
    }
    assert erased["webhook_event_links"] >= 3  # checkout, subscription, invoice and pack events named the user
    assert retained == {"payment_records": 2, "subscription_records": 1, "payment_provider_link": 1}
    assert all("10 years" in d.description for d in response.retained)
    cancels = stripe_api.requests("DELETE", path)
    assert cancels
    assert stripe_api.state.subscriptions[subscription_id]["status"] == "canceled"
    # Stripe no longer holds the person (email, name, payment methods); the bystander's customer stays.
    assert stripe_api.state.customers[pack["customer"]]["deleted"] is True
    assert not stripe_api.state.customers[bystander_pack["customer"]].get("deleted")

    # The user is gone from Billing: no subscription, credits, payments or checkout; the free plan applies.
    missing = await fails(billing.GetSubscription(pb.GetSubscriptionRequest(name="users/me/subscription"), metadata=user.auth))
    assert_error(missing, grpc.StatusCode.NOT_FOUND, "NO_SUBSCRIPTION")
    assert await balance(billing, user) == 0
    assert not (await billing.ListPayments(pb.ListPaymentsRequest(parent=user.name), metadata=admin.auth)).payments
    entitlements = await billing.GetEntitlements(pb.GetEntitlementsRequest(name="users/me/entitlements"), metadata=user.auth)
    assert entitlements.entitlements.plan == "plans/free"
    after = await export(billing, service, user)
    assert (after["subscription"], after["payments"], after["credit_ledger"], after["checkout_sessions"]) == (None, [], [], [])

    # What accounting keeps is still there, under a pseudonym, without the personal links.
    kept = [
        p
        for p in (
            await billing.ListPayments(pb.ListPaymentsRequest(parent="users/-", page_size=100), metadata=admin.auth)
        ).payments
        if p.provider_payment_id == pack["payment_intent"]
    ]
    assert len(kept) == 1
    assert kept[0].name.startswith("users/erased-")
    assert user.user_id not in kept[0].name
    assert (kept[0].amount.units, kept[0].invoice_url, kept[0].receipt_url) == (20, "", "")

    # Again: nothing more erased, the same kept, no second cancellation.
    erased, retained, _ = await purge(billing, service, user)
    assert set(erased.values()) == {0}
    assert retained == {"payment_records": 2, "subscription_records": 1, "payment_provider_link": 1}
    assert len(stripe_api.requests("DELETE", path)) == len(cancels)

    # Stripe's late events about the erased customer never bring the user back.
    ended = dict(stripe_api.state.subscriptions[subscription_id])
    assert (await deliver(billing, event("customer.subscription.deleted", ended))).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    refund = {"id": f"ch_{uuid.uuid4().hex[:16]}", "payment_intent": pack["payment_intent"], "amount_refunded": 2000}
    assert (await deliver(billing, event("charge.refunded", refund))).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    late_pack = dict(credit_checkout(user), customer=pack["customer"])  # paid after the erasure
    assert (await deliver(billing, event("checkout.session.completed", late_pack))).outcome == pb.WEBHOOK_OUTCOME_PROCESSED
    missing = await fails(billing.GetSubscription(pb.GetSubscriptionRequest(name="users/me/subscription"), metadata=user.auth))
    assert_error(missing, grpc.StatusCode.NOT_FOUND, "NO_SUBSCRIPTION")
    assert await balance(billing, user) == 0
    assert (await export(billing, service, user))["credit_ledger"] == []
    events = await billing.ListWebhookEvents(pb.ListWebhookEventsRequest(user=user.name), metadata=admin.auth)
    assert not events.webhook_events

    # Another user's billing is untouched.
    assert await balance(billing, bystander) == 50
    assert (
        await billing.GetSubscription(pb.GetSubscriptionRequest(name="users/me/subscription"), metadata=bystander.auth)
    ).subscription.status == (pb.SUBSCRIPTION_STATUS_ACTIVE)


async def test_purging_a_user_billing_never_saw(billing: Stub, callers: Callers) -> None:
    erased, retained, _ = await purge(billing, callers.service("auth"), callers.user())
    assert set(erased.values()) == {0}
    assert set(retained.values()) == {0}
