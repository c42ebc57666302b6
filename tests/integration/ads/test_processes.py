"""Caps, budgets and counts across two server processes that share Redis and the database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import grpc
import pytest
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc

from services.core.processes import stop_process
from services.core.server import Server
from services.core.settings import Settings
from tests.integration.ads.conftest import Caller, banner, context, micros, new_ad, new_campaign, only_next_to, unique_title


@pytest.fixture(scope="module")
def second_process(platform_settings: Settings, platform: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`marquee serve --services ads` in its own process, on the same database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    env.update(
        MARQUEE_ENV="test",
        MARQUEE_DATABASE_URL=platform_settings.resolved_database_url,
        MARQUEE_REDIS_URL=platform_settings.redis_url,
        MARQUEE_DATA_DIR=str(platform_settings.data_dir),
        MARQUEE_LOG_LEVEL="WARNING",
        MARQUEE_PEER_ADDRESSES=json.dumps({"billing": f"127.0.0.1:{platform.port}"}),
    )
    log = tmp_path_factory.mktemp("second") / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "--services", "ads", "--port", "0"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"grpc listening on 127\.0\.0\.1:(\d+)", log.read_text())
            if found:
                break
            assert process.poll() is None, f"the second ads process exited: {log.read_text()[-2000:]}"
            time.sleep(0.05)
        else:
            pytest.fail("the second ads process did not start")
        yield int(found.group(1))
    finally:
        stop_process(process, 10.0)


@pytest.fixture(scope="module")
async def other(second_process: int) -> AsyncIterator[ads_pb2_grpc.AdsServiceStub]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{second_process}") as channel:
        yield ads_pb2_grpc.AdsServiceStub(channel)


async def _show(stub: ads_pb2_grpc.AdsServiceStub, title: str, who: Caller | None, device: str = "") -> pb.SelectAdResponse:
    auth = who.auth if who else ()
    selected = await stub.SelectAd(
        pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, device)), metadata=auth
    )
    if selected.HasField("ad"):
        await stub.RecordImpression(
            pb.RecordImpressionRequest(impression_token=selected.ad.impression_token, device_id=device), metadata=auth
        )
    return selected


async def test_a_cap_of_3_per_24_hours_holds_across_two_processes(
    ads: ads_pb2_grpc.AdsServiceStub, other: ads_pb2_grpc.AdsServiceStub, admin: Caller, viewer: Caller
) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(
        ads,
        admin,
        banner(
            campaign.name,
            targeting=only_next_to(title),
            frequency_caps=[pb.FrequencyCap(max_impressions=3, period={"seconds": 86_400})],
        ),
    )
    device = uuid.uuid4().hex
    served = [await _show(stub, title, None, device) for stub in (ads, other, ads, other)]
    assert [s.HasField("ad") for s in served] == [True, True, True, False]
    assert served[3].no_fill_reason == pb.NO_FILL_REASON_FREQUENCY_CAPPED
    # A signed-in free viewer (Billing answers for real) has their own cap, by user.
    shown = [await _show(stub, title, viewer) for stub in (other, ads, other, ads, other)]
    assert [s.HasField("ad") for s in shown] == [True, True, True, False, False]
    fetched = (await other.GetAd(pb.GetAdRequest(name=ad.name), metadata=admin.auth)).ad
    assert (fetched.impressions, micros(fetched.spend)) == (6, 6 * 2000)


async def test_counts_from_both_processes_add_up_in_one_report(
    ads: ads_pb2_grpc.AdsServiceStub, other: ads_pb2_grpc.AdsServiceStub, admin: Caller
) -> None:
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title)))
    devices = [uuid.uuid4().hex for _ in range(6)]
    for index, device in enumerate(devices):
        selected = await _show(ads if index % 2 else other, title, None, device)
        if index < 3:
            await (other if index % 2 else ads).RecordClick(
                pb.RecordClickRequest(impression_token=selected.ad.impression_token, device_id=device)
            )
    for stub in (ads, other):
        stats = await stub.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)
        assert (stats.totals.impressions, stats.totals.clicks, stats.totals.unique_users) == (6, 3, 6)
        assert stats.totals.ctr == pytest.approx(0.5)
