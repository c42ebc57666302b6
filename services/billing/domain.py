"""Billing's rules on plain values: plan ranks and prices, entitlements, ledger arithmetic, refunds,
proration, and what a signed Stripe event may carry.

Nothing here reads or writes the database, receives a repository or a session, or knows about
Stripe's client, protobuf or gRPC: the steps of each unit of work (`work.BillingWork`) ask the
repository and apply these rules; the use cases (`usecases.py`) own the units of work and the
Stripe calls around them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.billing.catalog import CURRENCY, TIERS
from services.core import errors
from services.core.errors import FieldViolation, invalid
from services.core.models import utcnow
from services.core.userdata import Disposition as Disposition  # explicit: the mapping names `d.Disposition`
from services.core.userdata import Erasure

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


def iso_time(value: dt.datetime | None) -> str | None:
    """An export's time: RFC 3339 in UTC with a `Z`."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


@dataclass
class BalanceView:
    """A user's credit balance as `GetCreditBalance` shows it."""

    user_id: str
    balance: int
    update_time: dt.datetime | None
    totals: dict[str, int] = field(default_factory=dict)
    monthly_credits: int = 0
    expiring_credits: int = 0
    next_expire_time: dt.datetime | None = None


FREE = "free"


def pseudonym(secret_key: bytes, user_id: str) -> str:
    """The stable stand-in for an erased user on the records kept for accounting (keyed, so
    it cannot be recomputed from a user id without the deployment's secret)."""
    return ERASED_PREFIX + hmac.new(secret_key, f"billing-erasure:{user_id}".encode(), hashlib.sha256).hexdigest()[:40]


def erasure_report(*, accounts: int, entries: int, sessions: int, events: int, kept: Mapping[str, int]) -> Erasure:
    """What an erasure deleted and what it kept for accounting, from the counts it touched."""
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


# -- the catalog ------------------------------------------------------------------


def price_at(prices: Iterable[dict[str, Any]], interval: str) -> dict[str, Any] | None:
    """A plan's price at an interval (`month`, `year`), or None when it is not sold so."""
    return next((price for price in prices if price.get("interval") == interval), None)


def plan_for_price(plans: Iterable[tuple[str, Iterable[Mapping[str, Any]]]], price_id: str) -> tuple[str, str] | None:
    """The plan id and interval a Stripe price sells, among `(plan id, prices)`: its current price
    or one it was sold at before (subscribers keep theirs). An empty id names nothing."""
    if not price_id:
        return None
    for plan_id, prices in plans:
        for price in prices:
            if price.get("price_id") == price_id or price_id in price.get("previous_price_ids", []):
                return plan_id, str(price.get("interval", "month"))
    return None


def configured_plan_prices(
    plan_id: str, prices: Iterable[Mapping[str, Any]], configured: Mapping[str, str]
) -> list[dict[str, Any]]:
    """A plan's prices with the Stripe price ids configured since (`basic_monthly`, ...) filled in
    where none is set; an id already set (UpdatePlan made a new price) is never replaced."""
    filled = [dict(price) for price in prices]
    for price in filled:
        key = f"{plan_id}_{'monthly' if price.get('interval') == 'month' else 'yearly'}"
        if not price.get("price_id") and configured.get(key):
            price["price_id"] = configured[key]
    return filled


def configured_pack_price(credits: int, price_id: str, configured: Mapping[str, str]) -> str:
    """A pack's Stripe price id: its own, else the one configured for its size (`credits_10`)."""
    return price_id or configured.get(f"credits_{credits}", "")


# -- entitlements -----------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionTerms:
    """What of a subscription decides the plan it grants now."""

    status: str
    plan_id: str
    cancel_at_period_end: bool
    current_period_end: dt.datetime | None
    grace_period_end: dt.datetime | None


