"""Chat's seam to Billing without a Billing: users asked for at once share calls, a few calls run at once (a user
never waits behind a call that is not theirs while there is room), a failure reaches every caller of its call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.chat.billing_client import Allowance, BillingClient
from services.core.errors import Unavailable


class FakeBilling(BillingClient):
    """`_fetch` answers when the test releases it: the calls made, and which were in flight at once."""

    def __init__(self, max_fetches: int = 2) -> None:
        async def metadata() -> tuple[tuple[str, str], ...]:
            return ()

        super().__init__(lambda: None, metadata, max_fetches=max_fetches)  # type: ignore[arg-type,return-value]
        self.calls: list[list[str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = asyncio.Event()
        self.fail: Exception | None = None

    async def _fetch(self, user_ids: list[str]) -> list[tuple[Allowance, float]]:
        self.calls.append(list(user_ids))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.release.wait()
        finally:
            self.in_flight -= 1
        if self.fail is not None:
            raise self.fail
        return [(Allowance(plan=f"plan-{user}", answers_per_day=20), 30.0) for user in user_ids]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_users_share_calls_and_calls_run_at_once() -> None:
    billing = FakeBilling(max_fetches=2)
    first = asyncio.create_task(billing.allowance("u0"))
    await settle()
    second = asyncio.create_task(billing.allowance("u1"))  # room for a second call: it does not wait for u0's
    await settle()
    assert billing.calls == [["u0"], ["u1"]]
    rest = [asyncio.create_task(billing.allowance(f"u{n}")) for n in range(2, 12)]
    again = asyncio.create_task(billing.allowance("u0"))  # in a call already: shares it
    await settle()
    assert len(billing.calls) == 2  # at the bound: the ten wait, together
    billing.release.set()
    found: list[Any] = await asyncio.gather(first, second, *rest, again)
    assert [a.plan for a in found] == [f"plan-u{n}" for n in range(12)] + ["plan-u0"]
    assert billing.calls[2:] == [[f"u{n}" for n in range(2, 12)]]
    assert billing.most_in_flight == 2
    calls = len(billing.calls)
    assert (await billing.allowance("u5")).plan == "plan-u5"  # cached
    assert len(billing.calls) == calls


async def test_a_failed_call_fails_each_of_its_callers_and_the_next_ones_ask_again() -> None:
    billing = FakeBilling(max_fetches=1)
    billing.fail = Unavailable("Billing is down", reason="ENTITLEMENTS_UNAVAILABLE")
    billing.release.set()
    outcomes = await asyncio.gather(*(billing.allowance(f"u{n}") for n in range(3)), return_exceptions=True)
    assert all(isinstance(o, Unavailable) for o in outcomes)
    billing.fail = None
    assert (await billing.allowance("u1")).plan == "plan-u1"  # nothing cached from the failure
    assert billing.calls[-1] == ["u1"]


@pytest.mark.parametrize("max_fetches", [1, 4])
async def test_a_hundred_users_cost_a_few_calls(max_fetches: int) -> None:
    billing = FakeBilling(max_fetches=max_fetches)
    billing.release.set()
    found = await asyncio.gather(*(billing.allowance(f"u{n}") for n in range(100)))
    assert [a.plan for a in found] == [f"plan-u{n}" for n in range(100)]
    assert sorted(user for call in billing.calls for user in call) == sorted(f"u{n}" for n in range(100))
    assert len(billing.calls) <= max_fetches + 1
