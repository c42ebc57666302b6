"""Billing's use cases: catalog, credit ledger, entitlements and the state Stripe reports.

Functions take a repository (one unit of work) and plain values and raise
`services.core.errors`. Stripe calls never happen inside these functions: the use cases
(`usecases.py`) make them first, through `stripe_gateway.py`, off the event loop and outside
any transaction, and pass the results in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from services.billing.catalog import CURRENCY, TIERS, default_packs, default_plans
from services.billing.models import (
    CreditPack,
    LedgerEntry,
    Payment,
    Plan,
    Subscription,
    SubscriptionChange,
    WebhookEvent,
)
from services.billing.repository import BillingRepository
from services.billing.settings import BillingSettings
from services.core import errors
from services.core.errors import FieldViolation, invalid
from services.core.models import new_id, utcnow
from services.core.settings import Settings

DOMAIN = "marquee.billing"
BILLING_ACTOR = "services/billing"
# How long a PAST_DUE subscription keeps its plan while Stripe retries the payment.
GRACE_PERIOD = dt.timedelta(days=7)
# How long callers may cache entitlements.
ENTITLEMENTS_MAX_AGE = dt.timedelta(minutes=5)
LOW_BALANCE_THRESHOLD = 2
MAX_METADATA_PAIRS = 16

LIVE = ("trialing", "active", "past_due", "unpaid")
TERMINAL = ("canceled", "incomplete_expired")
STRIPE_STATUSES = ("incomplete", "incomplete_expired", "trialing", "active", "past_due", "unpaid", "canceled", "paused")
HANDLED_EVENTS = (
    "checkout.session.completed",
    "checkout.session.expired",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "charge.refunded",
    "charge.dispute.created",
)


def fail(exc_type: type[errors.DomainError], message: str, reason: str, **metadata: str) -> errors.DomainError:
    return exc_type(message, reason=reason, metadata=metadata, domain=DOMAIN)


def fingerprint(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def from_epoch(value: Any) -> dt.datetime | None:
    if value in (None, "", 0):
        return None
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


def plan_rank(plan_id: str) -> int:
    return TIERS.get(plan_id, 0)


@dataclass
class Effective:
    """The plan that applies to a user now, and why."""

    plan: Plan
    subscription: Subscription | None
    in_grace_period: bool = False
    plan_end_time: dt.datetime | None = None


@dataclass
class LedgerResult:
    entry: LedgerEntry
    balance: int


@dataclass
class BalanceView:
    user_id: str
    balance: int
    update_time: dt.datetime | None
    totals: dict[str, int] = field(default_factory=dict)
    monthly_credits: int = 0
    expiring_credits: int = 0
    next_expire_time: dt.datetime | None = None


class BillingDomain:
    def __init__(self, settings: Settings, billing: BillingSettings | None = None) -> None:
        self.settings = settings
        self.billing = billing if billing is not None else BillingSettings.load(settings)
        self._seeded = False

    # -- catalog ----------------------------------------------------------------

    def ensure_catalog(self, repo: BillingRepository) -> None:
        """Seeds the default plans and packs once per database (idempotent under races), and fills in
        Stripe price ids configured after the first start. Configuration only fills empty ids: an id
        set since (UpdatePlan creates a new Stripe price) is never reverted."""
        if self._seeded:
            return
        if repo.plan("free") is None:
            repo.seed_plans(default_plans(self.billing.stripe_prices))
            repo.seed_packs(default_packs(self.billing.stripe_prices))
        self._fill_configured_price_ids(repo)
        self._seeded = True

    def _fill_configured_price_ids(self, repo: BillingRepository) -> None:
        configured = self.billing.stripe_prices
        if not configured:
            return
        for plan in repo.plans():
            prices = [dict(price) for price in plan.prices]
            for price in prices:
                key = f"{plan.id}_{'monthly' if price.get('interval') == 'month' else 'yearly'}"
                if not price.get("price_id") and configured.get(key):
                    price["price_id"] = configured[key]
            if prices != plan.prices:
                plan.prices = prices
        for pack in repo.all_packs():
            configured_id = configured.get(f"credits_{pack.credits}", "")
            if not pack.provider_price_id and configured_id:
                pack.provider_price_id = configured_id

    def plan(self, repo: BillingRepository, plan_id: str, *, for_update: bool = False) -> Plan:
        self.ensure_catalog(repo)
        row = repo.plan(plan_id, for_update=for_update)
        if row is None:
            raise errors.NotFound(f"plans/{plan_id} not found")
        return row

    def plans(self, repo: BillingRepository) -> list[Plan]:
        self.ensure_catalog(repo)
        return list(repo.plans())

    @staticmethod
    def price_of(plan: Plan, interval: str) -> dict[str, Any] | None:
        return next((p for p in plan.prices if p.get("interval") == interval), None)

    def plan_for_price(self, repo: BillingRepository, price_id: str) -> tuple[str, str] | None:
        if not price_id:
            return None
        for plan in self.plans(repo):
            for price in plan.prices:
                if price.get("price_id") == price_id or price_id in price.get("previous_price_ids", []):
                    return plan.id, str(price.get("interval", "month"))
        return None

    def pack(self, repo: BillingRepository, pack_id: str, *, for_update: bool = False) -> CreditPack:
        self.ensure_catalog(repo)
        row = repo.pack(pack_id, for_update=for_update)
        if row is None:
            raise errors.NotFound(f"creditPacks/{pack_id} not found")
        return row

    # -- entitlements -------------------------------------------------------------

    def effective(self, repo: BillingRepository, subscription: Subscription | None, now: dt.datetime) -> Effective:
        free = self.plan(repo, "free")
        if subscription is None:
            return Effective(free, None)
        status = subscription.status
        period_end = subscription.current_period_end
        if status in ("trialing", "active"):
            if subscription.cancel_at_period_end and period_end is not None and now >= period_end:
                return Effective(free, subscription)  # the scheduled end passed before Stripe's event arrived
            plan = repo.plan(subscription.plan_id) or free
            end = period_end if subscription.cancel_at_period_end else None
            return Effective(plan, subscription, plan_end_time=end)
        if status == "past_due" and subscription.grace_period_end is not None and now < subscription.grace_period_end:
            plan = repo.plan(subscription.plan_id) or free
            return Effective(plan, subscription, in_grace_period=True, plan_end_time=subscription.grace_period_end)
        return Effective(free, subscription)

    def entitlements_for(self, repo: BillingRepository, user_ids: list[str], now: dt.datetime) -> dict[str, Effective]:
        self.ensure_catalog(repo)
        subscriptions = repo.subscriptions_of(sorted(set(user_ids)))
        return {user_id: self.effective(repo, subscriptions.get(user_id), now) for user_id in set(user_ids)}

    # -- the credit ledger --------------------------------------------------------

    def _replay(self, existing: LedgerEntry, print_: str, request_id: str) -> LedgerResult:
        if existing.fingerprint != print_:
            raise fail(
                errors.AlreadyExists,
                "request_id was already used for a different request",
                "REQUEST_ID_REUSED",
                request_id=request_id,
            )
        return LedgerResult(existing, existing.balance_after)

    def _append(
        self,
        repo: BillingRepository,
        *,
        user_id: str,
        kind: str,
        delta: int,
        actor: str,
        reason: str,
        request_id: str | None,
        print_: str,
        floor: int | None,
        now: dt.datetime,
        clamp: bool = False,
        **extra: Any,
    ) -> LedgerResult:
        """Appends one entry and moves the balance in the same transaction.

        With `floor` the balance may not end below it (INSUFFICIENT_CREDITS); with `clamp` a
        removal is cut to what the balance holds instead (reversals never go below zero).
        """
        if request_id:
            existing = repo.entry_by_request(user_id, actor, request_id)
            if existing is not None:
                return self._replay(existing, print_, request_id)
        if kind != "expire":
            self.expire_due(repo, user_id, now)
        repo.ensure_account(user_id)
        balance = repo.add_to_balance(user_id, delta, floor=floor)
        if balance is None and clamp:
            account = repo.account(user_id)
            available = max(0, account.balance if account else 0)
            delta = -min(-delta, available)
            balance = repo.add_to_balance(user_id, delta, floor=floor)
        if balance is None:
            account = repo.account(user_id)
            current = account.balance if account else 0
            raise fail(
                errors.FailedPrecondition,
                f"the balance is {current} credits; {-delta} needed",
                "INSUFFICIENT_CREDITS",
                balance=str(current),
                required=str(-delta),
            )
        if delta < 0 and kind in ("spend", "adjust"):
            self._consume_lots(repo, user_id, -delta, now)
        if kind == "grant" and extra.get("expire_time") is not None:
            extra["lot_remaining"] = delta
        entry = LedgerEntry(
            id=new_id(),
            user_id=user_id,
            kind=kind,
            delta=delta,
            balance_after=balance,
            reason=reason,
            request_id=request_id or None,
            fingerprint=print_,
            actor=actor,
            create_time=now,
            **extra,
        )
        repo.add(entry)
        repo.flush()  # the unique (user, actor, request_id) constraint fires here under races
        return LedgerResult(entry, balance)

    def expire_due(self, repo: BillingRepository, user_id: str, now: dt.datetime) -> None:
        """Records an EXPIRE entry for every expiring grant past its time with credits left.

        Runs lazily inside the user's next ledger transaction (and balance read), so no sweeper
        is needed for the balance to be right; a lot is claimed by a conditional UPDATE, so two
        concurrent transactions never expire it twice.
        """
        for lot in repo.due_lots(user_id, now):
            seen = lot.lot_remaining
            if not repo.claim_lot(lot.id, seen):
                continue
            self._append(
                repo,
                user_id=user_id,
                kind="expire",
                delta=-seen,
                actor=BILLING_ACTOR,
                reason="Granted credits expired",
                request_id=f"expire:{lot.id}",
                print_=fingerprint(lot.id.encode()),
                floor=0,
                clamp=True,
                now=now,
                reference=f"users/{user_id}/creditLedger/{lot.id}",
            )

    @staticmethod
    def _consume_lots(repo: BillingRepository, user_id: str, amount: int, now: dt.datetime) -> None:
        """Spends use expiring grants first, soonest expiry first. Runs after the balance UPDATE,
        whose row lock (PostgreSQL) or write lock (SQLite) serialises this user's spends."""
        for lot in repo.open_lots(user_id, now):
            take = min(amount, lot.lot_remaining)
            lot.lot_remaining -= take
            amount -= take
            if amount <= 0:
                return

    def spend(
        self,
        repo: BillingRepository,
        *,
        user_id: str,
        amount: int,
        reason: str,
        reference: str,
        min_plan: str,
        metadata: dict[str, str],
        request_id: str,
        actor: str,
        print_: str,
        now: dt.datetime,
    ) -> LedgerResult:
        violations = []
        if amount <= 0:
            violations.append(FieldViolation("amount", "must be positive"))
        if not reason.strip() or len(reason) > 200:
            violations.append(FieldViolation("reason", "required, at most 200 characters"))
        if not request_id or len(request_id) > 128:
            violations.append(FieldViolation("request_id", "required, at most 128 characters"))
        if len(metadata) > MAX_METADATA_PAIRS:
            violations.append(FieldViolation("metadata", f"at most {MAX_METADATA_PAIRS} pairs"))
        if len(reference) > 500:
            violations.append(FieldViolation("reference", "at most 500 characters"))
        required_plan = ""
        if min_plan:
            required_plan = min_plan.removeprefix("plans/")
            if not min_plan.startswith("plans/") or required_plan not in TIERS:
                violations.append(FieldViolation("min_plan", "must be plans/free, plans/basic or plans/premium"))
        if violations:
            raise errors.InvalidArgument("; ".join(f"{v.field}: {v.description}" for v in violations), violations=violations)
        existing = repo.entry_by_request(user_id, actor, request_id)
        if existing is not None:
            return self._replay(existing, print_, request_id)
        if required_plan:
            effective = self.entitlements_for(repo, [user_id], now)[user_id]
            if effective.plan.tier < TIERS[required_plan]:
                raise fail(
                    errors.FailedPrecondition,
                    f"this needs plans/{required_plan} or above",
                    "PLAN_REQUIRED",
                    required_plan=f"plans/{required_plan}",
                )
        return self._append(
            repo,
            user_id=user_id,
            kind="spend",
            delta=-amount,
            actor=actor,
            reason=reason,
            request_id=request_id,
            print_=print_,
            floor=0,
            now=now,
            reference=reference,
            meta=dict(metadata),
        )

    def refund_spend(
        self,
        repo: BillingRepository,
        *,
        user_id: str,
        spend_entry_id: str,
        spend_request_id: str,
        amount: int,
        reason: str,
        request_id: str,
        actor: str,
        print_: str,
        now: dt.datetime,
    ) -> LedgerResult:
        if amount < 0:
            raise invalid("amount", "must be positive")
        if not request_id or len(request_id) > 128:
            raise invalid("request_id", "required, at most 128 characters")
        existing = repo.entry_by_request(user_id, actor, request_id)
        if existing is not None:
            return self._replay(existing, print_, request_id)
        if spend_entry_id:
            spend = repo.entry(spend_entry_id)
            # A service may refund only its own spends; an admin any.
            if spend is not None and actor.startswith("services/") and spend.actor != actor:
                spend = None
        else:
            spend = repo.entry_by_request(user_id, actor, spend_request_id)
        if spend is None or spend.user_id != user_id:
            raise errors.NotFound("no such spend for this user and calling service")
        if spend.kind != "spend":
            raise fail(errors.FailedPrecondition, "the entry is not a spend", "NOT_A_SPEND")
        spent = -spend.delta
        refundable = spent - spend.refunded_credits
        amount = amount or refundable
        if amount <= 0 or not repo.mark_refunded(spend.id, amount, limit=spent):
            raise fail(
                errors.FailedPrecondition,
                f"at most {refundable} credits of this spend can be refunded",
                "REFUND_EXCEEDS_SPEND",
                refundable=str(refundable),
            )
        return self._append(
            repo,
            user_id=user_id,
            kind="refund",
            delta=amount,
            actor=actor,
            reason=reason or "Refund",
            request_id=request_id,
            print_=print_,
            floor=None,
            now=now,
            spend_entry_id=spend.id,
            reference=spend.reference,
        )

    def grant(
        self,
        repo: BillingRepository,
        *,
        user_id: str,
        amount: int,
        reason: str,
        reference: str,
        expire_time: dt.datetime | None,
        request_id: str,
        actor: str,
        print_: str,
        now: dt.datetime,
    ) -> LedgerResult:
        violations = []
        if amount <= 0:
            violations.append(FieldViolation("amount", "must be positive"))
        if not reason.strip() or len(reason) > 200:
            violations.append(FieldViolation("reason", "required, at most 200 characters"))
        if expire_time is not None and expire_time <= now:
            violations.append(FieldViolation("expire_time", "must be in the future"))
        if len(request_id) > 128:
            violations.append(FieldViolation("request_id", "at most 128 characters"))
        if violations:
            raise errors.InvalidArgument("; ".join(f"{v.field}: {v.description}" for v in violations), violations=violations)
        return self._append(
            repo,
            user_id=user_id,
            kind="grant",
            delta=amount,
            actor=actor,
            reason=reason,
            request_id=request_id,
            print_=print_,
            floor=None,
            now=now,
            reference=reference,
            expire_time=expire_time,
        )

    def adjust(
        self,
        repo: BillingRepository,
        *,
        user_id: str,
        delta: int,
        reason: str,
        reference: str,
        allow_negative: bool,
        request_id: str,
        actor: str,
        print_: str,
        now: dt.datetime,
    ) -> LedgerResult:
        violations = []
        if delta == 0:
            violations.append(FieldViolation("delta", "must not be zero"))
        if not reason.strip() or len(reason) > 500:
            violations.append(FieldViolation("reason", "required, at most 500 characters"))
        if len(request_id) > 128:
            violations.append(FieldViolation("request_id", "at most 128 characters"))
        if violations:
            raise errors.InvalidArgument("; ".join(f"{v.field}: {v.description}" for v in violations), violations=violations)
        floor = None if allow_negative or delta > 0 else 0
        return self._append(
            repo,
            user_id=user_id,
            kind="adjust",
            delta=delta,
            actor=actor,
            reason=reason,
            request_id=request_id,
            print_=print_,
            floor=floor,
            now=now,
            reference=reference,
        )

    def balance(self, repo: BillingRepository, user_id: str, now: dt.datetime) -> BalanceView:
        self.expire_due(repo, user_id, now)
        account = repo.account(user_id)
        effective = self.entitlements_for(repo, [user_id], now)[user_id]
        balance = account.balance if account else 0
        lots = repo.open_lots(user_id, now)
        next_expire = lots[0].expire_time if lots else None
        expiring = sum(lot.lot_remaining for lot in lots if lot.expire_time == next_expire)
        return BalanceView(
            user_id=user_id,
            balance=balance,
            update_time=account.update_time if account else None,
            totals=repo.ledger_totals(user_id),
            monthly_credits=int(effective.plan.entitlements.get("monthly_credits", 0)),
            expiring_credits=max(0, min(expiring, balance)),
            next_expire_time=next_expire,
        )

    def entry(self, repo: BillingRepository, user_id: str, entry_id: str) -> LedgerEntry:
        row = repo.entry(entry_id)
        if row is None or row.user_id != user_id:
            raise errors.NotFound(f"users/{user_id}/creditLedger/{entry_id} not found")
        return row

    # -- webhooks ---------------------------------------------------------------------

    def handle_event(self, repo: BillingRepository, event: dict[str, Any], now: dt.datetime) -> str:
        """Applies one event once; returns processed, ignored or duplicate."""
        self.ensure_catalog(repo)
        event_id = str(event["id"])
        stored = repo.event(event_id)
        if stored is not None and stored.outcome in ("processed", "ignored"):
            repo.count_delivery(event_id)
            return "duplicate"
        event_type = str(event["type"])
        event_time = from_epoch(event.get("created")) or now
        if stored is None:
            stored = WebhookEvent(
                id=event_id,
                type=event_type[:100],
                outcome="failed",
                livemode=bool(event.get("livemode")),
                event_create_time=event_time,
                receive_time=now,
                delivery_count=0,
            )
            repo.add(stored)
            repo.flush()  # a concurrent delivery of the same event fails here and is answered DUPLICATE on retry
        stored.delivery_count += 1
        obj: dict[str, Any] = event["data"]["object"]
        user_id = ""
        if event_type in HANDLED_EVENTS:
            user_id = self._apply(repo, event_type, obj, event_time, now)
            stored.outcome = "processed"
        else:
            stored.outcome = "ignored"
        stored.user_id = user_id
        stored.process_time = now
        stored.error = ""
        return stored.outcome

    def record_failure(self, repo: BillingRepository, event: dict[str, Any], message: str, now: dt.datetime) -> None:
        stored = repo.event(str(event["id"]))
        if stored is None:
            repo.add(
                WebhookEvent(
                    id=str(event["id"]),
                    type=str(event["type"])[:100],
                    outcome="failed",
                    livemode=bool(event.get("livemode")),
                    event_create_time=from_epoch(event.get("created")),
                    receive_time=now,
                    delivery_count=1,
                    error=message[:2000],
                )
            )
        elif stored.outcome == "failed":
            stored.delivery_count += 1
            stored.error = message[:2000]

    def _apply(
        self, repo: BillingRepository, event_type: str, obj: dict[str, Any], event_time: dt.datetime, now: dt.datetime
    ) -> str:
        if event_type.startswith("customer.subscription."):
            return self.apply_subscription(repo, obj, event_time, now, deleted=event_type.endswith(".deleted"))
        if event_type == "checkout.session.completed":
            return self._checkout_completed(repo, obj, event_time, now)
        if event_type == "checkout.session.expired":
            session = repo.checkout_session(str(obj.get("id", "")))
            if session is not None and session.state == "open":
                session.state = "expired"
            return session.user_id if session else ""
        if event_type.startswith("invoice."):
            return self._invoice(repo, obj, event_time, now, outcome=event_type.removeprefix("invoice."))
        if event_type == "charge.refunded":
            return self._charge_refunded(repo, obj, now)
        if event_type == "charge.dispute.created":
            return self._disputed(repo, obj, now)
        return ""

    def _user_for(self, repo: BillingRepository, obj: dict[str, Any]) -> str:
        metadata = obj.get("metadata") or {}
        user_id = str(metadata.get("user_id", "")) if isinstance(metadata, dict) else ""
        customer_id = obj.get("customer")
        if isinstance(customer_id, dict):
            customer_id = customer_id.get("id")
        if not user_id and customer_id:
            customer = repo.customer_by_stripe(str(customer_id))
            user_id = customer.user_id if customer else ""
        if user_id and customer_id:
            repo.link_customer(user_id, str(customer_id))
        return user_id

    def apply_subscription(
        self, repo: BillingRepository, obj: dict[str, Any], event_time: dt.datetime, now: dt.datetime, *, deleted: bool = False
    ) -> str:
        """Brings our row to the state in a Stripe subscription object, unless we already hold newer state.

        Order comes from the event's creation time, never from arrival: an older event than the
        last one applied is skipped, and an ended subscription is never revived.
        """
        stripe_id = str(obj.get("id", ""))
        user_id = self._user_for(repo, obj)
        row = repo.subscription_by_stripe(stripe_id, for_update=True)
        if row is None and user_id:
            row = repo.subscription(user_id, for_update=True)
        if row is None and not user_id:
            raise ValueError(f"subscription {stripe_id} names no known user or customer")
        status = "canceled" if deleted else str(obj.get("status", ""))
        if status not in STRIPE_STATUSES:
            raise ValueError(f"unknown subscription status {status!r}")
        if row is not None:
            if row.stripe_subscription_id == stripe_id:
                if row.source_time is not None and event_time < row.source_time:
                    return row.user_id  # stale: a newer event was applied already
                if row.status in TERMINAL and status not in TERMINAL:
                    return row.user_id  # Stripe never revives an ended subscription
            elif row.status not in TERMINAL and status in TERMINAL:
                return row.user_id  # an old subscription ending does not replace the live one
        items = (obj.get("items") or {}).get("data") or [{}]
        item = items[0] if items else {}
        price = item.get("price") or {}
        mapped = self.plan_for_price(repo, str(price.get("id", "")))
        metadata = obj.get("metadata") or {}
        plan_id = mapped[0] if mapped else str(metadata.get("plan_id", "")) or (row.plan_id if row else "")
        if plan_id not in TIERS or plan_id == "free":
            raise ValueError(f"subscription {stripe_id} has a price that maps to no paid plan")
        interval = mapped[1] if mapped else str((price.get("recurring") or {}).get("interval", "month"))
        period_start = from_epoch(obj.get("current_period_start") or item.get("current_period_start"))
        period_end = from_epoch(obj.get("current_period_end") or item.get("current_period_end"))
        if row is None:
            row = Subscription(id=new_id(), user_id=user_id, create_time=now, cancellation={})
            repo.add(row)
        elif row.stripe_subscription_id != stripe_id:
            row.create_time = now  # a new subscription replaces the ended one
            row.cancellation = {}
            row.pending_plan_id = row.pending_interval = ""
            row.grace_period_end = None
        # A downgrade scheduled for the period end already carries the new price; keep the
        # paid-for plan until Stripe reports the next period.
        keep_plan = (
            row.pending_plan_id == plan_id
            and row.plan_id
            and row.current_period_end is not None
            and period_end is not None
            and period_end <= row.current_period_end
        )
        if row.plan_id and row.plan_id != plan_id and not keep_plan and row.stripe_subscription_id == stripe_id:
            repo.add(
                SubscriptionChange(
                    id=new_id(),
                    user_id=row.user_id,
                    from_plan_id=row.plan_id,
                    to_plan_id=plan_id,
                    upgrade=plan_rank(plan_id) > plan_rank(row.plan_id),
                    create_time=event_time,
                )
            )
        if not keep_plan:
            row.plan_id = plan_id
            row.interval = interval
            row.price_amount = int(price.get("unit_amount") or 0)
            row.currency = str(price.get("currency", CURRENCY)).upper()
            row.stripe_price_id = str(price.get("id", ""))
            if row.pending_plan_id == plan_id:
                row.pending_plan_id = row.pending_interval = ""
        row.stripe_subscription_id = stripe_id
        row.stripe_customer_id = str(obj.get("customer", "") or "")
        row.stripe_item_id = str(item.get("id", "") or row.stripe_item_id or "")
        if status == "past_due" and row.status != "past_due":
            row.grace_period_end = event_time + GRACE_PERIOD
        elif status != "past_due":
            row.grace_period_end = None
        row.status = status
        row.start_time = from_epoch(obj.get("start_date")) or row.start_time or event_time
        row.current_period_start = period_start or row.current_period_start
        row.current_period_end = period_end or row.current_period_end
        row.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
        row.cancel_time = from_epoch(obj.get("cancel_at")) or from_epoch(obj.get("canceled_at"))
        if row.cancel_at_period_end and row.cancel_time is None:
            row.cancel_time = row.current_period_end
        row.end_time = from_epoch(obj.get("ended_at")) or (event_time if status in TERMINAL else None)
        row.trial_start = from_epoch(obj.get("trial_start"))
        row.trial_end = from_epoch(obj.get("trial_end"))
        if (row.cancel_at_period_end or status == "canceled") and not row.cancellation:
            details = obj.get("cancellation_details") or {}
            source = "payment_failure" if details.get("reason") == "payment_failed" else "user"
            row.cancellation = {
                "source": source,
                "feedback": "",
                "comment": str(details.get("comment") or ""),
                "request_time": event_time.isoformat(),
            }
        if not row.cancel_at_period_end and status not in TERMINAL:
            row.cancellation = {}
        row.source_time = event_time
        row.update_time = now
        return row.user_id

    def _checkout_completed(self, repo: BillingRepository, obj: dict[str, Any], event_time: dt.datetime, now: dt.datetime) -> str:
        session_id = str(obj.get("id", ""))
        user_id = self._user_for(repo, obj) or str(obj.get("client_reference_id") or "")
        session = repo.checkout_session(session_id)
        if session is not None:
            user_id = session.user_id
        if not user_id:
            raise ValueError(f"checkout session {session_id} names no known user")
        if obj.get("customer"):
            repo.link_customer(user_id, str(obj["customer"]))
        if session is not None:
            session.state = "complete"
            session.complete_time = session.complete_time or event_time
        mode = str(obj.get("mode", ""))
        if mode == "subscription":
            if session is not None:
                session.stripe_subscription_id = str(obj.get("subscription") or "")
            return user_id
        if mode != "payment" or obj.get("payment_status") not in ("paid", "no_payment_required"):
            return user_id
        metadata = obj.get("metadata") or {}
        pack_id = session.credit_pack_id if session else str(metadata.get("credit_pack", ""))
        credits = session.credits if session else int(metadata.get("credits", 0) or 0)
        if credits <= 0:
            raise ValueError(f"checkout session {session_id} bought no credits")
        provider_id = str(obj.get("payment_intent") or session_id)
        payment = repo.payment_by_provider(provider_id, for_update=True)
        if payment is None:
            payment = Payment(
                id=new_id(),
                user_id=user_id,
                kind="credit_pack",
                status="succeeded",
                amount=int(obj.get("amount_total") or 0),
                currency=str(obj.get("currency", CURRENCY)).upper(),
                description=f"{credits} credits",
                credit_pack_id=pack_id,
                credits=credits,
                provider_payment_id=provider_id,
                create_time=event_time,
                paid_time=event_time,
            )
            repo.add(payment)
            repo.flush()
        self._append(
            repo,
            user_id=user_id,
            kind="purchase",
            delta=credits,
            actor=BILLING_ACTOR,
            reason=f"Bought {credits} credits",
            request_id=f"purchase:{session_id}",
            print_=fingerprint(session_id.encode()),
            floor=None,
            now=now,
            payment_id=payment.id,
            credit_pack_id=pack_id,
        )
        if session is not None:
            session.fulfilled = True
            session.payment_id = payment.id
        return user_id

    def _invoice(
        self, repo: BillingRepository, obj: dict[str, Any], event_time: dt.datetime, now: dt.datetime, *, outcome: str
    ) -> str:
        """invoice.paid, invoice.payment_failed (PAST_DUE with a grace period) and invoice.payment_action_required."""
        paid = outcome == "paid"
        invoice_id = str(obj.get("id", ""))
        subscription_id = obj.get("subscription") or ((obj.get("parent") or {}).get("subscription_details") or {}).get(
            "subscription"
        )
        subscription = repo.subscription_by_stripe(str(subscription_id), for_update=True) if subscription_id else None
        user_id = self._user_for(repo, obj) or (subscription.user_id if subscription else "")
        if not user_id:
            raise ValueError(f"invoice {invoice_id} names no known customer")
        lines = (obj.get("lines") or {}).get("data") or [{}]
        line = lines[0] if lines else {}
        period = line.get("period") or {}
        price_id = str(
            ((line.get("pricing") or {}).get("price_details") or {}).get("price") or (line.get("price") or {}).get("id") or ""
        )
        mapped = self.plan_for_price(repo, price_id)
        plan_id, interval = mapped if mapped else ((subscription.plan_id, subscription.interval) if subscription else ("", ""))
        kind = {"subscription_create": "subscription_start", "subscription_update": "subscription_change"}.get(
            str(obj.get("billing_reason", "")), "subscription_renewal"
        )
        payment = repo.payment_by_provider(invoice_id, for_update=True)
        if payment is None:
            payment = Payment(
                id=new_id(), user_id=user_id, provider_payment_id=invoice_id, create_time=event_time, kind=kind, status="pending"
            )
            repo.add(payment)
        if payment.status in ("refunded", "partially_refunded", "disputed"):
            return user_id  # a refund reported later has already superseded this state
        if paid:
            payment.status = "succeeded"
            payment.paid_time = from_epoch((obj.get("status_transitions") or {}).get("paid_at")) or event_time
            payment.failure_message = payment.failure_code = ""
        elif payment.status != "succeeded" and outcome == "payment_action_required":
            payment.status = "requires_action"
        elif payment.status != "succeeded":
            payment.status = "failed"
            error = obj.get("last_finalization_error") or {}
            payment.failure_message = str(error.get("message") or "The payment was declined.")[:500]
            payment.failure_code = str(error.get("code") or "card_declined")[:100]
        payment.amount = int(obj.get("amount_paid") or obj.get("amount_due") or 0)
        payment.currency = str(obj.get("currency", CURRENCY)).upper()
        plan = repo.plan(plan_id) if plan_id else None
        payment.description = f"{plan.display_name if plan else 'Subscription'}, {interval or 'month'}ly"
        payment.plan_id, payment.interval = plan_id, interval
        payment.period_start = from_epoch(period.get("start"))
        payment.period_end = from_epoch(period.get("end"))
        payment.invoice_number = str(obj.get("number") or "")
        payment.invoice_url = str(obj.get("hosted_invoice_url") or "")
        payment.invoice_pdf_url = str(obj.get("invoice_pdf") or "")
        payment.provider_charge_id = str(obj.get("charge") or payment.provider_charge_id or "")
        repo.flush()
        if subscription is not None and (subscription.source_time is None or event_time >= subscription.source_time):
            subscription.latest_payment_id = payment.id
            if outcome == "payment_failed" and subscription.status in ("active", "trialing"):
                subscription.status = "past_due"
                subscription.grace_period_end = event_time + GRACE_PERIOD
                subscription.source_time = event_time
            elif paid and subscription.status in ("past_due", "unpaid"):
                subscription.status = "active"
                subscription.grace_period_end = None
                subscription.source_time = event_time
            subscription.update_time = now
        return user_id

    def _charge_refunded(self, repo: BillingRepository, obj: dict[str, Any], now: dt.datetime) -> str:
        charge_id = str(obj.get("id", ""))
        payment = repo.payment_by_charge(charge_id, for_update=True)
        for key in ("payment_intent", "invoice"):
            if payment is None and obj.get(key):
                payment = repo.payment_by_provider(str(obj[key]), for_update=True)
        if payment is None:
            raise ValueError(f"charge {charge_id} belongs to no payment we know")
        payment.provider_charge_id = charge_id
        self.record_refund(repo, payment, int(obj.get("amount_refunded") or 0), now)
        return payment.user_id

    def _disputed(self, repo: BillingRepository, obj: dict[str, Any], now: dt.datetime) -> str:
        """A chargeback: the payment is DISPUTED and a pack's remaining credits are reversed."""
        payment = repo.payment_by_charge(str(obj.get("charge", "")), for_update=True) if obj.get("charge") else None
        if payment is None and obj.get("payment_intent"):
            payment = repo.payment_by_provider(str(obj["payment_intent"]), for_update=True)
        if payment is None:
            raise ValueError(f"dispute {obj.get('id')} concerns no payment we know")
        payment.status = "disputed"
        if payment.kind == "credit_pack" and payment.credits > payment.credits_reversed:
            target = payment.credits
            self._append(
                repo,
                user_id=payment.user_id,
                kind="purchase_reversal",
                delta=-(target - payment.credits_reversed),
                actor=BILLING_ACTOR,
                reason=f"Dispute of {payment.description}",
                request_id=f"reversal:{payment.id}:{target}",
                print_=fingerprint(f"{payment.id}:{target}".encode()),
                floor=0,
                clamp=True,
                now=now,
                payment_id=payment.id,
                credit_pack_id=payment.credit_pack_id,
            )
            payment.credits_reversed = target
        return payment.user_id

    def record_refund(
        self, repo: BillingRepository, payment: Payment, amount_refunded: int, now: dt.datetime
    ) -> LedgerEntry | None:
        """Sets the refunded total (never lowering it, so any arrival order ends the same) and
        removes the matching share of a pack's credits, never below a zero balance."""
        if amount_refunded > payment.amount_refunded:
            payment.amount_refunded = min(amount_refunded, payment.amount)
            payment.refund_time = now
        if payment.amount_refunded > 0 and payment.status != "disputed":
            payment.status = "refunded" if payment.amount_refunded >= payment.amount else "partially_refunded"
        if payment.kind != "credit_pack" or payment.keep_credits or payment.amount <= 0:
            return None
        target = payment.credits * payment.amount_refunded // payment.amount
        missing = target - payment.credits_reversed
        if missing <= 0:
            return None
        result = self._append(
            repo,
            user_id=payment.user_id,
            kind="purchase_reversal",
            delta=-missing,
            actor=BILLING_ACTOR,
            reason=f"Refund of {payment.description}",
            request_id=f"reversal:{payment.id}:{target}",
            print_=fingerprint(f"{payment.id}:{target}".encode()),
            floor=0,
            clamp=True,
            now=now,
            payment_id=payment.id,
            credit_pack_id=payment.credit_pack_id,
        )
        payment.credits_reversed = target
        return result.entry

    # -- checkout, subscriptions -----------------------------------------------------------

    def check_redirect(self, url: str, field_name: str) -> None:
        if not url:
            raise invalid(field_name, "is required")
        if len(url) > 2048 or not any(url.startswith(prefix) for prefix in self.settings.allowed_redirect_uris):
            raise fail(
                errors.InvalidArgument, f"{field_name} is not on the allow-list of app origins", "REDIRECT_URL_NOT_ALLOWED"
            )

    def subscription_of(self, repo: BillingRepository, user_id: str, *, not_found: bool = False) -> Subscription:
        row = repo.subscription(user_id)
        if row is None:
            if not_found:
                raise fail(errors.NotFound, "the user has no subscription", "NO_SUBSCRIPTION")
            raise fail(errors.FailedPrecondition, "the user has no subscription", "NO_SUBSCRIPTION")
        return row

    def payment_of(self, repo: BillingRepository, user_id: str | None, payment_id: str) -> Payment:
        row = repo.payment(payment_id)
        if row is None or (user_id is not None and row.user_id != user_id):
            raise errors.NotFound("payment not found")
        return row


