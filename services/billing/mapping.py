"""Billing's requests into plain values and its rows and values into the contract's messages.

The servicer (`handlers.py`) calls these around one use case per RPC; nothing here opens a
transaction or calls Stripe.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from google.api import httpbody_pb2
from google.protobuf import duration_pb2, field_mask_pb2, json_format, timestamp_pb2
from google.protobuf.message import Message
from google.type import date_pb2, money_pb2
from marquee.api.v1 import userdata_pb2
from marquee.billing.v1 import billing_pb2 as pb

from services.billing import domain as d
from services.billing.catalog import CURRENCY, TIERS
from services.billing.metrics import RevenueFigures
from services.billing.models import CheckoutSession, CreditPack, LedgerEntry, Payment, Plan, Subscription, WebhookEvent
from services.billing.repository import PaymentFilter, SubscriptionFilter
from services.billing.usecases import (
    CheckoutOrder,
    PlanChange,
    SubscriptionView,
)
from services.billing.work import Effective
from services.core import convert, errors, names
from services.core.convert import enum_number
from services.core.convert import timestamp as ts
from services.core.errors import FieldViolation, invalid
from services.core.interceptors import require_principal
from services.core.tokens import Principal

M = TypeVar("M", bound=Message)
T = TypeVar("T")


def _numbers(enum: Any) -> dict[str, Any]:
    """Stored plain value → enum number, from the enum's descriptor (`convert.enum_values`)."""
    values = convert.enum_values(enum)
    return {value: values.number(value) for value in values.values}


def _values(enum: Any) -> dict[Any, str]:
    return {number: value for value, number in _numbers(enum).items()}


INTERVALS = _values(pb.BillingInterval)
INTERVAL_ENUM = _numbers(pb.BillingInterval)
STATUS_ENUM = _numbers(pb.SubscriptionStatus)
STATUS_NAME = _values(pb.SubscriptionStatus)
PAYMENT_KIND_NAME = _values(pb.PaymentKind)
PAYMENT_STATUS_NAME = _values(pb.PaymentStatus)
ENTRY_KIND_NAME = _values(pb.CreditEntryKind)
OUTCOME = _numbers(pb.WebhookOutcome)
OUTCOME_NAME = _values(pb.WebhookOutcome)
# Stored as "payment_failure" since before the enum said PAYMENT_FAILED.
CANCEL_SOURCE = convert.EnumValues(
    pb.CancellationSource.DESCRIPTOR, aliases={"payment_failure": pb.CANCELLATION_SOURCE_PAYMENT_FAILED}
)
# Request enums as the plain values the use cases take, by their descriptors
# (`SUBSCRIPTION_ORDER_PERIOD_END_ASC` is "period_end_asc"); callers choose what UNSPECIFIED means.
SUBSCRIPTION_ORDERS = convert.enum_values(pb.SubscriptionOrder)
REFUND_REASONS = convert.enum_values(pb.RefundReason)
PORTAL_FLOWS = convert.enum_values(pb.PortalFlow)
PRORATION_BEHAVIORS = convert.enum_values(pb.ProrationBehavior)
GRANULARITIES = convert.enum_values(pb.MetricsGranularity)
PACK_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
PLAN_PATHS = ("display_name", "description", "features", "highlighted", "entitlements", "prices")
PACK_PATHS = ("display_name", "credits", "price", "required_plan", "active", "sort_order")
ENTITLEMENT_FIELDS = tuple(pb.EntitlementValues.DESCRIPTOR.fields_by_name)


def from_ts(stamp: timestamp_pb2.Timestamp) -> dt.datetime:
    return stamp.ToDatetime(dt.UTC)


def money(cents: int, currency: str = CURRENCY) -> money_pb2.Money:
    units, rest = divmod(abs(cents), 100)
    sign = -1 if cents < 0 else 1
    return money_pb2.Money(currency_code=currency, units=sign * units, nanos=sign * rest * 10_000_000)


def cents_of(value: money_pb2.Money, field_name: str, *, allow_zero: bool = True) -> int:
    if value.currency_code.upper() != CURRENCY:
        raise invalid(f"{field_name}.currency_code", f"must be the billing currency {CURRENCY}")
    if value.nanos % 10_000_000 or (value.units and value.nanos and (value.units > 0) != (value.nanos > 0)):
        raise invalid(field_name, "must be a whole number of cents")
    cents = int(value.units * 100 + value.nanos // 10_000_000)
    if cents < 0 or (cents == 0 and not allow_zero):
        raise invalid(field_name, "must be positive" if not allow_zero else "must not be negative")
    return cents


def query_key(message: Message) -> str:
    return json.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True), sort_keys=True)