@dataclass(frozen=True)
class Entitlement:
    """The plan that applies to a user now (`free` when no paid one does), and why."""

    plan_id: str
    in_grace_period: bool = False
    plan_end_time: dt.datetime | None = None


def entitlement(terms: SubscriptionTerms | None, now: dt.datetime) -> Entitlement:
    """Trialing and active subscriptions grant their plan (until a scheduled end passes, even before
    Stripe's event says so); a past-due one keeps it for the grace period; anything else is free."""
    if terms is None:
        return Entitlement(FREE)
    period_end = terms.current_period_end
    if terms.status in ("trialing", "active"):
        if terms.cancel_at_period_end and period_end is not None and now >= period_end:
            return Entitlement(FREE)  # the scheduled end passed before Stripe's event arrived
        return Entitlement(terms.plan_id, plan_end_time=period_end if terms.cancel_at_period_end else None)
    if terms.status == "past_due" and terms.grace_period_end is not None and now < terms.grace_period_end:
        return Entitlement(terms.plan_id, in_grace_period=True, plan_end_time=terms.grace_period_end)
    return Entitlement(FREE)


def require_plan(tier: int, required_plan: str, message: str) -> None:
    """FAILED_PRECONDITION / `PLAN_REQUIRED` when a plan of `tier` is below `required_plan`."""
    if tier < TIERS.get(required_plan, 0):
        raise fail(errors.FailedPrecondition, message, "PLAN_REQUIRED", required_plan=f"plans/{required_plan}")


# -- the credit ledger --------------------------------------------------------------


def _refuse(violations: list[FieldViolation]) -> None:
    if violations:
        raise errors.InvalidArgument("; ".join(f"{v.field}: {v.description}" for v in violations), violations=violations)


def check_spend(*, amount: int, reason: str, request_id: str, metadata: Mapping[str, str], reference: str, min_plan: str) -> str:
    """A spend's arguments, every violation at once; the plan it requires (an id, or "")."""
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
    _refuse(violations)
    return required_plan


def check_spend_refund(*, amount: int, request_id: str) -> None:
    if amount < 0:
        raise invalid("amount", "must be positive")
    if not request_id or len(request_id) > 128:
        raise invalid("request_id", "required, at most 128 characters")


def check_grant(*, amount: int, reason: str, expire_time: dt.datetime | None, request_id: str, now: dt.datetime) -> None:
    violations = []
    if amount <= 0:
        violations.append(FieldViolation("amount", "must be positive"))
    if not reason.strip() or len(reason) > 200:
        violations.append(FieldViolation("reason", "required, at most 200 characters"))
    if expire_time is not None and expire_time <= now:
        violations.append(FieldViolation("expire_time", "must be in the future"))
    if len(request_id) > 128:
        violations.append(FieldViolation("request_id", "at most 128 characters"))
    _refuse(violations)


def check_adjustment(*, delta: int, reason: str, request_id: str) -> None:
    violations = []
    if delta == 0:
        violations.append(FieldViolation("delta", "must not be zero"))
    if not reason.strip() or len(reason) > 500:
        violations.append(FieldViolation("reason", "required, at most 500 characters"))
    if len(request_id) > 128:
        violations.append(FieldViolation("request_id", "at most 128 characters"))
    _refuse(violations)


def adjustment_floor(delta: int, *, allow_negative: bool) -> int | None:
    """How low an adjustment may take the balance: removals stop at zero unless told otherwise."""
    return None if allow_negative or delta > 0 else 0


def check_replay(stored_fingerprint: str, fingerprint_: str, request_id: str) -> None:
    """A request id already on the ledger answers with its entry only for the same request."""
    if stored_fingerprint != fingerprint_:
        raise fail(
            errors.AlreadyExists,
            "request_id was already used for a different request",
            "REQUEST_ID_REUSED",
            request_id=request_id,
        )


def clamped(delta: int, balance: int) -> int:
    """A removal cut to what the balance holds (reversals and expiries never go below zero)."""
    return -min(-delta, max(0, balance))


