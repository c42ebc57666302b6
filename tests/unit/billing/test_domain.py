"""Billing's rules on plain values, without sockets or a database: entitlements, the ledger's
arithmetic and checks, credit expiry, refunds and disputes, invoice and subscription transitions,
the catalog's prices, and what a signed Stripe event may carry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.billing import domain as d
from services.core import errors
from tests.support.stripe_standin import subscription_object

NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def terms(status: str = "active", **changes: Any) -> d.SubscriptionTerms:
    values: dict[str, Any] = {
        "status": status,
        "plan_id": "premium",
        "cancel_at_period_end": False,
        "current_period_end": NOW + 10 * DAY,
        "grace_period_end": None,
    }
    return d.SubscriptionTerms(**(values | changes))


# -- entitlements -------------------------------------------------------------------


def test_no_subscription_is_the_free_plan() -> None:
    assert d.entitlement(None, NOW) == d.Entitlement("free")


@pytest.mark.parametrize("status", ["active", "trialing"])
def test_a_live_subscription_grants_its_plan_with_no_end(status: str) -> None:
    assert d.entitlement(terms(status), NOW) == d.Entitlement("premium")


def test_a_scheduled_cancellation_grants_the_plan_until_the_period_ends() -> None:
    end = NOW + 10 * DAY
    scheduled = terms(cancel_at_period_end=True, current_period_end=end)
    assert d.entitlement(scheduled, NOW) == d.Entitlement("premium", plan_end_time=end)
    # Past the end, before Stripe's event arrives: already free.
    assert d.entitlement(scheduled, end) == d.Entitlement("free")


def test_past_due_keeps_the_plan_for_the_grace_period_only() -> None:
    grace_end = NOW + 7 * DAY
    past_due = terms("past_due", grace_period_end=grace_end)
    assert d.entitlement(past_due, NOW) == d.Entitlement("premium", in_grace_period=True, plan_end_time=grace_end)
    assert d.entitlement(past_due, grace_end) == d.Entitlement("free")
    assert d.entitlement(terms("past_due"), NOW) == d.Entitlement("free")  # no grace period recorded


@pytest.mark.parametrize("status", ["unpaid", "canceled", "incomplete", "incomplete_expired", "paused"])
def test_other_statuses_are_free(status: str) -> None:
    assert d.entitlement(terms(status), NOW) == d.Entitlement("free")


def test_require_plan_compares_tiers() -> None:
    d.require_plan(d.plan_rank("premium"), "basic", "unused")
    d.require_plan(d.plan_rank("basic"), "basic", "unused")
    with pytest.raises(errors.FailedPrecondition) as below:
        d.require_plan(d.plan_rank("free"), "premium", "this needs plans/premium or above")
    assert (below.value.reason, below.value.metadata) == ("PLAN_REQUIRED", {"required_plan": "plans/premium"})
    assert str(below.value) == "this needs plans/premium or above"


def test_plan_rank_of_an_unknown_plan_is_below_free() -> None:
    assert d.plan_rank("gold") == 0 < d.plan_rank("free") < d.plan_rank("basic") < d.plan_rank("premium")


# -- the ledger's checks and arithmetic ------------------------------------------------


def spend_check(**changes: Any) -> str:
    values: dict[str, Any] = {
        "amount": 1,
        "reason": "a note",
        "request_id": "r1",
        "metadata": {},
        "reference": "",
        "min_plan": "",
    }
    return d.check_spend(**(values | changes))


def test_a_spend_names_its_required_plan() -> None:
    assert spend_check() == ""
    assert spend_check(min_plan="plans/basic") == "basic"


def test_a_spend_reports_every_violation_at_once() -> None:
    with pytest.raises(errors.InvalidArgument) as refused:
        spend_check(
            amount=0,
            reason="  ",
            request_id="",
            metadata={str(i): "" for i in range(d.MAX_METADATA_PAIRS + 1)},
            reference="x" * 501,
            min_plan="basic",
        )
    assert [v.field for v in refused.value.violations] == [
        "amount",
        "reason",
        "request_id",
        "metadata",
        "reference",
        "min_plan",
    ]


@pytest.mark.parametrize("min_plan", ["plans/gold", "basic", "plans/"])
def test_a_spend_refuses_an_unknown_plan(min_plan: str) -> None:
    with pytest.raises(errors.InvalidArgument) as refused:
        spend_check(min_plan=min_plan)
    assert refused.value.violations[0].field == "min_plan"


def test_grant_and_adjustment_checks() -> None:
    d.check_grant(amount=5, reason="promo", expire_time=NOW + HOUR, request_id="", now=NOW)
    with pytest.raises(errors.InvalidArgument) as grant:
        d.check_grant(amount=-1, reason="promo", expire_time=NOW, request_id="r" * 129, now=NOW)
    assert [v.field for v in grant.value.violations] == ["amount", "expire_time", "request_id"]
    d.check_adjustment(delta=-3, reason="support", request_id="")
    with pytest.raises(errors.InvalidArgument) as adjust:
        d.check_adjustment(delta=0, reason="r" * 501, request_id="")
    assert [v.field for v in adjust.value.violations] == ["delta", "reason"]


def test_a_spend_refund_needs_a_request_id_and_no_negative_amount() -> None:
    d.check_spend_refund(amount=0, request_id="r")  # 0 refunds what is left
    with pytest.raises(errors.InvalidArgument):
        d.check_spend_refund(amount=-1, request_id="r")
    with pytest.raises(errors.InvalidArgument):
        d.check_spend_refund(amount=1, request_id="")


def test_an_adjustment_stops_at_zero_unless_allowed_below() -> None:
    assert d.adjustment_floor(-5, allow_negative=False) == 0
    assert d.adjustment_floor(-5, allow_negative=True) is None
    assert d.adjustment_floor(5, allow_negative=False) is None


def test_a_reused_request_id_must_carry_the_same_request() -> None:
    d.check_replay("same", "same", "r1")
    with pytest.raises(errors.AlreadyExists) as reused:
        d.check_replay("first", "second", "r1")
    assert (reused.value.reason, reused.value.metadata) == ("REQUEST_ID_REUSED", {"request_id": "r1"})


@pytest.mark.parametrize(("delta", "balance", "removed"), [(-5, 10, -5), (-5, 3, -3), (-5, 0, 0), (-5, -2, 0)])
def test_a_clamped_removal_never_takes_the_balance_below_zero(delta: int, balance: int, removed: int) -> None:
    assert d.clamped(delta, balance) == removed


def test_insufficient_credits_says_what_is_there_and_what_was_needed() -> None:
    error = d.insufficient_credits(1, -3)
    assert isinstance(error, errors.FailedPrecondition)
    assert (str(error), error.reason, error.metadata) == (
        "the balance is 1 credits; 3 needed",
        "INSUFFICIENT_CREDITS",
        {"balance": "1", "required": "3"},
    )


def test_a_spend_takes_expiring_lots_in_order() -> None:
    assert d.lots_taken([4, 3], 5) == [4, 1]
    assert d.lots_taken([4, 3], 2) == [2]
    assert d.lots_taken([4, 3], 9) == [4, 3]  # the rest comes from credits that never expire
    assert d.lots_taken([], 3) == []


def test_the_next_expiry_counts_the_soonest_lots_within_the_balance() -> None:
    soon, later = NOW + HOUR, NOW + 2 * HOUR
    lots = [d.Lot(soon, 2), d.Lot(soon, 3), d.Lot(later, 4)]
    assert d.next_expiry(lots, 20) == (soon, 5)
    assert d.next_expiry(lots, 4) == (soon, 4)  # never more than the balance holds
    assert d.next_expiry(lots, -1) == (soon, 0)
    assert d.next_expiry([], 7) == (None, 0)


def test_a_service_refunds_only_its_own_spends() -> None:
    assert d.may_refund_spend("services/notes", "services/notes")
    assert not d.may_refund_spend("services/notes", "services/chat")
    assert d.may_refund_spend("services/notes", "users/admin-1")  # an admin any


def test_refund_exceeds_spend_names_what_is_refundable() -> None:
    error = d.refund_exceeds_spend(2)
    assert (error.reason, error.metadata) == ("REFUND_EXCEEDS_SPEND", {"refundable": "2"})


# -- payments: refunds, disputes, invoices ---------------------------------------------------


def target(**changes: Any) -> tuple[int, dict[str, str]]:
    values: dict[str, Any] = {
        "status": "succeeded",
        "amount": 1000,
        "amount_refunded": 0,
        "provider_payment_id": "pi_1",
        "provider_charge_id": "ch_1",
        "wanted": 0,
    }
    return d.refund_target(**(values | changes))


def test_a_refund_defaults_to_what_is_left_on_the_payment_intent() -> None:
    assert target() == (1000, {"payment_intent": "pi_1"})
    assert target(status="partially_refunded", amount_refunded=400, wanted=100) == (100, {"payment_intent": "pi_1"})
    # An invoice's payment is refunded on its charge.
    assert target(provider_payment_id="in_1", amount_refunded=400) == (600, {"charge": "ch_1"})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "refunded"}, "PAYMENT_NOT_REFUNDABLE"),
        ({"status": "failed"}, "PAYMENT_NOT_REFUNDABLE"),
        ({"amount_refunded": 900, "wanted": 101}, "REFUND_EXCEEDS_PAYMENT"),
        ({"provider_payment_id": "in_1", "provider_charge_id": ""}, "PAYMENT_NOT_REFUNDABLE"),
    ],
)
def test_refunds_that_cannot_happen(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(errors.FailedPrecondition) as refused:
        target(**changes)
    assert refused.value.reason == reason


def test_the_refunded_status_follows_the_refunded_total() -> None:
    assert d.refunded_status("succeeded", 1000, 0) == "succeeded"
    assert d.refunded_status("succeeded", 1000, 1) == "partially_refunded"
    assert d.refunded_status("partially_refunded", 1000, 1000) == "refunded"
    assert d.refunded_status("disputed", 1000, 1000) == "disputed"  # a dispute stays one


def reversal(**changes: Any) -> int | None:
    values: dict[str, Any] = {
        "kind": "credit_pack",
        "keep_credits": False,
        "user_id": "u1",
        "amount": 1000,
        "amount_refunded": 500,
        "credits": 25,
    }
    return d.refund_reversal(**(values | changes))


def test_a_pack_refund_takes_back_its_share_of_the_credits_rounded_down() -> None:
    assert reversal() == 12
    assert reversal(amount_refunded=1000) == 25
    assert reversal(amount_refunded=0) == 0


@pytest.mark.parametrize(
    "changes",
    [{"kind": "subscription_renewal"}, {"keep_credits": True}, {"user_id": "erased-abc"}, {"amount": 0}],
    ids=["not-a-pack", "credits-kept", "erased", "free"],
)
def test_refunds_that_take_no_credits_back(changes: dict[str, Any]) -> None:
    assert reversal(**changes) is None


def test_a_dispute_takes_back_the_whole_pack_once() -> None:
    assert d.dispute_reversal(kind="credit_pack", user_id="u1", credits=25, credits_reversed=12) == 25
    assert d.dispute_reversal(kind="credit_pack", user_id="u1", credits=25, credits_reversed=25) is None
    assert d.dispute_reversal(kind="credit_pack", user_id="erased-abc", credits=25, credits_reversed=0) is None
    assert d.dispute_reversal(kind="subscription_start", user_id="u1", credits=0, credits_reversed=0) is None


@pytest.mark.parametrize(
    ("status", "outcome", "after"),
    [
        ("pending", "paid", "succeeded"),
        ("failed", "paid", "succeeded"),
        ("pending", "payment_failed", "failed"),
        ("pending", "payment_action_required", "requires_action"),
        ("requires_action", "payment_failed", "failed"),
        ("succeeded", "payment_failed", "succeeded"),  # a late failure never undoes a payment
        ("succeeded", "payment_action_required", "succeeded"),
    ],
)
def test_invoice_payment_status(status: str, outcome: str, after: str) -> None:
    assert d.invoice_payment_status(status, outcome) == after


@pytest.mark.parametrize(
    ("status", "outcome", "after"),
    [
        ("active", "payment_failed", "past_due"),
        ("trialing", "payment_failed", "past_due"),
        ("past_due", "payment_failed", None),
        ("past_due", "paid", "active"),
        ("unpaid", "paid", "active"),
        ("active", "paid", None),
        ("canceled", "paid", None),
        ("active", "payment_action_required", None),
    ],
)
def test_invoice_subscription_status(status: str, outcome: str, after: str | None) -> None:
    assert d.invoice_subscription_status(status, outcome) == after


def test_invoice_payment_kind_and_description() -> None:
    assert d.invoice_payment_kind("subscription_create") == "subscription_start"
    assert d.invoice_payment_kind("subscription_update") == "subscription_change"
    assert d.invoice_payment_kind("subscription_cycle") == "subscription_renewal"
    assert d.subscription_payment_description("Premium", "year") == "Premium, yearly"
    assert d.subscription_payment_description(None, "") == "Subscription, monthly"


# -- subscriptions as Stripe reports them ------------------------------------------------------


def skips(*, same: bool = True, row_status: str = "active", source: dt.datetime | None = NOW, status: str = "active",
          at: dt.datetime = NOW + HOUR) -> bool:  # fmt: skip
    return d.skips_subscription_event(
        same_subscription=same, row_status=row_status, source_time=source, status=status, event_time=at
    )


def test_subscription_events_apply_in_creation_order() -> None:
    assert not skips()
    assert not skips(at=NOW)  # the same instant is not older
    assert skips(at=NOW - HOUR)  # stale
    assert not skips(source=None, at=NOW - HOUR)  # nothing applied yet


def test_an_ended_subscription_is_never_revived() -> None:
    assert skips(row_status="canceled", status="active")
    assert not skips(row_status="canceled", status="canceled")


def test_an_old_subscription_ending_does_not_replace_the_live_one() -> None:
    assert skips(same=False, row_status="active", status="canceled", at=NOW - DAY)
    assert not skips(same=False, row_status="canceled", status="active")  # a new one replaces the ended one
    assert not skips(same=False, row_status="active", status="active")


def test_a_scheduled_downgrade_keeps_the_paid_plan_until_the_next_period() -> None:
    end = NOW + 10 * DAY

    def keeps(**changes: Any) -> bool:
        values: dict[str, Any] = {
            "pending_plan_id": "basic",
            "plan_id": "basic",
            "current_plan_id": "premium",
            "current_period_end": end,
            "period_end": end,
        }
        return d.keeps_paid_plan(**(values | changes))

    assert keeps()
    assert not keeps(period_end=end + 30 * DAY)  # the next period: the new plan applies
    assert not keeps(pending_plan_id="")
    assert not keeps(current_plan_id="")
    assert not keeps(period_end=None)


def test_the_grace_period_starts_when_a_subscription_turns_past_due() -> None:
    started = NOW - DAY
    assert d.grace_period_end("past_due", "active", None, NOW) == NOW + d.GRACE_PERIOD
    assert d.grace_period_end("past_due", "past_due", started, NOW) == started  # not extended by later events
    assert d.grace_period_end("active", "past_due", started, NOW) is None


def test_a_subscription_is_on_a_paid_plan_at_a_billing_interval() -> None:
    assert d.paid_plan("basic", "p") == "basic"
    for plan_id in ("free", "gold", ""):
        with pytest.raises(d.MalformedEvent) as malformed:
            d.paid_plan(plan_id, "data.object.items.data[0].price")
        assert (malformed.value.path, malformed.value.problem) == ("data.object.items.data[0].price", "maps to no paid plan")
    assert d.billing_interval("year", "p") == "year"
    with pytest.raises(d.MalformedEvent):
        d.billing_interval("week", "p")


def stripe_subscription(**changes: Any) -> dict[str, Any]:
    obj = subscription_object(sub_id="sub_1", customer="cus_1", user_id="u1", price_id="price_p", amount=499,
                              period_start=int(NOW.timestamp()))  # fmt: skip
    return obj | changes


def test_reading_a_subscription_object() -> None:
    event = d.read_subscription(stripe_subscription(), deleted=False)
    assert (event.stripe_id, event.owner, event.status) == ("sub_1", d.Owner("u1", "cus_1"), "active")
    assert (event.price_id, event.unit_amount, event.currency) == ("price_p", 499, "USD")
    assert (event.period_start, event.period_end) == (NOW, NOW + 30 * DAY)
    assert event.item_id() == "si_1"
    assert event.interval_hint() == "month"
    assert d.read_subscription(stripe_subscription(), deleted=True).status == "canceled"


def test_the_period_may_come_from_the_item() -> None:
    obj = stripe_subscription(current_period_start=None, current_period_end=None)
    obj["items"]["data"][0] |= {"current_period_start": int(NOW.timestamp()), "current_period_end": int((NOW + DAY).timestamp())}
    event = d.read_subscription(obj, deleted=False)
    assert (event.period_start, event.period_end) == (NOW, NOW + DAY)


def test_the_first_malformed_field_in_stripe_order_is_named() -> None:
    obj = stripe_subscription(status="sleeping", metadata={"user_id": ["u1"]})
    with pytest.raises(d.MalformedEvent) as malformed:
        d.read_subscription(obj, deleted=False)
    assert malformed.value.path == "data.object.metadata.user_id"
    with pytest.raises(d.MalformedEvent) as status:
        d.read_subscription(stripe_subscription(status="sleeping"), deleted=False)
    assert status.value.path == "data.object.status"
    assert status.value.problem.startswith("is not a subscription status")


def test_fields_only_some_steps_need_are_read_when_asked() -> None:
    obj = stripe_subscription(cancellation_details={"comment": "x" * 1001}, metadata={"user_id": "u1", "plan_id": 7})
    obj["items"]["data"][0]["id"] = {"not": "an id"}
    event = d.read_subscription(obj, deleted=False)  # a stale event is skipped before any of these is read
    assert event.plan_hint() == "7"  # metadata carries numbers as digits
    with pytest.raises(d.MalformedEvent) as item:
        event.item_id()
    assert item.value.path == "data.object.items.data[0].id"
    with pytest.raises(d.MalformedEvent) as comment:
        event.comment()
    assert (comment.value.path, comment.value.problem) == (
        "data.object.cancellation_details.comment",
        "must be at most 1000 characters",
    )


def test_the_cancellation_is_recorded_once_and_cleared_when_withdrawn() -> None:
    scheduled = d.read_subscription(
        stripe_subscription(cancel_at_period_end=True, cancellation_details={"comment": "too dear"}), deleted=False
    )
    recorded = d.cancellation_after({}, scheduled, NOW)
    assert recorded == {"source": "user", "feedback": "", "comment": "too dear", "request_time": NOW.isoformat()}
    ours = {"source": "admin", "feedback": 2, "comment": "", "request_time": "earlier"}
    assert d.cancellation_after(ours, scheduled, NOW) == ours  # what Billing recorded first stays
    withdrawn = d.read_subscription(stripe_subscription(), deleted=False)
    assert d.cancellation_after(recorded, withdrawn, NOW) == {}
    failed = d.read_subscription(stripe_subscription(cancellation_details={"reason": "payment_failed"}), deleted=True)
    assert d.cancellation_after({}, failed, NOW)["source"] == "payment_failure"


def test_a_customer_answers_for_an_event_only_without_metadata_or_once_erased() -> None:
    assert d.customer_decides("", "u1")
    assert d.customer_decides("u1", "erased-abc")
    assert not d.customer_decides("u1", "u1")


# -- reading other events --------------------------------------------------------------------


def test_reading_an_invoice_falls_back_where_stripe_moved_fields() -> None:
    obj = {
        "id": "in_1",
        "customer": {"id": "cus_1"},  # expanded
        "parent": {"subscription_details": {"subscription": "sub_1"}},
        "lines": {"data": [{"price": {"id": "price_b"}, "period": {"start": int(NOW.timestamp())}}]},
        "amount_paid": 0,
        "amount_due": 299,
        "currency": "usd",
        "last_finalization_error": {"message": "m" * 600},
    }
    invoice = d.read_invoice(obj)
    assert (invoice.subscription_id, invoice.price_id, invoice.amount, invoice.currency) == ("sub_1", "price_b", 299, "USD")
    assert (invoice.period_start, invoice.period_end, invoice.owner) == (NOW, None, d.Owner("", "cus_1"))
    assert len(invoice.failure[0]) == 500  # cut to what a payment keeps


def test_reading_a_checkout_asks_for_its_reference_only_when_needed() -> None:
    obj = {
        "id": "cs_1",
        "mode": "payment",
        "payment_status": "paid",
        "metadata": {"credits": "10", "credit_pack": "pack_10"},
        "amount_total": 500,
        "client_reference_id": "u" * 65,
    }
    checkout = d.read_checkout(obj)
    assert (checkout.credits, checkout.credit_pack_id, checkout.currency) == (10, "pack_10", "USD")
    assert d.buys_credits(checkout.mode, checkout.payment_status)
    assert not d.buys_credits("payment", "unpaid")
    assert not d.buys_credits("subscription", "paid")
    with pytest.raises(d.MalformedEvent) as reference:
        checkout.client_reference_id()
    assert reference.value.path == "data.object.client_reference_id"


def test_reading_a_refund_and_a_dispute() -> None:
    refund = d.read_refund({"id": "ch_1", "amount_refunded": 250, "payment_intent": {"id": "pi_1"}, "invoice": None})
    assert refund == d.RefundEvent("ch_1", 250, ("pi_1", ""))
    assert d.read_dispute({"id": "dp_1", "charge": "ch_1"}) == d.DisputeEvent("dp_1", "ch_1", "")
    with pytest.raises(d.MalformedEvent) as negative:
        d.read_refund({"id": "ch_1", "amount_refunded": -1})
    assert (negative.value.path, negative.value.problem) == (
        "data.object.amount_refunded",
        f"must be between 0 and {d.MAX_AMOUNT}",
    )


@pytest.mark.parametrize(
    ("read", "value", "problem"),
    [
        (d.text, True, "must be a string"),
        (d.text, 1.5, "must be a string"),
        (d.text, "x" * (d.MAX_ID_CHARS + 1), f"must be at most {d.MAX_ID_CHARS} characters"),
        (d.count, "12a", "must be a whole number"),
        (d.count, False, "must be a whole number"),
        (d.count, "9" * 21, "must be a whole number"),
        (d.count, d.MAX_AMOUNT + 1, f"must be between 0 and {d.MAX_AMOUNT}"),
        (d.from_epoch, d.MAX_EPOCH + 1, f"must be between 0 and {d.MAX_EPOCH}"),
        (d.mapping, [], "must be a JSON object"),
        (d.items_of, {"data": {}}, "must be a JSON array"),
    ],
)
def test_values_stripe_never_sends_are_malformed(read: Any, value: Any, problem: str) -> None:
    with pytest.raises(d.MalformedEvent) as malformed:
        read(value, "data.object.x")
    assert malformed.value.problem == problem


def test_readers_take_what_stripe_sends() -> None:
    assert (d.text(None, "p"), d.text(42, "p")) == ("", "42")
    assert (d.ref({"id": "cus_1"}, "p"), d.ref("cus_1", "p"), d.ref(None, "p")) == ("cus_1", "cus_1", "")
    assert (d.count(None, "p"), d.count("", "p"), d.count("17", "p")) == (0, 0, 17)
    assert (d.from_epoch(None), d.from_epoch(0), d.from_epoch(int(NOW.timestamp()))) == (None, None, NOW)
    assert d.mapping(None, "p") == {}
    assert d.items_of({"object": "list"}, "p") == []
    with pytest.raises(d.MalformedEvent) as item:
        d.items_of({"data": [{}, "x"]}, "data.object.items")
    assert item.value.path == "data.object.items.data[1]"


# -- the catalog, erasure, redirects -------------------------------------------------------


PRICES = [
    {"interval": "month", "amount": 499, "price_id": "price_p2", "previous_price_ids": ["price_p1"]},
    {"interval": "year", "amount": 4990, "price_id": ""},
]


def test_prices_by_interval_and_plans_by_price() -> None:
    assert d.price_at(PRICES, "year") == PRICES[1]
    assert d.price_at(PRICES, "week") is None
    catalog = [("free", [{"interval": "month", "amount": 0, "price_id": ""}]), ("premium", PRICES)]
    assert d.plan_for_price(catalog, "price_p2") == ("premium", "month")
    assert d.plan_for_price(catalog, "price_p1") == ("premium", "month")  # subscribers keep their old price
    assert d.plan_for_price(catalog, "") is None  # never the free plan's empty id
    assert d.plan_for_price(catalog, "price_other") is None


def test_configured_price_ids_fill_only_empty_ones() -> None:
    configured = {"premium_monthly": "price_cfg_m", "premium_yearly": "price_cfg_y", "credits_10": "price_c10"}
    filled = d.configured_plan_prices("premium", PRICES, configured)
    assert [price["price_id"] for price in filled] == ["price_p2", "price_cfg_y"]
    assert PRICES[1]["price_id"] == ""  # the plan's own list is not changed in place
    assert d.configured_pack_price(10, "", configured) == "price_c10"
    assert d.configured_pack_price(10, "price_set", configured) == "price_set"
    assert d.configured_pack_price(20, "", configured) == ""


def test_the_pseudonym_is_keyed_stable_and_names_no_user() -> None:
    first = d.pseudonym(b"secret", "u1")
    assert first == d.pseudonym(b"secret", "u1")
    assert first != d.pseudonym(b"other", "u1")
    assert d.is_erased(first)
    assert not d.is_erased("u1")


def test_the_erasure_report_counts_what_was_deleted_and_kept() -> None:
    kept = {"payments": 3, "subscriptions": 1, "plan_changes": 2, "customers": 1}
    report = d.erasure_report(accounts=1, entries=7, sessions=2, events=4, kept=kept)
    assert [(e.category, e.count) for e in report.erased] == [
        ("credit_balance", 1),
        ("credit_ledger", 7),
        ("checkout_sessions", 2),
        ("webhook_event_links", 4),
    ]
    assert [(r.category, r.count) for r in report.retained] == [
        ("payment_records", 3),
        ("subscription_records", 3),
        ("payment_provider_link", 1),
    ]


def test_redirects_must_be_on_the_allow_list() -> None:
    allowed = ["https://app.example/"]
    d.check_redirect("https://app.example/done", "success_url", allowed)
    with pytest.raises(errors.InvalidArgument) as missing:
        d.check_redirect("", "success_url", allowed)
    assert missing.value.violations[0].field == "success_url"
    for url in ("https://evil.example/", "https://app.example/" + "x" * 2048):
        with pytest.raises(errors.InvalidArgument) as refused:
            d.check_redirect(url, "success_url", allowed)
        assert refused.value.reason == "REDIRECT_URL_NOT_ALLOWED"