def now_utc() -> dt.datetime:
    return utcnow()


def etag_of(version: int) -> str:
    return f'"{version}"'


def previous_price_ids(old: dict[str, Any] | None) -> list[str]:
    """The Stripe prices a plan price was sold at before: subscribers keep the one they signed up at."""
    previous = [str(price_id) for price_id in old.get("previous_price_ids", [])] if old else []
    if old and old.get("price_id"):
        previous.append(str(old["price_id"]))
    return previous


def checkout_expiry(wanted: dt.datetime | None, now: dt.datetime, shortest: dt.timedelta, longest: dt.timedelta) -> dt.datetime:
    """When a checkout session expires: what the caller asked for (within Stripe's window), else the longest."""
    slack = dt.timedelta(seconds=5)
    expire = wanted if wanted is not None else now + longest
    if not (now + shortest - slack <= expire <= now + longest + slack):
        raise invalid("checkout_session.expire_time", "must be 30 minutes to 24 hours from now")
    return min(expire, now + longest - slack)


@dataclass(frozen=True)
class Proration:
    """Amounts in cents of a plan change, as Stripe will bill them."""

    amount_due_now: int
    unused_time_credit: int
    remaining_time_charge: int
    next_invoice_amount: int
    next_invoice_time: dt.datetime | None
    effective_time: dt.datetime | None


