"""Billing's tables. Every table is prefixed `billing_`; no other service references them.

Money is stored as integer minor units (cents) with an ISO currency code, never floats.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id, utcnow


class Base(DeclarativeBase):
    """Billing's own MetaData: the service owns these tables and nothing else."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Plan(Base):
    """One of the three fixed plans; seeded from code defaults on first use."""

    __tablename__ = "billing_plans"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    tier: Mapped[int] = mapped_column(Integer)
    display_name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    features: Mapped[list[str]] = mapped_column(JSON, default=list)
    entitlements: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"interval": "month", "amount": 299, "currency": "USD", "trial_days": 0, "price_id": "price_..."}]
    prices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    highlighted: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class CreditPack(Timestamps, Base):
    __tablename__ = "billing_credit_packs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    credits: Mapped[int] = mapped_column(BigInteger)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    required_plan: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    provider_price_id: Mapped[str] = mapped_column(String(100), default="")
    request_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Customer(Base):
    """The user's one Stripe customer."""

    __tablename__ = "billing_customers"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(100), unique=True)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Subscription(Base):
    """A user's subscription as Stripe last reported it (at most one row per user)."""

    __tablename__ = "billing_subscriptions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), unique=True)
    stripe_subscription_id: Mapped[str] = mapped_column(String(100), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(100), default="")
    plan_id: Mapped[str] = mapped_column(String(20), index=True)
    interval: Mapped[str] = mapped_column(String(10), default="month")
    status: Mapped[str] = mapped_column(String(30), index=True)
    price_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    stripe_price_id: Mapped[str] = mapped_column(String(100), default="")
    stripe_item_id: Mapped[str] = mapped_column(String(100), default="")
    start_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    current_period_start: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    current_period_end: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    end_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    trial_start: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    trial_end: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    grace_period_end: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    cancellation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pending_plan_id: Mapped[str] = mapped_column(String(20), default="")
    pending_interval: Mapped[str] = mapped_column(String(10), default="")
    latest_payment_id: Mapped[str] = mapped_column(String(32), default="")
    # Creation time of the newest Stripe event applied: older events never overwrite newer state.
    source_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SubscriptionChange(Base):
    """Append-only history of plan changes, for upgrade / downgrade figures."""

    __tablename__ = "billing_subscription_changes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    from_plan_id: Mapped[str] = mapped_column(String(20))
    to_plan_id: Mapped[str] = mapped_column(String(20))
    upgrade: Mapped[bool] = mapped_column(Boolean)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class CheckoutSession(Base):
    __tablename__ = "billing_checkout_sessions"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    ui_mode: Mapped[str] = mapped_column(String(20), default="hosted")
    plan_id: Mapped[str] = mapped_column(String(20), default="")
    interval: Mapped[str] = mapped_column(String(10), default="")
    credit_pack_id: Mapped[str] = mapped_column(String(40), default="")
    credits: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_total: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    trial_days: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="open")
    fulfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str] = mapped_column(Text, default="")
    success_url: Mapped[str] = mapped_column(Text, default="")
    cancel_url: Mapped[str] = mapped_column(Text, default="")
    return_url: Mapped[str] = mapped_column(Text, default="")
    allow_promotion_codes: Mapped[bool] = mapped_column(Boolean, default=False)
    stripe_subscription_id: Mapped[str] = mapped_column(String(100), default="")
    payment_id: Mapped[str] = mapped_column(String(32), default="")
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expire_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    complete_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Payment(Base):
    """A subscription invoice or a credit-pack purchase, keyed by its Stripe object."""

    __tablename__ = "billing_payments"
    __table_args__ = (Index("ix_billing_payments_user_time", "user_id", "create_time", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30), index=True)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    description: Mapped[str] = mapped_column(String(300), default="")
    plan_id: Mapped[str] = mapped_column(String(20), default="")
    interval: Mapped[str] = mapped_column(String(10), default="")
    period_start: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    period_end: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    credit_pack_id: Mapped[str] = mapped_column(String(40), default="")
    credits: Mapped[int] = mapped_column(BigInteger, default=0)
    # Credits removed so far because of refunds (PURCHASE_REVERSAL entries).
    credits_reversed: Mapped[int] = mapped_column(BigInteger, default=0)
    keep_credits: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_number: Mapped[str] = mapped_column(String(100), default="")
    invoice_url: Mapped[str] = mapped_column(Text, default="")
    invoice_pdf_url: Mapped[str] = mapped_column(Text, default="")
    receipt_url: Mapped[str] = mapped_column(Text, default="")
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    failure_code: Mapped[str] = mapped_column(String(100), default="")
    # The Stripe invoice (`in_...`) or payment intent (`pi_...`).
    provider_payment_id: Mapped[str] = mapped_column(String(100), unique=True)
    provider_charge_id: Mapped[str] = mapped_column(String(100), default="", index=True)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    paid_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    refund_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class CreditAccount(Base):
    """The running balance; changed only in the transaction that appends its ledger entry."""

    __tablename__ = "billing_credit_accounts"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LedgerEntry(Base):
    """Append-only credit movements. Only the running counters `refunded_credits` (SPEND) and
    `lot_remaining` (expiring GRANT) are ever updated."""

    __tablename__ = "billing_ledger_entries"
    # The idempotency key is scoped to the user and the calling actor, enforced by the database.
    __table_args__ = (
        UniqueConstraint("user_id", "actor", "request_id"),
        Index("ix_billing_ledger_entries_user_time", "user_id", "create_time", "id"),
        Index("ix_billing_ledger_entries_lots", "user_id", "expire_time"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    delta: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(500), default="")
    request_id: Mapped[str | None] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    actor: Mapped[str] = mapped_column(String(100))
    payment_id: Mapped[str] = mapped_column(String(32), default="")
    credit_pack_id: Mapped[str] = mapped_column(String(40), default="")
    spend_entry_id: Mapped[str] = mapped_column(String(32), default="", index=True)
    refunded_credits: Mapped[int] = mapped_column(BigInteger, default=0)
    expire_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # For a GRANT with `expire_time`: credits of it not yet spent or expired (spends use these first).
    lot_remaining: Mapped[int] = mapped_column(BigInteger, default=0)
    meta: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class WebhookEvent(Base):
    """Each Stripe event id, processed once."""

    __tablename__ = "billing_webhook_events"
    __table_args__ = (Index("ix_billing_webhook_events_receive", "receive_time", "id"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    event_create_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    receive_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    process_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    delivery_count: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str] = mapped_column(Text, default="")
