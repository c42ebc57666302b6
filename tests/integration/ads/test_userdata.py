"""Account export and erasure over the wire: a viewer's impressions and Redis caps are exported and
erased; the rollups (no user in them) stay, so reports do not change; other viewers are untouched."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import grpc
from google.protobuf import duration_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc

from tests.integration.ads.conftest import (
    Caller,
    banner,
    context,
    expect,
    fails,
    new_ad,
    new_campaign,
    only_next_to,
    unique_title,
)
from tests.support.callers import Caller as ServiceCaller

Stub = ads_pb2_grpc.AdsServiceStub


async def _watch(ads: Stub, title: str, who: Caller, *, click: bool = False) -> pb.SelectAdResponse:
    """Select, record (and maybe click) one banner next to `title` as a signed-in viewer."""
    for _attempt in range(10):  # Billing has 0.5 s to answer; on a loaded machine its first answer can be later
        selected = await ads.SelectAd(
            pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context(title, country="UG")), metadata=who.auth
        )
        if selected.no_fill_reason != pb.NO_FILL_REASON_ENTITLEMENTS_UNAVAILABLE:
            break
        await asyncio.sleep(0.5)
    if selected.HasField("ad"):
        token = selected.ad.impression_token
        await ads.RecordImpression(pb.RecordImpressionRequest(impression_token=token), metadata=who.auth)
        if click:
            await ads.RecordClick(pb.RecordClickRequest(impression_token=token), metadata=who.auth)
    return selected


def _by_category(dispositions: Any) -> dict[str, int]:
    return {d.category: d.count for d in dispositions}


async def _export(ads: Stub, user: str, service: ServiceCaller) -> dict[str, Any]:
    reply = await ads.ExportUserData(pb.ExportUserDataRequest(name=user), metadata=service.auth)
    assert reply.document.content_type == "application/json"
    document: dict[str, Any] = json.loads(reply.document.data)
    return document


async def test_a_viewers_data_is_exported_then_erased_and_reports_stay(
    ads: Stub, admin: Caller, viewer: Caller, signer: Any, service: ServiceCaller
) -> None:
    from tests.integration.ads.conftest import make_caller

    other = make_caller(signer)
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    cap = pb.FrequencyCap(max_impressions=2, period=duration_pb2.Duration(seconds=86_400))
    ad = await new_ad(ads, admin, banner(campaign.name, targeting=only_next_to(title), frequency_caps=[cap]))
    assert (await _watch(ads, title, viewer, click=True)).HasField("ad")
    assert (await _watch(ads, title, viewer)).HasField("ad")
    capped = await _watch(ads, title, viewer)
    assert capped.no_fill_reason == pb.NO_FILL_REASON_FREQUENCY_CAPPED
    assert (await _watch(ads, title, other)).HasField("ad")
    before = (await ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)).totals
    assert (before.impressions, before.clicks) == (3, 1)

    # A name that looks like a pattern is one (unknown) user, never a wildcard over others' data.
    for pattern in ("users/*", "users/?" + viewer.user_id[1:], "users/[a-f0-9]*"):
        wild = await ads.PurgeUserData(pb.PurgeUserDataRequest(name=pattern), metadata=service.auth)
        assert _by_category(wild.erased) == {"impressions": 0, "frequency_caps": 0}, pattern

    document = await _export(ads, viewer.name, service)
    assert document["user"] == viewer.name
    assert [i["ad"] for i in document["impressions"]] == [ad.name, ad.name]
    assert {i["user"] for i in document["impressions"]} == {viewer.name}
    assert sorted(i.get("click_count", 0) for i in document["impressions"]) == [0, 1]
    assert {i["country"] for i in document["impressions"]} == {"UG"}
    caps = {(c["scope"], c.get("ad") or c.get("campaign")): c["impressions"] for c in document["frequency_caps"]}
    assert caps[("ad", ad.name)] == 2
    assert document["export_time"]
    # Admins may call service methods too.
    assert len((await _export(ads, viewer.name, admin))["impressions"]) == 2  # type: ignore[arg-type]

    purged = await ads.PurgeUserData(
        pb.PurgeUserDataRequest(name=viewer.name, request_id=uuid.uuid4().hex), metadata=service.auth
    )
    erased, retained = _by_category(purged.erased), _by_category(purged.retained)
    assert erased["impressions"] == 2
    assert erased["frequency_caps"] >= 1  # the ad's cap counter, and the click mark
    assert retained == {"delivery_rollups": 2, "unique_viewer_sketches": 2}
    assert all(d.description for d in list(purged.erased) + list(purged.retained))

    gone = await _export(ads, viewer.name, service)
    assert (gone["impressions"], gone["frequency_caps"]) == ([], [])
    listed = await ads.ListImpressions(pb.ListImpressionsRequest(ad=ad.name), metadata=admin.auth)
    assert [i.user for i in listed.impressions] == [other.name]  # the other viewer's impression stays
    assert len((await _export(ads, other.name, service))["impressions"]) == 1
    after = (await ads.GetAdStats(pb.GetAdStatsRequest(ad=ad.name), metadata=admin.auth)).totals
    assert (after.impressions, after.clicks, after.revenue) == (before.impressions, before.clicks, before.revenue)
    # Their caps were in Redis and are gone: the cap starts over.
    assert (await _watch(ads, title, viewer)).HasField("ad")

    again = await ads.PurgeUserData(pb.PurgeUserDataRequest(name=other.name + "x"), metadata=service.auth)
    assert _by_category(again.erased) == {"impressions": 0, "frequency_caps": 0}
    twice = await ads.PurgeUserData(pb.PurgeUserDataRequest(name=other.name), metadata=service.auth)
    assert _by_category(twice.erased)["impressions"] == 1
    thrice = await ads.PurgeUserData(pb.PurgeUserDataRequest(name=other.name), metadata=service.auth)
    assert _by_category(thrice.erased) == {"impressions": 0, "frequency_caps": 0}  # idempotent


async def test_export_and_purge_are_for_services_and_name_one_user(ads: Stub, viewer: Caller, service: ServiceCaller) -> None:
    calls = [
        lambda name, m: ads.ExportUserData(pb.ExportUserDataRequest(name=name), metadata=m),
        lambda name, m: ads.PurgeUserData(pb.PurgeUserDataRequest(name=name), metadata=m),
    ]
    for call in calls:
        expect(await fails(call(viewer.name, viewer.auth)), grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
        expect(await fails(call(viewer.name, ())), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
        me = await fails(call("users/me", service.auth))
        expect(me, grpc.StatusCode.INVALID_ARGUMENT, "USERS_ME_NOT_ALLOWED")
        assert me.bad_request is not None
        assert [v.field for v in me.bad_request.field_violations] == ["name"]
        for bad in ("", "viewers/1", "users/a/b", "users/", "users/-"):
            error = await fails(call(bad, service.auth))
            assert error.code == grpc.StatusCode.INVALID_ARGUMENT, bad
    long = await fails(ads.PurgeUserData(pb.PurgeUserDataRequest(name=viewer.name, request_id="r" * 129), metadata=service.auth))
    assert long.code == grpc.StatusCode.INVALID_ARGUMENT
