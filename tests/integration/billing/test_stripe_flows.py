"""Checkout, portal, subscription changes and refunds against the Stripe stand-in: what Billing sends and keeps."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.type import date_pb2, money_pb2
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc
from pydantic import SecretStr

from services.app import build_server
from services.core.settings import Settings
from tests.integration.billing.conftest import REDIRECT, Callers, billing_deps, deliver
from tests.integration.billing.helpers import assert_error, fails, fields
from tests.support.stripe_standin import StripeStandIn, event, subscription_object

Stub = billing_pb2_grpc.BillingServiceStub


def hosted(**purchase: object) -> pb.CheckoutSession:
    return pb.CheckoutSession(success_url=REDIRECT + "?s={CHECKOUT_SESSION_ID}", cancel_url=REDIRECT, **purchase)  # type: ignore[arg-type]


def premium() -> pb.PlanSelection:
    return pb.PlanSelection(plan="plans/premium", interval=pb.BILLING_INTERVAL_MONTH)


async def test_plans_and_packs_from_defaults(billing: Stub, callers: Callers) -> None:
    plans = (await billing.ListPlans(pb.ListPlansRequest())).plans
    assert [p.name for p in plans] == ["plans/free", "plans/basic", "plans/premium"]
    free, basic, prem = plans
    assert [(p.prices[0].amount.units, p.prices[0].amount.nanos) for p in plans] == [(0, 0), (2, 990_000_000), (4, 990_000_000)]
    assert [p.entitlements.max_video_quality for p in plans] == [
        pb.VIDEO_QUALITY_480P,
        pb.VIDEO_QUALITY_720P,
        pb.VIDEO_QUALITY_1080P,
    ]
    assert [p.entitlements.max_concurrent_streams for p in plans] == [1, 2, 4]
    assert (free.entitlements.ads_enabled, basic.entitlements.ads_enabled, prem.entitlements.early_access) == (True, False, True)
    assert basic.entitlements.downloads_allowed
    assert not free.entitlements.downloads_allowed
    assert basic.prices[0].provider_price_id == ""  # admins only
    admin_view = await billing.GetPlan(pb.GetPlanRequest(name="plans/basic"), metadata=callers.admin().auth)
    assert admin_view.plan.prices[0].provider_price_id == "price_basic_m"
    packs = (await billing.ListCreditPacks(pb.ListCreditPacksRequest())).credit_packs
    assert [(p.credits, p.price.units) for p in packs] == [(10, 5), (50, 20), (100, 35)]
    assert (packs[1].unit_price.units, packs[1].unit_price.nanos) == (0, 400_000_000)
    missing = await fails(billing.GetPlan(pb.GetPlanRequest(name="plans/gold")))
    assert (missing.code, missing.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    page = await billing.ListPlans(pb.ListPlansRequest(page_size=2))
    rest = await billing.ListPlans(pb.ListPlansRequest(page_size=2, page_token=page.next_page_token))
    assert [p.name for p in rest.plans] == ["plans/premium"]
    assert not rest.next_page_token


async def test_new_user_entitlements_are_free(billing: Stub, callers: Callers) -> None:
    user = callers.user()
    ent = (
        await billing.GetEntitlements(pb.GetEntitlementsRequest(name="users/me/entitlements"), metadata=user.auth)
    ).entitlements
    assert (ent.plan, ent.subscription_status, ent.values.max_video_quality) == ("plans/free", 0, pb.VIDEO_QUALITY_480P)
    assert ent.max_age.seconds == 300
    batch = await billing.BatchGetEntitlements(
        pb.BatchGetEntitlementsRequest(
            names=[f"{user.name}/entitlements", "users/nobody/entitlements", f"{user.name}/entitlements"]
        ),
        metadata=callers.service("media").auth,
    )
    assert [e.name for e in batch.entitlements] == [
        f"{user.name}/entitlements",
        "users/nobody/entitlements",
        f"{user.name}/entitlements",
    ]
    bad = await fails(
        billing.BatchGetEntitlements(pb.BatchGetEntitlementsRequest(names=["users/x"]), metadata=callers.service().auth)
    )
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT
    assert bad.bad_request is not None
    too_many = await fails(
        billing.BatchGetEntitlements(
            pb.BatchGetEntitlementsRequest(names=[f"users/u{i}/entitlements" for i in range(101)]),
            metadata=callers.service().auth,
        )
    )
    assert too_many.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_credit_pack_checkout_end_to_end(billing: Stub, callers: Callers, stripe_api: StripeStandIn) -> None:
    user = callers.user()
    before = len(stripe_api.requests("POST", "/v1/customers"))
    request = pb.CreateCheckoutSessionRequest(
        parent="users/me", checkout_session=hosted(credit_pack="creditPacks/credits-10"), request_id=str(uuid.uuid4())
    )
    created = (await billing.CreateCheckoutSession(request, metadata=user.auth)).checkout_session
    again = (await billing.CreateCheckoutSession(request, metadata=user.auth)).checkout_session
    assert again.name == created.name  # the same request_id returns the first session
    assert created.url.startswith("https://checkout.stripe.test/")
    assert created.state == pb.CHECKOUT_SESSION_STATE_OPEN
    assert (created.mode, created.amount_total.units, created.fulfilled) == (pb.CHECKOUT_MODE_PAYMENT, 5, False)
    customers = stripe_api.requests("POST", "/v1/customers")[before:]
    assert len(customers) == 1
    assert customers[0].form["metadata[user_id]"] == user.user_id
    assert customers[0].headers["idempotency-key"].startswith("marquee-")
    sessions = [
        r for r in stripe_api.requests("POST", "/v1/checkout/sessions") if r.form.get("metadata[user_id]") == user.user_id
    ]
    assert len(sessions) == 1
    sent = sessions[0]
    assert sent.headers["idempotency-key"].startswith("marquee-")
    assert sent.headers["authorization"] == "Bearer sk_test_standin"
    assert (sent.form["mode"], sent.form["line_items[0][price]"], sent.form["metadata[credits]"]) == (
        "payment",
        "price_credits_10",
        "10",
    )
    # A second purchase reuses the customer.
    other = pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(credit_pack="creditPacks/credits-50"))
    await billing.CreateCheckoutSession(other, metadata=user.auth)
    assert len(stripe_api.requests("POST", "/v1/customers")) == before + 1
    session_id = created.name.rsplit("/", 1)[1]
    completed = {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "customer": sent.form["customer"],
        "payment_intent": f"pi_{uuid.uuid4().hex[:20]}",
        "amount_total": 500,
        "currency": "usd",
        "metadata": {"user_id": user.user_id},
    }
    await deliver(billing, event("checkout.session.completed", completed))
    got = (await billing.GetCheckoutSession(pb.GetCheckoutSessionRequest(name=created.name), metadata=user.auth)).checkout_session
    assert (got.state, got.fulfilled) == (pb.CHECKOUT_SESSION_STATE_COMPLETE, True)
    assert got.payment
    balance = await billing.GetCreditBalance(pb.GetCreditBalanceRequest(name="users/me/creditBalance"), metadata=user.auth)
    assert (balance.credit_balance.balance, balance.credit_balance.lifetime_purchased) == (10, 10)
    stranger = callers.user()
    hidden = await fails(billing.GetCheckoutSession(pb.GetCheckoutSessionRequest(name=created.name), metadata=stranger.auth))
    assert (hidden.code, hidden.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    payment = await fails(billing.GetPayment(pb.GetPaymentRequest(name=got.payment), metadata=stranger.auth))
    assert (payment.code, payment.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    listed = await fails(billing.ListPayments(pb.ListPaymentsRequest(parent=user.name), metadata=stranger.auth))
    assert (listed.code, listed.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    everyone = await fails(billing.ListPayments(pb.ListPaymentsRequest(parent="users/-"), metadata=stranger.auth))
    assert everyone.code == grpc.StatusCode.NOT_FOUND
    # `users/-` is for those who may name any user: admins and services (the contract and the names rule agree).
    for caller in (callers.admin(), callers.service("auth")):
        every = await billing.ListPayments(pb.ListPaymentsRequest(parent="users/-", page_size=100), metadata=caller.auth)
        assert got.payment in {p.name for p in every.payments}
    own = (await billing.GetPayment(pb.GetPaymentRequest(name=got.payment), metadata=user.auth)).payment
    assert own.provider_payment_id == ""
    assert own.credits == 10


async def test_checkout_validation(billing: Stub, callers: Callers) -> None:
    user = callers.user()

    async def create(session: pb.CheckoutSession, parent: str = "users/me") -> object:
        return await fails(
            billing.CreateCheckoutSession(
                pb.CreateCheckoutSessionRequest(parent=parent, checkout_session=session), metadata=user.auth
            )
        )

    free = await create(hosted(subscription_plan=pb.PlanSelection(plan="plans/free", interval=pb.BILLING_INTERVAL_MONTH)))
    assert_error(free, grpc.StatusCode.INVALID_ARGUMENT, "UNKNOWN_PLAN")  # type: ignore[arg-type]
    yearly = await create(hosted(subscription_plan=pb.PlanSelection(plan="plans/basic", interval=pb.BILLING_INTERVAL_YEAR)))
    assert_error(yearly, grpc.StatusCode.INVALID_ARGUMENT, "UNKNOWN_PLAN")  # type: ignore[arg-type]
    pack = await create(hosted(credit_pack="creditPacks/credits-7"))
    assert_error(pack, grpc.StatusCode.INVALID_ARGUMENT, "UNKNOWN_CREDIT_PACK")  # type: ignore[arg-type]
    evil = await create(
        pb.CheckoutSession(credit_pack="creditPacks/credits-10", success_url="https://evil.test/", cancel_url=REDIRECT)
    )
    assert_error(evil, grpc.StatusCode.INVALID_ARGUMENT, "REDIRECT_URL_NOT_ALLOWED")  # type: ignore[arg-type]
    nothing = await create(pb.CheckoutSession(success_url=REDIRECT, cancel_url=REDIRECT))
    assert nothing.code == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    for_other = await create(hosted(credit_pack="creditPacks/credits-10"), parent=callers.user().name)
    assert for_other.code == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]


async def test_subscription_lifecycle(billing: Stub, callers: Callers, stripe_api: StripeStandIn) -> None:
    user = callers.user()
    created = (
        await billing.CreateCheckoutSession(
            pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(subscription_plan=premium())),
            metadata=user.auth,
        )
    ).checkout_session
    assert (created.mode, created.amount_total.units) == (pb.CHECKOUT_MODE_SUBSCRIPTION, 4)
    sent = next(
        r for r in stripe_api.requests("POST", "/v1/checkout/sessions") if r.form.get("metadata[user_id]") == user.user_id
    )
    assert (sent.form["mode"], sent.form["line_items[0][price]"]) == ("subscription", "price_premium_m")
    customer = sent.form["customer"]
    session_id = created.name.rsplit("/", 1)[1]
    sub = subscription_object(
        sub_id=f"sub_{uuid.uuid4().hex[:20]}", customer=customer, user_id=user.user_id, price_id="price_premium_m", amount=499
    )
    stripe_api.put_subscription(sub)
    await deliver(
        billing,
        event(
            "checkout.session.completed",
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": "subscription",
                "customer": customer,
                "subscription": sub["id"],
                "payment_status": "paid",
            },
        ),
    )
    pending = (
        await billing.GetCheckoutSession(pb.GetCheckoutSessionRequest(name=created.name), metadata=user.auth)
    ).checkout_session
    assert (pending.state, pending.fulfilled) == (pb.CHECKOUT_SESSION_STATE_COMPLETE, False)
    await deliver(billing, event("customer.subscription.created", sub))
    done = (
        await billing.GetCheckoutSession(pb.GetCheckoutSessionRequest(name=created.name), metadata=user.auth)
    ).checkout_session
    assert done.fulfilled
    assert done.subscription == f"{user.name}/subscription"
    again = await fails(
        billing.CreateCheckoutSession(
            pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(subscription_plan=premium())),
            metadata=user.auth,
        )
    )
    assert_error(again, grpc.StatusCode.FAILED_PRECONDITION, "SUBSCRIPTION_ALREADY_ACTIVE")

    name = "users/me/subscription"
    cancel = pb.CancelSubscriptionRequest(name=name, feedback=pb.CANCELLATION_FEEDBACK_TOO_EXPENSIVE, request_id="c1")
    cancelled = (await billing.CancelSubscription(cancel, metadata=user.auth)).subscription
    assert cancelled.cancel_at_period_end
    assert cancelled.status == pb.SUBSCRIPTION_STATUS_ACTIVE
    assert cancelled.cancellation.feedback == pb.CANCELLATION_FEEDBACK_TOO_EXPENSIVE
    assert not cancelled.HasField("next_invoice_time")
    updates = stripe_api.requests("POST", f"/v1/subscriptions/{sub['id']}")
    assert updates[-1].form["cancel_at_period_end"] == "true"
    assert updates[-1].headers["idempotency-key"].startswith("marquee-")
    repeat = (await billing.CancelSubscription(pb.CancelSubscriptionRequest(name=name), metadata=user.auth)).subscription
    assert repeat.cancel_at_period_end
    assert len(stripe_api.requests("POST", f"/v1/subscriptions/{sub['id']}")) == len(updates)
    ent = (
        await billing.GetEntitlements(pb.GetEntitlementsRequest(name="users/me/entitlements"), metadata=user.auth)
    ).entitlements
    assert ent.plan == "plans/premium"
    assert ent.plan_end_time == cancelled.current_period_end_time
    resumed = (await billing.ResumeSubscription(pb.ResumeSubscriptionRequest(name=name), metadata=user.auth)).subscription
    assert not resumed.cancel_at_period_end
    assert resumed.HasField("next_invoice_time")
    assert stripe_api.requests("POST", f"/v1/subscriptions/{sub['id']}")[-1].form["cancel_at_period_end"] == "false"

    same = await fails(
        billing.ChangeSubscriptionPlan(pb.ChangeSubscriptionPlanRequest(name=name, target=premium()), metadata=user.auth)
    )
    assert_error(same, grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_ON_PLAN")
    basic = pb.PlanSelection(plan="plans/basic", interval=pb.BILLING_INTERVAL_MONTH)
    preview = await billing.ChangeSubscriptionPlan(
        pb.ChangeSubscriptionPlanRequest(name=name, target=basic, validate_only=True), metadata=user.auth
    )
    assert preview.subscription.plan == "plans/premium"
    assert preview.proration.amount_due_now.units == 0
    calls = len(stripe_api.requests("POST", f"/v1/subscriptions/{sub['id']}"))
    downgrade = await billing.ChangeSubscriptionPlan(
        pb.ChangeSubscriptionPlanRequest(name=name, target=basic, request_id="d1"), metadata=user.auth
    )
    sent_change = stripe_api.requests("POST", f"/v1/subscriptions/{sub['id']}")[calls]
    assert (sent_change.form["items[0][price]"], sent_change.form["proration_behavior"]) == ("price_basic_m", "none")
    assert downgrade.subscription.plan == "plans/premium"
    assert downgrade.subscription.pending_change.plan == "plans/basic"
    # Stripe's own update event for the scheduled change keeps the paid-for plan until the period ends.
    await deliver(billing, event("customer.subscription.updated", stripe_api.state.subscriptions[sub["id"]]))
    still = (await billing.GetSubscription(pb.GetSubscriptionRequest(name=name), metadata=user.auth)).subscription
    assert (still.plan, still.pending_change.plan) == ("plans/premium", "plans/basic")
    undo = await billing.ChangeSubscriptionPlan(pb.ChangeSubscriptionPlanRequest(name=name, target=premium()), metadata=user.auth)
    assert undo.subscription.plan == "plans/premium"
    assert not undo.subscription.HasField("pending_change")

    other = callers.user()
    for call in (
        billing.GetSubscription(pb.GetSubscriptionRequest(name=f"{user.name}/subscription"), metadata=other.auth),
        billing.CancelSubscription(pb.CancelSubscriptionRequest(name=f"{user.name}/subscription"), metadata=other.auth),
        billing.ResumeSubscription(pb.ResumeSubscriptionRequest(name=f"{user.name}/subscription"), metadata=other.auth),
        billing.ChangeSubscriptionPlan(
            pb.ChangeSubscriptionPlanRequest(name=f"{user.name}/subscription", target=basic), metadata=other.auth
        ),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    none = await fails(billing.GetSubscription(pb.GetSubscriptionRequest(name="users/me/subscription"), metadata=other.auth))
    assert_error(none, grpc.StatusCode.NOT_FOUND, "NO_SUBSCRIPTION")
    no_cancel = await fails(
        billing.CancelSubscription(pb.CancelSubscriptionRequest(name="users/me/subscription"), metadata=other.auth)
    )
    assert_error(no_cancel, grpc.StatusCode.FAILED_PRECONDITION, "NO_SUBSCRIPTION")
    refund_time = await fails(
        billing.CancelSubscription(
            pb.CancelSubscriptionRequest(name=name, mode=pb.CANCEL_MODE_IMMEDIATELY, refund_unused_time=True), metadata=user.auth
        )
    )
    assert (refund_time.code, refund_time.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")

    upgrade_user = callers.user()
    up_sub = subscription_object(
        sub_id=f"sub_{uuid.uuid4().hex[:20]}",
        customer=f"cus_{uuid.uuid4().hex[:10]}",
        user_id=upgrade_user.user_id,
        price_id="price_basic_m",
        amount=299,
        period_start=int(time.time()) - 15 * 86400,
        period_end=int(time.time()) + 15 * 86400,
    )
    stripe_api.put_subscription(up_sub)
    await deliver(billing, event("customer.subscription.created", up_sub))
    stripe_api.fail_next(f"/v1/subscriptions/{up_sub['id']}", status=402, error_type="card_error", code="card_declined",
                         decline_code="insufficient_funds", message="Your card has insufficient funds.")  # fmt: skip
    declined = await fails(
        billing.ChangeSubscriptionPlan(pb.ChangeSubscriptionPlanRequest(name=name, target=premium()), metadata=upgrade_user.auth)
    )
    assert_error(declined, grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_DECLINED")
    assert declined.info is not None
    assert declined.info.metadata["decline_code"] == "insufficient_funds"
    kept = (await billing.GetSubscription(pb.GetSubscriptionRequest(name=name), metadata=upgrade_user.auth)).subscription
    assert (kept.plan, kept.price.units) == ("plans/basic", 2)  # a failed charge changes nothing

    upgraded = await billing.ChangeSubscriptionPlan(
        pb.ChangeSubscriptionPlanRequest(name=name, target=premium(), request_id="u1"), metadata=upgrade_user.auth
    )
    sent_up = stripe_api.requests("POST", f"/v1/subscriptions/{up_sub['id']}")[-1]
    assert (sent_up.form["proration_behavior"], sent_up.form["payment_behavior"]) == ("always_invoice", "error_if_incomplete")
    assert upgraded.subscription.plan == "plans/premium"
    assert upgraded.proration.amount_due_now.units == 1  # about half of (4.99 - 2.99)

    ended = (
        await billing.CancelSubscription(
            pb.CancelSubscriptionRequest(name=name, mode=pb.CANCEL_MODE_IMMEDIATELY), metadata=user.auth
        )
    ).subscription
    assert ended.status == pb.SUBSCRIPTION_STATUS_CANCELED
    assert stripe_api.requests("DELETE", f"/v1/subscriptions/{sub['id']}")
    ent = (
        await billing.GetEntitlements(pb.GetEntitlementsRequest(name="users/me/entitlements"), metadata=user.auth)
    ).entitlements
    assert ent.plan == "plans/free"
    not_cancelable = await fails(billing.CancelSubscription(pb.CancelSubscriptionRequest(name=name), metadata=user.auth))
    assert_error(not_cancelable, grpc.StatusCode.FAILED_PRECONDITION, "SUBSCRIPTION_NOT_CANCELABLE")
    not_resumable = await fails(billing.ResumeSubscription(pb.ResumeSubscriptionRequest(name=name), metadata=user.auth))
    assert_error(not_resumable, grpc.StatusCode.FAILED_PRECONDITION, "SUBSCRIPTION_NOT_RESUMABLE")


async def test_portal_session(billing: Stub, callers: Callers, stripe_api: StripeStandIn) -> None:
    user = callers.user()
    none = await fails(
        billing.CreatePortalSession(
            pb.CreatePortalSessionRequest(parent="users/me", portal_session=pb.PortalSession(return_url=REDIRECT)),
            metadata=user.auth,
        )
    )
    assert_error(none, grpc.StatusCode.FAILED_PRECONDITION, "NO_BILLING_ACCOUNT")
    await billing.CreateCheckoutSession(
        pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(credit_pack="creditPacks/credits-10")),
        metadata=user.auth,
    )
    portal = await billing.CreatePortalSession(
        pb.CreatePortalSessionRequest(
            parent="users/me", portal_session=pb.PortalSession(return_url=REDIRECT, flow=pb.PORTAL_FLOW_PAYMENT_METHOD_UPDATE)
        ),
        metadata=user.auth,
    )
    assert portal.portal_session.url.startswith("https://billing.stripe.test/")
    sent = stripe_api.requests("POST", "/v1/billing_portal/sessions")[-1]
    assert sent.form["flow_data[type]"] == "payment_method_update"
    assert sent.headers["idempotency-key"].startswith("marquee-")
    evil = await fails(
        billing.CreatePortalSession(
            pb.CreatePortalSessionRequest(parent="users/me", portal_session=pb.PortalSession(return_url="https://evil.test")),
            metadata=user.auth,
        )
    )
    assert_error(evil, grpc.StatusCode.INVALID_ARGUMENT, "REDIRECT_URL_NOT_ALLOWED")


async def test_admin_refund_payment(billing: Stub, callers: Callers, stripe_api: StripeStandIn) -> None:
    user, admin = callers.user(), callers.admin()
    intent = f"pi_{uuid.uuid4().hex[:20]}"
    await deliver(
        billing,
        event(
            "checkout.session.completed",
            {
                "id": f"cs_test_{uuid.uuid4().hex}",
                "object": "checkout.session",
                "mode": "payment",
                "payment_status": "paid",
                "customer": f"cus_{uuid.uuid4().hex[:12]}",
                "payment_intent": intent,
                "amount_total": 2000,
                "currency": "usd",
                "metadata": {"user_id": user.user_id, "credit_pack": "credits-50", "credits": "50"},
            },
        ),
    )
    payment = (await billing.ListPayments(pb.ListPaymentsRequest(parent=user.name), metadata=admin.auth)).payments[0]
    assert payment.provider_payment_id == intent
    denied = await fails(billing.RefundPayment(pb.RefundPaymentRequest(name=payment.name), metadata=user.auth))
    assert (denied.code, denied.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    half = pb.RefundPaymentRequest(
        name=payment.name,
        amount=money_pb2.Money(currency_code="USD", units=10),
        reason=pb.REFUND_REASON_REQUESTED_BY_CUSTOMER,
        request_id="rf1",
    )
    refunded = await billing.RefundPayment(half, metadata=admin.auth)
    assert (refunded.payment.status, refunded.payment.amount_refunded.units) == (pb.PAYMENT_STATUS_PARTIALLY_REFUNDED, 10)
    assert refunded.reversal_entry.delta == -25
    again = await billing.RefundPayment(half, metadata=admin.auth)
    assert again.payment.amount_refunded.units == 10
    refunds = [r for r in stripe_api.requests("POST", "/v1/refunds") if r.form.get("payment_intent") == intent]
    assert len(refunds) == 1
    assert refunds[0].form["amount"] == "1000"
    assert refunds[0].headers["idempotency-key"].startswith("marquee-")
    too_much = await fails(
        billing.RefundPayment(
            pb.RefundPaymentRequest(name=payment.name, amount=money_pb2.Money(currency_code="USD", units=11)), metadata=admin.auth
        )
    )
    assert_error(too_much, grpc.StatusCode.FAILED_PRECONDITION, "REFUND_EXCEEDS_PAYMENT")
    euros = await fails(
        billing.RefundPayment(
            pb.RefundPaymentRequest(name=payment.name, amount=money_pb2.Money(currency_code="EUR", units=1)), metadata=admin.auth
        )
    )
    assert euros.code == grpc.StatusCode.INVALID_ARGUMENT
    # Stripe's charge.refunded for the same refund changes nothing more.
    await deliver(
        billing,
        event(
            "charge.refunded",
            {
                "id": "ch_x" + uuid.uuid4().hex[:8],
                "object": "charge",
                "payment_intent": intent,
                "amount": 2000,
                "amount_refunded": 1000,
            },
        ),
    )
    balance = await billing.GetCreditBalance(pb.GetCreditBalanceRequest(name=f"{user.name}/creditBalance"), metadata=admin.auth)
    assert balance.credit_balance.balance == 25
    rest = await billing.RefundPayment(pb.RefundPaymentRequest(name=payment.name, keep_credits=True), metadata=admin.auth)
    assert rest.payment.status == pb.PAYMENT_STATUS_REFUNDED
    assert not rest.HasField("reversal_entry")
    gone = await fails(billing.RefundPayment(pb.RefundPaymentRequest(name=payment.name), metadata=admin.auth))
    assert_error(gone, grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_NOT_REFUNDABLE")


async def test_admin_catalog_changes(billing: Stub, callers: Callers, stripe_api: StripeStandIn) -> None:
    admin, user = callers.admin(), callers.user()
    plan = (await billing.GetPlan(pb.GetPlanRequest(name="plans/basic"))).plan
    changed = pb.Plan(
        name="plans/basic", description="HD for less", etag=plan.etag, entitlements=pb.EntitlementValues(max_concurrent_streams=3)
    )
    mask = field_mask_pb2.FieldMask(paths=["description", "entitlements.max_concurrent_streams"])
    updated = (await billing.UpdatePlan(pb.UpdatePlanRequest(plan=changed, update_mask=mask), metadata=admin.auth)).plan
    assert (updated.description, updated.entitlements.max_concurrent_streams, updated.entitlements.max_video_quality) == (
        "HD for less",
        3,
        pb.VIDEO_QUALITY_720P,
    )
    stale = await fails(billing.UpdatePlan(pb.UpdatePlanRequest(plan=changed, update_mask=mask), metadata=admin.auth))
    assert (stale.code, stale.reason) == (grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    tier = await fails(
        billing.UpdatePlan(
            pb.UpdatePlanRequest(plan=pb.Plan(name="plans/basic"), update_mask=field_mask_pb2.FieldMask(paths=["tier"])),
            metadata=admin.auth,
        )
    )
    assert tier.code == grpc.StatusCode.INVALID_ARGUMENT
    user_try = await fails(billing.UpdatePlan(pb.UpdatePlanRequest(plan=changed, update_mask=mask), metadata=user.auth))
    assert (user_try.code, user_try.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    yearly = pb.Plan(
        name="plans/premium",
        prices=[
            pb.PlanPrice(
                interval=pb.BILLING_INTERVAL_MONTH, amount=money_pb2.Money(currency_code="USD", units=4, nanos=990_000_000)
            ),
            pb.PlanPrice(
                interval=pb.BILLING_INTERVAL_YEAR, amount=money_pb2.Money(currency_code="USD", units=49, nanos=900_000_000)
            ),
        ],
    )
    priced = (
        await billing.UpdatePlan(
            pb.UpdatePlanRequest(plan=yearly, update_mask=field_mask_pb2.FieldMask(paths=["prices"])), metadata=admin.auth
        )
    ).plan
    assert priced.prices[0].provider_price_id == "price_premium_m"  # unchanged price keeps its Stripe price
    assert priced.prices[1].provider_price_id.startswith("price_")
    assert (priced.prices[1].monthly_equivalent.units, priced.prices[1].monthly_equivalent.nanos) == (4, 150_000_000)
    created_price = stripe_api.requests("POST", "/v1/prices")[-1]
    assert (created_price.form["unit_amount"], created_price.form["recurring[interval]"]) == ("4990", "year")
    assert created_price.headers["idempotency-key"].startswith("marquee-")
    negative = pb.Plan(
        name="plans/premium",
        prices=[pb.PlanPrice(interval=pb.BILLING_INTERVAL_MONTH, amount=money_pb2.Money(currency_code="EUR", units=1))],
    )
    euros = await fails(
        billing.UpdatePlan(
            pb.UpdatePlanRequest(plan=negative, update_mask=field_mask_pb2.FieldMask(paths=["prices"])), metadata=admin.auth
        )
    )
    assert (euros.code, euros.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    restore = pb.Plan(name="plans/basic", entitlements=pb.EntitlementValues(max_concurrent_streams=2))
    await billing.UpdatePlan(
        pb.UpdatePlanRequest(plan=restore, update_mask=field_mask_pb2.FieldMask(paths=["entitlements.max_concurrent_streams"])),
        metadata=admin.auth,
    )

    pack_id = f"promo-{uuid.uuid4().hex[:8]}"
    new_pack = pb.CreditPack(
        display_name="25 credits", credits=25, price=money_pb2.Money(currency_code="USD", units=9, nanos=990_000_000)
    )
    created = (
        await billing.CreateCreditPack(
            pb.CreateCreditPackRequest(credit_pack_id=pack_id, credit_pack=new_pack, request_id="p1"), metadata=admin.auth
        )
    ).credit_pack
    assert created.provider_price_id.startswith("price_")
    assert created.active
    assert stripe_api.requests("POST", "/v1/prices")[-1].form["unit_amount"] == "999"
    taken = await fails(
        billing.CreateCreditPack(pb.CreateCreditPackRequest(credit_pack_id=pack_id, credit_pack=new_pack), metadata=admin.auth)
    )
    assert (taken.code, taken.reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_EXISTS")
    bad_id = await fails(
        billing.CreateCreditPack(pb.CreateCreditPackRequest(credit_pack_id="Bad Id", credit_pack=new_pack), metadata=admin.auth)
    )
    assert bad_id.code == grpc.StatusCode.INVALID_ARGUMENT
    off = pb.CreditPack(name=created.name, active=False, etag=created.etag)
    hidden = (
        await billing.UpdateCreditPack(
            pb.UpdateCreditPackRequest(credit_pack=off, update_mask=field_mask_pb2.FieldMask(paths=["active"])),
            metadata=admin.auth,
        )
    ).credit_pack
    assert not hidden.active
    public = [p.name for p in (await billing.ListCreditPacks(pb.ListCreditPacksRequest(show_inactive=True))).credit_packs]
    assert created.name not in public  # show_inactive is for admins only
    every = [
        p.name
        for p in (
            await billing.ListCreditPacks(pb.ListCreditPacksRequest(show_inactive=True, page_size=100), metadata=admin.auth)
        ).credit_packs
    ]
    assert created.name in every


async def test_admin_lists_and_revenue(billing: Stub, callers: Callers) -> None:
    admin = callers.admin()
    subscriber = callers.user()
    sub = subscription_object(
        sub_id=f"sub_{uuid.uuid4().hex[:20]}",
        customer=f"cus_{uuid.uuid4().hex[:10]}",
        user_id=subscriber.user_id,
        price_id="price_basic_m",
        amount=299,
    )
    await deliver(billing, event("customer.subscription.created", sub))
    listed = await billing.ListSubscriptions(
        pb.ListSubscriptionsRequest(
            filter=pb.SubscriptionFilter(plans=["plans/basic"], statuses=[pb.SUBSCRIPTION_STATUS_ACTIVE]), page_size=1
        ),
        metadata=admin.auth,
    )
    assert listed.total_size >= 1
    assert len(listed.subscriptions) == 1
    assert listed.subscriptions[0].provider_subscription_id
    today = time.gmtime()
    date = date_pb2.Date(year=today.tm_year, month=today.tm_mon, day=today.tm_mday)
    metrics = (
        await billing.GetRevenueMetrics(pb.GetRevenueMetricsRequest(start_date=date, end_date=date), metadata=admin.auth)
    ).metrics
    assert metrics.active_subscriptions >= 1
    assert metrics.mrr.units * 100 + metrics.mrr.nanos // 10_000_000 > 0
    assert metrics.arpu.currency_code == "USD"
    assert len(metrics.series) == 1
    assert any(p.plan == "plans/basic" and p.active_subscriptions >= 1 for p in metrics.plans)
    backwards = await fails(
        billing.GetRevenueMetrics(
            pb.GetRevenueMetricsRequest(start_date=date, end_date=date_pb2.Date(year=2000, month=1, day=1)), metadata=admin.auth
        )
    )
    assert (backwards.code, backwards.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    unknown = await fails(
        billing.GetRevenueMetrics(
            pb.GetRevenueMetricsRequest(start_date=date, end_date=date, plans=["plans/basic", "plans/gold"]), metadata=admin.auth
        )
    )
    assert unknown.code == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(unknown) == ["plans[1]"]
    for call in (
        billing.GetRevenueMetrics(pb.GetRevenueMetricsRequest(start_date=date, end_date=date), metadata=subscriber.auth),
        billing.ListSubscriptions(pb.ListSubscriptionsRequest(), metadata=subscriber.auth),
        billing.CreateCreditPack(pb.CreateCreditPackRequest(credit_pack_id="x"), metadata=subscriber.auth),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
        assert error.info is not None
        assert error.info.metadata["required_role"] == "admin"
    all_payments = await billing.ListPayments(pb.ListPaymentsRequest(parent="users/-"), metadata=admin.auth)
    assert all_payments.payments is not None


@pytest.fixture
async def unconfigured(settings: Settings, stripe_api: StripeStandIn) -> AsyncIterator[Stub]:
    running = build_server(billing_deps(settings, stripe_api, stripe_secret_key=SecretStr("")), address="127.0.0.1:0")
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield billing_pb2_grpc.BillingServiceStub(channel)
    await running.stop(0)


async def test_no_stripe_key_means_provider_unavailable(unconfigured: Stub, callers: Callers) -> None:
    user = callers.user()
    error = await fails(
        unconfigured.CreateCheckoutSession(
            pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(credit_pack="creditPacks/credits-10")),
            metadata=user.auth,
        )
    )
    assert_error(error, grpc.StatusCode.UNAVAILABLE, "PAYMENT_PROVIDER_UNAVAILABLE")
    # Free operations still work.
    assert (await unconfigured.ListPlans(pb.ListPlansRequest())).plans


async def test_stripe_outage_is_unavailable(billing: Stub, callers: Callers, stripe_api: StripeStandIn) -> None:
    user = callers.user()
    stripe_api.fail_next("/v1/customers", status=500, times=3)  # the first call and the library's two retries
    error = await fails(
        billing.CreateCheckoutSession(
            pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(credit_pack="creditPacks/credits-10")),
            metadata=user.auth,
        )
    )
    assert_error(error, grpc.StatusCode.UNAVAILABLE, "PAYMENT_PROVIDER_UNAVAILABLE")


@pytest.fixture
async def no_stripe(settings: Settings, stripe_api: StripeStandIn) -> AsyncIterator[Stub]:
    """Billing with no Stripe account at all: no key, no price ids, no API base."""
    deps = billing_deps(settings, stripe_api, stripe_secret_key=SecretStr(""), stripe_prices={}, stripe_api_base="")
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield billing_pb2_grpc.BillingServiceStub(channel)
    await running.stop(0)


async def test_checkout_without_stripe_is_provider_unavailable(no_stripe: Stub, callers: Callers) -> None:
    user = callers.user()
    basic = pb.PlanSelection(plan="plans/basic", interval=pb.BILLING_INTERVAL_MONTH)
    listed = [p.name for p in (await no_stripe.ListPlans(pb.ListPlansRequest())).plans]
    packs = [p.name for p in (await no_stripe.ListCreditPacks(pb.ListCreditPacksRequest())).credit_packs]
    assert "plans/basic" in listed
    assert "creditPacks/credits-10" in packs
    for purchase in ({"subscription_plan": basic}, {"credit_pack": "creditPacks/credits-10"}):
        error = await fails(
            no_stripe.CreateCheckoutSession(
                pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(**purchase)), metadata=user.auth
            )
        )
        assert_error(error, grpc.StatusCode.UNAVAILABLE, "PAYMENT_PROVIDER_UNAVAILABLE")
    # What is not sold at all is still named as such.
    unknown = (
        ({"subscription_plan": pb.PlanSelection(plan="plans/gold", interval=pb.BILLING_INTERVAL_MONTH)}, "UNKNOWN_PLAN"),
        ({"subscription_plan": pb.PlanSelection(plan="plans/free", interval=pb.BILLING_INTERVAL_MONTH)}, "UNKNOWN_PLAN"),
        ({"credit_pack": "creditPacks/credits-7"}, "UNKNOWN_CREDIT_PACK"),
    )
    for purchase, reason in unknown:
        error = await fails(
            no_stripe.CreateCheckoutSession(
                pb.CreateCheckoutSessionRequest(parent="users/me", checkout_session=hosted(**purchase)), metadata=user.auth
            )
        )
        assert_error(error, grpc.StatusCode.INVALID_ARGUMENT, reason)


async def test_etags_are_bare(billing: Stub, callers: Callers) -> None:
    admin = callers.admin()
    packs = (await billing.ListCreditPacks(pb.ListCreditPacksRequest(), metadata=admin.auth)).credit_packs
    plans = (await billing.ListPlans(pb.ListPlansRequest(), metadata=admin.auth)).plans
    for etag in [p.etag for p in packs] + [p.etag for p in plans]:
        assert etag.isdigit(), etag
    pack_id = f"etag-{uuid.uuid4().hex[:8]}"
    created = (
        await billing.CreateCreditPack(
            pb.CreateCreditPackRequest(
                credit_pack_id=pack_id,
                credit_pack=pb.CreditPack(
                    display_name="Etag pack", credits=5, price=money_pb2.Money(currency_code="USD", units=1)
                ),
            ),
            metadata=admin.auth,
        )
    ).credit_pack
    assert created.etag == "1"
    # An etag quoted as Billing used to send it still matches; a stale one does not.
    moved = pb.CreditPack(name=created.name, sort_order=3, etag='"1"')
    mask = field_mask_pb2.FieldMask(paths=["sort_order"])
    updated = (
        await billing.UpdateCreditPack(pb.UpdateCreditPackRequest(credit_pack=moved, update_mask=mask), metadata=admin.auth)
    ).credit_pack
    assert updated.etag == "2"
    stale = await fails(
        billing.UpdateCreditPack(pb.UpdateCreditPackRequest(credit_pack=moved, update_mask=mask), metadata=admin.auth)
    )
    assert_error(stale, grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
