"""Campaign and ad administration over the wire: access, validation, idempotency, masks, etags, states, paging."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import duration_pb2, field_mask_pb2
from google.type import money_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc

from tests.integration.ads.conftest import Caller, banner, expect, fails, new_ad, new_campaign, preroll, usd

Stub = ads_pb2_grpc.AdsServiceStub


async def test_admin_only_rpcs_are_refused_to_users_and_anonymous_callers(ads: Stub, viewer: Caller, admin: Caller) -> None:
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name))
    calls = [
        lambda m: ads.CreateCampaign(
            pb.CreateCampaignRequest(campaign=pb.Campaign(display_name="x", advertiser="y")), metadata=m
        ),
        lambda m: ads.GetCampaign(pb.GetCampaignRequest(name=campaign.name), metadata=m),
        lambda m: ads.ListCampaigns(pb.ListCampaignsRequest(), metadata=m),
        lambda m: ads.UpdateCampaign(pb.UpdateCampaignRequest(campaign=campaign), metadata=m),
        lambda m: ads.PauseCampaign(pb.PauseCampaignRequest(name=campaign.name), metadata=m),
        lambda m: ads.ResumeCampaign(pb.ResumeCampaignRequest(name=campaign.name), metadata=m),
        lambda m: ads.DeleteCampaign(pb.DeleteCampaignRequest(name=campaign.name), metadata=m),
        lambda m: ads.CreateAd(pb.CreateAdRequest(ad=ad), metadata=m),
        lambda m: ads.GetAd(pb.GetAdRequest(name=ad.name), metadata=m),
        lambda m: ads.ListAds(pb.ListAdsRequest(), metadata=m),
        lambda m: ads.UpdateAd(pb.UpdateAdRequest(ad=ad), metadata=m),
        lambda m: ads.PauseAd(pb.PauseAdRequest(name=ad.name), metadata=m),
        lambda m: ads.ResumeAd(pb.ResumeAdRequest(name=ad.name), metadata=m),
        lambda m: ads.DeleteAd(pb.DeleteAdRequest(name=ad.name), metadata=m),
        lambda m: ads.GetImpression(pb.GetImpressionRequest(name="impressions/" + "0" * 32), metadata=m),
        lambda m: ads.ListImpressions(pb.ListImpressionsRequest(), metadata=m),
        lambda m: ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=m),
        lambda m: ads.GetCampaignStats(pb.GetCampaignStatsRequest(campaign=campaign.name), metadata=m),
        lambda m: ads.ListAdStats(pb.ListAdStatsRequest(), metadata=m),
        lambda m: ads.ListCampaignStats(pb.ListCampaignStatsRequest(), metadata=m),
        lambda m: ads.GetOverviewStats(pb.GetOverviewStatsRequest(), metadata=m),
    ]
    for call in calls:
        expect(await fails(call(viewer.auth)), grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
        expect(await fails(call(())), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
    still = (await ads.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad
    assert still.state == pb.AD_STATE_ACTIVE


async def test_campaign_lifecycle_idempotency_masks_and_etags(ads: Stub, admin: Caller) -> None:
    request_id = str(uuid.uuid4())
    body = pb.Campaign(display_name="March bundles", advertiser="MTN Uganda", budget=pb.Budget(daily=usd(50)))
    first = (
        await ads.CreateCampaign(pb.CreateCampaignRequest(campaign=body, request_id=request_id), metadata=admin.auth)
    ).campaign
    again = (
        await ads.CreateCampaign(pb.CreateCampaignRequest(campaign=body, request_id=request_id), metadata=admin.auth)
    ).campaign
    assert again.name == first.name
    assert first.state == pb.CAMPAIGN_STATE_ACTIVE
    other = pb.Campaign(display_name="Different", advertiser="MTN Uganda")
    reused = await fails(ads.CreateCampaign(pb.CreateCampaignRequest(campaign=other, request_id=request_id), metadata=admin.auth))
    expect(reused, grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    euros = pb.Campaign(display_name="x", advertiser="y", budget=pb.Budget(total=money_pb2.Money(currency_code="EUR", units=5)))
    expect(
        await fails(ads.CreateCampaign(pb.CreateCampaignRequest(campaign=euros), metadata=admin.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "CURRENCY_MISMATCH",
    )
    backwards = pb.Campaign(
        display_name="x", advertiser="y", start_time={"seconds": 4_000_000_000}, end_time={"seconds": 3_900_000_000}
    )
    error = await fails(ads.CreateCampaign(pb.CreateCampaignRequest(campaign=backwards), metadata=admin.auth))
    expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_SCHEDULE")
    assert error.bad_request is not None
    assert error.bad_request.field_violations[0].field == "campaign.end_time"
    expect(
        await fails(ads.CreateCampaign(pb.CreateCampaignRequest(campaign=pb.Campaign(advertiser="y")), metadata=admin.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )

    change = pb.Campaign(name=first.name, display_name="April bundles", advertiser="ignored", etag=first.etag)
    mask = field_mask_pb2.FieldMask(paths=["display_name"])
    updated = (
        await ads.UpdateCampaign(pb.UpdateCampaignRequest(campaign=change, update_mask=mask), metadata=admin.auth)
    ).campaign
    assert (updated.display_name, updated.advertiser) == ("April bundles", "MTN Uganda")
    assert updated.etag != first.etag
    stale = await fails(ads.UpdateCampaign(pb.UpdateCampaignRequest(campaign=change, update_mask=mask), metadata=admin.auth))
    expect(stale, grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    for path in ("state", "spend", "name", "nonsense"):
        bad = pb.UpdateCampaignRequest(campaign=pb.Campaign(name=first.name), update_mask=field_mask_pb2.FieldMask(paths=[path]))
        expect(await fails(ads.UpdateCampaign(bad, metadata=admin.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")

    ad = await new_ad(ads, admin, banner(first.name))
    paused = (await ads.PauseCampaign(pb.PauseCampaignRequest(name=first.name), metadata=admin.auth)).campaign
    assert paused.state == pb.CAMPAIGN_STATE_PAUSED
    assert (
        await ads.PauseCampaign(pb.PauseCampaignRequest(name=first.name), metadata=admin.auth)
    ).campaign.state == pb.CAMPAIGN_STATE_PAUSED
    assert (
        await ads.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)
    ).ad.serving_status == pb.SERVING_STATUS_CAMPAIGN_PAUSED
    await ads.ResumeCampaign(pb.ResumeCampaignRequest(name=first.name), metadata=admin.auth)
    archived = (await ads.DeleteCampaign(pb.DeleteCampaignRequest(name=first.name), metadata=admin.auth)).campaign
    assert archived.state == pb.CAMPAIGN_STATE_ARCHIVED
    assert archived.HasField("archive_time")
    assert archived.ad_count == 0
    assert (
        await ads.DeleteCampaign(pb.DeleteCampaignRequest(name=first.name), metadata=admin.auth)
    ).campaign.state == pb.CAMPAIGN_STATE_ARCHIVED
    gone_ad = (await ads.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad
    assert (gone_ad.state, gone_ad.serving_status) == (pb.AD_STATE_ARCHIVED, pb.SERVING_STATUS_ARCHIVED)
    for call in (
        ads.ResumeCampaign(pb.ResumeCampaignRequest(name=first.name), metadata=admin.auth),
        ads.CreateAd(pb.CreateAdRequest(ad=banner(first.name)), metadata=admin.auth),
    ):
        expect(await fails(call), grpc.StatusCode.FAILED_PRECONDITION, "CAMPAIGN_NOT_ACTIVE")
    expect(
        await fails(ads.ResumeAd(pb.ResumeAdRequest(name=ad.name), metadata=admin.auth)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "AD_NOT_ACTIVE",
    )
    missing = await fails(ads.GetCampaign(pb.GetCampaignRequest(name="campaigns/" + "0" * 32), metadata=admin.auth))
    expect(missing, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    expect(
        await fails(ads.GetCampaign(pb.GetCampaignRequest(name="campaigns/../x"), metadata=admin.auth)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )


@pytest.mark.parametrize(
    ("ad", "reason", "field"),
    [
        (
            banner("", creative=pb.Creative(image_url="https://cdn.example.com/a.png", width=728, height=90)),
            "INVALID_CREATIVE",
            "ad.creative.width",
        ),
        (
            banner("", creative=pb.Creative(image_url="http://cdn.example.com/a.png", width=300, height=250)),
            "INVALID_CREATIVE",
            "ad.creative.image_url",
        ),
        (
            banner("", creative=pb.Creative(video_url="https://cdn.example.com/a.mp4", width=300, height=250)),
            "INVALID_CREATIVE",
            "ad.creative.video_url",
        ),
        (banner("", click_url="javascript:alert(1)"), "INVALID_ARGUMENT", "ad.click_url"),
        (banner("", click_url="ftp://example.com/x"), "INVALID_ARGUMENT", "ad.click_url"),
        (
            preroll(
                "", creative=pb.Creative(video_url="https://cdn.example.com/a.mp4", duration=duration_pb2.Duration(seconds=45))
            ),
            "INVALID_CREATIVE",
            "ad.creative.duration",
        ),
        (
            preroll(
                "",
                creative=pb.Creative(
                    video_url="https://cdn.example.com/a.mp4",
                    duration=duration_pb2.Duration(seconds=20),
                    skip_offset=duration_pb2.Duration(seconds=20),
                ),
            ),
            "INVALID_CREATIVE",
            "ad.creative.skip_offset",
        ),
        (
            preroll(
                "",
                creative=pb.Creative(
                    video_url="https://a.example/v.mp4", video_asset="assets/abc", duration=duration_pb2.Duration(seconds=20)
                ),
            ),
            "INVALID_CREATIVE",
            "ad.creative.video_url",
        ),
        (
            banner("", pricing=pb.Pricing(model=pb.PRICING_MODEL_CPM, rate=money_pb2.Money(currency_code="KES", units=2))),
            "CURRENCY_MISMATCH",
            "",
        ),
        (banner("", weight=5000), "INVALID_ARGUMENT", "ad.weight"),
        (
            banner("", frequency_caps=[pb.FrequencyCap(max_impressions=1, period=duration_pb2.Duration(seconds=5))]),
            "INVALID_ARGUMENT",
            "ad.frequency_caps[0].period",
        ),
        (banner("", targeting=pb.Targeting(countries=["Uganda"])), "INVALID_ARGUMENT", "ad.targeting.countries"),
        (banner("", schedule=pb.Schedule(time_zone="Mars/Olympus")), "INVALID_SCHEDULE", "ad.schedule.time_zone"),
        (
            banner("", schedule=pb.Schedule(day_parts=[pb.DayPart(start_time={"hours": 20}, end_time={"hours": 8})])),
            "INVALID_SCHEDULE",
            "ad.schedule.day_parts[0].end_time",
        ),
    ],
)
async def test_ads_that_do_not_fit_are_refused_with_the_field(
    ads: Stub, admin: Caller, ad: pb.Ad, reason: str, field: str
) -> None:
    campaign = await new_campaign(ads, admin)
    ad.campaign = campaign.name
    error = await fails(ads.CreateAd(pb.CreateAdRequest(ad=ad), metadata=admin.auth))
    expect(error, grpc.StatusCode.INVALID_ARGUMENT, reason)
    if field:
        assert error.bad_request is not None
        assert error.bad_request.field_violations[0].field == field


async def test_a_video_asset_needs_media(ads: Stub, admin: Caller) -> None:
    campaign = await new_campaign(ads, admin)
    ad = preroll(campaign.name, creative=pb.Creative(video_asset="assets/spot1"))
    error = await fails(ads.CreateAd(pb.CreateAdRequest(ad=ad), metadata=admin.auth))
    expect(error, grpc.StatusCode.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE")  # Media is not served in this process


async def test_ad_updates_states_and_listing(ads: Stub, admin: Caller) -> None:
    campaign = await new_campaign(ads, admin, advertiser=f"Adv {uuid.uuid4().hex[:6]}")
    made = [await new_ad(ads, admin, banner(campaign.name, display_name=f"Ad {i}", priority=10 + i)) for i in range(5)]
    page = await ads.ListAds(pb.ListAdsRequest(page_size=2, filter=pb.AdFilter(campaign=campaign.name)), metadata=admin.auth)
    names = [a.name for a in page.ads]
    while page.next_page_token:
        page = await ads.ListAds(
            pb.ListAdsRequest(page_size=2, page_token=page.next_page_token, filter=pb.AdFilter(campaign=campaign.name)),
            metadata=admin.auth,
        )
        names += [a.name for a in page.ads]
    assert names == [a.name for a in reversed(made)]  # newest first
    by_priority = await ads.ListAds(
        pb.ListAdsRequest(order_by=pb.AD_ORDER_PRIORITY, filter=pb.AdFilter(advertiser=campaign.advertiser.upper())),
        metadata=admin.auth,
    )
    assert [a.priority for a in by_priority.ads] == [14, 13, 12, 11, 10]
    tampered = await fails(
        ads.ListAds(pb.ListAdsRequest(page_size=2, page_token="x" + page.next_page_token), metadata=admin.auth)
    )
    expect(tampered, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")

    ad = made[0]
    change = pb.Ad(
        name=ad.name, targeting=pb.Targeting(countries=["UG"]), placement=pb.PLACEMENT_PRE_ROLL, weight=7, etag=ad.etag
    )
    mask = field_mask_pb2.FieldMask(paths=["targeting.countries", "weight"])
    updated = (await ads.UpdateAd(pb.UpdateAdRequest(ad=change, update_mask=mask), metadata=admin.auth)).ad
    assert (list(updated.targeting.countries), updated.weight, updated.placement) == (["UG"], 7, pb.PLACEMENT_RECTANGLE)
    for path in ("placement", "campaign", "serving_status"):
        bad = pb.UpdateAdRequest(ad=pb.Ad(name=ad.name), update_mask=field_mask_pb2.FieldMask(paths=[path]))
        expect(await fails(ads.UpdateAd(bad, metadata=admin.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    wrong_size = pb.UpdateAdRequest(
        ad=pb.Ad(name=ad.name, creative=pb.Creative(image_url="https://x.example/a.png", width=320, height=50)),
        update_mask=field_mask_pb2.FieldMask(paths=["creative"]),
    )
    expect(await fails(ads.UpdateAd(wrong_size, metadata=admin.auth)), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CREATIVE")
    paused = (await ads.PauseAd(pb.PauseAdRequest(name=ad.name, etag=updated.etag), metadata=admin.auth)).ad
    assert (paused.state, paused.serving_status) == (pb.AD_STATE_PAUSED, pb.SERVING_STATUS_PAUSED)
    expect(
        await fails(ads.ResumeAd(pb.ResumeAdRequest(name=ad.name, etag=updated.etag), metadata=admin.auth)),
        grpc.StatusCode.ABORTED,
        "ETAG_MISMATCH",
    )
    listed = await ads.ListAds(
        pb.ListAdsRequest(filter=pb.AdFilter(campaign=campaign.name, states=[pb.AD_STATE_PAUSED])), metadata=admin.auth
    )
    assert [a.name for a in listed.ads] == [ad.name]
    await ads.DeleteAd(pb.DeleteAdRequest(name=ad.name), metadata=admin.auth)
    left = await ads.ListAds(pb.ListAdsRequest(filter=pb.AdFilter(campaign=campaign.name)), metadata=admin.auth)
    assert ad.name not in [a.name for a in left.ads]
    assert len(left.ads) == 4
    archived = await fails(
        ads.UpdateAd(
            pb.UpdateAdRequest(ad=pb.Ad(name=ad.name, weight=3), update_mask=field_mask_pb2.FieldMask(paths=["weight"])),
            metadata=admin.auth,
        )
    )
    expect(archived, grpc.StatusCode.FAILED_PRECONDITION, "AD_NOT_ACTIVE")
    listed_campaigns = await ads.ListCampaigns(
        pb.ListCampaignsRequest(filter=pb.CampaignFilter(search=campaign.advertiser[4:])), metadata=admin.auth
    )
    assert [c.name for c in listed_campaigns.campaigns] == [campaign.name]
    assert listed_campaigns.campaigns[0].ad_count == 4
