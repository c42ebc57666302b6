"""Serving and counting over the wire: select, record, finish, click; tokens, caps, targeting, ad-free plans."""

from __future__ import annotations

import asyncio
import base64
import uuid
from typing import Any, cast

import grpc
import pytest
from google.protobuf import duration_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc
from sqlalchemy import create_engine, text

from services.core.settings import Settings
from tests.integration.ads.conftest import (
    Caller,
    banner,
    context,
    expect,
    fails,
    make_caller,
    micros,
    new_ad,
    new_campaign,
    only_next_to,
    preroll,
    unique_title,
)
from tests.integration.billing.test_across_services import subscribe

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


async def test_an_ad_free_plan_gets_nothing_and_a_free_plan_gets_an_ad(
    ads: Stub, admin: Caller, viewer: Caller, signer: Any, billing: Any, stripe_api: Any
) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    free = await _select(ads, title, "", auth=viewer.auth)
    assert free.HasField("ad")
    assert not free.ad_free
    paying = make_caller(signer)
    await subscribe(billing, stripe_api, cast(Any, paying), "basic")
    for _ in range(2):  # the second answer comes from the entitlement cache
        reply = await _select(ads, title, "", auth=paying.auth)
        assert not reply.HasField("ad")
        assert (reply.ad_free, reply.no_fill_reason) == (True, pb.NO_FILL_REASON_AD_FREE_PLAN)


async def test_forged_and_replayed_tokens_are_refused(ads: Stub, admin: Caller, viewer: Caller) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    device = uuid.uuid4().hex
    token = (await _select(ads, title, device)).ad.impression_token
    version, body, mac = token.split(".")
    forged_body = (
        base64.urlsafe_b64encode(base64.urlsafe_b64decode(body + "==").replace(b'"' + device.encode(), b'"' + b"0" * 32))
        .rstrip(b"=")
        .decode()
    )
    for forged in (
        f"{version}.{forged_body}.{mac}",
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        "v1.e30.e30",
        "nonsense",
        "",
    ):
        error = await fails(ads.RecordImpression(pb.RecordImpressionRequest(impression_token=forged, device_id=device)))
        expect(error, grpc.StatusCode.INVALID_ARGUMENT, "IMPRESSION_TOKEN_INVALID")
    # Another device (or a signed-in user) presenting this anonymous device's token.
    for who, device_id in (((), uuid.uuid4().hex), (viewer.auth, device)):
        error = await fails(
            ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device_id), metadata=who)
        )
        expect(error, grpc.StatusCode.INVALID_ARGUMENT, "IMPRESSION_TOKEN_INVALID")
    await ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device))
    replay = await fails(ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device)))
    expect(replay, grpc.StatusCode.ALREADY_EXISTS, "IMPRESSION_ALREADY_RECORDED")


async def test_a_click_needs_a_served_impression(ads: Stub, admin: Caller) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    for token in ("", "v1.AAAA.AAAA", "made-up"):
        error = await fails(ads.RecordClick(pb.RecordClickRequest(impression_token=token, device_id="d")))
        expect(error, grpc.StatusCode.INVALID_ARGUMENT, "IMPRESSION_TOKEN_INVALID")
    # A served token whose impression was not recorded yet: the click records it first.
    device = uuid.uuid4().hex
    token = (await _select(ads, title, device)).ad.impression_token
    click = await ads.RecordClick(pb.RecordClickRequest(impression_token=token, device_id=device, request_id="c-1"))
    retry = await ads.RecordClick(pb.RecordClickRequest(impression_token=token, device_id=device, request_id="c-1"))
    assert click.counted
    assert retry.counted
    assert retry.impression == click.impression
    fetched = (await ads.GetImpression(pb.GetImpressionRequest(name=click.impression), metadata=admin.auth)).impression
    assert (fetched.ad, fetched.click_count, fetched.device_id) == (ad.name, 1, device)
    stats = (await ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)).totals
    assert (stats.impressions, stats.clicks) == (1, 1)