# -- parsing: request -> plain values ------------------------------------------------------


def timing_of(value: int) -> str:
    """ChangeTiming as the use case takes it: "" lets the change's direction decide (upgrades now)."""
    if value == pb.CHANGE_TIMING_UNSPECIFIED:
        return ""
    return "immediately" if value == pb.CHANGE_TIMING_IMMEDIATELY else "period_end"


def known_plan(name: str, field_name: str) -> str:
    """`plans/{plan}` naming one of the plans Billing sells."""
    if not name.startswith("plans/") or name.removeprefix("plans/") not in TIERS:
        raise invalid(field_name, "unknown plan")
    return name.removeprefix("plans/")


def mask_paths(mask: field_mask_pb2.FieldMask, allowed: Callable[[str], bool]) -> list[str]:
    paths = list(mask.paths)
    if not paths:
        raise invalid("update_mask", "name at least one field to update")
    for path in paths:
        if not allowed(path):
            raise invalid("update_mask", f"path {path!r} is unknown or output only")
    return paths


def _plan_path(path: str) -> bool:
    root, _, sub = path.partition(".")
    return root in PLAN_PATHS and (not sub or (root == "entitlements" and sub in ENTITLEMENT_FIELDS))


def plan_change(request: pb.UpdatePlanRequest) -> PlanChange:
    new = request.plan
    plan_id = names.parse(request, "plan.name")["plan"]
    paths = mask_paths(request.update_mask, _plan_path)
    if "display_name" in paths and not new.display_name.strip():
        raise invalid("plan.display_name", "must not be empty")
    prices: list[dict[str, Any]] = []
    if "prices" in paths:
        seen = set()
        for index, given in enumerate(new.prices):
            interval = INTERVALS.get(given.interval)
            if interval is None or interval in seen:
                raise invalid(f"plan.prices[{index}].interval", "must be MONTH or YEAR, once each")
            seen.add(interval)
            amount = cents_of(given.amount, f"plan.prices[{index}].amount")
            if given.trial_period_days < 0 or given.trial_period_days > 730:
                raise invalid(f"plan.prices[{index}].trial_period_days", "must be between 0 and 730")
            prices.append({"interval": interval, "amount": amount, "currency": CURRENCY, "trial_days": given.trial_period_days})
    return convert.plain_from(
        PlanChange,
        new,
        plan_id=plan_id,
        paths=paths,
        features=list(new.features),
        prices=prices,
        entitlements=values_dict(new.entitlements),
    )


