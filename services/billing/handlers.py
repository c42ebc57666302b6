"""BillingService servicer: converts protobuf ↔ domain values, runs units of work and Stripe calls.

Stripe calls are blocking HTTP: they run with `Database.offload`, never inside a
database transaction, and the state they return is applied in a unit of work after.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from google.protobuf import duration_pb2, json_format, timestamp_pb2
from google.protobuf.message import Message
from google.type import date_pb2, money_pb2
from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc
from sqlalchemy.exc import IntegrityError

from services.billing import domain as d
from services.billing.catalog import CURRENCY, TIERS
from services.billing.metrics import RevenueFigures, revenue_figures
from services.billing.models import CheckoutSession, CreditPack, LedgerEntry, Payment, Plan, Subscription, WebhookEvent
from services.billing.repository import BillingRepository
from services.billing.stripe_gateway import StripeGateway, idempotency_key, unavailable
from services.core import errors
from services.core.convert import timestamp as ts
from services.core.db import Database
from services.core.errors import FieldViolation, invalid
from services.core.handlers import UnitOfWorkHandlers
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, current_metadata, current_principal, current_request_id, require_principal
from services.core.paging import PageTokens, page_size
from services.core.tokens import Principal

T = TypeVar("T")

INTERVALS = {pb.BILLING_INTERVAL_MONTH: "month", pb.BILLING_INTERVAL_YEAR: "year"}
INTERVAL_ENUM = {v: k for k, v in INTERVALS.items()}
STATUS_ENUM = {
    "incomplete": pb.SUBSCRIPTION_STATUS_INCOMPLETE,
    "incomplete_expired": pb.SUBSCRIPTION_STATUS_INCOMPLETE_EXPIRED,
    "trialing": pb.SUBSCRIPTION_STATUS_TRIALING,
    "active": pb.SUBSCRIPTION_STATUS_ACTIVE,
    "past_due": pb.SUBSCRIPTION_STATUS_PAST_DUE,
    "unpaid": pb.SUBSCRIPTION_STATUS_UNPAID,
    "canceled": pb.SUBSCRIPTION_STATUS_CANCELED,
    "paused": pb.SUBSCRIPTION_STATUS_PAUSED,
}
STATUS_NAME = {v: k for k, v in STATUS_ENUM.items()}
PAYMENT_KIND = {
    "subscription_start": pb.PAYMENT_KIND_SUBSCRIPTION_START,
    "subscription_renewal": pb.PAYMENT_KIND_SUBSCRIPTION_RENEWAL,
    "subscription_change": pb.PAYMENT_KIND_SUBSCRIPTION_CHANGE,
    "credit_pack": pb.PAYMENT_KIND_CREDIT_PACK,
}
PAYMENT_KIND_NAME = {v: k for k, v in PAYMENT_KIND.items()}
PAYMENT_STATUS = {
    "pending": pb.PAYMENT_STATUS_PENDING,
    "requires_action": pb.PAYMENT_STATUS_REQUIRES_ACTION,
    "succeeded": pb.PAYMENT_STATUS_SUCCEEDED,
    "failed": pb.PAYMENT_STATUS_FAILED,
    "partially_refunded": pb.PAYMENT_STATUS_PARTIALLY_REFUNDED,
    "refunded": pb.PAYMENT_STATUS_REFUNDED,
    "disputed": pb.PAYMENT_STATUS_DISPUTED,
}
PAYMENT_STATUS_NAME = {v: k for k, v in PAYMENT_STATUS.items()}
ENTRY_KIND = {
    "grant": pb.CREDIT_ENTRY_KIND_GRANT,
    "purchase": pb.CREDIT_ENTRY_KIND_PURCHASE,
    "spend": pb.CREDIT_ENTRY_KIND_SPEND,
    "refund": pb.CREDIT_ENTRY_KIND_REFUND,
    "expire": pb.CREDIT_ENTRY_KIND_EXPIRE,
    "adjust": pb.CREDIT_ENTRY_KIND_ADJUST,
    "purchase_reversal": pb.CREDIT_ENTRY_KIND_PURCHASE_REVERSAL,
}
ENTRY_KIND_NAME = {v: k for k, v in ENTRY_KIND.items()}
OUTCOME = {
    "processed": pb.WEBHOOK_OUTCOME_PROCESSED,
    "ignored": pb.WEBHOOK_OUTCOME_IGNORED,
    "duplicate": pb.WEBHOOK_OUTCOME_DUPLICATE,
    "failed": pb.WEBHOOK_OUTCOME_FAILED,
}
OUTCOME_NAME = {v: k for k, v in OUTCOME.items()}
CANCEL_SOURCE = {
    "user": pb.CANCELLATION_SOURCE_USER,
    "admin": pb.CANCELLATION_SOURCE_ADMIN,
    "payment_failure": pb.CANCELLATION_SOURCE_PAYMENT_FAILED,
}
SUBSCRIPTION_ORDERS = {
    pb.SUBSCRIPTION_ORDER_UNSPECIFIED: "create_time_desc",
    pb.SUBSCRIPTION_ORDER_CREATE_TIME_DESC: "create_time_desc",
    pb.SUBSCRIPTION_ORDER_CREATE_TIME_ASC: "create_time_asc",
    pb.SUBSCRIPTION_ORDER_PERIOD_END_ASC: "period_end_asc",
}
REFUND_REASONS = {
    pb.REFUND_REASON_DUPLICATE: "duplicate",
    pb.REFUND_REASON_FRAUDULENT: "fraudulent",
    pb.REFUND_REASON_REQUESTED_BY_CUSTOMER: "requested_by_customer",
}
PACK_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
PLAN_PATHS = ("display_name", "description", "features", "highlighted", "entitlements", "prices")
PACK_PATHS = ("display_name", "credits", "price", "required_plan", "active", "sort_order")
ENTITLEMENT_FIELDS = tuple(pb.EntitlementValues.DESCRIPTOR.fields_by_name)
CHECKOUT_MIN = dt.timedelta(minutes=30)
CHECKOUT_MAX = dt.timedelta(hours=24)
PORTAL_TTL = dt.timedelta(minutes=5)


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


def as_enum(value: int) -> Any:
    """Enum values stored as plain ints; protobuf takes them as they are (the stubs want the enum type)."""
    return value


def etag_of(version: int) -> str:
    return f'"{version}"'


def query_key(message: Message) -> str:
    return json.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True), sort_keys=True)


class BillingHandlers(UnitOfWorkHandlers[BillingRepository], billing_pb2_grpc.BillingServiceServicer):
    def __init__(
        self,
        domain: d.BillingDomain,
        database: Database,
        idempotency: Idempotency,
        page_tokens: PageTokens,
        stripe_gateway: StripeGateway,
    ) -> None:
        super().__init__(database, idempotency, page_tokens, repository=BillingRepository)
        self.domain = domain
        self.stripe = stripe_gateway

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One unit of work; a unique-constraint race (concurrent retries) is retried once and
        then finds the row the other call wrote."""
        for attempt in range(3):
            try:
                return await super()._run(fn, *args, **kwargs)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _require_stripe(self) -> None:
        if not self.stripe.configured:
            raise unavailable()

    @staticmethod
    def _key(user_id: str, method: str, request_id: str) -> str:
        """The Stripe idempotency key of this call: our request_id, else the call's x-request-id."""
        return idempotency_key(user_id, method, request_id or current_request_id() or uuid.uuid4().hex)

    # -- conversions ----------------------------------------------------------------

    def plan_pb(self, plan: Plan, principal: Principal | None) -> pb.Plan:
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
        return pb.Plan(
            name=f"plans/{plan.id}",
            tier=as_enum(plan.tier),
            display_name=plan.display_name,
            description=plan.description,
            prices=prices,
            features=list(plan.features),
            entitlements=self.values_pb(plan.entitlements),
            highlighted=plan.highlighted,
            etag=etag_of(plan.version),
            update_time=ts(plan.update_time),
        )

    @staticmethod
    def values_pb(values: dict[str, Any]) -> pb.EntitlementValues:
        validity = int(values.get("download_validity_seconds", 0))
        return pb.EntitlementValues(
            content_access_level=as_enum(int(values.get("content_access_level", 1))),
            max_video_quality=as_enum(int(values.get("max_video_quality", 1))),
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

    @staticmethod
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

    @staticmethod
    def pack_pb(pack: CreditPack, principal: Principal | None) -> pb.CreditPack:
        admin = principal is not None and principal.is_admin
        return pb.CreditPack(
            name=f"creditPacks/{pack.id}",
            display_name=pack.display_name,
            credits=pack.credits,
            price=money(pack.price_amount, pack.currency),
            unit_price=money(round(pack.price_amount / pack.credits) if pack.credits else 0, pack.currency),
            required_plan=f"plans/{pack.required_plan}" if pack.required_plan else "",
            active=pack.active,
            sort_order=pack.sort_order,
            etag=etag_of(pack.version),
            provider_price_id=pack.provider_price_id if admin else "",
            create_time=ts(pack.create_time),
            update_time=ts(pack.update_time),
        )

    @staticmethod
    def subscription_pb(row: Subscription, principal: Principal | None, plans: dict[str, Plan]) -> pb.Subscription:
        admin = principal is not None and principal.is_admin
        prefix = f"users/{row.user_id}"
        renews = row.status in ("trialing", "active", "past_due") and not row.cancel_at_period_end
        pending = None
        if row.pending_plan_id:
            target = plans.get(row.pending_plan_id)
            price = d.BillingDomain.price_of(target, row.pending_interval) if target else None
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
                source=CANCEL_SOURCE.get(str(row.cancellation.get("source", "")), pb.CANCELLATION_SOURCE_UNSPECIFIED),
                feedback=as_enum(int(feedback) if str(feedback).isdigit() else 0),
                comment=str(row.cancellation.get("comment", "")),
                request_time=ts(dt.datetime.fromisoformat(row.cancellation["request_time"]))
                if row.cancellation.get("request_time")
                else None,
            )
        plan = plans.get(row.plan_id)
        return pb.Subscription(
            name=f"{prefix}/subscription",
            plan=f"plans/{row.plan_id}",
            tier=as_enum(plan.tier if plan else 0),
            interval=INTERVAL_ENUM.get(row.interval, pb.BILLING_INTERVAL_UNSPECIFIED),
            status=STATUS_ENUM.get(row.status, pb.SUBSCRIPTION_STATUS_UNSPECIFIED),
            price=money(row.price_amount, row.currency),
            start_time=ts(row.start_time),
            current_period_start_time=ts(row.current_period_start),
            current_period_end_time=ts(row.current_period_end),
            cancel_at_period_end=row.cancel_at_period_end,
            cancel_time=ts(row.cancel_time),
            end_time=ts(row.end_time),
            cancellation=cancellation,
            trial_start_time=ts(row.trial_start),
            trial_end_time=ts(row.trial_end),
            pending_change=pending,
            next_invoice_amount=money(row.price_amount, row.currency) if renews else None,
            next_invoice_time=ts(row.current_period_end) if renews else None,
            grace_period_end_time=ts(row.grace_period_end) if row.status == "past_due" else None,
            latest_payment=f"{prefix}/payments/{row.latest_payment_id}" if row.latest_payment_id else "",
            create_time=ts(row.create_time),
            update_time=ts(row.update_time),
            provider_customer_id=row.stripe_customer_id if admin else "",
            provider_subscription_id=row.stripe_subscription_id if admin else "",
        )

    @staticmethod
    def payment_pb(row: Payment, principal: Principal | None) -> pb.Payment:
        admin = principal is not None and principal.is_admin
        return pb.Payment(
            name=f"users/{row.user_id}/payments/{row.id}",
            kind=PAYMENT_KIND.get(row.kind, pb.PAYMENT_KIND_UNSPECIFIED),
            status=PAYMENT_STATUS.get(row.status, pb.PAYMENT_STATUS_UNSPECIFIED),
            amount=money(row.amount, row.currency),
            amount_refunded=money(row.amount_refunded, row.currency),
            description=row.description,
            plan=f"plans/{row.plan_id}" if row.plan_id else "",
            interval=INTERVAL_ENUM.get(row.interval, pb.BILLING_INTERVAL_UNSPECIFIED),
            period_start_time=ts(row.period_start),
            period_end_time=ts(row.period_end),
            credit_pack=f"creditPacks/{row.credit_pack_id}" if row.credit_pack_id else "",
            credits=row.credits,
            invoice_number=row.invoice_number,
            invoice_url=row.invoice_url,
            invoice_pdf_url=row.invoice_pdf_url,
            receipt_url=row.receipt_url,
            failure_message=row.failure_message,
            failure_code=row.failure_code,
            create_time=ts(row.create_time),
            paid_time=ts(row.paid_time),
            refund_time=ts(row.refund_time),
            provider_payment_id=row.provider_payment_id if admin else "",
        )

    @staticmethod
    def entry_pb(row: LedgerEntry) -> pb.CreditLedgerEntry:
        prefix = f"users/{row.user_id}"
        return pb.CreditLedgerEntry(
            name=f"{prefix}/creditLedger/{row.id}",
            kind=ENTRY_KIND.get(row.kind, pb.CREDIT_ENTRY_KIND_UNSPECIFIED),
            delta=row.delta,
            balance_after=row.balance_after,
            reason=row.reason,
            reference=row.reference,
            request_id=row.request_id or "",
            actor=row.actor,
            payment=f"{prefix}/payments/{row.payment_id}" if row.payment_id else "",
            credit_pack=f"creditPacks/{row.credit_pack_id}" if row.credit_pack_id else "",
            spend_entry=f"{prefix}/creditLedger/{row.spend_entry_id}" if row.spend_entry_id else "",
            refunded_credits=row.refunded_credits,
            expire_time=ts(row.expire_time),
            metadata=dict(row.meta or {}),
            create_time=ts(row.create_time),
        )

    def entitlements_pb(self, user_id: str, effective: d.Effective, now: dt.datetime) -> pb.Entitlements:
        expire = now + d.ENTITLEMENTS_MAX_AGE
        if effective.plan_end_time is not None:
            expire = min(expire, effective.plan_end_time)
        return pb.Entitlements(
            name=f"users/{user_id}/entitlements",
            plan=f"plans/{effective.plan.id}",
            tier=as_enum(effective.plan.tier),
            subscription_status=STATUS_ENUM.get(effective.subscription.status, pb.SUBSCRIPTION_STATUS_UNSPECIFIED)
            if effective.subscription
            else pb.SUBSCRIPTION_STATUS_UNSPECIFIED,
            values=self.values_pb(effective.plan.entitlements),
            in_grace_period=effective.in_grace_period,
            plan_end_time=ts(effective.plan_end_time),
            compute_time=ts(now),
            max_age=duration_pb2.Duration(seconds=int(d.ENTITLEMENTS_MAX_AGE.total_seconds())),
            expire_time=ts(expire),
        )

    def checkout_pb(self, row: CheckoutSession, fulfilled: bool, subscription: str) -> pb.CheckoutSession:
        prefix = f"users/{row.user_id}"
        message = pb.CheckoutSession(
            name=f"{prefix}/checkoutSessions/{row.id}",
            mode=pb.CHECKOUT_MODE_SUBSCRIPTION if row.mode == "subscription" else pb.CHECKOUT_MODE_PAYMENT,
            ui_mode=pb.CHECKOUT_UI_MODE_EMBEDDED if row.ui_mode == "embedded" else pb.CHECKOUT_UI_MODE_HOSTED,
            success_url=row.success_url,
            cancel_url=row.cancel_url,
            return_url=row.return_url,
            allow_promotion_codes=row.allow_promotion_codes,
            expire_time=ts(row.expire_time),
            url=row.url,
            state={
                "open": pb.CHECKOUT_SESSION_STATE_OPEN,
                "complete": pb.CHECKOUT_SESSION_STATE_COMPLETE,
                "expired": pb.CHECKOUT_SESSION_STATE_EXPIRED,
            }.get(row.state, pb.CHECKOUT_SESSION_STATE_UNSPECIFIED),
            fulfilled=fulfilled,
            amount_total=money(row.amount_total, row.currency),
            trial_period_days=row.trial_days,
            subscription=subscription,
            payment=f"{prefix}/payments/{row.payment_id}" if row.payment_id else "",
            create_time=ts(row.create_time),
            complete_time=ts(row.complete_time),
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

    def _subscription_response(self, repo: BillingRepository, row: Subscription, principal: Principal) -> pb.Subscription:
        return self.subscription_pb(row, principal, {plan.id: plan for plan in self.domain.plans(repo)})

    # -- plans and packs ---------------------------------------------------------------

    async def ListPlans(self, request: pb.ListPlansRequest, context: Context) -> pb.ListPlansResponse:
        limit = page_size(request.page_size, default=20, maximum=100)
        position = self.pages.decode(request.page_token, query="plans")
        after = int(position["tier"]) if position else 0
        rows = [plan for plan in await self._run(self.domain.plans) if plan.tier > after]
        next_token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            next_token = self.pages.encode({"tier": rows[-1].tier}, query="plans")
        principal = current_principal()
        return pb.ListPlansResponse(plans=[self.plan_pb(p, principal) for p in rows], next_page_token=next_token)

    async def GetPlan(self, request: pb.GetPlanRequest, context: Context) -> pb.GetPlanResponse:
        plan_id = request.name.removeprefix("plans/")
        if not request.name.startswith("plans/") or not plan_id or "/" in plan_id:
            raise invalid("name", "must be `plans/{plan}`")
        plan = await self._run(self.domain.plan, plan_id)
        return pb.GetPlanResponse(plan=self.plan_pb(plan, current_principal()))

    async def UpdatePlan(self, request: pb.UpdatePlanRequest, context: Context) -> pb.UpdatePlanResponse:
        principal = require_principal()
        plan_id = request.plan.name.removeprefix("plans/")
        if not request.plan.name.startswith("plans/") or not plan_id:
            raise invalid("plan.name", "must be `plans/{plan}`")
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask", "name at least one field to update")
        for path in paths:
            root, _, sub = path.partition(".")
            if root not in PLAN_PATHS or (sub and (root != "entitlements" or sub not in ENTITLEMENT_FIELDS)):
                raise invalid("update_mask", f"path {path!r} is unknown or output only")
        new = request.plan
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
                prices.append(
                    {"interval": interval, "amount": amount, "currency": CURRENCY, "trial_days": given.trial_period_days}
                )
        current = await self._run(self.domain.plan, plan_id)
        if new.etag and new.etag != etag_of(current.version):
            raise errors.Aborted("the plan changed since it was read", reason="ETAG_MISMATCH")
        # A changed price is a new Stripe price; subscribers keep the one they signed up at.
        for price in prices:
            old = self.domain.price_of(current, price["interval"])
            if old is not None and int(old.get("amount", -1)) == price["amount"]:
                price["price_id"] = old.get("price_id", "")
                price["previous_price_ids"] = old.get("previous_price_ids", [])
                continue
            if current.id == "free" or price["amount"] == 0:
                price["price_id"] = ""
                continue
            self._require_stripe()
            params = {
                "currency": CURRENCY.lower(),
                "unit_amount": price["amount"],
                "recurring": {"interval": price["interval"]},
                "product_data": {"name": current.display_name},
                "metadata": {"plan_id": current.id},
            }
            key = idempotency_key("plan-price", current.id, str(current.version), price["interval"], str(price["amount"]))
            price["price_id"] = await self.db.offload(self.stripe.create_price, params, key)
            previous = list(old.get("previous_price_ids", [])) if old else []
            if old and old.get("price_id"):
                previous.append(old["price_id"])
            price["previous_price_ids"] = previous

        def update(repo: BillingRepository) -> Plan:
            plan = self.domain.plan(repo, plan_id, for_update=True)
            if plan.version != current.version:
                raise errors.Aborted("the plan changed while it was being updated", reason="ETAG_MISMATCH")
            entitlements = dict(plan.entitlements)
            for path in paths:
                if path == "display_name":
                    plan.display_name = new.display_name[:100]
                elif path == "description":
                    plan.description = new.description[:500]
                elif path == "features":
                    plan.features = [f[:200] for f in new.features][:30]
                elif path == "highlighted":
                    plan.highlighted = new.highlighted
                elif path == "prices":
                    plan.prices = prices
                elif path == "entitlements":
                    entitlements = self.values_dict(new.entitlements)
                else:
                    field_name = path.split(".", 1)[1]
                    full = self.values_dict(new.entitlements)
                    key = "download_validity_seconds" if field_name == "download_validity" else field_name
                    entitlements[key] = full[key]
            plan.entitlements = entitlements
            plan.version += 1
            plan.update_time = d.now_utc()
            return plan

        plan = await self._run(update)
        return pb.UpdatePlanResponse(plan=self.plan_pb(plan, principal))

    async def ListCreditPacks(self, request: pb.ListCreditPacksRequest, context: Context) -> pb.ListCreditPacksResponse:
        principal = current_principal()
        include = request.show_inactive and principal is not None and principal.is_admin
        limit = page_size(request.page_size, default=20, maximum=100)
        query = f"packs:{include}"
        position = self.pages.decode(request.page_token, query=query)
        after = (int(position["o"]), int(position["c"]), str(position["id"])) if position else None

        def load(repo: BillingRepository) -> list[CreditPack]:
            self.domain.ensure_catalog(repo)
            return list(repo.packs(include_inactive=include, after=after, limit=limit))

        rows = await self._run(load)
        next_token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            next_token = self.pages.encode({"o": last.sort_order, "c": last.credits, "id": last.id}, query=query)
        return pb.ListCreditPacksResponse(credit_packs=[self.pack_pb(p, principal) for p in rows], next_page_token=next_token)

    def _pack_values(self, pack: pb.CreditPack, paths: list[str]) -> dict[str, Any]:
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

    async def _pack_price(self, pack_id: str, credits: int, amount: int, version: int) -> str:
        self._require_stripe()
        params = {
            "currency": CURRENCY.lower(),
            "unit_amount": amount,
            "product_data": {"name": f"{credits} credits"},
            "metadata": {"credit_pack": pack_id, "credits": str(credits)},
        }
        key = idempotency_key("pack-price", pack_id, str(version), str(credits), str(amount))
        price_id: str = await self.db.offload(self.stripe.create_price, params, key)
        return price_id

    async def CreateCreditPack(self, request: pb.CreateCreditPackRequest, context: Context) -> pb.CreateCreditPackResponse:
        principal = require_principal()
        pack_id = request.credit_pack_id
        if not PACK_ID.match(pack_id):
            raise invalid("credit_pack_id", "lowercase letters, digits and hyphens, at most 40 characters")
        if len(request.request_id) > 128:
            raise invalid("request_id", "at most 128 characters")
        values = self._pack_values(request.credit_pack, list(PACK_PATHS))
        # proto3 cannot tell an unset `active` from false: a new pack is on sale (the contract's default);
        # stop selling it with UpdateCreditPack.
        values["active"] = True

        def existing(repo: BillingRepository) -> CreditPack | None:
            self.domain.ensure_catalog(repo)
            if request.request_id:
                replay = repo.pack_by_request(f"{principal.user_id}:{request.request_id}")
                if replay is not None:
                    if replay.id != pack_id:
                        raise d.fail(errors.AlreadyExists, "request_id was already used for another pack", "REQUEST_ID_REUSED")
                    return replay
            if repo.pack(pack_id) is not None:
                raise errors.AlreadyExists(f"creditPacks/{pack_id} already exists", reason="ALREADY_EXISTS")
            return None

        replay = await self._run(existing)
        if replay is not None:
            return pb.CreateCreditPackResponse(credit_pack=self.pack_pb(replay, principal))
        price_id = await self._pack_price(pack_id, values["credits"], values["price_amount"], 0)

        def create(repo: BillingRepository) -> CreditPack:
            now = d.now_utc()
            row = CreditPack(
                id=pack_id,
                currency=CURRENCY,
                provider_price_id=price_id,
                version=1,
                create_time=now,
                update_time=now,
                request_id=f"{principal.user_id}:{request.request_id}" if request.request_id else None,
                **values,
            )
            repo.add(row)
            repo.flush()
            return row

        try:
            row = await self.db.run(lambda session: create(BillingRepository(session)))
        except IntegrityError as exc:
            raise errors.AlreadyExists(f"creditPacks/{pack_id} already exists", reason="ALREADY_EXISTS") from exc
        return pb.CreateCreditPackResponse(credit_pack=self.pack_pb(row, principal))

    async def UpdateCreditPack(self, request: pb.UpdateCreditPackRequest, context: Context) -> pb.UpdateCreditPackResponse:
        principal = require_principal()
        pack_id = request.credit_pack.name.removeprefix("creditPacks/")
        if not request.credit_pack.name.startswith("creditPacks/") or not pack_id:
            raise invalid("credit_pack.name", "must be `creditPacks/{pack}`")
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask", "name at least one field to update")
        for path in paths:
            if path not in PACK_PATHS:
                raise invalid("update_mask", f"path {path!r} is unknown or output only")
        values = self._pack_values(request.credit_pack, paths)
        current = await self._run(self.domain.pack, pack_id)
        if request.credit_pack.etag and request.credit_pack.etag != etag_of(current.version):
            raise errors.Aborted("the pack changed since it was read", reason="ETAG_MISMATCH")
        credits = values.get("credits", current.credits)
        amount = values.get("price_amount", current.price_amount)
        if (credits, amount) != (current.credits, current.price_amount):
            values["provider_price_id"] = await self._pack_price(pack_id, credits, amount, current.version)

        def update(repo: BillingRepository) -> CreditPack:
            row = self.domain.pack(repo, pack_id, for_update=True)
            if row.version != current.version:
                raise errors.Aborted("the pack changed while it was being updated", reason="ETAG_MISMATCH")
            for key, value in values.items():
                setattr(row, key, value)
            row.version += 1
            row.update_time = d.now_utc()
            return row

        row = await self._run(update)
        return pb.UpdateCreditPackResponse(credit_pack=self.pack_pb(row, principal))

    # -- checkout and portal -------------------------------------------------------------

    async def _customer(self, user_id: str) -> str:
        """The user's one Stripe customer, created on first need (idempotent by user id)."""
        found = await self._run(lambda repo: repo.customer(user_id))
        if found is not None:
            return str(found.stripe_customer_id)
        created: str = await self.db.offload(self.stripe.create_customer, user_id)
        await self._run(lambda repo: repo.link_customer(user_id, created))
        linked = await self._run(lambda repo: repo.customer(user_id))
        return linked.stripe_customer_id if linked else created

    async def CreateCheckoutSession(
        self, request: pb.CreateCheckoutSessionRequest, context: Context
    ) -> pb.CreateCheckoutSessionResponse:
        principal = require_principal()
        user_id = d.resolve_user(request.parent, principal, field_name="parent")
        if user_id != principal.user_id:
            raise invalid("parent", "checkouts are made by the buyer: use `users/me`")
        return await self._once(
            "CreateCheckoutSession",
            user_id,
            request,
            request.request_id,
            pb.CreateCheckoutSessionResponse,
            lambda: self._checkout(request, user_id),
        )

    async def _checkout(self, request: pb.CreateCheckoutSessionRequest, user_id: str) -> pb.CreateCheckoutSessionResponse:
        wanted = request.checkout_session
        which = wanted.WhichOneof("purchase")
        if which is None:
            raise invalid("checkout_session.purchase", "set subscription_plan or credit_pack")
        embedded = wanted.ui_mode == pb.CHECKOUT_UI_MODE_EMBEDDED
        if embedded:
            self.domain.check_redirect(wanted.return_url, "checkout_session.return_url")
        else:
            self.domain.check_redirect(wanted.success_url, "checkout_session.success_url")
            self.domain.check_redirect(wanted.cancel_url, "checkout_session.cancel_url")
        now = d.now_utc()
        expire = from_ts(wanted.expire_time) if wanted.HasField("expire_time") else now + CHECKOUT_MAX
        if not (now + CHECKOUT_MIN - dt.timedelta(seconds=5) <= expire <= now + CHECKOUT_MAX + dt.timedelta(seconds=5)):
            raise invalid("checkout_session.expire_time", "must be 30 minutes to 24 hours from now")
        expire = min(expire, now + CHECKOUT_MAX - dt.timedelta(seconds=5))

        def validate(repo: BillingRepository) -> tuple[str, dict[str, Any]]:
            if which == "subscription_plan":
                selection = wanted.subscription_plan
                plan_id = selection.plan.removeprefix("plans/")
                interval = INTERVALS.get(selection.interval, "")
                self.domain.ensure_catalog(repo)
                plan = repo.plan(plan_id) if selection.plan.startswith("plans/") else None
                price = self.domain.price_of(plan, interval) if plan and plan.id != "free" and interval else None
                if price is None or not price.get("price_id"):
                    raise d.fail(errors.InvalidArgument, f"{selection.plan} is not sold at that interval", "UNKNOWN_PLAN")
                live = repo.subscription(user_id)
                if live is not None and live.status in d.LIVE:
                    raise d.fail(
                        errors.FailedPrecondition,
                        "the user already has a live subscription; change plan instead",
                        "SUBSCRIPTION_ALREADY_ACTIVE",
                    )
                first = live is None
                trial = int(price.get("trial_days", 0)) if first else 0
                return "subscription", {"plan_id": plan_id, "interval": interval, "price": price, "trial_days": trial}
            pack_id = wanted.credit_pack.removeprefix("creditPacks/")
            self.domain.ensure_catalog(repo)
            pack = repo.pack(pack_id) if wanted.credit_pack.startswith("creditPacks/") else None
            if pack is None or not pack.active or not pack.provider_price_id:
                raise d.fail(errors.InvalidArgument, f"{wanted.credit_pack} is not on sale", "UNKNOWN_CREDIT_PACK")
            if pack.required_plan:
                effective = self.domain.entitlements_for(repo, [user_id], now)[user_id]
                if effective.plan.tier < TIERS.get(pack.required_plan, 0):
                    raise d.fail(
                        errors.FailedPrecondition,
                        f"this pack needs plans/{pack.required_plan}",
                        "PLAN_REQUIRED",
                        required_plan=f"plans/{pack.required_plan}",
                    )
            return "payment", {"pack": pack}

        mode, chosen = await self._run(validate)
        self._require_stripe()
        customer_id = await self._customer(user_id)
        params: dict[str, Any] = {
            "customer": customer_id,
            "client_reference_id": user_id,
            "mode": mode,
            "expires_at": int(expire.timestamp()),
            "allow_promotion_codes": wanted.allow_promotion_codes,
            "metadata": {"user_id": user_id},
        }
        if embedded:
            params["ui_mode"] = "embedded"
            params["return_url"] = wanted.return_url
        else:
            params["success_url"] = wanted.success_url
            params["cancel_url"] = wanted.cancel_url
        if mode == "subscription":
            params["line_items"] = [{"price": chosen["price"]["price_id"], "quantity": 1}]
            params["metadata"]["plan_id"] = chosen["plan_id"]
            params["subscription_data"] = {"metadata": {"user_id": user_id, "plan_id": chosen["plan_id"]}}
            if chosen["trial_days"]:
                params["subscription_data"]["trial_period_days"] = chosen["trial_days"]
            amount = 0 if chosen["trial_days"] else int(chosen["price"]["amount"])
        else:
            pack: CreditPack = chosen["pack"]
            params["line_items"] = [{"price": pack.provider_price_id, "quantity": 1}]
            params["metadata"].update({"credit_pack": pack.id, "credits": str(pack.credits)})
            params["payment_intent_data"] = {"metadata": {"user_id": user_id, "credit_pack": pack.id}}
            amount = pack.price_amount
        key = self._key(user_id, "checkout", request.request_id)
        session = await self.db.offload(self.stripe.create_checkout_session, params, key)

        def store(repo: BillingRepository) -> CheckoutSession:
            row = repo.checkout_session(str(session.id))
            if row is not None:
                return row
            pack_row: CreditPack | None = chosen.get("pack")
            row = CheckoutSession(
                id=str(session.id),
                user_id=user_id,
                mode=mode,
                ui_mode="embedded" if embedded else "hosted",
                plan_id=chosen.get("plan_id", ""),
                interval=chosen.get("interval", ""),
                credit_pack_id=pack_row.id if pack_row else "",
                credits=pack_row.credits if pack_row else 0,
                amount_total=amount,
                currency=CURRENCY,
                trial_days=chosen.get("trial_days", 0),
                state="open",
                url=str(getattr(session, "url", "") or ""),
                success_url=wanted.success_url,
                cancel_url=wanted.cancel_url,
                return_url=wanted.return_url,
                allow_promotion_codes=wanted.allow_promotion_codes,
                create_time=now,
                expire_time=expire,
            )
            repo.add(row)
            repo.flush()
            return row

        row = await self._run(store)
        message = self.checkout_pb(row, False, "")
        if embedded:
            message.client_secret = str(getattr(session, "client_secret", "") or "")
        return pb.CreateCheckoutSessionResponse(checkout_session=message)

    async def GetCheckoutSession(self, request: pb.GetCheckoutSessionRequest, context: Context) -> pb.GetCheckoutSessionResponse:
        principal = require_principal()
        parent, sep, session_id = request.name.partition("/checkoutSessions/")
        if not sep or not session_id or "/" in session_id:
            raise invalid("name", "must be `users/{user}/checkoutSessions/{session}`")
        user_id = d.resolve_user(parent, principal, field_name="name")

        def load(repo: BillingRepository) -> tuple[CheckoutSession, bool, str]:
            row = repo.checkout_session(session_id)
            if row is None or row.user_id != user_id:
                raise errors.NotFound(f"{request.name} not found")
            fulfilled, subscription = row.fulfilled, ""
            if row.mode == "subscription" and row.stripe_subscription_id:
                sub = repo.subscription_by_stripe(row.stripe_subscription_id)
                if sub is not None and sub.status in ("trialing", "active"):
                    fulfilled, subscription = True, f"users/{user_id}/subscription"
            return row, fulfilled, subscription

        row, fulfilled, subscription = await self._run(load)
        return pb.GetCheckoutSessionResponse(checkout_session=self.checkout_pb(row, fulfilled, subscription))

    async def CreatePortalSession(
        self, request: pb.CreatePortalSessionRequest, context: Context
    ) -> pb.CreatePortalSessionResponse:
        principal = require_principal()
        user_id = d.resolve_user(request.parent, principal, field_name="parent")
        if user_id != principal.user_id:
            raise invalid("parent", "the portal is opened by its user: use `users/me`")
        self.domain.check_redirect(request.portal_session.return_url, "portal_session.return_url")

        def load(repo: BillingRepository) -> tuple[str, str]:
            customer = repo.customer(user_id)
            if customer is None:
                raise d.fail(errors.FailedPrecondition, "the user has no billing account yet", "NO_BILLING_ACCOUNT")
            sub = repo.subscription(user_id)
            return customer.stripe_customer_id, sub.stripe_subscription_id if sub else ""

        customer_id, subscription_id = await self._run(load)
        self._require_stripe()
        flow_kind = request.portal_session.flow
        flow: dict[str, Any] | None = None
        if flow_kind == pb.PORTAL_FLOW_PAYMENT_METHOD_UPDATE:
            flow = {"type": "payment_method_update"}
        elif flow_kind in (pb.PORTAL_FLOW_SUBSCRIPTION_CANCEL, pb.PORTAL_FLOW_SUBSCRIPTION_UPDATE):
            if not subscription_id:
                raise d.fail(errors.FailedPrecondition, "the user has no subscription", "NO_SUBSCRIPTION")
            kind = "subscription_cancel" if flow_kind == pb.PORTAL_FLOW_SUBSCRIPTION_CANCEL else "subscription_update"
            flow = {"type": kind, kind: {"subscription": subscription_id}}
        portal = await self.db.offload(
            self.stripe.create_portal_session,
            customer_id,
            request.portal_session.return_url,
            flow,
            self._key(user_id, "portal", ""),
        )
        return pb.CreatePortalSessionResponse(
            portal_session=pb.PortalSession(
                return_url=request.portal_session.return_url,
                flow=flow_kind,
                url=str(portal.url),
                expire_time=ts(d.now_utc() + PORTAL_TTL),
            )
        )

    # -- subscriptions ---------------------------------------------------------------------

    def _subscription_user(self, name: str, principal: Principal) -> str:
        return d.resolve_user(name, principal, field_name="name", suffix="/subscription")

    async def GetSubscription(self, request: pb.GetSubscriptionRequest, context: Context) -> pb.GetSubscriptionResponse:
        principal = require_principal()
        user_id = self._subscription_user(request.name, principal)

        def load(repo: BillingRepository) -> pb.Subscription:
            row = self.domain.subscription_of(repo, user_id, not_found=True)
            return self._subscription_response(repo, row, principal)

        return pb.GetSubscriptionResponse(subscription=await self._run(load))

    async def _apply_stripe_subscription(
        self, obj: Any, principal: Principal, *, deleted: bool = False, before: Callable[[Subscription], None] | None = None
    ) -> pb.Subscription:
        data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)

        def apply(repo: BillingRepository) -> pb.Subscription:
            row = repo.subscription_by_stripe(str(data.get("id", "")), for_update=True)
            if row is not None and before is not None:
                before(row)
            user_id = self.domain.apply_subscription(repo, data, d.now_utc(), d.now_utc(), deleted=deleted)
            fresh = self.domain.subscription_of(repo, user_id)
            return self._subscription_response(repo, fresh, principal)

        return await self._run(apply)

    async def CancelSubscription(self, request: pb.CancelSubscriptionRequest, context: Context) -> pb.CancelSubscriptionResponse:
        principal = require_principal()
        user_id = self._subscription_user(request.name, principal)
        if request.refund_unused_time and not principal.is_admin:
            raise errors.PermissionDenied(
                "only admins may refund unused time", reason="ROLE_REQUIRED", metadata={"required_role": "admin"}
            )
        if len(request.comment) > 1000:
            raise invalid("comment", "at most 1,000 characters")
        return await self._once(
            "CancelSubscription",
            principal.user_id,
            request,
            request.request_id,
            pb.CancelSubscriptionResponse,
            lambda: self._cancel(request, user_id, principal),
        )

    async def _cancel(
        self, request: pb.CancelSubscriptionRequest, user_id: str, principal: Principal
    ) -> pb.CancelSubscriptionResponse:
        immediately = request.mode == pb.CANCEL_MODE_IMMEDIATELY

        def load(repo: BillingRepository) -> tuple[Subscription, pb.Subscription]:
            row = self.domain.subscription_of(repo, user_id)
            if row.status in d.TERMINAL:
                raise d.fail(errors.FailedPrecondition, "the subscription has already ended", "SUBSCRIPTION_NOT_CANCELABLE")
            return row, self._subscription_response(repo, row, principal)

        row, current = await self._run(load)
        if row.cancel_at_period_end and not immediately:
            return pb.CancelSubscriptionResponse(subscription=current)  # the same cancellation again: unchanged
        self._require_stripe()
        key = self._key(user_id, "cancel", request.request_id)
        cancellation = {
            "source": "admin" if principal.is_admin and principal.user_id != user_id else "user",
            "feedback": int(request.feedback),
            "comment": request.comment,
            "request_time": d.now_utc().isoformat(),
        }

        def remember(sub: Subscription) -> None:
            sub.cancellation = cancellation

        if immediately:
            params: dict[str, Any] = {"prorate": request.refund_unused_time, "invoice_now": request.refund_unused_time}
            params["cancellation_details"] = {"comment": request.comment} if request.comment else {}
            obj = await self.db.offload(self.stripe.cancel_subscription, row.stripe_subscription_id, params, key)
            result = await self._apply_stripe_subscription(obj, principal, deleted=True, before=remember)
        else:
            obj = await self.db.offload(
                self.stripe.update_subscription, row.stripe_subscription_id, {"cancel_at_period_end": True}, key
            )
            result = await self._apply_stripe_subscription(obj, principal, before=remember)
        return pb.CancelSubscriptionResponse(subscription=result)

    async def ResumeSubscription(self, request: pb.ResumeSubscriptionRequest, context: Context) -> pb.ResumeSubscriptionResponse:
        principal = require_principal()
        user_id = self._subscription_user(request.name, principal)

        def load(repo: BillingRepository) -> tuple[Subscription, pb.Subscription]:
            row = self.domain.subscription_of(repo, user_id)
            if row.status in d.TERMINAL:
                raise d.fail(
                    errors.FailedPrecondition, "the subscription has ended; start a new checkout", "SUBSCRIPTION_NOT_RESUMABLE"
                )
            return row, self._subscription_response(repo, row, principal)

        row, current = await self._run(load)
        if not row.cancel_at_period_end:
            return pb.ResumeSubscriptionResponse(subscription=current)
        self._require_stripe()
        key = self._key(user_id, "resume", f"{row.stripe_subscription_id}:{row.update_time.isoformat()}")
        obj = await self.db.offload(
            self.stripe.update_subscription, row.stripe_subscription_id, {"cancel_at_period_end": False}, key
        )
        return pb.ResumeSubscriptionResponse(subscription=await self._apply_stripe_subscription(obj, principal))

    async def ChangeSubscriptionPlan(
        self, request: pb.ChangeSubscriptionPlanRequest, context: Context
    ) -> pb.ChangeSubscriptionPlanResponse:
        principal = require_principal()
        user_id = self._subscription_user(request.name, principal)
        return await self._once(
            "ChangeSubscriptionPlan",
            principal.user_id,
            request,
            request.request_id,
            pb.ChangeSubscriptionPlanResponse,
            lambda: self._change(request, user_id, principal),
        )

    async def _change(
        self, request: pb.ChangeSubscriptionPlanRequest, user_id: str, principal: Principal
    ) -> pb.ChangeSubscriptionPlanResponse:
        target_plan = request.target.plan.removeprefix("plans/")
        interval = INTERVALS.get(request.target.interval, "")
        now = d.now_utc()

        def load(repo: BillingRepository) -> tuple[Subscription, dict[str, Any], bool, pb.Subscription]:
            self.domain.ensure_catalog(repo)
            plan = repo.plan(target_plan) if request.target.plan.startswith("plans/") else None
            price = self.domain.price_of(plan, interval) if plan and plan.id != "free" and interval else None
            if price is None or not price.get("price_id"):
                raise d.fail(errors.InvalidArgument, f"{request.target.plan} is not sold at that interval", "UNKNOWN_PLAN")
            row = self.domain.subscription_of(repo, user_id)
            if row.status not in ("active", "trialing"):
                raise d.fail(
                    errors.FailedPrecondition, f"a {row.status} subscription cannot change plan", "SUBSCRIPTION_NOT_CHANGEABLE"
                )
            if (row.plan_id, row.interval) == (target_plan, interval) and not row.pending_plan_id:
                raise d.fail(errors.FailedPrecondition, "the subscription is already on that plan", "ALREADY_ON_PLAN")
            upgrade = (d.plan_rank(target_plan), interval == "year") > (d.plan_rank(row.plan_id), row.interval == "year")
            return row, price, upgrade, self._subscription_response(repo, row, principal)

        row, price, upgrade, current = await self._run(load)
        immediate = request.timing == pb.CHANGE_TIMING_IMMEDIATELY or (request.timing == pb.CHANGE_TIMING_UNSPECIFIED and upgrade)
        cancel_pending = (row.plan_id, row.interval) == (target_plan, interval)
        if cancel_pending:
            immediate = False
        proration = self._preview(row, int(price["amount"]), immediate, request.proration_behavior, now)
        if request.validate_only:
            return pb.ChangeSubscriptionPlanResponse(subscription=current, proration=proration)
        self._require_stripe()
        behavior = {pb.PRORATION_BEHAVIOR_CREATE_PRORATIONS: "create_prorations", pb.PRORATION_BEHAVIOR_NONE: "none"}.get(
            request.proration_behavior, "always_invoice"
        )
        params: dict[str, Any] = {
            "items": [{"id": row.stripe_item_id, "price": price["price_id"]}]
            if row.stripe_item_id
            else [{"price": price["price_id"]}],
            "proration_behavior": behavior if immediate else "none",
            "metadata": {"user_id": user_id, "plan_id": target_plan},
        }
        if immediate:
            params["payment_behavior"] = "error_if_incomplete"
        key = self._key(user_id, "change-plan", request.request_id)
        obj = await self.db.offload(self.stripe.update_subscription, row.stripe_subscription_id, params, key)

        def schedule(sub: Subscription) -> None:
            if cancel_pending:
                sub.pending_plan_id = sub.pending_interval = ""
            elif not immediate:
                sub.pending_plan_id, sub.pending_interval = target_plan, interval

        result = await self._apply_stripe_subscription(obj, principal, before=schedule)
        return pb.ChangeSubscriptionPlanResponse(subscription=result, proration=proration)

    @staticmethod
    def _preview(row: Subscription, new_amount: int, immediate: bool, behavior: int, now: dt.datetime) -> pb.ProrationPreview:
        """Our own estimate of Stripe's proration: unused time credited, the rest charged at the new price."""
        start, end = row.current_period_start, row.current_period_end
        if not immediate or start is None or end is None or end <= now or behavior == pb.PRORATION_BEHAVIOR_NONE:
            return pb.ProrationPreview(
                amount_due_now=money(0),
                unused_time_credit=money(0),
                remaining_time_charge=money(0),
                next_invoice_amount=money(new_amount),
                next_invoice_time=ts(end),
                effective_time=ts(end if not immediate else now),
            )
        left = (end - now).total_seconds() / max(1.0, (end - start).total_seconds())
        credit = round(row.price_amount * left)
        charge = round(new_amount * left)
        due = max(0, charge - credit) if behavior != pb.PRORATION_BEHAVIOR_CREATE_PRORATIONS else 0
        return pb.ProrationPreview(
            amount_due_now=money(due),
            unused_time_credit=money(credit),
            remaining_time_charge=money(charge),
            next_invoice_amount=money(new_amount + (charge - credit if due == 0 else 0)),
            next_invoice_time=ts(end),
            effective_time=ts(now),
        )

    async def ListSubscriptions(self, request: pb.ListSubscriptionsRequest, context: Context) -> pb.ListSubscriptionsResponse:
        principal = require_principal()
        order = SUBSCRIPTION_ORDERS.get(request.order_by)
        if order is None:
            raise invalid("order_by", "unknown order")
        limit = page_size(request.page_size, default=50, maximum=200)
        filt = request.filter
        conditions: list[Any] = []
        plans = []
        for index, plan in enumerate(filt.plans):
            if not plan.startswith("plans/") or plan.removeprefix("plans/") not in TIERS:
                raise invalid(f"filter.plans[{index}]", "unknown plan")
            plans.append(plan.removeprefix("plans/"))
        if plans:
            conditions.append(Subscription.plan_id.in_(plans))
        statuses = [STATUS_NAME[s] for s in filt.statuses if s in STATUS_NAME]
        if len(statuses) != len(filt.statuses):
            raise invalid("filter.statuses", "unknown status")
        if statuses:
            conditions.append(Subscription.status.in_(statuses))
        if filt.interval:
            if filt.interval not in INTERVALS:
                raise invalid("filter.interval", "unknown interval")
            conditions.append(Subscription.interval == INTERVALS[filt.interval])
        if filt.HasField("cancel_at_period_end"):
            conditions.append(Subscription.cancel_at_period_end.is_(filt.cancel_at_period_end))
        if filt.HasField("create_start_time"):
            conditions.append(Subscription.create_time >= from_ts(filt.create_start_time))
        if filt.HasField("create_end_time"):
            conditions.append(Subscription.create_time < from_ts(filt.create_end_time))
        query = query_key(filt) + order
        position = self.pages.decode(request.page_token, query=query)
        after = (dt.datetime.fromisoformat(position["v"]), str(position["id"])) if position else None
        if order == "period_end_asc":
            conditions.append(Subscription.current_period_end.is_not(None))

        def load(repo: BillingRepository) -> tuple[list[pb.Subscription], str, int]:
            rows, total = repo.list_subscriptions(conditions=conditions, order=order, after=after, limit=limit)
            rows = list(rows)
            token = ""
            if len(rows) > limit:
                rows = rows[:limit]
                last = rows[-1]
                value = last.current_period_end if order == "period_end_asc" else last.create_time
                token = self.pages.encode({"v": value.isoformat() if value else "", "id": last.id}, query=query)
            plans_by_id = {plan.id: plan for plan in self.domain.plans(repo)}
            return [self.subscription_pb(r, principal, plans_by_id) for r in rows], token, total

        items, token, total = await self._run(load)
        return pb.ListSubscriptionsResponse(subscriptions=items, next_page_token=token, total_size=total)

    # -- payments ---------------------------------------------------------------------------

    def _payments_parent(self, parent: str, principal: Principal) -> str | None:
        if parent == "users/-":
            if not principal.is_admin:
                raise errors.NotFound("users/- is for admins")
            return None
        return d.resolve_user(parent, principal, field_name="parent")

    async def ListPayments(self, request: pb.ListPaymentsRequest, context: Context) -> pb.ListPaymentsResponse:
        principal = require_principal()
        user_id = self._payments_parent(request.parent, principal)
        limit = page_size(request.page_size, default=20, maximum=100)
        conditions: list[Any] = []
        if user_id is not None:
            conditions.append(Payment.user_id == user_id)
        kinds = [PAYMENT_KIND_NAME[k] for k in request.kinds if k in PAYMENT_KIND_NAME]
        if len(kinds) != len(request.kinds):
            raise invalid("kinds", "unknown kind")
        if kinds:
            conditions.append(Payment.kind.in_(kinds))
        statuses = [PAYMENT_STATUS_NAME[s] for s in request.statuses if s in PAYMENT_STATUS_NAME]
        if len(statuses) != len(request.statuses):
            raise invalid("statuses", "unknown status")
        if statuses:
            conditions.append(Payment.status.in_(statuses))
        if request.HasField("start_time"):
            conditions.append(Payment.create_time >= from_ts(request.start_time))
        if request.HasField("end_time"):
            conditions.append(Payment.create_time < from_ts(request.end_time))
        query = json.dumps(
            [
                user_id,
                kinds,
                statuses,
                request.start_time.ToJsonString() if request.HasField("start_time") else "",
                request.end_time.ToJsonString() if request.HasField("end_time") else "",
            ]
        )
        position = self.pages.decode(request.page_token, query=query)
        after = (dt.datetime.fromisoformat(position["v"]), str(position["id"])) if position else None
        rows = list(await self._run(lambda repo: repo.list_payments(conditions=conditions, after=after, limit=limit)))
        token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            token = self.pages.encode({"v": rows[-1].create_time.isoformat(), "id": rows[-1].id}, query=query)
        return pb.ListPaymentsResponse(payments=[self.payment_pb(r, principal) for r in rows], next_page_token=token)

    def _payment_name(self, name: str, principal: Principal) -> tuple[str, str]:
        parent, sep, payment_id = name.partition("/payments/")
        if not sep or not payment_id or "/" in payment_id:
            raise invalid("name", "must be `users/{user}/payments/{payment}`")
        return d.resolve_user(parent, principal, field_name="name"), payment_id

    async def GetPayment(self, request: pb.GetPaymentRequest, context: Context) -> pb.GetPaymentResponse:
        principal = require_principal()
        user_id, payment_id = self._payment_name(request.name, principal)
        row = await self._run(self.domain.payment_of, user_id, payment_id)
        return pb.GetPaymentResponse(payment=self.payment_pb(row, principal))

    async def RefundPayment(self, request: pb.RefundPaymentRequest, context: Context) -> pb.RefundPaymentResponse:
        principal = require_principal()
        user_id, payment_id = self._payment_name(request.name, principal)
        if len(request.comment) > 1000:
            raise invalid("comment", "at most 1,000 characters")
        return await self._once(
            "RefundPayment",
            principal.user_id,
            request,
            request.request_id,
            pb.RefundPaymentResponse,
            lambda: self._refund(request, user_id, payment_id, principal),
        )

    async def _refund(
        self, request: pb.RefundPaymentRequest, user_id: str, payment_id: str, principal: Principal
    ) -> pb.RefundPaymentResponse:
        amount = cents_of(request.amount, "amount", allow_zero=False) if request.HasField("amount") else 0
        payment = await self._run(self.domain.payment_of, user_id, payment_id)
        if payment.status not in ("succeeded", "partially_refunded"):
            raise d.fail(errors.FailedPrecondition, f"a {payment.status} payment cannot be refunded", "PAYMENT_NOT_REFUNDABLE")
        rest = payment.amount - payment.amount_refunded
        amount = amount or rest
        if amount > rest:
            raise d.fail(errors.FailedPrecondition, f"at most {rest} cents are left to refund", "REFUND_EXCEEDS_PAYMENT")
        target: dict[str, Any] = {}
        if payment.provider_payment_id.startswith("pi_"):
            target["payment_intent"] = payment.provider_payment_id
        elif payment.provider_charge_id:
            target["charge"] = payment.provider_charge_id
        else:
            raise d.fail(errors.FailedPrecondition, "the payment has no charge to refund", "PAYMENT_NOT_REFUNDABLE")
        self._require_stripe()
        params = {**target, "amount": amount, "metadata": {"user_id": user_id, "payment": payment_id}}
        if request.reason in REFUND_REASONS:
            params["reason"] = REFUND_REASONS[request.reason]
        key = self._key(user_id, f"refund:{payment_id}", request.request_id or f"{payment.amount_refunded}:{amount}")
        await self.db.offload(self.stripe.create_refund, params, key)

        def record(repo: BillingRepository) -> tuple[Payment, LedgerEntry | None, str]:
            row = repo.payment(payment_id, for_update=True)
            assert row is not None
            if request.keep_credits:
                row.keep_credits = True
            entry = self.domain.record_refund(repo, row, row.amount_refunded + amount, d.now_utc())
            sub = repo.subscription(user_id)
            sub_id = sub.stripe_subscription_id if sub and sub.status not in d.TERMINAL and row.kind != "credit_pack" else ""
            return row, entry, sub_id

        row, entry, subscription_id = await self._run(record)
        if request.cancel_subscription and subscription_id:
            obj = await self.db.offload(
                self.stripe.cancel_subscription, subscription_id, {}, self._key(user_id, "refund-cancel", request.request_id)
            )
            await self._apply_stripe_subscription(obj, principal, deleted=True)
        return pb.RefundPaymentResponse(
            payment=self.payment_pb(row, principal), reversal_entry=self.entry_pb(entry) if entry else None
        )

    # -- credits --------------------------------------------------------------------------------

    async def GetCreditBalance(self, request: pb.GetCreditBalanceRequest, context: Context) -> pb.GetCreditBalanceResponse:
        principal = require_principal()
        user_id = d.resolve_user(request.name, principal, field_name="name", suffix="/creditBalance")
        view = await self._run(self.domain.balance, user_id, d.now_utc())
        totals = view.totals
        return pb.GetCreditBalanceResponse(
            credit_balance=pb.CreditBalance(
                name=f"users/{user_id}/creditBalance",
                balance=view.balance,
                monthly_credits=view.monthly_credits,
                expiring_credits=view.expiring_credits,
                next_expire_time=ts(view.next_expire_time),
                lifetime_granted=totals.get("grant", 0),
                lifetime_purchased=totals.get("purchase", 0) + totals.get("purchase_reversal", 0),
                lifetime_spent=-totals.get("spend", 0) - totals.get("refund", 0),
                low_balance=view.balance <= d.LOW_BALANCE_THRESHOLD,
                low_balance_threshold=d.LOW_BALANCE_THRESHOLD,
                update_time=ts(view.update_time),
            )
        )

    async def ListCreditLedgerEntries(
        self, request: pb.ListCreditLedgerEntriesRequest, context: Context
    ) -> pb.ListCreditLedgerEntriesResponse:
        principal = require_principal()
        user_id = d.resolve_user(request.parent, principal, field_name="parent")
        limit = page_size(request.page_size, default=50, maximum=200)
        kinds = [ENTRY_KIND_NAME[k] for k in request.kinds if k in ENTRY_KIND_NAME]
        if len(kinds) != len(request.kinds):
            raise invalid("kinds", "unknown kind")
        conditions: list[Any] = [LedgerEntry.user_id == user_id]
        if kinds:
            conditions.append(LedgerEntry.kind.in_(kinds))
        if request.reference:
            conditions.append(LedgerEntry.reference == request.reference)
        if request.HasField("start_time"):
            conditions.append(LedgerEntry.create_time >= from_ts(request.start_time))
        if request.HasField("end_time"):
            conditions.append(LedgerEntry.create_time < from_ts(request.end_time))
        query = json.dumps(
            [
                user_id,
                kinds,
                request.reference,
                request.start_time.ToJsonString() if request.HasField("start_time") else "",
                request.end_time.ToJsonString() if request.HasField("end_time") else "",
            ]
        )
        position = self.pages.decode(request.page_token, query=query)
        after = (dt.datetime.fromisoformat(position["v"]), str(position["id"])) if position else None
        rows = list(await self._run(lambda repo: repo.list_entries(conditions=conditions, after=after, limit=limit)))
        token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            token = self.pages.encode({"v": rows[-1].create_time.isoformat(), "id": rows[-1].id}, query=query)
        return pb.ListCreditLedgerEntriesResponse(entries=[self.entry_pb(r) for r in rows], next_page_token=token)

    async def GetCreditLedgerEntry(
        self, request: pb.GetCreditLedgerEntryRequest, context: Context
    ) -> pb.GetCreditLedgerEntryResponse:
        principal = require_principal()
        parent, sep, entry_id = request.name.partition("/creditLedger/")
        if not sep or not entry_id or "/" in entry_id:
            raise invalid("name", "must be `users/{user}/creditLedger/{entry}`")
        user_id = d.resolve_user(parent, principal, field_name="name")
        row = await self._run(self.domain.entry, user_id, entry_id)
        return pb.GetCreditLedgerEntryResponse(entry=self.entry_pb(row))

    @staticmethod
    def _actor(principal: Principal) -> str:
        return principal.user_id if principal.is_service else f"users/{principal.user_id}"

    async def SpendCredits(self, request: pb.SpendCreditsRequest, context: Context) -> pb.SpendCreditsResponse:
        principal = require_principal()
        user_id = d.target_user(request.user, field_name="user")
        result = await self._run(
            self.domain.spend,
            user_id=user_id,
            amount=request.amount,
            reason=request.reason,
            reference=request.reference,
            min_plan=request.min_plan,
            metadata=dict(request.metadata),
            request_id=request.request_id,
            actor=self._actor(principal),
            print_=d.fingerprint(request.SerializeToString(deterministic=True)),
            now=d.now_utc(),
        )
        return pb.SpendCreditsResponse(entry=self.entry_pb(result.entry), balance=result.balance)

    async def RefundCredits(self, request: pb.RefundCreditsRequest, context: Context) -> pb.RefundCreditsResponse:
        principal = require_principal()
        user_id = d.target_user(request.user, field_name="user")
        which = request.WhichOneof("spend")
        if which is None:
            raise invalid("spend", "name the spend_entry or the spend_request_id")
        entry_id = ""
        if which == "spend_entry":
            parent, sep, entry_id = request.spend_entry.partition("/creditLedger/")
            if not sep or parent != request.user or not entry_id:
                raise invalid("spend_entry", "must be `users/{user}/creditLedger/{entry}` of the same user")
        elif not request.spend_request_id:
            raise invalid("spend_request_id", "must not be empty")
        result = await self._run(
            self.domain.refund_spend,
            user_id=user_id,
            spend_entry_id=entry_id,
            spend_request_id=request.spend_request_id,
            amount=request.amount,
            reason=request.reason[:200],
            request_id=request.request_id,
            actor=self._actor(principal),
            print_=d.fingerprint(request.SerializeToString(deterministic=True)),
            now=d.now_utc(),
        )
        return pb.RefundCreditsResponse(entry=self.entry_pb(result.entry), balance=result.balance)

    async def GrantCredits(self, request: pb.GrantCreditsRequest, context: Context) -> pb.GrantCreditsResponse:
        principal = require_principal()
        user_id = d.target_user(request.user, field_name="user")
        result = await self._run(
            self.domain.grant,
            user_id=user_id,
            amount=request.amount,
            reason=request.reason,
            reference=request.reference[:500],
            expire_time=from_ts(request.expire_time) if request.HasField("expire_time") else None,
            request_id=request.request_id,
            actor=self._actor(principal),
            print_=d.fingerprint(request.SerializeToString(deterministic=True)),
            now=d.now_utc(),
        )
        return pb.GrantCreditsResponse(entry=self.entry_pb(result.entry), balance=result.balance)

    async def AdjustCredits(self, request: pb.AdjustCreditsRequest, context: Context) -> pb.AdjustCreditsResponse:
        principal = require_principal()
        user_id = d.target_user(request.user, field_name="user")
        result = await self._run(
            self.domain.adjust,
            user_id=user_id,
            delta=request.delta,
            reason=request.reason,
            reference=request.reference[:500],
            allow_negative=request.allow_negative_balance,
            request_id=request.request_id,
            actor=self._actor(principal),
            print_=d.fingerprint(request.SerializeToString(deterministic=True)),
            now=d.now_utc(),
        )
        return pb.AdjustCreditsResponse(entry=self.entry_pb(result.entry), balance=result.balance)

    # -- entitlements -------------------------------------------------------------------------------

    async def GetEntitlements(self, request: pb.GetEntitlementsRequest, context: Context) -> pb.GetEntitlementsResponse:
        principal = require_principal()
        user_id = d.resolve_user(request.name, principal, field_name="name", suffix="/entitlements")
        now = d.now_utc()
        found = await self._run(self.domain.entitlements_for, [user_id], now)
        return pb.GetEntitlementsResponse(entitlements=self.entitlements_pb(user_id, found[user_id], now))

    async def BatchGetEntitlements(
        self, request: pb.BatchGetEntitlementsRequest, context: Context
    ) -> pb.BatchGetEntitlementsResponse:
        if not request.names or len(request.names) > 100:
            raise invalid("names", "name 1 to 100 users")
        user_ids = []
        violations = []
        for index, name in enumerate(request.names):
            user_id = name.removeprefix("users/").removesuffix("/entitlements")
            if (
                not name.startswith("users/")
                or not name.endswith("/entitlements")
                or not user_id
                or "/" in user_id
                or user_id == "me"
            ):
                violations.append(FieldViolation(f"names[{index}]", "must be `users/{user}/entitlements`"))
            user_ids.append(user_id)
        if violations:
            raise errors.InvalidArgument("malformed names", violations=violations)
        now = d.now_utc()
        found = await self._run(self.domain.entitlements_for, user_ids, now)
        return pb.BatchGetEntitlementsResponse(entitlements=[self.entitlements_pb(u, found[u], now) for u in user_ids])

    # -- webhooks -------------------------------------------------------------------------------------

    async def HandleStripeWebhook(
        self, request: pb.HandleStripeWebhookRequest, context: Context
    ) -> pb.HandleStripeWebhookResponse:
        signature = current_metadata().get("stripe-signature", "")
        payload = request.body.data
        event = self.domain.verify_event(payload, signature)
        try:
            outcome = await self._run(self.domain.handle_event, event, d.now_utc())
        except errors.DomainError:
            raise
        except Exception as exc:
            await self._run(self.domain.record_failure, event, f"{type(exc).__name__}: {exc}", d.now_utc())
            raise
        return pb.HandleStripeWebhookResponse(event_id=str(event["id"]), event_type=str(event["type"]), outcome=OUTCOME[outcome])

    async def ListWebhookEvents(self, request: pb.ListWebhookEventsRequest, context: Context) -> pb.ListWebhookEventsResponse:
        limit = page_size(request.page_size, default=50, maximum=200)
        conditions: list[Any] = []
        outcomes = [OUTCOME_NAME[o] for o in request.outcomes if o in OUTCOME_NAME and o != pb.WEBHOOK_OUTCOME_DUPLICATE]
        if len(outcomes) != len(request.outcomes):
            raise invalid("outcomes", "PROCESSED, IGNORED or FAILED")
        if outcomes:
            conditions.append(WebhookEvent.outcome.in_(outcomes))
        if request.type:
            conditions.append(WebhookEvent.type == request.type)
        if request.user:
            user_id = d.target_user(request.user, field_name="user")
            conditions.append(WebhookEvent.user_id == user_id)
        if request.HasField("start_time"):
            conditions.append(WebhookEvent.receive_time >= from_ts(request.start_time))
        if request.HasField("end_time"):
            conditions.append(WebhookEvent.receive_time < from_ts(request.end_time))
        query = json.dumps(
            [
                outcomes,
                request.type,
                request.user,
                request.start_time.ToJsonString() if request.HasField("start_time") else "",
                request.end_time.ToJsonString() if request.HasField("end_time") else "",
            ]
        )
        position = self.pages.decode(request.page_token, query=query)
        after = (dt.datetime.fromisoformat(position["v"]), str(position["id"])) if position else None
        rows = list(await self._run(lambda repo: repo.list_events(conditions=conditions, after=after, limit=limit)))
        token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            token = self.pages.encode({"v": rows[-1].receive_time.isoformat(), "id": rows[-1].id}, query=query)
        items = [
            pb.WebhookEvent(
                name=f"webhookEvents/{r.id}",
                type=r.type,
                outcome=OUTCOME.get(r.outcome, pb.WEBHOOK_OUTCOME_UNSPECIFIED),
                user=f"users/{r.user_id}" if r.user_id else "",
                livemode=r.livemode,
                event_create_time=ts(r.event_create_time),
                receive_time=ts(r.receive_time),
                process_time=ts(r.process_time),
                delivery_count=r.delivery_count,
                error={"code": 13, "message": r.error} if r.error else None,
            )
            for r in rows
        ]
        return pb.ListWebhookEventsResponse(webhook_events=items, next_page_token=token)

    # -- revenue ----------------------------------------------------------------------------------------

    async def GetRevenueMetrics(self, request: pb.GetRevenueMetricsRequest, context: Context) -> pb.GetRevenueMetricsResponse:
        def date_of(value: date_pb2.Date, field_name: str) -> dt.date:
            try:
                return dt.date(value.year, value.month, value.day)
            except ValueError as exc:
                raise invalid(field_name, "must be a valid calendar date") from exc

        start = date_of(request.start_date, "start_date")
        end = date_of(request.end_date, "end_date")
        if end < start:
            raise invalid("end_date", "must not be before start_date")
        if (end - start).days > 3 * 366:
            raise invalid("end_date", "the range may be at most 3 years")
        granularity = {
            pb.METRICS_GRANULARITY_DAY: "day",
            pb.METRICS_GRANULARITY_WEEK: "week",
            pb.METRICS_GRANULARITY_MONTH: "month",
        }.get(request.granularity)
        if granularity is None:
            granularity = "day" if (end - start).days < 92 else "month"
        plans = []
        for index, plan in enumerate(request.plans):
            if not plan.startswith("plans/") or plan.removeprefix("plans/") not in TIERS:
                raise invalid(f"plans[{index}]", "unknown plan")
            plans.append(plan.removeprefix("plans/"))
        figures: RevenueFigures = await self._run(revenue_figures, start, end, granularity, plans, d.now_utc())
        return pb.GetRevenueMetricsResponse(metrics=figures.to_pb())
