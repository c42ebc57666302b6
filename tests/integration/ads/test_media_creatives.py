"""Pre-roll creatives from Media assets, over the wire with the real Media service: SeaweedFS, a real
`marquee worker` transcoding the uploads, and SelectAd serving Media's anonymous PUBLIC playback URL."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import duration_pb2, field_mask_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc
from marquee.media.v1 import media_pb2 as mpb
from marquee.media.v1 import media_pb2_grpc

from services.core.processes import stop_process
from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import Settings
from tests.integration.ads.conftest import Caller, context, expect, fails, new_ad, new_campaign, preroll, unique_title
from tests.integration.media.conftest import media_worker, watch
from tests.integration.media.test_uploads import upload_clip
from tests.support.runtime_server import wait_for_worker
from tests.support.seaweed import make_clip

HLS = "application/vnd.apple.mpegurl"


@pytest.fixture(scope="module")
def every_service(channel: grpc.aio.Channel, seaweed: EmbeddedSeaweedFS) -> tuple[Any, Any]:
    """Ads and Media on the session server that serves every contract (Ads reaches Media over gRPC)."""
    return ads_pb2_grpc.AdsServiceStub(channel), media_pb2_grpc.MediaServiceStub(channel)


@pytest.fixture(scope="module")
async def ad_videos(
    every_service: tuple[Any, Any], admin: Caller, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, mpb.Asset]:
    """Two AD-purpose uploads transcoded by a real worker: a 16 s spot and a 2 s sting."""
    _ads, media = every_service
    worker = media_worker(settings, "ads-media", concurrency=2)
    try:
        wait_for_worker(settings, worker, name="ads-media")
        folder = tmp_path_factory.mktemp("ad-videos")
        found: dict[str, mpb.Asset] = {}
        operations = {}
        for key, seconds in (("spot", 16), ("sting", 2)):
            clip = await asyncio.to_thread(make_clip, folder / f"{key}.mp4", seconds=seconds, size="320x180")
            asset = await upload_clip(media, admin, clip, asset=mpb.Asset(purpose=mpb.ASSET_PURPOSE_AD))
            assert asset.visibility == mpb.ASSET_VISIBILITY_PUBLIC  # the default for ad creatives
            operations[key] = (
                asset.name,
                (
                    await media.StartTranscode(
                        mpb.StartTranscodeRequest(name=asset.name, settings=mpb.TranscodeSettings(thumbnail_count=1)),
                        metadata=admin.auth,
                    )
                ).operation.name,
            )
        for key, (name, operation) in operations.items():
            events = await watch(media, admin, operation, within=300)
            assert events[-1].operation.state == 3, events[-1].operation.error.message
            found[key] = (await media.GetAsset(mpb.GetAssetRequest(name=name), metadata=admin.auth)).asset
            assert found[key].state == mpb.ASSET_STATE_READY
        return found
    finally:
        stop_process(worker, timeout_seconds=15)


def _from_asset(campaign: str, title: str, asset: str, *, priority: int = 0, **creative: Any) -> pb.Ad:
    return preroll(
        campaign,
        creative=pb.Creative(video_asset=asset, skip_offset=duration_pb2.Duration(seconds=5), **creative),
        targeting=pb.Targeting(titles=[title]),
        priority=priority,
    )


async def _select(ads: Any, title: str, device: str) -> pb.SelectAdResponse:
    return await ads.SelectAd(pb.SelectAdRequest(placement=pb.PLACEMENT_PRE_ROLL, context=context(title, device)))


async def test_a_ready_public_asset_serves_medias_playback_url(
    every_service: tuple[Any, Any], ad_videos: dict[str, mpb.Asset], admin: Caller
) -> None:
    ads, _media = every_service
    spot = ad_videos["spot"]
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    ad = await new_ad(ads, admin, _from_asset(campaign.name, title, spot.name))
    # Duration, size and poster were filled from Media.
    assert ad.creative.video_asset == spot.name
    assert 15 <= ad.creative.duration.seconds <= 17
    assert (ad.creative.width, ad.creative.height) == (320, 180)
    assert ad.creative.image_url == ""  # Media's poster URL is signed and expires: it comes with each selection
    assert ad.serving_status == pb.SERVING_STATUS_SERVING

    device = uuid.uuid4().hex
    served = (await _select(ads, title, device)).ad
    assert served.ad == ad.name
    assert served.video_mime_type == HLS
    assert served.image_url  # the poster of Media's playback session
    assert served.duration.seconds == ad.creative.duration.seconds
    async with httpx.AsyncClient(timeout=30) as client:
        playlist = await client.get(served.video_url)
        assert playlist.status_code == 200, playlist.text
        assert playlist.text.startswith("#EXTM3U")
        media_playlist = next(line for line in playlist.text.splitlines() if line and not line.startswith("#"))
        rung = await client.get(media_playlist if "://" in media_playlist else httpx.URL(served.video_url).join(media_playlist))
        assert rung.status_code == 200
        assert ".ts" in rung.text or ".m4s" in rung.text or "#EXTINF" in rung.text
        tampered = await client.get(served.video_url.replace("X-Amz-Signature=", "X-Amz-Signature=00"))
        assert tampered.status_code == 403
    # Every viewer shares one anonymous session while its URL stays valid.
    again = (await _select(ads, title, uuid.uuid4().hex)).ad
    assert again.video_url == served.video_url
    recorded = await ads.RecordImpression(pb.RecordImpressionRequest(impression_token=served.impression_token, device_id=device))
    assert recorded.impression.startswith("impressions/")


async def test_an_asset_that_is_missing_unready_or_not_public_is_refused(
    every_service: tuple[Any, Any], ad_videos: dict[str, mpb.Asset], admin: Caller, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ads, media = every_service
    campaign = await new_campaign(ads, admin)
    title = unique_title()
    missing = await fails(
        ads.CreateAd(pb.CreateAdRequest(ad=_from_asset(campaign.name, title, "assets/" + "0" * 32)), metadata=admin.auth)
    )
    expect(missing, grpc.StatusCode.FAILED_PRECONDITION, "CREATIVE_ASSET_NOT_READY")
    clip = await asyncio.to_thread(make_clip, tmp_path_factory.mktemp("raw") / "raw.mp4", seconds=2, size="320x180")
    untranscoded = await upload_clip(media, admin, clip, asset=mpb.Asset(purpose=mpb.ASSET_PURPOSE_AD))
    unready = await fails(
        ads.CreateAd(pb.CreateAdRequest(ad=_from_asset(campaign.name, title, untranscoded.name)), metadata=admin.auth)
    )
    expect(unready, grpc.StatusCode.FAILED_PRECONDITION, "CREATIVE_ASSET_NOT_READY")
    # A READY asset that only subscribers may play cannot be a creative: free viewers could not play it.
    sting = ad_videos["sting"]
    await _set_visibility(media, admin, sting, mpb.ASSET_VISIBILITY_SUBSCRIBERS)
    try:
        private = await fails(
            ads.CreateAd(
                pb.CreateAdRequest(ad=_from_asset(campaign.name, title, sting.name, duration=duration_pb2.Duration(seconds=15))),
                metadata=admin.auth,
            )
        )
        expect(private, grpc.StatusCode.FAILED_PRECONDITION, "CREATIVE_ASSET_NOT_PUBLIC")
    finally:
        await _set_visibility(media, admin, sting, mpb.ASSET_VISIBILITY_PUBLIC)
    # Too short for a pre-roll unless the ad says how long to show it.
    short = await fails(ads.CreateAd(pb.CreateAdRequest(ad=_from_asset(campaign.name, title, sting.name)), metadata=admin.auth))
    expect(short, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CREATIVE")


async def test_an_asset_media_will_no_longer_play_is_passed_over(
    every_service: tuple[Any, Any], ad_videos: dict[str, mpb.Asset], admin: Caller
) -> None:
    ads, media = every_service
    sting = ad_videos["sting"]
    title = unique_title()
    campaign = await new_campaign(ads, admin)
    await new_ad(
        ads, admin, _from_asset(campaign.name, title, sting.name, priority=90, duration=duration_pb2.Duration(seconds=15))
    )
    fallback = await new_ad(ads, admin, preroll(campaign.name, targeting=pb.Targeting(titles=[title])))
    await _set_visibility(media, admin, sting, mpb.ASSET_VISIBILITY_PRIVATE)
    try:
        served = (await _select(ads, title, uuid.uuid4().hex)).ad
        assert served.ad == fallback.name  # the higher-priority asset ad could not be played: never an error
        assert served.video_url == "https://cdn.example.com/spot.m3u8"
    finally:
        await _set_visibility(media, admin, sting, mpb.ASSET_VISIBILITY_PUBLIC)


async def _set_visibility(media: Any, admin: Caller, asset: mpb.Asset, visibility: int) -> None:
    await media.UpdateAsset(
        mpb.UpdateAssetRequest(
            asset=mpb.Asset(name=asset.name, visibility=visibility),  # type: ignore[arg-type]
            update_mask=field_mask_pb2.FieldMask(paths=["visibility"]),
        ),
        metadata=admin.auth,
    )
