"""Billing's entitlements and Tracking's activity, as Catalog sees them through the contracts.

One server runs Catalog, Tracking and Billing for real (no stand-in for our own services);
Stripe is the local stand-in at the far end of the wire. What Catalog sends its peers is
read from the peers' own request log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc
from marquee.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from marquee.tracking.v1 import tracking_pb2, tracking_pb2_grpc

from services.app import build_server
from services.catalog.settings import CatalogSettings
from services.core.server import Server
from services.core.settings import Settings
from tests.integration.billing.conftest import REDIRECT, Caller, Callers, billing_deps, deliver
from tests.support.stripe_standin import StripeStandIn, event, subscription_object

Auth = tuple[tuple[str, str], ...]
PRICE = {"basic": ("price_basic_m", 299), "premium": ("price_premium_m", 499)}


@pytest.fixture(scope="module")
async def platform(settings: Settings, stripe_api: StripeStandIn) -> AsyncIterator[Server]:
    catalog = CatalogSettings.load(settings, trending_cache_seconds=60)
    deps = billing_deps(settings, stripe_api, catalog, services=("catalog", "tracking", "billing"))
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    yield running
    await running.stop(1.0)


@pytest.fixture(scope="module")
async def channel_to(platform: Server) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{platform.port}") as opened:
        yield opened


async def title(
    catalog: catalog_pb2_grpc.CatalogServiceStub,
    admin: Auth,
    level: int = catalog_pb2.ACCESS_LEVEL_FREE,
    *,
    publish: bool = True,
) -> catalog_pb2.Title:
    draft = catalog_pb2.Title(kind=catalog_pb2.TITLE_KIND_MOVIE, display_name=f"Film {uuid.uuid4().hex[:8]}", access_level=level)
    created = (await catalog.CreateTitle(catalog_pb2.CreateTitleRequest(title=draft), metadata=admin)).title
    if publish:
        created = (await catalog.PublishTitle(catalog_pb2.PublishTitleRequest(name=created.name), metadata=admin)).title
    return created


async def subscribe(billing: billing_pb2_grpc.BillingServiceStub, stripe_api: StripeStandIn, user: Caller, plan: str) -> None:
    """Checkout for `plan`, then Stripe's webhooks, as a real subscription arrives."""
    checkout = (
        await billing.CreateCheckoutSession(
            billing_pb2.CreateCheckoutSessionRequest(
                parent="users/me",
                checkout_session=billing_pb2.CheckoutSession(
                    success_url=REDIRECT,
                    cancel_url=REDIRECT,
                    subscription_plan=billing_pb2.PlanSelection(
                        plan=f"plans/{plan}", interval=billing_pb2.BILLING_INTERVAL_MONTH
                    ),
                ),
            ),
            metadata=user.auth,
        )
    ).checkout_session
    sent = next(
        r for r in stripe_api.requests("POST", "/v1/checkout/sessions") if r.form.get("metadata[user_id]") == user.user_id
    )
    price_id, amount = PRICE[plan]
    customer = sent.form["customer"]
    subscription = subscription_object(
        sub_id=f"sub_{uuid.uuid4().hex[:20]}", customer=customer, user_id=user.user_id, price_id=price_id, amount=amount
    )
    stripe_api.put_subscription(subscription)
    completed = {"id": checkout.name.rsplit("/", 1)[1], "object": "checkout.session", "mode": "subscription",
                 "customer": customer, "subscription": subscription["id"], "payment_status": "paid"}  # fmt: skip
    await deliver(billing, event("checkout.session.completed", completed))
    await deliver(billing, event("customer.subscription.created", subscription))
    entitlements = (
        await billing.GetEntitlements(billing_pb2.GetEntitlementsRequest(name="users/me/entitlements"), metadata=user.auth)
    ).entitlements
    assert entitlements.plan == f"plans/{plan}"


def rpc_records(caplog: pytest.LogCaptureFixture, method: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "marquee.rpc" and getattr(r, "method", "").endswith(method)]


