"""Reports from rollups: exact totals, days, breakdowns, campaign and inventory views."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc
import pytest
from google.type import date_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc

from tests.integration.ads.conftest import (
    Caller,
    banner,
    context,
    expect,
    fails,
    micros,
    new_ad,
    new_campaign,
    only_next_to,
    usd,
)

Stub = ads_pb2_grpc.AdsServiceStub


async def _deliver(ads: Stub, title: str, device: str, *, country: str, device_type: int, click: bool, auth: tuple = ()) -> None:  # type: ignore[type-arg]
    selected = await ads.SelectAd(
        pb.SelectAdRequest(
            placement=pb.PLACEMENT_RECTANGLE, context=context(title, device, country=country, device_type=device_type)
        ),
        metadata=auth,
    )
    assert selected.HasField("ad")
    token = selected.ad.impression_token
    await ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device), metadata=auth)
    if click:
        await ads.RecordClick(pb.RecordClickRequest(impression_token=token, device_id=device), metadata=auth)


async def test_stats_are_exact(ads: Stub, admin: Caller, viewer: Caller) -> None:
    title = f"titles/{uuid.uuid4().hex}"
    campaign = await new_campaign(ads, admin)
    cpm = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title, countries=["UG", "KE"])))
    cpc = await new_ad(
        ads,
        admin,
        banner(
            campaign.name,
            targeting=only_next_to(title, countries=["TZ"]),
            pricing=pb.Pricing(model=pb.PRICING_MODEL_CPC, rate=usd(0.25)),
        ),
    )
    devices = [uuid.uuid4().hex for _ in range(4)]
    # CPM ad: 5 impressions from 3 distinct viewers (2 devices, 1 user), 2 clicks.
    plan = [
        (devices[0], "UG", pb.DEVICE_TYPE_ANDROID, True),
        (devices[0], "UG", pb.DEVICE_TYPE_ANDROID, False),
        (devices[1], "KE", pb.DEVICE_TYPE_IOS, True),
        (devices[1], "KE", pb.DEVICE_TYPE_IOS, False),
    ]
    for device, country, kind, click in plan:
        await _deliver(ads, title, device, country=country, device_type=kind, click=click)
    await _deliver(ads, title, "", country="UG", device_type=pb.DEVICE_TYPE_TV, click=False, auth=viewer.auth)
    # CPC ad: 3 impressions, 1 click charged at 0.25.
    for index in range(3):
        await _deliver(ads, title, devices[2 + index % 2], country="TZ", device_type=pb.DEVICE_TYPE_DESKTOP_WEB, click=index == 0)

    stats = await ads.GetAdStats(pb.GetAdStatsRequest(ad=cpm.name, breakdown=pb.STATS_DIMENSION_COUNTRY), metadata=admin.auth)
    t = stats.totals
    assert (t.impressions, t.clicks, t.unique_users, micros(t.revenue)) == (5, 2, 3, 5 * 2000)
    assert t.ctr == pytest.approx(0.4)
    assert micros(t.ecpm) == 2_000_000
    assert [(b.key, b.metrics.impressions, b.metrics.clicks) for b in stats.breakdown] == [("UG", 3, 1), ("KE", 2, 1)]
    devices_report = await ads.GetAdStats(
        pb.GetAdStatsRequest(ad=cpm.name, breakdown=pb.STATS_DIMENSION_DEVICE_TYPE), metadata=admin.auth
    )
    assert {b.key: b.metrics.impressions for b in devices_report.breakdown} == {
        "DEVICE_TYPE_ANDROID": 2,
        "DEVICE_TYPE_IOS": 2,
        "DEVICE_TYPE_TV": 1,
    }
    cpc_stats = (await ads.GetAdStats(pb.GetAdStatsRequest(ad=cpc.name), metadata=admin.auth)).totals
    assert (cpc_stats.impressions, cpc_stats.clicks, micros(cpc_stats.revenue), cpc_stats.unique_users) == (3, 1, 250_000, 2)
    assert micros(cpc_stats.ecpm) == 250_000 * 1000 // 3

    whole = await ads.GetCampaignStats(
        pb.GetCampaignStatsRequest(campaign=campaign.name, breakdown=pb.STATS_DIMENSION_PLACEMENT), metadata=admin.auth
    )
    assert (whole.totals.impressions, whole.totals.clicks, micros(whole.totals.revenue)) == (8, 3, 10_000 + 250_000)
    assert whole.totals.unique_users == 5
    assert [(b.key, b.metrics.impressions) for b in whole.breakdown] == [("PLACEMENT_RECTANGLE", 8)]
    today = dt.datetime.now(dt.UTC).date()
    assert whole.daily[-1].date == date_pb2.Date(year=today.year, month=today.month, day=today.day)
    assert whole.daily[-1].metrics.impressions == 8
    assert sum(d.metrics.impressions for d in whole.daily) == 8

    rows = await ads.ListAdStats(
        pb.ListAdStatsRequest(filter=pb.AdFilter(campaign=campaign.name), order_by=pb.STATS_ORDER_REVENUE), metadata=admin.auth
    )
    assert [r.ad for r in rows.rows] == [cpc.name, cpm.name]
    assert (rows.total_size, rows.totals.impressions, rows.totals.unique_users) == (2, 8, 5)
    by_ctr = await ads.ListAdStats(
        pb.ListAdStatsRequest(filter=pb.AdFilter(campaign=campaign.name), order_by=pb.STATS_ORDER_CTR, page_size=1),
        metadata=admin.auth,
    )
    assert [r.ad for r in by_ctr.rows] == [cpm.name]
    assert by_ctr.next_page_token
    rest = await ads.ListAdStats(
        pb.ListAdStatsRequest(
            filter=pb.AdFilter(campaign=campaign.name),
            order_by=pb.STATS_ORDER_CTR,
            page_size=1,
            page_token=by_ctr.next_page_token,
        ),
        metadata=admin.auth,
    )
    assert [r.ad for r in rest.rows] == [cpc.name]
    assert not rest.next_page_token
    campaigns = await ads.ListCampaignStats(
        pb.ListCampaignStatsRequest(filter=pb.CampaignFilter(search=campaign.display_name)), metadata=admin.auth
    )
    assert [(r.campaign, r.metrics.impressions, r.metrics.clicks) for r in campaigns.rows] == [(campaign.name, 8, 3)]
    overview = await ads.GetOverviewStats(pb.GetOverviewStatsRequest(), metadata=admin.auth)
    rectangle = next(p for p in overview.placements if p.placement == pb.PLACEMENT_RECTANGLE)
    assert [p.placement for p in overview.placements] == [1, 2, 3, 4]
    assert rectangle.requests >= rectangle.fills >= 8
    assert rectangle.metrics.impressions >= 8
    assert overview.totals.impressions >= 8
    assert 0 <= overview.totals.ctr <= 1


async def test_report_ranges_and_zones_are_checked(ads: Stub, admin: Caller) -> None:
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name))
    backwards = pb.GetAdStatsRequest(
        ad=ad.name, start_date=date_pb2.Date(year=2030, month=5, day=2), end_date=date_pb2.Date(year=2030, month=5, day=1)
    )
    too_long = pb.GetAdStatsRequest(
        ad=ad.name, start_date=date_pb2.Date(year=2028, month=1, day=1), end_date=date_pb2.Date(year=2030, month=1, day=1)
    )
    for request in (backwards, too_long, pb.GetAdStatsRequest(ad=ad.name, time_zone="Nowhere/City")):
        expect(await fails(ads.GetAdStats(request, metadata=admin.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    expect(
        await fails(ads.GetAdStats(pb.GetAdStatsRequest(ad="ads/" + "0" * 32), metadata=admin.auth)),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
    )
    kampala = await ads.GetAdStats(
        pb.GetAdStatsRequest(
            ad=ad.name,
            time_zone="Africa/Kampala",
            start_date=date_pb2.Date(year=2030, month=1, day=1),
            end_date=date_pb2.Date(year=2030, month=1, day=7),
        ),
        metadata=admin.auth,
    )
    assert [d.date.day for d in kampala.daily] == [1, 2, 3, 4, 5, 6, 7]
    assert kampala.totals.impressions == 0
    assert kampala.totals.ctr == 0.0


async def test_impressions_are_listed_for_review(ads: Stub, admin: Caller, viewer: Caller) -> None:
    title = f"titles/{uuid.uuid4().hex}"
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    for click in (False, True, False):
        await _deliver(ads, title, "", country="UG", device_type=pb.DEVICE_TYPE_ANDROID, click=click, auth=viewer.auth)
    listed = await ads.ListImpressions(pb.ListImpressionsRequest(user=viewer.name, page_size=2), metadata=admin.auth)
    assert len(listed.impressions) == 2
    assert listed.next_page_token
    rest = await ads.ListImpressions(
        pb.ListImpressionsRequest(user=viewer.name, page_size=2, page_token=listed.next_page_token), metadata=admin.auth
    )
    everything = list(listed.impressions) + list(rest.impressions)
    assert len(everything) == 3
    assert {i.ad for i in everything} == {ad.name}
    assert {i.user for i in everything} == {viewer.name}
    assert [i.record_time.ToNanoseconds() for i in everything] == sorted(
        (i.record_time.ToNanoseconds() for i in everything), reverse=True
    )
    clicked = await ads.ListImpressions(pb.ListImpressionsRequest(ad=ad.name, clicked_only=True), metadata=admin.auth)
    assert [i.click_count for i in clicked.impressions] == [1]
    assert micros(clicked.impressions[0].cost) == 2000
    error = await fails(
        ads.ListImpressions(
            pb.ListImpressionsRequest(start_time={"seconds": 200}, end_time={"seconds": 100}), metadata=admin.auth
        )
    )
    expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_report_dates_at_the_edges_of_the_calendar_are_refused(ads: Stub, admin: Caller) -> None:
    """Found by the fuzzer: 0001-01-01 as an end date overflowed the default 30-day window (INTERNAL)."""
    first_day = date_pb2.Date(year=1, month=1, day=1)
    last_day = date_pb2.Date(year=9999, month=12, day=31)
    for request in (
        pb.GetOverviewStatsRequest(end_date=first_day),
        pb.GetOverviewStatsRequest(start_date=first_day, end_date=first_day),
        pb.GetOverviewStatsRequest(start_date=last_day, end_date=last_day, time_zone="Pacific/Kiritimati"),
    ):
        error = await fails(ads.GetOverviewStats(request, metadata=admin.auth))
        expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
