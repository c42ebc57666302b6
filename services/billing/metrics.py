"""Revenue figures for the admin dashboard, computed from subscriptions, payments and the ledger.

A subscription counts as paying at an instant when it had started, had not ended, and
is (now) ACTIVE or PAST_DUE, or ended later: Billing keeps the current state of each
subscription plus its start and end, not a full status history, so MRR in the past is
reconstructed from those. Money stays in integer cents until the protobuf edge (the handlers).
Rules on plain values: the use case loads the rows (`load_revenue_inputs`, through the repository)
and passes them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.billing.models import Payment, Subscription, SubscriptionChange
from services.billing.repository import BillingRepository
from services.core.errors import invalid

PAYING = ("active", "past_due")
MAX_BUCKETS = 400


def _monthly(sub: Subscription) -> int:
    return sub.price_amount // 12 if sub.interval == "year" else sub.price_amount


def _paying_at(sub: Subscription, instant: dt.datetime) -> bool:
    started = sub.start_time or sub.create_time
    if started > instant:
        return False
    if sub.end_time is not None and sub.end_time <= instant:
        return False
    if sub.end_time is not None:
        return True  # ended later: it was paying then (trials aside)
    if sub.status == "trialing" or (sub.trial_end is not None and sub.trial_end > instant):
        return False
    return sub.status in PAYING


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def buckets(start: dt.date, end: dt.date, granularity: str) -> list[tuple[dt.date, dt.date]]:
    found: list[tuple[dt.date, dt.date]] = []
    cursor = start
    while cursor <= end:
        if granularity == "day":
            last = cursor
        elif granularity == "week":
            last = cursor + dt.timedelta(days=6 - cursor.weekday())
        else:
            following = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            last = following - dt.timedelta(days=1)
        last = min(last, end)
        found.append((cursor, last))
        cursor = last + dt.timedelta(days=1)
        if len(found) > MAX_BUCKETS:
            break
    return found


@dataclass(frozen=True)
class RevenueBucket:
    start_date: dt.date
    end_date: dt.date
    mrr: int
    active_subscriptions: int
    new_subscriptions: int
    canceled_subscriptions: int
    subscription_revenue: int
    credit_revenue: int
    net_revenue: int


@dataclass(frozen=True)
class PlanFigures:
    plan_id: str
    interval: str
    active_subscriptions: int
    trialing_subscriptions: int
    mrr: int


@dataclass(frozen=True)
class RevenueFigures:
    """The dashboard's figures; money in cents."""

    mrr: int
    arr: int
    mrr_at_start: int
    active_subscriptions: int
    trialing_subscriptions: int
    plans: list[PlanFigures]
    arpu: int
    ltv: int | None
    churn_rate: float
    new_subscriptions: int
    canceled_subscriptions: int
    pending_cancellations: int
    upgrades: int
    downgrades: int
    trial_conversion_rate: float
    subscription_revenue: int
    credit_revenue: int
    refunds: int
    net_revenue: int
    credits_sold: int
    credits_spent: int
    payment_success_rate: float
    failed_payments: int
    series: list[RevenueBucket]
    compute_time: dt.datetime


@dataclass(frozen=True)
class RevenueInputs:
    """The rows the figures are computed from, loaded in one unit of work."""

    subscriptions: Sequence[Subscription]
    changes: Sequence[SubscriptionChange]
    payments: Sequence[Payment]
    ledger: dict[str, int]


