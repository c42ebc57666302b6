"""Serving and counting over the wire: select, record, finish, click; tokens, caps, targeting, ad-free plans."""

from __future__ import annotations

import uuid

import grpc
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
    unique_title,
)

Stub = ads_pb2_grpc.AdsServiceStub


async def _select(
    ads: Stub, title: str, device: str, *, placement: int = pb.PLACEMENT_RECTANGLE, auth: tuple = (), **ctx
) -> pb.SelectAdResponse:  # type: ignore[type-arg]
    return await ads.SelectAd(pb.SelectAdRequest(placement=placement, context=context(title, device, **ctx)), metadata=auth)


async def test_select_record_click_and_stats_for_an_anonymous_viewer(ads: Stub, admin: Caller) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    assert ad.serving_status == pb.SERVING_STATUS_SERVING
    device = uuid.uuid4().hex
    selected = await _select(ads, title, device)
    assert selected.ad.ad == ad.name
    assert selected.ad.width == 300
    assert selected.ad.impression_token
    assert selected.ad.advertiser == "MTN Uganda"
    recorded = await ads.RecordImpression(
        pb.RecordImpressionRequest(impression_token=selected.ad.impression_token, device_id=device, request_id="r1")
    )
    again = await ads.RecordImpression(
        pb.RecordImpressionRequest(impression_token=selected.ad.impression_token, device_id=device, request_id="r1")
    )
    assert again.impression == recorded.impression  # a retry counts once
    replay = await fails(
        ads.RecordImpression(
            pb.RecordImpressionRequest(impression_token=selected.ad.impression_token, device_id=device, request_id="r2")
        )
    )
    expect(replay, grpc.StatusCode.ALREADY_EXISTS, "IMPRESSION_ALREADY_RECORDED")
    click = await ads.RecordClick(pb.RecordClickRequest(impression_token=selected.ad.impression_token, device_id=device))
    assert (click.counted, click.redirect_url, click.impression) == (
        True,
        "https://advertiser.example.com/landing",
        recorded.impression,
    )
    second = await ads.RecordClick(pb.RecordClickRequest(impression_token=selected.ad.impression_token, device_id=device))
    assert second.counted is False
    stats = await ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)
    totals = stats.totals
    assert (totals.impressions, totals.clicks, totals.ctr, totals.unique_users) == (1, 1, 1.0, 1)
    assert micros(totals.revenue) == 2000  # USD 2.00 CPM: 0.002 per impression
    assert micros(totals.ecpm) == 2_000_000
    assert len(stats.daily) == 30
    assert stats.daily[-1].metrics.impressions == 1
    fetched = (await ads.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad
    assert (fetched.impressions, fetched.clicks, micros(fetched.spend)) == (1, 1, 2000)