async def test_premium_title_unlocks_when_billing_says_premium(
    channel_to: grpc.aio.Channel, callers: Callers, stripe_api: StripeStandIn
) -> None:
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel_to)
    billing = billing_pb2_grpc.BillingServiceStub(channel_to)
    admin, user, someone_free = callers.admin(), callers.user(), callers.user()
    premium = await title(catalog, admin.auth, catalog_pb2.ACCESS_LEVEL_PREMIUM)

    free_view = (await catalog.GetTitle(catalog_pb2.GetTitleRequest(name=premium.name), metadata=someone_free.auth)).title
    assert free_view.locked  # Billing answers FREE for a user without a subscription
    await subscribe(billing, stripe_api, user, "premium")
    # The subscriber asks Catalog for the first time (Catalog caches a user's entitlements for a minute).
    premium_view = (await catalog.GetTitle(catalog_pb2.GetTitleRequest(name=premium.name), metadata=user.auth)).title
    assert not premium_view.locked
    listed = await catalog.SearchTitles(catalog_pb2.SearchTitlesRequest(query=premium.display_name), metadata=someone_free.auth)
    assert [(t.name, t.locked) for t in listed.titles] == [(premium.name, True)]  # listed for free users, marked locked


async def test_locked_follows_the_callers_plan_with_their_own_token_once(
    channel_to: grpc.aio.Channel, callers: Callers, stripe_api: StripeStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel_to)
    billing = billing_pb2_grpc.BillingServiceStub(channel_to)
    admin, user = callers.admin(), callers.user()
    premium = await title(catalog, admin.auth, catalog_pb2.ACCESS_LEVEL_PREMIUM)
    basic = await title(catalog, admin.auth, catalog_pb2.ACCESS_LEVEL_BASIC)
    await subscribe(billing, stripe_api, user, "basic")

    caplog.set_level(logging.INFO, logger="marquee.rpc")
    caplog.clear()
    got_basic = (await catalog.GetTitle(catalog_pb2.GetTitleRequest(name=basic.name), metadata=user.auth)).title
    got_premium = (await catalog.GetTitle(catalog_pb2.GetTitleRequest(name=premium.name), metadata=user.auth)).title
    assert not got_basic.locked
    assert got_premium.locked
    # Billing saw the caller's own token (its user id, not Catalog's service identity), once: then the cache answered.
    asked = rpc_records(caplog, "BillingService/GetEntitlements")
    assert [(r.user_id, r.code) for r in asked] == [(user.user_id, "OK")]  # type: ignore[attr-defined]

    someone_free = callers.user()
    assert (await catalog.GetTitle(catalog_pb2.GetTitleRequest(name=basic.name), metadata=someone_free.auth)).title.locked


async def test_trending_comes_from_real_watch_activity(
    channel_to: grpc.aio.Channel, callers: Callers, caplog: pytest.LogCaptureFixture
) -> None:
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel_to)
    tracking = tracking_pb2_grpc.TrackingServiceStub(channel_to)
    admin = callers.admin()
    quiet, first, second, later_draft, later_deleted = [await title(catalog, admin.auth) for _ in range(5)]

    async def watched_by(viewers: int, name: str) -> None:
        for _ in range(viewers):
            await tracking.MarkWatched(
                tracking_pb2.MarkWatchedRequest(parent="users/me", items=[name], request_id=uuid.uuid4().hex),
                metadata=callers.user().auth,
            )

    await watched_by(3, second.name)
    await watched_by(2, later_draft.name)
    await watched_by(2, later_deleted.name)
    await watched_by(1, first.name)
    await catalog.UnpublishTitle(catalog_pb2.UnpublishTitleRequest(name=later_draft.name), metadata=admin.auth)
    await catalog.DeleteTitle(catalog_pb2.DeleteTitleRequest(name=later_deleted.name), metadata=admin.auth)

    window = 1 + uuid.uuid4().int % 700  # trending is cached per window across processes: one nobody else used
    caplog.set_level(logging.INFO, logger="marquee.rpc")
    caplog.clear()
    page = await catalog.ListTrendingTitles(catalog_pb2.ListTrendingTitlesRequest(window_hours=window, page_size=1))
    assert [(t.title.name, t.watcher_count) for t in page.titles] == [(second.name, 3)]
    rest = await catalog.ListTrendingTitles(
        catalog_pb2.ListTrendingTitlesRequest(window_hours=window, page_size=100, page_token=page.next_page_token)
    )
    names = [t.title.name for t in rest.titles]
    assert (first.name, 1) in [(t.title.name, t.watcher_count) for t in rest.titles]
    assert later_draft.name not in names  # unpublished since: users never see it
    assert later_deleted.name not in names
    assert quiet.name not in names  # nobody watched it
    assert len(rpc_records(caplog, "TrackingService/ListTitleActivity")) == 1  # the second page came from the cache
