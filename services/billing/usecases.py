"""Billing's use cases: the units of work and every Stripe call, on plain values.

Handlers parse a request into the values here and map what comes back; nothing here knows
protobuf. Stripe calls block (HTTP): they run with `Database.offload`, never inside a database
transaction, and the state Stripe returns is applied in a unit of work after. The steps each
unit of work runs are `work.BillingWork`'s, applying the rules of `domain.py`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DataError, IntegrityError

from services.billing import domain as d
from services.billing.catalog import CURRENCY
from services.billing.metrics import RevenueFigures, load_revenue_inputs, revenue_figures
from services.billing.models import CheckoutSession, CreditPack, LedgerEntry, Payment, Plan, Subscription, WebhookEvent
from services.billing.repository import BillingRepository, EntryFilter, EventFilter, PaymentFilter, SubscriptionFilter
from services.billing.stripe_gateway import StripeGateway, UnreadableEvent, idempotency_key, unavailable
from services.billing.work import BillingWork, Effective, LedgerResult
from services.core import errors
from services.core.db import Database
from services.core.interceptors import current_request_id
from services.core.tokens import Principal
from services.core.userdata import Erasure

T = TypeVar("T")

CHECKOUT_MIN = dt.timedelta(minutes=30)
CHECKOUT_MAX = dt.timedelta(hours=24)
PORTAL_TTL = dt.timedelta(minutes=5)
# Errors that applying a signed event's content can raise beyond what the domain's reader names:
# types the reader does not check deeper, a number a column cannot hold (SQLite raises
# OverflowError, PostgreSQL a DataError).
UNREADABLE_CONTENT = (TypeError, AttributeError, KeyError, IndexError, OverflowError, RecursionError, DataError)


def malformed(path: str, problem: str) -> errors.InvalidArgument:
    """INVALID_ARGUMENT / `MALFORMED_EVENT` naming the event field at fault."""
    return errors.invalid(path, problem, reason="MALFORMED_EVENT")


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription and the plans it is shown with (its own, a pending one)."""

    row: Subscription
    plans: dict[str, Plan]


@dataclass(frozen=True)
class PlanChange:
    """An UpdatePlan request on plain values: the mask's paths and the new values they name."""

    plan_id: str
    paths: list[str]
    etag: str
    display_name: str = ""
    description: str = ""
    features: list[str] = field(default_factory=list)
    highlighted: bool = False
    prices: list[dict[str, Any]] = field(default_factory=list)
    entitlements: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutOrder:
    """A checkout: either a plan (`plan`, as named by the caller, and its interval) or a pack."""

    plan: str
    interval: str
    credit_pack: str
    embedded: bool
    success_url: str
    cancel_url: str
    return_url: str
    expire_time: dt.datetime | None
    allow_promotion_codes: bool


@dataclass(frozen=True)
class CheckoutResult:
    row: CheckoutSession
    client_secret: str


@dataclass(frozen=True)
class PlanChangeOrder:
    """ChangeSubscriptionPlan on plain values; `timing` is "immediately", "period_end" or "" (upgrades now)."""

    target: str
    interval: str
    timing: str
    proration_behavior: str
    validate_only: bool
    request_id: str


@dataclass(frozen=True)
class CancelOrder:
    immediately: bool
    refund_unused_time: bool
    feedback: int
    comment: str
    request_id: str


@dataclass(frozen=True)
class RefundOrder:
    amount: int
    reason: str
    keep_credits: bool
    cancel_subscription: bool
    request_id: str


@dataclass(frozen=True)
class Portal:
    url: str
    expire_time: dt.datetime


@dataclass(frozen=True)
class Page:
    """Rows of a keyset page: up to `limit + 1`, the extra one telling that more follow."""

    rows: list[Any]
    total: int = 0
    plans: dict[str, Plan] = field(default_factory=dict)


