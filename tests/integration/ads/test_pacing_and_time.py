"""Time-driven rules on a server whose use cases are given a clock: pacing over a simulated day,
token windows, sliding frequency caps and schedules. The clock is injected, nothing is patched."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc
from google.protobuf import timestamp_pb2
from marquee.ads.v1 import ads_pb2 as pb

from tests.integration.ads.conftest import (
    Caller,
    ClockedAds,
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


async def _show(clocked: ClockedAds, title: str, device: str) -> bool:
    selected = await clocked.stub.SelectAd(pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, device)))
    if not selected.HasField("ad"):
        return False
    await clocked.stub.RecordImpression(
        pb.RecordImpressionRequest(impression_token=selected.ad.impression_token, device_id=device)
    )
    return True


async def test_even_pacing_spreads_a_daily_budget_over_a_simulated_day(clocked: ClockedAds, admin: Caller) -> None:
    title = unique = f"titles/{uuid.uuid4().hex}"
    campaign = await new_campaign(clocked.stub, admin)
    # USD 100 CPM is 0.10 an impression; a daily budget of 2.40 buys 24 impressions a day.
    ad = await new_ad(
        clocked.stub,
        admin,
        banner(
            campaign.name,
            targeting=only_next_to(unique),
            pricing=pb.Pricing(model=pb.PRICING_MODEL_CPM, rate=usd(100)),
            budget=pb.Budget(daily=usd(2.40)),
        ),
    )
    midnight = clocked.clock.now
    spend_by_hour = []
    for hour in range(24):
        clocked.clock.now = midnight + dt.timedelta(hours=hour, minutes=30)
        for _ in range(6):  # demand far above what the budget buys
            await _show(clocked, title, uuid.uuid4().hex)
        spent = (await clocked.stub.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad.spend_today
        spend_by_hour.append(micros(spent))
    for hour, spent in enumerate(spend_by_hour):
        allowed = 2_400_000 * (hour + 0.5) / 24 + 100_000  # the even pace plus one impression
        assert spent <= allowed, (hour, spend_by_hour)
    assert spend_by_hour[0] < 300_000  # an unpaced ad would have spent 0.60 in the first hour
    assert 2_200_000 <= spend_by_hour[-1] <= 2_400_000, spend_by_hour  # delivered, never over budget
    # The next day starts a new daily budget.
    clocked.clock.now = midnight + dt.timedelta(days=1, hours=1)
    assert await _show(clocked, title, uuid.uuid4().hex)
    fetched = (await clocked.stub.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad
    assert micros(fetched.spend_today) == 100_000
    assert micros(fetched.spend) == spend_by_hour[-1] + 100_000


async def test_token_windows_and_a_sliding_cap(clocked: ClockedAds, admin: Caller) -> None:
    title = f"titles/{uuid.uuid4().hex}"
    campaign = await new_campaign(clocked.stub, admin)
    await new_ad(clocked.stub, admin, banner(campaign.name, targeting=only_next_to(title)))
    stub, clock = clocked.stub, clocked.clock
    late = (await stub.SelectAd(pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, "dev")))).ad
    clock.advance(minutes=16)
    error = await fails(
        stub.RecordImpression(pb.RecordImpressionRequest(impression_token=late.impression_token, device_id="dev"))
    )
    expect(error, grpc.StatusCode.FAILED_PRECONDITION, "IMPRESSION_TOKEN_EXPIRED")
    token = (
        await stub.SelectAd(pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, "dev")))
    ).ad.impression_token
    await stub.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id="dev"))
    clock.advance(minutes=61)
    error = await fails(stub.RecordClick(pb.RecordClickRequest(impression_token=token, device_id="dev")))
    expect(error, grpc.StatusCode.FAILED_PRECONDITION, "IMPRESSION_TOKEN_EXPIRED")
    # The default cap: 3 per viewer per sliding 24 hours (one shown above).
    assert [await _show(clocked, title, "dev") for _ in range(3)] == [True, True, False]
    clock.advance(hours=22)  # 23 h 01 min after the first impression
    assert not await _show(clocked, title, "dev")
    clock.advance(hours=1)  # the first impression has left the window
    assert await _show(clocked, title, "dev")


async def test_schedules_and_day_parts_follow_the_clock(clocked: ClockedAds, admin: Caller) -> None:
    title = f"titles/{uuid.uuid4().hex}"
    stub, clock = clocked.stub, clocked.clock
    start = clock.now + dt.timedelta(hours=2)
    campaign = await new_campaign(stub, admin, start_time=timestamp_pb2.Timestamp(seconds=int(start.timestamp())))
    evening = pb.DayPart(start_time={"hours": 18}, end_time={"hours": 24})
    ad = await new_ad(
        stub,
        admin,
        banner(
            campaign.name, targeting=only_next_to(title), schedule=pb.Schedule(time_zone="Africa/Kampala", day_parts=[evening])
        ),
    )
    assert ad.serving_status == pb.SERVING_STATUS_SCHEDULED
    clock.advance(hours=3)  # 03:00 UTC is 06:00 in Kampala
    assert (
        await stub.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)
    ).ad.serving_status == pb.SERVING_STATUS_OUTSIDE_DAY_PARTS
    assert not await _show(clocked, title, "a")
    clock.advance(hours=13)  # 16:00 UTC is 19:00 in Kampala
    assert (await stub.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad.serving_status == pb.SERVING_STATUS_SERVING
    assert await _show(clocked, title, "a")