def insufficient_credits(balance: int, delta: int) -> errors.DomainError:
    return fail(
        errors.FailedPrecondition,
        f"the balance is {balance} credits; {-delta} needed",
        "INSUFFICIENT_CREDITS",
        balance=str(balance),
        required=str(-delta),
    )


def lots_taken(remaining: Iterable[int], amount: int) -> list[int]:
    """What a spend of `amount` takes from each open lot (what each has left, soonest expiry first),
    up to the last lot it reaches; expiring grants are spent before anything else."""
    taken = []
    for left in remaining:
        if amount <= 0:
            break
        take = min(amount, left)
        taken.append(take)
        amount -= take
    return taken


@dataclass(frozen=True)
class Lot:
    """An expiring grant's credits not yet spent or expired."""

    expire_time: dt.datetime | None
    remaining: int


def next_expiry(lots: Sequence[Lot], balance: int) -> tuple[dt.datetime | None, int]:
    """When credits expire next (lots soonest first) and how many of the balance then do."""
    next_expire = lots[0].expire_time if lots else None
    expiring = sum(lot.remaining for lot in lots if lot.expire_time == next_expire)
    return next_expire, max(0, min(expiring, balance))


def may_refund_spend(spend_actor: str, actor: str) -> bool:
    """A service may refund only its own spends; an admin any."""
    return not actor.startswith("services/") or spend_actor == actor


def refund_exceeds_spend(refundable: int) -> errors.DomainError:
    return fail(
        errors.FailedPrecondition,
        f"at most {refundable} credits of this spend can be refunded",
        "REFUND_EXCEEDS_SPEND",
        refundable=str(refundable),
    )


# -- payments ---------------------------------------------------------------------------

# A refund or a dispute Stripe reported supersedes what a later-arriving invoice event says.
REFUNDED_STATES = ("refunded", "partially_refunded", "disputed")


def refunded_status(status: str, amount: int, amount_refunded: int) -> str:
    """A payment's status once `amount_refunded` of its `amount` is refunded (a dispute stays one)."""
    if amount_refunded > 0 and status != "disputed":
        return "refunded" if amount_refunded >= amount else "partially_refunded"
    return status


def refund_reversal(kind: str, keep_credits: bool, user_id: str, amount: int, amount_refunded: int, credits: int) -> int | None:
    """The credits a pack's refunds take back in all (their share of the pack), or None when
    refunds take none back: not a pack, credits kept on request, or an erased account."""
    if kind != "credit_pack" or keep_credits or amount <= 0 or is_erased(user_id):
        return None
    return credits * amount_refunded // amount


def dispute_reversal(*, kind: str, user_id: str, credits: int, credits_reversed: int) -> int | None:
    """The credits a chargeback takes back in all (the whole pack), or None when it takes none."""
    if kind == "credit_pack" and credits > credits_reversed and not is_erased(user_id):
        return credits
    return None


def invoice_payment_status(status: str, outcome: str) -> str:
    """A subscription payment's status after an invoice event (`paid`, `payment_failed`,
    `payment_action_required`): a payment that succeeded never fails afterwards."""
    if outcome == "paid":
        return "succeeded"
    if status == "succeeded":
        return status
    return "requires_action" if outcome == "payment_action_required" else "failed"


def invoice_subscription_status(status: str, outcome: str) -> str | None:
    """A subscription's status after its invoice's outcome, or None when the invoice changes nothing."""
    if outcome == "payment_failed" and status in ("active", "trialing"):
        return "past_due"
    if outcome == "paid" and status in ("past_due", "unpaid"):
        return "active"
    return None


# -- subscriptions, as Stripe reports them --------------------------------------------------


