"""Billing's queries. Takes a session, never commits: the unit of work around the RPC does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.billing.models import (
    CheckoutSession,
    CreditAccount,
    CreditPack,
    Customer,
    LedgerEntry,
    Payment,
    Plan,
    Subscription,
    SubscriptionChange,
    WebhookEvent,
)
from services.core.conditions import in_window
from services.core.repository import Repository


@dataclass(frozen=True)
class SubscriptionFilter:
    """ListSubscriptions' filter on plain values; empty means any."""

    plans: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    interval: str = ""
    cancel_at_period_end: bool | None = None
    create_start: dt.datetime | None = None
    create_end: dt.datetime | None = None


@dataclass(frozen=True)
class PaymentFilter:
    """ListPayments' filter; `user_id` None is every user (admins)."""

    user_id: str | None
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class EntryFilter:
    user_id: str
    kinds: tuple[str, ...] = ()
    reference: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class EventFilter:
    outcomes: tuple[str, ...] = ()
    type: str = ""
    user_id: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def _any_of(column: Any, values: Sequence[str]) -> list[Any]:
    return [column.in_(values)] if values else []


class BillingRepository(Repository):
    def _insert_ignore(self, table: Any, values: list[dict[str, Any]]) -> None:
        """INSERT ... ON CONFLICT DO NOTHING on both backends (concurrent first uses race here)."""
        dialect = self.dialect
        module: Any = postgresql if dialect == "postgresql" else sqlite
        self.s.execute(module.insert(table).values(values).on_conflict_do_nothing())

    # catalog
    def plans(self) -> Sequence[Plan]:
        return self.s.scalars(select(Plan).order_by(Plan.tier)).all()

    def plan(self, plan_id: str, *, for_update: bool = False) -> Plan | None:
        query = select(Plan).where(Plan.id == plan_id)
        return self.s.scalars(query.with_for_update() if for_update else query).first()

    def seed_plans(self, rows: list[dict[str, Any]]) -> None:
        self._insert_ignore(Plan.__table__, rows)

    def seed_packs(self, rows: list[dict[str, Any]]) -> None:
        self._insert_ignore(CreditPack.__table__, rows)

    def all_packs(self) -> Sequence[CreditPack]:
        return self.s.scalars(select(CreditPack).order_by(CreditPack.sort_order, CreditPack.id)).all()

    def packs(self, *, include_inactive: bool, after: tuple[int, int, str] | None, limit: int) -> Sequence[CreditPack]:
        query = select(CreditPack)
        if not include_inactive:
            query = query.where(CreditPack.active.is_(True))
        if after is not None:
            order, credits, pack_id = after
            query = query.where(
                or_(
                    CreditPack.sort_order > order,
                    and_(CreditPack.sort_order == order, CreditPack.credits > credits),
                    and_(CreditPack.sort_order == order, CreditPack.credits == credits, CreditPack.id > pack_id),
                )
            )
        query = query.order_by(CreditPack.sort_order, CreditPack.credits, CreditPack.id).limit(limit + 1)
        return self.s.scalars(query).all()

    def pack(self, pack_id: str, *, for_update: bool = False) -> CreditPack | None:
        query = select(CreditPack).where(CreditPack.id == pack_id)
        return self.s.scalars(query.with_for_update() if for_update else query).first()

    def pack_by_request(self, request_id: str) -> CreditPack | None:
        return self.s.scalars(select(CreditPack).where(CreditPack.request_id == request_id)).first()

    # customers
    def customer(self, user_id: str) -> Customer | None:
        return self.s.get(Customer, user_id)

    def customer_by_stripe(self, stripe_id: str) -> Customer | None:
        return self.s.scalars(select(Customer).where(Customer.stripe_customer_id == stripe_id)).first()

    def link_customer(self, user_id: str, stripe_id: str) -> None:
        self._insert_ignore(Customer.__table__, [{"user_id": user_id, "stripe_customer_id": stripe_id, "create_time": _now()}])

    # subscriptions
    def subscription(self, user_id: str, *, for_update: bool = False) -> Subscription | None:
        query = select(Subscription).where(Subscription.user_id == user_id)
        return self.s.scalars(query.with_for_update() if for_update else query).first()

    def subscriptions_of(self, user_ids: Sequence[str]) -> dict[str, Subscription]:
        rows = self.s.scalars(select(Subscription).where(Subscription.user_id.in_(list(user_ids)))).all()
        return {row.user_id: row for row in rows}

    def subscription_by_stripe(self, stripe_id: str, *, for_update: bool = False) -> Subscription | None:
        query = select(Subscription).where(Subscription.stripe_subscription_id == stripe_id)
        return self.s.scalars(query.with_for_update() if for_update else query).first()

    def list_subscriptions(
        self, wanted: SubscriptionFilter, *, order: str, after: tuple[dt.datetime, str] | None, limit: int
    ) -> tuple[Sequence[Subscription], int]:
        conditions = _any_of(Subscription.plan_id, wanted.plans) + _any_of(Subscription.status, wanted.statuses)
        if wanted.interval:
            conditions.append(Subscription.interval == wanted.interval)
        if wanted.cancel_at_period_end is not None:
            conditions.append(Subscription.cancel_at_period_end.is_(wanted.cancel_at_period_end))
        conditions += in_window(Subscription.create_time, wanted.create_start, wanted.create_end)
        if order == "period_end_asc":
            conditions.append(Subscription.current_period_end.is_not(None))
        base = select(Subscription).where(*conditions)
        total = self.s.scalar(select(func.count()).select_from(base.subquery())) or 0
        column = Subscription.current_period_end if order == "period_end_asc" else Subscription.create_time
        query = base
        if after is not None:
            value, row_id = after
            if order == "create_time_desc":
                query = query.where(or_(column < value, and_(column == value, Subscription.id < row_id)))
            else:
                query = query.where(or_(column > value, and_(column == value, Subscription.id > row_id)))
        if order == "create_time_desc":
            query = query.order_by(column.desc(), Subscription.id.desc())
        else:
            query = query.order_by(column.asc(), Subscription.id.asc())
        return self.s.scalars(query.limit(limit + 1)).all(), total

    def all_subscriptions(self) -> Sequence[Subscription]:
        return self.s.scalars(select(Subscription)).all()

    def plan_changes(self, start: dt.datetime, end: dt.datetime) -> Sequence[SubscriptionChange]:
        query = select(SubscriptionChange).where(SubscriptionChange.create_time >= start, SubscriptionChange.create_time < end)
        return self.s.scalars(query).all()

    # checkout sessions
    def checkout_session(self, session_id: str) -> CheckoutSession | None:
        return self.s.get(CheckoutSession, session_id)

    # payments
    def payment(self, payment_id: str, *, for_update: bool = False) -> Payment | None:
        query = select(Payment).where(Payment.id == payment_id)
        return self.s.scalars(query.with_for_update() if for_update else query).first()

    def payment_by_provider(self, provider_id: str, *, for_update: bool = False) -> Payment | None:
        query = select(Payment).where(Payment.provider_payment_id == provider_id)
        return self.s.scalars(query.with_for_update() if for_update else query).first()

    def payment_by_charge(self, charge_id: str, *, for_update: bool = False) -> Payment | None:
        query = select(Payment).where(Payment.provider_charge_id == charge_id)
        return self.s.scalars(query.with_for_update() if for_update else query).first()

    def list_payments(self, wanted: PaymentFilter, *, after: tuple[dt.datetime, str] | None, limit: int) -> Sequence[Payment]:
        conditions = [Payment.user_id == wanted.user_id] if wanted.user_id is not None else []
        conditions += _any_of(Payment.kind, wanted.kinds) + _any_of(Payment.status, wanted.statuses)
        conditions += in_window(Payment.create_time, wanted.start, wanted.end)
        query = select(Payment).where(*conditions)
        if after is not None:
            value, row_id = after
            query = query.where(or_(Payment.create_time < value, and_(Payment.create_time == value, Payment.id < row_id)))
        query = query.order_by(Payment.create_time.desc(), Payment.id.desc()).limit(limit + 1)
        return self.s.scalars(query).all()

    def payments_between(self, start: dt.datetime, end: dt.datetime) -> Sequence[Payment]:
        query = select(Payment).where(
            or_(
                and_(Payment.create_time >= start, Payment.create_time < end),
                and_(Payment.paid_time >= start, Payment.paid_time < end),
                and_(Payment.refund_time >= start, Payment.refund_time < end),
            )
        )
        return self.s.scalars(query).all()

    # credits
    def ensure_account(self, user_id: str) -> None:
        self._insert_ignore(CreditAccount.__table__, [{"user_id": user_id, "balance": 0, "update_time": _now()}])

    def account(self, user_id: str) -> CreditAccount | None:
        return self.s.get(CreditAccount, user_id, populate_existing=True)

    def add_to_balance(self, user_id: str, delta: int, *, floor: int | None) -> int | None:
        """Moves the balance by `delta` in one conditional UPDATE; None when it would end below `floor`.

        The condition and the write are one statement, so concurrent spends cannot both pass a
        stale check: the database serialises them on the row.
        """
        statement = update(CreditAccount).where(CreditAccount.user_id == user_id)
        if floor is not None:
            statement = statement.where(CreditAccount.balance + delta >= floor)
        statement = statement.values(balance=CreditAccount.balance + delta, update_time=_now()).returning(CreditAccount.balance)
        result = self.s.execute(statement.execution_options(synchronize_session=False)).scalar()
        return None if result is None else int(result)

    def entry(self, entry_id: str) -> LedgerEntry | None:
        return self.s.get(LedgerEntry, entry_id)

    def entry_by_request(self, user_id: str, actor: str, request_id: str) -> LedgerEntry | None:
        query = select(LedgerEntry).where(
            LedgerEntry.user_id == user_id, LedgerEntry.actor == actor, LedgerEntry.request_id == request_id
        )
        return self.s.scalars(query).first()

    def mark_refunded(self, spend_id: str, amount: int, *, limit: int) -> bool:
        """Adds to a spend's refunded credits unless that would exceed `limit` (one conditional UPDATE)."""
        statement = (
            update(LedgerEntry)
            .where(LedgerEntry.id == spend_id, LedgerEntry.refunded_credits + amount <= limit)
            .values(refunded_credits=LedgerEntry.refunded_credits + amount)
            .execution_options(synchronize_session=False)
        )
        return bool(self.s.execute(statement).rowcount)  # type: ignore[attr-defined]

    def due_lots(self, user_id: str, now: dt.datetime) -> Sequence[LedgerEntry]:
        """Expiring grants whose time has come with credits left."""
        query = select(LedgerEntry).where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.expire_time <= now,
            LedgerEntry.lot_remaining > 0,
        )
        return self.s.scalars(query.order_by(LedgerEntry.expire_time, LedgerEntry.id)).all()

    def open_lots(self, user_id: str, now: dt.datetime) -> Sequence[LedgerEntry]:
        """Unexpired grants with credits left, soonest expiry first (read fresh: spends change them)."""
        query = select(LedgerEntry).where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.expire_time > now,
            LedgerEntry.lot_remaining > 0,
        )
        query = query.order_by(LedgerEntry.expire_time, LedgerEntry.id).execution_options(populate_existing=True)
        return self.s.scalars(query).all()

    def claim_lot(self, lot_id: str, seen: int) -> bool:
        """Empties a lot unless another transaction changed it first (one expiry per lot)."""
        statement = (
            update(LedgerEntry)
            .where(LedgerEntry.id == lot_id, LedgerEntry.lot_remaining == seen)
            .values(lot_remaining=0)
            .execution_options(synchronize_session=False)
        )
        return bool(self.s.execute(statement).rowcount)  # type: ignore[attr-defined]

    def list_entries(self, wanted: EntryFilter, *, after: tuple[dt.datetime, str] | None, limit: int) -> Sequence[LedgerEntry]:
        conditions = [LedgerEntry.user_id == wanted.user_id, *_any_of(LedgerEntry.kind, wanted.kinds)]
        if wanted.reference:
            conditions.append(LedgerEntry.reference == wanted.reference)
        conditions += in_window(LedgerEntry.create_time, wanted.start, wanted.end)
        query = select(LedgerEntry).where(*conditions)
        if after is not None:
            value, row_id = after
            query = query.where(
                or_(LedgerEntry.create_time < value, and_(LedgerEntry.create_time == value, LedgerEntry.id < row_id))
            )
        query = query.order_by(LedgerEntry.create_time.desc(), LedgerEntry.id.desc()).limit(limit + 1)
        return self.s.scalars(query).all()

    def ledger_totals(self, user_id: str) -> dict[str, int]:
        rows = self.s.execute(
            select(LedgerEntry.kind, func.sum(LedgerEntry.delta)).where(LedgerEntry.user_id == user_id).group_by(LedgerEntry.kind)
        ).all()
        return {kind: int(total or 0) for kind, total in rows}

    def ledger_between(self, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
        rows = self.s.execute(
            select(LedgerEntry.kind, func.sum(LedgerEntry.delta))
            .where(LedgerEntry.create_time >= start, LedgerEntry.create_time < end)
            .group_by(LedgerEntry.kind)
        ).all()
        return {kind: int(total or 0) for kind, total in rows}

    # webhook events
    def event(self, event_id: str) -> WebhookEvent | None:
        return self.s.get(WebhookEvent, event_id, populate_existing=True)

    def count_delivery(self, event_id: str) -> None:
        self.s.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .values(delivery_count=WebhookEvent.delivery_count + 1)
            .execution_options(synchronize_session=False)
        )

    def list_events(self, wanted: EventFilter, *, after: tuple[dt.datetime, str] | None, limit: int) -> Sequence[WebhookEvent]:
        conditions = _any_of(WebhookEvent.outcome, wanted.outcomes)
        if wanted.type:
            conditions.append(WebhookEvent.type == wanted.type)
        if wanted.user_id:
            conditions.append(WebhookEvent.user_id == wanted.user_id)
        conditions += in_window(WebhookEvent.receive_time, wanted.start, wanted.end)
        query = select(WebhookEvent).where(*conditions)
        if after is not None:
            value, row_id = after
            query = query.where(
                or_(WebhookEvent.receive_time < value, and_(WebhookEvent.receive_time == value, WebhookEvent.id < row_id))
            )
        query = query.order_by(WebhookEvent.receive_time.desc(), WebhookEvent.id.desc()).limit(limit + 1)
        return self.s.scalars(query).all()

    # account export and erasure

    def _affected(self, statement: Any) -> int:
        """Rows a bulk DELETE or UPDATE touched."""
        return int(self.s.execute(statement).rowcount)  # type: ignore[attr-defined]

    def payments_of(self, user_id: str) -> Sequence[Payment]:
        return self.s.scalars(select(Payment).where(Payment.user_id == user_id).order_by(Payment.create_time, Payment.id)).all()

    def entries_of(self, user_id: str) -> Sequence[LedgerEntry]:
        query = select(LedgerEntry).where(LedgerEntry.user_id == user_id).order_by(LedgerEntry.create_time, LedgerEntry.id)
        return self.s.scalars(query).all()

    def checkout_sessions_of(self, user_id: str) -> Sequence[CheckoutSession]:
        query = select(CheckoutSession).where(CheckoutSession.user_id == user_id)
        return self.s.scalars(query.order_by(CheckoutSession.create_time, CheckoutSession.id)).all()

    def plan_changes_of(self, user_id: str) -> Sequence[SubscriptionChange]:
        query = select(SubscriptionChange).where(SubscriptionChange.user_id == user_id)
        return self.s.scalars(query.order_by(SubscriptionChange.create_time, SubscriptionChange.id)).all()

    def delete_credits(self, user_id: str) -> tuple[int, int]:
        """Deletes the user's balance and ledger; returns (balances, entries) deleted."""
        entries = self._affected(delete(LedgerEntry).where(LedgerEntry.user_id == user_id))
        accounts = self._affected(delete(CreditAccount).where(CreditAccount.user_id == user_id))
        return accounts, entries

    def delete_checkout_sessions(self, user_id: str) -> int:
        return self._affected(delete(CheckoutSession).where(CheckoutSession.user_id == user_id))

    def unlink_events(self, user_id: str) -> int:
        return self._affected(update(WebhookEvent).where(WebhookEvent.user_id == user_id).values(user_id=""))

    def pseudonymize(self, user_id: str, pseudonym: str) -> None:
        """Moves the records kept for accounting from the user to `pseudonym`, personal fields removed."""
        self.s.execute(
            update(Payment)
            .where(Payment.user_id == user_id)
            .values(user_id=pseudonym, invoice_url="", invoice_pdf_url="", receipt_url="", failure_message="")
        )
        self.s.execute(update(Subscription).where(Subscription.user_id == user_id).values(user_id=pseudonym, cancellation={}))
        self.s.execute(update(SubscriptionChange).where(SubscriptionChange.user_id == user_id).values(user_id=pseudonym))
        self.s.execute(update(Customer).where(Customer.user_id == user_id).values(user_id=pseudonym))

    def retained_counts(self, pseudonym: str) -> dict[str, int]:
        """How many kept records stand under `pseudonym`, by table."""

        def count(model: Any) -> int:
            return int(self.s.scalar(select(func.count()).select_from(model).where(model.user_id == pseudonym)) or 0)

        return {
            "payments": count(Payment),
            "subscriptions": count(Subscription),
            "plan_changes": count(SubscriptionChange),
            "customers": count(Customer),
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