def revenue_range(start: dt.date, end: dt.date, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The instants a date range covers, cut at `now` (the future has no revenue yet)."""
    range_start = _midnight(start)
    return range_start, min(_midnight(end + dt.timedelta(days=1)), max(now, range_start))


def load_revenue_inputs(repo: BillingRepository, start: dt.date, end: dt.date, now: dt.datetime) -> RevenueInputs:
    range_start, range_end = revenue_range(start, end, now)
    return RevenueInputs(
        repo.all_subscriptions(),
        repo.plan_changes(range_start, range_end),
        repo.payments_between(range_start, range_end),
        repo.ledger_between(range_start, range_end),
    )


def revenue_figures(
    inputs: RevenueInputs, start: dt.date, end: dt.date, granularity: str, plans: list[str], now: dt.datetime
) -> RevenueFigures:
    series_ranges = buckets(start, end, granularity)
    if len(series_ranges) > MAX_BUCKETS:
        raise invalid("granularity", f"at most {MAX_BUCKETS} buckets; choose a larger bucket")
    range_start, range_end = revenue_range(start, end, now)
    subs = [s for s in inputs.subscriptions if not plans or s.plan_id in plans]

    def mrr_at(instant: dt.datetime) -> tuple[int, int]:
        paying = [s for s in subs if _paying_at(s, instant)]
        return sum(_monthly(s) for s in paying), len(paying)

    mrr, active = mrr_at(range_end)
    mrr_start, active_start = mrr_at(range_start)
    trialing = sum(1 for s in subs if s.status == "trialing" and (s.start_time or s.create_time) <= range_end)
    by_plan: dict[tuple[str, str], list[int]] = {}
    for sub in subs:
        key = (sub.plan_id, sub.interval)
        figures = by_plan.setdefault(key, [0, 0, 0])
        if _paying_at(sub, range_end):
            figures[0] += 1
            figures[2] += _monthly(sub)
        elif sub.status == "trialing":
            figures[1] += 1

    def started_in(sub: Subscription, a: dt.datetime, b: dt.datetime) -> bool:
        return a <= (sub.start_time or sub.create_time) < b

    def ended_in(sub: Subscription, a: dt.datetime, b: dt.datetime) -> bool:
        return sub.end_time is not None and a <= sub.end_time < b

    new = sum(1 for s in subs if started_in(s, range_start, range_end))
    canceled = sum(1 for s in subs if ended_in(s, range_start, range_end))
    pending = sum(1 for s in subs if s.cancel_at_period_end and s.end_time is None and s.status not in ("canceled",))
    changes = [c for c in inputs.changes if not plans or c.to_plan_id in plans or c.from_plan_id in plans]
    payments = inputs.payments

    def collected(a: dt.datetime, b: dt.datetime, *, credit: bool) -> int:
        return sum(
            p.amount
            for p in payments
            if p.paid_time is not None
            and a <= p.paid_time < b
            and (p.kind == "credit_pack") == credit
            and (credit or not plans or p.plan_id in plans)
        )

    def refunded(a: dt.datetime, b: dt.datetime) -> int:
        return sum(p.amount_refunded for p in payments if p.refund_time is not None and a <= p.refund_time < b)

    subscription_revenue = collected(range_start, range_end, credit=False)
    credit_revenue = collected(range_start, range_end, credit=True)
    refunds = refunded(range_start, range_end)
    attempted = [p for p in payments if a_le(range_start, p.create_time, range_end) and p.status != "pending"]
    failed = sum(1 for p in attempted if p.status == "failed")
    ledger = inputs.ledger
    days = max(1, (end - start).days + 1)
    churn = canceled / active_start if active_start else 0.0
    arpu = mrr // active if active else 0
    ltv = None
    if churn > 0:
        monthly_churn = churn * 30 / days
        ltv = int(arpu / monthly_churn) if monthly_churn else None
    trials_ended = [s for s in subs if s.trial_end is not None and range_start <= s.trial_end < range_end and s.trial_end <= now]
    converted = sum(
        1
        for s in trials_ended
        if s.status in PAYING or (s.end_time is not None and s.trial_end is not None and s.end_time > s.trial_end)
    )

    series = []
    for first, last in series_ranges:
        a, b = _midnight(first), min(_midnight(last + dt.timedelta(days=1)), max(now, _midnight(first)))
        bucket_mrr, bucket_active = mrr_at(b)
        sub_rev, credit_rev = collected(a, b, credit=False), collected(a, b, credit=True)
        series.append(
            RevenueBucket(
                start_date=first,
                end_date=last,
                mrr=bucket_mrr,
                active_subscriptions=bucket_active,
                new_subscriptions=sum(1 for s in subs if started_in(s, a, b)),
                canceled_subscriptions=sum(1 for s in subs if ended_in(s, a, b)),
                subscription_revenue=sub_rev,
                credit_revenue=credit_rev,
                net_revenue=sub_rev + credit_rev - refunded(a, b),
            )
        )
    return RevenueFigures(
        mrr=mrr,
        arr=mrr * 12,
        mrr_at_start=mrr_start,
        active_subscriptions=active,
        trialing_subscriptions=trialing,
        plans=[
            PlanFigures(plan, interval, active_subscriptions=f[0], trialing_subscriptions=f[1], mrr=f[2])
            for (plan, interval), f in sorted(by_plan.items())
        ],
        arpu=arpu,
        ltv=ltv,
        churn_rate=churn,
        new_subscriptions=new,
        canceled_subscriptions=canceled,
        pending_cancellations=pending,
        upgrades=sum(1 for c in changes if c.upgrade),
        downgrades=sum(1 for c in changes if not c.upgrade),
        trial_conversion_rate=converted / len(trials_ended) if trials_ended else 0.0,
        subscription_revenue=subscription_revenue,
        credit_revenue=credit_revenue,
        refunds=refunds,
        net_revenue=subscription_revenue + credit_revenue - refunds,
        credits_sold=ledger.get("purchase", 0) + ledger.get("purchase_reversal", 0),
        credits_spent=-(ledger.get("spend", 0) + ledger.get("refund", 0)),
        payment_success_rate=(len(attempted) - failed) / len(attempted) if attempted else 0.0,
        failed_payments=failed,
        series=series,
        compute_time=now,
    )


def a_le(a: dt.datetime, value: dt.datetime, b: dt.datetime) -> bool:
    return a <= value < b
