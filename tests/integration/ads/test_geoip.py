"""Country and region from a GeoIP database (a small .mmdb written here with mmdb-writer) when the
request context sends none; the context still wins when it does. The address is the one core
resolves for every service: a forwarded address counts only when our gateway sent it."""

from __future__ import annotations

import pathlib
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from services.ads import server as ads_server
from services.ads.settings import AdsSettings
from services.app import Dependencies
from services.core.clients import GATEWAY_HEADER, gateway_token
from services.core.server import create_server
from services.core.settings import Settings
from tests.integration.ads.conftest import Caller, banner, context, new_ad, new_campaign, only_next_to


def write_mmdb(path: pathlib.Path) -> None:
    writer = MMDBWriter(ip_version=4, database_type="GeoIP2-City", languages=["en"], description="test")
    writer.insert_network(IPSet(["10.1.0.0/16"]), {"country": {"iso_code": "UG"}, "subdivisions": [{"iso_code": "102"}]})
    writer.insert_network(IPSet(["10.2.0.0/16"]), {"country": {"iso_code": "KE"}})
    writer.to_db_file(str(path))


@pytest.fixture
async def geo_ads(settings: Settings, tmp_path: pathlib.Path) -> AsyncIterator[ads_pb2_grpc.AdsServiceStub]:
    database = tmp_path / "geo.mmdb"
    write_mmdb(database)
    deps = Dependencies.build(settings.model_copy(update={"services": ["ads"]}))
    deps.service_settings[AdsSettings] = AdsSettings.load(deps.settings, ads_geoip_database=database)
    running = create_server(deps.settings, [ads_server.registration(deps)], deps.verifier, address="127.0.0.1:0")
    running.on_close.append(deps.close)
    await running.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield ads_pb2_grpc.AdsServiceStub(channel)
    await running.stop(0.5)


async def test_country_and_region_come_from_the_callers_address(
    geo_ads: ads_pb2_grpc.AdsServiceStub, admin: Caller, settings: Settings
) -> None:
    title = f"titles/{uuid.uuid4().hex}"
    campaign = await new_campaign(geo_ads, admin)
    kampala = await new_ad(geo_ads, admin, banner(campaign.name, targeting=only_next_to(title, regions=["UG-102"])))
    kenya = await new_ad(geo_ads, admin, banner(campaign.name, targeting=only_next_to(title, countries=["KE"])))

    async def chosen(address: str, **ctx: str) -> str:
        reply = await geo_ads.SelectAd(
            pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, uuid.uuid4().hex, **ctx)),
            metadata=(("x-forwarded-for", address), (GATEWAY_HEADER, gateway_token(settings))),
        )
        return reply.ad.ad

    assert await chosen("10.1.7.7") == kampala.name
    assert await chosen("10.1.7.7, 10.2.0.9") == kenya.name  # the last entry is the one Envoy added
    assert await chosen("192.0.2.1") == ""  # not in the database: no country, neither ad matches
    assert await chosen("10.1.7.7", country="KE") == kenya.name  # the request context wins


async def test_a_direct_client_cannot_choose_its_country_by_a_forwarded_header(
    geo_ads: ads_pb2_grpc.AdsServiceStub, admin: Caller
) -> None:
    title = f"titles/{uuid.uuid4().hex}"
    campaign = await new_campaign(geo_ads, admin)
    await new_ad(geo_ads, admin, banner(campaign.name, targeting=only_next_to(title, countries=["KE"])))
    for spoofed in ((("x-forwarded-for", "10.2.0.9"),), (("x-forwarded-for", "10.2.0.9"), (GATEWAY_HEADER, "a guess"))):
        reply = await geo_ads.SelectAd(
            pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, uuid.uuid4().hex)), metadata=spoofed
        )
        assert reply.ad.ad == ""  # located by its own address (127.0.0.1, not in the database): the Kenyan ad is not shown
