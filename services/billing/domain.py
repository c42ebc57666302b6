"""Billing's use cases: catalog, credit ledger, entitlements and the state Stripe reports.

Functions take a repository (one unit of work) and plain values and raise
`services.core.errors`. Stripe calls never happen inside these functions: the use cases
(`usecases.py`) make them first, through `stripe_gateway.py`, off the event loop and outside
any transaction, and pass the results in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
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


# Bounds on what a signed Stripe event may carry: Stripe's own limits are far below these, so a
# value outside them is a malformed event, refused before it reaches a column that cannot hold it.
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z, the last second a Timestamp holds
MAX_AMOUNT = 10**12  # minor units (cents): ten billion dollars
MAX_CREDITS = 10**9
MAX_ID_CHARS = 100  # the widest Stripe id column
EVENT_OBJECT = "data.object"


class MalformedEvent(ValueError):
    """A validly signed event whose content Stripe never sends: a wrong JSON type or a value out of range."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.problem = problem


class UnknownObject(LookupError):
    """A validly signed event about something Billing never saw (a customer, a payment)."""


def mapping(value: Any, path: str) -> dict[str, Any]:
    """A JSON object of an event (absent or null is empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent(path, "must be a JSON object")
    return value


def items_of(value: Any, path: str) -> list[dict[str, Any]]:
    """The `data` of a Stripe list object (`{"object": "list", "data": [...]}`), each an object."""
    data = mapping(value, path).get("data")
    if data is None:
        return []
    if not isinstance(data, list):
        raise MalformedEvent(f"{path}.data", "must be a JSON array")
    return [mapping(item, f"{path}.data[{index}]") for index, item in enumerate(data)]


def text(value: Any, path: str, max_chars: int = MAX_ID_CHARS) -> str:
    """A string field (an id, a status, a URL); absent or null is empty, a number is taken as its digits."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedEvent(path, "must be a string")
    result = str(value)
    if len(result) > max_chars:
        raise MalformedEvent(path, f"must be at most {max_chars} characters")
    return result


def ref(value: Any, path: str) -> str:
    """An id field that Stripe may expand into the object it names (`customer`, `subscription`)."""
    if isinstance(value, dict):
        return text(value.get("id"), f"{path}.id")
    return text(value, path)


def count(value: Any, path: str, maximum: int = MAX_AMOUNT) -> int:
    """A whole number from 0 to `maximum`; metadata carries numbers as strings of digits."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent(path, "must be a whole number")
    if not 0 <= value <= maximum:
        raise MalformedEvent(path, f"must be between 0 and {maximum}")
    return value


def from_epoch(value: Any, path: str = "created") -> dt.datetime | None:
    """Unix seconds as an aware datetime; absent, null or 0 is None; beyond year 9999 is malformed."""
    if value in (None, "", 0):
        return None
    seconds = count(value, path, MAX_EPOCH)
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if seconds else None


def plan_rank(plan_id: str) -> int:
    return TIERS.get(plan_id, 0)


# Records kept for accounting after an account is erased stand under `erased-<keyed hash>`, a
# pseudonym no user id can take (user ids are UUID hex), so nothing links them to the account.
ERASED_PREFIX = "erased-"
# The reason and period of what an erasure keeps (the contract lists the categories).
ACCOUNTING_RETENTION = "kept 10 years after the end of the year it concerns, as accounting and tax law require"


def is_erased(user_id: str) -> bool:
    return user_id.startswith(ERASED_PREFIX)


@dataclass(frozen=True)
class Disposition:
    """What an erasure did with one category of a user's data."""

    category: str
    count: int
    description: str