class BillingUseCases:
    def __init__(self, work: BillingWork, database: Database, stripe_gateway: StripeGateway) -> None:
        self.work = work
        self.db = database
        self.stripe = stripe_gateway
        self._catalog_seeded = False

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One unit of work; a unique-constraint race (concurrent retries) is retried once and
        then finds the row the other call wrote."""
        if not self._catalog_seeded:
            await self._seed_catalog()
        for attempt in range(3):
            try:
                return await self.db.run(lambda session: fn(BillingRepository(session), *args, **kwargs))
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _seed_catalog(self) -> None:
        """The default catalog in a unit of work of its own: seeded inside a call that then rolls
        back (a malformed webhook, say), the steps would believe in plans the database lacks."""
        try:
            await self.db.run(lambda session: self.work.ensure_catalog(BillingRepository(session)))
        except BaseException:
            self.work.forget_catalog()
            raise
        self._catalog_seeded = True

    def _check_redirect(self, url: str, field_name: str) -> None:
        d.check_redirect(url, field_name, self.work.settings.allowed_redirect_uris)

    def _require_stripe(self) -> None:
        if not self.stripe.configured:
            raise unavailable()

    def _require_sellable(self, price_id: str) -> None:
        """A listed plan price or pack is sold through Stripe: without the account or its price id
        it is a provider that is not set up (UNAVAILABLE), not an unknown product."""
        self._require_stripe()
        if not price_id:
            raise unavailable("the payment provider has no price for this product; set MARQUEE_STRIPE_PRICES")

    @staticmethod
    def _key(user_id: str, method: str, request_id: str) -> str:
        """The Stripe idempotency key of this call: our request_id, else the call's x-request-id."""
        return idempotency_key(user_id, method, request_id or current_request_id() or uuid.uuid4().hex)

    def _view(self, repo: BillingRepository, row: Subscription) -> SubscriptionView:
        return SubscriptionView(row, {plan.id: plan for plan in self.work.plans(repo)})

    # -- plans and packs ---------------------------------------------------------------

    async def plans(self) -> list[Plan]:
        return await self._run(self.work.plans)

    async def plan(self, plan_id: str) -> Plan:
        return await self._run(self.work.plan, plan_id)

    async def update_plan(self, change: PlanChange) -> Plan:
        current = await self._run(self.work.plan, change.plan_id)
        if not d.etag_matches(change.etag, current.version):
            raise errors.Aborted("the plan changed since it was read", reason="ETAG_MISMATCH")
        prices = [dict(price) for price in change.prices]
        # A changed price is a new Stripe price; subscribers keep the one they signed up at.
        for price in prices:
            old = d.price_at(current.prices, price["interval"])
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
            price["previous_price_ids"] = d.previous_price_ids(old)

        def update(repo: BillingRepository) -> Plan:
            plan = self.work.plan(repo, change.plan_id, for_update=True)
            if plan.version != current.version:
                raise errors.Aborted("the plan changed while it was being updated", reason="ETAG_MISMATCH")
            entitlements = dict(plan.entitlements)
            for path in change.paths:
                if path == "display_name":
                    plan.display_name = change.display_name[:100]
                elif path == "description":
                    plan.description = change.description[:500]
                elif path == "features":
                    plan.features = [f[:200] for f in change.features][:30]
                elif path == "highlighted":
                    plan.highlighted = change.highlighted
                elif path == "prices":
                    plan.prices = prices
                elif path == "entitlements":
                    entitlements = dict(change.entitlements)
                else:
                    field_name = path.split(".", 1)[1]
                    key = "download_validity_seconds" if field_name == "download_validity" else field_name
                    entitlements[key] = change.entitlements[key]
            plan.entitlements = entitlements
            plan.version += 1
            plan.update_time = d.now_utc()
            return plan

        return await self._run(update)

    async def credit_packs(self, *, include_inactive: bool, after: tuple[int, int, str] | None, limit: int) -> list[CreditPack]:
        def load(repo: BillingRepository) -> list[CreditPack]:
            self.work.ensure_catalog(repo)
            return list(repo.packs(include_inactive=include_inactive, after=after, limit=limit))

        return await self._run(load)

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

    async def create_credit_pack(self, user_id: str, pack_id: str, request_id: str, values: dict[str, Any]) -> CreditPack:
        stored_request = f"{user_id}:{request_id}" if request_id else None

        def existing(repo: BillingRepository) -> CreditPack | None:
            self.work.ensure_catalog(repo)
            if stored_request:
                replay = repo.pack_by_request(stored_request)
                if replay is not None:
                    if replay.id != pack_id:
                        raise d.fail(errors.AlreadyExists, "request_id was already used for another pack", "REQUEST_ID_REUSED")
                    return replay
            if repo.pack(pack_id) is not None:
                raise errors.AlreadyExists(f"creditPacks/{pack_id} already exists", reason="ALREADY_EXISTS")
            return None

        replay = await self._run(existing)
        if replay is not None:
            return replay
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
                request_id=stored_request,
                **values,
            )
            repo.add(row)
            repo.flush()
            return row

        try:
            return await self.db.run(lambda session: create(BillingRepository(session)))
        except IntegrityError as exc:
            raise errors.AlreadyExists(f"creditPacks/{pack_id} already exists", reason="ALREADY_EXISTS") from exc

    async def update_credit_pack(self, pack_id: str, etag: str, values: dict[str, Any]) -> CreditPack:
        values = dict(values)
        current = await self._run(self.work.pack, pack_id)
        if not d.etag_matches(etag, current.version):
            raise errors.Aborted("the pack changed since it was read", reason="ETAG_MISMATCH")
        credits = values.get("credits", current.credits)
        amount = values.get("price_amount", current.price_amount)
        if (credits, amount) != (current.credits, current.price_amount):
            values["provider_price_id"] = await self._pack_price(pack_id, credits, amount, current.version)

        def update(repo: BillingRepository) -> CreditPack:
            row = self.work.pack(repo, pack_id, for_update=True)
            if row.version != current.version:
                raise errors.Aborted("the pack changed while it was being updated", reason="ETAG_MISMATCH")
            for key, value in values.items():
                setattr(row, key, value)
            row.version += 1
            row.update_time = d.now_utc()
            return row

        return await self._run(update)

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

    async def checkout(self, user_id: str, order: CheckoutOrder, request_id: str) -> CheckoutResult:
        if order.embedded:
            self._check_redirect(order.return_url, "checkout_session.return_url")
        else:
            self._check_redirect(order.success_url, "checkout_session.success_url")
            self._check_redirect(order.cancel_url, "checkout_session.cancel_url")
        now = d.now_utc()
        expire = d.checkout_expiry(order.expire_time, now, CHECKOUT_MIN, CHECKOUT_MAX)

        def validate(repo: BillingRepository) -> tuple[str, dict[str, Any]]:
            self.work.ensure_catalog(repo)
            if order.plan:
                plan_id = order.plan.removeprefix("plans/")
                plan = repo.plan(plan_id) if order.plan.startswith("plans/") else None
                price = d.price_at(plan.prices, order.interval) if plan and plan.id != "free" and order.interval else None
                if price is None:
                    raise d.fail(errors.InvalidArgument, f"{order.plan} is not sold at that interval", "UNKNOWN_PLAN")
                self._require_sellable(str(price.get("price_id", "")))
                live = repo.subscription(user_id)
                if live is not None and live.status in d.LIVE:
                    raise d.fail(
                        errors.FailedPrecondition,
                        "the user already has a live subscription; change plan instead",
                        "SUBSCRIPTION_ALREADY_ACTIVE",
                    )
                trial = int(price.get("trial_days", 0)) if live is None else 0
                return "subscription", {"plan_id": plan_id, "interval": order.interval, "price": price, "trial_days": trial}
            pack_id = order.credit_pack.removeprefix("creditPacks/")
            pack = repo.pack(pack_id) if order.credit_pack.startswith("creditPacks/") else None
            if pack is None or not pack.active:
                raise d.fail(errors.InvalidArgument, f"{order.credit_pack} is not on sale", "UNKNOWN_CREDIT_PACK")
            self._require_sellable(pack.provider_price_id)
            if pack.required_plan:
                effective = self.work.entitlements_for(repo, [user_id], now)[user_id]
                d.require_plan(effective.plan.tier, pack.required_plan, f"this pack needs plans/{pack.required_plan}")
            return "payment", {"pack": pack}

        mode, chosen = await self._run(validate)
        self._require_stripe()
        customer_id = await self._customer(user_id)
        params: dict[str, Any] = {
            "customer": customer_id,
            "client_reference_id": user_id,
            "mode": mode,
            "expires_at": int(expire.timestamp()),
            "allow_promotion_codes": order.allow_promotion_codes,
            "metadata": {"user_id": user_id},
        }
        if order.embedded:
            params["ui_mode"] = "embedded"
            params["return_url"] = order.return_url
        else:
            params["success_url"] = order.success_url
            params["cancel_url"] = order.cancel_url
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
        session = await self.db.offload(self.stripe.create_checkout_session, params, self._key(user_id, "checkout", request_id))

        def store(repo: BillingRepository) -> CheckoutSession:
            row = repo.checkout_session(str(session.id))
            if row is not None:
                return row
            pack_row: CreditPack | None = chosen.get("pack")
            row = CheckoutSession(
                id=str(session.id),
                user_id=user_id,
                mode=mode,
                ui_mode="embedded" if order.embedded else "hosted",
                plan_id=chosen.get("plan_id", ""),
                interval=chosen.get("interval", ""),
                credit_pack_id=pack_row.id if pack_row else "",
                credits=pack_row.credits if pack_row else 0,
                amount_total=amount,
                currency=CURRENCY,
                trial_days=chosen.get("trial_days", 0),
                state="open",
                url=str(getattr(session, "url", "") or ""),
                success_url=order.success_url,
                cancel_url=order.cancel_url,
                return_url=order.return_url,
                allow_promotion_codes=order.allow_promotion_codes,
                create_time=now,
                expire_time=expire,
            )
            repo.add(row)
            repo.flush()
            return row

        row = await self._run(store)
        secret = str(getattr(session, "client_secret", "") or "") if order.embedded else ""
        return CheckoutResult(row, secret)

    async def checkout_session(self, user_id: str, session_id: str, name: str) -> tuple[CheckoutSession, bool, str]:
        """The session, whether it is fulfilled, and the subscription it started (a name, or "")."""

        def load(repo: BillingRepository) -> tuple[CheckoutSession, bool, str]:
            row = repo.checkout_session(session_id)
            if row is None or row.user_id != user_id:
                raise errors.NotFound(f"{name} not found")
            fulfilled, subscription = row.fulfilled, ""
            if row.mode == "subscription" and row.stripe_subscription_id:
                sub = repo.subscription_by_stripe(row.stripe_subscription_id)
                if sub is not None and sub.status in ("trialing", "active"):
                    fulfilled, subscription = True, f"users/{user_id}/subscription"
            return row, fulfilled, subscription

        return await self._run(load)

    async def portal(self, user_id: str, return_url: str, flow_kind: str) -> Portal:
        """A customer-portal link; `flow_kind` is "", "payment_method_update", "subscription_cancel" or "subscription_update"."""
        self._check_redirect(return_url, "portal_session.return_url")

        def load(repo: BillingRepository) -> tuple[str, str]:
            customer = repo.customer(user_id)
            if customer is None:
                raise d.fail(errors.FailedPrecondition, "the user has no billing account yet", "NO_BILLING_ACCOUNT")
            sub = repo.subscription(user_id)
            return customer.stripe_customer_id, sub.stripe_subscription_id if sub else ""

        customer_id, subscription_id = await self._run(load)
        self._require_stripe()
        flow: dict[str, Any] | None = None
        if flow_kind == "payment_method_update":
            flow = {"type": flow_kind}
        elif flow_kind in ("subscription_cancel", "subscription_update"):
            if not subscription_id:
                raise d.fail(errors.FailedPrecondition, "the user has no subscription", "NO_SUBSCRIPTION")
            flow = {"type": flow_kind, flow_kind: {"subscription": subscription_id}}
        portal = await self.db.offload(
            self.stripe.create_portal_session, customer_id, return_url, flow, self._key(user_id, "portal", "")
        )
        return Portal(str(portal.url), d.now_utc() + PORTAL_TTL)

    # -- subscriptions ---------------------------------------------------------------------

    async def subscription(self, user_id: str) -> SubscriptionView:
        return await self._run(lambda repo: self._view(repo, self.work.subscription_of(repo, user_id, not_found=True)))

    async def _apply_stripe_subscription(
        self, obj: Any, *, deleted: bool = False, before: Callable[[Subscription], None] | None = None
    ) -> SubscriptionView:
        data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)

        def apply(repo: BillingRepository) -> SubscriptionView:
            row = repo.subscription_by_stripe(str(data.get("id", "")), for_update=True)
            if row is not None and before is not None:
                before(row)
            user_id = self.work.apply_subscription(repo, data, d.now_utc(), d.now_utc(), deleted=deleted)
            return self._view(repo, self.work.subscription_of(repo, user_id))

        return await self._run(apply)

    async def cancel_subscription(self, user_id: str, principal: Principal, order: CancelOrder) -> SubscriptionView:
        def load(repo: BillingRepository) -> SubscriptionView:
            row = self.work.subscription_of(repo, user_id)
            if row.status in d.TERMINAL:
                raise d.fail(errors.FailedPrecondition, "the subscription has already ended", "SUBSCRIPTION_NOT_CANCELABLE")
            return self._view(repo, row)

        current = await self._run(load)
        row = current.row
        if row.cancel_at_period_end and not order.immediately:
            return current  # the same cancellation again: unchanged
        self._require_stripe()
        key = self._key(user_id, "cancel", order.request_id)
        cancellation = {
            "source": "admin" if principal.is_admin and principal.user_id != user_id else "user",
            "feedback": order.feedback,
            "comment": order.comment,
            "request_time": d.now_utc().isoformat(),
        }

        def remember(sub: Subscription) -> None:
            sub.cancellation = cancellation

        if order.immediately:
            params: dict[str, Any] = {"prorate": order.refund_unused_time, "invoice_now": order.refund_unused_time}
            params["cancellation_details"] = {"comment": order.comment} if order.comment else {}
            obj = await self.db.offload(self.stripe.cancel_subscription, row.stripe_subscription_id, params, key)
            return await self._apply_stripe_subscription(obj, deleted=True, before=remember)
        obj = await self.db.offload(
            self.stripe.update_subscription, row.stripe_subscription_id, {"cancel_at_period_end": True}, key
        )
        return await self._apply_stripe_subscription(obj, before=remember)

    async def resume_subscription(self, user_id: str) -> SubscriptionView:
        def load(repo: BillingRepository) -> SubscriptionView:
            row = self.work.subscription_of(repo, user_id)
            if row.status in d.TERMINAL:
                raise d.fail(
                    errors.FailedPrecondition, "the subscription has ended; start a new checkout", "SUBSCRIPTION_NOT_RESUMABLE"
                )
            return self._view(repo, row)

        current = await self._run(load)
        row = current.row
        if not row.cancel_at_period_end:
            return current
        self._require_stripe()
        key = self._key(user_id, "resume", f"{row.stripe_subscription_id}:{row.update_time.isoformat()}")
        obj = await self.db.offload(
            self.stripe.update_subscription, row.stripe_subscription_id, {"cancel_at_period_end": False}, key
        )
        return await self._apply_stripe_subscription(obj)

    async def change_plan(self, user_id: str, order: PlanChangeOrder) -> tuple[SubscriptionView, d.Proration]:
        target_plan = order.target.removeprefix("plans/")
        interval = order.interval
        now = d.now_utc()

        def load(repo: BillingRepository) -> tuple[dict[str, Any], bool, SubscriptionView]:
            self.work.ensure_catalog(repo)
            plan = repo.plan(target_plan) if order.target.startswith("plans/") else None
            price = d.price_at(plan.prices, interval) if plan and plan.id != "free" and interval else None
            if price is None:
                raise d.fail(errors.InvalidArgument, f"{order.target} is not sold at that interval", "UNKNOWN_PLAN")
            if not price.get("price_id"):
                raise unavailable("the payment provider has no price for this plan; set MARQUEE_STRIPE_PRICES")
            row = self.work.subscription_of(repo, user_id)
            if row.status not in ("active", "trialing"):
                raise d.fail(
                    errors.FailedPrecondition, f"a {row.status} subscription cannot change plan", "SUBSCRIPTION_NOT_CHANGEABLE"
                )
            if (row.plan_id, row.interval) == (target_plan, interval) and not row.pending_plan_id:
                raise d.fail(errors.FailedPrecondition, "the subscription is already on that plan", "ALREADY_ON_PLAN")
            upgrade = (d.plan_rank(target_plan), interval == "year") > (d.plan_rank(row.plan_id), row.interval == "year")
            return price, upgrade, self._view(repo, row)

        price, upgrade, current = await self._run(load)
        row = current.row
        immediate = order.timing == "immediately" or (order.timing == "" and upgrade)
        cancel_pending = (row.plan_id, row.interval) == (target_plan, interval)
        if cancel_pending:
            immediate = False
        proration = d.prorate(
            price_amount=row.price_amount,
            period_start=row.current_period_start,
            period_end=row.current_period_end,
            new_amount=int(price["amount"]),
            immediate=immediate,
            behavior=order.proration_behavior,
            now=now,
        )
        if order.validate_only:
            return current, proration
        self._require_stripe()
        params: dict[str, Any] = {
            "items": [{"id": row.stripe_item_id, "price": price["price_id"]}]
            if row.stripe_item_id
            else [{"price": price["price_id"]}],
            "proration_behavior": order.proration_behavior if immediate else "none",
            "metadata": {"user_id": user_id, "plan_id": target_plan},
        }
        if immediate:
            params["payment_behavior"] = "error_if_incomplete"
        key = self._key(user_id, "change-plan", order.request_id)
        obj = await self.db.offload(self.stripe.update_subscription, row.stripe_subscription_id, params, key)

        def schedule(sub: Subscription) -> None:
            if cancel_pending:
                sub.pending_plan_id = sub.pending_interval = ""
            elif not immediate:
                sub.pending_plan_id, sub.pending_interval = target_plan, interval

        return await self._apply_stripe_subscription(obj, before=schedule), proration

    async def list_subscriptions(
        self, query: SubscriptionFilter, *, order: str, after: tuple[dt.datetime, str] | None, limit: int
    ) -> Page:
        def load(repo: BillingRepository) -> Page:
            rows, total = repo.list_subscriptions(query, order=order, after=after, limit=limit)
            return Page(list(rows), total, {plan.id: plan for plan in self.work.plans(repo)})

        return await self._run(load)

    # -- payments ---------------------------------------------------------------------------

    async def list_payments(self, query: PaymentFilter, *, after: tuple[dt.datetime, str] | None, limit: int) -> list[Payment]:
        return list(await self._run(lambda repo: repo.list_payments(query, after=after, limit=limit)))

    async def payment(self, user_id: str, payment_id: str) -> Payment:
        return await self._run(self.work.payment_of, user_id, payment_id)

    async def refund_payment(self, user_id: str, payment_id: str, order: RefundOrder) -> tuple[Payment, LedgerEntry | None]:
        payment = await self._run(self.work.payment_of, user_id, payment_id)
        amount, target = d.refund_target(
            status=payment.status,
            amount=payment.amount,
            amount_refunded=payment.amount_refunded,
            provider_payment_id=payment.provider_payment_id,
            provider_charge_id=payment.provider_charge_id,
            wanted=order.amount,
        )
        self._require_stripe()
        params = {**target, "amount": amount, "metadata": {"user_id": user_id, "payment": payment_id}}
        if order.reason:
            params["reason"] = order.reason
        key = self._key(user_id, f"refund:{payment_id}", order.request_id or f"{payment.amount_refunded}:{amount}")
        await self.db.offload(self.stripe.create_refund, params, key)

        def record(repo: BillingRepository) -> tuple[Payment, LedgerEntry | None, str]:
            row = repo.payment(payment_id, for_update=True)
            assert row is not None
            if order.keep_credits:
                row.keep_credits = True
            entry = self.work.record_refund(repo, row, row.amount_refunded + amount, d.now_utc())
            sub = repo.subscription(user_id)
            sub_id = sub.stripe_subscription_id if sub and sub.status not in d.TERMINAL and row.kind != "credit_pack" else ""
            return row, entry, sub_id

        row, entry, subscription_id = await self._run(record)
        if order.cancel_subscription and subscription_id:
            obj = await self.db.offload(
                self.stripe.cancel_subscription, subscription_id, {}, self._key(user_id, "refund-cancel", order.request_id)
            )
            await self._apply_stripe_subscription(obj, deleted=True)
        return row, entry

    # -- credits --------------------------------------------------------------------------------

    async def balance(self, user_id: str) -> d.BalanceView:
        return await self._run(self.work.balance, user_id, d.now_utc())

    async def ledger_entries(self, query: EntryFilter, *, after: tuple[dt.datetime, str] | None, limit: int) -> list[LedgerEntry]:
        return list(await self._run(lambda repo: repo.list_entries(query, after=after, limit=limit)))

    async def ledger_entry(self, user_id: str, entry_id: str) -> LedgerEntry:
        return await self._run(self.work.entry, user_id, entry_id)

    async def spend(self, **values: Any) -> LedgerResult:
        return await self._run(self.work.spend, now=d.now_utc(), **values)

    async def refund_spend(self, **values: Any) -> LedgerResult:
        return await self._run(self.work.refund_spend, now=d.now_utc(), **values)

    async def grant(self, **values: Any) -> LedgerResult:
        return await self._run(self.work.grant, now=d.now_utc(), **values)

    async def adjust(self, **values: Any) -> LedgerResult:
        return await self._run(self.work.adjust, now=d.now_utc(), **values)

    # -- entitlements, webhooks, revenue ----------------------------------------------------------------

    async def entitlements(self, user_ids: list[str]) -> tuple[dict[str, Effective], dt.datetime]:
        now = d.now_utc()
        if not self._catalog_seeded:  # the first call of a process may seed the plan catalog: a unit of work
            await self._seed_catalog()
        # A read-only unit of work on the read lane (services/core/db.py).
        return await self.db.read(lambda session: self.work.entitlements_for(BillingRepository(session), user_ids, now)), now

    async def handle_webhook(self, payload: bytes, signature: str) -> tuple[dict[str, Any], str]:
        """The verified event and its outcome. An event that cannot be applied is rolled back whole,
        stored as FAILED with the reason (for `ListWebhookEvents`), and answered with a status that
        says why: INVALID_ARGUMENT / `MALFORMED_EVENT` for content Stripe never sends,
        FAILED_PRECONDITION / `EVENT_OBJECT_UNKNOWN` for an object Billing never saw (Stripe
        retries, and an event that arrived early applies on a later delivery)."""
        try:
            event = self.stripe.verify_event(payload, signature)
        except UnreadableEvent as exc:
            unreadable = {"id": exc.key, "type": "", "data": {"object": {}}}
            await self._run(self.work.record_failure, unreadable, str(exc), d.now_utc())
            raise malformed(exc.path, exc.problem) from exc
        try:
            outcome = await self._run(self.work.handle_event, event, d.now_utc())
        except errors.DomainError:
            raise
        except d.MalformedEvent as exc:
            await self._run(self.work.record_failure, event, str(exc), d.now_utc())
            raise malformed(exc.path, exc.problem) from exc
        except d.UnknownObject as exc:
            await self._run(self.work.record_failure, event, str(exc), d.now_utc())
            raise d.fail(errors.FailedPrecondition, f"{exc}; Stripe will deliver it again", "EVENT_OBJECT_UNKNOWN") from exc
        except UNREADABLE_CONTENT as exc:
            # What the reader above does not name (a value a column refuses, say): still the event's content.
            await self._run(self.work.record_failure, event, f"{type(exc).__name__}: {exc}", d.now_utc())
            raise malformed("body.data.object", "holds a value Billing cannot store") from exc
        return event, outcome

    async def webhook_events(
        self, query: EventFilter, *, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[WebhookEvent]:
        return list(await self._run(lambda repo: repo.list_events(query, after=after, limit=limit)))

    # -- account export and erasure ------------------------------------------------------------

    async def export_user(self, user_id: str) -> dict[str, Any]:
        return await self._run(self.work.export_user, user_id, d.now_utc())

    async def purge_user(self, user_id: str, request_id: str) -> Erasure:
        """Cancels a live Stripe subscription at once, deletes the Stripe customer (the personal data
        Stripe holds: email, name, payment methods), then erases in one unit of work. Stripe failing
        leaves everything in place (UNAVAILABLE), so the caller's retry starts over."""

        def live(repo: BillingRepository) -> tuple[str, str]:
            row = repo.subscription(user_id)
            customer = repo.customer(user_id)
            subscription = row.stripe_subscription_id if row is not None and row.status not in d.TERMINAL else ""
            return subscription, customer.stripe_customer_id if customer is not None else ""

        subscription_id, customer_id = await self._run(live)
        if subscription_id:
            self._require_stripe()
            params = {"invoice_now": False, "prorate": False, "cancellation_details": {"comment": "account deleted"}}
            # Keyed by the subscription, not the request: every retry of any purge is the same cancellation.
            key = idempotency_key(user_id, "purge", subscription_id)
            obj = await self.db.offload(self.stripe.cancel_subscription, subscription_id, params, key)

            def remember(sub: Subscription) -> None:
                sub.cancellation = {"source": "admin", "feedback": 0, "comment": "", "request_time": d.now_utc().isoformat()}

            await self._apply_stripe_subscription(obj, deleted=True, before=remember)
        if customer_id:
            self._require_stripe()
            await self.db.offload(self.stripe.delete_customer, customer_id)
        return await self._run(self.work.erase_user, user_id)

    async def revenue(self, start: dt.date, end: dt.date, granularity: str, plans: list[str]) -> RevenueFigures:
        now = d.now_utc()
        inputs = await self._run(load_revenue_inputs, start, end, now)
        return revenue_figures(inputs, start, end, granularity, plans, now)