async def test_video_outcomes_follow_the_skip_offset(ads: Stub, admin: Caller) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, preroll(campaign.name, targeting=only_next_to(title)))
    outcomes = []
    for outcome, seconds in ((pb.VIDEO_OUTCOME_SKIPPED, 3), (pb.VIDEO_OUTCOME_SKIPPED, 7), (pb.VIDEO_OUTCOME_COMPLETED, 20)):
        device = uuid.uuid4().hex
        selected = await _select(ads, title, device, placement=pb.PLACEMENT_PRE_ROLL)
        assert selected.ad.video_mime_type == "application/vnd.apple.mpegurl"
        assert selected.ad.skip_offset.seconds == 5
        token = selected.ad.impression_token
        early = await fails(
            ads.FinishImpression(
                pb.FinishImpressionRequest(
                    impression_token=token,
                    device_id=device,
                    video_result=pb.VideoResult(outcome=outcome, viewed_duration=duration_pb2.Duration(seconds=seconds)),
                )
            )
        )
        expect(early, grpc.StatusCode.FAILED_PRECONDITION, "IMPRESSION_NOT_RECORDED")
        await ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device))
        result = pb.VideoResult(outcome=outcome, viewed_duration=duration_pb2.Duration(seconds=seconds))
        finished = await ads.FinishImpression(
            pb.FinishImpressionRequest(impression_token=token, device_id=device, video_result=result, request_id="f")
        )
        again = await ads.FinishImpression(
            pb.FinishImpressionRequest(impression_token=token, device_id=device, video_result=result, request_id="f")
        )
        assert again.video_outcome == finished.video_outcome
        second = await fails(
            ads.FinishImpression(
                pb.FinishImpressionRequest(impression_token=token, device_id=device, video_result=result, request_id="g")
            )
        )
        expect(second, grpc.StatusCode.ALREADY_EXISTS, "IMPRESSION_ALREADY_RECORDED")
        outcomes.append(finished.video_outcome)
    assert outcomes == [pb.VIDEO_OUTCOME_ABANDONED, pb.VIDEO_OUTCOME_SKIPPED, pb.VIDEO_OUTCOME_COMPLETED]
    too_long = await _select(ads, title, "x", placement=pb.PLACEMENT_PRE_ROLL)
    error = await fails(
        ads.RecordImpression(
            pb.RecordImpressionRequest(
                impression_token=too_long.ad.impression_token,
                device_id="x",
                video_result=pb.VideoResult(
                    outcome=pb.VIDEO_OUTCOME_COMPLETED, viewed_duration=duration_pb2.Duration(seconds=21)
                ),
            )
        )
    )
    expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    stats = (await ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)).totals
    assert (stats.video_impressions, stats.completions, stats.skips) == (3, 1, 1)
    assert stats.completion_rate == pytest.approx(1 / 3)
    assert stats.average_viewed_duration.seconds == 10  # (3 + 7 + 20) / 3


async def test_a_banner_takes_no_video_outcome(ads: Stub, admin: Caller) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    token = (await _select(ads, title, "d1")).ad.impression_token
    result = pb.VideoResult(outcome=pb.VIDEO_OUTCOME_COMPLETED, viewed_duration=duration_pb2.Duration(seconds=1))
    error = await fails(
        ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id="d1", video_result=result))
    )
    expect(error, grpc.StatusCode.FAILED_PRECONDITION, "NOT_A_VIDEO_AD")
    await ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id="d1"))
    error = await fails(
        ads.FinishImpression(pb.FinishImpressionRequest(impression_token=token, device_id="d1", video_result=result))
    )
    expect(error, grpc.StatusCode.FAILED_PRECONDITION, "NOT_A_VIDEO_AD")


async def test_targeting_by_country_device_viewer_type_and_exclusions(ads: Stub, admin: Caller, viewer: Caller) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    uganda = await new_ad(
        ads, admin, banner(campaign.name, targeting=only_next_to(title, countries=["UG"], device_types=[pb.DEVICE_TYPE_ANDROID]))
    )
    kenya = await new_ad(
        ads,
        admin,
        banner(campaign.name, targeting=only_next_to(title, countries=["KE"], viewer_types=[pb.VIEWER_TYPE_SIGNED_IN])),
    )
    anywhere_but = await new_ad(
        ads, admin, banner(campaign.name, priority=10, targeting=only_next_to(title, excluded_countries=["UG", "KE"]))
    )

    async def chosen(country: str, device_type: int = 0, auth: tuple = ()) -> str:  # type: ignore[type-arg]
        reply = await _select(ads, title, uuid.uuid4().hex, auth=auth, country=country, device_type=device_type)
        return reply.ad.ad

    assert await chosen("UG", pb.DEVICE_TYPE_ANDROID) == uganda.name
    assert await chosen("UG", pb.DEVICE_TYPE_IOS) == ""  # the Uganda ad wants Android; the fallback excludes UG
    assert await chosen("KE") == ""  # anonymous: the Kenya ad is for signed-in viewers
    assert await chosen("KE", auth=viewer.auth) == kenya.name
    assert await chosen("TZ") == anywhere_but.name
    nothing = await _select(ads, unique_title(), "d")
    assert nothing.no_fill_reason == pb.NO_FILL_REASON_NO_ELIGIBLE_AD
    error = await fails(_select(ads, title, "d", country="Uganda"))
    expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    error = await fails(ads.SelectAd(pb.SelectAdRequest(context=context(title))))
    expect(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_priority_wins_and_weights_split_traffic(ads: Stub, admin: Caller) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    heavy = await new_ad(ads, admin, banner(campaign.name, weight=900, targeting=only_next_to(title)))
    light = await new_ad(ads, admin, banner(campaign.name, weight=100, targeting=only_next_to(title)))
    house = await new_ad(ads, admin, banner(campaign.name, priority=1, pricing=None, targeting=only_next_to(title)))
    picks = [(await _select(ads, title, uuid.uuid4().hex)).ad.ad for _ in range(200)]
    assert house.name not in picks
    assert picks.count(heavy.name) > picks.count(light.name) * 3
    assert picks.count(light.name) > 0
    excluded = await ads.SelectAd(
        pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, "z"), exclude_ads=[heavy.name, light.name])
    )
    assert excluded.ad.ad == house.name