def pack_values(pack: pb.CreditPack, paths: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "display_name" in paths:
        if not pack.display_name.strip() or len(pack.display_name) > 100:
            raise invalid("credit_pack.display_name", "required, at most 100 characters")
        values["display_name"] = pack.display_name
    if "credits" in paths:
        if pack.credits <= 0 or pack.credits > 1_000_000:
            raise invalid("credit_pack.credits", "must be positive")
        values["credits"] = pack.credits
    if "price" in paths:
        values["price_amount"] = cents_of(pack.price, "credit_pack.price", allow_zero=False)
    if "required_plan" in paths:
        plan = pack.required_plan.removeprefix("plans/")
        if pack.required_plan and (not pack.required_plan.startswith("plans/") or plan not in TIERS):
            raise d.fail(errors.NotFound, f"{pack.required_plan} is not a plan", "UNKNOWN_PLAN")
        values["required_plan"] = plan if pack.required_plan else ""
    if "active" in paths:
        values["active"] = pack.active
    if "sort_order" in paths:
        values["sort_order"] = pack.sort_order
    return values


def checkout_order(wanted: pb.CheckoutSession) -> CheckoutOrder:
    which = wanted.WhichOneof("purchase")
    if which is None:
        raise invalid("checkout_session.purchase", "set subscription_plan or credit_pack")
    plan = which == "subscription_plan"
    return CheckoutOrder(
        plan=wanted.subscription_plan.plan if plan else "",
        interval=INTERVALS.get(wanted.subscription_plan.interval, "") if plan else "",
        credit_pack="" if plan else wanted.credit_pack,
        embedded=wanted.ui_mode == pb.CHECKOUT_UI_MODE_EMBEDDED,
        success_url=wanted.success_url,
        cancel_url=wanted.cancel_url,
        return_url=wanted.return_url,
        expire_time=from_ts(wanted.expire_time) if wanted.HasField("expire_time") else None,
        allow_promotion_codes=wanted.allow_promotion_codes,
    )


def enum_names(values: Iterable[int], names: Mapping[Any, str], field_name: str, message: str) -> tuple[str, ...]:
    """Repeated enum values as the strings stored; one unknown value is INVALID_ARGUMENT."""
    given = list(values)
    found = tuple(names[value] for value in given if value in names)
    if len(found) != len(given):
        raise invalid(field_name, message)
    return found


def window(message: Message, start_field: str, end_field: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A [start, end) filter from two optional Timestamp fields."""
    start = from_ts(getattr(message, start_field)) if message.HasField(start_field) else None
    end = from_ts(getattr(message, end_field)) if message.HasField(end_field) else None
    return start, end


def window_key(message: Message) -> list[str]:
    """`start_time` and `end_time` as they bind a page token to its query."""
    return [getattr(message, name).ToJsonString() if message.HasField(name) else "" for name in ("start_time", "end_time")]


def subscription_filter(filt: pb.SubscriptionFilter) -> SubscriptionFilter:
    plans = tuple(known_plan(plan, f"filter.plans[{index}]") for index, plan in enumerate(filt.plans))
    statuses = enum_names(filt.statuses, STATUS_NAME, "filter.statuses", "unknown status")
    if filt.interval and filt.interval not in INTERVALS:
        raise invalid("filter.interval", "unknown interval")
    return SubscriptionFilter(
        plans=plans,
        statuses=statuses,
        interval=INTERVALS.get(filt.interval, ""),
        cancel_at_period_end=filt.cancel_at_period_end if filt.HasField("cancel_at_period_end") else None,
        create_start=from_ts(filt.create_start_time) if filt.HasField("create_start_time") else None,
        create_end=from_ts(filt.create_end_time) if filt.HasField("create_end_time") else None,
    )


def payment_filter(request: pb.ListPaymentsRequest, principal: Principal) -> PaymentFilter:
    owner = names.owned(request, "parent", principal=principal, allow_all=True)["user"]
    user_id = None if owner == names.ALL else owner
    kinds = enum_names(request.kinds, PAYMENT_KIND_NAME, "kinds", "unknown kind")
    statuses = enum_names(request.statuses, PAYMENT_STATUS_NAME, "statuses", "unknown status")
    return PaymentFilter(user_id, kinds, statuses, *window(request, "start_time", "end_time"))


LedgerRequest = pb.SpendCreditsRequest | pb.RefundCreditsRequest | pb.GrantCreditsRequest | pb.AdjustCreditsRequest


def ledger_call(request: LedgerRequest) -> dict[str, Any]:
    """What every ledger call names: the user, the caller's request id and actor, the request's fingerprint."""
    principal = require_principal()
    return {
        "user_id": real_user(request, "user"),
        "request_id": request.request_id,
        "actor": principal.user_id if principal.is_service else f"users/{principal.user_id}",
        "print_": d.fingerprint(request.SerializeToString(deterministic=True)),
    }


def entitlement_users(request: pb.BatchGetEntitlementsRequest) -> list[str]:
    if not request.names or len(request.names) > 100:
        raise invalid("names", "name 1 to 100 users")
    user_ids = [name["user"] for name in names.parse_repeated(request, "names")]
    violations = [
        FieldViolation(f"names[{index}]", "must be `users/{user}/entitlements` with a real user id")
        for index, user_id in enumerate(user_ids)
        if user_id in (names.ME, names.ALL)
    ]
    if violations:
        raise errors.InvalidArgument("malformed names", violations=violations)
    return user_ids


def real_user(request: Message, path: str) -> str:
    """A real user id named by `request.<path>` (`users/{user}`; not `me` or `-`), for service RPCs."""
    user_id = names.parse(request, path)["user"]
    if user_id in (names.ME, names.ALL):
        raise invalid(path, "must be `users/{user}` with a real user id")
    return user_id


def date_of(value: date_pb2.Date, field_name: str) -> dt.date:
    try:
        return dt.date(value.year, value.month, value.day)
    except ValueError as exc:
        raise invalid(field_name, "must be a valid calendar date") from exc


def revenue_range(request: pb.GetRevenueMetricsRequest) -> tuple[dt.date, dt.date, str]:
    start = date_of(request.start_date, "start_date")
    end = date_of(request.end_date, "end_date")
    if end < start:
        raise invalid("end_date", "must not be before start_date")
    if (end - start).days > 3 * 366:
        raise invalid("end_date", "the range may be at most 3 years")
    granularity = GRANULARITIES.get(request.granularity) or ("day" if (end - start).days < 92 else "month")
    return start, end, granularity


# -- mapping: plain values -> messages ----------------------------------------------------------


def created(row: Payment | LedgerEntry) -> tuple[dt.datetime, str]:
    return row.create_time, row.id


def values_pb(values: dict[str, Any]) -> pb.EntitlementValues:
    validity = int(values.get("download_validity_seconds", 0))
    return pb.EntitlementValues(
        content_access_level=enum_number(int(values.get("content_access_level", 1))),
        max_video_quality=enum_number(int(values.get("max_video_quality", 1))),
        max_concurrent_streams=int(values.get("max_concurrent_streams", 1)),
        ads_enabled=bool(values.get("ads_enabled", False)),
        downloads_allowed=bool(values.get("downloads_allowed", False)),
        max_downloads=int(values.get("max_downloads", 0)),
        download_validity=duration_pb2.Duration(seconds=validity) if validity else None,
        early_access=bool(values.get("early_access", False)),
        extras_access=bool(values.get("extras_access", False)),
        chat_messages_per_day=int(values.get("chat_messages_per_day", 0)),
        monthly_credits=int(values.get("monthly_credits", 0)),
    )


def values_dict(values: pb.EntitlementValues) -> dict[str, Any]:
    return {
        "content_access_level": int(values.content_access_level),
        "max_video_quality": int(values.max_video_quality),
        "max_concurrent_streams": values.max_concurrent_streams,
        "ads_enabled": values.ads_enabled,
        "downloads_allowed": values.downloads_allowed,
        "max_downloads": values.max_downloads,
        "download_validity_seconds": values.download_validity.seconds,
        "early_access": values.early_access,
        "extras_access": values.extras_access,
        "chat_messages_per_day": values.chat_messages_per_day,
        "monthly_credits": values.monthly_credits,
    }


# Amounts in cents, in the billing currency, wherever a message field of the same name is Money.
CENTS: Mapping[type[Message], Callable[[Any], Message | None]] = {money_pb2.Money: money}


def proration_pb(proration: d.Proration) -> pb.ProrationPreview:
    return convert.message_from(pb.ProrationPreview, proration, messages=CENTS)


def balance_pb(user_id: str, view: d.BalanceView) -> pb.CreditBalance:
    totals = view.totals
    return convert.message_from(
        pb.CreditBalance,
        view,
        name=f"users/{user_id}/creditBalance",
        lifetime_granted=totals.get("grant", 0),
        lifetime_purchased=totals.get("purchase", 0) + totals.get("purchase_reversal", 0),
        lifetime_spent=-totals.get("spend", 0) - totals.get("refund", 0),
        low_balance=view.balance <= d.LOW_BALANCE_THRESHOLD,
        low_balance_threshold=d.LOW_BALANCE_THRESHOLD,
    )


def revenue_pb(figures: RevenueFigures) -> pb.RevenueMetrics:
    plans = [
        convert.message_from(
            pb.PlanMetrics,
            plan,
            messages=CENTS,
            plan=f"plans/{plan.plan_id}",
            interval=pb.BILLING_INTERVAL_YEAR if plan.interval == "year" else pb.BILLING_INTERVAL_MONTH,
        )
        for plan in figures.plans
    ]
    return convert.message_from(
        pb.RevenueMetrics,
        figures,
        messages=CENTS,
        plans=plans,
        series=[convert.message_from(pb.RevenueBucket, bucket, messages=CENTS) for bucket in figures.series],
    )


def json_document(document: dict[str, Any]) -> httpbody_pb2.HttpBody:
    """An export as the JSON body the contract returns."""
    return httpbody_pb2.HttpBody(content_type="application/json", data=json.dumps(document, sort_keys=True).encode())


def dispositions_pb(found: list[d.Disposition]) -> list[userdata_pb2.UserDataDisposition]:
    return [userdata_pb2.UserDataDisposition(category=x.category, count=x.count, description=x.description) for x in found]


def webhook_event_pb(row: WebhookEvent) -> pb.WebhookEvent:
    return convert.message_from(
        pb.WebhookEvent,
        row,
        name=f"webhookEvents/{row.id}",
        user=f"users/{row.user_id}" if row.user_id else "",
        error={"code": 13, "message": row.error} if row.error else None,
    )


def plan_pb(plan: Plan, principal: Principal | None) -> pb.Plan:
    admin = principal is not None and principal.is_admin
    prices = []
    for price in plan.prices:
        amount = int(price.get("amount", 0))
        interval = str(price.get("interval", "month"))
        prices.append(
            pb.PlanPrice(
                interval=INTERVAL_ENUM.get(interval, pb.BILLING_INTERVAL_UNSPECIFIED),
                amount=money(amount, str(price.get("currency", CURRENCY))),
                trial_period_days=int(price.get("trial_days", 0)),
                monthly_equivalent=money(amount // 12 if interval == "year" else amount),
                provider_price_id=str(price.get("price_id", "")) if admin else "",
            )
        )
    return convert.message_from(
        pb.Plan,
        plan,
        name=f"plans/{plan.id}",
        prices=prices,
        features=list(plan.features),
        entitlements=values_pb(plan.entitlements),
        etag=d.etag_of(plan.version),
    )


def pack_pb(pack: CreditPack, principal: Principal | None) -> pb.CreditPack:
    admin = principal is not None and principal.is_admin
    return convert.message_from(
        pb.CreditPack,
        pack,
        name=f"creditPacks/{pack.id}",
        price=money(pack.price_amount, pack.currency),
        unit_price=money(round(pack.price_amount / pack.credits) if pack.credits else 0, pack.currency),
        required_plan=f"plans/{pack.required_plan}" if pack.required_plan else "",
        etag=d.etag_of(pack.version),
        provider_price_id=pack.provider_price_id if admin else "",
    )


def subscription_pb(row: Subscription, principal: Principal | None, plans: dict[str, Plan]) -> pb.Subscription:
    admin = principal is not None and principal.is_admin
    prefix = f"users/{row.user_id}"
    renews = row.status in ("trialing", "active", "past_due") and not row.cancel_at_period_end
    pending = None
    if row.pending_plan_id:
        target = plans.get(row.pending_plan_id)
        price = d.price_at(target.prices, row.pending_interval) if target else None
        pending = pb.PendingPlanChange(
            plan=f"plans/{row.pending_plan_id}",
            interval=INTERVAL_ENUM.get(row.pending_interval, pb.BILLING_INTERVAL_UNSPECIFIED),
            price=money(int(price["amount"])) if price else None,
            effective_time=ts(row.current_period_end),
        )
    cancellation = None
    if row.cancellation:
        feedback = row.cancellation.get("feedback", 0)
        cancellation = pb.Cancellation(
            source=enum_number(CANCEL_SOURCE.number(str(row.cancellation.get("source", "")))),
            feedback=enum_number(int(feedback) if str(feedback).isdigit() else 0),
            comment=str(row.cancellation.get("comment", "")),
            request_time=ts(dt.datetime.fromisoformat(row.cancellation["request_time"]))
            if row.cancellation.get("request_time")
            else None,
        )
    plan = plans.get(row.plan_id)
    return convert.message_from(
        pb.Subscription,
        row,
        name=f"{prefix}/subscription",
        plan=f"plans/{row.plan_id}",
        tier=enum_number(plan.tier if plan else 0),
        price=money(row.price_amount, row.currency),
        current_period_start_time=ts(row.current_period_start),
        current_period_end_time=ts(row.current_period_end),
        cancellation=cancellation,
        trial_start_time=ts(row.trial_start),
        trial_end_time=ts(row.trial_end),
        pending_change=pending,
        next_invoice_amount=money(row.price_amount, row.currency) if renews else None,
        next_invoice_time=ts(row.current_period_end) if renews else None,
        grace_period_end_time=ts(row.grace_period_end) if row.status == "past_due" else None,
        latest_payment=f"{prefix}/payments/{row.latest_payment_id}" if row.latest_payment_id else "",
        provider_customer_id=row.stripe_customer_id if admin else "",
        provider_subscription_id=row.stripe_subscription_id if admin else "",
    )


def payment_pb(row: Payment, principal: Principal | None) -> pb.Payment:
    admin = principal is not None and principal.is_admin
    return convert.message_from(
        pb.Payment,
        row,
        name=f"users/{row.user_id}/payments/{row.id}",
        amount=money(row.amount, row.currency),
        amount_refunded=money(row.amount_refunded, row.currency),
        plan=f"plans/{row.plan_id}" if row.plan_id else "",
        period_start_time=ts(row.period_start),
        period_end_time=ts(row.period_end),
        credit_pack=f"creditPacks/{row.credit_pack_id}" if row.credit_pack_id else "",
        provider_payment_id=row.provider_payment_id if admin else "",
    )


def entry_pb(row: LedgerEntry) -> pb.CreditLedgerEntry:
    prefix = f"users/{row.user_id}"
    return convert.message_from(
        pb.CreditLedgerEntry,
        row,
        name=f"{prefix}/creditLedger/{row.id}",
        payment=f"{prefix}/payments/{row.payment_id}" if row.payment_id else "",
        credit_pack=f"creditPacks/{row.credit_pack_id}" if row.credit_pack_id else "",
        spend_entry=f"{prefix}/creditLedger/{row.spend_entry_id}" if row.spend_entry_id else "",
        metadata=dict(row.meta or {}),
    )


def entitlements_pb(user_id: str, effective: Effective, now: dt.datetime) -> pb.Entitlements:
    expire = now + d.ENTITLEMENTS_MAX_AGE
    if effective.plan_end_time is not None:
        expire = min(expire, effective.plan_end_time)
    return pb.Entitlements(
        name=f"users/{user_id}/entitlements",
        plan=f"plans/{effective.plan.id}",
        tier=enum_number(effective.plan.tier),
        subscription_status=STATUS_ENUM.get(effective.subscription.status, pb.SUBSCRIPTION_STATUS_UNSPECIFIED)
        if effective.subscription
        else pb.SUBSCRIPTION_STATUS_UNSPECIFIED,
        values=values_pb(effective.plan.entitlements),
        in_grace_period=effective.in_grace_period,
        plan_end_time=ts(effective.plan_end_time),
        compute_time=ts(now),
        max_age=duration_pb2.Duration(seconds=int(d.ENTITLEMENTS_MAX_AGE.total_seconds())),
        expire_time=ts(expire),
    )


def checkout_pb(row: CheckoutSession, fulfilled: bool, subscription: str) -> pb.CheckoutSession:
    prefix = f"users/{row.user_id}"
    message = convert.message_from(
        pb.CheckoutSession,
        row,
        name=f"{prefix}/checkoutSessions/{row.id}",
        mode=pb.CHECKOUT_MODE_SUBSCRIPTION if row.mode == "subscription" else pb.CHECKOUT_MODE_PAYMENT,
        ui_mode=pb.CHECKOUT_UI_MODE_EMBEDDED if row.ui_mode == "embedded" else pb.CHECKOUT_UI_MODE_HOSTED,
        fulfilled=fulfilled,
        amount_total=money(row.amount_total, row.currency),
        trial_period_days=row.trial_days,
        subscription=subscription,
        payment=f"{prefix}/payments/{row.payment_id}" if row.payment_id else "",
    )
    if row.mode == "subscription":
        message.subscription_plan.CopyFrom(
            pb.PlanSelection(
                plan=f"plans/{row.plan_id}", interval=INTERVAL_ENUM.get(row.interval, pb.BILLING_INTERVAL_UNSPECIFIED)
            )
        )
    else:
        message.credit_pack = f"creditPacks/{row.credit_pack_id}"
    return message


def view_pb(view: SubscriptionView, principal: Principal) -> pb.Subscription:
    return subscription_pb(view.row, principal, view.plans)


def subscription_key(order: str) -> Callable[[Subscription], tuple[dt.datetime | None, str]]:
    """The keyset position of a subscription in `ListSubscriptions`' order."""
    if order == "period_end_asc":
        return lambda row: (row.current_period_end, row.id)
    return lambda row: (row.create_time, row.id)


def received(row: WebhookEvent) -> tuple[dt.datetime, str]:
    return row.receive_time, row.id