def skips_subscription_event(
    *, same_subscription: bool, row_status: str, source_time: dt.datetime | None, status: str, event_time: dt.datetime
) -> bool:
    """Whether a subscription event leaves the stored one as it is. Order comes from the event's
    creation time, never from arrival: an older event than the last one applied is skipped, an ended
    subscription is never revived, and an old subscription ending does not replace the live one."""
    if same_subscription:
        if source_time is not None and event_time < source_time:
            return True  # stale: a newer event was applied already
        return row_status in TERMINAL and status not in TERMINAL  # Stripe never revives an ended subscription
    return row_status not in TERMINAL and status in TERMINAL


def paid_plan(plan_id: str, path: str) -> str:
    """A plan a subscription can be on: a known tier that is not free."""
    if plan_id not in TIERS or plan_id == FREE:
        raise MalformedEvent(path, "maps to no paid plan")
    return plan_id


def billing_interval(interval: str, path: str) -> str:
    if interval not in ("month", "year"):
        raise MalformedEvent(path, "must be month or year")
    return interval


def keeps_paid_plan(
    *,
    pending_plan_id: str,
    plan_id: str,
    current_plan_id: str,
    current_period_end: dt.datetime | None,
    period_end: dt.datetime | None,
) -> bool:
    """A downgrade scheduled for the period end already carries the new price; the paid-for plan
    stays until Stripe reports the next period."""
    return bool(
        pending_plan_id == plan_id
        and current_plan_id
        and current_period_end is not None
        and period_end is not None
        and period_end <= current_period_end
    )


def grace_period_end(
    status: str, previous_status: str, current: dt.datetime | None, event_time: dt.datetime
) -> dt.datetime | None:
    """A subscription turning PAST_DUE keeps its plan for the grace period from then; any other status has none."""
    if status == "past_due":
        return event_time + GRACE_PERIOD if previous_status != "past_due" else current
    return None


@dataclass(frozen=True)
class Owner:
    """Whom an event's object names: `metadata.user_id` (ours, set at checkout) and the Stripe customer."""

    user_id: str
    customer_id: str


def read_owner(obj: Mapping[str, Any]) -> Owner:
    metadata = mapping(obj.get("metadata"), f"{EVENT_OBJECT}.metadata")
    user_id = text(metadata.get("user_id"), f"{EVENT_OBJECT}.metadata.user_id", 64)
    return Owner(user_id, ref(obj.get("customer"), f"{EVENT_OBJECT}.customer"))


def customer_decides(metadata_user_id: str, customer_user_id: str) -> bool:
    """Whether the user an event's Stripe customer is linked to answers for the event rather than
    its metadata: when the metadata names nobody, or the customer's user was erased (the pseudonym
    answers, whatever Stripe's metadata still says)."""
    return not metadata_user_id or is_erased(customer_user_id)


SUBSCRIPTION_STAMPS = ("start_date", "cancel_at", "canceled_at", "ended_at", "trial_start", "trial_end")


@dataclass(frozen=True)
class SubscriptionEvent:
    """A Stripe subscription object, read: what every application of it needs is checked at once
    (in the order Stripe lists it); what only some need is read when asked, so a field a skipped
    event never reaches cannot fail it."""

    stripe_id: str
    owner: Owner
    status: str
    price_id: str
    unit_amount: int
    currency: str
    stamps: dict[str, dt.datetime | None]
    period_start: dt.datetime | None
    period_end: dt.datetime | None
    cancel_at_period_end: bool
    item: dict[str, Any]
    metadata: dict[str, Any]
    recurring: dict[str, Any]
    cancellation_details: dict[str, Any]

    def plan_hint(self) -> str:
        """The plan our checkout named in the metadata (for a price the catalog no longer lists)."""
        return text(self.metadata.get("plan_id"), f"{EVENT_OBJECT}.metadata.plan_id")

    def interval_hint(self) -> str:
        return text(self.recurring.get("interval"), INTERVAL_PATH) or "month"

    def item_id(self) -> str:
        return text(self.item.get("id"), f"{EVENT_OBJECT}.items.data[0].id")

    def comment(self) -> str:
        return text(self.cancellation_details.get("comment"), f"{EVENT_OBJECT}.cancellation_details.comment", 1000)

    def cancel_reason(self) -> Any:
        return self.cancellation_details.get("reason")