async def test_bot_traffic_is_kept_apart_not_counted(
    ads: Stub, admin: Caller, platform: Any, platform_settings: Settings
) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    async with grpc.aio.insecure_channel(
        f"127.0.0.1:{platform.port}", options=[("grpc.primary_user_agent", "Googlebot/2.1")]
    ) as channel:
        bot = ads_pb2_grpc.AdsServiceStub(channel)
        token = (await _select(bot, title, "crawler")).ad.impression_token
        await bot.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id="crawler"))
        click = await bot.RecordClick(pb.RecordClickRequest(impression_token=token, device_id="crawler"))
    assert not click.counted
    # Repeated clicks within seconds by one viewer: the later one is invalid.
    device = uuid.uuid4().hex
    for index in range(2):
        token = (await _select(ads, title, device)).ad.impression_token
        await ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device))
        click = await ads.RecordClick(pb.RecordClickRequest(impression_token=token, device_id=device))
        assert click.counted is (index == 0)
    stats = (await ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)).totals
    assert (stats.impressions, stats.clicks) == (2, 1)
    engine = create_engine(platform_settings.resolved_database_url)
    with engine.connect() as connection:
        invalid = connection.execute(
            text("SELECT SUM(invalid_impressions), SUM(invalid_clicks) FROM ads_rollups WHERE ad_id = :a AND dimension = ''"),
            {"a": ad.name.removeprefix("ads/")},
        ).one()
        reasons = (
            connection.execute(
                text("SELECT invalid_reason FROM ads_impressions WHERE ad_id = :a ORDER BY invalid_reason"),
                {"a": ad.name.removeprefix("ads/")},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert tuple(invalid) == (1, 2)  # the bot's impression; the bot's click and the repeated click
    assert reasons == ["", "", "BOT"]


async def test_concurrent_impressions_share_transactions_and_still_count_once(ads: Stub, admin: Caller) -> None:
    """Thirty viewers record at once (the writer batches them), each twice with its request id and once
    more with another: every retry answers with its impression, every replay is refused, counts exact."""
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    devices = [uuid.uuid4().hex for _ in range(30)]
    tokens = [(await _select(ads, title, device)).ad.impression_token for device in devices]

    def record(token: str, device: str, request_id: str) -> Any:
        return ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device, request_id=request_id))

    first, retry = await asyncio.gather(
        asyncio.gather(*(record(t, d, "r1") for t, d in zip(tokens, devices, strict=True))),
        asyncio.gather(*(record(t, d, "r1") for t, d in zip(tokens, devices, strict=True))),
    )
    assert [a.impression for a in first] == [b.impression for b in retry]
    assert len({a.impression for a in first}) == 30
    replays = await asyncio.gather(*(fails(record(t, d, "r2")) for t, d in zip(tokens, devices, strict=True)))
    for replay in replays:
        expect(replay, grpc.StatusCode.ALREADY_EXISTS, "IMPRESSION_ALREADY_RECORDED")
    totals = (await ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)).totals
    assert (totals.impressions, totals.unique_users, micros(totals.revenue)) == (30, 30, 30 * 2000)
    fetched = (await ads.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad
    assert (fetched.impressions, micros(fetched.spend)) == (30, 30 * 2000)
