"""Proration, the checkout window and refund targets: Billing's rules on plain values."""

from __future__ import annotations

import datetime as dt

import pytest

from services.billing.domain import Proration, checkout_expiry, previous_price_ids, prorate
from services.core import errors

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
HALFWAY = START + (END - START) / 2


def change(*, now: dt.datetime = HALFWAY, immediate: bool = True, behavior: str = "always_invoice", new: int = 1000) -> Proration:
    return prorate(
        price_amount=500, period_start=START, period_end=END, new_amount=new, immediate=immediate, behavior=behavior, now=now
    )


def test_an_upgrade_halfway_charges_half_the_difference_now() -> None:
    assert change() == Proration(
        amount_due_now=250,
        unused_time_credit=250,
        remaining_time_charge=500,
        next_invoice_amount=1000,
        next_invoice_time=END,
        effective_time=HALFWAY,
    )


def test_create_prorations_carries_the_difference_to_the_next_invoice() -> None:
    found = change(behavior="create_prorations")
    assert (found.amount_due_now, found.next_invoice_amount) == (0, 1000 + 250)


def test_a_downgrade_charges_nothing_now_and_credits_the_next_invoice() -> None:
    found = change(new=200)
    assert (found.amount_due_now, found.unused_time_credit, found.remaining_time_charge) == (0, 250, 100)
    assert found.next_invoice_amount == 200 - 150


@pytest.mark.parametrize(
    "kwargs",
    [{"immediate": False}, {"behavior": "none"}, {"now": END}, {"now": END + dt.timedelta(days=1)}],
    ids=["at-period-end", "behavior-none", "period-over", "after-period"],
)
def test_no_proration(kwargs: dict[str, object]) -> None:
    found = change(**kwargs)  # type: ignore[arg-type]
    assert (found.amount_due_now, found.unused_time_credit, found.remaining_time_charge) == (0, 0, 0)
    assert found.next_invoice_amount == 1000
    assert found.next_invoice_time == END


def test_a_change_at_period_end_takes_effect_then() -> None:
    assert change(immediate=False).effective_time == END
    assert change(behavior="none").effective_time == HALFWAY


def test_no_period_prorates_nothing() -> None:
    found = prorate(
        price_amount=500,
        period_start=None,
        period_end=None,
        new_amount=900,
        immediate=True,
        behavior="always_invoice",
        now=HALFWAY,
    )
    assert found == Proration(0, 0, 0, 900, None, HALFWAY)


def test_rounding_is_to_the_cent() -> None:
    third = START + (END - START) / 3  # two thirds left
    found = prorate(
        price_amount=100, period_start=START, period_end=END, new_amount=200, immediate=True, behavior="always_invoice", now=third
    )
    assert (found.unused_time_credit, found.remaining_time_charge, found.amount_due_now) == (67, 133, 66)


def test_checkout_expiry_window() -> None:
    shortest, longest = dt.timedelta(minutes=30), dt.timedelta(hours=24)
    assert checkout_expiry(None, START, shortest, longest) == START + longest - dt.timedelta(seconds=5)
    assert checkout_expiry(START + dt.timedelta(hours=1), START, shortest, longest) == START + dt.timedelta(hours=1)
    for wanted in (START + dt.timedelta(minutes=10), START + dt.timedelta(hours=25)):
        with pytest.raises(errors.InvalidArgument) as refused:
            checkout_expiry(wanted, START, shortest, longest)
        assert refused.value.violations[0].field == "checkout_session.expire_time"


def test_a_changed_price_remembers_the_one_before() -> None:
    assert previous_price_ids(None) == []
    assert previous_price_ids({"price_id": "price_2", "previous_price_ids": ["price_1"]}) == ["price_1", "price_2"]
    assert previous_price_ids({"price_id": ""}) == []


def test_a_downgrade_with_create_prorations_credits_the_next_invoice() -> None:
    found = change(new=200, behavior="create_prorations")
    assert (found.amount_due_now, found.unused_time_credit, found.remaining_time_charge) == (0, 250, 100)
    assert (found.next_invoice_amount, found.effective_time) == (200 - 150, HALFWAY)


def test_a_change_at_the_period_start_prorates_the_whole_period() -> None:
    found = change(now=START)
    assert (found.amount_due_now, found.unused_time_credit, found.remaining_time_charge) == (500, 500, 1000)