INTERVAL_PATH = f"{EVENT_OBJECT}.items.data[0].price.recurring.interval"
PRICE_PATH = f"{EVENT_OBJECT}.items.data[0].price"


def read_subscription(obj: Mapping[str, Any], *, deleted: bool) -> SubscriptionEvent:
    at = EVENT_OBJECT
    stripe_id = text(obj.get("id"), f"{at}.id")
    owner = read_owner(obj)
    status = "canceled" if deleted else text(obj.get("status"), f"{at}.status")
    if status not in STRIPE_STATUSES:
        raise MalformedEvent(f"{at}.status", f"is not a subscription status ({', '.join(STRIPE_STATUSES)})")
    item = (items_of(obj.get("items"), f"{at}.items") or [{}])[0]
    price = mapping(item.get("price"), PRICE_PATH)
    # Keyword arguments are evaluated in order: the fields are read, and fail, in Stripe's order.
    return SubscriptionEvent(
        stripe_id,
        owner,
        status,
        item=item,
        price_id=text(price.get("id"), f"{PRICE_PATH}.id"),
        unit_amount=count(price.get("unit_amount"), f"{PRICE_PATH}.unit_amount"),
        currency=(text(price.get("currency"), f"{PRICE_PATH}.currency", 3) or CURRENCY).upper(),
        recurring=mapping(price.get("recurring"), f"{PRICE_PATH}.recurring"),
        metadata=mapping(obj.get("metadata"), f"{at}.metadata"),
        stamps={key: from_epoch(obj.get(key), f"{at}.{key}") for key in SUBSCRIPTION_STAMPS},
        period_start=from_epoch(obj.get("current_period_start"), f"{at}.current_period_start")
        or from_epoch(item.get("current_period_start"), f"{at}.items.data[0].current_period_start"),
        period_end=from_epoch(obj.get("current_period_end"), f"{at}.current_period_end")
        or from_epoch(item.get("current_period_end"), f"{at}.items.data[0].current_period_end"),
        cancellation_details=mapping(obj.get("cancellation_details"), f"{at}.cancellation_details"),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
    )


def cancellation_after(current: Mapping[str, Any], event: SubscriptionEvent, event_time: dt.datetime) -> dict[str, Any]:
    """The cancellation a subscription records after an event: set once when Stripe reports one
    scheduled or done (by the user unless a payment failed), cleared when it is withdrawn."""
    if not event.cancel_at_period_end and event.status not in TERMINAL:
        return {}
    if (event.cancel_at_period_end or event.status == "canceled") and not current:
        return {
            "source": "payment_failure" if event.cancel_reason() == "payment_failed" else "user",
            "feedback": "",
            "comment": event.comment(),
            "request_time": event_time.isoformat(),
        }
    return dict(current)


@dataclass(frozen=True)
class CheckoutEvent:
    """A completed Stripe checkout session, read."""

    session_id: str
    owner: Owner
    mode: str
    payment_status: str
    subscription_id: str
    credit_pack_id: str  # the metadata's, for a session Billing did not store
    credits: int  # likewise
    amount_total: int
    currency: str
    payment_intent: str
    client_reference: Any

    def client_reference_id(self) -> str:
        """The user our checkout named as its reference, asked only when nothing else names one."""
        return text(self.client_reference, f"{EVENT_OBJECT}.client_reference_id", 64)