PRORATION_BEHAVIORS = ("always_invoice", "create_prorations", "none")


def prorate(
    *,
    price_amount: int,
    period_start: dt.datetime | None,
    period_end: dt.datetime | None,
    new_amount: int,
    immediate: bool,
    behavior: str,
    now: dt.datetime,
) -> Proration:
    """Our own estimate of Stripe's proration: unused time credited, the rest charged at the new price.

    `behavior` is Stripe's `proration_behavior`: `always_invoice` charges the difference now,
    `create_prorations` carries it to the next invoice, `none` changes the price at no charge.
    A change at the period's end (or with no period) prorates nothing.
    """
    start, end = period_start, period_end
    if not immediate or start is None or end is None or end <= now or behavior == "none":
        return Proration(0, 0, 0, new_amount, end, end if not immediate else now)
    left = (end - now).total_seconds() / max(1.0, (end - start).total_seconds())
    credit = round(price_amount * left)
    charge = round(new_amount * left)
    due = max(0, charge - credit) if behavior != "create_prorations" else 0
    return Proration(due, credit, charge, new_amount + (charge - credit if due == 0 else 0), end, now)


def refund_target(payment: Payment, amount: int) -> tuple[int, dict[str, str]]:
    """How much to refund (0 means all that is left) and the Stripe object to refund it on."""
    if payment.status not in ("succeeded", "partially_refunded"):
        raise fail(errors.FailedPrecondition, f"a {payment.status} payment cannot be refunded", "PAYMENT_NOT_REFUNDABLE")
    rest = payment.amount - payment.amount_refunded
    amount = amount or rest
    if amount > rest:
        raise fail(errors.FailedPrecondition, f"at most {rest} cents are left to refund", "REFUND_EXCEEDS_PAYMENT")
    if payment.provider_payment_id.startswith("pi_"):
        return amount, {"payment_intent": payment.provider_payment_id}
    if payment.provider_charge_id:
        return amount, {"charge": payment.provider_charge_id}
    raise fail(errors.FailedPrecondition, "the payment has no charge to refund", "PAYMENT_NOT_REFUNDABLE")