@dataclass(frozen=True)
class Erasure:
    erased: list[Disposition]
    retained: list[Disposition]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


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

    def forget_catalog(self) -> None:
        """The seeding's transaction did not commit: seed again next time."""
        self._seeded = False

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
        obj = mapping(event["data"]["object"], EVENT_OBJECT)
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
        """Stores an event that could not be applied (FAILED, with the reason), for inspection."""
        stored = repo.event(str(event["id"]))
        try:
            created = from_epoch(event.get("created"))
        except MalformedEvent:
            created = None  # the creation time may be what was malformed
        if stored is None:
            repo.add(
                WebhookEvent(
                    id=str(event["id"]),
                    type=str(event["type"])[:100],
                    outcome="failed",
                    livemode=bool(event.get("livemode")),
                    event_create_time=created,
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
            session = repo.checkout_session(text(obj.get("id"), f"{EVENT_OBJECT}.id"))
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
        metadata = mapping(obj.get("metadata"), f"{EVENT_OBJECT}.metadata")
        user_id = text(metadata.get("user_id"), f"{EVENT_OBJECT}.metadata.user_id", 64)
        customer_id = ref(obj.get("customer"), f"{EVENT_OBJECT}.customer")
        customer = repo.customer_by_stripe(customer_id) if customer_id else None
        if customer is not None and (not user_id or is_erased(customer.user_id)):
            # An erased user's customer answers with the pseudonym, whatever Stripe's metadata still says.
            return customer.user_id
        if user_id and customer_id:
            repo.link_customer(user_id, customer_id)
        return user_id

    def apply_subscription(
        self, repo: BillingRepository, obj: dict[str, Any], event_time: dt.datetime, now: dt.datetime, *, deleted: bool = False
    ) -> str:
        """Brings our row to the state in a Stripe subscription object, unless we already hold newer state.

        Order comes from the event's creation time, never from arrival: an older event than the
        last one applied is skipped, and an ended subscription is never revived.
        """
        at = EVENT_OBJECT
        stripe_id = text(obj.get("id"), f"{at}.id")
        user_id = self._user_for(repo, obj)
        status = "canceled" if deleted else text(obj.get("status"), f"{at}.status")
        if status not in STRIPE_STATUSES:
            raise MalformedEvent(f"{at}.status", f"is not a subscription status ({', '.join(STRIPE_STATUSES)})")
        items = items_of(obj.get("items"), f"{at}.items") or [{}]
        item = items[0]
        price = mapping(item.get("price"), f"{at}.items.data[0].price")
        price_id = text(price.get("id"), f"{at}.items.data[0].price.id")
        unit_amount = count(price.get("unit_amount"), f"{at}.items.data[0].price.unit_amount")
        currency = text(price.get("currency"), f"{at}.items.data[0].price.currency", 3) or CURRENCY
        recurring = mapping(price.get("recurring"), f"{at}.items.data[0].price.recurring")
        metadata = mapping(obj.get("metadata"), f"{at}.metadata")
        stamps = {
            key: from_epoch(obj.get(key), f"{at}.{key}")
            for key in ("start_date", "cancel_at", "canceled_at", "ended_at", "trial_start", "trial_end")
        }
        period_start = from_epoch(obj.get("current_period_start"), f"{at}.current_period_start") or from_epoch(
            item.get("current_period_start"), f"{at}.items.data[0].current_period_start"
        )
        period_end = from_epoch(obj.get("current_period_end"), f"{at}.current_period_end") or from_epoch(
            item.get("current_period_end"), f"{at}.items.data[0].current_period_end"
        )
        details = mapping(obj.get("cancellation_details"), f"{at}.cancellation_details")
        row = repo.subscription_by_stripe(stripe_id, for_update=True)
        if row is None and user_id:
            row = repo.subscription(user_id, for_update=True)
        if row is None and not user_id:
            raise UnknownObject(f"subscription {stripe_id} names no known user or customer")
        if row is None and is_erased(user_id):
            return user_id  # an erased user's customer starts nothing new
        if row is not None:
            if row.stripe_subscription_id == stripe_id:
                if row.source_time is not None and event_time < row.source_time:
                    return row.user_id  # stale: a newer event was applied already
                if row.status in TERMINAL and status not in TERMINAL:
                    return row.user_id  # Stripe never revives an ended subscription
            elif row.status not in TERMINAL and status in TERMINAL:
                return row.user_id  # an old subscription ending does not replace the live one
        mapped = self.plan_for_price(repo, price_id)
        plan_id = mapped[0] if mapped else text(metadata.get("plan_id"), f"{at}.metadata.plan_id") or (row.plan_id if row else "")
        if plan_id not in TIERS or plan_id == "free":
            raise MalformedEvent(f"{at}.items.data[0].price", "maps to no paid plan")
        interval_path = f"{at}.items.data[0].price.recurring.interval"
        interval = mapped[1] if mapped else (text(recurring.get("interval"), interval_path) or "month")
        if interval not in ("month", "year"):
            raise MalformedEvent(interval_path, "must be month or year")
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
            row.price_amount = unit_amount
            row.currency = currency.upper()
            row.stripe_price_id = price_id
            if row.pending_plan_id == plan_id:
                row.pending_plan_id = row.pending_interval = ""
        row.stripe_subscription_id = stripe_id
        row.stripe_customer_id = ref(obj.get("customer"), f"{at}.customer")
        row.stripe_item_id = text(item.get("id"), f"{at}.items.data[0].id") or row.stripe_item_id or ""
        if status == "past_due" and row.status != "past_due":
            row.grace_period_end = event_time + GRACE_PERIOD
        elif status != "past_due":
            row.grace_period_end = None
        row.status = status
        row.start_time = stamps["start_date"] or row.start_time or event_time
        row.current_period_start = period_start or row.current_period_start
        row.current_period_end = period_end or row.current_period_end
        row.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
        row.cancel_time = stamps["cancel_at"] or stamps["canceled_at"]
        if row.cancel_at_period_end and row.cancel_time is None:
            row.cancel_time = row.current_period_end
        row.end_time = stamps["ended_at"] or (event_time if status in TERMINAL else None)
        row.trial_start = stamps["trial_start"]
        row.trial_end = stamps["trial_end"]
        if (row.cancel_at_period_end or status == "canceled") and not row.cancellation:
            source = "payment_failure" if details.get("reason") == "payment_failed" else "user"
            row.cancellation = {
                "source": source,
                "feedback": "",
                "comment": text(details.get("comment"), f"{at}.cancellation_details.comment", 1000),
                "request_time": event_time.isoformat(),
            }
        if not row.cancel_at_period_end and status not in TERMINAL:
            row.cancellation = {}
        row.source_time = event_time
        row.update_time = now
        return row.user_id

    def _checkout_completed(self, repo: BillingRepository, obj: dict[str, Any], event_time: dt.datetime, now: dt.datetime) -> str:
        at = EVENT_OBJECT
        session_id = text(obj.get("id"), f"{at}.id")
        user_id = self._user_for(repo, obj) or text(obj.get("client_reference_id"), f"{at}.client_reference_id", 64)
        mode = text(obj.get("mode"), f"{at}.mode")
        payment_status = text(obj.get("payment_status"), f"{at}.payment_status")
        subscription_id = ref(obj.get("subscription"), f"{at}.subscription")
        metadata = mapping(obj.get("metadata"), f"{at}.metadata")
        metadata_pack = text(metadata.get("credit_pack"), f"{at}.metadata.credit_pack", 40)
        metadata_credits = count(metadata.get("credits"), f"{at}.metadata.credits", MAX_CREDITS)
        amount_total = count(obj.get("amount_total"), f"{at}.amount_total")
        currency = text(obj.get("currency"), f"{at}.currency", 3) or CURRENCY
        payment_intent = ref(obj.get("payment_intent"), f"{at}.payment_intent")
        customer_id = ref(obj.get("customer"), f"{at}.customer")
        session = repo.checkout_session(session_id)
        if session is not None:
            user_id = session.user_id
        if not user_id:
            raise UnknownObject(f"checkout session {session_id} names no known user")
        if customer_id:
            repo.link_customer(user_id, customer_id)
        if session is not None:
            session.state = "complete"
            session.complete_time = session.complete_time or event_time
        if mode == "subscription":
            if session is not None:
                session.stripe_subscription_id = subscription_id
            return user_id
        if mode != "payment" or payment_status not in ("paid", "no_payment_required"):
            return user_id
        pack_id = session.credit_pack_id if session else metadata_pack
        credits = session.credits if session else metadata_credits
        if credits <= 0:
            raise MalformedEvent(f"{at}.metadata.credits", "must name the credits bought")
        provider_id = payment_intent or session_id
        payment = repo.payment_by_provider(provider_id, for_update=True)
        if payment is None:
            payment = Payment(
                id=new_id(),
                user_id=user_id,
                kind="credit_pack",
                status="succeeded",
                amount=amount_total,
                currency=currency.upper(),
                description=f"{credits} credits",
                credit_pack_id=pack_id,
                credits=credits,
                provider_payment_id=provider_id,
                create_time=event_time,
                paid_time=event_time,
            )
            repo.add(payment)
            repo.flush()
        if is_erased(user_id):
            return user_id  # paid after the account was erased: the payment is kept, no credits are granted
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
        at = EVENT_OBJECT
        paid = outcome == "paid"
        invoice_id = text(obj.get("id"), f"{at}.id")
        details = mapping(
            mapping(obj.get("parent"), f"{at}.parent").get("subscription_details"), f"{at}.parent.subscription_details"
        )
        subscription_id = ref(obj.get("subscription"), f"{at}.subscription") or ref(
            details.get("subscription"), f"{at}.parent.subscription_details.subscription"
        )
        line = (items_of(obj.get("lines"), f"{at}.lines") or [{}])[0]
        line_at = f"{at}.lines.data[0]"
        period = mapping(line.get("period"), f"{line_at}.period")
        pricing = mapping(
            mapping(line.get("pricing"), f"{line_at}.pricing").get("price_details"), f"{line_at}.pricing.price_details"
        )
        price_id = ref(pricing.get("price"), f"{line_at}.pricing.price_details.price") or text(
            mapping(line.get("price"), f"{line_at}.price").get("id"), f"{line_at}.price.id"
        )
        billing_reason = text(obj.get("billing_reason"), f"{at}.billing_reason")
        paid_at = from_epoch(
            mapping(obj.get("status_transitions"), f"{at}.status_transitions").get("paid_at"), f"{at}.status_transitions.paid_at"
        )
        error = mapping(obj.get("last_finalization_error"), f"{at}.last_finalization_error")
        failure_message = text(error.get("message"), f"{at}.last_finalization_error.message", 5000)[:500]
        failure_code = text(error.get("code"), f"{at}.last_finalization_error.code", 100)
        amount = count(obj.get("amount_paid"), f"{at}.amount_paid") or count(obj.get("amount_due"), f"{at}.amount_due")
        currency = text(obj.get("currency"), f"{at}.currency", 3) or CURRENCY
        period_start = from_epoch(period.get("start"), f"{line_at}.period.start")
        period_end = from_epoch(period.get("end"), f"{line_at}.period.end")
        number = text(obj.get("number"), f"{at}.number")
        hosted_url = text(obj.get("hosted_invoice_url"), f"{at}.hosted_invoice_url", 2048)
        pdf_url = text(obj.get("invoice_pdf"), f"{at}.invoice_pdf", 2048)
        charge_id = ref(obj.get("charge"), f"{at}.charge")
        subscription = repo.subscription_by_stripe(subscription_id, for_update=True) if subscription_id else None
        user_id = self._user_for(repo, obj) or (subscription.user_id if subscription else "")
        if not user_id:
            raise UnknownObject(f"invoice {invoice_id} names no known customer")
        mapped = self.plan_for_price(repo, price_id)
        plan_id, interval = mapped if mapped else ((subscription.plan_id, subscription.interval) if subscription else ("", ""))
        kind = {"subscription_create": "subscription_start", "subscription_update": "subscription_change"}.get(
            billing_reason, "subscription_renewal"
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
            payment.paid_time = paid_at or event_time
            payment.failure_message = payment.failure_code = ""
        elif payment.status != "succeeded" and outcome == "payment_action_required":
            payment.status = "requires_action"
        elif payment.status != "succeeded":
            payment.status = "failed"
            payment.failure_message = failure_message or "The payment was declined."
            payment.failure_code = failure_code or "card_declined"
        payment.amount = amount
        payment.currency = currency.upper()
        plan = repo.plan(plan_id) if plan_id else None
        payment.description = f"{plan.display_name if plan else 'Subscription'}, {interval or 'month'}ly"
        payment.plan_id, payment.interval = plan_id, interval
        payment.period_start = period_start
        payment.period_end = period_end
        payment.invoice_number = number
        payment.invoice_url = hosted_url
        payment.invoice_pdf_url = pdf_url
        payment.provider_charge_id = charge_id or payment.provider_charge_id or ""
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
        charge_id = text(obj.get("id"), f"{EVENT_OBJECT}.id")
        refunded = count(obj.get("amount_refunded"), f"{EVENT_OBJECT}.amount_refunded")
        providers = [ref(obj.get(key), f"{EVENT_OBJECT}.{key}") for key in ("payment_intent", "invoice")]
        payment = repo.payment_by_charge(charge_id, for_update=True) if charge_id else None
        for provider_id in providers:
            if payment is None and provider_id:
                payment = repo.payment_by_provider(provider_id, for_update=True)
        if payment is None:
            raise UnknownObject(f"charge {charge_id} belongs to no payment we know")
        payment.provider_charge_id = charge_id
        self.record_refund(repo, payment, refunded, now)
        return payment.user_id

    def _disputed(self, repo: BillingRepository, obj: dict[str, Any], now: dt.datetime) -> str:
        """A chargeback: the payment is DISPUTED and a pack's remaining credits are reversed."""
        dispute_id = text(obj.get("id"), f"{EVENT_OBJECT}.id")
        charge_id = ref(obj.get("charge"), f"{EVENT_OBJECT}.charge")
        intent_id = ref(obj.get("payment_intent"), f"{EVENT_OBJECT}.payment_intent")
        payment = repo.payment_by_charge(charge_id, for_update=True) if charge_id else None
        if payment is None and intent_id:
            payment = repo.payment_by_provider(intent_id, for_update=True)
        if payment is None:
            raise UnknownObject(f"dispute {dispute_id} concerns no payment we know")
        payment.status = "disputed"
        if payment.kind == "credit_pack" and payment.credits > payment.credits_reversed and not is_erased(payment.user_id):
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
        if payment.kind != "credit_pack" or payment.keep_credits or payment.amount <= 0 or is_erased(payment.user_id):
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

    # -- account export and erasure ------------------------------------------------------------

    def pseudonym(self, user_id: str) -> str:
        """The stable stand-in for an erased user on the records kept for accounting (keyed, so
        it cannot be recomputed from a user id without the deployment's secret)."""
        key = self.settings.secret_key.get_secret_value().encode()
        return ERASED_PREFIX + hmac.new(key, f"billing-erasure:{user_id}".encode(), hashlib.sha256).hexdigest()[:40]

    def export_user(self, repo: BillingRepository, user_id: str, now: dt.datetime) -> dict[str, Any]:
        """Everything Billing holds about the user, as a JSON-ready object (amounts in cents)."""
        sub = repo.subscription(user_id)
        account = repo.account(user_id)
        return {
            "export_time": _iso(now),
            "user": f"users/{user_id}",
            "subscription": None
            if sub is None
            else {
                "plan": f"plans/{sub.plan_id}",
                "interval": sub.interval,
                "status": sub.status,
                "price": {"amount": sub.price_amount, "currency": sub.currency},
                "start_time": _iso(sub.start_time),
                "current_period_start_time": _iso(sub.current_period_start),
                "current_period_end_time": _iso(sub.current_period_end),
                "cancel_at_period_end": sub.cancel_at_period_end,
                "cancel_time": _iso(sub.cancel_time),
                "end_time": _iso(sub.end_time),
                "cancellation": dict(sub.cancellation or {}),
                "plan_changes": [
                    {"from_plan": f"plans/{c.from_plan_id}", "to_plan": f"plans/{c.to_plan_id}", "time": _iso(c.create_time)}
                    for c in repo.plan_changes_of(user_id)
                ],
            },
            "payments": [
                {
                    "name": f"users/{user_id}/payments/{row.id}",
                    "kind": row.kind,
                    "status": row.status,
                    "amount": row.amount,
                    "amount_refunded": row.amount_refunded,
                    "currency": row.currency,
                    "description": row.description,
                    "credits": row.credits,
                    "invoice_number": row.invoice_number,
                    "invoice_url": row.invoice_url,
                    "receipt_url": row.receipt_url,
                    "create_time": _iso(row.create_time),
                    "paid_time": _iso(row.paid_time),
                    "refund_time": _iso(row.refund_time),
                }
                for row in repo.payments_of(user_id)
            ],
            "credit_balance": {
                "balance": account.balance if account else 0,
                "update_time": _iso(account.update_time) if account else None,
            },
            "credit_ledger": [
                {
                    "name": f"users/{user_id}/creditLedger/{row.id}",
                    "kind": row.kind,
                    "delta": row.delta,
                    "balance_after": row.balance_after,
                    "reason": row.reason,
                    "reference": row.reference,
                    "actor": row.actor,
                    "metadata": dict(row.meta or {}),
                    "expire_time": _iso(row.expire_time),
                    "create_time": _iso(row.create_time),
                }
                for row in repo.entries_of(user_id)
            ],
            "checkout_sessions": [
                {
                    "name": f"users/{user_id}/checkoutSessions/{row.id}",
                    "mode": row.mode,
                    "state": row.state,
                    "plan": f"plans/{row.plan_id}" if row.plan_id else "",
                    "credit_pack": f"creditPacks/{row.credit_pack_id}" if row.credit_pack_id else "",
                    "amount_total": row.amount_total,
                    "currency": row.currency,
                    "create_time": _iso(row.create_time),
                }
                for row in repo.checkout_sessions_of(user_id)
            ],
        }

    def erase_user(self, repo: BillingRepository, user_id: str) -> Erasure:
        """Deletes what Billing may forget and moves what accounting must keep to the user's
        pseudonym, personal fields removed. Run after the Stripe subscription was cancelled;
        a second run erases nothing and reports the same kept records."""
        pseudonym = self.pseudonym(user_id)
        accounts, entries = repo.delete_credits(user_id)
        sessions = repo.delete_checkout_sessions(user_id)
        events = repo.unlink_events(user_id)
        repo.pseudonymize(user_id, pseudonym)
        kept = repo.retained_counts(pseudonym)
        why = f"{ACCOUNTING_RETENTION}; the user is replaced by a pseudonym that names no account"
        return Erasure(
            erased=[
                Disposition("credit_balance", accounts, "the credit balance, deleted"),
                Disposition("credit_ledger", entries, "every credit ledger entry, deleted"),
                Disposition("checkout_sessions", sessions, "checkout sessions, deleted"),
                Disposition("webhook_event_links", events, "stored Stripe events no longer name the user"),
            ],
            retained=[
                Disposition(
                    "payment_records",
                    kept["payments"],
                    f"payments, invoices and refunds {why}, invoice and receipt links removed",
                ),
                Disposition(
                    "subscription_records",
                    kept["subscriptions"] + kept["plan_changes"],
                    f"the subscription (cancelled at Stripe) and its plan changes {why}, cancellation feedback removed",
                ),
                Disposition(
                    "payment_provider_link",
                    kept["customers"],
                    f"the Stripe customer id {why} (the customer is deleted at Stripe), so refunds and disputes Stripe "
                    "reports later attach to the kept records",
                ),
            ],
        )

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
    """A plan's or pack's etag: its version, bare like every other etag in the API."""
    return str(version)


def etag_matches(given: str, version: int) -> bool:
    """An empty etag skips the check; a quoted one (what Billing returned before) still matches."""
    return not given or given.strip('"') == etag_of(version)


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