def read_checkout(obj: Mapping[str, Any]) -> CheckoutEvent:
    at = EVENT_OBJECT
    session_id = text(obj.get("id"), f"{at}.id")
    owner = read_owner(obj)  # the metadata is an object from here on
    metadata = mapping(obj.get("metadata"), f"{at}.metadata")
    # Keyword arguments are evaluated in order: the fields are read, and fail, in Stripe's order.
    return CheckoutEvent(
        session_id,
        owner,
        mode=text(obj.get("mode"), f"{at}.mode"),
        payment_status=text(obj.get("payment_status"), f"{at}.payment_status"),
        subscription_id=ref(obj.get("subscription"), f"{at}.subscription"),
        credit_pack_id=text(metadata.get("credit_pack"), f"{at}.metadata.credit_pack", 40),
        credits=count(metadata.get("credits"), f"{at}.metadata.credits", MAX_CREDITS),
        amount_total=count(obj.get("amount_total"), f"{at}.amount_total"),
        currency=(text(obj.get("currency"), f"{at}.currency", 3) or CURRENCY).upper(),
        payment_intent=ref(obj.get("payment_intent"), f"{at}.payment_intent"),
        client_reference=obj.get("client_reference_id"),
    )


def buys_credits(mode: str, payment_status: str) -> bool:
    """Whether a completed checkout is a paid credit purchase (a subscription's pays through its invoices)."""
    return mode == "payment" and payment_status in ("paid", "no_payment_required")


@dataclass(frozen=True)
class InvoiceEvent:
    """A Stripe invoice of a subscription, read (its first line names the price and period)."""

    invoice_id: str
    subscription_id: str
    price_id: str
    billing_reason: str
    paid_at: dt.datetime | None
    failure: tuple[str, str]  # why finalizing failed: Stripe's message (cut to 500 characters) and code
    amount: int
    currency: str
    period_start: dt.datetime | None
    period_end: dt.datetime | None
    number: str
    hosted_url: str
    pdf_url: str
    charge_id: str
    owner: Owner


def read_invoice(obj: Mapping[str, Any]) -> InvoiceEvent:
    at = EVENT_OBJECT
    invoice_id = text(obj.get("id"), f"{at}.id")
    details = mapping(mapping(obj.get("parent"), f"{at}.parent").get("subscription_details"), f"{at}.parent.subscription_details")
    subscription_id = ref(obj.get("subscription"), f"{at}.subscription") or ref(
        details.get("subscription"), f"{at}.parent.subscription_details.subscription"
    )
    line = (items_of(obj.get("lines"), f"{at}.lines") or [{}])[0]
    line_at = f"{at}.lines.data[0]"
    period = mapping(line.get("period"), f"{line_at}.period")
    pricing = mapping(mapping(line.get("pricing"), f"{line_at}.pricing").get("price_details"), f"{line_at}.pricing.price_details")
    # Keyword arguments are evaluated in order: the fields are read, and fail, in Stripe's order.
    return InvoiceEvent(
        invoice_id,
        subscription_id,
        price_id=ref(pricing.get("price"), f"{line_at}.pricing.price_details.price")
        or text(mapping(line.get("price"), f"{line_at}.price").get("id"), f"{line_at}.price.id"),
        billing_reason=text(obj.get("billing_reason"), f"{at}.billing_reason"),
        paid_at=from_epoch(
            mapping(obj.get("status_transitions"), f"{at}.status_transitions").get("paid_at"), f"{at}.status_transitions.paid_at"
        ),
        failure=_finalization_error(mapping(obj.get("last_finalization_error"), f"{at}.last_finalization_error")),
        amount=count(obj.get("amount_paid"), f"{at}.amount_paid") or count(obj.get("amount_due"), f"{at}.amount_due"),
        currency=(text(obj.get("currency"), f"{at}.currency", 3) or CURRENCY).upper(),
        period_start=from_epoch(period.get("start"), f"{line_at}.period.start"),
        period_end=from_epoch(period.get("end"), f"{line_at}.period.end"),
        number=text(obj.get("number"), f"{at}.number"),
        hosted_url=text(obj.get("hosted_invoice_url"), f"{at}.hosted_invoice_url", 2048),
        pdf_url=text(obj.get("invoice_pdf"), f"{at}.invoice_pdf", 2048),
        charge_id=ref(obj.get("charge"), f"{at}.charge"),
        owner=read_owner(obj),
    )


