"""The steps of Billing's units of work: each `BillingWork` method runs inside one, given its repository.

The rules they apply live in `domain.py` on plain values and the queries in `repository.py`;
the use cases (`usecases.py`) open the units of work and make every Stripe call outside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.billing import domain as d
from services.billing.catalog import default_packs, default_plans
from services.billing.models import CreditPack, LedgerEntry, Payment, Plan, Subscription, SubscriptionChange, WebhookEvent
from services.billing.repository import BillingRepository
from services.billing.settings import BillingSettings
from services.core import errors
from services.core.models import new_id
from services.core.settings import Settings
from services.core.userdata import Erasure


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


def terms_of(row: Subscription) -> d.SubscriptionTerms:
    return d.SubscriptionTerms(row.status, row.plan_id, row.cancel_at_period_end, row.current_period_end, row.grace_period_end)


class BillingWork:
    """Catalog, credit ledger, entitlements and the state Stripe reports, inside one unit of work.

    Stripe calls never happen here: the use cases make them first, through `stripe_gateway.py`,
    off the event loop and outside any transaction, and pass the results in.
    """

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
            prices = d.configured_plan_prices(plan.id, plan.prices, configured)
            if prices != plan.prices:
                plan.prices = prices
        for pack in repo.all_packs():
            price_id = d.configured_pack_price(pack.credits, pack.provider_price_id, configured)
            if price_id != pack.provider_price_id:
                pack.provider_price_id = price_id

    def plan(self, repo: BillingRepository, plan_id: str, *, for_update: bool = False) -> Plan:
        self.ensure_catalog(repo)
        row = repo.plan(plan_id, for_update=for_update)
        if row is None:
            raise errors.NotFound(f"plans/{plan_id} not found")
        return row

    def plans(self, repo: BillingRepository) -> list[Plan]:
        self.ensure_catalog(repo)
        return list(repo.plans())

    def plan_for_price(self, repo: BillingRepository, price_id: str) -> tuple[str, str] | None:
        if not price_id:
            return None  # no catalog read for an event that names no price
        return d.plan_for_price(((plan.id, plan.prices) for plan in self.plans(repo)), price_id)

    def pack(self, repo: BillingRepository, pack_id: str, *, for_update: bool = False) -> CreditPack:
        self.ensure_catalog(repo)
        row = repo.pack(pack_id, for_update=for_update)
        if row is None:
            raise errors.NotFound(f"creditPacks/{pack_id} not found")
        return row

    # -- entitlements -------------------------------------------------------------

    def effective(self, repo: BillingRepository, subscription: Subscription | None, now: dt.datetime) -> Effective:
        free = self.plan(repo, d.FREE)
        if subscription is None:
            return Effective(free, None)
        found = d.entitlement(terms_of(subscription), now)
        plan = free if found.plan_id == d.FREE else repo.plan(found.plan_id) or free
        return Effective(plan, subscription, in_grace_period=found.in_grace_period, plan_end_time=found.plan_end_time)

    def entitlements_for(self, repo: BillingRepository, user_ids: list[str], now: dt.datetime) -> dict[str, Effective]:
        self.ensure_catalog(repo)
        subscriptions = repo.subscriptions_of(sorted(set(user_ids)))
        return {user_id: self.effective(repo, subscriptions.get(user_id), now) for user_id in set(user_ids)}

    # -- the credit ledger --------------------------------------------------------

    @staticmethod
    def _replay(existing: LedgerEntry, print_: str, request_id: str) -> LedgerResult:
        d.check_replay(existing.fingerprint, print_, request_id)
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
            delta = d.clamped(delta, account.balance if account else 0)
            balance = repo.add_to_balance(user_id, delta, floor=floor)
        if balance is None:
            account = repo.account(user_id)
            raise d.insufficient_credits(account.balance if account else 0, delta)
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
                actor=d.BILLING_ACTOR,
                reason="Granted credits expired",
                request_id=f"expire:{lot.id}",
                print_=d.fingerprint(lot.id.encode()),
                floor=0,
                clamp=True,
                now=now,
                reference=f"users/{user_id}/creditLedger/{lot.id}",
            )

    @staticmethod
    def _consume_lots(repo: BillingRepository, user_id: str, amount: int, now: dt.datetime) -> None:
        """Spends use expiring grants first, soonest expiry first. Runs after the balance UPDATE,
        whose row lock (PostgreSQL) or write lock (SQLite) serialises this user's spends."""
        lots = repo.open_lots(user_id, now)
        for lot, take in zip(lots, d.lots_taken((lot.lot_remaining for lot in lots), amount), strict=False):
            lot.lot_remaining -= take

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
        required_plan = d.check_spend(
            amount=amount, reason=reason, request_id=request_id, metadata=metadata, reference=reference, min_plan=min_plan
        )
        existing = repo.entry_by_request(user_id, actor, request_id)
        if existing is not None:
            return self._replay(existing, print_, request_id)
        if required_plan:
            effective = self.entitlements_for(repo, [user_id], now)[user_id]
            d.require_plan(effective.plan.tier, required_plan, f"this needs plans/{required_plan} or above")
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
        d.check_spend_refund(amount=amount, request_id=request_id)
        existing = repo.entry_by_request(user_id, actor, request_id)
        if existing is not None:
            return self._replay(existing, print_, request_id)
        if spend_entry_id:
            spend = repo.entry(spend_entry_id)
            if spend is not None and not d.may_refund_spend(spend.actor, actor):
                spend = None
        else:
            spend = repo.entry_by_request(user_id, actor, spend_request_id)
        if spend is None or spend.user_id != user_id:
            raise errors.NotFound("no such spend for this user and calling service")
        if spend.kind != "spend":
            raise d.fail(errors.FailedPrecondition, "the entry is not a spend", "NOT_A_SPEND")
        spent = -spend.delta
        refundable = spent - spend.refunded_credits
        amount = amount or refundable
        if amount <= 0 or not repo.mark_refunded(spend.id, amount, limit=spent):
            raise d.refund_exceeds_spend(refundable)
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
        d.check_grant(amount=amount, reason=reason, expire_time=expire_time, request_id=request_id, now=now)
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
        d.check_adjustment(delta=delta, reason=reason, request_id=request_id)
        return self._append(
            repo,
            user_id=user_id,
            kind="adjust",
            delta=delta,
            actor=actor,
            reason=reason,
            request_id=request_id,
            print_=print_,
            floor=d.adjustment_floor(delta, allow_negative=allow_negative),
            now=now,
            reference=reference,
        )

    def balance(self, repo: BillingRepository, user_id: str, now: dt.datetime) -> d.BalanceView:
        self.expire_due(repo, user_id, now)
        account = repo.account(user_id)
        effective = self.entitlements_for(repo, [user_id], now)[user_id]
        balance = account.balance if account else 0
        lots = [d.Lot(lot.expire_time, lot.lot_remaining) for lot in repo.open_lots(user_id, now)]
        next_expire, expiring = d.next_expiry(lots, balance)
        return d.BalanceView(
            user_id=user_id,
            balance=balance,
            update_time=account.update_time if account else None,
            totals=repo.ledger_totals(user_id),
            monthly_credits=int(effective.plan.entitlements.get("monthly_credits", 0)),
            expiring_credits=expiring,
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
        event_time = d.from_epoch(event.get("created")) or now
        obj = d.mapping(event["data"]["object"], d.EVENT_OBJECT)
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
        if event_type in d.HANDLED_EVENTS:
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
            created = d.from_epoch(event.get("created"))
        except d.MalformedEvent:
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
            return self._checkout_completed(repo, d.read_checkout(obj), event_time, now)
        if event_type == "checkout.session.expired":
            session = repo.checkout_session(d.text(obj.get("id"), f"{d.EVENT_OBJECT}.id"))
            if session is not None and session.state == "open":
                session.state = "expired"
            return session.user_id if session else ""
        if event_type.startswith("invoice."):
            return self._invoice(repo, d.read_invoice(obj), event_time, now, outcome=event_type.removeprefix("invoice."))
        if event_type == "charge.refunded":
            return self._charge_refunded(repo, d.read_refund(obj), now)
        if event_type == "charge.dispute.created":
            return self._disputed(repo, d.read_dispute(obj), now)
        return ""

    @staticmethod
    def _user_for(repo: BillingRepository, owner: d.Owner) -> str:
        """The user an event's object names, linking its Stripe customer to that user on first sight."""
        customer = repo.customer_by_stripe(owner.customer_id) if owner.customer_id else None
        if customer is not None and d.customer_decides(owner.user_id, customer.user_id):
            return customer.user_id
        if owner.user_id and owner.customer_id:
            repo.link_customer(owner.user_id, owner.customer_id)
        return owner.user_id

    def apply_subscription(
        self, repo: BillingRepository, obj: dict[str, Any], event_time: dt.datetime, now: dt.datetime, *, deleted: bool = False
    ) -> str:
        """Brings our row to the state in a Stripe subscription object, unless we already hold newer
        state (`domain.skips_subscription_event`)."""
        event = d.read_subscription(obj, deleted=deleted)
        stripe_id, status = event.stripe_id, event.status
        user_id = self._user_for(repo, event.owner)
        row = repo.subscription_by_stripe(stripe_id, for_update=True)
        if row is None and user_id:
            row = repo.subscription(user_id, for_update=True)
        if row is None and not user_id:
            raise d.UnknownObject(f"subscription {stripe_id} names no known user or customer")
        if row is None and d.is_erased(user_id):
            return user_id  # an erased user's customer starts nothing new
        if row is not None and d.skips_subscription_event(
            same_subscription=row.stripe_subscription_id == stripe_id,
            row_status=row.status,
            source_time=row.source_time,
            status=status,
            event_time=event_time,
        ):
            return row.user_id
        mapped = self.plan_for_price(repo, event.price_id)
        plan_id = d.paid_plan(mapped[0] if mapped else event.plan_hint() or (row.plan_id if row else ""), d.PRICE_PATH)
        interval = d.billing_interval(mapped[1] if mapped else event.interval_hint(), d.INTERVAL_PATH)
        if row is None:
            row = Subscription(id=new_id(), user_id=user_id, create_time=now, cancellation={})
            repo.add(row)
        elif row.stripe_subscription_id != stripe_id:
            row.create_time = now  # a new subscription replaces the ended one
            row.cancellation = {}
            row.pending_plan_id = row.pending_interval = ""
            row.grace_period_end = None
        keep_plan = d.keeps_paid_plan(
            pending_plan_id=row.pending_plan_id,
            plan_id=plan_id,
            current_plan_id=row.plan_id,
            current_period_end=row.current_period_end,
            period_end=event.period_end,
        )
        if row.plan_id and row.plan_id != plan_id and not keep_plan and row.stripe_subscription_id == stripe_id:
            repo.add(
                SubscriptionChange(
                    id=new_id(),
                    user_id=row.user_id,
                    from_plan_id=row.plan_id,
                    to_plan_id=plan_id,
                    upgrade=d.plan_rank(plan_id) > d.plan_rank(row.plan_id),
                    create_time=event_time,
                )
            )
        if not keep_plan:
            row.plan_id = plan_id
            row.interval = interval
            row.price_amount = event.unit_amount
            row.currency = event.currency
            row.stripe_price_id = event.price_id
            if row.pending_plan_id == plan_id:
                row.pending_plan_id = row.pending_interval = ""
        row.stripe_subscription_id = stripe_id
        row.stripe_customer_id = event.owner.customer_id
        row.stripe_item_id = event.item_id() or row.stripe_item_id or ""
        row.grace_period_end = d.grace_period_end(status, row.status, row.grace_period_end, event_time)
        row.status = status
        stamps = event.stamps
        row.start_time = stamps["start_date"] or row.start_time or event_time
        row.current_period_start = event.period_start or row.current_period_start
        row.current_period_end = event.period_end or row.current_period_end
        row.cancel_at_period_end = event.cancel_at_period_end
        row.cancel_time = stamps["cancel_at"] or stamps["canceled_at"]
        if row.cancel_at_period_end and row.cancel_time is None:
            row.cancel_time = row.current_period_end
        row.end_time = stamps["ended_at"] or (event_time if status in d.TERMINAL else None)
        row.trial_start = stamps["trial_start"]
        row.trial_end = stamps["trial_end"]
        row.cancellation = d.cancellation_after(row.cancellation, event, event_time)
        row.source_time = event_time
        row.update_time = now
        return row.user_id

    def _checkout_completed(
        self, repo: BillingRepository, event: d.CheckoutEvent, event_time: dt.datetime, now: dt.datetime
    ) -> str:
        session_id = event.session_id
        user_id = self._user_for(repo, event.owner) or event.client_reference_id()
        session = repo.checkout_session(session_id)
        if session is not None:
            user_id = session.user_id
        if not user_id:
            raise d.UnknownObject(f"checkout session {session_id} names no known user")
        if event.owner.customer_id:
            repo.link_customer(user_id, event.owner.customer_id)
        if session is not None:
            session.state = "complete"
            session.complete_time = session.complete_time or event_time
        if event.mode == "subscription":
            if session is not None:
                session.stripe_subscription_id = event.subscription_id
            return user_id
        if not d.buys_credits(event.mode, event.payment_status):
            return user_id
        pack_id = session.credit_pack_id if session else event.credit_pack_id
        credits = session.credits if session else event.credits
        if credits <= 0:
            raise d.MalformedEvent(f"{d.EVENT_OBJECT}.metadata.credits", "must name the credits bought")
        provider_id = event.payment_intent or session_id
        payment = repo.payment_by_provider(provider_id, for_update=True)
        if payment is None:
            payment = Payment(
                id=new_id(),
                user_id=user_id,
                kind="credit_pack",
                status="succeeded",
                amount=event.amount_total,
                currency=event.currency,
                description=f"{credits} credits",
                credit_pack_id=pack_id,
                credits=credits,
                provider_payment_id=provider_id,
                create_time=event_time,
                paid_time=event_time,
            )
            repo.add(payment)
            repo.flush()
        if d.is_erased(user_id):
            return user_id  # paid after the account was erased: the payment is kept, no credits are granted
        self._append(
            repo,
            user_id=user_id,
            kind="purchase",
            delta=credits,
            actor=d.BILLING_ACTOR,
            reason=f"Bought {credits} credits",
            request_id=f"purchase:{session_id}",
            print_=d.fingerprint(session_id.encode()),
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
        self, repo: BillingRepository, event: d.InvoiceEvent, event_time: dt.datetime, now: dt.datetime, *, outcome: str
    ) -> str:
        """invoice.paid, invoice.payment_failed (PAST_DUE with a grace period) and invoice.payment_action_required."""
        paid = outcome == "paid"
        subscription = repo.subscription_by_stripe(event.subscription_id, for_update=True) if event.subscription_id else None
        user_id = self._user_for(repo, event.owner) or (subscription.user_id if subscription else "")
        if not user_id:
            raise d.UnknownObject(f"invoice {event.invoice_id} names no known customer")
        mapped = self.plan_for_price(repo, event.price_id)
        plan_id, interval = mapped if mapped else ((subscription.plan_id, subscription.interval) if subscription else ("", ""))
        payment = repo.payment_by_provider(event.invoice_id, for_update=True)
        if payment is None:
            payment = Payment(
                id=new_id(),
                user_id=user_id,
                provider_payment_id=event.invoice_id,
                create_time=event_time,
                kind=d.invoice_payment_kind(event.billing_reason),
                status="pending",
            )
            repo.add(payment)
        if payment.status in d.REFUNDED_STATES:
            return user_id  # a refund reported later has already superseded this state
        status = d.invoice_payment_status(payment.status, outcome)
        if paid:
            payment.paid_time = event.paid_at or event_time
            payment.failure_message = payment.failure_code = ""
        elif status == "failed":
            message, code = event.failure
            payment.failure_message = message or "The payment was declined."
            payment.failure_code = code or "card_declined"
        payment.status = status
        payment.amount = event.amount
        payment.currency = event.currency
        plan = repo.plan(plan_id) if plan_id else None
        payment.description = d.subscription_payment_description(plan.display_name if plan else None, interval)
        payment.plan_id, payment.interval = plan_id, interval
        payment.period_start = event.period_start
        payment.period_end = event.period_end
        payment.invoice_number = event.number
        payment.invoice_url = event.hosted_url
        payment.invoice_pdf_url = event.pdf_url
        payment.provider_charge_id = event.charge_id or payment.provider_charge_id or ""
        repo.flush()
        if subscription is not None and (subscription.source_time is None or event_time >= subscription.source_time):
            subscription.latest_payment_id = payment.id
            changed = d.invoice_subscription_status(subscription.status, outcome)
            if changed is not None:
                subscription.status = changed
                subscription.grace_period_end = event_time + d.GRACE_PERIOD if changed == "past_due" else None
                subscription.source_time = event_time
            subscription.update_time = now
        return user_id

    def _charge_refunded(self, repo: BillingRepository, event: d.RefundEvent, now: dt.datetime) -> str:
        charge_id = event.charge_id
        payment = repo.payment_by_charge(charge_id, for_update=True) if charge_id else None
        for provider_id in event.provider_ids:
            if payment is None and provider_id:
                payment = repo.payment_by_provider(provider_id, for_update=True)
        if payment is None:
            raise d.UnknownObject(f"charge {charge_id} belongs to no payment we know")
        payment.provider_charge_id = charge_id
        self.record_refund(repo, payment, event.amount_refunded, now)
        return payment.user_id

    def _disputed(self, repo: BillingRepository, event: d.DisputeEvent, now: dt.datetime) -> str:
        """A chargeback: the payment is DISPUTED and a pack's remaining credits are reversed."""
        payment = repo.payment_by_charge(event.charge_id, for_update=True) if event.charge_id else None
        if payment is None and event.payment_intent:
            payment = repo.payment_by_provider(event.payment_intent, for_update=True)
        if payment is None:
            raise d.UnknownObject(f"dispute {event.dispute_id} concerns no payment we know")
        payment.status = "disputed"
        target = d.dispute_reversal(
            kind=payment.kind, user_id=payment.user_id, credits=payment.credits, credits_reversed=payment.credits_reversed
        )
        if target is not None:
            self._reverse(repo, payment, target, f"Dispute of {payment.description}", now)
        return payment.user_id

    def record_refund(
        self, repo: BillingRepository, payment: Payment, amount_refunded: int, now: dt.datetime
    ) -> LedgerEntry | None:
        """Sets the refunded total (never lowering it, so any arrival order ends the same) and
        removes the matching share of a pack's credits, never below a zero balance."""
        if amount_refunded > payment.amount_refunded:
            payment.amount_refunded = min(amount_refunded, payment.amount)
            payment.refund_time = now
        payment.status = d.refunded_status(payment.status, payment.amount, payment.amount_refunded)
        target = d.refund_reversal(
            payment.kind, payment.keep_credits, payment.user_id, payment.amount, payment.amount_refunded, payment.credits
        )
        if target is None or target <= payment.credits_reversed:
            return None
        return self._reverse(repo, payment, target, f"Refund of {payment.description}", now).entry

    def _reverse(self, repo: BillingRepository, payment: Payment, target: int, reason: str, now: dt.datetime) -> LedgerResult:
        """Takes a pack's credits back up to `target` reversed in all, at most what the balance holds;
        keyed by the target, so a refund or dispute reported twice reverses once."""
        result = self._append(
            repo,
            user_id=payment.user_id,
            kind="purchase_reversal",
            delta=-(target - payment.credits_reversed),
            actor=d.BILLING_ACTOR,
            reason=reason,
            request_id=f"reversal:{payment.id}:{target}",
            print_=d.fingerprint(f"{payment.id}:{target}".encode()),
            floor=0,
            clamp=True,
            now=now,
            payment_id=payment.id,
            credit_pack_id=payment.credit_pack_id,
        )
        payment.credits_reversed = target
        return result

    # -- account export and erasure ------------------------------------------------------------

    def pseudonym(self, user_id: str) -> str:
        return d.pseudonym(self.settings.secret_key.get_secret_value().encode(), user_id)

    def export_user(self, repo: BillingRepository, user_id: str, now: dt.datetime) -> dict[str, Any]:
        """Everything Billing holds about the user, as a JSON-ready object (amounts in cents)."""
        iso = d.iso_time
        sub = repo.subscription(user_id)
        account = repo.account(user_id)
        return {
            "export_time": iso(now),
            "user": f"users/{user_id}",
            "subscription": None
            if sub is None
            else {
                "plan": f"plans/{sub.plan_id}",
                "interval": sub.interval,
                "status": sub.status,
                "price": {"amount": sub.price_amount, "currency": sub.currency},
                "start_time": iso(sub.start_time),
                "current_period_start_time": iso(sub.current_period_start),
                "current_period_end_time": iso(sub.current_period_end),
                "cancel_at_period_end": sub.cancel_at_period_end,
                "cancel_time": iso(sub.cancel_time),
                "end_time": iso(sub.end_time),
                "cancellation": dict(sub.cancellation or {}),
                "plan_changes": [
                    {"from_plan": f"plans/{c.from_plan_id}", "to_plan": f"plans/{c.to_plan_id}", "time": iso(c.create_time)}
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
                    "create_time": iso(row.create_time),
                    "paid_time": iso(row.paid_time),
                    "refund_time": iso(row.refund_time),
                }
                for row in repo.payments_of(user_id)
            ],
            "credit_balance": {
                "balance": account.balance if account else 0,
                "update_time": iso(account.update_time) if account else None,
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
                    "expire_time": iso(row.expire_time),
                    "create_time": iso(row.create_time),
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
                    "create_time": iso(row.create_time),
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
        return d.erasure_report(accounts=accounts, entries=entries, sessions=sessions, events=events, kept=kept)

    # -- subscriptions, payments ---------------------------------------------------------------

    def subscription_of(self, repo: BillingRepository, user_id: str, *, not_found: bool = False) -> Subscription:
        row = repo.subscription(user_id)
        if row is None:
            if not_found:
                raise d.fail(errors.NotFound, "the user has no subscription", "NO_SUBSCRIPTION")
            raise d.fail(errors.FailedPrecondition, "the user has no subscription", "NO_SUBSCRIPTION")
        return row

    def payment_of(self, repo: BillingRepository, user_id: str | None, payment_id: str) -> Payment:
        row = repo.payment(payment_id)
        if row is None or (user_id is not None and row.user_id != user_id):
            raise errors.NotFound("payment not found")
        return row
