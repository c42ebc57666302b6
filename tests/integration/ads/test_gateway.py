"""The README's walk-through as JSON over HTTP through a real Envoy: set up a campaign, serve it, count it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.core.server import Server
from tests.gateway.helpers import running_gateway
from tests.integration.ads.conftest import Caller


@pytest.fixture(scope="module")
async def http(platform: Server, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        running_gateway(platform.port, tmp_path_factory.mktemp("envoy-ads")) as envoy,
        httpx.AsyncClient(base_url=envoy.url, timeout=15.0) as client,
    ):
        yield client


async def test_the_walk_through_over_json(http: httpx.AsyncClient, admin: Caller) -> None:
    auth = {"authorization": dict(admin.auth)["authorization"]}
    title = f"titles/{uuid.uuid4().hex}"
    campaign = await http.post(
        "/ads/v1/campaigns",
        headers=auth,
        json={
            "displayName": "March bundles",
            "advertiser": "MTN Uganda",
            "budget": {"daily": {"currencyCode": "USD", "units": "50"}},
        },
    )
    assert campaign.status_code == 200, campaign.text
    ad = await http.post(
        "/ads/v1/ads",
        headers=auth,
        json={
            "displayName": "Bundles 300x250",
            "campaign": campaign.json()["campaign"]["name"],
            "placement": "PLACEMENT_RECTANGLE",
            "clickUrl": "https://mtn.co.ug/bundles",
            "creative": {"imageUrl": "https://cdn.example.com/mtn.png", "width": 300, "height": 250},
            "pricing": {"model": "PRICING_MODEL_CPM", "rate": {"currencyCode": "USD", "units": "2"}},
            "targeting": {"countries": ["UG"], "titles": [title]},
            "frequencyCaps": [{"maxImpressions": 3, "period": "86400s"}],
        },
    )
    assert ad.status_code == 200, ad.text
    assert ad.json()["ad"]["servingStatus"] == "SERVING_STATUS_SERVING"
    selected = await http.post(
        "/ads/v1/ads:select",
        json={"placement": "PLACEMENT_RECTANGLE", "context": {"country": "UG", "deviceId": "web-42", "title": title}},
    )
    assert selected.status_code == 200, selected.text
    token = selected.json()["ad"]["impressionToken"]
    recorded = await http.post(
        "/ads/v1/impressions", json={"impressionToken": token, "deviceId": "web-42", "requestId": str(uuid.uuid4())}
    )
    assert recorded.status_code == 200, recorded.text
    click = await http.post("/ads/v1/clicks", json={"impressionToken": token, "deviceId": "web-42"})
    assert click.json() == {
        "redirectUrl": "https://mtn.co.ug/bundles",
        "counted": True,
        "impression": recorded.json()["impression"],
    }
    stats = await http.get(
        f"/ads/v1/{ad.json()['ad']['name']}/stats", headers=auth, params={"breakdown": "STATS_DIMENSION_COUNTRY"}
    )
    assert stats.json()["totals"]["impressions"] == "1"
    assert stats.json()["breakdown"][0]["key"] == "UG"
    forged = await http.post("/ads/v1/impressions", json={"impressionToken": token + "x", "deviceId": "web-42"})
    assert forged.status_code == 400
    assert forged.json()["details"][0]["reason"] == "IMPRESSION_TOKEN_INVALID"
    refused = await http.get("/ads/v1/stats:overview")
    assert refused.status_code == 401


async def test_account_export_and_erasure_over_http(http: httpx.AsyncClient, admin: Caller, viewer: Caller) -> None:
    auth = {"authorization": dict(admin.auth)["authorization"]}
    watcher = {"authorization": dict(viewer.auth)["authorization"]}
    title = f"titles/{uuid.uuid4().hex}"
    campaign = await http.post("/ads/v1/campaigns", headers=auth, json={"displayName": "Export", "advertiser": "MTN Uganda"})
    ad = await http.post(
        "/ads/v1/ads",
        headers=auth,
        json={
            "displayName": "Export 320x50",
            "campaign": campaign.json()["campaign"]["name"],
            "placement": "PLACEMENT_MOBILE_BANNER",
            "clickUrl": "https://mtn.co.ug/bundles",
            "creative": {"imageUrl": "https://cdn.example.com/mtn.png", "width": 320, "height": 50},
            "targeting": {"titles": [title]},
        },
    )
    assert ad.status_code == 200, ad.text
    for _attempt in range(10):  # Billing has 0.5 s to answer; on a loaded machine its first answer can be later
        selected = await http.post(
            "/ads/v1/ads:select", headers=watcher, json={"placement": "PLACEMENT_MOBILE_BANNER", "context": {"title": title}}
        )
        assert selected.status_code == 200, selected.text
        if selected.json().get("noFillReason") != "NO_FILL_REASON_ENTITLEMENTS_UNAVAILABLE":
            break
        await asyncio.sleep(0.5)
    assert "ad" in selected.json(), selected.json()
    token = selected.json()["ad"]["impressionToken"]
    assert (await http.post("/ads/v1/impressions", headers=watcher, json={"impressionToken": token})).status_code == 200
    exported = await http.get(f"/ads/v1/{viewer.name}:export", headers=auth)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/json")
    assert [i["title"] for i in exported.json()["impressions"]] == [title], exported.text  # the document is the whole body
    refused = await http.get(f"/ads/v1/{viewer.name}:export", headers=watcher)
    assert refused.status_code == 403
    purged = await http.post(f"/ads/v1/{viewer.name}:purge", headers=auth, json={"requestId": str(uuid.uuid4())})
    assert purged.status_code == 200, purged.text
    assert {d["category"]: d["count"] for d in purged.json()["erased"]}["impressions"] == "1"
    assert (await http.get(f"/ads/v1/{viewer.name}:export", headers=auth)).json()["impressions"] == []