def _finalization_error(error: Mapping[str, Any]) -> tuple[str, str]:
    at = f"{EVENT_OBJECT}.last_finalization_error"
    return text(error.get("message"), f"{at}.message", 5000)[:500], text(error.get("code"), f"{at}.code", 100)


def invoice_payment_kind(billing_reason: str) -> str:
    """The kind of payment an invoice is, from why Stripe billed it."""
    return {"subscription_create": "subscription_start", "subscription_update": "subscription_change"}.get(
        billing_reason, "subscription_renewal"
    )


def subscription_payment_description(plan_name: str | None, interval: str) -> str:
    return f"{plan_name or 'Subscription'}, {interval or 'month'}ly"


@dataclass(frozen=True)
class RefundEvent:
    """`charge.refunded`: the charge, its refunded total, and the payment ids that may name it."""

    charge_id: str
    amount_refunded: int
    provider_ids: tuple[str, ...]  # the payment intent, the invoice


def read_refund(obj: Mapping[str, Any]) -> RefundEvent:
    return RefundEvent(
        charge_id=text(obj.get("id"), f"{EVENT_OBJECT}.id"),
        amount_refunded=count(obj.get("amount_refunded"), f"{EVENT_OBJECT}.amount_refunded"),
        provider_ids=tuple(ref(obj.get(key), f"{EVENT_OBJECT}.{key}") for key in ("payment_intent", "invoice")),
    )


@dataclass(frozen=True)
class DisputeEvent:
    """`charge.dispute.created`: the dispute and the charge or payment intent it concerns."""

    dispute_id: str
    charge_id: str
    payment_intent: str


def read_dispute(obj: Mapping[str, Any]) -> DisputeEvent:
    return DisputeEvent(
        dispute_id=text(obj.get("id"), f"{EVENT_OBJECT}.id"),
        charge_id=ref(obj.get("charge"), f"{EVENT_OBJECT}.charge"),
        payment_intent=ref(obj.get("payment_intent"), f"{EVENT_OBJECT}.payment_intent"),
    )


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


def refund_target(
    *, status: str, amount: int, amount_refunded: int, provider_payment_id: str, provider_charge_id: str, wanted: int
) -> tuple[int, dict[str, str]]:
    """How much of a payment to refund (`wanted`, 0 meaning all that is left) and the Stripe object to refund it on."""
    if status not in ("succeeded", "partially_refunded"):
        raise fail(errors.FailedPrecondition, f"a {status} payment cannot be refunded", "PAYMENT_NOT_REFUNDABLE")
    rest = amount - amount_refunded
    wanted = wanted or rest
    if wanted > rest:
        raise fail(errors.FailedPrecondition, f"at most {rest} cents are left to refund", "REFUND_EXCEEDS_PAYMENT")
    if provider_payment_id.startswith("pi_"):
        return wanted, {"payment_intent": provider_payment_id}
    if provider_charge_id:
        return wanted, {"charge": provider_charge_id}
    raise fail(errors.FailedPrecondition, "the payment has no charge to refund", "PAYMENT_NOT_REFUNDABLE")


def check_redirect(url: str, field_name: str, allowed_prefixes: Iterable[str]) -> None:
    """A return or success URL must be on the deployment's allow-list of app origins."""
    if not url:
        raise invalid(field_name, "is required")
    if len(url) > 2048 or not any(url.startswith(prefix) for prefix in allowed_prefixes):
        raise fail(errors.InvalidArgument, f"{field_name} is not on the allow-list of app origins", "REDIRECT_URL_NOT_ALLOWED")
