"""Billing's unit-of-work steps on a SQLite file, without sockets: signatures, ordering of Stripe state,
entitlements and the ledger. The rules they apply are tested on plain values in `test_domain.py`."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import time
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.billing.domain import fingerprint
from services.billing.models import Base
from services.billing.repository import BillingRepository, EntryFilter
from services.billing.settings import BillingSettings
from services.billing.stripe_gateway import StripeGateway, UnreadableEvent
from services.billing.work import BillingWork, LedgerResult
from services.core import errors
from services.core.settings import Settings
from tests.support.stripe_standin import event, sign, subscription_object

SECRET = "whsec_unit"


@pytest.fixture
def work(tmp_path: pathlib.Path) -> BillingWork:
    settings = Settings(env="test", data_dir=tmp_path)
    billing = BillingSettings(
        stripe_webhook_secret=SecretStr(SECRET), stripe_prices={"basic_monthly": "price_b", "premium_monthly": "price_p"}
    )
    return BillingWork(settings, billing)


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> Iterator[BillingRepository]:
    engine = create_engine(f"sqlite:///{tmp_path / 'unit.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield BillingRepository(session)
    engine.dispose()


NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)


def test_signatures(tmp_path: pathlib.Path) -> None:
    gateway = StripeGateway(BillingSettings(stripe_webhook_secret=SecretStr(SECRET)))
    payload = json.dumps(event("invoice.paid", {"id": "in_1"})).encode()
    assert gateway.verify_event(payload, sign(payload, SECRET))["type"] == "invoice.paid"
    with pytest.raises(errors.Unauthenticated) as wrong:
        gateway.verify_event(payload, sign(payload, "whsec_other"))
    assert wrong.value.reason == "SIGNATURE_INVALID"
    with pytest.raises(errors.Unauthenticated) as old:
        gateway.verify_event(payload, sign(payload, SECRET, timestamp=int(time.time()) - 1000))
    assert old.value.reason == "EVENT_TOO_OLD"
    # Several v1 values (secret rotation): any match is enough.
    rotated = sign(payload, SECRET) + ",v1=" + "0" * 64
    assert gateway.verify_event(payload, rotated)["id"].startswith("evt_")
    # Signed but not an event: named for storage by its bytes, so the use case can keep it for inspection.
    with pytest.raises(UnreadableEvent) as unreadable:
        gateway.verify_event(b"{}", sign(b"{}", SECRET))
    assert (unreadable.value.path, unreadable.value.key.startswith("unreadable-")) == ("body.id", True)


def test_out_of_order_subscription_events(work: BillingWork, repo: BillingRepository) -> None:
    base = int(NOW.timestamp())
    sub = subscription_object(sub_id="sub_1", customer="cus_1", user_id="u1", price_id="price_p", amount=499, period_start=base)
    canceled = dict(sub, status="canceled", ended_at=base + 50)
    work.apply_subscription(repo, canceled, NOW + dt.timedelta(seconds=50), NOW, deleted=True)
    work.apply_subscription(repo, sub, NOW + dt.timedelta(seconds=10), NOW)  # older: skipped
    work.apply_subscription(repo, dict(sub, status="active"), NOW + dt.timedelta(seconds=60), NOW)  # never revived
    row = repo.subscription("u1")
    assert row is not None
    assert row.status == "canceled"
    assert row.plan_id == "premium"
    assert work.entitlements_for(repo, ["u1"], NOW)["u1"].plan.id == "free"


def test_grace_period(work: BillingWork, repo: BillingRepository) -> None:
    sub = subscription_object(
        sub_id="sub_2", customer="cus_2", user_id="u2", price_id="price_b", amount=299, period_start=int(NOW.timestamp())
    )
    work.apply_subscription(repo, dict(sub, status="past_due"), NOW, NOW)
    during = work.entitlements_for(repo, ["u2"], NOW + dt.timedelta(days=6))["u2"]
    after = work.entitlements_for(repo, ["u2"], NOW + dt.timedelta(days=7, seconds=1))["u2"]
    assert (during.plan.id, during.in_grace_period) == ("basic", True)
    assert (after.plan.id, after.in_grace_period) == ("free", False)


def test_ledger_floor_and_idempotency(work: BillingWork, repo: BillingRepository) -> None:
    work.grant(repo, user_id="u3", amount=3, reason="bonus", reference="", expire_time=None, request_id="signup:u3",
               actor="services/auth", print_="g", now=NOW)  # fmt: skip

    def spend(amount: int, request_id: str, body: bytes) -> LedgerResult:
        return work.spend(repo, user_id="u3", amount=amount, reason="x", reference="", min_plan="", metadata={},
                          request_id=request_id, actor="services/notes", print_=fingerprint(body), now=NOW)  # fmt: skip

    spent = spend(2, "s1", b"a")
    assert spent.balance == 1
    replay = spend(2, "s1", b"a")
    assert (replay.entry.id, replay.balance) == (spent.entry.id, 1)
    with pytest.raises(errors.AlreadyExists):
        spend(1, "s1", b"b")
    with pytest.raises(errors.FailedPrecondition) as short:
        spend(2, "s2", b"c")
    assert short.value.metadata == {"balance": "1", "required": "2"}


def test_expiring_grants_are_spent_first_and_expire(work: BillingWork, repo: BillingRepository) -> None:
    hour = dt.timedelta(hours=1)

    def grant(amount: int, key: str, expire: dt.datetime | None) -> None:
        work.grant(repo, user_id="u4", amount=amount, reason="promo", reference="", expire_time=expire, request_id=key,
                     actor="services/auth", print_=key, now=NOW)  # fmt: skip

    grant(5, "keep", None)
    grant(4, "soon", NOW + hour)
    grant(3, "later", NOW + 2 * hour)
    spent = work.spend(repo, user_id="u4", amount=5, reason="x", reference="", min_plan="", metadata={}, request_id="s",
                         actor="services/notes", print_="s", now=NOW)  # fmt: skip
    assert spent.balance == 7
    view = work.balance(repo, "u4", NOW)
    assert (view.balance, view.expiring_credits, view.next_expire_time) == (7, 2, NOW + 2 * hour)
    later = work.balance(repo, "u4", NOW + 3 * hour)
    assert (later.balance, later.expiring_credits, later.next_expire_time) == (5, 0, None)
    again = work.balance(repo, "u4", NOW + 4 * hour)  # expired once, not twice
    assert again.balance == 5
    kinds = [(e.kind, e.delta) for e in repo.list_entries(EntryFilter("u4"), after=None, limit=10)]
    assert ("expire", -2) in kinds
    assert sum(1 for kind, _ in kinds if kind == "expire") == 1
